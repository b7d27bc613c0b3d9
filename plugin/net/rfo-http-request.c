/* One HTTP request on the worker's curl multi handle: the easy handle's options (URL policy, TLS checks,
 * timeouts, the stop abort), the body and Retry-After callbacks, and the response handed to done() with its
 * failure classified for a sentence a person can act on. The worker thread and its queue are in rfo-http.c. */
#include "rfo-http-private.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

#include <util/bmem.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

#include "rfo-secret.h"
#include "rfo-url.h"

static const char *method_name(enum rfo_http_method m)
{
	switch (m) {
	case RFO_HTTP_GET:
		return "GET";
	case RFO_HTTP_POST:
		return "POST";
	case RFO_HTTP_PATCH:
		return "PATCH";
	case RFO_HTTP_DELETE:
		return "DELETE";
	case RFO_HTTP_PUT:
		return "PUT";
	}
	return "GET";
}

/* The URL for a log line: credentials redacted, and no query values at all. bfree() it. */
static char *log_url(const char *url)
{
	char *safe = rfo_url_redact(url);
	if (!safe)
		return NULL;
	char *cut = strpbrk(safe, "?#");
	if (cut) {
		*cut = 0;
		char *out = bzalloc(strlen(safe) + 5);
		strcpy(out, safe);
		strcat(out, "?...");
		bfree(safe);
		safe = out;
	}
	return safe;
}

void rfo_http_job_free(struct rfo_http_job *job)
{
	if (!job)
		return;
	if (job->easy)
		curl_easy_cleanup(job->easy);
	/* Our copies may carry secrets (a bearer header, a refresh token or client secret in the body, a token
	 * reply): wiped before they are freed. curl's own copies are its business (best effort, SECURITY.md). */
	for (struct curl_slist *h = job->headers; h; h = h->next)
		rfo_secret_wipe(h->data, strlen(h->data));
	curl_slist_free_all(job->headers);
	rfo_secret_wipe_free(job->url);
	if (job->body)
		rfo_secret_wipe(job->body, job->body_len);
	bfree(job->body);
	bfree(job->basic_user);
	rfo_secret_wipe_free(job->basic_password);
	if (job->resp)
		rfo_secret_wipe(job->resp, job->resp_len);
	bfree(job->resp);
	bfree(job);
}

const char *rfo_http_failure_key(enum rfo_http_failure f)
{
	switch (f) {
	case RFO_HTTP_FAIL_NONE:
		return NULL;
	case RFO_HTTP_FAIL_CONNECT:
		return "Http.Error.Connect";
	case RFO_HTTP_FAIL_TIMEOUT:
		return "Http.Error.Timeout";
	case RFO_HTTP_FAIL_TLS:
		return "Http.Error.Tls";
	case RFO_HTTP_FAIL_TOO_LARGE:
		return "Http.Error.TooLarge";
	case RFO_HTTP_FAIL_BROKEN:
		return "Http.Error.Broken";
	case RFO_HTTP_FAIL_REFUSED:
		return "Http.Error.Refused";
	case RFO_HTTP_FAIL_OTHER:
		break;
	}
	return "Http.Error.Other";
}

/* Kept equal to locale/en-US.ini's Http.Error.* (test_http checks a few). */
const char *rfo_http_failure_text(enum rfo_http_failure f)
{
	switch (f) {
	case RFO_HTTP_FAIL_NONE:
		return "";
	case RFO_HTTP_FAIL_CONNECT:
		return "Could not connect to Restream. Check your internet connection.";
	case RFO_HTTP_FAIL_TIMEOUT:
		return "Restream did not answer in time. Try again in a moment.";
	case RFO_HTTP_FAIL_TLS:
		return "The secure connection to Restream failed (TLS certificate or handshake). Check the system's date "
		       "and certificates.";
	case RFO_HTTP_FAIL_TOO_LARGE:
		return "Restream's answer was larger than this plugin accepts.";
	case RFO_HTTP_FAIL_BROKEN:
		return "The connection to Restream broke off. Try again.";
	case RFO_HTTP_FAIL_REFUSED:
		return "The Restream address is not allowed (only https, or http on this computer).";
	case RFO_HTTP_FAIL_OTHER:
		break;
	}
	return "Could not reach Restream. Try again in a moment.";
}

static enum rfo_http_failure failure_of(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
#if LIBCURL_VERSION_NUM >= 0x074400
	case CURLE_HTTP2:
#endif
		return RFO_HTTP_FAIL_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return RFO_HTTP_FAIL_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_USE_SSL_FAILED:
		return RFO_HTTP_FAIL_TLS;
	case CURLE_FILESIZE_EXCEEDED:
		return RFO_HTTP_FAIL_TOO_LARGE;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_BAD_CONTENT_ENCODING:
		return RFO_HTTP_FAIL_BROKEN;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return RFO_HTTP_FAIL_REFUSED;
	default:
		return RFO_HTTP_FAIL_OTHER;
	}
}

/* Calls done() with a response built from `job`, logs failures (with `message`, curl's text), frees the job.
 * A network failure's user-facing message is rfo_http_failure_text(failure); an invalid URL's is `message`. */
void rfo_http_job_finish(struct rfo_http_job *job, long status, int code, enum rfo_http_failure failure,
			 const char *message)
{
	struct rfo_http_response resp = {0};
	resp.status = status;
	resp.retry_after = job->retry_after;
	resp.elapsed = (double)(os_gettime_ns() - job->start_ns) / 1e9;
	if (job->easy) {
		double total = 0.0;
		if (curl_easy_getinfo(job->easy, CURLINFO_TOTAL_TIME, &total) == CURLE_OK && total > 0.0)
			resp.elapsed = total;
	}
	rfo_error_clear(&resp.error);
	if (code == RFO_ERR_NETWORK && failure == RFO_HTTP_FAIL_NONE)
		failure = RFO_HTTP_FAIL_OTHER;
	resp.failure = code == RFO_ERR_NETWORK || code == RFO_ERR_INVALID ? failure : RFO_HTTP_FAIL_NONE;
	if (code == RFO_ERR_NETWORK) {
		rfo_error_set(&resp.error, code, "%s", rfo_http_failure_text(failure));
	} else if (code != RFO_ERR_NONE) {
		rfo_error_set(&resp.error, code, "%s", message);
	} else if (job->resp_len > 0) {
		resp.body = job->resp;
		resp.len = job->resp_len;
		job->resp = NULL;
	}

	if (code != RFO_ERR_NONE || status >= 400) {
		char *safe = log_url(job->url);
		if (code == RFO_ERR_NONE)
			http_log(LOG_DEBUG, "%s %s: HTTP %ld", method_name(job->method), safe ? safe : "(url)", status);
		else if (code != RFO_ERR_INVALID) /* the policy refusal was already logged */
			http_log(code == RFO_ERR_CANCELLED ? LOG_DEBUG : LOG_WARNING, "%s %s failed: %s",
				 method_name(job->method), safe ? safe : "(url)", message);
		bfree(safe);
	}

	if (job->done)
		job->done(job->param, &resp);
	if (resp.body)
		rfo_secret_wipe(resp.body, resp.len);
	bfree(resp.body);
	rfo_http_job_free(job);
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *param)
{
	struct rfo_http_job *job = param;
	size_t n = size * nmemb;
	if (n == 0)
		return 0;
	if (job->resp_len + n > job->max_body) {
		job->too_big = true;
		return 0; /* curl fails the transfer with CURLE_WRITE_ERROR */
	}
	if (job->resp_len + n + 1 > job->resp_cap) {
		size_t cap = job->resp_cap ? job->resp_cap : 4096;
		while (cap < job->resp_len + n + 1)
			cap *= 2;
		job->resp = brealloc(job->resp, cap);
		job->resp_cap = cap;
	}
	memcpy(job->resp + job->resp_len, data, n);
	job->resp_len += n;
	job->resp[job->resp_len] = 0;
	return n;
}

static int64_t parse_retry_after(const char *value, size_t len)
{
	char buf[128];
	while (len > 0 && isspace((unsigned char)*value)) {
		value++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)value[len - 1]))
		len--;
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, value, len);
	buf[len] = 0;

	bool digits = true;
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)buf[i]))
			digits = false;
	if (digits)
		return len > 12 ? -1 : strtoll(buf, NULL, 10);

	time_t when = curl_getdate(buf, NULL);
	if (when == (time_t)-1)
		return -1;
	time_t now = time(NULL);
	return when > now ? (int64_t)(when - now) : 0;
}

static size_t header_cb(char *data, size_t size, size_t nmemb, void *param)
{
	struct rfo_http_job *job = param;
	size_t n = size * nmemb;
	static const char name[] = "retry-after:";
	const size_t name_len = sizeof(name) - 1;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
		job->retry_after = -1; /* a new response (e.g. after 100 Continue) starts */
	else if (n > name_len && astrcmpi_n(data, name, name_len) == 0)
		job->retry_after = parse_retry_after(data + name_len, n - name_len);
	return n;
}

static int xferinfo_cb(void *param, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct rfo_http_job *job = param;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return stopping(job->http) ? 1 : 0;
}

/* public_only: the scheme rule (plain http only to a loopback host, and only under the tests' switch). */
static bool public_url_ok(const struct rfo_http_job *job, struct rfo_error *err)
{
	struct rfo_url_parts parts = {0};
	bool parsed = rfo_url_parts_parse(job->url, &parts);
	bool ok = parsed && parts.scheme &&
		  (strcmp(parts.scheme, "https") == 0 ||
		   (job->allow_loopback && strcmp(parts.scheme, "http") == 0 && rfo_url_host_is_loopback(parts.host)));
	if (!ok)
		rfo_error_set(err, RFO_ERR_INVALID,
			      "Refusing image URL %s://%.200s: only https:// is fetched for addresses from remote data",
			      parts.scheme ? parts.scheme : "?", parts.host ? parts.host : "?");
	rfo_url_parts_free(&parts);
	return ok;
}

/* CURLOPT_OPENSOCKETFUNCTION of public_only requests: runs after name resolution, for every address curl is
 * about to connect to, so a host name that resolves to a local address (or is re-pointed to one) is refused
 * before any byte leaves. */
static curl_socket_t open_socket_cb(void *param, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct rfo_http_job *job = param;
	(void)purpose;
	const void *ip = NULL;
	if (a->family == AF_INET && a->addrlen >= sizeof(struct sockaddr_in))
		ip = &((const struct sockaddr_in *)&a->addr)->sin_addr;
	else if (a->family == AF_INET6 && a->addrlen >= sizeof(struct sockaddr_in6))
		ip = &((const struct sockaddr_in6 *)&a->addr)->sin6_addr;
	enum rfo_addr_class c = ip ? rfo_url_addr_class(a->family, ip) : RFO_ADDR_LOCAL;
	if (c == RFO_ADDR_PUBLIC || (c == RFO_ADDR_LOOPBACK && job->allow_loopback))
		return socket(a->family, a->socktype, a->protocol);
	job->addr_refused = true;
	return CURL_SOCKET_BAD;
}

/* Sets up the easy handle for `job` and adds it to the multi handle. On failure the job is
 * finished (done() called) and false returned. */
bool rfo_http_job_start(struct rfo_http *http, struct rfo_http_job *job)
{
	struct rfo_error err;
	rfo_error_clear(&err);
	job->start_ns = os_gettime_ns();

	if (!rfo_url_check(job->url, &err) || (job->public_only && !public_url_ok(job, &err))) {
		char *safe = log_url(job->url);
		http_log(LOG_WARNING, "%s %s refused: %s", method_name(job->method), safe ? safe : "(url)",
			 err.message);
		bfree(safe);
		rfo_http_job_finish(job, 0, RFO_ERR_INVALID, RFO_HTTP_FAIL_REFUSED,
				    err.message[0] ? err.message : "URL refused");
		return false;
	}

	CURL *e = curl_easy_init();
	if (!e) {
		rfo_http_job_finish(job, 0, RFO_ERR_NETWORK, RFO_HTTP_FAIL_OTHER, "could not create a curl handle");
		return false;
	}
	job->easy = e;

	curl_easy_setopt(e, CURLOPT_URL, job->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, job);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075700
	/* Do not wait for a pending threaded DNS lookup when a transfer is cancelled. */
	curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
#endif
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L); /* a redirect could leave the URL policy */
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, job->errbuf);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, job->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, job->timeout_ms);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)job->max_body);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "restream-for-obs");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, job);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, job);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, job);
	if (job->public_only) {
		curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket_cb);
		curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, job);
	}

	if (job->basic_user) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, job->basic_user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, job->basic_password ? job->basic_password : "");
	}

	switch (job->method) {
	case RFO_HTTP_GET:
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
		break;
	case RFO_HTTP_POST:
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		break;
	default:
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method_name(job->method));
		break;
	}
	if (job->method != RFO_HTTP_GET && (job->has_body || job->method == RFO_HTTP_POST)) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)job->body_len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, job->body ? job->body : "");
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, job->headers);

	CURLMcode mc = curl_multi_add_handle(http->multi, e);
	if (mc != CURLM_OK) {
		rfo_http_job_finish(job, 0, RFO_ERR_NETWORK, RFO_HTTP_FAIL_OTHER, curl_multi_strerror(mc));
		return false;
	}
	/* the credentials are copied by curl; drop ours now */
	rfo_secret_wipe_free(job->basic_password);
	job->basic_password = NULL;
	job->next = http->active;
	http->active = job;
	return true;
}

static void unlink_active(struct rfo_http *http, struct rfo_http_job *job)
{
	for (struct rfo_http_job **p = &http->active; *p; p = &(*p)->next) {
		if (*p == job) {
			*p = job->next;
			job->next = NULL;
			return;
		}
	}
}

void rfo_http_job_done(struct rfo_http *http, struct rfo_http_job *job, CURLcode rc)
{
	unlink_active(http, job);
	curl_multi_remove_handle(http->multi, job->easy);

	long status = 0;
	curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, &status);

	if (rc == CURLE_OK) {
		rfo_http_job_finish(job, status, RFO_ERR_NONE, RFO_HTTP_FAIL_NONE, NULL);
		return;
	}

	char msg[CURL_ERROR_SIZE + 64];
	if (job->too_big || rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(msg, sizeof(msg), "response body larger than %zu bytes", job->max_body);
	else if (rc == CURLE_ABORTED_BY_CALLBACK && stopping(http))
		snprintf(msg, sizeof(msg), "cancelled");
	else
		snprintf(msg, sizeof(msg), "%s", job->errbuf[0] ? job->errbuf : curl_easy_strerror(rc));

	if (job->addr_refused && rc != CURLE_ABORTED_BY_CALLBACK) {
		char *safe = log_url(job->url);
		http_log(LOG_WARNING, "%s %s refused: the host resolves to an address on this computer or network",
			 method_name(job->method), safe ? safe : "(url)");
		bfree(safe);
		rfo_http_job_finish(job, 0, RFO_ERR_INVALID, RFO_HTTP_FAIL_REFUSED,
				    "Refusing an image from an address on this computer or network");
		return;
	}

	int code = RFO_ERR_NETWORK;
	enum rfo_http_failure failure = failure_of(rc);
	if (job->too_big)
		failure = RFO_HTTP_FAIL_TOO_LARGE;
	if (rc == CURLE_ABORTED_BY_CALLBACK && stopping(http))
		code = RFO_ERR_CANCELLED;
	rfo_http_job_finish(job, status, code, failure, msg);
}
