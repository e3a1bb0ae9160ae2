/*
 * par.h - a parallel for over independent items: the read-only parts of a
 * status (production check, certificate peeks, service files) on every
 * core.  Items must not share mutable state; sslm_log is safe to call.
 */
#ifndef SSLM_PAR_H
#define SSLM_PAR_H

#include <stddef.h>

/*
 * Calls fn(i, arg) once for every i in [0, n), on up to par_threads()
 * threads (the caller is one of them), and returns when all are done.
 * Items are handed out one at a time in order, so uneven items balance.
 */
void	par_for(size_t n, void (*fn)(size_t i, void *arg), void *arg);
/*
 * Threads par_for uses: the online CPUs, at most 8; SSLM_THREADS=N
 * overrides (1: everything in the calling thread, as tests may want).
 */
size_t	par_threads(void);

#endif
