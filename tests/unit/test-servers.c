/*
 * test-servers.c - unit tests of the restarts (servers.c).
 *
 * Restart commands are small scripts in the test's temp dir, first in
 * PATH with a fake "ssh", and each appends "<name> <args>" to a record
 * file, so the tests assert exactly which commands ran, with which
 * arguments, in which order and how many times.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/types.h>
#include <sys/wait.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "log.h"
#include "servers.h"
#include "store.h"

struct fx {
	char			*dir;
	char			*bin;
	char			*rec;
	char			*dns_cmd;	/* a path with a space */
	char			*oldpath;
	struct sslm_config	 cfg;
	struct sslm_svc_dep	 deps[SSLM_SRV__MAX][3];
	struct servers_group	 grps[3];
	struct servers_changes	 ch;
};

static struct strlist	 logged;

static void
sink(void *ctx, enum sslm_level lvl, const char *msg)
{
	(void)ctx;
	(void)lvl;
	strlist_add(&logged, msg);
}

static bool
logged_has(const char *sub)
{
	size_t	 i;

	for (i = 0; i < logged.n; i++)
		if (strstr(logged.v[i], sub) != NULL)
			return true;
	return false;
}

static void
script(const char *path, const char *body)
{
	char	*text;

	text = xasprintf("#!/bin/sh\n%s", body);
	assert_int_equal(store_write_file(path, text, strlen(text), 0755), 0);
	free(text);
}

static void
bin_script(struct fx *f, const char *name, const char *body)
{
	char	*path = path_join(f->bin, name);

	script(path, body);
	free(path);
}

#define RECORD	"{ printf %s \"$(basename \"$0\")\"; for a; do printf ' %s' " \
		"\"$a\"; done; echo; } >> \"$SSLM_TEST_REC\"\n"

static int
setup(void **state)
{
	struct fx		*f = xcalloc(1, sizeof(*f));
	struct sslm_server_class *sc;
	char			 tmpl[] = "/tmp/sslm-srv-XXXXXX", *path;
	int			 k;

	if (mkdtemp(tmpl) == NULL)
		return -1;
	f->dir = xstrdup(tmpl);
	f->bin = path_join(f->dir, "bin");
	f->rec = path_join(f->dir, "rec");
	f->dns_cmd = path_join(f->dir, "dir with space/dns-resign");
	bin_script(f, "ssh", "echo \"ssh $*\" >> \"$SSLM_TEST_REC\"\n"
	    "for a; do case $a in down) echo \"ssh: connect to host down "
	    "port 22: Connection refused\" >&2; exit 255;; esac; done\n");
	bin_script(f, "r-smtp", RECORD);
	bin_script(f, "r-imap", RECORD);
	bin_script(f, "r-web", RECORD);
	bin_script(f, "r-other", RECORD);
	bin_script(f, "r-fail", RECORD "echo 'reload: permission denied'\n"
	    "exit 1\n");
	script(f->dns_cmd, RECORD);
	f->oldpath = xstrdup(getenv("PATH"));
	path = xasprintf("%s:%s", f->bin, f->oldpath);
	setenv("PATH", path, 1);
	setenv("SSLM_TEST_REC", f->rec, 1);
	free(path);
	sc = f->cfg.servers;
	strlist_add(&sc[SSLM_SRV_SMTP].restart_cmd, "r-smtp reload");
	strlist_add(&sc[SSLM_SRV_IMAP].restart_cmd, "r-imap reload");
	strlist_add(&sc[SSLM_SRV_WEB].restart_cmd, "r-web reload");
	strlist_add(&sc[SSLM_SRV_OTHER].restart_cmd, "r-other");
	strlist_add(&sc[SSLM_SRV_DNS].restart_cmd, f->dns_cmd);
	for (k = 0; k < SSLM_SRV__MAX; k++)
		f->cfg.servers[k].svc_depends = f->deps[k];
	f->grps[0].grp = "example.com";
	f->grps[1].grp = "example.net";
	f->grps[2].grp = "example.org";
	f->ch.groups = f->grps;
	f->ch.n = 3;
	strlist_clear(&logged);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx		*f = *state;
	struct sslm_server_class *sc;
	char			*argv[] = { "rm", "-rf", f->dir, NULL };
	pid_t			 pid;
	size_t			 i;
	int			 k, st;

	if ((pid = fork()) == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	setenv("PATH", f->oldpath, 1);
	for (k = 0; k < SSLM_SRV__MAX; k++) {
		sc = &f->cfg.servers[k];
		strlist_clear(&sc->servers);
		strlist_clear(&sc->restart_cmd);
		strlist_clear(&sc->depends);
		for (i = 0; i < 3; i++)
			strlist_clear(&f->deps[k][i].services);
	}
	for (i = 0; i < 3; i++)
		strlist_clear(&f->grps[i].svcs);
	strlist_clear(&f->cfg.ssh_opts);
	strlist_clear(&logged);
	free(f->dir);
	free(f->bin);
	free(f->rec);
	free(f->dns_cmd);
	free(f->oldpath);
	free(f);
	return 0;
}

/* Adds svc_depends pair [dom, [svc]] to class k. */
static void
pair(struct fx *f, int k, const char *dom, const char *svc)
{
	struct sslm_server_class *sc = &f->cfg.servers[k];
	struct sslm_svc_dep	*d = &f->deps[k][sc->n_svc_depends++];

	d->domain = (char *)dom;
	strlist_add(&d->services, svc);
}

static void
depends(struct fx *f, int k, const char *tag)
{
	strlist_add(&f->cfg.servers[k].depends, tag);
}

/* Runs the restarts and returns the records, one per command run. */
static int
run(struct fx *f, bool force, bool debug, struct strlist *rec)
{
	char	*s = NULL, *line, *save = NULL;
	int	 r;

	unlink(f->rec);
	r = servers_restart(&f->cfg, &f->ch, force, debug);
	if (read_file(f->rec, 1 << 20, &s, NULL) == 0)
		for (line = strtok_r(s, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			strlist_add(rec, line);
	free(s);
	return r;
}

static void
assert_records(const struct strlist *rec, const char *const want[],
    size_t n)
{
	size_t	 i;

	for (i = 0; i < rec->n && rec->n != n; i++)
		print_message("ran: %s\n", rec->v[i]);
	assert_int_equal(rec->n, n);
	for (i = 0; i < n; i++)
		assert_string_equal(rec->v[i], want[i]);
}

static void
all_depend_on_everything(struct fx *f)
{
	int	 k;

	for (k = 0; k < SSLM_SRV__MAX; k++) {
		depends(f, k, "cert");
		depends(f, k, "dns");
	}
}

static void
test_nothing_changed(void **state)
{
	struct fx	*f = *state;
	struct strlist	 rec = { 0 };

	all_depend_on_everything(f);
	pair(f, SSLM_SRV_SMTP, "any", "mail");
	assert_int_equal(run(f, false, false, &rec), 0);
	assert_int_equal(rec.n, 0);
}

static void
test_depends_cert(void **state)
{
	struct fx		*f = *state;
	struct strlist		 rec = { 0 };
	static const char *const want[] = { "r-smtp reload" };

	depends(f, SSLM_SRV_SMTP, "cert");
	depends(f, SSLM_SRV_IMAP, "tlsa");
	depends(f, SSLM_SRV_WEB, "dns");
	depends(f, SSLM_SRV_DNS, "dns");
	strlist_add(&f->grps[0].svcs, "web");
	assert_int_equal(run(f, false, false, &rec), 0);
	assert_records(&rec, want, 1);
	assert_true(logged_has("   depends triggered {cert}"));
	strlist_clear(&rec);
	/* The global flag alone is a cert change too. */
	strlist_clear(&f->grps[0].svcs);
	f->ch.cert_changed = true;
	assert_int_equal(run(f, false, false, &rec), 0);
	assert_records(&rec, want, 1);
	strlist_clear(&rec);
}

/* TLSA changes: tlsa/dns tags, DNS last with exactly those groups. */
static void
test_depends_tlsa_dns_last(void **state)
{
	struct fx		*f = *state;
	struct strlist		 rec = { 0 };
	static const char *const want[] = {
		"r-smtp reload", "r-imap reload", "r-web reload",
		"dns-resign --serial_bump example.com example.org",
	};

	depends(f, SSLM_SRV_SMTP, "cert");
	depends(f, SSLM_SRV_IMAP, "tlsa");
	depends(f, SSLM_SRV_WEB, "dns");
	depends(f, SSLM_SRV_OTHER, "nothing-known");
	depends(f, SSLM_SRV_DNS, "dns");
	strlist_add(&f->grps[0].svcs, "mail");
	f->grps[0].tlsa_changed = true;
	f->grps[2].tlsa_changed = true;
	assert_int_equal(run(f, false, false, &rec), 0);
	assert_records(&rec, want, 4);
	strlist_clear(&rec);
}

/* Every svc_depends pair counts, not only the last one. */
static void
test_svc_depends_every_pair(void **state)
{
	struct fx		*f = *state;
	struct strlist		 rec = { 0 };
	static const char *const want[] = { "r-smtp reload" };

	pair(f, SSLM_SRV_SMTP, "example.com", "mail");
	pair(f, SSLM_SRV_SMTP, "example.net", "web");
	pair(f, SSLM_SRV_IMAP, "example.com", "web");
	pair(f, SSLM_SRV_WEB, "example.net", "mail");
	strlist_add(&f->grps[0].svcs, "mail");
	assert_int_equal(run(f, false, false, &rec), 0);
	assert_records(&rec, want, 1);
	assert_true(logged_has("   Changed svc_dep: example.com:mail"));
	strlist_clear(&rec);
}

static void
test_svc_depends_any(void **state)
{
	struct fx		*f = *state;
	struct strlist		 rec = { 0 };
	static const char *const want[] = {
		"r-imap reload", "r-web reload", "r-other",
	};

	pair(f, SSLM_SRV_SMTP, "example.org", "web");
	pair(f, SSLM_SRV_IMAP, "ALL", "web");
	pair(f, SSLM_SRV_WEB, "any", "web");
	pair(f, SSLM_SRV_OTHER, "*", "web");
	pair(f, SSLM_SRV_DNS, "any", "mail");
	strlist_add(&f->grps[1].svcs, "web");
	assert_int_equal(run(f, false, false, &rec), 0);
	assert_records(&rec, want, 3);
	strlist_clear(&rec);
}

/* Forced: every class with a command, DNS without domains. */
static void
test_force(void **state)
{
	struct fx		*f = *state;
	struct strlist		 rec = { 0 };
	static const char *const want[] = {
		"r-smtp reload", "r-imap reload", "r-other",
		"dns-resign --serial_bump",
	};

	strlist_clear(&f->cfg.servers[SSLM_SRV_WEB].restart_cmd);
	strlist_add(&f->cfg.servers[SSLM_SRV_WEB].restart_cmd, " ");
	f->grps[0].tlsa_changed = true;
	assert_int_equal(run(f, true, false, &rec), 0);
	assert_records(&rec, want, 4);
	assert_false(logged_has("  web: "));
	strlist_clear(&rec);
}

static void
test_debug(void **state)
{
	struct fx	*f = *state;
	struct strlist	 rec = { 0 };

	strlist_add(&f->cfg.ssh_opts, "-p");
	strlist_add(&f->cfg.ssh_opts, "2222");
	strlist_add(&f->cfg.servers[SSLM_SRV_SMTP].servers, "mx1");
	f->grps[0].tlsa_changed = true;
	assert_int_equal(run(f, true, true, &rec), 0);
	assert_int_equal(rec.n, 0);
	assert_true(logged_has("smtp: mx1: restart (debug, not run): "
	    "ssh -p 2222 mx1 r-smtp reload"));
	assert_true(logged_has("imap: local: restart (debug, not run): "
	    "r-imap reload"));
	assert_true(logged_has("dns: restart (debug, not run): '"));
}

/*
 * Remote hosts through ssh with ssh_opts, the local host run here, a
 * host that fails reported while the others still run, and DNS then
 * left alone.
 */
static void
test_hosts_and_failure(void **state)
{
	struct fx		*f = *state;
	struct sslm_server_class *sc = &f->cfg.servers[SSLM_SRV_SMTP];
	struct strlist		 rec = { 0 };
	char			 host[256];
	static const char *const want[] = {
		"ssh -p 2222 down r-smtp reload -v",
		"ssh -p 2222 down r-smtp second",
		"ssh -p 2222 mx1 r-smtp reload -v",
		"ssh -p 2222 mx1 r-smtp second",
		"r-smtp reload -v",
		"r-smtp second",
		"r-imap reload",
		"r-web reload",
		"r-other",
	};

	assert_int_equal(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = '\0';
	strlist_add(&f->cfg.ssh_opts, "-p");
	strlist_add(&f->cfg.ssh_opts, "2222");
	strlist_clear(&sc->restart_cmd);
	strlist_add(&sc->restart_cmd, "  r-smtp  reload\t-v ");
	strlist_add(&sc->restart_cmd, "");
	strlist_add(&sc->restart_cmd, "r-smtp second");
	strlist_add(&sc->servers, "down");
	strlist_add(&sc->servers, "mx1");
	strlist_add(&sc->servers, host);
	all_depend_on_everything(f);
	f->ch.cert_changed = true;
	assert_int_equal(run(f, false, false, &rec), SSLM_ERR_EXEC);
	assert_records(&rec, want, 9);
	assert_true(logged_has("smtp: down: restart failed (exit 255): ssh: "
	    "connect to host down port 22: Connection refused"));
	assert_true(logged_has("dns: not restarted"));
	strlist_clear(&rec);
}

/* A local failure fails the phase; other classes still run, DNS not. */
static void
test_local_failure(void **state)
{
	struct fx		*f = *state;
	struct strlist		 rec = { 0 };
	static const char *const want[] = {
		"r-fail now", "r-imap reload", "r-web reload", "r-other",
	};

	strlist_clear(&f->cfg.servers[SSLM_SRV_SMTP].restart_cmd);
	strlist_add(&f->cfg.servers[SSLM_SRV_SMTP].restart_cmd, "r-fail now");
	assert_int_equal(run(f, true, false, &rec), SSLM_ERR_EXEC);
	assert_records(&rec, want, 4);
	assert_true(logged_has("smtp: local: restart failed (exit 1): "
	    "reload: permission denied"));
	strlist_clear(&rec);
}

/* An empty servers list restarts here, once (upstream: never). */
static void
test_empty_servers_local(void **state)
{
	struct fx		*f = *state;
	struct strlist		 rec = { 0 };
	static const char *const want[] = { "r-imap reload" };

	depends(f, SSLM_SRV_IMAP, "cert");
	f->ch.cert_changed = true;
	assert_int_equal(run(f, false, false, &rec), 0);
	assert_records(&rec, want, 1);
	strlist_clear(&rec);
}

/* The DNS command is one path, not split; a change elsewhere is not
 * one here. */
static void
test_dns_unsplit_and_scope(void **state)
{
	struct fx		*f = *state;
	struct strlist		 rec = { 0 };
	static const char *const want[] = {
		"dns-resign --serial_bump example.net",
	};

	depends(f, SSLM_SRV_DNS, "tlsa");
	pair(f, SSLM_SRV_SMTP, "example.com", "web");
	strlist_add(&f->grps[1].svcs, "web");
	f->grps[1].tlsa_changed = true;
	assert_int_equal(run(f, false, false, &rec), 0);
	assert_records(&rec, want, 1);
	strlist_clear(&rec);
}

static void
test_wanted(void **state)
{
	struct fx	*f = *state;

	depends(f, SSLM_SRV_WEB, "cert");
	f->ch.cert_changed = true;
	assert_true(servers_wanted(&f->cfg, SSLM_SRV_WEB, &f->ch, false));
	assert_false(servers_wanted(&f->cfg, SSLM_SRV_IMAP, &f->ch, false));
	assert_true(servers_wanted(&f->cfg, SSLM_SRV_IMAP, &f->ch, true));
	strlist_clear(&f->cfg.servers[SSLM_SRV_WEB].restart_cmd);
	assert_false(servers_wanted(&f->cfg, SSLM_SRV_WEB, &f->ch, true));
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_nothing_changed),
		T(test_depends_cert),
		T(test_depends_tlsa_dns_last),
		T(test_svc_depends_every_pair),
		T(test_svc_depends_any),
		T(test_force),
		T(test_debug),
		T(test_hosts_and_failure),
		T(test_local_failure),
		T(test_empty_servers_local),
		T(test_dns_unsplit_and_scope),
		T(test_wanted),
	};
	int	 r;

	sslm_log_set_sink(sink, NULL);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	strlist_clear(&logged);
	return r;
}
