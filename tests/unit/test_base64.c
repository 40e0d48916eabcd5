/* test_base64.c - base64: the RFC 4648 §10 vectors both ways, strict
 * decoding's refusals one by one, and a Sec-WebSocket-Key round trip. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "base64.h"
#include "suites.h"

static const struct {
	const char *raw;
	const char *enc;
} rfc4648_vectors[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};
#define NVEC (sizeof rfc4648_vectors / sizeof rfc4648_vectors[0])

/* Decodes a NUL-terminated string with plenty of room. */
static bool dec(const char *s, uint8_t *out, size_t *out_len)
{
	return base64_decode(s, strlen(s), out, 64, out_len);
}

static void test_encode_vectors(void)
{
	char out[BASE64_LEN(6) + 1];

	for (size_t i = 0; i < NVEC; i++) {
		size_t n = strlen(rfc4648_vectors[i].raw);

		CU_ASSERT_EQUAL(BASE64_LEN(n), strlen(rfc4648_vectors[i].enc));
		memset(out, '#', sizeof out);
		CU_ASSERT_EQUAL(base64_encode(
			(const uint8_t *)rfc4648_vectors[i].raw, n, out),
			strlen(rfc4648_vectors[i].enc));
		CU_ASSERT_STRING_EQUAL(out, rfc4648_vectors[i].enc);
	}
}

static void test_decode_vectors(void)
{
	uint8_t out[64];
	size_t len;

	for (size_t i = 0; i < NVEC; i++) {
		const char *raw = rfc4648_vectors[i].raw;

		len = 999;
		CU_ASSERT_TRUE(dec(rfc4648_vectors[i].enc, out, &len));
		CU_ASSERT_EQUAL(len, strlen(raw));
		CU_ASSERT_EQUAL(memcmp(out, raw, strlen(raw)), 0);
	}
}

/* Exactly enough room succeeds; one byte less fails without writing. */
static void test_decode_capacity(void)
{
	uint8_t out[8];
	size_t len;

	for (size_t i = 1; i < NVEC; i++) {
		const char *raw = rfc4648_vectors[i].raw;
		const char *enc = rfc4648_vectors[i].enc;
		size_t n = strlen(raw);

		CU_ASSERT_TRUE(base64_decode(enc, strlen(enc), out, n, &len));
		CU_ASSERT_EQUAL(len, n);
		memset(out, 0xAA, sizeof out);
		len = 999;
		CU_ASSERT_FALSE(base64_decode(enc, strlen(enc), out, n - 1,
					      &len));
		CU_ASSERT_EQUAL(out[0], 0xAA);
		CU_ASSERT_EQUAL(len, 0);
	}
	/* Empty input needs no room at all, not even a buffer. */
	CU_ASSERT_TRUE(base64_decode("", 0, NULL, 0, &len));
	CU_ASSERT_EQUAL(len, 0);
}

static void test_reject_bad_chars(void)
{
	uint8_t out[64];
	size_t len;

	CU_ASSERT_FALSE(dec("Zm9v!A==", out, &len));
	CU_ASSERT_FALSE(dec("Zm9-", out, &len));   /* base64url '-' */
	CU_ASSERT_FALSE(dec("Zm9_", out, &len));   /* base64url '_' */
	CU_ASSERT_FALSE(dec("Zm 9", out, &len));   /* whitespace */
	CU_ASSERT_FALSE(dec("Zm9v\nYmF", out, &len)); /* 8 chars, one a newline */
	CU_ASSERT_FALSE(base64_decode("Zm\0v", 4, out, sizeof out, &len));
	CU_ASSERT_FALSE(dec("Zm9\xC3", out, &len)); /* high byte */
	CU_ASSERT_FALSE(dec("\xFFm9v", out, &len));
	/* Each position of the last group, and of an earlier group. */
	CU_ASSERT_FALSE(dec("Zm9vYm*y", out, &len));
	CU_ASSERT_FALSE(dec("*m9vYmFy", out, &len));
	CU_ASSERT_FALSE(dec("Zm9vYmF*", out, &len));
}

static void test_reject_length(void)
{
	uint8_t out[64];
	size_t len;

	CU_ASSERT_FALSE(dec("Z", out, &len));
	CU_ASSERT_FALSE(dec("Zg", out, &len));      /* unpadded */
	CU_ASSERT_FALSE(dec("Zm8", out, &len));
	CU_ASSERT_FALSE(dec("Zm9vY", out, &len));
	CU_ASSERT_FALSE(dec("Zg===", out, &len));
	CU_ASSERT_FALSE(dec("=", out, &len));
}

static void test_reject_inner_padding(void)
{
	uint8_t out[64];
	size_t len;

	CU_ASSERT_FALSE(dec("Zg==Zg==", out, &len)); /* two padded groups */
	CU_ASSERT_FALSE(dec("Zm8=Zm9v", out, &len));
	CU_ASSERT_FALSE(dec("Zm=v", out, &len));
	CU_ASSERT_FALSE(dec("Z=9v", out, &len));
	CU_ASSERT_FALSE(dec("=m9v", out, &len));
	CU_ASSERT_FALSE(dec("Zg=A", out, &len));
}

static void test_reject_too_much_padding(void)
{
	uint8_t out[64];
	size_t len;

	CU_ASSERT_FALSE(dec("Z===", out, &len));
	CU_ASSERT_FALSE(dec("====", out, &len));
	CU_ASSERT_FALSE(dec("Zm9v====", out, &len));
	CU_ASSERT_FALSE(dec("Zm9vZ===", out, &len));
}

/* RFC 4648 §3.5: the pad bits of the last character must be zero.
 * "Zh==" decodes to 'f' in a lenient decoder but is not canonical. */
static void test_reject_nonzero_trailing_bits(void)
{
	uint8_t out[64];
	size_t len;

	CU_ASSERT_TRUE(dec("Zg==", out, &len));     /* the canonical form */
	CU_ASSERT_FALSE(dec("Zh==", out, &len));
	CU_ASSERT_FALSE(dec("Zv==", out, &len));    /* all four bits set */
	CU_ASSERT_TRUE(dec("Zm8=", out, &len));
	CU_ASSERT_FALSE(dec("Zm9=", out, &len));
	CU_ASSERT_TRUE(dec("Zm//", out, &len)); /* no padding: all bits used */
	CU_ASSERT_FALSE(dec("Zm9vYh==", out, &len));
}

/* Every byte value survives a round trip, at each remainder mod 3. */
static void test_round_trip(void)
{
	uint8_t raw[256], back[256];
	char enc[BASE64_LEN(256) + 1];
	size_t len, elen;
	unsigned bad = 0;

	for (int i = 0; i < 256; i++)
		raw[i] = (uint8_t)(255 - i);
	for (size_t n = 0; n <= 256; n++) {
		elen = base64_encode(raw, n, enc);
		if (elen != BASE64_LEN(n) || strlen(enc) != elen) {
			bad++;
			continue;
		}
		if (!base64_decode(enc, elen, back, n, &len) || len != n ||
		    memcmp(raw, back, n) != 0)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* RFC 6455 §4.1: Sec-WebSocket-Key is 16 random bytes in base64. */
static void test_ws_key(void)
{
	static const char key[] = "dGhlIHNhbXBsZSBub25jZQ==";
	uint8_t out[16];
	size_t len = 0;

	CU_ASSERT_TRUE(base64_decode(key, strlen(key), out, sizeof out, &len));
	CU_ASSERT_EQUAL(len, 16);
	CU_ASSERT_EQUAL(memcmp(out, "the sample nonce", 16), 0);
	/* One byte short of room is refused. */
	CU_ASSERT_FALSE(base64_decode(key, strlen(key), out, 15, &len));
	/* A 15- or 17-byte key decodes, but not to 16 bytes. */
	CU_ASSERT_TRUE(base64_decode("dGhlIHNhbXBsZSBub25j", 20, out,
				     sizeof out, &len));
	CU_ASSERT_EQUAL(len, 15);
	CU_ASSERT_EQUAL(memcmp(out, "the sample nonc", 15), 0);
}

int add_base64_suite(void)
{
	CU_pSuite s = CU_add_suite("base64", NULL, NULL);

	if (s == NULL)
		return -1;
	if (CU_add_test(s, "encode RFC 4648 vectors", test_encode_vectors) == NULL ||
	    CU_add_test(s, "decode RFC 4648 vectors", test_decode_vectors) == NULL ||
	    CU_add_test(s, "decode capacity", test_decode_capacity) == NULL ||
	    CU_add_test(s, "reject bad characters", test_reject_bad_chars) == NULL ||
	    CU_add_test(s, "reject bad length", test_reject_length) == NULL ||
	    CU_add_test(s, "reject inner padding", test_reject_inner_padding) == NULL ||
	    CU_add_test(s, "reject > 2 padding", test_reject_too_much_padding) == NULL ||
	    CU_add_test(s, "reject nonzero trailing bits",
			test_reject_nonzero_trailing_bits) == NULL ||
	    CU_add_test(s, "round trip", test_round_trip) == NULL ||
	    CU_add_test(s, "websocket key", test_ws_key) == NULL)
		return -1;
	return 0;
}
