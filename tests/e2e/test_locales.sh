#!/usr/bin/env bash
# e2e.locales: OBS started in German (de-DE) and then in Japanese (ja-JP) shows the dock in that language. OBS reads
# `Language=` from [General] (global.ini up to OBS 30, user.ini from 31: both are written); the plugin's
# OBS_MODULE_USE_DEFAULT_LOCALE then loads data/locale/<lang>.ini. Asserted on what the running plugin has, not on the
# files: the dock's tab titles and the sign-in button's and controls' accessible names as the dock logs them once
# its tabs are built (RFO_DOCK_TEXT_PROBE), and a vendor error sentence looked up by the plugin at run time. The
# signed-in Channels tab is kept as a screenshot for each language.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
e2e_init

export RFO_DOCK_TEXT_PROBE=1
export RFO_DOCK_TAB=channels

emu_start
obs_install_plugin
obs_write_global_ini

# set_language LANG: OBS's UI language, in the [General] section of both config files obs_write_global_ini writes
# (edited in place after the first run: OBS keeps its window and dock layout there).
set_language() {
	local f
	for f in "$HOME/.config/obs-studio/global.ini" "$HOME/.config/obs-studio/user.ini"; do
		if grep -q '^Language=' "$f"; then
			sed -i "s/^Language=.*/Language=$1/" "$f"
		else
			sed -i "/^\[General\]/a Language=$1" "$f"
		fi
	done
}

# probe_lines: this run's text probe lines (the log of the OBS started last).
probe_lines() {
	grep -E 'dock text probe: ' "$(obs_log_path)" | sed 's/.*dock text probe: //'
}

# run_in LANG SIGNIN TAB... -- SIGN_IN_BUTTON -- VENDOR_ERROR_START: start OBS in LANG, check the dock's texts.
run_in() {
	local lang=$1 signin=$2
	shift 2
	local tabs=()
	while [ "$1" != -- ]; do
		tabs+=("$1")
		shift
	done
	shift
	local button=$1 vendor_error=$3
	set_language "$lang"
	obs_start
	obs_wait_ready 30
	obs_log_wait 'dock text probe: tab 3: ' 20
	local lines
	lines=$(probe_lines)
	e2e_log "$lang: $(head -n 12 <<<"$lines" | tr '\n' '|')"
	local t
	for t in "${tabs[@]}"; do
		grep -qxE "tab [0-9]+: \"$t\"" <<<"$lines" || e2e_fail "$lang: no tab titled \"$t\" in the dock: $lines"
	done
	for t in "Go live" "Channels" "Stats"; do
		if grep -qxE "tab [0-9]+: \"$t\"" <<<"$lines"; then e2e_fail "$lang: an English tab title \"$t\""; fi
	done
	grep -qxF "QPushButton 'RestreamSignInButton': \"$button\"" <<<"$lines" ||
		e2e_fail "$lang: the sign-in button is not \"$button\": $(grep RestreamSignInButton <<<"$lines")"
	local named
	named=$(grep -cvE '^tab ' <<<"$lines")
	[ "$named" -ge 10 ] || e2e_fail "$lang: only $named controls with an accessible name"

	# a sentence the plugin looks up while running (the vendor request's refusal)
	local r
	r=$(obs_vendor SetChannelEnabled '{"id":"x"}')
	assert_json_eq "$r" .ok false
	assert_contains "$(jq -r .error <<<"$r")" "$vendor_error"

	if [ "$signin" = yes ]; then e2e_sign_in 30; else e2e_wait_signed_in 30; fi
	sleep 2 # the channel rows arrive and paint (their controls' names are checked by unit.ui_a11y)
	obs_screenshot "dock-$lang"
	obs_stop 3000
}

run_in de-DE yes "Live gehen" "Chat" "Kanäle" "Statistik" -- "Mit Restream anmelden" -- \
	"SetChannelEnabled braucht"
run_in ja-JP no "配信" "チャット" "チャンネル" "統計" -- "Restream でサインイン" -- \
	"SetChannelEnabled には"
e2e_pass
