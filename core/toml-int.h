/*
 * toml-int.h - what toml.c (document structure: keys, tables, arrays) and
 * toml-value.c (text checks, cursor, scalars) share.
 * Nothing outside these two files includes it.
 */
#ifndef SSLM_TOML_INT_H
#define SSLM_TOML_INT_H

#include <locale.h>
#include <stddef.h>
#include <stdint.h>

#include "toml.h"
#include "util.h"

/*
 * Deepest nesting of arrays and tables below the root.  Parsing, freeing
 * and every consumer walk the tree recursively, so hostile input must not
 * be able to nest without bound.
 */
#define TOML_MAX_DEPTH	256

/* One slot of the (table, key) -> entry index used while parsing. */
struct toml_slot {
	const struct toml_value	*tab;	/* NULL: empty slot */
	size_t			 idx;
	uint64_t		 hash;
};

struct toml_parser {
	const char		*name;
	const unsigned char	*s;		/* the document */
	size_t			 len;
	size_t			 off;		/* next byte */
	int			 line, col;	/* of the next byte */
	locale_t		 cloc;		/* "C", for strtod_l */
	char			*err;		/* first error, formatted */

	struct toml_value	*root;
	struct toml_value	*cur;		/* table of the last header */

	struct toml_slot	*slots;
	size_t			 nslots, nused;
};

/* A string being decoded (keys and string values). */
struct toml_str {
	char	*p;
	size_t	 len, cap;
};

/* The byte k ahead of the cursor, 0 past the end (NUL is never valid). */
static inline int
toml_peek(const struct toml_parser *p, size_t k)
{
	if (k >= p->len - p->off)
		return 0;
	return p->s[p->off + k];
}

/* Consumes one byte; columns count code points, not bytes. */
static inline void
toml_adv(struct toml_parser *p)
{
	unsigned char c = p->s[p->off++];

	if (c == '\n') {
		p->line++;
		p->col = 1;
	} else if ((c & 0xc0) != 0x80)
		p->col++;
}

/* Length of the newline (LF or CRLF) at the cursor, 0 when none. */
static inline int
toml_newline(const struct toml_parser *p)
{
	int c = toml_peek(p, 0);

	if (c == '\n')
		return 1;
	if (c == '\r' && toml_peek(p, 1) == '\n')
		return 2;
	return 0;
}

/* toml-value.c */
void	toml_advn(struct toml_parser *, size_t);
/* Records the first error ("name:line:col: ..."); returns -1. */
int	toml_error(struct toml_parser *, int, int, const char *, ...)
	    SSLM_PRINTF(4, 5);
void	toml_str_add(struct toml_str *, const void *, size_t);
void	toml_str_free(struct toml_str *);
int	toml_check_text(struct toml_parser *);
int	toml_parse_string(struct toml_parser *, int, struct toml_str *);
int	toml_parse_scalar(struct toml_parser *, struct toml_value *);

#endif
