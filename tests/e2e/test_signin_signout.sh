#!/usr/bin/env bash
# e2e.signin_signout: signing out and cancelling in real OBS while Restream is slow.
#   quit       signed in, a refresh hanging at the token endpoint, SignOut and then OBS quits at once (the revoke
#              held up by the network): tokens.json and a crash's leftover temp file are gone within 1 s of SignOut
#              (not when the refresh times out), the plugin stops within 200 ms, revoke-pending.json (0600) holds the refresh
#              token; the next start sends that revoke, removes the file and stays signed out.
#   cancel     signed in, a second sign-in whose code exchange takes 1.5 s is cancelled by starting another one:
#              the stored session is still the first one (the cancelled pair is never written), and after a restart
#              the user is signed in with it (not "reconnect needed").
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-auth.sh"
e2e_init
AUTH_RESPONSES="$E2E_TMP/vendor-responses.txt"
export RFO_TOKEN_STORE=file
auth_browser_install
emu_start --token-lifetime 8
obs_install_plugin
obs_start
obs_wait_ready
TOKEN_FILE=$(auth_token_file)
PENDING="$(dirname "$TOKEN_FILE")/revoke-pending.json"
in_flight() { (($(emu_token_calls "$1" inFlight) > 0)); }
none_in_flight() { (($(emu_token_calls "$1" inFlight) == 0)); }

# ---- quit: SignOut while a refresh hangs, then OBS quits before the revoke got through
auth_browser_follow on
auth_begin
wait_until 20 e2e_signed_in || e2e_fail "not signed in: $(auth_status)"
auth_read_tokens
emu_post oauth/delay '{"ms":20000}' >/dev/null
emu_post faults '{"route":"/oauth/revoke","delay_ms":5000,"count":1}' >/dev/null
wait_until 10 in_flight refresh_token || e2e_fail "no refresh went out (8-s tokens)"
grep -qF -- "$REFRESH" "$TOKEN_FILE" || e2e_fail "$TOKEN_FILE does not hold the refresh token"
LEFT="$(dirname "$TOKEN_FILE")/.tokens.json.99999.1.abc"
cp "$TOKEN_FILE" "$LEFT" # what a crash between create and rename leaves
t0=$(now_ms)
assert_json_eq "$(auth_vendor SignOut)" .ok true
wait_until 1 test ! -e "$TOKEN_FILE" || e2e_fail "tokens.json still there 1 s after SignOut (a refresh hanging)"
gone_ms=$(($(now_ms) - t0))
wait_until 1 test ! -e "$LEFT" || e2e_fail "the leftover temp file is still there after SignOut"
e2e_log "tokens.json removed $gone_ms ms after SignOut while a refresh was hanging"
assert_json_eq "$(auth_status)" .authState signed_out
auth_stop_obs 200 # with a refresh and a revoke hanging
[ -f "$PENDING" ] || e2e_fail "no $PENDING after quitting before the revoke went through"
assert_eq "$(stat -c %a "$PENDING")" 600 "mode of revoke-pending.json"
grep -qF -- "$REFRESH" "$PENDING" || e2e_fail "revoke-pending.json does not hold the refresh token"
[ ! -e "$TOKEN_FILE" ] || e2e_fail "tokens.json came back"

emu_post oauth/delay '{"ms":0}' >/dev/null
curl -fsS -X DELETE "$RESTREAM_API_URL/_emu/faults" >/dev/null
revoked() { emu_get received | jq -e --arg t "$REFRESH" '[.revokes.log[] | select(.token == $t and .matched)] | length > 0' >/dev/null; }
obs_start
obs_wait_ready
wait_until 10 revoked || e2e_fail "the pending revoke was not sent at the next start: $(emu_get received | jq -c .revokes)"
wait_until 5 test ! -e "$PENDING" || e2e_fail "revoke-pending.json left after the revoke went through"
obs_log_wait 'revoke\(s\) from an earlier sign-out still to send'
sleep 1
status=$(auth_status)
assert_json_eq "$status" .authState signed_out
assert_json_eq "$status" .signedIn false

# ---- cancel: a second sign-in cancelled during its code exchange does not replace the stored session
# (hour-long tokens from here on: no timer refresh may be cut off by the restart, which would rotate the pair away)
emu_post tokens/lifetime '{"access_seconds":3600}' >/dev/null
auth_begin
wait_until 20 e2e_signed_in || e2e_fail "not signed in: $(auth_status)"
auth_read_tokens
FIRST_REFRESH=$REFRESH
emu_post oauth/delay '{"ms":1500}' >/dev/null
auth_browser_follow off
auth_begin
auth_browser_follow on
"$BROWSER" "$AUTH_URL"
wait_until 10 in_flight authorization_code || e2e_fail "the second sign-in's code exchange did not start"
auth_browser_follow off
auth_begin # the user starts over: the exchange under way belongs to a cancelled attempt
wait_until 10 none_in_flight authorization_code || e2e_fail "the code exchange did not end"
sleep 1
grep -qF -- "$FIRST_REFRESH" "$TOKEN_FILE" || e2e_fail "the stored session is not the first one any more (the cancelled pair was written)"
emu_post oauth/delay '{"ms":0}' >/dev/null
auth_stop_obs
obs_start
obs_wait_ready
e2e_wait_signed_in 20
assert_json_eq "$(auth_status)" .authState signed_in
auth_stop_obs

auth_collect_secrets
grep_secrets "the OBS logs" "$HOME/.config/obs-studio/logs"
grep_secrets "a vendor response" "$AUTH_RESPONSES"
e2e_pass
