#!/usr/bin/env bash
# e2e.stats_dock: the dock's Stats tab (selected at start-up with RFO_DOCK_TAB=stats)
# while the emulator streams stats (--demo: live after 2 s, viewers drifting) and OBS really streams to a local
# RTMP receiver (so "OBS sends" has figures). YouTube's viewers are pushed as null (shown as "—"). Leaves
# stats-tab.png in the artifacts.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-stats.sh"
e2e_init
export RFO_DOCK_TAB=stats
rtmp_start
stats_start --demo --rtmp-url "$RTMP_URL"
obs_log_wait "\\[restream-for-obs\\] dock: tab 'stats' selected" 10


# OBS streams a colour source to nginx through the one-click setup
scene=$(obs_req GetCurrentProgramScene | jq -r '.currentProgramSceneName // .sceneName')
obs_req CreateInput "$(jq -nc --arg s "$scene" '{sceneName:$s,inputName:"E2E colour",inputKind:"color_source_v3",
	inputSettings:{color:4278255360,width:640,height:360}}')" >/dev/null
r=$(obs_vendor ApplyStreamSettings '{"protocol":"rtmp"}')
assert_json "$r" '.ok == true' "ApplyStreamSettings"
obs_req StartStream >/dev/null
wait_until 15 stream_active || e2e_fail "OBS did not go live: $(obs_req GetStreamStatus)"

stats_wait '(.channels | length) == 6 and .incoming.bitrate > 0 and .totalViewers > 0 and
	([.channels[].status] | all(. == "connected"))' 20 "the demo's live stats"
stats_push '{"preset":"update_statuses","channelId":1000102,"viewers":null,"online":true}'
stats_wait '[.channels[] | select(.channelId == 1000102) | has("viewers")] == [false]' 5 "YouTube viewers unknown"
sleep 2.5 # the dock repaints at most twice a second; OBS's output is sampled once a second
s=$(stats_get)
echo "$s" >"$E2E_ART/getstats.json"
obs_screenshot stats-tab
sd=$(convert "$E2E_ART/stats-tab.png" -format '%[fx:standard_deviation]' info:)
awk -v sd="$sd" 'BEGIN{exit !(sd > 0.01)}' || e2e_fail "the screenshot is blank (standard deviation $sd)"
e2e_log "stats tab screenshot with totalViewers=$(jq .totalViewers <<<"$s")"

obs_req StopStream >/dev/null
wait_until 15 stream_idle || e2e_fail "StopStream did not end the stream"
obs_stop
rtmp_stop
e2e_pass
