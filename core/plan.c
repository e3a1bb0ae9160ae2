/*
 * plan.c - what "-renew" and "-roll" would do now, and why (plan.h).
 *
 * The decisions mirror runsvc.c's do_renew and do_roll: the same renew
 * policy (lifetime curve or renew_expire_days, whose random adjustment
 * becomes a window here instead of one draw), the ARI window overriding
 * it, a renewed next blocking a second renewal, min_roll_mins and the DANE
 * gate.  Nothing here writes, fetches or queries: the ARI window and the
 * gate's first visibility come from the files the last run left.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "gate.h"
#include "plan.h"
#include "renew.h"
#include "run.h"
#include "runsvc.h"
#include "timefmt.h"
#include "tlsa.h"
#include "x509.h"

const char *
plan_renew_name(enum plan_renew r)
{
	switch (r) {
	case PLAN_RENEW_NOT_DUE:
		return "not-due";
	case PLAN_RENEW_MAYBE:
		return "maybe";
	case PLAN_RENEW_DUE:
		return "due";
	case PLAN_RENEW_FIRST:
		return "first";
	case PLAN_RENEW_WAITS:
		return "waits";
	}
	return "unknown";
}

const char *
plan_roll_name(enum plan_roll r)
{
	switch (r) {
	case PLAN_ROLL_NONE:
		return "none";
	case PLAN_ROLL_TOO_SOON:
		return "too-soon";
	case PLAN_ROLL_GATE:
		return "gate";
	case PLAN_ROLL_READY:
		return "ready";
	}
	return "unknown";
}

void
plan_item_clear(struct plan_item *it)
{
	free(it->renew_why);
	free(it->roll_why);
	it->renew_why = it->roll_why = NULL;
}

/* "2027-01-05 12:00:00 UTC, in 59d3h" or "..., 3h12m ago". */
static void
when(time_t t, time_t now, char *out, size_t len)
{
	char d[40], s[32];

	fmt_date_utc(t, d, sizeof(d));
	fmt_span_short((long long)(t > now ? t - now : now - t), s,
	    sizeof(s));
	if (t > now)
		snprintf(out, len, "%s, in %s", d, s);
	else
		snprintf(out, len, "%s, %s ago", d, s);
}

static void
decide_renew(const struct plan_input *in, struct plan_item *out)
{
	struct renew_decision d;
	char basis[128], a[80], b[80];

	if (!in->has_curr) {
		out->renew = PLAN_RENEW_FIRST;
		out->renew_why = xstrdup("no curr: issues the first "
		    "certificate");
		return;
	}
	if (in->has_ari) {
		out->renew_from = in->ari_start;
		out->renew_until = in->ari_end;
		snprintf(basis, sizeof(basis), "the CA's ARI window");
	} else {
		renew_decide(in->pol, in->curr_nb, in->curr_na, in->now, 0.5,
		    &d);
		out->renew_from = in->curr_na -
		    (time_t)((d.target + d.adj_size) * 86400);
		out->renew_until = in->curr_na -
		    (time_t)((d.target - d.adj_size) * 86400);
		if (in->pol->legacy)
			snprintf(basis, sizeof(basis), "renew_expire_days "
			    "%.0f", d.target);
		else
			snprintf(basis, sizeof(basis), "lifetime curve: %.1f "
			    "days before expiry of a %.0f day cert",
			    d.target, d.lifetime);
	}
	when(out->renew_from, in->now, a, sizeof(a));
	when(out->renew_until, in->now, b, sizeof(b));
	if (in->now >= out->renew_until) {
		out->renew = PLAN_RENEW_DUE;
		out->renew_why = xasprintf("due since %s (%s)", b, basis);
	} else if (in->now >= out->renew_from) {
		out->renew = PLAN_RENEW_MAYBE;
		out->renew_why = xasprintf("inside the random window %s to "
		    "%s: each run draws (%s)", a, b, basis);
	} else if (out->renew_until > out->renew_from)
		out->renew_why = xasprintf("not due until %s, at the latest "
		    "%s (%s)", a, b, basis);
	else
		out->renew_why = xasprintf("not due until %s (%s)", a, basis);
	if (out->renew == PLAN_RENEW_NOT_DUE)
		return;
	if (in->has_next && in->next_na > in->curr_na &&
	    in->next_na > in->now) {
		/* do_renew keeps a renewed next instead of replacing it. */
		char *why = xasprintf("%s; a renewed cert waits in next: "
		    "roll it first", out->renew_why);

		free(out->renew_why);
		out->renew_why = why;
		out->renew = PLAN_RENEW_WAITS;
	}
}

static void
decide_roll(const struct plan_input *in, struct plan_item *out)
{
	char s[32], w[80];
	long age;
	int ttl = in->ttl > 0 ? in->ttl : GATE_DEFAULT_TTL;
	time_t open_at;

	if (!in->has_next) {
		out->roll = PLAN_ROLL_NONE;
		out->roll_why = xstrdup("nothing to roll: no next");
		return;
	}
	if (!in->has_curr) {
		out->roll = PLAN_ROLL_READY;
		out->roll_why = xstrdup("ready to roll: no curr, next goes "
		    "live at once");
		return;
	}
	age = roll_age_mins(in->next_nb, in->now);
	if (age < in->min_roll_mins) {
		out->roll = PLAN_ROLL_TOO_SOON;
		out->roll_at = in->next_nb + (time_t)in->min_roll_mins * 60;
		fmt_span_short((long long)(out->roll_at - in->now), s,
		    sizeof(s));
		out->roll_why = xasprintf("next present, roll in %s (next is "
		    "%ld mins old, min_roll_mins %d)%s", s, age,
		    in->min_roll_mins, in->gate ? "; then the DANE gate" : "");
		return;
	}
	if (!in->gate) {
		out->roll = PLAN_ROLL_READY;
		out->roll_why = xasprintf("ready to roll: next is %ld mins "
		    "old (min %d)", age, in->min_roll_mins);
		return;
	}
	if (!in->gate_next_tlsa) {
		out->roll = PLAN_ROLL_GATE;
		out->roll_why = xstrdup("gate: next has no TLSA records to "
		    "check in DNS");
		return;
	}
	if (in->gate_seen == 0) {
		out->roll = PLAN_ROLL_GATE;
		out->roll_why = xasprintf("gate: waiting until every name "
		    "server serves next's TLSA records, then 2 x TTL "
		    "(%d s)%s%s",
		    2 * ttl, in->gate_waiting[0] ? "; the last check waited "
		    "for " : "", in->gate_waiting);
		return;
	}
	open_at = in->gate_seen + 2 * (time_t)ttl;
	when(in->gate_seen, in->now, w, sizeof(w));
	if (in->now < open_at) {
		out->roll = PLAN_ROLL_GATE;
		out->roll_at = open_at;
		fmt_span_short((long long)(open_at - in->now), s, sizeof(s));
		out->roll_why = xasprintf("gate: every name server serves "
		    "next's TLSA records since %s: roll in %s (2 x TTL)", w,
		    s);
		return;
	}
	out->roll = PLAN_ROLL_READY;
	out->roll_why = xasprintf("ready to roll: next is %ld mins old, its "
	    "TLSA records served everywhere since %s (the run checks every "
	    "name server again)", age, w);
}

void
plan_decide(const struct plan_input *in, struct plan_item *out)
{
	out->renew = PLAN_RENEW_NOT_DUE;
	out->renew_from = out->renew_until = 0;
	out->renew_why = NULL;
	out->roll = PLAN_ROLL_NONE;
	out->roll_at = 0;
	out->roll_why = NULL;
	decide_renew(in, out);
	decide_roll(in, out);
}

/* The ARI window the last run cached ("start end fetched retry"). */
static bool
ari_cached(const char *svcdir, time_t *start, time_t *end)
{
	char *p = xasprintf("%s/cb/ari-window", svcdir), *text = NULL;
	long long a, b;
	bool ok = false;

	if (read_file(p, 4096, &text, NULL) == 0 &&
	    sscanf(text, "%lld %lld", &a, &b) == 2 && b >= a) {
		*start = (time_t)a;
		*end = (time_t)b;
		ok = true;
	}
	free(text);
	free(p);
	return ok;
}

void
plan_gate_inputs(const struct sslm_run *run,
    const struct sslm_service_cfg *sc, const char *svcdir, const char *curr,
    const char *next, struct plan_input *in)
{
	struct tlsa_set cs = { 0 }, ns = { 0 };
	char *cp, *np, *sp, *wp, *text = NULL, hash[TLSA_HASH_HEXLEN];
	char have[TLSA_HASH_HEXLEN + 1];
	long long t;

	if (!run->cfg->dane_roll_gate || sc->n_dane == 0 || curr == NULL ||
	    next == NULL)
		return;
	cp = xasprintf("%s/db/%s/%s", svcdir, curr, TLSA_RR_FILE);
	np = xasprintf("%s/db/%s/%s", svcdir, next, TLSA_RR_FILE);
	sp = xasprintf("%s/db/%s/%s", svcdir, next, GATE_STATE_FILE);
	if (tlsa_parse_file(cp, &cs) == 0 && cs.n > 0) {
		in->gate = true;
		in->gate_next_tlsa = tlsa_parse_file(np, &ns) == 0 &&
		    ns.n > 0;
	}
	if (in->gate_next_tlsa && tlsa_hash_file(np, hash) == 0 &&
	    read_file(sp, 4096, &text, NULL) == 0 &&
	    sscanf(text, "%lld %65s", &t, have) == 2 &&
	    strcmp(have, hash) == 0)
		in->gate_seen = (time_t)t;
	free(text);
	text = NULL;
	/* "<next db>\n<ns>\n": only when it is about this next. */
	wp = path_join(svcdir, GATE_WAITING_FILE);
	if (in->gate_next_tlsa && read_file(wp, 4096, &text, NULL) == 0 &&
	    strncmp(text, next, strlen(next)) == 0 &&
	    text[strlen(next)] == '\n') {
		const char *w = text + strlen(next) + 1;

		snprintf(in->gate_waiting, sizeof(in->gate_waiting), "%.*s",
		    (int)strcspn(w, "\n"), w);
	}
	free(wp);
	in->ttl = sc->dane_tls_ttl;
	tlsa_set_free(&cs);
	tlsa_set_free(&ns);
	free(text);
	free(cp);
	free(np);
	free(sp);
}

static void
plan_one(struct sslm_run *run, const struct sslm_service_cfg *sc,
    struct plan_item *it)
{
	struct renew_policy pol;
	struct plan_input in;
	struct svc_state st;
	const struct sslm_ca_info *ca;

	memset(&in, 0, sizeof(in));
	svc_state_load(run, sc, &st);
	renew_policy_for(run->cfg, sc, &pol);
	in.now = run->now;
	in.pol = &pol;
	in.min_roll_mins = run->min_roll_mins;
	if (st.curr_cert != NULL) {
		in.has_curr = true;
		in.curr_nb = x509_asn1_time(X509_get0_notBefore(st.curr_cert));
		in.curr_na = x509_asn1_time(X509_get0_notAfter(st.curr_cert));
	}
	if (st.next_cert != NULL) {
		in.has_next = true;
		in.next_nb = x509_asn1_time(X509_get0_notBefore(st.next_cert));
		in.next_na = x509_asn1_time(X509_get0_notAfter(st.next_cert));
	}
	ca = sc->self_signed ? NULL : sslm_ca_find(run->cfg, sc->signing_ca);
	if (in.has_curr && ca != NULL && ca->kind == SSLM_CA_ACME)
		in.has_ari = ari_cached(st.dir, &in.ari_start, &in.ari_end);
	plan_gate_inputs(run, sc, st.dir, st.curr, st.next, &in);
	it->grp = xstrdup(sc->grp);
	it->svc = xstrdup(sc->svc);
	plan_decide(&in, it);
	svc_state_free(&st);
}

void
sslm_plan(struct sslm_run *run, struct plan_item **out, size_t *n)
{
	struct plan_item *v = NULL;
	size_t k = 0;

	for (size_t i = 0; i < run->n_groups; i++)
		for (size_t j = 0; j < run->groups[i].n; j++) {
			v = xreallocarray(v, k + 1, sizeof(*v));
			memset(&v[k], 0, sizeof(v[k]));
			plan_one(run, run->groups[i].svcs[j], &v[k]);
			k++;
		}
	*out = v;
	*n = k;
}

void
sslm_plan_free(struct plan_item *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		plan_item_clear(&v[i]);
		free(v[i].grp);
		free(v[i].svc);
	}
	free(v);
}

static json_t *
json_time(time_t t)
{
	return t ? json_integer((json_int_t)t) : json_null();
}

void
sslm_plan_print(const struct plan_item *v, size_t n, time_t now, bool json,
    struct buf *b)
{
	json_t *root, *arr, *o;
	char *s;

	if (!json) {
		for (size_t i = 0; i < n; i++)
			(void)buf_printf(b, "%s:%s\n  renew: %s\n  roll:  "
			    "%s\n", v[i].grp, v[i].svc, v[i].renew_why,
			    v[i].roll_why);
		return;
	}
	root = json_object();
	arr = json_array();
	json_object_set_new(root, "schema", json_string("ssl-mgr-plan/1"));
	json_object_set_new(root, "now", json_integer((json_int_t)now));
	for (size_t i = 0; i < n; i++) {
		o = json_object();
		json_object_set_new(o, "group", json_string(v[i].grp));
		json_object_set_new(o, "service", json_string(v[i].svc));
		json_object_set_new(o, "renew", json_pack("{s:s, s:o, s:o, "
		    "s:s}", "action", plan_renew_name(v[i].renew), "from",
		    json_time(v[i].renew_from), "until",
		    json_time(v[i].renew_until), "why", v[i].renew_why));
		json_object_set_new(o, "roll", json_pack("{s:s, s:o, s:s}",
		    "action", plan_roll_name(v[i].roll), "at",
		    json_time(v[i].roll_at), "why", v[i].roll_why));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "services", arr);
	if ((s = json_dumps(root, JSON_COMPACT)) != NULL) {
		(void)buf_printf(b, "%s\n", s);
		free(s);
	}
	json_decref(root);
}
