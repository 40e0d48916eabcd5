/* ws_resync.h - finding WebSocket frame boundaries in a stream whose
 * start (or a piece of which) was not captured (RFC 6455 §5.2).
 *
 * A frame header carries no marker, so a boundary is trusted only when a
 * chain of plausible headers follows from it: each header obeys the rules
 * of §5.2-§5.5 (known opcode, RSV bits 0 but for RSV1 on the first frame
 * of a compressed message, control frames final and at most 125 bytes,
 * minimal length encoding, the top bit of a 64-bit length clear), frames
 * of one direction are all masked or all unmasked (§5.1) with a non-zero
 * key, fragments follow each other as §5.4 requires (a continuation only
 * inside a message, a new message only outside one; the first frame of
 * the chain may continue a message whose start was lost), and no data
 * frame is empty and non-final.  Each frame's length leads to the next
 * header.  A candidate is accepted with WS_RESYNC_CHAIN such headers, or
 * with two whose frames end exactly where the available bytes end (peers
 * usually write whole frames, so segment ends fall on frame ends), or,
 * when no more bytes will come, with one that ends there.
 */
#ifndef WSTAP_WS_RESYNC_H
#define WSTAP_WS_RESYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WS_RESYNC_CHAIN 3

struct ws_resync_params {
	int masked;           /* 1: frames must be masked (client), 0: must
	                         not be (server), -1: unknown */
	bool allow_rsv1;      /* permessage-deflate may be in force */
	uint64_t max_length;  /* a longer frame is implausible */
};

enum ws_resync_result {
	WS_RESYNC_REJECT,     /* no frame boundary at p */
	WS_RESYNC_PENDING,    /* plausible so far: more bytes are needed */
	WS_RESYNC_ACCEPT,     /* a frame boundary at p */
};

struct ws_resync_chain {
	unsigned headers;     /* plausible headers found */
	bool masked;          /* their masking (when headers > 0) */
	bool rsv1;            /* one of them had RSV1 set */
};

/* Judges the n bytes at p (borrowed) as the start of a frame; `final`
 * says no more bytes will follow them. */
enum ws_resync_result ws_resync_check(const uint8_t *p, size_t n,
				      const struct ws_resync_params *prm,
				      bool final, struct ws_resync_chain *out);

#endif
