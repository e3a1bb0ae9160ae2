/*
 * ca-init-plan.c - which files the private-CA set-up writes, compared
 * with what is on disk, and the writing itself (see ca-init.h).
 *
 * Invariant: an existing ssl-mgr.conf or ca-info.conf is only added to
 * (a table appended, names added to a group's services list) and every
 * edited text is parsed again before it is offered, so what we write
 * always loads; anything we cannot add to safely is a CONFLICT that the
 * user resolves by hand.  Service files are compared byte for byte.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ca-init.h"
#include "err.h"
#include "store.h"
#include "toml.h"

#define CONF_MAX	(4 * 1024 * 1024)
#define CONF_MODE	0644

static struct ca_init_file *
plan_add(struct ca_init_plan *p, const char *topdir, const char *rel)
{
	struct ca_init_file *f;

	p->f = xreallocarray(p->f, p->n + 1, sizeof(*p->f));
	f = &p->f[p->n++];
	memset(f, 0, sizeof(*f));
	f->rel = xstrdup(rel);
	f->path = path_join(topdir, rel);
	return f;
}

/* A service file: new, identical or in conflict. */
static int
plan_whole(struct ca_init_plan *p, const char *topdir, char *rel,
    char *text, char **err)
{
	struct ca_init_file *f = plan_add(p, topdir, rel);
	char *old = NULL;
	int r;

	free(rel);
	f->text = text;
	r = read_file(f->path, CONF_MAX, &old, NULL);
	if (r == SSLM_ERR_NOTFOUND) {
		f->state = CA_INIT_NEW;
		return 0;
	}
	if (r != 0) {
		*err = xasprintf("%s: cannot read: %s", f->path,
		    sslm_strerror(r));
		return r;
	}
	if (strcmp(old, text) == 0)
		f->state = CA_INIT_SAME;
	else {
		f->state = CA_INIT_CONFLICT;
		f->note = xstrdup("exists with other content (--force "
		    "replaces it)");
	}
	free(old);
	return 0;
}

/* Appends s to *text, after a newline if *text does not end in one. */
static void
append(char **text, const char *s)
{
	size_t n = strlen(*text);
	char *t = xasprintf("%s%s%s", *text, n > 0 && (*text)[n - 1] != '\n' ?
	    "\n" : "", s);

	free(*text);
	*text = t;
}

static void note_add(struct ca_init_file *, const char *, ...)
    SSLM_PRINTF(2, 3);

/* Adds "; what" to the file's note. */
static void
note_add(struct ca_init_file *f, const char *fmt, ...)
{
	va_list ap;
	char *s, *n;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if (f->note == NULL) {
		f->note = s;
		return;
	}
	n = xasprintf("%s; %s", f->note, s);
	free(f->note);
	free(s);
	f->note = n;
}

static void
plan_cainfo(struct ca_init_plan *p, const char *topdir,
    const struct ca_init *a, char *old, const struct toml_value *root)
{
	struct ca_init_file *f = plan_add(p, topdir, "conf.d/ca-info.conf");
	const char *names[2] = { a->root, a->intr };
	char *add;

	f->text = old;
	for (int i = 0; i < 2; i++) {
		const struct toml_value *t = toml_get(root, names[i]);
		const struct toml_value *ty;

		if (t == NULL) {
			add = i == 0 ? xasprintf("\n[%s]\n    ca_desc = "
			    "'Private root CA (self signed)'\n    ca_type = "
			    "'self'\n", names[i]) : xasprintf("\n[%s]\n"
			    "    ca_desc = 'Intermediate CA, signed by %s'\n"
			    "    ca_type = 'local'\n", names[i], a->root);
			append(&f->text, add);
			free(add);
			note_add(f, "adds [%s]", names[i]);
			continue;
		}
		ty = t->type == TOML_TABLE ? toml_get(t, "ca_type") : NULL;
		if (ty == NULL || ty->type != TOML_STRING ||
		    !(str_ieq(ty->u.s, "self") || str_ieq(ty->u.s, "local"))) {
			f->state = CA_INIT_CONFLICT;
			note_add(f, "[%s] exists and is not a local CA "
			    "(ca_type self or local)", names[i]);
		}
	}
	if (f->state != CA_INIT_CONFLICT)
		f->state = f->note != NULL ? CA_INIT_UPDATE : CA_INIT_SAME;
}

/* The [[groups]] table whose domain is grp, or NULL. */
static const struct toml_value *
find_group(const struct toml_value *root, const char *grp)
{
	const struct toml_value *g = toml_get(root, "groups"), *d;

	if (g == NULL || g->type != TOML_ARRAY)
		return NULL;
	for (size_t i = 0; i < g->u.arr.n; i++) {
		if (g->u.arr.items[i]->type != TOML_TABLE)
			continue;
		d = toml_get(g->u.arr.items[i], "domain");
		if (d != NULL && d->type == TOML_STRING &&
		    str_ieq(d->u.s, grp))
			return g->u.arr.items[i];
	}
	return NULL;
}

/* The wanted services the group's list lacks (none when it says ALL). */
static void
missing_services(const struct toml_value *svcs, const struct strlist *want,
    struct strlist *out)
{
	for (size_t i = 0; svcs != NULL && svcs->type == TOML_ARRAY &&
	    i < svcs->u.arr.n; i++) {
		const struct toml_value *v = svcs->u.arr.items[i];

		if (v->type == TOML_STRING && (strcmp(v->u.s, "ALL") == 0 ||
		    strcmp(v->u.s, "*") == 0))
			return;
	}
	for (size_t i = 0; i < want->n; i++) {
		bool have = false;

		for (size_t k = 0; svcs != NULL && svcs->type == TOML_ARRAY &&
		    k < svcs->u.arr.n; k++) {
			const struct toml_value *v = svcs->u.arr.items[k];

			if (v->type == TOML_STRING &&
			    strcmp(v->u.s, want->v[i]) == 0)
				have = true;
		}
		if (!have)
			strlist_add(out, want->v[i]);
	}
}

/*
 * Offset just after the last item (or trailing comma, or '[') of the
 * array that the key on line `line` holds; *lastc is that character.
 * -1 when the text is not what
 * we expect (then the caller reports a conflict).
 */
static long
array_end(const char *text, int line, char *lastc)
{
	const char *p = text, *last = NULL;
	int depth = 0;

	for (int l = 1; l < line && *p != '\0'; p++)
		if (*p == '\n')
			l++;
	if ((p = strchr(p, '=')) == NULL)
		return -1;
	for (p++; *p == ' ' || *p == '\t'; p++)
		;
	if (*p != '[')
		return -1;
	last = p;
	for (; *p != '\0'; p++) {
		switch (*p) {
		case '[':
			depth++;
			break;
		case ']':
			if (--depth == 0) {
				*lastc = *last;
				return (long)(last - text) + 1;
			}
			break;
		case '#':
			while (p[1] != '\0' && p[1] != '\n')
				p++;
			continue;
		case '\'':
		case '"':
			for (char q = *p++; *p != q; p++) {
				if (*p == '\0' || *p == '\n')
					return -1;
				if (q == '"' && *p == '\\' && p[1] != '\0')
					p++;
			}
			break;
		case ' ': case '\t': case '\r': case '\n':
			continue;
		}
		last = p;
	}
	return -1;
}

/* Adds the services to grp's list, or appends a new [[groups]] table. */
static int
add_group(char **text, const char *grp, const struct strlist *want,
    struct ca_init_file *f)
{
	struct toml_value *root = NULL;
	const struct toml_value *g, *act;
	const struct toml_kv *kv;
	struct strlist miss = { 0 };
	struct buf b;
	char *err = NULL, *t;
	char lastc = '[';
	long off;
	int r = 0;

	buf_init(&b, CONF_MAX);
	if (toml_parse(*text, strlen(*text), "ssl-mgr.conf", &root, &err) != 0)
		goto conflict;
	if ((g = find_group(root, grp)) == NULL) {
		(void)buf_printf(&b, "\n[[groups]]\n    domain = '%s'\n"
		    "    services = [", grp);
		for (size_t i = 0; i < want->n; i++)
			(void)buf_printf(&b, "%s'%s'", i ? ", " : "",
			    want->v[i]);
		(void)buf_printf(&b, "]\n    active = true\n");
		append(text, b.p);
		note_add(f, "adds group '%s'", grp);
		goto out;
	}
	act = toml_get(g, "active");
	if (act != NULL && act->type == TOML_BOOL && !act->u.b)
		note_add(f, "group '%s' has active = false: cron runs skip "
		    "it", grp);
	kv = toml_get_kv(g, "services");
	missing_services(kv ? kv->val : NULL, want, &miss);
	if (miss.n == 0)
		goto out;
	if (kv == NULL || (off = array_end(*text, kv->line, &lastc)) < 0)
		goto conflict;
	for (size_t i = 0; i < miss.n; i++)
		(void)buf_printf(&b, "%s'%s'", i > 0 || (lastc != '[' &&
		    lastc != ',') ? ", " : lastc == ',' ? " " : "", miss.v[i]);
	t = xasprintf("%.*s%s%s", (int)off, *text, b.p, *text + off);
	free(*text);
	*text = t;
	note_add(f, "adds services to group '%s'", grp);
	goto out;
conflict:
	f->state = CA_INIT_CONFLICT;
	note_add(f, "cannot add to group '%s' safely: edit it by hand", grp);
	r = -1;
out:
	buf_free(&b);
	strlist_clear(&miss);
	toml_free(root);
	free(err);
	return r;
}

/* True when every group of the answers lists its services in text. */
static bool
groups_ok(const char *text, const struct ca_init *a)
{
	struct toml_value *root = NULL;
	char *err = NULL;
	bool ok = true;

	if (toml_parse(text, strlen(text), "ssl-mgr.conf", &root, &err) != 0) {
		free(err);
		return false;
	}
	for (size_t i = 0; i <= a->n_leaves && ok; i++) {
		const char *grp = i == 0 ? "ca" : a->leaves[i - 1].grp;
		const struct toml_value *g = find_group(root, grp);
		struct strlist want = { 0 }, miss = { 0 };

		if (i == 0) {
			strlist_add(&want, a->root);
			strlist_add(&want, a->intr);
		} else
			strlist_add(&want, a->leaves[i - 1].svc);
		if (g == NULL)
			ok = false;
		else
			missing_services(toml_get(g, "services"), &want, &miss);
		ok = ok && miss.n == 0;
		strlist_clear(&want);
		strlist_clear(&miss);
	}
	toml_free(root);
	return ok;
}

static void
plan_sslmgr(struct ca_init_plan *p, const char *topdir,
    const struct ca_init *a, char *old)
{
	struct ca_init_file *f = plan_add(p, topdir, "conf.d/ssl-mgr.conf");
	struct strlist want = { 0 }, done = { 0 };
	char *orig = xstrdup(old);

	f->text = old;
	strlist_add(&want, a->root);
	strlist_add(&want, a->intr);
	if (add_group(&f->text, "ca", &want, f) != 0)
		goto out;
	for (size_t i = 0; i < a->n_leaves; i++) {
		const char *grp = a->leaves[i].grp;

		if (strlist_has(&done, grp))
			continue;
		strlist_add(&done, grp);
		strlist_clear(&want);
		for (size_t k = i; k < a->n_leaves; k++)
			if (strcmp(a->leaves[k].grp, grp) == 0)
				strlist_add(&want, a->leaves[k].svc);
		if (add_group(&f->text, grp, &want, f) != 0)
			goto out;
	}
	if (!groups_ok(f->text, a)) {
		f->state = CA_INIT_CONFLICT;
		note_add(f, "%s", "the groups cannot be added safely: edit "
		    "them by hand");
		goto out;
	}
	/* A note alone (an inactive group) changes nothing. */
	f->state = strcmp(orig, f->text) != 0 ? CA_INIT_UPDATE : CA_INIT_SAME;
out:
	strlist_clear(&want);
	strlist_clear(&done);
	free(orig);
}

/* ssl-mgr.conf or ca-info.conf: new, or what to add to the old one. */
static int
plan_conf(struct ca_init_plan *p, const char *topdir,
    const struct ca_init *a, bool sslmgr, char **err)
{
	const char *rel = sslmgr ? "conf.d/ssl-mgr.conf" :
	    "conf.d/ca-info.conf";
	char *path = path_join(topdir, rel), *old = NULL, *perr = NULL;
	struct toml_value *root = NULL;
	struct ca_init_file *f;
	int r;

	r = read_file(path, CONF_MAX, &old, NULL);
	if (r == SSLM_ERR_NOTFOUND) {
		f = plan_add(p, topdir, rel);
		f->state = CA_INIT_NEW;
		f->text = sslmgr ? ca_init_sslmgr_text(a) :
		    ca_init_cainfo_text(a);
		r = 0;
		goto out;
	}
	if (r != 0) {
		*err = xasprintf("%s: cannot read: %s", path, sslm_strerror(r));
		goto out;
	}
	if (toml_parse(old, strlen(old), path, &root, &perr) != 0) {
		*err = xasprintf("%s (fix it first)", perr);
		r = SSLM_ERR_CONFIG;
		goto out;
	}
	if (sslmgr)
		plan_sslmgr(p, topdir, a, old);
	else
		plan_cainfo(p, topdir, a, old, root);
	old = NULL;
out:
	toml_free(root);
	free(perr);
	free(old);
	free(path);
	return r;
}

int
ca_init_plan(const char *topdir, const struct ca_init *a,
    struct ca_init_plan *plan, char **err)
{
	struct ca_init_plan p = { 0 };
	int r;

	*err = NULL;
	if ((r = plan_whole(&p, topdir, xasprintf("conf.d/ca/%s", a->root),
	    ca_init_root_text(a), err)) != 0)
		goto fail;
	if ((r = plan_whole(&p, topdir, xasprintf("conf.d/ca/%s", a->intr),
	    ca_init_int_text(a), err)) != 0)
		goto fail;
	for (size_t i = 0; i < a->n_leaves; i++)
		if ((r = plan_whole(&p, topdir, xasprintf("conf.d/%s/%s",
		    a->leaves[i].grp, a->leaves[i].svc),
		    ca_init_leaf_text(a, &a->leaves[i]), err)) != 0)
			goto fail;
	if ((r = plan_conf(&p, topdir, a, false, err)) != 0 ||
	    (r = plan_conf(&p, topdir, a, true, err)) != 0)
		goto fail;
	*plan = p;
	return 0;
fail:
	ca_init_plan_free(&p);
	return r;
}

void
ca_init_plan_free(struct ca_init_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->f[i].rel);
		free(p->f[i].path);
		free(p->f[i].text);
		free(p->f[i].note);
	}
	free(p->f);
	p->f = NULL;
	p->n = 0;
}

size_t
ca_init_plan_count(const struct ca_init_plan *p, enum ca_init_state s)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += p->f[i].state == s;
	return n;
}

const char *
ca_init_state_name(enum ca_init_state s)
{
	switch (s) {
	case CA_INIT_NEW:
		return "new";
	case CA_INIT_SAME:
		return "unchanged";
	case CA_INIT_UPDATE:
		return "add to";
	case CA_INIT_CONFLICT:
		return "CONFLICT";
	}
	return "?";
}

void
ca_init_plan_text(const struct ca_init_plan *p, struct buf *b)
{
	for (size_t i = 0; i < p->n; i++) {
		(void)buf_printf(b, "  %-10s %s\n",
		    ca_init_state_name(p->f[i].state), p->f[i].rel);
		if (p->f[i].note != NULL)
			(void)buf_printf(b, "             %s\n", p->f[i].note);
	}
}

void
ca_init_plan_show(const struct ca_init_plan *p, struct buf *b)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct ca_init_file *f = &p->f[i];
		size_t n = strlen(f->text);

		if (f->state == CA_INIT_SAME)
			continue;
		(void)buf_printf(b, "--- %s (%s)\n%s%s", f->rel,
		    ca_init_state_name(f->state), f->text,
		    n > 0 && f->text[n - 1] != '\n' ? "\n" : "");
	}
}

/* Only whole service files may be replaced; the shared confs never. */
static bool
forceable(const struct ca_init_file *f)
{
	return strcmp(f->rel, "conf.d/ssl-mgr.conf") != 0 &&
	    strcmp(f->rel, "conf.d/ca-info.conf") != 0;
}

size_t
ca_init_plan_refused(const struct ca_init_plan *p, bool force)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += p->f[i].state == CA_INIT_CONFLICT &&
		    (!force || !forceable(&p->f[i]));
	return n;
}

int
ca_init_write(const struct ca_init_plan *p, bool force, char **err)
{
	int r;

	*err = NULL;
	for (size_t i = 0; i < p->n; i++)
		if (p->f[i].state == CA_INIT_CONFLICT &&
		    (!force || !forceable(&p->f[i]))) {
			*err = xasprintf("%s: %s: nothing written",
			    p->f[i].path, p->f[i].note ? p->f[i].note :
			    "conflict");
			return SSLM_ERR_STATE;
		}
	/* The service files first, the groups last: an interrupted run
	 * never leaves a group naming a file that is not there. */
	for (size_t i = 0; i < p->n; i++) {
		const struct ca_init_file *f = &p->f[i];

		if (f->state == CA_INIT_SAME)
			continue;
		if ((r = store_write_file(f->path, f->text, strlen(f->text),
		    CONF_MODE)) != 0) {
			*err = xasprintf("%s: cannot write: %s", f->path,
			    sslm_strerror(r));
			return r;
		}
	}
	return 0;
}
