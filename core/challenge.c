/*
 * challenge.c - publishing, checking and removing dns-01 challenges
 * (spec §12.2, §13.6, §13.7).
 *
 * dns-01: the TXT records go into acme-challenge.<apex> include files in
 * every [dns] acme_dir, in upstream's format so that the operators' zones
 * keep working; the DNS restart (serial bump + reload) runs once per
 * batch; then the wait asks the primary and every authoritative server
 * directly until each serves every value.  Unlike upstream, which slept
 * dns_check_delay and then compared SOA serials, the wait looks at the
 * records themselves (a grown serial does not prove the record is there)
 * and treats dns_check_delay as an upper bound it leaves as soon as all
 * servers agree.
 *
 * http-01 lives in challenge-http.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "challenge.h"
#include "err.h"
#include "log.h"
#include "servers.h"
#include "store.h"

#define CHAL_TEXT_MAX		(1024 * 1024)
#define QTYPE_SOA		6
#define QTYPE_TXT		16

/* Per apex state of a wait. */
struct wapex {
	const char		*apex;		/* normalised, borrowed */
	const struct dns_zone	*zone;
	struct strlist		 names;
	size_t			 first;		/* its primary's view */
	size_t			 nviews;	/* 1 + zone servers */
};

bool
challenge_b64url_ok(const char *s)
{
	size_t	 len;

	if (s == NULL || (len = strlen(s)) == 0 || len > 255)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == len;
}

bool
challenge_domain_ok(const char *s)
{
	const char	*p;
	size_t		 label = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 253)
		return false;
	for (p = s; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789-_", *p) ==
		    NULL || ++label > 63)
			return false;
	}
	return label > 0;
}

/* The identifier as a record owner: "*." dropped, normalised. */
static char *
entry_name(const char *name)
{
	if (name != NULL && strncmp(name, "*.", 2) == 0)
		name += 2;
	return dns_name_norm(name);
}

static bool
same_apex(const char *a, const char *b)
{
	char	*na = dns_name_norm(a), *nb = dns_name_norm(b);
	bool	 eq = na != NULL && nb != NULL && strcmp(na, nb) == 0;

	free(na);
	free(nb);
	return eq;
}

/* True when name is apex or below it. */
static bool
in_zone(const char *name, const char *apex)
{
	size_t	 ln = strlen(name), la = strlen(apex);

	if (strcmp(name, apex) == 0)
		return true;
	return ln > la + 1 && name[ln - la - 1] == '.' &&
	    strcmp(name + ln - la, apex) == 0;
}

int
challenge_dns_text(const char *apex, const struct chal_dns *batch, size_t n,
    char **out)
{
	struct buf	 b;
	struct strlist	 seen = { 0 };
	char		*a, *nm = NULL, *key;
	size_t		 i;
	int		 r = 0;

	*out = NULL;
	buf_init(&b, CHAL_TEXT_MAX);
	a = dns_name_norm(apex);
	if (!challenge_domain_ok(a)) {
		sslm_log(SSLM_LOG_ERR, "dns-01: bad apex \"%s\"",
		    apex != NULL ? apex : "");
		r = SSLM_ERR_USAGE;
		goto out;
	}
	/* Upstream's two header lines, kept for operators' eyes and diffs. */
	if ((r = buf_printf(&b, ";; acme-challenge for : %s\n"
	    ";; acme-challenge : %s\n", a, a)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (!same_apex(batch[i].apex, a))
			continue;
		free(nm);
		nm = entry_name(batch[i].name);
		/* An out-of-zone owner makes BIND refuse the whole zone. */
		if (nm == NULL || !challenge_domain_ok(nm) || !in_zone(nm, a)) {
			sslm_log(SSLM_LOG_ERR, "dns-01: %s: \"%s\" is not a "
			    "name in the zone", a, batch[i].name != NULL ?
			    batch[i].name : "");
			r = SSLM_ERR_USAGE;
			goto out;
		}
		/* Quotes or backslashes would break the zone file. */
		if (!challenge_b64url_ok(batch[i].txt_value)) {
			sslm_log(SSLM_LOG_ERR, "dns-01: %s: TXT value is not "
			    "base64url", nm);
			r = SSLM_ERR_USAGE;
			goto out;
		}
		key = xasprintf("%s %s", nm, batch[i].txt_value);
		if (strlist_has(&seen, key)) {
			free(key);
			continue;
		}
		strlist_add_nodup(&seen, key);
		if ((r = buf_printf(&b, "_acme-challenge.%s. %d IN TXT "
		    "\"%s\"\n", nm, CHAL_TXT_TTL, batch[i].txt_value)) != 0)
			goto out;
	}
	*out = b.p;
	b.p = NULL;
out:
	buf_free(&b);
	strlist_clear(&seen);
	free(nm);
	free(a);
	return r;
}

void
challenge_dns_apexes(const struct chal_dns *batch, size_t n,
    struct strlist *out)
{
	char	*a;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if ((a = dns_name_norm(batch[i].apex)) == NULL)
			continue;
		if (strlist_has(out, a))
			free(a);
		else
			strlist_add_nodup(out, a);
	}
}

void
challenge_dns_names(const struct chal_dns *batch, size_t n,
    const char *apex, struct strlist *out)
{
	char	*nm;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (!same_apex(batch[i].apex, apex) ||
		    (nm = entry_name(batch[i].name)) == NULL)
			continue;
		if (strlist_has(out, nm))
			free(nm);
		else
			strlist_add_nodup(out, nm);
	}
}

/*
 * Writes each apex's text to every acme_dir, then restarts DNS once for
 * all apexes.  texts[i] belongs to apexes->v[i].  Every file is tried.
 */
static int
publish(const struct sslm_config *cfg, const struct strlist *apexes,
    const struct strlist *texts, bool debug, bool restart_on_error)
{
	const struct sslm_server_class	*dns = &cfg->servers[SSLM_SRV_DNS];
	char				*name, *path;
	size_t				 i, d;
	int				 r = 0, w;

	for (i = 0; i < apexes->n; i++) {
		name = xasprintf("acme-challenge.%s", apexes->v[i]);
		for (d = 0; d < dns->acme_dir.n; d++) {
			path = path_join(dns->acme_dir.v[d], name);
			if (debug)
				sslm_log(SSLM_LOG_INFO, "dns-01 (debug, not "
				    "written): %s:\n%s", path, texts->v[i]);
			else if ((w = store_write_file(path, texts->v[i],
			    strlen(texts->v[i]), CHAL_FILE_MODE)) != 0) {
				sslm_log(SSLM_LOG_ERR, "dns-01: cannot write "
				    "%s", path);
				if (r == 0)
					r = w;
			} else
				sslm_log(SSLM_LOG_DEBUG, "dns-01: wrote %s",
				    path);
			free(path);
		}
		free(name);
	}
	if (r != 0 && !restart_on_error)
		return r;
	if (dns->restart_cmd.n == 0)
		sslm_log(SSLM_LOG_WARN, "Warning: [dns] restart_cmd is not "
		    "set: the zones are not reloaded");
	else if ((w = servers_restart_dns(cfg, apexes, debug)) != 0 && r == 0)
		r = w;
	return r;
}

int
challenge_dns_put(const struct sslm_config *cfg,
    const struct chal_dns *batch, size_t n, bool debug)
{
	struct strlist	 apexes = { 0 }, texts = { 0 };
	char		*text;
	size_t		 i;
	int		 r = 0;

	if (cfg->servers[SSLM_SRV_DNS].acme_dir.n == 0) {
		sslm_log(SSLM_LOG_ERR, "dns-01: [dns] acme_dir is not set");
		r = SSLM_ERR_CONFIG;
		goto out;
	}
	challenge_dns_apexes(batch, n, &apexes);
	/* Every text is checked before any file changes. */
	for (i = 0; i < apexes.n; i++) {
		if ((r = challenge_dns_text(apexes.v[i], batch, n, &text)) != 0)
			goto out;
		strlist_add_nodup(&texts, text);
	}
	sslm_log(SSLM_LOG_INFO, "dns-01: %zu challenge(s) for %zu zone(s)",
	    n, apexes.n);
	r = publish(cfg, &apexes, &texts, debug, false);
out:
	strlist_clear(&apexes);
	strlist_clear(&texts);
	return r;
}

int
challenge_dns_cleanup(const struct sslm_config *cfg,
    const struct strlist *apexes, bool debug)
{
	struct strlist	 norm = { 0 }, texts = { 0 };
	char		*a, *text;
	size_t		 i;
	int		 r = 0;

	if (apexes->n == 0)
		goto out;
	if (cfg->servers[SSLM_SRV_DNS].acme_dir.n == 0) {
		sslm_log(SSLM_LOG_ERR, "dns-01: [dns] acme_dir is not set");
		r = SSLM_ERR_CONFIG;
		goto out;
	}
	for (i = 0; i < apexes->n; i++) {
		a = dns_name_norm(apexes->v[i]);
		if (strlist_has(&norm, a)) {
			free(a);
			continue;
		}
		if ((r = challenge_dns_text(a, NULL, 0, &text)) != 0) {
			free(a);
			goto out;
		}
		strlist_add_nodup(&norm, a);
		strlist_add_nodup(&texts, text);
	}
	sslm_log(SSLM_LOG_INFO, "dns-01: cleanup of %zu zone(s)", norm.n);
	/* A failed file must not keep the other zones from reloading. */
	r = publish(cfg, &norm, &texts, debug, true);
out:
	strlist_clear(&norm);
	strlist_clear(&texts);
	return r;
}

/* "ns2.example.com [127.0.0.2]", or the address alone for an IP. */
static char *
server_label(const char *name, const char *addr)
{
	if (name == NULL || strcmp(name, addr) == 0)
		return xstrdup(addr);
	return xasprintf("%s [%s]", name, addr);
}

static char *
serial_note(const struct dns_result *soa, uint32_t primary_serial)
{
	char	 s[16], p[16];

	if (soa != NULL && soa->status == DNS_ANSWER)
		snprintf(s, sizeof(s), "%u", (unsigned)soa->serial);
	else
		snprintf(s, sizeof(s), "none");
	if (primary_serial != 0)
		snprintf(p, sizeof(p), "%u", (unsigned)primary_serial);
	else
		snprintf(p, sizeof(p), "unknown");
	return xasprintf("(serial %s, primary %s)", s, p);
}

size_t
challenge_dns_judge(const char *apex, const struct chal_dns *batch,
    size_t n, const struct strlist *names,
    const struct dns_result *const *txt, const struct dns_result *soa,
    uint32_t primary_serial, const struct dns_server *server,
    struct strlist *lines)
{
	const struct dns_result	*r;
	struct strlist		 vals = { 0 };
	char			*label, *note, *nm;
	size_t			 i, j, missing = 0;
	bool			 answered;

	label = server_label(server->name, server->addr);
	note = serial_note(soa, primary_serial);
	for (i = 0; i < names->n; i++) {
		strlist_clear(&vals);
		for (j = 0; j < n; j++) {
			if (!same_apex(batch[j].apex, apex))
				continue;
			nm = entry_name(batch[j].name);
			if (nm != NULL && strcmp(nm, names->v[i]) == 0 &&
			    batch[j].txt_value != NULL &&
			    !strlist_has(&vals, batch[j].txt_value))
				strlist_add(&vals, batch[j].txt_value);
			free(nm);
		}
		r = txt[i];
		/* NODATA / NXDOMAIN are answers: the record is not there. */
		answered = r != NULL && (r->status == DNS_ANSWER ||
		    r->status == DNS_NODATA || r->status == DNS_NXDOMAIN);
		if (!answered) {
			missing += vals.n;
			if (lines != NULL)
				strlist_add_nodup(lines, xasprintf("%s: "
				    "_acme-challenge.%s TXT %s%s%s %s", label,
				    names->v[i], r == NULL ? "not asked" :
				    dns_status_name(r->status),
				    r != NULL && r->error != NULL ? ": " : "",
				    r != NULL && r->error != NULL ? r->error :
				    "", note));
			continue;
		}
		for (j = 0; j < vals.n; j++) {
			if (strlist_has(&r->rdata, vals.v[j]))
				continue;
			missing++;
			if (lines != NULL)
				strlist_add_nodup(lines, xasprintf("%s: "
				    "_acme-challenge.%s TXT \"%s\" missing %s",
				    label, names->v[i], vals.v[j], note));
		}
	}
	strlist_clear(&vals);
	free(label);
	free(note);
	return missing;
}

long
challenge_backoff_ms(int step)
{
	static const long sched[] = {
		250, 500, 1000, 2000, 4000, 8000, 15000, 30000
	};

	if (step < 0)
		step = 0;
	if ((size_t)step < sizeof(sched) / sizeof(sched[0]))
		return sched[step];
	return 60000;
}

long
challenge_next_sleep_ms(long elapsed_ms, long pre_ms, long limit_ms,
    long poll_ms, int step, bool *backoff)
{
	long	 s;

	*backoff = false;
	if (pre_ms > limit_ms)
		pre_ms = limit_ms;
	if (elapsed_ms >= limit_ms)
		return -1;
	if (elapsed_ms < pre_ms) {
		s = poll_ms > 0 ? poll_ms : CHAL_POLL_MS;
		if (elapsed_ms + s > pre_ms)
			s = pre_ms - elapsed_ms;
	} else {
		s = challenge_backoff_ms(step);
		*backoff = true;
	}
	if (elapsed_ms + s > limit_ms)
		s = limit_ms - elapsed_ms;
	return s;
}

void
challenge_wait_opts_init(struct chal_wait_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->pre_delay_s = -1;
	o->limit_s = CHAL_WAIT_LIMIT;
	o->poll_ms = CHAL_POLL_MS;
	o->timeout_ms = CHAL_QUERY_TIMEOUT_MS;
	o->retries = CHAL_QUERY_RETRIES;
}

void
challenge_dns_report_free(struct chal_dns_report *rep)
{
	size_t	 i;

	for (i = 0; i < rep->n; i++) {
		free(rep->views[i].apex);
		free(rep->views[i].name);
		free(rep->views[i].addr);
		free(rep->views[i].detail);
	}
	free(rep->views);
	strlist_clear(&rep->failures);
	memset(rep, 0, sizeof(*rep));
}

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
sleep_ms(long ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
view_init(struct chal_srv_view *v, const char *apex,
    const struct dns_server *s, size_t total)
{
	memset(v, 0, sizeof(*v));
	v->apex = xstrdup(apex);
	v->name = xstrdup(s->name != NULL ? s->name : s->addr);
	v->addr = xstrdup(s->addr);
	v->port = s->port;
	v->role = s->role;
	v->total = total;
}

/* True when the server answered every TXT question of the pass. */
static bool
answered_all(struct dns_result *const *txt, size_t names, size_t q)
{
	size_t	 i;

	for (i = 0; i < names; i++)
		if (txt[i] == NULL || (txt[i][q].status != DNS_ANSWER &&
		    txt[i][q].status != DNS_NODATA &&
		    txt[i][q].status != DNS_NXDOMAIN))
			return false;
	return true;
}

/*
 * One pass over one apex: the primary (always, for its serial) and every
 * server still pending are asked each name's TXT and the SOA, all at once
 * (one round trip per pass, however many names and servers; a dead server
 * costs one timeout for the lot); each pending one is judged, a server that
 * missed a TXT question without its SOA.  tmo is the per-try timeout.
 * last[] receives the problem lines per view.  Returns 0, or
 * SSLM_ERR_USAGE when a question cannot be asked at all.
 */
static int
pass_apex(const struct wapex *w, const struct chal_dns *batch, size_t n,
    const struct chal_wait_opts *o, int tmo, struct chal_dns_report *rep,
    struct strlist *last, double t0)
{
	const struct dns_zone	 *z = w->zone;
	const struct dns_result	**txtp = NULL, **soap = NULL;
	struct dns_server	 *ask;
	struct dns_result	 *grid = NULL, **txt;
	struct chal_srv_view	 *v;
	size_t			 *vi, nq = 0, nqs = w->names.n + 1, i, q, miss;
	uint32_t		  pserial = 0;
	char			**qn, *label;
	int			 *qt, r = 0;

	ask = xcalloc(w->nviews, sizeof(*ask));
	vi = xcalloc(w->nviews, sizeof(*vi));
	soap = xcalloc(w->nviews, sizeof(*soap));
	txt = xcalloc(w->names.n, sizeof(*txt));
	txtp = xcalloc(w->names.n, sizeof(*txtp));
	qn = xcalloc(nqs, sizeof(*qn));
	qt = xcalloc(nqs, sizeof(*qt));
	for (i = 0; i < w->nviews; i++) {
		if (i > 0 && rep->views[w->first + i].served)
			continue;
		ask[nq] = i == 0 ? z->primary : z->servers[i - 1];
		vi[nq++] = w->first + i;
	}
	if (nq == 1 && rep->views[w->first].served)
		goto out;
	for (i = 0; i < w->names.n; i++) {
		qn[i] = xasprintf("_acme-challenge.%s.", w->names.v[i]);
		qt[i] = QTYPE_TXT;
	}
	qn[i] = xstrdup(w->apex);
	qt[i] = QTYPE_SOA;
	/* SSLM_ERR_NET (nothing sent) just leaves the answers out. */
	r = dns_query_grid(ask, nq, (const char *const *)qn, qt, nqs, tmo,
	    o->retries, &grid);
	if (r == SSLM_ERR_USAGE)
		goto out;
	r = 0;
	for (i = 0; grid != NULL && i < w->names.n; i++)
		txt[i] = &grid[i * nq];
	for (q = 0; grid != NULL && q < nq; q++)
		if (q == 0 || answered_all(txt, w->names.n, q))
			soap[q] = &grid[w->names.n * nq + q];
	if (soap[0] != NULL && soap[0]->status == DNS_ANSWER)
		pserial = soap[0]->serial;
	for (q = 0; q < nq; q++) {
		v = &rep->views[vi[q]];
		if (v->served)
			continue;
		v->tries++;
		v->ms = 0;
		for (i = 0; i < w->names.n; i++) {
			txtp[i] = txt[i] != NULL ? &txt[i][q] : NULL;
			if (txtp[i] != NULL && txtp[i]->ms > v->ms)
				v->ms = txtp[i]->ms;
		}
		v->has_serial = soap[q] != NULL &&
		    soap[q]->status == DNS_ANSWER;
		v->serial = v->has_serial ? soap[q]->serial : 0;
		strlist_clear(&last[vi[q]]);
		miss = challenge_dns_judge(w->apex, batch, n, &w->names, txtp,
		    soap[q], pserial, &ask[q], &last[vi[q]]);
		v->missing = miss;
		free(v->detail);
		v->detail = NULL;
		if (miss > 0) {
			v->detail = xstrdup(last[vi[q]].v[0]);
			continue;
		}
		v->served = true;
		v->served_after = now_s() - t0;
		label = server_label(v->name, v->addr);
		sslm_log(SSLM_LOG_INFO, " ok: %s serial %u after %.2f s "
		    "(try %d, %s)", label, (unsigned)v->serial,
		    v->served_after, v->tries, v->apex);
		free(label);
	}
out:
	dns_results_free(grid, nqs * nq);
	for (i = 0; i < nqs; i++)
		free(qn[i]);
	free(qn);
	free(qt);
	free(txt);
	free(txtp);
	free(soap);
	free(ask);
	free(vi);
	return r;
}

int
challenge_dns_wait(const struct sslm_config *cfg,
    struct dns_zone *const *zones, size_t nzones,
    const struct chal_dns *batch, size_t n,
    const struct chal_wait_opts *opts, struct chal_dns_report *rep)
{
	struct chal_wait_opts	 o;
	struct strlist		 apexes = { 0 }, *last = NULL;
	struct wapex		*w = NULL;
	struct chal_srv_view	*v;
	char			*text, *label;
	double			 t0, last_info = 0;
	long			 sl, pre_ms, limit_ms, left;
	size_t			 i, j, k, total, nv = 0, pending;
	int			 r = 0, step = 0, tmo;
	bool			 backoff, in_pre;

	memset(rep, 0, sizeof(*rep));
	t0 = now_s();
	challenge_wait_opts_init(&o);
	if (opts != NULL)
		o = *opts;
	if (o.pre_delay_s < 0)
		o.pre_delay_s = cfg->dns_check_delay > 0 ?
		    cfg->dns_check_delay : 0;
	if (o.limit_s <= 0)
		o.limit_s = CHAL_WAIT_LIMIT;
	if (o.poll_ms <= 0)
		o.poll_ms = CHAL_POLL_MS;
	if (o.timeout_ms <= 0)
		o.timeout_ms = CHAL_QUERY_TIMEOUT_MS;
	if (o.retries < 0)
		o.retries = 0;
	pre_ms = (long)o.pre_delay_s * 1000;
	limit_ms = (long)o.limit_s * 1000;

	challenge_dns_apexes(batch, n, &apexes);
	w = xcalloc(apexes.n + 1, sizeof(*w));
	for (i = 0; i < apexes.n; i++) {
		/* The same checks as the file's: a bad batch never waits. */
		if ((r = challenge_dns_text(apexes.v[i], batch, n,
		    &text)) != 0)
			goto out;
		free(text);
		w[i].apex = apexes.v[i];
		for (j = 0; j < nzones && w[i].zone == NULL; j++)
			if (zones[j] != NULL && same_apex(zones[j]->apex,
			    apexes.v[i]))
				w[i].zone = zones[j];
		if (w[i].zone == NULL) {
			sslm_log(SSLM_LOG_ERR, "dns-01: %s: no name servers "
			    "known for the zone", apexes.v[i]);
			r = SSLM_ERR_USAGE;
			goto out;
		}
		challenge_dns_names(batch, n, apexes.v[i], &w[i].names);
		w[i].first = nv;
		w[i].nviews = 1 + w[i].zone->n_servers;
		nv += w[i].nviews;
	}
	rep->views = xcalloc(nv + 1, sizeof(*rep->views));
	last = xcalloc(nv + 1, sizeof(*last));
	for (i = 0; i < apexes.n; i++) {
		total = 0;
		for (j = 0; j < n; j++)
			if (same_apex(batch[j].apex, w[i].apex))
				total++;
		view_init(&rep->views[w[i].first], w[i].apex,
		    &w[i].zone->primary, total);
		for (k = 0; k < w[i].zone->n_servers; k++)
			view_init(&rep->views[w[i].first + 1 + k], w[i].apex,
			    &w[i].zone->servers[k], total);
	}
	rep->n = nv;
	sslm_log(SSLM_LOG_INFO, "dns-01: waiting for %zu server(s) to serve "
	    "%zu challenge(s) (pre-wait up to %d s, limit %d s)", nv, n,
	    o.pre_delay_s, o.limit_s);

	for (;;) {
		rep->passes++;
		for (i = 0; i < apexes.n; i++) {
			/* A dead server must not carry a pass far past the
			 * limit: the tries share the time that is left. */
			tmo = o.timeout_ms;
			left = limit_ms - (long)((now_s() - t0) * 1000);
			if (left / (o.retries + 1) < tmo)
				tmo = left / (o.retries + 1) > 200 ?
				    (int)(left / (o.retries + 1)) : 200;
			if ((r = pass_apex(&w[i], batch, n, &o, tmo, rep, last,
			    t0)) != 0)
				goto out;
		}
		rep->elapsed = now_s() - t0;
		for (pending = 0, i = 0; i < nv; i++)
			if (!rep->views[i].served)
				pending++;
		rep->ok = pending == 0;
		if (o.progress != NULL)
			o.progress(o.ctx, rep);
		if (rep->ok) {
			sslm_log(SSLM_LOG_INFO, "dns-01: all %zu server(s) "
			    "serve every challenge after %.2f s (%d passes)",
			    nv, rep->elapsed, rep->passes);
			goto out;
		}
		/* The fast polls of the pre-wait are logged every 5 s. */
		in_pre = rep->elapsed * 1000 < (double)pre_ms;
		if (!in_pre || rep->passes == 1 ||
		    rep->elapsed - last_info >= 5.0) {
			last_info = rep->elapsed;
			for (i = 0; i < nv; i++) {
				v = &rep->views[i];
				if (v->served)
					continue;
				label = server_label(v->name, v->addr);
				sslm_log(SSLM_LOG_INFO, " pending: %s try %d "
				    "(%s)", label, v->tries, v->apex);
				free(label);
			}
		}
		sl = challenge_next_sleep_ms((long)(rep->elapsed * 1000),
		    pre_ms, limit_ms, o.poll_ms, step, &backoff);
		if (sl < 0)
			break;
		if (backoff)
			step++;
		sleep_ms(sl);
	}

	for (i = 0; i < nv; i++) {
		v = &rep->views[i];
		if (v->served)
			continue;
		for (j = 0; j < last[i].n; j++)
			strlist_add(&rep->failures, last[i].v[j]);
		if (last[i].n == 0) {
			label = server_label(v->name, v->addr);
			strlist_add_nodup(&rep->failures, xasprintf("%s: "
			    "never asked", label));
			free(label);
		}
	}
	sslm_log(SSLM_LOG_ERR, "Error: dns-01: name server(s) not updated "
	    "after %.0f s (%d passes):", rep->elapsed, rep->passes);
	for (i = 0; i < rep->failures.n; i++)
		sslm_log(SSLM_LOG_ERR, "  %s", rep->failures.v[i]);
	r = SSLM_ERR_TIMEOUT;
out:
	for (i = 0; i < apexes.n && w != NULL; i++)
		strlist_clear(&w[i].names);
	for (i = 0; i < nv && last != NULL; i++)
		strlist_clear(&last[i]);
	free(last);
	free(w);
	strlist_clear(&apexes);
	return r;
}
