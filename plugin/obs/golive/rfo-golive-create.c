/* Creating a Restream event from OBS (POST /v2/user/events/new with streamType "encoder", through go-live's
 * request engine): the CreateEvent vendor request and the Go live tab's form. The new event goes into the cache at
 * once (so ListEvents and the event picker have it) and a refresh fetches its stream key. */
#include "rfo-golive.h"
#include "rfo-golive-state.h"
#include "rfo-api.h"
#include "rfo-controller.h"
#include "rfo-dispatch.h"
#include "rfo-log.h"
#include "rfo-ui-golive.h"
#include "rfo-vendor-args.h"
#include "rfo-vendor.h"

#include <obs-module.h>
#include <time.h>
#include <util/bmem.h>
#include <util/dstr.h>
#include <util/platform.h>

/* One creation, shared by the request (or the tab) and the engine's job. */
struct creation {
	char *title, *description;
	int64_t scheduled_for;
	bool from_ui;
	/* Set by the job's thread before the job completes; read after rfo_api_job_wait or in the UI task. */
	char *id;
	struct rfo_error err;
};

static void creation_free(void *data)
{
	struct creation *c = data;
	bfree(c->title);
	bfree(c->description);
	bfree(c->id);
	bfree(c);
}

/* The outcome of the tab's last creation (UI thread only). */
static struct {
	unsigned count;
	bool ok;
	char *message;
	char *event_id;
} ui_created;

static void ui_result_task(void *param)
{
	struct rfo_api_job *job = param;
	struct creation *c = rfo_api_job_data(job);
	if (rfo_controller_running()) {
		ui_created.count++;
		ui_created.ok = c->id != NULL;
		bfree(ui_created.message);
		bfree(ui_created.event_id);
		ui_created.event_id = bstrdup(c->id ? c->id : "");
		struct dstr msg = {0};
		if (c->id) {
			dstr_copy(&msg, obs_module_text("GoLive.EventCreated"));
			dstr_replace(&msg, "%1", c->title);
		} else
			dstr_copy(&msg, c->err.message);
		ui_created.message = msg.array ? msg.array : bstrdup("");
		rfo_golive_ui_refresh();
	}
	rfo_api_job_release(job);
}

static void on_created(void *param, struct rfo_api_job *job, const struct rfo_http_response *resp,
		       const struct rfo_error *error)
{
	struct creation *c = param;
	struct rfo_error err = *error;
	if (!err.code && !rfo_rest_parse_created_event(resp->body, resp->len, &c->id, &err))
		rfo_log_sub(LOG_WARNING, "golive", "creating an event: %s", err.message);
	if (err.code) {
		rfo_error_set(&c->err, err.code, "%s %s", obs_module_text("GoLive.Error.CreateEvent"), err.message);
		rfo_api_job_fail(job, &c->err);
		return;
	}
	struct rfo_event e = {
		.id = c->id,
		.status = "upcoming",
		.status_kind = RFO_EVENT_UPCOMING,
		.title = c->title,
		.description = c->description,
		.scheduled_for = c->scheduled_for,
	};
	rfo_golive_cache_add_event(job, &e);
	rfo_log_sub(LOG_INFO, "golive", "created event %s", c->id);
	if (rfo_controller_running())
		rfo_golive_refresh_async(c->id, NULL, NULL); /* its key, and the lists as Restream has them now */
}

static void on_complete(struct rfo_api_job *job, void *data)
{
	struct creation *c = data;
	if (!c->from_ui)
		return;
	rfo_api_job_ref(job);
	if (rfo_controller_running())
		rfo_dispatch(ui_result_task, job);
	else
		rfo_api_job_release(job);
}

/* Starts one creation; the caller holds the returned job (release it). NULL with err when it cannot start. */
static struct rfo_api_job *create_start(const char *title, const char *description, int64_t scheduled_for, bool from_ui,
					struct rfo_error *err)
{
	if (!rfo_golive_signed_in()) {
		rfo_error_set(err, RFO_ERR_AUTH, "%s", obs_module_text("GoLive.Error.SignedOut"));
		return NULL;
	}
	if (!title || !*title) {
		rfo_error_set(err, RFO_ERR_INVALID, "%s", obs_module_text("GoLive.Error.EventTitle"));
		return NULL;
	}
	char *body = rfo_rest_create_event_body(title, description, scheduled_for);
	if (!body) {
		rfo_error_set(err, RFO_ERR_INVALID, "%s", obs_module_text("GoLive.Error.EventTitle"));
		return NULL;
	}
	struct creation *c = bzalloc(sizeof(*c));
	c->title = bstrdup(title);
	c->description = description && *description ? bstrdup(description) : NULL;
	c->scheduled_for = scheduled_for;
	c->from_ui = from_ui;
	struct rfo_api_job *job = rfo_api_job_create(rfo_golive_fetch_api(), on_complete, c, creation_free);
	struct rfo_api_call call = {
		.method = RFO_HTTP_POST,
		.path = "/v2/user/events/new",
		.body = body,
		.auth = RFO_API_AUTH_REPORT,
	};
	rfo_api_submit(job, &call, on_created, c);
	rfo_api_job_commit(job);
	bfree(body);
	return job;
}

static void add_event_fields(obs_data_t *o, const char *id, const char *title, int64_t scheduled_for)
{
	obs_data_set_string(o, "id", id);
	obs_data_set_string(o, "title", title);
	obs_data_set_string(o, "status", "upcoming");
	if (scheduled_for)
		obs_data_set_int(o, "scheduledFor", scheduled_for);
}

void rfo_golive_create_event_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	const char *title = rfo_vendor_arg_string(request, "title");
	const char *description = rfo_vendor_arg_string(request, "description");
	int64_t when = 0;
	/* a whole number >= 0, checked by the registry (0: now) */
	if (obs_data_has_user_value(request, "scheduledFor") && !rfo_vendor_arg_id(request, "scheduledFor", &when)) {
		rfo_vendor_fail(response, RFO_VENDOR_INVALID_ARGUMENT, obs_module_text("GoLive.Error.EventTime"));
		return;
	}
	struct rfo_error err = {0};
	if (rfo_golive_held(&err)) {
		rfo_vendor_fail_error(response, &err);
		return;
	}
	if (!wait_ms) {
		rfo_vendor_fail(response, RFO_VENDOR_BUSY, obs_module_text("Vendor.Error.Busy"));
		return;
	}
	struct rfo_api_job *job = create_start(title, description, when, false, &err);
	if (!job) {
		rfo_golive_vendor_fail(response, err.message, &err);
		return;
	}
	/* A creation that outlasts the wait still completes: the event then appears in ListEvents. */
	bool ok = rfo_api_job_wait(job, wait_ms, &err);
	struct creation *c = rfo_api_job_data(job);
	if (ok && c->id) {
		obs_data_t *e = obs_data_create();
		add_event_fields(e, c->id, c->title, when);
		obs_data_set_obj(response, "event", e);
		obs_data_release(e);
		rfo_vendor_ok(response);
	} else {
		rfo_vendor_fail_error(response, &err);
	}
	rfo_api_job_release(job);
}

/* The tab's "Create event" (UI thread; never waits): the outcome comes back in the state. */
void rfo_golive_create_event_ui(const char *title, const char *description, int64_t scheduled_for)
{
	struct rfo_error err = {0};
	struct rfo_api_job *job = create_start(title, description, scheduled_for, true, &err);
	if (job) {
		rfo_api_job_release(job);
		return;
	}
	ui_created.count++;
	ui_created.ok = false;
	bfree(ui_created.message);
	ui_created.message = bstrdup(err.message);
	rfo_golive_ui_refresh();
}

void rfo_golive_create_state(struct rfo_ui_golive_state *st)
{
	st->event_result_count = ui_created.count;
	st->event_result_ok = ui_created.ok;
	st->event_result_message = ui_created.message ? ui_created.message : "";
	st->created_event_id = ui_created.event_id ? ui_created.event_id : "";
}

void rfo_golive_create_free(void)
{
	bfree(ui_created.message);
	bfree(ui_created.event_id);
	memset(&ui_created, 0, sizeof(ui_created));
}
