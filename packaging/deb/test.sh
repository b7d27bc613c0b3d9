#!/usr/bin/env bash
# packaging/deb/test.sh SUITE — the Debian package of SUITE (bookworm, trixie or sid), from build to purge:
#   1. build   restream-for-obs_<v>_amd64.deb (+ -dbgsym .ddeb) with CPack on the distribution itself: bookworm on
#              the host, trixie and sid in their build roots (tests/roots/run.sh --build-only --exec 'cpack ...');
#              the file list and control fields are checked (nothing but the plugin, its data and docs; Enhances
#              obs-studio; Depends on the OBS it was built against)
#   2. lintian on the .deb and the .ddeb: 0 errors (bookworm: the host's lintian; trixie, sid: the build root's)
#   3. a CLEAN root: a fresh copy of the suite's debootstrap --variant=minbase tarball (tests/roots/run.sh
#              --clean-root); `apt-get install ./restream-for-obs_<v>_amd64.deb` there, dependencies from the
#              mirror (apt's archive cache shared per suite with the build root); then xvfb for the test only
#   4. e2e     OBS runs chrooted in that root (RFO_E2E_SYSTEM_ROOT), the emulator, nginx-rtmp and obsws on the
#              host: tests/e2e/test_smoke.sh and packaging/deb/e2e-installed.sh (module from /usr/lib/…, version,
#              one RTMP stream)
#   5. purge   `apt-get purge restream-for-obs`: dpkg forgets it and no path of the .deb is left in the root
# Usage (as root): bash packaging/deb/test.sh SUITE
# Environment: RFO_BUILD_DIR (default build: the host build whose obsws, obs-sigint and emulator the e2e tests
# use; built here when missing), RFO_DEB_KEEP=1 keeps the clean root. Output: $RFO_BUILD_DIR/deb/SUITE/packages/,
# artifacts and summary.txt in $RFO_BUILD_DIR/artifacts/deb-SUITE/. Exits non-zero when any step fails.
set -Eeuo pipefail
{
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
suite=${1:-}
case "$suite" in bookworm | trixie | sid) ;; *)
	sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
build=${RFO_BUILD_DIR:-build}
case "$build" in /*) ;; *) build="$repo/$build" ;; esac
debs="$build/deb"               # tests/roots/run.sh's RFO_BUILD_DIR for the package builds: $debs/SUITE
pkgdir="$debs/$suite/packages"  # what cpack wrote
root="$debs/$suite-clean-root"  # the clean root (made fresh by every run)
art="$build/artifacts/deb-$suite"
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

# ---------------------------------------------------------------- the second half runs in a private mount namespace
if [ "${RFO_DEB_IN_NS:-}" != 1 ]; then
	start=$(date +%s)
	rm -rf "$art"
	mkdir -p "$art" "$debs"

	# the host build: the e2e tests' obsws, obs-sigint and emulator (CI has built it already: nothing to do)
	if [ ! -f "$build/CMakeCache.txt" ]; then
		cmake -S "$repo" -B "$build" -DRFO_WERROR=ON >"$art/host-build.log" 2>&1 || die "configuring $build failed"
	fi
	cmake --build "$build" -j2 --target obsws obs-sigint restream-emulator >>"$art/host-build.log" 2>&1 ||
		die "building the e2e tools in $build failed (log: $art/host-build.log)"

	# 1. build the package on its distribution
	t=$SECONDS
	cmake_args=(-DRFO_SYSTEM_INSTALL=ON -DRFO_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr)
	say "building the package (${cmake_args[*]})"
	if [ "$suite" = bookworm ]; then
		{
			cmake -S "$repo" -B "$debs/$suite" -DRFO_WERROR=ON "${cmake_args[@]}" &&
				cmake --build "$debs/$suite" -j2 && rm -rf "$pkgdir" && (cd "$debs/$suite" && cpack -G DEB)
		} >"$art/build.log" 2>&1 || die "building the package failed (log: $art/build.log)"
	else
		args=()
		for a in "${cmake_args[@]}"; do args+=(--cmake-args "$a"); done
		RFO_BUILD_DIR="$debs" "${roots[@]}" --build-only "${args[@]}" --exec 'cd build && rm -rf packages && cpack -G DEB' \
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

	# 2. lintian: the host's for bookworm, the build root's (the suite's own lintian) for trixie and sid
	t=$SECONDS
	if [ "$suite" = bookworm ]; then
		lintian_v=$(lintian --version)
		lintian_rc=0
		lintian --allow-root -I "$pkgdir/$deb" "$pkgdir/$ddeb" >"$art/lintian.txt" 2>&1 || lintian_rc=$?
	else
		RFO_BUILD_DIR="$debs" "${roots[@]}" --root "$("${roots[@]}" --paths | sed -n 's/^root: //p')" \
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
	grep -q '^[A-Z]: .*\(bad-\|malformed\|syntax\|unknown\)' "$art/lintian.txt" && say "(see $art/lintian.txt)"
	[ "$errors" = 0 ] || die "lintian reports $errors errors ($art/lintian.txt)"

	# 3. a fresh root from the suite's minbase tarball (the tarball is cached, the root is not)
	t=$SECONDS
	"${roots[@]}" --clean-root "$root" >"$art/clean-root.log" 2>&1 || die "no clean root (log: $art/clean-root.log)"
	archives=$("${roots[@]}" --paths | sed -n 's/^apt-archives: //p')
	say "clean root $root in $((SECONDS - t)) s"
	export RFO_DEB_IN_NS=1 RFO_DEB_START=$start RFO_DEB_BUILD_S=$build_s RFO_DEB_LINTIAN="$errors errors, $warnings warnings ($lintian_v)"
	export RFO_DEB_ARCHIVES=$archives
	exec unshare --mount --propagation private -- bash "${BASH_SOURCE[0]}" "$suite"
fi

start=$RFO_DEB_START # seconds since the epoch: the run began before the re-exec
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
on_exit() {
	local rc=$?
	trap - ERR
	set +e
	unmount_all
	if [ "${RFO_DEB_KEEP:-0}" = 1 ]; then
		say "kept the clean root $root"
	else
		rm -rf --one-file-system "$root"
	fi
	[ "$rc" = 0 ] || say "FAILED (status $rc) after $(($(date +%s) - start)) s; artifacts in $art"
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
mnt "$root/var/cache/apt/archives" --bind "$RFO_DEB_ARCHIVES"
mnt "$root/rfo/deb" --bind "$pkgdir"
mount -o remount,bind,ro "$root/rfo/deb"
# the e2e tests' HOME and artifacts live in the host build dir: OBS in the root sees them at the same path
mnt "$root$build" --bind "$build"

# ---------------------------------------------------------------- 3. apt-get install ./the.deb
t=$SECONDS
before=$(in_root dpkg-query -W -f '${Package}\n' | wc -l)
{
	in_root apt-get update -q &&
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

# what the test needs besides (not the plugin's dependencies): an X server; a machine id for D-Bus and OBS
t=$SECONDS
in_root apt-get install "${apt_opts[@]}" xvfb xauth libgl1-mesa-dri </dev/null >"$art/apt-test-tools.log" 2>&1 ||
	die "installing xvfb in the clean root failed (log: $art/apt-test-tools.log)"
[ -s "$root/etc/machine-id" ] || od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$root/etc/machine-id"
say "test tools (xvfb) in $((SECONDS - t)) s"

# ---------------------------------------------------------------- 4. OBS in the root, the rest on the host
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
state=$(in_root dpkg-query -W -f '${db:Status-Status}' restream-for-obs 2>/dev/null || echo not-installed)
[ "$state" = not-installed ] || die "after the purge dpkg says restream-for-obs is '$state'"
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
say "purged: none of the $(wc -l <"$art/files.txt") paths of the .deb is left ($((SECONDS - t)) s)"

cat >"$art/summary.txt" <<-EOF
	$deb for $suite (obs-studio $obs_version): build ${RFO_DEB_BUILD_S} s; lintian: $RFO_DEB_LINTIAN
	clean root: apt-get install ./$deb pulled $pulled packages in ${install_s} s; e2e smoke + go-live: $([ "$e2e_rc" = 0 ] && echo passed || echo FAILED) in ${e2e_s} s; purge: clean
	total: $(($(date +%s) - start)) s
EOF
say "$(tr '\n' ';' <"$art/summary.txt")"
exit "$e2e_rc"
}
