/*
 * w_draw.c - the one place where text reaches the screen.
 *
 * Text drawn by the console comes from DNS answers, ACME problem
 * documents, configuration and file names, so none of it is trusted.
 * Invariant: only units produced by w_vis_next() are ever written, and a
 * unit is either a printable character in the terminal's encoding or a
 * visible escape made of printable ASCII.  C0/C1 controls, DEL, invalid
 * UTF-8, surrogates, bidi overrides and other invisible format characters
 * can therefore never reach the terminal raw.  A backslash is doubled so
 * that the escape "\x1b" cannot be forged by the text itself.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "w_draw.h"
#include "w_style.h"

/*
 * Decode one UTF-8 sequence.  Returns its length (1..4) and sets *cp, or
 * 0 when the bytes are not shortest-form UTF-8 of a scalar value.
 */
static size_t
utf8_decode(const unsigned char *p, size_t n, unsigned int *cp)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 len, i;
	unsigned int	 c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return (1);
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		c = p[0] & 0x0f;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		c = p[0] & 0x07;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return (0);
	if (n < len || p[1] < lo || p[1] > hi)
		return (0);
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (0);
		c = (c << 6) | (p[i] & 0x3f);
	}
	*cp = c;
	return (len);
}

/*
 * Invisible characters that reorder or hide text (bidi controls, zero
 * width spaces, BOM).  wcwidth() calls several of them printable with
 * width 0, but they let a string look like something it is not.
 */
static int
is_format(unsigned int cp)
{
	return (cp == 0x061c || cp == 0x180e || cp == 0xfeff ||
	    (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2060 && cp <= 0x206f) ||
	    (cp >= 0xfff9 && cp <= 0xfffb));
}

static void
unit_escape_cp(struct w_unit *u, unsigned int cp)
{
	switch (cp) {
	case '\t':
		strcpy(u->s, "\\t");
		break;
	case '\n':
		strcpy(u->s, "\\n");
		break;
	case '\r':
		strcpy(u->s, "\\r");
		break;
	case '\\':
		strcpy(u->s, "\\\\");
		break;
	default:
		if (cp < 0x80)
			snprintf(u->s, sizeof u->s, "\\x%02x", cp);
		else if (cp <= 0xffff)
			snprintf(u->s, sizeof u->s, "\\u%04x", cp);
		else
			snprintf(u->s, sizeof u->s, "\\U%08x", cp);
		break;
	}
	u->len = strlen(u->s);
	u->width = (int)u->len;
	u->kind = W_UNIT_ESC;
}

void
w_vis_init(struct w_vis *v, const char *s, size_t n, int flags)
{
	v->start = v->p = (const unsigned char *)s;
	v->end = v->p + n;
	v->flags = flags;
	v->marks = -1;
}

int
w_vis_next(struct w_vis *v, struct w_unit *u)
{
	unsigned int	 cp;
	size_t		 len;
	int		 w;

again:
	if (v->p >= v->end)
		return (0);
	u->off = v->p - v->start;
	len = utf8_decode(v->p, v->end - v->p, &cp);
	if (len == 0) {
		/* One invalid byte at a time, so resynchronising is free. */
		snprintf(u->s, sizeof u->s, "\\x%02x", *v->p);
		u->len = 4;
		u->width = 4;
		u->kind = W_UNIT_ESC;
		u->used = 1;
		v->p++;
		v->marks = -1;
		return (1);
	}
	u->used = len;
	v->p += len;
	if (cp < 0x20 || cp == 0x7f || cp == '\\' ||
	    (cp >= 0x80 && cp < 0xa0) || is_format(cp) ||
	    (cp >= 0x80 && (v->flags & W_VIS_ASCII))) {
		unit_escape_cp(u, cp);
		v->marks = -1;
		return (1);
	}
	w = cp < 0x80 ? 1 : wcwidth((wchar_t)cp);
	if (w < 0) {
		unit_escape_cp(u, cp);
		v->marks = -1;
		return (1);
	}
	if (w == 0) {
		/* A mark needs a base; one without is shown as an escape. */
		if (v->marks < 0) {
			unit_escape_cp(u, cp);
			return (1);
		}
		if (v->marks >= W_MAX_MARKS)
			goto again;
		v->marks++;
		u->kind = W_UNIT_MARK;
	} else {
		v->marks = 0;
		u->kind = W_UNIT_CHAR;
	}
	memcpy(u->s, v->p - len, len);
	u->s[len] = '\0';
	u->len = len;
	u->width = w;
	return (1);
}

int
w_vis_width(const char *s, size_t n, int flags)
{
	struct w_vis	 v;
	struct w_unit	 u;
	int		 width = 0;

	w_vis_init(&v, s, n, flags);
	while (w_vis_next(&v, &u))
		width += u.width;
	return (width);
}

char *
w_vis_dup(const char *s, size_t n, int flags)
{
	struct w_vis	 v;
	struct w_unit	 u;
	char		*out;
	size_t		 o = 0, cap = n + 1;

	out = w_xcalloc(1, cap);
	w_vis_init(&v, s, n, flags);
	while (w_vis_next(&v, &u)) {
		if (o + u.len + 1 > cap) {
			cap = (cap + u.len) * 2;
			out = w_xreallocarray(out, 1, cap);
		}
		memcpy(out + o, u.s, u.len);
		o += u.len;
	}
	out[o] = '\0';
	return (out);
}

/* Append len bytes; returns -1 (and appends nothing) when out is full. */
static int
put(char *out, size_t outlen, size_t *o, const char *s, size_t len)
{
	if (*o + len + 1 > outlen)
		return (-1);
	memcpy(out + *o, s, len);
	*o += len;
	out[*o] = '\0';
	return (0);
}

static const char *
ellipsis(int flags)
{
	return ((flags & W_VIS_ASCII) ? "~" : "\xe2\x80\xa6");
}

int
w_clip(const char *s, size_t n, int skip, int width, int flags, char *out,
    size_t outlen)
{
	struct w_vis	 v;
	struct w_unit	 u;
	const char	*ell = ellipsis(flags);
	int		 total, avail, start, col = 0, ocol = 0, pad, left;
	int		 base = 0, cut;
	size_t		 o = 0, plen;

	if (outlen == 0)
		return (0);
	out[0] = '\0';
	if (width <= 0)
		return (0);
	if (skip < 0)
		skip = 0;
	total = w_vis_width(s, n, flags) - skip;
	cut = total > width && !(flags & W_CLIP_NOELLIPSIS);
	avail = cut ? width - 1 : width;

	w_vis_init(&v, s, n, flags);
	while (w_vis_next(&v, &u)) {
		start = col;
		col += u.width;
		if (u.kind == W_UNIT_MARK) {
			/* Marks follow their base in or out. */
			if (base && put(out, outlen, &o, u.s, u.len) == -1)
				break;
			continue;
		}
		if (start < skip) {
			/* Half a wide character at the left edge: blank. */
			for (; start < skip && col > skip && ocol < avail;
			    ocol++, col--)
				if (put(out, outlen, &o, " ", 1) == -1)
					break;
			col = start + u.width;
			base = 0;
			continue;
		}
		if (ocol + u.width > avail ||
		    put(out, outlen, &o, u.s, u.len) == -1)
			break;
		ocol += u.width;
		base = (u.kind == W_UNIT_CHAR);
	}
	if (cut && put(out, outlen, &o, ell, strlen(ell)) == 0)
		ocol++;

	if (!(flags & (W_CLIP_PAD | W_CLIP_RIGHT | W_CLIP_CENTER)))
		return (ocol);
	pad = width - ocol;
	if (pad <= 0 || o + pad + 1 > outlen)
		return (ocol);
	left = 0;
	if (flags & W_CLIP_RIGHT)
		left = pad;
	else if (flags & W_CLIP_CENTER)
		left = pad / 2;
	plen = o;
	memmove(out + left, out, plen);
	memset(out, ' ', left);
	memset(out + left + plen, ' ', pad - left);
	out[plen + pad] = '\0';
	return (width);
}

static void
add_span(struct w_span *spans, size_t max, size_t *nl, size_t off,
    size_t len)
{
	if (*nl < max) {
		spans[*nl].off = off;
		spans[*nl].len = len;
	}
	(*nl)++;
}

size_t
w_wrap(const char *s, int width, int flags, struct w_span *spans,
    size_t max)
{
	struct w_vis	 v;
	struct w_unit	 u;
	size_t		 nl = 0, line, brk = 0, i, len, para = 0;
	int		 col, bcol = 0, hasbrk;

	if (width < 1)
		width = 1;
	for (;;) {
		len = strcspn(s + para, "\n");
		line = para;
		col = hasbrk = 0;
		w_vis_init(&v, s + para, len, flags);
		while (w_vis_next(&v, &u)) {
			i = para + u.off;
			if (u.kind == W_UNIT_MARK)
				continue;
			if (col + u.width <= width || i == line) {
				col += u.width;
				if (s[i] == ' ') {
					brk = i;
					bcol = col;
					hasbrk = 1;
				}
				continue;
			}
			if (s[i] == ' ') {
				/* The line ends at this space. */
				add_span(spans, max, &nl, line, i - line);
				line = i + 1;
				col = 0;
			} else if (hasbrk) {
				add_span(spans, max, &nl, line, brk - line);
				line = brk + 1;
				col = col - bcol + u.width;
			} else {
				/* A word longer than the line is cut. */
				add_span(spans, max, &nl, line, i - line);
				line = i;
				col = u.width;
			}
			hasbrk = 0;
		}
		add_span(spans, max, &nl, line, para + len - line);
		if (s[para + len] == '\0')
			break;
		para += len + 1;
	}
	return (nl);
}

/* -- curses -- */

static int
term_flags(void)
{
	return (w_style_utf8() ? 0 : W_VIS_ASCII);
}

int
w_draw_skip(WINDOW *win, int y, int x, int skip, int width, attr_t attr,
    int flags, const char *s, size_t n)
{
	char	 stackbuf[1024], *buf = stackbuf;
	size_t	 need = W_CLIP_BUFSZ(width);
	int	 cols;

	if (width <= 0)
		return (0);
	if (need > sizeof stackbuf)
		buf = w_xcalloc(1, need);
	cols = w_clip(s, n, skip, width, flags | term_flags(), buf, need);
	wattrset(win, attr);
	mvwaddstr(win, y, x, buf);
	if (buf != stackbuf)
		free(buf);
	return (cols);
}

int
w_draw_textn(WINDOW *win, int y, int x, int width, attr_t attr, int flags,
    const char *s, size_t n)
{
	return (w_draw_skip(win, y, x, 0, width, attr, flags, s, n));
}

int
w_draw_text(WINDOW *win, int y, int x, int width, attr_t attr, int flags,
    const char *s)
{
	if (s == NULL)
		s = "";
	return (w_draw_skip(win, y, x, 0, width, attr, flags, s, strlen(s)));
}

int
w_draw_printf(WINDOW *win, int y, int x, int width, attr_t attr, int flags,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 cols, len;

	va_start(ap, fmt);
	len = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (len < 0)
		return (0);
	cols = w_draw_textn(win, y, x, width, attr, flags, s, len);
	free(s);
	return (cols);
}

void
w_draw_fill(WINDOW *win, int y, int x, int width, attr_t attr)
{
	if (width <= 0)
		return;
	wattrset(win, attr);
	mvwhline(win, y, x, ' ', width);
}

/*
 * Line drawing: in a UTF-8 locale the wide-character WACS_* forms, which
 * ncursesw sends as Unicode box characters (no alternate charset to get
 * wrong inside tmux or on the Linux console); otherwise ACS_*, which
 * curses itself degrades to + - | when the terminal has no line set.
 */
enum line_part { L_H, L_V, L_UL, L_UR, L_LL, L_LR };

static void
line_part(WINDOW *win, int y, int x, enum line_part p, int n)
{
	static const char	 ascii[] = "-|++++";
	const cchar_t		*wc = NULL;
	chtype			 c = 0;

	if (n <= 0)
		return;
	if (w_style_ascii_lines()) {
		c = ascii[p];
	} else if (w_style_utf8()) {
		switch (p) {
		case L_H: wc = WACS_HLINE; break;
		case L_V: wc = WACS_VLINE; break;
		case L_UL: wc = WACS_ULCORNER; break;
		case L_UR: wc = WACS_URCORNER; break;
		case L_LL: wc = WACS_LLCORNER; break;
		case L_LR: wc = WACS_LRCORNER; break;
		}
	} else {
		switch (p) {
		case L_H: c = ACS_HLINE; break;
		case L_V: c = ACS_VLINE; break;
		case L_UL: c = ACS_ULCORNER; break;
		case L_UR: c = ACS_URCORNER; break;
		case L_LL: c = ACS_LLCORNER; break;
		case L_LR: c = ACS_LRCORNER; break;
		}
	}
	if (wc != NULL) {
		if (p == L_V)
			mvwvline_set(win, y, x, wc, n);
		else
			mvwhline_set(win, y, x, wc, n);
	} else if (p == L_V)
		mvwvline(win, y, x, c, n);
	else
		mvwhline(win, y, x, c, n);
}

void
w_draw_hline(WINDOW *win, int y, int x, int width, attr_t attr)
{
	if (width <= 0)
		return;
	wattrset(win, attr);
	line_part(win, y, x, L_H, width);
}

void
w_draw_clear(WINDOW *win, const struct w_rect *r, attr_t attr)
{
	int	 i;

	for (i = 0; i < r->h; i++)
		w_draw_fill(win, r->y + i, r->x, r->w, attr);
}

void
w_draw_box(WINDOW *win, const struct w_rect *r, attr_t attr,
    const char *title)
{
	int	 b = r->y + r->h - 1, e = r->x + r->w - 1;

	if (r->h < 2 || r->w < 2)
		return;
	wattrset(win, attr);
	line_part(win, r->y, r->x + 1, L_H, r->w - 2);
	line_part(win, b, r->x + 1, L_H, r->w - 2);
	line_part(win, r->y + 1, r->x, L_V, r->h - 2);
	line_part(win, r->y + 1, e, L_V, r->h - 2);
	line_part(win, r->y, r->x, L_UL, 1);
	line_part(win, r->y, e, L_UR, 1);
	line_part(win, b, r->x, L_LL, 1);
	line_part(win, b, e, L_LR, 1);
	if (title != NULL && *title != '\0' && r->w > 6) {
		mvwaddch(win, r->y, r->x + 1, ' ');
		w_draw_text(win, r->y, r->x + 2, r->w - 6, attr, 0, title);
		waddch(win, ' ');
	}
}
