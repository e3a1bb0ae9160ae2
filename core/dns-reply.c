/*
 * dns-reply.c - reading DNS replies for the dns module: is a message the
 * reply to our query (ID, QR, question), what does it say (rcode, NODATA,
 * CNAME chains inside the answer, referrals), and the rdata of its answer
 * records as the text ssl-mgr compares (TXT strings joined, TLSA lower-case
 * hex, names without the trailing dot).
 *
 * Everything here reads input from the network: ldns parses the wire, and
 * every count, rdf type and rdf length is checked before use; a malformed
 * reply yields SSLM_ERR_PARSE or a record left out, never a crash (see the
 * fuzz loops in tests/unit/test-dns.c).  Pure functions, no I/O.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns-priv.h"
#include "err.h"
#include "util.h"

int
dns_reply_parse(const uint8_t *wire, size_t len, uint16_t id,
    const ldns_rdf *qname, int qtype, ldns_pkt **out, const char **why)
{
	ldns_pkt	*pkt = NULL;
	ldns_rr_list	*qs;
	ldns_rr		*q;
	ldns_status	 st;
	int		 r = SSLM_ERR_NOTFOUND;

	*out = NULL;
	*why = NULL;
	if (wire == NULL || len < LDNS_HEADER_SIZE || len > DNS_MAX_MSG)
		goto out;
	if (LDNS_ID_WIRE(wire) != id || !LDNS_QR_WIRE(wire))
		goto out;
	if ((st = ldns_wire2pkt(&pkt, wire, len)) != LDNS_STATUS_OK) {
		*why = ldns_get_errorstr_by_id(st);
		if (*why == NULL)
			*why = "malformed message";
		r = SSLM_ERR_PARSE;
		goto out;
	}
	if (ldns_pkt_get_opcode(pkt) != LDNS_PACKET_QUERY)
		goto out;
	qs = ldns_pkt_question(pkt);
	if (qs == NULL || ldns_rr_list_rr_count(qs) == 0) {
		/* Some servers drop the question in an error reply. */
		if (ldns_pkt_get_rcode(pkt) == LDNS_RCODE_NOERROR)
			goto out;
	} else {
		q = ldns_rr_list_rr(qs, 0);
		if (ldns_rr_list_rr_count(qs) != 1 || q == NULL ||
		    ldns_rr_owner(q) == NULL ||
		    ldns_rr_get_type(q) != (ldns_rr_type)qtype ||
		    ldns_dname_compare(ldns_rr_owner(q), qname) != 0)
			goto out;
	}
	*out = pkt;
	pkt = NULL;
	r = 0;
out:
	ldns_pkt_free(pkt);
	return r;
}

/*
 * Fills chain with qname and the names it is a CNAME of inside the answer
 * section (loops and long chains cut at DNS_MAX_CHAIN).  Returns the count.
 */
static size_t
answer_chain(const ldns_pkt *pkt, const ldns_rdf *qname, int qtype,
    const ldns_rdf **chain)
{
	ldns_rr_list	*ans = ldns_pkt_answer(pkt);
	const ldns_rdf	*next;
	ldns_rr		*rr;
	size_t		 n = 1, i, j, cnt;

	chain[0] = qname;
	if (qtype == LDNS_RR_TYPE_CNAME || ans == NULL)
		return n;
	cnt = ldns_rr_list_rr_count(ans);
	while (n < DNS_MAX_CHAIN) {
		next = NULL;
		for (i = 0; i < cnt && next == NULL; i++) {
			rr = ldns_rr_list_rr(ans, i);
			if (rr == NULL ||
			    ldns_rr_get_type(rr) != LDNS_RR_TYPE_CNAME ||
			    ldns_rr_rd_count(rr) != 1 ||
			    ldns_rr_owner(rr) == NULL ||
			    ldns_dname_compare(ldns_rr_owner(rr),
			    chain[n - 1]) != 0)
				continue;
			next = ldns_rr_rdf(rr, 0);
			if (next == NULL ||
			    ldns_rdf_get_type(next) != LDNS_RDF_TYPE_DNAME)
				next = NULL;
		}
		if (next == NULL)
			break;
		for (j = 0; j < n; j++)
			if (ldns_dname_compare(chain[j], next) == 0)
				return n;
		chain[n++] = next;
	}
	return n;
}

/* True when rr is of qtype and owned by a name of the chain. */
static bool
rr_answers(const ldns_rr *rr, int qtype, const ldns_rdf **chain, size_t n)
{
	size_t	i;

	if (rr == NULL || ldns_rr_get_type(rr) != (ldns_rr_type)qtype ||
	    ldns_rr_owner(rr) == NULL)
		return false;
	for (i = 0; i < n; i++)
		if (ldns_dname_compare(ldns_rr_owner(rr), chain[i]) == 0)
			return true;
	return false;
}

enum dns_status
dns_reply_status(const ldns_pkt *pkt, const ldns_rdf *qname, int qtype,
    char **error)
{
	const ldns_rdf		*chain[DNS_MAX_CHAIN];
	const ldns_lookup_table	*lt;
	ldns_rr_list		*ans;
	size_t			 n, i, cnt, hits = 0;
	int			 rcode;

	*error = NULL;
	rcode = ldns_pkt_get_rcode(pkt);
	switch (rcode) {
	case LDNS_RCODE_NOERROR:
		break;
	case LDNS_RCODE_NXDOMAIN:
		return DNS_NXDOMAIN;
	case LDNS_RCODE_SERVFAIL:
		return DNS_SERVFAIL;
	case LDNS_RCODE_REFUSED:
		return DNS_REFUSED;
	default:
		lt = ldns_lookup_by_id(ldns_rcodes, rcode);
		if (lt != NULL && lt->name != NULL)
			*error = xasprintf("rcode %s", lt->name);
		else
			*error = xasprintf("rcode %d", rcode);
		return DNS_ERROR;
	}
	n = answer_chain(pkt, qname, qtype, chain);
	ans = ldns_pkt_answer(pkt);
	cnt = ans != NULL ? ldns_rr_list_rr_count(ans) : 0;
	for (i = 0; i < cnt; i++)
		if (rr_answers(ldns_rr_list_rr(ans, i), qtype, chain, n))
			hits++;
	if (hits > 0)
		return DNS_ANSWER;
	if (!ldns_pkt_aa(pkt) && cnt == 0) {
		*error = xstrdup("not authoritative (referral)");
		return DNS_ERROR;
	}
	return DNS_NODATA;
}

void
dns_reply_rdata(const ldns_pkt *pkt, const ldns_rdf *qname, int qtype,
    struct strlist *out, uint32_t *serial)
{
	const ldns_rdf	*chain[DNS_MAX_CHAIN], *f;
	ldns_rr_list	*ans = ldns_pkt_answer(pkt);
	ldns_rr		*rr;
	size_t		 n, i, cnt;
	bool		 have_serial = false;
	char		*t;

	n = answer_chain(pkt, qname, qtype, chain);
	cnt = ans != NULL ? ldns_rr_list_rr_count(ans) : 0;
	for (i = 0; i < cnt; i++) {
		rr = ldns_rr_list_rr(ans, i);
		if (!rr_answers(rr, qtype, chain, n))
			continue;
		if (qtype == LDNS_RR_TYPE_SOA) {
			f = ldns_rr_rd_count(rr) == 7 ? ldns_rr_rdf(rr, 2) :
			    NULL;
			if (!have_serial && f != NULL &&
			    ldns_rdf_size(f) == 4) {
				*serial = ldns_rdf2native_int32(f);
				have_serial = true;
			}
			continue;
		}
		if ((t = dns_rr_text(rr)) != NULL)
			strlist_add_nodup(out, t);
	}
	strlist_sort(out);
}

/* A domain name rdf as lower-case text without the trailing dot. */
static char *
name_text(const ldns_rdf *f)
{
	char	*s, *t;

	if (f == NULL || ldns_rdf_get_type(f) != LDNS_RDF_TYPE_DNAME ||
	    (s = ldns_rdf2str(f)) == NULL)
		return NULL;
	t = dns_name_norm(s);
	free(s);
	return t;
}

static char *
txt_text(const ldns_rr *rr)
{
	struct buf	 b;
	const ldns_rdf	*f;
	const uint8_t	*d;
	size_t		 i, j, sz;
	char		*t = NULL;

	buf_init(&b, DNS_MAX_MSG * 4 + 1);
	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		f = ldns_rr_rdf(rr, i);
		if (f == NULL || ldns_rdf_get_type(f) != LDNS_RDF_TYPE_STR)
			goto out;
		d = ldns_rdf_data(f);
		sz = ldns_rdf_size(f);
		/* A character-string: one length byte, then the bytes. */
		if (sz < 1 || d == NULL || (size_t)d[0] + 1 > sz)
			goto out;
		for (j = 1; j <= d[0]; j++) {
			if (d[j] >= 0x20 && d[j] < 0x7f && d[j] != '\\') {
				if (buf_add(&b, &d[j], 1) != 0)
					goto out;
			} else if (buf_printf(&b, "\\%03u", d[j]) < 0)
				goto out;
		}
	}
	/* buf_add() keeps the buffer terminated; an empty one is NULL. */
	t = b.p != NULL ? b.p : xstrdup("");
	b.p = NULL;
out:
	buf_free(&b);
	return t;
}

static char *
tlsa_text(const ldns_rr *rr)
{
	static const char	 hex[] = "0123456789abcdef";
	const ldns_rdf		*f[4];
	const uint8_t		*d;
	size_t			 i, sz;
	char			*t, *p;

	if (ldns_rr_rd_count(rr) != 4)
		return NULL;
	for (i = 0; i < 4; i++) {
		if ((f[i] = ldns_rr_rdf(rr, i)) == NULL ||
		    ldns_rdf_data(f[i]) == NULL)
			return NULL;
		if (i < 3 && ldns_rdf_size(f[i]) != 1)
			return NULL;
	}
	d = ldns_rdf_data(f[3]);
	sz = ldns_rdf_size(f[3]);
	if (sz == 0 || sz > DNS_MAX_MSG)
		return NULL;
	t = xmalloc(16 + sz * 2);
	p = t + snprintf(t, 16, "%u %u %u ", ldns_rdf_data(f[0])[0],
	    ldns_rdf_data(f[1])[0], ldns_rdf_data(f[2])[0]);
	for (i = 0; i < sz; i++) {
		*p++ = hex[d[i] >> 4];
		*p++ = hex[d[i] & 0xf];
	}
	*p = '\0';
	return t;
}

static char *
addr_text(const ldns_rdf *f, int af)
{
	char	a[INET6_ADDRSTRLEN];
	size_t	want = af == AF_INET ? 4 : 16;

	if (f == NULL || ldns_rdf_size(f) != want ||
	    ldns_rdf_data(f) == NULL ||
	    inet_ntop(af, ldns_rdf_data(f), a, sizeof(a)) == NULL)
		return NULL;
	return xstrdup(a);
}

static char *
generic_text(const ldns_rr *rr)
{
	struct buf	 b;
	size_t		 i;
	char		*s, *t = NULL;

	buf_init(&b, DNS_MAX_MSG * 4 + 1);
	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		if (ldns_rr_rdf(rr, i) == NULL ||
		    (s = ldns_rdf2str(ldns_rr_rdf(rr, i))) == NULL)
			goto out;
		if (buf_printf(&b, "%s%s", i > 0 ? " " : "", s) < 0) {
			free(s);
			goto out;
		}
		free(s);
	}
	/* buf_add() keeps the buffer terminated; an empty one is NULL. */
	t = b.p != NULL ? b.p : xstrdup("");
	b.p = NULL;
out:
	buf_free(&b);
	return t;
}

char *
dns_rr_text(const ldns_rr *rr)
{
	const ldns_rdf	*f;
	char		*h, *t;

	if (rr == NULL)
		return NULL;
	switch (ldns_rr_get_type(rr)) {
	case LDNS_RR_TYPE_TXT:
		return txt_text(rr);
	case LDNS_RR_TYPE_TLSA:
		return tlsa_text(rr);
	case LDNS_RR_TYPE_A:
		return ldns_rr_rd_count(rr) == 1 ?
		    addr_text(ldns_rr_rdf(rr, 0), AF_INET) : NULL;
	case LDNS_RR_TYPE_AAAA:
		return ldns_rr_rd_count(rr) == 1 ?
		    addr_text(ldns_rr_rdf(rr, 0), AF_INET6) : NULL;
	case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_CNAME:
		return ldns_rr_rd_count(rr) == 1 ?
		    name_text(ldns_rr_rdf(rr, 0)) : NULL;
	case LDNS_RR_TYPE_MX:
		if (ldns_rr_rd_count(rr) != 2 ||
		    (f = ldns_rr_rdf(rr, 0)) == NULL ||
		    ldns_rdf_size(f) != 2 ||
		    (h = name_text(ldns_rr_rdf(rr, 1))) == NULL)
			return NULL;
		t = xasprintf("%u %s", (unsigned)ldns_rdf2native_int16(f), h);
		free(h);
		return t;
	default:
		return generic_text(rr);
	}
}
