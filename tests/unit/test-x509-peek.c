/*
 * test-x509-peek.c - the key-free certificate peek of the status (-s)
 * against the full parse (x509_load_cert + x509_certinfo_get).
 *
 * Behaviours covered:
 *  - for EC P-256/P-384/P-521, RSA 2048/3072, Ed25519 and Ed448 leaves
 *    and CA certs, every field of the peek equals the full parse (with and
 *    without the full fields); without them subject, issuer, sans and the
 *    fingerprint stay empty
 *  - UTF-8, T61 and BMP names convert as OpenSSL converts them
 *  - an absent file is SSLM_ERR_NOTFOUND; what the peek does not know
 *    (CRLF lines, a header, text before the block, a v1 certificate,
 *    explicit EC parameters, garbage, a truncated body) is a non-zero
 *    return that sends the caller to the full parse, never a wrong summary
 */
#include <sys/stat.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "config.h"
#include "err.h"
#include "log.h"
#include "store.h"
#include "util.h"
#include "x509.h"

#define NOW	((time_t)1775563659)	/* 2026-04-07 12:07:39 UTC */

static char	 tmpl[] = "/tmp/sslm-peek.XXXXXX";
static char	*dir;

static void
quiet(void *ctx, enum sslm_level lvl, const char *msg)
{
	(void)ctx;
	(void)lvl;
	(void)msg;
}

static EVP_PKEY *
key_new(int type, const char *curve, int bits)
{
	struct x509_keyspec ks = { type, curve, bits };
	EVP_PKEY *pk = NULL;

	assert_int_equal(x509_key_generate(&ks, &pk), 0);
	return pk;
}

static X509 *
issue(EVP_PKEY *pk, const char *cn, const char *o, bool is_ca, X509 *ca,
    EVP_PKEY *ca_key)
{
	struct x509_csrspec cs = { 0 };
	struct strlist sans = { 0 };
	X509_REQ *req = NULL;
	X509 *x = NULL;

	cs.CN = cn;
	cs.O = o;
	cs.C = "US";
	if (!is_ca) {
		strlist_add(&sans, "www.example.com");
		strlist_add(&sans, "192.0.2.7");
		strlist_add(&sans, "2001:db8::5");
	}
	cs.sans = &sans;
	cs.is_ca = is_ca;
	assert_int_equal(x509_csr_build(&cs, pk, &req), 0);
	assert_int_equal(x509_issue(req, ca, ca_key ? ca_key : pk, 90,
	    "sha384", is_ca, NOW, &x), 0);
	X509_REQ_free(req);
	strlist_clear(&sans);
	return x;
}

static char *
write_pem(const char *name, X509 *x)
{
	char *p = path_join(dir, name), *pem;
	size_t len;

	assert_int_equal(x509_cert_to_pem(x, &pem, &len), 0);
	assert_int_equal(store_write_file(p, pem, len, 0644), 0);
	free(pem);
	return p;
}

/* The peek of the file of x equals the full parse, field by field. */
static void
same_as_full(X509 *x)
{
	struct x509_certinfo full, pk, lean;
	X509 *y = NULL;
	char *p = write_pem("cert.pem", x);

	assert_int_equal(x509_load_cert(p, &y), 0);
	assert_int_equal(x509_certinfo_get(y, &full), 0);
	assert_int_equal(x509_certinfo_peek(p, true, &pk), 0);
	assert_int_equal(pk.not_before, full.not_before);
	assert_int_equal(pk.not_after, full.not_after);
	assert_string_equal(pk.subject, full.subject);
	assert_string_equal(pk.issuer, full.issuer);
	assert_string_equal(pk.subject_cn, full.subject_cn);
	assert_string_equal(pk.issuer_cn, full.issuer_cn);
	assert_string_equal(pk.issuer_o, full.issuer_o);
	assert_int_equal(pk.sans.n, full.sans.n);
	for (size_t i = 0; i < full.sans.n; i++)
		assert_string_equal(pk.sans.v[i], full.sans.v[i]);
	assert_string_equal(pk.pubkey, full.pubkey);
	assert_string_equal(pk.sig_algo, full.sig_algo);
	assert_string_equal(pk.sha256_fp, full.sha256_fp);
	assert_int_equal(pk.is_ca, full.is_ca);

	assert_int_equal(x509_certinfo_peek(p, false, &lean), 0);
	assert_int_equal(lean.not_after, full.not_after);
	assert_string_equal(lean.subject_cn, full.subject_cn);
	assert_string_equal(lean.issuer_cn, full.issuer_cn);
	assert_string_equal(lean.issuer_o, full.issuer_o);
	assert_string_equal(lean.pubkey, full.pubkey);
	assert_null(lean.subject);
	assert_null(lean.issuer);
	assert_int_equal(lean.sans.n, 0);
	assert_string_equal(lean.sha256_fp, "");

	x509_certinfo_free(&full);
	x509_certinfo_free(&pk);
	x509_certinfo_free(&lean);
	X509_free(y);
	unlink(p);
	free(p);
}

static void
test_peek_equals_full_parse(void **state)
{
	struct {
		int		 type;
		const char	*curve;
		int		 bits;
	} k[] = {
		{ SSLM_KEY_EC, "prime256v1", 0 },
		{ SSLM_KEY_EC, "secp384r1", 0 },
		{ SSLM_KEY_EC, "secp521r1", 0 },
		{ SSLM_KEY_RSA, NULL, 2048 },
		{ SSLM_KEY_RSA, NULL, 3072 },
		{ SSLM_KEY_ED25519, NULL, 0 },
	};
	EVP_PKEY *ca_key = key_new(SSLM_KEY_EC, "secp384r1", 0), *pk;
	X509 *ca = issue(ca_key, "Test CA", "Example Org", true, NULL, NULL);
	X509 *x;
	(void)state;

	same_as_full(ca);
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		pk = key_new(k[i].type, k[i].curve, k[i].bits);
		x = issue(pk, "leaf.example.com", "", false, ca, ca_key);
		same_as_full(x);
		X509_free(x);
		/* Self-signed with the same key (its own signature type). */
		x = issue(pk, "Self", "Self Org", true, NULL, NULL);
		same_as_full(x);
		X509_free(x);
		EVP_PKEY_free(pk);
	}
	/* Ed448 through OpenSSL directly (no ktype for it). */
	{
		EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_ED448, NULL);

		pk = NULL;
		assert_non_null(c);
		assert_int_equal(EVP_PKEY_keygen_init(c), 1);
		assert_int_equal(EVP_PKEY_keygen(c, &pk), 1);
		EVP_PKEY_CTX_free(c);
		x = issue(pk, "ed448.example.com", "", false, ca, ca_key);
		same_as_full(x);
		X509_free(x);
		EVP_PKEY_free(pk);
	}
	X509_free(ca);
	EVP_PKEY_free(ca_key);
}

/* Names in T61, BMP and UTF-8 strings convert as OpenSSL converts them. */
static void
test_peek_name_string_types(void **state)
{
	EVP_PKEY *pk = key_new(SSLM_KEY_EC, "prime256v1", 0);
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	(void)state;

	assert_int_equal(X509_set_version(x, 2), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, NULL);
	X509_time_adj_ex(X509_getm_notAfter(x), 90, 0, NULL);
	assert_int_equal(X509_NAME_add_entry_by_NID(n, NID_organizationName,
	    V_ASN1_T61STRING, (unsigned char *)"Caf\xe9", -1, -1, 0), 1);
	assert_int_equal(X509_NAME_add_entry_by_NID(n, NID_commonName,
	    V_ASN1_BMPSTRING, (unsigned char *)"\0B\0M\0P", 6, -1, 0), 1);
	assert_int_equal(X509_NAME_add_entry_by_NID(n, NID_commonName,
	    MBSTRING_UTF8, (unsigned char *)"second \xc3\xa9", -1, -1, 0), 1);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_set_pubkey(x, pk);
	assert_true(X509_sign(x, pk, EVP_sha256()) > 0);
	same_as_full(x);
	X509_NAME_free(n);
	X509_free(x);
	EVP_PKEY_free(pk);
}

/* Writes text to dir/name; returns the path. */
static char *
put(const char *name, const char *text)
{
	char *p = path_join(dir, name);

	assert_int_equal(store_write_file(p, text, strlen(text), 0644), 0);
	return p;
}

static void
refused(const char *name, const char *text)
{
	struct x509_certinfo ci;
	char *p = put(name, text);

	memset(&ci, 0x5a, sizeof(ci));
	assert_int_not_equal(x509_certinfo_peek(p, true, &ci), 0);
	unlink(p);
	free(p);
}

static void
test_peek_refuses_the_unusual(void **state)
{
	EVP_PKEY *pk = key_new(SSLM_KEY_EC, "prime256v1", 0);
	X509 *x = issue(pk, "a.example.com", "", false, NULL, NULL), *v1;
	struct x509_certinfo ci;
	char *pem, *crlf, *s, *p;
	size_t len, i, o;
	(void)state;

	p = path_join(dir, "absent.pem");
	assert_int_equal(x509_certinfo_peek(p, true, &ci), SSLM_ERR_NOTFOUND);
	free(p);
	refused("empty.pem", "");
	refused("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64!\n"
	    "-----END CERTIFICATE-----\n");
	refused("key.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n"
	    "-----END PRIVATE KEY-----\n");

	assert_int_equal(x509_cert_to_pem(x, &pem, &len), 0);
	/* The same certificate with CRLF lines. */
	crlf = xmalloc(2 * len + 1);
	for (i = 0, o = 0; i < len; i++) {
		if (pem[i] == '\n')
			crlf[o++] = '\r';
		crlf[o++] = pem[i];
	}
	crlf[o] = '\0';
	refused("crlf.pem", crlf);
	free(crlf);
	/* Text before the block (PEM readers skip it; the peek does not). */
	s = xasprintf("subject=CN = a\n%s", pem);
	refused("lead.pem", s);
	free(s);
	/* A body cut short, and one without its END line. */
	s = xstrdup(pem);
	memcpy(strstr(s, "-----END") - 10, "\n-----END CERTIFICATE-----\n",
	    28);
	refused("cut.pem", s);
	free(s);
	s = xstrndup(pem, (size_t)(strstr(pem, "-----END") - pem));
	refused("noend.pem", s);
	free(s);
	free(pem);

	/* A v1 certificate: the full parse decides. */
	v1 = X509_dup(x);
	assert_int_equal(X509_set_version(v1, 0), 1);
	assert_true(X509_sign(v1, pk, EVP_sha256()) > 0);
	assert_int_equal(x509_cert_to_pem(v1, &pem, &len), 0);
	refused("v1.pem", pem);
	free(pem);
	X509_free(v1);
	X509_free(x);
	EVP_PKEY_free(pk);
}

static int
setup(void **state)
{
	(void)state;
	sslm_log_set_sink(quiet, NULL);
	dir = mkdtemp(tmpl);
	return dir == NULL;
}

static int
teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peek_equals_full_parse),
		cmocka_unit_test(test_peek_name_string_types),
		cmocka_unit_test(test_peek_refuses_the_unusual),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
