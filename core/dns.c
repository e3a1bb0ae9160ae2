/*
 * dns.c - the discovery half of the dns module: what an apex's
 * [[dns_primary]] says about it (NS names, every IPv4 and IPv6 address of
 * each, every MX host) and the list of servers to check (NS addresses, then
 * dns_xtra_ns, no address+port twice), plus the name and TLSA text rules
 * the rest of ssl-mgr compares against.
 *
 * Every question to the primary goes through dnsq_run(), so an unreachable
 * primary fails after timeout_ms x DNS_DISCOVER_TRIES; only the fallback to
 * the system resolver (getaddrinfo) is bounded by resolv.conf instead.
 * Unlike upstream, MX hosts of equal preference are all kept and NS names
 * keep all their addresses, IPv6 included.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "config.h"
#include "dns-priv.h"
#include "err.h"
#include "log.h"
#include "util.h"

#define DNS_DISCOVER_RETRIES	1	/* tries = 2 per round */
#define DNS_ADDR_MAX		(INET6_ADDRSTRLEN + IF_NAMESIZE + 2)

const char *
dns_role_name(enum dns_role role)
{
	switch (role) {
	case DNS_ROLE_PRIMARY:
		return "primary";
	case DNS_ROLE_NS:
		return "ns";
	case DNS_ROLE_XTRA:
		return "xtra";
	}
	return "unknown";
}

char *
dns_name_norm(const char *name)
{
	size_t	len, bs;
	char	*t, *p;

	if (name == NULL)
		return NULL;
	t = xstrdup(name);
	len = strlen(t);
	/* A final dot is the root label unless it is escaped ("a\."): count
	 * the backslashes before it.  "." itself stays the root. */
	if (len > 1 && t[len - 1] == '.') {
		for (bs = 0; bs < len - 1 && t[len - 2 - bs] == '\\'; bs++)
			;
		if (bs % 2 == 0)
			t[len - 1] = '\0';
	}
	/* ASCII only: DNS names compare case-insensitively in ASCII. */
	for (p = t; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return t;
}

static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

char *
dns_tlsa_norm(const char *text)
{
	struct buf	 hex;
	unsigned	 f[3];
	const char	*p, *tok;
	size_t		 len, i, nf = 0;
	char		*t = NULL;

	if (text == NULL)
		return NULL;
	buf_init(&hex, DNS_MAX_MSG * 2);
	for (p = text; *p != '\0';) {
		if (*p == ';') {		/* a zone file comment */
			while (*p != '\0' && *p != '\n')
				p++;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' ||
		    *p == '(' || *p == ')') {
			p++;
			continue;
		}
		tok = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' &&
		    *p != '\n' && *p != '(' && *p != ')' && *p != ';')
			p++;
		len = (size_t)(p - tok);
		if (nf < 3) {
			if (len > 3)
				goto out;
			f[nf] = 0;
			for (i = 0; i < len; i++) {
				if (tok[i] < '0' || tok[i] > '9')
					goto out;
				f[nf] = f[nf] * 10 + (unsigned)(tok[i] - '0');
			}
			if (f[nf] > 255)
				goto out;
			nf++;
			continue;
		}
		for (i = 0; i < len; i++) {
			char c = tok[i];

			if (!is_hex(c))
				goto out;
			if (c >= 'A' && c <= 'F')
				c = (char)(c - 'A' + 'a');
			if (buf_add(&hex, &c, 1) != 0)
				goto out;
		}
	}
	if (nf < 3 || hex.len == 0 || hex.len % 2 != 0)
		goto out;
	t = xasprintf("%u %u %u %s", f[0], f[1], f[2], hex.p);
out:
	buf_free(&hex);
	return t;
}

int
dns_addr_norm(const char *addr, char *out, size_t outsz)
{
	struct addrinfo	 hints, *ai = NULL;
	unsigned char	 bin[sizeof(struct in6_addr)];
	char		 tmp[DNS_ADDR_MAX];
	int		 r = SSLM_ERR_PARSE;

	if (addr == NULL || outsz == 0)
		return SSLM_ERR_PARSE;
	if (inet_pton(AF_INET, addr, bin) == 1) {
		if (inet_ntop(AF_INET, bin, tmp, sizeof(tmp)) == NULL)
			goto out;
	} else if (inet_pton(AF_INET6, addr, bin) == 1) {
		if (inet_ntop(AF_INET6, bin, tmp, sizeof(tmp)) == NULL)
			goto out;
	} else if (strchr(addr, '%') != NULL && strchr(addr, ':') != NULL) {
		/* A scoped IPv6 address (fe80::1%eth0): libc knows how. */
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_INET6;
		hints.ai_flags = AI_NUMERICHOST;
		if (getaddrinfo(addr, NULL, &hints, &ai) != 0 ||
		    getnameinfo(ai->ai_addr, ai->ai_addrlen, tmp,
		    sizeof(tmp), NULL, 0, NI_NUMERICHOST) != 0)
			goto out;
	} else
		goto out;
	if (strlen(tmp) >= outsz)
		goto out;
	memcpy(out, tmp, strlen(tmp) + 1);
	r = 0;
out:
	if (ai != NULL)
		freeaddrinfo(ai);
	return r;
}

int
dns_host_addrs(const char *host, int family, struct strlist *addrs,
    const char **why)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 a[DNS_ADDR_MAX], n[DNS_ADDR_MAX];
	size_t		 before = addrs->n;
	int		 gai, r = SSLM_ERR_DNS;

	*why = NULL;
	if (host == NULL || *host == '\0') {
		*why = "empty name";
		goto out;
	}
	if (dns_addr_norm(host, a, sizeof(a)) == 0) {
		if (!strlist_has(addrs, a))
			strlist_add(addrs, a);
		r = 0;
		goto out;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_DGRAM;
	if ((gai = getaddrinfo(host, NULL, &hints, &res)) != 0) {
		*why = gai_strerror(gai);
		goto out;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, n, sizeof(n),
		    NULL, 0, NI_NUMERICHOST) != 0 ||
		    dns_addr_norm(n, a, sizeof(a)) != 0)
			continue;
		if (!strlist_has(addrs, a))
			strlist_add(addrs, a);
	}
	if (addrs->n == before) {
		*why = "no address";
		goto out;
	}
	r = 0;
out:
	if (res != NULL)
		freeaddrinfo(res);
	return r;
}

bool
dns_srvlist_add(struct dns_srvlist *l, const char *name, const char *addr,
    int port, enum dns_role role)
{
	struct dns_server	*s;
	char			 a[DNS_ADDR_MAX];
	size_t			 i;

	if (dns_addr_norm(addr, a, sizeof(a)) != 0)
		return false;
	for (i = 0; i < l->n; i++)
		if (l->v[i].port == port && strcmp(l->v[i].addr, a) == 0)
			return false;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	s = &l->v[l->n++];
	s->name = xstrdup(name != NULL && *name != '\0' ? name : a);
	s->addr = xstrdup(a);
	s->port = port;
	s->role = role;
	return true;
}

void
dns_srvlist_free(struct dns_srvlist *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].addr);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int
cmp_nsaddr(const void *a, const void *b)
{
	const struct dns_nsaddr	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return strcmp(x->addr, y->addr);
}

void
dns_servers_build(struct dns_nsaddr *ns, size_t n_ns,
    const struct strlist *xtra, int port, const char *apex,
    struct dns_srvlist *list)
{
	struct strlist	 addrs = { 0 };
	const char	*why;
	size_t		 i, j;

	if (n_ns > 1)
		qsort(ns, n_ns, sizeof(*ns), cmp_nsaddr);
	for (i = 0; i < n_ns; i++)
		dns_srvlist_add(list, ns[i].name, ns[i].addr, port,
		    DNS_ROLE_NS);
	for (i = 0; xtra != NULL && i < xtra->n; i++) {
		if (xtra->v[i] == NULL || *xtra->v[i] == '\0')
			continue;
		strlist_clear(&addrs);
		if (dns_host_addrs(xtra->v[i], AF_UNSPEC, &addrs, &why) != 0) {
			sslm_log(SSLM_LOG_WARN, "%s: dns_xtra_ns %s: %s - "
			    "skipped", apex ? apex : "", xtra->v[i], why);
			continue;
		}
		strlist_sort(&addrs);
		for (j = 0; j < addrs.n; j++)
			dns_srvlist_add(list, xtra->v[i], addrs.v[j], port,
			    DNS_ROLE_XTRA);
	}
	strlist_clear(&addrs);
}

void
dns_zone_free(struct dns_zone *z)
{
	size_t	i;

	if (z == NULL)
		return;
	free(z->apex);
	free(z->primary.name);
	free(z->primary.addr);
	for (i = 0; i < z->n_servers; i++) {
		free(z->servers[i].name);
		free(z->servers[i].addr);
	}
	free(z->servers);
	strlist_clear(&z->ns_names);
	strlist_clear(&z->mx_hosts);
	free(z);
}

/* "(SERVFAIL)", "(ERROR: rcode FORMERR)" for messages; caller frees. */
static char *
why_text(const struct dnsq *q)
{
	if (q->status == DNS_ERROR && q->error != NULL)
		return xasprintf("%s: %s", dns_status_name(q->status),
		    q->error);
	return xstrdup(dns_status_name(q->status));
}

/* Adds the unique entries of src to dst, then sorts dst. */
static void
add_unique(struct strlist *dst, const struct strlist *src, bool mx)
{
	const char	*h;
	size_t		 i;

	for (i = 0; i < src->n; i++) {
		h = src->v[i];
		/* MX rdata is "pref host": keep the host. */
		if (mx && (h = strchr(h, ' ')) != NULL)
			h++;
		if (h == NULL || *h == '\0' || strlist_has(dst, h))
			continue;
		strlist_add(dst, h);
	}
	strlist_sort(dst);
}

/*
 * The NS names' addresses: A and AAAA asked at the primary all at once,
 * the system resolver for a name the primary gives none of.  Appends to
 * *nsa; a name without any address is logged and left out.
 */
static void
ns_addresses(struct dns_zone *z, const char *pdesc, int timeout_ms,
    struct dns_nsaddr **nsa, size_t *n_nsa)
{
	struct strlist	 addrs = { 0 };
	struct dnsq	*q;
	const char	*why;
	size_t		 i, j, k, n = z->ns_names.n;
	char		*w4, *w6;

	q = xcalloc(n * 2, sizeof(*q));
	for (i = 0; i < n; i++) {
		for (j = 0; j < 2; j++) {
			q[2 * i + j].addr = z->primary.addr;
			q[2 * i + j].port = z->primary.port;
			q[2 * i + j].qname = z->ns_names.v[i];
			q[2 * i + j].qtype = j == 0 ? LDNS_RR_TYPE_A :
			    LDNS_RR_TYPE_AAAA;
		}
	}
	/* A failure to send shows in each dnsq: the fallback handles it. */
	if (dnsq_run(q, n * 2, timeout_ms, DNS_DISCOVER_RETRIES) != 0)
		sslm_log(SSLM_LOG_DEBUG, "%s: %s: NS addresses not asked",
		    z->apex, pdesc);
	for (i = 0; i < n; i++) {
		strlist_clear(&addrs);
		for (j = 2 * i; j < 2 * i + 2; j++)
			for (k = 0; k < q[j].rdata.n; k++)
				if (!strlist_has(&addrs, q[j].rdata.v[k]))
					strlist_add(&addrs, q[j].rdata.v[k]);
		if (addrs.n == 0 && dns_host_addrs(z->ns_names.v[i],
		    AF_UNSPEC, &addrs, &why) != 0) {
			w4 = why_text(&q[2 * i]);
			w6 = why_text(&q[2 * i + 1]);
			sslm_log(SSLM_LOG_WARN, "%s: NS %s: no address (%s: "
			    "A %s, AAAA %s; system resolver: %s)", z->apex,
			    z->ns_names.v[i], pdesc, w4, w6, why);
			free(w4);
			free(w6);
			continue;
		}
		for (k = 0; k < addrs.n; k++) {
			*nsa = xreallocarray(*nsa, *n_nsa + 1, sizeof(**nsa));
			(*nsa)[*n_nsa].name = xstrdup(z->ns_names.v[i]);
			(*nsa)[*n_nsa].addr = xstrdup(addrs.v[k]);
			(*n_nsa)++;
		}
	}
	for (i = 0; i < n * 2; i++)
		dnsq_clear(&q[i]);
	free(q);
	strlist_clear(&addrs);
}

int
dns_discover(const struct sslm_config *cfg, const char *apex, int ns_port,
    int timeout_ms, struct dns_zone **out)
{
	const struct sslm_dns_primary	*p;
	struct dns_zone			*z = NULL;
	struct dns_nsaddr		*nsa = NULL;
	struct dns_srvlist		 list = { 0 };
	struct strlist			 paddrs = { 0 };
	struct dnsq			 q[2];
	const char			*why;
	size_t				 i, n_nsa = 0;
	char				*pdesc = NULL, *w = NULL;
	int				 r = SSLM_ERR_INTERNAL;

	*out = NULL;
	memset(q, 0, sizeof(q));
	z = xcalloc(1, sizeof(*z));
	z->apex = dns_name_norm(apex != NULL ? apex : "");
	if (ns_port <= 0)
		ns_port = cfg != NULL && cfg->dns_ns_port > 0 ?
		    cfg->dns_ns_port : 53;
	if (timeout_ms <= 0)
		timeout_ms = DNS_DEFAULT_TIMEOUT;

	if ((p = sslm_dns_primary_for(cfg, z->apex)) == NULL ||
	    p->server == NULL) {
		sslm_log(SSLM_LOG_ERR, "%s: no [[dns_primary]] for it and "
		    "no default", z->apex);
		r = SSLM_ERR_CONFIG;
		goto out;
	}
	/* Upstream resolves a host name to IPv4; IPv6 only as a fallback. */
	if (dns_host_addrs(p->server, AF_INET, &paddrs, &why) != 0 &&
	    dns_host_addrs(p->server, AF_UNSPEC, &paddrs, &why) != 0) {
		sslm_log(SSLM_LOG_ERR, "%s: primary %s: cannot resolve: %s",
		    z->apex, p->server, why);
		r = SSLM_ERR_DNS;
		goto out;
	}
	z->primary.name = xstrdup(p->server);
	z->primary.addr = xstrdup(paddrs.v[0]);
	z->primary.port = p->port > 0 ? p->port : 53;
	z->primary.role = DNS_ROLE_PRIMARY;
	pdesc = xasprintf("primary %s#%d", z->primary.addr, z->primary.port);

	/* NS and MX of the apex, at once. */
	for (i = 0; i < 2; i++) {
		q[i].addr = z->primary.addr;
		q[i].port = z->primary.port;
		q[i].qname = z->apex;
		q[i].qtype = i == 0 ? LDNS_RR_TYPE_NS : LDNS_RR_TYPE_MX;
	}
	if (dnsq_run(q, 2, timeout_ms, DNS_DISCOVER_RETRIES) != 0 ||
	    q[0].status != DNS_ANSWER) {
		w = why_text(&q[0]);
		sslm_log(SSLM_LOG_ERR, "%s: %s: no NS records (%s)", z->apex,
		    pdesc, w);
		r = q[0].status == DNS_TIMEOUT ? SSLM_ERR_TIMEOUT :
		    SSLM_ERR_DNS;
		goto out;
	}
	add_unique(&z->ns_names, &q[0].rdata, false);
	if (q[1].status == DNS_ANSWER)
		add_unique(&z->mx_hosts, &q[1].rdata, true);
	else if (q[1].status != DNS_NODATA) {
		/* No MX would silently drop port-25 TLSA records. */
		w = why_text(&q[1]);
		sslm_log(SSLM_LOG_ERR, "%s: %s: MX query failed (%s)",
		    z->apex, pdesc, w);
		r = q[1].status == DNS_TIMEOUT ? SSLM_ERR_TIMEOUT :
		    SSLM_ERR_DNS;
		goto out;
	}

	ns_addresses(z, pdesc, timeout_ms, &nsa, &n_nsa);
	dns_servers_build(nsa, n_nsa, cfg != NULL ? &cfg->dns_xtra_ns : NULL,
	    ns_port, z->apex, &list);
	if (list.n == 0) {
		sslm_log(SSLM_LOG_ERR, "%s: %s: no address for any name "
		    "server", z->apex, pdesc);
		r = SSLM_ERR_DNS;
		goto out;
	}
	z->servers = list.v;
	z->n_servers = list.n;
	memset(&list, 0, sizeof(list));
	sslm_log(SSLM_LOG_DEBUG, "%s: %s: %zu NS, %zu MX, %zu servers",
	    z->apex, pdesc, z->ns_names.n, z->mx_hosts.n, z->n_servers);
	*out = z;
	z = NULL;
	r = 0;
out:
	for (i = 0; i < 2; i++)
		dnsq_clear(&q[i]);
	for (i = 0; i < n_nsa; i++) {
		free(nsa[i].name);
		free(nsa[i].addr);
	}
	free(nsa);
	dns_srvlist_free(&list);
	strlist_clear(&paddrs);
	free(pdesc);
	free(w);
	dns_zone_free(z);
	return r;
}
