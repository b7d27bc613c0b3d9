/* Destinations: the platform list and icons kept on disk, and fetching the icons. Never on the UI
 * thread (disk and network). */
#include "rfo-channels-private.h"
#include "rfo-chat-look.h"
#include "rfo-log.h"

#include <obs-module.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <util/bmem.h>
#include <util/platform.h>

/* ---------------------------------------------------------------- disk cache and icons */

static unsigned char *read_small_file(const char *path, size_t max, size_t *size)
{
	FILE *f = os_fopen(path, "rb");
	if (!f)
		return NULL;
	unsigned char *buf = bmalloc(max + 1);
	size_t n = fread(buf, 1, max + 1, f);
	fclose(f);
	if (n == 0 || n > max) {
		bfree(buf);
		return NULL;
	}
	*size = n;
	return buf;
}

/* The platform list (and icons) saved by an earlier session, when less than a day old. Not on
 * the UI thread (disk). */
void rfo_ch_load_disk_once(void)
{
	pthread_mutex_lock(&rfo_ch.mutex);
	bool done = rfo_ch.disk_loaded;
	rfo_ch.disk_loaded = true;
	pthread_mutex_unlock(&rfo_ch.mutex);
	struct stat st;
	if (done || !rfo_ch.platforms_path || stat(rfo_ch.platforms_path, &st) != 0 ||
	    time(NULL) - st.st_mtime > PLATFORMS_MAX_AGE_S)
		return;
	size_t size = 0;
	unsigned char *text = read_small_file(rfo_ch.platforms_path, 1024 * 1024, &size);
	struct rfo_platform_list list = {0};
	if (!text || !rfo_rest_parse_platforms((const char *)text, size, &list, NULL)) {
		bfree(text);
		return;
	}
	bfree(text);
	for (size_t i = 0; i < list.count && i < MAX_ICONS; i++) {
		char *path = rfo_ch_icon_path(list.items[i].id);
		size_t isize = 0;
		unsigned char *data = read_small_file(path, ICON_MAX_BYTES, &isize);
		bfree(path);
		if (!data || !rfo_ch_is_png(data, isize)) {
			bfree(data);
			continue;
		}
		pthread_mutex_lock(&rfo_ch.mutex);
		struct icon *ic = rfo_ch_icon_get_locked(list.items[i].id, true);
		if (ic && !ic->data) {
			ic->data = data;
			ic->size = isize;
			ic->tried = true;
			data = NULL;
		}
		pthread_mutex_unlock(&rfo_ch.mutex);
		bfree(data);
	}
	pthread_mutex_lock(&rfo_ch.mutex);
	if (!rfo_ch.platforms.count) {
		rfo_ch.platforms = list;
		memset(&list, 0, sizeof(list));
	}
	pthread_mutex_unlock(&rfo_ch.mutex);
	rfo_platform_list_free(&list);
	rfo_log_sub(LOG_INFO, "channels", "platform list loaded from the cache");
}

/* The same rule as every remote image: https, or plain http to a loopback host only. */
static bool icon_url_ok(const char *url)
{
	return rfo_chat_image_url_allowed(url);
}

/* Fetches (https or loopback only, size-limited) the icons of the user's platforms not tried yet. */
void rfo_ch_start_icons(void)
{
	DARRAY(int64_t) ids;
	DARRAY(char *) urls;
	da_init(ids);
	da_init(urls);
	pthread_mutex_lock(&rfo_ch.mutex);
	for (size_t i = 0; i < rfo_ch.model.count; i++) {
		int64_t pid = rfo_ch.model.items[i].ch.platform_id;
		const struct rfo_platform *p = rfo_platform_list_find(&rfo_ch.platforms, pid);
		const char *url = p ? (p->image_png ? p->image_png : p->alt_image_png) : NULL;
		struct icon *ic = p ? rfo_ch_icon_get_locked(pid, true) : NULL;
		if (!ic || ic->tried)
			continue;
		ic->tried = true;
		if (!icon_url_ok(url))
			continue;
		char *copy = bstrdup(url);
		da_push_back(ids, &pid);
		da_push_back(urls, &copy);
	}
	pthread_mutex_unlock(&rfo_ch.mutex);
	if (ids.num) {
		struct job *job = rfo_ch_job_create(J_ICONS);
		for (size_t i = 0; i < ids.num; i++) {
			struct req *r = rfo_ch_req_new(job, K_ICON, ids.array[i]);
			r->url = urls.array[i];
			urls.array[i] = NULL;
			rfo_ch_submit(r);
		}
		rfo_ch_job_finish_one(job);
		rfo_ch_job_release(job);
	}
	for (size_t i = 0; i < urls.num; i++)
		bfree(urls.array[i]);
	da_free(ids);
	da_free(urls);
}
