# freeport.sh - free_port: prints a random port for a test server on
# loopback (POSIX sh; sourced by lib.sh, dnsbed.sh and pebblebed.sh).
#
# Below the kernel's ephemeral range: a port inside it can become the
# source port of someone's outgoing connection between this check and the
# server's bind (BIND then listened on UDP only: "creating TCP socket:
# address in use").  Nothing may use it, TCP or UDP, in any state.  The
# caller still retries when its server fails to bind.  Fails after 200
# draws.
free_port() {
	_fp_lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	case $_fp_lo in
	''|*[!0-9]*)	_fp_lo=32768 ;;
	esac
	_fp_span=$((_fp_lo - 20000))
	[ "$_fp_span" -ge 1000 ] || _fp_span=30000
	_fp_i=0
	while [ "$_fp_i" -lt 200 ]; do
		_fp_i=$((_fp_i + 1))
		_fp_p=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		_fp_p=$((20000 + _fp_p % _fp_span))
		if command -v ss >/dev/null 2>&1 &&
		    [ -n "$(ss -Hantu "( sport = :$_fp_p )" 2>/dev/null)" ]; then
			continue
		fi
		echo "$_fp_p"
		return 0
	done
	return 1
}
