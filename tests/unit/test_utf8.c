/* test_utf8.c - the incremental UTF-8 validator and utf8_decode_one.
 *
 * Fixed cases (boundaries, overlongs, surrogates, out-of-range, lone and
 * missing continuation bytes), every split point, the 8-byte ASCII fast
 * path at every alignment and position, and an exhaustive comparison with
 * a deliberately naive reference checker written from RFC 3629 §3. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "suites.h"
#include "utf8.h"

/* What a state means, for comparing runs. */
enum verdict { V_ACCEPT, V_REJECT, V_INSIDE };

static enum verdict verdict_of(uint32_t st)
{
	if (st == UTF8_ACCEPT)
		return V_ACCEPT;
	if (st == UTF8_REJECT)
		return V_REJECT;
	return V_INSIDE;
}

static enum verdict run(const void *s, size_t n)
{
	return verdict_of(utf8_validate(UTF8_ACCEPT, s, n));
}

/* Same input fed one byte at a time. */
static enum verdict run_bytewise(const uint8_t *s, size_t n)
{
	uint32_t st = UTF8_ACCEPT;

	for (size_t i = 0; i < n; i++)
		st = utf8_validate(st, s + i, 1);
	return verdict_of(st);
}

/* Same input in two calls split at k. */
static enum verdict run_split(const uint8_t *s, size_t n, size_t k)
{
	uint32_t st = utf8_validate(UTF8_ACCEPT, s, k);

	return verdict_of(utf8_validate(st, s + k, n - k));
}

#define S(lit) (const uint8_t *)(lit), (sizeof(lit) - 1)

/* ---- reference: decode by hand, check ranges (RFC 3629 §3) ---- */

/* Decodes one sequence at s[0..n): returns its length and stores the code
 * point, 0 when invalid, -1 when valid so far but cut short. */
static int ref_one(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint32_t v, min;
	int len;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xE0) == 0xC0) {
		len = 2;
		v = s[0] & 0x1F;
		min = 0x80;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3;
		v = s[0] & 0x0F;
		min = 0x800;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4;
		v = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if ((size_t)len > n) {
		/* Cut short: valid so far iff some completion is valid.  Only
		 * the second byte's sub-range matters to the range checks, so
		 * trying these tail values for the missing bytes suffices. */
		static const uint8_t tails[] = { 0x80, 0x8F, 0x90, 0x9F,
						 0xA0, 0xBF };
		uint8_t buf[4];
		size_t missing = (size_t)len - n;
		size_t combos = 1;
		uint32_t dummy;

		for (size_t i = 0; i < missing; i++)
			combos *= sizeof tails;
		memcpy(buf, s, n);
		for (size_t c = 0; c < combos; c++) {
			size_t x = c;

			for (size_t i = 0; i < missing; i++) {
				buf[n + i] = tails[x % sizeof tails];
				x /= sizeof tails;
			}
			if (ref_one(buf, (size_t)len, &dummy) == len)
				return -1;
		}
		return 0;
	}
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

static enum verdict ref_verdict(const uint8_t *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;
	int r;

	while (i < n) {
		r = ref_one(s + i, n - i, &cp);
		if (r == 0)
			return V_REJECT;
		if (r < 0)
			return V_INSIDE;
		i += (size_t)r;
	}
	return V_ACCEPT;
}

/* Encodes any cp < 0x200000 the plain way, surrogates included. */
static size_t ref_encode(uint32_t cp, uint8_t out[4])
{
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xC0 | cp >> 6);
		out[1] = (uint8_t)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (uint8_t)(0xE0 | cp >> 12);
		out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (uint8_t)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (uint8_t)(0xF0 | cp >> 18);
	out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (uint8_t)(0x80 | (cp & 0x3F));
	return 4;
}

/* ---- fixed cases ---- */

static void test_ascii(void)
{
	uint8_t all[128];

	for (int i = 0; i < 128; i++)
		all[i] = (uint8_t)i;
	CU_ASSERT_EQUAL(run(all, sizeof all), V_ACCEPT);    /* NUL and DEL too */
	CU_ASSERT_EQUAL(run(S("Hello")), V_ACCEPT);
	CU_ASSERT_EQUAL(run("", 0), V_ACCEPT);
	CU_ASSERT_EQUAL(utf8_validate(UTF8_ACCEPT, NULL, 0), UTF8_ACCEPT);
}

static void test_boundaries(void)
{
	CU_ASSERT_EQUAL(run(S("\x7F")), V_ACCEPT);              /* U+007F */
	CU_ASSERT_EQUAL(run(S("\xC2\x80")), V_ACCEPT);          /* U+0080 */
	CU_ASSERT_EQUAL(run(S("\xDF\xBF")), V_ACCEPT);          /* U+07FF */
	CU_ASSERT_EQUAL(run(S("\xE0\xA0\x80")), V_ACCEPT);      /* U+0800 */
	CU_ASSERT_EQUAL(run(S("\xED\x9F\xBF")), V_ACCEPT);      /* U+D7FF */
	CU_ASSERT_EQUAL(run(S("\xEE\x80\x80")), V_ACCEPT);      /* U+E000 */
	CU_ASSERT_EQUAL(run(S("\xEF\xBF\xBF")), V_ACCEPT);      /* U+FFFF */
	CU_ASSERT_EQUAL(run(S("\xEF\xBF\xBD")), V_ACCEPT);      /* U+FFFD */
	CU_ASSERT_EQUAL(run(S("\xF0\x90\x80\x80")), V_ACCEPT);  /* U+10000 */
	CU_ASSERT_EQUAL(run(S("\xF3\xBF\xBF\xBF")), V_ACCEPT);  /* U+FFFFF */
	CU_ASSERT_EQUAL(run(S("\xF4\x8F\xBF\xBF")), V_ACCEPT);  /* U+10FFFF */
	CU_ASSERT_EQUAL(run(S("\xC3\xA9")), V_ACCEPT);          /* é */
	CU_ASSERT_EQUAL(run(S("\xE2\x82\xAC")), V_ACCEPT);      /* € */
	CU_ASSERT_EQUAL(run(S("\xF0\x9F\x98\x80")), V_ACCEPT);  /* U+1F600 */
}

/* Markus Kuhn's UTF-8 test file opens with the Greek "kosme",
 * CE BA E1 BD B9 CF 83 CE BC CE B5 (its omicron is U+1F79). */
static void test_kosme(void)
{
	static const uint8_t kosme[] = { 0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF,
					 0x83, 0xCE, 0xBC, 0xCE, 0xB5 };
	static const uint32_t cps[] = { 0x03BA, 0x1F79, 0x03C3, 0x03BC,
					0x03B5 };
	uint32_t cp = 0;
	size_t i = 0, len;

	CU_ASSERT_EQUAL(run(kosme, sizeof kosme), V_ACCEPT);
	/* The same word with U+03CC (the NFC form of U+1F79) in the middle,
	 * as most keyboards produce it. */
	CU_ASSERT_EQUAL(run(S("\xCE\xBA\xCF\x8C\xCF\x83\xCE\xBC\xCE\xB5")),
			V_ACCEPT);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xCF\x8C"), &cp), 2);
	CU_ASSERT_EQUAL(cp, 0x03CC);
	for (size_t k = 0; k < 5; k++) {
		len = utf8_decode_one(kosme + i, sizeof kosme - i, &cp);
		CU_ASSERT_EQUAL(len, k == 1 ? 3 : 2);
		CU_ASSERT_EQUAL(cp, cps[k]);
		if (len == 0)
			return;
		i += len;
	}
	CU_ASSERT_EQUAL(i, sizeof kosme);
}

static void test_rejects(void)
{
	/* Overlong forms (RFC 3629 §3: "MUST NOT" decode them). */
	CU_ASSERT_EQUAL(run(S("\xC0\x80")), V_REJECT);
	CU_ASSERT_EQUAL(run(S("\xC1\xBF")), V_REJECT);
	CU_ASSERT_EQUAL(run(S("\xE0\x80\x80")), V_REJECT);
	CU_ASSERT_EQUAL(run(S("\xE0\x9F\xBF")), V_REJECT);
	CU_ASSERT_EQUAL(run(S("\xF0\x80\x80\x80")), V_REJECT);
	CU_ASSERT_EQUAL(run(S("\xF0\x8F\xBF\xBF")), V_REJECT);
	/* Surrogates U+D800..DFFF. */
	CU_ASSERT_EQUAL(run(S("\xED\xA0\x80")), V_REJECT);
	CU_ASSERT_EQUAL(run(S("\xED\xBF\xBF")), V_REJECT);
	CU_ASSERT_EQUAL(run(S("\xED\xA0\x80\xED\xB0\x80")), V_REJECT); /* pair */
	/* Above U+10FFFF. */
	CU_ASSERT_EQUAL(run(S("\xF4\x90\x80\x80")), V_REJECT);
	CU_ASSERT_EQUAL(run(S("\xF7\xBF\xBF\xBF")), V_REJECT);
	/* Bytes that never appear: F5..FF, C0, C1. */
	for (unsigned b = 0xF5; b <= 0xFF; b++) {
		uint8_t one = (uint8_t)b;

		CU_ASSERT_EQUAL(run(&one, 1), V_REJECT);
	}
	CU_ASSERT_EQUAL(run(S("\xC0")), V_REJECT);
	CU_ASSERT_EQUAL(run(S("\xC1")), V_REJECT);
	/* Lone continuation bytes, alone and after a complete sequence. */
	CU_ASSERT_EQUAL(run(S("\x80")), V_REJECT);
	CU_ASSERT_EQUAL(run(S("\xBF")), V_REJECT);
	CU_ASSERT_EQUAL(run(S("a\x80")), V_REJECT);
	CU_ASSERT_EQUAL(run(S("\xC3\xA9\xA9")), V_REJECT);
	/* A lead byte interrupted by ASCII or another lead byte. */
	CU_ASSERT_EQUAL(run(S("\xC3" "a")), V_REJECT);
	CU_ASSERT_EQUAL(run(S("\xE2\x82" "a")), V_REJECT);
	CU_ASSERT_EQUAL(run(S("\xE2\xC3\xA9")), V_REJECT);
	/* 5- and 6-byte forms of the old RFC 2279. */
	CU_ASSERT_EQUAL(run(S("\xF8\x88\x80\x80\x80")), V_REJECT);
	CU_ASSERT_EQUAL(run(S("\xFC\x84\x80\x80\x80\x80")), V_REJECT);
}

/* REJECT is sticky, even across calls and over valid input. */
static void test_reject_sticky(void)
{
	uint32_t st = utf8_validate(UTF8_ACCEPT, S("\xFF"));

	CU_ASSERT_EQUAL(st, UTF8_REJECT);
	CU_ASSERT_EQUAL(utf8_validate(st, S("abcdefghijklmnop")), UTF8_REJECT);
	CU_ASSERT_EQUAL(utf8_validate(st, S("\xC3\xA9")), UTF8_REJECT);
	CU_ASSERT_EQUAL(utf8_validate(st, NULL, 0), UTF8_REJECT);
	/* A reject in the middle of a long ASCII run is not skipped. */
	CU_ASSERT_EQUAL(run(S("abcdefgh\xFF" "abcdefghijklmnopqrstuvwxyz")),
			V_REJECT);
}

/* A state the validator never returns is treated as invalid rather than
 * used as a table index (our reading of the header). */
static void test_bogus_state(void)
{
	CU_ASSERT_EQUAL(utf8_validate(1000, S("a")), UTF8_REJECT);
	CU_ASSERT_EQUAL(utf8_validate(UINT32_MAX, S("a")), UTF8_REJECT);
	CU_ASSERT_EQUAL(utf8_validate(UINT32_MAX, NULL, 0), UTF8_REJECT);
}

static const struct {
	const uint8_t *s;
	size_t n;
} valid_multi[] = {
	{ S("\xC2\x80") },
	{ S("\xDF\xBF") },
	{ S("\xE0\xA0\x80") },
	{ S("\xED\x9F\xBF") },
	{ S("\xEF\xBF\xBF") },
	{ S("\xF0\x90\x80\x80") },
	{ S("\xF4\x8F\xBF\xBF") },
	{ S("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5") },
	{ S("a\xC3\xA9z\xE2\x82\xAC!\xF0\x9F\x98\x80.") },
	{ S("0123456789\xE2\x82\xAC" "0123456789abcdef\xF0\x9F\x98\x80"
	    "0123456789abcdef") },
};

/* Cut short, each valid string is "inside" (not yet an error, not yet
 * complete); completed in a second call it is ACCEPT wherever the cut. */
static void test_truncated_and_splits(void)
{
	for (size_t v = 0; v < sizeof valid_multi / sizeof valid_multi[0]; v++) {
		const uint8_t *s = valid_multi[v].s;
		size_t n = valid_multi[v].n;

		CU_ASSERT_EQUAL(run(s, n), V_ACCEPT);
		CU_ASSERT_EQUAL(run_bytewise(s, n), V_ACCEPT);
		for (size_t k = 0; k <= n; k++) {
			/* The prefix ends inside a sequence exactly when the
			 * next byte is a continuation byte. */
			enum verdict want = (k < n && (s[k] & 0xC0) == 0x80) ?
					    V_INSIDE : V_ACCEPT;

			CU_ASSERT_EQUAL(run(s, k), want);
			CU_ASSERT_EQUAL(run_split(s, n, k), V_ACCEPT);
		}
	}
	/* A truncated sequence stays inside however many calls it takes. */
	{
		uint32_t st = utf8_validate(UTF8_ACCEPT, S("\xF0"));

		CU_ASSERT_EQUAL(verdict_of(st), V_INSIDE);
		st = utf8_validate(st, NULL, 0);
		CU_ASSERT_EQUAL(verdict_of(st), V_INSIDE);
		st = utf8_validate(st, S("\x9F"));
		CU_ASSERT_EQUAL(verdict_of(st), V_INSIDE);
		st = utf8_validate(st, S("\x98"));
		CU_ASSERT_EQUAL(verdict_of(st), V_INSIDE);
		st = utf8_validate(st, S("\x80"));
		CU_ASSERT_EQUAL(st, UTF8_ACCEPT);
	}
	/* Restricted second bytes are still checked across a call edge. */
	CU_ASSERT_EQUAL(run_split(S("\xE0\x80\x80"), 1), V_REJECT);
	CU_ASSERT_EQUAL(run_split(S("\xED\xA0\x80"), 1), V_REJECT);
	CU_ASSERT_EQUAL(run_split(S("\xF0\x80\x80\x80"), 1), V_REJECT);
	CU_ASSERT_EQUAL(run_split(S("\xF4\x90\x80\x80"), 1), V_REJECT);
}

/* The 8-byte ASCII fast path: at every alignment and for every position of
 * the interesting byte(s) in ASCII runs of up to 40 bytes. */
static void test_fast_path(void)
{
	uint8_t backing[64], *b;
	unsigned bad = 0;

	for (size_t align = 0; align < 8; align++) {
		b = backing + align;
		for (size_t n = 1; n <= 40; n++) {
			for (size_t pos = 0; pos < n; pos++) {
				memset(b, 'x', n);
				b[pos] = 0xFF;                   /* invalid byte */
				if (run(b, n) != V_REJECT)
					bad++;
				b[pos] = 0x80;                   /* lone tail */
				if (run(b, n) != V_REJECT)
					bad++;
				b[pos] = 0xE2;                   /* lead, then ASCII */
				if (run(b, n) != (pos == n - 1 ? V_INSIDE :
						  V_REJECT))
					bad++;
				if (pos + 3 <= n) {              /* a whole € */
					memcpy(b + pos, "\xE2\x82\xAC", 3);
					if (run(b, n) != V_ACCEPT)
						bad++;
					if (run_bytewise(b, n) != V_ACCEPT)
						bad++;
				}
			}
			/* All ASCII, and ASCII after an open sequence. */
			memset(b, 'x', n);
			if (run(b, n) != V_ACCEPT)
				bad++;
			if (utf8_validate(utf8_validate(UTF8_ACCEPT, S("\xE2")),
					  b, n) != UTF8_REJECT)
				bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* The case the fast path could get wrong: a state inside a sequence
	 * followed by 16 ASCII bytes must not skip them as "all ASCII". */
	{
		uint32_t st = utf8_validate(UTF8_ACCEPT, S("\xE2\x82"));

		CU_ASSERT_EQUAL(verdict_of(st), V_INSIDE);
		CU_ASSERT_EQUAL(utf8_validate(st, S("abcdefghijklmnop")),
				UTF8_REJECT);
	}
}

/* Every 1- and 2-byte string, and every 3-byte string with a lead byte at
 * or above C0, against the reference: same verdict, and the same whether
 * fed whole or one byte at a time. */
static void test_exhaustive_short(void)
{
	uint8_t s[3];
	unsigned bad = 0;

	for (unsigned a = 0; a < 256; a++) {
		s[0] = (uint8_t)a;
		if (run(s, 1) != ref_verdict(s, 1))
			bad++;
		for (unsigned b = 0; b < 256; b++) {
			s[1] = (uint8_t)b;
			if (run(s, 2) != ref_verdict(s, 2) ||
			    run_bytewise(s, 2) != ref_verdict(s, 2))
				bad++;
			if (a < 0xC0)
				continue;
			for (unsigned c = 0; c < 256; c++) {
				s[2] = (uint8_t)c;
				if (run(s, 3) != ref_verdict(s, 3))
					bad++;
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* 4-byte strings: every lead F0..FF and second byte, with third and
 * fourth bytes from the edges of each range. */
static void test_exhaustive_four(void)
{
	static const uint8_t edge[] = { 0x00, 0x7F, 0x80, 0x8F, 0x90, 0xBF,
					0xC0, 0xFF };
	uint8_t s[4];
	unsigned bad = 0;

	for (unsigned a = 0xF0; a < 256; a++) {
		s[0] = (uint8_t)a;
		for (unsigned b = 0; b < 256; b++) {
			s[1] = (uint8_t)b;
			for (size_t c = 0; c < sizeof edge; c++) {
				s[2] = edge[c];
				for (size_t d = 0; d < sizeof edge; d++) {
					s[3] = edge[d];
					if (run(s, 4) != ref_verdict(s, 4) ||
					    run(s, 3) != ref_verdict(s, 3))
						bad++;
				}
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* Every code point: encoded, it validates (except surrogates) and
 * utf8_decode_one gives it back with the right length. */
static void test_all_code_points(void)
{
	uint8_t buf[4];
	unsigned bad_valid = 0, bad_decode = 0, bad_surrogate = 0;
	uint32_t cp;
	size_t len;

	for (uint32_t c = 0; c <= 0x10FFFF; c++) {
		len = ref_encode(c, buf);
		if (c >= 0xD800 && c <= 0xDFFF) {
			if (run(buf, len) != V_REJECT ||
			    utf8_decode_one(buf, len, &cp) != 0)
				bad_surrogate++;
			continue;
		}
		if (run(buf, len) != V_ACCEPT)
			bad_valid++;
		cp = 0xFFFFFFFFu;
		if (utf8_decode_one(buf, len, &cp) != len || cp != c)
			bad_decode++;
	}
	CU_ASSERT_EQUAL(bad_valid, 0);
	CU_ASSERT_EQUAL(bad_decode, 0);
	CU_ASSERT_EQUAL(bad_surrogate, 0);
	/* Just past the top: U+110000 and the largest 4-byte form. */
	len = ref_encode(0x110000, buf);
	CU_ASSERT_EQUAL(run(buf, len), V_REJECT);
	CU_ASSERT_EQUAL(utf8_decode_one(buf, len, &cp), 0);
	len = ref_encode(0x1FFFFF, buf);
	CU_ASSERT_EQUAL(run(buf, len), V_REJECT);
}

static void test_decode_one(void)
{
	uint32_t cp;

	cp = 0;
	CU_ASSERT_EQUAL(utf8_decode_one(S("A"), &cp), 1);
	CU_ASSERT_EQUAL(cp, 0x41);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\x7F"), &cp), 1);
	CU_ASSERT_EQUAL(cp, 0x7F);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xC2\x80"), &cp), 2);
	CU_ASSERT_EQUAL(cp, 0x80);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xDF\xBF"), &cp), 2);
	CU_ASSERT_EQUAL(cp, 0x7FF);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xE0\xA0\x80"), &cp), 3);
	CU_ASSERT_EQUAL(cp, 0x800);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xEF\xBF\xBF"), &cp), 3);
	CU_ASSERT_EQUAL(cp, 0xFFFF);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xF0\x90\x80\x80"), &cp), 4);
	CU_ASSERT_EQUAL(cp, 0x10000);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xF4\x8F\xBF\xBF"), &cp), 4);
	CU_ASSERT_EQUAL(cp, 0x10FFFF);
	/* Only the first sequence is decoded. */
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xE2\x82\xAC\xE2\x82\xAC"), &cp), 3);
	CU_ASSERT_EQUAL(cp, 0x20AC);
	CU_ASSERT_EQUAL(utf8_decode_one(S("ab"), &cp), 1);
	CU_ASSERT_EQUAL(cp, 'a');
	/* NUL is a valid one-byte sequence. */
	CU_ASSERT_EQUAL(utf8_decode_one((const uint8_t *)"", 1, &cp), 1);
	CU_ASSERT_EQUAL(cp, 0);
	/* Invalid. */
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xC0\x80"), &cp), 0);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xE0\x80\x80"), &cp), 0);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xF0\x80\x80\x80"), &cp), 0);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xED\xA0\x80"), &cp), 0);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xF4\x90\x80\x80"), &cp), 0);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xF5\x80\x80\x80"), &cp), 0);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xFF"), &cp), 0);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\x80"), &cp), 0);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xC3" "a"), &cp), 0);
	/* Incomplete: valid so far, but the bytes end. */
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xC3"), &cp), 0);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xE2\x82"), &cp), 0);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xF0\x9F\x98"), &cp), 0);
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xE2\x82\xAC"), &cp), 3);
	CU_ASSERT_EQUAL(utf8_decode_one((const uint8_t *)"\xE2\x82\xAC", 2,
					&cp), 0);   /* n cuts it short */
	CU_ASSERT_EQUAL(utf8_decode_one(NULL, 0, &cp), 0);
	/* The code point pointer may be NULL when only the length matters. */
	CU_ASSERT_EQUAL(utf8_decode_one(S("\xC3\xA9"), NULL), 2);
}

int add_utf8_suite(void)
{
	CU_pSuite s = CU_add_suite("utf8", NULL, NULL);

	if (s == NULL)
		return -1;
	if (CU_add_test(s, "ascii", test_ascii) == NULL ||
	    CU_add_test(s, "boundaries", test_boundaries) == NULL ||
	    CU_add_test(s, "kosme", test_kosme) == NULL ||
	    CU_add_test(s, "rejects", test_rejects) == NULL ||
	    CU_add_test(s, "reject is sticky", test_reject_sticky) == NULL ||
	    CU_add_test(s, "bogus state", test_bogus_state) == NULL ||
	    CU_add_test(s, "truncated and splits", test_truncated_and_splits) == NULL ||
	    CU_add_test(s, "ascii fast path", test_fast_path) == NULL ||
	    CU_add_test(s, "exhaustive 1-3 bytes", test_exhaustive_short) == NULL ||
	    CU_add_test(s, "4-byte edges", test_exhaustive_four) == NULL ||
	    CU_add_test(s, "all code points", test_all_code_points) == NULL ||
	    CU_add_test(s, "decode_one", test_decode_one) == NULL)
		return -1;
	return 0;
}
