#!/usr/bin/env bash
# tests/obs30/run.sh — build the plugin against OBS 30.2 + Qt6 and run the unit and end-to-end suites there.
#
# OBS 30.2.3 (Qt6) comes from Debian trixie, in a root made with `debootstrap --variant=minbase trixie`
# and cached between runs on the same machine. Inside that root (chroot, in a private mount namespace
# with /proc, /dev, /sys, /tmp and the repository bind-mounted) the script configures a build with
# -DRFO_WERROR=ON, builds everything and runs `ctest -L unit` and `ctest -L e2e`: the same tests, the
# same lib.sh and the same assertions as the host run against Debian bookworm's OBS 29.0 (Qt5).
#
# Usage (as root): bash tests/obs30/run.sh [--rebuild-root] [--no-unit] [CTEST ARGS...]
#   --rebuild-root  delete the cached root and make it again
#   --no-unit       skip the unit tests (they run by default: cheap, and they use trixie's libraries)
#   CTEST ARGS      extra arguments for the e2e ctest run (e.g. -R smoke)
# Environment:
#   RFO_BUILD_DIR       host build dir (default: build); the OBS 30 build is $RFO_BUILD_DIR/obs30 and
#                       the artifacts (OBS logs, screenshots, ctest log) end in $RFO_BUILD_DIR/artifacts/obs30
#   RFO_OBS30_CACHE     where the root is cached (default: /var/cache/rfo-trixie)
#   RFO_OBS30_MIRROR    Debian mirror for debootstrap (default: debootstrap's own default)
# Needs on the host: debootstrap, util-linux (unshare, mount, flock). Exits non-zero when anything fails.
set -Eeuo pipefail
# The whole script is one { ... } block: bash reads it completely before running it, so editing or
# checking out this file while a run is under way cannot change what that run does.
{
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${RFO_OBS30_CACHE:-/var/cache/rfo-trixie}
root="$cache/root"
suite=trixie

say() { printf '[obs30 %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() {
	say "FAIL: $*"
	exit 1
}

# The packages of the root: Debian trixie's OBS 30, its development files and Qt6, plus everything .ci/deps
# installs on the host for the build and the tests, translated to trixie (bookworm-only names mapped or
# dropped). Kept in step with .ci/deps automatically; the root is updated when this list changes.
base_pkgs=(obs-studio libobs-dev qt6-base-dev qt6-base-private-dev qt6-svg-plugins
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
	case "$1" in
	qtbase5-dev) echo qt6-base-dev ;;
	qtbase5-private-dev) echo qt6-base-private-dev ;;
	libqt5*) ;;                            # Qt5 parts: OBS 30 is Qt6-only
	libclang-rt-*-dev | clang-format-*) ;; # sanitizer runtime / formatter: not used inside the root
	debootstrap) ;;                        # makes the root; not needed in it
	*) echo "$1" ;;
	esac
}
mapfile -t pkgs < <({
	printf '%s\n' "${base_pkgs[@]}"
	ci_deps_pkgs | while read -r p; do translate_pkg "$p"; done
} | sort -u)
stamp_text="rfo-obs30 root v1 suite=$suite pkgs=${pkgs[*]}"
stamp_hash=$(printf '%s' "$stamp_text" | sha256sum | cut -c1-16)

# ---------------------------------------------------------------- arguments
rebuild=0
unit=1
ctest_args=()
for a in "$@"; do
	case "$a" in
	--rebuild-root) rebuild=1 ;;
	--no-unit) unit=0 ;;
	-h | --help)
		sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*) ctest_args+=("$a") ;;
	esac
done

# ---------------------------------------------------------------- inside the private mount namespace
# Re-run this script under `unshare --mount`: every mount below is private to this run and disappears
# with it even if the run is killed; the EXIT trap also unmounts everything, in reverse order.
if [ "${RFO_OBS30_IN_NS:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || die "needs root (debootstrap, mount, chroot); CI runs as root"
	for tool in debootstrap unshare flock chroot mount umount sha256sum; do
		command -v "$tool" >/dev/null || die "'$tool' is missing on the host (apt-get install debootstrap util-linux)"
	done
	mkdir -p "$cache"
	# One run per cache at a time (a second run waits up to 60 min for the first).
	exec 9>"$cache/lock"
	flock -w 3600 9 || die "another run holds $cache/lock"
	export RFO_OBS30_IN_NS=1
	exec unshare --mount --propagation private -- bash "${BASH_SOURCE[0]}" "$@"
fi

start=$SECONDS
build_host=${RFO_BUILD_DIR:-build}
case "$build_host" in /*) ;; *) build_host="$repo/$build_host" ;; esac
mkdir -p "$build_host"
build_host=$(cd "$build_host" && pwd)
obs30_build="$build_host/obs30"
art_out="$build_host/artifacts/obs30"
mkdir -p "$obs30_build"
rm -rf "$art_out"
mkdir -p "$art_out"

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
# host's so that X servers in the root and on the host never pick the same display number.
system_mounts() {
	mnt "$root" --bind "$root"
	mnt "$root/proc" --bind /proc
	mnt "$root/sys" --bind /sys
	mnt "$root/dev" --bind /dev
	mnt "$root/dev/pts" --bind /dev/pts
	mnt "$root/dev/shm" --bind /dev/shm
	mnt "$root/tmp" --bind /tmp
}

# ---------------------------------------------------------------- the root (cached)
root_ok() { [ -f "$root/.rfo-base" ] && [ -x "$root/usr/bin/apt-get" ]; }
pkgs_ok() { [ "$(cat "$root/.rfo-stamp" 2>/dev/null)" = "$stamp_hash" ]; }

wipe_root() {
	# --one-file-system: never follow into anything still mounted (nothing is, in this namespace)
	[ -e "$root" ] && rm -rf --one-file-system "$root"
	[ ! -e "$root" ] || die "could not delete $root"
}

make_base() {
	say "debootstrap --variant=minbase $suite $root ${RFO_OBS30_MIRROR:-}"
	local t0=$SECONDS
	wipe_root
	mkdir -p "$root"
	if ! debootstrap --variant=minbase "$suite" "$root" ${RFO_OBS30_MIRROR:+"$RFO_OBS30_MIRROR"} \
		>"$cache/debootstrap.log" 2>&1; then
		tail -n 20 "$cache/debootstrap.log" >&2
		wipe_root
		die "debootstrap failed (log: $cache/debootstrap.log)"
	fi
	# package scripts must not start services (nginx would take port 80); tests start their own
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$root/etc/apt/apt.conf.d/90rfo"
	date -u +%FT%TZ >"$root/.rfo-base"
	say "base system in $((SECONDS - t0)) s"
}

install_pkgs() {
	local t0=$SECONDS rc=0
	say "installing ${#pkgs[@]} packages in the root"
	cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	system_mounts
	{
		# an earlier run killed inside dpkg leaves packages half-configured: finish them first
		in_root dpkg --configure -a &&
			in_root apt-get update -q &&
			in_root apt-get install -y -q -o Dpkg::Use-Pty=0 -o Dpkg::Options::=--force-unsafe-io "${pkgs[@]}" </dev/null &&
			in_root apt-get clean
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

t_root=$SECONDS
made=cached
if [ "$rebuild" = 1 ]; then
	say "--rebuild-root: deleting the cached root"
	wipe_root
fi
if ! root_ok; then
	[ -e "$root" ] && say "the cached root is incomplete (no .rfo-base): making it again"
	make_base
	made=made
fi
if ! pkgs_ok; then
	[ "$made" = made ] || made=updated
	if ! install_pkgs; then
		# a half-installed or broken root: start again from scratch, once
		say "package installation failed; making the root again from scratch"
		make_base
		made=made
		install_pkgs || die "package installation failed in a fresh root (log: $cache/apt.log)"
	fi
else
	say "reusing the cached root $root (stamp $stamp_hash)"
fi
root_s=$((SECONDS - t_root))
obs_version=$(in_root dpkg-query -W -f '${Version}' obs-studio 2>/dev/null || echo unknown)
qt_version=$(in_root dpkg-query -W -f '${Version}' qt6-base-dev 2>/dev/null || echo unknown)
say "root ready in ${root_s} s: obs-studio $obs_version, qt6-base-dev $qt_version"

# ---------------------------------------------------------------- build and test inside
system_mounts
mkdir -p "$root/rfo/src" "$root/rfo/build"
mnt "$root/rfo/src" --bind "$repo"
mount -o remount,bind,ro "$root/rfo/src"
mnt "$root/rfo/build" --bind "$obs30_build"

status=0
t_build=$SECONDS
say "configure and build (OBS $obs_version, Qt6, -DRFO_WERROR=ON) in $obs30_build"
if in_root sh -c 'cd /rfo && cmake -S src -B build -DRFO_WERROR=ON && cmake --build build -j2' \
	>"$art_out/build.log" 2>&1; then
	build_s=$((SECONDS - t_build))
	say "build passed in ${build_s} s"
else
	build_s=$((SECONDS - t_build))
	grep -E -m 40 'error|warning:' "$art_out/build.log" >&2 || tail -n 40 "$art_out/build.log" >&2
	die "the build against OBS $obs_version + Qt6 failed (log: $art_out/build.log)"
fi
grep -q 'OBS built with Qt6; using Qt6' "$art_out/build.log" ||
	die "the build did not use Qt6 (see $art_out/build.log)"

unit_rc=skipped unit_s=0
if [ "$unit" = 1 ]; then
	t=$SECONDS
	unit_rc=0
	in_root ctest --test-dir /rfo/build -L unit --output-on-failure </dev/null >"$art_out/ctest-unit.log" 2>&1 ||
		unit_rc=$?
	unit_s=$((SECONDS - t))
	[ "$unit_rc" = 0 ] || status=1
	say "unit tests: $([ "$unit_rc" = 0 ] && echo passed || echo FAILED) in ${unit_s} s"
	grep -E '^[0-9]+% tests passed|\*\*\*|Failed' "$art_out/ctest-unit.log" >&2 || true
fi

t=$SECONDS
e2e_rc=0
rm -rf "$obs30_build/artifacts"
in_root ctest --test-dir /rfo/build -L e2e --output-on-failure "${ctest_args[@]}" </dev/null 2>&1 |
	tee "$art_out/ctest-e2e.log" || e2e_rc=$?
e2e_s=$((SECONDS - t))
grep -q 'tests passed, ' "$art_out/ctest-e2e.log" || [ "$e2e_rc" != 0 ] || e2e_rc=1
[ "$e2e_rc" = 0 ] || status=1

# artifacts: per-test OBS logs, screenshots and receiver logs of the OBS 30 run
if [ -d "$obs30_build/artifacts" ]; then
	cp -r "$obs30_build/artifacts/." "$art_out/"
fi
dock_png="$art_out/smoke/main-window.png"
if [ -s "$dock_png" ]; then
	cp "$dock_png" "$art_out/obs30-dock.png"
	say "screenshot of the dock in OBS 30: $art_out/obs30-dock.png"
elif [ "${#ctest_args[@]}" = 0 ]; then
	say "no screenshot of the dock (e2e.smoke did not leave $dock_png)"
	status=1
fi

cat >"$art_out/summary.txt" <<-EOF
	obs-studio $obs_version (Debian $suite), qt6-base-dev $qt_version
	root: ${root_s} s ($made); build: ${build_s} s; unit: ${unit_s} s ($unit_rc); e2e: ${e2e_s} s ($e2e_rc)
	total: $((SECONDS - start)) s
EOF
say "$(tr '\n' ';' <"$art_out/summary.txt")"
[ "$status" = 0 ] && say "OBS 30 run passed" || say "OBS 30 run FAILED"
exit "$status"
}
