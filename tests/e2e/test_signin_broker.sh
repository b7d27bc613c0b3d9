#!/usr/bin/env bash
# e2e.signin_broker: sign-in through the token broker (restream-token-broker) against the strict emulator, whose
# broker client has a secret that only the broker knows and whose one registered redirect URI is the broker's
# /redirect.
#   sign-in    BeginSignIn's authorize URL carries redirect_uri=<broker>/redirect and state=<port>.<64 hex>, the
#              listener listens on 127.0.0.1:<port> (the port in the state); Restream -> broker /redirect ->
#              http://127.0.0.1:<port>/callback -> signed in; the code exchange went through the broker.
#   no secret  neither the broker client's secret nor the app client's is in OBS's environment (/proc/<obs>/environ),
#              command line, OBS log, the plugin's config folder (settings) or any vendor response.
#   refresh    5-second tokens refresh through the broker for 40 s (every ~2.5 s: >= 12 refreshes): signed in all along, never a refresh token used
#              twice (the emulator rotates and refuses reuse), never two refreshes at once, no refresh error.
#   sign-out   SignOut revokes through the broker (the emulator sees the broker client's credentials on /revoke).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-auth.sh"
e2e_init
AUTH_RESPONSES="$E2E_TMP/vendor-responses.txt"
AUTH_BROWSER_DIR="$E2E_TMP/browser" # no browser script here: curl follows the whole chain below
BIN="$RFO_BUILD_DIR/broker/restream-token-broker"
[ -x "$BIN" ] || e2e_fail "$BIN not built (-DRFO_BUILD_BROKER=ON)"

# ---- the broker client: its secret in a 0600 file that the emulator and the broker read, nobody else
SECRET_FILE="$E2E_TMP/broker-client-secret"
(umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$SECRET_FILE")
BROKER_SECRET=$(cat "$SECRET_FILE")
BCID="emu-broker-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
BPORT=$(free_port)
BROKER_URL="http://127.0.0.1:$BPORT"
emu_start --token-lifetime 5 --broker-client-id "$BCID" --broker-client-secret-file "$SECRET_FILE" \
	--broker-redirect-uri "$BROKER_URL/redirect"
APP_SECRET=$RESTREAM_CLIENT_SECRET

"$BIN" --listen "127.0.0.1:$BPORT" --public-url "$BROKER_URL" --upstream "$RESTREAM_API_URL" --client-id "$BCID" \
	--client-secret-file "$SECRET_FILE" >"$E2E_TMP/broker.out" 2>"$E2E_ART/broker.log" </dev/null &
BROKER_PID=$!
e2e_track_pid "$BROKER_PID"
wait_until 10 grep -qx READY "$E2E_TMP/broker.out" || e2e_fail "the broker did not start: $(tail -n 3 "$E2E_ART/broker.log")"

# ---- OBS in broker mode: a client id and the broker's URL, no secret anywhere
unset RESTREAM_CLIENT_SECRET RESTREAM_TOKEN_URL RESTREAM_REDIRECT_PORT
export RESTREAM_CLIENT_ID=$BCID RESTREAM_BROKER_URL=$BROKER_URL
obs_install_plugin
obs_start
obs_wait_ready
assert_log_contains "sign-in mode: token broker \\($BROKER_URL\\)" "OBS log (mode)"

resp=$(auth_vendor BeginSignIn)
assert_json_eq "$resp" .ok true
URL=$(jq -r .authorizeUrl <<<"$resp")
assert_contains "$URL" "redirect_uri=http%3A%2F%2F127.0.0.1%3A$BPORT%2Fredirect&" "authorizeUrl's redirect_uri (the broker's)"
assert_contains "$URL" "client_id=$BCID&" "authorizeUrl's client_id"
STATE=$(auth_url_param "$URL" state)
[[ "$STATE" =~ ^([0-9]+)\.[0-9a-f]{64}$ ]] || e2e_fail "state '$STATE' is not <port>.<64 hex digits>"
LPORT=${BASH_REMATCH[1]}
assert_eq "$(listener_sockets "$LPORT")" "$(printf '0100007F:%04X' "$LPORT")" "the listener of the port in the state"
page=$(curl -sSL --max-time 15 -o "$E2E_TMP/page.html" -w '%{http_code} %{url_effective}' "$URL")
assert_eq "${page%% *}" 200 "the browser's last page (the plugin's listener)"
[[ "${page#* }" == "http://127.0.0.1:$LPORT/callback?code="* ]] || e2e_fail "the broker did not send the browser to the listener: $page"
wait_until 20 e2e_signed_in || e2e_fail "not signed in through the broker: $(auth_status)"
assert_eq "$(emu_token_calls authorization_code errors)" 0 "code exchange errors"
grep -qE 'access: POST /token 200' "$E2E_ART/broker.log" || e2e_fail "the code exchange did not go through the broker"
e2e_log "signed in through the broker (listener port $LPORT carried in the state)"

# ---- no secret in the plugin's environment, command line, config, log or answers
for s in "$BROKER_SECRET" "$APP_SECRET"; do
	if tr '\0' '\n' <"/proc/$OBS_PID/environ" | grep -qF -- "$s"; then e2e_fail "a client secret is in OBS's environment"; fi
	if tr '\0' '\n' <"/proc/$OBS_PID/cmdline" | grep -qF -- "$s"; then e2e_fail "a client secret is in OBS's command line"; fi
	if grep -rqF -- "$s" "$HOME/.config/obs-studio"; then e2e_fail "a client secret is in OBS's config or logs"; fi
	if grep -qF -- "$s" "$AUTH_RESPONSES"; then e2e_fail "a client secret is in a vendor response"; fi
done
if tr '\0' '\n' <"/proc/$OBS_PID/environ" | grep -q '^RESTREAM_CLIENT_SECRET='; then
	e2e_fail "RESTREAM_CLIENT_SECRET is set for OBS"
fi

# ---- 40 s of 5-second tokens, refreshed through the broker (at half their life: >= 12 refreshes)
RUN_S=${RFO_SIGNIN_BROKER_SECONDS:-40}
r0=$(emu_token_calls refresh_token count)
t_end=$(($(now_ms) + RUN_S * 1000))
while (($(now_ms) < t_end)); do
	assert_json_eq "$(auth_status)" .signedIn true
	sleep 5
done
refreshes=$(($(emu_token_calls refresh_token count) - r0))
received=$(emu_get received)
e2e_log "$RUN_S s through the broker: $refreshes refreshes; $(jq -c '.tokenCalls.refresh_token | {errors, reusedRefreshToken, maxConcurrent, overlaps}' <<<"$received")"
((refreshes >= 12)) || e2e_fail "only $refreshes refreshes in $RUN_S s of 5-second tokens"
assert_json_eq "$received" .tokenCalls.refresh_token.reusedRefreshToken 0
assert_json_eq "$received" .tokenCalls.refresh_token.errors 0
assert_json_eq "$received" .tokenCalls.refresh_token.maxConcurrent 1
assert_json_eq "$(auth_status)" .authState signed_in
through=$(grep -c 'access: POST /token 200' "$E2E_ART/broker.log")
((through >= refreshes + 1)) || e2e_fail "only $through token calls went through the broker for $refreshes refreshes"

# ---- sign-out revokes through the broker (the pair may rotate up to the last moment: what counts is that no live
# pair is left at Restream, and that the revoke came with the broker client's credentials)
auth_read_tokens
revokes_before=$(emu_revokes)
assert_json_eq "$(auth_vendor SignOut)" .ok true
wait_until 10 revokes_above "$revokes_before" || e2e_fail "no revoke reached the emulator"
live_pairs() { emu_get tokens | jq -c '[.all[] | select(.grant != "control" and .revoked == false and .rotated == false)]'; }
no_live_pair() { [ "$(live_pairs)" = "[]" ]; }
wait_until 10 no_live_pair || e2e_fail "a live token pair is left at the emulator after SignOut: $(live_pairs)"
last=$(emu_get received | jq -c '.revokes.log[-1]')
assert_json_eq "$last" .matched true
assert_json_eq "$last" .client broker
assert_json_eq "$last" .hint refresh_token
grep -qE 'access: POST /revoke 200' "$E2E_ART/broker.log" || e2e_fail "the revoke did not go through the broker"

auth_stop_obs
auth_collect_secrets
AUTH_SECRETS=$(printf '%s\n%s\n' "$AUTH_SECRETS" "$BROKER_SECRET")
grep_secrets "the OBS logs" "$HOME/.config/obs-studio/logs"
grep_secrets "HOME (OBS profile, plugin config)" "$HOME"
grep_secrets "a vendor response" "$AUTH_RESPONSES"
grep_secrets "the broker's log" "$E2E_ART/broker.log"
e2e_pass
