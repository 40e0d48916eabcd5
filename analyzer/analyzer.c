/* analyzer.c - packets to legs: decoding, the flow table, leg lifetimes
 * and the counters of the stats record. */
#include "analyzer.h"

#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "leg.h"
#include "tcp_reasm.h"

/* Held out-of-order bytes per direction: a few TCP windows. */
#define OOO_PER_DIR (4u * 1024 * 1024)
#define MAX_FLOWS 1000000

struct analyzer {
	struct analyzer_cfg cfg;
	struct sess_sink sink;
	struct sess_stats st;
	struct tcp_table *tcp;
	uint64_t next_id;
	bool finishing;
	/* legs ending at the end of input, reported in id order */
	struct leg_state **ending;
	size_t n_ending, cap_ending;
	double last_expire;
};

const struct sess_sink *analyzer_sink(const struct analyzer *a)
{
	return &a->sink;
}

const struct analyzer_cfg *analyzer_cfg(const struct analyzer *a)
{
	return &a->cfg;
}

struct sess_stats *analyzer_stats_rw(struct analyzer *a)
{
	return &a->st;
}

const struct sess_stats *analyzer_stats(const struct analyzer *a)
{
	return &a->st;
}

static bool wanted(const struct analyzer *a, uint64_t id)
{
	if (!a->cfg.n_only)
		return true;
	for (size_t i = 0; i < a->cfg.n_only; i++)
		if (a->cfg.only_ids[i] == id)
			return true;
	return false;
}

static void report(struct analyzer *a, struct leg_state *ls)
{
	leg_finalize(ls);
	if (leg_reportable(ls) && !ls->reported) {
		a->st.legs_reported++;
		a->st.notes += ls->pub.n_notes;
		a->st.notes_dropped += ls->pub.notes_dropped;
		if (a->sink.leg_end)
			a->sink.leg_end(a->sink.ctx, &ls->pub);
	}
	leg_free(ls);
}

static void *on_open(void *ctx, const struct ip_endpoint *client,
		     const struct ip_endpoint *server, bool syn,
		     const struct pkt_meta *pm)
{
	struct analyzer *a = ctx;
	uint64_t id = ++a->next_id;
	struct leg_state *ls = leg_new(a, id, client, server, syn, pm);

	a->st.legs++;
	if (ls && !wanted(a, id))
		ls->reported = true; /* analysed quietly: -s asked for others */
	return ls;
}

static void on_data(void *user, int dir, const uint8_t *p, size_t n,
		    const struct pkt_meta *pm)
{
	leg_data(user, dir, p, n, pm);
}

static void on_gap(void *user, int dir, uint64_t n, const struct pkt_meta *pm)
{
	leg_gap(user, dir, n, pm);
}

static void on_fin(void *user, int dir, const struct pkt_meta *pm)
{
	leg_end_stream(user, dir, false, pm);
}

static void on_rst(void *user, int dir, const struct pkt_meta *pm)
{
	leg_end_stream(user, dir, true, pm);
}

static void on_packet(void *user, int dir, uint8_t flags,
		      const struct pkt_meta *pm)
{
	struct leg_state *ls = user;

	(void)dir;
	(void)flags;
	ls->pub.packets++;
	ls->pub.last_ts = pm->ts;
	ls->pub.last_pkt = pm->num;
	const struct sess_sink *sink = &ls->an->sink;
	if (sink->packet && pm->raw && !ls->reported)
		sink->packet(sink->ctx, &ls->pub, pm->raw);
}

static void on_close(void *user, const struct pkt_meta *pm)
{
	struct leg_state *ls = user;
	struct analyzer *a = ls->an;

	ls->pm = pm;
	if (a->finishing) {
		if (a->n_ending == a->cap_ending) {
			size_t nc = a->cap_ending ? a->cap_ending * 2 : 64;
			struct leg_state **n = realloc(a->ending, nc * sizeof *n);
			if (!n) {
				report(a, ls);
				return;
			}
			a->ending = n;
			a->cap_ending = nc;
		}
		a->ending[a->n_ending++] = ls;
		return;
	}
	report(a, ls);
}

struct analyzer *analyzer_new(const struct analyzer_cfg *cfg,
			      const struct sess_sink *sink)
{
	struct analyzer *a = calloc(1, sizeof *a);

	if (!a)
		return NULL;
	a->cfg = *cfg;
	a->sink = *sink;
	struct tcp_consumer c = {
		.ctx = a, .open = on_open, .data = on_data, .gap = on_gap,
		.fin = on_fin, .rst = on_rst, .packet = on_packet,
		.close = on_close,
	};
	struct tcp_limits lim = {
		.ooo_per_dir = OOO_PER_DIR,
		.memcap = cfg->memcap,
		.max_flows = MAX_FLOWS,
	};
	a->tcp = tcp_table_new(&c, &lim);
	if (!a->tcp) {
		free(a);
		return NULL;
	}
	return a;
}

void analyzer_packet(struct analyzer *a, const struct raw_packet *rp)
{
	struct tcp_segment seg;
	struct decode_why why;
	double ts = (double)rp->ts_sec + (double)rp->ts_nsec / 1e9;
	struct pkt_meta pm = { ts, ++a->st.packets, rp };
	size_t caplen = rp->caplen, wirelen = rp->wirelen;

	a->st.bytes += wirelen;
	if (a->st.packets == 1)
		a->st.first_ts = ts;
	a->st.last_ts = ts;
	switch (decode_packet(rp->linktype, rp->data, caplen, &seg, &why)) {
	case DEC_TCP:
		break;
	case DEC_NOT_TCP:
		a->st.non_tcp++;
		return;
	case DEC_NOT_IP:
		a->st.non_ip++;
		return;
	case DEC_FRAGMENT:
		a->st.ip_fragments++;
		return;
	case DEC_TRUNCATED:
		a->st.truncated_packets++;
		return;
	case DEC_INVALID:
		a->st.invalid_packets++;
		return;
	case DEC_UNSUPPORTED:
		a->st.unsupported_link++;
		return;
	}
	a->st.tcp_packets++;
	if (caplen < wirelen && seg.payload_wire > seg.payload_len)
		a->st.truncated_packets++;
	tcp_table_segment(a->tcp, &seg, &pm);
	/* Expiry runs once per second of capture time, not per packet. */
	if (a->cfg.idle_timeout > 0 && ts - a->last_expire >= 1.0) {
		a->last_expire = ts;
		tcp_table_expire(a->tcp, ts, a->cfg.idle_timeout);
	}
}

static int by_id(const void *x, const void *y)
{
	const struct leg_state *a = *(const struct leg_state *const *)x;
	const struct leg_state *b = *(const struct leg_state *const *)y;
	return a->pub.id < b->pub.id ? -1 : a->pub.id > b->pub.id;
}

void analyzer_finish(struct analyzer *a)
{
	struct pkt_meta pm = { a->st.last_ts, a->st.packets, NULL };

	a->finishing = true;
	tcp_table_finish(a->tcp, &pm);
	qsort(a->ending, a->n_ending, sizeof *a->ending, by_id);
	for (size_t i = 0; i < a->n_ending; i++)
		report(a, a->ending[i]);
	a->n_ending = 0;
	a->finishing = false;

	const struct tcp_counters *tc = tcp_table_counters(a->tcp);
	a->st.flows = tc->flows;
	a->st.ooo_segments = tc->ooo_segments;
	a->st.retransmitted_bytes = tc->retransmitted_bytes;
	a->st.gaps = tc->gaps;
	a->st.gap_bytes = tc->gap_bytes;
	a->st.ooo_cap_hits = tc->ooo_cap_hits;
	a->st.memcap_hits = tc->memcap_hits;
	a->st.flow_cap_hits = tc->flow_cap_hits;
	a->st.ooo_peak_bytes = tc->ooo_peak;
	if (a->sink.finish)
		a->sink.finish(a->sink.ctx, &a->st);
}

void analyzer_free(struct analyzer *a)
{
	if (!a)
		return;
	tcp_table_free(a->tcp);
	free(a->ending);
	free(a);
}
