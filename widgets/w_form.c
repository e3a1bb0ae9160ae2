/*
 * w_form.c - labelled fields, validation and focus.
 *
 * Invariant: cur < n (forms have at least one field), a choice field's
 * edit buffer always holds choices[choice], and a field's error belongs
 * to the value it was computed for: editing the field clears it.
 */
#include <stdlib.h>
#include <string.h>

#include "w_draw.h"
#include "w_form.h"
#include "w_style.h"

static void
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s != NULL ? w_xstrdup(s) : NULL;
}

struct w_form *
w_form_new(const char *title, const struct w_field_def *defs, size_t n,
    w_form_validate_cb validate, void *arg)
{
	struct w_form		*fm;
	struct w_form_field	*f;
	size_t			 i, j;

	fm = w_xcalloc(1, sizeof *fm);
	fm->title = w_xstrdup(title != NULL ? title : "");
	fm->f = w_xcalloc(n, sizeof *fm->f);
	fm->n = n;
	fm->validate = validate;
	fm->arg = arg;
	for (i = 0; i < n; i++) {
		f = &fm->f[i];
		f->label = w_xstrdup(defs[i].label != NULL ? defs[i].label :
		    "");
		set_str(&f->help, defs[i].help);
		f->flags = defs[i].flags;
		w_edit_init(&f->edit, defs[i].max ? defs[i].max : 255);
		for (j = 0; defs[i].choices != NULL &&
		    defs[i].choices[j] != NULL; j++) {
			f->choices = w_xreallocarray(f->choices, j + 1,
			    sizeof *f->choices);
			f->choices[j] = w_xstrdup(defs[i].choices[j]);
			/* The default picks the choice, if it is one. */
			if (defs[i].value != NULL &&
			    strcmp(defs[i].value, defs[i].choices[j]) == 0)
				f->choice = j;
		}
		f->nchoices = j;
		if (f->nchoices > 0)
			w_edit_set(&f->edit, f->choices[f->choice]);
		else if (defs[i].value != NULL)
			w_edit_set(&f->edit, defs[i].value);
	}
	return (fm);
}

void
w_form_free(struct w_form *fm)
{
	size_t	 i, j;

	if (fm == NULL)
		return;
	for (i = 0; i < fm->n; i++) {
		free(fm->f[i].label);
		free(fm->f[i].help);
		free(fm->f[i].error);
		w_edit_free(&fm->f[i].edit);
		for (j = 0; j < fm->f[i].nchoices; j++)
			free(fm->f[i].choices[j]);
		free(fm->f[i].choices);
	}
	free(fm->f);
	free(fm->title);
	free(fm->error);
	free(fm);
}

void
w_form_resize(struct w_form *fm, const struct w_rect *r)
{
	fm->r = *r;
	w_clamp_rect(&fm->r);
}

const char *
w_form_value(const struct w_form *fm, size_t i)
{
	if (i >= fm->n)
		return (NULL);
	return (fm->f[i].edit.buf);
}

void
w_form_set_value(struct w_form *fm, size_t i, const char *v)
{
	struct w_form_field	*f;
	size_t			 j;

	if (i >= fm->n)
		return;
	f = &fm->f[i];
	if (f->nchoices > 0) {
		for (j = 0; j < f->nchoices; j++)
			if (strcmp(f->choices[j], v) == 0) {
				f->choice = j;
				w_edit_set(&f->edit, v);
			}
	} else
		w_edit_set(&f->edit, v);
	set_str(&f->error, NULL);
}

const char *
w_form_error(const struct w_form *fm, size_t i)
{
	if (i == W_FORM_ALL)
		return (fm->error);
	if (i >= fm->n)
		return (NULL);
	return (fm->f[i].error);
}

void
w_form_focus(struct w_form *fm, size_t i)
{
	if (i < fm->n)
		fm->cur = i;
}

/* Validate field i; returns 0 if good. */
static int
check_field(struct w_form *fm, size_t i)
{
	const char	*e = NULL;

	if (fm->validate != NULL)
		e = fm->validate(fm->arg, i, fm->f[i].edit.buf);
	set_str(&fm->f[i].error, e);
	return (e != NULL ? -1 : 0);
}

int
w_form_check(struct w_form *fm)
{
	size_t		 i, bad = fm->n;
	const char	*e = NULL;

	for (i = 0; i < fm->n; i++)
		if (check_field(fm, i) == -1 && bad == fm->n)
			bad = i;
	if (bad < fm->n) {
		fm->cur = bad;
		set_str(&fm->error, NULL);
		return (-1);
	}
	if (fm->validate != NULL)
		e = fm->validate(fm->arg, W_FORM_ALL, NULL);
	set_str(&fm->error, e);
	return (e != NULL ? -1 : 0);
}

static int
step(struct w_form *fm, int dir)
{
	check_field(fm, fm->cur);
	if (dir > 0)
		fm->cur = (fm->cur + 1) % fm->n;
	else
		fm->cur = (fm->cur + fm->n - 1) % fm->n;
	return (W_HANDLED | W_REDRAW);
}

static int
cycle(struct w_form_field *f, int dir)
{
	if (dir > 0)
		f->choice = (f->choice + 1) % f->nchoices;
	else
		f->choice = (f->choice + f->nchoices - 1) % f->nchoices;
	w_edit_set(&f->edit, f->choices[f->choice]);
	set_str(&f->error, NULL);
	return (W_HANDLED | W_REDRAW | W_CHANGED);
}

int
w_form_key(struct w_form *fm, int key)
{
	struct w_form_field	*f;
	int			 rc;

	if (fm->n == 0)
		return (key == W_KEY_ESC ? W_HANDLED | W_CANCEL : W_IGNORED);
	f = &fm->f[fm->cur];
	switch (key) {
	case '\t':
	case KEY_DOWN:
	case W_KEY_CTRL('n'):
		return (step(fm, 1));
	case KEY_BTAB:
	case KEY_UP:
	case W_KEY_CTRL('p'):
		return (step(fm, -1));
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (w_form_check(fm) == -1)
			return (W_HANDLED | W_REDRAW);
		return (W_HANDLED | W_SUBMIT);
	case W_KEY_ESC:
		return (W_HANDLED | W_CANCEL);
	}
	if (f->nchoices > 0) {
		switch (key) {
		case KEY_RIGHT:
		case ' ':
			return (cycle(f, 1));
		case KEY_LEFT:
			return (cycle(f, -1));
		}
		/* Typing into a choice does nothing, but stays ours. */
		return (w_key_printable(key) ? W_HANDLED : W_IGNORED);
	}
	rc = w_edit_key(&f->edit, key);
	if (rc & W_CHANGED) {
		set_str(&f->error, NULL);
		set_str(&fm->error, NULL);
	}
	return (rc);
}

static void
draw_value(struct w_form *fm, WINDOW *win, size_t i, int y, int x, int w)
{
	struct w_form_field	*f = &fm->f[i];
	attr_t			 a = w_attr(W_ROLE_NORMAL) | A_UNDERLINE;
	char			*stars;
	int			 col, flags = w_style_utf8() ? 0 : W_VIS_ASCII;
	size_t			 k, nch;

	if (i == fm->cur)
		a = w_attr(W_ROLE_PROMPT) | A_UNDERLINE;
	w_draw_fill(win, y, x, w, a);
	if (f->nchoices > 0) {
		w_draw_printf(win, y, x, w, a, 0, "< %s >", f->edit.buf);
		return;
	}
	if (f->flags & W_FIELD_SECRET) {
		for (k = 0, nch = 0; k < f->edit.len; k++)
			nch += ((unsigned char)f->edit.buf[k] & 0xc0) != 0x80;
		stars = w_xcalloc(1, nch + 1);
		memset(stars, '*', nch);
		w_draw_text(win, y, x, w, a, W_CLIP_NOELLIPSIS, stars);
		free(stars);
		for (k = 0, col = 0; k < f->edit.point; k++)
			col += ((unsigned char)f->edit.buf[k] & 0xc0) != 0x80;
		if (col >= w)
			col = w - 1;
	} else {
		col = w_edit_scroll(&f->edit, w, flags);
		w_draw_textn(win, y, x, w, a, W_CLIP_NOELLIPSIS,
		    f->edit.buf + f->edit.start, f->edit.len - f->edit.start);
	}
	if (i == fm->cur) {
		fm->cy = y;
		fm->cx = x + col;
	}
}

void
w_form_draw(struct w_form *fm, WINDOW *win, int *cy, int *cx)
{
	struct w_form_field	*f;
	const char		*msg;
	size_t			 i;
	int			 lw = 0, w, rows, y, flags;
	enum w_role		 role;

	fm->cx = fm->cy = -1;
	flags = w_style_utf8() ? 0 : W_VIS_ASCII;
	if (fm->r.h < 3 || fm->r.w < 10 || fm->n == 0)
		goto out;
	w_draw_clear(win, &fm->r, w_attr(W_ROLE_NORMAL));
	w_draw_text(win, fm->r.y, fm->r.x, fm->r.w, w_attr(W_ROLE_TITLE), 0,
	    fm->title);

	/* Labels get the widest label, but at most a third of the line. */
	for (i = 0; i < fm->n; i++) {
		w = w_vis_width(fm->f[i].label, strlen(fm->f[i].label), flags);
		if (w > lw)
			lw = w;
	}
	if (lw > fm->r.w / 3)
		lw = fm->r.w / 3;

	/* Title and blank above, help and message below. */
	rows = fm->r.h - 4;
	if (rows < 1)
		rows = 1;
	if (fm->cur < fm->top)
		fm->top = fm->cur;
	if (fm->cur >= fm->top + rows)
		fm->top = fm->cur - rows + 1;
	for (i = fm->top, y = fm->r.y + 2; i < fm->n &&
	    y < fm->r.y + 2 + rows; i++, y++) {
		f = &fm->f[i];
		role = f->error != NULL ? W_ROLE_ERROR :
		    i == fm->cur ? W_ROLE_TITLE : W_ROLE_NORMAL;
		w_draw_text(win, y, fm->r.x, lw, w_attr(role), W_CLIP_RIGHT,
		    f->label);
		w_draw_text(win, y, fm->r.x + lw, 2, w_attr(role), 0,
		    f->error != NULL ? "!" : ":");
		draw_value(fm, win, i, y, fm->r.x + lw + 2,
		    fm->r.w - lw - 2);
	}
	f = &fm->f[fm->cur];
	if (f->help != NULL)
		w_draw_text(win, fm->r.y + fm->r.h - 2, fm->r.x, fm->r.w,
		    w_attr(W_ROLE_DIM), 0, f->help);
	/* The focused field's error, else the first one, else the form's. */
	for (i = 0; f->error == NULL && i < fm->n; i++)
		if (fm->f[i].error != NULL)
			f = &fm->f[i];
	msg = f->error != NULL ? f->error : fm->error;
	if (msg != NULL)
		w_draw_printf(win, fm->r.y + fm->r.h - 1, fm->r.x, fm->r.w,
		    w_attr(W_ROLE_ERROR), 0, "%s: %s",
		    f->error != NULL ? f->label : fm->title, msg);
out:
	if (cy != NULL)
		*cy = fm->cy;
	if (cx != NULL)
		*cx = fm->cx;
}
