# shellcheck shell=bash
# lib-stats.sh — helpers for the live stats end-to-end tests (test_stats*.sh). Source it after lib.sh and
# lib-signin.sh. Streaming-socket frames come from the emulator's /_emu/stream/* control interface.

# stats_emu METHOD ROUTE [JSON]: the emulator's control interface (fails on an HTTP error).
stats_emu() {
	curl -fsS --max-time 5 -X "$1" -H 'Content-Type: application/json' -d "${3:-{\}}" "$RESTREAM_API_URL/_emu/$2"
}

# stats_push JSON: one frame on every streaming socket (a preset or {raw:…}); logged for the replay.
stats_push() {
	local r
	r=$(stats_emu POST stream/push "$1") || e2e_fail "stream/push $1 failed"
	jq -e '.ok' >/dev/null <<<"$r" || e2e_fail "stream/push $1: $r"
}

# stats_get: the GetStats response (compact JSON).
stats_get() { obs_vendor GetStats; }

# stats_has JQ_FILTER: GetStats satisfies the filter.
stats_has() {
	local s
	s=$(stats_get 2>/dev/null) || return 1
	jq -e "$1" >/dev/null 2>&1 <<<"$s"
}

# stats_wait JQ_FILTER [TIMEOUT_S] [WHAT]: wait until GetStats satisfies the filter (default 10 s).
stats_wait() {
	wait_until "${2:-10}" stats_has "$1" || e2e_fail "${3:-GetStats never satisfied $1} within ${2:-10}s: $(stats_get)"
}

# stats_link: GetStatus' `streaming` ("disconnected"/"connecting"/"connected").
stats_link() { obs_vendor GetStatus | jq -r .streaming; }
stats_link_is() { [ "$(stats_link 2>/dev/null)" = "$1" ]; }
# stats_wait_link STATE [TIMEOUT_S]
stats_wait_link() {
	wait_until "${2:-15}" stats_link_is "$1" || e2e_fail "streaming never became $1 within ${2:-15}s: $(obs_vendor GetStatus)"
}

# stats_connects: how many streaming sockets the emulator has accepted so far.
stats_connects() { stats_emu GET sockets | jq -r '.streaming.connectsTotal'; }
stats_connects_over() { (($(stats_connects) > $1)); }

# stats_start [EMULATOR ARGS...]: emulator, OBS with the plugin, signed in, streaming socket connected.
stats_start() {
	emu_start "$@"
	obs_install_plugin
	obs_start
	obs_wait_ready
	e2e_sign_in
	stats_wait_link connected 20
}

# stats_channel JSON ID: the channel object with channelId ID from a GetStats response ("null" when absent).
stats_channel() { jq -c --argjson id "$2" '[.channels[] | select(.channelId == $id)][0]' <<<"$1"; }
