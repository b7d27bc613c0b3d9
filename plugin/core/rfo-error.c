#include "rfo-error.h"

#include <stdio.h>

void rfo_error_set(struct rfo_error *err, int code, const char *format, ...)
{
	if (!err)
		return;
	err->code = code;
	va_list args;
	va_start(args, format);
	vsnprintf(err->message, sizeof(err->message), format, args);
	va_end(args);
}
