/*
 * fuzz-config.c - libFuzzer target for the config loader: ssl-mgr.conf,
 * ca-info.conf and a service file, read from disk by sslm_config_load()
 * and sslm_service_load() exactly as a run reads them.
 *
 * The first byte of the input picks the file (byte % 3: 0 ssl-mgr.conf,
 * 1 ca-info.conf, 2 the service file example.com/web-self); the rest is
 * its content.  The other files hold the bundled demo configuration, so a
 * mutation of one file meets valid neighbours (a service needs its CA).
 * Seeds are text files starting with "0\n", "1\n" or "2\n".
 *
 * The loader promises that every diagnostic names its file and that a
 * failed load has said why; both are checked here, not only "no crash".
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char demo_main[] =
    "[globals]\n"
    "    prod_cert_dir = './prod-certs'\n"
    "    logdir = './logs'\n"
    "    clean_keep = 5\n"
    "    min_roll_mins = 0\n"
    "[[groups]]\n"
    "    domain = 'ca'\n"
    "    services = ['my-root', 'my-int']\n"
    "    active = true\n"
    "[[groups]]\n"
    "    domain = 'example.com'\n"
    "    services = ['web-self']\n"
    "    active = true\n";

static const char demo_ca[] =
    "[my-root]\n"
    "    ca_desc = 'root'\n"
    "    ca_type = 'self'\n"
    "[my-int]\n"
    "    ca_desc = 'intermediate'\n"
    "    ca_type = 'local'\n"
    "[le-dns]\n"
    "    ca_type = 'letsencrypt'\n"
    "    ca_validation = 'dns-01'\n"
    "[le-http]\n"
    "    ca_type = 'letsencrypt'\n"
    "    ca_validation = 'http-01'\n";

static const char demo_svc[] =
    "name = 'Example web'\n"
    "group = 'example.com'\n"
    "service = 'web-self'\n"
    "signing_ca = 'my-int'\n"
    "[KeyOpts]\n"
    "    ktype = 'ec'\n"
    "[X509]\n"
    "    CN = 'example.com'\n"
    "    O = 'Example Org'\n"
    "    C = 'US'\n"
    "    sans = ['example.com']\n";

/* The per-process topdir, made on the first input, removed at exit. */
static char	 topdir[64];
static char	*p_main, *p_ca, *p_svc, *p_grp, *p_conf;
/* Which file holds fuzz data now (restored lazily: fewer writes). */
static int	 dirty = -1;

/* core/err.h shadows <err.h> on this include path: no err(3). */
static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static void
put(const char *path, const void *data, size_t len)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		die(path);
	if (len > 0 && write(fd, data, len) != (ssize_t)len)
		die(path);
	close(fd);
}

static void
cleanup(void)
{
	unlink(p_svc);
	rmdir(p_grp);
	unlink(p_main);
	unlink(p_ca);
	rmdir(p_conf);
	rmdir(topdir);
}

static void
setup(void)
{
	const char *base;

	/* tmpfs when there is one: the target writes a file per input. */
	base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(topdir, sizeof(topdir), "%s/sslm-fuzz.XXXXXX", base);
	if (mkdtemp(topdir) == NULL)
		die("mkdtemp");
	p_conf = path_join(topdir, "conf.d");
	p_grp = path_join(p_conf, "example.com");
	p_main = path_join(p_conf, "ssl-mgr.conf");
	p_ca = path_join(p_conf, "ca-info.conf");
	p_svc = path_join(p_grp, "web-self");
	if (mkdir(p_conf, 0700) == -1 || mkdir(p_grp, 0700) == -1)
		die("mkdir");
	put(p_main, demo_main, sizeof(demo_main) - 1);
	put(p_ca, demo_ca, sizeof(demo_ca) - 1);
	put(p_svc, demo_svc, sizeof(demo_svc) - 1);
	atexit(cleanup);
}

/* Every message must start with the path of a file under conf.d. */
static void
check_diag(const struct sslm_diag *d)
{
	size_t i, n = strlen(p_conf);

	for (i = 0; i < d->errors.n; i++)
		if (strncmp(d->errors.v[i], p_conf, n) != 0)
			abort();
	for (i = 0; i < d->warnings.n; i++)
		if (strncmp(d->warnings.v[i], p_conf, n) != 0)
			abort();
}

static const char *
path_of(int which)
{
	return which == 0 ? p_main : which == 1 ? p_ca : p_svc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const demos[3] = { demo_main, demo_ca, demo_svc };
	struct sslm_config *cfg = NULL;
	struct sslm_service_cfg *svc = NULL;
	struct sslm_diag diag;
	struct buf dump;
	int which, rc;

	if (size == 0)
		return 0;
	if (topdir[0] == '\0')
		setup();
	which = data[0] % 3;
	if (dirty != -1 && dirty != which)
		put(path_of(dirty), demos[dirty], strlen(demos[dirty]));
	put(path_of(which), data + 1, size - 1);
	dirty = which;

	memset(&diag, 0, sizeof(diag));
	buf_init(&dump, 1 << 20);
	rc = sslm_config_load(topdir, &cfg, &diag);
	if (cfg == NULL)
		abort();
	/* A failed load must have said why. */
	if ((rc != 0) != (diag.errors.n > 0))
		abort();
	check_diag(&diag);
	/*
	 * check-config -v prints the effective values whatever the errors.
	 * The dump allocates per character, so it runs only on inputs that
	 * changed the global config: dumping the fixed demo for every
	 * service input would halve the speed for nothing.
	 */
	if (which != 2)
		sslm_config_dump(cfg, &dump);
	if (which == 2) {
		/* Detection runs on anything under a group directory. */
		(void)sslm_is_service_file(p_svc);
		rc = sslm_service_load(cfg, "example.com", "web-self", &svc,
		    &diag);
		if ((rc == 0) != (svc != NULL))
			abort();
		if (rc != 0 && diag.errors.n == 0)
			abort();
		check_diag(&diag);
		if (svc != NULL)
			sslm_service_dump(svc, &dump);
		sslm_service_free(svc);
	}
	buf_free(&dump);
	sslm_config_free(cfg);
	sslm_diag_free(&diag);
	return 0;
}
