#!/usr/bin/env bash
# e2e.vendor_args: every vendor request that takes arguments answers a bad id type and a missing required argument
# the same way, signed in, in real OBS: ok:false, an errorCode ("invalidArgument"/"missingArgument") and a sentence,
# with nothing sent to Restream and OBS's stream settings unchanged. Table-driven: the table below names every
# vendor request the plugin registers (the plugin logs their names; a request missing from the table fails the
# test), with its bad-argument cases. Then ids given as numeric strings work where numbers do.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib-signin.sh"
e2e_init

LINKEDIN=1000104 # an emulator channel (off at the start)

# request | case | request data ("-": none at all) | expected errorCode
# Requests without arguments have one "none" line: they are only checked to be in the plugin's list.
CASES=$(
	cat <<-EOF
		GetStatus|none|-|-
		BeginSignIn|none|-|-
		SignOut|none|-|-
		ListChannels|none|-|-
		ListEvents|none|-|-
		GetStreamSettings|none|-|-
		RestoreStreamSettings|none|-|-
		GetStats|none|-|-
		GetStreamSummary|none|-|-
		SetChannelEnabled|bad id type (object)|{"id":{"x":1},"enabled":true}|invalidArgument
		SetChannelEnabled|bad id type (letters)|{"id":"abc","enabled":true}|invalidArgument
		SetChannelEnabled|bad boolean|{"id":$LINKEDIN,"enabled":"yes"}|invalidArgument
		SetChannelEnabled|missing id|{"enabled":true}|missingArgument
		SetChannelEnabled|missing enabled|{"id":$LINKEDIN}|missingArgument
		SetChannelEnabled|no data at all|-|missingArgument
		SetTitle|bad id type (object)|{"title":"t","channelIds":{"id":$LINKEDIN}}|invalidArgument
		SetTitle|bad id type (letters)|{"title":"t","channelIds":[{"id":"abc"}]}|invalidArgument
		SetTitle|bad id type (list)|{"title":"t","channelIds":"$LINKEDIN,abc"}|invalidArgument
		SetTitle|bad string|{"title":{"x":1}}|invalidArgument
		SetTitle|missing title|{"description":"d"}|missingArgument
		SetTitle|no data at all|-|missingArgument
		ApplyStreamSettings|bad id type (object)|{"protocol":"rtmp","ingestId":{"x":1}}|invalidArgument
		ApplyStreamSettings|bad id type (letters)|{"protocol":"rtmp","ingestId":"abc"}|invalidArgument
		ApplyStreamSettings|bad event id type|{"protocol":"rtmp","eventId":{"x":1}}|invalidArgument
		ApplyStreamSettings|bad event id|{"protocol":"rtmp","eventId":"../x"}|invalidArgument
		ApplyStreamSettings|bad protocol type|{"protocol":5}|invalidArgument
		ApplyStreamSettings|bad boolean|{"compatibility":"yes"}|invalidArgument
		CreateEvent|bad string|{"title":{"x":1}}|invalidArgument
		CreateEvent|bad time type (letters)|{"title":"t","scheduledFor":"soon"}|invalidArgument
		CreateEvent|bad time (negative)|{"title":"t","scheduledFor":-5}|invalidArgument
		CreateEvent|missing title|{"description":"d"}|missingArgument
		CreateEvent|no data at all|-|missingArgument
		GetChat|bad count type (object)|{"limit":{"x":1}}|invalidArgument
		GetChat|bad count type (letters)|{"limit":"abc"}|invalidArgument
	EOF
)

emu_post() { curl -fsS --max-time 5 -X POST -H 'Content-Type: application/json' -d '{}' "$RESTREAM_API_URL/_emu/$1"; }
patch_count() { emu_get received | jq '[.patches[] | length] | add // 0'; }
service() { obsws call GetStreamServiceSettings | jq -c '.responseData'; }

obs_install_plugin
obs_write_global_ini
emu_start
obs_start
obs_wait_ready 30
e2e_sign_in 30

# ---------------------------------------------------------------- the table covers every registered request
obs_log_wait '\[restream-for-obs\] vendor requests: ' 10
registered=$(grep -Eo '\[restream-for-obs\] vendor requests: .*' "$(obs_log_path)" | tail -n 1 | cut -d: -f2-)
e2e_log "registered:$registered"
tabled=$(cut -d'|' -f1 <<<"$CASES" | sort -u)
for r in $registered; do
	grep -qx "$r" <<<"$tabled" || e2e_fail "vendor request $r is not in this test's table"
done
for r in $tabled; do
	[[ " $registered " == *" $r "* ]] || e2e_fail "the table names $r, which the plugin does not register"
done

# ---------------------------------------------------------------- every case, the same assertions
emu_post reset-counters >/dev/null
before_service=$(service)
before_patches=$(patch_count)
n=0
while IFS='|' read -r req what data code; do
	[ "$what" = none ] && continue
	if [ "$data" = - ]; then
		r=$(obs_vendor "$req")
	else
		r=$(obs_vendor "$req" "$data")
	fi
	jq -e '.ok == false and (.errorCode | type == "string" and length > 0)
		and (.error | type == "string" and length > 8)' >/dev/null <<<"$r" ||
		e2e_fail "$req, $what ($data): not ok:false with an errorCode and a sentence: $r"
	assert_json_eq "$r" .errorCode "$code"
	e2e_log "$req, $what: $r"
	n=$((n + 1))
done <<<"$CASES"
e2e_log "$n bad-argument cases answered ok:false with errorCode and error"
assert_eq "$(patch_count)" "$before_patches" "PATCH requests Restream received for refused requests"
assert_eq "$(service)" "$before_service" "OBS's stream service after refused ApplyStreamSettings"
assert_eq "$(emu_get events/created | jq .created)" 0 "events Restream created for refused CreateEvent requests"

# the sentences stay those of the requests that had one
r=$(obs_vendor SetChannelEnabled '{"id":"abc","enabled":true}')
assert_json "$r" '.error | test("SetChannelEnabled needs")' "SetChannelEnabled's own sentence"
r=$(obs_vendor GetChat '{"limit":0}')
assert_json_eq "$r" .errorCode invalidArgument
assert_json "$r" '.error | test("limit must be")' "GetChat's own sentence"

# ---------------------------------------------------------------- ids as numeric strings work like numbers
r=$(obs_vendor SetChannelEnabled "{\"id\":\"$LINKEDIN\",\"enabled\":true}")
assert_json_eq "$r" .ok true
assert_json_eq "$r" .channel.id "$LINKEDIN"
assert_json_eq "$(emu_get state)" ".channels[] | select(.id == $LINKEDIN) | .active" true
r=$(obs_vendor SetTitle "{\"title\":\"Args $(date +%s)\",\"channelIds\":[{\"id\":\"$LINKEDIN\"}]}")
assert_json_eq "$r" '[.updated[].id]' "[$LINKEDIN]"
r=$(obs_vendor ApplyStreamSettings '{"protocol":"rtmp","ingestId":"2"}')
assert_json_eq "$r" .ok true
assert_json_eq "$r" .ingestId 2

# a failure that is not about arguments carries its own code
r=$(obs_vendor SetChannelEnabled '{"id":42,"enabled":true}')
assert_json_eq "$r" .ok false
assert_json_eq "$r" .errorCode notFound
obs_vendor SignOut >/dev/null
r=$(obs_vendor ListChannels)
assert_json_eq "$r" .errorCode notSignedIn
r=$(obs_vendor ApplyStreamSettings '{"protocol":"rtmp"}')
assert_json_eq "$r" .errorCode notSignedIn

obs_stop 1000
assert_no_leaks "leak count at shutdown"
e2e_pass
