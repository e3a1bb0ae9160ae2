/*
 * screen-dns.c - DNS propagation: per apex, the primary and every NS and
 * dns_xtra_ns address with its SOA serial (rows behind the primary are
 * highlighted), how many pending _acme-challenge TXT values and curr and
 * next TLSA records it serves, its latency and last error; below, the
 * dns-01 wait and DANE gate lines of the log file as they are written.
 *
 * The console never asks DNS itself: while the screen is shown it runs
 * "ssl-mgr dns-status --json" as a child (not a job: it takes no lock and
 * must not queue behind a renewal), reads its JSON lines in the poll loop
 * as they come, and starts it again DNS_REFRESH_MS after it ended (every
 * second while a job runs, so that a dns-01 wait is seen live).  Rows
 * are updated in place and the ones a new run no longer reports are
 * dropped at its end, so the view never blanks while it refreshes.  The
 * child is reaped by the SIGCHLD handler's waitpid(-1) (console-jobs.c);
 * its end is seen as EOF on the pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "console.h"
#include "util.h"

#include "w_draw.h"

#define DNS_REFRESH_MS	3000
#define DNS_REFRESH_JOB_MS 1000	/* while a job runs: a dns-01 wait */
#define DNS_LINE_MAX	(64 * 1024)
#define DNS_WAIT_SHOWN	10	/* log lines of the dns-01 wait */

struct dns_row {
	char		*apex, *role, *name, *addr;
	long		 port;
	bool		 has_serial, behind, seen;
	long long	 serial;
	double		 ms;
	long		 txt_e, txt_s, cur_e, cur_s, nxt_e, nxt_s;
	char		*error, *missing;	/* first missing record */
};

struct dns_apex {
	char		*apex, *primary, *ns;
	long		 port, tlsa_c, tlsa_n;
	struct strlist	 txt;		/* "name value" pending */
	char		*error;
	bool		 seen;
};

struct con_dns {
	pid_t		 pid;
	int		 fd;
	char		*partial;
	size_t		 plen;
	struct dns_apex	*apexes;
	size_t		 napexes;
	struct dns_row	*rows;
	size_t		 nrows;
	struct strlist	 msgs;		/* non-JSON lines of the last run */
	struct strlist	 cur_msgs;
	bool		 got_done;
	bool		 again;		/* F5 during a run: ask at its end */
	long long	 next_ms;	/* start the next run at */
	long long	 done_ms;	/* monotonic: last run ended */
	time_t		 done_at;	/* wall clock of it */
	long		 elapsed_ms;
	int		 runs;
	struct w_text	*text;
};

void
scr_dns_init(struct console *c)
{
	c->dns = xcalloc(1, sizeof(*c->dns));
	c->dns->fd = -1;
	c->dns->pid = -1;
	c->dns->text = w_text_new();
}

static void
row_free(struct dns_row *r)
{
	free(r->apex);
	free(r->role);
	free(r->name);
	free(r->addr);
	free(r->error);
	free(r->missing);
}

static void
apex_free(struct dns_apex *a)
{
	free(a->apex);
	free(a->primary);
	free(a->ns);
	free(a->error);
	strlist_clear(&a->txt);
}

/* Stops a running child (the screen closes or the console quits). */
static void
dns_stop(struct con_dns *d)
{
	/* Signal it only while it is still our child: the SIGCHLD handler
	 * may have reaped it already, and its pid be someone else's. */
	if (d->pid > 0 && waitpid(d->pid, NULL, WNOHANG) == 0) {
		(void)kill(d->pid, SIGTERM);
		(void)waitpid(d->pid, NULL, 0);
	}
	d->pid = -1;
	if (d->fd != -1)
		close(d->fd);
	d->fd = -1;
	d->plen = 0;
}

void
scr_dns_free(struct console *c)
{
	struct con_dns *d = c->dns;

	if (d == NULL)
		return;
	dns_stop(d);
	for (size_t i = 0; i < d->nrows; i++)
		row_free(&d->rows[i]);
	for (size_t i = 0; i < d->napexes; i++)
		apex_free(&d->apexes[i]);
	free(d->rows);
	free(d->apexes);
	free(d->partial);
	strlist_clear(&d->msgs);
	strlist_clear(&d->cur_msgs);
	w_text_free(d->text);
	free(d);
	c->dns = NULL;
}

static void
dns_start(struct console *c)
{
	struct con_dns *d = c->dns;
	int p[2], devnull;
	pid_t pid;

	if (d->pid > 0 || d->fd != -1)
		return;
	if (pipe2(p, O_CLOEXEC) == -1) {
		console_message(c, W_LEVEL_ERROR, "dns-status: pipe: %s",
		    strerror(errno));
		d->next_ms = console_now_ms() + DNS_REFRESH_MS;
		return;
	}
	if ((pid = fork()) == -1) {
		console_message(c, W_LEVEL_ERROR, "dns-status: fork: %s",
		    strerror(errno));
		close(p[0]);
		close(p[1]);
		d->next_ms = console_now_ms() + DNS_REFRESH_MS;
		return;
	}
	if (pid == 0) {
		(void)setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGWINCH, SIG_DFL);
		if ((devnull = open("/dev/null", O_RDONLY)) != -1)
			dup2(devnull, STDIN_FILENO);
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		setenv("SSL_MGR_TOPDIR", c->topdir, 1);
		execl(c->exe, "ssl-mgr", "dns-status", "--json", (char *)NULL);
		dprintf(STDERR_FILENO, "ssl-mgr: cannot run %s: %s\n",
		    c->exe, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	(void)fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	d->pid = pid;
	d->fd = p[0];
	d->got_done = false;
	strlist_clear(&d->cur_msgs);
	for (size_t i = 0; i < d->nrows; i++)
		d->rows[i].seen = false;
	for (size_t i = 0; i < d->napexes; i++)
		d->apexes[i].seen = false;
}

static char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return xstrdup(s ? s : "");
}

static long
jint(json_t *o, const char *k)
{
	return (long)json_integer_value(json_object_get(o, k));
}

static struct dns_apex *
apex_get(struct con_dns *d, const char *apex)
{
	struct dns_apex *a;

	for (size_t i = 0; i < d->napexes; i++)
		if (strcmp(d->apexes[i].apex, apex) == 0)
			return &d->apexes[i];
	d->apexes = xreallocarray(d->apexes, d->napexes + 1,
	    sizeof(*d->apexes));
	a = &d->apexes[d->napexes++];
	memset(a, 0, sizeof(*a));
	a->apex = xstrdup(apex);
	return a;
}

static void
on_zone(struct con_dns *d, json_t *o)
{
	char *apex = jstr(o, "apex");
	struct dns_apex *a = apex_get(d, apex);
	json_t *v, *e;
	size_t i;
	struct buf b;

	a->seen = true;
	free(a->error);
	a->error = NULL;
	free(a->primary);
	a->primary = jstr(o, "primary");
	a->port = jint(o, "port");
	a->tlsa_c = jint(o, "tlsa_curr");
	a->tlsa_n = jint(o, "tlsa_next");
	strlist_clear(&a->txt);
	json_array_foreach(json_object_get(o, "txt"), i, v)
		if (json_is_string(v))
			strlist_add(&a->txt, json_string_value(v));
	buf_init(&b, 4096);
	json_array_foreach(json_object_get(o, "ns"), i, e)
		if (json_is_string(e))
			(void)buf_printf(&b, "%s%s", i ? " " : "",
			    json_string_value(e));
	free(a->ns);
	a->ns = b.p ? b.p : xstrdup("");
	free(apex);
}

static void
count(json_t *o, const char *k, long *e, long *s)
{
	json_t *c = json_object_get(o, k);

	*e = jint(c, "expected");
	*s = jint(c, "served");
}

static void
on_server(struct con_dns *d, json_t *o)
{
	char *apex = jstr(o, "apex"), *addr = jstr(o, "addr");
	char *role = jstr(o, "role"), *name = jstr(o, "name");
	long port = jint(o, "port");
	struct dns_row *r = NULL;
	json_t *m;

	for (size_t i = 0; i < d->nrows && r == NULL; i++)
		if (strcmp(d->rows[i].apex, apex) == 0 &&
		    strcmp(d->rows[i].addr, addr) == 0 &&
		    strcmp(d->rows[i].role, role) == 0 &&
		    strcmp(d->rows[i].name, name) == 0 &&
		    d->rows[i].port == port)
			r = &d->rows[i];
	if (r == NULL) {
		d->rows = xreallocarray(d->rows, d->nrows + 1,
		    sizeof(*d->rows));
		r = &d->rows[d->nrows++];
		memset(r, 0, sizeof(*r));
		r->apex = apex;
		r->addr = addr;
		r->role = role;
		r->name = name;
		r->port = port;
	} else {
		free(apex);
		free(addr);
		free(role);
		free(name);
	}
	r->seen = true;
	r->has_serial = json_is_integer(json_object_get(o, "serial"));
	r->serial = (long long)json_integer_value(json_object_get(o,
	    "serial"));
	r->behind = json_is_true(json_object_get(o, "behind"));
	r->ms = json_number_value(json_object_get(o, "ms"));
	count(o, "txt", &r->txt_e, &r->txt_s);
	count(o, "tlsa_curr", &r->cur_e, &r->cur_s);
	count(o, "tlsa_next", &r->nxt_e, &r->nxt_s);
	free(r->error);
	r->error = json_is_string(json_object_get(o, "error")) ?
	    jstr(o, "error") : NULL;
	free(r->missing);
	m = json_array_get(json_object_get(o, "missing"), 0);
	r->missing = json_is_string(m) ? xstrdup(json_string_value(m)) :
	    NULL;
}

/* The run ended: drop what it no longer reported. */
static void
dns_sweep(struct con_dns *d)
{
	size_t k = 0;

	for (size_t i = 0; i < d->nrows; i++) {
		if (d->rows[i].seen)
			d->rows[k++] = d->rows[i];
		else
			row_free(&d->rows[i]);
	}
	d->nrows = k;
	k = 0;
	for (size_t i = 0; i < d->napexes; i++) {
		if (d->apexes[i].seen)
			d->apexes[k++] = d->apexes[i];
		else
			apex_free(&d->apexes[i]);
	}
	d->napexes = k;
	strlist_clear(&d->msgs);
	strlist_copy(&d->msgs, &d->cur_msgs);
}

static void
dns_line(struct con_dns *d, const char *line)
{
	json_t *o;
	const char *type;

	if (line[0] != '{' || (o = json_loads(line, 0, NULL)) == NULL) {
		/* core's own words (stderr): why an apex failed */
		if (*line != '\0')
			strlist_add(&d->cur_msgs, line);
		return;
	}
	type = json_string_value(json_object_get(o, "type"));
	if (type == NULL)
		;
	else if (strcmp(type, "zone") == 0)
		on_zone(d, o);
	else if (strcmp(type, "server") == 0)
		on_server(d, o);
	else if (strcmp(type, "error") == 0) {
		char *apex = jstr(o, "apex");
		struct dns_apex *a = apex_get(d, apex);

		a->seen = true;
		free(a->error);
		a->error = jstr(o, "error");
		free(apex);
	} else if (strcmp(type, "done") == 0) {
		d->got_done = true;
		d->elapsed_ms = jint(o, "elapsed_ms");
	}
	json_decref(o);
}

size_t
scr_dns_pollfds(struct console *c, struct pollfd *pfd, size_t max)
{
	if (c->dns == NULL || c->dns->fd == -1 || max == 0)
		return 0;
	pfd[0].fd = c->dns->fd;
	pfd[0].events = POLLIN;
	pfd[0].revents = 0;
	return 1;
}

void
scr_dns_input(struct console *c, int fd)
{
	struct con_dns *d = c->dns;
	char buf[4096], *nl, *p;
	ssize_t n;
	size_t len, take;

	if (d == NULL || d->fd != fd)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		p = buf;
		len = (size_t)n;
		while (len > 0) {
			nl = memchr(p, '\n', len);
			take = nl ? (size_t)(nl - p) : len;
			if (d->plen + take <= DNS_LINE_MAX) {
				d->partial = xrealloc(d->partial,
				    d->plen + take + 1);
				memcpy(d->partial + d->plen, p, take);
				d->plen += take;
				d->partial[d->plen] = '\0';
			}
			if (nl == NULL)
				break;
			if (d->plen > 0)
				dns_line(d, d->partial);
			d->plen = 0;
			len -= (size_t)(nl - p) + 1;
			p = nl + 1;
		}
	}
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		if (d->plen > 0)
			dns_line(d, d->partial);
		d->plen = 0;
		close(d->fd);
		d->fd = -1;
		d->pid = -1;	/* reaped by con_job_reap */
		d->runs++;
		dns_sweep(d);
		d->done_ms = console_now_ms();
		d->done_at = time(NULL);
		d->next_ms = d->again ? 0 : d->done_ms +
		    (con_jobs_active(c, NULL) > 0 ? DNS_REFRESH_JOB_MS :
		    DNS_REFRESH_MS);
		if (d->again && c->screen == CON_SCR_DNS)
			dns_start(c);
		d->again = false;
	}
}

void
scr_dns_open(struct console *c)
{
	if (c->dns == NULL)
		return;
	dns_start(c);
}

void
scr_dns_refresh(struct console *c)
{
	if (c->dns == NULL || c->screen != CON_SCR_DNS)
		return;
	c->dns->next_ms = 0;
	if (c->dns->fd != -1)
		c->dns->again = true;
	dns_start(c);
}

void
scr_dns_tick(struct console *c)
{
	if (c->dns == NULL || c->screen != CON_SCR_DNS)
		return;
	if (c->dns->fd == -1 && console_now_ms() >= c->dns->next_ms)
		dns_start(c);
}

static const char *
frac(char *out, size_t len, long s, long e)
{
	if (e == 0)
		snprintf(out, len, "-");
	else
		snprintf(out, len, "%ld/%ld", s, e);
	return out;
}

static void
add_apex(struct console *c, struct w_text *t, const struct dns_apex *a)
{
	struct con_dns *d = c->dns;
	char who[64], ser[24], f1[16], f2[16], f3[16];

	w_text_section(t, a->apex);
	if (a->error != NULL) {
		w_text_addf(t, W_ROLE_ERROR, "  %s", a->error);
		for (size_t i = 0; i < d->msgs.n; i++)
			if (strstr(d->msgs.v[i], a->apex) != NULL)
				w_text_addf(t, W_ROLE_ERROR, "  %s",
				    d->msgs.v[i]);
		return;
	}
	w_text_addf(t, W_ROLE_DIM, "  primary %s#%ld  NS %s  TLSA curr %ld "
	    "next %ld", a->primary, a->port, a->ns, a->tlsa_c, a->tlsa_n);
	for (size_t i = 0; i < a->txt.n; i++)
		w_text_addf(t, W_ROLE_PENDING, "  pending TXT %s",
		    a->txt.v[i]);
	w_text_addf(t, W_ROLE_HEADER, "  %-26s %-11s %-5s %-5s %-5s %6s  %s",
	    "SERVER", "SERIAL", "TXT", "CURR", "NEXT", "MS", "NOTE");
	for (size_t i = 0; i < d->nrows; i++) {
		const struct dns_row *r = &d->rows[i];
		enum w_role role = W_ROLE_NORMAL;
		const char *note = "";
		bool lacks = r->txt_s < r->txt_e || r->cur_s < r->cur_e ||
		    r->nxt_s < r->nxt_e;

		if (strcmp(r->apex, a->apex) != 0)
			continue;
		if (strcmp(r->role, "primary") == 0)
			snprintf(who, sizeof(who), "primary %s", r->addr);
		else if (strcmp(r->name, r->addr) == 0)
			snprintf(who, sizeof(who), "%s %s", r->role, r->addr);
		else
			snprintf(who, sizeof(who), "%s %s", r->name, r->addr);
		if (r->has_serial)
			snprintf(ser, sizeof(ser), "%lld", r->serial);
		else
			snprintf(ser, sizeof(ser), "-");
		if (r->error != NULL) {
			role = W_ROLE_ERROR;
			note = r->error;
		} else if (r->behind) {
			role = W_ROLE_WARNING;
			note = "behind";
		} else if (lacks) {
			role = W_ROLE_PENDING;
			note = r->missing ? r->missing : "records missing";
		} else
			role = W_ROLE_OK;
		w_text_addf(t, role, "  %-26.26s %-11s %-5s %-5s %-5s %6.1f  %s",
		    who, ser, frac(f1, sizeof(f1), r->txt_s, r->txt_e),
		    frac(f2, sizeof(f2), r->cur_s, r->cur_e),
		    frac(f3, sizeof(f3), r->nxt_s, r->nxt_e), r->ms, note);
	}
	w_text_add(t, W_ROLE_NORMAL, "");
}

/* The whole screen, rebuilt each frame (a few dozen lines). */
static void
dns_build(struct console *c)
{
	struct con_dns *d = c->dns;
	struct w_text *t = d->text;
	size_t top = t->top, n, first;
	char clock[16] = "";
	long long left;

	w_text_clear(t);
	if (d->done_at != 0)
		strftime(clock, sizeof(clock), "%H:%M:%S",
		    localtime(&d->done_at));
	left = (d->next_ms - console_now_ms() + 999) / 1000;
	if (d->fd != -1 && d->runs == 0)
		w_text_add(t, W_ROLE_PENDING, "asking the name servers ...");
	else if (d->fd != -1)
		w_text_addf(t, W_ROLE_DIM, "asked at %s (%ld ms); asking "
		    "again ...", clock, d->elapsed_ms);
	else if (d->runs > 0)
		w_text_addf(t, W_ROLE_DIM, "asked at %s (%ld ms); again in "
		    "%llds (F5: now)", clock, d->elapsed_ms,
		    left > 0 ? left : 0);
	if (d->runs > 0 && d->napexes == 0)
		w_text_add(t, W_ROLE_WARNING, "No zone to show: no active "
		    "group (other than ca) has a [[dns_primary]].");
	for (size_t i = 0; i < d->napexes; i++)
		add_apex(c, t, &d->apexes[i]);
	if (d->runs > 0 && !d->got_done && d->fd == -1)
		for (size_t i = 0; i < d->msgs.n; i++)
			w_text_addf(t, W_ROLE_ERROR, "%s", d->msgs.v[i]);
	w_text_section(t, "dns-01 wait and DANE gate (log file)");
	n = 0;
	while (w_log_line(c->tail_wait, n) != NULL)
		n++;
	if (n == 0)
		w_text_add(t, W_ROLE_DIM, "  (nothing yet)");
	first = n > DNS_WAIT_SHOWN ? n - DNS_WAIT_SHOWN : 0;
	for (size_t i = first; i < n; i++) {
		const struct w_log_line *l = w_log_line(c->tail_wait, i);

		w_text_addf(t, l->role, "  %s", l->s);
	}
	/* The running jobs' own words about the wait. */
	for (size_t k = 0; k < c->njobs; k++) {
		const struct con_job *j = c->jobs[k];
		const struct w_log_line *l;

		if (j->state != CON_JOB_RUNNING)
			continue;
		w_text_addf(t, W_ROLE_PENDING, "  job %d running: %s", j->id,
		    j->cmdline);
		n = 0;
		while (w_log_line(j->log, n) != NULL)
			n++;
		if (n > 1 && (l = w_log_line(j->log, n - 1)) != NULL)
			w_text_addf(t, l->role, "    %s", l->s);
	}
	t->top = top;
	w_text_resize(t, &t->r);	/* clamps top */
}

void
scr_dns_layout(struct console *c, const struct w_rect *r)
{
	if (c->dns != NULL)
		w_text_resize(c->dns->text, r);
}

void
scr_dns_draw(struct console *c, WINDOW *w)
{
	if (c->dns == NULL)
		return;
	dns_build(c);
	w_text_draw(c->dns->text, w);
}

void
scr_dns_key(struct console *c, int key)
{
	if (c->dns != NULL)
		(void)w_text_key(c->dns->text, key);
}
