/*
 * test-opts.c - upstream's command line: spellings, prefixes, values, dev
 * mode, errors, and the grp:svc target syntax.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "opts.h"

/* Parses a space-separated command line; returns the sslm_err. */
static int
parse(const char *line, struct sslm_opts *o, char **err)
{
	char *copy = strdup(line), *save, *tok, *argv[32];
	int argc = 0, r;

	for (tok = strtok_r(copy, " ", &save); tok && argc < 32;
	    tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	r = sslm_opts_parse(argc, argv, o, err);
	free(copy);
	return r;
}

static void
test_both_spellings(void **state)
{
	static const char *lines[] = { "-renew", "--renew", "-ren", "--ren" };
	struct sslm_opts o;
	char *err;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(parse(lines[i], &o, &err), 0);
		assert_true(o.renew);
		assert_false(o.roll);
		sslm_opts_free(&o);
	}
}

static void
test_flags(void **state)
{
	struct sslm_opts o;
	char *err;

	(void)state;
	assert_int_equal(parse("-roll -f -v -s -t -d -n -r -dns -clean-all",
	    &o, &err), 0);
	assert_true(o.roll && o.force && o.verb && o.status && o.test &&
	    o.debug && o.dry_run && o.reuse && o.dns_refresh && o.clean_all);
	assert_false(o.renew || o.dev);
	sslm_opts_free(&o);
}

static void
test_int_values(void **state)
{
	struct sslm_opts o;
	char *err;

	(void)state;
	assert_int_equal(parse("-roll-mins 30 -clean-keep=3", &o, &err), 0);
	assert_true(o.min_roll_mins_set);
	assert_int_equal(o.min_roll_mins, 30);
	assert_true(o.clean_keep_set);
	assert_int_equal(o.clean_keep, 3);
	sslm_opts_free(&o);
	assert_int_equal(parse("--min-roll-mins=0", &o, &err), 0);
	assert_int_equal(o.min_roll_mins, 0);
	sslm_opts_free(&o);
	assert_int_equal(parse("-clean-keep", &o, &err), SSLM_ERR_USAGE);
	assert_non_null(strstr(err, "expects a value"));
	free(err);
	sslm_opts_free(&o);
	assert_int_equal(parse("-clean-keep ten", &o, &err), SSLM_ERR_USAGE);
	assert_non_null(strstr(err, "not a whole number: 'ten'"));
	free(err);
	sslm_opts_free(&o);
}

static void
test_ambiguous_and_unknown(void **state)
{
	struct sslm_opts o;
	char *err;

	(void)state;
	/* -ro: -roll and -roll-mins */
	assert_int_equal(parse("-ro", &o, &err), SSLM_ERR_USAGE);
	assert_non_null(strstr(err, "ambiguous"));
	free(err);
	sslm_opts_free(&o);
	assert_int_equal(parse("-bogus", &o, &err), SSLM_ERR_USAGE);
	assert_non_null(strstr(err, "unrecognized argument: -bogus"));
	free(err);
	sslm_opts_free(&o);
	assert_int_equal(parse("-renew=1", &o, &err), SSLM_ERR_USAGE);
	free(err);
	sslm_opts_free(&o);
}

static void
test_dev_mode(void **state)
{
	struct sslm_opts o;
	char *err;

	(void)state;
	assert_int_equal(parse("dev -keys -csr -cert -copy -ntoc -certs-prod "
	    "-fsr", &o, &err), 0);
	assert_true(o.dev && o.new_keys && o.new_csr && o.new_cert &&
	    o.copy_csr && o.next_to_curr && o.certs_to_prod &&
	    o.force_server_restarts);
	sslm_opts_free(&o);
	assert_int_equal(parse("dev --new-keys --next-to-curr", &o, &err), 0);
	assert_true(o.new_keys && o.next_to_curr);
	sslm_opts_free(&o);
	/* dev options without "dev" */
	assert_int_equal(parse("-keys", &o, &err), SSLM_ERR_USAGE);
	assert_non_null(strstr(err, "dev option"));
	free(err);
	sslm_opts_free(&o);
	/* "dev" anywhere but first is a target */
	assert_int_equal(parse("-s dev", &o, &err), 0);
	assert_false(o.dev);
	assert_int_equal(o.targets.n, 1);
	sslm_opts_free(&o);
}

static void
test_targets_and_json(void **state)
{
	struct sslm_opts o;
	char *err;

	(void)state;
	assert_int_equal(parse("-s --json a.com:x b.com -- -odd", &o, &err), 0);
	assert_true(o.json);
	assert_int_equal(o.targets.n, 3);
	assert_string_equal(o.targets.v[2], "-odd");
	sslm_opts_free(&o);
	assert_int_equal(parse("--json", &o, &err), SSLM_ERR_USAGE);
	free(err);
	sslm_opts_free(&o);
}

static void
test_mutates(void **state)
{
	struct sslm_opts o;
	char *err;

	(void)state;
	assert_int_equal(parse("-s -v", &o, &err), 0);
	assert_false(sslm_opts_mutates(&o));
	sslm_opts_free(&o);
	assert_int_equal(parse("-s -roll", &o, &err), 0);
	assert_true(sslm_opts_mutates(&o));
	sslm_opts_free(&o);
}

static void
test_target_parse(void **state)
{
	struct strlist w = { 0 };
	struct sslm_target *t;
	size_t n;
	char *err;

	(void)state;
	strlist_add(&w, "example.com:web,mail");
	strlist_add(&w, "ca");
	strlist_add(&w, "example.com:mail,wild");
	strlist_add(&w, "example.net:ALL");
	strlist_add(&w, "example.org:*");
	strlist_add(&w, "x.org:");
	assert_int_equal(sslm_targets_parse(&w, &t, &n, &err), 0);
	assert_int_equal(n, 5);
	assert_string_equal(t[0].grp, "example.com");
	assert_int_equal(t[0].svcs.n, 3);	/* web, mail, wild: merged */
	assert_string_equal(t[0].svcs.v[2], "wild");
	assert_false(t[0].all);
	assert_string_equal(t[1].grp, "ca");
	assert_true(t[1].all);			/* bare group */
	assert_true(t[2].all);
	assert_true(t[3].all);
	assert_true(t[4].all);			/* "grp:" */
	sslm_targets_free(t, n);
	strlist_clear(&w);

	strlist_add(&w, "../etc:x");
	assert_int_equal(sslm_targets_parse(&w, &t, &n, &err), SSLM_ERR_USAGE);
	assert_non_null(strstr(err, "bad group name"));
	free(err);
	strlist_clear(&w);
	strlist_add(&w, "a.com:x/y");
	assert_int_equal(sslm_targets_parse(&w, &t, &n, &err), SSLM_ERR_USAGE);
	assert_non_null(strstr(err, "bad service name 'x/y'"));
	free(err);
	strlist_clear(&w);
}

static void
test_help(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 20);
	sslm_opts_help(false, "ssl-mgr", &b);
	assert_non_null(strstr(b.p, "-renew, --renew"));
	assert_non_null(strstr(b.p, "-roll-mins M, --min-roll-mins M"));
	assert_null(strstr(b.p, "--new-keys"));
	buf_free(&b);
	sslm_opts_help(true, "ssl-mgr", &b);
	assert_non_null(strstr(b.p, "-keys, --new-keys"));
	assert_non_null(strstr(b.p, "SSL Manager Dev Mode"));
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_spellings),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_int_values),
		cmocka_unit_test(test_ambiguous_and_unknown),
		cmocka_unit_test(test_dev_mode),
		cmocka_unit_test(test_targets_and_json),
		cmocka_unit_test(test_mutates),
		cmocka_unit_test(test_target_parse),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
