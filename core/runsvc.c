/*
 * runsvc.c - renew, roll and the dev steps for one service (spec §2.5, §8).
 *
 * A renew writes privkey, csr, cert, chain, fullchain and bundle into a
 * new db dir that next points at; every file is written atomically with its
 * final mode.  A crash in the middle leaves a next without a complete set,
 * which roll refuses and the next renew replaces.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "acme.h"
#include "dns.h"
#include "err.h"
#include "fault.h"
#include "gate.h"
#include "log.h"
#include "renew.h"
#include "runsvc.h"
#include "store.h"
#include "timefmt.h"
#include "tlsa.h"
#include "x509.h"

#define MAX_PEM	(1024 * 1024)

/* Every message of a service names it, so that a cron mail or a log line
 * stands on its own: "example.com:web: renewed: ...". */
static void svc_log(const struct sslm_service_cfg *, enum sslm_level,
    const char *, ...) SSLM_PRINTF(3, 4);

static void
svc_log(const struct sslm_service_cfg *sc, enum sslm_level lvl,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	sslm_log(lvl, "%s:%s: %s", sc->grp, sc->svc, msg);
	free(msg);
}

char *
svc_db_path(const struct svc_state *st, const char *name, const char *file)
{
	return xasprintf("%s/db/%s/%s", st->dir, name, file);
}

static X509 *
load_link_cert(const struct svc_state *st, const char *name)
{
	X509 *x = NULL;
	char *p;

	if (name == NULL)
		return NULL;
	p = svc_db_path(st, name, "cert.pem");
	if (access(p, F_OK) == 0 && x509_load_cert(p, &x) != 0)
		x = NULL;
	free(p);
	return x;
}

void
svc_state_load(const struct sslm_run *run, const struct sslm_service_cfg *sc,
    struct svc_state *st)
{
	memset(st, 0, sizeof(*st));
	st->dir = sslm_svc_dir(run, sc->grp, sc->svc);
	if (store_link_get(st->dir, "curr", &st->curr) != 0)
		st->curr = NULL;
	if (store_link_get(st->dir, "next", &st->next) != 0)
		st->next = NULL;
	if (store_link_get(st->dir, "prev", &st->prev) != 0)
		st->prev = NULL;
	st->curr_cert = load_link_cert(st, st->curr);
	st->next_cert = load_link_cert(st, st->next);
}

void
svc_state_free(struct svc_state *st)
{
	free(st->dir);
	free(st->curr);
	free(st->next);
	free(st->prev);
	X509_free(st->curr_cert);
	X509_free(st->next_cert);
	memset(st, 0, sizeof(*st));
}

static time_t
cert_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

void
runsvc_log_expiry(const struct sslm_service_cfg *sc, enum sslm_level lvl,
    const char *what, X509 *x, time_t now)
{
	char date[40], cd[48];
	time_t na = cert_time(X509_get0_notAfter(x));

	fmt_date_utc(na, date, sizeof(date));
	fmt_countdown((long long)(na - now), cd, sizeof(cd));
	svc_log(sc, lvl, "%s: expires %s (%s)", what, date, cd);
}

/* Writes a file of the service's next dir. */
static int
put(const char *dir, const char *file, const char *data, size_t len,
    mode_t mode)
{
	char *p = path_join(dir, file);
	int r = store_write_file(p, data, len, mode);

	free(p);
	return r;
}

/* The signer of sc: the CA's curr cert, key and fullchain, and its policy.
 * For a self-signed service all pointers stay NULL. */
struct signer {
	X509		*cert;
	EVP_PKEY	*key;
	char		*fullchain;
	size_t		 fullchain_len;
	int		 days;
	char		*digest;
};

static void
signer_free(struct signer *s)
{
	X509_free(s->cert);
	EVP_PKEY_free(s->key);
	free(s->fullchain);
	free(s->digest);
	memset(s, 0, sizeof(*s));
}

static int
signer_load(struct sslm_run *run, const struct sslm_service_cfg *sc,
    struct signer *s)
{
	const struct sslm_ca_info *ca;
	struct sslm_service_cfg *cacfg = NULL;
	struct sslm_diag diag = { 0 };
	char *dir = NULL, *p = NULL;
	int r = SSLM_ERR_CONFIG;

	memset(s, 0, sizeof(*s));
	if (sc->self_signed) {
		s->days = sc->sign_end_days < 1 ? 1 : sc->sign_end_days;
		s->digest = xstrdup(sc->digest);
		return 0;
	}
	ca = sslm_ca_find(run->cfg, sc->signing_ca);
	if (ca == NULL) {
		svc_log(sc, SSLM_LOG_ERR, "unknown signing CA: %s",
		    sc->signing_ca);
		goto out;
	}
	if (ca->kind != SSLM_CA_LOCAL) {
		svc_log(sc, SSLM_LOG_ERR, "signing CA '%s' is an ACME CA "
		    "(ca_type %s): it cannot sign locally", ca->name,
		    ca->type);
		goto out;
	}
	if (sslm_service_load(run->cfg, "ca", ca->name, &cacfg, &diag) != 0) {
		for (size_t i = 0; i < diag.errors.n; i++)
			sslm_log(SSLM_LOG_ERR, "%s", diag.errors.v[i]);
		goto out;
	}
	s->days = cacfg->sign_end_days < 1 ? 1 : cacfg->sign_end_days;
	s->digest = xstrdup(cacfg->digest);
	dir = xasprintf("%s/ca/%s/curr", run->certs_dir, ca->name);
	p = path_join(dir, "cert.pem");
	if (x509_load_cert(p, &s->cert) != 0)
		goto nocurr;
	free(p);
	p = path_join(dir, "privkey.pem");
	if (x509_load_key(p, &s->key) != 0)
		goto nocurr;
	free(p);
	p = path_join(dir, "fullchain.pem");
	if (read_file(p, MAX_PEM, &s->fullchain, &s->fullchain_len) != 0)
		goto nocurr;
	if (!x509_key_matches(s->cert, s->key)) {
		svc_log(sc, SSLM_LOG_ERR, "signing CA '%s': %s/privkey.pem "
		    "does not match its cert.pem",
		    ca->name, dir);
		goto out;
	}
	r = 0;
	goto out;
nocurr:
	svc_log(sc, SSLM_LOG_ERR, "signing CA '%s' has no current "
	    "cert/key (%s): renew and roll ca:%s first",
	    ca->name, p, ca->name);
	r = SSLM_ERR_STATE;
out:
	if (r != 0)
		signer_free(s);
	sslm_service_free(cacfg);
	sslm_diag_free(&diag);
	free(dir);
	free(p);
	return r;
}

/* New key (or curr's key with reuse) into ndir. */
static int
make_key(const struct sslm_service_cfg *sc, const struct svc_state *st,
    const char *ndir, bool reuse)
{
	struct x509_keyspec ks = { sc->ktype, sc->ec_curve, sc->rsa_bits };
	EVP_PKEY *key = NULL;
	char *pem = NULL, *src, *dst;
	size_t len = 0;
	int r;

	if (reuse) {
		if (st->curr == NULL) {
			svc_log(sc, SSLM_LOG_ERR, "reuse: there is no curr "
			    "key to reuse");
			return SSLM_ERR_STATE;
		}
		src = svc_db_path(st, st->curr, "privkey.pem");
		dst = path_join(ndir, "privkey.pem");
		/* The copy gets 0600 whatever the source had (upstream
		 * left a reused key at the umask's mode). */
		r = store_copy_file(src, dst, STORE_KEY_MODE);
		if (r != 0)
			svc_log(sc, SSLM_LOG_ERR, "reuse: cannot copy %s", src);
		free(src);
		free(dst);
		return r;
	}
	if ((r = x509_key_generate(&ks, &key)) != 0) {
		svc_log(sc, SSLM_LOG_ERR, "key generation failed "
		    "(ktype %d, curve %s, bits %d)",
		    sc->ktype, sc->ec_curve ? sc->ec_curve : "-", sc->rsa_bits);
		return r;
	}
	if ((r = x509_key_to_pem(key, &pem, &len)) == 0)
		r = put(ndir, "privkey.pem", pem, len, STORE_KEY_MODE);
	freezero_secret(pem, len);
	EVP_PKEY_free(key);
	return r;
}

/* A CSR from the key in ndir and the service's subject. */
static int
make_csr(const struct sslm_service_cfg *sc, const char *ndir)
{
	struct x509_csrspec cs = {
		sc->CN, sc->C, sc->ST, sc->L, sc->O, sc->OU, sc->email,
		&sc->sans, sc->is_ca
	};
	EVP_PKEY *key = NULL;
	X509_REQ *req = NULL;
	char *kp = path_join(ndir, "privkey.pem"), *pem = NULL;
	size_t len;
	int r;

	if (access(kp, F_OK) != 0) {
		svc_log(sc, SSLM_LOG_ERR, "Make csr requires keys (%s)", kp);
		r = SSLM_ERR_STATE;
	} else if ((r = x509_load_key(kp, &key)) != 0)
		svc_log(sc, SSLM_LOG_ERR, "cannot read %s", kp);
	else if ((r = x509_csr_build(&cs, key, &req)) != 0)
		svc_log(sc, SSLM_LOG_ERR, "CSR creation failed");
	else if ((r = x509_csr_to_pem(req, &pem, &len)) == 0)
		r = put(ndir, "csr.pem", pem, len, STORE_FILE_MODE);
	free(pem);
	free(kp);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
	return r;
}

/* Signs ndir/csr.pem and writes cert, chain, fullchain and bundle. */
static int
make_cert(struct sslm_run *run, const struct sslm_service_cfg *sc,
    const char *ndir, X509 **issued)
{
	struct signer sg;
	X509_REQ *req = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	struct buf full, bundle;
	char *cp = path_join(ndir, "csr.pem"), *kp = path_join(ndir,
	    "privkey.pem"), *cpem = NULL, *kpem = NULL;
	size_t clen = 0, klen = 0;
	int r;

	buf_init(&full, 4 * MAX_PEM);
	buf_init(&bundle, 4 * MAX_PEM);
	*issued = NULL;
	if ((r = signer_load(run, sc, &sg)) != 0) {
		free(cp);
		free(kp);
		return r;
	}
	if (access(cp, F_OK) != 0) {
		svc_log(sc, SSLM_LOG_ERR, "Cert generation not ready - "
		    "requires csr (%s)", cp);
		r = SSLM_ERR_STATE;
	} else if ((r = x509_load_csr(cp, &req)) != 0 ||
	    (r = x509_load_key(kp, &key)) != 0)
		svc_log(sc, SSLM_LOG_ERR, "cannot read %s or %s", cp, kp);
	else if ((r = x509_issue(req, sg.cert, sg.key ? sg.key : key,
	    sg.days, sg.digest, sc->is_ca, run->now, &cert)) != 0)
		svc_log(sc, SSLM_LOG_ERR, "signing failed");
	else if ((r = x509_cert_to_pem(cert, &cpem, &clen)) != 0)
		svc_log(sc, SSLM_LOG_ERR, "cannot encode cert");
	if (r != 0)
		goto out;
	/* chain: the signer's fullchain; a self-signed cert is its own. */
	if ((r = buf_add(&full, cpem, clen)) != 0 ||
	    (r = sg.fullchain ? buf_add(&full, sg.fullchain,
	    sg.fullchain_len) : 0) != 0)
		goto out;
	if ((r = read_file(kp, MAX_PEM, &kpem, &klen)) != 0 ||
	    (r = buf_add(&bundle, kpem, klen)) != 0 ||
	    (r = buf_add(&bundle, full.p, full.len)) != 0)
		goto out;
	if ((r = put(ndir, "cert.pem", cpem, clen, STORE_FILE_MODE)) != 0 ||
	    (r = put(ndir, "chain.pem", sg.fullchain ? sg.fullchain : cpem,
	    sg.fullchain ? sg.fullchain_len : clen, STORE_FILE_MODE)) != 0 ||
	    (r = put(ndir, "fullchain.pem", full.p, full.len,
	    STORE_FILE_MODE)) != 0 ||
	    (r = put(ndir, "bundle.pem", bundle.p, bundle.len,
	    STORE_KEY_MODE)) != 0)
		goto out;
	*issued = cert;
	cert = NULL;
out:
	if (bundle.p)
		explicit_bzero(bundle.p, bundle.len);
	buf_free(&bundle);
	buf_free(&full);
	freezero_secret(kpem, klen);
	free(cpem);
	free(cp);
	free(kp);
	X509_free(cert);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
	signer_free(&sg);
	return r;
}

/* new next, key (or reuse), CSR and cert: the body of a renew. */
/* next/tlsa.rr for a DANE service (spec §14.1). */
int
runsvc_write_tlsa(struct sslm_run *run, struct run_group *g,
    const struct sslm_service_cfg *sc, const char *ndir)
{
	int r;

	if (sc->n_dane == 0)
		return 0;
	if ((r = tlsa_rr_write(ndir, sc, sc->grp, g->zone ?
	    &g->zone->mx_hosts : NULL, run->now)) != 0)
		svc_log(sc, SSLM_LOG_ERR, "cannot write %s/tlsa.rr", ndir);
	return r;
}

/* The ACME CA of sc, or NULL for a self-signed or local-CA service. */
static const struct sslm_ca_info *
acme_ca(const struct sslm_run *run, const struct sslm_service_cfg *sc)
{
	const struct sslm_ca_info *ca;

	if (sc->self_signed)
		return NULL;
	ca = sslm_ca_find(run->cfg, sc->signing_ca);
	return ca && ca->kind == SSLM_CA_ACME ? ca : NULL;
}

/*
 * ARI (RFC 9773): the renewal window the ACME server suggests for curr.
 * It is cached in <svc>/cb/ari-window with the time it was fetched, and
 * fetched again only after the server's Retry-After (default 6 h).
 * Returns true with the window, or false (no ARI: the curve decides).
 */
static bool
ari_window(struct sslm_run *run, const struct sslm_service_cfg *sc,
    const struct sslm_ca_info *ca, struct svc_state *st, time_t *start,
    time_t *end)
{
	struct acme_client *c = NULL;
	char *cb = path_join(st->dir, "cb"), *cache = path_join(cb,
	    "ari-window"), *text = NULL, *line;
	long long a, b, fetched, retry;
	long ra = -1;
	bool ok = false;

	if (read_file(cache, 4096, &text, NULL) == 0 &&
	    sscanf(text, "%lld %lld %lld %lld", &a, &b, &fetched,
	    &retry) == 4 && run->now >= fetched && run->now < fetched + retry) {
		*start = (time_t)a;
		*end = (time_t)b;
		ok = true;
		goto out;
	}
	if (store_mkdir_p(cb, 0700) != 0 ||
	    run_acme_client(run, sc, ca, cb, &c) != 0 ||
	    acme_ari(c, st->curr_cert, start, end, &ra) != 0)
		goto out;
	ok = true;
	line = xasprintf("%lld %lld %lld %ld\n", (long long)*start,
	    (long long)*end, (long long)run->now, ra > 0 ? ra : 6 * 3600L);
	if (store_write_file(cache, line, strlen(line), STORE_FILE_MODE) != 0)
		svc_log(sc, SSLM_LOG_WARN, "cannot cache the ARI window");
	free(line);
out:
	acme_client_free(c);
	free(text);
	free(cache);
	free(cb);
	return ok;
}

static int
renew_into_next(struct sslm_run *run, struct run_group *g,
    const struct sslm_service_cfg *sc, struct svc_state *st, bool reuse)
{
	const struct sslm_ca_info *ca;
	char *dbname = NULL, *ndir = NULL;
	X509 *cert = NULL;
	int r;

	/*
	 * The set is built in a db dir that nothing points at, and next
	 * moves to it once it is complete: a crash half-way leaves the old
	 * next (or none) and an unlinked dir for clean, never a next
	 * without its certificate.
	 */
	if ((r = store_new_db(st->dir, run->now, &dbname)) != 0) {
		svc_log(sc, SSLM_LOG_ERR, "cannot create next in %s", st->dir);
		return r;
	}
	ndir = xasprintf("%s/db/%s", st->dir, dbname);
	if ((r = sslm_fault("next:after-mkdir")) != 0)
		goto out;
	/* The files of the new set share one directory fsync, done before
	 * next links to the set (nothing uses it before). */
	store_defer_begin(0);
	if ((ca = acme_ca(run, sc)) != NULL) {
		/* The certificate comes from the run's ACME batch, which
		 * links next when the set is complete. */
		if ((r = make_key(sc, st, ndir, reuse)) == 0 &&
		    (r = sslm_fault("renew:after-key")) == 0 &&
		    (r = make_csr(sc, ndir)) == 0 &&
		    (r = store_defer_end()) == 0)
			run_acme_queue(run, g, sc, ca, ndir);
		else
			(void)store_defer_end();
		free(ndir);
		free(dbname);
		return r == 0 ? 1 : r;
	}
	if ((r = make_key(sc, st, ndir, reuse)) == 0 &&
	    (r = sslm_fault("renew:after-key")) == 0 &&
	    (r = make_csr(sc, ndir)) == 0 &&
	    (r = sslm_fault("renew:after-csr")) == 0 &&
	    (r = make_cert(run, sc, ndir, &cert)) == 0 &&
	    (r = sslm_fault("renew:after-cert")) == 0 &&
	    (r = runsvc_write_tlsa(run, g, sc, ndir)) == 0 &&
	    (r = store_defer_end()) == 0 &&
	    (r = sslm_fault("renew:before-link")) == 0 &&
	    (r = store_link_next(st->dir, dbname)) == 0 &&
	    (r = sslm_fault("renew:after-link")) == 0) {
		runsvc_log_expiry(sc, SSLM_LOG_NOTE, "renewed", cert, run->now);
		run_event_add(run, RUN_EV_RENEW, sc, ndir);
	}
out:
	(void)store_defer_end();
	X509_free(cert);
	free(ndir);
	free(dbname);
	return r;
}

static int
do_renew(struct sslm_run *run, struct run_group *g,
    const struct sslm_service_cfg *sc, struct svc_state *st, bool *changed)
{
	int r;

	struct renew_policy pol;
	struct renew_decision d;
	bool force = run->opts->force;

	if (st->curr_cert == NULL)
		svc_log(sc, SSLM_LOG_NOTE, "no curr cert (first cert or "
		    "missed roll?): generating a new one");
	else if (force)
		runsvc_log_expiry(sc, SSLM_LOG_NOTE, "forced renew: current cert",
		    st->curr_cert, run->now);
	else {
		time_t nb = cert_time(X509_get0_notBefore(st->curr_cert));
		time_t na = cert_time(X509_get0_notAfter(st->curr_cert));

		const struct sslm_ca_info *ca = acme_ca(run, sc);
		time_t ws, we;

		renew_policy_for(run->cfg, sc, &pol);
		renew_decide(&pol, nb, na, run->now, run->rand01(), &d);
		if (ca != NULL && ari_window(run, sc, ca, st, &ws, &we)) {
			/* The server's window overrides the curve: a random
			 * time inside it, one draw per decision. */
			time_t pick = ws + (time_t)(run->rand01() *
			    difftime(we, ws));

			d.due = run->now >= pick;
			d.days_to_renew = difftime(pick, run->now) / 86400.0;
			d.adj_size = 0;
			svc_log(sc, SSLM_LOG_INFO, "ARI window %.1f to %.1f "
			    "days from now", difftime(ws, run->now) / 86400.0,
			    difftime(we, run->now) / 86400.0);
		}
		if (!d.due) {
			char date[40], cd[48];

			fmt_date_utc(na, date, sizeof(date));
			fmt_countdown((long long)(na - run->now), cd,
			    sizeof(cd));
			if (d.adj_size > 0)
				svc_log(sc, SSLM_LOG_INFO, "current cert "
				    "expires %s (%s): Renew in %.1f ± %.1f "
				    "days", date, cd, d.days_to_renew,
				    d.adj_size);
			else
				svc_log(sc, SSLM_LOG_INFO, "current cert "
				    "expires %s (%s): Renew in %.1f days",
				    date, cd, d.days_to_renew);
			return 0;
		}
		/* A renewed next that waits for its roll is not replaced:
		 * that would restart its DNS wait (upstream made a new one
		 * on every run). */
		if (st->next_cert != NULL && X509_cmp_time(
		    X509_get0_notAfter(st->next_cert), &run->now) > 0 &&
		    ASN1_TIME_compare(X509_get0_notAfter(st->next_cert),
		    X509_get0_notAfter(st->curr_cert)) > 0) {
			svc_log(sc, SSLM_LOG_INFO, "a renewed cert waits in "
			    "next (%s): roll it with -roll", st->next);
			return 0;
		}
		svc_log(sc, SSLM_LOG_INFO, "renewing cert");
	}
	r = renew_into_next(run, g, sc, st, run->opts->reuse);
	if (r == 0)
		*changed = true;
	return r > 0 ? 0 : r;	/* 1: queued for the ACME batch */
}

/*
 * The DANE gate: next's TLSA records must have been served by every
 * authoritative name server for 2 x TTL before next goes live.  Returns
 * true when the roll may go on.
 */
static bool
gate_allows(struct sslm_run *run, struct run_group *g,
    const struct sslm_service_cfg *sc, struct svc_state *st)
{
	struct gate_result gr;
	bool open;

	if (sc->n_dane == 0 || !run->cfg->dane_roll_gate)
		return true;
	if (g->zone == NULL) {
		svc_log(sc, SSLM_LOG_ERR, "Too soon to roll: no DNS view of "
		    "%s to check next's TLSA records", sc->grp);
		return false;
	}
	if (gate_check(run->cfg, sc, g->zone, st->dir, run->now,
	    RUN_DNS_TIMEOUT_MS, RUN_DNS_RETRIES, &gr) != 0 && gr.reason ==
	    NULL)
		gr.reason = xstrdup("Too soon to roll: the DANE check failed");
	open = gr.open;
	svc_log(sc, open ? SSLM_LOG_INFO : SSLM_LOG_NOTE, "%s", gr.reason);
	for (size_t i = 0; i < gr.lines.n; i++)
		svc_log(sc, SSLM_LOG_INFO, "  %s", gr.lines.v[i]);
	gate_result_free(&gr);
	return open;
}

static int
do_roll(struct sslm_run *run, struct run_group *g,
    const struct sslm_service_cfg *sc, struct svc_state *st, bool force,
    bool *changed)
{
	int r;

	if (st->next == NULL || st->next_cert == NULL) {
		if (force) {
			svc_log(sc, SSLM_LOG_ERR, "cannot roll: no next "
			    "cert in %s", st->dir);
			return SSLM_ERR_STATE;
		}
		svc_log(sc, SSLM_LOG_INFO, "Nothing to roll: no next cert");
		return 0;
	}
	if (!force && st->curr != NULL) {
		long age = roll_age_mins(cert_time(
		    X509_get0_notBefore(st->next_cert)), run->now);

		if (age < run->min_roll_mins) {
			svc_log(sc, SSLM_LOG_INFO, "Too soon to roll: cert is "
			    "%ld mins old < %d mins", age, run->min_roll_mins);
			return 0;
		}
		svc_log(sc, SSLM_LOG_INFO, "Okay to roll: cert is %ld mins "
		    "old", age);
	}
	if (!force && !gate_allows(run, g, sc, st))
		return 0;
	if ((r = store_roll(st->dir, sc->svc, run->now)) != 0) {
		svc_log(sc, SSLM_LOG_ERR, "roll failed: %s", sslm_strerror(r));
		return r;
	}
	runsvc_log_expiry(sc, SSLM_LOG_NOTE, "rolled next to curr", st->next_cert,
	    run->now);
	{
		char *d = xasprintf("%s/db/%s", st->dir, st->next);

		run_event_add(run, RUN_EV_ROLL, sc, d);
		free(d);
	}
	*changed = true;
	return 0;
}

/*
 * dev -keys / -copy make a fresh next; -csr and -cert then work in that
 * same next, or alone on the existing next (upstream made an empty next
 * for each step, so they only worked together).
 */
static int
do_dev_steps(struct sslm_run *run, struct run_group *g,
    const struct sslm_service_cfg *sc, struct svc_state *st, bool *changed)
{
	const struct sslm_opts *o = run->opts;
	char *dbname = NULL, *ndir = NULL;
	X509 *cert = NULL;
	int r = 0;

	if (o->new_keys || o->copy_csr) {
		if ((r = store_new_next(st->dir, run->now, &dbname)) != 0)
			return r;
		ndir = xasprintf("%s/db/%s", st->dir, dbname);
		r = make_key(sc, st, ndir, o->copy_csr && !o->new_keys);
	} else if (st->next == NULL) {
		svc_log(sc, SSLM_LOG_ERR, "dev %s needs a next: add -keys "
		    "(or -copy)", o->new_csr ? "-csr" :
		    "-cert");
		return SSLM_ERR_STATE;
	} else
		ndir = xasprintf("%s/db/%s", st->dir, st->next);
	if (r == 0 && (o->new_csr || (o->copy_csr && !o->new_keys)))
		r = make_csr(sc, ndir);
	if (r == 0)
		*changed = true;
	if (r == 0 && o->new_cert && acme_ca(run, sc) != NULL) {
		/* The certificate comes from the run's ACME batch. */
		run_acme_queue(run, g, sc, acme_ca(run, sc), ndir);
	} else if (r == 0 && o->new_cert && (r = make_cert(run, sc, ndir,
	    &cert)) == 0 && (r = runsvc_write_tlsa(run, g, sc, ndir)) == 0)
		runsvc_log_expiry(sc, SSLM_LOG_NOTE, "new cert in next", cert,
		    run->now);
	X509_free(cert);
	free(ndir);
	free(dbname);
	return r;
}

int
runsvc_tasks(struct sslm_run *run, struct run_group *g,
    const struct sslm_service_cfg *sc, bool *changed)
{
	const struct sslm_opts *o = run->opts;
	struct svc_state st;
	char *gdir;
	int fixed = 0, r = 0;

	sslm_log(SSLM_LOG_DEBUG, "%s:%s: tasks", sc->grp, sc->svc);
	gdir = xasprintf("%s/%s", run->certs_dir, sc->grp);
	if (store_mkdir_p(gdir, STORE_DIR_MODE) != 0) {
		sslm_log(SSLM_LOG_ERR, "%s: cannot create", gdir);
		free(gdir);
		return SSLM_ERR_IO;
	}
	free(gdir);
	svc_state_load(run, sc, &st);
	if (store_mkdir_p(st.dir, STORE_DIR_MODE) != 0 ||
	    store_recover(st.dir, &fixed) != 0) {
		sslm_log(SSLM_LOG_ERR, "%s: cannot prepare", st.dir);
		svc_state_free(&st);
		return SSLM_ERR_IO;
	}
	if (fixed) {
		svc_state_free(&st);
		svc_state_load(run, sc, &st);
	}
	*changed = false;
	if (o->renew)
		r = do_renew(run, g, sc, &st, changed);
	if (r == 0 && (o->new_keys || o->copy_csr || o->new_csr ||
	    o->new_cert)) {
		svc_state_free(&st);
		svc_state_load(run, sc, &st);
		r = do_dev_steps(run, g, sc, &st, changed);
	}
	/* A renewal waiting for ACME rolls after the batch (runsvc_roll). */
	if (r == 0 && (o->roll || o->next_to_curr) &&
	    !run_acme_queued(run, sc)) {
		svc_state_free(&st);
		svc_state_load(run, sc, &st);
		r = do_roll(run, g, sc, &st, o->force || o->next_to_curr,
		    changed);
	}
	svc_state_free(&st);
	return r;
}

int
runsvc_roll(struct sslm_run *run, struct run_group *g,
    const struct sslm_service_cfg *sc, bool *changed)
{
	const struct sslm_opts *o = run->opts;
	struct svc_state st;
	int r;

	*changed = false;
	svc_state_load(run, sc, &st);
	r = do_roll(run, g, sc, &st, o->force || o->next_to_curr, changed);
	svc_state_free(&st);
	return r;
}
