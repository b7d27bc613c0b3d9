#!/usr/bin/env bash
# e2e.signin_keyring: (9) with a Secret Service running (a private session bus with an unlocked gnome-keyring; OBS is
# started inside that session, so DBUS_SESSION_BUS_ADDRESS is set for it) the sign-in goes to the keyring:
# `secret-tool lookup` shows the record holding the current pair, no tokens.json is written and no token is in
# plain text anywhere in HOME; a restart restores the session from the keyring; SignOut removes the record.
# (The file fallback without a Secret Service is covered by e2e.signin.)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-auth.sh"
e2e_init
AUTH_RESPONSES="$E2E_TMP/vendor-responses.txt"
unset RFO_TOKEN_STORE
session_bus_start
keyring_record() { secret-tool lookup xdg:schema io.restream.obs-plugin account default 2>/dev/null; }
keyring_empty() { [ -z "$(keyring_record)" ]; }
keyring_empty || e2e_fail "the fresh keyring already holds a Restream record"

auth_browser_install
auth_browser_follow on
emu_start
obs_install_plugin
obs_start
obs_wait_ready
TOKEN_FILE=$(auth_token_file)
obs_env=$(tr '\0' '\n' <"/proc/$OBS_PID/environ")
grep -qx "DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS" <<<"$obs_env" ||
	e2e_fail "OBS does not run inside the test's session bus"

auth_begin
wait_until 20 e2e_signed_in || e2e_fail "not signed in within 20 s: $(auth_status)"
assert_log_contains 'sign-in is stored in the system keyring' "OBS log (token backend)"
auth_read_tokens
record=$(keyring_record)
[ -n "$record" ] || e2e_fail "secret-tool finds no Restream record in the keyring"
[[ "$record" == *"$REFRESH"* ]] || e2e_fail "the keyring record does not hold the current refresh token"
[[ "$record" == *"$ACCESS"* ]] || e2e_fail "the keyring record does not hold the current access token"
items=$(secret-tool search --all xdg:schema io.restream.obs-plugin 2>&1 || true)
assert_contains "$items" 'label = Restream for OBS sign-in' "the keyring item"
assert_eq "$(grep -c '^label = ' <<<"$items")" 1 "Restream items in the keyring"
[ ! -e "$TOKEN_FILE" ] || e2e_fail "$TOKEN_FILE was written although a Secret Service runs"
if hit=$(grep -rlF -e "$REFRESH" -e "$ACCESS" "$HOME"); then
	e2e_fail "a token is stored in plain text in HOME: $hit"
fi
e2e_log "keyring record of ${#record} bytes holds the pair; no token file"

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
assert_json_eq "$(auth_vendor SignOut)" .ok true
wait_until 10 keyring_empty || e2e_fail "the keyring record is still there after SignOut"
wait_until 10 revokes_above 0 || e2e_fail "no revoke reached the emulator"
assert_json_eq "$(auth_status)" .signedIn false
[ ! -e "$TOKEN_FILE" ] || e2e_fail "$TOKEN_FILE exists after SignOut"
obs_stop 3000
auth_collect_secrets
grep_secrets "the OBS logs" "$HOME/.config/obs-studio/logs"
grep_secrets "a vendor response" "$AUTH_RESPONSES"
e2e_pass
