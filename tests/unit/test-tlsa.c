/*
 * test-tlsa.c - unit tests of core/tlsa.c: the exact text of tlsa.rr for
 * EC and RSA certificates with every selector and match type (hashes
 * checked against a computation of our own with a different OpenSSL
 * route), the 72-character wrapping, the owner-name rules (MX, SANS,
 * port 25, apex dedupe, wildcards, TTL), the parser on our own and
 * upstream's format, the change hash, and the group file: curr+next,
 * whole-record duplicate comments, stale-file emptying, and copies to
 * tlsa_dirs only on change.
 *
 * The certificates are made here with the OpenSSL API directly, so a bug
 * in x509.c cannot hide itself.  Each test works in its own mkdtemp(3)
 * directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/types.h>

#include <fcntl.h>
#include <spawn.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "err.h"
#include "log.h"
#include "store.h"
#include "tlsa.h"

#define DATE1	"20260407-12:07:39"
#define DATE2	"20260501-08:00:00"

static X509		*ec_cert, *rsa_cert;
static struct strlist	 logged;
static char		*tmpdir;

static void
sink(void *ctx, enum sslm_level lvl, const char *msg)
{
	(void)ctx;
	strlist_add_nodup(&logged, xasprintf("%d|%s", (int)lvl, msg));
}

static bool
logged_has(const char *needle)
{
	for (size_t i = 0; i < logged.n; i++)
		if (strstr(logged.v[i], needle) != NULL)
			return true;
	return false;
}

/* A self-signed certificate, straight from the OpenSSL API. */
static X509 *
make_cert(bool rsa)
{
	EVP_PKEY	*k;
	X509		*x = X509_new();
	X509_NAME	*n;

	k = rsa ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048) :
	    EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (k == NULL || x == NULL)
		abort();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, k);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)"example.com", -1, -1, 0);
	X509_set_issuer_name(x, n);
	if (X509_sign(x, k, EVP_sha256()) <= 0)
		abort();
	EVP_PKEY_free(k);
	return x;
}

/*
 * Expected association data computed another way than x509.c does: the
 * SPKI through the EVP_PKEY (i2d_PUBKEY), digests through EVP_Q_digest,
 * hex through snprintf.
 */
static char *
want_hex(X509 *x, int sel, int mt)
{
	unsigned char	*der = NULL, md[64];
	const unsigned char *data;
	size_t		 n, mdlen = 0;
	char		*h;
	int		 len;

	len = sel == 0 ? i2d_X509(x, &der) : i2d_PUBKEY(X509_get0_pubkey(x),
	    &der);
	assert_true(len > 0);
	data = der;
	n = (size_t)len;
	if (mt != 0) {
		assert_true(EVP_Q_digest(NULL, mt == 1 ? "SHA256" : "SHA512",
		    NULL, der, n, md, &mdlen));
		data = md;
		n = mdlen;
	}
	h = xmalloc(n * 2 + 1);
	for (size_t i = 0; i < n; i++)
		snprintf(h + i * 2, 3, "%02x", data[i]);
	OPENSSL_free(der);
	return h;
}

/* The RDATA as the spec words it, written independently of tlsa.c. */
static char *
want_rdata(int u, int s, int m, const char *hex)
{
	struct buf	 b;
	size_t		 len = strlen(hex);
	char		*r;

	if (len < 72)
		return xasprintf("%d %d %d %s", u, s, m, hex);
	buf_init(&b, 1 << 20);
	(void)buf_printf(&b, "( %d %d %d", u, s, m);
	for (size_t off = 0; off < len; off += 72)
		(void)buf_printf(&b, "\n                    %.72s", hex + off);
	(void)buf_printf(&b, " )");
	r = xstrdup(b.p);
	buf_free(&b);
	return r;
}

static void
svc_init(struct sslm_service_cfg *s, int ttl)
{
	memset(s, 0, sizeof(*s));
	s->grp = "example.com";
	s->svc = "mail";
	s->dane_tls_ttl = ttl;
}

static void
svc_dane(struct sslm_service_cfg *s, int port, int u, int sel, int m,
    const char *sub)
{
	struct sslm_dane	*d;

	s->dane = xreallocarray(s->dane, s->n_dane + 1, sizeof(*s->dane));
	d = &s->dane[s->n_dane++];
	memset(d, 0, sizeof(*d));
	d->port = port;
	snprintf(d->proto, sizeof(d->proto), "tcp");
	d->usage = u;
	d->selector = sel;
	d->mtype = m;
	snprintf(d->subtype, sizeof(d->subtype), "%s", sub);
}

static void
svc_free(struct sslm_service_cfg *s)
{
	free(s->dane);
	strlist_clear(&s->sans);
}

static char *
rr(X509 *x, struct sslm_service_cfg *s, const struct strlist *mx)
{
	char	*t = NULL;

	assert_int_equal(tlsa_rr_text(x, s, "example.com", mx, DATE1, &t), 0);
	assert_non_null(t);
	return t;
}

/* ---- fixture ---- */

static int
rm_cb(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(p);
}

static int
setup(void **state)
{
	(void)state;
	tmpdir = xstrdup("/tmp/sslm-tlsa-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	strlist_clear(&logged);
	sslm_log_set_sink(sink, NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	nftw(tmpdir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(tmpdir);
	sslm_log_set_sink(NULL, NULL);
	strlist_clear(&logged);
	return 0;
}

static char *
P(const char *rel)
{
	return xasprintf("%s/%s", tmpdir, rel);
}

static char *
slurp(const char *path)
{
	char	*t = NULL;

	if (read_file(path, 1 << 22, &t, NULL) != 0)
		return NULL;
	return t;
}

/* ---- tlsa.rr text ---- */

static void
test_rr_exact(void **state)
{
	struct sslm_service_cfg	 s;
	struct strlist		 mx = { 0 };
	char			*h, *want, *t;

	(void)state;
	svc_init(&s, 1800);
	svc_dane(&s, 25, 3, 1, 1, "");
	svc_dane(&s, 443, 3, 1, 1, "");
	strlist_add(&s.sans, "example.com");
	strlist_add(&s.sans, "www.example.com");
	/* Two hosts of equal preference: upstream kept one (§19.11). */
	strlist_add(&mx, "mail.example.com");
	strlist_add(&mx, "mx2.example.com.");
	h = want_hex(ec_cert, 1, 1);
	want = xasprintf(";;\n;; tlsa example.com mail " DATE1 "\n;;\n"
	    "_25._tcp.example.com. 1800 IN TLSA 3 1 1 %s\n"
	    "_25._tcp.mail.example.com. 1800 IN TLSA 3 1 1 %s\n"
	    "_25._tcp.mx2.example.com. 1800 IN TLSA 3 1 1 %s\n"
	    "_443._tcp.example.com. 1800 IN TLSA 3 1 1 %s\n"
	    "_443._tcp.www.example.com. 1800 IN TLSA 3 1 1 %s\n",
	    h, h, h, h, h);
	t = rr(ec_cert, &s, &mx);
	assert_string_equal(t, want);
	free(t);
	free(want);
	free(h);
	strlist_clear(&mx);
	svc_free(&s);
}

static void
check_all_types(X509 *x)
{
	struct sslm_service_cfg	 s;
	char			*h, *rd, *want, *t, *p, *nl;

	for (int sel = 0; sel <= 1; sel++) {
		for (int m = 0; m <= 2; m++) {
			svc_init(&s, 0);
			svc_dane(&s, 443, 3, sel, m, "");
			h = want_hex(x, sel, m);
			assert_int_equal(strlen(h), m == 1 ? 64 : m == 2 ?
			    128 : strlen(h));
			rd = want_rdata(3, sel, m, h);
			want = xasprintf(";;\n;; tlsa example.com mail "
			    DATE1 "\n;;\n_443._tcp.example.com. IN TLSA "
			    "%s\n", rd);
			t = rr(x, &s, NULL);
			assert_string_equal(t, want);
			/* Wrapped lines: 20 spaces and at most 72 hex. */
			for (p = strchr(t, '\n') + 1; *p != '\0'; p = nl + 1) {
				nl = strchr(p, '\n');
				if (*p != ' ')
					continue;
				assert_int_equal(strspn(p, " "), 20);
				assert_true(strcspn(p + 20, " \n") <= 72);
			}
			if (m != 1)
				assert_non_null(strstr(t, " )\n"));
			free(t);
			free(want);
			free(rd);
			free(h);
			svc_free(&s);
		}
	}
}

static void
test_rr_ec_all_types(void **state)
{
	(void)state;
	check_all_types(ec_cert);
}

static void
test_rr_rsa_all_types(void **state)
{
	(void)state;
	check_all_types(rsa_cert);
}

/* The distinct owner names, in order, of a tlsa.rr text. */
static char *
owners_of(const char *t)
{
	struct tlsa_set	 set = { 0 };
	struct strlist	 o = { 0 };
	struct buf	 b;
	char		*r;

	assert_int_equal(tlsa_parse(t, "t", &set), 0);
	tlsa_set_owners(&set, &o);
	buf_init(&b, 1 << 16);
	assert_int_equal(buf_add(&b, "", 0), 0);
	for (size_t i = 0; i < o.n; i++)
		(void)buf_printf(&b, "%s%s", i ? " " : "", o.v[i]);
	strlist_clear(&o);
	r = xstrdup(b.p);
	buf_free(&b);
	tlsa_set_free(&set);
	return r;
}

static void
test_rr_owner_rules(void **state)
{
	struct sslm_service_cfg	 s;
	struct strlist		 mx = { 0 };
	char			*t, *o;

	(void)state;
	strlist_add(&mx, "Mail.Example.com");
	strlist_add(&mx, "example.com");	/* the apex is an MX too */
	strlist_add(&mx, ".");			/* null MX: skipped */
	svc_init(&s, 300);
	strlist_add(&s.sans, "example.com");
	strlist_add(&s.sans, "WWW.example.com");
	strlist_add(&s.sans, "*.example.com");
	strlist_add(&s.sans, "192.0.2.1");
	svc_dane(&s, 25, 3, 1, 1, "");		/* port 25: MX */
	svc_dane(&s, 25, 3, 0, 1, "SANS");	/* fixed: SANS honoured */
	svc_dane(&s, 443, 3, 1, 1, "MX");	/* MX subtype on 443 */
	svc_dane(&s, 465, 3, 1, 1, "");		/* otherwise SANs */
	svc_dane(&s, 465, 3, 1, 1, "");		/* a repeated entry */
	t = rr(ec_cert, &s, &mx);
	o = owners_of(t);
	assert_string_equal(o,
	    "_25._tcp.example.com. _25._tcp.mail.example.com. "
	    "_25._tcp.www.example.com. "
	    "_443._tcp.example.com. _443._tcp.mail.example.com. "
	    "_465._tcp.example.com. _465._tcp.www.example.com.");
	/* Each (owner, rdata) once: 2 + 2 + 2 + 2 records. */
	assert_int_equal(strstr(t, "_25._tcp.example.com. 300 IN TLSA 3 1 1")
	    != NULL, 1);
	{
		size_t	 n = 0;

		for (const char *p = t; (p = strstr(p, " IN TLSA ")) != NULL;
		    p++)
			n++;
		assert_int_equal(n, 8);
	}
	assert_non_null(strstr(t, ";; wildcard SAN *.example.com has no TLSA "
	    "owner name - skipped\n"));
	assert_non_null(strstr(t, ";; IP SAN 192.0.2.1 has no TLSA owner "
	    "name - skipped\n"));
	assert_null(strstr(t, "*._"));
	assert_null(strstr(t, "._tcp.*"));
	assert_null(strstr(t, "  "));		/* single spaces (not wraps) */
	free(o);
	free(t);
	svc_free(&s);

	/* TTL 0 and -1: no TTL field. */
	for (int ttl = 0; ttl >= -1; ttl--) {
		svc_init(&s, ttl);
		svc_dane(&s, 443, 3, 1, 1, "");
		t = rr(ec_cert, &s, NULL);
		assert_non_null(strstr(t, "\n_443._tcp.example.com. IN TLSA "
		    "3 1 1 "));
		free(t);
		svc_free(&s);
	}
	/* MX wanted but no MX hosts: the apex record alone. */
	svc_init(&s, 60);
	svc_dane(&s, 25, 3, 1, 1, "");
	t = rr(ec_cert, &s, NULL);
	o = owners_of(t);
	assert_string_equal(o, "_25._tcp.example.com.");
	free(o);
	free(t);
	svc_free(&s);
	strlist_clear(&mx);
}

static void
test_rr_no_cert(void **state)
{
	struct sslm_service_cfg	 s;
	char			*t;

	(void)state;
	svc_init(&s, 1800);
	svc_dane(&s, 443, 3, 1, 1, "");
	t = rr(NULL, &s, NULL);
	assert_string_equal(t, ";;\n;; tlsa example.com mail " DATE1
	    "\n;;\n");
	assert_true(logged_has(" example.com tlsa: bad or missing cert - "
	    "skipping"));
	free(t);
	svc_free(&s);
}

static void
test_rr_write(void **state)
{
	struct sslm_service_cfg	 s;
	struct stat		 st;
	char			*db, *cp, *path, *t, *pem = NULL;
	BIO			*bio = BIO_new(BIO_s_mem());
	long			 n;

	(void)state;
	db = P("svc/db/" DATE2);
	cp = P("svc/db/" DATE2 "/cert.pem");
	path = P("svc/db/" DATE2 "/tlsa.rr");
	assert_true(PEM_write_bio_X509(bio, ec_cert));
	n = BIO_get_mem_data(bio, &pem);
	assert_int_equal(store_write_file(cp, pem, (size_t)n, 0644), 0);
	svc_init(&s, 1800);
	assert_int_equal(tlsa_rr_write(db, &s, "example.com", NULL, 0), 0);
	assert_int_equal(stat(path, &st), -1);	/* no dane_tls: no file */
	svc_dane(&s, 443, 3, 1, 1, "");
	umask(077);
	assert_int_equal(tlsa_rr_write(db, &s, "example.com", NULL, 0), 0);
	umask(022);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	t = slurp(path);
	assert_non_null(strstr(t, ";; tlsa example.com mail " DATE2 "\n"));
	assert_non_null(strstr(t, "_443._tcp.example.com. 1800 IN TLSA "));
	free(t);
	BIO_free(bio);
	free(db);
	free(cp);
	free(path);
	svc_free(&s);
}

/* ---- parser and hash ---- */

static void
test_parse(void **state)
{
	struct sslm_service_cfg	 s;
	struct tlsa_set		 set = { 0 };
	char			*t, *h;

	(void)state;
	/* Our own wrapped output parses back to the flat rdata. */
	svc_init(&s, 1800);
	svc_dane(&s, 443, 3, 0, 0, "");
	strlist_add(&s.sans, "www.example.com");
	t = rr(rsa_cert, &s, NULL);
	h = want_hex(rsa_cert, 0, 0);
	assert_int_equal(tlsa_parse(t, "t", &set), 0);
	assert_int_equal(set.n, 2);
	assert_string_equal(set.v[1].owner, "_443._tcp.www.example.com.");
	assert_true(strncmp(set.v[0].rdata, "3 0 0 ", 6) == 0);
	assert_string_equal(set.v[0].rdata + 6, h);
	tlsa_set_free(&set);
	free(t);
	free(h);
	svc_free(&s);

	/* Upstream's spacing, both orders of TTL/class, comments, case,
	 * split hex, duplicates. */
	assert_int_equal(tlsa_parse(
	    ";;\n;; tlsa x\n;;\n\n"
	    "_25._tcp.Example.com. 1800  IN TLSA 3 1 1 ABcd\n"
	    "_25._tcp.mx.example.com.  IN TLSA ( 3 1 2\n"
	    "                    abcd\n"
	    "                    ef01 )\n"
	    "_25._tcp.example.com. IN 60 TLSA 3 1 1 abcd ; same again\n"
	    ";; _26._tcp.example.com. IN TLSA 3 1 1 abcd\n"
	    "_27._tcp.example.com. tlsa 3 1 1 ab cd\n", "t", &set), 0);
	assert_int_equal(set.n, 3);
	assert_string_equal(set.v[0].owner, "_25._tcp.example.com.");
	assert_string_equal(set.v[0].rdata, "3 1 1 abcd");
	assert_string_equal(set.v[1].owner, "_25._tcp.mx.example.com.");
	assert_string_equal(set.v[1].rdata, "3 1 2 abcdef01");
	assert_string_equal(set.v[2].rdata, "3 1 1 abcd");
	assert_true(tlsa_set_has(&set, "_27._tcp.example.com.",
	    "3 1 1 abcd"));
	assert_false(tlsa_set_has(&set, "_26._tcp.example.com.",
	    "3 1 1 abcd"));
	{
		struct strlist	o = { 0 };

		tlsa_set_owners(&set, &o);
		assert_int_equal(o.n, 3);
		strlist_clear(&o);
	}
	tlsa_set_free(&set);

	/* Not ours: refused with the line number. */
	static const char *const bad[] = {
		"example.com. IN A 192.0.2.1\n",
		"_25._tcp.example.com IN TLSA 3 1 1 abcd\n",	/* relative */
		"_25._tcp.example.com. IN TLSA 3 1 1 abc\n",	/* odd hex */
		"_25._tcp.example.com. IN TLSA 3 1 1 xyz0\n",
		"_25._tcp.example.com. IN TLSA 3 1\n",
		"_25._tcp.example.com. IN TLSA 3 1 256 ab\n",
		"_25._tcp.example.com. IN TLSA ( 3 1 1 ab\n",	/* open */
		"_25._tcp.example.com. IN TLSA 3 1 1 ab )\n",
		"\n  IN TLSA 3 1 1 abcd\n",	/* "same owner" syntax */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tlsa_parse(bad[i], "bad", &set),
		    SSLM_ERR_PARSE);
		tlsa_set_free(&set);
	}
	assert_true(logged_has("bad:2: not a TLSA record"));
	assert_int_equal(tlsa_parse_file("/nonexistent/x", &set),
	    SSLM_ERR_NOTFOUND);
}

static void
test_hash(void **state)
{
	char	 a[TLSA_HASH_HEXLEN], b[TLSA_HASH_HEXLEN];
	char	 c[TLSA_HASH_HEXLEN];
	const char *t1 = ";;\n;; TLSA example.com : phase = normal\n;;\n"
	    "_25._tcp.example.com. IN TLSA 3 1 1 abcd\n\n";
	const char *t2 = ";;\n;; TLSA example.com : phase = roll next to "
	    "curr\n;;\n;; mail curr\n\n  _25._tcp.example.com. IN TLSA "
	    "3 1 1 abcd  \n;; _25._tcp.example.com. IN TLSA 3 1 1 ffff\n"
	    "; other\n\n\n";
	const char *t3 = ";;\n_25._tcp.example.com. IN TLSA 3 1 1 abce\n";

	(void)state;
	tlsa_hash_text(t1, strlen(t1), a);
	tlsa_hash_text(t2, strlen(t2), b);
	tlsa_hash_text(t3, strlen(t3), c);
	assert_int_equal(strlen(a), 64);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	/* Nothing but comments: the hash of no lines. */
	tlsa_hash_text(";;\n;; x\n", 8, a);
	tlsa_hash_text("", 0, b);
	assert_string_equal(a, b);
	assert_string_equal(a, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
}

/* ---- group file ---- */

/* Writes <svc>/db/<date>/tlsa.rr with mtime t and points link at it. */
static void
put_rr(const char *svc, const char *link, const char *date,
    const char *text, time_t t)
{
	struct timespec	 ts[2] = { { t, 0 }, { t, 0 } };
	char		*svcdir, *path, *target;

	svcdir = xasprintf("%s/certs/example.com/%s", tmpdir, svc);
	path = xasprintf("%s/db/%s/tlsa.rr", svcdir, date);
	target = xasprintf("db/%s", date);
	if (text != NULL) {
		assert_int_equal(store_write_file(path, text, strlen(text),
		    0644), 0);
		assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	} else
		(void)unlink(path);
	if (link != NULL)
		assert_int_equal(store_link_set(svcdir, link, target), 0);
	free(svcdir);
	free(path);
	free(target);
}

#define REC_A	"_25._tcp.example.com. 1800 IN TLSA 3 1 1 aaaa\n"
#define REC_B	"_25._tcp.example.com. 1800 IN TLSA 3 1 1 bbbb\n"
#define REC_W	"_443._tcp.example.com. IN TLSA ( 3 0 2\n" \
		"                    0123456789\n" \
		"                    abcdef )\n"
#define REC_W2	"_443._tcp.www.example.com. IN TLSA ( 3 0 2\n" \
		"                    0123456789\n" \
		"                    abcdef )\n"

static void
test_group_build(void **state)
{
	struct tlsa_group	 g = { 0 };
	struct strlist		 svcs = { 0 };
	struct tlsa_set		 set = { 0 };
	char			*grpdir = P("certs/example.com");

	(void)state;
	put_rr("mail", "curr", DATE1, ";;\n;; tlsa example.com mail x\n;;\n"
	    REC_A, 1000);
	put_rr("mail", "next", DATE2, ";;\n;; tlsa example.com mail y\n;;\n"
	    REC_A REC_B, 3000);
	put_rr("web", "curr", DATE1, ";;\n" REC_W REC_W2, 2000);
	/* Same key in next: the whole wrapped record becomes a comment. */
	put_rr("web", "next", DATE2, ";;\n" REC_W, 1500);
	put_rr("empty", "curr", DATE1, ";;\n;; no cert\n;;\n", 9000);
	strlist_add(&svcs, "web");
	strlist_add(&svcs, "mail");
	strlist_add(&svcs, "empty");
	strlist_add(&svcs, "ALL");
	strlist_add(&svcs, "mail");
	assert_int_equal(tlsa_group_build(grpdir, "example.com", &svcs,
	    TLSA_PHASE_NORMAL, &g), 0);
	assert_string_equal(g.text,
	    ";;\n;; TLSA example.com : phase = normal\n;;\n"
	    ";;\n;; mail curr\n;;\n" REC_A
	    ";;\n;; mail next\n;;\n;; " REC_A REC_B
	    ";;\n;; web curr\n;;\n" REC_W REC_W2
	    ";;\n;; web next\n;;\n"
	    ";; _443._tcp.example.com. IN TLSA ( 3 0 2\n"
	    ";;                     0123456789\n"
	    ";;                     abcdef )\n"
	    "\n");
	assert_int_equal(g.len, strlen(g.text));
	assert_int_equal(g.n_records, 4);
	assert_true(g.has_times);
	assert_int_equal(g.times[1].tv_sec, 3000);	/* "empty" ignored */
	/* The group file is valid zone text with exactly 4 records. */
	assert_int_equal(tlsa_parse(g.text, "g", &set), 0);
	assert_int_equal(set.n, 4);
	tlsa_set_free(&set);
	tlsa_group_free(&g);

	assert_int_equal(tlsa_group_build(grpdir, "example.com", &svcs,
	    TLSA_PHASE_ROLL, &g), 0);
	assert_true(strncmp(g.text, ";;\n;; TLSA example.com : phase = roll "
	    "next to curr\n;;\n", 45) == 0);
	tlsa_group_free(&g);

	/* A next that is a plain directory is absent (with a warning). */
	put_rr("mail", NULL, DATE2, NULL, 0);
	{
		char	*n = P("certs/example.com/mail/next");

		assert_int_equal(unlink(n), 0);
		assert_int_equal(mkdir(n, 0750), 0);
		free(n);
	}
	assert_int_equal(tlsa_group_build(grpdir, "example.com", &svcs,
	    TLSA_PHASE_NORMAL, &g), 0);
	assert_null(strstr(g.text, "mail next"));
	assert_true(logged_has("not a symlink"));
	tlsa_group_free(&g);

	/* An unparsable tlsa.rr fails the build. */
	put_rr("web", "next", DATE2, "garbage here\n", 1);
	assert_int_equal(tlsa_group_build(grpdir, "example.com", &svcs,
	    TLSA_PHASE_NORMAL, &g), SSLM_ERR_PARSE);
	strlist_clear(&svcs);
	free(grpdir);
}

static ino_t
ino_of(const char *p)
{
	struct stat	 st;

	return stat(p, &st) == 0 ? st.st_ino : 0;
}

static time_t
mtime_of(const char *p)
{
	struct stat	 st;

	return stat(p, &st) == 0 ? st.st_mtim.tv_sec : -1;
}

static void
test_group_update(void **state)
{
	struct strlist	 svcs = { 0 }, dirs = { 0 };
	struct tlsa_set	 set = { 0 };
	char		*grpdir = P("certs/example.com");
	char		*gf = P("certs/example.com/tlsa.example.com");
	char		*d1 = P("dns1"), *d2 = P("dns2");
	char		*c1 = P("dns1/tlsa.example.com");
	char		*c2 = P("dns2/tlsa.example.com");
	char		*t;
	ino_t		 i1, i2, ig;
	bool		 ch = true;

	(void)state;
	assert_int_equal(mkdir(d1, 0755), 0);
	assert_int_equal(mkdir(d2, 0755), 0);
	strlist_add(&dirs, d1);
	strlist_add(&dirs, d2);
	strlist_add(&svcs, "mail");

	/* No records, no file: nothing made, nothing changed. */
	assert_int_equal(tlsa_group_update(grpdir, "example.com",
	    "example.com", &svcs, TLSA_PHASE_NORMAL, &dirs, &ch), 0);
	assert_false(ch);
	assert_int_equal(ino_of(gf), 0);

	/* curr: written, copied, mtimes those of the tlsa.rr. */
	put_rr("mail", "curr", DATE1, ";;\n" REC_A, 100000);
	assert_int_equal(tlsa_group_update(grpdir, "example.com",
	    "example.com", &svcs, TLSA_PHASE_NORMAL, &dirs, &ch), 0);
	assert_true(ch);
	assert_int_equal(mtime_of(gf), 100000);
	assert_int_equal(mtime_of(c1), 100000);
	assert_int_equal(mtime_of(c2), 100000);
	t = slurp(c1);
	assert_non_null(strstr(t, REC_A));
	free(t);

	/* Unchanged, and a phase change alone: nothing rewritten. */
	ig = ino_of(gf);
	i1 = ino_of(c1);
	i2 = ino_of(c2);
	for (int ph = 0; ph < 2; ph++) {
		assert_int_equal(tlsa_group_update(grpdir, "example.com",
		    "example.com", &svcs, ph ? TLSA_PHASE_ROLL :
		    TLSA_PHASE_NORMAL, &dirs, &ch), 0);
		assert_false(ch);
		assert_int_equal(ino_of(gf), ig);
		assert_int_equal(ino_of(c1), i1);
		assert_int_equal(ino_of(c2), i2);
	}

	/* next appears (renew): rewritten and copied, newest mtime. */
	put_rr("mail", "next", DATE2, ";;\n" REC_B, 200000);
	assert_int_equal(tlsa_group_update(grpdir, "example.com",
	    "example.com", &svcs, TLSA_PHASE_NORMAL, &dirs, &ch), 0);
	assert_true(ch);
	assert_int_equal(mtime_of(gf), 200000);
	assert_int_equal(mtime_of(c2), 200000);
	assert_int_not_equal(ino_of(c1), i1);
	assert_int_equal(tlsa_parse_file(c2, &set), 0);
	assert_int_equal(set.n, 2);
	tlsa_set_free(&set);

	/* A lost copy is repaired, the other left alone. */
	i1 = ino_of(c1);
	assert_int_equal(unlink(c2), 0);
	assert_int_equal(tlsa_group_update(grpdir, "example.com",
	    "example.com", &svcs, TLSA_PHASE_NORMAL, &dirs, &ch), 0);
	assert_true(ch);
	assert_int_equal(ino_of(c1), i1);
	assert_int_not_equal(ino_of(c2), 0);
	assert_int_equal(mtime_of(c2), 200000);

	/* DANE removed: a header-only file replaces the stale records. */
	put_rr("mail", NULL, DATE1, NULL, 0);
	put_rr("mail", NULL, DATE2, NULL, 0);
	assert_int_equal(tlsa_group_update(grpdir, "example.com",
	    "example.com", &svcs, TLSA_PHASE_NORMAL, &dirs, &ch), 0);
	assert_true(ch);
	t = slurp(gf);
	assert_string_equal(t, ";;\n;; TLSA example.com : phase = normal\n"
	    ";;\n\n");
	free(t);
	assert_int_equal(tlsa_parse_file(c1, &set), 0);
	assert_int_equal(set.n, 0);
	assert_int_equal(tlsa_group_update(grpdir, "example.com",
	    "example.com", &svcs, TLSA_PHASE_NORMAL, &dirs, &ch), 0);
	assert_false(ch);

	/* NULL tlsa_dirs: "copy later", the group file alone, silently. */
	struct strlist none = { 0 };

	put_rr("mail", "curr", DATE1, ";;\n" REC_B, 250000);
	strlist_clear(&logged);
	assert_int_equal(tlsa_group_update(grpdir, "example.com",
	    "example.com", &svcs, TLSA_PHASE_NORMAL, NULL, &ch), 0);
	assert_true(ch);
	assert_false(logged_has("no [dns] tlsa_dirs"));

	/* An empty tlsa_dirs: a warning, not a failure. */
	put_rr("mail", "curr", DATE1, ";;\n" REC_A, 300000);
	assert_int_equal(tlsa_group_update(grpdir, "example.com",
	    "example.com", &svcs, TLSA_PHASE_NORMAL, &none, &ch), 0);
	assert_true(ch);
	assert_true(logged_has("no [dns] tlsa_dirs"));

	/* A tlsa_dirs entry that is not a directory: an error. */
	strlist_add(&dirs, "/nonexistent/dns");
	put_rr("mail", "curr", DATE1, ";;\n" REC_B, 400000);
	assert_int_equal(tlsa_group_update(grpdir, "example.com",
	    "example.com", &svcs, TLSA_PHASE_NORMAL, &dirs, &ch),
	    SSLM_ERR_NOTFOUND);
	assert_true(logged_has("tlsa_dirs /nonexistent/dns: not a "
	    "directory"));
	strlist_clear(&dirs);
	strlist_clear(&svcs);
	free(grpdir);
	free(gf);
	free(d1);
	free(d2);
	free(c1);
	free(c2);
}

/*
 * A real zone parser agrees that the group file, with commented-out
 * wrapped duplicates, is valid (skipped without named-checkzone).
 */
static void
test_group_zone_valid(void **state)
{
	static const char *const progs[] = { "/usr/bin/named-checkzone",
	    "/usr/sbin/named-checkzone" };
	struct sslm_service_cfg	 s;
	struct strlist		 svcs = { 0 };
	const char		*prog = NULL;
	char			*t, *zone, *ztext, *gf, *argv[5];
	pid_t			 pid;
	bool			 ch;
	int			 st;

	(void)state;
	for (size_t i = 0; i < 2; i++)
		if (access(progs[i], X_OK) == 0)
			prog = progs[i];
	if (prog == NULL)
		skip();
	svc_init(&s, 1800);
	svc_dane(&s, 443, 3, 0, 2, "");
	svc_dane(&s, 443, 3, 1, 1, "");
	strlist_add(&s.sans, "www.example.com");
	t = rr(rsa_cert, &s, NULL);
	put_rr("web", "curr", DATE1, t, 1000);
	put_rr("web", "next", DATE2, t, 2000);
	strlist_add(&svcs, "web");
	gf = P("certs/example.com");
	assert_int_equal(tlsa_group_update(gf, "example.com", "example.com",
	    &svcs, TLSA_PHASE_NORMAL, NULL, &ch), 0);
	free(gf);
	gf = P("certs/example.com/tlsa.example.com");
	zone = P("zone");
	ztext = xasprintf("$TTL 3600\n@ IN SOA ns1 host 1 3600 600 86400 "
	    "300\n@ IN NS ns1\nns1 IN A 192.0.2.1\n$INCLUDE %s\n", gf);
	assert_int_equal(store_write_file(zone, ztext, strlen(ztext), 0644),
	    0);
	argv[0] = (char *)prog;
	argv[1] = "-q";
	argv[2] = "example.com";
	argv[3] = zone;
	argv[4] = NULL;
	assert_int_equal(posix_spawn(&pid, prog, NULL, NULL, argv, environ),
	    0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	free(ztext);
	free(zone);
	free(gf);
	free(t);
	strlist_clear(&svcs);
	svc_free(&s);
}

static void
test_group_path(void **state)
{
	char	*p = tlsa_group_path("certs/example.com", "example.com");

	(void)state;
	assert_string_equal(p, "certs/example.com/tlsa.example.com");
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rr_exact, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rr_ec_all_types, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rr_rsa_all_types, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rr_owner_rules, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rr_no_cert, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rr_write, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_build, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_group_update, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_group_zone_valid, setup,
		    teardown),
		cmocka_unit_test(test_group_path),
	};
	int	 r;

	ec_cert = make_cert(false);
	rsa_cert = make_cert(true);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	X509_free(ec_cert);
	X509_free(rsa_cert);
	return r;
}
