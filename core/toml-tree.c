/*
 * toml-tree.c - the parsed document as the config readers use it: a file
 * read into a tree (toml.c parses it), keys looked up, types named, the
 * tree freed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "toml.h"
#include "util.h"

#define TOML_MAX_FILE	(4 * 1024 * 1024)

int
toml_parse_file(const char *path, struct toml_value **root, char **err)
{
	char *text;
	size_t len;
	int r, e;

	*root = NULL;
	if (err != NULL)
		*err = NULL;
	if ((r = read_file(path, TOML_MAX_FILE, &text, &len)) != 0) {
		e = errno;
		if (err == NULL)
			return -1;
		if (r == SSLM_ERR_TOOBIG)
			*err = xasprintf("%s: file is larger than 4 MiB",
			    path);
		else if (r == SSLM_ERR_NOTFOUND)
			*err = xasprintf("%s: %s", path, strerror(ENOENT));
		else
			*err = xasprintf("%s: %s", path, e != 0 ?
			    strerror(e) : sslm_strerror(r));
		return -1;
	}
	r = toml_parse(text, len, path, root, err);
	free(text);
	return r;
}

void
toml_free(struct toml_value *v)
{
	if (v == NULL)
		return;
	switch (v->type) {
	case TOML_STRING:
		free(v->u.s);
		break;
	case TOML_ARRAY:
		for (size_t i = 0; i < v->u.arr.n; i++)
			toml_free(v->u.arr.items[i]);
		free(v->u.arr.items);
		break;
	case TOML_TABLE:
		for (size_t i = 0; i < v->u.tab.n; i++) {
			free(v->u.tab.kv[i].key);
			toml_free(v->u.tab.kv[i].val);
		}
		free(v->u.tab.kv);
		break;
	default:
		break;
	}
	free(v);
}

const struct toml_kv *
toml_get_kv(const struct toml_value *t, const char *key)
{
	if (t == NULL || t->type != TOML_TABLE || key == NULL)
		return NULL;
	for (size_t i = 0; i < t->u.tab.n; i++)
		if (strcmp(t->u.tab.kv[i].key, key) == 0)
			return &t->u.tab.kv[i];
	return NULL;
}

const struct toml_value *
toml_get(const struct toml_value *t, const char *key)
{
	const struct toml_kv *kv = toml_get_kv(t, key);

	return kv != NULL ? kv->val : NULL;
}

const char *
toml_type_name(enum toml_type type)
{
	static const char *const names[] = {
		[TOML_STRING] = "string",
		[TOML_INTEGER] = "integer",
		[TOML_FLOAT] = "float",
		[TOML_BOOL] = "bool",
		[TOML_DATETIME] = "datetime",
		[TOML_DATETIME_LOCAL] = "datetime-local",
		[TOML_DATE_LOCAL] = "date-local",
		[TOML_TIME_LOCAL] = "time-local",
		[TOML_ARRAY] = "array",
		[TOML_TABLE] = "table",
	};

	if ((unsigned)type >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[type];
}
