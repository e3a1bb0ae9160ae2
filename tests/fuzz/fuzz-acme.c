/*
 * fuzz-acme.c - libFuzzer target for the ACME client's handling of what
 * a CA server sends (core/acme.c).
 *
 * What is reachable without a network: the RFC 7807 problem documents
 * (acme_problem_parse, with subproblems), the check every JSON answer
 * passes first (acme_resp_json: directory, account, order, authorization
 * and challenge bodies all go through it), RFC 3339 times ("expires") and
 * the directory URL to directory name mapping.  The per-resource readers
 * (order_parse, authz_failure, ...) are static behind HTTP requests and
 * are not reached here: they need a seam (a parse function per resource,
 * or a transport hook) from the ACME code first.
 *
 * The input is used whole as a C string for each of them.  Everything
 * that comes back and may be printed must be free of control characters.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "acme-priv.h"
#include "http.h"
#include "log.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct acme_client *client;

/* Server text is logged by the code under test; keep the fuzzer quiet. */
static void
quiet(void *ctx, enum sslm_level lvl, const char *msg)
{
	(void)ctx;
	(void)lvl;
	(void)msg;
}

static void
printable(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acme_opts o;
	struct acme_problem p;
	struct http_resp resp;
	json_t *j = NULL;
	time_t t;
	char *s, *d;

	if (client == NULL) {
		sslm_log_set_sink(quiet, NULL);
		memset(&o, 0, sizeof(o));
		o.directory = "https://acme.invalid/directory";
		o.who = "fuzz";
		/* Makes a curl handle; no request is ever sent. */
		if (acme_client_new(&o, &client) != 0)
			abort();
	}
	s = xstrndup((const char *)data, size);

	if (acme_problem_parse(s, &p) == 0) {
		if (p.type == NULL)
			abort();
		printable(p.type);
		printable(p.detail);
		printable(p.sub);
		acme_problem_free(&p);
	}

	http_resp_init(&resp);
	resp.code = 200;
	resp.content_type = xstrdup("application/json");
	if (buf_add(&resp.body, s, strlen(s)) == 0 &&
	    acme_resp_json(client, "fuzz", &resp, &j) == 0) {
		if (!json_is_object(j))
			abort();
		json_decref(j);
	}
	http_resp_free(&resp);

	(void)acme_time_parse(s, &t);
	d = acme_server_dirname(s);
	free(d);
	acme_safe(s);
	printable(s);
	free(s);
	return 0;
}
