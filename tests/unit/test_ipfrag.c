/* test_ipfrag.c - analyzer/ipfrag.c: reassembly in every order, overlap
 * policies of IPv4 (first copy wins) and IPv6 (RFC 8200 §4.5: abandon),
 * caps and the timeout with their counters, and decode.c's hand-off of
 * fragments and reassembled datagrams. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "decode.h"
#include "ipfrag.h"
#include "suites.h"

static uint8_t payload[64];

static struct ip_frag frag(int family, uint32_t id, uint32_t off, size_t len,
			   bool more, const uint8_t *data)
{
	struct ip_frag f;

	memset(&f, 0, sizeof f);
	f.family = (uint8_t)family;
	f.src[0] = 192;
	f.dst[0] = 198;
	f.id = id;
	f.proto = 6;
	f.offset = off;
	f.more = more;
	f.data = data;
	f.len = len;
	return f;
}

static struct ipfrag_table *table(size_t dgrams, size_t bytes)
{
	struct ipfrag_limits lim = { dgrams, bytes, 60.0 };

	for (size_t i = 0; i < sizeof payload; i++)
		payload[i] = (uint8_t)(i * 5 + 3);
	return ipfrag_new(&lim);
}

/* The 64-byte payload in 4 fragments of 16: every one of the 24 orders
 * completes on the last fragment with the same bytes. */
static void test_every_order(void)
{
	int perm[4] = { 0, 1, 2, 3 };
	int count = 0;

	for (int a = 0; a < 4; a++)
		for (int b = 0; b < 4; b++)
			for (int c = 0; c < 4; c++)
				for (int d = 0; d < 4; d++) {
					if (a == b || a == c || a == d || b == c ||
					    b == d || c == d)
						continue;
					perm[0] = a, perm[1] = b, perm[2] = c;
					perm[3] = d;
					struct ipfrag_table *t = table(16, 1 << 20);
					CU_ASSERT_PTR_NOT_NULL_FATAL(t);
					for (int i = 0; i < 4; i++) {
						int k = perm[i];
						struct ip_frag f = frag(4, 7,
							(uint32_t)k * 16, 16, k < 3,
							payload + k * 16);
						const uint8_t *out = NULL;
						size_t n = 0;
						bool done = ipfrag_add(t, &f, 1.0,
								       &out, &n);
						CU_ASSERT_EQUAL(done, i == 3);
						if (done) {
							CU_ASSERT_EQUAL(n, 64);
							CU_ASSERT_EQUAL(memcmp(out,
								payload, 64), 0);
						}
					}
					CU_ASSERT_EQUAL(ipfrag_counters(t)->buffered,
							0);
					ipfrag_free(t);
					count++;
				}
	CU_ASSERT_EQUAL(count, 24);
}

static void test_overlap_v4(void)
{
	struct ipfrag_table *t = table(16, 1 << 20);
	uint8_t other[32];
	const uint8_t *out;
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	memset(other, 0xee, sizeof other);
	struct ip_frag f = frag(4, 1, 0, 32, true, payload);
	CU_ASSERT_FALSE(ipfrag_add(t, &f, 1.0, &out, &n));
	/* An exact duplicate: quiet. */
	CU_ASSERT_FALSE(ipfrag_add(t, &f, 1.0, &out, &n));
	CU_ASSERT_EQUAL(ipfrag_counters(t)->overlaps, 0);
	/* [16,48) with other bytes: the first copy of [16,32) wins. */
	f = frag(4, 1, 16, 32, true, other);
	memcpy(other + 16, payload + 32, 16);
	CU_ASSERT_FALSE(ipfrag_add(t, &f, 1.0, &out, &n));
	CU_ASSERT_EQUAL(ipfrag_counters(t)->overlaps, 1);
	f = frag(4, 1, 48, 16, false, payload + 48);
	CU_ASSERT_TRUE(ipfrag_add(t, &f, 1.0, &out, &n));
	CU_ASSERT_EQUAL(n, 64);
	CU_ASSERT_EQUAL(memcmp(out, payload, 64), 0);
	ipfrag_free(t);
}

static void test_overlap_v6(void)
{
	struct ipfrag_table *t = table(16, 1 << 20);
	const uint8_t *out;
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	struct ip_frag f = frag(6, 9, 0, 32, true, payload);
	CU_ASSERT_FALSE(ipfrag_add(t, &f, 1.0, &out, &n));
	f = frag(6, 9, 24, 24, true, payload + 24);
	CU_ASSERT_FALSE(ipfrag_add(t, &f, 1.0, &out, &n));
	CU_ASSERT_EQUAL(ipfrag_counters(t)->overlaps, 1);
	/* RFC 8200 §4.5: abandoned, the rest cannot complete it. */
	f = frag(6, 9, 32, 32, false, payload + 32);
	CU_ASSERT_FALSE(ipfrag_add(t, &f, 1.0, &out, &n));
	CU_ASSERT_EQUAL(ipfrag_counters(t)->reassembled, 0);
	ipfrag_free(t);
}

static void test_caps_timeout_invalid(void)
{
	struct ipfrag_table *t = table(2, 1 << 20);
	const uint8_t *out;
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (uint32_t id = 0; id < 3; id++) {
		struct ip_frag f = frag(4, id, 0, 16, true, payload);
		CU_ASSERT_FALSE(ipfrag_add(t, &f, 1.0, &out, &n));
	}
	CU_ASSERT_EQUAL(ipfrag_counters(t)->cap_hits, 1);
	/* Datagram 0 was evicted: its last fragment completes nothing. */
	struct ip_frag f = frag(4, 0, 16, 16, false, payload + 16);
	CU_ASSERT_FALSE(ipfrag_add(t, &f, 2.0, &out, &n));
	/* 61 s later everything in progress has timed out. */
	f = frag(4, 2, 16, 16, false, payload + 16);
	CU_ASSERT_FALSE(ipfrag_add(t, &f, 70.0, &out, &n));
	CU_ASSERT_TRUE(ipfrag_counters(t)->timeouts >= 2);
	/* Not a multiple of 8 before the last; past 65535. */
	f = frag(4, 5, 0, 13, true, payload);
	CU_ASSERT_FALSE(ipfrag_add(t, &f, 70.0, &out, &n));
	f = frag(4, 6, 65528, 16, false, payload);
	CU_ASSERT_FALSE(ipfrag_add(t, &f, 70.0, &out, &n));
	CU_ASSERT_EQUAL(ipfrag_counters(t)->invalid, 2);
	ipfrag_free(t);

	/* A byte cap smaller than one datagram's buffer. */
	t = table(16, 1024);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	f = frag(4, 1, 4096, 16, true, payload);
	CU_ASSERT_FALSE(ipfrag_add(t, &f, 1.0, &out, &n));
	CU_ASSERT_EQUAL(ipfrag_counters(t)->cap_hits, 1);
	CU_ASSERT_EQUAL(ipfrag_counters(t)->buffered, 0);
	ipfrag_free(t);
}

/* decode.c: an IPv4 fragment and an IPv6 Fragment header come out as
 * DEC_FRAGMENT with their fields; the reassembled TCP decodes. */
static void test_decode_handoff(void)
{
	uint8_t v4[20 + 24];
	struct tcp_segment seg;
	struct decode_why why;

	memset(v4, 0, sizeof v4);
	v4[0] = 0x45;
	v4[3] = sizeof v4;
	v4[4] = 0x12;
	v4[5] = 0x34;
	v4[6] = 0x20; /* MF, offset 0 */
	v4[9] = 6;
	v4[12] = 192, v4[15] = 1, v4[16] = 198, v4[19] = 2;
	CU_ASSERT_EQUAL(decode_packet(LT_RAW, v4, sizeof v4, &seg, &why),
			DEC_FRAGMENT);
	CU_ASSERT_EQUAL(why.frag.family, 4);
	CU_ASSERT_EQUAL(why.frag.id, 0x1234);
	CU_ASSERT_TRUE(why.frag.more);
	CU_ASSERT_EQUAL(why.frag.offset, 0);
	CU_ASSERT_EQUAL(why.frag.len, 24);
	/* Captured short: truncated, not handed out. */
	CU_ASSERT_EQUAL(decode_packet(LT_RAW, v4, sizeof v4 - 1, &seg, &why),
			DEC_TRUNCATED);

	uint8_t v6[40 + 8 + 16];
	memset(v6, 0, sizeof v6);
	v6[0] = 0x60;
	v6[5] = 8 + 16;
	v6[6] = 44;
	v6[8] = 0x20, v6[9] = 0x01, v6[10] = 0x0d, v6[11] = 0xb8;
	v6[40] = 6;                   /* next header: TCP */
	v6[42] = 0, v6[43] = (2 << 3) | 1; /* offset 16, M */
	v6[44] = 0xde, v6[47] = 0x01;
	CU_ASSERT_EQUAL(decode_packet(LT_RAW, v6, sizeof v6, &seg, &why),
			DEC_FRAGMENT);
	CU_ASSERT_EQUAL(why.frag.family, 6);
	CU_ASSERT_EQUAL(why.frag.id, 0xde000001u);
	CU_ASSERT_EQUAL(why.frag.offset, 16);
	CU_ASSERT_TRUE(why.frag.more);
	CU_ASSERT_EQUAL(why.frag.len, 16);
	CU_ASSERT_EQUAL(why.frag.proto, 6);

	/* A reassembled TCP header with 4 payload bytes. */
	uint8_t tcp[24] = { 0x9c, 0x40, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0,
			    0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0, 'a', 'b', 'c',
			    'd' };
	CU_ASSERT_EQUAL(decode_reassembled(&why.frag, tcp, sizeof tcp, &seg,
					   &why), DEC_TCP);
	CU_ASSERT_EQUAL(seg.src.port, 40000);
	CU_ASSERT_EQUAL(seg.dst.port, 80);
	CU_ASSERT_EQUAL(seg.payload_len, 4);
	CU_ASSERT_EQUAL(seg.src.family, 6);
	CU_ASSERT_EQUAL(seg.src.addr[0], 0x20);
}

int add_ipfrag_suite(void)
{
	CU_pSuite s = CU_add_suite("ipfrag", NULL, NULL);

	if (s == NULL)
		return -1;
	if (CU_add_test(s, "every order of 4 fragments", test_every_order) == NULL ||
	    CU_add_test(s, "IPv4 overlap: first copy wins", test_overlap_v4) == NULL ||
	    CU_add_test(s, "IPv6 overlap abandons", test_overlap_v6) == NULL ||
	    CU_add_test(s, "caps, timeout, invalid", test_caps_timeout_invalid) == NULL ||
	    CU_add_test(s, "decode hand-off", test_decode_handoff) == NULL)
		return -1;
	return 0;
}
