/*
 * certcache.h - the short summary of each set's cert.pem (dates, key,
 * subject and issuer CN), kept per group in <certs>/<grp>/.cert-cache by
 * changing runs, so that a status of ten thousand services stats each
 * set instead of reading and decoding its certificate.
 *
 * An entry answers only while the set's db directory has the inode,
 * size, mtime and ctime it had when the file was read: a set is written
 * once, and a file added, removed or replaced in it moves the directory.
 * The same one stat serves the production stamps (prod-stamp.c).  A file
 * edited in place inside a set is caught by the next changing run, which
 * reads every certificate again.
 */
#ifndef SSLM_CERTCACHE_H
#define SSLM_CERTCACHE_H

#include <stdbool.h>

#include "x509.h"

struct stat;
struct cert_cache;

/* Never NULL: no file, or one not ours, is an empty cache. */
struct cert_cache *cert_cache_load(const char *certs_dir, const char *grp);
/*
 * The summary of <svc>/db/<db>/cert.pem, st being the stat of
 * <svc>/db/<db>: true and *out
 * (subject_cn, issuer_cn, issuer_o allocated; free with
 * x509_certinfo_free) as x509_certinfo_peek without full gives it.
 */
bool	cert_cache_get(const struct cert_cache *, const char *svc,
	    const char *db, const struct stat *st, struct x509_certinfo *out);
/* Reads curr's and next's cert.pem of every service named (a changing
 * run's services) and writes the group's file when an entry changed;
 * what cannot be read is left out. */
void	cert_cache_refresh(const char *certs_dir, const char *grp,
	    char *const *svcs, size_t n);
void	cert_cache_free(struct cert_cache *);

#endif
