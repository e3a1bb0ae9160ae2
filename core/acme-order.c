/*
 * acme-order.c - orders (RFC 8555 7.4): new order (with ARI "replaces" and
 * a profile), authorizations and their challenges, waiting for them,
 * finalize with our CSR, and the certificate download with the choice
 * among alternate chains.
 *
 * Invariant: every wait has a deadline; every poll delay comes from the
 * server's Retry-After or from a bounded back-off; the certificate we
 * hand back always carries the public key of the CSR we sent.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "acme-priv.h"
#include "err.h"
#include "jws.h"
#include "log.h"

#define ACME_CHAIN_CERTS_MAX	10	/* certificates in one chain */

static int	order_parse(struct acme_client *, const char *, json_t *,
		    struct acme_order *);
static int	poll_json(struct acme_client *, const char *, const char *,
		    json_t **, struct http_resp *);
static int	authz_wait(struct acme_client *, const char *, long long);
static int	authz_failure(struct acme_client *, json_t *);
static int	order_wait(struct acme_client *, struct acme_order *,
		    const char *, const char *, long long);
static int	chain_fetch(struct acme_client *, const char *,
		    STACK_OF(X509) **, struct strlist *);
static bool	chain_matches(STACK_OF(X509) *, const char *);
static int	chain_broken(STACK_OF(X509) *);
static int	chain_pems(STACK_OF(X509) *, char **, char **);

static const char *
jstr(const json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

/* A token is used as a file name for http-01: base64url only. */
static bool
token_ok(const char *t)
{
	if (t == NULL || *t == '\0' || strlen(t) > 256)
		return false;
	for (; *t != '\0'; t++)
		if (!isalnum((unsigned char)*t) && *t != '-' && *t != '_')
			return false;
	return true;
}

void
acme_order_free(struct acme_order *o)
{
	if (o == NULL)
		return;
	free(o->url);
	free(o->status);
	free(o->finalize);
	free(o->certificate);
	strlist_clear(&o->authzs);
	free(o);
}

void
acme_chals_free(struct acme_chal *ch, size_t n)
{
	size_t i;

	for (i = 0; ch != NULL && i < n; i++) {
		free(ch[i].identifier);
		free(ch[i].type);
		free(ch[i].url);
		free(ch[i].token);
		free(ch[i].key_auth);
		free(ch[i].txt_value);
		free(ch[i].authz_url);
	}
	free(ch);
}

/* Fills o (url kept) from an order object. */
static int
order_parse(struct acme_client *c, const char *step, json_t *j,
    struct acme_order *o)
{
	json_t *az, *e;
	const char *st = jstr(j, "status"), *fin = jstr(j, "finalize");
	size_t i;

	az = json_object_get(j, "authorizations");
	if (st == NULL || fin == NULL || !json_is_array(az) ||
	    json_array_size(az) == 0 || json_array_size(az) > 100) {
		sslm_log(SSLM_LOG_ERR, "%s: %s: bad order object", c->who,
		    step);
		return SSLM_ERR_ACME;
	}
	free(o->status);
	free(o->finalize);
	free(o->certificate);
	o->status = xstrndup(st, 32);
	acme_safe(o->status);
	o->finalize = xstrdup(fin);
	o->certificate = jstr(j, "certificate") != NULL ?
	    xstrdup(jstr(j, "certificate")) : NULL;
	strlist_clear(&o->authzs);
	json_array_foreach(az, i, e) {
		if (json_string_value(e) == NULL) {
			sslm_log(SSLM_LOG_ERR, "%s: %s: bad authorization URL",
			    c->who, step);
			return SSLM_ERR_ACME;
		}
		strlist_add(&o->authzs, json_string_value(e));
	}
	return 0;
}

/* The newOrder payload; NULL only when out of memory in jansson. */
static char *
order_payload(struct acme_client *c, const struct strlist *names,
    const char *replaces)
{
	json_t *pl, *ids, *profiles;
	size_t i;
	char *s;

	ids = json_array();
	for (i = 0; i < names->n; i++)
		json_array_append_new(ids, json_pack("{s:s, s:s}", "type",
		    is_ip_literal(names->v[i]) ? "ip" : "dns", "value",
		    names->v[i]));
	pl = json_pack("{s:o}", "identifiers", ids);
	if (c->profile != NULL) {
		profiles = json_object_get(json_object_get(c->dir, "meta"),
		    "profiles");
		if (json_object_get(profiles, c->profile) != NULL)
			json_object_set_new(pl, "profile",
			    json_string(c->profile));
		else
			sslm_log(SSLM_LOG_WARN, "%s: new order: the CA does "
			    "not offer profile %s: using its default",
			    c->who, c->profile);
	}
	if (replaces != NULL)
		json_object_set_new(pl, "replaces", json_string(replaces));
	s = json_dumps(pl, JSON_COMPACT);
	json_decref(pl);
	return s;
}

int
acme_order_new(struct acme_client *c, const struct strlist *names,
    const char *replaces, struct acme_order **out)
{
	struct http_resp resp;
	struct acme_order *o = NULL;
	json_t *j = NULL;
	char *s = NULL;
	int r = SSLM_ERR_USAGE, tries;

	*out = NULL;
	if (names->n == 0)
		return r;
	for (tries = 0; tries < 3; tries++) {
		free(s);
		if ((s = order_payload(c, names, replaces)) == NULL)
			return SSLM_ERR_INTERNAL;
		r = acme_post(c, "new order", acme_dir_url(c, "newOrder"), s,
		    ACME_QUIET, NULL, &resp);
		if (r != SSLM_ERR_ACME)
			break;
		http_resp_free(&resp);
		if (acme_problem_is(c, "accountDoesNotExist")) {
			/* the CA forgot us (restart): register again */
			sslm_log(SSLM_LOG_WARN, "%s: new order: %s", c->who,
			    c->problem_msg);
			if ((r = acme_account_register(c)) != 0)
				goto out;
		} else if (replaces != NULL) {
			sslm_log(SSLM_LOG_WARN, "%s: new order: %s: trying "
			    "without replaces", c->who, c->problem_msg);
			replaces = NULL;
		} else {
			sslm_log(SSLM_LOG_ERR, "%s: new order: %s", c->who,
			    c->problem_msg);
			goto out;
		}
	}
	if (r != 0) {
		if (r == SSLM_ERR_ACME)
			sslm_log(SSLM_LOG_ERR, "%s: new order: %s", c->who,
			    c->problem_msg);
		goto out;
	}
	o = xcalloc(1, sizeof(*o));
	if (resp.location == NULL ||
	    strncmp(resp.location, "https://", 8) != 0) {
		sslm_log(SSLM_LOG_ERR, "%s: new order: no Location", c->who);
		r = SSLM_ERR_ACME;
	} else if ((r = acme_resp_json(c, "new order", &resp, &j)) != 0)
		;
	else if ((r = order_parse(c, "new order", j, o)) == 0) {
		o->url = xstrdup(resp.location);
		sslm_log(SSLM_LOG_INFO, "%s: new order: %zu name%s, %zu "
		    "authorization%s%s", c->who, names->n,
		    names->n == 1 ? "" : "s", o->authzs.n,
		    o->authzs.n == 1 ? "" : "s", replaces ?
		    " (replaces the current cert)" : "");
		*out = o;
		o = NULL;
	}
	http_resp_free(&resp);
out:
	acme_order_free(o);
	json_decref(j);
	free(s);
	return r;
}

int
acme_order_challenges(struct acme_client *c, struct acme_order *o,
    const char *type, struct acme_chal **chals, size_t *nchals)
{
	struct acme_chal *ch = NULL, *x;
	json_t *j = NULL, *cs, *e, *found;
	const char *st, *id;
	size_t i, k, n = 0;
	int r = 0;

	*chals = NULL;
	*nchals = 0;
	ch = xcalloc(o->authzs.n, sizeof(*ch));
	for (i = 0; i < o->authzs.n && r == 0; i++) {
		json_decref(j);
		j = NULL;
		if ((r = acme_get_json(c, "authorization", o->authzs.v[i],
		    &j)) != 0)
			break;
		st = jstr(j, "status");
		id = jstr(json_object_get(j, "identifier"), "value");
		if (st == NULL || id == NULL) {
			sslm_log(SSLM_LOG_ERR, "%s: authorization: bad "
			    "object", c->who);
			r = SSLM_ERR_ACME;
			break;
		}
		if (strcmp(st, "valid") == 0) {
			sslm_log(SSLM_LOG_INFO, "%s: authorization: %.255s: "
			    "already valid", c->who, id);
			continue;
		}
		if (strcmp(st, "pending") != 0) {
			sslm_log(SSLM_LOG_ERR, "%s: authorization: %.255s: "
			    "status %.32s", c->who, id, st);
			r = SSLM_ERR_ACME;
			break;
		}
		found = NULL;
		cs = json_object_get(j, "challenges");
		json_array_foreach(cs, k, e)
			if (jstr(e, "type") != NULL &&
			    strcmp(jstr(e, "type"), type) == 0) {
				found = e;
				break;
			}
		if (found == NULL || jstr(found, "url") == NULL ||
		    !token_ok(jstr(found, "token"))) {
			sslm_log(SSLM_LOG_ERR, "%s: authorization: %.255s: "
			    "no usable %s challenge", c->who, id, type);
			r = SSLM_ERR_ACME;
			break;
		}
		x = &ch[n++];
		x->identifier = xstrndup(id, 255);
		acme_safe(x->identifier);
		x->wildcard = json_is_true(json_object_get(j, "wildcard"));
		x->type = xstrdup(type);
		x->url = xstrdup(jstr(found, "url"));
		x->token = xstrdup(jstr(found, "token"));
		x->authz_url = xstrdup(o->authzs.v[i]);
		if ((r = jws_key_authorization(c->key, x->token,
		    &x->key_auth)) == 0 &&
		    (x->txt_value = jws_dns01_txt(x->key_auth)) == NULL)
			r = SSLM_ERR_CRYPTO;
	}
	json_decref(j);
	if (r != 0) {
		acme_chals_free(ch, o->authzs.n);
		return r;
	}
	*chals = ch;
	*nchals = n;
	return 0;
}

int
acme_challenge_answer(struct acme_client *c, const struct acme_chal *ch)
{
	struct http_resp resp;
	int r;

	r = acme_post(c, "challenge", ch->url, "{}", 0, NULL, &resp);
	http_resp_free(&resp);
	if (r == 0)
		sslm_log(SSLM_LOG_INFO, "%s: challenge: %s%s: %s answered",
		    c->who, ch->wildcard ? "*." : "", ch->identifier,
		    ch->type);
	return r;
}

/* POST-as-GET of url into *j, keeping the response for Retry-After. */
static int
poll_json(struct acme_client *c, const char *step, const char *url,
    json_t **j, struct http_resp *resp)
{
	int r;

	*j = NULL;
	if ((r = acme_post(c, step, url, NULL, 0, NULL, resp)) == 0)
		r = acme_resp_json(c, step, resp, j);
	return r;
}

/* Logs the problem of the challenge that failed an authorization. */
static int
authz_failure(struct acme_client *c, json_t *j)
{
	struct acme_problem p;
	json_t *e, *err;
	const char *id = jstr(json_object_get(j, "identifier"), "value");
	char *dump;
	size_t k;
	bool said = false;

	json_array_foreach(json_object_get(j, "challenges"), k, e) {
		if ((err = json_object_get(e, "error")) == NULL ||
		    (dump = json_dumps(err, JSON_COMPACT)) == NULL)
			continue;
		if (acme_problem_parse(dump, &p) == 0) {
			sslm_log(SSLM_LOG_ERR, "%s: authorization: %.255s: "
			    "%.32s: %s %s", c->who, id ? id : "?",
			    jstr(e, "type") ? jstr(e, "type") : "?", p.type,
			    p.detail ? p.detail : "");
			acme_problem_free(&p);
			said = true;
		}
		free(dump);
	}
	if (!said)
		sslm_log(SSLM_LOG_ERR, "%s: authorization: %.255s: invalid",
		    c->who, id ? id : "?");
	return SSLM_ERR_ACME;
}

/* Waits until one authorization leaves "pending". */
static int
authz_wait(struct acme_client *c, const char *url, long long deadline)
{
	struct http_resp resp;
	long long backoff = ACME_POLL_FIRST_MS;
	json_t *j = NULL;
	const char *st = NULL, *id = NULL;
	int r;

	for (;;) {
		json_decref(j);
		if ((r = poll_json(c, "authorization", url, &j, &resp)) != 0)
			break;
		st = jstr(j, "status");
		id = jstr(json_object_get(j, "identifier"), "value");
		if (st == NULL || strcmp(st, "pending") != 0)
			break;
		if (acme_now_ms() >= deadline) {
			sslm_log(SSLM_LOG_ERR, "%s: authorization: %.255s: "
			    "still pending at the time limit", c->who,
			    id ? id : "?");
			r = SSLM_ERR_TIMEOUT;
			break;
		}
		acme_sleep_ms(acme_poll_delay(&resp, &backoff, deadline));
		http_resp_free(&resp);
	}
	if (r != 0)
		;
	else if (st != NULL && strcmp(st, "valid") == 0)
		sslm_log(SSLM_LOG_INFO, "%s: authorization: %.255s: valid",
		    c->who, id ? id : "?");
	else if (st != NULL && strcmp(st, "invalid") == 0)
		r = authz_failure(c, j);
	else {
		sslm_log(SSLM_LOG_ERR, "%s: authorization: %.255s: status "
		    "%.32s", c->who, id ? id : "?", st ? st : "(none)");
		r = SSLM_ERR_ACME;
	}
	http_resp_free(&resp);
	json_decref(j);
	return r;
}

/* Polls the order until its status is `want`; "invalid" fails. */
static int
order_wait(struct acme_client *c, struct acme_order *o, const char *step,
    const char *want, long long deadline)
{
	struct http_resp resp;
	struct acme_problem p;
	long long backoff = ACME_POLL_FIRST_MS;
	json_t *j = NULL;
	char *dump;
	int r;

	for (;;) {
		json_decref(j);
		if ((r = poll_json(c, step, o->url, &j, &resp)) != 0 ||
		    (r = order_parse(c, step, j, o)) != 0)
			break;
		if (strcmp(o->status, want) == 0)
			break;
		if (strcmp(o->status, "invalid") == 0) {
			dump = json_dumps(json_object_get(j, "error"),
			    JSON_COMPACT);
			if (dump != NULL && acme_problem_parse(dump, &p) == 0) {
				sslm_log(SSLM_LOG_ERR, "%s: %s: order invalid: "
				    "%s %s", c->who, step, p.type,
				    p.detail ? p.detail : "");
				acme_problem_free(&p);
			} else
				sslm_log(SSLM_LOG_ERR, "%s: %s: order invalid",
				    c->who, step);
			free(dump);
			r = SSLM_ERR_ACME;
			break;
		}
		if (acme_now_ms() >= deadline) {
			sslm_log(SSLM_LOG_ERR, "%s: %s: order still %s at the "
			    "time limit", c->who, step, o->status);
			r = SSLM_ERR_TIMEOUT;
			break;
		}
		acme_sleep_ms(acme_poll_delay(&resp, &backoff, deadline));
		http_resp_free(&resp);
	}
	http_resp_free(&resp);
	json_decref(j);
	return r;
}

int
acme_order_wait_ready(struct acme_client *c, struct acme_order *o,
    int timeout_secs)
{
	long long deadline = acme_now_ms() + (long long)timeout_secs * 1000;
	size_t i;
	int r = 0;

	for (i = 0; i < o->authzs.n && r == 0; i++)
		r = authz_wait(c, o->authzs.v[i], deadline);
	if (r == 0)
		r = order_wait(c, o, "order", "ready", deadline);
	return r;
}

/* Downloads one chain; the alternates' URLs go to alts when not NULL. */
static int
chain_fetch(struct acme_client *c, const char *url, STACK_OF(X509) **out,
    struct strlist *alts)
{
	struct http_resp resp;
	STACK_OF(X509) *sk = NULL;
	X509 *x;
	BIO *bio = NULL;
	size_t i;
	int r;

	*out = NULL;
	if ((r = acme_post(c, "download", url, NULL, 0,
	    "application/pem-certificate-chain", &resp)) != 0)
		goto out;
	r = SSLM_ERR_ACME;
	if (!http_resp_is(&resp, "application/pem-certificate-chain")) {
		sslm_log(SSLM_LOG_ERR, "%s: download: content type %s",
		    c->who, resp.content_type ? resp.content_type : "(none)");
		goto out;
	}
	sk = sk_X509_new_null();
	bio = BIO_new_mem_buf(resp.body.p ? resp.body.p : "",
	    (int)resp.body.len);
	while (sk_X509_num(sk) < ACME_CHAIN_CERTS_MAX &&
	    (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		sk_X509_push(sk, x);
	ERR_clear_error();	/* the loop ends on "no start line" */
	if (sk_X509_num(sk) == 0) {
		sslm_log(SSLM_LOG_ERR, "%s: download: no certificate in the "
		    "response", c->who);
		goto out;
	}
	for (i = 0; alts != NULL && i < resp.alternates.n &&
	    i < ACME_ALT_MAX; i++)
		strlist_add(alts, resp.alternates.v[i]);
	*out = sk;
	sk = NULL;
	r = 0;
out:
	BIO_free(bio);
	sk_X509_pop_free(sk, X509_free);
	http_resp_free(&resp);
	return r;
}

/* Does the CN of name equal want? */
static bool
cn_is(const X509_NAME *name, const char *want)
{
	char cn[256];

	if (X509_NAME_get_text_by_NID((X509_NAME *)name, NID_commonName, cn,
	    sizeof(cn)) < 0)
		return false;
	return strcmp(cn, want) == 0;
}

/* The topmost certificate's issuer CN, or its own subject CN (a root). */
static bool
chain_matches(STACK_OF(X509) *sk, const char *want)
{
	X509 *top = sk_X509_value(sk, sk_X509_num(sk) - 1);

	return cn_is(X509_get_issuer_name(top), want) ||
	    cn_is(X509_get_subject_name(top), want);
}

/*
 * Each certificate must be issued and signed by the next one: a server
 * that sends an unrelated chain would otherwise have it installed.
 * Returns the index of the first one that is not, or -1.
 */
static int
chain_broken(STACK_OF(X509) *sk)
{
	X509 *x, *up;
	EVP_PKEY *k;
	int i;

	for (i = 0; i + 1 < sk_X509_num(sk); i++) {
		x = sk_X509_value(sk, i);
		up = sk_X509_value(sk, i + 1);
		if (X509_check_issued(up, x) != X509_V_OK ||
		    (k = X509_get0_pubkey(up)) == NULL ||
		    X509_verify(x, k) != 1) {
			ERR_clear_error();
			return i;
		}
	}
	return -1;
}

/* PEM of the leaf and of the rest of the chain. */
static int
chain_pems(STACK_OF(X509) *sk, char **leaf, char **rest)
{
	BIO *b[2] = { BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()) };
	char *p, **dst[2] = { leaf, rest };
	long n;
	int i, k, r = SSLM_ERR_CRYPTO;

	for (i = 0; i < sk_X509_num(sk); i++)
		if (b[i > 0] == NULL ||
		    !PEM_write_bio_X509(b[i > 0], sk_X509_value(sk, i)))
			goto out;
	for (k = 0; k < 2; k++) {
		n = BIO_get_mem_data(b[k], &p);
		*dst[k] = xstrndup(n > 0 ? p : "", n > 0 ? (size_t)n : 0);
	}
	r = 0;
out:
	BIO_free(b[0]);
	BIO_free(b[1]);
	return r;
}

int
acme_order_finalize(struct acme_client *c, struct acme_order *o,
    X509_REQ *csr, int timeout_secs, char **cert_pem, char **chain_pem)
{
	struct http_resp resp;
	struct strlist alts = { 0 };
	STACK_OF(X509) *sk = NULL, *alt = NULL;
	long long deadline = acme_now_ms() + (long long)timeout_secs * 1000;
	unsigned char *der = NULL;
	char *b64 = NULL, *pl = NULL;
	json_t *j = NULL;
	size_t i;
	int len, r = SSLM_ERR_CRYPTO;

	*cert_pem = *chain_pem = NULL;
	http_resp_init(&resp);
	if ((len = i2d_X509_REQ(csr, &der)) <= 0) {
		sslm_log_crypto("finalize: CSR DER");
		goto out;
	}
	b64 = b64url_encode(der, (size_t)len);
	pl = xasprintf("{\"csr\":\"%s\"}", b64);
	if ((r = acme_post(c, "finalize", o->finalize, pl, 0, NULL,
	    &resp)) != 0 ||
	    (r = acme_resp_json(c, "finalize", &resp, &j)) != 0 ||
	    (r = order_parse(c, "finalize", j, o)) != 0)
		goto out;
	sslm_log(SSLM_LOG_INFO, "%s: finalize: CSR sent", c->who);
	if (strcmp(o->status, "valid") != 0 && (r = order_wait(c, o,
	    "finalize", "valid", deadline)) != 0)
		goto out;
	if (o->certificate == NULL) {
		sslm_log(SSLM_LOG_ERR, "%s: finalize: valid order without a "
		    "certificate URL", c->who);
		r = SSLM_ERR_ACME;
		goto out;
	}
	if ((r = chain_fetch(c, o->certificate, &sk, &alts)) != 0)
		goto out;
	if (c->preferred_chain != NULL && !chain_matches(sk,
	    c->preferred_chain)) {
		for (i = 0; i < alts.n; i++) {
			if (chain_fetch(c, alts.v[i], &alt, NULL) != 0)
				continue;
			if (chain_matches(alt, c->preferred_chain)) {
				sk_X509_pop_free(sk, X509_free);
				sk = alt;
				alt = NULL;
				break;
			}
			sk_X509_pop_free(alt, X509_free);
			alt = NULL;
		}
		sslm_log(SSLM_LOG_INFO, "%s: download: preferred chain %s%s",
		    c->who, c->preferred_chain, i < alts.n ? "" :
		    " not offered: using the default chain");
	}
	if (EVP_PKEY_eq(X509_get0_pubkey(sk_X509_value(sk, 0)),
	    X509_REQ_get0_pubkey(csr)) != 1) {
		sslm_log(SSLM_LOG_ERR, "%s: download: the certificate is not "
		    "for the key of our CSR", c->who);
		r = SSLM_ERR_ACME;
		goto out;
	}
	if ((len = chain_broken(sk)) != -1) {
		sslm_log(SSLM_LOG_ERR, "%s: download: certificate %d of the "
		    "chain is not issued by the next one", c->who, len);
		r = SSLM_ERR_ACME;
		goto out;
	}
	if ((r = chain_pems(sk, cert_pem, chain_pem)) != 0)
		goto out;
	sslm_log(SSLM_LOG_INFO, "%s: download: certificate and %d chain "
	    "certificate%s", c->who, sk_X509_num(sk) - 1,
	    sk_X509_num(sk) == 2 ? "" : "s");
out:
	http_resp_free(&resp);
	sk_X509_pop_free(sk, X509_free);
	strlist_clear(&alts);
	json_decref(j);
	OPENSSL_free(der);
	free(b64);
	free(pl);
	return r;
}
