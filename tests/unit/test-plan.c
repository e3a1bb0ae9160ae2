/*
 * test-plan.c - plan_decide(): what -renew and -roll would do, and the
 * reason given, for each state a service can be in (the pure half of
 * core/plan.c; the file side is tests/integration/test-plan.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "gate.h"
#include "plan.h"
#include "renew.h"
#include "util.h"

#define DAY	86400
#define NOW	((time_t)1800000000)

static struct sslm_curve target, adj;

static int
setup(void **state)
{
	(void)state;
	renew_curve_defaults(&target, &adj);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	renew_curve_free(&target);
	renew_curve_free(&adj);
	return 0;
}

static struct renew_policy
curve(void)
{
	struct renew_policy p;

	memset(&p, 0, sizeof(p));
	p.target = &target;
	p.adj = &adj;
	return p;
}

/* A 90 day curr issued `age` days ago. */
static void
base(struct plan_input *in, const struct renew_policy *p, double age)
{
	memset(in, 0, sizeof(*in));
	in->now = NOW;
	in->pol = p;
	in->has_curr = true;
	in->curr_nb = NOW - (time_t)(age * DAY);
	in->curr_na = in->curr_nb + 90 * DAY;
	in->min_roll_mins = 90;
}

static void
decide(const struct plan_input *in, struct plan_item *it)
{
	memset(it, 0, sizeof(*it));
	plan_decide(in, it);
	assert_non_null(it->renew_why);
	assert_non_null(it->roll_why);
}

static void
test_first_cert(void **state)
{
	struct renew_policy p = curve();
	struct plan_input in;
	struct plan_item it;

	(void)state;
	base(&in, &p, 0);
	in.has_curr = false;
	decide(&in, &it);
	assert_int_equal(it.renew, PLAN_RENEW_FIRST);
	assert_int_equal(it.roll, PLAN_ROLL_NONE);
	assert_non_null(strstr(it.renew_why, "first certificate"));
	plan_item_clear(&it);
}

static void
test_not_due_names_date_and_curve(void **state)
{
	struct renew_policy p = curve();
	struct plan_input in;
	struct plan_item it;

	(void)state;
	base(&in, &p, 10);
	decide(&in, &it);
	assert_int_equal(it.renew, PLAN_RENEW_NOT_DUE);
	/* 90 day cert: 30 days before expiry, i.e. 60 days after issue. */
	assert_int_equal(it.renew_from, in.curr_nb + 60 * DAY);
	assert_int_equal(it.renew_until, it.renew_from);
	assert_non_null(strstr(it.renew_why, "not due until"));
	assert_non_null(strstr(it.renew_why, "in 50d0h"));
	assert_non_null(strstr(it.renew_why, "lifetime curve: 30.0 days "
	    "before expiry of a 90 day cert"));
	plan_item_clear(&it);
}

static void
test_due_at_the_boundary(void **state)
{
	struct renew_policy p = curve();
	struct plan_input in;
	struct plan_item it;

	(void)state;
	base(&in, &p, 60);
	decide(&in, &it);
	assert_int_equal(it.renew, PLAN_RENEW_DUE);
	assert_non_null(strstr(it.renew_why, "due since"));
	plan_item_clear(&it);
	in.now -= 1;
	decide(&in, &it);
	assert_int_equal(it.renew, PLAN_RENEW_NOT_DUE);
	plan_item_clear(&it);
}

/* A 120 day cert has a 5 day random adjustment: a window, not a date. */
static void
test_random_window(void **state)
{
	struct renew_policy p = curve();
	struct plan_input in;
	struct plan_item it;

	(void)state;
	base(&in, &p, 0);
	in.curr_nb = NOW - 72 * DAY;
	in.curr_na = in.curr_nb + 120 * DAY;	/* 48 days left */
	decide(&in, &it);
	/* target 45 +- 5: from 50 to 40 days before expiry */
	assert_int_equal(it.renew, PLAN_RENEW_MAYBE);
	assert_int_equal(it.renew_from, in.curr_na - 50 * DAY);
	assert_int_equal(it.renew_until, in.curr_na - 40 * DAY);
	assert_non_null(strstr(it.renew_why, "random window"));
	plan_item_clear(&it);
	in.now = in.curr_na - 51 * DAY;
	decide(&in, &it);
	assert_int_equal(it.renew, PLAN_RENEW_NOT_DUE);
	assert_non_null(strstr(it.renew_why, "at the latest"));
	plan_item_clear(&it);
	in.now = in.curr_na - 40 * DAY;
	decide(&in, &it);
	assert_int_equal(it.renew, PLAN_RENEW_DUE);
	plan_item_clear(&it);
}

static void
test_legacy_days(void **state)
{
	struct renew_policy p = curve();
	struct plan_input in;
	struct plan_item it;

	(void)state;
	p.legacy = true;
	p.legacy_days = 20;
	base(&in, &p, 65);
	decide(&in, &it);
	assert_int_equal(it.renew, PLAN_RENEW_NOT_DUE);
	assert_int_equal(it.renew_from, in.curr_na - 20 * DAY);
	assert_non_null(strstr(it.renew_why, "renew_expire_days 20"));
	plan_item_clear(&it);
}

static void
test_ari_window_overrides(void **state)
{
	struct renew_policy p = curve();
	struct plan_input in;
	struct plan_item it;

	(void)state;
	base(&in, &p, 70);		/* the curve says: due */
	in.has_ari = true;
	in.ari_start = NOW + 2 * DAY;
	in.ari_end = NOW + 3 * DAY;
	decide(&in, &it);
	assert_int_equal(it.renew, PLAN_RENEW_NOT_DUE);
	assert_int_equal(it.renew_from, in.ari_start);
	assert_int_equal(it.renew_until, in.ari_end);
	assert_non_null(strstr(it.renew_why, "ARI window"));
	plan_item_clear(&it);
	in.now = NOW + 2 * DAY + 3600;
	decide(&in, &it);
	assert_int_equal(it.renew, PLAN_RENEW_MAYBE);
	plan_item_clear(&it);
	in.now = NOW + 3 * DAY;
	decide(&in, &it);
	assert_int_equal(it.renew, PLAN_RENEW_DUE);
	plan_item_clear(&it);
}

static void
test_renewed_next_waits(void **state)
{
	struct renew_policy p = curve();
	struct plan_input in;
	struct plan_item it;

	(void)state;
	base(&in, &p, 70);
	in.has_next = true;
	in.next_nb = NOW - 3600;
	in.next_na = in.next_nb + 90 * DAY;
	decide(&in, &it);
	assert_int_equal(it.renew, PLAN_RENEW_WAITS);
	assert_non_null(strstr(it.renew_why, "roll it first"));
	assert_int_equal(it.roll, PLAN_ROLL_TOO_SOON);
	assert_int_equal(it.roll_at, in.next_nb + 90 * 60);
	assert_non_null(strstr(it.roll_why, "roll in 30m"));
	plan_item_clear(&it);
	/* An older next (expired, say) does not block a renewal. */
	in.next_na = NOW - 1;
	decide(&in, &it);
	assert_int_equal(it.renew, PLAN_RENEW_DUE);
	plan_item_clear(&it);
}

static void
test_roll_ready_and_no_curr(void **state)
{
	struct renew_policy p = curve();
	struct plan_input in;
	struct plan_item it;

	(void)state;
	base(&in, &p, 10);
	in.has_next = true;
	in.next_nb = NOW - 91 * 60;
	in.next_na = in.next_nb + 90 * DAY;
	decide(&in, &it);
	assert_int_equal(it.roll, PLAN_ROLL_READY);
	assert_non_null(strstr(it.roll_why, "next is 91 mins old"));
	plan_item_clear(&it);
	in.has_curr = false;
	in.next_nb = NOW;
	decide(&in, &it);
	assert_int_equal(it.roll, PLAN_ROLL_READY);
	assert_non_null(strstr(it.roll_why, "no curr"));
	plan_item_clear(&it);
}

static void
test_gate(void **state)
{
	struct renew_policy p = curve();
	struct plan_input in;
	struct plan_item it;

	(void)state;
	base(&in, &p, 10);
	in.has_next = true;
	in.next_nb = NOW - 100 * 60;
	in.next_na = in.next_nb + 90 * DAY;
	in.gate = true;
	in.ttl = 300;
	decide(&in, &it);
	assert_int_equal(it.roll, PLAN_ROLL_GATE);
	assert_non_null(strstr(it.roll_why, "no TLSA records"));
	plan_item_clear(&it);
	in.gate_next_tlsa = true;
	decide(&in, &it);
	assert_int_equal(it.roll, PLAN_ROLL_GATE);
	assert_non_null(strstr(it.roll_why, "waiting until every name "
	    "server"));
	assert_non_null(strstr(it.roll_why, "(600 s)"));
	plan_item_clear(&it);
	in.gate_seen = NOW - 200;
	decide(&in, &it);
	assert_int_equal(it.roll, PLAN_ROLL_GATE);
	assert_int_equal(it.roll_at, NOW + 400);
	assert_non_null(strstr(it.roll_why, "roll in 6m"));
	plan_item_clear(&it);
	in.gate_seen = NOW - 600;
	decide(&in, &it);
	assert_int_equal(it.roll, PLAN_ROLL_READY);
	assert_non_null(strstr(it.roll_why, "served everywhere"));
	plan_item_clear(&it);
	/* No TTL: the gate's default. */
	in.ttl = 0;
	decide(&in, &it);
	assert_int_equal(it.roll, PLAN_ROLL_GATE);
	assert_int_equal(it.roll_at, in.gate_seen + 2 * GATE_DEFAULT_TTL);
	plan_item_clear(&it);
	/* Too young: min_roll_mins speaks first, and names the gate. */
	in.next_nb = NOW - 60;
	decide(&in, &it);
	assert_int_equal(it.roll, PLAN_ROLL_TOO_SOON);
	assert_non_null(strstr(it.roll_why, "then the DANE gate"));
	plan_item_clear(&it);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(plan_renew_name(PLAN_RENEW_WAITS), "waits");
	assert_string_equal(plan_renew_name(PLAN_RENEW_MAYBE), "maybe");
	assert_string_equal(plan_roll_name(PLAN_ROLL_TOO_SOON), "too-soon");
	assert_string_equal(plan_roll_name(PLAN_ROLL_GATE), "gate");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_cert),
		cmocka_unit_test(test_not_due_names_date_and_curve),
		cmocka_unit_test(test_due_at_the_boundary),
		cmocka_unit_test(test_random_window),
		cmocka_unit_test(test_legacy_days),
		cmocka_unit_test(test_ari_window_overrides),
		cmocka_unit_test(test_renewed_next_waits),
		cmocka_unit_test(test_roll_ready_and_no_curr),
		cmocka_unit_test(test_gate),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
