/*
 * dns.h - DNS through ldns: discovery of a zone's authoritative name
 * servers (every IPv4 and IPv6 address of each NS name) and MX hosts at the
 * configured primary, and queries (SOA serial, TXT, TLSA) sent to many
 * servers in parallel with per-query timeouts and retries, one result per
 * server, so that "every name server agrees" can be checked and shown.
 */
#ifndef SSLM_DNS_H
#define SSLM_DNS_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "util.h"

enum dns_role {
	DNS_ROLE_PRIMARY,	/* [[dns_primary]] */
	DNS_ROLE_NS,		/* an address of an authoritative NS name */
	DNS_ROLE_XTRA		/* dns_xtra_ns */
};

struct dns_server {
	char		*name;	/* NS host name, or the address itself */
	char		*addr;	/* numeric IPv4 or IPv6 */
	int		 port;
	enum dns_role	 role;
};

/* What the primary says about one apex. */
struct dns_zone {
	char			*apex;		/* no trailing dot */
	struct dns_server	 primary;
	struct dns_server	*servers;	/* NS addresses, then xtra */
	size_t			 n_servers;
	struct strlist		 ns_names;	/* no trailing dot */
	struct strlist		 mx_hosts;	/* all of them, no trailing
						 * dot, sorted, no duplicates */
};

/*
 * Discovers apex at its [[dns_primary]] (the group's own entry, else the
 * default): the primary's address (a host name is resolved with the system
 * resolver), NS names and all their A/AAAA addresses (asked at the primary,
 * then the system resolver), MX hosts, and dns_xtra_ns (IPs as they are,
 * names resolved).  Auth NS and xtra servers are queried on port
 * ns_port (53 in production; tests use another).  Returns 0 and *out, or an
 * sslm_err with a message logged "<apex>: <primary>: <what failed>".
 */
int	dns_discover(const struct sslm_config *, const char *apex,
	    int ns_port, int timeout_ms, struct dns_zone **out) SSLM_WUR;
void	dns_zone_free(struct dns_zone *);

enum dns_status {
	DNS_ANSWER,		/* NOERROR with answers */
	DNS_NODATA,		/* NOERROR, no records of the type */
	DNS_NXDOMAIN,
	DNS_SERVFAIL,
	DNS_REFUSED,
	DNS_TIMEOUT,
	DNS_ERROR		/* anything else (bad reply, network) */
};

/* One server's answer to one question. */
struct dns_result {
	const struct dns_server	*server;	/* borrowed */
	enum dns_status		 status;
	uint32_t		 serial;	/* SOA queries */
	struct strlist		 rdata;		/* TXT: the joined text;
						 * TLSA: "u s m hex" lower
						 * case; SOA: empty */
	double			 ms;		/* first send to the answer
						 * (retries included) */
	char			*error;		/* for DNS_ERROR */
};

/*
 * Asks every server (n of them) the same question at once (UDP, TCP on a
 * truncated reply), waiting at most timeout_ms per try and retrying
 * `retries` times after a timeout.  qtype is LDNS_RR_TYPE_SOA, _TXT or _TLSA
 * (numeric values 6, 16, 52).  *out receives n results in server order
 * (free with dns_results_free).  Returns 0, or an sslm_err when nothing
 * could be sent at all (SSLM_ERR_NET), or qname is not a domain name
 * (SSLM_ERR_USAGE).  Any other qtype works too (rdata in presentation
 * form; A/AAAA addresses, NS/CNAME/MX names normalised).
 */
int	dns_query_all(const struct dns_server *servers, size_t n,
	    const char *qname, int qtype, int timeout_ms, int retries,
	    struct dns_result **out) SSLM_WUR;
/*
 * Every question (qnames[k] of type qtypes[k], k < nq) to every server at
 * once: one round trip for the lot, not one per question.  *out receives
 * nq * n results, question by question: (*out)[k * n + s] (free with
 * dns_results_free(*out, nq * n)).  Returns as dns_query_all() does; a
 * bad name among qnames is SSLM_ERR_USAGE before anything is sent.
 */
int	dns_query_grid(const struct dns_server *servers, size_t n,
	    const char *const *qnames, const int *qtypes, size_t nq,
	    int timeout_ms, int retries, struct dns_result **out) SSLM_WUR;
void	dns_results_free(struct dns_result *, size_t n);
/* "ANSWER", "NODATA", "NXDOMAIN", "SERVFAIL", "REFUSED", "TIMEOUT",
 * "ERROR" (static strings). */
const char *dns_status_name(enum dns_status);
/* "primary", "ns", "xtra" (static strings). */
const char *dns_role_name(enum dns_role);

/*
 * A domain name as the module keeps it: ASCII lower case, without the
 * trailing dot.  Returns an owned string (NULL in, NULL out).
 */
char	*dns_name_norm(const char *);

/*
 * TLSA rdata text (as in a zone or tlsa.rr file: "3 1 1 ABCD...", possibly
 * "( 3 1 1" with the hex split over lines and a closing ")") in the form
 * dns_query_all() returns: "u s m hex", single spaces, lower-case hex.
 * Returns an owned string, or NULL when it is not TLSA rdata (a field out
 * of 0-255, no data, an odd number of hex digits or a non-hex one).
 */
char	*dns_tlsa_norm(const char *);

#endif
