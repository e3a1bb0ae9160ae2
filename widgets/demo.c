/*
 * demo.c - shows each widget with made-up data, to look at in tmux:
 *
 *	tmux new -d -s w -x 80 -y 24 'build/widgets/widgets-demo'
 *	tmux capture-pane -p -t w
 *
 * Keys: 1 services, 2 detail, 3 log, 4 form, d dialog, : prompt,
 * t add a log line, q quit.  Options: -m monochrome, -a ASCII lines,
 * -t FILE theme.  Not installed.  It is compiled only with W_DEMO_PROGRAM
 * (set by widgets/meson.build), so "cc widgets/\*.c test.c" still links.
 */
#ifdef W_DEMO_PROGRAM

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "w_dialog.h"
#include "w_draw.h"
#include "w_form.h"
#include "w_keybar.h"
#include "w_list.h"
#include "w_log.h"
#include "w_prompt.h"
#include "w_statusbar.h"
#include "w_style.h"
#include "w_table.h"
#include "w_text.h"

struct svc {
	const char	*name;
	const char	*ca;
	const char	*key;
	long		 left;	/* seconds of lifetime left */
	long		 life;
	const char	*result;
	int		 group;
	int		 tag;
};

static struct svc svcs[] = {
	{ "example.com", NULL, NULL, 0, 0, NULL, 1, 0 },
	{ "mail-ec", "letsencrypt", "ec-p256", 70L * 86400, 90L * 86400,
	    "ok", 0, 0 },
	{ "web-rsa", "letsencrypt", "rsa-3072", 12L * 86400, 90L * 86400,
	    "renew due \x1b[31mESC", 0, 0 },
	{ "caf\xc3\xa9.example.org", NULL, NULL, 0, 0, NULL, 1, 0 },
	{ "www \xe6\x97\xa5\xe6\x9c\xac", "local-ca", "ec-p384",
	    -2L * 86400, 365L * 86400, "expired", 0, 0 },
	{ "dns", "local-ca", "ed25519", 200L * 86400, 365L * 86400,
	    "pending: dns-01 propagation", 0, 0 },
};
#define NSVC	(sizeof svcs / sizeof svcs[0])

static const struct w_column cols[] = {
	{ "Service", 14, 36, 3, W_ALIGN_LEFT, 0 },
	{ "CA", 8, 14, 1, W_ALIGN_LEFT, 3 },
	{ "Key", 8, 0, 0, W_ALIGN_LEFT, 4 },
	{ "Expires in", 14, 0, 0, W_ALIGN_RIGHT, 0 },
	{ "Result", 8, 0, 2, W_ALIGN_LEFT, 2 },
};

static struct w_table	*table;

static size_t
svc_count(void *arg)
{
	(void)arg;
	return (NSVC);
}

static void
svc_header(void *arg, WINDOW *w, const struct w_rect *r)
{
	(void)arg;
	w_table_draw_header(table, w, r, w_attr(W_ROLE_HEADER));
}

static void
svc_draw(void *arg, WINDOW *w, const struct w_rect *r, size_t i, int flags)
{
	struct svc	*s = &svcs[i];
	char		 buf[64], name[128];
	attr_t		 base, a;
	enum w_role	 role;

	(void)arg;
	base = w_attr(flags & W_ROW_SELECTED ? W_ROLE_SELECTED :
	    flags & W_ROW_TAGGED ? W_ROLE_TAGGED : W_ROLE_NORMAL);
	w_draw_fill(w, r->y, r->x, r->w, base);
	if (s->group) {
		w_table_draw_cell(table, w, r, 0, flags & W_ROW_SELECTED ?
		    base : w_attr(W_ROLE_TITLE), s->name);
		return;
	}
	snprintf(name, sizeof name, "%s %s", s->tag ? "*" : " ", s->name);
	w_table_draw_cell(table, w, r, 0, base, name);
	w_table_draw_cell(table, w, r, 1, base, s->ca);
	w_table_draw_cell(table, w, r, 2, base, s->key);
	/* The countdown is coloured by the share of lifetime left. */
	role = s->left < 0 ? W_ROLE_EXPIRED : s->left * 3 < s->life ?
	    W_ROLE_EXPIRING : W_ROLE_OK;
	a = flags & W_ROW_SELECTED ? base : w_attr(role);
	if (s->left < 0)
		snprintf(buf, sizeof buf, "expired");
	else
		snprintf(buf, sizeof buf, "%ldd %02ld:%02ld:%02ld",
		    s->left / 86400, s->left % 86400 / 3600,
		    s->left % 3600 / 60, s->left % 60);
	w_table_draw_cell(table, w, r, 3, a, buf);
	w_table_draw_cell(table, w, r, 4, base, s->result);
}

static int
svc_tag(void *arg, size_t i, int op)
{
	(void)arg;
	if (svcs[i].group)
		return (0);
	if (op == W_TAG_TOGGLE)
		svcs[i].tag = !svcs[i].tag;
	else if (op == W_TAG_SET || op == W_TAG_CLEAR)
		svcs[i].tag = op == W_TAG_SET;
	return (svcs[i].tag);
}

static const struct w_list_ops svc_ops = {
	.count = svc_count,
	.draw_row = svc_draw,
	.draw_header = svc_header,
	.tag = svc_tag,
};

static const char *
form_check(void *arg, size_t i, const char *v)
{
	(void)arg;
	if (i == 0 && *v == '\0')
		return ("a name is required");
	if (i == 1 && v != NULL && strchr(v, '@') == NULL)
		return ("not an e-mail address");
	return (NULL);
}

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

int
main(int argc, char **argv)
{
	static const char *const keys[] = { "ec-p256", "ec-p384", "rsa-3072",
	    NULL };
	const struct w_field_def fdefs[] = {
		{ "CA name", "my-ca", "A short name for the CA directory",
		    NULL, 0, 0 },
		{ "Contact", "hostmaster", "E-mail for expiry notices", NULL,
		    0, 0 },
		{ "Key type", "ec-p384", "Left/Right to change", keys, 0, 0 },
		{ "Passphrase", "", "Protects the CA key", NULL,
		    W_FIELD_SECRET, 0 },
	};
	const struct w_keyhint	 hints[] = {
		{ "F1", "Help" }, { "1-4", "Screens" }, { "d", "Dialog" },
		{ ":", "Prompt" }, { "Space", "Tag" }, { "q", "Quit" },
	};
	struct w_list		*list;
	struct w_text		*text;
	struct w_log		*logp;
	struct w_form		*form;
	struct w_dialog		*dlg = NULL;
	struct w_prompt		*prompt;
	struct w_statusbar	*sb;
	struct w_keybar		*kb;
	struct w_rect		 body, line;
	char			 err[1024];
	int			 c, screen = 1, inprompt = 0, rc, cx = -1, cy = -1;
	int			 done = 0, ticks = 0;
	wint_t			 wch;
	size_t			 i;

	setlocale(LC_ALL, "");
	while ((c = getopt(argc, argv, "amt:")) != -1) {
		switch (c) {
		case 'a':
			w_style_set_ascii_lines(1);
			break;
		case 'm':
			w_style_set_mono(1);
			break;
		case 't':
			if (w_style_load(optarg, err, sizeof err) != 0)
				fprintf(stderr, "%s\n", err);
			break;
		default:
			fprintf(stderr, "usage: widgets-demo [-am] [-t theme]\n");
			return (2);
		}
	}
	initscr();
	raw();
	noecho();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	timeout(1000);
	w_style_start();

	table = w_table_new(cols, sizeof cols / sizeof cols[0], 1);
	list = w_list_new(&svc_ops, NULL);
	w_list_set_empty(list, "No services match the filter");
	text = w_text_new();
	w_text_section(text, "example.com:mail-ec");
	w_text_add(text, W_ROLE_NORMAL, "  curr  2026-07-06 12:07:39 UTC\n"
	    "  next  (none)\n  issuer: CN=R11, O=Let's Encrypt");
	w_text_section(text, "TLSA");
	w_text_add(text, W_ROLE_NORMAL, "  _25._tcp.mail.example.com. IN TLSA "
	    "3 1 1 8f2a...\n  from server: \x1b]0;pwned\x07 evil\xe2\x80\xae"
	    "txt.exe");
	w_text_search(text, "tlsa", 1);
	logp = w_log_new(500);
	for (i = 0; i < 30; i++)
		w_log_appendf(logp, i % 7 == 3 ? W_ROLE_ERROR : W_ROLE_NORMAL,
		    "%02zu job renew example.com:mail-ec: step %zu", i, i);
	form = w_form_new("New CA (Tab/Shift-Tab move, Enter submit, Esc "
	    "cancel)", fdefs, 4, form_check, NULL);
	prompt = w_prompt_new(":", 50);
	sb = w_statusbar_new();
	kb = w_keybar_new();
	w_keybar_set(kb, hints, sizeof hints / sizeof hints[0]);
	w_statusbar_set(sb, W_LEVEL_INFO, now_ms(), 5000, "%d colours, %s",
	    w_style_colours(), w_style_utf8() ? "UTF-8" : "ASCII");

	while (!done) {
		/* Lay out for the current size (after every KEY_RESIZE). */
		body = (struct w_rect){ 1, 0, LINES - 3, COLS };
		line = (struct w_rect){ LINES - 2, 0, 1, COLS };
		w_table_resize(table, COLS);
		w_list_resize(list, &body);
		w_text_resize(text, &body);
		w_log_resize(logp, &body);
		w_form_resize(form, &body);
		w_statusbar_resize(sb, &line);
		w_prompt_resize(prompt, &line);
		line.y = LINES - 1;
		w_keybar_resize(kb, &line);
		if (dlg != NULL)
			w_dialog_resize(dlg, &(struct w_rect){ 0, 0, LINES,
			    COLS });

		erase();
		w_draw_fill(stdscr, 0, 0, COLS, w_attr(W_ROLE_TITLE));
		w_draw_printf(stdscr, 0, 0, COLS, w_attr(W_ROLE_TITLE), 0,
		    "ssl-mgr widgets demo  [%d] %dx%d", screen, COLS, LINES);
		cx = cy = -1;
		if (screen == 1)
			w_list_draw(list, stdscr);
		else if (screen == 2)
			w_text_draw(text, stdscr);
		else if (screen == 3)
			w_log_draw(logp, stdscr);
		else
			w_form_draw(form, stdscr, &cy, &cx);
		if (inprompt) {
			w_prompt_draw(prompt, stdscr, &cx);
			cy = LINES - 2;
		} else
			w_statusbar_draw(sb, stdscr);
		w_keybar_draw(kb, stdscr);
		if (dlg != NULL) {
			w_dialog_draw(dlg, stdscr);
			cx = -1;
		}
		if (cx >= 0) {
			curs_set(1);
			move(cy, cx);
		} else
			curs_set(0);
		refresh();

		rc = get_wch(&wch);
		if (rc == ERR) {
			/* The timer: countdowns move, messages expire. */
			for (i = 0; i < NSVC; i++)
				svcs[i].left--;
			if (++ticks % 5 == 0)
				w_log_appendf(logp, W_ROLE_DIM, "tick %d",
				    ticks);
			w_statusbar_tick(sb, now_ms());
			continue;
		}
		c = w_key_from_wch(rc, wch);
		if (c == KEY_RESIZE)
			continue;
		if (dlg != NULL) {
			rc = w_dialog_key(dlg, c);
			if (rc & (W_SUBMIT | W_CANCEL)) {
				w_statusbar_set(sb, W_LEVEL_WARN, now_ms(),
				    3000, "dialog: %s", dlg->choice ? "yes" :
				    "no");
				w_dialog_free(dlg);
				dlg = NULL;
			}
			continue;
		}
		if (inprompt) {
			rc = w_prompt_key(prompt, c);
			if (rc & W_SUBMIT)
				w_log_appendf(logp, W_ROLE_NORMAL, ":%s",
				    w_prompt_line(prompt));
			if (rc & (W_SUBMIT | W_CANCEL)) {
				inprompt = 0;
				w_prompt_clear(prompt);
			}
			continue;
		}
		if (screen == 4) {
			rc = w_form_key(form, c);
			if (rc & W_SUBMIT)
				w_statusbar_set(sb, W_LEVEL_INFO, now_ms(),
				    3000, "form: CA %s, %s",
				    w_form_value(form, 0),
				    w_form_value(form, 2));
			if (rc & (W_SUBMIT | W_CANCEL))
				screen = 1;
			if (rc != W_IGNORED)
				continue;
		}
		rc = W_IGNORED;
		if (screen == 1)
			rc = w_list_key(list, c);
		else if (screen == 2)
			rc = w_text_key(text, c);
		else if (screen == 3)
			rc = w_log_key(logp, c);
		if (rc != W_IGNORED)
			continue;
		switch (c) {
		case 'q':
			done = 1;
			break;
		case '1': case '2': case '3': case '4':
			screen = c - '0';
			break;
		case ':':
			inprompt = 1;
			break;
		case 'd':
			dlg = w_dialog_new("Confirm", "Renew 2 services now: "
			    "example.com:mail-ec, example.com:web-rsa? New "
			    "keys are made and the ACME order starts.",
			    "Renew", "Cancel", 0);
			break;
		case 't':
			w_log_append(logp, W_ROLE_WARNING, "added by hand");
			break;
		}
	}
	endwin();
	w_dialog_free(dlg);
	w_list_free(list);
	w_table_free(table);
	w_text_free(text);
	w_log_free(logp);
	w_form_free(form);
	w_prompt_free(prompt);
	w_statusbar_free(sb);
	w_keybar_free(kb);
	return (0);
}

#else
/* An empty file is not ISO C; this keeps "cc widgets/\*.c" happy. */
extern int w_demo_unused;
#endif /* W_DEMO_PROGRAM */
