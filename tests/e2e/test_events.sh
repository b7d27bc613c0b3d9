#!/usr/bin/env bash
# e2e.events: Restream events created from OBS, in real OBS against the emulator.
#   (1) vendor   CreateEvent {title, description, scheduledFor} -> the emulator has the event (POST
#                /v2/user/events/new, streamType "encoder"); it is in ListEvents at once; ApplyStreamSettings with its
#                id and a stream -> nginx records under that event's own key.
#   (2) refusals a title too long -> ok:false with Restream's "Title Too Long" as a sentence; a token without
#                stream.write -> "Insufficient Scope"; nothing is created.
#   (3) dock     the Go live tab's "New event" form, driven by real clicks and key presses (xdotool at the places
#                the plugin's geometry probe logs): the event is created, listed, picked in the tab; a too-long title
#                typed there is refused with Restream's sentence. Screenshot events-form.png.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
e2e_init
export RFO_DOCK_TAB=golive RFO_GEOMETRY_PROBE=1

emu_event() { emu_get state | jq -c --arg id "$1" '.events[] | select(.id == $id)'; }
emu_event_titled() { emu_get state | jq -c --arg t "$1" '[.events[] | select(.title == $t)][0] // empty'; }
listed() { obs_vendor ListEvents | jq -e --arg id "$1" 'any(.events[]; .id == $id)' >/dev/null; }
created_count() { emu_get events/created | jq .created; }
xdo() { DISPLAY=$OBS_DISPLAY XAUTHORITY=$OBS_XAUTHORITY xdotool "$@"; }

rtmp_start
emu_start --rtmp-url "$RTMP_URL"
obs_install_plugin
obs_write_global_ini
obs_start
obs_wait_ready 30
e2e_sign_in
scene=$(obs_req GetCurrentProgramScene | jq -r '.currentProgramSceneName // .sceneName')
obs_req CreateInput "$(jq -nc --arg s "$scene" '{sceneName:$s,inputName:"E2E colour",inputKind:"color_source_v3",
	inputSettings:{color:4278255360,width:640,height:360}}')" >/dev/null

# ---------------------------------------------------------------- (1) CreateEvent over obs-websocket
when=$(($(date +%s) + 7200))
r=$(obs_vendor CreateEvent "$(jq -nc --argjson w "$when" '{title:"E2E vendor event",description:"made over obs-websocket",scheduledFor:$w}')")
e2e_log "CreateEvent: $r"
assert_json_eq "$r" .ok true
assert_json_eq "$r" .event.title "E2E vendor event"
assert_json_eq "$r" .event.status upcoming
assert_json_eq "$r" .event.scheduledFor "$when"
EVENT_ID=$(jq -r .event.id <<<"$r")
e=$(emu_event "$EVENT_ID")
[ -n "$e" ] || e2e_fail "the emulator has no event $EVENT_ID"
assert_json_eq "$e" .title "E2E vendor event"
assert_json_eq "$e" .description "made over obs-websocket"
assert_json_eq "$e" .scheduledFor "$when"
assert_json_eq "$e" .status upcoming
listed "$EVENT_ID" || e2e_fail "ListEvents lacks the new event: $(obs_vendor ListEvents)"
assert_json_eq "$(obs_vendor ListEvents)" "[.events[] | select(.id == \"$EVENT_ID\") | .title][0]" "E2E vendor event"

# chosen for go-live at once: its own key reaches the RTMP receiver
EVENT_KEY=$(emu_rest "/v2/user/events/$EVENT_ID/streamKey" | jq -r .streamKey)
ACCOUNT_KEY=$(emu_get state | jq -r .streamKey)
[ -n "$EVENT_KEY" ] && [ "$EVENT_KEY" != "$ACCOUNT_KEY" ] || e2e_fail "no distinct event key"
r=$(obs_vendor ApplyStreamSettings "$(jq -nc --arg e "$EVENT_ID" '{protocol:"rtmp",eventId:$e}')")
assert_json_eq "$r" .ok true
assert_json_eq "$r" .eventId "$EVENT_ID"
rm -f "$RTMP_DIR/rec/"*.flv
obs_req StartStream >/dev/null
wait_until 15 stream_active || e2e_fail "OBS did not go live: $(obs_req GetStreamStatus)"
sleep 3
obs_req StopStream >/dev/null
wait_until 15 stream_idle || e2e_fail "StopStream did not end the stream"
wait_until 10 test -s "$RTMP_DIR/rec/$EVENT_KEY.flv" || e2e_fail "nginx recorded no file under the new event's key: $(ls "$RTMP_DIR/rec")"
[ ! -e "$RTMP_DIR/rec/$ACCOUNT_KEY.flv" ] || e2e_fail "the account key was used instead of the event's"
assert_media_av "$RTMP_DIR/rec/$EVENT_KEY.flv"
! grep -qF -- "$EVENT_KEY" "$(obs_log_path)" || e2e_fail "the OBS log contains the event's key"

# ---------------------------------------------------------------- (2) Restream's refusals, as sentences
before=$(created_count)
long=$(printf 'x%.0s' {1..101})
r=$(obs_vendor CreateEvent "$(jq -nc --arg t "$long" '{title:$t}')")
e2e_log "too long: $r"
assert_json_eq "$r" .ok false
assert_json "$r" '.error | test("Title Too Long")' "Restream's sentence"
assert_json "$r" '.error | test("[{}]") | not' "no raw JSON in the error"
assert_json "$r" '.errorCode | length > 0' "an errorCode"
emu_post events/scope '{"write":false}' >/dev/null
r=$(obs_vendor CreateEvent '{"title":"no scope"}')
e2e_log "without stream.write: $r"
assert_json_eq "$r" .ok false
assert_json "$r" '.error | test("Insufficient Scope")' "Restream's sentence"
emu_post events/scope '{"write":true}' >/dev/null
assert_eq "$(created_count)" "$before" "events created by refused requests"

# ---------------------------------------------------------------- (3) the dock's form, by real clicks
command -v xdotool >/dev/null || e2e_fail "xdotool is needed to click the dock (apt-get install xdotool)"
obs_log_wait "dock: tab 'golive' selected" 15
# where the probe says a widget is: its centre
centre() {
	local line
	line=$(grep -Eo "geometry probe: $1 -?[0-9]+ -?[0-9]+ [0-9]+ [0-9]+" "$(obs_log_path)" | tail -n 1)
	[ -n "$line" ] || return 1
	awk '{print $4 + int($6 / 2), $5 + int($7 / 2)}' <<<"$line"
}
obs_log_wait 'geometry probe: RestreamGoLiveNewTitle ' 15
obs_log_wait 'geometry probe: RestreamGoLiveCreateEvent ' 15
click() {
	local xy
	xy=$(centre "$1") || e2e_fail "no geometry for $1"
	# shellcheck disable=SC2086
	xdo mousemove --sync $xy click 1
	sleep 0.3
}
type_title() { # TEXT [DELAY_MS]
	click RestreamGoLiveNewTitle
	xdo key --clearmodifiers ctrl+a BackSpace
	xdo type --delay "${2:-5}" -- "$1"
}
type_title "Dock event"
obs_screenshot events-form
click RestreamGoLiveCreateEvent
obs_log_wait 'golive tab: create event: created' 15
e=$(emu_event_titled "Dock event")
[ -n "$e" ] || e2e_fail "the click created no event at the emulator: $(emu_get state | jq -c '[.events[].title]')"
DOCK_ID=$(jq -r .id <<<"$e")
assert_json_eq "$e" .scheduledFor null # "now": no scheduled time sent
wait_until 10 listed "$DOCK_ID" || e2e_fail "ListEvents lacks the dock's event"
obs_log_wait "golive tab: event picked: $DOCK_ID" 5
obs_screenshot events-created
e2e_log "the dock created event $DOCK_ID and picked it"

# OBS 32 under Xvfb drops some of xdotool's key presses now and then (e2e.channels saw it too): when no answer
# comes, the title is typed again, slower (at most 3 times); a shortened title that fits would be created, which the
# last check below would catch.
refused() { obs_log_has 'golive tab: create event: refused: .*Title Too Long'; }
for attempt in 1 2 3; do
	type_title "$long" $((attempt * 10))
	click RestreamGoLiveCreateEvent
	wait_until 8 refused && break
	e2e_log "attempt $attempt: no refusal in the log yet; typing the title again"
done
refused || e2e_fail "the dock's too-long title got no 'Title Too Long' refusal in 3 attempts"
obs_screenshot events-refused
assert_eq "$(emu_get state | jq --arg t "$long" '[.events[] | select(.title == $t)] | length')" 0 "events with the long title"

obs_stop 1000
assert_no_leaks "leak count at shutdown"
rtmp_stop
e2e_pass
