#!/usr/bin/env bash
# bench-overlays.sh [--quick] [--runs N]: what an on-stream chat overlay costs OBS, the plugin's "Restream Chat"
# source against OBS's own Text (FreeType 2) source in chat-log mode, on a 1920x1080 canvas at 30 fps drawn by
# llvmpipe (software OpenGL, as under Xvfb). One OBS at a time; each OBS lifetime is one configuration in one phase:
#   (a) an empty scene, (b) a Text (FreeType 2) source (`text_ft2_source_v2`: from_file, log_mode, 15 lines) reading
#   a file the bench appends the chat's lines to, (c) a `restream_chat_source`;
#   phases: idle (no messages: the chat source's content never changes), 20 msg/s, and a 2,000 msg/s flood.
# Every lifetime is the same apart from its scene: the plugin installed and signed in to the emulator with the chat
# socket connected, and in the message phases the emulator sends the messages (`/_emu/chat/flood`) AND the bench
# appends the same lines ("KappaKing: flood message #N") to the text file at the same rate, whichever source (if
# any) shows them. So the differences to (a) are the sources' own costs.
# Per lifetime: OBS starts (1080p30 profile, scene collection restored from a snapshot), signs in; VmRSS before the
# source is created (CreateInput) and at the end of the window (idle phase: also after 15 messages, and after a
# second chat source is added, which tells one-time costs of the process from each source's own; in (a), then OBS's
# own Color Source as the scene's first source: on llvmpipe the first draw of any source compiles a shader and pages
# in libLLVM's code, about 20 MB of VmRSS that a colour rectangle pays as much as a chat); over the window
# (--quick 4 s, default 20 s, after 1 s of messages): utime+stime of the process (/proc/PID/stat), CPU per thread
# group (schedstat: the plugin's rfo-* threads, OBS's graphics thread, llvmpipe's threads, the UI thread), and the
# frames OBS rendered late (GetStats' renderSkippedFrames); after the quit, OBS's own profiler line for its graphics
# thread ("obs_graphics_thread(33.3333 ms): min=…, median=…, max=…") and tick_sources. The profiler covers the whole
# lifetime: its maximum is mostly one-off frames (the preview's first swaps at start-up, 120-470 ms; a source's
# creation, 120-260 ms, for both sources), so the late frames inside the window are printed beside it.
# The configurations alternate inside each phase (their order rotates from run to run); --runs N repeats the whole
# set (default 2, --quick 1: about 2.5 minutes in all) and reports medians of the per-run figures. Each run's OBS
# log is kept in the artifacts (logs/<phase>-<config>-<run>.txt).
# Budgets (issue: on-stream overlays without a browser): (c)'s added process CPU ≤ (b)'s; graphics-thread median ≤
# (a)'s + 0.5 ms; its maximum ≤ (a)'s + 5 ms; VmRSS ≤ +20 MB per source, judged beyond the renderer's first draw (the
# Color Source's growth; the growth against the empty scene is printed beside it); unchanged content < 0.1 % of a core, judged
# on what is attributable to the source (the plugin's rfo-* threads' extra CPU + the extra tick_sources time per
# frame × 30), because two OBS processes differ by more than that for nothing (the whole-process figure is shown).
# Prints a table and "BENCH <key> <value> <unit>" lines for run-all.sh.
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib-chat.sh"
runs=2 window_s=20 settle_s=2 window2_s=10 only_phases=()
while (($#)); do
	case "$1" in
	--quick) runs=1 window_s=4 settle_s=0.5 window2_s=2 ;;
	--runs)
		runs=$2
		shift
		;;
	--phase) # only these phases (repeatable): idle, rate20, flood
		only_phases+=("$2")
		shift
		;;
	*)
		echo "usage: bench-overlays.sh [--quick] [--runs N] [--phase idle|rate20|flood]..." >&2
		exit 2
		;;
	esac
	shift
done
e2e_init bench-overlays
FPS=30
CHAT_KIND=restream_chat_source
LINES=15
# both sources show the last 15 lines in 32-px DejaVu Sans, white, no outline, no shadow, no background; the chat
# source in a 720x600 box (the text source sizes itself to its text: 15 lines of ~30 characters, about as large),
# with its defaults otherwise (platform icons, coloured names)
CHAT_SETTINGS=$(jq -nc --argjson n "$LINES" '{max_lines: $n, font: {face: "DejaVu Sans", size: 32, style: "Book",
	flags: 0}, outline: false, shadow: false, bg_opacity: 0, width: 720, height: 600}')
TEXT_FILE="$E2E_TMP/chat-lines.txt"
TEXT_SETTINGS=$(jq -nc --arg f "$TEXT_FILE" --argjson n "$LINES" '{from_file: true, log_mode: true, log_lines: $n,
	text_file: $f, font: {face: "DejaVu Sans", size: 32, style: "Book", flags: 0}, outline: false,
	drop_shadow: false, word_wrap: false}')
# phase config run cpu_pct rss_added_kb gt_median gt_max gt_p99 tick_median rfo_us gfx_us llvm_us ui_us late_frames
# rss_with_messages_kb rss_second_source_kb, and with 15 lines shown: cpu_pct llvm_us rfo_us (idle phase only)
RESULTS="$E2E_TMP/results"
: >"$RESULTS"
bench() { echo "BENCH $*" >>"$E2E_TMP/bench.lines"; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# anon_kb: RssAnon of the OBS process (what it allocated; VmRSS also counts the pages of files it maps, such as the
# code of libLLVM that llvmpipe pages in the first time it compiles a shader)
anon_kb() { awk '/^RssAnon:/ {print $2}' "/proc/$OBS_PID/status"; }

# thread_groups PID: "rfo gfx llvm ui" CPU time in µs (schedstat) of the plugin's rfo-* threads, OBS's graphics
# thread, llvmpipe's rasterizer threads and the UI (main) thread
thread_groups() {
	local t c ns rfo=0 gfx=0 llvm=0 ui=0
	for t in /proc/"$1"/task/*; do
		c=$(cat "$t/comm" 2>/dev/null) || continue
		read -r ns _ <"$t/schedstat" 2>/dev/null || continue
		ns=$((ns / 1000))
		case "$c" in
		rfo-*) rfo=$((rfo + ns)) ;;
		"libobs: graphic"*) gfx=$((gfx + ns)) ;;
		llvmpipe*) llvm=$((llvm + ns)) ;;
		*) [ "${t##*/}" = "$1" ] && ui=$((ui + ns)) ;;
		esac
	done
	echo "$rfo $gfx $llvm $ui"
}

# render_skipped: frames OBS rendered too late so far (obs-websocket GetStats)
render_skipped() { obs_req GetStats | jq '.renderSkippedFrames'; }

# append_lines FILE RATE SECONDS: append "KappaKing: flood message #N" lines at RATE a second (the emulator's
# schedule: line N is due (N-1)/RATE s after the start), in batches every 20 ms
append_lines() {
	local f=$1 rate=$2 total=$(($2 * $3)) sent=0 t0 now due k buf nap
	exec {nap}<> <(:) # read -t on a pipe nobody writes: a 20-ms sleep without a process per batch
	t0=${EPOCHREALTIME//[!0-9]/}
	while ((sent < total)); do
		now=${EPOCHREALTIME//[!0-9]/}
		due=$(((now - t0) * rate / 1000000 + 1))
		((due > total)) && due=$total
		if ((due > sent)); then
			buf=''
			for ((k = sent + 1; k <= due; k++)); do
				buf+="KappaKing: flood message #$k"$'\n'
			done
			printf '%s' "$buf" >>"$f"
			sent=$due
		fi
		read -r -t 0.02 -u "$nap" _ || true
	done
}

flood_done() { emu_ctl GET chat/flood | jq -e '.active == false' >/dev/null; }

# profiler LOG: "gt_median gt_max gt_p99 tick_median" (ms) from OBS's profiler results at exit
profiler() {
	awk '/== Profiler Results/ {on = 1} /== Profiler Time Between Calls/ {on = 0}
		function val(k,   m) { return match($0, k "=[0-9.e+-]+") ? substr($0, RSTART + length(k) + 1, RLENGTH - length(k) - 1) : "" }
		on && /obs_graphics_thread\(/ && !g { g = 1; med = val("median"); max = val("max"); p99 = val("99th percentile") }
		on && g && /tick_sources:/ && !t { t = 1; tick = val("median") }
		END { if (!g) exit 1; printf "%s %s %s %s\n", med, max, p99, tick }' "$1"
}

emu_start

# Each frame of OBS's graphics thread inside the window, timed by uprobes on libobs' exported profile_start and
# profile_end (the scope "obs_graphics_thread(…)" is one frame's work): OBS's profiler at exit has only the lifetime's
# longest frame, which start-up and a source's creation (llvmpipe compiling) decide. Every configuration pays the
# probes alike (about 2 µs a scope). Without perf or uprobes the window's longest frame is not measured.
LIBOBS=$(ldd "$(command -v obs)" 2>/dev/null | awk '/libobs\.so/ && !found {print $3; found = 1}') # no early exit: ldd would die of SIGPIPE
frame_probe=''
frame_probe_setup() {
	local a b
	command -v perf >/dev/null && [ -n "$LIBOBS" ] || return 0
	a=$(nm -D --defined-only "$LIBOBS" | awk '$3 == "profile_start" {print $1}')
	b=$(nm -D --defined-only "$LIBOBS" | awk '$3 == "profile_end" {print $1}')
	[ -n "$a" ] && [ -n "$b" ] || return 0
	perf probe -q -d 'probe_libobs:rfo_frame_*' >/dev/null 2>&1 || true
	perf probe -q -x "$LIBOBS" -a "rfo_frame_start=0x$a name=+0(%di):ustring" >/dev/null 2>&1 &&
		perf probe -q -x "$LIBOBS" -a "rfo_frame_end=0x$b name=+0(%di):ustring" >/dev/null 2>&1 && frame_probe=1
	return 0
}
frame_probe_setup
e2e_log "frames in the window timed by uprobes: ${frame_probe:-no (perf or uprobes missing)}"
# frame_longest DATA: the longest frame (ms) of the graphics thread in a record of the probes, and how many frames
frame_longest() {
	perf script -i "$1" -F tid,time,event,trace 2>/dev/null | awk '
		/obs_graphics_thread\(/ {
			t = $2; sub(/:$/, "", t)
			if ($3 ~ /rfo_frame_start/) s[$1] = t
			else if (s[$1] != "") { d = (t - s[$1]) * 1000; if (d > m) m = d; n++; s[$1] = "" }
		}
		END { if (n) printf "%.2f %d\n", m, n; else print "- 0" }'
}

# --- the profile: a 1920x1080 canvas at 30 fps (written before obs_write_global_ini, which keeps an existing one)
profile="$HOME/.config/obs-studio/basic/profiles/Untitled"
mkdir -p "$profile"
printf '[General]\nName=Untitled\n\n[Video]\nBaseCX=1920\nBaseCY=1080\nOutputCX=1920\nOutputCY=1080\nFPSType=0\nFPSCommon=%s\n' \
	"$FPS" >"$profile/basic.ini"
obs_install_plugin
obs_write_global_ini

# --- warm-up: OBS writes its scene collection; what it has is then the starting point of every lifetime
obs_start
obs_wait_ready 60
video=$(obs_req GetVideoSettings)
assert_json "$video" '.baseWidth == 1920 and .baseHeight == 1080 and .outputWidth == 1920 and
	(.fpsNumerator / .fpsDenominator) == 30' "a 1920x1080 canvas at 30 fps"
SCENE=$(obs_req GetCurrentProgramScene | jq -r '.currentProgramSceneName // .sceneName')
have_chat=''
obs_req GetInputKindList | jq -e --arg k "$CHAT_KIND" '.inputKinds | index($k)' >/dev/null && have_chat=1
obs_stop 15000 >/dev/null
SNAP="$E2E_TMP/config-snapshot"
cp -a "$HOME/.config/obs-studio" "$SNAP"
rm -rf "$SNAP/logs" "$SNAP/profiler_data" "$SNAP/crashes"

configs=(a b)
[ -n "$have_chat" ] && configs+=(c)
declare -A cfg_name=([a]="(a) empty scene" [b]="(b) Text (FreeType 2)" [c]="(c) Restream Chat")

# lifetime PHASE CONFIG RUN: one OBS from start to quit (see the top of the file); appends a line to $RESULTS
lifetime() {
	local phase=$1 cfg=$2 run=$3 rate=0 rss0 rss1 c0 c1 g0 g1 s0 s1 t0 t1 app='' prof log
	case "$phase" in
	rate20) rate=20 ;;
	flood) rate=2000 ;;
	esac
	rm -rf "$HOME/.config/obs-studio"
	cp -a "$SNAP" "$HOME/.config/obs-studio"
	# a fresh obs-websocket port for every start: on a shared machine another process may take the last one
	OBS_PORT=$(free_port)
	sed -i "s/^ServerPort=.*/ServerPort=$OBS_PORT/" "$HOME/.config/obs-studio/"{global,user}.ini
	export OBSWS_PORT=$OBS_PORT
	: >"$TEXT_FILE"
	obs_start
	obs_wait_ready 60
	e2e_sign_in 30
	chat_wait_link connected 20
	sleep "$settle_s"
	rss0=$(obs_rss_kb) anon0=$(anon_kb)
	case "$cfg" in
	b) obs_req CreateInput "$(jq -nc --arg s "$SCENE" --argjson v "$TEXT_SETTINGS" \
		'{sceneName: $s, inputName: "bench text", inputKind: "text_ft2_source_v2", inputSettings: $v}')" >/dev/null ;;
	c) obs_req CreateInput "$(jq -nc --arg s "$SCENE" --arg k "$CHAT_KIND" --argjson v "$CHAT_SETTINGS" \
		'{sceneName: $s, inputName: "bench chat", inputKind: $k, inputSettings: $v}')" >/dev/null ;;
	esac
	sleep "$settle_s"
	if ((rate > 0)); then
		r=$(emu_ctl POST chat/flood "{\"rate\":$rate,\"seconds\":$((window_s + 2))}")
		jq -e '.ok' >/dev/null <<<"$r" || e2e_fail "flood refused: $r"
		append_lines "$TEXT_FILE" "$rate" $((window_s + 2)) &
		app=$!
		e2e_track_pid "$app"
		sleep 1
	fi
	s0=$(render_skipped)
	local frames="$E2E_TMP/frames.data" fpid='' longest='- 0'
	if [ -n "$frame_probe" ]; then
		perf record -q -e probe_libobs:rfo_frame_start -e probe_libobs:rfo_frame_end -p "$OBS_PID" -o "$frames" \
			-- sleep "$window_s" >/dev/null 2>&1 &
		fpid=$!
	fi
	c0=$(cpu_ticks "$OBS_PID") g0=$(thread_groups "$OBS_PID") t0=$(now_ms)
	sleep "$window_s"
	c1=$(cpu_ticks "$OBS_PID") g1=$(thread_groups "$OBS_PID") t1=$(now_ms)
	if [ -n "$fpid" ]; then
		wait "$fpid" || true
		longest=$(frame_longest "$frames")
		rm -f "$frames"
	fi
	s1=$(render_skipped)
	rss1=$(obs_rss_kb) anon1=$(anon_kb)
	# idle phase, after its window: 15 messages; then a second window with them shown and unchanged (CPU, llvmpipe,
	# the plugin's threads); then (c) a second chat source with the same settings (a: the same wait), to tell what
	# each further source adds from what the first one's arrival costs the process once
	local rss_msgs=0 rss_second=0 lines='- - -' h0 h1 q0 q1 u0 u1 anon_msgs=0 rss_color=-
	if [ "$phase" = idle ]; then
		r=$(emu_ctl POST chat/flood '{"rate":15,"seconds":1}')
		jq -e '.ok' >/dev/null <<<"$r" || e2e_fail "flood refused: $r"
		sleep 1.5
		q0=$(cpu_ticks "$OBS_PID") h0=$(thread_groups "$OBS_PID") u0=$(now_ms)
		sleep "$window2_s"
		q1=$(cpu_ticks "$OBS_PID") h1=$(thread_groups "$OBS_PID") u1=$(now_ms)
		read -r -a ha <<<"$h0"
		read -r -a hb <<<"$h1"
		lines="$(awk -v t=$((q1 - q0)) -v hz="$(getconf CLK_TCK)" -v ms=$((u1 - u0)) \
			'BEGIN {printf "%.2f", 100 * t / hz / (ms / 1000)}') $(((hb[2] - ha[2]) * 1000 / (u1 - u0)))"
		lines+=" $(((hb[0] - ha[0]) * 1000 / (u1 - u0)))"
		rss_msgs=$(obs_rss_kb) anon_msgs=$(($(anon_kb) - anon0))
		if [ "$cfg" = c ]; then
			obs_req CreateInput "$(jq -nc --arg s "$SCENE" --arg k "$CHAT_KIND" --argjson v "$CHAT_SETTINGS" \
				'{sceneName: $s, inputName: "bench chat 2", inputKind: $k, inputSettings: $v}')" >/dev/null
		fi
		sleep 1.5
		rss_second=$(($(obs_rss_kb) - rss_msgs))
		rss_msgs=$((rss_msgs - rss0))
		# (a): OBS's own Color Source, 720x600, as the scene's first source: what the renderer's first draw of any
		# source costs the process (llvmpipe compiles the draw and pages in libLLVM's code), for comparison
		if [ "$cfg" = a ]; then
			local before
			before=$(obs_rss_kb)
			obs_req CreateInput "$(jq -nc --arg s "$SCENE" '{sceneName: $s, inputName: "bench color",
				inputKind: "color_source_v3", inputSettings: {width: 720, height: 600, color: 4294967295}}')" >/dev/null
			sleep 1.5
			rss_color=$(($(obs_rss_kb) - before))
		fi
	fi
	if [ -n "$app" ]; then
		wait "$app" || true
		e2e_untrack_pid "$app"
		[ "$(wc -l <"$TEXT_FILE")" = $((rate * (window_s + 2))) ] || e2e_fail "the text file got $(wc -l <"$TEXT_FILE") lines"
		wait_until 10 flood_done || e2e_fail "the emulator's flood did not end: $(emu_ctl GET chat/flood)"
	fi
	obs_stop 15000 >/dev/null
	log="$E2E_ART/logs/$phase-$cfg-$run.txt"
	mkdir -p "$E2E_ART/logs"
	cp "$(obs_log_path)" "$log"
	prof=$(profiler "$log") || e2e_fail "no obs_graphics_thread profiler line in $log"
	read -r -a ga <<<"$g0"
	read -r -a gb <<<"$g1"
	echo "$phase $cfg $run $(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v ms=$((t1 - t0)) \
		'BEGIN {printf "%.2f", 100 * t / hz / (ms / 1000)}') $((rss1 - rss0)) $prof" \
		"$(((gb[0] - ga[0]) * 1000 / (t1 - t0))) $(((gb[1] - ga[1]) * 1000 / (t1 - t0)))" \
		"$(((gb[2] - ga[2]) * 1000 / (t1 - t0))) $(((gb[3] - ga[3]) * 1000 / (t1 - t0))) $((s1 - s0))" \
		"$rss_msgs $rss_second $lines $((anon1 - anon0)) $anon_msgs $longest $rss_color" >>"$RESULTS"
	e2e_log "$phase $cfg run $run: $(tail -n 1 "$RESULTS") (load $(loadavg))"
}

# the idle phase only compares the chat source's unchanged content with the empty scene
phases=(rate20 flood)
[ -n "$have_chat" ] && phases=(idle "${phases[@]}")
((${#only_phases[@]})) && phases=("${only_phases[@]}")
load_start=$(loadavg)
started=$SECONDS
for ((run = 1; run <= runs; run++)); do
	for phase in "${phases[@]}"; do
		order=("${configs[@]}")
		[ "$phase" = idle ] && order=(a c)
		# rotate the order from run to run, so that a drift in the machine's load does not favour one configuration
		n=${#order[@]}
		for ((k = 0; k < n; k++)); do
			lifetime "$phase" "${order[(k + run - 1) % n]}" "$run"
		done
	done
done
load_end=$(loadavg)

# --- figures: per run, each configuration against (a) of the same phase and run; medians over the runs
# field numbers in $RESULTS: 4 cpu_pct, 5 rss_added_kb, 6 gt_median, 7 gt_max, 8 gt_p99, 9 tick_median,
# 10 rfo µs/s, 11 gfx µs/s, 12 llvm µs/s, 13 ui µs/s, 14 late frames, 15 RSS growth with 15 messages shown,
# 16 RSS growth after a second chat source, 17-19 with 15 lines shown and unchanged: CPU %, llvmpipe µs/s,
# rfo µs/s (15-19: idle phase only), 20 RssAnon growth over the lifetime's window, 21 RssAnon growth with 15 messages
# shown (idle phase only), 22 the longest frame of OBS's graphics thread inside the window (ms; "-": not measured),
# 23 the frames timed, 24 (a), idle phase: VmRSS growth when OBS's own Color Source is added as the first source
# fig PHASE CONFIG FIELD [diff]: median over the runs of the field (with "diff": minus (a)'s in the same run)
fig() {
	awk -v p="$1" -v c="$2" -v f="$3" -v d="${4:-}" '
		$1 == p && $2 == "a" { a[$3] = $f }
		$1 == p && $2 == c { v[$3] = $f }
		END { n = 0; for (r in v) { x[++n] = (d == "diff" ? v[r] - a[r] : v[r]) }
			if (!n) exit
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
			m = (n % 2) ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
			printf "%.3f\n", m }' "$RESULTS"
}
fmt() { awk -v v="$1" -v d="${2:-2}" 'BEGIN { if (v == "") print "–"; else printf "%+." d "f\n", v }'; }
# win_max PHASE CONFIG [diff]: the median over the runs of the window's longest frame (field 22), "–" unmeasured
win_max() {
	awk -v p="$1" -v c="$2" -v d="${3:-}" '
		$1 == p && $2 == "a" { a[$3] = $22 }
		$1 == p && $2 == c && $22 != "-" && $22 != "" { v[$3] = $22 }
		END { n = 0; for (r in v) { if (d == "diff" && (a[r] == "-" || a[r] == "")) continue
				x[++n] = (d == "diff" ? v[r] - a[r] : v[r]) }
			if (!n) { print "–"; exit }
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
			printf "%.1f\n", (n % 2) ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2 }' "$RESULTS"
}

printf '\nOBS overlays: 1920x1080 at %d fps, llvmpipe, %s, window %d s, %d run(s) in %d s, load average %s -> %s\n' \
	"$FPS" "OBS $(dpkg-query -W -f '${Version}' obs-studio 2>/dev/null || echo '?')" "$window_s" "$runs" $((SECONDS - started)) "$load_start" "$load_end"
printf '%-6s %-22s %8s %8s %9s %8s %8s %9s %8s %9s %8s %8s %8s %8s %6s\n' phase config 'CPU %' '+vs (a)' 'gfx med' \
	'+vs (a)' 'gfx max' '+vs (a)' 'gfx p99' 'tick med' 'rfo %' 'RSS +MB' 'anon +MB' 'win max' late
for phase in idle rate20 flood; do
	for cfg in "${configs[@]}"; do
		[ -n "$(fig "$phase" "$cfg" 4)" ] || continue
		printf '%-6s %-22s %8.2f %8s %9.3f %8s %8.1f %9s %8.1f %9.3f %8.3f %8s %8s %8s %6.0f\n' "$phase" "${cfg_name[$cfg]}" \
			"$(fig "$phase" "$cfg" 4)" "$(fmt "$(fig "$phase" "$cfg" 4 diff)")" "$(fig "$phase" "$cfg" 6)" \
			"$(fmt "$(fig "$phase" "$cfg" 6 diff)" 3)" "$(fig "$phase" "$cfg" 7)" "$(fmt "$(fig "$phase" "$cfg" 7 diff)" 1)" \
			"$(fig "$phase" "$cfg" 8)" "$(fig "$phase" "$cfg" 9)" "$(awk -v u="$(fig "$phase" "$cfg" 10)" 'BEGIN {printf "%.3f", u / 10000}')" \
			"$(fmt "$(awk -v k="$(fig "$phase" "$cfg" 5 diff)" 'BEGIN {printf "%.1f", k / 1024}')" 1)" \
			"$(fmt "$(awk -v k="$(fig "$phase" "$cfg" 20 diff)" 'BEGIN {printf "%.1f", k / 1024}')" 1)" \
			"$(win_max "$phase" "$cfg")" "$(fig "$phase" "$cfg" 14)"
	done
done
echo "(CPU %: the whole OBS process, % of one core over the window; gfx: OBS's profiler for its graphics thread over"
echo " the whole lifetime, ms per frame; tick med: tick_sources median, ms; rfo %: the plugin's threads; RSS +MB: VmRSS"
echo " growth from before the source was created to the end of the window, minus (a)'s; anon +MB: the same of RssAnon"
echo " (VmRSS without the pages of mapped files); win max: the graphics thread's longest frame inside the window, ms"
echo " (uprobes); late: frames rendered late in the window. Every figure is the median of the runs; '+vs (a)' is the"
echo " median of the per-run differences.)"
echo "CPU by thread group, % of one core (graphics thread / llvmpipe / UI thread), median of the runs:"
for phase in idle rate20 flood; do
	for cfg in "${configs[@]}"; do
		[ -n "$(fig "$phase" "$cfg" 4)" ] || continue
		printf '  %-6s %-22s %7.2f %7.2f %7.2f\n' "$phase" "${cfg_name[$cfg]}" \
			"$(awk -v u="$(fig "$phase" "$cfg" 11)" 'BEGIN {print u / 10000}')" \
			"$(awk -v u="$(fig "$phase" "$cfg" 12)" 'BEGIN {print u / 10000}')" \
			"$(awk -v u="$(fig "$phase" "$cfg" 13)" 'BEGIN {print u / 10000}')"
	done
done

keys() { # PHASE LABEL CONFIG NAME: the BENCH lines of one configuration in one message phase
	bench "overlay_${4}_${2}_cpu_pct" "$(fig "$1" "$3" 4)" %
	bench "overlay_${4}_${2}_cpu_added_pct" "$(fig "$1" "$3" 4 diff)" %
	bench "overlay_${4}_${2}_gfx_median_added_ms" "$(fig "$1" "$3" 6 diff)" ms
	bench "overlay_${4}_${2}_gfx_max_added_ms" "$(fig "$1" "$3" 7 diff)" ms
	local wm
	wm=$(win_max "$1" "$3" diff)
	if [ "$wm" = – ]; then
		bench "overlay_${4}_${2}_window_max_added_ms" # not measured: run-all.sh shows the budget as missing
	else
		bench "overlay_${4}_${2}_window_max_added_ms" "$wm" ms
	fi
	bench "overlay_${4}_${2}_late_frames_added" "$(fig "$1" "$3" 14 diff)" frames
	bench "overlay_${4}_${2}_rss_added_mb" "$(awk -v k="$(fig "$1" "$3" 5 diff)" 'BEGIN {printf "%.1f", k / 1024}')" MB
	bench "overlay_${4}_${2}_anon_added_mb" "$(awk -v k="$(fig "$1" "$3" 20 diff)" 'BEGIN {printf "%.1f", k / 1024}')" MB
}
for phase in rate20 flood; do
	label=${phase/rate20/20}
	bench "overlay_empty_${label}_cpu_pct" "$(fig "$phase" a 4)" %
	bench "overlay_empty_${label}_gfx_median_ms" "$(fig "$phase" a 6)" ms
	bench "overlay_empty_${label}_gfx_max_ms" "$(fig "$phase" a 7)" ms
	keys "$phase" "$label" b text
	[ -n "$have_chat" ] || continue
	keys "$phase" "$label" c chat
	# (c)'s added CPU minus (b)'s, per run, median
	bench "overlay_chat_minus_text_${label}_cpu_pct" "$(awk -v p="$phase" '$1 == p { v[$2, $3] = $4; r[$3] = 1 }
		END { n = 0; for (k in r) x[++n] = v["c", k] - v["b", k]
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
			printf "%.2f", (n % 2) ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2 }' "$RESULTS")" %
done
if [ -n "$have_chat" ]; then
	# unchanged content: the chat source with no messages against the empty scene
	rfo=$(fig idle c 10 diff) tick=$(fig idle c 9 diff)
	bench overlay_unchanged_process_added_pct "$(fig idle c 4 diff)" %
	bench overlay_unchanged_rfo_threads_added_pct "$(awk -v u="$rfo" 'BEGIN {printf "%.3f", u / 10000}')" %
	bench overlay_unchanged_tick_added_ms "$tick" ms
	bench overlay_unchanged_gfx_median_added_ms "$(fig idle c 6 diff)" ms
	bench overlay_unchanged_added_pct "$(awk -v u="$rfo" -v t="$tick" -v fps="$FPS" \
		'BEGIN {printf "%.3f", u / 10000 + (t > 0 ? t * fps / 10 : 0)}')" %
	bench overlay_chat_rss_added_mb "$(for p in idle rate20 flood; do fig "$p" c 5 diff; done |
		awk 'NR == 1 || $1 > m {m = $1} END {printf "%.1f", m / 1024}')" MB
	first=$(fig idle c 15 diff) second=$(fig idle c 16 diff) first_anon=$(fig idle c 21 diff)
	[ -n "$first" ] && printf 'VmRSS: the first chat source with 15 lines shown %+.1f MB against the empty scene (RssAnon %+.1f MB); a second one %+.1f MB\n' \
		"$(awk -v k="$first" 'BEGIN {print k / 1024}')" "$(awk -v k="$first_anon" 'BEGIN {print k / 1024}')" \
		"$(awk -v k="$second" 'BEGIN {print k / 1024}')"
	lp=$(fig idle c 17 diff) ll=$(fig idle c 18 diff) lr=$(fig idle c 19 diff)
	[ -n "$lp" ] && printf 'unchanged content with 15 lines shown (%d s): process %+.2f, llvmpipe %+.2f, the plugin'"'"'s threads %+.3f points of a core against the empty scene\n' \
		"$window2_s" "$lp" "$(awk -v u="$ll" 'BEGIN {print u / 10000}')" "$(awk -v u="$lr" 'BEGIN {print u / 10000}')"
	bench overlay_unchanged_lines_process_added_pct "$lp" %
	bench overlay_unchanged_lines_llvmpipe_added_pct "$(awk -v u="$ll" 'BEGIN {printf "%.2f", u / 10000}')" %
	bench overlay_unchanged_lines_rfo_threads_added_pct "$(awk -v u="$lr" 'BEGIN {printf "%.3f", u / 10000}')" %
	bench overlay_chat_rss_first_source_mb "$(awk -v k="$first" 'BEGIN {printf "%.1f", k / 1024}')" MB
	bench overlay_chat_anon_first_source_mb "$(awk -v k="$first_anon" 'BEGIN {printf "%.1f", k / 1024}')" MB
	bench overlay_chat_rss_second_source_mb "$(awk -v k="$second" 'BEGIN {printf "%.1f", k / 1024}')" MB
	# what a source costs beyond the renderer's first draw, which any source pays (OBS's own Color Source, in (a))
	color=$(fig idle a 24)
	if [ -n "$color" ] && [ -n "$first" ]; then
		printf 'VmRSS: OBS'"'"'s own Color Source (720x600) as the first source %+.1f MB (the renderer'"'"'s first draw of any source); beyond it: the first chat source %+.1f MB' \
			"$(awk -v k="$color" 'BEGIN {print k / 1024}')" "$(awk -v k="$first" -v c="$color" 'BEGIN {print (k - c) / 1024}')"
		bench overlay_color_source_rss_mb "$(awk -v k="$color" 'BEGIN {printf "%.1f", k / 1024}')" MB
		bench overlay_chat_rss_own_mb "$(awk -v k="$first" -v c="$color" 'BEGIN {printf "%.1f", (k - c) / 1024}')" MB
		for phase in rate20 flood; do
			label=${phase/rate20/20}
			for cfg in b c; do
				w=$(fig "$phase" "$cfg" 5 diff)
				[ -n "$w" ] || continue
				name=$([ "$cfg" = b ] && echo text || echo chat)
				printf ', %s %s window %+.1f MB' "$name" "$label" "$(awk -v k="$w" -v c="$color" 'BEGIN {print (k - c) / 1024}')"
				bench "overlay_${name}_${label}_rss_over_color_mb" "$(awk -v k="$w" -v c="$color" 'BEGIN {printf "%.1f", (k - c) / 1024}')" MB
			done
		done
		echo
	fi
else
	echo "(c) not measured: $CHAT_KIND not registered"
	for k in chat_minus_text_20_cpu_pct chat_minus_text_flood_cpu_pct chat_20_gfx_median_added_ms \
		chat_flood_gfx_median_added_ms chat_20_window_max_added_ms chat_flood_window_max_added_ms chat_rss_own_mb \
		chat_20_rss_over_color_mb chat_flood_rss_over_color_mb chat_rss_second_source_mb unchanged_added_pct; do
		bench "overlay_$k" # no value: run-all.sh shows the budget as missing
	done
fi
bench overlay_loadavg "$load_start" load
[ -n "$frame_probe" ] && perf probe -q -d 'probe_libobs:rfo_frame_*' >/dev/null 2>&1
cat "$E2E_TMP/bench.lines"
cp "$RESULTS" "$E2E_ART/results.txt"
e2e_pass
