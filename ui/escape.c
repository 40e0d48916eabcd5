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

void esc_term(struct obuf *o, const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = i;
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

static void json_u(struct obuf *o, uint32_t cp)
{
	char e[6] = { '\\', 'u', hex[(cp >> 12) & 15], hex[(cp >> 8) & 15],
		      hex[(cp >> 4) & 15], hex[cp & 15] };
	obuf_put(o, e, 6);
}

/* Whether none of the eight bytes in w needs escaping in JSON (a control
 * character, DEL or above, '"' or '\\'), tested a word at a time with the
 * classic bit tricks: (x - 0x01..) & ~x & 0x80.. is non-zero exactly when
 * some byte of x is zero, and likewise below 0x20 with 0x20..; adding
 * 0x01.. sets the high bit of a 0x7f byte.  A carry between bytes can only
 * report a byte as unsafe when it is not: the byte loop then decides. */
static bool json_plain8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, high = ones * 0x80;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

	return (((w - ones * 0x20) & ~w) | (w | (w + ones)) |
		((q - ones) & ~q) | ((b - ones) & ~b)) & high ? false : true;
}

void esc_json(struct obuf *o, const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = i;
		uint64_t w;

		while (n - run >= 8) {
			memcpy(&w, p + run, 8); /* p has no alignment */
			if (!json_plain8(w))
				break;
			run += 8;
		}
		while (run < n && p[run] >= 0x20 && p[run] < 0x7f &&
		       p[run] != '"' && p[run] != '\\')
			run++;
		if (run > i) {
			obuf_put(o, p + i, run - i);
			i = run;
			continue;
		}
		uint8_t b = p[i];
		switch (b) {
		case '"': obuf_put(o, "\\\"", 2); i++; continue;
		case '\\': obuf_put(o, "\\\\", 2); i++; continue;
		case '\n': obuf_put(o, "\\n", 2); i++; continue;
		case '\r': obuf_put(o, "\\r", 2); i++; continue;
		case '\t': obuf_put(o, "\\t", 2); i++; continue;
		default: break;
		}
		if (b < 0x80) {
			json_u(o, b);
			i++;
			continue;
		}
		uint32_t cp;
		size_t len = utf8_decode_one(p + i, n - i, &cp);
		if (!len) {
			json_u(o, 0xfffd); /* invalid UTF-8 */
			i++;
			continue;
		}
		if (cp_unsafe(cp))
			json_u(o, cp); /* all unsafe ones are in the BMP */
		else
			obuf_put(o, p + i, len);
		i += len;
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
	char tmp[BASE64_LEN(768) + 1];

	obuf_putc(o, '"');
	while (n > 0) {
		size_t take = n > 768 ? 768 : n;
		size_t len = base64_encode(p, take, tmp);
		obuf_put(o, tmp, len);
		p += take;
		n -= take;
	}
	obuf_putc(o, '"');
}
