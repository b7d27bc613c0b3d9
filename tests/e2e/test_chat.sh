#!/usr/bin/env bash
# e2e.chat: real OBS + the Restream emulator. The emulator sends one chat event of
# every documented type (every eventSourceId/eventTypeId preset, an unknown one, the streamer's reply), every
# non-message action (heartbeat, connection_info/closed, reply_*, relay_*), malformed frames and hostile texts
# (HTML, bidi overrides, control characters, 4-byte emoji, 100 kB of text; invalid UTF-8: test_chat_utf8.sh). GetChat must return
# each message with the right platform, author, text, kind and donation; ChatMessage events must match; OBS stays
# up and quits cleanly. Screenshots of the dock's Chat tab with messages from several platforms are artifacts
# (chat-dock.png, chat-hostile.png).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-chat.sh"
e2e_init

export RFO_DOCK_TAB=chat # select the Chat tab at startup (read once by the plugin)
chat_start

# ---- every documented event type, in order; expected [platform, author, text, kind, donation] ----
presets=(twitch_text youtube_text youtube_superchat youtube_supersticker facebook_personal_text
	facebook_personal_sticker facebook_page_text facebook_page_sticker facebook_group_text facebook_group_sticker
	dlive_text dlive_emoji discord_text linkedin_text trovo_text unknown_text reply_created)
expected=$(
	cat <<-'EOF'
		["Twitch","KappaKing","Kappa hello from twitch PogChamp","text",null]
		["YouTube","Tuxedo Viewer","Hello from YouTube 👋","text",null]
		["YouTube","Tuxedo Viewer","Great stream, have a coffee!","donation","$5.00"]
		["YouTube","Tuxedo Viewer","Thumbs up penguin sticker","sticker","€2.00"]
		["Facebook","Facebook Friend","Hi from my profile","text",null]
		["Facebook","Facebook Friend","[sticker]","sticker",null]
		["Facebook","Facebook Friend","Hello from the Facebook page","text",null]
		["Facebook","Facebook Friend","[sticker]","sticker",null]
		["Facebook","Facebook user","Group member says hi","text",null]
		["Facebook","Facebook user","[sticker]","sticker",null]
		["DLive","DLiveFan","lemon party on DLive 🍋","text",null]
		["DLive","DLiveFan","[emoji]","sticker",null]
		["Discord","discord_dan","@Emu Streamer hello from Discord","text",null]
		["LinkedIn","Professional Pat","Insightful stream, thanks for sharing.","text",null]
		["Trovo","TrovoTina","Trovo says hi","text",null]
		["Platform 99","FutureViewer","message from a platform this client does not know","text",null]
		["Restream","","Thanks for watching!","reply",null]
	EOF
)
n_presets=${#presets[@]}

obs_events_start "$E2E_TMP/events.jsonl" --vendor-event ChatMessage --count "$n_presets" --timeout 60
for p in "${presets[@]}"; do
	chat_push "{\"preset\":\"$p\"}"
done
chat_wait_count "$n_presets" 20
obs_events_wait

got=$(chat_get | jq -c '.messages[] | [.platform, .author, .text, .kind, .donation]')
if [ "$got" != "$expected" ]; then
	diff <(echo "$expected") <(echo "$got") >&2 || true
	e2e_fail "GetChat does not match the documented event types (diff above)"
fi
assert_json "$(chat_get)" '.messages[0].authorColor == "#1E90FF" and .messages[0].emotes == 2' "Twitch colour and emotes"
assert_json "$(chat_get)" '[.messages[] | .timestamp > 1600000000] | all' "every message has a timestamp"
assert_json "$(chat_get)" '[.messages[].id] | length == (unique | length)' "unique ids"
# the ChatMessage events carry the same messages, in the same order
events=$(jq -c '.eventData | [.platform, .author, .text, .kind, .donation]' "$E2E_TMP/events.jsonl")
[ "$events" = "$expected" ] || e2e_fail "ChatMessage events differ from GetChat: $events"
e2e_log "all $n_presets event types: GetChat and ChatMessage OK"

# ---- actions that are not messages: no message, no crash; connection chips update ----
for p in heartbeat reply_accepted reply_confirmed reply_failed relay_accepted relay_confirmed relay_failed \
	connection_closed; do
	chat_push "{\"preset\":\"$p\"}"
done
chat_push '{"preset":"connection_info","channelId":1000102}'
chat_push '{"preset":"twitch_text","text":"after the non-message actions","author":"Marker"}'
chat_wait_count $((n_presets + 1)) 10
assert_json "$(chat_get 1)" '.messages[0].text == "after the non-message actions"' "no message from non-message actions"
# connection_info errors are reported in plain words (the dock's chips use the same table)
assert_log_contains '\[restream-for-obs/chat\] YouTube chat: error \(YouTube live chat ended\)' "connection error in plain words"

sleep 1
obs_screenshot chat-dock # acceptance 4: the Chat tab with messages from several platforms

# ---- malformed frames: ignored ----
chat_push '{"raw_text":"this is not json {"}'
chat_push '{"raw_text":"[1,2,3]"}'
chat_push '{"raw":{"action":"event","payload":{"eventSourceId":"two","eventTypeId":[],"eventPayload":"nope"}}}'
chat_push '{"raw":{"action":"event","payload":null}}'
chat_push '{"raw":{"action":"some_future_action","payload":{"x":1}}}'

# ---- hostile texts, each as a Twitch message with its own author ----
long=$(head -c 102400 /dev/zero | tr '\0' 'A')
hostile_push() { chat_push "$(jq -cn --arg a "$1" --arg t "$2" '{preset:"twitch_text", author:$a, text:$t}')"; }
hostile_push html '<b>bold</b> <script>alert(1)</script> <img src=x onerror=alert(1)> &amp; <a href="https://evil.example">x</a>'
hostile_push rtl $'abc\u202edcba\u202c end \u2066iso\u2069 \u200fmark'
hostile_push emoji $'\U0001F600\U0001F389 \U0001D54F \U0001F469\u200d\U0001F469\u200d\U0001F467'
hostile_push control $'line1\nline2\ttab\abell\x1b[31mred'
hostile_push long "$long"
chat_push '{"preset":"twitch_text","text":"sentinel after hostile frames","author":"Sentinel"}'
chat_wait_count $((n_presets + 7)) 20

h=$(chat_get 6)
e2e_log "hostile: $(jq -c '[.messages[] | {author, len: (.text | utf8bytelength)}]' <<<"$h")"
text_of() { jq -r --arg a "$1" '.messages[] | select(.author == $a) | .text' <<<"$h"; }
assert_eq "$(text_of html)" '<b>bold</b> <script>alert(1)</script> <img src=x onerror=alert(1)> &amp; <a href="https://evil.example">x</a>' "HTML kept verbatim as text"
assert_eq "$(text_of rtl)" $'abcdcba end iso \u200fmark' "bidi overrides/isolates removed"
assert_eq "$(text_of emoji)" $'\U0001F600\U0001F389 \U0001D54F \U0001F469\u200d\U0001F469\u200d\U0001F467' "4-byte emoji intact"
assert_eq "$(text_of control)" 'line1 line2 tabbell[31mred' "control characters neutralised"
long_text=$(text_of long)
assert_eq "$(printf '%s' "$long_text" | wc -c)" 4096 "100 kB message cut to 4096 bytes"
assert_eq "$long_text" "$(head -c 4093 /dev/zero | tr '\0' 'A')…" "cut with an ellipsis"
assert_eq "$(jq -r '.messages[-1].text' <<<"$h")" "sentinel after hostile frames" "malformed frames made no message"
assert_json "$(chat_get 100)" "(.messages | length) == $((n_presets + 7))" "message count after hostile frames"

# ---- GetChat's limit ----
assert_json "$(chat_get 3)" '(.messages | length) == 3 and .messages[2].text == "sentinel after hostile frames"' "limit 3"
r=$(chat_get 0)
assert_json "$r" '.ok == false and (.error | length) > 10' "limit 0 is refused with a sentence"
assert_json "$(chat_get)" "(.messages | length) == $((n_presets + 7)) and .historySize == 500 and .total == $((n_presets + 7))" "default limit"

# ---- OBS is still fine ----
kill -0 "$OBS_PID" || e2e_fail "OBS died"
assert_json "$(obs_vendor GetStatus)" '.ok and .signedIn and .chat == "connected"' "GetStatus after hostile chat"
sleep 0.5
obs_screenshot chat-hostile

# no access token in the log
for t in $(emu_ctl GET tokens | jq -r '.all[].accessToken'); do
	assert_log_lacks "$t" "OBS log (access token)"
done
obs_stop 1500
assert_no_leaks "leak count at shutdown"
assert_log_contains '\[restream-for-obs/chat\] connected to Restream chat' "chat connect log line"
e2e_pass
