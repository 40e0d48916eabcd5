/* test_escape.c - terminal and JSON escaping (escape.c) and the buffered
 * writer (obuf.c).
 *
 * Exact expected strings for each kind of byte (printable, UTF-8 letters,
 * C0, DEL, C1, bidi controls, invalid UTF-8); then properties checked over
 * every 1- and 2-byte input and many random ones: the terminal form holds
 * no unsafe code point and unescapes to the input; the JSON form is a
 * valid RFC 8259 §7 string body that decodes to the input with each
 * invalid byte replaced by U+FFFD.  json_base64 against one base64_encode
 * of the whole across its 768-byte chunks; obuf_u64, large puts, FILE
 * targets and write failures. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "escape.h"
#include "obuf.h"
#include "suites.h"
#include "utf8.h"

/* ---- a memory target for obuf ---- */

struct mem {
	char *b;
	size_t len, cap;
	unsigned writes;        /* calls of the write callback */
	bool oom;
};

static void mem_write(void *ctx, const char *p, size_t n)
{
	struct mem *m = ctx;

	m->writes++;
	if (n + 1 > m->cap - m->len) {
		size_t nc = m->cap ? m->cap : 256;
		while (n + 1 > nc - m->len)
			nc *= 2;
		char *nb = realloc(m->b, nc);
		if (!nb) {
			m->oom = true;
			return;
		}
		m->b = nb;
		m->cap = nc;
	}
	memcpy(m->b + m->len, p, n);
	m->len += n;
	m->b[m->len] = '\0';
}

/* 64 KiB, so not on the stack; on the heap so that ASan's redzones
 * catch a write past its buffer. */
static struct obuf *ob;
static struct mem mo;

static void mem_start(void)
{
	mo.len = 0;
	mo.writes = 0;
	mo.oom = false;
	if (mo.b)
		mo.b[0] = '\0';
	obuf_init_fn(ob, mem_write, &mo);
}

/* Flushes and returns the output (NUL-terminated; "" when empty). */
static const char *mem_end(size_t *n)
{
	obuf_flush(ob);
	CU_ASSERT_FALSE(mo.oom);
	if (n)
		*n = mo.len;
	return mo.b ? mo.b : "";
}

static const char *term(const void *p, size_t n)
{
	mem_start();
	esc_term(ob, p, n);
	return mem_end(NULL);
}

static const char *json(const void *p, size_t n)
{
	mem_start();
	esc_json(ob, p, n);
	return mem_end(NULL);
}

#define S(lit) (lit), (sizeof(lit) - 1)

/* ---- independent references ---- */

/* Code points that must not reach a terminal (written out again here,
 * not taken from escape.c): C0, DEL, C1, the bidi embeddings, overrides,
 * isolates and marks, line/paragraph separators and the BOM. */
static bool unsafe_cp(uint32_t c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
	       c == 0x061c || c == 0x200e || c == 0x200f ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x2028 || c == 0x2029 || c == 0xfeff;
}

static size_t put_utf8(uint8_t *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (uint8_t)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (uint8_t)(0xc0 | c >> 6);
		o[1] = (uint8_t)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (uint8_t)(0xe0 | c >> 12);
		o[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
		o[2] = (uint8_t)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (uint8_t)(0xf0 | c >> 18);
	o[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
	o[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
	o[3] = (uint8_t)(0x80 | (c & 0x3f));
	return 4;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* True when the terminal form is safe: valid UTF-8 with no unsafe code
 * point (so no raw ESC, CR, C1 CSI, bidi override...). */
static bool term_safe(const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

	while (i < n) {
		uint32_t c;
		size_t l = p[i] < 0x80 ? 1 : utf8_decode_one(p + i, n - i, &c);
		if (l == 1 && p[i] < 0x80)
			c = p[i];
		if (!l || unsafe_cp(c))
			return false;
		i += l;
	}
	return true;
}

/* Undoes esc_term: \\ \t \xNN \u{N...}.  Returns the length, or
 * (size_t)-1 when the form is not one esc_term writes. */
static size_t term_unescape(const char *s, size_t n, uint8_t *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		if (s[i] != '\\') {
			out[o++] = (uint8_t)s[i++];
			continue;
		}
		if (n - i < 2)
			return (size_t)-1;
		char k = s[i + 1];
		if (k == '\\' || k == 't') {
			out[o++] = k == 't' ? '\t' : '\\';
			i += 2;
		} else if (k == 'x' && n - i >= 4 && hexval(s[i + 2]) >= 0 &&
			   hexval(s[i + 3]) >= 0) {
			out[o++] = (uint8_t)(hexval(s[i + 2]) << 4 |
					     hexval(s[i + 3]));
			i += 4;
		} else if (k == 'u' && n - i >= 4 && s[i + 2] == '{') {
			uint32_t c = 0;
			size_t j = i + 3;
			while (j < n && hexval(s[j]) >= 0 && c < 0x110000)
				c = c << 4 | (uint32_t)hexval(s[j++]);
			if (j == i + 3 || j >= n || s[j] != '}' || c >= 0x110000)
				return (size_t)-1;
			o += put_utf8(out + o, c);
			i = j + 1;
		} else {
			return (size_t)-1;
		}
	}
	return o;
}

/* The input with each byte that does not start a valid UTF-8 sequence
 * replaced by U+FFFD (what esc_json promises). */
static size_t sanitize(const uint8_t *p, size_t n, uint8_t *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		uint32_t c;
		size_t l = p[i] < 0x80 ? 1 : utf8_decode_one(p + i, n - i, &c);
		if (!l) {
			o += put_utf8(out + o, 0xfffd);
			i++;
			continue;
		}
		memcpy(out + o, p + i, l);
		o += l;
		i += l;
	}
	return o;
}

/* Validates a JSON string body (RFC 8259 §7: no raw '"', '\\' or
 * U+0000..U+001F; escapes \" \\ \/ \b \f \n \r \t \uXXXX; UTF-8 text per
 * §8.1) and decodes it.  Stricter than JSON for terminal safety: no raw
 * unsafe code point either, and no surrogate escapes (esc_json has no
 * reason to write any).  Returns the length or (size_t)-1. */
static size_t json_decode(const char *s, size_t n, uint8_t *out)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0, o = 0;

	while (i < n) {
		if (p[i] == '"')
			return (size_t)-1;
		if (p[i] != '\\') {
			uint32_t c = p[i];
			size_t l = p[i] < 0x80 ? 1 :
				   utf8_decode_one(p + i, n - i, &c);
			if (!l || unsafe_cp(c))
				return (size_t)-1;
			memcpy(out + o, p + i, l);
			o += l;
			i += l;
			continue;
		}
		if (n - i < 2)
			return (size_t)-1;
		static const char from[] = "\"\\/bfnrt";
		static const char to[] = "\"\\/\b\f\n\r\t";
		const char *k = memchr(from, p[i + 1], sizeof from - 1);
		if (k) {
			out[o++] = (uint8_t)to[k - from];
			i += 2;
			continue;
		}
		if (p[i + 1] != 'u' || n - i < 6)
			return (size_t)-1;
		uint32_t c = 0;
		for (size_t j = i + 2; j < i + 6; j++) {
			int h = hexval((char)p[j]);
			if (h < 0)
				return (size_t)-1;
			c = c << 4 | (uint32_t)h;
		}
		if (c >= 0xd800 && c <= 0xdfff)
			return (size_t)-1;
		o += put_utf8(out + o, c);
		i += 6;
	}
	return o;
}

/* Checks both escapers' properties for one input. */
static unsigned check_props(const uint8_t *in, size_t n)
{
	static uint8_t back[4096], want[4096];
	unsigned bad = 0;
	size_t len;

	if (n > 512)
		return 1;
	mem_start();
	esc_term(ob, in, n);
	const char *t = mem_end(&len);
	if (!term_safe(t, len))
		bad++;
	size_t bl = term_unescape(t, len, back);
	if (bl != n || memcmp(back, in, n) != 0)
		bad++;

	mem_start();
	esc_json(ob, in, n);
	const char *j = mem_end(&len);
	bl = json_decode(j, len, back);
	size_t wl = sanitize(in, n, want);
	if (bl != wl || memcmp(back, want, wl) != 0)
		bad++;
	/* The result as a whole is valid UTF-8. */
	if (utf8_validate(UTF8_ACCEPT, (const uint8_t *)j, len) != UTF8_ACCEPT)
		bad++;
	return bad;
}

/* ---- tests ---- */

static void test_term_exact(void)
{
	/* Printable ASCII (all of it but the backslash) passes. */
	char ascii[96];
	size_t k = 0;
	for (int c = 0x20; c < 0x7f; c++)
		if (c != '\\')
			ascii[k++] = (char)c;
	ascii[k] = '\0';
	CU_ASSERT_STRING_EQUAL(term(ascii, k), ascii);
	/* Valid UTF-8 letters pass as they are. */
	CU_ASSERT_STRING_EQUAL(term(S("κόσμε")), "κόσμε");
	CU_ASSERT_STRING_EQUAL(term(S("日本")), "日本");
	CU_ASSERT_STRING_EQUAL(term(S("\xf0\x9f\x98\x80 ok")), "\xf0\x9f\x98\x80 ok");
	CU_ASSERT_STRING_EQUAL(term(S("é\xc2\xa0x")), "é\xc2\xa0x"); /* NBSP */
	/* C0, ESC, DEL and the backslash itself. */
	CU_ASSERT_STRING_EQUAL(term(S("\x1b[31mred")), "\\x1b[31mred");
	CU_ASSERT_STRING_EQUAL(term(S("a\rb\nc")), "a\\x0db\\x0ac");
	CU_ASSERT_STRING_EQUAL(term("a\0b", 3), "a\\x00b");
	CU_ASSERT_STRING_EQUAL(term(S("\x7f")), "\\x7f");
	CU_ASSERT_STRING_EQUAL(term(S("\x07\x08")), "\\x07\\x08");
	CU_ASSERT_STRING_EQUAL(term(S("a\\b")), "a\\\\b");
	CU_ASSERT_STRING_EQUAL(term(S("\\x1b")), "\\\\x1b");
	CU_ASSERT_STRING_EQUAL(term(S("\t")), "\\t");
	/* C1 controls as UTF-8 (U+0085 NEL, U+009B CSI). */
	CU_ASSERT_STRING_EQUAL(term(S("\xc2\x85")), "\\u{0085}");
	CU_ASSERT_STRING_EQUAL(term(S("\xc2\x9b" "31m")), "\\u{009b}31m");
	/* Bidi overrides and isolates, line separator, BOM. */
	CU_ASSERT_STRING_EQUAL(term(S("a\xe2\x80\xae" "b")), "a\\u{202e}b");
	CU_ASSERT_STRING_EQUAL(term(S("\xe2\x81\xa6")), "\\u{2066}");
	CU_ASSERT_STRING_EQUAL(term(S("\xe2\x80\xa8")), "\\u{2028}");
	CU_ASSERT_STRING_EQUAL(term(S("\xef\xbb\xbf")), "\\u{feff}");
	/* Invalid UTF-8: each byte escaped. */
	CU_ASSERT_STRING_EQUAL(term(S("\xff")), "\\xff");
	CU_ASSERT_STRING_EQUAL(term(S("\x80")), "\\x80");
	CU_ASSERT_STRING_EQUAL(term(S("\xe2\x82")), "\\xe2\\x82");
	CU_ASSERT_STRING_EQUAL(term(S("\xe2\x82" "A")), "\\xe2\\x82A");
	CU_ASSERT_STRING_EQUAL(term(S("\xc0\xaf")), "\\xc0\\xaf"); /* overlong */
	CU_ASSERT_STRING_EQUAL(term(S("\xed\xa0\x80")), "\\xed\\xa0\\x80");
	CU_ASSERT_STRING_EQUAL(term(S("\xf4\x90\x80\x80")),
			       "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
	/* A truncated sequence at the end, then a valid one after it. */
	CU_ASSERT_STRING_EQUAL(term(S("\xe6\x97" "\xe6\x97\xa5")),
			       "\\xe6\\x97日");
	CU_ASSERT_STRING_EQUAL(term("", 0), "");
}

static void test_json_exact(void)
{
	CU_ASSERT_STRING_EQUAL(json(S("plain text")), "plain text");
	CU_ASSERT_STRING_EQUAL(json(S("a\"b\\c")), "a\\\"b\\\\c");
	CU_ASSERT_STRING_EQUAL(json(S("\n\r\t")), "\\n\\r\\t");
	CU_ASSERT_STRING_EQUAL(json("\0\x01\x1f\x7f\b\f", 6),
			       "\\u0000\\u0001\\u001f\\u007f\\u0008\\u000c");
	CU_ASSERT_STRING_EQUAL(json(S("\x1b[0m")), "\\u001b[0m");
	CU_ASSERT_STRING_EQUAL(json(S("/")), "/");
	/* Valid UTF-8 passes raw. */
	CU_ASSERT_STRING_EQUAL(json(S("κόσμε 日本 \xf0\x9f\x98\x80")),
			       "κόσμε 日本 \xf0\x9f\x98\x80");
	/* Invalid UTF-8 becomes U+FFFD, one per bad byte. */
	CU_ASSERT_STRING_EQUAL(json(S("\xff")), "\\ufffd");
	CU_ASSERT_STRING_EQUAL(json(S("a\x80" "b")), "a\\ufffdb");
	CU_ASSERT_STRING_EQUAL(json(S("\xe2\x82")), "\\ufffd\\ufffd");
	CU_ASSERT_STRING_EQUAL(json(S("\xed\xa0\x80")),
			       "\\ufffd\\ufffd\\ufffd");
	/* U+2028/2029 (JavaScript line terminators), C1 and bidi are
	 * escaped so the JSON is terminal-safe too. */
	CU_ASSERT_STRING_EQUAL(json(S("\xe2\x80\xa8")), "\\u2028");
	CU_ASSERT_STRING_EQUAL(json(S("\xe2\x80\xa9")), "\\u2029");
	CU_ASSERT_STRING_EQUAL(json(S("\xc2\x85\xc2\x9b")), "\\u0085\\u009b");
	CU_ASSERT_STRING_EQUAL(json(S("\xe2\x80\xae\xe2\x81\xa6")),
			       "\\u202e\\u2066");
	/* With quotes, and null. */
	mem_start();
	json_str(ob, "say \"hi\"");
	obuf_putc(ob, ' ');
	json_str(ob, NULL);
	obuf_putc(ob, ' ');
	json_strn(ob, (const uint8_t *)"a\0b", 3);
	CU_ASSERT_STRING_EQUAL(mem_end(NULL),
			       "\"say \\\"hi\\\"\" null \"a\\u0000b\"");
}

static void test_properties(void)
{
	uint8_t in[16];
	unsigned bad = 0;

	/* Every input of one and two bytes. */
	for (unsigned a = 0; a < 256; a++) {
		in[0] = (uint8_t)a;
		bad += check_props(in, 1);
		for (unsigned b = 0; b < 256; b++) {
			in[1] = (uint8_t)b;
			bad += check_props(in, 2);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* Every 3-byte sequence starting 0xe0..0xef followed by any
	 * continuation pair (the BMP, surrogates and overlongs included),
	 * with context bytes around it. */
	for (unsigned a = 0xe0; a <= 0xef; a++)
		for (unsigned b = 0x80; b <= 0xbf; b++)
			for (unsigned c = 0x7f; c <= 0xc0; c++) {
				in[0] = 'x';
				in[1] = (uint8_t)a;
				in[2] = (uint8_t)b;
				in[3] = (uint8_t)c;
				in[4] = '\\';
				bad += check_props(in, 5);
			}
	CU_ASSERT_EQUAL(bad, 0);
	/* Random strings from an alphabet rich in edge bytes. */
	static const uint8_t alpha[] = {
		'a', ' ', '"', '\\', '/', 0, 0x1b, '\n', '\r', '\t', 0x7f,
		0x80, 0x85, 0x9b, 0xa0, 0xa8, 0xae, 0xbf, 0xc2, 0xc3, 0xe2,
		0x80, 0x81, 0xa6, 0xed, 0xef, 0xbb, 0xf0, 0x9f, 0x98, 0xf4,
		0x8f, 0x90, 0xff, 0xc0, 0xe0, 0xd8, 0x9c,
	};
	uint32_t st = 12345;
	for (int r = 0; r < 200000; r++) {
		st = st * 1103515245u + 12345u;
		size_t n = (st >> 16) % 13;
		for (size_t i = 0; i < n; i++) {
			st = st * 1103515245u + 12345u;
			in[i] = alpha[(st >> 16) % sizeof alpha];
		}
		bad += check_props(in, n);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_json_base64(void)
{
	static uint8_t data[2001];
	static char whole[BASE64_LEN(2001) + 3];
	unsigned bad = 0;
	uint32_t st = 7;

	for (size_t i = 0; i < sizeof data; i++) {
		st = st * 1103515245u + 12345u;
		data[i] = (uint8_t)(st >> 16);
	}
	for (size_t n = 0; n <= 2000; n++) {
		whole[0] = '"';
		size_t l = base64_encode(data, n, whole + 1);
		whole[l + 1] = '"';
		whole[l + 2] = '\0';
		size_t got_n;
		mem_start();
		json_base64(ob, data, n);
		const char *got = mem_end(&got_n);
		if (got_n != l + 2 || strcmp(got, whole) != 0)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* And one decodes back. */
	mem_start();
	json_base64(ob, data, 1537);
	size_t n;
	const char *got = mem_end(&n);
	static uint8_t back[2001];
	size_t bl = 0;
	CU_ASSERT_FATAL(n == BASE64_LEN(1537) + 2);
	CU_ASSERT_TRUE(base64_decode(got + 1, n - 2, back, sizeof back, &bl));
	CU_ASSERT(bl == 1537 && memcmp(back, data, 1537) == 0);
}

static void test_obuf(void)
{
	/* obuf_u64 */
	mem_start();
	obuf_u64(ob, 0);
	obuf_putc(ob, ' ');
	obuf_u64(ob, 1);
	obuf_putc(ob, ' ');
	obuf_u64(ob, 10);
	obuf_putc(ob, ' ');
	obuf_u64(ob, UINT64_MAX);
	obuf_putc(ob, ' ');
	obuf_u64(ob, 1234567890123ull);
	CU_ASSERT_STRING_EQUAL(mem_end(NULL),
			       "0 1 10 18446744073709551615 1234567890123");

	/* A put larger than the buffer, between small ones: the order is
	 * kept and nothing is lost. */
	size_t big = OBUF_SIZE * 3 + 17;
	char *p = malloc(big);
	CU_ASSERT_FATAL(p != NULL);
	for (size_t i = 0; i < big; i++)
		p[i] = (char)('a' + i % 26);
	mem_start();
	obuf_puts(ob, "<<");
	obuf_put(ob, p, big);
	obuf_puts(ob, ">>");
	size_t n;
	const char *got = mem_end(&n);
	CU_ASSERT_EQUAL(n, big + 4);
	CU_ASSERT(n == big + 4 && memcmp(got, "<<", 2) == 0 &&
		  memcmp(got + 2, p, big) == 0 &&
		  memcmp(got + 2 + big, ">>", 2) == 0);

	/* Exactly OBUF_SIZE, then one more byte, by putc and by put. */
	mem_start();
	for (size_t i = 0; i < OBUF_SIZE + 1; i++)
		obuf_putc(ob, p[i]);
	obuf_put(ob, p, OBUF_SIZE);
	obuf_put(ob, p, OBUF_SIZE - 1);
	obuf_put(ob, p, OBUF_SIZE + 1);
	got = mem_end(&n);
	CU_ASSERT_EQUAL(n, 4 * (size_t)OBUF_SIZE + 1);
	CU_ASSERT(n == 4 * (size_t)OBUF_SIZE + 1 &&
		  memcmp(got, p, OBUF_SIZE + 1) == 0 &&
		  memcmp(got + OBUF_SIZE + 1, p, OBUF_SIZE) == 0 &&
		  memcmp(got + 2 * OBUF_SIZE + 1, p, OBUF_SIZE - 1) == 0 &&
		  memcmp(got + 3 * OBUF_SIZE, p, OBUF_SIZE + 1) == 0);

	/* obuf_printf: formatted, and long results cut, not overrun. */
	mem_start();
	obuf_printf(ob, "%d-%s-%05.1f", -3, "x", 2.5);
	CU_ASSERT_STRING_EQUAL(mem_end(NULL), "-3-x-002.5");
	mem_start();
	obuf_printf(ob, "%.*s", 5000, p);
	got = mem_end(&n);
	CU_ASSERT(n > 0 && n < 5000 && memcmp(got, p, n) == 0);

	/* A FILE target (open_memstream): nothing before a flush without
	 * line_flush; each obuf_eol flushes with it. */
	char *ms = NULL;
	size_t msn = 0;
	FILE *f = open_memstream(&ms, &msn);
	CU_ASSERT_FATAL(f != NULL);
	obuf_init(ob, f, false);
	obuf_puts(ob, "one");
	obuf_eol(ob);
	fflush(f);
	CU_ASSERT_EQUAL(msn, 0);
	obuf_flush(ob);
	CU_ASSERT_EQUAL(msn, 4);
	obuf_init(ob, f, true);
	obuf_puts(ob, "two");
	obuf_eol(ob);
	CU_ASSERT_EQUAL(msn, 8);
	obuf_put(ob, p, big);
	obuf_flush(ob);
	CU_ASSERT_FALSE(ob->failed);
	CU_ASSERT_EQUAL(msn, 8 + big);
	CU_ASSERT(msn == 8 + big && memcmp(ms, "one\ntwo\n", 8) == 0 &&
		  memcmp(ms + 8, p, big) == 0);
	fclose(f);
	free(ms);

	/* A failing target (a full disk) sets failed, both for a buffered
	 * flush and for a direct large write. */
	f = fopen("/dev/full", "w");
	if (f) {
		setvbuf(f, NULL, _IONBF, 0);
		obuf_init(ob, f, false);
		obuf_puts(ob, "x");
		CU_ASSERT_FALSE(ob->failed);
		obuf_flush(ob);
		CU_ASSERT_TRUE(ob->failed);
		obuf_init(ob, f, false);
		obuf_put(ob, p, big);
		CU_ASSERT_TRUE(ob->failed);
		fclose(f);
	}
	free(p);
}

/* esc_json tests eight bytes at a time: every byte value at every
 * position of a long ASCII run must come out exactly as it does alone
 * (alone it goes through the byte loop only). */
/* obuf_fixed6 must write exactly what "%.6f" writes: capture-like times
 * (microsecond and nanosecond), values near a half millionth, edges. */
static void test_obuf_fixed6(void)
{
	char want[64];
	uint64_t x = 88172645463325252ull;
	double edge[] = { 0, 0.5e-6, 1.5e-6, 0.9999995, 1e-7, 123.4564995,
			  1795612779.392273, 4294967295.999999, 8.99e9, 9.1e9,
			  -1.25, 2.5e-7 };

	for (int i = 0; i < 200000 + (int)(sizeof edge / sizeof edge[0]); i++) {
		double v;
		if (i < (int)(sizeof edge / sizeof edge[0])) {
			v = edge[i];
		} else {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			uint64_t sec = 1000000000u + x % 1000000000u;
			uint32_t ns = (uint32_t)((x >> 32) % 1000000000u);
			if (i % 2)
				ns -= ns % 1000; /* microsecond captures */
			v = (double)sec + (double)ns / 1e9;
		}
		snprintf(want, sizeof want, "%.6f", v);
		mem_start();
		obuf_fixed6(ob, v);
		const char *got = mem_end(NULL);
		if (strcmp(got, want) != 0) {
			CU_FAIL("obuf_fixed6 differs from %.6f");
			return;
		}
	}
}

static void test_json_word_scan(void)
{
	char alone[16], got[64], want[64];
	uint8_t in[24];

	for (unsigned b = 0; b < 256; b++) {
		const char *one = json(&(uint8_t){ (uint8_t)b }, 1);
		CU_ASSERT_FATAL(strlen(one) < sizeof alone);
		memcpy(alone, one, strlen(one) + 1);
		for (size_t k = 0; k < sizeof in; k++) {
			memset(in, 'a', sizeof in);
			in[k] = (uint8_t)b;
			snprintf(want, sizeof want, "%.*s%s%.*s", (int)k,
				 "aaaaaaaaaaaaaaaaaaaaaaaa", alone,
				 (int)(sizeof in - k - 1),
				 "aaaaaaaaaaaaaaaaaaaaaaaa");
			const char *r = json(in, sizeof in);
			CU_ASSERT_FATAL(strlen(r) < sizeof got);
			memcpy(got, r, strlen(r) + 1);
			if (strcmp(got, want) != 0) {
				CU_FAIL("word scan differs from the byte loop");
				return;
			}
		}
	}
}

/* Long inputs are escaped in chunks written straight into the output
 * buffer: a UTF-8 sequence across a chunk's end (every offset around
 * 4096 and 8192), an invalid byte there, and several output buffers'
 * worth must come out as from the same bytes one character at a time. */
static void test_json_chunks(void)
{
	static uint8_t in[3 * OBUF_SIZE];
	static char want[6 * sizeof in];

	for (size_t lead = 0; lead < 4; lead++) {
		size_t n = 0, w = 0;
		memset(in, 'a', lead);
		n = lead;
		memcpy(want, in, lead);
		w = lead;
		while (n + 4 <= sizeof in) {
			/* κ (2 bytes), ‰ (3), a newline, 😀 (4), a stray
			 * continuation byte */
			static const uint8_t unit[] = {
				0xce, 0xba, 0xe2, 0x80, 0xb0, '\n',
				0xf0, 0x9f, 0x98, 0x80, 0x80 };
			static const char esc[] = "\xce\xba\xe2\x80\xb0\\n"
				"\xf0\x9f\x98\x80\\ufffd";
			if (n + sizeof unit > sizeof in)
				break;
			memcpy(in + n, unit, sizeof unit);
			n += sizeof unit;
			memcpy(want + w, esc, sizeof esc - 1);
			w += sizeof esc - 1;
		}
		const char *got = json(in, n);
		CU_ASSERT_EQUAL(strlen(got), w);
		CU_ASSERT(strlen(got) == w && memcmp(got, want, w) == 0);
	}
}

static int escape_init(void)
{
	ob = malloc(sizeof *ob);
	return ob ? 0 : -1;
}

static int escape_cleanup(void)
{
	free(ob);
	ob = NULL;
	free(mo.b);
	memset(&mo, 0, sizeof mo);
	return 0;
}

int add_escape_suite(void)
{
	CU_pSuite s = CU_add_suite("escape", escape_init, escape_cleanup);

	if (!s)
		return -1;
	if (!CU_add_test(s, "terminal: exact forms", test_term_exact) ||
	    !CU_add_test(s, "JSON: exact forms", test_json_exact) ||
	    !CU_add_test(s, "JSON: word-at-a-time scan", test_json_word_scan) ||
	    !CU_add_test(s, "JSON: chunks across a sequence", test_json_chunks) ||
	    !CU_add_test(s, "both: safety and round trip", test_properties) ||
	    !CU_add_test(s, "json_base64 across chunks", test_json_base64) ||
	    !CU_add_test(s, "obuf", test_obuf) ||
	    !CU_add_test(s, "obuf_fixed6 as %.6f", test_obuf_fixed6))
		return -1;
	return 0;
}
