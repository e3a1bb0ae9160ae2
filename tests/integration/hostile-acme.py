#!/usr/bin/env python3
"""hostile-acme.py - a small ACME server on 127.0.0.1 that misbehaves on
purpose, for tests/integration/test-hostile-acme.sh.

usage: hostile-acme.py DIR
  DIR holds tls.pem/tls.key (its HTTPS certificate), issuer.pem/issuer.key
  (what it signs certificates with) and other.key (a key that is not the
  client's).  It writes DIR/port once listening and DIR/requests (one line
  per request: method path) as it serves.
  DIR/mode (read at every request, so one server serves every case) is
  "ok" (a well-behaved server that validates nothing and issues
  a real certificate for the CSR) or FAULT@STEP, where STEP is one of
  dir nonce account order authz poll finalize cert and FAULT one of
    5xx       503 with a text/plain body (no problem document)
    problem   500 with an urn:ietf:params:acme:error:serverInternal problem
    garbage   200 application/json with a body that is not JSON
    notobj    200 application/json with a JSON array
    big       200 application/json, 50 MB streamed (the client must stop)
    drip      200 with a 1 MB Content-Length, one byte per second
    redirect  302 to the same URL (a redirect loop)
    ctype     the right body with the wrong Content-Type
  and the whole-run faults
    processing@finalize  the order stays "processing" forever
    nonce@nonce          newNonce answers without Replay-Nonce
    badnonce@post        every POST is refused with badNonce
    wrongkey@cert        a certificate for another key
    garbagepem@cert      a PEM block of garbage
    mismatch@cert        the leaf followed by an unrelated CA certificate
    empty@cert           no certificate at all
    dns01@authz          a pending authorization with a dns-01 challenge
"""
import base64
import json
import os
import socketserver
import ssl
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

DIR = sys.argv[1]
MODE = FAULT = STEP = None
STATE = {"n": 0}


def read_mode():
    """Picks up DIR/mode; a new mode starts with a fresh order."""
    global MODE, FAULT, STEP
    try:
        with open(os.path.join(DIR, "mode")) as f:
            m = f.read().strip()
    except OSError:
        m = "ok"
    if m != MODE:
        MODE = m
        FAULT, _, STEP = m.partition("@")
        STATE.pop("order", None)
        STATE.pop("csr", None)


def b64u_dec(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def sign_csr(csr_der, key_override=None):
    """The leaf PEM for the CSR (or for another key), signed by issuer."""
    with tempfile.TemporaryDirectory() as t:
        csr = os.path.join(t, "csr.der")
        with open(csr, "wb") as f:
            f.write(csr_der)
        out = os.path.join(t, "leaf.pem")
        args = ["openssl", "x509", "-req", "-inform", "DER", "-in", csr,
                "-CA", os.path.join(DIR, "issuer.pem"),
                "-CAkey", os.path.join(DIR, "issuer.key"),
                "-days", "30", "-set_serial", str(int(time.time())),
                "-out", out]
        if key_override:
            args += ["-force_pubkey", key_override]
        subprocess.run(args, check=True, capture_output=True)
        with open(out) as f:
            return f.read()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def url(self, path):
        return "https://127.0.0.1:%d%s" % (self.server.server_port, path)

    def step(self):
        p = self.path
        if p == "/dir":
            return "dir"
        if p == "/nonce":
            return "nonce"
        if p == "/acct" or p.startswith("/acct/"):
            return "account"
        if p == "/new-order":
            return "order"
        if p.startswith("/authz/"):
            return "authz"
        if p.startswith("/order/"):
            return "poll"
        if p.startswith("/finalize/"):
            return "finalize"
        if p.startswith("/cert/"):
            return "cert"
        return "?"

    def send(self, code, body, ctype="application/json", extra=None,
             nonce=True):
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if nonce:
            STATE["n"] += 1
            self.send_header("Replay-Nonce", "nonce%d" % STATE["n"])
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def fault(self, step, good, ctype, extra=None):
        """Applies FAULT when STEP is this step; True when it answered.
        extra: the headers the good answer has (Location)."""
        if STEP != step:
            return False
        try:
            if FAULT == "5xx":
                self.send(503, "Service Unavailable\n", "text/plain")
            elif FAULT == "problem":
                self.send(500, {"type": "urn:ietf:params:acme:error:"
                                "serverInternal",
                                "detail": "hostile test server"},
                          "application/problem+json")
            elif FAULT == "garbage":
                self.send(200, '{"status": "valid", "oops', ctype, extra)
            elif FAULT == "notobj":
                self.send(200, "[1, 2, 3]", ctype, extra)
            elif FAULT == "redirect":
                self.send(302, "", "text/plain",
                          {"Location": self.url(self.path)})
            elif FAULT == "ctype":
                self.send(200, good, "application/json"
                          if ctype != "application/json" else "text/html",
                          extra)
            elif FAULT == "big":
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(50 << 20))
                self.send_header("Replay-Nonce", "big")
                self.end_headers()
                chunk = b" " * 65536
                for _ in range(50 << 4):
                    self.wfile.write(chunk)
            elif FAULT == "drip" and self.command == "HEAD":
                # The status line and headers, one byte a second.
                for c in b"HTTP/1.1 200 OK\r\nReplay-Nonce: " + \
                        b"x" * 1000:
                    self.wfile.write(bytes([c]))
                    self.wfile.flush()
                    time.sleep(1)
            elif FAULT == "drip":
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(1 << 20))
                self.send_header("Replay-Nonce", "drip")
                self.end_headers()
                self.wfile.flush()
                for _ in range(1 << 20):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(1)
            else:
                return False
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError,
                OSError):
            self.close_connection = True
        return True

    def do_HEAD(self):
        self.handle_any()

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def handle_any(self):
        read_mode()
        with open(os.path.join(DIR, "requests"), "a") as f:
            f.write("%s %s\n" % (self.command, self.path))
        payload = None
        if self.command == "POST":
            n = int(self.headers.get("Content-Length", "0"))
            jws = json.loads(self.rfile.read(n))
            if FAULT == "badnonce":
                self.send(400, {"type": "urn:ietf:params:acme:error:"
                                "badNonce", "detail": "never good enough"},
                          "application/problem+json")
                return
            payload = b64u_dec(jws["payload"]) if jws["payload"] else b""
        step = self.step()
        if step == "dir":
            good = {"newNonce": self.url("/nonce"),
                    "newAccount": self.url("/acct"),
                    "newOrder": self.url("/new-order")}
            if not self.fault("dir", good, "application/json"):
                self.send(200, good, nonce=False)
        elif step == "nonce":
            if FAULT == "nonce":
                self.send(200, "", "text/plain", nonce=False)
            elif not self.fault("nonce", "", "text/plain"):
                self.send(200, "", "text/plain", {"Cache-Control":
                                                  "no-store"})
        elif step == "account":
            good = {"status": "valid", "contact": []}
            if not self.fault("account", good, "application/json",
                              {"Location": self.url("/acct/1")}):
                self.send(200, good, extra={"Location":
                                            self.url("/acct/1")})
        elif step == "order":
            good = self.order("pending")
            if not self.fault("order", good, "application/json",
                              {"Location": self.url("/order/1")}):
                self.send(201, good, extra={"Location":
                                            self.url("/order/1")})
        elif step == "authz":
            good = {"status": "valid", "expires": "2099-01-01T00:00:00Z",
                    "identifier": {"type": "dns", "value": "example.com"},
                    "challenges": [{"type": "http-01", "status": "valid",
                                    "url": self.url("/chal/1"),
                                    "token": "tok"}]}
            if FAULT == "dns01":
                good["status"] = "pending"
                good["challenges"] = [{
                    "type": "dns-01", "status": "pending",
                    "url": self.url("/chal/1"),
                    "token": "dns01-token-abcdefghijklmnopqrstuvwxyz0123"}]
            if not self.fault("authz", good, "application/json"):
                self.send(200, good)
        elif step == "poll":
            st = STATE.get("order", "ready")
            if FAULT == "processing" and st != "ready":
                st = "processing"
            good = self.order(st)
            if not self.fault("poll", good, "application/json"):
                self.send(200, good, extra={"Retry-After": "1"})
        elif step == "finalize":
            csr = json.loads(payload)["csr"]
            STATE["csr"] = b64u_dec(csr)
            STATE["order"] = "processing" if FAULT == "processing" \
                else "valid"
            good = self.order(STATE["order"])
            if not self.fault("finalize", good, "application/json"):
                self.send(200, good, extra={"Retry-After": "1"})
        elif step == "cert":
            self.cert()
        else:
            self.send(404, {"type": "urn:ietf:params:acme:error:malformed",
                            "detail": "no such resource"},
                      "application/problem+json")

    def order(self, status):
        o = {"status": status, "expires": "2099-01-01T00:00:00Z",
             "identifiers": [{"type": "dns", "value": "example.com"}],
             "authorizations": [self.url("/authz/1")],
             "finalize": self.url("/finalize/1")}
        if status == "valid":
            o["certificate"] = self.url("/cert/1")
        return o

    def cert(self):
        with open(os.path.join(DIR, "issuer.pem")) as f:
            issuer = f.read()
        if FAULT == "wrongkey":
            pem = sign_csr(STATE["csr"], os.path.join(DIR, "other.pub"))
            body = pem + issuer
        elif FAULT == "garbagepem":
            body = ("-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNh"
                    "dGUgYXQgYWxs\n-----END CERTIFICATE-----\n")
        elif FAULT == "mismatch":
            with open(os.path.join(DIR, "tls-ca.pem")) as f:
                body = sign_csr(STATE["csr"]) + f.read()
        elif FAULT == "empty":
            body = "nothing to see here\n"
        else:
            body = sign_csr(STATE["csr"]) + issuer
        if not self.fault("cert", body, "application/pem-certificate-chain"):
            self.send(200, body, "application/pem-certificate-chain")


class Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(DIR, "tls.pem"),
                        os.path.join(DIR, "tls.key"))
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    tmp = os.path.join(DIR, "port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_port)
    os.rename(tmp, os.path.join(DIR, "port"))
    srv.serve_forever()


if __name__ == "__main__":
    main()
