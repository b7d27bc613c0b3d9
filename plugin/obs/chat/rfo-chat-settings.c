/* The chat tab's settings file. See rfo-chat-settings.h. */
#include "rfo-chat-settings.h"
#include "rfo-chat-store.h"
#include "rfo-log.h"

#include <obs-module.h>
#include <stdio.h>
#include <string.h>

static int clampi(long long v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : (int)v;
}

int rfo_chat_settings_history(long long v)
{
	return clampi(v, RFO_CHAT_HISTORY_MIN, RFO_CHAT_HISTORY_MAX);
}

void rfo_chat_settings_load(struct rfo_ui_chat_settings *s, const char *path)
{
	memset(s, 0, sizeof(*s));
	s->history = RFO_CHAT_STORE_DEFAULT_CAPACITY;
	s->show_timestamps = true;
	s->highlight_mentions = true;
	obs_data_t *d = path ? obs_data_create_from_json_file_safe(path, "bak") : NULL;
	if (!d)
		return;
	if (obs_data_has_user_value(d, "history"))
		s->history = rfo_chat_settings_history(obs_data_get_int(d, "history"));
	if (obs_data_has_user_value(d, "font_size")) {
		long long fs = obs_data_get_int(d, "font_size");
		s->font_size = fs ? clampi(fs, RFO_CHAT_FONT_MIN, RFO_CHAT_FONT_MAX) : 0;
	}
	if (obs_data_has_user_value(d, "show_timestamps"))
		s->show_timestamps = obs_data_get_bool(d, "show_timestamps");
	if (obs_data_has_user_value(d, "highlight_mentions"))
		s->highlight_mentions = obs_data_get_bool(d, "highlight_mentions");
	snprintf(s->keywords, sizeof(s->keywords), "%s", obs_data_get_string(d, "keywords"));
	snprintf(s->hidden_platforms, sizeof(s->hidden_platforms), "%s", obs_data_get_string(d, "hidden_platforms"));
	obs_data_release(d);
}

void rfo_chat_settings_save(const struct rfo_ui_chat_settings *s, const char *path)
{
	if (!path)
		return;
	obs_data_t *d = obs_data_create();
	obs_data_set_int(d, "history", s->history);
	obs_data_set_int(d, "font_size", s->font_size);
	obs_data_set_bool(d, "show_timestamps", s->show_timestamps);
	obs_data_set_bool(d, "highlight_mentions", s->highlight_mentions);
	obs_data_set_string(d, "keywords", s->keywords);
	obs_data_set_string(d, "hidden_platforms", s->hidden_platforms);
	if (!obs_data_save_json_safe(d, path, "tmp", "bak"))
		rfo_log_sub(LOG_WARNING, "chat", "could not save the chat settings");
	obs_data_release(d);
}
