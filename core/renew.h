/*
 * renew.h - when a certificate is due for renewal (spec §9) and when next
 * may be rolled (§8.2).  Pure functions: the caller passes the clock and the
 * random draw, so the decisions are testable.
 */
#ifndef SSLM_RENEW_H
#define SSLM_RENEW_H

#include <stdbool.h>
#include <time.h>

#include "config.h"

/* The default curves of 7.7+ (spec §9.2). */
void	renew_curve_defaults(struct sslm_curve *target, struct sslm_curve *adj);
/* Replaces the point whose x is within 0.1 of x, or inserts it in order. */
void	renew_curve_set(struct sslm_curve *, double x, double y);
void	renew_curve_free(struct sslm_curve *);
/*
 * The curve's value at lifetime x: first y at or below the first point,
 * x * (last y / last x) at or beyond the last, linear in between (upstream's
 * -1 between the first two points is fixed: it interpolates).
 */
double	renew_curve_at(const struct sslm_curve *, double x);

/* How to decide: the 7.x curve, or the 6.4 fixed days (+ spread). */
struct renew_policy {
	bool			 legacy;	/* use days/spread below */
	double			 legacy_days;
	double			 legacy_spread;
	const struct sslm_curve	*target;
	const struct sslm_curve	*adj;
};

/* Builds the policy for a service: per-service renew_expire_days, else the
 * global one (6.4 rule), else the [renew_info] curve.  Borrowed pointers. */
void	renew_policy_for(const struct sslm_config *,
	    const struct sslm_service_cfg *, struct renew_policy *);

struct renew_decision {
	bool	due;
	double	days_left;	/* notAfter - now, days */
	double	lifetime;	/* notAfter - notBefore, days */
	double	target;		/* days before expiry to renew */
	double	adj_size;	/* A(lifetime), or the legacy spread */
	double	adj;		/* the one random adjustment drawn */
	double	days_to_renew;	/* days_left - target (>= 0 unless due) */
};

/*
 * Decides once (one random draw: rand01 in [0,1)).  Due when
 * days_to_renew <= adj.  0.
 */
void	renew_decide(const struct renew_policy *, time_t not_before,
	    time_t not_after, time_t now, double rand01,
	    struct renew_decision *);

/* Minutes since notBefore (at least 1), as upstream. */
long	roll_age_mins(time_t not_before, time_t now);

#endif
