#pragma once

#include <obs-data.h>
#include <stdbool.h>

/* The plugin's own files hold secrets (settings.json: the own-app client secret; the previous streaming service:
 * a stream key). Their folder is 0700 from the moment it exists and every such file is 0600 after every save,
 * whatever the umask: nothing of them is readable by another local user, also with the keyring backend (which never
 * writes a file of its own into the folder). */

/* mkdir -p `dir`, then 0700 on it (created now or before). False (logged) when it cannot be made private. */
bool rfo_private_dir_make(const char *dir);

/* obs_data_save_json_safe(data, path, "tmp", "bak") with the temporary file created 0600 before it is written and
 * `path` and its ".bak" at 0600 after the replace. */
bool rfo_private_file_save(obs_data_t *data, const char *path);
