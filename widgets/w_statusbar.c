/*
 * w_statusbar.c - the status line.  An error stays until replaced or
 * dismissed unless the caller gives it a timeout: errors that vanish
 * before they are read help nobody.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "w_draw.h"
#include "w_statusbar.h"
#include "w_style.h"

struct w_statusbar *
w_statusbar_new(void)
{
	return (w_xcalloc(1, sizeof (struct w_statusbar)));
}

void
w_statusbar_free(struct w_statusbar *sb)
{
	if (sb == NULL)
		return;
	free(sb->msg);
	free(sb->right);
	free(sb);
}

void
w_statusbar_resize(struct w_statusbar *sb, const struct w_rect *r)
{
	sb->r = *r;
	w_clamp_rect(&sb->r);
}

void
w_statusbar_set(struct w_statusbar *sb, enum w_level level, long long now,
    long long timeout, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	free(sb->msg);
	sb->msg = s;
	sb->level = level;
	sb->expires = timeout > 0 ? now + timeout : 0;
}

void
w_statusbar_clear(struct w_statusbar *sb)
{
	free(sb->msg);
	sb->msg = NULL;
	sb->expires = 0;
}

void
w_statusbar_set_right(struct w_statusbar *sb, const char *s)
{
	free(sb->right);
	sb->right = s != NULL ? w_xstrdup(s) : NULL;
}

int
w_statusbar_tick(struct w_statusbar *sb, long long now)
{
	if (sb->msg == NULL || sb->expires == 0 || now < sb->expires)
		return (0);
	w_statusbar_clear(sb);
	return (1);
}

long long
w_statusbar_timeout(const struct w_statusbar *sb, long long now)
{
	if (sb->msg == NULL || sb->expires == 0)
		return (-1);
	return (sb->expires > now ? sb->expires - now : 0);
}

int
w_statusbar_key(struct w_statusbar *sb, int key)
{
	if (key != W_KEY_ESC || sb->msg == NULL)
		return (W_IGNORED);
	w_statusbar_clear(sb);
	return (W_HANDLED | W_REDRAW);
}

void
w_statusbar_draw(struct w_statusbar *sb, WINDOW *win)
{
	static const enum w_role roles[] = {
		[W_LEVEL_INFO] = W_ROLE_STATUS,
		[W_LEVEL_WARN] = W_ROLE_WARNING,
		[W_LEVEL_ERROR] = W_ROLE_ERROR,
	};
	attr_t	 base = w_attr(W_ROLE_STATUS), attr = base;
	int	 rw = 0, flags = w_style_utf8() ? 0 : W_VIS_ASCII;

	if (sb->r.h < 1 || sb->r.w < 1)
		return;
	w_draw_fill(win, sb->r.y, sb->r.x, sb->r.w, base);
	if (sb->right != NULL) {
		/* The right field yields to the message on a narrow screen. */
		rw = w_vis_width(sb->right, strlen(sb->right), flags);
		if (rw > sb->r.w / 3)
			rw = sb->r.w / 3;
		if (rw > 0)
			w_draw_text(win, sb->r.y, sb->r.x + sb->r.w - rw, rw,
			    base, W_CLIP_RIGHT, sb->right);
	}
	if (sb->msg == NULL)
		return;
	if (sb->level <= W_LEVEL_ERROR && sb->level != W_LEVEL_INFO)
		attr = w_attr(roles[sb->level]);
	w_draw_text(win, sb->r.y, sb->r.x, sb->r.w - rw - (rw ? 1 : 0), attr,
	    0, sb->msg);
}
