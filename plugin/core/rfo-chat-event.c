/* The message of a chat "event" frame: the event type table, the text with its emote spans, the donation line,
 * the author and the message's stable id. Sans-I/O; the frame around it is parsed in rfo-chat.c. */
#include "rfo-chat-private.h"

#include <stdlib.h>

#include <util/dstr.h>

/* ---- small helpers ---------------------------------------------------------------------------- */

static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

/* An id (string or integer) as a string, cut to a sane length, or "" when absent. */
static char *id_dup(const json_t *obj, const char *key)
{
	char *s = id_str(obj, key);
	return s ? s : bstrdup("");
}

/* "#RRGGBB", "RRGGBB", "#RGB" or an integer 0xRRGGBB → "#RRGGBB"; anything else → NULL. */
static char *parse_color(const json_t *v)
{
	unsigned rgb = 0;
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 0 || i > 0xFFFFFF)
			return NULL;
		rgb = (unsigned)i;
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t len = json_string_length(v);
		if (len && s[0] == '#') {
			s++;
			len--;
		}
		if (len != 6 && len != 3)
			return NULL;
		for (size_t i = 0; i < len; i++) {
			int h = rfo_text_hex_digit(s[i]);
			if (h < 0)
				return NULL;
			rgb = len == 6 ? (rgb << 4) | (unsigned)h : (rgb << 8) | (unsigned)(h * 17);
		}
	} else {
		return NULL;
	}
	char *out = bmalloc(8);
	snprintf(out, 8, "#%06X", rgb & 0xFFFFFF);
	return out;
}

/* ---- event types -------------------------------------------------------------------------------- */

struct type_info {
	int64_t id;
	const char *platform; /* NULL: take it from eventSourceId */
	enum rfo_chat_kind kind;
	const char *fallback; /* text when the payload has none (stickers, system events) */
};

/* §4.5, including the ids a newer client reports (22–32), which are unconfirmed. */
static const struct type_info types[] = {
	{1, "Discord", RFO_CHAT_KIND_TEXT, NULL},
	{2, "DLive", RFO_CHAT_KIND_TEXT, NULL},
	{3, "DLive", RFO_CHAT_KIND_STICKER, "[emoji]"},
	{4, "Twitch", RFO_CHAT_KIND_TEXT, NULL},
	{5, "YouTube", RFO_CHAT_KIND_TEXT, NULL},
	{7, "YouTube", RFO_CHAT_KIND_DONATION, NULL},
	{8, "YouTube", RFO_CHAT_KIND_STICKER, "[sticker]"},
	{11, "Facebook", RFO_CHAT_KIND_TEXT, NULL},
	{12, "Facebook", RFO_CHAT_KIND_STICKER, "[sticker]"},
	{13, "Facebook", RFO_CHAT_KIND_TEXT, NULL},
	{14, "Facebook", RFO_CHAT_KIND_STICKER, "[sticker]"},
	{19, "Facebook", RFO_CHAT_KIND_TEXT, NULL},
	{20, "Facebook", RFO_CHAT_KIND_STICKER, "[sticker]"},
	{21, "LinkedIn", RFO_CHAT_KIND_TEXT, NULL},
	{22, "Trovo", RFO_CHAT_KIND_TEXT, NULL},
	{23, "YouTube", RFO_CHAT_KIND_SYSTEM, "Membership milestone"},
	{24, "X", RFO_CHAT_KIND_TEXT, NULL},
	{25, "Kick", RFO_CHAT_KIND_TEXT, NULL},
	{26, "Kick", RFO_CHAT_KIND_SYSTEM, "New subscription"},
	{28, "YouTube", RFO_CHAT_KIND_SYSTEM, "New member"},
	{29, "YouTube", RFO_CHAT_KIND_SYSTEM, "Gifted memberships"},
	{32, "Rumble", RFO_CHAT_KIND_TEXT, NULL},
};

static const struct type_info *find_type(int64_t id)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (types[i].id == id)
			return &types[i];
	}
	return NULL;
}

/* ---- text with emotes ---------------------------------------------------------------------------- */

struct span {
	int64_t from, to; /* code points, both inclusive */
	const char *url;
	size_t url_len;
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->from < y->from ? -1 : x->from > y->from ? 1 : 0;
}

/* Appends the sanitised form of s[0..len) (no limit) to out. */
static void append_clean(struct dstr *out, const char *s, size_t len)
{
	if (!len)
		return;
	char *c = rfo_text_sanitize(s, len, 0);
	dstr_cat(out, c);
	bfree(c);
}

/* The message text with `replaces` turned into emote spans.
 *
 * Unit of replaces[].from/to: undocumented (docs/restream-api.md §4.6). We take Twitch's convention, which
 * Restream relays: CODE-POINT offsets, `from` and `to` both INCLUSIVE ("Kappa" at the start is
 * from 0 to 4). Defensive rules: entries are sorted by `from` whatever order they arrive in; a `to`
 * equal to the code-point length (an exclusive end at the very end) is clamped to the last code point;
 * entries with from < 0, from > to, to beyond the text, a missing url, or overlapping an earlier
 * accepted entry are skipped. Each piece is sanitised separately so offsets are computed on the final
 * text, which is then cut to RFO_CHAT_MAX_TEXT; spans past the cut are dropped. */
static void build_text(struct rfo_chat_message *m, const char *t, size_t tlen, const json_t *replaces)
{
	size_t nrep = json_is_array(replaces) ? json_array_size(replaces) : 0;
	if (!nrep) {
		m->text = rfo_text_sanitize(t, tlen, RFO_CHAT_MAX_TEXT);
		return;
	}
	if (nrep > RFO_CHAT_MAX_EMOTES)
		nrep = RFO_CHAT_MAX_EMOTES;

	/* code-point count (jansson strings are valid UTF-8) */
	int64_t ncp = 0;
	for (size_t i = 0; i < tlen; i++)
		ncp += ((unsigned char)t[i] & 0xC0) != 0x80;

	struct span *spans = bzalloc(sizeof(*spans) * nrep);
	size_t n = 0;
	for (size_t i = 0; i < nrep; i++) {
		const json_t *r = json_array_get(replaces, i);
		struct span sp = {0};
		if (!rfo_json_int(r, "from", &sp.from) || !rfo_json_int(r, "to", &sp.to))
			continue;
		const json_t *payload = rfo_json_get(r, "payload");
		const json_t *url = json_is_string(payload) ? payload : rfo_json_get(payload, "url");
		if (!json_is_string(url))
			url = rfo_json_get(r, "url");
		if (!json_is_string(url) || json_string_length(url) == 0 || json_string_length(url) > RFO_CHAT_MAX_URL)
			continue;
		if (sp.to == ncp)
			sp.to = ncp - 1;
		if (sp.from < 0 || sp.from > sp.to || sp.to >= ncp)
			continue;
		sp.url = json_string_value(url);
		sp.url_len = json_string_length(url);
		spans[n++] = sp;
	}
	qsort(spans, n, sizeof(*spans), cmp_span);

	struct dstr out = {0};
	dstr_reserve(&out, tlen + 16);
	m->emotes = bzalloc(sizeof(*m->emotes) * (n ? n : 1));
	size_t url_bytes = 0; /* of the emotes kept */
	size_t pos = 0;       /* byte position in t */
	int64_t cp = 0;       /* code point index at pos */
	int64_t end = -1;     /* last code point covered by an accepted span */
	for (size_t i = 0; i < n; i++) {
		if (spans[i].from <= end)
			continue; /* overlaps */
		size_t start = pos;
		while (cp < spans[i].from) { /* advance to from */
			pos++;
			while (pos < tlen && ((unsigned char)t[pos] & 0xC0) == 0x80)
				pos++;
			cp++;
		}
		append_clean(&out, t + start, pos - start);
		size_t span_start = pos;
		while (cp <= spans[i].to) {
			pos++;
			while (pos < tlen && ((unsigned char)t[pos] & 0xC0) == 0x80)
				pos++;
			cp++;
		}
		size_t before = out.len;
		append_clean(&out, t + span_start, pos - span_start);
		end = spans[i].to;
		if (out.len == before || out.len > UINT32_MAX || url_bytes + spans[i].url_len > RFO_CHAT_MAX_EMOTE_URLS)
			continue;
		char *clean = rfo_text_sanitize(spans[i].url, spans[i].url_len, RFO_CHAT_MAX_URL);
		if (strlen(clean) != spans[i].url_len || strchr(clean, ' ')) { /* a URL that had to change is no URL */
			bfree(clean);
			continue;
		}
		url_bytes += spans[i].url_len;
		struct rfo_chat_emote *e = &m->emotes[m->num_emotes++];
		e->byte_start = (uint32_t)before;
		e->byte_end = (uint32_t)out.len;
		e->url = clean;
	}
	append_clean(&out, t + pos, tlen - pos);
	bfree(spans);

	if (out.len > RFO_CHAT_MAX_TEXT) {
		size_t cut = rfo_text_utf8_prefix(out.array, out.len, RFO_CHAT_MAX_TEXT - 3);
		dstr_resize(&out, cut);
		dstr_cat(&out, RFO_TEXT_ELLIPSIS);
		while (m->num_emotes && m->emotes[m->num_emotes - 1].byte_end > cut)
			bfree(m->emotes[--m->num_emotes].url);
	}
	if (!m->num_emotes) {
		bfree(m->emotes);
		m->emotes = NULL;
	}
	if (out.len) {
		m->text = out.array;
	} else { /* dstr_reserve leaves an empty buffer unterminated */
		dstr_free(&out);
		m->text = bstrdup("");
	}
}

/* ---- event ------------------------------------------------------------------------------------- */

static char *format_donation(const json_t *d)
{
	if (!json_is_object(d))
		return NULL;
	char num[64];
	const json_t *a = rfo_json_get(d, "amount");
	const char *amount = NULL;
	if (json_is_string(a))
		amount = json_string_value(a);
	else if (json_is_integer(a))
		snprintf(num, sizeof(num), "%" PRId64, (int64_t)json_integer_value(a)), amount = num;
	else if (json_is_real(a))
		snprintf(num, sizeof(num), "%.2f", json_real_value(a)), amount = num;
	const char *cur = rfo_json_str2(d, "currencyString", "currency");
	if (!amount && !cur)
		return NULL;
	/* §4.6: currencyString is YouTube's display string, the formatted amount ("$5.00", "€2.00"): shown alone
	 * when it holds a digit; a bare currency ("USD", "$") goes after the amount. */
	if (cur && strpbrk(cur, "0123456789"))
		amount = NULL;
	struct dstr s = {0};
	dstr_copy(&s, str_or_empty(amount));
	if (amount && *amount && cur && *cur)
		dstr_cat(&s, " ");
	dstr_cat(&s, str_or_empty(cur));
	char *out = rfo_text_sanitize(s.array ? s.array : "", s.len, RFO_CHAT_MAX_NAME);
	dstr_free(&s);
	if (!*out) {
		bfree(out);
		return NULL;
	}
	return out;
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct rfo_chat_message *rfo_chat_parse_event(const json_t *p, int64_t timestamp)
{
	int64_t source_id = 0, type_id = 0;
	rfo_json_int(p, "eventSourceId", &source_id);
	rfo_json_int(p, "eventTypeId", &type_id);
	const json_t *ep = rfo_json_object(p, "eventPayload");
	const json_t *author = rfo_json_object(ep, "author");
	const struct type_info *ti = find_type(type_id);

	const json_t *tv = rfo_json_get(ep, "text");
	const char *t = json_is_string(tv) ? json_string_value(tv) : "";
	size_t tlen = json_is_string(tv) ? json_string_length(tv) : 0;
	char *donation = format_donation(rfo_json_object(ep, "donation"));
	char *link = url_str(ep, "link");

	enum rfo_chat_kind kind = ti ? ti->kind : RFO_CHAT_KIND_TEXT;
	if (kind == RFO_CHAT_KIND_TEXT && donation)
		kind = RFO_CHAT_KIND_DONATION;
	if (kind == RFO_CHAT_KIND_TEXT && link && !tlen)
		kind = RFO_CHAT_KIND_STICKER;
	if (!ti && !tlen && !donation && !link) {
		bfree(link);
		return NULL; /* unknown event with nothing to show */
	}

	struct rfo_chat_message *m = bzalloc(sizeof(*m));
	m->refs = 1;
	m->source_id = source_id;
	m->type_id = type_id;
	m->timestamp = timestamp;
	m->kind = kind;
	m->donation = donation;
	m->link = link;
	set_platform(&m->platform, m->platform_buf, sizeof(m->platform_buf), source_id,
		     ti && ti->platform ? ti->platform : NULL);

	build_text(m, t, tlen, rfo_json_get(ep, "replaces"));
	if (!*m->text && kind == RFO_CHAT_KIND_TEXT && !donation && !link) {
		rfo_chat_message_release(m); /* a text event without text */
		return NULL;
	}
	if (!*m->text && ti && ti->fallback) {
		bfree(m->text);
		m->text = bstrdup(ti->fallback);
	} else if (!*m->text && kind == RFO_CHAT_KIND_STICKER) {
		bfree(m->text);
		m->text = bstrdup("[sticker]");
	}

	static const char *const discord_keys[] = {"nickname", "displayName", "name", "username", NULL};
	static const char *const other_keys[] = {"displayName", "name", "username", "nickname", NULL};
	bool discord = type_id == 1 || (!ti && source_id == 25);
	m->author = clean_first(author, RFO_CHAT_MAX_NAME, discord ? discord_keys : other_keys);
	if (!m->author) {
		struct dstr s = {0};
		dstr_printf(&s, "%s user", m->platform);
		m->author = s.array;
	}
	const json_t *color = rfo_json_get(author, "color");
	if (!color)
		color = rfo_json_get(author, "nicknameColor");
	m->author_color = parse_color(color);

	m->bot = rfo_json_bool_or(ep, "bot", false) || rfo_json_bool_or(author, "bot", false);
	m->moderator =
		rfo_json_bool_or(author, "isChatModerator", false) || rfo_json_bool_or(author, "isChatOwner", false);
	int64_t months = 0;
	m->member = rfo_json_bool_or(author, "isChatSponsor", false) ||
		    rfo_json_bool_or(author, "subscribing", false) ||
		    (rfo_json_int(author, "subscribedFor", &months) && months > 0);
	const json_t *parent = rfo_json_object(ep, "parent");
	m->parent_author = clean_str(parent, "name", RFO_CHAT_MAX_NAME);

	/* identity */
	m->connection_id = id_dup(p, "connectionIdentifier");
	char *event_id = rfo_json_id_dup(p, "eventIdentifier");
	struct dstr id = {0};
	if (event_id) {
		dstr_printf(&id, "%s|%s|%" PRId64, m->connection_id, event_id, timestamp);
	} else {
		uint64_t h = fnv1a(0xcbf29ce484222325ULL, t, tlen);
		h = fnv1a(h, m->author, strlen(m->author));
		dstr_printf(&id, "%s|h%016" PRIx64 "|%" PRId64 "|%" PRId64, m->connection_id, h, type_id, timestamp);
	}
	bfree(event_id);
	if (id.len > RFO_CHAT_MAX_ID)
		dstr_resize(&id, rfo_text_utf8_prefix(id.array, id.len, RFO_CHAT_MAX_ID));
	m->id = id.array;
	return m;
}
