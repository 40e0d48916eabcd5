/* fuzz_ws.c - libFuzzer harness for the WebSocket frame parser and the
 * message layer above it (fragments, control frames, UTF-8, caps), with
 * permessage-deflate inflation when asked.
 *
 * Input: byte 0: bit 0 the direction (client frames must be masked),
 * bit 1 deflate negotiated (an inflater is attached), bit 2 keep
 * payloads, bit 3 a small message cap, bits 4-7 the feed size (1..15,
 * 0 = all at once); byte 1: when bit 7 of it is set, a gap of (low bits)
 * bytes is declared half-way.  The rest is the stream of one direction.
 * The stream is analysed whole and in pieces; message count, lengths and
 * notes must agree (the layers promise identical events however the
 * input is split).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pmd.h"
#include "ws_message.h"

struct log {
	uint64_t h, msgs, notes;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	return h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2));
}

static void on_message(void *user, const struct ws_message *m)
{
	struct log *l = user;
	volatile uint8_t x = 0;

	l->msgs++;
	l->h = mix(l->h, m->opcode);
	l->h = mix(l->h, m->length);
	l->h = mix(l->h, m->wire_length);
	l->h = mix(l->h, (uint64_t)m->truncated << 1 | m->utf8_valid);
	if (m->data && m->data_len) {
		x ^= m->data[0];
		x ^= m->data[m->data_len - 1];
		for (size_t i = 0; i < m->data_len; i++)
			l->h = mix(l->h, m->data[i]);
	}
	if (m->reason && m->reason_len)
		x ^= m->reason[m->reason_len - 1];
	(void)x;
}

static void on_note(void *user, enum ws_note_level level, const char *code,
		    const char *text)
{
	struct log *l = user;

	l->notes++;
	l->h = mix(l->h, level);
	for (const char *c = code; *c; c++)
		l->h = mix(l->h, (uint8_t)*c);
	(void)strlen(text);
}

static void run(const uint8_t *d, size_t n, uint8_t flags, uint8_t gap,
		size_t step, struct log *l)
{
	struct ws_msg_stream s;
	struct pmd_stream *inf = NULL;
	struct ws_msg_cfg cfg = {
		.from_client = flags & 1,
		.deflate = flags & 2,
		.keep_payload = flags & 4,
		.max_message = flags & 8 ? 100 : 1u << 20,
		.max_inflate = flags & 8 ? 100 : 1u << 20,
	};
	struct ws_msg_callbacks cb = { on_message, on_note };

	memset(l, 0, sizeof *l);
	if (cfg.deflate) {
		inf = pmd_new(15, false);
		if (inf)
			pmd_set_guard(inf, PMD_RATIO_DEFAULT, 1u << 16, 8u << 20);
		cfg.inflater = inf;
	}
	ws_msg_init(&s, &cfg, &cb, l);
	size_t half = n / 2, off = 0;
	bool gapped = !(gap & 0x80);
	while (off < n) {
		if (!gapped && off >= half) {
			gapped = true;
			/* a gap that loses framing: the caller resyncs at the
			 * current offset, as the leg layer does after a hole */
			if (!ws_msg_gap(&s, gap & 0x7f))
				s.fp.offset = off + (gap & 0x7f);
		}
		size_t lim = !gapped && half > off ? half - off : n - off;
		size_t take = step && lim > step ? step : lim;
		ws_msg_feed(&s, d + off, take);
		off += take;
	}
	ws_msg_finish(&s);
	ws_msg_free(&s);
	pmd_free(inf);
	l->h = mix(l->h, l->msgs);
	l->h = mix(l->h, l->notes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log whole, split;

	if (size < 2)
		return 0;
	size_t step = data[0] >> 4;
	run(data + 2, size - 2, data[0], data[1], 0, &whole);
	run(data + 2, size - 2, data[0], data[1], step ? step : 1, &split);
	if (whole.h != split.h)
		abort(); /* events depend on how the input was split */
	return 0;
}
