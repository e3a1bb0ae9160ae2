/*
 * runsvc.h - the tasks of one service in a run (renew, roll, dev steps)
 * and the reading of its curr/next state.  Internal to core.
 */
#ifndef SSLM_RUNSVC_H
#define SSLM_RUNSVC_H

#include <stdbool.h>

#include <openssl/x509.h>

#include "log.h"
#include "run.h"

/* What the links of a service point at, and their certificates. */
struct svc_state {
	char	*dir;			/* certs/<grp>/<svc> */
	char	*curr, *next, *prev;	/* db dir names, NULL when absent */
	X509	*curr_cert;		/* NULL when absent or unreadable */
	X509	*next_cert;
};

/* Reads the state (never fails: absent parts stay NULL). */
void	svc_state_load(const struct sslm_run *, const struct sslm_service_cfg *,
	    struct svc_state *);
void	svc_state_free(struct svc_state *);
/* "<dir>/db/<name>/<file>"; caller frees. */
char	*svc_db_path(const struct svc_state *, const char *name,
	    const char *file);

/*
 * Runs the run's tasks for one service of group g; 0 or an sslm_err
 * (logged).  *changed is set when curr or next changed.
 */
int	runsvc_tasks(struct sslm_run *, struct run_group *g,
	    const struct sslm_service_cfg *, bool *changed);

/* next/tlsa.rr for a DANE service; 0 or an sslm_err (logged). */
int	runsvc_write_tlsa(struct sslm_run *, struct run_group *,
	    const struct sslm_service_cfg *, const char *ndir);
/* "<grp>:<svc>: <what>: expires <date> (<countdown>)" at lvl. */
void	runsvc_log_expiry(const struct sslm_service_cfg *, enum sslm_level,
	    const char *what, X509 *, time_t now);
/* The roll of one service (after the ACME batch); as runsvc_tasks. */
int	runsvc_roll(struct sslm_run *, struct run_group *,
	    const struct sslm_service_cfg *, bool *changed);

#endif
