/*
 * fault.c - the test-only crash points of fault.h.  Compiled to nothing
 * (one dummy declaration, which ISO C requires) unless SSLM_FAULTS is set.
 */
#include "fault.h"

#ifdef SSLM_FAULTS
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

int
sslm_fault(const char *point)
{
	const char	*want, *mode;

	if ((want = getenv("SSLM_FAULT")) == NULL || strcmp(want, point) != 0)
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
