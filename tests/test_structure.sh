#!/usr/bin/env bash
# tests/test_structure.sh SOURCE_DIR BUILD_DIR — the code's shape, checked on every run (ctest unit.structure):
#  - no source file in plugin/ over 600 lines;
#  - no feature state shared across files: plugin/obs and plugin/ui declare no `extern` variables
#    (a feature's one `extern const struct rfo_feature` descriptor is not state);
#  - the layering: core includes only core headers, net only core and net ones, obs no Qt/curl/lws headers,
#    ui no curl/lws/jansson headers;
#  - broker/ (the token broker service): no file over 600 lines, and self-contained (no header from plugin/ or libobs);
#  - rfo-obs's link line has no Qt (the link command CMake generated for test_obs_link, which links
#    rfo-obs, names no Qt library).
set -uo pipefail
src=${1:?source dir}
build=${2:?build dir}
fails=0
fail() {
	echo "structure: $*"
	fails=$((fails + 1))
}

cd "$src/plugin" || exit 1

while read -r n f; do
	[ "$f" = total ] && continue
	((n > 600)) && fail "$f has $n lines (at most 600: split it by concern)"
done < <(find . -name '*.c' -o -name '*.h' -o -name '*.cpp' -o -name '*.hpp' | sort | xargs wc -l)

while IFS= read -r hit; do
	fail "shared state: $hit"
done < <(grep -rnE '^extern[[:space:]]' obs ui --include='*.h' --include='*.c' --include='*.hpp' --include='*.cpp' |
	grep -vE 'extern "C"|extern const struct rfo_feature ')

# layer_includes DIR ALLOWED_DIRS...: every #include "x.h" of DIR names a header found in one of ALLOWED_DIRS
layer_includes() {
	local dir=$1
	shift
	local f inc found d
	while IFS=: read -r f inc; do
		inc=${inc#*\"}
		inc=${inc%%\"*}
		found=0
		for d in "$@"; do
			[ -n "$(find "$d" -name "$(basename "$inc")" -print -quit)" ] && found=1 && break
		done
		((found)) || fail "$f includes \"$inc\", which is not in ${*}"
	done < <(grep -rHo '^#include "[^"]*"' "$dir")
}
layer_includes core core
layer_includes net core net

while IFS= read -r hit; do
	fail "obs/ uses a header it must not: $hit"
done < <(grep -rnE '^#include <(Q[A-Za-z]*|curl/|libwebsockets)' obs)
while IFS= read -r hit; do
	fail "ui/ uses a header it must not: $hit"
done < <(grep -rnE '^#include <(curl/|libwebsockets|jansson)' ui)

link="$build/tests/CMakeFiles/test_obs_link.dir/link.txt"
if [ ! -f "$link" ]; then
	fail "no link command for test_obs_link (it links rfo-obs; build it first)"
elif grep -qiE 'libQt|Qt[56]::' "$link"; then
	fail "rfo-obs's link line has Qt: $(grep -oiE '[^ ]*libQt[^ ]*' "$link" | head -n 3 | tr '\n' ' ')"
fi

if [ -d "$src/broker" ]; then
	while read -r n f; do
		[ "$f" = total ] && continue
		((n > 600)) && fail "broker/$f has $n lines (at most 600: split it by concern)"
	done < <(cd "$src/broker" && find . -name '*.c' -o -name '*.h' | sort | xargs wc -l)
	while IFS= read -r hit; do
		fail "broker/ must not use plugin or libobs headers: $hit"
	done < <(grep -rnE '^#include ([<"](util|obs|graphics|callback|media-io)/|[<"]obs[-a-z]*\.h|"rfo-[a-z-]*\.h")' \
		"$src/broker" | grep -v -e '"rfo-broker-' -e '"rfo-check.h"')
fi

if ((fails)); then
	echo "structure: $fails problem(s)"
	exit 1
fi
echo "structure: every file under 600 lines, no shared feature state, layers clean, rfo-obs links without Qt, broker self-contained"
