/* ws_message.h - WebSocket messages from frames, one direction
 * (RFC 6455 §5.4, §5.5, §7.4, §8.1; RFC 7692 §6).
 *
 * Owns a ws_frame_parser and turns its events into whole messages:
 * fragments joined, control frames (which may arrive between fragments,
 * §5.4) delivered as their own messages, text validated as UTF-8 as the
 * bytes arrive (§8.1, across fragment boundaries), close code and reason
 * checked (§5.5.1, §7.4), RSV bits checked against the negotiated
 * extensions (§5.2), compressed messages inflated through pmd.h when
 * permessage-deflate was negotiated (RFC 7692 §6), with its limits and
 * failures explained in notes: deflate_error (corrupt data, a back
 * reference beyond the negotiated window or before the message's start
 * under no_context_takeover, RSV1 without negotiation: then the payload is
 * tried as raw deflate to say whether the sender compressed anyway),
 * deflate_bomb (a cap or the ratio guard cut the message), deflate_desync
 * (the sync budget ran out; the window is lost) and deflate_undecodable
 * (a message refers back into what wstap could not inflate).
 *
 * Rule violations become notes (callback on_note) naming the frame (its
 * index in this direction and stream offset) and the rule; decoding goes
 * on wherever that is possible.
 *
 * Payload is kept only when cfg.keep_payload is set, up to
 * cfg.max_message bytes per message (one buffer per direction, grown up
 * to the cap and reused: no allocation per message once warm).  Beyond
 * the cap the message is still measured and validated, and marked
 * truncated.
 */
#ifndef WSTAP_WS_MESSAGE_H
#define WSTAP_WS_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ws_frame.h"

struct pmd_stream;

struct ws_message {
	uint8_t opcode;          /* WS_OP_TEXT/BINARY/CLOSE/PING/PONG */
	bool compressed;         /* RSV1 on the first frame, deflate on */
	bool truncated;          /* a cap cut the kept payload */
	bool utf8_valid;         /* text/close reason: valid UTF-8 (always
	                            true for binary, ping, pong) */
	uint64_t wire_length;    /* payload bytes on the wire (all frames) */
	uint64_t length;         /* payload bytes after inflation */
	uint32_t frames;         /* frames this message took */
	uint64_t first_frame;    /* index of its first frame */
	uint64_t offset;         /* stream offset of its first frame */
	const uint8_t *data;     /* kept payload (after inflation), borrowed,
	                            valid during the callback; NULL when not
	                            kept */
	size_t data_len;         /* kept bytes (<= length) */
	/* close frames (§5.5.1): */
	bool has_close_code;
	uint16_t close_code;
	const uint8_t *reason;   /* close reason (inside data), may be NULL */
	size_t reason_len;
};

enum ws_note_level { WS_NOTE_INFO, WS_NOTE_WARN, WS_NOTE_ERROR };

struct ws_msg_callbacks {
	/* A message is complete. */
	void (*on_message)(void *user, const struct ws_message *m);
	/* A rule was broken or something is worth saying.  `code` is a
	 * stable short string, `text` one sentence (valid during the call).
	 * level ERROR means the peer broke a MUST of RFC 6455/7692. */
	void (*on_note)(void *user, enum ws_note_level level, const char *code,
			const char *text);
};

struct ws_msg_cfg {
	bool from_client;        /* direction: client frames must be masked */
	bool deflate;            /* permessage-deflate negotiated: RSV1 allowed
	                            on the first frame of data messages */
	struct pmd_stream *inflater; /* when deflate: inflates this
	                            direction (borrowed; may be NULL, then
	                            compressed messages are measured only) */
	bool keep_payload;       /* keep message payloads for the outputs */
	uint64_t max_message;    /* cap on kept bytes per message */
	uint64_t max_inflate;    /* cap on inflated bytes per message handed
	                            on (--max-inflate); 0: max_message */
};

struct ws_msg_stream {
	struct ws_msg_cfg cfg;
	struct ws_msg_callbacks cb;
	void *user;
	struct ws_frame_parser fp;
	/* private to ws_message.c */
	struct ws_message cur;        /* data message being assembled */
	bool in_data;                 /* a fragmented data message is open */
	struct ws_message ctl;        /* control message being assembled */
	uint8_t ctl_buf[125];         /* control payloads are <= 125 bytes */
	size_t ctl_len;
	uint8_t *buf;                 /* kept payload of the data message */
	size_t buf_len, buf_cap;
	uint32_t utf8_state;          /* incremental UTF-8 validator state */
	uint32_t utf8_ctl_state;
	bool frame_is_control;
	bool frame_ok;                /* current frame is being used */
	uint64_t messages;            /* messages delivered */
	uint64_t violations;          /* ERROR notes */
	bool close_seen;              /* a close frame was delivered */
	bool data_after_close;        /* frames after the close were noted */
	bool in_frame;                /* a frame header was seen, its END
	                                 not yet */
	bool utf8_noted;              /* invalid_utf8 noted for cur */
	bool pmd_failed;              /* inflating cur failed (noted) */
	bool cur_guess;               /* cur has RSV1 without a negotiated
	                                 permessage-deflate: tried with
	                                 `guess` */
	struct pmd_stream *guess;     /* raw-deflate inflater for such
	                                 messages (owned, made when first
	                                 needed) */
	bool keep_failed;             /* allocation failed: keep no more of
	                                 cur */
	bool lost;                    /* a gap took bytes of cur */
	bool orphans;                 /* continuations of a message lost to a
	                                 gap (or begun before the capture)
	                                 may come: dropped quietly */
};

void ws_msg_init(struct ws_msg_stream *s, const struct ws_msg_cfg *cfg,
		 const struct ws_msg_callbacks *cb, void *user);

/* Feeds stream bytes (borrowed); consumes all. */
void ws_msg_feed(struct ws_msg_stream *s, const uint8_t *data, size_t len);

/* The stream ended: a message or frame left partial is delivered as
 * truncated (on_message with truncated set) and noted. */
void ws_msg_finish(struct ws_msg_stream *s);

/* n stream bytes are missing (a gap in the capture).  The message they
 * belong to is marked truncated (its text is no longer checked as UTF-8,
 * a compressed one is no longer inflated, and neither is any later one:
 * the inflater's window lacks the missing bytes).  Returns true when
 * framing stays in step (the gap fell inside a frame's payload); false
 * when the next frame boundary is unknown: then the open message has been
 * delivered as truncated, the parser starts afresh, and the caller must
 * find a boundary and set fp.offset before feeding again. */
bool ws_msg_gap(struct ws_msg_stream *s, uint64_t n);

/* Frees the kept-payload buffer and the guess inflater. */
void ws_msg_free(struct ws_msg_stream *s);

#endif
