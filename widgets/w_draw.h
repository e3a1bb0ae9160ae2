/*
 * w_draw.h - sanitised, width-aware text output.
 *
 * Every byte a widget draws goes through here.  Text is cut into display
 * units: a printable character (with its combining marks) is kept, and
 * anything a terminal could act on becomes a visible escape (\x1b, \u202e,
 * \\).  Widths are display columns, never bytes.  The functions above the
 * "curses" banner are pure: they run in tests without a terminal.
 */
#ifndef W_DRAW_H
#define W_DRAW_H

#include <stddef.h>

#include "w_widget.h"

/* Flags for the vis and clip functions. */
#define W_VIS_ASCII	0x01	/* terminal is not UTF-8: escape non-ASCII */
#define W_CLIP_PAD	0x10	/* pad with spaces to exactly the width */
#define W_CLIP_RIGHT	0x20	/* align right (implies padding) */
#define W_CLIP_CENTER	0x40	/* centre (implies padding) */
#define W_CLIP_NOELLIPSIS 0x80	/* cut without an ellipsis */

/* Combining marks kept on one character; more are dropped ("zalgo"). */
#define W_MAX_MARKS	4

/* One display unit. */
struct w_unit {
	char	 s[16];		/* bytes to output, NUL-terminated */
	size_t	 len;
	int	 width;		/* display columns: 0 for a mark */
	int	 kind;
#define W_UNIT_CHAR	0	/* a printable character */
#define W_UNIT_MARK	1	/* a combining mark on the previous char */
#define W_UNIT_ESC	2	/* a visible escape for something unsafe */
	size_t	 off;		/* where it starts in the input */
	size_t	 used;		/* input bytes it stands for */
};

/* Iterator over the units of a byte string. */
struct w_vis {
	const unsigned char	*start;
	const unsigned char	*p;
	const unsigned char	*end;
	int			 flags;
	int			 marks;	/* marks since the base; -1: no base */
};

/* Output buffer size enough for "w" columns of w_clip() output. */
#define W_CLIP_BUFSZ(w)	((size_t)(w) * (4 + 4 * W_MAX_MARKS) + 16)

void	 w_vis_init(struct w_vis *, const char *, size_t, int);
/* Next unit into "u"; returns 0 at the end of the input. */
int	 w_vis_next(struct w_vis *, struct w_unit *);
/* Display width of the sanitised form of s[0..n). */
int	 w_vis_width(const char *, size_t, int);
/* Sanitised copy of s[0..n); the caller frees it. */
char	*w_vis_dup(const char *, size_t, int);

/*
 * Render s[0..n) skipping its first "skip" columns into at most "width"
 * columns of out (size outlen, always NUL-terminated).  A cut string ends
 * with an ellipsis unless W_CLIP_NOELLIPSIS.  Returns the columns used,
 * padding included.
 */
int	 w_clip(const char *, size_t, int skip, int width, int flags,
	    char *out, size_t outlen);

/* A line of wrapped text: s[off..off+len). */
struct w_span {
	size_t	 off;
	size_t	 len;
};
/*
 * Word-wrap s at "width" columns, breaking at '\n' and spaces.  Fills at
 * most "max" spans; returns the number of lines the text needs.
 */
size_t	 w_wrap(const char *, int width, int flags, struct w_span *,
	    size_t max);

/* -- curses -- */
#include <curses.h>

/* Flags as for w_clip(); the terminal's UTF-8 mode is added. */
int	 w_draw_text(WINDOW *, int y, int x, int width, attr_t, int,
	    const char *);
int	 w_draw_textn(WINDOW *, int y, int x, int width, attr_t, int,
	    const char *, size_t);
int	 w_draw_skip(WINDOW *, int y, int x, int skip, int width, attr_t,
	    int, const char *, size_t);
int	 w_draw_printf(WINDOW *, int y, int x, int width, attr_t, int,
	    const char *, ...) __attribute__((format(printf, 7, 8)));
void	 w_draw_fill(WINDOW *, int y, int x, int width, attr_t);
void	 w_draw_hline(WINDOW *, int y, int x, int width, attr_t);
void	 w_draw_box(WINDOW *, const struct w_rect *, attr_t, const char *);
void	 w_draw_clear(WINDOW *, const struct w_rect *, attr_t);

#endif /* W_DRAW_H */
