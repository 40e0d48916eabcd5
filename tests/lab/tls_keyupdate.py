#!/usr/bin/python3
"""wss through a proxy with a TLS 1.3 KeyUpdate in the middle.

Python's ssl module cannot send a KeyUpdate, `openssl s_client` can: a
line "K" on its standard input sends one that asks the peer to update
too (RFC 8446 §4.6.3), so both directions change keys.  This harness
drives s_client through the proxy (-proxy: it sends the CONNECT), does
the WebSocket Upgrade and frames by hand over s_client's stdin/stdout,
and writes the truth file like ws_client.py does.  s_client treats a
read from stdin that begins with Q, R, K or k as a command, so every
other write here begins with "G" (the request) or a frame's first byte.

Usage: tls_keyupdate.py --capture NAME.pcap --out NAME.truth.json
         --proxy H:P --target H:P --cafile CERT --sni NAME --keylog FILE
         [--description TEXT]
"""
import argparse
import base64
import hashlib
import json
import os
import struct
import subprocess
import sys
import threading
import time

TIMEOUT = 10
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Reader(threading.Thread):
	def __init__(self, f):
		super().__init__(daemon=True)
		self.f = f
		self.buf = b""
		self.lock = threading.Lock()

	def run(self):
		while True:
			b = os.read(self.f.fileno(), 65536)
			if not b:
				return
			with self.lock:
				self.buf += b

	def wait_for(self, what, start=0):
		end = time.time() + TIMEOUT
		while time.time() < end:
			with self.lock:
				i = self.buf.find(what, start)
			if i >= 0:
				return i + len(what)
			time.sleep(0.02)
		raise RuntimeError("s_client output lacks %r" % what)


def frame(opcode, payload):
	"""A masked client frame (RFC 6455 §5.2), payload < 126 bytes."""
	mask = os.urandom(4)
	body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
	return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + body


def truth_text(direction, s):
	return {"dir": direction, "opcode": "text",
		"length": len(s.encode("utf-8")), "text": s}


def main():
	ap = argparse.ArgumentParser()
	for o in ("--capture", "--out", "--proxy", "--target", "--cafile",
		"--sni", "--keylog"):
		ap.add_argument(o, required=True)
	ap.add_argument("--description", default="")
	a = ap.parse_args()
	if os.path.exists(a.keylog):
		os.unlink(a.keylog)
	cmd = ["openssl", "s_client", "-proxy", a.proxy, "-connect", a.target,
		"-servername", a.sni, "-tls1_3", "-CAfile", a.cafile,
		"-verify_return_error", "-keylogfile", a.keylog]
	p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
		stderr=subprocess.PIPE)
	rd = Reader(p.stdout)
	rd.start()
	# s_client reports its commands ("KEYUPDATE") on stderr.
	rerr = Reader(p.stderr)
	rerr.start()
	try:
		pos = rd.wait_for(b"Verify return code: 0 (ok)")
		key = base64.b64encode(os.urandom(16)).decode()
		req = ("GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
			"Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
			"Sec-WebSocket-Version: 13\r\n\r\n" % (a.target, key))
		p.stdin.write(req.encode())
		p.stdin.flush()
		pos = rd.wait_for(b"HTTP/1.1 101", pos)
		accept = base64.b64encode(hashlib.sha1((key + GUID).encode())
			.digest())
		pos = rd.wait_for(accept, pos)
		out = []
		for text in ("before the key update", None, "after the key update",
			"and once more"):
			if text is None:
				# A separate read for s_client: "K" alone.
				time.sleep(0.3)
				p.stdin.write(b"K\n")
				p.stdin.flush()
				rerr.wait_for(b"KEYUPDATE")
				time.sleep(0.3)
				continue
			p.stdin.write(frame(1, text.encode()))
			p.stdin.flush()
			out.append(truth_text("client", text))
			pos = rd.wait_for(text.encode(), pos)
			out.append(truth_text("server", text))
			time.sleep(0.1)
		p.stdin.write(frame(8, struct.pack("!H", 1000)))
		p.stdin.flush()
		out.append({"dir": "client", "opcode": "close", "length": 2,
			"code": 1000, "reason": ""})
		pos = rd.wait_for(b"\x88\x02\x03\xe8", pos)
		out.append({"dir": "server", "opcode": "close", "length": 2,
			"code": 1000, "reason": ""})
		time.sleep(0.3)
	finally:
		p.stdin.close()
		try:
			p.wait(TIMEOUT)
		except subprocess.TimeoutExpired:
			p.kill()
	port = int(a.target.rsplit(":", 1)[1])
	pport = int(a.proxy.rsplit(":", 1)[1])
	legs = []
	for role, sport, via in (("client-proxy", pport, "connect"),
		("proxy-server", port, "direct")):
		legs.append({"role": role, "match": {"server_port": sport, "nth": 0},
			"via": via, "target": a.target if via == "connect" else None,
			"proxy_status": 200 if via == "connect" else None,
			"verdict": "tls_encrypted", "messages": [],
			"sent_encrypted": out, "tls_sni": a.sni,
			"tls_key_updates": {"client": 1, "server": 1}})
	truth = {"capture": a.capture, "description": a.description,
		"generated_by": "tests/lab/run_lab.sh (openssl s_client)",
		"keylog": os.path.basename(a.keylog), "legs": legs}
	with open(a.out, "w", encoding="utf-8") as f:
		json.dump(truth, f, indent=1, ensure_ascii=False)
		f.write("\n")
	return 0


if __name__ == "__main__":
	sys.exit(main())
