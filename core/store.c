/*
 * store.c - the primitives of the certs/ tree: atomic file writes and
 * copies, mkdir -p, rmtree that never leaves the tree, the curr/next/prev
 * links and the db dir date names.  The multi-step operations built from
 * them (new next, roll, recover, clean) live in store-roll.c.
 *
 * Invariant: a file or link in the store only ever changes by rename(2) of
 * a complete, fsync'ed "<name>.tmp.<pid>" in the same directory, followed
 * by an fsync of that directory.  A crash therefore leaves the old or the
 * new object, plus at most a stray temporary that store_recover() removes.
 * A batch (store_defer_begin) moves the directory fsync, and for a
 * directory nobody sees yet the files' own fsyncs too, to its end: one
 * sync per set instead of two per file.
 * Every failure is logged here as "<path>: <step>: <reason>".
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/* PEM files are a few kilobytes; anything this big is not ours. */
#define STORE_COPY_MAX		(16 * 1024 * 1024)
/* certbot's account tree is the deepest thing under a service (~6). */
#define RMTREE_DEPTH_MAX	64

static int	err_of(int);
static int	sys_err(const char *, const char *);
static int	split_path(const char *, char **, char **);
static int	fsync_dirfd(int);
static int	fsync_parent(const char *);
static int	mkdir_one(const char *, mode_t);
static int	write_atomic(const char *, const void *, size_t, mode_t,
		    const struct timespec *);
static int	rm_at(int, const char *, const char *, int);

/* Maps an errno value to the sslm_err a caller can act on. */
static int
err_of(int e)
{
	switch (e) {
	case EACCES:
	case EPERM:
	case EROFS:
		return SSLM_ERR_PERM;
	case ENOENT:
		return SSLM_ERR_NOTFOUND;
	case EEXIST:
		return SSLM_ERR_EXISTS;
	default:
		return SSLM_ERR_IO;
	}
}

/*
 * Logs "<path>: <step>: <strerror(errno)>" and returns the matching
 * sslm_err.  errno is read first: logging may change it.
 */
static int
sys_err(const char *path, const char *step)
{
	int	 e = errno;

	sslm_log(SSLM_LOG_ERR, "%s: %s: %s", path, step, strerror(e));
	return err_of(e);
}

/*
 * Splits a file path into its directory ("." when there is none) and its
 * last component.  A path that names no file ("", "x/", ".", "..") is
 * SSLM_ERR_USAGE.  Both results are owned by the caller on success.
 */
static int
split_path(const char *path, char **dir, char **base)
{
	const char	*slash;
	size_t		 len = strlen(path);

	*dir = *base = NULL;
	if (len == 0 || path[len - 1] == '/')
		return SSLM_ERR_USAGE;
	slash = strrchr(path, '/');
	if (slash != NULL && strcmp(slash + 1, ".") != 0 &&
	    strcmp(slash + 1, "..") != 0) {
		*dir = slash == path ? xstrdup("/") :
		    xstrndup(path, (size_t)(slash - path));
		*base = xstrdup(slash + 1);
		return 0;
	}
	if (slash == NULL && strcmp(path, ".") != 0 &&
	    strcmp(path, "..") != 0) {
		*dir = xstrdup(".");
		*base = xstrdup(path);
		return 0;
	}
	return SSLM_ERR_USAGE;
}

/*
 * fsync(2) of a directory, which makes the names created or renamed in it
 * durable.  EINVAL means the file system cannot sync directories (some
 * network and FUSE ones); there is nothing better to do, so it counts as
 * success.  Returns 0 or -1 with errno set.
 */
static int
fsync_dirfd(int dfd)
{
	if (fsync(dfd) == -1 && errno != EINVAL)
		return -1;
	return 0;
}

/*
 * The directories whose fsync a batch owes (store_defer_begin): a set of
 * files written together costs one directory fsync instead of one each.
 */
static bool		 defer_on, defer_data;
static struct strlist	 defer_dirs;

void
store_defer_begin(int flags)
{
	defer_on = true;
	defer_data = (flags & STORE_DEFER_DATA) != 0;
}

int
store_defer_end(void)
{
	int	 fd, r = 0;

	for (size_t i = 0; i < defer_dirs.n; i++) {
		if ((fd = open(defer_dirs.v[i], O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) == -1) {
			if (r == 0)
				r = sys_err(defer_dirs.v[i], "open directory");
			continue;
		}
		/* The data of the batch's files too: one syncfs(2) of the
		 * file system (a journal commit) instead of a fsync each. */
		if (defer_data && syncfs(fd) == -1 && r == 0)
			r = sys_err(defer_dirs.v[i], "syncfs");
		if (fsync_dirfd(fd) == -1 && r == 0)
			r = sys_err(defer_dirs.v[i], "fsync directory");
		close(fd);
	}
	strlist_clear(&defer_dirs);
	defer_on = defer_data = false;
	return r;
}

/* fsyncs the directory that holds path.  0 or a logged sslm_err. */
static int
fsync_parent(const char *path)
{
	const char	*slash;
	char		*dir;
	int		 fd = -1, r = 0;

	if ((slash = strrchr(path, '/')) == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		dir = xstrndup(path, (size_t)(slash - path));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		r = sys_err(dir, "open");
	else if (fsync_dirfd(fd) == -1)
		r = sys_err(dir, "fsync");
	if (fd != -1)
		close(fd);
	free(dir);
	return r;
}

/*
 * Makes one directory of a mkdir -p.  An existing directory (or a link to
 * one) is left exactly as it is.  A new one gets `mode` by fchmod, since
 * mkdir's mode is filtered by the umask, and its parent is fsync'ed so the
 * new name is durable before anything is linked to it.
 */
static int
mkdir_one(const char *dir, mode_t mode)
{
	struct stat	 st;
	int		 fd = -1, r = 0;

	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			r = sys_err(dir, "mkdir");
		}
		goto out;
	}
	if (errno != ENOENT) {
		r = sys_err(dir, "stat");
		goto out;
	}
	if (mkdir(dir, mode & 07777) == -1) {
		/* Somebody else made it in between: theirs, leave it. */
		if (errno == EEXIST && stat(dir, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			goto out;
		r = sys_err(dir, "mkdir");
		goto out;
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		r = sys_err(dir, "open");
		goto out;
	}
	if (fchmod(fd, mode) == -1) {
		r = sys_err(dir, "chmod");
		goto out;
	}
	r = fsync_parent(dir);
out:
	if (fd != -1)
		close(fd);
	return r;
}

int
store_mkdir_p(const char *path, mode_t mode)
{
	char	*p, *s, *slash;
	size_t	 len;
	int	 r = 0;

	if (*path == '\0') {
		sslm_log(SSLM_LOG_ERR, "mkdir: empty path");
		return SSLM_ERR_USAGE;
	}
	p = xstrdup(path);
	len = strlen(p);
	while (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	s = p;
	while (*s == '/')
		s++;
	for (;;) {
		if ((slash = strchr(s, '/')) != NULL)
			*slash = '\0';
		if ((r = mkdir_one(p, mode)) != 0 || slash == NULL)
			break;
		*slash = '/';
		for (s = slash + 1; *s == '/'; s++)
			;
	}
	free(p);
	return r;
}

/*
 * The one writer of the store.  times, when not NULL, are set on the
 * temporary before it is renamed into place (futimens), so the file never
 * appears with a wrong mtime: the state model (spec §7) reads mtimes.
 */
static int
write_atomic(const char *path, const void *data, size_t len, mode_t mode,
    const struct timespec *times)
{
	const char	*p = data;
	char		*dir = NULL, *base = NULL, *tmp = NULL;
	ssize_t		 n;
	bool		 made = false;
	int		 dfd = -1, fd = -1, r;

	if ((r = split_path(path, &dir, &base)) != 0) {
		sslm_log(SSLM_LOG_ERR, "%s: not a file name", path);
		goto out;
	}
	if ((r = store_mkdir_p(dir, STORE_DIR_MODE)) != 0)
		goto out;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		r = sys_err(path, "open directory");
		goto out;
	}
	tmp = xasprintf("%s.tmp.%ld", base, (long)getpid());
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, mode & 07777);
	if (fd == -1 && errno == EEXIST) {
		/*
		 * Our pid is in the name and we are not writing it now, so
		 * it is a leftover of an earlier process that had our pid.
		 */
		if (unlinkat(dfd, tmp, 0) == -1) {
			r = sys_err(path, "unlink stale temporary");
			goto out;
		}
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC | O_NOFOLLOW, mode & 07777);
	}
	if (fd == -1) {
		r = sys_err(path, "open");
		goto out;
	}
	made = true;
	/* The umask filtered open's mode; the file must be exactly mode. */
	if (fchmod(fd, mode) == -1) {
		r = sys_err(path, "fchmod");
		goto out;
	}
	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			r = sys_err(path, "write");
			goto out;
		}
		p += n;
		len -= (size_t)n;
	}
	if (times != NULL && futimens(fd, times) == -1) {
		r = sys_err(path, "futimens");
		goto out;
	}
	if (!defer_data && fsync(fd) == -1) {
		r = sys_err(path, "fsync");
		goto out;
	}
	n = close(fd);
	fd = -1;
	if (n == -1) {
		r = sys_err(path, "close");
		goto out;
	}
	if ((r = sslm_fault("write:before-rename")) != 0)
		goto out;
	if (renameat(dfd, tmp, dfd, base) == -1) {
		r = sys_err(path, "rename");
		goto out;
	}
	made = false;
	if ((r = sslm_fault("write:after-rename")) != 0)
		goto out;
	if (defer_on) {
		if (!strlist_has(&defer_dirs, dir))
			strlist_add(&defer_dirs, dir);
	} else if (fsync_dirfd(dfd) == -1) {
		r = sys_err(path, "fsync directory");
		goto out;
	}
	r = 0;
out:
	if (fd != -1)
		close(fd);
	if (made)
		(void)unlinkat(dfd, tmp, 0);
	if (dfd != -1)
		close(dfd);
	free(tmp);
	free(dir);
	free(base);
	return r;
}

int
store_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	return write_atomic(path, data, len, mode, NULL);
}

int
store_copy_file(const char *src, const char *dst, mode_t mode)
{
	struct stat	 st;
	struct timespec	 times[2];
	struct buf	 b;
	char		 chunk[8192];
	ssize_t		 n;
	int		 fd = -1, r;

	buf_init(&b, STORE_COPY_MAX);
	if ((fd = open(src, O_RDONLY | O_CLOEXEC)) == -1) {
		r = sys_err(src, "open");
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		r = sys_err(src, "fstat");
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		sslm_log(SSLM_LOG_ERR, "%s: not a regular file", src);
		r = SSLM_ERR_STATE;
		goto out;
	}
	for (;;) {
		if ((n = read(fd, chunk, sizeof(chunk))) == 0)
			break;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			r = sys_err(src, "read");
			goto out;
		}
		if ((r = buf_add(&b, chunk, (size_t)n)) != 0) {
			sslm_log(SSLM_LOG_ERR, "%s: larger than %d bytes",
			    src, STORE_COPY_MAX);
			goto out;
		}
	}
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	r = write_atomic(dst, b.p != NULL ? b.p : "", b.len, mode, times);
out:
	/* The source may be a private key. */
	explicit_bzero(chunk, sizeof(chunk));
	freezero_secret(b.p, b.cap);
	if (fd != -1)
		close(fd);
	return r;
}

/*
 * Removes dfd/name and, when it is a directory, everything below it.  Only
 * openat/unlinkat relative to directories already opened with O_NOFOLLOW
 * are used, so a symlink anywhere in the tree is removed, never followed.
 * path is for messages only.
 */
static int
rm_at(int dfd, const char *name, const char *path, int depth)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d = NULL;
	char		*sub;
	int		 fd = -1, pass, r = 0;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno != ENOENT)
			r = sys_err(path, "stat");
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dfd, name, 0) == -1 && errno != ENOENT)
			r = sys_err(path, "unlink");
		goto out;
	}
	if (depth >= RMTREE_DEPTH_MAX) {
		sslm_log(SSLM_LOG_ERR, "%s: rmtree: nested too deeply", path);
		r = SSLM_ERR_TOOBIG;
		goto out;
	}
	if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		r = sys_err(path, "open");
		goto out;
	}
	if ((d = fdopendir(fd)) == NULL) {
		r = sys_err(path, "opendir");
		goto out;
	}
	fd = -1;
	/*
	 * Removing entries while reading the directory may hide others
	 * from readdir (POSIX leaves it open), so read again until the
	 * directory is empty, a few times at most.
	 */
	for (pass = 0; pass < 3; pass++) {
		rewinddir(d);
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			sub = path_join(path, de->d_name);
			r = rm_at(dirfd(d), de->d_name, sub, depth + 1);
			free(sub);
			if (r != 0 ||
			    (r = sslm_fault("rmtree:after-entry")) != 0)
				goto out;
		}
		if (unlinkat(dfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			goto out;
		if (errno != ENOTEMPTY && errno != EEXIST)
			break;
	}
	r = sys_err(path, "rmdir");
out:
	if (d != NULL)
		closedir(d);
	if (fd != -1)
		close(fd);
	return r;
}

int
store_rmtree(const char *path)
{
	char	*p, *dir = NULL, *base = NULL;
	size_t	 len;
	int	 dfd = -1, r;

	p = xstrdup(path);
	len = strlen(p);
	while (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	if (strcmp(p, "/") == 0 || (r = split_path(p, &dir, &base)) != 0) {
		sslm_log(SSLM_LOG_ERR, "%s: rmtree: refusing to remove", path);
		r = SSLM_ERR_USAGE;
		goto out;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		r = errno == ENOENT ? 0 : sys_err(dir, "open");
		goto out;
	}
	r = rm_at(dfd, base, p, 0);
out:
	if (dfd != -1)
		close(dfd);
	free(p);
	free(dir);
	free(base);
	return r;
}

int
store_link_set(const char *dir, const char *name, const char *target)
{
	char	*path, *tmp = NULL;
	bool	 made = false;
	int	 dfd = -1, r;

	path = path_join(dir, name);
	if (*name == '\0' || strchr(name, '/') != NULL || *target == '\0') {
		sslm_log(SSLM_LOG_ERR, "%s: bad link name or target", path);
		r = SSLM_ERR_USAGE;
		goto out;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		r = sys_err(path, "open directory");
		goto out;
	}
	tmp = xasprintf("%s.tmp.%ld", name, (long)getpid());
	if (symlinkat(target, dfd, tmp) == -1) {
		if (errno != EEXIST) {
			r = sys_err(path, "symlink");
			goto out;
		}
		/* Our pid, not being written: a dead namesake's leftover. */
		if (unlinkat(dfd, tmp, 0) == -1) {
			r = sys_err(path, "unlink stale temporary");
			goto out;
		}
		if (symlinkat(target, dfd, tmp) == -1) {
			r = sys_err(path, "symlink");
			goto out;
		}
	}
	made = true;
	if ((r = sslm_fault("link:before-rename")) != 0)
		goto out;
	if (renameat(dfd, tmp, dfd, name) == -1) {
		r = sys_err(path, "rename");
		goto out;
	}
	made = false;
	if ((r = sslm_fault("link:after-rename")) != 0)
		goto out;
	if (fsync_dirfd(dfd) == -1) {
		r = sys_err(path, "fsync directory");
		goto out;
	}
	r = 0;
out:
	if (made)
		(void)unlinkat(dfd, tmp, 0);
	if (dfd != -1)
		close(dfd);
	free(tmp);
	free(path);
	return r;
}

int
store_link_get(const char *dir, const char *name, char **target)
{
	return store_link_getat(AT_FDCWD, NULL, dir, name, target);
}

int
store_link_getat(int fd, const char *rel, const char *dir, const char *name,
    char **target)
{
	char		 buf[PATH_MAX], *path = NULL, *b;
	ssize_t		 n;
	int		 r, e;

	*target = NULL;
	if (rel == NULL)
		rel = path = path_join(dir, name);
	/* readlink alone, no lstat first: EINVAL is "not a link". */
	n = readlinkat(fd, rel, buf, sizeof(buf));
	e = errno;
	if (n != -1 && (size_t)n < sizeof(buf)) {
		buf[n] = '\0';
		/* "db/<DATE>", "/abs/.../db/<DATE>", "db/<DATE>/" all work. */
		while (n > 1 && buf[n - 1] == '/')
			buf[--n] = '\0';
		b = strrchr(buf, '/');
		b = b != NULL ? b + 1 : buf;
		if (*b != '\0' && strcmp(b, ".") != 0 && strcmp(b, "..") != 0) {
			*target = xstrdup(b);
			free(path);
			return 0;
		}
	}
	/* The messages name the whole path, built only now. */
	if (path == NULL)
		path = path_join(dir, name);
	if (n == -1) {
		errno = e;
		if (errno == EINVAL) {
			/* Upstream's words; the caller treats the link as
			 * absent. */
			sslm_log(SSLM_LOG_WARN, "Warning %s not a symlink",
			    path);
			r = SSLM_ERR_STATE;
		} else
			r = errno == ENOENT ? SSLM_ERR_NOTFOUND :
			    sys_err(path, "readlink");
	} else if ((size_t)n >= sizeof(buf)) {
		sslm_log(SSLM_LOG_ERR, "%s: link target too long", path);
		r = SSLM_ERR_TOOBIG;
	} else {
		sslm_log(SSLM_LOG_ERR, "%s: unusable link target \"%s\"",
		    path, buf);
		r = SSLM_ERR_STATE;
	}
	free(path);
	return r;
}

int
store_link_remove(const char *dir, const char *name)
{
	struct stat	 st;
	char		*path;
	int		 dfd = -1, r;

	path = path_join(dir, name);
	if (lstat(path, &st) == -1) {
		r = errno == ENOENT ? 0 : sys_err(path, "lstat");
		goto out;
	}
	if (!S_ISLNK(st.st_mode)) {
		/* Only links are ours to remove; a real file is the user's. */
		sslm_log(SSLM_LOG_WARN, "Warning %s not a symlink", path);
		r = SSLM_ERR_STATE;
		goto out;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		r = sys_err(path, "open directory");
		goto out;
	}
	if (unlinkat(dfd, name, 0) == -1 && errno != ENOENT) {
		r = sys_err(path, "unlink");
		goto out;
	}
	if ((r = sslm_fault("link:after-remove")) != 0)
		goto out;
	if (fsync_dirfd(dfd) == -1) {
		r = sys_err(path, "fsync directory");
		goto out;
	}
	r = 0;
out:
	if (dfd != -1)
		close(dfd);
	free(path);
	return r;
}

void
store_date_name(time_t t, char *out, size_t outlen)
{
	struct tm	 tm;

	if (outlen == 0)
		return;
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(out, outlen, "%Y%m%d-%H:%M:%S", &tm) == 0)
		out[0] = '\0';
}

bool
store_is_date_name(const char *name)
{
	/* "YYYYMMDD-HH:MM:SS": 'd' is an ASCII digit, others literal. */
	static const char	 pat[] = "dddddddd-dd:dd:dd";
	size_t			 i;

	for (i = 0; pat[i] != '\0'; i++) {
		if (pat[i] == 'd') {
			if (name[i] < '0' || name[i] > '9')
				return false;
		} else if (name[i] != pat[i])
			return false;
	}
	return name[i] == '\0';
}
