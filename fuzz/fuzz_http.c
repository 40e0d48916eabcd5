/* fuzz_http.c - libFuzzer harness for the streaming HTTP parser.
 *
 * Input: byte 0 picks the parser kind (bit 0), what the callback answers
 * to each head (bits 1-2: default, no body, stop) and a feed size (bits
 * 3-7: 1..32 bytes, 0 = all at once); the rest is the stream.  The stream
 * is parsed twice, whole and in pieces, and the two event logs (kind,
 * offset, bytes of every span) must be identical: the parser promises
 * the same events however its input is split.  After a stop the parser
 * is resumed on the following bytes, as a proxy's next request would be.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_parser.h"

struct log {
	uint64_t h;        /* running hash of the events */
	uint64_t n;        /* events */
	int next;          /* answer to HEADERS_DONE */
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

/* Spans of one kind that follow each other are one logical piece, cut
 * differently by different feeds: hash them byte by byte with the kind,
 * so only the content and its order count. */
static int on_event(void *user, const struct http_event *ev)
{
	struct log *l = user;

	l->n++;
	switch (ev->type) {
	case HTTP_EV_METHOD: case HTTP_EV_TARGET: case HTTP_EV_VERSION:
	case HTTP_EV_REASON: case HTTP_EV_FIELD_NAME: case HTTP_EV_FIELD_VALUE:
	case HTTP_EV_BODY:
		for (size_t i = 0; i < ev->len; i++)
			l->h = mix(l->h, (uint64_t)ev->type << 8 | ev->at[i]);
		return 0;
	default:
		break;
	}
	l->h = mix(l->h, (uint64_t)ev->type << 32 ^ ev->offset);
	if (ev->type == HTTP_EV_STATUS)
		l->h = mix(l->h, (uint64_t)(unsigned)ev->num);
	if (ev->type == HTTP_EV_HEADERS_DONE)
		return l->next;
	return 0;
}

static void run(const uint8_t *d, size_t n, enum http_kind kind, int next,
		size_t step, struct log *l)
{
	struct http_parser p;
	size_t off = 0;

	memset(l, 0, sizeof *l);
	l->next = next;
	http_init(&p, kind, on_event, l);
	while (off < n) {
		size_t take = step && n - off > step ? step : n - off;
		size_t used = http_feed(&p, d + off, take);
		off += used;
		if (p.pstate == HTTP_FAILED)
			break;
		if (p.pstate == HTTP_STOPPED) {
			/* what a caller would do: mark where HTTP stopped,
			 * then treat the rest as HTTP again */
			l->h = mix(l->h, 0xabcdef ^ off);
			http_resume(&p);
		} else if (used != take) {
			abort(); /* parsing, yet it left bytes unconsumed */
		}
	}
	http_finish(&p);
	l->h = mix(l->h, p.pstate);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log whole, split;

	if (size < 1)
		return 0;
	enum http_kind kind = data[0] & 1 ? HTTP_KIND_RESPONSE
					  : HTTP_KIND_REQUEST;
	int next = (data[0] >> 1) & 3;
	size_t step = data[0] >> 3;

	if (next > HTTP_NEXT_STOP)
		next = HTTP_NEXT_STOP;
	run(data + 1, size - 1, kind, next, 0, &whole);
	run(data + 1, size - 1, kind, next, step ? step : 1, &split);
	if (whole.h != split.h)
		abort(); /* events depend on how the input was split */
	return 0;
}
