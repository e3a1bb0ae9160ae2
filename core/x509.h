/*
 * x509.h - keys, CSRs, certificates and TLSA hashes (spec §13, §14.1),
 * through the OpenSSL 3 API only (never by running openssl).
 */
#ifndef SSLM_X509_H
#define SSLM_X509_H

#include <stdbool.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "util.h"

/* What kind of key to make. */
struct x509_keyspec {
	int		 type;		/* enum sslm_key_type */
	const char	*curve;		/* EC: any OpenSSL named curve */
	int		 rsa_bits;	/* RSA: >= 2048 */
};

/* The NID of a named EC curve (case-insensitive short or NIST name), or
 * NID_undef (0) when OpenSSL does not know it. */
int	x509_curve_nid(const char *name);
/* Generates a key; 0 and *out (caller frees with EVP_PKEY_free). */
int	x509_key_generate(const struct x509_keyspec *, EVP_PKEY **out) SSLM_WUR;
/* Unencrypted PKCS#8 PEM of a private key; *pem is freed with
 * freezero_secret(pem, len). */
int	x509_key_to_pem(EVP_PKEY *, char **pem, size_t *len) SSLM_WUR;
/* "pubkey-secp384r1", "pubkey-rsa-4096", "pubkey-ed25519" into out. */
void	x509_key_desc(EVP_PKEY *, const char *prefix, char *out, size_t len);

/* Subject and SANs of a CSR (spec §13.2, with upstream's bugs fixed). */
struct x509_csrspec {
	const char		*CN, *C, *ST, *L, *O, *OU, *email;
	const struct strlist	*sans;		/* DNS names, IPs, wildcards */
	bool			 is_ca;
};
/*
 * Builds and signs (SHA-384) a CSR: subject fields in the order CN, C, ST,
 * L, O, OU, emailAddress, empty ones omitted; SANs with CN first when
 * missing (CA certs get no SAN); extensions basicConstraints (critical),
 * keyUsage, extendedKeyUsage, subjectKeyIdentifier.  0 and *out.
 */
int	x509_csr_build(const struct x509_csrspec *, EVP_PKEY *key,
	    X509_REQ **out) SSLM_WUR;

/*
 * Issues a certificate for csr.  When ca_cert is NULL it is self-signed by
 * ca_key (subject = issuer); otherwise signed by ca_cert/ca_key with the
 * authority key identifier of the issuer.  Validity now .. now + days
 * (days >= 1), random 159-bit serial, digest by name (sha256, sha384,
 * sha512, sha3-*; unknown -> sha256; ignored for Ed25519).  CSR extensions
 * are copied except the AKI, which is always computed from the issuer; CA
 * certs get CA:TRUE, keyCertSign and cRLSign, and pathlen:0 when signed by
 * another CA (an intermediate).  0 and *out.
 */
int	x509_issue(X509_REQ *csr, X509 *ca_cert, EVP_PKEY *ca_key, int days,
	    const char *digest, bool is_ca, time_t now, X509 **out) SSLM_WUR;

/* PEM encoders; *pem caller-owned (plain free). */
int	x509_cert_to_pem(X509 *, char **pem, size_t *len) SSLM_WUR;
int	x509_csr_to_pem(X509_REQ *, char **pem, size_t *len) SSLM_WUR;

/* Loaders for files of the store (at most 1 MiB each). 0, NOTFOUND, PARSE. */
int	x509_load_cert(const char *path, X509 **out) SSLM_WUR;
int	x509_load_key(const char *path, EVP_PKEY **out) SSLM_WUR;
int	x509_load_csr(const char *path, X509_REQ **out) SSLM_WUR;
/* True when key is the private half of cert's public key. */
bool	x509_key_matches(X509 *, EVP_PKEY *);

/* Summary of a certificate, for -s, info and the console. */
struct x509_certinfo {
	time_t		 not_before, not_after;
	char		*subject;	/* RFC 4514-ish "CN=a,O=b" */
	char		*issuer;
	char		*subject_cn;
	char		*issuer_cn, *issuer_o;
	struct strlist	 sans;		/* DNS names then IPs */
	char		 pubkey[64];	/* "pubkey-secp384r1" */
	char		 sig_algo[64];	/* "ecdsa-with-SHA384" */
	char		 sha256_fp[96];	/* "AB:CD:..." */
	bool		 is_ca;
};
int	x509_certinfo_get(X509 *, struct x509_certinfo *) SSLM_WUR;
/*
 * The same summary read from the first certificate of a PEM file without
 * decoding its public key (a fraction of the cost on OpenSSL 3), for the
 * common case only: 0 and *out; SSLM_ERR_NOTFOUND when the file is
 * absent; any other value (nothing logged) when the caller must take the
 * full path (x509_load_cert, x509_certinfo_get), which then says what is
 * wrong.  Without full, subject, issuer, sans and sha256_fp stay empty.
 */
int	x509_certinfo_peek(const char *path, bool full,
	    struct x509_certinfo *) SSLM_WUR;
/* The same summary for a CSR: subject, subject_cn, sans, pubkey, sig_algo
 * and is_ca (from basicConstraints); dates, issuer and fingerprint stay
 * empty.  0 and *info (x509_certinfo_free). */
int	x509_csrinfo_get(X509_REQ *, struct x509_certinfo *) SSLM_WUR;
void	x509_certinfo_free(struct x509_certinfo *);
/* An ASN1_TIME as seconds since the epoch (0 when it cannot be read). */
time_t	x509_asn1_time(const ASN1_TIME *);

/*
 * TLSA association data (RFC 6698): selector 0 = full cert DER, 1 = SPKI
 * DER; mtype 0 = raw (hex of DER), 1 = SHA-256, 2 = SHA-512.  *hex is
 * lowercase, caller frees.
 */
int	x509_tlsa_data(X509 *, int selector, int mtype, char **hex) SSLM_WUR;

#endif
