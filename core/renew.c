/*
 * renew.c - when a certificate is due for renewal (spec §9) and how old a
 * next cert is for the roll check (§8.2).
 *
 * Everything here is a pure function of its arguments: the caller passes
 * the clock and the one random number, so every decision can be replayed in
 * a test.  Curves are kept sorted by x with no two points closer than 0.1.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "renew.h"
#include "util.h"

/* Two points closer than this on the x axis are the same point (§9.2). */
#define CURVE_EPS	0.1

/* The 7.7+ defaults: lifetime days -> days before expiry to renew. */
static const struct sslm_curve_pt default_target[] = {
	{ 0, 0.25 }, { 1, 0.5 }, { 2, 1 }, { 5, 2 }, { 10, 5 },
	{ 45, 10 }, { 60, 20 }, { 90, 30 }, { 120, 45 }, { 300, 60 }
};

static void
curve_from(struct sslm_curve *c, const struct sslm_curve_pt *pts, size_t n)
{
	c->pts = xreallocarray(NULL, n, sizeof(*c->pts));
	memcpy(c->pts, pts, n * sizeof(*pts));
	c->n = n;
}

/*
 * The adjustment curve has the same x values as the target with y = 0,
 * except 5 days at 120: that is what makes 100 days give 1.67 and 200 days
 * give 2.78 (§9.2), so the zero points matter.
 */
void
renew_curve_defaults(struct sslm_curve *target, struct sslm_curve *adj)
{
	size_t n = sizeof(default_target) / sizeof(default_target[0]);

	if (target != NULL)
		curve_from(target, default_target, n);
	if (adj != NULL) {
		curve_from(adj, default_target, n);
		for (size_t i = 0; i < n; i++)
			adj->pts[i].y = adj->pts[i].x == 120 ? 5 : 0;
	}
}

void
renew_curve_set(struct sslm_curve *c, double x, double y)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (fabs(c->pts[i].x - x) <= CURVE_EPS) {
			c->pts[i].y = y;
			return;
		}
		if (c->pts[i].x > x)
			break;
	}
	c->pts = xreallocarray(c->pts, c->n + 1, sizeof(*c->pts));
	memmove(&c->pts[i + 1], &c->pts[i], (c->n - i) * sizeof(*c->pts));
	c->pts[i].x = x;
	c->pts[i].y = y;
	c->n++;
}

void
renew_curve_free(struct sslm_curve *c)
{
	if (c == NULL)
		return;
	free(c->pts);
	c->pts = NULL;
	c->n = 0;
}

double
renew_curve_at(const struct sslm_curve *c, double x)
{
	const struct sslm_curve_pt *a, *b, *last;

	if (c == NULL || c->n == 0)
		return 0;
	if (x <= c->pts[0].x)
		return c->pts[0].y;
	last = &c->pts[c->n - 1];
	if (x >= last->x) {
		/* Beyond the table the target grows with the lifetime at the
		 * last point's ratio (20% with the defaults). */
		if (last->x <= 0)
			return last->y;
		return x * (last->y / last->x);
	}
	for (size_t i = 1; i < c->n; i++) {
		a = &c->pts[i - 1];
		b = &c->pts[i];
		if (x > b->x)
			continue;
		if (b->x - a->x <= 0)
			return b->y;
		return a->y + (x - a->x) * (b->y - a->y) / (b->x - a->x);
	}
	return last->y;		/* not reached: x < last->x */
}

/*
 * The order, most specific first:
 *  1. the service file's renew_expire_days (the 6.4 rule, with the global
 *     spread): someone wrote it for this one certificate;
 *  2. [renew_info] when the file has it: the 7.x way, and it is newer than
 *     any global 6.4 setting it shares a file with;
 *  3. the global renew_expire_days (6.4 rule, with its spread), which 7.x
 *     silently dropped;
 *  4. the default curve (which may carry a global spread as rand_adj_90,
 *     as 7.x maps it).
 */
void
renew_policy_for(const struct sslm_config *cfg,
    const struct sslm_service_cfg *svc, struct renew_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->target = &cfg->renew_target;
	p->adj = &cfg->renew_adj;
	if (cfg->has_renew_expire_days_spread)
		p->legacy_spread = cfg->renew_expire_days_spread;
	if (svc != NULL && svc->has_renew_expire_days) {
		p->legacy = true;
		p->legacy_days = svc->renew_expire_days;
	} else if (cfg->has_renew_info) {
		p->legacy = false;
	} else if (cfg->has_renew_expire_days) {
		p->legacy = true;
		p->legacy_days = cfg->renew_expire_days;
	}
	if (!p->legacy)
		p->legacy_spread = 0;
}

/* Rounds to one decimal, as upstream shows and compares the adjustment. */
static double
round1(double v)
{
	return round(v * 10) / 10;
}

void
renew_decide(const struct renew_policy *p, time_t not_before,
    time_t not_after, time_t now, double rand01, struct renew_decision *d)
{
	long spread;

	memset(d, 0, sizeof(*d));
	if (rand01 < 0 || rand01 >= 1 || isnan(rand01))
		rand01 = 0.5;
	d->days_left = difftime(not_after, now) / 86400.0;
	d->lifetime = difftime(not_after, not_before) / 86400.0;

	if (p->legacy) {
		/* 6.4: an integer adjustment in [-spread, spread]. */
		spread = (long)fabs(p->legacy_spread);
		d->target = p->legacy_days;
		d->adj_size = (double)spread;
		if (spread > 0) {
			long k = (long)floor(rand01 * (double)(2 * spread + 1));

			if (k > 2 * spread)
				k = 2 * spread;
			d->adj = (double)(k - spread);
		}
	} else {
		d->target = renew_curve_at(p->target, d->lifetime);
		d->adj_size = renew_curve_at(p->adj, d->lifetime);
		if (d->adj_size > 0)
			d->adj = round1(-d->adj_size +
			    2 * d->adj_size * rand01);
	}
	d->days_to_renew = d->days_left - d->target;
	d->due = d->days_to_renew <= d->adj;
}

long
roll_age_mins(time_t not_before, time_t now)
{
	long m = (long)(difftime(now, not_before) / 60);

	return m < 1 ? 1 : m;
}
