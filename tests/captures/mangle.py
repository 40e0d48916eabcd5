#!/usr/bin/env python3
"""mangle.py IN.pcap OUT.pcap VARIANT [SEED]: derives a damaged capture from a
clean Ethernet pcap (IPv4 or IPv6, TCP), the way busy hosts, span ports and
taps damage them, and writes a JSON description of what it did to
OUT.pcap.json (which bytes went missing where), for check_mangle.py.

Variants:
  shuffle      packets of each direction shuffled among themselves within
               windows of 6 (SYN, RST stay; the interleaving of the two
               directions is kept: see the note in shuffle())
  dup          ~5% of packets sent twice (some right away, some later)
  recut        payloads cut into 7-byte segments, each also re-sending the
               3 bytes before it (overlapping, same bytes), shuffled per packet
  overlapdiff  as recut, in order, but the re-sent bytes differ from the
               first copy (the first copy must win)
  wrap         sequence numbers shifted so that each direction wraps past
               2^32 some 40 bytes into its stream
  midstream    the first half of the packets dropped
  drop         one data segment in the middle of the capture dropped
  snaplen[:N]  every packet cut to N captured bytes (default 300): larger
               frames lose their tail
  frag         IP datagrams over 64 bytes of payload split into fragments
               of 24 bytes (IPv4: flags/offset; IPv6: a Fragment header),
               sent in reverse order with the first fragment duplicated
Checksums are not recomputed (wstap does not check them)."""
import json
import random
import struct
import sys

ETH = 14


def records(data):
	off = 24
	while off + 16 <= len(data):
		sec, usec, incl, orig = struct.unpack_from("<IIII", data, off)
		yield [sec, usec, data[off + 16:off + 16 + incl], orig]
		off += 16 + incl


class Pkt:
	"""One Ethernet/IP/TCP packet, parsed (or None fields when not TCP)."""

	def __init__(self, rec):
		self.sec, self.usec, self.raw, self.orig = rec
		self.tcp = False
		b = self.raw
		if len(b) < ETH + 20:
			return
		et = b[12:14]
		if et == b"\x08\x00" and b[ETH + 9] == 6:
			self.v = 4
			ihl = (b[ETH] & 15) * 4
			frag = struct.unpack_from("!H", b, ETH + 6)[0]
			if frag & 0x3fff:
				return
			total = struct.unpack_from("!H", b, ETH + 2)[0]
			self.t = ETH + ihl
			self.end = ETH + total
		elif et == b"\x86\xdd" and len(b) >= ETH + 40 and b[ETH + 6] == 6:
			self.v = 6
			plen = struct.unpack_from("!H", b, ETH + 4)[0]
			self.t = ETH + 40
			self.end = ETH + 40 + plen
		else:
			return
		if len(b) < self.t + 20:
			return
		self.tcp = True
		t = self.t
		self.sport, self.dport, self.seq, self.ack = struct.unpack_from(
			"!HHII", b, t)
		self.flags = b[t + 13]
		self.thl = (b[t + 12] >> 4) * 4
		self.payload = b[t + self.thl:self.end]
		if self.v == 4:
			self.src, self.dst = b[ETH + 12:ETH + 16], b[ETH + 16:ETH + 20]
		else:
			self.src, self.dst = b[ETH + 8:ETH + 24], b[ETH + 24:ETH + 40]

	def key(self):
		a, b = (self.src, self.sport), (self.dst, self.dport)
		return (a, b) if a < b else (b, a)

	def side(self):
		return (self.src, self.sport)

	def build(self, payload=None, seq=None, ack=None, flags=None):
		"""The packet with another payload/seq/ack/flags, lengths fixed."""
		b = bytearray(self.raw[:self.t + self.thl])
		p = self.payload if payload is None else payload
		t = self.t
		struct.pack_into("!I", b, t + 4, self.seq if seq is None else seq)
		struct.pack_into("!I", b, t + 8, self.ack if ack is None else ack)
		b[t + 13] = self.flags if flags is None else flags
		if self.v == 4:
			struct.pack_into("!H", b, ETH + 2, t - ETH + self.thl + len(p))
		else:
			struct.pack_into("!H", b, ETH + 4, self.thl + len(p))
		return bytes(b) + p


def rec(p, raw, orig=None):
	return [p.sec, p.usec, raw, len(raw) if orig is None else orig]


def data_pkts(pkts):
	return [i for i, p in enumerate(pkts) if p.tcp and p.payload]


def stream_starts(pkts):
	"""Per side: the sequence number of its first stream byte."""
	st = {}
	for p in pkts:
		if p.tcp and p.flags & 0x02 and p.side() not in st:
			st[p.side()] = (p.seq + 1) & 0xffffffff
	for p in pkts:
		if p.tcp and p.side() not in st:
			st[p.side()] = p.seq
	return st


def shuffle(pkts, rnd):
	"""Reorders each direction's packets within windows.  Packets do not
	move across packets of the other direction: an answer captured before
	its request needs ordering by acknowledgement numbers, which wstap
	does not do yet."""
	out, win = [], []

	def flush():
		sides = {}
		for i, r in enumerate(win):
			sides.setdefault(Pkt(r).side(), []).append(i)
		new = list(win)
		for idx in sides.values():
			perm = idx[:]
			rnd.shuffle(perm)
			for a, b in zip(idx, perm):
				new[a] = win[b]
		out.extend(new)
		win.clear()
	for p in pkts:
		if not p.tcp or p.flags & 0x06:  # SYN and RST stay in place
			flush()
			out.append(rec(p, p.raw, p.orig))
			continue
		win.append(rec(p, p.raw, p.orig))
		if len(win) == 6:
			flush()
	flush()
	return out, {}


def dup(pkts, rnd):
	out, later = [], []
	for p in pkts:
		out.append(rec(p, p.raw, p.orig))
		out.extend(later)
		later = []
		if p.tcp and rnd.random() < 0.05:
			if rnd.random() < 0.5:
				out.append(rec(p, p.raw, p.orig))
			else:
				later.append(rec(p, p.raw, p.orig))
	out.extend(later)
	return out, {}


def recut(pkts, rnd, differ):
	size, back = 7, 3
	out, changed = [], 0
	for p in pkts:
		if not p.tcp or len(p.payload) <= size:
			out.append(rec(p, p.raw, p.orig))
			continue
		pieces = []
		n = len(p.payload)
		for i in range(0, n, size):
			a = max(0, i - back)
			part = bytearray(p.payload[a:i + size])
			if differ and a < i:
				for k in range(i - a):
					part[k] ^= 0x5a
				changed += 1
			last = i + size >= n
			fl = p.flags if last else p.flags & ~0x09
			pieces.append(rec(p, p.build(bytes(part),
				seq=(p.seq + a) & 0xffffffff, flags=fl)))
		if not differ:
			rnd.shuffle(pieces)
		out.extend(pieces)
	return out, {"overlaps_changed": changed}


def wrap(pkts):
	st = stream_starts(pkts)
	delta = {s: ((0x100000000 - 40) - v) & 0xffffffff for s, v in st.items()}
	out = []
	for p in pkts:
		if not p.tcp:
			out.append(rec(p, p.raw, p.orig))
			continue
		d = delta[p.side()]
		other = (p.dst, p.dport)
		a = (p.ack + delta.get(other, 0)) & 0xffffffff if p.flags & 0x10 \
			else p.ack
		out.append(rec(p, p.build(seq=(p.seq + d) & 0xffffffff, ack=a)))
	return out, {}


def midstream(pkts):
	n = len(pkts) // 2
	return [rec(p, p.raw, p.orig) for p in pkts[n:]], {"dropped_first": n}


def side_name(p, pkts):
	"""'client' when p's sender sent the first SYN of its flow (or,
	without one, the first packet)."""
	for q in pkts:
		if q.tcp and q.key() == p.key() and q.flags & 0x02 and \
				not q.flags & 0x10:
			return "client" if q.side() == p.side() else "server"
	for q in pkts:
		if q.tcp and q.key() == p.key():
			return "client" if q.side() == p.side() else "server"


def drop(pkts):
	d = data_pkts(pkts)
	# Beyond the handshakes: a data segment two thirds into the capture.
	k = d[len(d) * 2 // 3]
	p = pkts[k]
	st = stream_starts(pkts)
	off = (p.seq - st[p.side()]) & 0xffffffff
	out = [rec(q, q.raw, q.orig) for i, q in enumerate(pkts) if i != k]
	return out, {"gaps": [{"dir": side_name(p, pkts), "offset": off,
		"length": len(p.payload), "packet": k + 1}]}


def snaplen(pkts, cut):
	lost, cut_pkts = 0, []
	out = []
	for i, p in enumerate(pkts):
		raw = p.raw[:cut]
		if p.tcp and p.end > max(cut, p.t + p.thl):
			lost += p.end - max(cut, p.t + p.thl)
			cut_pkts.append(i + 1)
		out.append([p.sec, p.usec, raw, p.orig])
	return out, {"snaplen": cut, "cut_payload_bytes": lost,
		"cut_packets": cut_pkts}


def frag(pkts):
	size = 24
	out, n = [], 0
	for idx, p in enumerate(pkts):
		body = p.raw[p.t:p.end] if p.tcp else b""
		if not p.tcp or len(body) <= 64:
			out.append(rec(p, p.raw, p.orig))
			continue
		n += 1
		frags = []
		for i in range(0, len(body), size):
			part = body[i:i + size]
			more = i + size < len(body)
			if p.v == 4:
				h = bytearray(p.raw[:p.t])
				struct.pack_into("!H", h, ETH + 2, p.t - ETH + len(part))
				struct.pack_into("!H", h, ETH + 4, (0x4000 + idx) & 0xffff)
				struct.pack_into("!H", h, ETH + 6,
					(0x2000 if more else 0) | (i // 8))
				frags.append(bytes(h) + part)
			else:
				h = bytearray(p.raw[:ETH + 40])
				struct.pack_into("!H", h, ETH + 4, 8 + len(part))
				h[ETH + 6] = 44
				fh = struct.pack("!BBHI", 6, 0,
					(i // 8) << 3 | (1 if more else 0), 0x1000 + idx)
				frags.append(bytes(h) + fh + part)
		first = frags[0]
		frags.reverse()
		frags.append(first)  # an exact duplicate, as retransmitting taps do
		out.extend(rec(p, f) for f in frags)
	return out, {"fragmented": n}


def main():
	src, dst, variant = sys.argv[1], sys.argv[2], sys.argv[3]
	cut = 300
	if variant.startswith("snaplen:"):
		variant, cut = "snaplen", int(variant.split(":")[1])
	rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
	data = open(src, "rb").read()
	pkts = [Pkt(r) for r in records(data)]
	fn = {
		"shuffle": lambda: shuffle(pkts, rnd),
		"dup": lambda: dup(pkts, rnd),
		"recut": lambda: recut(pkts, rnd, False),
		"overlapdiff": lambda: recut(pkts, rnd, True),
		"wrap": lambda: wrap(pkts),
		"midstream": lambda: midstream(pkts),
		"drop": lambda: drop(pkts),
		"snaplen": lambda: snaplen(pkts, cut),
		"frag": lambda: frag(pkts),
	}[variant]
	out, desc = fn()
	blob = [data[:24]]
	for sec, usec, raw, orig in out:
		blob.append(struct.pack("<IIII", sec, usec, len(raw), orig))
		blob.append(raw)
	open(dst, "wb").write(b"".join(blob))
	desc["variant"] = variant
	with open(dst + ".json", "w") as f:
		json.dump(desc, f)


if __name__ == "__main__":
	main()
