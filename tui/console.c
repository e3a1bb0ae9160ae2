/*
 * console.c - the curses console: the single-threaded poll() loop (stdin,
 * job pipes, the signal self-pipe of console-term.c, a one second tick for
 * the countdowns), the frame (title, status bar, key bar), dialogs and the
 * keys every screen shares.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "cli.h"
#include "config.h"
#include "console.h"
#include "log.h"
#include "util.h"

#include "w_draw.h"

#define TICK_MS		1000
#define MAX_POLLFDS	16

long long
console_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
console_message(struct console *c, enum w_level lvl, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	w_statusbar_set(c->sb, lvl, console_now_ms(), CON_MSG_MS, "%s", s);
	w_log_append(c->msglog, lvl == W_LEVEL_ERROR ? W_ROLE_ERROR :
	    lvl == W_LEVEL_WARN ? W_ROLE_WARNING : W_ROLE_DIM, s);
	free(s);
}

/* Core never prints: its messages land in the console's own log. */
static void
core_sink(void *arg, enum sslm_level lvl, const char *msg)
{
	struct console *c = arg;

	if (lvl == SSLM_LOG_DEBUG)
		return;
	w_log_append(c->msglog, lvl == SSLM_LOG_ERR ? W_ROLE_ERROR :
	    lvl == SSLM_LOG_WARN ? W_ROLE_WARNING : W_ROLE_NORMAL, msg);
}

void
console_confirm(struct console *c, enum con_dialog kind, const char *title,
    const char *msg, const char *yes)
{
	w_dialog_free(c->dlg);
	/* Destructive actions start on "no". */
	c->dlg = w_dialog_new(title, msg, yes, "Cancel", 0);
	c->dlg_kind = kind;
}

void
console_show(struct console *c, enum con_screen s)
{
	if (s != c->screen && c->screen != CON_SCR_HELP)
		c->back = c->screen;
	c->screen = s;
	if (s == CON_SCR_JOBS)
		scr_jobs_select_last(c);
	else if (s == CON_SCR_DNS)
		scr_dns_open(c);
	else if (s == CON_SCR_PLAN)
		scr_plan_build(c);
}

static void
layout(struct console *c)
{
	struct w_rect body = { 1, 0, LINES - 3, COLS };
	struct w_rect line = { LINES - 2, 0, 1, COLS };

	if (body.h < 1)
		body.h = 1;
	scr_services_layout(c, &body);
	w_text_resize(c->detail, &body);
	w_text_resize(c->help, &body);
	w_text_resize(c->plan, &body);
	scr_dns_layout(c, &body);
	scr_jobs_layout(c, &body);
	scr_wizard_layout(c, &body);
	w_statusbar_resize(c->sb, &line);
	w_prompt_resize(c->prompt, &line);
	w_prompt_resize(c->filter_prompt, &line);
	line.y = LINES - 1;
	w_keybar_resize(c->kb, &line);
	if (c->dlg != NULL)
		w_dialog_resize(c->dlg, &(struct w_rect){ 0, 0, LINES, COLS });
}

static void
set_hints(struct console *c)
{
	static const struct w_keyhint detail[] = {
		{ "Esc", "Back" }, { "[ ]", "Section" }, { "j", "Jobs" },
		{ "?", "Help" }, { "q", "Quit" },
	};
	static const struct w_keyhint jobs[] = {
		{ "Esc", "Back" }, { "Up/Dn", "Job" }, { "PgUp", "Scroll" },
		{ "F", "Follow" }, { ":", "Cmd" }, { "?", "Help" },
		{ "q", "Quit" },
	};
	static const struct w_keyhint help[] = {
		{ "Esc", "Back" }, { "PgDn", "Scroll" }, { "q", "Quit" },
	};
	static const struct w_keyhint dns[] = {
		{ "Esc", "Back" }, { "PgDn", "Scroll" }, { "F5", "Ask now" },
		{ "P", "Plan" }, { "l", "Log" }, { "?", "Help" },
		{ "q", "Quit" },
	};
	static const struct w_keyhint plan[] = {
		{ "Esc", "Back" }, { "PgDn", "Scroll" }, { "[ ]", "Service" },
		{ "d", "DNS" }, { "l", "Log" }, { "?", "Help" },
		{ "q", "Quit" },
	};

	switch (c->screen) {
	case CON_SCR_SERVICES:
		scr_services_hints(c);
		break;
	case CON_SCR_DETAIL:
		w_keybar_set(c->kb, detail, sizeof(detail) / sizeof(*detail));
		break;
	case CON_SCR_JOBS:
		w_keybar_set(c->kb, jobs, sizeof(jobs) / sizeof(*jobs));
		break;
	case CON_SCR_HELP:
		w_keybar_set(c->kb, help, sizeof(help) / sizeof(*help));
		break;
	case CON_SCR_WIZARD:
		scr_wizard_hints(c);
		break;
	case CON_SCR_DNS:
		w_keybar_set(c->kb, dns, sizeof(dns) / sizeof(*dns));
		break;
	case CON_SCR_PLAN:
		w_keybar_set(c->kb, plan, sizeof(plan) / sizeof(*plan));
		break;
	}
}

/*
 * SSLM_BENCH_FRAME=<file> (bench/run console): when the first frame with
 * the rows on it is on the terminal, and again when the one with the
 * production check is, appends "<wall clock us> <VmHWM kB> <CPU us>" to
 * file, so the time to the first frame is measured in the process.
 */
static void
bench_frame(const struct console *c)
{
	static bool	 done, first;
	struct rusage	 ru;
	struct timespec	 ts;
	const char	*path = getenv("SSLM_BENCH_FRAME");
	char		 line[256];
	long		 hwm = -1;
	FILE		*f;

	if (done || path == NULL || *path == '\0' || c->loaded_ms == 0)
		return;
	/* Two lines: the first frame, then the one with everything. */
	if (!c->prod_pending && !c->rows_pending)
		done = true;
	else if (first)
		return;
	first = true;
	clock_gettime(CLOCK_REALTIME, &ts);
	(void)getrusage(RUSAGE_SELF, &ru);
	if ((f = fopen("/proc/self/status", "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "VmHWM: %ld", &hwm) == 1)
				break;
		fclose(f);
	}
	if ((f = fopen(path, "a")) != NULL) {
		fprintf(f, "%lld %ld %lld\n", (long long)ts.tv_sec * 1000000 +
		    ts.tv_nsec / 1000, hwm, (long long)(ru.ru_utime.tv_sec +
		    ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
		    ru.ru_stime.tv_usec);
		fclose(f);
	}
}

static void
draw(struct console *c)
{
	static const char *names[] = { "Services", "Detail", "Jobs",
	    "Help", "CA set-up", "DNS", "Plan" };
	size_t queued, running = con_jobs_active(c, &queued);
	char right[96], clock[16], lock[64];
	time_t now = time(NULL);
	int cx = -1, cy = LINES - 2, wx = -1, wy = -1;

	layout(c);
	set_hints(c);
	erase();
	w_draw_fill(stdscr, 0, 0, COLS, w_attr(W_ROLE_TITLE));
	w_draw_printf(stdscr, 0, 0, COLS, w_attr(W_ROLE_TITLE), 0,
	    "ssl-mgr %s  %s", names[c->screen], c->topdir);
	/* Another run holds the store: said on every screen. */
	con_lock_text(c, lock, sizeof(lock));
	if (*lock != '\0' && COLS > 2 + (int)strlen(lock))
		w_draw_text(stdscr, 0, COLS - (int)strlen(lock) - 1,
		    (int)strlen(lock) + 1, w_attr(W_ROLE_WARNING), 0,
		    lock);
	switch (c->screen) {
	case CON_SCR_SERVICES:
		scr_services_draw(c, stdscr);
		break;
	case CON_SCR_DETAIL:
		w_text_draw(c->detail, stdscr);
		break;
	case CON_SCR_JOBS:
		scr_jobs_draw(c, stdscr);
		break;
	case CON_SCR_HELP:
		w_text_draw(c->help, stdscr);
		break;
	case CON_SCR_WIZARD:
		scr_wizard_draw(c, stdscr, &wy, &wx);
		break;
	case CON_SCR_DNS:
		scr_dns_draw(c, stdscr);
		break;
	case CON_SCR_PLAN:
		w_text_draw(c->plan, stdscr);
		break;
	}
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&now));
	if (running + queued > 0)
		snprintf(right, sizeof(right), "run %zu queued %zu  %s",
		    running, queued, clock);
	else
		snprintf(right, sizeof(right), "%s", clock);
	w_statusbar_set_right(c->sb, right);
	if (c->prompting != CON_PROMPT_NONE && c->sb->msg != NULL &&
	    LINES > 3) {
		/* Completions and errors stay visible above the prompt. */
		w_draw_fill(stdscr, LINES - 3, 0, COLS, w_attr(W_ROLE_STATUS));
		w_draw_text(stdscr, LINES - 3, 0, COLS, w_attr(W_ROLE_STATUS),
		    0, c->sb->msg);
	}
	if (c->prompting == CON_PROMPT_CMD) {
		con_prompt_draw_matches(c, stdscr);
		w_prompt_draw(c->prompt, stdscr, &cx);
	}
	else if (c->prompting == CON_PROMPT_FILTER)
		w_prompt_draw(c->filter_prompt, stdscr, &cx);
	else
		w_statusbar_draw(c->sb, stdscr);
	w_keybar_draw(c->kb, stdscr);
	if (c->dlg != NULL) {
		w_dialog_draw(c->dlg, stdscr);
		cx = -1;
	}
	if (cx < 0 && wx >= 0 && c->dlg == NULL) {
		cx = wx;	/* the wizard's text field */
		cy = wy;
	}
	if (cx >= 0) {
		curs_set(1);
		move(cy, cx);
	} else
		curs_set(0);
	refresh();
	bench_frame(c);
}

static void
dialog_done(struct console *c, bool yes)
{
	enum con_dialog kind = c->dlg_kind;

	w_dialog_free(c->dlg);
	c->dlg = NULL;
	c->dlg_kind = CON_DLG_NONE;
	if (kind == CON_DLG_QUIT && yes)
		c->quit = true;
	else if (kind == CON_DLG_ACTION && yes && c->pend.argv != NULL) {
		con_job_add(c, c->pend.argv, c->pend.what, &c->pend.items);
		c->pend.argv = NULL;
	}
	con_argv_free(c->pend.argv);
	c->pend.argv = NULL;
	free(c->pend.what);
	c->pend.what = NULL;
	strlist_clear(&c->pend.items);
}

static void
ask_quit(struct console *c)
{
	size_t queued, running = con_jobs_active(c, &queued);

	if (running + queued == 0) {
		c->quit = true;
		return;
	}
	console_confirm(c, CON_DLG_QUIT, "Quit",
	    "A job is still running or queued.  Quit stops the running job "
	    "(SIGTERM) and drops the queue.", "Quit");
}

/* The '/' filter; the ':' prompt is readline's (console-readline.c). */
static void
prompt_key(struct console *c, int key)
{
	struct w_prompt *p = c->filter_prompt;
	int r;

	if (c->prompting == CON_PROMPT_CMD) {
		con_prompt_key(c, key);
		return;
	}
	r = w_prompt_key(p, key);

	if (c->prompting == CON_PROMPT_FILTER && (r & W_CHANGED)) {
		/* The filter applies as it is typed. */
		free(c->filter);
		c->filter = xstrdup(w_prompt_line(p));
		con_view_build(c);
	}
	if (!(r & (W_SUBMIT | W_CANCEL)))
		return;
	free(c->filter);
	c->filter = (r & W_SUBMIT) ? xstrdup(w_prompt_line(p)) : NULL;
	con_view_build(c);
	w_prompt_clear(p);
	c->prompting = CON_PROMPT_NONE;
}

static void
handle_key(struct console *c, int key)
{
	int r = W_IGNORED;

	if (c->dlg != NULL) {
		r = w_dialog_key(c->dlg, key);
		if (r & (W_SUBMIT | W_CANCEL))
			dialog_done(c, (r & W_SUBMIT) != 0);
		return;
	}
	if (c->prompting != CON_PROMPT_NONE) {
		prompt_key(c, key);
		return;
	}
	/* The wizard's fields take every key: 'q' may be part of a name. */
	if (c->screen == CON_SCR_WIZARD && scr_wizard_key(c, key) !=
	    W_IGNORED)
		return;
	/* Keys of every screen first: 'j' is the jobs screen, not "down". */
	switch (key) {
	case 'q':
		ask_quit(c);
		return;
	case 'j':
		console_show(c, CON_SCR_JOBS);
		return;
	case 'd':
		console_show(c, CON_SCR_DNS);
		return;
	case 'P':
		console_show(c, CON_SCR_PLAN);
		return;
	case 'l':
		console_show(c, CON_SCR_JOBS);
		scr_jobs_select_log(c);
		return;
	case '?':
	case KEY_F(1):
		console_show(c, CON_SCR_HELP);
		return;
	case ':':
		con_prompt_open(c);
		return;
	case W_KEY_CTRL('l'):
		clearok(curscr, TRUE);
		return;
	case KEY_F(5):
		c->reload_wanted = true;
		scr_dns_refresh(c);
		if (c->screen == CON_SCR_PLAN)
			scr_plan_build(c);
		return;
	case W_KEY_ESC:
		if (c->screen != CON_SCR_SERVICES) {
			c->screen = c->back == c->screen ? CON_SCR_SERVICES :
			    c->back;
			if (c->screen == CON_SCR_HELP)
				c->screen = CON_SCR_SERVICES;
			c->back = CON_SCR_SERVICES;
			return;
		}
		break;
	}
	switch (c->screen) {
	case CON_SCR_SERVICES:
		if (key == '/') {
			c->prompting = CON_PROMPT_FILTER;
			w_prompt_set(c->filter_prompt, c->filter ? c->filter :
			    "");
			return;
		}
		(void)scr_services_key(c, key);
		break;
	case CON_SCR_DETAIL:
		scr_detail_key(c, key);
		break;
	case CON_SCR_JOBS:
		(void)scr_jobs_key(c, key);
		break;
	case CON_SCR_HELP:
		(void)w_text_key(c->help, key);
		break;
	case CON_SCR_WIZARD:
		break;
	case CON_SCR_DNS:
		scr_dns_key(c, key);
		break;
	case CON_SCR_PLAN:
		(void)w_text_key(c->plan, key);
		break;
	}
}

/* Drains the self-pipe: a resize, a child gone, or a signal to quit. */
static void
signals_read(struct console *c)
{
	unsigned char b[64];
	ssize_t n;

	while ((n = read(con_term_sigfd(), b, sizeof(b))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			switch (b[i]) {
			case SIGWINCH:
				con_term_resize();
				break;
			case SIGCHLD:
				con_job_reap(c);
				break;
			default:
				c->quit = true;
				c->rc = 128 + b[i];
				break;
			}
		}
	}
}

static void
read_keys(struct console *c)
{
	wint_t wch;
	int rc;

	while ((rc = wget_wch(stdscr, &wch)) != ERR) {
		int key = w_key_from_wch(rc, wch);

		if (key == KEY_RESIZE)
			continue;
		handle_key(c, key);
		if (c->quit)
			return;
	}
}

static void
loop(struct console *c)
{
	struct pollfd pfd[MAX_POLLFDS];
	long long now, next_tick = console_now_ms(), to;
	size_t n;

	while (!c->quit) {
		now = console_now_ms();
		if (c->reload_wanted ||
		    now - c->loaded_ms >= CON_REFRESH_MS) {
			c->reload_wanted = false;
			if (con_data_load(c) != 0)
				console_message(c, W_LEVEL_ERROR, "%s",
				    c->load_error);
			if (scr_wizard_offer(c))
				console_message(c, W_LEVEL_WARN, "no private "
				    "CA here yet: W sets one up");
			if (c->screen == CON_SCR_DETAIL && c->detail_key)
				for (size_t i = 0; i < c->nrows; i++)
					if (strcmp(c->rows[i].key,
					    c->detail_key) == 0)
						scr_detail_open(c,
						    &c->rows[i]);
		}
		if (now >= next_tick) {
			con_lock_poll(c);
			(void)w_statusbar_tick(c->sb, now);
			con_tail_poll(c);
			scr_dns_tick(c);
			scr_plan_tick(c);
			next_tick = now + TICK_MS - (now - next_tick) %
			    TICK_MS;
		}
		draw(c);
		if (c->rows_pending || c->prod_pending) {
			/* After the frame: the first screen shows first. */
			if (c->rows_pending)
				con_data_rest(c);
			else
				con_data_prod(c);
			continue;
		}
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = con_term_sigfd();
		pfd[1].events = POLLIN;
		n = 2 + con_job_pollfds(c, pfd + 2, MAX_POLLFDS - 3);
		n += scr_dns_pollfds(c, pfd + n, MAX_POLLFDS - n);
		to = next_tick - console_now_ms();
		if (to < 0)
			to = 0;
		if (poll(pfd, n, (int)to) == -1) {
			if (errno == EINTR)
				continue;
			c->rc = 1;
			break;
		}
		if (pfd[1].revents & POLLIN)
			signals_read(c);
		for (size_t i = 2; i < n; i++)
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) {
				con_job_input(c, pfd[i].fd);
				scr_dns_input(c, pfd[i].fd);
			}
		if (pfd[0].revents & (POLLHUP | POLLERR)) {
			/* The terminal went away. */
			c->quit = true;
			c->rc = 1;
		} else if (pfd[0].revents & POLLIN)
			read_keys(c);
	}
}

static char *
self_exe(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return xstrdup("/proc/self/exe");
	buf[n] = '\0';
	return xstrdup(buf);
}

static void
console_free(struct console *c)
{
	con_jobs_free(c);
	con_data_free(c);
	for (size_t i = 0; i < c->nresults; i++) {
		free(c->results[i].key);
		free(c->results[i].text);
	}
	free(c->results);
	scr_services_free(c);
	scr_jobs_free(c);
	scr_dns_free(c);
	con_tail_free(c);
	w_text_free(c->plan);
	scr_wizard_free(c);
	w_text_free(c->detail);
	w_text_free(c->help);
	w_log_free(c->msglog);
	w_statusbar_free(c->sb);
	w_keybar_free(c->kb);
	con_prompt_free(c);
	w_dialog_free(c->dlg);
	con_argv_free(c->pend.argv);
	free(c->pend.what);
	strlist_clear(&c->pend.items);
	free(c->detail_key);
	free(c->filter);
	free(c->load_error);
	free(c->lock_holder);
	free(c->topdir);
	free(c->exe);
}

static void
usage(void)
{
	fprintf(stderr, "usage: ssl-mgr tui\n"
	    "The console: services, jobs, the ':' command prompt.  "
	    "Environment:\nSSL_MGR_TOPDIR, SSLM_THEME (default, light, "
	    "monochrome), SSLM_THEMES, NO_COLOR, SSLM_ASCII.\n");
}

/*
 * "ssl-mgr tui", or the bare "ssl-mgr" on a terminal (bare).  Returns the
 * exit status, or CONSOLE_NOSTART when the bare form cannot open a
 * console (no configuration, no usable terminal) so that main can fall
 * back to the headless hint.
 */
int
console_main(int argc, char **argv, bool bare)
{
	struct console con, *c = &con;
	char *tried = NULL;

	memset(c, 0, sizeof(*c));
	if (!bare && argc > 1) {
		usage();
		return strcmp(argv[1], "-h") == 0 ||
		    strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		if (bare)
			return CONSOLE_NOSTART;
		fprintf(stderr, "ssl-mgr tui: needs a terminal\n");
		return 2;
	}
	if (sslm_find_topdir(&c->topdir, &tried) != 0) {
		free(tried);
		if (bare)
			return CONSOLE_NOSTART;
		return cli_find_topdir(&c->topdir);
	}
	free(tried);
	setlocale(LC_ALL, "");
	c->exe = self_exe();
	con_term_theme(c->exe);
	/* readline before curses: see console-readline.c. */
	con_prompt_init(c);
	if (con_term_start() != 0) {
		con_prompt_free(c);
		free(c->topdir);
		free(c->exe);
		if (bare)
			return CONSOLE_NOSTART;
		fprintf(stderr, "ssl-mgr tui: cannot start the terminal\n");
		return 2;
	}
	c->sb = w_statusbar_new();
	c->kb = w_keybar_new();
	c->msglog = w_log_new(CON_JOB_LOG_LINES);
	c->detail = w_text_new();
	c->help = w_text_new();
	scr_services_init(c);
	scr_jobs_init(c);
	scr_dns_init(c);
	con_tail_init(c);
	c->plan = w_text_new();
	scr_help_build(c);
	sslm_log_set_sink(core_sink, c);
	c->reload_wanted = true;
	c->first_rows = LINES > 0 ? (size_t)LINES : 100;
	console_message(c, W_LEVEL_INFO, "? for help, : for commands, "
	    "q to quit");
	loop(c);
	con_jobs_stop(c);
	con_term_restore();
	sslm_log_set_sink(NULL, NULL);
	console_free(c);
	return c->rc;
}
