/*
 * lock.c - one ssl-mgr run per topdir at a time.
 *
 * The lock is an exclusive flock(2) on <topdir>/.sslm.lock.  The kernel
 * drops it when the holding descriptor's last reference is closed, so a
 * killed run never leaves a stale lock and there is nothing to detect or
 * break.  While the lock is held the file says who holds it,
 * "pid <pid> since <UTC time> <what>\n", so that a refused run (or the
 * console) can name
 * the holder.
 *
 * The file is never unlinked.  A waiter that opened it before an unlink
 * would go on to lock the orphaned inode while a third run creates and
 * locks a new file under the same name: two holders.  Upstream unlinks
 * (spec §17.2) and has exactly that race.
 *
 * The descriptor is close-on-exec, but a child forked while the lock is
 * held shares it until that child execs or exits.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "lock.h"
#include "log.h"

#define LOCK_NAME	".sslm.lock"
#define LOCK_POLL_NS	(100 * 1000 * 1000L)	/* retry every 100 ms */
#define LOCK_WAIT_MAX	86400			/* longer is a mistake */
/* A holder without text yet: look again every 10 ms, 500 ms at most. */
#define LOCK_GRACE_NS	(10 * 1000 * 1000L)
#define LOCK_GRACE_TRIES	50
#define LOCK_INFO_MAX	256

struct sslm_lock {
	int	 fd;
	char	*path;
};

static void	 clean_text(char *);
static char	*read_holder(int);
static long	 elapsed_ms(const struct timespec *);

/*
 * Replaces control characters: the holder text ends up on a terminal,
 * and the lock file is writable by whoever can write topdir.
 */
static void
clean_text(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = '?';
}

/* The holder's description, first line, trimmed; "unknown" when empty. */
static char *
read_holder(int fd)
{
	char	 buf[LOCK_INFO_MAX], *nl, *s;
	ssize_t	 n;

	do {
		n = pread(fd, buf, sizeof(buf) - 1, 0);
	} while (n == -1 && errno == EINTR);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	s = str_trim(buf);
	clean_text(s);
	return xstrdup(*s != '\0' ? s : "unknown");
}

/* Milliseconds since start on the monotonic clock. */
static long
elapsed_ms(const struct timespec *start)
{
	struct timespec	 now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		return 0;
	return (long)(now.tv_sec - start->tv_sec) * 1000L +
	    (now.tv_nsec - start->tv_nsec) / 1000000L;
}

int
sslm_lock_take(const char *topdir, const char *what, int wait_secs,
    struct sslm_lock **lkp, char **holder)
{
	struct sslm_lock	*lk;
	struct timespec		 start, nap = { 0, LOCK_POLL_NS };
	struct timespec		 grace_nap = { 0, LOCK_GRACE_NS };
	int			 grace = 0;
	struct tm		 tm;
	time_t			 now;
	char			 since[32];
	char			*path, *line = NULL, *who;
	size_t			 len, off;
	ssize_t			 n;
	int			 fd = -1, e, r;

	*lkp = NULL;
	if (holder != NULL)
		*holder = NULL;
	if (wait_secs > LOCK_WAIT_MAX)
		wait_secs = LOCK_WAIT_MAX;
	path = path_join(topdir, LOCK_NAME);
	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600)) == -1) {
		e = errno;
		sslm_log(SSLM_LOG_ERR, "%s: open: %s", path, strerror(e));
		r = e == ENOENT ? SSLM_ERR_NOTFOUND :
		    e == EACCES || e == EPERM || e == EROFS ? SSLM_ERR_PERM :
		    SSLM_ERR_IO;
		goto out;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &start) == -1)
		wait_secs = 0;
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK && errno != EAGAIN) {
			e = errno;
			sslm_log(SSLM_LOG_ERR, "%s: flock: %s", path,
			    strerror(e));
			r = SSLM_ERR_IO;
			goto out;
		}
		if (wait_secs <= 0 || elapsed_ms(&start) >=
		    (long)wait_secs * 1000L) {
			who = read_holder(fd);
			/*
			 * No text: the holder has just locked and not yet
			 * written it, or has just released.  Either way it
			 * is a matter of milliseconds; a refusal must name
			 * somebody, so look (and try) again for a moment.
			 */
			if (strcmp(who, "unknown") == 0 &&
			    grace++ < LOCK_GRACE_TRIES) {
				free(who);
				(void)nanosleep(&grace_nap, NULL);
				continue;
			}
			sslm_log(SSLM_LOG_INFO, "%s: held by %s", path, who);
			if (holder != NULL)
				*holder = who;
			else
				free(who);
			r = SSLM_ERR_LOCKED;
			goto out;
		}
		(void)nanosleep(&nap, NULL);
	}

	/* Ours now.  The text is informative: a failure only warns. */
	who = xstrdup(what != NULL && *what != '\0' ? what : "ssl-mgr");
	clean_text(who);
	/* When it was taken: a refused run can tell a stuck holder from
	 * a busy one. */
	now = time(NULL);
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(since, sizeof(since), "?");
	line = xasprintf("pid %ld since %s %s\n", (long)getpid(), since,
	    who);
	free(who);
	len = strlen(line);
	/* Written over the old text, then cut: never empty in between. */
	for (off = 0, n = 0; off < len; off += (size_t)n) {
		n = pwrite(fd, line + off, len - off, (off_t)off);
		if (n == -1 && errno == EINTR)
			n = 0;
		else if (n == -1)
			break;
	}
	if (n != -1 && ftruncate(fd, (off_t)len) == -1)
		n = -1;
	if (n == -1)
		sslm_log(SSLM_LOG_WARN, "%s: cannot record the holder: %s",
		    path, strerror(errno));

	lk = xcalloc(1, sizeof(*lk));
	lk->fd = fd;
	lk->path = path;
	fd = -1;
	path = NULL;
	*lkp = lk;
	r = 0;
out:
	if (fd != -1)
		close(fd);
	free(path);
	free(line);
	return r;
}

void
sslm_lock_release(struct sslm_lock *lk)
{
	if (lk == NULL)
		return;
	/* Truncate while still holding it; afterwards it is not ours. */
	if (ftruncate(lk->fd, 0) == -1)
		sslm_log(SSLM_LOG_WARN, "%s: truncate: %s", lk->path,
		    strerror(errno));
	if (flock(lk->fd, LOCK_UN) == -1)
		sslm_log(SSLM_LOG_WARN, "%s: unlock: %s", lk->path,
		    strerror(errno));
	close(lk->fd);
	free(lk->path);
	free(lk);
}
