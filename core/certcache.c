/*
 * certcache.c - per group, the summary of each linked set's cert.pem,
 * valid while the set's db directory keeps its identity (certcache.h).
 *
 * File <certs>/<grp>/.cert-cache, 0644 (certificates are public), one
 * line an entry (ino .. ctime: the db directory's):
 *   <svc> <db> <ino> <size> <mtime s.ns> <ctime s.ns> <not_before>
 *   <not_after> <is_ca 0|1> <pubkey> <sig_algo> <subject_cn> <issuer_cn>
 *   <issuer_o>
 * strings %-encoded (space, %, control and non-ASCII bytes), "-" for none.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certcache.h"
#include "err.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define CACHE_MAGIC	"ssl-mgr cert-cache 2"
#define CACHE_FILE	".cert-cache"
#define CACHE_MAX	(64 * 1024 * 1024)
#define N_FIELDS	14

struct cache_ent {
	char		*svc, *db;
	uint64_t	 ino, size;
	int64_t		 mt_s, mt_ns, ct_s, ct_ns;
	int64_t		 nb, na;
	bool		 is_ca;
	char		*pubkey, *sig_algo, *subject_cn, *issuer_cn, *issuer_o;
};

struct cert_cache {
	struct cache_ent	*v;
	size_t			 n, cap;
};

static int
ent_cmp(const void *a, const void *b)
{
	const struct cache_ent *x = a, *y = b;
	int c = strcmp(x->svc, y->svc);

	return c != 0 ? c : strcmp(x->db, y->db);
}

static void
ent_clear(struct cache_ent *e)
{
	free(e->svc);
	free(e->db);
	free(e->pubkey);
	free(e->sig_algo);
	free(e->subject_cn);
	free(e->issuer_cn);
	free(e->issuer_o);
	memset(e, 0, sizeof(*e));
}

static void
add(struct cert_cache *c, const struct cache_ent *e)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
	}
	c->v[c->n++] = *e;
}

/* %-decodes s in place; "-" is NULL. */
static char *
dec(char *s)
{
	char *w = s, *r = s;
	unsigned v;

	if (strcmp(s, "-") == 0)
		return NULL;
	while (*r != '\0') {
		if (*r == '%' && sscanf(r + 1, "%2x", &v) == 1 &&
		    r[1] != '\0' && r[2] != '\0') {
			*w++ = (char)v;
			r += 3;
		} else
			*w++ = *r++;
	}
	*w = '\0';
	return xstrdup(s);
}

static int
enc(struct buf *b, const char *s)
{
	const unsigned char *p;
	int r = 0;

	if (s == NULL)
		return buf_printf(b, " -");
	r = buf_printf(b, " ");
	if (*s == '\0' || strcmp(s, "-") == 0)
		/* "" and "-" must not read back as NULL. */
		return r != 0 ? r : buf_printf(b, "%s", *s ? "%2D" : "%00");
	for (p = (const unsigned char *)s; *p != '\0' && r == 0; p++)
		r = *p <= 0x20 || *p == '%' || *p >= 0x7f ?
		    buf_printf(b, "%%%02X", *p) : buf_add(b, p, 1);
	return r;
}

static bool
parse_line(char *line, struct cache_ent *e)
{
	char *f[N_FIELDS], *p = line, *end;
	size_t i;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < N_FIELDS; i++)
		if ((f[i] = strsep(&p, " ")) == NULL || *f[i] == '\0')
			return false;
	if (p != NULL)
		return false;
	errno = 0;
	e->ino = strtoull(f[2], &end, 10);
	if (*end != '\0')
		return false;
	e->size = strtoull(f[3], &end, 10);
	if (*end != '\0' ||
	    sscanf(f[4], "%" SCNd64 ".%" SCNd64, &e->mt_s, &e->mt_ns) != 2 ||
	    sscanf(f[5], "%" SCNd64 ".%" SCNd64, &e->ct_s, &e->ct_ns) != 2)
		return false;
	e->nb = strtoll(f[6], &end, 10);
	if (*end != '\0')
		return false;
	e->na = strtoll(f[7], &end, 10);
	if (*end != '\0' || errno != 0 || (strcmp(f[8], "0") != 0 &&
	    strcmp(f[8], "1") != 0))
		return false;
	e->is_ca = f[8][0] == '1';
	e->svc = xstrdup(f[0]);
	e->db = xstrdup(f[1]);
	e->pubkey = dec(f[9]);
	e->sig_algo = dec(f[10]);
	e->subject_cn = dec(f[11]);
	e->issuer_cn = dec(f[12]);
	e->issuer_o = dec(f[13]);
	return true;
}

struct cert_cache *
cert_cache_load(const char *certs_dir, const char *grp)
{
	struct cert_cache *c = xcalloc(1, sizeof(*c));
	struct cache_ent e;
	char *path, *text = NULL, *line, *next;

	path = xasprintf("%s/%s/%s", certs_dir, grp, CACHE_FILE);
	if (read_file(path, CACHE_MAX, &text, NULL) != 0 ||
	    strncmp(text, CACHE_MAGIC "\n", sizeof(CACHE_MAGIC)) != 0)
		goto out;
	for (line = text + sizeof(CACHE_MAGIC); *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) == NULL)
			break;		/* a cut last line is ignored */
		*next++ = '\0';
		if (parse_line(line, &e))
			add(c, &e);
		else
			ent_clear(&e);
	}
	if (c->n > 0)
		qsort(c->v, c->n, sizeof(*c->v), ent_cmp);
out:
	free(text);
	free(path);
	return c;
}

void
cert_cache_free(struct cert_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		ent_clear(&c->v[i]);
	free(c->v);
	free(c);
}

static const struct cache_ent *
find(const struct cert_cache *c, const char *svc, const char *db)
{
	struct cache_ent key = { 0 };

	if (c == NULL || c->n == 0)
		return NULL;
	key.svc = (char *)svc;
	key.db = (char *)db;
	return bsearch(&key, c->v, c->n, sizeof(*c->v), ent_cmp);
}

static bool
same_file(const struct cache_ent *e, const struct stat *st)
{
	return e->ino == (uint64_t)st->st_ino &&
	    e->size == (uint64_t)st->st_size &&
	    e->mt_s == (int64_t)st->st_mtim.tv_sec &&
	    e->mt_ns == (int64_t)st->st_mtim.tv_nsec &&
	    e->ct_s == (int64_t)st->st_ctim.tv_sec &&
	    e->ct_ns == (int64_t)st->st_ctim.tv_nsec;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

bool
cert_cache_get(const struct cert_cache *c, const char *svc, const char *db,
    const struct stat *st, struct x509_certinfo *out)
{
	const struct cache_ent *e = find(c, svc, db);

	if (e == NULL || !same_file(e, st))
		return false;
	memset(out, 0, sizeof(*out));
	out->not_before = (time_t)e->nb;
	out->not_after = (time_t)e->na;
	out->is_ca = e->is_ca;
	snprintf(out->pubkey, sizeof(out->pubkey), "%s",
	    e->pubkey ? e->pubkey : "");
	snprintf(out->sig_algo, sizeof(out->sig_algo), "%s",
	    e->sig_algo ? e->sig_algo : "");
	out->subject_cn = dup_or_null(e->subject_cn);
	out->issuer_cn = dup_or_null(e->issuer_cn);
	out->issuer_o = dup_or_null(e->issuer_o);
	return true;
}

/* A fresh entry for svc/db from the file itself; false when unreadable. */
static bool
read_entry(const char *svcdir, const char *svc, const char *db,
    struct cache_ent *e)
{
	struct x509_certinfo ci;
	struct stat st;
	char *dir = xasprintf("%s/db/%s", svcdir, db);
	char *path = path_join(dir, "cert.pem");
	bool ok = false;

	/* The stat first: a set changed during the read then misses. */
	if (stat(dir, &st) == 0 && x509_certinfo_peek(path, false, &ci) ==
	    0) {
		memset(e, 0, sizeof(*e));
		e->svc = xstrdup(svc);
		e->db = xstrdup(db);
		e->ino = (uint64_t)st.st_ino;
		e->size = (uint64_t)st.st_size;
		e->mt_s = (int64_t)st.st_mtim.tv_sec;
		e->mt_ns = (int64_t)st.st_mtim.tv_nsec;
		e->ct_s = (int64_t)st.st_ctim.tv_sec;
		e->ct_ns = (int64_t)st.st_ctim.tv_nsec;
		e->nb = (int64_t)ci.not_before;
		e->na = (int64_t)ci.not_after;
		e->is_ca = ci.is_ca;
		e->pubkey = xstrdup(ci.pubkey);
		e->sig_algo = xstrdup(ci.sig_algo);
		e->subject_cn = dup_or_null(ci.subject_cn);
		e->issuer_cn = dup_or_null(ci.issuer_cn);
		e->issuer_o = dup_or_null(ci.issuer_o);
		x509_certinfo_free(&ci);
		ok = true;
	}
	free(path);
	free(dir);
	return ok;
}

static bool
str_same(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static bool
ent_same(const struct cache_ent *a, const struct cache_ent *b)
{
	return a->ino == b->ino && a->size == b->size && a->mt_s == b->mt_s &&
	    a->mt_ns == b->mt_ns && a->ct_s == b->ct_s &&
	    a->ct_ns == b->ct_ns && a->nb == b->nb && a->na == b->na &&
	    a->is_ca == b->is_ca && str_same(a->pubkey, b->pubkey) &&
	    str_same(a->sig_algo, b->sig_algo) &&
	    str_same(a->subject_cn, b->subject_cn) &&
	    str_same(a->issuer_cn, b->issuer_cn) &&
	    str_same(a->issuer_o, b->issuer_o);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
save(const struct cert_cache *c, const char *certs_dir, const char *grp)
{
	struct buf b;
	char *path;
	int r;

	buf_init(&b, CACHE_MAX);
	r = buf_printf(&b, "%s\n", CACHE_MAGIC);
	for (size_t i = 0; i < c->n && r == 0; i++) {
		const struct cache_ent *e = &c->v[i];

		r = buf_printf(&b, "%s %s %" PRIu64 " %" PRIu64 " %" PRId64
		    ".%09" PRId64 " %" PRId64 ".%09" PRId64 " %" PRId64 " %"
		    PRId64 " %d", e->svc, e->db, e->ino, e->size, e->mt_s,
		    e->mt_ns, e->ct_s, e->ct_ns, e->nb, e->na, e->is_ca);
		if (r == 0)
			r = enc(&b, e->pubkey);
		if (r == 0)
			r = enc(&b, e->sig_algo);
		if (r == 0)
			r = enc(&b, e->subject_cn);
		if (r == 0)
			r = enc(&b, e->issuer_cn);
		if (r == 0)
			r = enc(&b, e->issuer_o);
		if (r == 0)
			r = buf_printf(&b, "\n");
	}
	path = xasprintf("%s/%s/%s", certs_dir, grp, CACHE_FILE);
	if (r == 0)
		r = store_write_file(path, b.p, b.len, 0644);
	/* Only a shortcut: not writing it fails nothing. */
	if (r != 0)
		sslm_log(SSLM_LOG_WARN, "%s: not written (%s)", path,
		    sslm_strerror(r));
	free(path);
	buf_free(&b);
	return r;
}

static void
ent_dup(const struct cache_ent *o, struct cache_ent *e)
{
	*e = *o;
	e->svc = xstrdup(o->svc);
	e->db = xstrdup(o->db);
	e->pubkey = dup_or_null(o->pubkey);
	e->sig_algo = dup_or_null(o->sig_algo);
	e->subject_cn = dup_or_null(o->subject_cn);
	e->issuer_cn = dup_or_null(o->issuer_cn);
	e->issuer_o = dup_or_null(o->issuer_o);
}

void
cert_cache_refresh(const char *certs_dir, const char *grp, char *const *svcs,
    size_t n)
{
	static const char *const links[2] = { "curr", "next" };
	struct cert_cache *old = cert_cache_load(certs_dir, grp), fresh = { 0 };
	char **named = xcalloc(n + 1, sizeof(*named));
	struct cache_ent e;
	bool changed = false;
	size_t i, reused = 0, named_old = 0;
	char *gdir = path_join(certs_dir, grp);
	int swept;

	/* What a killed run left of this file's write (we hold the lock). */
	if (store_sweep_temps(gdir, CACHE_FILE ".", &swept) != 0)
		swept = 0;	/* logged; the file is only a shortcut */
	free(gdir);
	if (n > 0) {
		memcpy(named, svcs, n * sizeof(*named));
		qsort(named, n, sizeof(*named), str_cmp);
	}
	/* Entries of services this run did not touch stay as they are. */
	for (i = 0; i < old->n; i++) {
		if (n > 0 && bsearch(&old->v[i].svc, named, n, sizeof(*named),
		    str_cmp) != NULL) {
			named_old++;
			continue;
		}
		ent_dup(&old->v[i], &e);
		add(&fresh, &e);
	}
	for (i = 0; i < n; i++) {
		char *svcdir = xasprintf("%s/%s/%s", certs_dir, grp, svcs[i]);

		for (int w = 0; w < 2; w++) {
			const struct cache_ent *o;
			char *db = NULL;

			if (store_link_get(svcdir, links[w], &db) != 0 ||
			    db == NULL) {
				free(db);
				continue;
			}
			/* A run reads every certificate again: a file edited
			 * in place inside a set is caught here. */
			if (read_entry(svcdir, svcs[i], db, &e)) {
				o = find(old, svcs[i], db);
				if (o != NULL && ent_same(o, &e))
					reused++;
				else
					changed = true;
				add(&fresh, &e);
			}
			free(db);
		}
		free(svcdir);
	}
	/* Entries of these services that are no longer linked go. */
	if (reused != named_old)
		changed = true;
	if (fresh.n > 0)
		qsort(fresh.v, fresh.n, sizeof(*fresh.v), ent_cmp);
	if (changed)
		(void)save(&fresh, certs_dir, grp);
	for (i = 0; i < fresh.n; i++)
		ent_clear(&fresh.v[i]);
	free(fresh.v);
	free(named);
	cert_cache_free(old);
}
