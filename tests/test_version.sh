#!/usr/bin/env bash
# unit.version: one version. CMake's project(VERSION) is the only place it is set; the built module, the
# generated data/manifest.json, CHANGELOG.md's newest entry and (when CPack is configured) the package must
# all say the same. Usage: test_version.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
fail=0
bad() {
	echo "FAIL: $*"
	fail=1
}

version=$(sed -n '/^project(/,/)/p' "$src/CMakeLists.txt" | sed -n 's/^ *VERSION \([0-9][0-9.]*\).*/\1/p' | head -n 1)
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || {
	echo "FAIL: no project(VERSION x.y.z) in $src/CMakeLists.txt"
	exit 1
}
echo "project version: $version"

cached=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
[ "$cached" = "$version" ] || bad "the build dir was configured with version '$cached' (reconfigure $build)"

manifest="$build/data/manifest.json"
if [ -f "$manifest" ]; then
	[ "$(jq -r .version "$manifest")" = "$version" ] || bad "manifest.json version $(jq -r .version "$manifest")"
	[ "$(jq -r .display_name "$manifest")" = "Restream for OBS" ] || bad "manifest.json display_name $(jq -r .display_name "$manifest")"
	[ "$(jq -r .id "$manifest")" = restream-for-obs ] || bad "manifest.json id $(jq -r .id "$manifest")"
	jq -e '.urls.repository | startswith("https://")' "$manifest" >/dev/null || bad "manifest.json has no https repository URL"
else
	bad "$manifest was not generated"
fi

# the newest released entry of CHANGELOG.md: "## [x.y.z] - YYYY-MM-DD"
entry=$(grep -m 1 -E '^## \[[0-9]+\.[0-9]+\.[0-9]+\] - [0-9]{4}-[0-9]{2}-[0-9]{2}$' "$src/CHANGELOG.md" || true)
[ "$entry" = "${entry/\[$version\]/}" ] && bad "CHANGELOG.md's newest entry is '${entry:-none}', not [$version]"

# the module carries the version (the load line "loaded (version %s)" and GetStatus.pluginVersion read it)
so="$build/plugin/restream-for-obs.so"
if [ -f "$so" ]; then
	grep -aqx -- "$version" < <(tr -c '[:print:]' '\n' <"$so") || bad "$so does not contain the string $version"
else
	bad "$so not built"
fi

# the package (CPack, when the build configures it) takes PROJECT_VERSION
if [ -f "$build/CPackConfig.cmake" ]; then
	pv=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
	[ "$pv" = "$version" ] || bad "CPACK_PACKAGE_VERSION is '$pv'"
fi
[ "$fail" = 0 ] && echo "version $version: CMake, module, manifest.json, CHANGELOG.md$([ -f "$build/CPackConfig.cmake" ] && echo ', package') agree"
exit "$fail"
