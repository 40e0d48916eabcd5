/* ws_message.c - WebSocket messages from frames, one direction
 * (RFC 6455 §5.4, §5.5, §7.4, §8.1; RFC 7692 §6).
 *
 * Frame events from the owned ws_frame_parser arrive in frame_cb; a data
 * message is assembled in `cur` across its fragments, a control frame in
 * `ctl` (control frames may sit between the fragments of a data message,
 * §5.4, so the two are kept apart).  Everything a peer does wrong becomes
 * a note naming the frame; decoding goes on wherever the next step is
 * still well defined.
 */
#include "ws_message.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmd.h"
#include "utf8.h"

/* First allocation of the kept-payload buffer; it then doubles. */
#define WS_MSG_BUF_MIN 4096

/* Kept but empty payloads point here, so that data == NULL keeps meaning
 * "not kept". */
static const uint8_t empty_payload[1];

static void note(struct ws_msg_stream *s, enum ws_note_level level,
		 const char *code, const struct ws_frame_hdr *h,
		 const char *text)
{
	char buf[512];

	if (level == WS_NOTE_ERROR)
		s->violations++;
	if (!s->cb.on_note)
		return;
	snprintf(buf, sizeof(buf), "frame %" PRIu64 " at offset %" PRIu64
		 ": %s", h->index, h->offset, text);
	s->cb.on_note(s->user, level, code, buf);
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

/* Grows buf to hold at least `need` bytes, doubling, never past `cap`. */
static bool buf_grow(struct ws_msg_stream *s, size_t need, size_t cap)
{
	size_t n = s->buf_cap ? s->buf_cap : WS_MSG_BUF_MIN;
	uint8_t *nb;

	while (n < need) {
		if (n > cap / 2) {
			n = cap;
			break;
		}
		n *= 2;
	}
	if (n > cap)
		n = cap;
	if (n < need)
		return false;
	nb = realloc(s->buf, n);
	if (!nb)
		return false;
	s->buf = nb;
	s->buf_cap = n;
	return true;
}

/* Keeps payload bytes of cur, up to the cap. */
static void keep(struct ws_msg_stream *s, const uint8_t *d, size_t n)
{
	uint64_t cap64 = s->cfg.max_message;
	size_t cap = cap64 > SIZE_MAX ? SIZE_MAX : (size_t)cap64;
	size_t room, take;

	if (s->keep_failed)
		return;
	room = s->buf_len < cap ? cap - s->buf_len : 0;
	take = n > room ? room : n;
	if (take < n)
		s->cur.truncated = true;
	if (take == 0)
		return;
	if (take > s->buf_cap - s->buf_len &&
	    !buf_grow(s, s->buf_len + take, cap)) {
		/* Keep what we have; the message is still measured and
		 * validated, only the kept copy stops here. */
		s->keep_failed = true;
		s->cur.truncated = true;
		note(s, WS_NOTE_WARN, "memory", &s->fp.hdr,
		     "out of memory: the rest of this message's payload "
		     "is not kept");
		return;
	}
	memcpy(s->buf + s->buf_len, d, take);
	s->buf_len += take;
}

static void utf8_bad(struct ws_msg_stream *s)
{
	s->cur.utf8_valid = false;
	if (s->utf8_noted)
		return;
	s->utf8_noted = true;
	note(s, WS_NOTE_ERROR, "invalid_utf8", &s->fp.hdr,
	     "text message is not valid UTF-8 (RFC 6455 §8.1: a text "
	     "payload that is not valid UTF-8 MUST fail the connection)");
}

/* Payload bytes of the data message as the application sees them: raw,
 * or inflated. */
static void data_bytes(struct ws_msg_stream *s, const uint8_t *d, size_t n)
{
	/* §8.1: validated incrementally, so a code point split across
	 * fragments (or TCP segments, or inflate output pieces) is judged
	 * whole. */
	if (s->cur.opcode == WS_OP_TEXT && s->utf8_state != UTF8_REJECT) {
		s->utf8_state = utf8_validate(s->utf8_state, d, n);
		if (s->utf8_state == UTF8_REJECT)
			utf8_bad(s);
	}
	if (s->cfg.keep_payload)
		keep(s, d, n);
}

static void pmd_sink_cb(void *ctx, const uint8_t *data, size_t len)
{
	data_bytes(ctx, data, len);
}

static void deflate_failed(struct ws_msg_stream *s)
{
	char text[256];

	s->pmd_failed = true;
	snprintf(text, sizeof(text), "permessage-deflate data does not "
		 "inflate (RFC 7692 §6.2): %s", pmd_error(s->cfg.inflater));
	note(s, WS_NOTE_ERROR, "deflate_error", &s->fp.hdr, text);
}

static bool inflating(const struct ws_msg_stream *s)
{
	return s->cur.compressed && s->cfg.inflater;
}

/* Delivers cur; `cut` when it did not end with a FIN frame. */
static void deliver_data(struct ws_msg_stream *s, bool cut)
{
	struct ws_message *m = &s->cur;
	bool kept = s->cfg.keep_payload;

	if (inflating(s)) {
		m->length = pmd_out_total(s->cfg.inflater);
		if (pmd_truncated(s->cfg.inflater))
			m->truncated = true;
	} else if (m->compressed) {
		/* No inflater: measured on the wire only, not kept. */
		m->length = m->wire_length;
		kept = false;
	}
	if (cut)
		m->truncated = true;
	m->data = kept ? (s->buf ? s->buf : empty_payload) : NULL;
	m->data_len = kept ? s->buf_len : 0;
	s->in_data = false;
	s->messages++;
	if (s->cb.on_message)
		s->cb.on_message(s->user, m);
}

static void start_data(struct ws_msg_stream *s, const struct ws_frame_hdr *h)
{
	struct ws_message *m = &s->cur;

	memset(m, 0, sizeof(*m));
	m->opcode = h->opcode;
	/* RFC 7692 §6: RSV1 on the first frame marks the message as
	 * compressed, when the extension was negotiated. */
	m->compressed = s->cfg.deflate && (h->rsv & 0x4);
	m->utf8_valid = true;
	m->first_frame = h->index;
	m->offset = h->offset;
	s->buf_len = 0;
	s->utf8_state = UTF8_ACCEPT;
	s->utf8_noted = false;
	s->pmd_failed = false;
	s->keep_failed = false;
	s->in_data = true;
	if (inflating(s))
		pmd_begin(s->cfg.inflater, s->cfg.max_message);
}

static void start_ctl(struct ws_msg_stream *s, const struct ws_frame_hdr *h)
{
	struct ws_message *m = &s->ctl;

	memset(m, 0, sizeof(*m));
	m->opcode = h->opcode;
	m->utf8_valid = true;
	m->wire_length = h->length;
	m->frames = 1;
	m->first_frame = h->index;
	m->offset = h->offset;
	s->ctl_len = 0;
	s->utf8_ctl_state = UTF8_ACCEPT;
}

/* §7.4: may this code appear in a Close frame? */
static const char *close_code_problem(uint16_t code)
{
	if (code < 1000)
		return "is not used (RFC 6455 §7.4.2: 0-999 are not used)";
	if (code == 1004)
		return "is reserved (RFC 6455 §7.4.1)";
	if (code == 1005 || code == 1006 || code == 1015)
		return "MUST NOT be set in a Close frame (RFC 6455 §7.4.1: it "
		       "is only for reporting locally)";
	if (code >= 1016 && code <= 2999)
		return "is reserved for this protocol and its extensions and "
		       "not assigned (RFC 6455 §7.4.2)";
	if (code >= 5000)
		return "is outside the defined ranges (RFC 6455 §7.4.2: "
		       "codes run from 0 to 4999)";
	/* 1000-1003, 1007-1014 (1012-1014 registered with IANA),
	 * 3000-4999 (registered and private use). */
	return NULL;
}

static void parse_close(struct ws_msg_stream *s, struct ws_message *m,
			const struct ws_frame_hdr *h)
{
	const char *problem;
	char text[256];
	uint32_t st;

	if (s->ctl_len < 2) {
		/* §5.5.1: if there is a body, its first two bytes are the
		 * status code, so a 1-byte body cannot be right. */
		if (s->ctl_len == 1 && !m->truncated)
			note(s, WS_NOTE_ERROR, "close_payload_1", h,
			     "close frame with a 1-byte payload (RFC 6455 "
			     "§5.5.1: a body MUST begin with a 2-byte status "
			     "code)");
		return;
	}
	m->has_close_code = true;
	m->close_code = (uint16_t)((s->ctl_buf[0] << 8) | s->ctl_buf[1]);
	problem = close_code_problem(m->close_code);
	if (problem) {
		snprintf(text, sizeof(text), "close code %u %s",
			 (unsigned)m->close_code, problem);
		note(s, WS_NOTE_ERROR, "bad_close_code", h, text);
	}
	m->reason_len = s->ctl_len - 2;
	m->reason = m->reason_len ? s->ctl_buf + 2 : NULL;
	/* §5.5.1: the reason "is not guaranteed to be human readable" but
	 * is UTF-8 encoded; an incomplete last code point only counts when
	 * the payload was not cut. */
	st = utf8_validate(UTF8_ACCEPT, s->ctl_buf + 2, m->reason_len);
	s->utf8_ctl_state = st;
	if (st == UTF8_REJECT || (st != UTF8_ACCEPT && !m->truncated)) {
		m->utf8_valid = false;
		note(s, WS_NOTE_ERROR, "invalid_utf8", h,
		     "close reason is not valid UTF-8 (RFC 6455 §5.5.1: the "
		     "body after the status code is UTF-8-encoded data)");
	}
}

static void deliver_ctl(struct ws_msg_stream *s, const struct ws_frame_hdr *h)
{
	struct ws_message *m = &s->ctl;

	/* Control payloads are at most 125 bytes (§5.5) and sit in a fixed
	 * buffer, so they are always kept: the close code and reason are
	 * needed for the verdict whatever keep_payload says. */
	m->data = s->ctl_len ? s->ctl_buf : empty_payload;
	m->data_len = s->ctl_len;
	if (m->opcode == WS_OP_CLOSE)
		parse_close(s, m, h);
	s->messages++;
	if (s->cb.on_message)
		s->cb.on_message(s->user, m);
	if (m->opcode == WS_OP_CLOSE)
		s->close_seen = true;
}

/* §5.2 RSV1-3 "MUST be 0 unless an extension is negotiated that defines
 * meanings"; permessage-deflate defines RSV1 only, and only on the first
 * frame of a data message (RFC 7692 §6.1). */
static void check_rsv(struct ws_msg_stream *s, const struct ws_frame_hdr *h)
{
	uint8_t allowed = s->cfg.deflate ? 0x4 : 0;

	if (h->rsv & ~allowed & 0x7)
		note(s, WS_NOTE_ERROR, "rsv_without_extension", h,
		     "RSV bit set without a negotiated extension defining it "
		     "(RFC 6455 §5.2: RSV1-3 MUST be 0 unless an extension "
		     "defines them)");
	if (!(h->rsv & allowed))
		return;
	if (h->opcode & 0x8)
		note(s, WS_NOTE_ERROR, "rsv1_on_control", h,
		     "RSV1 set on a control frame (RFC 7692 §6.1: an endpoint "
		     "MUST NOT set RSV1 on control frames)");
	else if (h->opcode == WS_OP_CONT)
		note(s, WS_NOTE_ERROR, "rsv1_on_continuation", h,
		     "RSV1 set on a continuation frame (RFC 7692 §6.1: RSV1 "
		     "is set on the first frame of a message only)");
}

static void on_header(struct ws_msg_stream *s, const struct ws_frame_hdr *h)
{
	s->in_frame = true;
	s->frame_ok = false;
	s->frame_is_control = false;

	/* §5.5.1: after sending a Close frame "the endpoint MUST NOT send
	 * any more data frames"; noted once per direction. */
	if (s->close_seen && !s->data_after_close) {
		s->data_after_close = true;
		note(s, WS_NOTE_ERROR, "data_after_close", h,
		     "frame after a close frame (RFC 6455 §5.5.1: after "
		     "sending a Close frame an endpoint MUST NOT send more "
		     "data frames)");
	}
	check_rsv(s, h);

	switch (h->opcode) {
	case WS_OP_CLOSE:
	case WS_OP_PING:
	case WS_OP_PONG:
		/* §5.4: control frames MAY be injected in the middle of a
		 * fragmented message; they leave it alone. */
		start_ctl(s, h);
		s->frame_is_control = true;
		s->frame_ok = true;
		break;
	case WS_OP_TEXT:
	case WS_OP_BINARY:
		if (s->in_data) {
			/* §5.4: fragments of one message are not
			 * interleaved with another's; the open one never
			 * gets its FIN. */
			note(s, WS_NOTE_ERROR, "interleaved_data", h,
			     "new data frame while a fragmented message is "
			     "open (RFC 6455 §5.4: fragments of different "
			     "messages MUST NOT be interleaved)");
			deliver_data(s, true);
		}
		start_data(s, h);
		s->cur.frames = 1;
		s->cur.wire_length = h->length;
		s->frame_ok = true;
		break;
	case WS_OP_CONT:
		if (!s->in_data) {
			note(s, WS_NOTE_ERROR, "unexpected_continuation", h,
			     "continuation frame with no message open (RFC 6455 "
			     "§5.4: a fragmented message starts with a text or "
			     "binary frame)");
			break;
		}
		if (s->cur.frames < UINT32_MAX)
			s->cur.frames++;
		s->cur.wire_length = add_sat(s->cur.wire_length, h->length);
		s->frame_ok = true;
		break;
	default:
		/* Reserved opcode, noted by the frame parser: the payload
		 * means nothing we know, skip it. */
		break;
	}
}

static void on_payload(struct ws_msg_stream *s, const uint8_t *at, size_t len)
{
	if (!s->frame_ok)
		return;
	if (s->frame_is_control) {
		size_t room = sizeof(s->ctl_buf) - s->ctl_len;
		size_t take = len > room ? room : len;

		/* Over-long control frames (noted by the frame parser) keep
		 * their first 125 bytes. */
		s->ctl.length = add_sat(s->ctl.length, len);
		memcpy(s->ctl_buf + s->ctl_len, at, take);
		s->ctl_len += take;
		if (take < len)
			s->ctl.truncated = true;
		return;
	}
	if (s->cur.compressed) {
		if (!s->cfg.inflater || s->pmd_failed)
			return;
		if (!pmd_feed(s->cfg.inflater, at, len, pmd_sink_cb, s))
			deflate_failed(s);
		return;
	}
	s->cur.length = add_sat(s->cur.length, len);
	data_bytes(s, at, len);
}

static void on_end(struct ws_msg_stream *s, const struct ws_frame_hdr *h)
{
	bool check_tail;

	s->in_frame = false;
	if (!s->frame_ok)
		return;
	s->frame_ok = false;
	if (s->frame_is_control) {
		s->frame_is_control = false;
		deliver_ctl(s, h);
		return;
	}
	if (!h->fin)
		return;
	if (inflating(s) && !s->pmd_failed &&
	    !pmd_end(s->cfg.inflater, pmd_sink_cb, s))
		deflate_failed(s);
	/* A text message must not end inside a code point.  Skip that test
	 * when the validator did not see every byte: corrupt deflate data,
	 * inflated output cut at the cap, or nothing inflated at all. */
	check_tail = s->cur.opcode == WS_OP_TEXT;
	if (s->cur.compressed)
		check_tail = check_tail && inflating(s) && !s->pmd_failed &&
			     !pmd_truncated(s->cfg.inflater);
	if (check_tail && s->utf8_state != UTF8_ACCEPT)
		utf8_bad(s);
	deliver_data(s, false);
}

static void frame_cb(void *user, const struct ws_frame_event *ev)
{
	struct ws_msg_stream *s = user;

	switch (ev->type) {
	case WS_FRAME_EV_HEADER:
		on_header(s, ev->hdr);
		break;
	case WS_FRAME_EV_PAYLOAD:
		on_payload(s, ev->at, ev->len);
		break;
	case WS_FRAME_EV_END:
		on_end(s, ev->hdr);
		break;
	case WS_FRAME_EV_VIOLATION:
		note(s, WS_NOTE_ERROR, ev->code, ev->hdr, ev->text);
		break;
	}
}

void ws_msg_init(struct ws_msg_stream *s, const struct ws_msg_cfg *cfg,
		 const struct ws_msg_callbacks *cb, void *user)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->cb = *cb;
	s->user = user;
	s->utf8_state = UTF8_ACCEPT;
	s->utf8_ctl_state = UTF8_ACCEPT;
	ws_frame_init(&s->fp, cfg->from_client, frame_cb, s);
}

void ws_msg_feed(struct ws_msg_stream *s, const uint8_t *data, size_t len)
{
	ws_frame_feed(&s->fp, data, len);
}

void ws_msg_finish(struct ws_msg_stream *s)
{
	const struct ws_frame_hdr *h = &s->fp.hdr;
	uint64_t offset = s->fp.offset, frames = s->fp.frames;

	if (s->in_frame && s->frame_ok && s->frame_is_control) {
		s->ctl.truncated = true;
		note(s, WS_NOTE_WARN, "truncated_message", h,
		     "stream ended inside a control frame");
		deliver_ctl(s, h);
	}
	if (s->in_data) {
		note(s, WS_NOTE_WARN, "truncated_message", h,
		     "stream ended inside a message");
		deliver_data(s, true);
	} else if (!s->in_frame && !ws_frame_idle(&s->fp)) {
		note(s, WS_NOTE_INFO, "truncated_message", h,
		     "stream ended inside a frame header");
	}
	s->in_frame = false;
	s->frame_ok = false;
	s->frame_is_control = false;
	/* Start over so a second finish says nothing more; the stream
	 * position and frame count stay. */
	ws_frame_init(&s->fp, s->cfg.from_client, frame_cb, s);
	s->fp.offset = offset;
	s->fp.frames = frames;
}

void ws_msg_free(struct ws_msg_stream *s)
{
	free(s->buf);
	s->buf = NULL;
	s->buf_len = 0;
	s->buf_cap = 0;
}
