/*
 * w_style.c - theme files, style strings and the active style table.
 *
 * A style string is a comma (or space) separated list applied over a
 * base, as tmux's styles are: "fg=red", "bg=colour236", "bold",
 * "nobold", "none" (no attributes), "default" (no colours, no attributes).
 * A theme file is "role = style" lines; '#' starts a comment.  Each line
 * replaces its role's style; a role not named keeps the builtin one.  A
 * bad line is reported as "file:line: message" and skipped, so the role
 * keeps the builtin style: a typo never leaves the console unreadable.
 *
 * The only global state of the widgets lives here: the active theme and
 * the attributes built from it for the terminal in use.
 */
#include <ctype.h>
#include <errno.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "w_style.h"
#include "w_widget.h"

static const char *const role_names[W_ROLE__MAX] = {
	[W_ROLE_NORMAL] = "normal",
	[W_ROLE_HEADER] = "header",
	[W_ROLE_SELECTED] = "selected",
	[W_ROLE_TAGGED] = "tagged",
	[W_ROLE_OK] = "ok",
	[W_ROLE_EXPIRING] = "expiring",
	[W_ROLE_EXPIRED] = "expired",
	[W_ROLE_PENDING] = "pending",
	[W_ROLE_ERROR] = "error",
	[W_ROLE_WARNING] = "warning",
	[W_ROLE_DIM] = "dim",
	[W_ROLE_TITLE] = "title",
	[W_ROLE_STATUS] = "status",
	[W_ROLE_KEY] = "key",
	[W_ROLE_PROMPT] = "prompt",
	[W_ROLE_BORDER] = "border",
	[W_ROLE_MATCH] = "match",
};

static const char *const colour_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"
};

static const struct {
	const char	*name;
	unsigned int	 attr;
} attr_names[] = {
	{ "bold", W_ATTR_BOLD },
	{ "bright", W_ATTR_BOLD },
	{ "dim", W_ATTR_DIM },
	{ "underline", W_ATTR_UNDERLINE },
	{ "underscore", W_ATTR_UNDERLINE },
	{ "reverse", W_ATTR_REVERSE },
	{ "blink", W_ATTR_BLINK },
	{ "italics", W_ATTR_ITALIC },
	{ "italic", W_ATTR_ITALIC },
	{ "standout", W_ATTR_STANDOUT },
};

#define S(f, b, a)	{ .fg = (f), .bg = (b), .attrs = (a) }
#define D		W_COLOUR_DEFAULT
#define BRIGHT(c)	((c) + 8)

/*
 * The builtin themes.  They match the files in themes/ (a unit test checks),
 * so the console looks right when the theme files are not installed.
 */
static const struct w_theme builtins[W_THEME__MAX] = {
	[W_THEME_DEFAULT] = { .role = {
		[W_ROLE_NORMAL] = S(D, D, 0),
		[W_ROLE_HEADER] = S(0, 2, 0),
		[W_ROLE_SELECTED] = S(0, 6, 0),
		[W_ROLE_TAGGED] = S(3, D, W_ATTR_BOLD),
		[W_ROLE_OK] = S(2, D, 0),
		[W_ROLE_EXPIRING] = S(3, D, W_ATTR_BOLD),
		[W_ROLE_EXPIRED] = S(1, D, W_ATTR_BOLD),
		[W_ROLE_PENDING] = S(6, D, 0),
		[W_ROLE_ERROR] = S(1, D, W_ATTR_BOLD),
		[W_ROLE_WARNING] = S(3, D, 0),
		[W_ROLE_DIM] = S(BRIGHT(0), D, 0),
		[W_ROLE_TITLE] = S(6, D, W_ATTR_BOLD),
		[W_ROLE_STATUS] = S(0, 6, 0),
		[W_ROLE_KEY] = S(D, D, W_ATTR_BOLD),
		[W_ROLE_PROMPT] = S(D, D, W_ATTR_BOLD),
		[W_ROLE_BORDER] = S(4, D, 0),
		[W_ROLE_MATCH] = S(0, 3, 0),
	} },
	[W_THEME_LIGHT] = { .role = {
		[W_ROLE_NORMAL] = S(D, D, 0),
		[W_ROLE_HEADER] = S(7, 4, 0),
		[W_ROLE_SELECTED] = S(0, 6, 0),
		[W_ROLE_TAGGED] = S(5, D, W_ATTR_BOLD),
		[W_ROLE_OK] = S(2, D, 0),
		[W_ROLE_EXPIRING] = S(5, D, W_ATTR_BOLD),
		[W_ROLE_EXPIRED] = S(1, D, W_ATTR_BOLD),
		[W_ROLE_PENDING] = S(4, D, 0),
		[W_ROLE_ERROR] = S(1, D, W_ATTR_BOLD),
		[W_ROLE_WARNING] = S(5, D, 0),
		[W_ROLE_DIM] = S(BRIGHT(0), D, 0),
		[W_ROLE_TITLE] = S(4, D, W_ATTR_BOLD),
		[W_ROLE_STATUS] = S(7, 4, 0),
		[W_ROLE_KEY] = S(D, D, W_ATTR_BOLD),
		[W_ROLE_PROMPT] = S(D, D, W_ATTR_BOLD),
		[W_ROLE_BORDER] = S(4, D, 0),
		[W_ROLE_MATCH] = S(0, 3, 0),
	} },
	[W_THEME_MONOCHROME] = { .role = {
		[W_ROLE_NORMAL] = S(D, D, 0),
		[W_ROLE_HEADER] = S(D, D, W_ATTR_BOLD | W_ATTR_UNDERLINE),
		[W_ROLE_SELECTED] = S(D, D, W_ATTR_REVERSE),
		[W_ROLE_TAGGED] = S(D, D, W_ATTR_BOLD),
		[W_ROLE_OK] = S(D, D, 0),
		[W_ROLE_EXPIRING] = S(D, D, W_ATTR_BOLD),
		[W_ROLE_EXPIRED] = S(D, D, W_ATTR_BOLD | W_ATTR_UNDERLINE),
		[W_ROLE_PENDING] = S(D, D, W_ATTR_UNDERLINE),
		[W_ROLE_ERROR] = S(D, D, W_ATTR_BOLD | W_ATTR_UNDERLINE),
		[W_ROLE_WARNING] = S(D, D, W_ATTR_BOLD),
		[W_ROLE_DIM] = S(D, D, 0),
		[W_ROLE_TITLE] = S(D, D, W_ATTR_BOLD),
		[W_ROLE_STATUS] = S(D, D, W_ATTR_REVERSE),
		[W_ROLE_KEY] = S(D, D, W_ATTR_BOLD),
		[W_ROLE_PROMPT] = S(D, D, W_ATTR_BOLD),
		[W_ROLE_BORDER] = S(D, D, 0),
		[W_ROLE_MATCH] = S(D, D, W_ATTR_REVERSE | W_ATTR_UNDERLINE),
	} },
};

#undef S
#undef D
#undef BRIGHT

static void	seterr(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	adderr(char *, size_t, const char *, unsigned int,
		    const char *, ...) __attribute__((format(printf, 5, 6)));

/* The active style table and what the terminal can do. */
static struct {
	struct w_theme	 theme;
	attr_t		 attr[W_ROLE__MAX];
	int		 loaded;	/* theme set by w_style_use() */
	int		 started;	/* w_style_start() has run */
	int		 colours;
	int		 defaults;	/* use_default_colors() worked */
	int		 mono;
	int		 ascii;
	int		 utf8;
} w_styles = { .utf8 = 1 };

const char *
w_role_name(enum w_role r)
{
	if ((int)r < 0 || r >= W_ROLE__MAX)
		return ("?");
	return (role_names[r]);
}

int
w_role_from_name(const char *name)
{
	int	 i;

	for (i = 0; i < W_ROLE__MAX; i++)
		if (strcmp(role_names[i], name) == 0)
			return (i);
	return (-1);
}

/* Parse a colour name; returns 0 and sets *c, or -1. */
static int
colour_parse(const char *s, int *c)
{
	const char	*num = NULL;
	char		*end;
	long		 n;
	size_t		 i;

	if (strcmp(s, "default") == 0) {
		*c = W_COLOUR_DEFAULT;
		return (0);
	}
	for (i = 0; i < 8; i++) {
		if (strcmp(s, colour_names[i]) == 0) {
			*c = i;
			return (0);
		}
		if (strncmp(s, "bright", 6) == 0 &&
		    strcmp(s + 6, colour_names[i]) == 0) {
			*c = i + 8;
			return (0);
		}
	}
	if (strncmp(s, "colour", 6) == 0)
		num = s + 6;
	else if (strncmp(s, "color", 5) == 0)
		num = s + 5;
	if (num == NULL || !isdigit((unsigned char)*num))
		return (-1);
	errno = 0;
	n = strtol(num, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0 || n > 255)
		return (-1);
	*c = (int)n;
	return (0);
}

static void
colour_tostring(int c, char *buf, size_t len)
{
	if (c < 0)
		snprintf(buf, len, "default");
	else if (c < 8)
		snprintf(buf, len, "%s", colour_names[c]);
	else if (c < 16)
		snprintf(buf, len, "bright%s", colour_names[c - 8]);
	else
		snprintf(buf, len, "colour%d", c);
}

static void
seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

int
w_style_parse(struct w_style *st, const char *s, char *err, size_t errlen)
{
	struct w_style	 new = *st;
	char		 tok[64];
	size_t		 len, i;
	const char	*name;
	int		 no, found, c;

	if (s == NULL || s[strspn(s, " \t,")] == '\0') {
		seterr(err, errlen, "empty style");
		return (-1);
	}
	while (*(s += strspn(s, " \t,")) != '\0') {
		len = strcspn(s, " \t,");
		if (len >= sizeof tok) {
			seterr(err, errlen, "'%.20s...' is too long", s);
			return (-1);
		}
		memcpy(tok, s, len);
		tok[len] = '\0';
		s += len;
		for (i = 0; i < len; i++)
			tok[i] = tolower((unsigned char)tok[i]);

		if (strncmp(tok, "fg=", 3) == 0 ||
		    strncmp(tok, "bg=", 3) == 0) {
			if (colour_parse(tok + 3, &c) == -1) {
				seterr(err, errlen, "bad colour '%s'",
				    tok + 3);
				return (-1);
			}
			if (tok[0] == 'f')
				new.fg = c;
			else
				new.bg = c;
			continue;
		}
		if (strcmp(tok, "default") == 0) {
			new.fg = new.bg = W_COLOUR_DEFAULT;
			new.attrs = 0;
			continue;
		}
		if (strcmp(tok, "none") == 0) {
			new.attrs = 0;
			continue;
		}
		no = strncmp(tok, "no", 2) == 0;
		name = no ? tok + 2 : tok;
		found = 0;
		for (i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++) {
			if (strcmp(name, attr_names[i].name) != 0)
				continue;
			if (no)
				new.attrs &= ~attr_names[i].attr;
			else
				new.attrs |= attr_names[i].attr;
			found = 1;
			break;
		}
		if (!found) {
			if (strchr(tok, '=') != NULL)
				seterr(err, errlen, "unknown setting '%s' "
				    "(fg= and bg= are known)", tok);
			else
				seterr(err, errlen, "unknown attribute '%s'",
				    tok);
			return (-1);
		}
	}
	*st = new;
	return (0);
}

void
w_style_tostring(const struct w_style *st, char *buf, size_t len)
{
	char	 c[32];
	size_t	 i, o;
	int	 n;

	buf[0] = '\0';
	o = 0;
	if (st->fg != W_COLOUR_DEFAULT) {
		colour_tostring(st->fg, c, sizeof c);
		n = snprintf(buf + o, len - o, "%sfg=%s", o ? "," : "", c);
		o = n < 0 || (size_t)n >= len - o ? len - 1 : o + n;
	}
	if (st->bg != W_COLOUR_DEFAULT) {
		colour_tostring(st->bg, c, sizeof c);
		n = snprintf(buf + o, len - o, "%sbg=%s", o ? "," : "", c);
		o = n < 0 || (size_t)n >= len - o ? len - 1 : o + n;
	}
	for (i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++) {
		/* Aliases share a bit: print only the first name. */
		if (i > 0 && attr_names[i].attr == attr_names[i - 1].attr)
			continue;
		if (!(st->attrs & attr_names[i].attr))
			continue;
		n = snprintf(buf + o, len - o, "%s%s", o ? "," : "",
		    attr_names[i].name);
		o = n < 0 || (size_t)n >= len - o ? len - 1 : o + n;
	}
	if (o == 0)
		snprintf(buf, len, "default");
}

int
w_style_has_colour(const struct w_style *st)
{
	return (st->fg != W_COLOUR_DEFAULT || st->bg != W_COLOUR_DEFAULT);
}

void
w_theme_builtin(struct w_theme *t, enum w_builtin which)
{
	if ((int)which < 0 || which >= W_THEME__MAX)
		which = W_THEME_DEFAULT;
	*t = builtins[which];
}

/* Append "name:line: msg" to the error text, keeping it terminated. */
static void
adderr(char *err, size_t errlen, const char *name, unsigned int line,
    const char *fmt, ...)
{
	va_list	 ap;
	size_t	 o;
	int	 n;

	if (err == NULL || errlen == 0)
		return;
	o = strlen(err);
	if (o + 1 >= errlen)
		return;
	n = snprintf(err + o, errlen - o, "%s%s:%u: ", o ? "\n" : "", name,
	    line);
	if (n < 0 || (size_t)n >= errlen - o)
		return;
	o += n;
	va_start(ap, fmt);
	vsnprintf(err + o, errlen - o, fmt, ap);
	va_end(ap);
}

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return (s);
}

int
w_theme_parse(struct w_theme *t, const char *name, const char *text,
    char *err, size_t errlen)
{
	struct w_style	 st;
	char		 msg[256], *line = NULL, *key, *val, *eq, *hash;
	unsigned int	 lineno = 0;
	size_t		 len;
	int		 bad = 0, role;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	while (*text != '\0') {
		lineno++;
		len = strcspn(text, "\n");
		free(line);
		line = w_xstrndup(text, len);
		text += len + (text[len] == '\n');

		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		key = trim(line);
		if (*key == '\0')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			adderr(err, errlen, name, lineno,
			    "expected 'role = style', not '%.40s'", key);
			bad++;
			continue;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		if ((role = w_role_from_name(key)) == -1) {
			adderr(err, errlen, name, lineno,
			    "unknown role '%.40s'", key);
			bad++;
			continue;
		}
		/*
		 * A line replaces the role's style: additive parsing over the
		 * builtin would let "expiring = fg=magenta" stay bold.
		 */
		st = (struct w_style){ W_COLOUR_DEFAULT, W_COLOUR_DEFAULT, 0 };
		if (w_style_parse(&st, val, msg, sizeof msg) == -1) {
			adderr(err, errlen, name, lineno, "%s: %s", key, msg);
			bad++;
			continue;
		}
		t->role[role] = st;
	}
	free(line);
	return (bad);
}

int
w_theme_load(struct w_theme *t, const char *path, char *err, size_t errlen)
{
	FILE	*f;
	char	*text = NULL;
	size_t	 len = 0, cap = 0, n;
	int	 rc = -1;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((f = fopen(path, "r")) == NULL) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* A theme is a few hundred bytes; anything huge is not a theme. */
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = len + 4096 + 1;
			text = w_xreallocarray(text, 1, cap);
		}
		n = fread(text + len, 1, 4096, f);
		len += n;
		if (n == 0)
			break;
		if (len > 65536) {
			seterr(err, errlen, "%s: too big for a theme", path);
			goto out;
		}
	}
	if (ferror(f)) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	text[len] = '\0';
	if (strlen(text) != len) {
		seterr(err, errlen, "%s: contains a NUL byte", path);
		goto out;
	}
	rc = w_theme_parse(t, path, text, err, errlen);
out:
	if (f != NULL)
		fclose(f);
	free(text);
	return (rc);
}

/* -- the active table -- */

static int
theme_has_colour(const struct w_theme *t)
{
	int	 i;

	for (i = 0; i < W_ROLE__MAX; i++)
		if (w_style_has_colour(&t->role[i]))
			return (1);
	return (0);
}

/*
 * Fit colour c to a terminal with fewer colours.  The 256-colour cube
 * and grey ramp fold onto the nearest of the 8 (or 16) basic colours; a
 * bright foreground on 8 colours becomes bold, as terminals used to do.
 */
static int
colour_fit(int c, int colours, int fg, attr_t *extra)
{
	int	 r, g, b, bright = 0, lvl;

	if (c < 0 || colours >= 256 || c < 8)
		return (c);
	if (c < 16) {
		c -= 8;
		bright = 1;
	} else if (c < 232) {
		c -= 16;
		r = c / 36;
		g = c / 6 % 6;
		b = c % 6;
		bright = r >= 4 || g >= 4 || b >= 4;
		c = (r >= 3) | (g >= 3) << 1 | (b >= 3) << 2;
		if (c == 0 && (r == 2 || g == 2 || b == 2))
			bright = 1;	/* dark grey rather than invisible */
	} else {
		lvl = c - 232;
		c = lvl < 12 ? 0 : 7;
		bright = lvl >= 6 && lvl < 12 ? 1 : lvl >= 20;
	}
	if (!bright)
		return (c);
	if (colours >= 16)
		return (c + 8);
	if (fg)
		*extra |= A_BOLD;
	return (c);
}

static attr_t
attrs_curses(unsigned int a)
{
	attr_t	 r = A_NORMAL;

	if (a & W_ATTR_BOLD)
		r |= A_BOLD;
	if (a & W_ATTR_DIM)
		r |= A_DIM;
	if (a & W_ATTR_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & W_ATTR_REVERSE)
		r |= A_REVERSE;
	if (a & W_ATTR_BLINK)
		r |= A_BLINK;
	if (a & W_ATTR_ITALIC)
		r |= A_ITALIC;
	if (a & W_ATTR_STANDOUT)
		r |= A_STANDOUT;
	return (r);
}

static void
style_build(void)
{
	const struct w_style	*st;
	attr_t			 extra;
	int			 i, fg, bg;

	for (i = 0; i < W_ROLE__MAX; i++) {
		st = &w_styles.theme.role[i];
		w_styles.attr[i] = attrs_curses(st->attrs);
		if (!w_styles.started || w_styles.colours == 0 ||
		    !w_style_has_colour(st))
			continue;
		extra = 0;
		fg = colour_fit(st->fg, w_styles.colours, 1, &extra);
		bg = colour_fit(st->bg, w_styles.colours, 0, &extra);
		if (!w_styles.defaults) {
			if (fg < 0)
				fg = COLOR_WHITE;
			if (bg < 0)
				bg = COLOR_BLACK;
		}
		if (init_pair(i + 1, fg, bg) == ERR)
			continue;
		w_styles.attr[i] |= COLOR_PAIR(i + 1) | extra;
	}
}

void
w_style_use(const struct w_theme *t)
{
	w_styles.theme = *t;
	w_styles.loaded = 1;
	if (w_styles.started && w_styles.colours == 0 &&
	    theme_has_colour(&w_styles.theme))
		w_theme_builtin(&w_styles.theme, W_THEME_MONOCHROME);
	style_build();
}

int
w_style_load(const char *path, char *err, size_t errlen)
{
	struct w_theme	 t;
	int		 rc;

	w_theme_builtin(&t, W_THEME_DEFAULT);
	rc = w_theme_load(&t, path, err, errlen);
	if (rc >= 0)
		w_style_use(&t);
	return (rc);
}

int
w_style_start(void)
{
	const char	*nc = getenv("NO_COLOR");
	const char	*cs = nl_langinfo(CODESET);

	w_styles.utf8 = cs != NULL && (strcasecmp(cs, "UTF-8") == 0 ||
	    strcasecmp(cs, "utf8") == 0);
	if (!w_styles.loaded)
		w_theme_builtin(&w_styles.theme, W_THEME_DEFAULT);
	w_styles.colours = 0;
	if (!w_styles.mono && (nc == NULL || *nc == '\0') && has_colors() &&
	    start_color() == OK && COLOR_PAIRS > W_ROLE__MAX) {
		w_styles.defaults = use_default_colors() == OK;
		if (COLORS >= 256)
			w_styles.colours = 256;
		else if (COLORS >= 16)
			w_styles.colours = 16;
		else if (COLORS >= 8)
			w_styles.colours = 8;
	}
	w_styles.started = 1;
	if (w_styles.colours == 0 && theme_has_colour(&w_styles.theme))
		w_theme_builtin(&w_styles.theme, W_THEME_MONOCHROME);
	style_build();
	return (w_styles.colours);
}

void
w_style_set_mono(int on)
{
	w_styles.mono = on;
}

void
w_style_set_ascii_lines(int on)
{
	w_styles.ascii = on;
}

int
w_style_ascii_lines(void)
{
	return (w_styles.ascii);
}

int
w_style_utf8(void)
{
	return (w_styles.utf8);
}

void
w_style_set_utf8(int on)
{
	w_styles.utf8 = on;
}

int
w_style_colours(void)
{
	return (w_styles.colours);
}

const struct w_theme *
w_style_theme(void)
{
	return (&w_styles.theme);
}

attr_t
w_attr(enum w_role r)
{
	if ((int)r < 0 || r >= W_ROLE__MAX)
		r = W_ROLE_NORMAL;
	if (!w_styles.started) {
		/* Before start: the theme's attributes, no colours. */
		return (attrs_curses(w_styles.theme.role[r].attrs));
	}
	return (w_styles.attr[r]);
}
