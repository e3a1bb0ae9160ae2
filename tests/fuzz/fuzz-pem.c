/*
 * fuzz-pem.c - libFuzzer target for what `ssl-mgr info` does with a file:
 * tool_info() splits the input into PEM blocks and decodes each as a key,
 * CSR, certificate or parameters (core/pem.c, tools.c, x509-info.c).
 *
 * An input whose first line is "#v" (a comment to the PEM splitter) runs
 * in verbose mode, so seeds choose whether the OpenSSL text dumps are
 * exercised; most seeds do not, since the dumps are OpenSSL's code and
 * slow the target down.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "tools.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A fixed clock: the same input must always take the same path. */
#define NOW	((time_t)1700000000)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out;
	bool verbose;
	int rc;

	verbose = size >= 3 && memcmp(data, "#v", 2) == 0 &&
	    (data[2] == '\n' || data[2] == '\r');
	buf_init(&out, 64 * 1024 * 1024);
	rc = tool_info((const char *)data, size, "fuzz", verbose, NOW, &out);
	/* 0 or 1, or a negative sslm_err; and it always says something. */
	if (rc > 1 || out.len == 0)
		abort();
	buf_free(&out);
	/* OpenSSL's per-thread error queue must not grow across inputs. */
	ERR_clear_error();
	return 0;
}
