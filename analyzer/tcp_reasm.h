/* tcp_reasm.h - TCP flows and in-order byte streams (RFC 9293).
 *
 * A flow table keyed by the 4-tuple (both directions map to one flow)
 * hands each direction's bytes to a consumer in sequence order:
 *  - in-order payload is passed zero-copy, as a span of the packet;
 *  - a segment ahead of the next expected byte is copied and held in a
 *    per-direction list ordered by sequence number, until the hole before
 *    it fills (capped per direction and in total: when a cap is hit the
 *    hole is declared a gap, reported, and delivery resumes after it);
 *  - bytes already delivered (retransmissions, overlaps) are dropped, so
 *    each byte is delivered once; sequence comparisons are wrap-safe.
 *
 * Overlap policy: the copy of a byte that arrived first wins, whether it
 * was delivered at once or held.  A later copy is compared with it: with
 * the held copy directly, with a delivered one through a ring of the last
 * TCP_RING bytes delivered per direction.  Bytes that differ are counted
 * and reported (`overlap` callback): a peer or middlebox sent two
 * versions of the same stream bytes, which is how IDS evasion works and
 * how broken middleboxes show.  Copies of bytes older than the ring (or
 * of a flow that got no ring under the memory cap) are counted as
 * unverifiable.  Keep-alives (RFC 9293 §3.8.4: SEG.SEQ = SND.NXT-1 with
 * zero or one garbage byte) are recognised and not compared.
 *
 * The consumer is a set of callbacks; a flow's `user` pointer belongs to
 * it.  Spans passed to callbacks are valid only during the call.
 */
#ifndef WSTAP_TCP_REASM_H
#define WSTAP_TCP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "packet.h"

struct pkt_meta {
	double ts;       /* seconds since the epoch */
	uint64_t num;    /* packet number in the capture, from 1 */
	const struct raw_packet *raw; /* the packet, or NULL (end of input) */
};

/* Wrap-safe sequence comparison (RFC 9293 §3.4: arithmetic modulo 2^32). */
static inline bool seq_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

struct tcp_flow;

struct tcp_consumer {
	void *ctx;
	/* A new flow: returns the consumer's state for it (or NULL to ignore
	 * the flow).  `client` is the endpoint believed to have opened the
	 * connection (the SYN's sender, else the first packet's sender);
	 * `syn` tells whether that belief rests on a SYN. */
	void *(*open)(void *ctx, const struct ip_endpoint *client,
		      const struct ip_endpoint *server, bool syn,
		      const struct pkt_meta *pm);
	/* In-order bytes from one side (0 = client, 1 = server). */
	void (*data)(void *user, int dir, const uint8_t *p, size_t n,
		     const struct pkt_meta *pm);
	/* n bytes from one side are missing from the capture. */
	void (*gap)(void *user, int dir, uint64_t n, const struct pkt_meta *pm);
	/* A later copy of delivered or held bytes differs from the first
	 * copy (which was kept): `differ` bytes differ among `n` compared,
	 * the first differing one at stream offset `off` (bytes delivered
	 * plus gaps before it, in this direction).  May be NULL. */
	void (*overlap)(void *user, int dir, uint64_t off, size_t n,
			size_t differ, const struct pkt_meta *pm);
	/* FIN reached in sequence, or RST, from one side. */
	void (*fin)(void *user, int dir, const struct pkt_meta *pm);
	void (*rst)(void *user, int dir, const struct pkt_meta *pm);
	/* Any packet of the flow (for counters and stage times). */
	void (*packet)(void *user, int dir, uint8_t flags,
		       const struct pkt_meta *pm);
	/* The flow is gone (closed and drained, expired, or end of input);
	 * the consumer releases `user`. */
	void (*close)(void *user, const struct pkt_meta *pm);
};

/* Bytes of delivered data remembered per direction to compare overlaps. */
#define TCP_RING 65536u

struct tcp_limits {
	size_t ooo_per_dir;   /* held out-of-order bytes per direction */
	size_t memcap;        /* held bytes over all flows */
	size_t max_flows;     /* flows tracked at once */
	size_t ring_total;    /* overlap-check rings over all flows (each
	                         direction that carries data takes TCP_RING
	                         bytes); 0 turns the check off */
};

struct tcp_counters {
	uint64_t flows, ooo_segments, retransmitted_bytes, gaps, gap_bytes;
	uint64_t ooo_cap_hits, memcap_hits, flow_cap_hits, ooo_peak;
	uint64_t held_bytes;  /* now */
	uint64_t overlap_mismatches;     /* segments with differing bytes */
	uint64_t overlap_mismatch_bytes; /* bytes that differed */
	uint64_t overlap_unverifiable;   /* re-sent bytes older than the ring */
	uint64_t ring_cap_hits;          /* directions left without a ring */
	uint64_t ring_bytes;             /* now */
	uint64_t keepalives, zero_window_probes;
};

struct tcp_table;

struct tcp_table *tcp_table_new(const struct tcp_consumer *c,
				const struct tcp_limits *lim);
/* Feeds one decoded segment. */
void tcp_table_segment(struct tcp_table *t, const struct tcp_segment *s,
		       const struct pkt_meta *pm);
/* Ends flows idle for more than idle_s seconds (capture time). */
void tcp_table_expire(struct tcp_table *t, double now, double idle_s);
/* End of input: flushes held data (holes become gaps), closes all. */
void tcp_table_finish(struct tcp_table *t, const struct pkt_meta *pm);
const struct tcp_counters *tcp_table_counters(const struct tcp_table *t);
void tcp_table_free(struct tcp_table *t);

#endif
