/*
 * w_table.c - column layout and header/cell drawing.
 *
 * Invariant after w_table_layout(t, W): the shown columns and the gaps
 * between them fit in W, each shown column is at least 1 wide, and a
 * column whose "drop" is 0 is hidden only if even the undroppable
 * columns at their minimum do not fit.
 */
#include <stdlib.h>
#include <string.h>

#include "w_draw.h"
#include "w_style.h"
#include "w_table.h"

struct w_table *
w_table_new(const struct w_column *cols, size_t n, int gap)
{
	struct w_table	*t;

	t = w_xcalloc(1, sizeof *t);
	t->col = w_xcalloc(n, sizeof *t->col);
	memcpy(t->col, cols, n * sizeof *cols);
	t->ncol = n;
	t->width = w_xcalloc(n, sizeof *t->width);
	t->x = w_xcalloc(n, sizeof *t->x);
	t->gap = gap < 0 ? 0 : gap;
	t->sort = (size_t)-1;
	return (t);
}

void
w_table_free(struct w_table *t)
{
	if (t == NULL)
		return;
	free(t->col);
	free(t->width);
	free(t->x);
	free(t);
}

static int
needed(const struct w_table *t)
{
	size_t	 i;
	int	 sum = 0, shown = 0;

	for (i = 0; i < t->ncol; i++) {
		if (t->width[i] == 0)
			continue;
		sum += t->width[i];
		shown++;
	}
	return (shown ? sum + t->gap * (shown - 1) : 0);
}

/* Share "spare" between shown elastic columns; returns what is left. */
static int
grow(struct w_table *t, int spare)
{
	size_t	 i;
	int	 wsum, add, given, room;

	while (spare > 0) {
		wsum = 0;
		for (i = 0; i < t->ncol; i++)
			if (t->width[i] > 0 && t->col[i].weight > 0 &&
			    (t->col[i].max == 0 || t->width[i] < t->col[i].max))
				wsum += t->col[i].weight;
		if (wsum == 0)
			break;
		given = 0;
		for (i = 0; i < t->ncol && given < spare; i++) {
			if (t->width[i] == 0 || t->col[i].weight <= 0)
				continue;
			room = t->col[i].max ? t->col[i].max - t->width[i] :
			    spare;
			if (room <= 0)
				continue;
			/* At least one, so rounding never stalls the loop. */
			add = spare * t->col[i].weight / wsum;
			if (add < 1)
				add = 1;
			if (add > room)
				add = room;
			if (add > spare - given)
				add = spare - given;
			t->width[i] += add;
			given += add;
		}
		spare -= given;
		if (given == 0)
			break;
	}
	return (spare);
}

void
w_table_layout(struct w_table *t, int width)
{
	size_t	 i, victim;
	int	 x, worst, over;

	t->total = width;
	for (i = 0; i < t->ncol; i++)
		t->width[i] = t->col[i].min > 0 ? t->col[i].min : 1;

	/* Drop the least wanted columns (the rightmost on a tie). */
	while (needed(t) > width) {
		worst = 0;
		victim = t->ncol;
		for (i = 0; i < t->ncol; i++)
			if (t->width[i] > 0 && t->col[i].drop >= worst &&
			    t->col[i].drop > 0) {
				worst = t->col[i].drop;
				victim = i;
			}
		if (victim == t->ncol)
			break;
		t->width[victim] = 0;
	}
	/* Still too wide: shrink from the right, hiding what reaches 0. */
	for (i = t->ncol; i > 0 && (over = needed(t) - width) > 0; i--) {
		if (t->width[i - 1] == 0)
			continue;
		if (t->width[i - 1] > over)
			t->width[i - 1] -= over;
		else
			t->width[i - 1] = 0;
	}
	grow(t, width - needed(t));

	for (i = 0, x = 0; i < t->ncol; i++) {
		t->x[i] = x;
		if (t->width[i] > 0)
			x += t->width[i] + t->gap;
	}
}

void
w_table_resize(struct w_table *t, int width)
{
	w_table_layout(t, width);
}

int
w_table_visible(const struct w_table *t, size_t i)
{
	return (i < t->ncol && t->width[i] > 0);
}

void
w_table_set_sort(struct w_table *t, size_t col, int desc)
{
	t->sort = col;
	t->sort_desc = desc;
	t->sort_shown = 1;
}

int
w_table_key(struct w_table *t, int key)
{
	size_t	 i, s = t->sort < t->ncol ? t->sort : 0;

	switch (key) {
	case '<':
	case '>':
		/* Step to the next shown column, wrapping. */
		for (i = 0; i < t->ncol; i++) {
			s = key == '>' ? (s + 1) % t->ncol :
			    (s + t->ncol - 1) % t->ncol;
			if (t->width[s] > 0)
				break;
		}
		w_table_set_sort(t, s, t->sort_desc);
		return (W_HANDLED | W_REDRAW | W_CHANGED);
	case 'I':
		w_table_set_sort(t, s, !t->sort_desc);
		return (W_HANDLED | W_REDRAW | W_CHANGED);
	}
	return (W_IGNORED);
}

static int
clip_flags(int align)
{
	if (align == W_ALIGN_RIGHT)
		return (W_CLIP_RIGHT);
	if (align == W_ALIGN_CENTER)
		return (W_CLIP_CENTER);
	return (W_CLIP_PAD);
}

void
w_table_draw_header(struct w_table *t, WINDOW *win, const struct w_rect *r,
    attr_t attr)
{
	char	 title[256];
	size_t	 i;
	int	 w;

	w_draw_fill(win, r->y, r->x, r->w, attr);
	for (i = 0; i < t->ncol; i++) {
		if ((w = t->width[i]) == 0 || t->x[i] >= r->w)
			continue;
		if (t->x[i] + w > r->w)
			w = r->w - t->x[i];
		if (t->sort_shown && i == t->sort)
			snprintf(title, sizeof title, "%s%s", t->col[i].title,
			    !w_style_utf8() ? (t->sort_desc ? "v" : "^") :
			    (t->sort_desc ? "\xe2\x96\xbc" : "\xe2\x96\xb2"));
		else
			snprintf(title, sizeof title, "%s", t->col[i].title);
		w_draw_text(win, r->y, r->x + t->x[i], w, attr,
		    clip_flags(t->col[i].align), title);
	}
}

void
w_table_draw_cell(struct w_table *t, WINDOW *win, const struct w_rect *r,
    size_t i, attr_t attr, const char *text)
{
	int	 w;

	if (i >= t->ncol || (w = t->width[i]) == 0 || t->x[i] >= r->w)
		return;
	if (t->x[i] + w > r->w)
		w = r->w - t->x[i];
	w_draw_text(win, r->y, r->x + t->x[i], w, attr,
	    clip_flags(t->col[i].align), text);
}
