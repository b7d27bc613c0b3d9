/* Destinations: the platform list and icons, kept on disk in the module's config folder, and fetching the
 * icons. Never on the UI thread (disk and network). */
#include "rfo-channels-private.h"
#include "rfo-chat-look.h"
#include "rfo-http.h"
#include "rfo-log.h"

#include <obs-module.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <util/bmem.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

struct icon {
	int64_t platform_id;
	unsigned char *data; /* set once, kept until rfo_ch_cache_free */
	size_t size;
	bool tried;
};

static struct {
	char *config_dir, *platforms_path, *icons_dir; /* set at create */
	/* Guards everything below. Taken after the channel list's lock, never before it; nothing else is locked while
	 * it is held. */
	pthread_mutex_t mutex;
	bool disk_loaded;
	bool platforms_fetched; /* asked of Restream once per run */
	struct rfo_platform_list platforms;
	DARRAY(struct icon) icons;
} platform_cache;

void rfo_ch_cache_create(void)
{
	pthread_mutex_init(&platform_cache.mutex, NULL);
	da_init(platform_cache.icons);
	platform_cache.config_dir = obs_module_config_path("");
	platform_cache.platforms_path = obs_module_config_path("platforms.json");
	platform_cache.icons_dir = obs_module_config_path("platform-icons");
}

void rfo_ch_cache_free(void)
{
	rfo_platform_list_free(&platform_cache.platforms);
	for (size_t i = 0; i < platform_cache.icons.num; i++)
		bfree(platform_cache.icons.array[i].data);
	da_free(platform_cache.icons);
	bfree(platform_cache.config_dir);
	bfree(platform_cache.platforms_path);
	bfree(platform_cache.icons_dir);
	pthread_mutex_destroy(&platform_cache.mutex);
	memset(&platform_cache, 0, sizeof(platform_cache));
}

/* ---------------------------------------------------------------- icons */

static struct icon *icon_get_locked(int64_t platform_id, bool create)
{
	for (size_t i = 0; i < platform_cache.icons.num; i++)
		if (platform_cache.icons.array[i].platform_id == platform_id)
			return &platform_cache.icons.array[i];
	if (!create || platform_cache.icons.num >= MAX_ICONS)
		return NULL;
	struct icon ic = {.platform_id = platform_id};
	da_push_back(platform_cache.icons, &ic);
	return &platform_cache.icons.array[platform_cache.icons.num - 1];
}

static char *icon_path(int64_t platform_id)
{
	struct dstr s = {0};
	dstr_printf(&s, "%s/platform-%lld.png", platform_cache.icons_dir, (long long)platform_id);
	return s.array;
}

static bool is_png(const void *data, size_t size)
{
	return size > 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0;
}

const unsigned char *rfo_ch_icon(int64_t platform_id, size_t *size)
{
	pthread_mutex_lock(&platform_cache.mutex);
	const struct icon *ic = icon_get_locked(platform_id, false);
	const unsigned char *data = ic ? ic->data : NULL;
	*size = ic ? ic->size : 0;
	pthread_mutex_unlock(&platform_cache.mutex);
	return data;
}

char *rfo_ch_platform_name(int64_t platform_id, bool *known)
{
	pthread_mutex_lock(&platform_cache.mutex);
	char *name = rfo_channel_platform_name(&platform_cache.platforms, platform_id, known);
	pthread_mutex_unlock(&platform_cache.mutex);
	return name;
}

/* ---------------------------------------------------------------- disk */

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

static void write_file(const char *dir, const char *path, const void *data, size_t size)
{
	if (!path || os_mkdirs(dir) == MKDIR_ERROR) {
		rfo_log_sub(LOG_WARNING, "channels", "could not create the cache folder");
		return;
	}
	struct dstr tmp = {0};
	dstr_printf(&tmp, "%s.tmp", path);
	FILE *f = os_fopen(tmp.array, "wb");
	bool ok = f && fwrite(data, 1, size, f) == size;
	if (f)
		ok = fclose(f) == 0 && ok;
	if (!ok || os_safe_replace(path, tmp.array, NULL) != 0) {
		rfo_log_sub(LOG_WARNING, "channels", "could not write the platform cache");
		os_unlink(tmp.array);
	}
	dstr_free(&tmp);
}

/* The platform list (and icons) saved by an earlier session, when less than a day old. Not on
 * the UI thread (disk). */
void rfo_ch_load_disk_once(void)
{
	pthread_mutex_lock(&platform_cache.mutex);
	bool done = platform_cache.disk_loaded;
	platform_cache.disk_loaded = true;
	pthread_mutex_unlock(&platform_cache.mutex);
	struct stat st;
	if (done || !platform_cache.platforms_path || stat(platform_cache.platforms_path, &st) != 0 ||
	    time(NULL) - st.st_mtime > PLATFORMS_MAX_AGE_S)
		return;
	size_t size = 0;
	unsigned char *text = read_small_file(platform_cache.platforms_path, 1024 * 1024, &size);
	struct rfo_platform_list list = {0};
	if (!text || !rfo_rest_parse_platforms((const char *)text, size, &list, NULL)) {
		bfree(text);
		return;
	}
	bfree(text);
	for (size_t i = 0; i < list.count && i < MAX_ICONS; i++) {
		char *path = icon_path(list.items[i].id);
		size_t isize = 0;
		unsigned char *data = read_small_file(path, ICON_MAX_BYTES, &isize);
		bfree(path);
		if (!data || !is_png(data, isize)) {
			bfree(data);
			continue;
		}
		pthread_mutex_lock(&platform_cache.mutex);
		struct icon *ic = icon_get_locked(list.items[i].id, true);
		if (ic && !ic->data) {
			ic->data = data;
			ic->size = isize;
			ic->tried = true;
			data = NULL;
		}
		pthread_mutex_unlock(&platform_cache.mutex);
		bfree(data);
	}
	pthread_mutex_lock(&platform_cache.mutex);
	if (!platform_cache.platforms.count) {
		platform_cache.platforms = list;
		memset(&list, 0, sizeof(list));
	}
	pthread_mutex_unlock(&platform_cache.mutex);
	rfo_platform_list_free(&list);
	rfo_log_sub(LOG_INFO, "channels", "platform list loaded from the cache");
}

/* ---------------------------------------------------------------- answers */

bool rfo_ch_platforms_claim_first(void)
{
	pthread_mutex_lock(&platform_cache.mutex);
	bool claim = !platform_cache.platforms_fetched && !platform_cache.platforms.count;
	if (claim)
		platform_cache.platforms_fetched = true;
	pthread_mutex_unlock(&platform_cache.mutex);
	return claim;
}

bool rfo_ch_platforms_claim_unknown(const int64_t *platform_ids, size_t count)
{
	pthread_mutex_lock(&platform_cache.mutex);
	bool claim = false;
	for (size_t i = 0; i < count && !platform_cache.platforms_fetched && !claim; i++)
		claim = !rfo_platform_list_find(&platform_cache.platforms, platform_ids[i]);
	if (claim)
		platform_cache.platforms_fetched = true;
	pthread_mutex_unlock(&platform_cache.mutex);
	return claim;
}

bool rfo_ch_store_platforms(const char *body, size_t len, struct rfo_error *err)
{
	struct rfo_platform_list list = {0};
	if (!rfo_rest_parse_platforms(body, len, &list, err))
		return false;
	pthread_mutex_lock(&platform_cache.mutex);
	rfo_platform_list_free(&platform_cache.platforms);
	platform_cache.platforms = list;
	pthread_mutex_unlock(&platform_cache.mutex);
	write_file(platform_cache.config_dir, platform_cache.platforms_path, body, len);
	return true;
}

void rfo_ch_store_icon(int64_t platform_id, const char *body, size_t len)
{
	if (!is_png(body, len))
		return;
	pthread_mutex_lock(&platform_cache.mutex);
	struct icon *ic = icon_get_locked(platform_id, true);
	if (ic && !ic->data) {
		ic->data = bmemdup(body, len);
		ic->size = len;
	}
	pthread_mutex_unlock(&platform_cache.mutex);
	char *path = icon_path(platform_id);
	write_file(platform_cache.icons_dir, path, body, len);
	bfree(path);
}

/* The same rule as every remote image: https (public addresses only, checked by the fetch), plain http to a
 * loopback host only under the tests' switch. */
static bool icon_url_ok(const char *url)
{
	return rfo_chat_image_url_allowed(url, rfo_http_loopback_images_allowed());
}

/* Fetches (https or loopback only, size-limited) the icons of the user's platforms not tried yet. */
void rfo_ch_start_icons(void)
{
	DARRAY(int64_t) pids;
	DARRAY(int64_t) ids;
	DARRAY(char *) urls;
	da_init(pids);
	da_init(ids);
	da_init(urls);
	rfo_ch_platform_ids(&pids.da);
	pthread_mutex_lock(&platform_cache.mutex);
	for (size_t i = 0; i < pids.num; i++) {
		int64_t pid = pids.array[i];
		const struct rfo_platform *p = rfo_platform_list_find(&platform_cache.platforms, pid);
		const char *url = p ? (p->image_png ? p->image_png : p->alt_image_png) : NULL;
		struct icon *ic = p ? icon_get_locked(pid, true) : NULL;
		if (!ic || ic->tried)
			continue;
		ic->tried = true;
		if (!icon_url_ok(url))
			continue;
		char *copy = bstrdup(url);
		da_push_back(ids, &pid);
		da_push_back(urls, &copy);
	}
	pthread_mutex_unlock(&platform_cache.mutex);
	if (ids.num)
		rfo_ch_fetch_icons(ids.array, urls.array, ids.num);
	da_free(pids);
	da_free(ids);
	da_free(urls);
}
