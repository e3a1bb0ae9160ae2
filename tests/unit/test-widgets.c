/*
 * test-widgets.c - the pure parts of widgets/, without a terminal, plus a
 * smoke test that draws every widget into a curses screen on /dev/null.
 *
 * Behaviours covered:
 * - style strings: colours, attributes, additive parsing, no<attr>,
 *   errors that name the bad token, the style left as it was on error,
 *   tostring round trips;
 * - theme text: good lines applied, bad lines reported "file:line: ..."
 *   (unknown role, bad colour, bad attribute, no '=') and skipped;
 *   the files in themes/ equal their builtin twins; a missing file fails;
 * - sanitising: C0 controls, ESC sequences, DEL, C1 controls, bidi
 *   overrides, backslash, invalid/overlong/surrogate/truncated UTF-8,
 *   ASCII mode;
 * - widths: CJK, combining marks (kept, capped, escaped without a base),
 *   clipping with ellipsis, padding, alignment, left skip through a wide
 *   character; word wrapping;
 * - table layout at 80 and 200 columns, and at 20;
 * - list cursor/scroll math, shrinking models, tags, collapsing groups;
 * - line editor operations on UTF-8, history browsing, prompt submit,
 *   cancel and completion;
 * - form validation flow, choice fields, form-wide rule;
 * - log ring wraparound, follow mode and reading back while lines drop;
 * - status bar timeout, key bar fitting, dialog choices, text search.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "w_dialog.h"
#include "w_draw.h"
#include "w_edit.h"
#include "w_form.h"
#include "w_keybar.h"
#include "w_list.h"
#include "w_log.h"
#include "w_prompt.h"
#include "w_statusbar.h"
#include "w_style.h"
#include "w_table.h"
#include "w_text.h"

/* -- style -- */

static void
style_parse_sets_colours_and_attributes(void **state)
{
	struct w_style	 st = { W_COLOUR_DEFAULT, W_COLOUR_DEFAULT, 0 };
	char		 err[128];

	(void)state;
	assert_int_equal(w_style_parse(&st, "fg=red,bg=default,bold", err,
	    sizeof err), 0);
	assert_int_equal(st.fg, 1);
	assert_int_equal(st.bg, W_COLOUR_DEFAULT);
	assert_int_equal(st.attrs, W_ATTR_BOLD);

	assert_int_equal(w_style_parse(&st, "bg=brightblue underline, "
	    "FG=Colour208", err, sizeof err), 0);
	assert_int_equal(st.fg, 208);
	assert_int_equal(st.bg, 12);
	assert_int_equal(st.attrs, W_ATTR_BOLD | W_ATTR_UNDERLINE);

	assert_int_equal(w_style_parse(&st, "nobold,reverse,color0", err,
	    sizeof err), -1);
	assert_int_equal(w_style_parse(&st, "nobold,reverse,fg=color0", err,
	    sizeof err), 0);
	assert_int_equal(st.fg, 0);
	assert_int_equal(st.attrs, W_ATTR_UNDERLINE | W_ATTR_REVERSE);

	assert_int_equal(w_style_parse(&st, "none", err, sizeof err), 0);
	assert_int_equal(st.attrs, 0);
	assert_int_equal(st.fg, 0);
	assert_int_equal(w_style_parse(&st, "default", err, sizeof err), 0);
	assert_int_equal(st.fg, W_COLOUR_DEFAULT);
	assert_int_equal(st.bg, W_COLOUR_DEFAULT);
}

static void
style_parse_errors_name_the_token_and_keep_the_style(void **state)
{
	static const struct {
		const char	*in;
		const char	*msg;
	} bad[] = {
		{ "fg=reed", "bad colour 'reed'" },
		{ "bg=colour256", "bad colour 'colour256'" },
		{ "fg=colour-1", "bad colour 'colour-1'" },
		{ "fg=#ff0000", "bad colour '#ff0000'" },
		{ "bold,blod", "unknown attribute 'blod'" },
		{ "nobogus", "unknown attribute 'nobogus'" },
		{ "size=3", "unknown setting 'size=3' (fg= and bg= are known)" },
		{ "", "empty style" },
		{ " , ", "empty style" },
	};
	struct w_style	 st = { 2, 3, W_ATTR_DIM };
	char		 err[128];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(w_style_parse(&st, bad[i].in, err,
		    sizeof err), -1);
		assert_string_equal(err, bad[i].msg);
		assert_int_equal(st.fg, 2);
		assert_int_equal(st.bg, 3);
		assert_int_equal(st.attrs, W_ATTR_DIM);
	}
}

static void
style_tostring_round_trips(void **state)
{
	const char	*in[] = { "fg=red,bold", "bg=colour17,underline,reverse",
	    "fg=brightblack", "default", "fg=white,bg=blue,bold,dim,italics" };
	struct w_style	 st, again;
	char		 buf[128], err[128];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		st = (struct w_style){ W_COLOUR_DEFAULT, W_COLOUR_DEFAULT, 0 };
		assert_int_equal(w_style_parse(&st, in[i], err, sizeof err), 0);
		w_style_tostring(&st, buf, sizeof buf);
		assert_string_equal(buf, in[i]);
		again = (struct w_style){ 5, 5, W_ATTR_BLINK };
		assert_int_equal(w_style_parse(&again, "default", err,
		    sizeof err), 0);
		assert_int_equal(w_style_parse(&again, buf, err, sizeof err),
		    0);
		assert_memory_equal(&st, &again, sizeof st);
	}
}

static void
theme_parse_applies_good_lines_and_reports_bad_ones(void **state)
{
	const char	*text =
	    "# a comment\n"
	    "\n"
	    "ok = fg=green,bold   # trailing comment\n"
	    "expird = fg=red\n"
	    "expiring = fg=yelow\n"
	    "  error=bold,blod\n"
	    "bold\n"
	    "title = fg=magenta";
	struct w_theme	 t;
	char		 err[512];

	(void)state;
	w_theme_builtin(&t, W_THEME_DEFAULT);
	assert_int_equal(w_theme_parse(&t, "my.theme", text, err, sizeof err),
	    4);
	assert_string_equal(err,
	    "my.theme:4: unknown role 'expird'\n"
	    "my.theme:5: expiring: bad colour 'yelow'\n"
	    "my.theme:6: error: unknown attribute 'blod'\n"
	    "my.theme:7: expected 'role = style', not 'bold'");
	assert_int_equal(t.role[W_ROLE_OK].fg, 2);
	assert_int_equal(t.role[W_ROLE_OK].attrs, W_ATTR_BOLD);
	assert_int_equal(t.role[W_ROLE_TITLE].fg, 5);
	/* Bad lines leave the builtin style. */
	assert_int_equal(t.role[W_ROLE_EXPIRING].fg, 3);
	assert_int_equal(t.role[W_ROLE_ERROR].fg, 1);

	/* A line replaces the role's style; it does not add to it. */
	assert_int_equal(w_theme_parse(&t, "x", "expiring = fg=magenta\n",
	    err, sizeof err), 0);
	assert_string_equal(err, "");
	assert_int_equal(t.role[W_ROLE_EXPIRING].fg, 5);
	assert_int_equal(t.role[W_ROLE_EXPIRING].attrs, 0);
}

static void
theme_files_match_their_builtins(void **state)
{
	static const struct {
		const char	*file;
		enum w_builtin	 which;
	} files[] = {
		{ "default.theme", W_THEME_DEFAULT },
		{ "light.theme", W_THEME_LIGHT },
		{ "monochrome.theme", W_THEME_MONOCHROME },
	};
	const char	*root = getenv("SSLM_SOURCE_ROOT");
	struct w_theme	 got, want;
	char		 path[1024], err[512], a[64], b[64];
	size_t		 i;
	int		 r;

	(void)state;
	if (root == NULL)
		root = ".";
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/themes/%s", root,
		    files[i].file);
		/* Start from something else, so every role must be set. */
		w_theme_builtin(&got, files[i].which == W_THEME_LIGHT ?
		    W_THEME_MONOCHROME : W_THEME_LIGHT);
		assert_int_equal(w_theme_load(&got, path, err, sizeof err), 0);
		w_theme_builtin(&want, files[i].which);
		for (r = 0; r < W_ROLE__MAX; r++) {
			w_style_tostring(&got.role[r], a, sizeof a);
			w_style_tostring(&want.role[r], b, sizeof b);
			if (strcmp(a, b) != 0)
				fail_msg("%s: %s: file '%s', builtin '%s'",
				    files[i].file, w_role_name(r), a, b);
		}
		if (files[i].which == W_THEME_MONOCHROME)
			for (r = 0; r < W_ROLE__MAX; r++)
				assert_false(w_style_has_colour(&got.role[r]));
	}
	assert_int_equal(w_theme_load(&got, "/nonexistent/x.theme", err,
	    sizeof err), -1);
	assert_string_equal(err,
	    "/nonexistent/x.theme: No such file or directory");
}

static void
roles_have_names_both_ways(void **state)
{
	int	 r;

	(void)state;
	for (r = 0; r < W_ROLE__MAX; r++)
		assert_int_equal(w_role_from_name(w_role_name(r)), r);
	assert_int_equal(w_role_from_name("nosuch"), -1);
}

/* -- sanitising and widths -- */

static void
vis_escapes_everything_a_terminal_could_act_on(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
		int		 flags;
	} t[] = {
		{ "plain", "plain", 0 },
		{ "\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m", 0 },
		{ "\x1b]0;title\x07", "\\x1b]0;title\\x07", 0 },
		{ "a\tb\nc\rd", "a\\tb\\nc\\rd", 0 },
		{ "del\x7f", "del\\x7f", 0 },
		{ "csi\xc2\x9b" "2J", "csi\\u009b2J", 0 },
		{ "back\\x1b", "back\\\\x1b", 0 },
		{ "rtl\xe2\x80\xae" "gpj.exe", "rtl\\u202egpj.exe", 0 },
		{ "zw\xe2\x80\x8bsp", "zw\\u200bsp", 0 },
		{ "bom\xef\xbb\xbf", "bom\\ufeff", 0 },
		{ "bad\xff\xfe", "bad\\xff\\xfe", 0 },
		{ "overlong\xc0\xaf", "overlong\\xc0\\xaf", 0 },
		{ "surrogate\xed\xa0\x80", "surrogate\\xed\\xa0\\x80", 0 },
		{ "cut\xe2\x82", "cut\\xe2\\x82", 0 },
		{ "big\xf4\x90\x80\x80", "big\\xf4\\x90\\x80\\x80", 0 },
		{ "caf\xc3\xa9", "caf\xc3\xa9", 0 },
		{ "caf\xc3\xa9", "caf\\u00e9", W_VIS_ASCII },
		{ "\xf0\x9f\x94\x92", "\\U0001f512", W_VIS_ASCII },
		{ "\xe6\x97\xa5", "\xe6\x97\xa5", 0 },
	};
	char	*s;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		s = w_vis_dup(t[i].in, strlen(t[i].in), t[i].flags);
		if (strcmp(s, t[i].out) != 0)
			fail_msg("case %zu: got '%s' want '%s'", i, s,
			    t[i].out);
		free(s);
	}
	/* A NUL in the middle of counted input is escaped too. */
	s = w_vis_dup("a\0b", 3, 0);
	assert_string_equal(s, "a\\x00b");
	free(s);
}

static void
width_counts_display_columns(void **state)
{
	(void)state;
	assert_int_equal(w_vis_width("abc", 3, 0), 3);
	/* CJK characters take two columns. */
	assert_int_equal(w_vis_width("\xe6\x97\xa5\xe6\x9c\xac", 6, 0), 4);
	/* e + combining acute is one column. */
	assert_int_equal(w_vis_width("e\xcc\x81", 3, 0), 1);
	/* An escape is as wide as its text. */
	assert_int_equal(w_vis_width("\x1b", 1, 0), 4);
	/* A mark with no base is shown as an escape: \u0301. */
	assert_int_equal(w_vis_width("\xcc\x81x", 3, 0), 7);
}

static void
clip_cuts_by_columns_with_an_ellipsis(void **state)
{
	const char	*cjk = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"; /* 6 */
	char		 out[256];

	(void)state;
	assert_int_equal(w_clip("hello", 5, 0, 5, 0, out, sizeof out), 5);
	assert_string_equal(out, "hello");
	assert_int_equal(w_clip("hello world", 11, 0, 8, 0, out, sizeof out),
	    8);
	assert_string_equal(out, "hello w\xe2\x80\xa6");
	assert_int_equal(w_clip("hello world", 11, 0, 8, W_VIS_ASCII, out,
	    sizeof out), 8);
	assert_string_equal(out, "hello w~");
	assert_int_equal(w_clip("hello world", 11, 0, 8, W_CLIP_NOELLIPSIS,
	    out, sizeof out), 8);
	assert_string_equal(out, "hello wo");

	/* A wide character never straddles the edge. */
	assert_int_equal(w_clip(cjk, strlen(cjk), 0, 5, 0, out, sizeof out),
	    5);
	assert_string_equal(out, "\xe6\x97\xa5\xe6\x9c\xac\xe2\x80\xa6");
	assert_int_equal(w_clip(cjk, strlen(cjk), 0, 4, 0, out, sizeof out),
	    3);
	assert_string_equal(out, "\xe6\x97\xa5\xe2\x80\xa6");
	assert_int_equal(w_clip(cjk, strlen(cjk), 0, 4, W_CLIP_PAD, out,
	    sizeof out), 4);
	assert_string_equal(out, "\xe6\x97\xa5\xe2\x80\xa6 ");
	assert_int_equal(w_clip(cjk, strlen(cjk), 0, 6, 0, out, sizeof out),
	    6);
	assert_string_equal(out, cjk);

	/* Skipping into a wide character shows a blank for its half. */
	assert_int_equal(w_clip(cjk, strlen(cjk), 1, 4, 0, out, sizeof out),
	    4);
	assert_string_equal(out, " \xe6\x9c\xac\xe2\x80\xa6");
	assert_int_equal(w_clip(cjk, strlen(cjk), 2, 4, 0, out, sizeof out),
	    4);
	assert_string_equal(out, "\xe6\x9c\xac\xe8\xaa\x9e");

	/* Combining marks stay with their base. */
	assert_int_equal(w_clip("e\xcc\x81x", 4, 0, 2, 0, out, sizeof out),
	    2);
	assert_string_equal(out, "e\xcc\x81x");
	assert_int_equal(w_clip("e\xcc\x81xyz", 6, 0, 2, 0, out, sizeof out),
	    2);
	assert_string_equal(out, "e\xcc\x81\xe2\x80\xa6");
	/* ... but no more than W_MAX_MARKS of them. */
	assert_int_equal(w_clip("a\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81"
	    "\xcc\x81", 13, 0, 3, 0, out, sizeof out), 1);
	assert_string_equal(out, "a\xcc\x81\xcc\x81\xcc\x81\xcc\x81");

	/* Escapes are clipped as a whole, never cut in half. */
	assert_int_equal(w_clip("ab\x1b", 3, 0, 5, 0, out, sizeof out), 2 + 1);
	assert_string_equal(out, "ab\xe2\x80\xa6");

	/* Alignment. */
	assert_int_equal(w_clip("ab", 2, 0, 5, W_CLIP_RIGHT, out, sizeof out),
	    5);
	assert_string_equal(out, "   ab");
	assert_int_equal(w_clip("ab", 2, 0, 6, W_CLIP_CENTER, out,
	    sizeof out), 6);
	assert_string_equal(out, "  ab  ");
	assert_int_equal(w_clip("ab", 2, 0, 4, W_CLIP_PAD, out, sizeof out),
	    4);
	assert_string_equal(out, "ab  ");
	assert_int_equal(w_clip("ab", 2, 0, 0, 0, out, sizeof out), 0);
	assert_string_equal(out, "");

	/* A small buffer truncates at a unit boundary, terminated. */
	assert_int_equal(w_clip(cjk, strlen(cjk), 0, 6, W_CLIP_NOELLIPSIS,
	    out, 5), 2);
	assert_string_equal(out, "\xe6\x97\xa5");
}

static void
wrap_breaks_at_spaces_and_newlines(void **state)
{
	struct w_span	 sp[8];
	const char	*s;
	size_t		 n;

	(void)state;
	s = "hello world foo";
	n = w_wrap(s, 11, 0, sp, 8);
	assert_int_equal(n, 2);
	assert_int_equal(sp[0].len, 11);
	assert_memory_equal(s + sp[1].off, "foo", 3);
	assert_int_equal(sp[1].len, 3);

	s = "abcdefghij";
	n = w_wrap(s, 4, 0, sp, 8);
	assert_int_equal(n, 3);
	assert_int_equal(sp[2].off, 8);
	assert_int_equal(sp[2].len, 2);

	s = "Renew 3 services?\n\nexample.com:mail";
	n = w_wrap(s, 40, 0, sp, 8);
	assert_int_equal(n, 3);
	assert_int_equal(sp[1].len, 0);
	assert_memory_equal(s + sp[2].off, "example.com:mail", 16);

	/* Counting only (NULL spans). */
	assert_int_equal(w_wrap("a b c d", 3, 0, NULL, 0), 2);
}

/* -- table -- */

static const struct w_column svc_cols[] = {
	{ "Service", 14, 40, 3, W_ALIGN_LEFT, 0 },
	{ "CA", 8, 16, 1, W_ALIGN_LEFT, 3 },
	{ "Key", 7, 0, 0, W_ALIGN_LEFT, 5 },
	{ "Expires", 15, 0, 0, W_ALIGN_RIGHT, 0 },
	{ "Next", 10, 0, 0, W_ALIGN_LEFT, 4 },
	{ "Roll", 6, 0, 0, W_ALIGN_LEFT, 6 },
	{ "Prod", 4, 0, 0, W_ALIGN_LEFT, 7 },
	{ "Result", 8, 0, 2, W_ALIGN_LEFT, 2 },
};
#define NSVC	(sizeof svc_cols / sizeof svc_cols[0])

static int
laid_width(const struct w_table *t)
{
	size_t	 i;
	int	 w = 0, n = 0;

	for (i = 0; i < t->ncol; i++)
		if (t->width[i] > 0) {
			w += t->width[i];
			n++;
		}
	return (n ? w + t->gap * (n - 1) : 0);
}

static void
table_layout_at_80_drops_the_least_wanted(void **state)
{
	struct w_table	*t = w_table_new(svc_cols, NSVC, 1);

	(void)state;
	/* Minimums: 14+8+7+15+10+6+4+8 = 72, gaps 7: 79 fits in 80. */
	w_table_layout(t, 80);
	assert_int_equal(laid_width(t), 80);
	assert_true(w_table_visible(t, 6));
	/* The one spare column goes by weight: the name gets it. */
	assert_int_equal(t->width[0], 15);
	assert_int_equal(t->x[1], 16);

	/* At 70, Prod (drop 7) and then Roll (drop 6) go first. */
	w_table_layout(t, 70);
	assert_false(w_table_visible(t, 6));
	assert_false(w_table_visible(t, 5));
	assert_true(w_table_visible(t, 2));
	assert_true(laid_width(t) <= 70);
	/* 14+8+7+15+10+8 + 5 gaps = 67: 3 spare by weights 3:1:2. */
	assert_int_equal(laid_width(t), 70);
	assert_int_equal(t->width[0], 14 + 1);
	assert_int_equal(t->width[1], 8 + 1);
	assert_int_equal(t->width[7], 8 + 1);

	/* At 20 only undroppable columns remain, shrunk to fit. */
	w_table_layout(t, 20);
	assert_true(w_table_visible(t, 0));
	assert_false(w_table_visible(t, 1));
	assert_true(laid_width(t) <= 20);
	w_table_free(t);
}

static void
table_layout_at_200_grows_elastic_columns_to_max(void **state)
{
	struct w_table	*t = w_table_new(svc_cols, NSVC, 1);
	size_t		 i;

	(void)state;
	w_table_layout(t, 200);
	for (i = 0; i < NSVC; i++)
		assert_true(w_table_visible(t, i));
	assert_int_equal(t->width[0], 40);	/* capped at max */
	assert_int_equal(t->width[1], 16);	/* capped at max */
	assert_int_equal(t->width[2], 7);	/* fixed */
	assert_int_equal(t->width[3], 15);
	/* The rest goes to Result, which has no max. */
	assert_int_equal(laid_width(t), 200);
	assert_int_equal(t->width[7], 200 - 7 - (40 + 16 + 7 + 15 + 10 + 6 +
	    4));
	for (i = 1; i < NSVC; i++)
		assert_int_equal(t->x[i], t->x[i - 1] + t->width[i - 1] + 1);

	/* '>' moves the sort column, 'I' inverts it. */
	assert_int_equal(w_table_key(t, '>') & W_CHANGED, W_CHANGED);
	assert_int_equal(t->sort, 1);
	w_table_key(t, 'I');
	assert_true(t->sort_desc);
	w_table_key(t, '<');
	w_table_key(t, '<');
	assert_int_equal(t->sort, NSVC - 1);
	w_table_free(t);
}

/* -- list -- */

/*
 * A model of groups and services: rows are built from "groups" whose
 * children show only when the group is open.
 */
struct model {
	size_t	 ngroups;
	size_t	 per;		/* services per group */
	int	 open[8];
	int	 tag[8][16];
	size_t	 flat;		/* 0: tree; else a flat list of this many */
	int	 flattag[200];
};

static size_t
m_count(void *arg)
{
	struct model	*m = arg;
	size_t		 g, n = 0;

	if (m->flat)
		return (m->flat);
	for (g = 0; g < m->ngroups; g++)
		n += 1 + (m->open[g] ? m->per : 0);
	return (n);
}

/* Row i -> group and child (-1 for the group row). */
static void
m_locate(struct model *m, size_t i, size_t *g, long *c)
{
	for (*g = 0; *g < m->ngroups; (*g)++) {
		if (i == 0) {
			*c = -1;
			return;
		}
		i--;
		if (m->open[*g]) {
			if (i < m->per) {
				*c = (long)i;
				return;
			}
			i -= m->per;
		}
	}
}

static void
m_draw(void *arg, WINDOW *w, const struct w_rect *r, size_t i, int flags)
{
	(void)arg;
	(void)w;
	(void)r;
	(void)i;
	(void)flags;
}

static int
m_tag(void *arg, size_t i, int op)
{
	struct model	*m = arg;
	size_t		 g = 0;
	long		 c = -1;
	int		*t;

	if (m->flat)
		t = &m->flattag[i];
	else {
		m_locate(m, i, &g, &c);
		if (c < 0)
			return (0);	/* groups are not tagged */
		t = &m->tag[g][c];
	}
	if (op == W_TAG_SET)
		*t = 1;
	else if (op == W_TAG_CLEAR)
		*t = 0;
	else if (op == W_TAG_TOGGLE)
		*t = !*t;
	return (*t);
}

static int
m_expand(void *arg, size_t i, int op)
{
	struct model	*m = arg;
	size_t		 g = 0;
	long		 c = -1;
	int		 want;

	if (m->flat)
		return (0);
	m_locate(m, i, &g, &c);
	if (c >= 0)
		return (0);
	want = op == W_EXPAND_TOGGLE ? !m->open[g] : op == W_EXPAND_OPEN;
	if (m->open[g] == want)
		return (0);
	m->open[g] = want;
	return (1);
}

static size_t
m_parent(void *arg, size_t i)
{
	struct model	*m = arg;
	size_t		 g = 0, row = 0, k;
	long		 c = -1;

	m_locate(m, i, &g, &c);
	if (c < 0)
		return (i);
	for (k = 0; k < g; k++)
		row += 1 + (m->open[k] ? m->per : 0);
	return (row);
}

static const struct w_list_ops m_ops = {
	.count = m_count,
	.draw_row = m_draw,
	.tag = m_tag,
	.expand = m_expand,
	.parent = m_parent,
};

static void
list_scrolls_to_keep_the_cursor_visible(void **state)
{
	struct model	 m = { .flat = 100 };
	struct w_list	*l = w_list_new(&m_ops, &m);
	struct w_rect	 r = { 0, 0, 10, 80 };

	(void)state;
	w_list_resize(l, &r);
	assert_int_equal(w_list_body_height(l), 10);
	assert_int_equal(w_list_selected(l), 0);
	assert_int_equal(w_list_key(l, KEY_UP), W_HANDLED);
	assert_int_equal(w_list_key(l, KEY_DOWN),
	    W_HANDLED | W_REDRAW | W_CHANGED);
	assert_int_equal(l->sel, 1);
	assert_int_equal(l->top, 0);
	w_list_key(l, KEY_NPAGE);
	assert_int_equal(l->sel, 10);
	assert_int_equal(l->top, 1);
	w_list_key(l, KEY_END);
	assert_int_equal(l->sel, 99);
	assert_int_equal(l->top, 90);
	w_list_key(l, KEY_PPAGE);
	assert_int_equal(l->sel, 90);
	assert_int_equal(l->top, 90);
	w_list_key(l, 'k');
	assert_int_equal(l->top, 89);
	w_list_key(l, KEY_HOME);
	assert_int_equal(l->sel, 0);
	assert_int_equal(l->top, 0);

	/* The model shrinks under the cursor (a filter): it is clamped. */
	w_list_select(l, 80);
	m.flat = 5;
	w_list_fix(l);
	assert_int_equal(l->sel, 4);
	assert_int_equal(l->top, 0);
	/* ... and an empty model has no selection. */
	m.flat = 0;
	m.ngroups = 0;
	w_list_fix(l);
	assert_int_equal(w_list_selected(l), W_LIST_NONE);
	assert_int_equal(w_list_key(l, '\n'), W_HANDLED);

	/* A resize taller than the model never leaves rows hidden above. */
	m.flat = 30;
	w_list_select(l, 29);
	r.h = 50;
	w_list_resize(l, &r);
	assert_int_equal(l->top, 0);
	assert_int_equal(w_list_key(l, '\r'), W_HANDLED | W_SUBMIT);
	assert_int_equal(w_list_key(l, 'x'), W_IGNORED);
	w_list_free(l);
}

static void
list_tags_with_space_and_moves_down(void **state)
{
	struct model	 m = { .flat = 10 };
	struct w_list	*l = w_list_new(&m_ops, &m);
	struct w_rect	 r = { 0, 0, 5, 40 };

	(void)state;
	w_list_resize(l, &r);
	w_list_key(l, ' ');
	w_list_key(l, ' ');
	assert_int_equal(l->sel, 2);
	assert_int_equal(w_list_tagged(l), 2);
	w_list_key(l, KEY_UP);
	w_list_key(l, ' ');
	assert_int_equal(w_list_tagged(l), 1);
	assert_false(m.flattag[1]);
	/* Space on the last row toggles it and stays. */
	w_list_key(l, KEY_END);
	w_list_key(l, ' ');
	assert_int_equal(l->sel, 9);
	assert_true(m.flattag[9]);
	assert_int_equal(w_list_tag_all(l, 1), 10);
	assert_int_equal(w_list_tag_all(l, 0), 0);
	w_list_free(l);
}

static void
list_collapses_groups_through_the_model(void **state)
{
	struct model	 m = { .ngroups = 3, .per = 4, .open = { 1, 1, 1 } };
	struct w_list	*l = w_list_new(&m_ops, &m);
	struct w_rect	 r = { 0, 0, 6, 40 };

	(void)state;
	w_list_resize(l, &r);
	assert_int_equal(m_count(&m), 15);
	/* On a child, Left goes to its group ... */
	w_list_select(l, 7);		/* group 1, child 1 */
	assert_int_equal(w_list_key(l, KEY_LEFT) & W_CHANGED, W_CHANGED);
	assert_int_equal(l->sel, 5);
	/* ... and on the group, Left collapses it. */
	w_list_key(l, KEY_LEFT);
	assert_false(m.open[1]);
	assert_int_equal(m_count(&m), 11);
	assert_int_equal(l->sel, 5);
	/* Collapsing an already closed group changes nothing. */
	assert_int_equal(w_list_key(l, '-'), W_HANDLED);
	w_list_key(l, '+');
	assert_true(m.open[1]);
	/* Collapse the last group with the cursor at the very end. */
	w_list_key(l, KEY_END);
	assert_int_equal(l->sel, 14);
	w_list_key(l, KEY_LEFT);
	assert_int_equal(l->sel, 10);
	w_list_key(l, KEY_LEFT);
	assert_int_equal(m_count(&m), 11);
	assert_int_equal(l->sel, 10);
	assert_true(l->top + (size_t)w_list_body_height(l) <= 11);
	/* Groups cannot be tagged in this model; services can. */
	w_list_select(l, 0);
	w_list_key(l, ' ');
	assert_int_equal(w_list_tagged(l), 0);
	w_list_key(l, ' ');
	assert_int_equal(w_list_tagged(l), 1);
	assert_true(m.tag[0][0]);
	w_list_free(l);
}

/* -- editor, history, prompt -- */

static void
type(struct w_edit *e, const char *s)
{
	for (; *s != '\0'; s++)
		w_edit_key(e, (unsigned char)*s);
}

static void
edit_does_emacs_keys_on_utf8(void **state)
{
	struct w_edit	 e;

	(void)state;
	w_edit_init(&e, 64);
	type(&e, "renew example");
	assert_string_equal(e.buf, "renew example");
	assert_int_equal(e.point, 13);
	assert_int_equal(w_edit_key(&e, W_KEY_CTRL('w')),
	    W_HANDLED | W_REDRAW | W_CHANGED);
	assert_string_equal(e.buf, "renew ");
	w_edit_key(&e, W_KEY_CTRL('w'));
	assert_string_equal(e.buf, "");

	w_edit_set(&e, "caf\xc3\xa9 x");
	w_edit_key(&e, KEY_LEFT);
	w_edit_key(&e, KEY_LEFT);
	w_edit_key(&e, KEY_LEFT);
	assert_int_equal(e.point, 3);	/* before the two-byte é */
	w_edit_key(&e, KEY_RIGHT);
	assert_int_equal(e.point, 5);
	w_edit_key(&e, KEY_BACKSPACE);
	assert_string_equal(e.buf, "caf x");
	w_edit_key(&e, W_KEY_CTRL('a'));
	assert_int_equal(e.point, 0);
	w_edit_key(&e, KEY_DC);
	assert_string_equal(e.buf, "af x");
	w_edit_key(&e, W_KEY_CTRL('e'));
	assert_int_equal(e.point, 4);
	/* A wide character typed as a code point key. */
	w_edit_key(&e, 0x65e5 | W_KEY_WCHAR);
	assert_string_equal(e.buf, "af x\xe6\x97\xa5");
	w_edit_key(&e, KEY_HOME);
	w_edit_key(&e, KEY_RIGHT);
	w_edit_key(&e, KEY_RIGHT);
	w_edit_key(&e, W_KEY_CTRL('k'));
	assert_string_equal(e.buf, "af");
	w_edit_key(&e, W_KEY_CTRL('b'));
	w_edit_key(&e, W_KEY_CTRL('u'));
	assert_string_equal(e.buf, "f");
	assert_int_equal(e.point, 0);
	/* Controls are not inserted; unknown keys are not ours. */
	assert_int_equal(w_edit_key(&e, 0x1b), W_IGNORED);
	assert_int_equal(w_edit_key(&e, KEY_F(5)), W_IGNORED);
	assert_int_equal(w_edit_key(&e, 0x9b), W_IGNORED);
	assert_string_equal(e.buf, "f");
	/* Backspace at the start, Delete at the end: nothing changes. */
	assert_int_equal(w_edit_key(&e, 0x7f), W_HANDLED);
	w_edit_key(&e, KEY_END);
	assert_int_equal(w_edit_key(&e, W_KEY_CTRL('d')), W_HANDLED);

	/* The maximum length holds. */
	w_edit_set(&e, "");
	type(&e, "0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789");
	assert_int_equal(e.len, 64);
	w_edit_free(&e);
}

static void
edit_scroll_keeps_the_point_visible(void **state)
{
	struct w_edit	 e;
	int		 col;

	(void)state;
	w_edit_init(&e, 256);
	w_edit_set(&e, "abcdefghijklmnopqrstuvwxyz");
	col = w_edit_scroll(&e, 10, 0);
	assert_int_equal(col, 9);
	assert_int_equal(e.start, 17);
	w_edit_key(&e, KEY_HOME);
	col = w_edit_scroll(&e, 10, 0);
	assert_int_equal(col, 0);
	assert_int_equal(e.start, 0);
	w_edit_free(&e);
}

static void
history_browses_and_restores_the_edited_line(void **state)
{
	struct w_history	 h;
	struct w_edit		 e;

	(void)state;
	w_history_init(&h, 3);
	w_edit_init(&e, 64);
	w_history_add(&h, "one");
	w_history_add(&h, "two");
	w_history_add(&h, "two");	/* repeats are not kept */
	w_history_add(&h, "");		/* nor empty lines */
	assert_int_equal(h.n, 2);
	w_history_add(&h, "three");
	w_history_add(&h, "four");	/* "one" falls off */
	assert_int_equal(h.n, 3);
	assert_string_equal(h.line[0], "two");

	w_edit_set(&e, "draft");
	assert_int_equal(w_history_step(&h, &e, -1), 1);
	assert_string_equal(e.buf, "four");
	w_history_step(&h, &e, -1);
	w_history_step(&h, &e, -1);
	assert_string_equal(e.buf, "two");
	assert_int_equal(w_history_step(&h, &e, -1), 0);
	assert_string_equal(e.buf, "two");
	w_history_step(&h, &e, 1);
	w_history_step(&h, &e, 1);
	assert_string_equal(e.buf, "four");
	assert_int_equal(w_history_step(&h, &e, 1), 1);
	assert_string_equal(e.buf, "draft");
	assert_int_equal(w_history_step(&h, &e, 1), 0);
	w_history_free(&h);
	w_edit_free(&e);
}

static int
complete_cmd(void *arg, struct w_prompt *p)
{
	int	*calls = arg;

	(*calls)++;
	if (strcmp(w_prompt_line(p), "ren") == 0) {
		w_prompt_insert(p, "ew ");
		return (W_REDRAW);
	}
	return (0);
}

static void
prompt_submits_cancels_and_completes(void **state)
{
	struct w_prompt	*p = w_prompt_new(":", 10);
	int		 calls = 0;
	const char	*s;

	(void)state;
	w_prompt_set_complete(p, complete_cmd, &calls);
	for (s = "ren"; *s != '\0'; s++)
		w_prompt_key(p, *s);
	assert_int_equal(w_prompt_key(p, '\t'), W_HANDLED | W_REDRAW);
	assert_int_equal(calls, 1);
	assert_string_equal(w_prompt_line(p), "renew ");
	for (s = "all"; *s != '\0'; s++)
		w_prompt_key(p, *s);
	assert_int_equal(w_prompt_key(p, '\n'), W_HANDLED | W_SUBMIT);
	assert_string_equal(w_prompt_line(p), "renew all");
	w_prompt_clear(p);
	assert_string_equal(w_prompt_line(p), "");
	w_prompt_key(p, KEY_UP);
	assert_string_equal(w_prompt_line(p), "renew all");
	assert_int_equal(w_prompt_key(p, W_KEY_ESC), W_HANDLED | W_CANCEL);

	/* Bridged mode: readline's line and point are shown as given. */
	w_prompt_show(p, "caf\xc3\xa9", 4);
	assert_string_equal(w_prompt_line(p), "caf\xc3\xa9");
	assert_int_equal(w_prompt_point(p), 3);	/* back on a boundary */
	w_prompt_free(p);
}

/* -- form -- */

static const char *
check_ca(void *arg, size_t i, const char *v)
{
	struct w_form	*fm = *(struct w_form **)arg;

	if (i == W_FORM_ALL)
		return (strcmp(w_form_value(fm, 0), "root") == 0 &&
		    strcmp(w_form_value(fm, 2), "rsa-2048") == 0 ?
		    "a root CA needs a stronger key" : NULL);
	if (i == 0 && *v == '\0')
		return ("a name is required");
	if (i == 1 && strchr(v, '@') == NULL)
		return ("not an e-mail address");
	return (NULL);
}

static void
form_validates_on_leave_and_on_submit(void **state)
{
	static const char *const keys[] = { "ec-p256", "ec-p384", "rsa-2048",
	    NULL };
	const struct w_field_def defs[] = {
		{ .label = "Name", .value = "", .help = "CA name" },
		{ .label = "E-mail", .value = "hostmaster" },
		{ .label = "Key", .value = "ec-p384", .choices = keys },
		{ .label = "Passphrase", .flags = W_FIELD_SECRET },
	};
	struct w_form	*fm;
	const char	*s;

	(void)state;
	fm = w_form_new("New CA", defs, 4, check_ca, &fm);
	assert_string_equal(w_form_value(fm, 1), "hostmaster");
	assert_string_equal(w_form_value(fm, 2), "ec-p384");
	/* Leaving a bad field marks it but lets the user go on. */
	assert_int_equal(w_form_key(fm, '\t'), W_HANDLED | W_REDRAW);
	assert_int_equal(fm->cur, 1);
	assert_string_equal(w_form_error(fm, 0), "a name is required");
	/* Enter with errors: no submit, focus on the first bad field. */
	assert_int_equal(w_form_key(fm, '\n'), W_HANDLED | W_REDRAW);
	assert_int_equal(fm->cur, 0);
	assert_string_equal(w_form_error(fm, 1), "not an e-mail address");
	for (s = "root"; *s != '\0'; s++)
		w_form_key(fm, *s);
	assert_null(w_form_error(fm, 0));	/* editing clears it */
	w_form_key(fm, KEY_DOWN);
	w_form_key(fm, KEY_END);
	for (s = "@example.com"; *s != '\0'; s++)
		w_form_key(fm, *s);
	/* Choice fields cycle with Left/Right/Space and wrap. */
	w_form_key(fm, '\t');
	assert_int_equal(fm->cur, 2);
	w_form_key(fm, KEY_RIGHT);
	assert_string_equal(w_form_value(fm, 2), "rsa-2048");
	assert_int_equal(w_form_key(fm, 'x'), W_HANDLED);
	assert_string_equal(w_form_value(fm, 2), "rsa-2048");
	/* Fields pass, the form-wide rule does not. */
	assert_int_equal(w_form_key(fm, KEY_ENTER), W_HANDLED | W_REDRAW);
	assert_string_equal(w_form_error(fm, W_FORM_ALL),
	    "a root CA needs a stronger key");
	w_form_key(fm, ' ');
	assert_string_equal(w_form_value(fm, 2), "ec-p256");
	w_form_key(fm, KEY_LEFT);
	assert_string_equal(w_form_value(fm, 2), "rsa-2048");
	w_form_key(fm, KEY_RIGHT);
	assert_int_equal(w_form_key(fm, '\r'), W_HANDLED | W_SUBMIT);
	assert_string_equal(w_form_value(fm, 0), "root");
	assert_string_equal(w_form_value(fm, 1), "hostmaster@example.com");
	assert_string_equal(w_form_value(fm, 2), "ec-p256");
	/* Shift-Tab wraps backwards; Esc cancels. */
	w_form_focus(fm, 0);
	w_form_key(fm, KEY_BTAB);
	assert_int_equal(fm->cur, 3);
	assert_int_equal(w_form_key(fm, W_KEY_ESC), W_HANDLED | W_CANCEL);
	w_form_free(fm);
}

/* -- log, status bar, key bar, dialog, text -- */

static void
log_ring_wraps_and_follows(void **state)
{
	struct w_log	*l = w_log_new(5);
	struct w_rect	 r = { 0, 0, 3, 40 };
	int		 i;

	(void)state;
	w_log_resize(l, &r);
	for (i = 1; i <= 12; i++)
		w_log_appendf(l, W_ROLE_NORMAL, "line %d", i);
	assert_int_equal(l->n, 5);
	assert_int_equal(l->dropped, 7);
	assert_string_equal(w_log_line(l, 0)->s, "line 8");
	assert_string_equal(w_log_line(l, 4)->s, "line 12");
	assert_null(w_log_line(l, 5));
	assert_true(l->follow);
	assert_int_equal(l->top, 2);

	/* Reading back: new lines do not move the text on screen. */
	w_log_key(l, KEY_UP);
	assert_false(l->follow);
	assert_int_equal(l->top, 1);	/* "line 9" on top */
	w_log_append(l, W_ROLE_ERROR, "line 13\nline 14\n");
	assert_int_equal(l->n, 5);
	assert_string_equal(w_log_line(l, l->top)->s, "line 10");
	assert_int_equal(l->top, 0);
	assert_string_equal(w_log_line(l, 4)->s, "line 14");
	assert_int_equal(w_log_line(l, 4)->role, W_ROLE_ERROR);
	/* Going down to the end resumes following. */
	w_log_key(l, KEY_NPAGE);
	assert_true(l->follow);
	w_log_key(l, KEY_HOME);
	assert_false(l->follow);
	w_log_key(l, 'F');
	assert_true(l->follow);
	assert_int_equal(l->top, 2);
	w_log_clear(l);
	assert_int_equal(l->n, 0);
	w_log_free(l);
}

static void
statusbar_message_times_out(void **state)
{
	struct w_statusbar	*sb = w_statusbar_new();

	(void)state;
	w_statusbar_set(sb, W_LEVEL_INFO, 1000, 3000, "renewed %d", 2);
	assert_string_equal(sb->msg, "renewed 2");
	assert_int_equal(w_statusbar_timeout(sb, 2000), 2000);
	assert_int_equal(w_statusbar_tick(sb, 3999), 0);
	assert_int_equal(w_statusbar_tick(sb, 4000), 1);
	assert_null(sb->msg);
	assert_int_equal(w_statusbar_timeout(sb, 4000), -1);
	w_statusbar_set(sb, W_LEVEL_ERROR, 0, 0, "lock held by pid %d", 42);
	assert_int_equal(w_statusbar_tick(sb, 1000000), 0);
	assert_int_equal(w_statusbar_key(sb, W_KEY_ESC), W_HANDLED | W_REDRAW);
	assert_null(sb->msg);
	w_statusbar_free(sb);
}

static void
keybar_leaves_out_what_does_not_fit(void **state)
{
	const struct w_keyhint	 h[] = {
		{ "F1", "Help" }, { "F5", "Renew" }, { "/", "Filter" },
		{ "Space", "Tag" },
	};
	struct w_keybar		*kb = w_keybar_new();

	(void)state;
	w_keybar_set(kb, h, 4);
	/* "F1 Help" 7, "  F5 Renew" 10, "  / Filter" 10, "  Space Tag" 11 */
	assert_int_equal(w_keybar_fit(kb, 80, 0), 4);
	assert_int_equal(w_keybar_fit(kb, 38, 0), 4);
	assert_int_equal(w_keybar_fit(kb, 37, 0), 3);
	assert_int_equal(w_keybar_fit(kb, 16, 0), 1);
	assert_int_equal(w_keybar_fit(kb, 3, 0), 0);
	w_keybar_free(kb);
}

static void
dialog_defaults_to_no_and_answers_keys(void **state)
{
	struct w_dialog	*d;
	struct w_rect	 scr = { 0, 0, 24, 80 };

	(void)state;
	d = w_dialog_new("Confirm", "Revoke example.com:mail-ec? The "
	    "certificate stops working at once.", "Revoke", "Cancel", 0);
	w_dialog_resize(d, &scr);
	assert_true(d->box.w <= 70 && d->box.w >= 30);
	assert_true(d->box.x + d->box.w <= 80);
	assert_int_equal(w_dialog_key(d, '\n'), W_HANDLED | W_CANCEL);
	assert_int_equal(d->choice, 0);
	w_dialog_key(d, '\t');
	assert_int_equal(w_dialog_key(d, KEY_ENTER), W_HANDLED | W_SUBMIT);
	assert_int_equal(d->choice, 1);
	assert_int_equal(w_dialog_key(d, 'n'), W_HANDLED | W_CANCEL);
	assert_int_equal(w_dialog_key(d, 'y'), W_HANDLED | W_SUBMIT);
	assert_int_equal(w_dialog_key(d, 'z'), W_HANDLED);
	w_dialog_free(d);

	/* Tiny screens still give a box inside the screen. */
	d = w_dialog_new("x", "a long message that will need wrapping onto "
	    "several lines", "OK", NULL, 0);
	scr.h = 6;
	scr.w = 20;
	w_dialog_resize(d, &scr);
	assert_true(d->box.w <= 20 && d->box.h <= 6);
	assert_int_equal(w_dialog_key(d, W_KEY_ESC), W_HANDLED | W_SUBMIT);
	w_dialog_free(d);
}

static void
text_searches_and_jumps_between_sections(void **state)
{
	struct w_text	*t = w_text_new();
	struct w_rect	 r = { 0, 0, 5, 40 };
	int		 i;

	(void)state;
	w_text_resize(t, &r);
	w_text_section(t, "Current");
	for (i = 0; i < 10; i++)
		w_text_addf(t, W_ROLE_NORMAL, "curr line %d", i);
	w_text_section(t, "TLSA");
	w_text_add(t, W_ROLE_NORMAL, "_25._tcp.mail 3 1 1 abcd\nnext line");
	assert_int_equal(t->n, 14);
	assert_int_equal(w_text_search(t, "3 1 1", 1), 12);
	assert_int_equal(t->top, 9);	/* clamped to the last page */
	assert_int_equal(w_text_search(t, "LINE 1", 1), 2);
	assert_int_equal(t->top, 0);
	assert_int_equal(w_text_key(t, 'n'), W_HANDLED | W_REDRAW);
	assert_int_equal(t->hit, 2);	/* only "curr line 1" matches */
	assert_int_equal(w_text_search(t, "nowhere", 1), -1);
	w_text_key(t, ']');
	assert_int_equal(t->top, 9);	/* TLSA at 11, clamped */
	w_text_key(t, KEY_HOME);
	w_text_key(t, ']');
	assert_int_equal(t->top, 9);
	w_text_key(t, '[');
	assert_int_equal(t->top, 0);
	w_text_free(t);
}

/* -- curses smoke test -- */

static size_t
flat_count(void *arg)
{
	(void)arg;
	return (40);
}

static void
flat_draw(void *arg, WINDOW *w, const struct w_rect *r, size_t i, int f)
{
	(void)arg;
	w_draw_printf(w, r->y, r->x, r->w, w_attr(f & W_ROW_SELECTED ?
	    W_ROLE_SELECTED : W_ROLE_NORMAL), W_CLIP_PAD, "row %zu \x1b[2J",
	    i);
}

static void
widgets_draw_sanitised_text_into_a_screen(void **state)
{
	static const struct w_list_ops ops = { .count = flat_count,
	    .draw_row = flat_draw };
	const struct w_field_def fd[] = { { .label = "Name", .value = "x" } };
	const struct w_keyhint	 kh[] = { { "F1", "Help" } };
	struct w_rect		 full = { 0, 0, 24, 80 }, line = { 23, 0, 1, 80 };
	FILE			*out, *in;
	SCREEN			*scr;
	WINDOW			*w;
	struct w_list		*l;
	struct w_dialog		*d;
	struct w_form		*fm;
	struct w_prompt		*p;
	struct w_statusbar	*sb;
	struct w_keybar		*kb;
	struct w_text		*t;
	struct w_log		*lg;
	char			 buf[128];
	int			 cx, cy;

	(void)state;
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	assert_non_null(out);
	assert_non_null(in);
	scr = newterm("vt100", out, in);
	assert_non_null(scr);
	w_style_start();
	w = newwin(24, 80, 0, 0);

	/* What reaches the window is the escaped text, never an ESC. */
	w_draw_text(w, 0, 0, 40, A_NORMAL, 0, "evil\x1b[2Jname\x07");
	mvwinnstr(w, 0, 0, buf, 30);
	assert_memory_equal(buf, "evil\\x1b[2Jname\\x07", 19);

	l = w_list_new(&ops, NULL);
	w_list_resize(l, &full);
	w_list_draw(l, w);
	mvwinnstr(w, 0, 0, buf, 20);
	assert_memory_equal(buf, "row 0 \\x1b[2J", 13);
	w_list_free(l);

	d = w_dialog_new("Confirm", "Renew 3 services?", "Renew", "Cancel", 0);
	w_dialog_resize(d, &full);
	w_dialog_draw(d, w);
	w_dialog_free(d);

	fm = w_form_new("CA", fd, 1, NULL, NULL);
	w_form_resize(fm, &full);
	w_form_draw(fm, w, &cy, &cx);
	assert_int_equal(cy, 2);
	w_form_free(fm);

	p = w_prompt_new(":", 5);
	w_prompt_resize(p, &line);
	w_prompt_set(p, "renew all");
	w_prompt_draw(p, w, &cx);
	assert_int_equal(cx, 10);
	w_prompt_free(p);

	sb = w_statusbar_new();
	w_statusbar_resize(sb, &line);
	w_statusbar_set_right(sb, "12:00");
	w_statusbar_set(sb, W_LEVEL_ERROR, 0, 0, "failed");
	w_statusbar_draw(sb, w);
	w_statusbar_free(sb);

	kb = w_keybar_new();
	w_keybar_set(kb, kh, 1);
	w_keybar_resize(kb, &line);
	w_keybar_draw(kb, w);
	w_keybar_free(kb);

	t = w_text_new();
	w_text_resize(t, &full);
	w_text_add(t, W_ROLE_NORMAL, "x\x1b" "y");
	w_text_search(t, "y", 1);
	w_text_draw(t, w);
	w_text_free(t);

	lg = w_log_new(10);
	w_log_resize(lg, &full);
	w_log_append(lg, W_ROLE_NORMAL, "a\nb");
	w_log_draw(lg, w);
	w_log_free(lg);

	delwin(w);
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(style_parse_sets_colours_and_attributes),
		cmocka_unit_test(
		    style_parse_errors_name_the_token_and_keep_the_style),
		cmocka_unit_test(style_tostring_round_trips),
		cmocka_unit_test(
		    theme_parse_applies_good_lines_and_reports_bad_ones),
		cmocka_unit_test(theme_files_match_their_builtins),
		cmocka_unit_test(roles_have_names_both_ways),
		cmocka_unit_test(vis_escapes_everything_a_terminal_could_act_on),
		cmocka_unit_test(width_counts_display_columns),
		cmocka_unit_test(clip_cuts_by_columns_with_an_ellipsis),
		cmocka_unit_test(wrap_breaks_at_spaces_and_newlines),
		cmocka_unit_test(table_layout_at_80_drops_the_least_wanted),
		cmocka_unit_test(table_layout_at_200_grows_elastic_columns_to_max),
		cmocka_unit_test(list_scrolls_to_keep_the_cursor_visible),
		cmocka_unit_test(list_tags_with_space_and_moves_down),
		cmocka_unit_test(list_collapses_groups_through_the_model),
		cmocka_unit_test(edit_does_emacs_keys_on_utf8),
		cmocka_unit_test(edit_scroll_keeps_the_point_visible),
		cmocka_unit_test(history_browses_and_restores_the_edited_line),
		cmocka_unit_test(prompt_submits_cancels_and_completes),
		cmocka_unit_test(form_validates_on_leave_and_on_submit),
		cmocka_unit_test(log_ring_wraps_and_follows),
		cmocka_unit_test(statusbar_message_times_out),
		cmocka_unit_test(keybar_leaves_out_what_does_not_fit),
		cmocka_unit_test(dialog_defaults_to_no_and_answers_keys),
		cmocka_unit_test(text_searches_and_jumps_between_sections),
		cmocka_unit_test(widgets_draw_sanitised_text_into_a_screen),
	};

	/* Widths need a UTF-8 locale; C.UTF-8 exists on every glibc. */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL &&
	    setlocale(LC_CTYPE, "en_US.UTF-8") == NULL) {
		fprintf(stderr, "test-widgets: no UTF-8 locale\n");
		return (77);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
