/*
 * console.h - the curses console (issue 5): one struct shared by the
 * loop (console.c), the data model (console-data.c), the jobs
 * (console-jobs.c), the prompt (console-prompt.c) and the screens
 * (screen-*.c).  Single-threaded: nothing here needs a lock.
 *
 * The console never changes the store itself.  Every action is a job: a
 * child running this binary with the command line a cron user would type,
 * so the console and cron share one tested code path and the store's one
 * lock.  Only the status is read in-process, through the same JSON that
 * "ssl-mgr -s --json" prints.
 */
#ifndef SSLM_CONSOLE_H
#define SSLM_CONSOLE_H

#include <poll.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "config.h"
#include "opts.h"
#include "run.h"
#include "util.h"

#include "w_dialog.h"
#include "w_keybar.h"
#include "w_list.h"
#include "w_log.h"
#include "w_prompt.h"
#include "w_statusbar.h"
#include "w_style.h"
#include "w_table.h"
#include "w_text.h"

struct sslm_run;
struct con_dns;
struct con_tail;
struct con_wizard;

/* Returned by console_main when no console could be started. */
#define CONSOLE_NOSTART		(-1)

#define CON_REFRESH_MS		30000	/* status re-read without jobs */
#define CON_MSG_MS		6000	/* status bar messages */
#define CON_JOB_LOG_LINES	4000
#define CON_HIST_MAX		500

enum con_screen {
	CON_SCR_SERVICES = 0,
	CON_SCR_DETAIL,
	CON_SCR_JOBS,
	CON_SCR_HELP,
	CON_SCR_WIZARD,		/* the CA set-up (screen-wizard.c) */
	CON_SCR_DNS,		/* screen-dns.c */
	CON_SCR_PLAN		/* screen-plan.c */
};

/* One row of the model: a group (svc == NULL) or a service. */
struct con_row {
	char		*grp;
	char		*svc;
	char		*key;		/* "grp:svc" or "grp" */
	char		 ca[48];	/* "self", "my-int", "le dns-01" */
	char		 ktype[24];	/* "ec-p384", "rsa-2048" */
	bool		 has_curr;
	time_t		 not_before, not_after;
	double		 lifetime;	/* days */
	bool		 has_next;
	long		 next_age;	/* minutes */
	long		 min_roll;
	bool		 roll_due;
	bool		 gate_wait;	/* the DANE gate holds next back */
	time_t		 gate_open_at;	/* 0: not yet served everywhere */
	char		 gate_ns[64];	/* whom the last check waited for */
	bool		 renew_due;
	double		 days_to_renew;
	bool		 tagged;
	bool		 collapsed;	/* groups only */
	bool		 drift;		/* production differs */
	size_t		 group;		/* row index of its group */
	const struct sslm_service_cfg *sc;	/* of the console's run */
	bool		 unread;	/* status not read yet */
};

enum con_job_state {
	CON_JOB_QUEUED = 0,
	CON_JOB_RUNNING,
	CON_JOB_DONE
};

struct con_job {
	int			 id;
	char			**argv;		/* argv[0] = "ssl-mgr" */
	char			*cmdline;	/* for people: words joined */
	char			*what;		/* "renew", "roll", ... */
	struct strlist		 items;		/* keys for the results */
	enum con_job_state	 state;
	pid_t			 pid;
	int			 fd;		/* stdout+stderr, -1: closed */
	bool			 reaped;
	int			 status;	/* exit status, 128+sig */
	bool			 busy;		/* "is busy" seen */
	char			*partial;	/* unfinished output line */
	size_t			 partial_len;
	struct w_log		*log;
	time_t			 started, ended;
};

/* Last result of a job on an item ("renew ok"), kept across reloads. */
struct con_result {
	char		*key;
	char		*text;
	enum w_role	 role;
};

enum con_dialog {
	CON_DLG_NONE = 0,
	CON_DLG_ACTION,		/* run c->pend */
	CON_DLG_QUIT
};

enum con_prompt {
	CON_PROMPT_NONE = 0,
	CON_PROMPT_CMD,		/* ':' */
	CON_PROMPT_FILTER	/* '/' */
};

/* An action waiting for its confirmation. */
struct con_pending {
	char		**argv;
	char		 *what;
	struct strlist	  items;
};

struct console {
	char			*topdir;
	char			*exe;		/* what jobs run */
	/* the model, from the last status read */
	struct sslm_config	*cfg;
	struct con_row		*rows;
	size_t			 nrows;
	size_t			*view;		/* visible rows */
	size_t			 nview;
	bool			 prod_checked, prod_in_sync;
	bool			 prod_pending;	/* check after the frame */
	bool			 rows_pending;	/* rows off screen unread */
	size_t			 first_rows;	/* read before the 1st frame */
	struct sslm_run		*run;		/* of the last load */
	struct strlist		 drift;		/* production drift found */
	time_t			 loaded;
	long long		 loaded_ms;
	char			*load_error;
	struct con_result	*results;
	size_t			 nresults;
	char			*filter;
	bool			 sort_expiry;
	/* jobs */
	struct con_job		**jobs;
	size_t			 njobs;
	int			 next_job_id;
	bool			 reload_wanted;
	/* another run holding the store's lock (console-lock.c) */
	bool			 lock_held;
	char			*lock_holder;	/* "pid 4242 ssl-mgr -renew" */
	time_t			 lock_since;
	/* screens and widgets */
	enum con_screen		 screen;
	enum con_screen		 back;		/* where Esc goes */
	struct w_list		*svc_list;
	struct w_table		*svc_table;
	struct w_text		*detail;
	char			*detail_key;
	struct w_text		*help;
	struct w_list		*job_list;
	struct w_log		*msglog;	/* core's messages */
	struct w_statusbar	*sb;
	struct w_keybar		*kb;
	struct w_prompt		*prompt;
	struct w_prompt		*filter_prompt;
	enum con_prompt		 prompting;
	struct w_dialog		*dlg;
	enum con_dialog		 dlg_kind;
	struct con_pending	 pend;
	char			*histfile;
	struct con_wizard	*wiz;		/* the CA set-up, when open */
	/* the DNS and Plan screens, the log file tail */
	struct con_dns		*dns;
	struct w_text		*plan;
	long long		 plan_ms;	/* built at */
	struct con_tail		*tail;
	struct w_log		*tail_log;	/* the log file */
	struct w_log		*tail_wait;	/* its dns-01/gate lines */
	bool			 quit;
	int			 rc;
};

/* console.c */
int	console_main(int argc, char **argv, bool bare);
long long console_now_ms(void);
void	console_message(struct console *, enum w_level, const char *, ...)
	    SSLM_PRINTF(3, 4);
void	console_show(struct console *, enum con_screen);
void	console_confirm(struct console *, enum con_dialog, const char *title,
	    const char *msg, const char *yes);

/* console-term.c: the terminal's lifetime and the signal self-pipe */
void	con_term_theme(const char *exe);
int	con_term_start(void);
int	con_term_sigfd(void);
void	con_term_resize(void);
void	con_term_restore(void);

/* console-data.c */
int	con_data_load(struct console *);
/* The production check of the last load (slow: it reads every file). */
void	con_data_prod(struct console *);
/* Reads the rows the first load left for after its frame. */
void	con_data_rest(struct console *);
void	con_data_free(struct console *);
void	con_view_build(struct console *);
struct con_row *con_view_row(struct console *, size_t);
void	con_result_set(struct console *, const char *key, const char *text,
	    enum w_role);
const struct con_result *con_result_get(const struct console *,
	    const char *key);
void	con_countdown(time_t left, char *, size_t);
enum w_role con_expiry_role(const struct con_row *, time_t now);

/* console-jobs.c */
struct con_job *con_job_add(struct console *, char **argv, const char *what,
	    const struct strlist *items);
void	con_job_start_next(struct console *);
/* Fills pfd (up to max) with the running job's fd; returns the count. */
size_t	con_job_pollfds(struct console *, struct pollfd *, size_t max);
void	con_job_input(struct console *, int fd);
void	con_job_reap(struct console *);
size_t	con_jobs_active(const struct console *, size_t *queued);
void	con_jobs_stop(struct console *);
void	con_jobs_free(struct console *);
char	**con_argv_new(const char *first, ...);
void	con_argv_free(char **);

/* console-lock.c */
void	con_lock_poll(struct console *);
bool	con_lock_blocks(const struct console *, const struct con_job *);
void	con_lock_text(const struct console *, char *, size_t);

/* console-prompt.c */
void	con_prompt_submit(struct console *, const char *line);
void	con_prompt_candidates(struct console *, const char *before,
	    const char *word, struct strlist *);
int	con_split_words(const char *, struct strlist *, char **err);

/* console-readline.c: the ':' prompt's editor; init before curses */
void	con_prompt_init(struct console *);
void	con_prompt_free(struct console *);
void	con_prompt_open(struct console *);
void	con_prompt_key(struct console *, int);
void	con_prompt_draw_matches(struct console *, WINDOW *);

/* screen-services.c */
void	scr_services_init(struct console *);
void	scr_services_free(struct console *);
void	scr_services_layout(struct console *, const struct w_rect *);
void	scr_services_draw(struct console *, WINDOW *);
int	scr_services_key(struct console *, int);
void	scr_services_hints(struct console *);

/* screen-detail.c */
void	scr_detail_open(struct console *, const struct con_row *);
void	scr_detail_key(struct console *, int);

/* screen-jobs.c */
void	scr_jobs_init(struct console *);
void	scr_jobs_free(struct console *);
void	scr_jobs_layout(struct console *, const struct w_rect *);
void	scr_jobs_draw(struct console *, WINDOW *);
int	scr_jobs_key(struct console *, int);
void	scr_jobs_select_last(struct console *);
void	scr_jobs_select_log(struct console *);

/* screen-dns.c: dns-status as a child, refreshed while shown */
void	scr_dns_init(struct console *);
void	scr_dns_free(struct console *);
void	scr_dns_open(struct console *);
void	scr_dns_refresh(struct console *);
void	scr_dns_tick(struct console *);
size_t	scr_dns_pollfds(struct console *, struct pollfd *, size_t max);
void	scr_dns_input(struct console *, int fd);
void	scr_dns_layout(struct console *, const struct w_rect *);
void	scr_dns_draw(struct console *, WINDOW *);
void	scr_dns_key(struct console *, int);

/* screen-plan.c */
void	scr_plan_build(struct console *);
void	scr_plan_tick(struct console *);

/* console-logtail.c: <logdir>/sslm followed on the tick */
void	con_tail_init(struct console *);
void	con_tail_free(struct console *);
void	con_tail_poll(struct console *);

/* screen-wizard.c */
void	scr_wizard_open(struct console *);
void	scr_wizard_free(struct console *);
void	scr_wizard_layout(struct console *, const struct w_rect *);
void	scr_wizard_draw(struct console *, WINDOW *, int *cy, int *cx);
int	scr_wizard_key(struct console *, int);
void	scr_wizard_hints(struct console *);
bool	scr_wizard_offer(const struct console *);

/* screen-help.c */
void	scr_help_build(struct console *);

#endif
