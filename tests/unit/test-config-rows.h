/*
 * test-config-rows.h - the tables test-config.c runs, one cmocka case per
 * row: a config text and the exact diagnostic it must produce.  Expected
 * messages are relative to the temporary topdir ("conf.d/...:line: ...").
 * Data only; included once, by test-config.c.
 */

/* Every ssl-mgr.conf row gets this appended (unless raw). */
#define GROUPS	"[[groups]]\ndomain = 'example.com'\n" \
		"services = ['web']\nactive = true\n"
#define MAIN	"conf.d/ssl-mgr.conf"
#define CAINFO	"conf.d/ca-info.conf"
#define SVC	"conf.d/example.com/web"

struct conf_row {
	const char	*name;
	const char	*text;
	bool		 raw;		/* no GROUPS appended */
	const char	*err;		/* an expected error, or NULL: none */
	const char	*warn;		/* an expected warning, or NULL */
};

static const struct conf_row main_rows[] = {
	/* Wrong types: errors at the key's line, saying what was expected. */
	{ "clean_keep_string", "clean_keep = \"ten\"\n", false,
	  MAIN ":1: [globals] clean_keep: expected integer, got string", NULL },
	{ "clean_keep_float", "[globals]\nclean_keep = 2.5\n", false,
	  MAIN ":2: [globals] clean_keep: expected integer, got float", NULL },
	{ "clean_keep_huge", "clean_keep = 99999999999\n", false,
	  MAIN ":1: [globals] clean_keep: 99999999999 is out of range "
	  "(-2147483648..2147483647)", NULL },
	{ "min_roll_mins_negative", "[globals]\nmin_roll_mins = -5\n", false,
	  MAIN ":2: min_roll_mins must not be negative", NULL },
	{ "min_roll_mins_string", "min_roll_mins = '90'\n", false,
	  MAIN ":1: [globals] min_roll_mins: expected integer, got string",
	  NULL },
	{ "dns_check_delay_float", "dns_check_delay = 1.5\n", false,
	  MAIN ":1: [globals] dns_check_delay: expected integer, got float",
	  NULL },
	{ "prod_cert_dir_empty", "[globals]\nprod_cert_dir = ''\n", false,
	  MAIN ":2: prod_cert_dir must not be empty", NULL },
	{ "prod_cert_dir_nul", "prod_cert_dir = \"/a\\u0000b\"\n", false,
	  MAIN ":1: [globals] prod_cert_dir: string contains a NUL byte",
	  NULL },
	{ "logdir_int", "logdir = 5\n", false,
	  MAIN ":1: [globals] logdir: expected string, got integer", NULL },
	{ "verb_string", "verb = 'yes'\n", false,
	  MAIN ":1: [globals] verb: expected bool (true or false), got string",
	  NULL },
	{ "dns_xtra_ns_string", "dns_xtra_ns = '1.1.1.1'\n", false,
	  MAIN ":1: [globals] dns_xtra_ns: expected array of strings, got "
	  "string", NULL },
	{ "dns_xtra_ns_bad_host", "dns_xtra_ns = ['1.1.1.1', 'bad host']\n",
	  false, MAIN ":1: dns_xtra_ns: 'bad host' is not an IP address or "
	  "host name", NULL },
	{ "renew_expire_days_string", "renew_expire_days = '30'\n", false,
	  MAIN ":1: [globals] renew_expire_days: expected number, got string",
	  NULL },
	{ "renew_spread_negative", "renew_expire_days_spread = -2\n", false,
	  MAIN ":1: renew_expire_days_spread must not be negative", NULL },
	{ "post_copy_not_list", "post_copy_cmd = 'host cmd'\n", false,
	  MAIN ":1: post_copy_cmd must be a list of [host, cmd], got string",
	  NULL },
	{ "post_copy_short_pair", "post_copy_cmd = [['h', 'c'],\n  ['h2']]\n",
	  false, MAIN ":2: post_copy_cmd[1] must be [host, cmd] (two "
	  "non-empty strings)", NULL },
	{ "post_copy_flat", "post_copy_cmd = ['h c']\n", false,
	  MAIN ":1: post_copy_cmd[0] must be [host, cmd] (two non-empty "
	  "strings)", NULL },
	{ "post_copy_int_cmd", "post_copy_cmd = [['h', 5]]\n", false,
	  MAIN ":1: post_copy_cmd[0] must be [host, cmd] (two non-empty "
	  "strings)", NULL },
	{ "globals_not_table", "globals = 5\n", false,
	  MAIN ":1: globals: expected table, got integer", NULL },
	{ "web_not_table", "web = 'x'\n", false,
	  MAIN ":1: web: expected table, got string", NULL },

	/* [[groups]] */
	{ "groups_missing", "clean_keep = 3\n", true,
	  MAIN ": groups must be a list of tables ([[groups]])", NULL },
	{ "groups_single_table", "[groups]\ndomain = 'x.com'\n", true,
	  MAIN ":1: groups must be a list of tables ([[groups]])", NULL },
	{ "groups_int", "groups = 5\n", true,
	  MAIN ":1: groups must be a list of tables ([[groups]])", NULL },
	{ "group_active_string", "[[groups]]\ndomain = 'x.com'\n"
	  "services = ['a']\nactive = \"yes\"\n", true,
	  MAIN ":4: [[groups]] active: expected bool (true or false), got "
	  "string", NULL },
	{ "group_domain_dotdot", "[[groups]]\ndomain = '../etc'\n"
	  "services = ['a']\nactive = true\n", true,
	  MAIN ":2: [[groups]] domain '../etc' is not a valid name", NULL },
	{ "group_domain_slash", "[[groups]]\ndomain = 'a/b'\n"
	  "services = ['a']\n", true,
	  MAIN ":2: [[groups]] domain 'a/b' is not a valid name", NULL },
	{ "group_domain_leading_dot", "[[groups]]\ndomain = '.example.com'\n"
	  "services = ['a']\n", true,
	  MAIN ":2: [[groups]] domain '.example.com' is not a valid name",
	  NULL },
	{ "group_service_dotdot", "[[groups]]\ndomain = 'x.com'\n"
	  "services = ['ok', '../x']\n", true,
	  MAIN ":3: [[groups]] service '../x' is not a valid name", NULL },
	{ "group_service_hidden", "[[groups]]\ndomain = 'x.com'\n"
	  "services = '.hidden'\n", true,
	  MAIN ":3: [[groups]] service '.hidden' is not a valid name", NULL },
	{ "group_services_int", "[[groups]]\ndomain = 'x.com'\n"
	  "services = 5\n", true,
	  MAIN ":3: [[groups]] services: expected string or array of strings, "
	  "got integer", NULL },

	/* [[dns_primary]] */
	{ "dns_primary_no_server", "[[dns_primary]]\ndomain = 'default'\n",
	  false, MAIN ":1: [[dns_primary]] missing server", NULL },
	{ "dns_primary_no_domain", "[[dns_primary]]\nserver = '10.0.0.1'\n",
	  false, MAIN ":1: [[dns_primary]] missing domain", NULL },
	{ "dns_primary_port_range", "[[dns_primary]]\ndomain = 'default'\n"
	  "server = '10.0.0.1'\nport = 70000\n", false,
	  MAIN ":4: [[dns_primary]] port: 70000 is out of range (1..65535)",
	  NULL },
	{ "dns_primary_port_string", "[[dns_primary]]\ndomain = 'default'\n"
	  "server = '10.0.0.1'\nport = '53'\n", false,
	  MAIN ":4: [[dns_primary]] port: expected integer, got string",
	  NULL },
	{ "dns_primary_bad_server", "[[dns_primary]]\ndomain = 'default'\n"
	  "server = 'bad host!'\n", false,
	  MAIN ":3: [[dns_primary]] server 'bad host!' is not an IP address "
	  "or host name", NULL },
	{ "dns_primary_not_aot", "dns_primary = 5\n", false,
	  MAIN ":1: dns_primary must be a list of tables ([[dns_primary]])",
	  NULL },

	/* Server classes */
	{ "servers_int", "[web]\nservers = 5\n", false,
	  MAIN ":2: [web] servers: expected string or array of strings, got "
	  "integer", NULL },
	{ "servers_elem_int", "[smtp]\nservers = ['a',\n  7]\n", false,
	  MAIN ":3: [smtp] servers[1]: expected string, got integer", NULL },
	{ "restart_cmd_int", "[imap]\nrestart_cmd = 5\n", false,
	  MAIN ":2: [imap] restart_cmd: expected string or array of strings, "
	  "got integer", NULL },
	{ "svc_depends_short", "[web]\nsvc_depends = [['any']]\n", false,
	  MAIN ":2: [web] svc_depends[0] must be [domain, [services]]", NULL },
	{ "svc_depends_string", "[web]\nsvc_depends = 'any'\n", false,
	  MAIN ":2: [web] svc_depends: expected list of [domain, [services]], "
	  "got string", NULL },
	{ "svc_depends_svc_int", "[smtp]\nsvc_depends = [['any', [1]]]\n",
	  false, MAIN ":2: [smtp] svc_depends[0]: services must be strings, "
	  "got integer", NULL },
	{ "skip_prod_copy_string", "[other]\nskip_prod_copy = 'yes'\n", false,
	  MAIN ":2: [other] skip_prod_copy: expected bool (true or false), "
	  "got string", NULL },
	{ "acme_dir_int", "[dns]\nacme_dir = 1\n", false,
	  MAIN ":2: [dns] acme_dir: expected string or array of strings, got "
	  "integer", NULL },
	{ "tlsa_dirs_elem", "[dns]\ntlsa_dirs = ['a', true]\n", false,
	  MAIN ":2: [dns] tlsa_dirs[1]: expected string, got bool", NULL },

	/* [renew_info] */
	{ "renew_info_negative", "[renew_info]\ntarget_90 = -1\n", false,
	  MAIN ":2: [renew_info] target_90: days must be between 0 and 36600",
	  NULL },
	{ "renew_info_huge", "[renew_info]\ntarget_90 = 1e308\n", false,
	  MAIN ":2: [renew_info] target_90: days must be between 0 and 36600",
	  NULL },
	{ "renew_info_string", "[renew_info]\nrand_adj_90 = '3'\n", false,
	  MAIN ":2: [renew_info] rand_adj_90: expected number, got string",
	  NULL },

	/* Warnings only: never an error. */
	{ "unknown_key_web", "[web]\nfoo = 1\n", false, NULL,
	  MAIN ":2: unknown key 'foo' in [web]" },
	{ "unknown_key_globals", "[globals]\nbar = 'x'\n", false, NULL,
	  MAIN ":2: unknown key 'bar' in [globals]" },
	{ "unknown_key_toplevel", "baz = true\n", false, NULL,
	  MAIN ":1: unknown key 'baz' in [globals]" },
	{ "unknown_table", "[mystery]\nx = 1\n", false, NULL,
	  MAIN ":1: unknown table [mystery]" },
	{ "unknown_key_group", "[[groups]]\ndomain = 'x.com'\n"
	  "services = ['a']\ncolour = 'red'\n", true, NULL,
	  MAIN ":4: unknown key 'colour' in [[groups]]" },
	{ "unknown_key_dns_primary", "[[dns_primary]]\ndomain = 'default'\n"
	  "server = '10.0.0.1'\nttl = 5\n", false, NULL,
	  MAIN ":4: unknown key 'ttl' in [[dns_primary]]" },
	{ "acme_dir_outside_dns", "[web]\nacme_dir = 'x'\n", false, NULL,
	  MAIN ":2: unknown key 'acme_dir' in [web]" },
	{ "unknown_renew_info_key", "[renew_info]\ntarget_x = 3\n", false,
	  NULL, MAIN ":2: unknown key 'target_x' in [renew_info]" },
	{ "clean_keep_zero", "clean_keep = 0\n", false, NULL,
	  MAIN ":1: clean_keep 0 too small, using 1" },
	{ "preferred_acme_profile", "preferred_acme_profile = 'shortlived'\n",
	  false, NULL, MAIN ":1: preferred_acme_profile has no effect; set "
	  "ca_preferred_acme_profile in ca-info.conf" },
	{ "cli_dest_debug", "[globals]\ndebug = true\n", false, NULL,
	  MAIN ":2: 'debug' in [globals] has no effect (it is a command line "
	  "option)" },
	{ "depends_unknown_tag", "[smtp]\ndepends = ['dns', 'certs']\n", false,
	  NULL, MAIN ":2: [smtp] depends: unknown tag 'certs' (cert, tlsa, "
	  "dns)" },
	{ "active_group_no_services", "[[groups]]\ndomain = 'example.com'\n"
	  "active = true\n", true, NULL,
	  MAIN ":1: active group without services: skipped" },
	{ "active_group_no_domain", "[[groups]]\nservices = ['a']\n"
	  "active = true\n", true, NULL,
	  MAIN ":1: active group without domain: skipped" },
	{ "group_twice", "[[groups]]\ndomain = 'x.com'\nservices = ['a']\n"
	  "[[groups]]\ndomain = 'X.com'\nservices = ['b']\n", true, NULL,
	  MAIN ":4: group 'X.com' is listed twice (also line 1)" },
	{ "dns_primary_twice", "[[dns_primary]]\ndomain = 'default'\n"
	  "server = '10.0.0.1'\n[[dns_primary]]\ndomain = 'Default'\n"
	  "server = '10.0.0.2'\n", false, NULL,
	  MAIN ":4: [[dns_primary]] 'Default' repeats line 1; the first is "
	  "used" },
	{ "renew_days_and_renew_info", "renew_expire_days = 30\n"
	  "[renew_info]\ntarget_90 = 20\n", false, NULL,
	  MAIN ":1: renew_expire_days is not used: [renew_info] takes "
	  "precedence (a service's own renew_expire_days still wins)" },
	{ "empty_file", "", true, NULL,
	  MAIN ": empty: built-in defaults, no groups" },
	{ "comments_only", "# nothing here\n\n   # at all\n", true, NULL,
	  MAIN ": empty: built-in defaults, no groups" },
};

/* ca-info.conf rows (ssl-mgr.conf is just GROUPS). */
static const struct conf_row ca_rows[] = {
	{ "ca_type_unknown", "[x]\nca_type = 'vault'\n", false,
	  CAINFO ":2: [x] ca_type 'vault' unknown (self, local, certbot, "
	  "letsencrypt or acme)", NULL },
	{ "ca_type_int", "[x]\nca_type = 1\n", false,
	  CAINFO ":2: [x] ca_type: expected string, got integer", NULL },
	{ "ca_type_missing", "[x]\nca_desc = 'd'\n", false,
	  CAINFO ":1: [x] missing ca_type", NULL },
	{ "ca_validation_unknown", "[x]\nca_type = 'certbot'\n"
	  "ca_validation = 'tls-alpn-01'\n", false,
	  CAINFO ":3: [x] ca_validation 'tls-alpn-01' unknown (http-01 or "
	  "dns-01)", NULL },
	{ "ca_validation_missing_acme", "[x]\nca_type = 'letsencrypt'\n",
	  false, CAINFO ":1: [x] ca_validation (http-01 or dns-01) is "
	  "required for an ACME CA", NULL },
	{ "ca_eab_half", "[x]\nca_type = 'acme'\nca_validation = 'dns-01'\n"
	  "ca_eab_kid = 'k'\n", false,
	  CAINFO ":1: [x] ca_eab_kid and ca_eab_hmac_key go together", NULL },
	{ "ca_name_invalid", "['../x']\nca_type = 'self'\n", false,
	  CAINFO ":1: CA name '../x' is not valid", NULL },
	{ "ca_unknown_key", "[x]\nca_type = 'self'\nca_colour = 'red'\n",
	  false, NULL, CAINFO ":3: unknown key 'ca_colour' in [x]" },
	{ "ca_stray_key", "stray = 1\n[x]\nca_type = 'self'\n", false, NULL,
	  CAINFO ":1: unknown key 'stray' (ca-info.conf holds one table per "
	  "CA)" },
	{ "ca_preferred_chain", "[x]\nca_type = 'certbot'\n"
	  "ca_validation = 'dns-01'\nca_preferred_chain = 'ISRG Root X2'\n",
	  false, NULL, CAINFO ":4: CA \"x\": ca_preferred_chain not "
	  "recommended with \"Gen Y\" certs" },
	{ "ca_test_accepted", "[x]\nca_type = 'SELF'\nca_test = true\n",
	  false, NULL, NULL },
	{ "ca_validation_upper", "[x]\nca_type = 'CertBot'\n"
	  "ca_validation = 'DNS-01'\n", false, NULL, NULL },
};

/* Service file rows: conf.d/example.com/web, with CAs le-dns (ACME) and
 * my-sub (local). */
#define HEAD	"name = 'Web'\ngroup = 'example.com'\nservice = 'web'\n"
#define X509	"[X509]\nCN = 'example.com'\nO = 'Ex'\nC = 'US'\n"

static const struct conf_row svc_rows[] = {
	{ "svc_minimal_ok", HEAD X509, false, NULL, NULL },
	{ "svc_missing_name", "group = 'example.com'\nservice = 'web'\n" X509,
	  false, SVC ": missing name", NULL },
	{ "svc_empty_name", "name = ''\ngroup = 'example.com'\n"
	  "service = 'web'\n" X509, false, SVC ": missing name", NULL },
	{ "svc_missing_group", "name = 'W'\nservice = 'web'\n" X509, false,
	  SVC ": missing group (expecting 'example.com')", NULL },
	{ "svc_group_mismatch", "name = 'W'\ngroup = 'example.net'\n"
	  "service = 'web'\n" X509, false,
	  SVC ":2: group 'example.net' expecting 'example.com'", NULL },
	{ "svc_service_mismatch", "name = 'W'\ngroup = 'example.com'\n"
	  "service = 'www'\n" X509, false,
	  SVC ":3: service 'www' expecting 'web'", NULL },
	{ "svc_unknown_ca", HEAD "signing_ca = 'nope'\n" X509, false,
	  SVC ":4: unknown signing CA 'nope'", NULL },
	{ "svc_acme_cn_not_group", HEAD "signing_ca = 'le-dns'\n"
	  "[X509]\nCN = 'www.example.com'\nO = 'Ex'\nC = 'US'\n", false,
	  SVC ":6: CN 'www.example.com' must be the group 'example.com' for "
	  "ACME CA 'le-dns'", NULL },
	{ "svc_local_cn_free", HEAD "signing_ca = 'my-sub'\n"
	  "[X509]\nCN = 'www.example.com'\nO = 'Ex'\nC = 'US'\n", false,
	  NULL, NULL },
	{ "dane_not_list", HEAD "dane_tls = 25\n" X509, false,
	  SVC ":4: dane_tls: expected list of [port, proto, usage, selector, "
	  "mtype(, subtype)], got integer", NULL },
	{ "dane_four", HEAD "dane_tls = [[25, 'tcp', 3, 1]]\n" X509, false,
	  SVC ":4: dane_tls[0] must have 5 or 6 elements", NULL },
	{ "dane_seven", HEAD "dane_tls = [[25, 'tcp', 3, 1, 1, 'MX', 1]]\n"
	  X509, false, SVC ":4: dane_tls[0] must have 5 or 6 elements", NULL },
	{ "dane_port_zero", HEAD "dane_tls = [[0, 'tcp', 3, 1, 1]]\n" X509,
	  false, SVC ":4: dane_tls[0]: port must be an integer 1-65535", NULL },
	{ "dane_port_string", HEAD "dane_tls = [['25', 'tcp', 3, 1, 1]]\n"
	  X509, false, SVC ":4: dane_tls[0]: port must be an integer 1-65535",
	  NULL },
	{ "dane_proto", HEAD "dane_tls = [[25, 'tcp6', 3, 1, 1]]\n" X509,
	  false, SVC ":4: dane_tls[0]: proto must be one of tcp, udp, sctp",
	  NULL },
	{ "dane_usage", HEAD "dane_tls = [[25, 'tcp', 4, 1, 1]]\n" X509,
	  false, SVC ":4: dane_tls[0]: usage must be an integer 0-3", NULL },
	{ "dane_selector", HEAD "dane_tls = [[25, 'tcp', 3, 2, 1]]\n" X509,
	  false, SVC ":4: dane_tls[0]: selector must be an integer 0-1", NULL },
	{ "dane_mtype_second", HEAD "dane_tls = [[25, 'tcp', 3, 1, 1],\n"
	  "    [443, 'tcp', 3, 1, 3]]\n" X509, false,
	  SVC ":5: dane_tls[1]: mtype must be an integer 0-2", NULL },
	{ "dane_subtype", HEAD "dane_tls = [[25, 'tcp', 3, 1, 1, 'A']]\n" X509,
	  false, SVC ":4: dane_tls[0]: subtype must be one of MX, SANS", NULL },
	{ "dane_ttl_string", HEAD "dane_tls_ttl = '600'\n" X509, false,
	  SVC ":4: dane_tls_ttl: expected integer, got string", NULL },
	{ "svc_renew_days_negative", HEAD "renew_expire_days = -1\n" X509,
	  false, SVC ":4: renew_expire_days must not be negative", NULL },
	{ "ktype_dsa", HEAD "[KeyOpts]\nktype = 'dsa'\n" X509, false,
	  SVC ":5: [KeyOpts] ktype 'dsa' unknown (ec, rsa or ed25519)", NULL },
	{ "ktype_empty", HEAD "[KeyOpts]\nktype = ''\n" X509, false,
	  SVC ":5: [KeyOpts] ktype '' unknown (ec, rsa or ed25519)", NULL },
	{ "rsa_bits_small", HEAD "[KeyOpts]\nktype = 'rsa'\nrsa_bits = 1024\n"
	  X509, false,
	  SVC ":6: [KeyOpts] rsa_bits: 1024 is out of range (2048..16384)",
	  NULL },
	{ "rsa_bits_junk", HEAD "[KeyOpts]\nrsa_bits = 'abc'\n" X509, false,
	  SVC ":5: [KeyOpts] rsa_bits: expected integer, got \"abc\"", NULL },
	{ "bits_small", HEAD "[KeyOpts]\nbits = 1024\n" X509, false,
	  SVC ":5: [KeyOpts] bits: 1024 is out of range (2048..16384)", NULL },
	{ "ec_algo_empty", HEAD "[KeyOpts]\nec_algo = ''\n" X509, false,
	  SVC ":5: [KeyOpts] ec_algo must not be empty", NULL },
	{ "ec_algo_unknown", HEAD "[KeyOpts]\nec_algo = 'nocurve'\n" X509,
	  false, SVC ":5: [KeyOpts] ec_algo 'nocurve' is not a curve OpenSSL "
	  "knows (e.g. secp256r1, secp384r1)", NULL },
	{ "x509_missing_cn", HEAD "[X509]\nO = 'Ex'\nC = 'US'\n", false,
	  SVC ":4: missing CN in [X509]", NULL },
	{ "x509_missing_o", HEAD "[X509]\nCN = 'example.com'\nC = 'US'\n",
	  false, SVC ":4: missing O in [X509]", NULL },
	{ "x509_missing_table", HEAD, false, SVC ": missing C in [X509]",
	  NULL },
	{ "x509_country", HEAD "[X509]\nCN = 'example.com'\nO = 'Ex'\n"
	  "C = 'USA'\n", false,
	  SVC ":7: [X509] C 'USA' must be a two-letter country code", NULL },
	{ "sans_bad_name", HEAD X509 "sans = ['ok.example.com', 'bad..name']\n",
	  false, SVC ":8: [X509] sans: 'bad..name' is not a DNS name, wildcard "
	  "or IP address", NULL },
	{ "sans_double_wild", HEAD X509 "sans = ['*.*.example.com']\n", false,
	  SVC ":8: [X509] sans: '*.*.example.com' is not a DNS name, wildcard "
	  "or IP address", NULL },
	{ "sans_int", HEAD X509 "sans = ['a.example.com', 5]\n", false,
	  SVC ":8: [X509] sans[1]: expected string, got integer", NULL },
	{ "sign_end_days_string", HEAD X509 "[CA]\nsign_end_days = '90'\n",
	  false, SVC ":9: [CA] sign_end_days: expected integer, got string",
	  NULL },
	{ "sign_end_days_zero", HEAD X509 "[CA]\nsign_end_days = 0\n",
	  false, SVC ":9: [CA] sign_end_days: 0 is out of range (1..36600)",
	  NULL },
	{ "sign_end_days_huge", HEAD X509 "[CA]\nsign_end_days = 2147483647\n",
	  false, SVC ":9: [CA] sign_end_days: 2147483647 is out of range "
	  "(1..36600)", NULL },
	{ "digest_unknown", HEAD X509 "[CA]\ndigest = 'md5'\n", false, NULL,
	  SVC ":9: [CA] digest 'md5' unknown, using sha256" },
	{ "svc_unknown_table", HEAD X509 "[Extra]\nfoo = 1\n", false, NULL,
	  SVC ":8: unknown table [Extra] (ignored)" },
	{ "svc_unknown_key", HEAD "colour = 'blue'\n" X509, false, NULL,
	  SVC ":4: unknown key 'colour'" },
	{ "x509_key_case", HEAD X509 "cn = 'x'\n", false, NULL,
	  SVC ":8: unknown key 'cn' in [X509]" },
	{ "x509_not_table", HEAD "X509 = 'CN=example.com'\n", false,
	  SVC ":4: X509: expected table, got string", NULL },
	{ "keyopts_unknown", HEAD "[KeyOpts]\ncurve = 'x'\n" X509, false, NULL,
	  SVC ":5: unknown key 'curve' in [KeyOpts]" },
};

/* Spec §2.4 detection: text -> is it a service file? */
static const struct {
	const char	*name;
	const char	*text;
	bool		 is_svc;
} detect_rows[] = {
	{ "detect_plain", HEAD "[KeyOpts]\n" X509, true },
	{ "detect_spaces", "  name   = 'x'\n\tgroup\t=\t'g'\n service = 's'\n"
	  "[ KeyOpts ]\n[ X509 ]\n", true },
	{ "detect_no_x509", HEAD "[KeyOpts]\n", false },
	{ "detect_no_keyopts", HEAD X509, false },
	{ "detect_commented", "#name = 'x'\n" "group = 'g'\nservice = 's'\n"
	  "[KeyOpts]\n[X509]\n", false },
	{ "detect_no_group", "name = 'x'\nservice = 's'\n[KeyOpts]\n[X509]\n",
	  false },
	{ "detect_name_prefix_only", "names = 'x'\ngroup = 'g'\n"
	  "service = 's'\n[KeyOpts]\n[X509]\n", false },
	{ "detect_empty", "", false },
	{ "detect_crlf", "name='x'\r\ngroup='g'\r\nservice='s'\r\n"
	  "[KeyOpts]\r\n[X509]\r\n", true },
};
