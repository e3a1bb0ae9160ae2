# dnsbed.sh - a real DNS test bed on loopback for the integration tests
# (POSIX sh, to be sourced).
#
#   dnsbed_start <dir> [--lag]	BIND primary + NSD secondary, zones
#				example.com and example.net
#   dnsbed_stop [<dir>]		stops both daemons by PID (trap-safe,
#				idempotent, tolerates a half-done start)
#   dnsbed_serial <zone> <server>	prints the SOA serial a server serves
#   dnsbed_wait_serial <zone> <server> <serial> [secs]
#				waits until the server serves >= serial
#   dnsbed_dig <server> <type> <name>	prints the answer's rdata, one per line
#   dnsbed_restart [<zone>...]	runs the bed's dns-restart (serial bump and
#				rndc reload; all zones when none given)
#
# <server> is "primary", "secondary", an address (the bed's DNS port) or
# "addr#port".
#
# Layout (what the bed exports and writes to <dir>/bed.env):
#   DNSBED_DIR			the bed's directory
#   DNSBED_PORT			DNS port of the primary and the secondary
#   DNSBED_PRIMARY		127.0.0.1 (BIND; also ::1 when DNSBED_IPV6=1)
#   DNSBED_SECONDARY		127.0.0.2 (NSD, AXFR from the primary on
#				NOTIFY), or 127.0.0.1 on DNSBED_SECONDARY_PORT
#				when 127.0.0.2 cannot be bound (see below)
#   DNSBED_SECONDARY_PORT	the secondary's port (= DNSBED_PORT normally)
#   DNSBED_RNDC_PORT		rndc control port (own key in <dir>/rndc.conf)
#   DNSBED_INCLUDE_DIR		where the zones $INCLUDE acme-challenge.<zone>
#				and tlsa.<zone> from (default <dir>/include;
#				set it before dnsbed_start to use another)
#   DNSBED_ZONES		"example.com example.net"
#   DNSBED_IPV6			1 when the primary also serves on ::1 and
#				ns1.<zone> has AAAA ::1 (auto-detected; set
#				DNSBED_IPV6=0 before the start to disable)
#   DNSBED_RESTART		the dns-restart command (ssl-mgr's [dns]
#				restart_cmd); it finds the bed by DNSBED_DIR
#
# Zones: SOA serial = unix time at start, NS ns1 + ns2, A records for @,
# www, mail, mx2, ns1 (127.0.0.1), ns2 (127.0.0.2).  example.com has MX 10
# mail and MX 10 mx2 (equal preference: both must be kept); example.net has
# MX 10 mail and MX 20 mx2.
#
# Fast mode (default): BIND notify-delay 0 and NSD xfrd-reload-timeout 0, so
# the secondary follows in tens of ms.  --lag keeps the software defaults
# (notify-delay 5, xfrd-reload-timeout 1).  notify-delay is a rate limit,
# not a fixed delay: a zone's NOTIFY goes out at once unless one went out
# less than 5 s before, and then waits for the rest of those 5 s.  Measured
# here: the first change after a quiet spell reaches the secondary in
# 0.1-1.3 s, a change right after it in 3-5 s (test-dns.sh shows how).
#
# 127.0.0.2: BIND only binds addresses present on an interface, NSD binds
# any 127/8 address on Linux, so only NSD uses 127.0.0.2 and nothing needs
# `ip addr add`.  Where NSD cannot bind it (other kernels), the bed adds the
# address when it runs as root (and removes it at the stop), else it puts the
# secondary on 127.0.0.1:DNSBED_SECONDARY_PORT (then ns2's address in the
# zone is 127.0.0.1 and discovery on one ns_port cannot reach the secondary;
# tests that need it should check DNSBED_SECONDARY_PORT = DNSBED_PORT).
# DNSBED_SECONDARY_ADDR=127.0.0.1 before the start forces that layout.

DNSBED_ZONES="example.com example.net"
# dns-restart lives beside this file; a sourced script cannot find its own
# path in POSIX sh, so it comes from SSLM_SOURCE_ROOT (or DNSBED_LIB_DIR).
_dnsbed_lib_dir=$(CDPATH='' cd -- \
    "${DNSBED_LIB_DIR:-${SSLM_SOURCE_ROOT:-.}/tests/integration}" && pwd)

_dnsbed_log() { echo "dnsbed: $*" >&2; }

. "$_dnsbed_lib_dir/freeport.sh"

# _dnsbed_soa_serial <addr> <port> <zone>: the serial or nothing.
_dnsbed_soa_serial() {
	# drill -Q prints the answer's rdata only; drill waits 15 s for a
	# server that does not answer, hence timeout(1).
	timeout 2 drill -Q -p "$2" @"$1" SOA "$3" 2>/dev/null |
	    awk 'NF == 7 && $3 ~ /^[0-9]+$/ { print $3; exit }'
}

# Parses <server> into _dbs_addr and _dbs_port.
_dnsbed_server() {
	case $1 in
	primary)	_dbs_addr=$DNSBED_PRIMARY; _dbs_port=$DNSBED_PORT ;;
	secondary)	_dbs_addr=$DNSBED_SECONDARY
			_dbs_port=$DNSBED_SECONDARY_PORT ;;
	*'#'*)		_dbs_addr=${1%%#*}; _dbs_port=${1##*#} ;;
	*)		_dbs_addr=$1; _dbs_port=$DNSBED_PORT ;;
	esac
}

_dnsbed_write_zone() {
	# $1 zone, $2 serial, $3 mx2 preference
	_dbz=$1
	{
		echo "\$ORIGIN $_dbz."
		echo "\$TTL 60"
		echo "@ IN SOA ns1.$_dbz. hostmaster.$_dbz. ("
		echo "	$2 ; serial"
		echo "	60 10 3600 30 )"
		echo "@ IN NS ns1.$_dbz."
		echo "@ IN NS ns2.$_dbz."
		echo "@ IN MX 10 mail.$_dbz."
		echo "@ IN MX $3 mx2.$_dbz."
		echo "@ IN A 127.0.0.1"
		for _dbh in www mail mx2 ns1 test; do
			echo "$_dbh IN A 127.0.0.1"
		done
		echo "ns2 IN A $DNSBED_SECONDARY_ZONE_ADDR"
		[ "$DNSBED_IPV6" = 1 ] && echo "ns1 IN AAAA ::1"
		echo "\$INCLUDE \"$DNSBED_INCLUDE_DIR/acme-challenge.$_dbz\""
		echo "\$INCLUDE \"$DNSBED_INCLUDE_DIR/tlsa.$_dbz\""
	} >"$DNSBED_DIR/named/$_dbz.zone"
}

_dnsbed_write_named_conf() {
	# $1 notify-delay
	if [ "$DNSBED_IPV6" = 1 ]; then
		_db6="listen-on-v6 port $DNSBED_PORT { ::1; };"
	else
		_db6="listen-on-v6 { none; };"
	fi
	if [ "$DNSBED_SECONDARY" = 127.0.0.1 ]; then
		_dbn="127.0.0.1 port $DNSBED_SECONDARY_PORT;"
	else
		_dbn="$DNSBED_SECONDARY port $DNSBED_SECONDARY_PORT;"
	fi
	{
		echo "options {"
		echo "	directory \"$DNSBED_DIR/named\";"
		echo "	pid-file none;"
		echo "	session-keyfile \"$DNSBED_DIR/named/session.key\";"
		echo "	managed-keys-directory \"$DNSBED_DIR/named\";"
		echo "	listen-on port $DNSBED_PORT { 127.0.0.1; };"
		echo "	$_db6"
		echo "	recursion no;"
		echo "	dnssec-validation no;"
		echo "	allow-transfer { 127.0.0.0/8; ::1; };"
		echo "	notify explicit;"
		echo "	also-notify { $_dbn };"
		echo "	notify-delay $1;"
		echo "	ixfr-from-differences yes;"
		echo "};"
		echo "include \"$DNSBED_DIR/rndc.key\";"
		echo "controls {"
		echo "	inet 127.0.0.1 port $DNSBED_RNDC_PORT"
		echo "	    allow { 127.0.0.1; } keys { \"dnsbed-rndc\"; };"
		echo "};"
		for _dbz in $DNSBED_ZONES; do
			echo "zone \"$_dbz\" {"
			echo "	type primary;"
			echo "	file \"$DNSBED_DIR/named/$_dbz.zone\";"
			echo "};"
		done
	} >"$DNSBED_DIR/named.conf"
	{
		echo "include \"$DNSBED_DIR/rndc.key\";"
		echo "options {"
		echo "	default-key \"dnsbed-rndc\";"
		echo "	default-server 127.0.0.1;"
		echo "	default-port $DNSBED_RNDC_PORT;"
		echo "};"
	} >"$DNSBED_DIR/rndc.conf"
}

_dnsbed_write_nsd_conf() {
	# $1 xfrd-reload-timeout
	{
		echo "server:"
		echo "	ip-address: $DNSBED_SECONDARY@$DNSBED_SECONDARY_PORT"
		echo "	do-ip6: no"
		echo "	username: \"\""
		echo "	chroot: \"\""
		echo "	zonesdir: \"$DNSBED_DIR/nsd\""
		echo "	zonelistfile: \"$DNSBED_DIR/nsd/zone.list\""
		echo "	xfrdfile: \"$DNSBED_DIR/nsd/xfrd.state\""
		echo "	xfrdir: \"$DNSBED_DIR/nsd\""
		echo "	pidfile: \"$DNSBED_DIR/nsd/nsd.pid\""
		echo "	database: \"\""
		echo "	logfile: \"$DNSBED_DIR/nsd.log\""
		echo "	verbosity: 2"
		echo "	server-count: 1"
		echo "	xfrd-reload-timeout: $1"
		echo "remote-control:"
		echo "	control-enable: no"
		for _dbz in $DNSBED_ZONES; do
			echo "zone:"
			echo "	name: $_dbz"
			echo "	zonefile: \"$_dbz.zone\""
			echo "	allow-notify: 127.0.0.0/8 NOKEY"
			echo "	request-xfr: AXFR 127.0.0.1@$DNSBED_PORT NOKEY"
		done
	} >"$DNSBED_DIR/nsd.conf"
}

_dnsbed_alive() {
	# True when pid $1 runs and is not a zombie.
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
	[ -r "/proc/$1/stat" ] || return 0
	_dbst=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ "$_dbst" != Z ]
}

# _dnsbed_zones_up <addr> <port>: true when every zone answers SOA there.
_dnsbed_zones_up() {
	for _dbz in $DNSBED_ZONES; do
		[ -n "$(_dnsbed_soa_serial "$1" "$2" "$_dbz")" ] || return 1
	done
	return 0
}

# _dnsbed_start_named: 0 when BIND answers, 1 when it failed to start.
_dnsbed_start_named() {
	: >"$DNSBED_DIR/named.log"
	named -g -c "$DNSBED_DIR/named.conf" >>"$DNSBED_DIR/named.log" 2>&1 &
	echo $! >"$DNSBED_DIR/named.pid"
	# A deadline, not a count of tries: one try can take 2 s (drill).
	_dbend=$(($(date +%s) + 10))
	while [ "$(date +%s)" -lt "$_dbend" ]; do
		_dnsbed_alive "$(cat "$DNSBED_DIR/named.pid")" || return 1
		# Without its TCP socket BIND answers queries but no transfer.
		if grep -q 'address in use' "$DNSBED_DIR/named.log"; then
			_dnsbed_log "named: port $DNSBED_PORT or" \
			    "$DNSBED_RNDC_PORT taken; other ports"
			return 1
		fi
		# Ask only once it listens: see _dnsbed_soa_serial.
		grep -q ' running$' "$DNSBED_DIR/named.log" &&
		    _dnsbed_zones_up 127.0.0.1 "$DNSBED_PORT" && return 0
		sleep 0.05
	done
	_dnsbed_log "named: no answer for every zone within 10 s"
	return 1
}

_dnsbed_start_nsd() {
	rm -f "$DNSBED_DIR"/nsd/*.zone "$DNSBED_DIR/nsd/xfrd.state" \
	    "$DNSBED_DIR/nsd/zone.list"
	: >"$DNSBED_DIR/nsd.log"
	nsd -d -c "$DNSBED_DIR/nsd.conf" >>"$DNSBED_DIR/nsd.out" 2>&1 &
	echo $! >"$DNSBED_DIR/nsd.pid"
	# 30 s: under a loaded sanitizer run (two suites at once) the first
	# transfer from BIND once took longer than 10.  A zone whose first
	# transfer failed waits out NSD's retry back-off, so every 3 s BIND
	# is told to NOTIFY again, which makes NSD ask at once.
	_dbstart=$(date +%s)
	_dbnext=$((_dbstart + 3))
	while [ "$(date +%s)" -lt $((_dbstart + 30)) ]; do
		_dnsbed_alive "$(cat "$DNSBED_DIR/nsd.pid")" || return 1
		grep -q 'nsd started' "$DNSBED_DIR/nsd.log" &&
		    _dnsbed_zones_up "$DNSBED_SECONDARY" \
		    "$DNSBED_SECONDARY_PORT" && return 0
		if [ "$(date +%s)" -ge "$_dbnext" ]; then
			_dnsbed_log "nsd: zones not all served after" \
			    "$((_dbnext - _dbstart)) s; BIND notifies again"
			for _dbz in $DNSBED_ZONES; do
				rndc -c "$DNSBED_DIR/rndc.conf" notify "$_dbz" \
				    >/dev/null 2>&1
			done
			_dbnext=$((_dbnext + 3))
		fi
		sleep 0.05
	done
	_dnsbed_log "nsd: zones not all served within 30 s"
	return 1
}

# _dnsbed_kids <pid>: the pids of all its descendants (NSD forks xfrd and
# a server process; they must be gone too when the stop returns).
_dnsbed_kids() {
	ps -eo pid=,ppid= 2>/dev/null | awk -v root="$1" '
	    { parent[$1] = $2 }
	    END {
		for (p in parent) {
			q = parent[p]
			for (n = 0; q != "" && q != 0 && n < 64; n++) {
				if (q == root) { print p; break }
				q = parent[q]
			}
		}
	    }'
}

# _dnsbed_stop_pid <pidfile>: TERM, up to 5 s, then KILL; waits for the
# daemon's children as well and reaps the daemon when it is our child.
_dnsbed_stop_pid() {
	[ -r "$1" ] || return 0
	_dbpid=$(cat "$1")
	[ -n "$_dbpid" ] || return 0
	_dbkids=
	_dbkids=$(_dnsbed_kids "$_dbpid")
	if _dnsbed_alive "$_dbpid"; then
		kill -TERM "$_dbpid" 2>/dev/null
	fi
	for _dbp in $_dbpid $_dbkids; do
		_dbw=100
		while [ "$_dbw" -gt 0 ] && _dnsbed_alive "$_dbp"; do
			_dbw=$((_dbw - 1))
			sleep 0.05
		done
		_dnsbed_alive "$_dbp" && kill -KILL "$_dbp" 2>/dev/null
	done
	# Reap it when it is our child (a no-op otherwise); a second stop
	# must not signal a recycled pid.
	wait "$_dbpid" 2>/dev/null
	rm -f "$1"
	return 0
}

dnsbed_stop() {
	_dbdir=${1:-${DNSBED_DIR:-}}
	[ -n "$_dbdir" ] && [ -d "$_dbdir" ] || return 0
	_dnsbed_stop_pid "$_dbdir/nsd.pid"
	_dnsbed_stop_pid "$_dbdir/named.pid"
	if [ -f "$_dbdir/ip-added" ]; then
		ip addr del 127.0.0.2/8 dev lo 2>/dev/null
		rm -f "$_dbdir/ip-added"
	fi
	return 0
}

# Moves the secondary to 127.0.0.1 on a port of its own: ns2's address
# and BIND's also-notify change, so the zones are rewritten with a grown
# serial (BIND refuses a changed zone whose serial did not grow).
_dnsbed_local_secondary() {
	DNSBED_SECONDARY=127.0.0.1
	DNSBED_SECONDARY_PORT=$(free_port)
	DNSBED_SECONDARY_ZONE_ADDR=127.0.0.1
	_dnsbed_log "secondary on 127.0.0.1#$DNSBED_SECONDARY_PORT"
	_dbserial=$((_dbserial + 1))
	for _dbz in $DNSBED_ZONES; do
		_dbmx=20
		[ "$_dbz" = example.com ] && _dbmx=10
		_dnsbed_write_zone "$_dbz" "$_dbserial" "$_dbmx"
	done
	_dnsbed_write_named_conf "$_dbnd"
	rndc -c "$DNSBED_DIR/rndc.conf" reconfig >/dev/null 2>&1
	rndc -c "$DNSBED_DIR/rndc.conf" reload >/dev/null 2>&1
	_dnsbed_write_nsd_conf "$_dbxr"
	# The reload is asynchronous: the secondary must start from the new
	# zones.
	for _dbz in $DNSBED_ZONES; do
		DNSBED_PRIMARY=127.0.0.1 DNSBED_SECONDARY=127.0.0.1 \
		    dnsbed_wait_serial "$_dbz" "127.0.0.1#$DNSBED_PORT" \
		    "$_dbserial" 5
	done
}

dnsbed_start() {
	DNSBED_DIR=$1
	shift
	_dblag=0
	case ${1:-} in
	--lag)	_dblag=1 ;;
	'')	;;
	*)	_dnsbed_log "unknown option $1"; return 2 ;;
	esac
	for _dbc in named nsd rndc drill flock base64 timeout; do
		if ! command -v "$_dbc" >/dev/null 2>&1; then
			_dnsbed_log "$_dbc not found"
			return 77
		fi
	done
	mkdir -p "$DNSBED_DIR/named" "$DNSBED_DIR/nsd" || return 1
	DNSBED_DIR=$(CDPATH='' cd -- "$DNSBED_DIR" && pwd)
	: "${DNSBED_INCLUDE_DIR:=$DNSBED_DIR/include}"
	mkdir -p "$DNSBED_INCLUDE_DIR" || return 1
	for _dbz in $DNSBED_ZONES; do
		for _dbf in acme-challenge tlsa; do
			[ -e "$DNSBED_INCLUDE_DIR/$_dbf.$_dbz" ] ||
				: >"$DNSBED_INCLUDE_DIR/$_dbf.$_dbz"
		done
	done
	if [ -z "${DNSBED_IPV6:-}" ]; then
		DNSBED_IPV6=0
		ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/' &&
			DNSBED_IPV6=1
	fi
	DNSBED_PRIMARY=127.0.0.1
	DNSBED_RESTART=$_dnsbed_lib_dir/dns-restart
	# Our own key (tsig-keygen can stall for seconds on a fresh VM).
	_dbkey=$(head -c 32 /dev/urandom | base64) || return 1
	{
		echo 'key "dnsbed-rndc" {'
		echo '	algorithm hmac-sha256;'
		echo "	secret \"$_dbkey\";"
		echo '};'
	} >"$DNSBED_DIR/rndc.key" || return 1
	if [ "$_dblag" = 1 ]; then
		_dbnd=5 _dbxr=1
	else
		_dbnd=0 _dbxr=0
	fi
	_dbserial=$(date +%s)

	# The primary, on fresh ports until one binds.
	_dbtry=0
	while :; do
		DNSBED_PORT=$(free_port)
		DNSBED_RNDC_PORT=$(free_port)
		DNSBED_SECONDARY=127.0.0.2
		DNSBED_SECONDARY_PORT=$DNSBED_PORT
		DNSBED_SECONDARY_ZONE_ADDR=127.0.0.2
		for _dbz in $DNSBED_ZONES; do
			_dbmx=20
			[ "$_dbz" = example.com ] && _dbmx=10
			_dnsbed_write_zone "$_dbz" "$_dbserial" "$_dbmx"
		done
		_dnsbed_write_named_conf "$_dbnd"
		_dnsbed_start_named && break
		_dnsbed_stop_pid "$DNSBED_DIR/named.pid"
		_dbtry=$((_dbtry + 1))
		if [ "$_dbtry" -ge 5 ]; then
			_dnsbed_log "named did not start:" \
			    "see $DNSBED_DIR/named.log"
			return 1
		fi
	done

	# The secondary: 127.0.0.2, else add it (root), else 127.0.0.1.
	_dnsbed_write_nsd_conf "$_dbxr"
	if [ "${DNSBED_SECONDARY_ADDR:-127.0.0.2}" = 127.0.0.1 ]; then
		_dnsbed_local_secondary
	elif ! _dnsbed_start_nsd; then
		_dnsbed_stop_pid "$DNSBED_DIR/nsd.pid"
		if [ "$(id -u)" = 0 ] &&
		    ip addr add 127.0.0.2/8 dev lo 2>/dev/null; then
			: >"$DNSBED_DIR/ip-added"
			_dnsbed_log "added 127.0.0.2 to lo"
		else
			_dnsbed_local_secondary
		fi
	fi
	if ! _dnsbed_alive "$(cat "$DNSBED_DIR/nsd.pid" 2>/dev/null)" &&
	    ! _dnsbed_start_nsd; then
		# Once more before giving up (a transfer cut short by a loaded
		# machine); the port cannot change, every NS shares it.
		_dnsbed_stop_pid "$DNSBED_DIR/nsd.pid"
		if ! _dnsbed_start_nsd; then
			_dnsbed_log "nsd did not start; its last words:"
			tail -n 8 "$DNSBED_DIR/nsd.log" "$DNSBED_DIR/nsd.out" \
			    2>/dev/null | sed 's/^/dnsbed:   /' >&2
			dnsbed_stop "$DNSBED_DIR"
			return 1
		fi
	fi

	export DNSBED_DIR DNSBED_PORT DNSBED_PRIMARY DNSBED_SECONDARY \
	    DNSBED_SECONDARY_PORT DNSBED_RNDC_PORT DNSBED_INCLUDE_DIR \
	    DNSBED_ZONES DNSBED_IPV6 DNSBED_RESTART
	{
		for _dbv in DNSBED_DIR DNSBED_PORT DNSBED_PRIMARY \
		    DNSBED_SECONDARY DNSBED_SECONDARY_PORT DNSBED_RNDC_PORT \
		    DNSBED_INCLUDE_DIR DNSBED_ZONES DNSBED_IPV6 \
		    DNSBED_RESTART; do
			eval "echo \"$_dbv='\$$_dbv'\""
		done
	} >"$DNSBED_DIR/bed.env"
	: >>"$DNSBED_DIR/restarts.log"
	return 0
}

dnsbed_serial() {
	_dnsbed_server "$2"
	_dnsbed_soa_serial "$_dbs_addr" "$_dbs_port" "$1"
}

dnsbed_wait_serial() {
	_dnsbed_server "$2"
	_dbw=$(( ${4:-15} * 20 ))
	while [ "$_dbw" -gt 0 ]; do
		_dbcur=$(_dnsbed_soa_serial "$_dbs_addr" "$_dbs_port" "$1")
		[ -n "$_dbcur" ] && [ "$_dbcur" -ge "$3" ] && return 0
		_dbw=$((_dbw - 1))
		sleep 0.05
	done
	_dnsbed_log "$1 at $_dbs_addr#$_dbs_port: serial ${_dbcur:-none}," \
	    "wanted $3"
	return 1
}

dnsbed_dig() {
	_dnsbed_server "$1"
	timeout 2 drill -Q -p "$_dbs_port" @"$_dbs_addr" "$3" "$2" 2>/dev/null
}

dnsbed_restart() {
	"$DNSBED_RESTART" --serial_bump "$@"
}
