/*
 * live.c - verify --live (see live.h): which hosts, addresses and ports a
 * service is served on, what each serves compared with curr and next, and
 * with the TLSA records every authoritative name server of the group's
 * zone serves.  One line per host, address and port; never writes.
 */
#include <sys/socket.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "dns-priv.h"
#include "dns.h"
#include "live.h"
#include "log.h"
#include "runsvc.h"
#include "x509.h"

struct live_svc {
	struct sslm_run			*run;
	const struct sslm_service_cfg	*sc;
	const struct dns_zone		*zone;	/* NULL: no DNS */
	const char			*nodns;	/* why not */
	struct svc_state		 st;
	struct buf			*out;
	int				 checks;
	int				 fails;
};

/* The TLSA view of one host and port. */
struct live_tlsa {
	bool			 asked;
	const char		*skip;	/* why it was not asked */
	struct dns_server	*ns;	/* the NS addresses */
	struct dns_result	*res;	/* one per ns */
	size_t			 n;
	bool			 dane;	/* dane_tls names the port */
};

static bool
same_cert(X509 *a, X509 *b)
{
	unsigned char	ma[EVP_MAX_MD_SIZE], mb[EVP_MAX_MD_SIZE];
	unsigned int	la, lb;

	if (a == NULL || b == NULL)
		return false;
	if (X509_digest(a, EVP_sha256(), ma, &la) != 1 ||
	    X509_digest(b, EVP_sha256(), mb, &lb) != 1)
		return false;
	return la == lb && memcmp(ma, mb, la) == 0;
}

bool
live_tlsa_match(const char *rdata, STACK_OF(X509) *chain)
{
	int	u, s, m, n = 0, first, last;
	char	*hex = NULL;
	bool	ok = false;

	if (chain == NULL || sscanf(rdata, "%d %d %d %n", &u, &s, &m,
	    &n) != 3 || n == 0 || u < 0 || u > 3)
		return false;
	/* EE usages name the leaf, TA usages a certificate above it. */
	first = u == 1 || u == 3 ? 0 : 1;
	last = u == 1 || u == 3 ? 0 : sk_X509_num(chain) - 1;
	for (int i = first; i <= last && i < sk_X509_num(chain) && !ok; i++) {
		if (x509_tlsa_data(sk_X509_value(chain, i), s, m, &hex) != 0)
			return false;
		ok = strcmp(hex, rdata + n) == 0;
		free(hex);
		hex = NULL;
	}
	return ok;
}

/* True when host is apex or below it. */
static bool
in_zone(const char *host, const char *apex)
{
	size_t hl = strlen(host), al = strlen(apex);

	if (hl == al)
		return strcmp(host, apex) == 0;
	return hl > al && host[hl - al - 1] == '.' &&
	    strcmp(host + hl - al, apex) == 0;
}

/* The hosts of a port: the SANs (or CN), and the MX hosts for 25. */
static void
port_hosts(struct live_svc *ls, int port, struct strlist *hosts)
{
	const struct strlist	*sans = &ls->sc->sans;
	char			*h;

	for (size_t i = 0; i < sans->n; i++) {
		if (strchr(sans->v[i], '*') != NULL) {
			(void)buf_printf(ls->out, "  %s:%d: a wildcard SAN "
			    "names no host to connect to: skipped\n",
			    sans->v[i], port);
			continue;
		}
		h = dns_name_norm(sans->v[i]);
		if (!strlist_has(hosts, h))
			strlist_add(hosts, h);
		free(h);
	}
	if (sans->n == 0 && ls->sc->CN != NULL && *ls->sc->CN != '\0')
		strlist_add_nodup(hosts, dns_name_norm(ls->sc->CN));
	if (port != 25)
		return;
	if (ls->zone == NULL) {
		(void)buf_printf(ls->out, "  port 25: MX hosts not known "
		    "(%s)\n", ls->nodns);
		return;
	}
	for (size_t i = 0; i < ls->zone->mx_hosts.n; i++) {
		h = ls->zone->mx_hosts.v[i];
		if (*h != '\0' && strcmp(h, ".") != 0 && !strlist_has(hosts, h))
			strlist_add(hosts, h);
	}
}

/*
 * Every address of host: an IP literal is itself; a name in the zone is
 * asked at the primary (authoritative, and it knows names the system
 * resolver may not), anything else the system resolver.  0 or -1 with
 * *why (static).
 */
static int
host_addrs(struct live_svc *ls, const char *host, struct strlist *addrs,
    const char **why)
{
	struct dns_result	*res = NULL;
	static const int	 types[2] = { 1, 28 };	/* A, AAAA */

	*why = NULL;
	if (ls->zone != NULL && !is_ip_literal(host) &&
	    in_zone(host, ls->zone->apex)) {
		for (int t = 0; t < 2; t++) {
			if (dns_query_all(&ls->zone->primary, 1, host,
			    types[t], RUN_DNS_TIMEOUT_MS, RUN_DNS_RETRIES,
			    &res) != 0)
				continue;
			for (size_t k = 0; k < res[0].rdata.n; k++)
				if (!strlist_has(addrs, res[0].rdata.v[k]))
					strlist_add(addrs, res[0].rdata.v[k]);
			dns_results_free(res, 1);
		}
		if (addrs->n > 0)
			return 0;
	}
	return dns_host_addrs(host, AF_UNSPEC, addrs, why) == 0 ? 0 : -1;
}

static void
tlsa_ask(struct live_svc *ls, const char *host, int port,
    struct live_tlsa *t)
{
	const struct dns_zone	*z = ls->zone;
	char			*owner;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < ls->sc->n_dane; i++)
		if (ls->sc->dane[i].port == port &&
		    strcmp(ls->sc->dane[i].proto, "tcp") == 0)
			t->dane = true;
	if (is_ip_literal(host)) {
		t->skip = "an IP address has no TLSA records";
		return;
	}
	if (z == NULL) {
		t->skip = ls->nodns;
		return;
	}
	if (!in_zone(host, z->apex)) {
		t->skip = "not in the group's zone";
		return;
	}
	t->ns = xcalloc(z->n_servers, sizeof(*t->ns));
	for (size_t i = 0; i < z->n_servers; i++)
		if (z->servers[i].role == DNS_ROLE_NS)
			t->ns[t->n++] = z->servers[i];
	if (t->n == 0) {
		t->skip = "no authoritative name server address";
		return;
	}
	owner = xasprintf("_%d._tcp.%s", port, host);
	if (dns_query_all(t->ns, t->n, owner, 52, RUN_DNS_TIMEOUT_MS,
	    RUN_DNS_RETRIES, &t->res) == 0)
		t->asked = true;
	else
		t->skip = "the name servers could not be asked";
	free(owner);
}

static void
tlsa_free(struct live_tlsa *t)
{
	if (t->res != NULL)
		dns_results_free(t->res, t->n);
	free(t->ns);
}

/*
 * The TLSA verdict for a served chain into b; false on a failure: a
 * server whose records do not match, a server that does not answer, or
 * a DANE port (dane_tls) a server has no records for.
 */
static bool
tlsa_verdict(const struct live_tlsa *t, STACK_OF(X509) *chain,
    struct buf *b)
{
	size_t	match = 0, none = 0;
	bool	ok = true, any;

	if (!t->asked) {
		(void)buf_printf(b, ", TLSA not checked (%s)", t->skip);
		return !t->dane;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct dns_result *r = &t->res[i];

		if (r->status == DNS_NODATA || r->status == DNS_NXDOMAIN) {
			none++;
			continue;
		}
		if (r->status != DNS_ANSWER) {
			(void)buf_printf(b, ", TLSA: %s (%s) %s",
			    r->server->name, r->server->addr,
			    dns_status_name(r->status));
			ok = false;
			continue;
		}
		any = false;
		for (size_t k = 0; k < r->rdata.n && !any; k++)
			any = live_tlsa_match(r->rdata.v[k], chain);
		if (any)
			match++;
		else {
			(void)buf_printf(b, ", TLSA mismatch on %s (%s)",
			    r->server->name, r->server->addr);
			ok = false;
		}
	}
	if (none == t->n) {
		(void)buf_printf(b, ", no TLSA records");
		return ok && !t->dane;
	}
	if (none > 0) {
		(void)buf_printf(b, ", no TLSA records on %zu of %zu NS", none,
		    t->n);
		ok = false;
	}
	if (match > 0 && ok)
		(void)buf_printf(b, ", TLSA matches on %zu NS", match);
	return ok;
}

/* One host, address and port to check, and its result. */
struct live_job {
	const struct live_svc	*ls;
	char			*host, *addr;
	const struct sslm_vport	*vp;
	const struct live_tlsa	*t;
	char			*pre;	/* notes printed before it */
	char			*line;	/* the result line */
	bool			 ok;
};

/* One host, address and port (runs in a worker thread: no logging). */
static void
check_addr(struct live_job *j)
{
	const struct live_svc	*ls = j->ls;
	const struct sslm_vport	*vp = j->vp;
	STACK_OF(X509)		*chain = NULL;
	struct buf		 b;
	X509			*leaf;
	char			*why = NULL, *subj;
	double			 days;
	bool			 ok = true;

	buf_init(&b, 64 * 1024);
	if (live_fetch_chain(j->host, j->addr, vp->port, vp->starttls,
	    ls->sc->ktype, &chain, &why) != 0) {
		(void)buf_printf(&b, ", %s", why);
		ok = false;
		goto out;
	}
	leaf = sk_X509_value(chain, 0);
	if (same_cert(leaf, ls->st.curr_cert))
		(void)buf_printf(&b, ", curr");
	else if (same_cert(leaf, ls->st.next_cert))
		(void)buf_printf(&b, ", next (not yet rolled to curr)");
	else {
		subj = X509_NAME_oneline(X509_get_subject_name(leaf), NULL, 0);
		(void)buf_printf(&b, ", not curr%s: serves %s", ls->st.next ?
		    " or next" : "", subj != NULL ? subj : "?");
		OPENSSL_free(subj);
		ok = false;
	}
	days = difftime(x509_asn1_time(X509_get0_notAfter(leaf)), ls->run->now) /
	    86400.0;
	if (days < 0) {
		(void)buf_printf(&b, ", expired %.1f days ago", -days);
		ok = false;
	} else
		(void)buf_printf(&b, ", %.1f days left", days);
	if (!tlsa_verdict(j->t, chain, &b))
		ok = false;
out:
	j->ok = ok;
	j->line = xasprintf("  %s [%s]:%d%s%s: %s%s\n", j->host, j->addr,
	    vp->port, vp->starttls ? "/" : "", sslm_starttls_name(vp->starttls),
	    ok ? "ok" : "FAIL", b.p != NULL ? b.p : "");
	buf_free(&b);
	free(why);
	if (chain != NULL)
		sk_X509_pop_free(chain, X509_free);
}

struct live_pool {
	pthread_mutex_t	 mu;
	struct live_job	*jobs;
	size_t		 n, next;
};

static void *
worker(void *arg)
{
	struct live_pool	*p = arg;
	size_t			 i;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->n)
			return NULL;
		check_addr(&p->jobs[i]);
	}
}

/*
 * Runs the jobs, at most LIVE_PARALLEL at a time: each connection waits
 * on the network, so a slow or dead host does not hold up the others.
 * Without threads they run one by one.
 */
static void
run_jobs(struct live_job *jobs, size_t n)
{
	struct live_pool	 p;
	pthread_t		 tid[LIVE_PARALLEL];
	size_t			 nt = 0, i;

	memset(&p, 0, sizeof(p));
	p.jobs = jobs;
	p.n = n;
	if (pthread_mutex_init(&p.mu, NULL) != 0) {
		for (i = 0; i < n; i++)
			check_addr(&jobs[i]);
		return;
	}
	for (i = 0; i < n && i < LIVE_PARALLEL; i++)
		if (pthread_create(&tid[nt], NULL, worker, &p) == 0)
			nt++;
	if (nt == 0)
		(void)worker(&p);
	for (i = 0; i < nt; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&p.mu);
}

/* Takes the notes written so far for the next job (or the end). */
static char *
take_notes(struct buf *pend)
{
	char *s = pend->p != NULL ? pend->p : xstrdup("");

	pend->p = NULL;
	buf_free(pend);
	buf_init(pend, 1024 * 1024);
	return s;
}

static void
check_service(struct live_svc *ls)
{
	struct sslm_vport	*vp = NULL;
	struct strlist		 hosts = { 0 }, addrs = { 0 };
	struct live_tlsa	**ts = NULL;
	struct live_job		*jobs = NULL;
	struct buf		 pend, *out = ls->out;
	const char		*why;
	char			*tail;
	size_t			 n, nt = 0, nj = 0;

	(void)buf_printf(out, "%s:%s\n", ls->sc->grp, ls->sc->svc);
	if (ls->sc->is_ca) {
		(void)buf_printf(out, "  a CA: not served, nothing to check\n");
		return;
	}
	buf_init(&pend, 1024 * 1024);
	ls->out = &pend;
	svc_state_load(ls->run, ls->sc, &ls->st);
	if (ls->st.curr_cert == NULL)
		(void)buf_printf(&pend, "  no curr certificate: any served "
		    "one is a failure\n");
	n = sslm_service_vports(ls->sc, &vp);
	if (n == 0)
		(void)buf_printf(&pend, "  verify_ports is empty: nothing "
		    "to check\n");
	for (size_t p = 0; p < n; p++) {
		strlist_clear(&hosts);
		port_hosts(ls, vp[p].port, &hosts);
		for (size_t h = 0; h < hosts.n; h++) {
			strlist_clear(&addrs);
			if (host_addrs(ls, hosts.v[h], &addrs, &why) != 0) {
				ls->checks++;
				ls->fails++;
				(void)buf_printf(&pend, "  %s:%d: FAIL, no "
				    "address: %s\n", hosts.v[h], vp[p].port,
				    why != NULL ? why : "unknown");
				continue;
			}
			ts = xreallocarray(ts, nt + 1, sizeof(*ts));
			ts[nt] = xcalloc(1, sizeof(**ts));
			tlsa_ask(ls, hosts.v[h], vp[p].port, ts[nt]);
			for (size_t a = 0; a < addrs.n; a++) {
				jobs = xreallocarray(jobs, nj + 1,
				    sizeof(*jobs));
				memset(&jobs[nj], 0, sizeof(*jobs));
				jobs[nj].ls = ls;
				jobs[nj].host = xstrdup(hosts.v[h]);
				jobs[nj].addr = xstrdup(addrs.v[a]);
				jobs[nj].vp = &vp[p];
				jobs[nj].t = ts[nt];
				jobs[nj].pre = take_notes(&pend);
				nj++;
			}
			nt++;
		}
	}
	tail = take_notes(&pend);
	run_jobs(jobs, nj);
	for (size_t i = 0; i < nj; i++) {
		(void)buf_printf(out, "%s%s", jobs[i].pre, jobs[i].line);
		ls->checks++;
		if (!jobs[i].ok)
			ls->fails++;
		free(jobs[i].pre);
		free(jobs[i].line);
		free(jobs[i].host);
		free(jobs[i].addr);
	}
	(void)buf_printf(out, "%s", tail);
	free(tail);
	free(jobs);
	for (size_t i = 0; i < nt; i++) {
		tlsa_free(ts[i]);
		free(ts[i]);
	}
	free(ts);
	buf_free(&pend);
	ls->out = out;
	strlist_clear(&hosts);
	strlist_clear(&addrs);
	free(vp);
	svc_state_free(&ls->st);
}

int
sslm_live_verify(struct sslm_run *run, struct buf *out)
{
	struct live_svc	 ls;
	struct dns_zone	*zone;
	int		 checks = 0, fails = 0;

	for (size_t g = 0; g < run->n_groups; g++) {
		struct run_group *rg = &run->groups[g];
		bool needs = false;

		zone = NULL;
		for (size_t k = 0; k < rg->n; k++)
			needs |= !rg->svcs[k]->is_ca;
		memset(&ls, 0, sizeof(ls));
		ls.nodns = "no [[dns_primary]] for the group";
		if (needs && sslm_dns_primary_for(run->cfg, rg->grp) != NULL) {
			if (dns_discover(run->cfg, rg->grp, 0,
			    RUN_DNS_TIMEOUT_MS, &zone) != 0)
				ls.nodns = "DNS discovery of the group failed";
		}
		for (size_t k = 0; k < rg->n; k++) {
			ls.run = run;
			ls.sc = rg->svcs[k];
			ls.zone = zone;
			ls.out = out;
			ls.checks = ls.fails = 0;
			check_service(&ls);
			checks += ls.checks;
			fails += ls.fails;
		}
		dns_zone_free(zone);
	}
	(void)buf_printf(out, "verify --live: %d check%s, %d failed\n", checks,
	    checks == 1 ? "" : "s", fails);
	return fails;
}
