/*
 * test-stamp.c - unit tests of the status shortcuts: the production
 * stamps (prod-stamp.c through prod_sync/prod_check), the certificate
 * summary cache (certcache.c) and par_for (par.c).
 *
 * What is asserted is the contract: a stamp or cache entry answers only
 * while every file it describes keeps its identity; any write, removal,
 * replacement or chmod takes the full path and gives the same answer as
 * without them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certcache.h"
#include "config.h"
#include "err.h"
#include "par.h"
#include "prod.h"
#include "store.h"
#include "util.h"

#define D1	"20260101-10:00:00"
#define D2	"20260301-10:00:00"

static const char *const files[] = { "privkey.pem", "cert.pem", "chain.pem",
	"fullchain.pem", "bundle.pem", "csr.pem" };

struct fx {
	char			*dir, *certs, *prod;
	struct prod_scope	 scope[1];
	struct sslm_config	 cfg;
};

static char *
P(struct fx *f, const char *rel)
{
	static char buf[4][1024];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", f->dir, rel);
	return buf[k];
}

static void
put(const char *path, const char *text)
{
	assert_int_equal(store_write_file(path, text, strlen(text), 0644), 0);
}

static void
make_set(struct fx *f, const char *svc, const char *db, const char *tag)
{
	char path[1024], text[128];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/example.com/%s/db/%s/%s",
		    f->certs, svc, db, files[i]);
		snprintf(text, sizeof(text), "%s %s\n", files[i], tag);
		put(path, text);
	}
}

static void
link_to(struct fx *f, const char *svc, const char *which, const char *db)
{
	char dir[1024], target[128];

	snprintf(dir, sizeof(dir), "%s/example.com/%s", f->certs, svc);
	snprintf(target, sizeof(target), "db/%s", db);
	assert_int_equal(store_link_set(dir, which, target), 0);
}

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	char tmpl[] = "/tmp/sslm-stamp-XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return -1;
	f->dir = xstrdup(tmpl);
	f->certs = path_join(f->dir, "certs");
	f->prod = path_join(f->dir, "prod");
	make_set(f, "web", D1, "web-D1");
	make_set(f, "web", D2, "web-D2");
	link_to(f, "web", "curr", D1);
	link_to(f, "web", "next", D2);
	f->scope[0].grp = "example.com";
	strlist_add(&f->scope[0].svcs, "web");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char *argv[] = { "rm", "-rf", f->dir, NULL };
	pid_t pid;
	int st;

	if ((pid = fork()) == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	strlist_clear(&f->scope[0].svcs);
	free(f->dir);
	free(f->certs);
	free(f->prod);
	free(f);
	return 0;
}

static void
sync_all(struct fx *f)
{
	bool changed = false;

	assert_int_equal(prod_sync(&f->cfg, f->certs, f->prod, f->scope, 1,
	    false, &changed), 0);
}

/* The drift lines of a check (record: as a changing run checks). */
static size_t
drift_of(struct fx *f, bool record, const char *want)
{
	struct strlist d = { 0 };
	size_t n;
	bool found = want == NULL;

	assert_int_equal(prod_check(&f->cfg, f->certs, f->prod, f->scope, 1,
	    record, &d), 0);
	for (size_t i = 0; i < d.n; i++)
		if (want != NULL && strstr(d.v[i], want) != NULL)
			found = true;
	if (!found)
		for (size_t i = 0; i < d.n; i++)
			print_error("drift: %s\n", d.v[i]);
	assert_true(found);
	n = d.n;
	strlist_clear(&d);
	return n;
}

static char *
slurp(const char *path)
{
	char *text = NULL;

	if (read_file(path, 1 << 20, &text, NULL) != 0)
		return NULL;
	return text;
}

static void
test_sync_writes_stamp(void **state)
{
	struct fx *f = *state;
	struct stat st;
	char *text;

	sync_all(f);
	assert_int_equal(stat(P(f, "certs/example.com/.prod-stamp"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	text = slurp(P(f, "certs/example.com/.prod-stamp"));
	assert_non_null(text);
	assert_non_null(strstr(text, "ssl-mgr prod-stamp 2\n"));
	assert_non_null(strstr(text, "web curr " D1 " 3f "));
	assert_non_null(strstr(text, "web next " D2 " 3f "));
	free(text);
	assert_int_equal(drift_of(f, false, NULL), 0);
}

/*
 * The trust boundary, shown: a db set's file edited in place keeps the
 * set's directory as it was, so a status trusts the stamp, while a
 * changing run's check compares contents and sees it.
 */
/* Syncs, then appends to curr's chain.pem in certs/ (in place). */
static void
sync_then_edit_curr_chain(struct fx *f)
{
	char path[1024];
	int fd;

	sync_all(f);
	snprintf(path, sizeof(path), "%s/example.com/web/db/%s/chain.pem",
	    f->certs, D1);
	assert_true((fd = open(path, O_WRONLY | O_APPEND)) != -1);
	assert_int_equal(write(fd, "x\n", 2), 2);
	close(fd);
}

static void
test_stamp_used_by_status_not_by_runs(void **state)
{
	struct fx *f = *state;

	sync_then_edit_curr_chain(f);
	assert_int_equal(drift_of(f, false, NULL), 0);
	assert_int_equal(drift_of(f, true, "web/curr/chain.pem: differs"), 1);
}

static void
test_prod_edit_in_place_seen(void **state)
{
	struct fx *f = *state;
	int fd;

	sync_all(f);
	/* Same size, other bytes: only ctime/mtime tell. */
	assert_true((fd = open(P(f, "prod/example.com/web/next/cert.pem"),
	    O_WRONLY)) != -1);
	assert_int_equal(pwrite(fd, "X", 1, 0), 1);
	close(fd);
	assert_int_equal(drift_of(f, false, "web/next/cert.pem: differs"), 1);
}

static void
test_prod_removed_or_replaced(void **state)
{
	struct fx *f = *state;
	char *before, *after;

	sync_all(f);
	assert_int_equal(unlink(P(f, "prod/example.com/web/curr/csr.pem")), 0);
	assert_int_equal(drift_of(f, false, "web/curr/csr.pem: missing"), 1);
	sync_all(f);
	assert_int_equal(drift_of(f, false, NULL), 0);
	/* The same content under a new inode: equal, and a run restamps. */
	put(P(f, "prod/example.com/web/curr/chain.pem"), "chain.pem web-D1\n");
	before = slurp(P(f, "certs/example.com/.prod-stamp"));
	assert_int_equal(drift_of(f, false, NULL), 0);
	assert_int_equal(drift_of(f, true, NULL), 0);
	after = slurp(P(f, "certs/example.com/.prod-stamp"));
	assert_non_null(before);
	assert_non_null(after);
	assert_string_not_equal(before, after);
	free(before);
	free(after);
}

static void
test_chmod_and_set_file_removed(void **state)
{
	struct fx *f = *state;

	sync_all(f);
	assert_int_equal(chmod(P(f, "prod/example.com/web/curr/cert.pem"),
	    0600), 0);
	assert_int_equal(drift_of(f, false, NULL), 0);
	/* A set that lost a file in certs: its directory moved. */
	assert_int_equal(unlink(P(f, "certs/example.com/web/db/" D2
	    "/bundle.pem")), 0);
	assert_int_equal(drift_of(f, false,
	    "web/next/bundle.pem: stale in production"), 1);
}

static void
test_roll_invalidates(void **state)
{
	struct fx *f = *state;

	sync_all(f);
	link_to(f, "web", "curr", D2);
	assert_true(drift_of(f, false, "web/curr/") >= 1);
}

static void
test_garbage_stamp(void **state)
{
	struct fx *f = *state;
	char junk[4096];

	sync_all(f);
	put(P(f, "certs/example.com/.prod-stamp"), "ssl-mgr prod-stamp 2\n"
	    "web curr " D1 " 3f 1 2 3.4 5\n"
	    "web next " D2 " ff 1 2 3.4 5.6\n"
	    "web curr " D1 " 0 0 0 0.0 0.0\n"
	    "\n   \nweb\n");
	assert_int_equal(drift_of(f, false, NULL), 0);
	memset(junk, 'a', sizeof(junk) - 1);
	junk[sizeof(junk) - 1] = '\0';
	put(P(f, "certs/example.com/.prod-stamp"), junk);
	assert_int_equal(drift_of(f, false, NULL), 0);
	assert_int_equal(unlink(P(f, "prod/example.com/web/curr/privkey.pem")),
	    0);
	assert_int_equal(drift_of(f, false, "web/curr/privkey.pem: missing"),
	    1);
}

/*
 * A stamp line whose numbers are not plain digits is not ours: " +N" or
 * " -N" (which strtoull took) makes the status compare contents, so the
 * set edited in place below is seen, as without a stamp.
 */
static void
test_stamp_numbers_digits_only(void **state)
{
	struct fx *f = *state;
	const char *signs[] = { " +", " -", "  " };
	char *text, *sp, *mangled;

	sync_then_edit_curr_chain(f);
	text = slurp(P(f, "certs/example.com/.prod-stamp"));
	assert_non_null(text);
	/* Trusted as written: the documented boundary (status says sync). */
	assert_int_equal(drift_of(f, false, NULL), 0);
	for (size_t i = 0; i < sizeof(signs) / sizeof(signs[0]); i++) {
		/* The curr line's first number after the mask: the set's inode. */
		sp = strstr(text, "web curr " D1 " 3f ");
		assert_non_null(sp);
		sp += strlen("web curr " D1 " 3f");
		mangled = xasprintf("%.*s%s%s", (int)(sp - text), text,
		    signs[i], sp + 1);
		put(P(f, "certs/example.com/.prod-stamp"), mangled);
		assert_int_equal(drift_of(f, false,
		    "web/curr/chain.pem: differs"), 1);
		free(mangled);
	}
	free(text);
}

/*
 * buf_printf formats in place: output equal to snprintf's across growth,
 * and a refusal past the cap leaves the buffer as it was.
 */
static void
test_buf_printf(void **state)
{
	struct buf b;
	char want[8192], part[600];
	size_t wl = 0;

	(void)state;
	buf_init(&b, sizeof(want));
	for (int i = 0; i < 40; i++) {
		int n = snprintf(part, sizeof(part), "%d:%-*s|", i, i * 7, "x");

		assert_int_equal(buf_printf(&b, "%d:%-*s|", i, i * 7, "x"), 0);
		memcpy(want + wl, part, (size_t)n);
		wl += (size_t)n;
		want[wl] = '\0';
		assert_int_equal(b.len, wl);
		assert_string_equal(b.p, want);
	}
	assert_int_equal(buf_printf(&b, "%0*d", (int)(sizeof(want) - wl + 1),
	    7), SSLM_ERR_TOOBIG);
	assert_int_equal(b.len, wl);
	assert_string_equal(b.p, want);
	buf_free(&b);
	buf_init(&b, 4);
	assert_int_equal(buf_printf(&b, "%s", "12345"), SSLM_ERR_TOOBIG);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_printf(&b, "%s", "1234"), 0);
	assert_string_equal(b.p, "1234");
	buf_free(&b);
}

/* A link read under a directory fd is the one read by its whole path. */
static void
test_link_getat(void **state)
{
	struct fx *f = *state;
	char *a = NULL, *b = NULL, dir[1024];
	int gfd;

	snprintf(dir, sizeof(dir), "%s/example.com/web", f->certs);
	assert_true((gfd = open(P(f, "certs/example.com"),
	    O_PATH | O_DIRECTORY)) != -1);
	assert_int_equal(store_link_get(dir, "next", &a), 0);
	assert_int_equal(store_link_getat(gfd, "web/next", dir, "next", &b), 0);
	assert_string_equal(a, D2);
	assert_string_equal(b, D2);
	free(a);
	free(b);
	assert_int_equal(store_link_getat(gfd, "web/prev", dir, "prev", &b),
	    SSLM_ERR_NOTFOUND);
	assert_null(b);
	assert_int_equal(store_link_getat(gfd, "web/db", dir, "db", &b),
	    SSLM_ERR_STATE);
	assert_null(b);
	close(gfd);
}

/* Certificate summaries */

static void
make_cert(const char *path, const char *cn, const char *org)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *n;
	FILE *fp;

	assert_non_null(k);
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400 * 30);
	X509_set_pubkey(x, k);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0);
	if (org != NULL)
		X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8,
		    (const unsigned char *)org, -1, -1, 0);
	X509_set_issuer_name(x, n);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(PEM_write_X509(fp, x), 1);
	fclose(fp);
	X509_free(x);
	EVP_PKEY_free(k);
}

static bool
cached(struct fx *f, const char *db, struct x509_certinfo *ci)
{
	struct cert_cache *c = cert_cache_load(f->certs, "example.com");
	struct stat st;
	char path[1024];
	bool hit;

	/* The key is the set's db directory, as the status stats it. */
	snprintf(path, sizeof(path), "%s/example.com/web/db/%s", f->certs, db);
	assert_int_equal(stat(path, &st), 0);
	hit = cert_cache_get(c, "web", db, &st, ci);
	cert_cache_free(c);
	return hit;
}

static void
test_cert_cache(void **state)
{
	struct fx *f = *state;
	struct x509_certinfo ci, peek;
	char *svcs[] = { "web" };
	char path[1024], path2[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/example.com/web/db/%s/cert.pem",
	    f->certs, D1);
	make_cert(path, "a b %41 -", "Example Org");
	snprintf(path, sizeof(path), "%s/example.com/web/db/%s/cert.pem",
	    f->certs, D2);
	make_cert(path, "-", NULL);
	assert_false(cached(f, D1, &ci));
	cert_cache_refresh(f->certs, "example.com", svcs, 1);
	assert_int_equal(stat(P(f, "certs/example.com/.cert-cache"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* What the cache gives is what a peek of the file gives. */
	assert_true(cached(f, D1, &ci));
	snprintf(path, sizeof(path), "%s/example.com/web/db/%s/cert.pem",
	    f->certs, D1);
	assert_int_equal(x509_certinfo_peek(path, false, &peek), 0);
	assert_int_equal(ci.not_before, peek.not_before);
	assert_int_equal(ci.not_after, peek.not_after);
	assert_string_equal(ci.pubkey, peek.pubkey);
	assert_string_equal(ci.sig_algo, peek.sig_algo);
	assert_string_equal(ci.subject_cn, "a b %41 -");
	assert_string_equal(ci.issuer_o, "Example Org");
	x509_certinfo_free(&ci);
	x509_certinfo_free(&peek);
	assert_true(cached(f, D2, &ci));
	snprintf(path, sizeof(path), "%s/example.com/web/db/%s/cert.pem",
	    f->certs, D2);
	assert_int_equal(x509_certinfo_peek(path, false, &peek), 0);
	assert_string_equal(ci.subject_cn, "-");
	/* No O: the same "none" as the peek says, not a "-" read back. */
	if (peek.issuer_o == NULL)
		assert_null(ci.issuer_o);
	else
		assert_string_equal(ci.issuer_o, peek.issuer_o);
	x509_certinfo_free(&ci);
	x509_certinfo_free(&peek);
	/* A certificate replaced (renamed in) moves the set's directory:
	 * the entry no longer holds. */
	snprintf(path, sizeof(path), "%s/example.com/web/db/%s/new.pem",
	    f->certs, D1);
	make_cert(path, "other", NULL);
	snprintf(path2, sizeof(path2), "%s/example.com/web/db/%s/cert.pem",
	    f->certs, D1);
	assert_int_equal(rename(path, path2), 0);
	assert_false(cached(f, D1, &ci));
	cert_cache_refresh(f->certs, "example.com", svcs, 1);
	assert_true(cached(f, D1, &ci));
	assert_string_equal(ci.subject_cn, "other");
	x509_certinfo_free(&ci);
	/* Edited in place: the documented boundary (the set's directory
	 * did not move); the next run's refresh reads it again. */
	make_cert(path2, "in place", NULL);
	assert_true(cached(f, D1, &ci));
	assert_string_equal(ci.subject_cn, "other");
	x509_certinfo_free(&ci);
	cert_cache_refresh(f->certs, "example.com", svcs, 1);
	assert_true(cached(f, D1, &ci));
	assert_string_equal(ci.subject_cn, "in place");
	x509_certinfo_free(&ci);
	/* next unlinked: its entry goes at the next refresh. */
	assert_int_equal(unlink(P(f, "certs/example.com/web/next")), 0);
	cert_cache_refresh(f->certs, "example.com", svcs, 1);
	assert_false(cached(f, D2, &ci));
}

/* par_for */

struct count {
	atomic_int	 seen[1000];
};

static void
count_one(size_t i, void *arg)
{
	struct count *c = arg;

	atomic_fetch_add(&c->seen[i], 1);
}

static void
test_par_for(void **state)
{
	static const char *const threads[] = { "1", "2", "8", "0" };
	struct count *c = xcalloc(1, sizeof(*c));

	(void)state;
	for (size_t t = 0; t < 4; t++) {
		setenv("SSLM_THREADS", threads[t], 1);
		for (size_t i = 0; i < 1000; i++)
			atomic_init(&c->seen[i], 0);
		par_for(1000, count_one, c);
		for (size_t i = 0; i < 1000; i++)
			assert_int_equal(atomic_load(&c->seen[i]), 1);
		par_for(0, count_one, c);
	}
	unsetenv("SSLM_THREADS");
	assert_true(par_threads() >= 1 && par_threads() <= 8);
	free(c);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_sync_writes_stamp),
		T(test_stamp_used_by_status_not_by_runs),
		T(test_prod_edit_in_place_seen),
		T(test_prod_removed_or_replaced),
		T(test_chmod_and_set_file_removed),
		T(test_roll_invalidates),
		T(test_garbage_stamp),
		T(test_stamp_numbers_digits_only),
		T(test_link_getat),
		cmocka_unit_test(test_buf_printf),
		T(test_cert_cache),
		cmocka_unit_test(test_par_for),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
