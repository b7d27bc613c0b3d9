/* The streaming service OBS had before the plugin's last apply, for "Restore my previous settings" and the vendor
 * request RestoreStreamSettings. Kept where OBS keeps the service itself (the profile's folder, beside its
 * service.json), at 0600 because it holds the user's own server and stream key; never logged. UI thread only. */
#include "rfo-golive-apply.h"
#include "rfo-log.h"
#include "rfo-private-file.h"

#include <obs-frontend-api.h>
#include <obs-module.h>
#include <unistd.h>
#include <util/bmem.h>
#include <util/dstr.h>
#include <util/platform.h>

#define PREVIOUS_FILE "restream-for-obs-previous-service.json"
#define S_TYPE "type"
#define S_SETTINGS "settings"

/* The current profile's copy, NULL when OBS has no profile folder. bfree. */
static char *previous_path(void)
{
	char *dir = obs_frontend_get_current_profile_path();
	if (!dir || !*dir) {
		bfree(dir);
		return NULL;
	}
	struct dstr p = {0};
	dstr_printf(&p, "%s/%s", dir, PREVIOUS_FILE);
	bfree(dir);
	return p.array;
}

bool rfo_golive_previous_keep(obs_service_t *service)
{
	char *path = previous_path();
	if (!service || !path) {
		bfree(path);
		return false;
	}
	obs_data_t *d = obs_data_create();
	obs_data_t *settings = obs_service_get_settings(service);
	obs_data_set_string(d, S_TYPE, obs_service_get_id(service));
	obs_data_set_obj(d, S_SETTINGS, settings);
	bool ok = rfo_private_file_save(d, path);
	obs_data_release(settings);
	obs_data_release(d);
	bfree(path);
	if (ok)
		rfo_log_sub(LOG_INFO, "golive", "kept OBS's previous streaming service (%s) for a restore",
			    obs_service_get_id(service));
	else
		rfo_log_sub(LOG_WARNING, "golive", "could not keep OBS's previous streaming service");
	return ok;
}

bool rfo_golive_previous_exists(void)
{
	char *path = previous_path();
	bool exists = path && os_file_exists(path);
	bfree(path);
	return exists;
}

obs_service_t *rfo_golive_previous_create(char **type_out)
{
	char *path = previous_path();
	obs_data_t *d = path ? obs_data_create_from_json_file(path) : NULL;
	bfree(path);
	if (!d)
		return NULL;
	obs_data_t *settings = obs_data_get_obj(d, S_SETTINGS);
	const char *type = obs_data_get_string(d, S_TYPE);
	obs_service_t *service = *type && settings ? obs_service_create(type, "default_service", settings, NULL) : NULL;
	if (service && type_out)
		*type_out = bstrdup(type);
	obs_data_release(settings);
	obs_data_release(d);
	return service;
}

void rfo_golive_previous_forget(void)
{
	char *path = previous_path();
	if (!path)
		return;
	struct dstr bak = {0};
	dstr_printf(&bak, "%s.bak", path);
	unlink(path);
	unlink(bak.array); /* the copy before the last keep: also the user's key */
	dstr_free(&bak);
	bfree(path);
}
