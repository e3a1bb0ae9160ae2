/*
 * fault.h - named crash points for the crash-safety tests.
 *
 * Built with -DSSLM_FAULTS (meson -Dfault_injection=true), sslm_fault()
 * compares `point` with the environment variable SSLM_FAULT.  On a match
 * it returns SSLM_ERR_FAULT, or, when SSLM_FAULT_MODE is "kill", ends the
 * process at once with _exit(99) so that a test sees exactly what a power
 * cut at that point would leave on disk.  Without SSLM_FAULTS it is an
 * inline no-op that returns 0, so production builds carry no trace of it.
 *
 * Points in use: "write:before-rename", "link:before-rename",
 * "next:after-mkdir", "roll:after-prev", "roll:after-curr",
 * "roll:after-info".
 */
#ifndef SSLM_FAULT_H
#define SSLM_FAULT_H

#include "err.h"
#include "util.h"

#ifdef SSLM_FAULTS
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
