/*
 * screen-services.c - the default screen: a tree of groups and their
 * services with live countdowns, and the action keys.  Actions become
 * jobs running the same command line a cron user would type; destructive
 * ones ask first, naming exactly what will run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "console.h"
#include "util.h"

#include "w_draw.h"

enum col {
	COL_NAME, COL_CA, COL_KEY, COL_EXPIRES, COL_LEFT, COL_NEXT, COL_ROLL,
	COL_RENEW, COL_PROD, COL_RESULT, COL__MAX
};

/* At 80 columns the expiry date and the key type are dropped first. */
static const struct w_column columns[COL__MAX] = {
	{ "Service", 14, 30, 3, W_ALIGN_LEFT, 0 },
	{ "CA", 6, 18, 1, W_ALIGN_LEFT, 3 },
	{ "Key", 8, 9, 0, W_ALIGN_LEFT, 5 },
	{ "Expires", 10, 10, 0, W_ALIGN_LEFT, 6 },
	{ "Left", 12, 0, 0, W_ALIGN_RIGHT, 0 },
	{ "Next", 5, 8, 0, W_ALIGN_LEFT, 2 },
	{ "Roll", 13, 22, 2, W_ALIGN_LEFT, 1 },
	{ "Renew", 8, 0, 0, W_ALIGN_LEFT, 1 },
	{ "Prod", 5, 0, 0, W_ALIGN_LEFT, 4 },
	{ "Result", 8, 24, 2, W_ALIGN_LEFT, 2 },
};

static size_t
svc_count(void *arg)
{
	return ((struct console *)arg)->nview;
}

static void
svc_header(void *arg, WINDOW *w, const struct w_rect *r)
{
	struct console *c = arg;

	w_table_draw_header(c->svc_table, w, r, w_attr(W_ROLE_HEADER));
}

static void
fmt_age(long mins, char *out, size_t len)
{
	if (mins < 60)
		snprintf(out, len, "%ldm", mins);
	else if (mins < 48 * 60)
		snprintf(out, len, "%ldh%02ldm", mins / 60, mins % 60);
	else
		snprintf(out, len, "%ldd", mins / 1440);
}

static void
draw_group(struct console *c, WINDOW *w, const struct w_rect *r,
    const struct con_row *g, attr_t base, int flags)
{
	char buf[256];
	size_t n = 0;

	for (size_t i = 0; i < c->nrows; i++)
		if (c->rows[i].svc != NULL && c->rows[i].group ==
		    (size_t)(g - c->rows))
			n++;
	snprintf(buf, sizeof(buf), "%s %s (%zu)", g->collapsed ? "+" : "-",
	    g->grp, n);
	/* A group row spans the columns: its name is never cut short. */
	w_draw_text(w, r->y, r->x, r->w, flags & W_ROW_SELECTED ? base :
	    w_attr(W_ROLE_TITLE) | A_BOLD, 0, buf);
}

static void
svc_draw(void *arg, WINDOW *w, const struct w_rect *r, size_t i, int flags)
{
	struct console *c = arg;
	const struct con_row *s = con_view_row(c, i);
	const struct con_result *res;
	time_t now = time(NULL);
	char buf[128];
	attr_t base;
	bool sel = (flags & W_ROW_SELECTED) != 0;

	base = w_attr(sel ? W_ROLE_SELECTED : s && s->tagged ?
	    W_ROLE_TAGGED : W_ROLE_NORMAL);
	w_draw_fill(w, r->y, r->x, r->w, base);
	if (s == NULL)
		return;
	if (s->svc == NULL) {
		draw_group(c, w, r, s, base, flags);
		return;
	}
	snprintf(buf, sizeof(buf), "  %s%s", s->tagged ? "*" : " ", s->svc);
	w_table_draw_cell(c->svc_table, w, r, COL_NAME, base, buf);
	w_table_draw_cell(c->svc_table, w, r, COL_CA, base, s->ca);
	w_table_draw_cell(c->svc_table, w, r, COL_KEY, base, s->ktype);
	if (s->has_curr) {
		strftime(buf, sizeof(buf), "%Y-%m-%d", gmtime(&s->not_after));
		w_table_draw_cell(c->svc_table, w, r, COL_EXPIRES, base, buf);
		con_countdown(s->not_after - now, buf, sizeof(buf));
	} else
		snprintf(buf, sizeof(buf), "no curr");
	w_table_draw_cell(c->svc_table, w, r, COL_LEFT, sel ? base :
	    w_attr(con_expiry_role(s, now)), buf);
	if (s->has_next) {
		/* The age moves on between two status reads. */
		fmt_age(s->next_age + (long)(now - c->loaded) / 60, buf,
		    sizeof(buf));
		w_table_draw_cell(c->svc_table, w, r, COL_NEXT, sel ? base :
		    w_attr(W_ROLE_PENDING), buf);
		if (s->roll_due || (s->gate_wait && s->gate_open_at != 0 &&
		    s->gate_open_at <= now))
			snprintf(buf, sizeof(buf), "ready to roll");
		else if (s->gate_wait && s->gate_open_at == 0 &&
		    s->gate_ns[0] != '\0')
			/* The NS the last run's gate check waited for (the
			 * DNS screen shows what every NS serves now). */
		{
			/* The long form where the column has room (wider
			 * terminals), else "gate: ns2" (80 columns). */
			int room = c->svc_table->width[COL_ROLL];

			snprintf(buf, sizeof(buf), "gate: waiting for %s",
			    s->gate_ns);
			if ((int)strlen(buf) > room)
				snprintf(buf, sizeof(buf), "gate: %s",
				    s->gate_ns);
		}
		else if (s->gate_wait && s->gate_open_at == 0)
			snprintf(buf, sizeof(buf), "gate: waiting");
		else if (s->gate_wait) {
			char age[32];

			fmt_age((long)(s->gate_open_at - now + 59) / 60, age,
			    sizeof(age));
			snprintf(buf, sizeof(buf), "gate: in %s", age);
		} else {
			char age[32];

			fmt_age(s->min_roll - s->next_age -
			    (long)(now - c->loaded) / 60, age, sizeof(age));
			snprintf(buf, sizeof(buf), "roll in %s", age);
		}
		w_table_draw_cell(c->svc_table, w, r, COL_ROLL, sel ? base :
		    w_attr(W_ROLE_PENDING), buf);
	} else {
		w_table_draw_cell(c->svc_table, w, r, COL_NEXT, base, "-");
		w_table_draw_cell(c->svc_table, w, r, COL_ROLL, base, "-");
	}
	if (s->renew_due)
		snprintf(buf, sizeof(buf), "due");
	else
		snprintf(buf, sizeof(buf), "in %.0fd", s->days_to_renew);
	w_table_draw_cell(c->svc_table, w, r, COL_RENEW, sel ? base :
	    w_attr(s->renew_due ? W_ROLE_EXPIRING : W_ROLE_NORMAL), buf);
	w_table_draw_cell(c->svc_table, w, r, COL_PROD, sel ? base :
	    w_attr(s->drift ? W_ROLE_WARNING : W_ROLE_DIM),
	    !c->prod_checked ? "?" : s->drift ? "drift" : "sync");
	if ((res = con_result_get(c, s->key)) != NULL)
		w_table_draw_cell(c->svc_table, w, r, COL_RESULT, sel ? base :
		    w_attr(res->role), res->text);
}

static int
svc_tag(void *arg, size_t i, int op)
{
	struct con_row *s = con_view_row(arg, i);

	if (s == NULL || s->svc == NULL)
		return 0;
	if (op == W_TAG_TOGGLE)
		s->tagged = !s->tagged;
	else if (op == W_TAG_SET || op == W_TAG_CLEAR)
		s->tagged = op == W_TAG_SET;
	return s->tagged;
}

static int
svc_expand(void *arg, size_t i, int op)
{
	struct console *c = arg;
	struct con_row *s = con_view_row(c, i);
	bool was;

	if (s == NULL || s->svc != NULL)
		return 0;
	was = s->collapsed;
	if (op == W_EXPAND_TOGGLE)
		s->collapsed = !s->collapsed;
	else
		s->collapsed = op == W_EXPAND_COLLAPSE;
	if (was == s->collapsed)
		return 0;
	con_view_build(c);
	return 1;
}

static size_t
svc_parent(void *arg, size_t i)
{
	struct console *c = arg;
	struct con_row *s = con_view_row(c, i);

	if (s == NULL || s->svc == NULL)
		return i;
	for (size_t k = 0; k < c->nview; k++)
		if (c->view[k] == s->group)
			return k;
	return i;
}

static const struct w_list_ops svc_ops = {
	.count = svc_count,
	.draw_row = svc_draw,
	.draw_header = svc_header,
	.tag = svc_tag,
	.expand = svc_expand,
	.parent = svc_parent,
};

void
scr_services_init(struct console *c)
{
	c->svc_table = w_table_new(columns, COL__MAX, 1);
	c->svc_list = w_list_new(&svc_ops, c);
	w_list_set_empty(c->svc_list, "No services (or none match the "
	    "filter)");
	w_list_set_focus(c->svc_list, 1);
}

void
scr_services_free(struct console *c)
{
	w_list_free(c->svc_list);
	w_table_free(c->svc_table);
}

void
scr_services_layout(struct console *c, const struct w_rect *r)
{
	w_table_resize(c->svc_table, r->w);
	w_table_set_sort(c->svc_table, c->sort_expiry ? COL_LEFT : COL_NAME,
	    0);
	w_list_resize(c->svc_list, r);
}

void
scr_services_draw(struct console *c, WINDOW *w)
{
	w_list_draw(c->svc_list, w);
}

void
scr_services_hints(struct console *c)
{
	static const struct w_keyhint hints[] = {
		{ "?", "Help" }, { "Spc", "Tag" }, { "r", "Renew" },
		{ "o", "Roll" }, { "Enter", "Info" }, { "/", "Filter" },
		{ ":", "Cmd" }, { "j", "Jobs" }, { "q", "Quit" },
		{ "s", "Sort" }, { "d", "DNS" }, { "P", "Plan" },
	};

	w_keybar_set(c->kb, hints, sizeof(hints) / sizeof(hints[0]));
}

/*
 * What an action applies to: the tagged services, else the service under
 * the cursor, else the whole group under the cursor.  words gets the
 * command line targets ("grp:a,b"), items the keys for the results.
 */
static bool
targets(struct console *c, struct strlist *words, struct strlist *items)
{
	struct con_row *cur = con_view_row(c, w_list_selected(c->svc_list));
	bool any = false;

	for (size_t g = 0; g < c->nrows; g++) {
		struct buf b;

		if (c->rows[g].svc != NULL)
			continue;
		buf_init(&b, 64 * 1024);
		for (size_t i = g + 1; i < c->nrows && c->rows[i].svc; i++) {
			if (!c->rows[i].tagged)
				continue;
			(void)buf_printf(&b, "%s%s", b.p ? "," : "",
			    c->rows[i].svc);
			strlist_add(items, c->rows[i].key);
			any = true;
		}
		if (b.p != NULL)
			strlist_add_nodup(words, xasprintf("%s:%s",
			    c->rows[g].grp, b.p));
		buf_free(&b);
	}
	if (any || cur == NULL)
		return any;
	strlist_add(words, cur->key);
	if (cur->svc != NULL)
		strlist_add(items, cur->key);
	else
		for (size_t i = 0; i < c->nrows; i++)
			if (c->rows[i].svc && strcmp(c->rows[i].grp,
			    cur->grp) == 0)
				strlist_add(items, c->rows[i].key);
	return true;
}

static char **
argv_join(const char *const *pre, const struct strlist *words)
{
	size_t n = 0, k = 0;
	char **v;

	while (pre[n] != NULL)
		n++;
	v = xcalloc(n + (words ? words->n : 0) + 2, sizeof(*v));
	v[k++] = xstrdup("ssl-mgr");
	for (size_t i = 0; i < n; i++)
		v[k++] = xstrdup(pre[i]);
	for (size_t i = 0; words && i < words->n; i++)
		v[k++] = xstrdup(words->v[i]);
	v[k] = NULL;
	return v;
}

static char *
items_text(const struct strlist *items)
{
	struct buf b;

	buf_init(&b, 64 * 1024);
	for (size_t i = 0; i < items->n; i++) {
		if (i == 6) {
			(void)buf_printf(&b, " and %zu more", items->n - i);
			break;
		}
		(void)buf_printf(&b, "%s%s", i ? ", " : "", items->v[i]);
	}
	return b.p ? b.p : xstrdup("");
}

/* Runs now, or asks first when why is set (the dialog names argv). */
static void
act(struct console *c, char **argv, const char *what,
    const struct strlist *items, const char *title, const char *why)
{
	struct buf b;
	char *list;

	if (why == NULL) {
		con_job_add(c, argv, what, items);
		return;
	}
	buf_init(&b, 64 * 1024);
	for (size_t i = 0; argv[i] != NULL; i++)
		(void)buf_printf(&b, "%s%s", i ? " " : "Run: ", argv[i]);
	list = items_text(items);
	(void)buf_printf(&b, "\n\n%s%s%s", why, items->n ? " " : "", list);
	free(list);
	con_argv_free(c->pend.argv);
	free(c->pend.what);
	strlist_clear(&c->pend.items);
	c->pend.argv = argv;
	c->pend.what = xstrdup(what);
	strlist_copy(&c->pend.items, items);
	console_confirm(c, CON_DLG_ACTION, title, b.p, title);
	buf_free(&b);
}

static void
action(struct console *c, int key)
{
	static const char *const renew[] = { "-renew", NULL };
	static const char *const frenew[] = { "-renew", "-f", NULL };
	static const char *const roll[] = { "-roll", NULL };
	static const char *const froll[] = { "-roll", "-f", NULL };
	static const char *const prod[] = { "dev", "-certs-prod", NULL };
	static const char *const fsr[] = { "dev", "-fsr", NULL };
	struct strlist words = { 0 }, items = { 0 };
	char keep[16], *p;

	if (key != 'p' && key != 'S' && !targets(c, &words, &items)) {
		console_message(c, W_LEVEL_WARN, "nothing selected");
		goto out;
	}
	switch (key) {
	case 'r':
		act(c, argv_join(renew, &words), "renew", &items, NULL, NULL);
		break;
	case 'R':
		act(c, argv_join(frenew, &words), "renew", &items,
		    "Force renew", "Make new keys and certificates in next "
		    "now, whatever their age, for:");
		break;
	case 'o':
		act(c, argv_join(roll, &words), "roll", &items, NULL, NULL);
		break;
	case 'O':
		act(c, argv_join(froll, &words), "roll", &items,
		    "Force roll", "Make next the new curr now, without "
		    "waiting for min_roll_mins (DNS may not have it yet), "
		    "for:");
		break;
	case 'c':
		snprintf(keep, sizeof(keep), "%d", c->cfg ? c->cfg->clean_keep :
		    10);
		{
			const char *const clean[] = { "-clean-keep", keep,
			    NULL };
			char *why = xasprintf("Delete the old generations "
			    "of keys and certificates, keeping the newest %s, "
			    "for:", keep);

			act(c, argv_join(clean, &words), "clean", &items,
			    "Clean", why);
			free(why);
		}
		break;
	case 'p':
		act(c, argv_join(prod, NULL), "prod", &items, NULL, NULL);
		break;
	case 'S':
		act(c, argv_join(fsr, NULL), "restart", &items,
		    "Restart servers", "Restart every configured server "
		    "(the restart_cmd of each server class).");
		break;
	case 'v':
		for (size_t i = 0; i < items.n; i++) {
			struct strlist one = { 0 };
			char *dir;

			strlist_add(&one, items.v[i]);
			dir = xstrdup(items.v[i]);
			p = strchr(dir, ':');
			*p = '/';
			p = xasprintf("%s/certs/%s/curr", c->topdir, dir);
			con_job_add(c, con_argv_new("ssl-mgr", "verify", p,
			    (char *)NULL), "verify", &one);
			free(p);
			free(dir);
			strlist_clear(&one);
		}
		break;
	case 'V':
		{
			const char *const live[] = { "verify", "--live",
			    NULL };

			act(c, argv_join(live, &words), "verify-live", &items,
			    NULL, NULL);
		}
		break;
	case 'x':
		if (items.n != 1 || strchr(words.v[0], ',') != NULL) {
			console_message(c, W_LEVEL_WARN, "revoke takes exactly "
			    "one service: untag the others");
			break;
		}
		act(c, con_argv_new("ssl-mgr", "revoke", items.v[0],
		    (char *)NULL), "revoke", &items, "Revoke",
		    "Revoke the current certificate at its CA.  This cannot "
		    "be undone.  Service:");
		break;
	}
out:
	strlist_clear(&words);
	strlist_clear(&items);
}

int
scr_services_key(struct console *c, int key)
{
	int r = w_list_key(c->svc_list, key);
	struct con_row *cur;

	if (r & W_SUBMIT) {
		cur = con_view_row(c, w_list_selected(c->svc_list));
		if (cur != NULL && cur->svc == NULL) {
			svc_expand(c, w_list_selected(c->svc_list),
			    W_EXPAND_TOGGLE);
			w_list_fix(c->svc_list);
		} else if (cur != NULL)
			scr_detail_open(c, cur);
		return r;
	}
	if (r != W_IGNORED)
		return r;
	switch (key) {
	case 'r': case 'R': case 'o': case 'O': case 'c': case 'p':
	case 'S': case 'v': case 'V': case 'x':
		action(c, key);
		return W_HANDLED;
	case 's':
		c->sort_expiry = !c->sort_expiry;
		con_view_build(c);
		console_message(c, W_LEVEL_INFO, "sorted by %s",
		    c->sort_expiry ? "expiry" : "name");
		return W_HANDLED;
	case 'a':
		w_list_tag_all(c->svc_list, 1);
		return W_HANDLED;
	case 'u':
		w_list_tag_all(c->svc_list, 0);
		return W_HANDLED;
	case 'W':
		scr_wizard_open(c);
		return W_HANDLED;
	}
	return W_IGNORED;
}
