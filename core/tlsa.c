/*
 * tlsa.c - DANE TLSA records (spec §14): a service's <db>/tlsa.rr, the
 * group's certs/<grp>/tlsa.<grp> with its change detection and copies to
 * [dns] tlsa_dirs, and the parser of both files.
 *
 * Invariant: every file this module writes parses back with tlsa_parse()
 * to exactly the records it meant to publish, with no (owner, rdata) pair
 * twice; commented-out duplicates are whole records, so the zone that
 * $INCLUDEs the group file stays valid.  Files change only through
 * store_write_file()/store_copy_file() (atomic).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "err.h"
#include "fault.h"
#include "log.h"
#include "store.h"
#include "tlsa.h"
#include "x509.h"

/* One record as found in a text: its lines and what they say. */
struct rec_span {
	const char	*start;		/* first character of its first line */
	const char	*end;		/* end of its last line (no newline) */
	char		*owner;
	char		*rdata;
};

/* A group file holds several tlsa.rr files (curr and next of each). */
#define TLSA_GROUP_MAX	(4 * TLSA_RR_MAX)

typedef int	(*rec_cb)(void *, struct rec_span *);

static char	*host_owner(const char *);
static bool	 is_hex(const char *);
static char	*rdata_zone(const struct sslm_dane *, const char *);
static int	 emit_rec(struct buf *, struct strlist *, const char *,
		    int, const char *, const char *);
static int	 emit_comment(struct buf *, struct strlist *, const char *);
static int	 rr_hosts(const struct sslm_service_cfg *,
		    const struct strlist *, struct strlist *,
		    struct strlist *, struct buf *, struct strlist *);
static int	 rr_entry(X509 *, const struct sslm_service_cfg *,
		    const struct sslm_dane *, const char *,
		    const struct strlist *, const struct strlist *,
		    struct buf *, struct strlist *);
static int	 rec_finish(struct strlist *, struct rec_span *);
static int	 parse_spans(const char *, const char *, rec_cb, void *);
static int	 set_add_cb(void *, struct rec_span *);
static int	 group_add_cb(void *, struct rec_span *);
static int	 group_add_file(struct buf *, struct tlsa_set *,
		    struct tlsa_group *, const char *, const char *,
		    const char *);
static int	 copy_to_dirs(const char *, const char *,
		    const struct strlist *, bool, bool *);

/*
 * A host name as a TLSA owner suffix: lower case with the trailing dot.
 * DNS names are case-insensitive and dns_zone gives them undotted, config
 * SANs as written, so both must meet in one form before comparing.
 */
static char *
host_owner(const char *host)
{
	size_t	 len = strlen(host);
	char	*s;

	s = xasprintf("%s%s", host, len > 0 && host[len - 1] == '.' ?
	    "" : ".");
	for (char *p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

static bool
is_hex(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

/*
 * The RDATA as written in the zone file: one line below TLSA_WRAP hex
 * characters, otherwise upstream's "( u s m" with the hex in 72-character
 * chunks on lines of their own, indented TLSA_INDENT spaces, and " )" after
 * the last chunk.
 */
static char *
rdata_zone(const struct sslm_dane *d, const char *hex)
{
	struct buf	 b;
	size_t		 len = strlen(hex), off, n;
	char		*s;

	if (len < TLSA_WRAP)
		return xasprintf("%d %d %d %s", d->usage, d->selector,
		    d->mtype, hex);
	buf_init(&b, TLSA_RR_MAX);
	(void)buf_printf(&b, "( %d %d %d", d->usage, d->selector, d->mtype);
	for (off = 0; off < len; off += n) {
		n = len - off < TLSA_WRAP ? len - off : TLSA_WRAP;
		(void)buf_printf(&b, "\n%*s%.*s", TLSA_INDENT, "", (int)n,
		    hex + off);
	}
	(void)buf_printf(&b, " )");
	s = xstrdup(b.p);
	buf_free(&b);
	return s;
}

/*
 * Appends "<owner> [<ttl> ]IN TLSA <rdata>" unless the same owner already
 * has the same data (seen holds "owner flat-rdata" keys).  Upstream
 * repeated the apex when it was also an MX host or a SAN (spec §19.12).
 */
static int
emit_rec(struct buf *b, struct strlist *seen, const char *owner, int ttl,
    const char *flat, const char *zone)
{
	char	*key = xasprintf("%s %s", owner, flat);

	if (strlist_has(seen, key)) {
		free(key);
		return 0;
	}
	strlist_add_nodup(seen, key);
	if (ttl > 0)
		return buf_printf(b, "%s %d IN TLSA %s\n", owner, ttl, zone);
	return buf_printf(b, "%s IN TLSA %s\n", owner, zone);
}

static int
emit_comment(struct buf *b, struct strlist *seen, const char *text)
{
	if (strlist_has(seen, text))
		return 0;
	strlist_add(seen, text);
	return buf_printf(b, "%s\n", text);
}

/*
 * The host names that get records besides the apex, as owner suffixes:
 * the MX hosts, and the SANs that can be owner names.  A wildcard SAN
 * would give "_443._tcp.*.example.com.", a literal "*" label that no
 * client ever asks for (a wildcard is one only as the leftmost label of
 * a record's own name), and an IP SAN is no DNS name at all: both are
 * left out with a note in the file, so the omission is visible.
 */
static int
rr_hosts(const struct sslm_service_cfg *svc, const struct strlist *mx_hosts,
    struct strlist *mx, struct strlist *sans, struct buf *b,
    struct strlist *seen)
{
	const char	*h;
	char		*note;
	int		 r = 0;

	/* "." is a null MX (RFC 7505): the domain takes no mail. */
	for (size_t i = 0; mx_hosts != NULL && i < mx_hosts->n; i++) {
		h = mx_hosts->v[i];
		if (*h != '\0' && strcmp(h, ".") != 0)
			strlist_add_nodup(mx, host_owner(h));
	}
	for (size_t i = 0; i < svc->sans.n && r == 0; i++) {
		h = svc->sans.v[i];
		if (strchr(h, '*') == NULL && !is_ip_literal(h)) {
			strlist_add_nodup(sans, host_owner(h));
			continue;
		}
		note = xasprintf(";; %s SAN %s has no TLSA owner name - "
		    "skipped", strchr(h, '*') != NULL ? "wildcard" : "IP", h);
		r = emit_comment(b, seen, note);
		free(note);
	}
	return r;
}

/* The records of one dane_tls entry: the apex, then each host. */
static int
rr_entry(X509 *cert, const struct sslm_service_cfg *svc,
    const struct sslm_dane *d, const char *apex_o, const struct strlist *mx,
    const struct strlist *sans, struct buf *b, struct strlist *seen)
{
	const struct strlist	*hosts;
	char			*hex = NULL, *flat = NULL, *zone = NULL;
	char			*proto = NULL, *owner;
	int			 r;

	if ((r = x509_tlsa_data(cert, d->selector, d->mtype, &hex)) != 0) {
		sslm_log(SSLM_LOG_ERR, "%s:%s: TLSA data %d %d %d: %s",
		    svc->grp, svc->svc, d->usage, d->selector, d->mtype,
		    sslm_strerror(r));
		goto out;
	}
	flat = xasprintf("%d %d %d %s", d->usage, d->selector, d->mtype, hex);
	zone = rdata_zone(d, hex);
	/* Port 25 means MX hosts unless SANS is asked for (§19.12). */
	hosts = str_ieq(d->subtype, "MX") || (d->port == 25 &&
	    !str_ieq(d->subtype, "SANS")) ? mx : sans;
	proto = xstrdup(d->proto);
	for (char *p = proto; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	for (size_t j = 0; j <= hosts->n && r == 0; j++) {
		owner = xasprintf("_%d._%s.%s", d->port, proto,
		    j == 0 ? apex_o : hosts->v[j - 1]);
		r = emit_rec(b, seen, owner, svc->dane_tls_ttl, flat, zone);
		free(owner);
	}
out:
	free(hex);
	free(flat);
	free(zone);
	free(proto);
	return r;
}

int
tlsa_rr_text(X509 *cert, const struct sslm_service_cfg *svc,
    const char *apex, const struct strlist *mx_hosts, const char *label,
    char **text)
{
	struct strlist	 seen = { 0 }, sans = { 0 }, mx = { 0 };
	struct buf	 b;
	char		*apex_o;
	int		 r;

	/* What we write must be readable back (TLSA_RR_MAX). */
	buf_init(&b, TLSA_RR_MAX);
	apex_o = host_owner(apex);
	r = buf_printf(&b, ";;\n;; tlsa %s %s %s\n;;\n", apex, svc->svc,
	    label);
	if (r == 0 && cert == NULL && svc->n_dane > 0)
		sslm_log(SSLM_LOG_WARN, " %s tlsa: bad or missing cert - "
		    "skipping", apex);
	else if (r == 0)
		r = rr_hosts(svc, mx_hosts, &mx, &sans, &b, &seen);
	for (size_t i = 0; cert != NULL && i < svc->n_dane && r == 0; i++)
		r = rr_entry(cert, svc, &svc->dane[i], apex_o, &mx, &sans,
		    &b, &seen);
	if (r == SSLM_ERR_TOOBIG)
		sslm_log(SSLM_LOG_ERR, "%s:%s: tlsa.rr larger than %d bytes",
		    svc->grp, svc->svc, TLSA_RR_MAX);
	if (r == 0)
		*text = xstrdup(b.p);
	free(apex_o);
	strlist_clear(&seen);
	strlist_clear(&sans);
	strlist_clear(&mx);
	buf_free(&b);
	return r;
}

int
tlsa_rr_write(const char *dbdir, const struct sslm_service_cfg *svc,
    const char *apex, const struct strlist *mx_hosts, time_t now)
{
	const char	*base;
	X509		*cert = NULL;
	char		 label[32];
	char		*certpath = NULL, *path = NULL, *text = NULL;
	int		 r = 0;

	if (svc->n_dane == 0)
		goto out;
	base = strrchr(dbdir, '/');
	base = base != NULL ? base + 1 : dbdir;
	if (store_is_date_name(base))
		snprintf(label, sizeof(label), "%s", base);
	else
		store_date_name(now, label, sizeof(label));
	certpath = path_join(dbdir, "cert.pem");
	/* A missing or bad cert is upstream's warning and a header. */
	if (x509_load_cert(certpath, &cert) != 0)
		cert = NULL;
	if ((r = tlsa_rr_text(cert, svc, apex, mx_hosts, label,
	    &text)) != 0)
		goto out;
	path = path_join(dbdir, TLSA_RR_FILE);
	if ((r = store_write_file(path, text, strlen(text),
	    STORE_FILE_MODE)) != 0)
		goto out;
	sslm_log(SSLM_LOG_INFO, "%s:%s: wrote %s", svc->grp, svc->svc, path);
out:
	X509_free(cert);
	free(certpath);
	free(path);
	free(text);
	return r;
}

/*
 * Turns the tokens of one record into owner and rdata: "owner [ttl] [IN]
 * [ttl] TLSA u s m hex..." (RFC 1035 lets TTL and class come in either
 * order; RFC 6698 lets the hex be split by white space).
 */
static int
rec_finish(struct strlist *t, struct rec_span *sp)
{
	struct buf	 hex;
	size_t		 i = 1, k;
	char		*end;
	long		 f[3];
	bool		 ttl = false;
	int		 r = SSLM_ERR_PARSE;

	buf_init(&hex, TLSA_RR_MAX);
	if (t->n < 1 || t->v[0][strlen(t->v[0]) - 1] != '.')
		goto out;
	for (k = 0; k < 2 && i < t->n; k++) {
		if (!ttl && isdigit((unsigned char)t->v[i][0])) {
			ttl = true;
			i++;
		} else if (str_ieq(t->v[i], "IN"))
			i++;
	}
	if (i >= t->n || !str_ieq(t->v[i], "TLSA"))
		goto out;
	i++;
	for (k = 0; k < 3; k++, i++) {
		if (i >= t->n || !isdigit((unsigned char)t->v[i][0]))
			goto out;
		errno = 0;
		f[k] = strtol(t->v[i], &end, 10);
		if (*end != '\0' || errno != 0 || f[k] > 255)
			goto out;
	}
	for (; i < t->n; i++) {
		if (!is_hex(t->v[i]))
			goto out;
		if (buf_add(&hex, t->v[i], strlen(t->v[i])) != 0)
			goto out;
	}
	if (hex.len == 0 || hex.len % 2 != 0)
		goto out;
	for (char *p = hex.p; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	sp->owner = host_owner(t->v[0]);
	sp->rdata = xasprintf("%ld %ld %ld %s", f[0], f[1], f[2], hex.p);
	r = 0;
out:
	buf_free(&hex);
	return r;
}

/*
 * Splits zone-file text into records and calls cb for each with its span
 * of lines.  Comments run from ';' to the end of the line; '(' and ')'
 * continue a record over lines.  A line that starts with white space
 * outside parentheses (zone syntax for "same owner") is not our format and
 * is refused rather than guessed at.
 */
static int
parse_spans(const char *text, const char *name, rec_cb cb, void *arg)
{
	struct strlist	 tok = { 0 };
	struct rec_span	 sp = { 0 };
	const char	*line = text, *eol, *p, *q;
	int		 depth = 0, lineno = 0, first = 0, bad = 0, r = 0;

	for (; *line != '\0'; line = *eol == '\n' ? eol + 1 : eol) {
		lineno++;
		if ((eol = strchr(line, '\n')) == NULL)
			eol = line + strlen(line);
		for (p = line; p < eol && *p != ';' && isspace(
		    (unsigned char)*p); p++)
			;
		if ((p == eol || *p == ';') && depth == 0)
			continue;
		if (p != eol && *p != ';' && depth == 0 && p != line) {
			bad = lineno;
			goto out;
		}
		if (tok.n == 0 && depth == 0) {
			sp.start = line;
			first = lineno;
		}
		for (p = line; p < eol && *p != ';'; p = q) {
			q = p + 1;
			if (isspace((unsigned char)*p))
				continue;
			if (*p == '(' || *p == ')') {
				depth += *p == '(' ? 1 : -1;
				if (depth < 0 || depth > 1) {
					bad = lineno;
					goto out;
				}
				continue;
			}
			for (q = p; q < eol && *q != ';' && *q != '(' &&
			    *q != ')' && !isspace((unsigned char)*q); q++)
				;
			strlist_add_nodup(&tok, xstrndup(p, (size_t)(q - p)));
		}
		if (depth > 0 || tok.n == 0)
			continue;
		sp.end = eol;
		if (rec_finish(&tok, &sp) != 0) {
			bad = first;
			goto out;
		}
		strlist_clear(&tok);
		r = cb(arg, &sp);
		free(sp.owner);
		free(sp.rdata);
		sp.owner = sp.rdata = NULL;
		if (r != 0)
			goto out;
	}
	if (depth != 0 || tok.n != 0)
		bad = first;
out:
	if (bad != 0) {
		sslm_log(SSLM_LOG_ERR, "%s:%d: not a TLSA record", name, bad);
		r = SSLM_ERR_PARSE;
	}
	strlist_clear(&tok);
	return r;
}

static int
set_add_cb(void *arg, struct rec_span *sp)
{
	struct tlsa_set	*set = arg;

	if (tlsa_set_has(set, sp->owner, sp->rdata))
		return 0;
	set->v = xreallocarray(set->v, set->n + 1, sizeof(*set->v));
	set->v[set->n].owner = sp->owner;
	set->v[set->n].rdata = sp->rdata;
	set->n++;
	sp->owner = sp->rdata = NULL;
	return 0;
}

int
tlsa_parse(const char *text, const char *name, struct tlsa_set *set)
{
	return parse_spans(text, name, set_add_cb, set);
}

int
tlsa_parse_file(const char *path, struct tlsa_set *set)
{
	char	*text = NULL;
	int	 r;

	if ((r = read_file(path, TLSA_GROUP_MAX, &text, NULL)) != 0) {
		if (r != SSLM_ERR_NOTFOUND)
			sslm_log(SSLM_LOG_ERR, "%s: read: %s", path,
			    sslm_strerror(r));
		goto out;
	}
	r = tlsa_parse(text, path, set);
out:
	free(text);
	return r;
}

bool
tlsa_set_has(const struct tlsa_set *set, const char *owner,
    const char *rdata)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->v[i].owner, owner) == 0 &&
		    strcmp(set->v[i].rdata, rdata) == 0)
			return true;
	return false;
}

void
tlsa_set_owners(const struct tlsa_set *set, struct strlist *out)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strlist_has(out, set->v[i].owner))
			strlist_add(out, set->v[i].owner);
}

void
tlsa_set_free(struct tlsa_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n; i++) {
		free(set->v[i].owner);
		free(set->v[i].rdata);
	}
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

void
tlsa_hash_text(const char *text, size_t len, char hex[TLSA_HASH_HEXLEN])
{
	static const char	 digits[] = "0123456789abcdef";
	const char		*p = text, *end = text + len, *eol, *a, *z;
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0;
	EVP_MD_CTX		*ctx;

	/* Hashing cannot fail short of memory, which is fatal anyway. */
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		sslm_log_crypto("SHA-256");
		abort();
	}
	for (; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		for (a = p; a < eol && isspace((unsigned char)*a); a++)
			;
		for (z = eol; z > a && isspace((unsigned char)z[-1]); z--)
			;
		if (a == z || *a == ';')
			continue;
		(void)EVP_DigestUpdate(ctx, a, (size_t)(z - a));
		(void)EVP_DigestUpdate(ctx, "\n", 1);
	}
	(void)EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	for (unsigned int i = 0; i < mdlen && i < 32; i++) {
		hex[i * 2] = digits[md[i] >> 4];
		hex[i * 2 + 1] = digits[md[i] & 0xf];
	}
	hex[64] = '\0';
}

int
tlsa_hash_file(const char *path, char hex[TLSA_HASH_HEXLEN])
{
	char	*text = NULL;
	size_t	 len;
	int	 r;

	if ((r = read_file(path, TLSA_GROUP_MAX, &text, &len)) != 0) {
		if (r != SSLM_ERR_NOTFOUND)
			sslm_log(SSLM_LOG_ERR, "%s: read: %s", path,
			    sslm_strerror(r));
		goto out;
	}
	tlsa_hash_text(text, len, hex);
out:
	free(text);
	return r;
}

/* State of one tlsa.rr being merged into the group text. */
struct group_add {
	struct buf	*b;
	struct tlsa_set	*seen;
	size_t		 n_new;		/* records not seen before */
	size_t		 n_all;
};

/*
 * Emits one record of a tlsa.rr.  A record already emitted (same owner
 * and data: a key reused across curr and next) is kept as a comment, as
 * upstream did, but as a whole: upstream commented single lines, and the
 * continuation lines of two wrapped records are equal while their owner
 * lines are not, which left a "(" without its ")" in the zone.
 */
static int
group_add_cb(void *arg, struct rec_span *sp)
{
	struct group_add	*g = arg;
	const char		*p = sp->start, *eol;
	bool			 dup;

	dup = tlsa_set_has(g->seen, sp->owner, sp->rdata);
	for (;;) {
		if ((eol = memchr(p, '\n', (size_t)(sp->end - p))) == NULL)
			eol = sp->end;
		if (buf_printf(g->b, "%s%.*s\n", dup ? ";; " : "",
		    (int)(eol - p), p) != 0)
			return SSLM_ERR_TOOBIG;
		if (eol == sp->end)
			break;
		p = eol + 1;
	}
	g->n_all++;
	if (!dup) {
		g->n_new++;
		return set_add_cb(g->seen, sp);
	}
	return 0;
}

/*
 * Adds <grpdir>/<svc>/<link>/tlsa.rr to the group text when the link and
 * the file exist and hold records; a link that is not a symlink is
 * absent, as everywhere in the store.
 */
static int
group_add_file(struct buf *b, struct tlsa_set *seen, struct tlsa_group *grp,
    const char *grpdir, const char *svc, const char *link)
{
	struct group_add	 g = { 0 };
	struct buf		 sec;
	struct stat		 st;
	char			*svcdir, *target = NULL, *path = NULL;
	char			*text = NULL;
	int			 r;

	buf_init(&sec, TLSA_GROUP_MAX);
	svcdir = path_join(grpdir, svc);
	if ((r = store_link_get(svcdir, link, &target)) != 0) {
		if (r == SSLM_ERR_NOTFOUND || r == SSLM_ERR_STATE)
			r = 0;
		goto out;
	}
	path = xasprintf("%s/db/%s/%s", svcdir, target, TLSA_RR_FILE);
	if ((r = read_file(path, TLSA_RR_MAX, &text, NULL)) != 0) {
		if (r == SSLM_ERR_NOTFOUND)
			r = 0;
		else
			sslm_log(SSLM_LOG_ERR, "%s: read: %s", path,
			    sslm_strerror(r));
		goto out;
	}
	if (stat(path, &st) == -1) {
		sslm_log(SSLM_LOG_ERR, "%s: stat: %s", path, strerror(errno));
		r = SSLM_ERR_IO;
		goto out;
	}
	(void)buf_printf(&sec, ";;\n;; %s %s\n;;\n", svc, link);
	g.b = &sec;
	g.seen = seen;
	if ((r = parse_spans(text, path, group_add_cb, &g)) != 0)
		goto out;
	/* A tlsa.rr without records (no cert) contributes nothing. */
	if (g.n_all == 0)
		goto out;
	if ((r = buf_add(b, sec.p, sec.len)) != 0) {
		sslm_log(SSLM_LOG_ERR, "%s: group TLSA text larger than %d "
		    "bytes", path, TLSA_GROUP_MAX);
		goto out;
	}
	grp->n_records += g.n_new;
	if (!grp->has_times || st.st_mtim.tv_sec > grp->times[1].tv_sec ||
	    (st.st_mtim.tv_sec == grp->times[1].tv_sec &&
	    st.st_mtim.tv_nsec > grp->times[1].tv_nsec)) {
		grp->times[0] = st.st_atim;
		grp->times[1] = st.st_mtim;
		grp->has_times = true;
	}
out:
	buf_free(&sec);
	free(svcdir);
	free(target);
	free(path);
	free(text);
	return r;
}

int
tlsa_group_build(const char *grpdir, const char *apex,
    const struct strlist *services, enum tlsa_phase phase,
    struct tlsa_group *out)
{
	static const char *const links[] = { "curr", "next" };
	struct tlsa_group	 g = { 0 };
	struct tlsa_set		 seen = { 0 };
	struct strlist		 svcs = { 0 };
	struct buf		 b;
	const char		*s;
	int			 r = 0;

	buf_init(&b, TLSA_GROUP_MAX);
	/* Union of command line and config: sorted, each name once. */
	for (size_t i = 0; i < services->n; i++) {
		s = services->v[i];
		if (*s == '\0' || *s == '.' || strchr(s, '/') != NULL ||
		    strlist_has(&svcs, s))
			continue;
		strlist_add(&svcs, s);
	}
	strlist_sort(&svcs);
	(void)buf_printf(&b, ";;\n;; TLSA %s : phase = %s\n;;\n", apex,
	    phase == TLSA_PHASE_ROLL ? "roll next to curr" : "normal");
	for (size_t i = 0; i < svcs.n; i++)
		for (size_t j = 0; j < 2; j++)
			if ((r = group_add_file(&b, &seen, &g, grpdir,
			    svcs.v[i], links[j])) != 0)
				goto out;
	if ((r = buf_printf(&b, "\n")) != 0)
		goto out;
	g.len = b.len;
	g.text = xstrdup(b.p);
	*out = g;
out:
	tlsa_set_free(&seen);
	strlist_clear(&svcs);
	buf_free(&b);
	return r;
}

void
tlsa_group_free(struct tlsa_group *g)
{
	if (g == NULL)
		return;
	free(g->text);
	g->text = NULL;
	g->len = 0;
}

char *
tlsa_group_path(const char *grpdir, const char *grp)
{
	return xasprintf("%s/tlsa.%s", grpdir, grp);
}

/*
 * Copies the group file to every tlsa_dirs directory: all of them when it
 * was just rewritten, otherwise only those whose copy is missing or holds
 * other records (an earlier run failed half-way, or someone edited it),
 * so that a failed copy is retried instead of forgotten.  A directory that
 * does not exist is an error: creating it would guess its owner and mode
 * for the DNS server.
 */
static int
copy_to_dirs(const char *src, const char *hash, const struct strlist *dirs,
    bool wrote, bool *copied)
{
	struct stat	 st;
	const char	*base;
	char		 h[TLSA_HASH_HEXLEN];
	char		*dst = NULL, *prefix;
	int		 r = 0, hr, swept;

	base = strrchr(src, '/');
	base = base != NULL ? base + 1 : src;
	prefix = xasprintf("%s.", base);
	for (size_t i = 0; i < dirs->n; i++) {
		free(dst);
		dst = path_join(dirs->v[i], base);
		if (stat(dirs->v[i], &st) == -1 || !S_ISDIR(st.st_mode)) {
			sslm_log(SSLM_LOG_ERR, "tlsa_dirs %s: not a directory",
			    dirs->v[i]);
			r = SSLM_ERR_NOTFOUND;
			goto out;
		}
		/* Only our own file's temporaries: the dir is the DNS's. */
		if ((r = store_sweep_temps(dirs->v[i], prefix, &swept)) != 0)
			goto out;
		if (!wrote) {
			hr = tlsa_hash_file(dst, h);
			if (hr == 0 && strcmp(h, hash) == 0)
				continue;
			sslm_log(SSLM_LOG_NOTE, "%s: %s - recopying", dst,
			    hr == SSLM_ERR_NOTFOUND ? "missing" : "differs");
		}
		if ((r = sslm_fault("tlsa:before-dir-copy")) != 0 ||
		    (r = store_copy_file(src, dst, STORE_FILE_MODE)) != 0 ||
		    (r = sslm_fault("tlsa:after-dir-copy")) != 0)
			goto out;
		sslm_log(SSLM_LOG_INFO, "copied %s to %s", src, dirs->v[i]);
		*copied = true;
	}
out:
	free(prefix);
	free(dst);
	return r;
}

int
tlsa_group_update(const char *grpdir, const char *grp, const char *apex,
    const struct strlist *services, enum tlsa_phase phase,
    const struct strlist *tlsa_dirs, bool *changed)
{
	struct tlsa_group	 g = { 0 };
	char			 oldh[TLSA_HASH_HEXLEN], newh[TLSA_HASH_HEXLEN];
	char			*path, *prefix;
	bool			 exists, wrote = false, copied = false;
	int			 r, swept;

	path = tlsa_group_path(grpdir, grp);
	prefix = xasprintf("tlsa.%s.", grp);
	/* A killed run's temporary of this file (store_recover only sweeps
	 * the service trees). */
	if ((r = store_sweep_temps(grpdir, prefix, &swept)) != 0 ||
	    (r = tlsa_group_build(grpdir, apex, services, phase, &g)) != 0)
		goto out;
	tlsa_hash_text(g.text, g.len, newh);
	r = tlsa_hash_file(path, oldh);
	if (r != 0 && r != SSLM_ERR_NOTFOUND)
		goto out;
	exists = r == 0;
	r = 0;
	/*
	 * Written when the records changed; never created without records
	 * (upstream 3.6.0).  Upstream left a stale file when DANE was
	 * removed (spec §19.13), so the zone kept publishing records of a
	 * cert that was gone; a header-only file withdraws them.
	 */
	if (exists ? strcmp(oldh, newh) != 0 : g.n_records > 0) {
		if ((r = store_write_file(path, g.text, g.len,
		    STORE_FILE_MODE)) != 0 ||
		    (r = sslm_fault("tlsa:after-group-write")) != 0)
			goto out;
		/* Upstream's mtime: that of the newest tlsa.rr.  A crash
		 * before this only leaves a newer mtime, which nothing
		 * decides on (changes are found by hash). */
		if (g.has_times && utimensat(AT_FDCWD, path, g.times, 0) == -1)
			sslm_log(SSLM_LOG_WARN, "%s: utimensat: %s", path,
			    strerror(errno));
		wrote = exists = true;
		sslm_log(SSLM_LOG_NOTE, "%s: TLSA records changed (%zu "
		    "record%s)", path, g.n_records,
		    g.n_records == 1 ? "" : "s");
	}
	/*
	 * Upstream failed the group without tlsa_dirs.  The group file is
	 * still right and the zone may read it in place, so a warning.
	 */
	if (tlsa_dirs == NULL)
		;	/* the caller copies later (after the restarts) */
	else if (exists && tlsa_dirs->n == 0) {
		if (wrote)
			sslm_log(SSLM_LOG_WARN, "Warning: %s: no [dns] "
			    "tlsa_dirs - TLSA records not copied", grp);
	} else if (exists && (r = copy_to_dirs(path, newh, tlsa_dirs, wrote,
	    &copied)) != 0)
		goto out;
	*changed = wrote || copied;
out:
	tlsa_group_free(&g);
	free(prefix);
	free(path);
	return r;
}
