/*
 * x509-info.c - summaries of certificates and CSRs (struct x509_certinfo)
 * for the status output (spec §16) and the tools (spec §21).
 *
 * Everything taken from a certificate is made safe to print: names come
 * from OpenSSL's RFC 2253 printer (controls escaped) and single values have
 * control characters replaced by '?', so a hostile certificate cannot send
 * escape sequences to a terminal.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "log.h"
#include "x509.h"
#include "x509-priv.h"

static int	 asn1_time(const ASN1_TIME *, time_t *);

/* Copies n bytes, replacing control characters (and NUL) with '?'. */
char *
x509i_safe_strndup(const unsigned char *s, size_t n)
{
	char	*p = xmalloc(n + 1);
	size_t	 i;

	for (i = 0; i < n; i++)
		p[i] = (s[i] < 0x20 || s[i] == 0x7f) ? '?' : (char)s[i];
	p[n] = '\0';
	return p;
}

/* "CN=a,O=b": RFC 2253/4514 order (last RDN first), UTF-8 kept. */
char *
x509i_name_str(const X509_NAME *n)
{
	BIO	*bio;
	char	*data, *s;
	long	 len;

	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    X509_NAME_print_ex(bio, n, 0,
	    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0 ||
	    (len = BIO_get_mem_data(bio, &data)) <= 0)
		s = xstrdup("");
	else
		s = x509i_safe_strndup((unsigned char *)data, (size_t)len);
	BIO_free(bio);
	ERR_clear_error();
	return s;
}

/* The first attribute nid of a name as UTF-8, or "". */
char *
x509i_name_field(const X509_NAME *n, int nid)
{
	unsigned char	*u = NULL;
	char		*s;
	int		 i, len;

	if ((i = X509_NAME_get_index_by_NID(n, nid, -1)) < 0)
		return xstrdup("");
	len = ASN1_STRING_to_UTF8(&u,
	    X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)));
	if (len < 0) {
		ERR_clear_error();
		return xstrdup("");
	}
	s = x509i_safe_strndup(u, (size_t)len);
	OPENSSL_free(u);
	return s;
}

/* Appends the DNS names, then the IP addresses, of gens to l. */
void
x509i_sans_collect(const GENERAL_NAMES *gens, struct strlist *l)
{
	const GENERAL_NAME	*gn;
	const unsigned char	*d;
	char			 ip[INET6_ADDRSTRLEN];
	int			 i, pass, len;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
			gn = sk_GENERAL_NAME_value(gens, i);
			if (pass == 0 && gn->type == GEN_DNS) {
				d = ASN1_STRING_get0_data(gn->d.dNSName);
				len = ASN1_STRING_length(gn->d.dNSName);
				strlist_add_nodup(l,
				    x509i_safe_strndup(d, (size_t)len));
			} else if (pass == 1 && gn->type == GEN_IPADD) {
				d = ASN1_STRING_get0_data(gn->d.iPAddress);
				len = ASN1_STRING_length(gn->d.iPAddress);
				if ((len == 4 && inet_ntop(AF_INET, d, ip,
				    sizeof(ip)) != NULL) || (len == 16 &&
				    inet_ntop(AF_INET6, d, ip,
				    sizeof(ip)) != NULL))
					strlist_add(l, ip);
			}
		}
	}
}

/* Upstream's names: OpenSSL long names, Edwards in lower case. */
void
x509i_sig_name(int nid, char *out, size_t len)
{
	const char *s;

	if (nid == NID_ED25519)
		s = "ed25519";
	else if (nid == NID_ED448)
		s = "ed448";
	else if (nid == NID_undef || (s = OBJ_nid2ln(nid)) == NULL)
		s = "unknown";
	snprintf(out, len, "%s", s);
}

static int
asn1_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || !ASN1_TIME_to_tm(t, &tm)) {
		ERR_clear_error();
		return SSLM_ERR_PARSE;
	}
	*out = timegm(&tm);
	return 0;
}

int
x509_certinfo_get(X509 *x, struct x509_certinfo *out)
{
	struct x509_certinfo	 ci;
	GENERAL_NAMES		*gens;
	EVP_PKEY		*pk;
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0, i;
	size_t			 o;
	int			 r;

	memset(&ci, 0, sizeof(ci));
	if ((r = asn1_time(X509_get0_notBefore(x), &ci.not_before)) != 0 ||
	    (r = asn1_time(X509_get0_notAfter(x), &ci.not_after)) != 0) {
		sslm_log(SSLM_LOG_ERR, "certificate: bad validity dates");
		return r;
	}
	ci.subject = x509i_name_str(X509_get_subject_name(x));
	ci.issuer = x509i_name_str(X509_get_issuer_name(x));
	ci.subject_cn = x509i_name_field(X509_get_subject_name(x), NID_commonName);
	ci.issuer_cn = x509i_name_field(X509_get_issuer_name(x), NID_commonName);
	ci.issuer_o = x509i_name_field(X509_get_issuer_name(x),
	    NID_organizationName);
	if ((gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
	    NULL)) != NULL) {
		x509i_sans_collect(gens, &ci.sans);
		GENERAL_NAMES_free(gens);
	}
	if ((pk = X509_get0_pubkey(x)) != NULL)
		x509_key_desc(pk, "pubkey", ci.pubkey, sizeof(ci.pubkey));
	else
		snprintf(ci.pubkey, sizeof(ci.pubkey), "key type unknown");
	x509i_sig_name(X509_get_signature_nid(x), ci.sig_algo, sizeof(ci.sig_algo));
	/* "AB:CD:..": 32 bytes take exactly the 96 bytes of sha256_fp. */
	if (X509_digest(x, EVP_sha256(), md, &mdlen))
		for (i = 0, o = 0; i < mdlen && o + 3 < sizeof(ci.sha256_fp);
		    i++)
			o += (size_t)snprintf(ci.sha256_fp + o,
			    sizeof(ci.sha256_fp) - o, "%s%02X", i ? ":" : "",
			    md[i]);
	ci.is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
	ERR_clear_error();
	*out = ci;
	return 0;
}

int
x509_csrinfo_get(X509_REQ *req, struct x509_certinfo *out)
{
	STACK_OF(X509_EXTENSION)	*exts;
	struct x509_certinfo		 ci;
	BASIC_CONSTRAINTS		*bc;
	GENERAL_NAMES			*gens;
	EVP_PKEY			*pk;

	memset(&ci, 0, sizeof(ci));
	ci.subject = x509i_name_str(X509_REQ_get_subject_name(req));
	ci.subject_cn = x509i_name_field(X509_REQ_get_subject_name(req),
	    NID_commonName);
	ci.issuer = xstrdup("");
	ci.issuer_cn = xstrdup("");
	ci.issuer_o = xstrdup("");
	if ((exts = X509_REQ_get_extensions(req)) != NULL) {
		if ((gens = X509V3_get_d2i(exts, NID_subject_alt_name, NULL,
		    NULL)) != NULL) {
			x509i_sans_collect(gens, &ci.sans);
			GENERAL_NAMES_free(gens);
		}
		if ((bc = X509V3_get_d2i(exts, NID_basic_constraints, NULL,
		    NULL)) != NULL) {
			ci.is_ca = bc->ca != 0;
			BASIC_CONSTRAINTS_free(bc);
		}
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	}
	if ((pk = X509_REQ_get0_pubkey(req)) != NULL)
		x509_key_desc(pk, "pubkey", ci.pubkey, sizeof(ci.pubkey));
	else
		snprintf(ci.pubkey, sizeof(ci.pubkey), "key type unknown");
	x509i_sig_name(X509_REQ_get_signature_nid(req), ci.sig_algo,
	    sizeof(ci.sig_algo));
	ERR_clear_error();
	*out = ci;
	return 0;
}

void
x509_certinfo_free(struct x509_certinfo *ci)
{
	if (ci == NULL)
		return;
	free(ci->subject);
	free(ci->issuer);
	free(ci->subject_cn);
	free(ci->issuer_cn);
	free(ci->issuer_o);
	strlist_clear(&ci->sans);
	memset(ci, 0, sizeof(*ci));
}


time_t
x509_asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	return ASN1_TIME_to_tm(t, &tm) == 1 ? timegm(&tm) : 0;
}
