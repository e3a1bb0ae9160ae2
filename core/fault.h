/*
 * fault.h - named crash points for the crash-safety tests.
 *
 * Built with -DSSLM_FAULTS (the sslmcore-faults library, the
 * ssl-mgr-faults test binary, or meson -Dfault_injection=true),
 * sslm_fault() compares `point` with the environment variable
 *   SSLM_FAULT=<point>[:<nth>]
 * and fires on the nth time the point is reached (default the first).
 * Firing returns SSLM_ERR_FAULT, or, when SSLM_FAULT_MODE is "kill", ends
 * the process at once with _exit(99) so that a test sees exactly what a
 * power cut at that point would leave on disk.  SSLM_FAULT_TRACE=<file>
 * appends "<point>\n" to file at every point reached (before the test
 * picks which ones to kill at).  Without SSLM_FAULTS it is an inline no-op
 * that returns 0, so production builds carry no trace of it.
 *
 * Every point name is in sslm_fault_points[] (a name missing from it
 * aborts a fault build, so the table cannot go stale); ssl-mgr-faults
 * prints it for SSLM_FAULT=list.
 */
#ifndef SSLM_FAULT_H
#define SSLM_FAULT_H

#include "err.h"
#include "util.h"

#ifdef SSLM_FAULTS
/* NULL-terminated: every point name in the code. */
extern const char *const sslm_fault_points[];

/* Returns 0, or SSLM_ERR_FAULT when `point` is the armed point. */
int	sslm_fault(const char *point) SSLM_WUR;
#else
static inline int
sslm_fault(const char *point)
{
	(void)point;
	return 0;
}
#endif

#endif
