/* Every locale key the plugin's code uses exists in locale/en-US.ini, and the file parses. */
#include "rfo-test.h"

#include <util/darray.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/text-lookup.h>

/* (".error_key = ": a vendor argument's sentence, looked up when the argument is refused) */
static const char *const callers[] = {"obs_module_text(\"", "QTStr(\"", ".error_key = \""};

static size_t missing;
static size_t checked;

static void check_file(lookup_t *lookup, const char *path)
{
	char *text = os_quick_read_utf8_file(path);
	if (!text)
		fail(path);
	for (size_t i = 0; i < sizeof(callers) / sizeof(callers[0]); i++) {
		for (const char *p = strstr(text, callers[i]); p; p = strstr(p + 1, callers[i])) {
			const char *start = p + strlen(callers[i]);
			const char *end = strchr(start, '"');
			if (!end)
				continue;
			struct dstr key = {0};
			dstr_ncopy(&key, start, end - start);
			const char *value;
			checked++;
			if (!text_lookup_getstr(lookup, key.array, &value)) {
				fprintf(stderr, "%s: locale key \"%s\" is missing from en-US.ini\n", path, key.array);
				missing++;
			}
			dstr_free(&key);
		}
	}
	bfree(text);
}

static bool is_source(const char *name)
{
	const char *ext = strrchr(name, '.');
	return ext && (!strcmp(ext, ".c") || !strcmp(ext, ".h") || !strcmp(ext, ".cpp") || !strcmp(ext, ".hpp"));
}

static void walk(lookup_t *lookup, const char *dir)
{
	os_dir_t *d = os_opendir(dir);
	if (!d)
		fail(dir);
	struct os_dirent *ent;
	while ((ent = os_readdir(d)) != NULL) {
		if (ent->d_name[0] == '.')
			continue;
		struct dstr path = {0};
		dstr_printf(&path, "%s/%s", dir, ent->d_name);
		if (ent->directory)
			walk(lookup, path.array);
		else if (is_source(ent->d_name))
			check_file(lookup, path.array);
		dstr_free(&path);
	}
	os_closedir(d);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		fail("usage: test_locale <source dir>");
	struct dstr path = {0};
	dstr_printf(&path, "%s/locale/en-US.ini", argv[1]);
	lookup_t *lookup = text_lookup_create(path.array);
	if (!lookup)
		fail("locale/en-US.ini is missing or does not parse");
	dstr_printf(&path, "%s/plugin", argv[1]);
	walk(lookup, path.array);
	text_lookup_destroy(lookup);
	dstr_free(&path);

	printf("%zu locale lookups checked, %zu missing\n", checked, missing);
	check(checked > 10);
	check(missing == 0);
	return rfo_test_end();
}
