/*
 * gate.h - the DANE roll gate: a service with dane_tls rolls next to curr
 * only when every authoritative name server address has served every TLSA
 * record of next for at least 2 x TTL, so that no resolver can still hold
 * a cached TLSA set without next's records when the servers switch to
 * next's certificate (spec §8.3 done right instead of by the clock).
 *
 * gate_evaluate() is pure (answers in, verdict out); gate_check() asks the
 * name servers and keeps the time of first visibility in
 * <next db dir>/dane-visible.
 */
#ifndef SSLM_GATE_H
#define SSLM_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "dns.h"
#include "tlsa.h"
#include "util.h"

#define GATE_STATE_FILE		"dane-visible"
/* In the service dir: the NS the last check waited for (gate.c). */
#define GATE_WAITING_FILE	".gate-waiting"
/*
 * dane_tls_ttl <= 0 writes records without a TTL, so the zone's $TTL
 * applies, which we cannot see.  upstream's default TTL is assumed; set
 * dane_tls_ttl when the zone's default is longer.
 */
#define GATE_DEFAULT_TTL	1800

/* The answers of every server (in server order) for one owner name. */
struct gate_owner {
	const char		*owner;		/* "_25._tcp.mx.example.com." */
	const struct dns_result	*results;	/* n_servers of them */
};

struct gate_input {
	const struct tlsa_set	*expected;	/* next's records */
	const struct dns_server	*servers;	/* authoritative NS addresses */
	size_t			 n_servers;
	const struct gate_owner	*owners;	/* every owner of expected */
	size_t			 n_owners;
	time_t			 first_seen;	/* 0: not yet seen everywhere */
	time_t			 now;
	int			 ttl;		/* dane_tls_ttl */
};

struct gate_result {
	bool		 open;		/* roll allowed */
	bool		 checked;	/* name servers were asked */
	bool		 all_served;	/* every NS serves every record now */
	time_t		 first_seen;	/* value to keep; 0: not seen */
	char		*reason;	/* "Okay to roll: ..." or
					 * "Too soon to roll: ..." */
	struct strlist	 lines;		/* one per NS, for the console */
	char		*waiting_for;	/* the first NS not serving next's
					 * records (its name), or NULL */
};

/*
 * Decides from the answers alone.  Rules:
 *  - every server must now answer every owner name with a set containing
 *    all of next's records there (extra records, e.g. curr's, are fine);
 *  - first_seen becomes now the first time that holds and is kept after;
 *  - a server that answers without next's records (NODATA, NXDOMAIN, or a
 *    set lacking one) is serving the old set again, which resolvers may
 *    cache anew: first_seen is reset to 0;
 *  - a server that does not answer (TIMEOUT, SERVFAIL, REFUSED, ERROR)
 *    publishes nothing: first_seen is kept, but the gate stays closed
 *    until all serve again;
 *  - open when all serve and now - first_seen >= 2 x TTL.
 * out is always filled (gate_result_free).
 */
void	gate_evaluate(const struct gate_input *, struct gate_result *out);

/*
 * The gate for one service (svcdir = certs/<grp>/<svc>).  Open at once
 * when cfg->dane_roll_gate is false, the service has no dane_tls, there is
 * no next, or curr publishes no TLSA records (no curr, or a curr without
 * tlsa.rr records: nothing a roll could break).  Closed when next has no
 * TLSA records to check.  Otherwise the DNS_ROLE_NS servers of zone are
 * asked (qtype 52) for every owner name in next's tlsa.rr, and
 * <next db dir>/dane-visible ("<unix time>\n<hash of next's records>\n",
 * written atomically when it changes) keeps first_seen across runs.
 * Returns 0 with *out filled (gate_result_free), or an sslm_err (logged)
 * when a TLSA file cannot be parsed or the state cannot be written; the
 * gate is then closed.
 */
int	gate_check(const struct sslm_config *, const struct sslm_service_cfg *,
	    const struct dns_zone *, const char *svcdir, time_t now,
	    int timeout_ms, int retries, struct gate_result *out) SSLM_WUR;

void	gate_result_free(struct gate_result *);

#endif
