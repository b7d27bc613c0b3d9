#!/usr/bin/env bash
# e2e.signin: "Sign in with Restream" in real OBS against the emulator — one OBS run, then a restart with the same
# HOME. No Secret Service runs (no session bus), so the token file backend is used (the other half of point 9).
#   (8) listener   while a sign-in is pending, its port listens on 127.0.0.1 only: every non-loopback address of
#                  the machine (hostname -I) refuses the connection, while 127.0.0.1 accepts it and obs-websocket
#                  (listening on all addresses) is reachable on each of them.
#   (5) state      /callback?code=x&state=wrong and /callback?code=x (no state) -> HTTP 400, no
#                  authorization_code call reaches the emulator, and the listener KEEPS WAITING (still signing_in,
#                  no lastError): the real redirect that follows signs in (sign-in (1) below after one more such
#                  callback); 20 idle connections to the listener do not keep the browser's redirect out.
#   denial/error   a denial in the browser and an error redirect -> a clear message on the page, in lastError and in
#                  the dock; no token request.
#   (1) sign-in    BeginSignIn -> the BROWSER script is opened with the authorize URL and follows it -> GetStatus
#                  signedIn with the emulator's user, the dock shows the account page with display name + username;
#                  tokens.json is 0600 in a 0700 folder and holds the current pair; no token is anywhere else in
#                  HOME (OBS profile, scenes, global.ini, logs).
#   (2) restart    OBS restarted with the same HOME -> signed in again from the file, the browser not opened, no new
#                  code exchange.
#   (6) sign-out   SignOut -> signed out at once, the stored refresh token revoked at the emulator, tokens.json gone.
#   (7) secrets    no access/refresh token, code or client secret in the OBS logs (both runs), OBS's stdout, any
#                  vendor response or AuthChanged event of the test, or anywhere in HOME.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-auth.sh"
e2e_init
AUTH_RESPONSES="$E2E_TMP/vendor-responses.txt"
unset RFO_TOKEN_STORE
auth_browser_install
emu_start
obs_install_plugin
obs_start
obs_wait_ready
auth_events_start
TOKEN_FILE=$(auth_token_file)

# ---- signed out at first
status=$(auth_status)
assert_json_eq "$status" .ok true
assert_json_eq "$status" .signedIn false
assert_json_eq "$status" .authState signed_out
assert_json "$status" '.user == null' "no user while signed out"
dock_log_wait 'Sign in button shown'

# ---- (8) a pending sign-in's listener is reachable on loopback only
auth_browser_follow off
auth_begin
wait_until 10 browser_calls_are 1 || e2e_fail "BeginSignIn did not open the browser (BROWSER script)"
assert_eq "$(head -n 1 "$AUTH_BROWSER_CALLS")" "$AUTH_URL" "URL the browser was opened with"
assert_json_eq "$(auth_status)" .authState signing_in
dock_log_wait 'waiting for the browser'
obs_screenshot signing-in
socks=$(listener_sockets "$AUTH_PORT")
e2e_log "listener port $AUTH_PORT, listening sockets: $(tr '\n' ' ' <<<"$socks")"
assert_eq "$socks" "$(printf '0100007F:%04X' "$AUTH_PORT")" "the listener's sockets (/proc/net/tcp*)"
tcp_connects 127.0.0.1 "$AUTH_PORT" || e2e_fail "the listener does not accept on 127.0.0.1:$AUTH_PORT"
addrs=$(non_loopback_addrs)
checked=0
for a in $addrs; do
	# control: obs-websocket listens on every address, so this address is reachable from here
	tcp_connects "$a" "$OBS_PORT" || e2e_fail "control: obs-websocket's port $OBS_PORT is not reachable on $a"
	if tcp_connects "$a" "$AUTH_PORT"; then
		e2e_fail "the sign-in listener accepted a connection on the non-loopback address $a:$AUTH_PORT"
	fi
	checked=$((checked + 1))
done
e2e_log "listener refused on $checked non-loopback address(es): $(tr '\n' ' ' <<<"$addrs")"
((checked > 0)) || e2e_log "note: this machine has no non-loopback address; only the socket table was checked"

# ---- (5) a callback with a wrong or no state is answered 400 without any token request; the listener keeps waiting
codes_before=$(emu_token_calls authorization_code count)
http=$(curl -sS --max-time 5 -o "$E2E_TMP/wrong-state.html" -w '%{http_code}' \
	"http://127.0.0.1:$AUTH_PORT/callback?code=x&state=wrong")
assert_eq "$http" 400 "HTTP status of a callback with a wrong state"
assert_file_contains "$E2E_TMP/wrong-state.html" 'not valid any more' "the rejection page"
obs_log_wait 'sign-in redirect rejected \(state mismatch\); still waiting for the browser'
http=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$AUTH_PORT/callback?code=x")
assert_eq "$http" 400 "HTTP status of a callback without state"
obs_log_wait 'sign-in redirect rejected \(state missing\)'
sleep 1
[ -n "$(listener_sockets "$AUTH_PORT")" ] || e2e_fail "the listener closed after a callback without the right state"
status=$(auth_status)
assert_json_eq "$status" .authState signing_in
assert_json_eq "$status" .lastError ""
assert_eq "$(emu_token_calls authorization_code count)" "$codes_before" "authorization_code calls after the wrong state"
assert_eq "$(auth_browser_codes | wc -l)" 0 "codes the browser carried"

# ---- a denial in the browser, and an error redirect: a clear message in the dock and on the page, no token request
emu_post oauth/deny '{"enabled":true}' >/dev/null
auth_browser_follow on
auth_begin
wait_until 10 browser_calls_are 2 || e2e_fail "BeginSignIn did not open the browser"
wait_until 10 auth_state_is signed_out || e2e_fail "a denied sign-in did not end: $(auth_status)"
assert_json "$(auth_status)" '.lastError | test("cancelled")' "lastError after a denial"
dock_log_wait 'Sign in button shown; message: Sign-in was cancelled'
wait_until 5 test -s "$AUTH_BROWSER_DIR/results" || e2e_fail "the browser got no answer from the listener"
assert_eq "$(tail -n 1 "$AUTH_BROWSER_DIR/results")" 200 "HTTP status of the denial page"
assert_file_contains "$AUTH_BROWSER_DIR/page.html" 'Sign-in was cancelled' "the listener's denial page"
emu_post oauth/deny '{"enabled":false}' >/dev/null
auth_browser_follow off
auth_begin
wait_until 10 browser_calls_are 3 || e2e_fail "BeginSignIn did not open the browser"
http=$(curl -sS --max-time 5 -o "$E2E_TMP/error.html" -w '%{http_code}' \
	"http://127.0.0.1:$AUTH_PORT/callback?error=temporarily_unavailable&error_description=nope&state=$AUTH_STATE")
assert_eq "$http" 200 "HTTP status of an error redirect"
assert_file_contains "$E2E_TMP/error.html" 'Restream reported an error' "the listener's error page"
wait_until 5 auth_state_is signed_out || e2e_fail "an error redirect did not end the sign-in: $(auth_status)"
assert_json "$(auth_status)" '.lastError | test("refused the sign-in \\(temporarily_unavailable\\)")' "lastError after an error redirect"
dock_log_wait 'Sign in button shown; message: Restream refused the sign-in \(temporarily_unavailable\)'
assert_eq "$(emu_token_calls authorization_code count)" "$codes_before" "authorization_code calls after a denial/error"

# ---- (1) sign in through the BROWSER script: first a forged callback and 20 idle connections, which must not
# end the sign-in or keep the browser's redirect out
auth_browser_follow off
auth_begin
wait_until 10 browser_calls_are 4 || e2e_fail "the fourth BeginSignIn did not open the browser"
assert_eq "$(tail -n 1 "$AUTH_BROWSER_CALLS")" "$AUTH_URL" "URL the browser was opened with"
http=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$AUTH_PORT/callback?code=x&state=forged")
assert_eq "$http" 400 "HTTP status of a forged callback"
idle_pids=()
for _ in $(seq 20); do
	timeout 60 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"; sleep 60' "$AUTH_PORT" 2>/dev/null &
	idle_pids+=($!)
	e2e_track_pid "$!"
done
sleep 0.5
t0=$(now_ms)
auth_browser_follow on
"$BROWSER" "$AUTH_URL"
wait_until 20 e2e_signed_in || e2e_fail "not signed in within 20 s: $(auth_status); browser: $(cat "$AUTH_BROWSER_DIR"/results 2>/dev/null)"
e2e_log "signed in $(($(now_ms) - t0)) ms after the browser was sent to Restream, with 20 idle connections open"
for p in "${idle_pids[@]}"; do stop_pid "$p" TERM 2; done
assert_eq "$(tail -n 1 "$AUTH_BROWSER_DIR/results")" 200 "HTTP status of the listener's page"
assert_file_contains "$AUTH_BROWSER_DIR/page.html" 'You can close this tab' "the listener's success page"
assert_eq "$(emu_token_calls authorization_code count)" $((codes_before + 1)) "authorization_code calls"
assert_eq "$(emu_token_calls authorization_code errors)" 0 "authorization_code errors"
profile=$(emu_profile)
status=$(auth_status)
assert_json_eq "$status" .signedIn true
assert_json_eq "$status" .authState signed_in
assert_json_eq "$status" .user.username "$(jq -r .username <<<"$profile")"
assert_json_eq "$status" .user.id "$(jq -r .id <<<"$profile")"
assert_json "$status" '.user.displayName | length > 0' "user.displayName"
assert_json_eq "$status" .lastError ""
USERNAME=$(jq -r .user.username <<<"$status")
DISPLAY_NAME=$(jq -r .user.displayName <<<"$status")
dock_log_wait "account page for \"$DISPLAY_NAME\" \\($USERNAME\\)"
wait_until 5 listener_closed "$AUTH_PORT" || e2e_fail "the listener stayed open after sign-in"
obs_screenshot signed-in

auth_read_tokens
[ -f "$TOKEN_FILE" ] || e2e_fail "no token file $TOKEN_FILE (file backend)"
assert_eq "$(stat -c %a "$TOKEN_FILE")" 600 "mode of $TOKEN_FILE"
assert_eq "$(stat -c %a "$(dirname "$TOKEN_FILE")")" 700 "mode of the token folder"
assert_eq "$(stat -c %u "$TOKEN_FILE")" "$(id -u)" "owner of $TOKEN_FILE"
grep -qF -- "$REFRESH" "$TOKEN_FILE" || e2e_fail "$TOKEN_FILE does not hold the current refresh token"
grep -qF -- "$ACCESS" "$TOKEN_FILE" || e2e_fail "$TOKEN_FILE does not hold the current access token"
assert_log_contains 'sign-in is stored in the config folder' "OBS log (token backend)"
if hit=$(grep -rlF --exclude=tokens.json -e "$REFRESH" -e "$ACCESS" "$HOME"); then
	e2e_fail "a token is stored outside tokens.json: $hit"
fi
ls "$HOME/.config/obs-studio/basic/profiles/Untitled/" >/dev/null || e2e_fail "no OBS profile folder"

# ---- (2) restart: restored from the file, no browser, no code exchange
calls_before=$(auth_browser_calls)
codes_before=$(emu_token_calls authorization_code count)
auth_events_stop
obs_stop 3000
obs_start
obs_wait_ready
auth_events_start
e2e_wait_signed_in 20
status=$(auth_status)
assert_json_eq "$status" .user.username "$USERNAME"
assert_json_eq "$status" .user.displayName "$DISPLAY_NAME"
assert_log_contains 'restored the stored sign-in \(file\)' "OBS log after the restart"
dock_log_wait "account page for \"$DISPLAY_NAME\" \\($USERNAME\\)"
sleep 1
assert_eq "$(auth_browser_calls)" "$calls_before" "browser calls after the restart"
assert_eq "$(emu_token_calls authorization_code count)" "$codes_before" "authorization_code calls after the restart"
obs_screenshot restored

# ---- (6) sign-out: revoke reached the emulator, storage gone, signed out
auth_read_tokens
grep -qF -- "$REFRESH" "$TOKEN_FILE" || e2e_fail "$TOKEN_FILE does not hold the current refresh token before SignOut"
revokes_before=$(emu_revokes)
assert_json_eq "$(auth_vendor SignOut)" .ok true
status=$(auth_status)
assert_json_eq "$status" .signedIn false
assert_json "$status" '.user == null' "no user after SignOut"
wait_until 10 revokes_above "$revokes_before" || e2e_fail "no revoke reached the emulator"
last=$(emu_get received | jq -c '.revokes.log[-1]')
assert_json_eq "$last" .token "$REFRESH"
assert_json_eq "$last" .matched true
assert_json_eq "$(emu_get tokens | jq -c --arg r "$REFRESH" '[.all[] | select(.refreshToken == $r)][0]')" .revoked true
wait_until 10 test ! -e "$TOKEN_FILE" || e2e_fail "$TOKEN_FILE still exists after SignOut"
left=$(ls -A "$(dirname "$TOKEN_FILE")")
[[ "$left" != *tokens* ]] || e2e_fail "a token file is left: $left"
obs_log_wait 'sign-in revoked at Restream'
sockets_closed() { emu_get sockets | jq -e '.chat.connections == 0 and .streaming.connections == 0' >/dev/null; }
wait_until 10 sockets_closed || e2e_fail "connections to Restream left open after SignOut: $(emu_get sockets)"
dock_log_wait 'Sign in button shown'
assert_json_eq "$(auth_status)" .authState signed_out

# ---- (7) no secret anywhere the plugin writes or answers
auth_events_stop
obs_stop 3000
auth_collect_secrets
((AUTH_SECRET_COUNT >= 4)) || e2e_fail "only $AUTH_SECRET_COUNT secrets collected from the emulator"
assert_eq "$(auth_browser_codes | wc -l)" 1 "codes the browser carried"
nresp=$(wc -l <"$AUTH_RESPONSES")
((nresp >= 10)) || e2e_fail "only $nresp vendor responses recorded"
nev=$(cat "$E2E_TMP"/auth-events.* | grep -c . || true)
((nev >= 3)) || e2e_fail "only $nev AuthChanged events recorded"
grep_secrets "the OBS logs" "$HOME/.config/obs-studio/logs"
grep_secrets "OBS's stdout/stderr" "$E2E_ART/obs.stdout"
grep_secrets "a vendor response" "$AUTH_RESPONSES"
grep_secrets "an AuthChanged event" "$E2E_TMP"/auth-events.*
grep_secrets "HOME (OBS profile, scenes, plugin config)" "$HOME"
e2e_log "no secret ($AUTH_SECRET_COUNT values) in 2 OBS logs, $nresp vendor responses, $nev events or HOME"
e2e_pass
