/*
 * status-prom.c - `-s --prometheus`: the status in the Prometheus
 * textfile-collector format (expiry, issue time and days left per curr and
 * next, renew and roll due, the last run, production drift).  Reads
 * the full certificates (svc_state_load): monitoring wants what the files
 * say, not a cached summary.
 */
#include <stdlib.h>
#include <string.h>

#include "renew.h"
#include "run.h"
#include "runsvc.h"
#include "x509.h"

/* A label value of the exposition format: \\, \" and \n escaped. */
static void
prom_label(struct buf *b, const char *name, const char *v)
{
	(void)buf_printf(b, "%s=\"", name);
	for (; v != NULL && *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			(void)buf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			(void)buf_printf(b, "\\n");
		else
			(void)buf_printf(b, "%c", *v);
	}
	(void)buf_printf(b, "\"");
}

struct prom_metric {
	const char	*name;
	const char	*help;
};

static const struct prom_metric prom_svc[] = {
	{ "ssl_mgr_cert_expiry_timestamp_seconds",
	    "When the certificate expires (notAfter), unix time." },
	{ "ssl_mgr_cert_issued_timestamp_seconds",
	    "When the certificate became valid (notBefore), unix time." },
	{ "ssl_mgr_cert_days_left",
	    "Days until the certificate expires (negative: expired)." },
	{ "ssl_mgr_next_present",
	    "1 when a renewed certificate waits in next." },
	{ "ssl_mgr_renew_due",
	    "1 when curr is due for renewal (or missing)." },
	{ "ssl_mgr_roll_due",
	    "1 when next is old enough to become curr." },
};

/* The series of metric m for one service (header printed by caller). */
static void
prom_service(struct sslm_run *run, const struct sslm_service_cfg *sc,
    const struct svc_state *st, size_t m, struct buf *b)
{
	X509 *xs[2] = { st->curr_cert, st->next_cert };
	static const char *const which[2] = { "curr", "next" };
	struct renew_decision d;
	time_t t;
	double v;

	for (int w = 0; w < 2 && m <= 2; w++) {
		if (xs[w] == NULL)
			continue;
		t = x509_asn1_time(m == 1 ? X509_get0_notBefore(xs[w]) :
		    X509_get0_notAfter(xs[w]));
		(void)buf_printf(b, "%s{", prom_svc[m].name);
		prom_label(b, "group", sc->grp);
		(void)buf_printf(b, ",");
		prom_label(b, "service", sc->svc);
		(void)buf_printf(b, ",");
		prom_label(b, "which", which[w]);
		if (m == 2)
			(void)buf_printf(b, "} %.3f\n", difftime(t, run->now) /
			    86400.0);
		else
			(void)buf_printf(b, "} %lld\n", (long long)t);
	}
	if (m <= 2)
		return;
	if (m == 3)
		v = st->next_cert != NULL;
	else if (m == 4) {
		v = 1;
		if (st->curr_cert != NULL) {
			struct renew_policy pol;

			renew_policy_for(run->cfg, sc, &pol);
			renew_decide(&pol, x509_asn1_time(X509_get0_notBefore(
			    st->curr_cert)), x509_asn1_time(X509_get0_notAfter(
			    st->curr_cert)), run->now, 0.5, &d);
			v = d.due;
		}
	} else {
		v = st->next_cert != NULL && (st->curr == NULL ||
		    roll_age_mins(x509_asn1_time(X509_get0_notBefore(
		    st->next_cert)), run->now) >= run->min_roll_mins);
	}
	(void)buf_printf(b, "%s{", prom_svc[m].name);
	prom_label(b, "group", sc->grp);
	(void)buf_printf(b, ",");
	prom_label(b, "service", sc->svc);
	(void)buf_printf(b, "} %d\n", (int)v);
}

static void
prom_head(struct buf *b, const char *name, const char *help)
{
	(void)buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help,
	    name);
}

void
sslm_run_prometheus(struct sslm_run *run, struct buf *b)
{
	const size_t nm = sizeof(prom_svc) / sizeof(prom_svc[0]);
	struct svc_state *st;
	struct sslm_last_run lr;
	size_t n = 0, i = 0;
	bool prod_ok = sslm_run_check_prod(run, false, NULL) == 0;

	for (size_t g = 0; g < run->n_groups; g++)
		n += run->groups[g].n;
	st = xcalloc(n + 1, sizeof(*st));
	for (size_t g = 0; g < run->n_groups; g++)
		for (size_t k = 0; k < run->groups[g].n; k++)
			svc_state_load(run, run->groups[g].svcs[k], &st[i++]);
	for (size_t m = 0; m < nm; m++) {
		prom_head(b, prom_svc[m].name, prom_svc[m].help);
		i = 0;
		for (size_t g = 0; g < run->n_groups; g++)
			for (size_t k = 0; k < run->groups[g].n; k++)
				prom_service(run, run->groups[g].svcs[k],
				    &st[i++], m, b);
	}
	for (i = 0; i < n; i++)
		svc_state_free(&st[i]);
	free(st);
	if (sslm_last_run_read(run->cfg->topdir, &lr) == 0) {
		prom_head(b, "ssl_mgr_last_run_success", "1 when the last "
		    "changing run (-renew, -roll, ...) succeeded.");
		(void)buf_printf(b, "ssl_mgr_last_run_success %d\n",
		    lr.success ? 1 : 0);
		prom_head(b, "ssl_mgr_last_run_timestamp_seconds", "When the "
		    "last changing run started, unix time.");
		(void)buf_printf(b, "ssl_mgr_last_run_timestamp_seconds %lld\n",
		    (long long)lr.time);
		prom_head(b, "ssl_mgr_last_run_failures", "Failed tasks of "
		    "the last changing run.");
		(void)buf_printf(b, "ssl_mgr_last_run_failures %d\n",
		    lr.failures);
		free(lr.command);
	}
	prom_head(b, "ssl_mgr_prod_checked", "1 when the production "
	    "directory could be compared with certs/.");
	(void)buf_printf(b, "ssl_mgr_prod_checked %d\n", prod_ok ? 1 : 0);
	prom_head(b, "ssl_mgr_prod_drift", "Differences between production "
	    "and certs/ (0: in sync).");
	(void)buf_printf(b, "ssl_mgr_prod_drift %zu\n", prod_ok ?
	    run->drift.n : 0);
	prom_head(b, "ssl_mgr_status_timestamp_seconds", "When this status "
	    "was taken, unix time.");
	(void)buf_printf(b, "ssl_mgr_status_timestamp_seconds %lld\n",
	    (long long)run->now);
}

