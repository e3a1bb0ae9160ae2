/*
 * config-util.c - the small pieces the config readers share: collecting
 * "file:line: message" diagnostics, typed access to TOML values (a wrong
 * type becomes an error naming the key, never a crash), relative path
 * resolution and the name rules for groups, services and hosts.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-priv.h"
#include "config.h"
#include "toml.h"
#include "util.h"

const char *const cfg_def_xtra_ns[] = {
	"1.1.1.1", "8.8.8.8", "9.9.9.9", "208.67.222.222", NULL
};

static void diag_add(struct strlist *, const char *, int, const char *,
    va_list) SSLM_PRINTF(4, 0);

static void
diag_add(struct strlist *l, const char *file, int line, const char *fmt,
    va_list ap)
{
	char *msg = xvasprintf(fmt, ap);

	if (file == NULL)
		strlist_add_nodup(l, msg);
	else if (line > 0)
		strlist_add_nodup(l, xasprintf("%s:%d: %s", file, line, msg));
	else
		strlist_add_nodup(l, xasprintf("%s: %s", file, msg));
	if (file != NULL)
		free(msg);
}

void
sslm_diag_error(struct sslm_diag *d, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;

	if (d == NULL)
		return;
	va_start(ap, fmt);
	diag_add(&d->errors, file, line, fmt, ap);
	va_end(ap);
}

void
sslm_diag_warn(struct sslm_diag *d, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;

	if (d == NULL)
		return;
	va_start(ap, fmt);
	diag_add(&d->warnings, file, line, fmt, ap);
	va_end(ap);
}

void
sslm_diag_free(struct sslm_diag *d)
{
	if (d == NULL)
		return;
	strlist_clear(&d->errors);
	strlist_clear(&d->warnings);
}

static const char *
kv_name(const struct cfg_ctx *c, const struct toml_kv *kv, char *tmp,
    size_t len)
{
	if (c->section == NULL || *c->section == '\0')
		return kv->key;
	snprintf(tmp, len, "%s %s", c->section, kv->key);
	return tmp;
}

void
cfg_type_error(struct cfg_ctx *c, const struct toml_kv *kv, const char *what)
{
	char tmp[256];

	sslm_diag_error(c->diag, c->file, kv->line, "%s: expected %s, got %s",
	    kv_name(c, kv, tmp, sizeof(tmp)), what,
	    toml_type_name(kv->val->type));
}

void
cfg_unknown_key(struct cfg_ctx *c, const struct toml_kv *kv)
{
	if (c->section == NULL || *c->section == '\0')
		sslm_diag_warn(c->diag, c->file, kv->line, "unknown key '%s'",
		    kv->key);
	else
		sslm_diag_warn(c->diag, c->file, kv->line,
		    "unknown key '%s' in %s", kv->key, c->section);
}

static int
str_ok(struct cfg_ctx *c, const struct toml_kv *kv, const struct toml_value *v)
{
	char tmp[256];

	if (strlen(v->u.s) != v->len) {
		sslm_diag_error(c->diag, c->file, v->line,
		    "%s: string contains a NUL byte",
		    kv_name(c, kv, tmp, sizeof(tmp)));
		return -1;
	}
	return 0;
}

int
cfg_str(struct cfg_ctx *c, const struct toml_kv *kv, char **out)
{
	if (kv->val->type != TOML_STRING) {
		cfg_type_error(c, kv, "string");
		return -1;
	}
	if (str_ok(c, kv, kv->val) == -1)
		return -1;
	free(*out);
	*out = xstrdup(kv->val->u.s);
	return 0;
}

int
cfg_bool(struct cfg_ctx *c, const struct toml_kv *kv, bool *out)
{
	if (kv->val->type != TOML_BOOL) {
		cfg_type_error(c, kv, "bool (true or false)");
		return -1;
	}
	*out = kv->val->u.b;
	return 0;
}

int
cfg_int(struct cfg_ctx *c, const struct toml_kv *kv, long lo, long hi,
    bool allow_str, int *out)
{
	const struct toml_value *v = kv->val;
	char tmp[256], *end;
	long long n;

	if (v->type == TOML_INTEGER)
		n = v->u.i;
	else if (v->type == TOML_STRING && allow_str) {
		errno = 0;
		n = strtoll(v->u.s, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (errno != 0 || end == v->u.s || *end != '\0' ||
		    strlen(v->u.s) != v->len) {
			sslm_diag_error(c->diag, c->file, kv->line,
			    "%s: expected integer, got \"%s\"",
			    kv_name(c, kv, tmp, sizeof(tmp)), v->u.s);
			return -1;
		}
	} else {
		cfg_type_error(c, kv, "integer");
		return -1;
	}
	if (n < lo || n > hi) {
		sslm_diag_error(c->diag, c->file, kv->line,
		    "%s: %lld is out of range (%ld..%ld)",
		    kv_name(c, kv, tmp, sizeof(tmp)), n, lo, hi);
		return -1;
	}
	*out = (int)n;
	return 0;
}

int
cfg_num(struct cfg_ctx *c, const struct toml_kv *kv, double *out)
{
	char tmp[256];

	if (kv->val->type == TOML_INTEGER)
		*out = (double)kv->val->u.i;
	else if (kv->val->type == TOML_FLOAT && isfinite(kv->val->u.f))
		*out = kv->val->u.f;
	else if (kv->val->type == TOML_FLOAT) {
		sslm_diag_error(c->diag, c->file, kv->line,
		    "%s: expected a finite number",
		    kv_name(c, kv, tmp, sizeof(tmp)));
		return -1;
	} else {
		cfg_type_error(c, kv, "number");
		return -1;
	}
	return 0;
}

int
cfg_strlist(struct cfg_ctx *c, const struct toml_kv *kv, bool allow_scalar,
    struct strlist *out)
{
	const struct toml_value *v = kv->val, *e;
	struct strlist l = { NULL, 0, 0 };
	char tmp[256];

	if (v->type == TOML_STRING && allow_scalar) {
		if (str_ok(c, kv, v) == -1)
			return -1;
		strlist_add(&l, v->u.s);
		goto done;
	}
	if (v->type != TOML_ARRAY) {
		cfg_type_error(c, kv, allow_scalar ? "string or array of "
		    "strings" : "array of strings");
		return -1;
	}
	for (size_t i = 0; i < v->u.arr.n; i++) {
		e = v->u.arr.items[i];
		if (e->type != TOML_STRING) {
			sslm_diag_error(c->diag, c->file, e->line,
			    "%s[%zu]: expected string, got %s",
			    kv_name(c, kv, tmp, sizeof(tmp)), i,
			    toml_type_name(e->type));
			strlist_clear(&l);
			return -1;
		}
		if (str_ok(c, kv, e) == -1) {
			strlist_clear(&l);
			return -1;
		}
		strlist_add(&l, e->u.s);
	}
done:
	strlist_clear(out);
	*out = l;
	return 0;
}

char *
cfg_path(const char *topdir, const char *p)
{
	if (p[0] == '/' || p[0] == '\0' || topdir == NULL)
		return xstrdup(p);
	while (p[0] == '.' && p[1] == '/') {
		p += 2;
		while (*p == '/')
			p++;
	}
	if (p[0] == '\0' || strcmp(p, ".") == 0)
		return xstrdup(topdir);
	return path_join(topdir, p);
}

bool
cfg_valid_group(const char *s)
{
	if (s == NULL || *s == '\0' || *s == '.' || strstr(s, "..") != NULL)
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.')
			return false;
	return true;
}

bool
cfg_valid_svc(const char *s)
{
	if (s == NULL || *s == '\0' || *s == '.' || strstr(s, "..") != NULL)
		return false;
	for (; *s != '\0'; s++)
		if (*s == '/' || iscntrl((unsigned char)*s))
			return false;
	return true;
}

bool
cfg_valid_dns(const char *s, bool wild, bool underscore)
{
	size_t len, lab = 0;
	const char *p;

	if (s == NULL)
		return false;
	if (wild && s[0] == '*' && s[1] == '.')
		s += 2;
	len = strlen(s);
	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (p = s; p < s + len; p++) {
		if (*p == '.') {
			if (lab == 0 || p[-1] == '-')
				return false;
			lab = 0;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-' &&
		    !(underscore && *p == '_'))
			return false;
		if (lab == 0 && *p == '-')
			return false;
		if (++lab > 63)
			return false;
	}
	return p[-1] != '-';
}

