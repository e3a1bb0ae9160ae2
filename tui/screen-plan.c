/*
 * screen-plan.c - what "-renew" and "-roll" would do now and why, per
 * service, before doing it: core's sslm_plan() (core/plan.c), which reads
 * the store and the state files the last run left and nothing else (no
 * ACME, no DNS), so it runs in-process on open and every PLAN_REFRESH_MS
 * for the countdowns.  The reasons are wrapped to the screen width.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "console.h"
#include "opts.h"
#include "plan.h"
#include "run.h"
#include "util.h"

#define PLAN_REFRESH_MS	5000

/* Adds "label text" wrapped at width, continuation lines indented. */
static void
add_wrapped(struct w_text *t, enum w_role role, const char *label,
    const char *text, int width)
{
	size_t ind = strlen(label), avail, len, cut;
	const char *p = text;
	bool first = true;

	if (width < (int)ind + 20)
		width = (int)ind + 20;
	avail = (size_t)width - ind;
	while (*p != '\0') {
		len = strlen(p);
		cut = len;
		if (len > avail) {
			cut = avail;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = avail;
		}
		w_text_addf(t, role, "%*s%.*s", (int)ind, first ? label : "",
		    (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
		first = false;
	}
}

static enum w_role
renew_role(enum plan_renew r)
{
	switch (r) {
	case PLAN_RENEW_DUE:
	case PLAN_RENEW_FIRST:
		return W_ROLE_WARNING;
	case PLAN_RENEW_MAYBE:
	case PLAN_RENEW_WAITS:
		return W_ROLE_PENDING;
	default:
		return W_ROLE_NORMAL;
	}
}

static enum w_role
roll_role(enum plan_roll r)
{
	switch (r) {
	case PLAN_ROLL_READY:
		return W_ROLE_OK;
	case PLAN_ROLL_TOO_SOON:
	case PLAN_ROLL_GATE:
		return W_ROLE_PENDING;
	default:
		return W_ROLE_NORMAL;
	}
}

void
scr_plan_build(struct console *c)
{
	struct w_text *t = c->plan;
	struct sslm_opts opts;
	struct sslm_diag diag = { 0 };
	struct sslm_run *run = NULL;
	struct plan_item *items = NULL;
	size_t n = 0, top = t->top;
	int width = t->r.w > 0 ? t->r.w - 1 : 79;
	char now[32];
	time_t tnow = time(NULL);

	c->plan_ms = console_now_ms();
	w_text_clear(t);
	strftime(now, sizeof(now), "%H:%M:%S", localtime(&tnow));
	w_text_addf(t, W_ROLE_DIM, "What ssl-mgr -renew and -roll would do "
	    "now (%s); nothing is changed.", now);
	w_text_add(t, W_ROLE_DIM, "Read from the store and the last run's "
	    "state files (d: the name servers).");
	w_text_add(t, W_ROLE_NORMAL, "");
	if (c->cfg == NULL) {
		w_text_addf(t, W_ROLE_ERROR, "No configuration loaded%s%s",
		    c->load_error ? ": " : "", c->load_error ?
		    c->load_error : "");
		goto out;
	}
	memset(&opts, 0, sizeof(opts));
	if (sslm_run_prepare(c->cfg, &opts, tnow, &run, &diag) != 0) {
		for (size_t i = 0; i < diag.errors.n; i++)
			w_text_addf(t, W_ROLE_ERROR, "%s", diag.errors.v[i]);
		goto out;
	}
	sslm_plan(run, &items, &n);
	if (n == 0)
		w_text_add(t, W_ROLE_WARNING, "No active service.");
	for (size_t i = 0; i < n; i++) {
		char *title = xasprintf("%s:%s", items[i].grp, items[i].svc);

		w_text_section(t, title);
		free(title);
		add_wrapped(t, renew_role(items[i].renew), "  renew  ",
		    items[i].renew_why, width);
		add_wrapped(t, roll_role(items[i].roll), "  roll   ",
		    items[i].roll_why, width);
	}
out:
	sslm_plan_free(items, n);
	sslm_run_free(run);
	sslm_diag_free(&diag);
	t->top = top;
	w_text_resize(t, &t->r);
}

void
scr_plan_tick(struct console *c)
{
	if (c->screen == CON_SCR_PLAN &&
	    console_now_ms() - c->plan_ms >= PLAN_REFRESH_MS)
		scr_plan_build(c);
}
