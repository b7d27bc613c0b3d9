#!/usr/bin/env bash
# bench-chat-pipeline.sh [--quick] [--runs N]: the chat pipeline without UI (parse → normalise → store) against
# jansson's bare json_loadb + json_decref on the same frames, in the same process, on one core:
#  1. frames per CPU-second (bench-chat-pipeline, the two loops alternating round by round);
#  2. unless --quick: instructions per frame under valgrind's callgrind (each loop collected on its own), which
#     the machine's load does not change.
# Prints a table and "BENCH <key> <value> <unit>" lines for run-all.sh.
set -euo pipefail
: "${RFO_BUILD_DIR:?RFO_BUILD_DIR must name the CMake build directory}"
bin="$RFO_BUILD_DIR/tests/bench/bench-chat-pipeline"
[ -x "$bin" ] || {
	echo "bench-chat-pipeline.sh: $bin not built (cmake --build $RFO_BUILD_DIR --target bench-chat-pipeline)" >&2
	exit 1
}
quick=0 args=()
while (($#)); do
	case "$1" in
	--quick) quick=1 args+=(--quick) ;;
	--runs)
		args+=(--rounds "$2")
		shift
		;;
	*)
		echo "usage: bench-chat-pipeline.sh [--quick] [--runs N]" >&2
		exit 2
		;;
	esac
	shift
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
taskset -c 0 "$bin" "${args[@]}" 2>/dev/null || "$bin" "${args[@]}"
echo "BENCH chat_pipeline_loadavg $(cut -d' ' -f1 /proc/loadavg) load"

((quick)) && exit 0
command -v valgrind >/dev/null || {
	echo "(valgrind not installed: no instruction counts)"
	exit 0
}
frames=2000
# instructions collected inside one loop function; the program runs 100 warm-up + 2 x frames per frame kind
irs() {
	local out
	out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect="$1" "$bin" --rounds 1 \
		--frames "$frames" 2>&1 >/dev/null) || return 1
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p' <<<"$out"
}
ir_j=$(irs jansson_loop) && ir_p=$(irs pipeline_loop) || {
	echo "callgrind failed" >&2
	exit 1
}
# each loop ran (100 + frames) times per frame kind, two frame kinds
n=$((2 * (100 + frames)))
printf 'instructions per frame (callgrind, twitch and superchat frames together): json_loadb %d, pipeline %d, ratio %s\n' \
	$((ir_j / n)) $((ir_p / n)) "$(awk -v a="$ir_j" -v b="$ir_p" 'BEGIN {printf "%.2f", b / a}')"
echo "BENCH chat_jansson_instr_per_frame $((ir_j / n)) instr"
echo "BENCH chat_pipeline_instr_per_frame $((ir_p / n)) instr"
echo "BENCH chat_pipeline_instr_pct_of_jansson_rate $(awk -v a="$ir_j" -v b="$ir_p" 'BEGIN {printf "%.1f", 100 * a / b}') %"
