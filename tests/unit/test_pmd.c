/* test_pmd.c - permessage-deflate inflation (RFC 7692 §7.2).
 *
 * The RFC's §7.2.3 example payloads, and messages made here with zlib's
 * deflate the way §7.2.1 tells a sender to (raw deflate, flush, strip the
 * 00 00 ff ff tail), each fed whole, one byte at a time and split at every
 * point (every pair of points for short ones) with identical results;
 * context takeover and its absence, window sizes 8..15, the max_out cap
 * keeping the window in sync, corrupt data and recovery, BFINAL blocks and
 * a zeros bomb. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pmd.h"
#include "suites.h"

/* ---- the sink: collects (or only counts) what pmd hands out ---- */

struct sink {
	uint8_t *buf;           /* collected bytes (unless count_only) */
	size_t len, cap;
	uint64_t seen;          /* bytes handed out in all */
	bool count_only;        /* do not keep; just check for non-zero */
	bool nonzero;           /* count_only: some byte was not 0 */
	bool oom;
};

static void sink_fn(void *ctx, const uint8_t *data, size_t len)
{
	struct sink *k = ctx;

	k->seen += len;
	if (k->count_only) {
		for (size_t i = 0; i < len; i++)
			if (data[i])
				k->nonzero = true;
		return;
	}
	if (len > k->cap - k->len) {
		size_t nc = k->cap ? k->cap : 4096;
		while (len > nc - k->len)
			nc *= 2;
		uint8_t *nb = realloc(k->buf, nc);
		if (!nb) {
			k->oom = true;
			return;
		}
		k->buf = nb;
		k->cap = nc;
	}
	memcpy(k->buf + k->len, data, len);
	k->len += len;
}

static void sink_reset(struct sink *k)
{
	k->len = 0;
	k->seen = 0;
	k->nonzero = false;
}

static void sink_free(struct sink *k)
{
	free(k->buf);
	memset(k, 0, sizeof *k);
}

/* ---- the sender: zlib deflate per RFC 7692 §7.2.1 ---- */

struct zsend {
	z_stream z;
	bool takeover;          /* keep the window across messages */
	bool ok;                /* zlib never failed */
	uint8_t *out;           /* the message being built */
	size_t len, cap;
};

static void zs_init(struct zsend *s, int wbits, bool takeover, int level)
{
	memset(s, 0, sizeof *s);
	s->takeover = takeover;
	s->ok = deflateInit2(&s->z, level, Z_DEFLATED, -wbits, 8,
			     Z_DEFAULT_STRATEGY) == Z_OK;
}

static void zs_grow(struct zsend *s, size_t room)
{
	if (s->cap - s->len >= room)
		return;
	size_t nc = s->cap ? s->cap * 2 : 4096;
	while (nc - s->len < room)
		nc *= 2;
	uint8_t *nb = realloc(s->out, nc);
	if (!nb) {
		s->ok = false;
		return;
	}
	s->out = nb;
	s->cap = nc;
}

static void zs_put(struct zsend *s, const void *in, size_t n, int flush)
{
	s->z.next_in = (Bytef *)(uintptr_t)in;
	s->z.avail_in = (uInt)n;
	while (s->ok) {
		zs_grow(s, 256);
		if (!s->ok)
			return;
		s->z.next_out = s->out + s->len;
		s->z.avail_out = (uInt)(s->cap - s->len);
		int rc = deflate(&s->z, flush);
		s->len = s->cap - s->z.avail_out;
		if (rc == Z_STREAM_END)
			return;
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			s->ok = false;
			return;
		}
		if (s->z.avail_in == 0 && s->z.avail_out != 0)
			return;
	}
}

/* Ends a message: flushes (Z_SYNC_FLUSH, or Z_FINISH for a BFINAL block),
 * appends an empty stored block when the data does not end with one,
 * strips the 00 00 ff ff tail and hands the payload over (the caller
 * frees it).  RFC 7692 §7.2.1. */
static uint8_t *zs_end(struct zsend *s, bool final, size_t *n)
{
	static const uint8_t empty_stored[5] = { 0, 0, 0, 0xff, 0xff };
	uint8_t *m;

	zs_put(s, "", 0, final ? Z_FINISH : Z_SYNC_FLUSH);
	if (final) {
		/* Z_FINISH ends on a byte boundary; the empty stored block's
		 * header takes a whole byte (BFINAL 0, BTYPE 00, padding). */
		zs_grow(s, sizeof empty_stored);
		if (s->ok) {
			memcpy(s->out + s->len, empty_stored, sizeof empty_stored);
			s->len += sizeof empty_stored;
		}
		/* The deflate stream ended; the next message starts a new
		 * one (and so without the old window). */
		deflateReset(&s->z);
	} else if (!s->takeover) {
		deflateReset(&s->z);
	}
	CU_ASSERT_FATAL(s->ok);
	CU_ASSERT_FATAL(s->len >= 4);
	CU_ASSERT_FATAL(memcmp(s->out + s->len - 4, "\x00\x00\xff\xff", 4) == 0);
	m = s->out;
	*n = s->len - 4;
	s->out = NULL;
	s->len = s->cap = 0;
	return m;
}

static uint8_t *zs_msg(struct zsend *s, const void *in, size_t n, bool final,
		       size_t *out_n)
{
	zs_put(s, in, n, Z_NO_FLUSH);
	return zs_end(s, final, out_n);
}

static void zs_free(struct zsend *s)
{
	deflateEnd(&s->z);
	free(s->out);
}

/* ---- the runs: messages in pieces, results as a log line each ---- */

struct msg {
	const uint8_t *p;
	size_t n;
};

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

/* Appends one message's outcome to log: ok, truncated, total, the bytes
 * the sink saw (as text when short and printable, else length and hash),
 * and the error text when it failed. */
static void log_msg(char *log, size_t cap, struct pmd_stream *p, bool ok,
		    const struct sink *k)
{
	size_t l = strlen(log);
	int w;
	bool text = k->len <= 64;

	for (size_t i = 0; text && i < k->len; i++)
		if (k->buf[i] < 0x20 || k->buf[i] > 0x7e)
			text = false;
	if (text)
		w = snprintf(log + l, cap - l, "ok=%d tr=%d tot=%llu \"%.*s\"",
			     ok, pmd_truncated(p),
			     (unsigned long long)pmd_out_total(p), (int)k->len,
			     k->len ? (const char *)k->buf : "");
	else
		w = snprintf(log + l, cap - l,
			     "ok=%d tr=%d tot=%llu n=%zu fnv=%08x", ok,
			     pmd_truncated(p),
			     (unsigned long long)pmd_out_total(p), k->len,
			     fnv1a(k->buf, k->len));
	if (w < 0 || (size_t)w >= cap - l)
		return;
	l += (size_t)w;
	/* Only when something happened, so the plain lines stay short. */
	if (pmd_window_violation(p, NULL)) {
		uint64_t at;
		uint32_t d = pmd_window_violation(p, &at);
		w = snprintf(log + l, cap - l, " over=%u@%llu", d,
			     (unsigned long long)at);
		if (w < 0 || (size_t)w >= cap - l)
			return;
		l += (size_t)w;
	}
	if (pmd_cut(p) != PMD_CUT_NONE || pmd_skipped(p)) {
		w = snprintf(log + l, cap - l, " cut=%d sk=%d ds=%d",
			     (int)pmd_cut(p), pmd_skipped(p), pmd_desynced(p));
		if (w < 0 || (size_t)w >= cap - l)
			return;
		l += (size_t)w;
	}
	if (!ok)
		snprintf(log + l, cap - l, " err=%s kind=%d\n", pmd_error(p),
			 (int)pmd_error_kind(p));
	else
		snprintf(log + l, cap - l, "\n");
}

/* How a run cuts the messages: whole, byte by byte, or message `which`
 * cut at c1 and c2 (c1 <= c2; others whole). */
enum cut_mode { CUT_WHOLE, CUT_BYTES, CUT_AT };

struct cut {
	enum cut_mode mode;
	size_t which, c1, c2;
};

/* The guard run() sets on its inflaters (pmd's defaults unless a test
 * changes it and puts it back). */
static struct {
	uint64_t ratio, ratio_min, budget;
} guard = { PMD_RATIO_DEFAULT, PMD_RATIO_MIN_DEFAULT, PMD_BUDGET_DEFAULT };

static void guard_default(void)
{
	guard.ratio = PMD_RATIO_DEFAULT;
	guard.ratio_min = PMD_RATIO_MIN_DEFAULT;
	guard.budget = PMD_BUDGET_DEFAULT;
}

/* Inflates msgs with a fresh inflater; writes the log. */
static void run(int wbits, bool nct, uint64_t max_out, const struct msg *msgs,
		size_t nmsg, const struct cut *c, char *log, size_t cap)
{
	struct pmd_stream *p = pmd_new(wbits, nct);
	struct sink k = { 0 };

	log[0] = '\0';
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	pmd_set_guard(p, guard.ratio, guard.ratio_min, guard.budget);
	for (size_t m = 0; m < nmsg; m++) {
		const uint8_t *d = msgs[m].p;
		size_t n = msgs[m].n;
		bool ok = true;

		sink_reset(&k);
		pmd_begin(p, max_out);
		if (c->mode == CUT_BYTES) {
			for (size_t i = 0; i < n; i++)
				if (!pmd_feed(p, d + i, 1, sink_fn, &k))
					ok = false;
		} else if (c->mode == CUT_AT && c->which == m) {
			size_t c2 = c->c2 < n ? c->c2 : n;
			size_t c1 = c->c1 < c2 ? c->c1 : c2;
			if (!pmd_feed(p, d, c1, sink_fn, &k))
				ok = false;
			if (!pmd_feed(p, d + c1, c2 - c1, sink_fn, &k))
				ok = false;
			if (!pmd_feed(p, d + c2, n - c2, sink_fn, &k))
				ok = false;
		} else {
			if (!pmd_feed(p, d, n, sink_fn, &k))
				ok = false;
		}
		if (!pmd_end(p, sink_fn, &k))
			ok = false;
		CU_ASSERT(!k.oom);
		/* The sink never sees more than the cap nor more than the
		 * total. */
		CU_ASSERT(k.seen <= max_out);
		CU_ASSERT(k.seen <= pmd_out_total(p));
		CU_ASSERT_EQUAL(pmd_truncated(p), pmd_out_total(p) > k.seen ||
				pmd_desynced(p));
		log_msg(log, cap, p, ok, &k);
	}
	pmd_free(p);
	sink_free(&k);
}

#define LOGCAP 4096

/* Runs whole, byte by byte and with every cut (every `step`-th single cut
 * point of each message; every pair of cut points when `pairs`), and
 * compares each log with `want`. */
static void check_splits(int wbits, bool nct, uint64_t max_out,
			 const struct msg *msgs, size_t nmsg, const char *want,
			 size_t step, bool pairs)
{
	static char got[LOGCAP];
	struct cut c = { CUT_WHOLE, 0, 0, 0 };
	unsigned bad = 0;

	run(wbits, nct, max_out, msgs, nmsg, &c, got, sizeof got);
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\nwhole: got\n%swant\n%s", got, want);
	c.mode = CUT_BYTES;
	run(wbits, nct, max_out, msgs, nmsg, &c, got, sizeof got);
	CU_ASSERT_STRING_EQUAL(got, want);
	c.mode = CUT_AT;
	for (size_t m = 0; m < nmsg; m++) {
		c.which = m;
		for (size_t i = 0; i <= msgs[m].n; i += step) {
			for (size_t j = pairs ? i : msgs[m].n;
			     j <= msgs[m].n; j++) {
				c.c1 = i;
				c.c2 = j;
				run(wbits, nct, max_out, msgs, nmsg, &c, got,
				    sizeof got);
				if (strcmp(got, want) != 0 && bad++ == 0)
					fprintf(stderr,
						"\nmsg %zu cut %zu,%zu: got\n%s"
						"want\n%s", m, i, j, got, want);
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* Deterministic test data: words from a small vocabulary (compressible,
 * with matches at all distances) or pseudo-random bytes (matches only
 * where the data repeats). */
static uint32_t lcg(uint32_t *st)
{
	*st = *st * 1103515245u + 12345u;
	return *st >> 8;
}

static void gen_words(uint8_t *b, size_t n, uint32_t seed)
{
	static const char *const words[] = {
		"alpha ", "bravo ", "charlie ", "delta ", "echo ", "foxtrot ",
		"golf ", "hotel ", "india ", "juliett ", "kilo ", "lima ",
		"mike ", "november ", "oscar ", "papa ", "{\"id\":", "},\n",
	};
	size_t i = 0;

	while (i < n) {
		const char *w = words[lcg(&seed) % (sizeof words / sizeof *words)];
		size_t wl = strlen(w);
		if (wl > n - i)
			wl = n - i;
		memcpy(b + i, w, wl);
		i += wl;
	}
}

static void gen_random(uint8_t *b, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)lcg(&seed);
}

/* ---- the tests ---- */

#define M(arr) { (arr), sizeof(arr) }

/* RFC 7692 §7.2.3.1: "Hello" in one compressed block. */
static const uint8_t rfc_hello[] = { 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00 };
/* §7.2.3.2: the second "Hello" refers back into the first one's window. */
static const uint8_t rfc_hello2[] = { 0xf2, 0x00, 0x11, 0x00, 0x00 };
/* §7.2.3.3: a stored (uncompressed) block. */
static const uint8_t rfc_stored[] = { 0x00, 0x05, 0x00, 0xfa, 0xff, 0x48,
				      0x65, 0x6c, 0x6c, 0x6f, 0x00 };
/* §7.2.3.4: a BFINAL block, then the header byte of an empty stored
 * block whose rest the sender stripped. */
static const uint8_t rfc_bfinal[] = { 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07,
				      0x00, 0x00 };
/* §7.2.3.5: two blocks in one message ("He" flushed, then "llo"). */
static const uint8_t rfc_two_blocks[] = { 0xf2, 0x48, 0x05, 0x00, 0x00, 0x00,
					  0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07,
					  0x00 };

static void test_rfc_examples(void)
{
	const struct msg one[] = { M(rfc_hello) };
	const struct msg takeover[] = { M(rfc_hello), M(rfc_hello2) };
	const struct msg stored[] = { M(rfc_stored), M(rfc_hello) };
	const struct msg bfinal[] = { M(rfc_bfinal), M(rfc_hello),
				      M(rfc_bfinal) };
	const struct msg two[] = { M(rfc_two_blocks), M(rfc_hello2) };

	check_splits(15, false, 1000, one, 1, "ok=1 tr=0 tot=5 \"Hello\"\n", 1,
		     true);
	check_splits(15, false, 1000, takeover, 2,
		     "ok=1 tr=0 tot=5 \"Hello\"\nok=1 tr=0 tot=5 \"Hello\"\n",
		     1, true);
	check_splits(15, false, 1000, stored, 2,
		     "ok=1 tr=0 tot=5 \"Hello\"\nok=1 tr=0 tot=5 \"Hello\"\n",
		     1, true);
	/* After a BFINAL block the next message starts a fresh stream. */
	check_splits(15, false, 1000, bfinal, 3,
		     "ok=1 tr=0 tot=5 \"Hello\"\nok=1 tr=0 tot=5 \"Hello\"\n"
		     "ok=1 tr=0 tot=5 \"Hello\"\n", 1, true);
	/* The second block's "llo" refers back into the first's "He"
	 * (distance 1 for the second l); the following message's back
	 * reference reaches the whole "Hello". */
	check_splits(15, false, 1000, two, 2,
		     "ok=1 tr=0 tot=5 \"Hello\"\nok=1 tr=0 tot=5 \"Hello\"\n",
		     1, true);
	/* Each of these is self-contained, so it inflates without context
	 * takeover too, message after message. */
	const struct msg alone[] = { M(rfc_hello), M(rfc_stored),
				     M(rfc_two_blocks), M(rfc_hello) };
	check_splits(15, true, 1000, alone, 4,
		     "ok=1 tr=0 tot=5 \"Hello\"\nok=1 tr=0 tot=5 \"Hello\"\n"
		     "ok=1 tr=0 tot=5 \"Hello\"\nok=1 tr=0 tot=5 \"Hello\"\n",
		     1, true);
}

/* §7.2.3.2's second message needs the first's window: with
 * no_context_takeover the inflater resets and the back reference points
 * before the start of the (empty) window, so it must fail; with takeover
 * it must give "Hello". */
static void test_no_context_takeover_rfc(void)
{
	struct pmd_stream *p = pmd_new(15, true);
	struct sink k = { 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	pmd_begin(p, 100);
	CU_ASSERT_TRUE(pmd_feed(p, rfc_hello, sizeof rfc_hello, sink_fn, &k));
	CU_ASSERT_TRUE(pmd_end(p, sink_fn, &k));
	CU_ASSERT_EQUAL(k.len, 5);
	CU_ASSERT_STRING_EQUAL(pmd_error(p), "no error");
	sink_reset(&k);
	pmd_begin(p, 100);
	bool ok = pmd_feed(p, rfc_hello2, sizeof rfc_hello2, sink_fn, &k);
	ok = pmd_end(p, sink_fn, &k) && ok;
	CU_ASSERT_FALSE(ok);
	/* Only the leading literal "H" can come out. */
	CU_ASSERT(k.len < 5);
	CU_ASSERT(strlen(pmd_error(p)) > 0);
	CU_ASSERT(strcmp(pmd_error(p), "no error") != 0);
	/* And the next self-contained message is fine again. */
	sink_reset(&k);
	pmd_begin(p, 100);
	CU_ASSERT_TRUE(pmd_feed(p, rfc_hello, sizeof rfc_hello, sink_fn, &k));
	CU_ASSERT_TRUE(pmd_end(p, sink_fn, &k));
	CU_ASSERT_EQUAL(k.len, 5);
	CU_ASSERT(k.len == 5 && memcmp(k.buf, "Hello", 5) == 0);
	pmd_free(p);
	sink_free(&k);
}

/* Messages made with zlib, with and without context takeover, checked
 * against the original data under every split point. */
static void test_zlib_messages(void)
{
	static uint8_t data[3][700];
	struct msg msgs[3];
	char want[LOGCAP];

	gen_words(data[0], sizeof data[0], 1);
	memcpy(data[1], data[0], sizeof data[1]); /* all back references */
	gen_words(data[2], sizeof data[2], 2);
	for (int takeover = 0; takeover < 2; takeover++) {
		struct zsend zs;
		zs_init(&zs, 15, takeover, 6);
		CU_ASSERT_FATAL(zs.ok);
		for (int i = 0; i < 3; i++)
			msgs[i].p = zs_msg(&zs, data[i], sizeof data[i], false,
					   &msgs[i].n);
		zs_free(&zs);
		/* With takeover the repeated message is nearly free; without
		 * it costs what the first did. */
		if (takeover) {
			CU_ASSERT(msgs[1].n < 20);
		} else {
			CU_ASSERT(msgs[1].n == msgs[0].n);
		}
		/* What every run must log. */
		size_t l = 0;
		for (int i = 0; i < 3; i++)
			l += (size_t)snprintf(want + l, sizeof want - l,
					      "ok=1 tr=0 tot=700 n=700 "
					      "fnv=%08x\n",
					      fnv1a(data[i], sizeof data[i]));
		/* A takeover inflater reads both kinds of sender. */
		check_splits(15, false, 10000, msgs, 3, want, 1, false);
		/* A no_context_takeover inflater only the resetting one. */
		if (!takeover) {
			check_splits(15, true, 10000, msgs, 3, want, 1, false);
		} else {
			struct cut c = { CUT_WHOLE, 0, 0, 0 };
			char got[LOGCAP];
			run(15, true, 10000, msgs, 3, &c, got, sizeof got);
			/* The first line matches; the second (all back
			 * references) fails. */
			char *nl = strchr(want, '\n');
			CU_ASSERT_FATAL(nl != NULL);
			CU_ASSERT(strncmp(got, want, (size_t)(nl - want + 1)) == 0);
			char *second = strchr(got, '\n');
			CU_ASSERT_FATAL(second != NULL);
			CU_ASSERT(strncmp(second + 1, "ok=0 ", 5) == 0);
		}
		for (int i = 0; i < 3; i++)
			free((void *)(uintptr_t)msgs[i].p);
	}
}

/* Window sizes 8..15: data that repeats just inside the window, cut into
 * messages so each refers back into the previous one.  zlib's raw deflate
 * refuses an 8-bit window, so 8 is sent with 9; zlib's matches reach at
 * most w_size - 262 bytes back (250 for 9 bits), which an 8-bit inflater
 * holds: this is why zlib-based senders interoperate when 8 is
 * negotiated. */
static void test_window_bits(void)
{
	for (int wb = 8; wb <= 15; wb++) {
		int sw = wb < 9 ? 9 : wb;
		size_t blk = ((size_t)1 << sw) - 300;
		uint8_t *b = malloc(blk);
		struct zsend zs;
		struct msg msgs[3];
		char want[LOGCAP];
		size_t l = 0;

		CU_ASSERT_FATAL(b != NULL);
		gen_random(b, blk, (uint32_t)wb);
		zs_init(&zs, sw, true, 9);
		CU_ASSERT_FATAL(zs.ok);
		for (int i = 0; i < 3; i++) {
			msgs[i].p = zs_msg(&zs, b, blk, false, &msgs[i].n);
			l += (size_t)snprintf(want + l, sizeof want - l,
					      "ok=1 tr=0 tot=%zu n=%zu fnv=%08x\n",
					      blk, blk, fnv1a(b, blk));
		}
		zs_free(&zs);
		/* Random bytes do not compress: a short repeat proves the
		 * back reference at distance blk was used. */
		CU_ASSERT(msgs[0].n > blk);
		/* A match is at most 258 bytes long (RFC 1951 §3.2.5), a few
		 * bytes each. */
		CU_ASSERT(msgs[1].n < blk / 40 + 16);
		check_splits(wb, false, 1u << 20, msgs, 3, want,
			     msgs[0].n / 7 + 1, false);
		for (int i = 0; i < 3; i++)
			free((void *)(uintptr_t)msgs[i].p);
		free(b);
	}
}

/* An inflater with a smaller window than the sender used must notice
 * back references beyond it (so the negotiated size is honoured), the
 * same way under every split. */
static void test_window_too_small(void)
{
	const size_t blk = 20000;
	uint8_t *b = malloc(blk);
	struct zsend zs;
	struct msg msgs[2];

	CU_ASSERT_FATAL(b != NULL);
	gen_random(b, blk, 77);
	zs_init(&zs, 15, true, 9);
	CU_ASSERT_FATAL(zs.ok);
	for (int i = 0; i < 2; i++)
		msgs[i].p = zs_msg(&zs, b, blk, false, &msgs[i].n);
	zs_free(&zs);
	CU_ASSERT(msgs[1].n < blk / 40 + 16);
	for (int wb = 9; wb <= 15; wb++) {
		struct cut c = { CUT_WHOLE, 0, 0, 0 };
		char got[LOGCAP];

		run(wb, false, 1u << 20, msgs, 2, &c, got, sizeof got);
		char *second = strchr(got, '\n');
		CU_ASSERT_FATAL(second != NULL);
		CU_ASSERT(strncmp(got, "ok=1 tr=0 tot=20000 ", 20) == 0);
		/* 2^14 = 16384 < 20000 <= 2^15: the message inflates (the
		 * bytes are there) and the reference is reported, at the
		 * message's second byte (zlib's lazy match emits one
		 * literal first). */
		if (wb < 15) {
			CU_ASSERT(strncmp(second + 1, "ok=1 tr=0 tot=20000 ",
					  20) == 0);
			CU_ASSERT_PTR_NOT_NULL(strstr(second, " over=20000@1\n"));
			check_splits(wb, false, 1u << 20, msgs, 2, got,
				     msgs[0].n / 9 + 1, false);
		} else {
			CU_ASSERT(strncmp(second + 1, "ok=1 tr=0 tot=20000 ",
					  20) == 0);
		}
	}
	for (int i = 0; i < 2; i++)
		free((void *)(uintptr_t)msgs[i].p);
	free(b);
}

/* max_out: a 1 MB message with a 1000-byte cap hands out exactly the first
 * 1000 bytes, counts all of them, and the next message, which refers back
 * into the cut part, still inflates right. */
static void test_max_out(void)
{
	const size_t big = 1u << 20;
	uint8_t *d = malloc(big);
	struct zsend zs;
	struct msg msgs[3];
	char want[LOGCAP];

	CU_ASSERT_FATAL(d != NULL);
	gen_words(d, big, 9);
	zs_init(&zs, 15, true, 6);
	CU_ASSERT_FATAL(zs.ok);
	msgs[0].p = zs_msg(&zs, d, big, false, &msgs[0].n);
	/* The last 4000 bytes again: one back reference into the part of
	 * the first message beyond the cap. */
	msgs[1].p = zs_msg(&zs, d + big - 4000, 4000, false, &msgs[1].n);
	msgs[2].p = zs_msg(&zs, d + 5000, 1000, false, &msgs[2].n);
	zs_free(&zs);
	CU_ASSERT(msgs[1].n < 64);

	/* Directly: the sink's bytes are the data's first 1000. */
	struct pmd_stream *p = pmd_new(15, false);
	struct sink k = { 0 };
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	pmd_begin(p, 1000);
	CU_ASSERT_TRUE(pmd_feed(p, msgs[0].p, msgs[0].n, sink_fn, &k));
	CU_ASSERT_TRUE(pmd_end(p, sink_fn, &k));
	CU_ASSERT_EQUAL(k.len, 1000);
	CU_ASSERT(k.len == 1000 && memcmp(k.buf, d, 1000) == 0);
	CU_ASSERT_TRUE(pmd_truncated(p));
	CU_ASSERT_EQUAL(pmd_out_total(p), big);
	sink_reset(&k);
	pmd_begin(p, 1000000);
	CU_ASSERT_TRUE(pmd_feed(p, msgs[1].p, msgs[1].n, sink_fn, &k));
	CU_ASSERT_TRUE(pmd_end(p, sink_fn, &k));
	CU_ASSERT_FALSE(pmd_truncated(p));
	CU_ASSERT_EQUAL(pmd_out_total(p), 4000);
	CU_ASSERT(k.len == 4000 && memcmp(k.buf, d + big - 4000, 4000) == 0);
	/* The cap exactly at the size does not truncate; one less does;
	 * 0 hands out nothing. */
	sink_reset(&k);
	pmd_begin(p, 1000);
	CU_ASSERT_TRUE(pmd_feed(p, msgs[2].p, msgs[2].n, sink_fn, &k));
	CU_ASSERT_TRUE(pmd_end(p, sink_fn, &k));
	CU_ASSERT_FALSE(pmd_truncated(p));
	CU_ASSERT(k.len == 1000 && memcmp(k.buf, d + 5000, 1000) == 0);
	pmd_free(p);

	/* Under every cut (every 97th point of the big one), and with the
	 * caps 999 and 0 on the last. */
	size_t l = (size_t)snprintf(want, sizeof want,
				    "ok=1 tr=1 tot=%zu n=1000 fnv=%08x "
				    "cut=1 sk=0 ds=0\n", big, fnv1a(d, 1000));
	l += (size_t)snprintf(want + l, sizeof want - l,
			      "ok=1 tr=1 tot=4000 n=1000 fnv=%08x "
			      "cut=1 sk=0 ds=0\n",
			      fnv1a(d + big - 4000, 1000));
	snprintf(want + l, sizeof want - l,
		 "ok=1 tr=0 tot=1000 n=1000 fnv=%08x\n", fnv1a(d + 5000, 1000));
	check_splits(15, false, 1000, msgs, 3, want, 97, false);
	struct cut c = { CUT_WHOLE, 0, 0, 0 };
	char got[LOGCAP];
	run(15, false, 999, msgs, 3, &c, got, sizeof got);
	char *third = strchr(got, '\n');
	third = third ? strchr(third + 1, '\n') : NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(third);
	third++;
	char w3[200];
	snprintf(w3, sizeof w3, "ok=1 tr=1 tot=1000 n=999 fnv=%08x "
		 "cut=1 sk=0 ds=0\n", fnv1a(d + 5000, 999));
	CU_ASSERT_STRING_EQUAL(third, w3);
	run(15, false, 0, msgs, 3, &c, got, sizeof got);
	snprintf(w3, sizeof w3,
		 "ok=1 tr=1 tot=%zu \"\" cut=1 sk=0 ds=0\n"
		 "ok=1 tr=1 tot=4000 \"\" cut=1 sk=0 ds=0\n"
		 "ok=1 tr=1 tot=1000 \"\" cut=1 sk=0 ds=0\n", big);
	CU_ASSERT_STRING_EQUAL(got, w3);

	for (int i = 0; i < 3; i++)
		free((void *)(uintptr_t)msgs[i].p);
	sink_free(&k);
	free(d);
}

/* Corrupt data: feed or end fails with a reason, later pieces of the
 * message are refused, and the next message (after pmd_begin) inflates
 * again, with or without context takeover. */
static void test_corrupt(void)
{
	/* BFINAL 1, BTYPE 11: a reserved block type. */
	static const uint8_t bad_type[] = { 0xff, 0xff, 0xff };
	/* A stored block whose NLEN (from the appended tail) is not the
	 * complement of LEN: only pmd_end can see it. */
	static const uint8_t bad_nlen[] = { 0x00, 0x05, 0x00 };
	/* "Hello", a sync flush, then a reserved block type: the "Hello"
	 * comes out whatever the split. */
	static const uint8_t hello_then_bad[] = {
		0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, 0x00, 0xff,
		0xff, 0xff, 0xff,
	};

	for (int nct = 0; nct < 2; nct++) {
		struct pmd_stream *p = pmd_new(15, nct);
		struct sink k = { 0 };

		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		pmd_begin(p, 100);
		CU_ASSERT_FALSE(pmd_feed(p, bad_type, sizeof bad_type, sink_fn,
					 &k));
		CU_ASSERT(strcmp(pmd_error(p), "no error") != 0 &&
			  pmd_error(p)[0] != '\0');
		/* Further pieces are refused; the end fails too. */
		CU_ASSERT_FALSE(pmd_feed(p, rfc_hello, sizeof rfc_hello,
					 sink_fn, &k));
		CU_ASSERT_FALSE(pmd_end(p, sink_fn, &k));
		CU_ASSERT_EQUAL(k.len, 0);

		pmd_begin(p, 100);
		CU_ASSERT_STRING_EQUAL(pmd_error(p), "no error");
		CU_ASSERT_TRUE(pmd_feed(p, rfc_hello, sizeof rfc_hello,
					sink_fn, &k));
		CU_ASSERT_TRUE(pmd_end(p, sink_fn, &k));
		CU_ASSERT(k.len == 5 && memcmp(k.buf, "Hello", 5) == 0);

		sink_reset(&k);
		pmd_begin(p, 100);
		CU_ASSERT_TRUE(pmd_feed(p, bad_nlen, sizeof bad_nlen, sink_fn,
					&k));
		CU_ASSERT_FALSE(pmd_end(p, sink_fn, &k));
		CU_ASSERT(strcmp(pmd_error(p), "no error") != 0);
		CU_ASSERT_EQUAL(k.len, 0);

		sink_reset(&k);
		pmd_begin(p, 100);
		CU_ASSERT_TRUE(pmd_feed(p, rfc_stored, sizeof rfc_stored,
					sink_fn, &k));
		CU_ASSERT_TRUE(pmd_end(p, sink_fn, &k));
		CU_ASSERT(k.len == 5 && memcmp(k.buf, "Hello", 5) == 0);
		pmd_free(p);
		sink_free(&k);
	}

	/* The same under every pair of cut points, as a sequence: the
	 * error text is part of the log, so it must not depend on the
	 * split either. */
	const struct msg seq[] = { M(hello_then_bad), M(rfc_hello),
				   M(bad_nlen), M(rfc_stored) };
	char want[LOGCAP];
	struct cut c = { CUT_WHOLE, 0, 0, 0 };
	run(15, false, 100, seq, 4, &c, want, sizeof want);
	CU_ASSERT(strncmp(want, "ok=0 tr=0 tot=5 \"Hello\" err=", 28) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(want, "\nok=1 tr=0 tot=5 \"Hello\"\n"
					    "ok=0 tr=0 tot=0 \"\" err="));
	CU_ASSERT(strlen(want) > 24 &&
		  strcmp(want + strlen(want) - 25,
			 "\nok=1 tr=0 tot=5 \"Hello\"\n") == 0);
	check_splits(15, false, 100, seq, 4, want, 1, true);
}

/* BFINAL messages made by zlib's Z_FINISH (plus the empty stored block's
 * first byte, §7.2.1), mixed with sync-flushed ones. */
static void test_bfinal(void)
{
	static const char a[] = "first message, ended with a BFINAL block";
	static const char b[] = "second message, sync flushed, second message";
	static const char c2[] = "third message refers to the second message";
	struct zsend zs;
	struct msg msgs[4];
	char want[LOGCAP];

	zs_init(&zs, 15, true, 6);
	CU_ASSERT_FATAL(zs.ok);
	msgs[0].p = zs_msg(&zs, a, sizeof a - 1, true, &msgs[0].n);
	msgs[1].p = zs_msg(&zs, b, sizeof b - 1, false, &msgs[1].n);
	msgs[2].p = zs_msg(&zs, c2, sizeof c2 - 1, false, &msgs[2].n);
	msgs[3].p = zs_msg(&zs, a, sizeof a - 1, true, &msgs[3].n);
	zs_free(&zs);
	/* The first byte's BFINAL bit is set. */
	CU_ASSERT(msgs[0].n > 0 && (msgs[0].p[0] & 1) == 1);
	snprintf(want, sizeof want,
		 "ok=1 tr=0 tot=%zu \"%s\"\nok=1 tr=0 tot=%zu \"%s\"\n"
		 "ok=1 tr=0 tot=%zu \"%s\"\nok=1 tr=0 tot=%zu \"%s\"\n",
		 sizeof a - 1, a, sizeof b - 1, b, sizeof c2 - 1, c2,
		 sizeof a - 1, a);
	check_splits(15, false, 1000, msgs, 4, want, 1, false);
	for (int i = 0; i < 4; i++)
		free((void *)(uintptr_t)msgs[i].p);
}

/* n bytes of zeros deflated as one message (level 9: about 1030:1),
 * then the messages in `more`, from the same sender. */
static void make_bomb(bool takeover, uint64_t n, struct msg *msgs,
		      const struct msg *more, size_t nmore)
{
	const size_t chunk = 1u << 20;
	uint8_t *zeros = calloc(1, chunk);
	struct zsend zs;

	CU_ASSERT_FATAL(zeros != NULL);
	zs_init(&zs, 15, takeover, 9);
	CU_ASSERT_FATAL(zs.ok);
	for (uint64_t done = 0; done < n; done += chunk)
		zs_put(&zs, zeros, n - done < chunk ? n - done : chunk,
		       Z_NO_FLUSH);
	msgs[0].p = zs_end(&zs, false, &msgs[0].n);
	for (size_t i = 0; i < nmore; i++)
		msgs[1 + i].p = zs_msg(&zs, more[i].p, more[i].n, false,
				       &msgs[1 + i].n);
	zs_free(&zs);
	free(zeros);
}

static void free_msgs(struct msg *msgs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((void *)(uintptr_t)msgs[i].p);
}

/* ~100 KB of deflate expanding to 100 MiB of zeros.  The ratio guard cuts
 * it after 1 MiB; with context takeover the rest is inflated into the
 * discard buffer (the total is counted) and the next message, "Hello",
 * inflates.  With the guard off, --max-inflate (16 MiB) cuts it. */
static void test_bomb(void)
{
	const uint64_t total = 100ull << 20;
	const struct msg hello = { (const uint8_t *)"Hello", 5 };
	struct msg msgs[2];

	make_bomb(true, total, msgs, &hello, 1);
	CU_ASSERT(msgs[0].n < 200000);
	CU_ASSERT(msgs[0].n > 90000);

	for (int guard_on = 1; guard_on >= 0; guard_on--) {
		struct pmd_stream *p = pmd_new(15, false);
		struct sink k = { 0 };

		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		if (!guard_on)
			pmd_set_guard(p, 0, 0, PMD_BUDGET_DEFAULT);
		k.count_only = true;
		pmd_begin(p, 16u << 20);
		CU_ASSERT_TRUE(pmd_feed(p, msgs[0].p, msgs[0].n, sink_fn, &k));
		CU_ASSERT_TRUE(pmd_end(p, sink_fn, &k));
		CU_ASSERT_EQUAL(k.seen, guard_on ? 1u << 20 : 16u << 20);
		CU_ASSERT_FALSE(k.nonzero);
		CU_ASSERT_TRUE(pmd_truncated(p));
		CU_ASSERT_EQUAL(pmd_cut(p), guard_on ? PMD_CUT_RATIO :
						       PMD_CUT_CAP);
		CU_ASSERT_FALSE(pmd_skipped(p));
		CU_ASSERT_FALSE(pmd_desynced(p));
		CU_ASSERT_EQUAL(pmd_out_total(p), total);
		/* All of the input was consumed (and the tail). */
		CU_ASSERT_EQUAL(pmd_in_total(p), msgs[0].n + 4);
		k.count_only = false;
		sink_reset(&k);
		pmd_begin(p, 16u << 20);
		CU_ASSERT_TRUE(pmd_feed(p, msgs[1].p, msgs[1].n, sink_fn, &k));
		CU_ASSERT_TRUE(pmd_end(p, sink_fn, &k));
		CU_ASSERT(k.len == 5 && memcmp(k.buf, "Hello", 5) == 0);
		CU_ASSERT_FALSE(pmd_truncated(p));
		CU_ASSERT_EQUAL(pmd_cut(p), PMD_CUT_NONE);
		pmd_free(p);
		sink_free(&k);
	}
	free_msgs(msgs, 2);
}

/* The guard's cut under every split: a 4 MiB zeros bomb with the guard
 * at 64 KiB, then a message that refers back into the bomb's window (more
 * zeros) and one that does not.  With takeover the rest of the bomb is
 * inflated (counted, discarded) and both follow-ups decode; without it the
 * rest is skipped at the next 16 KB boundary and the total is a lower
 * bound, the same under every split. */
static void test_guard_splits(void)
{
	static uint8_t zeros[3000];
	static uint8_t words[2000];
	struct msg more[2] = { { zeros, sizeof zeros }, { words, sizeof words } };
	char want[LOGCAP];

	gen_words(words, sizeof words, 5);
	guard.ratio_min = 64u << 10;
	for (int takeover = 1; takeover >= 0; takeover--) {
		struct msg msgs[3];
		struct cut c = { CUT_WHOLE, 0, 0, 0 };

		make_bomb(takeover, 4u << 20, msgs, more, 2);
		run(15, !takeover, 1u << 20, msgs, 3, &c, want, sizeof want);
		/* cut=2: the ratio guard.  The block header costs input, so
		 * zeros pass 1000:1 only at 512 KiB (first 16 KB boundary
		 * past 64 KiB where it holds). */
		CU_ASSERT(strncmp(want, "ok=1 tr=1 tot=", 14) == 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(want, takeover ?
			" cut=2 sk=0 ds=0\n" : " cut=2 sk=1 ds=0\n"));
		if (takeover) {
			CU_ASSERT(strncmp(want, "ok=1 tr=1 tot=4194304 n=524288 ",
					  31) == 0);
		} else {
			/* Skipped one chunk after the cut. */
			CU_ASSERT(strncmp(want, "ok=1 tr=1 tot=540672 n=524288 ",
					  30) == 0);
		}
		char tail[400];
		snprintf(tail, sizeof tail,
			 "ok=1 tr=0 tot=3000 n=3000 fnv=%08x\n"
			 "ok=1 tr=0 tot=2000 n=2000 fnv=%08x\n",
			 fnv1a(zeros, sizeof zeros), fnv1a(words, sizeof words));
		char *nl = strchr(want, '\n');
		CU_ASSERT_FATAL(nl != NULL);
		CU_ASSERT_STRING_EQUAL(nl + 1, tail);
		check_splits(15, !takeover, 1u << 20, msgs, 3, want,
			     msgs[0].n / 11 + 1, false);
		free_msgs(msgs, 3);
	}
	guard_default();
}

/* The budget: with takeover a 12 MiB bomb is inflated into the discard
 * buffer only up to the budget (4 MiB here), then skipped: the window is
 * lost.  The next message, which refers back into it, fails as "history
 * lost" (no output guessed); a message of new data decodes, and once a
 * window's worth (32 KiB) of it has come out, references work again. */
static void test_budget_desync(void)
{
	static uint8_t zeros[1000];
	static uint8_t fresh[40000];
	struct msg more[3] = {
		{ zeros, sizeof zeros },
		{ fresh, sizeof fresh },
		{ fresh + 30000, 5000 },  /* refers back into `fresh` */
	};
	struct msg msgs[4];
	char want[LOGCAP];
	struct cut c = { CUT_WHOLE, 0, 0, 0 };

	gen_random(fresh, sizeof fresh, 31);
	make_bomb(true, 12u << 20, msgs, more, 3);
	guard.ratio = 0;            /* only the cap and the budget */
	guard.budget = 4u << 20;
	run(15, false, 1u << 20, msgs, 4, &c, want, sizeof want);
	/* Stopped at the first 16 KB boundary past the budget. */
	CU_ASSERT(strncmp(want, "ok=1 tr=1 tot=4210688 n=1048576 ", 32) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(want, " cut=1 sk=1 ds=1\n"));
	char *l2 = strchr(want, '\n');
	CU_ASSERT_FATAL(l2 != NULL);
	/* kind 3: PMD_ERR_HISTORY. */
	CU_ASSERT(strncmp(l2 + 1, "ok=0 tr=0 tot=", 14) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(l2, "err=invalid distance too far back "
					  "kind=3\n"));
	char tail[300];
	snprintf(tail, sizeof tail, "ok=1 tr=0 tot=40000 n=40000 fnv=%08x\n"
		 "ok=1 tr=0 tot=5000 n=5000 fnv=%08x\n",
		 fnv1a(fresh, sizeof fresh), fnv1a(fresh + 30000, 5000));
	CU_ASSERT(strlen(want) > strlen(tail) &&
		  strcmp(want + strlen(want) - strlen(tail), tail) == 0);
	check_splits(15, false, 1u << 20, msgs, 4, want, msgs[0].n / 5 + 1,
		     false);

	/* Directly: the flags a caller reads. */
	struct pmd_stream *p = pmd_new(15, false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	pmd_set_guard(p, 0, 0, 4u << 20);
	pmd_begin(p, 1u << 20);
	CU_ASSERT_TRUE(pmd_feed(p, msgs[0].p, msgs[0].n, NULL, NULL));
	CU_ASSERT_TRUE(pmd_end(p, NULL, NULL));
	CU_ASSERT_TRUE(pmd_desynced(p));
	CU_ASSERT_TRUE(pmd_skipped(p));
	CU_ASSERT_TRUE(pmd_truncated(p));
	CU_ASSERT_EQUAL(pmd_budget(p), 4u << 20);
	pmd_begin(p, 1u << 20);
	CU_ASSERT_TRUE(pmd_history_lost(p));
	CU_ASSERT_FALSE(pmd_desynced(p));
	CU_ASSERT_FALSE(pmd_feed(p, msgs[1].p, msgs[1].n, NULL, NULL) &&
			pmd_end(p, NULL, NULL));
	CU_ASSERT_EQUAL(pmd_error_kind(p), PMD_ERR_HISTORY);
	pmd_begin(p, 1u << 20);
	CU_ASSERT_TRUE(pmd_feed(p, msgs[2].p, msgs[2].n, NULL, NULL));
	CU_ASSERT_TRUE(pmd_end(p, NULL, NULL));
	CU_ASSERT_FALSE(pmd_history_lost(p));
	pmd_free(p);
	guard_default();
	free_msgs(msgs, 4);
}

/* Which error: a reference past the negotiated window (reported by
 * pmd_window_violation, the message still inflates: 300 bytes back is
 * beyond an 8-bit window, inside a 9-bit one), before the message's start
 * under no_context_takeover (PMD_ERR_DISTANCE), corrupt data
 * (PMD_ERR_DATA), and a reference into a lost window (PMD_ERR_HISTORY). */
static void test_error_kinds(void)
{
	static uint8_t b[300];
	struct zsend zs;
	struct msg msgs[2];
	static const uint8_t bad_type[] = { 0xff, 0xff, 0xff };

	gen_random(b, sizeof b, 8);
	/* 10 bits: zlib's matches reach w_size - 262 = 762 bytes back. */
	zs_init(&zs, 10, true, 9);
	CU_ASSERT_FATAL(zs.ok);
	for (int i = 0; i < 2; i++)
		msgs[i].p = zs_msg(&zs, b, sizeof b, false, &msgs[i].n);
	zs_free(&zs);
	for (int wb = 8; wb <= 9; wb++) {
		struct pmd_stream *p = pmd_new(wb, false);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_EQUAL(pmd_window_bits(p), wb);
		bool ok = true;
		for (int i = 0; i < 2; i++) {
			pmd_begin(p, 1000);
			ok = pmd_feed(p, msgs[i].p, msgs[i].n, NULL, NULL) &&
			     pmd_end(p, NULL, NULL) && ok;
		}
		uint64_t at = 1;
		CU_ASSERT_TRUE(ok);
		CU_ASSERT_EQUAL(pmd_error_kind(p), PMD_ERR_NONE);
		CU_ASSERT_EQUAL(pmd_window_violation(p, &at),
				wb == 9 ? 0u : 300u);
		CU_ASSERT_EQUAL(at, wb == 9 ? 0u : 1u);
		pmd_free(p);
	}
	/* no_context_takeover, but the sender referred back. */
	struct pmd_stream *p = pmd_new(15, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(pmd_no_takeover(p));
	pmd_begin(p, 100);
	CU_ASSERT_TRUE(pmd_feed(p, rfc_hello, sizeof rfc_hello, NULL, NULL));
	CU_ASSERT_TRUE(pmd_end(p, NULL, NULL));
	pmd_begin(p, 100);
	CU_ASSERT_FALSE(pmd_feed(p, rfc_hello2, sizeof rfc_hello2, NULL, NULL) &&
			pmd_end(p, NULL, NULL));
	CU_ASSERT_EQUAL(pmd_error_kind(p), PMD_ERR_DISTANCE);
	CU_ASSERT_FALSE(pmd_history_lost(p));
	pmd_begin(p, 100);
	CU_ASSERT_FALSE(pmd_feed(p, bad_type, sizeof bad_type, NULL, NULL));
	CU_ASSERT_EQUAL(pmd_error_kind(p), PMD_ERR_DATA);
	pmd_free(p);
	/* Midstream: the window is unknown from the start. */
	p = pmd_new(15, false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	pmd_lose_history(p);
	pmd_begin(p, 100);
	CU_ASSERT_FALSE(pmd_feed(p, rfc_hello2, sizeof rfc_hello2, NULL, NULL) &&
			pmd_end(p, NULL, NULL));
	CU_ASSERT_EQUAL(pmd_error_kind(p), PMD_ERR_HISTORY);
	pmd_begin(p, 100);
	CU_ASSERT_TRUE(pmd_feed(p, rfc_hello, sizeof rfc_hello, NULL, NULL));
	CU_ASSERT_TRUE(pmd_end(p, NULL, NULL));
	pmd_free(p);
	free_msgs(msgs, 2);
}

int add_pmd_suite(void)
{
	CU_pSuite s = CU_add_suite("pmd", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "RFC 7692 7.2.3 examples", test_rfc_examples) ||
	    !CU_add_test(s, "no_context_takeover resets", test_no_context_takeover_rfc) ||
	    !CU_add_test(s, "zlib messages, takeover or not", test_zlib_messages) ||
	    !CU_add_test(s, "window bits 8..15", test_window_bits) ||
	    !CU_add_test(s, "window smaller than sender's", test_window_too_small) ||
	    !CU_add_test(s, "max_out cap", test_max_out) ||
	    !CU_add_test(s, "corrupt data and recovery", test_corrupt) ||
	    !CU_add_test(s, "BFINAL blocks", test_bfinal) ||
	    !CU_add_test(s, "zeros bomb", test_bomb) ||
	    !CU_add_test(s, "ratio guard under every split", test_guard_splits) ||
	    !CU_add_test(s, "sync budget, lost window", test_budget_desync) ||
	    !CU_add_test(s, "error kinds", test_error_kinds))
		return -1;
	return 0;
}
