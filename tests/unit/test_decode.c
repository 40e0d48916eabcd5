/* test_decode.c - analyzer/decode.c: packets assembled byte by byte for
 * every link type (Ethernet with 802.1Q/QinQ tags, Linux SLL/SLL2, BSD
 * NULL/LOOP, raw IP), IPv4 with options, IPv6 with extension headers, TCP
 * with options.  Every prefix of a valid packet is decoded right before a
 * PROT_NONE page, so a read past caplen crashes the test instead of
 * passing quietly. */
/* mmap's MAP_ANONYMOUS (configure also passes -D_GNU_SOURCE). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "decode.h"
#include "suites.h"

#define PKT_MAX 2048

/* What to assemble.  Zero means "the usual" for most fields. */
struct spec {
	int linktype;
	int ipver;              /* 4 or 6 */
	uint32_t null_af;       /* NULL/LOOP address family (0: 2 or 24) */
	bool null_af_be;        /* NULL: written by a big-endian host */
	const uint16_t *tags;   /* Ethernet: TPIDs of stacked VLAN tags */
	size_t ntags;
	uint16_t ethertype;     /* 0: from ipver */
	size_t ip4_opt_words;   /* IPv4 options, in 32-bit words (0..10) */
	uint16_t ip4_frag;      /* IPv4 flags + fragment offset field */
	const uint8_t *ext6;    /* IPv6 extension header types, in order */
	size_t next6;
	uint8_t l4proto;        /* 0: TCP */
	size_t tcp_opt_words;   /* TCP options, in 32-bit words (0..10) */
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t sport, dport;
	size_t payload_len;
	size_t pad;             /* link bytes after the IP datagram */
};

/* Where things landed in the assembled packet. */
struct layout {
	size_t len;             /* whole packet */
	size_t tcp_off;         /* start of the TCP header */
	size_t payload_off;     /* end of the TCP header */
	size_t ip_end;          /* end of the IP datagram (before padding) */
};

static const uint8_t ip4_src[4] = { 192, 0, 2, 1 };
static const uint8_t ip4_dst[4] = { 198, 51, 100, 2 };
static const uint8_t ip6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				     0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t ip6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				     0, 0, 0, 0, 0, 0, 0, 2 };

static uint8_t payload_byte(size_t i)
{
	return (uint8_t)(i * 7 + 3);
}

static void put8(uint8_t *b, size_t *n, unsigned v)
{
	b[(*n)++] = (uint8_t)v;
}

static void put16(uint8_t *b, size_t *n, unsigned v)
{
	put8(b, n, v >> 8);
	put8(b, n, v);
}

static void put32(uint8_t *b, size_t *n, uint32_t v)
{
	put16(b, n, v >> 16);
	put16(b, n, v & 0xffff);
}

static void putbytes(uint8_t *b, size_t *n, const uint8_t *p, size_t len)
{
	memcpy(b + *n, p, len);
	*n += len;
}

static void set16(uint8_t *b, size_t at, unsigned v)
{
	b[at] = (uint8_t)(v >> 8);
	b[at + 1] = (uint8_t)v;
}

/* The link header, naming the network protocol. */
static void build_link(const struct spec *s, uint8_t *b, size_t *n)
{
	uint16_t et = s->ethertype ? s->ethertype :
				     (s->ipver == 6 ? 0x86DD : 0x0800);
	uint32_t af = s->null_af ? s->null_af : (s->ipver == 6 ? 24 : 2);

	switch (s->linktype) {
	case LT_EN10MB:
		for (int i = 0; i < 6; i++)
			put8(b, n, 0x02);         /* destination MAC */
		for (int i = 0; i < 6; i++)
			put8(b, n, 0x04 + i);     /* source MAC */
		for (size_t i = 0; i < s->ntags; i++) {
			put16(b, n, s->tags[i]);
			put16(b, n, 0x0064 + i);  /* PCP 0, VID 100+i */
		}
		put16(b, n, et);
		break;
	case LT_LINUX_SLL:
		put16(b, n, 0);          /* packet type: to us */
		put16(b, n, 1);          /* ARPHRD_ETHER */
		put16(b, n, 6);          /* address length */
		for (int i = 0; i < 8; i++)
			put8(b, n, 0x10 + i);
		put16(b, n, et);
		break;
	case LT_LINUX_SLL2:
		put16(b, n, et);
		put16(b, n, 0);          /* reserved */
		put32(b, n, 3);          /* interface index */
		put16(b, n, 1);          /* ARPHRD_ETHER */
		put8(b, n, 4);           /* packet type: outgoing */
		put8(b, n, 6);           /* address length */
		for (int i = 0; i < 8; i++)
			put8(b, n, 0x20 + i);
		break;
	case LT_NULL:
		if (s->null_af_be) {
			put32(b, n, af);
		} else {
			put8(b, n, af);
			put8(b, n, af >> 8);
			put8(b, n, af >> 16);
			put8(b, n, af >> 24);
		}
		break;
	case LT_LOOP:
		put32(b, n, af);
		break;
	default:
		break; /* raw IP and unknown: no link header */
	}
}

static void build_tcp(const struct spec *s, uint8_t *b, size_t *n,
		      struct layout *l)
{
	size_t words = 5 + s->tcp_opt_words;

	l->tcp_off = *n;
	put16(b, n, s->sport);
	put16(b, n, s->dport);
	put32(b, n, s->seq);
	put32(b, n, s->ack);
	put8(b, n, (unsigned)(words << 4));
	put8(b, n, s->flags);
	put16(b, n, 0xfaf0);     /* window */
	put16(b, n, 0);          /* checksum (not verified) */
	put16(b, n, 0);          /* urgent pointer */
	for (size_t i = 0; i < s->tcp_opt_words; i++) {
		if (i == 0) {    /* MSS 1460 */
			put8(b, n, 2);
			put8(b, n, 4);
			put16(b, n, 1460);
		} else {         /* NOPs */
			put32(b, n, 0x01010101);
		}
	}
	l->payload_off = *n;
	for (size_t i = 0; i < s->payload_len; i++)
		put8(b, n, payload_byte(i));
}

/* The transport part (TCP or UDP) into b at *n. */
static void build_l4(const struct spec *s, uint8_t *b, size_t *n,
		     struct layout *l)
{
	if (s->l4proto == 0 || s->l4proto == 6) {
		build_tcp(s, b, n, l);
		return;
	}
	/* UDP: 8-byte header then the payload. */
	l->tcp_off = l->payload_off = *n;
	put16(b, n, s->sport);
	put16(b, n, s->dport);
	put16(b, n, (unsigned)(8 + s->payload_len));
	put16(b, n, 0);
	for (size_t i = 0; i < s->payload_len; i++)
		put8(b, n, payload_byte(i));
}

static void build_ip4(const struct spec *s, uint8_t *b, size_t *n,
		      struct layout *l)
{
	size_t start = *n;
	size_t ihl = 5 + s->ip4_opt_words;

	put8(b, n, (unsigned)(0x40 | ihl));
	put8(b, n, 0);
	put16(b, n, 0);          /* total length, set below */
	put16(b, n, 0x1234);     /* identification */
	put16(b, n, s->ip4_frag);
	put8(b, n, 64);
	put8(b, n, s->l4proto ? s->l4proto : 6);
	put16(b, n, 0);
	putbytes(b, n, ip4_src, 4);
	putbytes(b, n, ip4_dst, 4);
	for (size_t i = 0; i < s->ip4_opt_words; i++) {
		/* Router Alert (RFC 2113) first, then NOPs. */
		if (i == 0)
			put32(b, n, 0x94040000);
		else
			put32(b, n, 0x01010101);
	}
	build_l4(s, b, n, l);
	set16(b, start + 2, (unsigned)(*n - start));
}

static void build_ip6(const struct spec *s, uint8_t *b, size_t *n,
		      struct layout *l)
{
	size_t start = *n;
	uint8_t last = s->l4proto ? s->l4proto : 6;
	size_t nh_at = start + 6;

	put32(b, n, 0x60000000);
	put16(b, n, 0);          /* payload length, set below */
	put8(b, n, 0);           /* next header, set below */
	put8(b, n, 64);
	putbytes(b, n, ip6_src, 16);
	putbytes(b, n, ip6_dst, 16);
	for (size_t i = 0; i < s->next6; i++) {
		uint8_t type = s->ext6[i];
		b[nh_at] = type;
		nh_at = *n;
		put8(b, n, 0);   /* next header, set by the next one */
		switch (type) {
		case 44:         /* Fragment: fixed 8 bytes */
			put8(b, n, 0);
			put16(b, n, 0x0001); /* offset 0, M set */
			put32(b, n, 0xabcdef01);
			break;
		case 51:         /* AH: 12 + 12-byte ICV = 24 = (4+2)*4 */
			put8(b, n, 4);
			put16(b, n, 0);
			put32(b, n, 0x1000); /* SPI */
			put32(b, n, 1);      /* sequence number */
			for (int k = 0; k < 12; k++)
				put8(b, n, 0xa0 + k);
			break;
		case 43:         /* Routing, type 4, segments left 0: 8 bytes */
			put8(b, n, 0);
			put8(b, n, 4);
			put8(b, n, 0);
			put32(b, n, 0);
			break;
		default:         /* Hop-by-hop / Dest opts: 16 bytes, PadN */
			put8(b, n, 1);
			put8(b, n, 1);   /* PadN */
			put8(b, n, 12);
			for (int k = 0; k < 12; k++)
				put8(b, n, 0);
			break;
		}
	}
	b[nh_at] = last;
	build_l4(s, b, n, l);
	set16(b, start + 4, (unsigned)(*n - start - 40));
}

static void build(const struct spec *s, uint8_t *b, struct layout *l)
{
	size_t n = 0;

	memset(l, 0, sizeof *l);
	build_link(s, b, &n);
	if (s->ethertype == 0x0806) {
		/* ARP request for 198.51.100.2 */
		put16(b, &n, 1);
		put16(b, &n, 0x0800);
		put8(b, &n, 6);
		put8(b, &n, 4);
		put16(b, &n, 1);
		for (int i = 0; i < 6; i++)
			put8(b, &n, 4 + i);
		putbytes(b, &n, ip4_src, 4);
		for (int i = 0; i < 6; i++)
			put8(b, &n, 0);
		putbytes(b, &n, ip4_dst, 4);
	} else if (s->ipver == 6) {
		build_ip6(s, b, &n, l);
	} else {
		build_ip4(s, b, &n, l);
	}
	l->ip_end = n;
	for (size_t i = 0; i < s->pad; i++)
		put8(b, &n, 0xEE);
	l->len = n;
}

static struct spec tcp_spec(int linktype, int ipver)
{
	struct spec s;

	memset(&s, 0, sizeof s);
	s.linktype = linktype;
	s.ipver = ipver;
	s.sport = 51234;
	s.dport = 3128;
	s.seq = 0x89abcdefu;
	s.ack = 0x01020304u;
	s.flags = TCP_ACK | TCP_PSH;
	s.payload_len = 37;
	return s;
}

/* Asserts a full decode of a packet built from s. */
static void check_tcp(const struct spec *s, const uint8_t *b,
		      const struct layout *l, size_t caplen)
{
	struct tcp_segment seg;
	struct decode_why why = { .what = "unset" };

	memset(&seg, 0xCC, sizeof seg);
	CU_ASSERT_EQUAL_FATAL(decode_packet(s->linktype, b, caplen, &seg, &why),
			      DEC_TCP);
	CU_ASSERT_PTR_NULL(why.what);
	CU_ASSERT_EQUAL(seg.src.port, s->sport);
	CU_ASSERT_EQUAL(seg.dst.port, s->dport);
	CU_ASSERT_EQUAL(seg.seq, s->seq);
	CU_ASSERT_EQUAL(seg.ack, s->ack);
	CU_ASSERT_EQUAL(seg.flags, s->flags);
	CU_ASSERT_EQUAL(seg.window, 0xfaf0);
	CU_ASSERT_PTR_EQUAL(seg.payload, b + l->payload_off);
	CU_ASSERT_EQUAL(seg.payload_wire, s->payload_len);
	size_t want = caplen - l->payload_off;
	if (want > s->payload_len)
		want = s->payload_len;
	CU_ASSERT_EQUAL(seg.payload_len, want);
	if (seg.payload_len == want && want > 0)
		CU_ASSERT_EQUAL(memcmp(seg.payload, b + l->payload_off, want), 0);
	if (s->ipver == 6) {
		CU_ASSERT_EQUAL(seg.src.family, 6);
		CU_ASSERT_EQUAL(seg.dst.family, 6);
		CU_ASSERT_EQUAL(memcmp(seg.src.addr, ip6_src, 16), 0);
		CU_ASSERT_EQUAL(memcmp(seg.dst.addr, ip6_dst, 16), 0);
	} else {
		static const uint8_t zero[12];
		CU_ASSERT_EQUAL(seg.src.family, 4);
		CU_ASSERT_EQUAL(seg.dst.family, 4);
		CU_ASSERT_EQUAL(memcmp(seg.src.addr, ip4_src, 4), 0);
		CU_ASSERT_EQUAL(memcmp(seg.dst.addr, ip4_dst, 4), 0);
		/* The rest of the address is zeroed (flows hash all 16). */
		CU_ASSERT_EQUAL(memcmp(seg.src.addr + 4, zero, 12), 0);
		CU_ASSERT_EQUAL(memcmp(seg.dst.addr + 4, zero, 12), 0);
	}
}

static enum decode_result decode_spec(const struct spec *s, size_t cut,
				      struct tcp_segment *seg,
				      struct decode_why *why)
{
	static uint8_t b[PKT_MAX];
	struct layout l;

	build(s, b, &l);
	return decode_packet(s->linktype, b, l.len - cut, seg, why);
}

/* A packet of every link type, each IP version the link carries, with
 * and without options, and a few flag combinations. */
static void test_link_types(void)
{
	static const int v4v6[] = {
		LT_EN10MB, LT_LINUX_SLL, LT_LINUX_SLL2, LT_NULL, LT_LOOP,
		LT_RAW, LT_RAW_OPENBSD, LT_RAW_ALT,
	};
	static const uint8_t flagsets[] = {
		TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK | TCP_PSH,
		TCP_FIN | TCP_ACK, TCP_RST, TCP_URG | TCP_ACK | 0xC0,
	};
	uint8_t b[PKT_MAX];
	struct layout l;

	for (size_t i = 0; i < sizeof v4v6 / sizeof v4v6[0]; i++) {
		for (int ver = 4; ver <= 6; ver += 2) {
			for (size_t f = 0; f < sizeof flagsets; f++) {
				struct spec s = tcp_spec(v4v6[i], ver);
				s.flags = flagsets[f];
				s.tcp_opt_words = f % 4;
				s.payload_len = f * 11;
				s.seq = 0xfffffff0u + (uint32_t)f;
				build(&s, b, &l);
				check_tcp(&s, b, &l, l.len);
			}
		}
	}
	/* LINKTYPE_IPV4 / LINKTYPE_IPV6 carry their own version. */
	struct spec s = tcp_spec(LT_IPV4, 4);
	build(&s, b, &l);
	check_tcp(&s, b, &l, l.len);
	s = tcp_spec(LT_IPV6, 6);
	build(&s, b, &l);
	check_tcp(&s, b, &l, l.len);
}

/* NULL is in the capturing host's byte order, so both orders occur; IPv6
 * is 24, 28 or 30 depending on the BSD.  LOOP is network order. */
static void test_null_loop_families(void)
{
	static const uint32_t af6[] = { 24, 28, 30 };
	uint8_t b[PKT_MAX];
	struct layout l;

	for (int be = 0; be < 2; be++) {
		struct spec s = tcp_spec(LT_NULL, 4);
		s.null_af_be = be;
		build(&s, b, &l);
		check_tcp(&s, b, &l, l.len);
		for (size_t i = 0; i < 3; i++) {
			s = tcp_spec(LT_NULL, 6);
			s.null_af = af6[i];
			s.null_af_be = be;
			build(&s, b, &l);
			check_tcp(&s, b, &l, l.len);
			s.linktype = LT_LOOP;
			build(&s, b, &l);
			check_tcp(&s, b, &l, l.len);
		}
	}
	/* An address family that is not IP (AF_APPLETALK = 16, say). */
	struct tcp_segment seg;
	struct decode_why why;
	struct spec s = tcp_spec(LT_NULL, 4);
	s.null_af = 16;
	CU_ASSERT_EQUAL(decode_spec(&s, 0, &seg, &why), DEC_NOT_IP);
	s.linktype = LT_LOOP;
	CU_ASSERT_EQUAL(decode_spec(&s, 0, &seg, &why), DEC_NOT_IP);
}

static void test_vlan(void)
{
	static const uint16_t one[] = { 0x8100 };
	static const uint16_t qinq[] = { 0x88a8, 0x8100 };
	static const uint16_t qinq_old[] = { 0x9100, 0x8100 };
	static const uint16_t three[] = { 0x88a8, 0x8100, 0x8100 };
	static const struct {
		const uint16_t *tags;
		size_t n;
	} cases[] = {
		{ one, 1 }, { qinq, 2 }, { qinq_old, 2 }, { three, 3 },
	};
	uint8_t b[PKT_MAX];
	struct layout l;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (int ver = 4; ver <= 6; ver += 2) {
			struct spec s = tcp_spec(LT_EN10MB, ver);
			s.tags = cases[i].tags;
			s.ntags = cases[i].n;
			build(&s, b, &l);
			CU_ASSERT_EQUAL(l.tcp_off, 14 + 4 * cases[i].n +
				       (ver == 4 ? 20 : 40));
			check_tcp(&s, b, &l, l.len);
		}
	}
	/* A tagged ARP frame is still not IP. */
	struct spec s = tcp_spec(LT_EN10MB, 4);
	struct tcp_segment seg;
	struct decode_why why;
	s.tags = qinq;
	s.ntags = 2;
	s.ethertype = 0x0806;
	CU_ASSERT_EQUAL(decode_spec(&s, 0, &seg, &why), DEC_NOT_IP);
}

/* IHL 6..15: options are skipped, the TCP header found after them. */
static void test_ipv4_options(void)
{
	uint8_t b[PKT_MAX];
	struct layout l;

	for (size_t w = 0; w <= 10; w++) {
		struct spec s = tcp_spec(LT_EN10MB, 4);
		s.ip4_opt_words = w;
		s.tcp_opt_words = 10 - w;
		build(&s, b, &l);
		CU_ASSERT_EQUAL(l.tcp_off, 14 + 20 + 4 * w);
		check_tcp(&s, b, &l, l.len);
	}
}

/* Ethernet pads short frames to 60 bytes: the padding follows the IP
 * datagram and must not become payload; Total Length rules. */
static void test_ethernet_padding(void)
{
	uint8_t b[PKT_MAX];
	struct layout l;
	struct tcp_segment seg;
	struct decode_why why;

	for (size_t plen = 0; plen <= 6; plen++) {
		struct spec s = tcp_spec(LT_EN10MB, 4);
		s.payload_len = plen;
		s.pad = 60 - (14 + 40 + plen);
		build(&s, b, &l);
		CU_ASSERT_EQUAL(l.len, 60);
		CU_ASSERT_EQUAL_FATAL(decode_packet(LT_EN10MB, b, l.len, &seg,
						    &why), DEC_TCP);
		CU_ASSERT_EQUAL(seg.payload_len, plen);
		CU_ASSERT_EQUAL(seg.payload_wire, plen);
		CU_ASSERT_PTR_EQUAL(seg.payload, b + l.payload_off);
	}
	/* Trailing bytes after an IPv6 datagram: Payload Length rules. */
	struct spec s = tcp_spec(LT_EN10MB, 6);
	s.payload_len = 3;
	s.pad = 9;
	build(&s, b, &l);
	CU_ASSERT_EQUAL_FATAL(decode_packet(LT_EN10MB, b, l.len, &seg, &why),
			      DEC_TCP);
	CU_ASSERT_EQUAL(seg.payload_len, 3);
	CU_ASSERT_EQUAL(seg.payload_wire, 3);
	/* Padding with an IPv4 header carrying options and a TCP payload of
	 * 1 byte: still exactly one byte. */
	s = tcp_spec(LT_LINUX_SLL, 4);
	s.ip4_opt_words = 3;
	s.payload_len = 1;
	s.pad = 20;
	build(&s, b, &l);
	CU_ASSERT_EQUAL_FATAL(decode_packet(LT_LINUX_SLL, b, l.len, &seg,
					    &why), DEC_TCP);
	CU_ASSERT_EQUAL(seg.payload_len, 1);
	CU_ASSERT_EQUAL(seg.payload[0], payload_byte(0));
}

/* RFC 791: a fragment has More Fragments set or a non-zero offset. */
static void test_ipv4_fragments(void)
{
	static const uint16_t frag[] = { 0x2000, 0x0001, 0x00b9, 0x1fff,
					 0x2001, 0x3fff, 0x6000 };
	struct tcp_segment seg;
	struct decode_why why;

	for (size_t i = 0; i < sizeof frag / sizeof frag[0]; i++) {
		struct spec s = tcp_spec(LT_EN10MB, 4);
		s.ip4_frag = frag[i];
		CU_ASSERT_EQUAL(decode_spec(&s, 0, &seg, &why), DEC_FRAGMENT);
		/* A non-first fragment carrying UDP is a fragment too. */
		s.l4proto = 17;
		CU_ASSERT_EQUAL(decode_spec(&s, 0, &seg, &why), DEC_FRAGMENT);
	}
	/* Don't Fragment alone (offset 0, MF clear) is a whole datagram. */
	uint8_t b[PKT_MAX];
	struct layout l;
	struct spec s = tcp_spec(LT_EN10MB, 4);
	s.ip4_frag = 0x4000;
	build(&s, b, &l);
	check_tcp(&s, b, &l, l.len);
}

/* RFC 8200 §4: the extension header chain is walked; §4.5 a Fragment
 * header makes the packet a fragment. */
static void test_ipv6_extensions(void)
{
	static const uint8_t hbh[] = { 0 };
	static const uint8_t chain[] = { 0, 43, 60, 51, 60 };
	static const uint8_t ah[] = { 51 };
	static const uint8_t frag_first[] = { 44 };
	static const uint8_t frag_later[] = { 0, 43, 44, 60 };
	uint8_t b[PKT_MAX];
	struct layout l;
	struct tcp_segment seg;
	struct decode_why why;

	struct spec s = tcp_spec(LT_EN10MB, 6);
	s.ext6 = hbh;
	s.next6 = 1;
	build(&s, b, &l);
	CU_ASSERT_EQUAL(l.tcp_off, 14 + 40 + 16);
	check_tcp(&s, b, &l, l.len);

	s.ext6 = chain;
	s.next6 = sizeof chain;
	s.tcp_opt_words = 3;
	build(&s, b, &l);
	CU_ASSERT_EQUAL(l.tcp_off, 14 + 40 + 16 + 8 + 16 + 24 + 16);
	check_tcp(&s, b, &l, l.len);

	s = tcp_spec(LT_RAW, 6);
	s.ext6 = ah;
	s.next6 = 1;
	build(&s, b, &l);
	check_tcp(&s, b, &l, l.len);

	s = tcp_spec(LT_EN10MB, 6);
	s.ext6 = frag_first;
	s.next6 = 1;
	CU_ASSERT_EQUAL(decode_spec(&s, 0, &seg, &why), DEC_FRAGMENT);
	s.ext6 = frag_later;
	s.next6 = sizeof frag_later;
	CU_ASSERT_EQUAL(decode_spec(&s, 0, &seg, &why), DEC_FRAGMENT);

	/* An extension length running past Payload Length is invalid. */
	s = tcp_spec(LT_RAW, 6);
	s.ext6 = hbh;
	s.next6 = 1;
	s.payload_len = 0;
	s.tcp_opt_words = 0;
	build(&s, b, &l);
	b[40 + 1] = 200; /* Hdr Ext Len: 1608 bytes */
	CU_ASSERT_EQUAL(decode_packet(LT_RAW, b, l.len, &seg, &why),
			DEC_INVALID);
	CU_ASSERT_PTR_NOT_NULL(why.what);
	/* Likewise an AH whose Payload Len runs past the datagram. */
	s.ext6 = ah;
	build(&s, b, &l);
	b[40 + 1] = 200;
	CU_ASSERT_EQUAL(decode_packet(LT_RAW, b, l.len, &seg, &why),
			DEC_INVALID);
	CU_ASSERT_PTR_NOT_NULL(why.what);
}

static void test_not_tcp(void)
{
	struct tcp_segment seg;
	struct decode_why why;
	static const uint8_t dst[] = { 60 };

	for (int ver = 4; ver <= 6; ver += 2) {
		struct spec s = tcp_spec(LT_EN10MB, ver);
		s.l4proto = 17;
		CU_ASSERT_EQUAL(decode_spec(&s, 0, &seg, &why), DEC_NOT_TCP);
		s.l4proto = 1;
		CU_ASSERT_EQUAL(decode_spec(&s, 0, &seg, &why), DEC_NOT_TCP);
	}
	/* UDP after an IPv6 Destination Options header; and No Next
	 * Header (59). */
	struct spec s = tcp_spec(LT_LINUX_SLL2, 6);
	s.l4proto = 17;
	s.ext6 = dst;
	s.next6 = 1;
	CU_ASSERT_EQUAL(decode_spec(&s, 0, &seg, &why), DEC_NOT_TCP);
	s.l4proto = 59;
	s.payload_len = 0;
	CU_ASSERT_EQUAL(decode_spec(&s, 0, &seg, &why), DEC_NOT_TCP);

	/* ARP on every link with an EtherType, and LLDP. */
	static const int lts[] = { LT_EN10MB, LT_LINUX_SLL, LT_LINUX_SLL2 };
	for (size_t i = 0; i < 3; i++) {
		s = tcp_spec(lts[i], 4);
		s.ethertype = 0x0806;
		CU_ASSERT_EQUAL(decode_spec(&s, 0, &seg, &why), DEC_NOT_IP);
		s.ethertype = 0x88cc;
		CU_ASSERT_EQUAL(decode_spec(&s, 0, &seg, &why), DEC_NOT_IP);
	}
}

static void test_unsupported(void)
{
	static const int lts[] = { 105, 127, 147, 2, 999, -1, 0x7fffffff };
	uint8_t b[PKT_MAX];
	struct layout l;
	struct tcp_segment seg;
	struct decode_why why;
	struct spec s = tcp_spec(LT_RAW, 4);

	build(&s, b, &l);
	for (size_t i = 0; i < sizeof lts / sizeof lts[0]; i++) {
		why.what = NULL;
		CU_ASSERT_EQUAL(decode_packet(lts[i], b, l.len, &seg, &why),
				DEC_UNSUPPORTED);
		CU_ASSERT_PTR_NOT_NULL(why.what);
	}
}

/* The snaplen cut the payload: what was captured is handed out, and
 * payload_wire tells how much the packet carried. */
static void test_snaplen_cut(void)
{
	uint8_t b[PKT_MAX];
	struct layout l;
	struct tcp_segment seg;
	struct decode_why why;

	for (int ver = 4; ver <= 6; ver += 2) {
		struct spec s = tcp_spec(LT_EN10MB, ver);
		s.payload_len = 1400;
		s.tcp_opt_words = 3;
		build(&s, b, &l);
		size_t caplen = 96; /* a classic short snaplen */
		CU_ASSERT_FATAL(caplen > l.payload_off);
		CU_ASSERT_EQUAL_FATAL(decode_packet(LT_EN10MB, b, caplen, &seg,
						    &why), DEC_TCP);
		CU_ASSERT_EQUAL(seg.payload_wire, 1400);
		CU_ASSERT_EQUAL(seg.payload_len, caplen - l.payload_off);
		CU_ASSERT(seg.payload_len < seg.payload_wire);
		/* Cut exactly at the end of the TCP header: nothing captured. */
		CU_ASSERT_EQUAL_FATAL(decode_packet(LT_EN10MB, b, l.payload_off,
						    &seg, &why), DEC_TCP);
		CU_ASSERT_EQUAL(seg.payload_len, 0);
		CU_ASSERT_EQUAL(seg.payload_wire, 1400);
	}
}

/* Two pages, the second PROT_NONE: a copy ending at the boundary makes
 * any read past caplen fault. */
static uint8_t *guard_base;
static size_t guard_page;

static uint8_t *guard_get(void)
{
	if (guard_base)
		return guard_base + guard_page;
	long ps = sysconf(_SC_PAGESIZE);
	if (ps <= 0 || (size_t)ps < PKT_MAX)
		return NULL;
	guard_page = (size_t)ps;
	void *m = mmap(NULL, 2 * guard_page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	if (mprotect((uint8_t *)m + guard_page, guard_page, PROT_NONE) != 0) {
		munmap(m, 2 * guard_page);
		return NULL;
	}
	guard_base = m;
	return guard_base + guard_page;
}

static int guard_cleanup(void)
{
	if (guard_base)
		munmap(guard_base, 2 * guard_page);
	guard_base = NULL;
	return 0;
}

/* Every prefix of s: truncated before the end of the TCP header, a TCP
 * segment with exactly the captured payload after it. */
static void check_prefixes(const struct spec *s)
{
	uint8_t b[PKT_MAX];
	struct layout l;
	uint8_t *guard = guard_get();

	CU_ASSERT_PTR_NOT_NULL_FATAL(guard);
	build(s, b, &l);
	for (size_t caplen = 0; caplen <= l.len; caplen++) {
		uint8_t *p = guard - caplen;
		struct tcp_segment seg;
		struct decode_why why = { NULL };
		memcpy(p, b, caplen);
		enum decode_result r = decode_packet(s->linktype, p, caplen,
						     &seg, &why);
		if (caplen < l.payload_off) {
			CU_ASSERT_EQUAL(r, DEC_TRUNCATED);
			CU_ASSERT_PTR_NOT_NULL(why.what);
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(r, DEC_TCP);
		size_t want = caplen - l.payload_off;
		if (want > s->payload_len)
			want = s->payload_len;
		CU_ASSERT_PTR_EQUAL(seg.payload, p + l.payload_off);
		CU_ASSERT_EQUAL(seg.payload_len, want);
		CU_ASSERT_EQUAL(seg.payload_wire, s->payload_len);
		CU_ASSERT_EQUAL(seg.seq, s->seq);
		CU_ASSERT_EQUAL(seg.src.port, s->sport);
	}
}

static void test_every_prefix(void)
{
	static const int lts[] = {
		LT_EN10MB, LT_LINUX_SLL, LT_LINUX_SLL2, LT_NULL, LT_LOOP,
		LT_RAW,
	};
	static const uint16_t qinq[] = { 0x88a8, 0x8100 };
	static const uint8_t chain[] = { 0, 43, 51, 60 };

	for (size_t i = 0; i < sizeof lts / sizeof lts[0]; i++) {
		for (int ver = 4; ver <= 6; ver += 2) {
			struct spec s = tcp_spec(lts[i], ver);
			s.tcp_opt_words = 2;
			s.payload_len = 9;
			check_prefixes(&s);
		}
	}
	struct spec s = tcp_spec(LT_EN10MB, 4);
	s.tags = qinq;
	s.ntags = 2;
	s.ip4_opt_words = 4;
	s.tcp_opt_words = 5;
	s.payload_len = 5;
	check_prefixes(&s);
	s.pad = 13;         /* padding after the datagram */
	check_prefixes(&s);
	s = tcp_spec(LT_EN10MB, 6);
	s.ext6 = chain;
	s.next6 = sizeof chain;
	s.tcp_opt_words = 1;
	s.payload_len = 4;
	check_prefixes(&s);
	s = tcp_spec(LT_IPV6, 6);
	s.ext6 = chain;
	s.next6 = sizeof chain;
	s.payload_len = 0;
	check_prefixes(&s);
}

static void test_invalid(void)
{
	uint8_t b[PKT_MAX];
	struct layout l;
	struct tcp_segment seg;
	struct decode_why why;

	/* IHL below 5 (RFC 791: the minimum is 5 words). */
	for (unsigned ihl = 0; ihl < 5; ihl++) {
		struct spec s = tcp_spec(LT_EN10MB, 4);
		build(&s, b, &l);
		b[14] = (uint8_t)(0x40 | ihl);
		why.what = NULL;
		CU_ASSERT_EQUAL(decode_packet(LT_EN10MB, b, l.len, &seg, &why),
				DEC_INVALID);
		CU_ASSERT_PTR_NOT_NULL(why.what);
	}
	/* Total Length shorter than the header it covers. */
	struct spec s = tcp_spec(LT_RAW, 4);
	s.ip4_opt_words = 2;
	build(&s, b, &l);
	set16(b, 2, 24);
	CU_ASSERT_EQUAL(decode_packet(LT_RAW, b, l.len, &seg, &why),
			DEC_INVALID);

	/* TCP Data Offset below 5 (RFC 9293 §3.1). */
	for (unsigned off = 0; off < 5; off++) {
		s = tcp_spec(LT_EN10MB, 4);
		build(&s, b, &l);
		b[l.tcp_off + 12] = (uint8_t)(off << 4);
		why.what = NULL;
		CU_ASSERT_EQUAL(decode_packet(LT_EN10MB, b, l.len, &seg, &why),
				DEC_INVALID);
		CU_ASSERT_PTR_NOT_NULL(why.what);
	}
	/* Data Offset beyond the segment (IPv4 and IPv6): 60 bytes of
	 * header claimed in a 20 + 10 byte segment, all of it captured. */
	for (int ver = 4; ver <= 6; ver += 2) {
		s = tcp_spec(LT_EN10MB, ver);
		s.payload_len = 10;
		build(&s, b, &l);
		b[l.tcp_off + 12] = 0xF0;
		why.what = NULL;
		CU_ASSERT_EQUAL(decode_packet(LT_EN10MB, b, l.len, &seg, &why),
				DEC_INVALID);
		CU_ASSERT_PTR_NOT_NULL(why.what);
	}
	/* IP version 5 (and 0, 15) on raw links; version 6 in an IPv4
	 * EtherType; version 4 in an IPv6 EtherType. */
	static const uint8_t bad_ver[] = { 0x55, 0x05, 0xF5 };
	static const int raw[] = { LT_RAW, LT_RAW_OPENBSD, LT_RAW_ALT,
				   LT_IPV4, LT_IPV6 };
	for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
		for (size_t v = 0; v < sizeof bad_ver; v++) {
			s = tcp_spec(raw[i], 4);
			build(&s, b, &l);
			b[0] = bad_ver[v];
			CU_ASSERT_EQUAL(decode_packet(raw[i], b, l.len, &seg,
						      &why), DEC_INVALID);
		}
	}
	s = tcp_spec(LT_EN10MB, 4);
	build(&s, b, &l);
	b[14] = 0x65;
	CU_ASSERT_EQUAL(decode_packet(LT_EN10MB, b, l.len, &seg, &why),
			DEC_INVALID);
	s = tcp_spec(LT_EN10MB, 6);
	build(&s, b, &l);
	b[14] = 0x45;
	CU_ASSERT_EQUAL(decode_packet(LT_EN10MB, b, l.len, &seg, &why),
			DEC_INVALID);
}

static void test_endpoint_format(void)
{
	struct ip_endpoint e;
	char buf[64];

	memset(&e, 0, sizeof e);
	e.family = 4;
	memcpy(e.addr, ip4_src, 4);
	e.port = 80;
	endpoint_format(&e, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "192.0.2.1:80");
	e.port = 65535;
	memset(e.addr, 255, 4);
	endpoint_format(&e, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "255.255.255.255:65535");
	memset(e.addr, 0, 4);
	e.addr[1] = 10;
	e.addr[2] = 109;
	e.port = 0;
	endpoint_format(&e, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "0.10.109.0:0");

	memset(&e, 0, sizeof e);
	e.family = 6;
	memcpy(e.addr, ip6_src, 16);
	e.port = 443;
	endpoint_format(&e, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "[2001:db8::1]:443");
	/* The longest form fits in 64 bytes. */
	memset(e.addr, 0xff, 16);
	e.addr[0] = 0xfe; /* no :: compression possible */
	e.port = 65535;
	endpoint_format(&e, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf,
		"[feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
	/* IPv4-mapped IPv6. */
	memset(e.addr, 0, 16);
	e.addr[10] = e.addr[11] = 0xff;
	memcpy(e.addr + 12, ip4_dst, 4);
	e.port = 1;
	endpoint_format(&e, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "[::ffff:198.51.100.2]:1");

	/* A short buffer truncates and stays terminated. */
	char small[8];
	memset(small, 'x', sizeof small);
	e.family = 4;
	memcpy(e.addr, ip4_src, 4);
	e.port = 80;
	endpoint_format(&e, small, sizeof small);
	CU_ASSERT_EQUAL(small[7], '\0');
	CU_ASSERT_STRING_EQUAL(small, "192.0.2");
}

int add_decode_suite(void)
{
	CU_pSuite s = CU_add_suite("decode", NULL, guard_cleanup);

	if (s == NULL)
		return -1;
	if (CU_add_test(s, "every link type", test_link_types) == NULL ||
	    CU_add_test(s, "NULL/LOOP families", test_null_loop_families) == NULL ||
	    CU_add_test(s, "802.1Q and QinQ", test_vlan) == NULL ||
	    CU_add_test(s, "IPv4 options", test_ipv4_options) == NULL ||
	    CU_add_test(s, "Ethernet padding", test_ethernet_padding) == NULL ||
	    CU_add_test(s, "IPv4 fragments", test_ipv4_fragments) == NULL ||
	    CU_add_test(s, "IPv6 extension headers", test_ipv6_extensions) == NULL ||
	    CU_add_test(s, "not TCP, not IP", test_not_tcp) == NULL ||
	    CU_add_test(s, "unsupported link type", test_unsupported) == NULL ||
	    CU_add_test(s, "snaplen cut payload", test_snaplen_cut) == NULL ||
	    CU_add_test(s, "every prefix, guard page", test_every_prefix) == NULL ||
	    CU_add_test(s, "invalid fields", test_invalid) == NULL ||
	    CU_add_test(s, "endpoint_format", test_endpoint_format) == NULL)
		return -1;
	return 0;
}
