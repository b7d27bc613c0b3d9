# shellcheck shell=bash
# lib-overlay.sh — helpers for the overlay sources' end-to-end tests (test_overlay_*.sh). Source after lib.sh.
# The sources are read back the way a viewer sees them: obs-websocket's GetSourceScreenshot, read with tesseract.

# overlay_png SOURCE FILE [WIDTH]: a PNG of SOURCE (an input or a scene) as OBS renders it.
overlay_png() {
	local data
	data=$(obs_req GetSourceScreenshot "{\"sourceName\":\"$1\",\"imageFormat\":\"png\",\"imageWidth\":${3:-1280}}" |
		jq -r .imageData) || return 1
	base64 -d <<<"${data#data:image/png;base64,}" >"$2"
}

# overlay_ocr SOURCE [PSM] [EXTRA TESSERACT ARGS...]: the text tesseract reads in SOURCE's screenshot (one line).
# The picture is kept as $E2E_ART/ocr-<n>-SOURCE.png.
OVERLAY_OCR_N=0
overlay_ocr() {
	local src=$1 psm=${2:-6}
	shift 2 || shift $#
	OVERLAY_OCR_N=$((OVERLAY_OCR_N + 1))
	local png="$E2E_ART/ocr-$OVERLAY_OCR_N-${src// /_}.png"
	overlay_png "$src" "$png" || e2e_fail "no screenshot of $src"
	tesseract "$png" stdout --psm "$psm" "$@" 2>/dev/null | tr '\n' ' '
}

# overlay_read SOURCE: one picture of SOURCE read by tesseract into OVERLAY_LAST_TEXT; OVERLAY_SHOT_MS: when the
# picture was asked for (it is taken after).
overlay_read() {
	OVERLAY_SHOT_MS=$(now_ms)
	OVERLAY_LAST_TEXT=$(overlay_ocr "$1")
}

# overlay_has_all SOURCE WORD... / overlay_has_none SOURCE WORD...: whether one picture of SOURCE has every / none of
# the WORDs (case-insensitive).
# overlay_wait_text SOURCE TIMEOUT_S WORD...: until the OCR of SOURCE has every WORD.
overlay_has_all() {
	local w
	overlay_read "$1"
	shift
	for w in "$@"; do
		grep -qiF -- "$w" <<<"$OVERLAY_LAST_TEXT" || return 1
	done
}
overlay_wait_text() {
	local src=$1 t=$2
	shift 2
	wait_until "$t" overlay_has_all "$src" "$@" ||
		e2e_fail "$src never showed all of [$*] within ${t}s; tesseract read: $OVERLAY_LAST_TEXT"
}

# overlay_wait_gone SOURCE TIMEOUT_S WORD...: until the OCR of SOURCE has none of the WORDs.
overlay_has_none() {
	local w
	overlay_read "$1"
	shift
	for w in "$@"; do
		grep -qiF -- "$w" <<<"$OVERLAY_LAST_TEXT" && return 1
	done
	return 0
}
overlay_wait_gone() {
	local src=$1 t=$2
	shift 2
	wait_until "$t" overlay_has_none "$src" "$@" ||
		e2e_fail "$src still showed one of [$*] after ${t}s; tesseract read: $OVERLAY_LAST_TEXT"
}

# overlay_look: settings for OCR: big dark text on an opaque white background, platform names as words.
overlay_look() {
	jq -nc --argjson w "${1:-1280}" --argjson h "${2:-720}" '{
		font: {face: "DejaVu Sans", style: "Book", size: 36, flags: 0},
		text_color: 4278190080, bg_color: 4294967295, bg_opacity: 100, outline: false, shadow: false,
		platform_colors: false, platform_label: "name", width: $w, height: $h, padding: 16}'
}

# overlay_create NAME KIND SETTINGS_JSON: an input of KIND in the current program scene.
overlay_create() {
	local scene
	scene=$(obs_req GetCurrentProgramScene | jq -r '.currentProgramSceneName // .sceneName')
	obs_req CreateInput "$(jq -nc --arg s "$scene" --arg n "$1" --arg k "$2" --argjson set "$3" \
		'{sceneName: $s, inputName: $n, inputKind: $k, inputSettings: $set}')" >/dev/null
}
