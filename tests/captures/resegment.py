#!/usr/bin/env python3
"""resegment.py IN.pcap OUT.pcap SIZE [SEED]: rewrites a classic pcap so
every TCP payload is cut into SIZE-byte segments (sequence numbers, IP
lengths adjusted; checksums are not recomputed: wstap does not check
them); SIZE 0 keeps packets whole and, with SEED, shuffles them across
both directions within windows of 4.  With SEED, segments are also reordered within each run of data
packets of one direction, and every third one is sent twice, so the
stream layer must put them back in order and drop the copies.

Used by run_captures.sh: the analysis of a re-segmented capture must equal
the original's (the same legs, verdicts and messages), which shows each
layer gives the same events however its input is split."""
import random
import struct
import sys

ETH = 14


def records(data):
	off = 24
	while off + 16 <= len(data):
		sec, usec, incl, orig = struct.unpack_from("<IIII", data, off)
		yield sec, usec, data[off + 16:off + 16 + incl]
		off += 16 + incl


def split(pkt, size):
	"""Yields the packet cut into segments of `size` payload bytes."""
	if len(pkt) < ETH + 20 or pkt[12:14] != b"\x08\x00" or pkt[ETH + 9] != 6:
		yield pkt
		return
	ihl = (pkt[ETH] & 15) * 4
	total = struct.unpack_from("!H", pkt, ETH + 2)[0]
	t = ETH + ihl
	thl = (pkt[t + 12] >> 4) * 4
	payload = pkt[t + thl:ETH + total]
	flags = pkt[t + 13]
	if len(payload) <= size:
		yield pkt[:ETH + total]
		return
	seq = struct.unpack_from("!I", pkt, t + 4)[0]
	for i in range(0, len(payload), size):
		part = payload[i:i + size]
		last = i + size >= len(payload)
		b = bytearray(pkt[:t + thl] + part)
		struct.pack_into("!H", b, ETH + 2, ihl + thl + len(part))
		struct.pack_into("!I", b, t + 4, (seq + i) & 0xffffffff)
		# FIN (and PSH) only on the last piece
		b[t + 13] = flags if last else flags & ~0x09
		yield bytes(b)


def main():
	src, dst, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
	rnd = random.Random(int(sys.argv[4])) if len(sys.argv) > 4 else None
	data = open(src, "rb").read()
	out = [data[:24]]
	if size == 0:
		# SIZE 0: whole packets, both directions, shuffled within
		# windows of 4 (a capture taken where the two directions
		# travel different paths, or merged from two taps)
		recs = list(records(data))
		for i in range(0, len(recs), 4):
			win = recs[i:i + 4]
			rnd.shuffle(win)
			for sec, usec, pkt in win:
				out.append(struct.pack("<IIII", sec, usec, len(pkt),
					len(pkt)))
				out.append(pkt)
		open(dst, "wb").write(b"".join(out))
		return
	for sec, usec, pkt in records(data):
		pieces = list(split(pkt, size))
		if rnd and len(pieces) > 1:
			# reorder the pieces of this packet and duplicate some
			rnd.shuffle(pieces)
			pieces += pieces[::3]
		for p in pieces:
			out.append(struct.pack("<IIII", sec, usec, len(p), len(p)))
			out.append(p)
	open(dst, "wb").write(b"".join(out))


if __name__ == "__main__":
	main()
