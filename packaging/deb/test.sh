#!/usr/bin/env bash
# packaging/deb/test.sh SUITE [--prepare | --check] — the Debian package of SUITE (bookworm, trixie or sid), from
# build to purge, in three phases (no option: all three, one after the other):
#   --build    (the compile; .ci/run runs it where the tests' own build of that OBS runs, at that priority)
#     1. build  restream-for-obs_<v>_amd64.deb (+ -dbgsym .ddeb) with CPack on the distribution itself: bookworm
#               on the host, trixie and sid in their cached build roots (tests/roots/run.sh --root ROOT --exec:
#               the root is only read, so no lock is taken and the OBS parts of CI are never held up); the file
#               list and control fields are checked (nothing but the plugin, its data and docs; Enhances
#               obs-studio; Depends on the OBS it was built against)
#   --prepare  (long, little CPU; .ci/run runs it in the background at the lowest priority; builds first when
#               --build has not run)
#     2. lintian on the .deb and the .ddeb: 0 errors (bookworm: the host's lintian; trixie, sid: the build root's)
#     3. a CLEAN root on tmpfs: a fresh copy of the suite's debootstrap --variant=minbase tarball (tests/roots/run.sh
#               --clean-root); `apt-get install ./restream-for-obs_<v>_amd64.deb` there, dependencies from the
#               mirror (apt's archive cache shared per suite with the build root); then xvfb for the test only.
#               Every path of the .deb must be in the root. The root stays for the check.
#   --check    (short; the foreground part of .ci/run)
#     4. e2e    OBS runs chrooted in the prepared root (RFO_E2E_SYSTEM_ROOT), the emulator, nginx-rtmp and obsws on
#               the host: tests/e2e/test_smoke.sh and packaging/deb/e2e-installed.sh (module from /usr/lib/…,
#               version, one RTMP stream)
#     5. purge  `apt-get purge restream-for-obs`: dpkg forgets it and no path of the .deb is left in the root;
#               then the root is deleted
# Usage (as root): bash packaging/deb/test.sh SUITE [--prepare | --check]
# Environment: RFO_BUILD_DIR (default build: the host build whose obsws, obs-sigint and emulator the check uses;
# built by the check when missing), RFO_ROOTS_CACHE (tests/roots/run.sh's caches), RFO_DEB_ROOTS (parent of the
# clean roots; default a folder in /dev/shm when it is a tmpfs with 4 GiB free, else $RFO_BUILD_DIR/deb),
# RFO_DEB_KEEP=1 keeps the clean root after the check. Output: $RFO_BUILD_DIR/deb/SUITE/packages/, artifacts and
# summary.txt in $RFO_BUILD_DIR/artifacts/deb-SUITE/. Each phase prints its seconds; exits non-zero on any failure.
set -Eeuo pipefail
{
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
suite=${1:-}
phase=${2:-all}
usage() { sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; }
case "$suite" in bookworm | trixie | sid) ;; *)
	usage
	exit 2
	;;
esac
case "$phase" in all | --build | --prepare | --check) ;; *)
	usage
	exit 2
	;;
esac
if [ "$phase" = all ]; then
	bash "${BASH_SOURCE[0]}" "$suite" --build && bash "${BASH_SOURCE[0]}" "$suite" --prepare &&
		exec bash "${BASH_SOURCE[0]}" "$suite" --check
	exit 1
fi
build=${RFO_BUILD_DIR:-build}
case "$build" in /*) ;; *) build="$repo/$build" ;; esac
debs="$build/deb"              # tests/roots/run.sh's RFO_BUILD_DIR for the package builds: $debs/SUITE
pkgdir="$debs/$suite/packages" # what cpack wrote
art="$build/artifacts/deb-$suite"
state="$art/prepared.env" # what the prepare phase leaves for the check phase
built="$debs/$suite/built.env" # what the build phase leaves for the prepare phase (the .deb's version, seconds)
version=$(sed -n '/^project(/,/)/p' "$repo/CMakeLists.txt" | sed -n 's/^ *VERSION \([0-9][0-9.]*\).*/\1/p' | head -n 1)
deb="restream-for-obs_${version}_amd64.deb"
ddeb="restream-for-obs-dbgsym_${version}_amd64.ddeb"
roots=(bash "$repo/tests/roots/run.sh" "$suite")

say() { printf '[deb %s %(%H:%M:%S)T] %s\n' "$suite" -1 "$*" >&2; }
die() {
	say "FAIL: $*"
	exit 1
}
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, mount, chroot); CI runs as root"

# The clean roots live on tmpfs: dpkg's thousands of small writes and fsyncs cost nothing there. One folder per
# build dir, so that two checkouts never share a root. The check uses the root its prepare made (prepared.env).
if [ "$phase" = --check ]; then
	[ -s "$state" ] || die "not prepared: no $state (run: bash packaging/deb/test.sh $suite --prepare)"
	# shellcheck source=/dev/null
	source "$state"
	RFO_DEB_ROOT=$prep_root
fi
if [ -z "${RFO_DEB_ROOTS:-}" ]; then
	RFO_DEB_ROOTS="$debs"
	if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] &&
		(($(df -P -k /dev/shm | awk 'NR == 2 {print $4}') >= 4 * 1024 * 1024)); then
		RFO_DEB_ROOTS="/dev/shm/rfo-deb-$(printf '%s' "$build" | sha256sum | cut -c1-8)"
	fi
fi
root=${RFO_DEB_ROOT:-$RFO_DEB_ROOTS/$suite-clean-root}
export RFO_DEB_ROOT=$root # the same root after the re-exec below, however full /dev/shm is by then

# 1. build the package on its distribution (the --build phase; --prepare calls it when --build has not run)
build_package() {
	t=$SECONDS
	cmake_args=(-DRFO_WERROR=ON -DRFO_SYSTEM_INSTALL=ON -DRFO_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
		-DCMAKE_INSTALL_PREFIX=/usr)
	say "building the package (${cmake_args[*]})"
	if [ "$suite" = bookworm ]; then
		{
			cmake -S "$repo" -B "$debs/$suite" "${cmake_args[@]}" &&
				cmake --build "$debs/$suite" -j2 && rm -rf "$pkgdir" && (cd "$debs/$suite" && cpack -G DEB)
		} >"$art/build.log" 2>&1 || die "building the package failed (log: $art/build.log)"
	else
		# the cached build root (made by .ci/run's roots job, or here when it is missing); lintian is in it
		build_root=$("${roots[@]}" --paths | sed -n 's/^root: //p')
		if [ ! -f "$build_root/.rfo-stamp" ] || [ ! -x "$build_root/usr/bin/lintian" ]; then
			"${roots[@]}" --root-only >"$art/root.log" 2>&1 || die "no $suite build root (log: $art/root.log)"
		fi
		RFO_BUILD_DIR="$debs" "${roots[@]}" --root "$build_root" --exec "cmake -S /rfo/src -B build ${cmake_args[*]} &&
			cmake --build build -j2 && cd build && rm -rf packages && cpack -G DEB" \
			>"$art/build.log" 2>&1 || die "building the package in the $suite root failed (log: $art/build.log)"
	fi
	build_s=$((SECONDS - t))
	[ -s "$pkgdir/$deb" ] && [ -s "$pkgdir/$ddeb" ] || die "cpack made no $deb and $ddeb in $pkgdir"
	say "built $deb and $ddeb in ${build_s} s"

	# what is in it: the module, its data (locale, manifest.json) and the docs; nothing else
	dpkg-deb -c "$pkgdir/$deb" | awk '{print $NF}' | sed 's#^\./#/#; s#/$##' | grep -v '^$' | sort >"$art/files.txt"
	dpkg-deb -f "$pkgdir/$deb" >"$art/control.txt"
	grep -Ev '^/(usr|usr/lib|usr/lib/x86_64-linux-gnu|usr/lib/x86_64-linux-gnu/obs-plugins|usr/share|usr/share/doc|usr/share/obs|usr/share/obs/obs-plugins)$' \
		"$art/files.txt" >"$art/own-files.txt"
	unexpected=$(grep -Ev '^(/usr/lib/x86_64-linux-gnu/obs-plugins/restream-for-obs\.so|/usr/share/obs/obs-plugins/restream-for-obs(/locale(/[A-Za-z-]+\.ini)?|/manifest\.json)?|/usr/share/doc/restream-for-obs(/copyright|/changelog\.gz)?)$' \
		"$art/own-files.txt" || true)
	[ -z "$unexpected" ] || die "the package holds more than the plugin: $unexpected"
	for f in /usr/lib/x86_64-linux-gnu/obs-plugins/restream-for-obs.so /usr/share/obs/obs-plugins/restream-for-obs/locale/en-US.ini \
		/usr/share/doc/restream-for-obs/copyright /usr/share/doc/restream-for-obs/changelog.gz; do
		grep -qx "$f" "$art/files.txt" || die "the package lacks $f"
	done
	[ ! -f "$debs/$suite/data/manifest.json" ] || grep -qx /usr/share/obs/obs-plugins/restream-for-obs/manifest.json \
		"$art/files.txt" || die "the package lacks manifest.json"
	field() { sed -n "s/^$1: //p" "$art/control.txt"; }
	[ "$(field Package)" = restream-for-obs ] || die "Package: $(field Package)"
	[ "$(field Version)" = "$version" ] || die "Version: $(field Version), expected $version (project version)"
	[ "$(field Enhances)" = obs-studio ] || die "Enhances: $(field Enhances)"
	depends=$(field Depends)
	[[ "$depends" =~ (^|, )obs-studio\ \(\>=\ [0-9]+\.[0-9]+\.[0-9]+\) ]] || die "Depends has no obs-studio (>= x.y.z): $depends"
	[[ "$depends" == *libobs0* ]] || die "Depends has no libobs0 (dpkg-shlibdeps did not run?): $depends"
	[[ "$depends" != *-dev* ]] || die "Depends names development packages: $depends"

	grep -v '^$' "$art/files.txt" >"$debs/$suite/files.txt"
	printf 'built_version=%s\nbuilt_s=%s\n' "$version" "$build_s" >"$built"
}

if [ "$phase" = --build ]; then
	rm -rf "$art" "$built"
	mkdir -p "$art" "$debs"
	build_package
	exit 0
fi

# ---------------------------------------------------------------- prepare, outside the mount namespace
if [ "$phase" = --prepare ] && [ "${RFO_DEB_IN_NS:-}" != 1 ]; then
	start=$(date +%s)
	rm -f "$state" "$art/summary.txt" # the build phase's files stay
	mkdir -p "$art" "$debs" "$RFO_DEB_ROOTS"

	# 3 (started first). The clean root, unpacked while lintian runs (and the package builds, when --build has not
	# run): where the suite's base tarball is not cached yet (bookworm on a fresh machine) its debootstrap, mostly
	# network and disk, overlaps them.
	[ ! -e "$root" ] || rm -rf --one-file-system "$root" # a root an interrupted run left
	t_clean=$SECONDS
	{
		"${roots[@]}" --clean-root "$root"
		echo "status $? after $((SECONDS - t_clean)) s"
	} >"$art/clean-root.log" 2>&1 </dev/null &
	clean_pid=$!
	# a failure before the hand-over below: the half-made root goes (after its unpack or debootstrap ends)
	trap 'wait "$clean_pid" 2>/dev/null; rm -rf --one-file-system "$root"' EXIT

	if [ ! -s "$built" ] || ! grep -qx "built_version=$version" "$built"; then
		build_package
	fi
	# shellcheck source=/dev/null
	source "$built"
	build_s=$built_s
	cp "$debs/$suite/files.txt" "$art/files.txt"
	[ "$suite" = bookworm ] || build_root=$("${roots[@]}" --paths | sed -n 's/^root: //p')

	# 2. lintian: the host's for bookworm, the build root's (the suite's own lintian) for trixie and sid
	t=$SECONDS
	if [ "$suite" = bookworm ]; then
		lintian_v=$(lintian --version)
		lintian_rc=0
		lintian --allow-root -I "$pkgdir/$deb" "$pkgdir/$ddeb" >"$art/lintian.txt" 2>&1 || lintian_rc=$?
	else
		RFO_BUILD_DIR="$debs" "${roots[@]}" --root "$build_root" \
			--exec "lintian --version >build/lintian.txt; lintian --allow-root -I build/packages/$deb build/packages/$ddeb \
				>>build/lintian.txt 2>&1; echo \$? >build/lintian.rc" \
			>"$art/lintian-run.log" 2>&1 || die "lintian in the $suite root did not run (log: $art/lintian-run.log)"
		mv "$debs/$suite/lintian.txt" "$art/lintian.txt"
		lintian_rc=$(cat "$debs/$suite/lintian.rc")
		lintian_v=$(head -n 1 "$art/lintian.txt")
		sed -i 1d "$art/lintian.txt"
	fi
	# lintian's status: 0 clean, 1 tags at or above its fail level (errors), anything else: it did not run
	((lintian_rc <= 1)) || die "lintian failed to run (status $lintian_rc): $(tail -n 3 "$art/lintian.txt")"
	errors=$(grep -c '^E: ' "$art/lintian.txt" || true)
	warnings=$(grep -c '^W: ' "$art/lintian.txt" || true)
	grep -E '^[EW]: ' "$art/lintian.txt" >&2 || true
	say "lintian ($lintian_v): $errors errors, $warnings warnings ($((SECONDS - t)) s)"
	[ "$errors" = 0 ] || die "lintian reports $errors errors ($art/lintian.txt)"

	# 3. the fresh root from the suite's minbase tarball (the tarball is cached, the root is not)
	t=$SECONDS
	wait "$clean_pid" || true
	grep -q '^status 0 ' "$art/clean-root.log" || die "no clean root (log: $art/clean-root.log)"
	archives=$("${roots[@]}" --paths | sed -n 's/^apt-archives: //p')
	say "clean root $root made $(sed -n 's/^status 0 //p' "$art/clean-root.log") (begun with the prepare; waited $((SECONDS - t)) s for it)"
	export RFO_DEB_IN_NS=1 RFO_DEB_START=$start RFO_DEB_BUILD_S=$build_s RFO_DEB_ARCHIVES=$archives
	export RFO_DEB_LINTIAN="$errors errors, $warnings warnings ($lintian_v)"
	trap - EXIT
	exec unshare --mount --propagation private -- bash "${BASH_SOURCE[0]}" "$suite" --prepare
fi

# ---------------------------------------------------------------- both phases: in a private mount namespace
if [ "$phase" = --check ] && [ "${RFO_DEB_IN_NS:-}" != 1 ]; then
	[ -x "$root/usr/bin/obs" ] || die "the prepared root $root has no OBS"
	# the host build: the e2e tests' obsws, obs-sigint and emulator (CI has built it already: nothing to do)
	if [ ! -f "$build/CMakeCache.txt" ]; then
		cmake -S "$repo" -B "$build" -DRFO_WERROR=ON >"$art/host-build.log" 2>&1 || die "configuring $build failed"
	fi
	cmake --build "$build" -j2 --target obsws obs-sigint restream-emulator >>"$art/host-build.log" 2>&1 ||
		die "building the e2e tools in $build failed (log: $art/host-build.log)"
	export RFO_DEB_IN_NS=1 RFO_DEB_START=$(date +%s)
	exec unshare --mount --propagation private -- bash "${BASH_SOURCE[0]}" "$suite" --check
fi

start=$RFO_DEB_START # seconds since the epoch: the phase began before the re-exec
mounts=()
mnt() { # mnt TARGET MOUNT-ARGS...
	local target=$1
	shift
	mkdir -p "$target"
	mount "$@" "$target"
	mounts+=("$target")
}
unmount_all() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" 2>/dev/null || say "could not unmount ${mounts[i]}"
	done
	mounts=()
}
keep_root=0 # the prepare phase keeps the root when it succeeds
on_exit() {
	local rc=$?
	trap - ERR
	set +e
	unmount_all
	if [ "$rc" = 0 ] && [ "$keep_root" = 1 ]; then
		:
	elif [ "${RFO_DEB_KEEP:-0}" = 1 ]; then
		say "kept the clean root $root"
	else
		rm -rf --one-file-system "$root"
	fi
	[ "$rc" = 0 ] || say "${phase#--} FAILED (status $rc) after $(($(date +%s) - start)) s; artifacts in $art"
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'say "command failed (status $?) at line $LINENO: $BASH_COMMAND"' ERR

in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive "$@"
}
apt_opts=(-y -q -o Dpkg::Use-Pty=0 -o Dpkg::Options::=--force-unsafe-io)

mnt "$root/proc" --bind /proc
mnt "$root/sys" --bind /sys
mnt "$root/dev" --bind /dev
mnt "$root/dev/pts" --bind /dev/pts
mnt "$root/dev/shm" --bind /dev/shm
mnt "$root/tmp" --bind /tmp

if [ "$phase" = --prepare ]; then
	mnt "$root/var/cache/apt/archives" --bind "$RFO_DEB_ARCHIVES"
	mnt "$root/rfo/deb" --bind "$pkgdir"
	mount -o remount,bind,ro "$root/rfo/deb"

	# Like a minbase image: no manuals, info pages, docs or message catalogues (no man-db trigger, fewer files for
	# dpkg), except the package's own docs, so that every path of our .deb is installed and the purge check sees it.
	mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
	cat >"$root/etc/dpkg/dpkg.cfg.d/90rfo-minimal" <<-EOF
		path-exclude=/usr/share/man/*
		path-exclude=/usr/share/info/*
		path-exclude=/usr/share/locale/*
		path-exclude=/usr/share/doc/*
		path-include=/usr/share/doc/restream-for-obs/*
	EOF

	# ------------------------------------------------------------ 3. apt-get install ./the.deb
	t=$SECONDS
	before=$(in_root dpkg-query -W -f '${Package}\n' | wc -l)
	{
		in_root apt-get update -q -o Acquire::Languages=none &&
			in_root sh -c "cd /rfo/deb && apt-get install ${apt_opts[*]} ./$deb"
	} </dev/null >"$art/apt-install.log" 2>&1 || {
		tail -n 20 "$art/apt-install.log" >&2
		die "apt-get install ./$deb failed in the clean root (log: $art/apt-install.log)"
	}
	install_s=$((SECONDS - t))
	pulled=$(($(in_root dpkg-query -W -f '${Package}\n' | wc -l) - before))
	[ "$(in_root dpkg-query -W -f '${Version}' restream-for-obs)" = "$version" ] || die "restream-for-obs $version is not installed"
	obs_version=$(in_root dpkg-query -W -f '${Version}' obs-studio)
	say "apt-get install ./$deb: $pulled packages (obs-studio $obs_version) in ${install_s} s"
	in_root dpkg -L restream-for-obs >"$art/dpkg-L.txt"
	# every path of the .deb is in the root (none hidden by the excludes above): the purge check is about all of them
	while read -r p; do
		[ -e "$root$p" ] || die "$p of the .deb is not in the root after the install"
	done <"$art/files.txt"

	# what the test needs besides (not the plugin's dependencies): an X server; a machine id for D-Bus and OBS
	t=$SECONDS
	in_root apt-get install "${apt_opts[@]}" xvfb xauth libgl1-mesa-dri </dev/null >"$art/apt-test-tools.log" 2>&1 ||
		die "installing xvfb in the clean root failed (log: $art/apt-test-tools.log)"
	[ -s "$root/etc/machine-id" ] || od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$root/etc/machine-id"
	say "test tools (xvfb) in $((SECONDS - t)) s"

	prepare_s=$(($(date +%s) - RFO_DEB_START))
	{
		printf 'prep_root=%q\n' "$root"
		printf 'prep_obs_version=%q\nprep_pulled=%q\nprep_install_s=%q\n' "$obs_version" "$pulled" "$install_s"
		printf 'prep_build_s=%q\nprep_lintian=%q\nprep_s=%q\n' "$RFO_DEB_BUILD_S" "$RFO_DEB_LINTIAN" "$prepare_s"
	} >"$state"
	keep_root=1
	say "prepare: ${prepare_s} s (build ${RFO_DEB_BUILD_S} s; lintian: $RFO_DEB_LINTIAN; install ${install_s} s); root kept for the check: $root"
	exit 0
fi

# ---------------------------------------------------------------- check: 4. OBS in the root, the rest on the host
# the e2e tests' HOME and artifacts live in the host build dir: OBS in the root sees them at the same path
mnt "$root$build" --bind "$build"
t=$SECONDS
e2e_rc=0
e2e_run() { # NAME SCRIPT ARGS...
	local name=$1
	shift
	if RFO_E2E_SYSTEM_ROOT="$root" RFO_BUILD_DIR="$build" RFO_SOURCE_DIR="$repo" RFO_TEST_NAME="deb-$suite-$name" \
		timeout 300 bash "$@" </dev/null >"$art/e2e-$name.log" 2>&1; then
		say "e2e $name: passed"
	else
		e2e_rc=1
		tail -n 30 "$art/e2e-$name.log" >&2
		say "e2e $name: FAILED (log: $art/e2e-$name.log, artifacts: $build/artifacts/deb-$suite-$name)"
	fi
}
e2e_run smoke "$repo/tests/e2e/test_smoke.sh"
e2e_run golive "$here/e2e-installed.sh" "$version"
e2e_s=$((SECONDS - t))

# ---------------------------------------------------------------- 5. apt-get purge: nothing of the package is left
t=$SECONDS
in_root apt-get purge "${apt_opts[@]}" restream-for-obs </dev/null >"$art/apt-purge.log" 2>&1 ||
	die "apt-get purge restream-for-obs failed (log: $art/apt-purge.log)"
dpkg_state=$(in_root dpkg-query -W -f '${db:Status-Status}' restream-for-obs 2>/dev/null || echo not-installed)
[ "$dpkg_state" = not-installed ] || die "after the purge dpkg says restream-for-obs is '$dpkg_state'"
left=()
while read -r p; do
	[ -e "$root$p" ] || [ -L "$root$p" ] || continue
	# a directory shared with other packages (e.g. /usr/lib/<arch>/obs-plugins, obs-studio's) stays
	[ -d "$root$p" ] && [ ! -L "$root$p" ] && in_root dpkg-query -S "$p" >/dev/null 2>&1 && continue
	left+=("$p")
done <"$art/files.txt"
((${#left[@]} == 0)) || die "apt-get purge left ${left[*]}"
unmount_all
stray=$(find "$root" -xdev -name '*restream-for-obs*' 2>/dev/null | sed "s#^$root##" | head -n 5)
[ -z "$stray" ] || die "after the purge the root still has: $stray"
purge_s=$((SECONDS - t))
say "purged: none of the $(wc -l <"$art/files.txt") paths of the .deb is left (${purge_s} s)"
check_s=$(($(date +%s) - start))
[ "$e2e_rc" = 0 ] && result=passed || result=FAILED

cat >"$art/summary.txt" <<-EOF
	$suite: $result (obs-studio $prep_obs_version); prepare ${prep_s} s (background), check ${check_s} s
	$deb: build ${prep_build_s} s; lintian: $prep_lintian; clean root: apt-get install ./$deb pulled $prep_pulled packages in ${prep_install_s} s; e2e smoke + go-live: $result in ${e2e_s} s; purge: clean in ${purge_s} s
EOF
say "check: ${check_s} s; $(tr '\n' ';' <"$art/summary.txt")"
exit "$e2e_rc"
}
