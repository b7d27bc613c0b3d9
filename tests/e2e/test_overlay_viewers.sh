#!/usr/bin/env bash
# e2e.overlay_viewers: the "Restream Viewers" source in real OBS shows the emulator's total viewer count (read back
# with tesseract from GetSourceScreenshot) in its format text, and follows an update within 2 s.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-stats.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-overlay.sh"
e2e_init
command -v tesseract >/dev/null || e2e_fail "tesseract is missing (.ci/deps installs tesseract-ocr)"

stats_start
TW=1000101 FB=1000103
overlay_create "Viewers" restream_viewers_source "$(overlay_look 800 120 | jq -c '. + {format: "{total} watching"}')"

# digits only, one line: the count as tesseract reads it
viewers_read() {
	overlay_ocr Viewers "${1:-7}" -c tessedit_char_whitelist=0123456789, | tr -dc '0-9'
}
# viewers_are DIGITS [PSM]
viewers_are() {
	VIEWERS_LAST=$(viewers_read "${2:-7}")
	[ "$VIEWERS_LAST" = "$1" ]
}

stats_push "{\"preset\":\"update_statuses\",\"channelId\":$TW,\"viewers\":1234,\"online\":true}"
stats_push "{\"preset\":\"update_statuses\",\"channelId\":$FB,\"viewers\":4321,\"online\":true}"
stats_wait '.totalViewers == 5555' 10
wait_until 10 viewers_are 5555 || e2e_fail "the viewers source never showed 5,555: read '$VIEWERS_LAST'"
text=$(overlay_ocr Viewers 7)
assert_contains "$text" "watching" "the format text around the count"

# an update is shown within 2 s
stats_push "{\"preset\":\"update_statuses\",\"channelId\":$FB,\"viewers\":2000,\"online\":true}"
t0=$(now_ms)
wait_until 5 viewers_are 3234 || e2e_fail "the viewers source never followed the update to 3,234: read '$VIEWERS_LAST'"
follow_ms=$(($(now_ms) - t0))
assert_le "$follow_ms" 2000 "ms from the streaming frame to the new count on the source (OCR included)"
e2e_log "viewers source: 5,555 then 3,234 (${follow_ms} ms after the frame, OCR included)"

# each platform's count, offline platforms hidden
obs_req SetInputSettings '{"inputName":"Viewers","inputSettings":{"per_platform":true,"height":400}}' >/dev/null
stats_push "{\"preset\":\"update_statuses\",\"channelId\":$FB,\"viewers\":77,\"online\":false}"
wait_until 5 viewers_are 12341234 6 || {
	text=$(overlay_ocr Viewers 6)
	e2e_fail "per platform: expected the total 1,234 and Twitch 1234 only, read '$VIEWERS_LAST' ($text)"
}
overlay_png Viewers "$E2E_ART/viewers-per-platform.png" 800
obs_stop
e2e_pass
