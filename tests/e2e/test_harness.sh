#!/usr/bin/env bash
# e2e.harness: the test harness itself against real programs, so that a failing feature test points at the
# plugin and not at its tools: obsws (call, vendor, events, rtt) on real OBS, the emulator's start-up
# protocol, and the RTMP and SRT receivers with an ffmpeg test stream.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init

# --- obsws against real OBS (plugin installed)
obs_install_plugin
obs_write_global_ini
obs_start
obs_wait_ready 30

v=$(obsws call GetVersion)
assert_json_eq "$v" .requestStatus.result true
assert_json_eq "$v" .responseData.rpcVersion 1
# a failing request: printed, exit status 1
if out=$(obsws call NoSuchRequest 2>&1); then e2e_fail "obsws call of an unknown request exited 0: $out"; fi
assert_json_eq "$out" .requestStatus.result false
# request data is passed through
obsws call CreateScene '{"sceneName":"harness"}' >/dev/null
assert_json "$(obsws call GetSceneList)" '[.responseData.scenes[].sceneName] | index("harness") != null' \
	"scene created through obsws"

# events: subscribed before the trigger, filtered by type, one compact JSON object a line. obs-websocket 5.6+
# (OBS 31+, canvases) sends SceneCreated twice for a scene of the main canvas (it handles libobs' source_create and
# source_create_canvas alike): each scene is counted once, by its uuid, in the order first seen. --count 0 collects
# for the whole time-out (how many come depends on the OBS).
obs_events_start "$E2E_TMP/events" --type SceneCreated --count 0 --timeout 4
obsws call CreateScene '{"sceneName":"ev1"}' >/dev/null
obsws call CreateScene '{"sceneName":"ev2"}' >/dev/null
obs_events_wait
e2e_log "SceneCreated events: $(jq -c '[.sceneName, .sceneUuid]' "$E2E_TMP/events" | tr '\n' ' ')"
# (obs-websocket before 5.3, in OBS 29, has no sceneUuid: the name is the key there)
scenes=$(jq -r -s 'map(. + {key: (.sceneUuid // .sceneName)})
	| reduce .[] as $e ([]; if any(.[]; .key == $e.key) then . else . + [$e] end)
	| map(.sceneName) | join(" ")' "$E2E_TMP/events")
assert_eq "$scenes" "ev1 ev2" "SceneCreated events (one per scene)"
assert_json "$(jq -s -c 'group_by(.sceneUuid // .sceneName) | map(length)' "$E2E_TMP/events")" 'all(. == 1 or . == 2)' \
	"each scene announced once (twice on obs-websocket 5.6+)"
# a vendor request, the plugin's own answer printed as the inner object
status=$(obs_vendor GetStatus)
assert_json_eq "$status" .ok true
# a vendor that does not exist: exit status 1
if obsws vendor no-such-vendor GetStatus 2>/dev/null; then e2e_fail "obsws vendor to a missing vendor exited 0"; fi

# rtt: sequential round trips on one connection
rtt=$(obsws rtt --vendor "$E2E_VENDOR" --request GetStatus --count 50)
e2e_log "$rtt"
[[ "$rtt" =~ ^rtt_ms\ min=([0-9.]+)\ p50=([0-9.]+)\ p99=([0-9.]+)\ max=([0-9.]+)\ count=50$ ]] ||
	e2e_fail "rtt output: $rtt"
awk -v a="${BASH_REMATCH[1]}" -v b="${BASH_REMATCH[2]}" -v c="${BASH_REMATCH[3]}" -v d="${BASH_REMATCH[4]}" \
	'BEGIN { exit !(a <= b && b <= c && c <= d && d < 100) }' || e2e_fail "rtt numbers out of order or >= 100 ms: $rtt"
obs_stop 1000

# wait-ready gives up when nothing answers
t0=$(now_ms)
if "$OBSWS" --port "$OBS_PORT" --timeout 1 wait-ready 2>/dev/null; then e2e_fail "wait-ready succeeded with OBS stopped"; fi
assert_le $(($(now_ms) - t0)) 2000 "wait-ready time-out (ms)"

# --- emulator: KEY=VALUE lines are exported
emu_start
assert_contains "${RESTREAM_API_URL:-}" "http://127.0.0.1:" "RESTREAM_API_URL"
code=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer nope' \
	"$RESTREAM_API_URL/v2/user/profile")
assert_eq "$code" 401 "emulator's answer to a made-up token (HTTP status)"
emu_stop

# --- ingest receivers with an ffmpeg test stream (2 s of colour bars and a tone)
send() {
	ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi -i testsrc=size=320x240:rate=30 \
		-f lavfi -i sine=frequency=440 -t 2 -c:v libx264 -preset ultrafast -g 30 -c:a aac "$@"
}
rtmp_start
send -f flv "$RTMP_URL/harness"
rtmp_stop
assert_media_av "$(rtmp_recording)"

srt_start
send -f mpegts "$SRT_URL&pbkeylen=16"
wait_until 5 test -s "$SRT_OUT"
srt_stop
assert_media_av "$SRT_OUT"

# --- another process holds the websocket port when OBS starts: obs_wait_ready restarts OBS on a fresh port
obs_install_plugin
obs_write_global_ini
taken=$OBS_PORT
emu_start --api-port "$taken"
obs_start
obs_wait_ready 40
((OBS_PORT != taken)) || e2e_fail "OBS still on the taken port $taken"
assert_log_contains 'restream-for-obs\] loaded' "plugin load line after the restart"
obs_stop 3000
emu_stop
e2e_pass
