/* The chat sources' emote images: which the worker asks the plugin's emote fetcher for (obs/chat's
 * rfo-chat-emotes.h: same URL rules, size and concurrency bounds as the dock's), and the bytes that arrive, handed to
 * the painter's shared cache on the worker thread (the painter decodes them there, off the UI and graphics threads).
 * Images the dock had fetched come here too (one fetch serves both). The worker never waits for an image: a line shows
 * the emote's code word until its image is in the cache. */
#include "rfo-chat-emotes.h"
#include "rfo-overlays-private.h"
#include "rfo-text.h"

#include <string.h>
#include <util/bmem.h>
#include <util/darray.h>
#include <util/threading.h>

#define PENDING_MAX 16  /* fetches in flight for the overlays (the fetcher allows fewer) */
#define FAILED_RING 256 /* URLs that failed, by hash: not asked for again until they drop out */

struct arrival {
	char *url;
	char *data; /* NULL: the fetch failed */
	size_t len;
};

static struct {
	/* Guards `arrived`, the HTTP worker's hand-over to the overlays' worker; a leaf. */
	pthread_mutex_t mutex;
	DARRAY(struct arrival) arrived;

	/* the overlays' worker's own */
	uint64_t pending[PENDING_MAX];
	size_t num_pending;
	uint64_t failed[FAILED_RING];
	size_t failed_next, failed_count;
	uint64_t generation;
} images = {.mutex = PTHREAD_MUTEX_INITIALIZER};

static bool has_hash(const uint64_t *set, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == h)
			return true;
	return false;
}

static void add_failed(uint64_t h)
{
	images.failed[images.failed_next] = h;
	images.failed_next = (images.failed_next + 1) % FAILED_RING;
	if (images.failed_count < FAILED_RING)
		images.failed_count++;
}

static void drop_pending(uint64_t h)
{
	for (size_t i = 0; i < images.num_pending; i++) {
		if (images.pending[i] == h) {
			images.pending[i] = images.pending[--images.num_pending];
			return;
		}
	}
}

/* HTTP worker thread: queue the bytes (or a failure) for the overlays' worker and wake it. */
static void on_fetched(const char *url, char *data, size_t len)
{
	struct arrival a = {bstrdup(url), data, len};
	pthread_mutex_lock(&images.mutex);
	da_push_back(images.arrived, &a);
	pthread_mutex_unlock(&images.mutex);
	rfo_overlays_wake();
}

/* Whether bytes for url arrived and wait for the next round (the dock's fetch of it may have just finished). */
static bool arrived(const char *url)
{
	bool found = false;
	pthread_mutex_lock(&images.mutex);
	for (size_t i = 0; !found && i < images.arrived.num; i++)
		found = strcmp(images.arrived.array[i].url, url) == 0;
	pthread_mutex_unlock(&images.mutex);
	return found;
}

bool rfo_overlay_images_want(const struct rfo_ui_overlays_view *view, const char *url)
{
	if (!view || !view->has_image || !url || !*url || view->has_image(url))
		return true;
	const uint64_t h = rfo_text_hash(url);
	if (has_hash(images.pending, images.num_pending, h) || has_hash(images.failed, images.failed_count, h))
		return true;
	if (arrived(url))
		return true;
	if (images.num_pending >= PENDING_MAX)
		return false;
	switch (rfo_chat_emotes_fetch(url)) {
	case RFO_CHAT_EMOTES_STARTED:
		images.pending[images.num_pending++] = h;
		return true;
	case RFO_CHAT_EMOTES_REFUSED:
		add_failed(h);
		return true;
	case RFO_CHAT_EMOTES_BUSY:
		break;
	}
	return false;
}

void rfo_overlay_images_listen(bool on)
{
	rfo_chat_emotes_set_listener(on ? on_fetched : NULL);
}

static void count_chat(void *param, obs_source_t *source, enum rfo_overlay_kind kind)
{
	UNUSED_PARAMETER(source);
	if (kind == RFO_OVERLAY_CHAT)
		(*(size_t *)param)++;
}

uint64_t rfo_overlay_images_take(const struct rfo_ui_overlays_view *view)
{
	pthread_mutex_lock(&images.mutex);
	struct arrival *list = images.arrived.array;
	const size_t n = images.arrived.num;
	da_init(images.arrived);
	pthread_mutex_unlock(&images.mutex);
	size_t chat_sources = 0;
	if (n)
		rfo_overlays_foreach(count_chat, &chat_sources);
	for (size_t i = 0; i < n; i++) {
		const uint64_t h = rfo_text_hash(list[i].url);
		/* images the dock fetched are kept only while a chat source could show them */
		const bool keep = chat_sources > 0 || has_hash(images.pending, images.num_pending, h);
		drop_pending(h);
		if (keep && list[i].data && view && view->add_image &&
		    view->add_image(list[i].url, list[i].data, list[i].len))
			images.generation++;
		else if (keep)
			add_failed(h); /* not fetched, or not an image the painter takes: the code word stays */
		bfree(list[i].url);
		bfree(list[i].data);
	}
	bfree(list);
	return images.generation;
}

void rfo_overlay_images_free(const struct rfo_ui_overlays_view *view)
{
	pthread_mutex_lock(&images.mutex);
	for (size_t i = 0; i < images.arrived.num; i++) {
		bfree(images.arrived.array[i].url);
		bfree(images.arrived.array[i].data);
	}
	da_free(images.arrived);
	pthread_mutex_unlock(&images.mutex);
	images.num_pending = images.failed_count = images.failed_next = 0;
	if (view && view->drop_images)
		view->drop_images();
}
