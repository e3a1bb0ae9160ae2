/*
 * http.h - the libcurl seam of the ACME client.
 *
 * One struct http_ctx per ACME client (one connection cache).  Requests are
 * HTTPS only, never follow redirects, carry "User-Agent: ssl-mgr/<version>"
 * and have connect and total timeouts.  Every response body is read into a
 * bounded buffer (HTTP_BODY_MAX); a bigger body fails the request with
 * SSLM_ERR_TOOBIG instead of growing without limit.  Only the headers the
 * ACME protocol needs are kept.
 */
#ifndef SSLM_HTTP_H
#define SSLM_HTTP_H

#include <stdbool.h>
#include <time.h>

#include "util.h"

#define HTTP_BODY_MAX		(1024 * 1024)	/* JSON and PEM chains */
#define HTTP_CONNECT_TIMEOUT	30		/* seconds */
#define HTTP_TOTAL_TIMEOUT	120		/* seconds, per request */

struct http_ctx;

/* What we keep of one response.  Strings are owned (http_resp_free). */
struct http_resp {
	long		 code;		/* HTTP status */
	char		*nonce;		/* Replay-Nonce */
	char		*location;	/* Location */
	char		*content_type;	/* Content-Type, lower-cased */
	long		 retry_after;	/* Retry-After in seconds, -1: none */
	struct strlist	 alternates;	/* Link: <..>;rel="alternate" */
	char		*up;		/* Link: <..>;rel="up" */
	struct buf	 body;		/* NUL-terminated, at most max */
};

/*
 * Creates a context.  ca_file (may be NULL: the system store) is the trust
 * for the server's HTTPS certificate.  0 and *out (http_free), or an
 * sslm_err.
 */
int	http_new(const char *ca_file, struct http_ctx **out) SSLM_WUR;
void	http_free(struct http_ctx *);

/*
 * One request: GET, HEAD, or POST of body with Content-Type
 * application/jose+json.  accept may be NULL.  Returns 0 when a response
 * (of any status) arrived, with *resp filled (http_resp_free); otherwise
 * SSLM_ERR_NET / SSLM_ERR_TIMEOUT / SSLM_ERR_TOOBIG with the reason in
 * http_error().
 */
int	http_get(struct http_ctx *, const char *url, const char *accept,
	    struct http_resp *resp) SSLM_WUR;
int	http_head(struct http_ctx *, const char *url,
	    struct http_resp *resp) SSLM_WUR;
int	http_post(struct http_ctx *, const char *url, const char *body,
	    const char *accept, struct http_resp *resp) SSLM_WUR;
/* Lowers the total time of each request to secs (not above the default). */
void	http_set_timeout(struct http_ctx *, int secs);
/* The reason of the last failed request (static buffer of the ctx). */
const char *http_error(const struct http_ctx *);

void	http_resp_init(struct http_resp *);
void	http_resp_free(struct http_resp *);
/* True when the response's Content-Type is `type` (parameters ignored). */
bool	http_resp_is(const struct http_resp *, const char *type);

/*
 * Parses a Retry-After value: delta-seconds or an HTTP-date (RFC 9110
 * 10.2.3), relative to now.  Returns the seconds to wait (0 for a date in
 * the past) or -1 when the value is not valid.
 */
long	http_retry_after_parse(const char *value, time_t now);

/*
 * Parses one Link header value (RFC 8288): every link whose rel list holds
 * `rel` is appended to out.  Quoted and unquoted rel values, several links
 * per value and extra parameters are accepted.  Returns the number added.
 */
int	http_link_parse(const char *value, const char *rel,
	    struct strlist *out);

#endif
