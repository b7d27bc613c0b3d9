/* The chat tab's settings (plugin_config/restream-for-obs/chat.json): read with their defaults and limits, saved
 * atomically (obs_data's tmp + bak). Any thread; the chat feed calls them at start and at exit. */
#pragma once

#include "rfo-ui-chat.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Defaults first, then what the file holds, each value within its limits; a missing or broken file: defaults. */
void rfo_chat_settings_load(struct rfo_ui_chat_settings *s, const char *path);
void rfo_chat_settings_save(const struct rfo_ui_chat_settings *s, const char *path);
/* A history length within RFO_CHAT_HISTORY_MIN..MAX. */
int rfo_chat_settings_history(long long v);

#ifdef __cplusplus
}
#endif
