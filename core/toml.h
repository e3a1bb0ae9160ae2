/*
 * toml.h - a TOML 1.0 reader.  It parses a whole document into a tree of
 * struct toml_value, remembering the line and column where every key and
 * value was defined so that the config loader can say "file:line: ...".
 * Any document that is not valid TOML 1.0 is rejected with
 * "<file>:<line>:<col>: <what is wrong>"; nothing invalid is accepted.
 */
#ifndef SSLM_TOML_H
#define SSLM_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum toml_type {
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,		/* offset date-time */
	TOML_DATETIME_LOCAL,
	TOML_DATE_LOCAL,
	TOML_TIME_LOCAL,
	TOML_ARRAY,
	TOML_TABLE
};

/* Date/time components; fields that the type lacks are 0. */
struct toml_datetime {
	int	year, month, day;
	int	hour, minute, second;
	int	nanosecond;
	int	offset_minutes;		/* TOML_DATETIME only; Z is 0 */
};

struct toml_kv;

struct toml_value {
	enum toml_type	 type;
	int		 line, col;	/* where the value starts */
	union {
		char			*s;	/* TOML_STRING, NUL-terminated
						 * (an embedded \u0000 ends it;
						 * len holds the real length) */
		int64_t			 i;
		double			 f;
		bool			 b;
		struct toml_datetime	 dt;
		struct {
			struct toml_value	**items;
			size_t			  n;
		} arr;
		struct {
			struct toml_kv		 *kv;
			size_t			  n;
		} tab;
	} u;
	size_t		 len;		/* TOML_STRING byte length */
	unsigned	 flags;		/* parser bookkeeping; ignore */
};

struct toml_kv {
	char			*key;
	int			 line, col;	/* where the key was written */
	struct toml_value	*val;
};

/*
 * Parses text (len bytes; it need not be NUL-terminated).  `name` is used in
 * error messages.  On success returns 0 and sets *root to a TOML_TABLE owned
 * by the caller (free with toml_free).  On failure returns -1, sets *root to
 * NULL and *err to "<name>:<line>:<col>: <message>" (caller frees).
 */
int	toml_parse(const char *text, size_t len, const char *name,
	    struct toml_value **root, char **err);
/* Reads and parses a file (at most 4 MiB); same contract as toml_parse. */
int	toml_parse_file(const char *path, struct toml_value **root, char **err);
void	toml_free(struct toml_value *);

/* Looks key up in a table; NULL when absent or when t is not a table. */
const struct toml_value	*toml_get(const struct toml_value *t, const char *key);
/* Same, returning the key entry (for its line). */
const struct toml_kv	*toml_get_kv(const struct toml_value *t, const char *key);
/* "string", "integer", "float", "bool", "datetime", "datetime-local",
 * "date-local", "time-local", "array", "table". */
const char		*toml_type_name(enum toml_type);

#endif
