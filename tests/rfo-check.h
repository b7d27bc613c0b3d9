#pragma once
/* fail() ends a test with a message, check() fails when a condition is false, check_str() compares strings.
 * No libobs: the token broker's tests use them too. */
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
