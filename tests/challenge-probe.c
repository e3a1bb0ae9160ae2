/*
 * challenge-probe.c - a small driver of core/challenge for
 * tests/integration/test-challenge.sh (and for trying a DNS set-up by
 * hand).  It loads the real configuration ($SSL_MGR_TOPDIR, else the
 * usual places) and runs one step:
 *
 *   challenge-probe dns-put <apex>:<name>:<value>...
 *	writes the include files and runs the DNS restart once
 *   challenge-probe dns-wait [-p pre_s] [-l limit_s] [-i poll_ms]
 *	    <apex>:<name>:<value>...
 *	discovers each apex (dns_ns_port) and waits; prints
 *		view <apex> <role> <name> <addr> served|pending tries=N
 *		    serial=S after=X.XX
 *		failure <line>			(at give-up)
 *		elapsed <s> passes <n> ok|timeout
 *   challenge-probe dns-run [options] <apex>:<name>:<value>...
 *	dns-put, then dns-wait
 *   challenge-probe dns-cleanup <apex>...
 *   challenge-probe http-put <cb_dir> <apex> <token> <key_auth>
 *   challenge-probe http-cleanup <cb_dir>
 *	(the record of http-put is the state file <cb_dir>/web-tokens)
 *
 * Log messages go to stderr ("challenge-probe: ..."), debug ones only with
 * CHAL_PROBE_DEBUG=1.  Exit 0; 1 when the module returned an error (the
 * wait gave up); 2 on usage or a bad configuration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "challenge.h"
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
	fprintf(stderr, "challenge-probe: %s\n", msg);
}

static int
usage(void)
{
	fprintf(stderr, "usage: challenge-probe dns-put|dns-wait|dns-run "
	    "[-p pre_s] [-l limit_s] [-i poll_ms] apex:name:value...\n"
	    "       challenge-probe dns-cleanup apex...\n"
	    "       challenge-probe http-put cb_dir apex token key_auth\n"
	    "       challenge-probe http-cleanup cb_dir\n");
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

/* "apex:name:value" into batch (pointers into the argument). */
static int
parse_batch(int argc, char **argv, struct chal_dns *batch)
{
	char	*p, *q;
	int	 i;

	for (i = 0; i < argc; i++) {
		if ((p = strchr(argv[i], ':')) == NULL ||
		    (q = strchr(p + 1, ':')) == NULL)
			return -1;
		*p++ = '\0';
		*q++ = '\0';
		batch[i].apex = argv[i];
		batch[i].name = p;
		batch[i].txt_value = q;
	}
	return 0;
}

static int
wait_batch(const struct sslm_config *cfg, struct chal_wait_opts *o,
    const struct chal_dns *batch, size_t n)
{
	struct strlist		 apexes = { 0 };
	struct dns_zone		**zones;
	struct chal_dns_report	 rep;
	const struct chal_srv_view *v;
	size_t			 i;
	int			 r = 0;

	challenge_dns_apexes(batch, n, &apexes);
	zones = xcalloc(apexes.n + 1, sizeof(*zones));
	memset(&rep, 0, sizeof(rep));
	for (i = 0; i < apexes.n; i++)
		if ((r = dns_discover(cfg, apexes.v[i], cfg->dns_ns_port, 2000,
		    &zones[i])) != 0) {
			fprintf(stderr, "challenge-probe: discover %s: %s\n",
			    apexes.v[i], sslm_strerror(r));
			r = 1;
			goto out;
		}
	r = challenge_dns_wait(cfg, zones, apexes.n, batch, n, o, &rep);
	for (i = 0; i < rep.n; i++) {
		v = &rep.views[i];
		printf("view %s %s %s %s %s tries=%d serial=%u after=%.2f\n",
		    v->apex, dns_role_name(v->role), v->name, v->addr,
		    v->served ? "served" : "pending", v->tries,
		    (unsigned)v->serial, v->served_after);
	}
	for (i = 0; i < rep.failures.n; i++)
		printf("failure %s\n", rep.failures.v[i]);
	printf("elapsed %.3f passes %d %s\n", rep.elapsed, rep.passes,
	    r == 0 ? "ok" : r == SSLM_ERR_TIMEOUT ? "timeout" :
	    sslm_strerror(r));
	r = r != 0 ? 1 : 0;
out:
	challenge_dns_report_free(&rep);
	for (i = 0; i < apexes.n; i++)
		dns_zone_free(zones[i]);
	free(zones);
	strlist_clear(&apexes);
	return r;
}

static int
dns_cmd(const struct sslm_config *cfg, const char *cmd, int argc,
    char **argv)
{
	struct chal_wait_opts	 o;
	struct chal_dns		*batch;
	int			 c, r;

	challenge_wait_opts_init(&o);
	optind = 1;
	while ((c = getopt(argc, argv, "p:l:i:")) != -1) {
		switch (c) {
		case 'p':
			if (num(optarg, 0, 86400, &o.pre_delay_s) != 0)
				return usage();
			break;
		case 'l':
			if (num(optarg, 1, 86400, &o.limit_s) != 0)
				return usage();
			break;
		case 'i':
			if (num(optarg, 1, 600000, &o.poll_ms) != 0)
				return usage();
			break;
		default:
			return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage();
	batch = xcalloc((size_t)argc, sizeof(*batch));
	if (parse_batch(argc, argv, batch) != 0) {
		free(batch);
		return usage();
	}
	r = 0;
	if (strcmp(cmd, "dns-wait") != 0 &&
	    challenge_dns_put(cfg, batch, (size_t)argc, false) != 0)
		r = 1;
	if (r == 0 && strcmp(cmd, "dns-put") != 0)
		r = wait_batch(cfg, &o, batch, (size_t)argc);
	free(batch);
	return r;
}

int
main(int argc, char **argv)
{
	struct sslm_config	*cfg = NULL;
	struct sslm_diag	 diag;
	struct strlist		 apexes = { 0 };
	struct chal_http	 h;
	const char		*e;
	char			*top = NULL, *tried = NULL;
	size_t			 i;
	int			 r = 2;

	e = getenv("CHAL_PROBE_DEBUG");
	debug = e != NULL && *e != '\0' && strcmp(e, "0") != 0;
	sslm_log_set_sink(sink, NULL);
	if (argc < 2)
		return usage();
	memset(&diag, 0, sizeof(diag));
	if (sslm_find_topdir(&top, &tried) != 0) {
		fprintf(stderr, "challenge-probe: no topdir (%s)\n", tried);
		goto out;
	}
	if (sslm_config_load(top, &cfg, &diag) != 0) {
		for (i = 0; i < diag.errors.n; i++)
			fprintf(stderr, "challenge-probe: %s\n",
			    diag.errors.v[i]);
		goto out;
	}
	if (strncmp(argv[1], "dns-", 4) == 0 &&
	    strcmp(argv[1], "dns-cleanup") != 0) {
		/* getopt sees argv[1] as the program name. */
		r = dns_cmd(cfg, argv[1], argc - 1, argv + 1);
	} else if (strcmp(argv[1], "dns-cleanup") == 0 && argc >= 3) {
		for (i = 2; i < (size_t)argc; i++)
			strlist_add(&apexes, argv[i]);
		r = challenge_dns_cleanup(cfg, &apexes, false) != 0;
	} else if (strcmp(argv[1], "http-put") == 0 && argc == 6) {
		challenge_http_init(&h, argv[2]);
		r = challenge_http_put(cfg, &h, argv[3], argv[4], argv[5]) != 0;
		challenge_http_free(&h);
	} else if (strcmp(argv[1], "http-cleanup") == 0 && argc == 3) {
		challenge_http_init(&h, argv[2]);
		r = challenge_http_cleanup(cfg, &h) != 0;
		challenge_http_free(&h);
	} else
		r = usage();
out:
	strlist_clear(&apexes);
	sslm_config_free(cfg);
	sslm_diag_free(&diag);
	free(top);
	free(tried);
	return r;
}
