/* The stats feed's socket against the auth thread at quit: OBS stops the feeds (EXIT) while the auth thread may be
 * inside the feed's session callback, which uses the socket. The callback must never use a socket that stop has
 * already freed.
 *
 * Deterministic: the socket calls, the session registration and the auth state are wrapped at link time
 * (-Wl,--wrap). The session callback runs on a thread of its own ("auth") and pauses at its first socket call until
 * stop has returned (or 500 ms have passed, which is what happens when stop has to wait for the callback). A
 * socket freed by stop and then used by the callback fails the test. */
#include "rfo-test.h"
#include "rfo-auth.h"
#include "rfo-controller.h"
#include "rfo-stats-feed.h"
#include "rfo-ws.h"

#include <obs-module.h>
#include <pthread.h>
#include <util/threading.h>

OBS_DECLARE_MODULE()
OBS_MODULE_USE_DEFAULT_LOCALE("restream-for-obs", "en-US")

enum rfo_ws_state __real_rfo_ws_state_get(const struct rfo_ws *ws);
void __real_rfo_ws_reconnect(struct rfo_ws *ws);
void __real_rfo_ws_destroy(struct rfo_ws *ws);
enum rfo_ws_state __wrap_rfo_ws_state_get(const struct rfo_ws *ws);
void __wrap_rfo_ws_reconnect(struct rfo_ws *ws);
void __wrap_rfo_ws_destroy(struct rfo_ws *ws);
void __wrap_rfo_controller_on_session(rfo_session_cb cb, void *param);
struct rfo_auth *__wrap_rfo_controller_auth(void);
enum rfo_auth_state __wrap_rfo_auth_get_state(struct rfo_auth *auth);
uint64_t __wrap_rfo_controller_token_hash(void);
char *__wrap_rfo_controller_socket_url(const char *base, uint64_t *token_hash);

static rfo_session_cb session_cb;
static void *session_param;
static os_event_t *entered; /* the session callback reached its first socket call */
static os_event_t *stopped; /* rfo_stats_feed_stop returned */
static const struct rfo_ws *freed;
static volatile bool used_after_free;
static volatile bool paused;
static __thread bool on_auth_thread;
static int dummy_auth;

static void socket_call(const struct rfo_ws *ws)
{
	if (on_auth_thread && !paused) {
		paused = true;
		os_event_signal(entered);
		os_event_timedwait(stopped, 500);
	}
	if (ws && ws == freed)
		used_after_free = true;
}

enum rfo_ws_state __wrap_rfo_ws_state_get(const struct rfo_ws *ws)
{
	socket_call(ws);
	return ws && ws == freed ? RFO_WS_DISCONNECTED : __real_rfo_ws_state_get(ws);
}

void __wrap_rfo_ws_reconnect(struct rfo_ws *ws)
{
	socket_call(ws);
	if (!ws || ws != freed)
		__real_rfo_ws_reconnect(ws);
}

void __wrap_rfo_ws_destroy(struct rfo_ws *ws)
{
	__real_rfo_ws_destroy(ws);
	if (ws)
		freed = ws;
}

void __wrap_rfo_controller_on_session(rfo_session_cb cb, void *param)
{
	session_cb = cb;
	session_param = param;
}

struct rfo_auth *__wrap_rfo_controller_auth(void)
{
	return (struct rfo_auth *)&dummy_auth;
}

enum rfo_auth_state __wrap_rfo_auth_get_state(struct rfo_auth *auth)
{
	check(auth == (struct rfo_auth *)&dummy_auth);
	return RFO_AUTH_SIGNED_IN;
}

uint64_t __wrap_rfo_controller_token_hash(void)
{
	return 42; /* a new token: the callback reconnects the socket */
}

char *__wrap_rfo_controller_socket_url(const char *base, uint64_t *token_hash)
{
	UNUSED_PARAMETER(base);
	*token_hash = 0;
	return NULL; /* the socket stays closed: no network in this test */
}

static void *auth_thread(void *param)
{
	UNUSED_PARAMETER(param);
	on_auth_thread = true;
	session_cb(session_param);
	return NULL;
}

int main(void)
{
	check(os_event_init(&entered, OS_EVENT_TYPE_MANUAL) == 0);
	check(os_event_init(&stopped, OS_EVENT_TYPE_MANUAL) == 0);
	check(rfo_stats_feed_create());
	check(session_cb);

	pthread_t t;
	check(pthread_create(&t, NULL, auth_thread, NULL) == 0);
	check(os_event_timedwait(entered, 5000) == 0);
	rfo_stats_feed_stop(); /* OBS_FRONTEND_EVENT_EXIT while the auth thread is in the callback */
	os_event_signal(stopped);
	pthread_join(t, NULL);
	if (used_after_free)
		fail("the session callback used the streaming socket after rfo_stats_feed_stop freed it");

	/* a session change after stop finds no socket and does nothing */
	paused = true;
	session_cb(session_param);
	check(!used_after_free);

	rfo_stats_feed_free();
	os_event_destroy(entered);
	os_event_destroy(stopped);
	return rfo_test_end();
}
