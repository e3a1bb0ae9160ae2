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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "prod.h"
#include "prod-priv.h"
#include "store.h"

static bool	 tlsa_equal(const char *, const char *);
static int	 check_tlsa(const char *, const char *, const char *,
		    struct strlist *);
static int	 check_pem(const char *, const char *, const char *,
		    const char *, struct strlist *);
static int	 check_side(const char *, const char *, const char *,
		    const char *, const char *, struct strlist *);

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

static int
check_side(const char *certs_dir, const char *prod_dir, const char *grp,
    const char *svc, const char *which, struct strlist *drift)
{
	char	*src = NULL, *dst, *tag, *fsrc, *fdst, *ftag;
	size_t	 i;
	bool	 live;
	int	 r, sfd = -1, dfd = -1;

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
out:
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
prod_check(const struct sslm_config *cfg, const char *certs_dir,
    const char *prod_dir, const struct prod_scope *scope, size_t n,
    struct strlist *drift)
{
	struct strlist	 names = { 0 };
	char		*gdir;
	size_t		 g, s, w;
	int		 r = 0;

	(void)cfg;
	for (g = 0; g < n && r == 0; g++) {
		gdir = path_join(prod_dir, scope[g].grp);
		if (!prod_is_dir(gdir)) {
			/* Nothing issued yet (a new install) is no drift. */
			if (group_has_certs(certs_dir, &scope[g]))
				strlist_add_nodup(drift, xasprintf("%s: missing "
				    "in production", scope[g].grp));
			free(gdir);
			continue;
		}
		/* What a killed sync left must go, even when the live
		 * sets are right (it was killed after its swap). */
		if (list_all(gdir, &names) == 0)
			for (s = 0; s < names.n; s++)
				if (prod_is_leftover(names.v[s]))
					strlist_add_nodup(drift, xasprintf(
					    "%s/%s: left by an interrupted run",
					    scope[g].grp, names.v[s]));
		strlist_clear(&names);
		free(gdir);
		r = check_tlsa(certs_dir, prod_dir, scope[g].grp, drift);
		for (s = 0; s < scope[g].svcs.n && r == 0; s++)
			for (w = 0; w < 2 && r == 0; w++)
				r = check_side(certs_dir, prod_dir,
				    scope[g].grp, scope[g].svcs.v[s], prod_sides[w],
				    drift);
	}
	return r;
}
