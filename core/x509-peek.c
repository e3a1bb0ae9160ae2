/*
 * x509-peek.c - the status summary of a certificate file without a full
 * parse.  On OpenSSL 3 most of PEM_read_bio_X509 is the decoding of the
 * public key (the decoder framework: ~190 of ~250 us per certificate),
 * while the status only shows the key's type and size.  This walks the
 * DER of the common case by hand: a v3 certificate with UTC/generalized
 * times, an EC (named P-256/384/521), RSA, Ed25519 or Ed448 key, and
 * names and extensions that OpenSSL decodes as usual.  Anything else is
 * left to the full parse (x509_load_cert, x509_certinfo_get), so what is
 * shown never depends on which path read the file; the unit tests compare
 * both paths.  The file is read each time: nothing is cached.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "x509.h"
#include "x509-priv.h"

#define PEEK_FILE_MAX	8192	/* larger files take the full parse */
#define PEM_BEGIN	"-----BEGIN CERTIFICATE-----\n"
#define PEM_END		"-----END CERTIFICATE-----"

/* A DER element: its tag, its content, and the whole encoding. */
struct der {
	unsigned	 tag;
	const uint8_t	*p;		/* content */
	size_t		 len;
	const uint8_t	*raw;		/* tag byte */
	size_t		 rawlen;
};

/* The OIDs of the common case (content bytes). */
static const uint8_t oid_ec[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
static const uint8_t oid_p256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01,
    0x07 };
static const uint8_t oid_p384[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const uint8_t oid_p521[] = { 0x2b, 0x81, 0x04, 0x00, 0x23 };
static const uint8_t oid_rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
    0x01, 0x01 };
static const uint8_t oid_ed25519[] = { 0x2b, 0x65, 0x70 };
static const uint8_t oid_ed448[] = { 0x2b, 0x65, 0x71 };
static const uint8_t oid_cn[] = { 0x55, 0x04, 0x03 };
static const uint8_t oid_o[] = { 0x55, 0x04, 0x0a };
static const uint8_t oid_san[] = { 0x55, 0x1d, 0x11 };
static const uint8_t oid_bc[] = { 0x55, 0x1d, 0x13 };

#define OID_IS(d, o)	((d)->tag == 0x06 && (d)->len == sizeof(o) && \
			    memcmp((d)->p, (o), sizeof(o)) == 0)

/*
 * Takes the next element of [*p, end): single-byte tags and definite
 * minimal (DER) lengths only.  0, or -1 when it is not DER.
 */
static int
der_next(const uint8_t **p, const uint8_t *end, struct der *d)
{
	const uint8_t	*s = *p;
	size_t		 len, n, i;

	if (end - s < 2 || (s[0] & 0x1f) == 0x1f)
		return -1;
	d->raw = s;
	d->tag = s[0];
	len = s[1];
	s += 2;
	if (len & 0x80) {
		n = len & 0x7f;
		if (n == 0 || n > 3 || (size_t)(end - s) < n || s[0] == 0)
			return -1;
		for (len = 0, i = 0; i < n; i++)
			len = (len << 8) | s[i];
		s += n;
		if (len < 0x80 || (n > 1 && len < (1u << (8 * (n - 1)))))
			return -1;
	}
	if ((size_t)(end - s) < len)
		return -1;
	d->p = s;
	d->len = len;
	d->rawlen = (size_t)(s + len - d->raw);
	*p = s + len;
	return 0;
}

/* The next element, which must have tag t. */
static int
der_want(const uint8_t **p, const uint8_t *end, unsigned t, struct der *d)
{
	return der_next(p, end, d) == 0 && d->tag == t ? 0 : -1;
}

/* Base64 of a PEM body (lines of the alphabet) into out; its length or
 * -1.  Stops at the END line. */
static long
pem_body(const char *s, const char *e, uint8_t *out, size_t max)
{
	uint32_t	 acc = 0, v;
	size_t		 n = 0, pad = 0, q = 0;
	char		 c;

	for (; s < e; s++) {
		if (*s == '\n')
			continue;
		if (*s == '-')
			break;
		c = *s;
		if (c >= 'A' && c <= 'Z')
			v = (uint32_t)(c - 'A');
		else if (c >= 'a' && c <= 'z')
			v = (uint32_t)(c - 'a') + 26;
		else if (c >= '0' && c <= '9')
			v = (uint32_t)(c - '0') + 52;
		else if (c == '+')
			v = 62;
		else if (c == '/')
			v = 63;
		else if (c == '=')
			v = 64;
		else
			return -1;
		if (v == 64)
			pad++;
		else if (pad != 0)
			return -1;
		acc = (acc << 6) | (v & 63);
		if (++q == 4) {
			if (n + 3 > max || pad > 2)
				return -1;
			out[n++] = (uint8_t)(acc >> 16);
			out[n++] = (uint8_t)(acc >> 8);
			out[n++] = (uint8_t)acc;
			n -= pad;
			acc = 0;
			q = 0;
		}
	}
	if (q != 0 || (size_t)(e - s) < strlen(PEM_END) ||
	    strncmp(s, PEM_END, strlen(PEM_END)) != 0)
		return -1;
	return (long)n;
}

/* UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ, checked as
 * ASN1_TIME_to_tm checks them. */
static int
der_time(const struct der *d, time_t *out)
{
	static const int	 mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31,
	    30, 31, 30, 31 };
	struct tm		 tm;
	int			 v[7], i, k = 0, n, y;
	const uint8_t		*s = d->p;

	if (d->tag == 0x17 && d->len == 13)
		n = 6;
	else if (d->tag == 0x18 && d->len == 15)
		n = 7;
	else
		return -1;
	if (s[d->len - 1] != 'Z')
		return -1;
	for (i = 0; i < n; i++, k += 2) {
		if (s[k] < '0' || s[k] > '9' || s[k + 1] < '0' ||
		    s[k + 1] > '9')
			return -1;
		v[i] = (s[k] - '0') * 10 + (s[k + 1] - '0');
	}
	if (n == 6)
		y = v[0] < 50 ? 2000 + v[0] : 1900 + v[0];
	else {
		y = v[0] * 100 + v[1];
		memmove(v + 1, v + 2, 5 * sizeof(v[0]));
	}
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[3] > 23 || v[4] > 59 ||
	    v[5] > 59)
		return -1;
	if (v[2] > mdays[v[1] - 1] + (v[1] == 2 && (y % 4 == 0 &&
	    (y % 100 != 0 || y % 400 == 0))))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	*out = timegm(&tm);
	return 0;
}

/* An attribute value as UTF-8 (as ASN1_STRING_to_UTF8 converts it). */
static char *
der_utf8(const struct der *v)
{
	ASN1_STRING	*a;
	unsigned char	*u = NULL;
	char		*s;
	int		 len;

	/* The universal string types of DirectoryString and friends (their
	 * V_ASN1_ value is the tag number); others take the full parse. */
	switch (v->tag) {
	case V_ASN1_UTF8STRING:
	case V_ASN1_NUMERICSTRING:
	case V_ASN1_PRINTABLESTRING:
	case V_ASN1_T61STRING:
	case V_ASN1_IA5STRING:
	case V_ASN1_VISIBLESTRING:
	case V_ASN1_UNIVERSALSTRING:
	case V_ASN1_BMPSTRING:
		break;
	default:
		return NULL;
	}
	if ((a = ASN1_STRING_type_new((int)v->tag)) == NULL)
		return NULL;
	if (!ASN1_STRING_set(a, v->p, (int)v->len) ||
	    (len = ASN1_STRING_to_UTF8(&u, a)) < 0) {
		ASN1_STRING_free(a);
		ERR_clear_error();
		return xstrdup("");
	}
	ASN1_STRING_free(a);
	s = x509i_safe_strndup(u, (size_t)len);
	OPENSSL_free(u);
	return s;
}

/*
 * The first CN and the first O of a Name (NULL when not wanted): "" when
 * absent, as x509i_name_field.  -1 when the Name is not the common case.
 */
static int
der_name_fields(const struct der *name, char **cn, char **o)
{
	const uint8_t	*p = name->p, *e = name->p + name->len, *q, *qe;
	struct der	 set, atv, oid, val;
	const uint8_t	*ap;

	while (p < e) {
		if (der_want(&p, e, 0x31, &set) != 0)
			return -1;
		q = set.p;
		qe = set.p + set.len;
		while (q < qe) {
			if (der_want(&q, qe, 0x30, &atv) != 0)
				return -1;
			ap = atv.p;
			if (der_want(&ap, atv.p + atv.len, 0x06, &oid) != 0 ||
			    der_next(&ap, atv.p + atv.len, &val) != 0 ||
			    ap != atv.p + atv.len)
				return -1;
			if (cn != NULL && *cn == NULL && OID_IS(&oid, oid_cn) &&
			    (*cn = der_utf8(&val)) == NULL)
				return -1;
			if (o != NULL && *o == NULL && OID_IS(&oid, oid_o) &&
			    (*o = der_utf8(&val)) == NULL)
				return -1;
		}
	}
	if (cn != NULL && *cn == NULL)
		*cn = xstrdup("");
	if (o != NULL && *o == NULL)
		*o = xstrdup("");
	return 0;
}

/* The full RFC 2253 string of a Name, through OpenSSL (JSON, -v). */
static char *
der_name_str(const struct der *name)
{
	const unsigned char	*p = name->raw;
	X509_NAME		*n;
	char			*s;

	if ((n = d2i_X509_NAME(NULL, &p, (long)name->rawlen)) == NULL) {
		ERR_clear_error();
		return NULL;
	}
	s = x509i_name_str(n);
	X509_NAME_free(n);
	return s;
}

/* "pubkey-..." from a SubjectPublicKeyInfo, as x509_key_desc says it. */
static int
der_key_desc(const struct der *spki, char *out, size_t len)
{
	const uint8_t	*p = spki->p, *e = spki->p + spki->len, *a, *k;
	struct der	 alg, oid, par, bits, seq, n;
	const char	*curve = NULL;
	size_t		 plen = 0, nb;
	int		 nbits;

	if (der_want(&p, e, 0x30, &alg) != 0 ||
	    der_want(&p, e, 0x03, &bits) != 0 || p != e ||
	    bits.len < 2 || bits.p[0] != 0)
		return -1;
	a = alg.p;
	if (der_want(&a, alg.p + alg.len, 0x06, &oid) != 0)
		return -1;
	if (OID_IS(&oid, oid_ec)) {
		if (der_want(&a, alg.p + alg.len, 0x06, &par) != 0)
			return -1;
		if (OID_IS(&par, oid_p256)) {
			curve = "secp256r1";
			plen = 32;
		} else if (OID_IS(&par, oid_p384)) {
			curve = "secp384r1";
			plen = 48;
		} else if (OID_IS(&par, oid_p521)) {
			curve = "secp521r1";
			plen = 66;
		} else
			return -1;
		/* A point of the curve's size, uncompressed or compressed. */
		if (!((bits.p[1] == 4 && bits.len == 2 + 2 * plen) ||
		    ((bits.p[1] == 2 || bits.p[1] == 3) &&
		    bits.len == 2 + plen)))
			return -1;
		snprintf(out, len, "pubkey-%s", curve);
	} else if (OID_IS(&oid, oid_rsa)) {
		if (a != alg.p + alg.len && (der_want(&a, alg.p + alg.len,
		    0x05, &par) != 0 || par.len != 0))
			return -1;
		k = bits.p + 1;
		if (der_want(&k, bits.p + bits.len, 0x30, &seq) != 0)
			return -1;
		k = seq.p;
		if (der_want(&k, seq.p + seq.len, 0x02, &n) != 0 ||
		    der_want(&k, seq.p + seq.len, 0x02, &par) != 0 ||
		    k != seq.p + seq.len || n.len < 2 || (n.p[0] & 0x80) ||
		    (n.p[0] == 0 && !(n.p[1] & 0x80)))
			return -1;
		/* Bits of the modulus, as BN_num_bits counts them. */
		nb = n.p[0] == 0 ? n.len - 1 : n.len;
		k = n.p[0] == 0 ? n.p + 1 : n.p;
		for (nbits = 8; nbits > 0 && !(k[0] & (1u << (nbits - 1)));
		    nbits--)
			;
		snprintf(out, len, "pubkey-rsa-%d", (int)(nb - 1) * 8 + nbits);
	} else if (OID_IS(&oid, oid_ed25519) && bits.len == 33)
		snprintf(out, len, "pubkey-ed25519");
	else if (OID_IS(&oid, oid_ed448) && bits.len == 58)
		snprintf(out, len, "pubkey-ed448");
	else
		return -1;
	return a == alg.p + alg.len ? 0 : -1;
}

/* The signature algorithm's name, as x509i_sig_name says it. */
static int
der_sig_name(const struct der *alg, char *out, size_t len)
{
	const unsigned char	*p = alg->p;
	struct der		 oid;
	ASN1_OBJECT		*o;

	if (der_want(&p, alg->p + alg->len, 0x06, &oid) != 0)
		return -1;
	p = oid.raw;
	if ((o = d2i_ASN1_OBJECT(NULL, &p, (long)oid.rawlen)) == NULL) {
		ERR_clear_error();
		return -1;
	}
	x509i_sig_name(OBJ_obj2nid(o), out, len);
	ASN1_OBJECT_free(o);
	return 0;
}

/* SANs and basicConstraints from the [3] extensions; -1 when a wanted
 * one is present twice or does not decode (the full parse decides). */
static int
der_exts(const struct der *ext3, bool full, struct x509_certinfo *ci)
{
	const uint8_t	*p = ext3->p, *e = ext3->p + ext3->len, *q, *v;
	struct der	 seq, ext, oid, x;
	GENERAL_NAMES	*gens;
	BASIC_CONSTRAINTS *bc;
	bool		 seen_san = false, seen_bc = false;

	if (der_want(&p, e, 0x30, &seq) != 0 || p != e)
		return -1;
	p = seq.p;
	e = seq.p + seq.len;
	while (p < e) {
		if (der_want(&p, e, 0x30, &ext) != 0)
			return -1;
		q = ext.p;
		if (der_want(&q, ext.p + ext.len, 0x06, &oid) != 0 ||
		    der_next(&q, ext.p + ext.len, &x) != 0)
			return -1;
		if (x.tag == 0x01 && der_next(&q, ext.p + ext.len, &x) != 0)
			return -1;
		if (x.tag != 0x04 || q != ext.p + ext.len)
			return -1;
		v = x.p;
		if (OID_IS(&oid, oid_san)) {
			if (seen_san)
				return -1;
			seen_san = true;
			if (!full)
				continue;
			if ((gens = d2i_GENERAL_NAMES(NULL, &v,
			    (long)x.len)) == NULL) {
				ERR_clear_error();
				return -1;
			}
			x509i_sans_collect(gens, &ci->sans);
			GENERAL_NAMES_free(gens);
		} else if (OID_IS(&oid, oid_bc)) {
			if (seen_bc)
				return -1;
			seen_bc = true;
			if ((bc = d2i_BASIC_CONSTRAINTS(NULL, &v,
			    (long)x.len)) == NULL) {
				ERR_clear_error();
				return -1;
			}
			ci->is_ca = bc->ca != 0;
			BASIC_CONSTRAINTS_free(bc);
		}
	}
	return 0;
}

/* The summary of one DER certificate (see x509.h). */
static int
peek_der(const uint8_t *der, size_t dlen, bool full,
    struct x509_certinfo *ci)
{
	const uint8_t	*p = der, *t, *te;
	struct der	 cert, tbs, x, sig, issuer, validity, subject, spki;
	struct der	 nb, na;
	const uint8_t	*vp;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0, i;
	size_t		 o;

	if (der_want(&p, der + dlen, 0x30, &cert) != 0)
		return -1;
	p = cert.p;
	if (der_want(&p, cert.p + cert.len, 0x30, &tbs) != 0 ||
	    der_want(&p, cert.p + cert.len, 0x30, &sig) != 0 ||
	    der_want(&p, cert.p + cert.len, 0x03, &x) != 0 ||
	    p != cert.p + cert.len)
		return -1;
	t = tbs.p;
	te = tbs.p + tbs.len;
	/* [0] EXPLICIT version: v3 (2) only. */
	if (der_want(&t, te, 0xa0, &x) != 0 || x.rawlen != 5 ||
	    x.p[0] != 0x02 || x.p[1] != 1 || x.p[2] != 2)
		return -1;
	if (der_want(&t, te, 0x02, &x) != 0 ||
	    der_want(&t, te, 0x30, &x) != 0 ||
	    der_want(&t, te, 0x30, &issuer) != 0 ||
	    der_want(&t, te, 0x30, &validity) != 0 ||
	    der_want(&t, te, 0x30, &subject) != 0 ||
	    der_want(&t, te, 0x30, &spki) != 0)
		return -1;
	vp = validity.p;
	if (der_next(&vp, validity.p + validity.len, &nb) != 0 ||
	    der_next(&vp, validity.p + validity.len, &na) != 0 ||
	    vp != validity.p + validity.len ||
	    der_time(&nb, &ci->not_before) != 0 ||
	    der_time(&na, &ci->not_after) != 0)
		return -1;
	/* Unique IDs are not expected: then the full parse. */
	if (t < te) {
		if (der_want(&t, te, 0xa3, &x) != 0 || t != te ||
		    der_exts(&x, full, ci) != 0)
			return -1;
	}
	if (der_key_desc(&spki, ci->pubkey, sizeof(ci->pubkey)) != 0 ||
	    der_sig_name(&sig, ci->sig_algo, sizeof(ci->sig_algo)) != 0 ||
	    der_name_fields(&subject, &ci->subject_cn, NULL) != 0 ||
	    der_name_fields(&issuer, &ci->issuer_cn, &ci->issuer_o) != 0)
		return -1;
	if (!full)
		return 0;
	if ((ci->subject = der_name_str(&subject)) == NULL ||
	    (ci->issuer = der_name_str(&issuer)) == NULL)
		return -1;
	/* "AB:CD:..": as x509_certinfo_get (X509_digest hashes the DER). */
	if (!EVP_Digest(cert.raw, cert.rawlen, md, &mdlen, EVP_sha256(),
	    NULL)) {
		ERR_clear_error();
		return -1;
	}
	for (i = 0, o = 0; i < mdlen && o + 3 < sizeof(ci->sha256_fp); i++)
		o += (size_t)snprintf(ci->sha256_fp + o,
		    sizeof(ci->sha256_fp) - o, "%s%02X", i ? ":" : "", md[i]);
	return 0;
}

int
x509_certinfo_peek(const char *path, bool full, struct x509_certinfo *out)
{
	struct x509_certinfo	 ci;
	char			 buf[PEEK_FILE_MAX];
	uint8_t			 der[PEEK_FILE_MAX];
	ssize_t			 n;
	size_t			 got = 0;
	long			 dlen;
	int			 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? SSLM_ERR_NOTFOUND : SSLM_ERR_IO;
	while (got < sizeof(buf) && (n = read(fd, buf + got,
	    sizeof(buf) - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return SSLM_ERR_IO;
		}
		got += (size_t)n;
		/* Only the first block is read: once its END line is in,
		 * the read() that would return 0 is saved. */
		if (memmem(buf, got, "\n-----END ", 10) != NULL)
			break;
	}
	close(fd);
	if (got == sizeof(buf) || got < strlen(PEM_BEGIN) ||
	    memcmp(buf, PEM_BEGIN, strlen(PEM_BEGIN)) != 0 ||
	    (dlen = pem_body(buf + strlen(PEM_BEGIN), buf + got, der,
	    sizeof(der))) <= 0)
		return SSLM_ERR_PARSE;
	memset(&ci, 0, sizeof(ci));
	if (peek_der(der, (size_t)dlen, full, &ci) != 0) {
		x509_certinfo_free(&ci);
		return SSLM_ERR_PARSE;
	}
	*out = ci;
	return 0;
}
