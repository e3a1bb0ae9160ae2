/*
 * console-logtail.c - the tail of the log file (<logdir>/sslm), followed
 * on the console's one second tick: what cron runs and the console's own
 * jobs wrote, including the INFO lines a job prints only with -v (the
 * dns-01 wait, the DANE gate).
 *
 * The file stays open between polls, so a rotation (log.c renames sslm
 * to sslm.1 and starts a new sslm) loses nothing: the old file is read to
 * its end before the new one is opened.  A file that shrank was
 * truncated: it is read again from its start.  Lines about the dns-01
 * wait and the gate are also kept apart for the DNS screen.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console.h"
#include "util.h"

#define TAIL_FIRST	(16 * 1024)	/* bytes shown of an existing file */
#define TAIL_STEP	(256 * 1024)	/* bytes read per poll at most */
#define TAIL_LINE_MAX	4096
#define TAIL_WAIT_LINES	200

struct con_tail {
	char		*path;
	int		 fd;
	dev_t		 dev;
	ino_t		 ino;
	off_t		 off;
	bool		 skip_first;	/* started mid-file: drop a half line */
	bool		 missing_said;
	char		*partial;
	size_t		 plen;
};

void
con_tail_init(struct console *c)
{
	c->tail = xcalloc(1, sizeof(*c->tail));
	c->tail->fd = -1;
	c->tail_log = w_log_new(CON_JOB_LOG_LINES);
	c->tail_wait = w_log_new(TAIL_WAIT_LINES);
}

static void
tail_close(struct con_tail *t)
{
	if (t->fd != -1)
		close(t->fd);
	t->fd = -1;
	t->plen = 0;
}

void
con_tail_free(struct console *c)
{
	if (c->tail == NULL)
		return;
	tail_close(c->tail);
	free(c->tail->path);
	free(c->tail->partial);
	free(c->tail);
	c->tail = NULL;
	w_log_free(c->tail_log);
	w_log_free(c->tail_wait);
}

/* Lines the DNS screen shows: the dns-01 wait and the roll gate. */
static bool
is_wait_line(const char *s)
{
	return strstr(s, "dns-01") != NULL || strstr(s, " pending: ") ||
	    (strstr(s, " ok: ") && strstr(s, "serial")) ||
	    strstr(s, "dane gate") || strstr(s, "_acme-challenge");
}

static void
tail_line(struct console *c, const char *s)
{
	enum w_role role = W_ROLE_NORMAL;

	if (strstr(s, "error") || strstr(s, "failed") || strstr(s, "Errors"))
		role = W_ROLE_ERROR;
	else if (strstr(s, "warning") || strstr(s, "Too soon"))
		role = W_ROLE_WARNING;
	w_log_append(c->tail_log, role, s);
	if (is_wait_line(s))
		w_log_append(c->tail_wait, role, s);
}

static void
tail_take(struct console *c, const char *p, size_t n)
{
	struct con_tail *t = c->tail;
	const char *nl;
	size_t take;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		take = nl ? (size_t)(nl - p) : n;
		if (t->plen + take > TAIL_LINE_MAX)
			take = TAIL_LINE_MAX > t->plen ?
			    TAIL_LINE_MAX - t->plen : 0;
		t->partial = xrealloc(t->partial, t->plen + take + 1);
		memcpy(t->partial + t->plen, p, take);
		t->plen += take;
		t->partial[t->plen] = '\0';
		if (nl == NULL)
			return;
		if (!t->skip_first)
			tail_line(c, t->partial);
		t->skip_first = false;
		t->plen = 0;
		n -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
}

/* Reads what the open file has beyond t->off. */
static void
tail_read(struct console *c)
{
	struct con_tail *t = c->tail;
	char buf[8192];
	size_t total = 0;
	ssize_t n;

	while (total < TAIL_STEP && (n = pread(t->fd, buf, sizeof(buf),
	    t->off)) > 0) {
		tail_take(c, buf, (size_t)n);
		t->off += n;
		total += (size_t)n;
	}
}

static void
tail_open(struct console *c, bool first)
{
	struct con_tail *t = c->tail;
	struct stat st;

	if ((t->fd = open(t->path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	if (fstat(t->fd, &st) == -1) {
		tail_close(t);
		return;
	}
	t->dev = st.st_dev;
	t->ino = st.st_ino;
	t->off = 0;
	t->skip_first = false;
	if (first && st.st_size > TAIL_FIRST) {
		t->off = st.st_size - TAIL_FIRST;
		t->skip_first = true;
	}
	t->missing_said = false;
}

void
con_tail_poll(struct console *c)
{
	struct con_tail *t = c->tail;
	struct stat st, fst;
	char *path;

	if (t == NULL || c->cfg == NULL || c->cfg->logdir == NULL)
		return;
	path = path_join(c->cfg->logdir, "sslm");
	if (t->path == NULL || strcmp(path, t->path) != 0) {
		tail_close(t);
		free(t->path);
		t->path = path;
		w_log_clear(c->tail_log);
		w_log_appendf(c->tail_log, W_ROLE_TITLE, "==> %s <==",
		    t->path);
		tail_open(c, true);
	} else
		free(path);
	if (t->fd != -1) {
		if (fstat(t->fd, &fst) == 0 && fst.st_size < t->off) {
			w_log_append(c->tail_log, W_ROLE_DIM,
			    "-- log file truncated --");
			t->off = 0;
			t->plen = 0;
		}
		tail_read(c);
	}
	if (stat(t->path, &st) == -1) {
		if (t->fd == -1 && !t->missing_said) {
			w_log_appendf(c->tail_log, W_ROLE_DIM, "(no log file "
			    "yet: %s)", strerror(errno));
			t->missing_said = true;
		}
		return;
	}
	if (t->fd != -1 && st.st_dev == t->dev && st.st_ino == t->ino)
		return;
	if (t->fd != -1) {
		/* Rotated: the old file was read to its end above. */
		if (t->plen > 0)
			tail_line(c, t->partial);
		w_log_append(c->tail_log, W_ROLE_DIM, "-- log file rotated --");
		tail_close(t);
	}
	tail_open(c, false);
	if (t->fd != -1)
		tail_read(c);
}
