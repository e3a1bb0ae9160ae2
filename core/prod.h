/*
 * prod.h - the production tree (spec §6.4, §10): the integrity check
 * against certs/, the local sync with one atomic swap per service, the
 * remote copies (rsync over ssh) and post_copy_cmd.
 *
 * Layout written:
 *   <prod>/<grp>/tlsa.<grp>
 *   <prod>/<grp>/<svc>/curr/	copy of certs/<grp>/<svc>/db/<curr target>/
 *   <prod>/<grp>/<svc>/next/	same for next; absent when certs has none
 * For the group "ca" (any case) the private keys (privkey.pem, key.pem)
 * and bundle.pem are never written to production: servers need the CA
 * certificates, not the keys that sign them (upstream copied them
 * everywhere, spec §6.3, §19.23).
 */
#ifndef SSLM_PROD_H
#define SSLM_PROD_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "util.h"

#define PROD_DIR_MODE		0750
#define PROD_KEY_MODE		0600	/* privkey.pem, key.pem, bundle.pem */
#define PROD_FILE_MODE		0644	/* everything else */
/* Time limits of the commands run here, in seconds. */
#define PROD_RSYNC_TIMEOUT	1800
#define PROD_POST_COPY_TIMEOUT	600

/*
 * One group of the run and the services to check or sync in it.  grp is
 * borrowed; svcs is owned by whoever built the scope (strlist_clear it).
 */
struct prod_scope {
	const char	*grp;
	struct strlist	 svcs;
	/* Optional: the db set each service's curr and next link names
	 * (links[2 * i + w], NULL: no link), when the caller has read them
	 * already; NULL: the check reads them. */
	const char *const *links;
	/* Optional with links: the stat of each linked set's db directory
	 * (dbdirs[2 * i + w], NULL: not known). */
	const struct stat *const *dbdirs;
};

/*
 * The integrity check (spec §10.1, but reporting every difference): for
 * each group of scope, <prod>/<grp> exists; tlsa.<grp> is the same on both
 * sides (comments and blank lines ignored); for each service and each of
 * curr/next, both sides have it or neither; when both do, privkey.pem,
 * cert.pem, csr.pem, chain.pem, fullchain.pem and bundle.pem match
 * (white space ignored; missing on both sides counts as equal; for "ca",
 * privkey.pem and bundle.pem must be absent from production).
 * Each difference appends one line to drift, e.g.
 *   "example.com/mail-ec/next: missing in production"
 *   "example.com/web/curr/cert.pem: differs (certs: <path>, prod: <path>)"
 *   "example.com/web/next: stale in production (no next in certs)"
 * Reads only, but with record a side found equal is stamped in
 * <certs>/<grp>/.prod-stamp (prod-stamp.c): the next check of an
 * unchanged side then needs six fstatat() instead of twelve reads.
 * Returns 0 (drift may be empty) or an sslm_err when a file could not be
 * read.
 */
int	prod_check(const struct sslm_config *, const char *certs_dir,
	    const char *prod_dir, const struct prod_scope *, size_t n,
	    bool record, struct strlist *drift) SSLM_WUR;
/* One group of prod_check (callers that split the work themselves). */
int	prod_check_group(const char *certs_dir, const char *prod_dir,
	    const struct prod_scope *, bool record, struct strlist *drift)
	    SSLM_WUR;

/*
 * Makes production match certs/ for every service of scope.  A service
 * whose production copy differs (files, contents or modes) is rebuilt as
 * <prod>/<grp>/<svc>.new.<pid>/{curr,next}/ (dirs 0750, keys and bundles
 * 0600, other files 0644, mtimes kept) and exchanged with the live one by
 * renameat2(RENAME_EXCHANGE), so that a reader sees the old set or the
 * new set, never one's key with the other's cert.  Identical services are
 * left alone.  Then tlsa.<grp> is copied (atomically, mtime kept), or
 * removed from production when certs has none or an empty one.
 * Leftovers of a killed run (<svc>.new.<pid>, <svc>.old.<pid>,
 * *.tmp.<pid>) are removed
 * first.  With debug nothing is changed; what would be done is logged.
 * *changed is set when production changed (or would have).  Returns 0 or
 * an sslm_err (the services before the failure are synced).
 */
int	prod_sync(const struct sslm_config *, const char *certs_dir,
	    const char *prod_dir, const struct prod_scope *, size_t n,
	    bool debug, bool *changed) SSLM_WUR;

/*
 * Copies the whole production tree to each unique remote host of [smtp],
 * [imap], [web], [other] (in that order; classes with skip_prod_copy and
 * local hosts skipped) as
 *   rsync -a --delete --mkpath -e "ssh <ssh_opts>" <prod>/ <host>:<prod>/
 * A relative prod_dir is refused (SSLM_ERR_CONFIG) when there is a host
 * to copy to.  Every host is tried; each failure is logged as
 * "<host>: rsync failed (exit N): <last output line>" and the function
 * then returns SSLM_ERR_EXEC.  With debug the commands are only logged.
 */
int	prod_remote(const struct sslm_config *, const char *prod_dir,
	    bool debug) SSLM_WUR;

/*
 * Runs every post_copy_cmd pair locally as argv [cmd, host], logging
 * " Post Copy : [host, cmd]".  Failures are logged, summed up as
 * "Warning: post copy commands had N" and returned as the count N
 * (not an error, as upstream).  With debug nothing is run and 0 returned.
 */
int	prod_post_copy(const struct sslm_config *, bool debug);

/*
 * True when host names this machine: "localhost", gethostname(), or its
 * first label.  Such hosts get no rsync, and their restarts run locally.
 */
bool	prod_host_is_local(const char *host);

/*
 * Runs argv with a time limit (used for rsync, post_copy_cmd and the
 * restarts of servers.c).  what names it in messages ("<host>: rsync").
 * A failure is logged as
 *   "<what> failed (exit N): <last output line>"
 *   "<what> timed out after N s"  /  "<what> could not be run: <reason>"
 * With debug the command is only logged ("<what> (debug, not run): <argv>").
 * Returns 0, or SSLM_ERR_EXEC when it could not run or did not exit 0.
 */
int	prod_exec(char *const argv[], int timeout_secs, bool debug,
	    const char *what) SSLM_WUR;

/*
 * The ssh argv prefix for a remote command: "ssh", the ssh_opts, host.
 * Appended to out (servers.c adds the command words after it).
 */
void	prod_ssh_argv(const struct sslm_config *, const char *host,
	    struct strlist *out);

#endif
