#include "rfo-channel-model.h"

#include <stdio.h>
#include <string.h>
#include <util/bmem.h>
#include <util/dstr.h>

static void entry_free(struct rfo_channel_entry *e)
{
	rfo_channel_free(&e->ch);
	bfree(e->title);
	bfree(e->description);
	bfree(e->result_text);
	memset(e, 0, sizeof(*e));
}

void rfo_channel_model_init(struct rfo_channel_model *m)
{
	memset(m, 0, sizeof(*m));
}

void rfo_channel_model_free(struct rfo_channel_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->count; i++)
		entry_free(&m->items[i]);
	bfree(m->items);
	memset(m, 0, sizeof(*m));
}

struct rfo_channel_entry *rfo_channel_model_find(const struct rfo_channel_model *m, int64_t id)
{
	for (size_t i = 0; m && i < m->count; i++)
		if (m->items[i].ch.id == id)
			return &m->items[i];
	return NULL;
}

static bool str_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool channel_same(const struct rfo_channel *a, const struct rfo_channel *b)
{
	return a->id == b->id && a->platform_id == b->platform_id && a->enabled == b->enabled &&
	       str_same(a->display_name, b->display_name) && str_same(a->url, b->url);
}

bool rfo_channel_model_replace_take(struct rfo_channel_model *m, struct rfo_channel_list *list, uint64_t fetch_started)
{
	size_t n = list->count;
	struct rfo_channel_entry *items = n ? bzalloc(n * sizeof(*items)) : NULL;
	bool changed = n != m->count;

	for (size_t i = 0; i < n; i++) {
		struct rfo_channel_entry *e = &items[i];
		e->ch = list->items[i];
		e->confirmed = e->ch.enabled;
		struct rfo_channel_entry *old = rfo_channel_model_find(m, e->ch.id);
		if (old) {
			if (old->pending || old->changed_at > fetch_started) {
				/* Our own switch is newer than this answer: keep what we know. */
				e->ch.enabled = old->ch.enabled;
				e->confirmed = old->confirmed;
			}
			e->pending = old->pending;
			e->changed_at = old->changed_at;
			e->have_meta = old->have_meta;
			e->title = old->title;
			e->description = old->description;
			e->result = old->result;
			e->switch_failed = old->switch_failed;
			e->result_text = old->result_text;
			old->title = old->description = old->result_text = NULL;
		}
		if (!changed && !channel_same(&e->ch, &m->items[i].ch))
			changed = true;
	}
	bfree(list->items);
	list->items = NULL;
	list->count = 0;

	rfo_channel_model_free(m);
	m->items = items;
	m->count = n;
	return changed;
}

bool rfo_channel_model_begin_switch(struct rfo_channel_model *m, int64_t id, bool enabled, uint64_t now,
				    struct rfo_error *err)
{
	struct rfo_channel_entry *e = rfo_channel_model_find(m, id);
	if (!e) {
		rfo_error_set(err, RFO_ERR_INVALID, "No channel with id %lld", (long long)id);
		return false;
	}
	if (e->pending) {
		rfo_error_set(err, RFO_ERR_STATE, "A switch of this channel is already in progress");
		return false;
	}
	e->pending = true;
	e->ch.enabled = enabled;
	e->changed_at = now;
	return true;
}

bool rfo_channel_model_end_switch(struct rfo_channel_model *m, int64_t id, bool ok, const char *error, uint64_t now)
{
	struct rfo_channel_entry *e = rfo_channel_model_find(m, id);
	if (!e || !e->pending)
		return false;
	e->pending = false;
	e->changed_at = now;
	if (ok) {
		e->confirmed = e->ch.enabled;
		if (e->switch_failed)
			rfo_channel_model_set_result(m, id, RFO_CHANNEL_RESULT_NONE, NULL);
	} else {
		e->ch.enabled = e->confirmed;
		rfo_channel_model_set_result(m, id, RFO_CHANNEL_RESULT_ERROR, error && *error ? error : "Failed");
		e->switch_failed = true;
	}
	return true;
}

bool rfo_channel_model_set_meta(struct rfo_channel_model *m, int64_t id, const char *title, const char *description)
{
	struct rfo_channel_entry *e = rfo_channel_model_find(m, id);
	if (!e)
		return false;
	bfree(e->title);
	bfree(e->description);
	e->title = bstrdup(title ? title : "");
	e->description = description ? bstrdup(description) : NULL;
	e->have_meta = true;
	return true;
}

bool rfo_channel_model_set_result(struct rfo_channel_model *m, int64_t id, enum rfo_channel_result result,
				  const char *text)
{
	struct rfo_channel_entry *e = rfo_channel_model_find(m, id);
	if (!e)
		return false;
	bfree(e->result_text);
	e->switch_failed = false;
	e->result = result;
	e->result_text = result != RFO_CHANNEL_RESULT_NONE ? bstrdup(text ? text : "") : NULL;
	return true;
}

static bool contains(const int64_t *a, size_t n, int64_t v)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] == v)
			return true;
	return false;
}

void rfo_channel_model_targets(const struct rfo_channel_model *m, const int64_t *ids, size_t n,
			       struct rfo_channel_targets *out)
{
	memset(out, 0, sizeof(*out));
	size_t cap = ids ? n : m->count;
	if (!cap)
		return;
	out->ids = bmalloc(cap * sizeof(int64_t));
	if (ids)
		out->unknown = bmalloc(cap * sizeof(int64_t));
	if (!ids) {
		for (size_t i = 0; i < m->count; i++)
			if (m->items[i].ch.enabled)
				out->ids[out->count++] = m->items[i].ch.id;
	} else {
		for (size_t i = 0; i < n; i++) {
			if (contains(out->ids, out->count, ids[i]) ||
			    contains(out->unknown, out->unknown_count, ids[i]))
				continue;
			if (rfo_channel_model_find(m, ids[i]))
				out->ids[out->count++] = ids[i];
			else
				out->unknown[out->unknown_count++] = ids[i];
		}
	}
	if (!out->count) {
		bfree(out->ids);
		out->ids = NULL;
	}
	if (!out->unknown_count) {
		bfree(out->unknown);
		out->unknown = NULL;
	}
}

void rfo_channel_targets_free(struct rfo_channel_targets *t)
{
	if (!t)
		return;
	bfree(t->ids);
	bfree(t->unknown);
	memset(t, 0, sizeof(*t));
}

char *rfo_channel_platform_name(const struct rfo_platform_list *platforms, int64_t platform_id, bool *known)
{
	const struct rfo_platform *p = platforms ? rfo_platform_list_find(platforms, platform_id) : NULL;
	if (known)
		*known = p && p->name && *p->name;
	if (p && p->name && *p->name)
		return bstrdup(p->name);
	struct dstr s = {0};
	dstr_printf(&s, "Platform %lld", (long long)platform_id);
	return s.array;
}

static bool is_alpha_num(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

void rfo_channel_badge_text(const char *name, int64_t platform_id, bool known, char *out, size_t size)
{
	if (!out || !size)
		return;
	out[0] = 0;
	size_t len = 0;
	if (known && name) {
		bool word_start = true;
		for (const char *p = name; *p && len < 2 && len + 1 < size; p++) {
			if (!is_alpha_num(*p)) {
				word_start = true;
				continue;
			}
			if (word_start) {
				char c = *p;
				out[len++] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
			}
			word_start = false;
		}
		out[len] = 0;
	}
	if (!len)
		snprintf(out, size, "#%lld", (long long)platform_id);
}
