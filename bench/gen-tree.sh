#!/bin/sh
# gen-tree.sh - make a private-CA ssl-mgr top directory with N leaf services
# spread over M groups, each service with curr and next.
#
#   bench/gen-tree.sh <topdir> <N> [M] [ktype]
#
# ktype: ec (secp256r1, default) or rsa (2048).  Uses ssl-mgr itself:
# -renew -roll (issues root, intermediate and every leaf into curr), then
# -renew -f on the leaf groups (a fresh next for every leaf).  The tree is
# reusable: callers cache it under bench/.cache/.
set -eu
top=$1
n=$2
m=${3:-$(( (n + 99) / 100 ))}
kt=${4:-ec}
BIN=$(readlink -f "${SSLM_BIN:-$(dirname "$0")/../build/ssl-mgr}")
SRC=$(cd "$(dirname "$0")/.." && pwd)
[ "$m" -ge 1 ] || m=1
rm -rf "$top"
mkdir -p "$top"
cp -R "$SRC/conf-examples/ca-self/conf.d" "$top/"
c=$top/conf.d
rm -rf "$c/example.com"
# globals + CA group from the demo; our groups appended below.
{
	printf '[globals]\n    prod_cert_dir = %s\n    logdir = %s\n    clean_keep = 5\n    min_roll_mins = 0\n' \
	    "'./prod-certs'" "'./logs'"
	printf '\n[renew_info]\n    target_90 = 30\n'
	printf "\n[[groups]]\n    domain = 'ca'\n    services = ['my-root', 'my-int']\n    active = true\n"
} >"$c/ssl-mgr.conf"
if [ "$kt" = rsa ]; then
	kopts="    ktype = 'rsa'\n    rsa_bits = 2048\n"
else
	kopts="    ktype = 'ec'\n    ec_algo = 'secp256r1'\n"
fi
i=0
g=0
while [ "$g" -lt "$m" ]; do
	grp=g$g.bench.test
	mkdir -p "$c/$grp"
	# services of this group: i = g, g+m, g+2m, ... < n
	list=
	j=$g
	while [ "$j" -lt "$n" ]; do
		s=s$j
		list="$list${list:+, }'$s'"
		printf "name = '%s'\ngroup = '%s'\nservice = '%s'\nsigning_ca = 'my-int'\n\n[KeyOpts]\n$kopts\n[X509]\n    CN = '%s.%s'\n    O = 'Bench'\n    C = 'US'\n    sans = ['%s.%s']\n" \
		    "$s" "$grp" "$s" "$s" "$grp" "$s" "$grp" >"$c/$grp/$s"
		j=$((j + m))
		i=$((i + 1))
	done
	printf "\n[[groups]]\n    domain = '%s'\n    services = [%s]\n    active = true\n" "$grp" "$list" >>"$c/ssl-mgr.conf"
	g=$((g + 1))
done
printf "\n[web]\n    servers = []\n    skip_prod_copy = true\n" >>"$c/ssl-mgr.conf"
cd "$top"
export SSL_MGR_TOPDIR="$top"
"$BIN" check-config >/dev/null
"$BIN" -renew -roll >"$top/gen.log" 2>&1
groups=
g=0
while [ "$g" -lt "$m" ]; do groups="$groups g$g.bench.test"; g=$((g + 1)); done
# shellcheck disable=SC2086
"$BIN" -renew -f $groups >>"$top/gen.log" 2>&1
echo "$n services over $m groups ($kt) in $top"
