/*
 * tlsa-group.c - the group file certs/<grp>/tlsa.<grp> (spec §14): the
 * curr and next tlsa.rr of every service merged with no (owner, rdata)
 * pair twice (a repeat is kept as a whole commented record), rewritten
 * only when its records change, and copied to [dns] tlsa_dirs.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fault.h"
#include "log.h"
#include "store.h"
#include "tlsa.h"
#include "tlsa-int.h"

static int	 group_add_cb(void *, struct rec_span *);
static int	 group_add_file(struct buf *, struct tlsa_set *,
		    struct tlsa_group *, const char *, const char *,
		    const char *);
static int	 copy_to_dirs(const char *, const char *,
		    const struct strlist *, bool, bool *);

/* State of one tlsa.rr being merged into the group text. */
struct group_add {
	struct buf	*b;
	struct tlsa_set	*seen;
	size_t		 n_new;		/* records not seen before */
	size_t		 n_all;
};

/*
 * Emits one record of a tlsa.rr.  A record already emitted (same owner
 * and data: a key reused across curr and next) is kept as a comment, as
 * upstream did, but as a whole: upstream commented single lines, and the
 * continuation lines of two wrapped records are equal while their owner
 * lines are not, which left a "(" without its ")" in the zone.
 */
static int
group_add_cb(void *arg, struct rec_span *sp)
{
	struct group_add	*g = arg;
	const char		*p = sp->start, *eol;
	bool			 dup;

	dup = tlsa_set_has(g->seen, sp->owner, sp->rdata);
	for (;;) {
		if ((eol = memchr(p, '\n', (size_t)(sp->end - p))) == NULL)
			eol = sp->end;
		if (buf_printf(g->b, "%s%.*s\n", dup ? ";; " : "",
		    (int)(eol - p), p) != 0)
			return SSLM_ERR_TOOBIG;
		if (eol == sp->end)
			break;
		p = eol + 1;
	}
	g->n_all++;
	if (!dup) {
		g->n_new++;
		return tlsa_set_add_span(g->seen, sp);
	}
	return 0;
}

/*
 * Adds <grpdir>/<svc>/<link>/tlsa.rr to the group text when the link and
 * the file exist and hold records; a link that is not a symlink is
 * absent, as everywhere in the store.
 */
static int
group_add_file(struct buf *b, struct tlsa_set *seen, struct tlsa_group *grp,
    const char *grpdir, const char *svc, const char *link)
{
	struct group_add	 g = { 0 };
	struct buf		 sec;
	struct stat		 st;
	char			*svcdir, *target = NULL, *path = NULL;
	char			*text = NULL;
	int			 r;

	buf_init(&sec, TLSA_GROUP_MAX);
	svcdir = path_join(grpdir, svc);
	if ((r = store_link_get(svcdir, link, &target)) != 0) {
		if (r == SSLM_ERR_NOTFOUND || r == SSLM_ERR_STATE)
			r = 0;
		goto out;
	}
	path = xasprintf("%s/db/%s/%s", svcdir, target, TLSA_RR_FILE);
	if ((r = read_file(path, TLSA_RR_MAX, &text, NULL)) != 0) {
		if (r == SSLM_ERR_NOTFOUND)
			r = 0;
		else
			sslm_log(SSLM_LOG_ERR, "%s: read: %s", path,
			    sslm_strerror(r));
		goto out;
	}
	if (stat(path, &st) == -1) {
		sslm_log(SSLM_LOG_ERR, "%s: stat: %s", path, strerror(errno));
		r = SSLM_ERR_IO;
		goto out;
	}
	(void)buf_printf(&sec, ";;\n;; %s %s\n;;\n", svc, link);
	g.b = &sec;
	g.seen = seen;
	if ((r = tlsa_parse_spans(text, path, group_add_cb, &g)) != 0)
		goto out;
	/* A tlsa.rr without records (no cert) contributes nothing. */
	if (g.n_all == 0)
		goto out;
	if ((r = buf_add(b, sec.p, sec.len)) != 0) {
		sslm_log(SSLM_LOG_ERR, "%s: group TLSA text larger than %d "
		    "bytes", path, TLSA_GROUP_MAX);
		goto out;
	}
	grp->n_records += g.n_new;
	if (!grp->has_times || st.st_mtim.tv_sec > grp->times[1].tv_sec ||
	    (st.st_mtim.tv_sec == grp->times[1].tv_sec &&
	    st.st_mtim.tv_nsec > grp->times[1].tv_nsec)) {
		grp->times[0] = st.st_atim;
		grp->times[1] = st.st_mtim;
		grp->has_times = true;
	}
out:
	buf_free(&sec);
	free(svcdir);
	free(target);
	free(path);
	free(text);
	return r;
}

int
tlsa_group_build(const char *grpdir, const char *apex,
    const struct strlist *services, enum tlsa_phase phase,
    struct tlsa_group *out)
{
	static const char *const links[] = { "curr", "next" };
	struct tlsa_group	 g = { 0 };
	struct tlsa_set		 seen = { 0 };
	struct strlist		 svcs = { 0 };
	struct buf		 b;
	const char		*s;
	int			 r = 0;

	buf_init(&b, TLSA_GROUP_MAX);
	/* Union of command line and config: sorted, each name once. */
	for (size_t i = 0; i < services->n; i++) {
		s = services->v[i];
		if (*s == '\0' || *s == '.' || strchr(s, '/') != NULL ||
		    strlist_has(&svcs, s))
			continue;
		strlist_add(&svcs, s);
	}
	strlist_sort(&svcs);
	(void)buf_printf(&b, ";;\n;; TLSA %s : phase = %s\n;;\n", apex,
	    phase == TLSA_PHASE_ROLL ? "roll next to curr" : "normal");
	for (size_t i = 0; i < svcs.n; i++)
		for (size_t j = 0; j < 2; j++)
			if ((r = group_add_file(&b, &seen, &g, grpdir,
			    svcs.v[i], links[j])) != 0)
				goto out;
	if ((r = buf_printf(&b, "\n")) != 0)
		goto out;
	g.len = b.len;
	g.text = xstrdup(b.p);
	*out = g;
out:
	tlsa_set_free(&seen);
	strlist_clear(&svcs);
	buf_free(&b);
	return r;
}

void
tlsa_group_free(struct tlsa_group *g)
{
	if (g == NULL)
		return;
	free(g->text);
	g->text = NULL;
	g->len = 0;
}

char *
tlsa_group_path(const char *grpdir, const char *grp)
{
	return xasprintf("%s/tlsa.%s", grpdir, grp);
}

/*
 * Copies the group file to every tlsa_dirs directory: all of them when it
 * was just rewritten, otherwise only those whose copy is missing or holds
 * other records (an earlier run failed half-way, or someone edited it),
 * so that a failed copy is retried instead of forgotten.  A directory that
 * does not exist is an error: creating it would guess its owner and mode
 * for the DNS server.
 */
static int
copy_to_dirs(const char *src, const char *hash, const struct strlist *dirs,
    bool wrote, bool *copied)
{
	struct stat	 st;
	const char	*base;
	char		 h[TLSA_HASH_HEXLEN];
	char		*dst = NULL, *prefix;
	int		 r = 0, hr, swept;

	base = strrchr(src, '/');
	base = base != NULL ? base + 1 : src;
	prefix = xasprintf("%s.", base);
	for (size_t i = 0; i < dirs->n; i++) {
		free(dst);
		dst = path_join(dirs->v[i], base);
		if (stat(dirs->v[i], &st) == -1 || !S_ISDIR(st.st_mode)) {
			sslm_log(SSLM_LOG_ERR, "tlsa_dirs %s: not a directory",
			    dirs->v[i]);
			r = SSLM_ERR_NOTFOUND;
			goto out;
		}
		/* Only our own file's temporaries: the dir is the DNS's. */
		if ((r = store_sweep_temps(dirs->v[i], prefix, &swept)) != 0)
			goto out;
		if (!wrote) {
			hr = tlsa_hash_file(dst, h);
			if (hr == 0 && strcmp(h, hash) == 0)
				continue;
			sslm_log(SSLM_LOG_NOTE, "%s: %s - recopying", dst,
			    hr == SSLM_ERR_NOTFOUND ? "missing" : "differs");
		}
		if ((r = sslm_fault("tlsa:before-dir-copy")) != 0 ||
		    (r = store_copy_file(src, dst, STORE_FILE_MODE)) != 0 ||
		    (r = sslm_fault("tlsa:after-dir-copy")) != 0)
			goto out;
		sslm_log(SSLM_LOG_INFO, "copied %s to %s", src, dirs->v[i]);
		*copied = true;
	}
out:
	free(prefix);
	free(dst);
	return r;
}

int
tlsa_group_update(const char *grpdir, const char *grp, const char *apex,
    const struct strlist *services, enum tlsa_phase phase,
    const struct strlist *tlsa_dirs, bool *changed)
{
	struct tlsa_group	 g = { 0 };
	char			 oldh[TLSA_HASH_HEXLEN], newh[TLSA_HASH_HEXLEN];
	char			*path, *prefix;
	bool			 exists, wrote = false, copied = false;
	int			 r, swept;

	path = tlsa_group_path(grpdir, grp);
	prefix = xasprintf("tlsa.%s.", grp);
	/* A killed run's temporary of this file (store_recover only sweeps
	 * the service trees). */
	if ((r = store_sweep_temps(grpdir, prefix, &swept)) != 0 ||
	    (r = tlsa_group_build(grpdir, apex, services, phase, &g)) != 0)
		goto out;
	tlsa_hash_text(g.text, g.len, newh);
	r = tlsa_hash_file(path, oldh);
	if (r != 0 && r != SSLM_ERR_NOTFOUND)
		goto out;
	exists = r == 0;
	r = 0;
	/*
	 * Written when the records changed; never created without records
	 * (upstream 3.6.0).  Upstream left a stale file when DANE was
	 * removed (spec §19.13), so the zone kept publishing records of a
	 * cert that was gone; a header-only file withdraws them.
	 */
	if (exists ? strcmp(oldh, newh) != 0 : g.n_records > 0) {
		if ((r = store_write_file(path, g.text, g.len,
		    STORE_FILE_MODE)) != 0 ||
		    (r = sslm_fault("tlsa:after-group-write")) != 0)
			goto out;
		/* Upstream's mtime: that of the newest tlsa.rr.  A crash
		 * before this only leaves a newer mtime, which nothing
		 * decides on (changes are found by hash). */
		if (g.has_times && utimensat(AT_FDCWD, path, g.times, 0) == -1)
			sslm_log(SSLM_LOG_WARN, "%s: utimensat: %s", path,
			    strerror(errno));
		wrote = exists = true;
		sslm_log(SSLM_LOG_NOTE, "%s: TLSA records changed (%zu "
		    "record%s)", path, g.n_records,
		    g.n_records == 1 ? "" : "s");
	}
	/*
	 * Upstream failed the group without tlsa_dirs.  The group file is
	 * still right and the zone may read it in place, so a warning.
	 */
	if (tlsa_dirs == NULL)
		;	/* the caller copies later (after the restarts) */
	else if (exists && tlsa_dirs->n == 0) {
		if (wrote)
			sslm_log(SSLM_LOG_WARN, "Warning: %s: no [dns] "
			    "tlsa_dirs - TLSA records not copied", grp);
	} else if (exists && (r = copy_to_dirs(path, newh, tlsa_dirs, wrote,
	    &copied)) != 0)
		goto out;
	*changed = wrote || copied;
out:
	tlsa_group_free(&g);
	free(prefix);
	free(path);
	return r;
}
