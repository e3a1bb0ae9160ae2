/*
 * w_text.h - a scrollable multi-line text viewer with sections and
 * search (the service detail and help screens).
 *
 * The owner adds lines (each with a role) and section titles; the viewer
 * scrolls vertically and horizontally, jumps between sections with '['
 * and ']', and finds text with w_text_search() ('n'/'N' repeat).  The
 * console reads the search term with the prompt: the viewer never reads
 * the keyboard itself.
 */
#ifndef W_TEXT_H
#define W_TEXT_H

#include <curses.h>
#include <stddef.h>

#include "w_style.h"
#include "w_widget.h"

struct w_text_line {
	char		*s;
	enum w_role	 role;
	int		 section;	/* a section title */
};

struct w_text {
	struct w_rect		 r;
	struct w_text_line	*line;
	size_t			 n;
	size_t			 top;	/* first line shown */
	int			 left;	/* columns scrolled right */
	char			*term;	/* search term, or NULL */
	size_t			 hit;	/* line of the last hit */
	int			 found;
};

struct w_text	*w_text_new(void);
void		 w_text_free(struct w_text *);
void		 w_text_resize(struct w_text *, const struct w_rect *);
void		 w_text_draw(struct w_text *, WINDOW *);
int		 w_text_key(struct w_text *, int);
void		 w_text_clear(struct w_text *);
/* Add text; embedded newlines split it into several lines. */
void		 w_text_add(struct w_text *, enum w_role, const char *);
void		 w_text_addf(struct w_text *, enum w_role, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
void		 w_text_section(struct w_text *, const char *);
/*
 * Find "term" (case-insensitive) from the line after the current hit
 * (dir > 0) or before it; wraps.  Returns the line or -1 if absent.
 * A NULL term repeats the last one.
 */
long		 w_text_search(struct w_text *, const char *, int dir);
void		 w_text_scroll_to(struct w_text *, size_t);

#endif /* W_TEXT_H */
