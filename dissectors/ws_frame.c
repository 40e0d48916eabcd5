/* ws_frame.c - streaming WebSocket frame parser (RFC 6455 §5.2).
 *
 * States: ST_HDR_BASE collects the first two header bytes, which say how
 * many more there are (extended length 0/2/8, masking key 0/4);
 * ST_HDR_REST collects those; ST_PAYLOAD hands the payload out.  Header
 * bytes are gathered in hbuf so that any split of the input (down to one
 * byte per call) produces the same events.
 */
#include "ws_frame.h"

#include <string.h>

enum {
	ST_HDR_BASE = 0,  /* zero so that a zeroed parser starts here */
	ST_HDR_REST,
	ST_PAYLOAD,
};

/* Violation texts: static, one sentence, quoting the rule. */
static const char txt_nonminimal[] =
	"payload length not minimally encoded (RFC 6455 §5.2: the minimal "
	"number of bytes MUST be used to encode the length)";
static const char txt_top_bit[] =
	"64-bit payload length has its top bit set (RFC 6455 §5.2: the most "
	"significant bit MUST be 0)";
static const char txt_ctl_long[] =
	"control frame payload over 125 bytes (RFC 6455 §5.5: all control "
	"frames MUST have a payload length of 125 bytes or less)";
static const char txt_ctl_frag[] =
	"control frame without FIN (RFC 6455 §5.5: control frames MUST NOT "
	"be fragmented)";
static const char txt_reserved_op[] =
	"reserved opcode (RFC 6455 §5.2: opcodes 0x3-0x7 and 0xB-0xF are "
	"reserved; an unknown opcode MUST fail the connection)";
static const char txt_client_unmasked[] =
	"client frame not masked (RFC 6455 §5.1: a client MUST mask all "
	"frames that it sends to the server)";
static const char txt_server_masked[] =
	"server frame masked (RFC 6455 §5.1: a server MUST NOT mask any "
	"frames that it sends to the client)";

void ws_frame_init(struct ws_frame_parser *p, bool from_client,
		   ws_frame_cb cb, void *user)
{
	memset(p, 0, sizeof(*p));
	p->from_client = from_client;
	p->cb = cb;
	p->user = user;
	p->st = ST_HDR_BASE;
	p->hneed = 2;
}

bool ws_frame_idle(const struct ws_frame_parser *p)
{
	return p->st == ST_HDR_BASE && p->hlen == 0;
}

void ws_unmask(uint8_t *dst, const uint8_t *src, size_t n,
	       const uint8_t mask[4], uint64_t phase)
{
	uint8_t m8[8];
	uint64_t mw;
	size_t i = 0;

	/* The mask byte for payload position j is mask[j % 4] (§5.3).  With
	 * src[0] at position `phase`, byte k uses mask[(phase + k) % 4]; an
	 * 8-byte window of that sequence is the same for every aligned
	 * group of 8 because 8 is a multiple of 4. */
	for (int k = 0; k < 8; k++)
		m8[k] = mask[(phase + (uint64_t)k) & 3];
	memcpy(&mw, m8, sizeof(mw));

	/* memcpy in and out: src/dst may be unaligned, and the compiler
	 * turns these into plain loads and stores where that is safe. */
	for (; n - i >= 8; i += 8) {
		uint64_t w;

		memcpy(&w, src + i, sizeof(w));
		w ^= mw;
		memcpy(dst + i, &w, sizeof(w));
	}
	for (size_t k = 0; i < n; i++, k++)
		dst[i] = src[i] ^ m8[k];
}

static void emit(struct ws_frame_parser *p, enum ws_frame_ev type)
{
	struct ws_frame_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.hdr = &p->hdr;
	p->cb(p->user, &ev);
}

static void violation(struct ws_frame_parser *p, const char *code,
		      const char *text)
{
	struct ws_frame_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = WS_FRAME_EV_VIOLATION;
	ev.hdr = &p->hdr;
	ev.code = code;
	ev.text = text;
	p->cb(p->user, &ev);
}

/* Header bytes needed in total, from the first two. */
static uint8_t header_size(const uint8_t *h)
{
	uint8_t len7 = h[1] & 0x7f;
	uint8_t n = 2;

	if (len7 == 126)
		n += 2;
	else if (len7 == 127)
		n += 8;
	if (h[1] & 0x80)
		n += 4;
	return n;
}

static void frame_reset(struct ws_frame_parser *p)
{
	p->st = ST_HDR_BASE;
	p->hlen = 0;
	p->hneed = 2;
	p->left = 0;
}

/* The header in hbuf is complete: decode it, report it and the rules it
 * breaks, and get ready for the payload. */
static void header_done(struct ws_frame_parser *p)
{
	struct ws_frame_hdr *h = &p->hdr;
	const uint8_t *b = p->hbuf;
	uint8_t len7 = b[1] & 0x7f;
	size_t at = 2;

	h->fin = (b[0] & 0x80) != 0;
	h->rsv = (uint8_t)((b[0] >> 4) & 0x7);
	h->opcode = b[0] & 0x0f;
	h->masked = (b[1] & 0x80) != 0;
	if (len7 == 126) {
		h->length = ((uint64_t)b[2] << 8) | b[3];
		at += 2;
	} else if (len7 == 127) {
		h->length = 0;
		for (int i = 0; i < 8; i++)
			h->length = (h->length << 8) | b[2 + i];
		at += 8;
	} else {
		h->length = len7;
	}
	if (h->masked)
		memcpy(h->mask, b + at, 4);

	emit(p, WS_FRAME_EV_HEADER);

	/* §5.2: "the minimal number of bytes MUST be used to encode the
	 * length": 126 signals a 16-bit length, which must then be >= 126;
	 * 127 a 64-bit one, which must then be >= 65536. */
	if ((len7 == 126 && h->length < 126) ||
	    (len7 == 127 && h->length < 65536))
		violation(p, "nonminimal_length", txt_nonminimal);
	/* §5.2: in the 64-bit form "the most significant bit MUST be 0". */
	if (len7 == 127 && (h->length >> 63) != 0)
		violation(p, "length_top_bit", txt_top_bit);
	/* §5.2: 0x3-0x7 are reserved for further non-control frames,
	 * 0xB-0xF for further control frames. */
	if ((h->opcode >= 0x3 && h->opcode <= 0x7) || h->opcode >= 0xb)
		violation(p, "reserved_opcode", txt_reserved_op);
	/* §5.5: control frames are those whose opcode has its top bit set;
	 * they are short and never fragmented. */
	if (h->opcode & 0x8) {
		if (h->length > 125)
			violation(p, "control_too_long", txt_ctl_long);
		if (!h->fin)
			violation(p, "control_fragmented", txt_ctl_frag);
	}
	/* §5.1: masking is mandatory from the client, forbidden from the
	 * server. */
	if (p->from_client && !h->masked)
		violation(p, "client_unmasked", txt_client_unmasked);
	if (!p->from_client && h->masked)
		violation(p, "server_masked", txt_server_masked);

	if (h->length == 0) {
		emit(p, WS_FRAME_EV_END);
		frame_reset(p);
		return;
	}
	p->left = h->length;
	p->st = ST_PAYLOAD;
}

/* Hands out up to `avail` payload bytes at `data`; returns bytes used. */
static size_t payload(struct ws_frame_parser *p, const uint8_t *data,
		      size_t avail)
{
	struct ws_frame_event ev;
	size_t n = avail;

	if ((uint64_t)n > p->left)
		n = (size_t)p->left;

	memset(&ev, 0, sizeof(ev));
	ev.type = WS_FRAME_EV_PAYLOAD;
	ev.hdr = &p->hdr;
	if (!p->hdr.masked) {
		/* Zero-copy: the caller's bytes are the payload. */
		ev.at = data;
		ev.len = n;
		ev.payload_offset = p->hdr.length - p->left;
		p->cb(p->user, &ev);
	} else {
		/* Unmask into scratch, a bounded chunk at a time, so no
		 * frame size ever needs more memory than the scratch. */
		for (size_t done = 0; done < n;) {
			size_t c = n - done;
			uint64_t pos = p->hdr.length - p->left + done;

			if (c > sizeof(p->scratch))
				c = sizeof(p->scratch);
			ws_unmask(p->scratch, data + done, c, p->hdr.mask, pos);
			ev.at = p->scratch;
			ev.len = c;
			ev.payload_offset = pos;
			p->cb(p->user, &ev);
			done += c;
		}
	}
	p->left -= n;
	if (p->left == 0) {
		emit(p, WS_FRAME_EV_END);
		frame_reset(p);
	}
	return n;
}

void ws_frame_feed(struct ws_frame_parser *p, const uint8_t *data,
		   size_t len)
{
	const uint8_t *q = data;
	const uint8_t *end = data + len;

	while (q < end) {
		size_t avail = (size_t)(end - q);

		if (p->st == ST_PAYLOAD) {
			size_t n = payload(p, q, avail);

			q += n;
			p->offset += n;
			continue;
		}

		if (p->st == ST_HDR_BASE && p->hlen == 0) {
			/* First byte of a new frame. */
			memset(&p->hdr, 0, sizeof(p->hdr));
			p->hdr.offset = p->offset;
			p->hdr.index = p->frames++;
			p->hneed = 2;
		}
		/* hlen < hneed <= sizeof(hbuf) holds in both header states,
		 * so the copy stays inside hbuf. */
		size_t take = (size_t)(p->hneed - p->hlen);

		if (take > avail)
			take = avail;
		memcpy(p->hbuf + p->hlen, q, take);
		p->hlen = (uint8_t)(p->hlen + take);
		q += take;
		p->offset += take;
		if (p->hlen < p->hneed)
			continue;
		if (p->st == ST_HDR_BASE) {
			p->hneed = header_size(p->hbuf);
			p->st = ST_HDR_REST;
			if (p->hlen < p->hneed)
				continue;
		}
		header_done(p);
	}
}

bool ws_frame_skip(struct ws_frame_parser *p, uint64_t n)
{
	if (p->st != ST_PAYLOAD || n > p->left)
		return false;
	p->left -= n;
	p->offset += n;
	if (p->left == 0) {
		emit(p, WS_FRAME_EV_END);
		frame_reset(p);
	}
	return true;
}
