/*
 * dnsstat.c - the DNS propagation view (dnsstat.h): discovery of each
 * apex at its primary, then every question (SOA, the pending
 * _acme-challenge TXT names, the TLSA owners of curr and next) to the
 * primary and all the zone's servers at once, one row per server.
 *
 * It never writes and never changes a zone; like the roll gate it asks
 * the authoritative servers directly, so what it shows is what a resolver
 * would get from each of them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "dnsstat.h"
#include "err.h"
#include "log.h"
#include "store.h"
#include "tlsa.h"

#define QTYPE_SOA	6
#define QTYPE_TXT	16
#define QTYPE_TLSA	52
#define CHAL_FILE_MAX	(1024 * 1024)

static double
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* The next token of a zone line: a quoted string (quotes dropped) or a
 * word.  NULL at the end or at a comment. */
static char *
next_token(const char **pp, bool *quoted)
{
	const char *p = *pp, *s;
	char *t;

	while (*p == ' ' || *p == '\t' || *p == '(' || *p == ')')
		p++;
	*quoted = false;
	if (*p == '\0' || *p == ';' || *p == '\n')
		return NULL;
	if (*p == '"') {
		s = ++p;
		while (*p != '\0' && *p != '"' && *p != '\n')
			p += (*p == '\\' && p[1] != '\0') ? 2 : 1;
		t = xstrndup(s, (size_t)(p - s));
		if (*p == '"')
			p++;
		*quoted = true;
	} else {
		s = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' &&
		    *p != ';' && *p != '(' && *p != ')')
			p++;
		t = xstrndup(s, (size_t)(p - s));
	}
	*pp = p;
	return t;
}

void
dnsstat_parse_challenges(const char *text, const char *apex,
    struct strlist *out)
{
	const char *line = text, *p;
	char *a = dns_name_norm(apex);

	while (line != NULL && *line != '\0') {
		struct strlist tok = { 0 };
		struct buf val;
		bool q, txt = false;
		char *t, *owner, *entry;

		p = line;
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
		if (*p == ' ' || *p == '\t')
			continue;	/* no owner: not ours */
		buf_init(&val, 4096);
		while ((t = next_token(&p, &q)) != NULL) {
			if (txt && q && buf_add(&val, t, strlen(t)) != 0)
				txt = false;	/* too long: not a value */
			else if (!q && str_ieq(t, "TXT"))
				txt = true;
			else if (!txt)
				strlist_add(&tok, t);
			free(t);
			if (p == NULL || *p == '\n')
				break;
		}
		if (txt && tok.n > 0 && val.p != NULL) {
			owner = dns_name_norm(tok.v[0]);
			if (tok.v[0][strlen(tok.v[0]) - 1] == '.')
				entry = xasprintf("%s %s", owner, val.p);
			else if (strcmp(owner, "@") == 0)
				entry = xasprintf("%s %s", a, val.p);
			else
				entry = xasprintf("%s.%s %s", owner, a, val.p);
			if (!strlist_has(out, entry))
				strlist_add_nodup(out, entry);
			else
				free(entry);
			free(owner);
		}
		buf_free(&val);
		strlist_clear(&tok);
	}
	free(a);
}

/* The expected records of the apex: TXT values and curr/next TLSA. */
struct expect {
	struct strlist	 txt;		/* "name value" */
	struct strlist	 txt_names;	/* distinct names */
	struct tlsa_set	 curr, next;
	struct strlist	 owners;	/* distinct TLSA owners */
};

static void
expect_load(const struct sslm_config *cfg, const char *apex,
    struct expect *e)
{
	const struct strlist *ad = &cfg->servers[SSLM_SRV_DNS].acme_dir;
	struct strlist svcs = { 0 };
	char *path, *text = NULL, *gdir;

	if (ad->n > 0) {
		path = xasprintf("%s/acme-challenge.%s", ad->v[0], apex);
		if (read_file(path, CHAL_FILE_MAX, &text, NULL) == 0)
			dnsstat_parse_challenges(text, apex, &e->txt);
		free(text);
		free(path);
	}
	for (size_t i = 0; i < e->txt.n; i++) {
		char *sp = strchr(e->txt.v[i], ' ');
		char *nm = xstrndup(e->txt.v[i], (size_t)(sp - e->txt.v[i]));

		if (!strlist_has(&e->txt_names, nm))
			strlist_add(&e->txt_names, nm);
		free(nm);
	}
	gdir = xasprintf("%s/certs/%s", cfg->topdir, apex);
	if (list_subdirs(gdir, &svcs) == 0)
		for (size_t i = 0; i < svcs.n; i++) {
			/* A missing or bad file just expects nothing. */
			path = xasprintf("%s/%s/curr/%s", gdir, svcs.v[i],
			    TLSA_RR_FILE);
			if (tlsa_parse_file(path, &e->curr) != 0)
				sslm_log(SSLM_LOG_DEBUG, "%s: no records",
				    path);
			free(path);
			path = xasprintf("%s/%s/next/%s", gdir, svcs.v[i],
			    TLSA_RR_FILE);
			if (tlsa_parse_file(path, &e->next) != 0)
				sslm_log(SSLM_LOG_DEBUG, "%s: no records",
				    path);
			free(path);
		}
	tlsa_set_owners(&e->curr, &e->owners);
	tlsa_set_owners(&e->next, &e->owners);
	strlist_clear(&svcs);
	free(gdir);
}

static void
expect_free(struct expect *e)
{
	strlist_clear(&e->txt);
	strlist_clear(&e->txt_names);
	tlsa_set_free(&e->curr);
	tlsa_set_free(&e->next);
	strlist_clear(&e->owners);
}

static bool
answer_has(const struct dns_result *r, const char *rdata)
{
	return r != NULL && r->status == DNS_ANSWER &&
	    strlist_has(&r->rdata, rdata);
}

/* The result of question q for server j, or NULL. */
static const struct dns_result *
res_at(struct dns_result **res, size_t q, size_t j)
{
	return res[q] != NULL ? &res[q][j] : NULL;
}

static void
note_error(char **err, const struct dns_result *r, const char *what)
{
	if (*err != NULL || r == NULL)
		return;
	if (r->status == DNS_ANSWER || r->status == DNS_NODATA ||
	    r->status == DNS_NXDOMAIN)
		return;
	*err = xasprintf("%s %s%s%s", what, dns_status_name(r->status),
	    r->error ? ": " : "", r->error ? r->error : "");
}

/* Counts what server j serves of set (owners in e->owners order). */
static void
count_tlsa(const struct expect *e, const struct tlsa_set *set,
    struct dns_result **tl, size_t j, struct dnsstat_count *c,
    struct strlist *missing, const char *label)
{
	for (size_t i = 0; i < set->n; i++) {
		size_t q;

		for (q = 0; q < e->owners.n; q++)
			if (strcmp(e->owners.v[q], set->v[i].owner) == 0)
				break;
		c->expected++;
		if (q < e->owners.n && answer_has(res_at(tl, q, j),
		    set->v[i].rdata))
			c->served++;
		else
			strlist_add_nodup(missing, xasprintf("%s TLSA %s %s",
			    label, set->v[i].owner, set->v[i].rdata));
	}
}

static int
status_apex(const struct sslm_config *cfg, const char *apex, int timeout_ms,
    dnsstat_fn fn, void *ctx)
{
	struct dns_zone *z = NULL;
	struct dns_server *srv = NULL;
	struct dns_result *soa = NULL, **txt = NULL, **tl = NULL;
	struct dnsstat_event ev;
	struct expect e;
	uint32_t pserial = 0;
	bool phas = false;
	size_t n;
	int r;

	memset(&e, 0, sizeof(e));
	memset(&ev, 0, sizeof(ev));
	ev.apex = apex;
	if ((r = dns_discover(cfg, apex, cfg->dns_ns_port, timeout_ms,
	    &z)) != 0) {
		ev.kind = DNSSTAT_ERROR;
		ev.error = "discovery at the primary failed";
		fn(ctx, &ev);
		return r;
	}
	expect_load(cfg, apex, &e);
	ev.kind = DNSSTAT_ZONE;
	ev.zone = z;
	ev.txt = &e.txt;
	ev.tlsa_curr = e.curr.n;
	ev.tlsa_next = e.next.n;
	fn(ctx, &ev);

	n = z->n_servers + 1;
	srv = xcalloc(n, sizeof(*srv));
	srv[0] = z->primary;
	for (size_t i = 0; i < z->n_servers; i++)
		srv[i + 1] = z->servers[i];
	if (dns_query_all(srv, n, apex, QTYPE_SOA, timeout_ms,
	    DNSSTAT_RETRIES, &soa) != 0)
		soa = NULL;
	txt = xcalloc(e.txt_names.n + 1, sizeof(*txt));
	for (size_t q = 0; q < e.txt_names.n; q++)
		if (dns_query_all(srv, n, e.txt_names.v[q], QTYPE_TXT,
		    timeout_ms, DNSSTAT_RETRIES, &txt[q]) != 0)
			txt[q] = NULL;
	tl = xcalloc(e.owners.n + 1, sizeof(*tl));
	for (size_t q = 0; q < e.owners.n; q++)
		if (dns_query_all(srv, n, e.owners.v[q], QTYPE_TLSA,
		    timeout_ms, DNSSTAT_RETRIES, &tl[q]) != 0)
			tl[q] = NULL;
	if (soa != NULL && soa[0].status == DNS_ANSWER) {
		pserial = soa[0].serial;
		phas = true;
	}
	for (size_t j = 0; j < n; j++) {
		struct strlist missing = { 0 };
		char *err = NULL;

		memset(&ev, 0, sizeof(ev));
		ev.kind = DNSSTAT_SERVER;
		ev.apex = apex;
		ev.server = &srv[j];
		ev.primary_serial = pserial;
		if (soa != NULL) {
			ev.soa = dns_status_name(soa[j].status);
			ev.ms = soa[j].ms;
			ev.has_serial = soa[j].status == DNS_ANSWER;
			ev.serial = soa[j].serial;
			/* RFC 1982 would wrap; serials here only grow. */
			ev.behind = ev.has_serial && phas &&
			    soa[j].serial < pserial;
			note_error(&err, &soa[j], "SOA");
			if (err == NULL && soa[j].status != DNS_ANSWER)
				err = xasprintf("SOA %s",
				    dns_status_name(soa[j].status));
		} else {
			ev.soa = "ERROR";
			err = xstrdup("SOA: nothing could be sent");
		}
		for (size_t i = 0; i < e.txt.n; i++) {
			char *sp = strchr(e.txt.v[i], ' ');
			size_t q;

			for (q = 0; q < e.txt_names.n; q++)
				if (strlen(e.txt_names.v[q]) ==
				    (size_t)(sp - e.txt.v[i]) &&
				    strncmp(e.txt_names.v[q], e.txt.v[i],
				    (size_t)(sp - e.txt.v[i])) == 0)
					break;
			ev.c_txt.expected++;
			if (q < e.txt_names.n && answer_has(res_at(txt, q, j),
			    sp + 1))
				ev.c_txt.served++;
			else
				strlist_add_nodup(&missing, xasprintf("TXT "
				    "_acme-challenge %s", e.txt.v[i]));
			if (q < e.txt_names.n)
				note_error(&err, res_at(txt, q, j), "TXT");
		}
		count_tlsa(&e, &e.curr, tl, j, &ev.c_curr, &missing, "curr");
		count_tlsa(&e, &e.next, tl, j, &ev.c_next, &missing, "next");
		for (size_t q = 0; q < e.owners.n; q++)
			note_error(&err, res_at(tl, q, j), "TLSA");
		ev.missing = &missing;
		ev.error = err;
		fn(ctx, &ev);
		free(err);
		strlist_clear(&missing);
	}
	dns_results_free(soa, soa ? n : 0);
	for (size_t q = 0; q < e.txt_names.n; q++)
		dns_results_free(txt[q], txt[q] ? n : 0);
	for (size_t q = 0; q < e.owners.n; q++)
		dns_results_free(tl[q], tl[q] ? n : 0);
	free(txt);
	free(tl);
	free(srv);
	expect_free(&e);
	dns_zone_free(z);
	return 0;
}

int
sslm_dns_status(const struct sslm_config *cfg, const struct strlist *apexes,
    int timeout_ms, dnsstat_fn fn, void *ctx)
{
	struct strlist all = { 0 };
	struct dnsstat_event ev;
	double t0 = mono_ms();
	int first = 0, r;

	if (apexes == NULL || apexes->n == 0) {
		for (size_t i = 0; i < cfg->n_groups; i++) {
			const char *d = cfg->groups[i].domain;

			if (d == NULL || !cfg->groups[i].active ||
			    str_ieq(d, "ca") || strlist_has(&all, d) ||
			    sslm_dns_primary_for(cfg, d) == NULL)
				continue;
			strlist_add(&all, d);
		}
		apexes = &all;
	}
	for (size_t i = 0; i < apexes->n; i++)
		if ((r = status_apex(cfg, apexes->v[i], timeout_ms, fn,
		    ctx)) != 0 && first == 0)
			first = r;
	memset(&ev, 0, sizeof(ev));
	ev.kind = DNSSTAT_DONE;
	ev.elapsed_ms = mono_ms() - t0;
	fn(ctx, &ev);
	strlist_clear(&all);
	return first == 0 ? 0 : SSLM_ERR_DNS;
}

static json_t *
json_strlist(const struct strlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; l != NULL && i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

static json_t *
json_count(const struct dnsstat_count *c)
{
	return json_pack("{s:I, s:I}", "expected", (json_int_t)c->expected,
	    "served", (json_int_t)c->served);
}

char *
dnsstat_json(const struct dnsstat_event *ev)
{
	json_t *o = json_object();
	const struct dns_server *s = ev->server;
	char *line;

	switch (ev->kind) {
	case DNSSTAT_ZONE:
		json_object_set_new(o, "type", json_string("zone"));
		json_object_set_new(o, "apex", json_string(ev->apex));
		json_object_set_new(o, "primary",
		    json_string(ev->zone->primary.addr));
		json_object_set_new(o, "port",
		    json_integer(ev->zone->primary.port));
		json_object_set_new(o, "ns", json_strlist(&ev->zone->ns_names));
		json_object_set_new(o, "mx", json_strlist(&ev->zone->mx_hosts));
		json_object_set_new(o, "servers",
		    json_integer((json_int_t)ev->zone->n_servers + 1));
		json_object_set_new(o, "txt", json_strlist(ev->txt));
		json_object_set_new(o, "tlsa_curr",
		    json_integer((json_int_t)ev->tlsa_curr));
		json_object_set_new(o, "tlsa_next",
		    json_integer((json_int_t)ev->tlsa_next));
		break;
	case DNSSTAT_SERVER:
		json_object_set_new(o, "type", json_string("server"));
		json_object_set_new(o, "apex", json_string(ev->apex));
		json_object_set_new(o, "role",
		    json_string(dns_role_name(s->role)));
		json_object_set_new(o, "name", json_string(s->name));
		json_object_set_new(o, "addr", json_string(s->addr));
		json_object_set_new(o, "port", json_integer(s->port));
		json_object_set_new(o, "soa", json_string(ev->soa));
		json_object_set_new(o, "serial", ev->has_serial ?
		    json_integer((json_int_t)ev->serial) : json_null());
		json_object_set_new(o, "primary_serial",
		    json_integer((json_int_t)ev->primary_serial));
		json_object_set_new(o, "behind", json_boolean(ev->behind));
		json_object_set_new(o, "ms",
		    json_real(round(ev->ms * 10) / 10));
		json_object_set_new(o, "txt", json_count(&ev->c_txt));
		json_object_set_new(o, "tlsa_curr", json_count(&ev->c_curr));
		json_object_set_new(o, "tlsa_next", json_count(&ev->c_next));
		json_object_set_new(o, "missing", json_strlist(ev->missing));
		json_object_set_new(o, "error", ev->error ?
		    json_string(ev->error) : json_null());
		break;
	case DNSSTAT_ERROR:
		json_object_set_new(o, "type", json_string("error"));
		json_object_set_new(o, "apex", json_string(ev->apex));
		json_object_set_new(o, "error", json_string(ev->error));
		break;
	case DNSSTAT_DONE:
		json_object_set_new(o, "type", json_string("done"));
		json_object_set_new(o, "elapsed_ms",
		    json_integer((json_int_t)ev->elapsed_ms));
		break;
	}
	line = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return line != NULL ? line : xstrdup("{}");
}

static void
text_count(struct buf *b, const char *what, const struct dnsstat_count *c)
{
	if (c->expected > 0)
		(void)buf_printf(b, "  %s %zu/%zu", what, c->served,
		    c->expected);
}

void
dnsstat_text(const struct dnsstat_event *ev, struct buf *b)
{
	const struct dns_server *s = ev->server;

	switch (ev->kind) {
	case DNSSTAT_ZONE:
		(void)buf_printf(b, "%s: primary %s#%d, %zu NS, %zu servers, "
		    "%zu pending TXT, TLSA curr %zu next %zu\n", ev->apex,
		    ev->zone->primary.addr, ev->zone->primary.port,
		    ev->zone->ns_names.n, ev->zone->n_servers, ev->txt->n,
		    ev->tlsa_curr, ev->tlsa_next);
		break;
	case DNSSTAT_SERVER:
		(void)buf_printf(b, "  %-7s %s [%s#%d]  ", dns_role_name(
		    s->role), s->name, s->addr, s->port);
		if (ev->has_serial)
			(void)buf_printf(b, "serial %u%s", ev->serial,
			    ev->behind ? " (behind)" : "");
		else
			(void)buf_printf(b, "serial -");
		text_count(b, "txt", &ev->c_txt);
		text_count(b, "tlsa-curr", &ev->c_curr);
		text_count(b, "tlsa-next", &ev->c_next);
		(void)buf_printf(b, "  %.1f ms", ev->ms);
		if (ev->error != NULL)
			(void)buf_printf(b, "  %s", ev->error);
		(void)buf_printf(b, "\n");
		for (size_t i = 0; ev->missing && i < ev->missing->n; i++)
			(void)buf_printf(b, "      missing %s\n",
			    ev->missing->v[i]);
		break;
	case DNSSTAT_ERROR:
		(void)buf_printf(b, "%s: %s\n", ev->apex, ev->error);
		break;
	case DNSSTAT_DONE:
		break;
	}
}
