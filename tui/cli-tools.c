/*
 * cli-tools.c - the auxiliary tools (spec §21) and check-config, as
 * subcommands and under their classic names.  The work is done in core
 * (tools.c); this file parses arguments and prints.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "err.h"
#include "live.h"
#include "lock.h"
#include "log.h"
#include "opts.h"
#include "run.h"
#include "tools.h"
#include "util.h"

#define TOOL_MAX_INPUT	(4 * 1024 * 1024)

static void
tool_sink(void *ctx, enum sslm_level lvl, const char *msg)
{
	(void)ctx;
	if (lvl <= SSLM_LOG_WARN)
		fprintf(stderr, "%s\n", msg);
	else if (lvl <= SSLM_LOG_INFO)
		printf("%s\n", msg);
}

static void
emit(struct buf *b)
{
	if (b->p)
		fputs(b->p, stdout);
	buf_free(b);
}

/* Reads stdin up to TOOL_MAX_INPUT; 0 or an sslm_err. */
static int
read_stdin(char **out, size_t *len)
{
	struct buf b;
	char chunk[8192];
	size_t n;
	int r = 0;

	buf_init(&b, TOOL_MAX_INPUT);
	r = buf_add(&b, "", 0);
	while (r == 0 && (n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		r = buf_add(&b, chunk, n);
	if (r != 0) {
		buf_free(&b);
		return r;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}

int
cli_info(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "verb", no_argument, NULL, 'v' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf out;
	bool verbose = false;
	int c, rc = 0;

	sslm_log_set_sink(tool_sink, NULL);
	while ((c = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		if (c == 'v')
			verbose = true;
		else {
			printf("usage: ssl-mgr info [-v] [file ...]\n"
			    "Summarise keys, CSRs, certificates, chains and "
			    "bundles (stdin when no file).\n");
			return c == 'h' ? 0 : 2;
		}
	}
	buf_init(&out, 64 * 1024 * 1024);
	if (optind >= argc) {
		char *text = NULL;
		size_t len = 0;

		if (read_stdin(&text, &len) != 0) {
			fprintf(stderr, "stdin: input too large or "
			    "unreadable\n");
			return 1;
		}
		rc = tool_info(text, len, "stdin", verbose, time(NULL), &out);
		free(text);
	}
	for (int i = optind; i < argc; i++) {
		char *text = NULL;
		size_t len = 0;
		int r;

		if ((r = read_file(argv[i], TOOL_MAX_INPUT, &text,
		    &len)) != 0) {
			fprintf(stderr, "%s: %s\n", argv[i], r ==
			    SSLM_ERR_TOOBIG ? "larger than 4 MiB: not a PEM "
			    "file" : sslm_strerror(r));
			rc = 1;
			continue;
		}
		if (tool_info(text, len, argv[i], verbose, time(NULL),
		    &out) != 0)
			rc = 1;
		free(text);
	}
	emit(&out);
	return rc < 0 ? 2 : rc;
}

/* verify --live [grp:svc ...]: the services as served, read only. */
static int
verify_live(int argc, char **argv)
{
	struct sslm_opts opts;
	struct sslm_config *cfg = NULL;
	struct sslm_diag diag = { 0 };
	struct sslm_run *run = NULL;
	struct buf out;
	char *top = NULL;
	int rc = 2;

	memset(&opts, 0, sizeof(opts));
	buf_init(&out, 64 * 1024 * 1024);
	for (int i = 0; i < argc; i++)
		strlist_add(&opts.targets, argv[i]);
	if (cli_find_topdir(&top) != 0)
		goto out;
	if (sslm_config_load(top, &cfg, &diag) != 0 ||
	    sslm_run_prepare(cfg, &opts, time(NULL), &run, &diag) != 0) {
		for (size_t i = 0; i < diag.errors.n; i++)
			fprintf(stderr, "%s\n", diag.errors.v[i]);
		fprintf(stderr, "ssl-mgr: configuration errors: nothing "
		    "checked\n");
		goto out;
	}
	rc = sslm_live_verify(run, &out) == 0 ? 0 : 1;
	fflush(stderr);
	if (out.p)
		fputs(out.p, stdout);
out:
	sslm_run_free(run);
	sslm_config_free(cfg);
	sslm_diag_free(&diag);
	sslm_opts_free(&opts);
	buf_free(&out);
	free(top);
	return rc;
}

#define VERIFY_USAGE	"usage: ssl-mgr verify [--cafile root.pem] " \
	"<dir | file>\n       ssl-mgr verify --live [grp:svc ...]\n"

int
cli_verify(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "cafile", required_argument, NULL, 'c' },
		{ "live", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *cafile = NULL;
	struct buf out;
	bool live = false;
	int c, rc;

	sslm_log_set_sink(tool_sink, NULL);
	while ((c = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		if (c == 'c')
			cafile = optarg;
		else if (c == 'l')
			live = true;
		else {
			printf(VERIFY_USAGE "Validate cert.pem against "
			    "chain.pem in dir; with --live, connect to every "
			    "host,\naddress and port of the services and "
			    "check what they serve.\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (live && cafile == NULL)
		return verify_live(argc - optind, argv + optind);
	if (live || optind != argc - 1) {
		fprintf(stderr, VERIFY_USAGE);
		return 2;
	}
	buf_init(&out, 16 * 1024 * 1024);
	rc = tool_verify(argv[optind], cafile, time(NULL), &out);
	emit(&out);
	return rc < 0 ? 2 : rc;
}

int
cli_dhparam(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "keys", required_argument, NULL, 'k' },
		{ "force", no_argument, NULL, 'f' },
		{ "age-days", required_argument, NULL, 'a' },
		{ "subdirs", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct dhparam_opts o = {
		"ffdhe8192,ffdhe6144,ffdhe4096,ffdhe3072,ffdhe2048", false,
		120, false
	};
	struct buf out;
	char *end;
	int c, rc;

	sslm_log_set_sink(tool_sink, NULL);
	while ((c = getopt_long(argc, argv, "k:fa:sh", lo, NULL)) != -1) {
		switch (c) {
		case 'k':
			o.keys = optarg;
			break;
		case 'f':
			o.force = true;
			break;
		case 'a':
			o.age_days = (int)strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o.age_days < 0) {
				fprintf(stderr, "dhparam: -a: not a number of "
				    "days: %s\n", optarg);
				return 2;
			}
			break;
		case 's':
			o.subdirs = true;
			break;
		default:
			printf("usage: ssl-mgr dhparam [-k LIST] [-f] "
			    "[-a DAYS] [-s] DIR [DIR ...]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: ssl-mgr dhparam [-k LIST] [-f] "
		    "[-a DAYS] [-s] DIR [DIR ...]\n");
		return 2;
	}
	buf_init(&out, 1024 * 1024);
	rc = tool_dhparam(&o, argc - optind, argv + optind, time(NULL), &out);
	emit(&out);
	return rc == SSLM_ERR_USAGE ? 2 : rc < 0 ? 1 : rc;
}

int
cli_tlsa_hash(int argc, char **argv)
{
	struct buf out;
	int rc;

	sslm_log_set_sink(tool_sink, NULL);
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		printf("usage: ssl-mgr tlsa-hash [dir]\nThe 3 1 1 TLSA hash "
		    "of dir/cert.pem, computed two ways.\n");
		return 0;
	}
	if (argc > 2) {
		fprintf(stderr, "usage: ssl-mgr tlsa-hash [dir]\n");
		return 2;
	}
	buf_init(&out, 1024 * 1024);
	rc = tool_tlsa_hash(argc > 1 ? argv[1] : ".", &out);
	emit(&out);
	return rc < 0 ? 1 : rc;
}

/* Loads every service file under conf.d, and checks the groups. */
static void
check_services(const struct sslm_config *cfg, struct sslm_diag *diag,
    bool verbose, struct buf *out)
{
	struct strlist grps = { 0 };

	for (size_t i = 0; i < cfg->n_groups; i++) {
		char *gdir;

		if (cfg->groups[i].domain == NULL)
			continue;
		gdir = path_join(cfg->conf_dir, cfg->groups[i].domain);
		if (access(gdir, F_OK) != 0)
			sslm_diag_error(diag, gdir, 0, "group '%s' of "
			    "[[groups]] has no directory",
			    cfg->groups[i].domain);
		free(gdir);
	}
	if (list_subdirs(cfg->conf_dir, &grps) != 0)
		return;
	for (size_t i = 0; i < grps.n; i++) {
		struct strlist svcs = { 0 };

		if (sslm_list_services(cfg, grps.v[i], &svcs) != 0)
			continue;
		for (size_t k = 0; k < svcs.n; k++) {
			struct sslm_service_cfg *sc = NULL;

			if (sslm_service_load(cfg, grps.v[i], svcs.v[k], &sc,
			    diag) == 0 && verbose) {
				(void)buf_printf(out, "\n[%s:%s]\n", grps.v[i],
				    svcs.v[k]);
				sslm_service_dump(sc, out);
			}
			sslm_service_free(sc);
		}
		strlist_clear(&svcs);
	}
	strlist_clear(&grps);
}

int
cli_check_config(int argc, char **argv)
{
	struct sslm_config *cfg = NULL;
	struct sslm_diag diag = { 0 };
	struct buf out;
	char *top = NULL;
	bool verbose = false;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0 ||
		    strcmp(argv[i], "--verbose") == 0)
			verbose = true;
		else {
			printf("usage: ssl-mgr check-config [-v]\nValidate "
			    "the whole configuration; -v prints the effective "
			    "values.\n");
			return strcmp(argv[i], "-h") == 0 ||
			    strcmp(argv[i], "--help") == 0 ? 0 : 2;
		}
	}
	sslm_log_set_sink(tool_sink, NULL);
	if (cli_find_topdir(&top) != 0)
		return 2;
	buf_init(&out, 64 * 1024 * 1024);
	(void)sslm_config_load(top, &cfg, &diag);
	if (verbose && cfg)
		sslm_config_dump(cfg, &out);
	if (cfg)
		check_services(cfg, &diag, verbose, &out);
	emit(&out);
	for (size_t i = 0; i < diag.errors.n; i++)
		fprintf(stderr, "%s\n", diag.errors.v[i]);
	for (size_t i = 0; i < diag.warnings.n; i++)
		fprintf(stderr, "warning: %s\n", diag.warnings.v[i]);
	printf("check-config: %s: %zu error(s), %zu warning(s)\n", top,
	    diag.errors.n, diag.warnings.n);
	rc = diag.errors.n ? 2 : 0;
	sslm_config_free(cfg);
	sslm_diag_free(&diag);
	free(top);
	return rc;
}

/*
 * revoke: deliberately no short alias and one service at a time, so that
 * a slip of the keyboard cannot revoke a group.
 */
int
cli_revoke(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "next", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sslm_opts opts;
	struct sslm_config *cfg = NULL;
	struct sslm_diag diag = { 0 };
	struct sslm_run *run = NULL;
	struct sslm_lock *lk = NULL;
	char *top = NULL, *holder = NULL, *end;
	bool next = false;
	long reason = -1;
	int c, rc = 2;

	memset(&opts, 0, sizeof(opts));
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			reason = strtol(optarg, &end, 10);
			/* RFC 5280 CRLReason; 7 is unused. */
			if (*optarg == '\0' || *end != '\0' || reason < 0 ||
			    reason > 10 || reason == 7) {
				fprintf(stderr, "revoke: --reason: not an RFC "
				    "5280 reason code (0-6, 8-10): %s\n",
				    optarg);
				return 2;
			}
			break;
		case 'n':
			next = true;
			break;
		default:
			printf("usage: ssl-mgr revoke [--next] [--reason N] "
			    "grp:svc\nRevokes curr (or next) of one ACME "
			    "service.  Reasons: 0 unspecified, 1 keyCompromise,"
			    "\n4 superseded, 5 cessationOfOperation, ...\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind != argc - 1 || strchr(argv[optind], ':') == NULL ||
	    strchr(argv[optind], ',') != NULL) {
		fprintf(stderr, "usage: ssl-mgr revoke [--next] [--reason N] "
		    "grp:svc (one service)\n");
		return 2;
	}
	sslm_log_set_sink(tool_sink, NULL);
	strlist_add(&opts.targets, argv[optind]);
	if (cli_find_topdir(&top) != 0)
		goto out;
	if (sslm_config_load(top, &cfg, &diag) != 0 ||
	    sslm_run_prepare(cfg, &opts, time(NULL), &run, &diag) != 0) {
		for (size_t i = 0; i < diag.errors.n; i++)
			fprintf(stderr, "%s\n", diag.errors.v[i]);
		goto out;
	}
	if (run->n_groups != 1 || run->groups[0].n != 1) {
		fprintf(stderr, "revoke: %s is not one service\n",
		    argv[optind]);
		goto out;
	}
	rc = 1;
	if (sslm_lock_take(cfg->topdir, "ssl-mgr revoke", 0, &lk,
	    &holder) != 0) {
		fprintf(stderr, "ssl-mgr: %s is busy: another run holds the "
		    "lock (%s)\n", cfg->topdir, holder ? holder : "unknown");
		goto out;
	}
	if (sslm_log_open(cfg->logdir, "sslm", SSLM_LOG_MAX_BYTES,
	    SSLM_LOG_KEEP) != 0)
		fprintf(stderr, "ssl-mgr: warning: cannot open the log in %s\n",
		    cfg->logdir);
	if (sslm_revoke(run, run->groups[0].svcs[0], next, (int)reason) == 0)
		rc = 0;
out:
	sslm_lock_release(lk);
	sslm_run_free(run);
	sslm_config_free(cfg);
	sslm_diag_free(&diag);
	sslm_opts_free(&opts);
	sslm_log_close();
	free(holder);
	free(top);
	return rc;
}
