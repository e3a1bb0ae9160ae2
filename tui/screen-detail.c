/*
 * screen-detail.c - one service: curr, next and prev (subject, SANs,
 * issuer, validity, key, SHA-256 fingerprint, files and their modes) and
 * the TLSA records of each db dir.  Every field comes from a certificate
 * on disk, so all of it is drawn through the w_text sanitiser.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "console.h"
#include "run.h"
#include "runsvc.h"
#include "util.h"
#include "x509.h"

static void
add_files(struct w_text *t, const char *dir)
{
	struct dirent **ents = NULL;
	struct stat st;
	int n;

	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0) {
		w_text_addf(t, W_ROLE_ERROR, "    cannot list %s", dir);
		return;
	}
	for (int i = 0; i < n; i++) {
		char *p = path_join(dir, ents[i]->d_name);

		if (ents[i]->d_name[0] != '.' && lstat(p, &st) == 0)
			w_text_addf(t, (st.st_mode & 077) &&
			    strstr(ents[i]->d_name, "key") ? W_ROLE_ERROR :
			    W_ROLE_NORMAL, "    %04o %8lld  %s",
			    (unsigned)(st.st_mode & 07777),
			    (long long)st.st_size, ents[i]->d_name);
		free(p);
		free(ents[i]);
	}
	free(ents);
}

static void
add_cert(struct w_text *t, const char *label, const char *svcdir,
    const char *db, time_t now)
{
	struct x509_certinfo ci;
	X509 *x = NULL;
	char *dir, *path, nb[32], na[32], left[48];

	w_text_section(t, label);
	if (db == NULL) {
		w_text_add(t, W_ROLE_DIM, "    (none)");
		return;
	}
	dir = xasprintf("%s/db/%s", svcdir, db);
	path = path_join(dir, "cert.pem");
	w_text_addf(t, W_ROLE_DIM, "    %s", dir);
	if (x509_load_cert(path, &x) != 0 || x509_certinfo_get(x, &ci) != 0) {
		w_text_addf(t, W_ROLE_ERROR, "    cert.pem missing or "
		    "unreadable");
		goto files;
	}
	strftime(nb, sizeof(nb), "%Y-%m-%d %H:%M:%S", gmtime(&ci.not_before));
	strftime(na, sizeof(na), "%Y-%m-%d %H:%M:%S", gmtime(&ci.not_after));
	con_countdown(ci.not_after - now, left, sizeof(left));
	w_text_addf(t, W_ROLE_NORMAL, "    subject   %s", ci.subject ?
	    ci.subject : "");
	w_text_addf(t, W_ROLE_NORMAL, "    issuer    %s", ci.issuer ?
	    ci.issuer : "");
	for (size_t i = 0; i < ci.sans.n; i++)
		w_text_addf(t, W_ROLE_NORMAL, "    %s %s", i ? "         " :
		    "SANs     ", ci.sans.v[i]);
	w_text_addf(t, W_ROLE_NORMAL, "    valid     %s .. %s UTC", nb, na);
	w_text_addf(t, ci.not_after < now ? W_ROLE_EXPIRED : W_ROLE_OK,
	    "    left      %s", left);
	w_text_addf(t, W_ROLE_NORMAL, "    key       %s (%s)", ci.pubkey,
	    ci.sig_algo);
	w_text_addf(t, W_ROLE_NORMAL, "    sha256    %s", ci.sha256_fp);
	x509_certinfo_free(&ci);
files:
	X509_free(x);
	w_text_add(t, W_ROLE_DIM, "    files:");
	add_files(t, dir);
	free(path);
	free(dir);
}

static void
add_tlsa(struct w_text *t, const char *svcdir, const char *label,
    const char *db)
{
	char *path, *text = NULL;
	size_t len;

	if (db == NULL)
		return;
	path = xasprintf("%s/db/%s/tlsa.rr", svcdir, db);
	if (read_file(path, 1 << 20, &text, &len) == 0) {
		w_text_addf(t, W_ROLE_DIM, "    %s (%s)", label, path);
		w_text_add(t, W_ROLE_NORMAL, text);
	}
	free(text);
	free(path);
}

void
scr_detail_open(struct console *c, const struct con_row *row)
{
	struct sslm_opts opts;
	struct sslm_run *run = NULL;
	struct sslm_diag diag = { 0 };
	struct svc_state st = { 0 };
	struct w_text *t = c->detail;
	const struct sslm_service_cfg *sc = NULL;
	char *err = NULL, *key = xstrdup(row->key);
	time_t now = time(NULL);
	size_t top = t->top;
	bool same = c->detail_key && strcmp(c->detail_key, key) == 0;

	w_text_clear(t);
	free(c->detail_key);
	c->detail_key = key;
	w_text_section(t, key);
	memset(&opts, 0, sizeof(opts));
	if (c->cfg == NULL || sslm_opts_parse(0, NULL, &opts, &err) != 0 ||
	    sslm_run_prepare(c->cfg, &opts, now, &run, &diag) != 0) {
		w_text_add(t, W_ROLE_ERROR, "    cannot read the service");
		goto out;
	}
	for (size_t i = 0; i < run->n_groups && sc == NULL; i++)
		for (size_t k = 0; k < run->groups[i].n; k++)
			if (strcmp(run->groups[i].grp, row->grp) == 0 &&
			    strcmp(run->groups[i].svcs[k]->svc, row->svc) == 0)
				sc = run->groups[i].svcs[k];
	if (sc == NULL) {
		w_text_add(t, W_ROLE_ERROR, "    not an active service");
		goto out;
	}
	w_text_addf(t, W_ROLE_NORMAL, "    config    %s", sc->path);
	w_text_addf(t, W_ROLE_NORMAL, "    CA        %s", row->ca);
	svc_state_load(run, sc, &st);
	w_text_addf(t, W_ROLE_NORMAL, "    dir       %s", st.dir ? st.dir :
	    "");
	add_cert(t, "curr", st.dir, st.curr, now);
	add_cert(t, "next", st.dir, st.next, now);
	add_cert(t, "prev", st.dir, st.prev, now);
	w_text_section(t, "TLSA");
	if (sc->n_dane == 0)
		w_text_add(t, W_ROLE_DIM, "    (no dane_tls for this service)");
	add_tlsa(t, st.dir, "curr", st.curr);
	add_tlsa(t, st.dir, "next", st.next);
	svc_state_free(&st);
out:
	if (same)
		w_text_scroll_to(t, top);
	free(err);
	sslm_run_free(run);
	sslm_diag_free(&diag);
	sslm_opts_free(&opts);
	console_show(c, CON_SCR_DETAIL);
}

void
scr_detail_key(struct console *c, int key)
{
	(void)w_text_key(c->detail, key);
}
