/* test_cursor.c - analyzer/cursor.h: every reader at exact length, one
 * byte short and on an empty cursor; a failed read must not move the
 * cursor; huge lengths must not wrap the bounds check. */
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <string.h>

#include "cursor.h"
#include "suites.h"

static const uint8_t data8[8] = { 0x01, 0x02, 0x03, 0x04,
				  0x05, 0x06, 0x07, 0x08 };

/* A failed read leaves p and end exactly as they were. */
#define CHECK_UNMOVED(c, p0, e0) do {                   \
		CU_ASSERT_PTR_EQUAL((c).p, (p0));       \
		CU_ASSERT_PTR_EQUAL((c).end, (e0));     \
	} while (0)

static void test_make_left_has(void)
{
	struct cur c = cur_make(data8, sizeof data8);

	CU_ASSERT_PTR_EQUAL(c.p, data8);
	CU_ASSERT_PTR_EQUAL(c.end, data8 + 8);
	CU_ASSERT_EQUAL(cur_left(&c), 8);
	CU_ASSERT_TRUE(cur_has(&c, 0));
	CU_ASSERT_TRUE(cur_has(&c, 8));
	CU_ASSERT_FALSE(cur_has(&c, 9));
	CU_ASSERT_FALSE(cur_has(&c, SIZE_MAX));

	c = cur_make(data8, 0);
	CU_ASSERT_EQUAL(cur_left(&c), 0);
	CU_ASSERT_TRUE(cur_has(&c, 0));
	CU_ASSERT_FALSE(cur_has(&c, 1));
}

/* (NULL, 0) is a common way to say "empty"; the cursor must not do
 * pointer arithmetic on NULL (UBSan reports NULL + 0). */
static void test_null_empty(void)
{
	struct cur c = cur_make(NULL, 0), sub;
	uint8_t v, buf[1];

	CU_ASSERT_PTR_NOT_NULL(c.p);
	CU_ASSERT_PTR_EQUAL(c.p, c.end);
	CU_ASSERT_EQUAL(cur_left(&c), 0);
	CU_ASSERT_FALSE(cur_u8(&c, &v));
	CU_ASSERT_TRUE(cur_skip(&c, 0));
	CU_ASSERT_TRUE(cur_copy(&c, buf, 0));
	CU_ASSERT_TRUE(cur_sub(&c, 0, &sub));
	CU_ASSERT_EQUAL(cur_left(&sub), 0);
	CU_ASSERT_FALSE(cur_skip(&c, 1));
	/* A NULL pointer with a nonzero length is a caller bug; it still
	 * must not yield a readable cursor. */
	c = cur_make(NULL, 5);
	CU_ASSERT_EQUAL(cur_left(&c), 0);
	CU_ASSERT_FALSE(cur_u8(&c, &v));
}

static void test_u8(void)
{
	struct cur c = cur_make(data8, 1);
	uint8_t v = 0xEE;

	CU_ASSERT_TRUE(cur_u8(&c, &v));
	CU_ASSERT_EQUAL(v, 0x01);
	CU_ASSERT_EQUAL(cur_left(&c), 0);
	/* Exhausted: fails, value and position untouched. */
	v = 0xEE;
	CU_ASSERT_FALSE(cur_u8(&c, &v));
	CU_ASSERT_EQUAL(v, 0xEE);
	CHECK_UNMOVED(c, data8 + 1, data8 + 1);

	c = cur_make(data8, 0);
	CU_ASSERT_FALSE(cur_u8(&c, &v));
	CHECK_UNMOVED(c, data8, data8);
}

static void test_16(void)
{
	struct cur c;
	uint16_t v;

	c = cur_make(data8, 2);
	CU_ASSERT_TRUE(cur_be16(&c, &v));
	CU_ASSERT_EQUAL(v, 0x0102);
	CU_ASSERT_EQUAL(cur_left(&c), 0);

	c = cur_make(data8, 2);
	CU_ASSERT_TRUE(cur_le16(&c, &v));
	CU_ASSERT_EQUAL(v, 0x0201);
	CU_ASSERT_EQUAL(cur_left(&c), 0);

	/* One short. */
	c = cur_make(data8, 1);
	v = 0xBEEF;
	CU_ASSERT_FALSE(cur_be16(&c, &v));
	CU_ASSERT_EQUAL(v, 0xBEEF);
	CHECK_UNMOVED(c, data8, data8 + 1);
	CU_ASSERT_FALSE(cur_le16(&c, &v));
	CU_ASSERT_EQUAL(v, 0xBEEF);
	CHECK_UNMOVED(c, data8, data8 + 1);

	/* Empty. */
	c = cur_make(data8, 0);
	CU_ASSERT_FALSE(cur_be16(&c, &v));
	CU_ASSERT_FALSE(cur_le16(&c, &v));
	CHECK_UNMOVED(c, data8, data8);
}

static void test_32(void)
{
	struct cur c;
	uint32_t v;

	c = cur_make(data8, 4);
	CU_ASSERT_TRUE(cur_be32(&c, &v));
	CU_ASSERT_EQUAL(v, 0x01020304u);
	CU_ASSERT_EQUAL(cur_left(&c), 0);

	c = cur_make(data8, 4);
	CU_ASSERT_TRUE(cur_le32(&c, &v));
	CU_ASSERT_EQUAL(v, 0x04030201u);
	CU_ASSERT_EQUAL(cur_left(&c), 0);

	/* High bit set: shifts must be done in uint32_t, not int. */
	{
		static const uint8_t hi[4] = { 0xFF, 0xFE, 0xFD, 0xFC };

		c = cur_make(hi, 4);
		CU_ASSERT_TRUE(cur_be32(&c, &v));
		CU_ASSERT_EQUAL(v, 0xFFFEFDFCu);
		c = cur_make(hi, 4);
		CU_ASSERT_TRUE(cur_le32(&c, &v));
		CU_ASSERT_EQUAL(v, 0xFCFDFEFFu);
	}

	c = cur_make(data8, 3);
	v = 0xDEADBEEFu;
	CU_ASSERT_FALSE(cur_be32(&c, &v));
	CU_ASSERT_EQUAL(v, 0xDEADBEEFu);
	CHECK_UNMOVED(c, data8, data8 + 3);
	CU_ASSERT_FALSE(cur_le32(&c, &v));
	CU_ASSERT_EQUAL(v, 0xDEADBEEFu);
	CHECK_UNMOVED(c, data8, data8 + 3);

	c = cur_make(data8, 0);
	CU_ASSERT_FALSE(cur_be32(&c, &v));
	CU_ASSERT_FALSE(cur_le32(&c, &v));
	CHECK_UNMOVED(c, data8, data8);
}

static void test_sequence(void)
{
	/* Readers advance by their width and compose: u8, be16, le32, then
	 * one byte is left and a be16 fails without consuming it. */
	struct cur c = cur_make(data8, 8);
	uint8_t a;
	uint16_t b;
	uint32_t d;

	CU_ASSERT_TRUE(cur_u8(&c, &a));
	CU_ASSERT_TRUE(cur_be16(&c, &b));
	CU_ASSERT_TRUE(cur_le32(&c, &d));
	CU_ASSERT_EQUAL(a, 0x01);
	CU_ASSERT_EQUAL(b, 0x0203);
	CU_ASSERT_EQUAL(d, 0x07060504u);
	CU_ASSERT_EQUAL(cur_left(&c), 1);
	CU_ASSERT_FALSE(cur_be16(&c, &b));
	CU_ASSERT_EQUAL(cur_left(&c), 1);
	CU_ASSERT_TRUE(cur_u8(&c, &a));
	CU_ASSERT_EQUAL(a, 0x08);
}

static void test_skip(void)
{
	struct cur c = cur_make(data8, 8);

	CU_ASSERT_TRUE(cur_skip(&c, 0));
	CU_ASSERT_PTR_EQUAL(c.p, data8);
	CU_ASSERT_TRUE(cur_skip(&c, 3));
	CU_ASSERT_PTR_EQUAL(c.p, data8 + 3);
	CU_ASSERT_FALSE(cur_skip(&c, 6));            /* one short */
	CHECK_UNMOVED(c, data8 + 3, data8 + 8);
	CU_ASSERT_TRUE(cur_skip(&c, 5));             /* exact */
	CU_ASSERT_EQUAL(cur_left(&c), 0);
	CU_ASSERT_TRUE(cur_skip(&c, 0));             /* zero on empty */
	CU_ASSERT_FALSE(cur_skip(&c, 1));
	CHECK_UNMOVED(c, data8 + 8, data8 + 8);
}

static void test_copy(void)
{
	struct cur c = cur_make(data8, 8);
	uint8_t buf[8];

	memset(buf, 0xAA, sizeof buf);
	CU_ASSERT_TRUE(cur_copy(&c, buf, 0));
	CU_ASSERT_PTR_EQUAL(c.p, data8);
	CU_ASSERT_EQUAL(buf[0], 0xAA);

	CU_ASSERT_TRUE(cur_copy(&c, buf, 8));        /* exact */
	CU_ASSERT_EQUAL(memcmp(buf, data8, 8), 0);
	CU_ASSERT_EQUAL(cur_left(&c), 0);

	c = cur_make(data8, 7);
	memset(buf, 0xAA, sizeof buf);
	CU_ASSERT_FALSE(cur_copy(&c, buf, 8));       /* one short */
	CHECK_UNMOVED(c, data8, data8 + 7);
	/* Nothing is copied on failure. */
	CU_ASSERT_EQUAL(buf[0], 0xAA);
	CU_ASSERT_EQUAL(buf[6], 0xAA);
}

static void test_sub(void)
{
	struct cur c = cur_make(data8, 8), sub, sub2;
	uint8_t v;
	uint32_t w;

	CU_ASSERT_TRUE(cur_skip(&c, 1));
	CU_ASSERT_TRUE(cur_sub(&c, 3, &sub));
	/* The outer cursor moves past the inner layer... */
	CU_ASSERT_PTR_EQUAL(c.p, data8 + 4);
	CU_ASSERT_EQUAL(cur_left(&c), 4);
	/* ...and the inner one sees only its three bytes. */
	CU_ASSERT_PTR_EQUAL(sub.p, data8 + 1);
	CU_ASSERT_PTR_EQUAL(sub.end, data8 + 4);
	CU_ASSERT_EQUAL(cur_left(&sub), 3);
	CU_ASSERT_FALSE(cur_be32(&sub, &w));         /* bytes exist, but not in sub */
	CU_ASSERT_FALSE(cur_has(&sub, 4));
	CU_ASSERT_TRUE(cur_u8(&sub, &v));
	CU_ASSERT_EQUAL(v, 0x02);

	/* Exact length, then zero length, then one short. */
	CU_ASSERT_TRUE(cur_sub(&c, 4, &sub));
	CU_ASSERT_EQUAL(cur_left(&sub), 4);
	CU_ASSERT_EQUAL(cur_left(&c), 0);
	CU_ASSERT_TRUE(cur_sub(&c, 0, &sub2));
	CU_ASSERT_EQUAL(cur_left(&sub2), 0);
	CU_ASSERT_FALSE(cur_u8(&sub2, &v));

	c = cur_make(data8, 8);
	sub.p = NULL;
	sub.end = NULL;
	CU_ASSERT_FALSE(cur_sub(&c, 9, &sub));
	CHECK_UNMOVED(c, data8, data8 + 8);
	/* A failed narrowing does not touch the output cursor either. */
	CU_ASSERT_PTR_NULL(sub.p);
	CU_ASSERT_PTR_NULL(sub.end);

	/* A sub-cursor of a sub-cursor stays within both. */
	c = cur_make(data8, 8);
	CU_ASSERT_TRUE(cur_sub(&c, 5, &sub));
	CU_ASSERT_FALSE(cur_sub(&sub, 6, &sub2));
	CU_ASSERT_TRUE(cur_sub(&sub, 5, &sub2));
	CU_ASSERT_PTR_EQUAL(sub2.end, data8 + 5);
}

/* With n near SIZE_MAX, `p + n` would wrap around to below end, and a
 * `p + n > end` test would pass; the checks must still refuse. */
static void test_huge(void)
{
	static const size_t huge[] = {
		SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 7, SIZE_MAX / 2 + 1,
		(size_t)PTRDIFF_MAX, (size_t)PTRDIFF_MAX + 1,
	};
	struct cur c, sub;
	uint8_t buf[1];

	for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
		c = cur_make(data8, 8);
		CU_ASSERT_TRUE(cur_skip(&c, 2));
		CU_ASSERT_FALSE(cur_has(&c, huge[i]));
		CU_ASSERT_FALSE(cur_skip(&c, huge[i]));
		CHECK_UNMOVED(c, data8 + 2, data8 + 8);
		CU_ASSERT_FALSE(cur_copy(&c, buf, huge[i]));
		CHECK_UNMOVED(c, data8 + 2, data8 + 8);
		CU_ASSERT_FALSE(cur_sub(&c, huge[i], &sub));
		CHECK_UNMOVED(c, data8 + 2, data8 + 8);
		CU_ASSERT_EQUAL(cur_left(&c), 6);
	}
}

int add_cursor_suite(void)
{
	CU_pSuite s = CU_add_suite("cursor", NULL, NULL);

	if (s == NULL)
		return -1;
	if (CU_add_test(s, "make, left, has", test_make_left_has) == NULL ||
	    CU_add_test(s, "NULL empty span", test_null_empty) == NULL ||
	    CU_add_test(s, "u8", test_u8) == NULL ||
	    CU_add_test(s, "be16/le16", test_16) == NULL ||
	    CU_add_test(s, "be32/le32", test_32) == NULL ||
	    CU_add_test(s, "readers in sequence", test_sequence) == NULL ||
	    CU_add_test(s, "skip", test_skip) == NULL ||
	    CU_add_test(s, "copy", test_copy) == NULL ||
	    CU_add_test(s, "sub narrows", test_sub) == NULL ||
	    CU_add_test(s, "huge n does not wrap", test_huge) == NULL)
		return -1;
	return 0;
}
