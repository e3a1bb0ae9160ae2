/*
 * acme.c - the RFC 8555 client's transport: the directory, nonces, the
 * signed request with its transparent badNonce retry, RFC 7807 problem
 * documents, and the two one-shot operations revoke (7.6) and ARI
 * (RFC 9773).  Accounts are in acme-account.c, orders in acme-order.c.
 *
 * Invariant: every response is bounded (http.c), every server text that
 * reaches the log has its control characters replaced, and every loop
 * has a fixed count or a deadline.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509v3.h>

#include "acme-priv.h"
#include "err.h"
#include "jws.h"
#include "log.h"

static int	acme_new_nonce(struct acme_client *, const char *);
static void	acme_report(struct acme_client *, const char *,
		    const struct http_resp *, int);

static char *
dup_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

int
acme_client_new(const struct acme_opts *o, struct acme_client **out)
{
	struct acme_client *c;
	int r;

	*out = NULL;
	if (o->directory == NULL ||
	    strncmp(o->directory, "https://", 8) != 0) {
		sslm_log(SSLM_LOG_ERR, "%s: directory: %s: not an https URL",
		    o->who ? o->who : "acme",
		    o->directory ? o->directory : "(none)");
		return SSLM_ERR_CONFIG;
	}
	if ((o->eab_kid == NULL || *o->eab_kid == '\0') !=
	    (o->eab_hmac_key == NULL || *o->eab_hmac_key == '\0')) {
		sslm_log(SSLM_LOG_ERR, "%s: EAB needs both a key id and an "
		    "HMAC key", o->who ? o->who : "acme");
		return SSLM_ERR_CONFIG;
	}
	c = xcalloc(1, sizeof(*c));
	c->directory = xstrdup(o->directory);
	c->account_dir = dup_or_null(o->account_dir);
	c->email = dup_or_null(o->email);
	c->eab_kid = dup_or_null(o->eab_kid);
	c->eab_hmac_key = dup_or_null(o->eab_hmac_key);
	c->eab_alg = dup_or_null(o->eab_alg);
	c->profile = dup_or_null(o->profile);
	c->preferred_chain = dup_or_null(o->preferred_chain);
	c->who = xstrdup(o->who ? o->who : "acme");
	if ((r = http_new(o->ca_file, &c->http)) != 0) {
		acme_client_free(c);
		return r;
	}
	if (o->timeout > 0)
		http_set_timeout(c->http, o->timeout);
	*out = c;
	return 0;
}

void
acme_client_free(struct acme_client *c)
{
	if (c == NULL)
		return;
	free(c->directory);
	free(c->account_dir);
	free(c->email);
	free(c->eab_kid);
	if (c->eab_hmac_key != NULL)
		freezero_secret(c->eab_hmac_key, strlen(c->eab_hmac_key));
	free(c->eab_alg);
	free(c->profile);
	free(c->preferred_chain);
	free(c->who);
	http_free(c->http);
	json_decref(c->dir);
	free(c->nonce);
	EVP_PKEY_free(c->key);
	free(c->kid);
	free(c);
}

const char *
acme_account_url(const struct acme_client *c)
{
	return c->kid;
}

void
acme_safe(char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static char *
json_str_safe(const json_t *o, const char *name)
{
	const char *v = json_string_value(json_object_get(o, name));
	char *s;

	if (v == NULL)
		return NULL;
	s = xstrndup(v, 1024);	/* a problem text is short */
	acme_safe(s);
	return s;
}

int
acme_problem_parse(const char *body, struct acme_problem *p)
{
	json_t *j, *subs, *e;
	struct buf b;
	size_t i;
	char *t, *d;
	const char *id;
	int r = SSLM_ERR_PARSE;

	memset(p, 0, sizeof(*p));
	if ((j = json_loads(body, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return SSLM_ERR_PARSE;
	if (!json_is_object(j) || (p->type = json_str_safe(j, "type")) ==
	    NULL)
		goto out;
	p->detail = json_str_safe(j, "detail");
	if (json_is_integer(json_object_get(j, "status")))
		p->status = (long)json_integer_value(json_object_get(j,
		    "status"));
	subs = json_object_get(j, "subproblems");
	buf_init(&b, 4096);
	for (i = 0; json_is_array(subs) && i < json_array_size(subs) &&
	    i < 8; i++) {
		e = json_array_get(subs, i);
		id = json_string_value(json_object_get(json_object_get(e,
		    "identifier"), "value"));
		t = json_str_safe(e, "type");
		d = json_str_safe(e, "detail");
		if (buf_printf(&b, "%s%s: %s %s", b.len ? "; " : "",
		    id ? id : "?", t ? t : "?", d ? d : "") != 0)
			i = json_array_size(subs);
		free(t);
		free(d);
	}
	if (b.len > 0) {
		p->sub = xstrdup(b.p);
		acme_safe(p->sub);
	}
	buf_free(&b);
	r = 0;
out:
	if (r != 0)
		acme_problem_free(p);
	json_decref(j);
	return r;
}

void
acme_problem_free(struct acme_problem *p)
{
	free(p->type);
	free(p->detail);
	free(p->sub);
	memset(p, 0, sizeof(*p));
}

bool
acme_problem_is(const struct acme_client *c, const char *shorttype)
{
	static const char pfx[] = "urn:ietf:params:acme:error:";

	return strncmp(c->problem, pfx, sizeof(pfx) - 1) == 0 &&
	    strcmp(c->problem + sizeof(pfx) - 1, shorttype) == 0;
}

/* Logs a non-2xx answer: its problem document, or the bare status. */
static void
acme_report(struct acme_client *c, const char *step,
    const struct http_resp *resp, int quiet)
{
	struct acme_problem p;

	c->problem[0] = '\0';
	if (http_resp_is(resp, "application/problem+json") &&
	    resp->body.p != NULL && acme_problem_parse(resp->body.p, &p) == 0) {
		snprintf(c->problem, sizeof(c->problem), "%s", p.type);
		snprintf(c->problem_msg, sizeof(c->problem_msg),
		    "%s %s%s%s (HTTP %ld)", p.type, p.detail ? p.detail : "",
		    p.sub ? ": " : "", p.sub ? p.sub : "", resp->code);
		acme_problem_free(&p);
	} else
		snprintf(c->problem_msg, sizeof(c->problem_msg),
		    "HTTP %ld without a problem document", resp->code);
	if (!quiet)
		sslm_log(SSLM_LOG_ERR, "%s: %s: %s", c->who, step,
		    c->problem_msg);
}

int
acme_resp_json(struct acme_client *c, const char *step,
    const struct http_resp *resp, json_t **out)
{
	json_error_t je;

	*out = NULL;
	if (!http_resp_is(resp, "application/json")) {
		sslm_log(SSLM_LOG_ERR, "%s: %s: expected application/json, "
		    "got %s", c->who, step, resp->content_type ?
		    resp->content_type : "no content type");
		return SSLM_ERR_ACME;
	}
	if (resp->body.p == NULL || (*out = json_loads(resp->body.p,
	    JSON_REJECT_DUPLICATES, &je)) == NULL) {
		sslm_log(SSLM_LOG_ERR, "%s: %s: bad JSON: %s", c->who, step,
		    resp->body.p == NULL ? "empty body" : je.text);
		return SSLM_ERR_ACME;
	}
	if (!json_is_object(*out)) {
		sslm_log(SSLM_LOG_ERR, "%s: %s: JSON is not an object",
		    c->who, step);
		json_decref(*out);
		*out = NULL;
		return SSLM_ERR_ACME;
	}
	return 0;
}

int
acme_directory(struct acme_client *c)
{
	struct http_resp resp;
	const char *need[] = { "newNonce", "newAccount", "newOrder" };
	size_t i;
	int r;

	if (c->dir != NULL)
		return 0;
	if ((r = http_get(c->http, c->directory, "application/json",
	    &resp)) != 0) {
		sslm_log(SSLM_LOG_ERR, "%s: directory: %s: %s", c->who,
		    c->directory, http_error(c->http));
		return r;
	}
	if (resp.code != 200) {
		acme_report(c, "directory", &resp, 0);
		r = SSLM_ERR_ACME;
	} else if ((r = acme_resp_json(c, "directory", &resp, &c->dir)) != 0)
		;
	else {
		for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
			if (acme_dir_url(c, need[i]) == NULL) {
				sslm_log(SSLM_LOG_ERR, "%s: directory: no %s",
				    c->who, need[i]);
				json_decref(c->dir);
				c->dir = NULL;
				r = SSLM_ERR_ACME;
				break;
			}
	}
	http_resp_free(&resp);
	return r;
}

const char *
acme_dir_url(const struct acme_client *c, const char *name)
{
	const char *u = json_string_value(json_object_get(c->dir, name));

	return u != NULL && strncmp(u, "https://", 8) == 0 ? u : NULL;
}

static int
acme_new_nonce(struct acme_client *c, const char *step)
{
	struct http_resp resp;
	int r;

	if ((r = http_head(c->http, acme_dir_url(c, "newNonce"),
	    &resp)) != 0) {
		sslm_log(SSLM_LOG_ERR, "%s: %s: new nonce: %s", c->who, step,
		    http_error(c->http));
		return r;
	}
	if ((resp.code != 200 && resp.code != 204) || resp.nonce == NULL) {
		sslm_log(SSLM_LOG_ERR, "%s: %s: new nonce: HTTP %ld%s",
		    c->who, step, resp.code, resp.nonce ? "" :
		    " without Replay-Nonce");
		r = SSLM_ERR_ACME;
	} else {
		free(c->nonce);
		c->nonce = xstrdup(resp.nonce);
	}
	http_resp_free(&resp);
	return r;
}

int
acme_post(struct acme_client *c, const char *step, const char *url,
    const char *payload, int flags, const char *accept,
    struct http_resp *resp)
{
	char *body = NULL;
	int r, tries;

	http_resp_init(resp);
	if ((r = acme_directory(c)) != 0)
		return r;
	if (!(flags & ACME_JWK) && c->kid == NULL) {
		sslm_log(SSLM_LOG_ERR, "%s: %s: no account", c->who, step);
		return SSLM_ERR_STATE;
	}
	if (url == NULL || strncmp(url, "https://", 8) != 0) {
		sslm_log(SSLM_LOG_ERR, "%s: %s: missing or non-https URL",
		    c->who, step);
		return SSLM_ERR_ACME;
	}
	for (tries = 0; ; tries++) {
		if (c->nonce == NULL && (r = acme_new_nonce(c, step)) != 0)
			return r;
		r = jws_sign(c->key, (flags & ACME_JWK) ? NULL : c->kid,
		    c->nonce, url, payload, &body);
		free(c->nonce);
		c->nonce = NULL;
		if (r != 0)
			return r;
		r = http_post(c->http, url, body, accept, resp);
		free(body);
		if (r != 0) {
			sslm_log(SSLM_LOG_ERR, "%s: %s: %s: %s", c->who, step,
			    url, http_error(c->http));
			return r;
		}
		if (resp->nonce != NULL)
			c->nonce = xstrdup(resp->nonce);
		if (resp->code >= 200 && resp->code < 300) {
			c->problem[0] = '\0';
			return 0;
		}
		acme_report(c, step, resp, 1);
		if (!acme_problem_is(c, "badNonce") ||
		    tries + 1 >= ACME_NONCE_RETRIES)
			break;
		sslm_log(SSLM_LOG_DEBUG, "%s: %s: badNonce, retrying",
		    c->who, step);
		http_resp_free(resp);
	}
	acme_report(c, step, resp, flags & ACME_QUIET);
	return SSLM_ERR_ACME;
}

int
acme_get_json(struct acme_client *c, const char *step, const char *url,
    json_t **out)
{
	struct http_resp resp;
	int r;

	*out = NULL;
	if ((r = acme_post(c, step, url, NULL, 0, NULL, &resp)) == 0)
		r = acme_resp_json(c, step, &resp, out);
	http_resp_free(&resp);
	return r;
}

char *
acme_server_dirname(const char *url)
{
	const char *p = url, *q;
	char *s, *t;

	if ((q = strstr(p, "://")) != NULL)
		p = q + 3;
	s = xstrdup(p);
	/* no query or fragment, no trailing '/', no ".." components */
	s[strcspn(s, "?#")] = '\0';
	while (*s != '\0' && s[strlen(s) - 1] == '/')
		s[strlen(s) - 1] = '\0';
	for (t = s; *t != '\0'; t++)
		if ((unsigned char)*t < 0x21 || *t == '\\')
			*t = '_';
	while ((t = strstr(s, "..")) != NULL)
		t[0] = t[1] = '_';
	return s;
}

int
acme_time_parse(const char *s, time_t *out)
{
	struct tm tm;
	int n = 0, off = 0, oh, om;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	    &n) != 6 || n == 0)
		return SSLM_ERR_PARSE;
	s += n;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			;
	if (*s == 'Z' || *s == 'z')
		s++;
	else if ((*s == '+' || *s == '-') && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && s[3] == ':' &&
	    isdigit((unsigned char)s[4]) && isdigit((unsigned char)s[5])) {
		/* Exactly "+HH:MM": sscanf("%2d") also took one digit, and
		 * the fixed step then ran past the end (found by fuzzing). */
		oh = (s[1] - '0') * 10 + (s[2] - '0');
		om = (s[4] - '0') * 10 + (s[5] - '0');
		if (oh > 23 || om > 59)
			return SSLM_ERR_PARSE;
		off = (oh * 60 + om) * 60 * (*s == '-' ? -1 : 1);
		s += 6;
	} else
		return SSLM_ERR_PARSE;
	if (*s != '\0' || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return SSLM_ERR_PARSE;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return SSLM_ERR_PARSE;
	*out = t - off;
	return 0;
}

long long
acme_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
acme_sleep_ms(long long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

long long
acme_poll_delay(const struct http_resp *resp, long long *backoff,
    long long deadline)
{
	long long d, left = deadline - acme_now_ms();

	if (resp != NULL && resp->retry_after >= 0)
		d = (long long)resp->retry_after * 1000;
	else {
		d = *backoff;
		*backoff = *backoff * 2 > ACME_POLL_MAX_MS ? ACME_POLL_MAX_MS :
		    *backoff * 2;
	}
	if (d < ACME_POLL_FIRST_MS)
		d = ACME_POLL_FIRST_MS;
	return d > left ? (left > 0 ? left : 0) : d;
}

int
acme_revoke(struct acme_client *c, X509 *cert, int reason)
{
	struct http_resp resp;
	unsigned char *der = NULL;
	json_t *pl = NULL;
	char *b64 = NULL, *s = NULL;
	int len, r = SSLM_ERR_CRYPTO;

	if ((len = i2d_X509(cert, &der)) <= 0) {
		sslm_log_crypto("revoke: certificate DER");
		return SSLM_ERR_CRYPTO;
	}
	b64 = b64url_encode(der, (size_t)len);
	pl = json_pack("{s:s}", "certificate", b64);
	if (reason >= 0)
		json_object_set_new(pl, "reason", json_integer(reason));
	if ((s = json_dumps(pl, JSON_COMPACT)) == NULL)
		goto out;
	if ((r = acme_directory(c)) != 0)
		goto out;
	r = acme_post(c, "revoke", acme_dir_url(c, "revokeCert"), s, 0, NULL,
	    &resp);
	http_resp_free(&resp);
	if (r == 0)
		sslm_log(SSLM_LOG_INFO, "%s: revoke: certificate revoked "
		    "(reason %d)", c->who, reason < 0 ? 0 : reason);
out:
	OPENSSL_free(der);
	free(b64);
	free(s);
	json_decref(pl);
	return r;
}

char *
acme_ari_cert_id(X509 *cert)
{
	AUTHORITY_KEYID *akid;
	const ASN1_INTEGER *serial;
	unsigned char *der = NULL, *p;
	char *a = NULL, *b = NULL, *id = NULL;
	int n;

	akid = X509_get_ext_d2i(cert, NID_authority_key_identifier, NULL,
	    NULL);
	if (akid == NULL || akid->keyid == NULL)
		goto out;
	a = b64url_encode(ASN1_STRING_get0_data(akid->keyid),
	    (size_t)ASN1_STRING_length(akid->keyid));
	/* the DER content octets of the INTEGER: skip tag and length */
	serial = X509_get0_serialNumber(cert);
	if ((n = i2d_ASN1_INTEGER(serial, &der)) < 3 || der[0] != 0x02)
		goto out;
	p = der + 2;
	if (der[1] & 0x80)
		p += der[1] & 0x7f;
	if (p >= der + n)
		goto out;
	b = b64url_encode(p, (size_t)(der + n - p));
	id = xasprintf("%s.%s", a, b);
out:
	AUTHORITY_KEYID_free(akid);
	OPENSSL_free(der);
	free(a);
	free(b);
	return id;
}

int
acme_ari(struct acme_client *c, X509 *cert, time_t *start, time_t *end,
    long *retry_after)
{
	struct http_resp resp;
	const char *base, *s, *e;
	json_t *j = NULL, *w;
	char *id = NULL, *url = NULL;
	int r;

	*start = *end = 0;
	*retry_after = -1;
	http_resp_init(&resp);
	if ((r = acme_directory(c)) != 0)
		return r;
	if ((base = acme_dir_url(c, "renewalInfo")) == NULL) {
		sslm_log(SSLM_LOG_INFO, "%s: ari: the server has no "
		    "renewalInfo", c->who);
		return SSLM_ERR_NOTFOUND;
	}
	if ((id = acme_ari_cert_id(cert)) == NULL) {
		sslm_log(SSLM_LOG_ERR, "%s: ari: certificate has no "
		    "authority key identifier", c->who);
		return SSLM_ERR_STATE;
	}
	url = xasprintf("%s%s%s", base, base[strlen(base) - 1] == '/' ?
	    "" : "/", id);
	if ((r = http_get(c->http, url, "application/json", &resp)) != 0)
		sslm_log(SSLM_LOG_ERR, "%s: ari: %s: %s", c->who, url,
		    http_error(c->http));
	else if (resp.code != 200) {
		acme_report(c, "ari", &resp, 0);
		r = SSLM_ERR_ACME;
	} else if ((r = acme_resp_json(c, "ari", &resp, &j)) != 0)
		;
	else if ((w = json_object_get(j, "suggestedWindow")) == NULL ||
	    (s = json_string_value(json_object_get(w, "start"))) == NULL ||
	    (e = json_string_value(json_object_get(w, "end"))) == NULL ||
	    acme_time_parse(s, start) != 0 || acme_time_parse(e, end) != 0 ||
	    *end < *start) {
		sslm_log(SSLM_LOG_ERR, "%s: ari: no valid suggestedWindow",
		    c->who);
		r = SSLM_ERR_ACME;
	} else {
		*retry_after = resp.retry_after;
		sslm_log(SSLM_LOG_INFO, "%s: ari: window %s .. %s", c->who,
		    s, e);
	}
	http_resp_free(&resp);
	json_decref(j);
	free(id);
	free(url);
	return r;
}
