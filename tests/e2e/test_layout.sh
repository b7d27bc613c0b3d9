#!/usr/bin/env bash
# e2e.layout: every view of the dock (signed out, Go live, Chat, Channels, Stats) at 280, 400 and 700 px wide, at
# scale 1 and 2 (QT_SCALE_FACTOR=2: one restart), in real OBS: the dock's layout probe (RFO_LAYOUT_PROBE) floats
# the dock, sets the width and the tab at each press of its hotkey, and logs whether anything needs a horizontal
# scrollbar or is cut; asserted: nothing, at every width. Each step's screenshot (the dock cropped from the screen)
# is kept as artifacts/layout/x<scale>-<view>-<width>.png. The chat holds lines with colour emoji, Chinese,
# Japanese, Korean, Arabic and Hebrew (from a platform without an accent colour, so that nothing else in the list is
# coloured), and a pixel check finds the emoji drawn in colour (a tofu box or a black-and-white glyph has none).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-chat.sh"
e2e_init

export RFO_LAYOUT_PROBE=1
VIEWS=(signedout signedout signedout golive golive golive chat chat chat channels channels channels stats stats stats)
WIDTHS=(280 400 700)
EMOJI='🎉🚀🌈🔥🍕🎮💯😀🥳'

# probe_step SCALE N: press the probe's hotkey, wait for step N's line, check it, keep the dock's screenshot.
probe_step() {
	local scale=$1 n=$2 view=${VIEWS[$2]} width=${WIDTHS[$(($2 % 3))]} line rect shot coloured
	obsws call TriggerHotkeyByName '{"hotkeyName":"RestreamForOBS.LayoutProbe"}' >/dev/null
	obs_log_wait "layout probe: step $n " 10
	line=$(grep -o "layout probe: step $n .*" "$(obs_log_path)" | tail -n 1)
	e2e_log "$line"
	assert_contains "$line" "view=$view " "step $n's view"
	assert_contains "$line" "width=$width (asked $width)" "the dock took the width"
	assert_contains "$line" " hscroll=none" "no horizontal scrollbar: $view at $width px, scale $scale"
	assert_contains "$line" " clipped=none" "nothing cut: $view at $width px, scale $scale"
	rect=$(sed -E 's/.* rect=([0-9]+),([0-9]+),([0-9]+),([0-9]+).*/\3x\4+\1+\2/' <<<"$line")
	shot="x$scale-$view-$width"
	obs_screenshot "$shot-screen"
	convert "$E2E_ART/$shot-screen.png" -crop "$rect" +repage "$E2E_ART/$shot.png"
	if [ "$view" = chat ]; then
		# the chat list alone: only the emoji can be coloured there
		assert_contains "$line" " list=" "the chat list's place on the screen"
		rect=$(sed -E 's/.* list=([0-9]+),([0-9]+),([0-9]+),([0-9]+).*/\3x\4+\1+\2/' <<<"$line")
		convert "$E2E_ART/$shot-screen.png" -crop "$rect" +repage "$E2E_ART/$shot-list.png"
		coloured=$(colour_pixels "$E2E_ART/$shot-list.png")
		e2e_log "chat list at $width px, scale $scale: $coloured coloured pixels"
		((coloured >= 100 * scale * scale)) ||
			e2e_fail "the emoji are not drawn in colour ($coloured coloured pixels in $shot-list.png): a fallback box?"
	fi
	rm -f "$E2E_ART/$shot-screen.png"
}

# chat_line ID AUTHOR TEXT: a chat message from a platform the plugin has no accent colour for.
chat_line() {
	chat_push "$(jq -cn --arg id "$1" --arg a "$2" --arg t "$3" '{raw: {action: "event", payload: {
		connectionIdentifier: "layout-99", eventIdentifier: $id, eventSourceId: 99, eventTypeId: 9999,
		eventPayload: {author: {displayName: $a, name: "layout"}, text: $t}}, timestamp: 1700000000}}')"
}

# colour_pixels PNG: how many pixels are strongly coloured (max - min channel above 35 %).
colour_pixels() {
	convert "$1" -fx 'max(r,max(g,b))-min(r,min(g,b)) > 0.35 ? 1 : 0' -format '%[fx:round(mean*w*h)]' info:
}

session() {
	local scale=$1 resp url code n
	export QT_SCALE_FACTOR=$scale
	obs_start
	obs_wait_ready 30
	obs_log_wait 'layout probe: on' 20
	# signed out, signing in: the page with the explanation, the button and the sign-in link
	resp=$(obs_vendor BeginSignIn)
	url=$(jq -r '.authorizeUrl // empty' <<<"$resp")
	[ -n "$url" ] || e2e_fail "BeginSignIn gave no authorizeUrl: $resp"
	for n in 0 1 2; do probe_step "$scale" "$n"; done
	code=$(curl -sSL --max-time 15 -o /dev/null -w '%{http_code}' "$url") || e2e_fail "following the authorize URL failed"
	[ "$code" = 200 ] || e2e_fail "the sign-in redirect ended with HTTP $code"
	wait_until 20 e2e_signed_in || e2e_fail "not signed in: $(obs_vendor GetStatus)"
	chat_wait_link connected 20
	chat_line "lay-$scale-1" "emoji_fan" "$EMOJI"
	chat_line "lay-$scale-2" "山田太郎" "你好，世界！日本語のチャットです。한국어 채팅도 있어요."
	chat_line "lay-$scale-3" "أحمد" "مرحبا بالجميع في البث المباشر"
	chat_line "lay-$scale-4" "דוד" "שלום לכולם, שידור חי עכשיו"
	chat_line "lay-$scale-5" "emoji_fan" "$EMOJI"
	chat_wait_count 5 15
	for ((n = 3; n < ${#VIEWS[@]}; n++)); do probe_step "$scale" "$n"; done
	resp=$(obs_vendor SignOut)
	assert_json_eq "$resp" .ok true
	obs_stop 3000
}

emu_start
obs_install_plugin
obs_write_global_ini
session 1
session 2
e2e_pass
