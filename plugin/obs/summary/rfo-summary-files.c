/* The summary's files: <config>/summaries/<started>-summary.{json,csv}, private, the newest 50 pairs kept. */
#include "rfo-stream-summary.h"
#include "rfo-log.h"
#include "rfo-private-file.h"

#include <errno.h>
#include <fcntl.h>
#include <obs-module.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <util/bmem.h>
#include <util/darray.h>
#include <util/dstr.h>
#include <util/platform.h>

#define SUFFIX "-summary.json"

/* Writes text to path through a 0600 temporary file and a rename (a reader never sees half a file). */
static bool write_private(const char *path, const char *text)
{
	struct dstr tmp = {0};
	dstr_printf(&tmp, "%s.tmp", path);
	bool ok = false;
	int fd = open(tmp.array, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		size_t len = strlen(text), done = 0;
		while (done < len) {
			ssize_t n = write(fd, text + done, len - done);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			done += (size_t)n;
		}
		ok = done == len && fchmod(fd, 0600) == 0;
		ok = close(fd) == 0 && ok;
		ok = ok && rename(tmp.array, path) == 0;
		if (!ok)
			unlink(tmp.array);
	}
	dstr_free(&tmp);
	return ok;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Removes all but the newest RFO_SUMMARY_FILES_KEPT pairs (names start with the time, so they sort by age). */
static void prune(const char *dir)
{
	DARRAY(char *) names;
	da_init(names);
	os_dir_t *d = os_opendir(dir);
	struct os_dirent *ent;
	while (d && (ent = os_readdir(d)) != NULL) {
		size_t n = strlen(ent->d_name);
		if (!ent->directory && n > strlen(SUFFIX) && strcmp(ent->d_name + n - strlen(SUFFIX), SUFFIX) == 0) {
			char *copy = bstrdup(ent->d_name);
			da_push_back(names, &copy);
		}
	}
	os_closedir(d);
	if (names.num > RFO_SUMMARY_FILES_KEPT) {
		qsort(names.array, names.num, sizeof(char *), cmp_names);
		for (size_t i = 0; i < names.num - RFO_SUMMARY_FILES_KEPT; i++) {
			struct dstr p = {0};
			dstr_printf(&p, "%s/%s", dir, names.array[i]);
			os_unlink(p.array);
			dstr_resize(&p, p.len - strlen(".json"));
			dstr_cat(&p, ".csv");
			os_unlink(p.array);
			dstr_free(&p);
		}
	}
	for (size_t i = 0; i < names.num; i++)
		bfree(names.array[i]);
	da_free(names);
}

bool rfo_summary_files_save(const struct rfo_summary *summary)
{
	char *dir = obs_module_config_path("summaries");
	bool ok = dir && rfo_private_dir_make(dir);
	if (ok) {
		time_t started = (time_t)(summary->started_ms / 1000);
		struct tm tm;
		char stamp[32];
		gmtime_r(&started, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		char *json = rfo_summary_json(summary);
		char *csv = rfo_summary_csv(summary);
		struct dstr path = {0};
		dstr_printf(&path, "%s/%s-summary.json", dir, stamp);
		ok = write_private(path.array, json);
		dstr_printf(&path, "%s/%s-summary.csv", dir, stamp);
		ok = write_private(path.array, csv) && ok;
		if (ok)
			rfo_log_sub(LOG_INFO, "summary",
				    "saved the stream summary as summaries/%s-summary.json and .csv", stamp);
		else
			rfo_log_sub(LOG_WARNING, "summary", "could not save the stream summary in %s", dir);
		dstr_free(&path);
		bfree(json);
		bfree(csv);
		prune(dir);
	}
	bfree(dir);
	return ok;
}
