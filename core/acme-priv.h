/*
 * acme-priv.h - what acme.c, acme-account.c and acme-order.c share, and
 * what the unit tests reach: the client struct, the signed-request helper
 * with its badNonce retry, and the small parsers.
 */
#ifndef SSLM_ACME_PRIV_H
#define SSLM_ACME_PRIV_H

#include <stdbool.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "acme.h"
#include "http.h"

#define ACME_NONCE_RETRIES	20	/* badNonce: even 50% rejection is ok */
#define ACME_POLL_FIRST_MS	50	/* first delay without Retry-After */
#define ACME_POLL_MAX_MS	2000	/* back-off ceiling */
#define ACME_ALT_MAX		8	/* alternate chains looked at */
#define ACME_JSON_MAX_DEPTH	32

/* acme_post flags */
#define ACME_JWK	0x1	/* sign with the jwk, not the kid */
#define ACME_QUIET	0x2	/* the caller reports a problem itself */

struct acme_client {
	char		*directory;
	char		*account_dir;
	char		*email;
	char		*eab_kid;
	char		*eab_hmac_key;	/* secret */
	char		*eab_alg;
	char		*profile;
	char		*preferred_chain;
	char		*who;
	struct http_ctx	*http;
	json_t		*dir;		/* the directory object */
	char		*nonce;
	EVP_PKEY	*key;		/* account key */
	char		*kid;		/* account URL */
	char		 problem[128];	/* type of the last problem */
	char		 problem_msg[1536]; /* "type detail (HTTP n)" */
};

/* An RFC 7807 problem document; strings owned, made safe to print. */
struct acme_problem {
	char	*type;
	char	*detail;
	long	 status;
	char	*sub;		/* "<id>: <type> <detail>; ..." or NULL */
};

/* Parses a problem body (NUL-terminated).  0 or SSLM_ERR_PARSE. */
int	acme_problem_parse(const char *body, struct acme_problem *) SSLM_WUR;
void	acme_problem_free(struct acme_problem *);
/* Replaces control characters of untrusted text by '?', in place. */
void	acme_safe(char *);

/* RFC 3339 timestamp to time_t.  0 or SSLM_ERR_PARSE. */
int	acme_time_parse(const char *, time_t *) SSLM_WUR;

/* "host[:port]/path" of a directory URL, as certbot names its dirs. */
char	*acme_server_dirname(const char *url);

/* Fetches the directory once.  0 or sslm_err. */
int	acme_directory(struct acme_client *) SSLM_WUR;
/* A resource URL of the directory, or NULL (borrowed). */
const char *acme_dir_url(const struct acme_client *, const char *name);

/*
 * A signed POST (payload NULL: POST-as-GET) retried on badNonce.  0 only
 * for a 2xx answer, with *resp filled (http_resp_free); otherwise the
 * problem is logged (unless ACME_QUIET), its type left in c->problem, and
 * SSLM_ERR_ACME (or the transport error) returned.
 */
int	acme_post(struct acme_client *, const char *step, const char *url,
	    const char *payload, int flags, const char *accept,
	    struct http_resp *resp) SSLM_WUR;
/* A 2xx JSON response parsed into *out (json_decref). */
int	acme_resp_json(struct acme_client *, const char *step,
	    const struct http_resp *, json_t **out) SSLM_WUR;
/* POST-as-GET of a JSON resource. */
int	acme_get_json(struct acme_client *, const char *step,
	    const char *url, json_t **out) SSLM_WUR;
/* True when the last problem had this short type ("badNonce"). */
bool	acme_problem_is(const struct acme_client *, const char *);

/*
 * Loads, imports (certbot) or generates the account key, without any
 * network request; c->kid is set when the URL is known.  0 or sslm_err.
 */
int	acme_account_key(struct acme_client *) SSLM_WUR;
/* Registers (or looks up) the account again; used after a CA restart. */
int	acme_account_register(struct acme_client *) SSLM_WUR;

/* Monotonic milliseconds, and a sleep that survives signals. */
long long acme_now_ms(void);
void	acme_sleep_ms(long long);
/* The next poll delay: Retry-After when given, else the back-off. */
long long acme_poll_delay(const struct http_resp *, long long *backoff,
	    long long deadline);

#endif
