/*
 * screen-jobs.c - running, queued and finished jobs above, the output of
 * the selected one below (it follows new lines until scrolled).  The first
 * row is the console's own log: what core said while reading the status;
 * the second the tail of the log file (console-logtail.c), which shows
 * cron's runs too.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "console.h"

#include "w_draw.h"

#define FIXED_ROWS	2	/* console messages, log file */

static size_t
jobs_count(void *arg)
{
	return ((struct console *)arg)->njobs + FIXED_ROWS;
}

static void
jobs_draw_row(void *arg, WINDOW *w, const struct w_rect *r, size_t i,
    int flags)
{
	struct console *c = arg;
	const struct con_job *j;
	attr_t base = w_attr(flags & W_ROW_SELECTED ? W_ROLE_SELECTED :
	    W_ROLE_NORMAL), a;
	char st[32];

	w_draw_fill(w, r->y, r->x, r->w, base);
	if (i == 0) {
		w_draw_text(w, r->y, r->x, r->w, base, 0,
		    "   -  console       messages of the console");
		return;
	}
	if (i == 1) {
		w_draw_text(w, r->y, r->x, r->w, base, 0,
		    "   -  log file      the tail of <logdir>/sslm, followed");
		return;
	}
	j = c->jobs[i - FIXED_ROWS];
	switch (j->state) {
	case CON_JOB_QUEUED:
		snprintf(st, sizeof(st), "queued");
		a = w_attr(W_ROLE_PENDING);
		break;
	case CON_JOB_RUNNING:
		snprintf(st, sizeof(st), "running %lds",
		    (long)(time(NULL) - j->started));
		a = w_attr(W_ROLE_PENDING);
		break;
	default:
		if (j->busy)
			snprintf(st, sizeof(st), "busy (%d)", j->status);
		else
			snprintf(st, sizeof(st), "exit %d", j->status);
		a = w_attr(j->busy ? W_ROLE_WARNING : j->status ?
		    W_ROLE_ERROR : W_ROLE_OK);
		break;
	}
	if (flags & W_ROW_SELECTED)
		a = base;
	w_draw_printf(w, r->y, r->x, 5, base, 0, "%4d", j->id);
	w_draw_text(w, r->y, r->x + 5, 14, a, W_CLIP_PAD, st);
	w_draw_text(w, r->y, r->x + 19, r->w - 19, base, 0, j->cmdline);
}

static const struct w_list_ops jobs_ops = {
	.count = jobs_count,
	.draw_row = jobs_draw_row,
};

void
scr_jobs_init(struct console *c)
{
	c->job_list = w_list_new(&jobs_ops, c);
}

void
scr_jobs_free(struct console *c)
{
	w_list_free(c->job_list);
}

static struct w_log *
selected_log(struct console *c)
{
	size_t i = w_list_selected(c->job_list);

	if (i == 1)
		return c->tail_log;
	if (i == 0 || i == W_LIST_NONE || i >= c->njobs + FIXED_ROWS)
		return c->msglog;
	return c->jobs[i - FIXED_ROWS]->log;
}

/* The list takes a third of the height, at least 3 rows. */
void
scr_jobs_layout(struct console *c, const struct w_rect *r)
{
	struct w_rect top = *r, bot = *r;
	int h = r->h / 3;

	if (h < 3)
		h = 3;
	if (h > r->h - 2)
		h = r->h > 2 ? r->h - 2 : 1;
	top.h = h;
	bot.y = r->y + h + 1;
	bot.h = r->h - h - 1;
	if (bot.h < 1)
		bot.h = 1;
	w_list_resize(c->job_list, &top);
	w_log_resize(c->msglog, &bot);
	w_log_resize(c->tail_log, &bot);
	for (size_t i = 0; i < c->njobs; i++)
		w_log_resize(c->jobs[i]->log, &bot);
}

void
scr_jobs_draw(struct console *c, WINDOW *w)
{
	struct w_log *l = selected_log(c);

	w_list_draw(c->job_list, w);
	w_draw_hline(w, l->r.y - 1, 0, l->r.w, w_attr(W_ROLE_BORDER));
	w_log_draw(l, w);
}

/* Up/Down pick the job; the other moving keys scroll its output. */
int
scr_jobs_key(struct console *c, int key)
{
	switch (key) {
	case KEY_UP:
	case KEY_DOWN:
	case 'k':
		return w_list_key(c->job_list, key);
	}
	return w_log_key(selected_log(c), key);
}

void
scr_jobs_select_last(struct console *c)
{
	w_list_select(c->job_list, c->njobs > 0 ? c->njobs + FIXED_ROWS - 1 :
	    0);
}

void
scr_jobs_select_log(struct console *c)
{
	w_list_select(c->job_list, 1);
}
