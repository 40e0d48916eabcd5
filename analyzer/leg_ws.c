/* leg_ws.c - a leg's WebSocket lane: messages into the session model. */
#include "leg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmd.h"

struct ws_ctx {
	struct leg_state *ls;
	int dir;
};

/* The per-direction callback context lives beside the stream. */
struct ws_lane {
	struct ws_msg_stream s;
	struct ws_ctx ctx;
};

static void on_note(void *user, enum ws_note_level level, const char *code,
		    const char *text)
{
	struct ws_ctx *c = user;
	struct leg *l = &c->ls->pub;

	struct sess_stats *st = analyzer_stats_rw(c->ls->an);

	if (level == WS_NOTE_ERROR) {
		if (strcmp(code, "deflate_error") == 0) {
			l->deflate_errors++;
			st->deflate_errors++;
		} else {
			l->protocol_errors++;
		}
		st->frame_violations++;
	}
	/* Each of these is said once per message. */
	if (strcmp(code, "deflate_bomb") == 0)
		st->deflate_bombs++;
	else if (strcmp(code, "deflate_desync") == 0)
		st->deflate_desyncs++;
	else if (strcmp(code, "deflate_undecodable") == 0)
		st->deflate_undecodable++;
	leg_note(l, level == WS_NOTE_ERROR ? NOTE_ERROR :
		    level == WS_NOTE_WARN ? NOTE_WARN : NOTE_INFO,
		 code, "%s: %s (packet %llu)", dir_name((enum dir)c->dir), text,
		 (unsigned long long)c->ls->pm->num);
}

static void on_message(void *user, const struct ws_message *m)
{
	struct ws_ctx *c = user;
	struct leg_state *ls = c->ls;
	struct leg *l = &ls->pub;
	struct msg_counts *mc = &l->msgs[c->dir];
	struct sess_stats *st = analyzer_stats_rw(ls->an);
	const struct sess_sink *sink = analyzer_sink(ls->an);

	switch (m->opcode) {
	case WS_OP_TEXT: mc->text++; break;
	case WS_OP_BINARY: mc->binary++; break;
	case WS_OP_PING: mc->ping++; break;
	case WS_OP_PONG: mc->pong++; break;
	case WS_OP_CLOSE: mc->close++; break;
	default: break;
	}
	l->payload_bytes[c->dir] += m->length;
	st->messages++;
	if (m->truncated)
		st->message_cap_hits++;
	if (m->opcode == WS_OP_CLOSE) {
		struct close_info *ci = &l->close;
		if (!ci->seen) {
			ci->seen = true;
			ci->by = (enum dir)c->dir;
			ci->has_code = m->has_close_code;
			ci->code = m->close_code;
			size_t n = m->reason_len < sizeof ci->reason - 1 ?
					   m->reason_len : sizeof ci->reason - 1;
			if (m->reason && n)
				memcpy(ci->reason, m->reason, n);
			ci->reason[n] = '\0';
			ci->reason_len = n;
			leg_mark(ls, ST_CLOSING);
		} else if (ci->by != (enum dir)c->dir) {
			ci->replied = true;
		}
	}
	struct leg_message lm = {
		.dir = (enum dir)c->dir,
		.ts = ls->pm->ts,
		.pkt = ls->pm->num,
		.opcode = m->opcode,
		.compressed = m->compressed,
		.truncated = m->truncated,
		.utf8_valid = m->utf8_valid,
		.length = m->length,
		.wire_length = m->wire_length,
		.frames = m->frames,
		.data = m->data,
		.data_len = m->data_len,
		.has_close_code = m->has_close_code,
		.close_code = m->close_code,
		.reason = m->reason,
		.reason_len = m->reason_len,
	};
	leg_link_sig(ls, (enum dir)c->dir, m->opcode, m->length, ls->pm->ts);
	if (sink->message && !ls->reported)
		sink->message(sink->ctx, l, &lm);
}

void leg_ws_open(struct leg_state *ls)
{
	const struct analyzer_cfg *cfg = analyzer_cfg(ls->an);
	const struct sess_sink *sink = analyzer_sink(ls->an);
	const struct ws_deflate_params *dp = &ls->hs.deflate;
	struct ws_msg_callbacks cb = { on_message, on_note };

	for (int dir = 0; dir < 2; dir++) {
		struct lane_dir *d = &ls->d[dir];
		struct ws_lane *w = calloc(1, sizeof *w);
		if (!w) {
			d->lane = LANE_OPAQUE;
			continue;
		}
		if (dp->on) {
			/* RFC 7692 §7.1.1/§7.1.2: each direction inflates with
			 * its sender's window and context-takeover setting. */
			bool client = dir == DIR_CLIENT;
			d->pmd = pmd_new(client ? dp->client_max_window_bits :
						  dp->server_max_window_bits,
					 client ? dp->client_no_context_takeover :
						  dp->server_no_context_takeover);
			if (!d->pmd)
				leg_note(&ls->pub, NOTE_WARN, "memory",
					 "no memory for an inflate stream; "
					 "compressed messages are measured only");
		}
		struct ws_msg_cfg mc = {
			.from_client = dir == DIR_CLIENT,
			.deflate = dp->on,
			.inflater = d->pmd,
			.keep_payload = sink->want_payload,
			.max_message = cfg->max_message,
			.max_inflate = cfg->max_inflate,
		};
		w->ctx.ls = ls;
		w->ctx.dir = dir;
		ws_msg_init(&w->s, &mc, &cb, &w->ctx);
		d->ws = &w->s;
		d->ws_started = false;
		d->lane = LANE_WS;
	}
}

void leg_ws_feed(struct leg_state *ls, int dir, const uint8_t *p, size_t n)
{
	struct lane_dir *d = &ls->d[dir];

	if (!d->ws_started) {
		/* Frame offsets are stream offsets, so notes point at bytes
		 * one can find in the reassembled stream. */
		d->ws->fp.offset = d->offset;
		d->ws_started = true;
	}
	ws_msg_feed(d->ws, p, n);
}

void leg_ws_finish(struct leg_state *ls)
{
	for (int dir = 0; dir < 2; dir++)
		if (ls->d[dir].ws && ls->d[dir].lane == LANE_WS)
			ws_msg_finish(ls->d[dir].ws);
}

void leg_ws_free(struct leg_state *ls)
{
	for (int dir = 0; dir < 2; dir++) {
		struct lane_dir *d = &ls->d[dir];
		if (d->ws) {
			ws_msg_free(d->ws);
			/* d->ws is the first member of its ws_lane */
			free((struct ws_lane *)(void *)d->ws);
			d->ws = NULL;
		}
		pmd_free(d->pmd);
		d->pmd = NULL;
	}
}
