#!/usr/bin/env bash
# e2e.faults_slow: Restream answers every /v2/ route after 10 s while the user clicks, and OBS is closed during such
# a slow request. obs-websocket runs vendor requests on a pool of as many threads as cores (two here), shared with
# every other request; the plugin lets at most one vendor request wait for Restream, for at most 3 s.
#   clicks        ListEvents, SetChannelEnabled, SetTitle one after the other each answer within 4 s: ListEvents
#                 with the cached events and a `refreshError`, SetChannelEnabled ok with the channel in its requested
#                 state and `pending`:true, SetTitle ok with `pending`:true; `obsws rtt` of GetStatus (120 times,
#                 every 125 ms: the 15 s of the clicks and the switch's landing) never takes more than 500 ms; the switch lands once Restream answers (ListChannels shows
#                 it enabled, no longer pending, and so does Restream).
#   burst         six requests at once (ListChannels, SetChannelEnabled ×2, ListEvents, ApplyStreamSettings, GetChat)
#                 each answer within 4 s, and GetStatus sent three times during the burst answers within 1.5 s each
#                 (it waited 14 s when every request held an obs-websocket thread for Restream).
#   rollback      a pending switch that Restream then refuses (500 after 5 s) is rolled back: ChannelsChanged
#                 carries the channel in its old state and an `error` sentence.
#   parked        a switch refused with 401 while the token refresh takes 14 s, with nobody asking meanwhile, is
#                 given up after 8 s: ChannelsChanged rolls it back with an `error` (it does not stay pending);
#                 ListEvents meanwhile answers within 4 s from the cache (the token wait counts against its 3 s).
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

# ---- one click after the other (a person): each answers within the 3-s budget, GetStatus unaffected
faults_rtt_start 120 125 # 15 s: the three clicks (~10 s) and the switch landing 10 s after its PATCH
for click in 'ListEvents' 'SetChannelEnabled {"id":1000104,"enabled":true}' 'SetTitle {"title":"slow title","channelIds":"1000101"}'; do
	req=${click%% *}
	if [ "$req" = "$click" ]; then r=$(faults_timed_vendor "$req"); else r=$(faults_timed_vendor "$req" "${click#* }"); fi
	e2e_log "$req answered in ${r%% *} ms: ${r#* }"
	[[ "$r" != *"obsws failed"* ]] || e2e_fail "$req did not answer: $r"
	assert_le "${r%% *}" 4000 "$req (ms) during 10-s responses"
	case $req in
	ListEvents) assert_json "${r#* }" '.ok == true and (.events | type == "array") and ((.refreshError // "") | length > 8)' \
		"ListEvents answers from the cache, saying why" ;;
	SetChannelEnabled) assert_json "${r#* }" '.ok == true and .pending == true and .channel.id == 1000104 and .channel.enabled == true' \
		"SetChannelEnabled answers pending, in the requested state" ;;
	SetTitle) assert_json "${r#* }" '.ok == true and .pending == true' "SetTitle answers pending" ;;
	esac
	faults_assert_alive "slow routes, after $req"
done
switched() { obs_vendor ListChannels | jq -e '.channels[] | select(.id == 1000104) | .enabled == true and .pending == false' >/dev/null; }
wait_until 25 switched || e2e_fail "the pending switch did not land: $(obs_vendor ListChannels)"
assert_json "$(emu_get state)" '.channels[] | select(.id == 1000104) | .enabled == true or .active == true' "Restream has 1000104 on"
faults_rtt_wait
e2e_log "GetStatus during one slow click at a time: $FAULTS_RTT"
assert_le "$FAULTS_RTT_MAX" 500 "GetStatus round trip max (ms) during one slow click at a time"

# ---- a burst of slow requests from a tool (all at once): one of them may wait for Restream (3 s at most), the others
# answer at once, so obs-websocket's threads stay free: GetStatus answers quickly during the burst.
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
probes=()
for d in 0.3 0.7 1; do
	sleep "$d"
	p=$(faults_timed_vendor GetStatus)
	probes+=("${p%% *}")
	assert_json "${p#* }" '.ok == true' "GetStatus during the burst"
done
for p in "${pids[@]}"; do
	wait "$p" || true
	e2e_untrack_pid "$p"
done
burst_ms=$(($(now_ms) - t0))
for i in "${!reqs[@]}"; do printf '%s %s\n' "${reqs[i]}" "$(cat "$E2E_TMP/burst.$i")"; done >"$E2E_ART/burst.log"
e2e_log "burst of ${#reqs[@]} requests done in $burst_ms ms; GetStatus sent during it took ${probes[*]} ms"
while read -r name ms rest; do
	e2e_log "  $name: $ms ms ${rest:0:160}"
	[[ "$rest" != "obsws failed"* ]] || e2e_fail "a vendor request of the burst did not answer within 35 s: $rest"
	assert_le "$ms" 4000 "$name (ms) in the burst"
	assert_json "$rest" '.ok == true or ((.error // "") | length > 8)' "$name in the burst answers ok or with a sentence"
done <"$E2E_ART/burst.log"
for p in "${probes[@]}"; do assert_le "$p" 1500 "GetStatus (ms) during the burst of slow requests"; done
faults_assert_alive "after the burst"

# ---- rollback: a switch answered as pending that Restream then refuses comes back in ChannelsChanged with an error
curl -fsS --max-time 5 -X DELETE "$RESTREAM_API_URL/_emu/faults" >/dev/null
wait_until 25 channels_settled || e2e_fail "switches still pending after the slow routes: $(obs_vendor ListChannels)"
was=$(obs_vendor ListChannels | jq -r '.channels[] | select(.id == 1000106) | .enabled')
# rollback_seen EVENTS NAME MESSAGE: the recorded ChannelsChanged events (artifact NAME.events) include one that rolls
# channel 1000106 back to $was with an error sentence; fails with MESSAGE otherwise
rollback_seen() {
	jq -c '.eventData | {error, ch: [.channels[] | select(.id == 1000106)]}' "$1" >"$E2E_ART/$2.events" || true
	e2e_log "ChannelsChanged ($2): $(tr '\n' ' ' <"$E2E_ART/$2.events" | head -c 600)"
	jq -e -s "map(select(((.eventData.error // \"\") | length > 8) and (.eventData.channels[] | select(.id == 1000106) | .enabled == $was and .pending == false))) | length >= 1" \
		"$1" >/dev/null || e2e_fail "$3"
}
# rollback_wait EVENTS: until the recorder started by obs_events_start (--timeout 12) has the rollback that
# rollback_seen looks for or has run its 12 s, whichever comes first; then the recorder is ended
rollback_in() {
	jq -e -s "map(select(((.eventData.error // \"\") | length > 8) and (.eventData.channels[] | select(.id == 1000106) | .enabled == $was and .pending == false))) | length >= 1" \
		"$1" >/dev/null 2>&1
}
rollback_wait() {
	until rollback_in "$1" || pid_gone "$EVENTS_PID"; do sleep 0.05; done
	stop_pid "$EVENTS_PID" TERM 2
}
[ "$was" = true ] || [ "$was" = false ] || e2e_fail "no channel 1000106: $(obs_vendor ListChannels)"
want=$([ "$was" = true ] && echo false || echo true)
emu_post faults '{"route":"/v2/user/channel/1000106","method":"PATCH","status":500,"delay_ms":5000,"count":1}' >/dev/null
obs_events_start "$E2E_TMP/rollback.events" --vendor-event ChannelsChanged --count 0 --timeout 12
r=$(faults_timed_vendor SetChannelEnabled "{\"id\":1000106,\"enabled\":$want}")
e2e_log "SetChannelEnabled answered in ${r%% *} ms before Restream refused it: ${r#* }"
assert_le "${r%% *}" 4000 "SetChannelEnabled (ms) with a 5-s refusal"
assert_json "${r#* }" ".ok == true and .pending == true and .channel.enabled == $want" "the refused switch first answers pending"
rollback_wait "$E2E_TMP/rollback.events"
rollback_seen "$E2E_TMP/rollback.events" rollback "no ChannelsChanged with the rollback and an error"
assert_json "$(obs_vendor ListChannels)" ".channels[] | select(.id == 1000106) | .enabled == $was" "the refused switch is rolled back"

# ---- parked: a switch refused with 401 waits for a new token, which takes 14 s (token endpoint slow); nobody asks
# anything meanwhile, yet the switch is given up after 8 s (ChannelsChanged rolls it back with an error) instead of
# staying pending until the token comes
refreshes=$(emu_token_calls refresh_token count)
delayed_at=$(now_ms)
emu_post oauth/delay '{"ms":14000}' >/dev/null
emu_post faults '{"route":"/v2/user/channel/1000106","method":"PATCH","status":401,"count":1}' >/dev/null
obs_events_start "$E2E_TMP/parked.events" --vendor-event ChannelsChanged --count 0 --timeout 12
r=$(faults_timed_vendor SetChannelEnabled "{\"id\":1000106,\"enabled\":$want}")
e2e_log "SetChannelEnabled answered in ${r%% *} ms while its 401 waits for a token: ${r#* }"
assert_json "${r#* }" ".ok == true and .pending == true" "the parked switch first answers pending"
# the token refresh in flight counts against ListEvents' 3 s (it is slow, not signed out)
r=$(faults_timed_vendor ListEvents)
e2e_log "ListEvents during the slow token refresh: ${r%% *} ms: ${r#* }"
assert_le "${r%% *}" 4000 "ListEvents (ms) while the token refresh takes 14 s"
assert_json "${r#* }" '.ok == true and ((.refreshError // "") | length > 8)' "ListEvents answers from the cache while the token refresh is slow"
rollback_wait "$E2E_TMP/parked.events"
rollback_seen "$E2E_TMP/parked.events" parked "the parked switch stayed pending for 12 s (no rollback with an error)"
emu_post oauth/delay '{"ms":0}' >/dev/null
wait_until 20 refreshes_above "$refreshes" || e2e_fail "no token refresh after the 401"
# the emulator rotated the pair when the refresh arrived: let its 14-s reply reach OBS before going on (a restart
# with the old refresh token would be signed out)
left=$((delayed_at + 16000 - $(now_ms)))
((left <= 0)) || sleep "$((left / 1000)).$(printf '%03d' $((left % 1000)))"
emu_post faults '{"route":"/v2/*","delay_ms":10000,"count":-1}' >/dev/null

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
