/*
 * hooks.c - what a run tells the world beyond its output: the deploy hooks
 * (on_renew, on_roll, on_prod_copy) run once the run's work is done, the
 * notify_cmd for a failed run or a certificate in its last 10% of
 * lifetime, and the record of the last changing run that the status and
 * the Prometheus metrics show.
 *
 * Hooks and notify_cmd are argv (config-hooks.c), never a shell.  They run
 * after everything is written, so a failing one cannot leave the tree half
 * done: it is logged and makes the run's exit status 1, nothing more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "err.h"
#include "x509.h"
#include "exec.h"
#include "log.h"
#include "run.h"
#include "runsvc.h"
#include "store.h"

#define HOOK_TIMEOUT	300	/* s, per hook and for notify_cmd */

static const char *const ev_names[] = { "renew", "roll", "prod_copy" };

void
run_event_add(struct sslm_run *run, enum run_event_kind kind,
    const struct sslm_service_cfg *sc, const char *dir)
{
	run->events = xreallocarray(run->events, run->n_events + 1,
	    sizeof(*run->events));
	run->events[run->n_events].kind = kind;
	run->events[run->n_events].sc = sc;
	run->events[run->n_events].dir = xstrdup(dir);
	run->n_events++;
}

void
run_events_free(struct sslm_run *run)
{
	for (size_t i = 0; i < run->n_events; i++)
		free(run->events[i].dir);
	free(run->events);
	run->events = NULL;
	run->n_events = 0;
}

static const struct strlist *
hook_of(const struct sslm_hooks *h, enum run_event_kind k)
{
	return k == RUN_EV_RENEW ? &h->on_renew : k == RUN_EV_ROLL ?
	    &h->on_roll : &h->on_prod_copy;
}

/* The last line of a command's output, for the log. */
static char *
last_line(const struct exec_result *res)
{
	const char *s = res->out != NULL ? res->out : "", *e, *b;

	e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == '\r'))
		e--;
	for (b = e; b > s && b[-1] != '\n'; b--)
		;
	return xstrndup(b, (size_t)(e - b));
}

/* Runs argv; 0 when it ran and exited 0, else logs why and -1. */
static int
run_cmd(const struct strlist *argv, const char *stdin_data,
    char *const env[], const char *what)
{
	struct exec_result	 res;
	char			**v, *d, *l;
	int			 r;

	v = xcalloc(argv->n + 1, sizeof(*v));
	for (size_t i = 0; i < argv->n; i++)
		v[i] = argv->v[i];
	d = exec_describe(v);
	sslm_log(SSLM_LOG_INFO, "%s: %s", what, d);
	r = exec_run(v, stdin_data, env, HOOK_TIMEOUT, &res);
	if (r != 0)
		sslm_log(SSLM_LOG_ERR, "%s: cannot run %s: %s", what, d,
		    sslm_strerror(r));
	else if (res.timed_out || res.status != 0) {
		l = last_line(&res);
		if (res.timed_out)
			sslm_log(SSLM_LOG_ERR, "%s: %s: killed after %d s%s%s",
			    what, d, HOOK_TIMEOUT, *l ? ": " : "", l);
		else
			sslm_log(SSLM_LOG_ERR, "%s: %s failed (exit %d)%s%s",
			    what, d, res.status, *l ? ": " : "", l);
		free(l);
		r = -1;
	}
	exec_result_free(&res);
	free(d);
	free(v);
	return r == 0 ? 0 : -1;
}

static void
env_set(char **env, size_t *n, const char *k, const char *v)
{
	env[(*n)++] = xasprintf("%s=%s", k, v != NULL ? v : "");
}

/* The hooks of one event: [globals] first, then the service's. */
static int
event_hooks(struct sslm_run *run, const struct run_event *ev)
{
	const struct strlist	*cmds[2];
	char			*env[12], *what, *svcdir, *proddir;
	size_t			 n = 0;
	int			 fails = 0;

	cmds[0] = hook_of(&run->cfg->hooks, ev->kind);
	cmds[1] = hook_of(&ev->sc->hooks, ev->kind);
	if (cmds[0]->n == 0 && cmds[1]->n == 0)
		return 0;
	svcdir = sslm_svc_dir(run, ev->sc->grp, ev->sc->svc);
	proddir = xasprintf("%s/%s/%s", run->prod_dir, ev->sc->grp,
	    ev->sc->svc);
	env_set(env, &n, "SSLM_EVENT", ev_names[ev->kind]);
	env_set(env, &n, "SSLM_GROUP", ev->sc->grp);
	env_set(env, &n, "SSLM_SERVICE", ev->sc->svc);
	env_set(env, &n, "SSLM_TOPDIR", run->cfg->topdir);
	env_set(env, &n, "SSLM_SVC_DIR", svcdir);
	env_set(env, &n, "SSLM_PROD_DIR", proddir);
	env_set(env, &n, "SSLM_CERT_DIR", ev->dir);
	env[n] = xasprintf("SSLM_CERT=%s/cert.pem", ev->dir);
	env[n + 1] = xasprintf("SSLM_FULLCHAIN=%s/fullchain.pem", ev->dir);
	env[n + 2] = xasprintf("SSLM_KEY=%s/privkey.pem", ev->dir);
	n += 3;
	env[n] = NULL;
	for (int i = 0; i < 2; i++) {
		if (cmds[i]->n == 0)
			continue;
		what = xasprintf("%s:%s: on_%s hook (%s)", ev->sc->grp,
		    ev->sc->svc, ev_names[ev->kind], i == 0 ? "[globals]" :
		    "service");
		if (run->opts->debug)
			sslm_log(SSLM_LOG_NOTE, "%s: debug: not run", what);
		else if (run_cmd(cmds[i], NULL, env, what) != 0)
			fails++;
		free(what);
	}
	for (size_t i = 0; i < n; i++)
		free(env[i]);
	free(svcdir);
	free(proddir);
	return fails;
}

int
run_hooks(struct sslm_run *run)
{
	int fails = 0, f;

	for (size_t i = 0; i < run->n_events; i++) {
		if ((f = event_hooks(run, &run->events[i])) == 0)
			continue;
		fails += f;
		run->failures++;
	}
	if (fails > 0)
		sslm_log(SSLM_LOG_ERR, "%d deploy hook%s failed (the "
		    "certificates are in place)", fails, fails == 1 ? "" : "s");
	return fails;
}

int
sslm_last_run_write(const char *topdir, time_t t, bool success,
    int failures, const char *command)
{
	json_t	*o = json_object();
	char	*s, *path;
	int	 r;

	json_object_set_new(o, "time", json_integer(t));
	json_object_set_new(o, "success", json_boolean(success));
	json_object_set_new(o, "failures", json_integer(failures));
	json_object_set_new(o, "command", json_string(command != NULL ?
	    command : ""));
	s = json_dumps(o, JSON_PRESERVE_ORDER);
	json_decref(o);
	path = path_join(topdir, SSLM_LAST_RUN_FILE);
	if (s == NULL)
		r = SSLM_ERR_INTERNAL;
	else {
		char *line = xasprintf("%s\n", s);

		r = store_write_file(path, line, strlen(line), 0644);
		free(line);
	}
	if (r != 0)
		sslm_log(SSLM_LOG_WARN, "%s: cannot record the run: %s", path,
		    sslm_strerror(r));
	free(s);
	free(path);
	return r;
}

int
sslm_last_run_read(const char *topdir, struct sslm_last_run *out)
{
	json_t		*o, *v;
	json_error_t	 e;
	char		*path, *text = NULL;
	size_t		 len;
	int		 r;

	memset(out, 0, sizeof(*out));
	path = path_join(topdir, SSLM_LAST_RUN_FILE);
	r = read_file(path, 64 * 1024, &text, &len);
	free(path);
	if (r != 0)
		return r;
	o = json_loadb(text, len, 0, &e);
	free(text);
	if (o == NULL || !json_is_integer(json_object_get(o, "time")) ||
	    !json_is_boolean(json_object_get(o, "success"))) {
		json_decref(o);
		return SSLM_ERR_PARSE;
	}
	out->time = (time_t)json_integer_value(json_object_get(o, "time"));
	out->success = json_is_true(json_object_get(o, "success"));
	if (json_is_integer(v = json_object_get(o, "failures")))
		out->failures = (int)json_integer_value(v);
	out->command = xstrdup(json_is_string(v = json_object_get(o,
	    "command")) ? json_string_value(v) : "");
	json_decref(o);
	return 0;
}

void
sslm_run_late(struct sslm_run *run, struct strlist *late)
{
	struct svc_state	 st;
	time_t			 nb, na;
	double			 life, left;
	char			*l;

	for (size_t g = 0; g < run->n_groups; g++) {
		for (size_t k = 0; k < run->groups[g].n; k++) {
			const struct sslm_service_cfg *sc =
			    run->groups[g].svcs[k];

			svc_state_load(run, sc, &st);
			if (st.curr_cert == NULL) {
				svc_state_free(&st);
				continue;
			}
			nb = x509_asn1_time(X509_get0_notBefore(st.curr_cert));
			na = x509_asn1_time(X509_get0_notAfter(st.curr_cert));
			life = difftime(na, nb);
			left = difftime(na, run->now);
			/* A newer next is a renewal that succeeded. */
			if (life > 0 && left < life / 10 && (st.next_cert ==
			    NULL || x509_asn1_time(X509_get0_notAfter(
			    st.next_cert)) <= na)) {
				l = xasprintf("%s:%s: curr %s %.1f days%s "
				    "(lifetime %.0f days) and no renewed next",
				    sc->grp, sc->svc, left < 0 ? "expired" :
				    "expires in", (left < 0 ? -left : left) /
				    86400.0, left < 0 ? " ago" : "", life /
				    86400.0);
				strlist_add_nodup(late, l);
			}
			svc_state_free(&st);
		}
	}
}

int
sslm_notify(struct sslm_run *run, bool failed, const char *command,
    const struct strlist *late, const struct strlist *errors)
{
	struct buf	 b;
	char		*env[4];
	int		 r;

	if (run->cfg->notify_cmd.n == 0 || (!failed && late->n == 0))
		return 0;
	if (run->opts->debug) {
		sslm_log(SSLM_LOG_NOTE, "notify_cmd: debug: not run");
		return 0;
	}
	buf_init(&b, 1024 * 1024);
	(void)buf_printf(&b, "ssl-mgr on %s: %s\n", run->cfg->topdir, failed ?
	    "the run failed" : "certificates near their end");
	(void)buf_printf(&b, "command: %s\n", command != NULL ? command : "");
	if (failed)
		(void)buf_printf(&b, "failed: %d service task(s); see "
		    "%s/sslm\n", run->failures, run->cfg->logdir);
	for (size_t i = 0; errors != NULL && i < errors->n; i++)
		(void)buf_printf(&b, "error: %s\n", errors->v[i]);
	for (size_t i = 0; i < late->n; i++)
		(void)buf_printf(&b, "late: %s\n", late->v[i]);
	env[0] = xasprintf("SSLM_EVENT=notify");
	env[1] = xasprintf("SSLM_RESULT=%s", failed ? "failed" : "ok");
	env[2] = xasprintf("SSLM_TOPDIR=%s", run->cfg->topdir);
	env[3] = NULL;
	r = run_cmd(&run->cfg->notify_cmd, b.p != NULL ? b.p : "", env,
	    "notify_cmd") == 0 ? 0 : SSLM_ERR_EXEC;
	for (int i = 0; i < 3; i++)
		free(env[i]);
	buf_free(&b);
	return r;
}
