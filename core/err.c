/* err.c - names for enum sslm_err. */
#include "err.h"

static const char *const names[] = {
	[0] = "success",
	[-SSLM_ERR_INTERNAL] = "internal error",
	[-SSLM_ERR_IO] = "input/output error",
	[-SSLM_ERR_CONFIG] = "configuration error",
	[-SSLM_ERR_USAGE] = "usage error",
	[-SSLM_ERR_CRYPTO] = "cryptographic operation failed",
	[-SSLM_ERR_PARSE] = "malformed input",
	[-SSLM_ERR_NOTFOUND] = "not found",
	[-SSLM_ERR_LOCKED] = "locked by another run",
	[-SSLM_ERR_STATE] = "not in the required state",
	[-SSLM_ERR_PERM] = "permission denied",
	[-SSLM_ERR_EXISTS] = "already exists",
	[-SSLM_ERR_TOOBIG] = "too large",
	[-SSLM_ERR_EXEC] = "external command failed",
	[-SSLM_ERR_NET] = "network error",
	[-SSLM_ERR_DNS] = "DNS error",
	[-SSLM_ERR_ACME] = "ACME server error",
	[-SSLM_ERR_TIMEOUT] = "timed out",
	[-SSLM_ERR_FAULT] = "injected fault",
	[-SSLM_ERR_ISDIR] = "is a directory, not a file",
};

const char *
sslm_strerror(int e)
{
	if (e > 0 || e <= SSLM_ERR__MIN || names[-e] == 0)
		return "unknown error";
	return names[-e];
}
