#pragma once

#include <obs-module.h>
#include <QString>

/* Every user-visible string goes through the module's locale (locale/en-US.ini). */
static inline QString QTStr(const char *key)
{
	return QString::fromUtf8(obs_module_text(key));
}
