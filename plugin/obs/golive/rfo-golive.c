/* Go-live cache: ingest servers, the user's ingest, stream keys and events (fetched by rfo-golive-fetch.c). */
#include "rfo-golive.h"
#include "rfo-golive-state.h"
#include "rfo-api.h"
#include "rfo-auth.h"
#include "rfo-controller.h"
#include "rfo-dispatch.h"
#include "rfo-log.h"
#include "rfo-secret.h"
#include "rfo-srt-url.h"

#include <obs-module.h>
#include <util/bmem.h>
#include <util/darray.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

#define MAX_EVENT_KEYS 32
#define STALE_NS (5ULL * 60 * 1000000000ULL)

struct event_key {
	char *event_id;
	bool have_key;
	struct rfo_stream_key key;
	struct rfo_srt_key srt;
	bool have_srt;
};

/* What Restream said about streaming, for this session. */
static struct {
	bool created;
	volatile bool running;
	/* Guards everything below. Taken inside a service's mutex (rfo-service.c resolves the key under it); the
	 * rfo_golive_foreach_* callbacks run under it. Nothing else is locked while it is held. */
	pthread_mutex_t mutex;
	struct rfo_server_list servers;
	int64_t user_ingest;
	bool have_key;
	struct rfo_stream_key key;
	struct rfo_event_list upcoming, in_progress;
	DARRAY(struct event_key) event_keys;
	char *wanted_event;
	char *last_error;
	uint64_t fetched_at;
	bool have_events; /* the event lists arrived at least once this session */
} golive;

/* Set by create and stop (UI thread), read by any thread. */
static inline bool running(void)
{
	return os_atomic_load_bool(&golive.running);
}

static void clear_cache_locked(void)
{
	rfo_server_list_free(&golive.servers);
	golive.user_ingest = 0;
	golive.have_key = false;
	rfo_stream_key_free(&golive.key);
	rfo_event_list_free(&golive.upcoming);
	rfo_event_list_free(&golive.in_progress);
	for (size_t i = 0; i < golive.event_keys.num; i++) {
		struct event_key *e = &golive.event_keys.array[i];
		bfree(e->event_id);
		rfo_stream_key_free(&e->key);
		rfo_srt_key_free(&e->srt);
	}
	da_resize(golive.event_keys, 0);
	bfree(golive.last_error);
	golive.last_error = NULL;
	golive.fetched_at = 0;
	golive.have_events = false;
}

static struct event_key *event_key_find(const char *id)
{
	for (size_t i = 0; i < golive.event_keys.num; i++)
		if (strcmp(golive.event_keys.array[i].event_id, id) == 0)
			return &golive.event_keys.array[i];
	return NULL;
}

static struct event_key *event_key_get(const char *id)
{
	struct event_key *e = event_key_find(id);
	if (e)
		return e;
	if (golive.event_keys.num >= MAX_EVENT_KEYS) {
		struct event_key *old = &golive.event_keys.array[0];
		bfree(old->event_id);
		rfo_stream_key_free(&old->key);
		rfo_srt_key_free(&old->srt);
		da_erase(golive.event_keys, 0);
	}
	e = da_push_back_new(golive.event_keys);
	e->event_id = bstrdup(id);
	return e;
}

bool rfo_golive_event_id_valid(const char *id)
{
	if (!id || !*id || strlen(id) > 64)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_'))
			return false;
	return true;
}

/* ---------------------------------------------------------------- filled by rfo-golive-fetch.c */

void rfo_golive_cache_put(struct rfo_api_job *job, struct rfo_golive_answer *a, bool *chain_srt)
{
	pthread_mutex_lock(&golive.mutex);
	if (rfo_api_job_current(job)) {
		struct event_key *e;
		switch (a->part) {
		case RFO_GOLIVE_SERVERS:
			rfo_server_list_free(&golive.servers);
			golive.servers = a->servers;
			memset(&a->servers, 0, sizeof(a->servers));
			break;
		case RFO_GOLIVE_INGEST:
			golive.user_ingest = a->ingest;
			break;
		case RFO_GOLIVE_KEY:
			rfo_stream_key_free(&golive.key);
			golive.key = a->key;
			golive.have_key = true;
			memset(&a->key, 0, sizeof(a->key));
			break;
		case RFO_GOLIVE_UPCOMING:
		case RFO_GOLIVE_IN_PROGRESS: {
			struct rfo_event_list *dst =
				a->part == RFO_GOLIVE_UPCOMING ? &golive.upcoming : &golive.in_progress;
			golive.have_events = true;
			rfo_event_list_free(dst);
			*dst = a->events;
			memset(&a->events, 0, sizeof(a->events));
			break;
		}
		case RFO_GOLIVE_EVENT_KEY:
			e = event_key_get(a->event_id);
			rfo_stream_key_free(&e->key);
			e->key = a->key;
			e->have_key = true;
			*chain_srt = !e->key.srt_url && !e->have_srt;
			memset(&a->key, 0, sizeof(a->key));
			break;
		case RFO_GOLIVE_EVENT_SRT:
			e = event_key_get(a->event_id);
			rfo_srt_key_free(&e->srt);
			e->srt = a->srt;
			e->have_srt = true;
			memset(&a->srt, 0, sizeof(a->srt));
			break;
		}
	}
	pthread_mutex_unlock(&golive.mutex);
}

void rfo_golive_cache_add_event(struct rfo_api_job *job, const struct rfo_event *event)
{
	pthread_mutex_lock(&golive.mutex);
	bool known = false;
	for (size_t i = 0; i < golive.upcoming.count && !known; i++)
		known = strcmp(golive.upcoming.items[i].id, event->id) == 0;
	if (rfo_api_job_current(job) && !known) {
		struct rfo_event_list *l = &golive.upcoming;
		l->items = brealloc(l->items, (l->count + 1) * sizeof(*l->items));
		struct rfo_event *e = &l->items[l->count++];
		*e = (struct rfo_event){
			.id = bstrdup(event->id),
			.status = bstrdup(event->status),
			.status_kind = event->status_kind,
			.title = bstrdup(event->title),
			.description = event->description ? bstrdup(event->description) : NULL,
			.scheduled_for = event->scheduled_for,
		};
		golive.have_events = true;
	}
	pthread_mutex_unlock(&golive.mutex);
}

void rfo_golive_cache_fetched(struct rfo_api_job *job, const char *error)
{
	pthread_mutex_lock(&golive.mutex);
	if (rfo_api_job_current(job)) {
		golive.fetched_at = os_gettime_ns();
		bfree(golive.last_error);
		golive.last_error = error ? bstrdup(error) : NULL;
	}
	pthread_mutex_unlock(&golive.mutex);
}

char *rfo_golive_wanted_event(void)
{
	pthread_mutex_lock(&golive.mutex);
	char *wanted = golive.wanted_event ? bstrdup(golive.wanted_event) : NULL;
	pthread_mutex_unlock(&golive.mutex);
	return wanted;
}

void rfo_golive_refresh_if_stale(void)
{
	if (!rfo_golive_signed_in())
		return;
	pthread_mutex_lock(&golive.mutex);
	bool stale = !golive.fetched_at || os_gettime_ns() - golive.fetched_at > STALE_NS;
	if (stale)
		golive.fetched_at = os_gettime_ns(); /* one refresh at a time */
	pthread_mutex_unlock(&golive.mutex);
	if (stale)
		rfo_golive_refresh_async(NULL, NULL, NULL);
}

bool rfo_golive_have_events(void)
{
	pthread_mutex_lock(&golive.mutex);
	bool have = golive.have_events;
	pthread_mutex_unlock(&golive.mutex);
	return have;
}

/* ---------------------------------------------------------------- session */

static void ui_refresh_task(void *param)
{
	UNUSED_PARAMETER(param);
	if (rfo_controller_running())
		rfo_golive_ui_refresh();
}

static void on_session(void *param)
{
	UNUSED_PARAMETER(param);
	if (!running())
		return;
	if (rfo_golive_signed_in()) {
		rfo_golive_refresh_async(NULL, NULL, NULL);
		return;
	}
	rfo_golive_fetch_new_session(); /* first: an answer stored after the clear is not current */
	pthread_mutex_lock(&golive.mutex);
	clear_cache_locked();
	pthread_mutex_unlock(&golive.mutex);
	rfo_dispatch(ui_refresh_task, NULL);
}

bool rfo_golive_create(void)
{
	if (golive.created)
		return true;
	pthread_mutex_init(&golive.mutex, NULL);
	da_init(golive.event_keys);
	rfo_golive_fetch_create();
	golive.created = true;
	os_atomic_set_bool(&golive.running, true);
	rfo_controller_on_session(on_session, NULL);
	rfo_golive_apply_init();
	return true;
}

void rfo_golive_stop(void)
{
	os_atomic_set_bool(&golive.running, false);
	rfo_golive_fetch_stop();
}

void rfo_golive_free(void)
{
	if (!golive.created)
		return;
	rfo_golive_apply_free();
	rfo_golive_create_free();
	rfo_golive_fetch_free();
	pthread_mutex_lock(&golive.mutex);
	clear_cache_locked();
	pthread_mutex_unlock(&golive.mutex);
	da_free(golive.event_keys);
	bfree(golive.wanted_event);
	pthread_mutex_destroy(&golive.mutex);
	memset(&golive, 0, sizeof(golive));
}

/* ---------------------------------------------------------------- reading the cache */

bool rfo_golive_signed_in(void)
{
	struct rfo_auth *auth = rfo_controller_auth();
	return auth && rfo_auth_get_state(auth) == RFO_AUTH_SIGNED_IN;
}

void rfo_golive_want_event(const char *event_id)
{
	if (!golive.created)
		return;
	bool fetch = false;
	pthread_mutex_lock(&golive.mutex);
	bfree(golive.wanted_event);
	golive.wanted_event = event_id && *event_id ? bstrdup(event_id) : NULL;
	if (golive.wanted_event) {
		struct event_key *e = event_key_find(golive.wanted_event);
		fetch = !e || !e->have_key;
	}
	pthread_mutex_unlock(&golive.mutex);
	if (fetch && rfo_golive_signed_in())
		rfo_golive_refresh_async(event_id, NULL, NULL);
}

bool rfo_golive_resolve(const char *protocol, int64_t ingest_id, const char *event_id, struct rfo_golive_target *out,
			struct rfo_error *err)
{
	memset(out, 0, sizeof(*out));
	bool srt = protocol && strcmp(protocol, "srt") == 0;
	bool ok = false;
	out->srt = srt;
	pthread_mutex_lock(&golive.mutex);
	const struct rfo_stream_key *key = NULL;
	const struct event_key *ek = NULL;
	if (event_id && *event_id) {
		ek = event_key_find(event_id);
		if (!ek || !ek->have_key) {
			rfo_error_set(err, RFO_ERR_STATE, "%s", obs_module_text("GoLive.Error.NoEventKey"));
			goto done;
		}
		key = &ek->key;
	} else if (golive.have_key) {
		key = &golive.key;
	} else {
		rfo_error_set(err, RFO_ERR_STATE, "%s", obs_module_text("GoLive.Error.NoKey"));
		goto done;
	}

	if (srt) {
		const char *url = key->srt_url;
		if (!url && ek && ek->have_srt)
			url = ek->srt.url;
		if (!url) {
			rfo_error_set(err, RFO_ERR_STATE, "%s", obs_module_text("GoLive.Error.NoSrt"));
			goto done;
		}
		ok = rfo_srt_url_split(url, &out->server, &out->key, &out->passphrase);
		if (!ok) {
			rfo_error_set(err, RFO_ERR_PARSE, "%s", obs_module_text("GoLive.Error.BadSrtUrl"));
			goto done;
		}
		out->masked = rfo_srt_url_mask(url);
		goto done;
	}

	int64_t id = ingest_id ? ingest_id : golive.user_ingest;
	const struct rfo_server *server = rfo_server_list_find(&golive.servers, id);
	if (!server && !ingest_id && golive.servers.count)
		server = &golive.servers.items[0];
	if (!server) {
		rfo_error_set(err, RFO_ERR_STATE, "%s",
			      obs_module_text(ingest_id ? "GoLive.Error.UnknownIngest" : "GoLive.Error.NoServers"));
		goto done;
	}
	out->server = bstrdup(server->rtmp_url);
	out->key = bstrdup(key->stream_key);
	out->masked = bstrdup(server->rtmp_url);
	ok = true;
done:
	pthread_mutex_unlock(&golive.mutex);
	if (!ok)
		rfo_golive_target_free(out);
	return ok;
}

void rfo_golive_target_free(struct rfo_golive_target *t)
{
	if (!t)
		return;
	bfree(t->server);
	bfree(t->key);
	bfree(t->passphrase);
	bfree(t->masked);
	memset(t, 0, sizeof(*t));
}

char *rfo_golive_account_label(void)
{
	struct rfo_auth *auth = rfo_controller_auth();
	struct rfo_auth_user user = {0};
	if (!auth || rfo_auth_get_state(auth) != RFO_AUTH_SIGNED_IN || !rfo_auth_get_user(auth, &user))
		return bstrdup(obs_module_text("GoLive.NotSignedIn"));
	struct dstr s = {0};
	dstr_printf(&s, "%s (%s)", user.display_name ? user.display_name : "", user.username ? user.username : "");
	rfo_auth_user_free(&user);
	return s.array;
}

bool rfo_golive_srt_available(void)
{
	pthread_mutex_lock(&golive.mutex);
	bool yes = golive.have_key && golive.key.srt_url;
	pthread_mutex_unlock(&golive.mutex);
	return yes;
}

int64_t rfo_golive_user_ingest(void)
{
	pthread_mutex_lock(&golive.mutex);
	int64_t id = golive.user_ingest;
	pthread_mutex_unlock(&golive.mutex);
	return id;
}

bool rfo_golive_has_server(int64_t id)
{
	pthread_mutex_lock(&golive.mutex);
	bool yes = rfo_server_list_find(&golive.servers, id) != NULL;
	pthread_mutex_unlock(&golive.mutex);
	return yes;
}

static char *key_copy(const char *event_id, bool mask)
{
	char *out = NULL;
	pthread_mutex_lock(&golive.mutex);
	const struct rfo_stream_key *key = golive.have_key ? &golive.key : NULL;
	if (event_id && *event_id) {
		const struct event_key *ek = event_key_find(event_id);
		key = ek && ek->have_key ? &ek->key : NULL;
	}
	if (key && key->stream_key)
		out = mask ? rfo_key_mask(key->stream_key) : bstrdup(key->stream_key);
	pthread_mutex_unlock(&golive.mutex);
	return out ? out : bstrdup("");
}

char *rfo_golive_masked_key(const char *event_id)
{
	return key_copy(event_id, true);
}

char *rfo_golive_reveal_key(const char *event_id)
{
	return key_copy(event_id, false);
}

void rfo_golive_foreach_server(void (*cb)(void *param, int64_t id, const char *name), void *param)
{
	pthread_mutex_lock(&golive.mutex);
	for (size_t i = 0; i < golive.servers.count; i++)
		cb(param, golive.servers.items[i].id, golive.servers.items[i].name ? golive.servers.items[i].name : "");
	pthread_mutex_unlock(&golive.mutex);
}

void rfo_golive_foreach_event_full(void (*cb)(void *param, const struct rfo_event *event), void *param)
{
	pthread_mutex_lock(&golive.mutex);
	for (size_t i = 0; i < golive.in_progress.count; i++)
		cb(param, &golive.in_progress.items[i]);
	for (size_t i = 0; i < golive.upcoming.count; i++)
		cb(param, &golive.upcoming.items[i]);
	pthread_mutex_unlock(&golive.mutex);
}

struct event_visit {
	void (*cb)(void *param, const char *id, const char *title);
	void *param;
};

static void visit_event(void *param, const struct rfo_event *event)
{
	struct event_visit *v = param;
	v->cb(v->param, event->id, event->title);
}

void rfo_golive_foreach_event(void (*cb)(void *param, const char *id, const char *title), void *param)
{
	struct event_visit v = {cb, param};
	rfo_golive_foreach_event_full(visit_event, &v);
}

char *rfo_golive_last_error(void)
{
	pthread_mutex_lock(&golive.mutex);
	char *e = golive.last_error ? bstrdup(golive.last_error) : NULL;
	pthread_mutex_unlock(&golive.mutex);
	return e;
}
