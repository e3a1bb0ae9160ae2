/*
 * toml-value.c - the lexical half of the TOML 1.0 reader: the check that
 * the document is UTF-8 without stray control characters, the cursor and
 * error helpers, and the scalars: the four string forms with their
 * escapes, integers in every base, floats, booleans and the four date/time
 * types.  toml.c calls in here with the cursor on the first character of a
 * value; everything accepted is checked against the TOML 1.0 grammar, and
 * everything else is an error with its position.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "toml-int.h"

/* The longest number or date-time token worth looking at. */
#define TOKEN_MAX	512

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Characters that can make up a number, boolean or date-time. */
static int
is_token_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '_' || c == '+' || c == '-' ||
	    c == '.' || c == ':';
}

void
toml_advn(struct toml_parser *p, size_t n)
{
	while (n-- > 0)
		toml_adv(p);
}

/* Records the first error only; always returns -1 for the caller. */
int
toml_error(struct toml_parser *p, int line, int col, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (p->err != NULL)
		return -1;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	p->err = xasprintf("%s:%d:%d: %s", p->name, line, col, msg);
	free(msg);
	return -1;
}

void
toml_str_add(struct toml_str *s, const void *d, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		s->cap = s->cap ? s->cap : 32;
		while (s->cap < s->len + n + 1)
			s->cap *= 2;
		s->p = xrealloc(s->p, s->cap);
	}
	memcpy(s->p + s->len, d, n);
	s->len += n;
	s->p[s->len] = '\0';
}

void
toml_str_free(struct toml_str *s)
{
	free(s->p);
	s->p = NULL;
	s->len = s->cap = 0;
}

/* Length of the UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp, min;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * TOML text is UTF-8 in which the only control characters are tab and
 * the newlines LF and CRLF; no construct allows any other, so one pass
 * over the whole document settles it for strings and comments alike.
 */
int
toml_check_text(struct toml_parser *p)
{
	const unsigned char *s = p->s;
	size_t i = 0, n = p->len, k;
	int line = 1, col = 1;

	while (i < n) {
		if (s[i] == '\n') {
			line++;
			col = 1;
			i++;
			continue;
		}
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
			i++;
			continue;
		}
		if (s[i] == '\r')
			return toml_error(p, line, col,
			    "carriage return not followed by line feed");
		if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return toml_error(p, line, col,
			    "control character U+%04X not allowed", s[i]);
		if ((k = utf8_len(s + i, n - i)) == 0)
			return toml_error(p, line, col, "invalid UTF-8");
		i += k;
		col++;
	}
	return 0;
}

static void
str_addc(struct toml_str *s, int c)
{
	char ch = (char)c;

	toml_str_add(s, &ch, 1);
}

static void
str_add_utf8(struct toml_str *s, uint32_t cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	toml_str_add(s, b, n);
}

/* Decodes the escape sequence at the cursor (on the backslash). */
static int
parse_escape(struct toml_parser *p, struct toml_str *out)
{
	int line = p->line, col = p->col, c, d, n;
	uint32_t cp = 0;

	c = toml_peek(p, 1);
	switch (c) {
	case 'b':
		str_addc(out, '\b');
		break;
	case 't':
		str_addc(out, '\t');
		break;
	case 'n':
		str_addc(out, '\n');
		break;
	case 'f':
		str_addc(out, '\f');
		break;
	case 'r':
		str_addc(out, '\r');
		break;
	case '"':
		str_addc(out, '"');
		break;
	case '\\':
		str_addc(out, '\\');
		break;
	case 'u':
	case 'U':
		n = c == 'u' ? 4 : 8;
		for (int i = 0; i < n; i++) {
			if ((d = hex_value(toml_peek(p, 2 + i))) == -1)
				return toml_error(p, line, col, "invalid escape: "
				    "\\%c needs %d hexadecimal digits", c, n);
			cp = cp << 4 | (uint32_t)d;
		}
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return toml_error(p, line, col, "invalid escape: "
			    "U+%04lX is not a Unicode scalar value",
			    (unsigned long)cp);
		str_add_utf8(out, cp);
		toml_advn(p, 2 + (size_t)n);
		return 0;
	default:
		if (c > 0x20 && c < 0x7f)
			return toml_error(p, line, col,
			    "invalid escape sequence '\\%c'", c);
		return toml_error(p, line, col, "invalid escape sequence");
	}
	toml_advn(p, 2);
	return 0;
}

/* Skips the newline right after an opening multi-line delimiter. */
static void
skip_first_newline(struct toml_parser *p)
{
	int n;

	if ((n = toml_newline(p)) != 0)
		toml_advn(p, (size_t)n);
}

/*
 * Handles a run of delimiter quotes inside a multi-line string.  Returns 1
 * when the string ended, 0 when the quotes were content.  Up to two quotes
 * may stand right before the closing delimiter.
 */
static int
ml_quotes(struct toml_parser *p, int q, struct toml_str *out)
{
	size_t n = 0;

	while (toml_peek(p, n) == q)
		n++;
	if (n < 3) {
		toml_str_add(out, q == '"' ? "\"\"" : "''", n);
		toml_advn(p, n);
		return 0;
	}
	if (n > 5) {
		toml_advn(p, 5);
		return toml_error(p, p->line, p->col, "too many quotes at "
		    "the end of a multi-line string");
	}
	toml_str_add(out, q == '"' ? "\"\"" : "''", n - 3);
	toml_advn(p, n);
	return 1;
}

/*
 * A backslash at the end of a line (optionally followed by spaces or tabs)
 * swallows the newline and all whitespace and newlines after it.  Returns 1
 * when that happened, 0 when the backslash starts an ordinary escape.
 */
static int
line_ending_backslash(struct toml_parser *p)
{
	size_t k = 1;
	int c, n;

	while ((c = toml_peek(p, k)) == ' ' || c == '\t')
		k++;
	if (c != '\n' && !(c == '\r' && toml_peek(p, k + 1) == '\n'))
		return 0;
	toml_advn(p, k);
	for (;;) {
		c = toml_peek(p, 0);
		if (c == ' ' || c == '\t')
			toml_adv(p);
		else if ((n = toml_newline(p)) != 0)
			toml_advn(p, (size_t)n);
		else
			return 1;
	}
}

static int
parse_ml(struct toml_parser *p, int q, struct toml_str *out)
{
	int line = p->line, col = p->col, c, n, r;

	toml_advn(p, 3);
	skip_first_newline(p);
	for (;;) {
		c = toml_peek(p, 0);
		if (c == 0)
			return toml_error(p, line, col,
			    "unterminated multi-line string");
		if (c == q) {
			if ((r = ml_quotes(p, q, out)) != 0)
				return r == 1 ? 0 : -1;
			continue;
		}
		if ((n = toml_newline(p)) != 0) {
			/* CRLF is stored as LF so values match on every OS. */
			str_addc(out, '\n');
			toml_advn(p, (size_t)n);
			continue;
		}
		if (c == '\\' && q == '"') {
			if (line_ending_backslash(p))
				continue;
			if (parse_escape(p, out) == -1)
				return -1;
			continue;
		}
		str_addc(out, c);
		toml_adv(p);
	}
}

static int
parse_single(struct toml_parser *p, int q, struct toml_str *out)
{
	int line = p->line, col = p->col, c;

	toml_adv(p);
	for (;;) {
		c = toml_peek(p, 0);
		if (c == q) {
			toml_adv(p);
			return 0;
		}
		if (c == 0 || c == '\n' || c == '\r')
			return toml_error(p, line, col, "unterminated string");
		if (c == '\\' && q == '"') {
			if (parse_escape(p, out) == -1)
				return -1;
			continue;
		}
		str_addc(out, c);
		toml_adv(p);
	}
}

/*
 * Parses any of the four string forms at the cursor into out (which must
 * be empty).  Multi-line forms are refused unless allow_ml is set, since
 * they cannot be keys.  The text was checked to be UTF-8 without stray
 * control characters before parsing started, so bytes are copied as is.
 */
int
toml_parse_string(struct toml_parser *p, int allow_ml, struct toml_str *out)
{
	int q = toml_peek(p, 0);

	if (toml_peek(p, 1) == q && toml_peek(p, 2) == q) {
		if (!allow_ml)
			return toml_error(p, p->line, p->col,
			    "multi-line strings cannot be keys");
		if (parse_ml(p, q, out) == -1)
			return -1;
	} else if (parse_single(p, q, out) == -1)
		return -1;
	/* An empty string still gets a buffer to NUL-terminate. */
	toml_str_add(out, "", 0);
	return 0;
}

/*
 * Reads a digit run with single underscores between digits.  Returns the
 * number of digits, or -1 (error set) for a misplaced underscore.
 */
static int
scan_digits(struct toml_parser *p, const char *t, size_t n, size_t *ip,
    int base, int line, int col)
{
	size_t i = *ip;
	int nd = 0, d;

	for (; i < n; i++) {
		if (t[i] == '_') {
			if (nd == 0 || i + 1 >= n || t[i + 1] == '_' ||
			    (d = hex_value(t[i + 1])) == -1 || d >= base)
				return toml_error(p, line, col + (int)i,
				    "underscores must stand between digits");
			continue;
		}
		if ((d = hex_value(t[i])) == -1 || d >= base)
			break;
		nd++;
	}
	*ip = i;
	return nd;
}

static int
parse_prefixed(struct toml_parser *p, const char *t, size_t n, int line,
    int col, struct toml_value *v)
{
	int base = t[1] == 'x' ? 16 : t[1] == 'o' ? 8 : 2, d, nd;
	uint64_t acc = 0;
	size_t i = 2;

	if ((nd = scan_digits(p, t, n, &i, base, line, col)) == -1)
		return -1;
	if (nd == 0 || i != n)
		return toml_error(p, line, col, "invalid %s integer",
		    base == 16 ? "hexadecimal" : base == 8 ? "octal" :
		    "binary");
	for (i = 2; i < n; i++) {
		if (t[i] == '_')
			continue;
		d = hex_value(t[i]);
		if (acc > ((uint64_t)INT64_MAX - (uint64_t)d) / (uint64_t)base)
			return toml_error(p, line, col,
			    "integer out of range");
		acc = acc * (uint64_t)base + (uint64_t)d;
	}
	v->type = TOML_INTEGER;
	v->u.i = (int64_t)acc;
	return 0;
}

static int
make_float(struct toml_parser *p, const char *t, size_t n, int line,
    int col, struct toml_value *v)
{
	char buf[TOKEN_MAX + 1], *end;
	size_t j = 0;
	double d;

	for (size_t i = 0; i < n; i++)
		if (t[i] != '_')
			buf[j++] = t[i];
	buf[j] = '\0';
	errno = 0;
	d = strtod_l(buf, &end, p->cloc);
	if (*end != '\0')
		return toml_error(p, line, col, "invalid float");
	/* Underflow to zero or a denormal is fine; overflow is not. */
	if (errno == ERANGE && isinf(d))
		return toml_error(p, line, col, "float out of range");
	v->type = TOML_FLOAT;
	v->u.f = d;
	return 0;
}

static int
parse_number(struct toml_parser *p, const char *t, size_t n, int line,
    int col, struct toml_value *v)
{
	size_t i = 0, s;
	int nd, isfloat = 0, neg = 0;
	uint64_t acc = 0, lim;

	if (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-';
		i = 1;
	}
	if (n - i == 3 && (memcmp(t + i, "inf", 3) == 0 ||
	    memcmp(t + i, "nan", 3) == 0)) {
		v->type = TOML_FLOAT;
		if (t[i] == 'i')
			v->u.f = neg ? -INFINITY : INFINITY;
		else
			v->u.f = neg ? -NAN : NAN;
		return 0;
	}
	if (n - i >= 2 && t[i] == '0' &&
	    (t[i + 1] == 'x' || t[i + 1] == 'o' || t[i + 1] == 'b')) {
		if (i != 0)
			return toml_error(p, line, col, "a sign is only "
			    "allowed on decimal numbers");
		return parse_prefixed(p, t, n, line, col, v);
	}
	s = i;
	if ((nd = scan_digits(p, t, n, &i, 10, line, col)) == -1)
		return -1;
	if (nd == 0)
		return toml_error(p, line, col + (int)i, "invalid number");
	if (t[s] == '0' && nd > 1)
		return toml_error(p, line, col, "leading zeros are not allowed");
	if (i < n && t[i] == '.') {
		i++;
		if ((nd = scan_digits(p, t, n, &i, 10, line, col)) == -1)
			return -1;
		if (nd == 0)
			return toml_error(p, line, col + (int)i,
			    "a decimal point needs digits on both sides");
		isfloat = 1;
	}
	if (i < n && (t[i] == 'e' || t[i] == 'E')) {
		i++;
		if (i < n && (t[i] == '+' || t[i] == '-'))
			i++;
		if ((nd = scan_digits(p, t, n, &i, 10, line, col)) == -1)
			return -1;
		if (nd == 0)
			return toml_error(p, line, col + (int)i,
			    "an exponent needs digits");
		isfloat = 1;
	}
	if (i != n)
		return toml_error(p, line, col + (int)i, "invalid number");
	if (isfloat)
		return make_float(p, t, n, line, col, v);

	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (i = s; i < n; i++) {
		if (t[i] == '_')
			continue;
		if (acc > (lim - (uint64_t)(t[i] - '0')) / 10)
			return toml_error(p, line, col,
			    "integer out of range");
		acc = acc * 10 + (uint64_t)(t[i] - '0');
	}
	v->type = TOML_INTEGER;
	if (neg)
		v->u.i = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN :
		    -(int64_t)acc;
	else
		v->u.i = (int64_t)acc;
	return 0;
}

/* Reads exactly n digits at t[*ip]; -1 when they are not all there. */
static int
fixed_digits(const char *t, size_t len, size_t *ip, int n)
{
	int v = 0;

	for (int k = 0; k < n; k++, (*ip)++) {
		if (*ip >= len || !is_digit(t[*ip]))
			return -1;
		v = v * 10 + (t[*ip] - '0');
	}
	return v;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[m - 1];
}

static int
parse_time(struct toml_parser *p, const char *t, size_t n, size_t *ip,
    int line, int col, struct toml_datetime *dt)
{
	size_t i = *ip;
	int nd = 0, start = col + (int)i;

	if ((dt->hour = fixed_digits(t, n, &i, 2)) == -1 ||
	    i >= n || t[i++] != ':' ||
	    (dt->minute = fixed_digits(t, n, &i, 2)) == -1 ||
	    i >= n || t[i++] != ':' ||
	    (dt->second = fixed_digits(t, n, &i, 2)) == -1)
		return toml_error(p, line, start, "invalid time (expected "
		    "HH:MM:SS)");
	if (dt->hour > 23 || dt->minute > 59 || dt->second > 59)
		return toml_error(p, line, start, "time out of range");
	if (i < n && t[i] == '.') {
		i++;
		/* Nanoseconds are kept; further digits are truncated. */
		for (; i < n && is_digit(t[i]); i++, nd++)
			if (nd < 9)
				dt->nanosecond = dt->nanosecond * 10 +
				    (t[i] - '0');
		if (nd == 0)
			return toml_error(p, line, col + (int)i,
			    "fractional seconds need digits");
		for (; nd < 9; nd++)
			dt->nanosecond *= 10;
	}
	*ip = i;
	return 0;
}

static int
parse_offset(struct toml_parser *p, const char *t, size_t n, size_t *ip,
    int line, int col, struct toml_datetime *dt)
{
	size_t i = *ip;
	int h, m, sign;

	if (t[i] == 'Z' || t[i] == 'z') {
		*ip = i + 1;
		return 0;
	}
	sign = t[i++] == '-' ? -1 : 1;
	if ((h = fixed_digits(t, n, &i, 2)) == -1 || i >= n ||
	    t[i++] != ':' || (m = fixed_digits(t, n, &i, 2)) == -1)
		return toml_error(p, line, col + (int)*ip,
		    "invalid time offset (expected Z or +HH:MM)");
	if (h > 23 || m > 59)
		return toml_error(p, line, col + (int)*ip,
		    "time offset out of range");
	dt->offset_minutes = sign * (h * 60 + m);
	*ip = i;
	return 0;
}

static int
parse_datetime(struct toml_parser *p, const char *t, size_t n, int line,
    int col, struct toml_value *v)
{
	struct toml_datetime *dt = &v->u.dt;
	size_t i = 0;
	int hasdate = 0;

	memset(dt, 0, sizeof(*dt));
	if (n >= 5 && t[4] == '-') {
		if ((dt->year = fixed_digits(t, n, &i, 4)) == -1 ||
		    t[i++] != '-' ||
		    (dt->month = fixed_digits(t, n, &i, 2)) == -1 ||
		    i >= n || t[i++] != '-' ||
		    (dt->day = fixed_digits(t, n, &i, 2)) == -1)
			return toml_error(p, line, col, "invalid date "
			    "(expected YYYY-MM-DD)");
		if (dt->month < 1 || dt->month > 12 || dt->day < 1 ||
		    dt->day > days_in_month(dt->year, dt->month))
			return toml_error(p, line, col, "date out of range");
		if (i == n) {
			v->type = TOML_DATE_LOCAL;
			return 0;
		}
		if (t[i] != 'T' && t[i] != 't' && t[i] != ' ')
			return toml_error(p, line, col + (int)i,
			    "invalid date-time");
		i++;
		hasdate = 1;
	}
	if (parse_time(p, t, n, &i, line, col, dt) == -1)
		return -1;
	if (hasdate && i < n && (t[i] == 'Z' || t[i] == 'z' ||
	    t[i] == '+' || t[i] == '-')) {
		if (parse_offset(p, t, n, &i, line, col, dt) == -1)
			return -1;
		v->type = TOML_DATETIME;
	} else
		v->type = hasdate ? TOML_DATETIME_LOCAL : TOML_TIME_LOCAL;
	if (i != n)
		return toml_error(p, line, col + (int)i, "invalid %s",
		    hasdate ? "date-time" : "time");
	return 0;
}

/* True when t starts like a date (YYYY-) or a time (HH:). */
static int
looks_like_datetime(const char *t, size_t n)
{
	if (n >= 5 && is_digit(t[0]) && is_digit(t[1]) && is_digit(t[2]) &&
	    is_digit(t[3]) && t[4] == '-')
		return 1;
	return n >= 3 && is_digit(t[0]) && is_digit(t[1]) && t[2] == ':';
}

/*
 * Parses a boolean, number or date-time at the cursor into v (whose line
 * and col are set).  The value is first cut out as a token of the
 * characters these forms use; a space may only join a date and a time.
 */
int
toml_parse_scalar(struct toml_parser *p, struct toml_value *v)
{
	char t[TOKEN_MAX + 1];
	size_t n = 0;
	int c;

	while (is_token_char(c = toml_peek(p, n)) ||
	    (c == ' ' && n == 10 && looks_like_datetime(t, n) &&
	    is_digit(toml_peek(p, n + 1)) && is_digit(toml_peek(p, n + 2)) &&
	    toml_peek(p, n + 3) == ':')) {
		if (n == TOKEN_MAX)
			return toml_error(p, v->line, v->col,
			    "invalid value (too long)");
		t[n++] = (char)c;
	}
	t[n] = '\0';
	if (n == 0) {
		if (c > 0x20 && c < 0x7f && c != '#')
			return toml_error(p, v->line, v->col,
			    "expected a value, found '%c'", c);
		return toml_error(p, v->line, v->col, "expected a value");
	}
	if (strcmp(t, "true") == 0 || strcmp(t, "false") == 0) {
		v->type = TOML_BOOL;
		v->u.b = t[0] == 't';
	} else if (looks_like_datetime(t, n)) {
		if (parse_datetime(p, t, n, v->line, v->col, v) == -1)
			return -1;
	} else if ((t[0] >= 'a' && t[0] <= 'z') ||
	    (t[0] >= 'A' && t[0] <= 'Z')) {
		if (strcmp(t, "inf") != 0 && strcmp(t, "nan") != 0)
			return toml_error(p, v->line, v->col, "invalid value "
			    "'%.40s' (strings need quotes)", t);
		if (parse_number(p, t, n, v->line, v->col, v) == -1)
			return -1;
	} else if (parse_number(p, t, n, v->line, v->col, v) == -1)
		return -1;
	toml_advn(p, n);
	return 0;
}
