/*
 * fuzz-theme.c - libFuzzer target for the console theme parser
 * (widgets/w_style.c): a theme file's text goes through w_theme_parse()
 * over the builtin default theme.
 *
 * The parser promises "file:line: message" for every bad line and that a
 * role's style prints as a string that parses back to the same style; the
 * target checks both for whatever the input made of the theme.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "w_style.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NAME	"fuzz.theme"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct w_theme t;
	struct w_style back;
	char err[4096], buf[256], msg[256], *text;
	int bad, r;

	/* The parser takes a C string, as w_theme_load() hands it one. */
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	w_theme_builtin(&t, W_THEME_DEFAULT);
	bad = w_theme_parse(&t, NAME, text, err, sizeof(err));
	if (bad < 0)
		abort();
	/* Bad lines are described, and the first description has a line. */
	if (bad > 0 && strncmp(err, NAME ":", sizeof(NAME)) != 0)
		abort();
	if (bad == 0 && err[0] != '\0')
		abort();

	for (r = 0; r < W_ROLE__MAX; r++) {
		if (t.role[r].fg < W_COLOUR_DEFAULT || t.role[r].fg > 255 ||
		    t.role[r].bg < W_COLOUR_DEFAULT || t.role[r].bg > 255)
			abort();
		w_style_tostring(&t.role[r], buf, sizeof(buf));
		/* "default" resets; parse over a style that differs. */
		back.fg = 1;
		back.bg = 2;
		back.attrs = W_ATTR_BLINK;
		if (strcmp(buf, "default") == 0) {
			back.fg = back.bg = W_COLOUR_DEFAULT;
			back.attrs = 0;
		}
		if (w_style_parse(&back, buf, msg, sizeof(msg)) == -1)
			abort();
		/* Additive parse: compare only what the string names. */
		if (t.role[r].fg != W_COLOUR_DEFAULT && back.fg != t.role[r].fg)
			abort();
		if (t.role[r].bg != W_COLOUR_DEFAULT && back.bg != t.role[r].bg)
			abort();
		if ((back.attrs & t.role[r].attrs) != t.role[r].attrs)
			abort();
	}
	free(text);
	return 0;
}
