#!/usr/bin/env bash
# e2e.stats_ageout: the age-out and the keepalive: with the age-out shortened to 6 s
# (RFO_STATS_AGE_OUT_S) and pings every 2 s (RFO_STATS_PING_S): (a) the emulator goes live, then its streaming
# socket stays open but silent -> the channels and the ingest line are kept until the age-out, then cleared,
# without any reconnect; (b) updates resume -> rows return; (c) go-offline (deleteOutgoing per channel, no final
# online:false) -> every destination goes at once; (d) pongs stop -> after two missed pongs the plugin reconnects.
# Prints stats_ageout_ms, stats_pong_reconnect_ms.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-stats.sh"
e2e_init
export RFO_STATS_AGE_OUT_S=6 RFO_STATS_PING_S=2
stats_start
assert_log_contains '\[restream-for-obs/stats\] RFO_STATS_AGE_OUT_S=6'

stats_emu POST stream/interval '{"ms":1000}' >/dev/null
stats_emu POST stream/go-live >/dev/null
# the default state has 6 enabled channels (1000101, 102, 103, 105, 107, 109)
stats_wait '(.channels | length) == 6 and .incoming.bitrate > 0 and .totalViewers > 0 and
	([.channels[].status] | all(. == "connected"))' 15 "the go-live sequence"

# ---- (a) silence: kept until the age-out, then cleared; the socket stays up ----
c0=$(stats_connects)
stats_emu POST sockets/silence '{"kind":"streaming","sends":true}' >/dev/null
t0=$(now_ms)
sleep 3
s=$(stats_get)
assert_json "$s" '(.channels | length) == 6 and has("incoming")' "stats 3 s into the silence (age-out is 6 s)"
stats_wait '.channels == [] and (has("incoming") | not) and .totalViewers == 0 and .viewersKnown == false' 12 \
	"stale channels not cleared after the age-out"
elapsed=$(($(now_ms) - t0))
echo "stats_ageout_ms=$elapsed"
((elapsed >= 4500)) || e2e_fail "cleared after ${elapsed} ms: sooner than the 6 s age-out allows"
assert_le "$elapsed" 9000 "ms until stale channels were cleared"
assert_eq "$(stats_link)" connected "streaming link during the silence (pings are answered)"
assert_eq "$(stats_connects)" "$c0" "streaming connects during the silence"

# ---- (b) updates resume ----
stats_emu POST sockets/unsilence '{"kind":"streaming"}' >/dev/null
stats_wait '(.channels | length) == 6 and .incoming.bitrate > 0' 10 "rows after the updates resumed"

# ---- (c) go-offline: deleteOutgoing for every channel, deleteIncoming; no online:false ----
stats_emu POST stream/go-offline >/dev/null
t0=$(now_ms)
# (within 5 s: still sooner than the 6-s age-out could clear them, with room for a loaded machine)
stats_wait '.channels == [] and (has("incoming") | not) and .totalViewers == 0' 5 "destinations after go-offline"
((($(now_ms) - t0) < 5000)) || e2e_fail "go-offline took the age-out to clear"

# ---- (d) keepalive: pings go unanswered -> reconnect after two missed pongs ----
c0=$(stats_connects)
stats_emu POST sockets/silence '{"kind":"streaming","pings":true}' >/dev/null
t0=$(now_ms)
wait_until 25 stats_connects_over "$c0" || e2e_fail "no reconnect within 25 s of the pongs stopping"
elapsed=$(($(now_ms) - t0))
stats_emu POST sockets/unsilence '{"kind":"streaming"}' >/dev/null
echo "stats_pong_reconnect_ms=$elapsed"
((elapsed >= 3000)) || e2e_fail "reconnected after ${elapsed} ms: before two pings (2 s apart) could go unanswered"
assert_log_contains '\[restream-for-obs/stats\] disconnected from Restream stream updates'
stats_wait_link connected 20

obs_stop
e2e_pass
