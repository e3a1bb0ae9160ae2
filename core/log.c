/*
 * log.c - log file with size-based rotation, plus the front end's sink.
 * Line format is upstream's: "YYYY-MM-DD HH:MM:SS  <message>".
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "err.h"
#include "log.h"

static sslm_log_sink	 sink;
static void		*sink_ctx;
static FILE		*log_fp;
static char		*log_path;
static long		 log_max = SSLM_LOG_MAX_BYTES;
static int		 log_keep = SSLM_LOG_KEEP;

void
sslm_log_set_sink(sslm_log_sink fn, void *ctx)
{
	sink = fn;
	sink_ctx = ctx;
}

static void
rotate(void)
{
	char *from, *to;

	fclose(log_fp);
	log_fp = NULL;
	for (int i = log_keep; i >= 1; i--) {
		from = i == 1 ? xstrdup(log_path) :
		    xasprintf("%s.%d", log_path, i - 1);
		to = xasprintf("%s.%d", log_path, i);
		(void)rename(from, to);
		free(from);
		free(to);
	}
	if (log_keep <= 0)
		(void)unlink(log_path);
	log_fp = fopen(log_path, "ae");
}

static void
write_file_line(const char *msg)
{
	char stamp[32];
	struct tm tm;
	time_t now;

	if (log_fp == NULL)
		return;
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S ", &tm);
	fprintf(log_fp, "%s %s\n", stamp, msg);
	fflush(log_fp);
	if (ftell(log_fp) >= log_max)
		rotate();
}

void
sslm_vlog(enum sslm_level lvl, const char *fmt, va_list ap)
{
	/* par_for's workers may log: one line at a time, whole. */
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	char *msg = xvasprintf(fmt, ap);

	pthread_mutex_lock(&mu);
	write_file_line(msg);
	if (sink)
		sink(sink_ctx, lvl, msg);
	pthread_mutex_unlock(&mu);
	free(msg);
}

void
sslm_log(enum sslm_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sslm_vlog(lvl, fmt, ap);
	va_end(ap);
}

void
sslm_log_crypto(const char *what)
{
	unsigned long e;
	char buf[256];
	int any = 0;

	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		sslm_log(SSLM_LOG_ERR, "%s: %s", what, buf);
		any = 1;
	}
	if (!any)
		sslm_log(SSLM_LOG_ERR, "%s: failed", what);
}

int
sslm_log_open(const char *logdir, const char *name, long max_bytes, int keep)
{
	struct stat st;
	int fd;

	sslm_log_close();
	if (stat(logdir, &st) == -1) {
		if (errno != ENOENT || mkdir(logdir, 0750) == -1)
			return SSLM_ERR_IO;
	} else if (!S_ISDIR(st.st_mode))
		return SSLM_ERR_IO;
	log_path = path_join(logdir, name);
	log_max = max_bytes > 0 ? max_bytes : SSLM_LOG_MAX_BYTES;
	log_keep = keep;
	fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1 || (log_fp = fdopen(fd, "a")) == NULL) {
		if (fd != -1)
			close(fd);
		free(log_path);
		log_path = NULL;
		return SSLM_ERR_IO;
	}
	return 0;
}

void
sslm_log_close(void)
{
	if (log_fp)
		fclose(log_fp);
	log_fp = NULL;
	free(log_path);
	log_path = NULL;
}
