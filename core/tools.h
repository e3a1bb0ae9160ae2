/*
 * tools.h - the auxiliary tools (spec §21): info, verify, dhparam,
 * tlsa-hash.  Each writes its report into a buffer; the front end prints
 * it.  Return values: 0 success, 1 "ran but found a problem" (e.g. verify
 * failed), or a negative sslm_err for usage/IO failures.
 */
#ifndef SSLM_TOOLS_H
#define SSLM_TOOLS_H

#include <stdbool.h>
#include <time.h>

#include "util.h"

/*
 * info: summary of every PEM block in text (keys, CSRs, certs, chains,
 * bundles).  `name` is the file name (or "stdin").  verbose adds the full
 * OpenSSL text dump.  Malformed blocks are reported, never crash.
 */
int	tool_info(const char *text, size_t len, const char *name, bool verbose,
	    time_t now, struct buf *out);

/*
 * verify: dir (or a file's dir) must hold cert.pem and chain.pem.  Full
 * path validation of cert against chain (trust anchor: cafile when given,
 * else the self-signed root at the end of chain.pem, else the system
 * store), plus upstream's direct-signature check.  0 verified, 1 failed.
 */
int	tool_verify(const char *path, const char *cafile, time_t now,
	    struct buf *out);

/*
 * dhparam (spec §21.1, bugs fixed): keys = comma list of sizes and RFC 7919
 * group names (default "ffdhe8192,ffdhe6144,ffdhe4096,ffdhe3072,ffdhe2048"
 * exactly as given, nothing added); force; age_days; subdirs.  dhparam.pem
 * links to the first numeric size, else the first named group, whenever
 * such a file exists.
 */
struct dhparam_opts {
	const char	*keys;
	bool		 force;
	int		 age_days;
	bool		 subdirs;
};
int	tool_dhparam(const struct dhparam_opts *, int ndirs, char **dirs,
	    time_t now, struct buf *out);

/* tlsa-hash: 3 1 1 hash of <dir>/cert.pem computed two independent ways
 * through the API (SPKI DER via i2d_PUBKEY and via the cert's raw
 * subjectPublicKeyInfo); "Matched:"/"tlsa hash: <hex>". 0 or 1. */
int	tool_tlsa_hash(const char *dir, struct buf *out);

#endif
