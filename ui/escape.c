/* escape.c - terminal and JSON escaping of captured bytes. */
#include "escape.h"

#include <stdbool.h>
#include <string.h>

#include "base64.h"
#include "utf8.h"

static const char hex[] = "0123456789abcdef";

/* Code points that must not reach a terminal as they are. */
static bool cp_unsafe(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
	       (cp >= 0x202a && cp <= 0x202e) || /* bidi embeddings */
	       (cp >= 0x2066 && cp <= 0x2069) || /* bidi isolates */
	       cp == 0x200e || cp == 0x200f || cp == 0x061c ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0xfeff;
}

/* Word-at-a-time byte classes, with the classic bit tricks: (x - 0x01..)
 * & ~x & 0x80.. flags the bytes of x that are zero, and likewise below
 * 0x20 with 0x20..; adding 0x01.. sets the high bit of a 0x7f byte.  A
 * borrow or carry runs only upwards from a flagged byte, so the first
 * flagged byte in memory order is a real one. */
#define ONES8 0x0101010101010101ull
#define HIGH8 (ONES8 * 0x80)

/* The high bit of each byte of w equal to c. */
static uint64_t bytes_equal8(uint64_t w, uint8_t c)
{
	uint64_t x = w ^ (ONES8 * c);

	return (x - ONES8) & ~x & HIGH8;
}

/* The high bit of each byte of w that a terminal must not get as it is:
 * below 0x20, DEL and above, '\\'. */
static uint64_t term_unsafe8(uint64_t w)
{
	return ((((w - ONES8 * 0x20) & ~w) | (w | (w + ONES8))) & HIGH8) |
	       bytes_equal8(w, '\\');
}

void esc_term(struct obuf *o, const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = i;
		uint64_t w;
		while (n - run >= 8) {
			memcpy(&w, p + run, 8); /* p has no alignment */
			if (term_unsafe8(w))
				break;
			run += 8;
		}
		while (run < n && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '\\')
			run++;
		if (run > i) {
			obuf_put(o, p + i, run - i);
			i = run;
			continue;
		}
		uint8_t b = p[i];
		if (b == '\\') {
			obuf_put(o, "\\\\", 2);
			i++;
			continue;
		}
		if (b == '\t') {
			obuf_put(o, "\\t", 2);
			i++;
			continue;
		}
		uint32_t cp;
		size_t len = b >= 0x80 ? utf8_decode_one(p + i, n - i, &cp) : 0;
		if (len && !cp_unsafe(cp)) {
			obuf_put(o, p + i, len);
			i += len;
			continue;
		}
		if (len) {
			obuf_printf(o, "\\u{%04x}", (unsigned)cp);
			i += len;
			continue;
		}
		char e[4] = { '\\', 'x', hex[b >> 4], hex[b & 15] };
		obuf_put(o, e, 4);
		i++;
	}
}

/* The high bit of each byte of w that needs escaping in JSON: what a
 * terminal must not get, and '"'. */
static uint64_t json_unsafe8(uint64_t w)
{
	return term_unsafe8(w) | bytes_equal8(w, '"');
}

/* \uXXXX for a code point of the BMP, at w; returns the end. */
static char *put_u(char *w, uint32_t cp)
{
	w[0] = '\\';
	w[1] = 'u';
	w[2] = hex[(cp >> 12) & 15];
	w[3] = hex[(cp >> 8) & 15];
	w[4] = hex[(cp >> 4) & 15];
	w[5] = hex[cp & 15];
	return w + 6;
}

/* Input bytes escaped per output reservation: each becomes at most 6
 * output bytes, and a UTF-8 sequence that starts in the chunk may run 3
 * bytes past it, so 6 * (JSON_CHUNK + 3) must fit in an obuf. */
#define JSON_CHUNK 4096

void esc_json(struct obuf *o, const uint8_t *p, size_t n)
{
	while (n) {
		size_t take = n < JSON_CHUNK ? n : JSON_CHUNK, i = 0;
		char *out = obuf_reserve(o, 6 * (take + 3)), *w = out;

		while (i < take) {
			uint64_t x;
			if (take - i >= 8) {
				memcpy(&x, p + i, 8); /* p has no alignment */
				memcpy(w, &x, 8);
				uint64_t m = json_unsafe8(x);
				/* the bytes before the first flagged one are
				 * plain (all 8 already copied: cheaper than
				 * copying k) */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
				size_t k = m ? (size_t)__builtin_ctzll(m) / 8 : 8;
#else
				size_t k = m ? (size_t)__builtin_clzll(m) / 8 : 8;
#endif
				w += k;
				i += k;
				if (k == 8)
					continue;
			}
			uint8_t b = p[i];
			if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
				*w++ = (char)b;
				i++;
				continue;
			}
			const char *two = b == '"' ? "\\\"" : b == '\\' ? "\\\\" :
					  b == '\n' ? "\\n" : b == '\r' ? "\\r" :
					  b == '\t' ? "\\t" : NULL;
			if (two) {
				memcpy(w, two, 2);
				w += 2;
				i++;
				continue;
			}
			if (b < 0x80) {
				w = put_u(w, b);
				i++;
				continue;
			}
			/* the whole remaining input: a sequence may cross
			 * the chunk's end */
			uint32_t cp;
			size_t len = utf8_decode_one(p + i, n - i, &cp);
			if (!len) {
				w = put_u(w, 0xfffd); /* invalid UTF-8 */
				i++;
			} else if (cp_unsafe(cp)) {
				w = put_u(w, cp); /* all unsafe ones are in the BMP */
				i += len;
			} else {
				memcpy(w, p + i, len);
				w += len;
				i += len;
			}
		}
		obuf_commit(o, (size_t)(w - out));
		p += i;
		n -= i;
	}
}

void json_strn(struct obuf *o, const uint8_t *p, size_t n)
{
	obuf_putc(o, '"');
	esc_json(o, p, n);
	obuf_putc(o, '"');
}

void json_str(struct obuf *o, const char *s)
{
	if (!s) {
		obuf_puts(o, "null");
		return;
	}
	json_strn(o, (const uint8_t *)s, strlen(s));
}

void json_base64(struct obuf *o, const uint8_t *p, size_t n)
{
	obuf_putc(o, '"');
	while (n > 0) {
		size_t take = n > 3 * 4096 ? 3 * 4096 : n;
		/* encoded straight into the output buffer (+1: the NUL
		 * base64_encode ends with, not committed) */
		char *w = obuf_reserve(o, BASE64_LEN(take) + 1);
		obuf_commit(o, base64_encode(p, take, w));
		p += take;
		n -= take;
	}
	obuf_putc(o, '"');
}
