#!/usr/bin/python3
"""Cross-check wstap's TLS decryption with tshark's.

Usage: tshark_check.py WSTAP CAPTURE KEYLOG [TLS_PORT...]

Runs `tshark -o tls.keylog_file:KEYLOG` (TLS_PORT: extra ports to
decode as TLS, e.g. a wss server on 9006) and `WSTAP --keylog KEYLOG
-T jsonl` on the capture and compares, per TCP connection and
direction, the WebSocket messages: opcode, length and, for text, the
text (single-frame messages: tshark shows none for fragments).  tshark lists frames, so continuation frames are joined to the
message they continue.  Prints what differs; exit 0 when all agree and
there was something to compare, 1 otherwise, 2 on a usage error.
"""
import json
import subprocess
import sys

OPS = {0: "cont", 1: "text", 2: "binary", 8: "close", 9: "ping", 10: "pong"}


def tshark_messages(cap, keys, ports):
	cmd = ["tshark", "-r", cap, "-o", "tls.keylog_file:" + keys]
	for p in ports:
		cmd += ["-d", "tcp.port==%s,tls" % p]
	cmd += ["-Y", "websocket", "-T", "fields", "-E", "separator=\t",
		"-E", "occurrence=a", "-E", "aggregator=|",
		"-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst",
		"-e", "tcp.dstport", "-e", "websocket.opcode",
		"-e", "websocket.fin", "-e", "websocket.payload_length",
		"-e", "websocket.payload_length_ext_16",
		"-e", "websocket.payload_length_ext_64",
		"-e", "websocket.payload.text"]
	out = subprocess.run(cmd, stdout=subprocess.PIPE,
		stderr=subprocess.DEVNULL, check=True).stdout.decode()
	msgs = {}
	partial = {}
	for line in out.splitlines():
		f = line.split("\t")
		src, sport, dst, dport = f[0], f[1], f[2], f[3]
		# One packet may carry several frames: the fields aggregate.
		cols = [c.split("|") for c in f[4:10]]
		n = len(cols[0])
		ext16, ext64, texts = iter(cols[3]), iter(cols[4]), iter(cols[5])
		for i in range(n):
			op = int(cols[0][i])
			length = int(cols[2][i])
			if length == 126:
				length = int(next(ext16))
			elif length == 127:
				length = int(next(ext64))
			text = next(texts, "") if op in (0, 1) else None
			key = (src, sport, dst, dport)
			if op == 0 and key in partial:
				m = partial[key]
				m["length"] += length
				# tshark shows no text for fragments: not compared
				m["text"] = None
			else:
				m = {"opcode": OPS.get(op, str(op)), "length": length,
					"text": (text or "") if op == 1 else None}
				msgs.setdefault(key, []).append(m)
			if op in (0, 1, 2):
				if cols[1][i] in ("1", "True"):
					partial.pop(key, None)
				else:
					partial[key] = m
	return msgs


def wstap_messages(wstap, cap, keys):
	out = subprocess.run([wstap, "-r", cap, "--keylog", keys, "-T",
		"jsonl"], stdout=subprocess.PIPE, check=True).stdout.decode()
	recs = [json.loads(x) for x in out.splitlines() if x.strip()]
	legs = {r["id"]: r for r in recs if r.get("type") == "session"}
	msgs = {}
	for r in recs:
		if r.get("type") != "message":
			continue
		leg = legs[r["session"]]
		c, s = leg["client"], leg["server"]
		ch, cp = c.rsplit(":", 1)
		sh, sp = s.rsplit(":", 1)
		key = (ch, cp, sh, sp) if r["dir"] == "client" else (sh, sp, ch, cp)
		msgs.setdefault(key, []).append({"opcode": r["opcode"],
			"length": r["wire_length"],
			"text": r.get("text") if r["opcode"] == "text" and
				r.get("frames", 1) == 1 else None})
	return msgs


def main():
	if len(sys.argv) < 4:
		print(__doc__, file=sys.stderr)
		return 2
	wstap, cap, keys = sys.argv[1:4]
	t = tshark_messages(cap, keys, sys.argv[4:])
	w = wstap_messages(wstap, cap, keys)
	bad = 0
	for key in sorted(set(t) | set(w)):
		a, b = t.get(key, []), w.get(key, [])
		if a != b:
			bad += 1
			diff = next((x for x in zip(a, b) if x[0] != x[1]),
				(a[len(b):len(b) + 1], b[len(a):len(a) + 1]))
			print("tshark_check: %s %s:%s > %s:%s: tshark %d message(s), "
				"wstap %d; first difference: %s / %s" % ((cap,) + key +
				(len(a), len(b)) + tuple(diff)))
	n = sum(len(v) for v in t.values())
	if not bad and n:
		print("tshark_check: %s: %d message(s) on %d direction(s) agree"
			% (cap, n, len(t)))
	return 1 if bad or not n else 0


if __name__ == "__main__":
	sys.exit(main())
