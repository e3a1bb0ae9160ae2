/*
 * cli.h - the headless (cron) face: the regular and dev command lines,
 * check-config and the auxiliary tools.  Each returns the exit status:
 * 0 success, 1 a task failed, 2 usage or configuration error.
 */
#ifndef SSLM_CLI_H
#define SSLM_CLI_H

int	cli_main(int argc, char **argv);	/* argv[0] = program name */
/* Finds the topdir or says what was tried; 0 or exit status 2. */
int	cli_find_topdir(char **top);
int	cli_check_config(int argc, char **argv);
int	cli_info(int argc, char **argv);
int	cli_verify(int argc, char **argv);
int	cli_dhparam(int argc, char **argv);
int	cli_tlsa_hash(int argc, char **argv);
int	cli_revoke(int argc, char **argv);
int	cli_ca_init(int argc, char **argv);

#endif
