/*
 * certcache.h - the short summary of each set's cert.pem (dates, key,
 * subject and issuer CN), kept per group in <certs>/<grp>/.cert-cache by
 * changing runs, so that a status of ten thousand services stats each
 * certificate instead of reading and decoding it.
 *
 * An entry answers only while the file has the inode, size, mtime and
 * ctime it had when it was read (no write or rename leaves all four), so
 * a stale answer is not possible; anything else reads the file.
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
 * The summary of <svc>/db/<db>/cert.pem whose stat is st: true and *out
 * (subject_cn, issuer_cn, issuer_o allocated; free with
 * x509_certinfo_free) as x509_certinfo_peek without full gives it.
 */
bool	cert_cache_get(const struct cert_cache *, const char *svc,
	    const char *db, const struct stat *st, struct x509_certinfo *out);
/* Reads curr's and next's cert.pem of every service named (a changing
 * run's services) where the cache has no valid entry, and writes the
 * group's file when it changed; what cannot be read is left out. */
void	cert_cache_refresh(const char *certs_dir, const char *grp,
	    char *const *svcs, size_t n);
void	cert_cache_free(struct cert_cache *);

#endif
