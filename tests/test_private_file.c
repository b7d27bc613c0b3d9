/* The plugin's config folder and settings.json (which holds the own-app client secret) are private whatever the
 * umask: the folder 0700 (also when it existed before at 0755), settings.json and its backup 0600 after every save
 * (the app credentials from Tools → Restream settings and the one-time flags alike). */
#include "rfo-test.h"
#include "rfo-config.h"
#include "rfo-private-file.h"

#include <obs-module.h>
#include <sys/stat.h>
#include <unistd.h>
#include <util/dstr.h>
#include <util/platform.h>

OBS_DECLARE_MODULE()
OBS_MODULE_USE_DEFAULT_LOCALE("restream-for-obs", "en-US")

static unsigned mode_of(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "FAIL: %s does not exist\n", path);
		exit(1);
	}
	return (unsigned)(st.st_mode & 07777);
}

#define check_mode(path, want)                                                                                        \
	do {                                                                                                          \
		unsigned got_ = mode_of(path);                                                                        \
		if (got_ != (want)) {                                                                                 \
			fprintf(stderr, "%s:%d: FAIL: %s has mode %04o, want %04o\n", __FILE__, __LINE__, path, got_, \
				(unsigned)(want));                                                                    \
			exit(1);                                                                                      \
		}                                                                                                     \
	} while (0)

int main(void)
{
	umask(022); /* the usual desktop umask: files 0644, folders 0755 unless the plugin says otherwise */
	char root[] = "/tmp/rfo-private-XXXXXX";
	check(mkdtemp(root));
	struct dstr dir = {0}, path = {0}, bak = {0}, old = {0};
	dstr_printf(&dir, "%s/plugin_config/restream-for-obs", root);
	dstr_printf(&path, "%s/settings.json", dir.array);
	dstr_printf(&bak, "%s/settings.json.bak", dir.array);
	dstr_printf(&old, "%s/existing", root);

	/* the folder: created private, and an existing 0755 one tightened */
	check(rfo_private_dir_make(dir.array));
	check_mode(dir.array, 0700);
	check(os_mkdir(old.array) == MKDIR_SUCCESS);
	chmod(old.array, 0755);
	check(rfo_private_dir_make(old.array));
	check_mode(old.array, 0700);

	/* settings.json: the first save, a second one (which leaves a .bak), and a one-time flag */
	check(rfo_config_write_app(path.array, "my-app", "my-secret", 28765));
	check_mode(path.array, 0600);
	check(rfo_config_write_app(path.array, "my-app", "my-other-secret", 28765));
	check_mode(path.array, 0600);
	check_mode(bak.array, 0600);
	chmod(path.array, 0644); /* e.g. written by an older version */
	check(!rfo_config_test_and_set(path.array, "dock_revealed"));
	check_mode(path.array, 0600);
	check_mode(bak.array, 0600);
	char *id, *secret;
	rfo_config_read_app(path.array, &id, &secret);
	check_str(id, "my-app");
	check_str(secret, "my-other-secret");
	bfree(id);
	bfree(secret);

	/* a plain obs_data save through the same helper */
	obs_data_t *d = obs_data_create();
	obs_data_set_string(d, "key", "value");
	check(rfo_private_file_save(d, path.array));
	obs_data_release(d);
	check_mode(path.array, 0600);

	struct dstr cmd = {0};
	dstr_printf(&cmd, "rm -rf '%s'", root);
	check(system(cmd.array) == 0);
	dstr_free(&cmd);
	dstr_free(&dir);
	dstr_free(&path);
	dstr_free(&bak);
	dstr_free(&old);
	return rfo_test_end();
}
