/*
 * challenge.h - the challenge side of ACME issuance (spec §12.2, §13.6,
 * §13.7): dns-01 TXT records published through include files in the
 * operator's own zones, one DNS restart, and a wait until the primary and
 * every authoritative name server serve every value; http-01 token files
 * in the web root of every [web] server (local, or over ssh); and the
 * cleanup of both.  dns-01 is in challenge.c, http-01 in challenge-http.c.
 *
 * dns-01 include file <acme_dir>/acme-challenge.<apex>, compatible with
 * upstream's (operators' zones $INCLUDE it):
 *	;; acme-challenge for : example.com
 *	;; acme-challenge : example.com
 *	_acme-challenge.example.com. 60 IN TXT "<value>"
 *	_acme-challenge.example.com. 60 IN TXT "<value of *.example.com>"
 * After cleanup only the two header lines remain.
 *
 * Typical use by the run:
 *	challenge_dns_put(cfg, batch, n, debug);
 *	challenge_dns_wait(cfg, zones, nzones, batch, n, NULL, &report);
 *	... answer the challenges, poll the order ...
 *	challenge_dns_cleanup(cfg, &apexes, debug);
 * and for http-01:
 *	challenge_http_init(&h, cb_dir);
 *	challenge_http_cleanup(cfg, &h);	(tokens of a crashed run)
 *	challenge_http_put(cfg, &h, apex, token, key_auth);  (per challenge)
 *	... answer, poll ...
 *	challenge_http_cleanup(cfg, &h);
 *	challenge_http_free(&h);
 */
#ifndef SSLM_CHALLENGE_H
#define SSLM_CHALLENGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "dns.h"
#include "util.h"

#define CHAL_TXT_TTL		60	/* s, TTL of the TXT records */
#define CHAL_FILE_MODE		0644	/* include files and tokens */
#define CHAL_DIR_MODE		0755	/* web root dirs a web server reads */
#define CHAL_WAIT_LIMIT		900	/* s, default total limit of a wait */
#define CHAL_POLL_MS		500	/* polling period of the pre-wait */
#define CHAL_QUERY_TIMEOUT_MS	1000
#define CHAL_QUERY_RETRIES	1
#define CHAL_SSH_TIMEOUT	60	/* s per ssh command */

/* One dns-01 challenge of a batch (all strings borrowed). */
struct chal_dns {
	const char	*apex;		/* the group: the zone holding name */
	const char	*name;		/* the identifier; "*.x" is taken
					 * as "x" */
	const char	*txt_value;	/* base64url of the key auth digest */
};

/* 1-255 base64url characters (ACME tokens and TXT digests). */
bool	challenge_b64url_ok(const char *);
/*
 * A normalised host name usable in a zone file and a path: non-empty
 * labels of [a-z0-9_-], at most 253 characters.
 */
bool	challenge_domain_ok(const char *);

/*
 * The text of acme-challenge.<apex> for the entries of batch whose apex is
 * apex (the others are skipped): the two header lines, then one TXT line
 * per distinct (name, value) in batch order.  Names are lower-cased, a
 * leading "*." is dropped.  n = 0 gives the header-only (cleanup) form.
 * Returns 0 and *out (caller frees), or SSLM_ERR_USAGE (logged) when a
 * name is not apex or below it (BIND would refuse the whole zone) or a
 * value is not 1-255 base64url characters.
 */
int	challenge_dns_text(const char *apex, const struct chal_dns *batch,
	    size_t n, char **out) SSLM_WUR;
/* The distinct apexes of batch, lower case, in batch order (appended). */
void	challenge_dns_apexes(const struct chal_dns *batch, size_t n,
	    struct strlist *out);
/* The distinct normalised names of apex's entries, in batch order. */
void	challenge_dns_names(const struct chal_dns *batch, size_t n,
	    const char *apex, struct strlist *out);

/*
 * Writes acme-challenge.<apex> for every apex of batch into every [dns]
 * acme_dir (atomically, CHAL_FILE_MODE), then runs the DNS restart once
 * with all those apexes (servers_restart_dns).  The file is replaced:
 * the batch must hold every challenge of its apexes at once.  With debug
 * the text is logged and nothing is written or run.  0 or an sslm_err (no acme_dir:
 * SSLM_ERR_CONFIG).
 */
int	challenge_dns_put(const struct sslm_config *,
	    const struct chal_dns *batch, size_t n, bool debug) SSLM_WUR;
/*
 * Rewrites acme-challenge.<apex> of each apex to the header-only form in
 * every acme_dir and runs the DNS restart once (no wait).  Every file is
 * tried.  With debug nothing is written or run.  0 or an sslm_err.
 */
int	challenge_dns_cleanup(const struct sslm_config *,
	    const struct strlist *apexes, bool debug) SSLM_WUR;

/* What one server looked like at the last pass that asked it. */
struct chal_srv_view {
	char		*apex;
	char		*name;		/* NS name, or the address */
	char		*addr;
	int		 port;
	enum dns_role	 role;		/* primary, ns or xtra */
	bool		 served;	/* every value seen (final) */
	int		 tries;		/* passes that asked this server */
	size_t		 total;		/* values expected */
	size_t		 missing;	/* not served at the last try */
	bool		 has_serial;
	uint32_t	 serial;	/* SOA serial at the last try */
	double		 ms;		/* TXT answer time, last try */
	double		 served_after;	/* s from the wait's start */
	char		*detail;	/* first problem of the last try,
					 * NULL once served */
};

struct chal_dns_report {
	struct chal_srv_view	*views;	/* per apex: primary, then the
					 * zone's servers in order */
	size_t			 n;
	int			 passes;
	double			 elapsed;	/* s */
	bool			 ok;		/* every server served all */
	struct strlist		 failures;	/* at give-up, one line per
						 * server and missing value */
};

/* Called after every pass with the report so far (the console's view). */
typedef void (*chal_progress_fn)(void *ctx, const struct chal_dns_report *);

struct chal_wait_opts {
	int		 pre_delay_s;	/* upper bound of the pre-wait, <0:
					 * cfg->dns_check_delay */
	int		 limit_s;	/* total limit from the start, the
					 * pre-wait included; <=0:
					 * CHAL_WAIT_LIMIT */
	int		 poll_ms;	/* pre-wait period; <=0: CHAL_POLL_MS */
	int		 timeout_ms;	/* per query try */
	int		 retries;
	chal_progress_fn progress;	/* may be NULL */
	void		*ctx;
};
/* The defaults above (pre_delay_s -1: from the config). */
void	challenge_wait_opts_init(struct chal_wait_opts *);

/*
 * Waits until, for every apex of batch, the primary and every server of
 * its zone (NS addresses and dns_xtra_ns) answer TXT
 * _acme-challenge.<name>. with every value of that name (exact match).
 * zones holds one discovered dns_zone per apex (matched by apex; borrowed).
 * Passes are made every poll_ms during the pre-wait (so it ends as soon as
 * all agree), then on the back-off schedule of challenge_next_sleep_ms()
 * until limit_s.  A server that served everything is not asked again.
 * Progress at INFO: " pending: <name> [<addr>] try N (<apex>)" after a
 * pass (every 5 s at most during the pre-wait), " ok: <name> [<addr>]
 * serial S after X s (try N, <apex>)" when a server is done.  A dead
 * server costs each pass one query timeout per name (the questions of a
 * pass go one after the other, every server at once); the timeouts are
 * shortened near the limit.  The wait is the caller's to skip (upstream
 * skipped it in debug).
 * report is always filled (free with challenge_dns_report_free).
 * Returns 0; SSLM_ERR_TIMEOUT at the limit, with report->failures lines
 *   "<name> [<addr>]: _acme-challenge.<id> TXT "<v>" missing (serial S,
 *   primary P)"
 * logged as errors; SSLM_ERR_USAGE for a bad batch or an apex without a
 * zone.
 */
int	challenge_dns_wait(const struct sslm_config *,
	    struct dns_zone *const *zones, size_t nzones,
	    const struct chal_dns *batch, size_t n,
	    const struct chal_wait_opts *, struct chal_dns_report *) SSLM_WUR;
void	challenge_dns_report_free(struct chal_dns_report *);

/*
 * The decision for one server in one pass (pure): txt[i] is its answer
 * for _acme-challenge.<names->v[i]> (names from challenge_dns_names), soa
 * its SOA answer or NULL, primary_serial the primary's (0: unknown).
 * Appends one line per expected value it does not serve (or per name
 * whose query failed) to lines (may be NULL) and returns how many values
 * are missing: 0 means this server serves everything.
 */
size_t	challenge_dns_judge(const char *apex, const struct chal_dns *batch,
	    size_t n, const struct strlist *names,
	    const struct dns_result *const *txt, const struct dns_result *soa,
	    uint32_t primary_serial, const struct dns_server *server,
	    struct strlist *lines);

/*
 * The back-off: step 0, 1, ... gives 250, 500 ms, 1, 2, 4, 8, 15, 30 s,
 * then 60 s for every later step.
 */
long	challenge_backoff_ms(int step);
/*
 * How long to sleep before the next pass, elapsed_ms after the start:
 * during the pre-wait (elapsed < pre) poll_ms, ending at pre; after it
 * challenge_backoff_ms(step); always clipped so that the last pass happens
 * at the limit (pre is capped at the limit too).  -1 when elapsed >= the
 * limit: give up.  *backoff is set when the sleep is a back-off step (the
 * caller then advances step).
 */
long	challenge_next_sleep_ms(long elapsed_ms, long pre_ms, long limit_ms,
	    long poll_ms, int step, bool *backoff);

/*
 * http-01 tokens written so far.  Entries are "<host> <path>" ("localhost"
 * for the local web root); they are also kept in the state file
 * <cb_dir>/web-tokens so that a crashed run's tokens can be removed.
 */
struct chal_http {
	char		*state_path;	/* NULL: memory only */
	struct strlist	 written;
};

void	challenge_http_init(struct chal_http *, const char *cb_dir);
void	challenge_http_free(struct chal_http *);

/*
 * <web.server_dir>/<apex>/.well-known/acme-challenge/<token> (the apex
 * docroot even for subdomains, as upstream), or NULL (logged) when there
 * is no server_dir, apex is not a domain name or token is not base64url.
 */
char	*challenge_http_path(const struct sslm_config *, const char *apex,
	    const char *token);

/*
 * Places key_auth, exactly (no newline: ACME servers strip white space
 * anyway, upstream appended one), at challenge_http_path() on every [web]
 * server: local hosts (prod_host_is_local, or an empty servers list,
 * where upstream delivered nowhere) by an atomic write with dirs created
 * CHAL_DIR_MODE and the file CHAL_FILE_MODE, owner unchanged; other hosts
 * over ssh (see challenge_http_argv).  Each copy is recorded (memory and
 * state file) before it is made.  Every host is tried; 0 or an sslm_err.
 */
int	challenge_http_put(const struct sslm_config *, struct chal_http *,
	    const char *apex, const char *token, const char *key_auth)
	    SSLM_WUR;

/*
 * Removes every recorded token, those of the state file included (local
 * unlink, remote "rm -f"), then empties the record.  Entries that could
 * not be removed stay recorded; 0 or an sslm_err.
 */
int	challenge_http_cleanup(const struct sslm_config *, struct chal_http *)
	    SSLM_WUR;

enum chal_http_op {
	CHAL_HTTP_MKDIR,	/* ssh <opts> host mkdir -p -- <dir of path> */
	CHAL_HTTP_WRITE,	/* ssh <opts> host tee -- <path> (stdin) */
	CHAL_HTTP_CHMOD,	/* ssh <opts> host chmod 0644 -- <path> */
	CHAL_HTTP_REMOVE	/* ssh <opts> host rm -f -- <path> */
};
/*
 * The argv of one remote step (appended to out).  ssh joins its command
 * words into one string for the remote shell, so path must be absolute
 * and consist of [A-Za-z0-9._/+,:@%=-] only, and host must not start
 * with '-'; otherwise SSLM_ERR_CONFIG (logged) and nothing is appended.
 * ssh, not scp, carries the file: ssh_opts are ssh options, and scp reads
 * some of them differently (-p, -l).
 */
int	challenge_http_argv(const struct sslm_config *, const char *host,
	    enum chal_http_op, const char *path, struct strlist *out) SSLM_WUR;

#endif
