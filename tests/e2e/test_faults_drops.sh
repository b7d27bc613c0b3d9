#!/usr/bin/env bash
# e2e.faults_drops: sockets dropped every few seconds for two minutes, malformed and truncated frames and bodies, the
# token revoked mid-stream, and OBS closed during a reconnect storm.
#   drops         for $FAULTS_DROP_SECONDS (default 60) s both sockets are dropped every 3 s (alternately with a
#                 close frame 1001 and an abrupt TCP close) while chat arrives every second and the stream is live
#                 -> OBS answers GetStatus within 1 s throughout, each socket reconnected at least 3 times and at
#                 most once per drop + 10 (backoff, no reconnect storm), chat is connected again within 80 s of the
#                 last drop (its backoff table ends at 60 s), streaming's announced delay is at most 360 s and a
#                 new session reconnects it within 20 s, GetChat has no duplicate ids, the message sent after the
#                 storm arrives, live stats are back, and OBS's memory grew by less than 100 MB.
#   malformed     chat and streaming frames that are cut off, not JSON, deeply nested or mistyped, and REST bodies
#                 that are malformed or truncated (channel list, events, a channel switch, a 200 from the token
#                 endpoint that is not JSON) -> OBS stays up and answering, failed requests answer ok:false with a
#                 sentence, the user stays signed in (the unreadable refresh is retried), and a valid chat message
#                 afterwards arrives.
#   revoked       OBS streams to a real RTMP receiver; Restream revokes the token and drops the sockets, the user
#                 clicks (ListEvents) -> OBS keeps streaming (outputActive), the plugin stops claiming to be signed in
#                 within 30 s and says why (lastError), no crash.
#   exit          after signing in again, every socket upgrade is refused (503) and the sockets dropped: OBS exits
#                 within 1 s of SIGINT in the middle of that reconnect storm.
#   survives      after a restart: same user signed in, chat settings and OBS's stream server unchanged.
#   secrets       no emulator secret in any OBS log or output.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-auth.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-chat.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-faults.sh"
e2e_init
# 60 s: 20 drops take both sockets through the backoff tables' long steps (streaming's 2, 5, 10 and 30 s; chat resets
# after a useful connection) and past the 30-s stable window; FAULTS_DROP_SECONDS=120 for a longer soak
DROP_SECONDS=${FAULTS_DROP_SECONDS:-60}
rtmp_start
faults_start --rtmp-url "$RTMP_URL" --heartbeat 5
emu_post stream/go-live >/dev/null
live_stats() { obs_vendor GetStats | jq -e '.channels | length > 0' >/dev/null 2>&1; }
wait_until 20 live_stats || e2e_fail "no live stats after go-live: $(obs_vendor GetStats)"
rss0=$(obs_rss_kb)

# ---- two minutes of drops
chat0=$(emu_get sockets | jq .chat.connectsTotal)
str0=$(emu_get sockets | jq .streaming.connectsTotal)
drops=0 sent=0 worst=0
end=$((SECONDS + DROP_SECONDS))
while ((SECONDS < end)); do
	if ((drops % 2)); then
		emu_post sockets/drop '{"kind":"all","code":1001}' >/dev/null
	else
		emu_post sockets/drop '{"kind":"all"}' >/dev/null
	fi
	drops=$((drops + 1))
	for _ in 1 2 3; do
		sent=$((sent + 1))
		emu_post chat/push "{\"preset\":\"twitch_text\",\"text\":\"drop-$sent\"}" >/dev/null
		r=$(faults_timed_vendor GetStatus)
		((${r%% *} > worst)) && worst=${r%% *}
		sleep 1
	done
done
e2e_log "$drops drops in $DROP_SECONDS s, $sent chat messages pushed, slowest GetStatus $worst ms"
assert_le "$worst" 1000 "slowest GetStatus (ms) during the drops"
chat1=$(emu_get sockets | jq .chat.connectsTotal)
str1=$(emu_get sockets | jq .streaming.connectsTotal)
e2e_log "reconnects during the drops: chat $((chat1 - chat0)), streaming $((str1 - str0)) for $drops drops"
(((chat1 - chat0) >= 3)) || e2e_fail "chat reconnected only $((chat1 - chat0)) times during $drops drops"
(((str1 - str0) >= 3)) || e2e_fail "streaming reconnected only $((str1 - str0)) times during $drops drops"
assert_le $((chat1 - chat0)) $((drops + 10)) "chat connects for $drops drops"
assert_le $((str1 - str0)) $((drops + 10)) "streaming connects for $drops drops"
# the sockets back off (the position resets after 30 s of stable connection): chat's table ends at 60 s (+20 %
# jitter), so chat is back within 80 s; streaming's ends at 300 s, so it is only checked to be waiting, not gone
t_end=$(now_ms)
chat_wait_link connected 80
e2e_log "chat connected again $(($(now_ms) - t_end)) ms after the last drop; streaming: $(obs_vendor GetStatus | jq -r .streaming)"
last_delay=$(grep -h 'restream-for-obs/streaming\] disconnected: .*reconnecting in' "$(obs_log_path)" | tail -n 1 |
	sed -n 's/.*reconnecting in \([0-9]*\)\..*/\1/p')
e2e_log "streaming's last announced reconnect delay: ${last_delay:-none} s"
[ -z "$last_delay" ] || assert_le "$last_delay" 360 "streaming's reconnect delay (s) after the drops"
chat_push '{"preset":"youtube_text","text":"after-the-storm"}'
after_arrived() { chat_get 500 | jq -e '[.messages[] | select(.text == "after-the-storm")] | length == 1' >/dev/null; }
wait_until 10 after_arrived || e2e_fail "the message after the storm did not arrive: $(chat_get 5)"
msgs=$(chat_get 500)
dups=$(jq '[.messages[].id] | length - (unique | length)' <<<"$msgs")
assert_eq "$dups" 0 "duplicate chat ids after the drops"
got=$(jq '[.messages[] | select(.text | startswith("drop-"))] | length' <<<"$msgs")
e2e_log "chat: $got of $sent messages sent during the drops were received"
# a new session (the access token expired at Restream; the user clicks) reconnects the streaming socket at once
emu_post tokens/expire '{"which":"access"}' >/dev/null
obs_vendor ListEvents >/dev/null
faults_wait_link streaming connected 20
wait_until 20 live_stats || e2e_fail "no live stats after the drops: $(obs_vendor GetStats)"
rss1=$(obs_rss_kb)
e2e_log "OBS RSS ${rss0} kB -> ${rss1} kB"
assert_le $((rss1 - rss0)) 102400 "OBS RSS growth (kB) over the drops"

# ---- malformed and truncated frames and bodies
deep=$(printf '[%.0s' $(seq 1 5000))
for raw in '{"action":"event","payload":{"eventPayload":' 'not json at all' "$deep" \
	'{"action":"event","payload":{"eventSourceId":"x","eventPayload":{"text":123,"author":[]}}}' \
	'{"action":"connection_info","payload":{"connectionIdentifier":null,"status":7}}' '{}' '[]' 'null'; do
	emu_ctl POST chat/push "$(jq -cn --arg t "$raw" '{raw_text: $t}')" >/dev/null
	emu_ctl POST stream/push "$(jq -cn --arg t "$raw" '{raw_text: $t}')" >/dev/null
done
emu_ctl POST stream/push '{"raw_text":"{\"action\":\"updateOutgoing\",\"channelId\":\"abc\",\"streaming\":{\"status\":[]}}"}' >/dev/null
faults_assert_alive "malformed frames"
emu_post faults '{"route":"/v2/user/events/upcoming","body":"truncated","count":-1}' >/dev/null
emu_post faults '{"route":"/v2/user/events/in-progress","body":"malformed","count":-1}' >/dev/null
emu_post faults '{"route":"/v2/user/channel/all","body":"malformed","count":-1}' >/dev/null
emu_post faults '{"route":"/v2/user/channel/1000108","method":"PATCH","body":"truncated","count":-1}' >/dev/null
r=$(faults_timed_vendor ListEvents)
e2e_log "ListEvents with a truncated body: $r"
assert_le "${r%% *}" 20000 "ListEvents (ms) with a truncated body"
assert_json "${r#* }" '.ok == false and (.error | length > 8)' "ListEvents fails with a sentence on a truncated body"
r=$(faults_timed_vendor SetChannelEnabled '{"id":1000108,"enabled":true}')
e2e_log "SetChannelEnabled with a truncated reply: $r"
[[ "$r" != *"obsws failed"* ]] || e2e_fail "SetChannelEnabled did not answer: $r"
emu_post sockets/drop '{"kind":"chat"}' >/dev/null # the reconnect refetches the channel list (malformed)
chat_wait_link connected 80
# a 200 whose body is not JSON, without the token route running (a real reply would rotate the pair, and losing
# it would sign the user out: inherent to rotating refresh tokens)
emu_post faults '{"route":"/oauth/token","method":"POST","status":200,"body":"malformed","count":1}' >/dev/null
emu_post tokens/expire '{"which":"access"}' >/dev/null
emu_post sockets/drop '{"kind":"all"}' >/dev/null # 401 -> refresh -> malformed reply -> retry
sleep 8
faults_assert_alive "malformed bodies"
assert_json_eq "$(obs_vendor GetStatus)" .signedIn true
curl -fsS --max-time 5 -X DELETE "$RESTREAM_API_URL/_emu/faults" >/dev/null
chat_wait_link connected 80
chat_push '{"preset":"twitch_text","text":"after-the-garbage"}'
garbage_ok() { chat_get 500 | jq -e '[.messages[] | select(.text == "after-the-garbage")] | length == 1' >/dev/null; }
wait_until 10 garbage_ok || e2e_fail "a valid message after the garbage did not arrive: $(chat_get 5)"

# ---- token revoked while OBS streams
obs_vendor ApplyStreamSettings '{"protocol":"rtmp"}' | jq -e .ok >/dev/null || e2e_fail "ApplyStreamSettings failed"
obsws call StartStream >/dev/null
streaming() { obsws call GetStreamStatus | jq -e '.responseData.outputActive == true' >/dev/null; }
wait_until 20 streaming || e2e_fail "OBS did not start streaming to $RTMP_URL: $(obsws call GetStreamStatus)"
emu_post tokens/revoke >/dev/null
emu_post sockets/drop '{"kind":"all"}' >/dev/null
# the sockets may be in a long backoff after the drops: the plugin learns of the revocation from its next call to
# Restream, here the user's next click (401 for the current token -> refresh -> invalid_grant), at once.
obs_vendor ListEvents >/dev/null
signed_out() { obs_vendor GetStatus | jq -e '.signedIn == false' >/dev/null 2>&1; }
wait_until 30 signed_out || e2e_fail "the plugin still claims a session after the revocation: $(obs_vendor GetStatus)"
status=$(obs_vendor GetStatus)
e2e_log "after the revocation: $status"
assert_json "$status" '(.lastError // "") | length > 0' "GetStatus has a lastError after the revocation"
sleep 3
streaming || e2e_fail "OBS stopped streaming when the token was revoked: $(obsws call GetStreamStatus)"
faults_assert_alive "token revoked"
obsws call StopStream >/dev/null
wait_until 10 bash -c '! "$0" --port "$1" call GetStreamStatus | jq -e ".responseData.outputActive == true" >/dev/null' \
	"$OBSWS" "$OBS_PORT" || e2e_fail "OBS did not stop streaming"

# ---- OBS closed during a reconnect storm
e2e_sign_in 30
chat_wait_link connected 80
emu_post sockets/refuse '{"kind":"chat","status":503,"count":-1}' >/dev/null
emu_post sockets/refuse '{"kind":"streaming","status":503,"count":-1}' >/dev/null
emu_post sockets/drop '{"kind":"all"}' >/dev/null
refused_ge2() { (($(emu_get sockets | jq '.chat.refusedTotal + .streaming.refusedTotal') >= 2)); }
wait_until 4 refused_ge2 || true
refused=$(emu_get sockets | jq '.chat.refusedTotal + .streaming.refusedTotal')
((refused >= 2)) || e2e_fail "the sockets did not try to reconnect into the refusals ($refused refused)"
faults_assert_alive "reconnect storm"
obs_stop 1000
emu_post sockets/refuse '{"kind":"chat","status":0}' >/dev/null
emu_post sockets/refuse '{"kind":"streaming","status":0}' >/dev/null

# ---- survives
obs_start
obs_wait_ready 30
faults_assert_survived
chat_wait_link connected 80
obs_stop 3000
rtmp_stop
faults_assert_no_secrets "the OBS logs and output" "$HOME/.config/obs-studio/logs" "$E2E_ART/obs.stdout"
e2e_pass
