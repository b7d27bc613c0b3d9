#!/usr/bin/env bash
# broker.service: restream-token-broker as a process, against the project's Restream emulator.
# Sign-in and refresh through it, a table of open-redirect attempts (400, never a Location), bad requests (4xx),
# slow clients cut, upstream 429 + Retry-After passed through, upstream slow (504) and down (502) within the
# configured time, its own rate limit (429 + Retry-After, per client address, X-Forwarded-For only from a trusted
# proxy), the secret file's permissions, SIGTERM during load (every accepted request answered, exit 0), and a grep
# of every log for the emulator's codes, tokens and client secret.
# Needs RFO_BROKER_BIN and RFO_EMULATOR_BIN (ctest sets them); curl and jq.
set -Eeuo pipefail
BROKER=${RFO_BROKER_BIN:?} EMU=${RFO_EMULATOR_BIN:?}
BUILD=${RFO_BUILD_DIR:-$(dirname "$BROKER")/..}
ART="$BUILD/artifacts/broker.service"
rm -rf "$ART" && mkdir -p "$ART"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/broker-test.XXXXXX")
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND"; tail -n 20 "$ART"/*.log 2>/dev/null; exit 1' ERR
fail() {
	echo "FAIL: $*"
	exit 1
}
ok() { echo "ok: $*"; }
now_ms() { date +%s%3N; }
wait_for() { # wait_for SECONDS CMD...
	local end=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		(($(now_ms) < end)) || return 1
		sleep 0.05
	done
}
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
	local p
	for _ in $(seq 200); do
		p=$((20000 + RANDOM % 12000)) # below the ephemeral range (32768-): no outgoing connection holds it
		port_in_use "$p" || {
			echo "$p"
			return
		}
	done
	fail "no free port"
}

# ---- the emulator; broker A's port is chosen first: a strict emulator (one that matches registered redirect URIs
# exactly) gets A's /redirect as the app's registered URI
PA=$(free_port)
A=http://127.0.0.1:$PA
emu_args=()
usage=$("$EMU" --help 2>&1 || true)
if grep -q -- --redirect-uri <<<"$usage"; then emu_args+=(--redirect-uri "$A/redirect"); fi
"$EMU" "${emu_args[@]}" >"$TMP/emu.out" 2>"$ART/emulator.log" </dev/null &
PIDS+=($!)
wait_for 15 grep -qx READY "$TMP/emu.out" || fail "emulator did not start"
API=$(sed -n 's/^RESTREAM_API_URL=//p' "$TMP/emu.out")
CLIENT_ID=$(sed -n 's/^RESTREAM_CLIENT_ID=//p' "$TMP/emu.out")
SECRET=$(sed -n 's/^RESTREAM_CLIENT_SECRET=//p' "$TMP/emu.out")
umask 077
printf '%s\n' "$SECRET" >"$TMP/secret"
emu() { curl -sf -X "$1" "$API/_emu/$2" -H 'Content-Type: application/json' ${3:+-d "$3"}; }

# start_broker NAME PORT ARGS...: the broker on 127.0.0.1:PORT (its log in $ART/NAME.log); sets BROKER_PID
start_broker() {
	local name=$1 port=$2
	shift 2
	"$BROKER" --listen "127.0.0.1:$port" --public-url "http://127.0.0.1:$port" --client-id "$CLIENT_ID" \
		--client-secret-file "$TMP/secret" "$@" >"$TMP/$name.out" 2>"$ART/$name.log" </dev/null &
	BROKER_PID=$!
	PIDS+=("$BROKER_PID")
	wait_for 10 grep -qx READY "$TMP/$name.out" || fail "$name did not print READY: $(cat "$ART/$name.log")"
}

# req METHOD URL [curl args...]: sets CODE, HDRS (the headers), BODY
req() {
	local m=$1 u=$2
	shift 2
	CODE=$(curl -s -X "$m" -o "$TMP/body" -D "$TMP/hdrs" -w '%{http_code}' "$u" "$@" || true)
	BODY=$(cat "$TMP/body")
	HDRS=$(tr -d '\r' <"$TMP/hdrs")
}
header() { sed -n "s/^$1: //Ip" <<<"$HDRS" | head -n 1; }
expect() { # expect STATUS WHAT
	[ "$CODE" = "$1" ] || fail "$2: expected HTTP $1, got $CODE (body: ${BODY:0:200})"
}

# ---- the secret file and the configuration are checked before anything listens
chmod 644 "$TMP/secret"
if "$BROKER" --listen 127.0.0.1:1 --client-id x --client-secret-file "$TMP/secret" >"$TMP/o" 2>"$TMP/e"; then
	fail "the broker started with a world-readable secret file"
fi
grep -q 'chmod 600' "$TMP/e" || fail "no clear message for a readable secret file: $(cat "$TMP/e")"
chmod 600 "$TMP/secret"
grep -qF "$SECRET" "$TMP/e" && fail "the refusal printed the secret"
if "$BROKER" --client-secret-file "$TMP/secret" >"$TMP/o" 2>"$TMP/e"; then fail "started without a client id"; fi
grep -q 'client id' "$TMP/e" || fail "no clear message without a client id"
if "$BROKER" --client-id x --client-secret-file "$TMP/secret" --upstream http://example.com 2>"$TMP/e"; then
	fail "accepted a plain-http upstream that is not loopback"
fi
ok "refuses a group/other-readable secret file, a missing client id and a non-TLS remote upstream"

# ---- broker A: the emulator upstream, 1.5 s upstream limit, 2 s request limit, a rate limit tests stay under
start_broker a "$PA" --upstream "$API" --upstream-timeout-ms 1500 --request-timeout-ms 2000 --rate 100 --burst 400
A_PID=$BROKER_PID
req GET "$A/healthz"
expect 200 healthz
[ "$BODY" = ok ] || fail "healthz body: $BODY"

# ---- sign-in through the broker: Restream -> /redirect -> the plugin's loopback listener
NONCE=Zx_9-abcdefghijklmnopqrstuv
STATE="45678.$NONCE"
first=$(curl -s -o /dev/null -w '%{redirect_url}' \
	"$API/login?response_type=code&client_id=$CLIENT_ID&redirect_uri=$A/redirect&state=$STATE")
[[ "$first" == "$A/redirect?code="* ]] || fail "the emulator did not send the browser to the broker: $first"
req GET "$first"
expect 302 "the redirect"
CODE1=$(sed 's/.*code=\([0-9a-f]*\).*/\1/' <<<"$first")
[ "$(header Location)" = "http://127.0.0.1:45678/callback?code=$CODE1&state=$STATE" ] ||
	fail "Location: $(header Location)"
ok "GET /redirect sends the browser to http://127.0.0.1:45678/callback with the code and state"

# the client's own client_id/client_secret are dropped: the broker's Basic credentials are what count
req POST "$A/token" -d "grant_type=authorization_code&code=$CODE1&redirect_uri=$A/redirect&client_id=evil&client_secret=bogus-client-secret"
expect 200 "code exchange"
[ "$(header Cache-Control)" = no-store ] || fail "token reply without Cache-Control: no-store"
ACCESS1=$(jq -r .access_token <<<"$BODY")
REFRESH1=$(jq -r .refresh_token <<<"$BODY")
[ ${#REFRESH1} -ge 20 ] || fail "no refresh token: $BODY"
req POST "$A/token" -d "grant_type=refresh_token&refresh_token=$REFRESH1"
expect 200 refresh
REFRESH2=$(jq -r .refresh_token <<<"$BODY")
[ "$REFRESH2" != "$REFRESH1" ] || fail "the refresh did not rotate"
req POST "$A/token" -d "grant_type=refresh_token&refresh_token=$REFRESH1"
expect 400 "reuse of a rotated refresh token (Restream's own 400, passed through)"
[ "$(jq -r .error <<<"$BODY")" = invalid_grant ] || fail "the upstream error body was not passed through: $BODY"
req POST "$A/revoke" -d "token=$REFRESH2&token_type_hint=refresh_token"
expect 200 revoke
[ "$(emu GET received | jq '.revokes.count')" = 1 ] || fail "the revoke did not reach the emulator"
ok "code exchange, refresh (rotating), reuse refused and revoke, all through the broker"

# ---- open-redirect attempts: 400, a plain page, never a Location
N=abcdefghijklmnop0123
hostile=(
	""
	"code=abc"
	"code=abc&state=evil.com.$N"
	"code=abc&state=evil.com:8080.$N"
	"code=abc&state=8080.evil.com"
	"code=abc&state=1023.$N"
	"code=abc&state=65536.$N"
	"code=abc&state=0.$N"
	"code=abc&state=08080.$N"
	"code=abc&state=8080.//evil.com/$N"
	"code=abc&state=8080.%2F%2Fevil.com%2F$N"
	"code=abc&state=8080.%252F%252Fevil$N"
	"code=abc&state=javascript:alert(1)//.$N"
	"code=abc&state=8080.$N%0d%0aLocation:%20http://evil.com"
	"code=abc&state=8080.$N%00"
	"code=abc&state=8080.$N@evil.com"
	"code=abc&state=127.0.0.1:8080.$N"
	"code=abc&state=%5B::1%5D:8080.$N"
	"code=abc&state=8080.$N&state=9090.$N"
	"code=abc%0d%0aSet-Cookie:%20a=b&state=8080.$N"
	"code=abc&error=access_denied&state=8080.$N"
	"state=8080.$N&error=x%0aLocation:evil"
)
for q in "${hostile[@]}"; do
	req GET "$A/redirect?$q"
	expect 400 "open-redirect attempt '$q'"
	[ -z "$(header Location)" ] || fail "a Location header for '$q'"
	[[ "$(header Content-Type)" == text/plain* ]] || fail "the 400 page for '$q' is not text/plain"
done
# the same through raw request targets: a path of //, an absolute URI
raw() { # raw BYTES: sends them on a fresh connection, prints the status line
	exec 3<>"/dev/tcp/127.0.0.1/$PA"
	printf '%b' "$1" >&3
	timeout 5 head -n 1 <&3 | tr -d '\r'
	exec 3<&- 3>&-
}
[[ "$(raw 'GET //evil.com/redirect?code=a&state=8080.abcdefghijklmnop HTTP/1.1\r\nHost: x\r\n\r\n')" == *" 404 "* ]] ||
	fail "//evil.com was not a 404"
[[ "$(raw 'GET http://evil.com/redirect HTTP/1.1\r\nHost: x\r\n\r\n')" == *" 400 "* ]] || fail "an absolute URI was not a 400"
req GET "$A/redirect?error=access_denied&error_description=no+thanks&state=8080.$N"
expect 302 "Restream's error passed through"
[ "$(header Location)" = "http://127.0.0.1:8080/callback?error=access_denied&error_description=no%20thanks&state=8080.$N" ] ||
	fail "error Location: $(header Location)"
ok "${#hostile[@]} open-redirect attempts and 2 raw targets refused; Restream's error goes on to the loopback listener"

# ---- malformed and oversized requests
big=$(head -c 9000 /dev/zero | tr '\0' a)
req POST "$A/token" -d "grant_type=refresh_token&refresh_token=$big"
expect 413 "a 9000-byte body"
req POST "$A/token" -d "grant_type=refresh_token&refresh_token=a%zz"
expect 400 "a malformed escape"
req POST "$A/token" -d "grant_type=refresh_token&refresh_token=a&refresh_token=b"
expect 400 "a repeated field"
req POST "$A/token" -d "grant_type=password&username=a"
expect 400 "an unsupported grant"
[ "$(jq -r .error <<<"$BODY")" = unsupported_grant_type ] || fail "unsupported grant: $BODY"
req POST "$A/token" -d "grant_type=authorization_code&code=x&redirect_uri=http://evil.com/cb"
expect 400 "a foreign redirect_uri"
req POST "$A/token" -H 'Content-Type: application/json' -d '{"grant_type":"refresh_token"}'
expect 415 "a JSON body"
req POST "$A/revoke" -d "token_type_hint=access_token"
expect 400 "revoke without a token"
req GET "$A/token"
expect 405 "GET /token"
req POST "$A/token" -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' b)" -d "grant_type=refresh_token&refresh_token=a"
expect 431 "a 9 KB header"
req POST "$A/token" -H 'Transfer-Encoding: chunked' -d "grant_type=refresh_token&refresh_token=a"
expect 501 "a chunked body"
req GET "$A/nowhere"
expect 404 "an unknown path"
ok "oversized, malformed, mistyped and misrouted requests get 4xx/501 with a JSON error"

# ---- slow clients are cut: half a head, then nothing -> 408 and closed within the 2 s request limit
t0=$(now_ms)
exec 3<>"/dev/tcp/127.0.0.1/$PA"
printf 'POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\ngrant_type=' >&3
status=$(timeout 6 head -n 1 <&3 | tr -d '\r')
exec 3<&- 3>&-
t=$(($(now_ms) - t0))
[[ "$status" == *" 408 "* ]] || fail "a stalled body got '$status'"
((t >= 1800 && t <= 4000)) || fail "the stalled client was cut after $t ms (limit 2000)"
ok "a client that stalls mid-request is answered 408 and cut after $t ms (limit 2000 ms)"

# ---- upstream answers 429 with Retry-After: passed through
emu POST faults '{"route":"/oauth/token","status":429,"retry_after":7,"count":1}' >/dev/null
req POST "$A/token" -d "grant_type=refresh_token&refresh_token=whatever"
expect 429 "upstream 429"
[ "$(header Retry-After)" = 7 ] || fail "Retry-After not passed through: $(header Retry-After)"
[ -n "$(jq -r .error <<<"$BODY")" ] || fail "the upstream's 429 body was not passed through"
ok "upstream 429 with Retry-After: 7 passed through"

# ---- upstream slow: 504 within the 1.5 s limit
emu POST faults '{"route":"/oauth/token","delay_ms":5000,"count":1}' >/dev/null
t0=$(now_ms)
req POST "$A/token" -d "grant_type=refresh_token&refresh_token=whatever"
t=$(($(now_ms) - t0))
expect 504 "a slow upstream"
[ "$(jq -r .error <<<"$BODY")" = upstream_timeout ] || fail "504 body: $BODY"
((t >= 1400 && t <= 3000)) || fail "the 504 came after $t ms (limit 1500)"
ok "a slow upstream gives 504 with a JSON error after $t ms (limit 1500 ms)"
emu POST faults/clear >/dev/null

# ---- broker B: upstream down (a closed port), tight rate limit (burst 3, then one per 5 s: slow enough for a
# loaded machine), 127.0.0.1 trusted as a proxy
PB=$(free_port)
DOWN=$(free_port)
start_broker b "$PB" --upstream "http://127.0.0.1:$DOWN" --upstream-timeout-ms 1500 --rate 0.2 --burst 3 \
	--trusted-proxy 127.0.0.1
B_PID=$BROKER_PID
t0=$(now_ms)
req POST "http://127.0.0.1:$PB/token" -H 'X-Forwarded-For: 198.51.100.9' -d "grant_type=refresh_token&refresh_token=x"
t=$(($(now_ms) - t0))
expect 502 "upstream down"
[ "$(jq -r .error <<<"$BODY")" = upstream_unavailable ] || fail "502 body: $BODY"
((t <= 2000)) || fail "the 502 took $t ms"
ok "upstream down gives 502 with a JSON error after $t ms"

good="code=c&state=8080.$N"
for i in 1 2 3; do
	req GET "http://127.0.0.1:$PB/redirect?$good" -H 'X-Forwarded-For: 192.0.2.1'
	expect 302 "request $i of a burst of 3"
done
req GET "http://127.0.0.1:$PB/redirect?$good" -H 'X-Forwarded-For: 192.0.2.1'
expect 429 "the 4th request of a burst of 3"
ra=$(header Retry-After)
[[ "$ra" =~ ^[0-9]+$ ]] && ((ra >= 1 && ra <= 5)) || fail "429 Retry-After: '$ra' (one token per 5 s)"
[ "$(jq -r .error <<<"$BODY")" = rate_limited ] || fail "429 body: $BODY"
req GET "http://127.0.0.1:$PB/redirect?$good" -H 'X-Forwarded-For: 10.0.0.1, 192.0.2.2'
expect 302 "another client behind the trusted proxy"
req GET "http://127.0.0.1:$PB/healthz"
expect 200 "healthz is not rate limited"
sleep "$ra"
req GET "http://127.0.0.1:$PB/redirect?$good" -H 'X-Forwarded-For: 192.0.2.1'
expect 302 "after Retry-After"
ok "own rate limit: burst of 3, then 429 with Retry-After: $ra, per client (X-Forwarded-For from a trusted proxy)"
kill -TERM "$B_PID"
wait "$B_PID" || fail "broker B did not exit 0 on SIGTERM"

# ---- SIGTERM during load: every request the broker had accepted is answered (broker C: a 10 s upstream limit; the
# emulator holds every token reply 4 s so that all of them are in flight when the signal comes)
kill -TERM "$A_PID"
wait "$A_PID" || fail "broker A did not exit 0 on SIGTERM"
PC=$(free_port)
start_broker c "$PC" --upstream "$API" --upstream-timeout-ms 10000 --rate 100 --burst 400
C_PID=$BROKER_PID
K=24
emu POST reset-counters >/dev/null
refresh=()
for i in $(seq "$K"); do refresh[i]=$(emu POST tokens/issue | jq -r .refreshToken); done
emu POST oauth/delay '{"ms":4000}' >/dev/null
for i in $(seq "$K"); do
	curl -s -o "$TMP/load.$i" -w '%{http_code}' -X POST "http://127.0.0.1:$PC/token" \
		-d "grant_type=refresh_token&refresh_token=${refresh[i]}" >"$TMP/load.$i.code" 2>/dev/null &
	LOAD[i]=$!
done
wait_for 10 sh -c "[ \"\$(curl -sf '$API/_emu/received' | jq .tokenCalls.refresh_token.inFlight)\" = $K ]" ||
	fail "the $K refreshes did not all reach the emulator: $(emu GET received | jq -c .tokenCalls.refresh_token)"
t0=$(now_ms)
kill -TERM "$C_PID"
wait_for 2 sh -c "! (exec 3<>/dev/tcp/127.0.0.1/$PC) 2>/dev/null" || fail "the broker still accepts after SIGTERM"
for i in $(seq "$K"); do wait "${LOAD[i]}" || true; done
rc=0
wait "$C_PID" || rc=$?
t=$(($(now_ms) - t0))
[ "$rc" = 0 ] || fail "the broker exited $rc after SIGTERM"
answered=0
for i in $(seq "$K"); do
	[ "$(cat "$TMP/load.$i.code")" = 200 ] && [ "$(jq -r .access_token <"$TMP/load.$i" | wc -c)" -gt 20 ] &&
		answered=$((answered + 1))
done
[ "$answered" = "$K" ] || fail "only $answered of $K in-flight refreshes were answered after SIGTERM"
grep -q "finishing $K request(s)" "$ART/c.log" || fail "the drain did not report $K requests in progress"
[ "$(emu GET received | jq '.tokenCalls.refresh_token | .count, .errors' | tr '\n' ' ')" = "$K 0 " ] ||
	fail "the emulator did not see $K good refreshes"
emu POST oauth/delay '{"ms":0}' >/dev/null
ok "SIGTERM with $K refreshes in flight: listener closed at once, all $K answered 200, exit 0 after $t ms"

# ---- the logs hold no code, token or secret
tokens=$(emu GET tokens | jq -r '.all[] | .accessToken, .refreshToken')
leaks=0
for v in "$SECRET" bogus-client-secret "$CODE1" "$ACCESS1" $tokens; do
	if grep -rqF -- "$v" "$ART"/a.log "$ART"/b.log "$ART"/c.log "$TMP"/a.out "$TMP"/b.out "$TMP"/c.out; then
		echo "leak: a log holds ${v:0:6}…"
		leaks=$((leaks + 1))
	fi
done
((leaks == 0)) || fail "$leaks secret value(s) found in the broker's logs"
grep -q 'access: POST /token 200' "$ART/a.log" || fail "no access log lines"
grep -q 'access: GET /redirect 400' "$ART/a.log" || fail "no access line for a refused redirect"
ok "no code, token or secret in the logs ($(wc -w <<<"$tokens") tokens, the code and the secret checked)"
echo "PASS broker.service"
