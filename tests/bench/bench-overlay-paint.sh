#!/usr/bin/env bash
# bench-overlay-paint.sh [--quick] [--runs N]: the overlay painter's CPU per chat line (bench-overlay-paint.cpp), warm
# and with the caches cold as a lone message finds them. Informational (no budget): the overlay sources' budgets are
# judged in real OBS by bench-overlays.sh. Prints a table and "BENCH <key> <value> <unit>" lines for run-all.sh.
set -euo pipefail
: "${RFO_BUILD_DIR:?RFO_BUILD_DIR must name the CMake build directory}"
bin="$RFO_BUILD_DIR/tests/bench/bench-overlay-paint"
[ -x "$bin" ] || {
	echo "bench-overlay-paint.sh: $bin not built (cmake --build $RFO_BUILD_DIR --target bench-overlay-paint)" >&2
	exit 1
}
args=()
while (($#)); do
	case "$1" in
	--quick) args+=(--quick) ;;
	--runs)
		args+=(--rounds $((2 * $2 + 1)))
		shift
		;;
	*)
		echo "usage: bench-overlay-paint.sh [--quick] [--runs N]" >&2
		exit 2
		;;
	esac
	shift
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# XDG_RUNTIME_DIR: Qt wants one (and says so on stderr without it)
runtime=$(mktemp -d)
trap 'rm -rf "$runtime"' EXIT
XDG_RUNTIME_DIR=$runtime "$bin" "${args[@]}"
