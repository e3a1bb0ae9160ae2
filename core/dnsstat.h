/*
 * dnsstat.h - the DNS propagation view ("ssl-mgr dns-status" and the
 * console's DNS screen): per apex, the primary and every NS address and
 * dns_xtra_ns server with its SOA serial, which of the pending
 * _acme-challenge TXT values and of curr's and next's TLSA records it
 * serves, its latency and its last error.
 *
 * Reads only: the pending TXT values come from the dns-01 include files
 * (acme-challenge.<apex> in the first [dns] acme_dir), the expected TLSA
 * records from certs/<apex>/<svc>/{curr,next}/tlsa.rr.  Results are
 * handed to a callback as each apex is done, so a front end can show
 * them as they arrive.
 */
#ifndef SSLM_DNSSTAT_H
#define SSLM_DNSSTAT_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "dns.h"
#include "util.h"

#define DNSSTAT_TIMEOUT_MS	1000
#define DNSSTAT_RETRIES		1

/* Expected vs served for one record kind on one server. */
struct dnsstat_count {
	size_t	expected;
	size_t	served;
};

enum dnsstat_kind {
	DNSSTAT_ZONE,		/* discovery done: zone and expectations */
	DNSSTAT_SERVER,		/* one server's row */
	DNSSTAT_ERROR,		/* the apex could not be looked at */
	DNSSTAT_DONE		/* every apex done */
};

struct dnsstat_event {
	enum dnsstat_kind	 kind;
	const char		*apex;
	/* DNSSTAT_ZONE */
	const struct dns_zone	*zone;
	const struct strlist	*txt;		/* "name value" pending */
	size_t			 tlsa_curr, tlsa_next;
	/* DNSSTAT_SERVER */
	const struct dns_server	*server;
	const char		*soa;		/* dns_status_name */
	uint32_t		 serial;
	bool			 has_serial;
	bool			 behind;	/* below the primary's */
	uint32_t		 primary_serial;
	double			 ms;		/* SOA answer time */
	struct dnsstat_count	 c_txt, c_curr, c_next;
	const struct strlist	*missing;	/* what it does not serve */
	const char		*error;		/* first problem, or NULL */
	/* DNSSTAT_DONE */
	double			 elapsed_ms;
};

typedef void (*dnsstat_fn)(void *ctx, const struct dnsstat_event *);

/*
 * Looks at every apex of apexes (none: every active group but "ca" that
 * has a [[dns_primary]]), one after the other: discovery at the primary,
 * then SOA, TXT and TLSA questions to all its servers at once.  fn gets a
 * ZONE event and one SERVER event per server (primary first), or one
 * ERROR event, per apex, then DONE.  Returns 0, or SSLM_ERR_DNS when an
 * apex could not be discovered (the others are still done).
 */
int	sslm_dns_status(const struct sslm_config *, const struct strlist *apexes,
	    int timeout_ms, dnsstat_fn, void *ctx);

/* One event as a JSON object on one line (no newline); caller frees. */
char	*dnsstat_json(const struct dnsstat_event *);
/* One event as text lines for people, appended to b. */
void	dnsstat_text(const struct dnsstat_event *, struct buf *b);

/*
 * The pending values of a dns-01 include file's text: "name value" for
 * every TXT record, names absolute without the trailing dot (relative
 * ones completed with apex), lower case.  Appended to out.
 */
void	dnsstat_parse_challenges(const char *text, const char *apex,
	    struct strlist *out);

#endif
