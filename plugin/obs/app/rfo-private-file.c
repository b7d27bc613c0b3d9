/* Private files and their folder (see rfo-private-file.h). */
#include "rfo-private-file.h"
#include "rfo-log.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <util/dstr.h>
#include <util/platform.h>

bool rfo_private_dir_make(const char *dir)
{
	if (!dir || !*dir || os_mkdirs(dir) == MKDIR_ERROR) {
		rfo_log(LOG_WARNING, "could not create the plugin's config folder");
		return false;
	}
	if (chmod(dir, 0700) != 0) {
		rfo_log(LOG_WARNING, "could not make the plugin's config folder private: %s", strerror(errno));
		return false;
	}
	return true;
}

/* The file at 0600 (when it exists). */
static bool tighten(const char *path)
{
	return chmod(path, 0600) == 0 || errno == ENOENT;
}

bool rfo_private_file_save(obs_data_t *data, const char *path)
{
	struct dstr tmp = {0}, bak = {0};
	dstr_printf(&tmp, "%s.tmp", path);
	dstr_printf(&bak, "%s.bak", path);
	/* libobs writes the temporary file with fopen(…, "wb"), which keeps the mode of a file that exists */
	int fd = open(tmp.array, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	bool ok = fd >= 0 && fchmod(fd, 0600) == 0;
	if (fd >= 0)
		close(fd);
	ok = ok && obs_data_save_json_safe(data, path, "tmp", "bak");
	ok = ok && tighten(path) && tighten(bak.array);
	if (!ok)
		unlink(tmp.array);
	dstr_free(&tmp);
	dstr_free(&bak);
	return ok;
}
