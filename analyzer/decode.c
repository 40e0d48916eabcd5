/* decode.c - link, IP and TCP header decoding (RFC 791, RFC 8200,
 * RFC 9293, IEEE 802.1Q) through a bounds-checked cursor. */
#include "decode.h"
#include "text.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "cursor.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86DD
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88A8
#define ETH_QINQ_OLD 0x9100

#define IPPROTO_TCP_NUM 6
#define MAX_VLAN_TAGS 8
#define MAX_IPV6_EXT 16

static enum decode_result fail(struct decode_why *why, enum decode_result r,
			       const char *what)
{
	why->what = what;
	return r;
}

static enum decode_result decode_tcp(struct cur *c, size_t wire_len,
				     struct tcp_segment *out,
				     struct decode_why *why)
{
	const uint8_t *start = c->p;
	uint8_t off_flags, flags;

	if (!cur_be16(c, &out->src.port) || !cur_be16(c, &out->dst.port) ||
	    !cur_be32(c, &out->seq) || !cur_be32(c, &out->ack) ||
	    !cur_u8(c, &off_flags) || !cur_u8(c, &flags) ||
	    !cur_be16(c, &out->window) || !cur_skip(c, 4))
		return fail(why, DEC_TRUNCATED, "TCP header");
	/* RFC 9293 §3.1: Data Offset counts 32-bit words; 5 is the minimum. */
	size_t hlen = (size_t)(off_flags >> 4) * 4;
	if (hlen < 20)
		return fail(why, DEC_INVALID, "TCP data offset below 5");
	if (hlen > wire_len)
		return fail(why, DEC_INVALID, "TCP data offset beyond segment");
	/* Options: skipped whole; none changes how bytes are delivered. */
	if (!cur_skip(c, hlen - 20))
		return fail(why, DEC_TRUNCATED, "TCP options");
	out->flags = flags;
	out->payload = c->p;
	size_t consumed = (size_t)(c->p - start);
	out->payload_wire = wire_len - consumed;
	out->payload_len = cur_left(c) < out->payload_wire ? cur_left(c) :
							      out->payload_wire;
	return DEC_TCP;
}

static enum decode_result decode_ipv4(struct cur *c, struct tcp_segment *out,
				      struct decode_why *why)
{
	uint8_t vihl, proto;
	uint16_t total, id, frag;

	if (!cur_u8(c, &vihl) || !cur_skip(c, 1) || !cur_be16(c, &total) ||
	    !cur_be16(c, &id) || !cur_be16(c, &frag) || !cur_skip(c, 1) ||
	    !cur_u8(c, &proto) || !cur_skip(c, 2))
		return fail(why, DEC_TRUNCATED, "IPv4 header");
	if ((vihl >> 4) != 4)
		return fail(why, DEC_INVALID, "IPv4 version");
	size_t ihl = (size_t)(vihl & 0x0f) * 4;
	/* RFC 791: IHL is at least 5 words; Total Length covers the header. */
	if (ihl < 20 || total < ihl)
		return fail(why, DEC_INVALID, "IPv4 header length");
	out->src.family = out->dst.family = 4;
	memset(out->src.addr, 0, sizeof out->src.addr);
	memset(out->dst.addr, 0, sizeof out->dst.addr);
	if (!cur_copy(c, out->src.addr, 4) || !cur_copy(c, out->dst.addr, 4) ||
	    !cur_skip(c, ihl - 20))
		return fail(why, DEC_TRUNCATED, "IPv4 header");
	/* RFC 791 §3.1: More Fragments set or a non-zero offset (in 8-byte
	 * units): a fragment, handed out whole for reassembly. */
	if ((frag & 0x2000) || (frag & 0x1fff)) {
		struct ip_frag *f = &why->frag;
		size_t wire = (size_t)total - ihl;
		if (cur_left(c) < wire)
			return fail(why, DEC_TRUNCATED, "IPv4 fragment");
		f->family = 4;
		memcpy(f->src, out->src.addr, 16);
		memcpy(f->dst, out->dst.addr, 16);
		f->id = id;
		f->proto = proto;
		f->offset = (uint32_t)(frag & 0x1fff) * 8;
		f->more = frag & 0x2000;
		f->data = c->p;
		f->len = wire;
		return DEC_FRAGMENT;
	}
	if (proto != IPPROTO_TCP_NUM)
		return DEC_NOT_TCP;
	/* Trust Total Length over the link layer's idea of the size (which
	 * may include Ethernet padding); the cursor still guards the reads. */
	size_t wire = (size_t)total - ihl;
	struct cur tcp = *c;
	if (cur_left(&tcp) > wire)
		tcp.end = tcp.p + wire;
	return decode_tcp(&tcp, wire, out, why);
}

/* RFC 8200 §4: extension headers that carry a Next Header field and a
 * length in 8-octet units (not counting the first 8). */
static bool ipv6_ext_header(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 ||
	       nh == 140;
}

/* Walks the extension headers from Next Header `nh` over `left` bytes at
 * p, to TCP or a Fragment header. */
static enum decode_result ipv6_chain(struct cur *pc, uint8_t nh, size_t left,
				     struct tcp_segment *out,
				     struct decode_why *why)
{
	struct cur p = *pc;

	for (int i = 0; i < MAX_IPV6_EXT; i++) {
		if (nh == IPPROTO_TCP_NUM)
			return decode_tcp(&p, left, out, why);
		if (nh == 44) {
			/* RFC 8200 §4.5: Next Header, reserved, offset (13
			 * bits, 8-byte units), 2 reserved bits, M, then a
			 * 32-bit Identification. */
			uint8_t next, res;
			uint16_t offm;
			uint32_t id;
			if (!cur_u8(&p, &next) || !cur_u8(&p, &res) ||
			    !cur_be16(&p, &offm) || !cur_be32(&p, &id))
				return fail(why, DEC_TRUNCATED,
					    "IPv6 fragment header");
			if (left < 8)
				return fail(why, DEC_INVALID,
					    "IPv6 fragment header length");
			left -= 8;
			if ((offm & 0xfff8) == 0 && !(offm & 1)) {
				/* An atomic fragment (RFC 6946): a whole
				 * datagram, processed as it is. */
				nh = next;
				continue;
			}
			struct ip_frag *f = &why->frag;
			if (cur_left(&p) < left)
				return fail(why, DEC_TRUNCATED, "IPv6 fragment");
			f->family = 6;
			memcpy(f->src, out->src.addr, 16);
			memcpy(f->dst, out->dst.addr, 16);
			f->id = id;
			f->proto = next;
			f->offset = (uint32_t)(offm >> 3) * 8;
			f->more = offm & 1;
			f->data = p.p;
			f->len = left;
			return DEC_FRAGMENT;
		}
		if (nh == 51) { /* AH (RFC 4302): length in 4-octet units, +2 */
			uint8_t next, len;
			if (!cur_u8(&p, &next) || !cur_u8(&p, &len))
				return fail(why, DEC_TRUNCATED, "IPv6 AH");
			size_t total = ((size_t)len + 2) * 4;
			/* A length beyond Payload Length is inconsistent, not
			 * a short capture (as for the other extensions). */
			if (total > left)
				return fail(why, DEC_INVALID, "IPv6 AH length");
			if (!cur_skip(&p, total - 2))
				return fail(why, DEC_TRUNCATED, "IPv6 AH");
			left -= total;
			nh = next;
			continue;
		}
		if (!ipv6_ext_header(nh))
			return DEC_NOT_TCP;
		uint8_t next, len;
		if (!cur_u8(&p, &next) || !cur_u8(&p, &len))
			return fail(why, DEC_TRUNCATED, "IPv6 extension header");
		size_t total = ((size_t)len + 1) * 8;
		if (total > left)
			return fail(why, DEC_INVALID, "IPv6 extension length");
		if (!cur_skip(&p, total - 2))
			return fail(why, DEC_TRUNCATED, "IPv6 extension header");
		left -= total;
		nh = next;
	}
	return fail(why, DEC_INVALID, "IPv6 extension chain too long");
}

static enum decode_result decode_ipv6(struct cur *c, struct tcp_segment *out,
				      struct decode_why *why)
{
	uint8_t v, nh;
	uint16_t plen;

	if (!cur_u8(c, &v) || !cur_skip(c, 3) || !cur_be16(c, &plen) ||
	    !cur_u8(c, &nh) || !cur_skip(c, 1))
		return fail(why, DEC_TRUNCATED, "IPv6 header");
	if ((v >> 4) != 6)
		return fail(why, DEC_INVALID, "IPv6 version");
	out->src.family = out->dst.family = 6;
	if (!cur_copy(c, out->src.addr, 16) || !cur_copy(c, out->dst.addr, 16))
		return fail(why, DEC_TRUNCATED, "IPv6 addresses");
	size_t left = plen; /* payload bytes after the fixed header */
	struct cur p = *c;
	if (cur_left(&p) > left)
		p.end = p.p + left;
	return ipv6_chain(&p, nh, left, out, why);
}

static enum decode_result decode_ethertype(uint16_t type, struct cur *c,
					   struct tcp_segment *out,
					   struct decode_why *why)
{
	if (type == ETH_IPV4)
		return decode_ipv4(c, out, why);
	if (type == ETH_IPV6)
		return decode_ipv6(c, out, why);
	return DEC_NOT_IP;
}

static enum decode_result decode_ether(struct cur *c, struct tcp_segment *out,
				       struct decode_why *why)
{
	uint16_t type;

	if (!cur_skip(c, 12) || !cur_be16(c, &type))
		return fail(why, DEC_TRUNCATED, "Ethernet header");
	/* 802.1Q and 802.1ad tags, stacked for QinQ: 2 bytes TCI, then the
	 * next EtherType. */
	for (int i = 0; i < MAX_VLAN_TAGS &&
	     (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD);
	     i++) {
		if (!cur_skip(c, 2) || !cur_be16(c, &type))
			return fail(why, DEC_TRUNCATED, "802.1Q tag");
	}
	return decode_ethertype(type, c, out, why);
}

static enum decode_result decode_raw(struct cur *c, struct tcp_segment *out,
				     struct decode_why *why)
{
	if (!cur_has(c, 1))
		return fail(why, DEC_TRUNCATED, "IP header");
	uint8_t v = (uint8_t)(c->p[0] >> 4);
	if (v == 4)
		return decode_ipv4(c, out, why);
	if (v == 6)
		return decode_ipv6(c, out, why);
	return fail(why, DEC_INVALID, "IP version");
}

/* BSD NULL/LOOP: a 4-byte address family, host order for NULL (so either
 * order is seen), network order for LOOP.  AF_INET is 2 everywhere; AF_INET6
 * is 24, 28 or 30 depending on the BSD. */
static enum decode_result decode_null(struct cur *c, bool loop,
				      struct tcp_segment *out,
				      struct decode_why *why)
{
	uint32_t af_le, af;

	if (!cur_le32(c, &af_le))
		return fail(why, DEC_TRUNCATED, "loopback header");
	af = loop ? ((af_le & 0xff) << 24 | (af_le & 0xff00) << 8 |
		     (af_le >> 8 & 0xff00) | af_le >> 24) : af_le;
	if (!loop && (af & 0xffff) == 0)
		af >>= 24; /* written big-endian by the capturing host */
	if (af == 2)
		return decode_ipv4(c, out, why);
	if (af == 24 || af == 28 || af == 30)
		return decode_ipv6(c, out, why);
	return DEC_NOT_IP;
}

enum decode_result decode_packet(int linktype, const uint8_t *data,
				 size_t caplen, struct tcp_segment *out,
				 struct decode_why *why)
{
	struct cur c = cur_make(data, caplen);
	uint16_t type;

	why->what = NULL;
	switch (linktype) {
	case LT_EN10MB:
		return decode_ether(&c, out, why);
	case LT_RAW:
	case LT_RAW_OPENBSD:
	case LT_RAW_ALT:
	case LT_IPV4:
	case LT_IPV6:
		return decode_raw(&c, out, why);
	case LT_NULL:
		return decode_null(&c, false, out, why);
	case LT_LOOP:
		return decode_null(&c, true, out, why);
	case LT_LINUX_SLL:
		/* packet type, ARPHRD, address length, 8 address bytes, then
		 * the protocol (EtherType) */
		if (!cur_skip(&c, 14) || !cur_be16(&c, &type))
			return fail(why, DEC_TRUNCATED, "Linux cooked header");
		return decode_ethertype(type, &c, out, why);
	case LT_LINUX_SLL2:
		/* protocol first, then reserved, ifindex, ARPHRD, packet
		 * type, address length, 8 address bytes: 20 bytes */
		if (!cur_be16(&c, &type) || !cur_skip(&c, 18))
			return fail(why, DEC_TRUNCATED, "Linux cooked v2 header");
		return decode_ethertype(type, &c, out, why);
	default:
		return fail(why, DEC_UNSUPPORTED, "link type");
	}
}

enum decode_result decode_reassembled(const struct ip_frag *f,
				      const uint8_t *data, size_t len,
				      struct tcp_segment *out,
				      struct decode_why *why)
{
	struct cur c = cur_make(data, len);

	why->what = NULL;
	out->src.family = out->dst.family = f->family;
	memcpy(out->src.addr, f->src, 16);
	memcpy(out->dst.addr, f->dst, 16);
	if (f->family == 6) {
		/* A Fragment header inside a reassembled datagram would be
		 * a fragment of a fragment: not something to reassemble. */
		enum decode_result r = ipv6_chain(&c, f->proto, len, out, why);
		return r == DEC_FRAGMENT ?
			       fail(why, DEC_INVALID, "nested IPv6 fragment") : r;
	}
	if (f->proto != IPPROTO_TCP_NUM)
		return DEC_NOT_TCP;
	return decode_tcp(&c, len, out, why);
}

void endpoint_format(const struct ip_endpoint *e, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (e->family == 4) {
		/* text_format, not inet_ntop and snprintf: those were 3% of
		 * the time on a capture of short connections (two per leg) */
		text_format(buf, size, "%u.%u.%u.%u:%u", e->addr[0], e->addr[1],
			    e->addr[2], e->addr[3], (unsigned)e->port);
	} else {
		inet_ntop(AF_INET6, e->addr, a, sizeof a);
		text_format(buf, size, "[%s]:%u", a, (unsigned)e->port);
	}
}
