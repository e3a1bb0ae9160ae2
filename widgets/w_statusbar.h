/*
 * w_statusbar.h - the bottom message line: a message with a level that
 * may time out, and a right-hand field (clock, running jobs, lock).
 *
 * Time is passed in (milliseconds of a monotonic clock) so the widget
 * never reads the clock and its timeout is testable.
 */
#ifndef W_STATUSBAR_H
#define W_STATUSBAR_H

#include <curses.h>

#include "w_widget.h"

enum w_level {
	W_LEVEL_INFO = 0,
	W_LEVEL_WARN,
	W_LEVEL_ERROR
};

struct w_statusbar {
	struct w_rect		 r;
	char			*msg;
	enum w_level		 level;
	long long		 expires;	/* ms; 0: never */
	char			*right;
};

struct w_statusbar *w_statusbar_new(void);
void		 w_statusbar_free(struct w_statusbar *);
void		 w_statusbar_resize(struct w_statusbar *, const struct w_rect *);
void		 w_statusbar_draw(struct w_statusbar *, WINDOW *);
/* Escape dismisses the message; nothing else is ours. */
int		 w_statusbar_key(struct w_statusbar *, int);
/* Show msg until now + timeout (ms); timeout 0 keeps it. */
void		 w_statusbar_set(struct w_statusbar *, enum w_level,
		    long long now, long long timeout, const char *, ...)
		    __attribute__((format(printf, 5, 6)));
void		 w_statusbar_clear(struct w_statusbar *);
void		 w_statusbar_set_right(struct w_statusbar *, const char *);
/* Drop an expired message; returns 1 if the bar must be redrawn. */
int		 w_statusbar_tick(struct w_statusbar *, long long now);
/* Milliseconds until the message expires, -1 if none (poll timeout). */
long long	 w_statusbar_timeout(const struct w_statusbar *, long long now);

#endif /* W_STATUSBAR_H */
