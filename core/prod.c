/*
 * prod.c - the production tree on this machine: the integrity check
 * against certs/ and the local sync (spec §6.4, §10.1-10.3).  Remote
 * copies and post_copy_cmd are in prod-remote.c.
 *
 * Invariant: a service's production directory is only ever replaced as
 * a whole.  Its new content is built beside it as <svc>.new.<pid> and
 * exchanged with the live one by one renameat2(RENAME_EXCHANGE), so a
 * server reading <prod>/<grp>/<svc>/ sees the old set or the new set and
 * never a key next to another key's certificate.  Whatever a killed run
 * leaves behind has a ".new.<pid>" or ".tmp.<pid>" name and is removed by
 * the next prod_sync.  CA private keys never enter production.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "fault.h"
#include "log.h"
#include "prod.h"
#include "prod-priv.h"
#include "store.h"

const char *const prod_pem_files[PROD_N_PEM_FILES] = {
	"privkey.pem", "cert.pem", "csr.pem", "chain.pem", "fullchain.pem",
	"bundle.pem",
};
const char *const prod_sides[2] = { "curr", "next" };

static mode_t	 file_mode(const char *, mode_t);
static int	 list_names(const char *, struct strlist *);
static int	 file_same(const char *, const char *, mode_t, bool *);
static int	 dir_same(const char *, const char *, const char *, bool *);
static int	 svc_same(const char *, char *const [], const char *, bool *);
static int	 copy_dir(const char *, const char *, const char *);
static int	 fsync_dir(const char *);
static int	 swap_in(const char *, const char *, const char *);
static int	 clean_leftovers(const char *);
static int	 sync_svc(const char *, const char *, const char *,
		    const char *, bool, bool *);
static int	 sync_tlsa(const char *, const char *, const char *, bool,
		    bool *);

bool
prod_is_ca(const char *grp)
{
	return str_ieq(grp, "ca");
}

/* The files that hold a private key: 0600, and never copied for "ca". */
bool
prod_is_secret(const char *name)
{
	return strcmp(name, "privkey.pem") == 0 ||
	    strcmp(name, "key.pem") == 0 || strcmp(name, "bundle.pem") == 0;
}

/* Keys and bundles 0600; a source nobody else may read stays so. */
static mode_t
file_mode(const char *name, mode_t src)
{
	if (prod_is_secret(name) || (src & 077) == 0)
		return PROD_KEY_MODE;
	return PROD_FILE_MODE;
}

/* A real directory (a symlink to one is not production's layout). */
bool
prod_is_dir(const char *path)
{
	struct stat	 st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Reads a file; SSLM_ERR_NOTFOUND when absent (not logged). */
int
prod_slurp(const char *path, char **p, size_t *len)
{
	int	 r;

	if ((r = read_file(path, PROD_FILE_MAX, p, len)) != 0 &&
	    r != SSLM_ERR_NOTFOUND)
		sslm_log(SSLM_LOG_ERR, "%s: read: %s", path,
		    sslm_strerror(r));
	return r;
}

/* Frees what slurp read: it may be a private key. */
void
prod_release(char *p, size_t len)
{
	if (p != NULL)
		freezero_secret(p, len + 1);
}

/* The ASCII white space of isspace() in the C locale. */
#define WS(c)	((c) == ' ' || ((c) >= '\t' && (c) <= '\r'))

/* Equal once every ASCII white space character is ignored. */
bool
prod_ws_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t	 i = 0, j = 0;

	/* The usual case, an exact copy, at memcmp speed. */
	if (alen == blen && memcmp(a, b, alen) == 0)
		return true;
	for (;;) {
		while (i < alen && WS(a[i]))
			i++;
		while (j < blen && WS(b[j]))
			j++;
		if (i == alen || j == blen)
			return i == alen && j == blen;
		if (a[i++] != b[j++])
			return false;
	}
}

/*
 * "<certs>/<grp>/<svc>/db/<target of link which>" into *dir, or NULL
 * when the link is absent (or not a link: upstream's "treated as
 * absent", warned by store_link_get).  0 or an sslm_err.
 */
int
prod_db_dir(const char *certs_dir, const char *grp, const char *svc,
    const char *which, char **dir)
{
	char	*svcdir, *target = NULL;
	int	 r;

	*dir = NULL;
	svcdir = xasprintf("%s/%s/%s", certs_dir, grp, svc);
	r = store_link_get(svcdir, which, &target);
	if (r == SSLM_ERR_NOTFOUND || r == SSLM_ERR_STATE)
		r = 0;
	else if (r == 0) {
		char *cert, *key;
		struct stat st;

		*dir = xasprintf("%s/db/%s", svcdir, target);
		/* An incomplete set (a renew killed before its cert arrived)
		 * is not published: production gets whole sets only. */
		cert = path_join(*dir, "cert.pem");
		key = path_join(*dir, "privkey.pem");
		if (stat(cert, &st) != 0 || stat(key, &st) != 0) {
			free(*dir);
			*dir = NULL;
		}
		free(cert);
		free(key);
	}
	free(target);
	free(svcdir);
	return r;
}

/* Every name in dir but "." and "..", sorted; 0 or an sslm_err. */
static int
list_names(const char *dir, struct strlist *out)
{
	DIR		*d;
	struct dirent	*de;

	if ((d = opendir(dir)) == NULL) {
		sslm_log(SSLM_LOG_ERR, "%s: opendir: %s", dir,
		    strerror(errno));
		return errno == ENOENT ? SSLM_ERR_NOTFOUND : SSLM_ERR_IO;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			strlist_add(out, de->d_name);
	closedir(d);
	strlist_sort(out);
	return 0;
}

/* Local sync */

/* *same: dst is a regular file with mode and exactly src's bytes. */
static int
file_same(const char *src, const char *dst, mode_t mode, bool *same)
{
	struct stat	 st;
	char		*a = NULL, *b = NULL;
	size_t		 alen = 0, blen = 0;
	int		 r = 0;

	*same = false;
	if (lstat(dst, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & 07777) != mode)
		goto out;
	if ((r = prod_slurp(src, &a, &alen)) != 0)
		goto out;
	if ((r = prod_slurp(dst, &b, &blen)) != 0) {
		r = r == SSLM_ERR_NOTFOUND ? 0 : r;
		goto out;
	}
	*same = alen == blen && memcmp(a, b, alen) == 0;
out:
	prod_release(a, alen);
	prod_release(b, blen);
	return r;
}

/*
 * *same: the production dir dst (0750) holds exactly what copy_dir would
 * put there from the db dir src.
 */
static int
dir_same(const char *grp, const char *src, const char *dst, bool *same)
{
	struct strlist	 want = { 0 }, have = { 0 };
	struct stat	 st;
	char		*f, *t;
	size_t		 i;
	int		 r;

	*same = false;
	if (lstat(dst, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    (st.st_mode & 07777) != PROD_DIR_MODE)
		return 0;
	if ((r = list_names(src, &want)) != 0 ||
	    (r = list_names(dst, &have)) != 0)
		goto out;
	*same = true;
	for (i = 0; i < want.n && *same && r == 0; i++) {
		f = path_join(src, want.v[i]);
		t = path_join(dst, want.v[i]);
		if (lstat(f, &st) == -1 || !S_ISREG(st.st_mode) ||
		    (prod_is_ca(grp) && prod_is_secret(want.v[i])))
			*same = !strlist_has(&have, want.v[i]);
		else
			r = file_same(f, t, file_mode(want.v[i], st.st_mode),
			    same);
		free(f);
		free(t);
	}
	/* Anything in production that certs does not have. */
	for (i = 0; i < have.n && *same; i++)
		*same = strlist_has(&want, have.v[i]);
out:
	strlist_clear(&want);
	strlist_clear(&have);
	return r;
}

/* *same: <live> is what a sync of db dirs db[0] (curr), db[1] makes. */
static int
svc_same(const char *grp, char *const db[], const char *live, bool *same)
{
	struct strlist	 have = { 0 };
	struct stat	 st;
	char		*d;
	size_t		 i;
	int		 r = 0;

	*same = false;
	if (lstat(live, &st) == -1) {
		*same = db[0] == NULL && db[1] == NULL;
		return 0;
	}
	if (!S_ISDIR(st.st_mode) || (st.st_mode & 07777) != PROD_DIR_MODE)
		return 0;
	if ((r = list_names(live, &have)) != 0)
		goto out;
	*same = true;
	for (i = 0; i < have.n; i++)
		if (!((strcmp(have.v[i], "curr") == 0 && db[0] != NULL) ||
		    (strcmp(have.v[i], "next") == 0 && db[1] != NULL)))
			*same = false;
	for (i = 0; i < 2 && *same && r == 0; i++) {
		if (db[i] == NULL)
			continue;
		d = path_join(live, prod_sides[i]);
		r = dir_same(grp, db[i], d, same);
		free(d);
	}
out:
	strlist_clear(&have);
	return r;
}

/* Copies the regular files of db dir src into a new dir dst. */
static int
copy_dir(const char *grp, const char *src, const char *dst)
{
	struct strlist	 names = { 0 };
	struct stat	 st, dst_st;
	struct timespec	 times[2];
	char		*f, *t;
	size_t		 i;
	int		 r;

	if ((r = store_mkdir_p(dst, PROD_DIR_MODE)) != 0 ||
	    (r = list_names(src, &names)) != 0)
		goto out;
	for (i = 0; i < names.n && r == 0; i++) {
		if (prod_is_ca(grp) && prod_is_secret(names.v[i]))
			continue;
		f = path_join(src, names.v[i]);
		t = path_join(dst, names.v[i]);
		if (lstat(f, &st) == -1 || !S_ISREG(st.st_mode))
			sslm_log(SSLM_LOG_WARN, "%s: not a regular file, not "
			    "copied to production", f);
		else
			r = store_copy_file(f, t, file_mode(names.v[i],
			    st.st_mode));
		free(f);
		free(t);
	}
	/* rsync -a keeps the directory's times as well. */
	if (r == 0 && stat(src, &st) == 0 && stat(dst, &dst_st) == 0) {
		times[0] = st.st_atim;
		times[1] = st.st_mtim;
		if (utimensat(AT_FDCWD, dst, times, 0) == -1)
			sslm_log(SSLM_LOG_DEBUG, "%s: utimensat: %s", dst,
			    strerror(errno));
	}
out:
	strlist_clear(&names);
	return r;
}

static int
fsync_dir(const char *dir)
{
	int	 fd, r = 0;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (fsync(fd) == -1 && errno != EINVAL)) {
		sslm_log(SSLM_LOG_ERR, "%s: fsync: %s", dir, strerror(errno));
		r = SSLM_ERR_IO;
	}
	if (fd != -1)
		close(fd);
	return r;
}

/*
 * Puts the complete new service dir fresh in place of live; afterwards
 * fresh names the old one (or nothing).  gdir is their parent.
 */
static int
swap_in(const char *gdir, const char *fresh, const char *live)
{
	struct stat	 st;
	char		*old = NULL;
	int		 r = 0;

	if (lstat(live, &st) == -1) {
		if (rename(fresh, live) == -1) {
			sslm_log(SSLM_LOG_ERR, "%s: rename: %s", live,
			    strerror(errno));
			return SSLM_ERR_IO;
		}
		return fsync_dir(gdir);
	}
	if (renameat2(AT_FDCWD, fresh, AT_FDCWD, live, RENAME_EXCHANGE) == 0)
		return fsync_dir(gdir);
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
		sslm_log(SSLM_LOG_ERR, "%s: rename exchange: %s", live,
		    strerror(errno));
		return SSLM_ERR_IO;
	}
	/*
	 * The file system cannot exchange (some network ones): two
	 * renames, with a moment where the service dir is absent.  A
	 * reader then finds nothing, which is still never a mixed set.
	 */
	sslm_log(SSLM_LOG_WARN, "%s: atomic exchange not supported here, "
	    "replacing in two steps", live);
	old = xasprintf("%s.old.%ld", live, (long)getpid());
	if (rename(live, old) == -1) {
		sslm_log(SSLM_LOG_ERR, "%s: rename: %s", live,
		    strerror(errno));
		r = SSLM_ERR_IO;
	} else if (rename(fresh, live) == -1) {
		sslm_log(SSLM_LOG_ERR, "%s: rename: %s", fresh,
		    strerror(errno));
		/* Put the old set back rather than leave none. */
		if (rename(old, live) == -1)
			sslm_log(SSLM_LOG_ERR, "%s: restore: %s", live,
			    strerror(errno));
		r = SSLM_ERR_IO;
	} else {
		/* The old set keeps a leftover's name if this fails. */
		if (rename(old, fresh) == -1)
			sslm_log(SSLM_LOG_WARN, "%s: rename: %s", old,
			    strerror(errno));
		r = fsync_dir(gdir);
	}
	free(old);
	return r;
}

/*
 * True for the names prod_sync uses for a while: "<svc>.new.<pid>",
 * "<svc>.old.<pid>" and store's "<file>.tmp.<pid>".
 */
bool
prod_is_leftover(const char *name)
{
	const char	*p = strrchr(name, '.');
	size_t		 pre;

	if (p == NULL || p[1] == '\0' ||
	    strspn(p + 1, "0123456789") != strlen(p + 1))
		return false;
	pre = (size_t)(p - name);
	return pre > 4 && (strncmp(p - 4, ".new", 4) == 0 ||
	    strncmp(p - 4, ".old", 4) == 0 || strncmp(p - 4, ".tmp", 4) == 0);
}

/*
 * Removes what a killed prod_sync left in a group dir.  Runs are
 * serialised by the run lock, so no other live sync owns these.
 */
static int
clean_leftovers(const char *gdir)
{
	struct strlist	 names = { 0 };
	char		*p;
	size_t		 i;
	int		 r;

	if ((r = list_names(gdir, &names)) != 0)
		goto out;
	for (i = 0; i < names.n && r == 0; i++) {
		if (!prod_is_leftover(names.v[i]))
			continue;
		p = path_join(gdir, names.v[i]);
		sslm_log(SSLM_LOG_INFO, "Prod: removing leftover %s", p);
		r = store_rmtree(p);
		free(p);
	}
out:
	strlist_clear(&names);
	return r;
}

static int
sync_svc(const char *certs_dir, const char *gdir, const char *grp,
    const char *svc, bool debug, bool *changed)
{
	char	*db[2] = { NULL, NULL }, *live, *fresh, *d;
	bool	 same;
	size_t	 i;
	int	 r;

	live = path_join(gdir, svc);
	fresh = xasprintf("%s.new.%ld", live, (long)getpid());
	if ((r = prod_db_dir(certs_dir, grp, svc, "curr", &db[0])) != 0 ||
	    (r = prod_db_dir(certs_dir, grp, svc, "next", &db[1])) != 0 ||
	    (r = svc_same(grp, db, live, &same)) != 0 || same)
		goto out;
	*changed = true;
	if (debug) {
		for (i = 0; i < 2; i++) {
			d = path_join(live, prod_sides[i]);
			if (db[i] != NULL)
				sslm_log(SSLM_LOG_NOTE, "debug: would copy "
				    "%s/ to %s/", db[i], d);
			else if (prod_is_dir(d))
				sslm_log(SSLM_LOG_NOTE, "debug: would remove "
				    "%s", d);
			free(d);
		}
		goto out;
	}
	if ((r = store_rmtree(fresh)) != 0)
		goto out;
	if (db[0] == NULL && db[1] == NULL) {
		/* Take it out of view at once, then delete it. */
		sslm_log(SSLM_LOG_INFO, "Prod: %s/%s removed (no curr, no "
		    "next in certs)", grp, svc);
		if ((r = sslm_fault("prod:before-remove")) != 0)
			goto out;
		if (rename(live, fresh) == -1) {
			sslm_log(SSLM_LOG_ERR, "%s: rename: %s", live,
			    strerror(errno));
			r = SSLM_ERR_IO;
		} else
			r = store_rmtree(fresh);
		goto out;
	}
	if ((r = store_mkdir_p(fresh, PROD_DIR_MODE)) != 0)
		goto out;
	/* Nothing sees fresh before the swap: one fsync per directory. */
	store_defer_begin(STORE_DEFER_DATA);
	for (i = 0; i < 2 && r == 0; i++) {
		if (db[i] == NULL)
			continue;
		d = path_join(fresh, prod_sides[i]);
		r = copy_dir(grp, db[i], d);
		free(d);
	}
	if (store_defer_end() != 0 && r == 0)
		r = SSLM_ERR_IO;
	if (r != 0 || (r = sslm_fault("prod:before-swap")) != 0 ||
	    (r = swap_in(gdir, fresh, live)) != 0 ||
	    (r = sslm_fault("prod:after-swap")) != 0)
		goto out;
	sslm_log(SSLM_LOG_INFO, "Prod: %s/%s updated", grp, svc);
	r = store_rmtree(fresh);
out:
	/* A failed build must not be mistaken for anything later. */
	if (r != 0 && r != SSLM_ERR_FAULT && !debug)
		if (store_rmtree(fresh) != 0)
			sslm_log(SSLM_LOG_WARN, "%s: left for the next run",
			    fresh);
	free(db[0]);
	free(db[1]);
	free(live);
	free(fresh);
	return r;
}

/*
 * <prod>/<grp>/tlsa.<grp> follows certs: copied when certs has one with
 * content, removed when certs has none or an empty one, so the check and
 * the sync agree and an old TLSA set is not served for ever.
 */
static int
sync_tlsa(const char *certs_dir, const char *gdir, const char *grp,
    bool debug, bool *changed)
{
	char	*src, *dst, *a = NULL, *b = NULL;
	size_t	 alen = 0, blen = 0;
	bool	 want;
	int	 r;

	src = xasprintf("%s/%s/tlsa.%s", certs_dir, grp, grp);
	dst = xasprintf("%s/tlsa.%s", gdir, grp);
	if ((r = prod_slurp(src, &a, &alen)) != 0 && r != SSLM_ERR_NOTFOUND)
		goto out;
	if ((r = prod_slurp(dst, &b, &blen)) != 0 && r != SSLM_ERR_NOTFOUND)
		goto out;
	r = 0;
	want = a != NULL && !prod_ws_equal(a, alen, "", 0);
	if (want && b != NULL && alen == blen && memcmp(a, b, alen) == 0)
		goto out;
	if (!want && b == NULL)
		goto out;
	*changed = true;
	if (debug)
		sslm_log(SSLM_LOG_NOTE, "debug: would %s %s", want ?
		    "update" : "remove", dst);
	else if (want)
		r = store_copy_file(src, dst, PROD_FILE_MODE);
	else if ((r = store_rmtree(dst)) == 0)
		r = fsync_dir(gdir);
out:
	free(a);
	free(b);
	free(src);
	free(dst);
	return r;
}

/*
 * After a group's sync every service of sc is its certs sets' copy: the
 * stamps say so, and the next check of them is stat-only (prod-stamp.c).
 */
static void
stamp_group(const char *certs_dir, const char *gdir,
    const struct prod_scope *sc)
{
	struct prod_stamps *st;
	char *db;
	int gdfd;

	if ((gdfd = open(gdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return;
	st = prod_stamps_load(certs_dir, sc->grp);
	for (size_t s = 0; s < sc->svcs.n; s++)
		for (int w = 0; w < 2; w++) {
			if (prod_db_dir(certs_dir, sc->grp, sc->svcs.v[s],
			    prod_sides[w], &db) == 0 && db != NULL)
				prod_stamps_put(st, gdfd, sc->svcs.v[s], w,
				    strrchr(db, '/') + 1, db);
			else
				prod_stamps_drop(st, sc->svcs.v[s], w);
			free(db);
		}
	(void)prod_stamps_save(st, certs_dir, sc->grp);
	prod_stamps_free(st);
	close(gdfd);
}

int
prod_sync(const struct sslm_config *cfg, const char *certs_dir,
    const char *prod_dir, const struct prod_scope *scope, size_t n,
    bool debug, bool *changed)
{
	struct stat	 st;
	char		*gdir = NULL;
	size_t		 g, s;
	int		 r = 0;

	(void)cfg;
	*changed = false;
	for (g = 0; g < n && r == 0; g++) {
		free(gdir);
		gdir = path_join(prod_dir, scope[g].grp);
		/* A symlink planted here would take every key elsewhere. */
		if (lstat(gdir, &st) == 0 && !S_ISDIR(st.st_mode)) {
			sslm_log(SSLM_LOG_ERR, "%s: not a directory (%s): "
			    "nothing copied", gdir, S_ISLNK(st.st_mode) ?
			    "a symlink is not followed" : "a file");
			r = SSLM_ERR_STATE;
			break;
		}
		if (!prod_is_dir(gdir)) {
			*changed = true;
			if (debug)
				sslm_log(SSLM_LOG_NOTE, "debug: would create "
				    "%s", gdir);
			else if ((r = store_mkdir_p(gdir, PROD_DIR_MODE)) != 0)
				break;
		}
		if (!debug && ((r = clean_leftovers(gdir)) != 0 ||
		    (r = sslm_fault("prod:after-leftovers")) != 0))
			break;
		for (s = 0; s < scope[g].svcs.n && r == 0; s++)
			r = sync_svc(certs_dir, gdir, scope[g].grp,
			    scope[g].svcs.v[s], debug, changed);
		if (r == 0 && !debug)
			stamp_group(certs_dir, gdir, &scope[g]);
		if (r == 0 && (r = sync_tlsa(certs_dir, gdir, scope[g].grp,
		    debug, changed)) == 0)
			r = sslm_fault("prod:after-tlsa");
	}
	free(gdir);
	return r;
}
