#include "rfo-vendor.h"
#include "rfo-log.h"

#include <obs.h>
#include <util/dstr.h>
#include <util/threading.h>

#define RFO_VENDOR_NAME "restream-for-obs"

/* Layout obs-websocket expects behind the "callback" pointer (API version 1). */
struct ws_request_callback {
	void (*callback)(obs_data_t *, obs_data_t *, void *);
	void *priv_data;
};

/* Guards ws_ph and vendor: events are emitted from any thread while unload forgets the vendor. Held across
 * obs-websocket's vendor_event_emit (which only queues the event), so it is the innermost lock: nothing of the
 * plugin is locked or called while it is held. */
static pthread_mutex_t vendor_mutex = PTHREAD_MUTEX_INITIALIZER;
static proc_handler_t *ws_ph;
static void *vendor;

static proc_handler_t *get_ws_ph(void)
{
	proc_handler_t *global = obs_get_proc_handler();
	if (!global)
		return NULL;
	calldata_t cd = {0};
	proc_handler_t *ph = NULL;
	if (proc_handler_call(global, "obs_websocket_api_get_ph", &cd))
		ph = calldata_ptr(&cd, "ph");
	calldata_free(&cd);
	return ph;
}

static bool register_request(void *v, const char *type, rfo_vendor_request_fn fn, void *param)
{
	struct ws_request_callback cb = {fn, param};
	calldata_t cd = {0};
	calldata_set_ptr(&cd, "vendor", v);
	calldata_set_string(&cd, "type", type);
	calldata_set_ptr(&cd, "callback", &cb);
	proc_handler_call(ws_ph, "vendor_request_register", &cd);
	bool ok = calldata_bool(&cd, "success");
	calldata_free(&cd);
	return ok;
}

bool rfo_vendor_register(const struct rfo_vendor_request *requests, size_t count)
{
	proc_handler_t *ph = get_ws_ph();
	if (!ph) {
		rfo_log(LOG_INFO, "obs-websocket is not available; the vendor API is disabled");
		return false;
	}
	ws_ph = ph;

	calldata_t cd = {0};
	calldata_set_string(&cd, "name", RFO_VENDOR_NAME);
	proc_handler_call(ws_ph, "vendor_register", &cd);
	void *v = calldata_ptr(&cd, "vendor");
	calldata_free(&cd);
	if (!v) {
		rfo_log(LOG_WARNING, "obs-websocket refused to register the vendor '%s'", RFO_VENDOR_NAME);
		return false;
	}

	size_t registered = 0;
	struct dstr names = {0};
	for (size_t i = 0; i < count; i++) {
		if (register_request(v, requests[i].type, requests[i].fn, requests[i].param)) {
			registered++;
			dstr_catf(&names, "%s%s", names.len ? " " : "", requests[i].type);
		} else {
			rfo_log(LOG_WARNING, "could not register vendor request '%s'", requests[i].type);
		}
	}

	pthread_mutex_lock(&vendor_mutex);
	vendor = v;
	pthread_mutex_unlock(&vendor_mutex);
	rfo_log(LOG_INFO, "obs-websocket vendor '%s' registered with %zu requests", RFO_VENDOR_NAME, registered);
	rfo_log(LOG_INFO, "vendor requests: %s", names.array ? names.array : "");
	dstr_free(&names);
	return true;
}

void rfo_vendor_emit(const char *event_type, obs_data_t *data)
{
	pthread_mutex_lock(&vendor_mutex);
	if (vendor) {
		calldata_t cd = {0};
		calldata_set_ptr(&cd, "vendor", vendor);
		calldata_set_string(&cd, "type", event_type);
		calldata_set_ptr(&cd, "data", data);
		proc_handler_call(ws_ph, "vendor_event_emit", &cd);
		calldata_free(&cd);
	}
	pthread_mutex_unlock(&vendor_mutex);
}

void rfo_vendor_forget(void)
{
	pthread_mutex_lock(&vendor_mutex);
	vendor = NULL;
	ws_ph = NULL;
	pthread_mutex_unlock(&vendor_mutex);
}
