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
               [--proxy H:P] [--auth USER:PASS] [--deflate]
               [--msgset basic|deflate|big|one] [--expect VERDICT]
               [--description TEXT]

--auth first sends CONNECT without credentials (expects 407), then retries
on a new connection with Proxy-Authorization.  --expect makes the client
fail (exit 1) when the outcome differs, so run_lab.sh notices a broken
lab instead of writing a wrong truth.
"""
import argparse
import asyncio
import base64
import hashlib
import json
import random
import socket
import sys

import websockets
import websockets.client
import websockets.exceptions

TIMEOUT = 5
MAX_HEAD = 16384


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


async def websocket_session(uri, sock, deflate, msgs):
	"""Handshake and message exchange; returns (verdict, messages)."""
	out = []
	kw = dict(compression="deflate" if deflate else None,
		ping_interval=None, close_timeout=TIMEOUT,
		open_timeout=TIMEOUT, max_size=2 ** 20)
	if sock is not None:
		kw["sock"] = sock
	try:
		ws = await websockets.client.connect(uri, **kw)
	except websockets.exceptions.InvalidHeaderValue as e:
		if "accept" in str(e).lower():
			return "accept_mismatch", out
		raise
	except websockets.exceptions.InvalidStatusCode:
		return "handshake_rejected", out
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
	return "ok", out


def ws_fields(verdict, deflate, out):
	"""Per-leg WebSocket keys: deflate only once a session was opened."""
	f = {}
	if verdict == "ok":
		f["deflate"] = bool(deflate)
	f["messages"] = out
	return f


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
	uri = "ws://%s/" % target
	msgs = msgset(a.msgset)
	legs = []
	if a.proxy is None:
		verdict, out = asyncio.run(websocket_session(uri, None,
			a.deflate, msgs))
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
			legs.append(leg)
			continue
		verdict, out = asyncio.run(websocket_session(uri, sock,
			a.deflate, msgs))
		leg["verdict"] = verdict
		leg.update(ws_fields(verdict, a.deflate, out))
		legs.append(leg)
		# The proxy's own connection to the server carries the same
		# bytes once the tunnel is up.
		legs.append({"role": "proxy-server",
			"match": {"server_port": port, "nth": 0},
			"via": "direct", "target": None, "proxy_status": None,
			"verdict": verdict})
		legs[-1].update(ws_fields(verdict, a.deflate, out))
	return verdict, legs


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("--capture", required=True)
	ap.add_argument("--out", required=True)
	ap.add_argument("--target", required=True)
	ap.add_argument("--proxy")
	ap.add_argument("--auth")
	ap.add_argument("--deflate", action="store_true")
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
	with open(a.out, "w", encoding="utf-8") as f:
		json.dump(truth, f, indent=1, ensure_ascii=False)
		f.write("\n")
	return 0


if __name__ == "__main__":
	sys.exit(main())
