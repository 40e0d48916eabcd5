#!/usr/bin/python3
"""gen_capture.py - builds a large benchmark capture from the samples.

    gen_capture.py [--mb 256] [--concurrency 64] [--seed 1]
                   [--samples DIR] OUT.pcap
    gen_capture.py --wss [--mb 96] [--keys OUT.keys] ... OUT.pcap

The capture is made of copies of the lab samples (real squid, tinyproxy
and python3-websockets traffic), played in CONCURRENCY slots that run side
by side: each slot plays one sample after another with a short idle pause
between them, and the slots' packets are merged in time order, so about
CONCURRENCY conversations (each one to three legs) are open at any moment
(the peak number of legs open at once is printed).
The file is complete when it reaches MB megabytes; a longer file at the
same concurrency is simply a larger --mb.

Each copy gets its own addresses and ports, so every copy is a set of new
legs, as on a busy proxy:
  - IPv4 addresses become benchmark addresses in 10.0.0.0/8 (the n-th
    distinct address of copy g is 10.(n*64 + g>>16).(g>>8).(g)); IPv6
    addresses become addresses in 2001:2::/48 (RFC 5180 benchmarking);
  - ephemeral ports are shifted by a per-copy amount (server ports stay);
  - nonces are made unique per copy, as they are in real traffic:
    Sec-WebSocket-Key is rewritten and its Sec-WebSocket-Accept
    recomputed (RFC 6455 §4.2.2), only where the original was right, so a
    deliberate mismatch stays one; the TLS ClientHello/ServerHello
    randoms are rewritten (RFC 8446 §4.1.2), the same way on both legs of
    a copy (a proxy relays them unchanged), except a HelloRetryRequest's
    fixed random and the randoms of TLS 1.2 samples with a key log (see
    --wss below);
  - checksums are updated incrementally (RFC 1624), so a packet keeps
    whatever checksum status it had.
Lengths never change, so sequence numbers stay valid.

The mix (weights below): uncompressed and permessage-deflate WebSocket
through CONNECT (squid, tinyproxy), wss (TLS inside CONNECT), proxy
refusals (407 then retry, 403, 503), forward-proxy Upgrade, handshake
failures, direct WebSocket with large messages, IPv6, and plain proxied
HTTP (a synthetic forward-proxy GET exchange: no sample has one).

--wss builds the wss mix instead (WSS_MIX: mostly wss through squid,
python3-websockets and Chromium, TLS 1.2 and 1.3, a little plain ws) and
writes the key log that opens every copy to OUT.keys, so the bench can
time decryption (issue 10).  How each copy's secrets are logged:
  - TLS 1.3: the logged secrets (CLIENT_HANDSHAKE_TRAFFIC_SECRET,
    SERVER_TRAFFIC_SECRET_0, ...) are the traffic secrets themselves;
    keys and IVs come from them by HKDF-Expand-Label alone (RFC 8446
    §7.3), and the randoms enter only through the transcript hash that
    was already spent in deriving them (§7.1).  So each copy gets fresh
    randoms and its own key log lines: the sample's secrets under the
    copy's new client random.  (The Finished MACs then no longer match
    the copy's transcript; nothing that decrypts from logged traffic
    secrets checks them.)
  - TLS 1.2 (CLIENT_RANDOM lines): the key block is PRF(master secret,
    "key expansion", server_random + client_random) (RFC 5246 §6.3), so
    new randoms would need every record re-encrypted.  These copies keep
    the sample's randoms instead, and one key log line opens them all.
    The price: copies of one TLS 1.2 sample share a client random (and,
    as in every wss copy, the Sec-WebSocket-Key inside the TLS), so two
    copies whose ClientHellos overlap in time can be linked across copies
    (wstap links legs by an identical ClientHello random and keeps the
    first link it finds): on the 96 MB mix, 130 of 2330 TLS 1.2 legs
    (65 pairs) were linked to a leg of another copy, every one still
    decrypted and ok.  Decryption is unaffected (each leg looks its
    random up and uses its own ServerHello), and leaving TLS 1.2 out would
    leave its ciphers (GCM, ChaCha20-Poly1305, CBC with HMAC) unmeasured.

Deterministic: the same arguments give the same bytes.  Prints one line
of figures (packets, legs, peak concurrent conversations, span).
"""
import argparse
import base64
import hashlib
import heapq
import os
import random
import struct
import sys

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
SERVER_PORTS = {80, 443, 3128, 3129, 8080, 8888, 9001, 9002, 9003, 9004,
		9005, 9006, 9007, 9008, 3130, 8000, 9}

# (sample, weight): how often a slot picks it.
MIX = [
	("squid_connect_ws.pcap", 6),
	("squid_connect_deflate.pcap", 6),
	("squid_connect_wss.pcap", 4),
	("tinyproxy_connect_ws.pcap", 3),
	("squid_forward_upgrade.pcap", 3),
	("squid_407.pcap", 2),
	("squid_403.pcap", 2),
	("squid_503.pcap", 2),
	("squid_accept_mismatch.pcap", 1),
	("squid_subprotocol_mismatch.pcap", 1),
	("squid_upgrade_rejected.pcap", 1),
	("squid_tls_rejected.pcap", 1),
	("seed_connect.pcap", 1),
	("netns_v6.pcap", 1),
	("direct_ws.pcap", 1),
	("@plain_http", 5),
]

# The wss mix (--wss): every wss sample that has a key log, mostly the
# TLS 1.3 ones (their copies are all distinct), and some plain ws.
WSS_MIX = [
	("squid_connect_wss.pcap", 4),       # TLS 1.3, AES-256-GCM
	("wss_tls13_chacha.pcap", 3),        # TLS 1.3, ChaCha20-Poly1305
	("wss_tls13_keyupdate.pcap", 1),     # TLS 1.3, KeyUpdate both ways
	("chromium_wss.pcap", 2),            # Chromium, TLS 1.3
	("chromium_wss_deflate.pcap", 2),    # Chromium, TLS 1.3, deflate
	("wss_tls12_gcm.pcap", 1),           # TLS 1.2, randoms kept
	("wss_tls12_chacha.pcap", 1),
	("wss_tls12_cbc.pcap", 1),
	("squid_connect_ws.pcap", 1),
	("squid_connect_deflate.pcap", 1),
]

# RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest;
# rewriting it would turn it into an ordinary ServerHello.
HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891"
	"c2a211167abb8c5e079e09e2c8a8339c")


def csum_add(a, b):
	s = a + b
	return (s & 0xffff) + (s >> 16)


def words(buf, start, end):
	"""One's complement sum of the 16-bit words in buf[start:end]
	(start even relative to the checksummed block; end padded)."""
	seg = bytes(buf[start:end])
	if len(seg) % 2:
		seg += b"\0"
	s = sum(struct.unpack("!%dH" % (len(seg) // 2), seg))
	while s >> 16:
		s = (s & 0xffff) + (s >> 16)
	return s


def fix_csum(buf, at, old_sum, new_sum):
	"""RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')."""
	hc = struct.unpack_from("!H", buf, at)[0]
	s = csum_add(~hc & 0xffff, ~old_sum & 0xffff)
	s = csum_add(s, new_sum)
	s = csum_add(s, 0)
	struct.pack_into("!H", buf, at, ~s & 0xffff)


class Pkt:
	"""One packet of a template, with where its fields are."""
	__slots__ = ("ts", "data", "l3", "v6", "l4", "plen", "nonces", "accept_ok")


def parse_template(data_list):
	"""data_list: [(ts, bytes)] of Ethernet frames.  Returns the packets
	and the template's addresses in order of first appearance."""
	pkts, addrs = [], []
	for ts, data in data_list:
		p = Pkt()
		p.ts, p.data, p.nonces, p.accept_ok = ts, data, [], False
		off, et = 12, struct.unpack_from("!H", data, 12)[0]
		while et in (0x8100, 0x88a8):
			off += 4
			et = struct.unpack_from("!H", data, off)[0]
		p.l3 = off + 2
		p.v6 = et == 0x86dd
		if et == 0x0800 and data[p.l3 + 9] == 6:
			p.l4 = p.l3 + (data[p.l3] & 15) * 4
			alen, aoff = 4, p.l3 + 12
			tot = struct.unpack_from("!H", data, p.l3 + 2)[0]
			end = min(len(data), p.l3 + tot)
		elif et == 0x86dd and data[p.l3 + 6] == 6:
			p.l4 = p.l3 + 40
			alen, aoff = 16, p.l3 + 8
			end = min(len(data), p.l4 + struct.unpack_from("!H", data,
				p.l3 + 4)[0])
		else:
			p.l4 = None
			pkts.append(p)
			continue
		for a in (data[aoff:aoff + alen], data[aoff + alen:aoff + 2 * alen]):
			if a not in addrs:
				addrs.append(a)
		pl = p.l4 + (data[p.l4 + 12] >> 4) * 4
		p.plen = end - pl
		find_nonces(p, data, pl, end)
		pkts.append(p)
	return pkts, addrs


def find_nonces(p, data, pl, end):
	"""Spans of per-connection nonces in the payload: (kind, start, end)."""
	pay = data[pl:end]
	for name, kind in ((b"sec-websocket-key", "key"),
			(b"sec-websocket-accept", "accept")):
		low = pay.lower()
		i = low.find(name)
		while i >= 0:
			j = pay.find(b":", i)
			k = pay.find(b"\r\n", i)
			if 0 <= j < k:
				v = j + 1
				while pay[v:v + 1] in (b" ", b"\t"):
					v += 1
				if k - v == 28 if kind == "accept" else k - v == 24:
					p.nonces.append((kind, pl + v, pl + k))
			i = low.find(name, i + 1)
	# A TLS handshake record starting the segment with a ClientHello (1)
	# or ServerHello (2): the random is bytes 11..43 of the record.
	if len(pay) >= 43 and pay[0] == 0x16 and pay[1] == 3 and pay[5] in (1, 2):
		if pay[11:43] != HRR_RANDOM:
			p.nonces.append(("crandom" if pay[5] == 1 else "srandom",
				pl + 11, pl + 43))


def read_pcap(path):
	d = open(path, "rb").read()
	magic, = struct.unpack_from("<I", d, 0)
	if magic != 0xa1b2c3d4:
		raise SystemExit("%s: not a little-endian microsecond pcap" % path)
	if struct.unpack_from("<I", d, 20)[0] != 1:
		raise SystemExit("%s: not Ethernet" % path)
	off, out = 24, []
	while off + 16 <= len(d):
		s, us, incl, _ = struct.unpack_from("<IIII", d, off)
		out.append((s + us / 1e6, d[off + 16:off + 16 + incl]))
		off += 16 + incl
	t0 = out[0][0]
	return [(t - t0, b) for t, b in out]


class Builder:
	"""Ethernet/IPv4/TCP frames of synthetic connections."""

	def __init__(self):
		self.frames = []

	def conn(self, t, cli, srv, exchanges):
		seq = {0: 0x10000000, 1: 0x20000000}
		ep = (cli, srv)

		def send(t, side, flags, payload=b""):
			src, dst = ep[side], ep[1 - side]
			fl = 0
			for ch, bit in (("F", 1), ("S", 2), ("P", 8), ("A", 16)):
				if ch in flags:
					fl |= bit
			ack = seq[1 - side] if "A" in flags else 0
			tcp = struct.pack("!HHIIBBHHH", src[1], dst[1], seq[side], ack,
				5 << 4, fl, 64240, 0, 0) + payload
			ph = src[0] + dst[0] + struct.pack("!BBH", 0, 6, len(tcp))
			c = ~words(ph + tcp, 0, len(ph + tcp)) & 0xffff
			tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
			ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0,
				0x4000, 64, 6, 0, src[0], dst[0])
			ip = ip[:10] + struct.pack("!H", ~words(ip, 0, 20) & 0xffff) + ip[12:]
			eth = b"\x00\x00\x5e\x00\x53\x02\x00\x00\x5e\x00\x53\x01\x08\x00"
			seq[side] = (seq[side] + len(payload) + ("S" in flags) +
				("F" in flags)) & 0xffffffff
			self.frames.append((t, eth + ip + tcp))

		send(t, 0, "S")
		send(t + 0.0001, 1, "SA")
		send(t + 0.0002, 0, "A")
		t += 0.0003
		for req, resp in exchanges:
			send(t, 0, "PA", req)
			t += 0.002
			for i in range(0, len(resp), 1448):
				send(t, 1, "PA", resp[i:i + 1448])
				t += 0.00005
			send(t, 0, "A")
			t += 0.001
		send(t, 0, "FA")
		send(t + 0.0001, 1, "FA")
		send(t + 0.0002, 0, "A")
		return t + 0.0002


def plain_http_template():
	"""A client fetching two pages through a forward proxy (absolute-form,
	RFC 9112 §3.2.2) and the proxy's onward connection (origin-form)."""
	rnd = random.Random(7)
	body = bytes(rnd.choice(b"abcdefghijklmnopqrstuvwxyz <>/\n")
		for _ in range(6000))
	cli = (bytes([127, 0, 0, 1]), 45000)
	prx = (bytes([127, 0, 0, 1]), 3128)
	prx_out = (bytes([127, 0, 0, 1]), 46000)
	srv = (bytes([127, 0, 0, 1]), 80)

	def resp(b, via):
		h = ("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
			"Content-Length: %d\r\n%s\r\n" % (len(b), via)).encode()
		return h + b

	ex_c, ex_s = [], []
	for path, b in (("/index.html", body), ("/style.css", body[:1500])):
		ex_c.append((("GET http://example.test%s HTTP/1.1\r\n"
			"Host: example.test\r\nUser-Agent: bench\r\n"
			"Accept: */*\r\nProxy-Connection: keep-alive\r\n\r\n" %
			path).encode(), resp(b, "Via: 1.1 proxy (squid/5.7)\r\n")))
		ex_s.append((("GET %s HTTP/1.1\r\nHost: example.test\r\n"
			"User-Agent: bench\r\nAccept: */*\r\nVia: 1.1 proxy "
			"(squid/5.7)\r\n\r\n" % path).encode(), resp(b, "")))
	b = Builder()
	b.conn(0.0, cli, prx, ex_c)
	b.conn(0.0006, prx_out, srv, ex_s)
	return sorted(b.frames, key=lambda x: x[0])


def read_keylog(path):
	"""The NSS key log lines of a sample: [(label, random, secret hex)]."""
	out = []
	if not os.path.exists(path):
		return out
	for ln in open(path):
		f = ln.split()
		if len(f) == 3 and not f[0].startswith("#") and len(f[1]) == 64:
			out.append((f[0], bytes.fromhex(f[1]), f[2]))
	return out


class TlsInfo:
	"""A template's TLS randoms and key log."""
	__slots__ = ("randoms", "keys", "keep")


def tls_info(pkts, keys):
	t = TlsInfo()
	t.randoms, crandoms = [], set()
	for p in pkts:
		for kind, s, e in p.nonces:
			r = bytes(p.data[s:e])
			if kind in ("crandom", "srandom") and r not in t.randoms:
				t.randoms.append(r)
			if kind == "crandom":
				crandoms.add(r)
	t.keys = [k for k in keys if k[1] in crandoms]
	# TLS 1.2 (a CLIENT_RANDOM master secret): the keys depend on both
	# randoms, so they stay (the module comment says why and the cost).
	t.keep = any(label == "CLIENT_RANDOM" for label, _, _ in t.keys)
	return t


def load_templates(samples, mix):
	tpls = []
	for name, w in mix:
		if name == "@plain_http":
			frames, keys = plain_http_template(), []
		else:
			frames = read_pcap(os.path.join(samples, name))
			keys = read_keylog(os.path.join(samples,
				os.path.splitext(name)[0] + ".keys"))
		pkts, addrs = parse_template(frames)
		span = max(p.ts for p in pkts)
		nbytes = sum(16 + len(p.data) for p in pkts)
		tpls.append((name, w, pkts, addrs, span, nbytes,
			tls_info(pkts, keys)))
	return tpls


def copy_addr(a, n, g):
	if len(a) == 4:
		return bytes([10, (n * 64 + (g >> 16)) & 255, (g >> 8) & 255, g & 255])
	return (bytes.fromhex("20010002") + struct.pack("!HHI", 0, n, 0) +
		struct.pack("!I", g))


def new_key(g):
	"""Per-copy Sec-WebSocket-Key: derived from the copy number."""
	h = hashlib.sha256(b"wstap-bench %d" % g).digest()
	return base64.b64encode(h[:16])


def new_randoms(g, tls):
	"""Per-copy TLS randoms, {template random: copy's random}, or None
	where the template's randoms stay.  A function of the copy number and
	the original, so both legs of a proxy get the same new random and a
	ClientHello repeated after a HelloRetryRequest keeps its random."""
	if tls.keep:
		return None
	return {r: hashlib.sha256(b"wstap-bench random %d " % g + r).digest()
		for r in tls.randoms}


def write_keys(f, tls, rmap, done):
	"""The copy's key log lines: TLS 1.3 secrets under the new client
	random; a kept TLS 1.2 template's lines once for all its copies."""
	if f is None or not tls.keys:
		return
	if rmap is None:
		if id(tls) in done:
			return
		done.add(id(tls))
		for label, r, sec in tls.keys:
			f.write("%s %s %s\n" % (label, r.hex(), sec))
		return
	for label, r, sec in tls.keys:
		f.write("%s %s %s\n" % (label, rmap[r].hex(), sec))


def rewrite(p, amap, g, pshift, key, rmap):
	if p.l4 is None:
		return p.data
	b = bytearray(p.data)
	l3, l4 = p.l3, p.l4
	alen, aoff = (16, l3 + 8) if p.v6 else (4, l3 + 12)
	tcp_end = l4 + (b[l4 + 12] >> 4) * 4 + p.plen
	# Regions whose words change: addresses (pseudo-header), ports,
	# nonce spans.  Old sums first, then rewrite, then new sums.
	old_a = words(b, aoff, aoff + 2 * alen)
	old_ip = 0 if p.v6 else old_a
	old_p = words(b, l4, l4 + 4)
	spans = []
	for kind, s, e in p.nonces:
		rs = l4 + ((s - l4) & ~1)
		re_ = l4 + ((e - l4 + 1) & ~1)
		spans.append((kind, s, e, rs, min(re_, tcp_end)))
	old_n = [words(b, rs, re_) for _, _, _, rs, re_ in spans]
	for i in (0, 1):
		o = aoff + i * alen
		b[o:o + alen] = amap[bytes(b[o:o + alen])]
	for o in (l4, l4 + 2):
		port, = struct.unpack_from("!H", b, o)
		if port not in SERVER_PORTS:
			# Into 10000..59999: clear of the server ports.
			struct.pack_into("!H", b, o, 10000 + (port + pshift) % 50000)
	for kind, s, e, _, _ in spans:
		if kind == "key":
			b[s:e] = key
		elif kind == "accept":
			if p.accept_ok:
				b[s:e] = base64.b64encode(hashlib.sha1(key + GUID).digest())
		elif rmap is not None:
			b[s:e] = rmap[bytes(p.data[s:e])]
	new_a = words(b, aoff, aoff + 2 * alen)
	if not p.v6:
		fix_csum(b, l3 + 10, old_ip, new_a)
	old_t = csum_add(csum_add(old_a, old_p), 0)
	new_t = csum_add(new_a, words(b, l4, l4 + 4))
	for (_, _, _, rs, re_), on in zip(spans, old_n):
		old_t = csum_add(old_t, on)
		new_t = csum_add(new_t, words(b, rs, re_))
	fix_csum(b, l4 + 16, old_t, new_t)
	return bytes(b)


def mark_accepts(pkts):
	"""Whether each accept in the template was right for its key: only
	those are recomputed for the copy."""
	keys = []
	for p in pkts:
		for kind, s, e in p.nonces:
			if kind == "key":
				keys.append(bytes(p.data[s:e]))
	for p in pkts:
		for kind, s, e in p.nonces:
			if kind == "accept":
				acc = bytes(p.data[s:e])
				p.accept_ok = any(base64.b64encode(hashlib.sha1(k + GUID)
					.digest()) == acc for k in keys)


def slot_events(slot, tpls, weights, rng, state, gap):
	"""Yields (ts, order, frame) for one slot until the size is reached."""
	t = 1700000000.0 + slot * 0.0137
	order = 0
	while state["bytes"] < state["target"]:
		name, _, pkts, addrs, span, nbytes, tls = rng.choices(tpls,
			weights)[0]
		g = state["copies"]
		state["copies"] += 1
		state["bytes"] += nbytes
		state["legs"] += len(state["legs_of"][name])
		amap = {a: copy_addr(a, n, g) for n, a in enumerate(addrs)}
		pshift = (g * 7919) % 50000
		key, rmap = new_key(g), new_randoms(g, tls)
		write_keys(state["keylog"], tls, rmap, state["keys_done"])
		for fs, fe in state["legs_of"][name]:
			state["open"].append((t + fs, t + fe))
		for p in pkts:
			order += 1
			yield (t + p.ts, slot, order,
				rewrite(p, amap, g, pshift, key, rmap))
		t += span + rng.uniform(gap * 0.5, gap * 1.5)


def peak_concurrency(intervals):
	ev = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
	cur = peak = 0
	for _, d in ev:
		cur += d
		peak = max(peak, cur)
	return peak


def main():
	ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	ap.add_argument("out")
	ap.add_argument("--mb", type=float, default=None,
		help="size in MB (default 256; 96 with --wss)")
	ap.add_argument("--wss", action="store_true",
		help="the wss mix, with its key log (issue 10)")
	ap.add_argument("--keys", help="with --wss: where the key log goes "
		"(default OUT with .keys for .pcap)")
	ap.add_argument("--concurrency", type=int, default=64)
	ap.add_argument("--seed", type=int, default=1)
	ap.add_argument("--gap", type=float, default=0.002,
		help="mean idle seconds between conversations in a slot")
	ap.add_argument("--samples", default=os.path.join(
		os.path.dirname(os.path.abspath(__file__)), "..", "samples"))
	args = ap.parse_args()
	if args.mb is None:
		args.mb = 96 if args.wss else 256
	tpls = load_templates(args.samples, WSS_MIX if args.wss else MIX)
	for tpl in tpls:
		mark_accepts(tpl[2])
	legs_of = {}
	for name, _, pkts, _, _, _, _ in tpls:
		flows = {}
		for p in pkts:
			if p.l4 is None:
				continue
			d = p.data
			alen, aoff = (16, p.l3 + 8) if p.v6 else (4, p.l3 + 12)
			a = (d[aoff:aoff + alen], d[p.l4:p.l4 + 2])
			b = (d[aoff + alen:aoff + 2 * alen], d[p.l4 + 2:p.l4 + 4])
			k = tuple(sorted((a, b)))
			fs, _ = flows.get(k, (p.ts, p.ts))
			flows[k] = (fs, p.ts)
		legs_of[name] = list(flows.values())
	weights = [tpl[1] for tpl in tpls]
	keylog = None
	if args.wss:
		kpath = args.keys or (os.path.splitext(args.out)[0] + ".keys"
			if args.out.endswith(".pcap") else args.out + ".keys")
		keylog = open(kpath, "w", buffering=1 << 20)
		keylog.write("# TLS secrets for %s (bench/gen_capture.py --wss)\n"
			% os.path.basename(args.out))
	state = {"bytes": 24, "target": int(args.mb * 1e6), "copies": 0,
		"legs": 0, "legs_of": legs_of, "open": [], "keylog": keylog,
		"keys_done": set()}
	gens = [slot_events(s, tpls, weights, random.Random(args.seed * 1000 + s),
		state, args.gap) for s in range(args.concurrency)]
	npk = 0
	first = last = None
	with open(args.out, "wb", buffering=1 << 20) as f:
		f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
		for ts, _, _, data in heapq.merge(*gens):
			us = int(round(ts * 1e6))
			f.write(struct.pack("<IIII", us // 1000000, us % 1000000,
				len(data), len(data)))
			f.write(data)
			npk += 1
			first = ts if first is None else first
			last = ts
	if keylog:
		keylog.close()
	size = os.path.getsize(args.out)
	print("%s: %.1f MB, %d packets, %d copies, %d legs, peak %d concurrent "
		"legs, %.0f s of capture time" % (args.out, size / 1e6, npk,
		state["copies"], state["legs"], peak_concurrency(state["open"]),
		last - first))


if __name__ == "__main__":
	sys.exit(main())
