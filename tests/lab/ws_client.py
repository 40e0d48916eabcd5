#!/usr/bin/python3
"""WebSocket client for the wstap lab: one scenario, one truth file.

Opens the TCP connection itself, does the CONNECT exchange by hand (the
websockets 10.4 in Debian 12 has no proxy support) and hands the tunnel
socket to websockets for the opening handshake and the messages.  Every
message it sends, and every message it receives from the server, goes
into the truth file, so the truth is what really crossed the wire, not a
hand-written list.

Usage:
  ws_client.py --capture NAME.pcap --out NAME.truth.json --target H:P
               [--proxy H:P [--forward]] [--auth USER:PASS] [--deflate]
               [--msgset basic|deflate|big|one|pair] [--expect VERDICT]
               [--tls trust|reject --cafile CERT.pem --sni NAME
                [--keylog FILE] [--tls-max 1.2] [--ciphers LIST]]
               [--subprotocol NAME]
               [--description TEXT]

--auth first sends CONNECT without credentials (expects 407), then retries
on a new connection with Proxy-Authorization.  --forward sends the
Upgrade to the proxy as an absolute-form GET (no CONNECT).  --tls trust
runs wss inside the tunnel trusting --cafile (writing the TLS secrets to
--keylog, NSS key log format); --tls reject forces TLS 1.2 and verifies
the server against the system CAs only, so the self-signed certificate
is refused and the client sends a cleartext fatal alert.  --subprotocol
offers one subprotocol.  --expect makes the client fail (exit 1) when
the outcome differs, so run_lab.sh notices a broken lab instead of
writing a wrong truth.

Each leg may carry "explanation_contains": strings the evidence says
wstap's explanation must name (the expected Sec-WebSocket-Accept, the
proxy's status, realm and X-Squid-Error), taken from what crossed the
wire.
"""
import argparse
import asyncio
import base64
import hashlib
import json
import random
import os
import socket
import ssl
import sys

import websockets
import websockets.client
import websockets.exceptions
import websockets.legacy.client

TIMEOUT = 5
MAX_HEAD = 16384
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def expected_accept(key):
	"""RFC 6455 section 4.2.2: base64 of SHA-1 of the key and the GUID."""
	return base64.b64encode(hashlib.sha1((key + GUID).encode("ascii"))
		.digest()).decode("ascii")


class LabProtocol(websockets.legacy.client.WebSocketClientProtocol):
	"""Records the handshake request it writes (so the truth can name
	the key it sent); with absolute_prefix set, writes the request line
	in absolute form ("GET http://host:port/ HTTP/1.1"), as a client
	talking to a forward proxy does."""
	absolute_prefix = None
	sent = {}

	def write_http_request(self, path, headers):
		if self.absolute_prefix:
			path = self.absolute_prefix + path
		LabProtocol.sent = {"path": path,
			"key": headers.get("Sec-WebSocket-Key")}
		super().write_http_request(path, headers)


def b64(data):
	return base64.b64encode(data).decode("ascii")


def hostport(s):
	"""Split "host:port" or "[v6]:port" into (host, port)."""
	host, sep, port = s.rpartition(":")
	if not sep or not port.isdigit():
		raise SystemExit("bad host:port %r" % s)
	if host.startswith("[") and host.endswith("]"):
		host = host[1:-1]
	return host, int(port)


def msgset(name):
	"""The messages a scenario sends, as (kind, payload) pairs."""
	basic = [
		("text", "hello"),
		("text", "gr\u00fc\u00dfe, \u043c\u0438\u0440, \u4e16\u754c \u2713"),
		("binary", bytes([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff])),
		("ping", b"lab-ping"),
		("frag", ["frag", "mented ", "text \u2713"]),
		("binary", bytes(range(256)) + bytes(range(44))),  # 300: 16-bit length
		("text", ""),
	]
	if name == "basic":
		return basic
	if name == "one":
		return [("text", "authenticated hello")]
	if name == "pair":
		return [("text", "hello chat"), ("binary", b"\x00chat\xff")]
	if name == "deflate":
		# Compressible text so the deflated frames are much shorter than
		# the message, plus the basic set.
		line = "the quick brown fox jumps over the lazy dog %d\n"
		big = "".join(line % (i % 10) for i in range(400))
		return basic + [("text", big)]
	if name == "big":
		rnd = random.Random(6455)
		# 70000 bytes: needs the 64-bit extended payload length.
		blob = bytes(rnd.getrandbits(8) for _ in range(70000))
		return basic + [("binary", blob)]
	raise SystemExit("unknown message set %r" % name)


# Payloads longer than this are recorded by SHA-256, to keep the truth
# files small; the checker hashes what wstap reports the same way.
INLINE_MAX = 1024


def truth_msg(direction, opcode, payload=None, code=None, reason=""):
	if opcode == "close":
		r = reason.encode("utf-8")
		return {"dir": direction, "opcode": "close",
			"length": (2 + len(r)) if code is not None else 0,
			"code": code, "reason": reason}
	raw = payload.encode("utf-8") if isinstance(payload, str) else payload
	m = {"dir": direction, "opcode": opcode, "length": len(raw)}
	if len(raw) > INLINE_MAX:
		m["sha256"] = hashlib.sha256(raw).hexdigest()
	elif isinstance(payload, str):
		m["text"] = payload
	else:
		m["data"] = b64(payload)
	return m


def read_head(sock):
	"""Read an HTTP response head; returns (status, head bytes, rest)."""
	buf = b""
	while b"\r\n\r\n" not in buf:
		chunk = sock.recv(4096)
		if not chunk:
			raise ConnectionError("proxy closed before the end of the head")
		buf += chunk
		if len(buf) > MAX_HEAD:
			raise ConnectionError("proxy response head too long")
	head, _, rest = buf.partition(b"\r\n\r\n")
	status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
	parts = status_line.split(" ", 2)
	return int(parts[1]), head.decode("latin-1"), rest


def header(head, name):
	vals = []
	for line in head.split("\r\n")[1:]:
		k, sep, v = line.partition(":")
		if sep and k.strip().lower() == name.lower():
			vals.append(v.strip())
	return vals


def open_tunnel(proxy, target, auth):
	"""CONNECT through the proxy; returns (socket or None, status, head)."""
	sock = socket.create_connection(proxy, timeout=TIMEOUT)
	req = "CONNECT %s HTTP/1.1\r\nHost: %s\r\n" % (target, target)
	if auth:
		req += "Proxy-Authorization: Basic %s\r\n" % b64(auth.encode())
	req += "User-Agent: wstap-lab/1\r\n\r\n"
	sock.sendall(req.encode("ascii"))
	status, head, rest = read_head(sock)
	if status == 200:
		if rest:
			raise ConnectionError("bytes after the 200 head: %r" % rest)
		sock.settimeout(None)
		return sock, status, head
	# Read the error body so the whole answer is in the capture.
	cl = header(head, "content-length")
	want = int(cl[0]) if cl and cl[0].isdigit() else 0
	try:
		while len(rest) < want:
			chunk = sock.recv(65536)
			if not chunk:
				break
			rest += chunk
	except socket.timeout:
		pass
	sock.close()
	return None, status, head


async def websocket_session(uri, sock, deflate, msgs, opt=None):
	"""Handshake and message exchange; returns (verdict, messages).

	opt: "ssl" (an SSLContext: wss inside sock), "sni", "subprotocol"
	(offered), "absolute" (prefix for an absolute-form request line).
	What the handshake saw goes into opt["seen"]."""
	opt = {} if opt is None else opt
	seen = opt.setdefault("seen", {})
	out = []
	kw = dict(compression="deflate" if deflate else None,
		ping_interval=None, close_timeout=TIMEOUT,
		open_timeout=TIMEOUT, max_size=2 ** 20,
		create_protocol=LabProtocol)
	LabProtocol.absolute_prefix = opt.get("absolute")
	LabProtocol.sent = {}
	if sock is not None:
		kw["sock"] = sock
	if opt.get("ssl") is not None:
		kw["ssl"] = opt["ssl"]
		kw["server_hostname"] = opt.get("sni")
	if opt.get("subprotocol"):
		kw["subprotocols"] = [opt["subprotocol"]]
	try:
		ws = await websockets.client.connect(uri, **kw)
	except websockets.exceptions.InvalidHeaderValue as e:
		seen.update(LabProtocol.sent)
		if "accept" in str(e).lower():
			return "accept_mismatch", out
		raise
	except websockets.exceptions.InvalidStatusCode as e:
		seen.update(LabProtocol.sent)
		seen["status"] = e.status_code
		return "handshake_rejected", out
	except websockets.exceptions.NegotiationError as e:
		# A Sec-WebSocket-Protocol the client did not offer.
		seen.update(LabProtocol.sent)
		if "subprotocol" in str(e):
			return "subprotocol_mismatch", out
		raise
	except ssl.SSLError as e:
		# The certificate check failed; OpenSSL has sent its alert.
		seen["tls_error"] = str(e)
		return "tls_failed", out
	seen.update(LabProtocol.sent)
	seen["status"] = 101
	seen["subprotocol"] = ws.subprotocol
	if isinstance(ws.transport.get_extra_info("ssl_object"), ssl.SSLObject):
		so = ws.transport.get_extra_info("ssl_object")
		seen["tls_version"] = so.version()
		seen["tls_cipher"] = so.cipher()[0]
	verdict = "ok"
	# Offered a subprotocol and the server chose none: websockets goes
	# on (RFC 6455 lets it), browsers fail the connection; wstap calls
	# it subprotocol_mismatch.  The messages still flow.
	if opt.get("subprotocol") and ws.subprotocol is None:
		verdict = "subprotocol_mismatch"
	ext = ws.response_headers.get("Sec-WebSocket-Extensions")
	if deflate and (ext is None or "permessage-deflate" not in ext):
		raise RuntimeError("permessage-deflate was not negotiated")
	if not deflate and ext is not None:
		raise RuntimeError("unexpected extensions %r" % ext)
	for kind, payload in msgs:
		if kind == "ping":
			waiter = await ws.ping(payload)
			out.append(truth_msg("client", "ping", payload))
			await asyncio.wait_for(waiter, TIMEOUT)
			# The library matched a pong carrying this payload.
			out.append(truth_msg("server", "pong", payload))
			continue
		if kind == "frag":
			# A list makes websockets send one fragmented message.
			await ws.send(list(payload))
			payload = "".join(payload)
		else:
			await ws.send(payload)
		op = "binary" if isinstance(payload, bytes) else "text"
		out.append(truth_msg("client", op, payload))
		echo = await asyncio.wait_for(ws.recv(), TIMEOUT)
		if echo != payload:
			raise RuntimeError("echo differs from what was sent")
		op = "binary" if isinstance(echo, bytes) else "text"
		out.append(truth_msg("server", op, echo))
	await ws.close(code=1000, reason="")
	out.append(truth_msg("client", "close", code=1000, reason=""))
	rcvd = getattr(ws, "close_rcvd", None)
	if rcvd is None:
		raise RuntimeError("no close frame from the server")
	out.append(truth_msg("server", "close", code=rcvd.code,
		reason=rcvd.reason))
	return verdict, out


def ws_fields(verdict, deflate, out, seen=None):
	"""Per-leg WebSocket keys: deflate only once a session was opened.

	Inside TLS wstap cannot see the messages (yet): the truth's
	messages list is empty and what was sent goes to "sent_encrypted",
	which the checker ignores."""
	f = {}
	seen = seen or {}
	if verdict == "ok":
		f["deflate"] = bool(deflate)
	if verdict in ("tls_encrypted", "tls_failed"):
		f["messages"] = []
		f["sent_encrypted"] = out
	else:
		f["messages"] = out
	if verdict == "accept_mismatch" and seen.get("key"):
		f["sent_key"] = seen["key"]
		f["explanation_contains"] = [expected_accept(seen["key"])]
	return f


def tls_context(a):
	"""The client's TLS context for --tls, or None."""
	if a.tls is None:
		return None
	if a.tls == "trust":
		ctx = ssl.create_default_context(cafile=a.cafile)
	else:
		# System CAs only: the lab's self-signed certificate fails the
		# check.  TLS 1.2, so the certificate and the client's alert
		# travel in the clear (TLS 1.3 encrypts both).
		ctx = ssl.create_default_context()
		ctx.maximum_version = ssl.TLSVersion.TLSv1_2
	if a.tls_max == "1.2":
		ctx.maximum_version = ssl.TLSVersion.TLSv1_2
	if a.ciphers:
		# TLS 1.2 suites only; TLS 1.3's come from OPENSSL_CONF
		# (Ciphersuites = ...), which run_lab.sh sets for the client.
		ctx.set_ciphers(a.ciphers)
	if a.keylog:
		if os.path.exists(a.keylog):
			os.unlink(a.keylog)
		ctx.keylog_filename = a.keylog
	return ctx


def wire_verdict(verdict):
	"""What wstap should say about a leg, given the client's outcome:
	a wss session that worked is, on the wire, TLS wstap cannot read."""
	return "tls_encrypted" if verdict == "ok" and OPTS.get("ssl") else \
		verdict


def proxy_evidence(status, head):
	"""Strings a proxy-refusal explanation must name: the status, and
	the realm for a 407, the X-Squid-Error code otherwise."""
	if status == 407:
		ev = []
		for v in header(head, "proxy-authenticate"):
			scheme, _, rest = v.partition(" ")
			if scheme == "Basic" and rest.startswith("realm="):
				ev = ["Basic", rest[len("realm="):].strip('"')]
				break
		return ev
	ev = [str(status)]
	xe = header(head, "x-squid-error")
	if xe and xe[0].split():
		ev.append(xe[0].split()[0])
	return ev


OPTS = {}


def verdict_of_status(status):
	if status == 407:
		return "proxy_auth_required"
	if 400 <= status < 500:
		return "proxy_denied"
	if status >= 500:
		return "proxy_error"
	return None


def run(a):
	host, port = hostport(a.target)
	bracket = "[%s]" % host if ":" in host else host
	target = "%s:%d" % (bracket, port)
	uri = "%s://%s%s" % ("wss" if a.tls else "ws", target, a.path)
	msgs = msgset(a.msgset)
	legs = []
	OPTS.update(ssl=tls_context(a), sni=a.sni, subprotocol=a.subprotocol)
	if a.forward:
		return run_forward(a, target, port, uri, msgs)
	if a.proxy is None:
		verdict, out = asyncio.run(websocket_session(uri, None,
			a.deflate, msgs, OPTS))
		legs.append({"role": "client-server",
			"match": {"server_port": port, "nth": 0},
			"via": "direct", "target": None, "proxy_status": None,
			"verdict": verdict})
		legs[-1].update(ws_fields(verdict, a.deflate, out))
		return verdict, legs
	proxy = hostport(a.proxy)
	attempts = [None, a.auth] if a.auth else [None]
	verdict = None
	for nth, cred in enumerate(attempts):
		sock, status, head = open_tunnel(proxy, target, cred)
		leg = {"role": "client-proxy",
			"match": {"server_port": proxy[1], "nth": nth},
			"via": "connect", "target": target, "proxy_status": status}
		if sock is None:
			if status == 407:
				pa = header(head, "proxy-authenticate")
				if not any(v.startswith("Basic realm=") for v in pa):
					raise RuntimeError("407 without Basic realm")
			verdict = verdict_of_status(status)
			leg.update(verdict=verdict, messages=[])
			ev = proxy_evidence(status, head)
			if ev:
				leg["explanation_contains"] = ev
			legs.append(leg)
			continue
		OPTS["seen"] = {}
		if a.tls == "reject":
			verdict, out = tls_reject(sock, OPTS)
		else:
			verdict, out = asyncio.run(websocket_session(uri, sock,
				a.deflate, msgs, OPTS))
		verdict = wire_verdict(verdict)
		leg["verdict"] = verdict
		leg.update(ws_fields(verdict, a.deflate, out, OPTS["seen"]))
		add_tls_info(leg)
		legs.append(leg)
		# The proxy's own connection to the server carries the same
		# bytes once the tunnel is up.
		legs.append({"role": "proxy-server",
			"match": {"server_port": port, "nth": 0},
			"via": "direct", "target": None, "proxy_status": None,
			"verdict": verdict})
		legs[-1].update(ws_fields(verdict, a.deflate, out,
			OPTS["seen"]))
		add_tls_info(legs[-1])
	return verdict, legs


def tls_reject(sock, opt):
	"""The TLS handshake on a blocking socket, expected to fail the
	certificate check.  Not through asyncio: its SSL transport closes
	the connection without flushing the alert OpenSSL queued, while a
	blocking SSLSocket writes the alert to the wire first."""
	try:
		tls = opt["ssl"].wrap_socket(sock, server_hostname=opt.get("sni"))
	except ssl.SSLCertVerificationError as e:
		opt["seen"]["tls_error"] = "%s (verify code %s)" % (
			e.verify_message, e.verify_code)
		sock.close()
		return "tls_failed", []
	tls.close()
	raise RuntimeError("the TLS server's certificate was accepted")


def add_tls_info(leg):
	"""Informational (the checker ignores them): what the client's TLS
	stack reported."""
	seen = OPTS.get("seen", {})
	if OPTS.get("ssl") is None:
		return
	leg["tls_sni"] = OPTS.get("sni")
	for k in ("tls_version", "tls_cipher", "tls_error"):
		if k in seen:
			leg[k] = seen[k]


def run_forward(a, target, port, uri, msgs):
	"""The Upgrade sent to the proxy as an absolute-form GET.  If the
	proxy forwards it and the server answers 101, the proxy relays the
	WebSocket; otherwise the client sees the proxy's (or the server's)
	refusal."""
	proxy = hostport(a.proxy)
	sock = socket.create_connection(proxy, timeout=TIMEOUT)
	sock.settimeout(None)
	OPTS["absolute"] = "http://%s" % target
	OPTS["seen"] = {}
	verdict, out = asyncio.run(websocket_session(uri, sock, a.deflate,
		msgs, OPTS))
	seen = OPTS["seen"]
	leg = {"role": "client-proxy",
		"match": {"server_port": proxy[1], "nth": 0},
		"via": "forward", "target": target, "verdict": verdict,
		"request_line": "GET %s HTTP/1.1" % seen.get("path"),
		"http_status": seen.get("status")}
	leg.update(ws_fields(verdict, a.deflate, out, seen))
	if verdict == "handshake_rejected":
		leg["explanation_contains"] = [str(seen.get("status"))]
	legs = [leg]
	if verdict == "ok":
		# Squid re-sends the request in origin form with Via and
		# X-Forwarded-For; alone that leg looks like a reverse proxy's
		# backend leg, but linked to the client's leg (the same
		# Sec-WebSocket-Key) it is the proxy speaking directly.
		leg["linked_with"] = 1
		legs.append({"role": "proxy-server",
			"match": {"server_port": port, "nth": 0},
			"via": "direct", "target": None, "proxy_status": None,
			"verdict": verdict, "linked_with": 0,
			"via_note": "squid is a forward proxy here; its "
				"upstream request carries Via and X-Forwarded-For, "
				"but linked to the client leg it is the proxy "
				"speaking directly to the server"})
		legs[-1].update(ws_fields(verdict, a.deflate, out, seen))
	return verdict, legs


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("--capture", required=True)
	ap.add_argument("--out", required=True)
	ap.add_argument("--target", required=True)
	ap.add_argument("--path", default="/",
		help="request path (the nginx lab routes on it)")
	ap.add_argument("--proxy")
	ap.add_argument("--auth")
	ap.add_argument("--deflate", action="store_true")
	ap.add_argument("--forward", action="store_true")
	ap.add_argument("--tls", choices=("trust", "reject"))
	ap.add_argument("--cafile")
	ap.add_argument("--sni")
	ap.add_argument("--keylog")
	ap.add_argument("--tls-max", choices=("1.2", "1.3"),
		help="highest TLS version the client offers")
	ap.add_argument("--ciphers", help="TLS 1.2 cipher list (OpenSSL)")
	ap.add_argument("--subprotocol")
	ap.add_argument("--msgset", default="basic")
	ap.add_argument("--expect", default="ok")
	ap.add_argument("--description", default="")
	a = ap.parse_args()
	verdict, legs = run(a)
	if verdict != a.expect:
		print("ws_client: %s: outcome %s, expected %s" %
			(a.capture, verdict, a.expect), file=sys.stderr)
		return 1
	truth = {"capture": a.capture, "description": a.description,
		"generated_by": "tests/lab/run_lab.sh (websockets %s)" %
			websockets.__version__,
		"legs": legs}
	if a.keylog and a.tls == "trust":
		# check_samples.py also runs wstap with this key log and
		# expects the messages sent inside TLS.
		truth["keylog"] = os.path.basename(a.keylog)
		# Without it, wstap's explanation names the client random to
		# look for in a key log.
		with open(a.keylog, encoding="ascii") as f:
			randoms = [l.split()[1] for l in f
				if l.strip() and not l.startswith("#")]
		for leg in legs:
			if randoms and leg.get("verdict") == "tls_encrypted":
				leg["explanation_contains"] = [randoms[0]]
	with open(a.out, "w", encoding="utf-8") as f:
		json.dump(truth, f, indent=1, ensure_ascii=False)
		f.write("\n")
	return 0


if __name__ == "__main__":
	sys.exit(main())
