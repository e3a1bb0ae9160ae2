/*
 * test-log.c - the log file: upstream's line format, size-based rotation
 * with a fixed number of backups, and the front end's sink.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "util.h"

static struct strlist seen;
static enum sslm_level last_level;

static void
sink(void *ctx, enum sslm_level lvl, const char *msg)
{
	(void)ctx;
	last_level = lvl;
	strlist_add(&seen, msg);
}

/* Removes what the tests made (no subdirectories but logs/). */
static void
cleanup(const char *d)
{
	char *cmd[] = { "logs/sslm", "sslm", "sslm.1", "sslm.2", "sslm.3" };

	for (size_t i = 0; i < sizeof(cmd) / sizeof(cmd[0]); i++) {
		char *p = path_join(d, cmd[i]);

		(void)unlink(p);
		free(p);
	}
	{
		char *p = path_join(d, "logs");

		(void)rmdir(p);
		free(p);
	}
	assert_int_equal(rmdir(d), 0);
}

static char *
tmpdir(void)
{
	char *t = xstrdup("/tmp/test-log.XXXXXX");

	assert_non_null(mkdtemp(t));
	return t;
}

static void
test_line_format_and_sink(void **state)
{
	char *d = tmpdir(), *logdir = path_join(d, "logs"), *p, *text;
	size_t len;
	struct stat st;

	(void)state;
	sslm_log_set_sink(sink, NULL);
	assert_int_equal(sslm_log_open(logdir, "sslm", 4096, 4), 0);
	assert_int_equal(stat(logdir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	sslm_log(SSLM_LOG_NOTE, "renewed %s", "example.com:web");
	assert_int_equal(last_level, SSLM_LOG_NOTE);
	assert_string_equal(seen.v[seen.n - 1], "renewed example.com:web");
	sslm_log_close();
	p = path_join(logdir, "sslm");
	assert_int_equal(read_file(p, 1 << 20, &text, &len), 0);
	/* "YYYY-MM-DD HH:MM:SS  message": two spaces, as upstream */
	assert_int_equal(len, strlen("2026-01-01 00:00:00  renewed "
	    "example.com:web\n"));
	assert_int_equal(text[4], '-');
	assert_int_equal(text[19], ' ');
	assert_int_equal(text[20], ' ');
	assert_non_null(strstr(text, "  renewed example.com:web\n"));
	free(text);
	free(p);
	sslm_log_set_sink(NULL, NULL);
	strlist_clear(&seen);
	free(logdir);
	cleanup(d);
	free(d);
}

static void
test_rotation_keeps_n_backups(void **state)
{
	char *d = tmpdir(), *p;
	struct stat st;

	(void)state;
	assert_int_equal(sslm_log_open(d, "sslm", 200, 2), 0);
	for (int i = 0; i < 60; i++)
		sslm_log(SSLM_LOG_DEBUG, "line %02d of the rotation test", i);
	sslm_log_close();
	for (int i = 0; i <= 3; i++) {
		p = i ? xasprintf("%s/sslm.%d", d, i) : path_join(d, "sslm");
		if (i <= 2) {
			assert_int_equal(stat(p, &st), 0);
			assert_true(st.st_size <= 200 + 64);
		} else
			assert_int_not_equal(stat(p, &st), 0);
		free(p);
	}
	/* the newest lines are in the live file, older ones in .1 */
	p = path_join(d, "sslm");
	{
		char *text;
		size_t len;

		assert_int_equal(read_file(p, 1 << 20, &text, &len), 0);
		assert_null(strstr(text, "line 00 "));
		free(text);
	}
	free(p);
	cleanup(d);
	free(d);
}

static void
test_unwritable_logdir(void **state)
{
	(void)state;
	/* A file where the directory should be: an error, logging goes on
	 * to the sink only. */
	assert_int_not_equal(sslm_log_open("/dev/null", "sslm", 200, 2), 0);
	sslm_log_set_sink(sink, NULL);
	sslm_log(SSLM_LOG_ERR, "still reaches the sink");
	assert_string_equal(seen.v[seen.n - 1], "still reaches the sink");
	sslm_log_set_sink(NULL, NULL);
	strlist_clear(&seen);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_format_and_sink),
		cmocka_unit_test(test_rotation_keeps_n_backups),
		cmocka_unit_test(test_unwritable_logdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
