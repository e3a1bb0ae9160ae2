/*
 * opts.h - upstream's command line (spec §2) parsed without printing, so
 * the cron front end and the console's ':' prompt share one parser.
 *
 * Spellings follow upstream's argparse: every option has a single-dash and
 * a double-dash form (-renew, --renew), any unambiguous prefix is accepted,
 * values may follow as the next word or after '='.
 */
#ifndef SSLM_OPTS_H
#define SSLM_OPTS_H

#include <stdbool.h>

#include "util.h"

struct sslm_opts {
	bool		dev;		/* first word was "dev" */
	bool		help;

	/* regular options */
	bool		clean_all;
	bool		clean_keep_set;
	int		clean_keep;
	bool		debug;
	bool		dns_refresh;	/* accepted, no effect (as upstream) */
	bool		force;
	bool		dry_run;
	bool		reuse;
	bool		renew;
	bool		roll;
	bool		min_roll_mins_set;
	int		min_roll_mins;
	bool		status;
	bool		test;
	bool		verb;
	bool		json;		/* ours: -s --json */
	bool		prometheus;	/* ours: -s --prometheus */

	/* dev mode */
	bool		new_cert;
	bool		new_csr;
	bool		copy_csr;
	bool		force_server_restarts;
	bool		new_keys;
	bool		next_to_curr;
	bool		certs_to_prod;

	struct strlist	targets;	/* positional grp:svc,... words */
};

/*
 * Parses argv[0..argc-1] (argv[0] is NOT the program name: pass argv + 1).
 * Returns 0, or SSLM_ERR_USAGE with *err set to a one-line message (caller
 * frees).  Dev options outside dev mode are usage errors.
 */
int	sslm_opts_parse(int argc, char **argv, struct sslm_opts *,
	    char **err);
void	sslm_opts_free(struct sslm_opts *);
/* Adds every option's names ("-renew", "--renew"; dev-only ones with dev)
 * to out: the console completes from the table the parser uses. */
void	sslm_opts_names(bool dev, struct strlist *out);
/* Appends the help text (regular or dev) to b. */
void	sslm_opts_help(bool dev, const char *prog, struct buf *b);
/* True when the options ask for a change (anything but -s / nothing). */
bool	sslm_opts_mutates(const struct sslm_opts *);

/* One selected group and its services (empty list = every service). */
struct sslm_target {
	char		*grp;
	struct strlist	 svcs;
	bool		 all;		/* ALL, '*' or a bare group */
};
/*
 * Parses "grp:svc1,svc2", "grp:ALL", "grp:*" and a bare "grp" (all its
 * services; upstream ignored it).  Repeated groups are merged, duplicate
 * services dropped.  0 or SSLM_ERR_USAGE with *err.
 */
int	sslm_targets_parse(const struct strlist *words,
	    struct sslm_target **out, size_t *n, char **err);
void	sslm_targets_free(struct sslm_target *, size_t);

#endif
