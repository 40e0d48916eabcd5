"""pcapread.py - reads pcap (micro- or nanosecond, either byte order) and
pcapng (any if_tsresol) into (ts_ns, linktype, caplen, wirelen, data,
comments) tuples, for the export tests.  Standard library only."""
import struct


def read(path):
    with open(path, "rb") as f:
        b = f.read()
    if len(b) < 4:
        raise ValueError(f"{path}: too short")
    magic = b[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        return list(_pcapng(b, path))
    return list(_pcap(b, path))


def _pcap(b, path):
    for e in "<>":
        (m,) = struct.unpack(e + "I", b[:4])
        if m in (0xA1B2C3D4, 0xA1B23C4D):
            break
    else:
        raise ValueError(f"{path}: not pcap")
    scale = 1000 if m == 0xA1B2C3D4 else 1
    (linktype,) = struct.unpack(e + "I", b[20:24])
    off = 24
    while off + 16 <= len(b):
        sec, frac, cap, wire = struct.unpack(e + "IIII", b[off:off + 16])
        data = b[off + 16:off + 16 + cap]
        if len(data) != cap:
            raise ValueError(f"{path}: truncated record at {off}")
        yield (sec * 1000000000 + frac * scale, linktype & 0xFFFF, cap, wire, data, ())
        off += 16 + cap
    if off != len(b):
        raise ValueError(f"{path}: {len(b) - off} trailing bytes")


def _options(b, e):
    off = 0
    while off + 4 <= len(b):
        code, n = struct.unpack(e + "HH", b[off:off + 4])
        if code == 0:
            return
        yield code, b[off + 4:off + 4 + n]
        off += 4 + ((n + 3) & ~3)


def _pcapng(b, path):
    off = 0
    e = "<"
    ifaces = []
    while off + 12 <= len(b):
        btype = struct.unpack(e + "I", b[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = b[off + 8:off + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        blen = struct.unpack(e + "I", b[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(b):
            raise ValueError(f"{path}: bad block length at {off}")
        if struct.unpack(e + "I", b[off + blen - 4:off + blen])[0] != blen:
            raise ValueError(f"{path}: trailing length mismatch at {off}")
        body = b[off + 8:off + blen - 4]
        if btype == 1:
            lt, _, _snap = struct.unpack(e + "HHI", body[:8])
            res = 6
            for code, v in _options(body[8:], e):
                if code == 9:
                    res = v[0]
            ifaces.append((lt, res))
        elif btype == 6:
            ifid, hi, lo, cap, wire = struct.unpack(e + "IIIII", body[:20])
            data = body[20:20 + cap]
            lt, res = ifaces[ifid]
            t = (hi << 32) | lo
            if res & 0x80:
                raise ValueError(f"{path}: power-of-two tsresol not supported")
            ts = t * 10 ** (9 - res) if res <= 9 else t // 10 ** (res - 9)
            pad = (cap + 3) & ~3
            comments = tuple(v.decode("utf-8") for c, v in
                             _options(body[20 + pad:], e) if c == 1)
            yield (ts, lt, cap, wire, data, comments)
        off += blen
    if off != len(b):
        raise ValueError(f"{path}: {len(b) - off} trailing bytes")
