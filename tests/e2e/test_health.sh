#!/usr/bin/env bash
# e2e.health: destination health alerts while live, in real OBS streaming to the local RTMP receiver, with the
# grace period set to 3 s in the plugin's settings (what Tools -> Restream settings writes):
#   (1) not streaming: a destination failing at Restream raises nothing;
#   (2) live: the emulator fails one destination -> HealthAlert {kind destination, channelId, platform, message}
#       reaches an obs-websocket client within grace + 3 s, the dock shows the banner (screenshot health-alert.png)
#       and GetStats marks the row; it recovers -> HealthRecovered;
#   (3) a destination flapping 10 times -> exactly one HealthAlert (and one HealthRecovered);
#   (4) Restream's incoming bitrate far below what OBS sends -> the bitrate alert, then its recovery;
#   (5) Restream stops receiving -> the ingest alert; receiving again -> its recovery;
#   (6) a platform's chat connection in error -> the chat alert; connected again -> its recovery;
#   (7) one log line per alert and per recovery. Prints health_alert_ms (failure -> event).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
e2e_init

GRACE_S=3
EVENTS="$E2E_TMP/health-events.jsonl"


# health EVENT [JQ-FILTER]: the EVENT (HealthAlert/HealthRecovered) payloads received so far that match FILTER.
health() {
	jq -c --arg t "$1" "select(.eventType == \$t) | .eventData | select(${2:-true})" "$EVENTS"
}
health_count() { health "$@" | grep -c . || true; }
has_health() { [ "$(health_count "$@")" -ge 1 ]; }

rtmp_start
emu_start --rtmp-url "$RTMP_URL"
obs_install_plugin
obs_write_global_ini
settings_dir="$HOME/.config/obs-studio/plugin_config/restream-for-obs"
mkdir -p "$settings_dir"
printf '{"health_grace_s":%d,"health_bitrate_pct":50}\n' "$GRACE_S" >"$settings_dir/settings.json"
chmod 600 "$settings_dir/settings.json"
export RFO_DOCK_TAB=stats # the banner above the Stats tab, whose row is marked, in the screenshot
obs_start
obs_wait_ready 30
e2e_sign_in
r=$(obs_vendor ApplyStreamSettings '{"protocol":"rtmp"}')
assert_json_eq "$r" .ok true
mapfile -t CH < <(obs_vendor ListChannels | jq -r '.channels[] | select(.enabled) | .id')
((${#CH[@]} >= 2)) || e2e_fail "the emulator has fewer than two enabled channels"
DOWN=${CH[0]} FLAP=${CH[1]}
emu_post stream/interval '{"ms":500}' >/dev/null
obs_events_start "$EVENTS" --type VendorEvent --count 0 --timeout 300

# ---- (1) Restream live, OBS not streaming: nothing is watched ----
emu_post stream/go-live >/dev/null
sleep 1.5
emu_post stream/destination "{\"channelId\":$DOWN,\"status\":\"DISCONNECTED\"}" >/dev/null
emu_post stream/incoming '{"totalBitrate":10000}' >/dev/null
sleep $((GRACE_S + 2))
assert_eq "$(health_count HealthAlert)" 0 "HealthAlert events while OBS is not streaming"
emu_post stream/destination "{\"channelId\":$DOWN,\"status\":\"CONNECTED\"}" >/dev/null
emu_post stream/incoming '{"totalBitrate":0}' >/dev/null

# ---- (2) live: one destination fails and recovers ----
obs_req StartStream >/dev/null
wait_until 15 stream_active || e2e_fail "OBS did not go live: $(obs_req GetStreamStatus)"
obs_log_wait 'health\] watching the stream \(grace period 3 s' 10 || e2e_fail "the health monitor did not start"
wait_until 10 eval "obs_vendor GetStats | jq -e '[.channels[] | select(.channelId == $DOWN and .status == \"connected\")] | length == 1' >/dev/null" ||
	e2e_fail "channel $DOWN is not connected in GetStats: $(obs_vendor GetStats)"
sleep 1 # OBS's bitrate measured, every destination seen connected
# a second client that ends with the first HealthAlert: the time is taken when it arrives, not by polling a file
ALL_EVENTS_PID=$EVENTS_PID
obs_events_start "$E2E_TMP/first-alert.json" --vendor-event HealthAlert --count 1 --timeout $((GRACE_S + 3))
t0=$(now_ms)
e2e_log "failing channel $DOWN at $(date +%T.%3N)"
emu_post stream/destination "{\"channelId\":$DOWN,\"status\":\"DISCONNECTED\"}" >/dev/null
wait "$EVENTS_PID" || e2e_fail "no HealthAlert within grace + 3 s: $(cat "$EVENTS")"
alert_ms=$(($(now_ms) - t0))
e2e_untrack_pid "$EVENTS_PID"
EVENTS_PID=$ALL_EVENTS_PID
assert_json "$(cat "$E2E_TMP/first-alert.json")" ".eventData.channelId == $DOWN" "the first HealthAlert's channel"
wait_until 3 has_health HealthAlert ".channelId == $DOWN" || e2e_fail "the alert is not in $EVENTS"
echo "health_alert_ms=$alert_ms (grace ${GRACE_S}000 ms)"
alert=$(health HealthAlert ".channelId == $DOWN")
e2e_log "alert: $alert"
assert_json_eq "$alert" .kind destination
assert_json "$alert" '(.platform | length > 0) and (.message | length > 10)' "alert has a platform and a sentence"
assert_json "$alert" 'keys == ["channelId","kind","message","platform"]' "alert fields"
assert_le "$((GRACE_S * 1000 - 300))" "$alert_ms" "the alert waited for the grace period (ms)"
wait_until 3 eval "obs_vendor GetStats | jq -e '.channels[] | select(.channelId == $DOWN) | .alert == true' >/dev/null" ||
	e2e_fail "GetStats does not mark channel $DOWN: $(obs_vendor GetStats)"
sleep 1 # the banner is drawn
obs_screenshot health-alert
emu_post stream/destination "{\"channelId\":$DOWN,\"status\":\"CONNECTED\"}" >/dev/null
wait_until $((GRACE_S + 4)) has_health HealthRecovered ".channelId == $DOWN" ||
	e2e_fail "no HealthRecovered for $DOWN: $(cat "$EVENTS")"
assert_json_eq "$(health HealthRecovered ".channelId == $DOWN")" .kind destination
wait_until 3 eval "obs_vendor GetStats | jq -e '.channels[] | select(.channelId == $DOWN) | has(\"alert\") | not' >/dev/null" ||
	e2e_fail "channel $DOWN is still marked after the recovery"
assert_eq "$(health_count HealthAlert ".channelId == $DOWN")" 1 "HealthAlert events for $DOWN"

# ---- (3) 10 flaps: one alert, one recovery ----
emu_post stream/flap "{\"channelId\":$FLAP,\"times\":10,\"ms\":400}" >/dev/null
wait_until 30 has_health HealthRecovered ".channelId == $FLAP" ||
	e2e_fail "no HealthRecovered after the flapping: $(cat "$EVENTS")"
sleep 1
assert_eq "$(health_count HealthAlert ".channelId == $FLAP")" 1 "HealthAlert events for 10 flaps"
assert_eq "$(health_count HealthRecovered ".channelId == $FLAP")" 1 "HealthRecovered events for 10 flaps"
e2e_log "flapping: $(health HealthAlert ".channelId == $FLAP")"

# ---- (4) a low incoming bitrate ----
emu_post stream/incoming '{"totalBitrate":20000}' >/dev/null
wait_until $((GRACE_S + 3)) has_health HealthAlert '.kind == "bitrate"' ||
	e2e_fail "no bitrate alert: $(cat "$EVENTS"); $(obs_vendor GetStats | jq -c .incoming)"
e2e_log "bitrate: $(health HealthAlert '.kind == "bitrate"')"
emu_post stream/incoming '{"totalBitrate":0}' >/dev/null
wait_until $((GRACE_S + 4)) has_health HealthRecovered '.kind == "bitrate"' || e2e_fail "no bitrate recovery"

# ---- (5) Restream stops receiving ----
emu_post stream/incoming '{"receiving":false}' >/dev/null
wait_until $((GRACE_S + 3)) has_health HealthAlert '.kind == "ingest"' || e2e_fail "no ingest alert: $(cat "$EVENTS")"
emu_post stream/incoming '{"receiving":true}' >/dev/null
wait_until $((GRACE_S + 4)) has_health HealthRecovered '.kind == "ingest"' || e2e_fail "no ingest recovery"

# ---- (6) a platform's chat connection fails (Twitch's chat: error) and comes back ----
chat_conn() {
	emu_post chat/push "{\"preset\":\"connection_info\",\"channelId\":$DOWN,\"overrides\":{\"payload\":$1}}" >/dev/null
}
chat_conn '{"status":"error","reason":"internal"}'
wait_until $((GRACE_S + 3)) has_health HealthAlert '.kind == "chat"' || e2e_fail "no chat alert: $(cat "$EVENTS")"
e2e_log "chat: $(health HealthAlert '.kind == "chat"')"
assert_json_eq "$(health HealthAlert '.kind == "chat"')" .platform Twitch
chat_conn '{"status":"connected","reason":null}'
wait_until $((GRACE_S + 4)) has_health HealthRecovered '.kind == "chat"' || e2e_fail "no chat recovery"

obs_req StopStream >/dev/null
wait_until 15 stream_idle || e2e_fail "StopStream did not end the stream"
emu_post stream/go-offline >/dev/null
sleep 1 # OBS has finished with its outputs before it is asked to quit
cp "$EVENTS" "$E2E_ART/health-events.jsonl"

# ---- (7) one log line per alert and per recovery ----
alerts=$(health_count HealthAlert)
recovered=$(health_count HealthRecovered)
assert_eq "$alerts" 5 "HealthAlert events in all"
assert_eq "$recovered" 5 "HealthRecovered events in all"
assert_eq "$(grep -c 'health\] alert (' "$(obs_log_path)")" "$alerts" "alert log lines"
assert_eq "$(grep -c 'health\] recovered (' "$(obs_log_path)")" "$recovered" "recovery log lines"
obs_stop 1000
rtmp_stop
e2e_pass
