/*
 * fuzz-toml.c - libFuzzer target for the TOML reader (core/toml.c).
 *
 * Besides "no crash, no leak, no undefined behaviour", the target checks
 * the two promises the config loader builds its "file:line" messages on:
 * a rejected document always yields "<name>:<line>:<col>: <message>" with
 * positive numbers, and every key and value of an accepted one carries a
 * line and column inside the document.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NAME	"fuzz.toml"

/* A positive decimal number followed by ':'; returns the rest or NULL. */
static const char *
number_colon(const char *p, long *out)
{
	char *end;

	if (!isdigit((unsigned char)*p))
		return NULL;
	*out = strtol(p, &end, 10);
	if (*end != ':' || *out < 1)
		return NULL;
	return end + 1;
}

static void
check_error(const char *err, long nlines)
{
	const char *p;
	long line, col;

	if (err == NULL || strncmp(err, NAME ":", sizeof(NAME)) != 0)
		abort();
	p = err + sizeof(NAME);
	if ((p = number_colon(p, &line)) == NULL ||
	    (p = number_colon(p, &col)) == NULL)
		abort();
	/* One past the last line: the error "at end of input" may sit on
	 * the line a final newline opens. */
	if (line > nlines + 1 || *p != ' ' || p[1] == '\0')
		abort();
}

/*
 * Every position must be inside the document.  Depth is bounded by the
 * parser (TOML_MAX_DEPTH), so recursion here is bounded too.
 */
static void
walk(const struct toml_value *v, long nlines)
{
	size_t i;

	if (v->line < 1 || v->line > nlines + 1 || v->col < 1)
		abort();
	switch (v->type) {
	case TOML_STRING:
		/* len is the real length; the C string ends at a NUL. */
		if (v->u.s == NULL || strlen(v->u.s) > v->len)
			abort();
		break;
	case TOML_ARRAY:
		for (i = 0; i < v->u.arr.n; i++)
			walk(v->u.arr.items[i], nlines);
		break;
	case TOML_TABLE:
		for (i = 0; i < v->u.tab.n; i++) {
			const struct toml_kv *kv = &v->u.tab.kv[i];

			if (kv->key == NULL || kv->val == NULL ||
			    kv->line < 1 || kv->line > nlines + 1 ||
			    kv->col < 1)
				abort();
			/* The lookup must find what the table holds. */
			if (toml_get_kv(v, kv->key) == NULL)
				abort();
			walk(kv->val, nlines);
		}
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toml_value *root = NULL;
	char *err = NULL;
	long nlines = 1;
	size_t i;

	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			nlines++;
	if (toml_parse((const char *)data, size, NAME, &root, &err) == -1) {
		if (root != NULL)
			abort();
		check_error(err, nlines);
		free(err);
		return 0;
	}
	if (root == NULL || root->type != TOML_TABLE)
		abort();
	/* The root table itself has no position of its own to check. */
	for (i = 0; i < root->u.tab.n; i++) {
		if (root->u.tab.kv[i].line < 1)
			abort();
		walk(root->u.tab.kv[i].val, nlines);
	}
	toml_free(root);
	return 0;
}
