#!/usr/bin/env bash
# e2e.signin_ownapp: own-app mode (client id + secret + redirect port in Tools → Restream settings, nothing from the
# environment) against the strict emulator, which accepts only the registered redirect URIs, exactly.
#   refused    the ephemeral URI that earlier builds sent, http://localhost:<random>/callback, is refused by the
#              strict emulator's /login (HTTP 400, "not registered"), and so are other ports and localhost for the
#              registered port (curl, the exact URI shapes).
#   fixed URI  the plugin's authorize URL carries exactly the registered http://127.0.0.1:<port>/callback (the
#              settings' port), the log names the mode, and the sign-in through the browser succeeds.
#   [::1]      a process of this user squatting [::1]:<port> gets no connection (the URI names 127.0.0.1) and nothing
#              but the plugin's 127.0.0.1 socket listens on the port.
#   busy port  another program on 127.0.0.1:<port>: BeginSignIn answers ok:false with a sentence saying what to
#              change (the port in Tools → Restream settings), and nothing listens on any other port instead.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-auth.sh"
e2e_init
AUTH_RESPONSES="$E2E_TMP/vendor-responses.txt"
auth_browser_install
emu_start
PORT=$RESTREAM_REDIRECT_PORT
CID=$RESTREAM_CLIENT_ID
CSECRET=$RESTREAM_CLIENT_SECRET

# ---- refused: the strict emulator refuses every redirect URI but the registered one
login_status() {
	curl -sS --max-time 5 -o "$E2E_TMP/login.html" -w '%{http_code}' --get "$RESTREAM_API_URL/login" \
		--data-urlencode response_type=code --data-urlencode "client_id=$CID" \
		--data-urlencode "redirect_uri=$1" --data-urlencode state=s0123456789abcdef
}
for uri in "http://localhost:$(free_port)/callback" "http://localhost:$PORT/callback" \
	"http://127.0.0.1:$((PORT + 1))/callback" "http://[::1]:$PORT/callback"; do
	assert_eq "$(login_status "$uri")" 400 "/login with the unregistered redirect_uri $uri"
	assert_file_contains "$E2E_TMP/login.html" 'not registered' "the refusal page for $uri"
done
assert_eq "$(login_status "http://127.0.0.1:$PORT/callback")" 302 "/login with the registered redirect_uri"
e2e_log "strict emulator: localhost:<random>, localhost:$PORT, 127.0.0.1:$((PORT + 1)), [::1]:$PORT refused; 127.0.0.1:$PORT accepted"

# ---- own-app mode: the credentials and the port come from the plugin's settings only
unset RESTREAM_CLIENT_ID RESTREAM_CLIENT_SECRET RESTREAM_REDIRECT_PORT
CFG="$HOME/.config/obs-studio/plugin_config/restream-for-obs"
mkdir -p "$CFG"
jq -n --arg id "$CID" --arg s "$CSECRET" --argjson p "$PORT" \
	'{client_id: $id, client_secret: $s, redirect_port: $p}' >"$CFG/settings.json"
obs_install_plugin
obs_start
obs_wait_ready
assert_log_contains "sign-in mode: own Restream app, redirect URI http://127\\.0\\.0\\.1:$PORT/callback" "OBS log (mode)"

# a squatter on [::1]:PORT (another local program could be one); it records every connection it gets
# (perl-base's Socket: in every Debian root, unlike python3)
perl -MSocket=:all -e '
	socket(my $s, AF_INET6, SOCK_STREAM, 0) or die "socket: $!";
	setsockopt($s, IPPROTO_IPV6, IPV6_V6ONLY, 1) or die "v6only: $!";
	bind($s, pack_sockaddr_in6($ARGV[0], inet_pton(AF_INET6, "::1"))) or die "bind: $!";
	listen($s, 8) or die "listen: $!";
	open(my $f, ">", $ARGV[1]) or die; close($f);
	while (accept(my $c, $s)) { open(my $f, ">>", $ARGV[1]) or die; print $f "connection\n"; close($f); close($c); }
' "$PORT" "$E2E_TMP/squatter.log" 2>>"$E2E_ART/squatter.err" &
SQUAT_PID=$!
e2e_track_pid "$SQUAT_PID"
wait_until 5 test -e "$E2E_TMP/squatter.log" || e2e_fail "the [::1] squatter did not start"

# ---- fixed URI: the authorize URL names exactly the registered URI, and the sign-in works
auth_browser_follow off
RESTREAM_CLIENT_ID=$CID RESTREAM_REDIRECT_PORT=$PORT auth_begin
assert_contains "$AUTH_URL" "redirect_uri=http%3A%2F%2F127.0.0.1%3A$PORT%2Fcallback&" "authorizeUrl's redirect_uri"
assert_not_contains "$AUTH_URL" "localhost" "authorizeUrl"
socks=$(listener_sockets "$PORT")
assert_eq "$(grep -c . <<<"$socks")" 2 "listening sockets on $PORT (the plugin's and the squatter's)"
grep -qx "$(printf '0100007F:%04X' "$PORT")" <<<"$socks" || e2e_fail "the plugin does not listen on 127.0.0.1:$PORT: $socks"
auth_browser_follow on
"$BROWSER" "$AUTH_URL"
wait_until 20 e2e_signed_in || e2e_fail "not signed in: $(auth_status); browser: $(cat "$AUTH_BROWSER_DIR"/results 2>/dev/null)"
assert_eq "$(tail -n 1 "$AUTH_BROWSER_DIR/redirects" | cut -d'?' -f1)" "http://127.0.0.1:$PORT/callback" "where Restream sent the browser"
assert_eq "$(emu_token_calls authorization_code errors)" 0 "code exchange errors"
assert_eq "$(emu_get clients | jq .redirectsRefused)" 4 "redirect URIs the emulator refused (the four above only)"
assert_eq "$(wc -l <"$E2E_TMP/squatter.log")" 0 "connections the [::1] squatter got"
stop_pid "$SQUAT_PID" TERM 2
e2e_log "signed in through http://127.0.0.1:$PORT/callback; the [::1]:$PORT squatter got nothing"

# ---- busy port: a sentence saying what to change, no other port
assert_json_eq "$(auth_vendor SignOut)" .ok true
perl -MSocket=:all -e '
	socket(my $s, AF_INET, SOCK_STREAM, 0) or die "socket: $!";
	setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1) or die;
	bind($s, pack_sockaddr_in($ARGV[0], inet_aton("127.0.0.1"))) or die "bind: $!";
	listen($s, 1) or die "listen: $!";
	open(my $f, ">", $ARGV[1]) or die; close($f);
	sleep 60;
' "$PORT" "$E2E_TMP/busy.ready" 2>>"$E2E_ART/busy.err" &
BUSY_PID=$!
e2e_track_pid "$BUSY_PID"
wait_until 5 test -e "$E2E_TMP/busy.ready" || e2e_fail "the port-taking program did not start"
resp=$(obs_vendor BeginSignIn)
assert_json_eq "$resp" .ok false
assert_json_eq "$resp" .errorCode unavailable
assert_json "$resp" ".error | test(\"Port $PORT on 127.0.0.1 is in use\") and test(\"Tools → Restream settings\")" "the busy-port sentence"
assert_json_eq "$(auth_status)" .authState signed_out
obs_log_wait "sign-in could not start|sign-in listener could not start on 127\\.0\\.0\\.1:$PORT" 5
assert_eq "$(grep -c 'waiting for the browser on' "$(obs_log_path)")" 1 "listeners started (the first sign-in's only)"
stop_pid "$BUSY_PID" TERM 2

obs_stop 3000
auth_collect_secrets
grep_secrets "the OBS logs" "$HOME/.config/obs-studio/logs"
grep_secrets "a vendor response" "$AUTH_RESPONSES"
e2e_pass
