/* The feature registry without OBS's frontend or Qt: lifecycle order over the array, a vendor table built only from
 * the features listed, the argument checks every request gets (ok:false + errorCode + error), and the wait budget
 * (one waiting request at a time; handed back before a two-step request's second step), and the quit gate (the
 * drain waits for a request still inside the plugin; afterwards requests answer "stopping" without running). */
#include "rfo-test.h"
#include "rfo-feature.h"

#include <obs-data.h>
#include <obs-module.h>
#include <pthread.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

/* The sentence of a locale key is the key itself here, so that tests see which one was chosen. */
const char *obs_module_text(const char *lookup)
{
	return lookup;
}

/* ---------------------------------------------------------------- fake features */

static struct dstr order;

static void note(const char *what)
{
	dstr_catf(&order, "%s%s", order.len ? " " : "", what);
}

static bool create_a(void)
{
	note("create:a");
	return true;
}
static void start_a(void)
{
	note("start:a");
}
static void stop_a(void)
{
	note("stop:a");
}
static void destroy_a(void)
{
	note("destroy:a");
}
static bool create_b(void)
{
	note("create:b");
	return false; /* a failed create is logged; the walk goes on */
}
static void stop_b(void)
{
	note("stop:b");
}
static void destroy_b(void)
{
	note("destroy:b");
}
static bool create_c(void)
{
	note("create:c");
	return true;
}
static void start_c(void)
{
	note("start:c");
}
static void stop_c(void)
{
	note("stop:c");
}
static void destroy_c(void)
{
	note("destroy:c");
}

/* What the last handler saw. */
static int calls;
static uint32_t seen_wait;
static int64_t seen_id;
static bool seen_bool;
static char seen_text[80];

static void plain(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	calls++;
	seen_wait = wait_ms;
	seen_id = 0;
	seen_bool = false;
	rfo_vendor_arg_id(request, "id", &seen_id);
	rfo_vendor_arg_bool(request, "enabled", &seen_bool);
	char buf[24];
	snprintf(seen_text, sizeof(seen_text), "%s", rfo_vendor_arg_text_id(request, "eventId", buf, sizeof(buf)));
	rfo_vendor_ok(response);
}

static const struct rfo_vendor_arg switch_args[] = {
	{.name = "id", .type = RFO_VENDOR_ARG_ID, .required = true, .error_key = "Test.Error.SwitchArgs"},
	{.name = "enabled", .type = RFO_VENDOR_ARG_BOOL, .required = true, .error_key = "Test.Error.SwitchArgs"},
};
static const struct rfo_vendor_arg title_args[] = {
	{.name = "channelIds", .type = RFO_VENDOR_ARG_ID_LIST},
	{.name = "title", .type = RFO_VENDOR_ARG_STRING, .required = true, .max_len = 8},
	{.name = "description", .type = RFO_VENDOR_ARG_STRING},
};
static const struct rfo_vendor_arg apply_args[] = {
	{.name = "ingestId", .type = RFO_VENDOR_ARG_ID, .zero_ok = true},
	{.name = "eventId", .type = RFO_VENDOR_ARG_TEXT_ID},
	{.name = "limit", .type = RFO_VENDOR_ARG_COUNT},
};

static const struct rfo_feature_request a_requests[] = {
	{.type = "AStatus", .handler = plain},
	{.type = "ASwitch", .handler = plain, .args = switch_args, .arg_count = 2, .may_wait = true},
};
static const struct rfo_feature_request b_requests[] = {
	{.type = "BTitle", .handler = plain, .args = title_args, .arg_count = 3, .may_wait = true},
};

/* c: a two-step request and a request whose handler calls others (as a concurrent caller would) */
static const struct rfo_feature_request *nested_request;
static uint32_t nested_wait;

static void call_nested(void)
{
	obs_data_t *req = obs_data_create_from_json("{\"id\":7,\"enabled\":true}");
	obs_data_t *resp = obs_data_create();
	rfo_features_call(req, resp, (void *)nested_request);
	nested_wait = seen_wait;
	obs_data_release(req);
	obs_data_release(resp);
}

static uint32_t outer_wait, begin_wait, begin_nested_wait;
static bool finished;

static void outer(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	UNUSED_PARAMETER(request);
	outer_wait = wait_ms;
	call_nested(); /* another request while this one holds the budget */
	rfo_vendor_ok(response);
}

static void *begin(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	begin_wait = wait_ms;
	call_nested();
	begin_nested_wait = nested_wait;
	if (request && obs_data_get_bool(request, "refuse")) {
		rfo_vendor_fail(response, RFO_VENDOR_NOT_READY, "Test.Error.Refused");
		return NULL;
	}
	return response;
}

static void finish(void *call, obs_data_t *response)
{
	check(call == response);
	finished = true;
	call_nested(); /* the budget is back: this one may wait */
	rfo_vendor_ok(response);
}

static const struct rfo_vendor_arg begin_args[] = {
	{.name = "refuse", .type = RFO_VENDOR_ARG_BOOL},
};
static const struct rfo_feature_request c_requests[] = {
	{.type = "COuter", .handler = outer, .may_wait = true},
	{.type = "CApply", .begin = begin, .finish = finish, .args = begin_args, .arg_count = 1, .may_wait = true},
	{.type = "CNoWait", .handler = plain},
};

static const struct rfo_feature feature_a = {
	.name = "a",
	.create = create_a,
	.start = start_a,
	.stop = stop_a,
	.destroy = destroy_a,
	.requests = a_requests,
	.request_count = RFO_ARRAY_SIZE(a_requests),
};
static const struct rfo_feature feature_b = {
	.name = "b",
	.create = create_b,
	.stop = stop_b,
	.destroy = destroy_b,
	.requests = b_requests,
	.request_count = RFO_ARRAY_SIZE(b_requests),
};
static const struct rfo_feature feature_c = {
	.name = "c",
	.create = create_c,
	.start = start_c,
	.stop = stop_c,
	.destroy = destroy_c,
	.requests = c_requests,
	.request_count = RFO_ARRAY_SIZE(c_requests),
};

/* ---------------------------------------------------------------- the injected vendor registration */

#define MAX_RECORDED 16
static struct rfo_vendor_request recorded[MAX_RECORDED];
static size_t recorded_count;

static bool record(const struct rfo_vendor_request *requests, size_t count)
{
	check(count <= MAX_RECORDED);
	if (count) /* an empty table may come as NULL */
		memcpy(recorded, requests, count * sizeof(*requests));
	recorded_count = count;
	return true;
}

static const struct rfo_vendor_request *registered(const char *type)
{
	for (size_t i = 0; i < recorded_count; i++)
		if (strcmp(recorded[i].type, type) == 0)
			return &recorded[i];
	return NULL;
}

/* Calls a registered request as obs-websocket would; returns the response (release it). */
static obs_data_t *call(const char *type, const char *json)
{
	const struct rfo_vendor_request *r = registered(type);
	if (!r)
		fail(type);
	obs_data_t *req = json ? obs_data_create_from_json(json) : NULL;
	if (json && !req)
		fail(json);
	obs_data_t *resp = obs_data_create();
	r->fn(req, resp, r->param);
	obs_data_release(req);
	return resp;
}

/* The request fails with `code` and a sentence, without its handler running. */
static void expect_refused(const char *type, const char *json, const char *code, const char *sentence)
{
	int before = calls;
	obs_data_t *resp = call(type, json);
	if (obs_data_get_bool(resp, "ok") || calls != before) {
		fprintf(stderr, "%s %s was not refused\n", type, json ? json : "(no data)");
		exit(1);
	}
	check_str(obs_data_get_string(resp, "errorCode"), code);
	check(*obs_data_get_string(resp, "error"));
	if (sentence)
		check_str(obs_data_get_string(resp, "error"), sentence);
	obs_data_release(resp);
}

static void expect_ok(const char *type, const char *json)
{
	int before = calls;
	obs_data_t *resp = call(type, json);
	if (!obs_data_get_bool(resp, "ok") || calls != before + 1) {
		fprintf(stderr, "%s %s: %s\n", type, json ? json : "(no data)", obs_data_get_json(resp));
		exit(1);
	}
	obs_data_release(resp);
}

/* ---------------------------------------------------------------- tests */

static void test_lifecycle_order(void)
{
	const struct rfo_feature *const features[] = {&feature_a, &feature_b, &feature_c};
	rfo_features_create(features, 3);
	rfo_features_start(features, 3);
	rfo_features_stop(features, 3);
	rfo_features_destroy(features, 3);
	check_str(order.array, "create:a create:b create:c start:a start:c stop:c stop:b stop:a "
			       "destroy:c destroy:b destroy:a");
	dstr_free(&order);
}

static void test_missing_feature_registers_nothing(void)
{
	const struct rfo_feature *const features[] = {&feature_a, &feature_c};
	check(rfo_features_register(features, 2, record));
	check(recorded_count == 5);
	check(registered("AStatus") && registered("ASwitch") && registered("COuter") && registered("CApply"));
	check(registered("CNoWait"));
	check(!registered("BTitle"));
	for (size_t i = 0; i < recorded_count; i++)
		check(recorded[i].fn == rfo_features_call && recorded[i].param);

	const struct rfo_feature *const all[] = {&feature_a, &feature_b, &feature_c};
	check(rfo_features_register(all, 3, record));
	check(recorded_count == 6 && registered("BTitle"));
	check(rfo_features_register(all, 0, record) && recorded_count == 0);
}

static void test_arguments(void)
{
	const struct rfo_feature *const all[] = {&feature_a, &feature_b, &feature_c};
	rfo_features_register(all, 3, record);

	/* a request without arguments takes none and ignores extra fields */
	expect_ok("AStatus", NULL);
	expect_ok("AStatus", "{\"anything\":{}}");

	/* ids: a number or a string of digits, nothing else; the feature's own sentence */
	expect_refused("ASwitch", NULL, "missingArgument", "Test.Error.SwitchArgs");
	expect_refused("ASwitch", "{\"enabled\":true}", "missingArgument", "Test.Error.SwitchArgs");
	expect_refused("ASwitch", "{\"id\":5}", "missingArgument", "Test.Error.SwitchArgs");
	expect_refused("ASwitch", "{\"id\":{\"x\":1},\"enabled\":true}", "invalidArgument", "Test.Error.SwitchArgs");
	expect_refused("ASwitch", "{\"id\":\"abc\",\"enabled\":true}", "invalidArgument", NULL);
	expect_refused("ASwitch", "{\"id\":\"12x\",\"enabled\":true}", "invalidArgument", NULL);
	expect_refused("ASwitch", "{\"id\":0,\"enabled\":true}", "invalidArgument", NULL);
	expect_refused("ASwitch", "{\"id\":-4,\"enabled\":true}", "invalidArgument", NULL);
	expect_refused("ASwitch", "{\"id\":4.5,\"enabled\":true}", "invalidArgument", NULL);
	expect_refused("ASwitch", "{\"id\":true,\"enabled\":true}", "invalidArgument", NULL);
	expect_refused("ASwitch", "{\"id\":5,\"enabled\":\"true\"}", "invalidArgument", NULL);
	expect_refused("ASwitch", "{\"id\":5,\"enabled\":1}", "invalidArgument", NULL);
	expect_ok("ASwitch", "{\"id\":1000104,\"enabled\":true}");
	check(seen_id == 1000104 && seen_bool);
	expect_ok("ASwitch", "{\"id\":\"1000105\",\"enabled\":false}");
	check(seen_id == 1000105 && !seen_bool);
	expect_ok("ASwitch", "{\"id\":7.0,\"enabled\":true}");
	check(seen_id == 7);

	/* strings (required, at most 8 bytes here) and id lists; generic sentences name the field */
	expect_refused("BTitle", "{\"description\":\"d\"}", "missingArgument", "Vendor.Error.Missing");
	expect_refused("BTitle", "{\"title\":5}", "invalidArgument", "Vendor.Error.NotShortText");
	expect_refused("BTitle", "{\"title\":\"123456789\"}", "invalidArgument", NULL);
	expect_refused("BTitle", "{\"title\":\"t\",\"description\":{}}", "invalidArgument", "Vendor.Error.NotText");
	expect_refused("BTitle", "{\"title\":\"t\",\"channelIds\":{\"id\":1}}", "invalidArgument", NULL);
	expect_refused("BTitle", "{\"title\":\"t\",\"channelIds\":\"\"}", "invalidArgument", NULL);
	expect_refused("BTitle", "{\"title\":\"t\",\"channelIds\":\"1,x\"}", "invalidArgument", NULL);
	expect_refused("BTitle", "{\"title\":\"t\",\"channelIds\":[{\"id\":\"x\"}]}", "invalidArgument", NULL);
	expect_refused("BTitle", "{\"title\":\"t\",\"channelIds\":[]}", "invalidArgument", "Vendor.Error.NotIds");
	expect_ok("BTitle", "{\"title\":\"12345678\"}");
	expect_ok("BTitle", "{\"title\":\"\",\"channelIds\":[{\"id\":1},{\"value\":\"2\"}]}");
	expect_ok("BTitle", "{\"title\":\"t\",\"channelIds\":\"1, 2,3\"}");
}

/* optional: an id that may be 0, a text id (a UUID or a number), a count */
static void test_optional_arguments(void)
{
	static const struct rfo_feature_request r = {.type = "Opt",
						     .handler = plain,
						     .args = apply_args,
						     .arg_count = 3};
	static const struct rfo_feature f = {.name = "opt", .requests = &r, .request_count = 1};
	const struct rfo_feature *const features[] = {&f};
	rfo_features_register(features, 1, record);
	expect_ok("Opt", NULL);
	expect_ok("Opt", "{\"ingestId\":0,\"eventId\":\"\"}");
	check(seen_text[0] == 0);
	expect_ok("Opt", "{\"ingestId\":\"2\",\"eventId\":\"00000000-0000-4000-8000-00000000abcd\",\"limit\":\"5\"}");
	check_str(seen_text, "00000000-0000-4000-8000-00000000abcd");
	expect_ok("Opt", "{\"eventId\":123}");
	check_str(seen_text, "123");
	expect_refused("Opt", "{\"ingestId\":\"two\"}", "invalidArgument", NULL);
	expect_refused("Opt", "{\"ingestId\":-1}", "invalidArgument", NULL);
	expect_refused("Opt", "{\"eventId\":{}}", "invalidArgument", "Vendor.Error.NotTextId");
	expect_refused("Opt", "{\"eventId\":\"../x\"}", "invalidArgument", NULL);
	expect_refused("Opt", "{\"eventId\":0}", "invalidArgument", NULL);
	expect_refused("Opt", "{\"limit\":0}", "invalidArgument", "Vendor.Error.NotCount");
	expect_refused("Opt", "{\"limit\":2.5}", "invalidArgument", NULL);
	expect_refused("Opt", "{\"limit\":[{\"a\":1}]}", "invalidArgument", NULL);
	char long_id[80];
	memset(long_id, 'a', 65);
	long_id[65] = 0;
	struct dstr json = {0};
	dstr_printf(&json, "{\"eventId\":\"%s\"}", long_id);
	expect_refused("Opt", json.array, "invalidArgument", NULL);
	long_id[64] = 0;
	dstr_printf(&json, "{\"eventId\":\"%s\"}", long_id);
	expect_ok("Opt", json.array);
	dstr_free(&json);
}

static void test_wait_budget(void)
{
	const struct rfo_feature *const all[] = {&feature_a, &feature_c};
	rfo_features_register(all, 2, record);
	nested_request = registered("ASwitch")->param;

	/* one at a time: the nested request finds the budget taken */
	obs_data_t *resp = call("COuter", NULL);
	check(obs_data_get_bool(resp, "ok"));
	check(outer_wait == RFO_FEATURE_WAIT_MS && nested_wait == 0);
	obs_data_release(resp);

	/* handed back: the next one may wait again; requests without may_wait never do */
	expect_ok("ASwitch", "{\"id\":1,\"enabled\":true}");
	check(seen_wait == RFO_FEATURE_WAIT_MS);
	expect_ok("CNoWait", NULL);
	check(seen_wait == 0);

	/* a refused request does not take the budget */
	expect_refused("ASwitch", "{\"id\":\"x\",\"enabled\":true}", "invalidArgument", NULL);
	expect_ok("ASwitch", "{\"id\":1,\"enabled\":true}");
	check(seen_wait == RFO_FEATURE_WAIT_MS);

	/* two steps: begin holds the budget, finish runs after it is handed back */
	resp = call("CApply", NULL);
	check(obs_data_get_bool(resp, "ok") && finished);
	check(begin_wait == RFO_FEATURE_WAIT_MS && begin_nested_wait == 0 && nested_wait == RFO_FEATURE_WAIT_MS);
	obs_data_release(resp);

	/* begin answering a failure: no finish, and the budget is back */
	finished = false;
	resp = call("CApply", "{\"refuse\":true}");
	check(!obs_data_get_bool(resp, "ok") && !finished);
	check_str(obs_data_get_string(resp, "errorCode"), "notReady");
	check_str(obs_data_get_string(resp, "error"), "Test.Error.Refused");
	obs_data_release(resp);
	expect_refused("CApply", "{\"refuse\":\"yes\"}", "invalidArgument", "Vendor.Error.NotBool");
	expect_ok("ASwitch", "{\"id\":1,\"enabled\":true}");
	check(seen_wait == RFO_FEATURE_WAIT_MS);
}

static void test_error_codes(void)
{
	struct rfo_error err = {0};
	static const struct {
		int code;
		const char *word;
	} cases[] = {
		{RFO_ERR_AUTH, "notSignedIn"},
		{RFO_ERR_NETWORK, "networkError"},
		{RFO_ERR_CANCELLED, "stopping"},
		{RFO_ERR_INVALID, "invalidArgument"},
		{RFO_ERR_STATE, "invalidState"},
		{RFO_ERR_PARSE, "restreamError"},
		{401, "unauthorized"},
		{404, "notFound"},
		{429, "rateLimited"},
		{500, "restreamError"},
		{503, "restreamError"},
		{RFO_API_STILL_WAITING, "timeout"},
	};
	for (size_t i = 0; i < RFO_ARRAY_SIZE(cases); i++) {
		rfo_error_set(&err, cases[i].code, "sentence %d", cases[i].code);
		obs_data_t *resp = obs_data_create();
		rfo_vendor_fail_error(resp, &err);
		check(!obs_data_get_bool(resp, "ok"));
		check_str(obs_data_get_string(resp, "errorCode"), cases[i].word);
		check_str(obs_data_get_string(resp, "error"), err.message);
		obs_data_release(resp);
	}
	check_str(rfo_vendor_code_name(RFO_VENDOR_MISSING_ARGUMENT), "missingArgument");
	check_str(rfo_vendor_code_name(RFO_VENDOR_OBS_ERROR), "obsError");
	for (int c = RFO_VENDOR_MISSING_ARGUMENT; c <= RFO_VENDOR_OBS_ERROR; c++)
		check(*rfo_vendor_code_name((enum rfo_vendor_code)c));
}

/* ---------------------------------------------------------------- the quit gate */

static os_event_t *slow_entered, *slow_release;
static volatile bool slow_done;
static volatile long slow_runs;

static void slow(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	UNUSED_PARAMETER(request);
	UNUSED_PARAMETER(wait_ms);
	os_atomic_inc_long(&slow_runs);
	os_event_signal(slow_entered);
	os_event_timedwait(slow_release, 5000); /* e.g. waiting for Restream, holding the auth session */
	os_sleep_ms(20);
	os_atomic_set_bool(&slow_done, true);
	rfo_vendor_ok(response);
}

static const struct rfo_feature_request slow_request = {.type = "DSlow", .handler = slow};

static void *slow_caller(void *param)
{
	obs_data_t *resp = obs_data_create();
	rfo_features_call(NULL, resp, (void *)&slow_request);
	*(bool *)param = obs_data_get_bool(resp, "ok");
	obs_data_release(resp);
	return NULL;
}

static void *releaser(void *param)
{
	UNUSED_PARAMETER(param);
	os_sleep_ms(200);
	os_event_signal(slow_release);
	return NULL;
}

static void test_drain(void)
{
	check(os_event_init(&slow_entered, OS_EVENT_TYPE_MANUAL) == 0);
	check(os_event_init(&slow_release, OS_EVENT_TYPE_MANUAL) == 0);

	/* a request inside the plugin at quit: the drain returns only once it has left */
	bool ok = false;
	pthread_t caller, rel;
	check(pthread_create(&caller, NULL, slow_caller, &ok) == 0);
	check(os_event_timedwait(slow_entered, 5000) == 0);
	check(pthread_create(&rel, NULL, releaser, NULL) == 0);
	uint64_t t0 = os_gettime_ns();
	check(rfo_features_drain(3000));
	check(os_atomic_load_bool(&slow_done));
	check(os_gettime_ns() - t0 >= 150 * 1000000ULL);
	pthread_join(caller, NULL);
	pthread_join(rel, NULL);
	check(ok);

	/* after the drain: answered at once with "stopping", the handler never runs */
	obs_data_t *resp = obs_data_create();
	rfo_features_call(NULL, resp, (void *)&slow_request);
	check(!obs_data_get_bool(resp, "ok"));
	check_str(obs_data_get_string(resp, "errorCode"), "stopping");
	check_str(obs_data_get_string(resp, "error"), "Vendor.Error.Stopping");
	obs_data_release(resp);
	check(os_atomic_load_long(&slow_runs) == 1);

	/* a request that does not leave in time: the drain gives up after its bound and says so */
	rfo_features_reopen();
	os_event_reset(slow_entered);
	os_event_reset(slow_release);
	os_atomic_set_bool(&slow_done, false);
	check(pthread_create(&caller, NULL, slow_caller, &ok) == 0);
	check(os_event_timedwait(slow_entered, 5000) == 0);
	t0 = os_gettime_ns();
	check(!rfo_features_drain(100));
	check(os_gettime_ns() - t0 < 2000 * 1000000ULL);
	os_event_signal(slow_release);
	pthread_join(caller, NULL);
	check(rfo_features_drain(100));

	rfo_features_reopen();
	os_event_destroy(slow_entered);
	os_event_destroy(slow_release);
}

int main(void)
{
	test_lifecycle_order();
	test_missing_feature_registers_nothing();
	test_arguments();
	test_optional_arguments();
	test_wait_budget();
	test_error_codes();
	test_drain();
	printf("feature registry: ok\n");
	return rfo_test_end();
}
