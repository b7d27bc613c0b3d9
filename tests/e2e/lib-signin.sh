# shellcheck shell=bash
# lib-signin.sh — sign in to the Restream emulator from an end-to-end test. Source it after lib.sh:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
# Start the emulator (emu_start) BEFORE OBS so that OBS inherits RESTREAM_API_URL and the client id/secret.
#
# The plugin opens the authorize URL with the system browser too; unless the test set BROWSER itself, a no-op
# browser is used so that only e2e_sign_in follows the link (exactly once, like a user clicking "Allow").
: "${BROWSER:=true}"
export BROWSER

# e2e_signed_in: true when GetStatus says signedIn.
e2e_signed_in() {
	local s
	s=$(obs_vendor GetStatus 2>/dev/null) || return 1
	jq -e '.signedIn == true' >/dev/null 2>&1 <<<"$s"
}

# e2e_sign_in [TIMEOUT_S]: BeginSignIn over obs-websocket, follow its authorizeUrl with curl (the emulator approves
# and redirects to the plugin's loopback listener), then wait until GetStatus says signedIn (default 20 s).
e2e_sign_in() {
	local timeout=${1:-20} resp url code
	resp=$(obs_vendor BeginSignIn)
	url=$(jq -r '.authorizeUrl // empty' <<<"$resp")
	[ -n "$url" ] || e2e_fail "BeginSignIn gave no authorizeUrl: $resp"
	code=$(curl -sSL --max-time 15 -o /dev/null -w '%{http_code}' "$url") ||
		e2e_fail "following the authorize URL failed (curl status $?)"
	[ "$code" = 200 ] || e2e_fail "the sign-in redirect ended with HTTP $code"
	wait_until "$timeout" e2e_signed_in || e2e_fail "not signed in within ${timeout}s: $(obs_vendor GetStatus)"
	e2e_log "signed in"
}

# e2e_wait_signed_in [TIMEOUT_S]: wait for a restored session (OBS restarted with the same HOME).
e2e_wait_signed_in() {
	wait_until "${1:-20}" e2e_signed_in || e2e_fail "the session was not restored within ${1:-20}s: $(obs_vendor GetStatus)"
}
