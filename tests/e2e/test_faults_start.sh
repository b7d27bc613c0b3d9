#!/usr/bin/env bash
# e2e.faults_start: Restream unreachable when OBS starts, and OBS closed in the middle of a sign-in.
#   unreachable   API, chat and streaming URLs point at closed loopback ports -> OBS becomes ready as fast as with
#                 Restream up (+5 s at most), GetStatus and GetSceneList answer within 1 s, the stored sign-in is
#                 kept (signedIn, same user), neither socket claims to be connected, ListChannels answers within
#                 20 s, OBS exits within 1 s of SIGINT.
#   survives      the next start with Restream reachable: same user signed in, chat settings and OBS's stream server
#                 unchanged, chat and streaming connect again.
#   sign-in       signed out, BeginSignIn, the browser is followed while the token endpoint holds its reply for 6 s
#                 -> OBS exits within 1 s of SIGINT in the middle of the code exchange; the next start is signed out
#                 (no half-stored session), the user's chat settings are intact, and a new sign-in works.
#   secrets       no token, client secret, stream key or SRT credential of the emulator in any OBS log or output.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-auth.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-chat.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-faults.sh"
e2e_init
faults_start
READY_UP_MS=$OBS_READY_MS
obs_stop 3000

# ---- unreachable: every Restream URL is a closed port on loopback
API=$RESTREAM_API_URL CHAT=$RESTREAM_CHAT_URL STREAMING=$RESTREAM_STREAMING_URL
dead=$(free_port)
export RESTREAM_API_URL="http://127.0.0.1:$dead" RESTREAM_CHAT_URL="ws://127.0.0.1:$dead/ws"
export RESTREAM_STREAMING_URL="ws://127.0.0.1:$dead/ws"
obs_start
obs_wait_ready 30
e2e_log "OBS ready after $OBS_READY_MS ms with Restream unreachable ($READY_UP_MS ms with it up)"
((OBS_READY_MS <= READY_UP_MS + 5000)) || e2e_fail "OBS took $OBS_READY_MS ms to start with Restream unreachable"
faults_assert_alive "Restream unreachable"
status=$(obs_vendor GetStatus)
assert_json_eq "$status" .signedIn true
assert_json_eq "$status" .user.username "$FAULTS_USER"
# several reconnect attempts of both sockets (chat's backoff starts at 1 s, streaming's at 2 s): three failed chat
# attempts and two streaming ones in this run's log, or 6 s, whichever comes first
failed_attempts() { grep -c "restream-for-obs/$1\] disconnected: " "$(obs_log_path)" || true; }
several_attempts() { (($(failed_attempts chat) >= 3 && $(failed_attempts streaming) >= 2)); }
wait_until 6 several_attempts || e2e_log "after 6 s: $(failed_attempts chat) chat, $(failed_attempts streaming) streaming attempts failed"
status=$(obs_vendor GetStatus)
assert_json "$status" '.chat != "connected" and .streaming != "connected"' "no socket claims to be connected"
r=$(faults_timed_vendor ListChannels)
assert_le "${r%% *}" 20000 "ListChannels (ms) with Restream unreachable"
e2e_log "ListChannels with Restream unreachable: ${r:0:200}"
faults_assert_alive "Restream unreachable after 6 s"
assert_json_eq "$(obs_vendor GetStatus)" .signedIn true
obs_stop 1000

# ---- survives: Restream back
export RESTREAM_API_URL=$API RESTREAM_CHAT_URL=$CHAT RESTREAM_STREAMING_URL=$STREAMING
obs_start
obs_wait_ready 30
faults_assert_survived
chat_wait_link connected 20
faults_wait_link streaming connected 20

# ---- OBS closed during sign-in: the token endpoint holds the code exchange for 6 s
assert_json_eq "$(obs_vendor SignOut)" .ok true
wait_until 10 bash -c '! jq -e .signedIn <<<"$("$0" --port "$1" vendor restream-for-obs GetStatus)" >/dev/null' \
	"$OBSWS" "$OBS_PORT" || e2e_fail "still signed in after SignOut"
emu_post oauth/delay '{"ms":6000}' >/dev/null
emu_post reset-counters >/dev/null
url=$(obs_vendor BeginSignIn | jq -r .authorizeUrl)
[ -n "$url" ] && [ "$url" != null ] || e2e_fail "BeginSignIn gave no authorizeUrl"
curl -sSL --max-time 30 -o /dev/null "$url" >/dev/null 2>&1 &
BROWSER_PID=$!
e2e_track_pid "$BROWSER_PID"
in_flight() { (($(emu_token_calls authorization_code inFlight) >= 1)); }
wait_until 10 in_flight || e2e_fail "the code exchange never reached the token endpoint: $(emu_get received)"
faults_assert_alive "during the code exchange"
obs_stop 1000
stop_pid "$BROWSER_PID" TERM 2
emu_post oauth/delay '{"ms":0}' >/dev/null
sleep 6.5 # the held reply has been sent (to nobody)
obs_start
obs_wait_ready 30
sleep 2
assert_json_eq "$(obs_vendor GetStatus)" .signedIn false
f="$HOME/.config/obs-studio/plugin_config/restream-for-obs/chat.json"
assert_json_eq "$(cat "$f")" .keywords faults-keyword
e2e_sign_in 30
assert_json_eq "$(obs_vendor GetStatus)" .user.username "$FAULTS_USER"
chat_wait_link connected 20
obs_stop 3000

faults_assert_no_secrets "the OBS logs and output" "$HOME/.config/obs-studio/logs" "$E2E_ART/obs.stdout"
e2e_pass
