#!/usr/bin/python3
"""Build the synthetic seed captures byte for byte (pure Python).

samples/seed_connect.pcap
    One TCP connection, client 192.0.2.10:50000 -> proxy
    198.51.100.1:8080, Ethernet/IPv4/TCP with correct checksums: the
    three-way handshake, the CONNECT exchange and WebSocket session from
    Pavel Bucek's post "WebSocket via HTTP proxy" (blogs.oracle.com, 2013;
    Tyrus client through a proxy to echo.websocket.org), one masked text
    frame "test message", its echo, close 1000 both ways, FIN both ways.
samples/seed_connect.transcript
    What `wstap -T transcript` must contain for it.
samples/seed_truncated.pcap
    The same file cut off in the middle of the last packet record.
samples/not_a_capture.pcap
    A text file.
plus a .truth.json for each.

Usage: make_seed.py [SAMPLES_DIR]
The output is identical on every run (fixed timestamps, masks, ISNs).
"""
import base64
import hashlib
import json
import os
import struct
import sys

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

# The key of the original capture.  Its accept, base64(SHA-1(key + GUID)),
# is the 8TNIHr7bJHqQadjXYvqLql6RFEA= of the post's 101; checked below.
KEY = "sDD3Wk7PMRCPE9+C0VyOcQ=="
ACCEPT = "8TNIHr7bJHqQadjXYvqLql6RFEA="

CLIENT = ("192.0.2.10", 50000, bytes.fromhex("00005e005301"))
PROXY = ("198.51.100.1", 8080, bytes.fromhex("00005e005302"))
# 2013-07-16 15:30:53 UTC, the Date of the post's 101 response.
T0 = 1373988653
MASK = bytes([0x37, 0xfa, 0x21, 0x3d])
CLOSE_MASK = bytes([0x5c, 0x0e, 0x91, 0xa4])

CONNECT_HEAD = [
	"CONNECT echo.websocket.org:80 HTTP/1.1",
	"Host: echo.websocket.org",
	"Proxy-Connection: keep-alive",
	"Connection: keep-alive",
]
ESTABLISHED_HEAD = ["HTTP/1.1 200 Connection established"]
GET_HEAD = [
	"GET / HTTP/1.1",
	"Connection: Upgrade",
	"Host: echo.websocket.org",
	"Origin: echo.websocket.org",
	# The space before the colon is in the original capture.
	"Sec-WebSocket-Key : " + KEY,
	"Sec-WebSocket-Version: 13",
	"Upgrade: websocket",
]
SWITCH_HEAD = [
	"HTTP/1.1 101 Web Socket Protocol Handshake",
	"Upgrade: WebSocket",
	"Connection: Upgrade",
	"Sec-WebSocket-Accept: " + ACCEPT,
	"Server: Kaazing Gateway",
	"Date: Tue, 16 Jul 2013 15:30:53 GMT",
	"Access-Control-Allow-Origin: http://echo.websocket.org",
	"Access-Control-Allow-Credentials: true",
	"Access-Control-Allow-Headers: content-type",
	"Access-Control-Allow-Headers: authorization",
	"Access-Control-Allow-Headers: x-websocket-extensions",
	"Access-Control-Allow-Headers: x-websocket-version",
	"Access-Control-Allow-Headers: x-websocket-protocol",
]
TEXT = "test message"


def head_bytes(lines):
	return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def frame(opcode, payload, mask=None):
	"""One FIN frame with a 7-bit length (all seed payloads are short)."""
	assert len(payload) <= 125
	b0 = 0x80 | opcode
	if mask is None:
		return bytes([b0, len(payload)]) + payload
	masked = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
	return bytes([b0, 0x80 | len(payload)]) + mask + masked


def csum(data):
	if len(data) % 2:
		data += b"\0"
	s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
	while s >> 16:
		s = (s & 0xffff) + (s >> 16)
	return ~s & 0xffff


def ip4(a):
	return bytes(int(x) for x in a.split("."))


class Conn:
	"""Builds the Ethernet/IPv4/TCP frames of one connection."""

	def __init__(self, client=None, proxy=None):
		# other captures (make_crafted.py) give their own endpoints
		self.client = client or CLIENT
		self.proxy = proxy or PROXY
		self.seq = {"c": 0x1a2b3c4d, "p": 0x5e6f7081}
		self.ipid = {"c": 0x3a10, "p": 0x0000}
		self.frames = []
		self.t = 0.0

	def send(self, side, flags, payload=b"", dt=0.001):
		src, dst = ((self.client, self.proxy) if side == "c" else
			(self.proxy, self.client))
		other = "p" if side == "c" else "c"
		syn = "S" in flags
		opts = b""
		if syn:
			opts = struct.pack("!BBH", 2, 4, 1460)  # MSS
		fl = 0
		for ch, bit in (("F", 1), ("S", 2), ("R", 4), ("P", 8), ("A", 16)):
			if ch in flags:
				fl |= bit
		ack = self.seq[other] if "A" in flags else 0
		off = (20 + len(opts)) // 4
		tcp = struct.pack("!HHIIBBHHH", src[1], dst[1], self.seq[side],
			ack, off << 4, fl, 64240, 0, 0) + opts + payload
		pseudo = ip4(src[0]) + ip4(dst[0]) + struct.pack("!BBH", 0, 6,
			len(tcp))
		c = csum(pseudo + tcp)
		tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
		ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp),
			self.ipid[side], 0x4000, 64 if side == "c" else 52, 6, 0,
			ip4(src[0]), ip4(dst[0]))
		ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
		eth = dst[2] + src[2] + struct.pack("!H", 0x0800)
		self.ipid[side] = (self.ipid[side] + 1) & 0xffff
		# SYN and FIN each take one sequence number (RFC 9293 3.4).
		self.seq[side] = (self.seq[side] + len(payload) + syn +
			("F" in flags)) & 0xffffffff
		self.t += dt
		self.frames.append((self.t, eth + ip + tcp))


def build():
	c = Conn()
	c.send("c", "S", dt=0)
	c.send("p", "SA", dt=0.031)
	c.send("c", "A", dt=0.0002)
	c.send("c", "PA", head_bytes(CONNECT_HEAD), dt=0.0005)
	c.send("p", "A", dt=0.030)
	c.send("p", "PA", head_bytes(ESTABLISHED_HEAD), dt=0.012)
	c.send("c", "PA", head_bytes(GET_HEAD), dt=0.004)
	c.send("p", "PA", head_bytes(SWITCH_HEAD), dt=0.168)
	c.send("c", "PA", frame(1, TEXT.encode(), MASK), dt=0.021)
	c.send("p", "PA", frame(1, TEXT.encode()), dt=0.163)
	c.send("c", "PA", frame(8, struct.pack("!H", 1000), CLOSE_MASK),
		dt=0.009)
	c.send("p", "PA", frame(8, struct.pack("!H", 1000)), dt=0.160)
	# RFC 6455 7.1.1: the server closes the TCP connection first.
	c.send("p", "FA", dt=0.0003)
	c.send("c", "FA", dt=0.0004)
	c.send("p", "A", dt=0.158)
	return c.frames


def pcap(frames):
	out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
	for t, data in frames:
		us = int(round(t * 1e6))
		out.append(struct.pack("<IIII", T0 + us // 1000000, us % 1000000,
			len(data), len(data)))
		out.append(data)
	return b"".join(out)


def transcript():
	blocks = [("client > proxy", CONNECT_HEAD),
		("proxy > client", ESTABLISHED_HEAD),
		("client > proxy", GET_HEAD),
		("proxy > client", SWITCH_HEAD)]
	lines = []
	for title, head in blocks:
		lines += [title] + head + [""]
	lines += [
		"client > server  text 12 bytes: test message",
		"server > client  text 12 bytes: test message",
		"client > server  close 2 bytes: 1000",
		"server > client  close 2 bytes: 1000",
	]
	return "\n".join(lines) + "\n"


def seed_leg(verdict=True):
	msgs = [
		{"dir": "client", "opcode": "text", "length": 12, "text": TEXT},
		{"dir": "server", "opcode": "text", "length": 12, "text": TEXT},
		{"dir": "client", "opcode": "close", "length": 2, "code": 1000,
			"reason": ""},
		{"dir": "server", "opcode": "close", "length": 2, "code": 1000,
			"reason": ""},
	]
	leg = {"role": "client-proxy", "match": {"server_port": 8080, "nth": 0},
		"via": "connect", "target": "echo.websocket.org:80",
		"proxy_status": 200}
	if verdict:
		leg["verdict"] = "ok"
	leg["deflate"] = False
	leg["messages"] = msgs
	return leg


def write(path, data, mode="wb"):
	with open(path, mode) as f:
		f.write(data)


def write_json(path, obj):
	with open(path, "w", encoding="utf-8") as f:
		json.dump(obj, f, indent=1, ensure_ascii=False)
		f.write("\n")


def main():
	d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
		os.path.dirname(os.path.abspath(__file__)), "..", "..", "samples")
	acc = base64.b64encode(hashlib.sha1(KEY.encode() + GUID).digest())
	if acc.decode() != ACCEPT:
		sys.exit("make_seed: key and accept disagree")
	data = pcap(build())
	write(os.path.join(d, "seed_connect.pcap"), data)
	write(os.path.join(d, "seed_connect.transcript"), transcript(), "w")
	write_json(os.path.join(d, "seed_connect.truth.json"), {
		"capture": "seed_connect.pcap",
		"description": "Synthetic rebuild (tests/lab/make_seed.py) of the "
			"proxied handshake in Pavel Bucek's 'WebSocket via HTTP "
			"proxy' (2013): CONNECT echo.websocket.org:80, 200, GET with "
			"'Sec-WebSocket-Key :' (space before the colon, as in the "
			"original), 101 from Kaazing Gateway, one text message each "
			"way, close 1000 both ways. The key " + KEY + " is the "
			"original's: base64(SHA-1(key + GUID)) = " + ACCEPT + ".",
		"legs": [seed_leg()]})
	# Cut in the middle of the last record's packet bytes: the record
	# header promises 54 bytes, only 27 follow.
	last = len(build()[-1][1])
	write(os.path.join(d, "seed_truncated.pcap"), data[:len(data) -
		last // 2])
	write_json(os.path.join(d, "seed_truncated.truth.json"), {
		"capture": "seed_truncated.pcap",
		"description": "seed_connect.pcap cut off in the middle of the last "
			"packet record (the final ACK): the file ends mid-record. "
			"Every message is before the cut: wstap must report them, "
			"warn with the damaged record's offset and exit 1.",
		"expect_exit": 1,
		"legs": [seed_leg(verdict=False)]})
	write(os.path.join(d, "not_a_capture.pcap"),
		"This is not a capture file.\nIt is plain text named .pcap, for "
		"the test of unreadable input:\nwstap must exit 1 with one line on "
		"stderr.\n", "w")
	write_json(os.path.join(d, "not_a_capture.truth.json"), {
		"capture": "not_a_capture.pcap",
		"description": "A text file named .pcap: wstap must exit 1 and say "
			"why on stderr.",
		"expect_exit": 1, "legs": []})
	return 0


if __name__ == "__main__":
	sys.exit(main())
