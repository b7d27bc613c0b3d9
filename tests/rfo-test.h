#pragma once
/* Tiny unit-test helpers in the style of jansson's tests: fail() aborts the test with a message,
 * check() fails when a condition is false. Every test ends with rfo_test_end(), which also fails
 * when libobs' allocation counter (bnum_allocs) shows a leak. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <util/bmem.h>

#include "rfo-check.h"

static inline int rfo_test_end(void)
{
	long n = bnum_allocs();
	if (n != 0) {
		fprintf(stderr, "FAIL: %ld allocations leaked\n", n);
		return 1;
	}
	return 0;
}
