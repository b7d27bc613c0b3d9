#!/usr/bin/env bash
# Drives every restream-emulator route with curl and ws-probe.
# usage: test_emulator.sh path/to/restream-emulator path/to/ws-probe
set -u
EMU=${1:?emulator binary}
PROBE=${2:?ws-probe binary}
WORK=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT

FAILS=0
PASSES=0
ok() { PASSES=$((PASSES + 1)); echo "ok - $1"; }
bad() { FAILS=$((FAILS + 1)); echo "FAIL - $1"; }
eq() { # actual expected description
	if [ "$1" == "$2" ]; then ok "$3"; else bad "$3 (got '$1', want '$2')"; fi
}
has() { # haystack needle description
	if [[ "$1" == *"$2"* ]]; then ok "$3"; else bad "$3 ('$2' not in '${1:0:300}')"; fi
}
ge() { # actual min description
	if [ "$1" -ge "$2" ] 2>/dev/null; then ok "$3"; else bad "$3 (got '$1', want >= $2)"; fi
}

start_emu() { # outfile args...
	local out=$1
	shift
	"$EMU" "$@" >"$out" 2>"$out.err" &
	PIDS+=($!)
	for _ in $(seq 1 100); do
		grep -q '^READY$' "$out" && return 0
		sleep 0.1
	done
	echo "emulator did not start: $(cat "$out.err")"
	exit 1
}

RURI=http://127.0.0.1:8765/callback
BRURI=http://127.0.0.1:9/redirect
printf 'broker-only-secret-%s\n' "$$" >"$WORK/broker.secret"
start_emu "$WORK/emu.out" --api-port 0 --chat-port 0 --streaming-port 0 --heartbeat 1 --rtmp-url rtmp://127.0.0.1:19350/live \
	--redirect-uri "$RURI" --broker-client-id emu-broker-client --broker-client-secret-file "$WORK/broker.secret" \
	--broker-redirect-uri "$BRURI"
eval "$(grep '^RESTREAM_' "$WORK/emu.out")"
A=$RESTREAM_API_URL
CID=$RESTREAM_CLIENT_ID
CS=$RESTREAM_CLIENT_SECRET
eq "$(grep -c '^RESTREAM_\(API\|CHAT\|STREAMING\)_URL=' "$WORK/emu.out")" 3 "startup prints three URLs"
eq "$(tail -1 "$WORK/emu.out")" READY "startup ends with READY"
has "$RESTREAM_CHAT_URL" "ws://127.0.0.1:" "chat URL is loopback ws"
ge "${#CS}" 16 "client secret is distinctive"

# status+body helper: sets ST (HTTP status) and BODY
req() {
	BODY=$(curl -s -o "$WORK/body" -w '%{http_code}' "$@")
	ST=$BODY
	BODY=$(cat "$WORK/body")
}
ctl() { curl -s -X POST -H 'Content-Type: application/json' "$A/_emu/$1" -d "${2:-{\}}"; }
# mark_conn KIND before starting a background probe, wait_conn KIND after: waits (max 5 s) for its socket
mark_conn() { BASE=$(curl -s "$A/_emu/sockets" | jq ".$1.connectsTotal"); }
wait_conn() {
	for _ in $(seq 1 50); do
		[ "$(curl -s "$A/_emu/sockets" | jq ".$1.connectsTotal")" -gt "$BASE" ] && { sleep 0.1; return 0; }
		sleep 0.1
	done
	bad "no $1 socket connected within 5 s"
}
# probe_bg KIND OUT ARGS...: ws-probe on the KIND socket in the background (pid in PP, frames to OUT),
# returning once the emulator counted its connection
probe_bg() {
	local kind=$1 out=$2 url
	shift 2
	if [ "$kind" = chat ]; then url=$CU; else url=$SU; fi
	mark_conn "$kind"
	"$PROBE" "$url" "$@" >"$out" &
	PP=$!
	wait_conn "$kind"
}

# ---- public REST ----
req "$A/v2/platform/all"
eq "$ST" 200 "platform/all without auth"
eq "$(jq -r '.[] | select(.id==1) | .name' <<<"$BODY")" Twitch "platform 1 is Twitch"
eq "$(jq -r '.[] | select(.id==5) | .image.png' <<<"$BODY")" "$RESTREAM_API_URL/img/platforms/platform-5.png" "platform image.png"
curl -s -o "$WORK/p5.png" "$RESTREAM_API_URL/img/platforms/platform-5.png"
eq "$(head -c 8 "$WORK/p5.png" | od -An -c | tr -d ' ')" '211PNG\r\n032\n' "platform image is a PNG served on loopback"
eq "$(jq -r '.[] | select(.id==75) | .altImage.svg | length > 0' <<<"$BODY")" true "platform altImage"
req "$A/v2/server/all"
eq "$(jq -r '.[0].name' <<<"$BODY")" Autodetect "server/all starts with Autodetect"
eq "$(jq -r '.[1].latitude | type' <<<"$BODY")" string "latitude is a string"
eq "$(jq -r '.[2].rtmpUrl' <<<"$BODY")" rtmp://127.0.0.1:19350/live "rtmpUrl follows --rtmp-url"

# ---- OAuth authorize ----
login() { curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$A/login?response_type=code&client_id=$1&redirect_uri=$2&state=$3&scope=profile.read%20chat.read"; }
eq "$(login nope "$RURI" s | cut -d' ' -f1)" 400 "login rejects unknown client_id"
eq "$(login "$CID" https://evil.example.com/cb s | cut -d' ' -f1)" 400 "login rejects non-loopback redirect_uri"
# registered redirect URIs are matched exactly: today's ephemeral localhost URI, another port, another host
# spelling and the broker's URI (registered for the other client) are all refused
eq "$(login "$CID" "http://localhost:43127/callback" s | cut -d' ' -f1)" 400 "login refuses an unregistered localhost:<random> URI"
eq "$(login "$CID" "http://127.0.0.1:8766/callback" s | cut -d' ' -f1)" 400 "login refuses another port"
eq "$(login "$CID" "http://localhost:8765/callback" s | cut -d' ' -f1)" 400 "login refuses localhost for 127.0.0.1"
eq "$(login "$CID" "$BRURI" s | cut -d' ' -f1)" 400 "login refuses the broker client's URI for the app client"
eq "$(curl -s "$A/_emu/clients" | jq -r '.redirectsRefused')" 5 "refusals counted (with the non-loopback one)"
# the broker client: its own URI only, and a code it exchanges with its own secret only
eq "$(login emu-broker-client "$RURI" s | cut -d' ' -f1)" 400 "the broker client cannot use the app's URI"
BR=$(login emu-broker-client "$BRURI" "4242.0123456789abcdef")
eq "${BR%% *}" 302 "the broker client logs in with its registered URI"
BCODE=$(sed 's/.*code=\([0-9a-f]*\).*/\1/' <<<"$BR")
BST=$(curl -s -o /dev/null -w '%{http_code}' -u "$CID:$CS" -d grant_type=authorization_code -d "code=$BCODE" --data-urlencode "redirect_uri=$BRURI" "$A/oauth/token")
eq "$BST" 400 "a broker code exchanged with the app's credentials is refused"
BCODE=$(login emu-broker-client "$BRURI" s | sed 's/.*code=\([0-9a-f]*\).*/\1/')
BST=$(curl -s -o /dev/null -w '%{http_code}' -u "emu-broker-client:wrong" -d grant_type=authorization_code -d "code=$BCODE" --data-urlencode "redirect_uri=$BRURI" "$A/oauth/token")
eq "$BST" 401 "a wrong broker secret is refused"
BST=$(curl -s -o /dev/null -w '%{http_code}' -u "emu-broker-client:$(cat "$WORK/broker.secret")" -d grant_type=authorization_code -d "code=$BCODE" --data-urlencode "redirect_uri=$BRURI" "$A/oauth/token")
eq "$BST" 200 "the broker's secret exchanges the broker's code"
grep -qF "$(cat "$WORK/broker.secret")" "$WORK/emu.out" && bad "the broker secret was printed"
R=$(login "$CID" "$RURI" "st%2Fate1")
eq "${R%% *}" 302 "login auto-approves with 302"
LOC=${R#* }
has "$LOC" "$RURI?code=" "redirect carries code"
has "$LOC" "&scope=profile.read,channels.read" "redirect scope is comma-separated"
has "$LOC" "&state=st%2Fate1" "redirect echoes state"
CODE=$(sed 's/.*code=\([0-9a-f]*\).*/\1/' <<<"$LOC")
ge "${#CODE}" 16 "code is distinctive"

# ---- token: authorization_code ----
req -u "$CID:$CS" -d grant_type=authorization_code -d "code=$CODE" --data-urlencode "redirect_uri=$RURI" "$A/oauth/token"
eq "$ST" 200 "code grant with HTTP Basic"
for f in access_token expires expires_in refresh_token scope token_type accessToken accessTokenExpiresIn \
	accessTokenExpiresAt accessTokenExpiresEpoch refreshToken refreshTokenExpiresIn refreshTokenExpiresAt \
	refreshTokenExpiresEpoch emulatorUnknownField; do
	eq "$(jq "has(\"$f\")" <<<"$BODY")" true "token response has $f"
done
eq "$(jq -r .scope <<<"$BODY")" "profile.read channels.read channels.write chat.read stream.read" "token scope space-separated"
eq "$(jq -r '.accessToken == .access_token and .expires == .accessTokenExpiresEpoch' <<<"$BODY")" true "both spellings agree"
AT=$(jq -r .access_token <<<"$BODY")
RT=$(jq -r .refresh_token <<<"$BODY")
req -u "$CID:$CS" -d grant_type=authorization_code -d "code=$CODE" --data-urlencode "redirect_uri=$RURI" "$A/oauth/token"
eq "$ST/$(jq -r .error <<<"$BODY")" 400/invalid_grant "code is single-use"
CODE2=$(login "$CID" "$RURI" x | sed 's/.*code=\([0-9a-f]*\).*/\1/')
req -u "$CID:$CS" -d grant_type=authorization_code -d "code=$CODE2" --data-urlencode "redirect_uri=http://127.0.0.1:9/other" "$A/oauth/token"
eq "$ST/$(jq -r .error <<<"$BODY")" 400/invalid_grant "redirect_uri must match"
CODE3=$(login "$CID" "$RURI" x | sed 's/.*code=\([0-9a-f]*\).*/\1/')
req -d grant_type=authorization_code -d "code=$CODE3" --data-urlencode "redirect_uri=$RURI" -d "client_id=$CID" -d "client_secret=wrong" "$A/oauth/token"
eq "$ST/$(jq -r .error <<<"$BODY")" 401/invalid_client "wrong client secret -> invalid_client"
CODE3=$(login "$CID" "$RURI" x | sed 's/.*code=\([0-9a-f]*\).*/\1/')
req -d grant_type=authorization_code -d "code=$CODE3" --data-urlencode "redirect_uri=$RURI" -d "client_id=$CID" -d "client_secret=$CS" "$A/oauth/token"
eq "$ST" 200 "code grant with form credentials"
AT2=$(jq -r .access_token <<<"$BODY")

# ---- REST with bearer ----
H="Authorization: Bearer $AT"
req "$A/v2/user/profile"
eq "$ST" 401 "profile without token -> 401"
eq "$(jq -c .error <<<"$BODY")" '{"statusCode":401,"status":401,"code":401,"message":"Invalid token: access token is invalid","name":"invalid_token"}' "401 envelope"
req -H "$H" "$A/v2/user/profile"
eq "$(jq -r '.id > 0 and (.username|length>0) and (.email|length>0) and has("emuPlan")' <<<"$BODY")" true "profile fields + extra"
req -H "$H" "$A/v2/user/ingest"
eq "$(jq -r .ingestId <<<"$BODY")" 1 "ingestId"
req -H "$H" "$A/v2/user/streamKey"
SK=$(jq -r .streamKey <<<"$BODY")
[[ "$SK" =~ ^re_[0-9]+_[0-9a-f]{16,}$ ]] && ok "stream key format" || bad "stream key format ($SK)"
has "$(jq -r .srtUrl <<<"$BODY")" "srt://127.0.0.1:9000?streamid=srt_" "srtUrl built from --srt-url"
has "$(jq -r .srtUrl <<<"$BODY")" "&passphrase=re_" "srtUrl passphrase"
req -H "$H" "$A/v2/user/channel/all"
eq "$(jq -r '[.[] | has("enabled")] | all' <<<"$BODY")" true "channel list uses enabled"
eq "$(jq -r '[.[] | select(.streamingPlatformId==999)] | length' <<<"$BODY")" 1 "unknown platform channel"
eq "$(jq -r '.[] | select(.id==1000106) | .displayName' <<<"$BODY")" '<b>Bold & "Co"</b>' "HTML display name"
for p in 1 5 37 59; do eq "$(jq -r "[.[] | select(.streamingPlatformId==$p)] | length > 0" <<<"$BODY")" true "channel on platform $p"; done
req -H "$H" "$A/v2/user/channel/1000101"
eq "$(jq -r '.active' <<<"$BODY")" true "single channel uses active"
req -H "$H" "$A/v2/user/channel/42"
eq "$ST/$(jq -r .error.statusCode <<<"$BODY")" 404/404 "unknown channel -> 404 envelope"
req -H "$H" -X PATCH -H 'Content-Type: application/json' -d '{"active":false}' "$A/v2/user/channel/1000101"
eq "$ST/${#BODY}" 200/0 "PATCH channel -> 200 empty"
req -H "$H" "$A/v2/user/channel/1000101"
eq "$(jq -r .active <<<"$BODY")" false "PATCH changed state"
curl -s -H "$H" -X PATCH -d '{"active":true}' "$A/v2/user/channel/1000101" >/dev/null
eq "$(curl -s "$A/_emu/received" | jq -c '[.patches["1000101"][].body.active]')" '[false,true]' "PATCH bodies recorded"
req -H "$H" -X PATCH -d '{"active":"yes"}' "$A/v2/user/channel/1000101"
eq "$ST" 400 "PATCH with non-boolean active -> 400"
T140=$(printf 'x%.0s' $(seq 1 140))
req -H "$H" -X PATCH -d "{\"title\":\"$T140\",\"description\":\"d\"}" "$A/v2/user/channel-meta/1000101"
eq "$ST" 200 "Twitch title of 140 chars accepted"
req -H "$H" "$A/v2/user/channel-meta/1000101"
eq "$(jq -r '.title|length' <<<"$BODY")" 140 "channel-meta GET returns new title"
req -H "$H" -X PATCH -d "{\"title\":\"${T140}x\"}" "$A/v2/user/channel-meta/1000101"
eq "$ST/$(jq -r .error.message <<<"$BODY")" "400/Title Too Long" "Twitch title of 141 chars -> Title Too Long"
req -H "$H" -X PATCH -d "{\"title\":\"${T140:0:101}\"}" "$A/v2/user/channel-meta/1000102"
eq "$ST/$(jq -r .error.message <<<"$BODY")" "400/Title Too Long" "YouTube title limit 100"

# ---- events ----
req -H "$H" "$A/v2/user/events/upcoming"
eq "$(jq -r 'length' <<<"$BODY")" 2 "two upcoming events"
EV=$(jq -r '.[0].id' <<<"$BODY")
eq "$(jq -r '.[1].scheduledFor' <<<"$BODY")" null "unscheduled event has null scheduledFor"
eq "$(jq -r '.[0].destinations[0] | has("channelId") and has("externalUrl") and has("streamingPlatformId")' <<<"$BODY")" true "destination fields"
req -H "$H" "$A/v2/user/events/upcoming?scheduled=true"
eq "$(jq -r 'length' <<<"$BODY")" 1 "scheduled=true filters"
req -H "$H" "$A/v2/user/events/in-progress"
eq "$BODY" "[]" "no in-progress event yet"
req -H "$H" "$A/v2/user/events/history?page=3&limit=10"
eq "$(jq -c '[.pagination.pages_total, .pagination.page, .pagination.limit, (.items|length)]' <<<"$BODY")" "[3,3,10,3]" "history pagination"
eq "$(jq -r '[.items[].status | test("finished|missed")] | all' <<<"$BODY")" true "history statuses"
req -H "$H" "$A/v2/user/events/$EV"
eq "$(jq -r .id <<<"$BODY")" "$EV" "single event"
req -H "$H" "$A/v2/user/events/$EV/streamKey"
has "$(jq -r .streamKey <<<"$BODY")" re_ "event streamKey"
req -H "$H" "$A/v2/user/events/$EV/srt/streamKey"
eq "$(jq -r '(.streamId|startswith("srt_")) and (.passPhrase|startswith("re_")) and (.url|contains("passphrase="))' <<<"$BODY")" true "event SRT key"
req -H "$H" "$A/v2/user/events/00000000-0000-0000-0000-000000000000"
eq "$ST/$(jq -r .error.status <<<"$BODY")" 404/404 "unknown event -> 404"

# ---- refresh rotation, reuse, revoke ----
req -u "$CID:$CS" -d grant_type=refresh_token -d "refresh_token=$RT" "$A/oauth/token"
eq "$ST" 200 "refresh grant"
NAT=$(jq -r .access_token <<<"$BODY")
NRT=$(jq -r .refresh_token <<<"$BODY")
[ "$NAT" != "$AT" ] && [ "$NRT" != "$RT" ] && ok "refresh rotates both tokens" || bad "refresh rotates both tokens"
eq "$(curl -s -o /dev/null -w '%{http_code}' -H "$H" "$A/v2/user/profile")" 401 "old access token dead after refresh"
req -u "$CID:$CS" -d grant_type=refresh_token -d "refresh_token=$RT" "$A/oauth/token"
eq "$ST/$(jq -r .error <<<"$BODY")" 400/invalid_grant "reused refresh token -> invalid_grant"
has "$BODY" error_description "invalid_grant has error_description"
eq "$(curl -s "$A/_emu/received" | jq .tokenCalls.refresh_token.reusedRefreshToken)" 1 "reuse counted"
req -u "$CID:wrong" -d grant_type=refresh_token -d "refresh_token=$NRT" "$A/oauth/token"
eq "$ST/$(jq -r .error <<<"$BODY")" 401/invalid_client "refresh with wrong secret"
H="Authorization: Bearer $NAT"
eq "$(curl -s -o /dev/null -w '%{http_code}' -H "$H" "$A/v2/user/profile")" 200 "new access token works"
req -d "token=$NAT" -d token_type_hint=access_token "$A/oauth/revoke"
eq "$ST/${#BODY}" 200/0 "revoke -> 200 empty"
req -d "token=nonexistent" "$A/oauth/revoke"
eq "$ST/${#BODY}" 200/0 "revoke of unknown token -> 200 empty"
eq "$(curl -s -o /dev/null -w '%{http_code}' -H "$H" "$A/v2/user/profile")" 401 "revoked access token -> 401"
req -u "$CID:$CS" -d grant_type=refresh_token -d "refresh_token=$NRT" "$A/oauth/token"
eq "$ST/$(jq -r .error <<<"$BODY")" 400/invalid_grant "revoking access also revokes refresh"
eq "$(curl -s "$A/_emu/received" | jq .revokes.count)" 2 "revokes counted"

# ---- concurrent refresh detection ----
PAIR=$(ctl tokens/issue)
CRT=$(jq -r .refreshToken <<<"$PAIR")
ctl oauth/delay '{"ms":600}' >/dev/null
curl -s -o "$WORK/r1" -w '%{http_code}\n' -u "$CID:$CS" -d grant_type=refresh_token -d "refresh_token=$CRT" "$A/oauth/token" >"$WORK/s1" &
C1=$!
sleep 0.15
curl -s -o "$WORK/r2" -w '%{http_code}\n' -u "$CID:$CS" -d grant_type=refresh_token -d "refresh_token=$CRT" "$A/oauth/token" >"$WORK/s2" &
C2=$!
wait $C1 $C2
eq "$(cat "$WORK/s1" "$WORK/s2" | sort | tr '\n' ' ')" "200 400 " "overlapping refreshes: one wins, one invalid_grant"
RC=$(curl -s "$A/_emu/received" | jq -c '.tokenCalls.refresh_token | [.maxConcurrent, .overlaps, .inFlight]')
eq "$RC" "[2,1,0]" "concurrent refreshes recorded"
ctl oauth/delay '{"ms":0}' >/dev/null

# ---- token expiry / lifetime via control ----
PAIR=$(ctl tokens/issue)
XT=$(jq -r .accessToken <<<"$PAIR")
eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $XT" "$A/v2/user/ingest")" 200 "issued token works"
eq "$(ctl tokens/expire "{\"token\":\"$XT\"}" | jq .affected)" 1 "expire one token"
eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $XT" "$A/v2/user/ingest")" 401 "expired token -> 401"
ctl tokens/lifetime '{"access_seconds":2}' >/dev/null
PAIR=$(ctl tokens/issue)
eq "$(jq '.accessTokenExpiresEpoch - .issuedAt' <<<"$PAIR")" 2 "lifetime control applies"
XT=$(jq -r .accessToken <<<"$PAIR")
sleep 2.2
eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $XT" "$A/v2/user/ingest")" 401 "token expires by lifetime"
ctl tokens/lifetime '{"access_seconds":3600}' >/dev/null
PAIR=$(ctl tokens/issue)
XT=$(jq -r .accessToken <<<"$PAIR")
ctl tokens/revoke "{\"token\":\"$XT\"}" >/dev/null
eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $XT" "$A/v2/user/ingest")" 401 "control revoke -> 401"
AT=$(ctl tokens/issue | jq -r .accessToken)
H="Authorization: Bearer $AT"
eq "$(curl -s "$A/_emu/tokens" | jq -r .current.accessToken)" "$AT" "control shows current token"

# ---- faults ----
for s in 401 404 500 503; do
	ctl faults "{\"route\":\"/v2/user/profile\",\"status\":$s}" >/dev/null
	req -H "$H" "$A/v2/user/profile"
	eq "$ST/$(jq -r .error.statusCode <<<"$BODY")" "$s/$s" "fault $s with envelope"
done
eq "$(curl -s -o /dev/null -w '%{http_code}' -H "$H" "$A/v2/user/profile")" 200 "fault count 1 is used up"
ctl faults '{"route":"/v2/user/*","status":429,"retry_after":7}' >/dev/null
HDRS=$(curl -s -D - -o /dev/null -H "$H" "$A/v2/user/ingest")
has "$HDRS" " 429" "fault 429"
has "${HDRS,,}" "retry-after: 7" "429 carries Retry-After"
ctl faults '{"route":"/v2/user/ingest","delay_ms":800}' >/dev/null
T=$(curl -s -o /dev/null -w '%{time_total}' -H "$H" "$A/v2/user/ingest")
eq "$(awk -v t="$T" 'BEGIN{print (t >= 0.75)}')" 1 "fault delay_ms ($T s)"
ctl faults '{"route":"/v2/user/ingest","body":"malformed"}' >/dev/null
req -H "$H" "$A/v2/user/ingest"
jq . <<<"$BODY" >/dev/null 2>&1 && bad "malformed body is not JSON" || ok "malformed body is not JSON"
ctl faults '{"route":"/v2/user/streamKey","body":"truncated"}' >/dev/null
curl -s -o /dev/null -H "$H" "$A/v2/user/streamKey"
eq "$?" 18 "truncated body -> curl partial transfer"
ctl faults '{"route":"/v2/user/ingest","status":500,"body":{"weird":true}}' >/dev/null
req -H "$H" "$A/v2/user/ingest"
eq "$ST/$BODY" '500/{"weird":true}' "custom fault body"
ctl faults '{"route":"/oauth/token","method":"POST","status":503,"count":2}' >/dev/null
eq "$(curl -s -o /dev/null -w '%{http_code}' -d grant_type=refresh_token "$A/oauth/token")" 503 "fault on /oauth/token (1)"
eq "$(curl -s -o /dev/null -w '%{http_code}' -d grant_type=refresh_token "$A/oauth/token")" 503 "fault on /oauth/token (2)"
eq "$(curl -s -o /dev/null -w '%{http_code}' -d grant_type=refresh_token "$A/oauth/token")" 401 "fault count 2 used up"
ctl faults '{"route":"/v2/server/all","status":500,"count":-1}' >/dev/null
eq "$(curl -s "$A/_emu/faults" | jq '.[] | select(.route=="/v2/server/all") | .remaining')" -1 "unlimited fault listed"
curl -s -X DELETE "$A/_emu/faults" >/dev/null
eq "$(curl -s -o /dev/null -w '%{http_code}' "$A/v2/server/all")" 200 "faults cleared"

# ---- deny mode ----
ctl oauth/deny '{"enabled":true}' >/dev/null
R=$(login "$CID" "$RURI" s)
eq "$R" "302 $RURI" "denial redirects with no parameters"
ctl oauth/deny '{"enabled":false}' >/dev/null

# ---- chat socket ----
CU="$RESTREAM_CHAT_URL?accessToken=$AT"
OUT=$("$PROBE" "$RESTREAM_CHAT_URL?accessToken=bogus" --timeout 5)
eq "$?/$OUT" "3/HTTP 401" "chat upgrade refused with 401 for a bad token"
"$PROBE" "$RESTREAM_CHAT_URL?accessToken=bogus" --timeout 5 --expect-status 401 >/dev/null
eq "$?" 0 "ws-probe --expect-status"
"$PROBE" "$CU" --timeout 2.5 --send '{"action":"hello from client"}' >"$WORK/chat1"
eq "$(jq -r 'select(.action=="connection_info") | .action' "$WORK/chat1" | wc -l)" 6 "connection_info per enabled chat channel + Discord"
eq "$(jq -r 'select(.action=="connection_info" and .payload.status=="error") | .payload.reason' "$WORK/chat1")" youtube_livechat_ended "one connection in error"
ge "$(grep -c '"action":"heartbeat","payload":{},"timestamp":' "$WORK/chat1")" 2 "heartbeats every --heartbeat s"
eq "$(curl -s "$A/_emu/received" | jq -r '.chatClient.texts[-1]')" '{"action":"hello from client"}' "client text recorded"
# no heartbeats while counting frames
ctl sockets/silence '{"kind":"chat","heartbeats":true}' >/dev/null
probe_bg chat "$WORK/toggle" --count 8 --timeout 5
curl -s -H "$H" -X PATCH -d '{"active":false}' "$A/v2/user/channel/1000107" >/dev/null
curl -s -H "$H" -X PATCH -d '{"active":true}' "$A/v2/user/channel/1000107" >/dev/null
wait $PP
eq "$(grep -v heartbeat "$WORK/toggle" | tail -2 | jq -r .action | tr '\n' ' ')" "connection_closed connection_info " "channel toggle closes/opens its chat connection"
PRESETS=$(curl -s "$A/_emu/chat/presets" | jq -r '.[]' | grep -v heartbeat)
NP=$(wc -l <<<"$PRESETS")
probe_bg chat "$WORK/chat2" --count $((NP + 6)) --timeout 8
for p in $PRESETS; do
	eq "$(ctl chat/push "{\"preset\":\"$p\"}" | jq .ok)" true "push chat preset $p"
done
wait $PP
eq "$?" 0 "probe received all pushed chat frames"
for id in 1 2 3 4 5 7 8 11 12 13 14 19 20 21 22 99; do
	eq "$(jq -r "select(.action==\"event\" and .payload.eventTypeId==$id) | .payload.eventTypeId" "$WORK/chat2" | head -1)" "$id" "chat event type $id"
done
eq "$(jq -r 'select(.payload.eventTypeId==4) | .payload.eventPayload.replaces | (.[0].from > .[1].from)' "$WORK/chat2")" true "twitch replaces in reverse order"
eq "$(jq -r 'select(.payload.eventTypeId==7) | .payload.eventPayload.donation.amount | type' "$WORK/chat2")" string "superchat amount is a string"
eq "$(jq -c 'select(.payload.eventTypeId==19) | .payload.eventPayload.author' "$WORK/chat2")" '{}' "facebook group author empty"
for a in reply_created reply_accepted reply_confirmed reply_failed relay_accepted relay_confirmed relay_failed connection_closed; do
	eq "$(jq -r "select(.action==\"$a\") | .action" "$WORK/chat2" | head -1)" "$a" "chat action $a"
done
probe_bg chat "$WORK/chat3" --count 7 --timeout 5
ctl chat/push '{"preset":"twitch_text","text":"custom Kappa","author":"Zed","overrides":{"payload":{"eventPayload":{"bot":true}}}}' >/dev/null
wait $PP
eq "$(tail -1 "$WORK/chat3" | jq -c '.payload.eventPayload | [.text, .author.displayName, .bot, .replaces[0].from]')" '["custom Kappa","Zed",true,7]' "preset overrides"
probe_bg chat "$WORK/chat4" --count 7 --timeout 5
ctl chat/push '{"raw":{"action":"brand_new_action","payload":{"x":1},"timestamp":1}}' >/dev/null
wait $PP
eq "$(tail -1 "$WORK/chat4" | jq -r .action)" brand_new_action "raw chat frame"
probe_bg chat "$WORK/chat4b" --count 7 --timeout 5
ctl chat/push '{"raw_text":"this is {not json"}' >/dev/null
wait $PP
eq "$(tail -1 "$WORK/chat4b")" "this is {not json" "raw_text chat frame"
# raw_base64: bytes verbatim, invalid UTF-8 included (lone 0xFF 0xFE, truncated 0xC3, an encoded surrogate)
RAWB=$(printf '{"action":"event","payload":{"text":"bad \xff\xfe \xc3\x28 \xed\xa0\x80 end"}}' | base64 -w0)
probe_bg chat "$WORK/chat4c" --count 7 --timeout 5
eq "$(ctl chat/push "{\"raw_base64\":\"$RAWB\"}" | jq -c '[.ok, .bytes]')" "[true,$(base64 -d <<<"$RAWB" | wc -c)]" "raw_base64 chat push"
wait $PP
eq "$(tail -n 1 "$WORK/chat4c" | head -c -1 | base64 -w0)" "$RAWB" "raw_base64 chat frame arrives byte for byte"
eq "$(ctl chat/push '{"raw_base64":"not base64!"}' | jq .ok)" false "raw_base64 rejects what is not base64"
probe_bg chat "$WORK/flood" --count 56 --timeout 6
eq "$(ctl chat/flood '{"rate":50,"seconds":1,"preset":"youtube_text"}' | jq .ok)" true "flood accepted"
wait $PP
eq "$?" 0 "flood delivered 50 messages"
eq "$(grep -c 'flood message #' "$WORK/flood")" 50 "flood messages counted"
# flood accuracy: 2,000/s for 3 s = 6,000 messages, the last one due 2.9995 s after the start (heartbeats are
# still silenced here, so the probe counts 6 connection_info + the flood)
probe_bg chat "$WORK/flood2" --count 6006 --timeout 20
T0=$(date +%s%N)
ctl chat/flood '{"rate":2000,"seconds":3}' >/dev/null
wait $PP
eq "$?" 0 "fast flood delivered"
MS=$((($(date +%s%N) - T0) / 1000000))
eq "$(grep -c 'flood message #' "$WORK/flood2")" 6000 "fast flood messages counted"
eq "$(grep -o 'flood message #[0-9]*' "$WORK/flood2" | tail -1)" "flood message #6000" "fast flood in order"
if [ "$MS" -ge 2900 ] && [ "$MS" -le 3600 ]; then ok "2,000/s for 3 s took $MS ms"; else bad "2,000/s for 3 s took $MS ms (want 2900..3600)"; fi
eq "$(curl -s "$A/_emu/chat/flood" | jq -c '[.active, .rate, .sent, .total, (.elapsedMs >= 2990 and .elapsedMs < 3600)]')" \
	"[false,2000,6000,6000,true]" "flood status"

# silence heartbeats, then pings, then drop with close code
ctl sockets/silence '{"kind":"chat","heartbeats":true}' >/dev/null
"$PROBE" "$CU" --timeout 2.5 >"$WORK/chat5"
eq "$(grep -c heartbeat "$WORK/chat5")" 0 "silenced heartbeats"
ctl sockets/unsilence '{"kind":"chat"}' >/dev/null
ctl sockets/silence '{"kind":"chat","pings":true}' >/dev/null
"$PROBE" "$CU" --timeout 2.5 --ping 1 >"$WORK/chat6"
eq "$(grep -c PONG "$WORK/chat6")" 0 "silenced pings get no pong"
ctl sockets/unsilence '{"kind":"chat"}' >/dev/null
"$PROBE" "$CU" --timeout 2.5 --ping 1 >"$WORK/chat7"
ge "$(grep -c PONG "$WORK/chat7")" 1 "pongs come back after unsilence"
ctl sockets/silence '{"kind":"chat","sends":true}' >/dev/null
"$PROBE" "$CU" --timeout 1.5 >"$WORK/chat8"
eq "$(wc -l <"$WORK/chat8")" 0 "silenced sends"
ctl sockets/unsilence '{"kind":"all"}' >/dev/null
probe_bg chat "$WORK/drop" --timeout 5
eq "$(curl -s "$A/_emu/sockets" | jq .chat.connections)" 1 "chat connection counted"
eq "$(ctl sockets/drop '{"kind":"chat","code":4001}' | jq .dropped)" 1 "drop chat sockets"
wait $PP
eq "$?/$(tail -1 "$WORK/drop")" "4/CLOSED 4001" "drop with close code"
probe_bg chat "$WORK/drop2" --timeout 5
ctl sockets/drop '{"kind":"all"}' >/dev/null
wait $PP
eq "$?" 4 "abrupt drop closes the socket"
ctl sockets/refuse '{"kind":"chat","status":503,"count":1}' >/dev/null
OUT=$("$PROBE" "$CU" --timeout 5)
eq "$OUT" "HTTP 503" "refused upgrade with configured status"
"$PROBE" "$CU" --count 1 --timeout 5 >/dev/null
eq "$?" 0 "refusal count used up"
XT=$(ctl tokens/issue | jq -r .accessToken)
ctl tokens/expire "{\"token\":\"$XT\"}" >/dev/null
eq "$("$PROBE" "$RESTREAM_CHAT_URL?accessToken=$XT" --timeout 5)" "HTTP 401" "expired token refused at chat upgrade"

# ---- streaming socket ----
SU="$RESTREAM_STREAMING_URL?accessToken=$AT"
eq "$("$PROBE" "$RESTREAM_STREAMING_URL?accessToken=bogus" --timeout 5)" "HTTP 401" "streaming upgrade 401 for bad token"
"$PROBE" "$SU" --timeout 1.5 --ping 1 >"$WORK/s0"
eq "$(grep -vc PONG "$WORK/s0")" 0 "streaming silent while nothing is live"
ge "$(grep -c PONG "$WORK/s0")" 1 "streaming answers pings"
ctl stream/interval '{"ms":500}' >/dev/null
probe_bg streaming "$WORK/s1" --timeout 3
LIVE=$(ctl stream/go-live | jq -r .eventId)
wait $PP
eq "$(head -1 "$WORK/s1" | jq -r .action)" updateIncoming "go-live starts with updateIncoming"
eq "$(jq -r 'select(.action=="updateOutgoing") | .streaming.status' "$WORK/s1" | sort -u | tr '\n' ' ')" "CONNECTED CONNECTING " "outgoing CONNECTING then CONNECTED"
eq "$(jq -r 'select(.action=="updateIncoming") | [.eventId, (.streaming.bitrate.total|type), .streaming.codec.video] | join(",")' "$WORK/s1" | head -1)" "$LIVE,number,h264" "updateIncoming shape"
eq "$(jq -r 'select(.action=="updateStatuses" and .platformId==5) | [.followers, .channelViews] | tostring' "$WORK/s1" | head -1)" "[null,null]" "updateStatuses nulls"
eq "$(jq -r 'select(.action=="updateStatuses" and .platformId==1) | (.online and (.viewers|type=="number"))' "$WORK/s1" | head -1)" true "updateStatuses online with viewers"
eq "$(jq -r 'select(.action=="updateOutgoing") | (has("channelIdentifier") and has("eventIdentifier") and (.streaming|has("bufferedBytes")))' "$WORK/s1" | sort -u)" true "updateOutgoing shape"
req -H "$H" "$A/v2/user/events/in-progress"
eq "$(jq -r '.[0].id' <<<"$BODY")" "$LIVE" "live event is in-progress"
"$PROBE" "$SU" --timeout 1 >"$WORK/s2"
ge "$(grep -c updateIncoming "$WORK/s2")" 1 "replay on connect"
eq "$(grep -c CONNECTING "$WORK/s2")" "$(grep -c CONNECTING "$WORK/s1")" "replay includes the go-live sequence"
ctl stream/push '{"preset":"update_statuses","channelId":1000103,"viewers":77}' >"$WORK/us"
eq "$(jq .frame.viewers "$WORK/us")" 77 "stream preset push"
eq "$(jq '.frame | .createdAt > 1600000000 and .createdAt <= .updatedAt' "$WORK/us")" true "updateStatuses createdAt is the live session's start (unix s)"
ctl stream/push '{"raw":{"action":"futureAction","x":1}}' >/dev/null
ctl sockets/silence '{"kind":"streaming","pings":true}' >/dev/null
"$PROBE" "$SU" --timeout 2.5 --ping 1 >"$WORK/s3"
eq "$(grep -c PONG "$WORK/s3")" 0 "streaming pings silenced"
ctl sockets/unsilence '{"kind":"streaming"}' >/dev/null
probe_bg streaming "$WORK/s4" --timeout 3
ctl stream/go-offline >/dev/null
sleep 0.3
wait $PP
eq "$(jq -r 'select(.action=="deleteOutgoing") | .action' "$WORK/s4" | sort -u)" deleteOutgoing "go-offline deleteOutgoing"
eq "$(jq -r 'select(.action=="deleteIncoming") | .action' "$WORK/s4" | sort -u)" deleteIncoming "go-offline deleteIncoming"
NOW=$(date +%s)
eq "$(ctl stream/push '{"preset":"update_statuses","channelId":1000103}' | jq --argjson now "$NOW" '.frame | .createdAt >= $now - 5 and .createdAt <= .updatedAt')" true "updateStatuses createdAt while offline is now, not 0"
eq "$(jq -r 'select(.action=="futureAction") | .x' "$WORK/s4" | head -1)" 1 "raw stream frame replayed"
probe_bg streaming "$WORK/s4b" --timeout 2
ctl stream/push "{\"raw_base64\":\"$(printf 'stream \xc0 bytes' | base64 -w0)\"}" >/dev/null
wait $PP
eq "$(LC_ALL=C grep -a '^stream .* bytes$' "$WORK/s4b" | od -An -tx1 | tr -d ' \n')" "73747265616d20c02062797465730a" "raw_base64 streaming frame arrives byte for byte"
eq "$(curl -s -H "$H" "$A/v2/user/events/$LIVE" | jq -r .status)" finished "event finished after go-offline"
eq "$(curl -s -H "$H" "$A/v2/user/events/history?limit=1" | jq -r '.items[0].id')" "$LIVE" "history is newest first"
# viewer analytics of the event just streamed: published delayMs after it finished
req -H "$H" "$A/v2/user/events/$LIVE/analytics/viewers"
eq "$ST/$(jq -r .error.name <<<"$BODY")" 404/AnalyticsNotReady "analytics not published right after the stream"
ctl analytics '{"delayMs":0}' >/dev/null
req -H "$H" "$A/v2/user/events/$LIVE/analytics/viewers"
eq "$ST" 200 "analytics published once the delay passed"
eq "$(jq '.byChannel["1000103"].max' <<<"$BODY")" 77 "analytics max = the highest viewers sent (77 pushed)"
eq "$(jq '.total.max >= 77 and (.byChannel["1000103"] | has("mean") and has("viewersPerMinute"))' <<<"$BODY")" true "analytics shape"
eq "$(curl -s "$A/_emu/analytics" | jq --arg e "$LIVE" '.events[$e].published')" true "/_emu/analytics"
req -H "$H" "$A/v2/user/events/00000000-0000-4000-8000-000000000000/analytics/viewers"
eq "$ST" 404 "analytics of an unknown event"
ctl analytics '{"delayMs":60000}' >/dev/null
# creating events
new_event() { req -X POST -H "$H" -H 'Content-Type: application/json' "$A/v2/user/events/new" -d "$1"; }
new_event '{"streamType":"encoder","title":"Emu new","description":"d","scheduledFor":"2031-05-06T07:08:09.000Z"}'
eq "$ST" 201 "event created: 201"
NEW=$(jq -r .id <<<"$BODY")
req -H "$H" "$A/v2/user/events/$NEW"
eq "$(jq -c '[.status, .title, .description, .scheduledFor, (.destinations | length)]' <<<"$BODY")" '["upcoming","Emu new","d",1935817689,0]' "the new event"
eq "$(curl -s -H "$H" "$A/v2/user/events/upcoming" | jq --arg e "$NEW" 'any(.[]; .id == $e)')" true "the new event is upcoming"
eq "$(curl -s -H "$H" "$A/v2/user/events/$NEW/streamKey" | jq -r '.streamKey | startswith("re_")')" true "the new event has its own key"
new_event "{\"streamType\":\"encoder\",\"title\":\"$(printf 'é%.0s' {1..101})\"}"
eq "$ST/$(jq -r '.error.message + "/" + .error.name' <<<"$BODY")" "400/Title Too Long/TitleTooLong" "title over 100 code points"
new_event "{\"streamType\":\"encoder\",\"title\":\"$(printf 'é%.0s' {1..60})\"}"
eq "$ST" 201 "60 two-byte code points are fine"
new_event '{"title":"no type"}'
eq "$ST/$(jq -r .error.name <<<"$BODY")" 400/InvalidBodyParams "streamType required"
new_event '{"streamType":"encoder","scheduledFor":"tomorrow"}'
eq "$ST" 400 "scheduledFor must be ISO-8601"
ctl events/scope '{"write":false}' >/dev/null
new_event '{"streamType":"encoder","title":"x"}'
eq "$ST/$(jq -r .error.message <<<"$BODY")" "403/Insufficient Scope" "without stream.write"
ctl events/scope '{"write":true}' >/dev/null
eq "$(curl -s "$A/_emu/events/created" | jq .created)" 2 "/_emu/events/created"
probe_bg streaming "$WORK/s5" --timeout 3
ctl sockets/drop '{"kind":"streaming","code":1011}' >/dev/null
wait $PP
eq "$(tail -1 "$WORK/s5")" "CLOSED 1011" "streaming drop with code"

# ---- state ----
ST_JSON=$(curl -s "$A/_emu/state")
eq "$(jq -r '(.channels|length) >= 8 and (.events|length) >= 25 and (.streamKey|startswith("re_"))' <<<"$ST_JSON")" true "/_emu/state"
eq "$(jq -r .clientSecret <<<"$ST_JSON")" "$CS" "state reveals client secret"
ctl reset-counters >/dev/null
eq "$(curl -s "$A/_emu/received" | jq '.tokenCalls.refresh_token.count + .revokes.count + .chatClient.count')" 0 "reset-counters"
eq "$(curl -s -o /dev/null -w '%{http_code}' "$A/_emu/nope")" 400 "unknown control route -> 400"

# ---- --no-srt, fixed ports, demo ----
start_emu "$WORK/demo.out" --demo --no-srt --seed 7 --client-id fixed-id --client-secret fixed-secret-0123456789
DA=$(sed -n 's/^RESTREAM_API_URL=//p' "$WORK/demo.out")
DC=$(sed -n 's/^RESTREAM_CHAT_URL=//p' "$WORK/demo.out")
DS=$(sed -n 's/^RESTREAM_STREAMING_URL=//p' "$WORK/demo.out")
eq "$(grep '^RESTREAM_CLIENT_ID=' "$WORK/demo.out")" RESTREAM_CLIENT_ID=fixed-id "--client-id"
DT=$(curl -s -X POST "$DA/_emu/tokens/issue" | jq -r .accessToken)
eq "$(curl -s -H "Authorization: Bearer $DT" "$DA/v2/user/streamKey" | jq .srtUrl)" null "--no-srt gives srtUrl null"
"$PROBE" "$DC?accessToken=$DT" --timeout 5 >"$WORK/demochat"
ge "$(grep -c '"action":"event"' "$WORK/demochat")" 3 "demo chat is lively"
"$PROBE" "$DS?accessToken=$DT" --timeout 1 >"$WORK/demostream"
ge "$(grep -c updateStatuses "$WORK/demostream")" 1 "demo is live with viewers"

echo "# $PASSES passed, $FAILS failed"
if [ "$FAILS" -ne 0 ]; then
	echo "# emulator log (tail):"
	tail -n 40 "$WORK/emu.out.err"
fi
[ "$FAILS" -eq 0 ]
