/* test_ws_resync.c - dissectors/ws_resync.c: chains of plausible frame
 * headers accepted, pending and rejected (RFC 6455 §5.2-§5.5 rules), and
 * the first boundary found in a stream entered at every offset. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "suites.h"
#include "ws_resync.h"

/* RFC 6455 §5.7: a masked "Hello" from a client, and an unmasked one. */
static const uint8_t masked_hello[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
					0x7f, 0x9f, 0x4d, 0x51, 0x58 };
static const uint8_t hello[] = { 0x81, 0x05, 'H', 'e', 'l', 'l', 'o' };

static const struct ws_resync_params any = { -1, false, 1 << 20 };

static size_t repeat(uint8_t *out, const uint8_t *f, size_t n, int times)
{
	for (int i = 0; i < times; i++)
		memcpy(out + (size_t)i * n, f, n);
	return n * (size_t)times;
}

static void test_chains(void)
{
	uint8_t buf[64];
	struct ws_resync_chain ch;
	size_t n;

	n = repeat(buf, masked_hello, sizeof masked_hello, 3);
	CU_ASSERT_EQUAL(ws_resync_check(buf, n, &any, false, &ch),
			WS_RESYNC_ACCEPT);
	CU_ASSERT_EQUAL(ch.headers, 3);
	CU_ASSERT_TRUE(ch.masked);
	/* One frame: pending; at the end of the stream, accepted. */
	CU_ASSERT_EQUAL(ws_resync_check(masked_hello, sizeof masked_hello,
					&any, false, &ch), WS_RESYNC_PENDING);
	CU_ASSERT_EQUAL(ws_resync_check(masked_hello, sizeof masked_hello,
					&any, true, &ch), WS_RESYNC_ACCEPT);
	/* Two frames ending exactly at the end. */
	n = repeat(buf, hello, sizeof hello, 2);
	CU_ASSERT_EQUAL(ws_resync_check(buf, n, &any, false, &ch),
			WS_RESYNC_ACCEPT);
	CU_ASSERT_FALSE(ch.masked);
	/* The wrong masking for the direction. */
	struct ws_resync_params server = { 0, false, 1 << 20 };
	CU_ASSERT_EQUAL(ws_resync_check(buf, n, &server, false, &ch),
			WS_RESYNC_ACCEPT);
	n = repeat(buf, masked_hello, sizeof masked_hello, 2);
	CU_ASSERT_EQUAL(ws_resync_check(buf, n, &server, false, &ch),
			WS_RESYNC_REJECT);
	/* Mixed masking within one direction (§5.1). */
	memcpy(buf, hello, sizeof hello);
	memcpy(buf + sizeof hello, masked_hello, sizeof masked_hello);
	CU_ASSERT_EQUAL(ws_resync_check(buf, sizeof hello + sizeof masked_hello,
					&any, false, &ch), WS_RESYNC_REJECT);
	/* A header cut short: pending, then rejected at the end. */
	CU_ASSERT_EQUAL(ws_resync_check(masked_hello, 4, &any, false, &ch),
			WS_RESYNC_PENDING);
	CU_ASSERT_EQUAL(ws_resync_check(masked_hello, 4, &any, true, &ch),
			WS_RESYNC_REJECT);
}

static void test_rules(void)
{
	struct ws_resync_chain ch;
	uint8_t zeros[32] = { 0 };
	/* Zero padding is not a chain of empty continuations. */
	CU_ASSERT_EQUAL(ws_resync_check(zeros, sizeof zeros, &any, false, &ch),
			WS_RESYNC_REJECT);
	const uint8_t reserved[] = { 0x83, 0x00, 0x81, 0x00, 0x81, 0x00 };
	CU_ASSERT_EQUAL(ws_resync_check(reserved, 6, &any, false, &ch),
			WS_RESYNC_REJECT);
	const uint8_t rsv2[] = { 0xa1, 0x00, 0x81, 0x00, 0x81, 0x00 };
	CU_ASSERT_EQUAL(ws_resync_check(rsv2, 6, &any, false, &ch),
			WS_RESYNC_REJECT);
	/* RSV1 only with deflate, and not on control frames. */
	const uint8_t rsv1[] = { 0xc1, 0x00, 0xc1, 0x00, 0xc1, 0x00 };
	struct ws_resync_params deflate = { -1, true, 1 << 20 };
	CU_ASSERT_EQUAL(ws_resync_check(rsv1, 6, &any, false, &ch),
			WS_RESYNC_REJECT);
	CU_ASSERT_EQUAL(ws_resync_check(rsv1, 6, &deflate, false, &ch),
			WS_RESYNC_ACCEPT);
	CU_ASSERT_TRUE(ch.rsv1);
	const uint8_t ping_rsv1[] = { 0xc9, 0x00, 0x81, 0x00, 0x81, 0x00 };
	CU_ASSERT_EQUAL(ws_resync_check(ping_rsv1, 6, &deflate, false, &ch),
			WS_RESYNC_REJECT);
	/* Control frames: final, <= 125 bytes; close not 1 byte. */
	const uint8_t ping_nofin[] = { 0x09, 0x00, 0x81, 0x00, 0x81, 0x00 };
	CU_ASSERT_EQUAL(ws_resync_check(ping_nofin, 6, &any, false, &ch),
			WS_RESYNC_REJECT);
	const uint8_t close1[] = { 0x88, 0x01, 0x00, 0x81, 0x00, 0x81, 0x00 };
	CU_ASSERT_EQUAL(ws_resync_check(close1, 7, &any, false, &ch),
			WS_RESYNC_REJECT);
	/* Non-minimal 16-bit length. */
	const uint8_t nonmin[] = { 0x82, 0x7e, 0x00, 0x05, 1, 2, 3, 4, 5 };
	CU_ASSERT_EQUAL(ws_resync_check(nonmin, 9, &any, true, &ch),
			WS_RESYNC_REJECT);
	/* All-zero masking key. */
	const uint8_t zkey[] = { 0x81, 0x80, 0, 0, 0, 0, 0x81, 0x80, 0, 0, 0, 0 };
	CU_ASSERT_EQUAL(ws_resync_check(zkey, 12, &any, false, &ch),
			WS_RESYNC_REJECT);
	/* §5.4 order: text (not final), ping, continuation (final): fine; a
	 * continuation after a final frame is not. */
	const uint8_t frag_ok[] = { 0x01, 0x01, 'a', 0x89, 0x00, 0x80, 0x01, 'b' };
	CU_ASSERT_EQUAL(ws_resync_check(frag_ok, 8, &any, false, &ch),
			WS_RESYNC_ACCEPT);
	const uint8_t frag_bad[] = { 0x81, 0x01, 'a', 0x80, 0x01, 'b', 0x81, 0x00 };
	CU_ASSERT_EQUAL(ws_resync_check(frag_bad, 8, &any, false, &ch),
			WS_RESYNC_REJECT);
	/* A frame longer than the limit. */
	struct ws_resync_params small = { -1, false, 100 };
	const uint8_t big[] = { 0x82, 0x7e, 0x01, 0x00 };
	CU_ASSERT_EQUAL(ws_resync_check(big, 4, &small, false, &ch),
			WS_RESYNC_REJECT);
}

/* Entering a stream of frames at every offset, the first accepted
 * candidate at or after it is the next real frame boundary. */
static void test_every_offset(void)
{
	uint8_t s[256];
	size_t bounds[32], nb = 0, n = 0;
	const char *texts[] = { "alpha", "b", "the third message", "", "xyz",
				"sixth", "7", "eight!" };

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		size_t len = strlen(texts[i]);
		bounds[nb++] = n;
		s[n++] = 0x81;
		s[n++] = (uint8_t)len;
		memcpy(s + n, texts[i], len);
		n += len;
	}
	bounds[nb] = n;
	struct ws_resync_params server = { 0, false, 1 << 20 };
	for (size_t start = 0; start < n; start++) {
		size_t want = 0;
		while (bounds[want] < start)
			want++;
		size_t found = n;
		for (size_t i = start; i < n; i++) {
			struct ws_resync_chain ch;
			if (ws_resync_check(s + i, n - i, &server, true, &ch) ==
			    WS_RESYNC_ACCEPT) {
				found = i;
				break;
			}
		}
		CU_ASSERT_EQUAL(found, bounds[want]);
	}
}

int add_ws_resync_suite(void)
{
	CU_pSuite s = CU_add_suite("ws_resync", NULL, NULL);

	if (s == NULL)
		return -1;
	if (CU_add_test(s, "chains", test_chains) == NULL ||
	    CU_add_test(s, "header rules", test_rules) == NULL ||
	    CU_add_test(s, "every entry offset", test_every_offset) == NULL)
		return -1;
	return 0;
}
