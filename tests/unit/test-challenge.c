/*
 * test-challenge.c - unit tests of the challenges (challenge.c,
 * challenge-http.c): the exact acme-challenge include file text, the
 * wait's decision on canned per-server answers, the back-off schedule,
 * http-01 token paths, local writes and their modes, the ssh argv of
 * remote ones (and a fake ssh first in PATH that records what it was
 * asked and what it read), the DNS restart run once per batch.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "challenge.h"
#include "config.h"
#include "dns.h"
#include "err.h"
#include "log.h"
#include "store.h"

#define V1	"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"
#define V2	"gfj9Xq-Rg0zHl4Kx2vJ7cM1nB6sP_aE3dW5tY8uI0oQ"
#define V3	"Zm9vYmFyYmF6cXV4LXF1dXhfY29yZ2VncmF1bHRnYXJw"
#define HDR(a)	";; acme-challenge for : " a "\n;; acme-challenge : " a "\n"

struct fx {
	char			*dir;
	char			*bin;
	char			*rec;
	char			*oldpath;
	struct sslm_config	 cfg;
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
script(struct fx *f, const char *name, const char *body)
{
	char	*path, *text;

	path = path_join(f->bin, name);
	text = xasprintf("#!/bin/sh\n%s", body);
	assert_int_equal(store_write_file(path, text, strlen(text), 0755), 0);
	free(text);
	free(path);
}

static int
setup(void **state)
{
	struct fx	*f = xcalloc(1, sizeof(*f));
	char		 tmpl[] = "/tmp/sslm-chal-XXXXXX", *path;

	if (mkdtemp(tmpl) == NULL)
		return -1;
	f->dir = xstrdup(tmpl);
	f->bin = path_join(f->dir, "bin");
	f->rec = path_join(f->dir, "rec");
	/* Records "<prog> <args>" and, for tee, what it read. */
	script(f, "ssh", "echo \"ssh $*\" >> \"$CHAL_TEST_REC\"\n"
	    "for a; do case $a in tee) cat > \"$CHAL_TEST_REC.stdin\";; "
	    "down) echo 'ssh: connect to host down port 22: refused' >&2; "
	    "exit 255;; esac; done\nexit 0\n");
	script(f, "dns-restart", "echo \"restart $*\" >> \"$CHAL_TEST_REC\"\n");
	f->oldpath = xstrdup(getenv("PATH"));
	path = xasprintf("%s:%s", f->bin, f->oldpath);
	setenv("PATH", path, 1);
	setenv("CHAL_TEST_REC", f->rec, 1);
	free(path);
	strlist_clear(&logged);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;
	char		*argv[] = { "rm", "-rf", f->dir, NULL };
	pid_t		 pid;
	int		 st, k;

	if ((pid = fork()) == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	setenv("PATH", f->oldpath, 1);
	for (k = 0; k < SSLM_SRV__MAX; k++) {
		strlist_clear(&f->cfg.servers[k].servers);
		strlist_clear(&f->cfg.servers[k].restart_cmd);
		strlist_clear(&f->cfg.servers[k].acme_dir);
		free(f->cfg.servers[k].server_dir);
	}
	strlist_clear(&f->cfg.ssh_opts);
	strlist_clear(&logged);
	free(f->dir);
	free(f->bin);
	free(f->rec);
	free(f->oldpath);
	free(f);
	return 0;
}

static char *
slurp(const char *path)
{
	char	*s = NULL;

	if (read_file(path, 1 << 20, &s, NULL) != 0)
		return NULL;
	return s;
}

static void
text_is(const char *apex, const struct chal_dns *b, size_t n,
    const char *want)
{
	char	*got = NULL;

	assert_int_equal(challenge_dns_text(apex, b, n, &got), 0);
	assert_string_equal(got, want);
	free(got);
}

static void
test_text_one_name(void **state)
{
	struct chal_dns	 b[] = { { "example.com", "example.com", V1 } };

	(void)state;
	text_is("example.com", b, 1, HDR("example.com")
	    "_acme-challenge.example.com. 60 IN TXT \"" V1 "\"\n");
}

/* Other apexes are skipped; names keep batch order; case folds. */
static void
test_text_several_names(void **state)
{
	struct chal_dns	 b[] = {
		{ "example.com", "www.example.com", V1 },
		{ "example.net", "example.net", V3 },
		{ "Example.COM.", "Mail.Example.com.", V2 },
	};

	(void)state;
	text_is("example.com", b, 3, HDR("example.com")
	    "_acme-challenge.www.example.com. 60 IN TXT \"" V1 "\"\n"
	    "_acme-challenge.mail.example.com. 60 IN TXT \"" V2 "\"\n");
	text_is("EXAMPLE.net", b, 3, HDR("example.net")
	    "_acme-challenge.example.net. 60 IN TXT \"" V3 "\"\n");
}

/* A wildcard and its base: two records at the same owner. */
static void
test_text_wildcard_and_base(void **state)
{
	struct chal_dns	 b[] = {
		{ "example.com", "example.com", V1 },
		{ "example.com", "*.example.com", V2 },
	};

	(void)state;
	text_is("example.com", b, 2, HDR("example.com")
	    "_acme-challenge.example.com. 60 IN TXT \"" V1 "\"\n"
	    "_acme-challenge.example.com. 60 IN TXT \"" V2 "\"\n");
}

/* Several values of one name all present, an exact repeat once. */
static void
test_text_several_values(void **state)
{
	struct chal_dns	 b[] = {
		{ "example.com", "www.example.com", V1 },
		{ "example.com", "www.example.com", V2 },
		{ "example.com", "www.example.com", V1 },
		{ "example.com", "www.example.com", V3 },
	};

	(void)state;
	text_is("example.com", b, 4, HDR("example.com")
	    "_acme-challenge.www.example.com. 60 IN TXT \"" V1 "\"\n"
	    "_acme-challenge.www.example.com. 60 IN TXT \"" V2 "\"\n"
	    "_acme-challenge.www.example.com. 60 IN TXT \"" V3 "\"\n");
}

static void
test_text_header_only(void **state)
{
	struct chal_dns	 b[] = { { "example.net", "example.net", V1 } };

	(void)state;
	text_is("example.com", NULL, 0, HDR("example.com"));
	/* Entries of other apexes only: header-only as well. */
	text_is("example.com", b, 1, HDR("example.com"));
}

static void
test_text_rejects(void **state)
{
	struct chal_dns	 out[] = { { "example.com", "badexample.com", V1 } };
	struct chal_dns	 other[] = { { "example.com", "example.org", V1 } };
	struct chal_dns	 quote[] = { { "example.com", "example.com",
	    "ab\"; evil" } };
	struct chal_dns	 empty[] = { { "example.com", "example.com", "" } };
	struct chal_dns	 label[] = { { "example.com", "a..example.com", V1 } };
	char		*got = NULL;

	(void)state;
	sslm_log_set_sink(sink, NULL);
	assert_int_equal(challenge_dns_text("example.com", out, 1, &got),
	    SSLM_ERR_USAGE);
	assert_null(got);
	assert_int_equal(challenge_dns_text("example.com", other, 1, &got),
	    SSLM_ERR_USAGE);
	assert_int_equal(challenge_dns_text("example.com", quote, 1, &got),
	    SSLM_ERR_USAGE);
	assert_int_equal(challenge_dns_text("example.com", empty, 1, &got),
	    SSLM_ERR_USAGE);
	assert_int_equal(challenge_dns_text("example.com", label, 1, &got),
	    SSLM_ERR_USAGE);
	assert_int_equal(challenge_dns_text("exa mple.com", NULL, 0, &got),
	    SSLM_ERR_USAGE);
	assert_true(logged_has("not a name in the zone"));
	sslm_log_set_sink(NULL, NULL);
}

static void
test_apexes_names(void **state)
{
	struct chal_dns	 b[] = {
		{ "example.net", "www.example.net", V1 },
		{ "Example.com", "*.example.com", V1 },
		{ "example.net.", "WWW.example.net", V2 },
		{ "example.com", "example.com", V2 },
	};
	struct strlist	 l = { 0 };

	(void)state;
	challenge_dns_apexes(b, 4, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "example.net");
	assert_string_equal(l.v[1], "example.com");
	strlist_clear(&l);
	challenge_dns_names(b, 4, "example.com", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "example.com");
	strlist_clear(&l);
	challenge_dns_names(b, 4, "example.net", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "www.example.net");
	strlist_clear(&l);
}

/* A canned answer: status and TXT strings. */
static void
answer(struct dns_result *r, enum dns_status st, const char *a,
    const char *b)
{
	memset(r, 0, sizeof(*r));
	r->status = st;
	if (a != NULL)
		strlist_add(&r->rdata, a);
	if (b != NULL)
		strlist_add(&r->rdata, b);
}

static void
test_judge(void **state)
{
	struct chal_dns		 b[] = {
		{ "example.com", "example.com", V1 },
		{ "example.com", "*.example.com", V2 },
		{ "example.com", "www.example.com", V3 },
	};
	struct dns_server	 ns2 = { "ns2.example.com", "127.0.0.2", 53,
	    DNS_ROLE_NS };
	struct dns_server	 xtra = { "192.0.2.7", "192.0.2.7", 53,
	    DNS_ROLE_XTRA };
	struct dns_result	 apex, www, soa;
	const struct dns_result	*txt[2] = { &apex, &www };
	struct strlist		 names = { 0 }, lines = { 0 };

	(void)state;
	challenge_dns_names(b, 3, "example.com", &names);
	assert_int_equal(names.n, 2);
	memset(&soa, 0, sizeof(soa));
	soa.status = DNS_ANSWER;
	soa.serial = 1795362267;

	/* Everything served (extra, older records do not matter). */
	answer(&apex, DNS_ANSWER, V2, V1);
	answer(&www, DNS_ANSWER, V3, "old");
	assert_int_equal(challenge_dns_judge("example.com", b, 3, &names, txt,
	    &soa, 1795362268, &ns2, &lines), 0);
	assert_int_equal(lines.n, 0);
	dns_results_free(NULL, 0);
	strlist_clear(&apex.rdata);
	strlist_clear(&www.rdata);

	/* The wildcard's value missing, www not there at all (NODATA). */
	answer(&apex, DNS_ANSWER, V1, NULL);
	answer(&www, DNS_NODATA, NULL, NULL);
	assert_int_equal(challenge_dns_judge("example.com", b, 3, &names, txt,
	    &soa, 1795362268, &ns2, &lines), 2);
	assert_int_equal(lines.n, 2);
	assert_string_equal(lines.v[0], "ns2.example.com [127.0.0.2]: "
	    "_acme-challenge.example.com TXT \"" V2 "\" missing "
	    "(serial 1795362267, primary 1795362268)");
	assert_string_equal(lines.v[1], "ns2.example.com [127.0.0.2]: "
	    "_acme-challenge.www.example.com TXT \"" V3 "\" missing "
	    "(serial 1795362267, primary 1795362268)");
	strlist_clear(&lines);
	strlist_clear(&apex.rdata);

	/* A timeout counts every value of the name; no SOA, no primary. */
	answer(&apex, DNS_TIMEOUT, NULL, NULL);
	answer(&www, DNS_ANSWER, V3, NULL);
	assert_int_equal(challenge_dns_judge("example.com", b, 3, &names, txt,
	    NULL, 0, &xtra, &lines), 2);
	assert_int_equal(lines.n, 1);
	assert_string_equal(lines.v[0], "192.0.2.7: _acme-challenge."
	    "example.com TXT TIMEOUT (serial none, primary unknown)");
	strlist_clear(&lines);
	strlist_clear(&www.rdata);

	/* No answer at all (the query could not be sent). */
	txt[0] = NULL;
	answer(&www, DNS_ANSWER, V3, NULL);
	assert_int_equal(challenge_dns_judge("example.com", b, 3, &names, txt,
	    &soa, 0, &ns2, NULL), 2);
	strlist_clear(&www.rdata);
	strlist_clear(&names);
}

static void
test_backoff(void **state)
{
	static const long want[] = { 250, 500, 1000, 2000, 4000, 8000, 15000,
	    30000, 60000, 60000 };
	long	 el, s, last = -1;
	int	 step, passes;
	bool	 bo;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(challenge_backoff_ms((int)i), want[i]);
	/* Pre-wait: poll period, the last one clipped at its end. */
	assert_int_equal(challenge_next_sleep_ms(0, 60000, 900000, 500, 0,
	    &bo), 500);
	assert_false(bo);
	assert_int_equal(challenge_next_sleep_ms(59800, 60000, 900000, 500,
	    0, &bo), 200);
	assert_false(bo);
	/* Then the back-off, clipped at the limit, then give up. */
	assert_int_equal(challenge_next_sleep_ms(60000, 60000, 900000, 500,
	    3, &bo), 2000);
	assert_true(bo);
	assert_int_equal(challenge_next_sleep_ms(899000, 60000, 900000, 500,
	    9, &bo), 1000);
	assert_int_equal(challenge_next_sleep_ms(900000, 60000, 900000, 500,
	    9, &bo), -1);
	/* A pre-wait longer than the limit ends at the limit. */
	assert_int_equal(challenge_next_sleep_ms(2900, 60000, 3000, 500, 0,
	    &bo), 100);
	/* Simulated: passes end exactly at the limit, never after. */
	for (el = 0, step = 0, passes = 1;; passes++) {
		if ((s = challenge_next_sleep_ms(el, 2000, 60000, 500, step,
		    &bo)) < 0)
			break;
		if (bo)
			step++;
		el += s;
		last = el;
		assert_true(el <= 60000);
	}
	assert_int_equal(last, 60000);
	/* 0, 0.5, 1, 1.5, 2 s, then 0.25 .. 15 s steps, the last clipped. */
	assert_int_equal(passes, 13);
}

static void
test_http_path(void **state)
{
	struct fx	*f = *state;
	char		*p;

	sslm_log_set_sink(sink, NULL);
	assert_null(challenge_http_path(&f->cfg, "example.com", "tok"));
	assert_true(logged_has("server_dir is not set"));
	f->cfg.servers[SSLM_SRV_WEB].server_dir = xstrdup("/srv/http//");
	p = challenge_http_path(&f->cfg, "Example.COM.", "a-B_9");
	assert_string_equal(p, "/srv/http/example.com/.well-known/"
	    "acme-challenge/a-B_9");
	free(p);
	assert_null(challenge_http_path(&f->cfg, "example.com", "../x"));
	assert_null(challenge_http_path(&f->cfg, "example.com", "a/b"));
	assert_null(challenge_http_path(&f->cfg, "example.com", ""));
	assert_null(challenge_http_path(&f->cfg, "../etc", "tok"));
	assert_null(challenge_http_path(&f->cfg, "a/b.com", "tok"));
	sslm_log_set_sink(NULL, NULL);
}

static void
mode_is(const char *path, mode_t want)
{
	struct stat	 st;

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, want);
}

/* Local put: exact content, 0644, new dirs 0755 under a 077 umask. */
static void
test_http_local(void **state)
{
	struct fx		*f = *state;
	struct chal_http	 h, h2;
	char			*root, *cb, *tok, *tok2, *s;
	mode_t			 old;

	root = path_join(f->dir, "www");
	cb = path_join(f->dir, "cb");
	f->cfg.servers[SSLM_SRV_WEB].server_dir = xstrdup(root);
	tok = xasprintf("%s/example.com/.well-known/acme-challenge/tok1",
	    root);
	tok2 = xasprintf("%s/example.com/.well-known/acme-challenge/tok2",
	    root);
	old = umask(077);
	challenge_http_init(&h, cb);
	assert_int_equal(challenge_http_put(&f->cfg, &h, "example.com",
	    "tok1", "tok1.thumb"), 0);
	umask(old);
	s = slurp(tok);
	assert_non_null(s);
	assert_string_equal(s, "tok1.thumb");
	free(s);
	mode_is(tok, 0644);
	s = xasprintf("%s/example.com/.well-known/acme-challenge", root);
	mode_is(s, 0755);
	free(s);
	s = xasprintf("%s/example.com", root);
	mode_is(s, 0755);
	free(s);
	/* The record: memory and the state file. */
	assert_int_equal(h.written.n, 1);
	s = slurp(h.state_path);
	assert_non_null(s);
	assert_true(strncmp(s, "localhost /", 11) == 0);
	free(s);
	/* A bad key authorization is refused before anything is written. */
	assert_int_equal(challenge_http_put(&f->cfg, &h, "example.com",
	    "tok2", "a b"), SSLM_ERR_USAGE);
	assert_int_not_equal(access(tok2, F_OK), 0);
	assert_int_equal(challenge_http_put(&f->cfg, &h, "example.com",
	    "tok2", "tok2.thumb"), 0);
	challenge_http_free(&h);

	/* A new run (after a crash) removes them from the state file. */
	challenge_http_init(&h2, cb);
	assert_int_equal(challenge_http_cleanup(&f->cfg, &h2), 0);
	assert_int_not_equal(access(tok, F_OK), 0);
	assert_int_not_equal(access(tok2, F_OK), 0);
	assert_int_equal(h2.written.n, 0);
	s = slurp(h2.state_path);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	/* Again: nothing to do, no error. */
	assert_int_equal(challenge_http_cleanup(&f->cfg, &h2), 0);
	challenge_http_free(&h2);
	free(root);
	free(cb);
	free(tok);
	free(tok2);
}

/* The record is only ever used on token files. */
static void
test_http_cleanup_refuses(void **state)
{
	struct fx		*f = *state;
	struct chal_http	 h;
	char			*cb, *victim, *line;

	cb = path_join(f->dir, "cb");
	victim = path_join(f->dir, "precious");
	assert_int_equal(store_write_file(victim, "x", 1, 0644), 0);
	challenge_http_init(&h, cb);
	line = xasprintf("localhost %s\n", victim);
	assert_int_equal(store_write_file(h.state_path, line, strlen(line),
	    0600), 0);
	sslm_log_set_sink(sink, NULL);
	assert_int_equal(challenge_http_cleanup(&f->cfg, &h), 0);
	sslm_log_set_sink(NULL, NULL);
	assert_int_equal(access(victim, F_OK), 0);
	assert_true(logged_has("ignoring"));
	challenge_http_free(&h);
	free(line);
	free(cb);
	free(victim);
}

static void
argv_is(struct strlist *l, const char *want)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b, 4096);
	for (i = 0; i < l->n; i++)
		assert_int_equal(buf_printf(&b, "%s%s", i ? " " : "",
		    l->v[i]), 0);
	assert_string_equal(b.p, want);
	buf_free(&b);
	strlist_clear(l);
}

static void
test_http_argv(void **state)
{
	struct fx	*f = *state;
	struct strlist	 l = { 0 };
	const char	*p =
	    "/srv/www/example.com/.well-known/acme-challenge/t";

	strlist_add(&f->cfg.ssh_opts, "-p");
	strlist_add(&f->cfg.ssh_opts, "2222");
	assert_int_equal(challenge_http_argv(&f->cfg, "web1", CHAL_HTTP_MKDIR,
	    p, &l), 0);
	argv_is(&l, "ssh -p 2222 web1 mkdir -p -- "
	    "/srv/www/example.com/.well-known/acme-challenge");
	assert_int_equal(challenge_http_argv(&f->cfg, "web1", CHAL_HTTP_WRITE,
	    p, &l), 0);
	argv_is(&l, "ssh -p 2222 web1 tee -- /srv/www/example.com/"
	    ".well-known/acme-challenge/t");
	assert_int_equal(challenge_http_argv(&f->cfg, "web1", CHAL_HTTP_CHMOD,
	    p, &l), 0);
	argv_is(&l, "ssh -p 2222 web1 chmod 0644 -- /srv/www/example.com/"
	    ".well-known/acme-challenge/t");
	assert_int_equal(challenge_http_argv(&f->cfg, "web1",
	    CHAL_HTTP_REMOVE, p, &l), 0);
	argv_is(&l, "ssh -p 2222 web1 rm -f -- /srv/www/example.com/"
	    ".well-known/acme-challenge/t");
	/* Words the remote shell would read differently, bad hosts. */
	sslm_log_set_sink(sink, NULL);
	assert_int_equal(challenge_http_argv(&f->cfg, "web1", CHAL_HTTP_MKDIR,
	    "/srv/my www/x", &l), SSLM_ERR_CONFIG);
	assert_int_equal(challenge_http_argv(&f->cfg, "web1", CHAL_HTTP_MKDIR,
	    "/srv/$(reboot)/x", &l), SSLM_ERR_CONFIG);
	assert_int_equal(challenge_http_argv(&f->cfg, "web1", CHAL_HTTP_MKDIR,
	    "srv/x", &l), SSLM_ERR_CONFIG);
	assert_int_equal(challenge_http_argv(&f->cfg, "-oProxyCommand=x",
	    CHAL_HTTP_MKDIR, p, &l), SSLM_ERR_CONFIG);
	assert_int_equal(l.n, 0);
	sslm_log_set_sink(NULL, NULL);
}

/* Remote put and cleanup through the fake ssh; a local host is local. */
static void
test_http_remote(void **state)
{
	struct fx		*f = *state;
	struct chal_http	 h;
	char			*root, *cb, *s, *want, *in;

	root = path_join(f->dir, "www");
	cb = path_join(f->dir, "cb");
	f->cfg.servers[SSLM_SRV_WEB].server_dir = xstrdup(root);
	strlist_add(&f->cfg.servers[SSLM_SRV_WEB].servers, "web1");
	strlist_add(&f->cfg.servers[SSLM_SRV_WEB].servers, "localhost");
	strlist_add(&f->cfg.servers[SSLM_SRV_WEB].servers, "web1");
	strlist_add(&f->cfg.ssh_opts, "-i");
	strlist_add(&f->cfg.ssh_opts, "key");
	challenge_http_init(&h, cb);
	assert_int_equal(challenge_http_put(&f->cfg, &h, "example.com",
	    "tokR", "tokR.thumb"), 0);
	s = slurp(f->rec);
	want = xasprintf(
	    "ssh -i key web1 mkdir -p -- %s/example.com/.well-known/"
	    "acme-challenge\n"
	    "ssh -i key web1 tee -- %s/example.com/.well-known/"
	    "acme-challenge/tokR\n"
	    "ssh -i key web1 chmod 0644 -- %s/example.com/.well-known/"
	    "acme-challenge/tokR\n", root, root, root);
	assert_string_equal(s, want);
	free(s);
	free(want);
	in = xasprintf("%s.stdin", f->rec);
	s = slurp(in);
	assert_string_equal(s, "tokR.thumb");
	free(s);
	/* The local copy too, once. */
	s = xasprintf("%s/example.com/.well-known/acme-challenge/tokR", root);
	assert_int_equal(access(s, F_OK), 0);
	assert_int_equal(h.written.n, 2);
	unlink(f->rec);
	assert_int_equal(challenge_http_cleanup(&f->cfg, &h), 0);
	assert_int_not_equal(access(s, F_OK), 0);
	free(s);
	s = slurp(f->rec);
	want = xasprintf("ssh -i key web1 rm -f -- %s/example.com/"
	    ".well-known/acme-challenge/tokR\n", root);
	assert_string_equal(s, want);
	free(s);
	free(want);
	/* An unreachable host: an error, and the entry stays recorded. */
	strlist_clear(&f->cfg.servers[SSLM_SRV_WEB].servers);
	strlist_add(&f->cfg.servers[SSLM_SRV_WEB].servers, "down");
	sslm_log_set_sink(sink, NULL);
	assert_int_equal(challenge_http_put(&f->cfg, &h, "example.com",
	    "tokD", "tokD.thumb"), SSLM_ERR_EXEC);
	assert_true(logged_has("down: http-01 mkdir"));
	assert_int_equal(challenge_http_cleanup(&f->cfg, &h), SSLM_ERR_EXEC);
	sslm_log_set_sink(NULL, NULL);
	assert_int_equal(h.written.n, 1);
	s = slurp(h.state_path);
	assert_non_null(strstr(s, "down /"));
	free(s);
	challenge_http_free(&h);
	free(in);
	free(root);
	free(cb);
}

/* Put writes every acme_dir and restarts once; cleanup the same. */
static void
test_dns_put_cleanup(void **state)
{
	struct fx	*f = *state;
	struct chal_dns	 b[] = {
		{ "example.com", "example.com", V1 },
		{ "example.net", "www.example.net", V2 },
		{ "example.com", "*.example.com", V3 },
	};
	struct strlist	 apexes = { 0 };
	char		*d1, *d2, *p, *s;

	d1 = path_join(f->dir, "inc1");
	d2 = path_join(f->dir, "inc2");
	sslm_log_set_sink(sink, NULL);
	assert_int_equal(challenge_dns_put(&f->cfg, b, 3, false),
	    SSLM_ERR_CONFIG);
	strlist_add(&f->cfg.servers[SSLM_SRV_DNS].acme_dir, d1);
	strlist_add(&f->cfg.servers[SSLM_SRV_DNS].acme_dir, d2);
	strlist_add(&f->cfg.servers[SSLM_SRV_DNS].restart_cmd, "dns-restart");
	assert_int_equal(challenge_dns_put(&f->cfg, b, 3, false), 0);
	p = path_join(d2, "acme-challenge.example.com");
	s = slurp(p);
	assert_string_equal(s, HDR("example.com")
	    "_acme-challenge.example.com. 60 IN TXT \"" V1 "\"\n"
	    "_acme-challenge.example.com. 60 IN TXT \"" V3 "\"\n");
	free(s);
	mode_is(p, 0644);
	free(p);
	p = path_join(d1, "acme-challenge.example.net");
	s = slurp(p);
	assert_string_equal(s, HDR("example.net")
	    "_acme-challenge.www.example.net. 60 IN TXT \"" V2 "\"\n");
	free(s);
	s = slurp(f->rec);
	assert_string_equal(s, "restart --serial_bump example.com "
	    "example.net\n");
	free(s);
	unlink(f->rec);

	challenge_dns_apexes(b, 3, &apexes);
	assert_int_equal(challenge_dns_cleanup(&f->cfg, &apexes, false), 0);
	s = slurp(p);
	assert_string_equal(s, HDR("example.net"));
	free(s);
	free(p);
	p = path_join(d1, "acme-challenge.example.com");
	s = slurp(p);
	assert_string_equal(s, HDR("example.com"));
	free(s);
	free(p);
	s = slurp(f->rec);
	assert_string_equal(s, "restart --serial_bump example.com "
	    "example.net\n");
	free(s);
	unlink(f->rec);
	/* A bad batch changes nothing and restarts nothing. */
	b[1].txt_value = "x\"y";
	assert_int_equal(challenge_dns_put(&f->cfg, b, 3, false),
	    SSLM_ERR_USAGE);
	assert_null(slurp(f->rec));
	sslm_log_set_sink(NULL, NULL);
	strlist_clear(&apexes);
	free(d1);
	free(d2);
}

/* An apex the caller has no zone for is a usage error, at once. */
static void
test_wait_no_zone(void **state)
{
	struct fx		*f = *state;
	struct chal_dns		 b[] = { { "example.com", "example.com", V1 } };
	struct chal_dns_report	 rep;

	sslm_log_set_sink(sink, NULL);
	assert_int_equal(challenge_dns_wait(&f->cfg, NULL, 0, b, 1, NULL,
	    &rep), SSLM_ERR_USAGE);
	assert_true(logged_has("no name servers known"));
	challenge_dns_report_free(&rep);
	sslm_log_set_sink(NULL, NULL);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_one_name),
		cmocka_unit_test(test_text_several_names),
		cmocka_unit_test(test_text_wildcard_and_base),
		cmocka_unit_test(test_text_several_values),
		cmocka_unit_test(test_text_header_only),
		cmocka_unit_test(test_text_rejects),
		cmocka_unit_test(test_apexes_names),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_backoff),
		T(test_http_path),
		T(test_http_local),
		T(test_http_cleanup_refuses),
		T(test_http_argv),
		T(test_http_remote),
		T(test_dns_put_cleanup),
		T(test_wait_no_zone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
