#!/usr/bin/python3
"""Build proxy situations the lab's real proxies do not produce on demand,
byte for byte (reusing make_seed.py's packet builder):

crafted_mcafee_500.pcap
    An intercepting proxy that fails its own TLS handshake with the
    server answers CONNECT with "HTTP/1.0 500 handshakefailed" and a Via
    naming McAfee Web Gateway (as in the seed's comments).
crafted_early_tunnel.pcap
    The client sends its Upgrade request right behind the CONNECT, before
    the 200 arrives; then 101 and one message each way.
crafted_keepalive_connect.pcap
    Two plain proxied GETs on one keep-alive proxy connection, then a
    CONNECT on the same connection and a WebSocket.
crafted_200_close.pcap
    The proxy answers 200 and closes the connection at once.
crafted_407_same_conn.pcap
    407, then a retry with Proxy-Authorization on the same connection,
    200 and a WebSocket.

Usage: make_crafted.py [SAMPLES_DIR].  Output is identical on every run.
"""
import base64
import hashlib
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_seed as ms  # noqa: E402

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CLIENT = ("192.0.2.20", 51000, bytes.fromhex("00005e005311"))
PROXY = ("198.51.100.7", 3128, bytes.fromhex("00005e005312"))
MASK = bytes([0x11, 0x22, 0x33, 0x44])


def accept(key):
	return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


def upgrade(key, host="ws.example"):
	return ms.head_bytes(["GET /chat HTTP/1.1", "Host: " + host,
		"Upgrade: websocket", "Connection: Upgrade",
		"Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13"])


def switch(key):
	return ms.head_bytes(["HTTP/1.1 101 Switching Protocols",
		"Upgrade: websocket", "Connection: Upgrade",
		"Sec-WebSocket-Accept: " + accept(key)])


def ws_exchange(c, text="ping through the proxy"):
	c.send("c", "PA", ms.frame(1, text.encode(), MASK))
	c.send("p", "PA", ms.frame(1, text.encode()))
	c.send("c", "PA", ms.frame(8, struct.pack("!H", 1000), MASK))
	c.send("p", "PA", ms.frame(8, struct.pack("!H", 1000)))
	c.send("p", "FA")
	c.send("c", "FA")
	c.send("p", "A")
	n = len(text.encode())
	return [{"dir": "client", "opcode": "text", "length": n, "text": text},
		{"dir": "server", "opcode": "text", "length": n, "text": text},
		{"dir": "client", "opcode": "close", "length": 2, "code": 1000, "reason": ""},
		{"dir": "server", "opcode": "close", "length": 2, "code": 1000, "reason": ""}]


def handshake(c):
	c.send("c", "S", dt=0)
	c.send("p", "SA")
	c.send("c", "A")


def leg(verdict, target, status, messages, **kw):
	l = {"role": "client-proxy", "match": {"server_port": PROXY[1], "nth": 0},
		"via": "connect", "target": target, "proxy_status": status,
		"verdict": verdict, "messages": messages}
	l.update(kw)
	return l


def mcafee():
	c = ms.Conn(CLIENT, PROXY)
	handshake(c)
	c.send("c", "PA", ms.head_bytes(["CONNECT ws.example:443 HTTP/1.1",
		"Host: ws.example:443"]))
	body = b"<html><body>handshakefailed</body></html>"
	c.send("p", "PA", ms.head_bytes(["HTTP/1.0 500 handshakefailed",
		"Via: 1.1 gw.example (McAfee Web Gateway 7.8.2.3.0.27213)",
		"Content-Type: text/html", "Content-Length: %d" % len(body),
		"Connection: close"]) + body)
	c.send("p", "FA")
	c.send("c", "FA")
	c.send("p", "A")
	return c, [leg("proxy_error", "ws.example:443", 500, [],
		explanation_contains=["500 handshakefailed", "McAfee",
			"inspects TLS"])]


def early_tunnel():
	key = "AAAAAAAAAAAAAAAAAAAAAA=="
	c = ms.Conn(CLIENT, PROXY)
	handshake(c)
	c.send("c", "PA", ms.head_bytes(["CONNECT ws.example:80 HTTP/1.1",
		"Host: ws.example:80"]))
	c.send("c", "PA", upgrade(key))  # before the proxy's answer
	c.send("p", "PA", ms.head_bytes(["HTTP/1.1 200 Connection established"]))
	c.send("p", "PA", switch(key))
	return c, [leg("ok", "ws.example:80", 200, ws_exchange(c))]


def keepalive_connect():
	key = "BBBBBBBBBBBBBBBBBBBBBB=="
	c = ms.Conn(CLIENT, PROXY)
	handshake(c)
	for path in ("/a", "/b"):
		c.send("c", "PA", ms.head_bytes(["GET http://www.example%s HTTP/1.1"
			% path, "Host: www.example", "Proxy-Connection: keep-alive"]))
		c.send("p", "PA", ms.head_bytes(["HTTP/1.1 200 OK",
			"Content-Length: 5", "Via: 1.1 proxy (squid/5.7)"]) + b"hello")
	c.send("c", "PA", ms.head_bytes(["CONNECT ws.example:80 HTTP/1.1",
		"Host: ws.example:80"]))
	c.send("p", "PA", ms.head_bytes(["HTTP/1.1 200 Connection established"]))
	c.send("c", "PA", upgrade(key))
	c.send("p", "PA", switch(key))
	return c, [leg("ok", "ws.example:80", 200, ws_exchange(c))]


def ok_then_close():
	c = ms.Conn(CLIENT, PROXY)
	handshake(c)
	c.send("c", "PA", ms.head_bytes(["CONNECT ws.example:80 HTTP/1.1",
		"Host: ws.example:80"]))
	c.send("p", "PA", ms.head_bytes(["HTTP/1.1 200 Connection established"]))
	c.send("p", "FA")
	c.send("c", "FA")
	c.send("p", "A")
	return c, [leg("tunnel_closed", "ws.example:80", 200, [],
		explanation_contains=["no byte went through"])]


def auth_same_conn():
	key = "CCCCCCCCCCCCCCCCCCCCCC=="
	c = ms.Conn(CLIENT, PROXY)
	handshake(c)
	c.send("c", "PA", ms.head_bytes(["CONNECT ws.example:80 HTTP/1.1",
		"Host: ws.example:80"]))
	body = b"auth needed"
	c.send("p", "PA", ms.head_bytes(["HTTP/1.1 407 Proxy Authentication Required",
		'Proxy-Authenticate: Basic realm="corp"',
		"Content-Length: %d" % len(body)]) + body)
	c.send("c", "PA", ms.head_bytes(["CONNECT ws.example:80 HTTP/1.1",
		"Host: ws.example:80",
		"Proxy-Authorization: Basic dXNlcjpwYXNz"]))
	c.send("p", "PA", ms.head_bytes(["HTTP/1.1 200 Connection established"]))
	c.send("c", "PA", upgrade(key))
	c.send("p", "PA", switch(key))
	return c, [leg("ok", "ws.example:80", 200, ws_exchange(c),
		explanation_contains=["got 407", "same connection", "Basic"])]


def main():
	d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
		os.path.dirname(os.path.abspath(__file__)), "..", "..", "samples")
	cases = {
		"crafted_mcafee_500": (mcafee, "An intercepting proxy (McAfee Web Gateway in Via) answers CONNECT with HTTP/1.0 500 handshakefailed: it failed its own TLS handshake with the server."),
		"crafted_early_tunnel": (early_tunnel, "The client sends the Upgrade request before the proxy's 200 arrives; the held bytes must become tunnel bytes once the 200 comes."),
		"crafted_keepalive_connect": (keepalive_connect, "Two proxied GETs on a keep-alive proxy connection, then CONNECT and a WebSocket on the same connection."),
		"crafted_200_close": (ok_then_close, "The proxy answers 200 and closes at once: nothing goes through the tunnel."),
		"crafted_407_same_conn": (auth_same_conn, "407 with Basic realm corp, then a retry with Proxy-Authorization on the same connection, 200, and a WebSocket."),
	}
	for name, (fn, desc) in cases.items():
		c, legs = fn()
		ms.write(os.path.join(d, name + ".pcap"), ms.pcap(c.frames))
		ms.write_json(os.path.join(d, name + ".truth.json"), {
			"capture": name + ".pcap", "description": desc,
			"generated_by": "tests/lab/make_crafted.py", "legs": legs})
	return 0


if __name__ == "__main__":
	sys.exit(main())
