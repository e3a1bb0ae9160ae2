/*
 * run-pending.c - restarts that a killed run still owed.
 *
 * A run that changed certificates or TLSA records copies them to
 * production and then restarts the servers and reloads DNS.  Killed in
 * between, the next run finds production already in sync and nothing
 * changed, so nobody would ever restart: the servers keep the old
 * certificate while DNS may already publish only the new one.  So before
 * the production step the owed restarts are written to
 * certs/.restart-pending ("c <grp> <svc>" for a changed certificate,
 * "t <grp>" for changed TLSA records), and the file goes only after the
 * restarts succeeded.  A run finding it merges it into its own changes.
 * Entries for groups outside the run are kept for a later run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "run.h"
#include "store.h"

#define PENDING_FILE	".restart-pending"
#define PENDING_MAX	(1024 * 1024)

static char *
pending_path(const struct sslm_run *run)
{
	return path_join(run->certs_dir, PENDING_FILE);
}

static struct run_group *
find_group(struct sslm_run *run, const char *grp)
{
	for (size_t i = 0; i < run->n_groups; i++)
		if (strcmp(run->groups[i].grp, grp) == 0)
			return &run->groups[i];
	return NULL;
}

static bool
has_svc(const struct run_group *g, const char *svc)
{
	for (size_t k = 0; k < g->n; k++)
		if (strcmp(g->svcs[k]->svc, svc) == 0)
			return true;
	return false;
}

int
run_pending_load(struct sslm_run *run, struct strlist *keep)
{
	struct run_group	*g;
	char			*path, *text = NULL, *line, *save, *w[3];
	int			 merged = 0, swept, r;

	path = pending_path(run);
	/* A run killed while writing the file left its temporary. */
	if ((r = store_sweep_temps(run->certs_dir, PENDING_FILE ".",
	    &swept)) != 0)
		goto out;
	if ((r = read_file(path, PENDING_MAX, &text, NULL)) != 0) {
		if (r == SSLM_ERR_NOTFOUND)
			r = 0;
		else
			sslm_log(SSLM_LOG_ERR, "%s: read: %s", path,
			    sslm_strerror(r));
		goto out;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *copy = xstrdup(line), *sp, *tok;
		size_t n = 0;

		for (tok = strtok_r(copy, " ", &sp); tok != NULL && n < 3;
		    tok = strtok_r(NULL, " ", &sp))
			w[n++] = tok;
		g = n >= 2 ? find_group(run, w[1]) : NULL;
		if (g != NULL && n == 3 && strcmp(w[0], "c") == 0 &&
		    has_svc(g, w[2])) {
			if (!strlist_has(&g->changed, w[2]))
				strlist_add(&g->changed, w[2]);
			merged++;
		} else if (g != NULL && n == 2 && strcmp(w[0], "t") == 0) {
			g->tlsa_changed = true;
			merged++;
		} else if (n >= 2 && !strlist_has(keep, line))
			strlist_add(keep, line);
		free(copy);
	}
	if (merged > 0)
		sslm_log(SSLM_LOG_NOTE, "%s: an interrupted run still owed "
		    "%d restart(s): doing them now", path, merged);
out:
	free(text);
	free(path);
	return r;
}

int
run_pending_save(struct sslm_run *run, const struct strlist *keep,
    bool owed)
{
	struct buf	 b;
	char		*path;
	int		 r = 0;

	buf_init(&b, PENDING_MAX);
	for (size_t i = 0; i < keep->n; i++)
		(void)buf_printf(&b, "%s\n", keep->v[i]);
	for (size_t i = 0; owed && i < run->n_groups; i++) {
		const struct run_group *g = &run->groups[i];

		for (size_t k = 0; k < g->changed.n; k++)
			(void)buf_printf(&b, "c %s %s\n", g->grp,
			    g->changed.v[k]);
		if (g->tlsa_changed)
			(void)buf_printf(&b, "t %s\n", g->grp);
	}
	path = pending_path(run);
	if (b.len > 0)
		r = store_write_file(path, b.p, b.len, STORE_FILE_MODE);
	else if (unlink(path) == -1 && errno != ENOENT) {
		sslm_log(SSLM_LOG_ERR, "%s: unlink: %s", path, strerror(errno));
		r = SSLM_ERR_IO;
	}
	free(path);
	buf_free(&b);
	return r;
}
