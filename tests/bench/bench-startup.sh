#!/usr/bin/env bash
# bench-startup.sh [--quick] [--runs N]: OBS start-to-ready time with and without the plugin installed.
# "Ready" = obs-websocket answers GetVersion; the clock starts when the obs process is exec'd (Xvfb already
# up). Each configuration has its own throw-away HOME and one uncounted warm-up start (first-run files);
# then the configurations alternate, N runs each (default 7, --quick 3). Also reports the time OBS needs
# to quit on SIGINT, and the time OBS's profiler reports for the plugin's obs_module_load. Prints a table and "BENCH <key> <value> <unit>" lines for run-all.sh.
# The headline is the ratio of the median start-to-ready times. Because the machine is shared and its
# load swings, it also prints two figures that follow the load less: the median of the per-pair ratios (each
# "with" run against the "without" run just before it) and the CPU time (user + system, all threads) the OBS
# process used from exec to ready, with the part of the plugin's own threads (rfo-*). Every run's OBS log is kept
# in the artifacts (logs/<config>-<run>.txt).
# Needs RFO_BUILD_DIR (the build directory, module and obsws built); uses tests/e2e/lib.sh.
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
runs=7
while (($#)); do
	case "$1" in
	--quick) runs=3 ;;
	--runs)
		runs=$2
		shift
		;;
	*)
		echo "usage: bench-startup.sh [--quick] [--runs N]" >&2
		exit 2
		;;
	esac
	shift
done
e2e_init bench-startup

median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : int((v[NR/2]+v[NR/2+1])/2)}'; }
minmax() { printf '%s\n' "$@" | sort -n | awk 'NR==1{lo=$1} {hi=$1} END {print lo " " hi}'; }

declare -A ready=() quit=() med=() cpu=() cmed=()
rfo_cpu=
init_ms=
configs=(without with)
for cfg in "${configs[@]}"; do
	e2e_use_home "$E2E_TMP/home-$cfg"
	obs_write_global_ini
	[ "$cfg" = with ] && obs_install_plugin
	obs_start
	obs_wait_ready 60 # warm-up: OBS creates its profile and scene collection
	obs_stop 10000 >/dev/null
done

for ((i = 1; i <= runs; i++)); do
	for cfg in "${configs[@]}"; do
		e2e_use_home "$E2E_TMP/home-$cfg"
		# a fresh obs-websocket port for every start: on a shared machine another process may take the last one
		OBS_PORT=$(free_port)
		sed -i "s/^ServerPort=.*/ServerPort=$OBS_PORT/" "$HOME/.config/obs-studio/"{global,user}.ini
		export OBSWS_PORT=$OBS_PORT
		obs_start
		obs_wait_ready 60
		ready[$cfg]+="$OBS_READY_MS "
		# CPU time (user+system, all threads) the OBS process used from exec to ready: less sensitive to
		# the machine's load than wall time (read a few ms after the answer; clock ticks -> ms)
		read -r -a st <"/proc/$OBS_PID/stat"
		cpu[$cfg]+="$(((st[13] + st[14]) * 1000 / $(getconf CLK_TCK))) "
		if [ "$cfg" = with ]; then # of which the plugin's own threads (rfo-*: sockets, http, auth)
			t=0
			for task in /proc/"$OBS_PID"/task/*; do
				[[ "$(cat "$task/comm" 2>/dev/null)" == rfo-* ]] || continue
				read -r -a tst <"$task/stat" && t=$((t + tst[13] + tst[14]))
			done
			rfo_cpu+="$((t * 1000 / $(getconf CLK_TCK))) "
		fi
		obs_stop 10000 >/dev/null
		mkdir -p "$E2E_ART/logs" && cp "$(obs_log_path)" "$E2E_ART/logs/$cfg-$i.txt"
		quit[$cfg]+="$OBS_EXIT_MS "
		if [ "$cfg" = with ]; then # OBS's own profiler: time spent in the plugin's obs_module_load
			init=$(sed -n 's/.*obs_init_module(restream-for-obs\.so): \([0-9.]*\).*/\1/p' "$(obs_log_path)")
			[ -n "$init" ] || e2e_fail "no obs_init_module(restream-for-obs.so) time in the OBS log"
			init_ms+="$init "
		fi
	done
done

# the plugin must have been loaded in the "with" runs, and not in the others
grep -q '\[restream-for-obs\] loaded' "$E2E_TMP/home-with/.config/obs-studio/logs/"*.txt ||
	e2e_fail "the plugin was not loaded in the 'with' runs"
! grep -q '\[restream-for-obs\]' "$E2E_TMP/home-without/.config/obs-studio/logs/"*.txt ||
	e2e_fail "the plugin was loaded in the 'without' runs"

printf '\nOBS 29.0.2 start-to-ready (exec -> GetVersion answered) and SIGINT-to-exit, %d runs each, %s cores\n' \
	"$runs" "$(nproc)"
printf '%-16s %10s %8s %8s %12s %10s %12s\n' config ready_p50 min max quit_p50 quit_max cpu_to_ready
for cfg in "${configs[@]}"; do
	# shellcheck disable=SC2086
	{
		r_med=$(median ${ready[$cfg]})
		read -r r_min r_max < <(minmax ${ready[$cfg]})
		q_med=$(median ${quit[$cfg]})
		read -r _ q_max < <(minmax ${quit[$cfg]})
		c_med=$(median ${cpu[$cfg]})
	}
	printf '%-16s %8s ms %5s ms %5s ms %9s ms %7s ms %9s ms\n' "$cfg plugin" "$r_med" "$r_min" "$r_max" "$q_med" \
		"$q_max" "$c_med"
	echo "BENCH startup_cpu_ms_$cfg $c_med ms" >>"$E2E_TMP/bench.lines"
	cmed[$cfg]=$c_med
	echo "BENCH startup_ready_ms_$cfg $r_med ms" >>"$E2E_TMP/bench.lines"
	echo "BENCH quit_ms_$cfg $q_med ms" >>"$E2E_TMP/bench.lines"
	med[$cfg]=$r_med
done
ratio=$(awk -v a="${med[with]}" -v b="${med[without]}" 'BEGIN {printf "%.2f", a / b}')
printf 'ratio with/without (median ready): %s\n' "$ratio"
cratio=$(awk -v a="${cmed[with]}" -v b="${cmed[without]}" 'BEGIN {printf "%.3f", a / b}')
# the runs alternate (without, with): each pair ran under nearly the same load, so the median of the pairs'
# ratios follows the machine's load drift less than the ratio of the medians (shown beside, not the headline)
read -r -a rw <<<"${ready[without]}"
read -r -a rp <<<"${ready[with]}"
pair_ratios=$(for ((k = 0; k < ${#rw[@]}; k++)); do awk -v a="${rp[k]}" -v b="${rw[k]}" 'BEGIN {printf "%.3f\n", a / b}'; done)
pratio=$(sort -g <<<"$pair_ratios" | awk '{v[NR]=$1} END {printf "%.3f", (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}')
printf 'median of the per-pair ratios (with/without, run by run): %s\n' "$pratio"
echo "BENCH startup_pair_ratio_with_without $pratio x" >>"$E2E_TMP/bench.lines"
# shellcheck disable=SC2086
printf "the plugin's own threads (rfo-*), CPU time until ready, median: %s ms (all: %s)\n" "$(median $rfo_cpu)" "$rfo_cpu"
printf 'ratio with/without (median CPU time of the OBS process, exec -> ready): %s\n' "$cratio"
echo "BENCH startup_cpu_ratio_with_without $cratio x" >>"$E2E_TMP/bench.lines"
# shellcheck disable=SC2086
init_med=$(printf '%s\n' $init_ms | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}')
printf 'plugin obs_module_load (OBS profiler), median: %s ms (all: %s)\n' "$init_med" "$init_ms"
echo "BENCH plugin_module_load_ms $init_med ms" >>"$E2E_TMP/bench.lines"
echo "BENCH startup_ratio_with_without $ratio x" >>"$E2E_TMP/bench.lines"
echo "raw ready ms: without: ${ready[without]}| with: ${ready[with]}" >&2
echo "raw CPU ms:   without: ${cpu[without]}| with: ${cpu[with]}" >&2
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); OBS logs of every run: $E2E_ART/logs" >&2
cat "$E2E_TMP/bench.lines"
e2e_pass
