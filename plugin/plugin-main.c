#include <obs-module.h>
#include "rfo-log.h"

OBS_DECLARE_MODULE()
OBS_MODULE_USE_DEFAULT_LOCALE("restream-for-obs", "en-US")

bool obs_module_load(void)
{
	rfo_log(LOG_INFO, "loaded (version %s)", "0.1.0");
	return true;
}
