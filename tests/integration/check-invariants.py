#!/usr/bin/env python3
"""check-invariants.py - what must hold for a topdir after any run, and
(with --mid) what must hold even right after a crash.

  check-invariants.py [--mid] [--prod DIR] [--tlsa-dir DIR] TOPDIR

Always (also --mid):
  - curr, next and prev of every service are absent or symlinks to a db
    dir holding privkey, cert, csr, chain, fullchain and bundle .pem; the
    key matches the cert, fullchain = cert + chain (a self-signed cert is
    its own chain and fullchain) and bundle = privkey + fullchain;
  - every private key and bundle under certs/ and production is 0600,
    every directory 0700 or 0750 (nothing world-readable).
After a completed run (not --mid) besides:
  - no temporaries (*.tmp.<pid>, <svc>.new.<pid>, <svc>.old.<pid>);
  - production (default TOPDIR/prod-certs) holds exactly the curr and next
    sets of certs/, byte for byte (CA keys never), and the group TLSA
    files with the same records;
  - each group's tlsa.<grp> holds exactly the records of its services'
    curr and next tlsa.rr, every 3 1 1 record of a tlsa.rr matches its
    cert, and the tlsa_dirs copy (--tlsa-dir) holds the same records.
Prints one "INVARIANT: ..." line per violation; exit 1 when any.
CHECK_CACHE=<dir> remembers the key/cert checks already done (by inode
and times): repeated checks of one tree then run no openssl at all.

Python (which meson brings along) rather than sh: the crash test runs this
hundreds of times, and one process is much cheaper than hundreds of forks.
"""
import hashlib
import os
import re
import stat
import subprocess
import sys

SET = ("privkey.pem", "cert.pem", "csr.pem", "chain.pem", "fullchain.pem",
       "bundle.pem")
SECRET = re.compile(r"^(privkey\.pem|bundle\.pem|key\.pem|.*\.key)$")
TEMP = re.compile(r"(\.tmp\.|\.new\.|\.old\.)[0-9]+$")
bad = []


def v(msg):
    bad.append("INVARIANT: " + msg)


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def cache_key(kind, *paths):
    cache = os.environ.get("CHECK_CACHE")
    if not cache:
        return None
    h = hashlib.sha256(kind.encode())
    for p in paths:
        st = os.stat(p)
        h.update(("%s %d %d %d %d %d" % (p, st.st_dev, st.st_ino,
                                         st.st_mtime_ns, st.st_ctime_ns,
                                         st.st_size)).encode())
    return os.path.join(cache, kind + "." + h.hexdigest()[:32])


def openssl(args, data=None):
    r = subprocess.run(["openssl"] + args, input=data, capture_output=True)
    return r.stdout if r.returncode == 0 else None


def cert_pub(cert):
    return openssl(["x509", "-in", cert, "-noout", "-pubkey"])


def key_matches(d):
    k = cache_key("match", d + "/privkey.pem", d + "/cert.pem")
    if k and os.path.exists(k):
        return True
    a = openssl(["pkey", "-in", d + "/privkey.pem", "-pubout"])
    b = cert_pub(d + "/cert.pem")
    ok = a is not None and a == b
    if ok and k:
        open(k, "w").close()
    return ok


def spki(cert):
    k = cache_key("spki", cert)
    if k and os.path.exists(k):
        return read(k).decode()
    pub = cert_pub(cert)
    der = openssl(["pkey", "-pubin", "-outform", "der"], pub) if pub else None
    h = hashlib.sha256(der).hexdigest() if der else ""
    if k and h:
        with open(k, "w") as f:
            f.write(h)
    return h


def check_set(d):
    for f in SET:
        p = os.path.join(d, f)
        if os.path.islink(p) or not os.path.isfile(p):
            v("%s: %s missing" % (d, f))
            return
    if not key_matches(d):
        v("%s: privkey.pem does not match cert.pem" % d)
    cert, chain = read(d + "/cert.pem"), read(d + "/chain.pem")
    full, key = read(d + "/fullchain.pem"), read(d + "/privkey.pem")
    if full != (cert if cert == chain else cert + chain):
        v("%s: fullchain.pem is not cert + chain" % d)
    if read(d + "/bundle.pem") != key + full:
        v("%s: bundle.pem is not privkey + fullchain" % d)


def services(certs):
    out = []
    for g in sorted(os.listdir(certs)) if os.path.isdir(certs) else []:
        gd = os.path.join(certs, g)
        if not os.path.isdir(gd) or os.path.islink(gd):
            continue
        for s in sorted(os.listdir(gd)):
            if os.path.isdir(os.path.join(gd, s, "db")):
                out.append((g, s, os.path.join(gd, s)))
    return out


def records(path):
    """The active records of a zone fragment, normalised, as a set."""
    data = read(path)
    if data is None:
        return None
    out = set()
    for line in data.decode(errors="replace").splitlines():
        line = " ".join(line.split(";", 1)[0].split()).lower()
        if line:
            out.add(line)
    return out


def check_modes(root):
    for dirpath, dirs, files in os.walk(root):
        m = stat.S_IMODE(os.lstat(dirpath).st_mode)
        if m not in (0o700, 0o750):
            v("%s: directory mode %o" % (dirpath, m))
        for f in files:
            p = os.path.join(dirpath, f)
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode) and SECRET.match(f) and \
                    stat.S_IMODE(st.st_mode) != 0o600:
                v("%s: mode %o, not 600" % (p, stat.S_IMODE(st.st_mode)))


def check_temps(root):
    for dirpath, dirs, files in os.walk(root):
        for n in dirs + files:
            if TEMP.search(n):
                v("%s: temporary left" % os.path.join(dirpath, n))


def check_prod(certs, prod, svcs):
    for g, s, sd in svcs:
        ca = g.lower() == "ca"
        for side in ("curr", "next"):
            pd = os.path.join(prod, g, s, side)
            link = os.path.join(sd, side)
            if not os.path.islink(link):
                if os.path.lexists(pd):
                    v("%s: in production, no %s in certs" % (pd, side))
                continue
            if os.path.islink(pd) or not os.path.isdir(pd):
                v("%s: missing in production" % pd)
                continue
            want = set(os.listdir(link))
            for f in want:
                if ca and f in ("privkey.pem", "bundle.pem", "key.pem"):
                    if os.path.lexists(os.path.join(pd, f)):
                        v("%s/%s: CA key in production" % (pd, f))
                    continue
                if read(os.path.join(link, f)) != read(os.path.join(pd, f)):
                    v("%s/%s: differs from certs" % (pd, f))
            for f in os.listdir(pd):
                if f not in want:
                    v("%s/%s: in production only" % (pd, f))
    for g in sorted(os.listdir(certs)):
        src = os.path.join(certs, g, "tlsa." + g)
        want = records(src)
        have = records(os.path.join(prod, g, "tlsa." + g))
        if want and want != have:
            v("%s/%s/tlsa.%s: records differ from certs" % (prod, g, g))
        if not want and have:
            v("%s/%s/tlsa.%s: stale (certs has none)" % (prod, g, g))


def check_tlsa(certs, svcs, tdir):
    groups = {}
    for g, s, sd in svcs:
        want = groups.setdefault(g, set())
        for side in ("curr", "next"):
            rr = os.path.join(sd, side, "tlsa.rr")
            recs = records(rr)
            if recs is None:
                continue
            want |= recs
            h = spki(os.path.join(sd, side, "cert.pem"))
            for r in recs:
                f = r.split()
                if f[-4:-1] == ["3", "1", "1"] and f[-1] != h:
                    v("%s: not its cert: %s" % (rr, r))
    for g, want in groups.items():
        have = records(os.path.join(certs, g, "tlsa." + g)) or set()
        if want != have:
            v("%s/%s/tlsa.%s: records are not those of curr and next "
              "(missing %s, extra %s)" % (certs, g, g, sorted(want - have),
                                          sorted(have - want)))
        if tdir and (want or have):
            cp = records(os.path.join(tdir, "tlsa." + g)) or set()
            if cp != want:
                v("%s/tlsa.%s: records are not those of curr and next" %
                  (tdir, g))


def main(argv):
    mid, prod, tdir = False, None, None
    args = argv[1:]
    while len(args) > 1:
        if args[0] == "--mid":
            mid, args = True, args[1:]
        elif args[0] == "--prod":
            prod, args = args[1], args[2:]
        elif args[0] == "--tlsa-dir":
            tdir, args = args[1], args[2:]
        else:
            break
    if len(args) != 1:
        sys.stderr.write("usage: check-invariants.py [--mid] [--prod DIR] "
                         "[--tlsa-dir DIR] TOPDIR\n")
        return 2
    top = args[0]
    certs = os.path.join(top, "certs")
    prod = prod or os.path.join(top, "prod-certs")
    svcs = services(certs)
    for g, s, sd in svcs:
        for side in ("curr", "next", "prev"):
            p = os.path.join(sd, side)
            if os.path.islink(p):
                t = os.readlink(p)
                if not re.match(r"^db/[0-9]{8}-[0-9:]{8}$", t):
                    v("%s: points at '%s', not db/<date>" % (p, t))
                if os.path.isdir(p):
                    check_set(p)
                else:
                    v("%s: dangling link to %s" % (p, t))
            elif os.path.lexists(p):
                v("%s: not a symlink" % p)
    for root in (certs, prod):
        if os.path.isdir(root):
            check_modes(root)
    if not mid:
        for root in (certs, prod, tdir):
            if root and os.path.isdir(root):
                check_temps(root)
        if os.path.isdir(prod):
            check_prod(certs, prod, svcs)
        check_tlsa(certs, svcs, tdir)
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
