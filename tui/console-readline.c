/*
 * console-readline.c - GNU readline as the ':' prompt's line editor,
 * inside the curses screen.
 *
 * readline runs in callback mode and never touches the terminal: curses
 * owns the tty (the prep/deprep hooks do nothing), readline's output
 * stream is /dev/null, its input is a small queue that the console fills
 * with the bytes of each curses key (arrows become the ANSI sequences
 * readline binds by default), and its redisplay hook copies rl_line_buffer
 * and rl_point into the w_prompt widget, which the console draws.  The
 * list of completions goes to a curses area above the prompt.  Signals,
 * SIGWINCH and LINES/COLUMNS are left to the console (rl_catch_signals,
 * rl_catch_sigwinch and rl_change_environment off): readline exporting
 * LINES would freeze the size curses sees after a resize.
 *
 * readline is initialised before curses: its tgetent() must not replace
 * the terminal curses set up.  Esc and C-g close the prompt here rather
 * than in readline (Esc is readline's meta prefix): the Alt+key pairs
 * readline uses are curses keys of their own (define_meta_keys).  The
 * history is readline's, read from and appended to
 * $XDG_STATE_HOME/ssl-mgr/history (or ~/.local/state/ssl-mgr/history),
 * kept to CON_HIST_MAX lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curses.h>
#include <readline/history.h>
#include <readline/readline.h>

#include "console.h"
#include "util.h"

#include "w_draw.h"

#define RL_PROMPT	":"
#define INQ_MAX		64	/* bytes of one key, and a meta prefix */
#define MATCH_ROWS_MAX	8
#define KEY_META	0x1000	/* + ASCII key: Alt+key (define_key) */

/* readline is one global state, so its glue is too. */
static struct console	*rl_con;
static FILE		*rl_null;
static unsigned char	 inq[INQ_MAX];
static size_t		 inq_off, inq_len;
static bool		 rl_open;
static bool		 rl_got;	/* the line handler ran */
static char		*rl_got_line;	/* its line (NULL: EOF) */
static struct strlist	 cands;		/* for rl_gen */
static struct strlist	 matches;	/* shown above the prompt */
static size_t		 match_width;

static int
rl_getc_queue(FILE *f)
{
	(void)f;
	if (inq_off >= inq_len)
		return EOF;
	return inq[inq_off++];
}

static int
rl_avail_queue(void)
{
	return inq_off < inq_len;
}

static void
rl_prep_none(int meta)
{
	(void)meta;
}

static void
rl_deprep_none(void)
{
}

/* rl_redisplay_function: the widget holds the line, draw() shows it. */
static void
rl_show(void)
{
	if (rl_con == NULL)
		return;
	w_prompt_set_prompt(rl_con->prompt, rl_display_prompt ?
	    rl_display_prompt : RL_PROMPT);
	w_prompt_show(rl_con->prompt, rl_line_buffer ? rl_line_buffer : "",
	    rl_point < 0 ? 0 : (size_t)rl_point);
}

static void
rl_line(char *line)
{
	rl_got = true;
	rl_got_line = line;
	rl_callback_handler_remove();
}

/* rl_completion_display_matches_hook: into a curses area, not stdout. */
static void
rl_show_matches(char **m, int n, int maxlen)
{
	strlist_clear(&matches);
	for (int i = 1; i <= n; i++)
		strlist_add(&matches, m[i]);
	match_width = (size_t)maxlen;
	rl_forced_update_display();
}

static char *
rl_gen(const char *text, int state)
{
	static size_t next;
	struct strlist *m = &cands;

	(void)text;
	if (state == 0)
		next = 0;
	if (next >= m->n)
		return NULL;
	return xstrdup(m->v[next++]);
}

/* Commands and options (console-prompt.c says which), grp:svc names. */
static char **
rl_attempt(const char *text, int start, int end)
{
	struct console *c = rl_con;
	char *before = xstrndup(rl_line_buffer, (size_t)start), **r;

	(void)end;
	rl_attempted_completion_over = 1;
	strlist_clear(&cands);
	con_prompt_candidates(c, before, text, &cands);
	free(before);
	if (cands.n == 0) {
		console_message(c, W_LEVEL_WARN, "no completion for '%s'",
		    text);
		return NULL;
	}
	r = rl_completion_matches(text, rl_gen);
	strlist_clear(&cands);
	return r;
}

static char *
history_path(void)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (x != NULL && *x == '/')
		return xasprintf("%s/ssl-mgr/history", x);
	if (home != NULL && *home == '/')
		return xasprintf("%s/.local/state/ssl-mgr/history", home);
	return NULL;
}

/* mkdir -p for the history's directory, private to the user. */
static void
make_dirs(const char *file)
{
	char *d = xstrdup(file), *p;

	for (p = d + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		(void)mkdir(d, 0700);
		*p = '/';
	}
	free(d);
}

static void
history_keep(struct console *c, const char *line)
{
	HIST_ENTRY *last;

	if (*line == '\0' || strchr(line, '\n') != NULL)
		return;
	last = history_length > 0 ? history_get(history_base +
	    history_length - 1) : NULL;
	if (last != NULL && strcmp(last->line, line) == 0)
		return;
	add_history(line);
	if (c->histfile == NULL)
		return;
	make_dirs(c->histfile);
	/* append_history() needs the file; write_history() makes it 0600. */
	if (access(c->histfile, F_OK) == 0)
		(void)append_history(1, c->histfile);
	else
		(void)write_history(c->histfile);
	(void)history_truncate_file(c->histfile, CON_HIST_MAX);
}

/* Before curses starts (see the top of the file). */
void
con_prompt_init(struct console *c)
{
	rl_con = c;
	c->prompt = w_prompt_new(RL_PROMPT, 1);
	c->filter_prompt = w_prompt_new("/", 20);
	c->histfile = history_path();
	rl_null = fopen("/dev/null", "w");
	rl_readline_name = "ssl-mgr";
	rl_change_environment = 0;
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_outstream = rl_null;
	rl_getc_function = rl_getc_queue;
	rl_input_available_hook = rl_avail_queue;
	rl_prep_term_function = rl_prep_none;
	rl_deprep_term_function = rl_deprep_none;
	rl_redisplay_function = rl_show;
	rl_attempted_completion_function = rl_attempt;
	rl_completion_display_matches_hook = rl_show_matches;
	rl_basic_word_break_characters = " \t";
	rl_completer_word_break_characters = " \t";
	rl_initialize();
	/* After the inputrc: no bell on stderr, one Tab lists the matches. */
	rl_variable_bind("bell-style", "none");
	rl_variable_bind("show-all-if-ambiguous", "on");
	stifle_history(CON_HIST_MAX);
	if (c->histfile != NULL)
		(void)read_history(c->histfile);
	using_history();
}

void
con_prompt_free(struct console *c)
{
	if (rl_open)
		rl_callback_handler_remove();
	rl_open = false;
	clear_history();
	strlist_clear(&matches);
	strlist_clear(&cands);
	w_prompt_free(c->prompt);
	w_prompt_free(c->filter_prompt);
	c->prompt = c->filter_prompt = NULL;
	free(c->histfile);
	c->histfile = NULL;
	rl_outstream = NULL;
	if (rl_null != NULL)
		fclose(rl_null);
	rl_null = NULL;
	rl_con = NULL;
}

/*
 * Alt+key arrives as Esc and the key: curses is told these pairs so that
 * they come as one key when sent together, and a lone Esc stays "close".
 */
static void
define_meta_keys(void)
{
	static const char keys[] = "bfdultcy.<>_\177";
	static bool done;
	char seq[3] = { '\033', 0, 0 };

	if (done)
		return;
	done = true;
	for (size_t i = 0; keys[i] != '\0'; i++) {
		seq[1] = keys[i];
		(void)define_key(seq, KEY_META + keys[i]);
	}
}

/* ':' pressed: a fresh line, the history at its end. */
void
con_prompt_open(struct console *c)
{
	define_meta_keys();
	strlist_clear(&matches);
	c->prompting = CON_PROMPT_CMD;
	if (!rl_open)
		rl_callback_handler_install(RL_PROMPT, rl_line);
	rl_open = true;
	rl_show();
}

static void
close_prompt(struct console *c)
{
	if (rl_open) {
		rl_free_line_state();
		rl_callback_sigcleanup();
		rl_callback_handler_remove();
	}
	rl_open = false;
	strlist_clear(&matches);
	w_prompt_set_prompt(c->prompt, RL_PROMPT);
	w_prompt_clear(c->prompt);
	c->prompting = CON_PROMPT_NONE;
}

/* The bytes a terminal would send for key, as readline binds them. */
static size_t
key_bytes(int key, char *out)
{
	static const struct {
		int		 key;
		const char	*seq;
	} fkeys[] = {
		{ KEY_UP, "\033[A" }, { KEY_DOWN, "\033[B" },
		{ KEY_RIGHT, "\033[C" }, { KEY_LEFT, "\033[D" },
		{ KEY_HOME, "\033[H" }, { KEY_END, "\033[F" },
		{ KEY_DC, "\033[3~" }, { KEY_BACKSPACE, "\177" },
		{ KEY_ENTER, "\r" }, { '\n', "\r" },
	};
	long cp;

	for (size_t i = 0; i < sizeof(fkeys) / sizeof(fkeys[0]); i++)
		if (fkeys[i].key == key) {
			memcpy(out, fkeys[i].seq, strlen(fkeys[i].seq));
			return strlen(fkeys[i].seq);
		}
	if (key > KEY_META && key <= KEY_META + 0x7f) {
		out[0] = '\033';
		out[1] = (char)(key - KEY_META);
		return 2;
	}
	if ((cp = w_key_char(key)) < 0)
		return 0;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	return w_utf8_encode(cp, out);
}

static void
feed(struct console *c, const char *b, size_t n)
{
	if (n == 0 || n > INQ_MAX)
		return;
	memcpy(inq, b, n);
	inq_off = 0;
	inq_len = n;
	rl_got = false;
	while (rl_open && inq_off < inq_len) {
		rl_callback_read_char();
		if (rl_got) {
			char *line = rl_got_line;

			rl_open = false;
			close_prompt(c);
			if (line != NULL) {
				history_keep(c, line);
				con_prompt_submit(c, line);
			}
			free(line);
			break;
		}
	}
	inq_off = inq_len = 0;
}

/* A key while the ':' prompt is open. */
void
con_prompt_key(struct console *c, int key)
{
	char b[INQ_MAX];

	strlist_clear(&matches);
	if (key == W_KEY_CTRL('g')) {
		close_prompt(c);
		return;
	}
	if (key == W_KEY_ESC) {
		close_prompt(c);
		return;
	}
	feed(c, b, key_bytes(key, b));
}

/* The completions, in columns, on the rows just above the prompt line. */
void
con_prompt_draw_matches(struct console *c, WINDOW *w)
{
	int cw, cols, rows, bottom = LINES - 3, top, y, x;
	size_t shown, i;

	if (matches.n == 0 || c->prompting != CON_PROMPT_CMD || bottom < 1)
		return;
	cw = (int)match_width + 2;
	if (cw > COLS)
		cw = COLS;
	cols = COLS / (cw > 0 ? cw : 1);
	if (cols < 1)
		cols = 1;
	rows = (int)((matches.n + (size_t)cols - 1) / (size_t)cols);
	if (rows > MATCH_ROWS_MAX)
		rows = MATCH_ROWS_MAX;
	if (rows > bottom)
		rows = bottom;
	shown = (size_t)rows * (size_t)cols;
	if (shown < matches.n)
		shown--;	/* room for "N more" */
	top = bottom - rows + 1;
	for (y = top; y <= bottom; y++)
		w_draw_fill(w, y, 0, COLS, w_attr(W_ROLE_STATUS));
	for (i = 0; i < shown && i < matches.n; i++) {
		/* Column-major, as a shell lists them. */
		y = top + (int)(i % (size_t)rows);
		x = (int)(i / (size_t)rows) * cw;
		w_draw_text(w, y, x, cw - 1, w_attr(W_ROLE_STATUS), 0,
		    matches.v[i]);
	}
	if (shown < matches.n)
		w_draw_printf(w, bottom, (cols - 1) * cw, cw,
		    w_attr(W_ROLE_STATUS), 0, "(%zu more)",
		    matches.n - shown);
}
