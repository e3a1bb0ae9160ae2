/*
 * http.c - the libcurl seam of the ACME client (see http.h).
 *
 * Invariant: nothing the server sends can make us allocate more than
 * HTTP_BODY_MAX bytes of body plus a bounded number of short header
 * values; header lines we do not need are dropped as they arrive.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "err.h"
#include "http.h"
#include "log.h"

#ifndef SSLM_VERSION
#define SSLM_VERSION "0.0.0"
#endif

#define HTTP_HDR_MAX	4096	/* longest header value we keep */
#define HTTP_LINKS_MAX	16	/* alternate chains we keep */

struct http_ctx {
	CURL	*curl;
	char	*ca_file;
	long	 timeout;	/* total seconds per request */
	char	 errbuf[CURL_ERROR_SIZE];
	char	 error[CURL_ERROR_SIZE + 64];
};

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST };

static size_t	on_body(char *, size_t, size_t, void *);
static size_t	on_header(char *, size_t, size_t, void *);
static char	*hdr_value(const char *, size_t);
static int	http_do(struct http_ctx *, enum http_method, const char *,
		    const char *, const char *, struct http_resp *);

int
http_new(const char *ca_file, struct http_ctx **out)
{
	static bool inited;
	struct http_ctx *h;

	*out = NULL;
	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			sslm_log(SSLM_LOG_ERR, "libcurl: global init failed");
			return SSLM_ERR_NET;
		}
		inited = true;
	}
	h = xcalloc(1, sizeof(*h));
	if ((h->curl = curl_easy_init()) == NULL) {
		free(h);
		sslm_log(SSLM_LOG_ERR, "libcurl: easy init failed");
		return SSLM_ERR_NET;
	}
	h->timeout = HTTP_TOTAL_TIMEOUT;
	if (ca_file != NULL && *ca_file != '\0')
		h->ca_file = xstrdup(ca_file);
	*out = h;
	return 0;
}

void
http_set_timeout(struct http_ctx *h, int secs)
{
	if (secs > 0 && secs < HTTP_TOTAL_TIMEOUT)
		h->timeout = secs;
}

void
http_free(struct http_ctx *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->curl);
	free(h->ca_file);
	free(h);
}

const char *
http_error(const struct http_ctx *h)
{
	return h->error;
}

void
http_resp_init(struct http_resp *r)
{
	memset(r, 0, sizeof(*r));
	r->retry_after = -1;
	buf_init(&r->body, HTTP_BODY_MAX);
}

void
http_resp_free(struct http_resp *r)
{
	if (r == NULL)
		return;
	free(r->nonce);
	free(r->location);
	free(r->content_type);
	free(r->up);
	strlist_clear(&r->alternates);
	buf_free(&r->body);
	http_resp_init(r);
}

bool
http_resp_is(const struct http_resp *r, const char *type)
{
	size_t n = strlen(type);

	if (r->content_type == NULL ||
	    strncmp(r->content_type, type, n) != 0)
		return false;
	return r->content_type[n] == '\0' || r->content_type[n] == ';' ||
	    r->content_type[n] == ' ';
}

/* Appends body bytes; refusing past the cap makes curl stop the transfer. */
static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct http_resp *r = arg;
	size_t n = size * nmemb;

	if (buf_add(&r->body, p, n) != 0)
		return 0;
	return n;
}

/* A copy of a header value without surrounding blanks; NULL if too long. */
static char *
hdr_value(const char *p, size_t n)
{
	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		n--;
	if (n > HTTP_HDR_MAX)
		return NULL;
	return xstrndup(p, n);
}

/*
 * Called once per header line.  A status line starts a new header block
 * (after "100 Continue"), so what was kept is dropped there.
 */
static size_t
on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct http_resp *r = arg;
	size_t n = size * nmemb, nlen;
	const char *colon;
	char *v, *q;

	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		free(r->nonce);
		free(r->location);
		free(r->content_type);
		free(r->up);
		r->nonce = r->location = r->content_type = r->up = NULL;
		r->retry_after = -1;
		strlist_clear(&r->alternates);
		return n;
	}
	if ((colon = memchr(p, ':', n)) == NULL)
		return n;
	nlen = (size_t)(colon - p);
	if ((v = hdr_value(colon + 1, n - nlen - 1)) == NULL)
		return n;
	if (nlen == 12 && strncasecmp(p, "Replay-Nonce", 12) == 0) {
		free(r->nonce);
		r->nonce = v;
	} else if (nlen == 8 && strncasecmp(p, "Location", 8) == 0) {
		free(r->location);
		r->location = v;
	} else if (nlen == 12 && strncasecmp(p, "Content-Type", 12) == 0) {
		for (q = v; *q != '\0'; q++)
			*q = (char)tolower((unsigned char)*q);
		free(r->content_type);
		r->content_type = v;
	} else if (nlen == 11 && strncasecmp(p, "Retry-After", 11) == 0) {
		r->retry_after = http_retry_after_parse(v, time(NULL));
		free(v);
	} else if (nlen == 4 && strncasecmp(p, "Link", 4) == 0) {
		struct strlist up = { 0 };

		if (r->alternates.n < HTTP_LINKS_MAX)
			http_link_parse(v, "alternate", &r->alternates);
		if (http_link_parse(v, "up", &up) > 0 && r->up == NULL)
			r->up = xstrdup(up.v[0]);
		strlist_clear(&up);
		free(v);
	} else
		free(v);
	return n;
}

static int
http_do(struct http_ctx *h, enum http_method m, const char *url,
    const char *body, const char *accept, struct http_resp *r)
{
	struct curl_slist *hdrs = NULL;
	char hbuf[128];
	CURLcode cc;
	int rc = SSLM_ERR_NET;

	http_resp_init(r);
	h->error[0] = h->errbuf[0] = '\0';
	curl_easy_reset(h->curl);
	if (accept != NULL) {
		snprintf(hbuf, sizeof(hbuf), "Accept: %s", accept);
		hdrs = curl_slist_append(hdrs, hbuf);
	}
	if (m == HTTP_POST) {
		hdrs = curl_slist_append(hdrs,
		    "Content-Type: application/jose+json");
		/* no "Expect: 100-continue" round trip */
		hdrs = curl_slist_append(hdrs, "Expect:");
	}
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_USERAGENT, "ssl-mgr/" SSLM_VERSION);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT,
	    h->timeout < HTTP_CONNECT_TIMEOUT ? h->timeout :
	    (long)HTTP_CONNECT_TIMEOUT);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT, h->timeout);
	curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
	if (h->ca_file != NULL)
		curl_easy_setopt(h->curl, CURLOPT_CAINFO, h->ca_file);
	if (m == HTTP_HEAD)
		curl_easy_setopt(h->curl, CURLOPT_NOBODY, 1L);
	else if (m == HTTP_POST) {
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)strlen(body));
	}

	cc = curl_easy_perform(h->curl);
	if (cc == CURLE_WRITE_ERROR) {
		snprintf(h->error, sizeof(h->error),
		    "response body larger than %zu bytes", r->body.max);
		rc = SSLM_ERR_TOOBIG;
	} else if (cc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(h->error, sizeof(h->error), "%s",
		    h->errbuf[0] ? h->errbuf : curl_easy_strerror(cc));
		rc = SSLM_ERR_TIMEOUT;
	} else if (cc != CURLE_OK) {
		snprintf(h->error, sizeof(h->error), "%s",
		    h->errbuf[0] ? h->errbuf : curl_easy_strerror(cc));
		rc = SSLM_ERR_NET;
	} else {
		curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &r->code);
		rc = 0;
	}
	curl_slist_free_all(hdrs);
	if (rc != 0)
		http_resp_free(r);
	return rc;
}

int
http_get(struct http_ctx *h, const char *url, const char *accept,
    struct http_resp *r)
{
	return http_do(h, HTTP_GET, url, NULL, accept, r);
}

int
http_head(struct http_ctx *h, const char *url, struct http_resp *r)
{
	return http_do(h, HTTP_HEAD, url, NULL, NULL, r);
}

int
http_post(struct http_ctx *h, const char *url, const char *body,
    const char *accept, struct http_resp *r)
{
	return http_do(h, HTTP_POST, url, body, accept, r);
}

long
http_retry_after_parse(const char *v, time_t now)
{
	const char *p;
	long secs = 0;
	time_t t;

	if (v == NULL)
		return -1;
	while (*v == ' ' || *v == '\t')
		v++;
	if (isdigit((unsigned char)*v)) {
		for (p = v; isdigit((unsigned char)*p); p++) {
			if (secs > 100000000L)	/* ~3 years: nonsense */
				return -1;
			secs = secs * 10 + (*p - '0');
		}
		while (*p == ' ' || *p == '\t')
			p++;
		return *p == '\0' ? secs : -1;
	}
	/* curl parses the three date forms RFC 9110 allows */
	if ((t = curl_getdate(v, NULL)) == -1)
		return -1;
	return t <= now ? 0 : (long)(t - now);
}

/* Skips blanks. */
static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* True when the space-separated rel list [p, p+n) holds rel. */
static bool
rel_has(const char *p, size_t n, const char *rel)
{
	size_t rl = strlen(rel), i = 0, j;

	while (i < n) {
		while (i < n && p[i] == ' ')
			i++;
		for (j = i; j < n && p[j] != ' '; j++)
			;
		if (j - i == rl && strncasecmp(p + i, rel, rl) == 0)
			return true;
		i = j;
	}
	return false;
}

int
http_link_parse(const char *v, const char *rel, struct strlist *out)
{
	const char *p = v, *uri, *end, *val;
	size_t ulen, vlen;
	bool match;
	int added = 0;

	for (;;) {
		p = skip_ws(p);
		while (*p == ',')
			p = skip_ws(p + 1);
		if (*p != '<')
			break;
		uri = p + 1;
		if ((end = strchr(uri, '>')) == NULL)
			break;
		ulen = (size_t)(end - uri);
		p = end + 1;
		match = false;
		/* parameters: ; name[=value|="quoted"] */
		for (;;) {
			p = skip_ws(p);
			if (*p != ';')
				break;
			p = skip_ws(p + 1);
			val = p;
			while (*p != '\0' && *p != '=' && *p != ';' &&
			    *p != ',' && *p != ' ')
				p++;
			vlen = (size_t)(p - val);
			p = skip_ws(p);
			if (*p != '=')
				continue;
			p = skip_ws(p + 1);
			if (vlen == 3 && strncasecmp(val, "rel", 3) == 0) {
				if (*p == '"') {
					val = ++p;
					while (*p != '\0' && *p != '"')
						p++;
					vlen = (size_t)(p - val);
					if (*p == '"')
						p++;
				} else {
					val = p;
					while (*p != '\0' && *p != ';' &&
					    *p != ',' && *p != ' ')
						p++;
					vlen = (size_t)(p - val);
				}
				if (rel_has(val, vlen, rel))
					match = true;
			} else if (*p == '"') {
				for (p++; *p != '\0' && *p != '"'; p++)
					if (*p == '\\' && p[1] != '\0')
						p++;
				if (*p == '"')
					p++;
			} else {
				while (*p != '\0' && *p != ';' && *p != ',')
					p++;
			}
		}
		if (match && ulen > 0) {
			strlist_add_nodup(out, xstrndup(uri, ulen));
			added++;
		}
		while (*p != '\0' && *p != ',')
			p++;
		if (*p == '\0')
			break;
	}
	return added;
}
