/*
 * test-gate.c - unit tests of the DANE roll gate (core/gate.c).
 *
 * gate_evaluate() is fed hand-made answers: all served and old enough,
 * one server missing a record, NODATA/TIMEOUT/SERVFAIL in the reason,
 * first_seen set once and kept, reset by a server serving an old set, kept
 * through a server that does not answer.  gate_check() runs against three
 * tiny authoritative servers in a thread of this process (UDP on
 * 127.0.0.1-3, one port), through the real query code, on a certs/ tree
 * made in a mkdtemp(3) directory; the state file dane-visible is checked
 * on disk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "err.h"
#include "gate.h"
#include "log.h"
#include "store.h"
#include "tlsa.h"

#define NOW	((time_t)1775563659)
#define O25	"_25._tcp.mail.example.com."
#define OAPEX	"_25._tcp.example.com."
#define RD1	"3 1 1 aaaa"
#define RD2	"3 1 1 bbbb"
#define RDOLD	"3 1 1 0000"

static struct strlist	 logged;

static void
sink(void *ctx, enum sslm_level lvl, const char *msg)
{
	(void)ctx;
	strlist_add_nodup(&logged, xasprintf("%d|%s", (int)lvl, msg));
}

/* ---- gate_evaluate ---- */

static struct dns_server srv[3] = {
	{ "ns1.example.com", "127.0.0.1", 53, DNS_ROLE_NS },
	{ "ns2.example.com", "127.0.0.2", 53, DNS_ROLE_NS },
	{ "ns3.example.com", "127.0.0.3", 53, DNS_ROLE_NS },
};

/* Answers for two owners x three servers. */
struct world {
	struct tlsa_set		 exp;
	struct dns_result	 res[2][3];
	struct gate_owner	 own[2];
	struct gate_input	 in;
};

static void
world_init(struct world *w, time_t first_seen, time_t now, int ttl)
{
	memset(w, 0, sizeof(*w));
	assert_int_equal(tlsa_parse(OAPEX " IN TLSA " RD1 "\n"
	    O25 " IN TLSA " RD1 "\n" O25 " IN TLSA " RD2 "\n", "exp",
	    &w->exp), 0);
	for (int i = 0; i < 2; i++) {
		for (int j = 0; j < 3; j++) {
			w->res[i][j].server = &srv[j];
			w->res[i][j].status = DNS_ANSWER;
			/* curr's old record too: extras are fine. */
			strlist_add(&w->res[i][j].rdata, RDOLD);
			strlist_add(&w->res[i][j].rdata, RD1);
			if (i == 1)
				strlist_add(&w->res[i][j].rdata, RD2);
		}
		w->own[i].results = w->res[i];
	}
	w->own[0].owner = OAPEX;
	w->own[1].owner = O25;
	w->in.expected = &w->exp;
	w->in.servers = srv;
	w->in.n_servers = 3;
	w->in.owners = w->own;
	w->in.n_owners = 2;
	w->in.first_seen = first_seen;
	w->in.now = now;
	w->in.ttl = ttl;
}

static void
world_set(struct world *w, int owner, int server, enum dns_status st,
    const char *only)
{
	struct dns_result	*r = &w->res[owner][server];

	strlist_clear(&r->rdata);
	r->status = st;
	if (only != NULL)
		strlist_add(&r->rdata, only);
}

static void
world_free(struct world *w)
{
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 3; j++) {
			strlist_clear(&w->res[i][j].rdata);
			free(w->res[i][j].error);
		}
	tlsa_set_free(&w->exp);
}

static void
test_eval_open(void **state)
{
	struct world		 w;
	struct gate_result	 r;

	(void)state;
	world_init(&w, NOW - 1200, NOW, 600);
	gate_evaluate(&w.in, &r);
	assert_true(r.open);
	assert_true(r.all_served);
	assert_int_equal(r.first_seen, NOW - 1200);
	assert_string_equal(r.reason, "Okay to roll: next's TLSA visible on "
	    "all 3 name servers for 20m, >= 2 x TTL = 20m");
	assert_int_equal(r.lines.n, 3);
	assert_string_equal(r.lines.v[1], "ns2.example.com [127.0.0.2]: "
	    "serves all 3 of next's TLSA records");
	gate_result_free(&r);
	world_free(&w);
}

static void
test_eval_too_soon(void **state)
{
	struct world		 w;
	struct gate_result	 r;

	(void)state;
	/* First time everywhere: first_seen becomes now. */
	world_init(&w, 0, NOW, 600);
	gate_evaluate(&w.in, &r);
	assert_false(r.open);
	assert_int_equal(r.first_seen, NOW);
	assert_string_equal(r.reason, "Too soon to roll: next's TLSA visible "
	    "on all 3 name servers for 0s, need 2 x TTL = 20m");
	gate_result_free(&r);
	world_free(&w);
	/* Later checks keep it. */
	world_init(&w, NOW, NOW + 250, 600);
	gate_evaluate(&w.in, &r);
	assert_false(r.open);
	assert_int_equal(r.first_seen, NOW);
	assert_string_equal(r.reason, "Too soon to roll: next's TLSA visible "
	    "on all 3 name servers for 4m10s, need 2 x TTL = 20m");
	gate_result_free(&r);
	world_free(&w);
	/* No TTL in the records: the default is assumed and said. */
	world_init(&w, NOW - 3599, NOW, 0);
	gate_evaluate(&w.in, &r);
	assert_false(r.open);
	assert_non_null(strstr(r.reason, "need 2 x TTL = 1h00m (no "
	    "dane_tls_ttl: TTL assumed)"));
	gate_result_free(&r);
	world_free(&w);
	world_init(&w, NOW - 3600, NOW, -1);
	gate_evaluate(&w.in, &r);
	assert_true(r.open);
	gate_result_free(&r);
	world_free(&w);
}

static void
test_eval_missing(void **state)
{
	struct world		 w;
	struct gate_result	 r;

	(void)state;
	/* ns2 answers NODATA: the old set (none) is served again. */
	world_init(&w, NOW - 5000, NOW, 600);
	world_set(&w, 1, 1, DNS_NODATA, NULL);
	gate_evaluate(&w.in, &r);
	assert_false(r.open);
	assert_false(r.all_served);
	assert_int_equal(r.first_seen, 0);
	assert_string_equal(r.reason, "Too soon to roll: ns2.example.com "
	    "[127.0.0.2] has not served next's TLSA (" O25 ": NODATA); "
	    "visibility clock restarted");
	assert_string_equal(r.lines.v[1], "ns2.example.com [127.0.0.2]: "
	    O25 " NODATA");
	assert_string_equal(r.lines.v[0], "ns1.example.com [127.0.0.1]: "
	    "serves all 3 of next's TLSA records");
	gate_result_free(&r);
	world_free(&w);

	/* ns3 serves a set without one of next's records. */
	world_init(&w, 0, NOW, 600);
	world_set(&w, 1, 2, DNS_ANSWER, RD1);
	gate_evaluate(&w.in, &r);
	assert_false(r.open);
	assert_int_equal(r.first_seen, 0);
	assert_string_equal(r.reason, "Too soon to roll: ns3.example.com "
	    "[127.0.0.3] has not served next's TLSA (" O25 ": 1 of 2 "
	    "records missing)");
	gate_result_free(&r);
	world_free(&w);

	/* Two servers: the first named, the rest counted. */
	world_init(&w, 0, NOW, 600);
	world_set(&w, 0, 0, DNS_NXDOMAIN, NULL);
	world_set(&w, 1, 2, DNS_SERVFAIL, NULL);
	gate_evaluate(&w.in, &r);
	assert_string_equal(r.reason, "Too soon to roll: ns1.example.com "
	    "[127.0.0.1] and 1 other name server have not served next's "
	    "TLSA (" OAPEX ": NXDOMAIN)");
	assert_string_equal(r.lines.v[2], "ns3.example.com [127.0.0.3]: "
	    O25 " SERVFAIL");
	gate_result_free(&r);
	world_free(&w);

	/* Upper-case hex in an answer is the same record. */
	world_init(&w, NOW - 1200, NOW, 600);
	world_set(&w, 0, 0, DNS_ANSWER, "3 1 1 AAAA");
	gate_evaluate(&w.in, &r);
	assert_true(r.open);
	gate_result_free(&r);
	world_free(&w);
}

static void
test_eval_failures_keep(void **state)
{
	struct world		 w;
	struct gate_result	 r;

	(void)state;
	/* A server that does not answer publishes nothing old: keep. */
	world_init(&w, NOW - 5000, NOW, 600);
	world_set(&w, 1, 1, DNS_TIMEOUT, NULL);
	gate_evaluate(&w.in, &r);
	assert_false(r.open);
	assert_int_equal(r.first_seen, NOW - 5000);
	assert_string_equal(r.reason, "Too soon to roll: ns2.example.com "
	    "[127.0.0.2] has not served next's TLSA (" O25 ": TIMEOUT)");
	gate_result_free(&r);
	world_free(&w);

	world_init(&w, NOW - 5000, NOW, 600);
	world_set(&w, 0, 2, DNS_SERVFAIL, NULL);
	world_set(&w, 1, 0, DNS_ERROR, NULL);
	w.res[1][0].error = xstrdup("network unreachable");
	gate_evaluate(&w.in, &r);
	assert_false(r.open);
	assert_int_equal(r.first_seen, NOW - 5000);
	assert_non_null(strstr(r.reason, "(" O25 ": ERROR (network "
	    "unreachable))"));
	assert_string_equal(r.lines.v[2], "ns3.example.com [127.0.0.3]: "
	    OAPEX " SERVFAIL");
	gate_result_free(&r);
	world_free(&w);

	/* No servers at all: closed. */
	world_init(&w, NOW - 5000, NOW, 600);
	w.in.n_servers = 0;
	gate_evaluate(&w.in, &r);
	assert_false(r.open);
	assert_non_null(strstr(r.reason, "no authoritative name server"));
	gate_result_free(&r);
	world_free(&w);
}

/* ---- fake authoritative servers ---- */

enum fake_mode { FAKE_SERVE, FAKE_NODATA, FAKE_SERVFAIL, FAKE_DROP };

struct fake_ns {
	int		 fd;
	enum fake_mode	 mode;
	struct tlsa_set	 recs;
	int		 queries;
};

static struct fake_ns	 fake[3];
static pthread_mutex_t	 fake_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t	 fake_thr;
static int		 fake_pipe[2];
static int		 fake_port;

/* Reads the query name at q (uncompressed) as "a.b.c."; 0 or -1. */
static int
qname_of(const unsigned char *p, size_t len, size_t *off, char *out,
    size_t outlen)
{
	size_t	 o = 0;

	while (*off < len && p[*off] != 0) {
		size_t	 n = p[*off];

		if (n > 63 || *off + 1 + n > len || o + n + 2 > outlen)
			return -1;
		for (size_t i = 0; i < n; i++)
			out[o++] = (char)tolower(p[*off + 1 + i]);
		out[o++] = '.';
		*off += 1 + n;
	}
	if (*off >= len)
		return -1;
	(*off)++;
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	return 0;
}

static void
fake_answer(struct fake_ns *ns, const unsigned char *q, size_t len,
    struct sockaddr_in *from, socklen_t fromlen)
{
	unsigned char	 r[4096];
	char		 name[256];
	size_t		 off = 12, rl, an = 0;
	unsigned	 qtype;
	int		 rcode = 0;

	if (len < 12 || qname_of(q, len, &off, name, sizeof(name)) != 0 ||
	    off + 4 > len)
		return;
	qtype = (unsigned)q[off] << 8 | q[off + 1];
	off += 4;
	ns->queries++;
	if (ns->mode == FAKE_DROP)
		return;
	if (ns->mode == FAKE_SERVFAIL)
		rcode = 2;
	memcpy(r, q, off);
	rl = off;
	for (size_t i = 0; ns->mode == FAKE_SERVE && qtype == 52 &&
	    i < ns->recs.n; i++) {
		const char	*rd = ns->recs.v[i].rdata, *hex;
		int		 u, s, m;
		size_t		 hl;

		if (strcmp(ns->recs.v[i].owner, name) != 0)
			continue;
		if (sscanf(rd, "%d %d %d", &u, &s, &m) != 3)
			continue;
		hex = strrchr(rd, ' ') + 1;
		hl = strlen(hex) / 2;
		if (rl + 12 + 3 + hl > sizeof(r))
			break;
		r[rl++] = 0xc0;
		r[rl++] = 12;
		r[rl++] = 0;
		r[rl++] = 52;
		r[rl++] = 0;
		r[rl++] = 1;
		r[rl++] = 0;
		r[rl++] = 0;
		r[rl++] = 0x02;
		r[rl++] = 0x58;		/* TTL 600 */
		r[rl++] = (unsigned char)((hl + 3) >> 8);
		r[rl++] = (unsigned char)(hl + 3);
		r[rl++] = (unsigned char)u;
		r[rl++] = (unsigned char)s;
		r[rl++] = (unsigned char)m;
		for (size_t k = 0; k < hl; k++) {
			unsigned	 b;

			sscanf(hex + 2 * k, "%2x", &b);
			r[rl++] = (unsigned char)b;
		}
		an++;
	}
	r[2] = (unsigned char)(0x84 | (q[2] & 0x01));	/* QR AA RD */
	r[3] = (unsigned char)rcode;
	r[4] = 0;
	r[5] = 1;
	r[6] = (unsigned char)(an >> 8);
	r[7] = (unsigned char)an;
	memset(r + 8, 0, 4);
	(void)sendto(ns->fd, r, rl, 0, (struct sockaddr *)from, fromlen);
}

static void *
fake_loop(void *arg)
{
	struct pollfd		 pfd[4];
	struct sockaddr_in	 from;
	socklen_t		 fl;
	unsigned char		 q[4096];
	ssize_t			 n;

	(void)arg;
	for (;;) {
		for (int i = 0; i < 3; i++) {
			pfd[i].fd = fake[i].fd;
			pfd[i].events = POLLIN;
		}
		pfd[3].fd = fake_pipe[0];
		pfd[3].events = POLLIN;
		if (poll(pfd, 4, -1) == -1)
			continue;
		if (pfd[3].revents != 0)
			break;
		for (int i = 0; i < 3; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			fl = sizeof(from);
			n = recvfrom(fake[i].fd, q, sizeof(q), 0,
			    (struct sockaddr *)&from, &fl);
			if (n <= 0)
				continue;
			pthread_mutex_lock(&fake_mu);
			fake_answer(&fake[i], q, (size_t)n, &from, fl);
			pthread_mutex_unlock(&fake_mu);
		}
	}
	return NULL;
}

static int
fake_bind(const char *addr, int port)
{
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	int			 fd;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, addr, &sin.sin_addr);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) == -1) {
		close(fd);
		return -1;
	}
	if (port == 0)
		fake_port = ntohs(sin.sin_port);
	return fd;
}

static int
fake_start(void)
{
	static const char *const addrs[] = { "127.0.0.1", "127.0.0.2",
	    "127.0.0.3" };

	for (int tries = 0; tries < 20; tries++) {
		bool	 ok = true;

		for (int i = 0; i < 3; i++) {
			fake[i].fd = fake_bind(addrs[i], i == 0 ? 0 :
			    fake_port);
			if (fake[i].fd == -1) {
				ok = false;
				for (int k = 0; k < i; k++)
					close(fake[k].fd);
				break;
			}
		}
		if (ok)
			break;
		if (tries == 19)
			return -1;
	}
	if (pipe(fake_pipe) == -1)
		return -1;
	return pthread_create(&fake_thr, NULL, fake_loop, NULL);
}

static void
fake_stop(void)
{
	if (write(fake_pipe[1], "x", 1) != 1)
		abort();
	pthread_join(fake_thr, NULL);
	for (int i = 0; i < 3; i++) {
		close(fake[i].fd);
		tlsa_set_free(&fake[i].recs);
	}
	close(fake_pipe[0]);
	close(fake_pipe[1]);
}

/* Every fake server: mode and the records of text. */
static void
fake_set(int i, enum fake_mode mode, const char *text)
{
	pthread_mutex_lock(&fake_mu);
	fake[i].mode = mode;
	tlsa_set_free(&fake[i].recs);
	if (text != NULL)
		assert_int_equal(tlsa_parse(text, "fake", &fake[i].recs), 0);
	pthread_mutex_unlock(&fake_mu);
}

/* ---- gate_check on a tree ---- */

static char	*tmpdir, *svcdir;

static int
rm_cb(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(p);
}

static int
setup(void **state)
{
	(void)state;
	tmpdir = xstrdup("/tmp/sslm-gate-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	svcdir = xasprintf("%s/certs/example.com/mail", tmpdir);
	strlist_clear(&logged);
	sslm_log_set_sink(sink, NULL);
	for (int i = 0; i < 3; i++) {
		fake_set(i, FAKE_SERVE, NULL);
		fake[i].queries = 0;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	nftw(tmpdir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(tmpdir);
	free(svcdir);
	sslm_log_set_sink(NULL, NULL);
	strlist_clear(&logged);
	return 0;
}

static void
put(const char *link, const char *date, const char *text)
{
	char	*path, *target;

	path = xasprintf("%s/db/%s/tlsa.rr", svcdir, date);
	target = xasprintf("db/%s", date);
	assert_int_equal(store_write_file(path, text, strlen(text), 0644), 0);
	assert_int_equal(store_link_set(svcdir, link, target), 0);
	free(path);
	free(target);
}

#define CURR_RR	";;\n" OAPEX " 600 IN TLSA " RDOLD "\n" \
		O25 " 600 IN TLSA " RDOLD "\n"
#define NEXT_RR	";;\n" OAPEX " 600 IN TLSA " RD1 "\n" \
		O25 " 600 IN TLSA " RD1 "\n"
#define BOTH	OAPEX " IN TLSA " RDOLD "\n" O25 " IN TLSA " RDOLD "\n" \
		OAPEX " IN TLSA " RD1 "\n" O25 " IN TLSA " RD1 "\n"
#define D1	"20260401-00:00:00"
#define D2	"20260407-12:00:00"

struct env {
	struct sslm_config	 cfg;
	struct sslm_service_cfg	 svc;
	struct sslm_dane	 dane;
	struct dns_server	 servers[4];
	struct dns_zone		 zone;
};

static void
env_init(struct env *e)
{
	static const char *const a[] = { "127.0.0.1", "127.0.0.2",
	    "127.0.0.3", "127.0.0.4" };
	static const char *const n[] = { "ns1.example.com",
	    "ns2.example.com", "ns3.example.com", "127.0.0.4" };

	memset(e, 0, sizeof(*e));
	e->cfg.dane_roll_gate = true;
	e->svc.grp = "example.com";
	e->svc.svc = "mail";
	e->svc.dane_tls_ttl = 600;
	e->dane.port = 25;
	snprintf(e->dane.proto, sizeof(e->dane.proto), "tcp");
	e->dane.usage = 3;
	e->dane.selector = 1;
	e->dane.mtype = 1;
	e->svc.dane = &e->dane;
	e->svc.n_dane = 1;
	for (int i = 0; i < 4; i++) {
		e->servers[i].name = (char *)n[i];
		e->servers[i].addr = (char *)a[i];
		e->servers[i].port = fake_port;
		/* The 4th is a public resolver nobody listens on. */
		e->servers[i].role = i < 3 ? DNS_ROLE_NS : DNS_ROLE_XTRA;
	}
	e->zone.apex = "example.com";
	e->zone.servers = e->servers;
	e->zone.n_servers = 4;
}

static int
check(struct env *e, time_t now, struct gate_result *r)
{
	return gate_check(&e->cfg, &e->svc, &e->zone, svcdir, now, 300, 0, r);
}

static char *
state_file(void)
{
	char	*p = xasprintf("%s/db/" D2 "/" GATE_STATE_FILE, svcdir);
	char	*t = NULL;

	if (read_file(p, 4096, &t, NULL) != 0)
		t = NULL;
	free(p);
	return t;
}

static char *
waiting_file(void)
{
	char	*p = xasprintf("%s/" GATE_WAITING_FILE, svcdir);
	char	*t = NULL;

	if (read_file(p, 4096, &t, NULL) != 0)
		t = NULL;
	free(p);
	return t;
}

static void
test_check_trivial(void **state)
{
	struct env		 e;
	struct gate_result	 r;

	(void)state;
	env_init(&e);
	/* No next. */
	assert_int_equal(check(&e, NOW, &r), 0);
	assert_true(r.open);
	gate_result_free(&r);
	/* Next but no curr: nothing published to protect. */
	put("next", D2, NEXT_RR);
	assert_int_equal(check(&e, NOW, &r), 0);
	assert_true(r.open);
	assert_non_null(strstr(r.reason, "no curr"));
	gate_result_free(&r);
	/* curr without TLSA records (DANE just enabled). */
	put("curr", D1, ";;\n;; tlsa example.com mail x\n;;\n");
	assert_int_equal(check(&e, NOW, &r), 0);
	assert_true(r.open);
	assert_non_null(strstr(r.reason, "curr has no TLSA"));
	gate_result_free(&r);
	/* Gate off, no dane_tls: open without asking. */
	put("curr", D1, CURR_RR);
	e.cfg.dane_roll_gate = false;
	assert_int_equal(check(&e, NOW, &r), 0);
	assert_true(r.open);
	assert_false(r.checked);
	gate_result_free(&r);
	e.cfg.dane_roll_gate = true;
	e.svc.n_dane = 0;
	assert_int_equal(check(&e, NOW, &r), 0);
	assert_true(r.open);
	gate_result_free(&r);
	e.svc.n_dane = 1;
	assert_int_equal(fake[0].queries, 0);
	/* next without tlsa.rr: closed, nothing to check. */
	{
		char	*p = xasprintf("%s/db/" D2 "/tlsa.rr", svcdir);

		assert_int_equal(unlink(p), 0);
		free(p);
	}
	assert_int_equal(check(&e, NOW, &r), 0);
	assert_false(r.open);
	assert_non_null(strstr(r.reason, "next has no TLSA records"));
	gate_result_free(&r);
	/* An unparsable next: an error, closed. */
	put("next", D2, "junk\n");
	assert_int_equal(check(&e, NOW, &r), SSLM_ERR_PARSE);
	assert_false(r.open);
	gate_result_free(&r);
}

static void
test_check_visible(void **state)
{
	struct env		 e;
	struct gate_result	 r;
	char			*t, *want;

	(void)state;
	env_init(&e);
	put("curr", D1, CURR_RR);
	put("next", D2, NEXT_RR);
	for (int i = 0; i < 3; i++)
		fake_set(i, FAKE_SERVE, BOTH);
	/* First sight: recorded, too soon. */
	assert_int_equal(check(&e, NOW, &r), 0);
	assert_false(r.open);
	assert_true(r.all_served);
	assert_int_equal(r.first_seen, NOW);
	assert_string_equal(r.reason, "Too soon to roll: next's TLSA visible "
	    "on all 3 name servers for 0s, need 2 x TTL = 20m");
	assert_int_equal(r.lines.n, 3);
	gate_result_free(&r);
	t = state_file();
	assert_non_null(t);
	want = xasprintf("%lld\n", (long long)NOW);
	assert_true(strncmp(t, want, strlen(want)) == 0);
	assert_int_equal(strlen(t), strlen(want) + 65);
	free(want);
	/* A later check does not move it. */
	assert_int_equal(check(&e, NOW + 250, &r), 0);
	assert_false(r.open);
	assert_string_equal(r.reason, "Too soon to roll: next's TLSA visible "
	    "on all 3 name servers for 4m10s, need 2 x TTL = 20m");
	gate_result_free(&r);
	want = state_file();
	assert_string_equal(t, want);
	free(want);
	/* The public resolver (127.0.0.4, silent) was never asked: the
	 * gate opens after 2 x TTL. */
	assert_int_equal(check(&e, NOW + 1200, &r), 0);
	assert_true(r.open);
	assert_true(strncmp(r.reason, "Okay to roll: ", 14) == 0);
	gate_result_free(&r);
	assert_int_equal(fake[1].queries, 6);
	free(t);
}

static void
test_check_missing(void **state)
{
	struct env		 e;
	struct gate_result	 r;
	char			*want, *t;

	(void)state;
	env_init(&e);
	put("curr", D1, CURR_RR);
	put("next", D2, NEXT_RR);
	fake_set(0, FAKE_SERVE, BOTH);
	fake_set(1, FAKE_SERVE, OAPEX " IN TLSA " RDOLD "\n" OAPEX
	    " IN TLSA " RD1 "\n" O25 " IN TLSA " RDOLD "\n");
	fake_set(2, FAKE_SERVE, BOTH);
	assert_int_equal(check(&e, NOW, &r), 0);
	assert_false(r.open);
	assert_int_equal(r.first_seen, 0);
	want = xasprintf("Too soon to roll: ns2.example.com [127.0.0.2]:%d "
	    "has not served next's TLSA (" O25 ": 1 of 1 records missing)",
	    fake_port);
	assert_string_equal(r.reason, want);
	free(want);
	want = xasprintf("ns1.example.com [127.0.0.1]:%d: serves all 2 of "
	    "next's TLSA records", fake_port);
	assert_string_equal(r.lines.v[0], want);
	free(want);
	assert_string_equal(r.waiting_for, "ns2.example.com");
	gate_result_free(&r);
	/* Never seen everywhere: nothing recorded in the set (production
	 * copies it) ... */
	assert_null(state_file());
	/* ... but the service dir notes whom it waits for (what the status
	 * and the console's Roll column name). */
	assert_non_null(t = waiting_file());
	assert_string_equal(t, D2 "\nns2.example.com\n");
	free(t);
	/* Served everywhere now: the note goes, the time is recorded. */
	fake_set(1, FAKE_SERVE, BOTH);
	assert_int_equal(check(&e, NOW, &r), 0);
	assert_null(r.waiting_for);
	assert_int_equal(r.first_seen, NOW);
	gate_result_free(&r);
	assert_null(waiting_file());
	assert_non_null(t = state_file());
	free(t);
}

static void
test_check_timeout_keeps(void **state)
{
	struct env		 e;
	struct gate_result	 r;
	char			*t;

	(void)state;
	env_init(&e);
	put("curr", D1, CURR_RR);
	put("next", D2, NEXT_RR);
	for (int i = 0; i < 3; i++)
		fake_set(i, FAKE_SERVE, BOTH);
	assert_int_equal(check(&e, NOW, &r), 0);
	gate_result_free(&r);
	/* ns3 stops answering: closed, first_seen kept. */
	fake_set(2, FAKE_DROP, NULL);
	assert_int_equal(check(&e, NOW + 2000, &r), 0);
	assert_false(r.open);
	assert_int_equal(r.first_seen, NOW);
	assert_non_null(strstr(r.reason, ": TIMEOUT)"));
	gate_result_free(&r);
	/* SERVFAIL likewise. */
	fake_set(2, FAKE_SERVFAIL, NULL);
	assert_int_equal(check(&e, NOW + 2000, &r), 0);
	assert_false(r.open);
	assert_non_null(strstr(r.reason, ": SERVFAIL)"));
	gate_result_free(&r);
	/* Back: open at once, the wait already done. */
	fake_set(2, FAKE_SERVE, BOTH);
	assert_int_equal(check(&e, NOW + 2000, &r), 0);
	assert_true(r.open);
	gate_result_free(&r);
	/* NODATA means the old set again: the clock restarts. */
	fake_set(0, FAKE_NODATA, NULL);
	assert_int_equal(check(&e, NOW + 3000, &r), 0);
	assert_false(r.open);
	assert_int_equal(r.first_seen, 0);
	assert_non_null(strstr(r.reason, ": NODATA); visibility clock "
	    "restarted"));
	gate_result_free(&r);
	t = state_file();
	assert_true(strncmp(t, "0\n", 2) == 0);
	free(t);
	fake_set(0, FAKE_SERVE, BOTH);
	assert_int_equal(check(&e, NOW + 4000, &r), 0);
	assert_false(r.open);
	assert_int_equal(r.first_seen, NOW + 4000);
	gate_result_free(&r);
}

static void
test_check_state_other_records(void **state)
{
	struct env		 e;
	struct gate_result	 r;
	char			*p;

	(void)state;
	env_init(&e);
	put("curr", D1, CURR_RR);
	put("next", D2, NEXT_RR);
	for (int i = 0; i < 3; i++)
		fake_set(i, FAKE_SERVE, BOTH);
	/* A state file of another next in the same dir is ignored. */
	p = xasprintf("%s/db/" D2 "/" GATE_STATE_FILE, svcdir);
	assert_int_equal(store_write_file(p, "1000\nabc\n", 9, 0644), 0);
	assert_int_equal(check(&e, NOW, &r), 0);
	assert_false(r.open);
	assert_int_equal(r.first_seen, NOW);
	gate_result_free(&r);
	/* A bare time (no hash) is honoured. */
	assert_int_equal(store_write_file(p, "1000\n", 5, 0644), 0);
	assert_int_equal(check(&e, NOW, &r), 0);
	assert_true(r.open);
	assert_int_equal(r.first_seen, 1000);
	gate_result_free(&r);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eval_open),
		cmocka_unit_test(test_eval_too_soon),
		cmocka_unit_test(test_eval_missing),
		cmocka_unit_test(test_eval_failures_keep),
		cmocka_unit_test_setup_teardown(test_check_trivial, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_check_visible, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_check_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_check_timeout_keeps,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_check_state_other_records, setup, teardown),
	};
	int	 r;

	if (fake_start() != 0) {
		fprintf(stderr, "cannot start the fake name servers\n");
		return 1;
	}
	r = cmocka_run_group_tests(tests, NULL, NULL);
	fake_stop();
	return r;
}
