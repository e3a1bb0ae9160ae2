/*
 * main.c - one binary, several faces.  The classic program names
 * (sslm-mgr, sslm-info, sslm-verify, sslm-dhparm, sslm-tlsa-hash) are links
 * to this binary and are dispatched on argv[0]; "ssl-mgr <subcommand>"
 * reaches the same functions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "console.h"
#ifdef SSLM_FAULTS
#include "fault.h"
#endif

/* "ssl-mgr tui": the console, never the headless fallback. */
static int
tui_main(int argc, char **argv)
{
	return console_main(argc, argv, false);
}

struct face {
	const char	*progname;	/* classic link name */
	const char	*subcmd;	/* ssl-mgr <subcmd> */
	int		(*fn)(int, char **);
};

static const struct face faces[] = {
	{ "sslm-info", "info", cli_info },
	{ "sslm-verify", "verify", cli_verify },
	{ "sslm-dhparm", "dhparam", cli_dhparam },
	{ "sslm-tlsa-hash", "tlsa-hash", cli_tlsa_hash },
	{ NULL, "check-config", cli_check_config },
	{ NULL, "revoke", cli_revoke },
	{ NULL, "ca-init", cli_ca_init },
	{ NULL, "plan", cli_plan },
	{ NULL, "dns-status", cli_dns_status },
	{ NULL, "tui", tui_main },
};

int
main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');

	base = base ? base + 1 : argv[0];
#ifdef SSLM_FAULTS
	/* The test build names its crash points for the crash tests. */
	if (getenv("SSLM_FAULT") != NULL &&
	    strcmp(getenv("SSLM_FAULT"), "list") == 0) {
		for (size_t i = 0; sslm_fault_points[i] != NULL; i++)
			printf("%s\n", sslm_fault_points[i]);
		return 0;
	}
#endif
	for (size_t i = 0; i < sizeof(faces) / sizeof(faces[0]); i++)
		if (faces[i].progname && strcmp(base, faces[i].progname) == 0)
			return faces[i].fn(argc, argv);
	if (argc > 1) {
		for (size_t i = 0; i < sizeof(faces) / sizeof(faces[0]); i++)
			if (strcmp(argv[1], faces[i].subcmd) == 0)
				return faces[i].fn(argc - 1, argv + 1);
		if (strcmp(argv[1], "--version") == 0 ||
		    strcmp(argv[1], "-V") == 0) {
			printf("ssl-mgr %s\n", SSLM_VERSION);
			return 0;
		}
	}
	/*
	 * The bare name on a terminal is a person: open the console.  When
	 * it cannot start (no configuration, no usable terminal) the
	 * headless face prints its hint as before.
	 */
	if (argc == 1 && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		int rc = console_main(argc, argv, true);

		if (rc != CONSOLE_NOSTART)
			return rc;
	}
	return cli_main(argc, argv);
}
