/*
 * prod-stamp.c - what the production files looked like when they were
 * last known equal to certs/: per service and side, the db set it was
 * copied from and each PEM file's inode, size, mtime and ctime.
 *
 * The drift check compares contents (24 file reads a service); with a
 * stamp whose set is still the linked one and whose files still have the
 * recorded identity, the contents cannot have changed (any write, rename,
 * unlink or chmod moves ctime, which no user can set), so six fstatat()
 * answer instead.  Anything else takes the full comparison: a stamp only
 * ever saves work, it never decides a difference.  db sets are written
 * once and never changed in place, so the certs side needs only its link.
 *
 * The certs side is trusted as far as its db directory's identity: a file
 * added to or removed from the set moves it.  A file of a set edited in
 * place is only seen by a changing run, whose check always compares the
 * contents (and stamps what it found equal).
 *
 * File: <certs>/<grp>/.prod-stamp, 0644 (no secret in it), written
 * atomically; one line a side: "<svc> <curr|next> <db> <mask> <db dir
 * id>" then, per file present (bit i of mask = prod_pem_files[i]), its
 * id; an id is "<ino> <size> <mtime s.ns> <ctime s.ns>".
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "prod-priv.h"
#include "store.h"

#define STAMP_MAGIC	"ssl-mgr prod-stamp 2"
#define STAMP_FILE	".prod-stamp"
#define STAMP_MAX	(64 * 1024 * 1024)

struct file_id {
	uint64_t	ino, size;
	int64_t		mt_s, mt_ns, ct_s, ct_ns;
};

struct stamp_side {
	char		*svc;
	int		 side;		/* index in prod_sides */
	char		*db;
	unsigned	 mask;
	struct file_id	 dbdir;		/* <certs>/<grp>/<svc>/db/<db> */
	struct file_id	 id[PROD_N_PEM_FILES];
};

struct prod_stamps {
	struct stamp_side	*v;
	size_t			 n, cap;
	bool			 sorted, dirty;
};

static int
side_cmp(const void *a, const void *b)
{
	const struct stamp_side *x = a, *y = b;
	int c = strcmp(x->svc, y->svc);

	return c != 0 ? c : x->side - y->side;
}

static void
side_clear(struct stamp_side *s)
{
	free(s->svc);
	free(s->db);
	memset(s, 0, sizeof(*s));
}

static struct stamp_side *
find(struct prod_stamps *st, const char *svc, int side)
{
	struct stamp_side key = { 0 };

	if (st == NULL || st->n == 0)
		return NULL;
	if (!st->sorted) {
		qsort(st->v, st->n, sizeof(*st->v), side_cmp);
		st->sorted = true;
	}
	key.svc = (char *)svc;
	key.side = side;
	return bsearch(&key, st->v, st->n, sizeof(*st->v), side_cmp);
}

/*
 * One number (after one space) of a stamp line; false when none.  By
 * hand: a hundred groups of stamps are two million numbers, and
 * strtoull's locale and base handling was a tenth of reading them.
 */
static bool
num_u(char **p, uint64_t *v)
{
	const char *c = *p;
	uint64_t n = 0;

	if (*c++ != ' ' || *c < '0' || *c > '9')
		return false;
	for (; *c >= '0' && *c <= '9'; c++) {
		unsigned d = (unsigned)(*c - '0');

		if (n > (UINT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*v = n;
	*p = (char *)c;
	return true;
}

/* " <s>.<ns>" */
static bool
num_time(char **p, int64_t *s, int64_t *ns)
{
	uint64_t a, b;

	if (!num_u(p, &a) || **p != '.')
		return false;
	**p = ' ';		/* the fraction reads as the next number */
	if (!num_u(p, &b) || a > INT64_MAX || b > 999999999)
		return false;
	*s = (int64_t)a;
	*ns = (int64_t)b;
	return true;
}

/* Parses one line; false when it is not one of ours. */
static bool
parse_line(char *line, struct stamp_side *out)
{
	char *tok[3], *p = line, *end;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < 3; i++)
		if ((tok[i] = strsep(&p, " ")) == NULL || *tok[i] == '\0' ||
		    p == NULL)
			return false;
	if (strcmp(tok[1], "curr") == 0)
		out->side = 0;
	else if (strcmp(tok[1], "next") == 0)
		out->side = 1;
	else
		return false;
	errno = 0;
	out->mask = (unsigned)strtoul(p, &end, 16);
	if (errno != 0 || end == p || out->mask >= (1u << PROD_N_PEM_FILES))
		return false;
	p = end;
	if (!num_u(&p, &out->dbdir.ino) || !num_u(&p, &out->dbdir.size) ||
	    !num_time(&p, &out->dbdir.mt_s, &out->dbdir.mt_ns) ||
	    !num_time(&p, &out->dbdir.ct_s, &out->dbdir.ct_ns))
		return false;
	for (i = 0; i < PROD_N_PEM_FILES; i++) {
		struct file_id *f = &out->id[i];

		if (!(out->mask & (1u << i)))
			continue;
		if (!num_u(&p, &f->ino) || !num_u(&p, &f->size) ||
		    !num_time(&p, &f->mt_s, &f->mt_ns) ||
		    !num_time(&p, &f->ct_s, &f->ct_ns))
			return false;
	}
	if (*p != '\0')
		return false;
	out->svc = xstrdup(tok[0]);
	out->db = xstrdup(tok[2]);
	return true;
}

struct prod_stamps *
prod_stamps_load(const char *certs_dir, const char *grp)
{
	struct prod_stamps *st = xcalloc(1, sizeof(*st));
	struct stamp_side s;
	char *path, *text = NULL, *line, *next;
	size_t len;

	path = xasprintf("%s/%s/%s", certs_dir, grp, STAMP_FILE);
	if (read_file(path, STAMP_MAX, &text, &len) != 0 ||
	    strncmp(text, STAMP_MAGIC "\n", sizeof(STAMP_MAGIC)) != 0)
		goto out;
	for (line = text + sizeof(STAMP_MAGIC); *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) == NULL)
			break;		/* a cut last line is ignored */
		*next++ = '\0';
		if (!parse_line(line, &s))
			continue;
		if (st->n == st->cap) {
			st->cap = st->cap ? st->cap * 2 : 64;
			st->v = xreallocarray(st->v, st->cap, sizeof(*st->v));
		}
		st->v[st->n++] = s;
	}
out:
	free(text);
	free(path);
	return st;
}

void
prod_stamps_free(struct prod_stamps *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->n; i++)
		side_clear(&st->v[i]);
	free(st->v);
	free(st);
}

static void
id_of(const struct stat *sb, struct file_id *f)
{
	f->ino = (uint64_t)sb->st_ino;
	f->size = (uint64_t)sb->st_size;
	f->mt_s = (int64_t)sb->st_mtim.tv_sec;
	f->mt_ns = (int64_t)sb->st_mtim.tv_nsec;
	f->ct_s = (int64_t)sb->st_ctim.tv_sec;
	f->ct_ns = (int64_t)sb->st_ctim.tv_nsec;
}

/*
 * "<svc>/<side>/" under the group's production directory, in rel; the
 * offset where a file's name goes, or 0 when it does not fit.  Built once
 * a side: six snprintf calls a side were a tenth of -s's own time.
 */
/* Room left after the prefix for a file's name (the longest is 13). */
#define PEM_NAME_ROOM	64

static size_t
side_prefix(char *rel, size_t size, const char *svc, int side)
{
	int n = snprintf(rel, size, "%s/%s/", svc, prod_sides[side]);

	return n > 0 && (size_t)n < size - PEM_NAME_ROOM ? (size_t)n : 0;
}

static int
stat_prod(int gdfd, char *rel, size_t off, size_t file, struct stat *sb)
{
	size_t len = strlen(prod_pem_files[file]);

	if (off == 0 || len >= PEM_NAME_ROOM) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(rel + off, prod_pem_files[file], len + 1);
	return fstatat(gdfd, rel, sb, AT_SYMLINK_NOFOLLOW);
}

bool
prod_stamps_match(struct prod_stamps *st, int gdfd, const char *svc,
    int side, const char *db, const char *dbpath, const struct stat *dbst)
{
	const struct stamp_side *s;
	struct file_id now;
	struct stat sb;
	char rel[PATH_MAX];
	size_t off;

	/* An empty mask would "match" a side that is not there at all. */
	if (gdfd == -1 || (s = find(st, svc, side)) == NULL ||
	    s->mask == 0 || strcmp(s->db, db) != 0)
		return false;
	/* A file added to or taken from the set moves its directory. */
	if (dbst == NULL) {
		if (stat(dbpath, &sb) != 0)
			return false;
		dbst = &sb;
	}
	id_of(dbst, &now);
	if (memcmp(&now, &s->dbdir, sizeof(now)) != 0)
		return false;
	off = side_prefix(rel, sizeof(rel), svc, side);
	for (size_t i = 0; i < PROD_N_PEM_FILES; i++) {
		bool here = stat_prod(gdfd, rel, off, i, &sb) == 0;

		if (!here && errno != ENOENT)
			return false;
		if (here != ((s->mask & (1u << i)) != 0))
			return false;
		if (!here)
			continue;
		if (!S_ISREG(sb.st_mode))
			return false;
		id_of(&sb, &now);
		if (memcmp(&now, &s->id[i], sizeof(now)) != 0)
			return false;
	}
	return true;
}

void
prod_stamps_put(struct prod_stamps *st, int gdfd, const char *svc, int side,
    const char *db, const char *dbpath)
{
	struct stamp_side fresh, *old;
	struct stat sb;
	char rel[PATH_MAX];
	size_t off;

	if (st == NULL || gdfd == -1)
		return;
	memset(&fresh, 0, sizeof(fresh));
	if (stat(dbpath, &sb) != 0) {
		prod_stamps_drop(st, svc, side);
		return;
	}
	id_of(&sb, &fresh.dbdir);
	off = side_prefix(rel, sizeof(rel), svc, side);
	for (size_t i = 0; i < PROD_N_PEM_FILES; i++) {
		if (stat_prod(gdfd, rel, off, i, &sb) != 0) {
			if (errno != ENOENT)
				return;	/* no stamp: the full check next time */
			continue;
		}
		if (!S_ISREG(sb.st_mode))
			return;
		fresh.mask |= 1u << i;
		id_of(&sb, &fresh.id[i]);
	}
	if (fresh.mask == 0) {
		prod_stamps_drop(st, svc, side);
		return;
	}
	if ((old = find(st, svc, side)) != NULL) {
		if (old->mask == fresh.mask && strcmp(old->db, db) == 0 &&
		    memcmp(&old->dbdir, &fresh.dbdir, sizeof(fresh.dbdir)) ==
		    0 && memcmp(old->id, fresh.id, sizeof(fresh.id)) == 0)
			return;
		free(old->db);
		old->db = xstrdup(db);
		old->mask = fresh.mask;
		old->dbdir = fresh.dbdir;
		memcpy(old->id, fresh.id, sizeof(fresh.id));
		st->dirty = true;
		return;
	}
	fresh.svc = xstrdup(svc);
	fresh.side = side;
	fresh.db = xstrdup(db);
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		st->v = xreallocarray(st->v, st->cap, sizeof(*st->v));
	}
	st->v[st->n++] = fresh;
	st->sorted = false;
	st->dirty = true;
}

void
prod_stamps_drop(struct prod_stamps *st, const char *svc, int side)
{
	struct stamp_side *s;

	if ((s = find(st, svc, side)) == NULL)
		return;
	/* Kept sorted: an entry that matches no db is as good as none. */
	free(s->db);
	s->db = xstrdup("-");
	s->mask = 0;
	st->dirty = true;
}

int
prod_stamps_save(struct prod_stamps *st, const char *certs_dir,
    const char *grp)
{
	struct buf b;
	char *path;
	int r;

	if (st == NULL || !st->dirty)
		return 0;
	if (!st->sorted && st->n > 0) {
		qsort(st->v, st->n, sizeof(*st->v), side_cmp);
		st->sorted = true;
	}
	buf_init(&b, STAMP_MAX);
	r = buf_printf(&b, "%s\n", STAMP_MAGIC);
	for (size_t i = 0; i < st->n && r == 0; i++) {
		const struct stamp_side *s = &st->v[i];

		if (strcmp(s->db, "-") == 0)
			continue;
		r = buf_printf(&b, "%s %s %s %x %" PRIu64 " %" PRIu64 " %" PRId64
		    ".%09" PRId64 " %" PRId64 ".%09" PRId64, s->svc,
		    prod_sides[s->side], s->db, s->mask, s->dbdir.ino,
		    s->dbdir.size, s->dbdir.mt_s, s->dbdir.mt_ns, s->dbdir.ct_s,
		    s->dbdir.ct_ns);
		for (size_t k = 0; k < PROD_N_PEM_FILES && r == 0; k++)
			if (s->mask & (1u << k))
				r = buf_printf(&b, " %" PRIu64 " %" PRIu64
				    " %" PRId64 ".%09" PRId64 " %" PRId64
				    ".%09" PRId64, s->id[k].ino, s->id[k].size,
				    s->id[k].mt_s, s->id[k].mt_ns,
				    s->id[k].ct_s, s->id[k].ct_ns);
		if (r == 0)
			r = buf_printf(&b, "\n");
	}
	path = xasprintf("%s/%s/%s", certs_dir, grp, STAMP_FILE);
	if (r == 0)
		r = store_write_file(path, b.p, b.len, 0644);
	if (r != 0)
		sslm_log(SSLM_LOG_WARN, "%s: not written (%s): the next "
		    "status compares production in full", path,
		    sslm_strerror(r));
	else
		st->dirty = false;
	free(path);
	buf_free(&b);
	/* A stamp is only a shortcut: failing to write one fails nothing. */
	return 0;
}

void
prod_stamps_sweep(const char *certs_dir, const char *grp)
{
	char *dir = path_join(certs_dir, grp);
	int swept;

	if (store_sweep_temps(dir, STAMP_FILE ".", &swept) != 0)
		swept = 0;	/* logged; the file is only a shortcut */
	free(dir);
}
