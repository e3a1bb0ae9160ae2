/*
 * store.h - the certs/ tree (spec §6): dated db dirs, the relative links
 * curr/next/prev, atomic file writes with their final mode from the first
 * byte, crash-safe roll, and clean.
 *
 * Invariant: every file and link change is a rename of a fully written,
 * fsync'ed temporary in the same directory, followed by an fsync of the
 * directory, so a crash leaves either the old or the new state, and the
 * next run can finish or undo an interrupted roll (store_recover).
 */
#ifndef SSLM_STORE_H
#define SSLM_STORE_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "util.h"

#define STORE_DIR_MODE		0750
#define STORE_KEY_MODE		0600	/* privkey.pem, bundle.pem */
#define STORE_FILE_MODE		0644	/* certs, csr, chain, tlsa.rr, info */

/*
 * Writes len bytes to path atomically: <path>.tmp.<pid> created with
 * O_CREAT|O_EXCL and `mode`, written, fsync'ed, renamed over path, and the
 * directory fsync'ed.  Missing parent directories are created with
 * STORE_DIR_MODE.  Returns 0 or an sslm_err (the temp file never survives).
 */
int	store_write_file(const char *path, const void *data, size_t len,
	    mode_t mode) SSLM_WUR;
/*
 * A batch: between store_defer_begin() and store_defer_end(), the files
 * that store_write_file and store_copy_file write are still fsync'ed
 * before their rename, but the fsync of their directory is owed until
 * store_defer_end(), which makes every directory of the batch durable
 * once (0 or the first logged sslm_err).  Only for files of a set that is
 * not in use until the batch ends (a new next, a production copy before
 * its swap): a crash inside the batch may lose some of its names, which
 * the set's own completeness check already covers.  With
 * STORE_DEFER_DATA the files' own fsyncs are owed as well and the end
 * syncs the file system once: only for a directory that nothing can see
 * before the end (a fresh production copy), since a crash may then leave
 * files of any length in it.  Not nested.
 */
#define STORE_DEFER_DATA	0x1
void	store_defer_begin(int flags);
int	store_defer_end(void);
/* Copies src to dst atomically with `mode`, preserving src's mtime. */
int	store_copy_file(const char *src, const char *dst, mode_t mode) SSLM_WUR;
/* mkdir -p with mode for every directory it creates; 0 or sslm_err. */
int	store_mkdir_p(const char *path, mode_t mode) SSLM_WUR;
/* Removes a directory tree (no error when absent). */
int	store_rmtree(const char *path) SSLM_WUR;

/*
 * Points <dir>/<name> at target (a relative string such as "db/<DATE>")
 * atomically: a temp symlink renamed over the old one.  0 or sslm_err.
 */
int	store_link_set(const char *dir, const char *name, const char *target)
	    SSLM_WUR;
/*
 * Reads <dir>/<name>.  Returns 0 with *target = the basename of the link
 * target (e.g. "20260407-12:07:39", caller frees); SSLM_ERR_NOTFOUND when
 * absent; SSLM_ERR_STATE when it exists but is not a symlink (upstream
 * warns and treats it as absent).
 */
int	store_link_get(const char *dir, const char *name, char **target)
	    SSLM_WUR;
/* The same, reading rel under the directory fd (when rel is not NULL: a
 * short walk instead of the whole path); dir/name names it in messages. */
int	store_link_getat(int fd, const char *rel, const char *dir,
	    const char *name, char **target) SSLM_WUR;
/* Removes the link <dir>/<name> (fsyncing dir); absent is not an error.
 * A non-link is left alone: SSLM_ERR_STATE. */
int	store_link_remove(const char *dir, const char *name) SSLM_WUR;

/* "YYYYMMDD-HH:MM:SS" of t in local time into out (at least 18 bytes). */
void	store_date_name(time_t t, char *out, size_t outlen);
/* True when name matches ^\d{8}-\d{2}:\d{2}:\d{2}$. */
bool	store_is_date_name(const char *name);

/*
 * Creates <svcdir>/db/<DATE for now> (0750; an existing dir of that name is
 * reused only when it is empty and not the target of curr or prev;
 * otherwise the date is advanced by a second until a free name is found)
 * and points the next link at it.  *dbname receives the date name (caller
 * frees).  0 or sslm_err.
 */
int	store_new_next(const char *svcdir, time_t now, char **dbname) SSLM_WUR;
/*
 * store_new_next() without the link: the db dir a renew fills before it
 * points next at it (store_link_next), so that a crash half-way leaves
 * the old next and an unlinked dir that clean removes, never a next
 * without its certificate.
 */
int	store_new_db(const char *svcdir, time_t now, char **dbname) SSLM_WUR;
/* Points next at db/<dbname>.  0 or sslm_err. */
int	store_link_next(const char *svcdir, const char *dbname) SSLM_WUR;

/*
 * Rolls next to curr (spec §8.2) as a sequence of atomic steps, each of
 * which leaves a valid tree:
 *   1. prev -> curr's target     (skipped when there is no curr)
 *   2. curr -> next's target
 *   3. write <new curr>/info "# <svc> rolled to curr : <DATE>\n"
 *   4. remove next
 * Required files in next are checked first (privkey, cert, csr, chain,
 * fullchain, bundle .pem): a missing one returns SSLM_ERR_STATE and logs
 * "Error next_to_curr: <file> missing from <path>".  0 or sslm_err.
 */
int	store_roll(const char *svcdir, const char *svc, time_t now) SSLM_WUR;

/*
 * Finishes an interrupted roll or renew: when next and curr point at the
 * same db dir, info is written if missing and next is removed (the roll
 * got past step 2); stray *.tmp.<pid> files and links of dead processes
 * in svcdir, db/ and each db dir are removed.
 * Returns 0 or sslm_err; *fixed is set to the number of repairs made.
 */
int	store_recover(const char *svcdir, int *fixed) SSLM_WUR;

/*
 * Removes the temporaries "<prefix>....tmp.<pid>" of dead processes
 * directly in dir (files and links; prefix NULL: every such name), for
 * the files store writes outside a service tree (group TLSA files and
 * their tlsa_dirs copies).  *fixed gets the count.  0 or sslm_err.
 */
int	store_sweep_temps(const char *dir, const char *prefix, int *fixed)
	    SSLM_WUR;

/*
 * Keeps the newest `keep` date-named db dirs (by mtime) besides those that
 * curr, next or prev point at, and removes the rest.  Non-date entries are
 * logged ("Unexpected dir ...") and kept.  *removed gets the count.
 */
int	store_clean(const char *svcdir, int keep, int *removed) SSLM_WUR;

#endif
