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
and times).  Both checks run OpenSSL in this process (the ssl module),
not the openssl command: the crash test once spent most of its time in
those forks.

Python (which meson brings along) rather than sh: the crash test runs this
hundreds of times, and one process is much cheaper than hundreds of forks.
"""
import hashlib
import os
import re
import ssl
import stat
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


def key_matches(d):
    """OpenSSL itself, in this process: loading a key that is not the
    cert's fails (KEY_VALUES_MISMATCH).  Level 0 so that a small test key
    is judged on whether it matches, not on its size."""
    k = cache_key("match", d + "/privkey.pem", d + "/cert.pem")
    if k and os.path.exists(k):
        return True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    try:
        ctx.load_cert_chain(d + "/cert.pem", d + "/privkey.pem")
    except (ssl.SSLError, OSError):
        return False
    if k:
        open(k, "w").close()
    return True


def der_tlv(buf, i):
    """(start of value, end of element) of the DER element at buf[i]."""
    n = buf[i + 1]
    j = i + 2
    if n & 0x80:
        width = n & 0x7F
        n = int.from_bytes(buf[j:j + width], "big")
        j += width
    return j, j + n


def spki(cert):
    """SHA-256 of the cert's SubjectPublicKeyInfo (TLSA 3 1 1): the 6th
    element of tbsCertificate, or the 7th when [0] version comes first."""
    k = cache_key("spki", cert)
    if k and os.path.exists(k):
        return read(k).decode()
    try:
        der = ssl.PEM_cert_to_DER_cert(read(cert).decode("ascii"))
        tbs, _ = der_tlv(der, der_tlv(der, 0)[0])
        i, skip = tbs, 6 if der[tbs] == 0xA0 else 5
        for _ in range(skip):
            i = der_tlv(der, i)[1]
        h = hashlib.sha256(der[i:der_tlv(der, i)[1]]).hexdigest()
    except (ValueError, IndexError, AttributeError, UnicodeDecodeError):
        h = ""
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
