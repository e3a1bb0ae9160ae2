# pebblebed.sh - a throw-away pebble ACME server on loopback (POSIX sh,
# sourced).  See /work/shared/testbed/README.md for the facts it rests on.
#
#   pebblebed_start <dir> [--dns ADDR:PORT] [--ari] [--eab] [--nosleep]
#	makes a CA for pebble's HTTPS certificate, writes pebble-config.json
#	on free loopback ports and starts pebble (-dnsserver ADDR:PORT when
#	given).  --resolver ADDR:PORT instead makes pebble use Go's own stub
#	resolver (EDNS, TCP on truncation) through a relay on a private
#	127.x.y.z:53 to ADDR:PORT (needs root: a mount namespace gives
#	pebble its own /etc/resolv.conf; returns 3 without root).  Why:
#	with -dnsserver, pebble 2.4's VA asks over UDP without EDNS, reads
#	512 bytes and ignores the TC bit (no TCP retry), so a name with
#	more than 8 TXT challenge values (10 orders that all carry the
#	apex) loses the values that did not fit: "Correct value not found".
#	The caller's PEBBLE_* environment (PEBBLE_WFE_NONCEREJECT,
#	PEBBLE_AUTHZREUSE, PEBBLE_ALTERNATE_ROOTS, PEBBLE_CHAIN_LENGTH, ...)
#	is passed on.  --ari uses a pebble >= 2.6 from the Debian trixie .deb,
#	fetched once into $PEBBLEBED_CACHE with a private apt configuration
#	(the system's sources are never touched); returns 3 when it cannot be
#	had.  --eab requires external account binding with the key
#	$PEBBLE_EAB_KID / $PEBBLE_EAB_KEY (exported).
#	Exports PEBBLE_DIR, PEBBLE_URL, PEBBLE_CA, PEBBLE_MGMT,
#	PEBBLE_HTTP_PORT, PEBBLE_TLS_PORT, PEBBLE_PID, PEBBLE_BIN.
#   pebblebed_restart		stops and starts pebble with the same config
#				(a new issuing CA, every account forgotten)
#   pebblebed_roots <out.pem>	issuing root 0 and alternates 1.. (appended)
#   pebblebed_root <n> <out.pem>	one issuing root
#   pebblebed_stop		stops pebble by PID (safe to call twice)
#   pebblebed_fetch_ari		prints the path of a pebble >= 2.6 or fails

PEBBLEBED_CACHE=${PEBBLEBED_CACHE:-${TMPDIR:-/tmp}/pebblebed-cache-$(id -u)}

# freeport.sh lives beside this file; a sourced script cannot find its own
# path in POSIX sh, hence SSLM_SOURCE_ROOT.
. "${SSLM_SOURCE_ROOT:-.}/tests/integration/freeport.sh"

# Fetches pebble from Debian trixie once; prints the binary's path.
pebblebed_fetch_ari() {
	_pb_c=$PEBBLEBED_CACHE/trixie
	_pb_bin=$_pb_c/root/usr/bin/pebble
	if [ -x "$_pb_bin" ]; then
		echo "$_pb_bin"
		return 0
	fi
	mkdir -p "$_pb_c/lists/partial" "$_pb_c/cache/archives/partial" \
	    "$_pb_c/debs" || return 1
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
	    >"$_pb_c/sources.list"
	set -- -o Dir::Etc::sourcelist="$_pb_c/sources.list" \
	    -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$_pb_c/lists" \
	    -o Dir::Cache="$_pb_c/cache" -o Dir::State::status=/dev/null \
	    -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root \
	    -o Debug::NoLocking=1
	apt-get "$@" -qq update >"$_pb_c/apt.log" 2>&1 || return 1
	(cd "$_pb_c/debs" && apt-get "$@" -qq download pebble) \
	    >>"$_pb_c/apt.log" 2>&1 || return 1
	dpkg -x "$_pb_c"/debs/pebble_*.deb "$_pb_c/root" || return 1
	[ -x "$_pb_bin" ] || return 1
	echo "$_pb_bin"
}

# The HTTPS identity of pebble: a throw-away CA and a 127.0.0.1 cert.
_pebblebed_tls() {
	_pb_d=$1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$_pb_d/ca.key" -out "$_pb_d/ca.pem" -days 2 \
	    -subj "/CN=pebblebed throw-away CA" >/dev/null 2>&1 || return 1
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$_pb_d/key.pem" -out "$_pb_d/csr.pem" \
	    -subj "/CN=127.0.0.1" >/dev/null 2>&1 || return 1
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:pebble\n' \
	    >"$_pb_d/san.ext"
	openssl x509 -req -in "$_pb_d/csr.pem" -CA "$_pb_d/ca.pem" \
	    -CAkey "$_pb_d/ca.key" -CAcreateserial -days 2 \
	    -extfile "$_pb_d/san.ext" -out "$_pb_d/cert.pem" >/dev/null 2>&1
}

pebblebed_start() {
	PEBBLE_DIR=$1
	shift
	_pb_dns= _pb_res= _pb_ari=0 _pb_eab=false _pb_sleep=
	while [ $# -gt 0 ]; do
		case $1 in
		--dns) _pb_dns=$2; shift ;;
		--resolver) _pb_res=$2; shift ;;
		--ari) _pb_ari=1 ;;
		--eab) _pb_eab=true ;;
		--nosleep) _pb_sleep=1 ;;
		*) echo "pebblebed_start: unknown option $1" >&2; return 2 ;;
		esac
		shift
	done
	mkdir -p "$PEBBLE_DIR" || return 1
	PEBBLE_BIN=pebble
	if [ "$_pb_ari" = 1 ]; then
		PEBBLE_BIN=$(pebblebed_fetch_ari) || return 3
	fi
	_pebblebed_tls "$PEBBLE_DIR" || return 1
	_pb_port=$(free_port) && _pb_mport=$(free_port) &&
	    PEBBLE_HTTP_PORT=$(free_port) &&
	    PEBBLE_TLS_PORT=$(free_port) || return 1
	PEBBLE_EAB_KID=${PEBBLE_EAB_KID:-kid-1}
	PEBBLE_EAB_KEY=${PEBBLE_EAB_KEY:-$(openssl rand 32 | openssl base64 -A | tr '+/' '-_' | tr -d '=')}
	cat >"$PEBBLE_DIR/pebble-config.json" <<EOF
{
  "pebble": {
    "listenAddress": "127.0.0.1:$_pb_port",
    "managementListenAddress": "127.0.0.1:$_pb_mport",
    "certificate": "$PEBBLE_DIR/cert.pem",
    "privateKey": "$PEBBLE_DIR/key.pem",
    "httpPort": $PEBBLE_HTTP_PORT,
    "tlsPort": $PEBBLE_TLS_PORT,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": $_pb_eab,
    "externalAccountMACKeys": {
      "$PEBBLE_EAB_KID": "$PEBBLE_EAB_KEY"
    }
  }
}
EOF
	PEBBLE_URL=https://127.0.0.1:$_pb_port/dir
	PEBBLE_MGMT=https://127.0.0.1:$_pb_mport
	PEBBLE_CA=$PEBBLE_DIR/ca.pem
	PEBBLE_ARGS="-strict=false -config $PEBBLE_DIR/pebble-config.json"
	[ -n "$_pb_dns" ] && PEBBLE_ARGS="$PEBBLE_ARGS -dnsserver $_pb_dns"
	PEBBLE_RESOLV=
	if [ -n "$_pb_res" ]; then
		_pebblebed_relay "$_pb_res" || return 3
	fi
	PEBBLE_NOSLEEP=$_pb_sleep
	export PEBBLE_DIR PEBBLE_URL PEBBLE_CA PEBBLE_MGMT PEBBLE_HTTP_PORT \
	    PEBBLE_TLS_PORT PEBBLE_BIN PEBBLE_ARGS PEBBLE_EAB_KID \
	    PEBBLE_EAB_KEY PEBBLE_NOSLEEP PEBBLE_RESOLV
	_pebblebed_run
}

# A relay on a private 127.x.y.z:53 to $1 (ADDR:PORT) and a resolv.conf
# naming it: PEBBLE_RESOLV, PEBBLE_RELAY_PID.
_pebblebed_relay() {
	[ "$(id -u)" = 0 ] || { echo "pebblebed: --resolver needs root" >&2
	    return 1; }
	_pb_lib=$(CDPATH='' cd -- "${SSLM_SOURCE_ROOT:-.}/tests/integration" &&
	    pwd) || return 1
	_pb_i=0
	while [ "$_pb_i" -lt 20 ]; do
		_pb_r=$(od -An -N3 -tu1 /dev/urandom | awk '{ printf \
		    "127.%d.%d.%d", $1 % 254 + 1, $2, $3 % 254 + 1 }')
		rm -f "$PEBBLE_DIR/relay.out"
		python3 "$_pb_lib/dns-relay" "$_pb_r" 53 "${1%:*}" "${1##*:}" \
		    >"$PEBBLE_DIR/relay.out" 2>"$PEBBLE_DIR/relay.log" &
		PEBBLE_RELAY_PID=$!
		_pb_j=0
		while [ "$_pb_j" -lt 50 ] &&
		    kill -0 "$PEBBLE_RELAY_PID" 2>/dev/null; do
			if grep -q ready "$PEBBLE_DIR/relay.out" 2>/dev/null; then
				printf 'nameserver %s\noptions attempts:2\n' \
				    "$_pb_r" >"$PEBBLE_DIR/resolv.conf"
				PEBBLE_RESOLV=$PEBBLE_DIR/resolv.conf
				export PEBBLE_RELAY_PID
				return 0
			fi
			sleep 0.1
			_pb_j=$((_pb_j + 1))
		done
		kill "$PEBBLE_RELAY_PID" 2>/dev/null
		wait "$PEBBLE_RELAY_PID" 2>/dev/null
		_pb_i=$((_pb_i + 1))
	done
	PEBBLE_RELAY_PID=
	echo "pebblebed: the DNS relay did not start ($PEBBLE_DIR/relay.log)" >&2
	return 1
}

# Runs pebble, in its own mount namespace with PEBBLE_RESOLV as
# /etc/resolv.conf when set (exec all the way: $! is pebble's PID).
_pebblebed_exec() {
	if [ -n "${PEBBLE_RESOLV:-}" ]; then
		exec unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf &&
		    exec "$@"' "$PEBBLE_RESOLV" "$@"
	else
		exec "$@"
	fi
}

# Starts the configured pebble and waits (bounded) for its directory.
_pebblebed_run() {
	if [ -n "$PEBBLE_NOSLEEP" ]; then
		(PEBBLE_VA_NOSLEEP=1; export PEBBLE_VA_NOSLEEP
		    _pebblebed_exec $PEBBLE_BIN $PEBBLE_ARGS) \
		    >>"$PEBBLE_DIR/pebble.log" 2>&1 &
	else
		(_pebblebed_exec $PEBBLE_BIN $PEBBLE_ARGS) \
		    >>"$PEBBLE_DIR/pebble.log" 2>&1 &
	fi
	PEBBLE_PID=$!
	export PEBBLE_PID
	_pb_i=0
	while [ "$_pb_i" -lt 100 ]; do
		if curl -sf --cacert "$PEBBLE_CA" "$PEBBLE_URL" >/dev/null 2>&1
		then
			return 0
		fi
		kill -0 "$PEBBLE_PID" 2>/dev/null || break
		sleep 0.1
		_pb_i=$((_pb_i + 1))
	done
	echo "pebblebed: pebble did not come up (see $PEBBLE_DIR/pebble.log)" >&2
	pebblebed_stop
	return 1
}

pebblebed_restart() {
	pebblebed_stop
	_pebblebed_run
}

pebblebed_root() {
	curl -sf --cacert "$PEBBLE_CA" "$PEBBLE_MGMT/roots/$1" >"$2"
}

pebblebed_roots() {
	pebblebed_root 0 "$1" || return 1
	_pb_n=1
	while [ "$_pb_n" -lt 10 ] &&
	    curl -sf --cacert "$PEBBLE_CA" "$PEBBLE_MGMT/roots/$_pb_n" \
	    >"$1.tmp" 2>/dev/null; do
		cat "$1.tmp" >>"$1"
		_pb_n=$((_pb_n + 1))
	done
	rm -f "$1.tmp"
}

pebblebed_stop() {
	if [ -n "${PEBBLE_PID:-}" ]; then
		kill "$PEBBLE_PID" 2>/dev/null
		wait "$PEBBLE_PID" 2>/dev/null
		PEBBLE_PID=
	fi
	if [ -n "${PEBBLE_RELAY_PID:-}" ]; then
		kill "$PEBBLE_RELAY_PID" 2>/dev/null
		wait "$PEBBLE_RELAY_PID" 2>/dev/null
		PEBBLE_RELAY_PID=
	fi
	return 0
}
