#pragma once

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The C face of the Qt layer. plugin/obs never calls plugin/ui by name: plugin-main.c creates the dock and
 * hands the function table it returns to the controller, and wires each feature's tab the same way
 * (rfo_ui_<feature>_connect in rfo-ui-<feature>.h). So rfo-obs needs these headers only (the rfo-ui-api target)
 * and links without Qt. Every function here, and every function in the tables, runs on OBS's UI thread only
 * (plugin/obs marshals through rfo_dispatch); debug and sanitizer builds check it (rfo-ui-thread.hpp).
 * Strings are borrowed for the duration of the call. */

enum rfo_ui_auth_state {
	RFO_UI_SIGNED_OUT,
	RFO_UI_SIGNING_IN,
	RFO_UI_SIGNED_IN,
	RFO_UI_RECONNECT, /* Restream ended the session; one click signs in again */
};

struct rfo_ui_account {
	enum rfo_ui_auth_state state;
	const char *display_name;
	const char *username;
	const char *message;       /* a sentence for the user, or NULL */
	const char *authorize_url; /* while signing in: the link to copy when no browser opens */
};

struct rfo_ui_app_settings {
	char client_id[256];
	char client_secret[256];
	char redirect_uri[128]; /* read-only: what to register in the Restream app (from redirect_port) */
	uint16_t redirect_port; /* the own app's redirect port (the user's choice) */
	char sign_in_mode[256]; /* read-only: how this OBS signs in now (a sentence) */
	int health_grace_s;     /* health alerts: how long a problem lasts before it is an alert (s) */
	int health_bitrate_pct; /* health alerts: Restream's incoming bitrate below this % of OBS's is an alert */
};

/* What the UI asks of the plugin; all called on the UI thread, none may block. */
struct rfo_ui_actions {
	void (*sign_in)(void);
	void (*sign_out)(void);
	void (*load_app_settings)(struct rfo_ui_app_settings *out);
	void (*save_app_settings)(const struct rfo_ui_app_settings *in);
};

/* The dock as plugin/obs reaches it (plugin/ui implements it). */
struct rfo_ui_dock {
	/* Shows the signed-out page (with its message and sign-in link) or the account page. */
	void (*set_account)(const struct rfo_ui_account *account);
	/* Opens `url` in the system browser (honours BROWSER on Linux). */
	bool (*open_url)(const char *url);
	/* Docks the Restream dock on the right and shows it (first run: OBS hides new docks). */
	void (*reveal)(void);
};

/* Creates the "Restream" dock and the Tools menu entry. Returns the dock's functions (static: valid until
 * unload; they do nothing when OBS has no main window). */
const struct rfo_ui_dock *rfo_ui_create(const struct rfo_ui_actions *actions);
/* Closes the settings dialog and forgets the actions; the dock itself belongs to OBS's main window. */
void rfo_ui_destroy(void);

#ifdef __cplusplus
}
#endif
