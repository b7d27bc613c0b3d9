/* Destinations: frontend hotkeys "Restream: toggle <channel>", "enable all", "disable all". Their
 * bindings live in the profile's [Hotkeys] section, next to OBS's own frontend hotkeys. UI thread. */
#include "rfo-channels.h"
#include "rfo-log.h"

#include <obs-frontend-api.h>
#include <obs-hotkey.h>
#include <obs-module.h>
#include <util/bmem.h>
#include <util/config-file.h>
#include <util/darray.h>
#include <util/dstr.h>

#define HOTKEY_SECTION "Hotkeys"
#define NAME_PREFIX "RestreamForOBS."

struct toggle {
	int64_t *channel; /* the hotkey's data (stable address) */
	obs_hotkey_id hid;
	char *name;
	char *label;
};

static struct {
	bool inited;
	obs_hotkey_id all_on, all_off;
	DARRAY(struct toggle) toggles;
} hotkeys = {.all_on = OBS_INVALID_HOTKEY_ID, .all_off = OBS_INVALID_HOTKEY_ID};

static void load_bindings(obs_hotkey_id hid, const char *name)
{
	config_t *cfg = obs_frontend_get_profile_config();
	const char *json = cfg ? config_get_string(cfg, HOTKEY_SECTION, name) : NULL;
	if (!json || !*json)
		return;
	obs_data_t *d = obs_data_create_from_json(json);
	obs_data_array_t *arr = d ? obs_data_get_array(d, "bindings") : NULL;
	if (arr)
		obs_hotkey_load(hid, arr);
	obs_data_array_release(arr);
	obs_data_release(d);
}

/* true when the profile's value changed. */
static bool save_one(config_t *cfg, obs_hotkey_id hid, const char *name)
{
	obs_data_array_t *arr = obs_hotkey_save(hid);
	obs_data_t *d = obs_data_create();
	obs_data_set_array(d, "bindings", arr);
	const char *json = obs_data_get_json(d);
	const char *old = config_get_string(cfg, HOTKEY_SECTION, name);
	bool empty = obs_data_array_count(arr) == 0;
	bool changed = !(old ? strcmp(old, json) == 0 : empty);
	if (changed)
		config_set_string(cfg, HOTKEY_SECTION, name, json);
	obs_data_array_release(arr);
	obs_data_release(d);
	return changed;
}

static void save_bindings(void)
{
	config_t *cfg = hotkeys.inited ? obs_frontend_get_profile_config() : NULL;
	if (!cfg)
		return;
	bool changed = save_one(cfg, hotkeys.all_on, NAME_PREFIX "EnableAll");
	changed = save_one(cfg, hotkeys.all_off, NAME_PREFIX "DisableAll") || changed;
	for (size_t i = 0; i < hotkeys.toggles.num; i++)
		changed = save_one(cfg, hotkeys.toggles.array[i].hid, hotkeys.toggles.array[i].name) || changed;
	if (changed && config_save_safe(cfg, "tmp", NULL) != CONFIG_SUCCESS)
		rfo_log_sub(LOG_WARNING, "channels", "could not save the hotkeys into the profile");
}

static void reload_bindings(void)
{
	load_bindings(hotkeys.all_on, NAME_PREFIX "EnableAll");
	load_bindings(hotkeys.all_off, NAME_PREFIX "DisableAll");
	for (size_t i = 0; i < hotkeys.toggles.num; i++)
		load_bindings(hotkeys.toggles.array[i].hid, hotkeys.toggles.array[i].name);
}

static void on_save(obs_data_t *save_data, bool saving, void *param)
{
	UNUSED_PARAMETER(save_data);
	UNUSED_PARAMETER(param);
	if (saving)
		save_bindings();
}

static void on_event(enum obs_frontend_event event, void *param)
{
	UNUSED_PARAMETER(param);
	if (event == OBS_FRONTEND_EVENT_PROFILE_CHANGING)
		save_bindings();
	else if (event == OBS_FRONTEND_EVENT_PROFILE_CHANGED)
		reload_bindings();
}

/* Hotkey callbacks run with libobs' hotkey lock held (on the UI thread when OBS routes them there,
 * where our UI update runs at once): no (un)registering from inside them. */
static _Thread_local bool in_callback;

static void on_all(void *data, obs_hotkey_id id, obs_hotkey_t *key, bool pressed)
{
	UNUSED_PARAMETER(id);
	UNUSED_PARAMETER(key);
	if (!pressed)
		return;
	in_callback = true;
	rfo_channels_switch_all(data != NULL);
	in_callback = false;
}

static void on_toggle(void *data, obs_hotkey_id id, obs_hotkey_t *key, bool pressed)
{
	UNUSED_PARAMETER(id);
	UNUSED_PARAMETER(key);
	if (!pressed)
		return;
	in_callback = true;
	rfo_channels_toggle(*(const int64_t *)data);
	in_callback = false;
}

void rfo_channels_hotkeys_init(void)
{
	if (hotkeys.inited)
		return;
	da_init(hotkeys.toggles);
	hotkeys.all_on = obs_hotkey_register_frontend(NAME_PREFIX "EnableAll",
						      obs_module_text("Channels.Hotkey.EnableAll"), on_all, (void *)1);
	hotkeys.all_off = obs_hotkey_register_frontend(NAME_PREFIX "DisableAll",
						       obs_module_text("Channels.Hotkey.DisableAll"), on_all, NULL);
	hotkeys.inited = true;
	load_bindings(hotkeys.all_on, NAME_PREFIX "EnableAll");
	load_bindings(hotkeys.all_off, NAME_PREFIX "DisableAll");
	obs_frontend_add_save_callback(on_save, NULL);
	obs_frontend_add_event_callback(on_event, NULL);
}

/* "Restream: toggle <name>"; angle brackets swapped so Settings → Hotkeys never renders markup. */
static char *toggle_label(const char *name)
{
	struct dstr s = {0};
	dstr_copy(&s, obs_module_text("Channels.Hotkey.Toggle"));
	struct dstr safe = {0};
	dstr_copy(&safe, name && *name ? name : "?");
	dstr_replace(&safe, "<", "\xe2\x80\xb9");
	dstr_replace(&safe, ">", "\xe2\x80\xba");
	dstr_replace(&s, "%1", safe.array);
	dstr_free(&safe);
	return s.array;
}

struct seen {
	int64_t id;
	char *name;
};

static void collect(void *param, int64_t id, const char *name)
{
	struct seen s = {id, bstrdup(name ? name : "")};
	darray_push_back(sizeof(struct seen), param, &s);
}

void rfo_channels_hotkeys_sync(void)
{
	if (!hotkeys.inited || in_callback)
		return; /* the next update registers them */
	DARRAY(struct seen) list;
	da_init(list);
	rfo_channels_foreach(collect, &list.da);
	for (size_t i = 0; i < list.num; i++) {
		struct toggle *t = NULL;
		for (size_t j = 0; j < hotkeys.toggles.num && !t; j++)
			if (*hotkeys.toggles.array[j].channel == list.array[i].id)
				t = &hotkeys.toggles.array[j];
		char *label = toggle_label(list.array[i].name);
		if (!t) {
			struct toggle nt = {.channel = bmalloc(sizeof(int64_t)), .label = label};
			*nt.channel = list.array[i].id;
			struct dstr name = {0};
			dstr_printf(&name, NAME_PREFIX "Toggle.%lld", (long long)list.array[i].id);
			nt.name = name.array;
			nt.hid = obs_hotkey_register_frontend(nt.name, nt.label, on_toggle, nt.channel);
			load_bindings(nt.hid, nt.name);
			da_push_back(hotkeys.toggles, &nt);
		} else if (strcmp(t->label, label) != 0) {
			bfree(t->label);
			t->label = label;
			obs_hotkey_set_description(t->hid, t->label);
		} else {
			bfree(label);
		}
		bfree(list.array[i].name);
	}
	da_free(list);
}

void rfo_channels_hotkeys_free(void)
{
	if (!hotkeys.inited)
		return;
	save_bindings();
	obs_frontend_remove_save_callback(on_save, NULL);
	obs_frontend_remove_event_callback(on_event, NULL);
	obs_hotkey_unregister(hotkeys.all_on);
	obs_hotkey_unregister(hotkeys.all_off);
	for (size_t i = 0; i < hotkeys.toggles.num; i++) {
		obs_hotkey_unregister(hotkeys.toggles.array[i].hid);
		bfree(hotkeys.toggles.array[i].channel);
		bfree(hotkeys.toggles.array[i].name);
		bfree(hotkeys.toggles.array[i].label);
	}
	da_free(hotkeys.toggles);
	hotkeys.inited = false;
	hotkeys.all_on = hotkeys.all_off = OBS_INVALID_HOTKEY_ID;
}
