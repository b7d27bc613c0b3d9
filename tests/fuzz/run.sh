#!/usr/bin/env bash
# run.sh [SECONDS] [NAME...]: build the libFuzzer targets with clang in their own build dir and fuzz each one for a
# bounded time (default 20 s; or $RFO_FUZZ_SECONDS), starting from its committed corpus. Prints the executions per
# target. A crash, sanitizer report, leak or broken invariant fails the run; the input is kept in
# $RFO_FUZZ_BUILD_DIR/fuzz-artifacts/<name>/ — add it to tests/fuzz/corpus/<name>/ once fixed, so that ctest
# fuzz.regressions replays it forever.
# run.sh --build-only: build the targets, fuzz nothing.
# Environment: RFO_FUZZ_BUILD_DIR (default build-fuzz), RFO_FUZZ_SECONDS, RFO_FUZZ_JOBS (build jobs, default 2).
set -uo pipefail
cd "$(dirname "$0")/../.."
build_only=0
[ "${1:-}" = --build-only ] && { build_only=1; shift; }
secs=${1:-${RFO_FUZZ_SECONDS:-20}}
[ $# -gt 0 ] && shift
build=${RFO_FUZZ_BUILD_DIR:-build-fuzz}
names=("$@")
if ((${#names[@]} == 0)); then
	names=(oauth_tokens oauth_redirect token_record rest chat stats config ws_msg url summary)
fi

command -v clang >/dev/null || { echo "fuzz: clang is not installed"; exit 1; }
mkdir -p "$build"
t0=$SECONDS
# warnings are the normal build's gate (gcc, RFO_WERROR=ON); clang has its own opinions about others' code
CC=clang CXX=clang++ cmake -S . -B "$build" -DRFO_FUZZ=ON -DRFO_WERROR=OFF >"$build/configure.log" 2>&1 ||
	{ tail -n 20 "$build/configure.log"; echo "fuzz: configure failed"; exit 1; }
targets=()
for n in "${names[@]}"; do targets+=("fuzz_$n"); done
cmake --build "$build" -j"${RFO_FUZZ_JOBS:-2}" --target "${targets[@]}" >"$build/fuzz-build.log" 2>&1 ||
	{ grep -E 'error' -A3 "$build/fuzz-build.log" | head -n 40; echo "fuzz: build failed"; exit 1; }
[ "$build_only" = 1 ] && { echo "fuzz: built ${#targets[@]} targets in $((SECONDS - t0)) s"; exit 0; }
echo "fuzz: built ${#targets[@]} targets in $((SECONDS - t0)) s; fuzzing each for ${secs} s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TMPDIR=${TMPDIR:-/tmp}
rc=0 total=0
summary=()
for n in "${names[@]}"; do
	bin="$build/tests/fuzz/fuzz_$n"
	work="$build/fuzz-corpus/$n"  # the growing corpus (seeds + what libFuzzer found), never committed
	art="$build/fuzz-artifacts/$n/"
	mkdir -p "$work" "$art"
	cp -n tests/fuzz/corpus/"$n"/* "$work/" 2>/dev/null
	log="$build/fuzz-$n.log"
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
		-artifact_prefix="$art" "$work" >"$log" 2>&1
	status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1)
	files=$(find "$work" -type f | wc -l)
	total=$((total + ${execs:-0}))
	if [ "$status" = 0 ]; then
		line="fuzz: $n: ${execs:-?} executions in ${secs} s, ${cov:-cov: ?}, corpus $files inputs: ok"
	else
		rc=1
		line="fuzz: $n: FAILED (status $status) after ${execs:-?} executions; input in $art"
		grep -E 'ERROR|runtime error|invariant|leak|SUMMARY' "$log" | head -n 10
		ls -1 "$art" | head -n 3
	fi
	echo "$line"
	summary+=("$line")
done
echo "fuzz: ${#names[@]} targets, $total executions, $((SECONDS - t0)) s in all"
exit "$rc"
