/*
 * acme-account.c - the ACME account of one group/service (RFC 8555 7.3):
 * our key and account URL under <cb>/acme/<server>/, the import of a
 * certbot account found under <cb>/accounts/<server>/<id>/, look-up with
 * onlyReturnExisting and registration (terms of service, contact,
 * external account binding).
 *
 * Invariant: the account key is on disk (0600, directory 0700) before the
 * server ever sees it, so a crash can never leave a registered account
 * whose key we lost.  Key files readable by group or others are refused.
 */
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme-priv.h"
#include "config.h"
#include "err.h"
#include "jws.h"
#include "log.h"
#include "store.h"
#include "x509.h"

#define ACCOUNT_DIR_MODE	0700
#define ACCOUNT_KEY_MODE	0600
#define ACCOUNT_FILE_MAX	(64 * 1024)

static char	*account_path(const struct acme_client *, const char *);
static int	 account_load(struct acme_client *);
static int	 account_import_certbot(struct acme_client *);
static int	 account_generate(struct acme_client *);
static int	 account_save_key(struct acme_client *);
static int	 account_save_url(struct acme_client *, const char *);
static int	 account_create(struct acme_client *);

/* <account_dir>/acme/<server>[/name]; caller frees. */
static char *
account_path(const struct acme_client *c, const char *name)
{
	char *srv = acme_server_dirname(c->directory), *p;

	if (name == NULL)
		p = xasprintf("%s/acme/%s", c->account_dir, srv);
	else
		p = xasprintf("%s/acme/%s/%s", c->account_dir, srv, name);
	free(srv);
	return p;
}

/* Reads a JSON object file (bounded).  0, NOTFOUND or PARSE. */
static int
json_file(const char *path, json_t **out, bool secret)
{
	json_error_t je;
	char *s = NULL;
	size_t len = 0;
	int r;

	*out = NULL;
	if ((r = read_file(path, ACCOUNT_FILE_MAX, &s, &len)) != 0)
		return r;
	*out = json_loadb(s, len, JSON_REJECT_DUPLICATES, &je);
	if (secret)
		freezero_secret(s, len);
	else
		free(s);
	if (*out == NULL || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		sslm_log(SSLM_LOG_ERR, "%s: not a JSON object", path);
		return SSLM_ERR_PARSE;
	}
	return 0;
}

/* Our own account: 0 when loaded, NOTFOUND when there is none. */
static int
account_load(struct acme_client *c)
{
	struct stat st;
	json_t *j = NULL;
	char *key = account_path(c, "account.pem");
	char *js = account_path(c, "account.json");
	const char *url;
	int r;

	if (stat(key, &st) == -1) {
		r = errno == ENOENT ? SSLM_ERR_NOTFOUND : SSLM_ERR_IO;
		if (r != SSLM_ERR_NOTFOUND)
			sslm_log(SSLM_LOG_ERR, "%s: account: %s: %s", c->who,
			    key, strerror(errno));
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		sslm_log(SSLM_LOG_ERR, "%s: account: %s: mode %03o: must not "
		    "be accessible by group or others", c->who, key,
		    (unsigned int)(st.st_mode & 0777));
		r = SSLM_ERR_PERM;
		goto out;
	}
	if ((r = x509_load_key(key, &c->key)) != 0) {
		sslm_log(SSLM_LOG_ERR, "%s: account: %s: cannot load key",
		    c->who, key);
		goto out;
	}
	if (jws_alg(c->key) == NULL) {
		sslm_log(SSLM_LOG_ERR, "%s: account: %s: unsupported key "
		    "type", c->who, key);
		r = SSLM_ERR_CRYPTO;
		goto out;
	}
	/* a missing account.json only means we must look the URL up */
	if (json_file(js, &j, false) == 0 &&
	    (url = json_string_value(json_object_get(j, "url"))) != NULL)
		c->kid = xstrdup(url);
	r = 0;
out:
	json_decref(j);
	free(key);
	free(js);
	return r;
}

/*
 * certbot keeps accounts/<server>/<id>/private_key.json (a JWK) and
 * regr.json ({"uri": <account URL>, ...}).  The first complete one wins.
 */
static int
account_import_certbot(struct acme_client *c)
{
	struct strlist ids = { 0 };
	json_t *jk = NULL, *jr = NULL;
	char *srv = acme_server_dirname(c->directory), *base, *pk, *rg;
	const char *uri;
	size_t i;
	int r = SSLM_ERR_NOTFOUND;

	base = xasprintf("%s/accounts/%s", c->account_dir, srv);
	if (list_subdirs(base, &ids) != 0)
		goto out;
	for (i = 0; i < ids.n && r == SSLM_ERR_NOTFOUND; i++) {
		pk = xasprintf("%s/%s/private_key.json", base, ids.v[i]);
		rg = xasprintf("%s/%s/regr.json", base, ids.v[i]);
		if (json_file(pk, &jk, true) != 0 ||
		    json_file(rg, &jr, false) != 0)
			;
		else if (jws_jwk_to_pkey(jk, &c->key) != 0 ||
		    jws_alg(c->key) == NULL) {
			sslm_log(SSLM_LOG_WARN, "%s: account: %s: unusable "
			    "certbot key", c->who, pk);
			EVP_PKEY_free(c->key);
			c->key = NULL;
		} else {
			uri = json_string_value(json_object_get(jr, "uri"));
			free(c->kid);
			c->kid = uri != NULL ? xstrdup(uri) : NULL;
			sslm_log(SSLM_LOG_NOTE, "%s: account: imported certbot "
			    "account %s", c->who, ids.v[i]);
			r = 0;
		}
		json_decref(jk);
		json_decref(jr);
		jk = jr = NULL;
		free(pk);
		free(rg);
	}
	if (r == 0 && (r = account_save_key(c)) == 0 && c->kid != NULL)
		r = account_save_url(c, c->kid);
out:
	strlist_clear(&ids);
	free(base);
	free(srv);
	return r;
}

static int
account_save_key(struct acme_client *c)
{
	char *dir = account_path(c, NULL), *path = NULL, *pem = NULL;
	size_t len = 0;
	int r;

	if ((r = store_mkdir_p(dir, ACCOUNT_DIR_MODE)) != 0) {
		sslm_log(SSLM_LOG_ERR, "%s: account: cannot create %s",
		    c->who, dir);
		goto out;
	}
	path = account_path(c, "account.pem");
	if ((r = x509_key_to_pem(c->key, &pem, &len)) != 0)
		goto out;
	if ((r = store_write_file(path, pem, len, ACCOUNT_KEY_MODE)) != 0)
		sslm_log(SSLM_LOG_ERR, "%s: account: cannot write %s",
		    c->who, path);
out:
	if (pem != NULL)
		freezero_secret(pem, len);
	free(dir);
	free(path);
	return r;
}

static int
account_save_url(struct acme_client *c, const char *url)
{
	char *path = account_path(c, "account.json"), *s;
	json_t *j;
	int r = SSLM_ERR_INTERNAL;

	j = json_pack("{s:s, s:s}", "url", url, "directory", c->directory);
	if (j != NULL && (s = json_dumps(j, JSON_INDENT(2))) != NULL) {
		if ((r = store_write_file(path, s, strlen(s),
		    ACCOUNT_KEY_MODE)) != 0)
			sslm_log(SSLM_LOG_ERR, "%s: account: cannot write %s",
			    c->who, path);
		free(s);
	}
	json_decref(j);
	free(path);
	return r;
}

static int
account_generate(struct acme_client *c)
{
	struct x509_keyspec ks = { SSLM_KEY_EC, "prime256v1", 0 };
	int r;

	if ((r = x509_key_generate(&ks, &c->key)) != 0)
		return r;
	sslm_log(SSLM_LOG_INFO, "%s: account: new P-256 account key",
	    c->who);
	return account_save_key(c);
}

/* newAccount with termsOfServiceAgreed, contact and EAB. */
static int
account_create(struct acme_client *c)
{
	struct http_resp resp;
	const char *url = acme_dir_url(c, "newAccount"), *tos;
	json_t *meta, *pl = NULL, *eab = NULL;
	char *s = NULL, *mail = NULL;
	int r;

	meta = json_object_get(c->dir, "meta");
	if (json_is_true(json_object_get(meta, "externalAccountRequired")) &&
	    c->eab_kid == NULL) {
		sslm_log(SSLM_LOG_ERR, "%s: new account: the CA requires "
		    "external account binding (set ca_eab_kid and "
		    "ca_eab_hmac_key)", c->who);
		return SSLM_ERR_CONFIG;
	}
	if ((tos = json_string_value(json_object_get(meta,
	    "termsOfService"))) != NULL) {
		s = xstrndup(tos, 512);
		acme_safe(s);
		sslm_log(SSLM_LOG_INFO, "%s: new account: agreeing to the "
		    "terms of service %s", c->who, s);
		free(s);
		s = NULL;
	}
	pl = json_pack("{s:b}", "termsOfServiceAgreed", 1);
	if (c->email != NULL) {
		mail = xasprintf("mailto:%s", c->email);
		json_object_set_new(pl, "contact", json_pack("[s]", mail));
	}
	if (c->eab_kid != NULL) {
		if ((r = jws_eab(c->eab_kid, c->eab_hmac_key, c->eab_alg,
		    c->key, url, &eab)) != 0)
			goto out;
		json_object_set_new(pl, "externalAccountBinding", eab);
	}
	r = SSLM_ERR_INTERNAL;
	if ((s = json_dumps(pl, JSON_COMPACT)) == NULL)
		goto out;
	if ((r = acme_post(c, "new account", url, s, ACME_JWK, NULL,
	    &resp)) != 0)
		;
	else if (resp.location == NULL) {
		sslm_log(SSLM_LOG_ERR, "%s: new account: no Location",
		    c->who);
		r = SSLM_ERR_ACME;
	} else {
		free(c->kid);
		c->kid = xstrdup(resp.location);
		sslm_log(SSLM_LOG_NOTE, "%s: new account: registered %s",
		    c->who, c->kid);
		r = account_save_url(c, c->kid);
	}
	http_resp_free(&resp);
out:
	free(s);
	free(mail);
	json_decref(pl);
	return r;
}

int
acme_account_register(struct acme_client *c)
{
	struct http_resp resp;
	int r;

	if ((r = acme_directory(c)) != 0)
		return r;
	r = acme_post(c, "account lookup", acme_dir_url(c, "newAccount"),
	    "{\"onlyReturnExisting\":true}", ACME_JWK | ACME_QUIET, NULL,
	    &resp);
	if (r == 0 && resp.location != NULL) {
		if (c->kid == NULL || strcmp(c->kid, resp.location) != 0) {
			free(c->kid);
			c->kid = xstrdup(resp.location);
			r = account_save_url(c, c->kid);
		}
		sslm_log(SSLM_LOG_INFO, "%s: account: %s", c->who, c->kid);
	} else if (r == 0) {
		sslm_log(SSLM_LOG_ERR, "%s: account lookup: no Location",
		    c->who);
		r = SSLM_ERR_ACME;
	} else if (r == SSLM_ERR_ACME &&
	    acme_problem_is(c, "accountDoesNotExist")) {
		if (c->kid != NULL)
			sslm_log(SSLM_LOG_WARN, "%s: account: the server "
			    "does not know %s: registering again", c->who,
			    c->kid);
		free(c->kid);
		c->kid = NULL;
		r = account_create(c);
	} else if (r == SSLM_ERR_ACME)
		sslm_log(SSLM_LOG_ERR, "%s: account lookup: %s", c->who,
		    c->problem_msg);
	http_resp_free(&resp);
	return r;
}

int
acme_account_key(struct acme_client *c)
{
	int r = 0;

	if (c->account_dir == NULL) {
		sslm_log(SSLM_LOG_ERR, "%s: account: no account directory",
		    c->who);
		return SSLM_ERR_CONFIG;
	}
	if (c->key == NULL && (r = account_load(c)) == SSLM_ERR_NOTFOUND &&
	    (r = account_import_certbot(c)) == SSLM_ERR_NOTFOUND)
		r = account_generate(c);
	return r;
}

int
acme_account_ensure(struct acme_client *c)
{
	int r;

	if ((r = acme_account_key(c)) != 0)
		return r;
	return acme_account_register(c);
}
