/*
 * w_keybar.c - key hints: the key in the "key" role, its label in the
 * "status" role, one blank between key and label and between hints.
 */
#include <stdlib.h>
#include <string.h>

#include "w_draw.h"
#include "w_keybar.h"
#include "w_style.h"

struct w_keybar *
w_keybar_new(void)
{
	return (w_xcalloc(1, sizeof (struct w_keybar)));
}

static void
clear_hints(struct w_keybar *kb)
{
	size_t	 i;

	for (i = 0; i < kb->n; i++) {
		free((char *)kb->hint[i].key);
		free((char *)kb->hint[i].label);
	}
	free(kb->hint);
	kb->hint = NULL;
	kb->n = 0;
}

void
w_keybar_free(struct w_keybar *kb)
{
	if (kb == NULL)
		return;
	clear_hints(kb);
	free(kb);
}

void
w_keybar_set(struct w_keybar *kb, const struct w_keyhint *h, size_t n)
{
	size_t	 i;

	clear_hints(kb);
	kb->hint = w_xcalloc(n, sizeof *kb->hint);
	for (i = 0; i < n; i++) {
		kb->hint[i].key = w_xstrdup(h[i].key);
		kb->hint[i].label = w_xstrdup(h[i].label);
	}
	kb->n = n;
}

void
w_keybar_resize(struct w_keybar *kb, const struct w_rect *r)
{
	kb->r = *r;
	w_clamp_rect(&kb->r);
}

int
w_keybar_key(struct w_keybar *kb, int key)
{
	(void)kb;
	(void)key;
	return (W_IGNORED);
}

static int
hint_width(const struct w_keyhint *h, int flags)
{
	return (w_vis_width(h->key, strlen(h->key), flags) + 1 +
	    w_vis_width(h->label, strlen(h->label), flags));
}

size_t
w_keybar_fit(const struct w_keybar *kb, int width, int flags)
{
	size_t	 i;
	int	 used = 0, w;

	for (i = 0; i < kb->n; i++) {
		w = hint_width(&kb->hint[i], flags) + (i > 0 ? 2 : 0);
		if (used + w > width)
			break;
		used += w;
	}
	return (i);
}

void
w_keybar_draw(struct w_keybar *kb, WINDOW *win)
{
	size_t	 i, n;
	int	 x, flags = w_style_utf8() ? 0 : W_VIS_ASCII, end;

	if (kb->r.h < 1 || kb->r.w < 1)
		return;
	end = kb->r.x + kb->r.w;
	w_draw_fill(win, kb->r.y, kb->r.x, kb->r.w, w_attr(W_ROLE_STATUS));
	n = w_keybar_fit(kb, kb->r.w, flags);
	for (i = 0, x = kb->r.x; i < n; i++) {
		if (i > 0)
			x += 2;
		x += w_draw_text(win, kb->r.y, x, end - x, w_attr(W_ROLE_KEY),
		    0, kb->hint[i].key);
		x += 1;
		x += w_draw_text(win, kb->r.y, x, end - x,
		    w_attr(W_ROLE_STATUS), 0, kb->hint[i].label);
	}
}
