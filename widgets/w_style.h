/*
 * w_style.h - named roles and the theme that maps them to colours.
 *
 * Widgets and screens ask for a role (W_ROLE_EXPIRING), never for a
 * colour.  A theme is a table of styles, one per role, written in theme
 * files as "role = fg=yellow,bg=default,bold".  Parsing and printing are
 * pure; w_style_start() turns the active theme into curses attributes
 * once the terminal is known (colours, 8 colours or none, NO_COLOR).
 */
#ifndef W_STYLE_H
#define W_STYLE_H

#include <stddef.h>

enum w_role {
	W_ROLE_NORMAL = 0,
	W_ROLE_HEADER,		/* column headers */
	W_ROLE_SELECTED,	/* the cursor row */
	W_ROLE_TAGGED,		/* rows tagged for a group action */
	W_ROLE_OK,
	W_ROLE_EXPIRING,
	W_ROLE_EXPIRED,
	W_ROLE_PENDING,
	W_ROLE_ERROR,
	W_ROLE_WARNING,
	W_ROLE_DIM,		/* less important text */
	W_ROLE_TITLE,		/* screen titles, text sections */
	W_ROLE_STATUS,		/* status bar */
	W_ROLE_KEY,		/* key names in the key bar */
	W_ROLE_PROMPT,
	W_ROLE_BORDER,
	W_ROLE_MATCH,		/* search hits */
	W_ROLE__MAX
};

#define W_COLOUR_DEFAULT	(-1)	/* the terminal's own colour */

#define W_ATTR_BOLD		0x01
#define W_ATTR_DIM		0x02
#define W_ATTR_UNDERLINE	0x04
#define W_ATTR_REVERSE		0x08
#define W_ATTR_BLINK		0x10
#define W_ATTR_ITALIC		0x20
#define W_ATTR_STANDOUT		0x40

struct w_style {
	int		 fg;	/* W_COLOUR_DEFAULT or 0..255 */
	int		 bg;
	unsigned int	 attrs;	/* W_ATTR_* */
};

struct w_theme {
	struct w_style	 role[W_ROLE__MAX];
};

enum w_builtin {
	W_THEME_DEFAULT = 0,
	W_THEME_LIGHT,
	W_THEME_MONOCHROME,
	W_THEME__MAX
};

/* Role name <-> enum; w_role_from_name() returns -1 if unknown. */
const char	*w_role_name(enum w_role);
int		 w_role_from_name(const char *);

/*
 * Parse "fg=red,bg=default,bold,nounderline" over *st (additive: what
 * the string does not name is kept).  Returns 0, or -1 with a message in
 * err ("bad colour 'reed'") and *st unchanged.
 */
int	 w_style_parse(struct w_style *, const char *, char *err, size_t);
/* The canonical string for a style ("fg=red,bold"); "default" if none. */
void	 w_style_tostring(const struct w_style *, char *, size_t);
/* Whether the style uses any colour (a monochrome theme does not). */
int	 w_style_has_colour(const struct w_style *);

void	 w_theme_builtin(struct w_theme *, enum w_builtin);
/*
 * Read a theme file over *t.  Returns 0 if every line was good; -1 if the
 * file could not be read, or the number of bad lines.  Bad lines are
 * skipped (their roles keep what they had) and described in err, one
 * "file:line: message" per line, truncated to errlen.
 */
int	 w_theme_load(struct w_theme *, const char *path, char *err, size_t);
/* Like w_theme_load, for text already in memory (tests, fuzzing). */
int	 w_theme_parse(struct w_theme *, const char *name, const char *text,
	    char *err, size_t);

/* -- the active style table (the one global of the widgets) -- */

/* Make a copy of *t the active theme; applied now if curses runs. */
void	 w_style_use(const struct w_theme *);
/*
 * Builtin default, then the file at path over it, made active: the
 * convenience the console calls.  Returns as w_theme_load.
 */
int	 w_style_load(const char *path, char *err, size_t);
/*
 * After initscr(): find out what the terminal can do and build the
 * attributes.  NO_COLOR (set and not empty) or a terminal without colour
 * selects the monochrome theme if the active one uses colour.  Returns
 * the number of colours in use (0, 8, 16 or 256).
 */
int	 w_style_start(void);
/* Force monochrome (a --no-color option); call before w_style_start. */
void	 w_style_set_mono(int);
/* Draw lines with + - | instead of ACS/Unicode. */
void	 w_style_set_ascii_lines(int);
int	 w_style_ascii_lines(void);
/* Is the terminal's character set UTF-8 (set by w_style_start)? */
int	 w_style_utf8(void);
void	 w_style_set_utf8(int);
int	 w_style_colours(void);
const struct w_theme *w_style_theme(void);

/* -- curses -- */
#include <curses.h>

/* The attribute (colour pair included) for a role. */
attr_t	 w_attr(enum w_role);

#endif /* W_STYLE_H */
