/* test_ws_message.c - ws_message: RFC 6455 §5.7 examples as messages
 * under every split of the input; fragmentation, RSV, UTF-8, close and
 * keep/cap rules (RFC 6455 §5.4, §5.5.1, §7.4, §8.1; RFC 7692 §6), each
 * asserting its note code; permessage-deflate through pmd. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pmd.h"
#include "suites.h"
#include "ws_message.h"

/* Log: one line per message and per note, plus the last note's text. */
struct mlog {
	char text[8192];
	size_t tlen;
	char last_note[512];
	bool bad;               /* an invariant broke */
	size_t messages;
};

static void log_add(struct mlog *l, const char *s)
{
	size_t n = strlen(s);

	if (n > sizeof(l->text) - 1 - l->tlen) {
		l->bad = true;
		return;
	}
	memcpy(l->text + l->tlen, s, n);
	l->tlen += n;
	l->text[l->tlen] = '\0';
}

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

static void log_bytes(struct mlog *l, const uint8_t *p, size_t n)
{
	char b[40];

	if (n > 32) {
		snprintf(b, sizeof(b), "n=%zu,fnv=%08x", n, fnv1a(p, n));
		log_add(l, b);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(b, sizeof(b), "%02x", p[i]);
		log_add(l, b);
	}
}

static void on_message(void *user, const struct ws_message *m)
{
	struct mlog *l = user;
	char line[200];

	l->messages++;
	if (m->data_len > m->length || (!m->data && m->data_len))
		l->bad = true;
	if (m->reason && (m->reason < m->data ||
			  m->reason + m->reason_len > m->data + m->data_len))
		l->bad = true;
	snprintf(line, sizeof(line),
		 "M op=%u len=%llu wire=%llu fr=%u ff=%llu off=%llu tr=%d "
		 "u8=%d z=%d", m->opcode, (unsigned long long)m->length,
		 (unsigned long long)m->wire_length, m->frames,
		 (unsigned long long)m->first_frame,
		 (unsigned long long)m->offset, m->truncated, m->utf8_valid,
		 m->compressed);
	log_add(l, line);
	if (m->has_close_code) {
		snprintf(line, sizeof(line), " cc=%u", m->close_code);
		log_add(l, line);
	}
	log_add(l, " d=");
	if (m->data)
		log_bytes(l, m->data, m->data_len);
	else
		log_add(l, "-");
	if (m->reason) {
		log_add(l, " r=");
		log_bytes(l, m->reason, m->reason_len);
	}
	log_add(l, "\n");
}

static void on_note(void *user, enum ws_note_level level, const char *code,
		    const char *text)
{
	struct mlog *l = user;
	char line[100];

	/* Every note names its frame. */
	if (strncmp(text, "frame ", 6) != 0 || !strstr(text, " at offset "))
		l->bad = true;
	snprintf(l->last_note, sizeof(l->last_note), "%s", text);
	snprintf(line, sizeof(line), "N %c %s\n",
		 level == WS_NOTE_ERROR ? 'E' :
		 level == WS_NOTE_WARN ? 'W' : 'I', code);
	log_add(l, line);
}

static const struct ws_msg_callbacks cbs = { on_message, on_note };

static struct ws_msg_cfg cfg_make(bool from_client, bool deflate,
				  bool keep, uint64_t max)
{
	struct ws_msg_cfg c;

	memset(&c, 0, sizeof(c));
	c.from_client = from_client;
	c.deflate = deflate;
	c.keep_payload = keep;
	c.max_message = max;
	return c;
}

#define SERVER cfg_make(false, false, true, 1u << 20)
#define CLIENT cfg_make(true, false, true, 1u << 20)

static struct mlog lg;

/* The inflater run() makes: window, no_context_takeover, guard. */
static struct {
	int wbits;
	bool nct;
	uint64_t ratio, ratio_min;
} infl = { 15, false, PMD_RATIO_DEFAULT, PMD_RATIO_MIN_DEFAULT };

/* One run: fresh stream (and a fresh inflater when `inflate`), input cut
 * at `cuts` (or fed a byte at a time when bytewise), then finish. */
static void run(const struct ws_msg_cfg *cfg0, bool inflate,
		const uint8_t *in, size_t n, const size_t *cuts, size_t ncuts,
		bool bytewise)
{
	struct ws_msg_cfg cfg = *cfg0;
	struct ws_msg_stream *s = malloc(sizeof(*s));
	size_t at = 0;

	memset(&lg, 0, sizeof(lg));
	if (!s) {
		lg.bad = true;
		return;
	}
	if (inflate) {
		cfg.deflate = true;
		cfg.inflater = pmd_new(infl.wbits, infl.nct);
		if (!cfg.inflater) {
			lg.bad = true;
			free(s);
			return;
		}
		pmd_set_guard(cfg.inflater, infl.ratio, infl.ratio_min,
			      PMD_BUDGET_DEFAULT);
	}
	ws_msg_init(s, &cfg, &cbs, &lg);
	if (bytewise) {
		for (size_t i = 0; i < n; i++)
			ws_msg_feed(s, in + i, 1);
	} else {
		for (size_t i = 0; i <= ncuts; i++) {
			size_t to = i < ncuts ? cuts[i] : n;

			ws_msg_feed(s, in + at, to - at);
			at = to;
		}
	}
	ws_msg_finish(s);
	ws_msg_free(s);
	if (cfg.inflater)
		pmd_free(cfg.inflater);
	free(s);
}

static void run_whole(const struct ws_msg_cfg *cfg, const uint8_t *in,
		      size_t n)
{
	run(cfg, false, in, n, NULL, 0, false);
}

static void check(const struct ws_msg_cfg *cfg, bool inflate,
		  const uint8_t *in, size_t n, const char *want)
{
	run(cfg, inflate, in, n, NULL, 0, false);
	CU_ASSERT_FALSE(lg.bad);
	CU_ASSERT_STRING_EQUAL(lg.text, want);
	if (strcmp(lg.text, want) != 0)
		fprintf(stderr, "\ngot:\n%s\nwant:\n%s\n", lg.text, want);
	run(cfg, inflate, in, n, NULL, 0, true);
	CU_ASSERT_FALSE(lg.bad);
	CU_ASSERT_STRING_EQUAL(lg.text, want);
	for (size_t i = 0; i <= n; i++) {
		size_t c[1] = { i };

		run(cfg, inflate, in, n, c, 1, false);
		CU_ASSERT_FALSE_FATAL(lg.bad);
		CU_ASSERT_STRING_EQUAL_FATAL(lg.text, want);
	}
	if (n > 40)
		return;
	for (size_t i = 0; i <= n; i++) {
		for (size_t j = i; j <= n; j++) {
			size_t c[2] = { i, j };

			run(cfg, inflate, in, n, c, 2, false);
			CU_ASSERT_FALSE_FATAL(lg.bad);
			CU_ASSERT_STRING_EQUAL_FATAL(lg.text, want);
		}
	}
}

/* Frame builder: minimal length encoding; masked with a fixed key. */
struct wbuf {
	uint8_t b[20000];
	size_t n;
};

static void add_frame(struct wbuf *w, int fin, int rsv, int op, bool mask,
		      const void *payload, size_t len)
{
	static const uint8_t key[4] = { 0x12, 0x34, 0x56, 0x78 };
	const uint8_t *pl = payload;
	uint8_t *o = w->b + w->n;

	if (len + 14 > sizeof(w->b) - w->n) {
		CU_FAIL("wbuf too small");
		return;
	}
	*o++ = (uint8_t)((fin ? 0x80 : 0) | (rsv << 4) | op);
	if (len < 126) {
		*o++ = (uint8_t)((mask ? 0x80 : 0) | len);
	} else if (len < 65536) {
		*o++ = (uint8_t)((mask ? 0x80 : 0) | 126);
		*o++ = (uint8_t)(len >> 8);
		*o++ = (uint8_t)len;
	} else {
		*o++ = (uint8_t)((mask ? 0x80 : 0) | 127);
		for (int i = 7; i >= 0; i--)
			*o++ = (uint8_t)((uint64_t)len >> (8 * i));
	}
	if (mask) {
		memcpy(o, key, 4);
		o += 4;
	}
	for (size_t i = 0; i < len; i++)
		*o++ = mask ? pl[i] ^ key[i % 4] : pl[i];
	w->n = (size_t)(o - w->b);
}

static struct wbuf wb;

/* RFC 6455 §5.7 examples, as messages. */
static void test_rfc_examples(void)
{
	static const uint8_t text[] = { 0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c,
					0x6f };
	static const uint8_t masked[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
					  0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	static const uint8_t frag[] = { 0x01, 0x03, 0x48, 0x65, 0x6c,
					0x80, 0x02, 0x6c, 0x6f };
	static const uint8_t ping[] = { 0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c,
					0x6f };
	static const uint8_t pong[] = { 0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d,
					0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	struct ws_msg_cfg sc = SERVER, cc = CLIENT;

	check(&sc, false, text, sizeof(text),
	      "M op=1 len=5 wire=5 fr=1 ff=0 off=0 tr=0 u8=1 z=0 "
	      "d=48656c6c6f\n");
	check(&cc, false, masked, sizeof(masked),
	      "M op=1 len=5 wire=5 fr=1 ff=0 off=0 tr=0 u8=1 z=0 "
	      "d=48656c6c6f\n");
	check(&sc, false, frag, sizeof(frag),
	      "M op=1 len=5 wire=5 fr=2 ff=0 off=0 tr=0 u8=1 z=0 "
	      "d=48656c6c6f\n");
	check(&sc, false, ping, sizeof(ping),
	      "M op=9 len=5 wire=5 fr=1 ff=0 off=0 tr=0 u8=1 z=0 "
	      "d=48656c6c6f\n");
	check(&cc, false, pong, sizeof(pong),
	      "M op=10 len=5 wire=5 fr=1 ff=0 off=0 tr=0 u8=1 z=0 "
	      "d=48656c6c6f\n");
	/* Wrong direction: the frame-level rule becomes a note naming the
	 * frame. */
	check(&cc, false, text, sizeof(text),
	      "N E client_unmasked\n"
	      "M op=1 len=5 wire=5 fr=1 ff=0 off=0 tr=0 u8=1 z=0 "
	      "d=48656c6c6f\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.last_note,
				      "frame 0 at offset 0: client frame not "
				      "masked (RFC 6455 §5.1"));
}

/* §5.7 256 bytes and 64 KiB of binary, whole, a byte at a time and at
 * split points (all of them for 256, a selection for 64 KiB). */
static void test_rfc_binary(void)
{
	static uint8_t big[10 + 65536];
	static const size_t pts[] = { 1, 2, 5, 9, 10, 11, 4096 + 10,
				      32768, 65535 + 10, 65536 + 10 };
	struct ws_msg_cfg sc = SERVER;
	char want[200];

	for (size_t i = 0; i < 65536; i++)
		big[10 + i] = (uint8_t)(i ^ (i >> 9));
	/* 82 7E 0100 + 256 bytes */
	memcpy(big + 6, "\x82\x7e\x01\x00", 4);
	snprintf(want, sizeof(want),
		 "M op=2 len=256 wire=256 fr=1 ff=0 off=0 tr=0 u8=1 z=0 "
		 "d=n=256,fnv=%08x\n", fnv1a(big + 10, 256));
	check(&sc, false, big + 6, 4 + 256, want);

	/* 82 7F 0000000000010000 + 65536 bytes */
	memcpy(big, "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10);
	snprintf(want, sizeof(want),
		 "M op=2 len=65536 wire=65536 fr=1 ff=0 off=0 tr=0 u8=1 z=0 "
		 "d=n=65536,fnv=%08x\n", fnv1a(big + 10, 65536));
	run(&sc, false, big, sizeof(big), NULL, 0, false);
	CU_ASSERT_STRING_EQUAL(lg.text, want);
	run(&sc, false, big, sizeof(big), NULL, 0, true);
	CU_ASSERT_STRING_EQUAL(lg.text, want);
	for (size_t i = 0; i < sizeof(pts) / sizeof(pts[0]); i++) {
		for (size_t j = i; j < sizeof(pts) / sizeof(pts[0]); j++) {
			size_t c[2] = { pts[i], pts[j] };

			run(&sc, false, big, sizeof(big), c, 2, false);
			CU_ASSERT_FALSE(lg.bad);
			CU_ASSERT_STRING_EQUAL(lg.text, want);
		}
	}
}

/* §5.4: control frames between fragments stand alone; the data message
 * continues around them. */
static void test_control_between_fragments(void)
{
	struct ws_msg_cfg cc = CLIENT;

	wb.n = 0;
	add_frame(&wb, 0, 0, WS_OP_TEXT, true, "Hel", 3);
	add_frame(&wb, 1, 0, WS_OP_PING, true, "x", 1);
	add_frame(&wb, 0, 0, WS_OP_CONT, true, "l", 1);
	add_frame(&wb, 1, 0, WS_OP_PONG, true, "", 0);
	add_frame(&wb, 1, 0, WS_OP_CONT, true, "o", 1);
	check(&cc, false, wb.b, wb.n,
	      "M op=9 len=1 wire=1 fr=1 ff=1 off=9 tr=0 u8=1 z=0 d=78\n"
	      "M op=10 len=0 wire=0 fr=1 ff=3 off=23 tr=0 u8=1 z=0 d=\n"
	      "M op=1 len=5 wire=5 fr=3 ff=0 off=0 tr=0 u8=1 z=0 "
	      "d=48656c6c6f\n");
}

/* §5.4: a continuation with nothing open is skipped and noted. */
static void test_unexpected_continuation(void)
{
	struct ws_msg_cfg sc = SERVER;

	wb.n = 0;
	add_frame(&wb, 0, 0, WS_OP_CONT, false, "ab", 2);
	add_frame(&wb, 1, 0, WS_OP_CONT, false, "c", 1);
	add_frame(&wb, 1, 0, WS_OP_TEXT, false, "ok", 2);
	check(&sc, false, wb.b, wb.n,
	      "N E unexpected_continuation\n"
	      "N E unexpected_continuation\n"
	      "M op=1 len=2 wire=2 fr=1 ff=2 off=7 tr=0 u8=1 z=0 d=6f6b\n");
	/* A finished message does not leave a continuation welcome. */
	wb.n = 0;
	add_frame(&wb, 1, 0, WS_OP_BINARY, false, "a", 1);
	add_frame(&wb, 1, 0, WS_OP_CONT, false, "b", 1);
	run_whole(&sc, wb.b, wb.n);
	CU_ASSERT_STRING_EQUAL(lg.text,
			       "M op=2 len=1 wire=1 fr=1 ff=0 off=0 tr=0 u8=1 "
			       "z=0 d=61\n"
			       "N E unexpected_continuation\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.last_note, "frame 1 at offset 3: "));
}

/* §5.4: a new data message while one is open: the open one is delivered
 * truncated, the new one decoded. */
static void test_interleaved(void)
{
	struct ws_msg_cfg sc = SERVER;

	wb.n = 0;
	add_frame(&wb, 0, 0, WS_OP_TEXT, false, "ab", 2);
	add_frame(&wb, 1, 0, WS_OP_BINARY, false, "cd", 2);
	add_frame(&wb, 1, 0, WS_OP_CONT, false, "e", 1);
	check(&sc, false, wb.b, wb.n,
	      "N E interleaved_data\n"
	      "M op=1 len=2 wire=2 fr=1 ff=0 off=0 tr=1 u8=1 z=0 d=6162\n"
	      "M op=2 len=2 wire=2 fr=1 ff=1 off=4 tr=0 u8=1 z=0 d=6364\n"
	      "N E unexpected_continuation\n");
}

/* §5.2 and RFC 7692 §6.1: which RSV bits are allowed where. */
static void test_rsv(void)
{
	struct ws_msg_cfg sc = SERVER;
	struct ws_msg_cfg dc = cfg_make(false, true, true, 1u << 20);
	static const uint8_t junk[2] = { 0xff, 0xfe };

	/* No extension: RSV1 on data and control, RSV2, RSV3. */
	/* RSV1 opening a data message is a deflate_error (told when the
	 * message ends, after trying the payload as raw deflate: 0x41 is a
	 * final stored block, empty once the tail is added). */
	wb.n = 0;
	add_frame(&wb, 1, 4, WS_OP_TEXT, false, "A", 1);
	add_frame(&wb, 1, 4, WS_OP_PING, false, "", 0);
	add_frame(&wb, 1, 2, WS_OP_BINARY, false, "", 0);
	add_frame(&wb, 1, 1, WS_OP_BINARY, false, "", 0);
	check(&sc, false, wb.b, wb.n,
	      "N E deflate_error\n"
	      "M op=1 len=0 wire=1 fr=1 ff=0 off=0 tr=0 u8=1 z=1 d=\n"
	      "N E rsv_without_extension\n"
	      "M op=9 len=0 wire=0 fr=1 ff=1 off=3 tr=0 u8=1 z=0 d=\n"
	      "N E rsv_without_extension\n"
	      "M op=2 len=0 wire=0 fr=1 ff=2 off=5 tr=0 u8=1 z=0 d=\n"
	      "N E rsv_without_extension\n"
	      "M op=2 len=0 wire=0 fr=1 ff=3 off=7 tr=0 u8=1 z=0 d=\n");

	/* deflate, no inflater: compressed messages measured, not kept or
	 * validated; RSV1 on a continuation or a control frame noted;
	 * RSV2 still not allowed. */
	wb.n = 0;
	add_frame(&wb, 0, 4, WS_OP_TEXT, false, junk, 2);
	add_frame(&wb, 1, 0, WS_OP_PING, false, "", 0);
	add_frame(&wb, 1, 4, WS_OP_CONT, false, junk, 1);
	add_frame(&wb, 1, 4, WS_OP_PONG, false, "", 0);
	add_frame(&wb, 1, 2, WS_OP_TEXT, false, "B", 1);
	add_frame(&wb, 1, 0, WS_OP_TEXT, false, "C", 1);
	check(&dc, false, wb.b, wb.n,
	      "M op=9 len=0 wire=0 fr=1 ff=1 off=4 tr=0 u8=1 z=0 d=\n"
	      "N E rsv1_on_continuation\n"
	      "M op=1 len=3 wire=3 fr=2 ff=0 off=0 tr=0 u8=1 z=1 d=-\n"
	      "N E rsv1_on_control\n"
	      "M op=10 len=0 wire=0 fr=1 ff=3 off=9 tr=0 u8=1 z=0 d=\n"
	      "N E rsv_without_extension\n"
	      "M op=1 len=1 wire=1 fr=1 ff=4 off=11 tr=0 u8=1 z=0 d=42\n"
	      "M op=1 len=1 wire=1 fr=1 ff=5 off=14 tr=0 u8=1 z=0 d=43\n");
}

/* §8.1: text is UTF-8 across fragment boundaries. */
static void test_utf8(void)
{
	struct ws_msg_cfg sc = SERVER;
	static const uint8_t emoji[4] = { 0xf0, 0x9f, 0x98, 0x80 };

	/* U+20AC split 2 + 1 over two frames, U+1F600 1 + 1 + 2 over three
	 * with a ping in between. */
	wb.n = 0;
	add_frame(&wb, 0, 0, WS_OP_TEXT, false, "\xe2\x82", 2);
	add_frame(&wb, 1, 0, WS_OP_CONT, false, "\xac", 1);
	add_frame(&wb, 0, 0, WS_OP_TEXT, false, emoji, 1);
	add_frame(&wb, 0, 0, WS_OP_CONT, false, emoji + 1, 1);
	add_frame(&wb, 1, 0, WS_OP_PING, false, "", 0);
	add_frame(&wb, 1, 0, WS_OP_CONT, false, emoji + 2, 2);
	check(&sc, false, wb.b, wb.n,
	      "M op=1 len=3 wire=3 fr=2 ff=0 off=0 tr=0 u8=1 z=0 d=e282ac\n"
	      "M op=9 len=0 wire=0 fr=1 ff=4 off=13 tr=0 u8=1 z=0 d=\n"
	      "M op=1 len=4 wire=4 fr=3 ff=2 off=7 tr=0 u8=1 z=0 "
	      "d=f09f9880\n");

	/* Invalid byte in the second fragment: noted once, naming it. */
	wb.n = 0;
	add_frame(&wb, 0, 0, WS_OP_TEXT, false, "ok", 2);
	add_frame(&wb, 1, 0, WS_OP_CONT, false, "\xff\xff", 2);
	check(&sc, false, wb.b, wb.n,
	      "N E invalid_utf8\n"
	      "M op=1 len=4 wire=4 fr=2 ff=0 off=0 tr=0 u8=0 z=0 d=6f6bffff\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.last_note, "frame 1 at offset 4: "));

	/* Ends inside a code point; a surrogate; an overlong form. */
	wb.n = 0;
	add_frame(&wb, 1, 0, WS_OP_TEXT, false, "\xe2\x82", 2);
	add_frame(&wb, 1, 0, WS_OP_TEXT, false, "\xed\xa0\x80", 3);
	add_frame(&wb, 1, 0, WS_OP_TEXT, false, "\xc0\xaf", 2);
	check(&sc, false, wb.b, wb.n,
	      "N E invalid_utf8\n"
	      "M op=1 len=2 wire=2 fr=1 ff=0 off=0 tr=0 u8=0 z=0 d=e282\n"
	      "N E invalid_utf8\n"
	      "M op=1 len=3 wire=3 fr=1 ff=1 off=4 tr=0 u8=0 z=0 d=eda080\n"
	      "N E invalid_utf8\n"
	      "M op=1 len=2 wire=2 fr=1 ff=2 off=9 tr=0 u8=0 z=0 d=c0af\n");

	/* Binary is not UTF-8 checked. */
	wb.n = 0;
	add_frame(&wb, 1, 0, WS_OP_BINARY, false, "\xff", 1);
	run_whole(&sc, wb.b, wb.n);
	CU_ASSERT_STRING_EQUAL(lg.text,
			       "M op=2 len=1 wire=1 fr=1 ff=0 off=0 tr=0 u8=1 "
			       "z=0 d=ff\n");
}

static void close_frame(struct wbuf *w, unsigned code, const char *reason,
			size_t rlen)
{
	uint8_t p[125];

	p[0] = (uint8_t)(code >> 8);
	p[1] = (uint8_t)code;
	memcpy(p + 2, reason, rlen);
	add_frame(w, 1, 0, WS_OP_CLOSE, false, p, 2 + rlen);
}

/* §7.4.1/§7.4.2: which close codes may be sent. */
static void test_close_codes(void)
{
	static const struct {
		unsigned code;
		bool ok;
	} t[] = {
		{ 0, false },    { 999, false },  { 1000, true },
		{ 1001, true },  { 1002, true },  { 1003, true },
		{ 1004, false }, { 1005, false }, { 1006, false },
		{ 1007, true },  { 1008, true },  { 1009, true },
		{ 1010, true },  { 1011, true },  { 1012, true },
		{ 1013, true },  { 1014, true },  { 1015, false },
		{ 1016, false }, { 2000, false }, { 2999, false },
		{ 3000, true },  { 4000, true },  { 4999, true },
		{ 5000, false }, { 65535, false },
	};
	struct ws_msg_cfg sc = SERVER;
	char want[200];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		wb.n = 0;
		close_frame(&wb, t[i].code, "", 0);
		run_whole(&sc, wb.b, wb.n);
		snprintf(want, sizeof(want),
			 "%sM op=8 len=2 wire=2 fr=1 ff=0 off=0 tr=0 u8=1 z=0 "
			 "cc=%u d=%02x%02x\n",
			 t[i].ok ? "" : "N E bad_close_code\n", t[i].code,
			 t[i].code >> 8, t[i].code & 0xff);
		CU_ASSERT_FALSE(lg.bad);
		CU_ASSERT_STRING_EQUAL(lg.text, want);
		if (strcmp(lg.text, want) != 0)
			fprintf(stderr, "\ncode %u got:\n%s", t[i].code,
				lg.text);
	}
}

/* §5.5.1: close payload shapes and the reason's UTF-8; §5.5.1 nothing
 * after a close. */
static void test_close_payload(void)
{
	struct ws_msg_cfg sc = SERVER;

	wb.n = 0;
	add_frame(&wb, 1, 0, WS_OP_CLOSE, false, "", 0);
	check(&sc, false, wb.b, wb.n,
	      "M op=8 len=0 wire=0 fr=1 ff=0 off=0 tr=0 u8=1 z=0 d=\n");

	wb.n = 0;
	add_frame(&wb, 1, 0, WS_OP_CLOSE, false, "\x03", 1);
	check(&sc, false, wb.b, wb.n,
	      "N E close_payload_1\n"
	      "M op=8 len=1 wire=1 fr=1 ff=0 off=0 tr=0 u8=1 z=0 d=03\n");

	wb.n = 0;
	close_frame(&wb, 1000, "bye \xe2\x82\xac", 7);
	check(&sc, false, wb.b, wb.n,
	      "M op=8 len=9 wire=9 fr=1 ff=0 off=0 tr=0 u8=1 z=0 cc=1000 "
	      "d=03e862796520e282ac r=62796520e282ac\n");

	wb.n = 0;
	close_frame(&wb, 1001, "\xff", 1);
	run_whole(&sc, wb.b, wb.n);
	CU_ASSERT_STRING_EQUAL(lg.text,
			       "N E invalid_utf8\n"
			       "M op=8 len=3 wire=3 fr=1 ff=0 off=0 tr=0 u8=0 "
			       "z=0 cc=1001 d=03e9ff r=ff\n");
	wb.n = 0;
	close_frame(&wb, 1001, "\xe2\x82", 2);
	run_whole(&sc, wb.b, wb.n);
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.text, "N E invalid_utf8\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.text, "u8=0"));

	/* Frames after the close: one note, frames still decoded. */
	wb.n = 0;
	close_frame(&wb, 1000, "", 0);
	add_frame(&wb, 1, 0, WS_OP_TEXT, false, "A", 1);
	add_frame(&wb, 1, 0, WS_OP_CLOSE, false, "", 0);
	check(&sc, false, wb.b, wb.n,
	      "M op=8 len=2 wire=2 fr=1 ff=0 off=0 tr=0 u8=1 z=0 cc=1000 "
	      "d=03e8\n"
	      "N E data_after_close\n"
	      "M op=1 len=1 wire=1 fr=1 ff=1 off=4 tr=0 u8=1 z=0 d=41\n"
	      "M op=8 len=0 wire=0 fr=1 ff=2 off=7 tr=0 u8=1 z=0 d=\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.text, "data_after_close"));
}

/* Every frame-parser rule reaches on_note with its code and the frame's
 * index and offset. */
static void test_frame_violations_noted(void)
{
	static const struct {
		bool from_client;
		uint8_t in[12];
		size_t n;
		const char *code;
	} t[] = {
		{ false, { 0x82, 0x7e, 0x00, 0x01, 0x41 }, 5,
		  "nonminimal_length" },
		{ false, { 0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0, 1, 0x41 }, 11,
		  "nonminimal_length" },
		{ false, { 0x82, 0x7f, 0x80, 0, 0, 0, 0, 1, 0, 0 }, 10,
		  "length_top_bit" },
		{ false, { 0x89, 0x7e, 0x00, 0x7e }, 4, "control_too_long" },
		{ false, { 0x09, 0x00 }, 2, "control_fragmented" },
		{ false, { 0x83, 0x00 }, 2, "reserved_opcode" },
		{ false, { 0x8b, 0x00 }, 2, "reserved_opcode" },
		{ true, { 0x81, 0x00 }, 2, "client_unmasked" },
		{ false, { 0x81, 0x80, 1, 2, 3, 4 }, 6, "server_masked" },
	};
	char want[120];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct ws_msg_cfg c = cfg_make(t[i].from_client, false, true,
					       1u << 20);

		/* One good frame first, so the index and offset are not
		 * zero. */
		wb.n = 0;
		add_frame(&wb, 1, 0, WS_OP_BINARY, t[i].from_client, "", 0);
		memcpy(wb.b + wb.n, t[i].in, t[i].n);
		wb.n += t[i].n;
		run_whole(&c, wb.b, wb.n);
		snprintf(want, sizeof(want), "N E %s\n", t[i].code);
		CU_ASSERT_FALSE(lg.bad);
		CU_ASSERT_PTR_NOT_NULL(strstr(lg.text, want));
		snprintf(want, sizeof(want), "frame 1 at offset %u: ",
			 t[i].from_client ? 6u : 2u);
		CU_ASSERT_PTR_NOT_NULL(strstr(lg.last_note, want));
	}

	/* A reserved-opcode frame between fragments is skipped and leaves
	 * the open message alone. */
	struct ws_msg_cfg sc = SERVER;

	wb.n = 0;
	add_frame(&wb, 0, 0, WS_OP_TEXT, false, "a", 1);
	add_frame(&wb, 1, 0, 0x3, false, "zz", 2);
	add_frame(&wb, 1, 0, WS_OP_CONT, false, "b", 1);
	check(&sc, false, wb.b, wb.n,
	      "N E reserved_opcode\n"
	      "M op=1 len=2 wire=2 fr=2 ff=0 off=0 tr=0 u8=1 z=0 d=6162\n");
}

/* Keeping payload: cap, truncated flag, length still right; keeping off;
 * the buffer grows by doubling to the cap and is reused. */
static void test_keep_cap(void)
{
	struct ws_msg_cfg c4 = cfg_make(false, false, true, 4);
	struct ws_msg_cfg c0 = cfg_make(false, false, true, 0);
	struct ws_msg_cfg nk = cfg_make(false, false, false, 1u << 20);
	static uint8_t big[10000];
	struct ws_msg_stream *s;
	struct ws_msg_cfg sc = SERVER;
	uint8_t *b1;
	size_t cap1;

	wb.n = 0;
	add_frame(&wb, 0, 0, WS_OP_TEXT, false, "Hel", 3);
	add_frame(&wb, 1, 0, WS_OP_CONT, false, "lo", 2);
	add_frame(&wb, 1, 0, WS_OP_BINARY, false, "abcd", 4);
	add_frame(&wb, 1, 0, WS_OP_PING, false, "pingpong", 8);
	check(&c4, false, wb.b, wb.n,
	      "M op=1 len=5 wire=5 fr=2 ff=0 off=0 tr=1 u8=1 z=0 d=48656c6c\n"
	      "M op=2 len=4 wire=4 fr=1 ff=2 off=9 tr=0 u8=1 z=0 d=61626364\n"
	      "M op=9 len=8 wire=8 fr=1 ff=3 off=15 tr=0 u8=1 z=0 "
	      "d=70696e67706f6e67\n");
	check(&c0, false, wb.b, wb.n,
	      "M op=1 len=5 wire=5 fr=2 ff=0 off=0 tr=1 u8=1 z=0 d=\n"
	      "M op=2 len=4 wire=4 fr=1 ff=2 off=9 tr=1 u8=1 z=0 d=\n"
	      "M op=9 len=8 wire=8 fr=1 ff=3 off=15 tr=0 u8=1 z=0 "
	      "d=70696e67706f6e67\n");
	check(&nk, false, wb.b, wb.n,
	      "M op=1 len=5 wire=5 fr=2 ff=0 off=0 tr=0 u8=1 z=0 d=-\n"
	      "M op=2 len=4 wire=4 fr=1 ff=2 off=9 tr=0 u8=1 z=0 d=-\n"
	      "M op=9 len=8 wire=8 fr=1 ff=3 off=15 tr=0 u8=1 z=0 "
	      "d=70696e67706f6e67\n");
	/* Even beyond the cap the text is validated. */
	wb.n = 0;
	add_frame(&wb, 1, 0, WS_OP_TEXT, false, "Hello\xff", 6);
	run_whole(&c4, wb.b, wb.n);
	CU_ASSERT_STRING_EQUAL(lg.text,
			       "N E invalid_utf8\n"
			       "M op=1 len=6 wire=6 fr=1 ff=0 off=0 tr=1 u8=0 "
			       "z=0 d=48656c6c\n");

	/* Growth and reuse. */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 13);
	s = malloc(sizeof(*s));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	memset(&lg, 0, sizeof(lg));
	ws_msg_init(s, &sc, &cbs, &lg);
	wb.n = 0;
	add_frame(&wb, 0, 0, WS_OP_BINARY, false, big, 3000);
	add_frame(&wb, 0, 0, WS_OP_CONT, false, big + 3000, 3000);
	add_frame(&wb, 1, 0, WS_OP_CONT, false, big + 6000, 4000);
	ws_msg_feed(s, wb.b, wb.n);
	CU_ASSERT_EQUAL(s->buf_cap, 16384); /* 4096 -> 8192 -> 16384 */
	b1 = s->buf;
	cap1 = s->buf_cap;
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.text, "len=10000 wire=10000 fr=3"));
	{
		char want[40];

		snprintf(want, sizeof(want), "d=n=10000,fnv=%08x\n",
			 fnv1a(big, 10000));
		CU_ASSERT_PTR_NOT_NULL(strstr(lg.text, want));
	}
	wb.n = 0;
	add_frame(&wb, 1, 0, WS_OP_BINARY, false, big, 9000);
	ws_msg_feed(s, wb.b, wb.n);
	CU_ASSERT_EQUAL(lg.messages, 2);
	CU_ASSERT_PTR_EQUAL(s->buf, b1);
	CU_ASSERT_EQUAL(s->buf_cap, cap1);
	ws_msg_free(s);
	CU_ASSERT_PTR_NULL(s->buf);

	/* The buffer never outgrows the cap. */
	{
		struct ws_msg_cfg c5k = cfg_make(false, false, true, 5000);

		memset(&lg, 0, sizeof(lg));
		ws_msg_init(s, &c5k, &cbs, &lg);
		wb.n = 0;
		add_frame(&wb, 1, 0, WS_OP_BINARY, false, big, 10000);
		ws_msg_feed(s, wb.b, wb.n);
		CU_ASSERT_EQUAL(s->buf_cap, 5000);
		CU_ASSERT_PTR_NOT_NULL(strstr(lg.text,
					      "len=10000 wire=10000 fr=1 ff=0 "
					      "off=0 tr=1"));
		ws_msg_free(s);
	}
	free(s);
}

/* The stream ends inside a message or frame. */
static void test_finish(void)
{
	struct ws_msg_cfg sc = SERVER;
	struct ws_msg_stream *s;

	/* Inside a payload. */
	wb.n = 0;
	add_frame(&wb, 1, 0, WS_OP_TEXT, false, "Hello", 5);
	run_whole(&sc, wb.b, 5);
	CU_ASSERT_STRING_EQUAL(lg.text,
			       "N W truncated_message\n"
			       "M op=1 len=3 wire=5 fr=1 ff=0 off=0 tr=1 u8=1 "
			       "z=0 d=48656c\n");
	/* Between fragments; a cut code point is not called invalid. */
	wb.n = 0;
	add_frame(&wb, 0, 0, WS_OP_TEXT, false, "\xe2\x82", 2);
	add_frame(&wb, 1, 0, WS_OP_PING, false, "", 0);
	run_whole(&sc, wb.b, wb.n);
	CU_ASSERT_STRING_EQUAL(lg.text,
			       "M op=9 len=0 wire=0 fr=1 ff=1 off=4 tr=0 u8=1 "
			       "z=0 d=\n"
			       "N W truncated_message\n"
			       "M op=1 len=2 wire=2 fr=1 ff=0 off=0 tr=1 u8=1 "
			       "z=0 d=e282\n");
	/* Inside a control frame, and inside a close code. */
	wb.n = 0;
	add_frame(&wb, 1, 0, WS_OP_PING, false, "Hello", 5);
	run_whole(&sc, wb.b, 4);
	CU_ASSERT_STRING_EQUAL(lg.text,
			       "N W truncated_message\n"
			       "M op=9 len=2 wire=5 fr=1 ff=0 off=0 tr=1 u8=1 "
			       "z=0 d=4865\n");
	wb.n = 0;
	close_frame(&wb, 1000, "", 0);
	run_whole(&sc, wb.b, 3);
	CU_ASSERT_STRING_EQUAL(lg.text,
			       "N W truncated_message\n"
			       "M op=8 len=1 wire=2 fr=1 ff=0 off=0 tr=1 u8=1 "
			       "z=0 d=03\n");
	/* Inside a header. */
	run_whole(&sc, wb.b, 1);
	CU_ASSERT_STRING_EQUAL(lg.text, "N I truncated_message\n");
	/* Clean end: nothing; a second finish adds nothing. */
	s = malloc(sizeof(*s));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	memset(&lg, 0, sizeof(lg));
	ws_msg_init(s, &sc, &cbs, &lg);
	wb.n = 0;
	add_frame(&wb, 0, 0, WS_OP_TEXT, false, "ab", 2);
	ws_msg_feed(s, wb.b, wb.n);
	CU_ASSERT_EQUAL(lg.tlen, 0);
	ws_msg_finish(s);
	CU_ASSERT_EQUAL(lg.messages, 1);
	ws_msg_finish(s);
	CU_ASSERT_EQUAL(lg.messages, 1);
	CU_ASSERT_STRING_EQUAL(lg.text,
			       "N W truncated_message\n"
			       "M op=1 len=2 wire=2 fr=1 ff=0 off=0 tr=1 u8=1 "
			       "z=0 d=6162\n");
	ws_msg_free(s);
	free(s);
}

/* permessage-deflate through pmd (RFC 7692 §7.2.3 examples). */
static void test_deflate(void)
{
	/* §7.2.3.1 "Hello", one frame and fragmented. */
	static const uint8_t one[] = { 0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9,
				       0xc9, 0x07, 0x00 };
	static const uint8_t frag[] = { 0x41, 0x03, 0xf2, 0x48, 0xcd,
					0x80, 0x04, 0xc9, 0xc9, 0x07, 0x00 };
	/* §7.2.3.2: the second "Hello" uses the first's window. */
	static const uint8_t two[] = { 0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9,
				       0xc9, 0x07, 0x00,
				       0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00,
				       0x00 };
	/* "\xff" deflated: inflates to invalid UTF-8. */
	static const uint8_t bad_text[] = { 0xc1, 0x03, 0xfa, 0x0f, 0x00 };
	/* Block type 3 is reserved: corrupt. */
	static const uint8_t corrupt[] = { 0xc1, 0x01, 0xff };
	/* U+20AC x3 deflated, split over two frames mid-stream. */
	static const uint8_t euro[] = { 0x41, 0x03, 0x7a, 0xd4, 0xb4,
					0x80, 0x05, 0xe6, 0x11, 0x18, 0x01,
					0x00 };
	struct ws_msg_cfg dc = cfg_make(false, true, true, 1u << 20);
	struct ws_msg_cfg d3 = cfg_make(false, true, true, 3);

	check(&dc, true, one, sizeof(one),
	      "M op=1 len=5 wire=7 fr=1 ff=0 off=0 tr=0 u8=1 z=1 "
	      "d=48656c6c6f\n");
	check(&dc, true, frag, sizeof(frag),
	      "M op=1 len=5 wire=7 fr=2 ff=0 off=0 tr=0 u8=1 z=1 "
	      "d=48656c6c6f\n");
	check(&dc, true, two, sizeof(two),
	      "M op=1 len=5 wire=7 fr=1 ff=0 off=0 tr=0 u8=1 z=1 "
	      "d=48656c6c6f\n"
	      "M op=1 len=5 wire=5 fr=1 ff=1 off=9 tr=0 u8=1 z=1 "
	      "d=48656c6c6f\n");
	check(&dc, true, euro, sizeof(euro),
	      "M op=1 len=9 wire=8 fr=2 ff=0 off=0 tr=0 u8=1 z=1 "
	      "d=e282ace282ace282ac\n");
	/* The inflate cap (max_message when max_inflate is 0) cuts: a
	 * deflate_bomb note with the ratio. */
	check(&d3, true, one, sizeof(one),
	      "N W deflate_bomb\n"
	      "M op=1 len=5 wire=7 fr=1 ff=0 off=0 tr=1 u8=1 z=1 "
	      "d=48656c\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.last_note, "inflates to 5 bytes from "
				      "7 on the wire (0:1), more than "
				      "--max-inflate (3): cut"));
	check(&dc, true, bad_text, sizeof(bad_text),
	      "N E invalid_utf8\n"
	      "M op=1 len=1 wire=3 fr=1 ff=0 off=0 tr=0 u8=0 z=1 d=ff\n");
	run(&dc, true, corrupt, sizeof(corrupt), NULL, 0, false);
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.text, "N E deflate_error\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.text, "M op=1 len=0 wire=1 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.last_note, "frame 0 at offset 0: "));
	/* Uncompressed messages pass by the inflater. */
	wb.n = 0;
	add_frame(&wb, 1, 0, WS_OP_TEXT, false, "plain", 5);
	run(&dc, true, wb.b, wb.n, NULL, 0, false);
	CU_ASSERT_STRING_EQUAL(lg.text,
			       "M op=1 len=5 wire=5 fr=1 ff=0 off=0 tr=0 u8=1 "
			       "z=0 d=706c61696e\n");
}

/* Deflates `in` raw with a 15-bit window the way RFC 7692 §7.2.1 says
 * (sync flush, tail stripped) into out; returns the length. */
static size_t deflate_msg(z_stream *z, const void *in, size_t n, uint8_t *out,
			  size_t cap)
{
	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = (uInt)n;
	z->next_out = out;
	z->avail_out = (uInt)cap;
	CU_ASSERT_FATAL(deflate(z, Z_SYNC_FLUSH) == Z_OK);
	CU_ASSERT_FATAL(z->avail_in == 0 && z->avail_out > 0);
	size_t len = cap - z->avail_out;
	CU_ASSERT_FATAL(len >= 4 && memcmp(out + len - 4, "\0\0\xff\xff", 4) == 0);
	return len - 4;
}

/* zlib keeps a pointer back to the z_stream: initialised in place. */
static void zsender(z_stream *z, int wbits)
{
	memset(z, 0, sizeof(*z));
	CU_ASSERT_FATAL(deflateInit2(z, 9, Z_DEFLATED, -wbits, 8,
				     Z_DEFAULT_STRATEGY) == Z_OK);
}

/* A compressed message in three fragments with a ping between them, and a
 * second one that refers back into it (context takeover), client to
 * server (masked): every split, one byte at a time. */
static void test_deflate_fragments(void)
{
	static const char text[] = "fragmented and compressed, fragmented "
				   "and compressed, \xe2\x9c\x93 once more";
	static uint8_t z1[200], z2[200];
	z_stream z;
	zsender(&z, 15);
	size_t n1 = deflate_msg(&z, text, sizeof(text) - 1, z1, sizeof(z1));
	size_t n2 = deflate_msg(&z, text, sizeof(text) - 1, z2, sizeof(z2));
	struct ws_msg_cfg cc = cfg_make(true, true, true, 1u << 20);
	char want[1024];

	deflateEnd(&z);
	CU_ASSERT_FATAL(n1 > 10);
	CU_ASSERT(n2 < 10); /* all one back reference */
	wb.n = 0;
	/* RSV1 on the first fragment only (RFC 7692 §6.1). */
	add_frame(&wb, 0, 4, WS_OP_TEXT, true, z1, 3);
	add_frame(&wb, 1, 0, WS_OP_PING, true, "p", 1);
	add_frame(&wb, 0, 0, WS_OP_CONT, true, z1 + 3, n1 - 8);
	add_frame(&wb, 1, 0, WS_OP_CONT, true, z1 + n1 - 5, 5);
	add_frame(&wb, 1, 4, WS_OP_TEXT, true, z2, n2);
	CU_ASSERT_FATAL(wb.n < 300);
	snprintf(want, sizeof(want),
		 "M op=9 len=1 wire=1 fr=1 ff=1 off=9 tr=0 u8=1 z=0 d=70\n"
		 "M op=1 len=%zu wire=%zu fr=3 ff=0 off=0 tr=0 u8=1 z=1 "
		 "d=n=%zu,fnv=%08x\n"
		 "M op=1 len=%zu wire=%zu fr=1 ff=4 off=%zu tr=0 u8=1 z=1 "
		 "d=n=%zu,fnv=%08x\n",
		 sizeof(text) - 1, n1, sizeof(text) - 1,
		 fnv1a((const uint8_t *)text, sizeof(text) - 1),
		 sizeof(text) - 1, n2, wb.n - n2 - 6, sizeof(text) - 1,
		 fnv1a((const uint8_t *)text, sizeof(text) - 1));
	check(&cc, true, wb.b, wb.n, want);
}

/* RSV1 without a negotiated permessage-deflate: a deflate_error on that
 * message saying whether the payload is raw deflate anyway; the session
 * goes on. */
static void test_rsv1_unnegotiated(void)
{
	static const uint8_t hello[] = { 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07,
					 0x00 };
	static const uint8_t junk[] = { 0xff, 0xff, 0xff };
	struct ws_msg_cfg sc = SERVER;

	wb.n = 0;
	add_frame(&wb, 1, 4, WS_OP_TEXT, false, hello, sizeof(hello));
	add_frame(&wb, 1, 0, WS_OP_TEXT, false, "plain", 5);
	check(&sc, false, wb.b, wb.n,
	      "N E deflate_error\n"
	      "M op=1 len=5 wire=7 fr=1 ff=0 off=0 tr=0 u8=1 z=1 "
	      "d=48656c6c6f\n"
	      "M op=1 len=5 wire=5 fr=1 ff=1 off=9 tr=0 u8=1 z=0 "
	      "d=706c61696e\n");
	run(&sc, false, wb.b, wb.n, NULL, 0, false);
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.text, "N E deflate_error\n"));
	wb.n = 0;
	add_frame(&wb, 1, 4, WS_OP_TEXT, false, hello, sizeof(hello));
	run(&sc, false, wb.b, wb.n, NULL, 0, false);
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.last_note, "no permessage-deflate was "
				      "negotiated"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.last_note, "inflates as raw deflate "
				      "to 5 bytes, so the sender compressed"));
	wb.n = 0;
	add_frame(&wb, 1, 4, WS_OP_BINARY, false, junk, sizeof(junk));
	add_frame(&wb, 1, 4, WS_OP_BINARY, false, hello, sizeof(hello));
	check(&sc, false, wb.b, wb.n,
	      "N E deflate_error\n"
	      "M op=2 len=0 wire=3 fr=1 ff=0 off=0 tr=0 u8=1 z=1 d=\n"
	      "N E deflate_error\n"
	      "M op=2 len=5 wire=7 fr=1 ff=1 off=5 tr=0 u8=1 z=1 "
	      "d=48656c6c6f\n");
	run(&sc, false, wb.b, wb.n - 9, NULL, 0, false);
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.last_note, "not raw deflate either "
				      "(zlib: invalid block type)"));
}

/* Errors explained: the server compressed with a 15-bit window but 10
 * bits were negotiated; the server referred to an earlier message under
 * server_no_context_takeover. */
static void test_deflate_window_errors(void)
{
	static uint8_t blk[3000], z1[3200], z2[200];
	static char want[sizeof(lg.text)];
	z_stream z;
	struct ws_msg_cfg dc = cfg_make(false, true, true, 1u << 20);

	zsender(&z, 15);
	for (size_t i = 0; i < sizeof(blk); i++)
		blk[i] = (uint8_t)((i * 2654435761u) >> 13);
	size_t n1 = deflate_msg(&z, blk, sizeof(blk), z1, sizeof(z1));
	size_t n2 = deflate_msg(&z, blk, sizeof(blk), z2, sizeof(z2));
	deflateEnd(&z);
	CU_ASSERT(n2 < 40);
	wb.n = 0;
	add_frame(&wb, 1, 4, WS_OP_BINARY, false, z1, n1);
	add_frame(&wb, 1, 4, WS_OP_BINARY, false, z2, n2);
	add_frame(&wb, 1, 0, WS_OP_TEXT, false, "after", 5);
	infl.wbits = 10;
	run(&dc, true, wb.b, wb.n, NULL, 0, false);
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.text, "N E deflate_error\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.last_note, "the server compressed "
				      "with a larger window than the negotiated "
				      "server_max_window_bits=10"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.text, "d=6166746572\n"));
	/* The whole second message refers back: the error is the same
	 * however the input is cut. */
	snprintf(want, sizeof(want), "%s", lg.text);
	for (size_t c = 0; c <= wb.n; c += 7) {
		size_t cut[1] = { c };
		run(&dc, true, wb.b, wb.n, cut, 1, false);
		CU_ASSERT_STRING_EQUAL(lg.text, want);
	}
	infl.wbits = 15;
	run(&dc, true, wb.b, wb.n, NULL, 0, false);
	CU_ASSERT_PTR_NULL(strstr(lg.text, "deflate_error"));

	/* §7.2.3.2's second "Hello" refers into the first: not allowed
	 * under server_no_context_takeover. */
	static const uint8_t two[] = { 0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9,
				       0xc9, 0x07, 0x00,
				       0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00,
				       0x00 };
	infl.nct = true;
	run(&dc, true, two, sizeof(two), NULL, 0, false);
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.text, "N E deflate_error\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.last_note, "refers back to data before "
				      "its start although "
				      "server_no_context_takeover was "
				      "negotiated"));
	infl.nct = false;
}

/* A bomb through the message layer: 256 KiB of zeros (about 970:1), the
 * guard at 500:1 past 64 KiB (to keep the test quick): cut, noted with
 * its ratio, marked truncated, and the next message (referring back into
 * it) decodes; under every split. */
static void test_deflate_bomb(void)
{
	static uint8_t zeros[256 * 1024], zb[2000], zh[100];
	static char want[sizeof(lg.text)];
	z_stream z;
	struct ws_msg_cfg dc = cfg_make(false, true, true, 16u << 20);

	zsender(&z, 15);
	size_t nb = deflate_msg(&z, zeros, sizeof(zeros), zb, sizeof(zb));
	size_t nh = deflate_msg(&z, zeros, 100, zh, sizeof(zh));
	deflateEnd(&z);
	wb.n = 0;
	add_frame(&wb, 1, 4, WS_OP_BINARY, false, zb, nb);
	add_frame(&wb, 1, 4, WS_OP_BINARY, false, zh, nh);
	infl.ratio = 500;
	infl.ratio_min = 64u << 10;
	run(&dc, true, wb.b, wb.n, NULL, 0, false);
	snprintf(want, sizeof(want), "%s", lg.text);
	CU_ASSERT(strncmp(want, "N W deflate_bomb\nM op=2 len=262144 ", 35) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(want, " tr=1 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.last_note, "inflates to 262144 bytes "
				      "from 271 on the wire (967:1): a deflate "
				      "bomb (over 500:1 past 65536 bytes), cut; "
				      "the rest inflated and discarded to keep "
				      "the window in sync"));
	CU_ASSERT_PTR_NOT_NULL(strstr(want, "\nM op=2 len=100 "));
	check(&dc, true, wb.b, wb.n, want);
	infl.ratio = PMD_RATIO_DEFAULT;
	infl.ratio_min = PMD_RATIO_MIN_DEFAULT;
}

int add_ws_message_suite(void)
{
	CU_pSuite s = CU_add_suite("ws_message", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "RFC 6455 5.7 examples", test_rfc_examples) ||
	    !CU_add_test(s, "RFC 6455 5.7 binary 256 B, 64 KiB", test_rfc_binary) ||
	    !CU_add_test(s, "control between fragments", test_control_between_fragments) ||
	    !CU_add_test(s, "unexpected continuation", test_unexpected_continuation) ||
	    !CU_add_test(s, "interleaved data", test_interleaved) ||
	    !CU_add_test(s, "RSV bits", test_rsv) ||
	    !CU_add_test(s, "UTF-8", test_utf8) ||
	    !CU_add_test(s, "close codes", test_close_codes) ||
	    !CU_add_test(s, "close payload", test_close_payload) ||
	    !CU_add_test(s, "frame violations noted", test_frame_violations_noted) ||
	    !CU_add_test(s, "keep and cap", test_keep_cap) ||
	    !CU_add_test(s, "finish", test_finish) ||
	    !CU_add_test(s, "permessage-deflate", test_deflate) ||
	    !CU_add_test(s, "compressed fragments", test_deflate_fragments) ||
	    !CU_add_test(s, "RSV1 without negotiation", test_rsv1_unnegotiated) ||
	    !CU_add_test(s, "deflate window errors", test_deflate_window_errors) ||
	    !CU_add_test(s, "deflate bomb", test_deflate_bomb))
		return -1;
	return 0;
}
