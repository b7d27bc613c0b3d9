#!/usr/bin/env bash
# e2e.channels: destinations in real OBS against the Restream emulator.
#   (1) list    ListChannels returns exactly the emulator's channels (id, platformId, displayName, enabled, url,
#               order), including the unknown platform 999 ("Platform 999", platformKnown false) and the display
#               name with HTML (verbatim), with platform names from the emulator's /v2/platform/all.
#   (2) switch  SetChannelEnabled changes the emulator's state (PATCH body {"active":…} recorded) and emits
#               ChannelsChanged; with the emulator answering 500 on that route: ok:false with a sentence, the
#               emulator's state and ListChannels unchanged (rolled back). A second switch of the same channel
#               while the first is in flight is refused. An expired access token (401) is refreshed and the
#               switch retried once. The hotkey "Restream: disable all" switches every channel off.
#   (3) title   SetTitle reaches every enabled channel's meta in the emulator and no disabled one; a title too
#               long for some channels (their titleMax) is reported in `failed` ("Title Too Long") while the
#               others are in `updated`; channelIds picks a subset (objects or a "1,2" string); unknown ids fail.
#   (4) dock    a screenshot of the dock with the Channels tab (RFO_DOCK_TAB=channels) after the list loaded.
#   (5) restart the platform list comes from the disk cache; hotkey bindings in the profile's [Hotkeys] are loaded
#               and saved back; "enable all" works; signing out empties the list (ChannelsChanged, ListChannels).
# OBS quits within 1 s with no leaks; the log has no token.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
e2e_init

export RFO_DOCK_TAB=channels # select the Channels tab at startup (read once by the plugin)

emu_channels() { emu_get state | jq -c '[.channels[] | {id, enabled: (if has("active") then .active else .enabled end)}]'; }
plugin_channels() { obs_vendor ListChannels | jq -c '[.channels[] | {id, enabled}]'; }

obs_install_plugin
obs_write_global_ini
emu_start
obs_start
obs_wait_ready 30
e2e_sign_in 30

# ---------------------------------------------------------------- (1) ListChannels == the emulator's channels
list=''
have_list() {
	list=$(obs_vendor ListChannels) && jq -e '.ok == true and (.channels | length) > 0' >/dev/null <<<"$list"
}
wait_until 20 have_list || e2e_fail "ListChannels never returned channels: $list"
e2e_log "ListChannels: $list"
state=$(emu_get state)
platforms=$(curl -fsS --max-time 5 "$RESTREAM_API_URL/v2/platform/all")
expected=$(jq -c --argjson p "$platforms" '[.channels[] | {id, platformId: .streamingPlatformId,
	platformName: (.streamingPlatformId as $pid | ([$p[] | select(.id == $pid) | .name][0] // "Platform \($pid)")),
	displayName, enabled: (if has("active") then .active else .enabled end), url}]' <<<"$state")
got=$(jq -c '[.channels[] | {id, platformId, platformName, displayName, enabled, url}]' <<<"$list")
[ "$got" == "$expected" ] || e2e_fail "ListChannels differs from the emulator:
  got      $got
  expected $expected"
assert_json "$list" '[.channels[] | select(.platformId == 999)] | length == 1 and .[0].platformName == "Platform 999" and .[0].platformKnown == false' "unknown platform 999 listed with a neutral name"
assert_json "$list" '[.channels[] | select(.displayName == "<b>Bold & \"Co\"</b>")] | length == 1' "HTML display name kept verbatim"
assert_json "$list" '[.channels[] | select(.platformId == 1)][0].platformName == "Twitch"' "Twitch named"
assert_json "$list" '[.channels[] | select(.platformId != 999)] | all(.platformKnown == true)' "known platforms"
e2e_log "(1) ListChannels matches the emulator's $(jq '.channels | length' <<<"$list") channels"

# ---------------------------------------------------------------- (4) the dock with the channel list
sleep 1 # let the dock repaint after the list arrived
obs_screenshot channels-dock

# ---------------------------------------------------------------- (2) SetChannelEnabled
LINKEDIN=1000104 # off in the emulator's default state
emu_post reset-counters >/dev/null
[ "$(emu_get state | jq -c ".channels[] | select(.id == $LINKEDIN) | .active")" == false ] ||
	e2e_fail "the emulator's LinkedIn channel is not off at the start"
obs_events_start "$E2E_TMP/ev-changed" --vendor-event ChannelsChanged --count 0 --timeout 20
r=$(obs_vendor SetChannelEnabled "{\"id\":$LINKEDIN,\"enabled\":true}")
e2e_log "SetChannelEnabled on: $r"
assert_json_eq "$r" .ok true
assert_json_eq "$r" .channel.id "$LINKEDIN"
assert_json_eq "$r" .channel.enabled true
assert_json_eq "$(emu_get state)" ".channels[] | select(.id == $LINKEDIN) | .active" true
assert_json_eq "$(emu_get received)" ".patches.\"$LINKEDIN\" | map(.body) | last | .active" true
obs_events_until "$E2E_TMP/ev-changed" "[.. | objects | select(.id? == $LINKEDIN)] | any(.enabled == true)" \
	"no ChannelsChanged carries the switched channel"

# the same route answering 500: ok:false with a sentence; nothing changes anywhere
before_emu=$(emu_channels)
before_list=$(plugin_channels)
emu_post faults "{\"route\":\"/v2/user/channel/$LINKEDIN\",\"method\":\"PATCH\",\"status\":500}" >/dev/null
r=$(obs_vendor SetChannelEnabled "{\"id\":$LINKEDIN,\"enabled\":false}")
e2e_log "SetChannelEnabled with a 500: $r"
assert_json_eq "$r" .ok false
assert_json "$r" '(.error | type == "string") and (.error | length > 20) and (.error | test("500"))' "a specific error sentence"
[ "$(emu_channels)" == "$before_emu" ] || e2e_fail "the emulator's channels changed after a 500: $(emu_channels)"
[ "$(plugin_channels)" == "$before_list" ] || e2e_fail "ListChannels changed after a 500: $(plugin_channels)"
assert_json_eq "$(obs_vendor ListChannels)" ".channels[] | select(.id == $LINKEDIN) | .enabled" true
emu_post faults/clear >/dev/null

# a switch in flight cannot be fired again
emu_post faults "{\"route\":\"/v2/user/channel/$LINKEDIN\",\"method\":\"PATCH\",\"delay_ms\":2000}" >/dev/null
obs_vendor SetChannelEnabled "{\"id\":$LINKEDIN,\"enabled\":false}" >"$E2E_TMP/first" &
first_pid=$!
e2e_track_pid "$first_pid"
# while in flight the channel already shows the requested state (the switch "moves at once")
busy() { obs_vendor ListChannels | jq -e ".channels[] | select(.id == $LINKEDIN) | .pending == true and .enabled == false" >/dev/null; }
wait_until 5 busy || e2e_fail "the first switch never showed as in flight with its new state"
r=$(obs_vendor SetChannelEnabled "{\"id\":$LINKEDIN,\"enabled\":true}")
assert_json_eq "$r" .ok false
assert_json "$r" '.error | test("already")' "double switch refused"
wait "$first_pid" || e2e_fail "the first switch call failed"
assert_json_eq "$(cat "$E2E_TMP/first")" .ok true
assert_json_eq "$(cat "$E2E_TMP/first")" .channel.enabled false
assert_json_eq "$(emu_get state)" ".channels[] | select(.id == $LINKEDIN) | .active" false
emu_post faults/clear >/dev/null

# an expired access token (right after sign-in): the PATCH gets 401 with the current token, so the plugin refreshes
# at once and retries once
emu_post tokens/expire '{"which":"access"}' >/dev/null
r=$(obs_vendor SetChannelEnabled "{\"id\":$LINKEDIN,\"enabled\":true}")
e2e_log "SetChannelEnabled after the token expired: $r"
assert_json_eq "$r" .ok true
assert_json_eq "$(emu_get state)" ".channels[] | select(.id == $LINKEDIN) | .active" true
assert_json "$(emu_get received)" '.tokenCalls.refresh_token.count >= 1' "a token refresh after the 401"
e2e_log "(2) SetChannelEnabled: switched, 500 rolled back, double fire refused, 401 retried"

# ---------------------------------------------------------------- (3) SetTitle
emu_post reset-counters >/dev/null
state=$(emu_get state)
enabled_ids=$(jq -c '[.channels[] | select(if has("active") then .active else .enabled end) | .id] | sort' <<<"$state")
title="Channels e2e $(date +%s)"
r=$(obs_vendor SetTitle "{\"title\":\"$title\",\"description\":\"from OBS\"}")
e2e_log "SetTitle (all enabled): $r"
assert_json_eq "$r" .ok true
assert_json_eq "$r" '[.updated[].id] | sort' "$enabled_ids"
assert_json_eq "$r" '.failed | length' 0
state=$(emu_get state)
assert_json "$state" "[.channels[] | select(if has(\"active\") then .active else .enabled end)] | all(.title == \"$title\" and .description == \"from OBS\")" "every enabled channel's meta has the title"
assert_json "$state" "[.channels[] | select((if has(\"active\") then .active else .enabled end) | not)] | all(.title != \"$title\")" "disabled channels untouched"
assert_json_eq "$(emu_get received)" '[.patches | to_entries[] | .value[] | select(.path | test("channel-meta"))] | length' "$(jq length <<<"$enabled_ids")"

# a title longer than some channels allow: those fail with Restream's reason, the others succeed
long=$(printf 'L%.0s' $(seq 1 120))
too_short=$(jq -c '[.channels[] | select((if has("active") then .active else .enabled end) and .titleMax < 120) | .id] | sort' <<<"$state")
fits=$(jq -c '[.channels[] | select((if has("active") then .active else .enabled end) and .titleMax >= 120) | .id] | sort' <<<"$state")
[ "$(jq length <<<"$too_short")" -ge 1 ] && [ "$(jq length <<<"$fits")" -ge 1 ] ||
	e2e_fail "the emulator's limits do not split the enabled channels: $too_short / $fits"
obs_events_start "$E2E_TMP/ev-title" --vendor-event ChannelsChanged --count 0 --timeout 6
r=$(obs_vendor SetTitle "{\"title\":\"$long\"}")
e2e_log "SetTitle (120 characters): $r"
obs_events_wait
e2e_log "ChannelsChanged errors after it: $(jq -c '.eventData.error // empty' "$E2E_TMP/ev-title" | tr '\n' ' ')"
jq -e -s 'map(.eventData.error // "" | select(test("Channels with the new title: [0-9]+ of [0-9]+\\. Title Too Long"))) | length >= 1' \
	"$E2E_TMP/ev-title" >/dev/null || e2e_fail "no ChannelsChanged error naming the failure (Title Too Long)"
assert_json_eq "$r" .ok true
assert_json_eq "$r" '[.updated[].id] | sort' "$fits"
assert_json_eq "$r" '[.failed[].id] | sort' "$too_short"
assert_json "$r" '.failed | all(.error == "Title Too Long")' "failed channels say Title Too Long"
state=$(emu_get state)
assert_json "$state" "[.channels[] | select(.id as \$i | $fits | index(\$i))] | all(.title == \"$long\")" "the long title reached the channels that allow it"
assert_json "$state" "[.channels[] | select(.id as \$i | $too_short | index(\$i))] | all(.title == \"$title\")" "the others kept their title"

# a chosen subset (one of them failing), as objects and as a string; unknown ids are reported
one_short=$(jq '.[0]' <<<"$too_short")
one_fits=$(jq '.[0]' <<<"$fits")
r=$(obs_vendor SetTitle "{\"title\":\"$long\",\"channelIds\":[{\"id\":$one_short},{\"id\":$one_fits},{\"id\":42}]}")
e2e_log "SetTitle (subset): $r"
assert_json_eq "$r" .ok true
assert_json_eq "$r" '[.updated[].id]' "[$one_fits]"
assert_json_eq "$r" '[.failed[].id] | sort' "$(jq -c --argjson a "$one_short" '[$a, 42] | sort' <<<'null')"
r=$(obs_vendor SetTitle "{\"title\":\"Subset $title\",\"channelIds\":\"$LINKEDIN\"}")
assert_json_eq "$r" '[.updated[].id]' "[$LINKEDIN]"
assert_json_eq "$(emu_get state)" ".channels[] | select(.id == $LINKEDIN) | .title" "Subset $title"
r=$(obs_vendor SetTitle '{"title":""}')
assert_json_eq "$r" .ok false
e2e_log "(3) SetTitle: every enabled channel, per-channel failures, subsets"

# ---------------------------------------------------------------- hotkeys
hk=$(obsws call GetHotkeyList | jq -c '.responseData.hotkeys')
assert_json "$hk" 'index("RestreamForOBS.DisableAll") != null and index("RestreamForOBS.EnableAll") != null' "enable/disable all hotkeys"
assert_json "$hk" "index(\"RestreamForOBS.Toggle.$LINKEDIN\") != null" "per-channel toggle hotkey"
obsws call TriggerHotkeyByName '{"hotkeyName":"RestreamForOBS.DisableAll"}' >/dev/null
all_off() { emu_get state | jq -e '[.channels[] | (if has("active") then .active else .enabled end)] | all(. == false)' >/dev/null; }
wait_until 10 all_off || e2e_fail "DisableAll left channels on: $(emu_channels)"
wait_until 10 channels_settled || e2e_fail "switches still pending after DisableAll: $(obs_vendor ListChannels)"
obsws call TriggerHotkeyByName "{\"hotkeyName\":\"RestreamForOBS.Toggle.$LINKEDIN\"}" >/dev/null
linkedin_on() { emu_get state | jq -e ".channels[] | select(.id == $LINKEDIN) | .active == true" >/dev/null; }
wait_until 10 linkedin_on || e2e_fail "the toggle hotkey did not switch LinkedIn on"
e2e_log "hotkeys: disable all, toggle one"

obs_screenshot channels-dock-after
obs_stop 1000
assert_no_leaks "leak count at shutdown"
for t in $(emu_get tokens | jq -r '.all[] | .accessToken, .refreshToken'); do
	assert_log_lacks "$t" "OBS log (token)"
done

# ---------------------------------------------------------------- restart: platform cache, hotkey bindings, sign-out
CACHE="$HOME/.config/obs-studio/plugin_config/restream-for-obs/platforms.json"
assert_json "$(cat "$CACHE")" 'length == 18' "platform list cached on disk ($CACHE)"
PROFILE_INI="$HOME/.config/obs-studio/basic/profiles/Untitled/basic.ini"
[ -f "$PROFILE_INI" ] || e2e_fail "OBS wrote no profile at $PROFILE_INI"
# Bindings as a user would set them in Settings -> Hotkeys (OBS keeps frontend hotkeys in the profile).
# (spaces on purpose: after the round trip through OBS the value is OBS's compact JSON, proving it was saved)
seed="RestreamForOBS.DisableAll={\"bindings\": [ {\"key\": \"OBS_KEY_F9\"} ]}"
seed2="RestreamForOBS.Toggle.$LINKEDIN={\"bindings\":[{\"key\":\"OBS_KEY_F10\"}]}"
if grep -q '^\[Hotkeys\]' "$PROFILE_INI"; then
	sed -i "/^\[Hotkeys\]/a $seed2" "$PROFILE_INI"
	sed -i "/^\[Hotkeys\]/a $seed" "$PROFILE_INI"
else
	printf '\n[Hotkeys]\n%s\n%s\n' "$seed" "$seed2" >>"$PROFILE_INI"
fi
obs_start
obs_wait_ready 30
e2e_wait_signed_in 20
wait_until 20 have_list || e2e_fail "no channels after the restart: $list"
assert_log_contains 'platform list loaded from the cache' "OBS log (platform cache)"
# a real key press: F9, bound to "disable all" in the profile, switches everything off. OBS sees a key by polling
# the keyboard every 25 ms from its hotkey thread, which a loaded machine stalls for 300 ms and more: the key is
# held for 1 s and pressed again (up to 3 times; "disable all" is idempotent) before the test gives up.
# On Wayland nothing outside the compositor can press a key (xdotool drives X servers only): there OBS's own key
# injection presses F9, through the same binding from the profile.
[ -n "$OBS_WAYLAND" ] || command -v xdotool >/dev/null ||
	e2e_fail "xdotool is needed to press the hotkey (apt-get install xdotool)"
for press in 1 2 3; do
	[ -n "$OBS_WAYLAND" ] && break
	DISPLAY=$OBS_DISPLAY XAUTHORITY=$OBS_XAUTHORITY xdotool keydown F9
	sleep 1
	DISPLAY=$OBS_DISPLAY XAUTHORITY=$OBS_XAUTHORITY xdotool keyup F9
	wait_until 5 all_off && break
	e2e_log "F9 press $press: channels still on: $(emu_channels)"
done
if all_off; then
	e2e_log "F9 from the profile's binding switched every channel off (press $press)"
elif [ -n "$OBS_WAYLAND" ]; then
	obsws call TriggerHotkeyByKeySequence '{"keyId":"OBS_KEY_F9"}' >/dev/null || true
	wait_until 5 all_off || e2e_fail "F9 (bound in the profile to disable all), injected on Wayland, left channels on: $(emu_channels)"
	e2e_log "Wayland: the F9 binding from the profile fired through OBS's key injection"
else
	# OBS's own injection of the key (obs_hotkey_inject_event, through its bindings) tells a lost binding from a
	# lost key press. OBS 32 under Xvfb misses xdotool's key presses now and then (seen: three 1 s presses in a row
	# unseen, the binding loaded; another run saw the second): there, and only there, the injected F9 stands in.
	obsws call TriggerHotkeyByKeySequence '{"keyId":"OBS_KEY_F9"}' >/dev/null || true
	wait_until 5 all_off || e2e_fail "F9 (bound in the profile to disable all) left channels on, pressed and injected: $(emu_channels)"
	obs_major=$(obsws call GetVersion | jq -r '.responseData.obsVersion | split(".")[0] | tonumber')
	((obs_major >= 32)) || e2e_fail "the F9 binding is loaded (OBS's injected F9 worked) but 3 real presses were not seen"
	e2e_log "OBS $obs_major did not see the X key press; the F9 binding from the profile fired through OBS's key injection"
fi
wait_until 10 channels_settled || e2e_fail "switches still pending after F9: $(obs_vendor ListChannels)"
obsws call TriggerHotkeyByName '{"hotkeyName":"RestreamForOBS.EnableAll"}' >/dev/null
all_on() { emu_get state | jq -e '[.channels[] | (if has("active") then .active else .enabled end)] | all(. == true)' >/dev/null; }
wait_until 10 all_on || e2e_fail "EnableAll left channels off: $(emu_channels)"
# signing out empties the list (and ListChannels says why)
# (every ChannelsChanged is collected: EnableAll's last ones, its channels leaving "pending", may still be on their
# way when the emulator already has them all on)
obs_events_start "$E2E_TMP/ev-signout" --vendor-event ChannelsChanged --count 0 --timeout 20
obs_vendor SignOut >/dev/null
obs_events_until "$E2E_TMP/ev-signout" '.eventData.channels == []' "no ChannelsChanged with no channels at sign-out"
r=$(obs_vendor ListChannels)
assert_json_eq "$r" .ok false
assert_json "$r" '.error | test("not signed in")' "ListChannels says it is signed out"
obs_stop 1000
assert_no_leaks "leak count at shutdown (second run)"
grep -q "^RestreamForOBS.DisableAll=.*OBS_KEY_F9" "$PROFILE_INI" || e2e_fail "the DisableAll binding was lost: $(grep RestreamForOBS "$PROFILE_INI")"
grep -qF "$seed" "$PROFILE_INI" && e2e_fail "the hotkey bindings were not saved back at exit: $(grep RestreamForOBS "$PROFILE_INI")"
e2e_log "profile hotkeys after exit: $(grep RestreamForOBS "$PROFILE_INI" | tr '\n' ' ')"
grep -q "^RestreamForOBS.Toggle.$LINKEDIN=.*OBS_KEY_F10" "$PROFILE_INI" || e2e_fail "the toggle binding was lost: $(grep RestreamForOBS "$PROFILE_INI")"
e2e_log "restart: platforms from the cache, hotkey bindings kept in the profile, sign-out empties the list"
e2e_pass
