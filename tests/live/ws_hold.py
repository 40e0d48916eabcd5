#!/usr/bin/python3
"""A WebSocket client that goes quiet: for the live-capture tests.

Opens a CONNECT tunnel through the proxy (tests/lab/ws_client.py's
open_tunnel), does the opening handshake, sends one text message and
waits for its echo, prints "holding" and stays silent for --hold
seconds (no pings), then sends a second text and closes with 1000.
Killed while holding, it leaves the WebSocket open mid-conversation.

Usage: ws_hold.py --proxy H:P --target H:P --hold SECONDS
"""
import argparse
import asyncio
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
	"..", "lab"))
import ws_client  # noqa: E402  (the lab's CONNECT helper)
import websockets.client  # noqa: E402


async def session(sock, target, hold):
	ws = await websockets.client.connect("ws://%s/" % target, sock=sock,
		compression=None, ping_interval=None, open_timeout=5,
		close_timeout=5)
	await ws.send("before the pause")
	await asyncio.wait_for(ws.recv(), 5)
	print("holding", flush=True)
	await asyncio.sleep(hold)
	await ws.send("after the pause")
	await asyncio.wait_for(ws.recv(), 5)
	await ws.close(code=1000)


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("--proxy", required=True)
	ap.add_argument("--target", required=True)
	ap.add_argument("--hold", type=float, required=True)
	a = ap.parse_args()
	sock, status, _ = ws_client.open_tunnel(ws_client.hostport(a.proxy),
		a.target, None)
	if sock is None:
		print("ws_hold: the proxy answered %d" % status, file=sys.stderr)
		return 1
	asyncio.run(session(sock, a.target, a.hold))
	return 0


if __name__ == "__main__":
	sys.exit(main())
