/*
 * cli-plan.c - two read-only subcommands: "plan" (what -renew and -roll
 * would do now, and why) and "dns-status" (what every name server of each
 * apex serves).  Both take no lock and write nothing, so they are safe
 * next to a cron run; the console runs dns-status as a job and reads its
 * JSON lines as they come.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "dnsstat.h"
#include "log.h"
#include "opts.h"
#include "plan.h"
#include "run.h"
#include "util.h"

static void
plan_sink(void *ctx, enum sslm_level lvl, const char *msg)
{
	(void)ctx;
	if (lvl <= SSLM_LOG_WARN)
		fprintf(stderr, "%s\n", msg);
}

static int
load(struct sslm_config **cfg, struct sslm_diag *diag)
{
	char *top = NULL;
	int rc = 0;

	*cfg = NULL;
	if (cli_find_topdir(&top) != 0)
		return 2;
	if (sslm_config_load(top, cfg, diag) != 0) {
		for (size_t i = 0; i < diag->errors.n; i++)
			fprintf(stderr, "%s\n", diag->errors.v[i]);
		fprintf(stderr, "ssl-mgr: configuration errors: nothing "
		    "done\n");
		rc = 2;
	}
	free(top);
	return rc;
}

int
cli_plan(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "roll-mins", required_argument, NULL, 'm' },
		{ "min-roll-mins", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sslm_opts opts;
	struct sslm_config *cfg = NULL;
	struct sslm_diag diag = { 0 };
	struct sslm_run *run = NULL;
	struct plan_item *items = NULL;
	struct buf out;
	size_t n = 0;
	bool json = false;
	char *end;
	long v;
	int c, rc = 2;

	memset(&opts, 0, sizeof(opts));
	buf_init(&out, 64 * 1024 * 1024);
	while ((c = getopt_long_only(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'm':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 0 ||
			    v > 1000000) {
				fprintf(stderr, "plan: --roll-mins: not a "
				    "number of minutes: %s\n", optarg);
				goto out;
			}
			opts.min_roll_mins_set = true;
			opts.min_roll_mins = (int)v;
			break;
		default:
			printf("usage: ssl-mgr plan [--json] [-roll-mins M] "
			    "[grp:svc,svc ...]\nWhat -renew and -roll would "
			    "do now and why; changes nothing.\n");
			rc = c == 'h' ? 0 : 2;
			goto out;
		}
	}
	for (int i = optind; i < argc; i++)
		strlist_add(&opts.targets, argv[i]);
	sslm_log_set_sink(plan_sink, NULL);
	if ((rc = load(&cfg, &diag)) != 0)
		goto out;
	if (sslm_run_prepare(cfg, &opts, time(NULL), &run, &diag) != 0) {
		for (size_t i = 0; i < diag.errors.n; i++)
			fprintf(stderr, "%s\n", diag.errors.v[i]);
		rc = 2;
		goto out;
	}
	sslm_plan(run, &items, &n);
	sslm_plan_print(items, n, run->now, json, &out);
	if (out.p != NULL)
		fputs(out.p, stdout);
	rc = 0;
out:
	sslm_plan_free(items, n);
	sslm_run_free(run);
	sslm_config_free(cfg);
	sslm_diag_free(&diag);
	sslm_opts_free(&opts);
	buf_free(&out);
	return rc;
}

struct dns_ctx {
	bool	json;
	size_t	apexes;		/* zones and errors seen */
};

/* One event out at once: the console reads them as they come. */
static void
dns_event(void *vctx, const struct dnsstat_event *ev)
{
	struct dns_ctx *ctx = vctx;
	struct buf b;
	char *line;

	if (ev->kind == DNSSTAT_ZONE || ev->kind == DNSSTAT_ERROR)
		ctx->apexes++;
	if (ev->kind == DNSSTAT_DONE && ctx->apexes == 0)
		fprintf(stderr, "dns-status: no active group has a "
		    "[[dns_primary]]: nothing to ask\n");

	if (ctx->json) {
		line = dnsstat_json(ev);
		printf("%s\n", line);
		free(line);
	} else {
		buf_init(&b, 1024 * 1024);
		dnsstat_text(ev, &b);
		if (b.p != NULL)
			fputs(b.p, stdout);
		buf_free(&b);
	}
	fflush(stdout);
}

int
cli_dns_status(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sslm_config *cfg = NULL;
	struct sslm_diag diag = { 0 };
	struct strlist apexes = { 0 };
	struct dns_ctx ctx = { false, 0 };
	int c, rc = 2, timeout = DNSSTAT_TIMEOUT_MS;
	char *end;
	long v;

	while ((c = getopt_long_only(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx.json = true;
			break;
		case 't':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 50 ||
			    v > 60000) {
				fprintf(stderr, "dns-status: --timeout: 50 to "
				    "60000 ms: %s\n", optarg);
				return 2;
			}
			timeout = (int)v;
			break;
		default:
			printf("usage: ssl-mgr dns-status [--json] [--timeout "
			    "MS] [grp ...]\nWhat the primary and every name "
			    "server of each apex serve: SOA serial,\npending "
			    "_acme-challenge TXT values, curr and next TLSA "
			    "records.\n");
			return c == 'h' ? 0 : 2;
		}
	}
	for (int i = optind; i < argc; i++) {
		/* "grp:svc" names its group's zone. */
		char *g = xstrdup(argv[i]), *colon = strchr(g, ':');

		if (colon != NULL)
			*colon = '\0';
		if (*g != '\0' && !strlist_has(&apexes, g))
			strlist_add(&apexes, g);
		free(g);
	}
	sslm_log_set_sink(plan_sink, NULL);
	if ((rc = load(&cfg, &diag)) != 0)
		goto out;
	rc = sslm_dns_status(cfg, &apexes, timeout, dns_event, &ctx) == 0 ?
	    0 : 1;
out:
	strlist_clear(&apexes);
	sslm_config_free(cfg);
	sslm_diag_free(&diag);
	return rc;
}
