/*
 * util.h - allocation wrappers, string lists and path helpers shared by
 * every core module.  Allocation failure is fatal (there is nothing useful
 * a certificate manager can do without memory), so callers never check.
 */
#ifndef SSLM_UTIL_H
#define SSLM_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define SSLM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define SSLM_WUR __attribute__((warn_unused_result))

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* Returns a newly allocated formatted string; caller frees. */
char	*xasprintf(const char *, ...) SSLM_PRINTF(1, 2);
char	*xvasprintf(const char *, va_list) SSLM_PRINTF(1, 0);
/* Zeroes then frees a secret buffer of len bytes; NULL is a no-op. */
void	 freezero_secret(void *, size_t);

/* A growable list of owned strings. */
struct strlist {
	char	**v;
	size_t	  n;
	size_t	  cap;
};
void	 strlist_add(struct strlist *, const char *);	/* copies */
void	 strlist_add_nodup(struct strlist *, char *);	/* takes ownership */
bool	 strlist_has(const struct strlist *, const char *);
bool	 strlist_has_ci(const struct strlist *, const char *);
void	 strlist_clear(struct strlist *);
void	 strlist_copy(struct strlist *dst, const struct strlist *src);
void	 strlist_sort(struct strlist *);

/* A growable byte buffer with a hard cap (for anything read from disk or
 * the network).  buf_add() fails with SSLM_ERR_TOOBIG past the cap. */
struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	size_t	 max;
};
void	 buf_init(struct buf *, size_t max);
int	 buf_add(struct buf *, const void *, size_t) SSLM_WUR;
int	 buf_printf(struct buf *, const char *, ...) SSLM_PRINTF(2, 3);
void	 buf_free(struct buf *);

/* Joins a and b with one '/'; caller frees. */
char	*path_join(const char *a, const char *b);
/* FNV-1a over s, continuing from h (start with STR_HASH_INIT). */
#define STR_HASH_INIT	0xcbf29ce484222325ULL
unsigned long long str_hash(unsigned long long h, const char *s);
/* Reads a whole file (at most max bytes, NUL-terminated); 0 or -errno-ish
 * sslm_err.  *out is owned by the caller. */
int	 read_file(const char *path, size_t max, char **out, size_t *len) SSLM_WUR;
struct stat;
int	 read_file_stat(const char *path, size_t max, char **out, size_t *len,
	    struct stat *st) SSLM_WUR;
int	 read_file_regular(const char *path, size_t max, char **out,
	    size_t *len) SSLM_WUR;
bool	 str_ieq(const char *, const char *);
bool	 str_has_prefix(const char *, const char *);
/* Trims ASCII whitespace at both ends in place; returns s. */
char	*str_trim(char *s);
/* True when s is a literal IPv4 or IPv6 address. */
bool	 is_ip_literal(const char *s);

/* True when path is a directory or a symlink to one. */
bool	 is_dir(const char *path);
/* Names of the subdirectories of path (not following "." entries),
 * sorted; 0 or an sslm_err.  Appends to out. */
int	 list_subdirs(const char *path, struct strlist *out) SSLM_WUR;

#endif
