#!/usr/bin/env python3
"""hostile-dns.py - a tiny authoritative DNS server (UDP and TCP on one
port of one loopback address) that misbehaves on purpose, for
tests/integration/test-hostile-dns.sh.

usage: hostile-dns.py ADDR PORTFILE MODE ZONEFILE
  Listens on ADDR (UDP and TCP, the same free port, or $HOSTILE_DNS_PORT),
  writes the port to PORTFILE once ready.  ZONEFILE is read for every query (so a test can
  change what it serves), one record a line: "name TYPE value", TYPE one of
  SOA (value: the serial), NS, A, TXT, TLSA ("u s m hex").
  MODE:
    ok         answers from ZONEFILE (a lying server is an ok one with a
               different ZONEFILE)
    silent     reads every query, never answers (UDP or TCP)
    servfail   rcode SERVFAIL      refused   rcode REFUSED
    tc         UDP: TC=1 and no answer; TCP: the full answer
    tcgarbage  UDP: TC=1; TCP: a length prefix and random bytes
    tcsilent   UDP: TC=1; TCP: accepts, never answers
    garbage    UDP: random bytes
    short      UDP: 5 bytes
    wrongid    the right answer with another query ID
    wrongq     the right answer to another question name
"""
import os
import random
import socket
import struct
import sys
import threading

ADDR, PORTFILE, MODE, ZONE = sys.argv[1:5]
TYPES = {"A": 1, "NS": 2, "SOA": 6, "TXT": 16, "TLSA": 52}


def enc_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def parse_query(msg):
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    pos, labels = 12, []
    while msg[pos] != 0:
        n = msg[pos]
        labels.append(msg[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += 1 + n
    qtype, qclass = struct.unpack("!HH", msg[pos + 1:pos + 5])
    return qid, flags, ".".join(labels).lower(), qtype, msg[12:pos + 5]


def records():
    recs = []
    try:
        with open(ZONE) as f:
            for line in f:
                p = line.split(None, 2)
                if len(p) == 3:
                    recs.append((p[0].lower().rstrip("."), p[1],
                                 p[2].strip()))
    except OSError:
        pass
    return recs


def rdata(t, v):
    if t == "A":
        return socket.inet_aton(v)
    if t == "NS":
        return enc_name(v)
    if t == "SOA":
        return (enc_name("ns1.example.com") + enc_name("hostmaster.example.com")
                + struct.pack("!IIIII", int(v), 3600, 600, 86400, 60))
    if t == "TXT":
        b = v.encode()
        return b"".join(bytes([len(b[i:i + 255])]) + b[i:i + 255]
                        for i in range(0, max(len(b), 1), 255))
    if t == "TLSA":
        u, s, m, h = v.split()
        return bytes([int(u), int(s), int(m)]) + bytes.fromhex(h)
    return b""


def answer(msg, tcp):
    """The reply to msg, or None for no reply."""
    try:
        qid, flags, qname, qtype, question = parse_query(msg)
    except (IndexError, struct.error, UnicodeError):
        return None
    rd = flags & 0x0100
    if MODE == "silent" or (MODE == "tcsilent" and tcp):
        return None
    if MODE == "garbage" and not tcp:
        return bytes(random.getrandbits(8) for _ in range(64))
    if MODE == "tcgarbage" and tcp:
        return bytes(random.getrandbits(8) for _ in range(40))
    if MODE == "short" and not tcp:
        return b"\x12\x34\x81"
    if MODE in ("tc", "tcgarbage", "tcsilent") and not tcp:
        return struct.pack("!HHHHHH", qid, 0x8000 | 0x0400 | 0x0200 | rd,
                           1, 0, 0, 0) + question
    rcode, ans = 0, []
    if MODE == "servfail":
        rcode = 2
    elif MODE == "refused":
        rcode = 5
    else:
        recs = records()
        if not any(r[0] == qname or qname.endswith("." + r[0])
                   for r in recs if r[1] == "SOA"):
            rcode = 5
        else:
            ans = [r for r in recs if r[0] == qname
                   and TYPES.get(r[1]) == qtype]
            if not ans and not any(r[0] == qname for r in recs):
                rcode = 3
    if MODE == "wrongid":
        qid ^= 0x5a5a
    if MODE == "wrongq":
        question = enc_name("other." + qname) + question[-4:]
    out = struct.pack("!HHHHHH", qid, 0x8000 | 0x0400 | rd | rcode, 1,
                      len(ans), 0, 0) + question
    for name, t, v in ans:
        rdt = rdata(t, v)
        out += struct.pack("!HHHIH", 0xC00C, TYPES[t], 1, 60, len(rdt)) + rdt
    return out


def serve_udp(sock):
    while True:
        msg, peer = sock.recvfrom(4096)
        r = answer(msg, False)
        if r is not None:
            sock.sendto(r, peer)


def serve_tcp_conn(c):
    try:
        while True:
            hdr = c.recv(2)
            if len(hdr) < 2:
                return
            n = struct.unpack("!H", hdr)[0]
            msg = b""
            while len(msg) < n:
                chunk = c.recv(n - len(msg))
                if not chunk:
                    return
                msg += chunk
            r = answer(msg, True)
            if r is None:
                c.recv(1)       # hold the connection until it is closed
                return
            c.sendall(struct.pack("!H", len(r)) + r)
    except OSError:
        pass
    finally:
        c.close()


def serve_tcp(sock):
    while True:
        c, _ = sock.accept()
        threading.Thread(target=serve_tcp_conn, args=(c,), daemon=True).start()


def main():
    want = int(os.environ.get("HOSTILE_DNS_PORT", "0"))
    for _ in range(50):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind((ADDR, want))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind((ADDR, port))
            break
        except OSError:
            u.close()
            t.close()
    else:
        sys.exit("no port")
    t.listen(16)
    threading.Thread(target=serve_tcp, args=(t,), daemon=True).start()
    tmp = PORTFILE + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, PORTFILE)
    serve_udp(u)


if __name__ == "__main__":
    main()
