#!/usr/bin/env bash
# e2e.faults_slow: Restream answers every /v2/ route after 10 s while the user clicks, and OBS is closed during such
# a slow request.
#   clicks        ListEvents, SetChannelEnabled, SetTitle one after the other each answer within 21 s (the design's
#                 ≤ 20 s bound on obs-websocket's thread), while `obsws rtt` of GetStatus (every 250 ms for 30 s)
#                 never takes more than 500 ms and GetStatus/GetSceneList answer within 1 s after each click.
#   burst         six requests at once (ListChannels, SetChannelEnabled ×2, ListEvents, ApplyStreamSettings, GetChat)
#                 each answer within 31 s and OBS answers within 1 s afterwards; the latency of a GetStatus sent
#                 during the burst is reported (obs-websocket's thread pool is busy with the waiting requests).
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

# ---- one click after the other (a person): each bounded, GetStatus unaffected
faults_rtt_start 120 250 # 30 s
for click in 'ListEvents' 'SetChannelEnabled {"id":1000104,"enabled":true}' 'SetTitle {"title":"slow title","channelIds":"1000101"}'; do
	req=${click%% *}
	if [ "$req" = "$click" ]; then r=$(faults_timed_vendor "$req"); else r=$(faults_timed_vendor "$req" "${click#* }"); fi
	e2e_log "$req answered in ${r%% *} ms: ${r#* }"
	assert_le "${r%% *}" 21000 "$req (ms) during 10-s responses"
	[[ "$r" != *"obsws failed"* ]] || e2e_fail "$req did not answer: $r"
	faults_assert_alive "slow routes, after $req"
done
faults_rtt_wait
e2e_log "GetStatus during one slow click at a time: $FAULTS_RTT"
assert_le "$FAULTS_RTT_MAX" 500 "GetStatus round trip max (ms) during one slow click at a time"

# ---- a burst of slow requests from a tool (all at once): every one answers, GetStatus is fast again afterwards.
# obs-websocket runs requests on a small thread pool (as many threads as cores); requests that wait for Restream
# occupy it, so GetStatus may queue behind them meanwhile: that latency is measured and reported, not asserted.
pids=()
reqs=(ListChannels SetChannelEnabled ListEvents ApplyStreamSettings SetChannelEnabled GetChat)
datas=('' '{"id":1000108,"enabled":true}' '' '{"protocol":"rtmp"}' '{"id":1000104,"enabled":false}' '')
t0=$(now_ms)
for i in "${!reqs[@]}"; do
	if [ -n "${datas[i]}" ]; then
		(faults_timed_vendor "${reqs[i]}" "${datas[i]}" >"$E2E_TMP/burst.$i") &
	else
		(faults_timed_vendor "${reqs[i]}" >"$E2E_TMP/burst.$i") &
	fi
	pids+=($!)
	e2e_track_pid $!
done
sleep 0.5
probe=$(faults_timed_vendor GetStatus)
for p in "${pids[@]}"; do
	wait "$p" || true
	e2e_untrack_pid "$p"
done
burst_ms=$(($(now_ms) - t0))
cat "$E2E_TMP"/burst.* >"$E2E_ART/burst.log"
e2e_log "burst of ${#reqs[@]} requests done in $burst_ms ms; GetStatus sent during it took ${probe%% *} ms"
while read -r ms rest; do
	[[ "$rest" != "obsws failed"* ]] || e2e_fail "a vendor request of the burst did not answer within 35 s: $rest"
	# on 2 cores obs-websocket 5.5 (OBS 30) runs them two at a time: three waves of 10 s end at 30 s + round trips
	assert_le "$ms" 31000 "a vendor request (ms) of the burst"
done <"$E2E_ART/burst.log"
faults_assert_alive "after the burst"

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
