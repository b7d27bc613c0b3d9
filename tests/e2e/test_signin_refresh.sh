#!/usr/bin/env bash
# e2e.signin_refresh: token lifecycle in real OBS against the emulator, one OBS run.
#   (3) refresh    access tokens living 5 s and every token reply held back 300 ms (so overlapping refreshes would be
#                  seen); for 45 s (RFO_SIGNIN_REFRESH_SECONDS; ~18 refreshes) GetStatus every second (always signedIn), ListEvents (hits Restream with the
#                  token every time) and ListChannels (cached 30 s, refetched on a new token) -> >= 5 refreshes, maxConcurrent 1, overlaps 0, no reused refresh token,
#                  no failed refresh, no AuthChanged event that is not signed in, and the API calls succeed.
#   (4) revoked    the emulator revokes the pair -> GetStatus reconnect_needed / signedIn false with an actionable
#                  lastError, the dock shows the Reconnect button with that message (OBS log line + screenshot), no
#                  new window (no pop-up), no retry loop, OBS still answers; signing in again works and refreshes go on.
#   (5) socket 401 right after a refresh, with the pair revoked -> reconnect_needed within 8 s (one refresh for the
#                  current token; no 10-s window after a new token hides it).
#   (7) secrets    none of the ~50 tokens, the codes or the client secret in the OBS log, responses, events or profile.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-auth.sh"
e2e_init
AUTH_RESPONSES="$E2E_TMP/vendor-responses.txt"
RUN_S=${RFO_SIGNIN_REFRESH_SECONDS:-45} # 5-s tokens are refreshed every ~2.5 s: ~18 refreshes, >= 5 asserted; (7) needs >= 40 secrets
auth_browser_install
auth_browser_follow on
emu_start --token-lifetime 5
obs_install_plugin
obs_start
obs_wait_ready

auth_begin
wait_until 20 e2e_signed_in || e2e_fail "not signed in within 20 s: $(auth_status)"
status=$(auth_status)
USERNAME=$(jq -r .user.username <<<"$status")
assert_eq "$USERNAME" "$(emu_profile | jq -r .username)" "username"
assert_eq "$(emu_get tokens | jq -r .accessLifetime)" 5 "the emulator's access-token lifetime"

# ---- (3) RUN_S of API calls while the access token is replaced every few seconds
emu_post oauth/delay '{"ms":300}' >/dev/null
emu_post reset-counters >/dev/null
auth_events_start
refreshed_before=$(grep -c 'access token refreshed' "$(obs_log_path)" || true)
not_signed_in=0 api_ok=0 api_fail=0 ch_ok=0 ch_fail=0
t_end=$((SECONDS + RUN_S))
for ((i = 1; SECONDS < t_end; i++)); do
	t0=$(now_ms)
	s=$(auth_status)
	if ! jq -e '.signedIn == true' >/dev/null <<<"$s"; then
		not_signed_in=$((not_signed_in + 1))
		e2e_log "poll $i: not signed in: $s"
	fi
	if jq -e '.ok == true' >/dev/null <<<"$(auth_vendor ListEvents)"; then
		api_ok=$((api_ok + 1))
	else
		api_fail=$((api_fail + 1))
		e2e_log "poll $i: ListEvents failed: $(tail -n 1 "$AUTH_RESPONSES")"
	fi
	if jq -e '.ok == true and (.channels | length > 0) and (.refreshError == null)' >/dev/null \
		<<<"$(auth_vendor ListChannels)"; then
		ch_ok=$((ch_ok + 1))
	else
		ch_fail=$((ch_fail + 1))
		e2e_log "poll $i: ListChannels failed or stale: $(tail -n 1 "$AUTH_RESPONSES" | cut -c1-300)"
	fi
	left=$((1000 - ($(now_ms) - t0)))
	((left > 0)) && sleep "$(printf '0.%03d' "$left")"
done
calls=$(emu_get received | jq -c '.tokenCalls.refresh_token')
e2e_log "$RUN_S s: $((i - 1)) polls, ListEvents ok $api_ok / failed $api_fail, ListChannels ok $ch_ok / failed $ch_fail; refresh calls: $calls"
assert_eq "$not_signed_in" 0 "GetStatus polls that were not signed in"
assert_json "$calls" '.count >= 5' "at least 5 refreshes in ${RUN_S}s"
assert_json_eq "$calls" .maxConcurrent 1
assert_json_eq "$calls" .overlaps 0
assert_json_eq "$calls" .reusedRefreshToken 0
assert_json_eq "$calls" .errors 0
assert_json "$(emu_get received)" '.tokenCalls.authorization_code.count // 0 | . == 0' "no new sign-in during the run"
((i - 1 >= RUN_S / 2)) || e2e_fail "only $((i - 1)) polls in $RUN_S s (one a second was the plan)"
refreshed=$(($(grep -c 'access token refreshed' "$(obs_log_path)") - refreshed_before))
# (the two counts are read a moment apart, and a refresh can land in between)
assert_json "$calls" ".count - $refreshed | . >= -1 and . <= 1" "refreshes logged by the plugin ($refreshed)"
# A ListEvents sent while a refresh is under way carries the old token, which Restream has already invalidated
# (rotation), and may be refused (seen about once a minute with 5 s tokens); more than that means stale tokens.
((api_ok >= (api_ok + api_fail) * 9 / 10)) || e2e_fail "ListEvents failed $api_fail times of $((api_ok + api_fail))"
((ch_ok >= (ch_ok + ch_fail) * 9 / 10)) || e2e_fail "ListChannels failed $ch_fail times of $((ch_ok + ch_fail))"
odd_events=$(grep -v '"signedIn":true' "$E2E_TMP/auth-events.1" || true)
[ -z "$odd_events" ] || e2e_fail "an AuthChanged event while refreshing was not signed in: ${odd_events:0:300}"
assert_json "$(auth_status)" '.lastError == ""' "no lastError after $RUN_S s of refreshes"
auth_events_stop

# ---- (4) Restream revokes the sign-in
emu_post oauth/delay '{"ms":0}' >/dev/null
windows_before=$(visible_windows)
[ -n "$windows_before" ] || e2e_fail "no visible window found on OBS's display (xdotool)"
emu_post tokens/revoke >/dev/null
wait_until 15 auth_state_is reconnect_needed || e2e_fail "not reconnect_needed 15 s after the revoke: $(auth_status)"
status=$(auth_status)
assert_json_eq "$status" .signedIn false
assert_json "$status" '.user == null' "no user after the revoke"
assert_json "$status" '.lastError | test("Reconnect")' "an actionable lastError (says to Reconnect)"
LAST_ERROR=$(jq -r .lastError <<<"$status")
obs_log_wait 'refresh refused \(HTTP 400, invalid_grant\): reconnect needed'
dock_log_wait 'Reconnect button shown; message: .*Reconnect'
grep -qF -- "dock: Reconnect button shown; message: $LAST_ERROR" "$(obs_log_path)" ||
	e2e_fail "the dock's message is not the lastError '$LAST_ERROR'"
obs_screenshot reconnect
sleep 0.5
assert_eq "$(visible_windows)" "$windows_before" "visible windows after the revoke (a pop-up?)"
obsws call GetVersion >/dev/null || e2e_fail "OBS stopped answering after the revoke"
obsws call GetSceneList >/dev/null || e2e_fail "OBS stopped answering GetSceneList after the revoke"
# calm: no retry loop against a revoked sign-in (tokens would have expired twice over)
n_refresh=$(emu_token_calls refresh_token count)
sleep 6
assert_eq "$(emu_token_calls refresh_token count)" "$n_refresh" "refresh calls while reconnect_needed"
assert_json_eq "$(auth_status)" .authState reconnect_needed
kill -0 "$OBS_PID" || e2e_fail "OBS is gone"

# ---- signing in again works and the new session keeps refreshing
calls_before=$(auth_browser_calls)
auth_begin
wait_until 20 e2e_signed_in || e2e_fail "signing in again failed: $(auth_status)"
assert_eq "$(auth_browser_calls)" $((calls_before + 1)) "browser calls for the new sign-in"
status=$(auth_status)
assert_json_eq "$status" .user.username "$USERNAME"
assert_json_eq "$status" .lastError ""
dock_log_wait "account page for \".*\" \\($USERNAME\\)"
(($(grep -c 'dock: account page for' "$(obs_log_path)") >= 2)) || e2e_fail "the dock did not show the account page again"
n_refresh=$(emu_token_calls refresh_token count)
wait_until 15 refreshes_above $((n_refresh + 1)) || e2e_fail "no refreshes after signing in again"
e2e_signed_in || e2e_fail "signed out after signing in again: $(auth_status)"
obs_screenshot signed-in-again

# ---- (5) revoked right after a refresh, noticed by a socket: its 401 is for the current token, so the plugin
# refreshes at once (invalid_grant -> reconnect_needed); no waiting out a window after the new token. Tokens now
# live an hour, so no timer refresh can be what notices it.
n_refresh=$(emu_token_calls refresh_token count)
emu_post tokens/lifetime '{"access_seconds":3600}' >/dev/null
wait_until 15 refreshes_above "$n_refresh" || e2e_fail "no refresh after the lifetime change"
# A refresh answered just before the change got a 5 s token and is followed by one more: the current token is an
# hour's once no refresh has come for 6 s (within 20 s).
quiet_n=$(emu_token_calls refresh_token count) quiet_t0=$SECONDS deadline=$((SECONDS + 20))
while ((SECONDS - quiet_t0 < 6)); do
	((SECONDS < deadline)) || e2e_fail "refreshes kept coming after the lifetime change to an hour"
	sleep 0.5
	n=$(emu_token_calls refresh_token count)
	[ "$n" = "$quiet_n" ] || { quiet_n=$n quiet_t0=$SECONDS; }
done
chat_up() { auth_status | jq -e '.chat == "connected"' >/dev/null 2>&1; }
wait_until 20 chat_up || e2e_fail "the chat socket did not connect with the new token: $(auth_status)"
rejected_before=$(grep -c 'the current access token was refused with 401' "$(obs_log_path)" || true)
emu_post tokens/revoke >/dev/null
emu_post sockets/drop '{"kind":"all"}' >/dev/null
t0=$(date +%s%N)
wait_until 8 auth_state_is reconnect_needed ||
	e2e_fail "a socket refused right after a refresh did not end the revoked session within 8 s: $(auth_status)"
ms=$((($(date +%s%N) - t0) / 1000000))
e2e_log "(5) revoked right after a refresh: reconnect_needed ${ms} ms after the sockets were dropped"
rejected=$(($(grep -c 'the current access token was refused with 401' "$(obs_log_path)") - rejected_before))
((rejected >= 1)) || e2e_fail "no 401 for the current token was reported after the revoke"
assert_json "$(auth_status)" '.lastError | test("Reconnect")' "an actionable lastError after the socket's 401"
obs_stop 3000

# (7) with this many rotations too: no token, code or client secret outside the token file
auth_collect_secrets
((AUTH_SECRET_COUNT >= 40)) || e2e_fail "only $AUTH_SECRET_COUNT secrets collected from the emulator"
grep_secrets "the OBS log" "$HOME/.config/obs-studio/logs" "$E2E_ART/obs.stdout"
grep_secrets "a vendor response" "$AUTH_RESPONSES"
grep_secrets "an AuthChanged event" "$E2E_TMP"/auth-events.*
grep_secrets "the OBS profile, scenes or global.ini" "$HOME/.config/obs-studio/basic" "$HOME/.config/obs-studio/global.ini"
e2e_log "no secret ($AUTH_SECRET_COUNT values) in the OBS log, $(wc -l <"$AUTH_RESPONSES") vendor responses, events or profile"
e2e_pass
