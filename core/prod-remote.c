/*
 * prod-remote.c - what production does beyond this machine (spec §10.4):
 * the rsync of the whole tree to each remote server, post_copy_cmd, and
 * the helpers that servers.c shares (running a command with its failure
 * reported, telling a local host from a remote one, the ssh argv).
 *
 * Invariant: nothing here goes through a shell.  Host names, ssh options
 * and paths travel as separate argv words; the one string another program
 * parses (rsync's -e) is quoted for rsync's own rules, and anything that
 * cannot be quoted for them is refused rather than passed mangled.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "err.h"
#include "exec.h"
#include "log.h"
#include "prod.h"

static int	 rsh_add(struct buf *, const char *);

int
prod_exec(char *const argv[], int timeout_secs, bool debug,
    const char *what)
{
	struct exec_result	 res;
	char			*desc, *line, *end;
	int			 r;

	desc = exec_describe(argv);
	if (debug) {
		sslm_log(SSLM_LOG_NOTE, "%s (debug, not run): %s", what,
		    desc);
		free(desc);
		return 0;
	}
	sslm_log(SSLM_LOG_INFO, "%s: %s", what, desc);
	r = exec_run(argv, NULL, NULL, timeout_secs, &res);
	/* The last non-empty line says why, for rsync, ssh and scripts. */
	end = res.out + res.outlen;
	while (end > res.out && isspace((unsigned char)end[-1]))
		*--end = '\0';
	line = strrchr(res.out, '\n');
	line = line != NULL ? line + 1 : res.out;
	if (r != 0)
		sslm_log(SSLM_LOG_ERR, "%s could not be run: %s", what, line);
	else if (res.timed_out) {
		sslm_log(SSLM_LOG_ERR, "%s timed out after %d s", what,
		    timeout_secs);
		r = SSLM_ERR_EXEC;
	} else if (res.status != 0) {
		sslm_log(SSLM_LOG_ERR, "%s failed (exit %d): %s", what,
		    res.status, line);
		r = SSLM_ERR_EXEC;
	} else if (*line != '\0')
		sslm_log(SSLM_LOG_DEBUG, "%s: %s", what, line);
	exec_result_free(&res);
	free(desc);
	return r;
}

bool
prod_host_is_local(const char *host)
{
	char	 name[HOST_NAME_MAX + 1];
	size_t	 short_len;

	if (str_ieq(host, "localhost"))
		return true;
	if (gethostname(name, sizeof(name)) == -1)
		return false;
	name[sizeof(name) - 1] = '\0';
	if (str_ieq(host, name))
		return true;
	short_len = strcspn(name, ".");
	return short_len > 0 && strlen(host) == short_len &&
	    strncasecmp(host, name, short_len) == 0;
}

void
prod_ssh_argv(const struct sslm_config *cfg, const char *host,
    struct strlist *out)
{
	size_t	 i;

	strlist_add(out, "ssh");
	for (i = 0; i < cfg->ssh_opts.n; i++)
		strlist_add(out, cfg->ssh_opts.v[i]);
	strlist_add(out, host);
}

/*
 * One word of rsync's -e string.  rsync splits it on spaces and honours
 * single and double quotes, but not backslashes, so a word holding both
 * kinds of quote cannot be passed.
 */
static int
rsh_add(struct buf *b, const char *w)
{
	const char	*q = NULL;

	if (*w == '\0' || strpbrk(w, " \t\n'\"") != NULL)
		q = strchr(w, '\'') == NULL ? "'" : strchr(w, '"') == NULL ?
		    "\"" : NULL;
	if (q == NULL && (*w == '\0' || strpbrk(w, " \t\n'\"") != NULL)) {
		sslm_log(SSLM_LOG_ERR, "ssh_opts: cannot pass \"%s\" to "
		    "rsync -e (both kinds of quote)", w);
		return SSLM_ERR_CONFIG;
	}
	if (b->len > 0 && buf_add(b, " ", 1) != 0)
		return SSLM_ERR_TOOBIG;
	return buf_printf(b, "%s%s%s", q ? q : "", w, q ? q : "");
}

int
prod_remote(const struct sslm_config *cfg, const char *prod_dir,
    bool debug)
{
	struct strlist	 hosts = { 0 }, argv = { 0 };
	const struct sslm_server_class *sc;
	struct buf	 rsh;
	char		*base = NULL, *what;
	size_t		 i, len;
	int		 k, failed = 0, r = 0;

	buf_init(&rsh, 64 * 1024);
	for (k = SSLM_SRV_SMTP; k <= SSLM_SRV_OTHER; k++) {
		sc = &cfg->servers[k];
		for (i = 0; i < sc->servers.n && !sc->skip_prod_copy; i++)
			if (*sc->servers.v[i] != '\0' &&
			    !prod_host_is_local(sc->servers.v[i]) &&
			    !strlist_has_ci(&hosts, sc->servers.v[i]))
				strlist_add(&hosts, sc->servers.v[i]);
	}
	if (hosts.n == 0)
		goto out;
	if (*prod_dir != '/') {
		sslm_log(SSLM_LOG_ERR, "prod_cert_dir \"%s\" is relative: "
		    "remote copies need an absolute path", prod_dir);
		r = SSLM_ERR_CONFIG;
		goto out;
	}
	if ((r = rsh_add(&rsh, "ssh")) != 0)
		goto out;
	for (i = 0; i < cfg->ssh_opts.n; i++)
		if ((r = rsh_add(&rsh, cfg->ssh_opts.v[i])) != 0)
			goto out;
	/* "<prod>/": rsync copies the contents, not the dir itself. */
	len = strlen(prod_dir);
	while (len > 1 && prod_dir[len - 1] == '/')
		len--;
	base = xasprintf("%.*s/", (int)len, prod_dir);
	if (strcmp(base, "//") == 0)
		base[1] = '\0';
	for (i = 0; i < hosts.n; i++) {
		what = xasprintf("%s: rsync", hosts.v[i]);
		if (hosts.v[i][0] == '-') {
			/* It would be read as an option by rsync/ssh. */
			sslm_log(SSLM_LOG_ERR, "%s: bad host name", what);
			failed++;
			free(what);
			continue;
		}
		strlist_clear(&argv);
		strlist_add(&argv, "rsync");
		strlist_add(&argv, "-a");
		strlist_add(&argv, "--delete");
		strlist_add(&argv, "--mkpath");
		strlist_add(&argv, "-e");
		strlist_add(&argv, rsh.p);
		strlist_add(&argv, base);
		strlist_add_nodup(&argv, xasprintf("%s:%s", hosts.v[i],
		    base));
		sslm_log(SSLM_LOG_NOTE, " Prod copy to %s", hosts.v[i]);
		if (prod_exec(argv.v, PROD_RSYNC_TIMEOUT, debug, what) != 0)
			failed++;
		free(what);
	}
	if (failed > 0) {
		sslm_log(SSLM_LOG_ERR, "Production copy failed for %d of %zu "
		    "hosts", failed, hosts.n);
		r = SSLM_ERR_EXEC;
	}
out:
	strlist_clear(&hosts);
	strlist_clear(&argv);
	buf_free(&rsh);
	free(base);
	return r;
}

int
prod_post_copy(const struct sslm_config *cfg, bool debug)
{
	const struct sslm_post_copy *pc;
	char		*argv[3], *what;
	size_t		 i;
	int		 failed = 0;

	for (i = 0; i < cfg->n_post_copy; i++) {
		pc = &cfg->post_copy[i];
		sslm_log(SSLM_LOG_NOTE, " Post Copy : [%s, %s]",
		    pc->host ? pc->host : "", pc->cmd ? pc->cmd : "");
		if (pc->cmd == NULL || *pc->cmd == '\0' || pc->host == NULL) {
			sslm_log(SSLM_LOG_ERR, "post_copy_cmd %zu: no command",
			    i + 1);
			failed++;
			continue;
		}
		argv[0] = pc->cmd;
		argv[1] = pc->host;
		argv[2] = NULL;
		what = xasprintf("post copy %s", pc->host);
		if (prod_exec(argv, PROD_POST_COPY_TIMEOUT, debug, what) != 0)
			failed++;
		free(what);
	}
	if (failed > 0)
		sslm_log(SSLM_LOG_WARN, "Warning: post copy commands had %d",
		    failed);
	return failed;
}
