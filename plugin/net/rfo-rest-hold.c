/* A feature's pause after Restream answered 429/503 (Retry-After). */
#include "rfo-rest-hold.h"

#include <util/base.h>
#include <util/bmem.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

#define SEC_NS 1000000000ULL
#define MAX_WAIT_S 1000000000LL

/* Guards until_ns of every rfo_rest_hold (os_atomic has no 64-bit type; one lock keeps a hold zero-initialisable).
 * A leaf lock: nothing else is taken while it is held. */
static pthread_mutex_t hold_mutex = PTHREAD_MUTEX_INITIALIZER;

uint64_t rfo_rest_hold_apply(struct rfo_rest_hold *hold, const struct rfo_http_response *resp, const char *log_sub)
{
	if (resp->error.code != RFO_ERR_NONE || (resp->status != 429 && resp->status != 503))
		return 0;
	int64_t secs = resp->retry_after > 0 ? resp->retry_after : (resp->status == 429 ? 5 : 0);
	if (secs <= 0)
		return 0;
	/* Honoured as asked ("never sooner"); the clamp (about 30 years) only keeps the product in range. */
	uint64_t ns = (uint64_t)(secs < MAX_WAIT_S ? secs : MAX_WAIT_S) * SEC_NS;
	uint64_t until = os_gettime_ns() + ns;
	pthread_mutex_lock(&hold_mutex);
	bool grew = until > hold->until_ns;
	if (grew)
		hold->until_ns = until;
	pthread_mutex_unlock(&hold_mutex);
	if (grew)
		blog(LOG_WARNING,
		     "[restream-for-obs/%s] Restream asked to wait %.0f s (HTTP %ld): no requests until then", log_sub,
		     (double)ns / 1e9, resp->status);
	return ns;
}

void rfo_rest_hold_clear(struct rfo_rest_hold *hold)
{
	pthread_mutex_lock(&hold_mutex);
	hold->until_ns = 0;
	pthread_mutex_unlock(&hold_mutex);
}

uint64_t rfo_rest_hold_left(struct rfo_rest_hold *hold)
{
	pthread_mutex_lock(&hold_mutex);
	uint64_t until = hold->until_ns;
	pthread_mutex_unlock(&hold_mutex);
	uint64_t now = os_gettime_ns();
	return until > now ? until - now : 0;
}

char *rfo_rest_hold_text(const char *sentence, uint64_t ns)
{
	struct dstr s = {0}, n = {0};
	dstr_copy(&s, sentence ? sentence : RFO_REST_HOLD_TEXT_EN);
	dstr_printf(&n, "%llu", (unsigned long long)((ns + SEC_NS - 1) / SEC_NS));
	dstr_replace(&s, "%1", n.array);
	dstr_free(&n);
	return s.array;
}

bool rfo_rest_hold_check(struct rfo_rest_hold *hold, const char *sentence, struct rfo_error *err)
{
	uint64_t left = rfo_rest_hold_left(hold);
	if (left && err) {
		char *text = rfo_rest_hold_text(sentence, left);
		rfo_error_set(err, 429, "%s", text);
		bfree(text);
	}
	return left != 0;
}
