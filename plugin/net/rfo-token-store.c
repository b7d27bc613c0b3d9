#include "rfo-token-store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <util/bmem.h>
#include <util/dstr.h>
#include <util/platform.h>
#include <util/threading.h>

#include "rfo-log.h"

#ifdef RFO_HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

#define TOKEN_FILE "tokens.json"
#define PENDING_FILE "revoke-pending.json"
#define RECORD_MAX (64 * 1024)
#define KEYRING_ACCOUNT "default"

enum backend { BACKEND_UNRESOLVED, BACKEND_KEYRING, BACKEND_FILE };

struct rfo_token_store {
	/* Serialises loads, saves and clears (the file and the keyring item); `backend` is read without it. A leaf
	 * lock: the store calls nothing of its callers while holding it. */
	pthread_mutex_t mutex;
	enum rfo_token_store_pref pref;
	volatile long backend; /* enum backend, os_atomic_*: read by any thread */
	char *dir;
	char *path;
	char *pending_path;
#ifdef RFO_HAVE_LIBSECRET
	GCancellable *cancel; /* cancelled by rfo_token_store_cancel: a hung keyring call returns at once */
#endif
};

static const char *backend_str(int b)
{
	return b == BACKEND_KEYRING ? "keyring" : "file";
}

/* ---- keyring ---------------------------------------------------------------------------- */

#ifdef RFO_HAVE_LIBSECRET
static const SecretSchema schema = {
	.name = "io.restream.obs-plugin",
	.flags = SECRET_SCHEMA_NONE,
	.attributes =
		{
			{"account", SECRET_SCHEMA_ATTRIBUTE_STRING},
			{NULL, 0},
		},
};

static void set_gerror(struct rfo_error *err, GError *e, const char *what)
{
	rfo_log_sub(LOG_WARNING, "auth", "keyring %s failed: %s", what, e ? e->message : "unknown error");
	rfo_error_set(err, RFO_ERR_STATE, "The system keyring could not %s the Restream sign-in (%s).", what,
		      e ? e->message : "unknown error");
	if (e)
		g_error_free(e);
}

/* A Secret Service is running on the session bus and its default collection is unlocked (so
 * nothing would prompt or hang). Never autolaunches a bus. */
static bool keyring_usable(GCancellable *cancel)
{
	const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
	if (!addr || !*addr) {
		const char *rt = getenv("XDG_RUNTIME_DIR");
		struct dstr p = {0};
		dstr_printf(&p, "%s/bus", rt ? rt : "/nonexistent");
		bool exists = rt && os_file_exists(p.array);
		dstr_free(&p);
		if (!exists)
			return false;
	}
	GError *e = NULL;
	GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, cancel, &e);
	if (!bus) {
		g_clear_error(&e);
		return false;
	}
	GVariant *r = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
						  "org.freedesktop.DBus", "NameHasOwner",
						  g_variant_new("(s)", "org.freedesktop.secrets"),
						  G_VARIANT_TYPE("(b)"), G_DBUS_CALL_FLAGS_NONE, 2000, cancel, &e);
	g_object_unref(bus);
	gboolean owned = FALSE;
	if (r) {
		g_variant_get(r, "(b)", &owned);
		g_variant_unref(r);
	}
	g_clear_error(&e);
	if (!owned)
		return false;

	SecretService *svc = secret_service_get_sync(SECRET_SERVICE_NONE, cancel, &e);
	if (!svc) {
		g_clear_error(&e);
		return false;
	}
	SecretCollection *col =
		secret_collection_for_alias_sync(svc, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE, cancel, &e);
	g_clear_error(&e);
	bool ok = col && !secret_collection_get_locked(col);
	if (col)
		g_object_unref(col);
	g_object_unref(svc);
	return ok;
}

static bool keyring_load(GCancellable *cancel, char **out, struct rfo_error *err)
{
	GError *e = NULL;
	gchar *pw = secret_password_lookup_sync(&schema, cancel, &e, "account", KEYRING_ACCOUNT, NULL);
	if (e) {
		set_gerror(err, e, "read");
		return false;
	}
	*out = pw ? bstrdup(pw) : NULL;
	if (pw)
		secret_password_free(pw);
	return true;
}

static bool keyring_save(GCancellable *cancel, const char *record, struct rfo_error *err)
{
	GError *e = NULL;
	if (!secret_password_store_sync(&schema, SECRET_COLLECTION_DEFAULT, "Restream for OBS sign-in", record, cancel,
					&e, "account", KEYRING_ACCOUNT, NULL) ||
	    e) {
		set_gerror(err, e, "save");
		return false;
	}
	return true;
}

static bool keyring_clear(GCancellable *cancel, struct rfo_error *err)
{
	GError *e = NULL;
	secret_password_clear_sync(&schema, cancel, &e, "account", KEYRING_ACCOUNT, NULL);
	if (e) {
		set_gerror(err, e, "remove");
		return false;
	}
	return true;
}
#define CANCEL(s) ((s)->cancel)
#else
#define CANCEL(s) NULL
static bool keyring_usable(void *cancel)
{
	return false;
}
static bool keyring_load(void *cancel, char **out, struct rfo_error *err)
{
	*out = NULL;
	rfo_error_set(err, RFO_ERR_STATE, "This build has no system keyring support.");
	return false;
}
static bool keyring_save(void *cancel, const char *record, struct rfo_error *err)
{
	rfo_error_set(err, RFO_ERR_STATE, "This build has no system keyring support.");
	return false;
}
static bool keyring_clear(void *cancel, struct rfo_error *err)
{
	return true;
}
#endif

/* ---- file ------------------------------------------------------------------------------- */

static bool file_error(struct rfo_error *err, const char *what, const char *path)
{
	int e = errno;
	rfo_log_sub(LOG_WARNING, "auth", "token file: %s %s failed: %s", what, path, strerror(e));
	rfo_error_set(err, RFO_ERR_STATE, "Could not %s the Restream sign-in file %s (%s).", what, path, strerror(e));
	return false;
}

/* mkdir -p with 0700 for every directory created; the last one is tightened to 0700. */
static bool ensure_dir(const char *dir, struct rfo_error *err)
{
	char *p = bstrdup(dir);
	size_t len = strlen(p);
	while (len > 1 && p[len - 1] == '/')
		p[--len] = 0;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			file_error(err, "create the folder of", p);
			bfree(p);
			return false;
		}
		*s = '/';
	}
	if (mkdir(p, 0700) < 0 && errno != EEXIST) {
		file_error(err, "create the folder of", p);
		bfree(p);
		return false;
	}
	struct stat st;
	if (stat(p, &st) == 0 && (st.st_mode & 077) && st.st_uid == geteuid())
		chmod(p, 0700);
	bfree(p);
	return true;
}

static bool file_read(const char *path, char **out, struct rfo_error *err)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? true : file_error(err, "read", path);
	struct stat st;
	if (fstat(fd, &st) == 0 && (st.st_mode & 077)) {
		rfo_log_sub(LOG_WARNING, "auth", "token file was readable by others; tightened to 0600");
		if (fchmod(fd, 0600) < 0)
			rfo_log_sub(LOG_WARNING, "auth", "could not chmod the token file: %s", strerror(errno));
	}
	struct dstr buf = {0};
	char chunk[4096];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			file_error(err, "read", path);
			close(fd);
			dstr_free(&buf);
			return false;
		}
		if (n == 0)
			break;
		dstr_ncat(&buf, chunk, (size_t)n);
		if (buf.len > RECORD_MAX) {
			close(fd);
			dstr_free(&buf);
			rfo_error_set(err, RFO_ERR_PARSE, "The Restream sign-in file %s is too large.", path);
			return false;
		}
	}
	close(fd);
	*out = buf.len ? buf.array : NULL;
	if (!buf.len)
		dstr_free(&buf);
	return true;
}

static bool file_load(struct rfo_token_store *s, char **out, struct rfo_error *err)
{
	return file_read(s->path, out, err);
}

static bool write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

/* Replaces `<dir>/<name>` atomically with a 0600 file. */
static bool file_write(struct rfo_token_store *s, const char *name, const char *record, struct rfo_error *err)
{
	if (!ensure_dir(s->dir, err))
		return false;
	static volatile long counter;
	struct dstr tmp = {0}, path = {0};
	dstr_printf(&path, "%s/%s", s->dir, name);
	int fd = -1;
	for (int attempt = 0; attempt < 16 && fd < 0; attempt++) {
		dstr_printf(&tmp, "%s/.%s.%d.%u.%llx", s->dir, name, (int)getpid(),
			    (unsigned)os_atomic_inc_long(&counter), (unsigned long long)(os_gettime_ns() & 0xffffff));
		fd = open(tmp.array, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		file_error(err, "write", path.array);
		dstr_free(&tmp);
		dstr_free(&path);
		return false;
	}
	bool ok = fchmod(fd, 0600) == 0 && write_all(fd, record, strlen(record)) && fsync(fd) == 0;
	if (close(fd) < 0)
		ok = false;
	if (ok && rename(tmp.array, path.array) < 0)
		ok = false;
	if (!ok) {
		file_error(err, "write", path.array);
		unlink(tmp.array);
		dstr_free(&tmp);
		dstr_free(&path);
		return false;
	}
	int dfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	dstr_free(&tmp);
	dstr_free(&path);
	return true;
}

static bool file_save(struct rfo_token_store *s, const char *record, struct rfo_error *err)
{
	return file_write(s, TOKEN_FILE, record, err);
}

/* Temp files a crash left between create and rename (".tokens.json.<pid>.…", ".revoke-pending.json.<pid>.…"):
 * they may hold a sign-in, so they go with it. Only regular files of this user are removed. */
static void remove_temp_files(struct rfo_token_store *s)
{
	DIR *d = opendir(s->dir);
	if (!d)
		return;
	int dfd = dirfd(d);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "." TOKEN_FILE ".", sizeof(TOKEN_FILE) + 1) != 0 &&
		    strncmp(e->d_name, "." PENDING_FILE ".", sizeof(PENDING_FILE) + 1) != 0)
			continue;
		struct stat st;
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    st.st_uid == geteuid() && unlinkat(dfd, e->d_name, 0) == 0)
			rfo_log_sub(LOG_INFO, "auth", "removed a temporary sign-in file left by an earlier crash");
	}
	closedir(d);
}

static bool file_clear(struct rfo_token_store *s, struct rfo_error *err)
{
	remove_temp_files(s);
	if (unlink(s->path) < 0 && errno != ENOENT)
		return file_error(err, "remove", s->path);
	return true;
}

/* ---- public ------------------------------------------------------------------------------ */

struct rfo_token_store *rfo_token_store_create(const char *config_dir, enum rfo_token_store_pref pref)
{
	const char *env = getenv("RFO_TOKEN_STORE");
	if (env && strcmp(env, "file") == 0)
		pref = RFO_TOKEN_STORE_FILE;
	else if (env && strcmp(env, "keyring") == 0)
		pref = RFO_TOKEN_STORE_KEYRING;

	if ((!config_dir || !*config_dir) && pref != RFO_TOKEN_STORE_KEYRING)
		return NULL;

	struct rfo_token_store *s = bzalloc(sizeof(*s));
	pthread_mutex_init(&s->mutex, NULL);
	s->pref = pref;
	s->dir = bstrdup(config_dir && *config_dir ? config_dir : ".");
	size_t len = strlen(s->dir);
	while (len > 1 && s->dir[len - 1] == '/')
		s->dir[--len] = 0;
	struct dstr p = {0};
	dstr_printf(&p, "%s/%s", s->dir, TOKEN_FILE);
	s->path = p.array;
	struct dstr pp = {0};
	dstr_printf(&pp, "%s/%s", s->dir, PENDING_FILE);
	s->pending_path = pp.array;
#ifdef RFO_HAVE_LIBSECRET
	s->cancel = g_cancellable_new();
#endif
	s->backend = (pref == RFO_TOKEN_STORE_FILE      ? BACKEND_FILE
		      : pref == RFO_TOKEN_STORE_KEYRING ? BACKEND_KEYRING
							: BACKEND_UNRESOLVED);
	return s;
}

void rfo_token_store_destroy(struct rfo_token_store *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->mutex);
#ifdef RFO_HAVE_LIBSECRET
	g_object_unref(s->cancel);
#endif
	bfree(s->dir);
	bfree(s->path);
	bfree(s->pending_path);
	bfree(s);
}

/* Called with the mutex held. */
static int resolve(struct rfo_token_store *s)
{
	int b = (int)os_atomic_load_long(&s->backend);
	if (b != BACKEND_UNRESOLVED)
		return b;
	b = keyring_usable(CANCEL(s)) ? BACKEND_KEYRING : BACKEND_FILE;
	rfo_log_sub(LOG_INFO, "auth", "sign-in is stored in the %s",
		    b == BACKEND_KEYRING ? "system keyring" : "config folder");
	os_atomic_set_long(&s->backend, b);
	return b;
}

bool rfo_token_store_load(struct rfo_token_store *s, char **record_out, struct rfo_error *err)
{
	*record_out = NULL;
	if (!s)
		return true;
	pthread_mutex_lock(&s->mutex);
	bool ok;
	if (resolve(s) == BACKEND_FILE) {
		ok = file_load(s, record_out, err);
	} else {
		ok = keyring_load(CANCEL(s), record_out, err);
		if (ok && !*record_out && s->pref == RFO_TOKEN_STORE_AUTO) {
			/* migrate a record written while the keyring was unavailable */
			char *rec = NULL;
			if (file_load(s, &rec, NULL) && rec) {
				if (keyring_save(CANCEL(s), rec, NULL))
					file_clear(s, NULL);
				*record_out = rec;
			}
		}
	}
	pthread_mutex_unlock(&s->mutex);
	return ok;
}

bool rfo_token_store_save(struct rfo_token_store *s, const char *record, struct rfo_error *err)
{
	if (!s || !record)
		return s != NULL;
	pthread_mutex_lock(&s->mutex);
	bool ok;
	if (resolve(s) == BACKEND_KEYRING) {
		ok = keyring_save(CANCEL(s), record, err);
		if (ok) {
			file_clear(s, NULL); /* no stale copy on disk */
		} else if (s->pref == RFO_TOKEN_STORE_AUTO) {
			rfo_log_sub(LOG_WARNING, "auth", "falling back to the config folder for the sign-in");
			os_atomic_set_long(&s->backend, BACKEND_FILE);
			rfo_error_clear(err);
			ok = file_save(s, record, err);
		}
	} else {
		ok = file_save(s, record, err);
	}
	pthread_mutex_unlock(&s->mutex);
	return ok;
}

bool rfo_token_store_clear(struct rfo_token_store *s, struct rfo_error *err)
{
	if (!s)
		return true;
	pthread_mutex_lock(&s->mutex);
	int b = resolve(s);
	bool ok = file_clear(s, err);
	if (b == BACKEND_KEYRING || (s->pref == RFO_TOKEN_STORE_AUTO && keyring_usable(CANCEL(s))))
		ok = keyring_clear(CANCEL(s), err) && ok;
	pthread_mutex_unlock(&s->mutex);
	return ok;
}

const char *rfo_token_store_backend_name(const struct rfo_token_store *s)
{
	if (!s)
		return "file";
	int b = (int)os_atomic_load_long(&((struct rfo_token_store *)s)->backend);
#ifdef RFO_HAVE_LIBSECRET
	if (b == BACKEND_UNRESOLVED)
		return "keyring";
#endif
	return backend_str(b == BACKEND_KEYRING ? BACKEND_KEYRING : BACKEND_FILE);
}

const char *rfo_token_store_file_path(const struct rfo_token_store *s)
{
	return s ? s->path : NULL;
}

bool rfo_token_store_load_pending(struct rfo_token_store *s, char **pending_out, struct rfo_error *err)
{
	*pending_out = NULL;
	if (!s)
		return true;
	pthread_mutex_lock(&s->mutex);
	bool ok = file_read(s->pending_path, pending_out, err);
	pthread_mutex_unlock(&s->mutex);
	return ok;
}

bool rfo_token_store_save_pending(struct rfo_token_store *s, const char *pending, struct rfo_error *err)
{
	if (!s)
		return true;
	pthread_mutex_lock(&s->mutex);
	bool ok;
	if (pending && *pending) {
		ok = file_write(s, PENDING_FILE, pending, err);
	} else {
		ok = unlink(s->pending_path) == 0 || errno == ENOENT;
		if (!ok)
			file_error(err, "remove", s->pending_path);
	}
	pthread_mutex_unlock(&s->mutex);
	return ok;
}

void rfo_token_store_cancel(struct rfo_token_store *s)
{
#ifdef RFO_HAVE_LIBSECRET
	if (s)
		g_cancellable_cancel(s->cancel);
#else
	UNUSED_PARAMETER(s);
#endif
}

const char *rfo_token_store_pending_path(const struct rfo_token_store *s)
{
	return s ? s->pending_path : NULL;
}
