/*
 * ca-init.h - the guided private-CA set-up (issue 5): the answers (root
 * and intermediate names, key types, lifetimes, subject, first leaves),
 * their validation, the exact texts of the files they make, and the plan
 * of which files are new, unchanged, to be updated or in conflict.
 *
 * Shared by "ssl-mgr ca-init" and the console's wizard, so both write
 * byte-identical files.  Invariant: nothing is written until the caller
 * has shown the plan and calls ca_init_write(); an existing file that
 * differs is never replaced unless the caller passes force, and existing
 * ssl-mgr.conf / ca-info.conf are only ever added to, never rewritten.
 */
#ifndef SSLM_CA_INIT_H
#define SSLM_CA_INIT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "util.h"

#define CA_INIT_DEF_KEY		"ec:secp384r1"
#define CA_INIT_DEF_ROOT_DAYS	3650
#define CA_INIT_DEF_LEAF_DAYS	90

struct ca_init_key {
	enum sslm_key_type	 type;
	char			 curve[32];	/* EC only */
	int			 bits;		/* RSA only */
};

/* One leaf service: conf.d/<grp>/<svc> with CN = hosts[0]. */
struct ca_init_leaf {
	char		*grp;
	char		*svc;
	struct strlist	 hosts;
};

struct ca_init {
	char			*root;		/* CA names (ca-info tables, */
	char			*intr;		/* conf.d/ca/ files) */
	char			*root_cn;	/* NULL: "<O> Root CA" */
	char			*int_cn;	/* NULL: "<O> Intermediate
						 * CA" */
	struct ca_init_key	 key;		/* root, intermediate */
	struct ca_init_key	 leaf_key;
	bool			 leaf_key_set;	/* else leaves use key */
	int			 root_days;	/* root and intermediate */
	int			 leaf_days;	/* what the int. signs */
	char			*O, *OU, *C, *email;
	struct ca_init_leaf	*leaves;
	size_t			 n_leaves;
};

/* Defaults: EC P-384, 3650 and 90 days, no names. */
void	ca_init_defaults(struct ca_init *);
void	ca_init_free(struct ca_init *);
/* Sets *dst to a copy of s (NULL or "" clears it). */
void	ca_init_set(char **dst, const char *s);
/*
 * "ec:secp384r1", "ec" (P-384), "rsa:4096", "rsa" (4096), "ed25519" into
 * *k.  0, or SSLM_ERR_USAGE with *err (caller frees) saying why.
 */
int	ca_init_parse_key(const char *spec, struct ca_init_key *k, char **err);
/* The spec form of k ("ec:secp384r1"), into out. */
void	ca_init_key_str(const struct ca_init_key *k, char *out, size_t len);
/*
 * "[GRP:]SVC=HOST,HOST..." appended to a->leaves; GRP defaults to the
 * first host without a leading "*.".  0 or SSLM_ERR_USAGE with *err.
 */
int	ca_init_add_leaf(struct ca_init *a, const char *spec, char **err);
/* Removes every leaf. */
void	ca_init_clear_leaves(struct ca_init *a);
/*
 * Validates the answers; every problem is appended to errs as one line.
 * Returns 0 or SSLM_ERR_USAGE.
 */
int	ca_init_check(const struct ca_init *a, struct strlist *errs);

/* The texts of the files (caller frees). */
char	*ca_init_root_text(const struct ca_init *a);
char	*ca_init_int_text(const struct ca_init *a);
char	*ca_init_leaf_text(const struct ca_init *a,
	    const struct ca_init_leaf *l);
char	*ca_init_sslmgr_text(const struct ca_init *a);
char	*ca_init_cainfo_text(const struct ca_init *a);

/* The run's targets: "ca:<root>,<int>", then "<grp>:<svc>,..." per group. */
void	ca_init_targets(const struct ca_init *a, struct strlist *out);
/* The options that give these answers to "ssl-mgr ca-init" (no argv[0]). */
void	ca_init_to_args(const struct ca_init *a, struct strlist *out);
/*
 * How to trust the root: Debian, Arch, browsers (NSS), for the root's
 * curr cert under topdir.  Appended to b.
 */
void	ca_init_trust_text(const char *topdir, const char *root,
	    struct buf *b);

enum ca_init_state {
	CA_INIT_NEW,		/* absent: will be written */
	CA_INIT_SAME,		/* present with what we would write */
	CA_INIT_UPDATE,		/* ssl-mgr.conf / ca-info.conf: added to */
	CA_INIT_CONFLICT	/* present and different: refused */
};

struct ca_init_file {
	char			*rel;		/* "conf.d/ca/my-root" */
	char			*path;		/* topdir joined */
	enum ca_init_state	 state;
	char			*text;		/* the whole new content */
	char			*note;		/* what changes or why not */
};

struct ca_init_plan {
	struct ca_init_file	*f;
	size_t			 n;
};

/*
 * Compares the files the answers make with what is under topdir.
 * Returns 0 (plan filled, caller frees with ca_init_plan_free) or an
 * sslm_err with *err when an existing file cannot be read or parsed.
 */
int	ca_init_plan(const char *topdir, const struct ca_init *a,
	    struct ca_init_plan *plan, char **err);
void	ca_init_plan_free(struct ca_init_plan *);
size_t	ca_init_plan_count(const struct ca_init_plan *, enum ca_init_state);
const char *ca_init_state_name(enum ca_init_state);
/* The plan for people: one line per file, notes indented.  Into b. */
void	ca_init_plan_text(const struct ca_init_plan *, struct buf *b);
/* The whole new text of every file that changes, each under a
 * "--- <rel> (<state>)" line.  Into b. */
void	ca_init_plan_show(const struct ca_init_plan *, struct buf *b);
/* Conflicts that block writing (with force: those in the shared confs). */
size_t	ca_init_plan_refused(const struct ca_init_plan *, bool force);
/*
 * Writes the NEW and UPDATE files (and CONFLICT ones when force),
 * atomically, mode 0644 in 0750 directories.  Refuses (SSLM_ERR_STATE,
 * nothing written) when there is a conflict and no force.  0 or an
 * sslm_err with *err naming the file.
 */
int	ca_init_write(const struct ca_init_plan *, bool force, char **err);

#endif
