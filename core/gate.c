/*
 * gate.c - the DANE roll gate (see gate.h): whether every authoritative
 * name server has served next's TLSA records long enough for every cached
 * copy of the older set to have expired.
 *
 * Invariant: the gate opens only on evidence.  Missing or unreadable
 * files, unanswered queries and unknown name servers keep it closed,
 * except where there is provably nothing published to protect (no curr,
 * or curr without TLSA records).  first_seen only ever moves from 0 to
 * "now" or back to 0; it is never moved forward while set, so a run that
 * merely re-checks does not restart the wait.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "gate.h"
#include "log.h"
#include "store.h"
#include "timefmt.h"

#define TLSA_QTYPE	52
#define STATE_MAX	4096

static void	 span(long long, char *, size_t);
static char	*server_label(const struct dns_server *);
static const char *server_problem(const struct gate_input *, size_t,
		    char **, bool *);
static void	 set_open(struct gate_result *, bool, const char *, ...)
		    SSLM_PRINTF(3, 4);
static int	 state_read(const char *, const char *, time_t *);
static int	 state_write(const char *, const char *, time_t);
static void	 waiting_note(const char *, const char *, const char *);

/* "45s", "4m10s", "20m", "1h12m", "3d4h". */
static void
span(long long secs, char *out, size_t len)
{
	if (secs < 0)
		secs = 0;
	if (secs < 60)
		snprintf(out, len, "%llds", secs);
	else if (secs < 3600 && secs % 60 != 0)
		snprintf(out, len, "%lldm%llds", secs / 60, secs % 60);
	else
		fmt_span_short(secs, out, len);
}

/* "ns1.example.com [192.0.2.1]", "[192.0.2.1]:5300" for a bare address. */
static char *
server_label(const struct dns_server *s)
{
	char	 port[16] = "";

	if (s->port != 0 && s->port != 53)
		snprintf(port, sizeof(port), ":%d", s->port);
	if (s->name == NULL || strcmp(s->name, s->addr) == 0)
		return xasprintf("[%s]%s", s->addr, port);
	return xasprintf("%s [%s]%s", s->name, s->addr, port);
}

/*
 * The first thing server j does not serve: NULL when it serves every
 * expected record, else the owner name with *what (caller frees) saying
 * why, and *regress true when its answer is an old set rather than no
 * answer at all.
 */
static const char *
server_problem(const struct gate_input *in, size_t j, char **what,
    bool *regress)
{
	const struct dns_result	*res;
	const char		*owner;
	size_t			 want, missing;

	*what = NULL;
	*regress = false;
	for (size_t i = 0; i < in->n_owners; i++) {
		owner = in->owners[i].owner;
		res = &in->owners[i].results[j];
		want = missing = 0;
		for (size_t k = 0; k < in->expected->n; k++) {
			if (strcmp(in->expected->v[k].owner, owner) != 0)
				continue;
			want++;
			if (res->status != DNS_ANSWER ||
			    !strlist_has_ci(&res->rdata,
			    in->expected->v[k].rdata))
				missing++;
		}
		if (missing == 0)
			continue;
		switch (res->status) {
		case DNS_ANSWER:
			*regress = true;
			*what = xasprintf("%zu of %zu records missing",
			    missing, want);
			break;
		case DNS_NODATA:
		case DNS_NXDOMAIN:
			*regress = true;
			*what = xstrdup(dns_status_name(res->status));
			break;
		case DNS_ERROR:
			*what = xasprintf("%s%s%s%s",
			    dns_status_name(res->status),
			    res->error != NULL ? " (" : "",
			    res->error != NULL ? res->error : "",
			    res->error != NULL ? ")" : "");
			break;
		default:
			*what = xstrdup(dns_status_name(res->status));
			break;
		}
		return owner;
	}
	return NULL;
}

static void
set_open(struct gate_result *out, bool open, const char *fmt, ...)
{
	va_list	 ap;

	out->open = open;
	free(out->reason);
	va_start(ap, fmt);
	out->reason = xvasprintf(fmt, ap);
	va_end(ap);
}

void
gate_evaluate(const struct gate_input *in, struct gate_result *out)
{
	const char	*owner, *first_owner = NULL;
	char		*what, *label, *first_what = NULL, *first_srv = NULL;
	char		 age_s[32], need_s[32], more[64] = "";
	long long	 age, need;
	size_t		 n_bad = 0;
	bool		 regress, any_regress = false;
	int		 ttl;

	memset(out, 0, sizeof(*out));
	out->checked = true;
	ttl = in->ttl > 0 ? in->ttl : GATE_DEFAULT_TTL;
	need = 2LL * ttl;
	if (in->n_servers == 0) {
		out->first_seen = in->first_seen;
		set_open(out, false, "Too soon to roll: no authoritative name "
		    "server addresses to check next's TLSA");
		return;
	}
	for (size_t j = 0; j < in->n_servers; j++) {
		label = server_label(&in->servers[j]);
		owner = server_problem(in, j, &what, &regress);
		if (owner == NULL) {
			strlist_add_nodup(&out->lines, xasprintf("%s: serves "
			    "all %zu of next's TLSA records", label,
			    in->expected->n));
			free(label);
			continue;
		}
		strlist_add_nodup(&out->lines, xasprintf("%s: %s %s", label,
		    owner, what));
		any_regress |= regress;
		if (n_bad++ == 0) {
			out->waiting_for = xstrdup(in->servers[j].name ?
			    in->servers[j].name : in->servers[j].addr);
			first_srv = label;
			first_owner = owner;
			first_what = what;
			continue;
		}
		free(label);
		free(what);
	}
	out->all_served = n_bad == 0;
	if (!out->all_served) {
		out->first_seen = any_regress ? 0 : in->first_seen;
		if (n_bad > 1)
			snprintf(more, sizeof(more), " and %zu other name "
			    "server%s", n_bad - 1, n_bad == 2 ? "" : "s");
		set_open(out, false, "Too soon to roll: %s%s %s not served "
		    "next's TLSA (%s: %s)%s", first_srv, more,
		    n_bad > 1 ? "have" : "has", first_owner, first_what,
		    any_regress && in->first_seen != 0 ?
		    "; visibility clock restarted" : "");
		free(first_srv);
		free(first_what);
		return;
	}
	out->first_seen = in->first_seen != 0 ? in->first_seen : in->now;
	age = (long long)in->now - (long long)out->first_seen;
	span(age, age_s, sizeof(age_s));
	span(need, need_s, sizeof(need_s));
	set_open(out, age >= need, "%s: next's TLSA visible on all %zu name "
	    "server%s for %s, %s 2 x TTL = %s%s",
	    age >= need ? "Okay to roll" : "Too soon to roll", in->n_servers,
	    in->n_servers == 1 ? "" : "s", age_s,
	    age >= need ? ">=" : "need", need_s,
	    in->ttl > 0 ? "" : " (no dane_tls_ttl: TTL assumed)");
}

void
gate_result_free(struct gate_result *r)
{
	if (r == NULL)
		return;
	free(r->reason);
	r->reason = NULL;
	free(r->waiting_for);
	r->waiting_for = NULL;
	strlist_clear(&r->lines);
}

/*
 * Reads "<unix time>\n<records hash>\n".  A file for other records (the
 * db dir was reused for a new next) or an unreadable one counts as "not
 * seen", which only makes the gate wait longer.
 */
static int
state_read(const char *path, const char *hash, time_t *first_seen)
{
	char		*text = NULL, *nl, *end;
	long long	 t;
	int		 r;

	*first_seen = 0;
	if ((r = read_file(path, STATE_MAX, &text, NULL)) != 0) {
		if (r != SSLM_ERR_NOTFOUND)
			sslm_log(SSLM_LOG_WARN, "%s: read: %s - ignored",
			    path, sslm_strerror(r));
		r = 0;
		goto out;
	}
	if ((nl = strchr(text, '\n')) != NULL)
		*nl++ = '\0';
	errno = 0;
	t = strtoll(text, &end, 10);
	if (end == text || *end != '\0' || errno != 0 || t < 0) {
		sslm_log(SSLM_LOG_WARN, "%s: not a time - ignored", path);
		goto out;
	}
	if (nl != NULL && *nl != '\0') {
		nl[strcspn(nl, "\n")] = '\0';
		if (strcmp(nl, hash) != 0) {
			sslm_log(SSLM_LOG_INFO, "%s: for other TLSA records "
			    "- ignored", path);
			goto out;
		}
	}
	*first_seen = (time_t)t;
out:
	free(text);
	return r;
}

/*
 * <svc>/.gate-waiting: "<next db>\n<name server>\n", the NS the last
 * check of next found not serving its records, for the status and the
 * console (no DNS on a redraw).  Kept out of the db set, which production
 * copies: a note of ours must not make production drift.  Written when it
 * changes, removed when nobody is waited for; a failure is only logged.
 */
static void
waiting_note(const char *svcdir, const char *next, const char *ns)
{
	char	*path = path_join(svcdir, GATE_WAITING_FILE), *old = NULL;
	char	*text = ns != NULL ? xasprintf("%s\n%s\n", next, ns) : NULL;

	if (read_file(path, STATE_MAX, &old, NULL) != 0)
		old = NULL;
	if (text != NULL && (old == NULL || strcmp(old, text) != 0)) {
		if (store_write_file(path, text, strlen(text),
		    STORE_FILE_MODE) != 0)
			sslm_log(SSLM_LOG_WARN, "%s: not written", path);
	} else if (text == NULL && old != NULL && unlink(path) == -1 &&
	    errno != ENOENT)
		sslm_log(SSLM_LOG_WARN, "%s: unlink: %s", path,
		    strerror(errno));
	free(old);
	free(text);
	free(path);
}

static int
state_write(const char *path, const char *hash, time_t first_seen)
{
	char	*text;
	int	 r;

	text = xasprintf("%lld\n%s\n", (long long)first_seen, hash);
	r = store_write_file(path, text, strlen(text), STORE_FILE_MODE);
	free(text);
	return r;
}

int
gate_check(const struct sslm_config *cfg, const struct sslm_service_cfg *svc,
    const struct dns_zone *zone, const char *svcdir, time_t now,
    int timeout_ms, int retries, struct gate_result *out)
{
	struct tlsa_set		 curr = { 0 }, next = { 0 };
	struct strlist		 owners = { 0 };
	struct dns_server	*ns = NULL;
	struct dns_result	**res = NULL;
	struct gate_owner	*go = NULL;
	bool			*fake = NULL;
	struct gate_input	 in;
	char			 hash[TLSA_HASH_HEXLEN];
	char			*ct = NULL, *nt = NULL, *cpath = NULL;
	char			*npath = NULL, *spath = NULL;
	size_t			 n_ns = 0;
	time_t			 seen = 0;
	int			 r = 0, qr;

	memset(out, 0, sizeof(*out));
	if (!cfg->dane_roll_gate) {
		set_open(out, true, "Okay to roll: DANE roll gate disabled");
		goto out;
	}
	if (svc->n_dane == 0) {
		set_open(out, true, "Okay to roll: no dane_tls");
		goto out;
	}
	if (store_link_get(svcdir, "next", &nt) != 0) {
		set_open(out, true, "Okay to roll: no next");
		goto out;
	}
	npath = xasprintf("%s/db/%s/%s", svcdir, nt, TLSA_RR_FILE);
	if (store_link_get(svcdir, "curr", &ct) != 0) {
		set_open(out, true, "Okay to roll: no curr, no TLSA records "
		    "published to protect");
		goto out;
	}
	cpath = xasprintf("%s/db/%s/%s", svcdir, ct, TLSA_RR_FILE);
	if ((r = tlsa_parse_file(cpath, &curr)) != 0 &&
	    r != SSLM_ERR_NOTFOUND)
		goto out;
	if (curr.n == 0) {
		r = 0;
		set_open(out, true, "Okay to roll: curr has no TLSA records "
		    "published to protect");
		goto out;
	}
	if ((r = tlsa_parse_file(npath, &next)) != 0 &&
	    r != SSLM_ERR_NOTFOUND)
		goto out;
	if (next.n == 0) {
		r = 0;
		set_open(out, false, "Too soon to roll: next has no TLSA "
		    "records (%s) to check in DNS", npath);
		goto out;
	}
	if ((r = tlsa_hash_file(npath, hash)) != 0)
		goto out;
	spath = xasprintf("%s/db/%s/%s", svcdir, nt, GATE_STATE_FILE);
	if ((r = state_read(spath, hash, &seen)) != 0)
		goto out;

	/* Only the authoritative servers: public resolvers cache. */
	ns = xcalloc(zone->n_servers + 1, sizeof(*ns));
	for (size_t i = 0; i < zone->n_servers; i++)
		if (zone->servers[i].role == DNS_ROLE_NS)
			ns[n_ns++] = zone->servers[i];
	tlsa_set_owners(&next, &owners);
	res = xcalloc(owners.n + 1, sizeof(*res));
	go = xcalloc(owners.n + 1, sizeof(*go));
	fake = xcalloc(owners.n + 1, sizeof(*fake));
	for (size_t i = 0; i < owners.n && n_ns > 0; i++) {
		qr = dns_query_all(ns, n_ns, owners.v[i], TLSA_QTYPE,
		    timeout_ms, retries, &res[i]);
		if (qr != 0) {
			/* Nothing sent: an unanswered question for all. */
			res[i] = xcalloc(n_ns, sizeof(**res));
			fake[i] = true;
			for (size_t j = 0; j < n_ns; j++) {
				res[i][j].server = &ns[j];
				res[i][j].status = DNS_ERROR;
				res[i][j].error = xstrdup(sslm_strerror(qr));
			}
		}
		go[i].owner = owners.v[i];
		go[i].results = res[i];
	}
	in.expected = &next;
	in.servers = ns;
	in.n_servers = n_ns;
	in.owners = go;
	in.n_owners = n_ns > 0 ? owners.n : 0;
	in.first_seen = seen;
	in.now = now;
	in.ttl = svc->dane_tls_ttl;
	gate_evaluate(&in, out);
	for (size_t j = 0; j < out->lines.n; j++)
		sslm_log(SSLM_LOG_INFO, "%s:%s: dane gate: %s", svc->grp,
		    svc->svc, out->lines.v[j]);
	waiting_note(svcdir, nt, out->waiting_for);
	if (out->first_seen != seen &&
	    (r = state_write(spath, hash, out->first_seen)) != 0) {
		set_open(out, false, "Too soon to roll: cannot record TLSA "
		    "visibility in %s", spath);
		goto out;
	}
out:
	if (r != 0 && out->reason == NULL)
		set_open(out, false, "Too soon to roll: DANE gate: %s",
		    sslm_strerror(r));
	if (r != 0)
		out->open = false;
	for (size_t i = 0; res != NULL && i < owners.n; i++) {
		if (res[i] == NULL)
			continue;
		if (!fake[i]) {
			dns_results_free(res[i], n_ns);
			continue;
		}
		for (size_t j = 0; j < n_ns; j++)
			free(res[i][j].error);
		free(res[i]);
	}
	free(res);
	free(fake);
	free(go);
	free(ns);
	strlist_clear(&owners);
	tlsa_set_free(&curr);
	tlsa_set_free(&next);
	free(ct);
	free(nt);
	free(cpath);
	free(npath);
	free(spath);
	return r;
}
