/*
 * json-eq.c - compares two toml-test "tagged JSON" files.  Exits 0 when
 * they are equal, 1 (saying where they differ) when not, 2 on errors.
 * Objects and arrays must match exactly; tagged scalars must have the
 * same type, and their values are compared as the type demands: floats
 * numerically (any NaN equals any NaN), date-times after normalising the
 * date/time separator, "z", "+00:00"/"-00:00" and trailing zeros of the
 * fraction of a second.
 *
 *	json-eq expected.json actual.json
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static int	equal(json_t *, json_t *, const char *);

static double
to_double(const char *s)
{
	const char *p = s;
	int neg = 0;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (strcmp(p, "inf") == 0)
		return neg ? -INFINITY : INFINITY;
	if (strcmp(p, "nan") == 0)
		return NAN;
	return strtod(s, NULL);
}

/* Rewrites a date-time into one spelling per instant-as-written. */
static void
norm_datetime(const char *in, char *out, size_t sz)
{
	size_t n = 0, i, dot;

	for (i = 0; in[i] != '\0' && n + 1 < sz; i++) {
		char c = in[i];

		if (i == 10 && (c == ' ' || c == 't'))
			c = 'T';
		if (c == 'z')
			c = 'Z';
		out[n++] = c;
	}
	out[n] = '\0';
	n = strlen(out);
	if (n >= 6 && (strcmp(out + n - 6, "+00:00") == 0 ||
	    strcmp(out + n - 6, "-00:00") == 0)) {
		out[n - 6] = 'Z';
		out[n - 5] = '\0';
	}
	/* Drop trailing zeros of a fraction, and the dot if nothing is left. */
	if ((dot = strcspn(out, ".")) == strlen(out))
		return;
	i = dot + 1;
	while (out[i] >= '0' && out[i] <= '9')
		i++;
	n = i;
	while (n > dot + 1 && out[n - 1] == '0')
		n--;
	if (n == dot + 1)
		n = dot;
	memmove(out + n, out + i, strlen(out + i) + 1);
}

static int
is_tagged(json_t *j)
{
	return json_is_object(j) && json_object_size(j) == 2 &&
	    json_is_string(json_object_get(j, "type")) &&
	    json_is_string(json_object_get(j, "value"));
}

static int
differ(const char *path, const char *what)
{
	fprintf(stderr, "json-eq: %s: %s\n", *path ? path : "(root)", what);
	return 0;
}

static int
equal_scalar(json_t *a, json_t *b, const char *path)
{
	const char *ta = json_string_value(json_object_get(a, "type"));
	const char *tb = json_string_value(json_object_get(b, "type"));
	json_t *va = json_object_get(a, "value"), *vb = json_object_get(b,
	    "value");
	const char *sa = json_string_value(va), *sb = json_string_value(vb);
	char na[128], nb[128];
	double da, db;

	if (strcmp(ta, tb) != 0)
		return differ(path, "types differ");
	if (strcmp(ta, "float") == 0) {
		da = to_double(sa);
		db = to_double(sb);
		if ((isnan(da) && isnan(db)) || da == db)
			return 1;
		return differ(path, "floats differ");
	}
	if (strcmp(ta, "integer") == 0) {
		if (strtoll(sa, NULL, 10) == strtoll(sb, NULL, 10))
			return 1;
		return differ(path, "integers differ");
	}
	if (strncmp(ta, "datetime", 8) == 0 || strcmp(ta, "date-local") == 0 ||
	    strcmp(ta, "time-local") == 0) {
		norm_datetime(sa, na, sizeof(na));
		norm_datetime(sb, nb, sizeof(nb));
		if (strcmp(na, nb) == 0)
			return 1;
		return differ(path, "date-times differ");
	}
	if (json_string_length(va) == json_string_length(vb) &&
	    memcmp(sa, sb, json_string_length(va)) == 0)
		return 1;
	return differ(path, "values differ");
}

static int
equal(json_t *a, json_t *b, const char *path)
{
	const char *k;
	json_t *v;
	size_t i;
	char sub[4096];

	if (is_tagged(a) && is_tagged(b))
		return equal_scalar(a, b, path);
	if (json_is_object(a) && json_is_object(b) && !is_tagged(a) &&
	    !is_tagged(b)) {
		if (json_object_size(a) != json_object_size(b))
			return differ(path, "tables have different keys");
		json_object_foreach(a, k, v) {
			snprintf(sub, sizeof(sub), "%s.%s", path, k);
			if (json_object_get(b, k) == NULL)
				return differ(sub, "missing");
			if (!equal(v, json_object_get(b, k), sub))
				return 0;
		}
		return 1;
	}
	if (json_is_array(a) && json_is_array(b)) {
		if (json_array_size(a) != json_array_size(b))
			return differ(path, "arrays differ in length");
		json_array_foreach(a, i, v) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			if (!equal(v, json_array_get(b, i), sub))
				return 0;
		}
		return 1;
	}
	return differ(path, "kinds differ");
}

int
main(int argc, char *argv[])
{
	json_error_t e;
	json_t *a, *b;
	int rc;

	if (argc != 3) {
		fputs("usage: json-eq a.json b.json\n", stderr);
		return 2;
	}
	a = json_load_file(argv[1], JSON_ALLOW_NUL, &e);
	b = a != NULL ? json_load_file(argv[2], JSON_ALLOW_NUL, &e) : NULL;
	if (a == NULL || b == NULL) {
		fprintf(stderr, "json-eq: %s:%d: %s\n", e.source, e.line,
		    e.text);
		json_decref(a);
		return 2;
	}
	rc = equal(a, b, "") ? 0 : 1;
	json_decref(a);
	json_decref(b);
	return rc;
}
