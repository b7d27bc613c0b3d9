#!/usr/bin/env bash
# e2e.chat_emotes: emote images ("emotes from replaces shown as images once fetched, asynchronously,
# cached, bounded"). A Twitch message's `replaces` point at a loopback image server: the emote image is fetched
# once (cached for the next messages) and drawn in the dock (its colour is found in a screenshot); an image over
# 512×512 pixels, a body over 256 kB and a non-image are not drawn; http:// to another host, ftp:// and javascript:
# URLs are refused without a request; the saved text size applies (clamped). OBS stays up and quits cleanly.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-chat.sh"
e2e_init

img_server_start
convert -size 28x28 xc:'#13F1A7' "$IMG_DIR/www/emote.png"
convert -size 600x600 xc:'#F113A7' "$IMG_DIR/www/big.png"
head -c 300000 /dev/urandom >"$IMG_DIR/www/huge.png"
echo "this is not an image" >"$IMG_DIR/www/text.png"

export RFO_DOCK_TAB=chat
# a saved text size of 99 pt is clamped to 32 pt (the emotes are drawn at the text's height, checked below)
chat_settings '{"history": 999999, "font_size": 99, "show_timestamps": "yes", "keywords": 42}' # clamped/ignored
chat_start
assert_json "$(chat_get 1)" '.historySize == 20000' "history size clamped to 20000"
# the dock selects the tab once its pages are built, which may come after the chat connects
obs_log_wait "\\[restream-for-obs\\] dock: tab 'chat' selected \\(RFO_DOCK_TAB\\)" 10

emote() { jq -cn --arg u "$3" --argjson f "$1" --argjson t "$2" '{from:$f, to:$t, type:"imageUrl", payload:{url:$u}}'; }
# replaces come in reverse order; from/to are inclusive code-point indexes (as the emulator's Twitch preset)
push_emotes() { # TEXT REPLACES_JSON
	chat_push "$(jq -cn --arg t "$1" --argjson r "$2" '{preset:"twitch_text", author:"EmoteFan", text:$t, overrides:{payload:{eventPayload:{replaces:$r}}}}')"
}
push_emotes "Kappa hello Kappa" "[$(emote 12 16 "$IMG_URL/emote.png"),$(emote 0 4 "$IMG_URL/emote.png")]"
push_emotes "Big Huge Text" "[$(emote 9 12 "$IMG_URL/text.png"),$(emote 4 7 "$IMG_URL/huge.png"),$(emote 0 2 "$IMG_URL/big.png")]"
push_emotes "Far Ftp Js" "[$(emote 8 9 'javascript:alert(1)'),$(emote 4 6 'ftp://127.0.0.1/x.png'),$(emote 0 2 'http://example.invalid/x.png')]"
chat_wait_count 3 10
images_done() {
	obs_vendor GetChat '{"limit":1}' | jq -e '.emoteImages | .loaded + .failed >= 4 and .refused >= 3' >/dev/null
}
wait_until 15 images_done || e2e_fail "emote fetches did not finish: $(obs_vendor GetChat '{"limit":1}' | jq -c .emoteImages)"
push_emotes "Kappa again" "[$(emote 0 4 "$IMG_URL/emote.png")]"
chat_wait_count 4 10

stats=$(obs_vendor GetChat '{"limit":1}' | jq -c .emoteImages)
e2e_log "emote images: $stats"
assert_json "$stats" '.requested == 4 and .loaded == 3 and .failed == 1 and .refused == 3' "fetch counters"
assert_eq "$(grep -c 'GET /emote.png' "$IMG_LOG")" 1 "requests for the same emote (cached)"
assert_file_lacks "$IMG_LOG" 'x\.png' "image server log (refused URLs)"
assert_json "$(chat_get 4)" '[.messages[].emotes] == [2,3,3,1]' "emote counts in GetChat"

# the dock repaints once the cached image is placed, on the UI thread: screenshots until the four emotes are there
shot="$E2E_ART/chat-emotes.png"
emotes_drawn() {
	obs_screenshot chat-emotes >/dev/null
	drawn=$(png_pixels "$shot" '#13F1A7')
	((drawn >= 1600))
}
wait_until 10 emotes_drawn || true # the figure is asserted below, with its message
big=$(png_pixels "$shot" '#F113A7')
echo "chat_emote_pixels=$drawn chat_big_image_pixels=$big"
((drawn >= 150)) || e2e_fail "the emote image is not drawn in the dock ($drawn pixels of its colour)"
# at 32 pt one emote is about 60×60 pixels; at the theme's size (about 20×20) even three stay under 1,600
((drawn >= 1600)) || e2e_fail "the emote is drawn at the default size: the saved text size (32 pt) was not applied"
assert_eq "$big" 0 "pixels of the over-sized image"

kill -0 "$OBS_PID" || e2e_fail "OBS died"
obs_stop 1500
assert_no_leaks "leak count at shutdown"
e2e_pass
