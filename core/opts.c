/*
 * opts.c - upstream-compatible option parsing (spec §2.2-§2.4).
 *
 * One table lists every option with both spellings; matching is exact
 * first, then by unambiguous prefix among spellings with the same number of
 * leading dashes, as Python's argparse does for upstream.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "opts.h"

enum opt_kind { OPT_FLAG, OPT_INT };

struct opt_def {
	const char	*shortname;	/* "-renew" */
	const char	*longname;	/* "--renew" */
	enum opt_kind	 kind;
	bool		 dev_only;
	size_t		 flag_off;	/* offsetof the bool */
	size_t		 int_off;	/* offsetof the int (OPT_INT) */
	const char	*metavar;
	const char	*help;
};

#define F(m)	offsetof(struct sslm_opts, m)

static const struct opt_def opt_table[] = {
	{ "-cert", "--new-cert", OPT_FLAG, true, F(new_cert), 0, NULL,
	  "Make new cert in next (with -keys -csr in one run)" },
	{ "-certs-prod", "--certs-to-prod", OPT_FLAG, true, F(certs_to_prod), 0,
	  NULL, "Force copy certs to production (and remote servers)" },
	{ "-clean-all", "--clean-all", OPT_FLAG, false, F(clean_all), 0, NULL,
	  "Clean database dirs of every group and service" },
	{ "-clean-keep", "--clean-keep", OPT_INT, false, F(clean_keep_set),
	  F(clean_keep), "N", "Keep the newest N db dirs (default: config "
	  "clean_keep, else 10)" },
	{ "-copy", "--copy-csr", OPT_FLAG, true, F(copy_csr), 0, NULL,
	  "Copy curr key and CSR to next (reuse)" },
	{ "-csr", "--new-csr", OPT_FLAG, true, F(new_csr), 0, NULL,
	  "Make new CSR in next" },
	{ "-d", "--debug", OPT_FLAG, false, F(debug), 0, NULL,
	  "Print what would run instead of running external commands" },
	{ "-dns", "--dns-refresh", OPT_FLAG, false, F(dns_refresh), 0, NULL,
	  "Accepted for compatibility; has no effect (as upstream)" },
	{ "-f", "--force", OPT_FLAG, false, F(force), 0, NULL,
	  "Force renew or roll" },
	{ "-fsr", "--force-server-restarts", OPT_FLAG, true,
	  F(force_server_restarts), 0, NULL,
	  "Restart every configured server" },
	{ "-h", "--help", OPT_FLAG, false, F(help), 0, NULL,
	  "Show this help and exit" },
	{ "-json", "--json", OPT_FLAG, false, F(json), 0, NULL,
	  "With -s: print the status as JSON" },
	{ "-keys", "--new-keys", OPT_FLAG, true, F(new_keys), 0, NULL,
	  "Make new key pair in next" },
	{ "-n", "--dry-run", OPT_FLAG, false, F(dry_run), 0, NULL,
	  "ACME: validate only, keep the certificate" },
	{ "-ntoc", "--next-to-curr", OPT_FLAG, true, F(next_to_curr), 0, NULL,
	  "Move next to curr now (no age check)" },
	{ "-prometheus", "--prometheus", OPT_FLAG, false, F(prometheus), 0,
	  NULL, "With -s: print the status as Prometheus metrics "
	  "(textfile format)" },
	{ "-r", "--reuse", OPT_FLAG, false, F(reuse), 0, NULL,
	  "With -renew: reuse curr's private key" },
	{ "-renew", "--renew", OPT_FLAG, false, F(renew), 0, NULL,
	  "Make new key, CSR and cert in next if it is time (or with -f)" },
	{ "-roll", "--roll", OPT_FLAG, false, F(roll), 0, NULL,
	  "Make next the new curr if next is old enough (or with -f)" },
	{ "-roll-mins", "--min-roll-mins", OPT_INT, false, F(min_roll_mins_set),
	  F(min_roll_mins), "M", "Minimum age of next in minutes before a "
	  "roll (default: config min_roll_mins, else 90)" },
	{ "-s", "--status", OPT_FLAG, false, F(status), 0, NULL,
	  "Show curr/next status (more with -v)" },
	{ "-t", "--test", OPT_FLAG, false, F(test), 0, NULL,
	  "ACME staging server; production dir gets a .test suffix" },
	{ "-v", "--verb", OPT_FLAG, false, F(verb), 0, NULL,
	  "Verbose output" },
};
#define NOPTS	(sizeof(opt_table) / sizeof(opt_table[0]))

static size_t
dashes(const char *s)
{
	return s[0] == '-' ? (s[1] == '-' ? 2 : 1) : 0;
}

/* Finds the option for word (name part only).  NULL with *ambig set when
 * several options match the prefix. */
static const struct opt_def *
opt_find(const char *name, size_t len, bool dev, bool *ambig)
{
	const struct opt_def *found = NULL;
	size_t nd = dashes(name);

	*ambig = false;
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt_def *o = &opt_table[i];

		if (o->dev_only && !dev)
			continue;
		if ((strlen(o->shortname) == len &&
		    strncmp(o->shortname, name, len) == 0) ||
		    (strlen(o->longname) == len &&
		    strncmp(o->longname, name, len) == 0))
			return o;
	}
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt_def *o = &opt_table[i];
		const char *sp[2] = { o->shortname, o->longname };

		if (o->dev_only && !dev)
			continue;
		for (int k = 0; k < 2; k++) {
			if (dashes(sp[k]) != nd || strncmp(sp[k], name, len))
				continue;
			if (found && found != o) {
				*ambig = true;
				return NULL;
			}
			found = o;
		}
	}
	return found;
}

static bool
is_dev_option(const char *name, size_t len)
{
	bool ambig;

	return opt_find(name, len, false, &ambig) == NULL && !ambig &&
	    opt_find(name, len, true, &ambig) != NULL;
}

static int
parse_int(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < INT_MIN ||
	    v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

int
sslm_opts_parse(int argc, char **argv, struct sslm_opts *o, char **err)
{
	int i = 0;
	bool only_pos = false;

	memset(o, 0, sizeof(*o));
	*err = NULL;
	if (argc > 0 && strcmp(argv[0], "dev") == 0) {
		o->dev = true;
		i = 1;
	}
	for (; i < argc; i++) {
		const char *w = argv[i], *eq, *val = NULL;
		const struct opt_def *d;
		size_t len;
		bool ambig;

		if (only_pos || w[0] != '-' || w[1] == '\0') {
			strlist_add(&o->targets, w);
			continue;
		}
		if (strcmp(w, "--") == 0) {
			only_pos = true;
			continue;
		}
		eq = strchr(w, '=');
		len = eq ? (size_t)(eq - w) : strlen(w);
		d = opt_find(w, len, o->dev, &ambig);
		if (d == NULL) {
			if (ambig)
				*err = xasprintf("ambiguous option: %.*s",
				    (int)len, w);
			else if (!o->dev && is_dev_option(w, len))
				*err = xasprintf("%.*s is a dev option: use "
				    "\"dev\" as the first argument", (int)len,
				    w);
			else
				*err = xasprintf("unrecognized argument: %s",
				    w);
			return SSLM_ERR_USAGE;
		}
		if (d->kind == OPT_FLAG) {
			if (eq) {
				*err = xasprintf("%s takes no value",
				    d->longname);
				return SSLM_ERR_USAGE;
			}
			*(bool *)((char *)o + d->flag_off) = true;
			continue;
		}
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else {
			*err = xasprintf("%s expects a value (%s)",
			    d->longname, d->metavar);
			return SSLM_ERR_USAGE;
		}
		if (parse_int(val, (int *)((char *)o + d->int_off)) != 0) {
			*err = xasprintf("%s: not a whole number: '%s'",
			    d->longname, val);
			return SSLM_ERR_USAGE;
		}
		*(bool *)((char *)o + d->flag_off) = true;
	}
	if ((o->json || o->prometheus) && !o->status) {
		*err = xasprintf("--%s goes with -s (status)", o->json ?
		    "json" : "prometheus");
		return SSLM_ERR_USAGE;
	}
	if (o->json && o->prometheus) {
		*err = xstrdup("--json and --prometheus: choose one");
		return SSLM_ERR_USAGE;
	}
	return 0;
}

void
sslm_opts_free(struct sslm_opts *o)
{
	strlist_clear(&o->targets);
}

bool
sslm_opts_mutates(const struct sslm_opts *o)
{
	return o->renew || o->roll || o->new_cert || o->new_csr ||
	    o->copy_csr || o->new_keys || o->next_to_curr ||
	    o->certs_to_prod || o->force_server_restarts || o->clean_all ||
	    o->clean_keep_set;
}

void
sslm_opts_names(bool dev, struct strlist *out)
{
	for (size_t i = 0; i < NOPTS; i++) {
		if (opt_table[i].dev_only && !dev)
			continue;
		strlist_add(out, opt_table[i].shortname);
		strlist_add(out, opt_table[i].longname);
	}
}

void
sslm_opts_help(bool dev, const char *prog, struct buf *b)
{
	(void)buf_printf(b, "usage: %s %s[options] [grp:svc,svc ...]\n\n",
	    prog, dev ? "dev " : "");
	(void)buf_printf(b, "%s\n\n", dev ? "SSL Manager Dev Mode" :
	    "SSL Manager");
	(void)buf_printf(b, "positional arguments:\n  grp:svc,...   "
	    "group and services (grp alone, grp:ALL or grp:* = all its "
	    "services)\n\noptions:\n");
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt_def *o = &opt_table[i];
		char *spell;

		if (o->dev_only && !dev)
			continue;
		spell = o->metavar ? xasprintf("%s %s, %s %s", o->shortname,
		    o->metavar, o->longname, o->metavar) :
		    xasprintf("%s, %s", o->shortname, o->longname);
		(void)buf_printf(b, "  %-38s %s\n", spell, o->help);
		free(spell);
	}
	(void)buf_printf(b, "\n%s\n", dev ?
	    "For standard options drop \"dev\" as 1st argument" :
	    "For dev options add \"dev\" as 1st argument\n"
	    "Subcommands: check-config [-v], info, verify, dhparam, "
	    "tlsa-hash, revoke, plan, dns-status,\nca-init (a private CA: "
	    "ssl-mgr ca-init --help)");
}

static bool
valid_name(const char *s)
{
	if (*s == '\0' || *s == '.' || strchr(s, '/') || strstr(s, ".."))
		return false;
	return true;
}

int
sslm_targets_parse(const struct strlist *words, struct sslm_target **out,
    size_t *np, char **err)
{
	struct sslm_target *t = NULL;
	size_t n = 0;
	int r = SSLM_ERR_USAGE;

	*out = NULL;
	*np = 0;
	*err = NULL;
	for (size_t i = 0; i < words->n; i++) {
		char *w = xstrdup(words->v[i]), *colon, *svcs, *tok, *save;
		struct sslm_target *cur = NULL;

		colon = strchr(w, ':');
		svcs = colon ? colon + 1 : NULL;
		if (colon)
			*colon = '\0';
		if (!valid_name(w)) {
			*err = xasprintf("bad group name in '%s'",
			    words->v[i]);
			free(w);
			goto out;
		}
		for (size_t k = 0; k < n; k++)
			if (strcmp(t[k].grp, w) == 0)
				cur = &t[k];
		if (cur == NULL) {
			t = xreallocarray(t, n + 1, sizeof(*t));
			cur = &t[n++];
			memset(cur, 0, sizeof(*cur));
			cur->grp = xstrdup(w);
		}
		if (svcs == NULL || *svcs == '\0')
			cur->all = true;
		for (tok = svcs ? strtok_r(svcs, ",", &save) : NULL; tok;
		    tok = strtok_r(NULL, ",", &save)) {
			if (strcmp(tok, "ALL") == 0 || strcmp(tok, "*") == 0) {
				cur->all = true;
				continue;
			}
			if (!valid_name(tok)) {
				*err = xasprintf("bad service name '%s' in "
				    "'%s'", tok, words->v[i]);
				free(w);
				goto out;
			}
			if (!strlist_has(&cur->svcs, tok))
				strlist_add(&cur->svcs, tok);
		}
		free(w);
	}
	*out = t;
	*np = n;
	t = NULL;
	n = 0;
	r = 0;
out:
	sslm_targets_free(t, n);
	return r;
}

void
sslm_targets_free(struct sslm_target *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(t[i].grp);
		strlist_clear(&t[i].svcs);
	}
	free(t);
}
