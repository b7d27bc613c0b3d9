#!/usr/bin/env bash
# e2e.faults_slow: Restream answers every /v2/ route after 10 s while the user clicks, and OBS is closed during such
# a slow request.
#   bounded       ListChannels, SetChannelEnabled, SetTitle, ListEvents, ApplyStreamSettings, GetChat and GetStats
#                 sent together (clicks) each answer within 21 s (the design's ≤ 20 s bound on obs-websocket's thread).
#   responsive    meanwhile `obsws rtt` of GetStatus (60 requests, every 250 ms) never takes more than 500 ms, and
#                 obs-websocket's own GetSceneList answers within 1 s.
#   exit          SIGINT while a 10-s SetChannelEnabled is in flight -> OBS exits within 1 s.
#   survives      after a restart: same user signed in, chat settings and OBS's stream server unchanged; the
#                 channel whose switch was cut off is consistent with Restream (ListChannels equals the emulator).
#   secrets       no emulator secret in any OBS log or output.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-auth.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-chat.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-faults.sh"
e2e_init
faults_start
assert_json_eq "$(obs_vendor ListChannels)" .ok true

emu_post faults '{"route":"/v2/*","delay_ms":10000,"count":-1}' >/dev/null
faults_rtt_start 60 250
pids=()
reqs=(ListChannels SetChannelEnabled SetTitle ListEvents ApplyStreamSettings GetChat GetStats ListChannels SetChannelEnabled)
datas=('' '{"id":1000104,"enabled":true}' '{"title":"slow title","channelIds":"1000101"}' '' '{"protocol":"rtmp"}' '' ''
	'' '{"id":1000108,"enabled":true}')
for i in "${!reqs[@]}"; do
	if [ -n "${datas[i]}" ]; then
		(faults_timed_vendor "${reqs[i]}" "${datas[i]}" >"$E2E_TMP/click.$i") &
	else
		(faults_timed_vendor "${reqs[i]}" >"$E2E_TMP/click.$i") &
	fi
	pids+=($!)
	e2e_track_pid $!
	sleep 0.3
done
faults_assert_alive "slow routes"
for p in "${pids[@]}"; do
	wait "$p" || true
	e2e_untrack_pid "$p"
done
faults_rtt_wait
e2e_log "GetStatus during the slow routes: $FAULTS_RTT"
cat "$E2E_TMP"/click.* >"$E2E_ART/clicks-slow.log"
while read -r ms rest; do
	e2e_log "click answered in $ms ms: ${rest:0:120}"
	assert_le "$ms" 21000 "a vendor request (ms) during 10-s responses"
	[[ "$rest" != "obsws failed"* ]] || e2e_fail "a vendor request failed outright: $rest"
done <"$E2E_ART/clicks-slow.log"
assert_le "$FAULTS_RTT_MAX" 500 "GetStatus round trip max (ms) during the slow routes"

# ---- OBS closed during a slow request (SetChannelEnabled held 10 s by Restream)
(faults_timed_vendor SetChannelEnabled '{"id":1000110,"enabled":true}' >"$E2E_TMP/cut.click" 2>&1) &
CUT_PID=$!
e2e_track_pid "$CUT_PID"
sleep 1.5 # the PATCH is held by Restream now (the emulator logs it only when the reply goes out)
faults_assert_alive "slow SetChannelEnabled in flight"
obs_stop 1000
wait "$CUT_PID" 2>/dev/null || true
e2e_untrack_pid "$CUT_PID"
curl -fsS --max-time 5 -X DELETE "$RESTREAM_API_URL/_emu/faults" >/dev/null

# ---- survives
obs_start
obs_wait_ready 30
faults_assert_survived
list_matches() {
	local mine theirs token
	mine=$(obs_vendor ListChannels | jq -c '[.channels[] | {id, enabled}] | sort_by(.id)') || return 1
	token=$(emu_post tokens/issue | jq -r .accessToken)
	theirs=$(curl -fsS --max-time 5 -H "Authorization: Bearer $token" "$RESTREAM_API_URL/v2/user/channel/all" |
		jq -c '[.[] | {id, enabled}] | sort_by(.id)')
	[ "$mine" = "$theirs" ]
}
wait_until 20 list_matches || e2e_fail "ListChannels disagrees with Restream after the cut-off switch: $(obs_vendor ListChannels)"
obs_stop 3000
faults_assert_no_secrets "the OBS logs and output" "$HOME/.config/obs-studio/logs" "$E2E_ART/obs.stdout"
e2e_pass
