/*
 * w_edit.h - a one-line text editor with emacs keys, and a history.
 *
 * The buffer is UTF-8 and the point always sits on a character boundary.
 * Both are pure (no curses) and shared by the prompt and the form fields.
 */
#ifndef W_EDIT_H
#define W_EDIT_H

#include <stddef.h>

struct w_edit {
	char	*buf;		/* NUL-terminated, owned */
	size_t	 len;		/* bytes in buf */
	size_t	 cap;
	size_t	 point;		/* byte offset of the cursor */
	size_t	 max;		/* longest line accepted, in bytes */
	size_t	 start;		/* first byte shown (horizontal scroll) */
};

void	 w_edit_init(struct w_edit *, size_t max);
void	 w_edit_free(struct w_edit *);
/* Replace the text; the point goes to the end. */
void	 w_edit_set(struct w_edit *, const char *);
/* Insert n bytes at the point; returns 0 or -1 if too long. */
int	 w_edit_insert(struct w_edit *, const char *, size_t);
/*
 * Handle an editing key: printable characters, Left/Right, Home/End,
 * C-a C-e C-b C-f, Backspace, Delete, C-d, C-u, C-k, C-w.  Returns
 * W_HANDLED|W_REDRAW (or'ed with W_CHANGED if the text changed) or
 * W_IGNORED.
 */
int	 w_edit_key(struct w_edit *, int);
/*
 * Move e->start so that the point is visible in a field "width" columns
 * wide; returns the column of the point relative to the field.
 */
int	 w_edit_scroll(struct w_edit *, int width, int flags);

/* A bounded list of past lines, newest last, with a browsing position. */
struct w_history {
	char	**line;
	size_t	  n;
	size_t	  max;
	size_t	  pos;		/* == n when not browsing */
	char	 *saved;	/* the line being edited before browsing */
};

void	 w_history_init(struct w_history *, size_t max);
void	 w_history_free(struct w_history *);
/* Add a line (not empty, not a repeat of the newest); resets browsing. */
void	 w_history_add(struct w_history *, const char *);
/*
 * Step back (dir < 0) or forward through the history, putting the line
 * into the editor.  Returns 1 if the editor changed, 0 at either end.
 */
int	 w_history_step(struct w_history *, struct w_edit *, int dir);
void	 w_history_reset(struct w_history *);

#endif /* W_EDIT_H */
