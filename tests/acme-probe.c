/*
 * acme-probe.c - a driver of core/acme for tests/integration/test-acme.sh
 * and for trying an ACME server by hand.
 *
 *   acme-probe issue  <common> --csr csr.pem --out cert.pem
 *	[--chain-out chain.pem] --challenge http-01|dns-01
 *	[--challtestsrv URL] [--replaces cert.pem] [--timeout SECS]
 *	[--no-publish (to see a failed validation)]
 *	runs the whole protocol for the CSR's names; the answers are served
 *	by pebble-challtestsrv through its management API (add-http01 /
 *	set-txt, removed again afterwards).
 *   acme-probe revoke <common> --cert cert.pem [--reason N]
 *   acme-probe ari    <common> --cert cert.pem
 *	prints "<start> <end> <retry_after>" (epoch seconds, -1: none)
 *   acme-probe certid --cert cert.pem
 *	prints the RFC 9773 certificate identifier
 *   acme-probe account <common>
 *	prints the account URL
 *
 * <common>: --dir URL [--ca FILE] --account-dir DIR [--email E]
 *	[--eab KID:HMACKEY] [--eab-alg HS256|HS384|HS512] [--chain NAME]
 *	[--profile NAME] [--who TEXT]
 *
 * ACME_PROBE_DEBUG=1 shows the debug log.  Exit 0, 1 on failure, 2 usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/x509.h>

#include "acme.h"
#include "err.h"
#include "log.h"
#include "store.h"
#include "util.h"
#include "x509.h"

static bool	debug;

struct probe {
	struct acme_opts	 o;
	const char		*csr, *out, *chain_out, *cert, *challenge;
	const char		*challtestsrv, *replaces;
	int			 reason, timeout;
	bool			 no_publish;
	char			*eab;
};

static void
sink(void *ctx, enum sslm_level lvl, const char *msg)
{
	(void)ctx;
	if (lvl == SSLM_LOG_DEBUG && !debug)
		return;
	fprintf(stderr, "acme-probe: %s\n", msg);
}

static int
usage(void)
{
	fprintf(stderr, "usage: acme-probe issue|revoke|ari|account "
	    "--dir URL [--ca FILE] --account-dir DIR [options]\n"
	    "       acme-probe certid --cert cert.pem\n");
	return 2;
}

/* POSTs a JSON body to pebble-challtestsrv's management API. */
static int
challtest(const char *base, const char *path, const char *json)
{
	CURL *h;
	struct curl_slist *hd = NULL;
	char *url = xasprintf("%s%s", base, path);
	long code = 0;
	CURLcode cc;

	h = curl_easy_init();
	hd = curl_slist_append(hd, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hd);
	curl_easy_cleanup(h);
	if (cc != CURLE_OK || code != 200) {
		fprintf(stderr, "acme-probe: %s: %s\n", url, cc != CURLE_OK ?
		    curl_easy_strerror(cc) : "not 200");
		free(url);
		return 1;
	}
	free(url);
	return 0;
}

/* Publishes (add) or removes one answer. */
static int
publish(const struct probe *p, const struct acme_chal *ch, bool add)
{
	char *js;
	int r;

	if (strcmp(ch->type, "http-01") == 0)
		js = add ? xasprintf("{\"token\":\"%s\",\"content\":\"%s\"}",
		    ch->token, ch->key_auth) :
		    xasprintf("{\"token\":\"%s\"}", ch->token);
	else
		js = add ? xasprintf("{\"host\":\"_acme-challenge.%s.\","
		    "\"value\":\"%s\"}", ch->identifier, ch->txt_value) :
		    xasprintf("{\"host\":\"_acme-challenge.%s.\"}",
		    ch->identifier);
	if (strcmp(ch->type, "http-01") == 0)
		r = challtest(p->challtestsrv, add ? "/add-http01" :
		    "/del-http01", js);
	else
		r = challtest(p->challtestsrv, add ? "/set-txt" : "/clear-txt",
		    js);
	free(js);
	return r;
}

static int
issue(struct acme_client *c, const struct probe *p)
{
	struct x509_certinfo ci;
	struct acme_order *o = NULL;
	struct acme_chal *ch = NULL;
	X509_REQ *csr = NULL;
	X509 *old = NULL;
	char *cert = NULL, *chain = NULL, *rep = NULL;
	size_t n = 0, i;
	int r = 1;

	memset(&ci, 0, sizeof(ci));
	if (p->csr == NULL || p->out == NULL || p->challenge == NULL)
		return usage();
	if (x509_load_csr(p->csr, &csr) != 0 ||
	    x509_csrinfo_get(csr, &ci) != 0) {
		fprintf(stderr, "acme-probe: %s: cannot load\n", p->csr);
		goto out;
	}
	if (p->replaces != NULL) {
		if (x509_load_cert(p->replaces, &old) != 0 ||
		    (rep = acme_ari_cert_id(old)) == NULL)
			goto out;
	}
	if (acme_account_ensure(c) != 0 ||
	    acme_order_new(c, &ci.sans, rep, &o) != 0 ||
	    acme_order_challenges(c, o, p->challenge, &ch, &n) != 0)
		goto out;
	for (i = 0; i < n && !p->no_publish; i++)
		if (publish(p, &ch[i], true) != 0)
			goto out;
	for (i = 0; i < n; i++)
		if (acme_challenge_answer(c, &ch[i]) != 0)
			goto out;
	if (acme_order_wait_ready(c, o, p->timeout) != 0)
		goto out;
	for (i = 0; i < n; i++)
		(void)publish(p, &ch[i], false);
	if (acme_order_finalize(c, o, csr, p->timeout, &cert, &chain) != 0)
		goto out;
	if (store_write_file(p->out, cert, strlen(cert), 0644) != 0 ||
	    (p->chain_out != NULL && store_write_file(p->chain_out, chain,
	    strlen(chain), 0644) != 0))
		goto out;
	r = 0;
out:
	x509_certinfo_free(&ci);
	acme_chals_free(ch, n);
	acme_order_free(o);
	X509_REQ_free(csr);
	X509_free(old);
	free(cert);
	free(chain);
	free(rep);
	return r;
}

static int
run(const char *cmd, struct probe *p)
{
	struct acme_client *c = NULL;
	X509 *x = NULL;
	time_t s, e;
	long ra;
	char *id;
	int r = 1;

	if (strcmp(cmd, "certid") == 0) {
		if (p->cert == NULL || x509_load_cert(p->cert, &x) != 0 ||
		    (id = acme_ari_cert_id(x)) == NULL)
			goto out;
		printf("%s\n", id);
		free(id);
		r = 0;
		goto out;
	}
	if (p->o.directory == NULL || p->o.account_dir == NULL)
		return usage();
	if (acme_client_new(&p->o, &c) != 0)
		goto out;
	if (strcmp(cmd, "issue") == 0)
		r = issue(c, p);
	else if (strcmp(cmd, "account") == 0) {
		if (acme_account_ensure(c) == 0) {
			printf("%s\n", acme_account_url(c));
			r = 0;
		}
	} else if (p->cert == NULL || x509_load_cert(p->cert, &x) != 0)
		r = usage();
	else if (strcmp(cmd, "revoke") == 0)
		r = acme_account_ensure(c) == 0 &&
		    acme_revoke(c, x, p->reason) == 0 ? 0 : 1;
	else if (strcmp(cmd, "ari") == 0) {
		if ((r = acme_ari(c, x, &s, &e, &ra)) == 0)
			printf("%lld %lld %ld\n", (long long)s, (long long)e,
			    ra);
		r = r == 0 ? 0 : r == SSLM_ERR_NOTFOUND ? 3 : 1;
	} else
		r = usage();
out:
	X509_free(x);
	acme_client_free(c);
	return r;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
	    { "dir", required_argument, NULL, 'd' },
	    { "ca", required_argument, NULL, 'C' },
	    { "account-dir", required_argument, NULL, 'a' },
	    { "email", required_argument, NULL, 'm' },
	    { "eab", required_argument, NULL, 'e' },
	    { "eab-alg", required_argument, NULL, 'E' },
	    { "chain", required_argument, NULL, 'p' },
	    { "profile", required_argument, NULL, 'P' },
	    { "who", required_argument, NULL, 'w' },
	    { "csr", required_argument, NULL, 'r' },
	    { "out", required_argument, NULL, 'o' },
	    { "chain-out", required_argument, NULL, 'O' },
	    { "cert", required_argument, NULL, 'c' },
	    { "challenge", required_argument, NULL, 'h' },
	    { "challtestsrv", required_argument, NULL, 't' },
	    { "replaces", required_argument, NULL, 'R' },
	    { "reason", required_argument, NULL, 'n' },
	    { "timeout", required_argument, NULL, 'T' },
	    { "no-publish", no_argument, NULL, 'N' },
	    { NULL, 0, NULL, 0 } };
	struct probe p;
	char *colon;
	int ch, r;

	if (argc < 2)
		return usage();
	memset(&p, 0, sizeof(p));
	p.o.who = "acme-probe";
	p.reason = -1;
	p.timeout = 120;
	p.challtestsrv = getenv("ACME_PROBE_CHALLTESTSRV") ?
	    getenv("ACME_PROBE_CHALLTESTSRV") : "http://127.0.0.1:8055";
	debug = getenv("ACME_PROBE_DEBUG") != NULL;
	sslm_log_set_sink(sink, NULL);
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'd':
			p.o.directory = optarg;
			break;
		case 'C':
			p.o.ca_file = optarg;
			break;
		case 'a':
			p.o.account_dir = optarg;
			break;
		case 'm':
			p.o.email = optarg;
			break;
		case 'e':
			free(p.eab);
			p.eab = xstrdup(optarg);
			if ((colon = strchr(p.eab, ':')) == NULL)
				return usage();
			*colon = '\0';
			p.o.eab_kid = p.eab;
			p.o.eab_hmac_key = colon + 1;
			break;
		case 'E':
			p.o.eab_alg = optarg;
			break;
		case 'p':
			p.o.preferred_chain = optarg;
			break;
		case 'P':
			p.o.profile = optarg;
			break;
		case 'w':
			p.o.who = optarg;
			break;
		case 'r':
			p.csr = optarg;
			break;
		case 'o':
			p.out = optarg;
			break;
		case 'O':
			p.chain_out = optarg;
			break;
		case 'c':
			p.cert = optarg;
			break;
		case 'h':
			p.challenge = optarg;
			break;
		case 't':
			p.challtestsrv = optarg;
			break;
		case 'R':
			p.replaces = optarg;
			break;
		case 'n':
			p.reason = atoi(optarg);
			break;
		case 'T':
			p.timeout = atoi(optarg);
			break;
		case 'N':
			p.no_publish = true;
			break;
		default:
			return usage();
		}
	}
	r = run(argv[1], &p);
	free(p.eab);
	return r;
}
