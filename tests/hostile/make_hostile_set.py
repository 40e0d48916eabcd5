#!/usr/bin/python3
"""Write the hostile-capture set into a directory (stdlib only).

Every capture tries to make wstap crash, hang, or grow without bound;
tests/hostile/run_hostile.py runs wstap on each under a time and memory
bound and checks that the specific anomaly is reported.  Documentation
addresses only.  The packet builders are make_seed.py's and
make_deflate_cases.py's (tests/lab/); the big captures are written with
precomputed templates and struct.pack_into so the million-leg one takes
a few seconds.

Usage: make_hostile_set.py OUTDIR [NAME...]   (default: every case)
Prints one line per file written.  The output is identical on every run.
"""
import os
import random
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lab"))
import make_seed as ms  # noqa: E402
import make_deflate_cases as mdc  # noqa: E402

MASK = bytes([0x5a, 0xc3, 0x17, 0x8e])
T0 = 1700000000

# ---- pcap and pcapng files -------------------------------------------


def pcap_header(snaplen=65535, linktype=1, magic=0xa1b2c3d4, major=2):
	return struct.pack("<IHHiIII", magic, major, 4, 0, 0, snaplen, linktype)


def pcap_record(t, data, caplen=None, wirelen=None):
	us = int(round(t * 1e6))
	return struct.pack("<IIII", T0 + us // 1000000, us % 1000000,
		len(data) if caplen is None else caplen,
		len(data) if wirelen is None else wirelen) + data


SEED_PROXY = ms.PROXY


def seed_frames():
	# make_deflate_cases.build() rebinds make_seed.PROXY; the seed's own
	# exchange goes to its proxy on 8080 whatever ran before.
	ms.PROXY = SEED_PROXY
	return ms.build()


def pcapng_block(btype, body, total=None, trailer=None):
	n = 12 + len(body)
	total = n if total is None else total
	trailer = total if trailer is None else trailer
	return struct.pack("<II", btype, total) + body + struct.pack("<I", trailer)


def pad4(b):
	return b + bytes(-len(b) % 4)


def pcapng_shb(section_len=-1):
	return pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0,
		section_len))


def pcapng_idb(snaplen=65535, linktype=1):
	return pcapng_block(1, struct.pack("<HHI", linktype, 0, snaplen))


def pcapng_epb(t, data, iface=0, caplen=None, total=None, trailer=None):
	us = T0 * 1000000 + int(round(t * 1e6))
	body = struct.pack("<IIIII", iface, us >> 32, us & 0xffffffff,
		len(data) if caplen is None else caplen, len(data)) + pad4(data)
	return pcapng_block(6, body, total, trailer)


def pcapng_file(frames, idb=None):
	return pcapng_shb() + (idb or pcapng_idb()) + b"".join(
		pcapng_epb(t, d) for t, d in frames)


# ---- truncated files --------------------------------------------------


def trunc_record():
	"""The seed cut in the middle of its 12th packet's bytes (the
	server's close frame): the 11 before it are decoded."""
	fr = seed_frames()
	whole = pcap_header() + b"".join(pcap_record(t, d) for t, d in fr[:11])
	t, d = fr[11]
	return whole + pcap_record(t, d)[:16 + len(d) // 2]


def trunc_record_header():
	fr = seed_frames()
	return pcap_header() + b"".join(pcap_record(t, d) for t, d in fr[:11]) + \
		pcap_record(*fr[11])[:9]


def trunc_file_header():
	return pcap_header()[:13]


def empty_file():
	return b""


def header_only():
	return pcap_header()


def trunc_pcapng():
	fr = seed_frames()
	whole = pcapng_shb() + pcapng_idb() + b"".join(pcapng_epb(t, d)
		for t, d in fr[:11])
	return whole + pcapng_epb(*fr[11])[:40]


# ---- absurd lengths in pcap headers ---------------------------------


def pcap_snaplen_max():
	"""File header snaplen 2^32-1; the records are sane."""
	return pcap_header(snaplen=0xffffffff) + b"".join(
		pcap_record(t, d) for t, d in seed_frames())


def pcap_snaplen_zero():
	return pcap_header(snaplen=0) + b"".join(
		pcap_record(t, d) for t, d in seed_frames())


def pcap_caplen_4g():
	"""The 9th record claims 4 GB of captured bytes (caplen 2^32-1)."""
	fr = seed_frames()
	out = [pcap_header()] + [pcap_record(t, d) for t, d in fr[:8]]
	t, d = fr[8]
	out.append(pcap_record(t, d, caplen=0xffffffff) + b"".join(
		pcap_record(t2, d2) for t2, d2 in fr[9:]))
	return b"".join(out)


def pcap_caplen_over_snaplen():
	"""snaplen 64 in the file header, records of up to 400 bytes."""
	return pcap_header(snaplen=64) + b"".join(
		pcap_record(t, d) for t, d in seed_frames())


def pcap_wirelen_short():
	"""Every record's original length is smaller than its caplen."""
	return pcap_header() + b"".join(pcap_record(t, d, wirelen=20)
		for t, d in seed_frames())


# ---- absurd lengths in pcapng blocks ---------------------------------


def pcapng_ninth_bad(**bad):
	"""The seed as pcapng, its 9th EPB written with the fields in `bad`."""
	fr = seed_frames()
	out = pcapng_shb() + pcapng_idb() + b"".join(pcapng_epb(t, d)
		for t, d in fr[:8])
	return out + pcapng_epb(*fr[8], **bad) + b"".join(
		pcapng_epb(t, d) for t, d in fr[9:])


def pcapng_block_huge():
	"""The 9th EPB claims a total length of 4 GB - 4."""
	return pcapng_ninth_bad(total=0xfffffffc)


def pcapng_block_not4():
	n = len(pcapng_epb(*seed_frames()[8])) - 2
	return pcapng_ninth_bad(total=n, trailer=n)


def pcapng_caplen_huge():
	"""An EPB of normal size whose captured length says 2^32-16."""
	return pcapng_ninth_bad(caplen=0xfffffff0)


def pcapng_trailer_mismatch():
	return pcapng_ninth_bad(trailer=0x41414141)


def pcapng_bad_iface():
	"""The 9th EPB names interface 7 of a section that has one."""
	return pcapng_ninth_bad(iface=7)


def pcapng_snaplen_max():
	return pcapng_file(seed_frames(), pcapng_idb(snaplen=0xffffffff))


# ---- WebSocket frames ---------------------------------------------------


def raw_header(op, length, masked=True, fin=True):
	b0 = (0x80 if fin else 0) | op
	mb = 0x80 if masked else 0
	return bytes([b0, mb | 127]) + struct.pack("!Q", length) + (
		MASK if masked else b"")


def ws(steps, offer="", answer=""):
	return mdc.build(offer, answer, steps)


def frame_2p63():
	"""A client frame whose 64-bit length is 2^63 (top bit set: RFC 6455
	5.2 says it MUST be 0), then 1 KB of bytes."""
	return ws([("c", mdc.frame(1, b"before", mask=MASK)),
		("c", raw_header(2, 1 << 63) + bytes(1024))])


def frame_2p63_minus1():
	"""A client binary frame claiming 2^63-1 bytes (a legal header), of
	which 64 KB follow before the connection closes."""
	return ws([("c", mdc.frame(1, b"before", mask=MASK)),
		("c", raw_header(2, (1 << 63) - 1) + bytes(65536))])


def control_126():
	"""The server sends a ping of 126 bytes (RFC 6455 5.5: control frames
	carry at most 125), then a normal text."""
	ping = bytes([0x89, 126]) + struct.pack("!H", 126) + b"p" * 126
	return ws([("c", mdc.frame(1, b"hello", mask=MASK)), ("s", ping),
		("s", mdc.frame(1, b"after the ping"))])


def invalid_utf8():
	"""Text messages that are not UTF-8 (RFC 6455 8.1): a bad lead byte,
	a truncated sequence, an overlong encoding, a surrogate, and escape
	sequences around them."""
	bad = b"caf\xc3 \xff\xfe \xc0\xaf \xed\xa0\x80 \x1b[2J end"
	return ws([("c", mdc.frame(1, bad, mask=MASK)),
		("s", mdc.frame(1, b"\xe2\x82")),
		("s", mdc.frame(1, b"valid after"))])


def deflate_bomb():
	"""Three frames of ~100 KB that each inflate to 100 MiB of zeros,
	then messages that refer back into the bomb's window (reuses
	make_deflate_cases.py's bomb)."""
	data, _, _ = mdc.bomb(3)
	return data


# ---- per-leg caps (analyzer/leg.h) ------------------------------------


def proxy_conn(client_steps):
	"""A client's connection to the seed's proxy (port 8080): handshake,
	the client's bytes in MSS-sized segments, no answer, FIN."""
	ms.PROXY = SEED_PROXY
	c = ms.Conn()
	c.send("c", "S", dt=0)
	c.send("p", "SA", dt=0.0004)
	c.send("c", "A", dt=0.0001)
	for data in client_steps:
		for i in range(0, len(data), 1400):
			c.send("c", "PA", data[i:i + 1400], dt=0.0001)
		c.send("p", "A", dt=0.0001)
	c.send("c", "FA", dt=0.0002)
	c.send("p", "FA", dt=0.0002)
	c.send("c", "A", dt=0.0002)
	return ms.pcap(c.frames)


def hold_cap():
	"""A CONNECT, then 300 KB from the client before the proxy answers:
	more than HOLD_MAX (256 KiB) held while waiting."""
	return proxy_conn([ms.head_bytes(ms.CONNECT_HEAD), bytes(300000)])


def pipeline_cap():
	"""Twenty pipelined forward-proxy GETs, none answered: more than
	PENDING_MAX (16) awaiting answers."""
	get = ms.head_bytes(["GET http://203.0.113.7/ HTTP/1.1",
		"Host: 203.0.113.7"])
	return proxy_conn([get * 20])


def flow_cap(n=100):
	"""n connections to the proxy, each sending a CONNECT and staying
	open: run with --memcap 64K (a 64-flow table), the least recently
	active live flows make room and say so."""
	ms.PROXY = SEED_PROXY
	frames = []
	for i in range(n):
		c = ms.Conn(client=("192.0.2.10", 40000 + i, ms.CLIENT[2]))
		c.t = i * 0.01
		c.send("c", "S", dt=0)
		c.send("p", "SA", dt=0.001)
		c.send("c", "A", dt=0.001)
		c.send("c", "PA", ms.head_bytes(ms.CONNECT_HEAD), dt=0.001)
		frames += c.frames
	return ms.pcap(frames)


# ---- endless fragments ------------------------------------------------


def ip4_frag(src, dst, ident, off8, mf, payload):
	ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
		(0x2000 if mf else 0) | off8, 64, 6, 0, src, dst)
	return b"\x00" * 12 + b"\x08\x00" + ip + payload


def ipfrag_endless(path):
	"""IPv4 fragments that never complete a datagram:
	1. one datagram in 8-byte fragments at every other 8-byte offset up to
	   64 KB (4095 holes: the per-datagram range cap);
	2. 100,000 datagrams that each get one 8-byte fragment (the datagram
	   and byte caps, and the 60 s timeout: 1,000 a second);
	3. 1,000 fragments of 1..7 bytes with More Fragments set (RFC 791: a
	   multiple of 8) and 1,000 last fragments of 8..15 bytes at 65,528
	   that would end past 65,535 (both invalid)."""
	c, s = bytes([192, 0, 2, 7]), bytes([198, 51, 100, 7])
	with open(path, "wb") as f:
		f.write(pcap_header())
		t = 0.0
		for off8 in range(1, 8190, 2):
			f.write(pcap_record(t, ip4_frag(c, s, 1, off8, True, bytes(8))))
		for i in range(100000):
			t = 1.0 + i / 1000.0
			f.write(pcap_record(t, ip4_frag(c, s, 2 + i % 65000,
				1 + i // 65000, True, bytes(8))))
		for i in range(1000):
			f.write(pcap_record(t, ip4_frag(c, s, 40000 + i, 100, True,
				bytes(1 + i % 7))))
			f.write(pcap_record(t, ip4_frag(c, s, 40000 + i, 8191, False,
				bytes(8 + i % 8))))


def tcp_pkt(src, dst, sport, dport, seq, ack, flags, payload=b""):
	tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 0x50, flags,
		65535, 0, 0) + payload
	ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64,
		6, 0, src, dst)
	return b"\x00" * 12 + b"\x08\x00" + ip + tcp


def tcp_1byte(path, order="descending", n=300000):
	"""A WebSocket whose client then sends n one-byte segments behind a
	1-byte hole that is never filled (last first, in order, or shuffled),
	then the server's text message: the out-of-order caps, not memory or
	time, must give."""
	c, s = bytes([192, 0, 2, 8]), bytes([198, 51, 100, 8])
	cs, ss = 1000, 5000
	key = mdc.KEY
	req = ms.head_bytes(["GET /chat HTTP/1.1", "Host: 198.51.100.8",
		"Upgrade: websocket", "Connection: Upgrade",
		"Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13"])
	rsp = ms.head_bytes(["HTTP/1.1 101 Switching Protocols",
		"Upgrade: websocket", "Connection: Upgrade",
		"Sec-WebSocket-Accept: " + mdc.accept(key)])
	with open(path, "wb") as f:
		f.write(pcap_header())
		t = 0.0
		f.write(pcap_record(t, tcp_pkt(c, s, 40000, 80, cs, 0, 0x02)))
		f.write(pcap_record(t, tcp_pkt(s, c, 80, 40000, ss, cs + 1, 0x12)))
		cs += 1
		ss += 1
		f.write(pcap_record(t, tcp_pkt(c, s, 40000, 80, cs, ss, 0x18, req)))
		cs += len(req)
		f.write(pcap_record(t, tcp_pkt(s, c, 80, 40000, ss, cs, 0x18, rsp)))
		ss += len(rsp)
		tmpl = bytearray(tcp_pkt(c, s, 40000, 80, 0, ss, 0x18, b"x"))
		rec = bytearray(16) + tmpl
		struct.pack_into("<II", rec, 8, len(tmpl), len(tmpl))
		# byte cs is the hole; cs+1 .. cs+n arrive last first
		seqs = list(range(1, n + 1))
		if order == "descending":
			seqs.reverse()
		elif order == "random":
			random.Random(793).shuffle(seqs)
		for i in seqs:
			t += 0.00001
			us = int(t * 1e6)
			struct.pack_into("<II", rec, 0, T0 + us // 1000000, us % 1000000)
			struct.pack_into("!I", rec, 16 + 14 + 20 + 4, (cs + i) & 0xffffffff)
			f.write(rec)
		t += 0.001
		f.write(pcap_record(t, tcp_pkt(s, c, 80, 40000, ss, cs, 0x18,
			mdc.frame(1, b"server still talking"))))


def million_legs(path, n=1000000):
	"""n short TCP connections from distinct 4-tuples to a proxy on 3128:
	SYN, a CONNECT, RST; 20,000 a second of capture time."""
	proxy = bytes([198, 51, 100, 9])
	connect = b"CONNECT ws.example:443 HTTP/1.1\r\nHost: ws.example:443\r\n\r\n"
	tmpls = []
	for flags, payload in ((0x02, b""), (0x18, connect), (0x14, b"")):
		p = bytearray(tcp_pkt(bytes(4), proxy, 0, 3128, 0, 0, flags, payload))
		r = bytearray(16) + p
		struct.pack_into("<II", r, 8, len(p), len(p))
		tmpls.append(r)
	seqoff = (0, 1, 1 + len(connect))
	with open(path, "wb", buffering=1 << 20) as f:
		f.write(pcap_header())
		pack = struct.pack_into
		for i in range(n):
			us = i * 50
			sec, usec = T0 + us // 1000000, us % 1000000
			src = (192 << 24) | (2 << 8) | (1 + i % 250)
			sport = 1024 + i // 250
			isn = (i * 2654435761) & 0xffffffff
			for r, so in zip(tmpls, seqoff):
				pack("<II", r, 0, sec, usec)
				pack("!I", r, 16 + 14 + 12, src)
				pack("!H", r, 16 + 14 + 20, sport)
				pack("!I", r, 16 + 14 + 24, (isn + so) & 0xffffffff)
				f.write(r)


# ---- the table ----------------------------------------------------------

SMALL = {
	"trunc_record": trunc_record,
	"trunc_record_header": trunc_record_header,
	"trunc_file_header": trunc_file_header,
	"empty_file": empty_file,
	"header_only": header_only,
	"trunc_pcapng": trunc_pcapng,
	"pcap_snaplen_max": pcap_snaplen_max,
	"pcap_snaplen_zero": pcap_snaplen_zero,
	"pcap_caplen_4g": pcap_caplen_4g,
	"pcap_caplen_over_snaplen": pcap_caplen_over_snaplen,
	"pcap_wirelen_short": pcap_wirelen_short,
	"pcapng_block_huge": pcapng_block_huge,
	"pcapng_block_not4": pcapng_block_not4,
	"pcapng_caplen_huge": pcapng_caplen_huge,
	"pcapng_trailer_mismatch": pcapng_trailer_mismatch,
	"pcapng_bad_iface": pcapng_bad_iface,
	"pcapng_snaplen_max": pcapng_snaplen_max,
	"frame_2p63": frame_2p63,
	"frame_2p63_minus1": frame_2p63_minus1,
	"control_126": control_126,
	"invalid_utf8": invalid_utf8,
	"deflate_bomb": deflate_bomb,
	"hold_cap": hold_cap,
	"pipeline_cap": pipeline_cap,
	"flow_cap": flow_cap,
}
BIG = {
	"ipfrag_endless": ipfrag_endless,
	"tcp_1byte": tcp_1byte,
	"tcp_1byte_ascending": lambda p: tcp_1byte(p, "ascending"),
	# shuffled: each insertion walks the held list (up to 16384 nodes,
	# tcp_reasm.c), so fewer segments keep the run short
	"tcp_1byte_random": lambda p: tcp_1byte(p, "random", 20000),
	"million_legs": million_legs,
}


def main():
	if len(sys.argv) < 2:
		sys.exit(__doc__)
	d = sys.argv[1]
	names = sys.argv[2:] or list(SMALL) + list(BIG)
	for name in names:
		path = os.path.join(d, name + (".pcapng" if "pcapng" in name
			else ".pcap"))
		if name in SMALL:
			with open(path, "wb") as f:
				f.write(SMALL[name]())
		elif name in BIG:
			BIG[name](path)
		else:
			sys.exit("make_hostile_set.py: no case " + name)
		print(path)
	return 0


if __name__ == "__main__":
	sys.exit(main())
