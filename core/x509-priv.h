/*
 * x509-priv.h - helpers shared by x509-info.c and x509-peek.c.  Internal
 * to core.
 */
#ifndef SSLM_X509_PRIV_H
#define SSLM_X509_PRIV_H

#include <stddef.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util.h"

/* n bytes with control characters (and NUL) replaced by '?'. */
char	*x509i_safe_strndup(const unsigned char *, size_t);
/* "CN=a,O=b" (RFC 2253 printer, controls escaped), never NULL. */
char	*x509i_name_str(const X509_NAME *);
/* The first attribute nid of a name as UTF-8, or "". */
char	*x509i_name_field(const X509_NAME *, int nid);
/* Appends the DNS names, then the IP addresses, of gens to l. */
void	 x509i_sans_collect(const GENERAL_NAMES *, struct strlist *);
/* The name upstream shows for a signature algorithm nid. */
void	 x509i_sig_name(int nid, char *out, size_t len);

#endif
