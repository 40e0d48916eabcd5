/* test_deflate_scan.c - the deflate distance scanner (RFC 1951 §3.2):
 * streams from zlib with stored, fixed and dynamic blocks, fed whole, a
 * byte at a time and split at every point, must give the output length
 * and the longest distance beyond a limit; broken streams stop it
 * quietly. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "deflate_scan.h"
#include "suites.h"

/* data deflated raw (15 bits) with level and strategy, sync-flushed. */
static size_t squeeze(const uint8_t *data, size_t n, int level, int strategy,
		      uint8_t *out, size_t cap)
{
	z_stream z;

	memset(&z, 0, sizeof z);
	CU_ASSERT_FATAL(deflateInit2(&z, level, Z_DEFLATED, -15, 8,
				     strategy) == Z_OK);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	CU_ASSERT_FATAL(deflate(&z, Z_SYNC_FLUSH) == Z_OK);
	CU_ASSERT_FATAL(z.avail_in == 0);
	size_t len = cap - z.avail_out;
	deflateEnd(&z);
	return len;
}

struct result {
	uint64_t pos;
	uint32_t over;
	bool broken;
};

static struct result scan(const uint8_t *p, size_t n, uint32_t limit,
			  size_t c1, size_t c2, bool bytes)
{
	struct dscan d;
	struct result r;

	dscan_reset(&d);
	if (bytes) {
		for (size_t i = 0; i < n; i++)
			dscan_feed(&d, p + i, 1, limit);
	} else {
		dscan_feed(&d, p, c1, limit);
		dscan_feed(&d, p + c1, c2 - c1, limit);
		dscan_feed(&d, p + c2, n - c2, limit);
	}
	r.pos = d.pos;
	r.over = d.over;
	r.broken = d.broken;
	return r;
}

/* A random block twice: the second copy is one match 2000 bytes back. */
static void test_streams(void)
{
	static uint8_t data[4000], out[9000];
	static const struct {
		int level, strategy;
	} kinds[] = {
		{ 0, Z_DEFAULT_STRATEGY },   /* stored blocks */
		{ 6, Z_FIXED },              /* fixed Huffman */
		{ 9, Z_DEFAULT_STRATEGY },   /* dynamic */
		{ 6, Z_HUFFMAN_ONLY },       /* literals only */
		{ 6, Z_RLE },                /* distance 1 only */
	};
	uint32_t seed = 1;

	for (size_t i = 0; i < 2000; i++) {
		seed = seed * 1103515245u + 12345u;
		data[i] = (uint8_t)(seed >> 16);
	}
	memcpy(data + 2000, data, 2000);
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		size_t n = squeeze(data, sizeof data, kinds[k].level,
				   kinds[k].strategy, out, sizeof out);
		bool matches = kinds[k].level > 0 &&
			       kinds[k].strategy != Z_HUFFMAN_ONLY &&
			       kinds[k].strategy != Z_RLE;
		struct result w = scan(out, n, 1024, n, n, false);

		CU_ASSERT_FALSE(w.broken);
		CU_ASSERT_EQUAL(w.pos, sizeof data);
		CU_ASSERT_EQUAL(w.over, matches ? 2000u : 0u);
		/* A limit the distance fits in: nothing. */
		struct result ok = scan(out, n, 2048, n, n, false);
		CU_ASSERT_EQUAL(ok.over, 0);
		/* Every split point and byte by byte: the same. */
		struct result b = scan(out, n, 1024, 0, 0, true);
		CU_ASSERT(b.pos == w.pos && b.over == w.over && !b.broken);
		unsigned bad = 0;
		for (size_t c = 0; c <= n; c++) {
			struct result s = scan(out, n, 1024, c, c, false);
			if (s.pos != w.pos || s.over != w.over || s.broken)
				bad++;
		}
		CU_ASSERT_EQUAL(bad, 0);
	}
}

/* RFC 7692 §7.2.3.2's second message: distance 5 at position 0 is before
 * the stream's start (zlib's to refuse), not a window overrun; reserved
 * block type and a stored block with a bad NLEN stop the scanner. */
static void test_edges(void)
{
	static const uint8_t hello2[] = { 0xf2, 0x00, 0x11, 0x00, 0x00 };
	static const uint8_t bad_type[] = { 0xff, 0xff };
	static const uint8_t bad_nlen[] = { 0x00, 0x05, 0x00, 0x00, 0x00 };
	struct result r = scan(hello2, sizeof hello2, 1, 0, 0, false);

	CU_ASSERT_EQUAL(r.over, 0);
	CU_ASSERT_EQUAL(r.pos, 5);
	CU_ASSERT_TRUE(scan(bad_type, sizeof bad_type, 256, 0, 0, false).broken);
	CU_ASSERT_TRUE(scan(bad_nlen, sizeof bad_nlen, 256, 0, 0, false).broken);
}

int add_deflate_scan_suite(void)
{
	CU_pSuite s = CU_add_suite("deflate_scan", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "zlib streams, every split", test_streams) ||
	    !CU_add_test(s, "edges and broken streams", test_edges))
		return -1;
	return 0;
}
