/*
 * test-tools.c - the auxiliary tools (spec §21) with upstream's bugs fixed.
 *
 * Behaviours covered:
 *  - info: exact summary of a certificate, CSR, private/public keys (EC,
 *    RSA traditional, Ed25519, encrypted), DH parameters; every block of a
 *    chain or bundle; SAN wrapping; -v dumps that never show private
 *    material;
 *    garbage, truncated, mismatched, binary, oversized and too-many-block
 *    input reported (return 1) without crashing; output cap honoured
 *  - verify: exact header, direct check and path validation (self-signed
 *    root in chain.pem, -cafile, wrong chain, unrelated chain, expired,
 *    missing files, a file given instead of a directory)
 *  - dhparam: named group into <dir>/dh with the dhparam.pem link, no
 *    forced extra groups, default list, numeric size and -a age,
 *    regeneration with -f, -s subdirs skipping ca, missing directories and
 *    bad key items
 *  - tlsa-hash: Matched with the independently computed 3 1 1 hash;
 *    missing cert.pem
 * Keys and certificates are generated at run time.
 */
#include <sys/stat.h>
#include <sys/time.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "config.h"
#include "err.h"
#include "log.h"
#include "tools.h"
#include "util.h"
#include "x509.h"

#define NOW	((time_t)1775563659)	/* 2026-04-07 12:07:39 UTC */
#define DASH70	"-----------------------------------" \
		"-----------------------------------"
#define OUTMAX	(16 * 1024 * 1024)

struct chain {
	EVP_PKEY	*root_key, *int_key, *leaf_key;
	X509		*root, *inter, *leaf;
};

static struct chain	 C;	/* shared by the tests: made once */
static char		*leaf_pem, *int_pem, *root_pem;

static EVP_PKEY *
key_new(int type, const char *curve, int bits)
{
	struct x509_keyspec ks = { type, curve, bits };
	EVP_PKEY *pk = NULL;

	assert_int_equal(x509_key_generate(&ks, &pk), 0);
	return pk;
}

static X509 *
issue(EVP_PKEY *pk, const char *cn, const char *o, bool is_ca,
    const struct strlist *sans, X509 *ca, EVP_PKEY *ca_key, int days)
{
	struct x509_csrspec cs = { 0 };
	X509_REQ *req = NULL;
	X509 *x = NULL;

	cs.CN = cn;
	cs.O = o;
	cs.C = "US";
	cs.sans = sans;
	cs.is_ca = is_ca;
	assert_int_equal(x509_csr_build(&cs, pk, &req), 0);
	assert_int_equal(x509_issue(req, ca, ca_key, days, "sha384", is_ca,
	    NOW, &x), 0);
	X509_REQ_free(req);
	return x;
}

static char *
cert_pem(X509 *x)
{
	char *pem = NULL;
	size_t len;

	assert_int_equal(x509_cert_to_pem(x, &pem, &len), 0);
	return pem;
}

static char *
key_pem(EVP_PKEY *pk)
{
	char *pem = NULL;
	size_t len;

	assert_int_equal(x509_key_to_pem(pk, &pem, &len), 0);
	return pem;
}

static char *
tmpdir_new(void)
{
	char *d = xstrdup("/tmp/test-tools.XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void
tmpdir_free(char *d)
{
	nftw(d, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(d);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char *p = path_join(dir, name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static int
info(const char *text, size_t len, bool verbose, time_t now, struct buf *b)
{
	buf_init(b, OUTMAX);
	return tool_info(text, len, NULL, verbose, now, b);
}

static const char *
outp(const struct buf *b)
{
	return b->p != NULL ? b->p : "";
}

static size_t
count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* ---- info ---- */

static void
test_info_certificate_summary_exact(void **state)
{
	struct buf b;
	(void)state;

	assert_int_equal(info(leaf_pem, strlen(leaf_pem), false, NOW + 61,
	    &b), 0);
	assert_string_equal(outp(&b),
	    DASH70 "\nstdin\n\n"
	    "Expires  : 2026-07-06 12:07:39 UTC (  89d 23:58:59)\n"
	    "Issued   : 2026-04-07 12:07:39 UTC (   0d 00:01:01 ago) "
	    "(90 day cert)\n"
	    "Issuer   : O=Example,C=US,CN=Test Int\n"
	    "Subject  : C=US,CN=leaf.example.com\n"
	    "Sans     : leaf.example.com, www.example.com, 192.0.2.7, \n"
	    "Pubkey   : pubkey-secp256r1\n"
	    "Sig algo : ecdsa-with-SHA384\n");
	buf_free(&b);

	/* The file name is printed instead of stdin. */
	buf_init(&b, OUTMAX);
	assert_int_equal(tool_info(root_pem, strlen(root_pem), "root.pem",
	    false, NOW, &b), 0);
	assert_true(str_has_prefix(outp(&b), DASH70 "\nroot.pem\n\n"
	    "Expires  : 2036-04-04 12:07:39 UTC (3650d 00:00:00)\n"));
	assert_non_null(strstr(outp(&b), "Pubkey   : pubkey-secp384r1\n"));
	assert_null(strstr(outp(&b), "Sans"));
	buf_free(&b);
}

static void
test_info_sans_wrap_like_upstream(void **state)
{
	EVP_PKEY *pk = key_new(SSLM_KEY_EC, "secp256r1", 0);
	struct strlist sans = { 0 };
	struct buf b;
	X509 *x;
	char *pem, name[32];
	(void)state;

	/* 20-character names: the 4th passes 60 and wraps, the count then
	 * restarts at 0 so 4 more fit before the next wrap. */
	for (int i = 1; i <= 9; i++) {
		snprintf(name, sizeof(name), "host%d.example.test0", i);
		strlist_add(&sans, name);
	}
	x = issue(pk, "host1.example.test0", "", false, &sans, NULL, pk, 10);
	pem = cert_pem(x);
	assert_int_equal(info(pem, strlen(pem), false, NOW, &b), 0);
	assert_non_null(strstr(outp(&b),
	    "Sans     : host1.example.test0, host2.example.test0, "
	    "host3.example.test0, \n"
	    "           host4.example.test0, host5.example.test0, "
	    "host6.example.test0, host7.example.test0, \n"
	    "           host8.example.test0, host9.example.test0, \n"
	    "Pubkey"));
	buf_free(&b);
	free(pem);
	X509_free(x);
	strlist_clear(&sans);
	EVP_PKEY_free(pk);
}

static void
test_info_keys_csr_and_params(void **state)
{
	EVP_PKEY *ec = key_new(SSLM_KEY_EC, "secp384r1", 0);
	EVP_PKEY *rsa = key_new(SSLM_KEY_RSA, NULL, 2048);
	EVP_PKEY *ed = key_new(SSLM_KEY_ED25519, NULL, 0);
	struct x509_csrspec cs = { 0 };
	struct strlist sans = { 0 };
	X509_REQ *req = NULL;
	EVP_PKEY_CTX *pctx;
	EVP_PKEY *dh = NULL;
	char *pem, *data;
	size_t len;
	long n;
	BIO *bio;
	struct buf b;
	struct {
		char		*text;
		const char	*want;
	} t[6];
	(void)state;

	t[0].text = key_pem(ec);
	t[0].want = "Key algo : prvkey-secp384r1\n";
	bio = BIO_new(BIO_s_mem());
	PEM_write_bio_PUBKEY(bio, ec);
	n = BIO_get_mem_data(bio, &data);
	t[1].text = xstrndup(data, (size_t)n);
	t[1].want = "Key algo : pubkey-secp384r1\n";
	BIO_free(bio);
	bio = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey_traditional(bio, rsa, NULL, NULL, 0, NULL,
	    NULL);
	n = BIO_get_mem_data(bio, &data);
	t[2].text = xstrndup(data, (size_t)n);
	assert_true(str_has_prefix(t[2].text,
	    "-----BEGIN RSA PRIVATE KEY-----"));
	t[2].want = "Key algo : prvkey-rsa-2048\n";
	BIO_free(bio);
	t[3].text = key_pem(ed);
	t[3].want = "Key algo : prvkey-ed25519\n";

	cs.CN = "csr.example.com";
	cs.O = "Example";
	strlist_add(&sans, "2001:db8::1");
	cs.sans = &sans;
	assert_int_equal(x509_csr_build(&cs, ec, &req), 0);
	assert_int_equal(x509_csr_to_pem(req, &pem, &len), 0);
	t[4].text = pem;
	t[4].want = "Subject  : O=Example,CN=csr.example.com\n"
	    "Sans     : csr.example.com, 2001:db8::1, \n"
	    "Pubkey   : pubkey-secp384r1\n"
	    "Sig algo : ecdsa-with-SHA384\n";

	pctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	EVP_PKEY_paramgen_init(pctx);
	OSSL_PARAM p[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
		    (char *)"ffdhe3072", 0),
		OSSL_PARAM_construct_end()
	};
	EVP_PKEY_CTX_set_params(pctx, p);
	assert_true(EVP_PKEY_paramgen(pctx, &dh) > 0);
	bio = BIO_new(BIO_s_mem());
	PEM_write_bio_Parameters(bio, dh);
	n = BIO_get_mem_data(bio, &data);
	t[5].text = xstrndup(data, (size_t)n);
	t[5].want = "Key algo : params-dh-3072\n";
	BIO_free(bio);

	for (size_t i = 0; i < 6; i++) {
		char *want = xasprintf(DASH70 "\nstdin\n\n%s", t[i].want);

		assert_int_equal(info(t[i].text, strlen(t[i].text), false,
		    NOW, &b), 0);
		if (strcmp(outp(&b), want) != 0)
			fail_msg("row %zu: got\n%s\nwant\n%s", i, outp(&b),
			    want);
		buf_free(&b);
		free(want);

		/* -v adds the dump; a private key never shows secrets. */
		assert_int_equal(info(t[i].text, strlen(t[i].text), true,
		    NOW, &b), 0);
		assert_true(b.len > strlen(t[i].want) + 80);
		assert_null(strstr(outp(&b), "priv:"));
		assert_null(strstr(outp(&b), "privateExponent"));
		assert_null(strstr(outp(&b), "prime1"));
		if (i < 4)
			assert_non_null(strstr(outp(&b), i == 2 ?
			    "Modulus" : "pub:"));
		buf_free(&b);
		if (i == 0 || i == 3)
			freezero_secret(t[i].text, strlen(t[i].text));
		else
			free(t[i].text);
	}
	/* An encrypted key is named, never decrypted (nor prompted for). */
	bio = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PKCS8PrivateKey(bio, ec, EVP_aes_128_cbc(),
	    NULL, 0, NULL, (void *)"test-passphrase"));
	n = BIO_get_mem_data(bio, &data);
	assert_int_equal(info(data, (size_t)n, true, NOW, &b), 0);
	assert_string_equal(outp(&b), DASH70 "\nstdin\n\nKey algo : "
	    "encrypted private key (not decrypted)\n");
	buf_free(&b);
	BIO_free(bio);

	strlist_clear(&sans);
	X509_REQ_free(req);
	EVP_PKEY_CTX_free(pctx);
	EVP_PKEY_free(dh);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ed);
}

static void
test_info_chain_and_bundle_show_every_block(void **state)
{
	char *key = key_pem(C.leaf_key);
	char *bundle = xasprintf("%s%s%s%s", key, leaf_pem, int_pem,
	    root_pem);
	char *comments = xasprintf("# bundle\n%s# between\n%s", int_pem,
	    root_pem);
	struct buf b;
	(void)state;

	assert_int_equal(info(bundle, strlen(bundle), false, NOW, &b), 0);
	assert_int_equal(count_of(outp(&b), DASH70 "\nstdin\n\n"), 4);
	assert_int_equal(count_of(outp(&b), "Expires  : "), 3);
	assert_int_equal(count_of(outp(&b), "Key algo : prvkey-secp256r1"), 1);
	assert_non_null(strstr(outp(&b), "Subject  : O=Example,C=US,"
	    "CN=Test Int\n"));
	buf_free(&b);
	assert_int_equal(info(comments, strlen(comments), false, NOW, &b), 0);
	assert_int_equal(count_of(outp(&b), "Expires  : "), 2);
	buf_free(&b);
	freezero_secret(key, strlen(key));
	freezero_secret(bundle, strlen(bundle));
	free(comments);
}

static void
test_info_reports_bad_input(void **state)
{
	static char binary[65536];
	char *trunc = xstrndup(leaf_pem, 300);
	char *good_bad = xasprintf("%s-----BEGIN CERTIFICATE-----\nAAAA\n"
	    "-----END CERTIFICATE-----\n", leaf_pem);
	char *crlf = NULL, *commented, *q;
	const char *p;
	struct buf b;
	struct {
		const char	*text;
		size_t		 len;
		const char	*want;
		int		 rc;
	} t[] = {
		{ "", 0, "stdin: no PEM data found\n", 1 },
		{ "hello world\n", 12, "stdin: no PEM data found\n", 1 },
		{ "-----BEGIN CERTIFICATE-----\nAAAA\n"
		  "-----END CERTIFICATE-----\n", 0,
		  "stdin: block 1 (CERTIFICATE): not a valid certificate: ",
		  1 },
		{ trunc, 0,
		  "stdin: block 1 (CERTIFICATE): truncated: no END line\n", 1 },
		{ "-----BEGIN CERTIFICATE-----\nAAAA\n-----END X509 CRL-----\n",
		  0, "stdin: block 1 (CERTIFICATE): END line does not match "
		  "BEGIN\n", 1 },
		{ "-----BEGIN PRIVATE KEY-----\nAAAA\n"
		  "-----END PRIVATE KEY-----\n", 0,
		  "stdin: block 1 (PRIVATE KEY): not a valid key: ", 1 },
		{ "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"
		  "-----END CERTIFICATE REQUEST-----\n", 0,
		  "stdin: block 1 (CERTIFICATE REQUEST): not a valid "
		  "certificate request: ", 1 },
		{ "-----BEGIN \x1b[31m-----\nAAAA\n-----END \x1b[31m-----\n", 0,
		  "stdin: no PEM data found\n", 1 },
		{ "-----BEGIN A-----\n-----BEGIN CERTIFICATE-----\n", 0,
		  "stdin: block 1 (A): truncated: no END line\n", 1 },
		{ good_bad, 0, "Sig algo : ecdsa-with-SHA384\n" DASH70
		  "\nstdin\n\nstdin: block 2 (CERTIFICATE): not a valid "
		  "certificate: ", 1 },
		{ binary, sizeof(binary), NULL, 1 },
		{ NULL, 0, "Subject  : C=US,CN=leaf.example.com\n", 0 },
		{ NULL, 0, "Subject  : C=US,CN=leaf.example.com\n", 0 },
	};
	size_t n = sizeof(t) / sizeof(t[0]);
	(void)state;

	/* Binary garbage, NULs included, with a marker in the middle. */
	srand(7);
	for (size_t i = 0; i < sizeof(binary); i++)
		binary[i] = (char)(rand() & 0xff);
	memcpy(binary + 1000, "\n-----BEGIN CERTIFICATE-----\n", 29);
	/* CRLF line ends and '#' lines inside the block are fine. */
	crlf = xmalloc(2 * strlen(leaf_pem) + 1);
	for (p = leaf_pem, q = crlf; *p; p++) {
		if (*p == '\n')
			*q++ = '\r';
		*q++ = *p;
	}
	*q = '\0';
	t[n - 2].text = crlf;
	commented = xasprintf("%.28s# a comment\n%s", leaf_pem, leaf_pem + 28);
	t[n - 1].text = commented;

	for (size_t i = 0; i < n; i++) {
		size_t len = t[i].len ? t[i].len : strlen(t[i].text);
		int rc = info(t[i].text, len, false, NOW, &b);

		if (rc != t[i].rc)
			fail_msg("row %zu: rc %d, want %d:\n%s", i, rc, t[i].rc,
			    outp(&b));
		if (t[i].want != NULL && strstr(outp(&b), t[i].want) == NULL)
			fail_msg("row %zu: no '%s' in\n%s", i, t[i].want,
			    outp(&b));
		/* Nothing raw from the input reaches the output. */
		assert_null(strchr(outp(&b), '\x1b'));
		buf_free(&b);
	}
	free(trunc);
	free(good_bad);
	free(crlf);
	free(commented);
}

static void
test_info_limits(void **state)
{
	size_t big = 4 * 1024 * 1024 + 1, one = strlen("-----BEGIN X-----\n"
	    "-----END X-----\n");
	char *text = xmalloc(big);
	struct buf b;
	(void)state;

	memset(text, 'A', big);
	assert_int_equal(info(text, big, false, NOW, &b), 1);
	assert_non_null(strstr(outp(&b), "stdin: input too large"));
	buf_free(&b);

	for (size_t i = 0; i < 5000; i++)
		memcpy(text + i * one, "-----BEGIN X-----\n-----END X-----\n",
		    one);
	assert_int_equal(info(text, 5000 * one, false, NOW, &b), 1);
	assert_int_equal(count_of(outp(&b), "): not a valid certificate"),
	    4096);
	assert_non_null(strstr(outp(&b), "stdin: more than 4096 PEM blocks, "
	    "the rest is ignored\n"));
	buf_free(&b);

	/* A full output buffer is an error, not a crash. */
	buf_init(&b, 100);
	assert_int_equal(tool_info(leaf_pem, strlen(leaf_pem), NULL, false,
	    NOW, &b), SSLM_ERR_TOOBIG);
	buf_free(&b);
	free(text);
}

/* ---- verify ---- */

static char *
verify_dir(const char *cert, const char *chain)
{
	char *d = tmpdir_new();

	if (cert != NULL)
		write_file(d, "cert.pem", cert);
	if (chain != NULL)
		write_file(d, "chain.pem", chain);
	return d;
}

static void
test_verify_good_chain(void **state)
{
	char *chain = xasprintf("%s%s", int_pem, root_pem);
	char *d = verify_dir(leaf_pem, chain), *f, *ca;
	struct buf b;
	(void)state;

	buf_init(&b, OUTMAX);
	assert_int_equal(tool_verify(d, NULL, NOW + 60, &b), 0);
	assert_true(str_has_prefix(outp(&b), "-------------------\n"
	    "\tCertificate ** Verified **\n"
	    "\tPath validation ** Verified ** trust anchor: self-signed root "
	    "at the end of chain.pem\n"
	    "Certificate Info:\n"
	    "Expires  : 2026-07-06 12:07:39 UTC (  89d 23:59:00)\n"));
	assert_non_null(strstr(outp(&b), "Sig algo : ecdsa-with-SHA384\n\n\n"
	    "-------------------\nChain Info:\nExpires  : "));
	assert_int_equal(count_of(outp(&b), "Expires  : "), 3);
	buf_free(&b);

	/* A file stands for its directory. */
	f = path_join(d, "cert.pem");
	buf_init(&b, OUTMAX);
	assert_int_equal(tool_verify(f, NULL, NOW + 60, &b), 0);
	buf_free(&b);

	/* chain.pem without the root: trust comes from -cafile. */
	write_file(d, "chain.pem", int_pem);
	write_file(d, "root.pem", root_pem);
	ca = path_join(d, "root.pem");
	buf_init(&b, OUTMAX);
	assert_int_equal(tool_verify(d, ca, NOW + 60, &b), 0);
	assert_non_null(strstr(outp(&b), "trust anchor: "));
	buf_free(&b);
	/* ... and without it the system store does not know our root. */
	buf_init(&b, OUTMAX);
	assert_int_equal(tool_verify(d, NULL, NOW + 60, &b), 1);
	assert_non_null(strstr(outp(&b), "\tCertificate ** Verified **\n"
	    "\tPath validation ** Failed ** unable to get local issuer "
	    "certificate"));
	buf_free(&b);

	free(f);
	free(ca);
	free(chain);
	tmpdir_free(d);
}

static void
test_verify_failures(void **state)
{
	EVP_PKEY *k = key_new(SSLM_KEY_EC, "secp256r1", 0);
	X509 *fake, *other;
	char *fake_pem, *other_pem, *d, *chain;
	struct buf b;
	struct {
		const char	*chain;
		time_t		 now;
		const char	*want[2];
	} t[3];
	(void)state;

	/* Same name as the intermediate, other key: the signature fails. */
	fake = issue(k, "Test Int", "Example", true, NULL, C.root, C.root_key,
	    30);
	other = issue(k, "Other CA", "Other", true, NULL, NULL, k, 30);
	fake_pem = cert_pem(fake);
	other_pem = cert_pem(other);
	t[0].chain = chain = xasprintf("%s%s", fake_pem, root_pem);
	t[0].now = NOW + 60;
	t[0].want[0] = "\tCertificate ** Failed **\nCert bad: signature fails "
	    "to verify\n";
	/* OpenSSL passes over it (its SKI is not the leaf's AKI). */
	t[0].want[1] = "\tPath validation ** Failed ** unable to get local "
	    "issuer certificate (depth 0: C=US,CN=leaf.example.com; ";
	t[1].chain = other_pem;
	t[1].now = NOW + 60;
	t[1].want[0] = "\tCertificate ** Failed **\nCert bad: issuer name "
	    "doesn't match the subject of the first chain cert\n";
	t[1].want[1] = "\tPath validation ** Failed ** unable to get local "
	    "issuer certificate";
	t[2].chain = NULL;
	t[2].now = NOW + 91 * 86400;
	t[2].want[0] = "\tCertificate ** Verified **\n";
	t[2].want[1] = "\tPath validation ** Failed ** certificate has "
	    "expired (depth 0: ";

	for (size_t i = 0; i < 3; i++) {
		char *c2 = t[i].chain ? xstrdup(t[i].chain) :
		    xasprintf("%s%s", int_pem, root_pem);

		d = verify_dir(leaf_pem, c2);
		buf_init(&b, OUTMAX);
		assert_int_equal(tool_verify(d, NULL, t[i].now, &b), 1);
		for (int j = 0; j < 2; j++)
			if (strstr(outp(&b), t[i].want[j]) == NULL)
				fail_msg("row %zu: no '%s' in\n%s", i,
				    t[i].want[j], outp(&b));
		buf_free(&b);
		tmpdir_free(d);
		free(c2);
	}

	/* Missing files. */
	d = verify_dir(leaf_pem, NULL);
	buf_init(&b, OUTMAX);
	assert_int_equal(tool_verify(d, NULL, NOW, &b), 1);
	{
		char *want = xasprintf("Failed to find cert.pem, chain.pem "
		    "given %s\n", d);

		assert_string_equal(outp(&b), want);
		free(want);
	}
	buf_free(&b);
	tmpdir_free(d);

	/* An unparsable cert.pem fails both checks and is reported. */
	d = verify_dir("-----BEGIN CERTIFICATE-----\nAAAA\n"
	    "-----END CERTIFICATE-----\n", root_pem);
	buf_init(&b, OUTMAX);
	assert_int_equal(tool_verify(d, NULL, NOW, &b), 1);
	assert_non_null(strstr(outp(&b), "Failed to read cert or chain "
	    "file\n"));
	assert_non_null(strstr(outp(&b), "block 1 (CERTIFICATE): not a valid "
	    "certificate: "));
	buf_free(&b);
	tmpdir_free(d);

	free(chain);
	free(fake_pem);
	free(other_pem);
	X509_free(fake);
	X509_free(other);
	EVP_PKEY_free(k);
}

/* ---- dhparam ---- */

static char *
link_of(const char *dir, const char *name)
{
	char *p = path_join(dir, name), buf[256];
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);

	free(p);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

static EVP_PKEY *
params_load(const char *path)
{
	BIO *bio = BIO_new_file(path, "r");
	EVP_PKEY *pk = NULL;

	if (bio != NULL)
		pk = PEM_read_bio_Parameters(bio, NULL);
	BIO_free(bio);
	return pk;
}

/* The RFC 7919 group of a parameter file, as OpenSSL recognises it. */
static char *
group_of(const char *path)
{
	EVP_PKEY *pk = params_load(path);
	char name[64];
	size_t len;
	if (pk == NULL || !EVP_PKEY_get_utf8_string_param(pk,
	    OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len))
		snprintf(name, sizeof(name), "none");
	EVP_PKEY_free(pk);
	return xstrdup(name);
}

static void
test_dhparam_named_group_and_link(void **state)
{
	struct dhparam_opts o = { "ffdhe2048", false, 120, false };
	char *d = tmpdir_new(), *dh = path_join(d, "dh"), *want, *s, *f;
	char *dirs[1] = { d };
	struct stat st;
	struct buf b;
	(void)state;

	buf_init(&b, OUTMAX);
	assert_int_equal(tool_dhparam(&o, 1, dirs, NOW, &b), 0);
	want = xasprintf(" dhparam : %s\n         : %s/dh\n"
	    "           - ffdhe2048\n"
	    "             default %s/dh/dhparam.pem -> dh-ffdhe2048.pem\n",
	    d, d, d);
	assert_string_equal(outp(&b), want);
	free(want);
	buf_free(&b);
	assert_int_equal(stat(dh, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	s = link_of(dh, "dhparam.pem");
	assert_string_equal(s, "dh-ffdhe2048.pem");
	free(s);
	f = path_join(dh, "dh-ffdhe2048.pem");
	s = group_of(f);
	assert_string_equal(s, "ffdhe2048");
	free(s);
	/* Only what was asked for: no forced ffdhe8192/6144/4096. */
	s = path_join(dh, "dh-ffdhe8192.pem");
	assert_int_not_equal(access(s, F_OK), 0);
	free(s);

	/* A second run has nothing to do; -f makes the file again. */
	buf_init(&b, OUTMAX);
	assert_int_equal(tool_dhparam(&o, 1, dirs, NOW, &b), 0);
	assert_null(strstr(outp(&b), "- ffdhe2048"));
	assert_null(strstr(outp(&b), "default"));
	buf_free(&b);
	o.force = true;
	buf_init(&b, OUTMAX);
	assert_int_equal(tool_dhparam(&o, 1, dirs, NOW, &b), 0);
	assert_non_null(strstr(outp(&b), "           - ffdhe2048\n"));
	buf_free(&b);

	/* A lost link is made again even when no file is due. */
	s = path_join(dh, "dhparam.pem");
	unlink(s);
	free(s);
	o.force = false;
	buf_init(&b, OUTMAX);
	assert_int_equal(tool_dhparam(&o, 1, dirs, NOW, &b), 0);
	assert_non_null(strstr(outp(&b), "default"));
	buf_free(&b);
	s = link_of(dh, "dhparam.pem");
	assert_string_equal(s, "dh-ffdhe2048.pem");
	free(s);

	free(f);
	free(dh);
	tmpdir_free(d);
}

static void
test_dhparam_default_list_links_first_named(void **state)
{
	static const char *names[] = { "ffdhe8192", "ffdhe6144", "ffdhe4096",
	    "ffdhe3072", "ffdhe2048" };
	struct dhparam_opts o = { NULL, false, 120, false };
	char *d = tmpdir_new(), *dh = path_join(d, "dh"), *s;
	char *dirs[1] = { d };
	struct buf b;
	(void)state;

	buf_init(&b, OUTMAX);
	assert_int_equal(tool_dhparam(&o, 1, dirs, NOW, &b), 0);
	buf_free(&b);
	for (size_t i = 0; i < 5; i++) {
		char *f = xasprintf("%s/dh-%s.pem", dh, names[i]);

		s = group_of(f);
		assert_string_equal(s, names[i]);
		free(s);
		free(f);
	}
	/* Upstream crashed here and never made the link (spec §19.18). */
	s = link_of(dh, "dhparam.pem");
	assert_string_equal(s, "dh-ffdhe8192.pem");
	free(s);
	free(dh);
	tmpdir_free(d);
}

static void
test_dhparam_numeric_size_and_age(void **state)
{
	struct dhparam_opts o = { "ffdhe2048,512", false, 1, false };
	char *d = tmpdir_new(), *dh = path_join(d, "dh"), *s, *f;
	char *dirs[1] = { d };
	struct timeval old[2] = { { NOW - 3 * 86400, 0 },
	    { NOW - 3 * 86400, 0 } };
	struct buf b;
	EVP_PKEY *pk;
	(void)state;

	buf_init(&b, OUTMAX);
	assert_int_equal(tool_dhparam(&o, 1, dirs, NOW, &b), 0);
	assert_non_null(strstr(outp(&b), "           - 512\n"));
	buf_free(&b);
	/* The first numeric size wins the link. */
	s = link_of(dh, "dhparam.pem");
	assert_string_equal(s, "dh512.pem");
	free(s);
	f = path_join(dh, "dh512.pem");
	pk = params_load(f);
	assert_non_null(pk);
	assert_int_equal(EVP_PKEY_get_bits(pk), 512);
	EVP_PKEY_free(pk);

	/* Fresh: nothing to do.  Older than -a days: made again; named
	 * groups never age. */
	buf_init(&b, OUTMAX);
	assert_int_equal(tool_dhparam(&o, 1, dirs, NOW, &b), 0);
	assert_null(strstr(outp(&b), "- 512"));
	buf_free(&b);
	assert_int_equal(utimes(f, old), 0);
	s = path_join(dh, "dh-ffdhe2048.pem");
	assert_int_equal(utimes(s, old), 0);
	free(s);
	buf_init(&b, OUTMAX);
	assert_int_equal(tool_dhparam(&o, 1, dirs, NOW, &b), 0);
	assert_non_null(strstr(outp(&b), "           - 512\n"));
	assert_null(strstr(outp(&b), "- ffdhe2048"));
	buf_free(&b);
	free(f);
	free(dh);
	tmpdir_free(d);
}

static void
test_dhparam_subdirs_and_bad_input(void **state)
{
	struct dhparam_opts o = { "ffdhe2048", false, 120, true };
	char *d = tmpdir_new(), *e = tmpdir_new(), *s, *want;
	char *dirs[3];
	struct buf b;
	static const char *bad[] = { "ffdhe1234", "../x", "100", "20000",
	    "a b", ",,", "" };
	(void)state;

	for (int i = 0; i < 4; i++) {
		static const char *sub[] = { "a.com", "CA", "b.org", ".hid" };

		s = path_join(d, sub[i]);
		assert_int_equal(mkdir(s, 0755), 0);
		free(s);
	}
	write_file(d, "file", "x");
	dirs[0] = d;
	dirs[1] = (char *)"/nonexistent/dir";
	dirs[2] = e;
	buf_init(&b, OUTMAX);
	assert_int_equal(tool_dhparam(&o, 3, dirs, NOW, &b), 0);
	want = xasprintf("Warning : no such directory: /nonexistent/dir - "
	    "ignoring\n dhparam : %s\n         : %s/a.com/dh\n", d, d);
	assert_true(str_has_prefix(outp(&b), want));
	free(want);
	want = xasprintf(" dhparam : %s\nNo domain subdirs found in %s\n", e,
	    e);
	assert_non_null(strstr(outp(&b), want));
	free(want);
	buf_free(&b);
	s = xasprintf("%s/b.org/dh/dhparam.pem", d);
	assert_int_equal(access(s, F_OK), 0);
	free(s);
	s = xasprintf("%s/CA/dh", d);
	assert_int_not_equal(access(s, F_OK), 0);
	free(s);

	/* No usable directory at all. */
	buf_init(&b, OUTMAX);
	assert_int_equal(tool_dhparam(&o, 1, dirs + 1, NOW, &b),
	    SSLM_ERR_USAGE);
	assert_string_equal(outp(&b), "Warning : no such directory: "
	    "/nonexistent/dir - ignoring\nNo usable directories\n");
	buf_free(&b);

	/* Bad key items are refused before anything is made. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.keys = bad[i];
		buf_init(&b, OUTMAX);
		assert_int_equal(tool_dhparam(&o, 1, dirs + 2, NOW, &b),
		    SSLM_ERR_USAGE);
		assert_true(str_has_prefix(outp(&b), "Error: "));
		buf_free(&b);
	}
	o.keys = "ffdhe2048";
	o.age_days = -1;
	buf_init(&b, OUTMAX);
	assert_int_equal(tool_dhparam(&o, 1, dirs, NOW, &b), SSLM_ERR_USAGE);
	buf_free(&b);
	tmpdir_free(d);
	tmpdir_free(e);
}

/* ---- tlsa-hash ---- */

static void
test_tlsa_hash(void **state)
{
	char *d = verify_dir(leaf_pem, NULL), *want;
	unsigned char *der = NULL, md[32];
	char hex[65];
	size_t mdlen;
	int len;
	struct buf b;
	(void)state;

	len = i2d_PUBKEY(X509_get0_pubkey(C.leaf), &der);
	assert_true(EVP_Q_digest(NULL, "SHA256", NULL, der, (size_t)len, md,
	    &mdlen));
	OPENSSL_free(der);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	buf_init(&b, OUTMAX);
	assert_int_equal(tool_tlsa_hash(d, &b), 0);
	want = xasprintf("Matched:\ntlsa hash: %s\n", hex);
	assert_string_equal(outp(&b), want);
	free(want);
	buf_free(&b);

	tmpdir_free(d);
	d = tmpdir_new();
	buf_init(&b, OUTMAX);
	assert_int_equal(tool_tlsa_hash(d, &b), 1);
	want = xasprintf("Error: Missing cert file : %s/cert.pem\n", d);
	assert_string_equal(outp(&b), want);
	free(want);
	buf_free(&b);
	tmpdir_free(d);
}

static int
setup(void **state)
{
	struct strlist sans = { 0 };
	(void)state;

	C.root_key = key_new(SSLM_KEY_EC, "secp384r1", 0);
	C.int_key = key_new(SSLM_KEY_EC, "secp256r1", 0);
	C.leaf_key = key_new(SSLM_KEY_EC, "secp256r1", 0);
	C.root = issue(C.root_key, "Test Root", "Example", true, NULL, NULL,
	    C.root_key, 3650);
	C.inter = issue(C.int_key, "Test Int", "Example", true, NULL, C.root,
	    C.root_key, 1825);
	strlist_add(&sans, "www.example.com");
	strlist_add(&sans, "192.0.2.7");
	C.leaf = issue(C.leaf_key, "leaf.example.com", "", false, &sans,
	    C.inter, C.int_key, 90);
	strlist_clear(&sans);
	leaf_pem = cert_pem(C.leaf);
	int_pem = cert_pem(C.inter);
	root_pem = cert_pem(C.root);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(C.root_key);
	EVP_PKEY_free(C.int_key);
	EVP_PKEY_free(C.leaf_key);
	X509_free(C.root);
	X509_free(C.inter);
	X509_free(C.leaf);
	free(leaf_pem);
	free(int_pem);
	free(root_pem);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_certificate_summary_exact),
		cmocka_unit_test(test_info_sans_wrap_like_upstream),
		cmocka_unit_test(test_info_keys_csr_and_params),
		cmocka_unit_test(test_info_chain_and_bundle_show_every_block),
		cmocka_unit_test(test_info_reports_bad_input),
		cmocka_unit_test(test_info_limits),
		cmocka_unit_test(test_verify_good_chain),
		cmocka_unit_test(test_verify_failures),
		cmocka_unit_test(test_dhparam_named_group_and_link),
		cmocka_unit_test(test_dhparam_default_list_links_first_named),
		cmocka_unit_test(test_dhparam_numeric_size_and_age),
		cmocka_unit_test(test_dhparam_subdirs_and_bad_input),
		cmocka_unit_test(test_tlsa_hash),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
