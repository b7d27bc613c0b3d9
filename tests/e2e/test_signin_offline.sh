#!/usr/bin/env bash
# e2e.signin_offline: OBS starts normally while Restream cannot be reached, and a signed-in streamer stays signed in.
#   hanging     every API route of the emulator holds its reply for 60 s and the stored access token has expired -> OBS starts as fast as usual, obs-websocket and GetStatus answer
#               at once, the stored session is kept (signedIn), and OBS still quits within 1 s of SIGINT while that
#               refresh hangs.
#   5xx         the emulator answers /oauth/token with 503 once (the stored access token has expired) -> "retrying"
#               with backoff, signed in the whole time (GetStatus every 0.5 s) with a lastError saying Restream is not
#               answering, then the refresh succeeds and lastError is empty; no sign-in was asked for (no browser).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-auth.sh"
e2e_init
AUTH_RESPONSES="$E2E_TMP/vendor-responses.txt"
auth_browser_install
auth_browser_follow on
emu_start --token-lifetime 5
obs_install_plugin
obs_start
obs_wait_ready
READY_ONLINE_MS=$OBS_READY_MS
auth_begin
wait_until 20 e2e_signed_in || e2e_fail "not signed in within 20 s: $(auth_status)"
USERNAME=$(auth_status | jq -r .user.username)
obs_stop 3000
calls_before=$(auth_browser_calls)

# ---- Restream hangs (every API route holds its reply 60 s, then 503, without doing anything: a frozen process would
# rotate the pair when it wakes up, and the lost reply would sign the user out — inherent to rotating tokens); the
# stored access token has expired
emu_post faults '{"route":"/*","status":503,"delay_ms":60000,"count":-1}' >/dev/null
sleep 5.5
obs_start
obs_wait_ready
e2e_log "OBS ready after $OBS_READY_MS ms with Restream hanging ($READY_ONLINE_MS ms before)"
((OBS_READY_MS <= READY_ONLINE_MS + 5000)) || e2e_fail "OBS took $OBS_READY_MS ms to start with Restream unreachable"
t0=$(now_ms)
status=$(auth_status)
rtt=$(($(now_ms) - t0))
assert_le "$rtt" 1000 "GetStatus round trip (ms) while Restream hangs"
assert_json_eq "$status" .signedIn true
assert_json_eq "$status" .user.username "$USERNAME"
assert_log_contains 'restored the stored sign-in \(file\)'
obsws call GetSceneList >/dev/null || e2e_fail "OBS does not answer GetSceneList while Restream hangs"
sleep 1
assert_json_eq "$(auth_status)" .signedIn true
obs_screenshot restream-unreachable
hung=$(emu_get faults | jq '[.[] | .hits] | add')
((hung >= 1)) || e2e_fail "the plugin sent nothing to the hanging Restream (fault hits: $hung)"
obs_stop 1000 # the design's limit, although a refresh is hanging (the other stops in these tests allow 3 s)
curl -fsS --max-time 5 -X DELETE "$RESTREAM_API_URL/_emu/faults" >/dev/null

# ---- Restream answers 503 once: retry with backoff, stay signed in
emu_post faults '{"route":"/oauth/token","method":"POST","status":503,"count":1}' >/dev/null
emu_post reset-counters >/dev/null
obs_start
obs_wait_ready
polls=0 notes=0
refreshed_ok() { obs_log_has 'access token refreshed'; }
deadline=$((SECONDS + 20))
until refreshed_ok; do
	((SECONDS < deadline)) || e2e_fail "no successful refresh within 20 s after the 503: $(auth_status)"
	s=$(auth_status)
	jq -e '.signedIn == true' >/dev/null <<<"$s" || e2e_fail "signed out while Restream answered 503: $s"
	jq -e '.lastError | test("not answering")' >/dev/null <<<"$s" && notes=$((notes + 1))
	polls=$((polls + 1))
	sleep 0.5
done
assert_log_contains 'refresh failed \(.*\); retrying in 5\.0 s' "OBS log (backoff after the 503)"
assert_json "$(emu_get faults)" '[.[] | select(.route == "/oauth/token")][0].hits == 1' "the 503 was served"
assert_json "$(emu_get received)" '.tokenCalls.refresh_token | .count == 1 and .errors == 0' "one refresh reached the token route after the 503 (faulted calls are not counted)"
e2e_log "signed in through the 503 and its retry ($polls GetStatus polls, $notes said Restream is not answering)"
((notes >= 1)) || e2e_fail "GetStatus never said that Restream is not answering during the backoff"
assert_json_eq "$(auth_status)" .signedIn true
assert_json_eq "$(auth_status)" .lastError ""
# the dock's note (if it was shown) is gone: its last line is the plain account page
last_dock_is_plain() {
	local l
	l=$(grep -h 'restream-for-obs\] dock:' "$(obs_log_path)" | tail -n 1)
	[[ "$l" == *"dock: account page for \"$USERNAME\" ($USERNAME)" ]]
}
wait_until 5 last_dock_is_plain || e2e_fail "the dock still shows a note after the refresh: $(grep -h 'dock:' "$(obs_log_path)" | tail -n 1)"
assert_json_eq "$(auth_vendor ListEvents)" .ok true
assert_eq "$(auth_browser_calls)" "$calls_before" "browser calls (no sign-in was asked for)"
obs_stop 3000
e2e_pass
