#!/usr/bin/env python3
"""compare_split.py WSTAP SAMPLES: each Ethernet sample re-segmented into
1-byte and 5-byte TCP segments, and into shuffled, duplicated 3-byte
segments (resegment.py), must give the same analysis as the original:
the same session records (but for packet numbers, times and byte counts)
and the same messages in the same order.  Ends with "N passed, M failed"."""
import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# Keys that depend on packet numbering or timing, not on the bytes.
VOLATILE = {"ts", "packet", "stages", "packets", "explanation", "notes"}


def analyse(wstap, path, extra=()):
	out = subprocess.run([wstap, "-q", "-r", path, "-T", "jsonl"] +
		list(extra),
		capture_output=True, timeout=60).stdout.decode()
	recs = [json.loads(l) for l in out.splitlines() if l.strip()]
	keep = []
	for r in recs:
		if r["type"] not in ("session", "message"):
			continue
		r = {k: v for k, v in r.items() if k not in VOLATILE}
		if isinstance(r.get("link"), dict):
			# the proxy's delays are measured at packet times, which
			# a reordered capture changes; the link itself must not
			r["link"] = {k: v for k, v in r["link"].items()
				if not k.endswith("_ms")}
		keep.append(r)
	# Legs end in an order that depends on which packet closed them
	# last; compare sessions by id and messages in stream order.
	sess = sorted([r for r in keep if r["type"] == "session"],
		key=lambda r: r["id"])
	# Messages in order per leg and direction: the two directions'
	# interleaving follows packet order, which a variant may change.
	msgs = sorted([r for r in keep if r["type"] == "message"],
		key=lambda r: (r["session"], r["dir"]))
	return sess, msgs


def strip_close_by(analysis):
	sess, msgs = analysis
	out = []
	for r in sess:
		r = dict(r)
		if isinstance(r.get("close"), dict):
			r["close"] = {k: v for k, v in r["close"].items() if k != "by"}
		out.append(r)
	return out, msgs


def main():
	wstap, samples = sys.argv[1], sys.argv[2]
	ok = bad = 0
	tmp = tempfile.mkdtemp()
	caps = [c for c in sorted(glob.glob(os.path.join(samples, "*.pcap")))
		if os.path.basename(c) in ("seed_connect.pcap",
			"squid_connect_ws.pcap", "squid_connect_deflate.pcap",
			"squid_407.pcap", "tinyproxy_connect_ws.pcap",
			"squid_connect_wss.pcap", "squid_forward_upgrade.pcap")]
	# Decrypted TLS: records split and coalesced any way must decrypt
	# to the same messages (AEAD, CBC, and across a KeyUpdate).
	runs = [(c, ()) for c in caps]
	for stem in ("squid_connect_wss", "wss_tls12_cbc", "wss_tls13_keyupdate"):
		keys = os.path.join(samples, stem + ".keys")
		if os.path.exists(keys):
			runs.append((os.path.join(samples, stem + ".pcap"),
				("--keylog", keys)))
	for cap, extra in runs:
		base = analyse(wstap, cap, extra)
		# Packets shuffled across directions: not yet for decrypted TLS,
		# whose layer needs the ClientHello before the server's records.
		variants = ((1, None), (5, None), (3, 7)) + \
			(((0, 11),) if not extra else ())
		for size, seed in variants:
			out = os.path.join(tmp, "r.pcap")
			cmd = [sys.executable, os.path.join(HERE, "resegment.py"),
				cap, out, str(size)] + ([str(seed)] if seed else [])
			subprocess.run(cmd, check=True)
			got = analyse(wstap, out, extra)
			want = base
			if size == 0:
				# who sent the first close frame is told by capture
				# order, which this variant changes on purpose
				want, got = (strip_close_by(want), strip_close_by(got))
			name = "%s%s split %d%s" % (os.path.basename(cap),
				" --keylog" if extra else "", size,
				" shuffled+duplicated" if seed else "")
			if size == 0:
				name = "%s%s packets shuffled across directions" % (
					os.path.basename(cap), " --keylog" if extra else "")
			if got == want:
				print("ok " + name)
				ok += 1
			else:
				bad += 1
				print("FAIL " + name)
				for a, b in zip(want[0] + want[1], got[0] + got[1]):
					if a != b:
						print("  want %s\n  got  %s" % (
							json.dumps(a)[:300], json.dumps(b)[:300]))
						break
				if len(want[1]) != len(got[1]):
					print("  messages: want %d got %d" % (
						len(want[1]), len(got[1])))
	print("%d passed, %d failed" % (ok, bad))
	sys.exit(1 if bad else 0)


if __name__ == "__main__":
	main()
