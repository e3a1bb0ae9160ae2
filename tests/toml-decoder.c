/*
 * toml-decoder.c - the toml-test decoder interface for core/toml.c: reads
 * TOML on stdin and writes the "tagged JSON" form of it on stdout, where
 * tables are objects, arrays are arrays and every scalar is
 * {"type": ..., "value": "<text>"}.  Invalid TOML: the parser's
 * "stdin:line:col: message" on stderr and exit status 1.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "toml.h"
#include "util.h"

#define MAX_INPUT	(64 * 1024 * 1024)

static json_t	*encode(const struct toml_value *);

static void
put_frac(char *buf, size_t sz, int ns)
{
	size_t n;

	if (ns == 0) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, sz, ".%09d", ns);
	for (n = strlen(buf); n > 1 && buf[n - 1] == '0'; n--)
		buf[n - 1] = '\0';
}

static char *
datetime_text(const struct toml_value *v)
{
	const struct toml_datetime *d = &v->u.dt;
	char frac[16], off[16];
	int m;

	put_frac(frac, sizeof(frac), d->nanosecond);
	switch (v->type) {
	case TOML_DATE_LOCAL:
		return xasprintf("%04d-%02d-%02d", d->year, d->month, d->day);
	case TOML_TIME_LOCAL:
		return xasprintf("%02d:%02d:%02d%s", d->hour, d->minute,
		    d->second, frac);
	case TOML_DATETIME_LOCAL:
		return xasprintf("%04d-%02d-%02dT%02d:%02d:%02d%s", d->year,
		    d->month, d->day, d->hour, d->minute, d->second, frac);
	default:
		m = d->offset_minutes;
		if (m == 0)
			snprintf(off, sizeof(off), "Z");
		else
			snprintf(off, sizeof(off), "%c%02d:%02d",
			    m < 0 ? '-' : '+', abs(m) / 60, abs(m) % 60);
		return xasprintf("%04d-%02d-%02dT%02d:%02d:%02d%s%s",
		    d->year, d->month, d->day, d->hour, d->minute, d->second,
		    frac, off);
	}
}

/* The shortest %g form that reads back as the same double. */
static char *
float_text(double f)
{
	char *s;

	if (isnan(f))
		return xstrdup("nan");
	if (isinf(f))
		return xstrdup(f < 0 ? "-inf" : "inf");
	for (int prec = 15; prec < 17; prec++) {
		s = xasprintf("%.*g", prec, f);
		if (strtod(s, NULL) == f)
			return s;
		free(s);
	}
	return xasprintf("%.17g", f);
}

static json_t *
tagged(const char *type, const char *value, size_t len)
{
	json_t *o = json_object();

	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "value", json_stringn(value, len));
	return o;
}

static json_t *
encode_scalar(const struct toml_value *v)
{
	json_t *o;
	char *s;

	switch (v->type) {
	case TOML_STRING:
		return tagged("string", v->u.s, v->len);
	case TOML_BOOL:
		return tagged("bool", v->u.b ? "true" : "false",
		    v->u.b ? 4 : 5);
	case TOML_INTEGER:
		s = xasprintf("%" PRId64, v->u.i);
		break;
	case TOML_FLOAT:
		s = float_text(v->u.f);
		break;
	default:
		s = datetime_text(v);
		break;
	}
	o = tagged(toml_type_name(v->type), s, strlen(s));
	free(s);
	return o;
}

static json_t *
encode(const struct toml_value *v)
{
	json_t *j;

	switch (v->type) {
	case TOML_TABLE:
		j = json_object();
		for (size_t i = 0; i < v->u.tab.n; i++)
			json_object_set_new(j, v->u.tab.kv[i].key,
			    encode(v->u.tab.kv[i].val));
		return j;
	case TOML_ARRAY:
		j = json_array();
		for (size_t i = 0; i < v->u.arr.n; i++)
			json_array_append_new(j, encode(v->u.arr.items[i]));
		return j;
	default:
		return encode_scalar(v);
	}
}

int
main(void)
{
	struct buf in;
	struct toml_value *root;
	char chunk[65536], *err, *out;
	ssize_t n;
	json_t *j;
	int rc = 1;

	buf_init(&in, MAX_INPUT);
	if (buf_add(&in, "", 0) != 0)
		return 2;
	while ((n = read(STDIN_FILENO, chunk, sizeof(chunk))) > 0)
		if (buf_add(&in, chunk, (size_t)n) != 0) {
			fputs("toml-decoder: input too large\n", stderr);
			goto out;
		}
	if (n < 0) {
		perror("toml-decoder: read");
		goto out;
	}
	if (toml_parse(in.p, in.len, "stdin", &root, &err) == -1) {
		fprintf(stderr, "%s\n", err);
		free(err);
		goto out;
	}
	j = encode(root);
	toml_free(root);
	out = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS |
	    JSON_ENSURE_ASCII);
	json_decref(j);
	if (out == NULL) {
		fputs("toml-decoder: cannot encode JSON\n", stderr);
		rc = 2;
		goto out;
	}
	printf("%s\n", out);
	free(out);
	rc = 0;
out:
	buf_free(&in);
	return rc;
}
