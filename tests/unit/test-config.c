/*
 * test-config.c - ssl-mgr.conf, ca-info.conf and service files (spec §1,
 * §2.4, §3-§5): every key and default, the exact "file:line:" diagnostics
 * of the row tables in test-config-rows.h, the topdir search and the
 * check-config dump.  The service file cases are in test-config-svc.h.
 *
 * Fixtures live in $SSLM_TEST_DATA/conf (default tests/unit/data/conf);
 * the row tests write their config into a fresh temporary topdir.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* nftw, mkdtemp, realpath */
#endif
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "err.h"
#include "renew.h"
#include "util.h"

#include "test-config-rows.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static char	*data;		/* absolute $SSLM_TEST_DATA/conf */

static char *
fixture(const char *name)
{
	return xasprintf("%s/%s", data, name);
}

static char *
tmp_top(void)
{
	char *t = xstrdup("/tmp/sslm-test-config-XXXXXX"), *c;

	if (mkdtemp(t) == NULL)
		fail_msg("mkdtemp: %s", strerror(errno));
	c = xasprintf("%s/conf.d", t);
	assert_int_equal(mkdir(c, 0755), 0);
	free(c);
	return t;
}

/* Writes top/rel, creating the directories on the way. */
static void
put_file(const char *top, const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", top, rel), *s;
	FILE *f;

	for (s = p + strlen(top) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		(void)mkdir(p, 0755);
		*s = '/';
	}
	if ((f = fopen(p, "w")) == NULL)
		fail_msg("%s: %s", p, strerror(errno));
	fputs(text, f);
	fclose(f);
	free(p);
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void
rm_tree(char *top)
{
	if (top != NULL)
		(void)nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(top);
}

static void
dump_list(const char *what, const struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		print_message("  %s: %s\n", what, l->v[i]);
}

/* Asserts that l holds exactly "<top>/<want>" (or want when top is
 * NULL). */
static void
expect_msg(const struct strlist *l, const char *top, const char *want)
{
	char *full = top ? xasprintf("%s/%s", top, want) : xstrdup(want);

	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i], full) == 0) {
			free(full);
			return;
		}
	}
	dump_list("have", l);
	fail_msg("missing message: %s", full);
}

static void
expect_clean(const struct sslm_diag *d)
{
	if (d->errors.n != 0) {
		dump_list("error", &d->errors);
		fail_msg("unexpected errors");
	}
}

/* Runs one row: rc follows from whether an error is expected. */
static void
check_row(const struct conf_row *r, const char *top, int rc,
    const struct sslm_diag *d)
{
	if (r->err != NULL) {
		assert_int_equal(rc, SSLM_ERR_CONFIG);
		expect_msg(&d->errors, top, r->err);
	} else {
		expect_clean(d);
		assert_int_equal(rc, 0);
	}
	if (r->warn != NULL)
		expect_msg(&d->warnings, top, r->warn);
	else if (r->err == NULL && d->warnings.n != 0) {
		dump_list("warning", &d->warnings);
		fail_msg("unexpected warnings");
	}
}

static void
test_main_row(void **state)
{
	const struct conf_row *r = *state;
	struct sslm_config *cfg = NULL;
	struct sslm_diag d = { { 0 }, { 0 } };
	char *top = tmp_top(), *text;
	int rc;

	text = r->raw ? xstrdup(r->text) : xasprintf("%s%s", r->text, GROUPS);
	put_file(top, MAIN, text);
	put_file(top, CAINFO, "");
	rc = sslm_config_load(top, &cfg, &d);
	assert_non_null(cfg);
	check_row(r, top, rc, &d);
	sslm_config_free(cfg);
	sslm_diag_free(&d);
	free(text);
	rm_tree(top);
}

static void
test_ca_row(void **state)
{
	const struct conf_row *r = *state;
	struct sslm_config *cfg = NULL;
	struct sslm_diag d = { { 0 }, { 0 } };
	char *top = tmp_top();
	int rc;

	put_file(top, MAIN, GROUPS);
	put_file(top, CAINFO, r->text);
	rc = sslm_config_load(top, &cfg, &d);
	check_row(r, top, rc, &d);
	/* A bad CA is left out; a good one is there. */
	assert_int_equal(cfg->n_cas, r->err ? 0 : 1);
	sslm_config_free(cfg);
	sslm_diag_free(&d);
	rm_tree(top);
}

static const char std_cas[] = "[le-dns]\nca_type = 'certbot'\n"
    "ca_validation = 'dns-01'\n[my-sub]\nca_type = 'local'\n";

/* A topdir with GROUPS, std_cas and conf.d/example.com/web = text. */
static struct sslm_config *
svc_setup(char **top, const char *text)
{
	struct sslm_config *cfg = NULL;
	struct sslm_diag d = { { 0 }, { 0 } };

	*top = tmp_top();
	put_file(*top, MAIN, GROUPS);
	put_file(*top, CAINFO, std_cas);
	if (text != NULL)
		put_file(*top, SVC, text);
	assert_int_equal(sslm_config_load(*top, &cfg, &d), 0);
	assert_int_equal(d.warnings.n, 0);
	sslm_diag_free(&d);
	return cfg;
}

static void
test_svc_row(void **state)
{
	const struct conf_row *r = *state;
	struct sslm_service_cfg *s = NULL;
	struct sslm_diag d = { { 0 }, { 0 } };
	struct sslm_config *cfg;
	char *top;
	int rc;

	cfg = svc_setup(&top, r->text);
	rc = sslm_service_load(cfg, "example.com", "web", &s, &d);
	check_row(r, top, rc, &d);
	if (rc == 0)
		assert_non_null(s);
	else
		assert_null(s);
	sslm_service_free(s);
	sslm_config_free(cfg);
	sslm_diag_free(&d);
	rm_tree(top);
}

static void
test_detect_row(void **state)
{
	size_t i = *(size_t *)*state;
	char *top = tmp_top(), *p;

	put_file(top, "conf.d/g/s", detect_rows[i].text);
	p = xasprintf("%s/conf.d/g/s", top);
	assert_int_equal(sslm_is_service_file(p), detect_rows[i].is_svc);
	free(p);
	rm_tree(top);
}

static struct sslm_config *
load_fixture(const char *name, struct sslm_diag *d, int want_rc)
{
	struct sslm_config *cfg = NULL;
	char *top = fixture(name);

	assert_int_equal(sslm_config_load(top, &cfg, d), want_rc);
	free(top);
	return cfg;
}

/* The fixture with every key set: the globals. */
static void
test_full_globals(void **state)
{
	struct sslm_diag d = { { 0 }, { 0 } };
	struct sslm_config *cfg = load_fixture("full", &d, 0);
	char *top = fixture("full"), *p;

	(void)state;
	expect_clean(&d);
	assert_int_equal(d.warnings.n, 1);
	expect_msg(&d.warnings, top, MAIN ":15: renew_expire_days is not "
	    "used: [renew_info] takes precedence (a service's own "
	    "renew_expire_days still wins)");
	assert_string_equal(cfg->topdir, top);
	p = xasprintf("%s/conf.d", top);
	assert_string_equal(cfg->conf_dir, p);
	free(p);
	p = xasprintf("%s/libexec/sslm-auth-hook", top);
	assert_string_equal(cfg->sslm_auth_hook, p);	/* ./ resolved */
	free(p);
	assert_string_equal(cfg->prod_cert_dir, "/srv/prod-certs");
	p = xasprintf("%s/Logs", top);
	assert_string_equal(cfg->logdir, p);
	free(p);
	assert_int_equal(cfg->clean_keep, 5);
	assert_int_equal(cfg->min_roll_mins, 0);
	assert_int_equal(cfg->dns_check_delay, 30);
	assert_int_equal(cfg->dns_xtra_ns.n, 2);
	assert_string_equal(cfg->dns_xtra_ns.v[1], "ns.example.net");
	assert_int_equal(cfg->n_post_copy, 2);
	assert_string_equal(cfg->post_copy[1].host, "voip.example.com");
	assert_string_equal(cfg->post_copy[1].cmd,
	    "/etc/ssl-mgr/tools/voip-checker");
	assert_true(cfg->has_renew_expire_days);
	assert_true(cfg->renew_expire_days == 21);
	assert_true(cfg->has_renew_expire_days_spread);
	assert_true(cfg->renew_expire_days_spread == 2);
	assert_true(cfg->verb);		/* a top-level key */
	free(top);
	sslm_config_free(cfg);
	sslm_diag_free(&d);
}

static void
test_full_groups_and_primaries(void **state)
{
	struct sslm_diag d = { { 0 }, { 0 } };
	struct sslm_config *cfg = load_fixture("full", &d, 0);
	const struct sslm_dns_primary *p;

	(void)state;
	assert_int_equal(cfg->n_groups, 3);
	assert_string_equal(cfg->groups[0].domain, "example.com");
	assert_int_equal(cfg->groups[0].services.n, 3);
	assert_true(cfg->groups[0].active);
	assert_int_equal(cfg->groups[0].line, 24);
	assert_false(cfg->groups[1].active);
	assert_string_equal(cfg->groups[1].services.v[0], "*");
	assert_string_equal(cfg->groups[2].services.v[1], "ALL");
	assert_int_equal(cfg->n_dns_primary, 2);
	assert_int_equal(cfg->dns_primary[0].port, 11153);
	/* Port 53 for every entry, not only the default (upstream). */
	assert_int_equal(cfg->dns_primary[1].port, 53);
	p = sslm_dns_primary_for(cfg, "EXAMPLE.com");
	assert_non_null(p);
	assert_string_equal(p->server, "ns1.example.com");
	p = sslm_dns_primary_for(cfg, "example.net");
	assert_non_null(p);
	assert_string_equal(p->domain, "default");
	assert_ptr_equal(sslm_dns_primary_for(cfg, NULL), p);
	assert_null(sslm_dns_primary_for(NULL, "x"));
	sslm_config_free(cfg);
	sslm_diag_free(&d);
}

static void
test_full_servers(void **state)
{
	struct sslm_diag d = { { 0 }, { 0 } };
	struct sslm_config *cfg = load_fixture("full", &d, 0);
	const struct sslm_server_class *s;
	char *top = fixture("full"), *p;

	(void)state;
	s = &cfg->servers[SSLM_SRV_DNS];
	assert_true(s->present);
	assert_int_equal(s->restart_cmd.n, 2);
	assert_string_equal(s->acme_dir.v[0], "/etc/dns/include-acme");
	p = xasprintf("%s/zones/acme", top);
	assert_string_equal(s->acme_dir.v[1], p);
	free(p);
	p = xasprintf("%s/zones/tlsa", top);
	assert_string_equal(s->tlsa_dirs.v[1], p);
	free(p);
	assert_true(s->skip_prod_copy);
	s = &cfg->servers[SSLM_SRV_SMTP];
	assert_int_equal(s->servers.n, 2);
	assert_int_equal(s->restart_cmd.n, 2);
	assert_string_equal(s->restart_cmd.v[1], "/usr/bin/postfix reload");
	/* Every svc_depends pair is kept (upstream kept the last). */
	assert_int_equal(s->n_svc_depends, 2);
	assert_string_equal(s->svc_depends[0].domain, "example.com");
	assert_string_equal(s->svc_depends[0].services.v[1], "mail-ec");
	assert_string_equal(s->svc_depends[1].domain, "example.net");
	assert_int_equal(s->depends.n, 2);
	s = &cfg->servers[SSLM_SRV_IMAP];
	assert_string_equal(s->restart_cmd.v[0],
	    "/usr/bin/systemctl restart dovecot");
	assert_string_equal(s->depends.v[0], "cert");
	s = &cfg->servers[SSLM_SRV_WEB];
	p = xasprintf("%s/srv/http/Sites", top);
	assert_string_equal(s->server_dir, p);
	free(p);
	assert_string_equal(s->svc_depends[0].domain, "any");
	s = &cfg->servers[SSLM_SRV_OTHER];
	assert_int_equal(s->restart_cmd.n, 0);	/* '' = copy only */
	assert_true(s->skip_prod_copy);
	assert_string_equal(sslm_server_kind_name(SSLM_SRV_OTHER), "other");
	assert_string_equal(sslm_server_kind_name(SSLM_SRV_DNS), "dns");
	assert_string_equal(sslm_server_kind_name(SSLM_SRV__MAX), "unknown");
	free(top);
	sslm_config_free(cfg);
	sslm_diag_free(&d);
}

/* Both spellings; the explicit rand_adj_90 beats the global spread. */
static void
test_full_renew_info(void **state)
{
	struct sslm_diag d = { { 0 }, { 0 } };
	struct sslm_config *cfg = load_fixture("full", &d, 0);
	struct renew_policy p;

	(void)state;
	assert_true(cfg->has_renew_info);
	assert_true(renew_curve_at(&cfg->renew_target, 90) == 25);
	assert_true(renew_curve_at(&cfg->renew_target, 45) == 12);
	assert_true(renew_curve_at(&cfg->renew_target, 120) == 45);
	assert_true(renew_curve_at(&cfg->renew_adj, 90) == 3);
	assert_true(renew_curve_at(&cfg->renew_adj, 200) == 1.5);
	renew_policy_for(cfg, NULL, &p);
	assert_false(p.legacy);		/* [renew_info] beats the global */
	sslm_config_free(cfg);
	sslm_diag_free(&d);
}

static void
test_spread_maps_to_rand_adj_90(void **state)
{
	struct sslm_config *cfg = NULL;
	struct sslm_diag d = { { 0 }, { 0 } };
	struct renew_policy p;
	char *top = tmp_top();

	(void)state;
	put_file(top, MAIN, "renew_expire_days_spread = 4\n" GROUPS);
	assert_int_equal(sslm_config_load(top, &cfg, &d), 0);
	assert_false(cfg->has_renew_info);
	assert_true(renew_curve_at(&cfg->renew_adj, 90) == 4);
	renew_policy_for(cfg, NULL, &p);
	assert_false(p.legacy);
	sslm_config_free(cfg);
	sslm_diag_free(&d);
	/* The 6.4 global alone: the legacy rule, with its spread. */
	put_file(top, MAIN, "[globals]\nrenew_expire_days = 20\n"
	    "renew_expire_days_spread = 4\n" GROUPS);
	assert_int_equal(sslm_config_load(top, &cfg, &d), 0);
	renew_policy_for(cfg, NULL, &p);
	assert_true(p.legacy);
	assert_true(p.legacy_days == 20 && p.legacy_spread == 4);
	sslm_config_free(cfg);
	sslm_diag_free(&d);
	/* renew_target_ and target_ for one point: the later one wins. */
	put_file(top, MAIN, "[renew_info]\ntarget_60 = 15\n"
	    "'renew_target_60.05' = 16\nrenew_rand_adj_7 = 1\n" GROUPS);
	assert_int_equal(sslm_config_load(top, &cfg, &d), 0);
	assert_true(renew_curve_at(&cfg->renew_target, 60) == 16);
	assert_true(renew_curve_at(&cfg->renew_adj, 7) == 1);
	assert_int_equal(cfg->renew_target.n, 10);
	sslm_config_free(cfg);
	sslm_diag_free(&d);
	rm_tree(top);
}

static void
test_full_ca_info(void **state)
{
	struct sslm_diag d = { { 0 }, { 0 } };
	struct sslm_config *cfg = load_fixture("full", &d, 0);
	const struct sslm_ca_info *ca;
	char *top = fixture("full"), *p;

	(void)state;
	assert_int_equal(cfg->n_cas, 5);
	ca = sslm_ca_find(cfg, "le-dns");
	assert_non_null(ca);
	assert_int_equal(ca->kind, SSLM_CA_ACME);
	assert_int_equal(ca->validation, SSLM_VALID_DNS);
	assert_string_equal(ca->profile, "shortlived");
	assert_string_equal(ca->desc, "Let's Encrypt: dns-01 validation");
	assert_int_equal(ca->line, 1);
	ca = sslm_ca_find(cfg, "le-http");
	assert_int_equal(ca->kind, SSLM_CA_ACME);
	assert_int_equal(ca->validation, SSLM_VALID_HTTP);
	assert_string_equal(ca->type, "LetsEncrypt");
	assert_null(ca->profile);
	ca = sslm_ca_find(cfg, "pebble");
	assert_string_equal(ca->acme_directory, "https://127.0.0.1:14000/dir");
	p = xasprintf("%s/pebble.minica.pem", top);
	assert_string_equal(ca->acme_ca_file, p);
	free(p);
	assert_string_equal(ca->eab_kid, "kid-1");
	assert_string_equal(ca->eab_hmac_key, "c2VjcmV0LWhtYWMta2V5");
	assert_string_equal(ca->profile, "");
	assert_int_equal(sslm_ca_find(cfg, "my-sub")->kind, SSLM_CA_LOCAL);
	assert_int_equal(sslm_ca_find(cfg, "my-root")->validation,
	    SSLM_VALID_NONE);
	assert_null(sslm_ca_find(cfg, "LE-DNS"));	/* names are exact */
	assert_null(sslm_ca_find(cfg, NULL));
	free(top);
	sslm_config_free(cfg);
	sslm_diag_free(&d);
}

/* Nothing set: every default, and only the two warnings. */
static void
test_empty_defaults(void **state)
{
	struct sslm_diag d = { { 0 }, { 0 } };
	struct sslm_config *cfg = load_fixture("empty", &d, 0);
	char *top = fixture("empty");
	struct renew_policy p;

	(void)state;
	expect_clean(&d);
	assert_int_equal(d.warnings.n, 2);
	expect_msg(&d.warnings, top, MAIN ": empty: built-in defaults, no "
	    "groups");
	expect_msg(&d.warnings, top, CAINFO ": missing: no CAs defined");
	assert_string_equal(cfg->sslm_auth_hook,
	    "/usr/lib/ssl-mgr/sslm-auth-hook");
	assert_string_equal(cfg->prod_cert_dir, "/etc/ssl-mgr/prod-certs");
	assert_string_equal(cfg->logdir, "/var/log/ssl-mgr");
	assert_int_equal(cfg->clean_keep, 10);
	assert_int_equal(cfg->min_roll_mins, 90);
	assert_int_equal(cfg->dns_check_delay, 240);
	assert_int_equal(cfg->dns_xtra_ns.n, 4);
	assert_string_equal(cfg->dns_xtra_ns.v[0], "1.1.1.1");
	assert_string_equal(cfg->dns_xtra_ns.v[3], "208.67.222.222");
	assert_int_equal(cfg->n_post_copy, 0);
	assert_false(cfg->has_renew_expire_days);
	assert_false(cfg->has_renew_expire_days_spread);
	assert_false(cfg->verb);
	assert_false(cfg->has_renew_info);
	assert_int_equal(cfg->renew_target.n, 10);
	assert_true(renew_curve_at(&cfg->renew_target, 90) == 30);
	assert_int_equal(cfg->n_groups, 0);
	assert_int_equal(cfg->n_dns_primary, 0);
	assert_int_equal(cfg->n_cas, 0);
	for (int k = 0; k < SSLM_SRV__MAX; k++) {
		assert_false(cfg->servers[k].present);
		assert_null(cfg->servers[k].server_dir);
		assert_false(cfg->servers[k].skip_prod_copy);
	}
	renew_policy_for(cfg, NULL, &p);
	assert_false(p.legacy);
	assert_null(sslm_dns_primary_for(cfg, "example.com"));
	free(top);
	sslm_config_free(cfg);
	sslm_diag_free(&d);
}

static void
test_missing_and_syntax(void **state)
{
	struct sslm_config *cfg = NULL;
	struct sslm_diag d = { { 0 }, { 0 } };
	char *top = tmp_top(), *want;

	(void)state;
	/* No ssl-mgr.conf: an error, and the config is still usable. */
	assert_int_equal(sslm_config_load(top, &cfg, &d), SSLM_ERR_CONFIG);
	expect_msg(&d.errors, top, MAIN ": missing");
	assert_int_equal(cfg->clean_keep, 10);
	sslm_config_free(cfg);
	sslm_diag_free(&d);
	/* A syntax error: the reader's file:line:col. */
	put_file(top, MAIN, GROUPS "clean_keep = = 3\n");
	assert_int_equal(sslm_config_load(top, &cfg, &d), SSLM_ERR_CONFIG);
	assert_int_equal(d.errors.n, 1);
	want = xasprintf("%s/" MAIN ":5:", top);
	if (strncmp(d.errors.v[0], want, strlen(want)) != 0)
		fail_msg("got %s", d.errors.v[0]);
	free(want);
	sslm_config_free(cfg);
	sslm_diag_free(&d);
	/* Same for ca-info.conf. */
	put_file(top, MAIN, GROUPS);
	put_file(top, CAINFO, "[x\n");
	assert_int_equal(sslm_config_load(top, &cfg, &d), SSLM_ERR_CONFIG);
	want = xasprintf("%s/" CAINFO ":1:", top);
	assert_int_equal(strncmp(d.errors.v[0], want, strlen(want)), 0);
	free(want);
	sslm_config_free(cfg);
	sslm_diag_free(&d);
	/* A NULL diag still gives the return code. */
	assert_int_equal(sslm_config_load(top, &cfg, NULL), SSLM_ERR_CONFIG);
	sslm_config_free(cfg);
	sslm_config_free(NULL);
	rm_tree(top);
}

/* Upstream ignored every global when [[groups]] was bad; we keep them. */
static void
test_bad_groups_keep_globals(void **state)
{
	struct sslm_config *cfg = NULL;
	struct sslm_diag d = { { 0 }, { 0 } };
	char *top = tmp_top();

	(void)state;
	put_file(top, MAIN, "[globals]\nclean_keep = 3\nlogdir = '/l'\n"
	    "[groups]\ndomain = 'x.com'\n");
	assert_int_equal(sslm_config_load(top, &cfg, &d), SSLM_ERR_CONFIG);
	expect_msg(&d.errors, top, MAIN ":4: groups must be a list of tables "
	    "([[groups]])");
	assert_int_equal(cfg->clean_keep, 3);
	assert_string_equal(cfg->logdir, "/l");
	sslm_config_free(cfg);
	sslm_diag_free(&d);
	rm_tree(top);
}

/* Relative paths hang off the topdir as given, "." included. */
static void
test_relative_paths_dot(void **state)
{
	struct sslm_config *cfg = NULL;
	struct sslm_diag d = { { 0 }, { 0 } };
	char *top = tmp_top(), cwd[PATH_MAX];

	(void)state;
	put_file(top, MAIN, "logdir = './Logs'\nprod_cert_dir = 'etc/prod'\n"
	    "sslm_auth_hook = '.'\n" GROUPS);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(top), 0);
	assert_int_equal(sslm_config_load(".", &cfg, &d), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(cfg->topdir, ".");
	assert_string_equal(cfg->conf_dir, "./conf.d");
	assert_string_equal(cfg->logdir, "./Logs");
	assert_string_equal(cfg->prod_cert_dir, "./etc/prod");
	assert_string_equal(cfg->sslm_auth_hook, ".");
	sslm_config_free(cfg);
	sslm_diag_free(&d);
	rm_tree(top);
}

/* Service files: uses the helpers above. */
#include "test-config-svc.h"

/* Topdir: $SSL_MGR_TOPDIR, "./", "/etc/ssl-mgr/": first with conf.d/. */
static void
test_topdir_search(void **state)
{
	char *a = tmp_top(), *b = tmp_top(), *none = tmp_top(), *top, *tried;
	char cwd[PATH_MAX], *p, *slash;
	struct stat st;
	bool etc = stat("/etc/ssl-mgr/conf.d", &st) == 0 &&
	    S_ISDIR(st.st_mode);

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	p = xasprintf("%s/conf.d", none);
	assert_int_equal(rmdir(p), 0);
	free(p);
	/* The environment wins, kept as given minus trailing slashes. */
	slash = xasprintf("%s//", a);
	setenv("SSL_MGR_TOPDIR", slash, 1);
	assert_int_equal(chdir(b), 0);
	assert_int_equal(sslm_find_topdir(&top, &tried), 0);
	assert_string_equal(top, a);
	assert_null(tried);
	free(top);
	/* Without conf.d there, "./" is next and stays ".". */
	setenv("SSL_MGR_TOPDIR", none, 1);
	assert_int_equal(sslm_find_topdir(&top, NULL), 0);
	assert_string_equal(top, ".");
	free(top);
	/* Set but empty: ignored. */
	setenv("SSL_MGR_TOPDIR", "", 1);
	assert_int_equal(sslm_find_topdir(&top, NULL), 0);
	assert_string_equal(top, ".");
	free(top);
	/* A file named conf.d does not count. */
	assert_int_equal(chdir(none), 0);
	put_file(none, "conf.d", "x");
	setenv("SSL_MGR_TOPDIR", none, 1);
	if (!etc) {
		assert_int_equal(sslm_find_topdir(&top, &tried),
		    SSLM_ERR_NOTFOUND);
		assert_null(top);
		p = xasprintf("%s/conf.d, ./conf.d, /etc/ssl-mgr/conf.d",
		    none);
		assert_string_equal(tried, p);
		free(p);
		free(tried);
	}
	/* "/" keeps its slash. */
	setenv("SSL_MGR_TOPDIR", "/", 1);
	if (!etc && stat("/conf.d", &st) != 0)
		assert_int_equal(sslm_find_topdir(&top, NULL),
		    SSLM_ERR_NOTFOUND);
	unsetenv("SSL_MGR_TOPDIR");
	assert_int_equal(chdir(cwd), 0);
	free(slash);
	rm_tree(a);
	rm_tree(b);
	rm_tree(none);
}

static void
test_dump_defaults_and_secrets(void **state)
{
	struct sslm_diag d = { { 0 }, { 0 } };
	struct sslm_config *cfg = load_fixture("empty", &d, 0);
	struct sslm_service_cfg *s;
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 20);
	sslm_config_dump(cfg, &b);
	assert_non_null(strstr(b.p, "\nclean_keep = 10  (default)\n"));
	assert_non_null(strstr(b.p, "\nprod_cert_dir = "
	    "\"/etc/ssl-mgr/prod-certs\"  (default)\n"));
	assert_non_null(strstr(b.p, "\ndns_xtra_ns = [\"1.1.1.1\", "
	    "\"8.8.8.8\", \"9.9.9.9\", \"208.67.222.222\"]  (default)\n"));
	assert_non_null(strstr(b.p, "\nrenew_expire_days = (not set)\n"));
	assert_non_null(strstr(b.p, "\ntarget_90 = 30  (default)\n"));
	assert_non_null(strstr(b.p, "\n[web]  (not in config)\n"));
	sslm_config_free(cfg);
	sslm_diag_free(&d);
	buf_free(&b);

	cfg = load_fixture("full", &d, 0);
	sslm_config_dump(cfg, &b);
	assert_non_null(strstr(b.p, "\nclean_keep = 5\n"));
	assert_non_null(strstr(b.p, "\ntarget_90 = 25\n"));
	assert_non_null(strstr(b.p, "\nrand_adj_200 = 1.5\n"));
	assert_non_null(strstr(b.p, "\nport = 53  (default)\n"));
	assert_non_null(strstr(b.p, "\nca_eab_hmac_key = (set)\n"));
	assert_non_null(strstr(b.p, "\nca_eab_hmac_key = (not set)\n"));
	assert_null(strstr(b.p, "c2VjcmV0LWhtYWMta2V5"));	/* never */
	assert_non_null(strstr(b.p, "svc_depends = [[\"example.com\", "
	    "[\"mail-rsa\", \"mail-ec\"]], [\"example.net\", "
	    "[\"mail-ec\"]]]\n"));
	buf_free(&b);
	s = load_svc(cfg, "example.com", "mail-ec");
	sslm_service_dump(s, &b);
	assert_non_null(strstr(b.p, "\ndane_tls = [[25, \"tcp\", 3, 1, 1, "
	    "\"MX\"], [465, \"tcp\", 2, 0, 2, \"SANS\"], "
	    "[993, \"tcp\", 3, 1, 1]]\n"));
	assert_non_null(strstr(b.p, "\nktype = \"ec\"  (default)\n"));
	assert_non_null(strstr(b.p, "\nec_algo = \"secp256r1\"\n"));
	assert_non_null(strstr(b.p, "\ndigest = \"sha384\"  (default)\n"));
	assert_non_null(strstr(b.p, "\n[CA]  (not in file)\n"));
	sslm_service_free(s);
	buf_free(&b);
	sslm_config_dump(NULL, &b);
	sslm_service_dump(NULL, &b);
	assert_int_equal(b.len, 0);
	sslm_config_free(cfg);
	sslm_diag_free(&d);
}

static void
test_diag_format(void **state)
{
	struct sslm_diag d = { { 0 }, { 0 } };

	(void)state;
	sslm_diag_error(&d, "f.conf", 7, "bad %s", "thing");
	sslm_diag_error(&d, "f.conf", 0, "whole file");
	sslm_diag_warn(&d, NULL, 3, "no file %d", 1);
	sslm_diag_warn(NULL, "x", 1, "ignored");
	assert_string_equal(d.errors.v[0], "f.conf:7: bad thing");
	assert_string_equal(d.errors.v[1], "f.conf: whole file");
	assert_string_equal(d.warnings.v[0], "no file 1");
	sslm_diag_free(&d);
	assert_int_equal(d.errors.n, 0);
	sslm_diag_free(NULL);
}

/*
 * Each table row is a case of its own (its address or index is the
 * initial state), so a failure names the row.
 */
static size_t		 idx[64];
static struct CMUnitTest *tests;
static size_t		 ntests;

static void
add(const char *name, CMUnitTestFunction fn, void *st)
{
	tests = xreallocarray(tests, ntests + 1, sizeof(*tests));
	memset(&tests[ntests], 0, sizeof(tests[ntests]));
	tests[ntests].name = name;
	tests[ntests].test_func = fn;
	tests[ntests].initial_state = st;
	ntests++;
}

static void
add_rows(const struct conf_row *rows, size_t n, CMUnitTestFunction fn)
{
	for (size_t i = 0; i < n; i++)
		add(rows[i].name, fn, (void *)&rows[i]);
}

int
main(void)
{
	const char *env = getenv("SSLM_TEST_DATA");
	char *rel, real[PATH_MAX];
	int rc;

	rel = xasprintf("%s/conf", env != NULL && *env != '\0' ? env :
	    "tests/unit/data");
	if (realpath(rel, real) == NULL) {
		fprintf(stderr, "test-config: %s: %s\n", rel, strerror(errno));
		return 1;
	}
	free(rel);
	data = xstrdup(real);
	unsetenv("SSL_MGR_TOPDIR");
	for (size_t i = 0; i < NELEM(idx); i++)
		idx[i] = i;

	add_rows(main_rows, NELEM(main_rows), test_main_row);
	add_rows(ca_rows, NELEM(ca_rows), test_ca_row);
	add_rows(svc_rows, NELEM(svc_rows), test_svc_row);
	for (size_t i = 0; i < NELEM(detect_rows); i++)
		add(detect_rows[i].name, test_detect_row, &idx[i]);
	add("full_globals", test_full_globals, NULL);
	add("full_groups_and_primaries", test_full_groups_and_primaries, NULL);
	add("full_servers", test_full_servers, NULL);
	add("full_renew_info", test_full_renew_info, NULL);
	add("spread_maps_to_rand_adj_90", test_spread_maps_to_rand_adj_90,
	    NULL);
	add("full_ca_info", test_full_ca_info, NULL);
	add("empty_defaults", test_empty_defaults, NULL);
	add("missing_and_syntax", test_missing_and_syntax, NULL);
	add("bad_groups_keep_globals", test_bad_groups_keep_globals, NULL);
	add("relative_paths_dot", test_relative_paths_dot, NULL);
	add("svc_full_mail_ec", test_svc_full_mail_ec, NULL);
	add("svc_key_options", test_svc_key_options, NULL);
	add("svc_ca_group", test_svc_ca_group, NULL);
	add("svc_self_signed_forms", test_svc_self_signed_forms, NULL);
	add("svc_digests", test_svc_digests, NULL);
	add("svc_missing_and_bad_names", test_svc_missing_and_bad_names, NULL);
	add("svc_without_ca_info", test_svc_without_ca_info, NULL);
	add("list_services", test_list_services, NULL);
	add("topdir_search", test_topdir_search, NULL);
	add("dump_defaults_and_secrets", test_dump_defaults_and_secrets, NULL);
	add("diag_format", test_diag_format, NULL);
	rc = _cmocka_run_group_tests("config", tests, ntests, NULL, NULL);
	free(tests);
	free(data);
	return rc;
}
