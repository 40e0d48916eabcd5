/* pmd.c - permessage-deflate inflation for one direction (RFC 7692 §7.2). */
#include "pmd.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "deflate_scan.h"

/* Output chunk; every limit is checked at multiples of it (see pmd.h). */
#define PMD_OUT_CHUNK 16384

struct pmd_stream {
	z_stream z;
	bool ready;            /* inflateInit2 succeeded */
	int wbits;             /* the negotiated window, 8..15 */
	struct dscan scan;     /* distances, when wbits < 15 */
	bool no_takeover;      /* reset the window per message */
	/* guard */
	uint64_t ratio, ratio_min, budget;
	/* this message */
	bool failed;           /* its data is corrupt */
	bool skipping;         /* the rest is not inflated */
	bool desync;           /* skipping because the budget ran out */
	enum pmd_cut cut;
	bool ratio_hit;        /* the guard fired: hand out no more */
	enum pmd_err err;
	const char *error;
	uint64_t max_out;
	uint64_t handed;       /* bytes the sink got */
	uint64_t out_total;    /* bytes inflated */
	uint64_t in_total;     /* compressed bytes consumed */
	uint32_t over;         /* longest distance beyond the window */
	uint64_t over_pos;     /* where the first one was, in the message */
	uint64_t msg_start;    /* scanner position at the message's start */
	/* across messages */
	bool history_lost;     /* the window holds bytes never inflated */
	uint64_t since_reset;  /* bytes inflated since the last reset */
	uint8_t out[PMD_OUT_CHUNK];
};

struct pmd_stream *pmd_new(int window_bits, bool no_context_takeover)
{
	struct pmd_stream *s = malloc(sizeof *s);

	if (!s)
		return NULL;
	/* Everything but the output chunk starts zeroed: the chunk is
	 * always written before it is read, and zeroing it per stream was a
	 * measurable share of a busy capture's time. */
	memset(s, 0, offsetof(struct pmd_stream, out));
	/* RFC 7692 §7.1.2: windows are 8..15 bits. */
	if (window_bits < 8)
		window_bits = 8;
	if (window_bits > 15)
		window_bits = 15;
	/* zlib inflates with the full 15-bit window: with it, a distance
	 * is refused exactly when it reaches before the stream's start,
	 * however the input is split.  The negotiated window is checked by
	 * the scanner (see deflate_scan.h for why not by zlib). */
	if (inflateInit2(&s->z, -15) != Z_OK) {
		free(s);
		return NULL;
	}
	s->ready = true;
	s->wbits = window_bits;
	s->no_takeover = no_context_takeover;
	s->ratio = PMD_RATIO_DEFAULT;
	s->ratio_min = PMD_RATIO_MIN_DEFAULT;
	s->budget = PMD_BUDGET_DEFAULT;
	dscan_reset(&s->scan);
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

void pmd_set_guard(struct pmd_stream *s, uint64_t ratio, uint64_t ratio_min,
		   uint64_t budget)
{
	s->ratio = ratio;
	s->ratio_min = ratio_min;
	s->budget = budget;
}

uint64_t pmd_guard_ratio(const struct pmd_stream *s)
{
	return s->ratio;
}

uint64_t pmd_guard_min(const struct pmd_stream *s)
{
	return s->ratio_min;
}

static void reset(struct pmd_stream *s, bool lost)
{
	inflateReset(&s->z);
	dscan_reset(&s->scan);
	s->history_lost = lost;
	s->since_reset = 0;
}

void pmd_lose_history(struct pmd_stream *s)
{
	reset(s, true);
}

void pmd_begin(struct pmd_stream *s, uint64_t max_out)
{
	if (s->no_takeover) {
		/* RFC 7692 §7.1.1.1/§7.1.1.2: without context takeover the
		 * sender starts each message with an empty window, so the
		 * receiver may reset too. */
		reset(s, false);
	} else if (s->failed || s->skipping) {
		/* The last message was not inflated to its end: the sender's
		 * window holds bytes we never had.  Start empty and let zlib
		 * refuse what refers back into them. */
		reset(s, true);
	}
	s->failed = false;
	s->skipping = false;
	s->desync = false;
	s->cut = PMD_CUT_NONE;
	s->ratio_hit = false;
	s->err = PMD_ERR_NONE;
	s->error = NULL;
	s->max_out = max_out;
	s->handed = 0;
	s->out_total = 0;
	s->in_total = 0;
	s->scan.over = 0;
	s->over = 0;
	s->msg_start = s->scan.pos;
}

/* Accounts for `got` fresh bytes in s->out: hands out what the cap allows,
 * and at each chunk boundary applies the ratio guard and the budget. */
static void emit(struct pmd_stream *s, size_t got, pmd_sink sink, void *ctx)
{
	s->out_total += got;
	s->since_reset += got;
	if (s->history_lost && s->since_reset >= (1u << s->wbits))
		s->history_lost = false; /* a whole window of known bytes */
	if (s->cut == PMD_CUT_NONE) {
		uint64_t room = s->max_out > s->handed ? s->max_out - s->handed : 0;
		size_t give = got < room ? got : (size_t)room;

		if (s->ratio_hit)
			give = 0;
		if (give && sink)
			sink(ctx, s->out, give);
		s->handed += give;
		/* Cut only when a byte is really withheld: a message that
		 * ends right where a limit fired is whole. */
		if (give < got)
			s->cut = s->ratio_hit ? PMD_CUT_RATIO : PMD_CUT_CAP;
	}
	if (s->out_total % PMD_OUT_CHUNK != 0)
		return;
	/* Deflate cannot do better than about 1032:1 (a 258-byte match in
	 * as little as two bits); a message this far up that scale is zeros
	 * or a bomb.  Compared with the input consumed so far, so a bomb is
	 * caught after ratio_min bytes, not after it has all come out. */
	if (s->cut == PMD_CUT_NONE && s->ratio && s->out_total >= s->ratio_min &&
	    s->out_total / s->ratio > s->in_total)
		s->ratio_hit = true;
	/* Nothing to keep in sync without takeover: stop working. */
	if (s->cut != PMD_CUT_NONE && s->no_takeover)
		s->skipping = true;
	/* Keeping the window in sync costs CPU in proportion to the output;
	 * beyond the budget give up on this message and its window. */
	if (s->budget && s->out_total > s->budget) {
		s->skipping = true;
		s->desync = true;
	}
}

static void fail(struct pmd_stream *s, int rc)
{
	const char *msg = s->z.msg;

	s->failed = true;
	if (rc == Z_MEM_ERROR) {
		s->err = PMD_ERR_MEMORY;
		s->error = "out of memory";
		return;
	}
	s->error = msg ? msg : "corrupt deflate data";
	s->err = PMD_ERR_DATA;
	/* zlib's words for a distance beyond the bytes it has: the window
	 * it was given plus this step's output. */
	if (msg && strcmp(msg, "invalid distance too far back") == 0)
		s->err = s->history_lost ? PMD_ERR_HISTORY : PMD_ERR_DISTANCE;
}

/* Inflates one input piece. */
static bool inflate_piece(struct pmd_stream *s, const uint8_t *in, size_t n,
			  pmd_sink sink, void *ctx)
{
	if (s->failed)
		return false;
	if (s->skipping)
		return true;
	s->z.next_in = (Bytef *)(uintptr_t)in;
	s->z.avail_in = (uInt)n;
	for (;;) {
		/* Output ends at the next multiple of the chunk size of this
		 * message's output, whatever the input split. */
		size_t room = PMD_OUT_CHUNK -
			      (size_t)(s->out_total % PMD_OUT_CHUNK);
		uInt had = s->z.avail_in;
		const uint8_t *from = s->z.next_in;

		s->z.next_out = s->out;
		s->z.avail_out = (uInt)room;
		int rc = inflate(&s->z, Z_SYNC_FLUSH);
		size_t got = room - s->z.avail_out;

		s->in_total += had - s->z.avail_in;
		if (s->wbits < 15) {
			/* The same bytes through the distance scanner, which
			 * counts the output from the same reset. */
			dscan_feed(&s->scan, from, had - s->z.avail_in,
				   1u << s->wbits);
			if (s->scan.over > s->over) {
				if (!s->over)
					s->over_pos = s->scan.over_pos -
						      s->msg_start;
				s->over = s->scan.over;
			}
		}
		/* Bytes produced before an error are handed out too, so the
		 * result does not depend on how the input was split. */
		if (got)
			emit(s, got, sink, ctx);
		if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR ||
		    rc == Z_MEM_ERROR || rc == Z_STREAM_ERROR) {
			fail(s, rc);
			return false;
		}
		if (rc == Z_STREAM_END) {
			/* A BFINAL block ends the deflate stream; RFC 7692
			 * §7.2.3.4 lets the sender do that, and what follows
			 * starts a new stream with an empty window. */
			reset(s, false);
			s->msg_start = 0;
			if (s->skipping || s->z.avail_in == 0)
				break;
			continue;
		}
		if (s->skipping)
			break;
		if (s->z.avail_out == 0)
			continue; /* more output may be pending */
		if (s->z.avail_in == 0 || rc == Z_BUF_ERROR)
			break;
	}
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
	return s->cut != PMD_CUT_NONE || s->desync;
}

enum pmd_cut pmd_cut(const struct pmd_stream *s)
{
	return s->cut;
}

uint64_t pmd_in_total(const struct pmd_stream *s)
{
	return s->in_total;
}

bool pmd_skipped(const struct pmd_stream *s)
{
	return s->skipping;
}

bool pmd_desynced(const struct pmd_stream *s)
{
	return s->desync;
}

uint64_t pmd_budget(const struct pmd_stream *s)
{
	return s->budget;
}

bool pmd_history_lost(const struct pmd_stream *s)
{
	return s->history_lost;
}

enum pmd_err pmd_error_kind(const struct pmd_stream *s)
{
	return s->err;
}

const char *pmd_error(const struct pmd_stream *s)
{
	return s->error ? s->error : "no error";
}

uint32_t pmd_window_violation(const struct pmd_stream *s, uint64_t *at)
{
	if (at)
		*at = s->over_pos;
	return s->over;
}

int pmd_window_bits(const struct pmd_stream *s)
{
	return s->wbits;
}

bool pmd_no_takeover(const struct pmd_stream *s)
{
	return s->no_takeover;
}
