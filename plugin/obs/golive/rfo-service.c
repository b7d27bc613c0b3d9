/* The Restream output service: OBS asks it for URL/key when the stream output starts. */
#include "rfo-service.h"
#include "rfo-golive.h"
#include "rfo-log.h"

#include <util/bmem.h>
#include <util/darray.h>
#include <util/dstr.h>
#include <util/threading.h>

#define RTMP_OUTPUT "rtmp_output"
#define SRT_OUTPUT "ffmpeg_mpegts_muxer"

struct rfo_service {
	obs_service_t *self;
	/* Guards everything below. Held while the key is resolved from the go-live cache, so it is taken before the
	 * cache's mutex (rfo-golive.c); nothing else is locked under it. */
	pthread_mutex_t mutex;
	char protocol[8];
	int64_t ingest_id;
	char *event_id;
	/* What get_url/get_key/get_password hand out. OBS may hold these pointers on another thread
	 * while we refresh, so replaced strings are retired (kept until destroy), never freed early. */
	char *server, *key, *passphrase;
	DARRAY(char *) retired;
};

static const char *service_name(void *type_data)
{
	UNUSED_PARAMETER(type_data);
	return obs_module_text("Service.Name");
}

static bool is_srt(const struct rfo_service *s)
{
	return strcmp(s->protocol, "srt") == 0;
}

static void retire(struct rfo_service *s, char **slot, char *value_take)
{
	if (*slot && value_take && strcmp(*slot, value_take) == 0) {
		bfree(value_take);
		return;
	}
	if (*slot)
		da_push_back(s->retired, slot);
	*slot = value_take;
}

/* Takes the current key/URL from the go-live cache. Returns false when nothing usable was fetched
 * yet (said in the log when `starting`: at load the cache is still empty, which is normal). */
static bool refresh_target(struct rfo_service *s, bool starting)
{
	struct rfo_golive_target t = {0};
	struct rfo_error err = {0};
	pthread_mutex_lock(&s->mutex);
	bool ok = rfo_golive_resolve(s->protocol, s->ingest_id, s->event_id, &t, &err);
	if (ok) {
		retire(s, &s->server, t.server);
		retire(s, &s->key, t.key);
		retire(s, &s->passphrase, t.passphrase);
		t.server = t.key = t.passphrase = NULL;
	}
	pthread_mutex_unlock(&s->mutex);
	rfo_golive_target_free(&t);
	if (!ok && starting)
		rfo_log_sub(LOG_WARNING, "service", "not ready to stream: %s", err.message);
	return ok;
}

static void service_update(void *data, obs_data_t *settings)
{
	struct rfo_service *s = data;
	/* OBS's own Restream integration writes "key" into the active service at every start: never
	 * keep a secret in our settings (they are saved to service.json). */
	obs_data_erase(settings, "key");
	obs_data_erase(settings, "password");

	const char *protocol = obs_data_get_string(settings, RFO_SERVICE_S_PROTOCOL);
	pthread_mutex_lock(&s->mutex);
	snprintf(s->protocol, sizeof(s->protocol), "%s", strcmp(protocol, "srt") == 0 ? "srt" : "rtmp");
	s->ingest_id = obs_data_get_int(settings, RFO_SERVICE_S_INGEST_ID);
	bfree(s->event_id);
	s->event_id = bstrdup(obs_data_get_string(settings, RFO_SERVICE_S_EVENT_ID));
	pthread_mutex_unlock(&s->mutex);

	rfo_golive_want_event(s->event_id);
	refresh_target(s, false);
}

static void service_destroy(void *data)
{
	struct rfo_service *s = data;
	if (!s)
		return;
	for (size_t i = 0; i < s->retired.num; i++)
		bfree(s->retired.array[i]);
	da_free(s->retired);
	bfree(s->server);
	bfree(s->key);
	bfree(s->passphrase);
	bfree(s->event_id);
	pthread_mutex_destroy(&s->mutex);
	bfree(s);
}

static void *service_create(obs_data_t *settings, obs_service_t *service)
{
	struct rfo_service *s = bzalloc(sizeof(*s));
	s->self = service;
	pthread_mutex_init(&s->mutex, NULL);
	da_init(s->retired);
	service_update(s, settings);
	return s;
}

static void service_defaults(obs_data_t *settings)
{
	obs_data_set_default_string(settings, RFO_SERVICE_S_PROTOCOL, "rtmp");
	obs_data_set_default_int(settings, RFO_SERVICE_S_INGEST_ID, 0);
	obs_data_set_default_string(settings, RFO_SERVICE_S_EVENT_ID, "");
}

static void add_server_item(void *param, int64_t id, const char *name)
{
	obs_property_list_add_int(param, name, id);
}

static void add_event_item(void *param, const char *id, const char *title)
{
	obs_property_list_add_string(param, title, id);
}

static obs_properties_t *service_properties(void *data)
{
	UNUSED_PARAMETER(data);
	obs_properties_t *props = obs_properties_create();
	char *account = rfo_golive_account_label();
	obs_property_t *p =
		obs_properties_add_text(props, "account", obs_module_text("Service.Account"), OBS_TEXT_INFO);
	obs_property_set_long_description(p, account);
	bfree(account);

	p = obs_properties_add_list(props, RFO_SERVICE_S_PROTOCOL, obs_module_text("GoLive.Protocol"),
				    OBS_COMBO_TYPE_LIST, OBS_COMBO_FORMAT_STRING);
	obs_property_list_add_string(p, "RTMP", "rtmp");
	obs_property_list_add_string(p, "SRT", "srt");
	if (!rfo_golive_srt_available())
		obs_property_list_item_disable(p, 1, true);

	p = obs_properties_add_list(props, RFO_SERVICE_S_INGEST_ID, obs_module_text("GoLive.Ingest"),
				    OBS_COMBO_TYPE_LIST, OBS_COMBO_FORMAT_INT);
	obs_property_list_add_int(p, obs_module_text("GoLive.Ingest.Default"), 0);
	rfo_golive_foreach_server(add_server_item, p);

	p = obs_properties_add_list(props, RFO_SERVICE_S_EVENT_ID, obs_module_text("GoLive.Event"), OBS_COMBO_TYPE_LIST,
				    OBS_COMBO_FORMAT_STRING);
	obs_property_list_add_string(p, obs_module_text("GoLive.Event.None"), "");
	rfo_golive_foreach_event(add_event_item, p);
	return props;
}

static bool service_initialize(void *data, obs_output_t *output)
{
	UNUSED_PARAMETER(output);
	return refresh_target(data, true);
}

static const char *service_url(void *data)
{
	struct rfo_service *s = data;
	return s->server;
}

static const char *service_key(void *data)
{
	struct rfo_service *s = data;
	return s->key;
}

/* obs-ffmpeg's mpegts output (29.0) hands the service password to libsrt as the passphrase and
 * the key as the stream id; RTMP has no password. */
static const char *service_password(void *data)
{
	struct rfo_service *s = data;
	return is_srt(s) ? s->passphrase : NULL;
}

static const char *service_output_type(void *data)
{
	return is_srt(data) ? SRT_OUTPUT : RTMP_OUTPUT;
}

/* SRT goes through the MPEG-TS muxer: the video encoder repeats its headers and AAC carries ADTS
 * headers, as OBS's custom service does for non-RTMP URLs. */
static void service_apply_encoder_settings(void *data, obs_data_t *video, obs_data_t *audio)
{
	if (!is_srt(data))
		return;
	if (video)
		obs_data_set_bool(video, "repeat_headers", true);
	if (audio)
		obs_data_set_bool(audio, "set_to_ADTS", true);
}

#if LIBOBS_API_VER >= MAKE_SEMANTIC_VERSION(29, 1, 0)
static const char *service_protocol(void *data)
{
	return is_srt(data) ? "SRT" : "RTMP";
}

static const char *service_connect_info(void *data, uint32_t type)
{
	struct rfo_service *s = data;
	switch ((enum obs_service_connect_info)type) {
	case OBS_SERVICE_CONNECT_INFO_SERVER_URL:
		return s->server;
	case OBS_SERVICE_CONNECT_INFO_STREAM_ID:
		return s->key;
	case OBS_SERVICE_CONNECT_INFO_ENCRYPT_PASSPHRASE:
		return is_srt(s) ? s->passphrase : NULL;
	default:
		return NULL;
	}
}

/* OBS asks this before service_initialize (and refuses to start when it says no), so it takes the
 * current key/URL from the go-live cache itself: after a restart nothing else has filled them in yet. */
static bool service_can_try_to_connect(void *data)
{
	struct rfo_service *s = data;
	if (!refresh_target(s, true))
		return false;
	pthread_mutex_lock(&s->mutex);
	bool ok = s->server && *s->server && s->key && *s->key;
	pthread_mutex_unlock(&s->mutex);
	return ok;
}
#endif

static struct obs_service_info service_info = {
	.id = RFO_SERVICE_ID,
	.get_name = service_name,
	.create = service_create,
	.destroy = service_destroy,
	.update = service_update,
	.get_defaults = service_defaults,
	.get_properties = service_properties,
	.initialize = service_initialize,
	.get_url = service_url,
	.get_key = service_key,
	.get_password = service_password,
	.apply_encoder_settings = service_apply_encoder_settings,
	.get_output_type = service_output_type,
#if LIBOBS_API_VER >= MAKE_SEMANTIC_VERSION(29, 1, 0)
	.get_protocol = service_protocol,
	.get_connect_info = service_connect_info,
	.can_try_to_connect = service_can_try_to_connect,
#endif
};

void rfo_service_register(void)
{
	obs_register_service(&service_info);
}

bool rfo_service_is_ours(obs_service_t *service)
{
	const char *id = service ? obs_service_get_id(service) : NULL;
	return id && strcmp(id, RFO_SERVICE_ID) == 0;
}

obs_data_t *rfo_service_make_settings(const char *protocol, int64_t ingest_id, const char *event_id)
{
	obs_data_t *settings = obs_data_create();
	obs_data_set_string(settings, RFO_SERVICE_S_PROTOCOL, protocol);
	obs_data_set_int(settings, RFO_SERVICE_S_INGEST_ID, ingest_id);
	obs_data_set_string(settings, RFO_SERVICE_S_EVENT_ID, event_id ? event_id : "");
	return settings;
}
