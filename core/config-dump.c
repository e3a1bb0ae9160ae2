/*
 * config-dump.c - the effective configuration as text for check-config -v:
 * every key with the value that will be used, in a TOML-like layout, with
 * "(default)" after values equal to the built-in default and "(not set)"
 * for optional keys that are absent.  Secrets are printed as "(set)" and
 * never leave this file any other way.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-priv.h"
#include "config.h"
#include "renew.h"
#include "util.h"

#define DEF	"  (default)"

/* A TOML basic string: quotes, backslashes and controls escaped. */
static void
qstr(struct buf *b, const char *s)
{
	(void)buf_printf(b, "\"");
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			(void)buf_printf(b, "\\%c", *s);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			(void)buf_printf(b, "\\u%04x", (unsigned char)*s);
		else
			(void)buf_printf(b, "%c", *s);
	}
	(void)buf_printf(b, "\"");
}

static void
kv_str(struct buf *b, const char *k, const char *v, const char *def)
{
	(void)buf_printf(b, "%s = ", k);
	if (v == NULL) {
		(void)buf_printf(b, "(not set)\n");
		return;
	}
	qstr(b, v);
	(void)buf_printf(b, "%s\n", def != NULL && strcmp(v, def) == 0 ?
	    DEF : "");
}

static void
kv_int(struct buf *b, const char *k, long v, long def)
{
	(void)buf_printf(b, "%s = %ld%s\n", k, v, v == def ? DEF : "");
}

static void
kv_bool(struct buf *b, const char *k, bool v, bool def)
{
	(void)buf_printf(b, "%s = %s%s\n", k, v ? "true" : "false",
	    v == def ? DEF : "");
}

static void
list(struct buf *b, const struct strlist *l)
{
	(void)buf_printf(b, "[");
	for (size_t i = 0; i < l->n; i++) {
		if (i > 0)
			(void)buf_printf(b, ", ");
		qstr(b, l->v[i]);
	}
	(void)buf_printf(b, "]");
}

/* An empty list is the default of every list key but dns_xtra_ns. */
static void
kv_list(struct buf *b, const char *k, const struct strlist *l)
{
	(void)buf_printf(b, "%s = ", k);
	list(b, l);
	(void)buf_printf(b, "%s\n", l->n == 0 ? DEF : "");
}

static bool
xtra_ns_default(const struct strlist *l)
{
	size_t i;

	for (i = 0; cfg_def_xtra_ns[i] != NULL; i++)
		if (i >= l->n || strcmp(l->v[i], cfg_def_xtra_ns[i]) != 0)
			return false;
	return i == l->n;
}

static void
curve(struct buf *b, const char *prefix, const struct sslm_curve *c,
    const struct sslm_curve *def)
{
	bool isdef;

	for (size_t i = 0; i < c->n; i++) {
		isdef = false;
		for (size_t j = 0; j < def->n; j++)
			if (fabs(def->pts[j].x - c->pts[i].x) < 1e-9 &&
			    fabs(def->pts[j].y - c->pts[i].y) < 1e-9)
				isdef = true;
		(void)buf_printf(b, "%s%g = %g%s\n", prefix, c->pts[i].x,
		    c->pts[i].y, isdef ? DEF : "");
	}
}

static void
globals(const struct sslm_config *cfg, struct buf *b)
{
	(void)buf_printf(b, "[globals]\n");
	kv_str(b, "sslm_auth_hook", cfg->sslm_auth_hook, CFG_DEF_AUTH_HOOK);
	kv_str(b, "prod_cert_dir", cfg->prod_cert_dir, CFG_DEF_PROD_CERT_DIR);
	kv_str(b, "logdir", cfg->logdir, CFG_DEF_LOGDIR);
	kv_int(b, "clean_keep", cfg->clean_keep, CFG_DEF_CLEAN_KEEP);
	kv_int(b, "min_roll_mins", cfg->min_roll_mins, CFG_DEF_MIN_ROLL_MINS);
	kv_int(b, "dns_check_delay", cfg->dns_check_delay,
	    CFG_DEF_DNS_CHECK_DELAY);
	(void)buf_printf(b, "dns_xtra_ns = ");
	list(b, &cfg->dns_xtra_ns);
	(void)buf_printf(b, "%s\n", xtra_ns_default(&cfg->dns_xtra_ns) ?
	    DEF : "");
	(void)buf_printf(b, "post_copy_cmd = [");
	for (size_t i = 0; i < cfg->n_post_copy; i++) {
		(void)buf_printf(b, "%s[", i ? ", " : "");
		qstr(b, cfg->post_copy[i].host);
		(void)buf_printf(b, ", ");
		qstr(b, cfg->post_copy[i].cmd);
		(void)buf_printf(b, "]");
	}
	(void)buf_printf(b, "]%s\n", cfg->n_post_copy == 0 ? DEF : "");
	if (cfg->has_renew_expire_days)
		(void)buf_printf(b, "renew_expire_days = %g\n",
		    cfg->renew_expire_days);
	else
		(void)buf_printf(b, "renew_expire_days = (not set)\n");
	if (cfg->has_renew_expire_days_spread)
		(void)buf_printf(b, "renew_expire_days_spread = %g\n",
		    cfg->renew_expire_days_spread);
	else
		(void)buf_printf(b, "renew_expire_days_spread = (not set)\n");
	kv_bool(b, "verb", cfg->verb, false);
	kv_int(b, "dns_wait_limit", cfg->dns_wait_limit, 900);
	kv_int(b, "dns_ns_port", cfg->dns_ns_port, 53);
	(void)buf_printf(b, "ssh_opts = ");
	list(b, &cfg->ssh_opts);
	(void)buf_printf(b, "%s\n", cfg->ssh_opts.n == 0 ? DEF : "");
	kv_bool(b, "dane_roll_gate", cfg->dane_roll_gate, true);
	cfg_dump_cmd(b, "notify_cmd", &cfg->notify_cmd);
	cfg_dump_hooks(b, &cfg->hooks);
}

static void
renew(const struct sslm_config *cfg, struct buf *b)
{
	struct sslm_curve dt = { NULL, 0 }, da = { NULL, 0 };
	struct renew_policy p;

	renew_curve_defaults(&dt, &da);
	renew_policy_for(cfg, NULL, &p);
	(void)buf_printf(b, "\n[renew_info]%s\n", cfg->has_renew_info ? "" :
	    "  (not in config)");
	if (p.legacy)
		(void)buf_printf(b, "# policy: 6.4 rule, renew %g days before "
		    "expiry, spread %g (a service's renew_expire_days "
		    "wins)\n", p.legacy_days, p.legacy_spread);
	else
		(void)buf_printf(b, "# policy: lifetime curve (a service's "
		    "renew_expire_days wins)\n");
	curve(b, "target_", &cfg->renew_target, &dt);
	curve(b, "rand_adj_", &cfg->renew_adj, &da);
	renew_curve_free(&dt);
	renew_curve_free(&da);
}

static void
server_class(const struct sslm_server_class *sc, enum sslm_server_kind k,
    struct buf *b)
{
	(void)buf_printf(b, "\n[%s]%s\n", sslm_server_kind_name(k),
	    sc->present ? "" : "  (not in config)");
	kv_list(b, "servers", &sc->servers);
	kv_list(b, "restart_cmd", &sc->restart_cmd);
	kv_list(b, "depends", &sc->depends);
	(void)buf_printf(b, "svc_depends = [");
	for (size_t i = 0; i < sc->n_svc_depends; i++) {
		(void)buf_printf(b, "%s[", i ? ", " : "");
		qstr(b, sc->svc_depends[i].domain);
		(void)buf_printf(b, ", ");
		list(b, &sc->svc_depends[i].services);
		(void)buf_printf(b, "]");
	}
	(void)buf_printf(b, "]%s\n", sc->n_svc_depends == 0 ? DEF : "");
	kv_str(b, "server_dir", sc->server_dir, NULL);
	kv_bool(b, "skip_prod_copy", sc->skip_prod_copy, false);
	if (k == SSLM_SRV_DNS) {
		kv_list(b, "acme_dir", &sc->acme_dir);
		kv_list(b, "tlsa_dirs", &sc->tlsa_dirs);
	}
}

static const char *
validation_name(enum sslm_validation v)
{
	return v == SSLM_VALID_HTTP ? "http-01" : v == SSLM_VALID_DNS ?
	    "dns-01" : NULL;
}

static void
ca_info(const struct sslm_ca_info *ca, struct buf *b)
{
	(void)buf_printf(b, "\n[%s]\n", ca->name);
	kv_str(b, "ca_desc", ca->desc, NULL);
	(void)buf_printf(b, "ca_type = ");
	qstr(b, ca->type);
	(void)buf_printf(b, "  (%s)\n", ca->kind == SSLM_CA_ACME ? "acme" :
	    "local");
	kv_str(b, "ca_validation", validation_name(ca->validation), NULL);
	if (ca->kind == SSLM_CA_ACME && ca->profile == NULL)
		(void)buf_printf(b, "ca_preferred_acme_profile = "
		    "\"tlsserver\"" DEF "\n");
	else
		kv_str(b, "ca_preferred_acme_profile", ca->profile, NULL);
	kv_str(b, "ca_preferred_chain", ca->preferred_chain, NULL);
	kv_str(b, "ca_acme_directory", ca->acme_directory, NULL);
	kv_str(b, "ca_acme_ca_file", ca->acme_ca_file, NULL);
	if (ca->kind == SSLM_CA_ACME)
		kv_int(b, "ca_acme_timeout", ca->acme_timeout ?
		    ca->acme_timeout : 300, 300);
	kv_str(b, "ca_eab_kid", ca->eab_kid, NULL);
	(void)buf_printf(b, "ca_eab_hmac_key = %s\n",
	    ca->eab_hmac_key != NULL ? "(set)" : "(not set)");
}

void
sslm_config_dump(const struct sslm_config *cfg, struct buf *b)
{
	const struct sslm_group_cfg *g;
	const struct sslm_dns_primary *p;

	if (cfg == NULL)
		return;
	(void)buf_printf(b, "# topdir: %s\n# %s/ssl-mgr.conf\n", cfg->topdir,
	    cfg->conf_dir);
	globals(cfg, b);
	renew(cfg, b);
	for (size_t i = 0; i < cfg->n_groups; i++) {
		g = &cfg->groups[i];
		(void)buf_printf(b, "\n[[groups]]\n");
		kv_str(b, "domain", g->domain, NULL);
		(void)buf_printf(b, "services = ");
		list(b, &g->services);
		(void)buf_printf(b, "\n");
		kv_bool(b, "active", g->active, false);
	}
	for (size_t i = 0; i < cfg->n_dns_primary; i++) {
		p = &cfg->dns_primary[i];
		(void)buf_printf(b, "\n[[dns_primary]]\n");
		kv_str(b, "domain", p->domain, NULL);
		kv_str(b, "server", p->server, NULL);
		kv_int(b, "port", p->port, CFG_DEF_DNS_PORT);
	}
	server_class(&cfg->servers[SSLM_SRV_DNS], SSLM_SRV_DNS, b);
	for (int k = 0; k < SSLM_SRV_DNS; k++)
		server_class(&cfg->servers[k], k, b);
	(void)buf_printf(b, "\n# %s/ca-info.conf: %zu CA%s\n", cfg->conf_dir,
	    cfg->n_cas, cfg->n_cas == 1 ? "" : "s");
	for (size_t i = 0; i < cfg->n_cas; i++)
		ca_info(&cfg->cas[i], b);
}

void
sslm_service_dump(const struct sslm_service_cfg *s, struct buf *b)
{
	static const char *const ktypes[] = { "ec", "rsa", "ed25519" };
	const struct sslm_dane *d;

	if (s == NULL)
		return;
	(void)buf_printf(b, "# %s\n", s->path);
	kv_str(b, "name", s->name, NULL);
	kv_str(b, "group", s->grp, NULL);
	kv_str(b, "service", s->svc, NULL);
	if (s->self_signed)
		(void)buf_printf(b, "signing_ca = \"%s\"  (self-signed)\n",
		    s->signing_ca != NULL ? s->signing_ca : "");
	else
		kv_str(b, "signing_ca", s->signing_ca, NULL);
	(void)buf_printf(b, "dane_tls = [");
	for (size_t i = 0; i < s->n_dane; i++) {
		d = &s->dane[i];
		(void)buf_printf(b, "%s[%d, \"%s\", %d, %d, %d", i ? ", " : "",
		    d->port, d->proto, d->usage, d->selector, d->mtype);
		if (d->subtype[0] != '\0')
			(void)buf_printf(b, ", \"%s\"", d->subtype);
		(void)buf_printf(b, "]");
	}
	(void)buf_printf(b, "]%s\n", s->n_dane == 0 ? DEF : "");
	kv_int(b, "dane_tls_ttl", s->dane_tls_ttl, CFG_DEF_DANE_TTL);
	if (s->has_renew_expire_days)
		(void)buf_printf(b, "renew_expire_days = %g\n",
		    s->renew_expire_days);
	else
		(void)buf_printf(b, "renew_expire_days = (not set)\n");
	{
		struct sslm_vport *vp = NULL;
		size_t n = sslm_service_vports(s, &vp);

		(void)buf_printf(b, "verify_ports = [");
		for (size_t i = 0; i < n; i++) {
			if (vp[i].starttls == SSLM_STARTTLS_NONE)
				(void)buf_printf(b, "%s%d", i ? ", " : "",
				    vp[i].port);
			else
				(void)buf_printf(b, "%s[%d, \"%s\"]", i ?
				    ", " : "", vp[i].port,
				    sslm_starttls_name(vp[i].starttls));
		}
		(void)buf_printf(b, "]%s\n", s->has_vports ? "" : DEF);
		free(vp);
	}
	cfg_dump_hooks(b, &s->hooks);

	(void)buf_printf(b, "\n[KeyOpts]\n");
	kv_str(b, "ktype", ktypes[s->ktype], "ec");
	kv_str(b, "ec_algo", s->ec_curve, CFG_DEF_EC_CURVE);
	kv_int(b, "rsa_bits", s->rsa_bits, CFG_DEF_RSA_BITS);

	(void)buf_printf(b, "\n[X509]\n");
	kv_str(b, "CN", s->CN, NULL);
	kv_str(b, "O", s->O, NULL);
	kv_str(b, "OU", s->OU, "");
	kv_str(b, "L", s->L, "");
	kv_str(b, "ST", s->ST, "");
	kv_str(b, "C", s->C, NULL);
	kv_str(b, "email", s->email, NULL);
	kv_list(b, "sans", &s->sans);

	(void)buf_printf(b, "\n[CA]%s\n", s->has_ca_section ? "" :
	    "  (not in file)");
	kv_int(b, "sign_end_days", s->sign_end_days, CFG_DEF_SIGN_END_DAYS);
	kv_str(b, "digest", s->digest, CFG_DEF_DIGEST);
}
