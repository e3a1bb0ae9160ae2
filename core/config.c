/*
 * config.c - reads conf.d/ssl-mgr.conf into a struct sslm_config (spec §1,
 * §3), then ca-info.conf (config-svc.c).  topdir.c finds the top directory.
 *
 * Every problem becomes a "file:line: message" diagnostic; nothing is
 * printed and nothing stops at the first error, so check-config can show
 * all of them.  A wrong type is an error, an unknown key or table only a
 * warning: old configs carry keys we do not know and must keep working.
 * Relative paths are stored resolved against the topdir.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-priv.h"
#include "config.h"
#include "err.h"
#include "renew.h"
#include "toml.h"
#include "util.h"

static const char *const kind_names[SSLM_SRV__MAX] = {
	[SSLM_SRV_SMTP] = "smtp", [SSLM_SRV_IMAP] = "imap",
	[SSLM_SRV_WEB] = "web", [SSLM_SRV_OTHER] = "other",
	[SSLM_SRV_DNS] = "dns"
};

static const char *const sections[SSLM_SRV__MAX] = {
	[SSLM_SRV_SMTP] = "[smtp]", [SSLM_SRV_IMAP] = "[imap]",
	[SSLM_SRV_WEB] = "[web]", [SSLM_SRV_OTHER] = "[other]",
	[SSLM_SRV_DNS] = "[dns]"
};

/* Upstream's command line destinations: as config keys they never had an
 * effect in sslm-mgr (spec §2.2), so they get their own warning. */
static const char *const cli_dests[] = {
	"clean_all", "debug", "dns_refresh", "force", "dry_run", "reuse",
	"renew", "roll", "status", "test", NULL
};

static void
set_path(struct cfg_ctx *c, const struct toml_kv *kv, char **dst)
{
	char *s = NULL;

	if (cfg_str(c, kv, &s) == -1)
		return;
	free(*dst);
	*dst = cfg_path(c->topdir, s);
	free(s);
}

static void
set_paths(struct cfg_ctx *c, const struct toml_kv *kv, struct strlist *dst)
{
	struct strlist l = { NULL, 0, 0 };

	if (cfg_strlist(c, kv, true, &l) == -1)
		return;
	strlist_clear(dst);
	for (size_t i = 0; i < l.n; i++)
		strlist_add_nodup(dst, cfg_path(c->topdir, l.v[i]));
	strlist_clear(&l);
}

static void
post_copy(struct cfg_ctx *c, struct sslm_config *cfg,
    const struct toml_kv *kv)
{
	const struct toml_value *v = kv->val, *e;

	/* A later post_copy_cmd replaces an earlier one, like any key. */
	for (size_t i = 0; i < cfg->n_post_copy; i++) {
		free(cfg->post_copy[i].host);
		free(cfg->post_copy[i].cmd);
	}
	cfg->n_post_copy = 0;
	if (v->type != TOML_ARRAY) {
		sslm_diag_error(c->diag, c->file, kv->line,
		    "post_copy_cmd must be a list of [host, cmd], got %s",
		    toml_type_name(v->type));
		return;
	}
	for (size_t i = 0; i < v->u.arr.n; i++) {
		e = v->u.arr.items[i];
		if (e->type != TOML_ARRAY || e->u.arr.n != 2 ||
		    e->u.arr.items[0]->type != TOML_STRING ||
		    e->u.arr.items[1]->type != TOML_STRING ||
		    *e->u.arr.items[0]->u.s == '\0' ||
		    *e->u.arr.items[1]->u.s == '\0') {
			sslm_diag_error(c->diag, c->file, e->line,
			    "post_copy_cmd[%zu] must be [host, cmd] (two "
			    "non-empty strings)", i);
			continue;
		}
		cfg->post_copy = xreallocarray(cfg->post_copy,
		    cfg->n_post_copy + 1, sizeof(*cfg->post_copy));
		cfg->post_copy[cfg->n_post_copy].host =
		    xstrdup(e->u.arr.items[0]->u.s);
		cfg->post_copy[cfg->n_post_copy].cmd =
		    xstrdup(e->u.arr.items[1]->u.s);
		cfg->n_post_copy++;
	}
}

/* Lines of keys the end of the load looks at again. */
struct load_state {
	int	renew_days_line;
	bool	explicit_adj90;
	bool	saw_groups;
};

static void
global_key(struct cfg_ctx *c, struct sslm_config *cfg,
    const struct toml_kv *kv, struct load_state *ls)
{
	const char *k = kv->key;
	int iv;

	if (strcmp(k, "sslm_auth_hook") == 0)
		set_path(c, kv, &cfg->sslm_auth_hook);
	else if (strcmp(k, "prod_cert_dir") == 0) {
		if (kv->val->type == TOML_STRING && *kv->val->u.s == '\0')
			sslm_diag_error(c->diag, c->file, kv->line,
			    "prod_cert_dir must not be empty");
		else
			set_path(c, kv, &cfg->prod_cert_dir);
	} else if (strcmp(k, "logdir") == 0)
		set_path(c, kv, &cfg->logdir);
	else if (strcmp(k, "clean_keep") == 0) {
		if (cfg_int(c, kv, INT_MIN, INT_MAX, false, &iv) == -1)
			return;
		if (iv < 1) {
			sslm_diag_warn(c->diag, c->file, kv->line,
			    "clean_keep %d too small, using 1", iv);
			iv = 1;
		}
		cfg->clean_keep = iv;
	} else if (strcmp(k, "min_roll_mins") == 0) {
		if (kv->val->type == TOML_INTEGER && kv->val->u.i < 0)
			sslm_diag_error(c->diag, c->file, kv->line,
			    "min_roll_mins must not be negative");
		else
			(void)cfg_int(c, kv, 0, INT_MAX, false,
			    &cfg->min_roll_mins);
	} else if (strcmp(k, "dns_check_delay") == 0)
		(void)cfg_int(c, kv, INT_MIN, INT_MAX, false,
		    &cfg->dns_check_delay);
	else if (strcmp(k, "dns_xtra_ns") == 0) {
		if (cfg_strlist(c, kv, false, &cfg->dns_xtra_ns) == -1)
			return;
		for (size_t i = 0; i < cfg->dns_xtra_ns.n; i++)
			if (!is_ip_literal(cfg->dns_xtra_ns.v[i]) &&
			    !cfg_valid_dns(cfg->dns_xtra_ns.v[i], false, true))
				sslm_diag_error(c->diag, c->file, kv->line,
				    "dns_xtra_ns: '%s' is not an IP address "
				    "or host name", cfg->dns_xtra_ns.v[i]);
	} else if (strcmp(k, "post_copy_cmd") == 0)
		post_copy(c, cfg, kv);
	else if (strcmp(k, "renew_expire_days") == 0) {
		if (cfg_num(c, kv, &cfg->renew_expire_days) == -1)
			return;
		if (cfg->renew_expire_days < 0) {
			sslm_diag_error(c->diag, c->file, kv->line,
			    "renew_expire_days must not be negative");
			return;
		}
		cfg->has_renew_expire_days = true;
		ls->renew_days_line = kv->line;
	} else if (strcmp(k, "renew_expire_days_spread") == 0) {
		if (cfg_num(c, kv, &cfg->renew_expire_days_spread) == -1)
			return;
		if (cfg->renew_expire_days_spread < 0) {
			sslm_diag_error(c->diag, c->file, kv->line,
			    "renew_expire_days_spread must not be negative");
			return;
		}
		cfg->has_renew_expire_days_spread = true;
	} else if (strcmp(k, "verb") == 0)
		(void)cfg_bool(c, kv, &cfg->verb);
	else if (strcmp(k, "dns_wait_limit") == 0)
		(void)cfg_int(c, kv, 1, 86400, false, &cfg->dns_wait_limit);
	else if (strcmp(k, "dns_ns_port") == 0)
		(void)cfg_int(c, kv, 1, 65535, false, &cfg->dns_ns_port);
	else if (strcmp(k, "ssh_opts") == 0)
		(void)cfg_strlist(c, kv, false, &cfg->ssh_opts);
	else if (strcmp(k, "dane_roll_gate") == 0)
		(void)cfg_bool(c, kv, &cfg->dane_roll_gate);
	else if (strcmp(k, "notify_cmd") == 0)
		(void)cfg_cmd(c, kv, &cfg->notify_cmd);
	else if (cfg_hook_key(c, kv, &cfg->hooks))
		return;
	else if (strcmp(k, "preferred_acme_profile") == 0) {
		char *s = NULL;

		if (cfg_str(c, kv, &s) == 0)
			sslm_diag_warn(c->diag, c->file, kv->line,
			    "preferred_acme_profile has no effect; set "
			    "ca_preferred_acme_profile in ca-info.conf");
		free(s);
	} else {
		for (size_t i = 0; cli_dests[i] != NULL; i++) {
			if (strcmp(k, cli_dests[i]) == 0) {
				sslm_diag_warn(c->diag, c->file, kv->line,
				    "'%s' in [globals] has no effect (it is "
				    "a command line option)", k);
				return;
			}
		}
		cfg_unknown_key(c, kv);
	}
}

static void
group_item(struct cfg_ctx *c, struct sslm_config *cfg,
    const struct toml_value *t)
{
	struct sslm_group_cfg g;
	const struct toml_kv *kv;
	bool bad = false, has_svcs = false;

	memset(&g, 0, sizeof(g));
	g.line = t->line;
	for (size_t i = 0; i < t->u.tab.n; i++) {
		kv = &t->u.tab.kv[i];
		if (strcmp(kv->key, "domain") == 0) {
			if (cfg_str(c, kv, &g.domain) == -1)
				bad = true;
			else if (!cfg_valid_group(g.domain)) {
				sslm_diag_error(c->diag, c->file, kv->line,
				    "[[groups]] domain '%s' is not a valid "
				    "name", g.domain);
				bad = true;
			}
		} else if (strcmp(kv->key, "services") == 0) {
			if (cfg_strlist(c, kv, true, &g.services) == -1) {
				bad = true;
				continue;
			}
			has_svcs = true;
			for (size_t j = 0; j < g.services.n; j++) {
				if (cfg_valid_svc(g.services.v[j]))
					continue;
				sslm_diag_error(c->diag, c->file, kv->line,
				    "[[groups]] service '%s' is not a valid "
				    "name", g.services.v[j]);
				bad = true;
			}
		} else if (strcmp(kv->key, "active") == 0) {
			if (cfg_bool(c, kv, &g.active) == -1)
				bad = true;
		} else
			cfg_unknown_key(c, kv);
	}
	if (!bad && g.active && (g.domain == NULL || !has_svcs ||
	    g.services.n == 0)) {
		sslm_diag_warn(c->diag, c->file, g.line, "active group "
		    "without %s: skipped", g.domain == NULL ? "domain" :
		    "services");
		bad = true;
	}
	if (bad || g.domain == NULL) {
		free(g.domain);
		strlist_clear(&g.services);
		return;
	}
	for (size_t i = 0; i < cfg->n_groups; i++)
		if (str_ieq(cfg->groups[i].domain, g.domain))
			sslm_diag_warn(c->diag, c->file, g.line, "group '%s' "
			    "is listed twice (also line %d)", g.domain,
			    cfg->groups[i].line);
	cfg->groups = xreallocarray(cfg->groups, cfg->n_groups + 1,
	    sizeof(*cfg->groups));
	cfg->groups[cfg->n_groups++] = g;
}

/* True when v is a non-empty array of tables (what [[x]] makes). */
static bool
is_table_array(const struct toml_value *v)
{
	if (v->type != TOML_ARRAY)
		return false;
	for (size_t i = 0; i < v->u.arr.n; i++)
		if (v->u.arr.items[i]->type != TOML_TABLE)
			return false;
	return true;
}

static void
dns_primary_item(struct cfg_ctx *c, struct sslm_config *cfg,
    const struct toml_value *t)
{
	struct sslm_dns_primary p;
	const struct toml_kv *kv;
	bool bad = false;

	memset(&p, 0, sizeof(p));
	p.line = t->line;
	p.port = CFG_DEF_DNS_PORT;
	for (size_t i = 0; i < t->u.tab.n; i++) {
		kv = &t->u.tab.kv[i];
		if (strcmp(kv->key, "domain") == 0) {
			if (cfg_str(c, kv, &p.domain) == -1)
				bad = true;
			else if (strcmp(p.domain, "*") != 0 &&
			    !cfg_valid_dns(p.domain, false, false)) {
				sslm_diag_error(c->diag, c->file, kv->line,
				    "[[dns_primary]] domain '%s' is not a "
				    "valid name", p.domain);
				bad = true;
			}
		} else if (strcmp(kv->key, "server") == 0) {
			if (cfg_str(c, kv, &p.server) == -1)
				bad = true;
			else if (!is_ip_literal(p.server) &&
			    !cfg_valid_dns(p.server, false, true)) {
				sslm_diag_error(c->diag, c->file, kv->line,
				    "[[dns_primary]] server '%s' is not an IP "
				    "address or host name", p.server);
				bad = true;
			}
		} else if (strcmp(kv->key, "port") == 0) {
			if (cfg_int(c, kv, 1, 65535, false, &p.port) == -1)
				bad = true;
		} else
			cfg_unknown_key(c, kv);
	}
	if (p.domain == NULL && !bad) {
		sslm_diag_error(c->diag, c->file, p.line,
		    "[[dns_primary]] missing domain");
		bad = true;
	}
	if (p.server == NULL && !bad) {
		sslm_diag_error(c->diag, c->file, p.line,
		    "[[dns_primary]] missing server");
		bad = true;
	}
	if (bad) {
		free(p.domain);
		free(p.server);
		return;
	}
	for (size_t i = 0; i < cfg->n_dns_primary; i++)
		if (str_ieq(cfg->dns_primary[i].domain, p.domain))
			sslm_diag_warn(c->diag, c->file, p.line,
			    "[[dns_primary]] '%s' repeats line %d; the first "
			    "is used", p.domain, cfg->dns_primary[i].line);
	cfg->dns_primary = xreallocarray(cfg->dns_primary,
	    cfg->n_dns_primary + 1, sizeof(*cfg->dns_primary));
	cfg->dns_primary[cfg->n_dns_primary++] = p;
}

static void
svc_depends(struct cfg_ctx *c, struct sslm_server_class *sc,
    const struct toml_kv *kv)
{
	const struct toml_value *v = kv->val, *e, *d, *s, *x;
	struct sslm_svc_dep dep;

	if (v->type != TOML_ARRAY) {
		cfg_type_error(c, kv, "list of [domain, [services]]");
		return;
	}
	for (size_t i = 0; i < v->u.arr.n; i++) {
		e = v->u.arr.items[i];
		d = e->type == TOML_ARRAY && e->u.arr.n == 2 ?
		    e->u.arr.items[0] : NULL;
		s = d != NULL ? e->u.arr.items[1] : NULL;
		if (d == NULL || d->type != TOML_STRING || *d->u.s == '\0' ||
		    (s->type != TOML_ARRAY && s->type != TOML_STRING)) {
			sslm_diag_error(c->diag, c->file, e->line,
			    "%s svc_depends[%zu] must be [domain, [services]]",
			    c->section, i);
			continue;
		}
		memset(&dep, 0, sizeof(dep));
		if (s->type == TOML_STRING)
			strlist_add(&dep.services, s->u.s);
		for (size_t j = 0; s->type == TOML_ARRAY && j < s->u.arr.n;
		    j++) {
			x = s->u.arr.items[j];
			if (x->type == TOML_STRING) {
				strlist_add(&dep.services, x->u.s);
				continue;
			}
			sslm_diag_error(c->diag, c->file, x->line,
			    "%s svc_depends[%zu]: services must be strings, "
			    "got %s", c->section, i, toml_type_name(x->type));
		}
		dep.domain = xstrdup(d->u.s);
		sc->svc_depends = xreallocarray(sc->svc_depends,
		    sc->n_svc_depends + 1, sizeof(*sc->svc_depends));
		sc->svc_depends[sc->n_svc_depends++] = dep;
	}
}

static void
server_class(struct cfg_ctx *c, struct sslm_server_class *sc,
    enum sslm_server_kind kind, const struct toml_kv *tkv)
{
	const struct toml_value *t = tkv->val;
	const struct toml_kv *kv;
	const char *k;

	sc->present = true;
	sc->line = tkv->line;
	for (size_t i = 0; i < t->u.tab.n; i++) {
		kv = &t->u.tab.kv[i];
		k = kv->key;
		if (strcmp(k, "servers") == 0)
			(void)cfg_strlist(c, kv, true, &sc->servers);
		else if (strcmp(k, "restart_cmd") == 0) {
			struct strlist l = { NULL, 0, 0 };

			if (cfg_strlist(c, kv, true, &l) == -1)
				continue;
			/* An empty command is how upstream's examples say
			 * "copy only, restart nothing". */
			strlist_clear(&sc->restart_cmd);
			for (size_t j = 0; j < l.n; j++)
				if (*str_trim(l.v[j]) != '\0')
					strlist_add(&sc->restart_cmd,
					    str_trim(l.v[j]));
			strlist_clear(&l);
		} else if (strcmp(k, "depends") == 0) {
			if (cfg_strlist(c, kv, true, &sc->depends) == -1)
				continue;
			for (size_t j = 0; j < sc->depends.n; j++)
				if (strcmp(sc->depends.v[j], "cert") != 0 &&
				    strcmp(sc->depends.v[j], "tlsa") != 0 &&
				    strcmp(sc->depends.v[j], "dns") != 0)
					sslm_diag_warn(c->diag, c->file,
					    kv->line, "%s depends: unknown "
					    "tag '%s' (cert, tlsa, dns)",
					    c->section, sc->depends.v[j]);
		} else if (strcmp(k, "svc_depends") == 0)
			svc_depends(c, sc, kv);
		else if (strcmp(k, "server_dir") == 0)
			set_path(c, kv, &sc->server_dir);
		else if (strcmp(k, "skip_prod_copy") == 0)
			(void)cfg_bool(c, kv, &sc->skip_prod_copy);
		else if (kind == SSLM_SRV_DNS && strcmp(k, "acme_dir") == 0)
			set_paths(c, kv, &sc->acme_dir);
		else if (kind == SSLM_SRV_DNS && strcmp(k, "tlsa_dirs") == 0)
			set_paths(c, kv, &sc->tlsa_dirs);
		else
			cfg_unknown_key(c, kv);
	}
}

/* "target_90" -> 90; false when the rest is not a number. */
static bool
curve_key(const char *k, const char *prefix, double *x)
{
	char *end;

	if (!str_has_prefix(k, prefix))
		return false;
	k += strlen(prefix);
	if (*k == '\0' || isspace((unsigned char)*k))
		return false;
	*x = strtod(k, &end);
	return *end == '\0' && isfinite(*x) && *x >= 0;
}

static void
renew_info(struct cfg_ctx *c, struct sslm_config *cfg,
    const struct toml_value *t, struct load_state *ls)
{
	const struct toml_kv *kv;
	double x, y;
	bool adj;

	for (size_t i = 0; i < t->u.tab.n; i++) {
		kv = &t->u.tab.kv[i];
		/* renew_*: the spelling upstream's own example used. */
		if (curve_key(kv->key, "target_", &x) ||
		    curve_key(kv->key, "renew_target_", &x))
			adj = false;
		else if (curve_key(kv->key, "rand_adj_", &x) ||
		    curve_key(kv->key, "renew_rand_adj_", &x))
			adj = true;
		else {
			cfg_unknown_key(c, kv);
			continue;
		}
		if (cfg_num(c, kv, &y) == -1)
			continue;
		if (y < 0 || y > 36600 || x > 36600) {
			sslm_diag_error(c->diag, c->file, kv->line,
			    "[renew_info] %s: days must be between 0 and 36600",
			    kv->key);
			continue;
		}
		renew_curve_set(adj ? &cfg->renew_adj : &cfg->renew_target,
		    x, y);
		if (adj && fabs(x - 90) <= 0.1)
			ls->explicit_adj90 = true;
		cfg->has_renew_info = true;
	}
}

/* The tables of ssl-mgr.conf that are not arrays of tables. */
static bool
is_table_name(const char *k)
{
	if (strcmp(k, "globals") == 0 || strcmp(k, "renew_info") == 0)
		return true;
	for (int i = 0; i < SSLM_SRV__MAX; i++)
		if (strcmp(k, kind_names[i]) == 0)
			return true;
	return false;
}

static void
load_main(struct sslm_config *cfg, struct sslm_diag *diag)
{
	struct cfg_ctx c;
	struct load_state ls;
	struct toml_value *root = NULL;
	const struct toml_kv *kv;
	const struct toml_value *v;
	char *path, *text = NULL, *err = NULL;
	size_t len;
	int r, k;

	memset(&ls, 0, sizeof(ls));
	path = path_join(cfg->conf_dir, "ssl-mgr.conf");
	c.file = path;
	c.topdir = cfg->topdir;
	c.diag = diag;
	if ((r = read_file(path, CFG_MAX_FILE, &text, &len)) != 0) {
		sslm_diag_error(diag, path, 0, "%s", r == SSLM_ERR_NOTFOUND ?
		    "missing" : sslm_strerror(r));
		goto out;
	}
	if (toml_parse(text, len, path, &root, &err) == -1) {
		sslm_diag_error(diag, NULL, 0, "%s", err);
		goto out;
	}
	if (root->u.tab.n == 0) {
		sslm_diag_warn(diag, path, 0, "empty: built-in defaults, "
		    "no groups");
		goto out;
	}
	for (size_t i = 0; i < root->u.tab.n; i++) {
		kv = &root->u.tab.kv[i];
		v = kv->val;
		c.section = "";
		if (v->type != TOML_TABLE && is_table_name(kv->key)) {
			cfg_type_error(&c, kv, "table");
			continue;
		}
		if (strcmp(kv->key, "globals") == 0 && v->type == TOML_TABLE) {
			c.section = "[globals]";
			for (size_t j = 0; j < v->u.tab.n; j++)
				global_key(&c, cfg, &v->u.tab.kv[j], &ls);
		} else if (strcmp(kv->key, "groups") == 0) {
			ls.saw_groups = true;
			if (!is_table_array(v)) {
				sslm_diag_error(diag, path, kv->line, "groups "
				    "must be a list of tables ([[groups]])");
				continue;
			}
			c.section = "[[groups]]";
			for (size_t j = 0; j < v->u.arr.n; j++)
				group_item(&c, cfg, v->u.arr.items[j]);
		} else if (strcmp(kv->key, "dns_primary") == 0) {
			if (!is_table_array(v)) {
				sslm_diag_error(diag, path, kv->line,
				    "dns_primary must be a list of tables "
				    "([[dns_primary]])");
				continue;
			}
			c.section = "[[dns_primary]]";
			for (size_t j = 0; j < v->u.arr.n; j++)
				dns_primary_item(&c, cfg, v->u.arr.items[j]);
		} else if (strcmp(kv->key, "renew_info") == 0 &&
		    v->type == TOML_TABLE) {
			c.section = "[renew_info]";
			renew_info(&c, cfg, v, &ls);
		} else if (v->type == TOML_TABLE) {
			for (k = 0; k < SSLM_SRV__MAX; k++)
				if (strcmp(kv->key, kind_names[k]) == 0)
					break;
			if (k == SSLM_SRV__MAX) {
				sslm_diag_warn(diag, path, kv->line,
				    "unknown table [%s]", kv->key);
				continue;
			}
			c.section = sections[k];
			server_class(&c, &cfg->servers[k], k, kv);
		} else {
			/* Top-level keys are globals too (spec §3.1). */
			c.section = "[globals]";
			global_key(&c, cfg, kv, &ls);
		}
	}
	if (!ls.saw_groups)
		sslm_diag_error(diag, path, 0,
		    "groups must be a list of tables ([[groups]])");
	if (cfg->has_renew_info && cfg->has_renew_expire_days)
		sslm_diag_warn(diag, path, ls.renew_days_line,
		    "renew_expire_days is not used: [renew_info] takes "
		    "precedence (a service's own renew_expire_days still "
		    "wins)");
	/* 7.x maps the old spread onto rand_adj_90 (spec §3.1); an explicit
	 * [renew_info] rand_adj_90 wins. */
	if (cfg->has_renew_expire_days_spread && !ls.explicit_adj90)
		renew_curve_set(&cfg->renew_adj, 90,
		    cfg->renew_expire_days_spread);
out:
	toml_free(root);
	free(text);
	free(err);
	free(path);
}

int
sslm_config_load(const char *topdir, struct sslm_config **cfgp,
    struct sslm_diag *diag)
{
	struct sslm_config *cfg;
	struct sslm_diag local;
	size_t nerr;
	int rc;

	memset(&local, 0, sizeof(local));
	if (diag == NULL)
		diag = &local;
	nerr = diag->errors.n;
	cfg = xcalloc(1, sizeof(*cfg));
	cfg->topdir = xstrdup(topdir != NULL ? topdir : ".");
	cfg->conf_dir = path_join(cfg->topdir, "conf.d");
	cfg->sslm_auth_hook = xstrdup(CFG_DEF_AUTH_HOOK);
	cfg->prod_cert_dir = xstrdup(CFG_DEF_PROD_CERT_DIR);
	cfg->logdir = xstrdup(CFG_DEF_LOGDIR);
	cfg->clean_keep = CFG_DEF_CLEAN_KEEP;
	cfg->min_roll_mins = CFG_DEF_MIN_ROLL_MINS;
	cfg->dns_check_delay = CFG_DEF_DNS_CHECK_DELAY;
	cfg->dns_ns_port = 53;
	cfg->dns_wait_limit = 900;
	cfg->dane_roll_gate = true;
	for (size_t i = 0; cfg_def_xtra_ns[i] != NULL; i++)
		strlist_add(&cfg->dns_xtra_ns, cfg_def_xtra_ns[i]);
	renew_curve_defaults(&cfg->renew_target, &cfg->renew_adj);

	load_main(cfg, diag);
	cfg_load_ca_info(cfg, diag);

	rc = diag->errors.n > nerr ? SSLM_ERR_CONFIG : 0;
	*cfgp = cfg;
	sslm_diag_free(&local);
	return rc;
}

static void
server_class_free(struct sslm_server_class *sc)
{
	strlist_clear(&sc->servers);
	strlist_clear(&sc->restart_cmd);
	strlist_clear(&sc->depends);
	for (size_t i = 0; i < sc->n_svc_depends; i++) {
		free(sc->svc_depends[i].domain);
		strlist_clear(&sc->svc_depends[i].services);
	}
	free(sc->svc_depends);
	free(sc->server_dir);
	strlist_clear(&sc->acme_dir);
	strlist_clear(&sc->tlsa_dirs);
}

void
sslm_config_free(struct sslm_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->topdir);
	free(cfg->conf_dir);
	free(cfg->sslm_auth_hook);
	free(cfg->prod_cert_dir);
	free(cfg->logdir);
	strlist_clear(&cfg->dns_xtra_ns);
	strlist_clear(&cfg->ssh_opts);
	strlist_clear(&cfg->notify_cmd);
	sslm_hooks_free(&cfg->hooks);
	for (size_t i = 0; i < cfg->n_post_copy; i++) {
		free(cfg->post_copy[i].host);
		free(cfg->post_copy[i].cmd);
	}
	free(cfg->post_copy);
	renew_curve_free(&cfg->renew_target);
	renew_curve_free(&cfg->renew_adj);
	for (size_t i = 0; i < cfg->n_groups; i++) {
		free(cfg->groups[i].domain);
		strlist_clear(&cfg->groups[i].services);
	}
	free(cfg->groups);
	for (size_t i = 0; i < cfg->n_dns_primary; i++) {
		free(cfg->dns_primary[i].domain);
		free(cfg->dns_primary[i].server);
	}
	free(cfg->dns_primary);
	for (int k = 0; k < SSLM_SRV__MAX; k++)
		server_class_free(&cfg->servers[k]);
	for (size_t i = 0; i < cfg->n_cas; i++)
		cfg_ca_info_free(&cfg->cas[i]);
	free(cfg->cas);
	free(cfg);
}

const struct sslm_ca_info *
sslm_ca_find(const struct sslm_config *cfg, const char *name)
{
	if (cfg == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->n_cas; i++)
		if (strcmp(cfg->cas[i].name, name) == 0)
			return &cfg->cas[i];
	return NULL;
}

/* Upstream lowercases the entry and compares it with the group name. */
const struct sslm_dns_primary *
sslm_dns_primary_for(const struct sslm_config *cfg, const char *grp)
{
	const struct sslm_dns_primary *def = NULL, *p;

	if (cfg == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->n_dns_primary; i++) {
		p = &cfg->dns_primary[i];
		if (grp != NULL && str_ieq(p->domain, grp))
			return p;
		if (def == NULL && (str_ieq(p->domain, "default") ||
		    strcmp(p->domain, "*") == 0))
			def = p;
	}
	return def;
}

const char *
sslm_server_kind_name(enum sslm_server_kind k)
{
	if ((int)k < 0 || k >= SSLM_SRV__MAX)
		return "unknown";
	return kind_names[k];
}
