/* ws_resync.c - WebSocket frame boundaries from chains of plausible
 * headers (RFC 6455 §5.1-§5.5). */
#include "ws_resync.h"

#include <string.h>

enum hdr_result { HDR_BAD, HDR_NEED, HDR_OK };

struct hdr {
	bool fin, masked;
	uint8_t rsv, opcode;
	uint64_t length;
	size_t size;          /* header bytes */
};

static enum hdr_result header_at(const uint8_t *p, size_t n,
				 const struct ws_resync_params *prm,
				 struct hdr *h)
{
	if (n < 2)
		return HDR_NEED;
	h->fin = p[0] & 0x80;
	h->rsv = (uint8_t)((p[0] >> 4) & 7);
	h->opcode = p[0] & 0x0f;
	h->masked = p[1] & 0x80;
	uint8_t len7 = p[1] & 0x7f;
	bool control = h->opcode & 0x8;

	/* §5.2: opcodes 0x3-0x7 and 0xB-0xF are reserved. */
	if ((h->opcode > 0x2 && h->opcode < 0x8) || h->opcode > 0xa)
		return HDR_BAD;
	/* §5.2 RSV bits; RFC 7692 §6.1: RSV1 only on the first frame of a
	 * data message. */
	if (h->rsv & 3)
		return HDR_BAD;
	if (h->rsv && (!prm->allow_rsv1 || control || h->opcode == 0))
		return HDR_BAD;
	/* §5.5: control frames are final and at most 125 bytes. */
	if (control && (!h->fin || len7 > 125))
		return HDR_BAD;
	if (prm->masked >= 0 && h->masked != (prm->masked == 1))
		return HDR_BAD;
	h->size = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) +
		  (h->masked ? 4 : 0);
	if (n < h->size)
		return HDR_NEED;
	if (len7 == 126) {
		h->length = (uint64_t)p[2] << 8 | p[3];
		if (h->length < 126)
			return HDR_BAD; /* §5.2: minimal encoding */
	} else if (len7 == 127) {
		h->length = 0;
		for (int i = 0; i < 8; i++)
			h->length = h->length << 8 | p[2 + i];
		/* §5.2: top bit 0, and minimal encoding. */
		if (h->length >> 63 || h->length < 65536)
			return HDR_BAD;
	} else {
		h->length = len7;
	}
	if (h->length > prm->max_length)
		return HDR_BAD;
	/* §5.3: the key comes from a strong source of entropy; an all-zero
	 * key is far likelier to be padding than a real key. */
	if (h->masked && memcmp(p + h->size - 4, "\0\0\0\0", 4) == 0)
		return HDR_BAD;
	/* §5.5.1: a close body is empty or starts with a 2-byte code. */
	if (h->opcode == 0x8 && h->length == 1)
		return HDR_BAD;
	/* Legal but never sent by real peers, and what zero bytes look
	 * like: an empty data frame that is not the last of its message. */
	if (!control && !h->fin && h->length == 0)
		return HDR_BAD;
	return HDR_OK;
}

enum ws_resync_result ws_resync_check(const uint8_t *p, size_t n,
				      const struct ws_resync_params *prm,
				      bool final, struct ws_resync_chain *out)
{
	struct ws_resync_params pr = *prm;
	int open = -1; /* a fragmented message is open: unknown at first */
	size_t pos = 0;

	memset(out, 0, sizeof *out);
	for (;;) {
		if (pos == n) {
			/* The chain ends exactly where the bytes end. */
			if (out->headers >= 2 || (final && out->headers >= 1))
				return WS_RESYNC_ACCEPT;
			return final ? WS_RESYNC_REJECT : WS_RESYNC_PENDING;
		}
		struct hdr h;
		enum hdr_result r = header_at(p + pos, n - pos, &pr, &h);
		if (r == HDR_BAD)
			return WS_RESYNC_REJECT;
		if (r == HDR_NEED)
			return final ? WS_RESYNC_REJECT : WS_RESYNC_PENDING;
		/* §5.1: one direction masks all its frames or none. */
		pr.masked = h.masked ? 1 : 0;
		/* §5.4: continuation inside a message, a new data message
		 * only outside one. */
		if (!(h.opcode & 0x8)) {
			if (h.opcode == 0 && open == 0)
				return WS_RESYNC_REJECT;
			if (h.opcode != 0 && open == 1)
				return WS_RESYNC_REJECT;
			open = h.fin ? 0 : 1;
		}
		out->headers++;
		out->masked = h.masked;
		out->rsv1 = out->rsv1 || h.rsv;
		if (out->headers >= WS_RESYNC_CHAIN)
			return WS_RESYNC_ACCEPT;
		if (h.length > n - pos - h.size)
			return final ? WS_RESYNC_REJECT : WS_RESYNC_PENDING;
		pos += h.size + (size_t)h.length;
	}
}
