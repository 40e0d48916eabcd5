#!/usr/bin/python3
"""permessage-deflate scenarios with python3-websockets, server and client
in one process on 127.0.0.1; writes the truth file from what was really
sent and received.  run_deflate_lab.sh runs it under tcpdump.

Scenarios (--scenario):
  nct_smallwin  port 9011: the server accepts with server_no_context_takeover,
                client_no_context_takeover, server_max_window_bits=10 and
                client_max_window_bits=9 (the client offers
                client_max_window_bits and server_max_window_bits=10); texts
                sent twice (so context takeover would have helped), a
                fragmented compressed text, a binary, an 18 KB compressible
                text, all echoed.
  bomb          port 9012: default parameters (context takeover, 15-bit
                windows, as websockets negotiates them with max_size off);
                the client sends 100 MiB of zeros in one frame (about 100 KB
                on the wire), the server answers with its size, then a text
                is echoed (it refers back into the bomb's window).

Usage: deflate_lab.py --scenario NAME --capture NAME.pcap --out TRUTH.json
"""
import argparse
import asyncio
import hashlib
import json
import sys

import websockets
import websockets.client
import websockets.server
from websockets.extensions.permessage_deflate import (
	ClientPerMessageDeflateFactory, ServerPerMessageDeflateFactory)

TIMEOUT = 20


def tmsg(d, payload, **kw):
	raw = payload.encode() if isinstance(payload, str) else payload
	op = "text" if isinstance(payload, str) else "binary"
	m = {"dir": d, "opcode": op, "length": len(raw)}
	if kw.get("truncated"):
		m["truncated"] = True
	elif len(raw) > 1024:
		m["sha256"] = hashlib.sha256(raw).hexdigest()
	elif op == "text":
		m["text"] = payload
	else:
		import base64
		m["data"] = base64.b64encode(raw).decode()
	return m


async def echo(ws, path):
	async for m in ws:
		if len(m) > (1 << 20):
			await ws.send("got %d bytes" % len(m))
		else:
			await ws.send(m)


SCEN = {
	"nct_smallwin": dict(port=9011,
		server=ServerPerMessageDeflateFactory(
			server_no_context_takeover=True,
			client_no_context_takeover=True,
			server_max_window_bits=10, client_max_window_bits=9),
		client=ClientPerMessageDeflateFactory(
			server_max_window_bits=10, client_max_window_bits=True),
		want="server_no_context_takeover"),
	"bomb": dict(port=9012, server=ServerPerMessageDeflateFactory(),
		client=ClientPerMessageDeflateFactory(), want=None),
}


def messages(name):
	line = "the quick brown fox jumps over the lazy dog %d\n"
	if name == "nct_smallwin":
		rep = "repeated text, repeated text, repeated text"
		return [rep, rep, ["frag", "mented ", "compressed \u2713"],
			bytes(range(200)) * 3,
			"".join(line % (i % 10) for i in range(400)), rep]
	return [bytes(100 << 20), "after the bomb: " + line % 1]


async def run(a):
	sc = SCEN[a.scenario]
	server = await websockets.server.serve(echo, "127.0.0.1", sc["port"],
		extensions=[sc["server"]], compression=None, max_size=None,
		ping_interval=None, close_timeout=5)
	out = []
	try:
		ws = await websockets.client.connect(
			"ws://127.0.0.1:%d/" % sc["port"], extensions=[sc["client"]],
			compression=None, max_size=None, ping_interval=None,
			close_timeout=5, open_timeout=TIMEOUT)
		ext = ws.response_headers.get("Sec-WebSocket-Extensions", "")
		if "permessage-deflate" not in ext or (sc["want"] and
				sc["want"] not in ext):
			raise RuntimeError("negotiated %r" % ext)
		for m in messages(a.scenario):
			await ws.send(m)
			whole = "".join(m) if isinstance(m, list) else m
			big = len(whole) > (1 << 20)
			out.append(tmsg("client", whole, truncated=big))
			got = await asyncio.wait_for(ws.recv(), TIMEOUT)
			if not big and got != whole:
				raise RuntimeError("echo differs")
			out.append(tmsg("server", got))
		await ws.close(code=1000, reason="")
		out.append({"dir": "client", "opcode": "close", "length": 2,
			"code": 1000, "reason": ""})
		out.append({"dir": "server", "opcode": "close", "length": 2,
			"code": ws.close_rcvd.code, "reason": ws.close_rcvd.reason})
	finally:
		server.close()
		await server.wait_closed()
	return ext, out


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("--scenario", required=True, choices=sorted(SCEN))
	ap.add_argument("--capture", required=True)
	ap.add_argument("--out", required=True)
	a = ap.parse_args()
	ext, out = asyncio.run(run(a))
	notes = ["deflate_negotiated"] + (["deflate_bomb"] if
		a.scenario == "bomb" else [])
	desc = {
		"nct_smallwin": "websockets client and server on loopback, no proxy; "
			"the 101 accepts '%s': no context takeover both ways, a "
			"10-bit server window and a 9-bit client window. Texts sent "
			"twice, a fragmented compressed text, a binary, an 18 KB "
			"compressible text; all echoed. Lengths are after inflate." % ext,
		"bomb": "websockets client and server on loopback, no proxy, "
			"'%s' (context takeover): the client sends 100 MiB of zeros as "
			"one compressed frame of about 100 KB (a deflate bomb: wstap "
			"cuts it, counts it and keeps the window in sync), the server "
			"answers with its size, then a text referring back into the "
			"bomb's window is echoed." % ext,
	}[a.scenario]
	truth = {"capture": a.capture, "description": desc,
		"generated_by": "tests/lab/run_deflate_lab.sh (websockets %s)" %
			websockets.__version__,
		"legs": [{"role": "client-server",
			"match": {"server_port": SCEN[a.scenario]["port"], "nth": 0},
			"via": "direct", "target": None, "proxy_status": None,
			"verdict": "ok", "deflate": True, "notes_include": notes,
			"messages": out}]}
	with open(a.out, "w", encoding="utf-8") as f:
		json.dump(truth, f, indent=1, ensure_ascii=False)
		f.write("\n")
	return 0


if __name__ == "__main__":
	sys.exit(main())
