#!/usr/bin/env bash
# e2e.chat_utf8: the chat socket delivers a text frame whose JSON
# strings hold invalid UTF-8 (lone continuation bytes, a truncated sequence, an encoded surrogate). GetChat returns
# the message with every ill-formed sequence replaced by U+FFFD and the rest intact; OBS stays up.
# Needs the emulator to push raw bytes: POST /_emu/chat/push {"raw_base64": "<base64 of the frame>"}.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-chat.sh"
e2e_init
chat_start
connects=$(chat_connects)

frame=$(printf '{"action":"event","payload":{"connectionIdentifier":"5849342-twitch-emustreamer","eventIdentifier":"bad-utf8-1","eventSourceId":2,"eventTypeId":4,"eventPayload":{"author":{"displayName":"bad\xc0name","name":"badutf8","id":"1"},"bot":false,"text":"bad \xff\xfe utf8 \xc3\x28 end \xed\xa0\x80!"}},"timestamp":1700000000}')
resp=$(emu_ctl POST chat/push "$(jq -cn --arg b "$(printf '%s' "$frame" | base64 -w0)" '{raw_base64:$b}')")
jq -e '.ok == true' >/dev/null <<<"$resp" ||
	e2e_fail "the emulator cannot push raw bytes (POST /_emu/chat/push {raw_base64}): $resp"
chat_push '{"preset":"twitch_text","text":"sentinel after invalid UTF-8","author":"Sentinel"}'
chat_wait_count 2 15

m=$(chat_get)
e2e_log "GetChat: $m"
assert_json "$m" '(.messages | length) == 2' "two messages"
assert_eq "$(jq -r '.messages[0].text' <<<"$m")" $'bad \ufffd\ufffd utf8 \ufffd( end \ufffd\ufffd\ufffd!' "invalid UTF-8 replaced in the text"
assert_eq "$(jq -r '.messages[0].author' <<<"$m")" $'bad\ufffdname' "invalid UTF-8 replaced in the author"
assert_eq "$(jq -r '.messages[0].platform' <<<"$m")" Twitch "platform"
assert_eq "$(jq -r '.messages[1].text' <<<"$m")" "sentinel after invalid UTF-8" "the next message"
# the plugin's libwebsockets does not validate UTF-8 itself (it would close with 1007 and lose the frame)
assert_eq "$(chat_connects)" "$connects" "the chat socket stayed up (no reconnect)"
assert_eq "$(obs_vendor GetStatus | jq -r .chat)" connected "chat still connected"
kill -0 "$OBS_PID" || e2e_fail "OBS died"
obs_stop 1500
assert_no_leaks "leak count at shutdown"
e2e_pass
