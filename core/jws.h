/*
 * jws.h - the JOSE pieces of ACME (RFC 7515/7517/7518/7638, RFC 8555 6.2,
 * 7.3.4, 8.1, 8.4): base64url, the public JWK of an account key and its
 * thumbprint, flattened JWS objects signed with ES256, ES384 or RS256, the
 * external-account-binding inner JWS (HS256/384/512), key authorizations
 * and dns-01 TXT values, and turning a JWK private key (certbot's
 * private_key.json) back into an EVP_PKEY.
 *
 * Nothing here logs key material or signing input.
 */
#ifndef SSLM_JWS_H
#define SSLM_JWS_H

#include <stddef.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "util.h"

/* base64url without padding; caller frees. */
char	*b64url_encode(const void *, size_t);
/*
 * Decodes base64url (padding tolerated, no other characters).  0 and
 * *out (len bytes plus a NUL; free with freezero_secret when secret) or
 * SSLM_ERR_PARSE.
 */
int	 b64url_decode(const char *, unsigned char **out, size_t *len) SSLM_WUR;

/* "ES256" (P-256), "ES384" (P-384), "RS256" (RSA >= 2048) or NULL. */
const char *jws_alg(EVP_PKEY *);

/*
 * The public JWK of key as a JSON object holding only the required
 * members (RFC 7638 3.2).  0 and *jwk (json_decref) or an sslm_err.
 */
int	jws_jwk(EVP_PKEY *key, json_t **jwk) SSLM_WUR;
/* RFC 7638 SHA-256 thumbprint, base64url; caller frees. */
int	jws_thumbprint(EVP_PKEY *key, char **out) SSLM_WUR;

/*
 * A flattened JWS (RFC 7515 7.2.2) for an ACME request: protected header
 * {alg, nonce, url, jwk | kid}; kid NULL means "jwk".  payload NULL is a
 * POST-as-GET (empty payload).  0 and *out (caller frees) or an sslm_err.
 */
int	jws_sign(EVP_PKEY *key, const char *kid, const char *nonce,
	    const char *url, const char *payload, char **out) SSLM_WUR;

/*
 * The externalAccountBinding object (RFC 8555 7.3.4): a JWS over the
 * account's public JWK with header {alg, kid, url}, MACed with the
 * base64url-decoded hmac_key.  alg is "HS256", "HS384" or "HS512" (NULL:
 * HS256).  0 and *out (json_decref) or an sslm_err.
 */
int	jws_eab(const char *kid, const char *hmac_key, const char *alg,
	    EVP_PKEY *account_key, const char *url, json_t **out) SSLM_WUR;

/* "<token>.<thumbprint>" (RFC 8555 8.1); caller frees. */
int	jws_key_authorization(EVP_PKEY *, const char *token,
	    char **out) SSLM_WUR;
/* base64url(SHA-256(key_auth)) for the dns-01 TXT record; caller frees. */
char	*jws_dns01_txt(const char *key_auth);

/*
 * A private key from a JWK object: RSA (n, e, d, p, q, dp, dq, qi; certbot's
 * private_key.json) or EC P-256/P-384 (crv, x, y, d).  0 and *out
 * (EVP_PKEY_free) or SSLM_ERR_PARSE / SSLM_ERR_CRYPTO.
 */
int	jws_jwk_to_pkey(const json_t *jwk, EVP_PKEY **out) SSLM_WUR;

#endif
