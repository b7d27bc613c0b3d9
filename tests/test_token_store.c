/* rfo-token-store: file backend permissions and atomic replace; keyring backend inside a private
 * D-Bus session with gnome-keyring when it is installed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <util/bmem.h>
#include <util/dstr.h>

#include "rfo-auth.h"
#include "rfo-test.h"
#include "rfo-token-store.h"

#ifdef RFO_HAVE_LIBSECRET
#include <gio/gio.h>
#include <signal.h>
#include <util/platform.h>
#endif

static char base[256];

static char *path_join(const char *a, const char *b)
{
	struct dstr d = {0};
	dstr_printf(&d, "%s/%s", a, b);
	return d.array;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	check(d != NULL);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void check_loads(struct rfo_token_store *s, const char *expected)
{
	char *rec = (char *)"sentinel";
	struct rfo_error err = {0};
	check(rfo_token_store_load(s, &rec, &err));
	if (expected)
		check_str(rec, expected);
	else
		check(rec == NULL);
	bfree(rec);
}

/* ---- concurrent writers vs a reader: the reader never sees a torn record ---- */
struct race {
	struct rfo_token_store *store;
	atomic_bool stop;
	atomic_int torn;
	atomic_int reads;
};

static char rec_a[2048], rec_b[2048];

static void *writer(void *p)
{
	struct race *r = p;
	for (int i = 0; i < 150; i++)
		check(rfo_token_store_save(r->store, (i & 1) ? rec_a : rec_b, NULL));
	return NULL;
}

static void *reader(void *p)
{
	struct race *r = p;
	while (!atomic_load(&r->stop)) {
		/* read the file directly, as a crash at any moment would leave it */
		FILE *f = fopen(rfo_token_store_file_path(r->store), "rb");
		if (!f)
			continue;
		char buf[4096];
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = 0;
		if (strcmp(buf, rec_a) != 0 && strcmp(buf, rec_b) != 0)
			atomic_fetch_add(&r->torn, 1);
		atomic_fetch_add(&r->reads, 1);
	}
	return NULL;
}

static void test_file_backend(void)
{
	setenv("RFO_TOKEN_STORE", "file", 1);
	char *parent = path_join(base, "plugin_config");
	char *dir = path_join(parent, "restream-for-obs");
	struct rfo_token_store *s = rfo_token_store_create(dir, RFO_TOKEN_STORE_AUTO);
	check(s != NULL);
	check_str(rfo_token_store_backend_name(s), "file");
	check_loads(s, NULL);

	mode_t old_umask = umask(0); /* a permissive umask must not widen anything */
	struct rfo_error err = {0};
	check(rfo_token_store_save(s, "{\"access_token\":\"A1\"}", &err));
	umask(old_umask);

	struct stat st;
	check(stat(dir, &st) == 0);
	check(S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
	check(stat(parent, &st) == 0 && (st.st_mode & 0077) == 0);
	char *file = path_join(dir, "tokens.json");
	check_str(rfo_token_store_file_path(s), file);
	check(stat(file, &st) == 0);
	check(S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600);
	check_loads(s, "{\"access_token\":\"A1\"}");

	/* atomic replace: a new inode is renamed over the old one; an open reader keeps the old
	 * complete record; no temp file is left behind */
	ino_t old_ino = st.st_ino;
	int fd = open(file, O_RDONLY);
	check(fd >= 0);
	check(rfo_token_store_save(s, "{\"access_token\":\"A2\"}", &err));
	char buf[64] = {0};
	check(read(fd, buf, sizeof(buf) - 1) > 0);
	close(fd);
	check_str(buf, "{\"access_token\":\"A1\"}");
	check(stat(file, &st) == 0 && st.st_ino != old_ino && (st.st_mode & 0777) == 0600);
	check(count_entries(dir) == 1);
	check_loads(s, "{\"access_token\":\"A2\"}");

	/* a second store on the same folder (next OBS start) sees the record */
	struct rfo_token_store *s2 = rfo_token_store_create(dir, RFO_TOKEN_STORE_FILE);
	check_loads(s2, "{\"access_token\":\"A2\"}");

	/* an existing group-readable folder/file is tightened */
	check(chmod(dir, 0755) == 0 && chmod(file, 0644) == 0);
	check_loads(s2, "{\"access_token\":\"A2\"}");
	check(stat(file, &st) == 0 && (st.st_mode & 0777) == 0600);
	check(rfo_token_store_save(s2, "{\"access_token\":\"A3\"}", &err));
	check(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700);
	rfo_token_store_destroy(s2);

	/* torn-write race: two writers, one reader */
	memset(rec_a, 'a', sizeof(rec_a) - 1);
	memset(rec_b, 'b', sizeof(rec_b) - 1);
	struct race r = {.store = s};
	check(rfo_token_store_save(s, rec_a, NULL));
	pthread_t w1, w2, rd;
	pthread_create(&rd, NULL, reader, &r);
	pthread_create(&w1, NULL, writer, &r);
	pthread_create(&w2, NULL, writer, &r);
	pthread_join(w1, NULL);
	pthread_join(w2, NULL);
	atomic_store(&r.stop, true);
	pthread_join(rd, NULL);
	check(atomic_load(&r.reads) > 0);
	check(atomic_load(&r.torn) == 0);
	check(count_entries(dir) == 1);

	/* clear removes the file */
	check(rfo_token_store_clear(s, &err));
	check(access(file, F_OK) != 0 && errno == ENOENT);
	check_loads(s, NULL);
	check(rfo_token_store_clear(s, &err)); /* idempotent */

	rfo_token_store_destroy(s);
	check(rfo_token_store_create(NULL, RFO_TOKEN_STORE_FILE) == NULL);
	bfree(file);
	bfree(dir);
	bfree(parent);
	unsetenv("RFO_TOKEN_STORE");
}

/* ---- runs inside `dbus-run-session` with an unlocked gnome-keyring ---- */
static int keyring_child(void)
{
	unsetenv("RFO_TOKEN_STORE");
	char *dir = path_join(base, "keyring-cfg");
	char *file = path_join(dir, "tokens.json");

	/* the daemon registers on the bus asynchronously: wait until the keyring answers */
	struct rfo_token_store *probe = rfo_token_store_create(dir, RFO_TOKEN_STORE_KEYRING);
	bool up = false;
	for (int i = 0; i < 100 && !up; i++) {
		char *rec = NULL;
		up = rfo_token_store_save(probe, "probe", NULL) && rfo_token_store_load(probe, &rec, NULL) && rec &&
		     strcmp(rec, "probe") == 0;
		bfree(rec);
		if (!up)
			usleep(50000);
	}
	check(up);
	check(rfo_token_store_clear(probe, NULL));

	struct rfo_token_store *s = rfo_token_store_create(dir, RFO_TOKEN_STORE_AUTO);
	struct rfo_error err = {0};
	check(rfo_token_store_save(s, "{\"access_token\":\"K1\"}", &err));
	check_str(rfo_token_store_backend_name(s), "keyring");
	check(access(file, F_OK) != 0); /* nothing on disk */
	check_loads(s, "{\"access_token\":\"K1\"}");
	check_loads(probe, "{\"access_token\":\"K1\"}"); /* a second instance reads the same item */

	/* a record left in the file (keyring was unavailable earlier) moves into the keyring */
	check(rfo_token_store_clear(s, &err));
	check_loads(probe, NULL);
	struct rfo_token_store *f = rfo_token_store_create(dir, RFO_TOKEN_STORE_FILE);
	check(rfo_token_store_save(f, "{\"access_token\":\"F1\"}", &err));
	check(access(file, F_OK) == 0);
	check_loads(s, "{\"access_token\":\"F1\"}");
	check(access(file, F_OK) != 0);
	check_loads(probe, "{\"access_token\":\"F1\"}");

	/* clear removes it from the keyring */
	check(rfo_token_store_clear(s, &err));
	check_loads(s, NULL);
	check_loads(probe, NULL);

	rfo_token_store_destroy(f);
	rfo_token_store_destroy(s);
	rfo_token_store_destroy(probe);
	bfree(file);
	bfree(dir);
	printf("keyring backend: ok\n");
	return rfo_test_end();
}

#ifdef RFO_HAVE_LIBSECRET
/* ---- runs inside `dbus-run-session`: a Secret Service that never answers (its process owns the name, then stops),
 * like a locked collection whose prompt nobody answers ---- */
static pid_t hung_service(void)
{
	pid_t pid = fork();
	check(pid >= 0);
	if (pid == 0) {
		GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, NULL);
		GVariant *r = bus ? g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
								"org.freedesktop.DBus", "RequestName",
								g_variant_new("(su)", "org.freedesktop.secrets", 4u),
								G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, 2000,
								NULL, NULL)
				  : NULL;
		if (!r)
			_exit(1);
		raise(SIGSTOP); /* owns the name; nothing it is sent is ever answered */
		_exit(0);
	}
	int status;
	check(waitpid(pid, &status, WUNTRACED) == pid && WIFSTOPPED(status));
	return pid;
}

struct hung_load {
	struct rfo_token_store *store;
	atomic_bool done;
};

static void *hung_load_thread(void *p)
{
	struct hung_load *h = p;
	char *rec = NULL;
	rfo_token_store_load(h->store, &rec, NULL);
	bfree(rec);
	atomic_store(&h->done, true);
	return NULL;
}

static int keyring_hang_child(void)
{
	unsetenv("RFO_TOKEN_STORE");
	pid_t svc = hung_service();
	char *dir = path_join(base, "hang-cfg");

	/* the store: a load hangs until cancelled, then returns at once (and so does every later keyring call) */
	struct hung_load h = {.store = rfo_token_store_create(dir, RFO_TOKEN_STORE_AUTO)};
	pthread_t t;
	pthread_create(&t, NULL, hung_load_thread, &h);
	usleep(500000);
	check(!atomic_load(&h.done)); /* really hanging */
	uint64_t t0 = os_gettime_ns();
	rfo_token_store_cancel(h.store);
	for (int i = 0; i < 200 && !atomic_load(&h.done); i++)
		usleep(5000);
	uint64_t ms = (os_gettime_ns() - t0) / 1000000ULL;
	printf("a hung keyring load returned %llu ms after cancel\n", (unsigned long long)ms);
	check(atomic_load(&h.done) && ms < 500);
	pthread_join(t, NULL);
	rfo_token_store_destroy(h.store);

	/* the auth session: quitting while its thread waits for that keyring (restore) takes well under a second */
	struct rfo_token_store *s = rfo_token_store_create(dir, RFO_TOKEN_STORE_AUTO);
	struct rfo_auth_config cfg = {.api_url = "http://127.0.0.1:9", .client_id = "cid", .store = s};
	struct rfo_auth *a = rfo_auth_create(&cfg, NULL);
	check(a != NULL);
	rfo_auth_restore(a);
	usleep(300000);
	t0 = os_gettime_ns();
	rfo_auth_destroy(a);
	ms = (os_gettime_ns() - t0) / 1000000ULL;
	printf("rfo_auth_destroy with the keyring hanging took %llu ms\n", (unsigned long long)ms);
	check(ms < 1000);
	rfo_token_store_destroy(s);

	kill(svc, SIGKILL);
	waitpid(svc, NULL, 0);
	bfree(dir);
	return rfo_test_end();
}
#endif

static bool have_program(const char *name)
{
	struct dstr cmd = {0};
	dstr_printf(&cmd, "command -v %s >/dev/null 2>&1", name);
	int rc = system(cmd.array);
	dstr_free(&cmd);
	return rc == 0;
}

/* A crash between the temp file's create and its rename leaves ".tokens.json.<pid>.…" (which may hold a sign-in):
 * clear (sign-out) removes it with the record. The revoke-pending file is 0600 and goes when saved empty. */
static void test_leftovers_and_pending(void)
{
	char *dir = path_join(base, "crash-cfg");
	struct rfo_token_store *s = rfo_token_store_create(dir, RFO_TOKEN_STORE_FILE);
	check(rfo_token_store_save(s, "{\"refresh_token\":\"r\"}", NULL));
	const char *left[] = {".tokens.json.4242.1.abc", ".revoke-pending.json.4242.2.def"};
	for (size_t i = 0; i < 2; i++) {
		char *p = path_join(dir, left[i]);
		int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
		check(fd >= 0);
		check(write(fd, "secret", 6) == 6);
		close(fd);
		bfree(p);
	}
	char *other = path_join(dir, "settings.json"); /* not ours to remove */
	int fd = open(other, O_WRONLY | O_CREAT, 0600);
	check(fd >= 0);
	close(fd);
	check(count_entries(dir) == 4);
	check(rfo_token_store_clear(s, NULL));
	check(count_entries(dir) == 1);
	check(access(other, F_OK) == 0);

	check(rfo_token_store_save_pending(s, "{\"revoke\":[\"t\"]}", NULL));
	struct stat st;
	check(stat(rfo_token_store_pending_path(s), &st) == 0 && (st.st_mode & 0777) == 0600);
	char *json = NULL;
	check(rfo_token_store_load_pending(s, &json, NULL));
	check_str(json, "{\"revoke\":[\"t\"]}");
	bfree(json);
	check(rfo_token_store_save_pending(s, NULL, NULL));
	check(access(rfo_token_store_pending_path(s), F_OK) != 0);
	check(rfo_token_store_load_pending(s, &json, NULL) && json == NULL);
	rfo_token_store_cancel(s); /* the file backend does not care */
	check(rfo_token_store_save(s, "x", NULL));
	check_loads(s, "x");
	rfo_token_store_destroy(s);
	bfree(other);
	bfree(dir);
}

static void test_keyring_backend(const char *self)
{
#ifdef RFO_HAVE_LIBSECRET
	bool have_keyring = have_program("gnome-keyring-daemon") && have_program("dbus-run-session");
	if (!have_keyring) {
		printf("gnome-keyring/dbus-run-session not installed: keyring half not run\n");
		return;
	}
	struct dstr cmd = {0};
	dstr_printf(&cmd,
		    "env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR='%s' HOME='%s' RFO_TEST_BASE='%s' "
		    "dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets "
		    ">/dev/null; exec \"%s\" --keyring-child'",
		    base, base, base, self);
	int rc = system(cmd.array);
	dstr_free(&cmd);
	check(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);

	/* a Secret Service that never answers cannot hold up quitting */
	dstr_printf(&cmd,
		    "env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR='%s' HOME='%s' RFO_TEST_BASE='%s' "
		    "dbus-run-session -- \"%s\" --keyring-hang-child",
		    base, base, base, self);
	rc = system(cmd.array);
	dstr_free(&cmd);
	check(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);

	/* without a session bus, AUTO falls back to the file */
	setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus", 1);
	char *dir = path_join(base, "nobus-cfg");
	struct rfo_token_store *s = rfo_token_store_create(dir, RFO_TOKEN_STORE_AUTO);
	check(rfo_token_store_save(s, "x", NULL));
	check_str(rfo_token_store_backend_name(s), "file");
	check_loads(s, "x");
	check(rfo_token_store_clear(s, NULL));
	rfo_token_store_destroy(s);
	bfree(dir);
#else
	printf("built without libsecret: keyring backend not compiled in\n");
	struct rfo_token_store *s = rfo_token_store_create(base, RFO_TOKEN_STORE_AUTO);
	check_str(rfo_token_store_backend_name(s), "file");
	rfo_token_store_destroy(s);
#endif
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--keyring-child") == 0) {
		const char *b = getenv("RFO_TEST_BASE");
		check(b != NULL);
		snprintf(base, sizeof(base), "%s", b);
		return keyring_child();
	}
#ifdef RFO_HAVE_LIBSECRET
	if (argc > 1 && strcmp(argv[1], "--keyring-hang-child") == 0) {
		const char *b = getenv("RFO_TEST_BASE");
		check(b != NULL);
		snprintf(base, sizeof(base), "%s", b);
		return keyring_hang_child();
	}
#endif
	snprintf(base, sizeof(base), "/tmp/rfo-token-store-XXXXXX");
	check(mkdtemp(base) != NULL);
	test_file_backend();
	test_leftovers_and_pending();
	test_keyring_backend(argv[0]);
	struct dstr cmd = {0};
	dstr_printf(&cmd, "rm -rf '%s'", base);
	check(system(cmd.array) == 0);
	dstr_free(&cmd);
	return rfo_test_end();
}
