#!/usr/bin/python3
"""check_bench_wss.py - the bench's wss mix opens with its own key log.

    check_bench_wss.py WSTAP SAMPLES_DIR

Builds a small (~1 MB) capture with `bench/gen_capture.py --wss` and
checks, with wstap -T jsonl:
  - without the key log every TLS leg is tls_encrypted (the generated key
    log is what opens them, not the samples' or $SSLKEYLOGFILE);
  - with it every TLS leg is decrypted (keys found, verdict ok), so the
    TLS 1.3 copies' fresh client randoms and their re-keyed key log lines
    agree, and the TLS 1.2 copies (randoms kept) open too;
  - each TLS 1.3 copy has a client random of its own, and a linked TLS 1.3
    leg is linked to the other leg of its own copy;
  - every decrypted leg carries exactly the messages of one of the
    samples, as wstap reads them from the sample with the sample's keys.
Prints one line per check and a final "N passed, M failed".
"""
import base64
import collections
import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(here, "..", "..", "bench", "gen_capture.py")
passed = failed = 0


def check(ok, what):
	global passed, failed
	if ok:
		passed += 1
		print("ok   %s" % what)
	else:
		failed += 1
		print("FAIL %s" % what)


def run_jsonl(wstap, pcap, keys=None):
	env = dict(os.environ)
	env.pop("SSLKEYLOGFILE", None)
	cmd = [wstap, "-q", "-T", "jsonl", "-r", pcap]
	if keys:
		cmd += ["--keylog", keys]
	out = subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE,
		stderr=subprocess.PIPE).stdout
	sess, msgs = {}, collections.defaultdict(list)
	for ln in out.splitlines():
		r = json.loads(ln)
		if r["type"] == "session":
			sess[r["id"]] = r
		elif r["type"] == "message":
			msgs[r["session"]].append((r["dir"], r["opcode"], r["length"],
				r.get("text"), r.get("data")))
	return sess, msgs


def tls_legs(sess):
	return {i: s for i, s in sess.items()
		if s["tls"] and s["tls"].get("version")}


def main():
	if len(sys.argv) != 3:
		sys.exit(__doc__)
	wstap, samples = sys.argv[1], sys.argv[2]
	sys.path.insert(0, os.path.dirname(GEN))
	import gen_capture
	with tempfile.TemporaryDirectory() as tmp:
		pcap = os.path.join(tmp, "wss.pcap")
		keys = os.path.join(tmp, "wss.keys")
		subprocess.run([sys.executable, GEN, "--wss", "--mb", "1",
			"--samples", samples, "--keys", keys, pcap], check=True,
			stdout=subprocess.DEVNULL)
		plain, _ = run_jsonl(wstap, pcap)
		sess, msgs = run_jsonl(wstap, pcap, keys)

	# The samples' own message sequences, per leg, and which client
	# randoms are TLS 1.2 (kept by the generator).
	want, tls12 = set(), set()
	for name, _ in gen_capture.WSS_MIX:
		base = os.path.join(samples, os.path.splitext(name)[0])
		kp = base + ".keys" if os.path.exists(base + ".keys") else None
		s_sess, s_msgs = run_jsonl(wstap, base + ".pcap", kp)
		for i, s in s_sess.items():
			if s_msgs[i]:
				want.add(tuple(s_msgs[i]))
			if s["tls"] and s["tls"].get("version") == "0x0303":
				tls12.add(s["tls"]["client_random"])

	enc = tls_legs(plain)
	check(len(enc) >= 20, "the 1 MB wss mix has %d TLS legs (>= 20)" %
		len(enc))
	check(all(s["verdict"] == "tls_encrypted" for s in enc.values()),
		"without the key log all %d TLS legs are tls_encrypted" % len(enc))
	tl = tls_legs(sess)
	check(len(tl) == len(enc), "the key log changes no leg's TLS: %d TLS "
		"legs with it, %d without" % (len(tl), len(enc)))
	bad = [i for i, s in tl.items() if not s["tls"]["decrypted"] or
		s["tls"].get("keys") != "found" or s["verdict"] != "ok"]
	check(not bad, "with the key log every TLS leg is decrypted and ok "
		"(%d of %d; not: %s)" % (len(tl) - len(bad), len(tl), bad[:5]))
	n12 = sum(1 for s in tl.values() if s["tls"]["version"] == "0x0303")
	check(0 < n12 < len(tl), "the mix holds TLS 1.2 (%d legs) and TLS 1.3 "
		"(%d legs)" % (n12, len(tl) - n12))

	# TLS 1.3: a random per copy; both legs of a copy share it.
	by_random = collections.defaultdict(list)
	for i, s in tl.items():
		if s["tls"]["version"] == "0x0304":
			by_random[s["tls"]["client_random"]].append(i)
	check(all(len(v) <= 2 for v in by_random.values()) and
		not tls12 & set(by_random), "each TLS 1.3 client random belongs to "
		"one copy (%d randoms, at most 2 legs each)" % len(by_random))
	check(all(s["tls"]["client_random"] in tls12 for s in tl.values()
		if s["tls"]["version"] == "0x0303"), "TLS 1.2 copies keep the "
		"samples' randoms")

	def copy_of(s):
		return s["client"].rsplit(":", 1)[0]
	cross = [i for i, s in tl.items() if s["tls"]["version"] == "0x0304"
		and s["linked"] is not None and
		copy_of(sess[s["linked"]]) != copy_of(s)]
	nlinked = sum(1 for s in tl.values() if s["linked"] is not None)
	check(not cross and nlinked > 0, "TLS 1.3 legs link within their copy "
		"(%d TLS legs linked; across copies: %s)" % (nlinked, cross[:5]))

	# Messages: each decrypted leg's sequence is one of a sample's legs'.
	got = [i for i in tl if msgs[i]]
	off = [i for i in got if tuple(msgs[i]) not in want]
	check(len(got) == len(tl), "every TLS leg has messages (%d of %d)" %
		(len(got), len(tl)))
	check(not off, "every decrypted leg's messages equal a sample's (%d "
		"legs; differing: %s)" % (len(got), off[:5]))
	print("%d passed, %d failed" % (passed, failed))
	return 1 if failed else 0


if __name__ == "__main__":
	sys.exit(main())
