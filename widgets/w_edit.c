/*
 * w_edit.c - the line editor behind the prompt and the form fields.
 *
 * Invariant: buf is NUL-terminated, len < cap, and point, start <= len
 * always fall on the first byte of a UTF-8 character.  Only printable
 * characters are inserted, so the buffer never holds a control byte that
 * came from the keyboard (pasted text still goes through w_draw).
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "w_draw.h"
#include "w_edit.h"
#include "w_widget.h"

static int
is_cont(char c)
{
	return (((unsigned char)c & 0xc0) == 0x80);
}

static size_t
prev_char(const struct w_edit *e, size_t at)
{
	if (at == 0)
		return (0);
	do
		at--;
	while (at > 0 && is_cont(e->buf[at]));
	return (at);
}

static size_t
next_char(const struct w_edit *e, size_t at)
{
	if (at >= e->len)
		return (e->len);
	do
		at++;
	while (at < e->len && is_cont(e->buf[at]));
	return (at);
}

void
w_edit_init(struct w_edit *e, size_t max)
{
	memset(e, 0, sizeof *e);
	e->max = max ? max : 4096;
	e->cap = 64;
	e->buf = w_xcalloc(1, e->cap);
}

void
w_edit_free(struct w_edit *e)
{
	free(e->buf);
	e->buf = NULL;
	e->len = e->cap = e->point = e->start = 0;
}

static void
delete_range(struct w_edit *e, size_t from, size_t to)
{
	if (to <= from)
		return;
	memmove(e->buf + from, e->buf + to, e->len - to + 1);
	e->len -= to - from;
	if (e->point > to)
		e->point -= to - from;
	else if (e->point > from)
		e->point = from;
	if (e->start > e->point)
		e->start = e->point;
}

int
w_edit_insert(struct w_edit *e, const char *s, size_t n)
{
	if (e->len + n > e->max)
		return (-1);
	if (e->len + n + 1 > e->cap) {
		e->cap = (e->len + n + 1) * 2;
		e->buf = w_xreallocarray(e->buf, 1, e->cap);
	}
	memmove(e->buf + e->point + n, e->buf + e->point,
	    e->len - e->point + 1);
	memcpy(e->buf + e->point, s, n);
	e->len += n;
	e->point += n;
	return (0);
}

void
w_edit_set(struct w_edit *e, const char *s)
{
	size_t	 n = strlen(s);

	e->len = e->point = e->start = 0;
	e->buf[0] = '\0';
	if (n > e->max)
		n = e->max;
	/* Never cut a character in half. */
	while (n > 0 && n < strlen(s) && is_cont(s[n]))
		n--;
	w_edit_insert(e, s, n);
}

static int
is_space(char c)
{
	return (c == ' ' || c == '\t');
}

int
w_edit_key(struct w_edit *e, int key)
{
	char	 u[4];
	size_t	 at, n;

	switch (key) {
	case KEY_LEFT:
	case W_KEY_CTRL('b'):
		e->point = prev_char(e, e->point);
		return (W_HANDLED | W_REDRAW);
	case KEY_RIGHT:
	case W_KEY_CTRL('f'):
		e->point = next_char(e, e->point);
		return (W_HANDLED | W_REDRAW);
	case KEY_HOME:
	case W_KEY_CTRL('a'):
		e->point = 0;
		return (W_HANDLED | W_REDRAW);
	case KEY_END:
	case W_KEY_CTRL('e'):
		e->point = e->len;
		return (W_HANDLED | W_REDRAW);
	case KEY_BACKSPACE:
	case 0x7f:
	case W_KEY_CTRL('h'):
		if (e->point == 0)
			return (W_HANDLED);
		delete_range(e, prev_char(e, e->point), e->point);
		return (W_HANDLED | W_REDRAW | W_CHANGED);
	case KEY_DC:
	case W_KEY_CTRL('d'):
		if (e->point == e->len)
			return (W_HANDLED);
		delete_range(e, e->point, next_char(e, e->point));
		return (W_HANDLED | W_REDRAW | W_CHANGED);
	case W_KEY_CTRL('u'):
		delete_range(e, 0, e->point);
		return (W_HANDLED | W_REDRAW | W_CHANGED);
	case W_KEY_CTRL('k'):
		delete_range(e, e->point, e->len);
		return (W_HANDLED | W_REDRAW | W_CHANGED);
	case W_KEY_CTRL('w'):
		/* As readline's unix-word-rubout: blanks, then a word. */
		at = e->point;
		while (at > 0 && is_space(e->buf[at - 1]))
			at--;
		while (at > 0 && !is_space(e->buf[at - 1]))
			at--;
		delete_range(e, at, e->point);
		return (W_HANDLED | W_REDRAW | W_CHANGED);
	}
	if (!w_key_printable(key))
		return (W_IGNORED);
	if ((n = w_utf8_encode(w_key_char(key), u)) == 0)
		return (W_IGNORED);
	if (w_edit_insert(e, u, n) == -1)
		return (W_HANDLED);
	return (W_HANDLED | W_REDRAW | W_CHANGED);
}

int
w_edit_scroll(struct w_edit *e, int width, int flags)
{
	int	 col;

	if (width < 1)
		width = 1;
	if (e->start > e->point)
		e->start = e->point;
	/* Keep one column free for the cursor after the last character. */
	while ((col = w_vis_width(e->buf + e->start, e->point - e->start,
	    flags)) > width - 1 && e->start < e->point)
		e->start = next_char(e, e->start);
	return (col);
}

void
w_history_init(struct w_history *h, size_t max)
{
	memset(h, 0, sizeof *h);
	h->max = max ? max : 100;
}

void
w_history_free(struct w_history *h)
{
	size_t	 i;

	for (i = 0; i < h->n; i++)
		free(h->line[i]);
	free(h->line);
	free(h->saved);
	memset(h, 0, sizeof *h);
}

void
w_history_reset(struct w_history *h)
{
	h->pos = h->n;
	free(h->saved);
	h->saved = NULL;
}

void
w_history_add(struct w_history *h, const char *s)
{
	w_history_reset(h);
	if (*s == '\0' || (h->n > 0 && strcmp(h->line[h->n - 1], s) == 0))
		return;
	if (h->n == h->max) {
		free(h->line[0]);
		memmove(h->line, h->line + 1, (h->n - 1) * sizeof *h->line);
		h->n--;
	}
	h->line = w_xreallocarray(h->line, h->n + 1, sizeof *h->line);
	h->line[h->n++] = w_xstrdup(s);
	h->pos = h->n;
}

int
w_history_step(struct w_history *h, struct w_edit *e, int dir)
{
	if (h->pos > h->n)
		h->pos = h->n;
	if (dir < 0) {
		if (h->pos == 0)
			return (0);
		if (h->pos == h->n) {
			free(h->saved);
			h->saved = w_xstrdup(e->buf);
		}
		h->pos--;
		w_edit_set(e, h->line[h->pos]);
		return (1);
	}
	if (h->pos >= h->n)
		return (0);
	h->pos++;
	if (h->pos == h->n) {
		w_edit_set(e, h->saved != NULL ? h->saved : "");
		free(h->saved);
		h->saved = NULL;
	} else
		w_edit_set(e, h->line[h->pos]);
	return (1);
}
