/*
 * toml.c - the TOML 1.0 reader: document structure (key/value pairs,
 * [table] and [[array of tables]] headers, dotted keys, arrays and inline
 * tables) and the rules about what may be defined twice.  Scalars and the
 * lexical checks live in toml-value.c; reading a file, lookups and freeing
 * the tree in toml-tree.c.
 *
 * The whole document is checked to be UTF-8 without stray control
 * characters before parsing, so the parser itself only ever sees text
 * that can legally appear somewhere.  Every error is fatal and reported as
 * "<name>:<line>:<col>: <message>" with columns counted in characters.
 *
 * While parsing, every table remembers how it came to exist (flags below):
 * TOML allows a table to be created implicitly and defined later exactly
 * once, lets dotted keys extend only tables no header defined (and a
 * header never define a table that dotted keys made), and forbids touching
 * inline tables and arrays written as values.
 */
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml-int.h"

#define TF_IMPLICIT	0x01	/* table made by a longer [header] path */
#define TF_DEFINED	0x02	/* table made by its own [header] */
#define TF_DOTTED	0x04	/* table made or extended by dotted keys */
#define TF_FROZEN	0x08	/* inline table or array value: immutable */
#define TF_AOT		0x10	/* array made by [[header]] */
#define TF_DEPTH_SHIFT	8	/* the rest of flags is the nesting depth */


/* One part of a (possibly dotted) key, as written. */
struct keypart {
	char	*s;		/* NULL once handed to a table */
	int	 line, col;
};

struct keypath {
	struct keypart	*v;
	size_t		 n, cap;
};

static int	parse_value(struct toml_parser *, int, struct toml_value **);

static int
depth_of(const struct toml_value *v)
{
	return (int)(v->flags >> TF_DEPTH_SHIFT);
}

static struct toml_value *
value_new(enum toml_type type, int line, int col, int depth)
{
	struct toml_value *v = xcalloc(1, sizeof(*v));

	v->type = type;
	v->line = line;
	v->col = col;
	v->flags = (unsigned)depth << TF_DEPTH_SHIFT;
	return v;
}

/* "a table", "an integer": for messages. */
static const char *
a_type(const struct toml_value *v)
{
	static const char *const names[] = {
		[TOML_STRING] = "a string",
		[TOML_INTEGER] = "an integer",
		[TOML_FLOAT] = "a float",
		[TOML_BOOL] = "a boolean",
		[TOML_DATETIME] = "a date-time",
		[TOML_DATETIME_LOCAL] = "a local date-time",
		[TOML_DATE_LOCAL] = "a local date",
		[TOML_TIME_LOCAL] = "a local time",
		[TOML_ARRAY] = "an array",
		[TOML_TABLE] = "a table",
	};

	if (v->type == TOML_ARRAY && (v->flags & TF_AOT))
		return "an array of tables";
	if (v->type == TOML_TABLE && (v->flags & TF_FROZEN))
		return "an inline table";
	return names[v->type];
}

/*
 * A key as shown in messages: control characters escaped, long keys cut
 * (at a character boundary).  Caller frees.
 */
static char *
show_key(const char *k)
{
	struct toml_str s = { 0 };
	char esc[8];
	size_t i;

	for (i = 0; k[i] != '\0'; i++) {
		unsigned char c = (unsigned char)k[i];

		if (i >= 40 && (c & 0xc0) != 0x80) {
			toml_str_add(&s, "...", 3);
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			toml_str_add(&s, esc, strlen(esc));
		} else
			toml_str_add(&s, &k[i], 1);
	}
	toml_str_add(&s, "", 0);
	return s.p;
}

/* "<what> '<key>': it is already <is> (line N)" at the key. */
static int
key_error(struct toml_parser *p, const struct keypart *kp, const char *what,
    const char *is, int line)
{
	char *k = show_key(kp->s);

	toml_error(p, kp->line, kp->col, "%s '%s': it is already %s "
	    "(line %d)", what, k, is, line);
	free(k);
	return -1;
}

/* The (table, key) index, so that big tables do not cost n^2 to build. */
static uint64_t
key_hash(const struct toml_value *t, const char *k)
{
	uint64_t h = str_hash(STR_HASH_INIT ^ (uint64_t)(uintptr_t)t, k);

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 32);
}

static struct toml_kv *
tab_find(struct toml_parser *p, const struct toml_value *t, const char *k)
{
	uint64_t h;
	size_t i, mask;
	struct toml_kv *kv;

	if (p->nslots == 0)
		return NULL;
	h = key_hash(t, k);
	mask = p->nslots - 1;
	for (i = h & mask; p->slots[i].tab != NULL; i = (i + 1) & mask) {
		if (p->slots[i].hash != h || p->slots[i].tab != t)
			continue;
		kv = &t->u.tab.kv[p->slots[i].idx];
		if (strcmp(kv->key, k) == 0)
			return kv;
	}
	return NULL;
}

static void
slot_put(struct toml_slot *slots, size_t nslots, const struct toml_slot *s)
{
	size_t i, mask = nslots - 1;

	for (i = s->hash & mask; slots[i].tab != NULL; i = (i + 1) & mask)
		continue;
	slots[i] = *s;
}

/* Appends kp (taking its string) with value v to table t. */
static void
tab_add(struct toml_parser *p, struct toml_value *t, struct keypart *kp,
    struct toml_value *v)
{
	struct toml_slot s, *old = p->slots;
	struct toml_kv *kv;
	size_t n = t->u.tab.n, oldn = p->nslots;

	/* Capacity is the next power of two, so it need not be stored. */
	if ((n & (n - 1)) == 0)
		t->u.tab.kv = xreallocarray(t->u.tab.kv, n ? n * 2 : 1,
		    sizeof(*t->u.tab.kv));
	kv = &t->u.tab.kv[n];
	kv->key = kp->s;
	kv->line = kp->line;
	kv->col = kp->col;
	kv->val = v;
	kp->s = NULL;
	t->u.tab.n++;

	if ((p->nused + 1) * 2 > p->nslots) {
		p->nslots = oldn ? oldn * 2 : 64;
		p->slots = xcalloc(p->nslots, sizeof(*p->slots));
		for (size_t i = 0; i < oldn; i++)
			if (old[i].tab != NULL)
				slot_put(p->slots, p->nslots, &old[i]);
		free(old);
	}
	s.tab = t;
	s.idx = n;
	s.hash = key_hash(t, kv->key);
	slot_put(p->slots, p->nslots, &s);
	p->nused++;
}

static void
arr_add(struct toml_value *a, struct toml_value *v)
{
	size_t n = a->u.arr.n;

	if ((n & (n - 1)) == 0)
		a->u.arr.items = xreallocarray(a->u.arr.items, n ? n * 2 : 1,
		    sizeof(*a->u.arr.items));
	a->u.arr.items[a->u.arr.n++] = v;
}

/* Makes a container one level below parent, refusing deep nesting. */
static struct toml_value *
container_new(struct toml_parser *p, const struct toml_value *parent,
    enum toml_type type, int line, int col)
{
	int depth = depth_of(parent) + 1;

	if (depth > TOML_MAX_DEPTH) {
		toml_error(p, line, col, "nesting deeper than %d levels",
		    TOML_MAX_DEPTH);
		return NULL;
	}
	return value_new(type, line, col, depth);
}

/* Adds an empty table under key kp of t. */
static struct toml_value *
subtable_new(struct toml_parser *p, struct toml_value *t,
    struct keypart *kp, unsigned flags)
{
	struct toml_value *nt;

	if ((nt = container_new(p, t, TOML_TABLE, kp->line, kp->col)) == NULL)
		return NULL;
	nt->flags |= flags;
	tab_add(p, t, kp, nt);
	return nt;
}

static void
keypath_free(struct keypath *ks)
{
	for (size_t i = 0; i < ks->n; i++)
		free(ks->v[i].s);
	free(ks->v);
	memset(ks, 0, sizeof(*ks));
}

static void
skip_ws(struct toml_parser *p)
{
	int c;

	while ((c = toml_peek(p, 0)) == ' ' || c == '\t')
		toml_adv(p);
}

static void
skip_comment(struct toml_parser *p)
{
	int c;

	if (toml_peek(p, 0) != '#')
		return;
	while ((c = toml_peek(p, 0)) != 0 && c != '\n' && c != '\r')
		toml_adv(p);
}

/* Whitespace, comments and newlines, as allowed inside arrays. */
static void
skip_wscnl(struct toml_parser *p)
{
	int n;

	for (;;) {
		skip_ws(p);
		skip_comment(p);
		if ((n = toml_newline(p)) == 0)
			return;
		toml_advn(p, (size_t)n);
	}
}

static int
is_bare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static int
parse_key_part(struct toml_parser *p, struct keypart *kp)
{
	struct toml_str s = { 0 };
	size_t n = 0;
	int c = toml_peek(p, 0);

	kp->line = p->line;
	kp->col = p->col;
	if (c == '"' || c == '\'') {
		if (toml_parse_string(p, 0, &s) == -1) {
			toml_str_free(&s);
			return -1;
		}
		/* toml_kv has no length: such a key could not be told apart. */
		if (strlen(s.p) != s.len) {
			toml_str_free(&s);
			return toml_error(p, kp->line, kp->col,
			    "keys containing U+0000 are not supported");
		}
		kp->s = s.p;
		return 0;
	}
	while (is_bare(toml_peek(p, n)))
		n++;
	if (n == 0) {
		if (c == 0 || c == '\n' || c == '\r' || c == '#')
			return toml_error(p, kp->line, kp->col,
			    "expected a key");
		if (c > 0x20 && c < 0x7f)
			return toml_error(p, kp->line, kp->col,
			    "expected a key, found '%c'", c);
		return toml_error(p, kp->line, kp->col, "invalid character "
		    "in key (only A-Z a-z 0-9 _ - may be unquoted)");
	}
	kp->s = xstrndup((const char *)p->s + p->off, n);
	toml_advn(p, n);
	return 0;
}

/* Reads key ( '.' key )*, with optional whitespace around the dots. */
static int
parse_keys(struct toml_parser *p, struct keypath *ks)
{
	for (;;) {
		skip_ws(p);
		if (ks->n == TOML_MAX_DEPTH)
			return toml_error(p, p->line, p->col,
			    "key has more than %d parts", TOML_MAX_DEPTH);
		if (ks->n == ks->cap) {
			ks->cap = ks->cap ? ks->cap * 2 : 4;
			ks->v = xreallocarray(ks->v, ks->cap, sizeof(*ks->v));
		}
		if (parse_key_part(p, &ks->v[ks->n]) == -1)
			return -1;
		ks->n++;
		skip_ws(p);
		if (toml_peek(p, 0) != '.')
			return 0;
		toml_adv(p);
	}
}

/*
 * Stores v under the dotted key ks in table t.  Dotted keys create tables
 * and may extend tables that they (or a longer [header]) created, but not
 * tables defined by a header, inline tables or arrays.
 */
static int
insert_kv(struct toml_parser *p, struct toml_value *t, struct keypath *ks,
    struct toml_value *v)
{
	struct keypart *kp;
	struct toml_kv *kv;
	struct toml_value *x;

	for (size_t i = 0; i + 1 < ks->n; i++) {
		kp = &ks->v[i];
		if ((kv = tab_find(p, t, kp->s)) == NULL) {
			if ((t = subtable_new(p, t, kp, TF_DOTTED)) == NULL)
				return -1;
			continue;
		}
		x = kv->val;
		if (x->type != TOML_TABLE || (x->flags & TF_FROZEN))
			return key_error(p, kp, "cannot add keys to",
			    a_type(x), kv->line);
		if (x->flags & TF_DEFINED)
			return key_error(p, kp, "cannot add dotted keys to",
			    "a table defined by a header", x->line);
		x->flags |= TF_DOTTED;
		t = x;
	}
	kp = &ks->v[ks->n - 1];
	if ((kv = tab_find(p, t, kp->s)) != NULL)
		return key_error(p, kp, "duplicate key", a_type(kv->val),
		    kv->line);
	tab_add(p, t, kp, v);
	return 0;
}

/* key = value, stored in table t. */
static int
parse_keyval(struct toml_parser *p, struct toml_value *t)
{
	struct keypath ks = { 0 };
	struct toml_value *v = NULL;
	int r = -1, c;

	if (parse_keys(p, &ks) == -1)
		goto out;
	if ((c = toml_peek(p, 0)) != '=') {
		if (c > 0x20 && c < 0x7f)
			toml_error(p, p->line, p->col,
			    "expected '=' after key, found '%c'", c);
		else
			toml_error(p, p->line, p->col,
			    "expected '=' after key");
		goto out;
	}
	toml_adv(p);
	skip_ws(p);
	if (parse_value(p, depth_of(t) + (int)ks.n, &v) == -1)
		goto out;
	if (insert_kv(p, t, &ks, v) == -1) {
		toml_free(v);
		goto out;
	}
	r = 0;
out:
	keypath_free(&ks);
	return r;
}

static int
parse_array(struct toml_parser *p, int depth, struct toml_value **out)
{
	struct toml_value *a, *v;
	int line = p->line, col = p->col, c;

	a = value_new(TOML_ARRAY, line, col, depth);
	a->flags |= TF_FROZEN;
	toml_adv(p);
	for (;;) {
		skip_wscnl(p);
		if ((c = toml_peek(p, 0)) == ']')
			break;
		if (c == 0) {
			toml_error(p, line, col, "unterminated array");
			goto fail;
		}
		if (parse_value(p, depth + 1, &v) == -1)
			goto fail;
		arr_add(a, v);
		skip_wscnl(p);
		if ((c = toml_peek(p, 0)) == ',') {
			toml_adv(p);
			continue;
		}
		if (c == ']')
			break;
		if (c == 0)
			toml_error(p, line, col, "unterminated array");
		else
			toml_error(p, p->line, p->col,
			    "expected ',' or ']' in array");
		goto fail;
	}
	toml_adv(p);
	*out = a;
	return 0;
fail:
	toml_free(a);
	return -1;
}

/* Inline tables are one line long, with no trailing comma (TOML 1.0). */
static int
inline_gap(struct toml_parser *p, int line, int col)
{
	int c;

	skip_ws(p);
	if (toml_newline(p) != 0 || (c = toml_peek(p, 0)) == '#')
		return toml_error(p, p->line, p->col,
		    "inline tables must be on a single line");
	if (c == 0)
		return toml_error(p, line, col, "unterminated inline table");
	return 0;
}

static int
parse_inline(struct toml_parser *p, int depth, struct toml_value **out)
{
	struct toml_value *t;
	int line = p->line, col = p->col, c;

	t = value_new(TOML_TABLE, line, col, depth);
	toml_adv(p);
	if (inline_gap(p, line, col) == -1)
		goto fail;
	if (toml_peek(p, 0) != '}') {
		for (;;) {
			if (parse_keyval(p, t) == -1 ||
			    inline_gap(p, line, col) == -1)
				goto fail;
			if ((c = toml_peek(p, 0)) == '}')
				break;
			if (c != ',') {
				toml_error(p, p->line, p->col,
				    "expected ',' or '}' in inline table");
				goto fail;
			}
			toml_adv(p);
			if (inline_gap(p, line, col) == -1)
				goto fail;
			if (toml_peek(p, 0) == '}') {
				toml_error(p, p->line, p->col, "trailing "
				    "comma not allowed in inline table");
				goto fail;
			}
		}
	}
	toml_adv(p);
	t->flags |= TF_FROZEN;
	*out = t;
	return 0;
fail:
	toml_free(t);
	return -1;
}

/* Parses the value at the cursor; depth is the level it will live at. */
static int
parse_value(struct toml_parser *p, int depth, struct toml_value **out)
{
	struct toml_str s = { 0 };
	struct toml_value *v;
	int c = toml_peek(p, 0);

	*out = NULL;
	if ((c == '[' || c == '{') && depth > TOML_MAX_DEPTH)
		return toml_error(p, p->line, p->col,
		    "nesting deeper than %d levels", TOML_MAX_DEPTH);
	if (c == '[')
		return parse_array(p, depth, out);
	if (c == '{')
		return parse_inline(p, depth, out);
	v = value_new(TOML_STRING, p->line, p->col, depth);
	if (c == '"' || c == '\'') {
		if (toml_parse_string(p, 1, &s) == -1) {
			toml_str_free(&s);
			free(v);
			return -1;
		}
		v->u.s = s.p;
		v->len = s.len;
	} else if (toml_parse_scalar(p, v) == -1) {
		free(v);
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * [a.b.c] or [[a.b.c]]: walks (creating implicitly) to the parent, then
 * defines the table or appends a table to the array of tables.
 */
static int
define_table(struct toml_parser *p, struct keypath *ks, int aot, int line,
    int col)
{
	struct toml_value *t = p->root, *x, *a;
	struct toml_kv *kv;
	struct keypart *kp;

	for (size_t i = 0; i + 1 < ks->n; i++) {
		kp = &ks->v[i];
		if ((kv = tab_find(p, t, kp->s)) == NULL) {
			if ((t = subtable_new(p, t, kp, TF_IMPLICIT)) == NULL)
				return -1;
			continue;
		}
		x = kv->val;
		if (x->type == TOML_TABLE && !(x->flags & TF_FROZEN))
			t = x;
		else if (x->type == TOML_ARRAY && (x->flags & TF_AOT))
			t = x->u.arr.items[x->u.arr.n - 1];
		else
			return key_error(p, kp, "cannot define a table under",
			    a_type(x), kv->line);
	}
	kp = &ks->v[ks->n - 1];
	kv = tab_find(p, t, kp->s);
	if (aot) {
		if (kv == NULL) {
			if ((a = container_new(p, t, TOML_ARRAY, kp->line,
			    kp->col)) == NULL)
				return -1;
			a->flags |= TF_AOT;
			tab_add(p, t, kp, a);
		} else if (kv->val->type == TOML_ARRAY &&
		    (kv->val->flags & TF_AOT))
			a = kv->val;
		else
			return key_error(p, kp, "cannot define array of "
			    "tables", a_type(kv->val), kv->line);
		if ((x = container_new(p, a, TOML_TABLE, line, col)) == NULL)
			return -1;
		x->flags |= TF_DEFINED;
		arr_add(a, x);
		p->cur = x;
		return 0;
	}
	if (kv == NULL) {
		if ((x = subtable_new(p, t, kp, TF_DEFINED)) == NULL)
			return -1;
	} else {
		x = kv->val;
		if (x->type != TOML_TABLE || (x->flags & TF_FROZEN))
			return key_error(p, kp, "cannot define table",
			    a_type(x), kv->line);
		if (x->flags & TF_DEFINED)
			return key_error(p, kp, "cannot define table",
			    "defined", x->line);
		if (x->flags & TF_DOTTED)
			return key_error(p, kp, "cannot define table",
			    "a table made by dotted keys", kv->line);
		/* Implicitly created; this is its one definition. */
		x->flags |= TF_DEFINED;
		kv->line = kp->line;
		kv->col = kp->col;
	}
	x->line = line;
	x->col = col;
	p->cur = x;
	return 0;
}

static int
parse_header(struct toml_parser *p)
{
	struct keypath ks = { 0 };
	int line = p->line, col = p->col, r = -1;
	int aot = toml_peek(p, 1) == '[';

	toml_advn(p, aot ? 2 : 1);
	if (parse_keys(p, &ks) == -1)
		goto out;
	if (toml_peek(p, 0) != ']' || (aot && toml_peek(p, 1) != ']')) {
		toml_error(p, p->line, p->col, "expected '%s' to close the "
		    "%s header", aot ? "]]" : "]",
		    aot ? "array of tables" : "table");
		goto out;
	}
	toml_advn(p, aot ? 2 : 1);
	r = define_table(p, &ks, aot, line, col);
out:
	keypath_free(&ks);
	return r;
}

static int
parse_document(struct toml_parser *p)
{
	int c, n, header;

	/* A UTF-8 byte order mark is tolerated at the very start. */
	if (p->len >= 3 && memcmp(p->s, "\xef\xbb\xbf", 3) == 0)
		p->off = 3;
	for (;;) {
		skip_ws(p);
		skip_comment(p);
		if ((c = toml_peek(p, 0)) == 0)
			return 0;
		if ((n = toml_newline(p)) != 0) {
			toml_advn(p, (size_t)n);
			continue;
		}
		header = c == '[';
		if ((header ? parse_header(p) : parse_keyval(p, p->cur)) == -1)
			return -1;
		skip_ws(p);
		skip_comment(p);
		if ((c = toml_peek(p, 0)) == 0)
			return 0;
		if ((n = toml_newline(p)) == 0)
			return toml_error(p, p->line, p->col, "expected a "
			    "newline after the %s", header ? "table header" :
			    "key/value pair");
		toml_advn(p, (size_t)n);
	}
}

int
toml_parse(const char *text, size_t len, const char *name,
    struct toml_value **root, char **err)
{
	struct toml_parser p;
	int r = -1;

	memset(&p, 0, sizeof(p));
	p.name = name != NULL ? name : "<toml>";
	p.s = (const unsigned char *)text;
	p.len = text != NULL ? len : 0;
	p.line = p.col = 1;
	*root = NULL;
	if (err != NULL)
		*err = NULL;
	if (p.len > INT_MAX) {
		toml_error(&p, 1, 1, "document too large");
		goto out;
	}
	if ((p.cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0)) ==
	    (locale_t)0) {
		toml_error(&p, 1, 1, "cannot create the C locale");
		goto out;
	}
	p.root = p.cur = value_new(TOML_TABLE, 1, 1, 0);
	if (toml_check_text(&p) == -1 || parse_document(&p) == -1)
		goto out;
	*root = p.root;
	p.root = NULL;
	r = 0;
out:
	toml_free(p.root);
	free(p.slots);
	if (p.cloc != (locale_t)0)
		freelocale(p.cloc);
	if (r == -1 && err != NULL)
		*err = p.err;
	else
		free(p.err);
	return r;
}
