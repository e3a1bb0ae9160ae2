/*
 * console-jobs.c - actions as child processes (tmux's job.c).  A job runs
 * this binary with the command line a cron user would type, its stdout
 * and stderr on one pipe, read line by line by the poll loop.  Jobs run
 * one at a time: the store has one lock, and a queue in the console is
 * kinder than a second job that is refused.  A cron run holding the lock
 * is reported by the job itself ("... is busy ... pid ...").
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "util.h"

#define JOB_LINE_MAX	4096	/* longer output lines are cut */

char **
con_argv_new(const char *first, ...)
{
	va_list ap;
	const char *s;
	char **v = NULL;
	size_t n = 0;

	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *)) {
		v = xreallocarray(v, n + 2, sizeof(*v));
		v[n++] = xstrdup(s);
	}
	va_end(ap);
	v = xreallocarray(v, n + 1, sizeof(*v));
	v[n] = NULL;
	return v;
}

void
con_argv_free(char **v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static void
job_free(struct con_job *j)
{
	if (j->fd != -1)
		close(j->fd);
	con_argv_free(j->argv);
	free(j->cmdline);
	free(j->what);
	free(j->partial);
	strlist_clear(&j->items);
	w_log_free(j->log);
	free(j);
}

/* Queues argv (argv[0] "ssl-mgr"; taken over) and starts it if idle. */
struct con_job *
con_job_add(struct console *c, char **argv, const char *what,
    const struct strlist *items)
{
	struct con_job *j = xcalloc(1, sizeof(*j));
	struct buf b;

	j->id = ++c->next_job_id;
	j->argv = argv;
	j->what = xstrdup(what);
	j->fd = -1;
	j->pid = -1;
	if (items != NULL)
		strlist_copy(&j->items, items);
	buf_init(&b, 64 * 1024);
	for (size_t i = 0; argv[i] != NULL; i++)
		(void)buf_printf(&b, "%s%s", i ? " " : "", argv[i]);
	j->cmdline = b.p ? b.p : xstrdup("ssl-mgr");
	j->log = w_log_new(CON_JOB_LOG_LINES);
	w_log_appendf(j->log, W_ROLE_TITLE, "$ %s", j->cmdline);
	c->jobs = xreallocarray(c->jobs, c->njobs + 1, sizeof(*c->jobs));
	c->jobs[c->njobs++] = j;
	con_job_start_next(c);
	if (j->state == CON_JOB_QUEUED) {
		for (size_t i = 0; i < j->items.n; i++)
			con_result_set(c, j->items.v[i], "queued",
			    W_ROLE_PENDING);
		if (c->lock_held)
			console_message(c, W_LEVEL_WARN, "job %d queued until "
			    "the other run lets go of the lock: %s", j->id,
			    j->cmdline);
		else
			console_message(c, W_LEVEL_INFO, "job %d queued: %s",
			    j->id, j->cmdline);
	}
	return j;
}

static void
job_finish_line(struct console *c, struct con_job *j, const char *line)
{
	enum w_role role = W_ROLE_NORMAL;

	if (strstr(line, " is busy") != NULL) {
		j->busy = true;
		role = W_ROLE_WARNING;
		console_message(c, W_LEVEL_WARN, "job %d: %s", j->id, line);
	} else if (strncmp(line, "ssl-mgr: ", 9) == 0 ||
	    strstr(line, "error") != NULL || strstr(line, "failed") != NULL)
		role = W_ROLE_ERROR;
	else if (strncmp(line, "warning", 7) == 0)
		role = W_ROLE_WARNING;
	w_log_append(j->log, role, line);
}

static void
job_spawn(struct console *c, struct con_job *j)
{
	int p[2], devnull;
	pid_t pid;

	j->state = CON_JOB_RUNNING;
	j->started = time(NULL);
	if (pipe2(p, O_CLOEXEC) == -1) {
		w_log_appendf(j->log, W_ROLE_ERROR, "pipe: %s",
		    strerror(errno));
		goto fail;
	}
	if ((pid = fork()) == -1) {
		w_log_appendf(j->log, W_ROLE_ERROR, "fork: %s",
		    strerror(errno));
		close(p[0]);
		close(p[1]);
		goto fail;
	}
	if (pid == 0) {
		/*
		 * Its own process group: a ^C meant for the console must
		 * not kill a renewal half way.  Default signal dispositions,
		 * no terminal on stdin.
		 */
		(void)setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGWINCH, SIG_DFL);
		if ((devnull = open("/dev/null", O_RDONLY)) != -1)
			dup2(devnull, STDIN_FILENO);
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		setenv("SSL_MGR_TOPDIR", c->topdir, 1);
		execv(c->exe, j->argv);
		dprintf(STDERR_FILENO, "ssl-mgr: cannot run %s: %s\n",
		    c->exe, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	(void)fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	j->pid = pid;
	j->fd = p[0];
	console_message(c, W_LEVEL_INFO, "job %d running: %s", j->id,
	    j->cmdline);
	return;
fail:
	j->state = CON_JOB_DONE;
	j->reaped = true;
	j->status = 127;
	j->ended = time(NULL);
}

void
con_job_start_next(struct console *c)
{
	for (size_t i = 0; i < c->njobs; i++)
		if (c->jobs[i]->state == CON_JOB_RUNNING)
			return;
	for (size_t i = 0; i < c->njobs; i++)
		if (c->jobs[i]->state == CON_JOB_QUEUED) {
			/* Jobs start in order: one waiting for another
			 * run's lock holds those behind it. */
			if (con_lock_blocks(c, c->jobs[i]))
				return;
			job_spawn(c, c->jobs[i]);
			if (c->jobs[i]->state == CON_JOB_RUNNING)
				return;
		}
}

size_t
con_job_pollfds(struct console *c, struct pollfd *pfd, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < c->njobs && n < max; i++)
		if (c->jobs[i]->fd != -1) {
			pfd[n].fd = c->jobs[i]->fd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			n++;
		}
	return n;
}

static void
job_take(struct console *c, struct con_job *j, const char *p, size_t n)
{
	const char *nl;
	size_t take;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		take = nl ? (size_t)(nl - p) : n;

		if (j->partial_len + take > JOB_LINE_MAX)
			take = JOB_LINE_MAX > j->partial_len ?
			    JOB_LINE_MAX - j->partial_len : 0;
		j->partial = xrealloc(j->partial, j->partial_len + take + 1);
		memcpy(j->partial + j->partial_len, p, take);
		j->partial_len += take;
		j->partial[j->partial_len] = '\0';
		if (nl == NULL)
			return;
		job_finish_line(c, j, j->partial);
		j->partial_len = 0;
		n -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
}

static void job_done(struct console *, struct con_job *);

/* The pipe of some job is readable (or at EOF). */
void
con_job_input(struct console *c, int fd)
{
	char buf[4096];
	ssize_t n;

	for (size_t i = 0; i < c->njobs; i++) {
		struct con_job *j = c->jobs[i];

		if (j->fd != fd)
			continue;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			job_take(c, j, buf, (size_t)n);
		if (n == 0 || (n == -1 && errno != EAGAIN &&
		    errno != EINTR)) {
			if (j->partial_len > 0) {
				job_finish_line(c, j, j->partial);
				j->partial_len = 0;
			}
			close(j->fd);
			j->fd = -1;
			if (j->reaped)
				job_done(c, j);
		}
		return;
	}
}

/* Both the pipe and the process are finished: record the result. */
static void
job_done(struct console *c, struct con_job *j)
{
	enum w_role role;
	char res[64];

	j->state = CON_JOB_DONE;
	j->ended = time(NULL);
	if (j->busy) {
		snprintf(res, sizeof(res), "busy");
		role = W_ROLE_WARNING;
	} else if (j->status == 0) {
		snprintf(res, sizeof(res), "%s ok", j->what);
		role = W_ROLE_OK;
	} else {
		snprintf(res, sizeof(res), "failed (%d)", j->status);
		role = W_ROLE_ERROR;
	}
	w_log_appendf(j->log, role, "[exit %d]%s", j->status,
	    j->busy ? " store busy: nothing done" : "");
	for (size_t i = 0; i < j->items.n; i++)
		con_result_set(c, j->items.v[i], res, role);
	if (j->busy)
		console_message(c, W_LEVEL_WARN, "job %d: store busy (a "
		    "cron run holds the lock): nothing done", j->id);
	else
		console_message(c, j->status ? W_LEVEL_ERROR : W_LEVEL_INFO,
		    "job %d %s: %s", j->id, j->status ? "failed" : "done",
		    j->cmdline);
	c->reload_wanted = true;
	con_job_start_next(c);
}

/* SIGCHLD came: collect every finished child without blocking. */
void
con_job_reap(struct console *c)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (size_t i = 0; i < c->njobs; i++) {
			struct con_job *j = c->jobs[i];

			if (j->pid != pid || j->reaped)
				continue;
			j->reaped = true;
			j->status = WIFEXITED(st) ? WEXITSTATUS(st) :
			    WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
			if (j->fd == -1)
				job_done(c, j);
		}
	}
}

size_t
con_jobs_active(const struct console *c, size_t *queued)
{
	size_t running = 0, q = 0;

	for (size_t i = 0; i < c->njobs; i++) {
		if (c->jobs[i]->state == CON_JOB_RUNNING)
			running++;
		else if (c->jobs[i]->state == CON_JOB_QUEUED)
			q++;
	}
	if (queued != NULL)
		*queued = q;
	return running;
}

/*
 * Quitting with a job running: the queue is dropped and the running job
 * is asked to stop (SIGTERM to its group).  The store survives a killed
 * run (it is written by rename), and a job orphaned by the console would
 * write into a closed pipe anyway.
 */
void
con_jobs_stop(struct console *c)
{
	for (size_t i = 0; i < c->njobs; i++) {
		struct con_job *j = c->jobs[i];

		if (j->state == CON_JOB_QUEUED)
			j->state = CON_JOB_DONE;
		if (j->state == CON_JOB_RUNNING && !j->reaped && j->pid > 0) {
			(void)kill(-j->pid, SIGTERM);
			(void)waitpid(j->pid, NULL, 0);
			j->reaped = true;
		}
	}
}

void
con_jobs_free(struct console *c)
{
	for (size_t i = 0; i < c->njobs; i++)
		job_free(c->jobs[i]);
	free(c->jobs);
	c->jobs = NULL;
	c->njobs = 0;
}
