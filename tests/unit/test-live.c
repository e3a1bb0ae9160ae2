/*
 * test-live.c - unit tests of the TLSA matching of verify --live
 * (live_tlsa_match): every usage, selector and matching type against a
 * served chain [leaf, CA], the hex computed here another way than x509.c
 * does, malformed rdata, and records of the wrong
 * certificate.  The network side is tested end to end in
 * tests/integration/test-live.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "live.h"
#include "util.h"

static X509		*ca, *leaf, *other;
static STACK_OF(X509)	*chain;

static X509 *
make_cert(const char *cn, EVP_PKEY *k, X509 *issuer, EVP_PKEY *ik)
{
	X509 *x = X509_new();

	if (x == NULL)
		abort();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 9);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, k);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x));
	if (X509_sign(x, ik ? ik : k, EVP_sha256()) <= 0)
		abort();
	return x;
}

/* "u s m hex" for x, the data made through i2d_PUBKEY and EVP_Q_digest. */
static char *
rdata(int u, int s, int m, X509 *x)
{
	unsigned char		*der = NULL, md[64];
	const unsigned char	*d;
	size_t			 n, mdlen = 0;
	struct buf		 b;
	int			 len;

	len = s == 0 ? i2d_X509(x, &der) : i2d_PUBKEY(X509_get0_pubkey(x),
	    &der);
	assert_true(len > 0);
	d = der;
	n = (size_t)len;
	if (m != 0) {
		assert_true(EVP_Q_digest(NULL, m == 1 ? "SHA256" : "SHA512",
		    NULL, der, n, md, &mdlen));
		d = md;
		n = mdlen;
	}
	buf_init(&b, 1024 * 1024);
	(void)buf_printf(&b, "%d %d %d ", u, s, m);
	for (size_t i = 0; i < n; i++)
		(void)buf_printf(&b, "%02x", d[i]);
	OPENSSL_free(der);
	return b.p;
}

static void
match(int u, int s, int m, X509 *x, bool want)
{
	char *r = rdata(u, s, m, x);

	if (live_tlsa_match(r, chain) != want)
		fail_msg("%.12s... for %s: want %s", r, x == leaf ? "leaf" :
		    x == ca ? "ca" : "other", want ? "match" : "no match");
	free(r);
}

static void
ee_usages_match_the_leaf_every_selector_and_type(void **state)
{
	(void)state;
	for (int u = 1; u <= 3; u += 2)
		for (int s = 0; s <= 1; s++)
			for (int m = 0; m <= 2; m++) {
				match(u, s, m, leaf, true);
				match(u, s, m, ca, false);
				match(u, s, m, other, false);
			}
}

static void
ta_usages_match_a_cert_above_the_leaf(void **state)
{
	(void)state;
	for (int u = 0; u <= 2; u += 2)
		for (int s = 0; s <= 1; s++)
			for (int m = 0; m <= 2; m++) {
				match(u, s, m, ca, true);
				match(u, s, m, leaf, false);
				match(u, s, m, other, false);
			}
}

static void
selector_and_type_must_agree_with_the_data(void **state)
{
	char *r = rdata(3, 1, 1, leaf);

	(void)state;
	/* The SPKI hash announced as a hash of the whole cert. */
	r[2] = '0';
	assert_false(live_tlsa_match(r, chain));
	free(r);
	r = rdata(3, 1, 1, leaf);
	r[4] = '2';		/* sha256 data announced as sha512 */
	assert_false(live_tlsa_match(r, chain));
	free(r);
}

static void
malformed_rdata_never_matches(void **state)
{
	static const char *const bad[] = {
		"", "3", "3 1", "3 1 1", "3 1 1 ", "4 1 1 00", "3 2 1 00",
		"3 1 3 00", "-1 1 1 00", "x y z 00", "3 1 1 zz",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (live_tlsa_match(bad[i], chain))
			fail_msg("'%s' matched", bad[i]);
	assert_false(live_tlsa_match("3 1 1 00", NULL));
}

static void
a_one_cert_chain_has_nothing_for_ta_usages(void **state)
{
	STACK_OF(X509) *one = sk_X509_new_null();
	char *r = rdata(2, 0, 1, leaf), *e = rdata(3, 0, 1, leaf);

	(void)state;
	sk_X509_push(one, leaf);
	assert_false(live_tlsa_match(r, one));
	assert_true(live_tlsa_match(e, one));
	sk_X509_free(one);
	free(r);
	free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    ee_usages_match_the_leaf_every_selector_and_type),
		cmocka_unit_test(ta_usages_match_a_cert_above_the_leaf),
		cmocka_unit_test(selector_and_type_must_agree_with_the_data),
		cmocka_unit_test(malformed_rdata_never_matches),
		cmocka_unit_test(a_one_cert_chain_has_nothing_for_ta_usages),
	};
	EVP_PKEY *ck, *lk, *ok;
	int r;

	ck = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	lk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ok = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (ck == NULL || lk == NULL || ok == NULL)
		abort();
	ca = make_cert("Test CA", ck, NULL, NULL);
	leaf = make_cert("www.example.com", lk, ca, ck);
	other = make_cert("www.example.com", ok, NULL, NULL);
	chain = sk_X509_new_null();
	sk_X509_push(chain, leaf);
	sk_X509_push(chain, ca);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	sk_X509_free(chain);
	X509_free(ca);
	X509_free(leaf);
	X509_free(other);
	EVP_PKEY_free(ck);
	EVP_PKEY_free(lk);
	EVP_PKEY_free(ok);
	return r;
}
