# shellcheck shell=bash
# lib-faults.sh — helpers for the fault-injection end-to-end tests (test_faults*.sh). Source it after lib.sh,
# lib-signin.sh, lib-auth.sh and lib-chat.sh. The faults come from the emulator's /_emu/ control interface.

FAULTS_CHAT_SETTINGS='{"history":321,"keywords":"faults-keyword","show_timestamps":false}'

# faults_start [EMULATOR ARGS...]: emulator, the user's chat settings, OBS with the plugin, signed in through the
# browser flow, stream settings applied (the user's setup that must survive), both sockets connected.
faults_start() {
	emu_start "$@"
	faults_stamp_start
	obs_install_plugin
	obs_write_global_ini
	chat_settings "$FAULTS_CHAT_SETTINGS"
	obs_start
	obs_wait_ready 30
	e2e_sign_in 30
	assert_json_eq "$(obs_vendor ApplyStreamSettings '{"protocol":"rtmp"}')" .ok true
	chat_wait_link connected 20
	faults_wait_link streaming connected 20
	FAULTS_USER=$(obs_vendor GetStatus | jq -r .user.username)
	FAULTS_SERVER=$(faults_obs_server)
	[ -n "$FAULTS_SERVER" ] || e2e_fail "no stream service in OBS after ApplyStreamSettings"
	e2e_log "signed in as $FAULTS_USER, stream server $FAULTS_SERVER, chat and streaming connected"
}

# faults_stamp_start: copy the emulator's log into $FAULTS_STAMPED as "MS [emu] METHOD /path -> status", one line
# per reply, so that tests can check the plugin's request timing. MS is the emulator's own time of the reply (its
# "[emu MS]" prefix); lines without one get the time they were read.
faults_stamp_start() {
	FAULTS_STAMPED="$E2E_TMP/emulator-stamped.log"
	: >"$FAULTS_STAMPED"
	(
		# --pid: tail (and with it the loop) ends with the test; TERM to this subshell would orphan them
		tail -n 0 -F --pid=$$ "$E2E_ART/emulator.log" 2>/dev/null | while IFS= read -r line; do
			if [[ "$line" =~ ^\[emu\ ([0-9]+)\]\ (.*)$ ]]; then
				printf '%s [emu] %s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
			else
				t=${EPOCHREALTIME//[!0-9]/}
				printf '%s %s\n' "$((t / 1000))" "$line"
			fi
		done >>"$FAULTS_STAMPED"
	) &
	e2e_track_pid $!
}

# faults_times ERE: the times (ms) of the stamped emulator lines matching ERE, one a line.
faults_times() { grep -E -- "$1" "$FAULTS_STAMPED" | awk '{print $1}'; }

# faults_min_gap ERE: the smallest gap (ms) between consecutive stamped lines matching ERE (empty when < 2).
faults_min_gap() {
	faults_times "$1" | awk 'NR > 1 { g = $1 - p; if (min == "" || g < min) min = g } { p = $1 } END { print min }'
}

# faults_link_is KIND STATE / faults_wait_link KIND STATE [S]: GetStatus' chat/streaming field.
faults_link_is() { [ "$(obs_vendor GetStatus 2>/dev/null | jq -r ".$1")" = "$2" ]; }
faults_wait_link() {
	wait_until "${3:-15}" faults_link_is "$1" "$2" || e2e_fail "$1 did not become $2 within ${3:-15}s: $(obs_vendor GetStatus)"
}

# faults_obs_server: OBS's current stream service, type and settings (GetStreamServiceSettings), as compact JSON.
faults_obs_server() {
	obsws call GetStreamServiceSettings |
		jq -c '.responseData | select(.streamServiceType != null) | {streamServiceType, streamServiceSettings}'
}

# faults_timed_vendor REQUEST [JSON]: one vendor request (35 s deadline); prints "MS RESPONSE".
faults_timed_vendor() {
	local t0 out
	t0=$(now_ms)
	out=$("$OBSWS" --port "$OBS_PORT" --timeout 35 vendor "$E2E_VENDOR" "$@" 2>&1) || out="obsws failed: $out"
	printf '%s %s\n' "$(($(now_ms) - t0))" "$out"
}

# faults_rtt_start COUNT INTERVAL_MS: obsws rtt of the vendor GetStatus in the background (obs-websocket thread and
# the plugin's locks); faults_rtt_wait prints its "rtt_ms min=… p50=… p99=… max=…" line into FAULTS_RTT.
faults_rtt_start() {
	"$OBSWS" --port "$OBS_PORT" --timeout 60 rtt --vendor "$E2E_VENDOR" --request GetStatus --count "$1" \
		--interval-ms "$2" >"$E2E_TMP/rtt.out" 2>"$E2E_TMP/rtt.err" &
	FAULTS_RTT_PID=$!
	e2e_track_pid "$FAULTS_RTT_PID"
}
faults_rtt_wait() {
	wait "$FAULTS_RTT_PID" || e2e_fail "obsws rtt GetStatus failed: $(cat "$E2E_TMP/rtt.err")"
	e2e_untrack_pid "$FAULTS_RTT_PID"
	FAULTS_RTT=$(grep rtt_ms "$E2E_TMP/rtt.out")
	FAULTS_RTT_MAX=$(sed -n 's/.* max=\([0-9]*\).*/\1/p' <<<"$FAULTS_RTT")
	[ -n "$FAULTS_RTT_MAX" ] || e2e_fail "no rtt from obsws: $(cat "$E2E_TMP/rtt.out")"
}

# faults_collect_secrets: FAULTS_SECRETS = every token the emulator issued, the client secret, the stream key, the
# SRT stream id and passphrase and every event stream key (the emulator's actual values).
faults_collect_secrets() {
	FAULTS_SECRETS=$({
		emu_get tokens | jq -r '.all[] | .accessToken, .refreshToken'
		emu_get state | jq -r '.clientSecret, .streamKey, (.events[]? | .streamKey? // empty)'
		emu_get state | jq -r '.srtUrl // empty' | tr '?&' '\n\n' | sed -n 's/^\(streamid\|passphrase\)=//p'
	} | grep -v '^null$' | grep -E '.{12,}' | sort -u)
	[ -n "$FAULTS_SECRETS" ] || e2e_fail "no secrets collected from the emulator"
}

# faults_assert_no_secrets WHAT FILE_OR_DIR...: none of FAULTS_SECRETS occurs in the files.
faults_assert_no_secrets() {
	local what=$1 n
	shift
	faults_collect_secrets
	secrets_grep "$what" "$FAULTS_SECRETS" "$@" # lib-auth.sh
	n=$(grep -c . <<<"$FAULTS_SECRETS")
	e2e_log "no secrets ($n values) in $what"
}

# faults_assert_survived: after a restart of OBS: still signed in as the same user, the chat settings file keeps
# the user's values, OBS's stream service is still the one that one-click setup made.
faults_assert_survived() {
	e2e_wait_signed_in 20
	assert_json_eq "$(obs_vendor GetStatus)" .user.username "$FAULTS_USER"
	local f="$HOME/.config/obs-studio/plugin_config/restream-for-obs/chat.json"
	[ -f "$f" ] || e2e_fail "the chat settings file is gone"
	assert_json_eq "$(cat "$f")" .history 321
	assert_json_eq "$(cat "$f")" .keywords faults-keyword
	assert_eq "$(faults_obs_server)" "$FAULTS_SERVER" "OBS's stream service after the faults"
	e2e_log "sign-in, chat settings and stream settings survived"
}

# faults_assert_alive: OBS runs and answers obs-websocket and the plugin's GetStatus within 1 s each.
faults_assert_alive() {
	kill -0 "$OBS_PID" 2>/dev/null || e2e_fail "OBS is gone (crashed?)"
	local r
	r=$(faults_timed_vendor GetStatus)
	assert_le "${r%% *}" 1000 "GetStatus round trip (ms) ($1)"
	obsws call GetSceneList >/dev/null || e2e_fail "OBS does not answer GetSceneList ($1)"
}
