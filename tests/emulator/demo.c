/* restream-emulator: --demo mode, a lively plausible stream (multi-platform chat, going live, viewers). */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static lws_sorted_usec_list_t chat_sul, live_sul;

static const char *const demo_presets[] = {"twitch_text",  "twitch_text",        "youtube_text",
					   "youtube_text", "facebook_page_text", "discord_text",
					   "dlive_text",   "trovo_text",         "facebook_group_text"};
static const char *const demo_authors[] = {"PixelPanda",   "NightOwl42", "CaffeineQueen", "Sir Lurksalot", "Mika",
					   "jonas_builds", "Ana Sofía",  "ByteBard",      "GG_Grandma",    "Tomáš"};
static const char *const demo_texts[] = {
	"hello from the other side! 👋",
	"Kappa that was close",
	"what settings are you using?",
	"first time here, love it ❤️",
	"PogChamp PogChamp",
	"can you show the overlay again?",
	"greetings from Lisbon 🇵🇹",
	"LUL the chat is moving fast",
	"is this 1080p60?",
	"HeyGuys just got here",
	"@Emu Streamer you rock",
	"brb getting snacks 🍿",
	"that transition was smooth",
	"GG",
	"what's the song called?",
	"sound is a bit quiet",
	"привет из Москвы",
	"こんにちは！",
};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void chat_fire(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	json_t *opts = json_pack("{s:s,s:s}", "author", demo_authors[emu_prng_range(0, N(demo_authors) - 1)], "text",
				 demo_texts[emu_prng_range(0, N(demo_texts) - 1)]);
	const char *preset = demo_presets[emu_prng_range(0, N(demo_presets) - 1)];
	int roll = emu_prng_range(1, 24);
	if (roll == 1) {
		char amount[16], cur[24];
		int dollars = emu_prng_range(1, 50);
		snprintf(amount, sizeof(amount), "%d.00", dollars);
		snprintf(cur, sizeof(cur), "$%d.00", dollars);
		json_object_set_new(opts, "amount", json_string(amount));
		json_object_set_new(opts, "currency", json_string(cur));
		json_object_set_new(opts, "text", json_string("Keep up the great work!"));
		preset = "youtube_superchat";
	} else if (roll == 2) {
		preset = "youtube_supersticker";
		json_object_del(opts, "text");
	} else if (roll == 3) {
		preset = "facebook_page_sticker";
		json_object_del(opts, "text");
	}
	json_t *f = emu_chat_preset(preset, opts);
	json_decref(opts);
	if (f) {
		emu_chat_push_frame(f);
		json_decref(f);
	}
	lws_sul_schedule(emu.ctx, 0, &chat_sul, chat_fire, (lws_usec_t)emu_prng_range(500, 2000) * 1000);
}

static void live_fire(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	emu_stream_go_live();
}

void emu_demo_start(void)
{
	emu.live_interval_ms = 3000;
	lws_sul_schedule(emu.ctx, 0, &live_sul, live_fire, 2 * LWS_US_PER_SEC);
	lws_sul_schedule(emu.ctx, 0, &chat_sul, chat_fire, 1 * LWS_US_PER_SEC);
}
