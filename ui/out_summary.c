/* out_summary.c - the default output: a few plain lines per leg as it
 * ends, then a tally of verdicts. */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "outputs.h"
#include "render.h"

struct summary {
	struct obuf *o;
	struct output_opts opt;
	uint64_t verdicts[V_COUNT];
};

static void text(struct obuf *o, const char *s)
{
	esc_term(o, (const uint8_t *)s, strlen(s));
}

static void counts_clause(struct obuf *o, const char *who,
			  const struct msg_counts *c)
{
	/* obuf_u64, not printf: this runs for every leg */
	obuf_puts(o, who);
	obuf_putc(o, ' ');
	obuf_u64(o, c->text);
	obuf_puts(o, " text, ");
	obuf_u64(o, c->binary);
	obuf_puts(o, " binary");
	if (c->ping || c->pong) {
		obuf_puts(o, ", ");
		obuf_u64(o, c->ping);
		obuf_puts(o, " ping, ");
		obuf_u64(o, c->pong);
		obuf_puts(o, " pong");
	}
}

static void leg_end(void *ctx, const struct leg *l)
{
	struct summary *s = ctx;
	struct obuf *o = s->o;

	s->verdicts[l->verdict]++;
	obuf_puts(o, "leg ");
	obuf_u64(o, l->id);
	obuf_puts(o, "  ");
	text(o, l->client.text);
	obuf_puts(o, " > ");
	text(o, l->server.text);
	obuf_puts(o, "  via ");
	obuf_puts(o, via_name(l->via));
	if (l->target[0]) {
		obuf_puts(o, " to ");
		text(o, l->target);
	}
	obuf_puts(o, "  [");
	obuf_puts(o, verdict_code(l->verdict));
	obuf_puts(o, "]\n  ");
	bool any = false;
	if (l->proxy_status) {
		obuf_puts(o, "proxy ");
		obuf_u64(o, (uint64_t)l->proxy_status);
		any = true;
	}
	if (l->tls.seen) {
		obuf_puts(o, any ? ", TLS" : "TLS");
		if (l->tls.sni[0]) {
			obuf_puts(o, " to ");
			text(o, l->tls.sni);
		}
		any = true;
	}
	if (l->ws.requested) {
		if (any)
			obuf_puts(o, ", ");
		if (l->ws.answered) {
			obuf_puts(o, "upgrade ");
			obuf_u64(o, (uint64_t)l->ws.status);
		} else {
			obuf_puts(o, "upgrade unanswered");
		}
		if (l->ws.answered && l->ws.status == 101)
			obuf_puts(o, l->ws.accept_valid ? " (accept ok)" :
							   " (accept WRONG)");
		if (l->ws.deflate)
			obuf_puts(o, ", permessage-deflate");
		any = true;
	}
	if (l->stages[ST_OPEN].seen) {
		obuf_puts(o, "; ");
		counts_clause(o, "client", &l->msgs[DIR_CLIENT]);
		obuf_puts(o, "; ");
		counts_clause(o, "server", &l->msgs[DIR_SERVER]);
		if (l->close.seen) {
			obuf_printf(o, "; close %u by %s",
				    l->close.has_code ? l->close.code : 1005,
				    dir_name(l->close.by));
		}
		any = true;
	}
	if (!any)
		obuf_printf(o, "%llu HTTP request(s)",
			    (unsigned long long)l->http_requests);
	if (l->linked) {
		obuf_printf(o, "\n  linked: leg %llu, %s of the proxy (",
			    (unsigned long long)l->linked,
			    l->link.client_side ? "client side" : "server side");
		text(o, l->link.evidence);
		obuf_putc(o, ')');
	}
	obuf_puts(o, "\n  ");
	text(o, l->explanation);
	obuf_putc(o, '\n');
	render_notes(o, l, "  ");
	obuf_eol(o);
}

/* "; caps hit: ..." naming each cap that cut something, with its count
 * (docs/caps.md lists them); nothing when none was hit. */
static void caps_hit(struct obuf *o, const struct sess_stats *st)
{
	const struct { uint64_t n; const char *what; } caps[] = {
		{ st->ooo_cap_hits, "out-of-order" },
		{ st->memcap_hits, "memcap" },
		{ st->flow_cap_hits, "flows" },
		{ st->resync_cap_hits, "resync" },
		{ st->linger_cap_hits, "linger" },
		{ st->hold_cap_hits, "held bytes" },
		{ st->pipeline_cap_hits, "pipelined requests" },
		{ st->head_copy_truncated, "head copy" },
		{ st->tls_handshake_cap_hits, "TLS handshake" },
		{ st->deflate_bombs, "inflate" },
		{ st->deflate_desyncs, "inflate budget" },
		{ st->notes_dropped, "notes" },
	};
	bool first = true;

	for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
		if (!caps[i].n)
			continue;
		obuf_printf(o, "%s%llu %s", first ? "; caps hit: " : ", ",
			    (unsigned long long)caps[i].n, caps[i].what);
		first = false;
	}
}

static void finish(void *ctx, const struct sess_stats *st)
{
	struct summary *s = ctx;
	struct obuf *o = s->o;
	bool first = true;

	obuf_printf(o, "%llu legs", (unsigned long long)st->legs_reported);
	for (int v = 0; v < V_COUNT; v++) {
		if (!s->verdicts[v])
			continue;
		obuf_printf(o, "%s %s %llu", first ? ":" : ",",
			    verdict_code((enum verdict)v),
			    (unsigned long long)s->verdicts[v]);
		first = false;
	}
	obuf_printf(o, "; %llu packets, %llu bytes", (unsigned long long)st->packets,
		    (unsigned long long)st->bytes);
	if (st->gaps)
		obuf_printf(o, "; %llu gaps (%llu bytes missing)",
			    (unsigned long long)st->gaps,
			    (unsigned long long)st->gap_bytes);
	if (st->truncated_packets)
		obuf_printf(o, "; %llu packets cut by the snaplen",
			    (unsigned long long)st->truncated_packets);
	if (st->ip_fragments || st->ipv6_fragments)
		obuf_printf(o, "; %llu IP fragments (%llu datagrams "
			    "reassembled, %llu timed out, %llu over the cap, "
			    "%llu overlapping, %llu invalid)",
			    (unsigned long long)(st->ip_fragments +
						 st->ipv6_fragments),
			    (unsigned long long)st->frag_reassembled,
			    (unsigned long long)st->frag_timeouts,
			    (unsigned long long)st->frag_cap_hits,
			    (unsigned long long)st->frag_overlaps,
			    (unsigned long long)st->frag_invalid);
	if (st->overlap_mismatches)
		obuf_printf(o, "; %llu re-sent segments differed from the "
			    "first copy (%llu bytes)",
			    (unsigned long long)st->overlap_mismatches,
			    (unsigned long long)st->overlap_mismatch_bytes);
	if (st->overlap_unverifiable || st->ring_cap_hits)
		obuf_printf(o, "; %llu re-sent bytes not verifiable (%llu "
			    "streams without a compare ring)",
			    (unsigned long long)st->overlap_unverifiable,
			    (unsigned long long)st->ring_cap_hits);
	if (st->resyncs || st->resync_skipped_bytes)
		obuf_printf(o, "; decoding resynchronised %llu times, %llu "
			    "bytes skipped",
			    (unsigned long long)st->resyncs,
			    (unsigned long long)st->resync_skipped_bytes);
	caps_hit(o, st);
	obuf_eol(o);
}

struct sess_sink output_summary(struct obuf *o, const struct output_opts *opt,
				void **state)
{
	struct summary *s = calloc(1, sizeof *s);
	struct sess_sink k = { 0 };

	*state = s;
	if (!s)
		return k;
	s->o = o;
	s->opt = *opt;
	k.ctx = s;
	k.leg_end = leg_end;
	k.finish = finish;
	k.want_payload = false;
	return k;
}
