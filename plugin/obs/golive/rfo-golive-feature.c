/* The go-live feature's descriptor: lifecycle, vendor requests and their errorCodes (see rfo-golive.h). */
#include "rfo-feature.h"
#include "rfo-golive.h"

#include <obs-module.h>
#include <string.h>

/* The go-live sentences that say more than their rfo_error code (most are RFO_ERR_STATE). */
static const struct {
	const char *key;
	enum rfo_vendor_code code;
} sentence_codes[] = {
	{"GoLive.Error.SignedOut", RFO_VENDOR_NOT_SIGNED_IN},
	{"GoLive.Error.Live", RFO_VENDOR_STREAM_ACTIVE},
	{"GoLive.Error.NoSrt", RFO_VENDOR_UNSUPPORTED},
	{"GoLive.Error.NoKey", RFO_VENDOR_NOT_READY},
	{"GoLive.Error.NoEventKey", RFO_VENDOR_NOT_READY},
	{"GoLive.Error.NoServers", RFO_VENDOR_NOT_READY},
	{"GoLive.Error.UnknownIngest", RFO_VENDOR_NOT_FOUND},
	{"GoLive.Error.Service", RFO_VENDOR_OBS_ERROR},
	{"GoLive.Error.Timeout", RFO_VENDOR_TIMEOUT},
	{"GoLive.Error.UiTimeout", RFO_VENDOR_TIMEOUT},
	{"GoLive.Error.NoPrevious", RFO_VENDOR_INVALID_STATE},
	{"GoLive.Error.EventTitle", RFO_VENDOR_INVALID_ARGUMENT},
	{"GoLive.Error.Restore", RFO_VENDOR_OBS_ERROR},
	{"GoLive.Error.KeepPrevious", RFO_VENDOR_OBS_ERROR},
	{"Vendor.Error.Slow", RFO_VENDOR_TIMEOUT},
	{"Vendor.Error.Busy", RFO_VENDOR_BUSY},
};

void rfo_golive_vendor_fail(obs_data_t *response, const char *error, const struct rfo_error *err)
{
	for (size_t i = 0; i < RFO_ARRAY_SIZE(sentence_codes); i++) {
		if (strcmp(error, obs_module_text(sentence_codes[i].key)) == 0) {
			rfo_vendor_fail(response, sentence_codes[i].code, error);
			return;
		}
	}
	rfo_vendor_fail(response, rfo_vendor_code_of(err), error);
}

static void *apply_begin(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	return rfo_golive_apply_start(request, response, wait_ms);
}

static void apply_finish(void *call, obs_data_t *response)
{
	rfo_golive_apply_finish(call, response);
}

static void *restore_begin(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	return rfo_golive_restore_start(request, response, wait_ms);
}

static void restore_finish(void *call, obs_data_t *response)
{
	rfo_golive_restore_finish(call, response);
}

static const struct rfo_vendor_arg apply_args[] = {
	{.name = "protocol", .type = RFO_VENDOR_ARG_STRING, .error_key = "GoLive.Error.Protocol"},
	{.name = "ingestId", .type = RFO_VENDOR_ARG_ID, .zero_ok = true}, /* 0: the user's own ingest */
	{.name = "eventId", .type = RFO_VENDOR_ARG_TEXT_ID, .error_key = "GoLive.Error.BadEventId"},
	{.name = "compatibility", .type = RFO_VENDOR_ARG_BOOL},
};

static const struct rfo_vendor_arg create_event_args[] = {
	{.name = "title", .type = RFO_VENDOR_ARG_STRING, .required = true, .max_len = 4096},
	{.name = "description", .type = RFO_VENDOR_ARG_STRING, .max_len = 20000},
	{.name = "scheduledFor", .type = RFO_VENDOR_ARG_ID, .zero_ok = true, .error_key = "GoLive.Error.EventTime"},
};

static const struct rfo_feature_request requests[] = {
	{
		/* two steps: the wait budget covers fetching from Restream, not the UI thread's apply */
		.type = "ApplyStreamSettings",
		.begin = apply_begin,
		.finish = apply_finish,
		.args = apply_args,
		.arg_count = RFO_ARRAY_SIZE(apply_args),
		.may_wait = true,
	},
	{.type = "ListEvents", .handler = rfo_golive_list_events_request, .may_wait = true},
	{.type = "GetStreamSettings", .handler = rfo_golive_get_settings_request},
	{
		.type = "CreateEvent",
		.handler = rfo_golive_create_event_request,
		.args = create_event_args,
		.arg_count = RFO_ARRAY_SIZE(create_event_args),
		.may_wait = true,
	},
	/* two steps: the service is put back on the UI thread */
	{.type = "RestoreStreamSettings", .begin = restore_begin, .finish = restore_finish},
};

const struct rfo_feature rfo_golive_feature = {
	.name = "golive",
	.create = rfo_golive_create,
	.stop = rfo_golive_stop,
	.destroy = rfo_golive_free,
	.requests = requests,
	.request_count = RFO_ARRAY_SIZE(requests),
};
