#!/usr/bin/env bash
# packaging/deb/e2e-installed.sh VERSION — one go-live stream against the INSTALLED package (run by
# packaging/deb/test.sh with RFO_E2E_SYSTEM_ROOT set: OBS runs in the clean root; the emulator, nginx and obsws on
# the host, over the shared loopback). Shows: OBS loaded the module from the system plugin folder (the plugin's
# load line and the process's mappings), GetStatus.pluginVersion is the package's version, sign-in against the
# emulator, one-click RTMP setup, and a real stream that nginx-rtmp records with audio and video; OBS quits cleanly.
source "${RFO_SOURCE_DIR:?}/tests/e2e/lib.sh"
source "$RFO_SOURCE_DIR/tests/e2e/lib-signin.sh"
e2e_init
version=${1:?usage: e2e-installed.sh VERSION}
[ -n "${RFO_E2E_SYSTEM_ROOT:-}" ] || e2e_fail "RFO_E2E_SYSTEM_ROOT is not set (run by packaging/deb/test.sh)"
SYSTEM_SO='/usr/+lib/[a-z0-9_-]+/obs-plugins/restream-for-obs\.so' # OBS joins "/usr/" and "lib/…"

# obs_req TYPE [JSON]: an obs-websocket request that must succeed; prints its responseData.
obs_req() {
	local out
	out=$(obsws call "$@") || e2e_fail "obsws call $1 failed: $out"
	jq -c '.responseData // {}' <<<"$out"
}
stream_active() { obs_req GetStreamStatus | jq -e '.outputActive == true' >/dev/null; }
stream_idle() { obs_req GetStreamStatus | jq -e '.outputActive == false' >/dev/null; }

rtmp_start
emu_start --rtmp-url "$RTMP_URL"
KEY=$(curl -fsS --max-time 5 "$RESTREAM_API_URL/_emu/state" | jq -r .streamKey)
[ -n "$KEY" ] && [ "$KEY" != null ] || e2e_fail "the emulator has no stream key"
obs_install_plugin
obs_write_global_ini
obs_start
obs_wait_ready 30

# (1) loaded from the package's path, with the package's version
assert_log_contains "\[restream-for-obs\] loaded \(version $version\) from $SYSTEM_SO\$" "plugin load line"
grep -Eq "$SYSTEM_SO\$" "/proc/$OBS_PID/maps" || e2e_fail "OBS (pid $OBS_PID) has no $SYSTEM_SO mapped"
assert_file_lacks "/proc/$OBS_PID/maps" '\.config/obs-studio/plugins' "OBS's mappings (a user-installed copy)"
status=$(obs_vendor GetStatus)
assert_json_eq "$status" .pluginVersion "$version"

# (2) sign in, set OBS up for Restream over RTMP, stream 5 s into nginx-rtmp
e2e_sign_in
scene=$(obs_req GetCurrentProgramScene | jq -r '.currentProgramSceneName // .sceneName')
obs_req CreateInput "$(jq -nc --arg s "$scene" '{sceneName:$s,inputName:"E2E colour",inputKind:"color_source_v3",
	inputSettings:{color:4278255360,width:640,height:360}}')" >/dev/null
r=$(obs_vendor ApplyStreamSettings '{"protocol":"rtmp"}')
e2e_log "ApplyStreamSettings: $r"
assert_json_eq "$r" .ok true
assert_json_eq "$r" .server "$RTMP_URL"
obs_req StartStream >/dev/null
wait_until 15 stream_active || e2e_fail "OBS did not go live: $(tail -n 5 "$(obs_log_path)")"
sleep 5
stream_active || e2e_fail "the stream dropped while live: $(tail -n 8 "$(obs_log_path)")"
obs_req StopStream >/dev/null
wait_until 15 stream_idle || e2e_fail "StopStream did not end the stream"
wait_until 10 test -s "$RTMP_DIR/rec/$KEY.flv" || e2e_fail "nginx recorded no $KEY.flv: $(ls "$RTMP_DIR/rec")"
assert_media_av "$RTMP_DIR/rec/$KEY.flv"
assert_log_lacks "$KEY" "OBS log (stream key)"
obs_screenshot installed-after-stream

obs_stop 2000 # the 1 s exit budget is the e2e suites' assertion; this test is about the package (a loaded CI box took 1.2 s)
assert_log_contains 'Number of memory leaks: 0' "leak count at shutdown"
rtmp_stop
e2e_pass
