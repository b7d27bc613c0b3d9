/* restream-emulator: the emulated account (channels, events, platforms, servers). */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct emu_state emu;

struct chan_seed {
	int64_t id;
	int platform;
	int chat_source;
	const char *chat_status, *chat_reason, *conn_kind;
	const char *ident, *name, *url;
	bool active;
	int title_max;
	const char *title;
};

static const struct chan_seed chan_seeds[] = {
	{1000101, 1, 2, "connected", NULL, "twitch", "emu_streamer", "Emu Streamer", "https://twitch.tv/emu_streamer",
	 true, 140, "Emulated stream on Twitch"},
	{1000102, 5, 13, "error", "youtube_livechat_ended", "youtube", "UCemuStreamer0000000000", "Emu Streamer TV",
	 "https://www.youtube.com/channel/UCemuStreamer0000000000", true, 100, "Emulated stream on YouTube"},
	{1000103, 37, 20, "connected", NULL, "facebook_page", "104857600123456", "Emu Streamer Page",
	 "https://www.facebook.com/104857600123456", true, 255, "Emulated stream on Facebook"},
	{1000104, 59, 26, "connected", NULL, "linkedin", "emu-streamer", "Emu Streamer (LinkedIn)",
	 "https://www.linkedin.com/in/emu-streamer", false, 100, "Emulated stream on LinkedIn"},
	{1000105, 999, 0, NULL, NULL, NULL, "mystery-42", "Mystery Platform Channel",
	 "https://example.invalid/mystery-42", true, 100, "Mystery title"},
	{1000106, 75, 0, NULL, NULL, NULL, "boldco", "<b>Bold & \"Co\"</b>", "https://kick.com/boldco", false, 100,
	 "Bold & Co"},
	{1000107, 57, 24, "connected", NULL, "dlive", "emustreamer", "EmuStreamer DLive",
	 "https://dlive.tv/emustreamer", true, 100, "Emulated stream on DLive"},
	{1000108, 69, 27, "connected", NULL, "trovo", "emustreamer", "EmuStreamer Trovo",
	 "https://trovo.live/emustreamer", false, 100, "Emulated stream on Trovo"},
	{1000109, 37, 21, "connected", NULL, "facebook_group", "200000000000777", "Emu Fans Group",
	 "https://www.facebook.com/groups/200000000000777", true, 255, "Emulated stream for the group"},
	{1000110, 37, 19, "connected", NULL, "facebook", "300000000000999", "Emu Streamer (personal)",
	 "https://www.facebook.com/300000000000999", false, 255, "Emulated stream on my profile"},
};

void emu_make_srt_url(const char *id, const char *pass, char *out, size_t len)
{
	snprintf(out, len, "%s?streamid=%s&passphrase=%s", emu.srt_url, id, pass);
}

static void make_keys(char *key, size_t klen, char *srt_id, size_t slen, char *pass, size_t plen)
{
	char d[12], h[40], h2[20], h3[20];
	emu_rand_digits(d, 7);
	emu_rand_hex(h, 32);
	snprintf(key, klen, "re_%s_%s", d, h);
	emu_rand_hex(h2, 16);
	emu_rand_hex(h3, 16);
	snprintf(srt_id, slen, "srt_%s_%s_%s", d, h2, h3);
	emu_rand_hex(h, 24);
	snprintf(pass, plen, "re_%s_%s", d, h);
}

void emu_event_make_keys(struct emu_event *e)
{
	make_keys(e->stream_key, sizeof(e->stream_key), e->srt_id, sizeof(e->srt_id), e->srt_pass, sizeof(e->srt_pass));
}

static struct emu_event *add_event(const char *status, const char *title, int64_t sched, int64_t start, int64_t fin)
{
	struct emu_event *e = &emu.events[emu.n_events++];
	memset(e, 0, sizeof(*e));
	emu_uuid(e->id);
	snprintf(e->status, sizeof(e->status), "%s", status);
	snprintf(e->title, sizeof(e->title), "%s", title);
	e->scheduled_for = sched;
	e->started_at = start;
	e->finished_at = fin;
	make_keys(e->stream_key, sizeof(e->stream_key), e->srt_id, sizeof(e->srt_id), e->srt_pass, sizeof(e->srt_pass));
	return e;
}

void emu_state_init(void)
{
	int64_t now = emu_now_s();
	make_keys(emu.stream_key, sizeof(emu.stream_key), emu.srt_id, sizeof(emu.srt_id), emu.srt_pass,
		  sizeof(emu.srt_pass));
	emu.ingest_id = 1;
	for (size_t i = 0; i < sizeof(chan_seeds) / sizeof(chan_seeds[0]); i++) {
		const struct chan_seed *s = &chan_seeds[i];
		struct emu_channel *c = &emu.channels[emu.n_channels++];
		char h[16];
		memset(c, 0, sizeof(*c));
		c->id = s->id;
		c->platform_id = s->platform;
		c->chat_source = s->chat_source;
		c->chat_status = s->chat_status;
		c->chat_reason = s->chat_reason;
		snprintf(c->identifier, sizeof(c->identifier), "%s", s->ident);
		snprintf(c->display_name, sizeof(c->display_name), "%s", s->name);
		snprintf(c->url, sizeof(c->url), "%s", s->url);
		snprintf(c->embed_url, sizeof(c->embed_url), "https://player.example.invalid/embed/%s", s->ident);
		c->active = s->active;
		c->title_max = s->title_max;
		c->title = strdup(s->title);
		c->description = NULL;
		c->patches = json_array();
		if (s->conn_kind) {
			emu_rand_hex(h, 11);
			snprintf(c->conn_id, sizeof(c->conn_id), "%d-%s-%s", EMU_USER_ID, s->conn_kind, h);
			emu_uuid(c->conn_uuid);
		}
	}
	struct emu_event *e = add_event("upcoming", "Friday Night Emulation", now + 3600, 0, 0);
	e->description = strdup("Weekly show, scheduled in the emulator");
	e->has_cover = true;
	e->has_show_id = true;
	emu_uuid(e->show_id);
	e->dest_channels[0] = 1000101;
	e->dest_channels[1] = 1000102;
	e->n_dest = 2;
	e = add_event("upcoming", "Unscheduled encoder event", 0, 0, 0);
	e->dest_channels[0] = 1000103;
	e->n_dest = 1;
	for (int i = 0; i < 23; i++) {
		char t[64];
		int64_t start = now - (int64_t)(i + 1) * 86400;
		snprintf(t, sizeof(t), "Past stream #%d", 23 - i);
		bool missed = (i % 5) == 3;
		e = add_event(missed ? "missed" : "finished", t, start - 600, missed ? 0 : start,
			      missed ? 0 : start + 5400);
		e->record_only = (i % 7) == 6;
		e->dest_channels[0] = 1000101;
		e->n_dest = 1;
	}
}

struct emu_channel *emu_channel_find(int64_t id)
{
	for (int i = 0; i < emu.n_channels; i++)
		if (emu.channels[i].id == id)
			return &emu.channels[i];
	return NULL;
}

struct emu_event *emu_event_find(const char *id)
{
	for (int i = 0; i < emu.n_events; i++)
		if (strcmp(emu.events[i].id, id) == 0)
			return &emu.events[i];
	return NULL;
}

static const struct {
	int id;
	const char *name, *url;
} platforms[] = {
	{1, "Twitch", "http://twitch.tv"},
	{5, "Youtube", "http://youtube.com"},
	{25, "YouTube", "https://youtube.com"},
	{29, "Custom RTMP", ""},
	{37, "Facebook", "https://facebook.com"},
	{57, "DLive", "https://dlive.tv"},
	{59, "LinkedIn", "https://linkedin.com"},
	{66, "Dailymotion", "https://dailymotion.com"},
	{67, "TikTok", "https://tiktok.com"},
	{69, "Trovo", "https://trovo.live"},
	{71, "X (Twitter)", "https://x.com"},
	{72, "Telegram", "https://telegram.org"},
	{73, "Instagram", "https://instagram.com"},
	{75, "Kick", "https://kick.com"},
	{77, "Rumble", "https://rumble.com"},
	{78, "Custom SRT", ""},
	{81, "Custom WHIP", ""},
	{83, "Embed Player", "https://restream.io"},
};

json_t *emu_platforms_json(void)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++) {
		char png[128], svg[128], apng[128], asvg[128], name[64];
		snprintf(name, sizeof(name), "platforms/platform-%d.png", platforms[i].id);
		emu_image_url(png, sizeof(png), name);
		snprintf(name, sizeof(name), "platforms/platform-%d.svg", platforms[i].id);
		emu_image_url(svg, sizeof(svg), name);
		snprintf(name, sizeof(name), "platforms/platform-%d-alt.png", platforms[i].id);
		emu_image_url(apng, sizeof(apng), name);
		snprintf(name, sizeof(name), "platforms/platform-%d-alt.svg", platforms[i].id);
		emu_image_url(asvg, sizeof(asvg), name);
		json_array_append_new(arr, json_pack("{s:i,s:s,s:s,s:{s:s,s:s},s:{s:s,s:s},s:b}", "id", platforms[i].id,
						     "name", platforms[i].name, "url", platforms[i].url, "image", "png",
						     png, "svg", svg, "altImage", "png", apng, "svg", asvg, "isManual",
						     platforms[i].url[0] == '\0'));
	}
	return arr;
}

json_t *emu_servers_json(void)
{
	static const struct {
		int id;
		const char *name, *host, *lat, *lon;
	} servers[] = {
		{20, "Autodetect", "live.restream.io", "0.00000000", "0.00000000"},
		{1, "EU-West (London, GB)", "london.restream.io", "51.50735100", "-0.12775800"},
		{2, "US-East (New York, US)", "newyork.restream.io", "40.71277600", "-74.00594100"},
		{3, "Asia (Singapore, SG)", "singapore.restream.io", "1.35208300", "103.81983600"},
	};
	json_t *arr = json_array();
	for (size_t i = 0; i < sizeof(servers) / sizeof(servers[0]); i++)
		json_array_append_new(arr, json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:b}", "id", servers[i].id, "name",
						     servers[i].name, "url", servers[i].host, "rtmpUrl", emu.rtmp_url,
						     "latitude", servers[i].lat, "longitude", servers[i].lon,
						     "isDefault", servers[i].id == 20));
	return arr;
}
