#pragma once
/* The dock's health banner (plugin/ui/health/rfo-health-banner.cpp) and the health feature (plugin/obs/health)
 * reach each other only through the two tables below, wired by plugin-main.c. Every function runs on OBS's UI
 * thread only. Pointers are borrowed for the duration of the call; the view copies what it keeps. */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One open alert. */
struct rfo_ui_health_alert {
	const char *kind;    /* "destination", "bitrate", "ingest", "chat" */
	int64_t channel_id;  /* 0 = none */
	const char *message; /* which destination and what happened (a sentence) */
	int64_t since;       /* unix s */
	const char *url;     /* the channel's page for "Open channel page", "" = no action */
};

typedef void (*rfo_ui_health_state_cb)(void *param, const struct rfo_ui_health_alert *alerts, size_t count);

struct rfo_ui_health_actions {
	/* Calls cb once, at once, with the open alerts (oldest first). */
	void (*state)(rfo_ui_health_state_cb cb, void *param);
};

struct rfo_ui_health_view {
	/* The alerts changed: the banner pulls them through state(). Nothing happens before it is built. */
	void (*changed)(void);
};

const struct rfo_ui_health_view *rfo_ui_health_connect(const struct rfo_ui_health_actions *actions);

#ifdef __cplusplus
}
#endif
