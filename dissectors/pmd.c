/* pmd.c - permessage-deflate inflation for one direction (RFC 7692 §7.2). */
#include "pmd.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define PMD_OUT_CHUNK 16384

struct pmd_stream {
	z_stream z;
	bool ready;            /* inflateInit2 succeeded */
	bool no_takeover;      /* reset the window per message */
	bool failed;           /* this message's data is corrupt */
	bool truncated;        /* max_out cut what the sink saw */
	uint64_t max_out;
	uint64_t out_total;
	const char *error;
	uint8_t out[PMD_OUT_CHUNK];
};

struct pmd_stream *pmd_new(int window_bits, bool no_context_takeover)
{
	struct pmd_stream *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	/* zlib cannot inflate with an 8-bit window request for raw streams
	 * (it rejects windowBits -8); a 9-bit window accepts every stream an
	 * 8-bit one does, since inflation only needs a window at least as
	 * large as the one the sender used. */
	if (window_bits < 9)
		window_bits = 9;
	if (window_bits > 15)
		window_bits = 15;
	if (inflateInit2(&s->z, -window_bits) != Z_OK) {
		free(s);
		return NULL;
	}
	s->ready = true;
	s->no_takeover = no_context_takeover;
	return s;
}

void pmd_free(struct pmd_stream *s)
{
	if (!s)
		return;
	if (s->ready)
		inflateEnd(&s->z);
	free(s);
}

void pmd_begin(struct pmd_stream *s, uint64_t max_out)
{
	/* RFC 7692 §7.1.1.1: with no_context_takeover the sender starts each
	 * message with an empty window, so the receiver may reset too. */
	if (s->no_takeover || s->failed)
		inflateReset(&s->z);
	s->failed = false;
	s->truncated = false;
	s->error = NULL;
	s->max_out = max_out;
	s->out_total = 0;
}

/* Inflates one input piece, handing out at most max_out bytes in all. */
static bool inflate_piece(struct pmd_stream *s, const uint8_t *in, size_t n,
			  pmd_sink sink, void *ctx)
{
	if (s->failed)
		return false;
	s->z.next_in = (Bytef *)(uintptr_t)in;
	s->z.avail_in = (uInt)n;
	do {
		s->z.next_out = s->out;
		s->z.avail_out = sizeof s->out;
		int rc = inflate(&s->z, Z_SYNC_FLUSH);
		size_t got = sizeof s->out - s->z.avail_out;

		/* Bytes produced before an error are handed out too, so the
		 * result does not depend on how the input was split. */
		if (got) {
			uint64_t room = s->out_total < s->max_out ?
					s->max_out - s->out_total : 0;
			size_t give = got < room ? got : (size_t)room;

			if (give && sink)
				sink(ctx, s->out, give);
			if (give < got)
				s->truncated = true;
			s->out_total += got;
		}
		if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_MEM_ERROR) {
			s->failed = true;
			s->error = s->z.msg ? s->z.msg : "corrupt deflate data";
			return false;
		}
		if (rc == Z_STREAM_END) {
			/* A BFINAL block ends the deflate stream; RFC 7692
			 * §7.2.3.3 lets the sender do that, and the next message
			 * then starts a new stream. */
			inflateReset(&s->z);
			if (s->z.avail_in == 0)
				break;
			continue;
		}
		if (rc == Z_BUF_ERROR && s->z.avail_out != 0)
			break; /* no progress possible: input consumed */
	} while (s->z.avail_in > 0 || s->z.avail_out == 0);
	return true;
}

bool pmd_feed(struct pmd_stream *s, const uint8_t *in, size_t n,
	      pmd_sink sink, void *ctx)
{
	if (n == 0)
		return !s->failed;
	/* zlib's avail_in is 32-bit: feed huge pieces in slices. */
	while (n > 0) {
		size_t take = n > (1u << 30) ? (1u << 30) : n;

		if (!inflate_piece(s, in, take, sink, ctx))
			return false;
		in += take;
		n -= take;
	}
	return true;
}

bool pmd_end(struct pmd_stream *s, pmd_sink sink, void *ctx)
{
	/* RFC 7692 §7.2.2: append 0x00 0x00 0xff 0xff to the payload before
	 * inflating; the sender removed this empty stored block's tail. */
	static const uint8_t tail[4] = { 0x00, 0x00, 0xff, 0xff };

	return inflate_piece(s, tail, sizeof tail, sink, ctx);
}

uint64_t pmd_out_total(const struct pmd_stream *s)
{
	return s->out_total;
}

bool pmd_truncated(const struct pmd_stream *s)
{
	return s->truncated;
}

const char *pmd_error(const struct pmd_stream *s)
{
	return s->error ? s->error : "no error";
}
