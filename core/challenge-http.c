/*
 * challenge-http.c - http-01 token files (spec §13.6, §13.7, §19.10).
 *
 * The token goes to <web.server_dir>/<apex>/.well-known/acme-challenge/
 * on every [web] server.  Upstream's local/remote choice was inverted: here
 * a local host (or an empty servers list, where upstream delivered
 * nowhere) is written locally, atomically, and any other host over ssh
 * with argv words only.  Files are 0644 and dirs 0755 with the owner
 * unchanged (upstream chown'ed to "http", a user only Arch Linux has).
 * Every copy is recorded in memory and in <cb>/web-tokens before it is
 * made, so that the cleanup, or the next run after a crash, removes it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "challenge.h"
#include "err.h"
#include "exec.h"
#include "log.h"
#include "prod.h"
#include "store.h"

#define CHAL_STATE_MAX		(1024 * 1024)
#define CHAL_STATE_MODE		0600
#define CHAL_WELL_KNOWN		"/.well-known/acme-challenge/"

void
challenge_http_init(struct chal_http *h, const char *cb_dir)
{
	memset(h, 0, sizeof(*h));
	if (cb_dir != NULL && *cb_dir != '\0')
		h->state_path = path_join(cb_dir, "web-tokens");
}

void
challenge_http_free(struct chal_http *h)
{
	free(h->state_path);
	strlist_clear(&h->written);
	memset(h, 0, sizeof(*h));
}

char *
challenge_http_path(const struct sslm_config *cfg, const char *apex,
    const char *token)
{
	const char	*dir = cfg->servers[SSLM_SRV_WEB].server_dir;
	char		*a, *p = NULL;
	size_t		 len;

	if (dir == NULL || *dir == '\0') {
		sslm_log(SSLM_LOG_ERR, "http-01: [web] server_dir is not set");
		return NULL;
	}
	a = dns_name_norm(apex);
	if (!challenge_domain_ok(a)) {
		sslm_log(SSLM_LOG_ERR, "http-01: bad apex \"%s\"",
		    apex != NULL ? apex : "");
		goto out;
	}
	/* The token becomes a file name: never a '/' or "..". */
	if (!challenge_b64url_ok(token)) {
		sslm_log(SSLM_LOG_ERR, "http-01: %s: the token is not "
		    "base64url", a);
		goto out;
	}
	len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	p = xasprintf("%.*s/%s%s%s", (int)len, dir, a, CHAL_WELL_KNOWN, token);
out:
	free(a);
	return p;
}

/* Safe as one word of the remote shell command ssh builds. */
static bool
remote_word_ok(const char *s)
{
	return *s != '\0' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._/+,:@%=-") == strlen(s);
}

int
challenge_http_argv(const struct sslm_config *cfg, const char *host,
    enum chal_http_op op, const char *path, struct strlist *out)
{
	char	*dir;

	if (host == NULL || *host == '\0' || host[0] == '-') {
		sslm_log(SSLM_LOG_ERR, "http-01: bad host name \"%s\"",
		    host != NULL ? host : "");
		return SSLM_ERR_CONFIG;
	}
	if (path[0] != '/' || !remote_word_ok(path) ||
	    strstr(path, "/../") != NULL) {
		sslm_log(SSLM_LOG_ERR, "http-01: %s: path \"%s\" must be "
		    "absolute and use only [A-Za-z0-9._/+,:@%%=-] for the "
		    "remote shell", host, path);
		return SSLM_ERR_CONFIG;
	}
	prod_ssh_argv(cfg, host, out);
	switch (op) {
	case CHAL_HTTP_MKDIR:
		dir = xstrndup(path, (size_t)(strrchr(path, '/') - path));
		strlist_add(out, "mkdir");
		strlist_add(out, "-p");
		strlist_add(out, "--");
		strlist_add_nodup(out, dir[0] != '\0' ? dir : xstrdup("/"));
		if (dir[0] == '\0')
			free(dir);
		break;
	case CHAL_HTTP_WRITE:
		strlist_add(out, "tee");
		strlist_add(out, "--");
		strlist_add(out, path);
		break;
	case CHAL_HTTP_CHMOD:
		strlist_add(out, "chmod");
		strlist_add(out, "0644");
		strlist_add(out, "--");
		strlist_add(out, path);
		break;
	case CHAL_HTTP_REMOVE:
		strlist_add(out, "rm");
		strlist_add(out, "-f");
		strlist_add(out, "--");
		strlist_add(out, path);
		break;
	}
	return 0;
}

/* The last non-empty line of a command's output, for messages. */
static char *
last_line(const char *s)
{
	const char	*end, *start;

	if (s == NULL)
		return xstrdup("");
	end = s + strlen(s);
	while (end > s && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	for (start = end; start > s && start[-1] != '\n'; start--)
		;
	return xstrndup(start, (size_t)(end - start));
}

/* Runs one remote step; logs "<host>: <step> failed (...)". */
static int
remote_step(const struct sslm_config *cfg, const char *host,
    enum chal_http_op op, const char *path, const char *stdin_data)
{
	static const char *const what[] = { "mkdir", "write", "chmod", "rm" };
	struct strlist		 argv = { 0 };
	struct exec_result	 res;
	char			*ll;
	int			 r;

	memset(&res, 0, sizeof(res));
	if ((r = challenge_http_argv(cfg, host, op, path, &argv)) != 0)
		goto out;
	/* A strlist is always NULL-ended: argv.v is an argv. */
	r = exec_run(argv.v, stdin_data, NULL, CHAL_SSH_TIMEOUT, &res);
	if (r != 0) {
		sslm_log(SSLM_LOG_ERR, "%s: http-01 %s %s: ssh could not be "
		    "run", host, what[op], path);
		goto out;
	}
	if (res.timed_out || res.status != 0) {
		ll = last_line(res.out);
		if (res.timed_out)
			sslm_log(SSLM_LOG_ERR, "%s: http-01 %s %s timed out "
			    "after %d s", host, what[op], path,
			    CHAL_SSH_TIMEOUT);
		else
			sslm_log(SSLM_LOG_ERR, "%s: http-01 %s %s failed "
			    "(exit %d): %s", host, what[op], path, res.status,
			    ll);
		free(ll);
		r = SSLM_ERR_EXEC;
	}
out:
	exec_result_free(&res);
	strlist_clear(&argv);
	return r;
}

/* Saves the record; an empty one leaves an empty file (as upstream). */
static int
state_save(const struct chal_http *h)
{
	struct buf	 b;
	size_t		 i;
	int		 r = 0;

	if (h->state_path == NULL)
		return 0;
	buf_init(&b, CHAL_STATE_MAX);
	for (i = 0; i < h->written.n && r == 0; i++)
		r = buf_printf(&b, "%s\n", h->written.v[i]);
	if (r == 0)
		r = store_write_file(h->state_path, b.p != NULL ? b.p : "",
		    b.len, CHAL_STATE_MODE);
	if (r != 0)
		sslm_log(SSLM_LOG_ERR, "http-01: cannot save %s",
		    h->state_path);
	buf_free(&b);
	return r;
}

/* Adds the state file's entries (a crashed run's) to the record. */
static void
state_load(struct chal_http *h)
{
	char	*text, *line, *save = NULL;

	if (h->state_path == NULL ||
	    read_file(h->state_path, CHAL_STATE_MAX, &text, NULL) != 0)
		return;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (*str_trim(line) != '\0' && !strlist_has(&h->written, line))
			strlist_add(&h->written, line);
	free(text);
}

/*
 * The web root may be writable by the web application: a symlink planted
 * below [web] server_dir (".well-known -> /etc") would make us create,
 * and later unlink, token files wherever it points.  So every directory
 * between server_dir (the operator's, trusted) and the token file must
 * be a real directory or not exist yet (mkdir then makes a real one).
 * 0, or SSLM_ERR_PERM (logged) when a component is a symlink or a file.
 */
static int
no_links_below(const struct sslm_config *cfg, const char *path)
{
	const char	*root = cfg->servers[SSLM_SRV_WEB].server_dir;
	struct stat	 st;
	char		*p, *s;
	size_t		 len;
	int		 r = 0;

	if (root == NULL)
		return 0;
	len = strlen(root);
	while (len > 1 && root[len - 1] == '/')
		len--;
	if (strncmp(path, root, len) != 0 || path[len] != '/')
		return 0;	/* not below it: not ours to judge */
	p = xstrdup(path);
	for (s = strchr(p + len + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (lstat(p, &st) == -1) {
			*s = '/';
			break;	/* absent: mkdir makes a real one */
		}
		if (!S_ISDIR(st.st_mode)) {
			sslm_log(SSLM_LOG_ERR, "http-01: %s: %s in the web "
			    "root is not followed", p, S_ISLNK(st.st_mode) ?
			    "a symlink" : "a non-directory");
			r = SSLM_ERR_PERM;
			break;
		}
		*s = '/';
	}
	free(p);
	return r;
}

static int
put_one(const struct sslm_config *cfg, struct chal_http *h,
    const char *host, bool local, const char *path, const char *key_auth)
{
	char	*entry, *dir;
	int	 r;

	/* Recorded first: a crash after the write must not orphan it. */
	entry = xasprintf("%s %s", local ? "localhost" : host, path);
	if (!strlist_has(&h->written, entry)) {
		strlist_add(&h->written, entry);
		if ((r = state_save(h)) != 0)
			goto out;
	}
	if (!local) {
		if ((r = remote_step(cfg, host, CHAL_HTTP_MKDIR, path,
		    NULL)) == 0 &&
		    (r = remote_step(cfg, host, CHAL_HTTP_WRITE, path,
		    key_auth)) == 0)
			r = remote_step(cfg, host, CHAL_HTTP_CHMOD, path, NULL);
		goto out;
	}
	/* The web server's user must traverse the new dirs: 0755. */
	if ((r = no_links_below(cfg, path)) != 0)
		goto out;
	dir = xstrndup(path, (size_t)(strrchr(path, '/') - path));
	r = store_mkdir_p(dir, CHAL_DIR_MODE);
	free(dir);
	if (r == 0)
		r = store_write_file(path, key_auth, strlen(key_auth),
		    CHAL_FILE_MODE);
	if (r != 0)
		sslm_log(SSLM_LOG_ERR, "http-01: cannot write %s", path);
out:
	if (r == 0)
		sslm_log(SSLM_LOG_INFO, "http-01: token at %s:%s",
		    local ? "local" : host, path);
	free(entry);
	return r;
}

int
challenge_http_put(const struct sslm_config *cfg, struct chal_http *h,
    const char *apex, const char *token, const char *key_auth)
{
	const struct strlist	*hosts = &cfg->servers[SSLM_SRV_WEB].servers;
	struct strlist		 done = { 0 };
	char			*path;
	size_t			 i;
	bool			 did_local = false, local;
	int			 r = 0, w;

	if ((path = challenge_http_path(cfg, apex, token)) == NULL)
		return SSLM_ERR_USAGE;
	/* "token.thumbprint": printable, no white space, no quotes. */
	if (key_auth == NULL || *key_auth == '\0' ||
	    strpbrk(key_auth, " \t\r\n\"'\\") != NULL) {
		sslm_log(SSLM_LOG_ERR, "http-01: %s: bad key authorization",
		    path);
		r = SSLM_ERR_USAGE;
		goto out;
	}
	/* No [web] servers: this host's web root (upstream wrote nowhere). */
	if (hosts->n == 0) {
		r = put_one(cfg, h, "localhost", true, path, key_auth);
		goto out;
	}
	/* Each host once; this host once under whatever names. */
	for (i = 0; i < hosts->n; i++) {
		local = prod_host_is_local(hosts->v[i]);
		if ((local && did_local) || strlist_has_ci(&done, hosts->v[i]))
			continue;
		did_local = did_local || local;
		strlist_add(&done, hosts->v[i]);
		if ((w = put_one(cfg, h, hosts->v[i], local, path,
		    key_auth)) != 0 && r == 0)
			r = w;
	}
out:
	strlist_clear(&done);
	free(path);
	return r;
}

int
challenge_http_cleanup(const struct sslm_config *cfg, struct chal_http *h)
{
	struct strlist	 keep = { 0 };
	char		*host, *path;
	size_t		 i;
	int		 r = 0, w;
	bool		 had = h->written.n > 0;

	state_load(h);
	had = had || (h->state_path != NULL &&
	    access(h->state_path, F_OK) == 0);
	for (i = 0; i < h->written.n; i++) {
		host = xstrdup(h->written.v[i]);
		path = strchr(host, ' ');
		/* Only ever a token file: the record could be tampered. */
		if (path == NULL || strstr(path + 1, CHAL_WELL_KNOWN) ==
		    NULL || strstr(path + 1, "/../") != NULL) {
			sslm_log(SSLM_LOG_WARN, "Warning: http-01: ignoring "
			    "\"%s\" in %s", h->written.v[i],
			    h->state_path != NULL ? h->state_path : "memory");
			free(host);
			continue;
		}
		*path++ = '\0';
		w = 0;
		if (prod_host_is_local(host)) {
			if ((w = no_links_below(cfg, path)) != 0)
				;	/* kept: the operator must look */
			else if (unlink(path) == -1 && errno != ENOENT) {
				sslm_log(SSLM_LOG_ERR, "http-01: %s: unlink: "
				    "%s", path, strerror(errno));
				w = SSLM_ERR_IO;
			}
		} else
			w = remote_step(cfg, host, CHAL_HTTP_REMOVE, path,
			    NULL);
		if (w != 0) {
			strlist_add(&keep, h->written.v[i]);
			if (r == 0)
				r = w;
		} else
			sslm_log(SSLM_LOG_DEBUG, "http-01: removed %s:%s",
			    host, path);
		free(host);
	}
	strlist_clear(&h->written);
	h->written = keep;
	if (had && (w = state_save(h)) != 0 && r == 0)
		r = w;
	return r;
}
