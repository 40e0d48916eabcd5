#!/usr/bin/env python3
"""make_stress.py halfopen|hole OUT.pcap: captures for measuring memory
bounds (documentation addresses only).
  halfopen  100,000 SYNs from distinct 4-tuples, never answered
  hole      one connection whose first data segment never comes, followed
            by 100 MiB of data that would all wait behind the hole
Measure: /usr/bin/time -f %M wstap -q -r OUT.pcap --memcap N -T jsonl
(the final stats record shows the caps hit)."""
import struct, sys
def pkt(src, dst, sport, dport, seq, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 0x50, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    return b"\x00" * 12 + b"\x08\x00" + ip + tcp
def write(path, pkts):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", 1700000000 + i // 100000, i % 1000000, len(p), len(p)))
            f.write(p)
kind = sys.argv[1]
if kind == "halfopen":
    def gen():
        for i in range(100000):
            src = bytes([192, 0, 2, 1 + i % 250])
            yield pkt(src, bytes([198, 51, 100, 1]), 1024 + i // 250, 80, i * 7919, 0x02)
    write(sys.argv[2], gen())
else:
    def gen():
        c, s = bytes([192, 0, 2, 1]), bytes([198, 51, 100, 1])
        yield pkt(c, s, 40000, 80, 1000, 0x02)
        yield pkt(s, c, 80, 40000, 5000, 0x12)
        seq = 1001 + 1400  # the first segment never comes
        chunk = bytes(range(256)) * 6
        for i in range((100 << 20) // 1400):
            yield pkt(c, s, 40000, 80, seq, 0x18, chunk[:1400])
            seq = (seq + 1400) & 0xffffffff
    write(sys.argv[2], gen())
