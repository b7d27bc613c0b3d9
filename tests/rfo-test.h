#pragma once
/* Tiny unit-test helpers in the style of jansson's tests: fail() aborts the test with a message,
 * check() fails when a condition is false. Every test ends with rfo_test_end(), which also fails
 * when libobs' allocation counter (bnum_allocs) shows a leak. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <util/bmem.h>

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

static inline int rfo_test_end(void)
{
	long n = bnum_allocs();
	if (n != 0) {
		fprintf(stderr, "FAIL: %ld allocations leaked\n", n);
		return 1;
	}
	return 0;
}
