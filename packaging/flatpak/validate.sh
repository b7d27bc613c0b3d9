#!/usr/bin/env bash
# packaging/flatpak/validate.sh — checks of the Flatpak extension that run without the Flatpak runtimes (which
# cannot be downloaded here, so the extension itself is not built in CI): `appstreamcli validate` on the
# metainfo (a component of type addon extending com.obsproject.Studio), its newest release is the project's
# version, and the manifest's id, Sdk, prefix and libdir are the ones Flathub's OBS expects. .ci/run calls it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
id=com.obsproject.Studio.Plugin.RestreamForOBS
meta="$here/$id.metainfo.xml" manifest="$here/$id.json"
fail() {
	echo "flatpak: FAIL: $*" >&2
	exit 1
}
command -v appstreamcli >/dev/null || fail "appstreamcli is missing (apt-get install appstream)"
appstreamcli validate --no-net "$meta" || fail "appstreamcli validate $meta"

version=$(sed -n '/^project(/,/)/p' "$repo/CMakeLists.txt" | sed -n 's/^ *VERSION \([0-9][0-9.]*\).*/\1/p' | head -n 1)
grep -q '<component type="addon">' "$meta" || fail "the metainfo is not a component of type addon"
grep -q "<id>$id</id>" "$meta" || fail "the metainfo's id is not $id"
grep -q '<extends>com.obsproject.Studio</extends>' "$meta" || fail "the metainfo does not extend com.obsproject.Studio"
newest=$(grep -m 1 -o '<release version="[^"]*"' "$meta" | cut -d'"' -f2)
[ "$newest" = "$version" ] || fail "the metainfo's newest release is $newest, the project's version $version"

jq -e --arg id "$id" '.id == $id and .runtime == "com.obsproject.Studio" and .sdk == "org.freedesktop.Sdk//25.08"
	and ."build-extension" == true and ."build-options".prefix == "/app/plugins/RestreamForOBS"' "$manifest" >/dev/null ||
	fail "$manifest: id, runtime, sdk, build-extension or prefix is not what Flathub's OBS expects"
jq -e '.modules[] | select(.name == "restream-for-obs") | ."config-opts" | index("-DCMAKE_INSTALL_LIBDIR=lib")
	and index("-DRFO_SYSTEM_INSTALL=ON")' "$manifest" >/dev/null || fail "$manifest: the plugin module lacks CMAKE_INSTALL_LIBDIR=lib or RFO_SYSTEM_INSTALL=ON"
echo "flatpak: metainfo valid (appstreamcli $(appstreamcli --version | sed 's/.* //')), release $version; manifest $id (Sdk 25.08, /app/plugins/RestreamForOBS); the extension itself is not built here"
