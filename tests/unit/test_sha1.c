/* test_sha1.c - SHA-1: the RFC 3174 §7.3 test vectors, fed whole, one
 * byte at a time and split at every point (and every pair of points for
 * the short ones); messages around the padding boundaries; and the
 * Sec-WebSocket-Accept example of RFC 6455 §1.3. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "base64.h"
#include "sha1.h"
#include "suites.h"

/* Digest as 40 lowercase hex characters plus NUL. */
static void hex20(const uint8_t d[20], char out[41])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 20; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[40] = '\0';
}

static void digest_hex(const void *msg, size_t len, char out[41])
{
	struct sha1_ctx c;
	uint8_t d[20];

	sha1_init(&c);
	sha1_update(&c, msg, len);
	sha1_final(&c, d);
	hex20(d, out);
}

/* Hashes msg as three pieces [0,a) [a,b) [b,len). */
static void digest_split(const uint8_t *msg, size_t len, size_t a, size_t b,
			 char out[41])
{
	struct sha1_ctx c;
	uint8_t d[20];

	sha1_init(&c);
	sha1_update(&c, msg, a);
	sha1_update(&c, msg + a, b - a);
	sha1_update(&c, msg + b, len - b);
	sha1_final(&c, d);
	hex20(d, out);
}

static void digest_bytewise(const uint8_t *msg, size_t len, char out[41])
{
	struct sha1_ctx c;
	uint8_t d[20];

	sha1_init(&c);
	for (size_t i = 0; i < len; i++)
		sha1_update(&c, msg + i, 1);
	sha1_final(&c, d);
	hex20(d, out);
}

/* Whole, byte by byte, at every split point and every pair of points;
 * counts mismatches so one failure does not print thousands of lines. */
static void check_all_splits(const uint8_t *msg, size_t len,
			     const char *want)
{
	char got[41];
	unsigned bad = 0;

	digest_hex(msg, len, got);
	CU_ASSERT_STRING_EQUAL(got, want);
	digest_bytewise(msg, len, got);
	CU_ASSERT_STRING_EQUAL(got, want);
	for (size_t a = 0; a <= len; a++) {
		for (size_t b = a; b <= len; b++) {
			digest_split(msg, len, a, b, got);
			if (strcmp(got, want) != 0)
				bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_rfc3174_test1(void)
{
	static const char m[] = "abc";

	check_all_splits((const uint8_t *)m, 3,
			 "a9993e364706816aba3e25717850c26c9cd0d89d");
}

static void test_rfc3174_test2(void)
{
	static const char m[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	CU_ASSERT_EQUAL(strlen(m), 56);
	check_all_splits((const uint8_t *)m, strlen(m),
			 "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

/* TEST3: "a" repeated 1,000,000 times, as the RFC's driver does with one
 * 1-byte update per repetition; also in 1000-byte and odd-sized chunks. */
static void test_rfc3174_test3(void)
{
	static const char want[] = "34aa973cd4c4daa4f61eeb2bdbad27316534016f";
	static uint8_t chunk[1000];
	struct sha1_ctx c;
	uint8_t d[20];
	char got[41];
	size_t done, n;

	memset(chunk, 'a', sizeof chunk);

	sha1_init(&c);
	for (long i = 0; i < 1000000; i++)
		sha1_update(&c, "a", 1);
	sha1_final(&c, d);
	hex20(d, got);
	CU_ASSERT_STRING_EQUAL(got, want);

	sha1_init(&c);
	for (int i = 0; i < 1000; i++)
		sha1_update(&c, chunk, sizeof chunk);
	sha1_final(&c, d);
	hex20(d, got);
	CU_ASSERT_STRING_EQUAL(got, want);

	/* 997 is prime, so the pieces straddle block edges differently. */
	sha1_init(&c);
	for (done = 0; done < 1000000; done += n) {
		n = 1000000 - done < 997 ? 1000000 - done : 997;
		sha1_update(&c, chunk, n);
	}
	sha1_final(&c, d);
	hex20(d, got);
	CU_ASSERT_STRING_EQUAL(got, want);
}

/* TEST4: "01234567" * 8 (64 bytes) repeated 10 times. */
static void test_rfc3174_test4(void)
{
	static const char want[] = "dea356a2cddd90c7a7ecedc5ebb563934f460452";
	static const char unit[] =
		"0123456701234567012345670123456701234567012345670123456701234567";
	uint8_t whole[640];
	struct sha1_ctx c;
	uint8_t d[20];
	char got[41];

	CU_ASSERT_EQUAL(strlen(unit), 64);
	sha1_init(&c);
	for (int i = 0; i < 10; i++)
		sha1_update(&c, unit, 64);
	sha1_final(&c, d);
	hex20(d, got);
	CU_ASSERT_STRING_EQUAL(got, want);

	for (int i = 0; i < 10; i++)
		memcpy(whole + 64 * i, unit, 64);
	digest_hex(whole, sizeof whole, got);
	CU_ASSERT_STRING_EQUAL(got, want);
	digest_bytewise(whole, sizeof whole, got);
	CU_ASSERT_STRING_EQUAL(got, want);
	/* Every single split point (pairs would be 200k hashes). */
	{
		unsigned bad = 0;

		for (size_t a = 0; a <= sizeof whole; a++) {
			digest_split(whole, sizeof whole, a, a, got);
			if (strcmp(got, want) != 0)
				bad++;
		}
		CU_ASSERT_EQUAL(bad, 0);
	}
}

/* Lengths at the padding edges: 55 bytes leave room for 0x80 and the
 * length in one block, 56..63 need a second block, 64 fills one exactly.
 * Expected digests come from an independent implementation (Python's
 * hashlib) over bytes (i * 7 + 1) mod 256. */
static void test_padding_edges(void)
{
	static const struct {
		size_t len;
		const char *want;
	} v[] = {
		{ 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
		{ 1, "bf8b4530d8d246dd74ac53a13471bba17941dff7" },
		{ 55, "04bb34aef4880b625e6b1564a014abd25fc02bfe" },
		{ 56, "83b9fcb6d3e3b20f376ab989a1b6353bcc6c0f44" },
		{ 57, "2a1102af8a806e1fe19c618ee2b4721b38d5c797" },
		{ 63, "ab15090e8dbe512f3733350f9623ab11f9b5165b" },
		{ 64, "54305ee7e4c7bc5a96afc6d1994fc52d9bcb665f" },
		{ 65, "5985422a25357371ebd2a7f6ecd7eebed43db42c" },
		{ 119, "6839d6c27f22ed884ac43ae6bd3bfcee9e04b938" },
		{ 120, "8c40517a14ab8b78fd4b8958f4e31254a34c3fb0" },
		{ 127, "776f9728c5649329e5db4bb60a25ea903925a112" },
		{ 128, "22485dc0d1e1d6e9e93e4a2a4667b8e979456379" },
		{ 129, "ee30885ff6af88e805c4b2f54fe0a205a09bf2cc" },
		{ 1000, "f50d11c8ae2b20fe2598e99a6a2cb859e302615c" },
	};
	static uint8_t msg[1000];
	char got[41];

	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		if (v[i].len <= 129) {
			check_all_splits(msg, v[i].len, v[i].want);
		} else {
			digest_hex(msg, v[i].len, got);
			CU_ASSERT_STRING_EQUAL(got, v[i].want);
			digest_bytewise(msg, v[i].len, got);
			CU_ASSERT_STRING_EQUAL(got, v[i].want);
		}
	}
}

/* Zero-length updates change nothing, even with a NULL pointer. */
static void test_empty_updates(void)
{
	struct sha1_ctx c;
	uint8_t d[20];
	char got[41];

	sha1_init(&c);
	sha1_update(&c, NULL, 0);
	sha1_update(&c, "ab", 2);
	sha1_update(&c, NULL, 0);
	sha1_update(&c, "c", 1);
	sha1_update(&c, "", 0);
	sha1_final(&c, d);
	hex20(d, got);
	CU_ASSERT_STRING_EQUAL(got, "a9993e364706816aba3e25717850c26c9cd0d89d");
}

/* A context can be reused after sha1_init. */
static void test_reinit(void)
{
	struct sha1_ctx c;
	uint8_t d[20];
	char got[41];

	sha1_init(&c);
	sha1_update(&c, "something else entirely", 23);
	sha1_final(&c, d);
	sha1_init(&c);
	sha1_update(&c, "abc", 3);
	sha1_final(&c, d);
	hex20(d, got);
	CU_ASSERT_STRING_EQUAL(got, "a9993e364706816aba3e25717850c26c9cd0d89d");
}

/* RFC 6455 §1.3: the server's Sec-WebSocket-Accept for the key
 * "dGhlIHNhbXBsZSBub25jZQ==" is base64(SHA-1(key + GUID)). */
static void test_ws_accept_example(void)
{
	static const char key[] = "dGhlIHNhbXBsZSBub25jZQ==";
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	struct sha1_ctx c;
	uint8_t d[20];
	char b64[BASE64_LEN(20) + 1];

	sha1_init(&c);
	sha1_update(&c, key, strlen(key));
	sha1_update(&c, guid, strlen(guid));
	sha1_final(&c, d);
	CU_ASSERT_EQUAL(base64_encode(d, 20, b64), 28);
	CU_ASSERT_STRING_EQUAL(b64, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

int add_sha1_suite(void)
{
	CU_pSuite s = CU_add_suite("sha1", NULL, NULL);

	if (s == NULL)
		return -1;
	if (CU_add_test(s, "RFC 3174 TEST1 abc", test_rfc3174_test1) == NULL ||
	    CU_add_test(s, "RFC 3174 TEST2 56 bytes", test_rfc3174_test2) == NULL ||
	    CU_add_test(s, "RFC 3174 TEST3 million a", test_rfc3174_test3) == NULL ||
	    CU_add_test(s, "RFC 3174 TEST4 01234567", test_rfc3174_test4) == NULL ||
	    CU_add_test(s, "padding edges", test_padding_edges) == NULL ||
	    CU_add_test(s, "empty updates", test_empty_updates) == NULL ||
	    CU_add_test(s, "reinit", test_reinit) == NULL ||
	    CU_add_test(s, "RFC 6455 1.3 accept", test_ws_accept_example) == NULL)
		return -1;
	return 0;
}
