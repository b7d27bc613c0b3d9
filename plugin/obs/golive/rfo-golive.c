/* Go-live cache: ingest servers, the user's ingest, stream keys and events (fetched by rfo-golive-fetch.c). */
#include "rfo-golive.h"
#include "rfo-golive-state.h"
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
#include <util/threading.h>

#define MAX_EVENT_KEYS 32
#define g rfo_golive_g

struct rfo_golive_state rfo_golive_g;

static void clear_cache_locked(void)
{
	rfo_server_list_free(&g.servers);
	g.user_ingest = 0;
	g.have_key = false;
	rfo_stream_key_free(&g.key);
	rfo_event_list_free(&g.upcoming);
	rfo_event_list_free(&g.in_progress);
	for (size_t i = 0; i < g.event_keys.num; i++) {
		struct rfo_golive_event_key *e = &g.event_keys.array[i];
		bfree(e->event_id);
		rfo_stream_key_free(&e->key);
		rfo_srt_key_free(&e->srt);
	}
	da_resize(g.event_keys, 0);
	bfree(g.last_error);
	g.last_error = NULL;
	g.fetched_at = 0;
	g.have_events = false;
	rfo_rest_hold_clear(&g.hold); /* the old session's Retry-After does not apply to the next one */
}

struct rfo_golive_event_key *rfo_golive_event_key_find(const char *id)
{
	for (size_t i = 0; i < g.event_keys.num; i++)
		if (strcmp(g.event_keys.array[i].event_id, id) == 0)
			return &g.event_keys.array[i];
	return NULL;
}

struct rfo_golive_event_key *rfo_golive_event_key_get(const char *id)
{
	struct rfo_golive_event_key *e = rfo_golive_event_key_find(id);
	if (e)
		return e;
	if (g.event_keys.num >= MAX_EVENT_KEYS) {
		struct rfo_golive_event_key *old = &g.event_keys.array[0];
		bfree(old->event_id);
		rfo_stream_key_free(&old->key);
		rfo_srt_key_free(&old->srt);
		da_erase(g.event_keys, 0);
	}
	e = da_push_back_new(g.event_keys);
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
	if (!g.running)
		return;
	if (rfo_golive_signed_in()) {
		rfo_golive_refresh_async(NULL, NULL, NULL);
		return;
	}
	pthread_mutex_lock(&g.mutex);
	g.gen++;
	clear_cache_locked();
	pthread_mutex_unlock(&g.mutex);
	rfo_dispatch(ui_refresh_task, NULL);
}

bool rfo_golive_create(void)
{
	if (g.created)
		return true;
	pthread_mutex_init(&g.mutex, NULL);
	da_init(g.event_keys);
	g.created = true;
	g.running = true;
	rfo_controller_on_session(on_session, NULL);
	rfo_golive_apply_init();
	return true;
}

void rfo_golive_stop(void)
{
	g.running = false;
}

void rfo_golive_free(void)
{
	if (!g.created)
		return;
	rfo_golive_apply_free();
	clear_cache_locked();
	da_free(g.event_keys);
	bfree(g.wanted_event);
	pthread_mutex_destroy(&g.mutex);
	memset(&g, 0, sizeof(g));
}

/* ---------------------------------------------------------------- reading the cache */

bool rfo_golive_signed_in(void)
{
	struct rfo_auth *auth = rfo_controller_auth();
	return auth && rfo_auth_get_state(auth) == RFO_AUTH_SIGNED_IN;
}

void rfo_golive_want_event(const char *event_id)
{
	if (!g.created)
		return;
	bool fetch = false;
	pthread_mutex_lock(&g.mutex);
	bfree(g.wanted_event);
	g.wanted_event = event_id && *event_id ? bstrdup(event_id) : NULL;
	if (g.wanted_event) {
		struct rfo_golive_event_key *e = rfo_golive_event_key_find(g.wanted_event);
		fetch = !e || !e->have_key;
	}
	pthread_mutex_unlock(&g.mutex);
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
	pthread_mutex_lock(&g.mutex);
	const struct rfo_stream_key *key = NULL;
	const struct rfo_golive_event_key *ek = NULL;
	if (event_id && *event_id) {
		ek = rfo_golive_event_key_find(event_id);
		if (!ek || !ek->have_key) {
			rfo_error_set(err, RFO_ERR_STATE, "%s", obs_module_text("GoLive.Error.NoEventKey"));
			goto done;
		}
		key = &ek->key;
	} else if (g.have_key) {
		key = &g.key;
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

	int64_t id = ingest_id ? ingest_id : g.user_ingest;
	const struct rfo_server *server = rfo_server_list_find(&g.servers, id);
	if (!server && !ingest_id && g.servers.count)
		server = &g.servers.items[0];
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
	pthread_mutex_unlock(&g.mutex);
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
	pthread_mutex_lock(&g.mutex);
	bool yes = g.have_key && g.key.srt_url;
	pthread_mutex_unlock(&g.mutex);
	return yes;
}

int64_t rfo_golive_user_ingest(void)
{
	pthread_mutex_lock(&g.mutex);
	int64_t id = g.user_ingest;
	pthread_mutex_unlock(&g.mutex);
	return id;
}

bool rfo_golive_has_server(int64_t id)
{
	pthread_mutex_lock(&g.mutex);
	bool yes = rfo_server_list_find(&g.servers, id) != NULL;
	pthread_mutex_unlock(&g.mutex);
	return yes;
}

static char *key_copy(const char *event_id, bool mask)
{
	char *out = NULL;
	pthread_mutex_lock(&g.mutex);
	const struct rfo_stream_key *key = g.have_key ? &g.key : NULL;
	if (event_id && *event_id) {
		const struct rfo_golive_event_key *ek = rfo_golive_event_key_find(event_id);
		key = ek && ek->have_key ? &ek->key : NULL;
	}
	if (key && key->stream_key)
		out = mask ? rfo_key_mask(key->stream_key) : bstrdup(key->stream_key);
	pthread_mutex_unlock(&g.mutex);
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
	pthread_mutex_lock(&g.mutex);
	for (size_t i = 0; i < g.servers.count; i++)
		cb(param, g.servers.items[i].id, g.servers.items[i].name ? g.servers.items[i].name : "");
	pthread_mutex_unlock(&g.mutex);
}

void rfo_golive_foreach_event_full(void (*cb)(void *param, const struct rfo_event *event), void *param)
{
	pthread_mutex_lock(&g.mutex);
	for (size_t i = 0; i < g.in_progress.count; i++)
		cb(param, &g.in_progress.items[i]);
	for (size_t i = 0; i < g.upcoming.count; i++)
		cb(param, &g.upcoming.items[i]);
	pthread_mutex_unlock(&g.mutex);
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
	pthread_mutex_lock(&g.mutex);
	char *e = g.last_error ? bstrdup(g.last_error) : NULL;
	pthread_mutex_unlock(&g.mutex);
	return e;
}
