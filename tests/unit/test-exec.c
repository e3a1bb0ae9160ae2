/*
 * test-exec.c - unit tests of exec.c: real child processes (/bin/sh,
 * cat, printf, sleep) check exit codes, signals, the time limit, stdin,
 * output capture and its 64 KiB tail, the environment, descriptor
 * hygiene, and that arguments never meet a shell.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "exec.h"
#include "log.h"

#define OUT_MAX		(64 * 1024)

static struct strlist	 logged;

static void
sink(void *ctx, enum sslm_level lvl, const char *msg)
{
	(void)ctx;
	(void)lvl;
	strlist_add(&logged, msg);
}

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs argv (no stdin, no env, no limit) and returns the status. */
static int
run_status(char *const argv[], struct exec_result *res)
{
	assert_int_equal(exec_run(argv, NULL, NULL, 0, res), 0);
	return res->status;
}

static void
test_exit_codes(void **state)
{
	struct exec_result	 res;
	char			*t[] = { "true", NULL };
	char			*f[] = { "false", NULL };
	char			*e3[] = { "sh", "-c", "exit 3", NULL };

	(void)state;
	assert_int_equal(run_status(t, &res), 0);
	assert_false(res.timed_out);
	assert_int_equal(res.outlen, 0);
	assert_string_equal(res.out, "");
	exec_result_free(&res);
	assert_int_equal(run_status(f, &res), 1);
	exec_result_free(&res);
	assert_int_equal(run_status(e3, &res), 3);
	exec_result_free(&res);
}

static void
test_signal_status(void **state)
{
	struct exec_result	 res;
	char			*argv[] = { "sh", "-c", "kill -TERM $$", NULL };

	(void)state;
	assert_int_equal(run_status(argv, &res), 128 + SIGTERM);
	assert_false(res.timed_out);
	exec_result_free(&res);
}

static void
test_not_found(void **state)
{
	struct exec_result	 res;
	char			*abs[] = { "/nonexistent/prog", "x", NULL };
	char			*rel[] = { "sslm-no-such-program-here", NULL };
	char			*empty[] = { NULL };

	(void)state;
	assert_int_equal(exec_run(abs, NULL, NULL, 5, &res), SSLM_ERR_EXEC);
	assert_int_equal(res.status, 127);
	assert_non_null(strstr(res.out, "/nonexistent/prog"));
	exec_result_free(&res);
	assert_int_equal(exec_run(rel, "in", NULL, 5, &res), SSLM_ERR_EXEC);
	assert_non_null(res.out);
	exec_result_free(&res);
	assert_int_equal(exec_run(empty, NULL, NULL, 5, &res),
	    SSLM_ERR_EXEC);
	exec_result_free(&res);
}

static void
test_timeout_term(void **state)
{
	struct exec_result	 res;
	char			*argv[] = { "sleep", "30", NULL };
	double			 t0 = now_s(), dt;

	(void)state;
	assert_int_equal(exec_run(argv, NULL, NULL, 1, &res), 0);
	dt = now_s() - t0;
	assert_true(res.timed_out);
	assert_int_equal(res.status, 128 + SIGTERM);
	assert_true(dt >= 0.9 && dt < 2.5);
	exec_result_free(&res);
}

/* A child that ignores SIGTERM is killed 2 s later. */
static void
test_timeout_kill(void **state)
{
	struct exec_result	 res;
	char			*argv[] = { "sh", "-c",
				    "trap '' TERM; echo started; sleep 30; "
				    "echo not-reached", NULL };
	double			 t0 = now_s(), dt;

	(void)state;
	assert_int_equal(exec_run(argv, NULL, NULL, 1, &res), 0);
	dt = now_s() - t0;
	assert_true(res.timed_out);
	assert_int_equal(res.status, 128 + SIGKILL);
	assert_true(dt >= 2.9 && dt < 4.5);
	assert_string_equal(res.out, "started\n");
	exec_result_free(&res);
}

/* The whole process group goes: no grandchild survives a timeout. */
static void
test_timeout_group(void **state)
{
	struct exec_result	 res;
	char			 pidfile[] = "/tmp/sslm-exec-XXXXXX";
	char			*script, *pidtxt = NULL;
	char			*argv[] = { "sh", "-c", NULL, NULL };
	int			 fd, i;
	pid_t			 gc;

	(void)state;
	assert_true((fd = mkstemp(pidfile)) != -1);
	close(fd);
	script = xasprintf("sleep 30 & echo $! > %s; wait", pidfile);
	argv[2] = script;
	assert_int_equal(exec_run(argv, NULL, NULL, 1, &res), 0);
	assert_true(res.timed_out);
	assert_int_equal(read_file(pidfile, 64, &pidtxt, NULL), 0);
	gc = (pid_t)atol(pidtxt);
	assert_true(gc > 1);
	/* Killed by the group SIGTERM; reaped by init soon after. */
	for (i = 0; i < 100 && kill(gc, 0) == 0; i++)
		usleep(20000);
	assert_int_equal(kill(gc, 0), -1);
	assert_int_equal(errno, ESRCH);
	exec_result_free(&res);
	unlink(pidfile);
	free(pidtxt);
	free(script);
}

/* A grandchild keeping the pipe open does not hold us after the child. */
static void
test_grandchild_holds_pipe(void **state)
{
	struct exec_result	 res;
	char			*argv[] = { "sh", "-c", "sleep 3 & echo hi",
				    NULL };
	double			 t0 = now_s();

	(void)state;
	assert_int_equal(exec_run(argv, NULL, NULL, 10, &res), 0);
	assert_true(now_s() - t0 < 1.5);
	assert_false(res.timed_out);
	assert_int_equal(res.status, 0);
	assert_string_equal(res.out, "hi\n");
	exec_result_free(&res);
}

static void
test_output_interleaved(void **state)
{
	struct exec_result	 res;
	char			*argv[] = { "sh", "-c",
				    "echo a; echo b >&2; echo c", NULL };

	(void)state;
	assert_int_equal(run_status(argv, &res), 0);
	assert_string_equal(res.out, "a\nb\nc\n");
	assert_int_equal(res.outlen, 6);
	exec_result_free(&res);
}

/* 1 MiB through cat: no deadlock, and the last 64 KiB are kept. */
static void
test_stdin_and_truncation(void **state)
{
	struct exec_result	 res;
	char			*argv[] = { "cat", NULL };
	size_t			 n = 1024 * 1024, i;
	char			*in;

	(void)state;
	in = xmalloc(n + 1);
	for (i = 0; i < n; i++)
		in[i] = (char)('a' + (i * 7 + i / 1000) % 26);
	in[n] = '\0';
	assert_int_equal(exec_run(argv, in, NULL, 20, &res), 0);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.outlen, OUT_MAX);
	assert_memory_equal(res.out, in + n - OUT_MAX, OUT_MAX);
	assert_int_equal(res.out[OUT_MAX], '\0');
	exec_result_free(&res);
	free(in);
}

static void
test_stdin_small_and_null(void **state)
{
	struct exec_result	 res;
	char			*argv[] = { "cat", NULL };

	(void)state;
	assert_int_equal(exec_run(argv, "hello\nworld", NULL, 5, &res), 0);
	assert_string_equal(res.out, "hello\nworld");
	exec_result_free(&res);
	/* NULL: /dev/null, so cat ends at once. */
	assert_int_equal(exec_run(argv, NULL, NULL, 5, &res), 0);
	assert_false(res.timed_out);
	assert_string_equal(res.out, "");
	exec_result_free(&res);
	assert_int_equal(exec_run(argv, "", NULL, 5, &res), 0);
	assert_string_equal(res.out, "");
	exec_result_free(&res);
}

/* A child that never reads its stdin must not kill us with SIGPIPE. */
static void
test_stdin_unread(void **state)
{
	struct exec_result	 res;
	char			*argv[] = { "sh", "-c", "echo bye; exit 4",
				    NULL };
	size_t			 n = 4 * 1024 * 1024;
	char			*in;
	sigset_t		 pending;

	(void)state;
	in = xmalloc(n + 1);
	memset(in, 'x', n);
	in[n] = '\0';
	assert_int_equal(exec_run(argv, in, NULL, 10, &res), 0);
	assert_int_equal(res.status, 4);
	assert_string_equal(res.out, "bye\n");
	sigpending(&pending);
	assert_false(sigismember(&pending, SIGPIPE));
	exec_result_free(&res);
	free(in);
}

/* Arguments reach the program as they are: no shell ever sees them. */
static void
test_no_shell(void **state)
{
	struct exec_result	 res;
	char			*argv[] = { "printf", "%s|", "a;b", "$(id)",
				    "`id`", "x && y", "*", "'q'", NULL };

	(void)state;
	assert_int_equal(run_status(argv, &res), 0);
	assert_string_equal(res.out, "a;b|$(id)|`id`|x && y|*|'q'|");
	exec_result_free(&res);
}

static void
test_env(void **state)
{
	struct exec_result	 res;
	char			*argv[] = { "sh", "-c",
				    "echo \"$SSLM_A/$SSLM_B/$HOME\"", NULL };
	char			*env[] = { "SSLM_A=one", "SSLM_B=two words",
				    "HOME=/nowhere", NULL };

	(void)state;
	assert_int_equal(setenv("SSLM_B", "old", 1), 0);
	assert_int_equal(exec_run(argv, NULL, env, 5, &res), 0);
	assert_string_equal(res.out, "one/two words//nowhere\n");
	exec_result_free(&res);
	/* Ours is untouched. */
	assert_string_equal(getenv("SSLM_B"), "old");
	assert_null(getenv("SSLM_A"));
	unsetenv("SSLM_B");
}

/* Only 0, 1 and 2 reach the child, whatever we have open. */
static void
test_no_fd_leak(void **state)
{
	struct exec_result	 res;
	char			*argv[] = { "sh", "-c",
				    "for f in 3 4 5 57; do "
				    "[ -e /dev/fd/$f ] && echo leak$f; done; "
				    "echo done", NULL };
	int			 fd;

	(void)state;
	assert_true((fd = open("/dev/null", O_RDONLY)) != -1);
	assert_int_equal(dup2(fd, 57), 57);
	assert_int_equal(run_status(argv, &res), 0);
	assert_string_equal(res.out, "done\n");
	exec_result_free(&res);
	close(57);
	close(fd);
}

/* The child starts with SIGPIPE at its default even if we ignore it. */
static void
test_signal_defaults(void **state)
{
	struct exec_result	 res;
	char			*argv[] = { "sh", "-c",
				    "yes | head -n 1", NULL };
	struct sigaction	 ign, old;

	(void)state;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	assert_int_equal(exec_run(argv, NULL, NULL, 5, &res), 0);
	assert_false(res.timed_out);
	assert_string_equal(res.out, "y\n");
	sigaction(SIGPIPE, &old, NULL);
	exec_result_free(&res);
}

static void
test_split(void **state)
{
	struct strlist	 l = { 0 };

	(void)state;
	exec_split("  /usr/sbin/postfix   reload\t-v\n", &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0], "/usr/sbin/postfix");
	assert_string_equal(l.v[1], "reload");
	assert_string_equal(l.v[2], "-v");
	assert_null(l.v[3]);
	strlist_clear(&l);
	exec_split("", &l);
	exec_split(" \t ", &l);
	assert_int_equal(l.n, 0);
	exec_split("one", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "one");
	strlist_clear(&l);
}

static void
test_describe(void **state)
{
	char	*argv[] = { "ssh", "-o", "a b", "it's", "", "x=y:z/.@%,+",
		    "$HOME", NULL };
	char	*none[] = { NULL };
	char	*s;

	(void)state;
	s = exec_describe(argv);
	assert_string_equal(s,
	    "ssh -o 'a b' 'it'\\''s' '' x=y:z/.@%,+ '$HOME'");
	free(s);
	s = exec_describe(none);
	assert_string_equal(s, "");
	free(s);
	exec_result_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_signal_status),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_timeout_term),
		cmocka_unit_test(test_timeout_kill),
		cmocka_unit_test(test_timeout_group),
		cmocka_unit_test(test_grandchild_holds_pipe),
		cmocka_unit_test(test_output_interleaved),
		cmocka_unit_test(test_stdin_and_truncation),
		cmocka_unit_test(test_stdin_small_and_null),
		cmocka_unit_test(test_stdin_unread),
		cmocka_unit_test(test_no_shell),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_no_fd_leak),
		cmocka_unit_test(test_signal_defaults),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_describe),
	};
	int	 r;

	sslm_log_set_sink(sink, NULL);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	strlist_clear(&logged);
	return r;
}
