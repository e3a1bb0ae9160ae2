/*
 * w_list.c - the list/tree widget: cursor, scrolling, tags and groups,
 * with every row drawn by the owner.
 *
 * Invariant after w_list_fix(): with n rows and a body of h lines,
 * sel < n (or 0 when n == 0), top <= sel < top + h, and top <= n - h
 * when n >= h, so the screen is never half empty while rows are hidden
 * above it.
 */
#include <stdlib.h>

#include "w_draw.h"
#include "w_list.h"
#include "w_style.h"

struct w_list *
w_list_new(const struct w_list_ops *ops, void *arg)
{
	struct w_list	*l;

	l = w_xcalloc(1, sizeof *l);
	l->ops = ops;
	l->arg = arg;
	l->focused = 1;
	return (l);
}

void
w_list_free(struct w_list *l)
{
	if (l == NULL)
		return;
	free(l->empty);
	free(l);
}

void
w_list_resize(struct w_list *l, const struct w_rect *r)
{
	l->r = *r;
	w_clamp_rect(&l->r);
	w_list_fix(l);
}

int
w_list_body_height(const struct w_list *l)
{
	int	 h = l->r.h;

	if (l->ops->draw_header != NULL && h > 0)
		h--;
	return (h);
}

void
w_list_fix(struct w_list *l)
{
	size_t	 n = l->ops->count(l->arg);
	size_t	 h = w_list_body_height(l) > 0 ? w_list_body_height(l) : 1;

	if (n == 0) {
		l->sel = l->top = 0;
		return;
	}
	if (l->sel >= n)
		l->sel = n - 1;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + h)
		l->top = l->sel - h + 1;
	if (n >= h && l->top > n - h)
		l->top = n - h;
	if (n < h)
		l->top = 0;
}

size_t
w_list_selected(const struct w_list *l)
{
	if (l->ops->count(l->arg) == 0)
		return (W_LIST_NONE);
	return (l->sel);
}

void
w_list_select(struct w_list *l, size_t i)
{
	l->sel = i;
	w_list_fix(l);
}

void
w_list_set_empty(struct w_list *l, const char *s)
{
	free(l->empty);
	l->empty = s != NULL ? w_xstrdup(s) : NULL;
}

void
w_list_set_focus(struct w_list *l, int on)
{
	l->focused = on;
}

size_t
w_list_tag_all(struct w_list *l, int on)
{
	size_t	 i, n = l->ops->count(l->arg);

	if (l->ops->tag == NULL)
		return (0);
	for (i = 0; i < n; i++)
		l->ops->tag(l->arg, i, on ? W_TAG_SET : W_TAG_CLEAR);
	return (w_list_tagged(l));
}

size_t
w_list_tagged(const struct w_list *l)
{
	size_t	 i, n = l->ops->count(l->arg), t = 0;

	if (l->ops->tag == NULL)
		return (0);
	for (i = 0; i < n; i++)
		t += l->ops->tag(l->arg, i, W_TAG_GET) != 0;
	return (t);
}

/* Move the cursor by delta rows, stopping at the ends. */
static int
cursor_step(struct w_list *l, long delta)
{
	size_t	 n = l->ops->count(l->arg), old = l->sel;

	if (n == 0)
		return (W_HANDLED);
	if (delta < 0 && (size_t)-delta > l->sel)
		l->sel = 0;
	else if (delta > 0 && l->sel + delta >= n)
		l->sel = n - 1;
	else
		l->sel += delta;
	w_list_fix(l);
	if (l->sel == old)
		return (W_HANDLED);
	return (W_HANDLED | W_REDRAW | W_CHANGED);
}

int
w_list_key(struct w_list *l, int key)
{
	size_t	 n = l->ops->count(l->arg), p;
	long	 page = w_list_body_height(l) > 1 ? w_list_body_height(l) - 1 : 1;

	switch (key) {
	case KEY_UP:
	case 'k':
		return (cursor_step(l, -1));
	case KEY_DOWN:
	case 'j':
		return (cursor_step(l, 1));
	case KEY_PPAGE:
		return (cursor_step(l, -page));
	case KEY_NPAGE:
		return (cursor_step(l, page));
	case KEY_HOME:
	case 'g':
		return (cursor_step(l, -(long)l->sel));
	case KEY_END:
	case 'G':
		return (cursor_step(l, (long)n));
	case ' ':
		if (l->ops->tag == NULL || n == 0)
			return (W_IGNORED);
		l->ops->tag(l->arg, l->sel, W_TAG_TOGGLE);
		return (cursor_step(l, 1) | W_REDRAW | W_CHANGED);
	case KEY_LEFT:
	case '-':
		if (n == 0)
			return (W_HANDLED);
		if (l->ops->expand != NULL &&
		    l->ops->expand(l->arg, l->sel, W_EXPAND_COLLAPSE)) {
			w_list_fix(l);
			return (W_HANDLED | W_REDRAW | W_CHANGED);
		}
		if (l->ops->parent != NULL &&
		    (p = l->ops->parent(l->arg, l->sel)) != l->sel)
			return (cursor_step(l, (long)p - (long)l->sel));
		return (W_HANDLED);
	case KEY_RIGHT:
	case '+':
		if (n > 0 && l->ops->expand != NULL &&
		    l->ops->expand(l->arg, l->sel, W_EXPAND_OPEN)) {
			w_list_fix(l);
			return (W_HANDLED | W_REDRAW | W_CHANGED);
		}
		return (W_HANDLED);
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (n == 0)
			return (W_HANDLED);
		return (W_HANDLED | W_SUBMIT);
	}
	if (l->ops->key != NULL)
		return (l->ops->key(l->arg, n ? l->sel : W_LIST_NONE, key));
	return (W_IGNORED);
}

void
w_list_draw(struct w_list *l, WINDOW *win)
{
	struct w_rect	 row;
	size_t		 n, i;
	int		 y = l->r.y, h, flags;

	if (l->r.h < 1 || l->r.w < 1)
		return;
	w_list_fix(l);
	row = (struct w_rect){ .y = y, .x = l->r.x, .h = 1, .w = l->r.w };
	if (l->ops->draw_header != NULL) {
		l->ops->draw_header(l->arg, win, &row);
		row.y++;
	}
	n = l->ops->count(l->arg);
	h = w_list_body_height(l);
	for (i = l->top; row.y < l->r.y + l->r.h; i++, row.y++) {
		if (i >= n) {
			w_draw_fill(win, row.y, row.x, row.w,
			    w_attr(W_ROLE_NORMAL));
			continue;
		}
		flags = l->focused ? W_ROW_FOCUSED : 0;
		if (i == l->sel)
			flags |= W_ROW_SELECTED;
		if (l->ops->tag != NULL &&
		    l->ops->tag(l->arg, i, W_TAG_GET))
			flags |= W_ROW_TAGGED;
		l->ops->draw_row(l->arg, win, &row, i, flags);
	}
	if (n == 0 && l->empty != NULL && h > 0)
		w_draw_text(win, l->r.y + l->r.h - h, l->r.x + 1, l->r.w - 1,
		    w_attr(W_ROLE_DIM), 0, l->empty);
}
