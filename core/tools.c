/*
 * tools.c - the auxiliary tools info, verify and tlsa-hash (spec §21.2 to
 * §21.4); dhparam is in tools-dh.c.  Each writes its report into a buffer
 * and never prints.
 *
 * Input is untrusted: PEM text is split with bounded sizes (pem.c), every
 * block is parsed from its own memory BIO, a bad block is reported and the
 * next one is tried, and text taken from certificates is printed with
 * control characters replaced.  Private key material is never printed: a
 * private key shows its type and its public half only.
 */
#include <sys/stat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "err.h"
#include "log.h"
#include "pem.h"
#include "timefmt.h"
#include "tools.h"
#include "x509.h"

#define DASHES70	"-------------------------------------------------" \
			"---------------------"
#define DASHES19	"-------------------"
#define SANS_WIDTH	60
/* The header of an encrypted traditional PEM key. */
#define PEM_ENCRYPTED	"Proc-Type: 4,ENCRYPTED"

/* A report being written: the first append error is kept. */
struct tout {
	struct buf	*b;
	int		 err;
};

static void	emit(struct tout *, const char *, ...) SSLM_PRINTF(2, 3);
static void	emit_safe(struct tout *, const char *, size_t);
static const char *ssl_reason(void);
static int	no_passphrase(char *, int, int, void *);
static BIO	*block_bio(const struct pem_block *);
static void	fields_cert(struct tout *, const struct x509_certinfo *,
		    time_t);
static void	fields_sans(struct tout *, const struct strlist *);
static int	block_key(struct tout *, const struct pem_block *, bool,
		    char *, size_t);
static int	block_csr(struct tout *, const struct pem_block *, bool,
		    char *, size_t);
static int	block_params(struct tout *, const struct pem_block *, bool,
		    char *, size_t);
static int	block_cert(struct tout *, const struct pem_block *, bool,
		    time_t, char *, size_t);
static int	block_show(struct tout *, const struct pem_block *, bool,
		    time_t, char *, size_t);
static void	dump_bio(struct tout *, BIO *);
static int	read_certs(const char *, STACK_OF(X509) **);
static bool	verify_direct(X509 *, STACK_OF(X509) *, char *, size_t);
static X509_STORE *trust_store(STACK_OF(X509) *, const char *,
		    const char **, char *, size_t);
static bool	verify_path(X509 *, STACK_OF(X509) *, const char *, time_t,
		    char *, size_t);
static void	verify_infos(struct tout *, const char *, time_t);
static int	spki_sha256(const unsigned char *, int, char *);

static void
emit(struct tout *o, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 r;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if ((r = buf_add(o->b, s, strlen(s))) != 0 && o->err == 0)
		o->err = r;
	free(s);
}

/* Appends n bytes with control characters other than \n, \t as '?'. */
static void
emit_safe(struct tout *o, const char *p, size_t n)
{
	char	*s = xmalloc(n + 1);
	size_t	 i;
	int	 r;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		s[i] = (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ?
		    '?' : (char)c;
	}
	if ((r = buf_add(o->b, s, n)) != 0 && o->err == 0)
		o->err = r;
	free(s);
}

/* The reason of the last OpenSSL error (static text); clears the queue. */
static const char *
ssl_reason(void)
{
	const char	*s = NULL;
	unsigned long	 e;

	if ((e = ERR_peek_last_error()) != 0)
		s = ERR_reason_error_string(e);
	ERR_clear_error();
	return s != NULL ? s : "unknown error";
}

/* Never prompt for a passphrase: an encrypted key is shown as such. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static BIO *
block_bio(const struct pem_block *blk)
{
	return BIO_new_mem_buf(blk->text, (int)blk->len);
}

static void
fields_sans(struct tout *o, const struct strlist *sans)
{
	size_t	i, width = 0, on_line = 0, n;

	if (sans->n == 0)
		return;
	emit(o, "Sans     : ");
	/*
	 * Upstream's wrap: once the names add up to more than 60 characters
	 * the name goes on a new 11-space line and the count restarts.  Not
	 * before the first name of the line, though (upstream then printed
	 * an empty first line).
	 */
	for (i = 0; i < sans->n; i++) {
		n = strlen(sans->v[i]);
		width += n;
		if (width > SANS_WIDTH) {
			if (on_line > 0)
				emit(o, "\n%11s", "");
			width = 0;
			on_line = 0;
		}
		emit(o, "%s, ", sans->v[i]);
		on_line++;
	}
	emit(o, "\n");
}

/* The summary fields of a certificate (spec §21.2), or of a CSR when its
 * dates are zero. */
static void
fields_cert(struct tout *o, const struct x509_certinfo *ci, time_t now)
{
	char	d[40], c[48];

	if (ci->not_after != 0 || ci->not_before != 0) {
		fmt_date_utc(ci->not_after, d, sizeof(d));
		fmt_countdown((long long)ci->not_after - now, c, sizeof(c));
		emit(o, "Expires  : %s (%s)\n", d, c);
		fmt_date_utc(ci->not_before, d, sizeof(d));
		fmt_countdown((long long)now - ci->not_before, c, sizeof(c));
		emit(o, "Issued   : %s (%s ago) (%.0f day cert)\n", d, c,
		    difftime(ci->not_after, ci->not_before) / 86400.0);
	}
	if (ci->issuer != NULL && *ci->issuer != '\0')
		emit(o, "Issuer   : %s\n", ci->issuer);
	if (ci->subject != NULL && *ci->subject != '\0')
		emit(o, "Subject  : %s\n", ci->subject);
	fields_sans(o, &ci->sans);
	emit(o, "Pubkey   : %s\n", ci->pubkey);
	emit(o, "Sig algo : %s\n", ci->sig_algo);
}

/* Appends a memory BIO's text (the -v dump), made safe to print. */
static void
dump_bio(struct tout *o, BIO *bio)
{
	char	*data;
	long	 n;

	if ((n = BIO_get_mem_data(bio, &data)) > 0)
		emit_safe(o, data, (size_t)n);
}

/*
 * A key block: private first (never prompting), then public.  Returns 0,
 * or 1 with a reason in why.
 */
static int
block_key(struct tout *o, const struct pem_block *blk, bool verbose,
    char *why, size_t whylen)
{
	OSSL_DECODER_CTX	*dctx = NULL;
	EVP_PKEY		*pk = NULL;
	BIO			*bio = NULL, *dump = NULL;
	char			 desc[80];
	bool			 priv = false;
	int			 r = 1;

	if (strcmp(blk->label, "ENCRYPTED PRIVATE KEY") == 0 ||
	    memmem(blk->text, blk->len, PEM_ENCRYPTED,
	    sizeof(PEM_ENCRYPTED) - 1) != NULL) {
		emit(o, "Key algo : encrypted private key (not decrypted)\n");
		return 0;
	}
	if ((bio = block_bio(blk)) != NULL &&
	    (pk = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase,
	    NULL)) != NULL)
		priv = true;
	else {
		ERR_clear_error();
		BIO_free(bio);
		if ((bio = block_bio(blk)) != NULL &&
		    (dctx = OSSL_DECODER_CTX_new_for_pkey(&pk, "PEM", NULL,
		    NULL, EVP_PKEY_PUBLIC_KEY, NULL, NULL)) != NULL)
			(void)OSSL_DECODER_from_bio(dctx, bio);
	}
	if (pk == NULL) {
		snprintf(why, whylen, "not a valid key: %s", ssl_reason());
		goto out;
	}
	x509_key_desc(pk, priv ? "prvkey" : "pubkey", desc, sizeof(desc));
	emit(o, "Key algo : %s\n", desc);
	if (verbose && (dump = BIO_new(BIO_s_mem())) != NULL) {
		/* The public half only, whatever the key. */
		if (priv)
			emit(o, "\nPrivate key, %d bits: private material "
			    "not shown\n", EVP_PKEY_get_bits(pk));
		else
			emit(o, "\n");
		if (EVP_PKEY_print_public(dump, pk, 0, NULL) > 0)
			dump_bio(o, dump);
	}
	r = 0;
out:
	OSSL_DECODER_CTX_free(dctx);
	EVP_PKEY_free(pk);
	BIO_free(bio);
	BIO_free(dump);
	ERR_clear_error();
	return r;
}

static int
block_csr(struct tout *o, const struct pem_block *blk, bool verbose,
    char *why, size_t whylen)
{
	struct x509_certinfo	 ci;
	X509_REQ		*req = NULL;
	BIO			*bio, *dump = NULL;
	int			 r = 1;

	if ((bio = block_bio(blk)) == NULL ||
	    (req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL)) == NULL) {
		snprintf(why, whylen, "not a valid certificate request: %s",
		    ssl_reason());
		goto out;
	}
	if (x509_csrinfo_get(req, &ci) != 0) {
		snprintf(why, whylen, "unreadable certificate request");
		goto out;
	}
	fields_cert(o, &ci, 0);
	x509_certinfo_free(&ci);
	if (verbose && (dump = BIO_new(BIO_s_mem())) != NULL &&
	    X509_REQ_print_ex(dump, req, XN_FLAG_COMPAT, X509_FLAG_COMPAT)) {
		emit(o, "\n");
		dump_bio(o, dump);
	}
	r = 0;
out:
	X509_REQ_free(req);
	BIO_free(bio);
	BIO_free(dump);
	ERR_clear_error();
	return r;
}

/* DH (and other) parameters, e.g. the files of dhparam. */
static int
block_params(struct tout *o, const struct pem_block *blk, bool verbose,
    char *why, size_t whylen)
{
	EVP_PKEY	*pk = NULL;
	BIO		*bio, *dump = NULL;
	char		 desc[80];
	int		 r = 1;

	if ((bio = block_bio(blk)) == NULL ||
	    (pk = PEM_read_bio_Parameters(bio, NULL)) == NULL) {
		snprintf(why, whylen, "not valid parameters: %s",
		    ssl_reason());
		goto out;
	}
	x509_key_desc(pk, "params", desc, sizeof(desc));
	emit(o, "Key algo : %s\n", desc);
	if (verbose && (dump = BIO_new(BIO_s_mem())) != NULL &&
	    EVP_PKEY_print_params(dump, pk, 0, NULL) > 0) {
		emit(o, "\n");
		dump_bio(o, dump);
	}
	r = 0;
out:
	EVP_PKEY_free(pk);
	BIO_free(bio);
	BIO_free(dump);
	ERR_clear_error();
	return r;
}

static int
block_cert(struct tout *o, const struct pem_block *blk, bool verbose,
    time_t now, char *why, size_t whylen)
{
	struct x509_certinfo	 ci;
	X509			*x = NULL;
	BIO			*bio, *dump = NULL;
	int			 r = 1;

	/* _AUX also reads OpenSSL's "TRUSTED CERTIFICATE". */
	if ((bio = block_bio(blk)) == NULL ||
	    (x = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL)) == NULL) {
		snprintf(why, whylen, "not a valid certificate: %s",
		    ssl_reason());
		goto out;
	}
	if (x509_certinfo_get(x, &ci) != 0) {
		snprintf(why, whylen, "not a valid certificate: bad dates");
		goto out;
	}
	fields_cert(o, &ci, now);
	x509_certinfo_free(&ci);
	if (verbose && (dump = BIO_new(BIO_s_mem())) != NULL &&
	    X509_print_ex(dump, x, XN_FLAG_COMPAT, X509_FLAG_COMPAT)) {
		emit(o, "\n");
		dump_bio(o, dump);
	}
	r = 0;
out:
	X509_free(x);
	BIO_free(bio);
	BIO_free(dump);
	ERR_clear_error();
	return r;
}

/* Dispatches on the label as upstream does (spec §21.2); 0 or 1 + why. */
static int
block_show(struct tout *o, const struct pem_block *blk, bool verbose,
    time_t now, char *why, size_t whylen)
{
	if (blk->state == PEM_TRUNCATED) {
		snprintf(why, whylen, "truncated: no END line");
		return 1;
	}
	if (blk->state == PEM_MISMATCH) {
		snprintf(why, whylen, "END line does not match BEGIN");
		return 1;
	}
	if (strstr(blk->label, "KEY") != NULL)
		return block_key(o, blk, verbose, why, whylen);
	if (strstr(blk->label, "REQUEST") != NULL)
		return block_csr(o, blk, verbose, why, whylen);
	if (strstr(blk->label, "PARAMETERS") != NULL)
		return block_params(o, blk, verbose, why, whylen);
	return block_cert(o, blk, verbose, now, why, whylen);
}

int
tool_info(const char *text, size_t len, const char *name, bool verbose,
    time_t now, struct buf *out)
{
	struct tout	 o = { out, 0 };
	struct pem_list	 l = { 0 };
	char		 why[512];
	size_t		 i;
	int		 rc = 0;

	if (name == NULL)
		name = "stdin";
	if (text == NULL)
		len = 0;
	if (pem_split(text, len, &l) != 0) {
		emit(&o, "%s: input too large (%zu bytes, at most %d)\n",
		    name, len, PEM_MAX_INPUT);
		return 1;
	}
	if (l.n == 0) {
		emit(&o, "%s: no PEM data found\n", name);
		rc = 1;
	}
	for (i = 0; i < l.n; i++) {
		emit(&o, "%s\n%s\n\n", DASHES70, name);
		if (block_show(&o, &l.v[i], verbose, now, why,
		    sizeof(why)) != 0) {
			emit(&o, "%s: block %zu (%s): ", name, i + 1,
			    l.v[i].label);
			emit_safe(&o, why, strlen(why));
			emit(&o, "\n");
			rc = 1;
		}
	}
	if (l.more) {
		emit(&o, "%s: more than %d PEM blocks, the rest is ignored\n",
		    name, PEM_MAX_BLOCKS);
		rc = 1;
	}
	pem_list_free(&l);
	return o.err != 0 ? o.err : rc;
}

/*
 * Reads every certificate of a PEM file.  Returns 0 and *out (possibly
 * empty; sk_X509_pop_free), or an sslm_err from read_file.
 */
static int
read_certs(const char *path, STACK_OF(X509) **out)
{
	STACK_OF(X509)	*sk;
	X509		*x;
	BIO		*bio = NULL;
	char		*data = NULL;
	size_t		 len;
	int		 r;

	if ((r = read_file(path, PEM_MAX_INPUT, &data, &len)) != 0)
		return r;
	if ((sk = sk_X509_new_null()) == NULL ||
	    (bio = BIO_new_mem_buf(data, (int)len)) == NULL) {
		r = SSLM_ERR_CRYPTO;
		goto out;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			break;
		}
	ERR_clear_error();		/* the end of the file */
	*out = sk;
	sk = NULL;
	r = 0;
out:
	sk_X509_pop_free(sk, X509_free);
	BIO_free(bio);
	free(data);
	return r;
}

/*
 * Upstream's check: cert was issued by the first chain certificate (issuer
 * name = its subject) and its signature verifies with that key.
 */
static bool
verify_direct(X509 *cert, STACK_OF(X509) *chain, char *why, size_t whylen)
{
	EVP_PKEY	*pk;
	X509		*ca;
	int		 v;

	if (cert == NULL || sk_X509_num(chain) == 0) {
		snprintf(why, whylen, "Failed to read cert or chain file");
		return false;
	}
	ca = sk_X509_value(chain, 0);
	if (X509_NAME_cmp(X509_get_issuer_name(cert),
	    X509_get_subject_name(ca)) != 0) {
		snprintf(why, whylen, "Cert bad: issuer name doesn't match "
		    "the subject of the first chain cert");
		return false;
	}
	if ((pk = X509_get0_pubkey(ca)) == NULL) {
		snprintf(why, whylen, "Cert bad: issuer doesn't have a "
		    "supported public key type: %s", ssl_reason());
		return false;
	}
	if ((v = X509_verify(cert, pk)) == 1)
		return true;
	if (v == 0)
		snprintf(why, whylen, "Cert bad: signature fails to verify");
	else
		snprintf(why, whylen, "Cert bad: signature algorithm "
		    "unsupported or not matching the issuer key: %s",
		    ssl_reason());
	ERR_clear_error();
	return false;
}

/*
 * The trust store of verify: cafile, else a self-signed certificate at the
 * end of the chain, else the system store.  Returns it (X509_STORE_free)
 * with *anchor naming it, or NULL with the reason in why.
 */
static X509_STORE *
trust_store(STACK_OF(X509) *chain, const char *cafile, const char **anchor,
    char *why, size_t whylen)
{
	X509_STORE	*st;
	X509		*last = NULL;
	int		 n, ok;

	if ((st = X509_STORE_new()) == NULL) {
		snprintf(why, whylen, "no trust store: %s", ssl_reason());
		return NULL;
	}
	if ((n = sk_X509_num(chain)) > 0)
		last = sk_X509_value(chain, n - 1);
	if (cafile != NULL) {
		*anchor = cafile;
		ok = X509_STORE_load_file(st, cafile);
	} else if (last != NULL && X509_self_signed(last, 1) == 1) {
		*anchor = "self-signed root at the end of chain.pem";
		ok = X509_STORE_add_cert(st, last);
	} else {
		*anchor = "system trust store";
		ok = X509_STORE_set_default_paths(st);
	}
	if (!ok) {
		snprintf(why, whylen, "cannot load the trust anchor %s: %s",
		    *anchor, ssl_reason());
		X509_STORE_free(st);
		return NULL;
	}
	ERR_clear_error();
	return st;
}

/*
 * Full path validation at time now against trust_store().  why gets the
 * trust anchor used, or OpenSSL's verify error.
 */
static bool
verify_path(X509 *cert, STACK_OF(X509) *chain, const char *cafile,
    time_t now, char *why, size_t whylen)
{
	struct x509_certinfo	 ci;
	X509_STORE_CTX		*ctx = NULL;
	X509_STORE		*st;
	X509			*bad;
	const char		*anchor = NULL;
	char			*subj = NULL;
	int			 e;
	bool			 ok = false;

	if (cert == NULL) {
		snprintf(why, whylen, "no certificate");
		return false;
	}
	if ((st = trust_store(chain, cafile, &anchor, why, whylen)) == NULL)
		return false;
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    !X509_STORE_CTX_init(ctx, st, cert, chain)) {
		snprintf(why, whylen, "path validation could not run: %s",
		    ssl_reason());
		goto out;
	}
	X509_STORE_CTX_set_time(ctx, 0, now);
	if (X509_verify_cert(ctx) == 1) {
		snprintf(why, whylen, "trust anchor: %s", anchor);
		ok = true;
		goto out;
	}
	e = X509_STORE_CTX_get_error(ctx);
	if ((bad = X509_STORE_CTX_get_current_cert(ctx)) != NULL &&
	    x509_certinfo_get(bad, &ci) == 0) {
		subj = xstrdup(ci.subject);
		x509_certinfo_free(&ci);
	}
	snprintf(why, whylen, "%s (depth %d: %s; trust anchor: %s)",
	    X509_verify_cert_error_string(e),
	    X509_STORE_CTX_get_error_depth(ctx), subj ? subj : "?", anchor);
out:
	free(subj);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	ERR_clear_error();
	return ok;
}

/* The info fields of every block of a file, each followed by a blank. */
static void
verify_infos(struct tout *o, const char *path, time_t now)
{
	struct pem_list	 l = { 0 };
	char		*data = NULL, why[512];
	size_t		 len = 0, i;
	int		 r;

	if ((r = read_file(path, PEM_MAX_INPUT, &data, &len)) != 0) {
		emit(o, "%s: %s\n\n", path, r == SSLM_ERR_TOOBIG ?
		    "larger than 4 MiB: not a PEM file" : sslm_strerror(r));
		goto out;
	}
	if (pem_split(data, len, &l) != 0) {
		emit(o, "%s: no readable PEM data\n\n", path);
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		if (block_show(o, &l.v[i], false, now, why, sizeof(why)) != 0) {
			emit(o, "block %zu (%s): ", i + 1, l.v[i].label);
			emit_safe(o, why, strlen(why));
			emit(o, "\n");
		}
		emit(o, "\n");
	}
out:
	pem_list_free(&l);
	/* cert.pem never holds a key, but a confused caller might pass one. */
	freezero_secret(data, len);
}

int
tool_verify(const char *path, const char *cafile, time_t now,
    struct buf *out)
{
	struct tout	 o = { out, 0 };
	struct stat	 st;
	STACK_OF(X509)	*certs = NULL, *chain = NULL;
	char		*dir, *slash, *certp = NULL, *chainp = NULL;
	char		 dwhy[512], pwhy[1024];
	bool		 dok, pok;
	int		 rc = 1;

	/* A file stands for its directory. */
	dir = xstrdup(path != NULL && *path != '\0' ? path : ".");
	if (stat(dir, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((slash = strrchr(dir, '/')) == NULL) {
			free(dir);
			dir = xstrdup(".");
		} else if (slash == dir)
			dir[1] = '\0';		/* "/cert.pem" */
		else
			*slash = '\0';
	}
	certp = path_join(dir, "cert.pem");
	chainp = path_join(dir, "chain.pem");
	if (stat(certp, &st) != 0 || !S_ISREG(st.st_mode) ||
	    stat(chainp, &st) != 0 || !S_ISREG(st.st_mode)) {
		emit(&o, "Failed to find cert.pem, chain.pem given %s\n", dir);
		goto out;
	}
	/* Unreadable files make empty lists: the checks then say so. */
	if (read_certs(certp, &certs) != 0)
		certs = NULL;
	if (read_certs(chainp, &chain) != 0 &&
	    (chain = sk_X509_new_null()) == NULL)
		goto out;
	dok = verify_direct(certs ? sk_X509_value(certs, 0) : NULL, chain,
	    dwhy, sizeof(dwhy));
	pok = verify_path(certs ? sk_X509_value(certs, 0) : NULL, chain,
	    cafile, now, pwhy, sizeof(pwhy));

	emit(&o, "%s\n", DASHES19);
	if (dok)
		emit(&o, "\tCertificate ** Verified **\n");
	else
		emit(&o, "\tCertificate ** Failed **\n%s\n", dwhy);
	emit(&o, "\tPath validation ** %s ** ", pok ? "Verified" : "Failed");
	emit_safe(&o, pwhy, strlen(pwhy));
	emit(&o, "\nCertificate Info:\n");
	verify_infos(&o, certp, now);
	emit(&o, "\n%s\nChain Info:\n", DASHES19);
	verify_infos(&o, chainp, now);
	rc = dok && pok ? 0 : 1;
out:
	sk_X509_pop_free(certs, X509_free);
	sk_X509_pop_free(chain, X509_free);
	free(certp);
	free(chainp);
	free(dir);
	return o.err != 0 ? o.err : rc;
}

/* Lowercase hex SHA-256 of der[0..len) into hex (65 bytes). */
static int
spki_sha256(const unsigned char *der, int len, char *hex)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen, i;

	if (len <= 0 || !EVP_Digest(der, (size_t)len, md, &mdlen,
	    EVP_sha256(), NULL) || mdlen != 32)
		return SSLM_ERR_CRYPTO;
	for (i = 0; i < mdlen; i++)
		snprintf(hex + i * 2, 3, "%02x", md[i]);
	return 0;
}

int
tool_tlsa_hash(const char *dir, struct buf *out)
{
	struct tout	 o = { out, 0 };
	unsigned char	*der = NULL;
	X509		*x = NULL;
	char		*certp, *h2 = NULL, h1[65];
	int		 len, r, rc = 1;

	certp = path_join(dir != NULL && *dir != '\0' ? dir : "./",
	    "cert.pem");
	if ((r = x509_load_cert(certp, &x)) != 0) {
		if (r == SSLM_ERR_NOTFOUND)
			emit(&o, "Error: Missing cert file : %s\n", certp);
		else
			emit(&o, "Error: cannot read %s: %s\n", certp,
			    sslm_strerror(r));
		goto out;
	}
	/*
	 * Way 1: re-encode the decoded public key (i2d_PUBKEY goes through
	 * the key's provider).  Way 2 (x509_tlsa_data 1 1): the certificate's
	 * own subjectPublicKeyInfo structure.
	 */
	len = i2d_PUBKEY(X509_get0_pubkey(x), &der);
	if (spki_sha256(der, len, h1) != 0 ||
	    x509_tlsa_data(x, 1, 1, &h2) != 0) {
		emit(&o, "Error: cannot hash the public key of %s: %s\n",
		    certp, ssl_reason());
		goto out;
	}
	if (strcmp(h1, h2) == 0) {
		emit(&o, "Matched:\ntlsa hash: %s\n", h1);
		rc = 0;
	} else
		emit(&o, "** Warning: Mismatched:\n internal: %s\n     "
		    "spki: %s\n", h1, h2);
out:
	OPENSSL_free(der);
	X509_free(x);
	free(h2);
	free(certp);
	return o.err != 0 ? o.err : rc;
}
