/*
 * run.c - selection of the run's services and the per-service tasks of
 * spec §2.5 and §8: renew (key, CSR, certificate in a new next), roll
 * (next -> curr), the dev steps, and clean.
 *
 * Differences from upstream, on purpose (docs/upstream-fixes.md):
 * - a bare group argument means all of its services;
 * - CAs are handled before the services they sign, so one "-renew -roll"
 *   bootstraps a fresh private CA tree;
 * - dev -keys -csr -cert given together work in one next directory, and
 *   -csr / -cert alone work on the existing next;
 * - one random draw per renew decision;
 * - a failing group does not stop the other groups (exit status 1).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certcache.h"
#include "dns.h"
#include "err.h"
#include "log.h"
#include "par.h"
#include "renew.h"
#include "run.h"
#include "runsvc.h"
#include "store.h"
#include "tlsa.h"

static double
default_rand01(void)
{
	return (double)arc4random() / 4294967296.0;
}

char *
sslm_svc_dir(const struct sslm_run *run, const char *grp, const char *svc)
{
	return xasprintf("%s/%s/%s", run->certs_dir, grp, svc);
}

static struct run_group *
run_group_get(struct sslm_run *run, const char *grp)
{
	struct run_group *g;

	/* From the end: services come a group at a time, so the group
	 * asked for is nearly always the last one. */
	for (size_t i = run->n_groups; i-- > 0;)
		if (strcmp(run->groups[i].grp, grp) == 0)
			return &run->groups[i];
	run->groups = xreallocarray(run->groups, run->n_groups + 1,
	    sizeof(*run->groups));
	g = &run->groups[run->n_groups++];
	memset(g, 0, sizeof(*g));
	g->grp = xstrdup(grp);
	return g;
}

/* Takes a service load's outcome into the run (and its messages). */
static void
add_loaded(struct sslm_run *run, struct run_group *g, const char *svc,
    struct sslm_service_cfg *sc, int r, struct sslm_diag *local,
    struct sslm_diag *diag)
{
	char *path;

	if (r == SSLM_ERR_NOTFOUND) {
		path = xasprintf("%s/%s/%s", run->cfg->conf_dir, g->grp, svc);
		sslm_diag_error(diag, path, 0, "No config for %s:%s", g->grp,
		    svc);
		free(path);
	} else if (diag != NULL) {
		for (size_t i = 0; i < local->errors.n; i++)
			strlist_add(&diag->errors, local->errors.v[i]);
		for (size_t i = 0; i < local->warnings.n; i++)
			strlist_add(&diag->warnings, local->warnings.v[i]);
	}
	sslm_diag_free(local);
	if (r != 0) {
		sslm_service_free(sc);
		return;
	}
	/* Doubling at each power of two: no capacity field to keep. */
	if (g->n == 0 || (g->n & (g->n - 1)) == 0)
		g->svcs = xreallocarray(g->svcs, g->n ? g->n * 2 : 4,
		    sizeof(*g->svcs));
	g->svcs[g->n++] = sc;
}

/*
 * The selection, in order: service loads and selection messages.  The
 * service files are read on every core at the end (load_queue_run), then
 * taken one by one in this order, so the run and its messages are what
 * loading them one at a time gave.  One par_for for the whole run: ten
 * thousand services in a hundred groups start the threads once.
 */
struct load_item {
	char			*grp;
	char			*svc;		/* NULL: a message only */
	struct sslm_service_cfg	*sc;
	struct sslm_diag	 diag;
	int			 rc;
};

struct load_queue {
	const struct sslm_config *cfg;
	struct load_item	 *v;
	size_t			  n, cap;
};

/*
 * The names taken so far, to take a name given twice once: an open
 * addressing set of "grp/svc" hashes pointing at the queue's items (a
 * linear search per name was quadratic: 10,000 services in groups of
 * 100 made half a million comparisons).
 */
struct name_set {
	const struct load_item	**slot;
	size_t			  mask;
};

/* The slot of its name: the item taken under it, or an empty one. */
static const struct load_item **
name_set_find(struct name_set *ns, const struct load_item *it)
{
	size_t i = (size_t)str_hash(str_hash(str_hash(STR_HASH_INIT,
	    it->grp), "/"), it->svc) & ns->mask;

	for (; ns->slot[i] != NULL; i = (i + 1) & ns->mask)
		if (strcmp(ns->slot[i]->svc, it->svc) == 0 &&
		    strcmp(ns->slot[i]->grp, it->grp) == 0)
			break;
	return &ns->slot[i];
}

static struct load_item *
queue_add(struct load_queue *q, const char *grp, const char *svc)
{
	struct load_item *it;

	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 64;
		q->v = xreallocarray(q->v, q->cap, sizeof(*q->v));
	}
	it = &q->v[q->n++];
	memset(it, 0, sizeof(*it));
	it->grp = grp ? xstrdup(grp) : NULL;
	it->svc = svc ? xstrdup(svc) : NULL;
	return it;
}

/* Where a selection message goes: its own place in the queue. */
static struct sslm_diag *
queue_msg(struct load_queue *q)
{
	return &queue_add(q, NULL, NULL)->diag;
}

static void
queue_load_one(size_t i, void *arg)
{
	struct load_queue *q = arg;
	struct load_item *it = &q->v[i];

	if (it->svc != NULL)
		it->rc = sslm_service_load(q->cfg, it->grp, it->svc, &it->sc,
		    &it->diag);
}

/* Loads everything queued and takes it into the run, in order. */
static void
queue_run(struct sslm_run *run, struct load_queue *q, struct sslm_diag *diag)
{
	struct name_set ns;
	const struct load_item **taken;
	size_t size = 16;

	while (size < 2 * q->n)
		size *= 2;
	ns.slot = xcalloc(size, sizeof(*ns.slot));
	ns.mask = size - 1;
	par_for(q->n, queue_load_one, q);
	for (size_t i = 0; i < q->n; i++) {
		struct load_item *it = &q->v[i];
		struct run_group *g;

		if (it->svc == NULL) {
			for (size_t k = 0; diag != NULL &&
			    k < it->diag.errors.n; k++)
				strlist_add(&diag->errors,
				    it->diag.errors.v[k]);
			sslm_diag_free(&it->diag);
		} else if (g = run_group_get(run, it->grp),
		    *(taken = name_set_find(&ns, it)) != NULL) {
			/* The same name again: taken once. */
			sslm_service_free(it->sc);
			sslm_diag_free(&it->diag);
		} else {
			/* Only a name that loaded counts as taken. */
			if (it->rc == 0)
				*taken = it;
			add_loaded(run, g, it->svc, it->sc, it->rc, &it->diag,
			    diag);
		}
	}
	/* The names are freed last: the set points at them. */
	for (size_t i = 0; i < q->n; i++) {
		free(q->v[i].grp);
		free(q->v[i].svc);
	}
	free(ns.slot);
	free(q->v);
	memset(q, 0, sizeof(*q));
}

/* Queues the services names of grp (the group takes its place now). */
static void
add_services(struct sslm_run *run, struct load_queue *q, const char *grp,
    char *const *names, size_t n)
{
	(void)run_group_get(run, grp);
	for (size_t i = 0; i < n; i++)
		queue_add(q, grp, names[i]);
}

/* Adds every service of a group (the ALL/'*'/bare-group forms). */
static void
add_all_services(struct sslm_run *run, struct load_queue *q, const char *grp,
    const char *where, int line)
{
	struct strlist svcs = { 0 };

	if (sslm_list_services(run->cfg, grp, &svcs) != 0 || svcs.n == 0)
		sslm_diag_error(queue_msg(q), where, line, "Group %s missing "
		    "services", grp);
	add_services(run, q, grp, svcs.v, svcs.n);
	strlist_clear(&svcs);
}

static int
select_from_targets(struct sslm_run *run, struct load_queue *q,
    struct sslm_diag *diag)
{
	struct sslm_target *t;
	size_t n;
	char *err, *gdir;

	if (sslm_targets_parse(&run->opts->targets, &t, &n, &err) != 0) {
		sslm_diag_error(diag, "command line", 0, "%s", err);
		free(err);
		return SSLM_ERR_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		gdir = path_join(run->cfg->conf_dir, t[i].grp);
		if (!is_dir(gdir))
			sslm_diag_error(queue_msg(q), gdir, 0,
			    "No such group - directory missing");
		else if (t[i].all)
			add_all_services(run, q, t[i].grp, gdir, 0);
		else
			add_services(run, q, t[i].grp, t[i].svcs.v,
			    t[i].svcs.n);
		free(gdir);
	}
	sslm_targets_free(t, n);
	return 0;
}

static void
select_from_config(struct sslm_run *run, struct load_queue *q)
{
	char *conf = path_join(run->cfg->conf_dir, "ssl-mgr.conf");

	for (size_t i = 0; i < run->cfg->n_groups; i++) {
		const struct sslm_group_cfg *gc = &run->cfg->groups[i];
		bool all = false;

		if (!gc->active || gc->domain == NULL)
			continue;
		for (size_t k = 0; k < gc->services.n; k++)
			if (strcmp(gc->services.v[k], "ALL") == 0 ||
			    strcmp(gc->services.v[k], "*") == 0)
				all = true;
		if (all)
			add_all_services(run, q, gc->domain, conf, gc->line);
		else
			add_services(run, q, gc->domain, gc->services.v,
			    gc->services.n);
	}
	free(conf);
}

/* Checks that every local signing CA has its own service file. */
static void
check_signers(struct sslm_run *run, struct sslm_diag *diag)
{
	/* One access() per CA, not per service: 10,000 leaves share two. */
	struct strlist present = { 0 };

	for (size_t i = 0; i < run->n_groups; i++) {
		struct run_group *g = &run->groups[i];

		for (size_t k = 0; k < g->n; k++) {
			const struct sslm_service_cfg *sc = g->svcs[k];
			const struct sslm_ca_info *ca;
			char *p;

			if (sc->self_signed)
				continue;
			ca = sslm_ca_find(run->cfg, sc->signing_ca);
			if (ca == NULL || ca->kind != SSLM_CA_LOCAL)
				continue;
			if (strlist_has(&present, ca->name))
				continue;
			p = xasprintf("%s/ca/%s", run->cfg->conf_dir, ca->name);
			if (access(p, F_OK) != 0)
				sslm_diag_error(diag, sc->path, 0,
				    "signing CA '%s' is local but %s does not "
				    "exist", ca->name, p);
			else
				strlist_add(&present, ca->name);
			free(p);
		}
	}
	strlist_clear(&present);
}

/* Rank of a service in the signing order: roots 0, CAs they sign 1, ... */
static int
sign_depth(struct sslm_run *run, const struct sslm_service_cfg *sc, int lim)
{
	const struct sslm_ca_info *ca;

	if (sc->self_signed || lim <= 0)
		return 0;
	ca = sslm_ca_find(run->cfg, sc->signing_ca);
	if (ca == NULL || ca->kind != SSLM_CA_LOCAL)
		return 1;
	for (size_t i = 0; i < run->n_groups; i++) {
		struct run_group *g = &run->groups[i];

		if (!str_ieq(g->grp, "ca"))
			continue;
		for (size_t k = 0; k < g->n; k++)
			if (strcmp(g->svcs[k]->svc, ca->name) == 0)
				return 1 + sign_depth(run, g->svcs[k], lim - 1);
	}
	return 1;
}

/* The ca group first, its services in signing order (stable). */
static void
order_work(struct sslm_run *run)
{
	for (size_t i = 0; i < run->n_groups; i++) {
		if (!str_ieq(run->groups[i].grp, "ca") || i == 0)
			continue;
		struct run_group ca = run->groups[i];

		memmove(&run->groups[1], &run->groups[0],
		    i * sizeof(*run->groups));
		run->groups[0] = ca;
		break;
	}
	if (run->n_groups == 0 || !str_ieq(run->groups[0].grp, "ca"))
		return;
	struct run_group *g = &run->groups[0];
	for (size_t i = 1; i < g->n; i++) {	/* insertion sort: stable */
		struct sslm_service_cfg *sc = g->svcs[i];
		int d = sign_depth(run, sc, 16);
		size_t k = i;

		while (k > 0 && sign_depth(run, g->svcs[k - 1], 16) > d) {
			g->svcs[k] = g->svcs[k - 1];
			k--;
		}
		g->svcs[k] = sc;
	}
}

int
sslm_run_prepare(struct sslm_config *cfg, const struct sslm_opts *opts,
    time_t now, struct sslm_run **out, struct sslm_diag *diag)
{
	struct sslm_run *run = xcalloc(1, sizeof(*run));
	struct load_queue q = { cfg, NULL, 0, 0 };
	int r = 0;

	*out = run;
	run->cfg = cfg;
	run->opts = opts;
	run->now = now;
	run->rand01 = default_rand01;
	run->verbose = opts->verb || cfg->verb;
	run->certs_dir = path_join(cfg->topdir, "certs");
	run->prod_dir = opts->test ? xasprintf("%s.test", cfg->prod_cert_dir) :
	    xstrdup(cfg->prod_cert_dir);
	run->clean_keep = opts->clean_keep_set ? opts->clean_keep :
	    cfg->clean_keep;
	if (run->clean_keep < 1) {
		sslm_log(SSLM_LOG_INFO, "Info: clean_keep too small %d "
		    "resetting to 1", run->clean_keep);
		run->clean_keep = 1;
	}
	run->min_roll_mins = opts->min_roll_mins_set ? opts->min_roll_mins :
	    cfg->min_roll_mins;
	if (run->min_roll_mins < 0) {
		sslm_diag_error(diag, "command line", 0,
		    "--min-roll-mins must not be negative");
		return SSLM_ERR_USAGE;
	}
	if (opts->targets.n > 0)
		r = select_from_targets(run, &q, diag);
	else
		select_from_config(run, &q);
	queue_run(run, &q, diag);
	if (r == 0)
		check_signers(run, diag);
	if (r == 0 && diag->errors.n > 0)
		r = SSLM_ERR_CONFIG;
	if (r == 0)
		order_work(run);
	return r;
}

/* Groups with DANE services need the DNS view (MX hosts, the gate). */
static bool
group_needs_dns(const struct run_group *g)
{
	for (size_t k = 0; k < g->n; k++)
		if (g->svcs[k]->n_dane > 0)
			return true;
	return false;
}

/* certs/<grp>/tlsa.<grp> from curr and next of the group's services. */
static int
group_tlsa(struct sslm_run *run, struct run_group *g)
{
	struct strlist svcs = { 0 };
	char *gdir = path_join(run->certs_dir, g->grp);
	int r;

	for (size_t k = 0; k < g->n; k++)
		strlist_add(&svcs, g->svcs[k]->svc);
	r = tlsa_group_update(gdir, g->grp, g->grp, &svcs, run->opts->roll ?
	    TLSA_PHASE_ROLL : TLSA_PHASE_NORMAL, NULL, &g->tlsa_changed);
	if (r != 0)
		sslm_log(SSLM_LOG_ERR, "%s: cannot update tlsa.%s", g->grp,
		    g->grp);
	strlist_clear(&svcs);
	free(gdir);
	return r;
}

static int
run_group(struct sslm_run *run, struct run_group *g)
{
	int first = 0, r;

	sslm_log(SSLM_LOG_INFO, "------------------------");
	sslm_log(SSLM_LOG_INFO, "%s", g->grp);
	if (group_needs_dns(g) && (r = dns_discover(run->cfg, g->grp,
	    run->cfg->dns_ns_port, RUN_DNS_TIMEOUT_MS, &g->zone)) != 0) {
		sslm_log(SSLM_LOG_ERR, "%s: no DNS view of the zone: its "
		    "services are skipped", g->grp);
		g->failed = true;
		run->failures += (int)g->n;
		return r;
	}
	for (size_t k = 0; k < g->n; k++) {
		bool changed = false;

		r = runsvc_tasks(run, g, g->svcs[k], &changed);
		if (changed && !strlist_has(&g->changed, g->svcs[k]->svc))
			strlist_add(&g->changed, g->svcs[k]->svc);
		if (r != 0) {
			g->failed = true;
			run->failures++;
			if (first == 0)
				first = r;
		}
	}
	if ((r = group_tlsa(run, g)) != 0 && first == 0)
		first = r;
	if (g->failed)
		sslm_log(SSLM_LOG_ERR, "Errors with %s", g->grp);
	return first;
}

/*
 * After the ACME batch: roll what it renewed when -roll was given, and
 * rebuild the TLSA files of those groups (their tlsa.rr came late).
 * Returns 0 or the first error, so a failed roll fails the run's exit.
 */
static int
run_acme_rolls(struct sslm_run *run)
{
	int first = 0, r;

	for (size_t i = 0; i < run->n_groups; i++) {
		struct run_group *g = &run->groups[i];
		bool any = false;

		for (size_t k = 0; k < g->n; k++) {
			bool changed = false;

			if (!run_acme_queued(run, g->svcs[k]))
				continue;
			any = true;
			if (!run_acme_renewed(run, g->svcs[k]) ||
			    !(run->opts->roll || run->opts->next_to_curr))
				continue;
			if ((r = runsvc_roll(run, g, g->svcs[k],
			    &changed)) != 0) {
				g->failed = true;
				run->failures++;
				if (first == 0)
					first = r;
			}
		}
		if (any && (r = group_tlsa(run, g)) != 0) {
			g->failed = true;
			if (first == 0)
				first = r;
		}
	}
	return first;
}

/* The certificate summaries a status reads by stat (certcache.h). */
static void
refresh_cert_caches(struct sslm_run *run)
{
	struct strlist names = { 0 };

	for (size_t i = 0; i < run->n_groups; i++) {
		const struct run_group *g = &run->groups[i];

		for (size_t k = 0; k < g->n; k++)
			strlist_add(&names, g->svcs[k]->svc);
		cert_cache_refresh(run->certs_dir, g->grp, names.v, names.n);
		strlist_clear(&names);
	}
}

int
sslm_run_execute(struct sslm_run *run)
{
	const struct sslm_opts *o = run->opts;
	bool prod_needed = o->certs_to_prod || o->force;
	int first = 0, r;

	sslm_log(SSLM_LOG_INFO, "Checking production directory is up to "
	    "date.");
	if (sslm_run_check_prod(run, true, NULL) != 0)
		sslm_log(SSLM_LOG_WARN, "%s: production check failed",
		    run->prod_dir);
	else if (run->drift.n == 0)
		sslm_log(SSLM_LOG_INFO, "  All good.");
	else {
		sslm_log(SSLM_LOG_NOTE, "production %s differs from certs/: "
		    "resyncing", run->prod_dir);
		for (size_t i = 0; i < run->drift.n; i++)
			sslm_log(SSLM_LOG_NOTE, "  %s", run->drift.v[i]);
	}
	sslm_log(SSLM_LOG_INFO, "------------------------");
	sslm_log(SSLM_LOG_INFO, "Start group/domain tasks :");
	for (size_t i = 0; i < run->n_groups; i++) {
		struct run_group *g = &run->groups[i];

		if ((r = run_group(run, g)) != 0 && first == 0)
			first = r;
		if (g->changed.n || g->tlsa_changed)
			prod_needed = true;
	}
	if (run->n_acme > 0) {
		if ((r = run_acme_batch(run)) != 0 && first == 0)
			first = r;
		if ((r = run_acme_rolls(run)) != 0 && first == 0)
			first = r;
		prod_needed = true;
	}
	sslm_log(SSLM_LOG_INFO, "Done group tasks:");
	if ((r = run_finish(run, prod_needed)) != 0) {
		run->failures++;
		if (first == 0)
			first = r;
	}
	if (!o->debug)
		refresh_cert_caches(run);
	if (run_hooks(run) != 0 && first == 0)
		first = SSLM_ERR_EXEC;
	return first;
}

/* Every directory under certs/ that has a conf.d entry (-clean-all). */
static int
clean_all(struct sslm_run *run)
{
	struct strlist grps = { 0 };
	int r = 0;

	if (list_subdirs(run->certs_dir, &grps) != 0)
		return 0;
	for (size_t i = 0; i < grps.n; i++) {
		struct strlist svcs = { 0 };
		char *conf = path_join(run->cfg->conf_dir, grps.v[i]);
		char *gdir = path_join(run->certs_dir, grps.v[i]);

		if (is_dir(conf) && list_subdirs(gdir, &svcs) == 0)
			for (size_t k = 0; k < svcs.n; k++) {
				char *sd = path_join(gdir, svcs.v[k]);
				int removed = 0;

				if (store_clean(sd, run->clean_keep,
				    &removed) != 0)
					r = SSLM_ERR_IO;
				free(sd);
			}
		strlist_clear(&svcs);
		free(conf);
		free(gdir);
	}
	strlist_clear(&grps);
	return r;
}

int
sslm_run_clean(struct sslm_run *run)
{
	int r = 0;

	if (run->opts->clean_all)
		return clean_all(run);
	for (size_t i = 0; i < run->n_groups; i++)
		for (size_t k = 0; k < run->groups[i].n; k++) {
			char *sd = sslm_svc_dir(run, run->groups[i].grp,
			    run->groups[i].svcs[k]->svc);
			int removed = 0;

			if (is_dir(sd) && store_clean(sd, run->clean_keep,
			    &removed) != 0)
				r = SSLM_ERR_IO;
			free(sd);
		}
	return r;
}

void
sslm_run_free(struct sslm_run *run)
{
	if (run == NULL)
		return;
	for (size_t i = 0; i < run->n_groups; i++) {
		for (size_t k = 0; k < run->groups[i].n; k++)
			sslm_service_free(run->groups[i].svcs[k]);
		free(run->groups[i].svcs);
		free(run->groups[i].grp);
		dns_zone_free(run->groups[i].zone);
		strlist_clear(&run->groups[i].changed);
	}
	free(run->groups);
	free(run->certs_dir);
	free(run->prod_dir);
	strlist_clear(&run->drift);
	run_acme_free(run);
	run_events_free(run);
	free(run);
}
