#pragma once
/* Shared by every fuzz target (tests/fuzz/fuzz_*.c): a quiet libobs log handler and a leak check on
 * libobs' allocation counter, so a leak or a crash in any parser stops the run with the input that
 * caused it. Each target defines LLVMFuzzerTestOneInput; libFuzzer (RFO_FUZZ) or replay.c (any
 * compiler) calls it. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <util/base.h>
#include <util/bmem.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static void rfo_fuzz_quiet_log(int level, const char *fmt, va_list args, void *param)
{
	(void)level;
	(void)fmt;
	(void)args;
	(void)param;
}

/* Defines LLVMFuzzerInitialize: silences blog (the parsers log at debug level). */
#define RFO_FUZZ_INIT()                                                 \
	int LLVMFuzzerInitialize(int *argc, char ***argv)               \
	{                                                               \
		(void)argc;                                             \
		(void)argv;                                             \
		if (!getenv("RFO_FUZZ_VERBOSE"))                        \
			base_set_log_handler(rfo_fuzz_quiet_log, NULL); \
		return 0;                                               \
	}

/* A NUL-terminated heap copy of the input (parsers that take C strings). */
static inline char *rfo_fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = 0;
	return s;
}

/* Aborts when libobs' allocation counter moved: the input leaked (or double-freed) a bmalloc block. */
static inline void rfo_fuzz_check_allocs(long before, const char *what)
{
	long now = bnum_allocs();
	if (now != before) {
		fprintf(stderr, "fuzz: %s: bnum_allocs %ld -> %ld (leak)\n", what, before, now);
		abort();
	}
}

/* Aborts with a message when cond is false (an invariant the header promises). */
#define RFO_FUZZ_ASSERT(cond)                                                                              \
	do {                                                                                               \
		if (!(cond)) {                                                                             \
			fprintf(stderr, "fuzz: %s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                           \
		}                                                                                          \
	} while (0)

/* Remote text as the parsers promise to hand it on (rfo_text_sanitize's rules): no C0 control byte (so no line
 * break; lines allows '\n'), no DEL, no C1 (U+0080..U+009F), no U+2028/U+2029, no bidi embedding, override or
 * isolate (U+202A..U+202E, U+2066..U+2069), and at most max bytes (0 = no cap). Does not check UTF-8 validity. */
static inline bool rfo_fuzz_clean_text(const char *s, size_t max, bool lines)
{
	if (!s)
		return false;
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	for (; p[n]; n++) {
		unsigned char c = p[n];
		if ((c < 0x20 && !(lines && c == '\n')) || c == 0x7f)
			return false;
		if (c == 0xC2 && p[n + 1] >= 0x80 && p[n + 1] <= 0x9F)
			return false;
		if (c == 0xE2 && p[n + 1] == 0x80 && p[n + 2] >= 0xA8 && p[n + 2] <= 0xAE)
			return false;
		if (c == 0xE2 && p[n + 1] == 0x81 && p[n + 2] >= 0xA6 && p[n + 2] <= 0xA9)
			return false;
	}
	return !max || n <= max;
}

/* A URL or id kept as sent: clean text without spaces, at most max bytes; NULL is fine (dropped). */
static inline bool rfo_fuzz_clean_token(const char *s, size_t max)
{
	return !s || (rfo_fuzz_clean_text(s, max, false) && !strchr(s, ' '));
}
