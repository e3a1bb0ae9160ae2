/*
 * tlsa.h - DANE TLSA records (spec §14): the per-service <db>/tlsa.rr, the
 * per-group certs/<grp>/tlsa.<grp> that a zone $INCLUDEs, its change
 * detection and its copies to [dns] tlsa_dirs, and a parser of our own
 * format that gives the (owner, rdata) set the roll gate compares with
 * what the name servers serve.
 *
 * Differences from upstream (docs/upstream-fixes.md): single spaces around
 * the TTL; no duplicate records (the apex was repeated when it was also an
 * MX host or a SAN); port 25 honours an explicit SANS subtype; wildcard and
 * IP-literal SANs get a comment instead of a meaningless owner name; a
 * group that lost all its records gets a header-only file instead of
 * keeping the stale one; duplicates across curr/next are commented out as
 * whole records, so a multi-line record never loses its closing paren.
 */
#ifndef SSLM_TLSA_H
#define SSLM_TLSA_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "config.h"
#include "util.h"

#define TLSA_RR_FILE		"tlsa.rr"
#define TLSA_RR_MAX		(1024 * 1024)	/* bytes read from disk */
#define TLSA_HASH_HEXLEN	65		/* SHA-256 hex + NUL */
/* Hex data this long or longer is split (upstream's 72-column chunks). */
#define TLSA_WRAP		72
#define TLSA_INDENT		20

/*
 * Text of <db>/tlsa.rr for cert and the service's dane_tls entries.
 * apex has no trailing dot; mx_hosts are the apex's MX hosts (with or
 * without trailing dots; dns_zone.mx_hosts); label is the db dir name
 * ("YYYYMMDD-HH:MM:SS") shown in the header.  cert NULL (missing or bad)
 * gives the header only, with upstream's warning.  0 and *text (caller
 * frees), or an sslm_err.
 */
int	tlsa_rr_text(X509 *cert, const struct sslm_service_cfg *,
	    const char *apex, const struct strlist *mx_hosts,
	    const char *label, char **text) SSLM_WUR;

/*
 * Writes <dbdir>/tlsa.rr (mode 0644, atomically) for <dbdir>/cert.pem.
 * The header label is dbdir's name when it is a date name, else now in
 * local time.  A service without dane_tls writes nothing.  0 or sslm_err.
 */
int	tlsa_rr_write(const char *dbdir, const struct sslm_service_cfg *,
	    const char *apex, const struct strlist *mx_hosts, time_t now)
	    SSLM_WUR;

/* One TLSA record: owner lower case with the trailing dot; rdata
 * "<u> <s> <m> <hex>" with single spaces and lower-case hex, the form
 * dns_result.rdata uses. */
struct tlsa_rec {
	char	*owner;
	char	*rdata;
};
struct tlsa_set {
	struct tlsa_rec	*v;		/* in file order, no duplicates */
	size_t		 n;
};

/*
 * Parses zone-file text made of TLSA records: "owner [ttl] [IN] TLSA u s m
 * hex", including the parenthesised multi-line form; ';' starts a comment.
 * Records are appended to *set without duplicates.  0, or SSLM_ERR_PARSE
 * (logged with name and line) for anything that is not a TLSA record.
 */
int	tlsa_parse(const char *text, const char *name, struct tlsa_set *set)
	    SSLM_WUR;
/* tlsa_parse of a file; SSLM_ERR_NOTFOUND when it does not exist. */
int	tlsa_parse_file(const char *path, struct tlsa_set *set) SSLM_WUR;
bool	tlsa_set_has(const struct tlsa_set *, const char *owner,
	    const char *rdata);
/* The distinct owner names of set, in order, appended to out. */
void	tlsa_set_owners(const struct tlsa_set *, struct strlist *out);
void	tlsa_set_free(struct tlsa_set *);

/*
 * SHA-256 (hex) of text for change detection: each line stripped, blank
 * lines and lines starting with ';' left out, so comments and the phase
 * line are not changes.
 */
void	tlsa_hash_text(const char *text, size_t len,
	    char hex[TLSA_HASH_HEXLEN]);
/* The same for a file; SSLM_ERR_NOTFOUND when it does not exist. */
int	tlsa_hash_file(const char *path, char hex[TLSA_HASH_HEXLEN]) SSLM_WUR;

enum tlsa_phase {
	TLSA_PHASE_NORMAL,	/* "normal" */
	TLSA_PHASE_ROLL		/* "roll next to curr" (-roll given) */
};

/* A built group file. */
struct tlsa_group {
	char		*text;
	size_t		 len;
	size_t		 n_records;	/* active (not commented) records */
	bool		 has_times;	/* a tlsa.rr with records was read */
	struct timespec	 times[2];	/* atime, mtime of the newest one */
};

/*
 * Builds the text of certs/<grp>/tlsa.<grp> from <grpdir>/<svc>/{curr,next}
 * /tlsa.rr for every service (sorted, duplicates ignored).  A record equal
 * (same owner and rdata) to one already emitted is kept as a comment.
 * 0 and *out (tlsa_group_free), or an sslm_err (a tlsa.rr that cannot be
 * read or parsed).
 */
int	tlsa_group_build(const char *grpdir, const char *apex,
	    const struct strlist *services, enum tlsa_phase,
	    struct tlsa_group *out) SSLM_WUR;
void	tlsa_group_free(struct tlsa_group *);

/* "<grpdir>/tlsa.<grp>"; caller frees. */
char	*tlsa_group_path(const char *grpdir, const char *grp);

/*
 * Rebuilds certs/<grp>/tlsa.<grp> and, when its records changed, writes it
 * (0644, atomically, mtime of the newest contributing tlsa.rr) and copies
 * it to every tlsa_dirs directory (mtime preserved).  A group that had
 * records and has none left gets a header-only file.  A tlsa_dirs copy
 * that is missing or differs is repaired even when the group file did not
 * change.  *changed is true when the group file or any copy was written
 * (the zone must be reloaded).  An empty tlsa_dirs while there is
 * something to copy is a warning; NULL means "do not copy now" (the run
 * copies after the server restarts).  0 or an sslm_err.
 */
int	tlsa_group_update(const char *grpdir, const char *grp,
	    const char *apex, const struct strlist *services, enum tlsa_phase,
	    const struct strlist *tlsa_dirs, bool *changed) SSLM_WUR;

#endif
