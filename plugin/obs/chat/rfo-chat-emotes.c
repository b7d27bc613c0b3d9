/* Emote images: bounded fetches on the shared HTTP worker, for the dock and the overlay sources. See
 * rfo-chat-emotes.h. */
#include "rfo-chat-emotes.h"
#include "rfo-chat-feed.h"
#include "rfo-chat-look.h"
#include "rfo-controller.h"
#include "rfo-dispatch.h"
#include "rfo-http.h"
#include "rfo-text.h"
#include "rfo-ui-chat.h"

#include <obs-module.h>
#include <string.h>
#include <util/bmem.h>
#include <util/threading.h>

#define FETCH_TIMEOUT_MS 10000

/* One fetch in flight. */
struct job {
	char *url;
	uint64_t hash;
	bool for_listener; /* the listener asked (rfo_chat_emotes_fetch): it hears of a failure too */
};

static struct {
	bool init;
	/* Guards everything below (emote URLs asked for, fetches in flight, the listener, counters). A leaf lock. */
	pthread_mutex_t mutex;
	uint64_t known[RFO_CHAT_EMOTE_MAX_KNOWN]; /* hashes of URLs the dock asked for (ring) */
	size_t known_next, known_count;
	struct job *jobs[RFO_CHAT_EMOTE_MAX_IN_FLIGHT];
	int in_flight;
	rfo_chat_emotes_done_fn listener;
	struct rfo_chat_emote_stats stats;
} emotes;

struct image {
	char *url;
	char *data;
	size_t len;
};

/* With the lock held. */
static bool known_has(uint64_t h)
{
	for (size_t i = 0; i < emotes.known_count; i++)
		if (emotes.known[i] == h)
			return true;
	return false;
}

static void known_add(uint64_t h)
{
	emotes.known[emotes.known_next] = h;
	emotes.known_next = (emotes.known_next + 1) % RFO_CHAT_EMOTE_MAX_KNOWN;
	if (emotes.known_count < RFO_CHAT_EMOTE_MAX_KNOWN)
		emotes.known_count++;
}

/* With the lock held: the fetch of the URL hashed h in flight, or NULL. */
static struct job *job_find(uint64_t h)
{
	for (int i = 0; i < emotes.in_flight; i++)
		if (emotes.jobs[i]->hash == h)
			return emotes.jobs[i];
	return NULL;
}

static void job_remove(struct job *job)
{
	for (int i = 0; i < emotes.in_flight; i++) {
		if (emotes.jobs[i] == job) {
			emotes.jobs[i] = emotes.jobs[--emotes.in_flight];
			return;
		}
	}
}

void rfo_chat_emotes_init(void)
{
	if (emotes.init)
		return;
	memset(&emotes, 0, sizeof(emotes));
	pthread_mutex_init(&emotes.mutex, NULL);
	emotes.init = true;
}

void rfo_chat_emotes_free(void)
{
	if (!emotes.init)
		return;
	pthread_mutex_destroy(&emotes.mutex);
	memset(&emotes, 0, sizeof(emotes));
}

static void image_task(void *param)
{
	struct image *img = param;
	const struct rfo_ui_chat_view *view = rfo_chat_feed_view();
	if (rfo_controller_running() && view)
		view->set_image(img->url, img->data, img->len);
	bfree(img->url);
	bfree(img->data);
	bfree(img);
}

/* HTTP worker thread: every image fetched goes to the dock (it shows the same messages: one fetch serves the dock and
 * the overlays) and to the listener, which hears of failures too (so it does not try again what the dock could not
 * have). */
static void on_done(void *param, struct rfo_http_response *resp)
{
	struct job *job = param;
	bool ok = rfo_http_response_ok(resp) && resp->body && resp->len > 0 && resp->len <= RFO_CHAT_EMOTE_MAX_BYTES;
	bool cancelled = resp->error.code == RFO_ERR_CANCELLED;
	rfo_chat_emotes_done_fn listener = NULL;
	bool for_listener = false;
	if (emotes.init) {
		pthread_mutex_lock(&emotes.mutex);
		job_remove(job);
		if (!cancelled && !known_has(job->hash))
			known_add(
				job->hash); /* the dock then asks neither for one the overlays had, nor for one that failed */
		for_listener = job->for_listener;
		listener = emotes.listener;
		if (ok)
			emotes.stats.loaded++;
		else if (!cancelled)
			emotes.stats.failed++;
		pthread_mutex_unlock(&emotes.mutex);
	}
	if (ok && !cancelled) {
		if (listener) {
			char *copy = bmemdup(resp->body, resp->len);
			listener(job->url, copy, resp->len);
		}
		struct image *img = bzalloc(sizeof(*img));
		img->url = job->url;
		img->data = resp->body; /* taken from the worker */
		img->len = resp->len;
		resp->body = NULL;
		job->url = NULL;
		rfo_dispatch(image_task, img);
	} else if (listener && (for_listener || !cancelled)) {
		listener(job->url, NULL, 0);
	}
	bfree(job->url);
	bfree(job);
}

/* With the lock held, for a URL allowed and not in flight: starts its fetch (false, and nothing in flight, when the
 * worker would not take it). The lock is dropped around the submit and taken again. */
static bool start_locked(const char *url, uint64_t h, bool for_listener)
{
	static const char *const headers[] = {"Accept: image/png, image/gif, image/jpeg, image/webp", NULL};
	struct rfo_http_request req = {
		.method = RFO_HTTP_GET,
		.url = url,
		.headers = headers,
		.timeout_ms = FETCH_TIMEOUT_MS,
		.max_body_bytes = RFO_CHAT_EMOTE_MAX_BYTES,
		.public_only = true,
	};
	struct job *job = bzalloc(sizeof(*job));
	job->url = bstrdup(url);
	job->hash = h;
	job->for_listener = for_listener;
	emotes.jobs[emotes.in_flight++] = job;
	emotes.stats.requested++;
	pthread_mutex_unlock(&emotes.mutex);
	/* the worker calls on_done later, never from inside the submit */
	const bool ok = rfo_http_submit(rfo_controller_http(), &req, on_done, job);
	pthread_mutex_lock(&emotes.mutex);
	if (!ok) {
		job_remove(job);
		emotes.stats.failed++;
		bfree(job->url);
		bfree(job);
	}
	return ok;
}

void rfo_chat_emotes_want(const char *url)
{
	if (!emotes.init || !url)
		return;
	uint64_t h = rfo_text_hash(url);
	bool ok = rfo_chat_image_url_allowed(url, rfo_http_loopback_images_allowed());
	pthread_mutex_lock(&emotes.mutex);
	if (known_has(h) || (ok && !job_find(h) && emotes.in_flight >= RFO_CHAT_EMOTE_MAX_IN_FLIGHT)) {
		/* asked before, or busy: a later message with the same emote asks again */
		pthread_mutex_unlock(&emotes.mutex);
		return;
	}
	known_add(h);
	if (!ok)
		emotes.stats.refused++;
	else if (!job_find(h)) /* in flight for the overlays: its bytes come to the dock too */
		start_locked(url, h, false);
	pthread_mutex_unlock(&emotes.mutex);
}

void rfo_chat_emotes_set_listener(rfo_chat_emotes_done_fn listener)
{
	if (!emotes.init)
		return;
	pthread_mutex_lock(&emotes.mutex);
	emotes.listener = listener;
	pthread_mutex_unlock(&emotes.mutex);
}

enum rfo_chat_emotes_fetch rfo_chat_emotes_fetch(const char *url)
{
	if (!emotes.init || !url)
		return RFO_CHAT_EMOTES_REFUSED;
	const uint64_t h = rfo_text_hash(url);
	const bool ok = rfo_chat_image_url_allowed(url, rfo_http_loopback_images_allowed());
	enum rfo_chat_emotes_fetch result = RFO_CHAT_EMOTES_STARTED;
	pthread_mutex_lock(&emotes.mutex);
	struct job *job = ok ? job_find(h) : NULL;
	if (!ok) {
		emotes.stats.refused++;
		result = RFO_CHAT_EMOTES_REFUSED;
	} else if (job) {
		job->for_listener = true; /* the dock's fetch of it is in flight: its bytes come to the listener too */
	} else if (emotes.in_flight >= RFO_CHAT_EMOTE_MAX_IN_FLIGHT || !start_locked(url, h, true)) {
		result = RFO_CHAT_EMOTES_BUSY;
	}
	pthread_mutex_unlock(&emotes.mutex);
	return result;
}

void rfo_chat_emotes_stats(struct rfo_chat_emote_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!emotes.init)
		return;
	pthread_mutex_lock(&emotes.mutex);
	*out = emotes.stats;
	pthread_mutex_unlock(&emotes.mutex);
}
