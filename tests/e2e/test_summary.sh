#!/usr/bin/env bash
# e2e.summary: the end-of-stream summary in real OBS, streaming to nginx-rtmp through the one-click set-up, with
# viewers and chat from the emulator (Stats tab selected at start-up).
#   (1) live      a ~20 s stream; the emulator goes live, sends viewers per destination and chat on three platforms
#                 -> after StopStream, GetStreamSummary has the duration, per-destination peaks equal to the highest
#                 viewers the emulator sent each (read back from its replay log), the total peak, chat messages per
#                 platform, the one health alert raised during it (a destination down for longer than the grace
#                 period, 3 s in the settings), source "live" and "Restream has not published analytics yet".
#   (2) files     <config>/summaries/<start>-summary.json parses (jq) with the same numbers; the CSV has its
#                 header and one row per total, destination and platform; both 0600 in a 0700 folder.
#   (3) restream  the emulator publishes the event's viewer analytics a few seconds after the end (control route)
#                 -> the summary's numbers become Restream's (source "restream"), and the JSON file follows.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
e2e_init
export RFO_DOCK_TAB=stats

viewers() { emu_post stream/push "$(jq -nc --argjson c "$1" --argjson v "$2" '{preset:"update_statuses",channelId:$c,viewers:$v}')" >/dev/null; }
chat() { emu_post chat/push "{\"preset\":\"$1\",\"text\":\"summary $RANDOM\"}" >/dev/null; }
summary_has() { obs_vendor GetStreamSummary | jq -e "$1" >/dev/null 2>&1; }

rtmp_start
emu_start --rtmp-url "$RTMP_URL"
emu_post stream/interval '{"ms":600000}' >/dev/null # only the viewers this test sends (and go-live's first ones)
emu_post analytics '{"delayMs":3000}' >/dev/null
obs_install_plugin
obs_write_global_ini
settings_dir="$HOME/.config/obs-studio/plugin_config/restream-for-obs"
mkdir -p "$settings_dir"
printf '{"health_grace_s":3,"health_bitrate_pct":50}\n' >"$settings_dir/settings.json"
chmod 600 "$settings_dir/settings.json"
obs_start
obs_wait_ready 30
e2e_sign_in
wait_until 15 eval '[ "$(obs_vendor GetStatus | jq -r .chat)" = connected ] && [ "$(obs_vendor GetStatus | jq -r .streaming)" = connected ]' ||
	e2e_fail "chat and stream updates not connected: $(obs_vendor GetStatus)"
r=$(obs_vendor GetStreamSummary)
assert_json_eq "$r" .ok false # no stream yet
scene=$(obs_req GetCurrentProgramScene | jq -r '.currentProgramSceneName // .sceneName')
obs_req CreateInput "$(jq -nc --arg s "$scene" '{sceneName:$s,inputName:"E2E colour",inputKind:"color_source_v3",
	inputSettings:{color:4278255360,width:640,height:360}}')" >/dev/null
assert_json_eq "$(obs_vendor ApplyStreamSettings '{"protocol":"rtmp"}')" .ok true
chat twitch_text # before the stream: not counted

# ---------------------------------------------------------------- (1) the stream
t0=$(date +%s)
obs_req StartStream >/dev/null
wait_until 15 stream_active || e2e_fail "OBS did not go live: $(obs_req GetStreamStatus)"
obs_log_wait 'summary\] stream to Restream started' 10
t_live=$(date +%s) # the stream's 20 s count from here: going live can take seconds on a loaded machine
EVENT_ID=$(emu_post stream/go-live | jq -r .eventId)
sleep 2 # go-live's first viewers (random) arrive after 1 s
for v in 45 61 48; do # above go-live's random first viewers (3-40)
	viewers 1000101 "$v"
	viewers 1000103 $((v / 3))
	chat twitch_text
	sleep 1
done
viewers 1000102 null # YouTube's count unknown: 0 from now on
chat youtube_text
chat youtube_text
chat dlive_text
wait_until 10 eval 'obs_vendor GetChat | jq -e "[.messages[] | select(.text | startswith(\"summary \"))] | length == 7" >/dev/null' ||
	e2e_fail "the chat did not arrive: $(obs_vendor GetChat | jq -c '[.messages[].text]')"
# a destination down for longer than the grace period, then back: the summary lists that alert
alerted() { obs_vendor GetStats | jq -e '[.channels[] | select(.channelId == 1000103 and .alert == true)] | length == 1' >/dev/null; }
emu_post stream/destination '{"channelId":1000103,"status":"DISCONNECTED"}' >/dev/null
wait_until 8 alerted || e2e_fail "no health alert for the disconnected destination: $(obs_vendor GetStats)"
emu_post stream/destination '{"channelId":1000103,"status":"CONNECTED"}' >/dev/null
sleep $((20 - ($(date +%s) - t_live) > 0 ? 20 - ($(date +%s) - t_live) : 0))
LOG=$(emu_get stream/log) # every frame sent in the last 60 s: this stream's
emu_post stream/go-offline >/dev/null
sleep 1
obs_req StopStream >/dev/null
wait_until 15 stream_idle || e2e_fail "StopStream did not end the stream"
t1=$(date +%s)
wait_until 5 summary_has '.ok == true' || e2e_fail "no summary after the stream: $(obs_vendor GetStreamSummary)"
S=$(obs_vendor GetStreamSummary)
e2e_log "GetStreamSummary (live): $S"
echo "$S" >"$E2E_ART/summary-live.json"
assert_json_eq "$S" .source live
assert_json_eq "$S" .analytics pending
assert_json "$S" '.analyticsNote | test("Restream has not published analytics yet")' "the note"
assert_json_eq "$S" .eventId "$EVENT_ID"
assert_json "$S" ".startedAt >= $t0 and .startedAt <= $t0 + 5" "startedAt"
assert_json "$S" ".endedAt >= .startedAt + 18 and .endedAt <= $t1" "endedAt"
# whole seconds of two instants vs the rounded length between them: at most one apart either way
assert_json "$S" '(.durationSeconds - (.endedAt - .startedAt)) | (. >= -1 and . <= 1)' "durationSeconds"
assert_json "$S" '.alerts | length == 1' "one alert"
assert_json "$S" '.alerts[0] | .kind == "destination" and .channelId == 1000103 and (.message | length > 10)' "the alert"
assert_json "$S" ".alerts[0].at >= .startedAt and .alerts[0].at <= .endedAt" "the alert's time"
assert_json_eq "$S" .chatMessages.Twitch 3
assert_json_eq "$S" .chatMessages.YouTube 2
assert_json_eq "$S" .chatMessages.DLive 1
# per destination: the highest viewers the emulator sent each while live
expected=$(jq -c '[.[].text | fromjson | select(.action == "updateStatuses" and (.viewers | type) == "number")]
	| group_by(.channelId) | map({key: (.[0].channelId | tostring), value: (map(.viewers) | max)}) | from_entries' <<<"$LOG" | jq -cS .)
got=$(jq -cS '[.channels[] | {key: (.channelId | tostring), value: .peakViewers}] | from_entries' <<<"$S")
e2e_log "peaks sent: $expected; in the summary: $got"
assert_eq "$got" "$expected" "per-destination peaks"
assert_json "$S" '.channels[] | select(.channelId == 1000101) | .peakViewers == 61' "Twitch peak"
assert_json "$S" '.peakViewers >= ([.channels[].peakViewers] | max)' "total peak"
assert_json "$S" '.peakViewers <= ([.channels[].peakViewers] | add)' "total peak"
assert_json "$S" 'all(.channels[]; .averageViewers >= 0 and .averageViewers <= .peakViewers)' "averages"

# ---------------------------------------------------------------- (2) the files
DIR="$HOME/.config/obs-studio/plugin_config/restream-for-obs/summaries"
json=$(ls "$DIR"/*-summary.json 2>/dev/null | tail -n 1)
csv=${json%.json}.csv
[ -f "$json" ] && [ -f "$csv" ] || e2e_fail "no summary files in $DIR: $(ls -la "$DIR" 2>&1)"
cp "$json" "$csv" "$E2E_ART/"
jq -e . "$json" >/dev/null || e2e_fail "$json is not JSON"
assert_eq "$(jq -cS '[.channels[] | {key: (.channelId | tostring), value: .peakViewers}] | from_entries' "$json")" "$expected" "the JSON file's peaks"
assert_eq "$(jq -cS .chatMessages "$json")" "$(jq -cS .chatMessages <<<"$S")" "the JSON file's chat counts"
assert_eq "$(head -n 1 "$csv" | tr -d '\r')" "section,key,peakViewers,averageViewers,chatMessages" "CSV header"
rows=$(($(wc -l <"$csv") - 1))
assert_eq "$rows" $((1 + $(jq '.channels | length' <<<"$S") + $(jq '.chatMessages | length' <<<"$S"))) "CSV rows"
assert_eq "$(grep -c '^channel,1000101,61,' "$csv")" 1 "the CSV's Twitch row"
assert_eq "$(stat -c %a "$json") $(stat -c %a "$csv") $(stat -c %a "$DIR")" "600 600 700" "file and folder modes"

# ---------------------------------------------------------------- (3) Restream's numbers once published
wait_until 30 summary_has '.source == "restream"' || e2e_fail "the analytics never replaced the live numbers: $(obs_vendor GetStreamSummary)"
R=$(obs_vendor GetStreamSummary)
e2e_log "GetStreamSummary (restream): $R"
echo "$R" >"$E2E_ART/summary-restream.json"
A=$(emu_get analytics | jq -c --arg e "$EVENT_ID" '.events[$e]')
assert_json_eq "$A" .published true
assert_json_eq "$R" .analytics published
assert_json "$R" 'has("analyticsNote") | not' "no note once published"
assert_json_eq "$R" .peakViewers "$(jq .analytics.total.max <<<"$A")"
want=$(jq -cS '.analytics.byChannel | to_entries | map({key, value: .value.max}) | from_entries' <<<"$A")
assert_eq "$(jq -cS '[.channels[] | {key: (.channelId | tostring), value: .peakViewers}] | from_entries' <<<"$R")" "$want" "Restream's peaks"
want=$(jq -cS '.analytics.byChannel | to_entries | map({key, value: ((.value.mean * 100 + 0.5) | floor / 100)}) | from_entries' <<<"$A")
# numbers compared as numbers (jq 1.7 keeps a literal 5.0 as written; arithmetic makes it canonical)
assert_eq "$(jq -cS '[.channels[] | {key: (.channelId | tostring), value: (.averageViewers + 0)}] | from_entries' <<<"$R")" "$want" "Restream's averages"
assert_eq "$(jq -cS .chatMessages <<<"$R")" "$(jq -cS .chatMessages <<<"$S")" "chat counts stay"
wait_until 5 eval 'jq -e ".source == \"restream\"" "$json" >/dev/null' || e2e_fail "the JSON file still has the live numbers"
sleep 1 # the Stats tab repaints
obs_screenshot summary-stats-tab

obs_stop 1000
assert_no_leaks "leak count at shutdown"
rtmp_stop
e2e_pass
