#!/usr/bin/env bash
# bench-session.sh [--quick] [--runs N]: what a signed-in plugin costs inside a running OBS, measured against
# an OBS without the plugin running at the same time (same machine load), and how fast its paths are:
#  - sign-in-to-ready: BeginSignIn -> the authorize URL followed with curl (the test BROWSER) -> GetStatus
#    signedIn true, and on to both sockets connected;
#  - ApplyStreamSettings round trip on loopback (rtmp and srt; keys fetched from the emulator);
#  - idle CPU: utime+stime (/proc/PID/stat) of both OBS processes over the same window (60 s; --quick 15 s),
#    the plugin signed in with the chat and streaming sockets connected; also the plugin's own named threads;
#  - chat end-to-end: the emulator floods 2,000 messages/s (its maximum) for 5 s (--quick 3 s) while the dock's
#    Chat tab is visible; the emulator's sent count and GetChat's total are polled: backlog = sent - stored,
#    sustained rate = least-squares slope of stored over time; the UI thread's longest stall = the largest round
#    trip of SetCurrentProgramScene (obs-websocket answers it on OBS's UI thread through a blocking queued call,
#    so it waits behind everything queued there) sent every 20 ms during the flood, beside the same probe on the
#    plugin-less OBS over the same time (the machine's share) and on the plugin's OBS idle; also how far the
#    maximum and p99 are above that control's (the raw figures stay printed);
#  - idle CPU by thread name, where the two processes differ most;
#  - memory: VmRSS of the plugin's OBS freshly signed in vs after the flood with 5,000 messages retained
#    (history 5,000), next to the plugin-less OBS's VmRSS over the same time.
# --flood-only skips the sign-in, ApplyStreamSettings and idle CPU figures (for iterating on the chat).
# The plugin's OBS runs with RFO_CHAT_PROFILE=1: the chat view logs the UI-thread time of its own work (flushes,
# the list's layout timers, painting) and those lines are printed after the flood.
# Prints a table and "BENCH <key> <value> <unit>" lines for run-all.sh.
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib-chat.sh"
idle_s=60 flood_s=5 pairs=1 flood_only=''
while (($#)); do
	case "$1" in
	--quick) idle_s=15 flood_s=3 ;;
	--flood-only) flood_only=1 ;;
	--runs) shift ;; # one session is enough here: the ratios come from simultaneous processes
	*)
		echo "usage: bench-session.sh [--quick] [--flood-only] [--runs N]" >&2
		exit 2
		;;
	esac
	shift
done
e2e_init bench-session
RATE=2000
HISTORY=5000
loadavg() { cut -d' ' -f1 /proc/loadavg; }
bench() { echo "BENCH $*" >>"$E2E_TMP/bench.lines"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# CPU time in µs (schedstat: ns resolution) of the plugin's own threads (named rfo-*) in process $1
plugin_thread_us() {
	local t sum=0 c ns
	for t in /proc/"$1"/task/*; do
		c=$(cat "$t/comm" 2>/dev/null) || continue
		[[ "$c" == rfo-* ]] || continue
		read -r ns _ <"$t/schedstat" 2>/dev/null || continue
		sum=$((sum + ns / 1000))
	done
	echo "$sum"
}
# thread_times PID: "<name> <µs>" per thread name (threads of one name summed; digits dropped from names)
thread_times() {
	local t c ns
	for t in /proc/"$1"/task/*; do
		c=$(tr -d '0-9' <"$t/comm" 2>/dev/null | tr ' ' '_') || continue
		read -r ns _ <"$t/schedstat" 2>/dev/null || continue
		echo "${c:-?} $((ns / 1000))"
	done | awk '{s[$1] += $2} END {for (k in s) print k, s[k]}' | sort
}
# CPU time in µs of process $1's UI thread (the main thread)
ui_thread_us() {
	local ns
	read -r ns _ <"/proc/$1/task/$1/schedstat"
	echo $((ns / 1000))
}

emu_start

# --- the OBS without the plugin (kept running alongside)
e2e_use_home "$E2E_TMP/home-without"
OBS_PORT=''
obs_write_global_ini
obs_start
obs_wait_ready 60
W_PID=$OBS_PID W_PORT=$OBS_PORT W_RUN=$OBS_RUN_PID W_XVFB=$OBS_XVFB_PID W_HOME=$HOME

# --- the OBS with the plugin, chat history 5,000, the Chat tab visible
e2e_use_home "$E2E_TMP/home-with"
OBS_PORT=''
export RFO_DOCK_TAB=chat RFO_CHAT_PROFILE=1
chat_settings "{\"history\":$HISTORY}"
obs_install_plugin
obs_write_global_ini
obs_start
obs_wait_ready 60
unset RFO_CHAT_PROFILE
P_PID=$OBS_PID
sleep 2

# sign-in-to-ready, polled every 10 ms
t0=$(now_ms)
resp=$(obs_vendor BeginSignIn)
url=$(jq -r '.authorizeUrl // empty' <<<"$resp")
[ -n "$url" ] || e2e_fail "BeginSignIn gave no authorizeUrl: $resp"
code=$(curl -sSL --max-time 15 -o /dev/null -w '%{http_code}' "$url")
[ "$code" = 200 ] || e2e_fail "the sign-in redirect ended with HTTP $code"
signed_ms='' sockets_ms=''
while :; do
	s=$(obs_vendor GetStatus)
	el=$(($(now_ms) - t0))
	[ -z "$signed_ms" ] && jq -e '.signedIn' >/dev/null <<<"$s" && signed_ms=$el
	[ -n "$signed_ms" ] && jq -e '.chat == "connected" and .streaming == "connected"' >/dev/null <<<"$s" &&
		sockets_ms=$el && break
	((el < 30000)) || e2e_fail "not signed in with both sockets connected within 30 s: $s"
	sleep 0.01
done
printf 'sign-in: BeginSignIn -> signedIn %d ms, -> both sockets connected %d ms (load %s)\n' "$signed_ms" \
	"$sockets_ms" "$(loadavg)"
bench signin_to_signed_in_ms "$signed_ms" ms
bench signin_to_sockets_connected_ms "$sockets_ms" ms

if [ -z "$flood_only" ]; then
# ApplyStreamSettings on loopback (the first call of each protocol fetches keys; then cached ones are reused)
for proto in rtmp srt; do
	r=$(obs_vendor ApplyStreamSettings "{\"protocol\":\"$proto\"}")
	jq -e '.ok == true' >/dev/null <<<"$r" || e2e_fail "ApplyStreamSettings $proto: $r"
	rtt=$(obsws rtt --vendor "$E2E_VENDOR" --request ApplyStreamSettings --data "{\"protocol\":\"$proto\"}" \
		--count 10 --interval-ms 100 --timeout 60)
	echo "ApplyStreamSettings $proto: $rtt (load $(loadavg))"
	bench "apply_stream_settings_${proto}_p50_ms" "$(sed -n 's/.*p50=\([0-9.]*\).*/\1/p' <<<"$rtt")" ms
done
r=$(obs_vendor ApplyStreamSettings '{"protocol":"rtmp"}')

# idle CPU: both OBS over the same window
sleep 5
load0=$(loadavg)
w0=$(cpu_ticks "$W_PID") p0=$(cpu_ticks "$P_PID") t0=$(plugin_thread_us "$P_PID") c0=$(now_ms)
wu0=$(ui_thread_us "$W_PID") pu0=$(ui_thread_us "$P_PID")
thread_times "$W_PID" >"$E2E_TMP/threads-w0" && thread_times "$P_PID" >"$E2E_TMP/threads-p0"
sleep "$idle_s"
w1=$(cpu_ticks "$W_PID") p1=$(cpu_ticks "$P_PID") t1=$(plugin_thread_us "$P_PID") c1=$(now_ms)
wu1=$(ui_thread_us "$W_PID") pu1=$(ui_thread_us "$P_PID")
thread_times "$W_PID" >"$E2E_TMP/threads-w1" && thread_times "$P_PID" >"$E2E_TMP/threads-p1"
tck=$(getconf CLK_TCK)
win=$((c1 - c0))
pct() { awk -v t="$1" -v hz="$tck" -v ms="$win" 'BEGIN {printf "%.2f", 100 * t / hz / (ms / 1000)}'; }
pct_us() { awk -v us="$1" -v ms="$win" 'BEGIN {printf "%.3f", 100 * us / 1000 / ms}'; }
w_pct=$(pct $((w1 - w0))) p_pct=$(pct $((p1 - p0))) th_pct=$(pct_us $((t1 - t0)))
wu_pct=$(pct_us $((wu1 - wu0))) pu_pct=$(pct_us $((pu1 - pu0)))
s=$(obs_vendor GetStatus)
jq -e '.chat == "connected" and .streaming == "connected"' >/dev/null <<<"$s" ||
	e2e_fail "a socket dropped during the idle window: $s"
printf 'idle %d s, signed in, both sockets connected (load %s -> %s): OBS without plugin %s %%, with plugin %s %% of one core; ratio %s; difference %s points; the plugin'"'"'s rfo-* threads %s %%; UI thread without %s %%, with %s %%\n' \
	"$((win / 1000))" "$load0" "$(loadavg)" "$w_pct" "$p_pct" \
	"$(awk -v a="$p_pct" -v b="$w_pct" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')" \
	"$(awk -v a="$p_pct" -v b="$w_pct" 'BEGIN {printf "%.2f", a - b}')" "$th_pct" "$wu_pct" "$pu_pct"
# where the two processes differ, thread name by thread name (% of one core over the window)
echo "idle CPU by thread name (% of one core), the largest differences (with - without):"
join -a1 -a2 -e0 -o 0,1.2,2.2 "$E2E_TMP/threads-w0" "$E2E_TMP/threads-w1" >"$E2E_TMP/tw"
join -a1 -a2 -e0 -o 0,1.2,2.2 "$E2E_TMP/threads-p0" "$E2E_TMP/threads-p1" >"$E2E_TMP/tp"
join -a1 -a2 -e0 -o 0,1.2,1.3,2.2,2.3 "$E2E_TMP/tw" "$E2E_TMP/tp" |
	awk -v ms="$win" '{w = ($3 - $2) / 10 / ms; p = ($5 - $4) / 10 / ms; d = p - w
		printf "%s %.3f %.3f %.3f\n", $1, w, p, (d < 0 ? -d : d) }' | sort -k4 -g -r | head -n 6 |
	awk '{printf "  %-28s without %7.3f  with %7.3f\n", $1, $2, $3}'
bench idle_cpu_pct_without "$w_pct" %
bench idle_cpu_pct_with "$p_pct" %
bench idle_cpu_ratio "$(awk -v a="$p_pct" -v b="$w_pct" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')" x
bench idle_cpu_added_pct "$(awk -v a="$p_pct" -v b="$w_pct" 'BEGIN {printf "%.2f", a - b}')" %
bench idle_cpu_plugin_threads_pct "$th_pct" %
bench idle_cpu_ui_thread_pct_without "$wu_pct" %
bench idle_cpu_ui_thread_pct_with "$pu_pct" %
bench idle_cpu_added_upper_pct "$(awk -v t="$th_pct" -v a="$pu_pct" -v b="$wu_pct" 'BEGIN {d = a - b; printf "%.2f", t + (d > 0 ? d : 0)}')" %
bench idle_loadavg "$load0" load
fi

# chat end-to-end: the UI probe idle, then during a flood
scene=$(obsws call GetCurrentProgramScene | jq -r '.responseData.currentProgramSceneName // .responseData.sceneName')
# probe COUNT [PORT]: SetCurrentProgramScene round trips every 20 ms (default: the OBS with the plugin)
probe() {
	"$OBSWS" --port "${2:-$OBS_PORT}" --timeout $((flood_s + 60)) rtt --request SetCurrentProgramScene \
		--data "{\"sceneName\":\"$scene\"}" --count "$1" --interval-ms 20
}
idle_probe=$(probe 100)
echo "UI probe idle (SetCurrentProgramScene, 100 x every 20 ms): $idle_probe"
# the same probe on the plugin-less OBS during the flood: what the machine's load alone does to it
probe $((flood_s * 50 + 50)) "$W_PORT" >"$E2E_TMP/probe-w.txt" 2>"$E2E_TMP/probe-w.err" &
PROBE_W_PID=$!
e2e_track_pid "$PROBE_W_PID"
rss_signed=$(rss_kb "$P_PID") rss_w0=$(rss_kb "$W_PID")
TOTAL=$((RATE * flood_s))
probe $((flood_s * 50 + 50)) >"$E2E_TMP/probe.txt" 2>"$E2E_TMP/probe.err" &
PROBE_PID=$!
e2e_track_pid "$PROBE_PID"
load0=$(loadavg)
t0=$(now_ms)
r=$(emu_ctl POST chat/flood "{\"rate\":$RATE,\"seconds\":$flood_s}")
jq -e '.ok' >/dev/null <<<"$r" || e2e_fail "flood refused: $r"
samples="$E2E_TMP/flood.samples" # ms since start, emulator sent, plugin stored
: >"$samples"
while :; do
	sent=$(emu_ctl GET chat/flood | jq .sent)
	ta=$(now_ms)
	r=$(obs_vendor GetChat '{"limit":1}')
	tb=$(now_ms)
	n=$(jq '.total' <<<"$r")
	echo "$(((ta + tb) / 2 - t0)) $sent $n" >>"$samples" # stored count at the middle of the call
	((n >= TOTAL)) && break
	(($(now_ms) - t0 < 60000)) || e2e_fail "only $n of $TOTAL messages arrived within 60 s"
	sleep 0.05
done
elapsed=$(($(now_ms) - t0))
flood=$(emu_ctl GET chat/flood)
wait "$PROBE_PID" || e2e_fail "the UI probe failed: $(cat "$E2E_TMP/probe.err")"
e2e_untrack_pid "$PROBE_PID"
flood_probe=$(cat "$E2E_TMP/probe.txt")
wait "$PROBE_W_PID" || e2e_fail "the UI probe of the plugin-less OBS failed: $(cat "$E2E_TMP/probe-w.err")"
e2e_untrack_pid "$PROBE_W_PID"
control_probe=$(cat "$E2E_TMP/probe-w.txt")
echo "UI probe on the plugin-less OBS over the same time: $control_probe"
rate=$((TOTAL * 1000 / elapsed))
# sustained: stored messages per second between the first sample after 0.5 s and the last one before the
# emulator's end; backlog: emulator sent - stored, largest in the first and in the second half of the flood
emu_rate=$(jq '.sent * 1000 / .elapsedMs' <<<"$flood")
# sustained = least-squares slope of stored messages over time (ms since the start, at the middle of each
# GetChat call) for the polls between 0.5 s and the flood's end: robust to the jitter of single polls
read -r sus wall back1 back2 < <(awk -v end=$((flood_s * 1000)) -v er="$emu_rate" '
	$1 >= 500 && $1 <= end { k++; sx += $1; sy += $3; sxx += $1 * $1; sxy += $1 * $3 }
	$1 >= 500 && $1 <= end && !a { a = 1; t0 = $1; n0 = $3 }
	$1 <= end { t1 = $1; n1 = $3; b = $2 - $3; if ($1 < end / 2) { if (b > m1) m1 = b } else if (b > m2) m2 = b }
	END { den = k * sxx - sx * sx
		printf "%d %d %d %d\n", (k > 2 && den > 0 ? 1000 * (k * sxy - sx * sy) / den : 0),
			(t1 > t0 ? (n1 - n0) * 1000 / (t1 - t0) : 0), m1, m2 }' "$samples")
stall=$(sed -n 's/.*max=\([0-9.]*\).*/\1/p' <<<"$flood_probe")
printf 'chat flood %d/s for %d s (emulator sent %s in %s ms; load %s): %d messages stored in %d ms = %d/s; UI probe during the flood: %s\n' \
	"$RATE" "$flood_s" "$(jq .sent <<<"$flood")" "$(jq .elapsedMs <<<"$flood")" "$load0" "$TOTAL" "$elapsed" "$rate" \
	"$flood_probe"
printf 'sustained %d/s (least-squares slope of the polls; %d/s between the first and last poll) during the flood; backlog (emulator sent - stored) at most %d in the first half, %d in the second; last message stored %d ms after the emulator queued it\n' \
	"$sus" "$wall" "$back1" "$back2" $((elapsed - $(jq .elapsedMs <<<"$flood")))
bench chat_e2e_rate_per_s "$rate" /s
bench chat_e2e_sustained_per_s "$sus" /s
bench chat_e2e_first_last_poll_per_s "$wall" /s
bench chat_emulator_flood_rate_per_s "$(printf '%.0f' "$emu_rate")" /s
bench chat_e2e_backlog_max "$back2" msgs
bench chat_e2e_ui_probe_max_ms "$stall" ms
bench chat_e2e_ui_probe_p99_ms "$(sed -n 's/.*p99=\([0-9.]*\).*/\1/p' <<<"$flood_probe")" ms
bench chat_e2e_ui_probe_max_ms_control "$(sed -n 's/.*max=\([0-9.]*\).*/\1/p' <<<"$control_probe")" ms
# the share of the stall the machine's load cannot explain: the probe's maximum and p99 above the control OBS's,
# measured over the same seconds (the raw maximum stays above: on this shared machine the control alone reaches
# 30-80 ms)
excess() { awk -v a="$1" -v b="$2" 'BEGIN {d = a - b; printf "%.1f", (d > 0 ? d : 0)}'; }
c_max=$(sed -n 's/.*max=\([0-9.]*\).*/\1/p' <<<"$control_probe")
c_p99=$(sed -n 's/.*p99=\([0-9.]*\).*/\1/p' <<<"$control_probe")
f_p99=$(sed -n 's/.*p99=\([0-9.]*\).*/\1/p' <<<"$flood_probe")
echo "UI probe above the plugin-less OBS's over the same time: max +$(excess "$stall" "$c_max") ms, p99 +$(excess "$f_p99" "$c_p99") ms"
bench chat_e2e_ui_probe_max_excess_ms "$(excess "$stall" "$c_max")" ms
bench chat_e2e_ui_probe_p99_excess_ms "$(excess "$f_p99" "$c_p99")" ms
bench chat_e2e_ui_probe_p99_ms_control "$(sed -n 's/.*p99=\([0-9.]*\).*/\1/p' <<<"$control_probe")" ms
bench ui_probe_idle_max_ms "$(sed -n 's/.*max=\([0-9.]*\).*/\1/p' <<<"$idle_probe")" ms
bench chat_e2e_loadavg "$load0" load

# memory with 5,000 messages retained
sleep 3
m=$(obs_vendor GetChat '{"limit":1}')
assert_json "$m" ".historySize == $HISTORY and .total >= $HISTORY" "history of $HISTORY filled"
rss_full=$(rss_kb "$P_PID") rss_w1=$(rss_kb "$W_PID")
printf 'memory (VmRSS): with plugin %d MB signed in, %d MB with %d messages retained (+%d MB); without plugin %d -> %d MB over the same time\n' \
	$((rss_signed / 1024)) $((rss_full / 1024)) "$HISTORY" $(((rss_full - rss_signed) / 1024)) $((rss_w0 / 1024)) \
	$((rss_w1 / 1024))
bench rss_mb_without $((rss_w1 / 1024)) MB
bench rss_mb_signed_in $((rss_signed / 1024)) MB
bench rss_mb_5000_messages $((rss_full / 1024)) MB
bench rss_added_mb_5000_messages $(((rss_full - rss_signed) / 1024)) MB

# both OBS quit cleanly
p_log=$(obs_log_path)
obs_stop 10000 >/dev/null
# the chat view's own UI-thread work (RFO_CHAT_PROFILE), window by window, and the largest single turn in the run
echo "chat view profile (UI thread; rows applied and waiting in the view; flush = rows applied, list = layout timers, viewport = painting):"
grep -o 'chat\] profile .*' "$p_log" | sed 's/^/  /' || true
echo "single turns of the chat view over 10 ms (at most 30 shown; wall time, so the machine's load is in them):"
grep -o 'chat\] profile: .*' "$p_log" | head -n 30 | sed 's/^/  /' || true
prof_max=$(grep -o 'chat\] profile .*' "$p_log" | grep -o 'run max [0-9.]*' | awk '$3 > m {m = $3} END {printf "%.2f", m}')
# the same turns in the UI thread's CPU time (what the view itself costs, without the waits for a core)
prof_cpu=$(grep -o 'chat\] profile .*' "$p_log" | grep -o 'CPU max [0-9.]*' | awk '$3 > m {m = $3} END {printf "%.2f", m}')
echo "chat view: the longest single UI-thread turn of its own in the run: $prof_max ms wall, $prof_cpu ms CPU"
bench chat_view_longest_turn_ms "$prof_max" ms
bench chat_view_longest_turn_cpu_ms "$prof_cpu" ms
OBS_PID=$W_PID OBS_PORT=$W_PORT OBS_RUN_PID=$W_RUN OBS_XVFB_PID=$W_XVFB
obs_stop 10000 >/dev/null
e2e_use_home "$E2E_TMP/home-with"
cat "$E2E_TMP/bench.lines"
e2e_pass
