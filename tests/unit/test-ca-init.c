/*
 * test-ca-init.c - the private-CA set-up: answers are validated, the
 * texts load through the config loader, the plan tells new / unchanged /
 * add-to / conflict apart, existing confs are only added to, and writing
 * refuses conflicts.
 */
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

#include "ca-init.h"
#include "config.h"
#include "err.h"
#include "store.h"
#include "util.h"

static char *
tmpdir(void)
{
	char tmpl[] = "/tmp/sslm-ca-init.XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void
rmtree(char *d)
{
	assert_int_equal(store_rmtree(d), 0);
	free(d);
}

static void
answers(struct ca_init *a)
{
	char *err = NULL;

	ca_init_defaults(a);
	ca_init_set(&a->root, "r1");
	ca_init_set(&a->intr, "i1");
	ca_init_set(&a->O, "Acme Ltd");
	ca_init_set(&a->C, "DE");
	assert_int_equal(ca_init_add_leaf(a, "web=www.acme.test,acme.test,"
	    "10.0.0.1", &err), 0);
	assert_int_equal(ca_init_add_leaf(a, "acme.test:mail=mail.acme.test",
	    &err), 0);
}

static void
put(const char *dir, const char *rel, const char *text)
{
	char *p = path_join(dir, rel);

	assert_int_equal(store_write_file(p, text, strlen(text), 0644), 0);
	free(p);
}

static char *
get(const char *dir, const char *rel)
{
	char *p = path_join(dir, rel), *s = NULL;

	assert_int_equal(read_file(p, 1 << 20, &s, NULL), 0);
	free(p);
	return s;
}

static bool
has_err(const struct strlist *l, const char *needle)
{
	for (size_t i = 0; i < l->n; i++)
		if (strstr(l->v[i], needle) != NULL)
			return true;
	return false;
}

static void
test_key_specs(void **state)
{
	struct ca_init_key k;
	char *err = NULL, s[48];

	(void)state;
	assert_int_equal(ca_init_parse_key("ec:secp256r1", &k, &err), 0);
	assert_int_equal(k.type, SSLM_KEY_EC);
	assert_string_equal(k.curve, "secp256r1");
	assert_int_equal(ca_init_parse_key("ec", &k, &err), 0);
	assert_string_equal(k.curve, "secp384r1");
	assert_int_equal(ca_init_parse_key("rsa", &k, &err), 0);
	assert_int_equal(k.bits, 4096);
	assert_int_equal(ca_init_parse_key("rsa:3072", &k, &err), 0);
	ca_init_key_str(&k, s, sizeof(s));
	assert_string_equal(s, "rsa:3072");
	assert_int_equal(ca_init_parse_key("ed25519", &k, &err), 0);
	assert_int_equal(k.type, SSLM_KEY_ED25519);
	assert_int_equal(ca_init_parse_key("rsa:1024", &k, &err),
	    SSLM_ERR_USAGE);
	assert_non_null(strstr(err, "2048"));
	free(err);
	assert_int_equal(ca_init_parse_key("ec:nocurve", &k, &err),
	    SSLM_ERR_USAGE);
	assert_non_null(strstr(err, "nocurve"));
	free(err);
	assert_int_equal(ca_init_parse_key("dsa", &k, &err), SSLM_ERR_USAGE);
	free(err);
}

static void
test_leaf_specs(void **state)
{
	struct ca_init a;
	char *err = NULL;

	(void)state;
	ca_init_defaults(&a);
	assert_int_equal(ca_init_add_leaf(&a, "wild=*.Example.org,"
	    "example.org", &err), 0);
	assert_string_equal(a.leaves[0].grp, "example.org");
	assert_string_equal(a.leaves[0].svc, "wild");
	assert_int_equal(a.leaves[0].hosts.n, 2);
	assert_int_equal(ca_init_add_leaf(&a, "g.test:svc=a.g.test", &err),
	    0);
	assert_string_equal(a.leaves[1].grp, "g.test");
	assert_int_equal(ca_init_add_leaf(&a, "nohosts=", &err),
	    SSLM_ERR_USAGE);
	assert_non_null(strstr(err, "HOST"));
	free(err);
	assert_int_equal(ca_init_add_leaf(&a, "x=,,", &err), SSLM_ERR_USAGE);
	free(err);
	ca_init_free(&a);
}

static void
test_bad_answers_are_all_reported(void **state)
{
	struct ca_init a;
	struct strlist errs = { 0 };
	char *err = NULL;

	(void)state;
	ca_init_defaults(&a);
	ca_init_set(&a.root, "same");
	ca_init_set(&a.intr, "same");
	ca_init_set(&a.C, "Germany");
	ca_init_set(&a.email, "nobody");
	a.leaf_days = 4000;
	assert_int_equal(ca_init_add_leaf(&a, "ca:x=bad_host!", &err), 0);
	assert_int_equal(ca_init_check(&a, &errs), SSLM_ERR_USAGE);
	assert_true(has_err(&errs, "different names"));
	assert_true(has_err(&errs, "organisation (O) is required"));
	assert_true(has_err(&errs, "country (C) 'Germany'"));
	assert_true(has_err(&errs, "no '@'"));
	assert_true(has_err(&errs, "outlive"));
	assert_true(has_err(&errs, "group 'ca'"));
	assert_true(has_err(&errs, "'bad_host!'"));
	strlist_clear(&errs);
	ca_init_set(&a.root, "../etc");
	ca_init_set(&a.intr, "my.int");
	ca_init_set(&a.O, "It's");
	assert_int_equal(ca_init_check(&a, &errs), SSLM_ERR_USAGE);
	assert_true(has_err(&errs, "root CA name '../etc'"));
	/* A dot would make a nested table in ca-info.conf. */
	assert_true(has_err(&errs, "intermediate CA name 'my.int'"));
	assert_true(has_err(&errs, "no quotes"));
	strlist_clear(&errs);
	ca_init_free(&a);
}

/* A fresh topdir: every file new, and what we write loads cleanly. */
static void
test_fresh_topdir_loads(void **state)
{
	struct ca_init a;
	struct ca_init_plan p;
	struct sslm_config *cfg = NULL;
	struct sslm_service_cfg *sc = NULL;
	struct sslm_diag diag = { 0 };
	struct strlist errs = { 0 }, t = { 0 };
	char *d = tmpdir(), *err = NULL, *s;
	struct stat st;

	(void)state;
	answers(&a);
	assert_int_equal(ca_init_check(&a, &errs), 0);
	assert_int_equal(ca_init_plan(d, &a, &p, &err), 0);
	assert_int_equal(p.n, 6);
	assert_int_equal(ca_init_plan_count(&p, CA_INIT_NEW), 6);
	assert_string_equal(p.f[0].rel, "conf.d/ca/r1");
	assert_string_equal(p.f[2].rel, "conf.d/www.acme.test/web");
	assert_string_equal(p.f[5].rel, "conf.d/ssl-mgr.conf");
	assert_int_equal(ca_init_write(&p, false, &err), 0);
	ca_init_plan_free(&p);

	s = path_join(d, "conf.d/ca/r1");
	assert_int_equal(stat(s, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	free(s);
	assert_int_equal(sslm_config_load(d, &cfg, &diag), 0);
	assert_int_equal(diag.warnings.n, 0);
	assert_int_equal(cfg->n_groups, 3);
	assert_string_equal(cfg->groups[0].domain, "ca");
	assert_int_equal(cfg->groups[0].services.n, 2);
	assert_non_null(sslm_ca_find(cfg, "r1"));
	assert_int_equal(sslm_service_load(cfg, "ca", "r1", &sc, &diag), 0);
	assert_true(sc->self_signed);
	assert_int_equal(sc->sign_end_days, 3650);
	assert_string_equal(sc->CN, "Acme Ltd Root CA");
	sslm_service_free(sc);
	assert_int_equal(sslm_service_load(cfg, "ca", "i1", &sc, &diag), 0);
	assert_string_equal(sc->signing_ca, "r1");
	assert_int_equal(sc->sign_end_days, 90);
	sslm_service_free(sc);
	assert_int_equal(sslm_service_load(cfg, "www.acme.test", "web", &sc,
	    &diag), 0);
	assert_string_equal(sc->CN, "www.acme.test");
	assert_int_equal(sc->sans.n, 3);
	assert_string_equal(sc->signing_ca, "i1");
	sslm_service_free(sc);
	assert_int_equal(diag.errors.n, 0);

	ca_init_targets(&a, &t);
	assert_int_equal(t.n, 3);
	assert_string_equal(t.v[0], "ca:r1,i1");
	assert_string_equal(t.v[1], "www.acme.test:web");
	assert_string_equal(t.v[2], "acme.test:mail");

	/* The same answers again: nothing to do. */
	assert_int_equal(ca_init_plan(d, &a, &p, &err), 0);
	assert_int_equal(ca_init_plan_count(&p, CA_INIT_SAME), 6);
	ca_init_plan_free(&p);

	strlist_clear(&t);
	strlist_clear(&errs);
	sslm_diag_free(&diag);
	sslm_config_free(cfg);
	ca_init_free(&a);
	rmtree(d);
}

/* Existing confs are added to; the old text stays as it was. */
static void
test_existing_confs_are_added_to(void **state)
{
	struct ca_init a;
	struct ca_init_plan p;
	struct sslm_config *cfg = NULL;
	struct sslm_diag diag = { 0 };
	char *d = tmpdir(), *err = NULL, *s;
	const char *conf = "# mine\n[globals]\n    logdir = './logs'\n\n"
	    "[[groups]]\n    domain = 'ca'\n    services = ['old-root', # c\n"
	    "        'old-int',\n    ]\n    active = true\n\n"
	    "[[groups]]\n    domain = 'acme.test'\n    services = []\n"
	    "    active = false\n";
	const char *info = "[old-root]\n    ca_type = 'self'\n";

	(void)state;
	answers(&a);
	put(d, "conf.d/ssl-mgr.conf", conf);
	put(d, "conf.d/ca-info.conf", info);
	assert_int_equal(ca_init_plan(d, &a, &p, &err), 0);
	assert_int_equal(p.f[4].state, CA_INIT_UPDATE);
	assert_non_null(strstr(p.f[4].note, "adds [r1]"));
	assert_int_equal(p.f[5].state, CA_INIT_UPDATE);
	assert_non_null(strstr(p.f[5].note, "adds group 'www.acme.test'"));
	assert_non_null(strstr(p.f[5].note, "group 'acme.test' has active = "
	    "false"));
	assert_true(strncmp(p.f[5].text, conf, 60) == 0);
	assert_non_null(strstr(p.f[5].text, "'old-int', 'r1', 'i1'"));
	assert_non_null(strstr(p.f[5].text, "services = ['mail']"));
	assert_int_equal(ca_init_write(&p, false, &err), 0);
	ca_init_plan_free(&p);
	s = get(d, "conf.d/ca-info.conf");
	assert_true(strncmp(s, info, strlen(info)) == 0);
	free(s);
	assert_int_equal(sslm_config_load(d, &cfg, &diag), 0);
	assert_int_equal(cfg->groups[0].services.n, 4);
	assert_int_equal(cfg->groups[1].services.n, 1);
	assert_int_equal(cfg->n_cas, 3);
	/* Again: the inactive group is still noted, but nothing changes. */
	assert_int_equal(ca_init_plan(d, &a, &p, &err), 0);
	assert_int_equal(p.f[5].state, CA_INIT_SAME);
	assert_non_null(strstr(p.f[5].note, "active = false"));
	ca_init_plan_free(&p);
	sslm_config_free(cfg);
	sslm_diag_free(&diag);
	ca_init_free(&a);
	rmtree(d);
}

static void
test_conflicts_are_refused(void **state)
{
	struct ca_init a;
	struct ca_init_plan p;
	char *d = tmpdir(), *err = NULL, *s;

	(void)state;
	answers(&a);
	put(d, "conf.d/ca/r1", "name = 'mine'\n");
	assert_int_equal(ca_init_plan(d, &a, &p, &err), 0);
	assert_int_equal(p.f[0].state, CA_INIT_CONFLICT);
	assert_int_equal(ca_init_plan_refused(&p, false), 1);
	assert_int_equal(ca_init_plan_refused(&p, true), 0);
	assert_int_equal(ca_init_write(&p, false, &err), SSLM_ERR_STATE);
	assert_non_null(strstr(err, "conf.d/ca/r1"));
	free(err);
	s = path_join(d, "conf.d/ca/i1");
	assert_int_not_equal(access(s, F_OK), 0);	/* nothing written */
	free(s);
	assert_int_equal(ca_init_write(&p, true, &err), 0);
	ca_init_plan_free(&p);
	s = get(d, "conf.d/ca/r1");
	assert_non_null(strstr(s, "signing_ca = 'self'"));
	free(s);

	/* A ca-info table of another kind can never be forced. */
	put(d, "conf.d/ca-info.conf", "[i1]\n    ca_type = 'letsencrypt'\n");
	assert_int_equal(ca_init_plan(d, &a, &p, &err), 0);
	assert_int_equal(p.f[4].state, CA_INIT_CONFLICT);
	assert_int_equal(ca_init_plan_refused(&p, true), 1);
	assert_int_equal(ca_init_write(&p, true, &err), SSLM_ERR_STATE);
	free(err);
	ca_init_plan_free(&p);

	/* A broken ssl-mgr.conf is reported, not edited. */
	put(d, "conf.d/ssl-mgr.conf", "[[groups]\n");
	assert_int_not_equal(ca_init_plan(d, &a, &p, &err), 0);
	assert_non_null(strstr(err, "ssl-mgr.conf"));
	free(err);
	ca_init_free(&a);
	rmtree(d);
}

static void
test_args_round_trip_and_trust_text(void **state)
{
	struct ca_init a;
	struct strlist args = { 0 };
	struct buf b;

	(void)state;
	answers(&a);
	ca_init_to_args(&a, &args);
	assert_string_equal(args.v[0], "--root");
	assert_true(strlist_has(&args, "www.acme.test:web=www.acme.test,"
	    "acme.test,10.0.0.1"));
	assert_true(strlist_has(&args, "ec:secp384r1"));
	buf_init(&b, 1 << 16);
	ca_init_trust_text("/top", "r1", &b);
	assert_non_null(strstr(b.p, "/usr/local/share/ca-certificates/r1.crt"));
	assert_non_null(strstr(b.p, "update-ca-certificates"));
	assert_non_null(strstr(b.p, "ROOT=/top/certs/ca/r1/curr/cert.pem\n"));
	assert_non_null(strstr(b.p, "trust anchor --store \"$ROOT\""));
	assert_non_null(strstr(b.p, "certutil -d sql:$HOME/.pki/nssdb -A -t "
	    "\"C,,\" -n r1 -i \"$ROOT\""));
	buf_free(&b);
	strlist_clear(&args);
	ca_init_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_specs),
		cmocka_unit_test(test_leaf_specs),
		cmocka_unit_test(test_bad_answers_are_all_reported),
		cmocka_unit_test(test_fresh_topdir_loads),
		cmocka_unit_test(test_existing_confs_are_added_to),
		cmocka_unit_test(test_conflicts_are_refused),
		cmocka_unit_test(test_args_round_trip_and_trust_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
