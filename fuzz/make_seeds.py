#!/usr/bin/python3
"""make_seeds.py SAMPLES_DIR OUT_DIR - seed corpora for the fuzz harnesses,
cut from the lab samples (real squid, tinyproxy, python3-websockets
traffic).

OUT_DIR/http      each direction's HTTP head(s), with the harness's
                  leading option byte (request / response, feed size)
OUT_DIR/ws        each direction's bytes after its Upgrade head, with the
                  option bytes (direction, deflate when negotiated)
OUT_DIR/pmd       the compressed messages of the deflate sample, as the
                  pmd harness reads them (2-byte length, bytes)
OUT_DIR/tls_hello the TLS ClientHello and ServerHello messages
OUT_DIR/pcap      the small sample captures themselves
"""
import os
import struct
import sys


def packets(path):
	d = open(path, "rb").read()
	if len(d) < 24 or struct.unpack_from("<I", d)[0] != 0xa1b2c3d4:
		return
	lt = struct.unpack_from("<I", d, 20)[0]
	off = 24
	while off + 16 <= len(d):
		_, _, incl, _ = struct.unpack_from("<IIII", d, off)
		yield lt, d[off + 16:off + 16 + incl]
		off += 16 + incl


def tcp_payload(lt, f):
	"""(src, dst, seq, payload) of an IPv4/IPv6 TCP packet, or None."""
	try:
		return tcp_payload_(lt, f)
	except (struct.error, IndexError):
		return None  # truncated samples


def tcp_payload_(lt, f):
	if lt == 1:
		off, et = 14, struct.unpack_from("!H", f, 12)[0]
		while et == 0x8100:
			et = struct.unpack_from("!H", f, off + 2)[0]
			off += 4
	elif lt == 113:
		off, et = 16, struct.unpack_from("!H", f, 14)[0]
	elif lt == 276:
		off, et = 20, struct.unpack_from("!H", f, 0)[0]
	else:
		return None
	if et == 0x0800 and f[off + 9] == 6:
		tot = struct.unpack_from("!H", f, off + 2)[0]
		t = off + (f[off] & 15) * 4
		src, dst, end = f[off + 12:off + 16], f[off + 16:off + 20], off + tot
	elif et == 0x86dd and f[off + 6] == 6:
		t = off + 40
		src, dst = f[off + 8:off + 24], f[off + 24:off + 40]
		end = t + struct.unpack_from("!H", f, off + 4)[0]
	else:
		return None
	sp, dp, seq = struct.unpack_from("!HHI", f, t)
	pl = t + (f[t + 12] >> 4) * 4
	return (src, sp), (dst, dp), seq, f[pl:end]


def streams(path):
	"""Each direction's payload bytes, in sequence order (duplicates
	dropped): enough for in-order lab captures."""
	out = {}
	for lt, f in packets(path):
		r = tcp_payload(lt, f)
		if not r or not r[3]:
			continue
		key = (r[0], r[1])
		segs = out.setdefault(key, {})
		segs.setdefault(r[2], r[3])
	res = {}
	for key, segs in out.items():
		res[key] = b"".join(segs[s] for s in sorted(segs))
	return res


def ws_frames(b):
	"""(rsv1, opcode, unmasked payload) of each whole frame in b."""
	i = 0
	while i + 2 <= len(b):
		b0, b1 = b[i], b[i + 1]
		n, j = b1 & 127, i + 2
		if n == 126:
			n, j = struct.unpack_from("!H", b, j)[0], j + 2
		elif n == 127:
			n, j = struct.unpack_from("!Q", b, j)[0], j + 8
		mask = None
		if b1 & 128:
			mask, j = b[j:j + 4], j + 4
		if j + n > len(b):
			return
		p = b[j:j + n]
		if mask:
			p = bytes(c ^ mask[k % 4] for k, c in enumerate(p))
		yield bool(b0 & 0x40), b0 & 15, p
		i = j + n


def write(d, name, data):
	os.makedirs(d, exist_ok=True)
	with open(os.path.join(d, name), "wb") as f:
		f.write(data)


def main():
	samples, out = sys.argv[1], sys.argv[2]
	pmd_msgs = []
	for name in sorted(os.listdir(samples)):
		path = os.path.join(samples, name)
		base = os.path.splitext(name)[0]
		if name.endswith((".pcap", ".pcapng")) and os.path.getsize(path) < 32768:
			write(os.path.join(out, "pcap"), name, open(path, "rb").read())
		if not name.endswith(".pcap"):
			continue
		for k, (key, b) in enumerate(sorted(streams(path).items())):
			is_resp = b.startswith(b"HTTP/")
			is_req = b[:1].isalpha() and not is_resp
			if is_req or is_resp:
				head = b[:b.find(b"\r\n\r\n") + 4] if b"\r\n\r\n" in b else b
				write(os.path.join(out, "http"), "%s_%d" % (base, k),
					bytes([int(is_resp) | 4 | (7 << 3)]) + b[:4096])
				write(os.path.join(out, "http"), "%s_%d_head" % (base, k),
					bytes([int(is_resp)]) + head)
			# after the last head that switched protocols
			for marker, client in ((b"Upgrade: websocket", True),
					(b" 101 ", False)):
				at = b.find(marker) if client else b.find(marker)
				if at < 0 or (client and not is_req) or \
						(not client and not is_resp):
					continue
				end = b.find(b"\r\n\r\n", at)
				if end < 0:
					continue
				rest = b[end + 4:]
				deflate = b"permessage-deflate" in b[:end].lower()
				flags = int(client) | (2 if deflate else 0) | 4 | (3 << 4)
				write(os.path.join(out, "ws"), "%s_%d" % (base, k),
					bytes([flags, 0]) + rest[:8192])
				if deflate:
					for rsv1, op, p in ws_frames(rest):
						if rsv1 and op in (1, 2):
							pmd_msgs.append(p)
			# TLS handshake records inside the tunnel
			i = b.find(b"\x16\x03")
			while 0 <= i and i + 5 <= len(b):
				n = struct.unpack_from("!H", b, i + 3)[0]
				body = b[i + 5:i + 5 + n]
				if body[:1] in (b"\x01", b"\x02"):
					write(os.path.join(out, "tls_hello"),
						"%s_%d_%d" % (base, k, body[0]), body)
				i = b.find(b"\x16\x03", i + 5 + n)
	for k in range(0, len(pmd_msgs), 4):
		data = bytes([0x07])
		for m in pmd_msgs[k:k + 4]:
			m = m[:4095]
			data += struct.pack("<H", len(m) | 0x3000) + m
		write(os.path.join(out, "pmd"), "deflate_%d" % k, data)
	for h in ("http", "ws", "pmd", "tls_hello", "pcap"):
		d = os.path.join(out, h)
		os.makedirs(d, exist_ok=True)
		print("%s: %d seeds" % (h, len(os.listdir(d))))


if __name__ == "__main__":
	main()
