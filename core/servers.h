/*
 * servers.h - restarting the servers after the production step (spec
 * §11): [smtp], [imap], [web], [other] first, [dns] last, each when it is
 * forced, when its depends tags or svc_depends pairs match what changed.
 */
#ifndef SSLM_SERVERS_H
#define SSLM_SERVERS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "util.h"

#define SERVERS_TIMEOUT		300	/* seconds per restart command */

/* One group of the run where something changed. */
struct servers_group {
	const char	*grp;		/* borrowed */
	struct strlist	 svcs;		/* services whose cert (curr or next)
					 * changed, only those; owned by the
					 * caller */
	bool		 tlsa_changed;	/* tlsa.<grp> content changed */
};

/*
 * What changed in the run.  The change tags are "cert" when cert_changed
 * or any group lists a service, "tlsa" and "dns" when tlsa_changed or any
 * group has tlsa_changed.
 */
struct servers_changes {
	const struct servers_group *groups;	/* borrowed */
	size_t			 n;
	bool			 cert_changed;
	bool			 tlsa_changed;
};

/*
 * True when class kind must restart: it has a restart_cmd and force is
 * set, or one of its svc_depends pairs (every pair) names a changed group
 * (any/all/'*' name every group) and one of that group's changed
 * services, or its depends tags meet the change tags.  The reason is
 * logged ("   Changed svc_dep: ...", "   depends triggered ...").
 */
bool	servers_wanted(const struct sslm_config *, enum sslm_server_kind,
	    const struct servers_changes *, bool force);

/*
 * The restarts of a run: smtp, imap, web, other, then, only when all of
 * those succeeded, dns.  A non-DNS class runs each restart_cmd entry,
 * split on white space, on each host of its servers list: locally when
 * the host is this machine, else as "ssh <ssh_opts> <host> <words...>";
 * an empty servers list runs it locally once.  Every host is tried; a
 * failure is logged per host.  DNS runs each restart_cmd entry locally,
 * unsplit, as "<cmd> --serial_bump <grp...>" with the groups whose TLSA
 * changed (no groups when forced).  With debug the commands are logged
 * and nothing runs.  Returns 0 or SSLM_ERR_EXEC.
 */
int	servers_restart(const struct sslm_config *,
	    const struct servers_changes *, bool force, bool debug) SSLM_WUR;

/* The restart of one non-DNS class, without the decision; as above. */
int	servers_restart_class(const struct sslm_config *,
	    enum sslm_server_kind, bool debug) SSLM_WUR;

/* The DNS restart with these domains (may be empty); as above. */
int	servers_restart_dns(const struct sslm_config *,
	    const struct strlist *domains, bool debug) SSLM_WUR;

#endif
