/*
 * w_log.h - an append-only pane of lines kept in a ring (the jobs/log
 * pane).  In follow mode it shows the newest lines as they arrive;
 * scrolling up leaves follow mode, End or 'F' returns to it.
 */
#ifndef W_LOG_H
#define W_LOG_H

#include <curses.h>
#include <stddef.h>

#include "w_style.h"
#include "w_widget.h"

struct w_log_line {
	char		*s;
	enum w_role	 role;
};

struct w_log {
	struct w_rect		 r;
	struct w_log_line	*ring;
	size_t			 cap;
	size_t			 head;	/* index of the oldest line */
	size_t			 n;	/* lines held */
	unsigned long long	 dropped; /* lines pushed out so far */
	size_t			 top;	/* first line shown, 0 = oldest */
	int			 follow;
};

struct w_log	*w_log_new(size_t cap);
void		 w_log_free(struct w_log *);
void		 w_log_resize(struct w_log *, const struct w_rect *);
void		 w_log_draw(struct w_log *, WINDOW *);
int		 w_log_key(struct w_log *, int);
/* Append text (split at newlines); the oldest lines go when full. */
void		 w_log_append(struct w_log *, enum w_role, const char *);
void		 w_log_appendf(struct w_log *, enum w_role, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
/* Line i, 0 being the oldest held; NULL past the end. */
const struct w_log_line *w_log_line(const struct w_log *, size_t);
void		 w_log_set_follow(struct w_log *, int);
void		 w_log_clear(struct w_log *);

#endif /* W_LOG_H */
