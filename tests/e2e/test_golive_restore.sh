#!/usr/bin/env bash
# e2e.golive_restore: "Set up OBS for Restream" keeps the user's own streaming service and RestoreStreamSettings puts
# it back exactly, in real OBS against the emulator.
#   (1) private  the plugin's config folder is 0700 and settings.json 0600 from the start (no sign-in needed).
#   (2) keep     a custom rtmp service set through obs-websocket (SetStreamServiceSettings), then two applies: the copy
#                of the user's service (0600, in the profile folder beside service.json) is the one before the first
#                apply; their key is in no log line and no response.
#   (3) restart  OBS restarted between apply and restore; RestoreStreamSettings -> GetStreamServiceSettings equals
#                the original (type and settings); a second restore -> ok:false invalidState; the copy is gone.
#   (4) timeout  an ApplyStreamSettings whose UI-thread step does not start within its wait (OBS's UI thread stopped
#                for 12 s by ui-freeze) answers errorCode timeout, and the queued apply is never carried out later:
#                OBS's service stays the user's own.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
e2e_init

PROFILE="$HOME/.config/obs-studio/basic/profiles/Untitled"
PREVIOUS="$PROFILE/restream-for-obs-previous-service.json"
PLUGIN_CONFIG="$HOME/.config/obs-studio/plugin_config/restream-for-obs"
OWN_KEY="my-own-key-$RANDOM$RANDOM-private"
OWN='{"streamServiceType":"rtmp_custom","streamServiceSettings":{"server":"rtmp://127.0.0.1:1935/mine","key":"'$OWN_KEY'","use_auth":false,"bwtest":false}}'

service_json() { obs_req GetStreamServiceSettings | jq -cS .; }
mode_of() { stat -c %a "$1"; }
settings_ready() { obs_vendor GetStreamSettings | jq -e '.ready == true' >/dev/null; }
# How fast OBS quits is e2e.smoke's and the feature tests' subject; here a loaded machine must not fail the restore.
STOP_MS=3000

umask 022 # what a desktop session has: nothing the plugin writes may rely on a tighter one
emu_start
obs_install_plugin
obs_write_global_ini
obs_start
obs_wait_ready 30

# ---------------------------------------------------------------- (1) private files
wait_until 10 test -f "$PLUGIN_CONFIG/settings.json" || e2e_fail "settings.json was not written at start"
assert_eq "$(mode_of "$PLUGIN_CONFIG")" 700 "mode of the plugin's config folder"
assert_eq "$(mode_of "$PLUGIN_CONFIG/settings.json")" 600 "mode of settings.json"

# ---------------------------------------------------------------- (2) keep the user's service
e2e_log "case keep"
e2e_sign_in 20
wait_until 20 settings_ready || e2e_fail "the stream key was not fetched: $(obs_vendor GetStreamSettings)"
obs_req SetStreamServiceSettings "$OWN" >/dev/null
original=$(service_json)
e2e_log "original service: $(jq -c '.streamServiceSettings.key = "…"' <<<"$original")"
assert_json_eq "$original" .streamServiceType rtmp_custom
assert_json_eq "$original" .streamServiceSettings.key "$OWN_KEY"
[ ! -e "$PREVIOUS" ] || e2e_fail "a previous-service copy exists before any apply"

r=$(obs_vendor ApplyStreamSettings '{"protocol":"rtmp"}')
assert_json_eq "$r" .ok true
assert_eq "$(obs_req GetStreamServiceSettings | jq -r .streamServiceType)" restream_for_obs "service type after apply"
[ -f "$PREVIOUS" ] || e2e_fail "no copy of the previous service in $PROFILE"
assert_eq "$(mode_of "$PREVIOUS")" 600 "mode of the previous-service copy"
r2=$(obs_vendor ApplyStreamSettings '{"protocol":"rtmp","compatibility":true}') # a second apply keeps the first copy
assert_json_eq "$r2" .ok true
r3=$(obs_vendor ApplyStreamSettings '{"protocol":"rtmp","compatibility":false}')
assert_json_eq "$r3" .ok true
assert_file_contains "$PREVIOUS" "$OWN_KEY"
assert_not_contains "$r$r2$r3" "$OWN_KEY"

# ---------------------------------------------------------------- (3) restore after a restart
e2e_log "case restart"
obs_stop $STOP_MS
sleep 1 # a new log file name
obs_start
obs_wait_ready 30
e2e_wait_signed_in 20
assert_eq "$(obs_req GetStreamServiceSettings | jq -r .streamServiceType)" restream_for_obs "service type after restart"
r=$(obs_vendor RestoreStreamSettings)
e2e_log "RestoreStreamSettings: $r"
assert_json_eq "$r" .ok true
assert_json_eq "$r" .serviceType rtmp_custom
assert_json_eq "$r" .server "rtmp://127.0.0.1:1935/mine"
assert_not_contains "$r" "$OWN_KEY"
assert_eq "$(service_json)" "$original" "GetStreamServiceSettings after RestoreStreamSettings"
[ ! -e "$PREVIOUS" ] && [ ! -e "$PREVIOUS.bak" ] || e2e_fail "the copy of the user's service is still there after the restore"
r=$(obs_vendor RestoreStreamSettings)
assert_json_eq "$r" .ok false
assert_json_eq "$r" .errorCode invalidState
assert_eq "$(service_json)" "$original" "service after a second restore"

# ---------------------------------------------------------------- (4) a timed-out apply is never applied later
e2e_log "case timeout"
freeze_out="$E2E_TMP/freeze.out"
"$RFO_BUILD_DIR/tests/e2e/ui-freeze" "$OBS_PID" 13000 >"$freeze_out" 2>&1 &
freeze_pid=$!
e2e_track_pid "$freeze_pid"
wait_until 5 grep -q frozen "$freeze_out" || e2e_fail "ui-freeze could not stop OBS's UI thread: $(cat "$freeze_out")"
t0=$(now_ms)
r=$(obsws --timeout 30 vendor restream-for-obs ApplyStreamSettings '{"protocol":"rtmp"}')
e2e_log "ApplyStreamSettings with the UI thread stopped, after $(($(now_ms) - t0)) ms: $r"
assert_json_eq "$r" .ok false
assert_json_eq "$r" .errorCode timeout
wait "$freeze_pid" || e2e_fail "ui-freeze failed: $(cat "$freeze_out")"
e2e_untrack_pid "$freeze_pid"
sleep 2 # the UI thread runs what was queued for it
assert_eq "$(service_json)" "$original" "OBS's service after the timed-out apply"
obs_log_wait 'dropped a vendor apply that had timed out' 10

obs_stop $STOP_MS
for log in "$HOME"/.config/obs-studio/logs/*.txt; do
	assert_file_lacks "$log" "$OWN_KEY"
done
e2e_pass
