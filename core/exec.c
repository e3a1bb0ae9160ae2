/*
 * exec.c - runs external programs (rsync, ssh, restart commands,
 * post_copy_cmd) from an argv, never through a shell.
 *
 * The child gets stdin from a pipe (or /dev/null), one pipe for stdout
 * and stderr together, only descriptors 0-2 (everything else is closed
 * before exec), default signal dispositions and an empty signal mask, and
 * its own process group so that a timeout reaches whatever it started
 * (ssh under rsync, sleep under a script).
 *
 * Invariant: exec_run() always reaps its child before returning, never
 * blocks on a pipe (both ends are polled, so a child that writes a lot
 * while we still feed its stdin cannot deadlock us), keeps at most
 * EXEC_OUT_MAX bytes of output, and never lets a child that stopped
 * reading its stdin kill us with SIGPIPE.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "exec.h"
#include "log.h"

#define EXEC_OUT_MAX	(64 * 1024)	/* the tail of the output kept */
#define EXEC_KILL_GRACE	2000		/* ms from SIGTERM to SIGKILL */
/*
 * How often a child that still holds the output pipe is checked for
 * having exited: a grandchild it left behind (a daemon started by a
 * restart script) may keep the pipe open for ever.
 */
#define EXEC_TICK_OPEN	250		/* ms, output pipe still open */
#define EXEC_TICK_EOF	10		/* ms, output pipe at EOF */

extern char	**environ;

struct exec_state {
	pid_t		 pid;
	int		 infd;		/* write end of the child's stdin */
	int		 outfd;		/* read end of its stdout+stderr */
	const char	*in;		/* stdin bytes not yet written */
	size_t		 inlen;
	struct exec_result *res;
};

static long	 now_ms(void);
static char	**env_merge(char *const []);
static void	 out_add(struct exec_result *, const char *, size_t);
static int	 spawn(char *const [], char *const [], bool, pid_t *, int *,
		    int *);
static void	 feed(struct exec_state *);
static bool	 drain(struct exec_state *);
static bool	 reap(struct exec_state *, int);
static void	 supervise(struct exec_state *, int);
static bool	 shell_safe(const char *);
static void	 bput(struct buf *, const char *, size_t);

static long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The child's environment: ours, with every "K=V" of add replacing an
 * entry of the same K or appended.  The array is owned by the caller
 * (free the array only: the strings are borrowed).
 */
static char **
env_merge(char *const add[])
{
	char	**e;
	size_t	 n = 0, na = 0, i, j, k, klen;
	bool	 replaced;

	while (environ != NULL && environ[n] != NULL)
		n++;
	while (add[na] != NULL)
		na++;
	e = xcalloc(n + na + 1, sizeof(*e));
	for (i = 0; i < n; i++)
		e[i] = environ[i];
	for (j = 0; j < na; j++) {
		klen = strcspn(add[j], "=");
		replaced = false;
		for (k = 0; k < n; k++) {
			if (strncmp(e[k], add[j], klen) == 0 &&
			    e[k][klen] == '=') {
				e[k] = add[j];
				replaced = true;
				break;
			}
		}
		if (!replaced)
			e[n++] = add[j];
	}
	e[n] = NULL;
	return e;
}

/* Appends to the output, keeping only the last EXEC_OUT_MAX bytes. */
static void
out_add(struct exec_result *res, const char *p, size_t n)
{
	size_t	 drop;

	if (n >= EXEC_OUT_MAX) {
		p += n - EXEC_OUT_MAX;
		n = EXEC_OUT_MAX;
	}
	if (res->outlen + n > EXEC_OUT_MAX) {
		drop = res->outlen + n - EXEC_OUT_MAX;
		memmove(res->out, res->out + drop, res->outlen - drop);
		res->outlen -= drop;
	}
	memcpy(res->out + res->outlen, p, n);
	res->outlen += n;
	res->out[res->outlen] = '\0';
}

/*
 * Starts argv with posix_spawnp.  Our ends of the pipes are created
 * close-on-exec and non-blocking; the child's ends are dup2'ed onto 0-2,
 * which clears close-on-exec on the copies only.  Returns 0, or an errno
 * value when the program could not be started.
 */
static int
spawn(char *const argv[], char *const envp[], bool with_stdin, pid_t *pid,
    int *infd, int *outfd)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 attr;
	sigset_t			 none, dfl;
	int				 ip[2] = { -1, -1 }, op[2] = { -1, -1 };
	int				 e;

	*infd = *outfd = -1;
	/*
	 * O_NONBLOCK is set on our ends only, after the fact: pipe2 would
	 * set it on both, and a child whose stdout is non-blocking fails
	 * its writes with EAGAIN.
	 */
	if (pipe2(op, O_CLOEXEC) == -1)
		return errno;
	if (with_stdin && pipe2(ip, O_CLOEXEC) == -1) {
		e = errno;
		close(op[0]);
		close(op[1]);
		return e;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	if (with_stdin)
		posix_spawn_file_actions_adddup2(&fa, ip[0], STDIN_FILENO);
	else
		posix_spawn_file_actions_addopen(&fa, STDIN_FILENO,
		    "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, op[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, op[1], STDERR_FILENO);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
	/* Descriptors a library opened without O_CLOEXEC stay ours. */
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
#endif
	/*
	 * The front end may ignore SIGPIPE or SIGINT, which exec would
	 * pass on; a child must start with the defaults.
	 */
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGQUIT);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGCHLD);
	sigaddset(&dfl, SIGTSTP);
	sigaddset(&dfl, SIGTTIN);
	sigaddset(&dfl, SIGTTOU);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	e = posix_spawnp(pid, argv[0], &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(op[1]);
	if (with_stdin)
		close(ip[0]);
	if (e != 0) {
		close(op[0]);
		if (with_stdin)
			close(ip[1]);
		return e;
	}
	if (fcntl(op[0], F_SETFL, O_NONBLOCK) == -1 ||
	    (with_stdin && fcntl(ip[1], F_SETFL, O_NONBLOCK) == -1))
		sslm_log(SSLM_LOG_DEBUG, "exec: O_NONBLOCK: %s",
		    strerror(errno));
	if (with_stdin)
		*infd = ip[1];
	*outfd = op[0];
	return 0;
}

/* Writes what the child's stdin pipe takes now; closes it when done. */
static void
feed(struct exec_state *st)
{
	ssize_t	 n;

	while (st->inlen > 0) {
		n = write(st->infd, st->in, st->inlen);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			/* EPIPE: the child does not want the rest. */
			break;
		}
		st->in += n;
		st->inlen -= (size_t)n;
	}
	close(st->infd);
	st->infd = -1;
}

/* Reads what the output pipe has now; false at EOF or error. */
static bool
drain(struct exec_state *st)
{
	char	 chunk[8192];
	ssize_t	 n;

	for (;;) {
		n = read(st->outfd, chunk, sizeof(chunk));
		if (n > 0) {
			out_add(st->res, chunk, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		return false;
	}
}

/* waitpid that survives EINTR; true once the child is reaped. */
static bool
reap(struct exec_state *st, int flags)
{
	pid_t	 w;
	int	 status;

	do
		w = waitpid(st->pid, &status, flags);
	while (w == -1 && errno == EINTR);
	if (w == 0)
		return false;
	if (w == -1) {
		/* Not ours any more (SIGCHLD ignored by the front end). */
		sslm_log(SSLM_LOG_DEBUG, "exec: waitpid %ld: %s",
		    (long)st->pid, strerror(errno));
		st->res->status = 127;
		return true;
	}
	if (WIFEXITED(status))
		st->res->status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		st->res->status = 128 + WTERMSIG(status);
	else
		return false;
	return true;
}

/*
 * The parent's loop: feeds stdin, collects output, enforces the time
 * limit (SIGTERM to the child's process group, SIGKILL EXEC_KILL_GRACE ms
 * later) and reaps the child.
 */
static void
supervise(struct exec_state *st, int timeout_secs)
{
	struct pollfd	 pfd[2];
	long		 deadline, killat = -1, now, wait;
	nfds_t		 n;
	bool		 reaped = false;

	deadline = timeout_secs > 0 ? now_ms() + timeout_secs * 1000L : -1;
	while (!reaped) {
		n = 0;
		if (st->outfd != -1) {
			pfd[n].fd = st->outfd;
			pfd[n++].events = POLLIN;
		}
		if (st->infd != -1) {
			pfd[n].fd = st->infd;
			pfd[n++].events = POLLOUT;
		}
		wait = st->outfd != -1 ? EXEC_TICK_OPEN : EXEC_TICK_EOF;
		now = now_ms();
		if (deadline != -1 && killat == -1 && deadline - now < wait)
			wait = deadline > now ? deadline - now : 0;
		if (killat != -1 && killat - now < wait)
			wait = killat > now ? killat - now : 0;
		if (poll(pfd, n, (int)wait) == -1 && errno != EINTR) {
			sslm_log(SSLM_LOG_ERR, "exec: poll: %s",
			    strerror(errno));
			/* Cannot watch it: end it rather than hang. */
			kill(-st->pid, SIGKILL);
			reap(st, 0);
			return;
		}
		if (st->infd != -1)
			feed(st);
		if (st->outfd != -1 && !drain(st)) {
			close(st->outfd);
			st->outfd = -1;
		}
		if ((reaped = reap(st, WNOHANG)) && st->outfd != -1)
			(void)drain(st);
		now = now_ms();
		if (!reaped && deadline != -1 && killat == -1 &&
		    now >= deadline) {
			st->res->timed_out = true;
			kill(-st->pid, SIGTERM);
			killat = now + EXEC_KILL_GRACE;
		} else if (!reaped && killat != -1 && now >= killat) {
			kill(-st->pid, SIGKILL);
			killat = now + 60 * 1000L;
		}
	}
}

int
exec_run(char *const argv[], const char *stdin_data, char *const env[],
    int timeout_secs, struct exec_result *res)
{
	struct exec_state	 st;
	sigset_t		 pipeset, oset, pending;
	struct timespec		 zero = { 0, 0 };
	char			**envp = NULL;
	bool			 had_pipe;
	int			 e, r = SSLM_ERR_EXEC;

	memset(res, 0, sizeof(*res));
	res->out = xmalloc(EXEC_OUT_MAX + 1);
	res->out[0] = '\0';
	memset(&st, 0, sizeof(st));
	st.infd = st.outfd = -1;
	st.res = res;
	if (argv == NULL || argv[0] == NULL || *argv[0] == '\0') {
		sslm_log(SSLM_LOG_ERR, "exec: empty command");
		res->status = 127;
		return SSLM_ERR_EXEC;
	}
	envp = env != NULL ? env_merge(env) : environ;

	/*
	 * A child that exits without reading its stdin would make our
	 * write raise SIGPIPE.  Block it while we write and swallow the
	 * one we caused (not one that was already pending).
	 */
	sigemptyset(&pipeset);
	sigaddset(&pipeset, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipeset, &oset);
	sigpending(&pending);
	had_pipe = sigismember(&pending, SIGPIPE);

	e = spawn(argv, envp, stdin_data != NULL, &st.pid, &st.infd,
	    &st.outfd);
	if (e != 0) {
		res->status = 127;
		out_add(res, argv[0], strlen(argv[0]));
		out_add(res, ": ", 2);
		out_add(res, strerror(e), strlen(strerror(e)));
		sslm_log(SSLM_LOG_ERR, "%s: cannot run: %s", argv[0],
		    strerror(e));
		goto out;
	}
	if (stdin_data != NULL) {
		st.in = stdin_data;
		st.inlen = strlen(stdin_data);
	}
	supervise(&st, timeout_secs);
	r = 0;
out:
	if (st.infd != -1)
		close(st.infd);
	if (st.outfd != -1)
		close(st.outfd);
	if (!had_pipe) {
		sigpending(&pending);
		if (sigismember(&pending, SIGPIPE))
			(void)sigtimedwait(&pipeset, NULL, &zero);
	}
	sigprocmask(SIG_SETMASK, &oset, NULL);
	if (envp != environ)
		free(envp);
	return r;
}

void
exec_result_free(struct exec_result *res)
{
	if (res == NULL)
		return;
	free(res->out);
	res->out = NULL;
	res->outlen = 0;
}

void
exec_split(const char *cmd, struct strlist *out)
{
	const char	*p = cmd, *start;

	for (;;) {
		while (*p != '\0' && isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		strlist_add_nodup(out, xstrndup(start, (size_t)(p - start)));
	}
}

/* True when word needs no quoting for a POSIX shell. */
static bool
shell_safe(const char *w)
{
	if (*w == '\0')
		return false;
	for (; *w != '\0'; w++)
		if (!isalnum((unsigned char)*w) &&
		    strchr("@%+=:,./_-", *w) == NULL)
			return false;
	return true;
}

/* Appends to an unbounded buffer, where buf_add cannot fail. */
static void
bput(struct buf *b, const char *s, size_t n)
{
	if (buf_add(b, s, n) != 0)
		sslm_log(SSLM_LOG_DEBUG, "exec: describe: buffer full");
}

char *
exec_describe(char *const argv[])
{
	struct buf	 b;
	const char	*w;
	size_t		 i;

	buf_init(&b, SIZE_MAX);
	for (i = 0; argv != NULL && argv[i] != NULL; i++) {
		if (i > 0)
			bput(&b, " ", 1);
		if (shell_safe(argv[i])) {
			bput(&b, argv[i], strlen(argv[i]));
			continue;
		}
		bput(&b, "'", 1);
		for (w = argv[i]; *w != '\0'; w++) {
			if (*w == '\'')
				bput(&b, "'\\''", 4);
			else
				bput(&b, w, 1);
		}
		bput(&b, "'", 1);
	}
	return b.p != NULL ? b.p : xstrdup("");
}
