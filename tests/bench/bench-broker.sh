#!/usr/bin/env bash
# bench-broker.sh [--quick] [--runs N] [--requests N]: restream-token-broker's throughput, latency and memory.
# The broker as deployed (access log on, into a file), against broker-fake-upstream (answers every POST at once,
# keep-alive), with broker-load: 64 keep-alive connections, each POSTing a refresh (grant_type=refresh_token) and
# sending the next as soon as the reply is in, until 1,000,000 replies (--quick too: it takes about 2 minutes
# here; --requests N changes it). The rate limit is off: every client is 127.0.0.1 here.
# VmRSS of the broker is sampled every second: the maximum, and the growth from 10 % of the run to its end.
# Prints "BENCH <key> <value> <unit>" lines for run-all.sh.
set -euo pipefail
: "${RFO_BUILD_DIR:?RFO_BUILD_DIR must name the CMake build directory}"
dir="$RFO_BUILD_DIR/broker"
broker_bin=${RFO_BROKER_BIN:-$dir/restream-token-broker} # another build of it, to compare
for b in restream-token-broker tests/broker-load tests/broker-fake-upstream; do
	[ -x "$dir/$b" ] || {
		echo "bench-broker.sh: $dir/$b not built (cmake --build $RFO_BUILD_DIR)" >&2
		exit 1
	}
done
requests=1000000 conns=64
while (($#)); do
	case "$1" in
	--quick) ;;
	--runs) shift ;; # one run: a million requests already averages over minutes
	--requests)
		requests=$2
		shift
		;;
	*)
		echo "usage: bench-broker.sh [--quick] [--runs N] [--requests N]" >&2
		exit 2
		;;
	esac
	shift
done
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -n "${BENCH_BROKER_KEEP:-}" ] && cp "$tmp/rss" "$BENCH_BROKER_KEEP"; rm -rf "$tmp"
}
trap cleanup EXIT
wait_ready() { for _ in $(seq 100); do grep -qx READY "$1" && return 0 || sleep 0.05; done; return 1; }

"$dir/tests/broker-fake-upstream" >"$tmp/up.out" </dev/null &
pids+=($!)
wait_ready "$tmp/up.out" || { echo "bench-broker.sh: the fake upstream did not start" >&2; exit 1; }
up_port=$(sed -n 's/^PORT=//p' "$tmp/up.out")
(umask 077 && echo bench-client-secret >"$tmp/secret")
port=0
for _ in $(seq 50); do
	port=$((20000 + RANDOM % 12000)) # below the ephemeral range (32768-)
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
done
"$broker_bin" --listen "127.0.0.1:$port" --upstream "http://127.0.0.1:$up_port" --client-id bench \
	--client-secret-file "$tmp/secret" --rate 0 >"$tmp/broker.out" 2>"$tmp/broker.log" </dev/null &
broker=$!
pids+=("$broker")
wait_ready "$tmp/broker.out" || { echo "bench-broker.sh: the broker did not start: $(cat "$tmp/broker.log")" >&2; exit 1; }

rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$broker/status"; }
(
	while kill -0 "$broker" 2>/dev/null; do
		echo "$(date +%s%3N) $(rss_kb)"
		sleep 1
	done
) >"$tmp/rss" 2>/dev/null &
pids+=($!)
rss_start=$(rss_kb)
load_before=$(cut -d' ' -f1 /proc/loadavg)
"$dir/tests/broker-load" "$port" "$conns" "$requests" >"$tmp/load.out"
load_after=$(cut -d' ' -f1 /proc/loadavg)
rss_end=$(rss_kb)
lines=$(grep -c 'access: POST /token 200' "$tmp/broker.log" || true)
# CPU time (user + system, clock ticks) of the broker: what a request costs it, whatever the machine's load
cpu_ticks=$(awk '{ print $14 + $15 }' "/proc/$broker/stat")
kill -TERM "$broker"
wait "$broker" || echo "bench-broker.sh: the broker exited non-zero after SIGTERM" >&2

get() { sed -n "s/^$1=//p" "$tmp/load.out"; }
n=$(wc -l <"$tmp/rss")
skip=$((n / 10))
rss_warm=$(awk -v s="$skip" 'NR == s + 1 { print $2 }' "$tmp/rss")
rss_half=$(awk -v s=$((n / 2)) 'NR == s + 1 { print $2 }' "$tmp/rss")
rss_max=$(awk -v e="$rss_end" '$2 > m { m = $2 } END { print (e > m ? e : m) + 0 }' "$tmp/rss")
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
per_s=$(get per_s)
echo "broker: $(get requests) POST /token in $(get seconds) s over $conns connections (load average $load_before -> $load_after)"
printf '  %-28s %10s   %s\n' throughput "$per_s/s" ">= 2000/s" \
	"latency p50 / p99 / max" "$(get p50_ms) / $(get p99_ms) / $(get max_ms) ms" "p99 <= 50 ms" \
	"errors (broken + non-2xx)" "$(get errors) + $(get non2xx)" "0" \
	"RSS start/10%/50%/end/max" "$(mb "$rss_start") / $(mb "$rss_warm") / $(mb "$rss_half") / $(mb "$rss_end") / $(mb "$rss_max") MB" "max <= 30 MB, flat" \
	"broker CPU per request" "$(awk -v t="$cpu_ticks" -v hz="$(getconf CLK_TCK)" -v n="$(get requests)" 'BEGIN { printf "%.1f us", t / hz * 1e6 / n }')" "-" \
	"access log lines" "$lines" "one per request"
echo "  one Restream user refreshes about once an hour: $per_s/s x 3600 s = $(awk -v r="$per_s" 'BEGIN { printf "%.1f", r * 3600 / 1e6 }') million users per copy"
echo "BENCH broker_token_per_s $per_s req/s"
echo "BENCH broker_p99_ms $(get p99_ms) ms"
echo "BENCH broker_errors $(($(get errors) + $(get non2xx))) n"
echo "BENCH broker_rss_max_mb $(mb "$rss_max") MB"
echo "BENCH broker_cpu_us_per_request $(awk -v t="$cpu_ticks" -v hz="$(getconf CLK_TCK)" -v n="$(get requests)" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }') us"
echo "BENCH broker_rss_growth_mb $(mb $((rss_end - rss_warm))) MB"
