/*
 * dns-probe.c - a small driver of core/dns for tests/integration/test-dns.sh
 * and for poking at a DNS set-up by hand.
 *
 *   dns-probe discover <apex> <primary> <port> <ns_port> [xtra...]
 *	builds a minimal config ([[dns_primary]] default = primary#port,
 *	dns_xtra_ns = xtra) and prints what dns_discover() found:
 *		primary <name> <addr> <port>
 *		ns <name>			(one per NS name)
 *		mx <host>			(one per MX host)
 *		server <role> <name> <addr> <port>	(in check order)
 *   dns-probe query <type> <qname> <timeout_ms> <retries> <server>...
 *	asks every server at once (dns_query_all) and prints one line each:
 *		<server> <STATUS> [serial] ["rdata"...] ["error"] <ms>
 *	<server> is addr:port, [v6addr]:port or addr#port.
 *
 * DNS_PROBE_TIMEOUT_MS sets discovery's per-try timeout (default 2000);
 * DNS_PROBE_DEBUG=1 shows the module's debug log on stderr.  Exit 0, 1 when
 * the module returned an error, 2 on usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "config.h"
#include "dns.h"
#include "err.h"
#include "log.h"
#include "util.h"

static bool	debug;

static void
sink(void *ctx, enum sslm_level lvl, const char *msg)
{
	(void)ctx;
	if (lvl == SSLM_LOG_DEBUG && !debug)
		return;
	fprintf(stderr, "dns-probe: %s\n", msg);
}

static int
usage(void)
{
	fprintf(stderr, "usage: dns-probe discover <apex> <primary> <port> "
	    "<ns_port> [xtra...]\n"
	    "       dns-probe query <type> <qname> <timeout_ms> <retries> "
	    "<addr:port>...\n");
	return 2;
}

static int
num(const char *s, int lo, int hi, int *out)
{
	char	*end;
	long	 v;

	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int
discover(int argc, char **argv)
{
	struct sslm_config	 cfg;
	struct sslm_dns_primary	 prim;
	struct dns_zone		*z = NULL;
	const char		*e;
	size_t			 i;
	int			 port, ns_port, timeout = 2000, r;

	if (argc < 4 || num(argv[2], 1, 65535, &port) != 0 ||
	    num(argv[3], 1, 65535, &ns_port) != 0)
		return usage();
	if ((e = getenv("DNS_PROBE_TIMEOUT_MS")) != NULL &&
	    num(e, 1, 600000, &timeout) != 0)
		return usage();
	memset(&cfg, 0, sizeof(cfg));
	memset(&prim, 0, sizeof(prim));
	prim.domain = "default";
	prim.server = argv[1];
	prim.port = port;
	cfg.dns_primary = &prim;
	cfg.n_dns_primary = 1;
	cfg.dns_ns_port = ns_port;
	for (i = 4; i < (size_t)argc; i++)
		strlist_add(&cfg.dns_xtra_ns, argv[i]);

	r = dns_discover(&cfg, argv[0], ns_port, timeout, &z);
	strlist_clear(&cfg.dns_xtra_ns);
	if (r != 0) {
		fprintf(stderr, "dns-probe: discover: %s\n",
		    sslm_strerror(r));
		return 1;
	}
	printf("primary %s %s %d\n", z->primary.name, z->primary.addr,
	    z->primary.port);
	for (i = 0; i < z->ns_names.n; i++)
		printf("ns %s\n", z->ns_names.v[i]);
	for (i = 0; i < z->mx_hosts.n; i++)
		printf("mx %s\n", z->mx_hosts.v[i]);
	for (i = 0; i < z->n_servers; i++)
		printf("server %s %s %s %d\n",
		    dns_role_name(z->servers[i].role), z->servers[i].name,
		    z->servers[i].addr, z->servers[i].port);
	dns_zone_free(z);
	return 0;
}

/* Splits addr:port, [v6]:port or addr#port into s (owned addr). */
static int
parse_server(const char *arg, struct dns_server *s)
{
	const char	*p;
	char		*a;
	int		 port;

	if (arg[0] == '[') {
		if ((p = strchr(arg, ']')) == NULL || p[1] != ':')
			return -1;
		a = xstrndup(arg + 1, (size_t)(p - arg - 1));
		p += 2;
	} else if ((p = strrchr(arg, '#')) != NULL ||
	    ((p = strchr(arg, ':')) != NULL && strchr(p + 1, ':') == NULL)) {
		a = xstrndup(arg, (size_t)(p - arg));
		p++;
	} else
		return -1;
	if (num(p, 1, 65535, &port) != 0) {
		free(a);
		return -1;
	}
	s->name = xstrdup(arg);
	s->addr = a;
	s->port = port;
	s->role = DNS_ROLE_NS;
	return 0;
}

static void
print_quoted(const char *s)
{
	putchar(' ');
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static int
query(int argc, char **argv)
{
	struct dns_server	*sv;
	struct dns_result	*res = NULL;
	struct timespec		 t0, t1;
	size_t			 i, j, n;
	int			 type, timeout, retries, r, rc = 0;

	if (argc < 5 || num(argv[2], 1, 600000, &timeout) != 0 ||
	    num(argv[3], 0, 100, &retries) != 0)
		return usage();
	if ((type = ldns_get_rr_type_by_name(argv[0])) == 0)
		return usage();
	n = (size_t)argc - 4;
	sv = xcalloc(n, sizeof(*sv));
	for (i = 0; i < n; i++) {
		if (parse_server(argv[4 + i], &sv[i]) != 0) {
			fprintf(stderr, "dns-probe: bad server %s\n",
			    argv[4 + i]);
			rc = 2;
			goto out;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = dns_query_all(sv, n, argv[1], type, timeout, retries, &res);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (r != 0) {
		fprintf(stderr, "dns-probe: query: %s\n", sslm_strerror(r));
		rc = 1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		printf("%s %s", sv[i].name, dns_status_name(res[i].status));
		if (type == LDNS_RR_TYPE_SOA && res[i].status == DNS_ANSWER)
			printf(" %u", (unsigned)res[i].serial);
		for (j = 0; j < res[i].rdata.n; j++)
			print_quoted(res[i].rdata.v[j]);
		if (res[i].error != NULL)
			print_quoted(res[i].error);
		printf(" %.1f\n", res[i].ms);
	}
	fprintf(stderr, "dns-probe: total %.1f ms\n",
	    (double)(t1.tv_sec - t0.tv_sec) * 1000.0 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
out:
	dns_results_free(res, n);
	for (i = 0; i < n; i++) {
		free(sv[i].name);
		free(sv[i].addr);
	}
	free(sv);
	return rc;
}

int
main(int argc, char **argv)
{
	const char	*e;

	e = getenv("DNS_PROBE_DEBUG");
	debug = e != NULL && *e != '\0' && strcmp(e, "0") != 0;
	sslm_log_set_sink(sink, NULL);
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "discover") == 0)
		return discover(argc - 2, argv + 2);
	if (strcmp(argv[1], "query") == 0)
		return query(argc - 2, argv + 2);
	return usage();
}
