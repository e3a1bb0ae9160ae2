/*
 * screen-help.c - every key and every ':' command, in one scrollable
 * text.  Kept next to the key handling it describes: change one, change
 * the other.
 */
#include "console.h"

static const char *const keys_global[] = {
	"?  F1        this help",
	"j            jobs and their output",
	"l            the log file, followed (the jobs screen's second row)",
	"d            DNS: what every name server of each zone serves",
	"P            plan: what -renew and -roll would do now, and why",
	":            command prompt (the CLI's commands)",
	"Esc          back to the previous screen",
	"F5           re-read the status now (also after each job, every 30s)",
	"C-l          redraw the screen",
	"q            quit (asks if a job is running or queued)",
	NULL
};

static const char *const keys_services[] = {
	"Up Down k    move (PgUp PgDn Home End g G)",
	"Space        tag or untag the service and move down",
	"a  u         tag all, untag all",
	"Left Right   close or open a group (- +)",
	"Enter        service detail (on a group: close or open it)",
	"/            filter services by name (Enter keeps it, Esc drops it)",
	"s            sort by name or by expiry",
	"",
	"Actions apply to the tagged services, else to the one under the",
	"cursor, else to the group under the cursor.  Each runs as a job:",
	"r            renew          ssl-mgr -renew grp:svc",
	"R            force renew    ssl-mgr -renew -f grp:svc   (asks)",
	"o            roll           ssl-mgr -roll grp:svc",
	"O            force roll     ssl-mgr -roll -f grp:svc    (asks)",
	"c            clean          ssl-mgr -clean-keep N grp:svc (asks)",
	"p            production     ssl-mgr dev -certs-prod",
	"S            restart        ssl-mgr dev -fsr            (asks)",
	"v            verify         ssl-mgr verify <certs/grp/svc/curr>",
	"V            verify live    ssl-mgr verify --live grp:svc",
	"x            revoke         ssl-mgr revoke grp:svc      (asks)",
	"W            CA set-up wizard (root, intermediate, first leaves)",
	NULL
};

static const char *const keys_other[] = {
	"Detail:  Up Down PgUp PgDn scroll, [ ] previous or next section",
	"Jobs:    Up Down pick a job, PgUp PgDn scroll its output,",
	"         End or F follow new output; the \"log file\" row follows",
	"         <logdir>/sslm across rotation and truncation",
	"DNS:     per zone the primary and every NS / dns_xtra_ns address:",
	"         SOA serial (behind the primary: highlighted), pending",
	"         _acme-challenge TXT and curr/next TLSA served (n/m),",
	"         latency, last error; asked again every 3 s while shown",
	"         (F5: now), and the dns-01 wait / DANE gate lines of the log",
	"Plan:    per service the renew and roll verdict with its reason",
	"         (due dates, ARI window, min_roll_mins, DANE gate)",
	"Prompt:  GNU readline: Tab completes commands and grp:svc names,",
	"         Up Down and C-r the history, C-a C-e C-k C-u C-w Alt-b",
	"         Alt-f edit (~/.inputrc applies), Esc or C-g cancels",
	NULL
};

static const char *const commands[] = {
	"The prompt takes the command line of ssl-mgr, with or without the",
	"leading dash, and runs it as a job (\"renew x\" is \"-renew x\"):",
	"",
	":renew example.com:web-self    :renew -f example.com",
	":roll -f example.com:web-self  :s   (status; -v for more)",
	":clean-keep 3                  :clean-all",
	":dev -certs-prod               :dev -fsr    :dev -ntoc grp:svc",
	":check-config -v               :verify certs/grp/svc/curr",
	":verify --live grp:svc         what the servers serve, TLSA",
	":info certs/grp/svc/curr/cert.pem",
	":revoke [--next] [--reason N] grp:svc",
	":ca-init                       the CA set-up wizard (with options:",
	"                               ssl-mgr ca-init ... as a job)",
	":plan [grp:svc]  :dns-status   read only, output in the jobs screen",
	":help  :quit  :jobs            console commands",
	"",
	"Options: -renew -roll -f -r -n -t -v -s -clean-keep N -clean-all",
	"-roll-mins M; dev: -keys -csr -cert -copy -ntoc -certs-prod -fsr",
	"",
	"History is kept in $XDG_STATE_HOME/ssl-mgr/history.",
	"While a cron run holds the lock, the title says so and actions",
	"that change the store wait in the queue until it is free.",
	NULL
};

static void
add_lines(struct w_text *t, const char *title, const char *const *v)
{
	w_text_section(t, title);
	for (size_t i = 0; v[i] != NULL; i++)
		w_text_addf(t, W_ROLE_NORMAL, "  %s", v[i]);
	w_text_add(t, W_ROLE_NORMAL, "");
}

void
scr_help_build(struct console *c)
{
	w_text_clear(c->help);
	add_lines(c->help, "Keys on every screen", keys_global);
	add_lines(c->help, "Services screen", keys_services);
	add_lines(c->help, "Other screens", keys_other);
	add_lines(c->help, "Commands (':')", commands);
	w_text_add(c->help, W_ROLE_DIM, "  Colours: SSLM_THEME=default|light|"
	    "monochrome, NO_COLOR=1 for none.");
}
