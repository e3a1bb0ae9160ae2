/*
 * w_dialog.c - the yes/no box.  The message is wrapped to the box and,
 * if it is longer than the screen allows, cut with a last line saying so:
 * a confirmation must never hide the end of what it confirms silently.
 */
#include <stdlib.h>
#include <string.h>

#include "w_dialog.h"
#include "w_draw.h"
#include "w_style.h"

struct w_dialog *
w_dialog_new(const char *title, const char *msg, const char *yes,
    const char *no, int def_yes)
{
	struct w_dialog	*d;

	d = w_xcalloc(1, sizeof *d);
	d->title = w_xstrdup(title != NULL ? title : "");
	d->msg = w_xstrdup(msg != NULL ? msg : "");
	d->yes = w_xstrdup(yes != NULL ? yes : "Yes");
	d->no = no != NULL ? w_xstrdup(no) : NULL;
	d->cur = d->no == NULL ? 1 : def_yes != 0;
	d->choice = -1;
	return (d);
}

void
w_dialog_free(struct w_dialog *d)
{
	if (d == NULL)
		return;
	free(d->title);
	free(d->msg);
	free(d->yes);
	free(d->no);
	free(d);
}

static int
flags(void)
{
	return (w_style_utf8() ? 0 : W_VIS_ASCII);
}

void
w_dialog_layout(struct w_dialog *d)
{
	struct w_rect	*s = &d->screen;
	size_t		 lines;
	int		 w, h, want;

	/* As wide as the longest paragraph, within 30..70 and the screen. */
	want = w_vis_width(d->msg, strcspn(d->msg, "\n"), flags()) + 4;
	if (strchr(d->msg, '\n') != NULL || want < 30)
		want = want < 50 ? 50 : want;
	w = want > 70 ? 70 : want;
	if (w > s->w - 2)
		w = s->w - 2;
	if (w < 12)
		w = s->w;
	lines = w_wrap(d->msg, w - 4, flags(), NULL, 0);
	h = (int)lines + 5;	/* borders, 2 blanks, buttons */
	if (h > s->h)
		h = s->h;
	d->box.w = w;
	d->box.h = h;
	d->box.y = s->y + (s->h - h) / 2;
	d->box.x = s->x + (s->w - w) / 2;
}

void
w_dialog_resize(struct w_dialog *d, const struct w_rect *r)
{
	d->screen = *r;
	w_clamp_rect(&d->screen);
	w_dialog_layout(d);
}

static int
decide(struct w_dialog *d, int yes)
{
	d->choice = yes;
	return (W_HANDLED | (yes ? W_SUBMIT : W_CANCEL));
}

int
w_dialog_key(struct w_dialog *d, int key)
{
	switch (key) {
	case 'y':
	case 'Y':
		return (decide(d, 1));
	case 'n':
	case 'N':
	case W_KEY_ESC:
	case 'q':
		return (decide(d, d->no == NULL));
	case '\n':
	case '\r':
	case KEY_ENTER:
		return (decide(d, d->cur));
	case KEY_LEFT:
	case KEY_RIGHT:
	case '\t':
	case KEY_BTAB:
	case 'h':
	case 'l':
		if (d->no != NULL)
			d->cur = !d->cur;
		return (W_HANDLED | W_REDRAW);
	}
	/* Modal: nothing gets past an open question. */
	return (W_HANDLED);
}

static int
draw_button(WINDOW *win, int y, int x, const char *label, int on)
{
	attr_t	 a = on ? w_attr(W_ROLE_SELECTED) : w_attr(W_ROLE_NORMAL);

	return (w_draw_printf(win, y, x, 30, a, 0, "[ %s ]", label));
}

void
w_dialog_draw(struct w_dialog *d, WINDOW *win)
{
	struct w_rect	*b = &d->box;
	struct w_span	*sp;
	size_t		 n, i, room;
	int		 y, bw, x;

	if (b->h < 3 || b->w < 6)
		return;
	w_draw_clear(win, b, w_attr(W_ROLE_NORMAL));
	w_draw_box(win, b, w_attr(W_ROLE_BORDER), d->title);
	n = w_wrap(d->msg, b->w - 4, flags(), NULL, 0);
	sp = w_xcalloc(n, sizeof *sp);
	w_wrap(d->msg, b->w - 4, flags(), sp, n);
	room = b->h > 5 ? (size_t)b->h - 5 : 0;
	for (i = 0, y = b->y + 2; i < n && i < room; i++, y++) {
		if (i + 1 == room && n > room) {
			w_draw_text(win, y, b->x + 2, b->w - 4,
			    w_attr(W_ROLE_WARNING), 0, "(message cut: "
			    "enlarge the terminal)");
			break;
		}
		w_draw_textn(win, y, b->x + 2, b->w - 4, w_attr(W_ROLE_NORMAL),
		    0, d->msg + sp[i].off, sp[i].len);
	}
	free(sp);

	y = b->y + b->h - 2;
	bw = w_vis_width(d->yes, strlen(d->yes), flags()) + 4;
	if (d->no != NULL)
		bw += w_vis_width(d->no, strlen(d->no), flags()) + 4 + 2;
	x = b->x + (b->w - bw) / 2;
	if (x < b->x + 1)
		x = b->x + 1;
	x += draw_button(win, y, x, d->yes, d->cur == 1) + 2;
	if (d->no != NULL)
		draw_button(win, y, x, d->no, d->cur == 0);
}
