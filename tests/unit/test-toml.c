/*
 * test-toml.c - unit tests for core/toml.c.  Most tests are tables: a
 * document and the value expected at a path ("a.b[1].c"), or an invalid
 * document and the exact "name:line:col: message" it must produce.  The
 * rest cover the API around the parser: positions, limits, files, NULs.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "toml.h"
#include "util.h"

/* Parses doc (named "t"); fails the test with the message if invalid. */
static struct toml_value *
parse_ok(const char *doc)
{
	struct toml_value *root;
	char *err = NULL;

	if (toml_parse(doc, strlen(doc), "t", &root, &err) != 0) {
		print_error("unexpected error: %s\ndocument:\n%s\n", err, doc);
		free(err);
		fail();
	}
	assert_non_null(root);
	assert_null(err);
	return root;
}

/* Parses doc and returns the error message; the caller frees it. */
static char *
parse_err(const char *doc, size_t len)
{
	struct toml_value *root = (struct toml_value *)1;
	char *err = NULL;

	if (toml_parse(doc, len, "t", &root, &err) == 0) {
		print_error("accepted invalid document:\n%s\n", doc);
		toml_free(root);
		fail();
	}
	assert_null(root);
	assert_non_null(err);
	return err;
}

/*
 * Follows a path such as "a.b[2].c" (keys without '.' or '['); an empty
 * part is the empty key, so "." is the key "" of the root.
 */
static const struct toml_value *
lookup(const struct toml_value *v, const char *path)
{
	char key[256];
	size_t n;

	while (v != NULL && *path != '\0') {
		if (*path == '[') {
			size_t i = strtoul(path + 1, NULL, 10);

			if (v->type != TOML_ARRAY || i >= v->u.arr.n)
				return NULL;
			v = v->u.arr.items[i];
			path = strchr(path, ']') + 1;
		} else {
			n = strcspn(path, ".[");
			assert_true(n < sizeof(key));
			memcpy(key, path, n);
			key[n] = '\0';
			v = toml_get(v, key);
			path += n;
		}
		if (*path == '.')
			path++;
	}
	return v;
}

/* Scalars as text (the toml-test spelling); containers as "array[n]". */
static char *
render(const struct toml_value *v)
{
	const struct toml_datetime *d = &v->u.dt;
	char frac[16] = "", off[16] = "Z";

	if (v->type >= TOML_DATETIME && v->type <= TOML_TIME_LOCAL &&
	    d->nanosecond != 0) {
		size_t n;

		snprintf(frac, sizeof(frac), ".%09d", d->nanosecond);
		for (n = strlen(frac); n > 1 && frac[n - 1] == '0'; n--)
			frac[n - 1] = '\0';
	}
	switch (v->type) {
	case TOML_STRING:
		return xstrdup(v->u.s);
	case TOML_INTEGER:
		return xasprintf("%" PRId64, v->u.i);
	case TOML_FLOAT:
		if (isnan(v->u.f))
			return xstrdup("nan");
		return xasprintf("%.17g", v->u.f);
	case TOML_BOOL:
		return xstrdup(v->u.b ? "true" : "false");
	case TOML_DATETIME:
		if (d->offset_minutes != 0)
			snprintf(off, sizeof(off), "%c%02d:%02d",
			    d->offset_minutes < 0 ? '-' : '+',
			    abs(d->offset_minutes) / 60,
			    abs(d->offset_minutes) % 60);
		return xasprintf("%04d-%02d-%02dT%02d:%02d:%02d%s%s", d->year,
		    d->month, d->day, d->hour, d->minute, d->second, frac, off);
	case TOML_DATETIME_LOCAL:
		return xasprintf("%04d-%02d-%02dT%02d:%02d:%02d%s", d->year,
		    d->month, d->day, d->hour, d->minute, d->second, frac);
	case TOML_DATE_LOCAL:
		return xasprintf("%04d-%02d-%02d", d->year, d->month, d->day);
	case TOML_TIME_LOCAL:
		return xasprintf("%02d:%02d:%02d%s", d->hour, d->minute,
		    d->second, frac);
	case TOML_ARRAY:
		return xasprintf("array[%zu]", v->u.arr.n);
	case TOML_TABLE:
		return xasprintf("table[%zu]", v->u.tab.n);
	}
	return xstrdup("?");
}

struct valid_case {
	const char	*doc;
	const char	*path;
	enum toml_type	 type;
	const char	*want;		/* render() of the value */
};

static const struct valid_case valid_cases[] = {
	/* strings */
	{ "a = \"hello\"", "a", TOML_STRING, "hello" },
	{ "a = \"\"", "a", TOML_STRING, "" },
	{ "a = \"tab\there\"", "a", TOML_STRING, "tab\there" },
	{ "a = \"\\b\\t\\n\\f\\r\\\"\\\\\"", "a", TOML_STRING,
	    "\b\t\n\f\r\"\\" },
	{ "a = \"\\u00e9\\U0001F600\"", "a", TOML_STRING,
	    "\xc3\xa9\xf0\x9f\x98\x80" },
	{ "a = \"\\U0010FFFF\"", "a", TOML_STRING, "\xf4\x8f\xbf\xbf" },
	{ "a = \"\\uD7FF\\uE000\"", "a", TOML_STRING,
	    "\xed\x9f\xbf\xee\x80\x80" },
	{ "a = 'C:\\Users\\x'", "a", TOML_STRING, "C:\\Users\\x" },
	{ "a = '\"quoted\"'", "a", TOML_STRING, "\"quoted\"" },
	{ "a = \"\"\"\nline1\nline2\"\"\"", "a", TOML_STRING, "line1\nline2" },
	{ "a = \"\"\"\r\nline1\r\nline2\"\"\"", "a", TOML_STRING,
	    "line1\nline2" },
	{ "a = \"\"\"\n\nkept\"\"\"", "a", TOML_STRING, "\nkept" },
	{ "a = \"\"\"one \\\n   two \\  \t\n\n  three\"\"\"", "a", TOML_STRING,
	    "one two three" },
	{ "a = \"\"\"x \\\r\n y\"\"\"", "a", TOML_STRING, "x y" },
	{ "a = \"\"\"\"\"x\"\"\"\"\"", "a", TOML_STRING, "\"\"x\"\"" },
	{ "a = \"\"\"a\"b\"\"c\"\"\"", "a", TOML_STRING, "a\"b\"\"c" },
	{ "a = '''\nraw \\n'''", "a", TOML_STRING, "raw \\n" },
	{ "a = '''''x'''''", "a", TOML_STRING, "''x''" },
	{ "a = \"\"\"\"\"\"", "a", TOML_STRING, "" },
	{ "a = '''\n'''", "a", TOML_STRING, "" },
	{ "a = \"a # b\" # c", "a", TOML_STRING, "a # b" },
	/* integers */
	{ "a = 0", "a", TOML_INTEGER, "0" },
	{ "a = +17", "a", TOML_INTEGER, "17" },
	{ "a = -0", "a", TOML_INTEGER, "0" },
	{ "a = 1_000_000", "a", TOML_INTEGER, "1000000" },
	{ "a = 0xDEAD_beef", "a", TOML_INTEGER, "3735928559" },
	{ "a = 0x00ff", "a", TOML_INTEGER, "255" },
	{ "a = 0o755", "a", TOML_INTEGER, "493" },
	{ "a = 0b1101_0110", "a", TOML_INTEGER, "214" },
	{ "a = 9223372036854775807", "a", TOML_INTEGER,
	    "9223372036854775807" },
	{ "a = -9223372036854775808", "a", TOML_INTEGER,
	    "-9223372036854775808" },
	{ "a = 0x7fffffffffffffff", "a", TOML_INTEGER,
	    "9223372036854775807" },
	{ "a = 0o777777777777777777777", "a", TOML_INTEGER,
	    "9223372036854775807" },
	/* floats */
	{ "a = 1.5", "a", TOML_FLOAT, "1.5" },
	{ "a = -0.25", "a", TOML_FLOAT, "-0.25" },
	{ "a = 5e+22", "a", TOML_FLOAT, "4.9999999999999996e+22" },
	{ "a = 1e06", "a", TOML_FLOAT, "1000000" },
	{ "a = -2E-2", "a", TOML_FLOAT, "-0.02" },
	{ "a = 1_0.5e1_0", "a", TOML_FLOAT, "105000000000" },
	{ "a = 0e0", "a", TOML_FLOAT, "0" },
	{ "a = -0.0", "a", TOML_FLOAT, "-0" },
	{ "a = inf", "a", TOML_FLOAT, "inf" },
	{ "a = +inf", "a", TOML_FLOAT, "inf" },
	{ "a = -inf", "a", TOML_FLOAT, "-inf" },
	{ "a = nan", "a", TOML_FLOAT, "nan" },
	{ "a = -nan", "a", TOML_FLOAT, "nan" },
	/* booleans */
	{ "a = true", "a", TOML_BOOL, "true" },
	{ "a = false", "a", TOML_BOOL, "false" },
	/* date-times */
	{ "a = 1979-05-27T07:32:00Z", "a", TOML_DATETIME,
	    "1979-05-27T07:32:00Z" },
	{ "a = 1979-05-27t07:32:00z", "a", TOML_DATETIME,
	    "1979-05-27T07:32:00Z" },
	{ "a = 1979-05-27 07:32:00-07:30", "a", TOML_DATETIME,
	    "1979-05-27T07:32:00-07:30" },
	{ "a = 1979-05-27T00:32:00.999999+01:00", "a", TOML_DATETIME,
	    "1979-05-27T00:32:00.999999+01:00" },
	{ "a = 1979-05-27T07:32:00", "a", TOML_DATETIME_LOCAL,
	    "1979-05-27T07:32:00" },
	{ "a = 1979-05-27 07:32:00.5", "a", TOML_DATETIME_LOCAL,
	    "1979-05-27T07:32:00.5" },
	{ "a = 1979-05-27", "a", TOML_DATE_LOCAL, "1979-05-27" },
	{ "a = 2000-02-29", "a", TOML_DATE_LOCAL, "2000-02-29" },
	{ "a = 07:32:00", "a", TOML_TIME_LOCAL, "07:32:00" },
	{ "a = 23:59:59.1234567899", "a", TOML_TIME_LOCAL,
	    "23:59:59.123456789" },
	{ "a = 1979-05-27 # date only", "a", TOML_DATE_LOCAL, "1979-05-27" },
	/* arrays */
	{ "a = [1, 2, 3]", "a", TOML_ARRAY, "array[3]" },
	{ "a = [1, 2, 3, ]", "a[2]", TOML_INTEGER, "3" },
	{ "a = []", "a", TOML_ARRAY, "array[0]" },
	{ "a = [\n  1, # one\n\n  # two\n  2\n]", "a[1]", TOML_INTEGER, "2" },
	{ "a = [[1], [\"x\", [true]]]", "a[1][1][0]", TOML_BOOL, "true" },
	{ "a = [1, 'x', 2.5, {b = 1}]", "a[3].b", TOML_INTEGER, "1" },
	{ "a = [1979-05-27 07:32:00, 1]", "a[0]", TOML_DATETIME_LOCAL,
	    "1979-05-27T07:32:00" },
	/* inline tables */
	{ "a = {b = 1, c = \"x\"}", "a.c", TOML_STRING, "x" },
	{ "a = {}", "a", TOML_TABLE, "table[0]" },
	{ "a = {b.c = 1, b.d = 2}", "a.b.d", TOML_INTEGER, "2" },
	{ "a = {b = {c = [ {d = 1} ]}}", "a.b.c[0].d", TOML_INTEGER, "1" },
	/* keys */
	{ "bare_key-1 = 1", "bare_key-1", TOML_INTEGER, "1" },
	{ "1234 = 1", "1234", TOML_INTEGER, "1" },
	{ "\"quoted key\" = 1", "quoted key", TOML_INTEGER, "1" },
	{ "'literal \"key\"' = 1", "literal \"key\"", TOML_INTEGER, "1" },
	{ "\"\" = 1", ".", TOML_INTEGER, "1" },
	{ "\"\\u00e9\" = 1", "\xc3\xa9", TOML_INTEGER, "1" },
	{ "a . b\t.\tc = 1", "a.b.c", TOML_INTEGER, "1" },
	{ "3.14 = 'pi'", "3.14", TOML_STRING, "pi" },
	{ "true = 1\nfalse = 2\ninf = 3", "inf", TOML_INTEGER, "3" },
	{ "a.b = 1\na.c = 2", "a", TOML_TABLE, "table[2]" },
	{ "x.a = 1\ny.a = 2\nx.b = 3", "x.b", TOML_INTEGER, "3" },
	/* tables */
	{ "[t]\na = 1", "t.a", TOML_INTEGER, "1" },
	{ "[ a . \"b.c\" . 'd' ]\nx = 1", "a", TOML_TABLE, "table[1]" },
	{ "[a.b.c]\n[a]\nx = 1", "a.x", TOML_INTEGER, "1" },
	{ "[a]\nx = 1\n[a.b.c]\ny = 2", "a.b.c.y", TOML_INTEGER, "2" },
	{ "[a]\nb.c = 1\n[a.b.d]\ne = 2", "a.b.d.e", TOML_INTEGER, "2" },
	{ "a.b.c = 1\n[a.d]\ne = 2", "a.d.e", TOML_INTEGER, "2" },
	{ "[a.b.c]\n[a]\nb.d = 1", "a.b.d", TOML_INTEGER, "1" },
	{ "[\"\"]\na = 1", ".a", TOML_INTEGER, "1" },
	{ "[a]#c\n[b] # c\n", "b", TOML_TABLE, "table[0]" },
	/* arrays of tables */
	{ "[[p]]\nn = 1\n[[p]]\n[[p]]\nn = 3", "p[2].n", TOML_INTEGER, "3" },
	{ "[[p]]\nn = 1\n[[p]]\n[[p]]\nn = 3", "p[1]", TOML_TABLE,
	    "table[0]" },
	{ "[[f]]\n[f.x]\na = 1\n[[f.v]]\nb = 2\n[[f]]\n[[f.v]]\nb = 3",
	    "f[1].v[0].b", TOML_INTEGER, "3" },
	{ "[[a.b]]\nx = 1\n[a]\ny = 2", "a.b[0].x", TOML_INTEGER, "1" },
	{ "[[a]]\nb.c = 1\n[[a]]\nb.c = 2", "a[1].b.c", TOML_INTEGER, "2" },
	{ "[[ a ]]\n[[\ta\t]]", "a", TOML_ARRAY, "array[2]" },
	/* documents */
	{ "", "", TOML_TABLE, "table[0]" },
	{ "# only a comment", "", TOML_TABLE, "table[0]" },
	{ "\xef\xbb\xbf" "a = 1", "a", TOML_INTEGER, "1" },
	{ "a = 1\r\nb = 2\r\n", "b", TOML_INTEGER, "2" },
	{ "a = 1 # no newline at the end", "a", TOML_INTEGER, "1" },
	{ "# \xe6\x97\xa5\xe6\x9c\xac\na = \"\xc3\xa9\"", "a", TOML_STRING,
	    "\xc3\xa9" },
	{ "\t a \t=\t 1 \t", "a", TOML_INTEGER, "1" },
};

static void
test_valid_table(void **state)
{
	const struct valid_case *c;
	const struct toml_value *v;
	struct toml_value *root;
	char *got;

	(void)state;
	for (size_t i = 0; i < sizeof(valid_cases) / sizeof(*c); i++) {
		c = &valid_cases[i];
		root = parse_ok(c->doc);
		if ((v = lookup(root, c->path)) == NULL) {
			print_error("case %zu: no value at '%s'\n", i, c->path);
			fail();
		}
		if (v->type != c->type) {
			print_error("case %zu (%s): type %s, want %s\n", i, c->doc,
			    toml_type_name(v->type), toml_type_name(c->type));
			fail();
		}
		got = render(v);
		if (strcmp(got, c->want) != 0) {
			print_error("case %zu (%s): got '%s', want '%s'\n", i,
			    c->doc, got, c->want);
			fail();
		}
		free(got);
		toml_free(root);
	}
}

struct invalid_case {
	const char	*doc;
	const char	*want;		/* the whole error message */
};

static const struct invalid_case invalid_cases[] = {
	/* encoding and control characters */
	{ "a = \"\xff\"", "t:1:6: invalid UTF-8" },
	{ "a = 1\n# \xc0\xaf", "t:2:3: invalid UTF-8" },
	{ "a = \"\xed\xa0\x80\"", "t:1:6: invalid UTF-8" },
	{ "a = \"\xf4\x90\x80\x80\"", "t:1:6: invalid UTF-8" },
	{ "# \xe6\x97", "t:1:3: invalid UTF-8" },
	{ "a = \"\xc3\xa9\x01\"", "t:1:7: control character U+0001 not "
	    "allowed" },
	{ "a = 1 # \x7f", "t:1:9: control character U+007F not allowed" },
	{ "a = 'x\x1b'", "t:1:7: control character U+001B not allowed" },
	{ "a = 1\rb = 2", "t:1:6: carriage return not followed by line "
	    "feed" },
	{ "a = \"\"\"x\ry\"\"\"", "t:1:9: carriage return not followed by "
	    "line feed" },
	{ "a = 1\n\xef\xbb\xbf" "b = 1", "t:2:1: invalid character in key "
	    "(only A-Z a-z 0-9 _ - may be unquoted)" },
	/* strings */
	{ "a = \"\\a\"", "t:1:6: invalid escape sequence '\\a'" },
	{ "a = \"\\x41\"", "t:1:6: invalid escape sequence '\\x'" },
	{ "a = \"\\e\"", "t:1:6: invalid escape sequence '\\e'" },
	{ "a = \"\\ \"", "t:1:6: invalid escape sequence" },
	{ "a = \"\\u12\"", "t:1:6: invalid escape: \\u needs 4 "
	    "hexadecimal digits" },
	{ "a = \"\\U1234567\"", "t:1:6: invalid escape: \\U needs 8 "
	    "hexadecimal digits" },
	{ "a = \"\\uD800\"", "t:1:6: invalid escape: U+D800 is not a "
	    "Unicode scalar value" },
	{ "a = \"\\U00110000\"", "t:1:6: invalid escape: U+110000 is not a "
	    "Unicode scalar value" },
	{ "a = \"abc", "t:1:5: unterminated string" },
	{ "a = \"ab\nc\"", "t:1:5: unterminated string" },
	{ "a = 'ab\nc'", "t:1:5: unterminated string" },
	{ "\n  a = \"\"\"abc\n", "t:2:7: unterminated multi-line string" },
	{ "a = '''abc''", "t:1:5: unterminated multi-line string" },
	{ "a = \"\"\"x\"\"\"\"\"\"", "t:1:14: too many quotes at the end of "
	    "a multi-line string" },
	{ "a = '''x''''''", "t:1:14: too many quotes at the end of a "
	    "multi-line string" },
	{ "a = \"\"\"a\\ b\"\"\"", "t:1:9: invalid escape sequence" },
	{ "\"\"\"k\"\"\" = 1", "t:1:1: multi-line strings cannot be keys" },
	{ "a = \"x\" \"y\"", "t:1:9: expected a newline after the key/value "
	    "pair" },
	{ "a = hello", "t:1:5: invalid value 'hello' (strings need "
	    "quotes)" },
	/* integers */
	{ "a = 01", "t:1:5: leading zeros are not allowed" },
	{ "a = -0_1", "t:1:5: leading zeros are not allowed" },
	{ "a = 1__2", "t:1:6: underscores must stand between digits" },
	{ "a = 12_", "t:1:7: underscores must stand between digits" },
	{ "a = _12", "t:1:5: underscores must stand between digits" },
	{ "a = 0X1F", "t:1:6: invalid number" },
	{ "a = +0x1F", "t:1:5: a sign is only allowed on decimal numbers" },
	{ "a = -0b1", "t:1:5: a sign is only allowed on decimal numbers" },
	{ "a = 0x", "t:1:5: invalid hexadecimal integer" },
	{ "a = 0o8", "t:1:5: invalid octal integer" },
	{ "a = 0b102", "t:1:5: invalid binary integer" },
	{ "a = 0x_1", "t:1:7: underscores must stand between digits" },
	{ "a = 9223372036854775808", "t:1:5: integer out of range" },
	{ "a = -9223372036854775809", "t:1:5: integer out of range" },
	{ "a = 0x8000000000000000", "t:1:5: integer out of range" },
	{ "a = ++1", "t:1:6: invalid number" },
	{ "a = 1 2", "t:1:7: expected a newline after the key/value pair" },
	/* floats */
	{ "a = .5", "t:1:5: invalid number" },
	{ "a = 1.", "t:1:7: a decimal point needs digits on both sides" },
	{ "a = 1.e5", "t:1:7: a decimal point needs digits on both sides" },
	{ "a = 1e", "t:1:7: an exponent needs digits" },
	{ "a = 1e+", "t:1:8: an exponent needs digits" },
	{ "a = 1.2.3", "t:1:8: invalid number" },
	{ "a = 03.14", "t:1:5: leading zeros are not allowed" },
	{ "a = 1_.5", "t:1:6: underscores must stand between digits" },
	{ "a = 1._5", "t:1:7: underscores must stand between digits" },
	{ "a = 1e_5", "t:1:7: underscores must stand between digits" },
	{ "a = Inf", "t:1:5: invalid value 'Inf' (strings need quotes)" },
	{ "a = nan1", "t:1:5: invalid value 'nan1' (strings need quotes)" },
	{ "a = 1e400", "t:1:5: float out of range" },
	/* booleans */
	{ "a = True", "t:1:5: invalid value 'True' (strings need quotes)" },
	{ "a = truefalse", "t:1:5: invalid value 'truefalse' (strings need "
	    "quotes)" },
	/* date-times */
	{ "a = 1979-13-01", "t:1:5: date out of range" },
	{ "a = 1979-00-01", "t:1:5: date out of range" },
	{ "a = 2023-02-29", "t:1:5: date out of range" },
	{ "a = 1900-02-29", "t:1:5: date out of range" },
	{ "a = 2023-04-31", "t:1:5: date out of range" },
	{ "a = 24:00:00", "t:1:5: time out of range" },
	{ "a = 1979-05-27T07:60:00", "t:1:16: time out of range" },
	{ "a = 1979-05-27T07:32:60Z", "t:1:16: time out of range" },
	{ "a = 07:32", "t:1:5: invalid time (expected HH:MM:SS)" },
	{ "a = 1979-5-27", "t:1:5: invalid date (expected YYYY-MM-DD)" },
	{ "a = 1979-05-27T", "t:1:16: invalid time (expected HH:MM:SS)" },
	{ "a = 07:32:00.", "t:1:14: fractional seconds need digits" },
	{ "a = 1979-05-27T07:32:00+0700", "t:1:24: invalid time offset "
	    "(expected Z or +HH:MM)" },
	{ "a = 1979-05-27T07:32:00+24:00", "t:1:24: time offset out of "
	    "range" },
	{ "a = 07:32:00Z", "t:1:13: invalid time" },
	{ "a = 1979-05-27X07:32:00", "t:1:15: invalid date-time" },
	/* arrays */
	{ "a = [1, 2", "t:1:5: unterminated array" },
	{ "a = [1 2]", "t:1:8: expected ',' or ']' in array" },
	{ "a = [1,,2]", "t:1:8: expected a value, found ','" },
	{ "a = [,]", "t:1:6: expected a value, found ','" },
	{ "a = [1}", "t:1:7: expected ',' or ']' in array" },
	/* inline tables */
	{ "a = {\nb = 1}", "t:1:6: inline tables must be on a single line" },
	{ "a = {b = 1,}", "t:1:12: trailing comma not allowed in inline "
	    "table" },
	{ "a = {b = 1 c = 2}", "t:1:12: expected ',' or '}' in inline "
	    "table" },
	{ "a = {b = 1", "t:1:5: unterminated inline table" },
	{ "a = {b = 1, b = 2}", "t:1:13: duplicate key 'b': it is already "
	    "an integer (line 1)" },
	{ "a = {b.c = 1, b = 2}", "t:1:15: duplicate key 'b': it is already "
	    "a table (line 1)" },
	{ "a = {b = {}, b.c = 2}", "t:1:14: cannot add keys to 'b': it is "
	    "already an inline table (line 1)" },
	{ "a = {b = 1}\na.c = 2", "t:2:1: cannot add keys to 'a': it is "
	    "already an inline table (line 1)" },
	{ "a = {}\n[a]", "t:2:2: cannot define table 'a': it is already an "
	    "inline table (line 1)" },
	{ "a = {}\n[a.b]", "t:2:2: cannot define a table under 'a': it is "
	    "already an inline table (line 1)" },
	{ "a = {b = []}\n[[a.b]]", "t:2:3: cannot define a table under 'a': "
	    "it is already an inline table (line 1)" },
	/* keys */
	{ "a =", "t:1:4: expected a value" },
	{ "a", "t:1:2: expected '=' after key" },
	{ "a = 1 b = 2", "t:1:7: expected a newline after the key/value "
	    "pair" },
	{ "a$ = 1", "t:1:2: expected '=' after key, found '$'" },
	{ "a b = 1", "t:1:3: expected '=' after key, found 'b'" },
	{ ".a = 1", "t:1:1: expected a key, found '.'" },
	{ "a. = 1", "t:1:4: expected a key, found '='" },
	{ "a..b = 1", "t:1:3: expected a key, found '.'" },
	{ "= 1", "t:1:1: expected a key, found '='" },
	{ "\xc3\xa9 = 1", "t:1:1: invalid character in key (only A-Z a-z "
	    "0-9 _ - may be unquoted)" },
	{ "a = = 1", "t:1:5: expected a value, found '='" },
	{ "a = 1\na = 2", "t:2:1: duplicate key 'a': it is already an "
	    "integer (line 1)" },
	{ "a = 1\n\"\\u0061\" = 2", "t:2:1: duplicate key 'a': it is already "
	    "an integer (line 1)" },
	{ "\"\\n\" = 1\n\"\\n\" = 2", "t:2:1: duplicate key '\\u000a': it is "
	    "already an integer (line 1)" },
	{ "a = 1\na.b = 2", "t:2:1: cannot add keys to 'a': it is already "
	    "an integer (line 1)" },
	{ "a.b = 1\na = 2", "t:2:1: duplicate key 'a': it is already a "
	    "table (line 1)" },
	{ "a = [1]\na.b = 2", "t:2:1: cannot add keys to 'a': it is already "
	    "an array (line 1)" },
	{ "[a.b]\n[a]\nb.c = 1", "t:3:1: cannot add dotted keys to 'b': it "
	    "is already a table defined by a header (line 1)" },
	{ "[[a.b]]\n[a]\nb.c = 1", "t:3:1: cannot add keys to 'b': it is "
	    "already an array of tables (line 1)" },
	/* tables */
	{ "[a]\n[a]", "t:2:2: cannot define table 'a': it is already "
	    "defined (line 1)" },
	{ "[a.b]\n[a]\n[a]", "t:3:2: cannot define table 'a': it is "
	    "already defined (line 2)" },
	{ "a = 1\n[a]", "t:2:2: cannot define table 'a': it is already an "
	    "integer (line 1)" },
	{ "a.b = 1\n[a]", "t:2:2: cannot define table 'a': it is already a "
	    "table made by dotted keys (line 1)" },
	{ "[f]\na.b.c = 1\n[f.a.b]", "t:3:6: cannot define table 'b': it is "
	    "already a table made by dotted keys (line 2)" },
	{ "a = [{}]\n[a.b]", "t:2:2: cannot define a table under 'a': it is "
	    "already an array (line 1)" },
	{ "[[a]]\n[a]", "t:2:2: cannot define table 'a': it is already an "
	    "array of tables (line 1)" },
	{ "[a]\n[[a]]", "t:2:3: cannot define array of tables 'a': it is "
	    "already a table (line 1)" },
	{ "a = []\n[[a]]", "t:2:3: cannot define array of tables 'a': it is "
	    "already an array (line 1)" },
	{ "[[x.y]]\n[[x]]", "t:2:3: cannot define array of tables 'x': it "
	    "is already a table (line 1)" },
	{ "[]", "t:1:2: expected a key, found ']'" },
	{ "[a.]", "t:1:4: expected a key, found ']'" },
	{ "[a", "t:1:3: expected ']' to close the table header" },
	{ "[[a]", "t:1:4: expected ']]' to close the array of tables "
	    "header" },
	{ "[[a] ]", "t:1:4: expected ']]' to close the array of tables "
	    "header" },
	{ "[ [a]]", "t:1:3: expected a key, found '['" },
	{ "[a] b = 1", "t:1:5: expected a newline after the table header" },
	{ "[a b]", "t:1:4: expected ']' to close the table header" },
	/* columns count characters, not bytes */
	{ "\"\xc3\xa9\xc3\xa9\" = 1 x", "t:1:10: expected a newline after "
	    "the key/value pair" },
	{ "a = \"\xf0\x9f\x98\x80\\q\"", "t:1:7: invalid escape sequence "
	    "'\\q'" },
	{ "a = 1\r\nb = 1\r\nb = 2", "t:3:1: duplicate key 'b': it is "
	    "already an integer (line 2)" },
};

static void
test_invalid_table(void **state)
{
	const struct invalid_case *c;
	char *err;

	(void)state;
	for (size_t i = 0; i < sizeof(invalid_cases) / sizeof(*c); i++) {
		c = &invalid_cases[i];
		err = parse_err(c->doc, strlen(c->doc));
		if (strcmp(err, c->want) != 0) {
			print_error("case %zu:\n%s\ngot:  %s\nwant: %s\n", i,
			    c->doc, err, c->want);
			fail();
		}
		free(err);
	}
}

/* Where keys and values were written. */
static void
test_positions(void **state)
{
	const char *doc =
	    "# header\n"
	    "title = \"x\"\n"
	    "[server]\n"
	    "  port = 8080\n"
	    "  tls.cert = '/etc/c'\n"
	    "\"\xc3\xa9t\xc3\xa9\" = [1,\n"
	    "   2]\n"
	    "[[group]]\n"
	    "name = {a = 1}\n";
	struct toml_value *root = parse_ok(doc);
	const struct toml_value *server, *v, *g;
	const struct toml_kv *kv;

	(void)state;
	kv = toml_get_kv(root, "title");
	assert_non_null(kv);
	assert_int_equal(kv->line, 2);
	assert_int_equal(kv->col, 1);
	assert_int_equal(kv->val->line, 2);
	assert_int_equal(kv->val->col, 9);

	kv = toml_get_kv(root, "server");
	assert_int_equal(kv->line, 3);
	assert_int_equal(kv->col, 2);
	server = kv->val;
	assert_int_equal(server->line, 3);
	assert_int_equal(server->col, 1);

	kv = toml_get_kv(server, "port");
	assert_int_equal(kv->line, 4);
	assert_int_equal(kv->col, 3);
	assert_int_equal(kv->val->col, 10);

	kv = toml_get_kv(server, "tls");
	assert_int_equal(kv->line, 5);
	assert_int_equal(kv->col, 3);
	kv = toml_get_kv(kv->val, "cert");
	assert_int_equal(kv->line, 5);
	assert_int_equal(kv->col, 7);
	assert_int_equal(kv->val->col, 14);

	/* Columns count characters: "é" is one column. */
	kv = toml_get_kv(server, "\xc3\xa9t\xc3\xa9");
	assert_non_null(kv);
	assert_int_equal(kv->line, 6);
	assert_int_equal(kv->col, 1);
	assert_int_equal(kv->val->col, 9);
	v = lookup(server, "\xc3\xa9t\xc3\xa9[1]");
	assert_int_equal(v->line, 7);
	assert_int_equal(v->col, 4);

	g = lookup(root, "group[0]");
	assert_int_equal(g->line, 8);
	assert_int_equal(g->col, 1);
	kv = toml_get_kv(g, "name");
	assert_int_equal(kv->line, 9);
	assert_int_equal(kv->val->col, 8);
	kv = toml_get_kv(kv->val, "a");
	assert_int_equal(kv->col, 9);
	assert_int_equal(kv->val->col, 13);
	toml_free(root);
}

/* An implicit table takes the position of its explicit definition. */
static void
test_positions_implicit(void **state)
{
	struct toml_value *root = parse_ok("[a.b]\nx = 1\n\n  [a]\ny = 2\n");
	const struct toml_kv *kv = toml_get_kv(root, "a");

	(void)state;
	assert_int_equal(kv->line, 4);
	assert_int_equal(kv->col, 4);
	assert_int_equal(kv->val->line, 4);
	assert_int_equal(kv->val->col, 3);
	toml_free(root);
}

static void
test_datetime_fields(void **state)
{
	struct toml_value *root = parse_ok(
	    "a = 2024-02-29T23:59:58.123456789-05:30\n"
	    "b = 12:34:56.000001\n");
	const struct toml_datetime *d = &toml_get(root, "a")->u.dt;

	(void)state;
	assert_int_equal(d->year, 2024);
	assert_int_equal(d->month, 2);
	assert_int_equal(d->day, 29);
	assert_int_equal(d->hour, 23);
	assert_int_equal(d->minute, 59);
	assert_int_equal(d->second, 58);
	assert_int_equal(d->nanosecond, 123456789);
	assert_int_equal(d->offset_minutes, -330);
	d = &toml_get(root, "b")->u.dt;
	assert_int_equal(d->year, 0);
	assert_int_equal(d->hour, 12);
	assert_int_equal(d->nanosecond, 1000);
	toml_free(root);
}

static void
test_float_values(void **state)
{
	struct toml_value *root = parse_ok("a = inf\nb = -inf\nc = nan\n"
	    "d = 6.626e-34\ne = -0.0\nf = 1e-400\n");

	(void)state;
	assert_true(isinf(toml_get(root, "a")->u.f) &&
	    toml_get(root, "a")->u.f > 0);
	assert_true(isinf(toml_get(root, "b")->u.f) &&
	    toml_get(root, "b")->u.f < 0);
	assert_true(isnan(toml_get(root, "c")->u.f));
	assert_true(toml_get(root, "d")->u.f == 6.626e-34);
	assert_true(signbit(toml_get(root, "e")->u.f));
	/* Underflow is not an error: the value is as close as it gets. */
	assert_true(toml_get(root, "f")->u.f == 0.0);
	toml_free(root);
}

/* Strings may hold U+0000; keys may not (toml_kv has no length). */
static void
test_nul(void **state)
{
	struct toml_value *root = parse_ok("a = \"x\\u0000y\"\n");
	const struct toml_value *v = toml_get(root, "a");
	char *err;

	(void)state;
	assert_int_equal(v->len, 3);
	assert_memory_equal(v->u.s, "x\0y", 4);
	toml_free(root);

	err = parse_err("\"a\\u0000b\" = 1", 14);
	assert_string_equal(err, "t:1:1: keys containing U+0000 are not "
	    "supported");
	free(err);
	/* A raw NUL byte is a control character wherever it is. */
	err = parse_err("a = 1\0", 6);
	assert_string_equal(err, "t:1:6: control character U+0000 not "
	    "allowed");
	free(err);
}

/* The text need not be NUL-terminated: only len bytes are read. */
static void
test_length_bound(void **state)
{
	const char doc[] = "a = 12345";
	struct toml_value *root;
	char *err = NULL;

	(void)state;
	assert_int_equal(toml_parse(doc, 6, "t", &root, &err), 0);
	assert_int_equal(toml_get(root, "a")->u.i, 12);
	toml_free(root);
	assert_int_equal(toml_parse(NULL, 0, NULL, &root, NULL), 0);
	assert_int_equal(root->u.tab.n, 0);
	toml_free(root);
	/* err may be NULL; the name defaults. */
	assert_int_equal(toml_parse("=", 1, NULL, &root, NULL), -1);
	assert_null(root);
	assert_int_equal(toml_parse("=", 1, NULL, &root, &err), -1);
	assert_string_equal(err, "<toml>:1:1: expected a key, found '='");
	free(err);
}

static char *
repeat(const char *s, int n)
{
	size_t len = strlen(s);
	char *p = xmalloc(len * (size_t)n + 1);

	for (int i = 0; i < n; i++)
		memcpy(p + len * (size_t)i, s, len);
	p[len * (size_t)n] = '\0';
	return p;
}

/* Nesting is bounded so that hostile input cannot exhaust the stack. */
static void
test_depth_limit(void **state)
{
	struct toml_value *root;
	char *open, *close, *doc, *err;

	(void)state;
	/* 256 levels below the root are fine. */
	open = repeat("[", 256);
	close = repeat("]", 256);
	doc = xasprintf("a = %s%s", open, close);
	root = parse_ok(doc);
	toml_free(root);
	free(doc);
	free(open);
	free(close);

	open = repeat("[", 257);
	close = repeat("]", 257);
	doc = xasprintf("a = %s%s", open, close);
	err = parse_err(doc, strlen(doc));
	assert_string_equal(err, "t:1:261: nesting deeper than 256 levels");
	free(err);
	free(doc);
	free(open);
	free(close);

	open = repeat("{b=", 300);
	close = repeat("}", 300);
	doc = xasprintf("a = %s1%s", open, close);
	err = parse_err(doc, strlen(doc));
	assert_non_null(strstr(err, "nesting deeper than 256 levels"));
	free(err);
	free(doc);
	free(open);
	free(close);

	open = repeat("a.", 300);
	doc = xasprintf("%sb = 1", open);
	err = parse_err(doc, strlen(doc));
	assert_string_equal(err, "t:1:513: key has more than 256 parts");
	free(err);
	free(doc);
	free(open);

	/* Headers and dotted keys add up: 200 + 100 levels. */
	open = repeat("a.", 199);
	close = repeat("b.", 99);
	doc = xasprintf("[%sa]\n%sb = [1]", open, close);
	err = parse_err(doc, strlen(doc));
	assert_non_null(strstr(err, "nesting deeper than 256 levels"));
	free(err);
	free(doc);
	free(open);
	free(close);

	/* Many arrays of tables deep. */
	open = repeat("a.", 127);
	doc = xasprintf("[[%sa]]\n[[%sa]]\n", open, open);
	root = parse_ok(doc);
	toml_free(root);
	free(doc);
	free(open);
}

/* Large tables stay fast (hashed) and still catch duplicates. */
static void
test_big_table(void **state)
{
	struct buf b;
	struct toml_value *root;
	char *err;

	(void)state;
	buf_init(&b, 16 * 1024 * 1024);
	for (int i = 0; i < 20000; i++)
		assert_int_equal(buf_printf(&b, "k%d = %d\n", i, i), 0);
	assert_int_equal(buf_printf(&b, "[t]\n"), 0);
	for (int i = 0; i < 20000; i++)
		assert_int_equal(buf_printf(&b, "k%d.x = %d\n", i, i), 0);
	root = parse_ok(b.p);
	assert_int_equal(root->u.tab.n, 20001);
	assert_int_equal(toml_get(root, "k19999")->u.i, 19999);
	assert_int_equal(lookup(root, "t.k123.x")->u.i, 123);
	toml_free(root);

	assert_int_equal(buf_printf(&b, "k7.x = 1\n"), 0);
	err = parse_err(b.p, b.len);
	assert_string_equal(err, "t:40002:4: duplicate key 'x': it is "
	    "already an integer (line 20009)");
	free(err);
	buf_free(&b);
}

static void
test_get_api(void **state)
{
	struct toml_value *root = parse_ok("a = 1\n[t]\nb = 'x'\n");
	const struct toml_value *t = toml_get(root, "t");

	(void)state;
	assert_non_null(t);
	assert_int_equal(t->type, TOML_TABLE);
	assert_null(toml_get(root, "missing"));
	assert_null(toml_get(NULL, "a"));
	assert_null(toml_get(toml_get(root, "a"), "a"));
	assert_null(toml_get_kv(root, NULL));
	assert_string_equal(toml_get_kv(t, "b")->key, "b");
	assert_string_equal(toml_type_name(TOML_STRING), "string");
	assert_string_equal(toml_type_name(TOML_DATETIME), "datetime");
	assert_string_equal(toml_type_name(TOML_DATETIME_LOCAL),
	    "datetime-local");
	assert_string_equal(toml_type_name(TOML_DATE_LOCAL), "date-local");
	assert_string_equal(toml_type_name(TOML_TIME_LOCAL), "time-local");
	assert_string_equal(toml_type_name(TOML_TABLE), "table");
	assert_string_equal(toml_type_name((enum toml_type)99), "unknown");
	toml_free(root);
	toml_free(NULL);
}

/* Long or unprintable keys are shown safely in messages. */
static void
test_key_display(void **state)
{
	char *err;
	const char *doc = "\"0123456789012345678901234567890123456789"
	    "\xc3\xa9xyz\" = 1\n\"0123456789012345678901234567890123456789"
	    "\xc3\xa9xyz\" = 2\n";

	(void)state;
	err = parse_err(doc, strlen(doc));
	assert_string_equal(err, "t:2:1: duplicate key '0123456789012345678"
	    "901234567890123456789...': it is already an integer (line 1)");
	free(err);
	doc = "\"\\t\\u007f\" = 1\n\"\\t\\u007f\" = 2";
	err = parse_err(doc, strlen(doc));
	assert_string_equal(err, "t:2:1: duplicate key '\\u0009\\u007f': it "
	    "is already an integer (line 1)");
	free(err);
}

static void
test_parse_file(void **state)
{
	char path[] = "/tmp/test-toml.XXXXXX", *err = NULL, *big;
	struct toml_value *root;
	FILE *f;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(f = fdopen(fd, "w"));
	fputs("[a]\nb = 1\nb = 2\n", f);
	fclose(f);
	assert_int_equal(toml_parse_file(path, &root, &err), -1);
	assert_null(root);
	big = xasprintf("%s:3:1: duplicate key 'b': it is already an "
	    "integer (line 2)", path);
	assert_string_equal(err, big);
	free(big);
	free(err);

	assert_non_null(f = fopen(path, "w"));
	fputs("[a]\nb = 1\n", f);
	fclose(f);
	assert_int_equal(toml_parse_file(path, &root, &err), 0);
	assert_int_equal(lookup(root, "a.b")->u.i, 1);
	toml_free(root);

	/* Just over 4 MiB: refused before parsing. */
	assert_non_null(f = fopen(path, "w"));
	big = xmalloc(4 * 1024 * 1024 + 1);
	memset(big, '\n', 4 * 1024 * 1024 + 1);
	assert_int_equal(fwrite(big, 1, 4 * 1024 * 1024 + 1, f),
	    4 * 1024 * 1024 + 1);
	fclose(f);
	free(big);
	assert_int_equal(toml_parse_file(path, &root, &err), -1);
	big = xasprintf("%s: file is larger than 4 MiB", path);
	assert_string_equal(err, big);
	free(big);
	free(err);

	unlink(path);
	assert_int_equal(toml_parse_file(path, &root, &err), -1);
	big = xasprintf("%s: %s", path, strerror(ENOENT));
	assert_string_equal(err, big);
	free(big);
	free(err);

	assert_int_equal(toml_parse_file("/", &root, &err), -1);
	assert_non_null(err);
	free(err);
}

/*
 * Every prefix of a document that uses every construct must either parse
 * or fail cleanly (run under ASan/valgrind to check for leaks).
 */
static void
test_prefixes(void **state)
{
	const char *doc =
	    "\xef\xbb\xbf# c\r\n"
	    "a = \"s\\u00e9\\n\" # c\n"
	    "b = '''\nx''y'''\n"
	    "c = \"\"\"\\\n  q\"\"\"\n"
	    "d = [1, 0x1f, 0o7, 0b1, 1e3, -0.5, inf, nan, true, [ ], {x=1}]\n"
	    "e.f.\"g\" = 1979-05-27 07:32:00.5-07:00\n"
	    "h = {i.j = 07:32:00, k = 1979-05-27, l = 1979-05-27T00:00:00}\n"
	    "[t . u]\nv = 1\n[[w]]\nx = 1\n[[w]]\n[w.y]\nz = 2\n";
	size_t len = strlen(doc);
	struct toml_value *root;
	char *err;

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		err = NULL;
		if (toml_parse(doc, n, "t", &root, &err) == 0)
			toml_free(root);
		else
			assert_non_null(err);
		free(err);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_table),
		cmocka_unit_test(test_invalid_table),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_positions_implicit),
		cmocka_unit_test(test_datetime_fields),
		cmocka_unit_test(test_float_values),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_length_bound),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_big_table),
		cmocka_unit_test(test_get_api),
		cmocka_unit_test(test_key_display),
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
