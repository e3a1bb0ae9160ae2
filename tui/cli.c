/*
 * cli.c - the headless face for cron: parse upstream's command line, load
 * the config, take the lock for a changing run, run the tasks and print
 * only what happened or was asked for, so cron mails only what matters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "err.h"
#include "lock.h"
#include "log.h"
#include "opts.h"
#include "run.h"
#include "util.h"

struct sink_ctx {
	bool		verbose;
	struct strlist	errors;		/* for notify_cmd's summary */
};

/* Errors and warnings to stderr, "logs" to stdout, "logsv" with -v. */
static void
cli_sink(void *vctx, enum sslm_level lvl, const char *msg)
{
	struct sink_ctx *ctx = vctx;

	switch (lvl) {
	case SSLM_LOG_ERR:
	case SSLM_LOG_WARN:
		/* The errors also go to notify_cmd's summary. */
		if (lvl == SSLM_LOG_ERR && ctx->errors.n < 100)
			strlist_add(&ctx->errors, msg);
		fflush(stdout);
		fprintf(stderr, "%s\n", msg);
		break;
	case SSLM_LOG_NOTE:
		printf("%s\n", msg);
		break;
	case SSLM_LOG_INFO:
		if (ctx->verbose)
			printf("%s\n", msg);
		break;
	case SSLM_LOG_DEBUG:
		break;
	}
}

static void
print_diag(const struct sslm_diag *d, bool warnings)
{
	for (size_t i = 0; i < d->errors.n; i++)
		fprintf(stderr, "%s\n", d->errors.v[i]);
	if (warnings)
		for (size_t i = 0; i < d->warnings.n; i++)
			fprintf(stderr, "warning: %s\n", d->warnings.v[i]);
}

int
cli_find_topdir(char **top)
{
	char *tried = NULL;

	if (sslm_find_topdir(top, &tried) != 0) {
		fprintf(stderr, "ssl-mgr: no configuration found: none of %s "
		    "has a conf.d directory (set SSL_MGR_TOPDIR)\n",
		    tried ? tried : "the usual places");
		free(tried);
		return 2;
	}
	free(tried);
	return 0;
}

/* Finds the topdir and loads the config; 0 or the exit status. */
static int
load_config(struct sslm_config **cfg, struct sslm_diag *diag, bool verbose)
{
	char *top = NULL;

	*cfg = NULL;
	if (cli_find_topdir(&top) != 0)
		return 2;
	if (sslm_config_load(top, cfg, diag) != 0) {
		print_diag(diag, true);
		fprintf(stderr, "ssl-mgr: configuration errors: nothing "
		    "done\n");
		free(top);
		return 2;
	}
	free(top);
	if (verbose || (*cfg)->verb || isatty(STDERR_FILENO))
		print_diag(diag, true);
	for (size_t i = 0; i < diag->warnings.n; i++)
		sslm_log(SSLM_LOG_DEBUG, "warning: %s", diag->warnings.v[i]);
	return 0;
}

/*
 * After a changing run: record it for -s --json/--prometheus, and tell
 * notify_cmd when it failed or a certificate is near its end without a
 * renewal.  0, or -1 when notify_cmd could not do its job.
 */
static int
after_run(struct sslm_run *run, int rc, const char *what,
    const struct strlist *errors)
{
	struct strlist late = { 0 };
	int r;

	(void)sslm_last_run_write(run->cfg->topdir, run->now, rc == 0,
	    run->failures, what);
	sslm_run_late(run, &late);
	for (size_t i = 0; i < late.n; i++)
		sslm_log(SSLM_LOG_WARN, "warning: %s", late.v[i]);
	r = sslm_notify(run, rc != 0, what, &late, errors);
	strlist_clear(&late);
	return r == 0 ? 0 : -1;
}

static char *
describe_run(int argc, char **argv)
{
	struct buf b;

	buf_init(&b, 4096);
	(void)buf_printf(&b, "ssl-mgr");
	for (int i = 1; i < argc; i++)
		(void)buf_printf(&b, " %s", argv[i]);
	return b.p ? b.p : xstrdup("ssl-mgr");
}

int
cli_main(int argc, char **argv)
{
	struct sslm_opts opts;
	struct sslm_config *cfg = NULL;
	struct sslm_diag diag = { 0 };
	struct sslm_run *run = NULL;
	struct sslm_lock *lk = NULL;
	struct sink_ctx sctx = { false, { NULL, 0, 0 } };
	struct buf out;
	char *err = NULL, *holder = NULL, *what = NULL;
	int rc = 2, r;
	bool status_lost = false;

	buf_init(&out, 64 * 1024 * 1024);
	if (sslm_opts_parse(argc - 1, argv + 1, &opts, &err) != 0) {
		fprintf(stderr, "ssl-mgr: %s\n(see ssl-mgr -h)\n", err);
		free(err);
		sslm_opts_free(&opts);
		return 2;
	}
	if (opts.help) {
		sslm_opts_help(opts.dev, "ssl-mgr", &out);
		fputs(out.p, stdout);
		rc = 0;
		goto out;
	}
	sctx.verbose = opts.verb;
	sslm_log_set_sink(cli_sink, &sctx);
	if (argc == 1 && isatty(STDOUT_FILENO)) {
		/* A person typed the bare name: say what it can do. */
		printf("ssl-mgr: nothing asked for.  ssl-mgr -s shows the "
		    "status, -renew and -roll\ndo the work, check-config "
		    "validates the configuration, -h lists everything.\n");
		rc = 0;
		goto out;
	}
	if ((rc = load_config(&cfg, &diag, opts.verb)) != 0)
		goto out;
	sctx.verbose = opts.verb || cfg->verb;
	if (sslm_run_prepare(cfg, &opts, time(NULL), &run, &diag) != 0) {
		print_diag(&diag, false);
		fprintf(stderr, "ssl-mgr: configuration errors: nothing "
		    "done\n");
		rc = 2;
		goto out;
	}
	/* The log (and its directory) only once the whole config is known
	 * to be good: a broken config writes nothing at all. */
	if (sslm_opts_mutates(&opts) && sslm_log_open(cfg->logdir, "sslm",
	    SSLM_LOG_MAX_BYTES, SSLM_LOG_KEEP) != 0)
		fprintf(stderr, "ssl-mgr: warning: cannot open log file in "
		    "%s: %s\n", cfg->logdir, strerror(errno));
	if (run->n_groups == 0)
		sslm_log(SSLM_LOG_WARN, "No groups/services provided");
	rc = 0;
	if (sslm_opts_mutates(&opts)) {
		what = describe_run(argc, argv);
		if ((r = sslm_lock_take(cfg->topdir, what, 0, &lk,
		    &holder)) != 0) {
			if (r == SSLM_ERR_LOCKED)
				fprintf(stderr, "ssl-mgr: %s is busy: another "
				    "run holds the lock (%s)\n", cfg->topdir,
				    holder ? holder : "unknown");
			else
				fprintf(stderr, "ssl-mgr: cannot lock %s: %s\n",
				    cfg->topdir, sslm_strerror(r));
			rc = 1;
			goto out;
		}
		sslm_log(SSLM_LOG_DEBUG, "run: %s", what);
		if (sslm_run_execute(run) != 0)
			rc = 1;
		if (rc == 0 && sslm_run_clean(run) != 0)
			rc = 1;
		if (after_run(run, rc, what, &sctx.errors) != 0)
			rc = 1;
	}
	if (opts.status) {
		if (opts.prometheus)
			sslm_run_prometheus(run, &out);
		else
			sslm_run_status_to(run, opts.json, &out, stdout);
		if (out.len > 0)
			(void)fwrite(out.p, 1, out.len, stdout);
		/* A full disk or a closed reader is said, not a silent 0. */
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "ssl-mgr: cannot write the status: "
			    "%s\n", strerror(errno));
			status_lost = true;
		}
	}
	if (rc == 1)
		fprintf(stderr, "ssl-mgr: failed to perform required "
		    "task(s): see above and %s/sslm\n", cfg->logdir);
	else if (status_lost)
		rc = 1;
out:
	sslm_lock_release(lk);
	sslm_run_free(run);
	sslm_config_free(cfg);
	sslm_diag_free(&diag);
	sslm_opts_free(&opts);
	sslm_log_close();
	strlist_clear(&sctx.errors);
	buf_free(&out);
	free(holder);
	free(what);
	return rc;
}
