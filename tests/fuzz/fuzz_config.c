/* Fuzz target: the plugin's stored settings file (plugin/obs/app/rfo-config.c, obs_data JSON read with the
 * "safe" reader): whatever is on disk, rfo_config_load gives a usable configuration and nothing leaks. */
#include "fuzz-common.h"
#include "rfo-config.h"

#include <unistd.h>

RFO_FUZZ_INIT()

static char path[256];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0]) {
		const char *tmp = getenv("TMPDIR");
		snprintf(path, sizeof(path), "%s/rfo-fuzz-config-%d.json", tmp && *tmp ? tmp : "/tmp", (int)getpid());
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);

	long before = bnum_allocs();
	struct rfo_config cfg = {0};
	rfo_config_load(&cfg, path);
	RFO_FUZZ_ASSERT(cfg.api_url && cfg.chat_url && cfg.streaming_url && cfg.token_url && cfg.revoke_url);
	RFO_FUZZ_ASSERT(cfg.client_id && cfg.client_secret);
	rfo_config_free(&cfg);

	char *id = NULL, *secret = NULL;
	rfo_config_read_app(path, &id, &secret);
	RFO_FUZZ_ASSERT(id && secret);
	bfree(id);
	bfree(secret);
	rfo_fuzz_check_allocs(before, "config");
	unlink(path);
	return 0;
}
