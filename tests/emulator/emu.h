/* restream-emulator: shared state and cross-file interfaces (test tool, not plugin code). */
#pragma once

#include <libwebsockets.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EMU_MAX_CHANNELS 16
#define EMU_MAX_EVENTS 48
#define EMU_USER_ID 5849342

enum emu_kind { EMU_KIND_CHAT = 0, EMU_KIND_STREAMING = 1, EMU_KIND_COUNT = 2 };

/* ---- data model (state.c) ---- */
struct emu_channel {
	int64_t id;
	int platform_id;
	int chat_source;         /* chat eventSourceId, 0 = no chat connection */
	const char *chat_status; /* connected / error / connecting */
	const char *chat_reason; /* NULL unless error */
	char identifier[64];
	char display_name[128];
	char url[160];
	char embed_url[200];
	char conn_id[96];   /* chat connectionIdentifier */
	char conn_uuid[40]; /* chat connectionUuid */
	bool active;
	int title_max;
	char *title;
	char *description;
	json_t *patches; /* array of {time, path, body} received */
};

struct emu_event {
	char id[40];
	char status[16];   /* upcoming, in-progress, finished, missed */
	char title[512];   /* up to 100 code points of any script */
	char *description; /* may be NULL -> JSON null */
	bool has_cover;
	bool record_only;
	bool has_show_id;
	char show_id[40];
	int64_t scheduled_for, started_at, finished_at; /* 0 -> null */
	int64_t dest_channels[4];
	int n_dest;
	char stream_key[80];
	char srt_id[96];
	char srt_pass[64];
};

struct emu_token {
	struct emu_token *next;
	char access[48];
	char refresh[48];
	int64_t issued, access_exp, refresh_exp;
	bool revoked, rotated;
	char how[24]; /* authorization_code / refresh_token / control */
	int client;   /* EMU_CLIENT_*: who may refresh it */
};

struct emu_code {
	struct emu_code *next;
	char code[40];
	char redirect_uri[256];
	int client; /* EMU_CLIENT_*: the code is exchanged by the client it was issued to only */
	int64_t expires;
	bool used;
};

struct emu_fault {
	struct emu_fault *next;
	char route[160]; /* exact path, or prefix ending in '*' */
	char method[8];  /* empty = any */
	int status;      /* 0 = keep the handler's status */
	int delay_ms;
	int retry_after;
	int count; /* remaining; -1 = unlimited */
	int hits;
	char body_mode[16]; /* "", malformed, truncated, custom */
	char *custom_body;
};

struct emu_sock_kind {
	struct emu_ws_sess *sessions;
	int connections; /* currently open */
	int connects_total;
	int refused_total;
	bool silence_heartbeats, silence_pings, silence_sends;
	int refuse_status; /* 0 = accept */
	int refuse_count;  /* remaining, -1 = until cleared */
};

struct emu_stats_grant {
	int count;
	int errors;
	int in_flight;
	int max_concurrent;
	int overlaps;  /* requests that started while another of the same grant was in flight */
	int reused;    /* refresh: rotated/revoked refresh token presented */
	json_t *times; /* array of epoch ms */
};

#define EMU_MAX_REDIRECTS 8
enum { EMU_CLIENT_APP, EMU_CLIENT_BROKER, EMU_CLIENT_COUNT };
/* A registered application: its credentials and its redirect URIs, matched exactly like a real OAuth server. */
struct emu_client {
	char id[64], secret[128];
	char redirects[EMU_MAX_REDIRECTS][256];
	int n_redirects;
};

struct emu_state {
	struct lws_context *ctx;
	char client_id[64], client_secret[80];
	char redirect_uris[EMU_MAX_REDIRECTS][256]; /* --redirect-uri: the app client's registered URIs */
	int n_redirect_uris;
	bool any_loopback_redirect; /* --any-loopback-redirect (and --demo): any http loopback URI is accepted */
	struct emu_client broker; /* --broker-client-id/-secret-file/-redirect-uri: the secret only the broker knows */
	char rtmp_url[256], srt_url[256];
	bool no_srt, demo, quiet;
	int api_port, chat_port, streaming_port;
	int token_lifetime, refresh_lifetime, heartbeat_s;
	uint64_t seed;
	/* user */
	char stream_key[80], srt_id[96], srt_pass[64];
	int ingest_id;
	struct emu_channel channels[EMU_MAX_CHANNELS];
	int n_channels;
	struct emu_event events[EMU_MAX_EVENTS];
	int n_events;
	/* oauth */
	struct emu_token *tokens;
	struct emu_code *codes;
	bool deny_login;
	int token_delay_ms;
	struct emu_stats_grant grant_code, grant_refresh;
	int revokes;
	json_t *revoke_log;
	int redirects_refused; /* /login with an unregistered redirect_uri */
	/* faults */
	struct emu_fault *faults;
	/* sockets */
	struct emu_sock_kind kinds[EMU_KIND_COUNT];
	int chat_client_msgs;
	json_t *chat_client_texts; /* last 50 */
	/* streaming */
	bool live;
	int64_t live_since;
	char live_event_id[40];
	char suid[40];
	int viewers[EMU_MAX_CHANNELS];
	int live_interval_ms;
};

extern struct emu_state emu;

/* ---- util.c ---- */
int64_t emu_now_ms(void);
int64_t emu_now_s(void);
void emu_rand_hex(char *out, size_t nchars);
void emu_rand_digits(char *out, size_t nchars);
void emu_uuid(char *out); /* 37 bytes */
uint32_t emu_prng(void);  /* content randomness, seeded by --seed */
int emu_prng_range(int lo, int hi);
void emu_iso8601(int64_t epoch_s, char *out, size_t len);
bool emu_form_get(const char *body, const char *key, char *out, size_t outlen);
json_t *emu_json_parse(const char *body, size_t len);
json_t *emu_json_nullable_str(const char *s);
json_t *emu_json_nullable_int(int64_t v);

/* ---- http.c: request/response plumbing for the API port ---- */
struct emu_req {
	struct lws *wsi;
	const char *method;
	const char *path;
	const char *body;
	size_t body_len;
};

struct emu_resp {
	int status;
	char content_type[48];
	char *body; /* malloc'd */
	size_t len;
	char location[2048];
	int retry_after;
	bool truncate;
	int delay_ms;
	int inflight_grant; /* 0 none, 1 code, 2 refresh: decremented when sent */
};

bool emu_req_query(struct emu_req *req, const char *key, char *out, size_t outlen);
bool emu_req_header(struct emu_req *req, enum lws_token_indexes tok, char *out, size_t outlen);
void emu_resp_json(struct emu_resp *resp, int status, json_t *obj); /* steals obj */
void emu_resp_text(struct emu_resp *resp, int status, const char *ctype, const char *text);
void emu_resp_error(struct emu_resp *resp, int status, const char *name, const char *message);
void emu_resp_empty(struct emu_resp *resp, int status);
const struct lws_protocols *emu_http_protocol(void);

/* ---- oauth.c ---- */
bool emu_oauth_route(struct emu_req *req, struct emu_resp *resp);
struct emu_token *emu_token_find_access(const char *access);
bool emu_token_valid(const char *access);
struct emu_token *emu_token_issue(const char *how);
void emu_token_revoke_pair(struct emu_token *t);
json_t *emu_token_json(const struct emu_token *t);
void emu_oauth_grant_done(int grant);

/* ---- images.c ---- */
bool emu_images_route(struct emu_req *req, struct emu_resp *resp);
/* http://127.0.0.1:<api port>/img/<path>: an image this emulator serves (never off loopback). */
void emu_image_url(char *buf, size_t size, const char *path);

/* ---- rest.c ---- */
bool emu_rest_route(struct emu_req *req, struct emu_resp *resp);
json_t *emu_channel_json(const struct emu_channel *c, bool single);
json_t *emu_event_json(const struct emu_event *e);

/* ---- state.c ---- */
void emu_state_init(void);
struct emu_channel *emu_channel_find(int64_t id);
struct emu_event *emu_event_find(const char *id);
void emu_event_make_keys(struct emu_event *e); /* new random stream key and SRT id/passphrase */

/* events.c: event creation and viewer analytics (§2b) */
void emu_events_route(struct emu_req *req, struct emu_resp *resp, const char *rest); /* rest: after "user/events/" */
bool emu_events_handles(const char *method, const char *rest);
void emu_analytics_record(const json_t *frame); /* every streaming frame sent */
bool emu_events_control(const char *method, const char *p, json_t *body, struct emu_resp *resp);
json_t *emu_platforms_json(void);
json_t *emu_servers_json(void);
void emu_make_srt_url(const char *id, const char *pass, char *out, size_t len);

/* ---- faults.c ---- */
struct emu_fault *emu_fault_match(const char *method, const char *path);
void emu_fault_apply_body(struct emu_fault *f, struct emu_resp *resp);
bool emu_fault_add(json_t *spec, char *err, size_t errlen);
json_t *emu_faults_json(void);
void emu_faults_clear(void);

/* ---- wscommon.c ---- */
struct emu_ws_sess {
	struct emu_ws_sess *next;
	struct lws *wsi;
	int kind;
	struct emu_wsmsg *head, *tail;
	int queued;
	bool close_pending;
	int close_code;
	bool kill_pending;
	int64_t connected_ms;
	lws_sorted_usec_list_t hb_sul;
};

int emu_ws_filter_upgrade(struct lws *wsi, int kind);
void emu_ws_attach(struct emu_ws_sess *s, struct lws *wsi, int kind);
void emu_ws_detach(struct emu_ws_sess *s);
void emu_ws_send(struct emu_ws_sess *s, const char *text, size_t len);
void emu_ws_broadcast(int kind, const char *text);
void emu_ws_broadcast_len(int kind, const char *data, size_t len); /* bytes verbatim, NULs included */
int emu_ws_writeable(struct emu_ws_sess *s);
int emu_ws_drop(int kind, int code);
void emu_ws_apply_silence(int kind);
void emu_ws_send_json(struct emu_ws_sess *s, json_t *frame); /* borrows */
void emu_ws_broadcast_json(int kind, json_t *frame);         /* borrows */
/* What one socket kind adds to the common session: hooks called after attach, for client text. */
struct emu_ws_handlers {
	int kind;
	void (*on_connect)(struct emu_ws_sess *s);      /* NULL: nothing sent on connect */
	void (*on_receive)(const char *in, size_t len); /* NULL: client text ignored */
};
/* The whole lws callback of a session socket (upgrade auth, attach/detach, send queue, 426 on HTTP). */
int emu_ws_callback(const struct emu_ws_handlers *h, struct lws *wsi, enum lws_callback_reasons reason, void *user,
		    void *in, size_t len);
/* A preset frame with opts.overrides merged in (takes `frame`, may be NULL). */
json_t *emu_preset_override(json_t *frame, json_t *opts);
const char *emu_kind_name(int kind);
int emu_kind_parse(const char *name); /* -1 = all, -2 = invalid */

/* ---- chatws.c / chat-presets.c ---- */
const struct lws_protocols *emu_chat_protocol(void);
json_t *emu_chat_preset(const char *name, json_t *opts); /* full frame or NULL */
json_t *emu_chat_preset_names(void);
void emu_chat_push_frame(json_t *frame); /* borrows */
json_t *emu_chat_connection_info(const struct emu_channel *c);
json_t *emu_chat_discord_info(void);
bool emu_chat_flood(int rate, int seconds, const char *preset);
json_t *emu_chat_flood_json(void); /* {active, rate, total, sent, elapsedMs} of the last flood */

/* ---- streamws.c ---- */
const struct lws_protocols *emu_streaming_protocol(void);
void emu_stream_push_frame(json_t *frame); /* borrows; logs for replay */
json_t *emu_stream_preset(const char *name, json_t *opts);
json_t *emu_stream_preset_names(void);
void emu_stream_go_live(void);
void emu_stream_go_offline(void); /* also puts every destination and the incoming bitrate back to normal */
/* Health on command: a destination's outgoing status while live (CONNECTED, CONNECTING, DISCONNECTED, ERROR),
 * `times` flaps of `ms` down and `ms` up, the incoming bitrate (0 = normal) and whether Restream receives. */
bool emu_stream_set_destination(int64_t channel_id, const char *status);
bool emu_stream_flap(int64_t channel_id, int times, int ms);
void emu_stream_set_incoming(int total_bps, bool receiving);
json_t *emu_stream_log_json(void);

/* ---- control.c ---- */
bool emu_control_route(struct emu_req *req, struct emu_resp *resp);

/* ---- demo.c ---- */
void emu_demo_start(void);
