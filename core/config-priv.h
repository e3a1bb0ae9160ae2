/*
 * config-priv.h - what config.c, config-util.c, config-svc.c and
 * config-dump.c share and nobody else needs: the built-in defaults (so the
 * dump can mark them) and the typed TOML accessors (config-util.c) that
 * turn a wrong type into a "file:line:" diagnostic instead of a crash.
 */
#ifndef SSLM_CONFIG_PRIV_H
#define SSLM_CONFIG_PRIV_H

#include <stdbool.h>

#include "config.h"
#include "toml.h"

#define CFG_DEF_AUTH_HOOK	"/usr/lib/ssl-mgr/sslm-auth-hook"
#define CFG_DEF_PROD_CERT_DIR	"/etc/ssl-mgr/prod-certs"
#define CFG_DEF_LOGDIR		"/var/log/ssl-mgr"
#define CFG_DEF_CLEAN_KEEP	10
#define CFG_DEF_MIN_ROLL_MINS	90
#define CFG_DEF_DNS_CHECK_DELAY	240
#define CFG_DEF_DNS_PORT	53
#define CFG_DEF_DANE_TTL	1800
#define CFG_DEF_EC_CURVE	"secp384r1"
#define CFG_DEF_RSA_BITS	4096
#define CFG_MIN_RSA_BITS	2048
#define CFG_MAX_RSA_BITS	16384
#define CFG_MAX_SIGN_DAYS	36600	/* 100 years */
#define CFG_DEF_SIGN_END_DAYS	(-1)
#define CFG_DEF_DIGEST		"sha384"
#define CFG_MAX_FILE		(4 * 1024 * 1024)

/* The default dns_xtra_ns, NULL-terminated. */
extern const char *const cfg_def_xtra_ns[];

/* Where a value is being read from, for the messages. */
struct cfg_ctx {
	const char		*file;
	const char		*topdir;	/* relative paths hang here */
	struct sslm_diag	*diag;
	const char		*section;	/* "[web]", "" for top level */
};

/* "file:line: <section> <key>: expected <what>, got <type>". */
void	cfg_type_error(struct cfg_ctx *, const struct toml_kv *,
	    const char *what);
void	cfg_unknown_key(struct cfg_ctx *, const struct toml_kv *);

/*
 * Typed getters: each returns 0 and replaces *out, or -1 after recording
 * the error (and leaves *out alone).
 */
int	cfg_str(struct cfg_ctx *, const struct toml_kv *, char **out);
int	cfg_bool(struct cfg_ctx *, const struct toml_kv *, bool *out);
/* An integer in [lo, hi]; with allow_str, "4096" is taken too. */
int	cfg_int(struct cfg_ctx *, const struct toml_kv *, long lo, long hi,
	    bool allow_str, int *out);
/* An integer or a float. */
int	cfg_num(struct cfg_ctx *, const struct toml_kv *, double *out);
/* An array of strings; with allow_scalar one string is a list of one. */
int	cfg_strlist(struct cfg_ctx *, const struct toml_kv *,
	    bool allow_scalar, struct strlist *out);
/* Resolves a relative path against the topdir; caller frees. */
char	*cfg_path(const char *topdir, const char *p);

/* A group directory name: letters, digits, '-', '.', no "..", no
 * leading '.'. */
bool	cfg_valid_group(const char *);
/* A service (file) or CA name: no '/', no "..", no leading '.', no
 * control characters. */
bool	cfg_valid_svc(const char *);
/* A DNS host name; wild allows a leading "*."; underscore allows '_'. */
bool	cfg_valid_dns(const char *, bool wild, bool underscore);

/*
 * config-hooks.c: a command (a list of strings, or one string split on
 * white space; never a shell) into argv; 0 or -1 after the error.
 */
int	cfg_cmd(struct cfg_ctx *, const struct toml_kv *, struct strlist *argv);
/* on_renew / on_roll / on_prod_copy: true when kv was one of them. */
bool	cfg_hook_key(struct cfg_ctx *, const struct toml_kv *,
	    struct sslm_hooks *);
/* verify_ports = [443, [25, 'smtp'], [993]] of a service file. */
void	cfg_verify_ports(struct cfg_ctx *, const struct toml_kv *,
	    struct sslm_service_cfg *);
/* check-config -v lines for the hooks. */
void	cfg_dump_hooks(struct buf *, const struct sslm_hooks *);
void	cfg_dump_cmd(struct buf *, const char *key, const struct strlist *);

/* ca-info.conf (config-svc.c) and one CA entry's free. */
void	cfg_load_ca_info(struct sslm_config *, struct sslm_diag *);
void	cfg_ca_info_free(struct sslm_ca_info *);

#endif
