/*
 * err.h - the one error type of core.  Functions return 0 on success or a
 * negative enum sslm_err; sslm_strerror() names it.  The detailed message
 * (object, step, library reason) is logged where the failure happens.
 */
#ifndef SSLM_ERR_H
#define SSLM_ERR_H

enum sslm_err {
	SSLM_OK = 0,
	SSLM_ERR_INTERNAL = -1,
	SSLM_ERR_IO = -2,
	SSLM_ERR_CONFIG = -3,
	SSLM_ERR_USAGE = -4,
	SSLM_ERR_CRYPTO = -5,
	SSLM_ERR_PARSE = -6,
	SSLM_ERR_NOTFOUND = -7,
	SSLM_ERR_LOCKED = -8,
	SSLM_ERR_STATE = -9,
	SSLM_ERR_PERM = -10,
	SSLM_ERR_EXISTS = -11,
	SSLM_ERR_TOOBIG = -12,
	SSLM_ERR_EXEC = -13,
	SSLM_ERR_NET = -14,
	SSLM_ERR_DNS = -15,
	SSLM_ERR_ACME = -16,
	SSLM_ERR_TIMEOUT = -17,
	SSLM_ERR_FAULT = -18,	/* injected fault (test builds) */
	SSLM_ERR_ISDIR = -19,	/* a directory where a file was expected */
	SSLM_ERR__MIN = -20
};

/* Returns a static description of an sslm_err (or "unknown error"). */
const char	*sslm_strerror(int);

#endif
