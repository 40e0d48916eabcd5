/* analyzer.c - packets to legs: decoding, the flow table, leg lifetimes
 * and the counters of the stats record. */
#include "analyzer.h"

#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "ipfrag.h"
#include "leg.h"
#include "link.h"
#include "tcp_reasm.h"

/* An ended leg waits this long (capture time) before it is reported, so
 * that the other side of its proxy and a retry after a 407, which end or
 * begin moments later, can still be tied to it. */
#define REPORT_LINGER_S 5.0
/* At most this many ended legs wait at once: a busy capture ends
 * thousands of legs in 5 s, and each waiting leg holds tens of KB.  The
 * two legs of one proxy end within milliseconds of each other, well
 * inside what this many covers; beyond it the oldest is reported early
 * (counted, and noted on the leg). */
#define REPORT_LINGER_MAX 256

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
	double last_expire;
	bool expiring;           /* inside tcp_table_expire */
	uint64_t legs_following; /* legs with state now (opened, not closed) */
	uint64_t flow_cap_seen;  /* flow_cap_hits already noted on a leg */
	/* ended legs waiting to be reported, oldest first */
	struct leg_state *pending_head, *pending_tail;
	size_t n_pending;
	struct link_index *links;
	struct ipfrag_table *frag;  /* made at the first fragment */
	struct analyzer_pools pools;
};

struct analyzer_pools *analyzer_pools(struct analyzer *a)
{
	return &a->pools;
}

struct link_index *analyzer_links(struct analyzer *a)
{
	return a->links;
}

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

/* Decides the verdict, tells the sink, frees the leg. */
static void report(struct analyzer *a, struct leg_state *ls)
{
	verdict_decide(&ls->pub);
	if (leg_reportable(ls) && !ls->reported) {
		a->st.legs_reported++;
		a->st.notes += ls->pub.n_notes;
		a->st.notes_dropped += ls->pub.notes_dropped;
		if (a->sink.leg_end)
			a->sink.leg_end(a->sink.ctx, &ls->pub);
	} else if (a->sink.leg_drop) {
		a->sink.leg_drop(a->sink.ctx, &ls->pub);
	}
	leg_free(ls);
}

/* The leg's connection is over: finish its layers, then let it wait. */
static void end_leg(struct analyzer *a, struct leg_state *ls)
{
	leg_finalize(ls);
	ls->report_at = ls->pub.last_ts + REPORT_LINGER_S;
	ls->next_pending = NULL;
	if (a->pending_tail)
		a->pending_tail->next_pending = ls;
	else
		a->pending_head = ls;
	a->pending_tail = ls;
	if (++a->n_pending > REPORT_LINGER_MAX) {
		struct leg_state *old = a->pending_head;
		a->pending_head = old->next_pending;
		a->n_pending--;
		a->st.linger_cap_hits++;
		leg_note(&old->pub, NOTE_INFO, "linger_cap",
			 "reported before its %.0f s wait for a linked leg ran "
			 "out: %d ended legs were already waiting",
			 REPORT_LINGER_S, REPORT_LINGER_MAX);
		report(a, old);
	}
}

static void report_due(struct analyzer *a, double now)
{
	while (a->pending_head && a->pending_head->report_at < now) {
		struct leg_state *ls = a->pending_head;
		a->pending_head = ls->next_pending;
		if (!a->pending_head)
			a->pending_tail = NULL;
		a->n_pending--;
		report(a, ls);
	}
}

static void *on_open(void *ctx, const struct ip_endpoint *client,
		     const struct ip_endpoint *server, bool syn,
		     const struct pkt_meta *pm)
{
	struct analyzer *a = ctx;
	uint64_t id = ++a->next_id;
	struct leg_state *ls = leg_new(a, id, client, server, syn, pm);

	a->st.legs++;
	if (ls)
		a->legs_following++;
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

static void on_overlap(void *user, int dir, uint64_t off, size_t n,
		       size_t differ, const struct pkt_meta *pm)
{
	leg_overlap(user, dir, off, n, differ, pm);
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

static size_t flow_cap(size_t memcap);

static void on_close(void *user, const struct pkt_meta *pm)
{
	struct leg_state *ls = user;
	struct analyzer *a = ls->an;

	ls->pm = pm;
	a->legs_following--;
	if (a->expiring) {
		/* Nothing was seen for the idle timeout: the connection may
		 * well be alive, so the verdict must not claim it ended. */
		ls->pub.expired_idle = a->cfg.idle_timeout;
		leg_note(&ls->pub, NOTE_INFO, "idle_expired",
			 "no packet for %.0f s after packet %llu; wstap stopped "
			 "following this connection (--idle)",
			 a->cfg.idle_timeout,
			 (unsigned long long)ls->pub.last_pkt);
	}
	/* tcp_reasm counts a live flow pushed out by the flow cap just
	 * before it closes it: that close is this one. */
	const struct tcp_counters *tc = tcp_table_counters(a->tcp);
	if (tc && tc->flow_cap_hits != a->flow_cap_seen) {
		a->flow_cap_seen = tc->flow_cap_hits;
		leg_note(&ls->pub, NOTE_WARN, "flow_cap",
			 "wstap stopped following this connection after packet "
			 "%llu: the flow table was full (--memcap %llu allows "
			 "%zu connections at once) and this one was the least "
			 "recently active",
			 (unsigned long long)ls->pub.last_pkt,
			 (unsigned long long)a->cfg.memcap,
			 flow_cap(a->cfg.memcap / 8 * 3));
	}
	end_leg(a, ls);
}

static size_t flow_cap(size_t memcap)
{
	size_t per = sizeof(struct leg_state) + 512; /* + flow, buffers */
	size_t n = memcap / per;

	if (n < 64)
		n = 64;
	return n < MAX_FLOWS ? n : MAX_FLOWS;
}

struct analyzer *analyzer_new(const struct analyzer_cfg *cfg,
			      const struct sess_sink *sink)
{
	struct analyzer *a = calloc(1, sizeof *a);

	if (!a)
		return NULL;
	a->cfg = *cfg;
	a->sink = *sink;
	a->pools.legs.size = sizeof(struct leg_state);
	a->pools.heads.size = HEAD_COPY_MAX;
	struct tcp_consumer c = {
		.ctx = a, .open = on_open, .data = on_data, .gap = on_gap,
		.overlap = on_overlap,
		.fin = on_fin, .rst = on_rst, .packet = on_packet,
		.close = on_close,
	};
	/* --memcap is shared out so that all of it together stays under
	 * it: 3/8 for flows (each carries a leg's state; the least recently
	 * active makes room), 3/8 for held out-of-order bytes, 1/8 for the
	 * overlap-check rings (64 KiB per direction: 512 busy directions at
	 * 256 MiB), 1/16 each for resynchronising and IP fragments. */
	struct tcp_limits lim = {
		.ooo_per_dir = OOO_PER_DIR,
		.memcap = cfg->memcap / 8 * 3,
		.max_flows = flow_cap(cfg->memcap / 8 * 3),
		.ring_total = cfg->memcap / 8,
	};
	a->tcp = tcp_table_new(&c, &lim);
	a->links = link_new();
	if (!a->tcp || !a->links) {
		tcp_table_free(a->tcp);
		link_free(a->links);
		free(a);
		return NULL;
	}
	return a;
}

/* Fragments in progress: few at once on real networks; the bytes they
 * may hold come out of the memcap's budget. */
#define FRAG_DATAGRAMS 4096
#define FRAG_TIMEOUT_S 60.0 /* RFC 8200 §4.5 */

/* An IP fragment: true when it completed a datagram carrying TCP (then
 * seg is filled, pointing into the reassembled payload). */
static bool reassemble(struct analyzer *a, struct decode_why *why, double ts,
		       struct tcp_segment *seg)
{
	const uint8_t *data;
	size_t len;

	if (why->frag.family == 6)
		a->st.ipv6_fragments++;
	else
		a->st.ip_fragments++;
	if (!a->frag) {
		struct ipfrag_limits lim = {
			.max_datagrams = FRAG_DATAGRAMS,
			.max_bytes = a->cfg.memcap / 16,
			.timeout_s = FRAG_TIMEOUT_S,
		};
		a->frag = ipfrag_new(&lim);
		if (!a->frag)
			return false;
	}
	if (!ipfrag_add(a->frag, &why->frag, ts, &data, &len))
		return false;
	switch (decode_reassembled(&why->frag, data, len, seg, why)) {
	case DEC_TCP:
		return true;
	case DEC_NOT_TCP:
		a->st.non_tcp++;
		return false;
	default:
		a->st.invalid_packets++;
		return false;
	}
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
		if (!reassemble(a, &why, ts, &seg))
			return;
		break;
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
	report_due(a, ts);
	a->st.tcp_packets++;
	if (caplen < wirelen && seg.payload_wire > seg.payload_len)
		a->st.truncated_packets++;
	tcp_table_segment(a->tcp, &seg, &pm);
	/* Expiry runs once per second of capture time, not per packet. */
	if (a->cfg.idle_timeout > 0 && ts - a->last_expire >= 1.0)
		analyzer_expire(a, ts);
}

void analyzer_expire(struct analyzer *a, double now)
{
	if (a->finishing)
		return;
	if (a->cfg.idle_timeout > 0) {
		a->last_expire = now;
		a->expiring = true;
		tcp_table_expire(a->tcp, now, a->cfg.idle_timeout);
		a->expiring = false;
	}
	/* Live and quiet: ended legs whose wait is over are reported now,
	 * not when the next packet happens to come. */
	report_due(a, now);
}

uint64_t analyzer_legs_open(const struct analyzer *a)
{
	return a->legs_following;
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
	/* Everything still waiting is reported now, in id order (in the
	 * order they ended, should there be no memory to sort them). */
	size_t n = 0;
	for (struct leg_state *ls = a->pending_head; ls; ls = ls->next_pending)
		n++;
	struct leg_state **all = n ? malloc(n * sizeof *all) : NULL;
	if (!all) {
		report_due(a, 1e300);
	} else {
		size_t i = 0;
		for (struct leg_state *ls = a->pending_head; ls; ls = ls->next_pending)
			all[i++] = ls;
		a->pending_head = a->pending_tail = NULL;
		a->n_pending = 0;
		qsort(all, n, sizeof *all, by_id);
		for (i = 0; i < n; i++)
			report(a, all[i]);
		free(all);
	}
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
	a->st.overlap_mismatches = tc->overlap_mismatches;
	a->st.overlap_mismatch_bytes = tc->overlap_mismatch_bytes;
	a->st.overlap_unverifiable = tc->overlap_unverifiable;
	a->st.ring_cap_hits = tc->ring_cap_hits;
	a->st.keepalives = tc->keepalives;
	if (a->frag) {
		const struct ipfrag_counters *fc = ipfrag_counters(a->frag);
		a->st.frag_reassembled = fc->reassembled;
		a->st.frag_timeouts = fc->timeouts;
		a->st.frag_cap_hits = fc->cap_hits;
		a->st.frag_overlaps = fc->overlaps;
		a->st.frag_invalid = fc->invalid;
	}
	a->st.zero_window_probes = tc->zero_window_probes;
	if (a->sink.finish)
		a->sink.finish(a->sink.ctx, &a->st);
}

void analyzer_free(struct analyzer *a)
{
	if (!a)
		return;
	tcp_table_free(a->tcp);
	while (a->pending_head) {
		struct leg_state *ls = a->pending_head;
		a->pending_head = ls->next_pending;
		leg_free(ls);
	}
	link_free(a->links);
	ipfrag_free(a->frag);
	recycle_drain(&a->pools.legs);
	recycle_drain(&a->pools.heads);
	free(a);
}
