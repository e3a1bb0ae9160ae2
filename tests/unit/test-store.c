/*
 * test-store.c - unit tests of the certs/ store (store.c, store-roll.c)
 * and of the run lock (lock.c).
 *
 * Every test works in its own mkdtemp(3) directory under $TMPDIR, which
 * the teardown removes.  Crashes are simulated by forked children that run
 * with SSLM_FAULT=<point> SSLM_FAULT_MODE=kill and die with _exit(99) at
 * the point; the parent then checks what a real crash would have left and
 * that store_recover() and a second run restore every invariant.  Those
 * tests are skipped unless built with -DSSLM_FAULTS.  Children never call
 * cmocka: its assertions would longjmp into the parent's copy of the
 * runner.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "fault.h"
#include "lock.h"
#include "log.h"
#include "store.h"

/* 2026-04-07 12:07:39 UTC: the date in the spec's examples. */
#define T0	((time_t)1775563659)

#ifdef SSLM_FAULTS
#define NEED_FAULTS()	do { } while (0)
#else
#define NEED_FAULTS()	do { skip(); return; } while (0)
#endif

struct fixture {
	char		*dir;		/* the test's temp dir */
	struct strlist	 paths;		/* P() results, freed at teardown */
	mode_t		 umask;		/* restored at teardown */
};

static const char *const required[] = {
	"privkey.pem", "cert.pem", "csr.pem", "chain.pem", "fullchain.pem",
	"bundle.pem",
};
#define NREQUIRED	(sizeof(required) / sizeof(required[0]))

/* Messages seen by the log sink, as "<level>|<message>". */
static struct strlist	 logged;
/* nftw() has no user argument. */
static int		 ntemps;

/* Logging sink */

static void
sink(void *ctx, enum sslm_level lvl, const char *msg)
{
	(void)ctx;
	strlist_add_nodup(&logged, xasprintf("%d|%s", (int)lvl, msg));
}

static bool
has_log(enum sslm_level lvl, const char *msg)
{
	char	*want = xasprintf("%d|%s", (int)lvl, msg);
	bool	 found = strlist_has(&logged, want);

	free(want);
	return found;
}

static bool
has_log_prefix(enum sslm_level lvl, const char *prefix)
{
	char	*want = xasprintf("%d|%s", (int)lvl, prefix);
	bool	 found = false;

	for (size_t i = 0; i < logged.n && !found; i++)
		found = str_has_prefix(logged.v[i], want);
	free(want);
	return found;
}

static size_t
count_level(enum sslm_level lvl)
{
	char	 pre[8];
	size_t	 n = 0;

	snprintf(pre, sizeof(pre), "%d|", (int)lvl);
	for (size_t i = 0; i < logged.n; i++)
		if (str_has_prefix(logged.v[i], pre))
			n++;
	return n;
}

/* Fixture */

static int
rm_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path) == -1 ? -1 : 0;
}

static int
setup(void **state)
{
	struct fixture	*f = xcalloc(1, sizeof(*f));
	const char	*tmp = getenv("TMPDIR");
	char		*templ;

	templ = xasprintf("%s/sslm-store-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(templ) == NULL) {
		free(templ);
		free(f);
		return -1;
	}
	f->dir = templ;
	f->umask = umask(022);
	unsetenv("SSLM_FAULT");
	unsetenv("SSLM_FAULT_MODE");
	strlist_clear(&logged);
	sslm_log_set_sink(sink, NULL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	int		 r;

	r = nftw(f->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	umask(f->umask);
	unsetenv("SSLM_FAULT");
	unsetenv("SSLM_FAULT_MODE");
	sslm_log_set_sink(NULL, NULL);
	strlist_clear(&logged);
	strlist_clear(&f->paths);
	free(f->dir);
	free(f);
	return r == 0 ? 0 : -1;
}

static const char	*P(void **, const char *, ...) SSLM_PRINTF(2, 3);

/* A path under the test dir, owned by the fixture. */
static const char *
P(void **state, const char *fmt, ...)
{
	struct fixture	*f = *state;
	va_list		 ap;
	char		*rel;

	va_start(ap, fmt);
	rel = xvasprintf(fmt, ap);
	va_end(ap);
	strlist_add_nodup(&f->paths, xasprintf("%s/%s", f->dir, rel));
	free(rel);
	return f->paths.v[f->paths.n - 1];
}

/* The date name of t, in a static rotating buffer. */
static const char *
D(time_t t)
{
	static char	 bufs[8][32];
	static int	 i;
	char		*b = bufs[i++ % 8];

	store_date_name(t, b, sizeof(bufs[0]));
	return b;
}

/* "db/<name>", a link target as upstream writes it (static, rotating). */
static const char *
DB(const char *name)
{
	static char	 bufs[8][64];
	static int	 i;
	char		*b = bufs[i++ % 8];

	snprintf(b, sizeof(bufs[0]), "db/%s", name);
	return b;
}

/* Filesystem helpers */

static mode_t
mode_of(const char *path)
{
	struct stat	 st;

	if (lstat(path, &st) == -1)
		return (mode_t)-1;
	return st.st_mode & 07777;
}

static bool
exists(const char *path)
{
	struct stat	 st;

	return lstat(path, &st) == 0;
}

static bool
is_link(const char *path)
{
	struct stat	 st;

	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

static void
mkfile(const char *path, const char *content)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_int_not_equal(fd, -1);
	assert_int_equal(write(fd, content, strlen(content)),
	    (ssize_t)strlen(content));
	assert_int_equal(close(fd), 0);
}

/* The file's content (test-owned, freed by caller) or NULL. */
static char *
slurp(const char *path)
{
	char	*s;

	if (read_file(path, 1 << 20, &s, NULL) != 0)
		return NULL;
	return s;
}

/* "pid <pid> since <YYYY-MM-DDTHH:MM:SSZ> <what>": the lock's holder. */
static void
assert_holder(const char *got, long pid, const char *what)
{
	char		*pre = xasprintf("pid %ld since ", pid);
	const char	*t;

	assert_non_null(got);
	assert_int_equal(strncmp(got, pre, strlen(pre)), 0);
	t = got + strlen(pre);
	assert_true(strlen(t) > 21 && t[4] == '-' && t[10] == 'T' &&
	    t[19] == 'Z' && t[20] == ' ');
	assert_string_equal(t + 21, what);
	free(pre);
}

static void
assert_content(const char *path, const char *want)
{
	char	*s = slurp(path);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

/* The raw target of a link, in a static buffer ("" when not a link). */
static const char *
raw_link(const char *path)
{
	static char	 buf[PATH_MAX];
	ssize_t		 n;

	if ((n = readlink(path, buf, sizeof(buf) - 1)) < 0)
		n = 0;
	buf[n] = '\0';
	return buf;
}

static void
set_mtime(const char *path, time_t t)
{
	struct timespec	 ts[2] = { { t, 0 }, { t, 0 } };

	assert_int_equal(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW),
	    0);
}

static int
temp_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	if (strstr(path + ftw->base, ".tmp.") != NULL)
		ntemps++;
	return 0;
}

/* Number of "*.tmp.*" names anywhere under dir. */
static int
count_temps(const char *dir)
{
	ntemps = 0;
	if (nftw(dir, temp_cb, 16, FTW_PHYS) == -1)
		return -1;
	return ntemps;
}

/* Makes <svc>/db/<name> holding every file a roll requires. */
static void
make_db(void **state, const char *svc, const char *name)
{
	char	*content;

	assert_int_equal(store_mkdir_p(P(state, "%s/db/%s", svc, name),
	    STORE_DIR_MODE), 0);
	for (size_t i = 0; i < NREQUIRED; i++) {
		content = xasprintf("%s of %s\n", required[i], name);
		mkfile(P(state, "%s/db/%s/%s", svc, name, required[i]),
		    content);
		free(content);
	}
}

/* A link made by hand, as upstream's Python makes it. */
static void
hand_link(void **state, const char *svc, const char *name, const char *to)
{
	assert_int_equal(symlink(to, P(state, "%s/%s", svc, name)), 0);
}

/* Asserts svc/<name> is a "db/<want>" link (want NULL: absent). */
static void
assert_link(void **state, const char *svc, const char *name,
    const char *want)
{
	const char	*path = P(state, "%s/%s", svc, name);
	char		*t;

	if (want == NULL) {
		assert_false(exists(path));
		return;
	}
	assert_true(is_link(path));
	assert_int_equal(store_link_get(P(state, "%s", svc), name, &t), 0);
	assert_string_equal(t, want);
	free(t);
}

/*
 * The invariants of a service tree: each of curr/next/prev is absent or a
 * link to a db dir with every required file; no temporaries anywhere.
 */
static void
assert_tree_ok(void **state, const char *svc)
{
	static const char *const links[] = { "curr", "next", "prev" };
	char		*t;

	for (size_t i = 0; i < 3; i++) {
		if (!exists(P(state, "%s/%s", svc, links[i])))
			continue;
		assert_int_equal(store_link_get(P(state, "%s", svc), links[i],
		    &t), 0);
		for (size_t j = 0; j < NREQUIRED; j++)
			assert_true(exists(P(state, "%s/db/%s/%s", svc, t,
			    required[j])));
		free(t);
	}
	assert_int_equal(count_temps(P(state, "%s", svc)), 0);
}

/* Runs fn(arg) in a child armed to die at point; returns its status. */
static int
crash_at(const char *point, void (*fn)(void **, const char *),
    void **state, const char *arg)
{
	pid_t	 pid;
	int	 status;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		setenv("SSLM_FAULT", point, 1);
		setenv("SSLM_FAULT_MODE", "kill", 1);
		fn(state, arg);
		_exit(0);
	}
	assert_int_not_equal(pid, -1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Tests: date names */

static void
test_date_name_is_local_strftime(void **state)
{
	char	 buf[32];
	char	*tz = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	store_date_name(T0, buf, sizeof(buf));
	assert_string_equal(buf, "20260407-12:07:39");
	setenv("TZ", "CET-1", 1);
	tzset();
	store_date_name(T0, buf, sizeof(buf));
	assert_string_equal(buf, "20260407-13:07:39");
	if (tz != NULL)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	tzset();
	free(tz);
	store_date_name(T0, buf, 5);
	assert_string_equal(buf, "");
}

static void
test_is_date_name(void **state)
{
	static const char *const good[] = {
		"20260407-12:07:39", "00000000-00:00:00", "99999999-99:99:99",
	};
	static const char *const bad[] = {
		"", "2026040-12:07:39", "20260407-12:07:3",
		"20260407-12:07:390", "20260407 12:07:39",
		"2026040a-12:07:39", "20260407-12-07-39",
		"20260407-12:07:39\n", " 20260407-12:07:39", "junk",
		"20260407-12:07:39.tmp.12", ("\xd9\xa2" "0260407-12:07:39"),
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(store_is_date_name(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(store_is_date_name(bad[i]));
}

/* Tests: atomic writes */

static void
test_write_key_mode_under_umask_0(void **state)
{
	const char	*path = P(state, "key.pem");

	umask(0);
	assert_int_equal(store_write_file(path, "secret\n", 7,
	    STORE_KEY_MODE), 0);
	assert_int_equal(mode_of(path), 0600);
	assert_content(path, "secret\n");
	assert_int_equal(count_temps(P(state, ".")), 0);
}

static void
test_write_file_mode_under_umask_077(void **state)
{
	const char	*path = P(state, "cert.pem");

	umask(077);
	assert_int_equal(store_write_file(path, "cert\n", 5,
	    STORE_FILE_MODE), 0);
	assert_int_equal(mode_of(path), 0644);
}

static void
test_write_replaces_content_and_mode(void **state)
{
	const char	*path = P(state, "bundle.pem");

	mkfile(path, "old old old old\n");
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(store_write_file(path, "new\n", 4, STORE_KEY_MODE),
	    0);
	assert_content(path, "new\n");
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(count_temps(P(state, ".")), 0);
}

static void
test_write_creates_parents_0750(void **state)
{
	umask(077);
	assert_int_equal(store_write_file(P(state, "a/b/c/f"), "x", 1,
	    STORE_FILE_MODE), 0);
	assert_int_equal(mode_of(P(state, "a")), 0750);
	assert_int_equal(mode_of(P(state, "a/b")), 0750);
	assert_int_equal(mode_of(P(state, "a/b/c")), 0750);
	umask(0);
	assert_int_equal(store_write_file(P(state, "z/f"), "x", 1,
	    STORE_FILE_MODE), 0);
	assert_int_equal(mode_of(P(state, "z")), 0750);
	assert_int_equal(mode_of(P(state, "z/f")), 0644);
}

static void
test_write_fails_when_parent_is_file(void **state)
{
	const char	*plain = P(state, "plain");
	char		*msg;

	mkfile(plain, "I am a file\n");
	assert_int_not_equal(store_write_file(P(state, "plain/x"), "x", 1,
	    STORE_FILE_MODE), 0);
	msg = xasprintf("%s: mkdir: %s", plain, strerror(ENOTDIR));
	assert_true(has_log(SSLM_LOG_ERR, msg));
	free(msg);
	assert_int_equal(count_temps(P(state, ".")), 0);
	assert_content(plain, "I am a file\n");
}

static void
test_write_fails_on_rename_leaves_no_temp(void **state)
{
	const char	*path = P(state, "adir");
	char		*msg;

	assert_int_equal(mkdir(path, 0750), 0);
	assert_int_equal(store_write_file(path, "x", 1, STORE_FILE_MODE),
	    SSLM_ERR_IO);
	msg = xasprintf("%s: rename: ", path);
	assert_true(has_log_prefix(SSLM_LOG_ERR, msg));
	free(msg);
	assert_int_equal(count_temps(P(state, ".")), 0);
}

static void
test_write_rejects_dir_name(void **state)
{
	assert_int_equal(store_write_file(P(state, "x/"), "x", 1,
	    STORE_FILE_MODE), SSLM_ERR_USAGE);
	assert_int_equal(store_write_file("", "x", 1, STORE_FILE_MODE),
	    SSLM_ERR_USAGE);
}

static void
test_write_over_stale_own_temp(void **state)
{
	const char	*path = P(state, "chain.pem");
	const char	*tmp = P(state, "chain.pem.tmp.%ld", (long)getpid());

	mkfile(tmp, "half a chain");
	assert_int_equal(store_write_file(path, "chain\n", 6,
	    STORE_FILE_MODE), 0);
	assert_content(path, "chain\n");
	assert_false(exists(tmp));
}

static void
test_write_empty_and_large(void **state)
{
	const char	*path = P(state, "big");
	size_t		 len = 3 * 1024 * 1024 + 17;
	char		*big = xmalloc(len + 1), *back;
	size_t		 blen;

	assert_int_equal(store_write_file(P(state, "empty"), "", 0,
	    STORE_FILE_MODE), 0);
	assert_content(P(state, "empty"), "");
	for (size_t i = 0; i < len; i++)
		big[i] = (char)('a' + i % 26);
	big[len] = '\0';
	assert_int_equal(store_write_file(path, big, len, STORE_FILE_MODE),
	    0);
	assert_int_equal(read_file(path, len + 1, &back, &blen), 0);
	assert_int_equal(blen, len);
	assert_memory_equal(back, big, len);
	free(back);
	free(big);
}

static void
test_copy_keeps_mtime_sets_mode(void **state)
{
	const char	*src = P(state, "src.pem");
	const char	*dst = P(state, "out/dst.pem");
	struct stat	 st;
	struct timespec	 ts[2] = { { T0 - 5, 0 }, { T0, 123456789 } };

	umask(0);
	mkfile(src, "-----BEGIN PRIVATE KEY-----\n");
	assert_int_equal(utimensat(AT_FDCWD, src, ts, 0), 0);
	assert_int_equal(store_copy_file(src, dst, STORE_KEY_MODE), 0);
	assert_content(dst, "-----BEGIN PRIVATE KEY-----\n");
	assert_int_equal(mode_of(dst), 0600);
	assert_int_equal(stat(dst, &st), 0);
	assert_int_equal(st.st_mtim.tv_sec, T0);
	assert_int_equal(st.st_mtim.tv_nsec, 123456789);
	assert_int_equal(count_temps(P(state, ".")), 0);
}

static void
test_copy_missing_source(void **state)
{
	assert_int_equal(store_copy_file(P(state, "nope"), P(state, "dst"),
	    STORE_FILE_MODE), SSLM_ERR_NOTFOUND);
	assert_false(exists(P(state, "dst")));
	assert_int_equal(count_level(SSLM_LOG_ERR), 1);
}

/* Tests: directories */

static void
test_mkdir_p_modes_and_existing(void **state)
{
	const char	*old = P(state, "old");

	assert_int_equal(mkdir(old, 0700), 0);
	umask(077);
	assert_int_equal(store_mkdir_p(P(state, "old/n1/n2/"), 0750), 0);
	assert_int_equal(mode_of(old), 0700);
	assert_int_equal(mode_of(P(state, "old/n1")), 0750);
	assert_int_equal(mode_of(P(state, "old/n1/n2")), 0750);
	umask(0);
	assert_int_equal(store_mkdir_p(P(state, "x//y"), 0750), 0);
	assert_int_equal(mode_of(P(state, "x/y")), 0750);
	/* Existing: no error, nothing changed. */
	assert_int_equal(store_mkdir_p(P(state, "old/n1"), 0755), 0);
	assert_int_equal(mode_of(P(state, "old/n1")), 0750);
}

static void
test_mkdir_p_component_is_file(void **state)
{
	mkfile(P(state, "f"), "");
	assert_int_not_equal(store_mkdir_p(P(state, "f/sub"), 0750), 0);
	assert_int_not_equal(store_mkdir_p(P(state, "f"), 0750), 0);
	assert_true(count_level(SSLM_LOG_ERR) >= 2);
}

static void
test_rmtree_stays_inside(void **state)
{
	const char	*top = P(state, "top");

	mkfile(P(state, "precious"), "keep me\n");
	assert_int_equal(store_mkdir_p(P(state, "outside/deep"), 0750), 0);
	mkfile(P(state, "outside/deep/file"), "keep me too\n");
	assert_int_equal(store_mkdir_p(P(state, "top/a/b/c"), 0750), 0);
	mkfile(P(state, "top/a/b/c/f"), "x");
	mkfile(P(state, "top/a/g"), "x");
	assert_int_equal(symlink(P(state, "outside"), P(state,
	    "top/a/dirlink")), 0);
	assert_int_equal(symlink(P(state, "precious"), P(state,
	    "top/filelink")), 0);
	assert_int_equal(symlink("nowhere", P(state, "top/dangling")), 0);
	assert_int_equal(store_rmtree(top), 0);
	assert_false(exists(top));
	assert_content(P(state, "precious"), "keep me\n");
	assert_content(P(state, "outside/deep/file"), "keep me too\n");
}

static void
test_rmtree_absent_link_and_slash(void **state)
{
	assert_int_equal(store_rmtree(P(state, "absent")), 0);
	assert_int_equal(store_rmtree(P(state, "absent/deeper")), 0);
	assert_int_equal(store_mkdir_p(P(state, "real/sub"), 0750), 0);
	assert_int_equal(symlink(P(state, "real"), P(state, "lnk")), 0);
	assert_int_equal(store_rmtree(P(state, "lnk")), 0);
	assert_false(exists(P(state, "lnk")));
	assert_true(exists(P(state, "real/sub")));
	assert_int_equal(store_rmtree(P(state, "real/")), 0);
	assert_false(exists(P(state, "real")));
	assert_int_equal(store_rmtree("/"), SSLM_ERR_USAGE);
}

/* Tests: links */

static void
test_link_set_get_remove(void **state)
{
	const char	*dir = P(state, ".");
	char		*t;

	assert_int_equal(store_link_set(dir, "curr", "db/20260407-12:07:39"),
	    0);
	assert_string_equal(raw_link(P(state, "curr")),
	    "db/20260407-12:07:39");
	assert_int_equal(store_link_get(dir, "curr", &t), 0);
	assert_string_equal(t, "20260407-12:07:39");
	free(t);
	assert_int_equal(store_link_remove(dir, "curr"), 0);
	assert_false(exists(P(state, "curr")));
	assert_int_equal(store_link_remove(dir, "curr"), 0);
	assert_int_equal(store_link_get(dir, "curr", &t), SSLM_ERR_NOTFOUND);
	assert_null(t);
	assert_int_equal(count_level(SSLM_LOG_ERR), 0);
	assert_int_equal(count_level(SSLM_LOG_WARN), 0);
}

static void
test_link_set_replaces(void **state)
{
	const char	*dir = P(state, ".");
	char		*t;

	assert_int_equal(store_link_set(dir, "next", "db/20260101-00:00:00"),
	    0);
	assert_int_equal(store_link_set(dir, "next", "db/20260202-00:00:00"),
	    0);
	assert_string_equal(raw_link(P(state, "next")),
	    "db/20260202-00:00:00");
	assert_int_equal(store_link_get(dir, "next", &t), 0);
	assert_string_equal(t, "20260202-00:00:00");
	free(t);
	assert_int_equal(count_temps(dir), 0);
	/* A stale temp link with our pid is replaced, not an error. */
	assert_int_equal(symlink("junk", P(state, "next.tmp.%ld",
	    (long)getpid())), 0);
	assert_int_equal(store_link_set(dir, "next", "db/20260303-00:00:00"),
	    0);
	assert_string_equal(raw_link(P(state, "next")),
	    "db/20260303-00:00:00");
	assert_int_equal(count_temps(dir), 0);
}

static void
test_link_not_a_symlink(void **state)
{
	const char	*dir = P(state, ".");
	char		*t, *msg;

	mkfile(P(state, "curr"), "not a link\n");
	assert_int_equal(store_link_get(dir, "curr", &t), SSLM_ERR_STATE);
	assert_null(t);
	msg = xasprintf("Warning %s/curr not a symlink", dir);
	assert_true(has_log(SSLM_LOG_WARN, msg));
	free(msg);
	/* link_remove will not delete a real file. */
	assert_int_equal(store_link_remove(dir, "curr"), SSLM_ERR_STATE);
	assert_content(P(state, "curr"), "not a link\n");
}

static void
test_link_get_upstream_forms(void **state)
{
	const char	*dir = P(state, ".");
	char		*t;

	assert_int_equal(symlink("db/20260407-12:07:39", P(state, "curr")),
	    0);
	assert_int_equal(symlink("/srv/certs/g/s/db/20260101-01:02:03",
	    P(state, "prev")), 0);
	assert_int_equal(symlink("db/20260202-02:03:04/", P(state, "next")),
	    0);
	assert_int_equal(store_link_get(dir, "curr", &t), 0);
	assert_string_equal(t, "20260407-12:07:39");
	free(t);
	assert_int_equal(store_link_get(dir, "prev", &t), 0);
	assert_string_equal(t, "20260101-01:02:03");
	free(t);
	assert_int_equal(store_link_get(dir, "next", &t), 0);
	assert_string_equal(t, "20260202-02:03:04");
	free(t);
}

static void
test_link_set_bad_args(void **state)
{
	assert_int_equal(store_link_set(P(state, "."), "a/b", "db/x"),
	    SSLM_ERR_USAGE);
	assert_int_equal(store_link_set(P(state, "."), "curr", ""),
	    SSLM_ERR_USAGE);
	assert_int_not_equal(store_link_set(P(state, "nodir"), "curr",
	    "db/x"), 0);
}

/* Tests: new next */

static void
test_new_next_creates(void **state)
{
	char	*name;

	umask(077);
	assert_int_equal(store_new_next(P(state, "g/s"), T0, &name), 0);
	assert_string_equal(name, D(T0));
	assert_int_equal(mode_of(P(state, "g/s/db")), 0750);
	assert_int_equal(mode_of(P(state, "g/s/db/%s", name)), 0750);
	assert_string_equal(raw_link(P(state, "g/s/next")),
	    DB(name));
	free(name);
}

static void
test_new_next_same_second(void **state)
{
	char	*a, *b, *c;

	assert_int_equal(store_new_next(P(state, "s"), T0, &a), 0);
	assert_int_equal(store_new_next(P(state, "s"), T0, &b), 0);
	/* Same second, still empty: reused, as upstream does. */
	assert_string_equal(a, b);
	/* Once it holds a key it is not handed out again. */
	mkfile(P(state, "s/db/%s/privkey.pem", b), "key");
	assert_int_equal(store_new_next(P(state, "s"), T0, &c), 0);
	assert_string_equal(c, D(T0 + 1));
	assert_link(state, "s", "next", c);
	assert_content(P(state, "s/db/%s/privkey.pem", a), "key");
	free(a);
	free(b);
	free(c);
}

static void
test_new_next_skips_curr_and_prev(void **state)
{
	char	*name;

	assert_int_equal(store_mkdir_p(P(state, "s/db/%s", D(T0)), 0750), 0);
	assert_int_equal(store_mkdir_p(P(state, "s/db/%s", D(T0 + 1)), 0750),
	    0);
	hand_link(state, "s", "curr", DB(D(T0)));
	hand_link(state, "s", "prev", DB(D(T0 + 1)));
	/* Both empty, but linked: never reused. */
	assert_int_equal(store_new_next(P(state, "s"), T0, &name), 0);
	assert_string_equal(name, D(T0 + 2));
	free(name);
}

static void
test_new_next_reuses_empty_leftover(void **state)
{
	char	*name;

	assert_int_equal(store_mkdir_p(P(state, "s/db/%s", D(T0)), 0750), 0);
	assert_int_equal(store_new_next(P(state, "s"), T0, &name), 0);
	assert_string_equal(name, D(T0));
	free(name);
	/* A non-empty leftover, or a file of that name, is skipped. */
	mkfile(P(state, "s/db/%s/junk", D(T0)), "x");
	mkfile(P(state, "s/db/%s", D(T0 + 1)), "x");
	assert_int_equal(store_new_next(P(state, "s"), T0, &name), 0);
	assert_string_equal(name, D(T0 + 2));
	free(name);
}

/* Tests: roll */

static void
test_roll_without_curr(void **state)
{
	char	*info;

	umask(077);
	make_db(state, "s", D(T0));
	hand_link(state, "s", "next", DB(D(T0)));
	assert_int_equal(store_roll(P(state, "s"), "mail-ec", T0 + 60), 0);
	assert_link(state, "s", "curr", D(T0));
	assert_link(state, "s", "next", NULL);
	assert_link(state, "s", "prev", NULL);
	info = xasprintf("# mail-ec rolled to curr : %s\n", D(T0 + 60));
	assert_content(P(state, "s/db/%s/info", D(T0)), info);
	free(info);
	assert_int_equal(mode_of(P(state, "s/db/%s/info", D(T0))), 0644);
	assert_string_equal(raw_link(P(state, "s/curr")),
	    DB(D(T0)));
	assert_tree_ok(state, "s");
}

/* curr -> A, prev -> P, next -> B: the usual tree before a roll. */
static void
make_rollable(void **state, const char *svc)
{

	make_db(state, svc, D(T0 - 100));
	make_db(state, svc, D(T0));
	make_db(state, svc, D(T0 + 100));
	hand_link(state, svc, "prev", DB(D(T0 - 100)));
	hand_link(state, svc, "curr", DB(D(T0)));
	hand_link(state, svc, "next", DB(D(T0 + 100)));
}

/* The tree after a complete roll of make_rollable(). */
static void
assert_rolled(void **state, const char *svc)
{
	char	*want;

	assert_link(state, svc, "curr", D(T0 + 100));
	assert_link(state, svc, "prev", D(T0));
	assert_link(state, svc, "next", NULL);
	assert_true(exists(P(state, "%s/db/%s/cert.pem", svc, D(T0 - 100))));
	want = xasprintf("# %s rolled to curr : ", strrchr(svc, '/') ?
	    strrchr(svc, '/') + 1 : svc);
	{
		char	*s = slurp(P(state, "%s/db/%s/info", svc,
		    D(T0 + 100)));

		assert_non_null(s);
		assert_true(str_has_prefix(s, want));
		assert_int_equal(strlen(s), strlen(want) + 18);
		s[strlen(s) - 1] = '\0';
		assert_true(store_is_date_name(s + strlen(want)));
		free(s);
	}
	free(want);
	assert_tree_ok(state, svc);
}

static void
test_roll_with_curr(void **state)
{
	make_rollable(state, "g/svc1");
	assert_int_equal(store_roll(P(state, "g/svc1"), "svc1", T0 + 200), 0);
	assert_rolled(state, "g/svc1");
	assert_string_equal(raw_link(P(state, "g/svc1/prev")),
	    DB(D(T0)));
	assert_int_equal(count_level(SSLM_LOG_ERR), 0);
	assert_int_equal(count_level(SSLM_LOG_WARN), 0);
}

static void
test_roll_missing_files(void **state)
{
	char	*msg;

	make_rollable(state, "s");
	assert_int_equal(unlink(P(state, "s/db/%s/cert.pem", D(T0 + 100))),
	    0);
	assert_int_equal(unlink(P(state, "s/db/%s/bundle.pem", D(T0 + 100))),
	    0);
	/* A symlinked file is not a file, as upstream's dir_list sees it. */
	assert_int_equal(unlink(P(state, "s/db/%s/chain.pem", D(T0 + 100))),
	    0);
	assert_int_equal(symlink("fullchain.pem", P(state, "s/db/%s/chain.pem",
	    D(T0 + 100))), 0);
	assert_int_equal(store_roll(P(state, "s"), "s", T0), SSLM_ERR_STATE);
	msg = xasprintf("Error next_to_curr: cert.pem missing from %s",
	    P(state, "s/next"));
	assert_true(has_log(SSLM_LOG_ERR, msg));
	free(msg);
	msg = xasprintf("Error next_to_curr: bundle.pem missing from %s",
	    P(state, "s/next"));
	assert_true(has_log(SSLM_LOG_ERR, msg));
	free(msg);
	assert_int_equal(count_level(SSLM_LOG_ERR), 3);
	/* Nothing moved. */
	assert_link(state, "s", "curr", D(T0));
	assert_link(state, "s", "prev", D(T0 - 100));
	assert_link(state, "s", "next", D(T0 + 100));
}

static void
test_roll_without_next(void **state)
{
	char	*msg;

	make_db(state, "s", D(T0));
	assert_int_equal(store_roll(P(state, "s"), "s", T0), SSLM_ERR_STATE);
	assert_int_equal(count_level(SSLM_LOG_ERR), NREQUIRED);
	msg = xasprintf("Error next_to_curr: privkey.pem missing from %s",
	    P(state, "s/next"));
	assert_true(has_log(SSLM_LOG_ERR, msg));
	free(msg);
	assert_false(exists(P(state, "s/curr")));
}

static void
test_roll_next_outside_db(void **state)
{
	make_db(state, "other", "x");
	assert_int_equal(store_mkdir_p(P(state, "s"), 0750), 0);
	hand_link(state, "s", "next", "../other/db/x");
	assert_int_equal(store_roll(P(state, "s"), "s", T0), SSLM_ERR_STATE);
	assert_false(exists(P(state, "s/curr")));
	assert_true(is_link(P(state, "s/next")));
}

static void
test_roll_upstream_tree(void **state)
{
	char	*name;

	/* Exactly what upstream leaves: relative links made by symlink(). */
	make_db(state, "g/s", "20260101-00:00:00");
	make_db(state, "g/s", "20260407-12:07:39");
	hand_link(state, "g/s", "curr", "db/20260101-00:00:00");
	hand_link(state, "g/s", "next", "db/20260407-12:07:39");
	assert_int_equal(store_roll(P(state, "g/s"), "s", T0), 0);
	assert_string_equal(raw_link(P(state, "g/s/curr")),
	    "db/20260407-12:07:39");
	assert_string_equal(raw_link(P(state, "g/s/prev")),
	    "db/20260101-00:00:00");
	assert_false(exists(P(state, "g/s/next")));
	/* And a renew on it. */
	assert_int_equal(store_new_next(P(state, "g/s"), T0, &name), 0);
	assert_true(store_is_date_name(name));
	assert_string_not_equal(name, "20260407-12:07:39");
	free(name);
}

static void
test_roll_finishes_interrupted(void **state)
{

	/* Left by a roll stopped after step 2: curr == next. */
	make_rollable(state, "s");
	assert_int_equal(unlink(P(state, "s/curr")), 0);
	assert_int_equal(unlink(P(state, "s/prev")), 0);
	hand_link(state, "s", "prev", DB(D(T0)));
	hand_link(state, "s", "curr", DB(D(T0 + 100)));
	assert_int_equal(store_roll(P(state, "s"), "s", T0 + 200), 0);
	/* prev must still be the old curr, not the new one. */
	assert_rolled(state, "s");
}

static void
test_roll_dangling_curr(void **state)
{
	make_db(state, "s", D(T0));
	make_db(state, "s", "p");
	hand_link(state, "s", "prev", "db/p");
	hand_link(state, "s", "curr", "db/gone");
	assert_int_equal(store_link_set(P(state, "s"), "next",
	    DB(D(T0))), 0);
	assert_int_equal(store_roll(P(state, "s"), "s", T0), 0);
	/* As upstream: a curr that resolves to nothing is not kept. */
	assert_link(state, "s", "prev", "p");
	assert_link(state, "s", "curr", D(T0));
}

/* Tests: recover */

static void
test_recover_noop(void **state)
{
	int	 fixed = -1;

	make_rollable(state, "s");
	assert_int_equal(store_recover(P(state, "s"), &fixed), 0);
	assert_int_equal(fixed, 0);
	assert_int_equal(count_level(SSLM_LOG_WARN), 0);
	assert_int_equal(store_recover(P(state, "absent"), &fixed), 0);
	assert_int_equal(fixed, 0);
}

static void
test_recover_curr_equals_next(void **state)
{
	int	 fixed = 0;
	char	*msg;

	make_rollable(state, "g/svc1");
	assert_int_equal(unlink(P(state, "g/svc1/curr")), 0);
	hand_link(state, "g/svc1", "curr", DB(D(T0 + 100)));
	assert_int_equal(unlink(P(state, "g/svc1/prev")), 0);
	hand_link(state, "g/svc1", "prev", DB(D(T0)));
	assert_int_equal(store_recover(P(state, "g/svc1"), &fixed), 0);
	assert_int_equal(fixed, 1);
	msg = xasprintf("%s: finished an interrupted roll",
	    P(state, "g/svc1"));
	assert_true(has_log(SSLM_LOG_WARN, msg));
	free(msg);
	assert_rolled(state, "g/svc1");
}

static void
test_recover_removes_dead_temps_only(void **state)
{
	int	 fixed = 0, status;
	pid_t	 dead;
	char	*mine;

	if ((dead = fork()) == 0)
		_exit(0);
	assert_int_equal(waitpid(dead, &status, 0), dead);
	make_rollable(state, "s");
	mkfile(P(state, "s/db/%s/cert.pem.tmp.%ld", D(T0 + 100),
	    (long)dead), "half");
	assert_int_equal(symlink("db/x", P(state, "s/next.tmp.%ld",
	    (long)dead)), 0);
	mkfile(P(state, "s/db/info.tmp.%ld", (long)getpid()), "stale mine");
	/* Alive (our parent), not a pid, or a directory: all kept. */
	mkfile(P(state, "s/curr.tmp.%ld", (long)getppid()), "live");
	mkfile(P(state, "s/db/%s/x.tmp.abc", D(T0)), "not a pid");
	assert_int_equal(mkdir(P(state, "s/d.tmp.%ld", (long)dead), 0750), 0);
	assert_int_equal(store_recover(P(state, "s"), &fixed), 0);
	assert_int_equal(fixed, 3);
	assert_int_equal(count_level(SSLM_LOG_WARN), 3);
	assert_false(exists(P(state, "s/db/%s/cert.pem.tmp.%ld", D(T0 + 100),
	    (long)dead)));
	assert_false(exists(P(state, "s/next.tmp.%ld", (long)dead)));
	assert_false(exists(P(state, "s/db/info.tmp.%ld", (long)getpid())));
	assert_true(exists(P(state, "s/curr.tmp.%ld", (long)getppid())));
	assert_true(exists(P(state, "s/db/%s/x.tmp.abc", D(T0))));
	assert_true(exists(P(state, "s/d.tmp.%ld", (long)dead)));
	mine = xasprintf("%s/cert.pem.tmp.%ld: removed a temporary left by "
	    "an interrupted run", P(state, "s/db/%s", D(T0 + 100)),
	    (long)dead);
	assert_true(has_log(SSLM_LOG_WARN, mine));
	free(mine);
}

/* Tests: clean */

/* db dirs D(T0 + 60 i), i = 1..6, with mtime T0 + 60 i. */
static void
make_history(void **state, const char *svc)
{
	for (int i = 1; i <= 6; i++) {
		make_db(state, svc, D(T0 + 60 * i));
		set_mtime(P(state, "%s/db/%s", svc, D(T0 + 60 * i)),
		    T0 + 60 * i);
	}
}

static void
test_clean_keeps_newest_and_linked(void **state)
{
	int	 removed = -1;
	char	*l;

	make_history(state, "s");
	hand_link(state, "s", "prev", DB(D(T0 + 60)));
	hand_link(state, "s", "curr", DB(D(T0 + 120)));
	assert_int_equal(store_clean(P(state, "s"), 2, &removed), 0);
	assert_int_equal(removed, 2);
	/* Linked (oldest) ones stay, plus the 2 newest candidates. */
	assert_true(exists(P(state, "s/db/%s", D(T0 + 60))));
	assert_true(exists(P(state, "s/db/%s", D(T0 + 120))));
	assert_false(exists(P(state, "s/db/%s", D(T0 + 180))));
	assert_false(exists(P(state, "s/db/%s", D(T0 + 240))));
	assert_true(exists(P(state, "s/db/%s", D(T0 + 300))));
	assert_true(exists(P(state, "s/db/%s", D(T0 + 360))));
	l = xasprintf("    %s", P(state, "s/db/%s", D(T0 + 180)));
	assert_true(has_log(SSLM_LOG_INFO, l));
	free(l);
	assert_tree_ok(state, "s");
}

static void
test_clean_orders_by_mtime(void **state)
{
	int	 removed = -1;

	make_history(state, "s");
	/* The oldest name was touched last: it counts as newest. */
	set_mtime(P(state, "s/db/%s", D(T0 + 60)), T0 + 9999);
	assert_int_equal(store_clean(P(state, "s"), 1, &removed), 0);
	assert_int_equal(removed, 5);
	assert_true(exists(P(state, "s/db/%s", D(T0 + 60))));
	for (int i = 2; i <= 6; i++)
		assert_false(exists(P(state, "s/db/%s", D(T0 + 60 * i))));
}

static void
test_clean_never_removes_linked(void **state)
{
	int	 removed = -1;

	make_history(state, "s");
	hand_link(state, "s", "prev", DB(D(T0 + 60)));
	hand_link(state, "s", "curr", DB(D(T0 + 120)));
	/* Upstream-style absolute next still protects its dir. */
	hand_link(state, "s", "next", P(state, "s/db/%s", D(T0 + 180)));
	assert_int_equal(store_clean(P(state, "s"), 0, &removed), 0);
	assert_int_equal(removed, 2);
	assert_true(exists(P(state, "s/db/%s", D(T0 + 60))));
	assert_true(exists(P(state, "s/db/%s", D(T0 + 120))));
	assert_true(exists(P(state, "s/db/%s", D(T0 + 180))));
	/* keep 0 is keep 1: the newest candidate stays. */
	assert_true(exists(P(state, "s/db/%s", D(T0 + 360))));
	assert_false(exists(P(state, "s/db/%s", D(T0 + 300))));
	assert_false(exists(P(state, "s/db/%s", D(T0 + 240))));
	assert_tree_ok(state, "s");
}

static void
test_clean_unexpected_kept(void **state)
{
	int	 removed = -1;
	char	*msg;

	make_history(state, "s");
	assert_int_equal(mkdir(P(state, "s/db/junk"), 0750), 0);
	mkfile(P(state, "s/db/notes.txt"), "mine");
	assert_int_equal(symlink("..", P(state, "s/db/%s", D(T0 + 9000))),
	    0);
	assert_int_equal(store_clean(P(state, "s"), 3, &removed), 0);
	assert_int_equal(removed, 3);
	msg = xasprintf("Unexpected dir %s", P(state, "s/db/junk"));
	assert_true(has_log(SSLM_LOG_INFO, msg));
	free(msg);
	assert_true(exists(P(state, "s/db/junk")));
	assert_true(exists(P(state, "s/db/notes.txt")));
	assert_true(is_link(P(state, "s/db/%s", D(T0 + 9000))));
	assert_true(exists(P(state, "s")));
}

static void
test_clean_nothing_to_do(void **state)
{
	int	 removed = -1;

	assert_int_equal(store_clean(P(state, "absent"), 3, &removed), 0);
	assert_int_equal(removed, 0);
	make_history(state, "s");
	assert_int_equal(store_clean(P(state, "s"), 6, &removed), 0);
	assert_int_equal(removed, 0);
	assert_false(has_log_prefix(SSLM_LOG_INFO, "Cleaning"));
}

/* Tests: crashes at the fault points */

static void
child_roll(void **state, const char *svc)
{
	/* Reached only when the fault did not fire. */
	_exit(store_roll(P(state, "%s", svc), "svc1", T0 + 200) == 0 ? 0 : 1);
}

static void
child_write(void **state, const char *path)
{
	(void)state;
	_exit(store_write_file(path, "NEW\n", 4, STORE_FILE_MODE) == 0 ? 0 : 1);
}

static void
child_new_next(void **state, const char *svc)
{
	char	*name = NULL;

	_exit(store_new_next(P(state, "%s", svc), T0, &name) == 0 ? 0 : 1);
}

/*
 * Crashes a roll of make_rollable() at point; checks what was left
 * (curr_then: curr's target right after the crash), recovers (expecting
 * `repairs`), and checks the invariants and that a roll completes.
 */
static void
crash_roll(void **state, const char *point, time_t curr_then, int repairs)
{
	const char	*svc = "g/svc1";
	int		 fixed = -1;

	make_rollable(state, svc);
	assert_int_equal(crash_at(point, child_roll, state, svc), 99);
	assert_link(state, svc, "curr", D(curr_then));
	assert_link(state, svc, "next", D(T0 + 100));
	assert_int_equal(store_recover(P(state, "%s", svc), &fixed), 0);
	assert_int_equal(fixed, repairs);
	assert_tree_ok(state, svc);
	/* Nothing lost: all three db dirs and their files are there. */
	for (int i = -1; i <= 1; i++)
		for (size_t j = 0; j < NREQUIRED; j++)
			assert_true(exists(P(state, "%s/db/%s/%s", svc,
			    D(T0 + 100 * i), required[j])));
	if (exists(P(state, "%s/next", svc)))
		assert_int_equal(store_roll(P(state, "%s", svc), "svc1",
		    T0 + 300), 0);
	assert_rolled(state, svc);
}

static void
test_crash_roll_in_prev_link(void **state)
{
	NEED_FAULTS();
	/* Dies with prev.tmp.<pid> made: recover removes it. */
	crash_roll(state, "link:before-rename", T0, 1);
	assert_link(state, "g/svc1", "prev", D(T0));
}

static void
test_crash_roll_after_prev(void **state)
{
	NEED_FAULTS();
	/* prev == curr, next intact: a valid tree; roll again. */
	crash_roll(state, "roll:after-prev", T0, 0);
}

static void
test_crash_roll_after_curr(void **state)
{
	NEED_FAULTS();
	crash_roll(state, "roll:after-curr", T0 + 100, 1);
	assert_true(has_log_prefix(SSLM_LOG_WARN, P(state, "g/svc1")));
}

static void
test_crash_roll_in_info_write(void **state)
{
	NEED_FAULTS();
	/* info.tmp.<pid> left in the new curr; the roll is finished. */
	crash_roll(state, "write:before-rename", T0 + 100, 2);
}

static void
test_crash_roll_after_info(void **state)
{
	NEED_FAULTS();
	crash_roll(state, "roll:after-info", T0 + 100, 1);
}

static void
test_crash_write_keeps_old(void **state)
{
	const char	*path = P(state, "s/db/x/cert.pem");
	int		 fixed = -1;

	NEED_FAULTS();
	assert_int_equal(store_mkdir_p(P(state, "s/db/x"), 0750), 0);
	mkfile(path, "OLD\n");
	assert_int_equal(crash_at("write:before-rename", child_write, state,
	    path), 99);
	assert_content(path, "OLD\n");
	assert_int_equal(count_temps(P(state, "s")), 1);
	assert_int_equal(store_recover(P(state, "s"), &fixed), 0);
	assert_int_equal(fixed, 1);
	assert_int_equal(count_temps(P(state, "s")), 0);
	assert_content(path, "OLD\n");
}

static void
test_fault_return_write(void **state)
{
	const char	*path = P(state, "f");

	NEED_FAULTS();
	mkfile(path, "OLD\n");
	setenv("SSLM_FAULT", "write:before-rename", 1);
	assert_int_equal(store_write_file(path, "NEW\n", 4, STORE_FILE_MODE),
	    SSLM_ERR_FAULT);
	unsetenv("SSLM_FAULT");
	assert_content(path, "OLD\n");
	assert_int_equal(count_temps(P(state, ".")), 0);
	assert_true(has_log(SSLM_LOG_ERR,
	    "write:before-rename: injected fault"));
}

static void
test_fault_return_roll_then_roll(void **state)
{
	NEED_FAULTS();
	make_rollable(state, "g/svc1");
	setenv("SSLM_FAULT", "roll:after-curr", 1);
	assert_int_equal(store_roll(P(state, "g/svc1"), "svc1", T0),
	    SSLM_ERR_FAULT);
	unsetenv("SSLM_FAULT");
	/* No recover: the next roll alone must finish it correctly. */
	assert_int_equal(store_roll(P(state, "g/svc1"), "svc1", T0), 0);
	assert_rolled(state, "g/svc1");
}

static void
test_crash_new_next_after_mkdir(void **state)
{
	char	*name;
	int	 fixed = -1;

	NEED_FAULTS();
	assert_int_equal(crash_at("next:after-mkdir", child_new_next, state,
	    "s"), 99);
	assert_true(exists(P(state, "s/db/%s", D(T0))));
	assert_false(exists(P(state, "s/next")));
	assert_int_equal(store_recover(P(state, "s"), &fixed), 0);
	assert_int_equal(fixed, 0);
	/* The empty orphan is simply reused. */
	assert_int_equal(store_new_next(P(state, "s"), T0, &name), 0);
	assert_string_equal(name, D(T0));
	assert_link(state, "s", "next", D(T0));
	free(name);
}

static void
test_crash_new_next_in_link(void **state)
{
	int	 fixed = -1;
	char	*name;

	NEED_FAULTS();
	assert_int_equal(store_new_next(P(state, "s"), T0 - 50, &name), 0);
	free(name);
	assert_int_equal(crash_at("link:before-rename", child_new_next,
	    state, "s"), 99);
	/* The old next still stands. */
	assert_link(state, "s", "next", D(T0 - 50));
	assert_int_equal(store_recover(P(state, "s"), &fixed), 0);
	assert_int_equal(fixed, 1);
	assert_int_equal(count_temps(P(state, "s")), 0);
}

/* Tests: lock */

/*
 * Forks a child that takes the lock as `what` and reports on a pipe,
 * then (hold_ms < 0) holds it until killed, or releases it after hold_ms
 * and sleeps until killed.  Returns the child's pid once it holds it.
 */
static pid_t
lock_child(const char *topdir, const char *what, int hold_ms)
{
	struct sslm_lock	*lk;
	char			*holder, c = 0;
	int			 p[2];
	pid_t			 pid;

	assert_int_equal(pipe(p), 0);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		close(p[0]);
		if (sslm_lock_take(topdir, what, 0, &lk, &holder) != 0)
			_exit(1);
		c = 'y';
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		if (hold_ms >= 0) {
			struct timespec	 ts = { hold_ms / 1000,
			    (hold_ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
			sslm_lock_release(lk);
		}
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	close(p[0]);
	return pid;
}

static void
reap(pid_t pid)
{
	int	 status;

	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000L +
	    (t.tv_nsec - t0->tv_nsec) / 1000000L;
}

static void
test_lock_take_release(void **state)
{
	struct sslm_lock	*lk;
	char			*holder, *want;
	const char		*path = P(state, ".sslm.lock");
	struct stat		 st;

	umask(0);
	assert_int_equal(sslm_lock_take(P(state, "."), "ssl-mgr -renew", 0,
	    &lk, &holder), 0);
	assert_non_null(lk);
	assert_null(holder);
	assert_int_equal(mode_of(path), 0600);
	want = slurp(path);
	assert_holder(want, (long)getpid(), "ssl-mgr -renew\n");
	free(want);
	sslm_lock_release(lk);
	/* Kept (see lock.c), but empty. */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	sslm_lock_release(NULL);
	/* Free again. */
	assert_int_equal(sslm_lock_take(P(state, "."), "again", 0, &lk,
	    &holder), 0);
	sslm_lock_release(lk);
}

static void
test_lock_same_process_twice(void **state)
{
	struct sslm_lock	*a, *b;
	char			*holder;

	assert_int_equal(sslm_lock_take(P(state, "."), "first", 0, &a,
	    &holder), 0);
	assert_int_equal(sslm_lock_take(P(state, "."), "second", 0, &b,
	    &holder), SSLM_ERR_LOCKED);
	assert_null(b);
	assert_holder(holder, (long)getpid(), "first");
	free(holder);
	sslm_lock_release(a);
}

static void
test_lock_two_processes_kill(void **state)
{
	struct sslm_lock	*lk;
	char			*holder;
	pid_t			 pid;

	pid = lock_child(P(state, "."), "ssl-mgr -renew", -1);
	assert_int_equal(sslm_lock_take(P(state, "."), "ssl-mgr -roll", 0,
	    &lk, &holder), SSLM_ERR_LOCKED);
	assert_null(lk);
	assert_holder(holder, (long)pid, "ssl-mgr -renew");
	free(holder);
	/* A killed holder frees the lock: flock dies with it. */
	reap(pid);
	assert_int_equal(sslm_lock_take(P(state, "."), "ssl-mgr -roll", 0,
	    &lk, &holder), 0);
	sslm_lock_release(lk);
}

static void
test_lock_wait_until_released(void **state)
{
	struct sslm_lock	*lk;
	struct timespec		 t0;
	char			*holder;
	pid_t			 pid;

	pid = lock_child(P(state, "."), "slow", 300);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(sslm_lock_take(P(state, "."), "waiter", 5, &lk,
	    &holder), 0);
	assert_true(ms_since(&t0) < 4000);
	sslm_lock_release(lk);
	reap(pid);
}

static void
test_lock_wait_times_out(void **state)
{
	struct sslm_lock	*lk;
	struct timespec		 t0;
	char			*holder;
	pid_t			 pid;
	long			 ms;

	pid = lock_child(P(state, "."), "forever", -1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(sslm_lock_take(P(state, "."), "waiter", 1, &lk,
	    &holder), SSLM_ERR_LOCKED);
	ms = ms_since(&t0);
	assert_true(ms >= 900 && ms < 5000);
	assert_non_null(holder);
	free(holder);
	reap(pid);
}

static void
test_lock_unknown_holder(void **state)
{
	struct sslm_lock	*lk;
	char			*holder;
	int			 fd;

	/* Locked by something that wrote nothing (or junk). */
	fd = open(P(state, ".sslm.lock"), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_int_not_equal(fd, -1);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	assert_int_equal(sslm_lock_take(P(state, "."), "x", 0, &lk, &holder),
	    SSLM_ERR_LOCKED);
	assert_string_equal(holder, "unknown");
	free(holder);
	assert_int_equal(write(fd, " pid 1 \x1b[2J\n", 12), 12);
	assert_int_equal(sslm_lock_take(P(state, "."), "x", 0, &lk, &holder),
	    SSLM_ERR_LOCKED);
	assert_string_equal(holder, "pid 1 ?[2J");
	free(holder);
	close(fd);
}

static void
test_lock_missing_topdir(void **state)
{
	struct sslm_lock	*lk;
	char			*holder;

	assert_int_equal(sslm_lock_take(P(state, "nope"), "x", 0, &lk,
	    &holder), SSLM_ERR_NOTFOUND);
	assert_null(lk);
	assert_null(holder);
	assert_int_equal(count_level(SSLM_LOG_ERR), 1);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_date_name_is_local_strftime),
		T(test_is_date_name),
		T(test_write_key_mode_under_umask_0),
		T(test_write_file_mode_under_umask_077),
		T(test_write_replaces_content_and_mode),
		T(test_write_creates_parents_0750),
		T(test_write_fails_when_parent_is_file),
		T(test_write_fails_on_rename_leaves_no_temp),
		T(test_write_rejects_dir_name),
		T(test_write_over_stale_own_temp),
		T(test_write_empty_and_large),
		T(test_copy_keeps_mtime_sets_mode),
		T(test_copy_missing_source),
		T(test_mkdir_p_modes_and_existing),
		T(test_mkdir_p_component_is_file),
		T(test_rmtree_stays_inside),
		T(test_rmtree_absent_link_and_slash),
		T(test_link_set_get_remove),
		T(test_link_set_replaces),
		T(test_link_not_a_symlink),
		T(test_link_get_upstream_forms),
		T(test_link_set_bad_args),
		T(test_new_next_creates),
		T(test_new_next_same_second),
		T(test_new_next_skips_curr_and_prev),
		T(test_new_next_reuses_empty_leftover),
		T(test_roll_without_curr),
		T(test_roll_with_curr),
		T(test_roll_missing_files),
		T(test_roll_without_next),
		T(test_roll_next_outside_db),
		T(test_roll_upstream_tree),
		T(test_roll_finishes_interrupted),
		T(test_roll_dangling_curr),
		T(test_recover_noop),
		T(test_recover_curr_equals_next),
		T(test_recover_removes_dead_temps_only),
		T(test_clean_keeps_newest_and_linked),
		T(test_clean_orders_by_mtime),
		T(test_clean_never_removes_linked),
		T(test_clean_unexpected_kept),
		T(test_clean_nothing_to_do),
		T(test_crash_roll_in_prev_link),
		T(test_crash_roll_after_prev),
		T(test_crash_roll_after_curr),
		T(test_crash_roll_in_info_write),
		T(test_crash_roll_after_info),
		T(test_crash_write_keeps_old),
		T(test_fault_return_write),
		T(test_fault_return_roll_then_roll),
		T(test_crash_new_next_after_mkdir),
		T(test_crash_new_next_in_link),
		T(test_lock_take_release),
		T(test_lock_same_process_twice),
		T(test_lock_two_processes_kill),
		T(test_lock_wait_until_released),
		T(test_lock_wait_times_out),
		T(test_lock_unknown_holder),
		T(test_lock_missing_topdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
