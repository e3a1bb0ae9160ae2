/*
 * test-acme.c - the ACME client's parsers and its account storage
 * (core/acme*.c, core/http.c), without a network.
 *
 * Behaviours covered:
 *  - RFC 7807 problem documents: type, detail, status, subproblems with
 *    their identifiers; control characters made safe; garbage refused
 *  - Retry-After in delta-seconds and the three HTTP-date forms; junk is
 *    "no value"; a past date means "now"
 *  - Link headers: several links per value, quoted and unquoted rel, rel
 *    lists, other parameters (with quoted commas) ignored
 *  - the RFC 9773 certificate identifier of its own example; none without
 *    an AKI key identifier
 *  - RFC 3339 timestamps (fractions, offsets) and refusals
 *  - certbot's server directory naming; no path escape
 *  - the poll delay: Retry-After wins, else 50 ms doubling to a ceiling,
 *    never past the deadline
 *  - JSON responses: wrong content type, bad JSON, non-objects refused
 *  - client options: https only, EAB needs both halves
 *  - account storage: a certbot account (RSA private_key.json + regr.json,
 *    made here from a fresh key) is imported and saved in our form with
 *    mode 0600; our form is preferred afterwards; a key readable by others
 *    is refused; a fresh P-256 key is generated when there is nothing
 */
#include <sys/stat.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "acme-priv.h"
#include "err.h"
#include "http.h"
#include "jws.h"
#include "log.h"
#include "store.h"
#include "util.h"

static struct strlist	logged;

static void
sink(void *ctx, enum sslm_level lvl, const char *msg)
{
	(void)ctx;
	(void)lvl;
	strlist_add(&logged, msg);
}

static bool
logged_has(const char *needle)
{
	size_t i;

	for (i = 0; i < logged.n; i++)
		if (strstr(logged.v[i], needle) != NULL)
			return true;
	return false;
}

static void
problem_documents(void **state)
{
	struct acme_problem p;

	(void)state;
	assert_int_equal(acme_problem_parse("{\"type\":"
	    "\"urn:ietf:params:acme:error:badCSR\",\"detail\":\"key too "
	    "small\",\"status\":400}", &p), 0);
	assert_string_equal(p.type, "urn:ietf:params:acme:error:badCSR");
	assert_string_equal(p.detail, "key too small");
	assert_int_equal(p.status, 400);
	assert_null(p.sub);
	acme_problem_free(&p);

	assert_int_equal(acme_problem_parse("{\"type\":"
	    "\"urn:ietf:params:acme:error:malformed\",\"detail\":\"Some of "
	    "the identifiers requested were rejected\",\"subproblems\":[{"
	    "\"type\":\"urn:ietf:params:acme:error:malformed\",\"detail\":"
	    "\"Invalid underscore in DNS name\",\"identifier\":{\"type\":"
	    "\"dns\",\"value\":\"_example.org\"}},{\"type\":"
	    "\"urn:ietf:params:acme:error:rejectedIdentifier\",\"detail\":"
	    "\"policy forbids\",\"identifier\":{\"type\":\"dns\",\"value\":"
	    "\"example.net\"}}]}", &p), 0);
	assert_non_null(p.sub);
	assert_non_null(strstr(p.sub, "_example.org: urn:ietf:params:acme:"
	    "error:malformed Invalid underscore"));
	assert_non_null(strstr(p.sub, "; example.net: urn:ietf:params:acme:"
	    "error:rejectedIdentifier policy forbids"));
	acme_problem_free(&p);

	/* escape sequences from the server never reach a terminal */
	assert_int_equal(acme_problem_parse("{\"type\":\"t\",\"detail\":"
	    "\"a\\u001b[2Jb\\nc\"}", &p), 0);
	assert_string_equal(p.detail, "a?[2Jb?c");
	acme_problem_free(&p);

	assert_int_equal(acme_problem_parse("{\"detail\":\"no type\"}", &p),
	    SSLM_ERR_PARSE);
	assert_int_equal(acme_problem_parse("<html>502</html>", &p),
	    SSLM_ERR_PARSE);
	assert_int_equal(acme_problem_parse("[1,2]", &p), SSLM_ERR_PARSE);
	assert_int_equal(acme_problem_parse("{\"type\":1}", &p),
	    SSLM_ERR_PARSE);
	assert_int_equal(acme_problem_parse("{\"type\":\"a\",\"type\":\"b\"}",
	    &p), SSLM_ERR_PARSE);
}

static void
retry_after_forms(void **state)
{
	/* Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example) */
	time_t t = 784111777;

	(void)state;
	assert_int_equal(http_retry_after_parse("120", t), 120);
	assert_int_equal(http_retry_after_parse(" 0 ", t), 0);
	assert_int_equal(http_retry_after_parse("Sun, 06 Nov 1994 08:49:37 "
	    "GMT", t - 30), 30);
	assert_int_equal(http_retry_after_parse("Sunday, 06-Nov-94 "
	    "08:49:37 GMT", t - 30), 30);
	assert_int_equal(http_retry_after_parse("Sun Nov  6 08:49:37 1994",
	    t - 30), 30);
	assert_int_equal(http_retry_after_parse("Sun, 06 Nov 1994 08:49:37 "
	    "GMT", t + 100), 0);
	assert_int_equal(http_retry_after_parse("soon", t), -1);
	assert_int_equal(http_retry_after_parse("12abc", t), -1);
	assert_int_equal(http_retry_after_parse("-5", t), -1);
	assert_int_equal(http_retry_after_parse("99999999999999999999", t),
	    -1);
	assert_int_equal(http_retry_after_parse(NULL, t), -1);
}

static void
link_headers(void **state)
{
	struct strlist l = { 0 };

	(void)state;
	assert_int_equal(http_link_parse("<https://ca/cert/1/1>;rel="
	    "\"alternate\", <https://ca/dir>;rel=\"index\", "
	    "<https://ca/cert/1/2> ; rel=alternate", "alternate", &l), 2);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "https://ca/cert/1/1");
	assert_string_equal(l.v[1], "https://ca/cert/1/2");
	strlist_clear(&l);

	assert_int_equal(http_link_parse("<https://ca/issuer>; title=\"a, "
	    "b; c\"; rel=\"up alternate\"", "up", &l), 1);
	assert_string_equal(l.v[0], "https://ca/issuer");
	strlist_clear(&l);

	/* a comma inside the URI is part of it */
	assert_int_equal(http_link_parse("<https://ca/a,b>;rel=ALTERNATE",
	    "alternate", &l), 1);
	assert_string_equal(l.v[0], "https://ca/a,b");
	strlist_clear(&l);

	assert_int_equal(http_link_parse("<https://ca/x>;rel=\"index\"",
	    "alternate", &l), 0);
	assert_int_equal(http_link_parse("garbage", "alternate", &l), 0);
	assert_int_equal(http_link_parse("<unterminated;rel=alternate",
	    "alternate", &l), 0);
	assert_int_equal(http_link_parse("", "alternate", &l), 0);
	assert_int_equal(l.n, 0);
}

/* A certificate with only what the ARI id needs. */
static X509 *
ari_cert(bool with_aki)
{
	static const unsigned char kid[] = { 0x69, 0x88, 0x5B, 0x6B, 0x87,
	    0x46, 0x40, 0x41, 0xE1, 0xB3, 0x7B, 0x84, 0x7B, 0xA0, 0xAE, 0x2C,
	    0xDE, 0x01, 0xC8, 0xD4 };
	AUTHORITY_KEYID *ak;
	X509 *x = X509_new();

	ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), 0x87654321);
	if (with_aki) {
		ak = AUTHORITY_KEYID_new();
		ak->keyid = ASN1_OCTET_STRING_new();
		ASN1_OCTET_STRING_set(ak->keyid, kid, sizeof(kid));
		X509_add1_ext_i2d(x, NID_authority_key_identifier, ak, 0, 0);
		AUTHORITY_KEYID_free(ak);
	}
	return x;
}

static void
ari_cert_id_rfc9773(void **state)
{
	X509 *x = ari_cert(true);
	char *id;

	(void)state;
	/* RFC 9773 4.1: keyIdentifier 69:88:...:D4, serial 00:87:65:43:21 */
	id = acme_ari_cert_id(x);
	assert_string_equal(id, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
	free(id);
	X509_free(x);
	x = ari_cert(false);
	assert_null(acme_ari_cert_id(x));
	X509_free(x);
}

static void
rfc3339_times(void **state)
{
	time_t t;

	(void)state;
	assert_int_equal(acme_time_parse("2025-01-02T04:00:00Z", &t), 0);
	assert_int_equal(t, 1735790400);
	assert_int_equal(acme_time_parse("2025-01-02T04:00:00.123456789Z",
	    &t), 0);
	assert_int_equal(t, 1735790400);
	assert_int_equal(acme_time_parse("2025-01-02T06:00:00+02:00", &t),
	    0);
	assert_int_equal(t, 1735790400);
	assert_int_equal(acme_time_parse("2025-01-01T23:30:00-04:30", &t),
	    0);
	assert_int_equal(t, 1735790400);
	assert_int_equal(acme_time_parse("2025-01-02", &t), SSLM_ERR_PARSE);
	/* One-digit offsets ran past the end of the string (fuzzing). */
	assert_int_equal(acme_time_parse("2026-01-01T00:00:00-2:00", &t),
	    SSLM_ERR_PARSE);
	assert_int_equal(acme_time_parse("2026-01-01T00:00:00+02:0", &t),
	    SSLM_ERR_PARSE);
	assert_int_equal(acme_time_parse("2026-01-01T00:00:00+", &t),
	    SSLM_ERR_PARSE);
	assert_int_equal(acme_time_parse("2025-13-02T04:00:00Z", &t),
	    SSLM_ERR_PARSE);
	assert_int_equal(acme_time_parse("2025-01-02T04:00:00", &t),
	    SSLM_ERR_PARSE);
	assert_int_equal(acme_time_parse("2025-01-02T04:00:00Zjunk", &t),
	    SSLM_ERR_PARSE);
}

static void
server_dirnames(void **state)
{
	char *s;

	(void)state;
	s = acme_server_dirname(ACME_LE_PRODUCTION);
	assert_string_equal(s, "acme-v02.api.letsencrypt.org/directory");
	free(s);
	s = acme_server_dirname("https://127.0.0.1:14000/dir/");
	assert_string_equal(s, "127.0.0.1:14000/dir");
	free(s);
	s = acme_server_dirname("https://evil/../../etc?x=1");
	assert_null(strstr(s, ".."));
	assert_null(strchr(s, '?'));
	free(s);
}

static void
poll_delays(void **state)
{
	struct http_resp r;
	long long b = ACME_POLL_FIRST_MS, far = acme_now_ms() + 3600000;

	(void)state;
	http_resp_init(&r);
	assert_int_equal(acme_poll_delay(&r, &b, far), 50);
	assert_int_equal(acme_poll_delay(&r, &b, far), 100);
	assert_int_equal(acme_poll_delay(&r, &b, far), 200);
	b = 1500;
	assert_int_equal(acme_poll_delay(&r, &b, far), 1500);
	assert_int_equal(acme_poll_delay(&r, &b, far), ACME_POLL_MAX_MS);
	assert_int_equal(acme_poll_delay(&r, &b, far), ACME_POLL_MAX_MS);
	r.retry_after = 7;
	assert_int_equal(acme_poll_delay(&r, &b, far), 7000);
	r.retry_after = 0;	/* "now" still waits a little */
	assert_int_equal(acme_poll_delay(&r, &b, far), ACME_POLL_FIRST_MS);
	r.retry_after = 100;	/* never past the deadline */
	assert_true(acme_poll_delay(&r, &b, acme_now_ms() + 300) <= 300);
	assert_int_equal(acme_poll_delay(&r, &b, acme_now_ms() - 10), 0);
}

static void
json_responses(void **state)
{
	struct acme_client *c;
	struct acme_opts o = { .directory = "https://ca.invalid/dir",
	    .who = "g:s" };
	struct http_resp r;
	json_t *j;

	(void)state;
	assert_int_equal(acme_client_new(&o, &c), 0);
	http_resp_init(&r);
	r.code = 200;
	r.content_type = xstrdup("text/html; charset=utf-8");
	assert_int_equal(buf_add(&r.body, "{}", 2), 0);
	assert_int_equal(acme_resp_json(c, "order", &r, &j), SSLM_ERR_ACME);
	assert_true(logged_has("g:s: order: expected application/json, got "
	    "text/html"));
	free(r.content_type);
	r.content_type = xstrdup("application/json; charset=utf-8");
	assert_true(http_resp_is(&r, "application/json"));
	assert_false(http_resp_is(&r, "application/jso"));
	assert_int_equal(acme_resp_json(c, "order", &r, &j), 0);
	json_decref(j);
	http_resp_free(&r);
	r.content_type = xstrdup("application/json");
	assert_int_equal(buf_add(&r.body, "{\"a\":", 5), 0);
	assert_int_equal(acme_resp_json(c, "order", &r, &j), SSLM_ERR_ACME);
	assert_true(logged_has("g:s: order: bad JSON"));
	http_resp_free(&r);
	r.content_type = xstrdup("application/json");
	assert_int_equal(buf_add(&r.body, "[]", 2), 0);
	assert_int_equal(acme_resp_json(c, "order", &r, &j), SSLM_ERR_ACME);
	assert_null(j);
	http_resp_free(&r);
	/* bodies are bounded */
	http_resp_init(&r);
	assert_int_equal(r.body.max, HTTP_BODY_MAX);
	acme_client_free(c);
}

static void
client_options(void **state)
{
	struct acme_client *c;
	struct acme_opts o = { .directory = "http://ca.invalid/dir" };

	(void)state;
	assert_int_equal(acme_client_new(&o, &c), SSLM_ERR_CONFIG);
	assert_null(c);
	o.directory = "https://ca.invalid/dir";
	o.eab_kid = "kid";
	assert_int_equal(acme_client_new(&o, &c), SSLM_ERR_CONFIG);
	o.eab_hmac_key = "AAAA";
	assert_int_equal(acme_client_new(&o, &c), 0);
	acme_client_free(c);
	acme_client_free(NULL);
}

/* Writes certbot's account files for key k under dir. */
static void
certbot_fixture(const char *dir, EVP_PKEY *k, const char *uri)
{
	static const char *names[] = { "n", "e", "d", "p", "q", "dp", "dq",
	    "qi" };
	static const char *params[] = { OSSL_PKEY_PARAM_RSA_N,
	    OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
	    OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
	    OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
	    OSSL_PKEY_PARAM_RSA_COEFFICIENT1 };
	json_t *o = json_pack("{s:s}", "kty", "RSA");
	unsigned char buf[1024];
	BIGNUM *bn = NULL;
	char *s, *path, *regr;
	size_t i;
	int n;

	for (i = 0; i < 8; i++) {
		assert_int_equal(EVP_PKEY_get_bn_param(k, params[i], &bn), 1);
		n = BN_bn2bin(bn, buf);
		s = b64url_encode(buf, (size_t)n);
		json_object_set_new(o, names[i], json_string(s));
		free(s);
		BN_free(bn);
		bn = NULL;
	}
	s = json_dumps(o, 0);
	path = xasprintf("%s/private_key.json", dir);
	assert_int_equal(store_mkdir_p(dir, 0700), 0);
	assert_int_equal(store_write_file(path, s, strlen(s), 0400), 0);
	free(path);
	free(s);
	json_decref(o);
	regr = xasprintf("{\"body\": {\"contact\": []}, \"uri\": \"%s\"}",
	    uri);
	path = xasprintf("%s/regr.json", dir);
	assert_int_equal(store_write_file(path, regr, strlen(regr), 0644), 0);
	free(path);
	free(regr);
	path = xasprintf("%s/meta.json", dir);
	assert_int_equal(store_write_file(path, "{}", 2, 0644), 0);
	free(path);
}

static void
account_storage(void **state)
{
	char tmpl[] = "/tmp/test-acme.XXXXXX", *cb, *ours, *acct;
	struct acme_opts o = { .directory = ACME_LE_PRODUCTION, .who = "g:s" };
	struct acme_client *c;
	struct stat st;
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	cb = xasprintf("%s/cb/accounts/acme-v02.api.letsencrypt.org/"
	    "directory/0123abcd", tmpl);
	certbot_fixture(cb, k, "https://acme-v02.api.letsencrypt.org/acme/"
	    "acct/42");
	acct = xasprintf("%s/cb", tmpl);
	o.account_dir = acct;

	/* imported, and saved in our form */
	assert_int_equal(acme_client_new(&o, &c), 0);
	assert_int_equal(acme_account_key(c), 0);
	assert_int_equal(EVP_PKEY_eq(c->key, k), 1);
	assert_string_equal(c->kid, "https://acme-v02.api.letsencrypt.org/"
	    "acme/acct/42");
	assert_true(logged_has("g:s: account: imported certbot account "
	    "0123abcd"));
	acme_client_free(c);
	ours = xasprintf("%s/acme/acme-v02.api.letsencrypt.org/directory/"
	    "account.pem", acct);
	assert_int_equal(stat(ours, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* our form wins afterwards (certbot's copy is never touched) */
	strlist_clear(&logged);
	assert_int_equal(acme_client_new(&o, &c), 0);
	assert_int_equal(acme_account_key(c), 0);
	assert_int_equal(EVP_PKEY_eq(c->key, k), 1);
	assert_string_equal(c->kid, "https://acme-v02.api.letsencrypt.org/"
	    "acme/acct/42");
	assert_false(logged_has("imported"));
	acme_client_free(c);

	/* a key readable by others is refused */
	assert_int_equal(chmod(ours, 0640), 0);
	assert_int_equal(acme_client_new(&o, &c), 0);
	assert_int_equal(acme_account_key(c), SSLM_ERR_PERM);
	assert_true(logged_has("must not be accessible by group or others"));
	acme_client_free(c);

	/* staging has nothing: a fresh P-256 key, no URL yet */
	o.directory = ACME_LE_STAGING;
	assert_int_equal(acme_client_new(&o, &c), 0);
	assert_int_equal(acme_account_key(c), 0);
	assert_string_equal(jws_alg(c->key), "ES256");
	assert_null(c->kid);
	acme_client_free(c);

	assert_int_equal(store_rmtree(tmpl), 0);
	free(ours);
	free(acct);
	free(cb);
	EVP_PKEY_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(problem_documents),
		cmocka_unit_test(retry_after_forms),
		cmocka_unit_test(link_headers),
		cmocka_unit_test(ari_cert_id_rfc9773),
		cmocka_unit_test(rfc3339_times),
		cmocka_unit_test(server_dirnames),
		cmocka_unit_test(poll_delays),
		cmocka_unit_test(json_responses),
		cmocka_unit_test(client_options),
		cmocka_unit_test(account_storage),
	};
	int r;

	sslm_log_set_sink(sink, NULL);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	strlist_clear(&logged);
	return r;
}
