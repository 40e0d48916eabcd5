/* leg_resync.c - a leg's RESYNC lane: finding where decoding can resume
 * after a gap, or where it can start on a connection picked up midstream.
 *
 * Bytes are scanned for a boundary to trust: an HTTP start line at the
 * start of a line (http_resync.c), a chain of plausible WebSocket frame
 * headers (ws_resync.c), or, at the very first byte of a midstream leg, a
 * TLS record header.  The earliest candidate wins; while it needs more
 * bytes to be judged, bytes are buffered (capped per direction and over
 * all legs).  The lane found takes over at the candidate's offset and the
 * skipped bytes are reported.  On a midstream leg the first boundary also
 * settles who the client is: a request line or masked frames (RFC 6455
 * §5.1: only clients mask) are the client's.
 *
 * Overlap notes (bytes re-sent with different content) live here too:
 * they are the other way a capture's stream can disagree with itself.
 */
#include "leg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_resync.h"
#include "ws_resync.h"

/* Bytes one direction may buffer while a candidate waits to be judged:
 * room for a few ordinary frames after the first header (and one large
 * one, see leg_resync_feed). */
#define RESYNC_DIR_MAX (256 * 1024)
/* A frame longer than this is taken for noise while resynchronising. */
#define RESYNC_MAX_FRAME (64ull * 1024 * 1024)

enum rs_mode {
	RS_ANY,   /* midstream start: HTTP, TLS or WebSocket */
	RS_HTTP,  /* after a gap in HTTP: a start line */
	RS_WS,    /* after a gap in WebSocket: a frame chain */
};

struct resync {
	enum rs_mode mode;
	bool after_gap;
	uint8_t *buf;        /* bytes from buf_off on, while undecided */
	size_t len;
	uint64_t buf_off;    /* stream offset of buf[0] */
	uint64_t begin;      /* stream offset where this search began */
	uint64_t skipped;    /* bytes given up so far */
	size_t scan;         /* candidates before buf[scan] were rejected */
	bool cap_noted;
};

enum found { F_NONE, F_PENDING, F_HTTP_REQ, F_HTTP_RESP, F_TLS, F_WS };

struct cand {
	enum found what;
	size_t at;                   /* index of the candidate */
	struct ws_resync_chain chain;
};

static struct sess_stats *stats(struct leg_state *ls)
{
	return analyzer_stats_rw(ls->an);
}

static size_t global_cap(struct leg_state *ls)
{
	return analyzer_cfg(ls->an)->memcap / 16; /* see analyzer_new */
}

static void rs_drop_buf(struct leg_state *ls, struct resync *rs)
{
	stats(ls)->resync_buffered -= rs->len;
	free(rs->buf);
	rs->buf = NULL;
	rs->len = 0;
	rs->scan = 0;
}

void leg_resync_start(struct leg_state *ls, int dir, bool after_gap)
{
	struct lane_dir *d = &ls->d[dir];
	struct resync *rs = d->rs;

	if (!rs) {
		rs = calloc(1, sizeof *rs);
		if (!rs) {
			d->lane = LANE_OPAQUE;
			return;
		}
		d->rs = rs;
	}
	rs_drop_buf(ls, rs);
	if (d->ws)
		rs->mode = RS_WS;
	else if (after_gap && ls->pub.client_known)
		rs->mode = RS_HTTP;
	else
		rs->mode = RS_ANY;
	rs->after_gap = after_gap;
	rs->buf_off = rs->begin = d->offset;
	rs->skipped = 0;
	d->lane = LANE_RESYNC;
}

/* Is the byte at index i (stream offset off + i) the start of a line? */
static bool line_start(const struct resync *rs, const uint8_t *p, size_t i,
		       uint64_t off)
{
	if (i > 0)
		return p[i - 1] == '\n';
	return off == rs->begin;
}

/* The earliest candidate at or after `from` in the n bytes at p, whose
 * first byte has stream offset `off`. */
static struct cand find(struct leg_state *ls, int dir, const struct resync *rs,
			const uint8_t *p, size_t n, size_t from, uint64_t off,
			bool final)
{
	struct cand c = { F_NONE, n, { 0, false, false } };
	bool known = ls->pub.client_known;
	struct ws_resync_params prm = {
		.masked = rs->mode == RS_WS || known ? dir == DIR_CLIENT : -1,
		/* The handshake that would say whether permessage-deflate
		 * is on may be missing: RSV1 is allowed then. */
		.allow_rsv1 = ls->hs.deflate.on || rs->mode == RS_ANY ||
			      ls->pub.ws_midstream,
		.max_length = RESYNC_MAX_FRAME,
	};

	for (size_t i = from; i < n; i++) {
		if (rs->mode != RS_WS && line_start(rs, p, i, off)) {
			enum http_resync_result r = http_resync_line(p + i, n - i);
			/* Once roles are known, a request line only counts
			 * from the client and a status line from the server. */
			if (known && r == HTTP_RESYNC_REQUEST && dir != DIR_CLIENT)
				r = HTTP_RESYNC_NO;
			if (known && r == HTTP_RESYNC_RESPONSE && dir != DIR_SERVER)
				r = HTTP_RESYNC_NO;
			if (r == HTTP_RESYNC_REQUEST || r == HTTP_RESYNC_RESPONSE) {
				c.what = r == HTTP_RESYNC_REQUEST ? F_HTTP_REQ :
								    F_HTTP_RESP;
				c.at = i;
				return c;
			}
			if (r == HTTP_RESYNC_MORE && !final) {
				c.what = F_PENDING;
				c.at = i;
				return c;
			}
		}
		if (rs->mode == RS_ANY && off + i == 0 &&
		    tls_looks_like_record(p, n)) {
			c.what = F_TLS;
			c.at = 0;
			return c;
		}
		if (rs->mode == RS_HTTP)
			continue;
		enum ws_resync_result w = ws_resync_check(p + i, n - i, &prm,
							  final, &c.chain);
		if (w == WS_RESYNC_ACCEPT) {
			c.what = F_WS;
			c.at = i;
			return c;
		}
		if (w == WS_RESYNC_PENDING) {
			c.what = F_PENDING;
			c.at = i;
			return c;
		}
	}
	return c;
}

/* Midstream: the first sender was the server.  Both directions' states
 * change places (nothing in them points at itself yet: neither lane has
 * started a parser). */
static void swap_roles(struct leg_state *ls)
{
	struct leg *l = &ls->pub;
	struct lane_dir t = ls->d[0];
	struct addr_port a = l->client;
	uint64_t b = l->tcp_bytes[0];
	bool f = l->fin[0], r = l->rst[0];

	ls->d[0] = ls->d[1];
	ls->d[1] = t;
	for (int i = 0; i < 2; i++)
		ls->d[i].dir = i;
	l->client = l->server;
	l->server = a;
	l->tcp_bytes[0] = l->tcp_bytes[1];
	l->tcp_bytes[1] = b;
	l->fin[0] = l->fin[1];
	l->fin[1] = f;
	l->rst[0] = l->rst[1];
	l->rst[1] = r;
	ls->swapped = !ls->swapped;
}

static bool can_swap(const struct leg_state *ls)
{
	for (int i = 0; i < 2; i++)
		if (ls->d[i].http_ready || ls->d[i].ws ||
		    (ls->d[i].lane != LANE_RESYNC && ls->d[i].lane != LANE_HTTP))
			return false;
	return true;
}

/* The candidate's sender is (is_client) the client: settles roles on a
 * midstream leg.  Returns the direction index the sender has now. */
static int settle_roles(struct leg_state *ls, int dir, bool is_client,
			const char *evidence)
{
	struct leg *l = &ls->pub;

	if (l->client_known)
		return dir;
	if (is_client != (dir == DIR_CLIENT)) {
		if (!can_swap(ls))
			return dir;
		swap_roles(ls);
		dir = !dir;
	}
	l->client_known = true;
	leg_note(l, NOTE_INFO, "roles",
		 "picked up midstream: %s is taken for the client (%s)",
		 l->client.text, evidence);
	return dir;
}

/* Midstream: WebSocket frames without a handshake.  Both directions get
 * a WebSocket lane; the other one keeps looking for a frame boundary. */
static void ws_open_midstream(struct leg_state *ls, int dir)
{
	struct lane_dir *o = &ls->d[!dir];
	enum lane other = o->lane;

	ls->pub.ws_midstream = true;
	leg_ws_open(ls);
	for (int i = 0; i < 2; i++) {
		if (!ls->d[i].ws)
			continue;
		/* The handshake is missing, so whether permessage-deflate
		 * was negotiated is unknown: RSV1 is accepted (compressed
		 * messages are measured, not inflated), and the first frames
		 * may continue a message begun before the capture. */
		ls->d[i].ws->cfg.deflate = true;
		ls->d[i].ws->orphans = true;
	}
	if (other == LANE_RESYNC && o->rs) {
		o->lane = LANE_RESYNC;
		o->rs->mode = RS_WS;
		o->rs->scan = 0;
	} else if (o->lane != LANE_WS || !o->ws) {
		o->lane = other;
	}
}

bool leg_resync_midstream_101(struct leg_state *ls)
{
	if (!ls->pub.midstream || ls->pub.http_requests || ls->d[DIR_SERVER].ws)
		return false;
	/* RFC 6455 §4.2.2: after the 101 both sides speak frames; the
	 * request (key, offers) is missing, so nothing can be checked. */
	ws_open_midstream(ls, DIR_SERVER);
	ls->d[DIR_SERVER].lane = ls->d[DIR_SERVER].ws ? LANE_WS : LANE_OPAQUE;
	struct lane_dir *c = &ls->d[DIR_CLIENT];
	if (c->lane == LANE_HTTP && !c->http_ready && c->ws)
		c->lane = LANE_WS;
	leg_note(&ls->pub, NOTE_INFO, "midstream_101",
		 "a 101 answered a request the capture does not have (packet "
		 "%llu); WebSocket frames are decoded from there, unchecked "
		 "against the handshake", (unsigned long long)ls->pm->num);
	return true;
}

/* Switches the direction to the lane of candidate c (at stream offset
 * `at_off`); returns the direction's index afterwards. */
static int take(struct leg_state *ls, int dir, const struct cand *c,
		uint64_t at_off, uint64_t skipped)
{
	struct leg *l = &ls->pub;
	struct resync *rs = ls->d[dir].rs;
	const char *what = "";
	char chain[64] = "";

	switch (c->what) {
	case F_HTTP_REQ:
	case F_HTTP_RESP:
		what = c->what == F_HTTP_REQ ? "an HTTP request line" :
					       "an HTTP status line";
		dir = settle_roles(ls, dir, c->what == F_HTTP_REQ, what);
		ls->d[dir].lane = LANE_HTTP;
		ls->d[dir].http_ready = false;
		break;
	case F_TLS:
		what = "a TLS record header";
		ls->d[dir].lane = LANE_HTTP; /* recognises TLS at offset 0 */
		ls->d[dir].http_ready = false;
		break;
	case F_WS:
		snprintf(chain, sizeof chain, " (%u %s header(s) in a row)",
			 c->chain.headers, c->chain.masked ? "masked" :
							     "unmasked");
		what = "a chain of WebSocket frame headers";
		dir = settle_roles(ls, dir, c->chain.masked,
				   c->chain.masked ? "its frames are masked" :
						     "the other side's frames "
						     "are unmasked");
		if (!ls->d[dir].ws)
			ws_open_midstream(ls, dir);
		if (ls->d[dir].ws) {
			ls->d[dir].lane = LANE_WS;
			ls->d[dir].ws_started = false; /* offset set anew */
		}
		break;
	default:
		return dir;
	}
	l->resyncs++;
	l->resync_skipped += skipped;
	stats(ls)->resyncs++;
	stats(ls)->resync_skipped_bytes += skipped;
	leg_note(l, skipped || rs->after_gap ? NOTE_WARN : NOTE_INFO, "resync",
		 "%s: decoding %s at stream offset %llu on %s%s, %llu byte(s) "
		 "skipped (packet %llu)", dir_name((enum dir)dir),
		 rs->after_gap ? "resumed after the gap" : "began",
		 (unsigned long long)at_off, what, chain,
		 (unsigned long long)skipped, (unsigned long long)ls->pm->num);
	return dir;
}

/* Appends to the buffer; false when a cap refuses (counted, noted). */
static bool buffer(struct leg_state *ls, struct resync *rs, const uint8_t *p,
		   size_t n)
{
	struct sess_stats *st = stats(ls);

	if (rs->len + n > RESYNC_DIR_MAX ||
	    st->resync_buffered + n > global_cap(ls)) {
		st->resync_cap_hits++;
		return false;
	}
	uint8_t *nb = realloc(rs->buf, rs->len + n);
	if (!nb)
		return false;
	rs->buf = nb;
	memcpy(rs->buf + rs->len, p, n);
	rs->len += n;
	st->resync_buffered += n;
	return true;
}

/* Drops the first k buffered bytes (rejected). */
static void compact(struct leg_state *ls, struct resync *rs, size_t k)
{
	if (!k)
		return;
	memmove(rs->buf, rs->buf + k, rs->len - k);
	rs->len -= k;
	rs->buf_off += k;
	rs->skipped += k;
	rs->scan = rs->scan > k ? rs->scan - k : 0;
	stats(ls)->resync_buffered -= k;
}

/* Candidate c accepted in the buffer: the buffered bytes from it on go
 * to the new lane.  Returns the direction's index afterwards. */
static int accept_buffered(struct leg_state *ls, int dir, const struct cand *c)
{
	struct resync *rs = ls->d[dir].rs;
	uint64_t at = rs->buf_off + c->at;
	uint8_t *buf = rs->buf;
	size_t len = rs->len;

	dir = take(ls, dir, c, at, rs->skipped + c->at);
	stats(ls)->resync_buffered -= len;
	rs->buf = NULL;
	rs->len = 0;
	rs->scan = 0;
	ls->d[dir].offset = at;
	leg_lane_feed(ls, dir, buf + c->at, len - c->at);
	free(buf);
	return dir;
}

size_t leg_resync_feed(struct leg_state *ls, int dir, const uint8_t *p,
		       size_t n)
{
	int orig = dir;
	struct resync *rs = ls->d[dir].rs;
	uint64_t off = ls->d[dir].offset;

	if (!rs)
		return n;
	/* Every path consumes all n bytes: what is accepted is fed on from
	 * here, so the caller's loop (which adds n to the offset of the
	 * state it holds, maybe now the other direction's after a role
	 * swap) must find that offset n short. */
	if (!rs->len) {
		struct cand c = find(ls, dir, rs, p, n, 0, off, false);
		if (c.what != F_NONE && c.what != F_PENDING) {
			dir = take(ls, dir, &c, off + c.at, rs->skipped + c.at);
			ls->d[dir].offset = off + c.at;
			leg_lane_feed(ls, dir, p + c.at, n - c.at);
			ls->d[orig].offset -= n;
			return n;
		}
		size_t keep = c.what == F_PENDING ? c.at : n;
		rs->skipped += keep;
		rs->buf_off = off + keep;
		if (keep < n && !buffer(ls, rs, p + keep, n - keep)) {
			rs->skipped += n - keep;
			rs->buf_off = off + n;
		}
		return n;
	}
	size_t done = 0;
	while (done < n) {
		size_t room = RESYNC_DIR_MAX - rs->len;
		size_t k = n - done < room ? n - done : room;
		if (!buffer(ls, rs, p + done, k)) {
			/* Over the cap of all legs: what is buffered is
			 * given up, the search goes on from here. */
			rs->skipped += rs->len + (n - done);
			rs_drop_buf(ls, rs);
			rs->buf_off = off + n;
			return n;
		}
		done += k;
		struct cand c = find(ls, dir, rs, rs->buf, rs->len, rs->scan,
				     rs->buf_off, false);
		if (c.what != F_NONE && c.what != F_PENDING) {
			dir = accept_buffered(ls, dir, &c);
			if (done < n)
				leg_lane_feed(ls, dir, p + done, n - done);
			ls->d[orig].offset -= n;
			return n;
		}
		rs->scan = c.at;
		compact(ls, rs, rs->scan);
		if (rs->len == RESYNC_DIR_MAX) {
			/* Full, and the earliest candidate is still unjudged
			 * (a frame longer than the buffer): two plausible
			 * headers are enough then, or one that starts right
			 * where the search began (segments, and so the bytes
			 * after a gap, usually start on a frame); else it is
			 * given up. */
			if (c.chain.headers >= 2 ||
			    (c.chain.headers == 1 && rs->skipped == 0 &&
			     rs->buf_off == rs->begin)) {
				c.what = F_WS;
				c.at = 0;
				dir = accept_buffered(ls, dir, &c);
				if (done < n)
					leg_lane_feed(ls, dir, p + done, n - done);
				ls->d[orig].offset -= n;
				return n;
			}
			if (!rs->cap_noted) {
				rs->cap_noted = true;
				stats(ls)->resync_cap_hits++;
			}
			rs->scan = 1;
			compact(ls, rs, 1);
		}
	}
	return n;
}

bool leg_resync_gap(struct leg_state *ls, int dir, uint64_t n)
{
	struct lane_dir *d = &ls->d[dir];

	switch (d->lane) {
	case LANE_WS:
		/* Inside a frame the parser stays in step; else a frame
		 * boundary must be found. */
		if (d->ws && d->ws_started && ws_msg_gap(d->ws, n))
			return true;
		leg_resync_start(ls, dir, true);
		return d->lane == LANE_RESYNC;
	case LANE_HTTP:
		/* RFC 9112 gives no way to find the end of a message whose
		 * bytes are missing: the next start line is the boundary. */
		if (d->http_ready && d->http.pstate == HTTP_FAILED)
			break;
		leg_resync_start(ls, dir, true);
		return d->lane == LANE_RESYNC;
	case LANE_RESYNC:
		if (d->rs) {
			/* A chain cannot run across missing bytes. */
			d->rs->skipped += d->rs->len;
			rs_drop_buf(ls, d->rs);
			d->rs->buf_off = d->offset;
			d->rs->after_gap = true;
			d->rs->begin = d->offset;
			return true;
		}
		break;
	default:
		break;
	}
	ls->pub.gap_undecoded = true;
	leg_note(&ls->pub, NOTE_WARN, "gap_stops_decoding",
		 "%s: decoding of this direction stopped at the gap (a %s "
		 "lane cannot resume after missing bytes)",
		 dir_name((enum dir)dir),
		 d->lane == LANE_TLS ? "TLS" : d->lane == LANE_HOLD ?
		 "held-request" : "non-decoded");
	return false;
}

void leg_resync_finish(struct leg_state *ls)
{
	for (int dir = 0; dir < 2; dir++) {
		struct lane_dir *d = &ls->d[dir];
		struct resync *rs = d->rs;
		if (!rs || d->lane != LANE_RESYNC)
			continue;
		if (rs->len) {
			/* No more bytes will come: a chain reaching exactly
			 * the end is judged with what there is. */
			struct cand c = find(ls, dir, rs, rs->buf, rs->len,
					     rs->scan, rs->buf_off, true);
			if (c.what != F_NONE && c.what != F_PENDING) {
				int nd = accept_buffered(ls, dir, &c);
				if (nd != dir)
					dir = -1; /* roles swapped: redo both */
				continue;
			}
		}
		uint64_t lost = rs->skipped + rs->len;
		stats(ls)->resync_skipped_bytes += lost;
		ls->pub.resync_skipped += lost;
		if (rs->after_gap || (lost && ls->pub.ws_midstream))
			ls->pub.gap_undecoded = true;
		if (lost && (rs->after_gap || ls->pub.any_http ||
			     ls->pub.ws_midstream))
			leg_note(&ls->pub, NOTE_WARN, "resync_failed",
				 "%s: %llu byte(s) from stream offset %llu were "
				 "not decoded: no message or frame boundary "
				 "could be trusted in them",
				 dir_name((enum dir)dir),
				 (unsigned long long)lost,
				 (unsigned long long)rs->begin);
		rs_drop_buf(ls, rs);
	}
}

void leg_resync_free(struct leg_state *ls)
{
	for (int dir = 0; dir < 2; dir++) {
		struct resync *rs = ls->d[dir].rs;
		if (!rs)
			continue;
		rs_drop_buf(ls, rs);
		free(rs);
		ls->d[dir].rs = NULL;
	}
}

void leg_overlap(struct leg_state *ls, int dir, uint64_t off, size_t n,
		 size_t differ, const struct pkt_meta *pm)
{
	struct leg *l = &ls->pub;

	dir ^= ls->swapped;
	ls->pm = pm;
	l->overlap_mismatches++;
	/* One note per leg is enough to point at the problem; the count
	 * says how often. */
	if (l->overlap_mismatches > 1)
		return;
	leg_note(l, NOTE_WARN, "overlap_differs",
		 "the %s re-sent %zu byte(s) of its stream with %zu of them "
		 "different from the first copy, first at stream offset %llu "
		 "(packet %llu); the first copy was kept. A middlebox rewrote "
		 "the stream, or someone is trying to show an inspecting tool "
		 "other bytes than the receiver gets.",
		 dir_name((enum dir)dir), n, differ, (unsigned long long)off,
		 (unsigned long long)pm->num);
}
