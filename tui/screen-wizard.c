/*
 * screen-wizard.c - the private-CA set-up wizard: form pages for the CAs'
 * names, keys, lifetimes, subject and first leaves; a review page listing
 * every file as new / unchanged / add to / CONFLICT before anything is
 * written; then "ssl-mgr ca-init ... --yes" as a job (the headless face,
 * so the wizard writes exactly what a script would); and a last page on
 * installing the root into the trust stores.
 *
 * Invariant: the wizard itself never writes: the review page only reads
 * (core's ca_init_plan) and the job does the rest under the store lock.
 */
#include <stdlib.h>
#include <string.h>

#include "ca-init.h"
#include "console.h"
#include "err.h"
#include "w_form.h"
#include "w_text.h"

enum wiz_page {
	WIZ_CA, WIZ_KEY, WIZ_DAYS, WIZ_SUBJ, WIZ_LEAF, WIZ__FORMS = WIZ_LEAF,
	WIZ_REVIEW, WIZ_RUN, WIZ_DONE
};

#define WIZ_LEAVES	3

struct con_wizard {
	enum wiz_page	 page;
	struct w_form	*form[WIZ__FORMS + 1];
	struct w_text	*text;		/* review, run and done pages */
	struct ca_init	 a;		/* the answers of the last check */
	bool		 ok;		/* answers valid, no refused file */
	bool		 conflicts;	/* only forceable ones */
	int		 job;		/* ca-init job id, 0: none */
	struct w_rect	 r;
	char		*err;		/* for the form validators */
};

static const char *const key_choices[] = {
	"ec:secp384r1", "ec:secp256r1", "ec:secp521r1", "rsa:4096",
	"rsa:3072", "rsa:2048", "ed25519", NULL
};
static const char *const leaf_key_choices[] = {
	"same as the CAs", "ec:secp256r1", "ec:secp384r1", "rsa:2048",
	"rsa:4096", "ed25519", NULL
};

static const struct w_field_def ca_fields[] = {
	{ "Root CA name", "root-ca", "file conf.d/ca/<name> and the "
	    "ca-info.conf table", NULL, 0, 64 },
	{ "Intermediate", "int-ca", "signed by the root; signs the leaves",
	    NULL, 0, 64 },
	{ "Root CN", NULL, "empty: \"<organisation> Root CA\"", NULL, 0, 64 },
	{ "Intermediate CN", NULL, "empty: \"<organisation> Intermediate CA\"",
	    NULL, 0, 64 },
};
static const struct w_field_def key_fields[] = {
	{ "CA key", "ec:secp384r1", "Left/Right or Space: root and "
	    "intermediate key", key_choices, 0, 0 },
	{ "Leaf key", "same as the CAs", "Left/Right or Space: the leaves' key",
	    leaf_key_choices, 0, 0 },
};
static const struct w_field_def day_fields[] = {
	{ "CA lifetime", "3650", "days: the root's and the intermediate's "
	    "certificates", NULL, 0, 6 },
	{ "Leaf lifetime", "90", "days: the leaves the intermediate signs",
	    NULL, 0, 6 },
};
static const struct w_field_def subj_fields[] = {
	{ "Organisation O", NULL, "required, in every certificate", NULL, 0,
	    64 },
	{ "Unit OU", NULL, "optional", NULL, 0, 64 },
	{ "Country C", "US", "two capital letters", NULL, 0, 2 },
	{ "Email", NULL, "optional", NULL, 0, 64 },
};
static const struct w_field_def leaf_fields[] = {
	{ "Leaf 1", NULL, "[group:]service=host,host,...  e.g. "
	    "web=www.example.com,example.com", NULL, 0, 200 },
	{ "Leaf 2", NULL, "[group:]service=host,...  (empty: none)", NULL, 0,
	    200 },
	{ "Leaf 3", NULL, "[group:]service=host,...  (empty: none)", NULL, 0,
	    200 },
};

static const char *const titles[] = {
	"CA set-up 1/6: the root and intermediate CA",
	"CA set-up 2/6: key types",
	"CA set-up 3/6: lifetimes",
	"CA set-up 4/6: subject",
	"CA set-up 5/6: first leaf services",
};

/* Error prefixes of ca_init_check that belong to each form page. */
static const char *const page_errs[][5] = {
	{ "root CA name", "intermediate CA name", "the root and the",
	    "root common name", "intermediate common name" },
	{ NULL },
	{ "root lifetime", "leaf lifetime", NULL },
	{ "organisation", "country", "email", NULL },
	{ "leaf", NULL },
};

static int
days(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return *s == '\0' || *end != '\0' || v < 0 || v > 99999 ? -1 : (int)v;
}

/*
 * The answers from every page into a (reset first); errors of leaf
 * specs go to errs.
 */
static void
collect(struct con_wizard *z, struct ca_init *a, struct strlist *errs)
{
	char *err = NULL;
	const char *v;

	ca_init_free(a);
	ca_init_defaults(a);
	ca_init_set(&a->root, w_form_value(z->form[WIZ_CA], 0));
	ca_init_set(&a->intr, w_form_value(z->form[WIZ_CA], 1));
	ca_init_set(&a->root_cn, w_form_value(z->form[WIZ_CA], 2));
	ca_init_set(&a->int_cn, w_form_value(z->form[WIZ_CA], 3));
	(void)ca_init_parse_key(w_form_value(z->form[WIZ_KEY], 0), &a->key,
	    &err);
	free(err);
	err = NULL;
	v = w_form_value(z->form[WIZ_KEY], 1);
	if (strcmp(v, leaf_key_choices[0]) != 0) {
		a->leaf_key_set = ca_init_parse_key(v, &a->leaf_key, &err) == 0;
		free(err);
		err = NULL;
	}
	a->root_days = days(w_form_value(z->form[WIZ_DAYS], 0));
	a->leaf_days = days(w_form_value(z->form[WIZ_DAYS], 1));
	ca_init_set(&a->O, w_form_value(z->form[WIZ_SUBJ], 0));
	ca_init_set(&a->OU, w_form_value(z->form[WIZ_SUBJ], 1));
	ca_init_set(&a->C, w_form_value(z->form[WIZ_SUBJ], 2));
	ca_init_set(&a->email, w_form_value(z->form[WIZ_SUBJ], 3));
	for (size_t i = 0; i < WIZ_LEAVES; i++) {
		v = w_form_value(z->form[WIZ_LEAF], i);
		if (v == NULL || *v == '\0')
			continue;
		if (ca_init_add_leaf(a, v, &err) != 0) {
			if (errs != NULL)
				strlist_add(errs, err);
			free(err);
			err = NULL;
		}
	}
}

/*
 * Form validator: a field's own rules; at submit the whole answers'
 * problems that belong to this page (later pages keep their defaults
 * until they are reached, so they are not judged yet).
 */
static const char *
validate(void *arg, size_t i, const char *value)
{
	struct console *c = arg;
	struct con_wizard *z = c->wiz;
	struct ca_init a = { 0 };
	struct strlist errs = { 0 };
	int page = z->page;

	free(z->err);
	z->err = NULL;
	if (i != W_FORM_ALL) {
		if (page == WIZ_DAYS && days(value) < 1)
			return "a number of days, at least 1";
		return NULL;
	}
	collect(z, &a, &errs);
	(void)ca_init_check(&a, &errs);
	for (size_t k = 0; k < errs.n && z->err == NULL; k++)
		for (size_t p = 0; p < 5 && page_errs[page][p] != NULL; p++)
			if (str_has_prefix(errs.v[k], page_errs[page][p]))
				z->err = xstrdup(errs.v[k]);
	ca_init_free(&a);
	strlist_clear(&errs);
	return z->err;
}

/* The review page: the plan, or the problems that stop it. */
static void
review(struct console *c)
{
	struct con_wizard *z = c->wiz;
	struct strlist errs = { 0 }, args = { 0 };
	struct ca_init_plan plan = { 0 };
	char *err = NULL;

	w_text_clear(z->text);
	z->ok = false;
	z->conflicts = false;
	collect(z, &z->a, &errs);
	w_text_section(z->text, "CA set-up 6/6: review (nothing written yet)");
	if (ca_init_check(&z->a, &errs) != 0 || errs.n > 0) {
		for (size_t i = 0; i < errs.n; i++)
			w_text_addf(z->text, W_ROLE_ERROR, "  %s", errs.v[i]);
		w_text_add(z->text, W_ROLE_DIM, "Esc: back to fix this");
		goto out;
	}
	if (ca_init_plan(c->topdir, &z->a, &plan, &err) != 0) {
		w_text_addf(z->text, W_ROLE_ERROR, "  %s", err);
		w_text_add(z->text, W_ROLE_DIM, "Esc: back");
		goto out;
	}
	w_text_addf(z->text, W_ROLE_NORMAL, "Files under %s:", c->topdir);
	for (size_t i = 0; i < plan.n; i++) {
		const struct ca_init_file *f = &plan.f[i];

		w_text_addf(z->text, f->state == CA_INIT_CONFLICT ?
		    W_ROLE_ERROR : f->state == CA_INIT_SAME ? W_ROLE_DIM :
		    W_ROLE_NORMAL, "  %-10s %s", ca_init_state_name(f->state),
		    f->rel);
		if (f->note != NULL)
			w_text_addf(z->text, W_ROLE_DIM, "             %s",
			    f->note);
	}
	w_text_add(z->text, W_ROLE_NORMAL, "");
	if (ca_init_plan_refused(&plan, true) > 0) {
		w_text_add(z->text, W_ROLE_ERROR, "A conflict in ssl-mgr.conf "
		    "or ca-info.conf: edit it by hand.  Esc: back");
		goto out;
	}
	z->ok = true;
	z->conflicts = ca_init_plan_refused(&plan, false) > 0;
	if (z->conflicts)
		w_text_add(z->text, W_ROLE_WARNING, "F: replace the CONFLICT "
		    "files and go on   Esc: back (other names)");
	else
		w_text_add(z->text, W_ROLE_TITLE, "Enter: write, issue and "
		    "roll   Esc: back");
	ca_init_to_args(&z->a, &args);
	w_text_add(z->text, W_ROLE_DIM, "The same from a script:");
	{
		struct buf b;

		buf_init(&b, 64 * 1024);
		(void)buf_printf(&b, "  ssl-mgr ca-init");
		/* Quoted for a shell: the answers never hold a quote. */
		for (size_t i = 0; i < args.n; i++)
			(void)buf_printf(&b, args.v[i][strspn(args.v[i],
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz"
			    "0123456789@%+=:,./_-")] != '\0' ? " '%s'" : " %s",
			    args.v[i]);
		(void)buf_printf(&b, " --yes");
		w_text_add(z->text, W_ROLE_DIM, b.p);
		buf_free(&b);
		/* Below, exactly what will be written (PgDn). */
		buf_init(&b, 16 * 1024 * 1024);
		ca_init_plan_show(&plan, &b);
		w_text_section(z->text, "What will be written (PgDn)");
		if (b.p != NULL)
			w_text_add(z->text, W_ROLE_NORMAL, b.p);
		buf_free(&b);
	}
out:
	ca_init_plan_free(&plan);
	strlist_clear(&errs);
	strlist_clear(&args);
	free(err);
}

/* Starts "ssl-mgr ca-init ... --yes" as a job. */
static void
run(struct console *c, bool force)
{
	struct con_wizard *z = c->wiz;
	struct strlist args = { 0 };
	struct con_job *j;
	char **argv;
	size_t k = 0;

	ca_init_to_args(&z->a, &args);
	argv = xcalloc(args.n + 7, sizeof(*argv));
	argv[k++] = xstrdup("ssl-mgr");
	argv[k++] = xstrdup("ca-init");
	argv[k++] = xstrdup("--topdir");
	argv[k++] = xstrdup(c->topdir);
	for (size_t i = 0; i < args.n; i++)
		argv[k++] = xstrdup(args.v[i]);
	argv[k++] = xstrdup("--yes");
	if (force)
		argv[k++] = xstrdup("--force");
	argv[k] = NULL;
	j = con_job_add(c, argv, "ca-init", NULL);
	z->job = j->id;
	z->page = WIZ_RUN;
	w_text_clear(z->text);
	w_text_section(z->text, "CA set-up: writing, issuing and rolling");
	w_text_addf(z->text, W_ROLE_NORMAL, "Job %d: %s", j->id, j->cmdline);
	w_text_add(z->text, W_ROLE_DIM, "j: its output as it runs");
	strlist_clear(&args);
}

static struct con_job *
find_job(struct console *c, int id)
{
	for (size_t i = 0; i < c->njobs; i++)
		if (c->jobs[i]->id == id)
			return c->jobs[i];
	return NULL;
}

/* The job ended: its result and the trust-store commands. */
static void
done(struct console *c, const struct con_job *j)
{
	struct con_wizard *z = c->wiz;
	struct buf b;

	z->page = WIZ_DONE;
	w_text_clear(z->text);
	if (j == NULL || j->status != 0) {
		w_text_section(z->text, "CA set-up failed");
		w_text_addf(z->text, W_ROLE_ERROR, "ssl-mgr ca-init failed "
		    "(exit %d): j shows its output.", j ? j->status : -1);
		w_text_add(z->text, W_ROLE_DIM, "Esc: back to the services");
		return;
	}
	w_text_section(z->text, "CA set-up done: the CA and leaves are live");
	buf_init(&b, 64 * 1024);
	ca_init_trust_text(c->topdir, z->a.root, &b);
	w_text_add(z->text, W_ROLE_NORMAL, b.p);
	buf_free(&b);
	w_text_add(z->text, W_ROLE_NORMAL, "");
	w_text_add(z->text, W_ROLE_DIM, "Esc: back to the services");
}

void
scr_wizard_open(struct console *c)
{
	static const struct {
		const struct w_field_def *f;
		size_t n;
	} pages[] = {
		{ ca_fields, sizeof(ca_fields) / sizeof(ca_fields[0]) },
		{ key_fields, sizeof(key_fields) / sizeof(key_fields[0]) },
		{ day_fields, sizeof(day_fields) / sizeof(day_fields[0]) },
		{ subj_fields, sizeof(subj_fields) / sizeof(subj_fields[0]) },
		{ leaf_fields, sizeof(leaf_fields) / sizeof(leaf_fields[0]) },
	};
	struct con_wizard *z;

	scr_wizard_free(c);
	z = c->wiz = xcalloc(1, sizeof(*z));
	ca_init_defaults(&z->a);
	for (int i = 0; i <= WIZ__FORMS; i++)
		z->form[i] = w_form_new(titles[i], pages[i].f, pages[i].n,
		    validate, c);
	z->text = w_text_new();
	z->page = WIZ_CA;
	console_show(c, CON_SCR_WIZARD);
}

void
scr_wizard_free(struct console *c)
{
	struct con_wizard *z = c->wiz;

	if (z == NULL)
		return;
	for (int i = 0; i <= WIZ__FORMS; i++)
		w_form_free(z->form[i]);
	w_text_free(z->text);
	ca_init_free(&z->a);
	free(z->err);
	free(z);
	c->wiz = NULL;
}

void
scr_wizard_layout(struct console *c, const struct w_rect *r)
{
	struct con_wizard *z = c->wiz;
	struct w_rect fr = *r;

	if (z == NULL)
		return;
	z->r = *r;
	/* A margin where there is room: the form reads better inset. */
	if (fr.w > 60) {
		fr.x += 2;
		fr.w -= 4;
	}
	for (int i = 0; i <= WIZ__FORMS; i++)
		w_form_resize(z->form[i], &fr);
	w_text_resize(z->text, r);
}

void
scr_wizard_draw(struct console *c, WINDOW *w, int *cy, int *cx)
{
	struct con_wizard *z = c->wiz;
	struct con_job *j;

	*cx = *cy = -1;
	if (z == NULL)
		return;
	if (z->page == WIZ_RUN && (j = find_job(c, z->job)) != NULL &&
	    j->state == CON_JOB_DONE)
		done(c, j);
	if (z->page <= WIZ__FORMS)
		w_form_draw(z->form[z->page], w, cy, cx);
	else
		w_text_draw(z->text, w);
}

static void
leave(struct console *c)
{
	scr_wizard_free(c);
	c->screen = CON_SCR_SERVICES;
	c->back = CON_SCR_SERVICES;
}

/* Returns W_IGNORED for keys the console's own bindings should see. */
int
scr_wizard_key(struct console *c, int key)
{
	struct con_wizard *z = c->wiz;
	int r;

	if (z == NULL)
		return W_IGNORED;
	if (z->page <= WIZ__FORMS) {
		r = w_form_key(z->form[z->page], key);
		if (r & W_CANCEL) {
			if (z->page == WIZ_CA)
				leave(c);
			else
				z->page--;
		} else if (r & W_SUBMIT) {
			z->page++;
			if (z->page == WIZ_REVIEW)
				review(c);
		}
		return W_HANDLED;
	}
	switch (z->page) {
	case WIZ_REVIEW:
		if (key == W_KEY_ESC) {
			z->page = WIZ_LEAF;
			return W_HANDLED;
		}
		if (z->ok && !z->conflicts && (key == '\n' || key == '\r' ||
		    key == KEY_ENTER)) {
			run(c, false);
			return W_HANDLED;
		}
		if (z->ok && z->conflicts && key == 'F') {
			run(c, true);
			return W_HANDLED;
		}
		break;
	case WIZ_RUN:
		if (key == W_KEY_ESC) {
			/* The job goes on; its result shows in the jobs. */
			leave(c);
			return W_HANDLED;
		}
		break;
	default:
		if (key == W_KEY_ESC) {
			leave(c);
			return W_HANDLED;
		}
		break;
	}
	r = w_text_key(z->text, key);
	return r;
}

void
scr_wizard_hints(struct console *c)
{
	static const struct w_keyhint form[] = {
		{ "Tab", "Next field" }, { "Enter", "Next page" },
		{ "Esc", "Back" }, { "<- ->", "Choose" },
	};
	static const struct w_keyhint rev[] = {
		{ "Enter", "Write+issue" }, { "Esc", "Back" }, { "j", "Jobs" },
		{ "q", "Quit" },
	};
	static const struct w_keyhint force[] = {
		{ "F", "Replace+issue" }, { "Esc", "Back" }, { "j", "Jobs" },
		{ "q", "Quit" },
	};
	static const struct w_keyhint fix[] = {
		{ "Esc", "Back to fix" }, { "j", "Jobs" }, { "q", "Quit" },
	};
	static const struct w_keyhint after[] = {
		{ "Esc", "Services" }, { "j", "Jobs" }, { "?", "Help" },
		{ "q", "Quit" },
	};
	struct con_wizard *z = c->wiz;

	if (z != NULL && z->page <= WIZ__FORMS)
		w_keybar_set(c->kb, form, sizeof(form) / sizeof(form[0]));
	else if (z != NULL && z->page == WIZ_REVIEW && z->ok && z->conflicts)
		w_keybar_set(c->kb, force, sizeof(force) / sizeof(force[0]));
	else if (z != NULL && z->page == WIZ_REVIEW && z->ok)
		w_keybar_set(c->kb, rev, sizeof(rev) / sizeof(rev[0]));
	else if (z != NULL && z->page == WIZ_REVIEW)
		w_keybar_set(c->kb, fix, sizeof(fix) / sizeof(fix[0]));
	else
		w_keybar_set(c->kb, after, sizeof(after) / sizeof(after[0]));
}

/*
 * True once, on the first status read of a topdir without a CA of its
 * own (or without a configuration at all): the console then offers the
 * wizard in its status bar.
 */
bool
scr_wizard_offer(const struct console *c)
{
	static bool offered;

	if (offered || c->screen == CON_SCR_WIZARD)
		return false;
	offered = true;
	if (c->cfg != NULL)
		for (size_t i = 0; i < c->cfg->n_cas; i++)
			if (c->cfg->cas[i].kind == SSLM_CA_LOCAL)
				return false;
	return true;
}
