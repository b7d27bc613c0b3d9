#!/usr/bin/env bash
# run-all.sh [--quick]: run every tests/bench/bench-*.sh and print one table of their results.
# Benchmarks are informational: the exit status says whether they ran, never whether numbers were good.
# Needs RFO_BUILD_DIR (default: build/ in the source tree).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export RFO_SOURCE_DIR=${RFO_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
export RFO_BUILD_DIR=${RFO_BUILD_DIR:-$RFO_SOURCE_DIR/build}
results=$(mktemp)
trap 'rm -f "$results"' EXIT
status=0
for b in "$here"/bench-*.sh; do
	name=$(basename "$b" .sh)
	echo "== $name $*"
	mkdir -p "$RFO_BUILD_DIR/artifacts"
	errlog="$RFO_BUILD_DIR/artifacts/$name.stderr"
	if bash "$b" "$@" 2>"$errlog" | tee -a "$results"; then :; else
		echo "run-all: $name did not complete; the end of its log ($errlog):"
		grep -v '^[0-9][0-9]:[0-9][0-9]:' "$errlog" | tail -n 15
		status=1
	fi
done
echo
echo "benchmark results ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ))"
printf '%-36s %12s\n' metric value
grep '^BENCH ' "$results" | while read -r _ key value unit; do
	printf '%-36s %9s %-2s\n' "$key" "$value" "$unit"
done
exit "$status"
