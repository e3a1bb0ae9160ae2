/*
 * run-acme.c - certificates from ACME CAs in a run (RFC 8555), batched.
 *
 * The renew pass makes next's key and CSR for every due ACME service and
 * queues it here.  The batch then: creates every order, writes ALL dns-01
 * records of the run (every group) and reloads DNS once, waits until the
 * primary, every authoritative name server and dns_xtra_ns serve them,
 * places the http-01 tokens, answers every challenge, finalizes each order
 * with our own CSR, writes the certificate set into next, and cleans the
 * challenges up.  A failing service fails alone: curr is never touched.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "acme.h"
#include "challenge.h"
#include "dns.h"
#include "err.h"
#include "fault.h"
#include "log.h"
#include "run.h"
#include "runsvc.h"
#include "store.h"
#include "x509.h"

#define ACME_WAIT_SECS	300	/* authorizations and finalize */
#define MAX_PEM		(1024 * 1024)

struct acme_job {
	struct run_group		*g;
	const struct sslm_service_cfg	*sc;
	const struct sslm_ca_info	*ca;
	char				*ndir;	/* next's db dir */
	char				*cb;	/* <svcdir>/cb */
	struct acme_client		*c;
	struct acme_order		*order;
	struct acme_chal		*chals;
	size_t				 nchals;
	bool				 failed;
	bool				 done;
	bool				 dry;	/* -n: validated only */
	struct chal_http		 http;	/* tokens placed, recorded in
						 * <cb>/web-tokens */
};

static void
job_fail(struct acme_job *j, const char *step, int r)
{
	if (!j->failed)
		sslm_log(SSLM_LOG_ERR, "%s:%s: %s failed: %s", j->sc->grp,
		    j->sc->svc, step, sslm_strerror(r));
	j->failed = true;
}

/* How long authorizations and finalize may take. */
static int
wait_secs(const struct sslm_ca_info *ca)
{
	return ca->acme_timeout > 0 ? ca->acme_timeout : ACME_WAIT_SECS;
}

/* The directory a CA means: its own URL, else Let's Encrypt (staging with
 * -t), as upstream's certbot did. */
static const char *
ca_directory(const struct sslm_run *run, const struct sslm_ca_info *ca)
{
	if (ca->acme_directory && *ca->acme_directory)
		return ca->acme_directory;
	return run->opts->test ? ACME_LE_STAGING : ACME_LE_PRODUCTION;
}

int
run_acme_client(const struct sslm_run *run, const struct sslm_service_cfg *sc,
    const struct sslm_ca_info *ca, const char *cb, struct acme_client **c)
{
	struct acme_opts o;
	char who[256];

	memset(&o, 0, sizeof(o));
	snprintf(who, sizeof(who), "%s:%s", sc->grp, sc->svc);
	o.directory = ca_directory(run, ca);
	o.ca_file = ca->acme_ca_file;
	o.account_dir = cb;
	o.email = sc->email;
	o.eab_kid = ca->eab_kid;
	o.eab_hmac_key = ca->eab_hmac_key;
	o.profile = ca->profile;
	o.preferred_chain = ca->preferred_chain;
	o.who = who;
	o.timeout = ca->acme_timeout;
	return acme_client_new(&o, c);
}

/* Queued by runsvc: next holds the key and CSR of sc. */
void
run_acme_queue(struct sslm_run *run, struct run_group *g,
    const struct sslm_service_cfg *sc, const struct sslm_ca_info *ca,
    const char *ndir)
{
	struct acme_job *j;

	run->acme = xreallocarray(run->acme, run->n_acme + 1,
	    sizeof(*run->acme));
	j = xcalloc(1, sizeof(*j));
	j->g = g;
	j->sc = sc;
	j->ca = ca;
	j->ndir = xstrdup(ndir);
	j->cb = xasprintf("%s/%s/%s/cb", run->certs_dir, sc->grp, sc->svc);
	run->acme[run->n_acme++] = j;
	sslm_log(SSLM_LOG_INFO, "%s:%s: key and CSR ready: queued for %s "
	    "(%s)", sc->grp, sc->svc, ca->name, ca->validation ==
	    SSLM_VALID_DNS ? "dns-01" : "http-01");
}

/* CN first, then the SANs, no duplicates: the order's identifiers. */
static void
identifiers(const struct sslm_service_cfg *sc, struct strlist *out)
{
	strlist_add(out, sc->CN);
	for (size_t i = 0; i < sc->sans.n; i++)
		if (!strlist_has_ci(out, sc->sans.v[i]))
			strlist_add(out, sc->sans.v[i]);
}

/* Account, order (with ARI "replaces" for curr) and its challenges. */
static void
job_order(struct sslm_run *run, struct acme_job *j)
{
	struct strlist names = { 0 };
	struct svc_state st;
	char *replaces = NULL;
	int r;

	svc_state_load(run, j->sc, &st);
	if (st.curr_cert)
		replaces = acme_ari_cert_id(st.curr_cert);
	identifiers(j->sc, &names);
	if ((r = store_mkdir_p(j->cb, 0700)) != 0)
		job_fail(j, "account dir", r);
	else if ((r = run_acme_client(run, j->sc, j->ca, j->cb, &j->c)) != 0)
		job_fail(j, "directory", r);
	else if ((r = acme_account_ensure(j->c)) != 0)
		job_fail(j, "account", r);
	else if ((r = acme_order_new(j->c, &names, replaces, &j->order)) != 0)
		job_fail(j, "new order", r);
	else if ((r = acme_order_challenges(j->c, j->order,
	    j->ca->validation == SSLM_VALID_DNS ? "dns-01" : "http-01",
	    &j->chals, &j->nchals)) != 0)
		job_fail(j, "authorizations", r);
	free(replaces);
	strlist_clear(&names);
	svc_state_free(&st);
}

/* Every dns-01 record of the run, one DNS reload, one wait. */
static int
dns_phase(struct sslm_run *run, struct strlist *apexes)
{
	struct chal_dns *batch = NULL;
	struct dns_zone **zones = NULL;
	struct chal_wait_opts wo;
	struct chal_dns_report rep;
	size_t n = 0, nz = 0;
	int r = 0;

	for (size_t i = 0; i < run->n_acme; i++) {
		struct acme_job *j = run->acme[i];

		if (j->failed || j->ca->validation != SSLM_VALID_DNS)
			continue;
		for (size_t k = 0; k < j->nchals; k++) {
			batch = xreallocarray(batch, n + 1, sizeof(*batch));
			batch[n].apex = j->sc->grp;
			batch[n].name = j->chals[k].identifier;
			batch[n].txt_value = j->chals[k].txt_value;
			n++;
		}
		if (j->g->zone == NULL && (r = dns_discover(run->cfg,
		    j->g->grp, run->cfg->dns_ns_port, RUN_DNS_TIMEOUT_MS,
		    &j->g->zone)) != 0) {
			job_fail(j, "DNS discovery", r);
			r = 0;
			continue;
		}
		bool seen = false;
		for (size_t z = 0; z < nz; z++)
			if (zones[z] == j->g->zone)
				seen = true;
		if (!seen) {
			zones = xreallocarray(zones, nz + 1, sizeof(*zones));
			zones[nz++] = j->g->zone;
		}
	}
	if (n == 0)
		goto out;
	challenge_dns_apexes(batch, n, apexes);
	sslm_log(SSLM_LOG_INFO, "dns-01: %zu record(s) in %zu zone(s): "
	    "publishing", n, apexes->n);
	if ((r = challenge_dns_put(run->cfg, batch, n, run->opts->debug)) != 0)
		goto fail;
	challenge_wait_opts_init(&wo);
	wo.limit_s = run->cfg->dns_wait_limit;
	memset(&rep, 0, sizeof(rep));
	/* challenge_dns_wait logs each server's failure itself. */
	r = challenge_dns_wait(run->cfg, zones, nz, batch, n, &wo, &rep);
	if (r == 0)
		sslm_log(SSLM_LOG_INFO, "dns-01: every name server serves the "
		    "challenges (%.1f s)", rep.elapsed);
	challenge_dns_report_free(&rep);
	if (r == 0)
		goto out;
fail:
	for (size_t i = 0; i < run->n_acme; i++)
		if (run->acme[i]->ca->validation == SSLM_VALID_DNS &&
		    run->acme[i]->nchals > 0)
			job_fail(run->acme[i], "dns-01 propagation", r);
out:
	free(batch);
	free(zones);
	return r;
}

/* Writes cert, chain, fullchain, bundle (and tlsa.rr) into next. */
static int
job_store(struct sslm_run *run, struct acme_job *j, const char *cert,
    const char *chain)
{
	struct buf full, bundle;
	char *kp = path_join(j->ndir, "privkey.pem"), *key = NULL;
	char *p[4];
	size_t klen = 0;
	int r;

	buf_init(&full, 4 * MAX_PEM);
	buf_init(&bundle, 5 * MAX_PEM);
	p[0] = path_join(j->ndir, "cert.pem");
	p[1] = path_join(j->ndir, "chain.pem");
	p[2] = path_join(j->ndir, "fullchain.pem");
	p[3] = path_join(j->ndir, "bundle.pem");
	if ((r = buf_add(&full, cert, strlen(cert))) != 0 ||
	    (r = buf_add(&full, chain, strlen(chain))) != 0 ||
	    (r = read_file(kp, MAX_PEM, &key, &klen)) != 0 ||
	    (r = buf_add(&bundle, key, klen)) != 0 ||
	    (r = buf_add(&bundle, full.p, full.len)) != 0)
		goto out;
	if ((r = store_write_file(p[0], cert, strlen(cert),
	    STORE_FILE_MODE)) != 0 ||
	    (r = store_write_file(p[1], chain, strlen(chain),
	    STORE_FILE_MODE)) != 0 ||
	    (r = store_write_file(p[2], full.p, full.len,
	    STORE_FILE_MODE)) != 0 ||
	    (r = store_write_file(p[3], bundle.p, bundle.len,
	    STORE_KEY_MODE)) != 0)
		goto out;
	r = runsvc_write_tlsa(run, j->g, j->sc, j->ndir);
out:
	if (bundle.p)
		explicit_bzero(bundle.p, bundle.len);
	buf_free(&bundle);
	buf_free(&full);
	freezero_secret(key, klen);
	for (int i = 0; i < 4; i++)
		free(p[i]);
	free(kp);
	return r;
}

/* The service dir of a job: <cb> without its "/cb". */
static char *
job_svcdir(const struct acme_job *j)
{
	return xstrndup(j->cb, strlen(j->cb) - 3);
}

/* The set in the job's db dir is complete: next moves to it. */
static int
job_link(const struct acme_job *j)
{
	const char	*base = strrchr(j->ndir, '/');
	char		*sd = job_svcdir(j);
	int		 r;

	r = store_link_next(sd, base != NULL ? base + 1 : j->ndir);
	free(sd);
	return r;
}

/*
 * A failed job leaves next alone unless next is the job's own dir (the
 * dev steps link before the batch): an incomplete next must not reach
 * production; the next run tries again.
 */
static void
job_unlink(const struct acme_job *j)
{
	const char	*base = strrchr(j->ndir, '/');
	char		*sd = job_svcdir(j), *next = NULL;

	base = base != NULL ? base + 1 : j->ndir;
	if (store_link_get(sd, "next", &next) == 0 &&
	    strcmp(next, base) == 0 && store_link_remove(sd, "next") != 0)
		sslm_log(SSLM_LOG_WARN, "%s: cannot remove the incomplete "
		    "next", sd);
	free(next);
	free(sd);
}

/* Waits for the authorizations, finalizes with our CSR, stores the set. */
static void
job_finish(struct sslm_run *run, struct acme_job *j)
{
	X509_REQ *csr = NULL;
	char *cp = path_join(j->ndir, "csr.pem"), *cert = NULL, *chain = NULL;
	int r;

	if ((r = acme_order_wait_ready(j->c, j->order,
	    wait_secs(j->ca))) != 0)
		job_fail(j, "authorization", r);
	else if (run->opts->dry_run) {
		/* -n: the CA validated every name; nothing is issued, and
		 * the unused next goes (as a failure's does). */
		sslm_log(SSLM_LOG_NOTE, "%s:%s: dry run: every name validated; "
		    "no certificate requested", j->sc->grp, j->sc->svc);
		j->dry = true;
	} else if ((r = x509_load_csr(cp, &csr)) != 0)
		job_fail(j, "reading next's CSR", r);
	else if ((r = acme_order_finalize(j->c, j->order, csr,
	    wait_secs(j->ca), &cert, &chain)) != 0)
		job_fail(j, "finalize", r);
	else if ((r = job_store(run, j, cert, chain)) != 0)
		job_fail(j, "storing the certificate", r);
	else if ((r = sslm_fault("acme:before-link")) != 0 ||
	    (r = job_link(j)) != 0)
		job_fail(j, "linking next", r);
	else {
		char *certp = path_join(j->ndir, "cert.pem");
		X509 *x = NULL;

		j->done = true;
		run_event_add(run, RUN_EV_RENEW, j->sc, j->ndir);
		if (x509_load_cert(certp, &x) == 0)
			runsvc_log_expiry(j->sc, SSLM_LOG_NOTE, "renewed", x,
			    run->now);
		X509_free(x);
		free(certp);
	}
	X509_REQ_free(csr);
	free(cert);
	free(chain);
	free(cp);
}

static void
job_free(struct acme_job *j)
{
	challenge_http_free(&j->http);
	acme_chals_free(j->chals, j->nchals);
	acme_order_free(j->order);
	acme_client_free(j->c);
	free(j->ndir);
	free(j->cb);
	free(j);
}

int
run_acme_batch(struct sslm_run *run)
{
	struct strlist apexes = { 0 };
	int r = 0;

	if (run->n_acme == 0)
		return 0;
	/* Tokens a killed run left behind are recorded in <cb>/web-tokens:
	 * they go first. */
	for (size_t i = 0; i < run->n_acme; i++) {
		struct acme_job *j = run->acme[i];

		challenge_http_init(&j->http, j->cb);
		if (j->ca->validation == SSLM_VALID_HTTP &&
		    challenge_http_cleanup(run->cfg, &j->http) != 0)
			sslm_log(SSLM_LOG_WARN, "%s:%s: http-01: leftover tokens "
			    "could not be removed", j->sc->grp, j->sc->svc);
	}
	for (size_t i = 0; i < run->n_acme; i++)
		job_order(run, run->acme[i]);
	(void)dns_phase(run, &apexes);
	for (size_t i = 0; i < run->n_acme; i++) {
		struct acme_job *j = run->acme[i];

		if (j->failed || j->ca->validation != SSLM_VALID_HTTP)
			continue;
		for (size_t k = 0; k < j->nchals && !j->failed; k++)
			if ((r = challenge_http_put(run->cfg, &j->http,
			    j->sc->grp, j->chals[k].token,
			    j->chals[k].key_auth)) != 0)
				job_fail(j, "http-01 token", r);
	}
	for (size_t i = 0; i < run->n_acme; i++) {
		struct acme_job *j = run->acme[i];

		for (size_t k = 0; k < j->nchals && !j->failed; k++)
			if ((r = acme_challenge_answer(j->c,
			    &j->chals[k])) != 0)
				job_fail(j, "challenge", r);
	}
	for (size_t i = 0; i < run->n_acme; i++)
		if (!run->acme[i]->failed)
			job_finish(run, run->acme[i]);
	/* The challenges go, whatever happened. */
	if (apexes.n && challenge_dns_cleanup(run->cfg, &apexes,
	    run->opts->debug) != 0)
		sslm_log(SSLM_LOG_WARN, "dns-01: cleaning the challenge "
		    "records failed");
	for (size_t i = 0; i < run->n_acme; i++)
		if (run->acme[i]->ca->validation == SSLM_VALID_HTTP &&
		    challenge_http_cleanup(run->cfg, &run->acme[i]->http) != 0)
			sslm_log(SSLM_LOG_WARN, "%s:%s: http-01: removing tokens "
			    "failed", run->acme[i]->sc->grp,
			    run->acme[i]->sc->svc);
	strlist_clear(&apexes);
	r = 0;
	for (size_t i = 0; i < run->n_acme; i++) {
		struct acme_job *j = run->acme[i];

		if (j->failed || j->dry) {
			job_unlink(j);
			if (j->dry)
				continue;
			j->g->failed = true;
			run->failures++;
			r = SSLM_ERR_ACME;
		} else if (j->done && !strlist_has(&j->g->changed, j->sc->svc))
			strlist_add(&j->g->changed, j->sc->svc);
	}
	return r;
}

/* Services renewed by the batch, for a roll in the same run. */
bool
run_acme_renewed(const struct sslm_run *run, const struct sslm_service_cfg *sc)
{
	for (size_t i = 0; i < run->n_acme; i++)
		if (run->acme[i]->sc == sc)
			return run->acme[i]->done;
	return false;
}

bool
run_acme_queued(const struct sslm_run *run, const struct sslm_service_cfg *sc)
{
	for (size_t i = 0; i < run->n_acme; i++)
		if (run->acme[i]->sc == sc)
			return true;
	return false;
}

void
run_acme_free(struct sslm_run *run)
{
	for (size_t i = 0; i < run->n_acme; i++)
		job_free(run->acme[i]);
	free(run->acme);
	run->acme = NULL;
	run->n_acme = 0;
}

int
sslm_revoke(struct sslm_run *run, const struct sslm_service_cfg *sc,
    bool next, int reason)
{
	const struct sslm_ca_info *ca;
	struct acme_client *c = NULL;
	struct svc_state st;
	X509 *cert;
	char *cb = NULL;
	int r;

	ca = sc->self_signed ? NULL : sslm_ca_find(run->cfg, sc->signing_ca);
	if (ca == NULL || ca->kind != SSLM_CA_ACME) {
		sslm_log(SSLM_LOG_ERR, "%s:%s: revoke: only certificates from "
		    "an ACME CA can be revoked (signing_ca %s)", sc->grp,
		    sc->svc, sc->self_signed ? "self" : sc->signing_ca);
		return SSLM_ERR_USAGE;
	}
	svc_state_load(run, sc, &st);
	cert = next ? st.next_cert : st.curr_cert;
	if (cert == NULL) {
		sslm_log(SSLM_LOG_ERR, "%s:%s: revoke: there is no %s "
		    "certificate", sc->grp, sc->svc, next ? "next" : "curr");
		r = SSLM_ERR_STATE;
		goto out;
	}
	cb = path_join(st.dir, "cb");
	if ((r = store_mkdir_p(cb, 0700)) != 0 ||
	    (r = run_acme_client(run, sc, ca, cb, &c)) != 0 ||
	    (r = acme_account_ensure(c)) != 0 ||
	    (r = acme_revoke(c, cert, reason)) != 0)
		sslm_log(SSLM_LOG_ERR, "%s:%s: revoke of %s failed", sc->grp,
		    sc->svc, next ? "next" : "curr");
	else
		runsvc_log_expiry(sc, SSLM_LOG_NOTE, next ? "revoked next" :
		    "revoked curr", cert, run->now);
out:
	acme_client_free(c);
	svc_state_free(&st);
	free(cb);
	return r;
}
