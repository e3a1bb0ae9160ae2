/*
 * jws.c - the JOSE pieces of ACME (see jws.h).
 *
 * Signatures: ES256/ES384 are produced by OpenSSL as DER ECDSA-Sig-Value
 * and converted to the fixed-size r||s form JWS requires (RFC 7518 3.4);
 * RS256 is RSASSA-PKCS1-v1_5 with SHA-256.  Secret intermediate bytes
 * (signing input is not secret, but decoded HMAC keys and private JWK
 * members are) are wiped before they are freed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>

#include "err.h"
#include "jws.h"
#include "log.h"

static const char b64url_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int	 b64url_val(int);
static char	*bn_b64url(const BIGNUM *, size_t);
static char	*pkey_bn_b64url(EVP_PKEY *, const char *, size_t);
static int	 ec_field_bytes(EVP_PKEY *, const char **);
static int	 sign_raw(EVP_PKEY *, const char *, size_t, unsigned char **,
		    size_t *);
static int	 jwk_bn(const json_t *, const char *, BIGNUM **);

char *
b64url_encode(const void *data, size_t len)
{
	const unsigned char *p = data;
	char *out, *o;
	size_t i;
	unsigned int v;

	out = o = xmalloc(len / 3 * 4 + 5);
	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned int)p[i] << 16 | (unsigned int)p[i + 1] << 8 |
		    p[i + 2];
		*o++ = b64url_alpha[(v >> 18) & 63];
		*o++ = b64url_alpha[(v >> 12) & 63];
		*o++ = b64url_alpha[(v >> 6) & 63];
		*o++ = b64url_alpha[v & 63];
	}
	if (len - i == 1) {
		v = (unsigned int)p[i] << 16;
		*o++ = b64url_alpha[(v >> 18) & 63];
		*o++ = b64url_alpha[(v >> 12) & 63];
	} else if (len - i == 2) {
		v = (unsigned int)p[i] << 16 | (unsigned int)p[i + 1] << 8;
		*o++ = b64url_alpha[(v >> 18) & 63];
		*o++ = b64url_alpha[(v >> 12) & 63];
		*o++ = b64url_alpha[(v >> 6) & 63];
	}
	*o = '\0';
	return out;
}

static int
b64url_val(int c)
{
	const char *p;

	if (c == '\0' || (p = strchr(b64url_alpha, c)) == NULL)
		return -1;
	return (int)(p - b64url_alpha);
}

int
b64url_decode(const char *s, unsigned char **out, size_t *outlen)
{
	size_t n = strlen(s), i, o = 0;
	unsigned int acc = 0;
	int bits = 0, v;
	unsigned char *b;

	*out = NULL;
	*outlen = 0;
	while (n > 0 && s[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return SSLM_ERR_PARSE;
	b = xmalloc(n * 3 / 4 + 1);
	for (i = 0; i < n; i++) {
		if ((v = b64url_val((unsigned char)s[i])) < 0) {
			freezero_secret(b, n * 3 / 4 + 1);
			return SSLM_ERR_PARSE;
		}
		acc = (acc << 6 | (unsigned int)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			b[o++] = (unsigned char)(acc >> bits);
		}
	}
	b[o] = '\0';
	*out = b;
	*outlen = o;
	return 0;
}

/* Field size in bytes of an EC key on a curve JWS knows (and its crv). */
static int
ec_field_bytes(EVP_PKEY *key, const char **crv)
{
	char group[64];

	if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), NULL))
		return -1;
	if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0) {
		*crv = "P-256";
		return 32;
	}
	if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0) {
		*crv = "P-384";
		return 48;
	}
	return -1;
}

const char *
jws_alg(EVP_PKEY *key)
{
	const char *crv;
	int n;

	if (key == NULL)
		return NULL;
	if (EVP_PKEY_is_a(key, "EC")) {
		if ((n = ec_field_bytes(key, &crv)) == 32)
			return "ES256";
		return n == 48 ? "ES384" : NULL;
	}
	if (EVP_PKEY_is_a(key, "RSA") && EVP_PKEY_get_bits(key) >= 2048)
		return "RS256";
	return NULL;
}

/* base64url of a big number, left-padded with zeros to pad bytes. */
static char *
bn_b64url(const BIGNUM *bn, size_t pad)
{
	size_t n = (size_t)BN_num_bytes(bn);
	unsigned char *b;
	char *s;

	if (pad < n)
		pad = n;
	if (pad == 0)
		pad = 1;
	b = xmalloc(pad);
	if (BN_bn2binpad(bn, b, (int)pad) < 0) {
		free(b);
		return NULL;
	}
	s = b64url_encode(b, pad);
	free(b);
	return s;
}

static char *
pkey_bn_b64url(EVP_PKEY *key, const char *param, size_t pad)
{
	BIGNUM *bn = NULL;
	char *s;

	if (!EVP_PKEY_get_bn_param(key, param, &bn))
		return NULL;
	s = bn_b64url(bn, pad);
	BN_free(bn);
	return s;
}

int
jws_jwk(EVP_PKEY *key, json_t **jwk)
{
	const char *crv;
	char *a = NULL, *b = NULL;
	int n, r = SSLM_ERR_CRYPTO;

	*jwk = NULL;
	if (jws_alg(key) == NULL) {
		sslm_log(SSLM_LOG_ERR, "account key: not EC P-256/P-384 "
		    "or RSA >= 2048");
		return SSLM_ERR_CRYPTO;
	}
	if (EVP_PKEY_is_a(key, "EC")) {
		n = ec_field_bytes(key, &crv);
		if ((a = pkey_bn_b64url(key, OSSL_PKEY_PARAM_EC_PUB_X,
		    (size_t)n)) == NULL ||
		    (b = pkey_bn_b64url(key, OSSL_PKEY_PARAM_EC_PUB_Y,
		    (size_t)n)) == NULL)
			goto out;
		*jwk = json_pack("{s:s, s:s, s:s, s:s}", "crv", crv,
		    "kty", "EC", "x", a, "y", b);
	} else {
		if ((a = pkey_bn_b64url(key, OSSL_PKEY_PARAM_RSA_E, 0)) ==
		    NULL ||
		    (b = pkey_bn_b64url(key, OSSL_PKEY_PARAM_RSA_N, 0)) ==
		    NULL)
			goto out;
		*jwk = json_pack("{s:s, s:s, s:s}", "e", a, "kty", "RSA",
		    "n", b);
	}
	if (*jwk != NULL)
		r = 0;
out:
	if (r != 0)
		sslm_log_crypto("account key: JWK");
	free(a);
	free(b);
	return r;
}

int
jws_thumbprint(EVP_PKEY *key, char **out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	json_t *jwk = NULL;
	char *s = NULL;
	int r;

	*out = NULL;
	if ((r = jws_jwk(key, &jwk)) != 0)
		return r;
	/* RFC 7638 3: members sorted, no white space */
	r = SSLM_ERR_CRYPTO;
	if ((s = json_dumps(jwk, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		goto out;
	if (!EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(), NULL))
		goto out;
	*out = b64url_encode(md, mdlen);
	r = 0;
out:
	free(s);
	json_decref(jwk);
	return r;
}

/* Signs in[0..len) with key; *sig is the JWS form (r||s for ECDSA). */
static int
sign_raw(EVP_PKEY *key, const char *in, size_t len, unsigned char **sig,
    size_t *siglen)
{
	EVP_MD_CTX *ctx = NULL;
	ECDSA_SIG *es = NULL;
	const BIGNUM *br, *bs;
	const unsigned char *p;
	const EVP_MD *md;
	const char *alg = jws_alg(key), *crv;
	unsigned char *der = NULL, *raw = NULL;
	size_t derlen = 0;
	int n, r = SSLM_ERR_CRYPTO;

	*sig = NULL;
	*siglen = 0;
	if (alg == NULL)
		return SSLM_ERR_CRYPTO;
	md = strcmp(alg, "ES384") == 0 ? EVP_sha384() : EVP_sha256();
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, md, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, NULL, &derlen, (const unsigned char *)in,
	    len) != 1)
		goto out;
	der = xmalloc(derlen);
	if (EVP_DigestSign(ctx, der, &derlen, (const unsigned char *)in,
	    len) != 1)
		goto out;
	if (alg[0] == 'R') {
		*sig = der;
		*siglen = derlen;
		der = NULL;
		r = 0;
		goto out;
	}
	n = ec_field_bytes(key, &crv);
	p = der;
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		goto out;
	ECDSA_SIG_get0(es, &br, &bs);
	raw = xmalloc((size_t)n * 2);
	if (BN_bn2binpad(br, raw, n) != n ||
	    BN_bn2binpad(bs, raw + n, n) != n)
		goto out;
	*sig = raw;
	*siglen = (size_t)n * 2;
	raw = NULL;
	r = 0;
out:
	if (r != 0)
		sslm_log_crypto("JWS signature");
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	free(der);
	free(raw);
	return r;
}

/* Assembles {"protected","payload","signature"} from its three parts. */
static char *
flattened(const char *prot, const char *payload, const char *sig)
{
	json_t *o;
	char *s;

	o = json_pack("{s:s, s:s, s:s}", "protected", prot, "payload",
	    payload, "signature", sig);
	s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

int
jws_sign(EVP_PKEY *key, const char *kid, const char *nonce, const char *url,
    const char *payload, char **out)
{
	json_t *hdr = NULL, *jwk = NULL;
	char *hs = NULL, *ph = NULL, *pp = NULL, *input = NULL, *ss = NULL;
	unsigned char *sig = NULL;
	size_t siglen;
	int r;

	*out = NULL;
	if (kid == NULL && (r = jws_jwk(key, &jwk)) != 0)
		return r;
	r = SSLM_ERR_CRYPTO;
	hdr = json_pack("{s:s, s:s, s:s}", "alg", jws_alg(key), "nonce",
	    nonce, "url", url);
	if (hdr == NULL)
		goto out;
	if (kid != NULL)
		json_object_set_new(hdr, "kid", json_string(kid));
	else {
		json_object_set_new(hdr, "jwk", jwk);
		jwk = NULL;
	}
	if ((hs = json_dumps(hdr, JSON_COMPACT)) == NULL)
		goto out;
	ph = b64url_encode(hs, strlen(hs));
	pp = payload == NULL ? xstrdup("") :
	    b64url_encode(payload, strlen(payload));
	input = xasprintf("%s.%s", ph, pp);
	if ((r = sign_raw(key, input, strlen(input), &sig, &siglen)) != 0)
		goto out;
	ss = b64url_encode(sig, siglen);
	r = SSLM_ERR_INTERNAL;
	if ((*out = flattened(ph, pp, ss)) != NULL)
		r = 0;
out:
	json_decref(hdr);
	json_decref(jwk);
	free(hs);
	free(ph);
	free(pp);
	free(input);
	free(sig);
	free(ss);
	return r;
}

int
jws_eab(const char *kid, const char *hmac_key, const char *alg,
    EVP_PKEY *account_key, const char *url, json_t **out)
{
	unsigned char md[EVP_MAX_MD_SIZE], *key = NULL;
	unsigned int mdlen = 0;
	size_t keylen = 0;
	const EVP_MD *evp;
	json_t *hdr = NULL, *jwk = NULL;
	char *hs = NULL, *js = NULL, *ph = NULL, *pp = NULL, *input = NULL;
	char *ss = NULL;
	int r;

	*out = NULL;
	if (alg == NULL)
		alg = "HS256";
	if (strcmp(alg, "HS256") == 0)
		evp = EVP_sha256();
	else if (strcmp(alg, "HS384") == 0)
		evp = EVP_sha384();
	else if (strcmp(alg, "HS512") == 0)
		evp = EVP_sha512();
	else {
		sslm_log(SSLM_LOG_ERR, "EAB: unknown MAC algorithm %s", alg);
		return SSLM_ERR_CONFIG;
	}
	if (b64url_decode(hmac_key, &key, &keylen) != 0 || keylen == 0) {
		sslm_log(SSLM_LOG_ERR, "EAB: the HMAC key is not base64url");
		r = SSLM_ERR_CONFIG;
		goto out;
	}
	if ((r = jws_jwk(account_key, &jwk)) != 0)
		goto out;
	r = SSLM_ERR_CRYPTO;
	hdr = json_pack("{s:s, s:s, s:s}", "alg", alg, "kid", kid, "url", url);
	if (hdr == NULL || (hs = json_dumps(hdr, JSON_COMPACT)) == NULL ||
	    (js = json_dumps(jwk, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		goto out;
	ph = b64url_encode(hs, strlen(hs));
	pp = b64url_encode(js, strlen(js));
	input = xasprintf("%s.%s", ph, pp);
	if (HMAC(evp, key, (int)keylen, (unsigned char *)input,
	    strlen(input), md, &mdlen) == NULL)
		goto out;
	ss = b64url_encode(md, mdlen);
	*out = json_pack("{s:s, s:s, s:s}", "protected", ph, "payload", pp,
	    "signature", ss);
	if (*out != NULL)
		r = 0;
out:
	if (key != NULL)
		freezero_secret(key, keylen);
	OPENSSL_cleanse(md, sizeof(md));
	json_decref(hdr);
	json_decref(jwk);
	free(hs);
	free(js);
	free(ph);
	free(pp);
	free(input);
	free(ss);
	return r;
}

int
jws_key_authorization(EVP_PKEY *key, const char *token, char **out)
{
	char *tp;
	int r;

	*out = NULL;
	if ((r = jws_thumbprint(key, &tp)) != 0)
		return r;
	*out = xasprintf("%s.%s", token, tp);
	free(tp);
	return 0;
}

char *
jws_dns01_txt(const char *key_auth)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_Digest(key_auth, strlen(key_auth), md, &mdlen, EVP_sha256(),
	    NULL))
		return NULL;
	return b64url_encode(md, mdlen);
}

/* A big number from the base64url member name of jwk. */
static int
jwk_bn(const json_t *jwk, const char *name, BIGNUM **bn)
{
	const char *s = json_string_value(json_object_get(jwk, name));
	unsigned char *b;
	size_t len;

	*bn = NULL;
	if (s == NULL || b64url_decode(s, &b, &len) != 0 || len == 0)
		return SSLM_ERR_PARSE;
	*bn = BN_bin2bn(b, (int)len, NULL);
	freezero_secret(b, len);
	return *bn != NULL ? 0 : SSLM_ERR_CRYPTO;
}

int
jws_jwk_to_pkey(const json_t *jwk, EVP_PKEY **out)
{
	static const char *rsa_jwk[] = {
	    "n", "e", "d", "p", "q", "dp", "dq", "qi" };
	static const char *rsa_ossl[] = {
	    OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
	    OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
	    OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
	    OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1 };
	BIGNUM *bn[8] = { NULL };
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL, *p;
	EVP_PKEY_CTX *ctx = NULL;
	const char *kty, *crv, *type;
	unsigned char pub[1 + 2 * 48];
	int r = SSLM_ERR_PARSE, i, n;

	*out = NULL;
	kty = json_string_value(json_object_get(jwk, "kty"));
	if (kty == NULL || (bld = OSSL_PARAM_BLD_new()) == NULL)
		goto out;
	if (strcmp(kty, "RSA") == 0) {
		type = "RSA";
		for (i = 0; i < 8; i++) {
			if (jwk_bn(jwk, rsa_jwk[i], &bn[i]) != 0)
				goto out;
			if (!OSSL_PARAM_BLD_push_BN(bld, rsa_ossl[i], bn[i]))
				goto out;
		}
	} else if (strcmp(kty, "EC") == 0) {
		type = "EC";
		crv = json_string_value(json_object_get(jwk, "crv"));
		if (crv != NULL && strcmp(crv, "P-256") == 0)
			n = 32;
		else if (crv != NULL && strcmp(crv, "P-384") == 0)
			n = 48;
		else
			goto out;
		if (jwk_bn(jwk, "x", &bn[0]) != 0 ||
		    jwk_bn(jwk, "y", &bn[1]) != 0 ||
		    jwk_bn(jwk, "d", &bn[2]) != 0)
			goto out;
		pub[0] = 0x04;	/* uncompressed point */
		if (BN_bn2binpad(bn[0], pub + 1, n) != n ||
		    BN_bn2binpad(bn[1], pub + 1 + n, n) != n)
			goto out;
		if (!OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, n == 32 ? "prime256v1" :
		    "secp384r1", 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld,
		    OSSL_PKEY_PARAM_PUB_KEY, pub, 1 + 2 * (size_t)n) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY,
		    bn[2]))
			goto out;
	} else
		goto out;
	r = SSLM_ERR_CRYPTO;
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_KEYPAIR, params) != 1) {
		sslm_log_crypto("JWK private key");
		goto out;
	}
	r = 0;
out:
	for (i = 0; i < 8; i++)
		BN_clear_free(bn[i]);
	/* OpenSSL 3.0 has no OSSL_PARAM_clear_free: wipe by hand */
	for (p = params; p != NULL && p->key != NULL; p++)
		OPENSSL_cleanse(p->data, p->data_size);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	return r;
}
