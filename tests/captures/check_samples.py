#!/usr/bin/python3
"""Check wstap against the sample captures and their truth files.

Usage: check_samples.py WSTAP_BINARY SAMPLES_DIR
       check_samples.py --jsonl WSTAP_OUTPUT.jsonl TRUTH.json

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
             "notes_include": ["deflate_error"],      (optional: codes
                                 the session's notes must include)
             "explanation_contains": ["403", ...],    (optional: each
                                 string must occur in the explanation)
             "messages": [{"dir": "client", "opcode": "text",
                           "length": 5, "text": "hello"},
                          {"dir": "server", "opcode": "binary",
                           "length": 3, "data": "<base64>"},
                          {"dir": "client", "opcode": "binary",
                           "length": 70000, "sha256": "<hex>"},
                          {"dir": "client", "opcode": "binary",
                           "length": 104857600, "truncated": true},
                                 (a cap cut it: length only, and it
                                  must be marked truncated)
                          {"dir": "client", "opcode": "close",
                           "length": 2, "code": 1000, "reason": ""}]}]}
A truth with "keylog": "x.keys" (a key log beside the capture) is also
checked with `--keylog`: each leg's "sent_encrypted" is then its message
list, "verdict_decrypted" (default "ok") its verdict and
"deflate_decrypted" (when given) its ws.deflate.
Other leg keys (sent_key, tls_*, ...) are informational.
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
	# A developer's SSLKEYLOGFILE must not change what the samples say.
	env = {k: v for k, v in os.environ.items() if k != "SSLKEYLOGFILE"}
	try:
		p = subprocess.run(cmd, stdout=subprocess.PIPE,
			stderr=subprocess.PIPE, timeout=TIMEOUT, env=env)
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
	if want.get("truncated") is True:
		# A cap cut it on purpose (a deflate bomb): the length is the
		# whole message's, the payload only its start.
		if got.get("truncated") is not True:
			why.append("not marked truncated")
		r.check(not why, what + " %s %d bytes, truncated" % (
			want["opcode"], want["length"]), "; ".join(why))
		return
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


def find_session(leg, sessions):
	port = leg["match"]["server_port"]
	nth = leg["match"].get("nth", 0)
	cands = order_sessions([s for s in sessions
		if isinstance(s.get("server"), str) and
		s["server"].endswith(":%d" % port) and
		("target" not in leg["match"] or
		 s.get("target") == leg["match"]["target"])])
	return cands[nth] if nth < len(cands) else None


def check_links(r, cap, legs, sessions):
	"""A leg's "linked_with": N names the truth leg on the other side
	of the proxy: both session records must name each other."""
	for n, leg in enumerate(legs):
		if "linked_with" not in leg:
			continue
		a = find_session(leg, sessions)
		b = find_session(legs[leg["linked_with"]], sessions)
		if a is None or b is None:
			continue
		r.check(a.get("linked") == b.get("id"), "%s leg %d linked to leg "
			"%d" % (cap, n, leg["linked_with"]), "linked=%s, other id=%s"
			% (short(a.get("linked")), short(b.get("id"))))
		# the proxy's added latency is measured on every linked pair
		link = a.get("link") if isinstance(a.get("link"), dict) else {}
		d = link.get("request_delay_ms")
		r.check(isinstance(d, (int, float)) and d >= 0,
			"%s leg %d proxy latency measured" % (cap, n),
			"link = %s" % short(link, 200))
		ws = a.get("ws") if isinstance(a.get("ws"), dict) else {}
		if ws.get("status") == 101 and (b.get("ws") or {}).get("status") == 101:
			d = link.get("response_delay_ms")
			r.check(isinstance(d, (int, float)) and d >= 0,
				"%s leg %d 101 latency measured" % (cap, n),
				"link = %s" % short(link, 200))


def check_leg(r, cap, n, leg, sessions, messages):
	"""Checks one truth leg; returns the session record matched, or None."""
	port = leg["match"]["server_port"]
	nth = leg["match"].get("nth", 0)
	tag = "%s leg %d (%s :%d #%d)" % (cap, n, leg.get("role", "?"), port,
		nth)
	# "target" in the match picks, among a browser's many legs to the
	# proxy, the one whose CONNECT asked for that target.
	cands = [s for s in sessions
		if isinstance(s.get("server"), str) and
		s["server"].endswith(":%d" % port) and
		("target" not in leg["match"] or
		 s.get("target") == leg["match"]["target"])]
	cands = order_sessions(cands)
	if not r.check(nth < len(cands), tag + " session found",
		"%d session(s) with server port %d" % (len(cands), port)):
		return None
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
	notes = s.get("notes") if isinstance(s.get("notes"), list) else []
	codes = [n.get("code") for n in notes if isinstance(n, dict)]
	for want in leg.get("notes_include", []):
		r.check(want in codes, "%s note %s" % (tag, want),
			"notes: %s" % short(codes, 200))
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
	return s


def decrypted_truth(truth):
	"""With the truth's "keylog" file, wstap sees inside TLS: each leg's
	"sent_encrypted" become its messages and its verdict is
	"verdict_decrypted" (default "ok")."""
	t = dict(truth)
	t["legs"] = []
	for leg in truth.get("legs", []):
		leg = dict(leg)
		if "sent_encrypted" in leg:
			leg["messages"] = leg["sent_encrypted"]
			leg["verdict"] = leg.get("verdict_decrypted", "ok")
			leg.pop("explanation_contains", None)
		if "deflate_decrypted" in leg:
			# permessage-deflate negotiated inside TLS: ws.deflate
			# is known only once decrypted
			leg["deflate"] = leg["deflate_decrypted"]
		t["legs"].append(leg)
	return t


def check_jsonl(r, wstap, cap, path, truth, extra=()):
	want_rc = truth.get("expect_exit", 0)
	rc, out, err = run([wstap, "-r", path, "-T", "jsonl"] + list(extra))
	errline = err.decode("utf-8", "replace").strip().splitlines()
	r.check(exit_ok(rc, want_rc), "%s jsonl exit %s" % (cap, want_rc),
		"exit %s; stderr: %s" % (rc, short(errline[:3], 200)))
	if rc is None:
		return
	if rc != 0 and not exit_ok(0, want_rc):
		r.check(len(errline) > 0, cap + " says why on stderr",
			"stderr empty")
	check_records(r, cap, out, truth)


def check_records(r, cap, out, truth):
	"""Checks wstap's JSONL output (bytes) against a truth; returns the
	session records matched to the truth's legs, in its order (None
	for a leg not found)."""
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
	matched = [check_leg(r, cap, n, leg, sessions, messages)
		for n, leg in enumerate(truth.get("legs", []))]
	check_links(r, cap, truth.get("legs", []), sessions)
	return matched


def check_jsonl_file(jsonl_path, truth_path):
	"""--jsonl mode: wstap already ran (a live capture, say); compare its
	JSONL output file with the truth the client wrote.  Legs the truth
	pairs (client-proxy followed by proxy-server) must name each other
	in "linked" when wstap set it."""
	r = Report()
	with open(truth_path, encoding="utf-8") as f:
		truth = json.load(f)
	with open(jsonl_path, "rb") as f:
		out = f.read()
	cap = os.path.basename(jsonl_path)
	matched = check_records(r, cap, out, truth)
	legs = truth.get("legs", [])
	for i in range(len(legs) - 1):
		if legs[i].get("role") != "client-proxy" or \
			legs[i + 1].get("role") != "proxy-server" or \
			"linked_with" in legs[i]:
			continue
		a, b = matched[i], matched[i + 1]
		if a is None or b is None:
			continue
		if a.get("linked") is None and b.get("linked") is None:
			continue
		r.check(a.get("linked") == b.get("id") and
			b.get("linked") == a.get("id"),
			"%s legs %d and %d linked to each other" % (cap, i, i + 1),
			"linked %s and %s, ids %s and %s" % (a.get("linked"),
			b.get("linked"), a.get("id"), b.get("id")))
	print("%d passed, %d failed" % (r.passed, r.failed))
	return 1 if r.failed else 0


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
	if len(sys.argv) == 4 and sys.argv[1] == "--jsonl":
		return check_jsonl_file(sys.argv[2], sys.argv[3])
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
		if "keylog" in truth:
			check_jsonl(r, wstap, cap + " --keylog", path,
				decrypted_truth(truth), ["--keylog",
				os.path.join(d, truth["keylog"])])
		stem = re.sub(r"\.pcap(ng)?$", "", cap)
		tr = os.path.join(d, stem + ".transcript")
		if os.path.exists(tr):
			check_transcript(r, wstap, cap, path, tr, truth)
	print("%d passed, %d failed" % (r.passed, r.failed))
	return 1 if r.failed else 0


if __name__ == "__main__":
	sys.exit(main())
