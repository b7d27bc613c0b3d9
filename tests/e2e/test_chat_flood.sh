#!/usr/bin/env bash
# e2e.chat_flood: the emulator floods the chat socket with 2,000 messages a second for
# 10 s while the dock's Chat tab is visible and an obs-websocket client subscribes to the ChatMessage events.
# During the flood, GetStatus round-trips stay under 100 ms at the 99th percentile; OBS's memory (VmRSS) grows by
# less than 50 MB; afterwards every message up to the history bound (5,000 here) is retrievable with GetChat, in
# order, none missing; OBS quits within 1 s in the middle of a flood. Prints chat_flood_* lines: sustained rate, round-trip percentiles, memory, events received.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-chat.sh"
e2e_init

RATE=2000
SECS=10
TOTAL=$((RATE * SECS))
HISTORY=5000

export RFO_DOCK_TAB=chat
chat_settings "{\"history\":$HISTORY}"
chat_start
assert_json "$(chat_get 1)" ".historySize == $HISTORY" "history size from the settings file"
sleep 2 # let OBS settle before the baseline
rss0=$(obs_rss_kb)

# every ChatMessage event, counted by a subscriber (obs-websocket serialises each one)
obs_events_start "$E2E_TMP/events.jsonl" --vendor-event ChatMessage --count "$TOTAL" --timeout 90
# GetStatus round trips every 20 ms for the flood's duration
"$OBSWS" --port "$OBS_PORT" --timeout 60 rtt --vendor "$E2E_VENDOR" --request GetStatus --count $((SECS * 50)) \
	--interval-ms 20 >"$E2E_TMP/rtt.txt" 2>"$E2E_TMP/rtt.err" &
RTT_PID=$!
e2e_track_pid "$RTT_PID"

obs_cpu_ticks() { awk '{print $14 + $15}' "/proc/$OBS_PID/stat"; }
cpu0=$(obs_cpu_ticks)
t0=$(now_ms)
r=$(emu_ctl POST chat/flood "{\"rate\":$RATE,\"seconds\":$SECS}")
jq -e '.ok' >/dev/null <<<"$r" || e2e_fail "flood refused: $r"

rss_max=$rss0
flood_total() { obs_vendor GetChat '{"limit":1}' | jq '.total'; }
while :; do
	rss=$(obs_rss_kb)
	((rss > rss_max)) && rss_max=$rss
	n=$(flood_total)
	((n >= TOTAL)) && break
	(($(now_ms) - t0 < 60000)) || e2e_fail "only $n of $TOTAL messages arrived within 60 s"
	sleep 0.2
done
elapsed_ms=$(($(now_ms) - t0))
flood=$(emu_ctl GET chat/flood)
cpu_ms=$((($(obs_cpu_ticks) - cpu0) * 1000 / $(getconf CLK_TCK)))
wait "$RTT_PID" || e2e_fail "obsws rtt failed: $(cat "$E2E_TMP/rtt.err")"
obs_events_wait
sleep 1
rss=$(obs_rss_kb)
((rss > rss_max)) && rss_max=$rss

rtt=$(cat "$E2E_TMP/rtt.txt")
p50=$(sed -n 's/.*p50=\([0-9.]*\).*/\1/p' <<<"$rtt")
p99=$(sed -n 's/.*p99=\([0-9.]*\).*/\1/p' <<<"$rtt")
events=$(wc -l <"$E2E_TMP/events.jsonl")
growth_kb=$((rss_max - rss0))
echo "chat_flood_messages=$TOTAL chat_flood_seconds=$((elapsed_ms / 1000)).$(((elapsed_ms % 1000) / 100))"
echo "chat_flood_rate_per_s=$((TOTAL * 1000 / elapsed_ms))"
# the emulator's side: when it queued the last message (2,000/s for 10 s: the last one is due at 9.9995 s)
echo "chat_flood_emulator_sent=$(jq .sent <<<"$flood") chat_flood_emulator_ms=$(jq .elapsedMs <<<"$flood")"
echo "chat_flood_getstatus_$rtt"
echo "chat_flood_rss_kb_before=$rss0 chat_flood_rss_kb_peak=$rss_max chat_flood_rss_growth_kb=$growth_kb"
echo "chat_flood_events=$events"
# OBS's whole CPU use over the flood (rendering included), per 1,000 chat messages
echo "chat_flood_obs_cpu_ms=$cpu_ms chat_flood_obs_cpu_pct=$((cpu_ms * 100 / elapsed_ms)) chat_flood_obs_cpu_ms_per_1000_msgs=$((cpu_ms * 1000 / TOTAL))"

# the flood really was RATE per second (within 5 %), or the figures below would not mean what they say
assert_json "$flood" ".sent == $TOTAL and .elapsedMs <= $((SECS * 1050))" "the emulator sent $TOTAL messages in $SECS s"
[ -n "$p99" ] || e2e_fail "no p99 from obsws rtt: $rtt"
awk -v p="$p99" 'BEGIN { exit !(p < 100) }' || e2e_fail "GetStatus p99 ${p99} ms during the flood (limit 100 ms)"
assert_le "$growth_kb" 51200 "OBS memory growth in kB during the flood"
assert_eq "$events" "$TOTAL" "ChatMessage events received"

# every message up to the history bound, in order
m=$(obs_vendor GetChat "{\"limit\":$HISTORY}")
assert_json "$m" "(.messages | length) == $HISTORY and .total == $TOTAL" "GetChat returns the last $HISTORY"
first=$((TOTAL - HISTORY + 1))
jq -e --argjson first "$first" '[.messages | to_entries[] | .value.text == ("flood message #" + ((.key + $first) | tostring))] | all' \
	>/dev/null <<<"$m" || e2e_fail "GetChat is not flood messages #$first..#$TOTAL in order: $(jq -c '[.messages[0,1,-1].text]' <<<"$m")"
assert_json "$m" '[.messages[].id] | length == (unique | length)' "unique ids"

kill -0 "$OBS_PID" || e2e_fail "OBS died"
obs_screenshot chat-after-flood

# quitting in the middle of a flood: within 1 s, nothing leaked
r=$(emu_ctl POST chat/flood "{\"rate\":$RATE,\"seconds\":$SECS}")
jq -e '.ok' >/dev/null <<<"$r" || e2e_fail "second flood refused: $r"
sleep 2
obs_stop 1000
assert_no_leaks "leak count at shutdown"
e2e_pass
