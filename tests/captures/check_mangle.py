#!/usr/bin/env python3
"""check_mangle.py WSTAP SAMPLES: mangled variants of samples (mangle.py)
against the clean captures.

- shuffle, dup, recut, wrap, frag: the same sessions (but for packet
  numbers, times, counters, notes) and the same messages in the same order;
- overlapdiff: the same, and the stats count the differing re-sent copies;
- frag: also every fragmented datagram reassembled;
- midstream: every message completed after the pickup point is decoded, as
  it was (a message begun before it may be missing), the legs say the
  handshake was not captured;
- drop: the gap is reported with its direction, stream offset and size;
  every message not touched by the lost segment is intact; the one it
  touched is missing or marked truncated;
- snaplen: the bytes cut are reported as gaps, to the byte; messages in
  packets that were not cut are intact, the others marked truncated.
Ends with "N passed, M failed"."""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = ["squid_connect_ws.pcap", "squid_connect_deflate.pcap",
	"tinyproxy_connect_ws.pcap", "seed_connect.pcap", "direct_ws.pcap",
	"netns_v6.pcap", "squid_forward_upgrade.pcap"]
SAME = ["shuffle", "dup", "recut", "overlapdiff", "wrap", "frag"]
VOLATILE = {"ts", "packet", "stages", "packets", "explanation", "notes",
	"gaps", "gap_bytes", "resyncs", "resync_skipped", "overlap_mismatches",
	"link"}


def run(wstap, path):
	out = subprocess.run([wstap, "-q", "-r", path, "-T", "jsonl"],
		capture_output=True, timeout=120)
	recs = [json.loads(l) for l in out.stdout.decode().splitlines()
		if l.strip()]
	return recs, out.returncode


def msg_key(m):
	return (m["session"], m["dir"], m["opcode"], m["length"],
		m.get("text"), m.get("data"), m["truncated"])


def by_leg(recs):
	"""Messages per (client, server, dir) -> list of (key, message)."""
	sess = {r["id"]: r for r in recs if r["type"] == "session"}
	out = {}
	for m in recs:
		if m["type"] != "message" or m["session"] not in sess:
			continue
		s = sess[m["session"]]
		k = (s["client"], s["server"], m["dir"])
		out.setdefault(k, []).append(m)
	return out


def strip(m):
	return (m["opcode"], m["length"], m.get("text"), m.get("data"))


def strip_wire(m):
	"""A message as a midstream pickup can know it: compressed messages
	cannot be inflated without the start of the inflate window."""
	if m["compressed"]:
		return (m["opcode"], m["wire_length"])
	return (m["opcode"], m["wire_length"], m.get("text"), m.get("data"))


def leg_view(r, variant):
	v = {k: x for k, x in r.items() if k not in VOLATILE}
	if variant == "shuffle" and v.get("close"):
		# Which side's close frame came first is judged by when each
		# became deliverable, and reordering one side delays it.
		v["close"] = {k: x for k, x in v["close"].items() if k != "by"}
	return v


def check_same(base, got, variant, desc):
	bs = sorted([leg_view(r, variant) for r in base
		if r["type"] == "session"], key=lambda r: r["id"])
	gs = sorted([leg_view(r, variant) for r in got
		if r["type"] == "session"], key=lambda r: r["id"])
	if bs != gs:
		for a, b in zip(bs, gs):
			if a != b:
				diff = sorted(k for k in set(a) | set(b)
					if a.get(k) != b.get(k))
				return "leg %s differs in %s: want %s got %s" % (
					a["id"], ",".join(diff),
					json.dumps([a.get(k) for k in diff])[:200],
					json.dumps([b.get(k) for k in diff])[:200])
		return "sessions: want %d got %d" % (len(bs), len(gs))
	# Per leg and direction: the order between the two directions (and
	# legs) follows packet order, which the variants may change.
	bl, gl = by_leg(base), by_leg(got)
	for k in set(bl) | set(gl):
		bm = [msg_key(m) for m in bl.get(k, [])]
		gm = [msg_key(m) for m in gl.get(k, [])]
		if bm != gm:
			return "%s %s: messages differ (want %d, got %d)" % (
				k[0], k[2], len(bm), len(gm))
	st = [r for r in got if r["type"] == "stats"][-1]
	if variant == "overlapdiff" and desc["overlaps_changed"] and \
			st["overlap_mismatches"] == 0:
		return "differing overlaps not counted"
	if variant == "frag" and st["frag_reassembled"] != desc["fragmented"]:
		return "reassembled %d datagrams of %d" % (
			st["frag_reassembled"], desc["fragmented"])
	return None


def check_midstream(base, got, desc):
	n = desc["dropped_first"]
	bl, gl = by_leg(base), by_leg(got)
	for k, msgs in bl.items():
		want = [strip_wire(m) for m in msgs if m["packet"] > n]
		have = [strip_wire(m) for m in gl.get(k, []) if not m["truncated"]]
		# A message begun before the pickup may be missing.
		multi = [m for m in msgs if m["packet"] > n and m["frames"] > 1]
		if have != want[len(want) - len(have):] or \
				len(want) - len(have) > len(multi):
			return "%s %s: want %d messages after the pickup, got %d" % (
				k[0], k[2], len(want), len(have))
	for s in got:
		if s["type"] == "session" and s["verdict"] not in (
				"incomplete", "ok") and not s.get("ws"):
			return "leg %d: verdict %s" % (s["id"], s["verdict"])
	return None


def check_drop(base, got, desc):
	g = desc["gaps"][0]
	text = "%d bytes from the %s are missing from the capture at stream " \
		"offset %d" % (g["length"], g["dir"], g["offset"])
	if not any(text in n["text"] for s in got if s["type"] == "session"
			for n in s["notes"]):
		return "no note '%s'" % text
	# The message the lost bytes belonged to is the first one of that
	# direction completed at or after the lost packet, on the leg that
	# lost it (the proxy's other leg had all its bytes); it may be
	# missing or marked truncated.  Everything else is intact.
	k = g["packet"]
	leg = [s for s in got if s["type"] == "session" and
		any(text in n["text"] for n in s["notes"])][0]
	bl, gl = by_leg(base), by_leg(got)
	lost_any = False
	for key in set(bl) | set(gl):
		bm, gm = bl.get(key, []), gl.get(key, [])
		hit = key[0] == leg["client"] and key[2] == g["dir"]
		lost_ok = None
		if hit:
			lost_ok = next((m for m in bm if m["packet"] >= k), None)
		gi = 0
		for m in bm:
			if gi < len(gm) and strip_wire(gm[gi]) == strip_wire(m) and \
					not gm[gi]["truncated"]:
				gi += 1
				continue
			if m is not lost_ok:
				return "%s %s: message lost that the capture had: %s" % (
					key[0], key[2], str(strip(m))[:100])
			lost_any = True
			if gi < len(gm) and gm[gi]["truncated"] and \
					gm[gi]["opcode"] == m["opcode"]:
				gi += 1
		if gi != len(gm):
			return "%s %s: %d unexpected messages" % (key[0], key[2],
				len(gm) - gi)
	if not lost_any:
		return "nothing marked lost"
	return None


def check_snaplen(base, got, desc):
	st = [r for r in got if r["type"] == "stats"][-1]
	if st["gap_bytes"] != desc["cut_payload_bytes"]:
		return "gap bytes %d, cut %d" % (st["gap_bytes"],
			desc["cut_payload_bytes"])
	cut = set(desc["cut_packets"])
	bm = [m for m in base if m["type"] == "message"]
	gm = [m for m in got if m["type"] == "message"]
	if len(bm) != len(gm):
		return "messages: want %d got %d" % (len(bm), len(gm))
	for a, b in zip(bm, gm):
		if a["packet"] in cut:
			if not b["truncated"] or a["opcode"] != b["opcode"]:
				return "message at cut packet %d not marked truncated" % (
					a["packet"])
		elif msg_key(a) != msg_key(b):
			return "message at packet %d differs" % a["packet"]
	return None


def head_snaplen(cap):
	sys.path.insert(0, HERE)
	import mangle
	most = 96
	for r in mangle.records(open(cap, "rb").read()):
		p = mangle.Pkt(r)
		if p.tcp and (p.payload.startswith(b"HTTP/") or
				p.payload.split(b" ", 1)[0] in (b"GET", b"CONNECT")):
			most = max(most, p.end + 1)
	return most


def main():
	wstap, samples = sys.argv[1], sys.argv[2]
	ok = bad = 0
	tmp = tempfile.mkdtemp()
	for name in SAMPLES:
		cap = os.path.join(samples, name)
		if not os.path.exists(cap):
			continue
		base, _ = run(wstap, cap)
		for variant in SAME + ["midstream", "drop", "snaplen"]:
			out = os.path.join(tmp, "m.pcap")
			arg = variant
			if variant == "snaplen":
				# As small as keeps the HTTP heads whole: a head cut
				# short loses the handshake, after which frames are
				# not looked for (see the README of the tests).
				arg = "snaplen:%d" % head_snaplen(cap)
			subprocess.run([sys.executable, os.path.join(HERE, "mangle.py"),
				cap, out, arg, "7"], check=True)
			desc = json.load(open(out + ".json"))
			got, rc = run(wstap, out)
			if rc != 0:
				why = "exit status %d" % rc
			elif variant in SAME:
				why = check_same(base, got, variant, desc)
			elif variant == "midstream":
				why = check_midstream(base, got, desc)
			elif variant == "drop":
				why = check_drop(base, got, desc)
			else:
				why = check_snaplen(base, got, desc)
			if why:
				bad += 1
				print("FAIL %s %s: %s" % (name, variant, why))
			else:
				ok += 1
				print("ok %s %s" % (name, variant))
	print("%d passed, %d failed" % (ok, bad))
	sys.exit(1 if bad else 0)


if __name__ == "__main__":
	main()
