/*
 * test-renew.c - the renew timing of spec §9: the default curve and its
 * examples, overrides, the policy order, decisions at their boundaries and
 * the 6.4 rule.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "renew.h"
#include "util.h"

#define DAY	86400

static void
assert_near(double got, double want, double eps)
{
	if (fabs(got - want) > eps)
		fail_msg("got %.6f, want %.6f (+-%g)", got, want, eps);
}

/* Spec §9.2's examples with the default curves. */
static const struct {
	double	life, target, adj, eps;
} curve_examples[] = {
	{ 90, 30, 0, 1e-9 },
	{ 89.99, 29.997, 0, 1e-3 },
	{ 60, 20, 0, 1e-9 },
	{ 75, 25, 0, 1e-9 },
	{ 45, 10, 0, 1e-9 },
	{ 44.5, 9.93, 0, 5e-3 },
	{ 30, 7.86, 0, 5e-3 },
	{ 10, 5, 0, 1e-9 },
	{ 7, 3.2, 0, 1e-9 },
	{ 6, 2.6, 0, 1e-9 },
	{ 2, 1, 0, 1e-9 },
	{ 100, 35, 1.67, 5e-3 },
	{ 120, 45, 5, 1e-9 },
	{ 200, 51.7, 2.78, 5e-2 },
	{ 365, 73, 0, 1e-9 },
	{ 300, 60, 0, 1e-9 },
	{ 0.5, 0.375, 0, 1e-9 },	/* upstream: -1 */
	{ 0.25, 0.3125, 0, 1e-9 },
	{ 0, 0.25, 0, 1e-9 },
	{ -3, 0.25, 0, 1e-9 },		/* below the first point */
	{ 1.5, 0.75, 0, 1e-9 },
	{ 600, 120, 0, 1e-9 },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
test_curve_example(void **state)
{
	size_t i = *(size_t *)*state;
	struct sslm_curve t, a;

	renew_curve_defaults(&t, &a);
	assert_int_equal(t.n, 10);
	assert_int_equal(a.n, 10);
	assert_near(renew_curve_at(&t, curve_examples[i].life),
	    curve_examples[i].target, curve_examples[i].eps);
	assert_near(renew_curve_at(&a, curve_examples[i].life),
	    curve_examples[i].adj, 5e-3);
	renew_curve_free(&t);
	renew_curve_free(&a);
	renew_curve_free(NULL);
}

static void
test_curve_set_replace_and_insert(void **state)
{
	struct sslm_curve t, a;

	(void)state;
	renew_curve_defaults(&t, &a);
	/* Within 0.1 of 90: replaces, keeps 10 points and the x. */
	renew_curve_set(&t, 90.05, 25);
	assert_int_equal(t.n, 10);
	assert_near(renew_curve_at(&t, 90), 25, 1e-9);
	/* 0.2 away: a new point, in order. */
	renew_curve_set(&t, 30, 15);
	assert_int_equal(t.n, 11);
	for (size_t i = 1; i < t.n; i++)
		assert_true(t.pts[i - 1].x < t.pts[i].x);
	assert_near(renew_curve_at(&t, 30), 15, 1e-9);
	assert_near(renew_curve_at(&t, 37.5), 12.5, 1e-9);
	/* Past the end and before the start. */
	renew_curve_set(&t, 400, 100);
	assert_int_equal(t.pts[t.n - 1].x, 400);
	assert_near(renew_curve_at(&t, 800), 200, 1e-9);
	renew_curve_set(&t, -1, 0.1);
	assert_near(t.pts[0].x, -1, 1e-9);
	assert_near(renew_curve_at(&t, -5), 0.1, 1e-9);
	/* Adjustment override. */
	renew_curve_set(&a, 90, 3);
	assert_near(renew_curve_at(&a, 90), 3, 1e-9);
	assert_near(renew_curve_at(&a, 75), 1.5, 1e-9);
	renew_curve_free(&t);
	renew_curve_free(&a);
}

static void
test_curve_degenerate(void **state)
{
	struct sslm_curve c = { NULL, 0 };

	(void)state;
	assert_near(renew_curve_at(&c, 50), 0, 0);
	assert_near(renew_curve_at(NULL, 50), 0, 0);
	renew_curve_set(&c, 10, 5);
	assert_near(renew_curve_at(&c, 5), 5, 1e-9);
	assert_near(renew_curve_at(&c, 20), 10, 1e-9);
	renew_curve_free(&c);
	renew_curve_set(&c, 0, 2);
	assert_near(renew_curve_at(&c, 20), 2, 1e-9);
	renew_curve_free(&c);
}

/* A config with the default curves and nothing else set. */
static void
cfg_init(struct sslm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	renew_curve_defaults(&cfg->renew_target, &cfg->renew_adj);
}

static void
cfg_fini(struct sslm_config *cfg)
{
	renew_curve_free(&cfg->renew_target);
	renew_curve_free(&cfg->renew_adj);
}

/* The policy order documented in renew.c, one row per combination. */
static const struct {
	bool	svc_days, renew_info, global_days, spread;
	bool	legacy;
	double	days, want_spread;
} policy_rows[] = {
	{ false, false, false, false, false, 0, 0 },
	{ true, false, false, false, true, 21, 0 },
	{ true, true, true, true, true, 21, 3 },
	{ false, true, true, true, false, 0, 0 },
	{ false, false, true, false, true, 14, 0 },
	{ false, false, true, true, true, 14, 3 },
	{ false, true, false, false, false, 0, 0 },
	{ false, false, false, true, false, 0, 0 },
};

static void
test_policy_order(void **state)
{
	struct sslm_config cfg;
	struct sslm_service_cfg svc;
	struct renew_policy p;

	(void)state;
	for (size_t i = 0; i < sizeof(policy_rows) / sizeof(policy_rows[0]);
	    i++) {
		cfg_init(&cfg);
		memset(&svc, 0, sizeof(svc));
		svc.has_renew_expire_days = policy_rows[i].svc_days;
		svc.renew_expire_days = 21;
		cfg.has_renew_info = policy_rows[i].renew_info;
		cfg.has_renew_expire_days = policy_rows[i].global_days;
		cfg.renew_expire_days = 14;
		cfg.has_renew_expire_days_spread = policy_rows[i].spread;
		cfg.renew_expire_days_spread = 3;
		renew_policy_for(&cfg, &svc, &p);
		assert_int_equal(p.legacy, policy_rows[i].legacy);
		assert_ptr_equal(p.target, &cfg.renew_target);
		assert_ptr_equal(p.adj, &cfg.renew_adj);
		if (p.legacy) {
			assert_near(p.legacy_days, policy_rows[i].days, 0);
			assert_near(p.legacy_spread,
			    policy_rows[i].want_spread, 0);
		}
		cfg_fini(&cfg);
	}
	/* No service: the global rule applies. */
	cfg_init(&cfg);
	cfg.has_renew_expire_days = true;
	cfg.renew_expire_days = 30;
	renew_policy_for(&cfg, NULL, &p);
	assert_true(p.legacy);
	assert_near(p.legacy_days, 30, 0);
	cfg_fini(&cfg);
}

/* Decisions with the default curve at and around the boundaries. */
static const struct {
	double	life, left, rand01;
	bool	due;
	double	target, adj, to_renew;
} decide_rows[] = {
	/* 90-day cert: renew at 30 days left, no randomness. */
	{ 90, 30.0, 0.0, true, 30, 0, 0 },
	{ 90, 30.5, 0.99, false, 30, 0, 0.5 },
	{ 90, 29.0, 0.5, true, 30, 0, -1 },
	{ 90, 60.0, 0.0, false, 30, 0, 30 },
	/* 120 days: 45 +- 5; rand 0 is -5, 0.5 is 0, 0.999 is +5. */
	{ 120, 49.0, 0.999, true, 45, 5, 4 },
	{ 120, 50.0, 0.999, true, 45, 5, 5 },
	{ 120, 50.1, 0.999, false, 45, 5, 5.1 },
	{ 120, 45.0, 0.0, false, 45, -5, 0 },
	{ 120, 40.0, 0.0, true, 45, -5, -5 },
	{ 120, 45.0, 0.5, true, 45, 0, 0 },
	/* 100 days: A = 1.67; rand 0.25 -> -0.835 -> -0.8. */
	{ 100, 34.3, 0.25, false, 35, -0.8, -0.7 },
	{ 100, 34.1, 0.25, true, 35, -0.8, -0.9 },
	/* 6-day cert: 2.6 days. */
	{ 6, 2.6, 0.3, true, 2.6, 0, 0 },
	{ 6, 3.0, 0.3, false, 2.6, 0, 0.4 },
	/* 0.5-day cert (upstream: target -1, never due). */
	{ 0.5, 0.3, 0.3, true, 0.375, 0, -0.075 },
	/* Expired. */
	{ 90, -2, 0.5, true, 30, 0, -32 },
};

static void
test_decide_curve(void **state)
{
	size_t i = *(size_t *)*state;
	struct sslm_config cfg;
	struct renew_policy p;
	struct renew_decision d;
	time_t now = 1750000000, nb, na;

	cfg_init(&cfg);
	renew_policy_for(&cfg, NULL, &p);
	na = now + (time_t)llround(decide_rows[i].left * DAY);
	nb = na - (time_t)llround(decide_rows[i].life * DAY);
	renew_decide(&p, nb, na, now, decide_rows[i].rand01, &d);
	assert_int_equal(d.due, decide_rows[i].due);
	assert_near(d.lifetime, decide_rows[i].life, 1e-4);
	assert_near(d.days_left, decide_rows[i].left, 1e-4);
	assert_near(d.target, decide_rows[i].target, 5e-3);
	assert_near(d.adj, decide_rows[i].adj, 1e-9);
	assert_near(d.days_to_renew, decide_rows[i].to_renew, 5e-3);
	cfg_fini(&cfg);
}

static void
test_decide_adj_range_and_rounding(void **state)
{
	struct sslm_config cfg;
	struct renew_policy p;
	struct renew_decision d;
	time_t now = 1750000000, na = now + 50 * DAY, nb = na - 120 * DAY;
	double lo = 1e9, hi = -1e9;

	(void)state;
	cfg_init(&cfg);
	renew_policy_for(&cfg, NULL, &p);
	for (int i = 0; i < 1000; i++) {
		renew_decide(&p, nb, na, now, i / 1000.0, &d);
		assert_true(d.adj >= -5 && d.adj <= 5);
		assert_near(d.adj * 10, round(d.adj * 10), 1e-9);
		assert_near(d.adj_size, 5, 1e-9);
		if (d.adj < lo)
			lo = d.adj;
		if (d.adj > hi)
			hi = d.adj;
	}
	assert_near(lo, -5, 1e-9);
	assert_near(hi, 5, 1e-9);
	/* Out-of-range draws are clamped to the middle, never UB. */
	renew_decide(&p, nb, na, now, 7.0, &d);
	assert_near(d.adj, 0, 1e-9);
	renew_decide(&p, nb, na, now, NAN, &d);
	assert_near(d.adj, 0, 1e-9);
	cfg_fini(&cfg);
}

/* The 6.4 rule: due when days_left - days <= adj, adj in [-s, s]. */
static const struct {
	double	days, spread, left, rand01;
	bool	due;
	double	adj;
} legacy_rows[] = {
	{ 30, 0, 30.0, 0.5, true, 0 },
	{ 30, 0, 30.01, 0.5, false, 0 },
	{ 30, 0, 10, 0.5, true, 0 },
	{ 30, 3, 33.0, 0.999, true, 3 },
	{ 30, 3, 33.5, 0.999, false, 3 },
	{ 30, 3, 27.0, 0.0, true, -3 },
	{ 30, 3, 27.5, 0.0, false, -3 },
	{ 30, 3, 30.0, 0.5, true, 0 },		/* 3/7 -> k = 3 -> 0 */
	{ 30, 3, 31.0, 0.5, false, 0 },
	{ 21, 2.9, 23.0, 0.999, true, 2 },	/* spread truncated to 2 */
};

static void
test_decide_legacy(void **state)
{
	size_t i = *(size_t *)*state;
	struct renew_policy p;
	struct renew_decision d;
	time_t now = 1750000000, nb, na;

	memset(&p, 0, sizeof(p));
	p.legacy = true;
	p.legacy_days = legacy_rows[i].days;
	p.legacy_spread = legacy_rows[i].spread;
	na = now + (time_t)llround(legacy_rows[i].left * DAY);
	nb = na - 90 * DAY;
	renew_decide(&p, nb, na, now, legacy_rows[i].rand01, &d);
	assert_int_equal(d.due, legacy_rows[i].due);
	assert_near(d.adj, legacy_rows[i].adj, 0);
	assert_near(d.target, legacy_rows[i].days, 0);
	assert_near(d.adj_size, floor(legacy_rows[i].spread), 0);
	assert_near(d.days_to_renew,
	    legacy_rows[i].left - legacy_rows[i].days, 1e-4);
}

static void
test_decide_override_curve(void **state)
{
	struct sslm_config cfg;
	struct renew_policy p;
	struct renew_decision d;
	time_t now = 1750000000, na = now + 21 * DAY, nb = na - 90 * DAY;

	(void)state;
	cfg_init(&cfg);
	cfg.has_renew_info = true;
	renew_curve_set(&cfg.renew_target, 90, 20);
	renew_policy_for(&cfg, NULL, &p);
	renew_decide(&p, nb, na, now, 0.5, &d);
	assert_false(d.due);
	assert_near(d.target, 20, 1e-9);
	assert_near(d.days_to_renew, 1, 1e-9);
	renew_curve_set(&cfg.renew_adj, 90, 1);
	renew_decide(&p, nb, na, now, 0.999, &d);
	assert_true(d.due);
	assert_near(d.adj, 1, 1e-9);
	cfg_fini(&cfg);
}

static const struct {
	long	secs, mins;
} age_rows[] = {
	{ 0, 1 }, { 30, 1 }, { 59, 1 }, { 60, 1 }, { 119, 1 }, { 120, 2 },
	{ 5400, 90 }, { 5399, 89 }, { -600, 1 }, { 86400, 1440 },
};

static void
test_roll_age(void **state)
{
	time_t nb = 1750000000;

	(void)state;
	for (size_t i = 0; i < sizeof(age_rows) / sizeof(age_rows[0]); i++)
		assert_int_equal(roll_age_mins(nb, nb + age_rows[i].secs),
		    age_rows[i].mins);
}

/*
 * Each table row is its own case (its index is the initial state), so a
 * failure names the row.
 */
static size_t		 idx[64];
static struct CMUnitTest *tests;
static size_t		 ntests;

static void
add(const char *name, CMUnitTestFunction fn, void *st)
{
	tests = xreallocarray(tests, ntests + 1, sizeof(*tests));
	memset(&tests[ntests], 0, sizeof(tests[ntests]));
	tests[ntests].name = name;
	tests[ntests].test_func = fn;
	tests[ntests].initial_state = st;
	ntests++;
}

static void
add_rows(const char *what, CMUnitTestFunction fn, size_t n)
{
	for (size_t i = 0; i < n; i++)
		add(xasprintf("%s[%zu]", what, i), fn, &idx[i]);
}

int
main(void)
{
	int rc;

	for (size_t i = 0; i < NELEM(idx); i++)
		idx[i] = i;
	add_rows("curve_example", test_curve_example, NELEM(curve_examples));
	add("curve_set_replace_and_insert", test_curve_set_replace_and_insert,
	    NULL);
	add("curve_degenerate", test_curve_degenerate, NULL);
	add("policy_order", test_policy_order, NULL);
	add_rows("decide_curve", test_decide_curve, NELEM(decide_rows));
	add("decide_adj_range_and_rounding",
	    test_decide_adj_range_and_rounding, NULL);
	add_rows("decide_legacy", test_decide_legacy, NELEM(legacy_rows));
	add("decide_override_curve", test_decide_override_curve, NULL);
	add("roll_age", test_roll_age, NULL);
	rc = _cmocka_run_group_tests("renew", tests, ntests, NULL, NULL);
	for (size_t i = 0; i < ntests; i++)
		if (strchr(tests[i].name, '[') != NULL)
			free((char *)tests[i].name);
	free(tests);
	return rc;
}
