/*
 * run.h - one run of ssl-mgr: the selected groups and services with their
 * configs loaded, the per-service tasks (renew, roll, dev steps), clean and
 * status.  Used by the cron front end and, later, by console jobs.
 */
#ifndef SSLM_RUN_H
#define SSLM_RUN_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "config.h"
#include "opts.h"
#include "util.h"

struct dns_zone;
struct acme_job;
struct acme_client;
struct sslm_ca_info;

#define RUN_DNS_TIMEOUT_MS	2000	/* per DNS query try */
#define RUN_DNS_RETRIES		2

struct run_group {
	char			 *grp;
	struct sslm_service_cfg	**svcs;
	size_t			  n;
	/* filled while the run executes */
	struct dns_zone		 *zone;		/* when the group needs DNS */
	bool			  failed;
	struct strlist		  changed;	/* services whose curr or
						 * next changed */
	bool			  tlsa_changed;
};

/* Something a deploy hook runs for (hooks.c). */
enum run_event_kind {
	RUN_EV_RENEW, RUN_EV_ROLL, RUN_EV_PROD_COPY
};
struct run_event {
	enum run_event_kind		 kind;
	const struct sslm_service_cfg	*sc;	/* the run's */
	char				*dir;	/* the cert's dir */
};

struct sslm_run {
	struct sslm_config	*cfg;
	const struct sslm_opts	*opts;
	time_t			 now;
	int			 clean_keep;
	int			 min_roll_mins;
	bool			 verbose;
	char			*certs_dir;	/* <topdir>/certs */
	struct run_group	*groups;	/* in processing order */
	size_t			 n_groups;
	int			 failures;	/* services that failed */
	char			*prod_dir;	/* prod_cert_dir (+ .test) */
	struct acme_job		**acme;		/* renewals waiting for ACME */
	size_t			 n_acme;
	struct strlist		 drift;		/* production drift found */
	double			(*rand01)(void);
	struct run_event	*events;	/* for the deploy hooks */
	size_t			 n_events;
};

/*
 * Selects the groups/services of the run (targets on the command line, else
 * the active [[groups]]), loads every service file, and orders the work so
 * that a CA is handled before what it signs.  Problems go to diag.  Returns 0,
 * SSLM_ERR_CONFIG (diag has errors) or SSLM_ERR_USAGE.  *out always set.
 */
int	sslm_run_prepare(struct sslm_config *, const struct sslm_opts *,
	    time_t now, struct sslm_run **out, struct sslm_diag *diag);
/*
 * Runs the tasks, then the production copy and the restarts (spec §22):
 * startup drift check, per group DNS discovery (only for groups with DANE
 * services), service tasks, group TLSA file; production sync, remote
 * copies, post_copy_cmd; non-DNS restarts, TLSA files into tlsa_dirs, DNS
 * restart.  Returns 0 or the first sslm_err (failures counted).
 */
int	sslm_run_execute(struct sslm_run *);
/*
 * The production drift check alone: fills run->drift.  Reads only, but
 * with record (a changing run's own check) sides found equal are stamped
 * so that later checks of them are stat-only (prod_check).  links: NULL,
 * or the curr and next link targets of every service of the run in order
 * (2 a service, NULL for none) when the caller has read them already.
 */
int	sslm_run_check_prod(struct sslm_run *, bool record,
	    const char *const *links);
/* Removes old db dirs (spec §15): the run's services, or all (-clean-all). */
int	sslm_run_clean(struct sslm_run *);
/* Status of the run's services (spec §16) as text into b, or JSON when
 * json is set. */
void	sslm_run_status(struct sslm_run *, bool json, struct buf *b);
/* The same, written to stream as it is made when stream is not NULL (b
 * then holds only what is not written yet: nothing on return). */
void	sslm_run_status_to(struct sslm_run *, bool json, struct buf *b,
	    FILE *stream);
/*
 * The status of one service as sslm_run_status's JSON has it, without
 * the names, SANs and fingerprints (the console's rows): has_curr when
 * curr's certificate was read, has_next when the next link exists.
 * Reads only, and does not check production (sslm_run_check_prod).
 */
struct sslm_svc_status {
	bool		 has_curr;
	time_t		 not_before, not_after;
	double		 lifetime_days;
	char		 pubkey[64];		/* "pubkey-secp384r1" */
	bool		 has_next;
	bool		 renew_due;
	double		 days_to_renew;		/* 0 when no curr */
	bool		 roll_due;
	long		 next_age_mins;		/* 0 when no next cert */
	int		 min_roll_mins;
	/* Old enough, but the DANE roll gate holds next back: gate_open_at
	 * is when it opens (0: not every NS has served next's records). */
	bool		 gate_wait;
	time_t		 gate_open_at;
	/* The name server the last gate check waited for ("": none known),
	 * when gate_wait and gate_open_at is 0. */
	char		 gate_waiting[256];
};
void	sslm_run_status_svc(struct sslm_run *, const struct sslm_service_cfg *,
	    struct sslm_svc_status *);
void	sslm_run_free(struct sslm_run *);

/*
 * Revokes curr (or next) of an ACME service at its CA with an RFC 5280
 * reason code (-1: none given).  0 or an sslm_err (logged).
 */
int	sslm_revoke(struct sslm_run *, const struct sslm_service_cfg *,
	    bool next, int reason);

/* Internal (run-prod.c): production step and restarts. */
int	run_finish(struct sslm_run *, bool prod_needed);
/*
 * Internal (run-pending.c): the restarts a killed run still owed, in
 * certs/.restart-pending.  load merges them into the run's groups (other
 * groups' lines go to keep); save writes keep plus, when owed, the run's
 * own changes, or removes the file when there is nothing.  0 or sslm_err.
 */
int	run_pending_load(struct sslm_run *, struct strlist *keep);
int	run_pending_save(struct sslm_run *, const struct strlist *keep,
	    bool owed);
/* Internal (run-acme.c): the ACME batch of a run. */
void	run_acme_queue(struct sslm_run *, struct run_group *,
	    const struct sslm_service_cfg *, const struct sslm_ca_info *,
	    const char *ndir);
int	run_acme_batch(struct sslm_run *);
bool	run_acme_queued(const struct sslm_run *,
	    const struct sslm_service_cfg *);
bool	run_acme_renewed(const struct sslm_run *,
	    const struct sslm_service_cfg *);
void	run_acme_free(struct sslm_run *);
int	run_acme_client(const struct sslm_run *,
	    const struct sslm_service_cfg *, const struct sslm_ca_info *,
	    const char *cb, struct acme_client **);

/*
 * Internal (hooks.c): an event of the run (dir copied), and the hooks of
 * every event once the run's work is done: [globals] then the service's,
 * each as argv with SSLM_* variables.  A failing hook is logged and
 * counted in run->failures; it changes nothing in the tree.
 */
void	run_event_add(struct sslm_run *, enum run_event_kind,
	    const struct sslm_service_cfg *, const char *dir);
int	run_hooks(struct sslm_run *);	/* hooks that failed */
void	run_events_free(struct sslm_run *);

/* The time and result of the last changing run, <topdir>/.sslm.last-run */
#define SSLM_LAST_RUN_FILE	".sslm.last-run"
struct sslm_last_run {
	time_t	 time;
	bool	 success;
	int	 failures;
	char	*command;
};
/* Records it (atomically, 0644); 0 or an sslm_err (logged). */
int	sslm_last_run_write(const char *topdir, time_t, bool success,
	    int failures, const char *command);
/* 0 and *out (free command), SSLM_ERR_NOTFOUND, or SSLM_ERR_PARSE. */
int	sslm_last_run_read(const char *topdir, struct sslm_last_run *out);

/*
 * After a changing run: the services of the run whose curr is in its last
 * 10% of lifetime with no newer next waiting (its renewal has not
 * succeeded), as lines "grp:svc: ..." appended to late.
 */
void	sslm_run_late(struct sslm_run *, struct strlist *late);
/*
 * Runs notify_cmd (when set) with a summary on stdin when the run failed
 * or late has lines; nothing otherwise.  errors (NULL: none) are the
 * run's error messages, put in the summary.  0, or an sslm_err (logged)
 * when the command could not run or failed.
 */
int	sslm_notify(struct sslm_run *, bool failed, const char *command,
	    const struct strlist *late, const struct strlist *errors);

/* Status in the node_exporter textfile format (status-prom.c). */
void	sslm_run_prometheus(struct sslm_run *, struct buf *b);

/* "<top>/certs/<grp>/<svc>"; caller frees. */
char	*sslm_svc_dir(const struct sslm_run *, const char *grp,
	    const char *svc);

#endif
