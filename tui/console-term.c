/*
 * console-term.c - the terminal's lifetime for the console: the theme,
 * curses on and off, and signals turned into bytes on a self-pipe that
 * the poll() loop in console.c reads.
 *
 * The terminal is restored on every exit path: the normal return, exit()
 * (atexit), SIGINT/SIGTERM/SIGHUP (a clean quit through the self-pipe) and
 * SIGABRT/SIGSEGV/SIGBUS/SIGFPE (endwin, then die of the same signal).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curses.h>

#include "console.h"
#include "util.h"

#include "w_draw.h"

#ifndef SSLM_THEMES_INSTALLED
#define SSLM_THEMES_INSTALLED	"/usr/local/share/ssl-mgr/themes"
#endif

static int	 sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t curses_on;

void
con_term_restore(void)
{
	if (curses_on) {
		curses_on = 0;
		endwin();
	}
}

/* Only a byte into the pipe: the loop does the work. */
static void
on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	if (sig_pipe[1] != -1)
		(void)write(sig_pipe[1], &b, 1);
	errno = saved;
}

/* A crash: give the terminal back, then die of the same signal. */
static void
on_fatal(int sig)
{
	con_term_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
signals_init(void)
{
	struct sigaction sa;
	static const int caught[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH,
	    SIGCHLD };
	static const int fatal[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE };

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_signal;
	for (size_t i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
		sigaction(caught[i], &sa, NULL);
	sa.sa_handler = on_fatal;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

static int
curses_init(void)
{
	if (newterm(NULL, stdout, stdin) == NULL)
		return -1;
	curses_on = 1;
	atexit(con_term_restore);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	w_style_start();
	return 0;
}

int
con_term_start(void)
{
	return signals_init() == 0 && curses_init() == 0 ? 0 : -1;
}

int
con_term_sigfd(void)
{
	return sig_pipe[0];
}

void
con_term_resize(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
}

/*
 * $SSLM_THEME from the first themes directory that has it: $SSLM_THEMES,
 * ../themes beside the binary exe (a build directory sits in the source
 * tree), the installed ones; else the built-in default.
 */
void
con_term_theme(const char *exe)
{
	const char *dirs[4] = { getenv("SSLM_THEMES"), NULL,
	    SSLM_THEMES_INSTALLED, "/usr/share/ssl-mgr/themes" };
	const char *name = getenv("SSLM_THEME"), *slash = strrchr(exe, '/');
	char *srcdir = NULL, *path, err[512];
	struct stat st;
	struct w_theme t;

	if (slash != NULL) {
		srcdir = xasprintf("%.*s/../themes", (int)(slash - exe), exe);
		dirs[1] = srcdir;
	}
	/* Plain + - | lines, for terminals whose line set is wrong. */
	if (getenv("SSLM_ASCII") != NULL && *getenv("SSLM_ASCII") != '\0')
		w_style_set_ascii_lines(1);
	if (name == NULL || *name == '\0' || strchr(name, '/') != NULL)
		name = "default";
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (dirs[i] == NULL || *dirs[i] == '\0')
			continue;
		path = xasprintf("%s/%s.theme", dirs[i], name);
		if (stat(path, &st) == 0) {
			(void)w_style_load(path, err, sizeof(err));
			free(path);
			free(srcdir);
			return;
		}
		free(path);
	}
	free(srcdir);
	w_theme_builtin(&t, W_THEME_DEFAULT);
	w_style_use(&t);
}
