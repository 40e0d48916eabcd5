/* tls_hello.c - ClientHello / ServerHello fields visible without keys. */
#include "tls_hello.h"

#include <string.h>

#include "cursor.h"

#define EXT_SERVER_NAME 0
#define EXT_ALPN 16
#define EXT_SUPPORTED_VERSIONS 43
#define EXT_ENCRYPT_THEN_MAC 22

/* RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello whose random is
 * SHA-256("HelloRetryRequest"). */
static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02,
	0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* GREASE values (RFC 8701) are 0x?A?A and mean nothing. */
static bool grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* Copies a name into dst, keeping it printable: other bytes become '?'
 * (names are shown to users; outputs escape them again anyway). */
static void copy_name(char *dst, size_t size, size_t *len, const uint8_t *p,
		      size_t n)
{
	for (size_t i = 0; i < n && *len + 1 < size; i++)
		dst[(*len)++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	dst[*len] = '\0';
}

static bool server_name(struct cur ext, struct tls_hello *h)
{
	uint16_t list_len;
	struct cur list;

	/* RFC 6066 §3: ServerNameList, each entry a type and a name. */
	if (!cur_be16(&ext, &list_len) || !cur_sub(&ext, list_len, &list))
		return false;
	while (cur_left(&list) > 0) {
		uint8_t type;
		uint16_t n;
		if (!cur_u8(&list, &type) || !cur_be16(&list, &n) ||
		    !cur_has(&list, n))
			return false;
		if (type == 0 && !h->sni[0]) {
			size_t len = 0;
			copy_name(h->sni, sizeof h->sni, &len, list.p, n);
		}
		cur_skip(&list, n);
	}
	return true;
}

static bool alpn(struct cur ext, struct tls_hello *h)
{
	uint16_t list_len;
	struct cur list;
	size_t len = 0;

	/* RFC 7301 §3.1: ProtocolNameList of 8-bit-length names. */
	if (!cur_be16(&ext, &list_len) || !cur_sub(&ext, list_len, &list))
		return false;
	while (cur_left(&list) > 0) {
		uint8_t n;
		if (!cur_u8(&list, &n) || !cur_has(&list, n))
			return false;
		if (len && len + 1 < sizeof h->alpn)
			h->alpn[len++] = ',';
		copy_name(h->alpn, sizeof h->alpn, &len, list.p, n);
		cur_skip(&list, n);
	}
	return true;
}

static bool versions(struct cur ext, struct tls_hello *h)
{
	if (h->type == 2) {
		/* ServerHello: the one selected version. */
		return cur_be16(&ext, &h->version);
	}
	uint8_t n;
	struct cur list;
	if (!cur_u8(&ext, &n) || !cur_sub(&ext, n, &list))
		return false;
	while (cur_left(&list) >= 2) {
		uint16_t v;
		cur_be16(&list, &v);
		if (!grease(v) && v > h->version)
			h->version = v;
	}
	return true;
}

enum tls_hello_result tls_hello_parse(const uint8_t *msg, size_t len,
				      struct tls_hello *out)
{
	struct cur c = cur_make(msg, len), body;
	uint8_t type, b0, sid_len;
	uint16_t b12;

	memset(out, 0, sizeof *out);
	if (!cur_u8(&c, &type))
		return TLS_HELLO_SHORT;
	if (type != 1 && type != 2)
		return TLS_HELLO_OTHER;
	out->type = type;
	/* uint24 length */
	if (!cur_u8(&c, &b0) || !cur_be16(&c, &b12))
		return TLS_HELLO_SHORT;
	size_t mlen = (size_t)b0 << 16 | b12;
	if (!cur_sub(&c, mlen, &body))
		return TLS_HELLO_SHORT;
	if (!cur_be16(&body, &out->legacy_version) ||
	    !cur_copy(&body, out->random, 32) ||
	    !cur_u8(&body, &sid_len) || sid_len > 32 || !cur_skip(&body, sid_len))
		return TLS_HELLO_INVALID;
	out->hrr = type == 2 && memcmp(out->random, hrr_random, 32) == 0;
	if (type == 1) {
		uint16_t cs_len;
		uint8_t comp_len;
		if (!cur_be16(&body, &cs_len) || !cur_skip(&body, cs_len) ||
		    !cur_u8(&body, &comp_len) || !cur_skip(&body, comp_len))
			return TLS_HELLO_INVALID;
	} else {
		if (!cur_be16(&body, &out->cipher) || !cur_skip(&body, 1))
			return TLS_HELLO_INVALID;
	}
	out->version = out->legacy_version;
	if (cur_left(&body) == 0)
		return TLS_HELLO_OK; /* no extensions (old TLS) */
	uint16_t ext_len;
	struct cur exts;
	if (!cur_be16(&body, &ext_len) || !cur_sub(&body, ext_len, &exts))
		return TLS_HELLO_INVALID;
	while (cur_left(&exts) > 0) {
		uint16_t et, el;
		struct cur ext;
		if (!cur_be16(&exts, &et) || !cur_be16(&exts, &el) ||
		    !cur_sub(&exts, el, &ext))
			return TLS_HELLO_INVALID;
		bool ok = true;
		if (et == EXT_SERVER_NAME && type == 1)
			ok = server_name(ext, out);
		else if (et == EXT_ALPN)
			ok = alpn(ext, out);
		else if (et == EXT_SUPPORTED_VERSIONS)
			ok = versions(ext, out);
		else if (et == EXT_ENCRYPT_THEN_MAC)
			out->etm = true;
		if (!ok)
			return TLS_HELLO_INVALID;
	}
	return TLS_HELLO_OK;
}
