/*
 * status.c - "-s": curr and next of every service of the run (spec §16),
 * plus what upstream never showed: when the renewal is due and whether a
 * roll is due.  Reads only; never writes to the tree.
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "certcache.h"
#include "err.h"
#include "par.h"
#include "plan.h"
#include "prod.h"
#include "renew.h"
#include "run.h"
#include "runsvc.h"
#include "store.h"
#include "timefmt.h"
#include "x509.h"

#define DASHES	"------------------------"
#define LBL	"         %12s : "

/* A certificate of a link as the status shows it. */
struct cert_view {
	bool			 present;	/* a cert.pem was parsed */
	bool			 info;		/* ci holds its summary */
	struct x509_certinfo	 ci;
	time_t			 nb, na;	/* validity, 0 when unreadable */
};

/* What the status reads of a service: its links and their certificates. */
struct status_state {
	char			*dir;
	char			*curr, *next, *prev;
	struct cert_view	 cv_curr, cv_next;
	/* The linked sets' db directories, when stat'ed (for the cached
	 * summaries and the production stamps alike). */
	struct stat		 dbst[2];
	bool			 dbst_ok[2];
};

/*
 * The cert.pem of db dir name.  The key-free peek first; the common case
 * ends there.  Anything it does not know takes the full parse, which
 * logs what is wrong as svc_state_load and x509_certinfo_get do.
 */
static void
cert_view_load(int gfd, const char *dir, const char *svc, const char *name,
    bool full, const struct cert_cache *cc, struct stat *dbst, bool *dbst_ok,
    struct cert_view *v)
{
	X509	*x = NULL;
	char	*p, rel[PATH_MAX];
	int	 r;

	memset(v, 0, sizeof(*v));
	if (name == NULL)
		return;
	/* One stat of the set answers when a run cached its summary. */
	if (!full && cc != NULL) {
		if (gfd >= 0 && (size_t)snprintf(rel, sizeof(rel), "%s/db/%s",
		    svc, name) < sizeof(rel))
			*dbst_ok = fstatat(gfd, rel, dbst, 0) == 0;
		else {
			p = xasprintf("%s/db/%s", dir, name);
			*dbst_ok = stat(p, dbst) == 0;
			free(p);
		}
	}
	if (*dbst_ok && cert_cache_get(cc, svc, name, dbst, &v->ci)) {
		v->present = v->info = true;
		v->nb = v->ci.not_before;
		v->na = v->ci.not_after;
		return;
	}
	p = xasprintf("%s/db/%s/cert.pem", dir, name);
	if ((r = x509_certinfo_peek(p, full, &v->ci)) == 0) {
		v->present = v->info = true;
		v->nb = v->ci.not_before;
		v->na = v->ci.not_after;
	} else if (r != SSLM_ERR_NOTFOUND && access(p, F_OK) == 0 &&
	    x509_load_cert(p, &x) == 0) {
		v->present = true;
		v->nb = x509_asn1_time(X509_get0_notBefore(x));
		v->na = x509_asn1_time(X509_get0_notAfter(x));
		v->info = x509_certinfo_get(x, &v->ci) == 0;
		X509_free(x);
	}
	free(p);
}

/*
 * States read ahead on every core (status_prefetch), taken in the order
 * the report asks for them.  Only while sslm_run_status runs.
 */
struct prefetch {
	struct sslm_run		 *run;
	const struct sslm_service_cfg **sc;
	struct status_state	 *st;
	struct cert_cache	**caches;	/* one a group */
	size_t			 *first;	/* a group's first */
	struct strlist		 *drift;	/* a group's drift */
	int			 *prod_r;	/* its check's result */
	struct buf		 *text;		/* a group's text, or NULL */
	size_t			  n, cursor;
	bool			  full;
	/* The text report goes out a group at a time, in group order, as
	 * soon as the groups before it are out (emit_group). */
	pthread_mutex_t		  emit_lock;
	bool			 *done;
	size_t			  emit_next;
	struct buf		 *out;
	FILE			 *stream;
	int			  emit_r;
};
static struct prefetch *prefetched;

static void	text_service_state(const struct sslm_run *,
		    const struct sslm_service_cfg *, const struct status_state *,
		    struct buf *);
static void	status_state_read(const struct sslm_run *, int,
		    const struct sslm_service_cfg *, bool, const struct cert_cache *,
		    struct status_state *);
static void	status_state_free(struct status_state *);

static void
status_state_load(const struct sslm_run *run, const struct sslm_service_cfg *sc,
    bool full, struct status_state *st)
{
	struct prefetch *pf = prefetched;

	if (pf != NULL && pf->st != NULL && pf->cursor < pf->n &&
	    pf->sc[pf->cursor] == sc &&
	    pf->full == full) {
		*st = pf->st[pf->cursor];
		memset(&pf->st[pf->cursor++], 0, sizeof(*st));
		return;
	}
	status_state_read(run, -1, sc, full, NULL, st);
}

static int	report_flush(struct buf *, FILE *);

/*
 * Group g's text is ready: it and every ready group after it go out
 * while the groups before them are out.  The report is never held whole
 * (10,000 services are 7.7 MB of it), and a group finished early waits
 * only for the one another core is still on.  After a write error
 * nothing more is written, as the report stops at its limit.
 */
static void
emit_group(struct prefetch *pf, size_t g)
{
	const struct sslm_run *run = pf->run;

	(void)pthread_mutex_lock(&pf->emit_lock);
	pf->done[g] = true;
	while (pf->emit_next < run->n_groups && pf->done[pf->emit_next]) {
		size_t i = pf->emit_next++;
		const struct buf *t = &pf->text[i];
		struct buf *b = pf->out;

		/* Straight to the stream when there is one: no copy. */
		if (pf->emit_r == 0) {
			(void)buf_printf(b, DASHES "\n%s\n",
			    run->groups[i].grp);
			if (pf->stream != NULL)
				pf->emit_r = report_flush(b, pf->stream) == 0 &&
				    (t->len == 0 || fwrite(t->p, 1, t->len,
				    pf->stream) == t->len) ? 0 : SSLM_ERR_IO;
			else
				pf->emit_r = t->len > 0 ?
				    buf_add(b, t->p, t->len) : 0;
		}
		buf_free(&pf->text[i]);
	}
	(void)pthread_mutex_unlock(&pf->emit_lock);
}

/*
 * One group: its cached certificate summaries, its services' links and
 * certificates, then its production check with the links just read.
 */
static void
prefetch_group(size_t g, void *arg)
{
	struct prefetch *pf = arg;
	const struct sslm_run *run = pf->run;
	struct prod_scope sc;
	struct status_state *states;
	const char **links;
	const struct stat **dbdirs;
	size_t first = pf->first[g], n = run->groups[g].n;
	char *dir;
	int gfd;

	if (!pf->full)
		pf->caches[g] = cert_cache_load(run->certs_dir,
		    run->groups[g].grp);
	links = xcalloc(2 * n + 1, sizeof(*links));
	dbdirs = xcalloc(2 * n + 1, sizeof(*dbdirs));
	memset(&sc, 0, sizeof(sc));
	sc.grp = run->groups[g].grp;
	/* The links and sets are read under the group's directory: every
	 * lookup walks two or three names, not the whole topdir path. */
	dir = path_join(run->certs_dir, sc.grp);
	gfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	/*
	 * The text report is formatted here, so its states live only as
	 * long as their group: each core reuses the same memory group after
	 * group, where 10,000 services' states held to the end were 10 MB of
	 * fresh pages, a quarter of -s's page faults.  JSON takes them in
	 * report order later (status_state_load).
	 */
	states = pf->text != NULL ? xcalloc(n + 1, sizeof(*states)) :
	    &pf->st[first];
	for (size_t k = 0; k < n; k++) {
		struct status_state *st = &states[k];

		status_state_read(run, gfd, pf->sc[first + k], pf->full,
		    pf->caches[g], st);
		links[2 * k] = st->curr;
		links[2 * k + 1] = st->next;
		for (int w = 0; w < 2; w++)
			dbdirs[2 * k + w] = st->dbst_ok[w] ? &st->dbst[w] :
			    NULL;
		strlist_add(&sc.svcs, run->groups[g].svcs[k]->svc);
	}
	sc.links = links;
	sc.dbdirs = dbdirs;
	pf->prod_r[g] = prod_check_group(run->certs_dir, run->prod_dir, &sc,
	    false, &pf->drift[g]);
	/* The text report's lines too: formatting 10,000 services is work
	 * worth sharing out as well. */
	if (pf->text != NULL) {
		for (size_t k = 0; k < n; k++) {
			text_service_state(run, pf->sc[first + k], &states[k],
			    &pf->text[g]);
			status_state_free(&states[k]);
		}
		free(states);
		cert_cache_free(pf->caches[g]);
		pf->caches[g] = NULL;
		emit_group(pf, g);
	}
	strlist_clear(&sc.svcs);
	free(links);
	free(dbdirs);
	if (gfd >= 0)
		(void)close(gfd);
}

/*
 * Reads every service's links and certificates and checks production,
 * a group at a time on every core; the drift goes to run->drift in group
 * order as sslm_run_check_prod gives it.  Returns that check's result.
 */
static int
status_prefetch(struct sslm_run *run, bool full, bool text, struct buf *b,
    FILE *stream, struct prefetch **out)
{
	struct prefetch *pf = xcalloc(1, sizeof(*pf));
	size_t n = 0, ng = run->n_groups;
	int r = 0;

	for (size_t g = 0; g < ng; g++)
		n += run->groups[g].n;
	pf->run = run;
	pf->full = full;
	pf->sc = xcalloc(n + 1, sizeof(*pf->sc));
	if (!text)
		pf->st = xcalloc(n + 1, sizeof(*pf->st));
	pf->caches = xcalloc(ng + 1, sizeof(*pf->caches));
	pf->first = xcalloc(ng + 1, sizeof(*pf->first));
	pf->drift = xcalloc(ng + 1, sizeof(*pf->drift));
	pf->prod_r = xcalloc(ng + 1, sizeof(*pf->prod_r));
	if (text) {
		pf->text = xcalloc(ng + 1, sizeof(*pf->text));
		for (size_t g = 0; g < ng; g++)
			buf_init(&pf->text[g], SIZE_MAX / 2);
		pf->done = xcalloc(ng + 1, sizeof(*pf->done));
		pf->out = b;
		pf->stream = stream;
		(void)pthread_mutex_init(&pf->emit_lock, NULL);
		(void)buf_printf(b, DASHES "\nStart group/domain tasks :\n");
	}
	for (size_t g = 0; g < ng; g++) {
		pf->first[g] = pf->n;
		for (size_t k = 0; k < run->groups[g].n; k++)
			pf->sc[pf->n++] = run->groups[g].svcs[k];
	}
	par_for(ng, prefetch_group, pf);
	strlist_clear(&run->drift);
	/* As the sequential check: groups in order, up to the first error. */
	for (size_t g = 0; g < ng; g++) {
		for (size_t i = 0; r == 0 && i < pf->drift[g].n; i++)
			strlist_add_nodup(&run->drift,
			    xstrdup(pf->drift[g].v[i]));
		if (r == 0)
			r = pf->prod_r[g];
		strlist_clear(&pf->drift[g]);
	}
	*out = pf;
	return r;
}

/* One group's states and cache (freed on every core, as they were made:
 * 10,000 services' worth was 2 % of -s, all of it on one core). */
static void
prefetch_free_group(size_t g, void *arg)
{
	struct prefetch *pf = arg;
	size_t end = g + 1 < pf->run->n_groups ? pf->first[g + 1] : pf->n;

	for (size_t i = pf->first[g]; pf->st != NULL && i < end; i++)
		status_state_free(&pf->st[i]);
	cert_cache_free(pf->caches[g]);
}

static void
prefetch_free(struct prefetch *pf)
{
	if (pf == NULL)
		return;
	par_for(pf->run->n_groups, prefetch_free_group, pf);
	free(pf->caches);
	free(pf->first);
	free(pf->drift);
	free(pf->prod_r);
	for (size_t g = 0; pf->text != NULL && g < pf->run->n_groups; g++)
		buf_free(&pf->text[g]);
	free(pf->text);
	if (pf->done != NULL) {
		free(pf->done);
		(void)pthread_mutex_destroy(&pf->emit_lock);
	}
	free(pf->st);
	free(pf->sc);
	free(pf);
}

/* The link name of svc under a group fd (NULL: use the whole path). */
static const char *
link_rel(int gfd, const char *svc, const char *name, char *rel, size_t size)
{
	if (gfd < 0 || (size_t)snprintf(rel, size, "%s/%s", svc, name) >= size)
		return NULL;
	return rel;
}

/* gfd: the group's certs directory, or -1 (whole paths). */
static void
status_state_read(const struct sslm_run *run, int gfd,
    const struct sslm_service_cfg *sc, bool full, const struct cert_cache *cc,
    struct status_state *st)
{
	char rel[PATH_MAX];

	memset(st, 0, sizeof(*st));
	st->dir = sslm_svc_dir(run, sc->grp, sc->svc);
	if (store_link_getat(gfd, link_rel(gfd, sc->svc, "curr", rel,
	    sizeof(rel)), st->dir, "curr", &st->curr) != 0)
		st->curr = NULL;
	if (store_link_getat(gfd, link_rel(gfd, sc->svc, "next", rel,
	    sizeof(rel)), st->dir, "next", &st->next) != 0)
		st->next = NULL;
	/* Only the JSON report names prev (full); 10,000 readlinks less. */
	if (full && store_link_getat(gfd, link_rel(gfd, sc->svc, "prev", rel,
	    sizeof(rel)), st->dir, "prev", &st->prev) != 0)
		st->prev = NULL;
	cert_view_load(gfd, st->dir, sc->svc, st->curr, full, cc,
	    &st->dbst[0], &st->dbst_ok[0], &st->cv_curr);
	cert_view_load(gfd, st->dir, sc->svc, st->next, full, cc,
	    &st->dbst[1], &st->dbst_ok[1], &st->cv_next);
}

static void
status_state_free(struct status_state *st)
{
	free(st->dir);
	free(st->curr);
	free(st->next);
	free(st->prev);
	if (st->cv_curr.info)
		x509_certinfo_free(&st->cv_curr.ci);
	if (st->cv_next.info)
		x509_certinfo_free(&st->cv_next.ci);
	memset(st, 0, sizeof(*st));
}

/* The renew decision without the random part (its middle). */
static void
renew_view(const struct sslm_run *run, const struct sslm_service_cfg *sc,
    const struct cert_view *v, struct renew_decision *d)
{
	struct renew_policy pol;

	renew_policy_for(run->cfg, sc, &pol);
	renew_decide(&pol, v->nb, v->na, run->now, 0.5, d);
}

static void
text_cert(const struct sslm_run *run, const char *link,
    const struct cert_view *v, struct buf *b)
{
	const struct x509_certinfo *ci = &v->ci;
	char d1[40], d2[40], c1[48], c2[48];
	double life;

	if (!v->present || !v->info) {
		(void)buf_printf(b, "         %-12s : cert.pem missing or "
		    "unreadable\n", link);
		return;
	}
	fmt_date_utc(ci->not_after, d1, sizeof(d1));
	fmt_date_utc(ci->not_before, d2, sizeof(d2));
	fmt_countdown((long long)(ci->not_after - run->now), c1, sizeof(c1));
	fmt_countdown((long long)(run->now - ci->not_before), c2, sizeof(c2));
	life = difftime(ci->not_after, ci->not_before) / 86400.0;
	(void)buf_printf(b, "         %-12s : expires: %s (%s)\n", link, d1,
	    c1);
	(void)buf_printf(b, LBL "issued : %s (%s ago) (%.0f day cert)\n", "",
	    d2, c2, life);
	(void)buf_printf(b, LBL "CN=%s O=%s\n", "issuer",
	    ci->issuer_cn ? ci->issuer_cn : "", ci->issuer_o ? ci->issuer_o :
	    "");
	(void)buf_printf(b, LBL "CN=%s\n", "subject",
	    ci->subject_cn ? ci->subject_cn : "");
	(void)buf_printf(b, LBL "%s\n", "pubkey", ci->pubkey);
	if (run->verbose) {
		(void)buf_printf(b, LBL "[", "sans");
		for (size_t i = 0; i < ci->sans.n; i++)
			(void)buf_printf(b, "%s'%s'", i ? ", " : "",
			    ci->sans.v[i]);
		(void)buf_printf(b, "]\n");
		(void)buf_printf(b, LBL "%s\n", "sig_algo", ci->sig_algo);
		(void)buf_printf(b, LBL "%s\n", "sha256", ci->sha256_fp);
	}
}

/* One service of the text status, from its state (any thread). */
static void
text_service_state(const struct sslm_run *run,
    const struct sslm_service_cfg *sc, const struct status_state *st,
    struct buf *b)
{
	struct renew_decision d;

	(void)buf_printf(b, "  %s\n", sc->svc);
	if (st->curr) {
		text_cert(run, "curr", &st->cv_curr, b);
		if (st->cv_curr.present) {
			renew_view(run, sc, &st->cv_curr, &d);
			if (d.due)
				(void)buf_printf(b, LBL "due now (%.1f days "
				    "before expiry)\n", "renew", d.target);
			else
				(void)buf_printf(b, LBL "in %.1f days (%.1f "
				    "days before expiry)\n", "renew",
				    d.days_to_renew, d.target);
		}
	} else
		(void)buf_printf(b, "         %-12s : none\n", "curr");
	if (st->next) {
		text_cert(run, "next", &st->cv_next, b);
		if (st->cv_next.present) {
			long age = roll_age_mins(st->cv_next.nb, run->now);
			char span[32];

			if (st->curr == NULL || age >= run->min_roll_mins)
				(void)buf_printf(b, LBL "due now (next is %ld "
				    "mins old, min %d)\n", "roll", age,
				    run->min_roll_mins);
			else {
				fmt_span_short((long long)(run->min_roll_mins -
				    age) * 60, span, sizeof(span));
				(void)buf_printf(b, LBL "in %s (next is %ld "
				    "mins old, min %d)\n", "roll", span, age,
				    run->min_roll_mins);
			}
		}
	}
}

static void
text_service(struct sslm_run *run, const struct sslm_service_cfg *sc,
    struct buf *b)
{
	struct status_state st;

	status_state_load(run, sc, run->verbose, &st);
	text_service_state(run, sc, &st, b);
	status_state_free(&st);
}

static json_t *
json_cert(struct sslm_run *run, const char *db, const struct cert_view *v)
{
	const struct x509_certinfo ci = v->ci;
	json_t *o, *sans;

	o = json_object();
	json_object_set_new(o, "db", json_string(db));
	if (!v->present || !v->info) {
		json_object_set_new(o, "error", json_string("cert.pem missing "
		    "or unreadable"));
		return o;
	}
	sans = json_array();
	for (size_t i = 0; i < ci.sans.n; i++)
		json_array_append_new(sans, json_string(ci.sans.v[i]));
	json_object_set_new(o, "not_before", json_integer(ci.not_before));
	json_object_set_new(o, "not_after", json_integer(ci.not_after));
	json_object_set_new(o, "days_left", json_real(
	    difftime(ci.not_after, run->now) / 86400.0));
	json_object_set_new(o, "lifetime_days", json_real(
	    difftime(ci.not_after, ci.not_before) / 86400.0));
	json_object_set_new(o, "subject", json_string(ci.subject ?
	    ci.subject : ""));
	json_object_set_new(o, "issuer", json_string(ci.issuer ?
	    ci.issuer : ""));
	json_object_set_new(o, "sans", sans);
	json_object_set_new(o, "pubkey", json_string(ci.pubkey));
	json_object_set_new(o, "sig_algo", json_string(ci.sig_algo));
	json_object_set_new(o, "sha256", json_string(ci.sha256_fp));
	json_object_set_new(o, "is_ca", json_boolean(ci.is_ca));
	return o;
}

static json_t *
json_service(struct sslm_run *run, const struct sslm_service_cfg *sc)
{
	struct status_state st;
	struct renew_decision d;
	json_t *o = json_object(), *r;

	status_state_load(run, sc, true, &st);
	json_object_set_new(o, "name", json_string(sc->svc));
	json_object_set_new(o, "signing_ca", json_string(sc->self_signed ?
	    "self" : sc->signing_ca));
	json_object_set_new(o, "curr", st.curr ? json_cert(run, st.curr,
	    &st.cv_curr) : json_null());
	json_object_set_new(o, "next", st.next ? json_cert(run, st.next,
	    &st.cv_next) : json_null());
	json_object_set_new(o, "prev", st.prev ? json_string(st.prev) :
	    json_null());
	r = json_object();
	if (st.cv_curr.present) {
		renew_view(run, sc, &st.cv_curr, &d);
		json_object_set_new(r, "due", json_boolean(d.due));
		json_object_set_new(r, "days_to_renew",
		    json_real(d.days_to_renew));
		json_object_set_new(r, "target_days", json_real(d.target));
	} else
		json_object_set_new(r, "due", json_true());
	json_object_set_new(o, "renew", r);
	r = json_object();
	if (st.cv_next.present) {
		long age = roll_age_mins(st.cv_next.nb, run->now);

		json_object_set_new(r, "due", json_boolean(st.curr == NULL ||
		    age >= run->min_roll_mins));
		json_object_set_new(r, "next_age_mins", json_integer(age));
	} else
		json_object_set_new(r, "due", json_false());
	json_object_set_new(r, "min_roll_mins",
	    json_integer(run->min_roll_mins));
	json_object_set_new(o, "roll", r);
	status_state_free(&st);
	return o;
}

/* The record of the last changing run, or null when there is none. */
static json_t *
json_last_run(struct sslm_run *run)
{
	struct sslm_last_run lr;
	json_t *o;

	if (sslm_last_run_read(run->cfg->topdir, &lr) != 0)
		return json_null();
	o = json_object();
	json_object_set_new(o, "time", json_integer(lr.time));
	json_object_set_new(o, "success", json_boolean(lr.success));
	json_object_set_new(o, "failures", json_integer(lr.failures));
	json_object_set_new(o, "command", json_string(lr.command));
	free(lr.command);
	return o;
}

/*
 * The DANE roll gate of a service whose next is old enough, decided as
 * the plan decides it from what the store records (no DNS asked).
 */
static void
status_gate(struct sslm_run *run, const struct sslm_service_cfg *sc,
    const struct status_state *st, struct sslm_svc_status *out)
{
	struct renew_policy pol;
	struct plan_input in;
	struct plan_item it;

	memset(&in, 0, sizeof(in));
	plan_gate_inputs(run, sc, st->dir, st->curr, st->next, &in);
	if (!in.gate)
		return;
	renew_policy_for(run->cfg, sc, &pol);
	in.now = run->now;
	in.pol = &pol;
	in.min_roll_mins = run->min_roll_mins;
	in.has_curr = true;
	in.curr_nb = st->cv_curr.nb;
	in.curr_na = st->cv_curr.na;
	in.has_next = true;
	in.next_nb = st->cv_next.nb;
	in.next_na = st->cv_next.na;
	plan_decide(&in, &it);
	if (it.roll == PLAN_ROLL_GATE) {
		out->roll_due = false;
		out->gate_wait = true;
		out->gate_open_at = it.roll_at;
		snprintf(out->gate_waiting, sizeof(out->gate_waiting), "%s",
		    in.gate_waiting);
	}
	plan_item_clear(&it);
}

void
sslm_run_status_svc(struct sslm_run *run, const struct sslm_service_cfg *sc,
    struct sslm_svc_status *out)
{
	struct status_state st;
	struct renew_decision d;

	memset(out, 0, sizeof(*out));
	status_state_load(run, sc, false, &st);
	if (st.curr != NULL && st.cv_curr.present && st.cv_curr.info) {
		out->has_curr = true;
		out->not_before = st.cv_curr.ci.not_before;
		out->not_after = st.cv_curr.ci.not_after;
		out->lifetime_days = difftime(st.cv_curr.ci.not_after,
		    st.cv_curr.ci.not_before) / 86400.0;
		snprintf(out->pubkey, sizeof(out->pubkey), "%s",
		    st.cv_curr.ci.pubkey);
	}
	out->has_next = st.next != NULL;
	if (st.cv_curr.present) {
		renew_view(run, sc, &st.cv_curr, &d);
		out->renew_due = d.due;
		out->days_to_renew = d.days_to_renew;
	} else
		out->renew_due = true;
	if (st.cv_next.present) {
		out->next_age_mins = roll_age_mins(st.cv_next.nb, run->now);
		out->roll_due = st.curr == NULL ||
		    out->next_age_mins >= run->min_roll_mins;
	}
	out->min_roll_mins = run->min_roll_mins;
	if (out->roll_due && st.curr != NULL && st.cv_curr.present)
		status_gate(run, sc, &st, out);
	status_state_free(&st);
}

static void	status_report(struct sslm_run *, bool, bool, struct buf *,
		    FILE *);

void
sslm_run_status(struct sslm_run *run, bool json, struct buf *b)
{
	sslm_run_status_to(run, json, b, NULL);
}

void
sslm_run_status_to(struct sslm_run *run, bool json, struct buf *b,
    FILE *stream)
{
	/* Reads only: a status request never resyncs (upstream did). */
	bool prod_ok = status_prefetch(run, json ? true : run->verbose, !json,
	    b, stream, &prefetched) == 0;

	status_report(run, json, prod_ok, b, stream);
	prefetch_free(prefetched);
	prefetched = NULL;
}

/* What b holds so far goes to stream (when there is one). */
static int
report_flush(struct buf *b, FILE *stream)
{
	if (stream == NULL || b->len == 0)
		return 0;
	if (fwrite(b->p, 1, b->len, stream) != b->len)
		return SSLM_ERR_IO;
	b->len = 0;
	b->p[0] = '\0';
	return 0;
}

static void
status_report(struct sslm_run *run, bool json, bool prod_ok, struct buf *b,
    FILE *stream)
{
	if (json) {
		json_t *root = json_object(), *groups = json_array();
		char *s;

		json_object_set_new(root, "schema", json_string(
		    "ssl-mgr-status/1"));
		json_object_set_new(root, "time", json_integer(run->now));
		json_object_set_new(root, "topdir", json_string(
		    run->cfg->topdir));
		for (size_t i = 0; i < run->n_groups; i++) {
			json_t *g = json_object(), *svcs = json_array();

			json_object_set_new(g, "name", json_string(
			    run->groups[i].grp));
			for (size_t k = 0; k < run->groups[i].n; k++)
				json_array_append_new(svcs, json_service(run,
				    run->groups[i].svcs[k]));
			json_object_set_new(g, "services", svcs);
			json_array_append_new(groups, g);
		}
		json_object_set_new(root, "groups", groups);
		json_object_set_new(root, "last_run", json_last_run(run));
		{
			json_t *p = json_object(), *d = json_array();

			for (size_t i = 0; i < run->drift.n; i++)
				json_array_append_new(d,
				    json_string(run->drift.v[i]));
			json_object_set_new(p, "dir", json_string(
			    run->prod_dir));
			json_object_set_new(p, "checked", json_boolean(
			    prod_ok));
			json_object_set_new(p, "in_sync", json_boolean(
			    prod_ok && run->drift.n == 0));
			json_object_set_new(p, "drift", d);
			json_object_set_new(root, "production", p);
		}
		s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		(void)buf_printf(b, "%s\n", s ? s : "{}");
		free(s);
		json_decref(root);
		(void)report_flush(b, stream);
		return;
	}
	/* The prefetch wrote the groups as they were read (emit_group). */
	if (prefetched == NULL || prefetched->text == NULL) {
		(void)buf_printf(b, DASHES "\nStart group/domain tasks :\n");
		for (size_t i = 0; i < run->n_groups; i++) {
			(void)buf_printf(b, DASHES "\n%s\n",
			    run->groups[i].grp);
			for (size_t k = 0; k < run->groups[i].n; k++)
				text_service(run, run->groups[i].svcs[k], b);
		}
	}
	(void)buf_printf(b, "\nDone group tasks:\n" DASHES "\n");
	if (prod_ok)
		(void)buf_printf(b, "Production %s: %s\n", run->prod_dir,
		    run->drift.n ? "differs from certs/ (the next changing run "
		    "resyncs it):" : "in sync");
	else
		(void)buf_printf(b, "Production %s: cannot be checked\n",
		    run->prod_dir);
	for (size_t i = 0; i < run->drift.n; i++)
		(void)buf_printf(b, "  %s\n", run->drift.v[i]);
	(void)buf_printf(b, "\n");
	(void)report_flush(b, stream);
}
