/*
 * w_widget.h - what every widget shares: the rectangle it draws in, the
 * flags its key handler returns, the key encoding and the allocators.
 *
 * Widgets never read the keyboard, sleep or look at the clock: the
 * console's poll loop reads a key and feeds it to the focused widget's
 * *_key(), which returns flags saying what happened.  The loop owns the
 * redraw policy; widgets only report what changed (the htop pattern).
 */
#ifndef W_WIDGET_H
#define W_WIDGET_H

#include <stddef.h>

/* Where a widget draws, in the coordinates of the window it is given. */
struct w_rect {
	int	 y;
	int	 x;
	int	 h;
	int	 w;
};

/* Results of a *_key() handler; several may be or'ed together. */
#define W_IGNORED	0x00	/* not ours: try the global bindings */
#define W_HANDLED	0x01	/* consumed */
#define W_REDRAW	0x02	/* the widget looks different now */
#define W_CHANGED	0x04	/* selection or content changed */
#define W_SUBMIT	0x08	/* Enter, Yes, activate */
#define W_CANCEL	0x10	/* Esc, No */

/*
 * Keys are ints.  Below 0x100 a key is that byte/character (controls
 * included), curses function keys (KEY_UP, ...) keep their values, and
 * any other character is its code point or'ed with W_KEY_WCHAR, because
 * code points U+0100..U+01FF would collide with KEY_* values.
 */
#define W_KEY_WCHAR	0x01000000
#define W_KEY_ESC	27
#define W_KEY_CTRL(c)	((c) & 0x1f)

/* Turn what wget_wch() returned (rc, wch) into a widget key. */
int	 w_key_from_wch(int rc, unsigned int wch);
/* The code point of a character key, or -1 for a function key. */
long	 w_key_char(int key);
/* Is the key a character one may insert into text (not a control)? */
int	 w_key_printable(int key);
/* Encode code point cp as UTF-8 into out[4]; returns the length or 0. */
size_t	 w_utf8_encode(long cp, char *out);

/*
 * Allocators that abort on failure, like tmux's xmalloc: the console
 * restores the terminal from its SIGABRT handler, and a widget that
 * cannot allocate has no sensible way to carry on drawing.
 */
void	*w_xcalloc(size_t, size_t);
void	*w_xreallocarray(void *, size_t, size_t);
char	*w_xstrdup(const char *);
char	*w_xstrndup(const char *, size_t);
void	 w_clamp_rect(struct w_rect *);

#endif /* W_WIDGET_H */
