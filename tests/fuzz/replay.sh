#!/usr/bin/env bash
# replay.sh BINDIR CORPUS_ROOT NAME...: run each fuzz target's replay binary (BINDIR/fuzz_NAME_replay) over its
# committed corpus (CORPUS_ROOT/NAME: seeds and every input that once crashed) once, without fuzzing. ctest
# fuzz.regressions. Fails on the first target that crashes, trips a sanitizer or breaks an invariant.
set -uo pipefail
bindir=$1 root=$2
shift 2
rc=0
for name in "$@"; do
	bin="$bindir/fuzz_${name}_replay"
	[ -x "$bin" ] || { echo "replay: $bin is not built"; rc=1; continue; }
	[ -d "$root/$name" ] || { echo "replay: no corpus $root/$name"; rc=1; continue; }
	n=$(find "$root/$name" -type f | wc -l)
	((n > 0)) || { echo "replay: corpus $root/$name is empty"; rc=1; continue; }
	if out=$("$bin" "$root/$name" 2>&1); then
		echo "fuzz.regressions: $name: $(tail -n 1 <<<"$out")"
	else
		echo "fuzz.regressions: $name FAILED (status $?):"
		tail -n 40 <<<"$out"
		rc=1
	fi
done
exit "$rc"
