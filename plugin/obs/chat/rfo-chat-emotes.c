/* Emote images: bounded fetches on the shared HTTP worker. See rfo-chat-emotes.h. */
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

static struct {
	bool init;
	/* Guards everything below (emote URLs asked for, counters). A leaf lock. */
	pthread_mutex_t mutex;
	uint64_t known[RFO_CHAT_EMOTE_MAX_KNOWN]; /* hashes of URLs asked for (ring) */
	size_t known_next, known_count;
	int in_flight;
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

/* HTTP worker thread. */
static void on_done(void *param, struct rfo_http_response *resp)
{
	char *url = param;
	bool ok = rfo_http_response_ok(resp) && resp->body && resp->len > 0 && resp->len <= RFO_CHAT_EMOTE_MAX_BYTES;
	bool cancelled = resp->error.code == RFO_ERR_CANCELLED;
	if (emotes.init) {
		pthread_mutex_lock(&emotes.mutex);
		emotes.in_flight--;
		if (ok)
			emotes.stats.loaded++;
		else if (!cancelled)
			emotes.stats.failed++;
		pthread_mutex_unlock(&emotes.mutex);
	}
	if (!ok || cancelled) {
		bfree(url);
		return;
	}
	struct image *img = bzalloc(sizeof(*img));
	img->url = url;
	img->data = resp->body; /* taken from the worker */
	img->len = resp->len;
	resp->body = NULL;
	rfo_dispatch(image_task, img);
}

void rfo_chat_emotes_want(const char *url)
{
	if (!emotes.init || !url)
		return;
	uint64_t h = rfo_text_hash(url);
	bool ok = rfo_chat_image_url_allowed(url, rfo_http_loopback_images_allowed());
	pthread_mutex_lock(&emotes.mutex);
	if (known_has(h) || (ok && emotes.in_flight >= RFO_CHAT_EMOTE_MAX_IN_FLIGHT)) {
		/* asked before, or busy: a later message with the same emote asks again */
		pthread_mutex_unlock(&emotes.mutex);
		return;
	}
	known_add(h);
	if (!ok) {
		emotes.stats.refused++;
		pthread_mutex_unlock(&emotes.mutex);
		return;
	}
	emotes.in_flight++;
	emotes.stats.requested++;
	pthread_mutex_unlock(&emotes.mutex);

	static const char *const headers[] = {"Accept: image/png, image/gif, image/jpeg, image/webp", NULL};
	struct rfo_http_request req = {
		.method = RFO_HTTP_GET,
		.url = url,
		.headers = headers,
		.timeout_ms = FETCH_TIMEOUT_MS,
		.max_body_bytes = RFO_CHAT_EMOTE_MAX_BYTES,
		.public_only = true,
	};
	char *copy = bstrdup(url);
	if (!rfo_http_submit(rfo_controller_http(), &req, on_done, copy)) {
		bfree(copy);
		pthread_mutex_lock(&emotes.mutex);
		emotes.in_flight--;
		emotes.stats.failed++;
		pthread_mutex_unlock(&emotes.mutex);
	}
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
