/*
 * lock.h - one run at a time per topdir.  An exclusive flock(2) on
 * <topdir>/.sslm.lock, held for the whole run.  The file holds the holder's
 * "pid <pid> since <UTC time> <command>\n" so that a refused run can say
 * who holds it and since when.  A
 * lock left by a killed process is free again (flock dies with its holder).
 */
#ifndef SSLM_LOCK_H
#define SSLM_LOCK_H

#include "util.h"

struct sslm_lock;

/*
 * Takes the lock for topdir, waiting at most wait_secs (0: do not wait).
 * Returns 0 and *lk, SSLM_ERR_LOCKED with *holder set to the holder's
 * description (caller frees; may be "unknown"), or another sslm_err.
 */
int	sslm_lock_take(const char *topdir, const char *what, int wait_secs,
	    struct sslm_lock **lk, char **holder) SSLM_WUR;
/* Releases and frees; NULL is a no-op.  The lock file is kept (unlinking a
 * flock file races with a waiter that already opened it). */
void	sslm_lock_release(struct sslm_lock *);

#endif
