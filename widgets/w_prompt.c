/*
 * w_prompt.c - the one-line prompt: a prompt string, an editor and a
 * history, drawn on one line with horizontal scrolling.
 *
 * The widget never reads the keyboard: in built-in mode keys arrive
 * through w_prompt_key(); in bridged mode readline owns the line and we
 * copy it in w_prompt_show().  Both modes draw through the same code, so
 * the line is sanitised whatever produced it.
 */
#include <stdlib.h>
#include <string.h>

#include "w_draw.h"
#include "w_prompt.h"
#include "w_style.h"

struct w_prompt {
	struct w_rect		 r;
	char			*prompt;
	struct w_edit		 edit;
	struct w_history	 hist;
	w_prompt_complete_cb	 complete;
	void			*arg;
};

struct w_prompt *
w_prompt_new(const char *prompt, size_t histmax)
{
	struct w_prompt	*p;

	p = w_xcalloc(1, sizeof *p);
	p->prompt = w_xstrdup(prompt != NULL ? prompt : "");
	w_edit_init(&p->edit, 4096);
	w_history_init(&p->hist, histmax);
	return (p);
}

void
w_prompt_free(struct w_prompt *p)
{
	if (p == NULL)
		return;
	free(p->prompt);
	w_edit_free(&p->edit);
	w_history_free(&p->hist);
	free(p);
}

void
w_prompt_resize(struct w_prompt *p, const struct w_rect *r)
{
	p->r = *r;
	w_clamp_rect(&p->r);
}

void
w_prompt_set_prompt(struct w_prompt *p, const char *prompt)
{
	free(p->prompt);
	p->prompt = w_xstrdup(prompt != NULL ? prompt : "");
}

void
w_prompt_set_complete(struct w_prompt *p, w_prompt_complete_cb cb, void *arg)
{
	p->complete = cb;
	p->arg = arg;
}

const char *
w_prompt_line(const struct w_prompt *p)
{
	return (p->edit.buf);
}

size_t
w_prompt_point(const struct w_prompt *p)
{
	return (p->edit.point);
}

void
w_prompt_set(struct w_prompt *p, const char *s)
{
	w_edit_set(&p->edit, s);
}

int
w_prompt_insert(struct w_prompt *p, const char *s)
{
	return (w_edit_insert(&p->edit, s, strlen(s)));
}

void
w_prompt_clear(struct w_prompt *p)
{
	w_edit_set(&p->edit, "");
	w_history_reset(&p->hist);
}

struct w_history *
w_prompt_history(struct w_prompt *p)
{
	return (&p->hist);
}

void
w_prompt_show(struct w_prompt *p, const char *line, size_t point)
{
	size_t	 len = strlen(line);

	w_edit_set(&p->edit, line);
	p->edit.point = point > len ? len : point;
	/* readline's point is a byte offset; keep it on a boundary. */
	while (p->edit.point > 0 &&
	    ((unsigned char)p->edit.buf[p->edit.point] & 0xc0) == 0x80)
		p->edit.point--;
}

int
w_prompt_key(struct w_prompt *p, int key)
{
	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		w_history_add(&p->hist, p->edit.buf);
		return (W_HANDLED | W_SUBMIT);
	case W_KEY_ESC:
	case W_KEY_CTRL('g'):
		return (W_HANDLED | W_CANCEL);
	case KEY_UP:
	case W_KEY_CTRL('p'):
		w_history_step(&p->hist, &p->edit, -1);
		return (W_HANDLED | W_REDRAW);
	case KEY_DOWN:
	case W_KEY_CTRL('n'):
		w_history_step(&p->hist, &p->edit, 1);
		return (W_HANDLED | W_REDRAW);
	case '\t':
		if (p->complete == NULL)
			return (W_HANDLED);
		return (W_HANDLED | p->complete(p->arg, p));
	}
	return (w_edit_key(&p->edit, key));
}

void
w_prompt_draw(struct w_prompt *p, WINDOW *win, int *cx)
{
	int	 pw, fw, col, flags = w_style_utf8() ? 0 : W_VIS_ASCII;

	if (p->r.h < 1 || p->r.w < 1)
		return;
	w_draw_fill(win, p->r.y, p->r.x, p->r.w, w_attr(W_ROLE_NORMAL));
	/* The prompt string may take at most half the line. */
	pw = w_draw_text(win, p->r.y, p->r.x, p->r.w / 2,
	    w_attr(W_ROLE_PROMPT), 0, p->prompt);
	fw = p->r.w - pw;
	col = w_edit_scroll(&p->edit, fw, flags);
	w_draw_textn(win, p->r.y, p->r.x + pw, fw, w_attr(W_ROLE_NORMAL),
	    W_CLIP_NOELLIPSIS, p->edit.buf + p->edit.start,
	    p->edit.len - p->edit.start);
	if (cx != NULL)
		*cx = p->r.x + pw + col;
}
