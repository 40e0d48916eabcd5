#!/usr/bin/python3
"""bulk_wss.py - what decryption costs per byte (issue 10).

make bench's wss mix is made of short conversations (a handshake and a
few small messages per connection), so it measures TLS's per-connection
and per-record costs.  This measures bulk transfer: a python3-websockets
echo server and client on loopback exchange COUNT messages of SIZE bytes,
once over ws and once over wss (TLS 1.3, AES-128-GCM, the client writing
its key log), while tcpdump captures each.  Then wstap reads the three
ways (ws; wss without the key log; wss with it), best CPU time of 3, and
the MB/s and the cost of decrypting are printed.

Usage (root, tcpdump and openssl installed):
  /usr/bin/python3 bench/bulk_wss.py WSTAP [--count 400] [--size 65536]
"""
import argparse
import asyncio
import os
import resource
import shutil
import ssl
import subprocess
import sys
import tempfile
import time

import websockets


async def echo(ws, *_):
	async for m in ws:
		await ws.send(m)


async def talk(url, count, size, ctx):
	payload = os.urandom(size)
	async with websockets.connect(url, ssl=ctx, max_size=None,
				      compression=None) as ws:
		for _ in range(count):
			await ws.send(payload)
			if await ws.recv() != payload:
				raise SystemExit("bulk_wss: echo differs")


async def serve_and_talk(port, count, size, sctx, cctx):
	async with websockets.serve(echo, "127.0.0.1", port, ssl=sctx,
				    max_size=None, compression=None):
		scheme = "wss" if sctx else "ws"
		await talk(f"{scheme}://127.0.0.1:{port}/", count, size, cctx)


def capture(work, name, port, count, size, sctx, cctx):
	pcap = os.path.join(work, name + ".pcap")
	dump = subprocess.Popen(["tcpdump", "-i", "lo", "-s", "0", "-U", "-w",
				 pcap, f"tcp port {port}"],
				stdout=subprocess.DEVNULL,
				stderr=subprocess.DEVNULL)
	time.sleep(1.0)
	asyncio.run(serve_and_talk(port, count, size, sctx, cctx))
	time.sleep(1.0)
	dump.terminate()
	dump.wait()
	return pcap


def cpu_run(argv):
	"""CPU seconds of one run of argv (its output discarded)."""
	before = resource.getrusage(resource.RUSAGE_CHILDREN)
	subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
	after = resource.getrusage(resource.RUSAGE_CHILDREN)
	return (after.ru_utime - before.ru_utime) + \
	       (after.ru_stime - before.ru_stime)


def best(argv, n=3):
	return min(cpu_run(argv) for _ in range(n))


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("wstap")
	ap.add_argument("--count", type=int, default=400)
	ap.add_argument("--size", type=int, default=65536)
	a = ap.parse_args()
	if not shutil.which("tcpdump") or not shutil.which("openssl"):
		sys.exit("bulk_wss: needs tcpdump and openssl (apt-get install "
			 "tcpdump openssl)")
	work = tempfile.mkdtemp(prefix="wstap-bulk-")
	crt, key = os.path.join(work, "c.crt"), os.path.join(work, "c.key")
	subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
			"-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
			"-days", "1", "-subj", "/CN=bulk.lab.test", "-addext",
			"subjectAltName=IP:127.0.0.1", "-keyout", key, "-out",
			crt], check=True, stderr=subprocess.DEVNULL)
	sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
	sctx.load_cert_chain(crt, key)
	cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
	cctx.load_verify_locations(crt)
	cctx.minimum_version = ssl.TLSVersion.TLSv1_3
	keys = os.path.join(work, "wss.keys")
	cctx.keylog_filename = keys
	ws = capture(work, "ws", 9301, a.count, a.size, None, None)
	wss = capture(work, "wss", 9302, a.count, a.size, sctx, cctx)
	runs = [
		("ws", [a.wstap, "-q", "-r", ws, "-o", "/dev/null"], ws),
		("wss, no key log", [a.wstap, "-q", "-r", wss, "-o", "/dev/null"],
		 wss),
		("wss, --keylog", [a.wstap, "-q", "-r", wss, "--keylog", keys,
				   "-o", "/dev/null"], wss),
	]
	print(f"bulk: {a.count} messages of {a.size} bytes each way, echoed; "
	      f"captures in {work}")
	check = subprocess.run([a.wstap, "-q", "-r", wss, "--keylog", keys],
			       capture_output=True, text=True).stdout
	print("wss with keys:", check.strip().splitlines()[-1])
	times = {}
	for name, argv, pcap in runs:
		t = best(argv)
		times[name] = t
		mb = os.path.getsize(pcap) / 1e6
		print(f"  {name:16s} {mb:8.1f} MB  {t:6.3f} s CPU  "
		      f"{mb / t:8.1f} MB/s")
	print(f"decrypting costs {times['wss, --keylog'] / times['ws']:.2f}x "
	      f"the same transfer over ws "
	      f"({times['wss, --keylog'] / times['wss, no key log']:.2f}x the "
	      f"undecrypted wss)")


if __name__ == "__main__":
	main()
