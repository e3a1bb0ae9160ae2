/*
 * key.c - private keys: generation (EC on any named curve, RSA, Ed25519),
 * PKCS#8 PEM encoding, loading and describing (spec §13.1, §16).
 *
 * Invariant: private key material only ever sits in OpenSSL objects, in
 * secure-heap BIOs or in buffers that are released with freezero_secret();
 * it is never logged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "config.h"
#include "err.h"
#include "log.h"
#include "x509.h"

#define KEY_FILE_MAX	(1024 * 1024)
#define RSA_MIN_BITS	2048
#define RSA_MAX_BITS	16384

static int	no_passphrase(char *, int, int, void *);

/*
 * Returns the NID of the named curve `name` (case-insensitive; OpenSSL short
 * names, NIST names such as "P-384", and the SEC names secp192r1/secp256r1
 * that OpenSSL calls prime192v1/prime256v1), or NID_undef.
 */
int
x509_curve_nid(const char *name)
{
	EC_builtin_curve	*curves = NULL;
	const char		*sn, *nist;
	size_t			 n, i;
	int			 nid = NID_undef;

	if (name == NULL || *name == '\0')
		return NID_undef;
	if (str_ieq(name, "secp256r1"))
		return NID_X9_62_prime256v1;
	if (str_ieq(name, "secp192r1"))
		return NID_X9_62_prime192v1;

	n = EC_get_builtin_curves(NULL, 0);
	curves = xcalloc(n, sizeof(*curves));
	n = EC_get_builtin_curves(curves, n);
	for (i = 0; i < n && nid == NID_undef; i++) {
		sn = OBJ_nid2sn(curves[i].nid);
		nist = EC_curve_nid2nist(curves[i].nid);
		if ((sn != NULL && str_ieq(sn, name)) ||
		    (nist != NULL && str_ieq(nist, name)))
			nid = curves[i].nid;
	}
	free(curves);
	return nid;
}

int
x509_key_generate(const struct x509_keyspec *spec, EVP_PKEY **out)
{
	EVP_PKEY	*pk = NULL;
	int		 nid;

	switch (spec->type) {
	case SSLM_KEY_EC:
		if ((nid = x509_curve_nid(spec->curve)) == NID_undef) {
			sslm_log(SSLM_LOG_ERR, "unknown EC curve '%s'",
			    spec->curve ? spec->curve : "");
			return SSLM_ERR_CONFIG;
		}
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", OBJ_nid2sn(nid));
		break;
	case SSLM_KEY_RSA:
		if (spec->rsa_bits < RSA_MIN_BITS ||
		    spec->rsa_bits > RSA_MAX_BITS) {
			sslm_log(SSLM_LOG_ERR, "RSA key size %d: must be "
			    "%d to %d bits", spec->rsa_bits, RSA_MIN_BITS,
			    RSA_MAX_BITS);
			return SSLM_ERR_CONFIG;
		}
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
		    (size_t)spec->rsa_bits);
		break;
	case SSLM_KEY_ED25519:
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	default:
		sslm_log(SSLM_LOG_ERR, "unknown key type %d", spec->type);
		return SSLM_ERR_CONFIG;
	}
	if (pk == NULL) {
		sslm_log_crypto("key generation");
		return SSLM_ERR_CRYPTO;
	}
	*out = pk;
	return 0;
}

int
x509_key_to_pem(EVP_PKEY *pk, char **pem, size_t *len)
{
	BIO	*bio;
	char	*data, *p;
	long	 n;
	int	 r = SSLM_ERR_CRYPTO;

	/* The secure-heap BIO is cleared when freed. */
	if ((bio = BIO_new(BIO_s_secmem())) == NULL) {
		sslm_log_crypto("key to PEM");
		return SSLM_ERR_CRYPTO;
	}
	if (!PEM_write_bio_PKCS8PrivateKey(bio, pk, NULL, NULL, 0, NULL,
	    NULL)) {
		sslm_log_crypto("key to PEM");
		goto out;
	}
	if ((n = BIO_get_mem_data(bio, &data)) <= 0) {
		sslm_log_crypto("key to PEM");
		goto out;
	}
	p = xmalloc((size_t)n + 1);
	memcpy(p, data, (size_t)n);
	p[n] = '\0';
	*pem = p;
	*len = (size_t)n;
	r = 0;
out:
	BIO_free(bio);
	return r;
}

void
x509_key_desc(EVP_PKEY *pk, const char *prefix, char *out, size_t len)
{
	char		 group[80];
	const char	*what = NULL;
	size_t		 glen = 0;
	int		 bits;

	if (prefix == NULL)
		prefix = "pubkey";
	bits = EVP_PKEY_get_bits(pk);
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_group_name(pk, group, sizeof(group),
		    &glen) || glen == 0) {
			/* Explicit parameters: no name to show. */
			ERR_clear_error();
			snprintf(out, len, "%s-ec-%d", prefix, bits);
			return;
		}
		/* The SEC names, as upstream (Python) shows them. */
		if (strcmp(group, "prime256v1") == 0)
			what = "secp256r1";
		else if (strcmp(group, "prime192v1") == 0)
			what = "secp192r1";
		else
			what = group;
		snprintf(out, len, "%s-%s", prefix, what);
		return;
	case EVP_PKEY_RSA:
		snprintf(out, len, "%s-rsa-%d", prefix, bits);
		return;
	case EVP_PKEY_RSA_PSS:
		snprintf(out, len, "%s-rsa-pss-%d", prefix, bits);
		return;
	case EVP_PKEY_DSA:
		snprintf(out, len, "%s-dsa-%d", prefix, bits);
		return;
	case EVP_PKEY_DH:
	case EVP_PKEY_DHX:
		snprintf(out, len, "%s-dh-%d", prefix, bits);
		return;
	case EVP_PKEY_ED25519:
		what = "ed25519";
		break;
	case EVP_PKEY_ED448:
		what = "ed448";
		break;
	case EVP_PKEY_X25519:
		what = "x25519";
		break;
	case EVP_PKEY_X448:
		what = "x448";
		break;
	default:
		snprintf(out, len, "key type unknown");
		return;
	}
	snprintf(out, len, "%s-%s", prefix, what);
}

/*
 * Password callback that refuses: an encrypted key fails to load instead of
 * OpenSSL prompting on a terminal we may not own.
 */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/*
 * Loads the first private key of a PEM file (PKCS#8 or traditional).
 * Returns 0 and *out (EVP_PKEY_free), SSLM_ERR_NOTFOUND, SSLM_ERR_TOOBIG,
 * SSLM_ERR_IO or SSLM_ERR_PARSE (encrypted keys are a parse error).
 */
int
x509_load_key(const char *path, EVP_PKEY **out)
{
	EVP_PKEY	*pk = NULL;
	BIO		*bio = NULL;
	char		*data = NULL;
	size_t		 len = 0;
	int		 r;

	if ((r = read_file(path, KEY_FILE_MAX, &data, &len)) != 0) {
		if (r != SSLM_ERR_NOTFOUND)
			sslm_log(SSLM_LOG_ERR, "%s: %s", path,
			    sslm_strerror(r));
		goto out;
	}
	r = SSLM_ERR_PARSE;
	if ((bio = BIO_new_mem_buf(data, (int)len)) == NULL) {
		sslm_log_crypto(path);
		goto out;
	}
	if ((pk = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase,
	    NULL)) == NULL) {
		sslm_log_crypto(path);
		goto out;
	}
	*out = pk;
	r = 0;
out:
	BIO_free(bio);
	freezero_secret(data, len);
	return r;
}

bool
x509_key_matches(X509 *cert, EVP_PKEY *key)
{
	EVP_PKEY	*pub;
	bool		 ok;

	if (cert == NULL || key == NULL ||
	    (pub = X509_get0_pubkey(cert)) == NULL) {
		ERR_clear_error();
		return false;
	}
	ok = EVP_PKEY_eq(pub, key) == 1;
	ERR_clear_error();
	return ok;
}
