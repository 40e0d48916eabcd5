/* test_ws_frame.c - ws_frame: RFC 6455 §5.7 examples under every split of
 * the input, each framing rule's violation, and ws_unmask against a
 * byte-at-a-time reference. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "ws_frame.h"

/* Event log: one line per event; payload pieces are joined and written at
 * END so that any split of the input gives the same log. */
struct flog {
	char text[4096];
	size_t tlen;
	uint8_t *pay;           /* joined payload of the current frame */
	size_t pay_len, pay_cap;
	bool bad;               /* an invariant broke (see frame_cb) */
	const uint8_t *in_lo;   /* the input buffer, for the zero-copy test */
	const uint8_t *in_hi;
	size_t pieces;          /* PAYLOAD events */
	size_t max_piece;
};

static void log_add(struct flog *l, const char *s)
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

static void frame_cb(void *user, const struct ws_frame_event *ev)
{
	struct flog *l = user;
	const struct ws_frame_hdr *h = ev->hdr;
	char line[160];

	switch (ev->type) {
	case WS_FRAME_EV_HEADER:
		snprintf(line, sizeof(line),
			 "H fin=%d rsv=%u op=%u m=%d len=%llu off=%llu idx=%llu\n",
			 h->fin, h->rsv, h->opcode, h->masked,
			 (unsigned long long)h->length,
			 (unsigned long long)h->offset,
			 (unsigned long long)h->index);
		log_add(l, line);
		l->pay_len = 0;
		break;
	case WS_FRAME_EV_PAYLOAD:
		l->pieces++;
		if (ev->len > l->max_piece)
			l->max_piece = ev->len;
		/* Pieces are non-empty, in order, within the frame. */
		if (ev->len == 0 || ev->payload_offset != l->pay_len ||
		    ev->payload_offset + ev->len > h->length)
			l->bad = true;
		/* Unmasked payload is the caller's own bytes. */
		if (!h->masked && (ev->at < l->in_lo ||
				   ev->at + ev->len > l->in_hi))
			l->bad = true;
		if (h->masked && ev->len > WS_FRAME_SCRATCH)
			l->bad = true;
		if (ev->len > l->pay_cap - l->pay_len) {
			size_t nc = l->pay_cap ? l->pay_cap : 256;
			uint8_t *nb;

			while (nc < l->pay_len + ev->len)
				nc *= 2;
			nb = realloc(l->pay, nc);
			if (!nb) {
				l->bad = true;
				return;
			}
			l->pay = nb;
			l->pay_cap = nc;
		}
		memcpy(l->pay + l->pay_len, ev->at, ev->len);
		l->pay_len += ev->len;
		break;
	case WS_FRAME_EV_END:
		if (l->pay_len != h->length)
			l->bad = true;
		if (l->pay_len <= 32) {
			log_add(l, "E ");
			for (size_t i = 0; i < l->pay_len; i++) {
				snprintf(line, sizeof(line), "%02x", l->pay[i]);
				log_add(l, line);
			}
			log_add(l, "\n");
		} else {
			snprintf(line, sizeof(line), "E n=%zu fnv=%08x\n",
				 l->pay_len, fnv1a(l->pay, l->pay_len));
			log_add(l, line);
		}
		l->pay_len = 0;
		break;
	case WS_FRAME_EV_VIOLATION:
		if (!ev->code || !ev->text || !strstr(ev->text, "RFC 6455 §"))
			l->bad = true;
		snprintf(line, sizeof(line), "V %s\n", ev->code ? ev->code : "?");
		log_add(l, line);
		break;
	}
}

/* Feeds `in` cut at the given points (ascending); returns the log. */
static void run_cuts(struct flog *l, bool from_client, const uint8_t *in,
		     size_t n, const size_t *cuts, size_t ncuts)
{
	struct ws_frame_parser *p = malloc(sizeof(*p));
	size_t at = 0;

	memset(l, 0, sizeof(*l));
	l->in_lo = in;
	l->in_hi = in + n;
	if (!p) {
		l->bad = true;
		return;
	}
	ws_frame_init(p, from_client, frame_cb, l);
	for (size_t i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : n;

		ws_frame_feed(p, in + at, to - at);
		at = to;
	}
	if (!ws_frame_idle(p))
		log_add(l, "partial\n");
	free(p);
	free(l->pay);
	l->pay = NULL;
}

static void run_bytes(struct flog *l, bool from_client, const uint8_t *in,
		      size_t n)
{
	struct ws_frame_parser *p = malloc(sizeof(*p));

	memset(l, 0, sizeof(*l));
	l->in_lo = in;
	l->in_hi = in + n;
	if (!p) {
		l->bad = true;
		return;
	}
	ws_frame_init(p, from_client, frame_cb, l);
	for (size_t i = 0; i < n; i++)
		ws_frame_feed(p, in + i, 1);
	if (!ws_frame_idle(p))
		log_add(l, "partial\n");
	free(p);
	free(l->pay);
	l->pay = NULL;
}

static struct flog lg; /* large: static */

/* Whole, one byte at a time, every split point and (for short inputs)
 * every pair of split points: all give `expected`. */
static void check_splits(bool from_client, const uint8_t *in, size_t n,
			 const char *expected)
{
	run_cuts(&lg, from_client, in, n, NULL, 0);
	CU_ASSERT_FALSE(lg.bad);
	CU_ASSERT_STRING_EQUAL(lg.text, expected);
	if (strcmp(lg.text, expected) != 0)
		fprintf(stderr, "\ngot:\n%s\nwant:\n%s\n", lg.text, expected);

	run_bytes(&lg, from_client, in, n);
	CU_ASSERT_FALSE(lg.bad);
	CU_ASSERT_STRING_EQUAL(lg.text, expected);

	for (size_t i = 0; i <= n; i++) {
		size_t c[1] = { i };

		run_cuts(&lg, from_client, in, n, c, 1);
		CU_ASSERT_FALSE_FATAL(lg.bad);
		CU_ASSERT_STRING_EQUAL_FATAL(lg.text, expected);
	}
	if (n > 64)
		return;
	for (size_t i = 0; i <= n; i++) {
		for (size_t j = i; j <= n; j++) {
			size_t c[2] = { i, j };

			run_cuts(&lg, from_client, in, n, c, 2);
			CU_ASSERT_FALSE_FATAL(lg.bad);
			CU_ASSERT_STRING_EQUAL_FATAL(lg.text, expected);
		}
	}
}

/* RFC 6455 §5.7: a single-frame unmasked text message. */
static void test_rfc_text_unmasked(void)
{
	static const uint8_t in[] = { 0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c,
				      0x6f };

	check_splits(false, in, sizeof(in),
		     "H fin=1 rsv=0 op=1 m=0 len=5 off=0 idx=0\n"
		     "E 48656c6c6f\n");
}

/* RFC 6455 §5.7: a single-frame masked text message. */
static void test_rfc_text_masked(void)
{
	static const uint8_t in[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
				      0x7f, 0x9f, 0x4d, 0x51, 0x58 };

	check_splits(true, in, sizeof(in),
		     "H fin=1 rsv=0 op=1 m=1 len=5 off=0 idx=0\n"
		     "E 48656c6c6f\n");
	/* The same bytes from the server break §5.1. */
	check_splits(false, in, sizeof(in),
		     "H fin=1 rsv=0 op=1 m=1 len=5 off=0 idx=0\n"
		     "V server_masked\n"
		     "E 48656c6c6f\n");
}

/* RFC 6455 §5.7: a fragmented unmasked text message. */
static void test_rfc_fragmented(void)
{
	static const uint8_t in[] = { 0x01, 0x03, 0x48, 0x65, 0x6c,
				      0x80, 0x02, 0x6c, 0x6f };

	check_splits(false, in, sizeof(in),
		     "H fin=0 rsv=0 op=1 m=0 len=3 off=0 idx=0\n"
		     "E 48656c\n"
		     "H fin=1 rsv=0 op=0 m=0 len=2 off=5 idx=1\n"
		     "E 6c6f\n");
}

/* RFC 6455 §5.7: unmasked ping, masked pong, both "Hello". */
static void test_rfc_ping_pong(void)
{
	static const uint8_t ping[] = { 0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c,
					0x6f };
	static const uint8_t pong[] = { 0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d,
					0x7f, 0x9f, 0x4d, 0x51, 0x58 };

	check_splits(false, ping, sizeof(ping),
		     "H fin=1 rsv=0 op=9 m=0 len=5 off=0 idx=0\n"
		     "E 48656c6c6f\n");
	check_splits(true, pong, sizeof(pong),
		     "H fin=1 rsv=0 op=10 m=1 len=5 off=0 idx=0\n"
		     "E 48656c6c6f\n");
}

static uint8_t *make_big(size_t hdr_len, const uint8_t *hdr, size_t plen,
			 size_t *total)
{
	uint8_t *b = malloc(hdr_len + plen);

	if (!b)
		return NULL;
	memcpy(b, hdr, hdr_len);
	for (size_t i = 0; i < plen; i++)
		b[hdr_len + i] = (uint8_t)(i * 7 + (i >> 8));
	*total = hdr_len + plen;
	return b;
}

/* RFC 6455 §5.7: 256 bytes of binary in one unmasked frame (16-bit
 * length). */
static void test_rfc_binary_256(void)
{
	static const uint8_t hdr[] = { 0x82, 0x7e, 0x01, 0x00 };
	size_t n;
	uint8_t *in = make_big(sizeof(hdr), hdr, 256, &n);
	char want[160];

	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	snprintf(want, sizeof(want),
		 "H fin=1 rsv=0 op=2 m=0 len=256 off=0 idx=0\n"
		 "E n=256 fnv=%08x\n", fnv1a(in + 4, 256));
	check_splits(false, in, n, want);
	free(in);
}

/* Feeds at selected split points (each alone and in pairs), whole and
 * one byte at a time. */
static void check_selected(bool from_client, const uint8_t *in, size_t n,
			   const size_t *pts, size_t npts, const char *want)
{
	run_cuts(&lg, from_client, in, n, NULL, 0);
	CU_ASSERT_FALSE(lg.bad);
	CU_ASSERT_STRING_EQUAL(lg.text, want);
	run_bytes(&lg, from_client, in, n);
	CU_ASSERT_FALSE(lg.bad);
	CU_ASSERT_STRING_EQUAL(lg.text, want);
	for (size_t i = 0; i < npts; i++) {
		for (size_t j = i; j < npts; j++) {
			size_t c[2] = { pts[i], pts[j] };

			if (c[1] > n)
				continue;
			run_cuts(&lg, from_client, in, n, c, 2);
			CU_ASSERT_FALSE(lg.bad);
			CU_ASSERT_STRING_EQUAL(lg.text, want);
		}
	}
}

/* RFC 6455 §5.7: 64 KiB binary in one unmasked frame (64-bit length);
 * and the same payload masked from a client, which goes through the
 * scratch buffer in pieces of at most WS_FRAME_SCRATCH. */
static void test_rfc_binary_64k(void)
{
	static const uint8_t hdr[] = { 0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0 };
	static const uint8_t mhdr[] = { 0x82, 0xff, 0, 0, 0, 0, 0, 1, 0, 0,
					0x11, 0x22, 0x33, 0x44 };
	static const uint8_t key[4] = { 0x11, 0x22, 0x33, 0x44 };
	const size_t pts[] = { 0, 1, 2, 3, 9, 10, 11, 13, 14, 15, 17,
			       2048 + 10, 2048 + 14, 2048 + 15, 4096 + 13,
			       32768, 65535 + 10, 65536 + 10, 65536 + 13 };
	size_t n, mn;
	uint8_t *in = make_big(sizeof(hdr), hdr, 65536, &n);
	uint8_t *min = make_big(sizeof(mhdr), mhdr, 65536, &mn);
	char want[160];

	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	CU_ASSERT_PTR_NOT_NULL_FATAL(min);
	snprintf(want, sizeof(want),
		 "H fin=1 rsv=0 op=2 m=0 len=65536 off=0 idx=0\n"
		 "E n=65536 fnv=%08x\n", fnv1a(in + 10, 65536));
	check_selected(false, in, n, pts, sizeof(pts) / sizeof(pts[0]), want);
	/* Unmasked and fed whole: one zero-copy piece. */
	run_cuts(&lg, false, in, n, NULL, 0);
	CU_ASSERT_EQUAL(lg.pieces, 1);

	/* Mask the same payload for the client version. */
	for (size_t i = 0; i < 65536; i++)
		min[14 + i] = in[10 + i] ^ key[i % 4];
	snprintf(want, sizeof(want),
		 "H fin=1 rsv=0 op=2 m=1 len=65536 off=0 idx=0\n"
		 "E n=65536 fnv=%08x\n", fnv1a(in + 10, 65536));
	check_selected(true, min, mn, pts, sizeof(pts) / sizeof(pts[0]), want);
	run_cuts(&lg, true, min, mn, NULL, 0);
	CU_ASSERT_EQUAL(lg.max_piece, WS_FRAME_SCRATCH);
	CU_ASSERT_EQUAL(lg.pieces, 65536 / WS_FRAME_SCRATCH);
	free(in);
	free(min);
}

/* Several frames in one buffer, zero-length ones included: offsets and
 * indices count on, END comes for empty payloads too. */
static void test_sequence(void)
{
	static const uint8_t in[] = {
		0x89, 0x00,                         /* empty ping */
		0x81, 0x02, 0x68, 0x69,             /* "hi" */
		0x82, 0x80, 1, 2, 3, 4,             /* empty masked binary */
		0x8a, 0x00,                         /* empty pong */
	};

	check_splits(false, in, sizeof(in),
		     "H fin=1 rsv=0 op=9 m=0 len=0 off=0 idx=0\n"
		     "E \n"
		     "H fin=1 rsv=0 op=1 m=0 len=2 off=2 idx=1\n"
		     "E 6869\n"
		     "H fin=1 rsv=0 op=2 m=1 len=0 off=6 idx=2\n"
		     "V server_masked\n"
		     "E \n"
		     "H fin=1 rsv=0 op=10 m=0 len=0 off=12 idx=3\n"
		     "E \n");
}

/* RSV bits are reported, not judged, at this layer. */
static void test_rsv_reported(void)
{
	static const uint8_t in[] = { 0xc1, 0x01, 0x41, 0xb2, 0x00 };

	check_splits(false, in, sizeof(in),
		     "H fin=1 rsv=4 op=1 m=0 len=1 off=0 idx=0\n"
		     "E 41\n"
		     "H fin=1 rsv=3 op=2 m=0 len=0 off=3 idx=1\n"
		     "E \n");
}

/* §5.2 minimal length encoding. */
static void test_nonminimal(void)
{
	static const uint8_t n16[] = { 0x82, 0x7e, 0x00, 0x7d,
				       /* 125 bytes follow */ };
	static const uint8_t n16ok[] = { 0x82, 0x7e, 0x00, 0x7e };
	static const uint8_t n64[] = { 0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0xff,
				       0xff };
	static const uint8_t n64ok[] = { 0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0,
					 0 };
	uint8_t buf[10 + 65536];

	memset(buf, 0, sizeof(buf));
	memcpy(buf, n16, sizeof(n16));
	check_splits(false, buf, 4 + 125,
		     "H fin=1 rsv=0 op=2 m=0 len=125 off=0 idx=0\n"
		     "V nonminimal_length\n"
		     "E n=125 fnv=da11c72f\n");
	memcpy(buf, n16ok, sizeof(n16ok));
	run_cuts(&lg, false, buf, 4 + 126, NULL, 0);
	CU_ASSERT_PTR_NULL(strstr(lg.text, "V "));
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.text, "len=126"));

	memcpy(buf, n64, sizeof(n64));
	run_cuts(&lg, false, buf, 10 + 65535, NULL, 0);
	CU_ASSERT_FALSE(lg.bad);
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.text,
				      "len=65535 off=0 idx=0\n"
				      "V nonminimal_length\nE n=65535"));
	memcpy(buf, n64ok, sizeof(n64ok));
	run_cuts(&lg, false, buf, 10 + 65536, NULL, 0);
	CU_ASSERT_PTR_NULL(strstr(lg.text, "V "));
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.text, "len=65536"));
}

/* §5.2: the 64-bit length's top bit MUST be 0.  The frame never ends
 * within the input, so the parser is left holding it. */
static void test_length_top_bit(void)
{
	static const uint8_t in[] = { 0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0,
				      1, 0xaa };

	check_splits(false, in, sizeof(in),
		     "H fin=1 rsv=0 op=2 m=0 len=9223372036854775809 off=0 "
		     "idx=0\n"
		     "V length_top_bit\n"
		     "partial\n");
}

/* §5.5: control frames at most 125 bytes, never fragmented. */
static void test_control_rules(void)
{
	uint8_t buf[4 + 126];
	static const uint8_t frag[] = { 0x09, 0x01, 0x41 };
	static const uint8_t ok125_hdr[] = { 0x8a, 0x7d };
	uint8_t ok125[2 + 125];

	memset(buf, 0x42, sizeof(buf));
	buf[0] = 0x89;
	buf[1] = 0x7e;
	buf[2] = 0x00;
	buf[3] = 0x7e;
	check_splits(false, buf, sizeof(buf),
		     "H fin=1 rsv=0 op=9 m=0 len=126 off=0 idx=0\n"
		     "V control_too_long\n"
		     "E n=126 fnv=e1a1f545\n");
	check_splits(false, frag, sizeof(frag),
		     "H fin=0 rsv=0 op=9 m=0 len=1 off=0 idx=0\n"
		     "V control_fragmented\n"
		     "E 41\n");
	memset(ok125, 0x42, sizeof(ok125));
	memcpy(ok125, ok125_hdr, sizeof(ok125_hdr));
	run_cuts(&lg, false, ok125, sizeof(ok125), NULL, 0);
	CU_ASSERT_PTR_NULL(strstr(lg.text, "V "));
	CU_ASSERT_PTR_NOT_NULL(strstr(lg.text, "E n=125"));
}

/* §5.2: reserved opcodes, each of them; defined ones are not flagged. */
static void test_reserved_opcodes(void)
{
	for (unsigned op = 0; op < 16; op++) {
		uint8_t in[3] = { (uint8_t)(0x80 | op), 0x01, 0x41 };
		bool reserved = (op >= 3 && op <= 7) || op >= 0xb;

		run_cuts(&lg, false, in, sizeof(in), NULL, 0);
		CU_ASSERT_FALSE(lg.bad);
		CU_ASSERT_EQUAL(strstr(lg.text, "V reserved_opcode\n") != NULL,
				reserved);
		CU_ASSERT_EQUAL(strstr(lg.text, "V ") != NULL, reserved);
	}
}

/* §5.1: a client masks, a server does not. */
static void test_masking_rules(void)
{
	static const uint8_t unmasked[] = { 0x81, 0x01, 0x41 };
	static const uint8_t masked[] = { 0x81, 0x81, 1, 2, 3, 4, 0x40 };

	check_splits(true, unmasked, sizeof(unmasked),
		     "H fin=1 rsv=0 op=1 m=0 len=1 off=0 idx=0\n"
		     "V client_unmasked\n"
		     "E 41\n");
	check_splits(true, masked, sizeof(masked),
		     "H fin=1 rsv=0 op=1 m=1 len=1 off=0 idx=0\n"
		     "E 41\n");
	check_splits(false, masked, sizeof(masked),
		     "H fin=1 rsv=0 op=1 m=1 len=1 off=0 idx=0\n"
		     "V server_masked\n"
		     "E 41\n");
}

/* Several violations of one header come in a fixed order, after HEADER
 * and before any payload. */
static void test_violation_order(void)
{
	/* Unmasked client ping, not FIN, 16-bit length 126 (too long, but
	 * minimal). */
	uint8_t in[4 + 126];

	memset(in, 0, sizeof(in));
	in[0] = 0x09;
	in[1] = 0x7e;
	in[2] = 0x00;
	in[3] = 0x7e;
	run_cuts(&lg, true, in, sizeof(in), NULL, 0);
	CU_ASSERT_STRING_EQUAL(lg.text,
			       "H fin=0 rsv=0 op=9 m=0 len=126 off=0 idx=0\n"
			       "V control_too_long\n"
			       "V control_fragmented\n"
			       "V client_unmasked\n"
			       "E n=126 fnv=78fc8efd\n");
}

static void ref_unmask(uint8_t *dst, const uint8_t *src, size_t n,
		       const uint8_t mask[4], uint64_t phase)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i] ^ mask[(phase + i) % 4];
}

/* ws_unmask equals the byte-wise definition (§5.3) for every phase and
 * length, at unaligned addresses, out of place and in place. */
static void test_unmask(void)
{
	static const uint8_t mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
	uint8_t src[64], dst[64], ref[64], inplace[64];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 37 + 11);
	for (uint64_t phase = 0; phase < 8; phase++) {
		for (size_t len = 0; len <= 40; len++) {
			for (size_t a = 0; a < 8; a++) {
				size_t b = (a * 3 + 1) % 8;

				memset(dst, 0xee, sizeof(dst));
				ref_unmask(ref, src + a, len, mask, phase);
				ws_unmask(dst + b, src + a, len, mask, phase);
				CU_ASSERT_EQUAL_FATAL(
					memcmp(dst + b, ref, len), 0);
				/* Nothing written outside [b, b+len). */
				for (size_t k = 0; k < sizeof(dst); k++)
					if (k < b || k >= b + len)
						CU_ASSERT_EQUAL_FATAL(dst[k],
								      0xee);
				memcpy(inplace, src, sizeof(src));
				ws_unmask(inplace + a, inplace + a, len, mask,
					  phase);
				CU_ASSERT_EQUAL_FATAL(
					memcmp(inplace + a, ref, len), 0);
			}
		}
	}
	/* A large phase works the same as phase % 4. */
	ws_unmask(dst, src, 13, mask, UINT64_C(0x1000000000000002));
	ref_unmask(ref, src, 13, mask, 2);
	CU_ASSERT_EQUAL(memcmp(dst, ref, 13), 0);
}

/* The RFC's masked "Hello" unmasks at every phase split. */
static void test_unmask_rfc(void)
{
	static const uint8_t mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
	static const uint8_t wire[5] = { 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	uint8_t out[5];

	ws_unmask(out, wire, 5, mask, 0);
	CU_ASSERT_EQUAL(memcmp(out, "Hello", 5), 0);
	ws_unmask(out, wire, 2, mask, 0);
	ws_unmask(out + 2, wire + 2, 3, mask, 2);
	CU_ASSERT_EQUAL(memcmp(out, "Hello", 5), 0);
}

/* A partial header or payload leaves the parser not idle. */
static void test_idle(void)
{
	static const uint8_t in[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
				      0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	struct ws_frame_parser p;

	ws_frame_init(&p, true, frame_cb, &lg);
	memset(&lg, 0, sizeof(lg));
	lg.in_lo = in;
	lg.in_hi = in + sizeof(in);
	CU_ASSERT_TRUE(ws_frame_idle(&p));
	for (size_t i = 0; i < sizeof(in); i++) {
		ws_frame_feed(&p, in + i, 1);
		CU_ASSERT_EQUAL(ws_frame_idle(&p), i == sizeof(in) - 1);
	}
	ws_frame_feed(&p, in, 0);
	CU_ASSERT_TRUE(ws_frame_idle(&p));
	CU_ASSERT_EQUAL(p.offset, sizeof(in));
	free(lg.pay);
	lg.pay = NULL;
}

int add_ws_frame_suite(void)
{
	CU_pSuite s = CU_add_suite("ws_frame", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "RFC 6455 5.7 unmasked text", test_rfc_text_unmasked) ||
	    !CU_add_test(s, "RFC 6455 5.7 masked text", test_rfc_text_masked) ||
	    !CU_add_test(s, "RFC 6455 5.7 fragmented text", test_rfc_fragmented) ||
	    !CU_add_test(s, "RFC 6455 5.7 ping and pong", test_rfc_ping_pong) ||
	    !CU_add_test(s, "RFC 6455 5.7 256-byte binary", test_rfc_binary_256) ||
	    !CU_add_test(s, "RFC 6455 5.7 64 KiB binary", test_rfc_binary_64k) ||
	    !CU_add_test(s, "frame sequence, empty payloads", test_sequence) ||
	    !CU_add_test(s, "RSV bits reported", test_rsv_reported) ||
	    !CU_add_test(s, "nonminimal lengths", test_nonminimal) ||
	    !CU_add_test(s, "64-bit length top bit", test_length_top_bit) ||
	    !CU_add_test(s, "control frame rules", test_control_rules) ||
	    !CU_add_test(s, "reserved opcodes", test_reserved_opcodes) ||
	    !CU_add_test(s, "masking rules", test_masking_rules) ||
	    !CU_add_test(s, "violation order", test_violation_order) ||
	    !CU_add_test(s, "ws_unmask vs reference", test_unmask) ||
	    !CU_add_test(s, "ws_unmask RFC example", test_unmask_rfc) ||
	    !CU_add_test(s, "idle", test_idle))
		return -1;
	return 0;
}
