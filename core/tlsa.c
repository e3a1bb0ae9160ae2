/*
 * tlsa.c - DANE TLSA records (spec §14): a service's <db>/tlsa.rr and
 * the parser of it and of the group file (tlsa-group.c writes that one:
 * certs/<grp>/tlsa.<grp>, its change detection and tlsa_dirs copies).
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
#include "tlsa-int.h"
#include "x509.h"

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
int
tlsa_parse_spans(const char *text, const char *name, rec_cb cb, void *arg)
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

int
tlsa_set_add_span(void *arg, struct rec_span *sp)
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
	return tlsa_parse_spans(text, name, tlsa_set_add_span, set);
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
