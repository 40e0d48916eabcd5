#!/usr/bin/env python3
"""replicate.py IN.pcap OUT.pcap COPIES: a large capture made of COPIES
copies of a classic-pcap sample, one after another in time, each copy's
client ports shifted so every copy is a set of new legs.  A first
throughput workload until the full generator (issue 9) lands."""
import struct
import sys

SERVER_PORTS = {3128, 3129, 8888, 9001, 9002, 9003, 9004, 9005, 8080, 80, 443}


def records(data):
	off = 24
	while off + 16 <= len(data):
		sec, usec, incl, orig = struct.unpack_from("<IIII", data, off)
		yield sec, usec, incl, orig, data[off + 16:off + 16 + incl]
		off += 16 + incl


def shift_ports(pkt, k, linktype):
	l2 = {1: 14, 113: 16, 276: 20}.get(linktype, 14)
	if len(pkt) < l2 + 20:
		return pkt
	v = pkt[l2] >> 4
	ihl = (pkt[l2] & 15) * 4 if v == 4 else 40
	if v == 6 and pkt[l2 + 6] != 6:
		return pkt
	if v == 4 and pkt[l2 + 9] != 6:
		return pkt
	t = l2 + ihl
	b = bytearray(pkt)
	for o in (t, t + 2):
		p = struct.unpack_from("!H", b, o)[0]
		if p not in SERVER_PORTS:
			struct.pack_into("!H", b, o, 1024 + (p + k * 7) % 64000)
	return bytes(b)


def main():
	src, dst, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
	data = open(src, "rb").read()
	hdr = data[:24]
	linktype = struct.unpack_from("<I", data, 20)[0]
	recs = list(records(data))
	span = recs[-1][0] - recs[0][0] + 1
	with open(dst, "wb") as f:
		f.write(hdr)
		for k in range(copies):
			for sec, usec, incl, orig, pkt in recs:
				f.write(struct.pack("<IIII", sec + k * span, usec,
					incl, orig))
				f.write(shift_ports(pkt, k, linktype))


if __name__ == "__main__":
	main()
