/*
 * test-dnsstat.c - the pure parts of the DNS propagation view: reading
 * the pending values out of a dns-01 include file, and the JSON and text
 * lines "ssl-mgr dns-status" prints (the console parses the JSON).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns.h"
#include "dnsstat.h"
#include "util.h"

static void
test_parse_upstream_format(void **state)
{
	struct strlist l = { 0 };

	(void)state;
	dnsstat_parse_challenges(
	    ";; acme-challenge for : example.com\n"
	    ";; acme-challenge : example.com\n"
	    "_acme-challenge.example.com. 60 IN TXT \"abc-DEF_1\"\n"
	    "_acme-challenge.Example.COM. 60 IN TXT \"second\"\n"
	    "_acme-challenge.www.example.com. 60 IN TXT \"w\"\n", "example.com",
	    &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0], "_acme-challenge.example.com abc-DEF_1");
	assert_string_equal(l.v[1], "_acme-challenge.example.com second");
	assert_string_equal(l.v[2], "_acme-challenge.www.example.com w");
	strlist_clear(&l);
}

static void
test_parse_relative_split_and_junk(void **state)
{
	struct strlist l = { 0 };

	(void)state;
	dnsstat_parse_challenges(
	    "_acme-challenge 60 IN TXT \"part1-\" \"part2\" ; comment\n"
	    "@ IN TXT \"apex\"\n"
	    "   IN TXT \"no owner: skipped\"\n"
	    "www 60 IN A 127.0.0.1\n"
	    "_acme-challenge 60 IN TXT \"part1-\" \"part2\"\n"
	    "broken TXT\n", "Example.com.", &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "_acme-challenge.example.com part1-part2");
	assert_string_equal(l.v[1], "example.com apex");
	strlist_clear(&l);
	dnsstat_parse_challenges("", "example.com", &l);
	dnsstat_parse_challenges(";; only the header\n", "example.com", &l);
	assert_int_equal(l.n, 0);
}

static void
test_json_server_line(void **state)
{
	struct dns_server s = { "ns2.example.com", "127.0.0.2", 53,
	    DNS_ROLE_NS };
	struct strlist miss = { 0 };
	struct dnsstat_event ev;
	struct buf b;
	char *j;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.kind = DNSSTAT_SERVER;
	ev.apex = "example.com";
	ev.server = &s;
	ev.soa = "ANSWER";
	ev.has_serial = true;
	ev.serial = 41;
	ev.primary_serial = 42;
	ev.behind = true;
	ev.ms = 1.26;
	ev.c_txt.expected = 1;
	ev.c_curr.expected = ev.c_curr.served = 2;
	strlist_add(&miss, "TXT _acme-challenge x v");
	ev.missing = &miss;
	j = dnsstat_json(&ev);
	assert_non_null(strstr(j, "\"type\":\"server\""));
	assert_non_null(strstr(j, "\"role\":\"ns\",\"name\":\"ns2.example.com\""
	    ",\"addr\":\"127.0.0.2\",\"port\":53"));
	assert_non_null(strstr(j, "\"serial\":41,\"primary_serial\":42,"
	    "\"behind\":true,\"ms\":1.3"));
	assert_non_null(strstr(j, "\"txt\":{\"expected\":1,\"served\":0}"));
	assert_non_null(strstr(j, "\"tlsa_curr\":{\"expected\":2,"
	    "\"served\":2}"));
	assert_non_null(strstr(j, "\"missing\":[\"TXT _acme-challenge x v\"]"));
	assert_non_null(strstr(j, "\"error\":null"));
	assert_null(strchr(j, '\n'));
	free(j);
	buf_init(&b, 4096);
	dnsstat_text(&ev, &b);
	assert_non_null(strstr(b.p, "ns2.example.com [127.0.0.2#53]  serial 41 "
	    "(behind)  txt 0/1  tlsa-curr 2/2  1.3 ms\n"));
	assert_non_null(strstr(b.p, "missing TXT _acme-challenge x v"));
	buf_free(&b);
	strlist_clear(&miss);
}

static void
test_json_error_and_done(void **state)
{
	struct dnsstat_event ev;
	char *j;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.kind = DNSSTAT_ERROR;
	ev.apex = "example.net";
	ev.error = "discovery at the primary failed";
	j = dnsstat_json(&ev);
	assert_string_equal(j, "{\"type\":\"error\",\"apex\":\"example.net\","
	    "\"error\":\"discovery at the primary failed\"}");
	free(j);
	ev.kind = DNSSTAT_DONE;
	ev.elapsed_ms = 12.7;
	j = dnsstat_json(&ev);
	assert_string_equal(j, "{\"type\":\"done\",\"elapsed_ms\":12}");
	free(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_upstream_format),
		cmocka_unit_test(test_parse_relative_split_and_junk),
		cmocka_unit_test(test_json_server_line),
		cmocka_unit_test(test_json_error_and_done),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
