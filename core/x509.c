/*
 * x509.c - CSRs and certificates for a private CA (spec §13.2-§13.4), their
 * PEM encoding and loading, and TLSA association data (spec §14.1).
 *
 * Upstream bugs fixed here (spec §19.8, §19.9): the authorityKeyIdentifier
 * of an issued certificate names the issuer's key, not the subject's; empty
 * subject attributes are omitted; CA certificates get no SAN.  The policy
 * extensions (basicConstraints, keyUsage, SKI, AKI) of an issued
 * certificate are always computed here, never copied from the CSR, so a CSR
 * cannot ask to become a CA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "log.h"
#include "x509.h"

#define PEM_FILE_MAX	(1024 * 1024)
#define SERIAL_BITS	159
#define MAX_DAYS	(100 * 366)

/* Digests accepted for signing; anything else falls back to sha256. */
static const struct {
	const char	*name;		/* as in a service file */
	const char	*ossl;		/* OpenSSL's name */
} digests[] = {
	{ "sha256", "SHA256" },
	{ "sha384", "SHA384" },
	{ "sha512", "SHA512" },
	{ "sha3-256", "SHA3-256" },
	{ "sha3-384", "SHA3-384" },
	{ "sha3-512", "SHA3-512" },
	{ "sha3_256", "SHA3-256" },
	{ "sha3_384", "SHA3-384" },
	{ "sha3_512", "SHA3-512" },
};

static bool	key_is_edwards(const EVP_PKEY *);
static ASN1_OCTET_STRING *key_id(X509_PUBKEY *);
static int	push_ext(STACK_OF(X509_EXTENSION) *, X509_EXTENSION *);
static X509_EXTENSION *conf_ext(int, const char *);
static X509_EXTENSION *leaf_usage(EVP_PKEY *);
static int	name_add(X509_NAME *, int, const char *, const char *);
static int	san_add(GENERAL_NAMES *, struct strlist *, const char *);
static int	csr_exts(const struct x509_csrspec *, X509_REQ *,
		    STACK_OF(X509_EXTENSION) **);
static int	serial_set(X509 *);
static int	issue_exts(X509 *, X509_REQ *, X509 *, bool, bool);
static int	bio_take(BIO *, char **, size_t *);

static bool
key_is_edwards(const EVP_PKEY *pk)
{
	int id = EVP_PKEY_get_base_id(pk);

	return id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448;
}

/*
 * The key identifier of RFC 5280 4.2.1.2 method 1: SHA-1 of the
 * subjectPublicKey bit string.  Returns a new octet string or NULL.
 */
static ASN1_OCTET_STRING *
key_id(X509_PUBKEY *xpk)
{
	ASN1_OCTET_STRING	*os;
	const unsigned char	*pk;
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen;
	int			 pklen;

	if (xpk == NULL ||
	    !X509_PUBKEY_get0_param(NULL, &pk, &pklen, NULL, xpk) ||
	    !EVP_Digest(pk, (size_t)pklen, md, &mdlen, EVP_sha1(), NULL))
		return NULL;
	if ((os = ASN1_OCTET_STRING_new()) == NULL)
		return NULL;
	if (!ASN1_OCTET_STRING_set(os, md, (int)mdlen)) {
		ASN1_OCTET_STRING_free(os);
		return NULL;
	}
	return os;
}

/* Pushes ext (taking it) onto sk; 0 or SSLM_ERR_CRYPTO. */
static int
push_ext(STACK_OF(X509_EXTENSION) *sk, X509_EXTENSION *ext)
{
	if (ext == NULL)
		return SSLM_ERR_CRYPTO;
	if (!sk_X509_EXTENSION_push(sk, ext)) {
		X509_EXTENSION_free(ext);
		return SSLM_ERR_CRYPTO;
	}
	return 0;
}

/* An extension from a fixed config string such as "critical,CA:FALSE". */
static X509_EXTENSION *
conf_ext(int nid, const char *value)
{
	return X509V3_EXT_nconf_nid(NULL, NULL, nid, value);
}

/*
 * keyUsage of an end-entity certificate: what the key type can do.  RSA
 * signs and encrypts; EC signs and agrees (keyEncipherment kept for
 * upstream's clients); Ed25519 only signs.
 */
static X509_EXTENSION *
leaf_usage(EVP_PKEY *pk)
{
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_EC:
		return conf_ext(NID_key_usage,
		    "digitalSignature,keyEncipherment,keyAgreement");
	case EVP_PKEY_ED25519:
	case EVP_PKEY_ED448:
		return conf_ext(NID_key_usage, "digitalSignature");
	default:
		return conf_ext(NID_key_usage,
		    "digitalSignature,keyEncipherment");
	}
}

/* Adds one subject attribute unless value is empty; 0 or CONFIG. */
static int
name_add(X509_NAME *name, int nid, const char *what, const char *value)
{
	if (value == NULL || *value == '\0')
		return 0;
	if (!X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
	    (const unsigned char *)value, -1, -1, 0)) {
		sslm_log_crypto(what);
		sslm_log(SSLM_LOG_ERR, "subject %s '%s' is not valid", what,
		    value);
		return SSLM_ERR_CONFIG;
	}
	return 0;
}

/*
 * Adds one SAN (an IP address when s is an IP literal, else a DNS name)
 * unless it is already in seen (case-insensitive).  0 or SSLM_ERR_CONFIG.
 */
static int
san_add(GENERAL_NAMES *gens, struct strlist *seen, const char *s)
{
	GENERAL_NAME		*gn = NULL;
	ASN1_OCTET_STRING	*ip;
	ASN1_IA5STRING		*dns;
	size_t			 i, len = strlen(s);
	int			 r = SSLM_ERR_CONFIG;

	if (strlist_has_ci(seen, s))
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f)
			break;
	if (len == 0 || len > 253 || i != len) {
		sslm_log(SSLM_LOG_ERR, "subjectAltName '%s' is not a valid "
		    "DNS name or IP address", s);
		return SSLM_ERR_CONFIG;
	}
	if ((gn = GENERAL_NAME_new()) == NULL)
		goto out;
	if (is_ip_literal(s)) {
		if ((ip = a2i_IPADDRESS(s)) == NULL)
			goto out;
		GENERAL_NAME_set0_value(gn, GEN_IPADD, ip);
	} else {
		if ((dns = ASN1_IA5STRING_new()) == NULL)
			goto out;
		/* From here gn owns dns. */
		GENERAL_NAME_set0_value(gn, GEN_DNS, dns);
		if (!ASN1_STRING_set(dns, s, (int)len))
			goto out;
	}
	if (!sk_GENERAL_NAME_push(gens, gn))
		goto out;
	gn = NULL;
	strlist_add(seen, s);
	r = 0;
out:
	if (r != 0)
		sslm_log_crypto("subjectAltName");
	GENERAL_NAME_free(gn);
	return r;
}

/*
 * The CSR's extensions in spec order: basicConstraints (critical),
 * keyUsage, extendedKeyUsage, subjectKeyIdentifier, subjectAltName (not
 * for CA certs).  Returns 0 and *out (caller frees the stack) or an error.
 */
static int
csr_exts(const struct x509_csrspec *spec, X509_REQ *req,
    STACK_OF(X509_EXTENSION) **out)
{
	STACK_OF(X509_EXTENSION)	*sk;
	GENERAL_NAMES			*gens = NULL;
	ASN1_OCTET_STRING		*ski = NULL;
	struct strlist			 seen = { 0 };
	size_t				 i;
	int				 r = SSLM_ERR_CRYPTO;

	if ((sk = sk_X509_EXTENSION_new_null()) == NULL)
		goto out;
	if ((r = push_ext(sk, conf_ext(NID_basic_constraints, spec->is_ca ?
	    "critical,CA:TRUE" : "critical,CA:FALSE"))) != 0)
		goto out;
	if ((r = push_ext(sk, spec->is_ca ? conf_ext(NID_key_usage,
	    "critical,digitalSignature,keyCertSign,cRLSign") :
	    leaf_usage(X509_REQ_get0_pubkey(req)))) != 0)
		goto out;
	if ((r = push_ext(sk, conf_ext(NID_ext_key_usage, "serverAuth,"
	    "clientAuth,emailProtection,codeSigning,timeStamping"))) != 0)
		goto out;
	r = SSLM_ERR_CRYPTO;
	if ((ski = key_id(X509_REQ_get_X509_PUBKEY(req))) == NULL)
		goto out;
	if ((r = push_ext(sk, X509V3_EXT_i2d(NID_subject_key_identifier, 0,
	    ski))) != 0)
		goto out;

	if (!spec->is_ca) {
		r = SSLM_ERR_CRYPTO;
		if ((gens = sk_GENERAL_NAME_new_null()) == NULL)
			goto out;
		/* The CN leads the SAN list unless listed (browsers ignore
		 * the CN). */
		if (spec->CN != NULL && *spec->CN != '\0' &&
		    (spec->sans == NULL ||
		    !strlist_has_ci(spec->sans, spec->CN)) &&
		    (r = san_add(gens, &seen, spec->CN)) != 0)
			goto out;
		for (i = 0; spec->sans != NULL && i < spec->sans->n; i++)
			if ((r = san_add(gens, &seen, spec->sans->v[i])) != 0)
				goto out;
		if (sk_GENERAL_NAME_num(gens) > 0 &&
		    (r = push_ext(sk, X509V3_EXT_i2d(NID_subject_alt_name, 0,
		    gens))) != 0)
			goto out;
	}
	*out = sk;
	sk = NULL;
	r = 0;
out:
	if (r == SSLM_ERR_CRYPTO)
		sslm_log_crypto("CSR extensions");
	sk_X509_EXTENSION_pop_free(sk, X509_EXTENSION_free);
	GENERAL_NAMES_free(gens);
	ASN1_OCTET_STRING_free(ski);
	strlist_clear(&seen);
	return r;
}

int
x509_csr_build(const struct x509_csrspec *spec, EVP_PKEY *key,
    X509_REQ **out)
{
	STACK_OF(X509_EXTENSION)	*exts = NULL;
	X509_REQ			*req = NULL;
	X509_NAME			*name = NULL;
	int				 r = SSLM_ERR_CRYPTO;

	if (spec->CN == NULL || *spec->CN == '\0') {
		sslm_log(SSLM_LOG_ERR, "CSR: a CN is required");
		return SSLM_ERR_CONFIG;
	}
	if ((req = X509_REQ_new()) == NULL || (name = X509_NAME_new()) == NULL)
		goto out;
	if ((r = name_add(name, NID_commonName, "CN", spec->CN)) != 0 ||
	    (r = name_add(name, NID_countryName, "C", spec->C)) != 0 ||
	    (r = name_add(name, NID_stateOrProvinceName, "ST",
	    spec->ST)) != 0 ||
	    (r = name_add(name, NID_localityName, "L", spec->L)) != 0 ||
	    (r = name_add(name, NID_organizationName, "O", spec->O)) != 0 ||
	    (r = name_add(name, NID_organizationalUnitName, "OU",
	    spec->OU)) != 0 ||
	    (r = name_add(name, NID_pkcs9_emailAddress, "emailAddress",
	    spec->email)) != 0)
		goto out;
	r = SSLM_ERR_CRYPTO;
	if (!X509_REQ_set_version(req, X509_REQ_VERSION_1) ||
	    !X509_REQ_set_subject_name(req, name) ||
	    !X509_REQ_set_pubkey(req, key))
		goto out;
	if ((r = csr_exts(spec, req, &exts)) != 0)
		goto out;
	r = SSLM_ERR_CRYPTO;
	if (!X509_REQ_add_extensions(req, exts))
		goto out;
	/* The CSR digest is fixed (spec §13.2); Edwards keys take none. */
	if (X509_REQ_sign(req, key, key_is_edwards(key) ? NULL :
	    EVP_sha384()) <= 0)
		goto out;
	*out = req;
	req = NULL;
	r = 0;
out:
	if (r == SSLM_ERR_CRYPTO)
		sslm_log_crypto("CSR");
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	X509_REQ_free(req);
	return r;
}

/* A random positive serial of exactly SERIAL_BITS bits. */
static int
serial_set(X509 *x)
{
	BIGNUM	*bn;
	int	 ok;

	if ((bn = BN_new()) == NULL)
		return SSLM_ERR_CRYPTO;
	ok = BN_rand(bn, SERIAL_BITS, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) &&
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok ? 0 : SSLM_ERR_CRYPTO;
}

/*
 * Adds the extensions of an issued cert: basicConstraints, keyUsage,
 * the CSR's extendedKeyUsage, SKI, AKI (the issuer's key id), the CSR's
 * SAN, then any other CSR extensions once each.  issuer is NULL when
 * self-signed.  0 or SSLM_ERR_CRYPTO.
 */
static int
issue_exts(X509 *x, X509_REQ *csr, X509 *issuer, bool is_ca,
    bool intermediate)
{
	STACK_OF(X509_EXTENSION)	*req_exts = NULL, *sk = NULL;
	const ASN1_OCTET_STRING		*iski;
	ASN1_OCTET_STRING		*ski = NULL;
	AUTHORITY_KEYID			*akid = NULL;
	X509_EXTENSION			*ext;
	int				 i, nid, r = SSLM_ERR_CRYPTO;
	int				 pass;

	if ((sk = sk_X509_EXTENSION_new_null()) == NULL)
		goto out;
	if (push_ext(sk, conf_ext(NID_basic_constraints, !is_ca ?
	    "critical,CA:FALSE" : intermediate ?
	    "critical,CA:TRUE,pathlen:0" : "critical,CA:TRUE")) != 0)
		goto out;
	if (push_ext(sk, is_ca ? conf_ext(NID_key_usage,
	    "critical,digitalSignature,keyCertSign,cRLSign") :
	    leaf_usage(X509_get0_pubkey(x))) != 0)
		goto out;
	if ((ski = key_id(X509_get_X509_PUBKEY(x))) == NULL ||
	    (akid = AUTHORITY_KEYID_new()) == NULL)
		goto out;
	if (issuer != NULL && (iski = X509_get0_subject_key_id(issuer)) !=
	    NULL)
		akid->keyid = ASN1_OCTET_STRING_dup(iski);
	else if (issuer != NULL)
		akid->keyid = key_id(X509_get_X509_PUBKEY(issuer));
	else
		akid->keyid = ASN1_OCTET_STRING_dup(ski);
	if (akid->keyid == NULL)
		goto out;

	/* The CSR's requests: EKU first, SAN after the key ids, then rest. */
	req_exts = X509_REQ_get_extensions(csr);
	for (pass = 0; pass < 3; pass++) {
		if (pass == 1) {
			if (push_ext(sk, X509V3_EXT_i2d(
			    NID_subject_key_identifier, 0, ski)) != 0 ||
			    push_ext(sk, X509V3_EXT_i2d(
			    NID_authority_key_identifier, 0, akid)) != 0)
				goto out;
		}
		for (i = 0; i < sk_X509_EXTENSION_num(req_exts); i++) {
			ext = sk_X509_EXTENSION_value(req_exts, i);
			nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
			if (nid == NID_basic_constraints ||
			    nid == NID_key_usage ||
			    nid == NID_subject_key_identifier ||
			    nid == NID_authority_key_identifier)
				continue;
			if ((pass == 0) != (nid == NID_ext_key_usage) ||
			    (pass == 1) != (nid == NID_subject_alt_name))
				continue;
			if (X509v3_get_ext_by_OBJ(sk,
			    X509_EXTENSION_get_object(ext), -1) >= 0)
				continue;	/* a duplicate in the CSR */
			if (push_ext(sk, X509_EXTENSION_dup(ext)) != 0)
				goto out;
		}
	}
	for (i = 0; i < sk_X509_EXTENSION_num(sk); i++)
		if (!X509_add_ext(x, sk_X509_EXTENSION_value(sk, i), -1))
			goto out;
	r = 0;
out:
	sk_X509_EXTENSION_pop_free(req_exts, X509_EXTENSION_free);
	sk_X509_EXTENSION_pop_free(sk, X509_EXTENSION_free);
	ASN1_OCTET_STRING_free(ski);
	AUTHORITY_KEYID_free(akid);
	return r;
}

int
x509_issue(X509_REQ *csr, X509 *ca_cert, EVP_PKEY *ca_key, int days,
    const char *digest, bool is_ca, time_t now, X509 **out)
{
	const EVP_MD	*md = NULL;
	EVP_PKEY	*subj_key;
	X509		*x = NULL;
	const char	*mdname = "SHA256";
	size_t		 i;
	int		 signid, r = SSLM_ERR_CRYPTO;

	if (days < 1 || days > MAX_DAYS) {
		sslm_log(SSLM_LOG_ERR, "issue: validity of %d days is out of "
		    "range", days);
		return SSLM_ERR_USAGE;
	}
	if ((subj_key = X509_REQ_get0_pubkey(csr)) == NULL ||
	    X509_REQ_verify(csr, subj_key) != 1) {
		sslm_log_crypto("issue: CSR signature");
		return SSLM_ERR_CRYPTO;
	}
	if (ca_cert != NULL ? !x509_key_matches(ca_cert, ca_key) :
	    EVP_PKEY_eq(subj_key, ca_key) != 1) {
		ERR_clear_error();
		sslm_log(SSLM_LOG_ERR, "issue: the signing key does not "
		    "match the %s", ca_cert ? "CA certificate" : "CSR");
		return SSLM_ERR_CRYPTO;
	}
	if (ca_cert != NULL && X509_check_ca(ca_cert) == 0)
		sslm_log(SSLM_LOG_WARN, "issue: the signing certificate is "
		    "not a CA: what it signs will not verify");
	if (!key_is_edwards(ca_key)) {
		for (i = 0; i < sizeof(digests) / sizeof(digests[0]); i++)
			if (digest != NULL && str_ieq(digest, digests[i].name))
				break;
		if (i < sizeof(digests) / sizeof(digests[0]))
			mdname = digests[i].ossl;
		else
			sslm_log(SSLM_LOG_WARN, "unknown digest '%s', using "
			    "sha256", digest ? digest : "");
		if ((md = EVP_get_digestbyname(mdname)) == NULL)
			goto out;
		/*
		 * OpenSSL 3.0 signs ECDSA with SHA-3 but cannot verify it
		 * (no signature OID mapping): use what can be verified.
		 */
		if (!OBJ_find_sigid_by_algs(&signid, EVP_MD_get_type(md),
		    EVP_PKEY_get_base_id(ca_key))) {
			sslm_log(SSLM_LOG_WARN, "digest %s cannot be used "
			    "with this key type, using sha256", mdname);
			if ((md = EVP_sha256()) == NULL)
				goto out;
		}
	}

	if ((x = X509_new()) == NULL ||
	    !X509_set_version(x, X509_VERSION_3) ||
	    serial_set(x) != 0 ||
	    !X509_set_issuer_name(x, ca_cert ? X509_get_subject_name(ca_cert) :
	    X509_REQ_get_subject_name(csr)) ||
	    !X509_set_subject_name(x, X509_REQ_get_subject_name(csr)) ||
	    X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &now) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), days, 0, &now) == NULL ||
	    !X509_set_pubkey(x, subj_key))
		goto out;
	if (issue_exts(x, csr, ca_cert, is_ca, is_ca && ca_cert != NULL) != 0)
		goto out;
	/* A self-check: what we hand out must verify with the issuer key. */
	if (X509_sign(x, ca_key, md) <= 0 || X509_verify(x, ca_key) != 1)
		goto out;
	*out = x;
	x = NULL;
	r = 0;
out:
	if (r != 0)
		sslm_log_crypto("issue certificate");
	X509_free(x);
	return r;
}

/* Copies a memory BIO's contents into a NUL-terminated buffer. */
static int
bio_take(BIO *bio, char **pem, size_t *len)
{
	char	*data, *p;
	long	 n;

	if ((n = BIO_get_mem_data(bio, &data)) <= 0)
		return SSLM_ERR_CRYPTO;
	p = xmalloc((size_t)n + 1);
	memcpy(p, data, (size_t)n);
	p[n] = '\0';
	*pem = p;
	*len = (size_t)n;
	return 0;
}

int
x509_cert_to_pem(X509 *x, char **pem, size_t *len)
{
	BIO	*bio;
	int	 r = SSLM_ERR_CRYPTO;

	if ((bio = BIO_new(BIO_s_mem())) != NULL &&
	    PEM_write_bio_X509(bio, x))
		r = bio_take(bio, pem, len);
	if (r != 0)
		sslm_log_crypto("certificate to PEM");
	BIO_free(bio);
	return r;
}

int
x509_csr_to_pem(X509_REQ *req, char **pem, size_t *len)
{
	BIO	*bio;
	int	 r = SSLM_ERR_CRYPTO;

	if ((bio = BIO_new(BIO_s_mem())) != NULL &&
	    PEM_write_bio_X509_REQ(bio, req))
		r = bio_take(bio, pem, len);
	if (r != 0)
		sslm_log_crypto("CSR to PEM");
	BIO_free(bio);
	return r;
}

/*
 * Reads path (at most PEM_FILE_MAX) into a memory BIO.  Returns 0 and *bio,
 * or NOTFOUND (not logged: callers decide) and other errors (logged).
 */
static int
file_bio(const char *path, BIO **bio, char **data)
{
	size_t	len;
	int	r;

	if ((r = read_file(path, PEM_FILE_MAX, data, &len)) != 0) {
		if (r != SSLM_ERR_NOTFOUND)
			sslm_log(SSLM_LOG_ERR, "%s: %s", path,
			    sslm_strerror(r));
		return r;
	}
	if ((*bio = BIO_new_mem_buf(*data, (int)len)) == NULL) {
		sslm_log_crypto(path);
		free(*data);
		*data = NULL;
		return SSLM_ERR_CRYPTO;
	}
	return 0;
}

int
x509_load_cert(const char *path, X509 **out)
{
	X509	*x;
	BIO	*bio = NULL;
	char	*data = NULL;
	int	 r;

	if ((r = file_bio(path, &bio, &data)) != 0)
		return r;
	if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL) {
		sslm_log_crypto(path);
		r = SSLM_ERR_PARSE;
	} else
		*out = x;
	BIO_free(bio);
	free(data);
	return r;
}

int
x509_load_csr(const char *path, X509_REQ **out)
{
	X509_REQ	*req;
	BIO		*bio = NULL;
	char		*data = NULL;
	int		 r;

	if ((r = file_bio(path, &bio, &data)) != 0)
		return r;
	if ((req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL)) == NULL) {
		sslm_log_crypto(path);
		r = SSLM_ERR_PARSE;
	} else
		*out = req;
	BIO_free(bio);
	free(data);
	return r;
}

int
x509_tlsa_data(X509 *x, int selector, int mtype, char **hex)
{
	static const char	 digits[] = "0123456789abcdef";
	unsigned char		*der = NULL, md[EVP_MAX_MD_SIZE];
	const unsigned char	*data;
	unsigned int		 mdlen;
	char			*h;
	size_t			 n, i;
	int			 len, r = SSLM_ERR_CRYPTO;

	if ((selector != 0 && selector != 1) || mtype < 0 || mtype > 2)
		return SSLM_ERR_USAGE;
	if (selector == 0)
		len = i2d_X509(x, &der);
	else
		len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	if (len <= 0)
		goto out;
	data = der;
	n = (size_t)len;
	if (mtype != 0) {
		if (!EVP_Digest(der, n, md, &mdlen, mtype == 1 ?
		    EVP_sha256() : EVP_sha512(), NULL))
			goto out;
		data = md;
		n = mdlen;
	}
	h = xmalloc(n * 2 + 1);
	for (i = 0; i < n; i++) {
		h[i * 2] = digits[data[i] >> 4];
		h[i * 2 + 1] = digits[data[i] & 0xf];
	}
	h[n * 2] = '\0';
	*hex = h;
	r = 0;
out:
	if (r != 0)
		sslm_log_crypto("TLSA data");
	OPENSSL_free(der);
	return r;
}
