/*
 * fault.c - the test-only crash points of fault.h.  Compiled to nothing
 * (one dummy declaration, which ISO C requires) unless SSLM_FAULTS is set.
 */
#include "fault.h"

#ifdef SSLM_FAULTS
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* In the order a renew, roll, production sync and clean reach them. */
const char *const sslm_fault_points[] = {
	"write:before-rename",	/* store: temp file complete */
	"write:after-rename",	/* store: renamed, directory not fsynced */
	"link:before-rename",	/* store: temp link made, not renamed */
	"link:after-rename",
	"link:after-remove",
	"rmtree:after-entry",	/* store: one entry of a tree removed */
	"next:after-mkdir",	/* new db dir made, nothing in it */
	"renew:after-key",
	"renew:after-csr",
	"renew:after-cert",	/* cert, chain, fullchain, bundle written */
	"renew:before-link",	/* the set is complete, next not moved */
	"renew:after-link",
	"acme:before-link",
	"roll:after-prev",
	"roll:after-curr",
	"roll:after-info",
	"clean:before-rmtree",
	"clean:after-rmtree",
	"tlsa:after-group-write",	/* certs/<grp>/tlsa.<grp> written */
	"tlsa:before-dir-copy",
	"tlsa:after-dir-copy",
	"prod:after-leftovers",
	"prod:before-swap",
	"prod:after-swap",
	"prod:before-remove",
	"prod:after-tlsa",
	"run:before-prod",
	"run:after-prod",	/* production synced, nothing restarted */
	"run:before-dns-restart",
	NULL
};

static int
known(const char *point)
{
	for (size_t i = 0; sslm_fault_points[i] != NULL; i++)
		if (strcmp(sslm_fault_points[i], point) == 0)
			return 1;
	return 0;
}

/* Appends point to the trace file (one write: lines never interleave). */
static void
trace(const char *path, const char *point)
{
	char	 line[128];
	int	 fd, n, e = errno;

	n = snprintf(line, sizeof(line), "%s\n", point);
	if (n <= 0 || (size_t)n >= sizeof(line))
		return;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) != -1) {
		(void)!write(fd, line, (size_t)n);
		close(fd);
	}
	errno = e;
}

int
sslm_fault(const char *point)
{
	static char	 armed[128];
	static long	 hits;
	const char	*want, *mode, *colon, *path;
	char		*end;
	size_t		 len;
	long		 nth = 0;

	if (!known(point))
		abort();	/* a point missing from the table */
	if ((path = getenv("SSLM_FAULT_TRACE")) != NULL && *path != '\0')
		trace(path, point);
	if ((want = getenv("SSLM_FAULT")) == NULL)
		return 0;
	len = strlen(want);
	/* "<point>:<nth>": the last colon followed by digits only. */
	if ((colon = strrchr(want, ':')) != NULL && colon[1] >= '0' &&
	    colon[1] <= '9') {
		errno = 0;
		nth = strtol(colon + 1, &end, 10);
		if (*end == '\0' && errno == 0 && nth > 0)
			len = (size_t)(colon - want);
		else
			nth = 0;
	}
	if (strlen(point) != len || strncmp(want, point, len) != 0)
		return 0;
	/* Without <nth> every pass fires; with it, only that one (counted
	 * afresh whenever the armed value changes). */
	if (strncmp(armed, want, sizeof(armed)) != 0) {
		snprintf(armed, sizeof(armed), "%s", want);
		hits = 0;
	}
	if (nth > 0 && ++hits != nth)
		return 0;
	mode = getenv("SSLM_FAULT_MODE");
	if (mode != NULL && strcmp(mode, "kill") == 0)
		_exit(99);	/* a crash: no cleanup, no atexit, no flush */
	sslm_log(SSLM_LOG_ERR, "%s: injected fault", point);
	return SSLM_ERR_FAULT;
}
#else
typedef int	sslm_fault_unused;
#endif
