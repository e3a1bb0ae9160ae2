/*
 * w_text.c - the text viewer.
 *
 * Invariant: top < n whenever n > 0, and top never leaves the last page
 * half empty (top <= n - h) unless a search hit asked for it.  Lines are
 * stored as given and sanitised when drawn, so a search matches what the
 * server sent, not its escaped form.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "w_draw.h"
#include "w_text.h"

static size_t	 max_top(const struct w_text *);

struct w_text *
w_text_new(void)
{
	return (w_xcalloc(1, sizeof (struct w_text)));
}

void
w_text_clear(struct w_text *t)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		free(t->line[i].s);
	free(t->line);
	t->line = NULL;
	t->n = t->top = 0;
	t->left = 0;
	t->found = 0;
}

void
w_text_free(struct w_text *t)
{
	if (t == NULL)
		return;
	w_text_clear(t);
	free(t->term);
	free(t);
}

void
w_text_resize(struct w_text *t, const struct w_rect *r)
{
	t->r = *r;
	w_clamp_rect(&t->r);
	/* Taller now: do not leave the bottom of the screen empty. */
	if (t->top > max_top(t))
		t->top = max_top(t);
}

static void
add_one(struct w_text *t, enum w_role role, int section, const char *s,
    size_t len)
{
	t->line = w_xreallocarray(t->line, t->n + 1, sizeof *t->line);
	t->line[t->n].s = w_xstrndup(s, len);
	t->line[t->n].role = role;
	t->line[t->n].section = section;
	t->n++;
}

void
w_text_add(struct w_text *t, enum w_role role, const char *s)
{
	size_t	 len;

	for (;;) {
		len = strcspn(s, "\n");
		add_one(t, role, 0, s, len);
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
}

void
w_text_addf(struct w_text *t, enum w_role role, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		return;
	w_text_add(t, role, s);
	free(s);
}

void
w_text_section(struct w_text *t, const char *title)
{
	add_one(t, W_ROLE_TITLE, 1, title, strcspn(title, "\n"));
}

static size_t
max_top(const struct w_text *t)
{
	size_t	 h = t->r.h > 0 ? (size_t)t->r.h : 1;

	return (t->n > h ? t->n - h : 0);
}

void
w_text_scroll_to(struct w_text *t, size_t line)
{
	t->top = line;
	if (t->top > max_top(t))
		t->top = max_top(t);
}

long
w_text_search(struct w_text *t, const char *term, int dir)
{
	size_t	 i, at, start;

	if (term != NULL) {
		free(t->term);
		t->term = *term != '\0' ? w_xstrdup(term) : NULL;
		t->found = 0;
	}
	if (t->term == NULL || t->n == 0)
		return (-1);
	/* A new search starts at the top line; a repeat after the hit. */
	start = t->found ? t->hit : (dir > 0 ? t->top + t->n - 1 : t->top);
	for (i = 1; i <= t->n; i++) {
		at = dir > 0 ? (start + i) % t->n :
		    (start + t->n - i % t->n) % t->n;
		if (strcasestr(t->line[at].s, t->term) == NULL)
			continue;
		t->hit = at;
		t->found = 1;
		if (at < t->top || at >= t->top + (size_t)t->r.h)
			w_text_scroll_to(t, at > 2 ? at - 2 : 0);
		return ((long)at);
	}
	t->found = 0;
	return (-1);
}

int
w_text_key(struct w_text *t, int key)
{
	size_t	 old = t->top, page = t->r.h > 1 ? t->r.h - 1 : 1, i;
	int	 oldleft = t->left;

	switch (key) {
	case KEY_UP:
	case 'k':
		if (t->top > 0)
			t->top--;
		break;
	case KEY_DOWN:
	case 'j':
		w_text_scroll_to(t, t->top + 1);
		break;
	case KEY_PPAGE:
		t->top = t->top > page ? t->top - page : 0;
		break;
	case KEY_NPAGE:
	case ' ':
		w_text_scroll_to(t, t->top + page);
		break;
	case KEY_HOME:
	case 'g':
		t->top = 0;
		break;
	case KEY_END:
	case 'G':
		t->top = max_top(t);
		break;
	case KEY_LEFT:
		t->left = t->left > 8 ? t->left - 8 : 0;
		break;
	case KEY_RIGHT:
		t->left += 8;
		break;
	case ']':
		for (i = t->top + 1; i < t->n; i++)
			if (t->line[i].section) {
				w_text_scroll_to(t, i);
				break;
			}
		break;
	case '[':
		for (i = t->top; i > 0; i--)
			if (t->line[i - 1].section) {
				t->top = i - 1;
				break;
			}
		break;
	case 'n':
	case 'N':
		if (t->term == NULL)
			return (W_IGNORED);
		w_text_search(t, NULL, key == 'n' ? 1 : -1);
		return (W_HANDLED | W_REDRAW);
	default:
		return (W_IGNORED);
	}
	if (t->top == old && t->left == oldleft)
		return (W_HANDLED);
	return (W_HANDLED | W_REDRAW);
}

/* Mark every occurrence of the term on one drawn line. */
static void
draw_hits(struct w_text *t, WINDOW *win, int y, const char *s)
{
	const char	*p = s, *m;
	size_t		 tl = strlen(t->term);
	int		 col, flags = w_style_utf8() ? 0 : W_VIS_ASCII;

	while ((m = strcasestr(p, t->term)) != NULL) {
		col = w_vis_width(s, m - s, flags) - t->left;
		p = m + tl;
		if (col >= t->r.w)
			break;
		if (col < 0)
			continue;
		w_draw_textn(win, y, t->r.x + col, t->r.w - col,
		    w_attr(W_ROLE_MATCH), W_CLIP_NOELLIPSIS, m, tl);
	}
}

void
w_text_draw(struct w_text *t, WINDOW *win)
{
	struct w_text_line	*l;
	size_t			 i;
	int			 y;

	for (y = 0, i = t->top; y < t->r.h; y++, i++) {
		w_draw_fill(win, t->r.y + y, t->r.x, t->r.w,
		    w_attr(W_ROLE_NORMAL));
		if (i >= t->n)
			continue;
		l = &t->line[i];
		w_draw_skip(win, t->r.y + y, t->r.x, l->section ? 0 : t->left,
		    t->r.w, w_attr(l->role), 0, l->s, strlen(l->s));
		if (t->term != NULL && !l->section)
			draw_hits(t, win, t->r.y + y, l->s);
	}
}
