/*
 * log.h - the core's only way to say anything.  Core never prints: every
 * message goes to the log file (when open) and to a sink that the front end
 * sets (stdout/stderr for cron mode, the log pane in the console).
 *
 * Levels follow upstream's vocabulary:
 *   SSLM_LOG_ERR   an error: stderr + log
 *   SSLM_LOG_WARN  a warning: stderr + log
 *   SSLM_LOG_NOTE  upstream "logs": stdout + log (something happened)
 *   SSLM_LOG_INFO  upstream "logsv": log, and stdout with -v
 *   SSLM_LOG_DEBUG log file only
 * Nothing secret may ever be passed to these functions.
 */
#ifndef SSLM_LOG_H
#define SSLM_LOG_H

#include <stdarg.h>

#include "util.h"

enum sslm_level {
	SSLM_LOG_ERR,
	SSLM_LOG_WARN,
	SSLM_LOG_NOTE,
	SSLM_LOG_INFO,
	SSLM_LOG_DEBUG
};

typedef void (*sslm_log_sink)(void *ctx, enum sslm_level, const char *msg);

/* Sets the front end's sink (NULL: messages go to the log file only). */
void	sslm_log_set_sink(sslm_log_sink, void *ctx);
void	sslm_log(enum sslm_level, const char *, ...) SSLM_PRINTF(2, 3);
void	sslm_vlog(enum sslm_level, const char *, va_list) SSLM_PRINTF(2, 0);
/* Logs the OpenSSL error queue as "<what>: <reason>" and clears it. */
void	sslm_log_crypto(const char *what);

/*
 * Opens <logdir>/<name> for appending (creating logdir 0750), rotating at
 * max_bytes with `keep` numbered backups (name.1 .. name.keep).  Returns 0 or
 * an sslm_err; on failure logging continues to the sink only.
 */
int	sslm_log_open(const char *logdir, const char *name, long max_bytes,
	    int keep);
void	sslm_log_close(void);

#define SSLM_LOG_MAX_BYTES	204800
#define SSLM_LOG_KEEP		4

#endif
