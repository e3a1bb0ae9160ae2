/*
 * console-prompt.c - the ':' prompt: the CLI's command line typed into
 * the console and run as a job of this binary, so ":renew x" and the
 * cron line "ssl-mgr -renew x" are one code path.  The leading dash may
 * be left out.  Regular and dev lines are checked with the CLI's own
 * parser before anything runs.  The line editing, completion and history
 * are readline's (console-readline.c); this file says what the words
 * complete to and what a submitted line runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "opts.h"
#include "util.h"

static const char *const subcmds[] = {
	"ca-init", "check-config", "dhparam", "info", "revoke", "tlsa-hash",
	"verify", NULL
};

/* The console's own words, besides the CLI's subcommands and options. */
static const char *const console_words[] = { "help", "jobs", "quit", "dev",
	NULL
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

static size_t
ndashes(const char *s)
{
	return s[0] == '-' ? (s[1] == '-' ? 2 : 1) : 0;
}

static void
add_match(struct strlist *m, const char *cand, const char *word)
{
	if (strncmp(cand, word, strlen(word)) == 0 && !strlist_has(m, cand))
		strlist_add(m, cand);
}

/*
 * The completions of word, given the line before it: a command (the
 * first word, or the one after "dev": an option with its dash optional, a
 * subcommand, a console word), an option when word starts with a dash
 * (from core's option table, the one the parser uses), else grp:svc.
 */
void
con_prompt_candidates(struct console *c, const char *before,
    const char *word, struct strlist *m)
{
	struct strlist w = { 0 }, names = { 0 };
	char *err = NULL;
	size_t nd = ndashes(word);
	bool dev, first;

	if (con_split_words(before, &w, &err) != 0)
		free(err);
	dev = w.n > 0 && strcmp(w.v[0], "dev") == 0;
	first = w.n == 0 || (dev && w.n == 1);
	if (first || nd > 0) {
		sslm_opts_names(dev, &names);
		for (size_t i = 0; i < names.n; i++) {
			size_t d = ndashes(names.v[i]);

			if (d == nd)
				add_match(m, names.v[i], word);
			else if (nd == 0 && first && d == 1)
				add_match(m, names.v[i] + 1, word);
		}
	}
	if (w.n == 0 && nd == 0) {
		for (size_t i = 0; subcmds[i] != NULL; i++)
			add_match(m, subcmds[i], word);
		for (size_t i = 0; console_words[i] != NULL; i++)
			add_match(m, console_words[i], word);
	}
	if (!first && nd == 0)
		for (size_t i = 0; i < c->nrows; i++)
			add_match(m, c->rows[i].key, word);
	strlist_clear(&names);
	strlist_clear(&w);
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
