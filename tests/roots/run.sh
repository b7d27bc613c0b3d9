#!/usr/bin/env bash
# tests/roots/run.sh — build the plugin against another Debian's OBS inside a cached root made with
# `debootstrap --variant=minbase SUITE`, and run the unit and end-to-end suites there: the same tests, the same
# lib.sh and the same assertions as the host run against Debian bookworm's OBS 29.0 (Qt5).
#
#   SUITE     OBS      Qt     what CI runs there (.ci/run)
#   sid       32.2.2   6.11   build, unit suite, the whole e2e suite
#   trixie    30.2.3   6.8    build, a named e2e subset
#   bookworm  29.0.2   5      nothing (the host is bookworm); clean roots for the package tests
#
# Usage (as root): bash tests/roots/run.sh SUITE [OPTIONS] [CTEST ARGS...]
#   --rebuild-root    delete the cached root and its base tarball, make both again
#   --root-only       make or update the cached build root, print "root: PATH" and exit (nothing built)
#   --build-only      make the root and build (-DRFO_WERROR=ON) in $RFO_BUILD_DIR/SUITE; no tests
#   --no-unit         skip the unit tests (with --build-only: build only what the e2e tests run)
#   --no-e2e          skip the e2e tests
#   --cmake-args A    one more word for the configure step (repeatable), e.g. --cmake-args -DRFO_SYSTEM_INSTALL=ON
#   --exec CMD        last, run `sh -c CMD` in the root (cwd /rfo) with the mounts below; the script's status is
#                     its status (and the build's/tests' when they ran). With --build-only: build, then CMD.
#   --clean-root DIR  unpack a pristine minbase root of SUITE into DIR (debootstrap only, none of the build
#                     packages; apt configured as in the build root), print "clean-root: DIR" and exit (seconds)
#   --root DIR        with --exec: run CMD in DIR (e.g. a clean root) instead of the build root; nothing is made,
#                     built or tested
#   --paths           print root, base tarball, apt archive cache, build dir and artifacts dir, then exit
#   CTEST ARGS        extra arguments for the e2e ctest run (e.g. -R 'e2e\.(smoke|golive)$')
# Inside a root (build or --root): /rfo/src = the repository (read-only), /rfo/build = $RFO_BUILD_DIR/SUITE
# (read-write, readable from the host: a .deb made there by --exec is at $RFO_BUILD_DIR/SUITE/...), apt's
# /var/cache/apt/archives = the suite's shared .deb cache, the host's /tmp, /proc, /sys, /dev.
# Environment:
#   RFO_BUILD_DIR     host build dir (default: build); artifacts go to $RFO_BUILD_DIR/artifacts/SUITE
#   RFO_ROOTS_CACHE   parent of the caches (default /var/cache): $RFO_ROOTS_CACHE/rfo-SUITE/{root,base.tar,archives}
#   RFO_ROOT_MIRROR   Debian mirror for debootstrap (default: debootstrap's own)
# Needs on the host: debootstrap, util-linux (unshare, mount, flock). Exits non-zero when anything fails.
set -Eeuo pipefail
# The whole script is one { ... } block: bash reads it completely before running it, so editing or
# checking out this file while a run is under way cannot change what that run does.
{
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

usage() { sed -n '2,32p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
suite=${1:-}
case "$suite" in
sid) qt=6 ;;
trixie) qt=6 ;;
bookworm) qt=5 ;;
-h | --help)
	usage
	exit 0
	;;
*)
	usage >&2
	echo "run.sh: the first argument is the suite: sid, trixie or bookworm" >&2
	exit 2
	;;
esac
shift
args=("$@") # the options as given, for the re-run under unshare
cache=${RFO_ROOTS_CACHE:-/var/cache}/rfo-$suite
root="$cache/root"
base_tar="$cache/base.tar"
archives="$cache/archives"

say() { printf '[%s %(%H:%M:%S)T] %s\n' "$suite" -1 "$*" >&2; }
die() {
	say "FAIL: $*"
	exit 1
}

# The packages of the root: the suite's OBS, its development files and Qt, plus everything .ci/deps installs
# on the host for the build and the tests, translated to the suite (bookworm-only names mapped or dropped).
# Kept in step with .ci/deps automatically; the root is updated when this list changes.
if [ "$qt" = 6 ]; then
	qt_pkgs=(qt6-base-dev qt6-base-private-dev qt6-svg-plugins)
else
	qt_pkgs=(qtbase5-dev qtbase5-private-dev libqt5svg5)
fi
base_pkgs=(obs-studio libobs-dev "${qt_pkgs[@]}"
	build-essential cmake pkg-config git ca-certificates
	libcurl4-openssl-dev libjansson-dev libwebsockets-dev libsecret-1-dev
	xvfb xauth x11-apps xdotool imagemagick libgl1-mesa-dri libegl-mesa0
	nginx libnginx-mod-rtmp srt-tools ffmpeg
	gnome-keyring dbus dbus-x11 libsecret-tools curl jq util-linux procps gdb clang)
ci_deps_pkgs() {
	# the words of the PKGS=( ... ) array in .ci/deps, comments dropped
	[ -f "$repo/.ci/deps" ] || return 0
	sed -n '/^PKGS=(/,/^)/p' "$repo/.ci/deps" | sed -e 's/#.*//' -e 's/^PKGS=(//' -e 's/)$//' | tr -s ' \t' '\n\n' |
		grep -E '^[a-z0-9][a-z0-9.+-]+$' || true
}
translate_pkg() {
	case "$qt:$1" in
	6:qtbase5-dev) echo qt6-base-dev ;;
	6:qtbase5-private-dev) echo qt6-base-private-dev ;;
	6:qtwayland5) echo qt6-wayland ;;
	6:libqt5*) ;;                            # Qt5 parts: OBS 30+ is Qt6-only
	*:libclang-rt-*-dev | *:clang-format-*) ;; # sanitizer runtime / formatter: not used inside the root
	*:debootstrap) ;;                        # makes the root; not needed in it
	*) echo "$1" ;;
	esac
}
mapfile -t pkgs < <({
	printf '%s\n' "${base_pkgs[@]}"
	ci_deps_pkgs | while read -r p; do translate_pkg "$p"; done
} | sort -u)
stamp_text="rfo root v2 suite=$suite pkgs=${pkgs[*]}"
stamp_hash=$(printf '%s' "$stamp_text" | sha256sum | cut -c1-16)

# ---------------------------------------------------------------- arguments
rebuild=0 root_only=0 build_only=0 unit=1 e2e=1 paths=0 no_unit=0
exec_cmd='' clean_dir='' other_root=''
cmake_args=() ctest_args=()
while (($# > 0)); do
	case "$1" in
	--rebuild-root) rebuild=1 ;;
	--root-only) root_only=1 ;;
	--build-only) build_only=1 ;;
	--no-unit) unit=0 no_unit=1 ;;
	--no-e2e) e2e=0 ;;
	--paths) paths=1 ;;
	--cmake-args | --exec | --clean-root | --root)
		(($# >= 2)) || die "$1 needs a value"
		case "$1" in
		--cmake-args) cmake_args+=("$2") ;;
		--exec) exec_cmd=$2 ;;
		--clean-root) clean_dir=$2 ;;
		--root) other_root=$2 ;;
		esac
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	*) ctest_args+=("$1") ;;
	esac
	shift
done
[ -z "$other_root" ] || [ -n "$exec_cmd" ] || die "--root DIR needs --exec CMD"
[ "$build_only" = 0 ] || {
	unit=0
	e2e=0
}

build_host=${RFO_BUILD_DIR:-build}
case "$build_host" in /*) ;; *) build_host="$repo/$build_host" ;; esac
suite_build="$build_host/$suite"
art_out="$build_host/artifacts/$suite"
if [ "$paths" = 1 ]; then
	printf 'root: %s\nbase-tarball: %s\napt-archives: %s\nbuild: %s\nartifacts: %s\n' \
		"$root" "$base_tar" "$archives" "$suite_build" "$art_out"
	exit 0
fi

# ---------------------------------------------------------------- inside the private mount namespace
# Re-run this script under `unshare --mount`: every mount below is private to this run and disappears
# with it even if the run is killed; the EXIT trap also unmounts everything, in reverse order.
if [ "${RFO_ROOTS_IN_NS:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || die "needs root (debootstrap, mount, chroot); CI runs as root"
	for tool in debootstrap unshare flock chroot mount umount sha256sum tar; do
		command -v "$tool" >/dev/null || die "'$tool' is missing on the host (apt-get install debootstrap util-linux)"
	done
	mkdir -p "$cache" "$archives"
	# One run per cache at a time (a second run waits up to 60 min for the first). --root runs work in another
	# directory and only read the cache: they do not wait; nor does --clean-root once the base tarball exists (it
	# only reads it), so that the package tests never wait for a build or test run in the suite's build root.
	if [ -z "$other_root" ] && { [ -z "$clean_dir" ] || [ "$rebuild" = 1 ] || [ ! -s "$base_tar" ]; }; then
		exec 9>"$cache/lock"
		flock -w 3600 9 || die "another run holds $cache/lock"
	fi
	export RFO_ROOTS_IN_NS=1
	exec unshare --mount --propagation private -- bash "${BASH_SOURCE[0]}" "$suite" "${args[@]}"
fi

start=$SECONDS
mounts=() # mounted targets, in order
mnt() {   # mnt TARGET MOUNT-ARGS...: mount and record for the trap
	local target=$1
	shift
	mount "$@" "$target"
	mounts+=("$target")
}
unmount_all() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" 2>/dev/null ||
			say "could not unmount ${mounts[i]}"
	done
	mounts=()
}
on_exit() {
	local rc=$?
	trap - ERR
	set +e
	unmount_all
	[ "$rc" = 0 ] || say "FAILED (status $rc) after $((SECONDS - start)) s; artifacts in $art_out"
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'say "command failed (status $?) at line $LINENO: $BASH_COMMAND"' ERR

# in_root CMD...: run CMD in the root with a clean environment (nothing of the host's leaks in).
in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-}" DEBIAN_FRONTEND=noninteractive \
		${RFO_E2E_KEEP:+RFO_E2E_KEEP="$RFO_E2E_KEEP"} "$@" 9>&-
}

# system_mounts: what programs in the root need. / of the root becomes a mount point itself so that tests
# can make their own private mount namespaces inside (e.g. unshare in e2e.smoke_no_websocket); /tmp is the
# host's so that X servers in the root and on the host never pick the same display number; apt's archive
# cache is the suite's shared one, so that the build root and every clean root download each .deb once.
system_mounts() {
	mnt "$root" --bind "$root"
	mnt "$root/proc" --bind /proc
	mnt "$root/sys" --bind /sys
	mnt "$root/dev" --bind /dev
	mnt "$root/dev/pts" --bind /dev/pts
	mnt "$root/dev/shm" --bind /dev/shm
	mnt "$root/tmp" --bind /tmp
	mkdir -p "$root/var/cache/apt/archives"
	mnt "$root/var/cache/apt/archives" --bind "$archives"
}
# repo_mounts: the repository read-only at /rfo/src, the suite's build dir at /rfo/build.
repo_mounts() {
	mkdir -p "$suite_build" "$root/rfo/src" "$root/rfo/build"
	mnt "$root/rfo/src" --bind "$repo"
	mount -o remount,bind,ro "$root/rfo/src"
	mnt "$root/rfo/build" --bind "$suite_build"
}

# ---------------------------------------------------------------- the base tarball and the roots (cached)
root_ok() { [ -f "$root/.rfo-base" ] && [ -x "$root/usr/bin/apt-get" ]; }
pkgs_ok() { [ "$(cat "$root/.rfo-stamp" 2>/dev/null)" = "$stamp_hash" ]; }

wipe_dir() {
	# --one-file-system: never follow into anything still mounted (nothing is, in this namespace)
	[ -e "$1" ] && rm -rf --one-file-system "$1"
	[ ! -e "$1" ] || die "could not delete $1"
}

# make_base_tar: debootstrap a minbase root, configure apt and dpkg the way every root of this project needs,
# keep it as base.tar (the build root and the clean roots are unpacked from it).
make_base_tar() {
	local tmp="$cache/base.tmp" t0=$SECONDS
	say "debootstrap --variant=minbase $suite ${RFO_ROOT_MIRROR:-}"
	wipe_dir "$tmp"
	mkdir -p "$tmp"
	if ! debootstrap --variant=minbase --cache-dir="$archives" "$suite" "$tmp" ${RFO_ROOT_MIRROR:+"$RFO_ROOT_MIRROR"} \
		>"$cache/debootstrap.log" 2>&1; then
		tail -n 20 "$cache/debootstrap.log" >&2
		wipe_dir "$tmp"
		die "debootstrap failed (log: $cache/debootstrap.log)"
	fi
	# package scripts must not start services (nginx would take port 80); tests start their own
	printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
	chmod 755 "$tmp/usr/sbin/policy-rc.d"
	{
		printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n'
		# the .debs stay in the shared archive cache (bind-mounted) for the next root
		printf 'APT::Keep-Downloaded-Packages "true";\nBinary::apt::APT::Keep-Downloaded-Packages "true";\n'
		# the sid mirror reachable here is a frozen snapshot whose Release file has expired
		[ "$suite" != sid ] || printf 'Acquire::Check-Valid-Until "false";\n'
	} >"$tmp/etc/apt/apt.conf.d/90rfo"
	rm -f "$tmp/etc/apt/apt.conf.d/docker-clean"
	date -u +%FT%TZ >"$tmp/.rfo-base"
	tar -C "$tmp" --one-file-system -cf "$base_tar.tmp" . && mv "$base_tar.tmp" "$base_tar"
	wipe_dir "$tmp"
	say "base system in $((SECONDS - t0)) s ($base_tar)"
}

# unpack_base DIR: a fresh copy of the base system in DIR.
unpack_base() {
	[ -s "$base_tar" ] || make_base_tar
	wipe_dir "$1"
	mkdir -p "$1"
	tar -C "$1" -xf "$base_tar"
	cp -L /etc/resolv.conf "$1/etc/resolv.conf" 2>/dev/null || true
}

install_pkgs() {
	local t0=$SECONDS rc=0
	say "installing ${#pkgs[@]} packages in the root"
	cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	# The build root needs no documentation, manuals or message catalogues: fewer files to unpack and no man-db
	# trigger (most of the minutes of making a root are dpkg's, not the download's). Clean roots keep them.
	mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
	printf 'path-exclude=/usr/share/%s/*\n' doc man info locale >"$root/etc/dpkg/dpkg.cfg.d/90rfo-nodoc"
	system_mounts
	{
		# an earlier run killed inside dpkg leaves packages half-configured: finish them first
		in_root dpkg --configure -a &&
			in_root apt-get update -q &&
			in_root apt-get install -y -q -o Dpkg::Use-Pty=0 -o Dpkg::Options::=--force-unsafe-io "${pkgs[@]}" </dev/null
	} >"$cache/apt.log" 2>&1 || rc=$?
	unmount_all
	if [ "$rc" != 0 ]; then
		tail -n 20 "$cache/apt.log" >&2
		return "$rc"
	fi
	# dbus-daemon and OBS want a machine id
	[ -s "$root/etc/machine-id" ] || in_root sh -c 'command -v systemd-machine-id-setup >/dev/null &&
		systemd-machine-id-setup || dbus-uuidgen --ensure=/etc/machine-id' >/dev/null 2>&1 || true
	echo "$stamp_hash" >"$root/.rfo-stamp"
	say "packages in $((SECONDS - t0)) s"
}

if [ "$rebuild" = 1 ]; then
	say "--rebuild-root: deleting the cached root and base tarball"
	wipe_dir "$root"
	rm -f "$base_tar"
fi

# ---------------------------------------------------------------- --clean-root DIR / --root DIR --exec CMD
if [ -n "$clean_dir" ]; then
	case "$clean_dir" in /*) ;; *) clean_dir="$PWD/$clean_dir" ;; esac
	[ "$clean_dir" != / ] && [ "$clean_dir" != "$root" ] || die "--clean-root: refusing $clean_dir"
	unpack_base "$clean_dir"
	echo "clean-root: $clean_dir"
	exit 0
fi
if [ -n "$other_root" ]; then
	root=$(cd "$other_root" && pwd)
	[ -x "$root/usr/bin/apt-get" ] || die "--root $root is not a Debian root"
	system_mounts
	repo_mounts
	rc=0
	in_root sh -c "cd /rfo && $exec_cmd" </dev/null || rc=$?
	exit "$rc"
fi

t_root=$SECONDS
made=cached
if ! root_ok; then
	[ -e "$root" ] && say "the cached root is incomplete (no .rfo-base): making it again"
	unpack_base "$root"
	made=made
fi
if ! pkgs_ok; then
	[ "$made" = made ] || made=updated
	if ! install_pkgs; then
		# a half-installed or broken root: start again from scratch, once
		say "package installation failed; making the root again from scratch"
		unpack_base "$root"
		made=made
		install_pkgs || die "package installation failed in a fresh root (log: $cache/apt.log)"
	fi
else
	say "reusing the cached root $root (stamp $stamp_hash)"
fi
root_s=$((SECONDS - t_root))
obs_version=$(in_root dpkg-query -W -f '${Version}' obs-studio 2>/dev/null || echo unknown)
qt_version=$(in_root dpkg-query -W -f '${Version}' "${qt_pkgs[0]}" 2>/dev/null || echo unknown)
obs_major=${obs_version%%.*}
say "root ready in ${root_s} s ($made): obs-studio $obs_version, ${qt_pkgs[0]} $qt_version"
if [ "$root_only" = 1 ]; then
	echo "root: $root"
	exit 0
fi

# ---------------------------------------------------------------- build and test inside
rm -rf "$art_out"
mkdir -p "$art_out"
system_mounts
repo_mounts

status=0
t_build=$SECONDS
# Without the unit suite (and without --build-only/--exec, which may package everything) only what the e2e tests
# run is built: the module, obsws, obs-sigint and the emulator (the unit tests are most of the build's minutes).
targets=()
# (--build-only --no-unit: the same, built ahead of a later e2e run)
if { [ "$unit" = 0 ] && [ "$e2e" = 1 ] || [ "$build_only$no_unit" = 11 ]; } && [ -z "$exec_cmd" ]; then
	targets=(--target restream-for-obs obsws obs-sigint restream-emulator)
fi
what="everything"
((${#targets[@]} == 0)) || what="${targets[*]:1}"
say "configure and build (OBS $obs_version, Qt$qt, -DRFO_WERROR=ON ${cmake_args[*]}) in $suite_build: $what"
if { in_root cmake -S /rfo/src -B /rfo/build -DRFO_WERROR=ON "${cmake_args[@]}" &&
	in_root cmake --build /rfo/build -j2 "${targets[@]}"; } >"$art_out/build.log" 2>&1; then
	build_s=$((SECONDS - t_build))
	say "build passed in ${build_s} s"
else
	build_s=$((SECONDS - t_build))
	grep -E -m 40 'error|warning:' "$art_out/build.log" >&2 || tail -n 40 "$art_out/build.log" >&2
	die "the build against OBS $obs_version + Qt$qt failed (log: $art_out/build.log)"
fi
grep -q "OBS built with Qt$qt; using Qt$qt" "$art_out/build.log" ||
	die "the build did not use Qt$qt (see $art_out/build.log)"

unit_rc=skipped unit_s=0
if [ "$unit" = 1 ]; then
	t=$SECONDS
	unit_rc=0
	in_root ctest --test-dir /rfo/build -L unit -j2 --output-on-failure </dev/null >"$art_out/ctest-unit.log" 2>&1 ||
		unit_rc=$?
	unit_s=$((SECONDS - t))
	[ "$unit_rc" = 0 ] || status=1
	say "unit tests: $([ "$unit_rc" = 0 ] && echo passed || echo FAILED) in ${unit_s} s"
	grep -E '^[0-9]+% tests passed|\*\*\*|Failed' "$art_out/ctest-unit.log" >&2 || true
fi

e2e_rc=skipped e2e_s=0
if [ "$e2e" = 1 ]; then
	t=$SECONDS
	e2e_rc=0
	rm -rf "$suite_build/artifacts"
	in_root ctest --test-dir /rfo/build -L e2e --output-on-failure "${ctest_args[@]}" </dev/null 2>&1 |
		tee "$art_out/ctest-e2e.log" || e2e_rc=$?
	e2e_s=$((SECONDS - t))
	grep -q 'tests passed, ' "$art_out/ctest-e2e.log" || [ "$e2e_rc" != 0 ] || e2e_rc=1
	[ "$e2e_rc" = 0 ] || status=1

	# artifacts: per-test OBS logs, screenshots and receiver logs of this run
	if [ -d "$suite_build/artifacts" ]; then
		cp -r "$suite_build/artifacts/." "$art_out/"
	fi
	dock_png="$art_out/smoke/main-window.png"
	if [ -s "$dock_png" ]; then
		cp "$dock_png" "$art_out/obs$obs_major-dock.png"
		say "screenshot of the dock in OBS $obs_major: $art_out/obs$obs_major-dock.png"
	elif [ "${#ctest_args[@]}" = 0 ]; then
		say "no screenshot of the dock (e2e.smoke did not leave $dock_png)"
		status=1
	fi
	# OBS 32+: Tools → Plugin Manager listing the plugin by its manifest's display name (e2e.plugin_manager)
	if [ -s "$art_out/plugin_manager/plugin-manager.png" ]; then
		cp "$art_out/plugin_manager/plugin-manager.png" "$art_out/obs$obs_major-plugin-manager.png"
		say "screenshot of the plugin manager: $art_out/obs$obs_major-plugin-manager.png"
	fi
fi

exec_rc=none
if [ -n "$exec_cmd" ]; then
	exec_rc=0
	in_root sh -c "cd /rfo && $exec_cmd" </dev/null || exec_rc=$?
	[ "$exec_rc" = 0 ] || status=1
fi

cat >"$art_out/summary.txt" <<-EOF
	obs-studio $obs_version (Debian $suite), ${qt_pkgs[0]} $qt_version
	root: ${root_s} s ($made); build: ${build_s} s; unit: ${unit_s} s ($unit_rc); e2e: ${e2e_s} s ($e2e_rc); exec: $exec_rc
	unit: $(grep -h 'tests passed, ' "$art_out/ctest-unit.log" 2>/dev/null || echo 'not run')
	e2e: $(grep -h 'tests passed, ' "$art_out/ctest-e2e.log" 2>/dev/null || echo 'not run')
	total: $((SECONDS - start)) s
EOF
say "$(tr '\n' ';' <"$art_out/summary.txt")"
[ "$status" = 0 ] && say "OBS $obs_major ($suite) run passed" || say "OBS $obs_major ($suite) run FAILED"
exit "$status"
}
