/* Fuzz target: every REST v2 body parser (docs/restream-api.md §2, §5) on each input: profile, platforms, servers,
 * ingest, stream keys, SRT keys, channel list and item, channel meta, event lists and item, error envelope. Every
 * string handed on is clean (no control, line-break or bidi-override characters; descriptions may keep '\n') and
 * within its cap; URLs and ids are clean tokens or absent. */
#include "fuzz-common.h"
#include "rfo-rest.h"

RFO_FUZZ_INIT()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	long before = bnum_allocs();
	struct rfo_error err = {0};

	struct rfo_profile profile;
	if (rfo_rest_parse_profile(json, size, &profile, &err)) {
		RFO_FUZZ_ASSERT(rfo_fuzz_clean_text(profile.username, RFO_REST_MAX_NAME, false));
		RFO_FUZZ_ASSERT(rfo_fuzz_clean_text(profile.display_name, RFO_REST_MAX_NAME, false));
		RFO_FUZZ_ASSERT(!profile.email || rfo_fuzz_clean_text(profile.email, RFO_REST_MAX_NAME, false));
	}
	rfo_profile_free(&profile);

	struct rfo_platform_list platforms;
	if (rfo_rest_parse_platforms(json, size, &platforms, &err)) {
		for (size_t i = 0; i < platforms.count; i++) {
			const struct rfo_platform *p = &platforms.items[i];
			RFO_FUZZ_ASSERT(rfo_fuzz_clean_text(p->name, RFO_REST_MAX_NAME, false));
			RFO_FUZZ_ASSERT(rfo_fuzz_clean_token(p->url, RFO_REST_MAX_URL));
			RFO_FUZZ_ASSERT(rfo_fuzz_clean_token(p->image_png, RFO_REST_MAX_URL));
			RFO_FUZZ_ASSERT(rfo_fuzz_clean_token(p->alt_image_png, RFO_REST_MAX_URL));
			RFO_FUZZ_ASSERT(rfo_platform_list_find(&platforms, platforms.items[i].id) != NULL);
		}
	}
	rfo_platform_list_free(&platforms);

	struct rfo_server_list servers;
	if (rfo_rest_parse_servers(json, size, &servers, &err)) {
		for (size_t i = 0; i < servers.count; i++) {
			RFO_FUZZ_ASSERT(servers.items[i].rtmp_url != NULL);
			RFO_FUZZ_ASSERT(rfo_fuzz_clean_token(servers.items[i].rtmp_url, RFO_REST_MAX_URL));
			RFO_FUZZ_ASSERT(rfo_fuzz_clean_text(servers.items[i].name, RFO_REST_MAX_NAME, false));
		}
	}
	rfo_server_list_free(&servers);

	int64_t ingest = 0;
	(void)rfo_rest_parse_ingest(json, size, &ingest, &err);

	struct rfo_stream_key key;
	if (rfo_rest_parse_stream_key(json, size, &key, &err))
		RFO_FUZZ_ASSERT(key.stream_key != NULL);
	rfo_stream_key_free(&key);

	struct rfo_srt_key srt;
	if (rfo_rest_parse_srt_key(json, size, &srt, &err))
		RFO_FUZZ_ASSERT(srt.url || srt.stream_id || srt.passphrase);
	rfo_srt_key_free(&srt);

	struct rfo_channel_list channels;
	if (rfo_rest_parse_channels(json, size, &channels, &err)) {
		for (size_t i = 0; i < channels.count; i++) {
			const struct rfo_channel *c = &channels.items[i];
			RFO_FUZZ_ASSERT(rfo_fuzz_clean_text(c->display_name, RFO_REST_MAX_NAME, false));
			RFO_FUZZ_ASSERT(!c->identifier || rfo_fuzz_clean_text(c->identifier, RFO_REST_MAX_NAME, false));
			RFO_FUZZ_ASSERT(rfo_fuzz_clean_token(c->url, RFO_REST_MAX_URL));
			RFO_FUZZ_ASSERT(rfo_fuzz_clean_token(c->embed_url, RFO_REST_MAX_URL));
		}
	}
	rfo_channel_list_free(&channels);

	struct rfo_channel channel;
	if (rfo_rest_parse_channel(json, size, &channel, &err))
		RFO_FUZZ_ASSERT(channel.display_name != NULL);
	rfo_channel_free(&channel);

	struct rfo_channel_meta meta;
	if (rfo_rest_parse_channel_meta(json, size, &meta, &err)) {
		RFO_FUZZ_ASSERT(rfo_fuzz_clean_text(meta.title, RFO_REST_MAX_TITLE, false));
		RFO_FUZZ_ASSERT(!meta.description ||
				rfo_fuzz_clean_text(meta.description, RFO_REST_MAX_DESCRIPTION, true));
		/* what SetTitle sends back */
		char *body = rfo_rest_meta_patch_body(meta.title, meta.description);
		bfree(body);
	}
	rfo_channel_meta_free(&meta);

	struct rfo_event_list events;
	if (rfo_rest_parse_events(json, size, "/v2/user/events/history", &events, &err)) {
		for (size_t i = 0; i < events.count; i++) {
			const struct rfo_event *e = &events.items[i];
			RFO_FUZZ_ASSERT(e->id && rfo_fuzz_clean_token(e->id, RFO_REST_MAX_ID));
			RFO_FUZZ_ASSERT(rfo_fuzz_clean_text(e->status, RFO_REST_MAX_STATUS, false));
			RFO_FUZZ_ASSERT(rfo_fuzz_clean_text(e->title, RFO_REST_MAX_TITLE, false));
			RFO_FUZZ_ASSERT(!e->description ||
					rfo_fuzz_clean_text(e->description, RFO_REST_MAX_DESCRIPTION, true));
			RFO_FUZZ_ASSERT(rfo_fuzz_clean_token(e->cover_url, RFO_REST_MAX_URL));
			(void)rfo_event_status_from_string(events.items[i].status);
		}
	}
	rfo_event_list_free(&events);

	struct rfo_event event;
	if (rfo_rest_parse_event(json, size, &event, &err))
		RFO_FUZZ_ASSERT(event.id != NULL);
	rfo_event_free(&event);

	static const long statuses[] = {0, 400, 401, 404, 429, 500};
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		struct rfo_error e = {0};
		(void)rfo_rest_parse_error(json, size, statuses[i], &e);
		RFO_FUZZ_ASSERT(memchr(e.message, 0, sizeof(e.message)) != NULL && e.message[0] != 0);
		RFO_FUZZ_ASSERT(rfo_fuzz_clean_text(e.message, 0, false));
	}
	rfo_fuzz_check_allocs(before, "rest");
	return 0;
}
