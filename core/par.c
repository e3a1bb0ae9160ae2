/*
 * par.c - par_for: a handful of threads taking item numbers from one
 * atomic counter.  No pool survives the call: a status starts them once.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "par.h"

#define PAR_MAX		8

struct par_job {
	size_t		 n;
	atomic_size_t	 next;
	void		(*fn)(size_t, void *);
	void		*arg;
};

static void *
worker(void *p)
{
	struct par_job *j = p;
	size_t i;

	while ((i = atomic_fetch_add(&j->next, 1)) < j->n)
		j->fn(i, j->arg);
	return NULL;
}

size_t
par_threads(void)
{
	const char *e = getenv("SSLM_THREADS");
	long n;

	if (e != NULL && *e != '\0') {
		n = strtol(e, NULL, 10);
		return n < 1 ? 1 : n > PAR_MAX ? PAR_MAX : (size_t)n;
	}
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > PAR_MAX ? PAR_MAX : (size_t)n;
}

void
par_for(size_t n, void (*fn)(size_t, void *), void *arg)
{
	struct par_job	 j;
	pthread_t	 tid[PAR_MAX];
	size_t		 t, want, started = 0;

	j.n = n;
	atomic_init(&j.next, 0);
	j.fn = fn;
	j.arg = arg;
	want = par_threads();
	if (want > n)
		want = n;
	/* A thread that cannot start is no error: the others take more. */
	for (t = 1; t < want; t++)
		if (pthread_create(&tid[started], NULL, worker, &j) == 0)
			started++;
	worker(&j);
	for (t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
}
