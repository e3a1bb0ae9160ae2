/*
 * run-prod.c - the end of a changing run (spec §10, §11, §8.3): the
 * production copy, remote copies, post_copy_cmd, and the restarts, in the
 * order that keeps DANE intact: non-DNS servers reload first, then the
 * group TLSA files go into the DNS include dirs, then DNS restarts.  After
 * a roll that order means mail servers use the new key before DNS stops
 * advertising the old one.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fault.h"
#include "log.h"
#include "prod.h"
#include "run.h"
#include "servers.h"
#include "tlsa.h"

/* The run's groups (failed ones left out when skip_failed) as a scope. */
static struct prod_scope *
make_scope(const struct sslm_run *run, bool skip_failed, size_t *n)
{
	struct prod_scope *sc = xcalloc(run->n_groups + 1, sizeof(*sc));

	*n = 0;
	for (size_t i = 0; i < run->n_groups; i++) {
		const struct run_group *g = &run->groups[i];

		if (skip_failed && g->failed)
			continue;
		sc[*n].grp = g->grp;
		for (size_t k = 0; k < g->n; k++)
			strlist_add(&sc[*n].svcs, g->svcs[k]->svc);
		(*n)++;
	}
	return sc;
}

static void
free_scope(struct prod_scope *sc, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strlist_clear(&sc[i].svcs);
	free(sc);
}

int
sslm_run_check_prod(struct sslm_run *run, bool record,
    const char *const *links)
{
	struct prod_scope *sc;
	size_t n, off = 0;
	int r;

	strlist_clear(&run->drift);
	sc = make_scope(run, false, &n);
	/* links follow the run's services in order, as the scope does. */
	for (size_t g = 0; links != NULL && g < n; g++) {
		sc[g].links = links + off;
		off += 2 * sc[g].svcs.n;
	}
	r = prod_check(run->cfg, run->certs_dir, run->prod_dir, sc, n,
	    record && !run->opts->debug, &run->drift);
	free_scope(sc, n);
	return r;
}

/* Marks a drifted service as changed, so what depends on it restarts. */
static void
note_drift(struct sslm_run *run)
{
	for (size_t i = 0; i < run->drift.n; i++) {
		const char *d = run->drift.v[i];

		for (size_t k = 0; k < run->n_groups; k++) {
			struct run_group *g = &run->groups[k];
			size_t gl = strlen(g->grp);

			if (strncmp(d, g->grp, gl) != 0 || d[gl] != '/')
				continue;
			for (size_t j = 0; j < g->n; j++) {
				const char *svc = g->svcs[j]->svc;
				size_t sl = strlen(svc);

				if (strncmp(d + gl + 1, svc, sl) == 0 &&
				    (d[gl + 1 + sl] == '/' ||
				    d[gl + 1 + sl] == ':') &&
				    !strlist_has(&g->changed, svc))
					strlist_add(&g->changed, svc);
			}
		}
	}
}

/*
 * Group TLSA files into [dns] tlsa_dirs (only the changed copies).  A copy
 * repaired here (a run killed between the group file and its copies left
 * it stale) is a TLSA change like any other: the zone must be reloaded,
 * so it is added to ch and domains.
 */
static int
publish_tlsa(struct sslm_run *run, struct servers_group *sg,
    struct servers_changes *ch, struct strlist *domains)
{
	const struct strlist *dirs = &run->cfg->servers[SSLM_SRV_DNS].tlsa_dirs;
	int r = 0;

	for (size_t i = 0; i < run->n_groups; i++) {
		struct run_group *g = &run->groups[i];
		struct strlist svcs = { 0 };
		char *gdir;
		bool changed = false;

		if (g->failed)
			continue;
		if (dirs->n == 0) {
			if (g->tlsa_changed)
				sslm_log(SSLM_LOG_WARN, "Warning: %s: no [dns] "
				    "tlsa_dirs - TLSA records not copied",
				    g->grp);
			continue;
		}
		for (size_t k = 0; k < g->n; k++)
			strlist_add(&svcs, g->svcs[k]->svc);
		gdir = path_join(run->certs_dir, g->grp);
		if (tlsa_group_update(gdir, g->grp, g->grp, &svcs,
		    run->opts->roll ? TLSA_PHASE_ROLL : TLSA_PHASE_NORMAL,
		    dirs, &changed) != 0)
			r = SSLM_ERR_IO;
		else if (changed) {
			sslm_log(SSLM_LOG_INFO, "%s: tlsa.%s copied to the DNS "
			    "include dirs", g->grp, g->grp);
			g->tlsa_changed = ch->tlsa_changed = true;
			for (size_t k = 0; k < ch->n; k++)
				if (strcmp(sg[k].grp, g->grp) == 0)
					sg[k].tlsa_changed = true;
			if (!strlist_has(domains, g->grp))
				strlist_add(domains, g->grp);
		}
		free(gdir);
		strlist_clear(&svcs);
	}
	return r;
}

/* Runs the restarts; 0 or SSLM_ERR_EXEC. */
static int
restarts(struct sslm_run *run)
{
	const struct sslm_opts *o = run->opts;
	struct servers_group *sg = xcalloc(run->n_groups + 1, sizeof(*sg));
	struct servers_changes ch = { sg, 0, false, false };
	struct strlist domains = { 0 };
	bool force = o->force_server_restarts;
	int r = 0;

	for (size_t i = 0; i < run->n_groups; i++) {
		struct run_group *g = &run->groups[i];

		if (g->failed)
			continue;
		sg[ch.n].grp = g->grp;
		strlist_copy(&sg[ch.n].svcs, &g->changed);
		sg[ch.n].tlsa_changed = g->tlsa_changed;
		if (g->changed.n)
			ch.cert_changed = true;
		if (g->tlsa_changed) {
			ch.tlsa_changed = true;
			strlist_add(&domains, g->grp);
		}
		ch.n++;
	}
	sslm_log(SSLM_LOG_INFO, " Check non-DNS server reload/restarts");
	for (int k = SSLM_SRV_SMTP; k < SSLM_SRV_DNS; k++)
		if (servers_wanted(run->cfg, k, &ch, force) &&
		    servers_restart_class(run->cfg, k, o->debug) != 0)
			r = SSLM_ERR_EXEC;
	if (r != 0) {
		sslm_log(SSLM_LOG_ERR, "server restarts failed: DNS not "
		    "refreshed");
		goto out;
	}
	/* Only now may DNS stop advertising what the servers used before. */
	if ((r = publish_tlsa(run, sg, &ch, &domains)) != 0)
		goto out;
	if ((r = sslm_fault("run:before-dns-restart")) != 0)
		goto out;
	sslm_log(SSLM_LOG_INFO, " Checking DNS server reload/restart");
	if (servers_wanted(run->cfg, SSLM_SRV_DNS, &ch, force) &&
	    servers_restart_dns(run->cfg, force ? NULL : &domains,
	    o->debug) != 0)
		r = SSLM_ERR_EXEC;
out:
	for (size_t i = 0; i < ch.n; i++)
		strlist_clear(&sg[i].svcs);
	free(sg);
	strlist_clear(&domains);
	return r;
}

/* on_prod_copy for each changed (or drifted) service now in production. */
static void
prod_events(struct sslm_run *run)
{
	char *d;

	for (size_t i = 0; i < run->n_groups; i++) {
		const struct run_group *g = &run->groups[i];

		if (g->failed)
			continue;
		for (size_t k = 0; k < g->n; k++) {
			if (!strlist_has(&g->changed, g->svcs[k]->svc))
				continue;
			d = xasprintf("%s/%s/%s/curr", run->prod_dir, g->grp,
			    g->svcs[k]->svc);
			run_event_add(run, RUN_EV_PROD_COPY, g->svcs[k], d);
			free(d);
		}
	}
}

/*
 * The production step and the restarts.  prod_needed: something changed
 * or a copy was asked for.  Returns 0 or an sslm_err.
 */
int
run_finish(struct sslm_run *run, bool prod_needed)
{
	struct prod_scope *sc;
	struct strlist keep = { 0 };
	size_t n;
	bool changed = false, owed = false, debug = run->opts->debug;
	int r = 0, rr;

	note_drift(run);
	if (!debug && run_pending_load(run, &keep) != 0)
		sslm_log(SSLM_LOG_WARN, "pending restarts unknown: restarts "
		    "of an interrupted run may be missing");
	for (size_t i = 0; i < run->n_groups; i++)
		if (run->groups[i].changed.n || run->groups[i].tlsa_changed)
			owed = true;
	/* Recorded before production changes, so a kill cannot lose them. */
	if (owed && !debug && (r = run_pending_save(run, &keep, true)) != 0) {
		sslm_log(SSLM_LOG_ERR, "cannot record the restarts due: "
		    "nothing copied");
		goto out;
	}
	sslm_log(SSLM_LOG_INFO, "Certs to production: checking for changes");
	if (!prod_needed && run->drift.n == 0) {
		sslm_log(SSLM_LOG_INFO, "    : No changes");
		r = restarts(run);
		goto done;
	}
	sslm_log(SSLM_LOG_INFO, "    : %s => copy certs/dns to production",
	    run->drift.n ? "production needs sync" : "Changes");
	sc = make_scope(run, true, &n);
	if ((r = sslm_fault("run:before-prod")) == 0 &&
	    (r = prod_sync(run->cfg, run->certs_dir, run->prod_dir, sc, n,
	    run->opts->debug, &changed)) == 0)
		r = sslm_fault("run:after-prod");
	free_scope(sc, n);
	if (r != 0) {
		sslm_log(SSLM_LOG_ERR, "%s: production copy failed: no remote "
		    "copies, no restarts", run->prod_dir);
		goto out;
	}
	if (changed) {
		sslm_log(SSLM_LOG_NOTE, "production updated: %s",
		    run->prod_dir);
		prod_events(run);
	}
	if ((r = prod_remote(run->cfg, run->prod_dir, run->opts->debug)) != 0)
		goto out;
	if ((rr = prod_post_copy(run->cfg, run->opts->debug)) > 0)
		sslm_log(SSLM_LOG_WARN, "Warning: post copy commands had %d "
		    "failure(s)", rr);
	r = restarts(run);
done:
	/* Done (or nothing owed): only other groups' entries stay. */
	if (r == 0 && !debug && owed &&
	    run_pending_save(run, &keep, false) != 0)
		sslm_log(SSLM_LOG_WARN, "restarts done, but %s/.restart-"
		    "pending remains: the next run restarts again",
		    run->certs_dir);
out:
	strlist_clear(&keep);
	return r;
}
