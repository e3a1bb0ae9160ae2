/*
 * w_log.c - the log pane's ring of lines.
 *
 * Invariant: the n lines held are ring[(head + i) % cap] for i < n, the
 * oldest first; n <= cap.  When a line is pushed out while the user is
 * reading back (not following), top moves with the text so the lines on
 * screen stay put until they themselves are gone.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "w_draw.h"
#include "w_log.h"

struct w_log *
w_log_new(size_t cap)
{
	struct w_log	*l;

	l = w_xcalloc(1, sizeof *l);
	l->cap = cap ? cap : 1000;
	l->ring = w_xcalloc(l->cap, sizeof *l->ring);
	l->follow = 1;
	return (l);
}

void
w_log_clear(struct w_log *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->ring[(l->head + i) % l->cap].s);
	l->head = l->n = l->top = 0;
}

void
w_log_free(struct w_log *l)
{
	if (l == NULL)
		return;
	w_log_clear(l);
	free(l->ring);
	free(l);
}

void
w_log_resize(struct w_log *l, const struct w_rect *r)
{
	l->r = *r;
	w_clamp_rect(&l->r);
}

static size_t
last_top(const struct w_log *l)
{
	size_t	 h = l->r.h > 0 ? (size_t)l->r.h : 1;

	return (l->n > h ? l->n - h : 0);
}

const struct w_log_line *
w_log_line(const struct w_log *l, size_t i)
{
	if (i >= l->n)
		return (NULL);
	return (&l->ring[(l->head + i) % l->cap]);
}

static void
push(struct w_log *l, enum w_role role, const char *s, size_t len)
{
	struct w_log_line	*slot;

	if (l->n == l->cap) {
		slot = &l->ring[l->head];
		free(slot->s);
		l->head = (l->head + 1) % l->cap;
		l->n--;
		l->dropped++;
		if (l->top > 0)
			l->top--;
	}
	slot = &l->ring[(l->head + l->n) % l->cap];
	slot->s = w_xstrndup(s, len);
	slot->role = role;
	l->n++;
}

void
w_log_append(struct w_log *l, enum w_role role, const char *s)
{
	size_t	 len;

	for (;;) {
		len = strcspn(s, "\n");
		/* A trailing newline ends the line; it adds no empty one. */
		if (len > 0 || s[len] == '\n')
			push(l, role, s, len);
		if (s[len] == '\0' || s[len + 1] == '\0')
			break;
		s += len + 1;
	}
	if (l->follow)
		l->top = last_top(l);
}

void
w_log_appendf(struct w_log *l, enum w_role role, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		return;
	w_log_append(l, role, s);
	free(s);
}

void
w_log_set_follow(struct w_log *l, int on)
{
	l->follow = on;
	if (on)
		l->top = last_top(l);
}

int
w_log_key(struct w_log *l, int key)
{
	size_t	 old = l->top, page = l->r.h > 1 ? l->r.h - 1 : 1;
	int	 oldf = l->follow;

	switch (key) {
	case KEY_UP:
	case 'k':
		if (l->top > 0)
			l->top--;
		l->follow = 0;
		break;
	case KEY_PPAGE:
		l->top = l->top > page ? l->top - page : 0;
		l->follow = 0;
		break;
	case KEY_DOWN:
	case 'j':
		if (l->top < last_top(l))
			l->top++;
		break;
	case KEY_NPAGE:
		l->top = l->top + page < last_top(l) ? l->top + page :
		    last_top(l);
		break;
	case KEY_HOME:
	case 'g':
		l->top = 0;
		l->follow = 0;
		break;
	case KEY_END:
	case 'G':
	case 'F':
		w_log_set_follow(l, 1);
		break;
	default:
		return (W_IGNORED);
	}
	/* Reaching the bottom by hand resumes following, as less +F. */
	if (l->top >= last_top(l) && key != KEY_UP && key != 'k')
		l->follow = 1;
	if (old == l->top && oldf == l->follow)
		return (W_HANDLED);
	return (W_HANDLED | W_REDRAW);
}

void
w_log_draw(struct w_log *l, WINDOW *win)
{
	const struct w_log_line	*ln;
	int			 y;

	if (l->follow)
		l->top = last_top(l);
	for (y = 0; y < l->r.h; y++) {
		w_draw_fill(win, l->r.y + y, l->r.x, l->r.w,
		    w_attr(W_ROLE_NORMAL));
		if ((ln = w_log_line(l, l->top + y)) == NULL)
			continue;
		w_draw_text(win, l->r.y + y, l->r.x, l->r.w, w_attr(ln->role),
		    0, ln->s);
	}
}
