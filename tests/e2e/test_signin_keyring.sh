#!/usr/bin/env bash
# e2e.signin_keyring: (9) where the sign-in is stored, with and without a Secret Service.
#   file       no session bus: the sign-in goes to tokens.json (0600).
#   migrate    a Secret Service appears (a private session bus with an unlocked gnome-keyring; OBS is started inside
#              that session, so DBUS_SESSION_BUS_ADDRESS is set for it) -> OBS restarted restores the session and
#              moves the record into the keyring: tokens.json removed, `secret-tool lookup` shows the same pair.
#   keyring    SignOut clears the keyring; a new sign-in goes to the keyring only (no tokens.json written, no token
#              in plain text anywhere in HOME); a restart restores it from the keyring without the browser; SignOut
#              removes the record again.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-auth.sh"
e2e_init
AUTH_RESPONSES="$E2E_TMP/vendor-responses.txt"
unset RFO_TOKEN_STORE
keyring_record() { secret-tool lookup xdg:schema io.restream.obs-plugin account default 2>/dev/null; }
keyring_empty() { [ -z "$(keyring_record)" ]; }
# keyring_holds_pair: the keyring record holds $ACCESS and $REFRESH.
keyring_holds_pair() {
	local record
	record=$(keyring_record)
	[ -n "$record" ] || e2e_fail "secret-tool finds no Restream record in the keyring"
	[[ "$record" == *"$REFRESH"* ]] || e2e_fail "the keyring record does not hold the current refresh token"
	[[ "$record" == *"$ACCESS"* ]] || e2e_fail "the keyring record does not hold the current access token"
}
no_plain_tokens() {
	local hit
	if hit=$(grep -rlF -e "$REFRESH" -e "$ACCESS" "$HOME"); then
		e2e_fail "a token is stored in plain text in HOME: $hit"
	fi
}

auth_browser_install
auth_browser_follow on
emu_start
obs_install_plugin
TOKEN_FILE=$(auth_token_file)

# ---- no Secret Service: the file
obs_start
obs_wait_ready
auth_begin
wait_until 20 e2e_signed_in || e2e_fail "not signed in within 20 s: $(auth_status)"
assert_log_contains 'sign-in is stored in the config folder' "OBS log (token backend without a session bus)"
auth_read_tokens
[ -f "$TOKEN_FILE" ] || e2e_fail "no $TOKEN_FILE without a Secret Service"
assert_eq "$(stat -c %a "$TOKEN_FILE")" 600 "mode of $TOKEN_FILE"
grep -qF -- "$REFRESH" "$TOKEN_FILE" || e2e_fail "$TOKEN_FILE does not hold the current refresh token"
obs_stop 3000

# ---- a Secret Service appears: the record moves into the keyring
session_bus_start
keyring_empty || e2e_fail "the fresh keyring already holds a Restream record"
calls_before=$(auth_browser_calls)
obs_start
obs_wait_ready
obs_env=$(tr '\0' '\n' <"/proc/$OBS_PID/environ")
grep -qx "DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS" <<<"$obs_env" ||
	e2e_fail "OBS does not run inside the test's session bus"
e2e_wait_signed_in 20
assert_log_contains 'sign-in is stored in the system keyring' "OBS log (token backend with a Secret Service)"
assert_log_contains 'restored the stored sign-in \(keyring\)' "OBS log after the restart"
wait_until 5 test ! -e "$TOKEN_FILE" || e2e_fail "$TOKEN_FILE is still there after the move into the keyring"
keyring_holds_pair
no_plain_tokens
assert_eq "$(auth_browser_calls)" "$calls_before" "browser calls after the restart"
e2e_log "the file's record moved into the keyring"

# ---- SignOut clears the keyring; a new sign-in goes to the keyring only
assert_json_eq "$(auth_vendor SignOut)" .ok true
wait_until 10 keyring_empty || e2e_fail "the keyring record is still there after SignOut"
wait_until 10 revokes_above 0 || e2e_fail "no revoke reached the emulator"
auth_begin
wait_until 20 e2e_signed_in || e2e_fail "not signed in again within 20 s: $(auth_status)"
auth_read_tokens
keyring_holds_pair
items=$(secret-tool search --all xdg:schema io.restream.obs-plugin 2>&1 || true)
assert_contains "$items" 'label = Restream for OBS sign-in' "the keyring item"
assert_eq "$(grep -c '^label = ' <<<"$items")" 1 "Restream items in the keyring"
[ ! -e "$TOKEN_FILE" ] || e2e_fail "$TOKEN_FILE was written although a Secret Service runs"
no_plain_tokens

# ---- restart: restored from the keyring
calls_before=$(auth_browser_calls)
obs_stop 3000
obs_start
obs_wait_ready
e2e_wait_signed_in 20
assert_log_contains 'restored the stored sign-in \(keyring\)' "OBS log after the restart"
assert_eq "$(auth_browser_calls)" "$calls_before" "browser calls after the restart"
[ ! -e "$TOKEN_FILE" ] || e2e_fail "$TOKEN_FILE was written after the restart"

# ---- SignOut removes the record
revokes_before=$(emu_revokes)
assert_json_eq "$(auth_vendor SignOut)" .ok true
wait_until 10 keyring_empty || e2e_fail "the keyring record is still there after SignOut"
wait_until 10 revokes_above "$revokes_before" || e2e_fail "no revoke reached the emulator"
assert_json_eq "$(auth_status)" .signedIn false
[ ! -e "$TOKEN_FILE" ] || e2e_fail "$TOKEN_FILE exists after SignOut"
obs_stop 3000
auth_collect_secrets
grep_secrets "the OBS logs" "$HOME/.config/obs-studio/logs"
grep_secrets "a vendor response" "$AUTH_RESPONSES"
e2e_pass
