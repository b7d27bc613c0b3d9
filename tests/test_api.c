/* The Restream request engine (rfo-api) driven synchronously: a fake transport that holds each request until the
 * test answers it, and a fake token source. No OBS, no Qt, no sockets. */
#include "rfo-test.h"

#include <util/base.h>
#include <util/darray.h>
#include <util/dstr.h>
#include <util/platform.h>

#include "rfo-api.h"

/* ---------------------------------------------------------------- fakes */

struct sent {
	char *url;
	char *token; /* NULL: sent without one */
	char *body;
	enum rfo_http_method method;
	rfo_http_done_fn done;
	void *param;
};

static DARRAY(struct sent) sent; /* every request the transport accepted, answered or not */
static size_t answered;          /* sent[0 .. answered) have been answered */
static bool refuse;              /* the transport refuses requests (a stopped worker) */

static bool fake_submit(void *ctx, const struct rfo_http_request *req, rfo_http_done_fn done, void *param)
{
	(void)ctx;
	if (refuse)
		return false;
	struct sent s = {
		.url = bstrdup(req->url),
		.token = req->bearer_token ? bstrdup(req->bearer_token) : NULL,
		.body = req->body ? bstrdup(req->body) : NULL,
		.method = req->method,
		.done = done,
		.param = param,
	};
	da_push_back(sent, &s);
	return true;
}

/* Answers request i (in order) with an HTTP status, Retry-After (-1 = none) and body. */
static void answer(size_t i, long status, int64_t retry_after, const char *body)
{
	check(i < sent.num);
	struct rfo_http_response resp = {
		.status = status,
		.body = body ? bstrdup(body) : NULL,
		.len = body ? strlen(body) : 0,
		.retry_after = retry_after,
	};
	answered++;
	sent.array[i].done(sent.array[i].param, &resp);
	bfree(resp.body);
}

static void answer_transport_failure(size_t i, int code, enum rfo_http_failure failure)
{
	struct rfo_http_response resp = {.retry_after = -1, .failure = failure};
	rfo_error_set(&resp.error, code, "%s", code == RFO_ERR_CANCELLED ? "cancelled" : "english failure");
	answered++;
	sent.array[i].done(sent.array[i].param, &resp);
}

static void sent_clear(void)
{
	check(answered == sent.num); /* nothing left in flight */
	for (size_t i = 0; i < sent.num; i++) {
		bfree(sent.array[i].url);
		bfree(sent.array[i].token);
		bfree(sent.array[i].body);
	}
	da_resize(sent, 0);
	answered = 0;
}

static char *token;            /* the session's current token (NULL: signed out or refreshing) */
static char *refresh_to;       /* a report of the current token makes this the current one */
static DARRAY(char *) reports; /* tokens reported as rejected */

static bool fake_get(void *ctx, char **out)
{
	(void)ctx;
	if (!token)
		return false;
	*out = bstrdup(token);
	return true;
}

static void set_token(const char *t)
{
	bfree(token);
	token = t ? bstrdup(t) : NULL;
}

static void fake_report(void *ctx, const char *used)
{
	(void)ctx;
	char *copy = bstrdup(used);
	da_push_back(reports, &copy);
	if (refresh_to && token && used && strcmp(used, token) == 0) {
		set_token(refresh_to); /* a refresh that finishes at once */
		bfree(refresh_to);
		refresh_to = NULL;
	}
}

static void reports_clear(void)
{
	for (size_t i = 0; i < reports.num; i++)
		bfree(reports.array[i]);
	da_resize(reports, 0);
}

/* Localizes the engine's own keys so that a test can tell the sentence came through text(). */
static const char *fake_text(const char *key)
{
	if (strcmp(key, "Rest.Error.Wait") == 0)
		return "wait %1 s";
	if (strcmp(key, "Http.Error.Connect") == 0)
		return "no connection";
	return key;
}

/* ---------------------------------------------------------------- outcomes */

struct outcome {
	bool called;
	bool had_resp;
	long status;
	bool current;
	struct rfo_error err;
	char body[64];
};

static void on_done(void *param, struct rfo_api_job *job, const struct rfo_http_response *resp,
		    const struct rfo_error *err)
{
	struct outcome *o = param;
	check(!o->called); /* exactly once */
	o->called = true;
	o->had_resp = resp != NULL;
	o->status = resp ? resp->status : 0;
	o->current = rfo_api_job_current(job);
	o->err = *err;
	snprintf(o->body, sizeof(o->body), "%s", resp && resp->body ? resp->body : "");
	if (err->code)
		rfo_api_job_fail(job, err);
}

static int completions;
static void on_complete(struct rfo_api_job *job, void *data)
{
	(void)job;
	check(data == &completions);
	completions++;
}

static struct rfo_api *make_api(const char *base, const char *unauthorized, bool status_in_errors)
{
	struct rfo_api_config cfg = {
		.base_url = base,
		.log_sub = "test",
		.transport = {fake_submit, NULL},
		.tokens = {fake_get, fake_report, NULL},
		.text = fake_text,
		.texts = {"signed out", "stopping", unauthorized, "timeout"},
		.status_in_errors = status_in_errors,
		.park_max_ns = 100ULL * 1000000ULL,
	};
	return rfo_api_create(&cfg);
}

static const struct rfo_api_call retry_call = {.path = "/v2/user/channel/all", .auth = RFO_API_AUTH_RETRY};
static const struct rfo_api_call report_call = {.path = "/v2/user/streamKey", .auth = RFO_API_AUTH_REPORT};

/* One job with one call, committed. */
static struct rfo_api_job *one(struct rfo_api *api, const struct rfo_api_call *call, struct outcome *o)
{
	struct rfo_api_job *job = rfo_api_job_create(api, on_complete, &completions, NULL);
	rfo_api_submit(job, call, on_done, o);
	rfo_api_job_commit(job);
	return job;
}

/* ---------------------------------------------------------------- rules */

static void test_urls_and_tokens(void)
{
	struct rfo_api *api = make_api("http://127.0.0.1:1234///", "unauthorized", true);
	set_token("T1");
	struct outcome a = {0}, b = {0}, c = {0};
	struct rfo_api_job *job = rfo_api_job_create(api, on_complete, &completions, NULL);
	completions = 0;
	rfo_api_submit(job, &retry_call, on_done, &a);
	struct rfo_api_call pub = {.path = "/v2/platform/all", .auth = RFO_API_AUTH_NONE};
	rfo_api_submit(job, &pub, on_done, &b);
	struct rfo_api_call icon = {.url = "https://cdn.example/x.png", .auth = RFO_API_AUTH_RETRY};
	rfo_api_submit(job, &icon, on_done, &c);
	struct rfo_api_call patch = {.method = RFO_HTTP_PATCH,
				     .path = "/v2/user/channel/7",
				     .body = "{\"x\":1}",
				     .auth = RFO_API_AUTH_RETRY};
	struct outcome d = {0};
	rfo_api_submit(job, &patch, on_done, &d);
	check(sent.num == 4);
	check_str(sent.array[0].url, "http://127.0.0.1:1234/v2/user/channel/all");
	check_str(sent.array[0].token, "T1");
	check_str(sent.array[1].url, "http://127.0.0.1:1234/v2/platform/all");
	check(sent.array[1].token == NULL);
	check_str(sent.array[2].url, "https://cdn.example/x.png");
	check(sent.array[2].token == NULL); /* never a token outside the API */
	check(sent.array[3].method == RFO_HTTP_PATCH);
	check_str(sent.array[3].body, "{\"x\":1}");
	rfo_api_job_commit(job);
	check(completions == 0 && !rfo_api_job_done(job));
	answer(0, 200, -1, "[]");
	answer(1, 200, -1, "[1]");
	answer(2, 200, -1, "png");
	check(completions == 0);
	answer(3, 200, -1, "{}");
	check(completions == 1 && rfo_api_job_done(job));
	check(a.called && a.err.code == 0 && a.had_resp && a.status == 200 && a.current);
	check_str(b.body, "[1]");
	struct rfo_error err = {0};
	check(rfo_api_job_wait(job, 0, &err) && err.code == 0);
	rfo_api_job_release(job);
	sent_clear();

	/* signed out: a call needing a token fails at once, a public one is sent */
	set_token(NULL);
	struct outcome e = {0}, f = {0};
	job = rfo_api_job_create(api, NULL, NULL, NULL);
	rfo_api_submit(job, &report_call, on_done, &e);
	rfo_api_submit(job, &pub, on_done, &f);
	rfo_api_job_commit(job);
	check(e.called && e.err.code == RFO_ERR_AUTH && !e.had_resp);
	check_str(e.err.message, "signed out");
	check(sent.num == 1 && !f.called);
	answer(0, 200, -1, "[]");
	check(rfo_api_job_done(job));
	check(!rfo_api_job_wait(job, 0, &err) && err.code == RFO_ERR_AUTH); /* the first failure */
	rfo_api_job_release(job);
	sent_clear();
	rfo_api_destroy(api);
}

static void test_classification(void)
{
	struct rfo_api *channels = make_api("http://h", "unauthorized", true);
	struct rfo_api *golive = make_api("http://h", NULL, false);
	set_token("T1");
	struct outcome o[6] = {0};
	struct rfo_api_job *jobs[6];
	for (int i = 0; i < 6; i++)
		jobs[i] = one(i < 3 ? channels : golive, &report_call, &o[i]);
	answer_transport_failure(0, RFO_ERR_NETWORK, RFO_HTTP_FAIL_CONNECT);
	answer(1, 500, -1, "{\"error\":{\"message\":\"Boom\"}}");
	answer(2, 401, -1, "{\"error\":{\"message\":\"Invalid token\"}}");
	answer_transport_failure(3, RFO_ERR_CANCELLED, RFO_HTTP_FAIL_NONE);
	answer(4, 500, -1, "{\"error\":{\"message\":\"Boom\"}}");
	answer(5, 401, -1, "{\"error\":{\"message\":\"Invalid token\"}}");
	check(o[0].err.code == RFO_ERR_NETWORK && o[0].had_resp);
	check_str(o[0].err.message, "no connection"); /* the localized failure sentence */
	check(o[1].err.code == 500);
	check_str(o[1].err.message, "Boom (HTTP 500)");
	check(o[2].err.code == 401);
	check_str(o[2].err.message, "unauthorized");
	check(o[3].err.code == RFO_ERR_CANCELLED);
	check_str(o[3].err.message, "cancelled");
	check_str(o[4].err.message, "Boom"); /* Restream's own reason, alone */
	check(o[5].err.code == 401);
	check_str(o[5].err.message, "Invalid token");
	for (int i = 0; i < 6; i++)
		rfo_api_job_release(jobs[i]);
	sent_clear();
	reports_clear();
	rfo_api_destroy(channels);
	rfo_api_destroy(golive);
}

static void test_retry_once(void)
{
	struct rfo_api *api = make_api("http://h", "unauthorized", true);
	struct rfo_error err = {0};

	/* 401 -> reported -> refreshed -> sent again with the new token -> answered */
	set_token("T1");
	refresh_to = bstrdup("T2");
	struct outcome a = {0};
	struct rfo_api_job *job = one(api, &retry_call, &a);
	answer(0, 401, -1, NULL);
	check(!a.called);
	check(reports.num == 1);
	check_str(reports.array[0], "T1");
	check(sent.num == 2); /* at once: the refresh already gave a newer token */
	check_str(sent.array[1].token, "T2");
	answer(1, 200, -1, "ok");
	check(a.called && a.err.code == 0);
	check(rfo_api_job_wait(job, 0, &err));
	rfo_api_job_release(job);
	sent_clear();
	reports_clear();

	/* a second 401 fails (reported again), not retried again */
	struct outcome b = {0};
	job = one(api, &retry_call, &b);
	check_str(sent.array[0].token, "T2");
	answer(0, 401, -1, NULL);
	check(!b.called && sent.num == 1); /* parked: no newer token yet */
	set_token("T3");
	rfo_api_token_changed(api);
	check(sent.num == 2);
	check_str(sent.array[1].token, "T3");
	answer(1, 401, -1, NULL);
	check(b.called && b.err.code == 401);
	check_str(b.err.message, "unauthorized");
	check(sent.num == 2);
	check(reports.num == 2);
	check_str(reports.array[1], "T3");
	check(!rfo_api_job_wait(job, 0, &err) && err.code == 401);
	rfo_api_job_release(job);
	sent_clear();
	reports_clear();

	/* a 401 carrying a stale token (a newer one exists already) is sent again at once */
	set_token("T3");
	struct outcome c = {0};
	job = one(api, &retry_call, &c);
	set_token("T4"); /* refreshed meanwhile, by another caller's report */
	answer(0, 401, -1, NULL);
	check(sent.num == 2);
	check_str(sent.array[1].token, "T4");
	answer(1, 200, -1, "ok");
	check(c.called && c.err.code == 0);
	rfo_api_job_release(job);
	sent_clear();
	reports_clear();

	/* a parked call expires after park_max (100 ms here); before that rfo_api_expire keeps it */
	struct outcome d = {0};
	job = one(api, &retry_call, &d);
	answer(0, 401, -1, NULL);
	rfo_api_expire(api);
	check(!d.called);
	os_sleep_ms(150);
	rfo_api_expire(api);
	check(d.called && d.err.code == RFO_ERR_AUTH && !d.had_resp);
	check_str(d.err.message, "unauthorized");
	check(rfo_api_job_done(job));
	rfo_api_job_release(job);
	sent_clear();
	reports_clear();

	/* ... and the budgeted wait expires it too while it waits */
	struct outcome e = {0};
	job = one(api, &retry_call, &e);
	answer(0, 401, -1, NULL);
	check(!rfo_api_job_wait(job, 1000, &err) && err.code == RFO_ERR_AUTH);
	check(e.called);
	rfo_api_job_release(job);
	sent_clear();
	reports_clear();
	rfo_api_destroy(api);
}

static void test_report_only(void)
{
	struct rfo_api *api = make_api("http://h", NULL, false);
	set_token("T1");
	refresh_to = bstrdup("T2");
	struct outcome a = {0};
	struct rfo_api_job *job = one(api, &report_call, &a);
	answer(0, 401, -1, NULL);
	check(a.called && a.err.code == 401);
	check(reports.num == 1);
	check_str(reports.array[0], "T1");
	rfo_api_token_changed(api); /* nothing is parked */
	check(sent.num == 1);       /* never sent again */
	rfo_api_job_release(job);

	/* and a public call's 401 reports nothing */
	struct rfo_api_call pub = {.path = "/v2/platform/all", .auth = RFO_API_AUTH_NONE};
	struct outcome b = {0};
	job = one(api, &pub, &b);
	answer(1, 401, -1, NULL);
	check(b.called && b.err.code == 401 && reports.num == 1);
	rfo_api_job_release(job);
	sent_clear();
	reports_clear();
	rfo_api_destroy(api);
}

static void test_hold(void)
{
	struct rfo_api *api = make_api("http://h", "unauthorized", true);
	set_token("T1");
	struct rfo_error err = {0};
	check(!rfo_api_held(api, &err));

	/* 429 with Retry-After: the call fails with the wait sentence, and so does every API call meanwhile */
	struct outcome a = {0}, b = {0}, c = {0};
	struct rfo_api_job *job = one(api, &retry_call, &a);
	answer(0, 429, 30, NULL);
	check(a.err.code == 429);
	check_str(a.err.message, "wait 30 s");
	check(rfo_api_held(api, &err) && err.code == 429);
	check_str(err.message, "wait 30 s");
	rfo_api_job_release(job);
	job = one(api, &report_call, &b);
	check(b.called && b.err.code == 429 && !b.had_resp && sent.num == 1); /* not sent */
	check_str(b.err.message, "wait 30 s");
	rfo_api_job_release(job);
	struct rfo_api_call icon = {.url = "https://cdn.example/x.png"};
	job = one(api, &icon, &c);
	check(!c.called && sent.num == 2); /* an absolute URL is not held */
	answer(1, 200, -1, "png");
	rfo_api_job_release(job);

	/* a new session ends it */
	rfo_api_new_session(api);
	check(!rfo_api_held(api, NULL));

	/* 429 without Retry-After holds 5 s */
	struct outcome d = {0};
	job = one(api, &report_call, &d);
	answer(2, 429, -1, NULL);
	check(d.err.code == 429);
	check_str(d.err.message, "wait 5 s");
	check(rfo_api_held(api, &err));
	check_str(err.message, "wait 5 s");
	rfo_api_job_release(job);
	rfo_api_clear_hold(api);
	check(!rfo_api_held(api, NULL));

	/* 503 with Retry-After holds; 503 without one does not (a plain server error) */
	struct outcome e = {0}, f = {0};
	job = one(api, &report_call, &e);
	answer(3, 503, 2, NULL);
	check(e.err.code == 429); /* a wait, as for a call refused while the hold lasts */
	check_str(e.err.message, "wait 2 s");
	check(rfo_api_held(api, NULL));
	rfo_api_job_release(job);
	rfo_api_new_session(api);
	job = one(api, &report_call, &f);
	answer(4, 503, -1, NULL);
	check(f.err.code == 503 && !rfo_api_held(api, NULL));
	check(strstr(f.err.message, "503") != NULL);
	rfo_api_job_release(job);

	/* a Retry-After beyond an hour is honoured as asked, never shortened */
	struct outcome g = {0};
	job = one(api, &report_call, &g);
	answer(5, 429, 7200, NULL);
	check_str(g.err.message, "wait 7200 s");
	check(rfo_api_held(api, &err));
	check_str(err.message, "wait 7200 s");
	rfo_api_job_release(job);
	sent_clear();
	reports_clear();
	rfo_api_destroy(api);
}

static void test_generation_and_cancel(void)
{
	struct rfo_api *api = make_api("http://h", "unauthorized", true);
	set_token("T1");

	/* a new session: in-flight answers are no longer current; parked calls fail as cancelled */
	struct outcome a = {0}, b = {0}, c = {0};
	struct rfo_api_job *old = one(api, &retry_call, &a);
	struct rfo_api_job *parked = one(api, &retry_call, &b);
	answer(1, 401, -1, NULL);
	check(rfo_api_job_current(old));
	rfo_api_new_session(api);
	check(!rfo_api_job_current(old));
	check(b.called && b.err.code == RFO_ERR_CANCELLED && !b.current);
	check_str(b.err.message, "signed out");
	answer(0, 200, -1, "late");
	check(a.called && a.err.code == 0 && !a.current); /* delivered, reported as not current */
	struct rfo_api_job *fresh = one(api, &retry_call, &c);
	check(rfo_api_job_current(fresh));
	answer(2, 200, -1, "ok");
	check(c.current);
	rfo_api_job_release(old);
	rfo_api_job_release(parked);
	rfo_api_job_release(fresh);
	sent_clear();
	reports_clear();

	/* the transport refusing a call (a stopped worker): cancelled */
	struct outcome r = {0};
	refuse = true;
	struct rfo_api_job *job = one(api, &retry_call, &r);
	refuse = false;
	check(r.called && r.err.code == RFO_ERR_CANCELLED);
	check_str(r.err.message, "stopping");
	rfo_api_job_release(job);

	/* stop: parked calls and new calls fail as cancelled; in-flight ones still get their answer */
	struct outcome d = {0}, e = {0}, f = {0};
	struct rfo_api_job *p = one(api, &retry_call, &d);
	struct rfo_api_job *q = one(api, &retry_call, &e);
	answer(0, 401, -1, NULL); /* d parked */
	check(!d.called);
	rfo_api_stop(api);
	check(rfo_api_stopped(api));
	check(d.called && d.err.code == RFO_ERR_CANCELLED);
	check_str(d.err.message, "stopping");
	job = one(api, &report_call, &f);
	check(f.called && f.err.code == RFO_ERR_CANCELLED && sent.num == 2);
	answer(1, 401, -1, NULL); /* after stop a 401 is not parked */
	check(e.called && e.err.code == 401);
	rfo_api_job_release(p);
	rfo_api_job_release(q);
	rfo_api_job_release(job);
	sent_clear();
	reports_clear();
	rfo_api_destroy(api);
}

static void test_budgeted_wait(void)
{
	struct rfo_api *api = make_api("http://h", "unauthorized", true);
	set_token("T1");
	struct outcome a = {0};
	completions = 0;
	struct rfo_api_job *job = one(api, &retry_call, &a);
	struct rfo_error err = {0};
	check(!rfo_api_job_wait(job, 0, &err) && err.code == RFO_API_STILL_WAITING);
	uint64_t t0 = os_gettime_ns();
	check(!rfo_api_job_wait(job, 60, &err) && err.code == RFO_API_STILL_WAITING);
	check_str(err.message, "timeout");
	check(os_gettime_ns() - t0 >= 50ULL * 1000000ULL);
	check(completions == 0);
	answer(0, 200, -1, "ok"); /* it completes later */
	check(completions == 1);
	rfo_error_clear(&err);
	check(rfo_api_job_wait(job, 0, &err) && err.code == 0);
	check(rfo_api_job_wait(job, 1000, NULL));
	rfo_api_job_release(job);

	/* the first failure is the job's, and the data is freed with the last reference */
	char *data = bstrdup("data");
	job = rfo_api_job_create(api, NULL, data, bfree);
	check(rfo_api_job_data(job) == data);
	struct rfo_error e1, e2;
	rfo_error_set(&e1, 500, "first");
	rfo_error_set(&e2, 404, "second");
	rfo_api_job_fail(job, &e1);
	rfo_api_job_fail(job, &e2);
	rfo_api_job_ref(job);
	rfo_api_job_commit(job);
	check(!rfo_api_job_wait(job, 0, &err) && err.code == 500);
	check_str(err.message, "first");
	rfo_api_job_release(job);
	rfo_api_job_release(job);
	sent_clear();
	rfo_api_destroy(api);
}

int main(void)
{
	da_init(sent);
	da_init(reports);
	test_urls_and_tokens();
	test_classification();
	test_retry_once();
	test_report_only();
	test_hold();
	test_generation_and_cancel();
	test_budgeted_wait();
	set_token(NULL);
	bfree(refresh_to);
	da_free(sent);
	da_free(reports);
	printf("api: ok\n");
	return rfo_test_end();
}
