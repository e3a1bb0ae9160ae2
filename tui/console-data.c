/*
 * console-data.c - the console's model: the status of the active groups
 * and services, read in-process through sslm_run_status_svc, the same
 * code (and the same key-free certificate peek) as "ssl-mgr -s --json".
 * The production check, which reads every file of every set, runs after
 * the first frame (con_data_prod): the rows show at once, their Prod
 * column a moment later.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "console.h"
#include "opts.h"
#include "run.h"
#include "util.h"

static void
row_free(struct con_row *r)
{
	free(r->grp);
	free(r->svc);
	free(r->key);
}

void
con_data_free(struct console *c)
{
	for (size_t i = 0; i < c->nrows; i++)
		row_free(&c->rows[i]);
	free(c->rows);
	free(c->view);
	sslm_run_free(c->run);
	c->run = NULL;
	c->prod_pending = c->rows_pending = false;
	c->rows = NULL;
	c->view = NULL;
	c->nrows = c->nview = 0;
	sslm_config_free(c->cfg);
	c->cfg = NULL;
	strlist_clear(&c->drift);
}

/* "pubkey-secp384r1" -> "ec-p384": the short names people use. */
static void
short_key(const char *pk, char *out, size_t len)
{
	if (strncmp(pk, "pubkey-", 7) == 0)
		pk += 7;
	if (strcmp(pk, "secp384r1") == 0)
		pk = "ec-p384";
	else if (strcmp(pk, "prime256v1") == 0 ||
	    strcmp(pk, "secp256r1") == 0)
		pk = "ec-p256";
	else if (strcmp(pk, "secp521r1") == 0)
		pk = "ec-p521";
	snprintf(out, len, "%s", pk);
}

static void
cfg_key(const struct sslm_service_cfg *sc, char *out, size_t len)
{
	switch (sc->ktype) {
	case SSLM_KEY_RSA:
		snprintf(out, len, "rsa-%d", sc->rsa_bits);
		break;
	case SSLM_KEY_ED25519:
		snprintf(out, len, "ed25519");
		break;
	default:
		short_key(sc->ec_curve ? sc->ec_curve : "secp384r1", out,
		    len);
		break;
	}
}

/* The CA column: "self", a local CA's name, or "<acme ca> dns-01". */
static void
ca_label(const struct console *c, const char *signing, char *out,
    size_t len)
{
	const struct sslm_ca_info *ca;

	if (signing == NULL || *signing == '\0' ||
	    strcmp(signing, "self") == 0) {
		snprintf(out, len, "self");
		return;
	}
	ca = c->cfg ? sslm_ca_find(c->cfg, signing) : NULL;
	if (ca == NULL || ca->kind != SSLM_CA_ACME) {
		snprintf(out, len, "%s", signing);
		return;
	}
	snprintf(out, len, "%s %s", signing,
	    ca->validation == SSLM_VALID_DNS ? "dns-01" :
	    ca->validation == SSLM_VALID_HTTP ? "http-01" : "acme");
}

static struct con_row *
row_add(struct console *c, const char *grp, const char *svc)
{
	struct con_row *r;

	c->rows = xreallocarray(c->rows, c->nrows + 1, sizeof(*c->rows));
	r = &c->rows[c->nrows++];
	memset(r, 0, sizeof(*r));
	r->grp = xstrdup(grp);
	r->svc = svc ? xstrdup(svc) : NULL;
	r->key = svc ? xasprintf("%s:%s", grp, svc) : xstrdup(grp);
	return r;
}

/* A service's row from its configuration; its status comes later. */
static void
add_service(struct console *c, const char *grp,
    const struct sslm_service_cfg *sc, size_t group)
{
	struct con_row *r;

	r = row_add(c, grp, sc->svc);
	r->group = group;
	r->sc = sc;
	r->unread = true;
	ca_label(c, sc->self_signed ? "self" : sc->signing_ca, r->ca,
	    sizeof(r->ca));
	cfg_key(sc, r->ktype, sizeof(r->ktype));
}

/* The row's status: its certificates, renew and roll. */
static void
read_service(struct sslm_run *run, struct con_row *r)
{
	struct sslm_svc_status st;

	if (!r->unread)
		return;
	r->unread = false;
	sslm_run_status_svc(run, r->sc, &st);
	if (st.has_curr) {
		r->has_curr = true;
		r->not_before = st.not_before;
		r->not_after = st.not_after;
		r->lifetime = st.lifetime_days;
		short_key(st.pubkey, r->ktype, sizeof(r->ktype));
	}
	r->has_next = st.has_next;
	r->renew_due = st.renew_due;
	r->days_to_renew = st.days_to_renew;
	r->roll_due = st.roll_due;
	r->next_age = st.next_age_mins;
	r->min_roll = st.min_roll_mins;
	r->gate_wait = st.gate_wait;
	r->gate_open_at = st.gate_open_at;
	/* "ns2" of "ns2.example.com": the Roll column is narrow.  An
	 * address stays whole. */
	snprintf(r->gate_ns, sizeof(r->gate_ns), "%.*s",
	    strchr(st.gate_waiting, ':') != NULL ||
	    strspn(st.gate_waiting, "0123456789.") ==
	    strlen(st.gate_waiting) ? (int)strlen(st.gate_waiting) :
	    (int)strcspn(st.gate_waiting, "."), st.gate_waiting);
}

void
con_data_rest(struct console *c)
{
	if (!c->rows_pending || c->run == NULL)
		return;
	c->rows_pending = false;
	for (size_t i = 0; i < c->nrows; i++)
		if (c->rows[i].svc != NULL)
			read_service(c->run, &c->rows[i]);
}

void
con_data_prod(struct console *c)
{
	struct sslm_run *run = c->run;
	bool ok;

	if (!c->prod_pending || run == NULL)
		return;
	c->prod_pending = false;
	ok = sslm_run_check_prod(run, false, NULL) == 0;
	c->prod_checked = ok;
	c->prod_in_sync = ok && run->drift.n == 0;
	strlist_clear(&c->drift);
	for (size_t i = 0; i < run->drift.n; i++)
		strlist_add(&c->drift, run->drift.v[i]);
	/* Drift lines start with the service's path, "grp/svc...". */
	for (size_t i = 0; i < c->nrows; i++) {
		struct con_row *r = &c->rows[i];
		char *pfx;

		r->drift = false;
		if (r->svc == NULL)
			continue;
		/* "grp/svc/..." or "grp/svc:": s1 must not match s10. */
		pfx = xasprintf("%s/%s", r->grp, r->svc);
		for (size_t k = 0; k < c->drift.n; k++) {
			const char *d = c->drift.v[k];
			size_t n = strlen(pfx);

			if (strncmp(d, pfx, n) == 0 && (d[n] == '/' ||
			    d[n] == ':' || d[n] == '\0' ||
			    strncmp(d + n, ".new.", 5) == 0 ||
			    strncmp(d + n, ".old.", 5) == 0))
				r->drift = true;
		}
		free(pfx);
	}
}

/*
 * Re-reads the config and the status.  Tags and collapsed groups survive
 * by key, so a reload after a job does not lose the user's selection.
 */
int
con_data_load(struct console *c)
{
	struct sslm_opts opts;
	struct sslm_diag diag = { 0 };
	struct sslm_run *run = NULL;
	struct strlist tagged = { 0 }, closed = { 0 };
	char *err = NULL;
	bool first = c->loaded_ms == 0;
	int rc = -1;

	for (size_t i = 0; i < c->nrows; i++) {
		if (c->rows[i].tagged)
			strlist_add(&tagged, c->rows[i].key);
		if (c->rows[i].collapsed)
			strlist_add(&closed, c->rows[i].key);
	}
	con_data_free(c);
	free(c->load_error);
	c->load_error = NULL;
	memset(&opts, 0, sizeof(opts));
	if (sslm_opts_parse(0, NULL, &opts, &err) != 0) {
		c->load_error = err;
		goto out;
	}
	if (sslm_config_load(c->topdir, &c->cfg, &diag) != 0) {
		c->load_error = xasprintf("configuration errors: %s",
		    diag.errors.n ? diag.errors.v[0] : "unknown");
		goto out;
	}
	if (sslm_run_prepare(c->cfg, &opts, time(NULL), &run, &diag) != 0) {
		c->load_error = xasprintf("configuration errors: %s",
		    diag.errors.n ? diag.errors.v[0] : "unknown");
		goto out;
	}
	for (size_t i = 0; i < run->n_groups; i++) {
		size_t gi = c->nrows;

		row_add(c, run->groups[i].grp, NULL)->group = gi;
		for (size_t k = 0; k < run->groups[i].n; k++)
			add_service(c, run->groups[i].grp,
			    run->groups[i].svcs[k], gi);
	}
	for (size_t i = 0; i < c->nrows; i++) {
		c->rows[i].tagged = strlist_has(&tagged, c->rows[i].key);
		c->rows[i].collapsed = strlist_has(&closed, c->rows[i].key);
	}
	if (first && !c->sort_expiry && c->first_rows > 0) {
		/*
		 * The first load reads the rows of the first screen only;
		 * the loop reads the others right after that frame, before
		 * any key is read.  Sorting by name needs no status.
		 */
		con_view_build(c);
		for (size_t i = 0; i < c->nview && i < c->first_rows; i++)
			if (c->rows[c->view[i]].svc != NULL)
				read_service(run, &c->rows[c->view[i]]);
		c->rows_pending = true;
	} else
		for (size_t i = 0; i < c->nrows; i++)
			if (c->rows[i].svc != NULL)
				read_service(run, &c->rows[i]);
	c->loaded = run->now;
	c->loaded_ms = console_now_ms();
	rc = 0;
	/* The loop runs the production check once this frame is drawn. */
	c->run = run;
	run = NULL;
	c->prod_pending = true;
out:
	if (rc != 0)
		c->loaded_ms = console_now_ms();
	sslm_run_free(run);
	sslm_diag_free(&diag);
	sslm_opts_free(&opts);
	strlist_clear(&tagged);
	strlist_clear(&closed);
	con_view_build(c);
	return rc;
}

static const struct console *sort_con;

static int
cmp_rows(const void *a, const void *b)
{
	const struct con_row *x = &sort_con->rows[*(const size_t *)a];
	const struct con_row *y = &sort_con->rows[*(const size_t *)b];

	if (sort_con->sort_expiry) {
		/* No curr sorts first: it needs attention the most. */
		if (x->has_curr != y->has_curr)
			return x->has_curr ? 1 : -1;
		if (x->not_after != y->not_after)
			return x->not_after < y->not_after ? -1 : 1;
	}
	return strcmp(x->svc, y->svc);
}

static bool
row_matches(const struct console *c, const struct con_row *r)
{
	return c->filter == NULL || *c->filter == '\0' ||
	    strcasestr(r->key, c->filter) != NULL;
}

/*
 * The visible rows: each group (kept in the run's order, which puts a CA
 * before what it signs) followed by its matching services, sorted.  A
 * group with no match is left out while a filter is set.
 */
void
con_view_build(struct console *c)
{
	size_t *tmp, nt;

	free(c->view);
	c->view = xcalloc(c->nrows + 1, sizeof(*c->view));
	tmp = xcalloc(c->nrows + 1, sizeof(*tmp));
	c->nview = 0;
	sort_con = c;
	for (size_t g = 0; g < c->nrows; g++) {
		if (c->rows[g].svc != NULL)
			continue;
		nt = 0;
		for (size_t i = g + 1; i < c->nrows && c->rows[i].svc; i++)
			if (row_matches(c, &c->rows[i]))
				tmp[nt++] = i;
		if (nt == 0 && c->filter && *c->filter &&
		    !row_matches(c, &c->rows[g]))
			continue;
		c->view[c->nview++] = g;
		if (c->rows[g].collapsed)
			continue;
		qsort(tmp, nt, sizeof(*tmp), cmp_rows);
		for (size_t i = 0; i < nt; i++)
			c->view[c->nview++] = tmp[i];
	}
	free(tmp);
	if (c->svc_list)
		w_list_fix(c->svc_list);
}

struct con_row *
con_view_row(struct console *c, size_t i)
{
	if (i >= c->nview)
		return NULL;
	return &c->rows[c->view[i]];
}

void
con_result_set(struct console *c, const char *key, const char *text,
    enum w_role role)
{
	struct con_result *r = NULL;

	for (size_t i = 0; i < c->nresults; i++)
		if (strcmp(c->results[i].key, key) == 0)
			r = &c->results[i];
	if (r == NULL) {
		c->results = xreallocarray(c->results, c->nresults + 1,
		    sizeof(*c->results));
		r = &c->results[c->nresults++];
		r->key = xstrdup(key);
	} else
		free(r->text);
	r->text = xstrdup(text);
	r->role = role;
}

const struct con_result *
con_result_get(const struct console *c, const char *key)
{
	for (size_t i = 0; i < c->nresults; i++)
		if (strcmp(c->results[i].key, key) == 0)
			return &c->results[i];
	return NULL;
}

/* "89d 23:59:59", "5:03:10", "expired 3d". */
void
con_countdown(time_t left, char *out, size_t len)
{
	long l = (long)left;

	if (l < 0) {
		snprintf(out, len, "expired %ldd", -l / 86400);
		return;
	}
	/* Seconds tick in the last hundred days; before, minutes do. */
	if (l >= 100L * 86400)
		snprintf(out, len, "%ldd %02ld:%02ld", l / 86400,
		    l % 86400 / 3600, l % 3600 / 60);
	else if (l >= 86400)
		snprintf(out, len, "%ldd %02ld:%02ld:%02ld", l / 86400,
		    l % 86400 / 3600, l % 3600 / 60, l % 60);
	else
		snprintf(out, len, "%ld:%02ld:%02ld", l / 3600,
		    l % 3600 / 60, l % 60);
}

/* Coloured by the share of the lifetime left: under a third expires. */
enum w_role
con_expiry_role(const struct con_row *r, time_t now)
{
	double left, life;

	if (!r->has_curr)
		return W_ROLE_EXPIRED;
	left = difftime(r->not_after, now);
	life = difftime(r->not_after, r->not_before);
	if (left <= 0)
		return W_ROLE_EXPIRED;
	if (life > 0 && left * 3 < life)
		return W_ROLE_EXPIRING;
	return W_ROLE_OK;
}
