/*
 * servers.c - restarts after the production step (spec §11, §8.3).
 *
 * Invariant: DNS is restarted last, and only after every non-DNS restart
 * succeeded.  On a roll the mail and web servers must already use the new
 * certificate when DNS stops publishing the TLSA record of the old one;
 * re-signing the zone while a server still presents the old certificate
 * would break DANE for it.
 *
 * Upstream behaviour changed on purpose:
 *  - every svc_depends pair counts (upstream kept and matched only the
 *    last one);
 *  - the changed services are exactly those that changed (upstream added
 *    every service after the first change of a group, and every group
 *    after the first TLSA change to the DNS domains);
 *  - an empty servers list restarts locally once (upstream restarted
 *    nothing, so a single-host setup without "servers" never reloaded);
 *  - no root check: a restart that needs root fails and says so
 *    (upstream skipped it silently when not root, or failed the run for
 *    DNS).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "exec.h"
#include "log.h"
#include "prod.h"
#include "servers.h"

static bool	 has_cmd(const struct strlist *);
static bool	 dep_domain_matches(const char *, const char *);
static bool	 svc_dep_hit(const struct sslm_server_class *,
		    const struct servers_changes *);
static bool	 tags_hit(const struct sslm_server_class *,
		    const struct servers_changes *);
static int	 run_on_host(const struct sslm_config *, const char *,
		    const char *, const char *, bool);

/* True when a restart_cmd list has an entry that is not blank. */
static bool
has_cmd(const struct strlist *cmds)
{
	size_t	 i;

	for (i = 0; i < cmds->n; i++)
		if (cmds->v[i][strspn(cmds->v[i], " \t\r\n")] != '\0')
			return true;
	return false;
}

/* A svc_depends domain: a group name, or any/all/'*' for every group. */
static bool
dep_domain_matches(const char *dom, const char *grp)
{
	return str_ieq(dom, "any") || str_ieq(dom, "all") ||
	    strcmp(dom, "*") == 0 || str_ieq(dom, grp);
}

static bool
svc_dep_hit(const struct sslm_server_class *sc,
    const struct servers_changes *ch)
{
	const struct sslm_svc_dep	*d;
	const struct servers_group	*g;
	size_t				 i, j, k;
	bool				 hit = false;

	for (i = 0; i < sc->n_svc_depends; i++) {
		d = &sc->svc_depends[i];
		for (j = 0; j < ch->n; j++) {
			g = &ch->groups[j];
			if (!dep_domain_matches(d->domain, g->grp))
				continue;
			for (k = 0; k < d->services.n; k++) {
				if (!strlist_has(&g->svcs, d->services.v[k]))
					continue;
				sslm_log(SSLM_LOG_NOTE, "   Changed svc_dep: "
				    "%s:%s (%s)", g->grp, d->services.v[k],
				    d->domain);
				hit = true;
			}
		}
	}
	return hit;
}

static bool
tags_hit(const struct sslm_server_class *sc,
    const struct servers_changes *ch)
{
	struct buf	 b;
	const char	*t;
	size_t		 i;
	bool		 cert = ch->cert_changed, tlsa = ch->tlsa_changed;
	bool		 hit = false;

	for (i = 0; i < ch->n; i++) {
		cert = cert || ch->groups[i].svcs.n > 0;
		tlsa = tlsa || ch->groups[i].tlsa_changed;
	}
	buf_init(&b, 4096);
	for (i = 0; i < sc->depends.n; i++) {
		t = sc->depends.v[i];
		if ((str_ieq(t, "cert") && cert) || ((str_ieq(t, "tlsa") ||
		    str_ieq(t, "dns")) && tlsa)) {
			if (buf_printf(&b, "%s%s", hit ? ", " : "", t) != 0)
				break;
			hit = true;
		}
	}
	if (hit)
		sslm_log(SSLM_LOG_NOTE, "   depends triggered {%s}", b.p);
	buf_free(&b);
	return hit;
}

bool
servers_wanted(const struct sslm_config *cfg, enum sslm_server_kind kind,
    const struct servers_changes *ch, bool force)
{
	const struct sslm_server_class	*sc = &cfg->servers[kind];
	bool				 dep, tags;

	if (!has_cmd(&sc->restart_cmd))
		return false;
	if (force) {
		sslm_log(SSLM_LOG_NOTE, "   forced restart");
		return true;
	}
	/* Both are evaluated so that both reasons are logged. */
	dep = svc_dep_hit(sc, ch);
	tags = tags_hit(sc, ch);
	return dep || tags;
}

/*
 * Runs the restart_cmd entries of class cls on host (NULL: here, no
 * host list).  Returns the number of commands that failed.
 */
static int
run_on_host(const struct sslm_config *cfg, const char *cls,
    const char *host, const char *cmd, bool debug)
{
	struct strlist	 words = { 0 }, argv = { 0 };
	char		*what;
	size_t		 i;
	int		 failed = 0;

	what = xasprintf("%s: %s: restart", cls, host ? host : "local");
	exec_split(cmd, &words);
	if (words.n == 0)
		goto out;
	if (host != NULL && host[0] == '-') {
		/* ssh would read it as an option. */
		sslm_log(SSLM_LOG_ERR, "%s: bad host name", what);
		failed = 1;
		goto out;
	}
	if (host != NULL && !prod_host_is_local(host))
		prod_ssh_argv(cfg, host, &argv);
	for (i = 0; i < words.n; i++)
		strlist_add(&argv, words.v[i]);
	if (prod_exec(argv.v, SERVERS_TIMEOUT, debug, what) != 0)
		failed = 1;
out:
	strlist_clear(&words);
	strlist_clear(&argv);
	free(what);
	return failed;
}

int
servers_restart_class(const struct sslm_config *cfg,
    enum sslm_server_kind kind, bool debug)
{
	const struct sslm_server_class	*sc = &cfg->servers[kind];
	const char			*cls = sslm_server_kind_name(kind);
	size_t				 h, c, nh;
	int				 failed = 0;

	/*
	 * No servers: the service runs here.  Upstream restarted nothing
	 * in that case, so a one-host setup never reloaded its servers.
	 */
	nh = sc->servers.n > 0 ? sc->servers.n : 1;
	for (h = 0; h < nh; h++)
		for (c = 0; c < sc->restart_cmd.n; c++)
			failed += run_on_host(cfg, cls, sc->servers.n > 0 ?
			    sc->servers.v[h] : NULL, sc->restart_cmd.v[c],
			    debug);
	if (failed > 0) {
		sslm_log(SSLM_LOG_ERR, "Error: restarting %s: %d command(s) "
		    "failed", cls, failed);
		return SSLM_ERR_EXEC;
	}
	return 0;
}

int
servers_restart_dns(const struct sslm_config *cfg,
    const struct strlist *domains, bool debug)
{
	const struct sslm_server_class	*sc = &cfg->servers[SSLM_SRV_DNS];
	struct strlist			 argv = { 0 };
	size_t				 c, i;
	int				 failed = 0;

	for (c = 0; c < sc->restart_cmd.n; c++) {
		/* One executable path, never split (upstream's rule). */
		if (sc->restart_cmd.v[c][strspn(sc->restart_cmd.v[c],
		    " \t\r\n")] == '\0')
			continue;
		strlist_clear(&argv);
		strlist_add(&argv, sc->restart_cmd.v[c]);
		strlist_add(&argv, "--serial_bump");
		for (i = 0; i < domains->n; i++)
			strlist_add(&argv, domains->v[i]);
		if (prod_exec(argv.v, SERVERS_TIMEOUT, debug,
		    "dns: restart") != 0)
			failed++;
	}
	strlist_clear(&argv);
	if (failed > 0) {
		sslm_log(SSLM_LOG_ERR, "Error: restarting dns: %d command(s) "
		    "failed", failed);
		return SSLM_ERR_EXEC;
	}
	return 0;
}

int
servers_restart(const struct sslm_config *cfg,
    const struct servers_changes *ch, bool force, bool debug)
{
	static const enum sslm_server_kind order[] = {
		SSLM_SRV_SMTP, SSLM_SRV_IMAP, SSLM_SRV_WEB, SSLM_SRV_OTHER
	};
	struct strlist	 domains = { 0 };
	size_t		 i;
	int		 failed = 0, r = 0;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!has_cmd(&cfg->servers[order[i]].restart_cmd))
			continue;
		sslm_log(SSLM_LOG_NOTE, "  %s: ",
		    sslm_server_kind_name(order[i]));
		if (!servers_wanted(cfg, order[i], ch, force))
			sslm_log(SSLM_LOG_INFO, "   no restart needed");
		else if (servers_restart_class(cfg, order[i], debug) != 0)
			failed++;
	}
	if (failed > 0) {
		/* DNS must not drop the old TLSA while a server uses it. */
		if (has_cmd(&cfg->servers[SSLM_SRV_DNS].restart_cmd))
			sslm_log(SSLM_LOG_ERR, "  dns: not restarted: other "
			    "server restarts failed");
		r = SSLM_ERR_EXEC;
		goto out;
	}
	if (!has_cmd(&cfg->servers[SSLM_SRV_DNS].restart_cmd))
		goto out;
	sslm_log(SSLM_LOG_NOTE, "  dns: ");
	if (!servers_wanted(cfg, SSLM_SRV_DNS, ch, force)) {
		sslm_log(SSLM_LOG_INFO, "   no restart needed");
		goto out;
	}
	/* Exactly the groups whose TLSA changed; none when forced. */
	for (i = 0; i < ch->n && !force; i++)
		if (ch->groups[i].tlsa_changed &&
		    !strlist_has_ci(&domains, ch->groups[i].grp))
			strlist_add(&domains, ch->groups[i].grp);
	r = servers_restart_dns(cfg, &domains, debug);
out:
	strlist_clear(&domains);
	return r;
}
