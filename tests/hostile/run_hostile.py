#!/usr/bin/python3
"""The hostile-capture set: each capture of make_hostile_set.py through
`wstap -q -T jsonl` under a wall-clock timeout and a memory bound, then
(1) the exit status of the contract (0 read, 1 damaged or unreadable),
(2) time and peak RSS (the child's own, from wait4) under the case's
bounds, (3) the specific anomaly reported: the note code, the stats
counter, or libpcap's error in wstap's one-line message, and what came
before (or after) the damage still decoded.

Usage: run_hostile.py WSTAP [CASE...]
Environment: HOSTILE_KEEP=1 keeps the temp dir.  Under a sanitizer
(ASAN_OPTIONS or UBSAN_OPTIONS set) time bounds are 10x, RSS is reported
but not bounded, and the million legs are 200,000.
Prints one line per check and `N passed, M failed` last.
"""
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_hostile_set as mhs  # noqa: E402

SANITIZED = bool(os.environ.get("ASAN_OPTIONS") or
	os.environ.get("UBSAN_OPTIONS"))
TIME_SCALE = 10.0 if SANITIZED else 1.0
AS_LIMIT = 2 << 30  # address space: a runaway allocation fails, not the host
LEGS = 200000 if SANITIZED else 1000000

# Seed frames: 15 packets; record 12 is the server's close frame, record 9
# the client's text.  Cases cut or damage the file there.
SEED_OK = {"verdicts": ["ok"], "texts": ["test message"], "messages": 4}


def damaged(n_before, err, **kw):
	"""Exit 1, wstap's warning naming the packet and libpcap's reason,
	the packets before it reported."""
	c = {"exit": 1, "stderr": [r"the record of packet %d at file offset \d+ "
		r"is damaged \(%s.*\); the %d packets before it are reported" % (
			n_before + 1, err, n_before)]}
	c.update(kw)
	return c


def unreadable(err):
	return {"exit": 1, "stdout_empty": True, "stderr": [
		r"not a readable pcap or pcapng capture \(%s.*\); give a file" % err]}


CASES = {
	# truncated files
	"trunc_record": damaged(11, r"truncated dump file; tried to read 58 "
		r"captured bytes, only got 29", verdicts=["incomplete"],
		messages=3, texts=["test message"]),
	"trunc_record_header": damaged(11, r"truncated dump file; tried to read "
		r"16 header bytes, only got 9", messages=3, texts=["test message"]),
	"trunc_file_header": unreadable(r"truncated dump file; tried to read 24 "
		r"file header bytes, only got 9"),
	"empty_file": unreadable(r"truncated dump file; tried to read 4 file "
		r"header bytes, only got 0"),
	"header_only": {"exit": 0, "sessions": 0, "stats": {"packets": 0}},
	"trunc_pcapng": damaged(11, r"truncated pcapng dump file; tried to read "
		r"84 bytes, only got 32", messages=3, texts=["test message"]),
	# absurd lengths in pcap headers: libpcap ignores a file snaplen it
	# cannot use, caps records at it, and refuses a caplen beyond it
	"pcap_snaplen_max": dict(SEED_OK, exit=0),
	"pcap_snaplen_zero": dict(SEED_OK, exit=0),
	"pcap_caplen_4g": damaged(8, r"invalid packet capture length "
		r"4294967295, bigger than snaplen of 65535",
		verdicts=["incomplete"]),
	"pcap_caplen_over_snaplen": {"exit": 0, "stats": {
		"truncated_packets": 6, "gaps": 6}},
	"pcap_wirelen_short": dict(SEED_OK, exit=0),
	# absurd lengths in pcapng blocks
	"pcapng_block_huge": damaged(8, r"pcapng block size 4294967292 > "
		r"maximum 16777216", verdicts=["incomplete"]),
	"pcapng_block_not4": damaged(8, r"block in pcapng dump file has a length "
		r"of 102 that is not a multiple of 4"),
	"pcapng_caplen_huge": damaged(8, r"invalid packet capture length "
		r"4294967280"),
	"pcapng_trailer_mismatch": damaged(8, r"block total length in header "
		r"and trailer don't match"),
	"pcapng_bad_iface": damaged(8, r"a packet arrived on interface 7, but "
		r"there's no Interface Description Block"),
	"pcapng_snaplen_max": dict(SEED_OK, exit=0),
	# WebSocket frames
	"frame_2p63": {"exit": 0, "verdicts": ["protocol_error"],
		"notes": ["length_top_bit"], "texts": ["before"],
		"note_text": [r"64-bit payload length has its top bit set"],
		"stats": {"frame_violations": 1}},
	"frame_2p63_minus1": {"exit": 0, "notes": ["truncated_message"],
		"texts": ["before"], "wire_length": 2 ** 63 - 1},
	"control_126": {"exit": 0, "verdicts": ["protocol_error"],
		"notes": ["control_too_long"], "texts": ["after the ping"],
		"note_text": [r"control frame payload over 125 bytes"]},
	"invalid_utf8": {"exit": 0, "verdicts": ["protocol_error"],
		"notes": ["invalid_utf8"], "texts": ["valid after"],
		"stats": {"frame_violations": 2}, "invalid_texts": 2},
	"deflate_bomb": {"exit": 0, "notes": ["deflate_bomb"],
		"stats": {"deflate_bombs": 3},
		"note_text": [r"inflates to 104857600 bytes from \d+ on the wire "
			r"\(\d+:1\): a deflate bomb"],
		"texts": ["a normal message after the bomb", "ok"],
		"lengths": [1000], "time": 10},
	# per-leg caps (docs/caps.md): noted on the leg, counted in stats
	"hold_cap": {"exit": 0, "verdicts": ["proxy_no_response"],
		"notes": ["hold_cap"], "stats": {"hold_cap_hits": 1},
		"note_text": [r"client sent more than 262144 bytes before the "
			r"answer"]},
	"pipeline_cap": {"exit": 0, "verdicts": ["proxy_no_response"],
		"notes": ["pipeline_cap"], "stats": {"pipeline_cap_hits": 4},
		"note_text": [r"more than 16 requests awaiting answers"]},
	"flow_cap": {"exit": 0, "args": ["--memcap", "64K"], "sessions": 100,
		"notes": ["flow_cap"], "stats": {"flow_cap_hits": 36},
		"note_text": [r"the flow table was full \(--memcap 65536 allows "
			r"64 connections at once\)"]},
	# endless fragments
	"ipfrag_endless": {"exit": 0, "stats": {"frag_cap_hits": ">0",
		"frag_invalid": ">=2000", "ip_fragments": 106095}, "time": 4},
	"tcp_1byte": {"exit": 0, "notes": ["gap"], "texts": [
		"server still talking"], "stats": {"ooo_cap_hits": ">0"},
		"time": 5},
	"tcp_1byte_ascending": {"exit": 0, "notes": ["gap"], "texts": [
		"server still talking"], "stats": {"ooo_cap_hits": ">0"},
		"time": 5},
	"tcp_1byte_random": {"exit": 0, "notes": ["gap"], "texts": [
		"server still talking"], "stats": {"ooo_cap_hits": ">0",
		"ooo_peak_bytes": 16384}, "time": 15},
	# a million tiny legs
	# (summary format: the JSON Lines of a million legs are 1.4 GB, and
	# reading them here would time this script, not wstap; the tally line
	# has the verdict counts, and of the caps only the linger cap: all but
	# the last 256 ended legs are reported before their 5 s wait is over)
	"million_legs": {"exit": 0, "format": "summary", "tally": [
		r"^%d legs: proxy_no_response %d; %d packets, \d+ bytes; caps "
		r"hit: %d linger$" % (LEGS, LEGS, 3 * LEGS, LEGS - 256)],
		"time": 90, "rss_mb": 64},
}
DEFAULT_TIME = 2.0   # seconds
DEFAULT_RSS = 32     # MB

passed = failed = 0


def check(ok, what):
	global passed, failed
	if ok:
		passed += 1
		print("ok   " + what)
	else:
		failed += 1
		print("FAIL " + what)


def limit_memory():
	if not SANITIZED:  # sanitizers reserve terabytes of address space
		resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


VERDICT = re.compile(r'"verdict":"([a-z_]+)"')


# GNU time measures wstap alone.  Without it, wait4's figure is used: on
# Linux a child's peak RSS includes this Python's from before the exec, so
# it is an upper bound (about 14 MB too high).
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run(wstap, path, timeout, fmt, args=()):
	"""Runs wstap; returns (exit, seconds, rss_kb, stderr, summary)."""
	err = tempfile.TemporaryFile()
	rssf = tempfile.NamedTemporaryFile(prefix="rss.")
	cmd = [wstap, "-q", "-r", path] + (["-T", "jsonl"] if fmt == "jsonl"
		else []) + list(args)
	if GNU_TIME:
		cmd = [GNU_TIME, "-f", "%M", "-o", rssf.name] + cmd
	t0 = time.monotonic()
	p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err,
		preexec_fn=limit_memory, start_new_session=True)
	killed = []

	def kill():
		killed.append(1)
		os.killpg(p.pid, 9)
	timer = threading.Timer(timeout, kill)
	timer.start()
	s = {"lines": 0, "sessions": 0, "verdicts": {}, "notes": set(),
		"note_texts": [], "texts": [], "lengths": [], "wire": [],
		"invalid_texts": 0, "stats": None, "messages": 0, "bad": 0,
		"tail": b""}
	while fmt == "summary":
		# the million legs: a few lines each, only the tally matters
		chunk = p.stdout.read(1 << 20)
		if not chunk:
			break
		s["lines"] += chunk.count(b"\n")
		s["tail"] = (s["tail"] + chunk)[-4096:]
	for line in p.stdout:
		s["lines"] += 1
		head = line[:40]
		if head.startswith(b'{"type":"http"'):
			continue
		if head.startswith(b'{"type":"session"') and s["sessions"] >= 1000:
			# the million legs: count, no parsing
			s["sessions"] += 1
			m = VERDICT.search(line.decode("utf-8", "replace"))
			v = m.group(1) if m else "?"
			s["verdicts"][v] = s["verdicts"].get(v, 0) + 1
			continue
		if len(line) > (1 << 20) and head.startswith(b'{"type":"message"'):
			s["messages"] += 1  # a capped bomb's payload
			continue
		try:
			d = json.loads(line)
		except ValueError:
			s["bad"] += 1
			continue
		t = d.get("type")
		if t == "session":
			s["sessions"] += 1
			v = d.get("verdict")
			s["verdicts"][v] = s["verdicts"].get(v, 0) + 1
			for n in d.get("notes", []):
				s["notes"].add(n.get("code"))
				s["note_texts"].append(n.get("text", ""))
		elif t == "message":
			s["messages"] += 1
			if "text" in d and d.get("opcode") == "text":
				s["texts"].append(d["text"])
				if d.get("utf8_valid") is False:
					s["invalid_texts"] += 1
			s["lengths"].append(d.get("length"))
			s["wire"].append(d.get("wire_length"))
		elif t == "stats":
			s["stats"] = d
	_, status, ru = os.wait4(p.pid, 0)
	p.returncode = os.waitstatus_to_exitcode(status)
	secs = time.monotonic() - t0
	timer.cancel()
	rss = ru.ru_maxrss
	if GNU_TIME:
		try:
			rss = int(open(rssf.name).read().split()[-1])
		except (ValueError, IndexError):
			pass  # killed: keep the upper bound
	err.seek(0)
	stderr = err.read().decode("utf-8", "replace")
	if killed:
		stderr += "\n(killed after %.0f s)" % timeout
	if GNU_TIME and p.returncode != 0:
		# GNU time adds "Command exited with non-zero status N"
		stderr = "\n".join(l for l in stderr.splitlines() if not
			l.startswith("Command exited with non-zero status"))
	return p.returncode, secs, rss, stderr, s


def compare(val, want):
	if isinstance(want, str):
		m = re.match(r"(>=|>|<=|<)(\d+)$", want)
		op, n = m.group(1), int(m.group(2))
		return {">": val > n, ">=": val >= n, "<": val < n,
			"<=": val <= n}[op]
	return val == want


def run_case(wstap, tmp, name, c):
	path = os.path.join(tmp, name + (".pcapng" if "pcapng" in name
		else ".pcap"))
	tbound = c.get("time", DEFAULT_TIME) * TIME_SCALE
	rbound = c.get("rss_mb", DEFAULT_RSS)
	fmt = c.get("format", "jsonl")
	rc, secs, rss, stderr, s = run(wstap, path, tbound * 2 + 5, fmt,
		c.get("args", ()))
	print("# %s: exit %d, %.2f s, peak RSS %.1f MB, %d sessions, %d "
		"messages" % (name, rc, secs, rss / 1024.0, s["sessions"],
		s["messages"]))
	check(rc == c["exit"], "%s: exit %d (want %d)%s" % (name, rc, c["exit"],
		"" if rc == c["exit"] else ": " + stderr.strip()[:300]))
	check(secs <= tbound, "%s: %.2f s <= %.0f s" % (name, secs, tbound))
	if SANITIZED:
		print("#    RSS %.1f MB (not bounded under a sanitizer)" % (rss / 1024.0))
	else:
		check(rss <= rbound * 1024, "%s: peak RSS %.1f MB <= %d MB" % (
			name, rss / 1024.0, rbound))
	lines = [l for l in stderr.splitlines() if l.strip()]
	if c["exit"] != 0:
		check(len(lines) == 1, "%s: one line on stderr (%d)" % (name,
			len(lines)))
	else:
		check(not lines, "%s: nothing on stderr%s" % (name,
			"" if not lines else ": " + lines[0][:200]))
	for rx in c.get("stderr", []):
		check(re.search(rx, stderr) is not None, "%s: stderr says /%s/" % (
			name, rx[:70]))
	if fmt == "summary":
		tail = s["tail"].decode("utf-8", "replace")
		for rx in c.get("tally", []):
			check(re.search(rx, tail, re.M) is not None, "%s: the tally says "
				"/%s/" % (name, rx[:70]))
		return
	if c.get("stdout_empty"):
		check(s["lines"] == 0, "%s: no output records (%d)" % (name,
			s["lines"]))
		return
	check(s["bad"] == 0, "%s: every output line is JSON" % name)
	check(s["stats"] is not None, "%s: a final stats record" % name)
	st = s["stats"] or {}
	for k, want in c.get("stats", {}).items():
		check(k in st and compare(st[k], want), "%s: stats %s = %s (want "
			"%s)" % (name, k, st.get(k), want))
	if "sessions" in c:
		check(s["sessions"] == c["sessions"], "%s: %d sessions (want %d)" % (
			name, s["sessions"], c["sessions"]))
	for v in c.get("verdicts", []):
		check(v in s["verdicts"], "%s: verdict %s (got %s)" % (name, v,
			sorted(s["verdicts"])))
	if "all_verdicts" in c:
		v = c["all_verdicts"]
		check(s["verdicts"].get(v, 0) == s["sessions"], "%s: every verdict "
			"%s (%s)" % (name, v, s["verdicts"]))
	for n in c.get("notes", []):
		check(n in s["notes"], "%s: note %s (got %s)" % (name, n,
			sorted(s["notes"])))
	for rx in c.get("note_text", []):
		check(any(re.search(rx, t) for t in s["note_texts"]),
			"%s: a note says /%s/" % (name, rx[:60]))
	for t in c.get("texts", []):
		check(t in s["texts"], "%s: message %r decoded" % (name, t))
	for n in c.get("lengths", []):
		check(n in s["lengths"], "%s: a message of %d bytes" % (name, n))
	if "messages" in c:
		check(s["messages"] == c["messages"], "%s: %d messages (want %d)" % (
			name, s["messages"], c["messages"]))
	if "wire_length" in c:
		check(c["wire_length"] in s["wire"], "%s: wire_length %d reported"
			% (name, c["wire_length"]))
	if "invalid_texts" in c:
		check(s["invalid_texts"] == c["invalid_texts"], "%s: %d texts "
			"marked utf8_valid false" % (name, s["invalid_texts"]))


def main():
	if len(sys.argv) < 2:
		sys.exit(__doc__)
	wstap = os.path.abspath(sys.argv[1])
	names = sys.argv[2:] or list(CASES)
	tmp = tempfile.mkdtemp(prefix="wstap-hostile.")
	try:
		t0 = time.monotonic()
		for name in names:
			ext = ".pcapng" if "pcapng" in name else ".pcap"
			path = os.path.join(tmp, name + ext)
			if name == "million_legs":
				mhs.million_legs(path, LEGS)
			elif name in mhs.SMALL:
				with open(path, "wb") as f:
					f.write(mhs.SMALL[name]())
			else:
				mhs.BIG[name](path)
		print("# generated %d captures in %.1f s" % (len(names),
			time.monotonic() - t0))
		for name in names:
			run_case(wstap, tmp, name, CASES[name])
	finally:
		if os.environ.get("HOSTILE_KEEP"):
			print("# kept " + tmp)
		else:
			shutil.rmtree(tmp, ignore_errors=True)
	print("%d passed, %d failed" % (passed, failed))
	return 1 if failed else 0


if __name__ == "__main__":
	sys.exit(main())
