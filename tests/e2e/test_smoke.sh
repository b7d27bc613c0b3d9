#!/usr/bin/env bash
# e2e.smoke: the plugin, installed by `cmake --install`, loads into real OBS, answers GetStatus over
# obs-websocket, adds its dock to the main window, and OBS quits cleanly on SIGINT (within 1 s, no leaks).
# e2e.smoke_no_websocket (--no-websocket): the same without obs-websocket — its module hidden from OBS when
# a private mount namespace is available, and in any case with its server disabled.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init

LOADED='\[restream-for-obs\] loaded \(version [^)]+\)'
MODULE='^[0-9:.]+:[[:space:]]+restream-for-obs\.so$' # OBS's "Loaded Modules:" list
DOCK='\[restream-for-obs\] dock added to main window: RestreamDock'
WS_SO=/usr/lib/x86_64-linux-gnu/obs-plugins/obs-websocket.so

obs_install_plugin

if [ "${1:-}" = --no-websocket ]; then
	obs_write_global_ini --ws-disabled
	if [ -f "$WS_SO" ] && unshare --mount --propagation private true 2>/dev/null; then
		# OBS then finds an empty file where obs-websocket.so was, fails to load it and goes on.
		OBS_PREFIX=(unshare --mount --propagation private sh -c 'mount --bind /dev/null "$0" && exec "$@"' "$WS_SO")
		hidden=1
	else
		e2e_log "NOTE: no private mount namespace here; obs-websocket stays loaded with its server disabled"
		hidden=0
	fi
	obs_start
	obs_log_wait "$DOCK" 30
	obs_log_wait "Switched to scene" 30 # OBS has finished loading its scene collection
	assert_log_contains "$LOADED" "plugin load line"
	assert_log_contains "$MODULE" "OBS's list of loaded modules"
	if [ "$hidden" = 1 ]; then
		assert_log_lacks '^[0-9:.]+:[[:space:]]+obs-websocket\.so$' "loaded modules (obs-websocket must be absent)"
		assert_log_lacks 'obs-websocket\] \[obs_module_load\] Module loaded' "OBS log (obs-websocket must be absent)"
	fi
	port_in_use "$OBS_PORT" && e2e_fail "something listens on the disabled websocket port $OBS_PORT"
	obs_screenshot no-websocket
	obs_stop 1000
	assert_no_leaks "leak count at shutdown"
	assert_log_lacks '\[restream-for-obs\].*(crash|Segmentation)' "OBS log"
	e2e_pass
	exit 0
fi

obs_write_global_ini
obs_start
obs_wait_ready 30

# (a) the module was loaded by OBS and said so
assert_log_contains "$LOADED" "plugin load line"
assert_log_contains "$MODULE" "OBS's list of loaded modules"
assert_log_lacks 'restream-for-obs.*(not loaded|[Ff]ailed to load)' "OBS log"

# (b) the vendor answers; nobody is signed in in a fresh HOME
status=$(obs_vendor GetStatus)
e2e_log "GetStatus: $status"
assert_json_eq "$status" .ok true
assert_json_eq "$status" .signedIn false
assert_json_eq "$status" .user null
# one version: GetStatus, the load line and the installed data/manifest.json all say CMake's project version
version=$(jq -r .version "$RFO_BUILD_DIR/data/manifest.json")
assert_json_eq "$status" .pluginVersion "$version"
assert_log_contains "restream-for-obs\] loaded \(version ${version//./\\.}\)" "version in the load line"
assert_eq "$(jq -r .version "$(obs_plugin_data_dir)/manifest.json")" "$version" "installed manifest version"

# (c) the dock exists in the main window
obs_log_wait "$DOCK" 15

# (d) what it looks like
obs_screenshot main-window

# (e) graceful quit: SIGINT, within 1000 ms, nothing leaked
obs_stop 1000
assert_no_leaks "leak count at shutdown"
e2e_pass
