/*
 * topdir.c - where the configuration lives: the first of $SSL_MGR_TOPDIR,
 * the current directory and /etc/ssl-mgr that has a conf.d (spec §1).
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "err.h"
#include "util.h"

/*
 * Unlike upstream, which fell back to /etc/ssl-mgr silently, finding no
 * conf.d anywhere is an error that says where we looked.
 */
int
sslm_find_topdir(char **topdir, char **tried)
{
	const char *cand[3];
	struct buf b;
	const char *env = getenv("SSL_MGR_TOPDIR");
	char *conf, *top;
	size_t n = 0, len;
	int rc = SSLM_ERR_NOTFOUND;

	*topdir = NULL;
	if (tried != NULL)
		*tried = NULL;
	if (env != NULL && *env != '\0')
		cand[n++] = env;
	cand[n++] = "./";
	cand[n++] = "/etc/ssl-mgr/";
	buf_init(&b, 1 << 16);
	for (size_t i = 0; i < n; i++) {
		conf = path_join(cand[i], "conf.d");
		if (is_dir(conf)) {
			free(conf);
			top = xstrdup(cand[i]);
			len = strlen(top);
			while (len > 1 && top[len - 1] == '/')
				top[--len] = '\0';	/* "./" is "." */
			*topdir = top;
			rc = 0;
			goto out;
		}
		(void)buf_printf(&b, "%s%s", i ? ", " : "", conf);
		free(conf);
	}
	if (tried != NULL)
		*tried = xstrdup(b.p != NULL ? b.p : "");
out:
	buf_free(&b);
	return rc;
}
