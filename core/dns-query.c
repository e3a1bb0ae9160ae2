/*
 * dns-query.c - the parallel DNS client of the dns module.  The same kind
 * of question goes to many servers at once: every query has its own
 * non-blocking socket, one poll() waits for all of them, a timed-out try is
 * resent (same ID, so a late answer to an earlier try still counts) and a
 * truncated UDP reply moves that one server to TCP.  The whole run is
 * bounded by timeout_ms x (retries + 1), plus one TCP try per truncated
 * reply.
 *
 * Replies are matched on the source address, the ID, the QR bit and the
 * question before anything else is believed (dns-reply.c reads them), so a
 * hostile or stray datagram is ignored or, from the server itself, is a
 * DNS_ERROR.  UDP sockets are not connected: as on the real network, a dead
 * server is a timeout, not an ICMP error.  No global state, no threads.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "dns-priv.h"
#include "err.h"
#include "log.h"
#include "util.h"

enum qphase {
	Q_UDP,			/* datagram sent, waiting for the reply */
	Q_CONNECT,		/* TCP connect in progress */
	Q_WRITE,		/* TCP: sending the length-prefixed query */
	Q_READ,			/* TCP: reading the length, then the reply */
	Q_DONE
};

/* The state of one dnsq while dnsq_run() works on it. */
struct qstate {
	struct dnsq		*q;
	struct sockaddr_storage	 sa;
	socklen_t		 salen;
	ldns_rdf		*qdname;
	uint8_t			*wire;		/* 2-byte TCP length, query */
	size_t			 wlen;		/* query length (no prefix) */
	uint16_t		 id;
	int			 fd;
	enum qphase		 phase;
	int			 tries;		/* tries started */
	double			 start;		/* first send (ms) */
	double			 deadline;	/* end of this try (ms) */
	uint8_t			*tcp;		/* TCP reply */
	size_t			 off;		/* bytes moved in this phase */
	size_t			 need;		/* TCP reply length */
};

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static const char *
type_name(int qtype)
{
	const ldns_rr_descriptor *d = ldns_rr_descript((uint16_t)qtype);

	return d != NULL && d->_name != NULL ? d->_name : "TYPE?";
}

/* Ends a query with status; closes its socket. */
static void
q_finish(struct qstate *s, enum dns_status status)
{
	s->q->status = status;
	s->q->ms = s->start > 0 ? now_ms() - s->start : 0;
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	s->phase = Q_DONE;
}

static void q_fail(struct qstate *, const char *, ...) SSLM_PRINTF(2, 3);

/* Ends a query with DNS_ERROR and a message. */
static void
q_fail(struct qstate *s, const char *fmt, ...)
{
	va_list	ap;

	free(s->q->error);
	va_start(ap, fmt);
	s->q->error = xvasprintf(fmt, ap);
	va_end(ap);
	q_finish(s, DNS_ERROR);
}

/*
 * Makes the query packet and the server's socket address.  Returns 0, or
 * an sslm_err with the query failed.
 */
static int
q_init(struct qstate *s, struct dnsq *q)
{
	struct addrinfo	 hints, *ai = NULL;
	ldns_pkt	*pkt = NULL;
	ldns_status	 st;
	uint8_t		*w = NULL;
	size_t		 wlen = 0;
	char		 port[16], *fq = NULL;
	int		 r = SSLM_ERR_INTERNAL, gai;

	memset(s, 0, sizeof(*s));
	s->q = q;
	s->fd = -1;
	s->phase = Q_DONE;
	q->status = DNS_ERROR;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%d", q->port);
	if (q->addr == NULL || q->port <= 0 || q->port > 65535 ||
	    (gai = getaddrinfo(q->addr, port, &hints, &ai)) != 0 ||
	    ai->ai_addrlen > sizeof(s->sa)) {
		q_fail(s, "bad server address %s#%d",
		    q->addr ? q->addr : "(null)", q->port);
		r = SSLM_ERR_USAGE;
		goto out;
	}
	memcpy(&s->sa, ai->ai_addr, ai->ai_addrlen);
	s->salen = ai->ai_addrlen;

	/* Absolute, so that ldns never appends an origin. */
	if (q->qname == NULL || *q->qname == '\0')
		fq = xstrdup(".");
	else if (q->qname[strlen(q->qname) - 1] == '.')
		fq = xstrdup(q->qname);
	else
		fq = xasprintf("%s.", q->qname);
	if ((s->qdname = ldns_dname_new_frm_str(fq)) == NULL) {
		q_fail(s, "invalid domain name '%s'", q->qname);
		r = SSLM_ERR_USAGE;
		goto out;
	}
	pkt = ldns_pkt_query_new(ldns_rdf_clone(s->qdname),
	    (ldns_rr_type)q->qtype, LDNS_RR_CLASS_IN, 0);
	if (pkt == NULL) {
		q_fail(s, "cannot build the query");
		goto out;
	}
	/* Authoritative servers only: no recursion wanted. */
	ldns_pkt_set_rd(pkt, false);
	ldns_pkt_set_random_id(pkt);
	ldns_pkt_set_edns_udp_size(pkt, DNS_EDNS_BUFSIZE);
	s->id = ldns_pkt_id(pkt);
	if ((st = ldns_pkt2wire(&w, pkt, &wlen)) != LDNS_STATUS_OK ||
	    wlen > DNS_MAX_MSG) {
		q_fail(s, "cannot build the query: %s",
		    ldns_get_errorstr_by_id(st));
		goto out;
	}
	s->wire = xmalloc(wlen + 2);
	s->wire[0] = (uint8_t)(wlen >> 8);
	s->wire[1] = (uint8_t)wlen;
	memcpy(s->wire + 2, w, wlen);
	s->wlen = wlen;
	s->phase = Q_UDP;
	q->status = DNS_TIMEOUT;
	r = 0;
out:
	if (ai != NULL)
		freeaddrinfo(ai);
	free(w);
	free(fq);
	ldns_pkt_free(pkt);
	return r;
}

static void
q_release(struct qstate *s)
{
	if (s->fd != -1)
		close(s->fd);
	ldns_rdf_deep_free(s->qdname);
	free(s->wire);
	free(s->tcp);
}

/* Starts (or restarts) a UDP try.  Returns 0, or -1 with the query ended. */
static int
udp_send(struct qstate *s, double now, int timeout_ms)
{
	ssize_t	n;

	if (s->fd == -1) {
		s->fd = socket(s->sa.ss_family,
		    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (s->fd == -1) {
			q_fail(s, "socket: %s", strerror(errno));
			return -1;
		}
	}
	/* Not connected: ICMP errors are not reported, a dead server is a
	 * timeout like on the real network, and the source is checked. */
	n = sendto(s->fd, s->wire + 2, s->wlen, 0,
	    (struct sockaddr *)&s->sa, s->salen);
	if (n < 0 || (size_t)n != s->wlen) {
		q_fail(s, "send: %s", n < 0 ? strerror(errno) : "short");
		return -1;
	}
	if (s->tries == 0)
		s->start = now;
	s->tries++;
	s->deadline = now + timeout_ms;
	s->phase = Q_UDP;
	return 0;
}

/* Starts (or restarts) a TCP try.  Returns 0, or -1 with the query ended. */
static int
tcp_start(struct qstate *s, double now, int timeout_ms)
{
	if (s->fd != -1)
		close(s->fd);
	s->fd = socket(s->sa.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd == -1) {
		q_fail(s, "tcp socket: %s", strerror(errno));
		return -1;
	}
	s->off = 0;
	s->need = 0;
	s->deadline = now + timeout_ms;
	if (connect(s->fd, (struct sockaddr *)&s->sa, s->salen) == 0)
		s->phase = Q_WRITE;
	else if (errno == EINPROGRESS)
		s->phase = Q_CONNECT;
	else {
		q_fail(s, "tcp connect: %s", strerror(errno));
		return -1;
	}
	if (s->tcp == NULL)
		s->tcp = xmalloc(DNS_MAX_MSG);
	return 0;
}

/*
 * Handles a whole reply message.  Returns true when it ended the query or
 * moved it to TCP, false when the message was not ours (keep waiting).
 */
static bool
got_reply(struct qstate *s, const uint8_t *msg, size_t len, bool tcp,
    double now, int timeout_ms)
{
	ldns_pkt	*pkt = NULL;
	const char	*why = NULL;
	char		*err = NULL;
	enum dns_status	 st;
	int		 r;

	r = dns_reply_parse(msg, len, s->id, s->qdname, s->q->qtype, &pkt,
	    &why);
	if (r == SSLM_ERR_NOTFOUND && !tcp)
		return false;
	if (r != 0) {
		q_fail(s, "%s reply: %s", tcp ? "tcp" : "udp",
		    r == SSLM_ERR_NOTFOUND ? "does not match the query" : why);
		return true;
	}
	if (!tcp && ldns_pkt_tc(pkt)) {
		ldns_pkt_free(pkt);
		/* A fresh deadline: TCP does not use up a retry. */
		tcp_start(s, now, timeout_ms);
		return true;
	}
	st = dns_reply_status(pkt, s->qdname, s->q->qtype, &err);
	if (st == DNS_ANSWER)
		dns_reply_rdata(pkt, s->qdname, s->q->qtype, &s->q->rdata,
		    &s->q->serial);
	if (st == DNS_ERROR) {
		free(s->q->error);
		s->q->error = err;
		err = NULL;
	}
	free(err);
	ldns_pkt_free(pkt);
	q_finish(s, st);
	return true;
}

static bool
same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		a4 = (const struct sockaddr_in *)a;
		b4 = (const struct sockaddr_in *)b;
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		a6 = (const struct sockaddr_in6 *)a;
		b6 = (const struct sockaddr_in6 *)b;
		return a6->sin6_port == b6->sin6_port &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr,
		    sizeof(a6->sin6_addr)) == 0;
	}
	return false;
}

/* Reads every datagram waiting on a UDP socket. */
static void
on_udp(struct qstate *s, uint8_t *buf, double now, int timeout_ms)
{
	struct sockaddr_storage	from;
	socklen_t		fromlen;
	ssize_t			n;

	while (s->phase == Q_UDP) {
		fromlen = sizeof(from);
		n = recvfrom(s->fd, buf, DNS_MAX_MSG, 0,
		    (struct sockaddr *)&from, &fromlen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* EAGAIN, or an error we cannot tie to the server
			 * (the timeout will say it did not answer). */
			return;
		}
		if (!same_addr(&from, &s->sa))
			continue;
		got_reply(s, buf, (size_t)n, false, now, timeout_ms);
	}
}

/* Moves a TCP query along after poll() said its socket is ready. */
static void
on_tcp(struct qstate *s, short revents, double now, int timeout_ms)
{
	socklen_t	len;
	ssize_t		n;
	int		err;

	if (s->phase == Q_CONNECT) {
		err = 0;
		len = sizeof(err);
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err != 0) {
			q_fail(s, "tcp connect: %s", strerror(err));
			return;
		}
		s->phase = Q_WRITE;
		s->off = 0;
	}
	if (s->phase == Q_WRITE) {
		n = write(s->fd, s->wire + s->off, s->wlen + 2 - s->off);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				q_fail(s, "tcp send: %s", strerror(errno));
			return;
		}
		s->off += (size_t)n;
		if (s->off == s->wlen + 2) {
			s->phase = Q_READ;
			s->off = 0;
			s->need = 2;
		}
		return;
	}
	if (s->phase != Q_READ || (revents & (POLLIN | POLLHUP | POLLERR)) == 0)
		return;
	n = read(s->fd, s->tcp + s->off, s->need - s->off);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			q_fail(s, "tcp read: %s", strerror(errno));
		return;
	}
	if (n == 0) {
		q_fail(s, "tcp: connection closed by the server");
		return;
	}
	s->off += (size_t)n;
	if (s->off < s->need)
		return;
	if (s->need == 2) {
		/* The length prefix: at most 65535, the size of s->tcp. */
		s->need = (size_t)s->tcp[0] << 8 | s->tcp[1];
		s->off = 0;
		if (s->need < LDNS_HEADER_SIZE)
			q_fail(s, "tcp reply: %zu bytes", s->need);
		return;
	}
	got_reply(s, s->tcp, s->need, true, now, timeout_ms);
}

/* A try ran out of time: retry (same transport) or give up. */
static void
on_timeout(struct qstate *s, double now, int timeout_ms, int retries)
{
	if (s->tries > retries) {
		q_finish(s, DNS_TIMEOUT);
		return;
	}
	if (s->phase == Q_UDP)
		udp_send(s, now, timeout_ms);
	else {
		s->tries++;
		tcp_start(s, now, timeout_ms);
	}
}

static short
q_events(const struct qstate *s)
{
	switch (s->phase) {
	case Q_UDP:
	case Q_READ:
		return POLLIN;
	case Q_CONNECT:
	case Q_WRITE:
		return POLLOUT;
	default:
		return 0;
	}
}

int
dnsq_run(struct dnsq *qs, size_t n, int timeout_ms, int retries)
{
	struct qstate	*st = NULL;
	struct pollfd	*pfd = NULL;
	uint8_t		*buf = NULL;
	size_t		 i, npfd, *map = NULL, sent = 0;
	double		 now, next;
	int		 r = SSLM_ERR_INTERNAL, wait;

	if (timeout_ms <= 0)
		timeout_ms = DNS_DEFAULT_TIMEOUT;
	if (retries < 0)
		retries = 0;
	if (n == 0)
		return 0;
	st = xcalloc(n, sizeof(*st));
	pfd = xcalloc(n, sizeof(*pfd));
	map = xcalloc(n, sizeof(*map));
	buf = xmalloc(DNS_MAX_MSG);

	now = now_ms();
	for (i = 0; i < n; i++) {
		if (q_init(&st[i], &qs[i]) == 0 &&
		    udp_send(&st[i], now, timeout_ms) == 0)
			sent++;
	}
	if (sent == 0) {
		sslm_log(SSLM_LOG_DEBUG, "dns: %s %s: nothing could be sent",
		    type_name(qs[0].qtype), qs[0].qname ? qs[0].qname : "");
		r = SSLM_ERR_NET;
		goto out;
	}

	for (;;) {
		npfd = 0;
		next = 0;
		for (i = 0; i < n; i++) {
			if (st[i].phase == Q_DONE)
				continue;
			pfd[npfd].fd = st[i].fd;
			pfd[npfd].events = q_events(&st[i]);
			pfd[npfd].revents = 0;
			map[npfd++] = i;
			if (next == 0 || st[i].deadline < next)
				next = st[i].deadline;
		}
		if (npfd == 0)
			break;
		now = now_ms();
		wait = next > now ? (int)(next - now) + 1 : 0;
		if (poll(pfd, npfd, wait) == -1 && errno != EINTR) {
			for (i = 0; i < npfd; i++)
				q_fail(&st[map[i]], "poll: %s",
				    strerror(errno));
			break;
		}
		now = now_ms();
		for (i = 0; i < npfd; i++) {
			struct qstate *s = &st[map[i]];

			if (pfd[i].revents == 0 || s->phase == Q_DONE)
				continue;
			if (s->phase == Q_UDP)
				on_udp(s, buf, now, timeout_ms);
			else
				on_tcp(s, pfd[i].revents, now, timeout_ms);
		}
		for (i = 0; i < n; i++) {
			if (st[i].phase != Q_DONE && now >= st[i].deadline)
				on_timeout(&st[i], now, timeout_ms, retries);
		}
	}
	r = 0;
out:
	for (i = 0; i < n; i++) {
		if (st[i].q != NULL) {
			sslm_log(SSLM_LOG_DEBUG, "dns: %s#%d %s %s: %s%s%s "
			    "%.1f ms", qs[i].addr ? qs[i].addr : "", qs[i].port,
			    type_name(qs[i].qtype),
			    qs[i].qname ? qs[i].qname : "",
			    dns_status_name(qs[i].status),
			    qs[i].error ? ": " : "",
			    qs[i].error ? qs[i].error : "", qs[i].ms);
		}
		q_release(&st[i]);
	}
	free(st);
	free(pfd);
	free(map);
	free(buf);
	return r;
}

void
dnsq_clear(struct dnsq *q)
{
	if (q == NULL)
		return;
	strlist_clear(&q->rdata);
	free(q->error);
	q->error = NULL;
}

const char *
dns_status_name(enum dns_status st)
{
	switch (st) {
	case DNS_ANSWER:
		return "ANSWER";
	case DNS_NODATA:
		return "NODATA";
	case DNS_NXDOMAIN:
		return "NXDOMAIN";
	case DNS_SERVFAIL:
		return "SERVFAIL";
	case DNS_REFUSED:
		return "REFUSED";
	case DNS_TIMEOUT:
		return "TIMEOUT";
	case DNS_ERROR:
		return "ERROR";
	}
	return "UNKNOWN";
}

int
dns_query_all(const struct dns_server *servers, size_t n, const char *qname,
    int qtype, int timeout_ms, int retries, struct dns_result **out)
{
	struct dns_result	*res = NULL;
	struct dnsq		*qs = NULL;
	ldns_rdf		*check = NULL;
	size_t			 i;
	int			 r = SSLM_ERR_INTERNAL;

	*out = NULL;
	if (qname == NULL || *qname == '\0' ||
	    (check = ldns_dname_new_frm_str(qname)) == NULL) {
		sslm_log(SSLM_LOG_ERR, "dns: '%s': invalid domain name",
		    qname ? qname : "");
		r = SSLM_ERR_USAGE;
		goto out;
	}
	qs = xcalloc(n, sizeof(*qs));
	for (i = 0; i < n; i++) {
		qs[i].addr = servers[i].addr;
		qs[i].port = servers[i].port;
		qs[i].qname = qname;
		qs[i].qtype = qtype;
	}
	if ((r = dnsq_run(qs, n, timeout_ms, retries)) != 0) {
		sslm_log(SSLM_LOG_ERR, "dns: %s: no query could be sent%s%s",
		    qname, n > 0 && qs[0].error ? ": " : "",
		    n > 0 && qs[0].error ? qs[0].error : "");
		goto out;
	}
	res = xcalloc(n, sizeof(*res));
	for (i = 0; i < n; i++) {
		res[i].server = &servers[i];
		res[i].status = qs[i].status;
		res[i].serial = qs[i].serial;
		res[i].rdata = qs[i].rdata;
		memset(&qs[i].rdata, 0, sizeof(qs[i].rdata));
		res[i].ms = qs[i].ms;
		res[i].error = qs[i].error;
		qs[i].error = NULL;
	}
	*out = res;
	r = 0;
out:
	for (i = 0; qs != NULL && i < n; i++)
		dnsq_clear(&qs[i]);
	free(qs);
	ldns_rdf_deep_free(check);
	return r;
}

/*
 * Queries in flight at once at most: every one has its own socket, and a
 * large batch (hundreds of names times the servers) must stay well inside
 * the descriptor limit.
 */
#define DNS_GRID_CHUNK	256

int
dns_query_grid(const struct dns_server *servers, size_t n,
    const char *const *qnames, const int *qtypes, size_t nq, int timeout_ms,
    int retries, struct dns_result **out)
{
	struct dns_result	*res = NULL;
	struct dnsq		*qs = NULL;
	ldns_rdf		*check;
	size_t			 i, k, tot = n * nq, c, len;
	int			 r = SSLM_ERR_INTERNAL, sent = 0, rc;

	*out = NULL;
	for (k = 0; k < nq; k++) {
		if (qnames[k] == NULL || *qnames[k] == '\0' ||
		    (check = ldns_dname_new_frm_str(qnames[k])) == NULL) {
			sslm_log(SSLM_LOG_ERR, "dns: '%s': invalid domain "
			    "name", qnames[k] ? qnames[k] : "");
			return SSLM_ERR_USAGE;
		}
		ldns_rdf_deep_free(check);
	}
	if (tot == 0)
		return 0;
	qs = xcalloc(tot, sizeof(*qs));
	for (k = 0; k < nq; k++)
		for (i = 0; i < n; i++) {
			qs[k * n + i].addr = servers[i].addr;
			qs[k * n + i].port = servers[i].port;
			qs[k * n + i].qname = qnames[k];
			qs[k * n + i].qtype = qtypes[k];
		}
	for (c = 0; c < tot; c += len) {
		len = tot - c < DNS_GRID_CHUNK ? tot - c : DNS_GRID_CHUNK;
		if ((rc = dnsq_run(qs + c, len, timeout_ms, retries)) == 0)
			sent = 1;
		else
			r = rc;
	}
	if (!sent) {
		sslm_log(SSLM_LOG_ERR, "dns: %s: no query could be sent%s%s",
		    qnames[0], qs[0].error ? ": " : "",
		    qs[0].error ? qs[0].error : "");
		goto out;
	}
	res = xcalloc(tot, sizeof(*res));
	for (i = 0; i < tot; i++) {
		res[i].server = &servers[i % n];
		res[i].status = qs[i].status;
		res[i].serial = qs[i].serial;
		res[i].rdata = qs[i].rdata;
		memset(&qs[i].rdata, 0, sizeof(qs[i].rdata));
		res[i].ms = qs[i].ms;
		res[i].error = qs[i].error;
		qs[i].error = NULL;
	}
	*out = res;
	r = 0;
out:
	for (i = 0; i < tot; i++)
		dnsq_clear(&qs[i]);
	free(qs);
	return r;
}

void
dns_results_free(struct dns_result *res, size_t n)
{
	size_t	i;

	if (res == NULL)
		return;
	for (i = 0; i < n; i++) {
		strlist_clear(&res[i].rdata);
		free(res[i].error);
	}
	free(res);
}
