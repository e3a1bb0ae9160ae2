/*
 * util.c - allocation wrappers, string lists, bounded buffers and small
 * path/string helpers.  Nothing here knows about certificates.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "util.h"

static void
oom(void)
{
	fputs("ssl-mgr: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t sz)
{
	if (sz != 0 && n > (size_t)-1 / sz)
		oom();
	return xrealloc(p, n * sz);
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (p == NULL)
		oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		oom();
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *p;

	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void
freezero_secret(void *p, size_t len)
{
	if (p == NULL)
		return;
	explicit_bzero(p, len);
	free(p);
}

void
strlist_add_nodup(struct strlist *l, char *s)
{
	if (l->n + 1 >= l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
}

void
strlist_add(struct strlist *l, const char *s)
{
	strlist_add_nodup(l, xstrdup(s));
}

bool
strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

bool
strlist_has_ci(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return true;
	return false;
}

void
strlist_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

void
strlist_copy(struct strlist *dst, const struct strlist *src)
{
	for (size_t i = 0; i < src->n; i++)
		strlist_add(dst, src->v[i]);
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
strlist_sort(struct strlist *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmpstr);
}

void
buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

int
buf_add(struct buf *b, const void *data, size_t n)
{
	if (n > b->max || b->len > b->max - n)
		return SSLM_ERR_TOOBIG;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap, again;
	size_t room = b->cap - b->len, n;
	int w;

	/*
	 * Formatted in place, the buffer grown and the format run again
	 * only when it did not fit: no temporary string a call (a status
	 * of 10,000 services makes 200,000 of these).
	 */
	va_start(ap, fmt);
	va_copy(again, ap);
	w = vsnprintf(room > 0 ? b->p + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (w < 0 || (n = (size_t)w) > b->max || b->len > b->max - n) {
		va_end(again);
		if (b->p != NULL)
			b->p[b->len] = '\0';	/* nothing added */
		return w < 0 ? SSLM_ERR_INTERNAL : SSLM_ERR_TOOBIG;
	}
	if (n >= room) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
		(void)vsnprintf(b->p + b->len, n + 1, fmt, again);
	}
	va_end(again);
	b->len += n;
	return 0;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	buf_init(b, b->max);
}

unsigned long long
str_hash(unsigned long long h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

char *
path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	if (la == 0)
		return xstrdup(b);
	if (a[la - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}

int
read_file(const char *path, size_t max, char **out, size_t *lenp)
{
	return read_file_stat(path, max, out, lenp, NULL);
}

/*
 * Reads fd to its end into *out (NUL-terminated, at most max bytes).
 * With short_eof, the first short read is the end: true of a regular
 * file, and it saves the read() that would return 0 - one system call
 * per file, which a status of ten thousand services feels.
 */
static int
read_fd(int fd, size_t max, bool short_eof, char **out, size_t *lenp)
{
	struct buf b;
	char chunk[8192];
	ssize_t n;
	int r = 0;

	buf_init(&b, max);
	if (buf_add(&b, "", 0) != 0)
		return SSLM_ERR_TOOBIG;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = errno == EISDIR ? SSLM_ERR_ISDIR : SSLM_ERR_IO;
			break;
		}
		if ((r = buf_add(&b, chunk, (size_t)n)) != 0 ||
		    (short_eof && (size_t)n < sizeof(chunk)))
			break;
	}
	if (r != 0) {
		buf_free(&b);
		return r;
	}
	*out = b.p;
	if (lenp)
		*lenp = b.len;
	return 0;
}

static int
open_err(void)
{
	return errno == ENOENT ? SSLM_ERR_NOTFOUND : errno == EACCES ?
	    SSLM_ERR_PERM : SSLM_ERR_IO;
}

/* read_file, also giving the file's stat (stp may be NULL). */
int
read_file_stat(const char *path, size_t max, char **out, size_t *lenp,
    struct stat *stp)
{
	struct stat st;
	bool regular = false;
	int fd, r;

	*out = NULL;
	if (lenp)
		*lenp = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return open_err();
	if (fstat(fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			close(fd);
			return SSLM_ERR_ISDIR;
		}
		regular = S_ISREG(st.st_mode);
		if (stp != NULL)
			*stp = st;
	} else if (stp != NULL)
		memset(stp, 0, sizeof(*stp));
	r = read_fd(fd, max, regular, out, lenp);
	close(fd);
	return r;
}

/*
 * read_file for a file that must be a regular one (a service file): no
 * fstat, and the first short read is its end.  A directory reads as
 * SSLM_ERR_ISDIR (read's EISDIR).
 */
int
read_file_regular(const char *path, size_t max, char **out, size_t *lenp)
{
	int fd, r;

	*out = NULL;
	if (lenp)
		*lenp = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return open_err();
	r = read_fd(fd, max, true, out, lenp);
	close(fd);
	return r;
}

bool
str_ieq(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

bool
str_has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

char *
str_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

bool
is_ip_literal(const char *s)
{
	unsigned char tmp[16];

	return inet_pton(AF_INET, s, tmp) == 1 ||
	    inet_pton(AF_INET6, s, tmp) == 1;
}

bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
list_subdirs(const char *path, struct strlist *out)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	size_t first = out->n;

	if ((d = opendir(path)) == NULL)
		return SSLM_ERR_NOTFOUND;
	while ((de = readdir(d)) != NULL) {
		char *p;

		if (de->d_name[0] == '.')
			continue;
		p = path_join(path, de->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			strlist_add(out, de->d_name);
		free(p);
	}
	closedir(d);
	if (out->n - first > 1)
		qsort(out->v + first, out->n - first, sizeof(*out->v), cmpstr);
	return 0;
}
