/* test_text.c - text_format against snprintf: every conversion it parses
 * itself, the ones it hands on, and the cut at every buffer size. */
#include <CUnit/CUnit.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"
#include "text.h"

/* Formats both ways into buffers of every size up to the full length
 * and compares text and return value. */
#define SAME(...)                                                           \
	do {                                                                \
		char want[512], got[512];                                   \
		int wn = snprintf(want, sizeof want, __VA_ARGS__);          \
		int gn = text_format(got, sizeof got, __VA_ARGS__);         \
		CU_ASSERT_EQUAL(gn, wn);                                    \
		CU_ASSERT_STRING_EQUAL(got, want);                          \
		for (size_t sz = 0; sz <= (size_t)wn + 1 && sz < 512; sz++) { \
			memset(want, 'x', sizeof want);                     \
			memset(got, 'x', sizeof got);                       \
			snprintf(want, sz, __VA_ARGS__);                    \
			text_format(got, sz, __VA_ARGS__);                  \
			if (memcmp(got, want, sz + 1) != 0) {               \
				CU_FAIL("cut differs from snprintf");       \
				break;                                      \
			}                                                   \
		}                                                           \
	} while (0)

static void test_conversions(void)
{
	SAME("plain text, no conversion");
	SAME("%s and %s", "one", "");
	SAME("[%.*s]", 3, "abcdef");
	SAME("[%.*s]", -1, "abcdef");
	SAME("[%.10s|%.2s]", "short", "longer");
	SAME("[%8s|%3s]", "pad", "toolong");
	SAME("%d %d %d %d", 0, -1, INT_MAX, INT_MIN);
	SAME("%i %ld %lld", 42, -7L, LLONG_MIN);
	SAME("%u %lu %llu %zu", 0u, ULONG_MAX, ULLONG_MAX, (size_t)12345);
	SAME("%x %02x %04x %08zx %llx", 255u, 7u, 0xbeefu, (size_t)0xabc,
	     0xfedcba9876543210ull);
	SAME("%02d:%02d:%03d %5d %05d %05d", 3, 59, 7, -42, 42, -42);
	SAME("%04llu %6zu %hu %hhu %hd", 7ull, (size_t)3, (unsigned)70000,
	     (unsigned)300, 40000);
	SAME("%c%c %3c", 'a', 'Z', 'q');
	SAME("100%% sure, %s%%", "really");
	SAME("%s took %llu ms", (const char *)"connect", 12ull);
	/* %.Nf: exact halves (0.25, 0.125) and values a product would round
	 * the wrong way go to printf; the rest are formatted here */
	SAME("%.1f %.1f %.1f %.0f %.0f %.3f %.6f", 0.25, 0.35, 12.05, 0.5,
	     2.5, 0.0005, 1700000000.123456);
	SAME("%.2f s, %.1f ms, %.0f s", 1.005, 1e-9, 299.99);
	SAME("%.1f %.1f %.3f", -1.25, 1e300, 123456.7895);
	for (int i = 0; i < 20000; i++) {
		double v = i * 0.0137 + i * i * 1e-7;
		SAME("%.0f|%.1f|%.2f|%.3f|%.6f", v, v, v * 3, v / 7, v * 1e3);
	}
}

/* Conversions text_format hands to vsnprintf: the same result, whatever
 * came before them in the format. */
static void test_handed_on(void)
{
	SAME("%.1f ms after %s", 3.25, "the request");
	SAME("%s then %-7s|", "left", "pad");
	SAME("%llu then %.3f then %s", 9ull, 1.0 / 3, "end");
	SAME("%+d % d %#x", 5, 5, 255u);
	SAME("%*d", 6, 42);
	SAME("%.3d", 7);
	SAME("%g %e", 0.5, 1e10);
}

int add_text_suite(void)
{
	CU_pSuite s = CU_add_suite("text", NULL, NULL);
	if (!s ||
	    !CU_add_test(s, "conversions parsed here", test_conversions) ||
	    !CU_add_test(s, "conversions handed to vsnprintf", test_handed_on))
		return -1;
	return 0;
}
