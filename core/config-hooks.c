/*
 * config-hooks.c - the keys of ours that name commands or ports: notify_cmd
 * and the deploy hooks (on_renew, on_roll, on_prod_copy) in [globals] and
 * in service files, and a service's verify_ports.  Commands become argv
 * here, so nothing later ever needs a shell.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-priv.h"
#include "config.h"
#include "exec.h"
#include "util.h"

#define DEF	"  (default)"

int
cfg_cmd(struct cfg_ctx *c, const struct toml_kv *kv, struct strlist *argv)
{
	struct strlist l = { NULL, 0, 0 };

	if (kv->val->type == TOML_STRING)
		exec_split(kv->val->u.s, &l);
	else if (cfg_strlist(c, kv, false, &l) == -1)
		return -1;
	if (l.n == 0 || *l.v[0] == '\0') {
		sslm_diag_error(c->diag, c->file, kv->line, "%s%s%s: no "
		    "command", c->section, *c->section ? " " : "", kv->key);
		strlist_clear(&l);
		return -1;
	}
	strlist_clear(argv);
	*argv = l;
	return 0;
}

bool
cfg_hook_key(struct cfg_ctx *c, const struct toml_kv *kv,
    struct sslm_hooks *h)
{
	if (strcmp(kv->key, "on_renew") == 0)
		(void)cfg_cmd(c, kv, &h->on_renew);
	else if (strcmp(kv->key, "on_roll") == 0)
		(void)cfg_cmd(c, kv, &h->on_roll);
	else if (strcmp(kv->key, "on_prod_copy") == 0)
		(void)cfg_cmd(c, kv, &h->on_prod_copy);
	else
		return false;
	return true;
}

void
sslm_hooks_free(struct sslm_hooks *h)
{
	strlist_clear(&h->on_renew);
	strlist_clear(&h->on_roll);
	strlist_clear(&h->on_prod_copy);
}

static const char *const starttls_names[] = {
	"", "smtp", "imap", "pop3", NULL
};

const char *
sslm_starttls_name(enum sslm_starttls t)
{
	return t <= SSLM_STARTTLS_POP3 ? starttls_names[t] : "";
}

/* One entry: 443, [443] or [25, 'smtp']; false after the error. */
static bool
vport(struct cfg_ctx *c, const struct toml_value *e, size_t i,
    struct sslm_vport *out)
{
	const struct toml_value *p = e, *t = NULL;

	if (e->type == TOML_ARRAY) {
		if (e->u.arr.n < 1 || e->u.arr.n > 2) {
			sslm_diag_error(c->diag, c->file, e->line,
			    "verify_ports[%zu] must be a port or [port] or "
			    "[port, 'smtp'|'imap'|'pop3']", i);
			return false;
		}
		p = e->u.arr.items[0];
		if (e->u.arr.n == 2)
			t = e->u.arr.items[1];
	}
	if (p->type != TOML_INTEGER || p->u.i < 1 || p->u.i > 65535) {
		sslm_diag_error(c->diag, c->file, p->line, "verify_ports[%zu]: "
		    "the port must be an integer 1-65535", i);
		return false;
	}
	out->port = (int)p->u.i;
	out->starttls = SSLM_STARTTLS_NONE;
	if (t == NULL)
		return true;
	if (t->type == TOML_STRING)
		for (int k = 1; starttls_names[k] != NULL; k++)
			if (str_ieq(t->u.s, starttls_names[k])) {
				out->starttls = (enum sslm_starttls)k;
				return true;
			}
	sslm_diag_error(c->diag, c->file, t->line, "verify_ports[%zu]: the "
	    "STARTTLS protocol must be one of smtp, imap, pop3", i);
	return false;
}

void
cfg_verify_ports(struct cfg_ctx *c, const struct toml_kv *kv,
    struct sslm_service_cfg *s)
{
	const struct toml_value *v = kv->val;
	struct sslm_vport p;

	if (v->type != TOML_ARRAY) {
		cfg_type_error(c, kv, "list of ports and [port, 'smtp'|'imap'|"
		    "'pop3']");
		return;
	}
	free(s->vports);
	s->vports = NULL;
	s->n_vports = 0;
	s->has_vports = true;
	for (size_t i = 0; i < v->u.arr.n; i++) {
		if (!vport(c, v->u.arr.items[i], i, &p))
			continue;
		s->vports = xreallocarray(s->vports, s->n_vports + 1,
		    sizeof(*s->vports));
		s->vports[s->n_vports++] = p;
	}
}

static void
vport_add(struct sslm_vport **v, size_t *n, int port, enum sslm_starttls t)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].port == port)
			return;
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].port = port;
	(*v)[*n].starttls = t;
	(*n)++;
}

size_t
sslm_service_vports(const struct sslm_service_cfg *s, struct sslm_vport **out)
{
	struct sslm_vport *v = NULL;
	size_t n = 0;
	enum sslm_starttls t;

	if (s->has_vports) {
		for (size_t i = 0; i < s->n_vports; i++)
			vport_add(&v, &n, s->vports[i].port,
			    s->vports[i].starttls);
	} else if (s->n_dane > 0) {
		/* The ports DANE publishes for are the ones that matter. */
		for (size_t i = 0; i < s->n_dane; i++) {
			if (strcmp(s->dane[i].proto, "tcp") != 0)
				continue;
			switch (s->dane[i].port) {
			case 25:
			case 587:
				t = SSLM_STARTTLS_SMTP;
				break;
			case 143:
				t = SSLM_STARTTLS_IMAP;
				break;
			case 110:
				t = SSLM_STARTTLS_POP3;
				break;
			default:
				t = SSLM_STARTTLS_NONE;
				break;
			}
			vport_add(&v, &n, s->dane[i].port, t);
		}
	}
	if (n == 0 && !s->has_vports)
		vport_add(&v, &n, 443, SSLM_STARTTLS_NONE);
	*out = v;
	return n;
}

void
cfg_dump_cmd(struct buf *b, const char *key, const struct strlist *argv)
{
	(void)buf_printf(b, "%s = [", key);
	for (size_t i = 0; i < argv->n; i++) {
		(void)buf_printf(b, "%s\"", i ? ", " : "");
		for (const char *p = argv->v[i]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				(void)buf_printf(b, "\\%c", *p);
			else if ((unsigned char)*p < 0x20 || *p == 0x7f)
				(void)buf_printf(b, "\\u%04x",
				    (unsigned char)*p);
			else
				(void)buf_printf(b, "%c", *p);
		}
		(void)buf_printf(b, "\"");
	}
	(void)buf_printf(b, "]%s\n", argv->n == 0 ? DEF : "");
}

void
cfg_dump_hooks(struct buf *b, const struct sslm_hooks *h)
{
	cfg_dump_cmd(b, "on_renew", &h->on_renew);
	cfg_dump_cmd(b, "on_roll", &h->on_roll);
	cfg_dump_cmd(b, "on_prod_copy", &h->on_prod_copy);
}
