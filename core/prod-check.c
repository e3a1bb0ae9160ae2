/*
 * prod-check.c - the production integrity check (spec §10.1, made
 * precise): which file differs, on which side, for the groups of a run.
 * Reads only; the sync that repairs is in prod.c.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "par.h"
#include "prod.h"
#include "prod-priv.h"
#include "store.h"

static bool	 tlsa_equal(const char *, const char *);
static int	 check_tlsa(const char *, const char *, const char *,
		    struct strlist *);
static int	 check_pem(const char *, const char *, const char *,
		    const char *, struct strlist *);
static int	 check_side(const char *, const char *, const char *,
		    const char *, int, const char *const *,
		    const struct stat *const *, struct prod_stamps *, int, bool,
		    struct strlist *);

/*
 * Compares two TLSA zone fragments by their records: comment lines
 * (";" or "#" first), blank lines and white space at either end of a
 * line do not count.  NULL is an absent file, equal to an empty one.
 */
static bool
tlsa_equal(const char *a, const char *b)
{
	const char	*ae, *be;
	size_t		 al, bl;

	for (;;) {
		/* Skip to the next significant line of each. */
		for (;;) {
			while (a != NULL && isspace((unsigned char)*a))
				a++;
			if (a == NULL || (*a != ';' && *a != '#'))
				break;
			a += strcspn(a, "\n");
		}
		for (;;) {
			while (b != NULL && isspace((unsigned char)*b))
				b++;
			if (b == NULL || (*b != ';' && *b != '#'))
				break;
			b += strcspn(b, "\n");
		}
		if (a == NULL || *a == '\0' || b == NULL || *b == '\0')
			return (a == NULL || *a == '\0') &&
			    (b == NULL || *b == '\0');
		ae = a + strcspn(a, "\n");
		be = b + strcspn(b, "\n");
		for (al = (size_t)(ae - a); al > 0 &&
		    isspace((unsigned char)a[al - 1]); al--)
			;
		for (bl = (size_t)(be - b); bl > 0 &&
		    isspace((unsigned char)b[bl - 1]); bl--)
			;
		if (al != bl || memcmp(a, b, al) != 0)
			return false;
		a = ae;
		b = be;
	}
}

/* Integrity check */

static int
check_tlsa(const char *certs_dir, const char *prod_dir, const char *grp,
    struct strlist *drift)
{
	char	*src, *dst, *a = NULL, *b = NULL;
	size_t	 alen = 0, blen = 0;
	int	 r;

	src = xasprintf("%s/%s/tlsa.%s", certs_dir, grp, grp);
	dst = xasprintf("%s/%s/tlsa.%s", prod_dir, grp, grp);
	if ((r = prod_slurp(src, &a, &alen)) != 0 && r != SSLM_ERR_NOTFOUND)
		goto out;
	if ((r = prod_slurp(dst, &b, &blen)) != 0 && r != SSLM_ERR_NOTFOUND)
		goto out;
	r = 0;
	if (tlsa_equal(a, b))
		goto out;
	if (b == NULL)
		strlist_add_nodup(drift, xasprintf("%s/tlsa.%s: missing in "
		    "production", grp, grp));
	else if (tlsa_equal(a, NULL))
		strlist_add_nodup(drift, xasprintf("%s/tlsa.%s: stale in "
		    "production (none in certs)", grp, grp));
	else
		strlist_add_nodup(drift, xasprintf("%s/tlsa.%s: differs "
		    "(certs: %s, prod: %s)", grp, grp, src, dst));
out:
	free(a);
	free(b);
	free(src);
	free(dst);
	return r;
}

/* One PEM file of a curr/next present on both sides; tag names it. */
static int
check_pem(const char *grp, const char *src, const char *dst,
    const char *tag, struct strlist *drift)
{
	struct stat	 st;
	char		*a = NULL, *b = NULL;
	size_t		 alen = 0, blen = 0;
	const char	*f = strrchr(dst, '/') + 1;
	int		 r;

	if (prod_is_ca(grp) && prod_is_secret(f)) {
		if (lstat(dst, &st) == 0)
			strlist_add_nodup(drift, xasprintf("%s: CA private "
			    "key in production (must not be copied)", tag));
		return 0;
	}
	if ((r = prod_slurp(src, &a, &alen)) != 0 && r != SSLM_ERR_NOTFOUND)
		goto out;
	if ((r = prod_slurp(dst, &b, &blen)) != 0 && r != SSLM_ERR_NOTFOUND)
		goto out;
	r = 0;
	if (a == NULL && b == NULL)
		goto out;
	if (b == NULL)
		strlist_add_nodup(drift, xasprintf("%s: missing in "
		    "production", tag));
	else if (a == NULL)
		strlist_add_nodup(drift, xasprintf("%s: stale in production "
		    "(not in certs)", tag));
	else if (!prod_ws_equal(a, alen, b, blen))
		strlist_add_nodup(drift, xasprintf("%s: differs (certs: %s, "
		    "prod: %s)", tag, src, dst));
out:
	prod_release(a, alen);
	prod_release(b, blen);
	return r;
}

/* Files of a set up to this size are compared from the stack. */
#define SMALL_MAX	16384

/*
 * Reads name of the directory dfd into buf (cap bytes): 0 and *len,
 * SSLM_ERR_NOTFOUND when absent, SSLM_ERR_TOOBIG when it does not fit
 * (the caller then takes prod_slurp), or the error read_file would give
 * (logged as prod_slurp logs it, with the path dir/name).
 */
static int
slurp_at(int dfd, const char *dir, const char *name, char *buf, size_t cap,
    size_t *len)
{
	ssize_t	 n;
	size_t	 got = 0;
	int	 fd, r = 0;
	char	*path;

	*len = 0;
	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return SSLM_ERR_NOTFOUND;
		r = errno == EACCES ? SSLM_ERR_PERM : SSLM_ERR_IO;
	}
	while (r == 0 && (n = read(fd, buf + got, cap - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = errno == EISDIR ? SSLM_ERR_ISDIR : SSLM_ERR_IO;
		else if ((got += (size_t)n) == cap)
			r = SSLM_ERR_TOOBIG;
	}
	if (fd != -1)
		close(fd);
	if (r != 0 && r != SSLM_ERR_TOOBIG) {
		path = path_join(dir, name);
		sslm_log(SSLM_LOG_ERR, "%s: read: %s", path, sslm_strerror(r));
		free(path);
	}
	*len = got;
	return r;
}

/*
 * check_pem for the file f of the sets src and dst, read through their
 * directory descriptors (one path walk per set instead of one per file).
 */
static int
check_pem_at(const char *grp, const char *src, int sfd, const char *dst,
    int dfd, const char *f, const char *tag, struct strlist *drift)
{
	struct stat	 st;
	char		 a[SMALL_MAX], b[SMALL_MAX];
	char		*fsrc, *fdst;
	size_t		 alen, blen;
	int		 ra, rb, r = 0;

	if (prod_is_ca(grp) && prod_is_secret(f)) {
		if (fstatat(dfd, f, &st, AT_SYMLINK_NOFOLLOW) == 0)
			strlist_add_nodup(drift, xasprintf("%s: CA private "
			    "key in production (must not be copied)", tag));
		return 0;
	}
	ra = slurp_at(sfd, src, f, a, sizeof(a), &alen);
	rb = ra == 0 || ra == SSLM_ERR_NOTFOUND ?
	    slurp_at(dfd, dst, f, b, sizeof(b), &blen) : 0;
	if (ra == SSLM_ERR_TOOBIG || rb == SSLM_ERR_TOOBIG) {
		/* A large file: the general path. */
		fsrc = path_join(src, f);
		fdst = path_join(dst, f);
		r = check_pem(grp, fsrc, fdst, tag, drift);
		free(fsrc);
		free(fdst);
	} else if (ra != 0 && ra != SSLM_ERR_NOTFOUND)
		r = ra;
	else if (rb != 0 && rb != SSLM_ERR_NOTFOUND)
		r = rb;
	else if (ra == SSLM_ERR_NOTFOUND && rb == SSLM_ERR_NOTFOUND)
		r = 0;
	else if (rb == SSLM_ERR_NOTFOUND)
		strlist_add_nodup(drift, xasprintf("%s: missing in "
		    "production", tag));
	else if (ra == SSLM_ERR_NOTFOUND)
		strlist_add_nodup(drift, xasprintf("%s: stale in production "
		    "(not in certs)", tag));
	else if (!prod_ws_equal(a, alen, b, blen)) {
		fsrc = path_join(src, f);
		fdst = path_join(dst, f);
		strlist_add_nodup(drift, xasprintf("%s: differs (certs: %s, "
		    "prod: %s)", tag, fsrc, fdst));
		free(fsrc);
		free(fdst);
	}
	/* They may hold a private key. */
	explicit_bzero(a, sizeof(a));
	explicit_bzero(b, sizeof(b));
	return r;
}

/* The db set name svcdir/which links to, into buf; false when none. */
static bool
link_base(const char *svcdir, const char *which, char *buf, size_t cap)
{
	char	 path[PATH_MAX], *b;
	ssize_t	 n;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", svcdir, which) >=
	    sizeof(path) || (n = readlink(path, buf, cap - 1)) <= 0)
		return false;
	buf[n] = '\0';
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	if ((b = strrchr(buf, '/')) != NULL)
		memmove(buf, b + 1, strlen(b + 1) + 1);
	return *buf != '\0';
}

/*
 * One side (w: 0 curr, 1 next) of a service.  A stamp that still holds
 * answers with six fstatat(); otherwise the contents are compared, and
 * with record a side found equal is stamped (one found different is not).
 */
static int
check_side(const char *certs_dir, const char *prod_dir, const char *grp,
    const char *svc, int w, const char *const *known,
    const struct stat *const *known_st, struct prod_stamps *st, int gdfd,
    bool record, struct strlist *drift)
{
	const char *which = prod_sides[w];
	char	*src = NULL, *dst, *tag, *fsrc, *fdst, *ftag, *svcdir;
	char	 db[PATH_MAX];
	size_t	 i, before = drift->n;
	bool	 live, linked;
	int	 r, sfd = -1, dfd = -1;

	/* A changing run compares in full (and stamps); a status trusts a
	 * stamp that still holds. */
	if (!record) {
		svcdir = xasprintf("%s/%s/%s", certs_dir, grp, svc);
		if (known != NULL) {
			linked = known[w] != NULL &&
			    strlen(known[w]) < sizeof(db);
			if (linked)
				memcpy(db, known[w], strlen(known[w]) + 1);
		} else
			linked = link_base(svcdir, which, db, sizeof(db));
		if (linked) {
			char *dbpath = xasprintf("%s/db/%s", svcdir, db);
			bool same = prod_stamps_match(st, gdfd, svc, w, db,
			    dbpath, known_st != NULL ? known_st[w] : NULL);

			free(dbpath);
			if (same) {
				free(svcdir);
				return 0;
			}
		}
		free(svcdir);
	}
	dst = xasprintf("%s/%s/%s/%s", prod_dir, grp, svc, which);
	tag = xasprintf("%s/%s/%s", grp, svc, which);
	if ((r = prod_db_dir(certs_dir, grp, svc, which, &src)) != 0)
		goto out;
	live = prod_is_dir(dst);
	if (src == NULL && live)
		strlist_add_nodup(drift, xasprintf("%s: stale in production "
		    "(no %s in certs)", tag, which));
	else if (src != NULL && !live)
		strlist_add_nodup(drift, xasprintf("%s: missing in "
		    "production", tag));
	if (src == NULL || !live)
		goto out;
	if ((sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1)
		dfd = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (i = 0; i < PROD_N_PEM_FILES && r == 0; i++) {
		ftag = path_join(tag, prod_pem_files[i]);
		if (dfd != -1)
			r = check_pem_at(grp, src, sfd, dst, dfd,
			    prod_pem_files[i], ftag, drift);
		else {
			fsrc = path_join(src, prod_pem_files[i]);
			fdst = path_join(dst, prod_pem_files[i]);
			r = check_pem(grp, fsrc, fdst, ftag, drift);
			free(fsrc);
			free(fdst);
		}
		free(ftag);
	}
	if (record && r == 0 && drift->n == before)
		prod_stamps_put(st, gdfd, svc, w, strrchr(src, '/') + 1, src);
out:
	if (record && drift->n != before)
		prod_stamps_drop(st, svc, w);
	if (sfd != -1)
		close(sfd);
	if (dfd != -1)
		close(dfd);
	free(src);
	free(dst);
	free(tag);
	return r;
}

/* Every name in dir (unsorted); 0, or -1 when it cannot be read. */
static int
list_all(const char *dir, struct strlist *out)
{
	struct dirent	*de;
	DIR		*d;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			strlist_add(out, de->d_name);
	closedir(d);
	return 0;
}

/* True when any service of the scope has a curr or next link in certs. */
static bool
group_has_certs(const char *certs_dir, const struct prod_scope *sc)
{
	struct stat st;

	for (size_t i = 0; i < sc->svcs.n; i++)
		for (size_t w = 0; w < 2; w++) {
			char *p = xasprintf("%s/%s/%s/%s", certs_dir, sc->grp,
			    sc->svcs.v[i], prod_sides[w]);
			bool has = lstat(p, &st) == 0;

			free(p);
			if (has)
				return true;
		}
	return false;
}

int
prod_check_group(const char *certs_dir, const char *prod_dir,
    const struct prod_scope *sc, bool record, struct strlist *drift)
{
	struct strlist		 names = { 0 };
	struct prod_stamps	*st;
	char			*gdir;
	size_t			 s;
	int			 r, w, gdfd;

	gdir = path_join(prod_dir, sc->grp);
	if (!prod_is_dir(gdir)) {
		/* Nothing issued yet (a new install) is no drift. */
		if (group_has_certs(certs_dir, sc))
			strlist_add_nodup(drift, xasprintf("%s: missing in "
			    "production", sc->grp));
		free(gdir);
		return 0;
	}
	/* What a killed sync left must go, even when the live sets are
	 * right (it was killed after its swap). */
	if (list_all(gdir, &names) == 0)
		for (s = 0; s < names.n; s++)
			if (prod_is_leftover(names.v[s]))
				strlist_add_nodup(drift, xasprintf("%s/%s: left "
				    "by an interrupted run", sc->grp,
				    names.v[s]));
	strlist_clear(&names);
	gdfd = open(gdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	free(gdir);
	if (record)
		prod_stamps_sweep(certs_dir, sc->grp);
	st = prod_stamps_load(certs_dir, sc->grp);
	r = check_tlsa(certs_dir, prod_dir, sc->grp, drift);
	for (s = 0; s < sc->svcs.n && r == 0; s++)
		for (w = 0; w < 2 && r == 0; w++)
			r = check_side(certs_dir, prod_dir, sc->grp,
			    sc->svcs.v[s], w, sc->links ? sc->links + 2 * s :
			    NULL, sc->links && sc->dbdirs ? sc->dbdirs + 2 * s :
			    NULL, st, gdfd, record, drift);
	if (record && r == 0)
		(void)prod_stamps_save(st, certs_dir, sc->grp);
	prod_stamps_free(st);
	if (gdfd != -1)
		close(gdfd);
	return r;
}

/* Groups checked on every core: each its own drift list, merged after. */
struct par_check {
	const char		*certs_dir, *prod_dir;
	const struct prod_scope	*scope;
	struct strlist		*drift;
	int			*r;
};

static void
par_check_one(size_t g, void *arg)
{
	struct par_check *pc = arg;

	pc->r[g] = prod_check_group(pc->certs_dir, pc->prod_dir, &pc->scope[g],
	    false, &pc->drift[g]);
}

int
prod_check(const struct sslm_config *cfg, const char *certs_dir,
    const char *prod_dir, const struct prod_scope *scope, size_t n,
    bool record, struct strlist *drift)
{
	struct par_check pc;
	size_t g, i;
	int r = 0;

	(void)cfg;
	/* A recording check writes stamps: it stays in one thread. */
	if (record || n < 2 || par_threads() < 2) {
		for (g = 0; g < n && r == 0; g++)
			r = prod_check_group(certs_dir, prod_dir, &scope[g], record,
			    drift);
		return r;
	}
	pc.certs_dir = certs_dir;
	pc.prod_dir = prod_dir;
	pc.scope = scope;
	pc.drift = xcalloc(n, sizeof(*pc.drift));
	pc.r = xcalloc(n, sizeof(*pc.r));
	par_for(n, par_check_one, &pc);
	/* As the sequential loop: groups in order, up to the first error. */
	for (g = 0; g < n; g++) {
		for (i = 0; r == 0 && i < pc.drift[g].n; i++)
			strlist_add_nodup(drift, xstrdup(pc.drift[g].v[i]));
		if (r == 0)
			r = pc.r[g];
		strlist_clear(&pc.drift[g]);
	}
	free(pc.drift);
	free(pc.r);
	return r;
}
