/*
 * dns-priv.h - what the dns module's files share (dns.c: discovery and
 * server lists; dns-query.c: the parallel client; dns-reply.c: reading
 * replies), and the pure pieces that the unit tests and a fuzz target
 * reach.  Not for other modules: they use dns.h.
 */
#ifndef SSLM_DNS_PRIV_H
#define SSLM_DNS_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

#include "dns.h"
#include "util.h"

#define DNS_MAX_MSG		65535	/* a DNS message never exceeds it */
#define DNS_MAX_CHAIN		8	/* CNAMEs followed inside a reply */
#define DNS_EDNS_BUFSIZE	1232	/* the DNS flag day 2020 size */
#define DNS_DEFAULT_TIMEOUT	2000	/* ms per try when given <= 0 */

/*
 * One question to one server for dnsq_run().  The caller fills the first
 * four members (borrowed) and zeroes the rest; dnsq_run() fills the
 * results, which dnsq_clear() releases.
 */
struct dnsq {
	const char	*addr;		/* numeric IPv4 or IPv6 */
	int		 port;
	const char	*qname;
	int		 qtype;

	enum dns_status	 status;
	uint32_t	 serial;	/* SOA: the first SOA's serial */
	struct strlist	 rdata;		/* ANSWER: dns_rr_text() of each
					 * record, sorted */
	double		 ms;		/* first send to answer or give-up */
	char		*error;		/* DNS_ERROR: what went wrong */
};

/*
 * Sends every question at once and waits for all of them: timeout_ms per
 * try (DNS_DEFAULT_TIMEOUT when <= 0), `retries` more tries after a
 * timeout, TCP after a truncated reply.  Returns 0 when at least one
 * question could be sent (each dnsq then has its own status), or an
 * sslm_err when none could (each dnsq still says why).
 */
int	dnsq_run(struct dnsq *, size_t n, int timeout_ms, int retries)
	    SSLM_WUR;
void	dnsq_clear(struct dnsq *);

/*
 * Parses wire (len bytes) as the reply to query id asking (qname, qtype).
 * Returns 0 and *out (free with ldns_pkt_free), SSLM_ERR_NOTFOUND when it
 * is not a reply to that query (wrong ID, not a response, another
 * question: to be ignored), or SSLM_ERR_PARSE when it is malformed (*why
 * then names the problem, a static string).
 */
int	dns_reply_parse(const uint8_t *wire, size_t len, uint16_t id,
	    const ldns_rdf *qname, int qtype, ldns_pkt **out,
	    const char **why) SSLM_WUR;

/*
 * The status of a parsed reply: the rcode, and for NOERROR whether records
 * of qtype answer qname or a name it is a CNAME of.  A NOERROR reply
 * without the authoritative bit and without answers is a referral: we ask
 * authoritative servers only, so that is DNS_ERROR.  *error is set
 * (caller frees) for DNS_ERROR, NULL otherwise.
 */
enum dns_status dns_reply_status(const ldns_pkt *, const ldns_rdf *qname,
	    int qtype, char **error);

/*
 * Appends dns_rr_text() of every answer record of qtype owned by qname or
 * by a name of its CNAME chain to out, sorted (servers rotate RRsets, and
 * results are compared between servers).  For SOA nothing is appended and
 * *serial receives the serial.
 */
void	dns_reply_rdata(const ldns_pkt *, const ldns_rdf *qname, int qtype,
	    struct strlist *out, uint32_t *serial);

/*
 * The rdata of one record as text: TXT strings joined without separator
 * (non-printable bytes and '\' escaped as \DDD), TLSA "u s m hex" in lower
 * case, NS/CNAME a name without trailing dot in lower case, MX "pref host"
 * likewise, A/AAAA the address, anything else ldns's presentation form.
 * Returns an owned string, or NULL when the rdata is malformed.
 */
char	*dns_rr_text(const ldns_rr *);

/* A growable list of servers: add() skips an addr+port already present. */
struct dns_srvlist {
	struct dns_server	*v;
	size_t			 n;
	size_t			 cap;
};
/* Returns true when added, false for a duplicate or a bad address. */
bool	dns_srvlist_add(struct dns_srvlist *, const char *name,
	    const char *addr, int port, enum dns_role);
void	dns_srvlist_free(struct dns_srvlist *);

/*
 * Writes the canonical text of a numeric address (inet_ntop of inet_pton,
 * so that "::1" and "0::1" compare equal) into out.  Returns 0, or
 * SSLM_ERR_PARSE when addr is not an IPv4 or IPv6 literal.
 */
int	dns_addr_norm(const char *addr, char *out, size_t outsz) SSLM_WUR;

/*
 * Appends every address of host (an IP literal as is, else getaddrinfo(3)
 * of family AF_INET, AF_INET6 or AF_UNSPEC) to addrs, canonical and
 * without duplicates.  Returns 0, or SSLM_ERR_DNS with *why (static) set.
 */
int	dns_host_addrs(const char *host, int family, struct strlist *addrs,
	    const char **why) SSLM_WUR;

/* One address of an NS name, as discovery found it. */
struct dns_nsaddr {
	char	*name;
	char	*addr;
};

/*
 * Builds the server list: the NS addresses sorted by name then address,
 * then dns_xtra_ns (IP literals as they are, names resolved to all their
 * addresses, unresolvable ones logged and skipped), all on port, without
 * duplicate addr+port.  Sorts ns in place.  Appends to list.
 */
void	dns_servers_build(struct dns_nsaddr *ns, size_t n_ns,
	    const struct strlist *xtra, int port, const char *apex,
	    struct dns_srvlist *list);

#endif
