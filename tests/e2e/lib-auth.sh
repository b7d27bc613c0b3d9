# shellcheck shell=bash
# lib-auth.sh — helpers for the sign-in end-to-end tests (test_signin*.sh). Source it after lib.sh and
# lib-signin.sh. Everything here talks to the emulator's /_emu/ control interface or records what the plugin did;
# nothing is killed by name.

AUTH_TOKEN_DIR_REL=.config/obs-studio/plugin_config/restream-for-obs

# auth_token_file: the token file of the file backend under the current HOME.
auth_token_file() { echo "$HOME/$AUTH_TOKEN_DIR_REL/tokens.json"; }


# emu_token_calls GRANT FIELD: a number from /_emu/received tokenCalls.<GRANT>.<FIELD> (0 when absent).
emu_token_calls() { emu_get received | jq -r ".tokenCalls.$1.$2 // 0"; }
# emu_revokes: how many revoke calls reached the emulator.
emu_revokes() { emu_get received | jq -r '.revokes.count // 0'; }
# revokes_above N: more than N revoke calls reached the emulator.
revokes_above() { (($(emu_revokes) > $1)); }
# refreshes_above N: more than N refresh_token calls reached the emulator.
refreshes_above() { (($(emu_token_calls refresh_token count) > $1)); }
# emu_profile: the emulator's /v2/user/profile (with a token issued by the control interface).
emu_profile() {
	local token
	token=$(emu_post tokens/issue | jq -r .accessToken)
	curl -fsS --max-time 5 -H "Authorization: Bearer $token" "$RESTREAM_API_URL/v2/user/profile"
}
# emu_current_tokens: "ACCESS REFRESH" of the newest pair the emulator issued through OAuth (not /_emu/tokens/issue),
# i.e. the plugin's pair; fails when there is none that is still live.
emu_current_tokens() {
	emu_get tokens | jq -er '[.all[] | select(.grant != "control" and .revoked == false and .rotated == false)][0] |
		"\(.accessToken) \(.refreshToken)"'
}
# auth_read_tokens: ACCESS and REFRESH = the plugin's live pair at the emulator (each 40 hex digits).
auth_read_tokens() {
	local pair
	pair=$(emu_current_tokens) || e2e_fail "the emulator has no live OAuth token pair: $(emu_get tokens)"
	read -r ACCESS REFRESH <<<"$pair"
	[[ "$ACCESS" =~ ^[0-9a-f]{40}$ && "$REFRESH" =~ ^[0-9a-f]{40}$ ]] || e2e_fail "odd token pair from the emulator: $pair"
}

# auth_browser_install: export BROWSER as a script that records every call (one URL a line in $AUTH_BROWSER_CALLS)
# and, while "$AUTH_BROWSER_DIR/follow" exists, acts like a user who clicks Allow: it asks the authorize URL for its
# redirect (recording the Location, which carries the code, in $AUTH_BROWSER_DIR/redirects) and then opens that
# redirect (the plugin's loopback listener), recording the HTTP status in $AUTH_BROWSER_DIR/results.
auth_browser_install() {
	AUTH_BROWSER_DIR="$E2E_TMP/browser"
	AUTH_BROWSER_CALLS="$AUTH_BROWSER_DIR/calls"
	mkdir -p "$AUTH_BROWSER_DIR"
	: >"$AUTH_BROWSER_CALLS"
	cat >"$AUTH_BROWSER_DIR/browser.sh" <<-EOF
		#!/bin/sh
		d='$AUTH_BROWSER_DIR'
		echo "\$1" >>"\$d/calls"
		[ -e "\$d/follow" ] || exit 0
		(
			loc=\$(curl -sS --max-time 10 -o /dev/null -w '%{redirect_url}' "\$1")
			echo "\$loc" >>"\$d/redirects"
			curl -sS --max-time 10 -o "\$d/page.html" -w '%{http_code}\n' "\$loc" >>"\$d/results" 2>&1
		) </dev/null >/dev/null 2>&1 &
	EOF
	chmod +x "$AUTH_BROWSER_DIR/browser.sh"
	export BROWSER="$AUTH_BROWSER_DIR/browser.sh"
}
# auth_browser_follow on|off: whether the browser follows the links it is given.
auth_browser_follow() {
	if [ "$1" = on ]; then : >"$AUTH_BROWSER_DIR/follow"; else rm -f "$AUTH_BROWSER_DIR/follow"; fi
}
# auth_browser_calls: how many times the plugin opened the browser.
auth_browser_calls() { wc -l <"$AUTH_BROWSER_CALLS" | tr -d ' '; }
# browser_calls_are N: the browser was opened exactly N times so far.
browser_calls_are() { [ "$(auth_browser_calls)" = "$1" ]; }
# auth_browser_codes: every authorization code the browser carried back (one a line).
auth_browser_codes() {
	[ -f "$AUTH_BROWSER_DIR/redirects" ] || return 0
	sed -n 's/.*[?&]code=\([^&]*\).*/\1/p' "$AUTH_BROWSER_DIR/redirects"
}

# auth_vendor REQUEST [JSON]: obs_vendor, with the response also appended to $AUTH_RESPONSES (every response a test
# got, for the secrets grep).
auth_vendor() {
	local out
	out=$(obs_vendor "$@") || e2e_fail "vendor request $1 failed: $out"
	printf '%s %s\n' "$1" "$out" >>"$AUTH_RESPONSES"
	printf '%s\n' "$out"
}
AUTH_RESPONSES=${E2E_TMP:-/tmp}/vendor-responses.txt

# auth_status: GetStatus (recorded).
auth_status() { auth_vendor GetStatus; }
# auth_state_is STATE: GetStatus' authState equals STATE.
auth_state_is() { auth_status | jq -e --arg s "$1" '.authState == $s' >/dev/null 2>&1; }

# auth_events_start: record every AuthChanged event of this OBS in $E2E_TMP/auth-events.N (for the secrets grep).
auth_events_start() {
	AUTH_EVENTS_N=$((${AUTH_EVENTS_N:-0} + 1))
	obs_events_start "$E2E_TMP/auth-events.$AUTH_EVENTS_N" --vendor-event AuthChanged --count 0 --timeout 900
	AUTH_EVENTS_PID=$EVENTS_PID
}
# auth_events_stop: end the recorder (OBS going away ends it too).
auth_events_stop() { [ -n "${AUTH_EVENTS_PID:-}" ] && stop_pid "$AUTH_EVENTS_PID" TERM 2; }

# auth_url_port URL: the port of redirect_uri=http://127.0.0.1:PORT/callback in an authorize URL.
auth_url_port() {
	local p
	p=$(sed -n 's/.*redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A\([0-9]*\)%2Fcallback.*/\1/p' <<<"$1")
	[ -n "$p" ] || p=$(sed -n 's/.*redirect_uri=http:\/\/127\.0\.0\.1:\([0-9]*\)\/callback.*/\1/p' <<<"$1")
	echo "$p"
}
# auth_url_param URL NAME: a query parameter of URL (still percent-encoded).
auth_url_param() { sed -n "s/.*[?&]$2=\([^&]*\).*/\1/p" <<<"$1"; }

# auth_begin: BeginSignIn (recorded); checks the authorize URL's shape and sets AUTH_URL, AUTH_PORT, AUTH_STATE.
auth_begin() {
	local resp
	resp=$(auth_vendor BeginSignIn)
	assert_json_eq "$resp" .ok true
	AUTH_URL=$(jq -r .authorizeUrl <<<"$resp")
	assert_contains "$AUTH_URL" "$RESTREAM_API_URL/login?" "authorizeUrl"
	assert_eq "$(auth_url_param "$AUTH_URL" response_type)" code "response_type"
	assert_eq "$(auth_url_param "$AUTH_URL" client_id)" "$RESTREAM_CLIENT_ID" "client_id"
	AUTH_PORT=$(auth_url_port "$AUTH_URL")
	[ -n "$AUTH_PORT" ] || e2e_fail "no redirect_uri=http://127.0.0.1:<port>/callback in $AUTH_URL"
	assert_eq "$AUTH_PORT" "$RESTREAM_REDIRECT_PORT" "the redirect port (fixed, registered with the emulator)"
	AUTH_STATE=$(auth_url_param "$AUTH_URL" state)
	# >= 128 bits: at least 22 base64url characters or 32 hex digits
	((${#AUTH_STATE} >= 22)) || e2e_fail "state '$AUTH_STATE' is too short for 128 bits"
}

# listener_sockets PORT: the local addresses (hex, as in /proc/net/tcp*) of every TCP socket in LISTEN on PORT.
listener_sockets() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { print $2 }' /proc/net/tcp /proc/net/tcp6
}

# listener_closed PORT: nothing listens on TCP PORT any more.
listener_closed() { [ -z "$(listener_sockets "$1")" ]; }

# non_loopback_addrs: every address of this machine except loopback and IPv6 link-local (hostname -I), one a line.
non_loopback_addrs() { hostname -I 2>/dev/null | tr ' ' '\n' | grep -v '^$' || true; }

# tcp_connects HOST PORT: true when a TCP connection to HOST:PORT is accepted (bash /dev/tcp, 2 s).
tcp_connects() { timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null; }

# grep_secrets WHAT FILE_OR_DIR...: fail when any value in $AUTH_SECRETS occurs in the given files (recursively).
grep_secrets() {
	local what=$1
	shift
	[ -n "${AUTH_SECRETS:-}" ] || e2e_fail "grep_secrets: no secrets collected"
	secrets_grep "$what" "$AUTH_SECRETS" "$@"
}

# secrets_grep WHAT VALUES FILE_OR_DIR...: fail when any of VALUES (one a line; empty lines skipped) occurs in the
# given files (recursively). One grep pass for all the values (the patterns through a pipe, never in a file): a pass
# per value took half a minute over a HOME on a loaded machine. A hit names the first value found and its files.
secrets_grep() {
	local what=$1 values v hit
	shift
	values=$(grep -v '^$' <<<"$1" || true)
	shift
	[ -n "$values" ] || return 0
	grep -rqF -f <(printf '%s\n' "$values") -- "$@" 2>/dev/null || return 0
	while IFS= read -r v; do
		if hit=$(grep -rlF -- "$v" "$@" 2>/dev/null); then
			e2e_fail "$what contains a secret (${v:0:6}…): $hit"
		fi
	done <<<"$values"
	e2e_fail "$what contains a secret (grep -f found one that no single grep finds again): $*"
}

# auth_collect_secrets: AUTH_SECRETS = every access and refresh token the emulator ever issued, the client secret
# and every authorization code the browser carried; AUTH_SECRET_COUNT = how many.
auth_collect_secrets() {
	AUTH_SECRETS=$({
		emu_get tokens | jq -r '.all[] | .accessToken, .refreshToken'
		emu_get state | jq -r '.clientSecret'
		auth_browser_codes
	} | grep -v '^null$' | sort -u)
	AUTH_SECRET_COUNT=$(grep -c . <<<"$AUTH_SECRETS")
}

# dock_log_wait ERE [S]: wait for the account glue's "dock:" line matching ERE in the OBS log.
dock_log_wait() { obs_log_wait "\\[restream-for-obs\\].*dock: $1" "${2:-10}"; }

# visible_windows: ids of the visible top-level windows with a name on OBS's X display (for "no pop-ups").
visible_windows() {
	command -v xdotool >/dev/null || e2e_fail "xdotool is needed to list OBS's windows (apt-get install xdotool)"
	DISPLAY=$OBS_DISPLAY XAUTHORITY=$OBS_XAUTHORITY xdotool search --onlyvisible --name '.' 2>/dev/null | sort
}

# auth_stop_obs [PLUGIN_MAX_MS]: obs_stop with room for OBS's own teardown on a loaded machine (5 s), and the plugin's
# share of it — its "stopped in N ms" line — at most PLUGIN_MAX_MS (200). Sets AUTH_PLUGIN_STOP_MS.
auth_stop_obs() {
	local log
	log=$(obs_log_path)
	obs_stop 5000
	AUTH_PLUGIN_STOP_MS=$(grep -oE '\[restream-for-obs\] stopped in [0-9]+ ms' "$log" | tail -n 1 | grep -oE '[0-9]+' | head -n 1)
	[ -n "$AUTH_PLUGIN_STOP_MS" ] || e2e_fail "no 'stopped in N ms' line in the OBS log"
	assert_le "$AUTH_PLUGIN_STOP_MS" "${1:-200}" "the plugin's stop (ms)"
	e2e_log "the plugin stopped in $AUTH_PLUGIN_STOP_MS ms (OBS exit: $OBS_EXIT_MS ms)"
}
