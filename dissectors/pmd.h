/* pmd.h - permessage-deflate inflation for one direction (RFC 7692 §7.2).
 *
 * One raw-deflate stream per direction; every back reference is checked
 * against the window the handshake negotiated for its sender (8..15
 * bits).  A compressed message's wire payload is fed in pieces; at the
 * message's end the 4 octets 0x00 0x00 0xff 0xff that the sender removed
 * are appended again (RFC 7692 §7.2.2).  With context takeover the LZ77 window carries into
 * the next message; without it (the *_no_context_takeover parameter for
 * this direction) the stream is reset per message.
 *
 * Inflated bytes are handed to a sink in pieces from a fixed 16 KB buffer,
 * never accumulated here.  Limits, per message:
 *  - `max_out` (--max-inflate): bytes beyond it are not handed out; the
 *    message is cut (PMD_CUT_CAP);
 *  - the ratio guard: once `ratio_min` bytes came out and the output is
 *    more than `ratio` times the compressed input consumed so far, the
 *    rest is not handed out (PMD_CUT_RATIO): a deflate bomb;
 *  - after a cut, with context takeover, the rest is still inflated into
 *    the discard buffer so that the next message, which may refer back
 *    into it, decodes; without takeover nothing needs keeping in sync and
 *    the rest is skipped;
 *  - the sync budget: beyond `budget` inflated bytes the rest of the
 *    message is skipped whatever the setting (CPU bound), and the
 *    direction's window is lost (pmd_desynced).
 * Every stop decision is taken at a multiple of 16 KB of the message's
 * output (zlib is asked for output in chunks aligned to those points), so
 * what the sink sees and the totals do not depend on how the input was
 * split.
 *
 * A stream whose window was lost (a message failed, was skipped, or the
 * capture began after the handshake) is reset and marked "history lost"
 * until a whole window of new output has come out: a back reference into
 * what wstap never inflated then fails as PMD_ERR_HISTORY, never as
 * garbage output.
 *
 * zlib inflates with a 15-bit window whatever was negotiated: its own
 * check of back references ("not further than the bytes it has") is then
 * exact for references before the stream's start (PMD_ERR_DISTANCE: before
 * the message under no_context_takeover).  A reference beyond a smaller
 * negotiated window is found by deflate_scan.h and reported by
 * pmd_window_violation(); the message still inflates (the bytes are there)
 * so the caller can show it and say what a strict peer would do.
 */
#ifndef WSTAP_PMD_H
#define WSTAP_PMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*pmd_sink)(void *ctx, const uint8_t *data, size_t len);

struct pmd_stream;

/* Defaults of the guard (pmd_set_guard). */
#define PMD_RATIO_DEFAULT 1000u
#define PMD_RATIO_MIN_DEFAULT (1u << 20)          /* 1 MiB */
#define PMD_BUDGET_DEFAULT (256ull << 20)         /* 256 MiB */

enum pmd_cut {
	PMD_CUT_NONE,
	PMD_CUT_CAP,     /* more than max_out bytes */
	PMD_CUT_RATIO,   /* the ratio guard fired */
};

enum pmd_err {
	PMD_ERR_NONE,
	PMD_ERR_DATA,     /* corrupt deflate data (zlib's reason in
	                     pmd_error) */
	PMD_ERR_DISTANCE, /* a back reference before the stream's start */
	PMD_ERR_HISTORY,  /* a back reference into output wstap never saw
	                     (window lost): not the sender's fault */
	PMD_ERR_MEMORY,
};

/* window_bits: 8..15 as negotiated for this direction's sender (clamped).
 * Returns NULL when memory is short (the caller reports it). */
struct pmd_stream *pmd_new(int window_bits, bool no_context_takeover);
void pmd_free(struct pmd_stream *s);

/* ratio 0 turns the ratio guard off; budget 0 means no budget. */
void pmd_set_guard(struct pmd_stream *s, uint64_t ratio, uint64_t ratio_min,
		   uint64_t budget);

uint64_t pmd_guard_ratio(const struct pmd_stream *s);
uint64_t pmd_guard_min(const struct pmd_stream *s);

/* The window's earlier content is unknown (midstream pickup). */
void pmd_lose_history(struct pmd_stream *s);

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
 * max_out; a lower bound when pmd_skipped), and whether a limit cut what
 * the sink saw (a cut, or the budget stopping the message). */
uint64_t pmd_out_total(const struct pmd_stream *s);
bool pmd_truncated(const struct pmd_stream *s);
enum pmd_cut pmd_cut(const struct pmd_stream *s);
/* Compressed bytes inflate consumed for this message (the tail included). */
uint64_t pmd_in_total(const struct pmd_stream *s);
/* The rest of the message was not inflated (cut without takeover, or the
 * budget ran out); with pmd_desynced the budget did it and the window is
 * lost. */
bool pmd_skipped(const struct pmd_stream *s);
bool pmd_desynced(const struct pmd_stream *s);
uint64_t pmd_budget(const struct pmd_stream *s);
/* The window holds bytes wstap never inflated. */
bool pmd_history_lost(const struct pmd_stream *s);
enum pmd_err pmd_error_kind(const struct pmd_stream *s);
const char *pmd_error(const struct pmd_stream *s);
/* The longest back reference of this message beyond the negotiated
 * window (0: none); *at (may be NULL) gets the message output position of
 * the first. */
uint32_t pmd_window_violation(const struct pmd_stream *s, uint64_t *at);
int pmd_window_bits(const struct pmd_stream *s);
bool pmd_no_takeover(const struct pmd_stream *s);

#endif
