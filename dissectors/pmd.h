/* pmd.h - permessage-deflate inflation for one direction (RFC 7692).
 *
 * One raw-deflate stream per direction.  A compressed message's wire
 * payload is fed in pieces; at the message's end the 4 octets
 * 0x00 0x00 0xff 0xff that the sender removed are appended again
 * (RFC 7692 §7.2.2) and the output is flushed.  With context takeover the
 * LZ77 window carries into the next message; without it (the
 * *_no_context_takeover parameter for this direction) the stream is reset
 * per message.
 *
 * Inflated bytes are handed to a sink in pieces from a fixed buffer, never
 * accumulated here: the caller decides what to keep.  Output beyond
 * `max_out` bytes per message is still inflated (so the window stays in
 * sync for the next message) but not handed out, and the message is marked
 * truncated.  zlib allocates its state once per direction (~44 KB for a
 * 15-bit window), not per message.
 */
#ifndef WSTAP_PMD_H
#define WSTAP_PMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*pmd_sink)(void *ctx, const uint8_t *data, size_t len);

struct pmd_stream;

/* window_bits: 8..15 as negotiated for this direction's sender.
 * Returns NULL when memory is short (the caller reports it). */
struct pmd_stream *pmd_new(int window_bits, bool no_context_takeover);
void pmd_free(struct pmd_stream *s);

/* Starts a message; max_out caps what reaches the sink. */
void pmd_begin(struct pmd_stream *s, uint64_t max_out);

/* Feeds a piece of the compressed payload (borrowed).  Returns false once
 * the data is corrupt; pmd_error() then says why, and further pieces of
 * this message are ignored. */
bool pmd_feed(struct pmd_stream *s, const uint8_t *in, size_t n,
	      pmd_sink sink, void *ctx);

/* Ends the message (appends the 00 00 ff ff tail). Returns false on a
 * corrupt stream. */
bool pmd_end(struct pmd_stream *s, pmd_sink sink, void *ctx);

/* Bytes the message inflated to (all of them, including those beyond
 * max_out), and whether max_out cut what the sink saw. */
uint64_t pmd_out_total(const struct pmd_stream *s);
bool pmd_truncated(const struct pmd_stream *s);
const char *pmd_error(const struct pmd_stream *s);

#endif
