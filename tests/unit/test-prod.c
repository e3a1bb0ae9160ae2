/*
 * test-prod.c - unit tests of the production tree (prod.c,
 * prod-remote.c): the integrity check's drift lines, the local sync
 * (modes, mtimes, CA keys kept out, skip when identical, debug, leftovers,
 * the atomic per-service swap watched by a concurrent reader process),
 * the remote rsync copies through a fake rsync first in PATH, and
 * post_copy_cmd.
 *
 * Every test works in its own mkdtemp(3) directory.  Child processes
 * never call cmocka: they report through their exit status.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "log.h"
#include "prod.h"
#include "store.h"

#define D1	"20260101-10:00:00"
#define D2	"20260301-10:00:00"
#define T_CERT	((time_t)1767261600)	/* mtime given to cert.pem */

struct fx {
	char			*dir;
	char			*certs;
	char			*prod;
	char			*bin;
	char			*rec;
	char			*oldpath;
	struct prod_scope	 scope[3];
	size_t			 n;
	struct sslm_config	 cfg;
	struct strlist		 paths;
};

static struct strlist	 logged;

static void
sink(void *ctx, enum sslm_level lvl, const char *msg)
{
	(void)ctx;
	(void)lvl;
	strlist_add(&logged, msg);
}

static bool
logged_has(const char *sub)
{
	size_t	 i;

	for (i = 0; i < logged.n; i++)
		if (strstr(logged.v[i], sub) != NULL)
			return true;
	return false;
}

/* A path under the test dir, freed at teardown. */
static const char *P(struct fx *, const char *, ...) SSLM_PRINTF(2, 3);

static const char *
P(struct fx *f, const char *fmt, ...)
{
	va_list	 ap;
	char	*rel, *p;

	va_start(ap, fmt);
	rel = xvasprintf(fmt, ap);
	va_end(ap);
	p = path_join(f->dir, rel);
	free(rel);
	strlist_add_nodup(&f->paths, p);
	return p;
}

static void
put(const char *path, const char *text, mode_t mode)
{
	assert_int_equal(store_write_file(path, text, strlen(text), mode), 0);
}

static char *
slurp(const char *path)
{
	char	*s = NULL;

	assert_int_equal(read_file(path, 1 << 20, &s, NULL), 0);
	return s;
}

static void
assert_file(const char *path, const char *want)
{
	char	*s = slurp(path);

	assert_string_equal(s, want);
	free(s);
}

static mode_t
mode_of(const char *path)
{
	struct stat	 st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

static bool
exists(const char *path)
{
	struct stat	 st;

	return lstat(path, &st) == 0;
}

static ino_t
ino_of(const char *path)
{
	struct stat	 st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_ino;
}

/* A db dir whose every file names tag, so that mixes are visible. */
static void
make_db(struct fx *f, const char *grp, const char *svc, const char *date,
    const char *tag)
{
	static const char *const names[] = { "cert.pem", "csr.pem",
	    "chain.pem", "fullchain.pem", "tlsa.rr", "info" };
	struct timespec	 ts[2] = { { T_CERT, 0 }, { T_CERT, 0 } };
	const char	*db;
	size_t		 i;
	char		*s;

	db = P(f, "certs/%s/%s/db/%s", grp, svc, date);
	s = xasprintf("KEY %s\n", tag);
	put(P(f, "certs/%s/%s/db/%s/privkey.pem", grp, svc, date), s, 0600);
	free(s);
	s = xasprintf("KEY %s\nCERT %s\n", tag, tag);
	put(P(f, "certs/%s/%s/db/%s/bundle.pem", grp, svc, date), s, 0600);
	free(s);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		s = xasprintf("%s %s\n", names[i], tag);
		put(P(f, "certs/%s/%s/db/%s/%s", grp, svc, date, names[i]),
		    s, 0644);
		free(s);
	}
	s = path_join(db, "cert.pem");
	assert_int_equal(utimensat(AT_FDCWD, s, ts, 0), 0);
	free(s);
}

static void
link_to(struct fx *f, const char *grp, const char *svc, const char *which,
    const char *date)
{
	const char	*svcdir = P(f, "certs/%s/%s", grp, svc);
	char		*t;

	if (date == NULL) {
		assert_int_equal(store_link_remove(svcdir, which), 0);
		return;
	}
	t = xasprintf("db/%s", date);
	assert_int_equal(store_link_set(svcdir, which, t), 0);
	free(t);
}

static const char tlsa_text[] =
    ";;\n;; TLSA example.com : phase = normal\n;;\n"
    "_25._tcp.example.com. 1800  IN TLSA 3 1 1 abcd\n\n";

/*
 * The standard tree: example.com/web (curr D1, next D2), example.com/mail
 * (curr D1), ca/root (curr D1), tlsa.example.com.
 */
static int
setup(void **state)
{
	struct fx	*f = xcalloc(1, sizeof(*f));
	char		 tmpl[] = "/tmp/sslm-prod-XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return -1;
	f->dir = xstrdup(tmpl);
	f->certs = path_join(f->dir, "certs");
	f->prod = path_join(f->dir, "prod");
	f->bin = path_join(f->dir, "bin");
	f->rec = path_join(f->dir, "rec");
	make_db(f, "example.com", "web", D1, "web-D1");
	make_db(f, "example.com", "web", D2, "web-D2");
	make_db(f, "example.com", "mail", D1, "mail-D1");
	make_db(f, "ca", "root", D1, "root-D1");
	link_to(f, "example.com", "web", "curr", D1);
	link_to(f, "example.com", "web", "next", D2);
	link_to(f, "example.com", "mail", "curr", D1);
	link_to(f, "ca", "root", "curr", D1);
	put(P(f, "certs/example.com/tlsa.example.com"), tlsa_text, 0644);
	f->scope[0].grp = "example.com";
	strlist_add(&f->scope[0].svcs, "web");
	strlist_add(&f->scope[0].svcs, "mail");
	f->scope[1].grp = "ca";
	strlist_add(&f->scope[1].svcs, "root");
	f->n = 2;
	f->oldpath = xstrdup(getenv("PATH"));
	strlist_clear(&logged);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;
	char		*argv[] = { "rm", "-rf", f->dir, NULL };
	pid_t		 pid;
	size_t		 i;
	int		 st;

	if ((pid = fork()) == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	setenv("PATH", f->oldpath, 1);
	for (i = 0; i < 3; i++)
		strlist_clear(&f->scope[i].svcs);
	strlist_clear(&f->cfg.ssh_opts);
	for (i = 0; i < SSLM_SRV__MAX; i++)
		strlist_clear(&f->cfg.servers[i].servers);
	strlist_clear(&f->paths);
	strlist_clear(&logged);
	free(f->dir);
	free(f->certs);
	free(f->prod);
	free(f->bin);
	free(f->rec);
	free(f->oldpath);
	free(f);
	return 0;
}

static int
sync_ok(struct fx *f, bool debug)
{
	bool	 changed = false;

	assert_int_equal(prod_sync(&f->cfg, f->certs, f->prod, f->scope,
	    f->n, debug, &changed), 0);
	return changed;
}

static void
assert_no_drift(struct fx *f)
{
	struct strlist	 drift = { 0 };
	size_t		 i;

	assert_int_equal(prod_check(&f->cfg, f->certs, f->prod, f->scope,
	    f->n, false, &drift), 0);
	for (i = 0; i < drift.n; i++)
		print_error("unexpected drift: %s\n", drift.v[i]);
	assert_int_equal(drift.n, 0);
	strlist_clear(&drift);
}

/* Sync */

static void
test_sync_fresh(void **state)
{
	struct fx	*f = *state;
	struct stat	 st;

	assert_true(sync_ok(f, false));
	assert_int_equal(mode_of(f->prod), 0750);
	assert_int_equal(mode_of(P(f, "prod/example.com")), 0750);
	assert_int_equal(mode_of(P(f, "prod/example.com/web")), 0750);
	assert_int_equal(mode_of(P(f, "prod/example.com/web/curr")), 0750);
	assert_int_equal(mode_of(P(f, "prod/example.com/web/next")), 0750);
	assert_file(P(f, "prod/example.com/web/curr/privkey.pem"),
	    "KEY web-D1\n");
	assert_file(P(f, "prod/example.com/web/next/cert.pem"),
	    "cert.pem web-D2\n");
	assert_file(P(f, "prod/example.com/web/curr/info"), "info web-D1\n");
	assert_file(P(f, "prod/example.com/web/curr/tlsa.rr"),
	    "tlsa.rr web-D1\n");
	assert_int_equal(mode_of(P(f, "prod/example.com/web/curr/privkey.pem")),
	    0600);
	assert_int_equal(mode_of(P(f, "prod/example.com/web/curr/bundle.pem")),
	    0600);
	assert_int_equal(mode_of(P(f, "prod/example.com/web/curr/cert.pem")),
	    0644);
	assert_int_equal(mode_of(P(f, "prod/example.com/web/curr/info")),
	    0644);
	assert_int_equal(lstat(P(f, "prod/example.com/web/curr/cert.pem"),
	    &st), 0);
	assert_int_equal(st.st_mtim.tv_sec, T_CERT);
	assert_false(exists(P(f, "prod/example.com/mail/next")));
	assert_file(P(f, "prod/example.com/tlsa.example.com"), tlsa_text);
	assert_int_equal(mode_of(P(f, "prod/example.com/tlsa.example.com")),
	    0644);
	/* CA: certificates yes, private keys never. */
	assert_file(P(f, "prod/ca/root/curr/cert.pem"), "cert.pem root-D1\n");
	assert_false(exists(P(f, "prod/ca/root/curr/privkey.pem")));
	assert_false(exists(P(f, "prod/ca/root/curr/bundle.pem")));
	assert_no_drift(f);
}

static void
test_sync_identical_skipped(void **state)
{
	struct fx	*f = *state;
	ino_t		 web, key;

	assert_true(sync_ok(f, false));
	web = ino_of(P(f, "prod/example.com/web"));
	key = ino_of(P(f, "prod/example.com/web/curr/privkey.pem"));
	assert_false(sync_ok(f, false));
	assert_int_equal(ino_of(P(f, "prod/example.com/web")), web);
	assert_int_equal(ino_of(P(f, "prod/example.com/web/curr/privkey.pem")),
	    key);
}

/* A roll: next becomes curr, next goes; the service dir is replaced. */
static void
test_sync_roll(void **state)
{
	struct fx	*f = *state;
	struct strlist	 names = { 0 };
	ino_t		 web, mail;

	assert_true(sync_ok(f, false));
	web = ino_of(P(f, "prod/example.com/web"));
	mail = ino_of(P(f, "prod/example.com/mail"));
	link_to(f, "example.com", "web", "curr", D2);
	link_to(f, "example.com", "web", "next", NULL);
	assert_true(sync_ok(f, false));
	assert_int_not_equal(ino_of(P(f, "prod/example.com/web")), web);
	assert_int_equal(ino_of(P(f, "prod/example.com/mail")), mail);
	assert_file(P(f, "prod/example.com/web/curr/privkey.pem"),
	    "KEY web-D2\n");
	assert_file(P(f, "prod/example.com/web/curr/cert.pem"),
	    "cert.pem web-D2\n");
	assert_false(exists(P(f, "prod/example.com/web/next")));
	/* Nothing left beside the services. */
	assert_int_equal(list_subdirs(P(f, "prod/example.com"), &names), 0);
	assert_int_equal(names.n, 2);
	assert_string_equal(names.v[0], "mail");
	assert_string_equal(names.v[1], "web");
	strlist_clear(&names);
	assert_no_drift(f);
}

static void
test_sync_debug(void **state)
{
	struct fx	*f = *state;

	assert_true(sync_ok(f, true));
	assert_false(exists(f->prod));
	assert_true(logged_has("debug: "));
	assert_true(sync_ok(f, false));
	link_to(f, "example.com", "web", "curr", D2);
	link_to(f, "example.com", "web", "next", NULL);
	put(P(f, "certs/example.com/tlsa.example.com"), "x 1 1 1 ff\n",
	    0644);
	assert_true(sync_ok(f, true));
	assert_file(P(f, "prod/example.com/web/curr/cert.pem"),
	    "cert.pem web-D1\n");
	assert_true(exists(P(f, "prod/example.com/web/next")));
	assert_file(P(f, "prod/example.com/tlsa.example.com"), tlsa_text);
}

static void
test_sync_leftovers(void **state)
{
	struct fx	*f = *state;

	assert_true(sync_ok(f, false));
	put(P(f, "prod/example.com/web.new.99999/curr/privkey.pem"), "K\n",
	    0600);
	put(P(f, "prod/example.com/web.old.4242/curr/cert.pem"), "C\n",
	    0644);
	put(P(f, "prod/example.com/tlsa.example.com.tmp.777"), "T\n", 0644);
	put(P(f, "prod/example.com/keep-me"), "admin's\n", 0644);
	assert_false(sync_ok(f, false));
	assert_false(exists(P(f, "prod/example.com/web.new.99999")));
	assert_false(exists(P(f, "prod/example.com/web.old.4242")));
	assert_false(exists(P(f, "prod/example.com/tlsa.example.com.tmp.777")));
	assert_true(exists(P(f, "prod/example.com/keep-me")));
	assert_true(logged_has("removing leftover"));
}

/* Production repaired: a CA key put there, a loosened mode, junk. */
static void
test_sync_repairs(void **state)
{
	struct fx	*f = *state;
	struct strlist	 drift = { 0 };

	assert_true(sync_ok(f, false));
	put(P(f, "prod/ca/root/curr/privkey.pem"), "KEY root-D1\n", 0600);
	assert_int_equal(prod_check(&f->cfg, f->certs, f->prod, f->scope,
	    f->n, false, &drift), 0);
	assert_int_equal(drift.n, 1);
	assert_string_equal(drift.v[0], "ca/root/curr/privkey.pem: CA "
	    "private key in production (must not be copied)");
	strlist_clear(&drift);
	assert_int_equal(chmod(P(f, "prod/example.com/web/curr/privkey.pem"),
	    0644), 0);
	put(P(f, "prod/example.com/mail/curr/extra"), "x\n", 0644);
	assert_true(sync_ok(f, false));
	assert_false(exists(P(f, "prod/ca/root/curr/privkey.pem")));
	assert_int_equal(mode_of(P(f, "prod/example.com/web/curr/privkey.pem")),
	    0600);
	assert_false(exists(P(f, "prod/example.com/mail/curr/extra")));
	assert_no_drift(f);
}

/* No curr and no next in certs: the service leaves production. */
static void
test_sync_service_gone(void **state)
{
	struct fx	*f = *state;

	assert_true(sync_ok(f, false));
	link_to(f, "example.com", "mail", "curr", NULL);
	assert_true(sync_ok(f, false));
	assert_false(exists(P(f, "prod/example.com/mail")));
	assert_true(exists(P(f, "prod/example.com/web/curr/cert.pem")));
	assert_no_drift(f);
	assert_false(sync_ok(f, false));
}

static void
test_sync_tlsa(void **state)
{
	struct fx	*f = *state;
	const char	*dst;

	assert_true(sync_ok(f, false));
	dst = P(f, "prod/example.com/tlsa.example.com");
	put(P(f, "certs/example.com/tlsa.example.com"), tlsa_text, 0644);
	assert_false(sync_ok(f, false));	/* rewritten, same text */
	put(P(f, "certs/example.com/tlsa.example.com"), "\n \n", 0644);
	assert_true(sync_ok(f, false));
	assert_false(exists(dst));
	assert_no_drift(f);
	assert_int_equal(unlink(P(f, "certs/example.com/tlsa.example.com")),
	    0);
	put(dst, tlsa_text, 0644);
	assert_true(sync_ok(f, false));
	assert_false(exists(dst));
	assert_no_drift(f);
}

/*
 * The swap is atomic: a reader that opens the service dir and reads
 * curr/privkey.pem and curr/cert.pem through that handle never sees a
 * key with another set's cert while production flips between two sets.
 */
static int
reader(const char *svcdir, int stopfd)
{
	struct pollfd	 pfd = { stopfd, POLLIN, 0 };
	char		 k[64], c[64], kt[32], ct[32];
	ssize_t		 kn, cn;
	int		 dfd, kfd, cfd, ok = 0, bad = 0;

	while (poll(&pfd, 1, 0) == 0) {
		if ((dfd = open(svcdir, O_RDONLY | O_DIRECTORY)) == -1)
			continue;
		kfd = openat(dfd, "curr/privkey.pem", O_RDONLY);
		cfd = openat(dfd, "curr/cert.pem", O_RDONLY);
		kn = kfd == -1 ? -1 : read(kfd, k, sizeof(k) - 1);
		cn = cfd == -1 ? -1 : read(cfd, c, sizeof(c) - 1);
		if (kfd != -1)
			close(kfd);
		if (cfd != -1)
			close(cfd);
		close(dfd);
		if (kn <= 0 || cn <= 0)
			continue;	/* an old dir removed under us */
		k[kn] = c[cn] = '\0';
		if (sscanf(k, "KEY %31s", kt) != 1 ||
		    sscanf(c, "cert.pem %31s", ct) != 1 ||
		    strcmp(kt, ct) != 0)
			bad++;
		else
			ok++;
	}
	return bad > 0 ? 1 : ok == 0 ? 2 : 0;
}

static void
test_sync_atomic_swap(void **state)
{
	struct fx	*f = *state;
	const char	*svcdir;
	ino_t		 prev, now;
	pid_t		 pid;
	int		 p[2], st, i;
	char		*k, *c;

	/* web only */
	free(f->scope[0].svcs.v[1]);
	f->scope[0].svcs.v[1] = NULL;
	f->scope[0].svcs.n = 1;
	f->n = 1;
	link_to(f, "example.com", "web", "next", NULL);
	assert_true(sync_ok(f, false));
	svcdir = P(f, "prod/example.com/web");
	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[1]);
		_exit(reader(svcdir, p[0]));
	}
	close(p[0]);
	prev = ino_of(svcdir);
	for (i = 0; i < 100; i++) {
		link_to(f, "example.com", "web", "curr", i % 2 ? D1 : D2);
		assert_true(sync_ok(f, false));
		now = ino_of(svcdir);
		assert_int_not_equal(now, prev);
		prev = now;
		/* After each swap the whole dir is one set. */
		k = slurp(P(f, "prod/example.com/web/curr/privkey.pem"));
		c = slurp(P(f, "prod/example.com/web/curr/bundle.pem"));
		assert_string_equal(k, i % 2 ? "KEY web-D1\n" : "KEY web-D2\n");
		assert_non_null(strstr(c, i % 2 ? "CERT web-D1" :
		    "CERT web-D2"));
		free(k);
		free(c);
	}
	close(p[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

#ifdef SSLM_FAULTS
/* A sync killed at point leaves a leftover the next sync removes. */
static void
crash_at(struct fx *f, const char *point, const char *want_key)
{
	struct strlist	 names = { 0 };
	pid_t		 pid;
	int		 st;
	bool		 changed;
	char		*left;

	assert_true(sync_ok(f, false));
	link_to(f, "example.com", "web", "curr", D2);
	link_to(f, "example.com", "web", "next", NULL);
	if ((pid = fork()) == 0) {
		setenv("SSLM_FAULT", point, 1);
		setenv("SSLM_FAULT_MODE", "kill", 1);
		_exit(prod_sync(&f->cfg, f->certs, f->prod, f->scope, f->n,
		    false, &changed) == 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 99);
	left = xasprintf("%s/example.com/web.new.%ld", f->prod, (long)pid);
	assert_true(exists(left));
	assert_file(P(f, "prod/example.com/web/curr/privkey.pem"), want_key);
	assert_int_equal(list_subdirs(P(f, "prod/example.com/web"), &names),
	    0);
	strlist_clear(&names);
	(void)sync_ok(f, false);
	assert_false(exists(left));
	assert_file(P(f, "prod/example.com/web/curr/privkey.pem"),
	    "KEY web-D2\n");
	assert_no_drift(f);
	free(left);
}
#endif

static void
test_sync_crash_before_swap(void **state)
{
#ifdef SSLM_FAULTS
	crash_at(*state, "prod:before-swap", "KEY web-D1\n");
#else
	(void)state;
	skip();
#endif
}

static void
test_sync_crash_after_swap(void **state)
{
#ifdef SSLM_FAULTS
	crash_at(*state, "prod:after-swap", "KEY web-D2\n");
#else
	(void)state;
	skip();
#endif
}

/* Check */

static void
test_check_drift(void **state)
{
	struct fx	*f = *state;
	struct strlist	 drift = { 0 };
	char		*want;
	size_t		 i;

	assert_true(sync_ok(f, false));
	make_db(f, "example.net", "web", D1, "net-D1");
	link_to(f, "example.net", "web", "curr", D1);
	f->scope[2].grp = "example.net";
	strlist_add(&f->scope[2].svcs, "web");
	f->n = 3;
	/* a deleted file */
	assert_int_equal(unlink(P(f, "prod/example.com/web/curr/cert.pem")),
	    0);
	/* an edited key */
	put(P(f, "prod/example.com/mail/curr/privkey.pem"), "KEY other\n",
	    0600);
	/* white space only: not a difference */
	put(P(f, "prod/example.com/web/curr/chain.pem"),
	    "  chain.pem\r\n\n web-D1 \n\n", 0644);
	/* a stale next and a missing one */
	put(P(f, "prod/example.com/mail/next/cert.pem"), "old\n", 0644);
	assert_int_equal(rename(P(f, "prod/example.com/web/next"),
	    P(f, "prod/example.com/web-next-moved")), 0);
	/* a TLSA record changed */
	put(P(f, "prod/example.com/tlsa.example.com"),
	    ";; other comment\n_25._tcp.example.com. 1800  IN TLSA 3 1 1 "
	    "abce\n", 0644);
	assert_int_equal(prod_check(&f->cfg, f->certs, f->prod, f->scope,
	    f->n, false, &drift), 0);
	for (i = 0; i < drift.n; i++)
		print_message("drift: %s\n", drift.v[i]);
	assert_int_equal(drift.n, 6);
	want = xasprintf("example.com/tlsa.example.com: differs (certs: "
	    "%s/example.com/tlsa.example.com, prod: "
	    "%s/example.com/tlsa.example.com)", f->certs, f->prod);
	assert_string_equal(drift.v[0], want);
	free(want);
	assert_string_equal(drift.v[1],
	    "example.com/web/curr/cert.pem: missing in production");
	assert_string_equal(drift.v[2],
	    "example.com/web/next: missing in production");
	want = xasprintf("example.com/mail/curr/privkey.pem: differs "
	    "(certs: %s/example.com/mail/db/" D1 "/privkey.pem, prod: "
	    "%s/example.com/mail/curr/privkey.pem)", f->certs, f->prod);
	assert_string_equal(drift.v[3], want);
	free(want);
	assert_string_equal(drift.v[4],
	    "example.com/mail/next: stale in production (no next in certs)");
	assert_string_equal(drift.v[5], "example.net: missing in production");
	strlist_clear(&drift);
}

static void
test_check_tlsa_comments(void **state)
{
	struct fx	*f = *state;
	struct strlist	 drift = { 0 };

	assert_true(sync_ok(f, false));
	put(P(f, "prod/example.com/tlsa.example.com"),
	    ";; written elsewhere\n\n   _25._tcp.example.com. 1800  IN TLSA "
	    "3 1 1 abcd   \n# more\n\n\n", 0644);
	assert_no_drift(f);
	assert_int_equal(unlink(P(f, "prod/example.com/tlsa.example.com")),
	    0);
	assert_int_equal(prod_check(&f->cfg, f->certs, f->prod, f->scope,
	    f->n, false, &drift), 0);
	assert_int_equal(drift.n, 1);
	assert_string_equal(drift.v[0],
	    "example.com/tlsa.example.com: missing in production");
	strlist_clear(&drift);
	put(P(f, "certs/example.com/tlsa.example.com"), ";; none\n", 0644);
	assert_no_drift(f);
	put(P(f, "prod/example.com/tlsa.example.com"), tlsa_text, 0644);
	assert_int_equal(prod_check(&f->cfg, f->certs, f->prod, f->scope,
	    f->n, false, &drift), 0);
	assert_int_equal(drift.n, 1);
	assert_string_equal(drift.v[0], "example.com/tlsa.example.com: "
	    "stale in production (none in certs)");
	strlist_clear(&drift);
}

static void
test_check_stale_file(void **state)
{
	struct fx	*f = *state;
	struct strlist	 drift = { 0 };

	assert_true(sync_ok(f, false));
	assert_int_equal(unlink(P(f, "certs/example.com/web/db/" D1
	    "/csr.pem")), 0);
	assert_int_equal(prod_check(&f->cfg, f->certs, f->prod, f->scope,
	    f->n, false, &drift), 0);
	assert_int_equal(drift.n, 1);
	assert_string_equal(drift.v[0], "example.com/web/curr/csr.pem: "
	    "stale in production (not in certs)");
	strlist_clear(&drift);
	assert_true(sync_ok(f, false));
	assert_false(exists(P(f, "prod/example.com/web/curr/csr.pem")));
	assert_no_drift(f);
}

/* Remote copies */

static void
script(struct fx *f, const char *name, const char *body)
{
	char	*path, *text;

	path = xasprintf("%s/%s", f->bin, name);
	text = xasprintf("#!/bin/sh\n%s", body);
	assert_int_equal(store_write_file(path, text, strlen(text), 0755), 0);
	free(path);
	free(text);
}

/* Fake rsync and commands, first in PATH, recording their argv. */
static void
fake_bin(struct fx *f)
{
	char	*path;

	script(f, "rsync",
	    "{ printf rsync; for a; do printf ' [%s]' \"$a\"; done; echo; }"
	    " >> \"$SSLM_TEST_REC\"\n"
	    "case \"$*\" in *bad*) echo 'ssh: connect to host: refused' >&2;"
	    " echo 'rsync error: unexplained error (code 255)' >&2; exit 12;;"
	    " esac\nexit 0\n");
	script(f, "pc-ok", "echo \"pc-ok $*\" >> \"$SSLM_TEST_REC\"\n");
	script(f, "pc-fail", "echo \"pc-fail $*\" >> \"$SSLM_TEST_REC\"\n"
	    "echo nope; exit 3\n");
	path = xasprintf("%s:%s", f->bin, f->oldpath);
	setenv("PATH", path, 1);
	setenv("SSLM_TEST_REC", f->rec, 1);
	free(path);
}

/* The recorded lines (none when nothing ran). */
static void
records(struct fx *f, struct strlist *out)
{
	char	*s = NULL, *line, *save = NULL;

	if (read_file(f->rec, 1 << 20, &s, NULL) != 0)
		return;
	for (line = strtok_r(s, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		strlist_add(out, line);
	free(s);
}

static void
test_remote_hosts(void **state)
{
	struct fx	*f = *state;
	struct sslm_config *c = &f->cfg;
	struct strlist	 rec = { 0 };
	char		 host[256], *want;
	size_t		 i;

	fake_bin(f);
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = '\0';
	strlist_add(&c->ssh_opts, "-p");
	strlist_add(&c->ssh_opts, "2222");
	strlist_add(&c->ssh_opts, "-i");
	strlist_add(&c->ssh_opts, "/k dir/id");
	strlist_add(&c->servers[SSLM_SRV_SMTP].servers, "mx1");
	strlist_add(&c->servers[SSLM_SRV_SMTP].servers, host);
	strlist_add(&c->servers[SSLM_SRV_IMAP].servers, "MX1");
	strlist_add(&c->servers[SSLM_SRV_IMAP].servers, "localhost");
	strlist_add(&c->servers[SSLM_SRV_IMAP].servers, "mx2");
	strlist_add(&c->servers[SSLM_SRV_WEB].servers, "web1");
	c->servers[SSLM_SRV_WEB].skip_prod_copy = true;
	strlist_add(&c->servers[SSLM_SRV_OTHER].servers, "other1");
	strlist_add(&c->servers[SSLM_SRV_OTHER].servers, "mx2");
	strlist_add(&c->servers[SSLM_SRV_DNS].servers, "dns1");
	assert_int_equal(prod_remote(c, f->prod, false), 0);
	records(f, &rec);
	assert_int_equal(rec.n, 3);
	for (i = 0; i < 3; i++) {
		want = xasprintf("rsync [-a] [--delete] [--mkpath] [-e] "
		    "[ssh -p 2222 -i '/k dir/id'] [%s/] [%s:%s/]", f->prod,
		    i == 0 ? "mx1" : i == 1 ? "mx2" : "other1", f->prod);
		assert_string_equal(rec.v[i], want);
		free(want);
	}
	strlist_clear(&rec);
	/* debug: logged, not run */
	assert_int_equal(unlink(f->rec), 0);
	assert_int_equal(prod_remote(c, f->prod, true), 0);
	records(f, &rec);
	assert_int_equal(rec.n, 0);
	assert_true(logged_has("mx1: rsync (debug, not run): rsync -a"));
}

static void
test_remote_plain_ssh_and_slash(void **state)
{
	struct fx	*f = *state;
	struct strlist	 rec = { 0 };
	char		*dir, *want;

	fake_bin(f);
	strlist_add(&f->cfg.servers[SSLM_SRV_OTHER].servers, "h1");
	dir = xasprintf("%s//", f->prod);
	assert_int_equal(prod_remote(&f->cfg, dir, false), 0);
	records(f, &rec);
	assert_int_equal(rec.n, 1);
	want = xasprintf("rsync [-a] [--delete] [--mkpath] [-e] [ssh] [%s/] "
	    "[h1:%s/]", f->prod, f->prod);
	assert_string_equal(rec.v[0], want);
	free(want);
	free(dir);
	strlist_clear(&rec);
}

static void
test_remote_relative_refused(void **state)
{
	struct fx	*f = *state;
	struct strlist	 rec = { 0 };

	fake_bin(f);
	/* Nothing remote: a relative dir is fine. */
	strlist_add(&f->cfg.servers[SSLM_SRV_SMTP].servers, "localhost");
	assert_int_equal(prod_remote(&f->cfg, "./etc/prod-certs", false), 0);
	strlist_add(&f->cfg.servers[SSLM_SRV_SMTP].servers, "mx1");
	assert_int_equal(prod_remote(&f->cfg, "./etc/prod-certs", false),
	    SSLM_ERR_CONFIG);
	assert_int_equal(prod_remote(&f->cfg, "etc/prod", false),
	    SSLM_ERR_CONFIG);
	assert_true(logged_has("remote copies need an absolute path"));
	records(f, &rec);
	assert_int_equal(rec.n, 0);
}

/* A failing host is reported; the others are still copied. */
static void
test_remote_failure(void **state)
{
	struct fx	*f = *state;
	struct strlist	 rec = { 0 };

	fake_bin(f);
	strlist_add(&f->cfg.servers[SSLM_SRV_SMTP].servers, "bad1");
	strlist_add(&f->cfg.servers[SSLM_SRV_SMTP].servers, "-oProxy=x");
	strlist_add(&f->cfg.servers[SSLM_SRV_SMTP].servers, "ok1");
	assert_int_equal(prod_remote(&f->cfg, f->prod, false), SSLM_ERR_EXEC);
	records(f, &rec);
	assert_int_equal(rec.n, 2);
	assert_non_null(strstr(rec.v[0], "[bad1:"));
	assert_non_null(strstr(rec.v[1], "[ok1:"));
	assert_true(logged_has("bad1: rsync failed (exit 12): rsync error: "
	    "unexplained error (code 255)"));
	assert_true(logged_has("-oProxy=x: rsync: bad host name"));
	strlist_clear(&rec);
}

static void
test_post_copy(void **state)
{
	struct fx		*f = *state;
	struct sslm_post_copy	 pc[3];
	struct strlist		 rec = { 0 };
	char			*ok, *fail, *want;

	fake_bin(f);
	ok = xasprintf("%s/pc-ok", f->bin);
	fail = xasprintf("%s/pc-fail", f->bin);
	pc[0].host = "h1";
	pc[0].cmd = ok;
	pc[1].host = "h2; rm -rf /";
	pc[1].cmd = fail;
	pc[2].host = "h3";
	pc[2].cmd = "pc-ok";
	f->cfg.post_copy = pc;
	f->cfg.n_post_copy = 3;
	assert_int_equal(prod_post_copy(&f->cfg, true), 0);
	records(f, &rec);
	assert_int_equal(rec.n, 0);
	assert_int_equal(prod_post_copy(&f->cfg, false), 1);
	records(f, &rec);
	assert_int_equal(rec.n, 3);
	assert_string_equal(rec.v[0], "pc-ok h1");
	assert_string_equal(rec.v[1], "pc-fail h2; rm -rf /");
	assert_string_equal(rec.v[2], "pc-ok h3");
	want = xasprintf(" Post Copy : [h1, %s]", ok);
	assert_true(logged_has(want));
	free(want);
	assert_true(logged_has("failed (exit 3): nope"));
	assert_true(logged_has("Warning: post copy commands had 1"));
	f->cfg.post_copy = NULL;
	f->cfg.n_post_copy = 0;
	strlist_clear(&rec);
	free(ok);
	free(fail);
}

static void
test_host_is_local(void **state)
{
	char	 host[256], *s;

	(void)state;
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = '\0';
	assert_true(prod_host_is_local(host));
	assert_true(prod_host_is_local("localhost"));
	assert_true(prod_host_is_local("LocalHost"));
	s = xstrndup(host, strcspn(host, "."));
	assert_true(prod_host_is_local(s));
	free(s);
	s = xasprintf("%s.invalid-sslm-test", host);
	if (strchr(host, '.') == NULL)
		assert_false(prod_host_is_local(s));
	free(s);
	assert_false(prod_host_is_local("127.0.0.1"));
	assert_false(prod_host_is_local("mx1.example.com"));
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_sync_fresh),
		T(test_sync_identical_skipped),
		T(test_sync_roll),
		T(test_sync_debug),
		T(test_sync_leftovers),
		T(test_sync_repairs),
		T(test_sync_service_gone),
		T(test_sync_tlsa),
		T(test_sync_atomic_swap),
		T(test_sync_crash_before_swap),
		T(test_sync_crash_after_swap),
		T(test_check_drift),
		T(test_check_tlsa_comments),
		T(test_check_stale_file),
		T(test_remote_hosts),
		T(test_remote_plain_ssh_and_slash),
		T(test_remote_relative_refused),
		T(test_remote_failure),
		T(test_post_copy),
		cmocka_unit_test(test_host_is_local),
	};
	int	 r;

	sslm_log_set_sink(sink, NULL);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	strlist_clear(&logged);
	return r;
}
