/*
 * test-x509.c - keys, CSRs, issuing, loading, certinfo and TLSA data
 * (spec §13.1-§13.4, §14.1, §16).
 *
 * Behaviours covered:
 *  - EC keys on any named curve (case-insensitive, SEC aliases, brainpool),
 *    unknown curves refused; RSA >= 2048 bits; Ed25519; bad types refused
 *  - keys as unencrypted PKCS#8 PEM; loading keys, refusing encrypted ones
 *    without prompting, key/cert matching
 *  - CSR subject order with empty fields omitted, bad subject values,
 *    extensions (order, criticality, key usage per key type, EKU, SKI), SAN
 *    list (CN first when missing, IPs, wildcards, duplicates), none for CAs
 *  - root -> intermediate -> leaf verifies with X509_verify_cert (the
 *    upstream AKI bug is fixed), pathlen:0 on intermediates, serials,
 *    validity days, digests (with the unknown-digest fallback), CSR
 *    policy extensions not trusted
 *  - PEM round trips and loaders; certinfo and csrinfo fields
 *  - TLSA data for selectors 0/1 and match types 0/1/2
 * Keys are generated at run time: no key material is committed.
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

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "config.h"
#include "err.h"
#include "log.h"
#include "util.h"
#include "x509.h"

#define NOW	((time_t)1775563659)	/* 2026-04-07 12:07:39 UTC */

static struct strlist	logged;

static void
capture(void *ctx, enum sslm_level lvl, const char *msg)
{
	(void)ctx;
	(void)lvl;
	strlist_add(&logged, msg);
}

static bool
logged_has(const char *needle)
{
	for (size_t i = 0; i < logged.n; i++)
		if (strstr(logged.v[i], needle) != NULL)
			return true;
	return false;
}

static EVP_PKEY *
key_new(int type, const char *curve, int bits)
{
	struct x509_keyspec ks = { type, curve, bits };
	EVP_PKEY *pk = NULL;

	assert_int_equal(x509_key_generate(&ks, &pk), 0);
	assert_non_null(pk);
	return pk;
}

static X509_REQ *
csr_new(EVP_PKEY *pk, const char *cn, const char *o, bool is_ca,
    const struct strlist *sans)
{
	struct x509_csrspec cs = { 0 };
	X509_REQ *req = NULL;

	cs.CN = cn;
	cs.O = o;
	cs.C = "US";
	cs.sans = sans;
	cs.is_ca = is_ca;
	assert_int_equal(x509_csr_build(&cs, pk, &req), 0);
	return req;
}

/* A private CA chain: root (P-384), intermediate (P-256), leaf (P-256). */
struct chain {
	EVP_PKEY	*root_key, *int_key, *leaf_key;
	X509		*root, *inter, *leaf;
};

static void
chain_make(struct chain *c, int days)
{
	struct strlist sans = { 0 };
	X509_REQ *req;

	c->root_key = key_new(SSLM_KEY_EC, "secp384r1", 0);
	c->int_key = key_new(SSLM_KEY_EC, "prime256v1", 0);
	c->leaf_key = key_new(SSLM_KEY_EC, "secp256r1", 0);

	req = csr_new(c->root_key, "Test Root", "Example", true, NULL);
	assert_int_equal(x509_issue(req, NULL, c->root_key, 3650, "sha384",
	    true, NOW, &c->root), 0);
	X509_REQ_free(req);
	req = csr_new(c->int_key, "Test Int", "Example", true, NULL);
	assert_int_equal(x509_issue(req, c->root, c->root_key, 1825, "sha384",
	    true, NOW, &c->inter), 0);
	X509_REQ_free(req);
	strlist_add(&sans, "www.example.com");
	strlist_add(&sans, "192.0.2.7");
	req = csr_new(c->leaf_key, "leaf.example.com", "", false, &sans);
	assert_int_equal(x509_issue(req, c->inter, c->int_key, days, "sha384",
	    false, NOW, &c->leaf), 0);
	X509_REQ_free(req);
	strlist_clear(&sans);
}

static void
chain_free(struct chain *c)
{
	EVP_PKEY_free(c->root_key);
	EVP_PKEY_free(c->int_key);
	EVP_PKEY_free(c->leaf_key);
	X509_free(c->root);
	X509_free(c->inter);
	X509_free(c->leaf);
}

static char *
tmpdir_new(void)
{
	char *d = xstrdup("/tmp/test-x509.XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static void
write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void
hex_of(const unsigned char *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

/* ---- keys ---- */

static void
test_key_generate_types_and_curves(void **state)
{
	static const struct {
		int		 type;
		const char	*curve;
		int		 bits;
		int		 rc;
		const char	*desc;
	} t[] = {
		{ SSLM_KEY_EC, "secp384r1", 0, 0, "pubkey-secp384r1" },
		{ SSLM_KEY_EC, "SECP384R1", 0, 0, "pubkey-secp384r1" },
		{ SSLM_KEY_EC, "prime256v1", 0, 0, "pubkey-secp256r1" },
		{ SSLM_KEY_EC, "secp256r1", 0, 0, "pubkey-secp256r1" },
		{ SSLM_KEY_EC, "P-521", 0, 0, "pubkey-secp521r1" },
		{ SSLM_KEY_EC, "secp256k1", 0, 0, "pubkey-secp256k1" },
		{ SSLM_KEY_EC, "brainpoolP256r1", 0, 0,
		    "pubkey-brainpoolP256r1" },
		{ SSLM_KEY_EC, "BRAINPOOLP384R1", 0, 0,
		    "pubkey-brainpoolP384r1" },
		{ SSLM_KEY_EC, "brainpoolp512t1", 0, 0,
		    "pubkey-brainpoolP512t1" },
		{ SSLM_KEY_EC, "nosuchcurve", 0, SSLM_ERR_CONFIG, NULL },
		{ SSLM_KEY_EC, "", 0, SSLM_ERR_CONFIG, NULL },
		{ SSLM_KEY_EC, NULL, 0, SSLM_ERR_CONFIG, NULL },
		{ SSLM_KEY_RSA, NULL, 2048, 0, "pubkey-rsa-2048" },
		{ SSLM_KEY_RSA, NULL, 2047, SSLM_ERR_CONFIG, NULL },
		{ SSLM_KEY_RSA, NULL, 1024, SSLM_ERR_CONFIG, NULL },
		{ SSLM_KEY_RSA, NULL, 0, SSLM_ERR_CONFIG, NULL },
		{ SSLM_KEY_ED25519, NULL, 0, 0, "pubkey-ed25519" },
		{ 7, NULL, 0, SSLM_ERR_CONFIG, NULL },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct x509_keyspec ks = { t[i].type, t[i].curve, t[i].bits };
		EVP_PKEY *pk = NULL;
		char desc[64], prv[64];
		int rc = x509_key_generate(&ks, &pk);

		if (rc != t[i].rc)
			fail_msg("row %zu (%s): rc %d, want %d", i,
			    t[i].curve ? t[i].curve : "-", rc, t[i].rc);
		if (t[i].rc != 0) {
			assert_null(pk);
			continue;
		}
		x509_key_desc(pk, "pubkey", desc, sizeof(desc));
		assert_string_equal(desc, t[i].desc);
		x509_key_desc(pk, "prvkey", prv, sizeof(prv));
		assert_string_equal(prv + 3, t[i].desc + 3);
		assert_memory_equal(prv, "prv", 3);
		EVP_PKEY_free(pk);
	}
	assert_true(logged_has("unknown EC curve 'nosuchcurve'"));
	assert_true(logged_has("RSA key size 1024"));
}

static void
test_key_to_pem_is_unencrypted_pkcs8(void **state)
{
	static const struct {
		int		 type;
		const char	*curve;
		int		 bits;
	} t[] = {
		{ SSLM_KEY_EC, "secp384r1", 0 },
		{ SSLM_KEY_RSA, NULL, 2048 },
		{ SSLM_KEY_ED25519, NULL, 0 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		EVP_PKEY *pk = key_new(t[i].type, t[i].curve, t[i].bits);
		EVP_PKEY *back;
		char *pem = NULL;
		size_t len = 0;
		BIO *bio;

		assert_int_equal(x509_key_to_pem(pk, &pem, &len), 0);
		assert_int_equal(strlen(pem), len);
		assert_true(str_has_prefix(pem,
		    "-----BEGIN PRIVATE KEY-----\n"));
		assert_non_null(strstr(pem, "-----END PRIVATE KEY-----\n"));
		bio = BIO_new_mem_buf(pem, (int)len);
		back = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		assert_non_null(back);
		assert_int_equal(EVP_PKEY_eq(pk, back), 1);
		BIO_free(bio);
		EVP_PKEY_free(back);
		freezero_secret(pem, len);
		EVP_PKEY_free(pk);
	}
}

static void
test_key_load_matches_and_refuses_encrypted(void **state)
{
	EVP_PKEY *pk = key_new(SSLM_KEY_EC, "secp256r1", 0), *back = NULL;
	EVP_PKEY *other = key_new(SSLM_KEY_EC, "secp256r1", 0);
	X509_REQ *req;
	X509 *x = NULL;
	char *dir = tmpdir_new(), *p, *pem = NULL;
	size_t len = 0;
	BIO *bio;
	long n;
	(void)state;

	p = path_join(dir, "privkey.pem");
	assert_int_equal(x509_key_to_pem(pk, &pem, &len), 0);
	write_text(p, pem, len);
	freezero_secret(pem, len);
	assert_int_equal(x509_load_key(p, &back), 0);
	assert_int_equal(EVP_PKEY_eq(pk, back), 1);
	EVP_PKEY_free(back);
	back = NULL;

	req = csr_new(pk, "k.example.com", "", false, NULL);
	assert_int_equal(x509_issue(req, NULL, pk, 1, "sha256", false, NOW,
	    &x), 0);
	assert_true(x509_key_matches(x, pk));
	assert_false(x509_key_matches(x, other));
	assert_false(x509_key_matches(x, NULL));

	/* An encrypted key fails to load instead of prompting. */
	bio = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PKCS8PrivateKey(bio, pk, EVP_aes_128_cbc(),
	    NULL, 0, NULL, (void *)"test-passphrase"));
	n = BIO_get_mem_data(bio, &pem);
	write_text(p, pem, (size_t)n);
	BIO_free(bio);
	assert_int_equal(x509_load_key(p, &back), SSLM_ERR_PARSE);
	assert_null(back);

	write_text(p, "garbage\n", 8);
	assert_int_equal(x509_load_key(p, &back), SSLM_ERR_PARSE);
	unlink(p);
	assert_int_equal(x509_load_key(p, &back), SSLM_ERR_NOTFOUND);
	rmdir(dir);

	free(p);
	free(dir);
	X509_free(x);
	X509_REQ_free(req);
	EVP_PKEY_free(pk);
	EVP_PKEY_free(other);
}

/* ---- CSRs ---- */

static void
test_csr_subject_order_omits_empty_fields(void **state)
{
	static const struct {
		const char	*C, *ST, *L, *O, *OU, *email;
		const char	*want;	/* one-line, in DER order */
	} t[] = {
		{ "US", "NY", "Albany", "Example", "Ops", "ca@example.com",
		  "CN=a.example.com,C=US,ST=NY,L=Albany,O=Example,OU=Ops,"
		  "emailAddress=ca@example.com" },
		{ "US", "", NULL, "Example", "", NULL,
		  "CN=a.example.com,C=US,O=Example" },
		{ NULL, NULL, NULL, NULL, NULL, NULL, "CN=a.example.com" },
		{ "", "", "", "", "", "", "CN=a.example.com" },
	};
	EVP_PKEY *pk = key_new(SSLM_KEY_EC, "secp256r1", 0);
	(void)state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct x509_csrspec cs = { "a.example.com", t[i].C, t[i].ST,
		    t[i].L, t[i].O, t[i].OU, t[i].email, NULL, false };
		X509_REQ *req = NULL;
		char got[512];
		BIO *bio = BIO_new(BIO_s_mem());
		long n;
		char *data;

		assert_int_equal(x509_csr_build(&cs, pk, &req), 0);
		/* RFC 2253 order is reversed: print forward instead. */
		X509_NAME_print_ex(bio, X509_REQ_get_subject_name(req), 0,
		    XN_FLAG_SEP_COMMA_PLUS & ~XN_FLAG_DN_REV);
		n = BIO_get_mem_data(bio, &data);
		snprintf(got, sizeof(got), "%.*s", (int)n, data);
		assert_string_equal(got, t[i].want);
		assert_int_equal(X509_REQ_verify(req, pk), 1);
		BIO_free(bio);
		X509_REQ_free(req);
	}
	EVP_PKEY_free(pk);
}

static void
test_csr_rejects_bad_subjects_and_sans(void **state)
{
	EVP_PKEY *pk = key_new(SSLM_KEY_EC, "secp256r1", 0);
	struct strlist bad = { 0 };
	struct x509_csrspec cs = { 0 };
	X509_REQ *req = NULL;
	(void)state;

	cs.CN = "";
	assert_int_equal(x509_csr_build(&cs, pk, &req), SSLM_ERR_CONFIG);
	cs.CN = "a.example.com";
	cs.C = "USA";		/* countryName is two letters */
	assert_int_equal(x509_csr_build(&cs, pk, &req), SSLM_ERR_CONFIG);
	cs.C = NULL;
	strlist_add(&bad, "bad name.example.com");
	cs.sans = &bad;
	assert_int_equal(x509_csr_build(&cs, pk, &req), SSLM_ERR_CONFIG);
	assert_null(req);
	assert_true(logged_has("'bad name.example.com'"));
	strlist_clear(&bad);
	EVP_PKEY_free(pk);
}

/* The SAN values of a CSR, in order, "DNS:x" / "IP:y". */
static void
csr_sans(X509_REQ *req, char *out, size_t len)
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	GENERAL_NAMES *gens = X509V3_get_d2i(exts, NID_subject_alt_name, NULL,
	    NULL);

	out[0] = '\0';
	for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		GENERAL_NAME *gn = sk_GENERAL_NAME_value(gens, i);
		size_t o = strlen(out);

		if (gn->type == GEN_DNS)
			snprintf(out + o, len - o, "%sDNS:%s", i ? "," : "",
			    ASN1_STRING_get0_data(gn->d.dNSName));
		else if (gn->type == GEN_IPADD)
			snprintf(out + o, len - o, "%sIP:%d", i ? "," : "",
			    ASN1_STRING_length(gn->d.iPAddress));
	}
	GENERAL_NAMES_free(gens);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
}

static void
test_csr_san_list(void **state)
{
	static const struct {
		const char	*cn;
		const char	*sans[4];
		const char	*want;
	} t[] = {
		{ "example.com", { "www.example.com" },
		  "DNS:example.com,DNS:www.example.com" },
		/* Listed CN: the given order is kept. */
		{ "example.com", { "www.example.com", "EXAMPLE.com" },
		  "DNS:www.example.com,DNS:EXAMPLE.com" },
		{ "example.com", { "*.example.com", "192.0.2.1",
		  "2001:db8::1" },
		  "DNS:example.com,DNS:*.example.com,IP:4,IP:16" },
		{ "example.com", { "a.example.com", "A.EXAMPLE.COM" },
		  "DNS:example.com,DNS:a.example.com" },
		{ "192.0.2.9", { NULL }, "IP:4" },
	};
	EVP_PKEY *pk = key_new(SSLM_KEY_EC, "secp256r1", 0);
	(void)state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct strlist sans = { 0 };
		X509_REQ *req;
		char got[512];

		for (size_t j = 0; j < 4 && t[i].sans[j]; j++)
			strlist_add(&sans, t[i].sans[j]);
		req = csr_new(pk, t[i].cn, "", false, &sans);
		csr_sans(req, got, sizeof(got));
		if (strcmp(got, t[i].want) != 0)
			fail_msg("row %zu: '%s', want '%s'", i, got, t[i].want);
		X509_REQ_free(req);
		strlist_clear(&sans);
	}
	EVP_PKEY_free(pk);
}

/* NIDs of the CSR extensions in order, and a few properties. */
static void
test_csr_extensions(void **state)
{
	static const struct {
		int		 type;
		const char	*curve;
		bool		 is_ca;
		int		 nids[5];
		int		 ku_bits;	/* KU_* of X509v3 */
		bool		 ku_critical;
		int		 sig_nid;
	} t[] = {
		{ SSLM_KEY_EC, "secp384r1", false,
		  { NID_basic_constraints, NID_key_usage, NID_ext_key_usage,
		    NID_subject_key_identifier, NID_subject_alt_name },
		  KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT |
		  KU_KEY_AGREEMENT, false, NID_ecdsa_with_SHA384 },
		{ SSLM_KEY_RSA, NULL, false,
		  { NID_basic_constraints, NID_key_usage, NID_ext_key_usage,
		    NID_subject_key_identifier, NID_subject_alt_name },
		  KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT, false,
		  NID_sha384WithRSAEncryption },
		{ SSLM_KEY_ED25519, NULL, false,
		  { NID_basic_constraints, NID_key_usage, NID_ext_key_usage,
		    NID_subject_key_identifier, NID_subject_alt_name },
		  KU_DIGITAL_SIGNATURE, false, NID_ED25519 },
		{ SSLM_KEY_EC, "secp384r1", true,
		  { NID_basic_constraints, NID_key_usage, NID_ext_key_usage,
		    NID_subject_key_identifier, NID_undef },
		  KU_DIGITAL_SIGNATURE | KU_KEY_CERT_SIGN | KU_CRL_SIGN, true,
		  NID_ecdsa_with_SHA384 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		EVP_PKEY *pk = key_new(t[i].type, t[i].curve, 2048);
		X509_REQ *req = csr_new(pk, "x.example.com", "Example",
		    t[i].is_ca, NULL);
		STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
		BASIC_CONSTRAINTS *bc;
		ASN1_BIT_STRING *ku;
		EXTENDED_KEY_USAGE *eku;
		ASN1_OCTET_STRING *ski;
		unsigned char md[20];
		unsigned int mdlen;
		const unsigned char *pkd;
		int pklen, n = 0, bits = 0;

		while (n < 5 && t[i].nids[n] != NID_undef)
			n++;
		assert_int_equal(sk_X509_EXTENSION_num(exts), n);
		for (int j = 0; j < n; j++) {
			X509_EXTENSION *e = sk_X509_EXTENSION_value(exts, j);

			assert_int_equal(OBJ_obj2nid(
			    X509_EXTENSION_get_object(e)), t[i].nids[j]);
			if (j == 0)
				assert_true(X509_EXTENSION_get_critical(e));
			if (j == 1)
				assert_int_equal(
				    X509_EXTENSION_get_critical(e) != 0,
				    t[i].ku_critical);
		}
		bc = X509V3_get_d2i(exts, NID_basic_constraints, NULL, NULL);
		assert_int_equal(bc->ca != 0, t[i].is_ca);
		assert_null(bc->pathlen);
		ku = X509V3_get_d2i(exts, NID_key_usage, NULL, NULL);
		for (int b = 0; b < 9; b++)
			if (ASN1_BIT_STRING_get_bit(ku, b))
				bits |= b < 8 ? 0x80 >> b : 0x8000;
		assert_int_equal(bits, t[i].ku_bits);
		eku = X509V3_get_d2i(exts, NID_ext_key_usage, NULL, NULL);
		assert_int_equal(sk_ASN1_OBJECT_num(eku), 5);
		assert_int_equal(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)),
		    NID_server_auth);
		assert_int_equal(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 4)),
		    NID_time_stamp);
		/* SKI = SHA-1 of the public key bits, computed here. */
		ski = X509V3_get_d2i(exts, NID_subject_key_identifier, NULL,
		    NULL);
		X509_PUBKEY_get0_param(NULL, &pkd, &pklen, NULL,
		    X509_REQ_get_X509_PUBKEY(req));
		EVP_Digest(pkd, (size_t)pklen, md, &mdlen, EVP_sha1(), NULL);
		assert_int_equal(ASN1_STRING_length(ski), 20);
		assert_memory_equal(ASN1_STRING_get0_data(ski), md, 20);
		assert_int_equal(X509_REQ_get_signature_nid(req),
		    t[i].sig_nid);
		assert_int_equal(X509_REQ_verify(req, pk), 1);

		BASIC_CONSTRAINTS_free(bc);
		ASN1_BIT_STRING_free(ku);
		EXTENDED_KEY_USAGE_free(eku);
		ASN1_OCTET_STRING_free(ski);
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
		X509_REQ_free(req);
		EVP_PKEY_free(pk);
	}
}

/* ---- issuing ---- */

static const ASN1_OCTET_STRING *
aki_of(X509 *x)
{
	return X509_get0_authority_key_id(x);
}

static void
test_issue_chain_verifies_with_issuer_aki(void **state)
{
	struct chain c;
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	(void)state;

	chain_make(&c, 90);
	/* The AKI names the issuer's key (upstream named the subject's). */
	assert_int_equal(ASN1_OCTET_STRING_cmp(aki_of(c.root),
	    X509_get0_subject_key_id(c.root)), 0);
	assert_int_equal(ASN1_OCTET_STRING_cmp(aki_of(c.inter),
	    X509_get0_subject_key_id(c.root)), 0);
	assert_int_equal(ASN1_OCTET_STRING_cmp(aki_of(c.leaf),
	    X509_get0_subject_key_id(c.inter)), 0);
	assert_int_not_equal(ASN1_OCTET_STRING_cmp(aki_of(c.leaf),
	    X509_get0_subject_key_id(c.leaf)), 0);

	/* Root: CA without pathlen; intermediate: pathlen 0; leaf: no CA. */
	assert_int_equal(X509_check_ca(c.root), 1);
	assert_int_equal(X509_get_pathlen(c.root), -1);
	assert_int_equal(X509_check_ca(c.inter), 1);
	assert_int_equal(X509_get_pathlen(c.inter), 0);
	assert_int_equal(X509_check_ca(c.leaf), 0);
	assert_true(X509_get_key_usage(c.root) & KU_KEY_CERT_SIGN);
	assert_true(X509_get_key_usage(c.inter) & KU_CRL_SIGN);
	assert_false(X509_get_key_usage(c.leaf) & KU_KEY_CERT_SIGN);
	assert_true(X509_get_extended_key_usage(c.leaf) & XKU_SSL_SERVER);
	assert_int_equal(X509_get_ext_by_NID(c.root, NID_subject_alt_name,
	    -1), -1);
	assert_int_equal(X509_NAME_cmp(X509_get_issuer_name(c.leaf),
	    X509_get_subject_name(c.inter)), 0);
	assert_int_equal(X509_self_signed(c.root, 1), 1);

	X509_STORE_add_cert(st, c.root);
	sk_X509_push(untrusted, c.inter);
	assert_true(X509_STORE_CTX_init(ctx, st, c.leaf, untrusted));
	X509_STORE_CTX_set_time(ctx, 0, NOW + 60);
	if (X509_verify_cert(ctx) != 1)
		fail_msg("verify: %s", X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(ctx)));
	assert_int_equal(X509_STORE_CTX_get_error(ctx), X509_V_OK);

	/* Without the intermediate there is no path. */
	X509_STORE_CTX_cleanup(ctx);
	assert_true(X509_STORE_CTX_init(ctx, st, c.leaf, NULL));
	X509_STORE_CTX_set_time(ctx, 0, NOW + 60);
	assert_int_not_equal(X509_verify_cert(ctx), 1);
	assert_int_equal(X509_STORE_CTX_get_error(ctx),
	    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);

	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	sk_X509_free(untrusted);
	chain_free(&c);
}

static void
test_issue_serial_and_validity_days(void **state)
{
	static const int days[] = { 1, 90, 397, 3650 };
	EVP_PKEY *pk = key_new(SSLM_KEY_EC, "secp256r1", 0);
	X509_REQ *req = csr_new(pk, "v.example.com", "", false, NULL);
	BIGNUM *prev = NULL;
	(void)state;

	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		X509 *x = NULL;
		struct x509_certinfo ci;
		BIGNUM *bn;

		assert_int_equal(x509_issue(req, NULL, pk, days[i], "sha256",
		    false, NOW, &x), 0);
		assert_int_equal(x509_certinfo_get(x, &ci), 0);
		assert_int_equal(ci.not_before, NOW);
		assert_int_equal(ci.not_after, NOW + days[i] * 86400LL);
		x509_certinfo_free(&ci);
		bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
		assert_false(BN_is_negative(bn));
		assert_int_equal(BN_num_bits(bn), 159);
		if (prev != NULL)
			assert_int_not_equal(BN_cmp(bn, prev), 0);
		BN_free(prev);
		prev = bn;
		X509_free(x);
	}
	BN_free(prev);
	X509_REQ_free(req);
	EVP_PKEY_free(pk);
}

static void
test_issue_digests(void **state)
{
	static const struct {
		int		 type;
		const char	*digest;
		int		 sig_nid;
		bool		 warns;
	} t[] = {
		{ SSLM_KEY_EC, "sha256", NID_ecdsa_with_SHA256, false },
		{ SSLM_KEY_EC, "sha384", NID_ecdsa_with_SHA384, false },
		{ SSLM_KEY_EC, "SHA512", NID_ecdsa_with_SHA512, false },
		/* OpenSSL 3.0 cannot verify ECDSA-SHA3: falls back
		 * (NID_undef: decided below from what this OpenSSL knows). */
		{ SSLM_KEY_EC, "sha3-256", NID_undef, true },
		{ SSLM_KEY_RSA, "sha3-256", NID_RSA_SHA3_256, false },
		{ SSLM_KEY_EC, "md5", NID_ecdsa_with_SHA256, true },
		{ SSLM_KEY_EC, "bogus", NID_ecdsa_with_SHA256, true },
		{ SSLM_KEY_EC, NULL, NID_ecdsa_with_SHA256, true },
		{ SSLM_KEY_RSA, "sha384", NID_sha384WithRSAEncryption, false },
		{ SSLM_KEY_ED25519, "sha384", NID_ED25519, false },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		EVP_PKEY *pk = key_new(t[i].type, "secp384r1", 2048);
		X509_REQ *req = csr_new(pk, "d.example.com", "", true, NULL);
		X509 *x = NULL;

		int want = t[i].sig_nid, sid;
		bool warns = t[i].warns;

		if (want == NID_undef) {
			warns = !OBJ_find_sigid_by_algs(&sid, NID_sha3_256,
			    EVP_PKEY_EC);
			want = warns ? NID_ecdsa_with_SHA256 :
			    NID_ecdsa_with_SHA3_256;
		}
		strlist_clear(&logged);
		assert_int_equal(x509_issue(req, NULL, pk, 30, t[i].digest,
		    true, NOW, &x), 0);
		assert_int_equal(X509_get_signature_nid(x), want);
		if (X509_verify(x, pk) != 1)
			fail_msg("row %zu: signature does not verify", i);
		assert_int_equal(logged_has("using sha256"), warns);
		X509_free(x);
		X509_REQ_free(req);
		EVP_PKEY_free(pk);
	}
}

static void
test_issue_refuses_bad_input_and_csr_policy(void **state)
{
	EVP_PKEY *pk = key_new(SSLM_KEY_EC, "secp256r1", 0);
	EVP_PKEY *other = key_new(SSLM_KEY_EC, "secp256r1", 0);
	X509_REQ *req = csr_new(pk, "p.example.com", "", true, NULL);
	X509 *ca = NULL, *x = NULL, *leaf2 = NULL;
	(void)state;

	assert_int_equal(x509_issue(req, NULL, pk, 0, "sha256", false, NOW,
	    &x), SSLM_ERR_USAGE);
	/* Self-signed needs the CSR's own key. */
	assert_int_equal(x509_issue(req, NULL, other, 1, "sha256", false, NOW,
	    &x), SSLM_ERR_CRYPTO);
	assert_int_equal(x509_issue(req, NULL, pk, 10, "sha256", true, NOW,
	    &ca), 0);
	/* The CA key must match the CA cert. */
	assert_int_equal(x509_issue(req, ca, other, 1, "sha256", false, NOW,
	    &x), SSLM_ERR_CRYPTO);
	assert_null(x);
	/* A CSR asking for CA:TRUE still gets a leaf when is_ca is false. */
	assert_int_equal(x509_issue(req, ca, pk, 1, "sha256", false, NOW,
	    &x), 0);
	assert_int_equal(X509_check_ca(x), 0);
	assert_false(X509_get_key_usage(x) & KU_KEY_CERT_SIGN);
	/* Signing with a leaf works but is warned about. */
	strlist_clear(&logged);
	assert_int_equal(x509_issue(req, x, pk, 1, "sha256", false, NOW,
	    &leaf2), 0);
	assert_true(logged_has("signing certificate is not a CA"));
	X509_free(leaf2);
	X509_free(x);
	X509_free(ca);
	X509_REQ_free(req);
	EVP_PKEY_free(pk);
	EVP_PKEY_free(other);
}

/* ---- PEM and loaders ---- */

static void
test_pem_round_trip_and_loaders(void **state)
{
	struct chain c;
	char *dir = tmpdir_new(), *cp, *rp, *pem = NULL;
	size_t len = 0;
	X509 *x = NULL;
	X509_REQ *req, *rback = NULL;
	(void)state;

	chain_make(&c, 90);
	cp = path_join(dir, "cert.pem");
	rp = path_join(dir, "csr.pem");
	assert_int_equal(x509_cert_to_pem(c.leaf, &pem, &len), 0);
	assert_true(str_has_prefix(pem, "-----BEGIN CERTIFICATE-----\n"));
	write_text(cp, pem, len);
	free(pem);
	assert_int_equal(x509_load_cert(cp, &x), 0);
	assert_int_equal(X509_cmp(x, c.leaf), 0);
	X509_free(x);
	x = NULL;

	req = csr_new(c.leaf_key, "r.example.com", "", false, NULL);
	assert_int_equal(x509_csr_to_pem(req, &pem, &len), 0);
	assert_true(str_has_prefix(pem,
	    "-----BEGIN CERTIFICATE REQUEST-----\n"));
	write_text(rp, pem, len);
	free(pem);
	assert_int_equal(x509_load_csr(rp, &rback), 0);
	assert_int_equal(X509_REQ_verify(rback, c.leaf_key), 1);
	X509_REQ_free(rback);
	rback = NULL;

	write_text(cp, "-----BEGIN CERTIFICATE-----\nAAAA\n"
	    "-----END CERTIFICATE-----\n", 60);
	assert_int_equal(x509_load_cert(cp, &x), SSLM_ERR_PARSE);
	assert_int_equal(x509_load_csr(cp, &rback), SSLM_ERR_PARSE);
	unlink(cp);
	unlink(rp);
	assert_int_equal(x509_load_cert(cp, &x), SSLM_ERR_NOTFOUND);
	assert_int_equal(x509_load_csr(rp, &rback), SSLM_ERR_NOTFOUND);
	assert_null(x);
	assert_null(rback);
	rmdir(dir);
	free(cp);
	free(rp);
	free(dir);
	X509_REQ_free(req);
	chain_free(&c);
}

/* ---- certinfo ---- */

static void
test_certinfo_fields(void **state)
{
	struct chain c;
	struct x509_certinfo ci;
	unsigned char md[32];
	unsigned int mdlen;
	char fp[96];
	(void)state;

	chain_make(&c, 90);
	assert_int_equal(x509_certinfo_get(c.leaf, &ci), 0);
	assert_int_equal(ci.not_before, NOW);
	assert_int_equal(ci.not_after, NOW + 90 * 86400);
	assert_string_equal(ci.subject, "C=US,CN=leaf.example.com");
	assert_string_equal(ci.issuer, "O=Example,C=US,CN=Test Int");
	assert_string_equal(ci.subject_cn, "leaf.example.com");
	assert_string_equal(ci.issuer_cn, "Test Int");
	assert_string_equal(ci.issuer_o, "Example");
	assert_int_equal(ci.sans.n, 3);
	assert_string_equal(ci.sans.v[0], "leaf.example.com");
	assert_string_equal(ci.sans.v[1], "www.example.com");
	assert_string_equal(ci.sans.v[2], "192.0.2.7");
	assert_string_equal(ci.pubkey, "pubkey-secp256r1");
	assert_string_equal(ci.sig_algo, "ecdsa-with-SHA384");
	assert_false(ci.is_ca);
	X509_digest(c.leaf, EVP_sha256(), md, &mdlen);
	for (unsigned int i = 0; i < 32; i++)
		sprintf(fp + 3 * i, "%02X%s", md[i], i < 31 ? ":" : "");
	assert_string_equal(ci.sha256_fp, fp);
	x509_certinfo_free(&ci);
	x509_certinfo_free(NULL);

	assert_int_equal(x509_certinfo_get(c.root, &ci), 0);
	assert_true(ci.is_ca);
	assert_int_equal(ci.sans.n, 0);
	assert_string_equal(ci.pubkey, "pubkey-secp384r1");
	x509_certinfo_free(&ci);
	chain_free(&c);
}

static void
test_csrinfo_fields(void **state)
{
	EVP_PKEY *pk = key_new(SSLM_KEY_ED25519, NULL, 0);
	struct strlist sans = { 0 };
	struct x509_certinfo ci;
	X509_REQ *req;
	(void)state;

	strlist_add(&sans, "2001:db8::5");
	strlist_add(&sans, "m.example.com");
	req = csr_new(pk, "e.example.com", "Org", false, &sans);
	assert_int_equal(x509_csrinfo_get(req, &ci), 0);
	assert_string_equal(ci.subject, "O=Org,C=US,CN=e.example.com");
	assert_string_equal(ci.subject_cn, "e.example.com");
	assert_int_equal(ci.sans.n, 3);
	assert_string_equal(ci.sans.v[0], "e.example.com");
	assert_string_equal(ci.sans.v[1], "m.example.com");
	assert_string_equal(ci.sans.v[2], "2001:db8::5");
	assert_string_equal(ci.pubkey, "pubkey-ed25519");
	assert_string_equal(ci.sig_algo, "ed25519");
	assert_int_equal(ci.not_after, 0);
	x509_certinfo_free(&ci);
	X509_REQ_free(req);
	strlist_clear(&sans);
	EVP_PKEY_free(pk);
}

/* ---- TLSA ---- */

static void
test_tlsa_data_selectors_and_types(void **state)
{
	struct chain c;
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	char want[8192], *hex;
	int len;
	(void)state;

	chain_make(&c, 90);
	for (int sel = 0; sel <= 1; sel++) {
		for (int mt = 0; mt <= 2; mt++) {
			const EVP_MD *dg = mt == 1 ? EVP_sha256() :
			    EVP_sha512();

			/* Independent ways: X509_digest of the cert, and
			 * i2d of the decoded key. */
			if (mt == 0) {
				der = NULL;
				len = sel == 0 ? i2d_X509(c.leaf, &der) :
				    i2d_PUBKEY(X509_get0_pubkey(c.leaf), &der);
				assert_true(len > 0 && len < 4000);
				hex_of(der, (size_t)len, want);
				OPENSSL_free(der);
			} else {
				der = NULL;
				if (sel == 0)
					X509_digest(c.leaf, dg, md, &mdlen);
				else {
					len = i2d_PUBKEY(
					    X509_get0_pubkey(c.leaf), &der);
					EVP_Digest(der, (size_t)len, md,
					    &mdlen, dg, NULL);
					OPENSSL_free(der);
				}
				hex_of(md, mdlen, want);
				assert_int_equal(strlen(want),
				    mt == 1 ? 64 : 128);
			}
			assert_int_equal(x509_tlsa_data(c.leaf, sel, mt, &hex),
			    0);
			assert_string_equal(hex, want);
			free(hex);
		}
	}
	assert_int_equal(x509_tlsa_data(c.leaf, 2, 1, &hex), SSLM_ERR_USAGE);
	assert_int_equal(x509_tlsa_data(c.leaf, 1, 3, &hex), SSLM_ERR_USAGE);
	assert_int_equal(x509_tlsa_data(c.leaf, -1, 1, &hex), SSLM_ERR_USAGE);
	chain_free(&c);
}

static int
setup(void **state)
{
	(void)state;
	sslm_log_set_sink(capture, NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	strlist_clear(&logged);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_generate_types_and_curves),
		cmocka_unit_test(test_key_to_pem_is_unencrypted_pkcs8),
		cmocka_unit_test(test_key_load_matches_and_refuses_encrypted),
		cmocka_unit_test(test_csr_subject_order_omits_empty_fields),
		cmocka_unit_test(test_csr_rejects_bad_subjects_and_sans),
		cmocka_unit_test(test_csr_san_list),
		cmocka_unit_test(test_csr_extensions),
		cmocka_unit_test(test_issue_chain_verifies_with_issuer_aki),
		cmocka_unit_test(test_issue_serial_and_validity_days),
		cmocka_unit_test(test_issue_digests),
		cmocka_unit_test(test_issue_refuses_bad_input_and_csr_policy),
		cmocka_unit_test(test_pem_round_trip_and_loaders),
		cmocka_unit_test(test_certinfo_fields),
		cmocka_unit_test(test_csrinfo_fields),
		cmocka_unit_test(test_tlsa_data_selectors_and_types),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
