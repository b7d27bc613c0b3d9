# shellcheck shell=bash
# lib-chat.sh — helpers for the chat end-to-end tests. Source after lib.sh and lib-signin.sh.

# emu_ctl METHOD ROUTE [JSON]: call the emulator's control interface (/_emu/ROUTE); print the reply.
emu_ctl() {
	local method=$1 route=$2 body=${3:-}
	if [ -n "$body" ]; then
		curl -sS --max-time 10 -X "$method" -H 'Content-Type: application/json' --data-binary "$body" \
			"$RESTREAM_API_URL/_emu/$route"
	else
		curl -sS --max-time 10 -X "$method" "$RESTREAM_API_URL/_emu/$route"
	fi
}

# chat_push JSON: push one chat frame (see /_emu/chat/push); fails when the emulator refuses it.
chat_push() {
	local r
	r=$(emu_ctl POST chat/push "$1") || e2e_fail "chat/push failed: $1"
	jq -e '.ok == true' >/dev/null <<<"$r" || e2e_fail "chat/push refused: $r (body $1)"
}

# chat_get [LIMIT]: GetChat's response (compact JSON).
chat_get() {
	if [ -n "${1:-}" ]; then
		obs_vendor GetChat "{\"limit\":$1}"
	else
		obs_vendor GetChat
	fi
}

chat_count_at_least() {
	local n
	n=$(chat_get "${2:-100}" | jq '.messages | length') || return 1
	((n >= $1))
}

# chat_wait_count N [TIMEOUT_S] [LIMIT]: wait until GetChat (with LIMIT, default 100) returns at least N messages.
chat_wait_count() {
	wait_until "${2:-15}" chat_count_at_least "$1" "${3:-100}" ||
		e2e_fail "GetChat did not reach $1 messages within ${2:-15}s: $(chat_get "${3:-100}" | head -c 2000)"
}

chat_link_is() {
	local s
	s=$(obs_vendor GetStatus 2>/dev/null) || return 1
	[ "$(jq -r .chat <<<"$s")" = "$1" ]
}

# chat_wait_link STATE [TIMEOUT_S]: wait until GetStatus' chat field is STATE.
chat_wait_link() {
	wait_until "${2:-15}" chat_link_is "$1" || e2e_fail "chat did not become $1 within ${2:-15}s: $(obs_vendor GetStatus)"
}

# chat_connects: how many chat sockets the emulator has accepted so far.
chat_connects() { emu_ctl GET sockets | jq '.chat.connectsTotal'; }

# chat_settings JSON: write the plugin's chat settings file before OBS starts (as a user's saved choice).
chat_settings() {
	local dir="$HOME/.config/obs-studio/plugin_config/restream-for-obs"
	mkdir -p "$dir"
	printf '%s\n' "$1" >"$dir/chat.json"
}

# obs_rss_kb: VmRSS of the OBS process in kB.
obs_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$OBS_PID/status"; }

# chat_start [EMULATOR ARGS...]: emulator, OBS with the plugin, signed in, chat socket connected.
chat_start() {
	emu_start "$@"
	obs_install_plugin
	obs_write_global_ini
	obs_start
	obs_wait_ready 30
	e2e_sign_in 30
	chat_wait_link connected 20
	e2e_log "chat connected"
}

# img_server_start: nginx serving $IMG_DIR over plain http on a free loopback port (an emote CDN stand-in; plain
# http is allowed for loopback only). Sets IMG_PORT, IMG_URL (http://127.0.0.1:PORT), IMG_DIR, IMG_LOG (access log).
img_server_start() {
	IMG_PORT=$(free_port)
	IMG_DIR="$E2E_TMP/img"
	IMG_URL="http://127.0.0.1:$IMG_PORT"
	IMG_LOG="$E2E_TMP/img-access.log"
	mkdir -p "$IMG_DIR/www"
	chmod 755 "$IMG_DIR" "$IMG_DIR/www"
	local user=''
	[ "$(id -u)" = 0 ] && user="user root;"
	cat >"$IMG_DIR/nginx.conf" <<-NGINX
		$user
		daemon off;
		worker_processes 1;
		pid $IMG_DIR/nginx.pid;
		error_log $IMG_DIR/error.log info;
		events { worker_connections 64; }
		http {
			types { image/png png; }
			default_type application/octet-stream;
			access_log $IMG_LOG;
			server {
				listen 127.0.0.1:$IMG_PORT;
				root $IMG_DIR/www;
			}
		}
	NGINX
	nginx -p "$IMG_DIR" -c "$IMG_DIR/nginx.conf" -e "$IMG_DIR/error.log" >"$IMG_DIR/stdout" 2>&1 &
	e2e_track_pid $!
	wait_until 10 port_in_use "$IMG_PORT" || e2e_fail "nginx (images) did not listen: $(tail -n 5 "$IMG_DIR/error.log")"
}

# png_pixels FILE COLOUR: how many pixels of FILE have exactly COLOUR (#RRGGBB).
png_pixels() {
	convert "$1" -alpha off -fill black +opaque "$2" -fill white -opaque "$2" -format '%[fx:round(mean*w*h)]' info:
}
