/* decode.h - link layer, IPv4/IPv6 and TCP headers of one captured packet.
 *
 * Link types: Ethernet (802.1Q / 802.1ad / QinQ tags), Linux cooked SLL
 * and SLL2, raw IP (DLT_RAW and LINKTYPE_IPV4/IPV6), BSD loopback NULL and
 * LOOP.  IPv4 with options (fragments handed out for ipfrag.c to
 * reassemble), IPv6 with its extension header chain walked (RFC 8200 §4), TCP
 * with options (RFC 9293 §3.1).  Every read goes through a cursor.
 */
#ifndef WSTAP_DECODE_H
#define WSTAP_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Link-layer header types (the LINKTYPE_/DLT_ numbers libpcap reports). */
enum {
	LT_NULL = 0,
	LT_EN10MB = 1,
	LT_RAW = 101,
	LT_RAW_OPENBSD = 12,   /* DLT_RAW on some BSDs */
	LT_RAW_ALT = 14,       /* DLT_RAW on others */
	LT_LOOP = 108,
	LT_LINUX_SLL = 113,
	LT_IPV4 = 228,
	LT_IPV6 = 229,
	LT_LINUX_SLL2 = 276,
};

enum decode_result {
	DEC_TCP,          /* a TCP segment: out is filled */
	DEC_NOT_TCP,      /* IP but another protocol */
	DEC_NOT_IP,       /* ARP, LLDP... */
	DEC_FRAGMENT,     /* an IP fragment (not reassembled yet) */
	DEC_TRUNCATED,    /* the capture cut a header short */
	DEC_INVALID,      /* a header field is inconsistent */
	DEC_UNSUPPORTED,  /* link type we do not read */
};

struct ip_endpoint {
	uint8_t family;   /* 4 or 6 */
	uint8_t addr[16]; /* IPv4 in the first 4 bytes */
	uint16_t port;
};

enum {
	TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08,
	TCP_ACK = 0x10, TCP_URG = 0x20,
};

struct tcp_segment {
	struct ip_endpoint src, dst;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t window;
	const uint8_t *payload;  /* into the packet (borrowed) */
	size_t payload_len;      /* bytes captured */
	size_t payload_wire;     /* bytes the packet carried (> captured when
	                            the snaplen cut it) */
};

/* One IP fragment (DEC_FRAGMENT), for ipfrag.c. */
struct ip_frag {
	uint8_t family;          /* 4 or 6 */
	uint8_t src[16], dst[16];
	uint32_t id;             /* Identification (16 bits for IPv4) */
	uint8_t proto;           /* protocol / Next Header of the payload */
	uint32_t offset;         /* bytes */
	bool more;               /* More Fragments */
	const uint8_t *data;     /* fragment payload (borrowed) */
	size_t len;
};

struct decode_why {
	const char *what;        /* for TRUNCATED/INVALID: which header */
	struct ip_frag frag;     /* for FRAGMENT: the fragment */
};

enum decode_result decode_packet(int linktype, const uint8_t *data,
				 size_t caplen, struct tcp_segment *out,
				 struct decode_why *why);

/* A reassembled datagram's payload (protocol `proto`, after the IP
 * header or the IPv6 Fragment header): TCP, possibly behind IPv6
 * extension headers.  The endpoints' addresses come from the fragments. */
enum decode_result decode_reassembled(const struct ip_frag *f,
				      const uint8_t *data, size_t len,
				      struct tcp_segment *out,
				      struct decode_why *why);

/* "addr:port" or "[addr]:port" into buf (at least 64 bytes). */
void endpoint_format(const struct ip_endpoint *e, char *buf, size_t size);

#endif
