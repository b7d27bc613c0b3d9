/* Walking the features' descriptors: lifecycle order, the vendor table, and the one way a vendor request runs
 * (arguments checked, then the wait budget). No OBS frontend: unit-tested with fake features. */
#include "rfo-feature.h"
#include "rfo-log.h"

#include <obs-module.h>
#include <util/darray.h>
#include <util/platform.h>
#include <util/threading.h>

void rfo_features_create(const struct rfo_feature *const *features, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (features[i]->create && !features[i]->create())
			rfo_log(LOG_WARNING, "the %s feature could not be created", features[i]->name);
}

void rfo_features_start(const struct rfo_feature *const *features, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (features[i]->start)
			features[i]->start();
}

void rfo_features_stop(const struct rfo_feature *const *features, size_t count)
{
	for (size_t i = count; i > 0; i--)
		if (features[i - 1]->stop)
			features[i - 1]->stop();
}

void rfo_features_destroy(const struct rfo_feature *const *features, size_t count)
{
	for (size_t i = count; i > 0; i--)
		if (features[i - 1]->destroy)
			features[i - 1]->destroy();
}

bool rfo_features_register(const struct rfo_feature *const *features, size_t count, rfo_features_register_fn reg)
{
	DARRAY(struct rfo_vendor_request) table;
	da_init(table);
	for (size_t i = 0; i < count; i++) {
		for (size_t j = 0; j < features[i]->request_count; j++) {
			const struct rfo_feature_request *r = &features[i]->requests[j];
			struct rfo_vendor_request v = {r->type, rfo_features_call, (void *)r};
			da_push_back(table, &v);
		}
	}
	bool ok = reg(table.array, table.num);
	da_free(table);
	return ok;
}

/* ---------------------------------------------------------------- the wait budget */

/* At most one vendor request waits for Restream at a time, and for at most RFO_FEATURE_WAIT_MS; the others do not
 * wait at all and answer from the cache or as pending: GetStatus and OBS's own requests always find a free
 * thread in obs-websocket's pool. */
static volatile long waiting;

static uint32_t wait_begin(void)
{
	if (os_atomic_inc_long(&waiting) == 1)
		return RFO_FEATURE_WAIT_MS;
	os_atomic_dec_long(&waiting);
	return 0;
}

static void wait_end(uint32_t budget)
{
	if (budget)
		os_atomic_dec_long(&waiting);
}

/* ---------------------------------------------------------------- the quit gate */

/* How many vendor requests run inside the plugin, and whether new ones are turned away. Both sequentially
 * consistent: a request counts itself before it looks at the gate, the drain closes the gate before it counts. */
static volatile long in_flight;
static volatile bool closed;

static inline bool gate_closed(void)
{
	return os_atomic_load_bool(&closed);
}

bool rfo_features_drain(uint32_t max_ms)
{
	os_atomic_set_bool(&closed, true);
	uint64_t deadline = os_gettime_ns() + (uint64_t)max_ms * 1000000ULL;
	while (os_atomic_load_long(&in_flight) > 0 && os_gettime_ns() < deadline)
		os_sleep_ms(1);
	return os_atomic_load_long(&in_flight) == 0;
}

void rfo_features_reopen(void)
{
	os_atomic_set_bool(&closed, false);
}

static void call_checked(const struct rfo_feature_request *r, obs_data_t *request, obs_data_t *response);

void rfo_features_call(obs_data_t *request, obs_data_t *response, void *param)
{
	os_atomic_inc_long(&in_flight);
	if (gate_closed())
		rfo_vendor_fail(response, RFO_VENDOR_STOPPING, obs_module_text("Vendor.Error.Stopping"));
	else
		call_checked(param, request, response);
	os_atomic_dec_long(&in_flight);
}

static void call_checked(const struct rfo_feature_request *r, obs_data_t *request, obs_data_t *response)
{
	if (!rfo_vendor_args_check(request, r->args, r->arg_count, response))
		return;
	uint32_t budget = r->may_wait ? wait_begin() : 0;
	void *call = NULL;
	if (r->handler)
		r->handler(request, response, budget);
	else
		call = r->begin(request, response, budget);
	/* The budget covers waiting for Restream only: it is handed back before a second step (e.g. the UI thread
	 * applying stream settings). */
	wait_end(budget);
	if (call)
		r->finish(call, response);
}
