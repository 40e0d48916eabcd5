/* test_tls_hello.c - ClientHello/ServerHello fields (RFC 8446 §4.1.2,
 * §4.1.3, RFC 6066 §3, RFC 7301 §3.1, RFC 8701 GREASE). */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "tls_hello.h"

struct buf {
	uint8_t b[1024];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void u8(struct buf *b, unsigned v)
{
	b->b[b->n++] = (uint8_t)v;
}

static void u16(struct buf *b, unsigned v)
{
	u8(b, v >> 8);
	u8(b, v & 0xff);
}

/* Patches a big-endian length of `width` bytes at `at` to cover what
 * follows it up to the end of the buffer. */
static void fix_len(struct buf *b, size_t at, int width)
{
	size_t len = b->n - at - (size_t)width;
	for (int i = width - 1; i >= 0; i--) {
		b->b[at + (size_t)i] = (uint8_t)(len & 0xff);
		len >>= 8;
	}
}

static void client_hello(struct buf *b)
{
	uint8_t random[32] = { 0 };
	b->n = 0;
	u8(b, 1);              /* ClientHello */
	size_t mlen = b->n;
	u8(b, 0); u16(b, 0);   /* uint24 length, patched */
	u16(b, 0x0303);
	put(b, random, 32);
	u8(b, 32);             /* session id */
	put(b, random, 32);
	u16(b, 4); u16(b, 0x1301); u16(b, 0xc02f);
	u8(b, 1); u8(b, 0);    /* compression: null */
	size_t exts = b->n;
	u16(b, 0);
	/* GREASE extension, empty */
	u16(b, 0x3a3a); u16(b, 0);
	/* server_name */
	u16(b, 0); size_t e = b->n; u16(b, 0);
	size_t list = b->n; u16(b, 0);
	u8(b, 0); u16(b, 12); put(b, "wss.lab.test", 12);
	fix_len(b, list, 2); fix_len(b, e, 2);
	/* ALPN */
	u16(b, 16); e = b->n; u16(b, 0);
	list = b->n; u16(b, 0);
	u8(b, 2); put(b, "h2", 2);
	u8(b, 8); put(b, "http/1.1", 8);
	fix_len(b, list, 2); fix_len(b, e, 2);
	/* supported_versions: GREASE, 1.3, 1.2 */
	u16(b, 43); e = b->n; u16(b, 0);
	u8(b, 6); u16(b, 0x7a7a); u16(b, 0x0304); u16(b, 0x0303);
	fix_len(b, e, 2);
	fix_len(b, exts, 2);
	fix_len(b, mlen, 3);
}

static void server_hello(struct buf *b)
{
	uint8_t random[32] = { 1 };
	b->n = 0;
	u8(b, 2);
	size_t mlen = b->n;
	u8(b, 0); u16(b, 0);
	u16(b, 0x0303);
	put(b, random, 32);
	u8(b, 0);
	u16(b, 0x1301);
	u8(b, 0);
	size_t exts = b->n;
	u16(b, 0);
	u16(b, 43); u16(b, 2); u16(b, 0x0304);
	u16(b, 16); size_t e = b->n; u16(b, 0);
	size_t list = b->n; u16(b, 0);
	u8(b, 8); put(b, "http/1.1", 8);
	fix_len(b, list, 2); fix_len(b, e, 2);
	fix_len(b, exts, 2);
	fix_len(b, mlen, 3);
}

static void test_client_hello_fields(void)
{
	struct buf b;
	struct tls_hello h;

	client_hello(&b);
	CU_ASSERT_EQUAL(tls_hello_parse(b.b, b.n, &h), TLS_HELLO_OK);
	CU_ASSERT_EQUAL(h.type, 1);
	CU_ASSERT_STRING_EQUAL(h.sni, "wss.lab.test");
	CU_ASSERT_STRING_EQUAL(h.alpn, "h2,http/1.1");
	CU_ASSERT_EQUAL(h.legacy_version, 0x0303);
	/* GREASE 0x7a7a is ignored, the highest real version wins */
	CU_ASSERT_EQUAL(h.version, 0x0304);
}

static void test_server_hello_fields(void)
{
	struct buf b;
	struct tls_hello h;

	server_hello(&b);
	CU_ASSERT_EQUAL(tls_hello_parse(b.b, b.n, &h), TLS_HELLO_OK);
	CU_ASSERT_EQUAL(h.type, 2);
	CU_ASSERT_EQUAL(h.version, 0x0304);
	CU_ASSERT_EQUAL(h.cipher, 0x1301);
	CU_ASSERT_STRING_EQUAL(h.alpn, "http/1.1");
	CU_ASSERT_STRING_EQUAL(h.sni, "");
}

/* Every prefix is either "need more" or, for the full length, OK: never
 * a read past the end (the copy sits exactly at the end of a heap block,
 * so ASan catches any over-read). */
static void test_every_prefix(void)
{
	struct buf b;
	struct tls_hello h;

	for (int which = 0; which < 2; which++) {
		which ? server_hello(&b) : client_hello(&b);
		for (size_t n = 0; n <= b.n; n++) {
			uint8_t *copy = malloc(n ? n : 1);
			memcpy(copy, b.b, n);
			enum tls_hello_result r = tls_hello_parse(copy, n, &h);
			CU_ASSERT_EQUAL(r, n == b.n ? TLS_HELLO_OK : TLS_HELLO_SHORT);
			free(copy);
		}
	}
}

static void test_inconsistent_lengths(void)
{
	struct buf b;
	struct tls_hello h;

	/* an extension longer than the extensions block */
	client_hello(&b);
	size_t sni_len_at = 4 + 2 + 32 + 1 + 32 + 2 + 4 + 2 + 2 + 4 + 2;
	CU_ASSERT_EQUAL(b.b[sni_len_at - 2], 0); /* server_name type */
	b.b[sni_len_at] = 0x7f;
	CU_ASSERT_EQUAL(tls_hello_parse(b.b, b.n, &h), TLS_HELLO_INVALID);
	/* a session id longer than 32 bytes (RFC 8446 §4.1.2) */
	client_hello(&b);
	b.b[4 + 2 + 32] = 33;
	CU_ASSERT_EQUAL(tls_hello_parse(b.b, b.n, &h), TLS_HELLO_INVALID);
	/* not a hello */
	uint8_t fin[4] = { 20, 0, 0, 0 };
	CU_ASSERT_EQUAL(tls_hello_parse(fin, 4, &h), TLS_HELLO_OTHER);
}

/* The randoms (what a key log is keyed by), HelloRetryRequest's special
 * random (RFC 8446 §4.1.3) and encrypt_then_mac (RFC 7366). */
static void test_randoms_hrr_etm(void)
{
	struct buf b;
	struct tls_hello h;
	static const uint8_t hrr[32] = {
		0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
		0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
		0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
	};

	client_hello(&b);
	for (int i = 0; i < 32; i++)
		b.b[6 + i] = (uint8_t)(0xa0 + i);
	CU_ASSERT_EQUAL(tls_hello_parse(b.b, b.n, &h), TLS_HELLO_OK);
	CU_ASSERT_EQUAL(h.random[0], 0xa0);
	CU_ASSERT_EQUAL(h.random[31], 0xa0 + 31);
	CU_ASSERT_FALSE(h.hrr);
	CU_ASSERT_FALSE(h.etm);

	server_hello(&b);
	CU_ASSERT_EQUAL(tls_hello_parse(b.b, b.n, &h), TLS_HELLO_OK);
	CU_ASSERT_EQUAL(h.random[0], 1);
	CU_ASSERT_FALSE(h.hrr);
	memcpy(b.b + 6, hrr, 32);
	CU_ASSERT_EQUAL(tls_hello_parse(b.b, b.n, &h), TLS_HELLO_OK);
	CU_ASSERT_TRUE(h.hrr);
	CU_ASSERT_EQUAL(h.cipher, 0x1301);
	/* the same bytes in a ClientHello mean nothing special */
	client_hello(&b);
	memcpy(b.b + 6, hrr, 32);
	CU_ASSERT_EQUAL(tls_hello_parse(b.b, b.n, &h), TLS_HELLO_OK);
	CU_ASSERT_FALSE(h.hrr);

	/* a TLS 1.2 ServerHello with encrypt_then_mac (type 22, empty) */
	server_hello(&b);
	size_t exts = 4 + 2 + 32 + 1 + 2 + 1;
	b.b[b.n++] = 0; b.b[b.n++] = 22; b.b[b.n++] = 0; b.b[b.n++] = 0;
	fix_len(&b, exts, 2);
	fix_len(&b, 1, 3);
	CU_ASSERT_EQUAL(tls_hello_parse(b.b, b.n, &h), TLS_HELLO_OK);
	CU_ASSERT_TRUE(h.etm);
}

static void test_unprintable_sni_kept_safe(void)
{
	struct buf b;
	struct tls_hello h;

	client_hello(&b);
	uint8_t *p = memmem(b.b, b.n, "wss.lab.test", 12);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	p[3] = 0x1b;
	CU_ASSERT_EQUAL(tls_hello_parse(b.b, b.n, &h), TLS_HELLO_OK);
	CU_ASSERT_STRING_EQUAL(h.sni, "wss?lab.test");
}

int add_tls_hello_suite(void)
{
	CU_pSuite s = CU_add_suite("tls_hello", NULL, NULL);
	if (!s ||
	    !CU_add_test(s, "ClientHello: SNI, ALPN, versions, GREASE",
			 test_client_hello_fields) ||
	    !CU_add_test(s, "ServerHello: negotiated version, ALPN",
			 test_server_hello_fields) ||
	    !CU_add_test(s, "every prefix is SHORT, never an over-read",
			 test_every_prefix) ||
	    !CU_add_test(s, "inconsistent lengths are INVALID",
			 test_inconsistent_lengths) ||
	    !CU_add_test(s, "randoms, HelloRetryRequest, encrypt_then_mac",
			 test_randoms_hrr_etm) ||
	    !CU_add_test(s, "control bytes in SNI are replaced",
			 test_unprintable_sni_kept_safe))
		return -1;
	return 0;
}
