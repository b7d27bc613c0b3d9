#pragma once

#include <util/base.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every plugin log line starts with "[restream-for-obs]". Sub-prefixes name the part:
 *   rfo_log(LOG_INFO, "loaded");                 -> "[restream-for-obs] loaded"
 *   rfo_log_sub(LOG_WARNING, "chat", "closed");  -> "[restream-for-obs/chat] closed"
 * Never log tokens, stream keys, passphrases, client secrets or URLs carrying them. */
#define rfo_log(level, format, ...) blog(level, "[restream-for-obs] " format, ##__VA_ARGS__)
#define rfo_log_sub(level, sub, format, ...) blog(level, "[restream-for-obs/" sub "] " format, ##__VA_ARGS__)

#ifdef __cplusplus
}
#endif
