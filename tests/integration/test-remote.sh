#!/bin/sh
# Remote production copies and restarts through a real sshd on 127.0.0.1
# (test keys, test port).  sshd runs in its own mount namespace in which the
# production path is bind-mounted from another directory, so what arrives
# "remotely" really went through ssh + rsync.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null ||
    [ ! -x /usr/sbin/sshd ] || ! command -v rsync >/dev/null; then
	if [ "${CI:-}" = true ]; then
		nok "remote test needs root, unshare -m, sshd and rsync"
	else
		echo "SKIP: needs root, unshare -m, sshd and rsync"
		exit 77
	fi
	finish
	exit
fi

top=$(new_topdir top)
P=$top/prod-certs
R=$T/remote-host
mkdir -p "$P" "$R" /run/sshd
port=$(free_port)
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$T/id"
cp "$T/id.pub" "$T/authorized_keys"
chmod 600 "$T/authorized_keys"
cat >"$T/sshd_config" <<SSHD
Port $port
ListenAddress 127.0.0.1
HostKey $T/hostkey
AuthorizedKeysFile $T/authorized_keys
PidFile $T/sshd.pid
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
SSHD
unshare -m sh -c 'mount --bind "$1" "$2" && exec /usr/sbin/sshd -D -e -f "$3"' \
    _ "$R" "$P" "$T/sshd_config" 2>"$T/sshd.log" &
sshd_pid=$!
trap 'kill "$sshd_pid" 2>/dev/null; wait "$sshd_pid" 2>/dev/null; rm -rf "$T"' EXIT INT TERM
i=0
while ! ssh -p "$port" -i "$T/id" -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o BatchMode=yes 127.0.0.1 true 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 50 ] && break
	sleep 0.1
done
check "sshd answers on 127.0.0.1:$port" test $i -le 50

# A remote restart command that records where it ran.
printf '#!/bin/sh\necho "$*" >>%s/remote-rec.log\n' "$T" >"$T/rec"
chmod +x "$T/rec"
conf=$top/conf.d/ssl-mgr.conf
sed -i "s|^    prod_cert_dir = .*|    prod_cert_dir = '$P'\n    ssh_opts = ['-p', '$port', '-i', '$T/id', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes']|" "$conf"
printf '\n[smtp]\n    servers = [%s]\n    restart_cmd = %s\n    depends = [%s]\n' \
    "'127.0.0.1'" "'$T/rec smtp-reload'" "'cert'" >>"$conf"
printf '\n[other]\n    servers = [%s, %s]\n' "'127.0.0.1'" "'127.0.0.1'" >>"$conf"

echo junk >"$R/stale-file"
sslm "$top" -renew -roll
check "run with remote copy exits 0" eq "$RC" 0
check "remote got the production tree" cmp -s "$R/example.com/web-self/curr/cert.pem" "$top/certs/example.com/web-self/curr/cert.pem"
check "remote key is 0600" eq "$(mode_of "$R/example.com/web-self/curr/privkey.pem")" 600
check "no CA private key went to the remote" test ! -e "$R/ca/my-int/curr/privkey.pem"
check "rsync --delete removed the stale remote file" test ! -e "$R/stale-file"
check "the local prod is not the remote dir" test ! -e "$P/stale-file" -a -s "$P/example.com/web-self/curr/cert.pem"
check "remote restart ran over ssh once" eq "$(grep -c smtp-reload "$T/remote-rec.log" 2>/dev/null)" 1

# A host that refuses: the failure names the host; exit 1.
printf '\n[imap]\n    servers = [%s]\n' "'nosuchhost.invalid'" >>"$conf"
sslm "$top" -renew -f example.com:mail-self
check "unreachable host: exit 1" eq "$RC" 1
check "unreachable host: named in the error" contains "$T/err" "nosuchhost.invalid"
check "the reachable remote still got the new next" test -s "$R/example.com/mail-self/next/cert.pem"
finish
