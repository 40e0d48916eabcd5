#!/usr/bin/python3
"""WebSocket servers for the wstap lab; every socket is bound to loopback.

  9001  echo server, no extensions (python3-websockets, compression off)
  9002  echo server offering permessage-deflate (websockets' default)
  9003  broken server (raw sockets): answers the Upgrade with 101 and a
        WRONG Sec-WebSocket-Accept, then waits for the client to give up
  9004  rejecting server (raw sockets): answers the Upgrade with 404
  9006  TLS echo server (wss; only with --tls-cert and --tls-key): the
        echo server of 9001 behind TLS 1.2 or 1.3 with the given
        certificate (run_lab.sh makes a self-signed one)
  9008  TLS echo server offering permessage-deflate (with --tls-cert):
        compressed messages inside wss, for the key-log captures
  9007  echo server that speaks only the subprotocol "chat.v2"; a client
        offering anything else gets a 101 without Sec-WebSocket-Protocol
        (websockets' default select_subprotocol: no overlap, none chosen)

Usage: ws_server.py [--host 127.0.0.1] [--base-port 9001]
                    [--tls-cert CERT.pem --tls-key KEY.pem]
The host may be an IPv6 address (the netns scenario uses 2001:db8::2).
Prints "ready" on stdout once all listen; runs until killed.
"""
import argparse
import asyncio
import base64
import hashlib
import ssl
import sys

import websockets
import websockets.server

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_HEAD = 16384


async def echo(ws, path):
	# Echo every data message whole; control frames are answered by the
	# library (ping -> pong with the same payload, close -> close echo).
	async for msg in ws:
		await ws.send(msg)


async def read_head(reader):
	"""Read one HTTP request head (up to the blank line); None on EOF."""
	try:
		head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
	except (asyncio.IncompleteReadError, asyncio.LimitOverrunError,
		asyncio.TimeoutError, ConnectionError):
		return None
	return head if len(head) <= MAX_HEAD else None


def header_value(head, name):
	for line in head.split(b"\r\n")[1:]:
		k, sep, v = line.partition(b":")
		if sep and k.strip().lower() == name.lower():
			return v.strip()
	return None


async def wrong_accept(reader, writer):
	head = await read_head(reader)
	if head is not None:
		key = header_value(head, b"sec-websocket-key") or b""
		good = base64.b64encode(hashlib.sha1(key + GUID.encode()).digest())
		# Deliberately wrong: the accept computed from the key reversed,
		# so it looks plausible (28 base64 characters) but fails the
		# client's check of RFC 6455 section 4.1 (the accept must be
		# base64(SHA-1(key + GUID))).
		bad = hashlib.sha1(key[::-1] + GUID.encode()).digest()
		bad = base64.b64encode(bad)
		if bad == good:
			bad = base64.b64encode(b"\0" * 20)
		writer.write(b"HTTP/1.1 101 Switching Protocols\r\n"
			b"Upgrade: websocket\r\n"
			b"Connection: Upgrade\r\n"
			b"Sec-WebSocket-Accept: " + bad + b"\r\n"
			b"Server: wstap-lab-wrong-accept\r\n"
			b"\r\n")
		await writer.drain()
		# The client must notice and drop the connection; wait for it.
		try:
			await asyncio.wait_for(reader.read(), 5)
		except (asyncio.TimeoutError, ConnectionError):
			pass
	writer.close()


async def reject(reader, writer):
	head = await read_head(reader)
	if head is not None:
		body = b"no WebSocket endpoint here\n"
		writer.write(b"HTTP/1.1 404 Not Found\r\n"
			b"Content-Type: text/plain\r\n"
			b"Content-Length: " + str(len(body)).encode() + b"\r\n"
			b"Connection: close\r\n"
			b"Server: wstap-lab-reject\r\n"
			b"\r\n" + body)
		await writer.drain()
	writer.close()


async def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("--host", default="127.0.0.1")
	ap.add_argument("--base-port", type=int, default=9001)
	ap.add_argument("--tls-cert")
	ap.add_argument("--tls-key")
	a = ap.parse_args()
	p = a.base_port
	kw = dict(ping_interval=None, close_timeout=2)
	s1 = await websockets.server.serve(echo, a.host, p, compression=None, **kw)
	s2 = await websockets.server.serve(echo, a.host, p + 1, **kw)
	s3 = await asyncio.start_server(wrong_accept, a.host, p + 2)
	s4 = await asyncio.start_server(reject, a.host, p + 3)
	if a.tls_cert:
		# TLS 1.2 and 1.3 both allowed: the client picks (the rejected-
		# certificate scenario forces 1.2 so its alert is in the clear).
		ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
		ctx.minimum_version = ssl.TLSVersion.TLSv1_2
		ctx.load_cert_chain(a.tls_cert, a.tls_key)
		s6 = await websockets.server.serve(echo, a.host, p + 5,
			compression=None, ssl=ctx, **kw)
		s8 = await websockets.server.serve(echo, a.host, p + 7,
			ssl=ctx, **kw)
	s7 = await websockets.server.serve(echo, a.host, p + 6,
		compression=None, subprotocols=["chat.v2"], **kw)
	print("ready", flush=True)
	await asyncio.Future()


if __name__ == "__main__":
	try:
		asyncio.run(main())
	except KeyboardInterrupt:
		sys.exit(0)
