/* restream-token-broker tests: fail() and check() in the style of the plugin's tests, without libobs. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define fail(msg)                                                              \
	do {                                                                   \
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, msg); \
		exit(1);                                                       \
	} while (0)
#define check(cond)                  \
	do {                         \
		if (!(cond))         \
			fail(#cond); \
	} while (0)
#define check_str(a, b)                                                                                            \
	do {                                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                                   \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                                           \
			fprintf(stderr, "%s:%d: FAIL: \"%s\" != \"%s\"\n", __FILE__, __LINE__, a_ ? a_ : "(null)", \
				b_ ? b_ : "(null)");                                                               \
			exit(1);                                                                                   \
		}                                                                                                  \
	} while (0)
