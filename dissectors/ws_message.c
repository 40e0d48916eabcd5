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

/* The inflater of the current message: the negotiated one, or the guess
 * for RSV1 without negotiation. */
static struct pmd_stream *active(const struct ws_msg_stream *s)
{
	return s->cur_guess ? s->guess : s->cfg.inflater;
}

static bool inflating(const struct ws_msg_stream *s)
{
	return s->cur.compressed && active(s);
}

/* "server" for the server's frames: the prefix of the RFC 7692
 * parameters that govern this direction's sender. */
static const char *sender(const struct ws_msg_stream *s)
{
	return s->cfg.from_client ? "client" : "server";
}

static void deflate_failed(struct ws_msg_stream *s)
{
	struct pmd_stream *p = active(s);
	const char *who = sender(s);
	unsigned window = 1u << pmd_window_bits(p);
	char text[400];

	s->pmd_failed = true;
	if (s->cur_guess)
		return; /* said with the outcome when the message ends */
	switch (pmd_error_kind(p)) {
	case PMD_ERR_DISTANCE:
		/* zlib inflates with a full window: "too far back" means
		 * before the deflate stream's start. */
		if (pmd_no_takeover(p))
			snprintf(text, sizeof(text), "the message refers back "
				 "to data before its start although "
				 "%s_no_context_takeover was negotiated (RFC "
				 "7692 §7.1.1: each message starts with an empty "
				 "window)", who);
		else
			snprintf(text, sizeof(text), "the message refers back "
				 "to data before the %s's deflate stream began "
				 "(its first compressed message, or the first "
				 "after a final block)", who);
		note(s, WS_NOTE_ERROR, "deflate_error", &s->fp.hdr, text);
		return;
	case PMD_ERR_HISTORY:
		/* Not the sender's fault: the window holds what wstap
		 * skipped or failed on earlier. */
		snprintf(text, sizeof(text), "the message refers back into "
			 "an earlier one that was not inflated to its end (the "
			 "%s's window is lost until %u new bytes have passed): "
			 "it cannot be decoded", who, window);
		note(s, WS_NOTE_WARN, "deflate_undecodable", &s->fp.hdr, text);
		return;
	case PMD_ERR_MEMORY:
		note(s, WS_NOTE_WARN, "memory", &s->fp.hdr,
		     "out of memory while inflating; the message is not "
		     "decoded");
		return;
	default:
		break;
	}
	snprintf(text, sizeof(text), "permessage-deflate data does not "
		 "inflate (RFC 7692 §6.2): %s", pmd_error(p));
	note(s, WS_NOTE_ERROR, "deflate_error", &s->fp.hdr, text);
}

static unsigned long long ratio(uint64_t out, uint64_t in)
{
	return (unsigned long long)(in ? out / in : out);
}

/* The notes a compressed message earns when it is delivered: a cut by a
 * limit, the budget running out, or RSV1 without negotiation. */
static void inflate_notes(struct ws_msg_stream *s)
{
	struct pmd_stream *p = active(s);
	const struct ws_message *m = &s->cur;
	uint64_t out = pmd_out_total(p), wire = m->wire_length;
	enum pmd_cut cut = pmd_cut(p);
	char text[400];

	if (s->cur_guess) {
		/* Notes are kept to NOTE_TEXT_MAX (240) with their "dir:
		 * frame N at offset O: " prefix: said short. */
		if (!s->pmd_failed && out == 0 && wire > 0)
			snprintf(text, sizeof(text), "RSV1 set but no "
				 "permessage-deflate was negotiated (RFC 6455 "
				 "§5.2); the payload is not recognisable as raw "
				 "deflate (it inflates to nothing)");
		else if (!s->pmd_failed)
			snprintf(text, sizeof(text), "RSV1 set but no "
				 "permessage-deflate was negotiated (RFC 6455 "
				 "§5.2); the payload inflates as raw deflate to "
				 "%llu bytes, so the sender compressed anyway "
				 "(a proxy dropped the extension?)",
				 (unsigned long long)out);
		else
			snprintf(text, sizeof(text), "RSV1 set but no "
				 "permessage-deflate was negotiated (RFC 6455 "
				 "§5.2); the payload is not raw deflate either "
				 "(zlib: %s)", pmd_error(p));
		note(s, WS_NOTE_ERROR, "deflate_error", &s->fp.hdr, text);
	}
	uint64_t at = 0;
	uint32_t dist = pmd_window_violation(p, &at);
	if (dist && !s->cur_guess) {
		int wb = pmd_window_bits(p);
		/* The bytes were there (wstap inflates with 15 bits), so
		 * the message is shown; a peer holding only the negotiated
		 * window fails on it ("invalid distance too far back"). */
		snprintf(text, sizeof(text), "a back reference at byte %llu "
			 "reaches %u bytes back, past the %u-byte window: the "
			 "%s compressed with a larger window than the "
			 "negotiated %s_max_window_bits=%d (RFC 7692 §7.1.2)",
			 (unsigned long long)at, dist, 1u << wb, sender(s),
			 sender(s), wb);
		note(s, WS_NOTE_ERROR, "deflate_error", &s->fp.hdr, text);
	}
	if (cut != PMD_CUT_NONE) {
		int l;
		if (cut == PMD_CUT_CAP)
			l = snprintf(text, sizeof(text), "inflates to %s%llu "
				     "bytes from %llu on the wire (%llu:1), "
				     "more than --max-inflate (%llu): cut",
				     pmd_skipped(p) ? "at least " : "",
				     (unsigned long long)out,
				     (unsigned long long)wire, ratio(out, wire),
				     (unsigned long long)s->cfg.max_inflate);
		else
			l = snprintf(text, sizeof(text), "inflates to %s%llu "
				     "bytes from %llu on the wire (%llu:1): a "
				     "deflate bomb (over %u:1 past %u bytes), "
				     "cut", pmd_skipped(p) ? "at least " : "",
				     (unsigned long long)out,
				     (unsigned long long)wire, ratio(out, wire),
				     (unsigned)pmd_guard_ratio(p),
				     (unsigned)pmd_guard_min(p));
		if (l > 0 && (size_t)l < sizeof(text))
			snprintf(text + l, sizeof(text) - (size_t)l, "; %s",
				 pmd_desynced(p) ? "inflating stopped at the "
				 "budget" : pmd_skipped(p) ? "the rest not "
				 "inflated (no context takeover)" : "the rest "
				 "inflated and discarded to keep the window in "
				 "sync");
		note(s, WS_NOTE_WARN, "deflate_bomb", &s->fp.hdr, text);
	}
	if (pmd_desynced(p)) {
		snprintf(text, sizeof(text), "inflating stopped after %llu "
			 "bytes (the budget per message); the %s's window is "
			 "lost: later messages referring back into it cannot be "
			 "decoded", (unsigned long long)out, sender(s));
		note(s, WS_NOTE_WARN, "deflate_desync", &s->fp.hdr, text);
	}
}

/* Delivers cur; `cut` when it did not end with a FIN frame. */
static void deliver_data(struct ws_msg_stream *s, bool cut)
{
	struct ws_message *m = &s->cur;
	bool kept = s->cfg.keep_payload;

	if (inflating(s)) {
		m->length = pmd_out_total(active(s));
		if (pmd_truncated(active(s)))
			m->truncated = true;
		inflate_notes(s);
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
	 * compressed, when the extension was negotiated.  Without it RSV1
	 * is an error (RFC 6455 §5.2); the payload is tried as raw deflate
	 * with a 15-bit window to tell whether the sender compressed
	 * anyway. */
	m->compressed = (h->rsv & 0x4) != 0;
	s->cur_guess = m->compressed && !s->cfg.deflate;
	if (s->cur_guess && !s->guess)
		s->guess = pmd_new(15, false);
	m->utf8_valid = true;
	m->first_frame = h->index;
	m->offset = h->offset;
	s->buf_len = 0;
	s->utf8_state = UTF8_ACCEPT;
	s->utf8_noted = false;
	s->pmd_failed = false;
	s->keep_failed = false;
	s->lost = false;
	s->in_data = true;
	if (inflating(s))
		pmd_begin(active(s), s->cfg.max_inflate);
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
	uint8_t bad = h->rsv & ~allowed & 0x7;

	/* RSV1 opening a data message without the extension is told as a
	 * deflate_error when the message ends (with whether it inflates). */
	if (!s->cfg.deflate &&
	    (h->opcode == WS_OP_TEXT || h->opcode == WS_OP_BINARY))
		bad &= (uint8_t)~0x4;
	if (bad)
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
		s->orphans = false;
		start_data(s, h);
		s->cur.frames = 1;
		s->cur.wire_length = h->length;
		s->frame_ok = true;
		break;
	case WS_OP_CONT:
		if (!s->in_data) {
			if (s->orphans)
				break; /* the rest of a lost message */
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
		if (!active(s) || s->pmd_failed)
			return;
		if (!pmd_feed(active(s), at, len, pmd_sink_cb, s))
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
	    !pmd_end(active(s), pmd_sink_cb, s))
		deflate_failed(s);
	/* A text message must not end inside a code point.  Skip that test
	 * when the validator did not see every byte: corrupt deflate data,
	 * inflated output cut at the cap, or nothing inflated at all. */
	check_tail = s->cur.opcode == WS_OP_TEXT;
	if (s->cur.compressed)
		check_tail = check_tail && inflating(s) && !s->pmd_failed &&
			     !pmd_truncated(active(s));
	if (check_tail && !s->lost && s->utf8_state != UTF8_ACCEPT)
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
	if (!s->cfg.max_inflate)
		s->cfg.max_inflate = s->cfg.max_message;
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

/* A gap took bytes of the data message being assembled. */
static void cur_lost(struct ws_msg_stream *s, uint64_t n)
{
	char text[160];

	if (!s->lost) {
		snprintf(text, sizeof(text), "%" PRIu64 " bytes of this message "
			 "are missing from the capture; it is marked truncated",
			 n);
		note(s, WS_NOTE_WARN, "gap_in_message", &s->fp.hdr, text);
	}
	s->lost = true;
	s->cur.truncated = true;
	/* Validation needs every byte: what follows the hole may sit in the
	 * middle of a code point. */
	s->utf8_state = UTF8_REJECT;
	s->utf8_noted = true;
	if (s->cur.compressed)
		s->pmd_failed = true;
}

bool ws_msg_gap(struct ws_msg_stream *s, uint64_t n)
{
	if (s->cfg.inflater) {
		/* RFC 7692 §7.2.2: with context takeover each message is
		 * inflated with the window of those before it, which now
		 * lacks bytes; later compressed messages are measured only. */
		note(s, WS_NOTE_INFO, "inflate_stopped", &s->fp.hdr,
		     "a gap in the capture broke the inflate window; later "
		     "compressed messages are measured, not inflated");
		if (s->in_data && s->cur.compressed)
			cur_lost(s, n); /* before the inflater goes */
		s->cfg.inflater = NULL;
	}
	if (s->in_frame && s->frame_ok) {
		if (s->frame_is_control)
			s->ctl.truncated = true;
		else
			cur_lost(s, n);
	} else if (s->in_data) {
		cur_lost(s, n); /* the gap may hold fragments of it */
	}
	if (ws_frame_skip(&s->fp, n))
		return true;
	uint64_t offset = s->fp.offset, frames = s->fp.frames;
	if (s->in_frame && s->frame_ok && s->frame_is_control)
		deliver_ctl(s, &s->fp.hdr);
	if (s->in_data) {
		deliver_data(s, true);
		s->orphans = true;
	}
	s->in_frame = false;
	s->frame_ok = false;
	s->frame_is_control = false;
	ws_frame_init(&s->fp, s->cfg.from_client, frame_cb, s);
	s->fp.offset = offset + n;
	s->fp.frames = frames;
	return false;
}

void ws_msg_free(struct ws_msg_stream *s)
{
	free(s->buf);
	s->buf = NULL;
	pmd_free(s->guess);
	s->guess = NULL;
	s->buf_len = 0;
	s->buf_cap = 0;
}
