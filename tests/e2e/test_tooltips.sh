#!/usr/bin/env bash
# e2e.tooltips: remote text in the dock's tooltips is shown literally in real OBS, and rendering it never makes OBS
# open a local path. A channel title and a platform name from Restream carry `<img src="FIFO">` and `<b>` markup
# (the title set through SetTitle, the platform list served by the emulator with Kick renamed); the Channels tab is
# shown and the plugin's tooltip probe (RFO_TOOLTIP_PROBE) hovers every widget with a tooltip the way a mouse does,
# so Qt shows each tooltip as for a user. Asserted: the shown text contains the markup literally, and the FIFO
# (a writer loop here counts every open of it for reading) was never opened.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
e2e_init

export RFO_DOCK_TAB=channels
export RFO_TOOLTIP_PROBE=1
KICK_CHANNEL=1000106


fifo="$E2E_TMP/probe.fifo"
opens="$E2E_TMP/fifo-opens"
mkfifo "$fifo"
: >"$opens"
# Each open for writing waits for a reader: one line per time OBS opens the FIFO to read an image from it.
(while :; do : >"$fifo" && echo open >>"$opens"; done) &
writer=$!
e2e_track_pid "$writer"

IMG="<img src=\"$fifo\">"
TITLE="Tonight $IMG <b>bold</b> & more"
PLATFORM="<b>Kick</b>$IMG"

emu_start
platforms=$(curl -fsS --max-time 5 "$RESTREAM_API_URL/v2/platform/all")
hostile=$(jq -c --arg name "$PLATFORM" '[.[] | if .id == 75 then .name = $name else . end]' <<<"$platforms")
emu_post faults "$(jq -cn --argjson body "$hostile" '{route: "/v2/platform/all", method: "GET", body: $body, count: -1}')" >/dev/null

obs_install_plugin
obs_write_global_ini
obs_start
obs_wait_ready 30
obs_log_wait 'tooltip probe: on' 10
e2e_sign_in 30

have_hostile() {
	obs_vendor ListChannels | jq -e --arg t "$TITLE" --arg p "$PLATFORM" --argjson id "$KICK_CHANNEL" \
		'[.channels[] | select(.id == $id and .title == $t and .platformName == $p)] | length == 1' >/dev/null
}
r=$(obs_vendor SetTitle "$(jq -cn --arg t "$TITLE" --arg id "$KICK_CHANNEL" '{title: $t, channelIds: $id}')")
assert_json_eq "$r" .ok true
wait_until 20 have_hostile || e2e_fail "ListChannels never showed the hostile title and platform name: $(obs_vendor ListChannels)"

# the probe hovers once a second: wait until it showed both tooltips, then a few more rounds of repaints
obs_log_wait 'tooltip probe: .*shows ".*Tonight ' 15
obs_log_wait 'tooltip probe: .*shows ".*Kick' 15
sleep 3
grep -E 'tooltip probe: ' "$(obs_log_path)" | head -n 20 >&2
obs_screenshot tooltips
n=$(wc -l <"$opens")
assert_eq "$n" 0 "times OBS opened the FIFO named in a tooltip"
assert_log_contains 'tooltip probe: .*shows ".*Tonight <img src=".*probe\.fifo"> <b>bold</b> & more' "the title's tooltip, literally"
assert_log_contains 'tooltip probe: .*shows "<b>Kick</b><img src=".*probe\.fifo">"' "the platform's tooltip, literally"

stop_pid "$writer" KILL 2
obs_stop 3000
e2e_pass
