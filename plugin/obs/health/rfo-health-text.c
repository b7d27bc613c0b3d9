/* The health alerts' sentences (locale/en-US.ini, Health.*). */
#include "rfo-health-private.h"
#include "rfo-chat.h"

#include <obs-module.h>
#include <util/dstr.h>

static const char *alert_key(enum rfo_health_cause cause)
{
	switch (cause) {
	case RFO_HEALTH_CAUSE_CONNECTING:
		return "Health.Alert.Connecting";
	case RFO_HEALTH_CAUSE_DISCONNECTED:
		return "Health.Alert.Disconnected";
	case RFO_HEALTH_CAUSE_ERROR:
		return "Health.Alert.Error";
	case RFO_HEALTH_CAUSE_FLAPPING:
		return "Health.Alert.Flapping";
	case RFO_HEALTH_CAUSE_LOW_BITRATE:
		return "Health.Alert.LowBitrate";
	case RFO_HEALTH_CAUSE_NOT_RECEIVING:
		return "Health.Alert.NotReceiving";
	case RFO_HEALTH_CAUSE_CHAT_ERROR:
		return "Health.Alert.Chat";
	}
	return "Health.Alert.Error";
}

static const char *end_key(const struct rfo_health_notice *n)
{
	if (n->end == RFO_HEALTH_END_OFF_AIR)
		return "Health.Ended.OffAir";
	if (n->end == RFO_HEALTH_END_GONE)
		return "Health.Ended.Gone";
	switch (n->kind) {
	case RFO_HEALTH_BITRATE:
		return "Health.Recovered.Bitrate";
	case RFO_HEALTH_INGEST:
		return "Health.Recovered.Ingest";
	case RFO_HEALTH_CHAT:
		return "Health.Recovered.Chat";
	case RFO_HEALTH_DESTINATION:
		break;
	}
	return "Health.Recovered.Destination";
}

static void kbps(struct dstr *out, int64_t bps)
{
	struct dstr n = {0};
	dstr_printf(&n, "%lld", (long long)(bps < 0 ? 0 : (bps + 500) / 1000));
	dstr_copy(out, obs_module_text("Stats.Unit.Kbps"));
	dstr_replace(out, "%1", n.array);
	dstr_free(&n);
}

char *rfo_health_text(const struct rfo_health_notice *n, const char *label)
{
	struct dstr s = {0};
	dstr_copy(&s, obs_module_text(n->raised ? alert_key(n->cause) : end_key(n)));
	if (n->raised && n->cause == RFO_HEALTH_CAUSE_LOW_BITRATE) {
		struct dstr in = {0}, sent = {0};
		kbps(&in, n->incoming_bps);
		kbps(&sent, n->sent_bps);
		dstr_replace(&s, "%2", sent.array); /* numbers only: %2 first, so nothing in %1 is read as %2 */
		dstr_replace(&s, "%1", in.array);
		dstr_free(&in);
		dstr_free(&sent);
	} else {
		if (n->raised && n->cause == RFO_HEALTH_CAUSE_CHAT_ERROR) {
			const struct rfo_chat_reason *r = rfo_chat_reason_lookup(*n->detail ? n->detail : NULL);
			dstr_replace(&s, "%2", obs_module_text(r->locale_key));
		}
		dstr_replace(&s, "%1", label && *label ? label : "");
	}
	return s.array ? s.array : bstrdup("");
}
