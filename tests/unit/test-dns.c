/*
 * test-dns.c - the pure parts of core/dns and its reply handling:
 *  - names: lower case, no trailing dot (an escaped dot stays);
 *  - TLSA text from files normalised to "u s m hex" (lower case) or refused;
 *  - rdata text: TXT strings joined and escaped, TLSA lower-case hex, MX/NS
 *    names normalised, A/AAAA;
 *  - status mapping: rcodes, NODATA, CNAME chains, referrals;
 *  - reply matching: ID, QR, question (case-insensitive), bad wire, random
 *    and mutated replies never crash;
 *  - server lists: address+port dedupe, canonical addresses, NS order by
 *    name then address, xtra IPs as they are and names resolved;
 *  - the engine against an in-process fake server on loopback (forked):
 *    spoofed IDs ignored, TC falls back to TCP, a dropped datagram is
 *    retried, garbage is an error, a silent server times out in time.
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "dns-priv.h"
#include "dns.h"
#include "err.h"
#include "util.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
test_name_norm(void **state)
{
	static const struct {
		const char	*in, *want;
	} rows[] = {
		{ "Example.COM.", "example.com" },
		{ "example.com", "example.com" },
		{ "_ACME-Chall.Example.com.", "_acme-chall.example.com" },
		{ ".", "." },
		{ "", "" },
		{ "a\\.", "a\\." },		/* escaped: not the root */
		{ "a\\\\.", "a\\\\" },	/* escaped backslash, then root */
		{ "\xc3\x89X.org.", "\xc3\x89x.org" },	/* ASCII only */
	};
	char	*t;
	size_t	 i;

	(void)state;
	for (i = 0; i < NELEM(rows); i++) {
		t = dns_name_norm(rows[i].in);
		assert_string_equal(t, rows[i].want);
		free(t);
	}
	assert_null(dns_name_norm(NULL));
}

static void
test_tlsa_norm(void **state)
{
	static const struct {
		const char	*in, *want;
	} rows[] = {
		{ "3 1 1 ABCDEF", "3 1 1 abcdef" },
		{ "  3   1  1   ab cd ", "3 1 1 abcd" },
		{ "( 3 1 1 ABCD\n          EF01 )", "3 1 1 abcdef01" },
		{ "3 1 1 abcd ; comment\n", "3 1 1 abcd" },
		{ "2 0 0\tdeadbeef", "2 0 0 deadbeef" },
		{ "255 255 255 00", "255 255 255 00" },
		{ "3 1 1 abc", NULL },		/* odd number of digits */
		{ "3 1 1 xyz", NULL },
		{ "3 1 1", NULL },		/* no data */
		{ "3 1", NULL },
		{ "256 1 1 ab", NULL },
		{ "3 -1 1 ab", NULL },
		{ "3 1 1a ab", NULL },
		{ "", NULL },
	};
	char	*t;
	size_t	 i;

	(void)state;
	for (i = 0; i < NELEM(rows); i++) {
		t = dns_tlsa_norm(rows[i].in);
		if (rows[i].want == NULL) {
			if (t != NULL)
				fail_msg("'%s' gave '%s'", rows[i].in, t);
		} else {
			if (t == NULL)
				fail_msg("'%s' refused", rows[i].in);
			assert_string_equal(t, rows[i].want);
		}
		free(t);
	}
	assert_null(dns_tlsa_norm(NULL));
}

static void
test_status_and_role_names(void **state)
{
	(void)state;
	assert_string_equal(dns_status_name(DNS_ANSWER), "ANSWER");
	assert_string_equal(dns_status_name(DNS_NODATA), "NODATA");
	assert_string_equal(dns_status_name(DNS_NXDOMAIN), "NXDOMAIN");
	assert_string_equal(dns_status_name(DNS_SERVFAIL), "SERVFAIL");
	assert_string_equal(dns_status_name(DNS_REFUSED), "REFUSED");
	assert_string_equal(dns_status_name(DNS_TIMEOUT), "TIMEOUT");
	assert_string_equal(dns_status_name(DNS_ERROR), "ERROR");
	assert_string_equal(dns_status_name((enum dns_status)99), "UNKNOWN");
	assert_string_equal(dns_role_name(DNS_ROLE_PRIMARY), "primary");
	assert_string_equal(dns_role_name(DNS_ROLE_NS), "ns");
	assert_string_equal(dns_role_name(DNS_ROLE_XTRA), "xtra");
}

static ldns_rr *
rr(const char *s)
{
	ldns_rr	*r = NULL;

	if (ldns_rr_new_frm_str(&r, s, 0, NULL, NULL) != LDNS_STATUS_OK)
		fail_msg("cannot parse '%s'", s);
	return r;
}

static void
test_rr_text(void **state)
{
	static const struct {
		const char	*rr, *want;
	} rows[] = {
		{ "x. 60 IN TXT \"abc\" \"def\"", "abcdef" },
		{ "x. 60 IN TXT \"one\"", "one" },
		{ "x. 60 IN TXT \"\"", "" },
		{ "x. 60 IN TXT \"a\\\\b\\007c\"", "a\\092b\\007c" },
		{ "x. 60 IN TXT \"sp ace\" \"\\\"q\\\"\"", "sp ace\"q\"" },
		{ "_25._tcp.m. 60 IN TLSA 3 1 1 ABCDEF0123",
		    "3 1 1 abcdef0123" },
		{ "_443._tcp.w. 60 IN TLSA 2 0 2 00ff", "2 0 2 00ff" },
		{ "x. 60 IN MX 10 Mail.Example.COM.", "10 mail.example.com" },
		{ "x. 60 IN NS NS1.example.com.", "ns1.example.com" },
		{ "x. 60 IN CNAME Other.Example.", "other.example" },
		{ "x. 60 IN A 192.0.2.1", "192.0.2.1" },
		{ "x. 60 IN AAAA 2001:DB8:0::1", "2001:db8::1" },
	};
	ldns_rr	*r;
	char	*t;
	size_t	 i;

	(void)state;
	for (i = 0; i < NELEM(rows); i++) {
		r = rr(rows[i].rr);
		t = dns_rr_text(r);
		if (t == NULL)
			fail_msg("'%s': no text", rows[i].rr);
		assert_string_equal(t, rows[i].want);
		free(t);
		ldns_rr_free(r);
	}
	assert_null(dns_rr_text(NULL));
}

/* A reply to (qname, qtype) with rcode, AA and answer records. */
static ldns_pkt *
reply(const char *qname, int qtype, int rcode, bool aa, const char **ans)
{
	ldns_pkt	*p;
	ldns_rdf	*d;

	d = ldns_dname_new_frm_str(qname);
	assert_non_null(d);
	p = ldns_pkt_query_new(d, (ldns_rr_type)qtype, LDNS_RR_CLASS_IN, 0);
	assert_non_null(p);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_aa(p, aa);
	ldns_pkt_set_rcode(p, (uint8_t)rcode);
	for (; ans != NULL && *ans != NULL; ans++)
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr(*ans));
	return p;
}

static void
test_reply_status(void **state)
{
	static const char *txt[] = { "q.example. 60 IN TXT \"t\"", NULL };
	static const char *cname[] = {
		"q.example. 60 IN CNAME t.other.",
		"t.other. 60 IN TXT \"t\"", NULL };
	static const char *dangling[] = {
		"q.example. 60 IN CNAME t.other.", NULL };
	static const char *elsewhere[] = {
		"z.example. 60 IN TXT \"t\"", NULL };
	static const char *upper[] = { "Q.EXAMPLE. 60 IN TXT \"t\"", NULL };
	static const char *loop[] = {
		"q.example. 60 IN CNAME a.example.",
		"a.example. 60 IN CNAME q.example.", NULL };
	static const struct {
		int		  rcode;
		bool		  aa;
		const char	**ans;
		enum dns_status	  want;
		const char	 *err;
	} rows[] = {
		{ LDNS_RCODE_NOERROR, true, txt, DNS_ANSWER, NULL },
		{ LDNS_RCODE_NOERROR, true, upper, DNS_ANSWER, NULL },
		{ LDNS_RCODE_NOERROR, true, cname, DNS_ANSWER, NULL },
		{ LDNS_RCODE_NOERROR, true, dangling, DNS_NODATA, NULL },
		{ LDNS_RCODE_NOERROR, true, elsewhere, DNS_NODATA, NULL },
		{ LDNS_RCODE_NOERROR, true, loop, DNS_NODATA, NULL },
		{ LDNS_RCODE_NOERROR, true, NULL, DNS_NODATA, NULL },
		{ LDNS_RCODE_NOERROR, false, NULL, DNS_ERROR,
		    "not authoritative (referral)" },
		{ LDNS_RCODE_NXDOMAIN, true, NULL, DNS_NXDOMAIN, NULL },
		{ LDNS_RCODE_SERVFAIL, false, NULL, DNS_SERVFAIL, NULL },
		{ LDNS_RCODE_REFUSED, false, NULL, DNS_REFUSED, NULL },
		{ LDNS_RCODE_FORMERR, false, NULL, DNS_ERROR, "rcode FORMERR" },
		{ LDNS_RCODE_NOTIMPL, false, NULL, DNS_ERROR, "rcode NOTIMPL" },
	};
	ldns_pkt	*p;
	ldns_rdf	*q;
	char		*err;
	size_t		 i;

	(void)state;
	q = ldns_dname_new_frm_str("q.example.");
	for (i = 0; i < NELEM(rows); i++) {
		p = reply("q.example.", LDNS_RR_TYPE_TXT, rows[i].rcode,
		    rows[i].aa, rows[i].ans);
		if (dns_reply_status(p, q, LDNS_RR_TYPE_TXT, &err) !=
		    rows[i].want)
			fail_msg("row %zu: got %s", i, dns_status_name(
			    dns_reply_status(p, q, LDNS_RR_TYPE_TXT, &err)));
		if (rows[i].err == NULL)
			assert_null(err);
		else {
			if (err == NULL || strstr(err, rows[i].err) == NULL)
				fail_msg("row %zu: error '%s'", i,
				    err ? err : "(null)");
		}
		free(err);
		ldns_pkt_free(p);
	}
	ldns_rdf_deep_free(q);
}

static void
test_reply_rdata_sorted_chain_and_serial(void **state)
{
	static const char *ans[] = {
		"_acme-challenge.example.com. 60 IN CNAME x.auth.example.",
		"x.auth.example. 60 IN TXT \"tok-b\"",
		"x.auth.example. 60 IN TXT \"tok-a\" \"-2\"",
		"unrelated.example. 60 IN TXT \"zzz\"", NULL };
	static const char *soa[] = {
		"example.com. 60 IN SOA ns1.example.com. h.example.com. "
		    "1795362267 60 10 3600 30", NULL };
	struct strlist	 out = { 0 };
	ldns_pkt	*p;
	ldns_rdf	*q;
	uint32_t	 serial = 0;

	(void)state;
	q = ldns_dname_new_frm_str("_ACME-challenge.example.com.");
	p = reply("_acme-challenge.example.com.", LDNS_RR_TYPE_TXT, 0, true,
	    ans);
	dns_reply_rdata(p, q, LDNS_RR_TYPE_TXT, &out, &serial);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.v[0], "tok-a-2");
	assert_string_equal(out.v[1], "tok-b");
	strlist_clear(&out);
	ldns_pkt_free(p);
	ldns_rdf_deep_free(q);

	q = ldns_dname_new_frm_str("example.com.");
	p = reply("example.com.", LDNS_RR_TYPE_SOA, 0, true, soa);
	dns_reply_rdata(p, q, LDNS_RR_TYPE_SOA, &out, &serial);
	assert_int_equal(out.n, 0);
	assert_int_equal(serial, 1795362267u);
	ldns_pkt_free(p);
	ldns_rdf_deep_free(q);
}

/* Wire of a reply; caller frees. */
static uint8_t *
wire_of(ldns_pkt *p, size_t *len)
{
	uint8_t	*w = NULL;

	assert_int_equal(ldns_pkt2wire(&w, p, len), LDNS_STATUS_OK);
	return w;
}

static void
test_reply_parse_matching(void **state)
{
	static const char *txt[] = { "q.example. 60 IN TXT \"t\"", NULL };
	ldns_pkt	*p, *out;
	ldns_rdf	*q;
	const char	*why;
	uint8_t		*w;
	size_t		 len;

	(void)state;
	q = ldns_dname_new_frm_str("Q.Example.");
	p = reply("q.example.", LDNS_RR_TYPE_TXT, 0, true, txt);
	ldns_pkt_set_id(p, 4242);
	w = wire_of(p, &len);
	assert_int_equal(dns_reply_parse(w, len, 4242, q, LDNS_RR_TYPE_TXT,
	    &out, &why), 0);
	assert_non_null(out);
	ldns_pkt_free(out);
	/* Another ID, another type, another name, a query: not ours. */
	assert_int_equal(dns_reply_parse(w, len, 4243, q, LDNS_RR_TYPE_TXT,
	    &out, &why), SSLM_ERR_NOTFOUND);
	assert_null(out);
	assert_int_equal(dns_reply_parse(w, len, 4242, q, LDNS_RR_TYPE_SOA,
	    &out, &why), SSLM_ERR_NOTFOUND);
	free(w);
	ldns_pkt_set_qr(p, false);
	w = wire_of(p, &len);
	assert_int_equal(dns_reply_parse(w, len, 4242, q, LDNS_RR_TYPE_TXT,
	    &out, &why), SSLM_ERR_NOTFOUND);
	free(w);
	ldns_pkt_free(p);
	p = reply("r.example.", LDNS_RR_TYPE_TXT, 0, true, NULL);
	ldns_pkt_set_id(p, 4242);
	w = wire_of(p, &len);
	assert_int_equal(dns_reply_parse(w, len, 4242, q, LDNS_RR_TYPE_TXT,
	    &out, &why), SSLM_ERR_NOTFOUND);
	/* Too short for a header; cut in the middle: malformed. */
	assert_int_equal(dns_reply_parse(w, 11, 4242, q, LDNS_RR_TYPE_TXT,
	    &out, &why), SSLM_ERR_NOTFOUND);
	free(w);
	ldns_pkt_free(p);
	p = reply("q.example.", LDNS_RR_TYPE_TXT, 0, true, txt);
	ldns_pkt_set_id(p, 4242);
	w = wire_of(p, &len);
	assert_int_equal(dns_reply_parse(w, len - 3, 4242, q,
	    LDNS_RR_TYPE_TXT, &out, &why), SSLM_ERR_PARSE);
	assert_non_null(why);
	free(w);
	ldns_pkt_free(p);
	ldns_rdf_deep_free(q);
}

/* An error reply without a question section is still ours. */
static void
test_reply_parse_no_question(void **state)
{
	uint8_t		 w[12] = { 0x10, 0x92, 0x80, 0x05, 0, 0, 0, 0, 0, 0,
			     0, 0 };
	ldns_pkt	*out;
	ldns_rdf	*q;
	const char	*why;
	char		*err;

	(void)state;
	q = ldns_dname_new_frm_str("q.example.");
	assert_int_equal(dns_reply_parse(w, sizeof(w), 0x1092, q,
	    LDNS_RR_TYPE_TXT, &out, &why), 0);
	assert_int_equal(dns_reply_status(out, q, LDNS_RR_TYPE_TXT, &err),
	    DNS_REFUSED);
	ldns_pkt_free(out);
	w[3] = 0;	/* NOERROR without a question: not a reply to us */
	assert_int_equal(dns_reply_parse(w, sizeof(w), 0x1092, q,
	    LDNS_RR_TYPE_TXT, &out, &why), SSLM_ERR_NOTFOUND);
	ldns_rdf_deep_free(q);
}

/* Parses, rates and reads w whatever it holds (for the fuzz loops). */
static void
chew(const uint8_t *w, size_t len, uint16_t id, const ldns_rdf *q, int qt)
{
	struct strlist	 out = { 0 };
	ldns_pkt	*p;
	const char	*why;
	uint32_t	 serial;
	char		*err;

	if (dns_reply_parse(w, len, id, q, qt, &p, &why) != 0)
		return;
	(void)dns_reply_status(p, q, qt, &err);
	free(err);
	dns_reply_rdata(p, q, qt, &out, &serial);
	strlist_clear(&out);
	ldns_pkt_free(p);
}

static void
test_reply_random_and_mutated_never_crash(void **state)
{
	static const char *ans[] = {
		"q.example. 60 IN CNAME t.example.",
		"t.example. 60 IN TLSA 3 1 1 00112233445566778899aabbccddeeff",
		"t.example. 60 IN TXT \"a\" \"b\"",
		"t.example. 60 IN SOA a. b. 1 2 3 4 5", NULL };
	static const int types[] = { LDNS_RR_TYPE_TLSA, LDNS_RR_TYPE_TXT,
	    LDNS_RR_TYPE_SOA };
	ldns_pkt	*p;
	ldns_rdf	*q;
	uint8_t		*good, buf[600];
	size_t		 len, i, j, k;

	(void)state;
	srandom(12345);
	q = ldns_dname_new_frm_str("q.example.");
	for (k = 0; k < NELEM(types); k++) {
		p = reply("q.example.", types[k], 0, true, ans);
		ldns_pkt_set_id(p, 7);
		good = wire_of(p, &len);
		assert_true(len <= sizeof(buf));
		chew(good, len, 7, q, types[k]);
		for (i = 0; i < 3000; i++) {
			memcpy(buf, good, len);
			for (j = 0; j < 1 + (size_t)random() % 4; j++)
				buf[12 + (size_t)random() % (len - 12)] =
				    (uint8_t)random();
			chew(buf, len - (size_t)random() % 8, 7, q, types[k]);
		}
		free(good);
		ldns_pkt_free(p);
	}
	for (i = 0; i < 3000; i++) {
		len = 12 + (size_t)random() % (sizeof(buf) - 12);
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)random();
		buf[0] = 0;
		buf[1] = 7;
		buf[2] |= 0x80;
		buf[4] = 0;
		buf[5] = 1;
		chew(buf, len, 7, q, LDNS_RR_TYPE_TXT);
	}
	ldns_rdf_deep_free(q);
}

static void
test_addr_norm(void **state)
{
	static const struct {
		const char	*in, *want;
	} rows[] = {
		{ "127.0.0.1", "127.0.0.1" },
		{ "::1", "::1" },
		{ "0:0::1", "::1" },
		{ "2001:DB8:0:0::5", "2001:db8::5" },
		{ "::ffff:192.0.2.1", "::ffff:192.0.2.1" },
		{ "127.1", NULL },
		{ "1.2.3.4.5", NULL },
		{ "example.com", NULL },
		{ "", NULL },
	};
	char	out[80];
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(rows); i++) {
		if (rows[i].want == NULL) {
			assert_int_equal(dns_addr_norm(rows[i].in, out,
			    sizeof(out)), SSLM_ERR_PARSE);
			continue;
		}
		assert_int_equal(dns_addr_norm(rows[i].in, out, sizeof(out)),
		    0);
		assert_string_equal(out, rows[i].want);
	}
	assert_int_equal(dns_addr_norm("127.0.0.1", out, 4), SSLM_ERR_PARSE);
}

static void
test_srvlist_dedupes_addr_and_port(void **state)
{
	struct dns_srvlist	l = { 0 };

	(void)state;
	assert_true(dns_srvlist_add(&l, "ns1", "127.0.0.1", 53, DNS_ROLE_NS));
	assert_false(dns_srvlist_add(&l, "other", "127.0.0.1", 53,
	    DNS_ROLE_XTRA));
	assert_true(dns_srvlist_add(&l, "ns1", "127.0.0.1", 5353,
	    DNS_ROLE_NS));
	assert_true(dns_srvlist_add(&l, "ns1", "::1", 53, DNS_ROLE_NS));
	assert_false(dns_srvlist_add(&l, "x", "0:0::1", 53, DNS_ROLE_XTRA));
	assert_true(dns_srvlist_add(&l, NULL, "2001:DB8::1", 53,
	    DNS_ROLE_XTRA));
	assert_false(dns_srvlist_add(&l, "bad", "not-an-ip", 53,
	    DNS_ROLE_XTRA));
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[3].addr, "2001:db8::1");
	assert_string_equal(l.v[3].name, "2001:db8::1");
	assert_int_equal(l.v[3].role, DNS_ROLE_XTRA);
	dns_srvlist_free(&l);
	dns_srvlist_free(NULL);
}

static void
test_servers_build_order_and_xtra(void **state)
{
	struct dns_nsaddr	 ns[3];
	struct dns_srvlist	 l = { 0 };
	struct strlist		 xtra = { 0 };
	static const struct {
		const char	*name, *addr;
		enum dns_role	 role;
	} want[] = {
		{ "ns1.example.com", "127.0.0.1", DNS_ROLE_NS },
		{ "ns1.example.com", "::1", DNS_ROLE_NS },
		{ "ns2.example.com", "127.0.0.2", DNS_ROLE_NS },
		{ "192.0.2.7", "192.0.2.7", DNS_ROLE_XTRA },
		{ "2001:db8::5", "2001:db8::5", DNS_ROLE_XTRA },
	};
	size_t			 i;

	(void)state;
	ns[0].name = "ns2.example.com";
	ns[0].addr = "127.0.0.2";
	ns[1].name = "ns1.example.com";
	ns[1].addr = "::1";
	ns[2].name = "ns1.example.com";
	ns[2].addr = "127.0.0.1";
	strlist_add(&xtra, "192.0.2.7");
	strlist_add(&xtra, "127.0.0.2");	/* an NS address already */
	strlist_add(&xtra, "");
	strlist_add(&xtra, "localhost");	/* /etc/hosts: an NS address */
	strlist_add(&xtra, "2001:db8::5");
	dns_servers_build(ns, 3, &xtra, 5300, "example.com", &l);
	assert_int_equal(l.n, NELEM(want));
	for (i = 0; i < NELEM(want); i++) {
		assert_string_equal(l.v[i].name, want[i].name);
		assert_string_equal(l.v[i].addr, want[i].addr);
		assert_int_equal(l.v[i].role, want[i].role);
		assert_int_equal(l.v[i].port, 5300);
	}
	dns_srvlist_free(&l);
	strlist_clear(&xtra);
}

static void
test_host_addrs(void **state)
{
	struct strlist	 a = { 0 };
	const char	*why;

	(void)state;
	assert_int_equal(dns_host_addrs("192.0.2.1", AF_INET6, &a, &why), 0);
	assert_int_equal(dns_host_addrs("192.0.2.1", AF_UNSPEC, &a, &why), 0);
	assert_int_equal(a.n, 1);
	assert_int_equal(dns_host_addrs("localhost", AF_INET, &a, &why), 0);
	assert_true(strlist_has(&a, "127.0.0.1"));
	assert_int_equal(dns_host_addrs("", AF_UNSPEC, &a, &why),
	    SSLM_ERR_DNS);
	assert_non_null(why);
	strlist_clear(&a);
}

static void
test_query_all_refuses_bad_input(void **state)
{
	struct dns_server	 s = { "x", "127.0.0.1", 53, DNS_ROLE_NS };
	struct dns_server	 bad = { "x", "1.2.3.4.5", 53, DNS_ROLE_NS };
	struct dns_result	*res = NULL;

	(void)state;
	assert_int_equal(dns_query_all(&s, 1, "a..b", LDNS_RR_TYPE_TXT, 100,
	    0, &res), SSLM_ERR_USAGE);
	assert_null(res);
	assert_int_equal(dns_query_all(&bad, 1, "a.b", LDNS_RR_TYPE_TXT, 100,
	    0, &res), SSLM_ERR_NET);
	assert_null(res);
	assert_int_equal(dns_query_all(&s, 0, "a.b", LDNS_RR_TYPE_TXT, 100,
	    0, &res), 0);
	dns_results_free(res, 0);
	dns_results_free(NULL, 3);
}

/*
 * The fake server: a UDP socket and a TCP listener on one loopback port,
 * served by a child process that follows a script.
 */
enum fake_mode {
	FAKE_SPOOF_THEN_ANSWER,	/* wrong ID first, then the answer */
	FAKE_TC_THEN_TCP,	/* TC over UDP, the answer over TCP */
	FAKE_DROP_FIRST,	/* ignore the first try, answer the retry */
	FAKE_GARBAGE,		/* right ID and QR, broken body */
	FAKE_SILENT		/* never answer */
};

/* The reply to query q (wire), with TXT answers unless tc. */
static uint8_t *
fake_reply(const uint8_t *q, size_t qlen, bool tc, size_t *len)
{
	ldns_pkt	*qp = NULL, *p;
	ldns_rr		*qr;
	uint8_t		*w;
	char		 line[200];
	int		 i;

	if (ldns_wire2pkt(&qp, q, qlen) != LDNS_STATUS_OK)
		_exit(3);
	qr = ldns_rr_list_rr(ldns_pkt_question(qp), 0);
	p = ldns_pkt_new();
	ldns_pkt_set_id(p, ldns_pkt_id(qp));
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_aa(p, true);
	ldns_pkt_set_tc(p, tc);
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, ldns_rr_clone(qr));
	for (i = 0; !tc && i < 30; i++) {
		snprintf(line, sizeof(line), "q.example. 60 IN TXT "
		    "\"record-%02d-%060d\"", i, i);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr(line));
	}
	if (ldns_pkt2wire(&w, p, len) != LDNS_STATUS_OK)
		_exit(3);
	ldns_pkt_free(p);
	ldns_pkt_free(qp);
	return w;
}

static void
fake_serve(int u, int t, enum fake_mode mode)
{
	struct sockaddr_storage	 from;
	socklen_t		 fl = sizeof(from);
	uint8_t			 q[600], *w, hdr[2];
	ssize_t			 n;
	size_t			 len, need;
	int			 c;

	n = recvfrom(u, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
	if (n >= 12 && mode == FAKE_DROP_FIRST) {
		fl = sizeof(from);
		n = recvfrom(u, q, sizeof(q), 0, (struct sockaddr *)&from,
		    &fl);
	}
	if (n < 12)
		_exit(2);
	switch (mode) {
	case FAKE_SILENT:
		sleep(3);
		_exit(0);
	case FAKE_DROP_FIRST:
	case FAKE_SPOOF_THEN_ANSWER:
		w = fake_reply(q, (size_t)n, false, &len);
		if (mode == FAKE_SPOOF_THEN_ANSWER) {
			w[1] ^= 1;
			sendto(u, w, len, 0, (struct sockaddr *)&from, fl);
			w[1] ^= 1;
		}
		sendto(u, w, len, 0, (struct sockaddr *)&from, fl);
		free(w);
		break;
	case FAKE_GARBAGE:
		memset(q + 12, 0xff, (size_t)n - 12);
		q[2] |= 0x80;
		sendto(u, q, (size_t)n, 0, (struct sockaddr *)&from, fl);
		break;
	case FAKE_TC_THEN_TCP:
		w = fake_reply(q, (size_t)n, true, &len);
		sendto(u, w, len, 0, (struct sockaddr *)&from, fl);
		free(w);
		if ((c = accept(t, NULL, NULL)) == -1 ||
		    read(c, hdr, 2) != 2)
			_exit(2);
		need = (size_t)hdr[0] << 8 | hdr[1];
		if (need > sizeof(q) || read(c, q, need) != (ssize_t)need)
			_exit(2);
		w = fake_reply(q, need, false, &len);
		hdr[0] = (uint8_t)(len >> 8);
		hdr[1] = (uint8_t)len;
		if (write(c, hdr, 2) != 2 ||
		    write(c, w, len) != (ssize_t)len)
			_exit(2);
		free(w);
		close(c);
		break;
	}
	_exit(0);
}

/* Runs one query against a fake server in mode; returns the child's exit
 * status and fills q. */
static int
fake_run(enum fake_mode mode, int timeout_ms, int retries, struct dnsq *q)
{
	struct sockaddr_in	sa;
	socklen_t		sl = sizeof(sa);
	pid_t			pid;
	int			u, t, st, one = 1, r;

	u = socket(AF_INET, SOCK_DGRAM, 0);
	t = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(u != -1 && t != -1);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(u, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(u, (struct sockaddr *)&sa, &sl), 0);
	setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(t, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(t, 1), 0);
	if ((pid = fork()) == 0)
		fake_serve(u, t, mode);
	assert_true(pid > 0);
	close(u);
	close(t);
	memset(q, 0, sizeof(*q));
	q->addr = "127.0.0.1";
	q->port = ntohs(sa.sin_port);
	q->qname = "q.example";
	q->qtype = LDNS_RR_TYPE_TXT;
	r = dnsq_run(q, 1, timeout_ms, retries);
	assert_int_equal(r, 0);
	if (mode == FAKE_SILENT)
		kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_engine_against_fake_server(void **state)
{
	struct dnsq	q;

	(void)state;
	assert_int_equal(fake_run(FAKE_SPOOF_THEN_ANSWER, 1000, 0, &q), 0);
	assert_int_equal(q.status, DNS_ANSWER);
	assert_int_equal(q.rdata.n, 30);
	dnsq_clear(&q);

	assert_int_equal(fake_run(FAKE_TC_THEN_TCP, 1000, 0, &q), 0);
	assert_int_equal(q.status, DNS_ANSWER);
	assert_int_equal(q.rdata.n, 30);
	assert_string_equal(q.rdata.v[0], "record-00-"
	    "000000000000000000000000000000000000000000000000000000000000");
	dnsq_clear(&q);

	assert_int_equal(fake_run(FAKE_DROP_FIRST, 300, 1, &q), 0);
	assert_int_equal(q.status, DNS_ANSWER);
	assert_true(q.ms >= 290);
	dnsq_clear(&q);

	assert_int_equal(fake_run(FAKE_GARBAGE, 1000, 0, &q), 0);
	assert_int_equal(q.status, DNS_ERROR);
	assert_non_null(q.error);
	assert_non_null(strstr(q.error, "udp reply"));
	dnsq_clear(&q);

	fake_run(FAKE_SILENT, 200, 1, &q);
	assert_int_equal(q.status, DNS_TIMEOUT);
	assert_true(q.ms >= 395 && q.ms < 1000);
	dnsq_clear(&q);
}

/*
 * The grid asks every question at once: a server that answers nothing
 * until it holds all five questions answers them all.  Asked one after the
 * other (one round trip per question) every one would time out.
 */
static void
test_grid_one_round_trip(void **state)
{
	/* fake_reply's records belong to q.example: the other names are
	 * answered NODATA (answered all the same). */
	const char		*names[5] = { "q.example", "b.example",
				    "c.example", "d.example", "q.example" };
	const int		 types[5] = { LDNS_RR_TYPE_TXT,
				    LDNS_RR_TYPE_TXT, LDNS_RR_TYPE_TXT,
				    LDNS_RR_TYPE_TXT, LDNS_RR_TYPE_TXT };
	const char		*bad[2] = { "a.example", "a..b" };
	struct sockaddr_storage	 from[5];
	socklen_t		 fl[5];
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);
	struct dns_server	 s = { "x", "127.0.0.1", 0, DNS_ROLE_NS };
	struct dns_result	*res = NULL;
	uint8_t			 q[5][600], *w;
	ssize_t			 n[5];
	size_t			 len, i;
	pid_t			 pid;
	int			 u, st;

	(void)state;
	assert_int_equal(dns_query_grid(&s, 1, bad, types, 2, 100, 0, &res),
	    SSLM_ERR_USAGE);
	assert_null(res);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(u != -1);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(u, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(u, (struct sockaddr *)&sa, &sl), 0);
	if ((pid = fork()) == 0) {
		alarm(15);
		for (i = 0; i < 5; i++) {
			fl[i] = sizeof(from[i]);
			n[i] = recvfrom(u, q[i], sizeof(q[i]), 0,
			    (struct sockaddr *)&from[i], &fl[i]);
			if (n[i] < 12)
				_exit(2);
		}
		for (i = 0; i < 5; i++) {
			w = fake_reply(q[i], (size_t)n[i], false, &len);
			sendto(u, w, len, 0, (struct sockaddr *)&from[i],
			    fl[i]);
			free(w);
		}
		_exit(0);
	}
	assert_true(pid > 0);
	close(u);
	s.port = ntohs(sa.sin_port);
	/* 3 s per try: slow enough for valgrind and the sanitizers. */
	assert_int_equal(dns_query_grid(&s, 1, names, types, 5, 3000, 0,
	    &res), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_non_null(res);
	for (i = 0; i < 5; i++) {
		assert_int_equal(res[i].status, i == 0 || i == 4 ?
		    DNS_ANSWER : DNS_NODATA);
		assert_true(res[i].ms < 2900);
		assert_ptr_equal(res[i].server, &s);
	}
	dns_results_free(res, 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_norm),
		cmocka_unit_test(test_tlsa_norm),
		cmocka_unit_test(test_status_and_role_names),
		cmocka_unit_test(test_rr_text),
		cmocka_unit_test(test_reply_status),
		cmocka_unit_test(test_reply_rdata_sorted_chain_and_serial),
		cmocka_unit_test(test_reply_parse_matching),
		cmocka_unit_test(test_reply_parse_no_question),
		cmocka_unit_test(test_reply_random_and_mutated_never_crash),
		cmocka_unit_test(test_addr_norm),
		cmocka_unit_test(test_srvlist_dedupes_addr_and_port),
		cmocka_unit_test(test_servers_build_order_and_xtra),
		cmocka_unit_test(test_host_addrs),
		cmocka_unit_test(test_query_all_refuses_bad_input),
		cmocka_unit_test(test_engine_against_fake_server),
		cmocka_unit_test(test_grid_one_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
