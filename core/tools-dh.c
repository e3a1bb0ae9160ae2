/*
 * tools-dh.c - the dhparam tool (spec §21.1, with upstream's bugs fixed):
 * Diffie-Hellman parameter files in <dir>/dh/, generated sizes (dh<N>.pem,
 * generator 2, PKCS#3) and RFC 7919 named groups (dh-<name>.pem), all
 * through the OpenSSL API.
 *
 * Fixes: only the groups the user listed are made (upstream always added
 * ffdhe8192/6144/4096), and the dhparam.pem link is maintained whenever its
 * file exists (upstream crashed before making it without a numeric size).
 * Files are replaced atomically (store_write_file), the link by a rename
 * (store_link_set).
 */
#include <sys/stat.h>
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>

#include "err.h"
#include "log.h"
#include "store.h"
#include "tools.h"
#include "x509.h"

#define DH_DEFAULT_KEYS	\
	"ffdhe8192,ffdhe6144,ffdhe4096,ffdhe3072,ffdhe2048"
#define DH_MIN_BITS	512
#define DH_MAX_BITS	10000
#define DH_MAX_NAME	32
#define DH_MAX_ITEMS	32
#define DH_LINK		"dhparam.pem"

/* One -k item: a size to generate or a named group. */
struct dh_item {
	char	name[DH_MAX_NAME + 1];	/* "ffdhe2048" or "4096" */
	int	bits;			/* 0 for a named group */
	char	file[DH_MAX_NAME + 8];	/* dh-<name>.pem, dh<N>.pem */
};

static int	dh_generate(const struct dh_item *, char **, size_t *);
static int	dh_parse(const char *, struct dh_item *, size_t *,
		    struct buf *);
static void	dh_subdirs(const char *, struct strlist *, struct buf *);
static bool	dh_due(const struct dh_item *, const char *, bool, int,
		    time_t);
static int	dh_link(const char *, const struct dh_item *, size_t,
		    struct buf *);
static int	dh_one_dir(const struct dhparam_opts *, const char *,
		    const struct dh_item *, size_t, time_t, struct buf *);

/*
 * Generates the parameters of one item as PEM ("DH PARAMETERS").  Returns
 * 0 and *pem (caller frees) or SSLM_ERR_CRYPTO (OpenSSL error queued).
 */
static int
dh_generate(const struct dh_item *it, char **pem, size_t *len)
{
	OSSL_PARAM	 params[4];
	EVP_PKEY_CTX	*ctx;
	EVP_PKEY	*pk = NULL;
	BIO		*bio = NULL;
	char		*data, name[DH_MAX_NAME + 1];
	char		 type[] = "generator";
	size_t		 bits = (size_t)it->bits;
	long		 n;
	int		 gen = 2, r = SSLM_ERR_CRYPTO;

	/*
	 * Parameters are set as OSSL_PARAMs: OpenSSL 3.0's
	 * EVP_PKEY_CTX_set_dh_paramgen_type() crashes on a provider context.
	 * "generator" is the PKCS#3 safe-prime method (upstream's
	 * dh.generate_parameters(2, size)).
	 */
	if (it->bits == 0) {
		snprintf(name, sizeof(name), "%s", it->name);
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_PKEY_PARAM_GROUP_NAME, name, 0);
		params[1] = OSSL_PARAM_construct_end();
	} else {
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_PKEY_PARAM_FFC_TYPE, type, 0);
		params[1] = OSSL_PARAM_construct_size_t(
		    OSSL_PKEY_PARAM_FFC_PBITS, &bits);
		params[2] = OSSL_PARAM_construct_int(
		    OSSL_PKEY_PARAM_DH_GENERATOR, &gen);
		params[3] = OSSL_PARAM_construct_end();
	}
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) == NULL ||
	    EVP_PKEY_paramgen_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_params(ctx, params) <= 0 ||
	    EVP_PKEY_paramgen(ctx, &pk) <= 0 ||
	    (bio = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_Parameters(bio, pk) ||
	    (n = BIO_get_mem_data(bio, &data)) <= 0)
		goto out;
	*pem = xstrndup(data, (size_t)n);
	*len = (size_t)n;
	r = 0;
out:
	BIO_free(bio);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(ctx);
	return r;
}

/*
 * Parses the -k list into items (duplicates dropped).  Names must be known
 * to OpenSSL as DH groups and sizes in DH_MIN_BITS..DH_MAX_BITS; anything
 * else is reported into out and returns SSLM_ERR_USAGE.
 */
static int
dh_parse(const char *keys, struct dh_item *items, size_t *nitems,
    struct buf *out)
{
	struct dh_item	 it;
	const char	*p, *e;
	char		*pem;
	size_t		 n = 0, len, i, k;
	bool		 digits, ok;
	long		 bits;

	for (p = keys; *p != '\0'; p = *e == ',' ? e + 1 : e) {
		e = p + strcspn(p, ",");
		while (p < e && isspace((unsigned char)*p))
			p++;
		len = (size_t)(e - p);
		while (len > 0 && isspace((unsigned char)p[len - 1]))
			len--;
		if (len == 0)
			continue;
		memset(&it, 0, sizeof(it));
		ok = len <= DH_MAX_NAME;
		digits = true;
		for (i = 0; i < len && ok; i++) {
			if (!isdigit((unsigned char)p[i]))
				digits = false;
			if (!isalnum((unsigned char)p[i]) && p[i] != '_' &&
			    p[i] != '-')
				ok = false;
		}
		if (ok)
			memcpy(it.name, p, len);
		if (ok && digits) {
			bits = strtol(it.name, NULL, 10);
			ok = bits >= DH_MIN_BITS && bits <= DH_MAX_BITS;
			it.bits = (int)bits;
			snprintf(it.file, sizeof(it.file), "dh%d.pem", it.bits);
		} else if (ok) {
			/* A named group costs nothing to make: try it. */
			if ((ok = dh_generate(&it, &pem, &len) == 0))
				free(pem);
			ERR_clear_error();
			snprintf(it.file, sizeof(it.file), "dh-%s.pem",
			    it.name);
		}
		if (!ok) {
			(void)buf_printf(out, "Error: bad DH key item '%.*s': "
			    "a size of %d to %d bits or an RFC 7919 group "
			    "such as ffdhe2048\n", (int)(e - p), p,
			    DH_MIN_BITS, DH_MAX_BITS);
			return SSLM_ERR_USAGE;
		}
		for (k = 0; k < n; k++)
			if (strcmp(items[k].file, it.file) == 0)
				break;
		if (k == n) {
			if (n == DH_MAX_ITEMS) {
				(void)buf_printf(out, "Error: more than %d DH "
				    "key items\n", DH_MAX_ITEMS);
				return SSLM_ERR_USAGE;
			}
			items[n++] = it;
		}
	}
	if (n == 0) {
		(void)buf_printf(out, "Error: no DH keys given\n");
		return SSLM_ERR_USAGE;
	}
	*nitems = n;
	return 0;
}

/*
 * The subdirectories of top, sorted, except "ca" (case-insensitive; the
 * private CA is no domain), "dh" (our own output) and hidden ones.
 */
static void
dh_subdirs(const char *top, struct strlist *l, struct buf *out)
{
	struct dirent	*de;
	DIR		*d;
	char		*p;

	if ((d = opendir(top)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.' || str_ieq(de->d_name, "ca") ||
			    strcmp(de->d_name, "dh") == 0)
				continue;
			p = path_join(top, de->d_name);
			if (is_dir(p))
				strlist_add_nodup(l, p);
			else
				free(p);
		}
		closedir(d);
	}
	strlist_sort(l);
	if (l->n == 0)
		(void)buf_printf(out, "No domain subdirs found in %s\n", top);
}

/* True when the item's file must be (re)made: forced, missing, or a
 * generated size older than age_days. */
static bool
dh_due(const struct dh_item *it, const char *path, bool force, int age_days,
    time_t now)
{
	struct stat st;

	if (force || stat(path, &st) != 0)
		return true;
	return it->bits != 0 &&
	    (long long)now - st.st_mtime > (long long)age_days * 86400;
}

/*
 * Points dh_dir/dhparam.pem at the first numeric size's file, else the
 * first named group's, when that file exists and the link differs.
 */
static int
dh_link(const char *dh_dir, const struct dh_item *items, size_t n,
    struct buf *out)
{
	const struct dh_item	*want = NULL;
	struct stat		 st;
	char			*lpath, *fpath, cur[PATH_MAX];
	ssize_t			 len;
	size_t			 i;
	int			 r = 0;

	for (i = 0; i < n && want == NULL; i++)
		if (items[i].bits != 0)
			want = &items[i];
	if (want == NULL)
		want = &items[0];
	lpath = path_join(dh_dir, DH_LINK);
	fpath = path_join(dh_dir, want->file);
	if (stat(fpath, &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	len = readlink(lpath, cur, sizeof(cur) - 1);
	if (len >= 0) {
		cur[len] = '\0';
		if (strcmp(cur, want->file) == 0)
			goto out;
	}
	if ((r = store_link_set(dh_dir, DH_LINK, want->file)) != 0)
		(void)buf_printf(out, "Error: cannot link %s: %s\n", lpath,
		    sslm_strerror(r));
	else
		(void)buf_printf(out, "%12s default %s -> %s\n", "", lpath,
		    want->file);
out:
	free(lpath);
	free(fpath);
	return r;
}

/* Makes the files of one <dir>/dh; 0, or 1 when something failed. */
static int
dh_one_dir(const struct dhparam_opts *o, const char *dir,
    const struct dh_item *items, size_t n, time_t now, struct buf *out)
{
	char	*dh_dir, *path, *pem;
	size_t	 i, len;
	int	 r, rc = 0;

	dh_dir = path_join(dir, "dh");
	(void)buf_printf(out, "%10s %s\n", ":", dh_dir);
	if ((r = store_mkdir_p(dh_dir, STORE_DIR_MODE)) != 0) {
		(void)buf_printf(out, "Error: cannot create %s: %s\n", dh_dir,
		    sslm_strerror(r));
		free(dh_dir);
		return 1;
	}
	for (i = 0; i < n; i++) {
		path = path_join(dh_dir, items[i].file);
		if (dh_due(&items[i], path, o->force, o->age_days, now)) {
			(void)buf_printf(out, "%12s %s\n", "-", items[i].name);
			if (dh_generate(&items[i], &pem, &len) != 0) {
				sslm_log_crypto(path);
				(void)buf_printf(out, "Error: %s: generation "
				    "failed\n", path);
				rc = 1;
			} else {
				if ((r = store_write_file(path, pem, len,
				    STORE_FILE_MODE)) != 0) {
					(void)buf_printf(out, "Error: %s: %s\n",
					    path, sslm_strerror(r));
					rc = 1;
				}
				free(pem);
			}
		}
		free(path);
	}
	if (dh_link(dh_dir, items, n, out) != 0)
		rc = 1;
	free(dh_dir);
	return rc;
}

int
tool_dhparam(const struct dhparam_opts *o, int ndirs, char **dirs,
    time_t now, struct buf *out)
{
	struct dh_item	 items[DH_MAX_ITEMS];
	struct strlist	 tops = { 0 }, subs = { 0 };
	size_t		 n = 0, t, s;
	int		 i, r, rc = 0;

	if (o->age_days < 0) {
		(void)buf_printf(out, "Error: age days must be >= 0\n");
		return SSLM_ERR_USAGE;
	}
	if ((r = dh_parse(o->keys != NULL ? o->keys : DH_DEFAULT_KEYS, items,
	    &n, out)) != 0)
		return r;
	for (i = 0; i < ndirs; i++) {
		if (is_dir(dirs[i]))
			strlist_add(&tops, dirs[i]);
		else
			(void)buf_printf(out, "Warning : no such directory: "
			    "%s - ignoring\n", dirs[i]);
	}
	if (tops.n == 0) {
		(void)buf_printf(out, "No usable directories\n");
		return SSLM_ERR_USAGE;
	}
	for (t = 0; t < tops.n; t++) {
		(void)buf_printf(out, " dhparam : %s\n", tops.v[t]);
		if (o->subdirs)
			dh_subdirs(tops.v[t], &subs, out);
		else
			strlist_add(&subs, tops.v[t]);
		for (s = 0; s < subs.n; s++)
			if (dh_one_dir(o, subs.v[s], items, n, now, out) != 0)
				rc = 1;
		strlist_clear(&subs);
	}
	strlist_clear(&tops);
	return rc;
}
