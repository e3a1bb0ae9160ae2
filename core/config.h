/*
 * config.h - ssl-mgr.conf, ca-info.conf and the service files as typed
 * structs with upstream's defaults (spec §1, §3, §4, §5).
 *
 * Loading never prints: problems are collected as "file:line: message"
 * strings in struct sslm_diag so that check-config can report all of them at
 * once and a cron run can print them before exiting 2.
 */
#ifndef SSLM_CONFIG_H
#define SSLM_CONFIG_H

#include <stdbool.h>
#include <time.h>

#include "util.h"

/* Collected problems.  errors make the config unusable; warnings do not. */
struct sslm_diag {
	struct strlist	errors;		/* "file:line: message" */
	struct strlist	warnings;	/* "file:line: message" */
};
void	sslm_diag_error(struct sslm_diag *, const char *file, int line,
	    const char *fmt, ...) SSLM_PRINTF(4, 5);
void	sslm_diag_warn(struct sslm_diag *, const char *file, int line,
	    const char *fmt, ...) SSLM_PRINTF(4, 5);
void	sslm_diag_free(struct sslm_diag *);

/* A point of the [renew_info] lifetime curve: lifetime days -> days. */
struct sslm_curve_pt {
	double	x, y;
};
struct sslm_curve {
	struct sslm_curve_pt	*pts;	/* sorted by x */
	size_t			 n;
};

/* One [[groups]] entry. */
struct sslm_group_cfg {
	char		*domain;
	struct strlist	 services;	/* as written ('*'/'ALL' kept) */
	bool		 active;
	int		 line;
};

/* One [[dns_primary]] entry. */
struct sslm_dns_primary {
	char	*domain;		/* "default" or "*" for the default */
	char	*server;		/* IP or host name */
	int	 port;
	int	 line;
};

/* One svc_depends pair: every pair is kept (upstream kept the last). */
struct sslm_svc_dep {
	char		*domain;	/* group, or any/all/'*' */
	struct strlist	 services;
};

/* [dns], [smtp], [imap], [web], [other]: one schema. */
enum sslm_server_kind {
	SSLM_SRV_SMTP, SSLM_SRV_IMAP, SSLM_SRV_WEB, SSLM_SRV_OTHER,
	SSLM_SRV_DNS, SSLM_SRV__MAX
};
struct sslm_server_class {
	bool			 present;	/* the table was in the file */
	int			 line;
	struct strlist		 servers;
	struct strlist		 restart_cmd;	/* each entry one command
						 * string (split later) */
	struct strlist		 depends;	/* cert, tlsa, dns */
	struct sslm_svc_dep	*svc_depends;
	size_t			 n_svc_depends;
	char			*server_dir;	/* [web] http-01 docroot base */
	bool			 skip_prod_copy;
	struct strlist		 acme_dir;	/* [dns] only */
	struct strlist		 tlsa_dirs;	/* [dns] only */
};

struct sslm_post_copy {
	char	*host;
	char	*cmd;
};

enum sslm_ca_kind {
	SSLM_CA_LOCAL,		/* ca_type self / local: a CA of ours */
	SSLM_CA_ACME		/* certbot / letsencrypt / any ACME server */
};
enum sslm_validation {
	SSLM_VALID_NONE, SSLM_VALID_HTTP, SSLM_VALID_DNS
};

/* One table of ca-info.conf. */
struct sslm_ca_info {
	char			*name;
	char			*desc;
	enum sslm_ca_kind	 kind;
	char			*type;		/* as written */
	enum sslm_validation	 validation;
	char			*profile;	/* ca_preferred_acme_profile;
						 * NULL: default tlsserver */
	char			*preferred_chain;
	char			*acme_directory;	/* ca_acme_directory */
	char			*acme_ca_file;		/* ca_acme_ca_file */
	int			 acme_timeout;		/* 0: 300 */
	char			*eab_kid;
	char			*eab_hmac_key;	/* secret: never logged */
	int			 line;
};

enum sslm_key_type {
	SSLM_KEY_EC, SSLM_KEY_RSA, SSLM_KEY_ED25519
};

/* One dane_tls entry: [port, proto, usage, selector, match(, subtype)]. */
struct sslm_dane {
	int	port;
	char	proto[16];
	int	usage, selector, mtype;
	char	subtype[8];		/* "", "MX" or "SANS" (upper-cased) */
};

/* How verify --live talks to a port before TLS (verify_ports). */
enum sslm_starttls {
	SSLM_STARTTLS_NONE,	/* TLS from the first byte */
	SSLM_STARTTLS_SMTP,	/* EHLO, STARTTLS */
	SSLM_STARTTLS_IMAP,	/* a STARTTLS */
	SSLM_STARTTLS_POP3	/* STLS */
};
struct sslm_vport {
	int			port;
	enum sslm_starttls	starttls;
};

/*
 * Deploy hooks: argv of a program run after the event (empty: none).
 * Written as a list of strings, or one string split on white space.
 */
struct sslm_hooks {
	struct strlist	on_renew;	/* next was renewed */
	struct strlist	on_roll;	/* next became curr */
	struct strlist	on_prod_copy;	/* production copy changed */
};

/* One service file conf.d/<grp>/<svc>. */
struct sslm_service_cfg {
	char			*path;
	char			*grp;
	char			*svc;
	char			*name;
	char			*signing_ca;	/* NULL or "" or "self": root */
	bool			 self_signed;
	bool			 is_ca;		/* group "ca" (case-insens.) */
	struct sslm_dane	*dane;
	size_t			 n_dane;
	int			 dane_tls_ttl;	/* default 1800; <=0: none */
	bool			 has_renew_expire_days;
	double			 renew_expire_days;
	enum sslm_key_type	 ktype;
	char			*ec_curve;	/* default secp384r1 */
	int			 rsa_bits;	/* default 4096, min 2048 */
	char			*CN, *O, *OU, *L, *ST, *C, *email;
	struct strlist		 sans;
	bool			 has_ca_section;
	int			 sign_end_days;	/* default -1 */
	char			*digest;	/* default sha384 */
	/* ours: */
	struct sslm_vport	*vports;	/* verify_ports as written */
	size_t			 n_vports;
	bool			 has_vports;
	struct sslm_hooks	 hooks;	/* after the [globals] ones */
};

struct sslm_config {
	char		*topdir;	/* as found: ".", "/etc/ssl-mgr", ... */
	char		*conf_dir;	/* <topdir>/conf.d */

	/* [globals] (and top-level keys) */
	char		*sslm_auth_hook;
	char		*prod_cert_dir;
	char		*logdir;
	int		 clean_keep;	/* default 10 */
	int		 min_roll_mins;	/* default 90 */
	int		 dns_check_delay;	/* default 240 */
	struct strlist	 dns_xtra_ns;
	struct sslm_post_copy *post_copy;
	size_t		 n_post_copy;
	bool		 has_renew_expire_days;
	double		 renew_expire_days;
	bool		 has_renew_expire_days_spread;
	double		 renew_expire_days_spread;
	bool		 verb;		/* honoured unless -v given */
	/* ours (not upstream): */
	int		 dns_wait_limit;	/* s, total limit of the dns-01
					 * propagation wait (default 900) */
	int		 dns_ns_port;	/* port of auth NS / xtra servers,
					 * default 53 (tests use another) */
	struct strlist	 ssh_opts;	/* extra ssh options for remote
					 * copies and restarts, e.g.
					 * ['-p', '2222', '-i', 'key'] */
	bool		 dane_roll_gate;	/* default true: roll a DANE
						 * service only when every NS
						 * served next's TLSA 2 x TTL */
	struct strlist	 notify_cmd;	/* argv; run with a summary on
					 * stdin when a run fails or a cert
					 * is in its last 10% */
	struct sslm_hooks hooks;	/* on_renew, on_roll, on_prod_copy */

	/* [renew_info]: the curves with config overrides applied */
	bool		 has_renew_info;
	struct sslm_curve renew_target;
	struct sslm_curve renew_adj;

	struct sslm_group_cfg	*groups;
	size_t			 n_groups;
	struct sslm_dns_primary	*dns_primary;
	size_t			 n_dns_primary;
	struct sslm_server_class servers[SSLM_SRV__MAX];

	/* ca-info.conf */
	struct sslm_ca_info	*cas;
	size_t			 n_cas;
};

/*
 * Finds the top directory: $SSL_MGR_TOPDIR (if set and non-empty), "./",
 * "/etc/ssl-mgr/", the first that has a conf.d directory.  Returns 0 and an
 * owned string, or SSLM_ERR_NOTFOUND with *tried set to a human-readable
 * list of what was tried (caller frees).
 */
int	sslm_find_topdir(char **topdir, char **tried);

/*
 * Loads conf.d/ssl-mgr.conf and conf.d/ca-info.conf under topdir.  Problems
 * go to diag; returns 0 when there were no errors (warnings allowed),
 * SSLM_ERR_CONFIG otherwise.  *cfg is always set and must be freed.
 */
int	sslm_config_load(const char *topdir, struct sslm_config **cfg,
	    struct sslm_diag *diag);
void	sslm_config_free(struct sslm_config *);

/*
 * Loads conf.d/<grp>/<svc>.  Validates everything that can be checked on
 * the file alone plus that signing_ca names a known CA.  Returns 0 or
 * SSLM_ERR_CONFIG / SSLM_ERR_NOTFOUND with problems in diag.
 */
int	sslm_service_load(const struct sslm_config *, const char *grp,
	    const char *svc, struct sslm_service_cfg **out,
	    struct sslm_diag *diag);
void	sslm_service_free(struct sslm_service_cfg *);

/* True when the file looks like a service config (spec §2.4 detection). */
bool	sslm_is_service_file(const char *path);
/* Lists the service files of conf.d/<grp> (sorted); 0 or an sslm_err. */
int	sslm_list_services(const struct sslm_config *, const char *grp,
	    struct strlist *out);

const struct sslm_ca_info *sslm_ca_find(const struct sslm_config *,
	    const char *name);
/* The [[dns_primary]] for a group (its own, else the default), or NULL. */
const struct sslm_dns_primary *sslm_dns_primary_for(
	    const struct sslm_config *, const char *grp);
const char *sslm_server_kind_name(enum sslm_server_kind);
/* "", "smtp", "imap", "pop3" (static strings). */
const char *sslm_starttls_name(enum sslm_starttls);
/*
 * The ports verify --live checks for a service: verify_ports when given,
 * else one per dane_tls port (25 with STARTTLS smtp, 143 imap, 110 pop3,
 * any other plain TLS), else 443.  Returns an owned array in *out.
 */
size_t	sslm_service_vports(const struct sslm_service_cfg *,
	    struct sslm_vport **out);
void	sslm_hooks_free(struct sslm_hooks *);

/*
 * Prints the effective configuration (check-config -v) into b: every key
 * with its value, default values marked.  Secrets are shown as "(set)".
 */
void	sslm_config_dump(const struct sslm_config *, struct buf *b);
void	sslm_service_dump(const struct sslm_service_cfg *, struct buf *b);

#endif
