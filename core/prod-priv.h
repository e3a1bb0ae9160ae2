/*
 * prod-priv.h - what the production check (prod-check.c) and the sync
 * (prod.c) share.  Internal to those two files.
 */
#ifndef SSLM_PROD_PRIV_H
#define SSLM_PROD_PRIV_H

#include <stdbool.h>
#include <stddef.h>

/* PEM files and TLSA sets are kilobytes; larger is not ours. */
#define PROD_FILE_MAX		(1024 * 1024)
#define PROD_N_PEM_FILES	6

/* The six PEM files of a set, and the two sides, curr and next. */
extern const char *const prod_pem_files[PROD_N_PEM_FILES];
extern const char *const prod_sides[2];

/* The group "ca" (case-insensitive): its private keys stay out. */
bool	prod_is_ca(const char *grp);
/* privkey.pem, bundle.pem, key.pem: 0600 and never copied for ca. */
bool	prod_is_secret(const char *name);
bool	prod_is_dir(const char *path);
/* "<svc>.new.<pid>", "<svc>.old.<pid>", "<file>.tmp.<pid>": a sync's. */
bool	prod_is_leftover(const char *name);
/* Reads a file of at most PROD_FILE_MAX; free with prod_release. */
int	prod_slurp(const char *path, char **p, size_t *len);
/* Wipes (it may hold a key) and frees. */
void	prod_release(char *p, size_t len);
/* Equal but for white space (upstream's comparison). */
bool	prod_ws_equal(const char *a, size_t alen, const char *b,
	    size_t blen);
/* "<certs>/<grp>/<svc>/db/<target>" of a complete set, or NULL. */
int	prod_db_dir(const char *certs_dir, const char *grp, const char *svc,
	    const char *which, char **dir);

/*
 * Stamps (prod-stamp.c): per group, the identity of each production file
 * when it was last known equal to certs/.  gdfd is <prod>/<grp> opened
 * O_DIRECTORY (-1: no shortcut).  load never fails (no file: empty).
 */
struct prod_stamps;
struct stat;
/* dbst: the stat of dbpath when the caller has it (else NULL). */
struct prod_stamps *prod_stamps_load(const char *certs_dir, const char *grp);
/* True when svc's side still is db's copy, file for file. */
bool	prod_stamps_match(struct prod_stamps *, int gdfd, const char *svc,
	    int side, const char *db, const char *dbpath,
	    const struct stat *dbst);
/* Records svc's side as db's copy, as its files are now. */
void	prod_stamps_put(struct prod_stamps *, int gdfd, const char *svc,
	    int side, const char *db, const char *dbpath);
void	prod_stamps_drop(struct prod_stamps *, const char *svc, int side);
/* Writes <certs>/<grp>/.prod-stamp when it changed; a failure is only
 * logged (the next check compares in full). */
int	prod_stamps_save(struct prod_stamps *, const char *certs_dir,
	    const char *grp);
void	prod_stamps_free(struct prod_stamps *);
/* Removes what a killed run left of the file's writes (under the lock). */
void	prod_stamps_sweep(const char *certs_dir, const char *grp);

#endif
