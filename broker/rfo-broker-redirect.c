/* restream-token-broker: GET /redirect, sans I/O — where the browser goes next, or why it does not.
 *
 * The target is built from fixed text, a port checked to be a number in range and parameters that are percent-
 * encoded again, so nothing a request carries can choose the scheme, the host or the path: no open redirect. */
#include "rfo-broker-redirect.h"
#include "rfo-broker-form.h"

#include <string.h>

#define NONCE_MIN 16
#define NONCE_MAX 128
#define CODE_MAX 1024
#define ERROR_MAX 128
#define DESCRIPTION_MAX 1024

static bool nonce_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int rfo_broker_redirect_state_port(const char *state)
{
	const char *dot = strchr(state, '.');
	if (!dot)
		return 0;
	size_t digits = (size_t)(dot - state);
	if (digits < 4 || digits > 5 || state[0] == '0')
		return 0;
	long port = 0;
	for (const char *p = state; p < dot; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		port = port * 10 + (*p - '0');
	}
	if (port < 1024 || port > 65535)
		return 0;
	size_t n = 0;
	for (const char *p = dot + 1; *p; p++, n++)
		if (!nonce_char(*p))
			return 0;
	return n >= NONCE_MIN && n <= NONCE_MAX ? (int)port : 0;
}

/* visible ASCII only (codes and OAuth error words), or also spaces and UTF-8 bytes (descriptions); never a
 * control character such as CR or LF */
static bool text_ok(const char *s, size_t min, size_t max, bool prose)
{
	size_t n = strlen(s);
	if (n < min || n > max)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || (*p == ' ' && !prose) || (*p >= 0x80 && !prose))
			return false;
	}
	return true;
}

static bool put_param(struct rfo_broker_buf *b, const char *sep, const char *key, const char *value)
{
	return rfo_broker_buf_puts(b, sep) && rfo_broker_buf_puts(b, key) && rfo_broker_buf_puts(b, "=") &&
	       rfo_broker_buf_put_encoded(b, value);
}

bool rfo_broker_redirect_target(const char *query, size_t len, struct rfo_broker_buf *location, const char **why)
{
	struct rfo_broker_form q;
	bool ok = false;
	if (!rfo_broker_form_parse(&q, query, len)) {
		*why = "The sign-in link is malformed (a broken or repeated parameter). Start the sign-in again from OBS.";
		return false;
	}
	const char *state = rfo_broker_form_get(&q, "state");
	const char *code = rfo_broker_form_get(&q, "code");
	const char *error = rfo_broker_form_get(&q, "error");
	const char *description = rfo_broker_form_get(&q, "error_description");
	int port = state ? rfo_broker_redirect_state_port(state) : 0;

	if (!state && !code && !error) {
		*why = "Restream sent no sign-in code (this happens when access is declined). Close this page; OBS stops "
		       "waiting after a few minutes, and you can sign in again from there.";
	} else if (!port) {
		*why = "The sign-in link does not come from OBS (its state is missing or malformed). Start the sign-in "
		       "again from OBS.";
	} else if ((code && error) || (!code && !error)) {
		*why = "Restream's answer has neither a sign-in code nor an error. Start the sign-in again from OBS.";
	} else if (code && !text_ok(code, 1, CODE_MAX, false)) {
		*why = "The sign-in code is malformed. Start the sign-in again from OBS.";
	} else if (error && (!text_ok(error, 1, ERROR_MAX, false) ||
			     (description && !text_ok(description, 0, DESCRIPTION_MAX, true)))) {
		*why = "Restream's error is malformed. Start the sign-in again from OBS.";
	} else {
		bool built = rfo_broker_buf_printf(location, "http://127.0.0.1:%d/callback", port);
		if (code)
			built = built && put_param(location, "?", "code", code);
		else
			built = built && put_param(location, "?", "error", error) &&
				(!description || put_param(location, "&", "error_description", description));
		built = built && put_param(location, "&", "state", state);
		ok = built;
		if (!built)
			*why = "The broker ran out of memory. Try again.";
	}
	rfo_broker_form_free(&q);
	return ok;
}
