/*
 * cli-ca-init.c - "ssl-mgr ca-init": the private-CA set-up for scripts
 * (the console's wizard runs this same command as a job).
 *
 * It always prints the plan of files first; it writes only with --yes or
 * a "y" typed on a terminal, never replaces a differing file without
 * --force, and then issues and rolls the new CAs and leaves with the same
 * code as "ssl-mgr -renew -roll <targets>".
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ca-init.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "util.h"

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: ssl-mgr ca-init --root NAME --int NAME --org ORG "
	    "--country CC\n"
	    "           [--key ec[:CURVE]|rsa[:BITS]|ed25519] "
	    "[--leaf-key KEY]\n"
	    "           [--root-days N] [--leaf-days N] [--unit OU] "
	    "[--email ADDR]\n"
	    "           [--root-cn CN] [--int-cn CN] "
	    "[--leaf [GRP:]SVC=HOST,HOST ...]\n"
	    "           [--topdir DIR] [--dry-run] [--show] [--yes] [--force] "
	    "[--no-issue]\n"
	    "Sets up a private root and intermediate CA and the first leaf "
	    "services:\nshows the files it will write, writes them, then "
	    "issues and rolls them.\n");
}

enum {
	OPT_ROOT = 256, OPT_INT, OPT_ROOT_CN, OPT_INT_CN, OPT_KEY,
	OPT_LEAF_KEY, OPT_ROOT_DAYS, OPT_LEAF_DAYS, OPT_ORG, OPT_UNIT,
	OPT_COUNTRY, OPT_EMAIL, OPT_LEAF, OPT_TOPDIR, OPT_DRY, OPT_FORCE,
	OPT_NO_ISSUE, OPT_SHOW
};

static const struct option longopts[] = {
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "int", required_argument, NULL, OPT_INT },
	{ "root-cn", required_argument, NULL, OPT_ROOT_CN },
	{ "int-cn", required_argument, NULL, OPT_INT_CN },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "leaf-key", required_argument, NULL, OPT_LEAF_KEY },
	{ "root-days", required_argument, NULL, OPT_ROOT_DAYS },
	{ "leaf-days", required_argument, NULL, OPT_LEAF_DAYS },
	{ "org", required_argument, NULL, OPT_ORG },
	{ "unit", required_argument, NULL, OPT_UNIT },
	{ "country", required_argument, NULL, OPT_COUNTRY },
	{ "email", required_argument, NULL, OPT_EMAIL },
	{ "leaf", required_argument, NULL, OPT_LEAF },
	{ "topdir", required_argument, NULL, OPT_TOPDIR },
	{ "dry-run", no_argument, NULL, OPT_DRY },
	{ "yes", no_argument, NULL, 'y' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "no-issue", no_argument, NULL, OPT_NO_ISSUE },
	{ "show", no_argument, NULL, OPT_SHOW },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct ca_opts {
	struct ca_init	 a;
	char		*topdir;
	bool		 dry, yes, force, no_issue, show;
};

static int
parse_days(const char *s, const char *what, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 1 || v > 36600) {
		fprintf(stderr, "ssl-mgr ca-init: %s '%s': a number of days "
		    "from 1 to 36600\n", what, s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* 0, or the exit status (2: bad usage; 0 for --help). */
static int
parse(int argc, char **argv, struct ca_opts *o)
{
	char *err = NULL;
	int ch, r = 0;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "yh", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_ROOT: ca_init_set(&o->a.root, optarg); break;
		case OPT_INT: ca_init_set(&o->a.intr, optarg); break;
		case OPT_ROOT_CN: ca_init_set(&o->a.root_cn, optarg); break;
		case OPT_INT_CN: ca_init_set(&o->a.int_cn, optarg); break;
		case OPT_ORG: ca_init_set(&o->a.O, optarg); break;
		case OPT_UNIT: ca_init_set(&o->a.OU, optarg); break;
		case OPT_COUNTRY: ca_init_set(&o->a.C, optarg); break;
		case OPT_EMAIL: ca_init_set(&o->a.email, optarg); break;
		case OPT_TOPDIR: ca_init_set(&o->topdir, optarg); break;
		case OPT_KEY:
			r = ca_init_parse_key(optarg, &o->a.key, &err);
			break;
		case OPT_LEAF_KEY:
			r = ca_init_parse_key(optarg, &o->a.leaf_key, &err);
			o->a.leaf_key_set = true;
			break;
		case OPT_ROOT_DAYS:
			if (parse_days(optarg, "--root-days",
			    &o->a.root_days) != 0)
				return 2;
			break;
		case OPT_LEAF_DAYS:
			if (parse_days(optarg, "--leaf-days",
			    &o->a.leaf_days) != 0)
				return 2;
			break;
		case OPT_LEAF:
			r = ca_init_add_leaf(&o->a, optarg, &err);
			break;
		case OPT_DRY: o->dry = true; break;
		case 'y': o->yes = true; break;
		case OPT_FORCE: o->force = true; break;
		case OPT_NO_ISSUE: o->no_issue = true; break;
		case OPT_SHOW: o->show = true; break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			fprintf(stderr, "ssl-mgr ca-init: unknown or "
			    "incomplete option '%s'\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
		if (r != 0) {
			fprintf(stderr, "ssl-mgr ca-init: %s\n", err);
			free(err);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ssl-mgr ca-init: unexpected argument '%s'\n",
		    argv[optind]);
		return 2;
	}
	return 0;
}

/* Asks on the terminal; true for y/yes. */
static bool
confirm(size_t n)
{
	char line[32];

	printf("Write %zu file%s? [y/N] ", n, n == 1 ? "" : "s");
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

/* ssl-mgr -renew -roll <targets> in this topdir: the cron code path. */
static int
issue(const char *topdir, const struct ca_init *a)
{
	struct strlist t = { 0 }, args = { 0 };
	int rc;

	ca_init_targets(a, &t);
	strlist_add(&args, "ssl-mgr");
	strlist_add(&args, "-renew");
	strlist_add(&args, "-roll");
	for (size_t i = 0; i < t.n; i++)
		strlist_add(&args, t.v[i]);
	printf("\n== ssl-mgr -renew -roll");
	for (size_t i = 0; i < t.n; i++)
		printf(" %s", t.v[i]);
	printf("\n");
	fflush(stdout);
	strlist_add_nodup(&args, NULL);
	setenv("SSL_MGR_TOPDIR", topdir, 1);
	rc = cli_main((int)args.n - 1, args.v);
	strlist_clear(&t);
	strlist_clear(&args);
	return rc;
}

int
cli_ca_init(int argc, char **argv)
{
	struct ca_opts o;
	struct ca_init_plan plan = { 0 };
	struct strlist errs = { 0 };
	struct buf b;
	char *err = NULL, *abs = NULL;
	size_t nwrite, nconf;
	int rc;

	memset(&o, 0, sizeof(o));
	ca_init_defaults(&o.a);
	buf_init(&b, 1024 * 1024);
	if ((rc = parse(argc, argv, &o)) != 0) {
		rc = rc < 0 ? 0 : rc;
		goto out;
	}
	rc = 2;
	if (ca_init_check(&o.a, &errs) != 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "ssl-mgr ca-init: %s\n", errs.v[i]);
		fprintf(stderr, "(see ssl-mgr ca-init --help)\n");
		goto out;
	}
	if (o.topdir == NULL && cli_find_topdir(&o.topdir) != 0) {
		fprintf(stderr, "ssl-mgr ca-init: give --topdir DIR to start "
		    "a new configuration there\n");
		goto out;
	}
	if (ca_init_plan(o.topdir, &o.a, &plan, &err) != 0) {
		fprintf(stderr, "ssl-mgr ca-init: %s\n", err);
		goto out;
	}
	ca_init_plan_text(&plan, &b);
	printf("Files under %s:\n%s", o.topdir, b.p ? b.p : "");
	if (o.show) {
		buf_free(&b);
		buf_init(&b, 16 * 1024 * 1024);
		ca_init_plan_show(&plan, &b);
		printf("\n%s", b.p ? b.p : "");
	}
	nconf = ca_init_plan_count(&plan, CA_INIT_CONFLICT);
	nwrite = plan.n - ca_init_plan_count(&plan, CA_INIT_SAME);
	if (ca_init_plan_refused(&plan, o.force) > 0) {
		fprintf(stderr, "ssl-mgr ca-init: %zu file%s in conflict: "
		    "nothing written%s\n", nconf, nconf == 1 ? "" : "s",
		    o.force ? " (ssl-mgr.conf and ca-info.conf are never "
		    "replaced)" : " (--force replaces service files)");
		rc = 1;
		goto out;
	}
	rc = 0;
	if (o.dry)
		goto out;
	if (nwrite > 0) {
		if (!o.yes && !(isatty(STDIN_FILENO) && confirm(nwrite))) {
			fprintf(stderr, "ssl-mgr ca-init: nothing written%s\n",
			    isatty(STDIN_FILENO) ? "" : ": confirm with --yes");
			rc = isatty(STDIN_FILENO) ? 1 : 2;
			goto out;
		}
		if (ca_init_write(&plan, o.force, &err) != 0) {
			fprintf(stderr, "ssl-mgr ca-init: %s\n", err);
			rc = 1;
			goto out;
		}
		printf("Wrote %zu file%s.\n", nwrite, nwrite == 1 ? "" : "s");
	}
	if (o.no_issue)
		goto out;
	if ((rc = issue(o.topdir, &o.a)) != 0)
		goto out;
	buf_free(&b);
	buf_init(&b, 64 * 1024);
	/* An absolute ROOT= so that the commands work from anywhere. */
	abs = realpath(o.topdir, NULL);
	ca_init_trust_text(abs != NULL ? abs : o.topdir, o.a.root, &b);
	printf("\n%s", b.p ? b.p : "");
out:
	ca_init_plan_free(&plan);
	ca_init_free(&o.a);
	strlist_clear(&errs);
	buf_free(&b);
	free(o.topdir);
	free(abs);
	free(err);
	return rc;
}
