/*
 * acme.h - the native RFC 8555 client (with RFC 9773 ARI) that replaces
 * certbot.
 *
 * One struct acme_client talks to one ACME server for one group/service
 * (one account each, as upstream).  The caller drives the steps:
 *
 *	acme_client_new(&opts, &c);
 *	acme_account_ensure(c);
 *	acme_order_new(c, &names, replaces, &o);
 *	acme_order_challenges(c, o, "dns-01", &ch, &n);
 *	... publish ch[i].txt_value / ch[i].key_auth ...
 *	acme_challenge_answer(c, &ch[i]) for each;
 *	acme_order_wait_ready(c, o, 300);
 *	... remove the published answers ...
 *	acme_order_finalize(c, o, csr, 300, &cert_pem, &chain_pem);
 *
 * Every function returns 0 or a negative sslm_err and has already logged
 * one message "<who>: <step>: <what failed>" (for server errors the RFC
 * 7807 problem type and detail).  Progress goes to SSLM_LOG_INFO.
 * Nothing secret (keys, EAB HMAC key, signing input) is ever logged.
 */
#ifndef SSLM_ACME_H
#define SSLM_ACME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "util.h"

#define ACME_LE_PRODUCTION "https://acme-v02.api.letsencrypt.org/directory"
#define ACME_LE_STAGING "https://acme-staging-v02.api.letsencrypt.org/directory"

/* Everything is borrowed for the call to acme_client_new (copied). */
struct acme_opts {
	const char	*directory;	/* directory URL (https) */
	const char	*ca_file;	/* trust for its HTTPS; NULL: system */
	const char	*account_dir;	/* the service's cb/ directory */
	const char	*email;		/* contact; NULL or "": none */
	const char	*eab_kid;	/* both or neither */
	const char	*eab_hmac_key;	/* base64url; secret */
	const char	*eab_alg;	/* HS256 (NULL), HS384, HS512 */
	const char	*profile;	/* ca_preferred_acme_profile or NULL */
	const char	*preferred_chain; /* ca_preferred_chain or NULL */
	const char	*who;		/* "grp:svc" for messages */
	int		 timeout;	/* s per request, at most 120; 0: 120 */
};

struct acme_client;

/* An order (RFC 8555 7.1.3) as far as we need it; acme_order_free. */
struct acme_order {
	char		*url;
	char		*status;
	char		*finalize;
	char		*certificate;
	struct strlist	 authzs;	/* authorization URLs */
};

/* One challenge to answer; an array of them is freed by acme_chals_free. */
struct acme_chal {
	char	*identifier;	/* "example.com" (wildcard: without "*.") */
	bool	 wildcard;
	char	*type;		/* "http-01", "dns-01" */
	char	*url;
	char	*token;
	char	*key_auth;	/* http-01: the body to serve */
	char	*txt_value;	/* dns-01: the _acme-challenge TXT value */
	char	*authz_url;
};

/* 0 and *out (acme_client_free); fetches nothing yet. */
int	acme_client_new(const struct acme_opts *, struct acme_client **out)
	    SSLM_WUR;
void	acme_client_free(struct acme_client *);

/*
 * Makes sure we have a registered account: loads
 * <account_dir>/acme/<server>/account.pem (0600, directory 0700) and
 * account.json; else imports certbot's
 * <account_dir>/accounts/<server>/<id>/{private_key.json,regr.json} (and
 * saves it in our form); else makes a new P-256 key.  Then looks the
 * account up (onlyReturnExisting) and registers it when the server does
 * not know it (termsOfServiceAgreed, contact, EAB).  <server> is the
 * directory URL's host[:port] and path, as certbot names it.
 */
int	acme_account_ensure(struct acme_client *) SSLM_WUR;
/* The account URL (kid) after acme_account_ensure; borrowed. */
const char *acme_account_url(const struct acme_client *);

/*
 * Creates an order for names (DNS names, "*.wildcards", IP literals).
 * replaces is an ARI cert id (acme_ari_cert_id) or NULL.  The profile is
 * sent when the directory offers it.  0 and *out (acme_order_free).
 */
int	acme_order_new(struct acme_client *, const struct strlist *names,
	    const char *replaces, struct acme_order **out) SSLM_WUR;
void	acme_order_free(struct acme_order *);

/*
 * The challenges of type ("dns-01", "http-01") of the order's pending
 * authorizations (valid ones are skipped).  0 and the array in *chals with its
 * length in *n (which may be 0; acme_chals_free).
 */
int	acme_order_challenges(struct acme_client *, struct acme_order *,
	    const char *type, struct acme_chal **chals, size_t *n) SSLM_WUR;
void	acme_chals_free(struct acme_chal *, size_t);
/* Tells the server the answer is published (POST {} to the challenge). */
int	acme_challenge_answer(struct acme_client *, const struct acme_chal *)
	    SSLM_WUR;

/*
 * Polls the authorizations and then the order until the order is ready,
 * honouring Retry-After and otherwise backing off from 50 ms.  An invalid
 * authorization gives SSLM_ERR_ACME with the failed challenge's problem;
 * timeout_secs passing gives SSLM_ERR_TIMEOUT.
 */
int	acme_order_wait_ready(struct acme_client *, struct acme_order *,
	    int timeout_secs) SSLM_WUR;

/*
 * Finalizes with our CSR, waits (timeout_secs) for the certificate and
 * downloads it, choosing among the default and alternate chains the one
 * whose topmost issuer or subject CN is the preferred chain.  The leaf's
 * public key must be the CSR's.  0 and *cert_pem (the leaf) and
 * *chain_pem (the rest), both caller-owned.
 */
int	acme_order_finalize(struct acme_client *, struct acme_order *,
	    X509_REQ *csr, int timeout_secs, char **cert_pem,
	    char **chain_pem) SSLM_WUR;

/* Revokes cert (RFC 8555 7.6) with reason (0..10, -1: none). */
int	acme_revoke(struct acme_client *, X509 *cert, int reason) SSLM_WUR;

/*
 * RFC 9773: "base64url(AKI keyIdentifier).base64url(serial)", or NULL when
 * cert has no AKI key identifier.  Caller frees.
 */
char	*acme_ari_cert_id(X509 *cert);
/*
 * Fetches the renewal info of cert: the suggested window and the seconds
 * the server asks us to wait before asking again (-1: not said).
 * SSLM_ERR_NOTFOUND when the server has no renewalInfo (no ARI).
 */
int	acme_ari(struct acme_client *, X509 *cert, time_t *start,
	    time_t *end, long *retry_after) SSLM_WUR;

#endif
