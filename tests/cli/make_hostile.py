#!/usr/bin/env python3
"""Writes a capture whose captured bytes try to drive a terminal: escape
sequences and a bidi override in an HTTP head, a text message and a close
reason.  Used by run_cli.sh to check that no output format lets them
through unescaped.  Reuses the seed's packet builder."""
import base64
import hashlib
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lab"))
import make_seed as ms  # noqa: E402

KEY = "dGhlIHNhbXBsZSBub25jZQ=="
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
ACCEPT = base64.b64encode(hashlib.sha1((KEY + GUID).encode()).digest())


def main():
	c = ms.Conn()
	c.send("c", "S", dt=0)
	c.send("p", "SA")
	c.send("c", "A")
	c.send("c", "PA", b"GET /a HTTP/1.1\r\nHost: x\r\n"
		b"X-Evil: \x1b[2J\x1b]0;pwned\x07\xe2\x80\xae\r\n"
		b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
		b"Sec-WebSocket-Key: " + KEY.encode() + b"\r\n"
		b"Sec-WebSocket-Version: 13\r\n\r\n")
	c.send("p", "PA", b"HTTP/1.1 101 Switching Protocols\r\n"
		b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
		b"Sec-WebSocket-Accept: " + ACCEPT + b"\r\n\r\n")
	c.send("c", "PA", ms.frame(1, "\x1b[31mred\u202e\x9b".encode(),
		b"\x01\x02\x03\x04"))
	c.send("p", "PA", ms.frame(2, b"\x1b[2J\x00\xff"))
	c.send("c", "PA", ms.frame(8, struct.pack("!H", 1000) + b"\x1b[2J",
		b"\x05\x06\x07\x08"))
	c.send("p", "PA", ms.frame(8, struct.pack("!H", 1000)))
	c.send("p", "FA")
	c.send("c", "FA")
	c.send("p", "A")
	with open(sys.argv[1], "wb") as f:
		f.write(ms.pcap(c.frames))


if __name__ == "__main__":
	main()
