/*
 * console-prompt.c - the ':' prompt: the CLI's command line typed into
 * the console and run as a job of this binary, so ":renew x" and the
 * cron line "ssl-mgr -renew x" are one code path.  The leading dash may
 * be left out.  Regular and dev lines are checked with the CLI's own
 * parser before anything runs.  Tab completes command and grp:svc names;
 * the history is kept in $XDG_STATE_HOME/ssl-mgr/history.
 *
 * The line editor is w_prompt's own; readline is not bridged yet.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "console.h"
#include "opts.h"
#include "util.h"

static const char *const subcmds[] = {
	"ca-init", "check-config", "dhparam", "info", "revoke", "tlsa-hash",
	"verify", NULL
};

static const char *const words[] = {
	/* console */
	"help", "jobs", "quit",
	/* the CLI */
	"renew", "roll", "status", "s", "force", "reuse", "dry-run", "test",
	"verb", "clean-keep", "clean-all", "min-roll-mins", "json", "dev",
	"certs-prod", "fsr", "ntoc", "keys", "csr", "cert", "copy",
	"ca-init", "check-config", "dhparam", "info", "revoke", "tlsa-hash",
	"verify", NULL
};

static bool
in_list(const char *const *v, const char *s)
{
	for (size_t i = 0; v[i] != NULL; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* Words split at blanks; '...' and "..." quote, as a shell would. */
int
con_split_words(const char *s, struct strlist *out, char **err)
{
	struct buf b;
	char q = 0;
	bool in = false;
	int rc = -1;

	buf_init(&b, 64 * 1024);
	for (;; s++) {
		if (*s == '\0' || (!q && (*s == ' ' || *s == '\t'))) {
			if (in)
				strlist_add(out, b.p ? b.p : "");
			buf_free(&b);
			buf_init(&b, 64 * 1024);
			in = false;
			if (*s == '\0')
				break;
			continue;
		}
		if (!q && (*s == '\'' || *s == '"')) {
			q = *s;
			in = true;
			continue;
		}
		if (q && *s == q) {
			q = 0;
			continue;
		}
		in = true;
		if (buf_add(&b, s, 1) != 0)
			goto out;
	}
	if (q) {
		*err = xstrdup("unterminated quote");
		goto out;
	}
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

/* Collects the completions of word into m: commands or grp:svc names. */
static void
candidates(struct console *c, const char *word, bool first,
    struct strlist *m)
{
	const char *w = word;
	bool dash = false;

	if (first || *word == '-') {
		while (*w == '-') {
			w++;
			dash = true;
		}
		for (size_t i = 0; words[i] != NULL; i++)
			if (strncmp(words[i], w, strlen(w)) == 0)
				strlist_add_nodup(m, xasprintf("%s%s",
				    dash ? "-" : "", words[i]));
		if (first || dash)
			return;
	}
	for (size_t i = 0; i < c->nrows; i++)
		if (strncmp(c->rows[i].key, word, strlen(word)) == 0)
			strlist_add(m, c->rows[i].key);
}

static int
complete(void *arg, struct w_prompt *p)
{
	struct console *c = arg;
	const char *line = w_prompt_line(p);
	size_t point = w_prompt_point(p), start = point, common;
	struct strlist m = { 0 };
	char *word, *nl;
	bool first = true;
	int r = W_HANDLED;

	while (start > 0 && line[start - 1] != ' ')
		start--;
	for (size_t i = 0; i < start; i++)
		if (line[i] != ' ')
			first = false;
	word = xstrndup(line + start, point - start);
	candidates(c, word, first, &m);
	if (m.n == 0) {
		console_message(c, W_LEVEL_WARN, "no completion for '%s'",
		    word);
		goto out;
	}
	common = strlen(m.v[0]);
	for (size_t i = 1; i < m.n; i++) {
		size_t k = 0;

		while (k < common && m.v[i][k] == m.v[0][k])
			k++;
		common = k;
	}
	if (m.n > 1) {
		struct buf b;

		buf_init(&b, 4096);
		for (size_t i = 0; i < m.n; i++)
			(void)buf_printf(&b, "%s%s", i ? "  " : "", m.v[i]);
		console_message(c, W_LEVEL_INFO, "%s", b.p);
		buf_free(&b);
	}
	/* One match is finished with a blank, as a shell does. */
	nl = xasprintf("%.*s%.*s%s%s", (int)start, line, (int)common, m.v[0],
	    m.n == 1 ? " " : "", line + point);
	w_prompt_set(p, nl);
	free(nl);
	r |= W_REDRAW | W_CHANGED;
out:
	strlist_clear(&m);
	free(word);
	return r;
}

static char *
history_path(void)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (x != NULL && *x == '/')
		return xasprintf("%s/ssl-mgr/history", x);
	if (home != NULL && *home == '/')
		return xasprintf("%s/.local/state/ssl-mgr/history", home);
	return NULL;
}

/* mkdir -p for the history's directory, private to the user. */
static void
make_dirs(const char *file)
{
	char *d = xstrdup(file), *p;

	for (p = d + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		(void)mkdir(d, 0700);
		*p = '/';
	}
	free(d);
}

static void
history_load(struct console *c)
{
	struct w_history *h = w_prompt_history(c->prompt);
	char *text = NULL, *line, *save = NULL;
	size_t len;

	if (c->histfile == NULL ||
	    read_file(c->histfile, 1 << 20, &text, &len) != 0)
		return;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		w_history_add(h, line);
	free(text);
}

static void
history_save(struct console *c, const char *line)
{
	FILE *f;

	if (c->histfile == NULL || strchr(line, '\n') != NULL)
		return;
	make_dirs(c->histfile);
	if ((f = fopen(c->histfile, "a")) == NULL)
		return;
	fprintf(f, "%s\n", line);
	fclose(f);
}

void
con_prompt_init(struct console *c)
{
	c->prompt = w_prompt_new(":", CON_HIST_MAX);
	c->filter_prompt = w_prompt_new("/", 20);
	w_prompt_set_complete(c->prompt, complete, c);
	c->histfile = history_path();
	history_load(c);
}

void
con_prompt_free(struct console *c)
{
	w_prompt_free(c->prompt);
	w_prompt_free(c->filter_prompt);
	free(c->histfile);
}

/* "renew" -> "-renew"; "-renew", "--renew" and targets stay. */
static char *
dashed(const char *w)
{
	if (*w == '-' || strchr(w, ':') != NULL)
		return xstrdup(w);
	return xasprintf("-%s", w);
}

/* "grp:a,b" -> the result keys grp:a and grp:b. */
static void
add_items(struct strlist *items, const char *target)
{
	const char *colon = strchr(target, ':');
	char *copy, *p, *save = NULL;

	if (colon == NULL) {
		strlist_add(items, target);
		return;
	}
	copy = xstrdup(colon + 1);
	for (p = strtok_r(copy, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save))
		strlist_add_nodup(items, xasprintf("%.*s:%s",
		    (int)(colon - target), target, p));
	free(copy);
}

void
con_prompt_submit(struct console *c, const char *line)
{
	struct strlist w = { 0 }, items = { 0 };
	struct sslm_opts opts;
	char **argv = NULL, *err = NULL;
	size_t k = 0, i = 0;
	bool dev, sub, show = false;

	memset(&opts, 0, sizeof(opts));
	history_save(c, line);
	if (con_split_words(line, &w, &err) != 0) {
		console_message(c, W_LEVEL_ERROR, ":%s", err);
		goto out;
	}
	if (w.n == 0)
		goto out;
	if (strcmp(w.v[0], "q") == 0 || strcmp(w.v[0], "quit") == 0) {
		if (con_jobs_active(c, NULL) == 0)
			c->quit = true;
		else
			console_message(c, W_LEVEL_WARN, "a job is running: "
			    "use q to quit and stop it");
		goto out;
	}
	if (strcmp(w.v[0], "help") == 0 || strcmp(w.v[0], "h") == 0) {
		console_show(c, CON_SCR_HELP);
		goto out;
	}
	if (strcmp(w.v[0], "jobs") == 0) {
		console_show(c, CON_SCR_JOBS);
		goto out;
	}
	if (strcmp(w.v[0], "ca-init") == 0 && w.n == 1) {
		scr_wizard_open(c);	/* with options it is a job */
		goto out;
	}
	dev = strcmp(w.v[0], "dev") == 0;
	sub = in_list(subcmds, w.v[0]);
	argv = xcalloc(w.n + 2, sizeof(*argv));
	argv[k++] = xstrdup("ssl-mgr");
	if (dev || sub)
		argv[k++] = xstrdup(w.v[i++]);
	for (; i < w.n; i++)
		argv[k++] = !sub && i == (dev ? 1u : 0u) ? dashed(w.v[i]) :
		    xstrdup(w.v[i]);
	argv[k] = NULL;
	if (!sub) {
		/* The CLI's parser says what is wrong before a job runs. */
		if (sslm_opts_parse((int)k - 1, argv + 1, &opts, &err) != 0) {
			console_message(c, W_LEVEL_ERROR, "%s", err);
			goto out;
		}
		for (size_t t = 0; t < opts.targets.n; t++)
			add_items(&items, opts.targets.v[t]);
		show = !sslm_opts_mutates(&opts);
	} else
		show = strcmp(w.v[0], "revoke") != 0;
	if (sub && strcmp(w.v[0], "revoke") == 0) {
		char *msg = xasprintf("Run: ssl-mgr %s\n\nRevoke at the CA "
		    "what this names.  This cannot be undone.", line);

		console_confirm(c, CON_DLG_ACTION, "Revoke", msg, "Revoke");
		free(msg);
		c->pend.argv = argv;
		c->pend.what = xstrdup("revoke");
		argv = NULL;
		goto out;
	}
	con_job_add(c, argv, show ? "cmd" : w.v[0][0] == '-' ? w.v[0] + 1 :
	    w.v[0], &items);
	argv = NULL;
	/* Output is what a read-only command is for: show it. */
	if (show)
		console_show(c, CON_SCR_JOBS);
out:
	con_argv_free(argv);
	sslm_opts_free(&opts);
	strlist_clear(&w);
	strlist_clear(&items);
	free(err);
}
