/* sha1.c - SHA-1 (RFC 3174), streaming: sha1_update() may be called with
 * any split of the message and gives the same digest.
 *
 * Only Sec-WebSocket-Accept (RFC 6455 §4.2.2) uses this; it is a checksum
 * of a 60-byte string, so the code is written for clarity, not speed. */
#include <string.h>

#include "sha1.h"

static uint32_t rol32(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* RFC 3174 §6.1, method 1: process one 512-bit block. */
static void sha1_block(uint32_t h[5], const uint8_t blk[64])
{
	uint32_t w[80];
	uint32_t a, b, c, d, e, f, k, t;
	unsigned i;

	/* §6.1 (a)/(b): W(0..15) are the block's words (big-endian);
	 * W(t) = S^1(W(t-3) XOR W(t-8) XOR W(t-14) XOR W(t-16)). */
	for (i = 0; i < 16; i++)
		w[i] = load_be32(blk + 4 * i);
	for (i = 16; i < 80; i++)
		w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);

	a = h[0];
	b = h[1];
	c = h[2];
	d = h[3];
	e = h[4];

	/* §5: f and K change every 20 rounds. */
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5A827999u;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ED9EBA1u;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8F1BBCDCu;
		} else {
			f = b ^ c ^ d;
			k = 0xCA62C1D6u;
		}
		t = rol32(a, 5) + f + e + w[i] + k;
		e = d;
		d = c;
		c = rol32(b, 30);
		b = a;
		a = t;
	}

	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void sha1_init(struct sha1_ctx *c)
{
	/* RFC 3174 §6.1: the initial H0..H4. */
	c->h[0] = 0x67452301u;
	c->h[1] = 0xEFCDAB89u;
	c->h[2] = 0x98BADCFEu;
	c->h[3] = 0x10325476u;
	c->h[4] = 0xC3D2E1F0u;
	c->total = 0;
	c->used = 0;
}

void sha1_update(struct sha1_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t take;

	if (len == 0)
		return;
	/* The length field is 64 bits of *bits*; the message would have to
	 * exceed 2^61 bytes to wrap, which cannot happen here. */
	c->total += len;

	/* Fill a partly used block first, so the result does not depend
	 * on how the caller split the input. */
	if (c->used > 0) {
		take = 64 - c->used;
		if (take > len)
			take = len;
		memcpy(c->block + c->used, p, take);
		c->used += take;
		p += take;
		len -= take;
		if (c->used < 64)
			return;
		sha1_block(c->h, c->block);
		c->used = 0;
	}
	while (len >= 64) {
		sha1_block(c->h, p);
		p += 64;
		len -= 64;
	}
	if (len > 0) {
		memcpy(c->block, p, len);
		c->used = len;
	}
}

void sha1_final(struct sha1_ctx *c, uint8_t digest[20])
{
	uint64_t bits = c->total * 8;
	unsigned i;

	/* RFC 3174 §4: append a 1 bit, then zeros until the length is 448
	 * mod 512, then the message length in bits as a 64-bit big-endian
	 * integer.  When fewer than 8 bytes are left after the 0x80, the
	 * length goes in an extra block. */
	c->block[c->used++] = 0x80;
	if (c->used > 56) {
		memset(c->block + c->used, 0, 64 - c->used);
		sha1_block(c->h, c->block);
		c->used = 0;
	}
	memset(c->block + c->used, 0, 56 - c->used);
	for (i = 0; i < 8; i++)
		c->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha1_block(c->h, c->block);

	for (i = 0; i < 5; i++)
		store_be32(digest + 4 * i, c->h[i]);

	/* Leave nothing of the message behind; the context must be
	 * re-initialised before reuse. */
	memset(c, 0, sizeof *c);
}
