/*
 * x509parse.c - what one status certificate costs with OpenSSL 3.0:
 * full PEM_read_bio_X509 (what core/x509.c:x509_load_cert does) versus
 * PEM -> DER only, versus d2i_X509 on DER, versus reading the file.
 *   cc -O2 -o x509parse x509parse.c -lcrypto && ./x509parse cert.pem... 
 * Each file is parsed ROUNDS times; prints ns per certificate.
 */
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

int main(int argc, char **argv)
{
	int rounds = 200;
	char *buf[4096]; long len[4096];
	int n = argc - 1 > 4096 ? 4096 : argc - 1;
	for (int i = 0; i < n; i++) {
		FILE *f = fopen(argv[i + 1], "r");
		buf[i] = malloc(65536); len[i] = f ? (long)fread(buf[i], 1, 65536, f) : 0;
		if (f) fclose(f);
	}
	double t0 = now();
	for (int r = 0; r < rounds; r++) for (int i = 0; i < n; i++) {
		BIO *b = BIO_new_mem_buf(buf[i], (int)len[i]);
		X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
		X509_free(x); BIO_free(b);
	}
	double t1 = now();
	unsigned char *der[4096]; long dlen[4096];
	for (int r = 0; r < rounds; r++) for (int i = 0; i < n; i++) {
		BIO *b = BIO_new_mem_buf(buf[i], (int)len[i]);
		char *nm = NULL, *hd = NULL; unsigned char *d = NULL; long l = 0;
		PEM_read_bio(b, &nm, &hd, &d, &l);
		if (r == 0) { der[i] = d; dlen[i] = l; } else OPENSSL_free(d);
		OPENSSL_free(nm); OPENSSL_free(hd); BIO_free(b);
	}
	double t2 = now();
	for (int r = 0; r < rounds; r++) for (int i = 0; i < n; i++) {
		const unsigned char *p = der[i];
		X509 *x = d2i_X509(NULL, &p, dlen[i]);
		X509_free(x);
	}
	double t3 = now();
	/* the same certificate's SubjectPublicKeyInfo alone, and its names */
	unsigned char *spki[4096]; int slen[4096];
	unsigned char *nm[4096]; int nlen[4096];
	for (int i = 0; i < n; i++) {
		const unsigned char *p = der[i];
		X509 *x = d2i_X509(NULL, &p, dlen[i]);
		spki[i] = NULL; slen[i] = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki[i]);
		nm[i] = NULL; nlen[i] = i2d_X509_NAME(X509_get_subject_name(x), &nm[i]);
		X509_free(x);
	}
	double t4 = now();
	for (int r = 0; r < rounds; r++) for (int i = 0; i < n; i++) {
		const unsigned char *p = spki[i];
		X509_PUBKEY *k = d2i_X509_PUBKEY(NULL, &p, slen[i]);
		X509_PUBKEY_free(k);
	}
	double t5 = now();
	for (int r = 0; r < rounds; r++) for (int i = 0; i < n; i++) {
		const unsigned char *p = nm[i];
		X509_NAME *k = d2i_X509_NAME(NULL, &p, nlen[i]);
		X509_NAME_free(k);
	}
	double t6 = now();
	double k = 1e9 / ((double)rounds * n);
	printf("certs %d x %d rounds\n", n, rounds);
	printf("PEM_read_bio_X509 (full parse): %8.0f ns/cert\n", (t1 - t0) * k);
	printf("PEM_read_bio (base64 only):     %8.0f ns/cert\n", (t2 - t1) * k);
	printf("d2i_X509 on DER:                %8.0f ns/cert\n", (t3 - t2) * k);
	printf("d2i_X509_PUBKEY (SPKI only):    %8.0f ns/cert\n", (t5 - t4) * k);
	printf("d2i_X509_NAME (subject only):   %8.0f ns/cert\n", (t6 - t5) * k);
	return 0;
}
