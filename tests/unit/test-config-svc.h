/*
 * test-config-svc.h - the service file cases of test-config.c (spec §5,
 * §2.4): the fixture services field by field, key options, CA groups,
 * digests, bad names, and listing.  A header only because the build makes
 * one executable from one source per unit test; included once, after the
 * helpers it uses.
 */

static struct sslm_service_cfg *
load_svc(struct sslm_config *cfg, const char *grp, const char *svc)
{
	struct sslm_service_cfg *s = NULL;
	struct sslm_diag d = { { 0 }, { 0 } };

	if (sslm_service_load(cfg, grp, svc, &s, &d) != 0) {
		dump_list("error", &d.errors);
		fail_msg("%s:%s did not load", grp, svc);
	}
	assert_int_equal(d.warnings.n, 0);
	sslm_diag_free(&d);
	return s;
}

static void
test_svc_full_mail_ec(void **state)
{
	struct sslm_diag d = { { 0 }, { 0 } };
	struct sslm_config *cfg = load_fixture("full", &d, 0);
	struct sslm_service_cfg *s = load_svc(cfg, "example.com", "mail-ec");

	(void)state;
	assert_string_equal(s->name, "Example.com Mail");
	assert_string_equal(s->grp, "example.com");
	assert_string_equal(s->svc, "mail-ec");
	assert_string_equal(s->signing_ca, "le-dns");
	assert_false(s->self_signed);
	assert_false(s->is_ca);
	assert_true(s->has_renew_expire_days);
	assert_true(s->renew_expire_days == 30);
	assert_int_equal(s->n_dane, 3);
	assert_int_equal(s->dane[0].port, 25);
	assert_string_equal(s->dane[0].proto, "tcp");
	assert_string_equal(s->dane[0].subtype, "MX");	/* 'mx' upper-cased */
	assert_string_equal(s->dane[1].proto, "tcp");	/* 'TCP' */
	assert_int_equal(s->dane[1].usage, 2);
	assert_int_equal(s->dane[1].selector, 0);
	assert_int_equal(s->dane[1].mtype, 2);
	assert_string_equal(s->dane[1].subtype, "SANS");
	assert_string_equal(s->dane[2].subtype, "");
	assert_int_equal(s->dane_tls_ttl, 600);
	assert_int_equal(s->ktype, SSLM_KEY_EC);
	assert_string_equal(s->ec_curve, "secp256r1");	/* lower-cased */
	assert_int_equal(s->rsa_bits, 4096);
	assert_string_equal(s->CN, "example.com");
	assert_string_equal(s->OU, "IT Mail");
	assert_string_equal(s->L, "Springfield");
	assert_string_equal(s->ST, "NY");
	assert_string_equal(s->C, "US");
	assert_string_equal(s->email, "hostmaster@example.com");
	assert_int_equal(s->sans.n, 5);
	assert_string_equal(s->sans.v[2], "*.mail.example.com");
	assert_string_equal(s->sans.v[4], "2001:db8::25");
	assert_false(s->has_ca_section);
	assert_int_equal(s->sign_end_days, -1);
	assert_string_equal(s->digest, "sha384");
	sslm_service_free(s);
	sslm_service_free(NULL);
	sslm_config_free(cfg);
	sslm_diag_free(&d);
}

/* `bits` (upstream's example, ignored there) and rsa_bits as a string. */
static void
test_svc_key_options(void **state)
{
	struct sslm_diag d = { { 0 }, { 0 } };
	struct sslm_config *cfg = load_fixture("full", &d, 0);
	struct sslm_service_cfg *s;

	(void)state;
	s = load_svc(cfg, "example.com", "mail-rsa");
	assert_int_equal(s->ktype, SSLM_KEY_RSA);
	assert_int_equal(s->rsa_bits, 3072);
	assert_string_equal(s->OU, "");
	assert_null(s->email);
	assert_int_equal(s->dane_tls_ttl, 1800);
	assert_false(s->has_renew_expire_days);
	sslm_service_free(s);
	s = load_svc(cfg, "example.com", "web-ec");
	assert_int_equal(s->ktype, SSLM_KEY_ED25519);
	assert_int_equal(s->rsa_bits, 8192);
	assert_string_equal(s->CN, "www.example.com");	/* local CA: free */
	sslm_service_free(s);
	sslm_config_free(cfg);
	sslm_diag_free(&d);
}

static void
test_svc_ca_group(void **state)
{
	struct sslm_diag d = { { 0 }, { 0 } };
	struct sslm_config *cfg = load_fixture("full", &d, 0);
	struct sslm_service_cfg *s;

	(void)state;
	s = load_svc(cfg, "ca", "my-root");
	assert_true(s->is_ca);
	assert_true(s->self_signed);
	assert_string_equal(s->signing_ca, "self");
	assert_true(s->has_ca_section);
	assert_int_equal(s->sign_end_days, 3650);
	assert_string_equal(s->digest, "sha3_512");	/* 'SHA3-512' */
	assert_int_equal(s->sans.n, 0);
	sslm_service_free(s);
	s = load_svc(cfg, "ca", "my-sub");
	assert_false(s->self_signed);
	assert_int_equal(s->sign_end_days, 90);
	assert_string_equal(s->digest, "sha384");
	assert_int_equal(s->ktype, SSLM_KEY_EC);	/* empty [KeyOpts] */
	assert_string_equal(s->ec_curve, "secp384r1");
	sslm_service_free(s);
	sslm_config_free(cfg);
	sslm_diag_free(&d);
}

/* '' and a missing signing_ca both mean self-signed; CA group any case. */
static void
test_svc_self_signed_forms(void **state)
{
	struct sslm_config *cfg;
	struct sslm_service_cfg *s;
	char *top;

	(void)state;
	cfg = svc_setup(&top, HEAD "signing_ca = ''\n" X509);
	s = load_svc(cfg, "example.com", "web");
	assert_true(s->self_signed);
	assert_false(s->is_ca);
	assert_string_equal(s->signing_ca, "");
	sslm_service_free(s);
	put_file(top, SVC, HEAD X509);
	s = load_svc(cfg, "example.com", "web");
	assert_true(s->self_signed);
	assert_null(s->signing_ca);
	sslm_service_free(s);
	put_file(top, "conf.d/CA/root", "name = 'R'\ngroup = 'CA'\n"
	    "service = 'root'\n" X509 "[CA]\ndigest = 'sha3-256'\n");
	s = load_svc(cfg, "CA", "root");
	assert_true(s->is_ca);
	assert_string_equal(s->digest, "sha3_256");
	sslm_service_free(s);
	sslm_config_free(cfg);
	rm_tree(top);
}

static void
test_svc_digests(void **state)
{
	static const char *const in[] = {
		"sha224", "SHA256", "sha512", "sha3_224", "sha3-384", "md5"
	};
	static const char *const out[] = {
		"sha224", "sha256", "sha512", "sha3_224", "sha3_384", "sha256"
	};
	struct sslm_config *cfg;
	struct sslm_service_cfg *s = NULL;
	struct sslm_diag d = { { 0 }, { 0 } };
	char *top, *text;

	(void)state;
	cfg = svc_setup(&top, NULL);
	for (size_t i = 0; i < NELEM(in); i++) {
		text = xasprintf(HEAD X509 "[CA]\ndigest = '%s'\n", in[i]);
		put_file(top, SVC, text);
		free(text);
		assert_int_equal(sslm_service_load(cfg, "example.com", "web",
		    &s, &d), 0);
		assert_string_equal(s->digest, out[i]);
		assert_int_equal(d.warnings.n, i == NELEM(in) - 1 ? 1 : 0);
		sslm_service_free(s);
	}
	sslm_diag_free(&d);
	sslm_config_free(cfg);
	rm_tree(top);
}

static void
test_svc_missing_and_bad_names(void **state)
{
	static const char *const bad[][2] = {
		{ "../x", "web" }, { "example.com", "a/b" },
		{ "example.com", ".." }, { "example.com", ".hidden" },
		{ "a/b", "web" }, { "", "web" }, { "example.com", "" },
	};
	struct sslm_config *cfg;
	struct sslm_service_cfg *s = (void *)1;
	struct sslm_diag d = { { 0 }, { 0 } };
	char *top, *want;

	(void)state;
	cfg = svc_setup(&top, NULL);
	assert_int_equal(sslm_service_load(cfg, "example.com", "nope", &s, &d),
	    SSLM_ERR_NOTFOUND);
	assert_null(s);
	expect_msg(&d.errors, top, "conf.d/example.com/nope: missing (no "
	    "config for this service)");
	for (size_t i = 0; i < NELEM(bad); i++) {
		sslm_diag_free(&d);
		assert_int_equal(sslm_service_load(cfg, bad[i][0], bad[i][1],
		    &s, &d), SSLM_ERR_CONFIG);
		want = xasprintf("%s:%s: invalid group or service name",
		    bad[i][0], bad[i][1]);
		expect_msg(&d.errors, NULL, want);
		free(want);
	}
	/* A syntax error in the service file. */
	sslm_diag_free(&d);
	put_file(top, SVC, HEAD "dane_tls = [[25,\n");
	assert_int_equal(sslm_service_load(cfg, "example.com", "web", &s, &d),
	    SSLM_ERR_CONFIG);
	want = xasprintf("%s/" SVC ":", top);
	assert_int_equal(strncmp(d.errors.v[0], want, strlen(want)), 0);
	free(want);
	sslm_diag_free(&d);
	sslm_config_free(cfg);
	rm_tree(top);
}

/* No ca-info.conf: a warning at load, an error for a service using a CA. */
static void
test_svc_without_ca_info(void **state)
{
	struct sslm_config *cfg = NULL;
	struct sslm_service_cfg *s = NULL;
	struct sslm_diag d = { { 0 }, { 0 } };
	char *top = tmp_top();

	(void)state;
	put_file(top, MAIN, GROUPS);
	put_file(top, SVC, HEAD "signing_ca = 'le-dns'\n" X509);
	assert_int_equal(sslm_config_load(top, &cfg, &d), 0);
	expect_msg(&d.warnings, top, CAINFO ": missing: no CAs defined");
	sslm_diag_free(&d);
	assert_int_equal(sslm_service_load(cfg, "example.com", "web", &s, &d),
	    SSLM_ERR_CONFIG);
	expect_msg(&d.errors, top, SVC ":4: unknown signing CA 'le-dns'");
	sslm_diag_free(&d);
	sslm_config_free(cfg);
	rm_tree(top);
}

static void
test_list_services(void **state)
{
	struct sslm_diag d = { { 0 }, { 0 } };
	struct sslm_config *cfg = load_fixture("full", &d, 0);
	struct strlist l = { NULL, 0, 0 };

	(void)state;
	assert_int_equal(sslm_list_services(cfg, "example.com", &l), 0);
	assert_int_equal(l.n, 3);		/* 'notes' is not one */
	assert_string_equal(l.v[0], "mail-ec");
	assert_string_equal(l.v[1], "mail-rsa");
	assert_string_equal(l.v[2], "web-ec");
	assert_int_equal(sslm_list_services(cfg, "ca", &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "my-root");
	assert_int_equal(sslm_list_services(cfg, "example.org", &l),
	    SSLM_ERR_NOTFOUND);
	assert_int_equal(l.n, 2);		/* untouched on failure */
	assert_int_equal(sslm_list_services(cfg, "../conf.d", &l),
	    SSLM_ERR_CONFIG);
	strlist_clear(&l);
	assert_false(sslm_is_service_file(NULL));
	assert_false(sslm_is_service_file(cfg->conf_dir));	/* a dir */
	assert_false(sslm_is_service_file("/nonexistent/x"));
	sslm_config_free(cfg);
	sslm_diag_free(&d);
}
