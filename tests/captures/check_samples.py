#!/usr/bin/python3
"""Check wstap against the sample captures and their truth files.

Usage: check_samples.py WSTAP_BINARY SAMPLES_DIR

For every SAMPLES_DIR/*.truth.json: runs `WSTAP -r CAPTURE -T jsonl`,
checks the exit status, that every output line is a JSON object, that
the records carry the keys the JSONL contract names, and
for every leg of the truth: the session record (found by server port
and order), its via, target, proxy_status, verdict, ws.deflate and close,
the strings its explanation must contain, and its message records, in order per direction (opcode, length, text or
data, close code).  When SAMPLES_DIR/<capture stem>.transcript exists it
also runs `-T transcript` and looks for the expected head blocks and
message lines, in order (other lines, such as headings and verdicts, are
ignored).

Prints one line per check, "ok ..." or "FAIL ...", then exactly
"N passed, M failed".  Exit status: 0 all passed, 1 a check failed,
2 usage error.

Truth file format (written by tests/lab/ws_client.py and make_seed.py):
  {"capture": "x.pcap", "description": "...",
   "expect_exit": 0 | 1 | [0, 1]          (optional, default 0)
   "legs": [{"role": "client-proxy",       (informational)
             "match": {"server_port": 3128, "nth": 0},
             "via": "connect", "target": "127.0.0.1:9001",
             "proxy_status": 200, "verdict": "ok",   (each optional)
             "deflate": false,                        (optional)
             "explanation_contains": ["403", ...],    (optional: each
                                 string must occur in the explanation)
             "messages": [{"dir": "client", "opcode": "text",
                           "length": 5, "text": "hello"},
                          {"dir": "server", "opcode": "binary",
                           "length": 3, "data": "<base64>"},
                          {"dir": "client", "opcode": "binary",
                           "length": 70000, "sha256": "<hex>"},
                          {"dir": "client", "opcode": "close",
                           "length": 2, "code": 1000, "reason": ""}]}]}
Other leg keys (sent_encrypted, sent_key, tls_*, ...) are informational.
"match.nth" counts the sessions whose "server" ends with ":PORT" in the
order they began: by a start timestamp when the records have one
("start", "start_ts", "first_ts" or "ts"), else by id.
"""
import base64
import binascii
import glob
import hashlib
import json
import os
import re
import subprocess
import sys

TIMEOUT = 120

SESSION_KEYS = ("id", "client", "server", "via", "target", "proxy_status",
	"tls", "ws", "messages", "close", "verdict", "explanation", "linked",
	"notes")
MESSAGE_KEYS = ("session", "dir", "ts", "opcode", "length", "wire_length",
	"compressed", "truncated")
START_KEYS = ("start", "start_ts", "first_ts", "ts")

HEAD_TITLE = re.compile(r"^(client|proxy|server) > (client|proxy|server)$")
MSG_LINE = re.compile(r"^(client|server) > (client|server)  \S+ \d+ bytes")


class Report:
	def __init__(self):
		self.passed = 0
		self.failed = 0

	def check(self, cond, what, why=""):
		if cond:
			self.passed += 1
			print("ok %s" % what)
		else:
			self.failed += 1
			print("FAIL %s%s" % (what, ": " + why if why else ""))
		return cond


def short(v, n=60):
	s = json.dumps(v, ensure_ascii=True)
	return s if len(s) <= n else s[:n] + "..."


def run(cmd):
	"""Run wstap; returns (exit status or None on timeout, stdout, stderr)."""
	try:
		p = subprocess.run(cmd, stdout=subprocess.PIPE,
			stderr=subprocess.PIPE, timeout=TIMEOUT)
	except subprocess.TimeoutExpired:
		return None, b"", b"timed out after %d s" % TIMEOUT
	except OSError as e:
		return None, b"", str(e).encode()
	return p.returncode, p.stdout, p.stderr


def exit_ok(rc, want):
	allowed = want if isinstance(want, list) else [want]
	return rc in allowed


def natural(v):
	"""Sort key for ids: numbers numerically, strings by their digits."""
	if isinstance(v, bool):
		return (2, str(v), ())
	if isinstance(v, (int, float)):
		return (0, "", (v,))
	s = str(v)
	nums = tuple(int(x) for x in re.findall(r"\d+", s))
	return (1, re.sub(r"\d+", "", s), nums)


def order_sessions(sessions):
	def start(s):
		for k in START_KEYS:
			v = s.get(k)
			if isinstance(v, (int, float)) and not isinstance(v, bool):
				return v
		return None
	if sessions and all(start(s) is not None for s in sessions):
		return sorted(sessions, key=lambda s: (start(s), natural(s["id"])))
	return sorted(sessions, key=lambda s: natural(s.get("id")))


def payload_of(rec):
	"""The message's payload bytes as wstap reported them, or None."""
	if isinstance(rec.get("text"), str):
		return rec["text"].encode("utf-8")
	if isinstance(rec.get("data"), str):
		try:
			return base64.b64decode(rec["data"], validate=True)
		except (binascii.Error, ValueError):
			return None
	return None


def compare_message(r, what, want, got):
	"""One check per message: every field the truth gives."""
	why = []
	for k in ("opcode", "length"):
		if got.get(k) != want[k]:
			why.append("%s %s, want %s" % (k, short(got.get(k)),
				short(want[k])))
	if got.get("truncated") is True:
		why.append("marked truncated")
	op = want["opcode"]
	if op == "close":
		if "code" in got and got["code"] != want.get("code"):
			why.append("code %s, want %s" % (got["code"],
				want.get("code")))
		if "reason" in want and "text" in got and \
			got["text"] != want["reason"]:
			why.append("reason %s, want %s" % (short(got["text"]),
				short(want["reason"])))
	elif "sha256" in want:
		pl = payload_of(got)
		if pl is None or hashlib.sha256(pl).hexdigest() != want["sha256"]:
			why.append("payload differs (sha256)")
	elif "text" in want:
		if got.get("text") != want["text"]:
			why.append("text %s, want %s" % (short(got.get("text")),
				short(want["text"])))
	elif "data" in want:
		if got.get("data") is None or \
			payload_of(got) != base64.b64decode(want["data"]):
			why.append("data %s, want %s" % (short(got.get("data")),
				short(want["data"])))
	r.check(not why, what + " %s %d bytes" % (op, want["length"]),
		"; ".join(why))


def check_leg(r, cap, n, leg, sessions, messages):
	port = leg["match"]["server_port"]
	nth = leg["match"].get("nth", 0)
	tag = "%s leg %d (%s :%d #%d)" % (cap, n, leg.get("role", "?"), port,
		nth)
	cands = [s for s in sessions
		if isinstance(s.get("server"), str) and
		s["server"].endswith(":%d" % port)]
	cands = order_sessions(cands)
	if not r.check(nth < len(cands), tag + " session found",
		"%d session(s) with server port %d" % (len(cands), port)):
		return
	s = cands[nth]
	for k in ("via", "target", "proxy_status", "verdict"):
		if k in leg:
			r.check(s.get(k) == leg[k], "%s %s %s" % (tag, k,
				short(leg[k])), "got %s (explanation: %s)" % (
				short(s.get(k)), short(s.get("explanation"), 200)))
	expl = s.get("explanation")
	for want in leg.get("explanation_contains", []):
		r.check(isinstance(expl, str) and want in expl,
			"%s explanation contains %s" % (tag, short(want)),
			"explanation: %s" % short(expl, 300))
	if "deflate" in leg:
		ws = s.get("ws")
		got = ws.get("deflate") if isinstance(ws, dict) else None
		r.check(got == leg["deflate"], "%s ws.deflate %s" % (tag,
			short(leg["deflate"])), "got %s" % short(got))
	msgs = leg.get("messages", [])
	# A lossy capture holds only the first N messages each side sent
	# ("captured_messages": {"client": N, "server": M}); the rest are
	# what the sender sent but the capture lost.
	held = leg.get("captured_messages")
	if held:
		keep = []
		seen = {"client": 0, "server": 0}
		for m in msgs:
			seen[m["dir"]] += 1
			if seen[m["dir"]] <= held[m["dir"]]:
				keep.append(m)
		msgs = keep
	closes = [m for m in msgs if m["opcode"] == "close"]
	if held and "gaps" in leg:
		r.check(s.get("gaps") == leg["gaps"], "%s gaps %s" % (tag,
			leg["gaps"]), "got %s" % short(s.get("gaps")))
	if closes:
		c = s.get("close")
		first = closes[0]
		ok = isinstance(c, dict) and c.get("by") == first["dir"] and \
			c.get("code") == first.get("code")
		r.check(ok, "%s close by %s code %s" % (tag, first["dir"],
			first.get("code")), "got %s" % short(c, 120))
	mine = [m for m in messages if m.get("session") == s.get("id")]
	for d in ("client", "server"):
		want = [m for m in msgs if m["dir"] == d]
		got = [m for m in mine if m.get("dir") == d]
		r.check(len(got) == len(want), "%s %s messages: %d" % (tag, d,
			len(want)), "got %d (%s)" % (len(got), ", ".join(
			str(m.get("opcode")) for m in got[:12])))
		for i, (w, g) in enumerate(zip(want, got)):
			compare_message(r, "%s %s message %d" % (tag, d, i), w, g)


def check_jsonl(r, wstap, cap, path, truth):
	want_rc = truth.get("expect_exit", 0)
	rc, out, err = run([wstap, "-r", path, "-T", "jsonl"])
	errline = err.decode("utf-8", "replace").strip().splitlines()
	r.check(exit_ok(rc, want_rc), "%s jsonl exit %s" % (cap, want_rc),
		"exit %s; stderr: %s" % (rc, short(errline[:3], 200)))
	if rc is None:
		return
	if rc != 0 and not exit_ok(0, want_rc):
		r.check(len(errline) > 0, cap + " says why on stderr",
			"stderr empty")
	records = []
	bad = 0
	for i, line in enumerate(out.split(b"\n")):
		if not line.strip():
			continue
		try:
			rec = json.loads(line.decode("utf-8"))
		except (UnicodeDecodeError, ValueError) as e:
			bad += 1
			if bad <= 3:
				r.check(False, "%s jsonl line %d parses" % (cap, i + 1),
					"%s: %s" % (e, short(line[:80].decode(
					"utf-8", "replace"))))
			continue
		if not isinstance(rec, dict):
			bad += 1
			r.check(False, "%s jsonl line %d is an object" % (cap, i + 1))
			continue
		records.append(rec)
	if bad > 3:
		r.check(False, "%s jsonl: %d more unparsable lines" % (cap,
			bad - 3))
	r.check(bad == 0, "%s jsonl: %d records, all JSON objects" % (cap,
		len(records)), "%d bad lines" % bad)
	sessions = [x for x in records if x.get("type") == "session"]
	messages = [x for x in records if x.get("type") == "message"]
	miss = sorted({k for x in sessions for k in SESSION_KEYS if k not in x})
	r.check(not miss, "%s session records have the contract keys" % cap,
		"missing %s" % ", ".join(miss))
	miss = sorted({k for x in messages for k in MESSAGE_KEYS if k not in x})
	nopl = [x for x in messages if "text" not in x and "data" not in x]
	r.check(not miss and not nopl,
		"%s message records have the contract keys" % cap,
		"missing %s; %d without text or data" % (", ".join(miss),
		len(nopl)))
	ids = {x.get("id") for x in sessions}
	orphans = [x for x in messages if x.get("session") not in ids]
	r.check(not orphans, "%s every message belongs to a session" % cap,
		"%d messages name unknown sessions" % len(orphans))
	for n, leg in enumerate(truth.get("legs", [])):
		check_leg(r, cap, n, leg, sessions, messages)


def parse_expected_transcript(text):
	"""Split the expected transcript into head blocks and message lines."""
	blocks, msgs, cur = [], [], None
	for line in text.split("\n"):
		if cur is not None:
			if line == "":
				blocks.append(cur)
				cur = None
			else:
				cur.append(line)
		elif HEAD_TITLE.match(line):
			cur = [line]
		elif MSG_LINE.match(line):
			msgs.append(line)
	if cur is not None:
		blocks.append(cur)
	return blocks, msgs


def check_transcript(r, wstap, cap, path, expected_path, truth):
	with open(expected_path, encoding="utf-8") as f:
		blocks, msgs = parse_expected_transcript(f.read())
	rc, out, err = run([wstap, "-r", path, "-T", "transcript"])
	r.check(exit_ok(rc, truth.get("expect_exit", 0)),
		"%s transcript exit" % cap, "exit %s; stderr: %s" % (rc,
		short(err.decode("utf-8", "replace"), 200)))
	if rc is None:
		return
	lines = out.decode("utf-8", "replace").split("\n")
	pos = 0
	for b, block in enumerate(blocks):
		found = -1
		for i in range(pos, len(lines) - len(block) + 1):
			if lines[i:i + len(block)] == block and \
				i + len(block) < len(lines) and \
				lines[i + len(block)] == "":
				found = i
				break
		why = ""
		if found < 0:
			# Say where the best candidate first differs.
			for i in range(pos, len(lines)):
				if lines[i] == block[0]:
					for j, want in enumerate(block):
						got = lines[i + j] if i + j < len(lines) else "<end>"
						if got != want:
							why = "after line %d: %s, want %s" % (
								i + 1, short(got), short(want))
							break
					else:
						why = "no blank line after the block"
					break
			else:
				why = "no %r at or after line %d" % (block[0], pos + 1)
		r.check(found >= 0, "%s transcript block %d (%s, %d lines)" % (
			cap, b, block[0], len(block) - 1), why)
		if found >= 0:
			pos = found + len(block)
	for m, want in enumerate(msgs):
		try:
			i = lines.index(want, pos)
		except ValueError:
			i = -1
		r.check(i >= 0, "%s transcript message %d %s" % (cap, m,
			short(want)), "not found in order")
		if i >= 0:
			pos = i + 1


def main():
	if len(sys.argv) != 3:
		print("usage: check_samples.py WSTAP_BINARY SAMPLES_DIR",
			file=sys.stderr)
		return 2
	wstap, d = sys.argv[1], sys.argv[2]
	if not os.access(wstap, os.X_OK):
		print("check_samples: %s is not an executable; build wstap first"
			% wstap, file=sys.stderr)
		return 2
	truths = sorted(glob.glob(os.path.join(d, "*.truth.json")))
	if not truths:
		print("check_samples: no *.truth.json in %s" % d, file=sys.stderr)
		return 2
	r = Report()
	for tp in truths:
		name = os.path.basename(tp)
		try:
			with open(tp, encoding="utf-8") as f:
				truth = json.load(f)
			cap = truth["capture"]
		except (OSError, ValueError, KeyError) as e:
			r.check(False, "%s readable" % name, str(e))
			continue
		path = os.path.join(d, cap)
		if not r.check(os.path.exists(path), "%s exists" % cap):
			continue
		check_jsonl(r, wstap, cap, path, truth)
		stem = re.sub(r"\.pcap(ng)?$", "", cap)
		tr = os.path.join(d, stem + ".transcript")
		if os.path.exists(tr):
			check_transcript(r, wstap, cap, path, tr, truth)
	print("%d passed, %d failed" % (r.passed, r.failed))
	return 1 if r.failed else 0


if __name__ == "__main__":
	sys.exit(main())
