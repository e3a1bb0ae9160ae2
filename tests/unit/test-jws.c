/*
 * test-jws.c - the JOSE pieces of the ACME client (core/jws.c).
 *
 * Behaviours covered:
 *  - base64url against RFC 4648's test vectors, without padding; decoding
 *    tolerates padding and refuses other alphabets and bad lengths
 *  - the JWK and the RFC 7638 thumbprint of RFC 7638's own example key
 *  - jws_alg for P-256, P-384, RSA and unsupported keys
 *  - ES256 / ES384 signatures are raw r||s of the curve size and verify;
 *    RS256 verifies; the protected header holds alg, nonce, url and either
 *    kid or jwk (never both); POST-as-GET has an empty payload
 *  - the EAB inner JWS with HS256/384/512: header, payload (the account
 *    JWK) and MAC recomputed independently; bad key or algorithm refused
 *  - key authorization and dns-01 TXT value against a computed vector
 *  - private JWKs (RSA as certbot writes them, EC) back to keys
 * Keys are generated at run time except RFC 7638's public example.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>

#include "err.h"
#include "jws.h"
#include "log.h"
#include "util.h"

/* RFC 7638 3.1 */
#define RFC7638_N \
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86z" \
    "wu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5Js" \
    "GY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMic" \
    "AtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-" \
    "bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csF" \
    "Cur-kEgU8awapJzKnqDKgw"
#define RFC7638_TP "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
/* RFC 8555 8.4's token */
#define TOKEN "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"

static EVP_PKEY *
rfc7638_key(void)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pk = NULL;
	unsigned char *n;
	size_t nlen;
	BIGNUM *bn, *be;

	assert_int_equal(b64url_decode(RFC7638_N, &n, &nlen), 0);
	bn = BN_bin2bn(n, (int)nlen, NULL);
	be = BN_new();
	BN_set_word(be, 65537);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be);
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY,
	    params), 1);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	free(n);
	return pk;
}

static void
b64url_vectors(void **state)
{
	static const char *in[] = { "", "f", "fo", "foo", "foob", "fooba",
	    "foobar" };
	static const char *out[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg",
	    "Zm9vYmE", "Zm9vYmFy" };
	unsigned char *d, bin[] = { 0xfb, 0xff, 0xbf };
	size_t i, len;
	char *s;

	(void)state;
	for (i = 0; i < 7; i++) {
		s = b64url_encode(in[i], strlen(in[i]));
		assert_string_equal(s, out[i]);
		free(s);
		assert_int_equal(b64url_decode(out[i], &d, &len), 0);
		assert_int_equal(len, strlen(in[i]));
		assert_memory_equal(d, in[i], len);
		free(d);
	}
	s = b64url_encode(bin, 3);
	assert_string_equal(s, "-_-_");	/* URL alphabet, not + and / */
	free(s);
	assert_int_equal(b64url_decode("Zm8=", &d, &len), 0);
	assert_int_equal(len, 2);
	free(d);
	assert_int_equal(b64url_decode("Zm+v", &d, &len), SSLM_ERR_PARSE);
	assert_int_equal(b64url_decode("Z", &d, &len), SSLM_ERR_PARSE);
	assert_null(d);
}

static void
thumbprint_rfc7638(void **state)
{
	EVP_PKEY *pk = rfc7638_key();
	json_t *jwk;
	char *tp, *s;

	(void)state;
	assert_string_equal(jws_alg(pk), "RS256");
	assert_int_equal(jws_jwk(pk, &jwk), 0);
	s = json_dumps(jwk, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(strstr(s,
	    "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"0vx7"));
	free(s);
	json_decref(jwk);
	assert_int_equal(jws_thumbprint(pk, &tp), 0);
	assert_string_equal(tp, RFC7638_TP);
	free(tp);
	EVP_PKEY_free(pk);
}

static void
alg_by_key(void **state)
{
	EVP_PKEY *k;

	(void)state;
	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_string_equal(jws_alg(k), "ES256");
	EVP_PKEY_free(k);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	assert_string_equal(jws_alg(k), "ES384");
	EVP_PKEY_free(k);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	assert_null(jws_alg(k));
	EVP_PKEY_free(k);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_null(jws_alg(k));
	EVP_PKEY_free(k);
	assert_null(jws_alg(NULL));
}

/* Decodes a base64url member of a JSON object as a string. */
static char *
member_decoded(json_t *o, const char *name, size_t *len)
{
	unsigned char *d;
	size_t l;

	assert_int_equal(b64url_decode(json_string_value(json_object_get(o,
	    name)), &d, &l), 0);
	if (len != NULL)
		*len = l;
	return (char *)d;
}

/* Verifies a flattened JWS with key; returns its protected header. */
static json_t *
verify_jws(const char *jws, EVP_PKEY *key, size_t sigsize)
{
	json_t *o = json_loads(jws, 0, NULL), *hdr;
	unsigned char *sig, *der = NULL;
	const char *alg;
	char *input, *h;
	size_t siglen;
	int derlen;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ECDSA_SIG *es;

	assert_non_null(o);
	h = member_decoded(o, "protected", NULL);
	hdr = json_loads(h, 0, NULL);
	assert_non_null(hdr);
	free(h);
	alg = json_string_value(json_object_get(hdr, "alg"));
	input = xasprintf("%s.%s", json_string_value(json_object_get(o,
	    "protected")), json_string_value(json_object_get(o, "payload")));
	sig = (unsigned char *)member_decoded(o, "signature", &siglen);
	if (sigsize != 0)
		assert_int_equal(siglen, sigsize);
	if (alg[0] == 'E') {
		/* r||s back to DER for OpenSSL */
		es = ECDSA_SIG_new();
		ECDSA_SIG_set0(es, BN_bin2bn(sig, (int)siglen / 2, NULL),
		    BN_bin2bn(sig + siglen / 2, (int)siglen / 2, NULL));
		derlen = i2d_ECDSA_SIG(es, &der);
		ECDSA_SIG_free(es);
		free(sig);
		sig = xmalloc((size_t)derlen);
		memcpy(sig, der, (size_t)derlen);
		OPENSSL_free(der);
		siglen = (size_t)derlen;
	}
	assert_int_equal(EVP_DigestVerifyInit(ctx, NULL,
	    strcmp(alg, "ES384") == 0 ? EVP_sha384() : EVP_sha256(), NULL,
	    key), 1);
	assert_int_equal(EVP_DigestVerify(ctx, sig, siglen,
	    (unsigned char *)input, strlen(input)), 1);
	EVP_MD_CTX_free(ctx);
	free(sig);
	free(input);
	json_decref(o);
	return hdr;
}

static void
sign_verify(const char *type, const char *param, const char *alg,
    size_t sigsize)
{
	EVP_PKEY *k;
	json_t *hdr, *o;
	char *jws, *pl;

	if (strcmp(type, "RSA") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", param);
	assert_non_null(k);
	/* kid form */
	assert_int_equal(jws_sign(k, "https://ca/acct/1", "n0nce",
	    "https://ca/new-order", "{\"a\":1}", &jws), 0);
	hdr = verify_jws(jws, k, sigsize);
	assert_string_equal(json_string_value(json_object_get(hdr, "alg")),
	    alg);
	assert_string_equal(json_string_value(json_object_get(hdr, "nonce")),
	    "n0nce");
	assert_string_equal(json_string_value(json_object_get(hdr, "url")),
	    "https://ca/new-order");
	assert_string_equal(json_string_value(json_object_get(hdr, "kid")),
	    "https://ca/acct/1");
	assert_null(json_object_get(hdr, "jwk"));
	json_decref(hdr);
	o = json_loads(jws, 0, NULL);
	pl = member_decoded(o, "payload", NULL);
	assert_string_equal(pl, "{\"a\":1}");
	free(pl);
	json_decref(o);
	free(jws);
	/* jwk form, POST-as-GET */
	assert_int_equal(jws_sign(k, NULL, "n2", "https://ca/new-acct", NULL,
	    &jws), 0);
	hdr = verify_jws(jws, k, sigsize);
	assert_null(json_object_get(hdr, "kid"));
	assert_non_null(json_object_get(hdr, "jwk"));
	assert_null(json_object_get(json_object_get(hdr, "jwk"), "d"));
	json_decref(hdr);
	o = json_loads(jws, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(o, "payload")),
	    "");
	json_decref(o);
	free(jws);
	EVP_PKEY_free(k);
}

static void
es256_raw_signature_verifies(void **state)
{
	(void)state;
	sign_verify("EC", "P-256", "ES256", 64);
}

static void
es384_raw_signature_verifies(void **state)
{
	(void)state;
	sign_verify("EC", "P-384", "ES384", 96);
}

static void
rs256_signature_verifies(void **state)
{
	(void)state;
	sign_verify("RSA", NULL, "RS256", 256);
}

static void
eab_one(const char *alg, const EVP_MD *md, size_t maclen)
{
	/* a 32-byte key: bytes 0..31 */
	static const char key[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
	unsigned char raw[32], mac[EVP_MAX_MD_SIZE], *sig;
	unsigned int mlen;
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	json_t *eab, *hdr, *jwk, *pj;
	char *h, *p, *input, *js;
	size_t siglen, i;

	for (i = 0; i < 32; i++)
		raw[i] = (unsigned char)i;
	assert_int_equal(jws_eab("kid-1", key, alg, k, "https://ca/new-acct",
	    &eab), 0);
	h = member_decoded(eab, "protected", NULL);
	hdr = json_loads(h, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(hdr, "alg")),
	    alg ? alg : "HS256");
	assert_string_equal(json_string_value(json_object_get(hdr, "kid")),
	    "kid-1");
	assert_string_equal(json_string_value(json_object_get(hdr, "url")),
	    "https://ca/new-acct");
	assert_null(json_object_get(hdr, "nonce"));	/* RFC 8555 7.3.4 */
	p = member_decoded(eab, "payload", NULL);
	pj = json_loads(p, 0, NULL);
	assert_int_equal(jws_jwk(k, &jwk), 0);
	assert_true(json_equal(pj, jwk));
	input = xasprintf("%s.%s", json_string_value(json_object_get(eab,
	    "protected")), json_string_value(json_object_get(eab,
	    "payload")));
	HMAC(md, raw, 32, (unsigned char *)input, strlen(input), mac, &mlen);
	sig = (unsigned char *)member_decoded(eab, "signature", &siglen);
	assert_int_equal(siglen, maclen);
	assert_memory_equal(sig, mac, mlen);
	js = json_dumps(eab, 0);
	assert_null(strstr(js, key));	/* the key itself never appears */
	free(js);
	free(sig);
	free(input);
	free(h);
	free(p);
	json_decref(hdr);
	json_decref(pj);
	json_decref(jwk);
	json_decref(eab);
	EVP_PKEY_free(k);
}

static void
eab_hmac(void **state)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	json_t *eab;

	(void)state;
	eab_one(NULL, EVP_sha256(), 32);
	eab_one("HS256", EVP_sha256(), 32);
	eab_one("HS384", EVP_sha384(), 48);
	eab_one("HS512", EVP_sha512(), 64);
	assert_int_equal(jws_eab("k", "AAAA", "HS1", k, "https://u", &eab),
	    SSLM_ERR_CONFIG);
	assert_int_equal(jws_eab("k", "not base64!", NULL, k, "https://u",
	    &eab), SSLM_ERR_CONFIG);
	assert_null(eab);
	EVP_PKEY_free(k);
}

static void
key_authorization_and_txt(void **state)
{
	EVP_PKEY *pk = rfc7638_key();
	char *ka, *txt;

	(void)state;
	assert_int_equal(jws_key_authorization(pk, TOKEN, &ka), 0);
	assert_string_equal(ka, TOKEN "." RFC7638_TP);
	txt = jws_dns01_txt(ka);
	/* base64url(SHA-256(ka)), computed with openssl dgst */
	assert_string_equal(txt, "ZTRx1Ckl1-tM05o5zaizTTA0yUy5AGereMgSNWC6Ll8");
	free(ka);
	free(txt);
	EVP_PKEY_free(pk);
}

/* A private JWK of k built from its parameters (as certbot writes it). */
static json_t *
private_jwk(EVP_PKEY *k)
{
	static const char *names[] = { "n", "e", "d", "p", "q", "dp", "dq",
	    "qi" };
	static const char *params[] = { OSSL_PKEY_PARAM_RSA_N,
	    OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
	    OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
	    OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
	    OSSL_PKEY_PARAM_RSA_COEFFICIENT1 };
	json_t *o = json_pack("{s:s}", "kty", "RSA");
	unsigned char buf[1024];
	BIGNUM *bn = NULL;
	size_t i;
	char *s;
	int n;

	for (i = 0; i < 8; i++) {
		assert_int_equal(EVP_PKEY_get_bn_param(k, params[i], &bn), 1);
		n = BN_bn2bin(bn, buf);
		s = b64url_encode(buf, (size_t)n);
		json_object_set_new(o, names[i], json_string(s));
		free(s);
		BN_free(bn);
		bn = NULL;
	}
	return o;
}

static void
jwk_private_rsa_and_ec(void **state)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048), *back;
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	json_t *jwk = private_jwk(k), *pub, *ecj;
	BIGNUM *d = NULL;
	unsigned char buf[32];
	char *jws, *s;

	(void)state;
	assert_int_equal(jws_jwk_to_pkey(jwk, &back), 0);
	assert_int_equal(EVP_PKEY_eq(k, back), 1);
	/* it can sign, and the signature verifies with the original */
	assert_int_equal(jws_sign(back, "kid", "n", "https://u", "{}", &jws),
	    0);
	json_decref(verify_jws(jws, k, 256));
	free(jws);
	EVP_PKEY_free(back);
	/* a member missing: refused */
	json_object_del(jwk, "qi");
	assert_int_equal(jws_jwk_to_pkey(jwk, &back), SSLM_ERR_PARSE);
	assert_null(back);
	json_decref(jwk);
	/* EC: public JWK + d */
	assert_int_equal(jws_jwk(ec, &pub), 0);
	EVP_PKEY_get_bn_param(ec, OSSL_PKEY_PARAM_PRIV_KEY, &d);
	BN_bn2binpad(d, buf, 32);
	ecj = json_deep_copy(pub);
	s = b64url_encode(buf, 32);
	json_object_set_new(ecj, "d", json_string(s));
	free(s);
	assert_int_equal(jws_jwk_to_pkey(ecj, &back), 0);
	assert_int_equal(EVP_PKEY_eq(ec, back), 1);
	assert_string_equal(jws_alg(back), "ES256");
	EVP_PKEY_free(back);
	json_object_set_new(ecj, "crv", json_string("P-521"));
	assert_int_equal(jws_jwk_to_pkey(ecj, &back), SSLM_ERR_PARSE);
	BN_free(d);
	json_decref(pub);
	json_decref(ecj);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(b64url_vectors),
		cmocka_unit_test(thumbprint_rfc7638),
		cmocka_unit_test(alg_by_key),
		cmocka_unit_test(es256_raw_signature_verifies),
		cmocka_unit_test(es384_raw_signature_verifies),
		cmocka_unit_test(rs256_signature_verifies),
		cmocka_unit_test(eab_hmac),
		cmocka_unit_test(key_authorization_and_txt),
		cmocka_unit_test(jwk_private_rsa_and_ec),
	};

	sslm_log_set_sink(NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
