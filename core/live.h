/*
 * live.h - verify --live: connect to every host of a service (its SANs,
 * and the group's MX hosts for port 25) on every address, on the ports of
 * verify_ports, STARTTLS where named, and check that the served leaf is
 * curr (or next), how long it has left, and that it matches the TLSA
 * records every authoritative name server serves for that port.
 *
 * Read only: nothing in the tree changes.  Every connection is bounded
 * (connect and I/O time limits) and up to LIVE_PARALLEL run at once, so an
 * unreachable host costs seconds, once.
 */
#ifndef SSLM_LIVE_H
#define SSLM_LIVE_H

#include <stdbool.h>

#include <openssl/x509.h>

#include "config.h"
#include "run.h"
#include "util.h"

#define LIVE_CONNECT_MS		5000	/* TCP connect */
#define LIVE_IO_MS		10000	/* each read/write, handshake */
#define LIVE_LINE_MAX		1024	/* a STARTTLS dialogue line */
#define LIVE_PARALLEL		8	/* connections at once */

/*
 * Connects to addr (numeric) on port, speaks STARTTLS when asked, and
 * does a TLS handshake with SNI host (none for an IP literal), offering
 * only the signature algorithms of ktype so that a server with one
 * certificate per key type shows the one of this service.  The peer's
 * certificates are not verified here: the caller compares them.  Returns
 * 0 and *chain (leaf first; free with sk_X509_pop_free(.., X509_free)),
 * or -1 with *why (caller frees) saying which step failed and how.
 */
int	live_fetch_chain(const char *host, const char *addr, int port,
	    enum sslm_starttls, enum sslm_key_type ktype,
	    STACK_OF(X509) **chain, char **why);

/*
 * True when TLSA rdata "u s m hex" (dns_result form) matches chain: usage
 * 1 and 3 the leaf, usage 0 and 2 any certificate above it.
 */
bool	live_tlsa_match(const char *rdata, STACK_OF(X509) *chain);

/*
 * verify --live for the services of run: one line per host, address and
 * port into out, "ok" or "FAIL" with the reasons, and a summary.  Returns
 * the number of failed checks (0: all good).
 */
int	sslm_live_verify(struct sslm_run *, struct buf *out);

#endif
