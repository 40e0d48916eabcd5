/* ws_frame.h - streaming WebSocket frame parser (RFC 6455 §5.2).
 *
 * A small state machine: header (2 bytes), extended length (0, 2 or 8),
 * masking key (0 or 4), payload.  It never needs a whole frame in memory:
 * payload is handed out in pieces as it arrives, unmasked.  Unmasked
 * (server) payload is passed zero-copy as a span of the caller's bytes;
 * masked payload is unmasked into the parser's own scratch buffer, a word
 * at a time, and handed out from there.  Either way spans are valid only
 * during the callback.
 *
 * Framing rules are checked as the bytes arrive and reported as
 * WS_FRAME_EV_VIOLATION events; the parser keeps going (every header is
 * structurally parseable, so the next frame boundary is always known):
 *  - §5.2 a 16-bit length below 126 or a 64-bit length below 65536 is not
 *    the minimal encoding ("nonminimal_length");
 *  - §5.2 the most significant bit of a 64-bit length MUST be 0
 *    ("length_top_bit");
 *  - §5.5 control frames MUST have a payload length of 125 bytes or less
 *    and MUST NOT be fragmented ("control_too_long", "control_fragmented");
 *  - §5.2 opcodes 0x3-0x7 and 0xB-0xF are reserved ("reserved_opcode");
 *  - §5.1 a client MUST mask every frame it sends, a server MUST NOT mask
 *    ("client_unmasked", "server_masked").
 * RSV bits are reported in the header event; whether they are allowed
 * depends on the negotiated extensions, which is the message layer's call.
 */
#ifndef WSTAP_WS_FRAME_H
#define WSTAP_WS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ws_opcode {
	WS_OP_CONT = 0x0,
	WS_OP_TEXT = 0x1,
	WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8,
	WS_OP_PING = 0x9,
	WS_OP_PONG = 0xA,
};

struct ws_frame_hdr {
	bool fin;
	uint8_t rsv;        /* RSV1..3 as bits 0x4 (RSV1), 0x2, 0x1 */
	uint8_t opcode;     /* 4 bits */
	bool masked;
	uint8_t mask[4];
	uint64_t length;    /* payload length */
	uint64_t offset;    /* stream offset of the frame's first byte */
	uint64_t index;     /* frame number in this direction, from 0 */
};

enum ws_frame_ev {
	WS_FRAME_EV_HEADER,    /* hdr complete (called before any payload) */
	WS_FRAME_EV_PAYLOAD,   /* a piece of unmasked payload: at/len */
	WS_FRAME_EV_END,       /* the frame's payload is complete (also for
	                          empty payloads) */
	WS_FRAME_EV_VIOLATION, /* code/text; hdr is the frame concerned */
};

struct ws_frame_event {
	enum ws_frame_ev type;
	const struct ws_frame_hdr *hdr; /* the current frame (borrowed) */
	const uint8_t *at;              /* PAYLOAD: span, valid in callback */
	size_t len;
	uint64_t payload_offset;        /* PAYLOAD: offset of `at` within the
	                                   frame's payload */
	const char *code;               /* VIOLATION: stable short code */
	const char *text;               /* VIOLATION: sentence quoting the
	                                   RFC rule (static string) */
};

typedef void (*ws_frame_cb)(void *user, const struct ws_frame_event *ev);

#define WS_FRAME_SCRATCH 2048

/* Zero-initialisable except the configuration set by ws_frame_init. */
struct ws_frame_parser {
	/* configuration */
	bool from_client;       /* frames from the client must be masked */
	ws_frame_cb cb;
	void *user;
	/* state, private to ws_frame.c */
	int st;
	uint8_t hbuf[14];       /* header bytes collected so far */
	uint8_t hlen;           /* bytes in hbuf */
	uint8_t hneed;          /* header bytes needed in total */
	struct ws_frame_hdr hdr;
	uint64_t left;          /* payload bytes left in the current frame */
	uint64_t offset;        /* stream offset of the next byte fed */
	uint64_t frames;        /* frames started */
	uint8_t scratch[WS_FRAME_SCRATCH]; /* unmasking buffer */
};

void ws_frame_init(struct ws_frame_parser *p, bool from_client,
		   ws_frame_cb cb, void *user);

/* Feeds len bytes (borrowed); always consumes them all. */
void ws_frame_feed(struct ws_frame_parser *p, const uint8_t *data,
		   size_t len);

/* True when the parser is between frames (nothing partial held). */
bool ws_frame_idle(const struct ws_frame_parser *p);

/* The next n stream bytes are missing (a gap in the capture).  When they
 * fall inside the current frame's payload the parser stays in step: it
 * moves past them (handing nothing out; the frame's END comes as usual)
 * and returns true.  Otherwise the next frame boundary is unknown: the
 * parser is left as it was and false is returned. */
bool ws_frame_skip(struct ws_frame_parser *p, uint64_t n);

/* Unmasks n bytes from src into dst (may be the same buffer), where
 * `phase` is the position of src[0] within the payload (the mask repeats
 * every 4 bytes, RFC 6455 §5.3).  Works a machine word at a time. */
void ws_unmask(uint8_t *dst, const uint8_t *src, size_t n,
	       const uint8_t mask[4], uint64_t phase);

#endif
