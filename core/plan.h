/*
 * plan.h - what "-renew" and "-roll" would do now, and why, without doing
 * anything (the "plan" subcommand and the console's Plan screen).
 *
 * plan_decide() is pure: the service's state, its renew policy, the cached
 * ARI window and the DANE gate's recorded visibility go in, two verdicts
 * with their reasons come out.  sslm_plan() gathers those inputs from the
 * store read-only: it never asks an ACME server (only the cached ARI
 * window is used) nor a name server (only the gate's state file), so a
 * plan is instant and cannot change what it describes.
 */
#ifndef SSLM_PLAN_H
#define SSLM_PLAN_H

#include <stdbool.h>
#include <time.h>

#include "renew.h"
#include "util.h"

struct sslm_run;

enum plan_renew {
	PLAN_RENEW_NOT_DUE,	/* nothing: not yet */
	PLAN_RENEW_MAYBE,	/* inside the random window: one draw */
	PLAN_RENEW_DUE,		/* renews */
	PLAN_RENEW_FIRST,	/* no curr: issues the first cert */
	PLAN_RENEW_WAITS	/* due, but a renewed next waits to roll */
};

enum plan_roll {
	PLAN_ROLL_NONE,		/* no next */
	PLAN_ROLL_TOO_SOON,	/* next younger than min_roll_mins */
	PLAN_ROLL_GATE,		/* old enough, the DANE gate is closed */
	PLAN_ROLL_READY		/* rolls */
};

/* Everything a decision depends on (times are unix seconds). */
struct plan_input {
	time_t			 now;
	bool			 has_curr;
	time_t			 curr_nb, curr_na;
	bool			 has_next;
	time_t			 next_nb, next_na;
	const struct renew_policy *pol;
	bool			 has_ari;	/* cached ARI window */
	time_t			 ari_start, ari_end;
	int			 min_roll_mins;
	/* The DANE gate (dane_roll_gate, dane_tls and curr publishes TLSA
	 * records); gate_seen is when every NS first served next's records
	 * (0: not yet, or not known to this run). */
	bool			 gate;
	bool			 gate_next_tlsa;	/* next has records */
	time_t			 gate_seen;
	/* The name server the last run's gate check waited for ("": none
	 * recorded), from the gate's state file. */
	char			 gate_waiting[256];
	int			 ttl;		/* dane_tls_ttl, <= 0: default */
};

struct plan_item {
	char		*grp, *svc;
	enum plan_renew	 renew;
	time_t		 renew_from;	/* earliest due time (0: n/a) */
	time_t		 renew_until;	/* due at the latest */
	char		*renew_why;
	enum plan_roll	 roll;
	time_t		 roll_at;	/* when it may roll (0: n/a, now) */
	char		*roll_why;
};

/*
 * Decides both verdicts for in; out->grp/svc are left alone, the other
 * fields are set (the strings owned by out: plan_item_clear).
 */
void	plan_decide(const struct plan_input *, struct plan_item *out);
/*
 * Fills the gate fields of in (gate, gate_next_tlsa, gate_seen, ttl) for
 * the service in svcdir whose curr and next links name the db dirs curr
 * and next (NULL: no link), from their tlsa.rr and next's dane-visible.
 * Reads only; leaves in alone when no gate applies.
 */
struct sslm_service_cfg;
void	plan_gate_inputs(const struct sslm_run *,
	    const struct sslm_service_cfg *, const char *svcdir,
	    const char *curr, const char *next, struct plan_input *in);
void	plan_item_clear(struct plan_item *);

/* "not-due", "maybe", "due", "first", "waits" (static strings). */
const char *plan_renew_name(enum plan_renew);
/* "none", "too-soon", "gate", "ready" (static strings). */
const char *plan_roll_name(enum plan_roll);

/*
 * The plan of every service of the run, in run order.  Reads only.
 * *out and *n always set (free with sslm_plan_free).
 */
void	sslm_plan(struct sslm_run *, struct plan_item **out, size_t *n);
void	sslm_plan_free(struct plan_item *, size_t n);
/* The plan as text (one block per service) or JSON (ssl-mgr-plan/1). */
void	sslm_plan_print(const struct plan_item *, size_t n, time_t now,
	    bool json, struct buf *b);

#endif
