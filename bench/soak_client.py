#!/usr/bin/python3
"""Soak driver: WebSocket sessions through a CONNECT proxy at a steady rate.

Starts one session every 1/RATE seconds for DURATION seconds.  Each
session opens a TCP connection to the proxy, sends CONNECT for the echo
server, does the WebSocket opening handshake inside the tunnel
(python3-websockets), sends one text and one 64-byte binary message,
checks both echoes and closes with code 1000.  Writes a JSON summary:
sessions started, completed ("ok"), failed (with the first errors), and
the pacing lag (how late the last session started).

Usage: soak_client.py --proxy H:P --target H:P --rate N --duration SEC
                      --out SUMMARY.json
"""
import argparse
import asyncio
import json
import socket
import sys
import time

import websockets.client

TIMEOUT = 10


def hostport(s):
	host, _, port = s.rpartition(":")
	return host, int(port)


async def tunnel(proxy, target):
	"""A non-blocking socket with a CONNECT tunnel to target open."""
	loop = asyncio.get_running_loop()
	sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	sock.setblocking(False)
	try:
		await loop.sock_connect(sock, proxy)
		req = "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (target, target)
		await loop.sock_sendall(sock, req.encode("ascii"))
		buf = b""
		while b"\r\n\r\n" not in buf:
			chunk = await loop.sock_recv(sock, 4096)
			if not chunk:
				raise ConnectionError("proxy closed during CONNECT")
			buf += chunk
			if len(buf) > 16384:
				raise ConnectionError("proxy answer too long")
		status = buf.split(b"\r\n", 1)[0].split(b" ")[1]
		if status != b"200":
			raise ConnectionError("proxy answered %s" % status.decode())
		if not buf.endswith(b"\r\n\r\n"):
			raise ConnectionError("bytes after the 200 head")
		return sock
	except BaseException:
		sock.close()
		raise


async def session(n, proxy, target, stats):
	try:
		sock = await asyncio.wait_for(tunnel(proxy, target), TIMEOUT)
		ws = await websockets.client.connect("ws://%s/" % target,
			sock=sock, compression=None, ping_interval=None,
			open_timeout=TIMEOUT, close_timeout=TIMEOUT)
		text = "soak session %d" % n
		await ws.send(text)
		if await asyncio.wait_for(ws.recv(), TIMEOUT) != text:
			raise RuntimeError("text echo differs")
		blob = bytes((n + i) & 0xff for i in range(64))
		await ws.send(blob)
		if await asyncio.wait_for(ws.recv(), TIMEOUT) != blob:
			raise RuntimeError("binary echo differs")
		await ws.close(code=1000)
		stats["ok"] += 1
	except Exception as e:  # counted, the soak goes on
		stats["failed"] += 1
		if len(stats["errors"]) < 10:
			stats["errors"].append("session %d: %r" % (n, e))


async def main_async(a):
	proxy, target = hostport(a.proxy), a.target
	stats = {"started": 0, "ok": 0, "failed": 0, "errors": []}
	total = int(a.rate * a.duration)
	start = time.monotonic()
	tasks = set()
	max_lag = 0.0
	for n in range(total):
		due = start + n / a.rate
		delay = due - time.monotonic()
		if delay > 0:
			await asyncio.sleep(delay)
		else:
			max_lag = max(max_lag, -delay)
		t = asyncio.create_task(session(n, proxy, target, stats))
		tasks.add(t)
		t.add_done_callback(tasks.discard)
		stats["started"] += 1
	if tasks:
		await asyncio.wait(tasks, timeout=3 * TIMEOUT)
	stats["elapsed_s"] = round(time.monotonic() - start, 1)
	stats["rate"] = a.rate
	stats["max_start_lag_s"] = round(max_lag, 3)
	return stats


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("--proxy", required=True)
	ap.add_argument("--target", required=True)
	ap.add_argument("--rate", type=float, required=True)
	ap.add_argument("--duration", type=float, required=True)
	ap.add_argument("--out", required=True)
	a = ap.parse_args()
	stats = asyncio.run(main_async(a))
	with open(a.out, "w", encoding="utf-8") as f:
		json.dump(stats, f, indent=1)
		f.write("\n")
	return 0 if stats["failed"] == 0 else 1


if __name__ == "__main__":
	sys.exit(main())
