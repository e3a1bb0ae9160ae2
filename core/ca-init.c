/*
 * ca-init.c - the answers of the private-CA set-up: parsing, validation
 * and the exact texts of the files they make (see ca-init.h).
 *
 * Invariant: the texts are a pure function of the answers, so a second
 * run with the same answers finds every file unchanged, and the texts
 * always parse back through the config loader (the checks below refuse
 * anything that would not).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca-init.h"
#include "config-priv.h"
#include "err.h"
#include "x509.h"

void
ca_init_defaults(struct ca_init *a)
{
	char *err = NULL;

	memset(a, 0, sizeof(*a));
	(void)ca_init_parse_key(CA_INIT_DEF_KEY, &a->key, &err);
	free(err);
	a->leaf_key = a->key;
	a->root_days = CA_INIT_DEF_ROOT_DAYS;
	a->leaf_days = CA_INIT_DEF_LEAF_DAYS;
}

void
ca_init_set(char **dst, const char *s)
{
	free(*dst);
	*dst = s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

void
ca_init_clear_leaves(struct ca_init *a)
{
	for (size_t i = 0; i < a->n_leaves; i++) {
		free(a->leaves[i].grp);
		free(a->leaves[i].svc);
		strlist_clear(&a->leaves[i].hosts);
	}
	free(a->leaves);
	a->leaves = NULL;
	a->n_leaves = 0;
}

void
ca_init_free(struct ca_init *a)
{
	free(a->root);
	free(a->intr);
	free(a->root_cn);
	free(a->int_cn);
	free(a->O);
	free(a->OU);
	free(a->C);
	free(a->email);
	ca_init_clear_leaves(a);
	memset(a, 0, sizeof(*a));
}

int
ca_init_parse_key(const char *spec, struct ca_init_key *k, char **err)
{
	struct ca_init_key n;
	const char *arg = strchr(spec, ':');
	size_t tl = arg != NULL ? (size_t)(arg - spec) : strlen(spec);
	char *end;
	long bits;

	memset(&n, 0, sizeof(n));
	if (arg != NULL)
		arg++;
	if (tl == 2 && strncmp(spec, "ec", 2) == 0) {
		n.type = SSLM_KEY_EC;
		if (arg == NULL || *arg == '\0')
			arg = "secp384r1";
		if (strlen(arg) >= sizeof(n.curve) ||
		    x509_curve_nid(arg) == 0) {
			*err = xasprintf("key '%s': '%s' is not a curve "
			    "OpenSSL knows (e.g. secp256r1, secp384r1)", spec,
			    arg);
			return SSLM_ERR_USAGE;
		}
		strncpy(n.curve, arg, sizeof(n.curve) - 1);
		for (char *p = n.curve; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	} else if (tl == 3 && strncmp(spec, "rsa", 3) == 0) {
		n.type = SSLM_KEY_RSA;
		bits = 4096;
		if (arg != NULL && *arg != '\0') {
			bits = strtol(arg, &end, 10);
			if (*end != '\0' || bits < CFG_MIN_RSA_BITS ||
			    bits > CFG_MAX_RSA_BITS) {
				*err = xasprintf("key '%s': RSA bits must be a "
				    "number from %d to %d", spec,
				    CFG_MIN_RSA_BITS, CFG_MAX_RSA_BITS);
				return SSLM_ERR_USAGE;
			}
		}
		n.bits = (int)bits;
	} else if (strcmp(spec, "ed25519") == 0) {
		n.type = SSLM_KEY_ED25519;
	} else {
		*err = xasprintf("key '%s': expected ec[:CURVE], rsa[:BITS] or "
		    "ed25519", spec);
		return SSLM_ERR_USAGE;
	}
	*k = n;
	return 0;
}

void
ca_init_key_str(const struct ca_init_key *k, char *out, size_t len)
{
	switch (k->type) {
	case SSLM_KEY_EC:
		snprintf(out, len, "ec:%s", k->curve);
		break;
	case SSLM_KEY_RSA:
		snprintf(out, len, "rsa:%d", k->bits);
		break;
	case SSLM_KEY_ED25519:
		snprintf(out, len, "ed25519");
		break;
	}
}

int
ca_init_add_leaf(struct ca_init *a, const char *spec, char **err)
{
	struct ca_init_leaf l;
	const char *eq = strchr(spec, '='), *colon;
	char *hosts, *p, *tok;

	memset(&l, 0, sizeof(l));
	if (eq == NULL || eq[1] == '\0') {
		*err = xasprintf("leaf '%s': expected [GROUP:]SERVICE=HOST,"
		    "HOST...", spec);
		return SSLM_ERR_USAGE;
	}
	colon = memchr(spec, ':', (size_t)(eq - spec));
	if (colon != NULL) {
		l.grp = xstrndup(spec, (size_t)(colon - spec));
		l.svc = xstrndup(colon + 1, (size_t)(eq - colon - 1));
	} else
		l.svc = xstrndup(spec, (size_t)(eq - spec));
	hosts = xstrdup(eq + 1);
	for (p = hosts; (tok = strsep(&p, ",")) != NULL; ) {
		str_trim(tok);
		if (*tok != '\0' && !strlist_has_ci(&l.hosts, tok))
			strlist_add(&l.hosts, tok);
	}
	free(hosts);
	if (l.hosts.n == 0) {
		*err = xasprintf("leaf '%s': no host names", spec);
		free(l.grp);
		free(l.svc);
		return SSLM_ERR_USAGE;
	}
	if (l.grp == NULL || *l.grp == '\0') {
		const char *h = l.hosts.v[0];

		free(l.grp);
		l.grp = xstrdup(strncmp(h, "*.", 2) == 0 ? h + 2 : h);
	}
	for (p = l.grp; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	a->leaves = xreallocarray(a->leaves, a->n_leaves + 1,
	    sizeof(*a->leaves));
	a->leaves[a->n_leaves++] = l;
	return 0;
}

/* A value we write between quotes: no quotes, backslashes or controls. */
static bool
plain_text(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\'' || *s == '"' || *s == '\\' ||
		    iscntrl((unsigned char)*s))
			return false;
	return true;
}

/*
 * A CA or service name: a file name; a CA's is also a bare TOML table
 * name in ca-info.conf, where a '.' would make a nested table.
 */
static bool
valid_name(const char *s, bool dots)
{
	if (s == NULL || *s == '\0' || *s == '.' || *s == '-' ||
	    strlen(s) > 64)
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    (*s != '.' || !dots))
			return false;
	return true;
}

static void
check_text(struct strlist *errs, const char *what, const char *v,
    bool required)
{
	if (v == NULL || *v == '\0') {
		if (required)
			strlist_add_nodup(errs, xasprintf("%s is required",
			    what));
		return;
	}
	if (!plain_text(v) || strlen(v) > 64)
		strlist_add_nodup(errs, xasprintf("%s '%s': at most 64 "
		    "characters, no quotes or backslashes", what, v));
}

static void
check_leaf(const struct ca_init *a, size_t i, struct strlist *errs)
{
	const struct ca_init_leaf *l = &a->leaves[i];

	if (!cfg_valid_group(l->grp) || str_ieq(l->grp, "ca"))
		strlist_add_nodup(errs, xasprintf("leaf %s: group '%s' is "
		    "not a valid group name (a domain; not 'ca')", l->svc,
		    l->grp));
	if (!valid_name(l->svc, true))
		strlist_add_nodup(errs, xasprintf("leaf service '%s': use "
		    "letters, digits, '-', '_' and '.'", l->svc));
	for (size_t k = 0; k < l->hosts.n; k++)
		if (!is_ip_literal(l->hosts.v[k]) &&
		    !cfg_valid_dns(l->hosts.v[k], true, false))
			strlist_add_nodup(errs, xasprintf("leaf %s: '%s' is "
			    "neither a host name nor an IP address", l->svc,
			    l->hosts.v[k]));
	for (size_t k = 0; k < i; k++)
		if (strcmp(a->leaves[k].svc, l->svc) == 0 &&
		    strcmp(a->leaves[k].grp, l->grp) == 0)
			strlist_add_nodup(errs, xasprintf("leaf %s:%s is "
			    "given twice", l->grp, l->svc));
}

int
ca_init_check(const struct ca_init *a, struct strlist *errs)
{
	size_t before = errs->n;

	if (!valid_name(a->root, false))
		strlist_add_nodup(errs, xasprintf("root CA name '%s': use "
		    "letters, digits, '-' and '_'",
		    a->root ? a->root : ""));
	if (!valid_name(a->intr, false))
		strlist_add_nodup(errs, xasprintf("intermediate CA name '%s': "
		    "use letters, digits, '-' and '_'",
		    a->intr ? a->intr : ""));
	if (a->root != NULL && a->intr != NULL && strcmp(a->root, a->intr) == 0)
		strlist_add_nodup(errs, xasprintf("the root and the "
		    "intermediate need different names (both '%s')", a->root));
	check_text(errs, "organisation (O)", a->O, true);
	check_text(errs, "organisational unit (OU)", a->OU, false);
	check_text(errs, "root common name", a->root_cn, false);
	check_text(errs, "intermediate common name", a->int_cn, false);
	check_text(errs, "email", a->email, false);
	if (a->C == NULL || strlen(a->C) != 2 ||
	    !isupper((unsigned char)a->C[0]) ||
	    !isupper((unsigned char)a->C[1]))
		strlist_add_nodup(errs, xasprintf("country (C) '%s': two "
		    "capital letters, e.g. US or DE", a->C ? a->C : ""));
	if (a->email != NULL && strchr(a->email, '@') == NULL)
		strlist_add_nodup(errs, xasprintf("email '%s' has no '@'",
		    a->email));
	if (a->root_days < 1 || a->root_days > CFG_MAX_SIGN_DAYS)
		strlist_add_nodup(errs, xasprintf("root lifetime %d days: "
		    "from 1 to %d", a->root_days, CFG_MAX_SIGN_DAYS));
	if (a->leaf_days < 1 || a->leaf_days > CFG_MAX_SIGN_DAYS)
		strlist_add_nodup(errs, xasprintf("leaf lifetime %d days: "
		    "from 1 to %d", a->leaf_days, CFG_MAX_SIGN_DAYS));
	else if (a->leaf_days > a->root_days)
		strlist_add_nodup(errs, xasprintf("leaf lifetime %d days is "
		    "longer than the intermediate's %d: leaves would outlive "
		    "their CA", a->leaf_days, a->root_days));
	for (size_t i = 0; i < a->n_leaves; i++)
		check_leaf(a, i, errs);
	return errs->n > before ? SSLM_ERR_USAGE : 0;
}

static void
put_key(struct buf *b, const struct ca_init_key *k)
{
	(void)buf_printf(b, "[KeyOpts]\n");
	switch (k->type) {
	case SSLM_KEY_EC:
		(void)buf_printf(b, "    ktype = 'ec'\n    ec_algo = '%s'\n",
		    k->curve);
		break;
	case SSLM_KEY_RSA:
		(void)buf_printf(b, "    ktype = 'rsa'\n    rsa_bits = %d\n",
		    k->bits);
		break;
	case SSLM_KEY_ED25519:
		(void)buf_printf(b, "    ktype = 'ed25519'\n");
		break;
	}
}

static void
put_subject(struct buf *b, const struct ca_init *a, const char *cn)
{
	(void)buf_printf(b, "\n[X509]\n    CN = '%s'\n    O = '%s'\n", cn,
	    a->O);
	if (a->OU != NULL)
		(void)buf_printf(b, "    OU = '%s'\n", a->OU);
	(void)buf_printf(b, "    C = '%s'\n", a->C);
	if (a->email != NULL)
		(void)buf_printf(b, "    email = '%s'\n", a->email);
}

static char *
ca_text(const struct ca_init *a, bool root)
{
	struct buf b;
	char *cn = root ? (a->root_cn ? xstrdup(a->root_cn) :
	    xasprintf("%s Root CA", a->O)) : (a->int_cn ?
	    xstrdup(a->int_cn) : xasprintf("%s Intermediate CA", a->O));

	buf_init(&b, 64 * 1024);
	if (root)
		(void)buf_printf(&b, "# The private root CA, self signed "
		    "(written by ssl-mgr ca-init).\n# [CA] sign_end_days is "
		    "the lifetime of every certificate it signs:\n# its own "
		    "and the intermediate %s's.\n", a->intr);
	else
		(void)buf_printf(&b, "# The intermediate CA, signed by %s "
		    "(written by ssl-mgr ca-init).\n# [CA] sign_end_days is "
		    "the lifetime of the leaf certificates it\n# signs; its "
		    "own comes from %s.\n", a->root, a->root);
	(void)buf_printf(&b, "name = '%s'\ngroup = 'ca'\nservice = '%s'\n"
	    "signing_ca = '%s'\n\n", cn, root ? a->root : a->intr,
	    root ? "self" : a->root);
	put_key(&b, &a->key);
	put_subject(&b, a, cn);
	(void)buf_printf(&b, "    sans = []\n\n[CA]\n    sign_end_days = %d\n"
	    "    digest = 'sha384'\n", root ? a->root_days : a->leaf_days);
	free(cn);
	return b.p;
}

char *
ca_init_root_text(const struct ca_init *a)
{
	return ca_text(a, true);
}

char *
ca_init_int_text(const struct ca_init *a)
{
	return ca_text(a, false);
}

char *
ca_init_leaf_text(const struct ca_init *a, const struct ca_init_leaf *l)
{
	struct buf b;

	buf_init(&b, 64 * 1024);
	(void)buf_printf(&b, "# A certificate signed by %s (written by "
	    "ssl-mgr ca-init).\nname = '%s %s'\ngroup = '%s'\nservice = '%s'\n"
	    "signing_ca = '%s'\n\n", a->intr, l->grp, l->svc, l->grp, l->svc,
	    a->intr);
	put_key(&b, a->leaf_key_set ? &a->leaf_key : &a->key);
	put_subject(&b, a, l->hosts.v[0]);
	(void)buf_printf(&b, "    sans = [");
	for (size_t i = 0; i < l->hosts.n; i++)
		(void)buf_printf(&b, "%s'%s'", i ? ", " : "", l->hosts.v[i]);
	(void)buf_printf(&b, "]\n");
	return b.p;
}

/* The distinct leaf groups, in the order first given. */
static void
leaf_groups(const struct ca_init *a, struct strlist *out)
{
	for (size_t i = 0; i < a->n_leaves; i++)
		if (!strlist_has(out, a->leaves[i].grp))
			strlist_add(out, a->leaves[i].grp);
}

/* "'a', 'b'" of the group's services (the CAs for "ca"). */
static void
put_services(struct buf *b, const struct ca_init *a, const char *grp)
{
	bool first = true;

	if (strcmp(grp, "ca") == 0) {
		(void)buf_printf(b, "'%s', '%s'", a->root, a->intr);
		return;
	}
	for (size_t i = 0; i < a->n_leaves; i++) {
		if (strcmp(a->leaves[i].grp, grp) != 0)
			continue;
		(void)buf_printf(b, "%s'%s'", first ? "" : ", ",
		    a->leaves[i].svc);
		first = false;
	}
}

char *
ca_init_sslmgr_text(const struct ca_init *a)
{
	struct strlist g = { 0 };
	struct buf b;

	buf_init(&b, 64 * 1024);
	(void)buf_printf(&b, "#\n# ssl-mgr.conf - a private CA (%s, %s) "
	    "written by ssl-mgr ca-init.\n# Relative paths are relative to "
	    "the top directory (the one holding\n# conf.d).\n#\n"
	    "[globals]\n    prod_cert_dir = './prod-certs'\n"
	    "    logdir = './logs'\n    clean_keep = 5\n", a->root, a->intr);
	strlist_add(&g, "ca");
	leaf_groups(a, &g);
	for (size_t i = 0; i < g.n; i++) {
		(void)buf_printf(&b, "\n[[groups]]\n    domain = '%s'\n"
		    "    services = [", g.v[i]);
		put_services(&b, a, g.v[i]);
		(void)buf_printf(&b, "]\n    active = true\n");
	}
	strlist_clear(&g);
	return b.p;
}

char *
ca_init_cainfo_text(const struct ca_init *a)
{
	struct buf b;

	buf_init(&b, 64 * 1024);
	(void)buf_printf(&b, "#\n# ca-info.conf - the certificate "
	    "authorities services may name as\n# signing_ca (written by "
	    "ssl-mgr ca-init).\n#\n");
	(void)buf_printf(&b, "[%s]\n    ca_desc = 'Private root CA (self "
	    "signed)'\n    ca_type = 'self'\n\n", a->root);
	(void)buf_printf(&b, "[%s]\n    ca_desc = 'Intermediate CA, signed "
	    "by %s'\n    ca_type = 'local'\n", a->intr, a->root);
	return b.p;
}

void
ca_init_targets(const struct ca_init *a, struct strlist *out)
{
	struct strlist g = { 0 };
	struct buf b;

	strlist_add_nodup(out, xasprintf("ca:%s,%s", a->root, a->intr));
	leaf_groups(a, &g);
	for (size_t i = 0; i < g.n; i++) {
		buf_init(&b, 64 * 1024);
		(void)buf_printf(&b, "%s:", g.v[i]);
		for (size_t k = 0, n = 0; k < a->n_leaves; k++)
			if (strcmp(a->leaves[k].grp, g.v[i]) == 0)
				(void)buf_printf(&b, "%s%s", n++ ? "," : "",
				    a->leaves[k].svc);
		strlist_add_nodup(out, b.p);
	}
	strlist_clear(&g);
}

static void
add_opt(struct strlist *out, const char *opt, const char *v)
{
	if (v == NULL)
		return;
	strlist_add(out, opt);
	strlist_add(out, v);
}

void
ca_init_to_args(const struct ca_init *a, struct strlist *out)
{
	char s[48];
	struct buf b;

	add_opt(out, "--root", a->root);
	add_opt(out, "--int", a->intr);
	ca_init_key_str(&a->key, s, sizeof(s));
	add_opt(out, "--key", s);
	if (a->leaf_key_set) {
		ca_init_key_str(&a->leaf_key, s, sizeof(s));
		add_opt(out, "--leaf-key", s);
	}
	snprintf(s, sizeof(s), "%d", a->root_days);
	add_opt(out, "--root-days", s);
	snprintf(s, sizeof(s), "%d", a->leaf_days);
	add_opt(out, "--leaf-days", s);
	add_opt(out, "--org", a->O);
	add_opt(out, "--unit", a->OU);
	add_opt(out, "--country", a->C);
	add_opt(out, "--email", a->email);
	add_opt(out, "--root-cn", a->root_cn);
	add_opt(out, "--int-cn", a->int_cn);
	for (size_t i = 0; i < a->n_leaves; i++) {
		const struct ca_init_leaf *l = &a->leaves[i];

		buf_init(&b, 64 * 1024);
		(void)buf_printf(&b, "%s:%s=", l->grp, l->svc);
		for (size_t k = 0; k < l->hosts.n; k++)
			(void)buf_printf(&b, "%s%s", k ? "," : "",
			    l->hosts.v[k]);
		strlist_add(out, "--leaf");
		strlist_add_nodup(out, b.p);
	}
}

void
ca_init_trust_text(const char *topdir, const char *root, struct buf *b)
{
	/* $ROOT keeps the commands short enough for an 80 column screen
	 * and still pastes into a shell in order. */
	(void)buf_printf(b,
	    "Trust the root where clients run:\n\n"
	    "  ROOT=%s/certs/ca/%s/curr/cert.pem\n\n"
	    "  Debian, Ubuntu (as root):\n"
	    "    cp \"$ROOT\" /usr/local/share/ca-certificates/%s.crt\n"
	    "    update-ca-certificates\n"
	    "  Arch, Fedora (p11-kit, as root):\n"
	    "    trust anchor --store \"$ROOT\"\n"
	    "  Browsers (NSS: Chromium, Firefox), as the user:\n"
	    "    certutil -d sql:$HOME/.pki/nssdb -A -t \"C,,\" -n %s "
	    "-i \"$ROOT\"\n",
	    topdir, root, root, root);
}
