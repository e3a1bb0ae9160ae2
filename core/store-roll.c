/*
 * store-roll.c - the multi-step changes of one service's tree
 * (certs/<grp>/<svc>): a new next, the roll of next to curr, recovery
 * after a crash, and clean.  Built only from the atomic primitives of
 * store.c.
 *
 * Invariant: after every single step each of curr, next and prev is absent
 * or a link to a complete db dir, and no db dir that a link points at is
 * removed.  A roll stopped anywhere leaves either the state before it (so
 * rolling again is correct) or curr == next, which store_recover() and
 * store_roll() both finish.  No certificate is ever lost on the way.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "fault.h"
#include "log.h"
#include "store.h"

/* How far store_new_next() looks ahead for a free date name (1 hour). */
#define NEXT_TRIES	3600

/* A clean candidate: a date-named db dir that no link points at. */
struct cand {
	char		*name;
	struct timespec	 mtime;
};

static const char *const roll_files[] = {
	"privkey.pem", "cert.pem", "csr.pem", "chain.pem", "fullchain.pem",
	"bundle.pem",
};

static int	roll_err(const char *, const char *);
static bool	same(const char *, const char *);
static int	link_opt(const char *, const char *, char **);
static int	link_quiet(const char *, const char *, char **);
static int	is_empty_at(int, const char *, const char *, bool *);
static int	write_info(const char *, const char *, const char *, time_t);
static bool	is_stale_temp(const char *);
static int	sweep_dir(const char *, const char *, int *);
static int	cand_cmp(const void *, const void *);

/* "<path>: <step>: <strerror(errno)>" at SSLM_LOG_ERR; returns IO. */
static int
roll_err(const char *path, const char *step)
{
	int	 e = errno;

	sslm_log(SSLM_LOG_ERR, "%s: %s: %s", path, step, strerror(e));
	return e == EACCES || e == EPERM ? SSLM_ERR_PERM : SSLM_ERR_IO;
}

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/*
 * Reads link name in svcdir like store_link_get(), but an absent link or a
 * non-link (already warned about) gives 0 and *target NULL: upstream
 * treats both as "no such link".
 */
static int
link_opt(const char *svcdir, const char *name, char **target)
{
	int	 r;

	r = store_link_get(svcdir, name, target);
	if (r == SSLM_ERR_NOTFOUND || r == SSLM_ERR_STATE)
		r = 0;
	return r;
}

/*
 * As link_opt() but silent about a non-link: clean only asks which db
 * dirs are pointed at (upstream checks islink there and says nothing).
 */
static int
link_quiet(const char *svcdir, const char *name, char **target)
{
	struct stat	 st;
	char		*path;
	bool		 islink;

	*target = NULL;
	path = path_join(svcdir, name);
	islink = lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
	free(path);
	return islink ? link_opt(svcdir, name, target) : 0;
}

/* Sets *empty to whether dfd/name (a directory) has no entries. */
static int
is_empty_at(int dfd, const char *name, const char *path, bool *empty)
{
	struct dirent	*de;
	DIR		*d = NULL;
	int		 fd, r = 0;

	*empty = true;
	if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		r = roll_err(path, "open");
		goto out;
	}
	if ((d = fdopendir(fd)) == NULL) {
		r = roll_err(path, "opendir");
		close(fd);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			*empty = false;
			break;
		}
	}
out:
	if (d != NULL)
		closedir(d);
	return r;
}

int
store_new_next(const char *svcdir, time_t now, char **dbname)
{
	int	 r;

	if ((r = store_new_db(svcdir, now, dbname)) != 0)
		return r;
	if ((r = sslm_fault("next:after-mkdir")) != 0 ||
	    (r = store_link_next(svcdir, *dbname)) != 0) {
		free(*dbname);
		*dbname = NULL;
	}
	return r;
}

int
store_link_next(const char *svcdir, const char *dbname)
{
	char	*target;
	int	 r;

	target = xasprintf("db/%s", dbname);
	r = store_link_set(svcdir, "next", target);
	free(target);
	return r;
}

int
store_new_db(const char *svcdir, time_t now, char **dbname)
{
	struct stat	 st;
	char		 name[32], *dbdir, *path = NULL;
	char		*curr = NULL, *prev = NULL;
	bool		 created = false, empty;
	int		 dbfd = -1, fd, i, r;

	*dbname = NULL;
	dbdir = path_join(svcdir, "db");
	if ((r = store_mkdir_p(dbdir, STORE_DIR_MODE)) != 0)
		goto out;
	if ((r = link_opt(svcdir, "curr", &curr)) != 0 ||
	    (r = link_opt(svcdir, "prev", &prev)) != 0)
		goto out;
	if ((dbfd = open(dbdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		r = roll_err(dbdir, "open");
		goto out;
	}
	/*
	 * A name in use by curr or prev is never reused.  An existing dir
	 * is reused only when empty (two new_next in one second, as
	 * upstream does, or a crash right after the mkdir): one with files
	 * in it may hold a key that a later roll still needs.
	 */
	for (i = 0; i < NEXT_TRIES; i++) {
		store_date_name(now + i, name, sizeof(name));
		if (same(name, curr) || same(name, prev))
			continue;
		free(path);
		path = path_join(dbdir, name);
		if (fstatat(dbfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			if (!S_ISDIR(st.st_mode))
				continue;
			if ((r = is_empty_at(dbfd, name, path, &empty)) != 0)
				goto out;
			if (empty)
				break;
			continue;
		}
		if (errno != ENOENT) {
			r = roll_err(path, "stat");
			goto out;
		}
		if (mkdirat(dbfd, name, STORE_DIR_MODE) == -1) {
			if (errno == EEXIST)
				continue;
			r = roll_err(path, "mkdir");
			goto out;
		}
		created = true;
		/* mkdir's mode went through the umask. */
		if ((fd = openat(dbfd, name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) == -1 ||
		    fchmod(fd, STORE_DIR_MODE) == -1) {
			r = roll_err(path, "chmod");
			if (fd != -1)
				close(fd);
			goto out;
		}
		close(fd);
		break;
	}
	if (i == NEXT_TRIES) {
		sslm_log(SSLM_LOG_ERR, "%s: no free db dir name", dbdir);
		r = SSLM_ERR_EXISTS;
		goto out;
	}
	/* The dir must be durable before a link can point at it. */
	if (created && fsync(dbfd) == -1 && errno != EINVAL) {
		r = roll_err(dbdir, "fsync");
		goto out;
	}
	*dbname = xstrdup(name);
	r = 0;
out:
	if (dbfd != -1)
		close(dbfd);
	free(dbdir);
	free(path);
	free(curr);
	free(prev);
	return r;
}

/* Writes db/<dbname>/info as upstream does at a roll. */
static int
write_info(const char *svcdir, const char *dbname, const char *svc,
    time_t now)
{
	char	 date[32], *path, *data;
	int	 r;

	store_date_name(now, date, sizeof(date));
	path = xasprintf("%s/db/%s/info", svcdir, dbname);
	data = xasprintf("# %s rolled to curr : %s\n", svc, date);
	r = store_write_file(path, data, strlen(data), STORE_FILE_MODE);
	free(path);
	free(data);
	return r;
}

int
store_roll(const char *svcdir, const char *svc, time_t now)
{
	struct stat	 st;
	char		*npath, *path = NULL, *next = NULL, *curr = NULL;
	char		*target = NULL;
	size_t		 i;
	bool		 complete = true;
	int		 r;

	/*
	 * As upstream: through the link, regular files only (a symlinked
	 * file counts as missing), and every missing file is named.
	 */
	npath = path_join(svcdir, "next");
	for (i = 0; i < sizeof(roll_files) / sizeof(roll_files[0]); i++) {
		free(path);
		path = path_join(npath, roll_files[i]);
		if (lstat(path, &st) == -1 || !S_ISREG(st.st_mode)) {
			sslm_log(SSLM_LOG_ERR,
			    "Error next_to_curr: %s missing from %s",
			    roll_files[i], npath);
			complete = false;
		}
	}
	if (!complete) {
		r = SSLM_ERR_STATE;
		goto out;
	}
	if ((r = store_link_get(svcdir, "next", &next)) != 0) {
		if (r == SSLM_ERR_NOTFOUND)
			r = SSLM_ERR_STATE;
		goto out;
	}
	/* curr and prev are written as "db/<name>": it must be there. */
	free(path);
	path = xasprintf("%s/db/%s", svcdir, next);
	if (stat(path, &st) == -1 || !S_ISDIR(st.st_mode)) {
		sslm_log(SSLM_LOG_ERR, "Error next_to_curr: %s does not "
		    "point into %s/db", npath, svcdir);
		r = SSLM_ERR_STATE;
		goto out;
	}
	if ((r = link_opt(svcdir, "curr", &curr)) != 0)
		goto out;
	/* curr == next: an earlier roll got past step 2; just finish it. */
	if (!same(curr, next)) {
		/*
		 * Step 1.  A dangling curr is no previous cert: upstream
		 * only moves curr to prev when it resolves.
		 */
		free(path);
		path = curr != NULL ? xasprintf("%s/db/%s", svcdir, curr) :
		    NULL;
		if (path != NULL && stat(path, &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			target = xasprintf("db/%s", curr);
			if ((r = store_link_set(svcdir, "prev", target)) != 0)
				goto out;
			free(target);
			target = NULL;
		}
		if ((r = sslm_fault("roll:after-prev")) != 0)
			goto out;
		/* Step 2: the roll proper. */
		target = xasprintf("db/%s", next);
		if ((r = store_link_set(svcdir, "curr", target)) != 0)
			goto out;
	}
	if ((r = sslm_fault("roll:after-curr")) != 0)
		goto out;
	/*
	 * Step 3.  Upstream ignores a failed info write (the roll is done
	 * by now); the failure is logged by store_write_file().  Only an
	 * injected fault stops here, as a crash would.
	 */
	if ((r = write_info(svcdir, next, svc, now)) == SSLM_ERR_FAULT)
		goto out;
	if ((r = sslm_fault("roll:after-info")) != 0)
		goto out;
	/* Step 4. */
	if ((r = store_link_remove(svcdir, "next")) != 0)
		goto out;
	sslm_log(SSLM_LOG_DEBUG, "%s: rolled next (%s) to curr", svcdir,
	    next);
	r = 0;
out:
	free(npath);
	free(path);
	free(next);
	free(curr);
	free(target);
	return r;
}

/*
 * True for "<something>.tmp.<pid>" when that pid is gone, or is ours
 * (this process is not inside a write while it recovers, so a temporary
 * with our pid was left by an earlier process that had it).  A pid owned
 * by another user gives EPERM and counts as alive.
 */
static bool
is_stale_temp(const char *name)
{
	const char	*p, *dot = NULL;
	char		*end;
	long		 pid;

	for (p = name; (p = strstr(p, ".tmp.")) != NULL; p++)
		dot = p;
	if (dot == NULL || dot == name)
		return false;
	p = dot + 5;
	if (*p < '0' || *p > '9')
		return false;
	errno = 0;
	pid = strtol(p, &end, 10);
	if (*end != '\0' || errno != 0 || pid <= 0 || pid > INT_MAX)
		return false;
	if ((pid_t)pid == getpid())
		return true;
	return kill((pid_t)pid, 0) == -1 && errno == ESRCH;
}

/*
 * Removes the stale temporaries (files and links only) directly in dir
 * whose names start with prefix (NULL: any), adding one to *fixed for
 * each.  An absent dir is fine.
 */
static int
sweep_dir(const char *dir, const char *prefix, int *fixed)
{
	struct strlist	 names = { 0 };
	struct stat	 st;
	struct dirent	*de;
	DIR		*d = NULL;
	size_t		 i;
	int		 dfd = -1, r = 0;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			r = roll_err(dir, "open");
		goto out;
	}
	if ((d = fdopendir(dfd)) == NULL) {
		r = roll_err(dir, "opendir");
		goto out;
	}
	/* Collect first: unlinking while reading may hide entries. */
	while ((de = readdir(d)) != NULL)
		if (is_stale_temp(de->d_name) && (prefix == NULL ||
		    strncmp(de->d_name, prefix, strlen(prefix)) == 0))
			strlist_add(&names, de->d_name);
	for (i = 0; i < names.n; i++) {
		if (fstatat(dirfd(d), names.v[i], &st,
		    AT_SYMLINK_NOFOLLOW) == -1 ||
		    !(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
			continue;
		if (unlinkat(dirfd(d), names.v[i], 0) == -1) {
			r = roll_err(names.v[i], "unlink");
			goto out;
		}
		sslm_log(SSLM_LOG_WARN, "%s/%s: removed a temporary left by "
		    "an interrupted run", dir, names.v[i]);
		(*fixed)++;
	}
out:
	if (d != NULL)
		closedir(d);
	else if (dfd != -1)
		close(dfd);
	strlist_clear(&names);
	return r;
}

int
store_recover(const char *svcdir, int *fixed)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d = NULL;
	char		*dbdir, *path = NULL, *svc = NULL, *slash;
	char		*next = NULL, *curr = NULL;
	int		 n = 0, r;

	*fixed = 0;
	dbdir = path_join(svcdir, "db");
	if ((r = sweep_dir(svcdir, NULL, &n)) != 0 ||
	    (r = sweep_dir(dbdir, NULL, &n)) != 0)
		goto out;
	if ((d = opendir(dbdir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0 ||
			    fstatat(dirfd(d), de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISDIR(st.st_mode))
				continue;
			free(path);
			path = path_join(dbdir, de->d_name);
			if ((r = sweep_dir(path, NULL, &n)) != 0)
				goto out;
		}
	}
	if ((r = link_opt(svcdir, "next", &next)) != 0 ||
	    (r = link_opt(svcdir, "curr", &curr)) != 0)
		goto out;
	if (same(next, curr)) {
		/* The roll got past step 2; do steps 3 and 4. */
		free(path);
		path = xasprintf("%s/db/%s/info", svcdir, next);
		if (lstat(path, &st) == -1 && errno == ENOENT) {
			svc = xstrdup(svcdir);
			while ((slash = strrchr(svc, '/')) != NULL &&
			    slash[1] == '\0' && slash != svc)
				*slash = '\0';
			slash = strrchr(svc, '/');
			/* A failure is logged; the roll itself is done. */
			(void)write_info(svcdir, next,
			    slash != NULL ? slash + 1 : svc, time(NULL));
		}
		if ((r = store_link_remove(svcdir, "next")) != 0)
			goto out;
		sslm_log(SSLM_LOG_WARN, "%s: finished an interrupted roll",
		    svcdir);
		n++;
	}
	r = 0;
out:
	if (d != NULL)
		closedir(d);
	*fixed = n;
	free(dbdir);
	free(path);
	free(svc);
	free(next);
	free(curr);
	return r;
}

int
store_sweep_temps(const char *dir, const char *prefix, int *fixed)
{
	*fixed = 0;
	return sweep_dir(dir, prefix, fixed);
}

/* Newest first; equal mtimes fall back to the name, newest date first. */
static int
cand_cmp(const void *a, const void *b)
{
	const struct cand	*x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? 1 : -1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? 1 : -1;
	return strcmp(y->name, x->name);
}

int
store_clean(const char *svcdir, int keep, int *removed)
{
	struct cand	*cands = NULL;
	struct stat	 st;
	struct dirent	*de;
	DIR		*d = NULL;
	char		*dbdir, *path, *curr = NULL, *next = NULL, *prev = NULL;
	size_t		 i, n = 0, cap = 0;
	int		 r = 0, r2;

	*removed = 0;
	if (keep < 1)
		keep = 1;
	dbdir = path_join(svcdir, "db");
	if ((r = link_quiet(svcdir, "curr", &curr)) != 0 ||
	    (r = link_quiet(svcdir, "next", &next)) != 0 ||
	    (r = link_quiet(svcdir, "prev", &prev)) != 0)
		goto out;
	if ((d = opendir(dbdir)) == NULL) {
		if (errno != ENOENT)
			r = roll_err(dbdir, "opendir");
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		/*
		 * Like upstream: only real dirs count (files and links
		 * are not looked at), and link targets are skipped before
		 * their name is checked.
		 */
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISDIR(st.st_mode) ||
		    same(de->d_name, curr) || same(de->d_name, next) ||
		    same(de->d_name, prev))
			continue;
		if (!store_is_date_name(de->d_name)) {
			sslm_log(SSLM_LOG_INFO, "Unexpected dir %s/%s", dbdir,
			    de->d_name);
			continue;
		}
		if (n == cap) {
			cap = cap != 0 ? cap * 2 : 16;
			cands = xreallocarray(cands, cap, sizeof(*cands));
		}
		cands[n].name = xstrdup(de->d_name);
		cands[n].mtime = st.st_mtim;
		n++;
	}
	if (n <= (size_t)keep)
		goto out;
	qsort(cands, n, sizeof(*cands), cand_cmp);
	sslm_log(SSLM_LOG_INFO, "Cleaning %s", dbdir);
	for (i = (size_t)keep; i < n; i++) {
		path = path_join(dbdir, cands[i].name);
		sslm_log(SSLM_LOG_INFO, "    %s", path);
		/* Carry on with the others; report the first failure. */
		if ((r2 = sslm_fault("clean:before-rmtree")) == 0 &&
		    (r2 = store_rmtree(path)) == 0 &&
		    (r2 = sslm_fault("clean:after-rmtree")) == 0)
			(*removed)++;
		else if (r == 0)
			r = r2;
		free(path);
	}
out:
	if (d != NULL)
		closedir(d);
	for (i = 0; i < n; i++)
		free(cands[i].name);
	free(cands);
	free(dbdir);
	free(curr);
	free(next);
	free(prev);
	return r;
}
