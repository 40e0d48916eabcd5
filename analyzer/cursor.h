/* cursor.h - bounds-checked reading of untrusted bytes.
 *
 * Every header of every packet is read through a cursor.  A cursor is a
 * [p, end) window; each read checks that the bytes exist before touching
 * them and returns false instead when they do not.  Lengths are compared
 * as `n > (size_t)(end - p)`, which cannot overflow the way `p + n > end`
 * can when n is huge.
 *
 * A failed read leaves the cursor where it was, so a caller can tell
 * "the capture ran out" (truncated) apart from "a field is inconsistent"
 * (invalid): the former is a failed cur_* call, the latter is the caller's
 * own check on a value it did read.
 */
#ifndef WSTAP_CURSOR_H
#define WSTAP_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cur {
	const uint8_t *p;   /* next unread byte (borrowed) */
	const uint8_t *end; /* one past the last readable byte */
};

/* An empty span often arrives as (NULL, 0); NULL + 0 is undefined in C
 * (and so is a later `p += 0` on it), so such a cursor points at a
 * static empty string instead and never holds NULL. */
static inline struct cur cur_make(const uint8_t *data, size_t len)
{
	if (data == NULL) {
		data = (const uint8_t *)"";
		len = 0;
	}
	struct cur c = { data, data + len };
	return c;
}

static inline size_t cur_left(const struct cur *c)
{
	return (size_t)(c->end - c->p);
}

/* True when n more bytes can be read. */
static inline bool cur_has(const struct cur *c, size_t n)
{
	return n <= (size_t)(c->end - c->p);
}

static inline bool cur_skip(struct cur *c, size_t n)
{
	if (n > (size_t)(c->end - c->p))
		return false;
	c->p += n;
	return true;
}

static inline bool cur_u8(struct cur *c, uint8_t *out)
{
	if (c->p >= c->end)
		return false;
	*out = *c->p++;
	return true;
}

static inline bool cur_be16(struct cur *c, uint16_t *out)
{
	if (2 > (size_t)(c->end - c->p))
		return false;
	*out = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
	c->p += 2;
	return true;
}

static inline bool cur_le16(struct cur *c, uint16_t *out)
{
	if (2 > (size_t)(c->end - c->p))
		return false;
	*out = (uint16_t)((unsigned)c->p[1] << 8 | c->p[0]);
	c->p += 2;
	return true;
}

static inline bool cur_be32(struct cur *c, uint32_t *out)
{
	if (4 > (size_t)(c->end - c->p))
		return false;
	*out = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	       (uint32_t)c->p[2] << 8 | (uint32_t)c->p[3];
	c->p += 4;
	return true;
}

static inline bool cur_le32(struct cur *c, uint32_t *out)
{
	if (4 > (size_t)(c->end - c->p))
		return false;
	*out = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 |
	       (uint32_t)c->p[1] << 8 | (uint32_t)c->p[0];
	c->p += 4;
	return true;
}

/* Copies n bytes out; fails without moving when fewer are left. */
static inline bool cur_copy(struct cur *c, void *dst, size_t n)
{
	if (n > (size_t)(c->end - c->p))
		return false;
	for (size_t i = 0; i < n; i++)
		((uint8_t *)dst)[i] = c->p[i];
	c->p += n;
	return true;
}

/* Narrows the cursor to its next n bytes (an inner layer must not read
 * past its own length field); fails when fewer than n are left. */
static inline bool cur_sub(struct cur *c, size_t n, struct cur *sub)
{
	if (n > (size_t)(c->end - c->p))
		return false;
	sub->p = c->p;
	sub->end = c->p + n;
	c->p += n;
	return true;
}

#endif
