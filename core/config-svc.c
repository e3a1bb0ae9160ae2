/*
 * config-svc.c - conf.d/ca-info.conf (spec §4) and the service files
 * conf.d/<grp>/<svc> (§5): reading them into typed structs, the checks that
 * need nothing but the file and the CA list, and finding the service files
 * of a group (§2.4).
 *
 * Upstream crashed on an unknown table in a service file and ignored
 * `bits`; here the first is a warning and the second an alias of rsa_bits.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config-priv.h"
#include "x509.h"
#include "config.h"
#include "err.h"
#include "toml.h"
#include "util.h"

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

void
cfg_ca_info_free(struct sslm_ca_info *ca)
{
	if (ca == NULL)
		return;
	free(ca->name);
	free(ca->desc);
	free(ca->type);
	free(ca->profile);
	free(ca->preferred_chain);
	free(ca->acme_directory);
	free(ca->acme_ca_file);
	free(ca->eab_kid);
	if (ca->eab_hmac_key != NULL)
		freezero_secret(ca->eab_hmac_key, strlen(ca->eab_hmac_key));
	memset(ca, 0, sizeof(*ca));
}

/* Returns false after recording the error. */
static bool
ca_key(struct cfg_ctx *c, struct sslm_ca_info *ca, const struct toml_kv *kv)
{
	const char *k = kv->key;
	char *s = NULL;

	if (strcmp(k, "ca_desc") == 0)
		return cfg_str(c, kv, &ca->desc) == 0;
	if (strcmp(k, "ca_type") == 0) {
		if (cfg_str(c, kv, &ca->type) == -1)
			return false;
		if (str_ieq(ca->type, "self") || str_ieq(ca->type, "local"))
			ca->kind = SSLM_CA_LOCAL;
		else if (str_ieq(ca->type, "certbot") ||
		    str_ieq(ca->type, "letsencrypt") ||
		    str_ieq(ca->type, "acme"))
			ca->kind = SSLM_CA_ACME;
		else {
			sslm_diag_error(c->diag, c->file, kv->line,
			    "%s ca_type '%s' unknown (self, local, certbot, "
			    "letsencrypt or acme)", c->section, ca->type);
			return false;
		}
		return true;
	}
	if (strcmp(k, "ca_validation") == 0) {
		if (cfg_str(c, kv, &s) == -1)
			return false;
		/* Only the prefix counts, as upstream: http-01, dns-01. */
		if (strncasecmp(s, "http", 4) == 0)
			ca->validation = SSLM_VALID_HTTP;
		else if (strncasecmp(s, "dns", 3) == 0)
			ca->validation = SSLM_VALID_DNS;
		else
			sslm_diag_error(c->diag, c->file, kv->line,
			    "%s ca_validation '%s' unknown (http-01 or "
			    "dns-01)", c->section, s);
		free(s);
		return ca->validation != SSLM_VALID_NONE;
	}
	if (strcmp(k, "ca_preferred_acme_profile") == 0)
		return cfg_str(c, kv, &ca->profile) == 0;
	if (strcmp(k, "ca_preferred_chain") == 0) {
		if (cfg_str(c, kv, &ca->preferred_chain) == -1)
			return false;
		if (*ca->preferred_chain != '\0')
			sslm_diag_warn(c->diag, c->file, kv->line, "CA \"%s\": "
			    "ca_preferred_chain not recommended with \"Gen Y\" "
			    "certs", ca->name);
		return true;
	}
	if (strcmp(k, "ca_acme_directory") == 0)
		return cfg_str(c, kv, &ca->acme_directory) == 0;
	if (strcmp(k, "ca_acme_ca_file") == 0) {
		if (cfg_str(c, kv, &s) == -1)
			return false;
		free(ca->acme_ca_file);
		ca->acme_ca_file = cfg_path(c->topdir, s);
		free(s);
		return true;
	}
	if (strcmp(k, "ca_acme_timeout") == 0)
		return cfg_int(c, kv, 1, 3600, false,
		    &ca->acme_timeout) == 0;
	if (strcmp(k, "ca_eab_kid") == 0)
		return cfg_str(c, kv, &ca->eab_kid) == 0;
	if (strcmp(k, "ca_eab_hmac_key") == 0) {
		if (kv->val->type != TOML_STRING) {
			cfg_type_error(c, kv, "string");
			return false;
		}
		if (ca->eab_hmac_key != NULL)
			freezero_secret(ca->eab_hmac_key,
			    strlen(ca->eab_hmac_key));
		ca->eab_hmac_key = xstrdup(kv->val->u.s);
		return true;
	}
	if (strcmp(k, "ca_test") != 0)		/* old key, ignored */
		cfg_unknown_key(c, kv);
	return true;
}

static void
ca_table(struct cfg_ctx *c, struct sslm_config *cfg, const struct toml_kv *tkv)
{
	struct sslm_ca_info ca;
	const struct toml_value *t = tkv->val;
	char section[256];
	bool bad = false;

	memset(&ca, 0, sizeof(ca));
	ca.name = xstrdup(tkv->key);
	ca.line = tkv->line;
	snprintf(section, sizeof(section), "[%s]", tkv->key);
	c->section = section;
	if (!cfg_valid_svc(tkv->key)) {
		sslm_diag_error(c->diag, c->file, tkv->line,
		    "CA name '%s' is not valid", tkv->key);
		bad = true;
	}
	for (size_t i = 0; i < t->u.tab.n; i++)
		if (!ca_key(c, &ca, &t->u.tab.kv[i]))
			bad = true;
	if (!bad && ca.type == NULL) {
		sslm_diag_error(c->diag, c->file, ca.line,
		    "%s missing ca_type", section);
		bad = true;
	}
	if (!bad && ca.kind == SSLM_CA_ACME &&
	    ca.validation == SSLM_VALID_NONE) {
		sslm_diag_error(c->diag, c->file, ca.line, "%s ca_validation "
		    "(http-01 or dns-01) is required for an ACME CA", section);
		bad = true;
	}
	if (!bad && (ca.eab_kid == NULL) != (ca.eab_hmac_key == NULL)) {
		sslm_diag_error(c->diag, c->file, ca.line, "%s ca_eab_kid and "
		    "ca_eab_hmac_key go together", section);
		bad = true;
	}
	if (bad) {
		cfg_ca_info_free(&ca);
		return;
	}
	cfg->cas = xreallocarray(cfg->cas, cfg->n_cas + 1, sizeof(*cfg->cas));
	cfg->cas[cfg->n_cas++] = ca;
}

/* A missing file is only a warning: self-signed setups need no CA list. */
void
cfg_load_ca_info(struct sslm_config *cfg, struct sslm_diag *diag)
{
	struct cfg_ctx c;
	struct toml_value *root = NULL;
	const struct toml_kv *kv;
	char *path, *text = NULL, *err = NULL;
	size_t len;
	int r;

	path = path_join(cfg->conf_dir, "ca-info.conf");
	memset(&c, 0, sizeof(c));
	c.file = path;
	c.topdir = cfg->topdir;
	c.diag = diag;
	if ((r = read_file(path, CFG_MAX_FILE, &text, &len)) != 0) {
		if (r == SSLM_ERR_NOTFOUND)
			sslm_diag_warn(diag, path, 0, "missing: no CAs "
			    "defined");
		else
			sslm_diag_error(diag, path, 0, "%s", sslm_strerror(r));
		goto out;
	}
	if (toml_parse(text, len, path, &root, &err) == -1) {
		sslm_diag_error(diag, NULL, 0, "%s", err);
		goto out;
	}
	for (size_t i = 0; i < root->u.tab.n; i++) {
		kv = &root->u.tab.kv[i];
		if (kv->val->type != TOML_TABLE) {
			sslm_diag_warn(diag, path, kv->line, "unknown key "
			    "'%s' (ca-info.conf holds one table per CA)",
			    kv->key);
			continue;
		}
		ca_table(&c, cfg, kv);
	}
out:
	toml_free(root);
	free(text);
	free(err);
	free(path);
}

void
sslm_service_free(struct sslm_service_cfg *s)
{
	if (s == NULL)
		return;
	free(s->path);
	free(s->grp);
	free(s->svc);
	free(s->name);
	free(s->signing_ca);
	free(s->dane);
	free(s->ec_curve);
	free(s->CN);
	free(s->O);
	free(s->OU);
	free(s->L);
	free(s->ST);
	free(s->C);
	free(s->email);
	strlist_clear(&s->sans);
	free(s->digest);
	free(s->vports);
	sslm_hooks_free(&s->hooks);
	free(s);
}

/* An int element of a dane_tls entry in [lo, hi]. */
static bool
dane_int(struct cfg_ctx *c, const struct toml_value *e, size_t i,
    const char *what, int lo, int hi, int *out)
{
	if (e->type != TOML_INTEGER || e->u.i < lo || e->u.i > hi) {
		sslm_diag_error(c->diag, c->file, e->line, "dane_tls[%zu]: %s "
		    "must be an integer %d-%d", i, what, lo, hi);
		return false;
	}
	*out = (int)e->u.i;
	return true;
}

static bool
dane_str(struct cfg_ctx *c, const struct toml_value *e, size_t i,
    const char *what, const char *const *ok, char *out, size_t outlen)
{
	if (e->type == TOML_STRING)
		for (size_t j = 0; ok[j] != NULL; j++)
			if (str_ieq(e->u.s, ok[j])) {
				snprintf(out, outlen, "%s", ok[j]);
				return true;
			}
	sslm_diag_error(c->diag, c->file, e->line, "dane_tls[%zu]: %s must "
	    "be one of %s%s%s%s%s", i, what, ok[0], ok[1] ? ", " : "",
	    ok[1] ? ok[1] : "", ok[1] && ok[2] ? ", " : "",
	    ok[1] && ok[2] ? ok[2] : "");
	return false;
}

static void
dane_tls(struct cfg_ctx *c, struct sslm_service_cfg *s,
    const struct toml_kv *kv)
{
	static const char *const protos[] = { "tcp", "udp", "sctp", NULL };
	static const char *const subtypes[] = { "MX", "SANS", NULL };
	const struct toml_value *v = kv->val, *e;
	struct sslm_dane d;
	bool ok;

	if (v->type != TOML_ARRAY) {
		cfg_type_error(c, kv, "list of [port, proto, usage, selector, "
		    "mtype(, subtype)]");
		return;
	}
	for (size_t i = 0; i < v->u.arr.n; i++) {
		e = v->u.arr.items[i];
		if (e->type != TOML_ARRAY || e->u.arr.n < 5 ||
		    e->u.arr.n > 6) {
			sslm_diag_error(c->diag, c->file, e->line, "dane_tls"
			    "[%zu] must have 5 or 6 elements", i);
			continue;
		}
		memset(&d, 0, sizeof(d));
		ok = dane_int(c, e->u.arr.items[0], i, "port", 1, 65535,
		    &d.port);
		ok &= dane_str(c, e->u.arr.items[1], i, "proto", protos,
		    d.proto, sizeof(d.proto));
		ok &= dane_int(c, e->u.arr.items[2], i, "usage", 0, 3,
		    &d.usage);
		ok &= dane_int(c, e->u.arr.items[3], i, "selector", 0, 1,
		    &d.selector);
		ok &= dane_int(c, e->u.arr.items[4], i, "mtype", 0, 2,
		    &d.mtype);
		if (e->u.arr.n == 6)
			ok &= dane_str(c, e->u.arr.items[5], i, "subtype",
			    subtypes, d.subtype, sizeof(d.subtype));
		if (!ok)
			continue;
		s->dane = xreallocarray(s->dane, s->n_dane + 1,
		    sizeof(*s->dane));
		s->dane[s->n_dane++] = d;
	}
}

static void
key_opts(struct cfg_ctx *c, struct sslm_service_cfg *s,
    const struct toml_value *t)
{
	const struct toml_kv *kv;
	char *v = NULL;
	bool have_rsa_bits = false;

	c->section = "[KeyOpts]";
	for (size_t i = 0; i < t->u.tab.n; i++) {
		kv = &t->u.tab.kv[i];
		if (strcmp(kv->key, "ktype") == 0) {
			if (cfg_str(c, kv, &v) == -1)
				continue;
			if (str_ieq(v, "ec"))
				s->ktype = SSLM_KEY_EC;
			else if (str_ieq(v, "rsa"))
				s->ktype = SSLM_KEY_RSA;
			else if (str_ieq(v, "ed25519"))
				s->ktype = SSLM_KEY_ED25519;
			else
				sslm_diag_error(c->diag, c->file, kv->line,
				    "[KeyOpts] ktype '%s' unknown (ec, rsa or "
				    "ed25519)", v);
		} else if (strcmp(kv->key, "ec_algo") == 0) {
			if (cfg_str(c, kv, &v) == -1)
				continue;
			if (*v == '\0') {
				sslm_diag_error(c->diag, c->file, kv->line,
				    "[KeyOpts] ec_algo must not be empty");
				continue;
			}
			lower(v);
			/* Checked here, so a typo is a config error before
			 * anything is written, not a failed key later. */
			if (x509_curve_nid(v) == 0) {
				sslm_diag_error(c->diag, c->file, kv->line,
				    "[KeyOpts] ec_algo '%s' is not a curve "
				    "OpenSSL knows (e.g. secp256r1, secp384r1)",
				    v);
				continue;
			}
			free(s->ec_curve);
			s->ec_curve = v;
			v = NULL;
		} else if (strcmp(kv->key, "rsa_bits") == 0 ||
		    (strcmp(kv->key, "bits") == 0 && !have_rsa_bits)) {
			/* Upstream ignored `bits` (its own example's key);
			 * rsa_bits wins when both are there. */
			if (cfg_int(c, kv, CFG_MIN_RSA_BITS, CFG_MAX_RSA_BITS,
			    true, &s->rsa_bits) == 0)
				have_rsa_bits = kv->key[0] == 'r';
		} else if (strcmp(kv->key, "bits") != 0)
			cfg_unknown_key(c, kv);
	}
	free(v);
}

static const char *const digests[] = {
	"sha224", "sha256", "sha384", "sha512",
	"sha3_224", "sha3_256", "sha3_384", "sha3_512", NULL
};

static void
ca_opts(struct cfg_ctx *c, struct sslm_service_cfg *s,
    const struct toml_value *t)
{
	const struct toml_kv *kv;
	char *d = NULL, *p;
	size_t i, j;

	c->section = "[CA]";
	s->has_ca_section = true;
	for (i = 0; i < t->u.tab.n; i++) {
		kv = &t->u.tab.kv[i];
		if (strcmp(kv->key, "sign_end_days") == 0)
			/* 1 day to 100 years: 0, negative or absurd values
			 * gave 1-day or unsignable certs upstream. */
			(void)cfg_int(c, kv, 1, CFG_MAX_SIGN_DAYS, false,
			    &s->sign_end_days);
		else if (strcmp(kv->key, "digest") == 0) {
			if (cfg_str(c, kv, &d) == -1)
				continue;
			lower(d);
			if ((p = strchr(d, '-')) != NULL &&
			    str_has_prefix(d, "sha3-"))
				*p = '_';
			for (j = 0; digests[j] != NULL; j++)
				if (strcmp(d, digests[j]) == 0)
					break;
			if (digests[j] == NULL) {
				sslm_diag_warn(c->diag, c->file, kv->line,
				    "[CA] digest '%s' unknown, using sha256",
				    kv->val->u.s);
				j = 1;
			}
			free(s->digest);
			s->digest = xstrdup(digests[j]);
		} else
			cfg_unknown_key(c, kv);
	}
	free(d);
}

/* Lines of the [X509] keys the final checks point at. */
struct x509_lines {
	int	table, cn;
};

static void
x509_opts(struct cfg_ctx *c, struct sslm_service_cfg *s,
    const struct toml_kv *tkv, struct x509_lines *xl)
{
	static const char *const names[] = {
		"CN", "O", "OU", "L", "ST", "C", "email", NULL
	};
	char **fields[] = {
		&s->CN, &s->O, &s->OU, &s->L, &s->ST, &s->C, &s->email
	};
	const struct toml_value *t = tkv->val;
	const struct toml_kv *kv;
	size_t j;

	c->section = "[X509]";
	xl->table = tkv->line;
	for (size_t i = 0; i < t->u.tab.n; i++) {
		kv = &t->u.tab.kv[i];
		for (j = 0; names[j] != NULL; j++)
			if (strcmp(kv->key, names[j]) == 0)
				break;
		if (names[j] != NULL) {
			(void)cfg_str(c, kv, fields[j]);
			if (j == 0)
				xl->cn = kv->line;
			if (j == 5 && s->C != NULL && strlen(s->C) != 2)
				sslm_diag_error(c->diag, c->file, kv->line,
				    "[X509] C '%s' must be a two-letter "
				    "country code", s->C);
			continue;
		}
		if (strcmp(kv->key, "sans") != 0) {
			cfg_unknown_key(c, kv);
			continue;
		}
		if (cfg_strlist(c, kv, true, &s->sans) == -1)
			continue;
		for (j = 0; j < s->sans.n; j++)
			if (!is_ip_literal(s->sans.v[j]) &&
			    !cfg_valid_dns(s->sans.v[j], true, false))
				sslm_diag_error(c->diag, c->file, kv->line,
				    "[X509] sans: '%s' is not a DNS name, "
				    "wildcard or IP address", s->sans.v[j]);
	}
}

/* name, group, service, signing_ca, dane_tls, dane_tls_ttl, ... */
static void
top_key(struct cfg_ctx *c, struct sslm_service_cfg *s,
    const struct toml_kv *kv, struct x509_lines *xl)
{
	const char *k = kv->key;

	c->section = "";
	if (kv->val->type == TOML_TABLE) {
		if (strcmp(k, "KeyOpts") == 0)
			key_opts(c, s, kv->val);
		else if (strcmp(k, "X509") == 0)
			x509_opts(c, s, kv, xl);
		else if (strcmp(k, "CA") == 0)
			ca_opts(c, s, kv->val);
		else
			sslm_diag_warn(c->diag, c->file, kv->line,
			    "unknown table [%s] (ignored)", k);
		return;
	}
	if (strcmp(k, "KeyOpts") == 0 || strcmp(k, "X509") == 0 ||
	    strcmp(k, "CA") == 0)
		cfg_type_error(c, kv, "table");
	else if (strcmp(k, "name") == 0)
		(void)cfg_str(c, kv, &s->name);
	else if (strcmp(k, "group") == 0 || strcmp(k, "service") == 0) {
		const char *want = k[0] == 'g' ? s->grp : s->svc;
		char *v = NULL;

		if (cfg_str(c, kv, &v) == 0 && strcmp(v, want) != 0)
			sslm_diag_error(c->diag, c->file, kv->line,
			    "%s '%s' expecting '%s'", k, v, want);
		free(v);
	} else if (strcmp(k, "signing_ca") == 0)
		(void)cfg_str(c, kv, &s->signing_ca);
	else if (strcmp(k, "dane_tls") == 0)
		dane_tls(c, s, kv);
	else if (strcmp(k, "dane_tls_ttl") == 0)
		(void)cfg_int(c, kv, INT_MIN, INT_MAX, false, &s->dane_tls_ttl);
	else if (strcmp(k, "renew_expire_days") == 0) {
		if (cfg_num(c, kv, &s->renew_expire_days) == -1)
			return;
		if (s->renew_expire_days < 0)
			sslm_diag_error(c->diag, c->file, kv->line,
			    "renew_expire_days must not be negative");
		else
			s->has_renew_expire_days = true;
	} else if (strcmp(k, "verify_ports") == 0)
		cfg_verify_ports(c, kv, s);
	else if (!cfg_hook_key(c, kv, &s->hooks))
		cfg_unknown_key(c, kv);
}

/* The checks that need the whole file (and the CA list). */
static void
svc_checks(struct cfg_ctx *c, const struct sslm_config *cfg,
    struct sslm_service_cfg *s, const struct toml_value *root,
    const struct x509_lines *xl)
{
	const struct sslm_ca_info *ca;
	const struct toml_kv *kv;
	static const char *const need[] = { "CN", "O", "C" };
	const char *vals[3];

	if (s->name == NULL || *s->name == '\0')
		sslm_diag_error(c->diag, c->file, 0, "missing name");
	if (toml_get(root, "group") == NULL)
		sslm_diag_error(c->diag, c->file, 0, "missing group (expecting "
		    "'%s')", s->grp);
	if (toml_get(root, "service") == NULL)
		sslm_diag_error(c->diag, c->file, 0, "missing service "
		    "(expecting '%s')", s->svc);
	vals[0] = s->CN;
	vals[1] = s->O;
	vals[2] = s->C;
	for (size_t i = 0; i < 3; i++)
		if (vals[i] == NULL || *vals[i] == '\0')
			sslm_diag_error(c->diag, c->file, xl->table,
			    "missing %s in [X509]", need[i]);
	if (s->signing_ca == NULL || *s->signing_ca == '\0' ||
	    strcmp(s->signing_ca, "self") == 0) {
		s->self_signed = true;
		return;
	}
	kv = toml_get_kv(root, "signing_ca");
	if ((ca = sslm_ca_find(cfg, s->signing_ca)) == NULL) {
		sslm_diag_error(c->diag, c->file, kv ? kv->line : 0,
		    "unknown signing CA '%s'", s->signing_ca);
		return;
	}
	/* The ACME order is for the apex: upstream's "certbot apex domain
	 * doesnt match csr". */
	if (ca->kind == SSLM_CA_ACME && s->CN != NULL && *s->CN != '\0' &&
	    !str_ieq(s->CN, s->grp))
		sslm_diag_error(c->diag, c->file, xl->cn, "CN '%s' must be "
		    "the group '%s' for ACME CA '%s'", s->CN, s->grp, ca->name);
}

int
sslm_service_load(const struct sslm_config *cfg, const char *grp,
    const char *svc, struct sslm_service_cfg **out, struct sslm_diag *diag)
{
	struct sslm_service_cfg *s = NULL;
	struct cfg_ctx c;
	struct x509_lines xl = { 0, 0 };
	struct sslm_diag local;
	struct toml_value *root = NULL;
	char *path = NULL, *text = NULL, *err = NULL;
	size_t len, nerr;
	int rc;

	*out = NULL;
	memset(&local, 0, sizeof(local));
	if (diag == NULL)
		diag = &local;
	nerr = diag->errors.n;
	if (!cfg_valid_group(grp) || !cfg_valid_svc(svc)) {
		sslm_diag_error(diag, NULL, 0, "%s:%s: invalid group or "
		    "service name", grp ? grp : "", svc ? svc : "");
		rc = SSLM_ERR_CONFIG;
		goto out;
	}
	path = xasprintf("%s/%s/%s", cfg->conf_dir, grp, svc);
	if ((rc = read_file_regular(path, CFG_MAX_FILE, &text, &len)) != 0) {
		sslm_diag_error(diag, path, 0, "%s", rc == SSLM_ERR_NOTFOUND ?
		    "missing (no config for this service)" : sslm_strerror(rc));
		goto out;
	}
	if (toml_parse(text, len, path, &root, &err) == -1) {
		sslm_diag_error(diag, NULL, 0, "%s", err);
		rc = SSLM_ERR_CONFIG;
		goto out;
	}
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->grp = xstrdup(grp);
	s->svc = xstrdup(svc);
	s->is_ca = str_ieq(grp, "ca");
	s->dane_tls_ttl = CFG_DEF_DANE_TTL;
	s->ktype = SSLM_KEY_EC;
	s->ec_curve = xstrdup(CFG_DEF_EC_CURVE);
	s->rsa_bits = CFG_DEF_RSA_BITS;
	s->OU = xstrdup("");
	s->L = xstrdup("");
	s->ST = xstrdup("");
	s->sign_end_days = CFG_DEF_SIGN_END_DAYS;
	s->digest = xstrdup(CFG_DEF_DIGEST);

	memset(&c, 0, sizeof(c));
	c.file = path;
	c.topdir = cfg->topdir;
	c.diag = diag;
	for (size_t i = 0; i < root->u.tab.n; i++)
		top_key(&c, s, &root->u.tab.kv[i], &xl);
	svc_checks(&c, cfg, s, root, &xl);
	rc = diag->errors.n > nerr ? SSLM_ERR_CONFIG : 0;
out:
	if (rc == 0)
		*out = s;
	else
		sslm_service_free(s);
	toml_free(root);
	free(text);
	free(err);
	free(path);
	sslm_diag_free(&local);
	return rc;
}

/*
 * Spec §2.4: with all whitespace removed, ignoring blank and '#' lines,
 * lines starting name=, group=, service=, [KeyOpts] and [X509] all occur.
 */
bool
sslm_is_service_file(const char *path)
{
	static const char *const want[] = {
		"name=", "group=", "service=", "[KeyOpts]", "[X509]"
	};
	unsigned found = 0;
	struct stat st;
	char *text = NULL, *line, *next, *w, *r;

	if (path == NULL || stat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return false;
	if (read_file(path, 1024 * 1024, &text, NULL) != 0)
		return false;
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		for (w = r = line; *r != '\0'; r++)
			if (!isspace((unsigned char)*r))
				*w++ = *r;
		*w = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		for (size_t i = 0; i < 5; i++)
			if (str_has_prefix(line, want[i]))
				found |= 1u << i;
	}
	free(text);
	return found == 0x1f;
}

int
sslm_list_services(const struct sslm_config *cfg, const char *grp,
    struct strlist *out)
{
	struct strlist l = { NULL, 0, 0 };
	struct dirent *de;
	DIR *d = NULL;
	char *dir = NULL, *p;
	int rc = 0;

	if (!cfg_valid_group(grp)) {
		rc = SSLM_ERR_CONFIG;
		goto out;
	}
	dir = path_join(cfg->conf_dir, grp);
	if ((d = opendir(dir)) == NULL) {
		rc = errno == ENOENT || errno == ENOTDIR ? SSLM_ERR_NOTFOUND :
		    SSLM_ERR_IO;
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !cfg_valid_svc(de->d_name))
			continue;
		p = path_join(dir, de->d_name);
		if (sslm_is_service_file(p))
			strlist_add(&l, de->d_name);
		free(p);
	}
	strlist_sort(&l);
	strlist_clear(out);
	*out = l;
	l.v = NULL;
	l.n = l.cap = 0;
out:
	if (d != NULL)
		closedir(d);
	strlist_clear(&l);
	free(dir);
	return rc;
}
