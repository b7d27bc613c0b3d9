#pragma once
/* The overlay sources' pure logic: the platform filter (comma-separated platform names, as GetChat names them),
 * which chat lines an overlay shows (kinds, lifetime, fade-out, maximum lines), where they go, and the viewer count's
 * format text. No I/O, no clock: the caller passes each message's age. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfo-chat.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RFO_OVERLAY_MAX_LINES 100
#define RFO_OVERLAY_MAX_FILTER 512 /* bytes of a canonical filter string */

/* The platforms an overlay can switch one by one, in the order its properties show them. */
size_t rfo_overlay_platform_count(void);
const char *rfo_overlay_platform(size_t i); /* NULL past the end */

/* Parses a comma-separated list of platform names (spaces around names ignored, case-insensitive, duplicates
 * dropped). Sets bit i of *mask for rfo_overlay_platform(i). Returns false when a name is no known platform (then
 * *bad, if given, is a copy of it for the error sentence: bfree it). An empty list gives mask 0 (= all). */
bool rfo_overlay_filter_parse(const char *csv, uint32_t *mask, char **bad);
/* The canonical form of a mask: "" for 0 or every platform, else the names in rfo_overlay_platform order joined
 * with ",". Returns a new string (bfree). */
char *rfo_overlay_filter_format(uint32_t mask);
/* Whether a message from `platform` passes the filter: every platform when mask is 0 or has every bit; else only
 * the named ones (platforms outside the list, "Platform 99", only when all are shown). */
bool rfo_overlay_filter_match(uint32_t mask, const char *platform);
uint32_t rfo_overlay_filter_all(void); /* the mask with every platform's bit */
/* The index of a platform name as rfo_overlay_platform lists it, case-insensitively, also for the names Restream's
 * platform list gives ("Youtube", "X (Twitter)"); -1 when it is none of them. */
int rfo_overlay_platform_index(const char *name);

/* Message kinds an overlay shows (bit 1 << enum rfo_chat_kind). */
#define RFO_OVERLAY_KIND_BIT(kind) (1u << (unsigned)(kind))
#define RFO_OVERLAY_KINDS_ALL 0x1Fu

struct rfo_overlay_select_opts {
	uint32_t platforms;    /* filter mask (0 = all) */
	uint32_t kinds;        /* RFO_OVERLAY_KIND_BIT set */
	uint32_t max_lines;    /* 1 .. RFO_OVERLAY_MAX_LINES */
	uint32_t lifetime_ms;  /* 0 = lines stay */
	uint32_t fade_ms;      /* the last fade_ms of the lifetime the line fades out */
	uint32_t fade_step_ms; /* alpha steps (a frame interval), so that a fade repaints at most once per step */
};

struct rfo_overlay_pick {
	size_t index; /* into the caller's messages */
	float alpha;  /* 0 < alpha <= 1 */
};

/* Chooses the lines to show from `messages` (oldest first) whose ages in ms are `ages_ms` (same order): the newest
 * max_lines of those that pass the filter and kinds and are younger than the lifetime; written oldest first into
 * `out` (room for max_lines). Returns how many. *next_change_ms (if given) is when, from now, the picture changes by
 * age alone (a line fades a step or expires; UINT64_MAX when never). */
size_t rfo_overlay_select(const struct rfo_chat_message *const *messages, const uint64_t *ages_ms, size_t count,
			  const struct rfo_overlay_select_opts *opts, struct rfo_overlay_pick *out,
			  uint64_t *next_change_ms);

/* Where the lines go in a box `box_height` px high with `padding` inside it and `gap` px between lines; `heights`
 * (px) oldest first. Newest at the bottom, older ones above it; or (newest_top) newest at the top, older ones below.
 * Older lines that do not fit are left out; the newest is placed even when it is cut. Writes the top of each placed
 * line (rounded to whole pixels: drawn 1:1) into `tops` at its index and returns the index of the oldest one placed
 * (count: none). */
size_t rfo_overlay_stack(const float *heights, size_t count, float box_height, float padding, float gap,
			 bool newest_top, int32_t *tops);

/* Expands a viewers format text: "{total}" becomes the total (grouped in thousands with `sep`, none when sep is
 * 0), "{{" and "}}" a brace; other text stays. total < 0 (unknown) gives "–". Returns a new string (bfree). */
char *rfo_overlay_format_viewers(const char *format, int64_t total, char sep);

#ifdef __cplusplus
}
#endif
