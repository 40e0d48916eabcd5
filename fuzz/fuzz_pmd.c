/* fuzz_pmd.c - libFuzzer harness for permessage-deflate inflation.
 *
 * Input: byte 0 gives the window bits (8 + low 3 bits, capped at 15),
 * no_context_takeover (bit 3), a small output cap (bit 4) and whether
 * the history is lost first (bit 5); then messages, each a 2-byte
 * little-endian length and that many compressed bytes, fed in pieces of
 * 1..16 bytes chosen by the length's top bits.  Every message is begun,
 * fed and ended as the WebSocket layer does; the output seen by the sink
 * must never exceed the cap.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "pmd.h"

struct sink_state {
	uint64_t got;
};

static void sink(void *ctx, const uint8_t *d, size_t n)
{
	struct sink_state *s = ctx;
	volatile uint8_t x = 0;

	/* touch the bytes so an over-read shows under ASan */
	for (size_t i = 0; i < n; i += 4096)
		x ^= d[i];
	if (n)
		x ^= d[n - 1];
	(void)x;
	s->got += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int wbits = 8 + (data[0] & 7);
	if (wbits > 15)
		wbits = 15;
	struct pmd_stream *s = pmd_new(wbits, data[0] & 8);
	if (!s)
		return 0;
	uint64_t cap = data[0] & 16 ? 1000 : 1u << 20;
	/* a smaller sync budget than the default keeps executions fast;
	 * the code paths are the same */
	pmd_set_guard(s, PMD_RATIO_DEFAULT, 1u << 16, 8u << 20);
	if (data[0] & 32)
		pmd_lose_history(s);
	size_t off = 1;
	while (off + 2 <= size) {
		size_t len = (size_t)data[off] | (size_t)(data[off + 1] & 0x0f) << 8;
		size_t step = 1 + (data[off + 1] >> 4);
		off += 2;
		if (len > size - off)
			len = size - off;
		struct sink_state st = { 0 };
		pmd_begin(s, cap);
		for (size_t i = 0; i < len; i += step) {
			size_t take = len - i < step ? len - i : step;
			if (!pmd_feed(s, data + off + i, take, sink, &st))
				break;
		}
		(void)pmd_end(s, sink, &st);
		if (st.got > cap)
			abort(); /* the cap was not honoured */
		off += len;
	}
	pmd_free(s);
	return 0;
}
