#!/usr/bin/python3
"""Insert an 802.1Q tag into every frame of an Ethernet pcap.

Usage: pcap_add_vlan.py VID IN.pcap OUT.pcap

Used by run_lab.sh where the kernel has no 8021q module, so VLAN frames
cannot be produced on the wire.  The tag (TPID 0x8100, priority 0, DEI 0,
the given VLAN id) goes after the two MAC addresses, as IEEE 802.1Q
places it; captured and original lengths grow by 4.  Only classic pcap
with link type 1 (Ethernet) and either byte order is accepted.
"""
import struct
import sys


def main():
	if len(sys.argv) != 4:
		sys.exit(__doc__)
	vid = int(sys.argv[1])
	if not 0 < vid < 4095:
		sys.exit("pcap_add_vlan: VLAN id must be 1..4094")
	data = open(sys.argv[2], "rb").read()
	if len(data) < 24:
		sys.exit("pcap_add_vlan: input too short")
	magic = struct.unpack("<I", data[:4])[0]
	if magic in (0xa1b2c3d4, 0xa1b23c4d):
		e = "<"
	elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
		e = ">"
	else:
		sys.exit("pcap_add_vlan: not a classic pcap file")
	if struct.unpack(e + "I", data[20:24])[0] != 1:
		sys.exit("pcap_add_vlan: link type is not Ethernet")
	snap = struct.unpack(e + "I", data[16:20])[0]
	out = [data[:16], struct.pack(e + "I", snap + 4), data[20:24]]
	tag = struct.pack("!HH", 0x8100, vid)
	off = 24
	while off < len(data):
		if len(data) - off < 16:
			sys.exit("pcap_add_vlan: truncated record header")
		sec, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
		pkt = data[off + 16:off + 16 + incl]
		if len(pkt) != incl or incl < 14:
			sys.exit("pcap_add_vlan: truncated or runt packet")
		out.append(struct.pack(e + "IIII", sec, frac, incl + 4, orig + 4))
		out.append(pkt[:12] + tag + pkt[12:])
		off += 16 + incl
	with open(sys.argv[3], "wb") as f:
		f.write(b"".join(out))
	return 0


if __name__ == "__main__":
	sys.exit(main())
