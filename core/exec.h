/*
 * exec.h - running external programs (rsync, ssh, restart commands,
 * post_copy_cmd) with argv, never through a shell, with their output
 * captured (bounded) and a time limit.
 */
#ifndef SSLM_EXEC_H
#define SSLM_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct exec_result {
	int	 status;	/* exit code; 128 + signal when killed */
	bool	 timed_out;
	char	*out;		/* stdout + stderr interleaved, NUL-ended,
				 * at most 64 KiB kept (the tail) */
	size_t	 outlen;
};

/*
 * Runs argv[0] (searched in PATH when it has no '/') with argv, stdin from
 * stdin_data (NULL: /dev/null), extra environment entries "K=V" in env (NULL
 * for none), killing it (SIGTERM, then SIGKILL 2 s later) after timeout_secs
 * (0: no limit).  Returns 0 when the program ran (whatever its status),
 * SSLM_ERR_EXEC when it could not be started; res is always filled and must
 * be freed with exec_result_free.
 */
int	exec_run(char *const argv[], const char *stdin_data,
	    char *const env[], int timeout_secs, struct exec_result *res)
	    SSLM_WUR;
void	exec_result_free(struct exec_result *);
/* Splits a command string on white space (upstream's rule for
 * restart_cmd entries); appends the words to out. */
void	exec_split(const char *cmd, struct strlist *out);
/* "a b 'c d'" for logs (shell-quoted where needed); caller frees. */
char	*exec_describe(char *const argv[]);

#endif
