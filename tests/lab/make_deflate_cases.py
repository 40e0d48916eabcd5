#!/usr/bin/python3
"""Build crafted permessage-deflate captures byte for byte (pure Python
and zlib), with the packet builder of make_seed.py.

Each is one direct connection, client 192.0.2.10 -> server 198.51.100.1:80
(documentation addresses), three-way handshake, Upgrade and 101 with the
given Sec-WebSocket-Extensions, the frames, close 1000 both ways, FIN both
ways:

samples/deflate_window_violation.pcap
    server_max_window_bits=10 negotiated (offered by the client, accepted
    by the server), but the server compresses with a 15-bit window: its
    second message is the first again, one back reference 3000 bytes
    back.  A receiver holding 1024 bytes fails it.
samples/deflate_rsv1_unnegotiated.pcap
    No extension negotiated; the server sends a compressed "Hello" (RSV1
    set), then a plain message.  The client must fail the connection.
samples/deflate_bomb.pcap
    permessage-deflate with context takeover: the client sends one frame
    of about 100 KB that inflates to 100 MiB of zeros, then a compressed
    message that refers back into the bomb's window, then a normal one.
samples/deflate_bad_answer.pcap
    The client offers "permessage-deflate" (no client_max_window_bits);
    the server answers with client_max_window_bits=10 (RFC 7692 §7.1.2.2:
    it MUST NOT): a browser fails the connection.
plus a .truth.json for each.

Usage: make_deflate_cases.py [SAMPLES_DIR] [--bombs N --out FILE]
--bombs N writes a capture with N bomb frames (each 100 MiB of zeros)
followed by a normal compressed message to FILE instead (for measuring;
too big for samples/).  The output is identical on every run.
"""
import base64
import hashlib
import json
import os
import random
import struct
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_seed  # noqa: E402  (the pcap builder)

KEY = "dGhlIHNhbXBsZSBub25jZQ=="
SERVER = ("198.51.100.1", 80, bytes.fromhex("00005e005302"))
MASK = bytes([0x5a, 0xc3, 0x17, 0x8e])
MSS = 1400


def accept(key):
	return base64.b64encode(hashlib.sha1(key.encode() +
		make_seed.GUID).digest()).decode()


def frame(op, payload, rsv1=False, fin=True, mask=None):
	"""One frame, any length (RFC 6455 5.2)."""
	b0 = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | op
	n = len(payload)
	mbit = 0x80 if mask else 0
	if n < 126:
		h = bytes([b0, mbit | n])
	elif n < 65536:
		h = bytes([b0, mbit | 126]) + struct.pack("!H", n)
	else:
		h = bytes([b0, mbit | 127]) + struct.pack("!Q", n)
	if not mask:
		return h + payload
	m = (mask * (n // 4 + 1))[:n]
	return h + mask + bytes(a ^ b for a, b in zip(payload, m))


class Deflater:
	"""RFC 7692 7.2.1 sender: raw deflate, sync flush, tail removed."""

	def __init__(self, wbits=15, level=6):
		self.z = zlib.compressobj(level, zlib.DEFLATED, -wbits)

	def message(self, data):
		out = self.z.compress(data) + self.z.flush(zlib.Z_SYNC_FLUSH)
		assert out.endswith(b"\x00\x00\xff\xff")
		return out[:-4]


def build(offer, answer, steps):
	"""steps: ("c"|"s", bytes) sent in MSS-sized segments."""
	make_seed.PROXY = SERVER
	c = make_seed.Conn()
	c.send("c", "S", dt=0)
	c.send("p", "SA", dt=0.0004)
	c.send("c", "A", dt=0.0001)
	req = ["GET /chat HTTP/1.1", "Host: 198.51.100.1", "Upgrade: websocket",
		"Connection: Upgrade", "Sec-WebSocket-Key: " + KEY,
		"Sec-WebSocket-Version: 13"]
	if offer:
		req.append("Sec-WebSocket-Extensions: " + offer)
	rsp = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket",
		"Connection: Upgrade", "Sec-WebSocket-Accept: " + accept(KEY)]
	if answer:
		rsp.append("Sec-WebSocket-Extensions: " + answer)
	c.send("c", "PA", make_seed.head_bytes(req), dt=0.001)
	c.send("p", "PA", make_seed.head_bytes(rsp), dt=0.001)
	for side, data in steps + [("c", frame(8, struct.pack("!H", 1000),
			mask=MASK)), ("s", frame(8, struct.pack("!H", 1000)))]:
		who = "c" if side == "c" else "p"
		for i in range(0, len(data), MSS):
			c.send(who, "PA", data[i:i + MSS], dt=0.0001)
		c.send("p" if who == "c" else "c", "A", dt=0.0001)
	c.send("p", "FA", dt=0.0002)
	c.send("c", "FA", dt=0.0002)
	c.send("p", "A", dt=0.0002)
	return make_seed.pcap(c.frames)


def msg(d, op, data, **kw):
	m = {"dir": d, "opcode": op, "length": len(data)}
	if len(data) > 1024:
		m["sha256"] = hashlib.sha256(data).hexdigest()
	elif op == "text":
		m["text"] = data.decode()
	else:
		m["data"] = base64.b64encode(data).decode()
	m.update(kw)
	return m


CLOSES = [{"dir": "client", "opcode": "close", "length": 2, "code": 1000,
	"reason": ""}, {"dir": "server", "opcode": "close", "length": 2,
	"code": 1000, "reason": ""}]


def leg(verdict, messages, **kw):
	lg = {"role": "client-server", "match": {"server_port": 80, "nth": 0},
		"via": "direct", "target": None, "proxy_status": None,
		"verdict": verdict}
	lg.update(kw)
	lg["messages"] = messages + CLOSES
	return lg


def window_violation():
	blk = random.Random(7692).randbytes(3000)
	z = Deflater(15, 9)
	m1, m2 = z.message(blk), z.message(blk)
	steps = [("c", frame(1, b"send twice", mask=MASK)),
		("s", frame(2, m1, rsv1=True)), ("s", frame(2, m2, rsv1=True))]
	t = leg("deflate_error", [msg("client", "text", b"send twice"),
		msg("server", "binary", blk), msg("server", "binary", blk)],
		deflate=True, notes_include=["deflate_negotiated", "deflate_error"],
		explanation_contains=["server_max_window_bits=10",
			"larger window"])
	return build("permessage-deflate; server_max_window_bits=10",
		"permessage-deflate; server_max_window_bits=10", steps), t, (
		"Crafted (tests/lab/make_deflate_cases.py): server_max_window_bits=10 "
		"negotiated, but the server compresses with a 15-bit window; its "
		"second binary message repeats the first with one back reference "
		"3000 bytes back, beyond the 1024-byte window. wstap inflates both "
		"(the bytes are there) and reports deflate_error.")


def rsv1_unnegotiated():
	hello = Deflater().message(b"Hello")
	steps = [("c", frame(1, b"hi", mask=MASK)),
		("s", frame(1, hello, rsv1=True)),
		("s", frame(1, b"plain after"))]
	t = leg("deflate_error", [msg("client", "text", b"hi"),
		msg("server", "text", b"Hello"),
		msg("server", "text", b"plain after")], deflate=False,
		notes_include=["deflate_error"],
		explanation_contains=["no permessage-deflate was negotiated"])
	return build("", "", steps), t, (
		"Crafted (tests/lab/make_deflate_cases.py): no extension offered or "
		"accepted; the server sends a compressed 'Hello' with RSV1 set (RFC "
		"6455 5.2: the client MUST fail the connection), then a plain "
		"text. wstap says deflate_error and shows the payload inflated "
		"as raw deflate.")


def bomb_steps(nbombs):
	z = Deflater(15, 9)
	zeros = bytes(1 << 20)
	steps, msgs = [], []
	for _ in range(nbombs):
		parts = [z.z.compress(zeros) for _ in range(100)]
		out = b"".join(parts) + z.z.flush(zlib.Z_SYNC_FLUSH)
		steps.append(("c", frame(2, out[:-4], rsv1=True, mask=MASK)))
		msgs.append(msg("client", "binary", bytes(0), truncated=True,
			length=100 << 20))
		del msgs[-1]["data"]
	after = bytes(1000)
	steps.append(("c", frame(2, z.message(after), rsv1=True, mask=MASK)))
	msgs.append(msg("client", "binary", after))
	text = b"a normal message after the bomb"
	steps.append(("c", frame(1, z.message(text), rsv1=True, mask=MASK)))
	msgs.append(msg("client", "text", text))
	steps.append(("s", frame(1, Deflater().message(b"ok"), rsv1=True)))
	msgs.append(msg("server", "text", b"ok"))
	return steps, msgs


def bomb(nbombs=1):
	steps, msgs = bomb_steps(nbombs)
	t = leg("ok", msgs, deflate=True, notes_include=["deflate_bomb"])
	return build("permessage-deflate; client_max_window_bits",
		"permessage-deflate", steps), t, (
		"Crafted (tests/lab/make_deflate_cases.py): the client sends one "
		"frame of about 100 KB that inflates to 100 MiB of zeros (cut by "
		"the ratio guard, inflated to its end into the discard buffer), "
		"then 1000 zero bytes that refer back into the bomb's window, "
		"then a text; the server answers 'ok'.")


def bad_answer():
	hello = Deflater().message(b"Hello")
	steps = [("c", frame(1, b"hi", mask=MASK)),
		("s", frame(1, hello, rsv1=True))]
	t = leg("extension_mismatch", [msg("client", "text", b"hi"),
		msg("server", "text", b"Hello")], notes_include=[
		"deflate_param_not_offered"], explanation_contains=[
		"client_max_window_bits=10", "MUST NOT"])
	return build("permessage-deflate", "permessage-deflate; "
		"client_max_window_bits=10", steps), t, (
		"Crafted (tests/lab/make_deflate_cases.py): the client offers "
		"'permessage-deflate' and the server answers with "
		"client_max_window_bits=10, which RFC 7692 7.1.2.2 forbids when "
		"the offer lacks it; browsers fail the connection.")


def write(d, name, made):
	data, legt, desc = made
	with open(os.path.join(d, name + ".pcap"), "wb") as f:
		f.write(data)
	with open(os.path.join(d, name + ".truth.json"), "w",
			encoding="utf-8") as f:
		json.dump({"capture": name + ".pcap", "description": desc,
			"generated_by": "tests/lab/make_deflate_cases.py",
			"legs": [legt]}, f, indent=1, ensure_ascii=False)
		f.write("\n")


def main():
	args = sys.argv[1:]
	if "--bombs" in args:
		i = args.index("--bombs")
		n = int(args[i + 1])
		out = args[args.index("--out") + 1]
		with open(out, "wb") as f:
			f.write(bomb(n)[0])
		return 0
	d = args[0] if args else os.path.join(os.path.dirname(
		os.path.abspath(__file__)), "..", "..", "samples")
	write(d, "deflate_window_violation", window_violation())
	write(d, "deflate_rsv1_unnegotiated", rsv1_unnegotiated())
	write(d, "deflate_bomb", bomb())
	write(d, "deflate_bad_answer", bad_answer())
	return 0


if __name__ == "__main__":
	sys.exit(main())
