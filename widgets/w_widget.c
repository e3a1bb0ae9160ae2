/*
 * w_widget.c - key encoding and allocation helpers shared by the widgets.
 */
#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "w_widget.h"

int
w_key_from_wch(int rc, unsigned int wch)
{
	if (rc == KEY_CODE_YES)
		return ((int)wch);
	if (wch < 0x100)
		return ((int)wch);
	if (wch > 0x10ffff)
		return (-1);
	return ((int)wch | W_KEY_WCHAR);
}

long
w_key_char(int key)
{
	if (key < 0)
		return (-1);
	if (key & W_KEY_WCHAR)
		return (key & ~W_KEY_WCHAR);
	if (key < 0x100)
		return (key);
	return (-1);
}

int
w_key_printable(int key)
{
	long	 cp = w_key_char(key);

	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
		return (0);
	if (cp >= 0xd800 && cp <= 0xdfff)
		return (0);
	return (1);
}

size_t
w_utf8_encode(long cp, char *out)
{
	unsigned char	*o = (unsigned char *)out;

	if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return (0);
	if (cp < 0x80) {
		o[0] = cp;
		return (1);
	}
	if (cp < 0x800) {
		o[0] = 0xc0 | (cp >> 6);
		o[1] = 0x80 | (cp & 0x3f);
		return (2);
	}
	if (cp < 0x10000) {
		o[0] = 0xe0 | (cp >> 12);
		o[1] = 0x80 | ((cp >> 6) & 0x3f);
		o[2] = 0x80 | (cp & 0x3f);
		return (3);
	}
	o[0] = 0xf0 | (cp >> 18);
	o[1] = 0x80 | ((cp >> 12) & 0x3f);
	o[2] = 0x80 | ((cp >> 6) & 0x3f);
	o[3] = 0x80 | (cp & 0x3f);
	return (4);
}

static void
w_nomem(void)
{
	fputs("widgets: out of memory\n", stderr);
	abort();
}

void *
w_xcalloc(size_t n, size_t size)
{
	void	*p;

	if (n == 0 || size == 0)
		n = size = 1;
	if ((p = calloc(n, size)) == NULL)
		w_nomem();
	return (p);
}

void *
w_xreallocarray(void *old, size_t n, size_t size)
{
	void	*p;

	if (n == 0 || size == 0)
		n = size = 1;
	if (n > SIZE_MAX / size)
		w_nomem();
	if ((p = realloc(old, n * size)) == NULL)
		w_nomem();
	return (p);
}

char *
w_xstrdup(const char *s)
{
	return (w_xstrndup(s, strlen(s)));
}

char *
w_xstrndup(const char *s, size_t n)
{
	char	*p;

	p = w_xcalloc(1, n + 1);
	memcpy(p, s, n);
	return (p);
}

/* Negative sizes (a terminal smaller than a layout wants) become 0. */
void
w_clamp_rect(struct w_rect *r)
{
	if (r->h < 0)
		r->h = 0;
	if (r->w < 0)
		r->w = 0;
}
