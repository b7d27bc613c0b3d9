/* Every translation in locale/ against en-US.ini: the same keys, the same placeholders in the same order, no empty
 * value, no value longer than the dock can take, and OBS's own parser reads each file. The checks first run on
 * made-up bad files so that they are known to catch what they look for. */
#include "rfo-test.h"

#include <util/darray.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/text-lookup.h>

/* The languages the plugin ships; a translator adds a line here with the new file (see README). */
static const char *const shipped[] = {"de-DE", "es-ES", "fr-FR", "pt-BR", "it-IT", "pl-PL",
				      "ru-RU", "tr-TR", "ja-JP", "ko-KR", "zh-CN"};

/* A value up to this many columns in en-US, not ending as a sentence, is a single-line label (tab, button, field
 * name, column, state, chip). */
#define LABEL_COLUMNS 30
/* What one line of a 280-px dock holds at OBS's default font (about 6.5 px a column, less the margins). */
#define LINE_COLUMNS 40
/* A tab title shares the dock's 280 px with three others. */
#define TAB_COLUMNS 14

struct entry {
	char *key;
	char *value;
};

struct ini {
	DARRAY(struct entry) entries;
};

static size_t problems;

static void problem(const char *file, const char *key, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", file, key, what);
	problems++;
}

static char *trimmed(const char *start, const char *end)
{
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	return bstrdup_n(start, end - start);
}

/* key="value" lines; '#' and ';' comments and blank lines skipped. The value keeps its escapes (\" stays two
 * characters): only the surrounding quotes go. */
static void parse(struct ini *ini, const char *text, const char *file)
{
	da_init(ini->entries);
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		const char *end = nl ? nl : line + strlen(line);
		char *l = trimmed(line, end);
		if (*l && *l != '#' && *l != ';') {
			char *eq = strchr(l, '=');
			if (!eq) {
				problem(file, l, "line without '='");
			} else {
				struct entry e = {trimmed(l, eq), trimmed(eq + 1, eq + strlen(eq))};
				size_t n = strlen(e.value);
				if (n >= 2 && e.value[0] == '"' && e.value[n - 1] == '"') {
					memmove(e.value, e.value + 1, n - 2);
					e.value[n - 2] = 0;
				} else {
					problem(file, e.key, "value not in double quotes");
				}
				da_push_back(ini->entries, &e);
			}
		}
		bfree(l);
		line = nl ? nl + 1 : NULL;
	}
}

static void ini_free(struct ini *ini)
{
	for (size_t i = 0; i < ini->entries.num; i++) {
		bfree(ini->entries.array[i].key);
		bfree(ini->entries.array[i].value);
	}
	da_free(ini->entries);
}

static const char *find(const struct ini *ini, const char *key)
{
	for (size_t i = 0; i < ini->entries.num; i++)
		if (strcmp(ini->entries.array[i].key, key) == 0)
			return ini->entries.array[i].value;
	return NULL;
}

/* The placeholders in order, joined: "%1 %2". The plugin's code fills %1..%9 (Qt's arg(), dstr_replace);
 * printf-style %s/%d must never appear ("%%" and a '%' before a space or ')' are text). */
static void placeholders(const char *value, struct dstr *out)
{
	dstr_free(out);
	for (const char *p = strchr(value, '%'); p; p = strchr(p + 1, '%')) {
		char c = p[1];
		if ((c >= '1' && c <= '9') || c == 's' || c == 'd' || c == 'u' || c == 'z' || c == 'l') {
			dstr_catf(out, "%s%%%c", out->len ? " " : "", c);
		}
	}
}

/* A dstr's text; an empty dstr has no array. */
static const char *text_of(const struct dstr *d)
{
	return d->array ? d->array : "";
}

/* Columns the text takes: East Asian wide characters (CJK, Hangul, fullwidth forms) count two. */
static size_t columns(const char *s)
{
	size_t cols = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		unsigned cp;
		int len;
		if (*p < 0x80) {
			cp = *p;
			len = 1;
		} else if ((*p & 0xE0) == 0xC0) {
			cp = *p & 0x1F;
			len = 2;
		} else if ((*p & 0xF0) == 0xE0) {
			cp = *p & 0x0F;
			len = 3;
		} else {
			cp = *p & 0x07;
			len = 4;
		}
		for (int i = 1; i < len; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return (size_t)-1; /* not UTF-8 */
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		p += len;
		bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
			    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
			    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
			    (cp >= 0xFFE0 && cp <= 0xFFE6);
		cols += wide ? 2 : 1;
	}
	return cols;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);
	return a >= b && strcmp(s + a - b, tail) == 0;
}

/* A sentence ends with a full stop (or ! or ?): it sits in a label that wraps. */
static bool is_sentence(const char *en)
{
	size_t n = strlen(en);
	return n > 0 && strchr(".!?", en[n - 1]) != NULL;
}

/* The most columns a translation of `en` (for `key`) may take. Single-line labels (buttons, field names, states):
 * 1.6x English or 12 more columns, whichever is more (short words grow most: "On", "Show"; OBS's own terms are
 * long in some languages: "Clave de retransmisión"), and never more than LINE_COLUMNS; tab titles at most
 * TAB_COLUMNS; sentences (and anything over LABEL_COLUMNS in English) wrap, so 1.8x plus 10. */
static size_t limit_for(const char *key, const char *en)
{
	size_t en_cols = columns(en);
	if (ends_with(key, ".Tab"))
		return TAB_COLUMNS;
	if (en_cols <= LABEL_COLUMNS && !is_sentence(en)) {
		size_t ratio = en_cols * 16 / 10;
		size_t limit = ratio > en_cols + 12 ? ratio : en_cols + 12;
		return limit < LINE_COLUMNS ? limit : LINE_COLUMNS;
	}
	return en_cols * 18 / 10 + 10;
}

/* Compares one translation with en-US; returns the number of problems found. */
static size_t compare(const struct ini *en, const struct ini *tr, const char *file)
{
	size_t before = problems;
	struct dstr want = {0}, got = {0};
	for (size_t i = 0; i < en->entries.num; i++) {
		const struct entry *e = &en->entries.array[i];
		const char *value = find(tr, e->key);
		if (!value) {
			problem(file, e->key, "missing");
			continue;
		}
		if (!*value) {
			problem(file, e->key, "empty");
			continue;
		}
		placeholders(e->value, &want);
		placeholders(value, &got);
		if (strcmp(text_of(&want), text_of(&got)) != 0) {
			struct dstr msg = {0};
			dstr_printf(&msg, "placeholders \"%s\", en-US has \"%s\"", text_of(&got), text_of(&want));
			problem(file, e->key, msg.array);
			dstr_free(&msg);
		}
		size_t cols = columns(value), limit = limit_for(e->key, e->value);
		if (cols == (size_t)-1) {
			problem(file, e->key, "not UTF-8");
		} else if (cols > limit) {
			struct dstr msg = {0};
			dstr_printf(&msg, "%zu columns, the layout takes at most %zu (en-US: %zu)", cols, limit,
				    columns(e->value));
			problem(file, e->key, msg.array);
			dstr_free(&msg);
		}
		if (strchr(value, '\n') || strstr(value, "\\n"))
			problem(file, e->key, "line break in a value");
	}
	for (size_t i = 0; i < tr->entries.num; i++) {
		const char *key = tr->entries.array[i].key;
		if (!find(en, key))
			problem(file, key, "not in en-US (a removed or misspelt key)");
		for (size_t j = 0; j < i; j++)
			if (strcmp(tr->entries.array[j].key, key) == 0)
				problem(file, key, "twice");
	}
	dstr_free(&want);
	dstr_free(&got);
	return problems - before;
}

/* The checks catch what they are for: each made-up translation below has exactly one fault. */
static void self_test(void)
{
	static const char *const en_text = "A.Tab=\"Chat\"\nA.Button=\"Show\"\nA.Two=\"%1 of %2\"\n"
					   "A.Long=\"Connect your Restream account to set up streaming.\"\n";
	static const char *const bad[] = {
		"A.Tab=\"Chat\"\nA.Button=\"Show\"\nA.Two=\"%1 of %2\"\n",                               /* missing */
		"A.Tab=\"Chat\"\nA.Button=\"\"\nA.Two=\"%1 of %2\"\nA.Long=\"x\"\n",                     /* empty */
		"A.Tab=\"Chat\"\nA.Button=\"Show\"\nA.Two=\"%2 of %1\"\nA.Long=\"x\"\n",                 /* order */
		"A.Tab=\"Chat\"\nA.Button=\"Show\"\nA.Two=\"%1 of %s\"\nA.Long=\"x\"\n",                 /* kind */
		"A.Tab=\"Chat\"\nA.Button=\"Show\"\nA.Two=\"%1 of\"\nA.Long=\"x\"\n",                    /* dropped */
		"A.Tab=\"Chat\"\nA.Button=\"Anzeigen lassen, bitte!\"\nA.Two=\"%1/%2\"\nA.Long=\"x\"\n", /* label */
		"A.Tab=\"チャットメッセージ\"\nA.Button=\"Show\"\nA.Two=\"%1/%2\"\nA.Long=\"x\"\n",      /* tab */
		"A.Tab=\"Chat\"\nA.Button=\"Show\"\nA.Two=\"%1/%2\"\nA.Long=\"x\"\nA.Extra=\"y\"\n",     /* extra */
	};
	struct ini en;
	parse(&en, en_text, "self-test en");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ini tr;
		parse(&tr, bad[i], "self-test");
		size_t found = compare(&en, &tr, "self-test (expected)");
		if (found != 1)
			fprintf(stderr, "self-test %zu: %zu problems found, expected 1\n", i, found);
		check(found == 1);
		ini_free(&tr);
	}
	struct ini good;
	parse(&good, "A.Tab=\"チャット\"\nA.Button=\"Anzeigen\"\nA.Two=\"%1/%2\"\nA.Long=\"x\"\n", "self-test");
	check(compare(&en, &good, "self-test (good)") == 0);
	ini_free(&good);
	ini_free(&en);
	problems = 0;
}

static void check_locale(const struct ini *en, const char *dir, const char *name)
{
	struct dstr path = {0};
	dstr_printf(&path, "%s/%s.ini", dir, name);
	char *text = os_quick_read_utf8_file(path.array);
	if (!text) {
		problem(path.array, "-", "missing file");
		dstr_free(&path);
		return;
	}
	struct ini tr;
	parse(&tr, text, path.array);
	size_t found = compare(en, &tr, path.array);
	/* OBS's own reader finds every key, non-empty (its parser, not ours, is what the plugin uses) */
	lookup_t *lookup = text_lookup_create(path.array);
	if (!lookup) {
		problem(path.array, "-", "OBS's text lookup does not read it");
	} else {
		for (size_t i = 0; i < en->entries.num; i++) {
			const char *v = NULL;
			if (!text_lookup_getstr(lookup, en->entries.array[i].key, &v) || !v || !*v)
				problem(path.array, en->entries.array[i].key, "OBS's text lookup finds no value");
		}
		text_lookup_destroy(lookup);
	}
	printf("%s: %zu keys, %zu problems\n", name, tr.entries.num, found);
	ini_free(&tr);
	bfree(text);
	dstr_free(&path);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		fail("usage: test_locale_files <source dir>");
	self_test();

	struct dstr dir = {0}, path = {0};
	dstr_printf(&dir, "%s/locale", argv[1]);
	dstr_printf(&path, "%s/en-US.ini", dir.array);
	char *text = os_quick_read_utf8_file(path.array);
	if (!text)
		fail("locale/en-US.ini is missing");
	struct ini en;
	parse(&en, text, path.array);
	check(en.entries.num > 100);
	check(problems == 0);

	for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++)
		check_locale(&en, dir.array, shipped[i]);

	/* a file in locale/ that the list above does not name is a language the test would not check */
	os_dir_t *d = os_opendir(dir.array);
	struct os_dirent *ent;
	while (d && (ent = os_readdir(d)) != NULL) {
		if (!ends_with(ent->d_name, ".ini") || strcmp(ent->d_name, "en-US.ini") == 0)
			continue;
		bool listed = false;
		for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++)
			listed |= strncmp(ent->d_name, shipped[i], strlen(shipped[i])) == 0 &&
				  strcmp(ent->d_name + strlen(shipped[i]), ".ini") == 0;
		if (!listed)
			problem(ent->d_name, "-", "not listed in test_locale_files.c's shipped[]");
	}
	if (d)
		os_closedir(d);

	printf("%zu locales checked against %zu en-US keys: %zu problems\n", sizeof(shipped) / sizeof(shipped[0]),
	       en.entries.num, problems);
	check(problems == 0);
	ini_free(&en);
	bfree(text);
	dstr_free(&dir);
	dstr_free(&path);
	return rfo_test_end();
}
