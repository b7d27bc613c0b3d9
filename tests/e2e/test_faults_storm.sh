#!/usr/bin/env bash
# e2e.faults_storm: storms of 500 and 429 from Restream.
#   500 storm     every /v2/ route answers 500 for 8 s while the user clicks (ListChannels, SetChannelEnabled,
#                 SetTitle, ListEvents, ApplyStreamSettings once a second) -> each click answers within 20 s with
#                 ok:false and a sentence, GetStatus stays within 1 s, the plugin sends at most 3 requests per click
#                 plus 10 (no retry storm), still signed in, and everything works again once the storm is over.
#   429 storm     the token endpoint answers 429 with Retry-After: 8 twice while the access token has expired
#                 -> each retry of the refresh comes at least 8 s after the previous 429 (the emulator's stamped
#                 log; the plugin's own first backoff is 5 s), the user stays signed in throughout, and the 3rd try
#                 refreshes the token.
#   429 on REST   every /v2/ route answers 429 (Retry-After: 6) -> ListEvents and SetChannelEnabled answer ok:false
#                 with "Restream asked us to wait 6 s"; clicked again at once, they answer within 1 s with the same
#                 sentence and nothing reaches Restream; no route is asked again sooner than 6 s after its 429 (also
#                 not after a token refresh); once the wait is over (and the 429s stop) both work again.
#   429, no budget   while ListEvents holds the wait budget (slow event lists), SetTitle and SetChannelEnabled meet
#                 the channels' Retry-After and fail with its sentence (not ok:true/pending); ListChannels whose
#                 session's first list got a 429 fails with the sentence (not an empty list); signing out and in
#                 again ends the pause (ListChannels and SetChannelEnabled work at once).
#   survives      after a restart: same user signed in, chat settings and OBS's stream server unchanged.
#   exit/secrets  OBS exits within 1 s of SIGINT right after the storms; no emulator secret in any OBS log.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-auth.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-chat.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-faults.sh"
e2e_init
faults_start
assert_json_eq "$(obs_vendor ListChannels)" .ok true

# ---- 500 storm while the user clicks
mark=$(now_ms)
emu_post faults '{"route":"/v2/*","status":500,"count":-1}' >/dev/null
clicks=0
click() {
	local r ms
	r=$(faults_timed_vendor "$@")
	ms=${r%% *}
	clicks=$((clicks + 1))
	assert_le "$ms" 20000 "$1 (ms) during the 500 storm"
	printf '%s\n' "$1 $r" >>"$E2E_TMP/clicks.log"
}
end=$((SECONDS + 8))
while ((SECONDS < end)); do
	click ListChannels
	click SetChannelEnabled '{"id":1000104,"enabled":true}'
	click SetTitle '{"title":"storm title","channelIds":"1000101"}'
	click ListEvents
	click ApplyStreamSettings '{"protocol":"rtmp"}'
	faults_assert_alive "500 storm"
	sleep 1
done
grep -q '"ok":false' "$E2E_TMP/clicks.log" || e2e_fail "no click failed during the 500 storm: $(head -c 1000 "$E2E_TMP/clicks.log")"
while read -r name ms json; do
	jq -e '.ok == true or ((.error // "") | length > 8)' >/dev/null <<<"$json" ||
		e2e_fail "$name failed without an error sentence during the 500 storm: $json"
done <"$E2E_TMP/clicks.log"
cp "$E2E_TMP/clicks.log" "$E2E_ART/clicks-500.log"
curl -fsS --max-time 5 -X DELETE "$RESTREAM_API_URL/_emu/faults" >/dev/null
sent=$(awk -v m="$mark" '$1 >= m && / \/v2\/.* -> 500/' "$FAULTS_STAMPED" | wc -l)
e2e_log "500 storm: $clicks clicks, $sent requests reached Restream"
assert_le "$sent" $((clicks * 3 + 10)) "requests to Restream during the 500 storm"
assert_json_eq "$(obs_vendor GetStatus)" .signedIn true
ok_again() { obs_vendor ListChannels | jq -e '.ok == true' >/dev/null; }
wait_until 15 ok_again || e2e_fail "ListChannels does not work again after the 500 storm: $(obs_vendor ListChannels)"

# ---- 429 storm on the token endpoint, with Retry-After: 8, while the access token has expired
emu_post faults '{"route":"/oauth/token","method":"POST","status":429,"retry_after":8,"count":2}' >/dev/null
emu_post reset-counters >/dev/null
mark=$(now_ms)
emu_post tokens/expire '{"which":"access"}' >/dev/null
emu_post sockets/drop '{"kind":"all"}' >/dev/null # the sockets reconnect, get 401 and ask for a refresh
polls=0
refreshed() { (($(emu_token_calls refresh_token count) >= 1)); }
deadline=$((SECONDS + 40))
until refreshed; do
	((SECONDS < deadline)) || e2e_fail "no refresh within 40 s of two 429s: $(emu_get faults)"
	assert_json_eq "$(obs_vendor GetStatus)" .signedIn true
	polls=$((polls + 1))
	sleep 0.5
done
times=$(awk -v m="$mark" '$1 >= m && /POST \/oauth\/token -> /' "$FAULTS_STAMPED" | awk '{print $1, $NF}')
e2e_log "token endpoint calls (ms status): $(tr '\n' ' ' <<<"$times")"
n429=$(grep -c ' 429$' <<<"$times" || true)
assert_eq "$n429" 2 "429 replies served"
gaps=$(awk 'p != "" && ps == 429 { print $1 - p } { p = $1; ps = $2 }' <<<"$times")
e2e_log "gaps after each 429 (ms): $(tr '\n' ' ' <<<"$gaps")"
[ "$(wc -l <<<"$gaps")" -ge 2 ] || e2e_fail "fewer than 2 retries after the 429s: $times"
while read -r g; do
	((g >= 7900)) || e2e_fail "a refresh came ${g} ms after a 429 with Retry-After: 8"
done <<<"$gaps"
assert_json_eq "$(obs_vendor GetStatus)" .signedIn true
chat_wait_link connected 30

# ---- 429 on every REST route: Retry-After is honoured by every feature, with a sentence that says so
mark=$(now_ms)
emu_post faults '{"route":"/v2/*","status":429,"retry_after":6,"count":-1}' >/dev/null
v2_count() { awk -v m="$mark" '$1 >= m && / \/v2\//' "$FAULTS_STAMPED" | wc -l; }
for click in 'ListEvents' 'SetChannelEnabled {"id":1000105,"enabled":true}'; do
	req=${click%% *}
	if [ "$req" = "$click" ]; then args=("$req"); else args=("$req" "${click#* }"); fi
	r=$(faults_timed_vendor "${args[@]}")
	e2e_log "$req during the REST 429s: ${r%% *} ms: ${r#* }"
	assert_le "${r%% *}" 4000 "$req (ms) during the REST 429s"
	assert_json "${r#* }" '.ok == false and (.error | test("asked us to wait [0-9]+ s"))' "$req says Restream asked us to wait"
	sleep 1
	before=$(v2_count)
	r=$(faults_timed_vendor "${args[@]}")
	e2e_log "$req again at once: ${r%% *} ms: ${r#* }"
	assert_le "${r%% *}" 1000 "$req (ms) again within the Retry-After"
	assert_json "${r#* }" '.ok == false and (.error | test("asked us to wait [1-6] s"))' "$req again says Restream asked us to wait"
	sleep 1
	assert_eq "$(v2_count)" "$before" "requests that reached Restream for $req again within its Retry-After"
done
emu_post tokens/expire '{"which":"access"}' >/dev/null
emu_post sockets/drop '{"kind":"all"}' >/dev/null # reconnect -> refresh -> features refetch on the new session
sleep 7
awk -v m="$mark" '$1 >= m && / \/v2\/.* -> 429/' "$FAULTS_STAMPED" >"$E2E_ART/rest-429.log"
curl -fsS --max-time 5 -X DELETE "$RESTREAM_API_URL/_emu/faults" >/dev/null
e2e_log "REST 429 storm: $(wc -l <"$E2E_ART/rest-429.log") requests"
[ -s "$E2E_ART/rest-429.log" ] || e2e_fail "no request met the REST 429 storm (the clicks did not reach Restream)"
for route in $(awk '{print $4}' "$E2E_ART/rest-429.log" | sort -u); do
	g=$(awk -v r="$route" '$4 == r { if (p != "") { g = $1 - p; if (min == "" || g < min) min = g } p = $1 } END { print min }' "$E2E_ART/rest-429.log")
	[ -z "$g" ] || ((g >= 5900)) || e2e_fail "the plugin asked $route again ${g} ms after a 429 with Retry-After: 6"
done
events_ok() { obs_vendor ListEvents | jq -e '.ok == true' >/dev/null; }
wait_until 10 events_ok || e2e_fail "ListEvents does not work again after the Retry-After: $(obs_vendor ListEvents)"
switch_ok() { obs_vendor SetChannelEnabled '{"id":1000105,"enabled":true}' | jq -e '.ok == true' >/dev/null; }
wait_until 10 switch_ok || e2e_fail "SetChannelEnabled does not work again after the Retry-After"
faults_assert_alive "after the 429 storms"
assert_json_eq "$(obs_vendor GetStatus)" .signedIn true

# ---- 429 while another request holds the wait budget: ListEvents waits (3 s) for slow event lists, and meanwhile
# SetTitle/SetChannelEnabled, which get no budget, meet the channels' Retry-After: they fail with its sentence (no
# "ok:true, pending:true" after the failure already went out as ChannelsChanged).
emu_post faults '{"route":"/v2/user/channel/1000107","method":"PATCH","status":429,"retry_after":20,"count":1}' >/dev/null
r=$(obs_vendor SetChannelEnabled '{"id":1000107,"enabled":true}')
assert_json "$r" '.ok == false and (.error | test("asked us to wait"))' "SetChannelEnabled meets the 429 (starts the pause)"
emu_post faults '{"route":"/v2/user/events/*","delay_ms":6000,"count":-1}' >/dev/null
(faults_timed_vendor ListEvents >"$E2E_TMP/holder.out") &
HOLDER=$!
e2e_track_pid "$HOLDER"
sleep 1
for click in 'SetTitle {"title":"held title","channelIds":"1000101"}' 'SetChannelEnabled {"id":1000108,"enabled":true}'; do
	r=$(faults_timed_vendor "${click%% *}" "${click#* }")
	e2e_log "${click%% *} without a budget during the pause: ${r%% *} ms: ${r#* }"
	assert_le "${r%% *}" 1000 "${click%% *} (ms) without a budget during the pause"
	assert_json "${r#* }" '.ok == false and (.error | test("asked us to wait [0-9]+ s"))' "${click%% *} without a budget says Restream asked us to wait"
done
wait "$HOLDER" || true
e2e_untrack_pid "$HOLDER"
e2e_log "the budget holder: $(cat "$E2E_TMP/holder.out")"
assert_json "$(cut -d' ' -f2- "$E2E_TMP/holder.out")" '.ok == true and ((.refreshError // "") | length > 8)' "ListEvents held the budget and answered from the cache"
curl -fsS --max-time 5 -X DELETE "$RESTREAM_API_URL/_emu/faults" >/dev/null

# ---- a first list refused with 429 is not "no channels" (asked without a budget: another request holds it), and a
# new session does not inherit the pause (30 s)
signed_out() { ! e2e_signed_in; }
obs_vendor SignOut >/dev/null
wait_until 10 signed_out || e2e_fail "SignOut did not sign out: $(obs_vendor GetStatus)"
emu_post faults '{"route":"/v2/user/channel/all","status":429,"retry_after":30,"count":1}' >/dev/null
e2e_sign_in 30
sleep 6 # past the 5 s after which a failed first fetch is tried again
emu_post faults '{"route":"/v2/user/events/*","delay_ms":6000,"count":-1}' >/dev/null
(faults_timed_vendor ListEvents >"$E2E_TMP/holder2.out") &
HOLDER=$!
e2e_track_pid "$HOLDER"
sleep 1
r=$(obs_vendor ListChannels)
e2e_log "ListChannels without a budget after a 429 on the session's first list: $r"
assert_json "$r" '.ok == false and (.error | test("asked us to wait [0-9]+ s"))' "ListChannels with no list under a pause fails with the wait sentence"
wait "$HOLDER" || true
e2e_untrack_pid "$HOLDER"
curl -fsS --max-time 5 -X DELETE "$RESTREAM_API_URL/_emu/faults" >/dev/null
obs_vendor SignOut >/dev/null
wait_until 10 signed_out || e2e_fail "SignOut did not sign out: $(obs_vendor GetStatus)"
e2e_sign_in 30
have_list() { obs_vendor ListChannels | jq -e '.ok == true and (.channels | length > 0)' >/dev/null; }
wait_until 10 have_list || e2e_fail "the pause outlived the session: $(obs_vendor ListChannels)"
r=$(obs_vendor SetChannelEnabled '{"id":1000107,"enabled":true}')
assert_json "$r" '.ok == true' "SetChannelEnabled works in the new session (the old pause is gone)"
obs_stop 1000

# ---- survives
obs_start
obs_wait_ready 30
faults_assert_survived
obs_stop 3000
faults_assert_no_secrets "the OBS logs and output" "$HOME/.config/obs-studio/logs" "$E2E_ART/obs.stdout"
e2e_pass
