/* tcp_reasm.c - flow table and per-direction in-order delivery.
 *
 * Overlap policy: the copy of a byte that arrived first wins; later copies
 * (retransmissions, overlapping segments) are compared with it, counted
 * and dropped.  Held (out-of-order) segments are copied; in-order data is
 * handed on zero-copy (a side copy of its last TCP_RING bytes is kept in
 * the direction's ring only to check later copies against).
 */
#include "tcp_reasm.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "recycle.h"

/* A closed flow stays in the table this long (capture time) so that late
 * retransmissions and ACKs are recognised instead of starting a new
 * midstream leg. */
#define ZOMBIE_LINGER_S 60.0
/* Held segments per direction.  The byte cap alone lets a stream of
 * 1-byte segments behind a hole hold millions of list nodes, each costing
 * far more than its byte and each insertion walking the sorted list; at
 * this many the oldest hole is given up as for the byte cap.  Full-size
 * segments reach the byte cap (analyzer.c: 4 MiB, ~2900 x 1460) first;
 * a 64 KiB loopback segment re-cut into 7-byte pieces and shuffled
 * (tests/captures/mangle.py recut) is ~9400 and must still fit. */
#define OOO_SEGS_PER_DIR 16384u

struct held {
	struct held *next;
	uint32_t seq;
	uint32_t len;
	uint8_t data[];
};

struct tcp_half {
	bool seq_known;   /* next is meaningful */
	uint32_t next;    /* next sequence number to deliver */
	struct held *ooo; /* held segments ordered by seq */
	struct held *ooo_last; /* the last of them: appending is O(1) */
	uint32_t ooo_end; /* no held segment ends after this (valid with ooo) */
	uint32_t nheld;   /* segments held */
	size_t held;      /* bytes held */
	bool fin_seen;
	uint32_t fin_seq; /* sequence number of the FIN */
	bool fin_done;    /* FIN reached in order and reported */
	uint64_t off;     /* stream offset of `next`: delivered plus gaps */
	uint8_t *ring;    /* last delivered bytes, byte at seq s in
	                     ring[s % TCP_RING]; NULL until the first data */
	uint32_t ring_fill; /* valid ring bytes, the ones just before next */
	bool ring_refused;  /* no ring for this direction (cap or memory) */
	uint16_t window;    /* window this side advertised last */
	bool window_known;
};

struct tcp_flow {
	struct tcp_flow *hnext;         /* hash chain */
	struct tcp_flow *prev, *next;   /* LRU list, oldest first */
	struct ip_endpoint ep[2];       /* client, server */
	uint32_t hash;
	struct tcp_half half[2];
	void *user;                     /* consumer state; NULL when closed */
	bool zombie;                    /* closed; lingers for late packets */
	double last_ts;
};

struct tcp_table {
	struct tcp_consumer c;
	struct tcp_limits lim;
	struct tcp_counters n;
	struct tcp_flow **buckets;
	size_t nbuckets;                /* power of two */
	size_t nflows;
	struct tcp_flow *lru_head, *lru_tail;
	uint32_t seed;                  /* random hash key: defeats flooding */
	struct recycle rings;           /* freed overlap rings, reused */
};

/* MurmurHash3's finaliser: every input bit reaches every output bit, so
 * the bucket index (the low bits) depends on the whole 4-tuple and on the
 * key.  (A multiply alone only carries bits upwards: flows differing in
 * high address bits would share a bucket.) */
static uint32_t fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* Two multiply-xor steps over the address words (each multiply carries
 * every input bit into all bits above it), the halves folded, then one
 * finaliser: every bit of the endpoint reaches the bucket index, for a
 * third of the cost of a finaliser per word (perf, make bench). */
static uint32_t endpoint_hash(uint32_t seed, const struct ip_endpoint *e)
{
	uint64_t w[2];

	memcpy(w, e->addr, sizeof w);
	uint64_t h = (seed ^ (uint64_t)e->port << 32) * 0x9e3779b97f4a7c15ull;
	h = (h ^ w[0]) * 0xff51afd7ed558ccdull;
	h = (h ^ w[1]) * 0xc4ceb9fe1a85ec53ull;
	return fmix32((uint32_t)(h ^ h >> 32));
}

/* Keyed with a random seed (an attacker cannot aim packets at one
 * bucket) and symmetric: both directions of a flow hash alike. */
static uint32_t flow_hash(const struct tcp_table *t, const struct ip_endpoint *a,
			  const struct ip_endpoint *b)
{
	return fmix32((endpoint_hash(t->seed, a) ^ endpoint_hash(t->seed, b)) +
		      t->seed);
}

static bool endpoint_eq(const struct ip_endpoint *a, const struct ip_endpoint *b)
{
	return a->port == b->port && a->family == b->family &&
	       memcmp(a->addr, b->addr, 16) == 0;
}

struct tcp_table *tcp_table_new(const struct tcp_consumer *c,
				const struct tcp_limits *lim)
{
	struct tcp_table *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->rings.size = TCP_RING;
	t->c = *c;
	t->lim = *lim;
	t->nbuckets = 1024;
	t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	if (getrandom(&t->seed, sizeof t->seed, GRND_NONBLOCK) !=
	    (ssize_t)sizeof t->seed)
		t->seed = fmix32((uint32_t)time(NULL) ^ (uint32_t)(uintptr_t)t);
	return t;
}

static void lru_unlink(struct tcp_table *t, struct tcp_flow *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		t->lru_head = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		t->lru_tail = f->prev;
	f->prev = f->next = NULL;
}

static void lru_append(struct tcp_table *t, struct tcp_flow *f)
{
	f->prev = t->lru_tail;
	f->next = NULL;
	if (t->lru_tail)
		t->lru_tail->next = f;
	else
		t->lru_head = f;
	t->lru_tail = f;
}

static void grow(struct tcp_table *t)
{
	size_t nb = t->nbuckets * 2;
	struct tcp_flow **b = calloc(nb, sizeof *b);

	if (!b)
		return; /* keep the longer chains: slower, still correct */
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct tcp_flow *f = t->buckets[i], *nx;
		for (; f; f = nx) {
			nx = f->hnext;
			f->hnext = b[f->hash & (nb - 1)];
			b[f->hash & (nb - 1)] = f;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
}

static void free_ring(struct tcp_table *t, struct tcp_half *h)
{
	if (h->ring) {
		recycle_put(&t->rings, h->ring);
		t->n.ring_bytes -= TCP_RING;
	}
	h->ring = NULL;
	h->ring_fill = 0;
}

static void free_held(struct tcp_table *t, struct tcp_half *h)
{
	struct held *s = h->ooo, *nx;

	for (; s; s = nx) {
		nx = s->next;
		t->n.held_bytes -= s->len;
		free(s);
	}
	h->ooo = NULL;
	h->ooo_last = NULL;
	h->nheld = 0;
	h->held = 0;
}

/* Tells the consumer the flow is over and releases held data; the entry
 * itself lingers as a zombie. */
static void flow_close(struct tcp_table *t, struct tcp_flow *f,
		       const struct pkt_meta *pm)
{
	if (f->zombie)
		return;
	free_held(t, &f->half[0]);
	free_held(t, &f->half[1]);
	free_ring(t, &f->half[0]);
	free_ring(t, &f->half[1]);
	if (f->user && t->c.close)
		t->c.close(f->user, pm);
	f->user = NULL;
	f->zombie = true;
}

static void flow_remove(struct tcp_table *t, struct tcp_flow *f,
			const struct pkt_meta *pm)
{
	flow_close(t, f, pm);
	struct tcp_flow **pp = &t->buckets[f->hash & (t->nbuckets - 1)];
	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
	lru_unlink(t, f);
	t->nflows--;
	free(f);
}

static struct tcp_flow *lookup(struct tcp_table *t, const struct tcp_segment *s,
			       uint32_t hash, int *dir)
{
	struct tcp_flow *f = t->buckets[hash & (t->nbuckets - 1)];

	for (; f; f = f->hnext) {
		if (f->hash != hash)
			continue;
		if (endpoint_eq(&f->ep[0], &s->src) && endpoint_eq(&f->ep[1], &s->dst)) {
			*dir = 0;
			return f;
		}
		if (endpoint_eq(&f->ep[1], &s->src) && endpoint_eq(&f->ep[0], &s->dst)) {
			*dir = 1;
			return f;
		}
	}
	return NULL;
}

static struct tcp_flow *flow_create(struct tcp_table *t,
				    const struct tcp_segment *s, uint32_t hash,
				    const struct pkt_meta *pm, int *dir)
{
	if (t->nflows >= t->lim.max_flows && t->lru_head) {
		/* Full: the least recently active flow makes room.  Only a
		 * live one counts as a cap hit: a closed flow lingering for
		 * late packets (its leg already ended) loses nothing. */
		if (!t->lru_head->zombie)
			t->n.flow_cap_hits++;
		flow_remove(t, t->lru_head, pm);
	}
	struct tcp_flow *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	bool syn = s->flags & TCP_SYN;
	/* The SYN's sender opened the connection; a SYN-ACK's receiver did.
	 * Without a SYN the first sender is a guess the consumer may revise. */
	bool src_is_client = !(syn && (s->flags & TCP_ACK));
	f->ep[0] = src_is_client ? s->src : s->dst;
	f->ep[1] = src_is_client ? s->dst : s->src;
	*dir = src_is_client ? 0 : 1;
	f->hash = hash;
	f->last_ts = pm->ts;
	f->hnext = t->buckets[hash & (t->nbuckets - 1)];
	t->buckets[hash & (t->nbuckets - 1)] = f;
	lru_append(t, f);
	t->nflows++;
	t->n.flows++;
	if (t->nflows > t->nbuckets)
		grow(t);
	if (t->c.open)
		f->user = t->c.open(t->c.ctx, &f->ep[0], &f->ep[1], syn, pm);
	if (!f->user)
		f->zombie = true; /* the consumer does not want it */
	return f;
}

/* Remembers delivered bytes (at h->next onwards) in the direction's ring.
 * The ring is allocated on a direction's first data, within the ring
 * budget: past it, overlaps of that direction go unverified (counted). */
static void ring_store(struct tcp_table *t, struct tcp_half *h,
		       const uint8_t *p, size_t n)
{
	if (!h->ring && !h->ring_refused) {
		if (t->lim.ring_total &&
		    t->n.ring_bytes + TCP_RING <= t->lim.ring_total)
			h->ring = recycle_get(&t->rings);
		if (!h->ring) {
			h->ring_refused = true;
			if (t->lim.ring_total)
				t->n.ring_cap_hits++;
			return;
		}
		t->n.ring_bytes += TCP_RING;
	}
	if (!h->ring)
		return;
	uint32_t seq = h->next;
	if (n > TCP_RING) {
		seq += (uint32_t)(n - TCP_RING);
		p += n - TCP_RING;
		n = TCP_RING;
	}
	size_t at = seq & (TCP_RING - 1);
	size_t first = TCP_RING - at < n ? TCP_RING - at : n;
	memcpy(h->ring + at, p, first);
	memcpy(h->ring, p + first, n - first);
	h->ring_fill = TCP_RING - h->ring_fill < n ? TCP_RING :
						       h->ring_fill + (uint32_t)n;
}

static void deliver_now(struct tcp_table *t, struct tcp_flow *f, int dir,
			const uint8_t *p, size_t n, const struct pkt_meta *pm)
{
	struct tcp_half *h = &f->half[dir];

	ring_store(t, h, p, n);
	h->next += (uint32_t)n;
	h->off += n;
	if (n && f->user && t->c.data)
		t->c.data(f->user, dir, p, n, pm);
}

/* n bytes from h->next on are missing: tells the consumer and moves on. */
static void report_gap(struct tcp_table *t, struct tcp_flow *f, int dir,
		       uint32_t n, const struct pkt_meta *pm)
{
	struct tcp_half *h = &f->half[dir];

	t->n.gaps++;
	t->n.gap_bytes += n;
	if (f->user && t->c.gap)
		t->c.gap(f->user, dir, n, pm);
	h->next += n;
	h->off += n;
	h->ring_fill = 0; /* ring positions inside the gap are stale */
}

static void note_differ(struct tcp_table *t, struct tcp_flow *f, int dir,
			uint64_t off, size_t n, size_t differ,
			const struct pkt_meta *pm)
{
	t->n.overlap_mismatches++;
	t->n.overlap_mismatch_bytes += differ;
	if (f->user && t->c.overlap)
		t->c.overlap(f->user, dir, off, n, differ, pm);
}

/* A later copy [seq, seq+n) of bytes already delivered (all of them before
 * h->next): compared with the ring where it still holds them. */
static void compare_delivered(struct tcp_table *t, struct tcp_flow *f,
			      int dir, uint32_t seq, const uint8_t *p,
			      size_t n, const struct pkt_meta *pm)
{
	struct tcp_half *h = &f->half[dir];
	uint32_t back = h->next - seq; /* >= n */

	if (back > h->ring_fill) {
		size_t old = back - h->ring_fill;
		if (old > n)
			old = n;
		t->n.overlap_unverifiable += old;
		seq += (uint32_t)old;
		p += old;
		n -= old;
	}
	if (!n || !h->ring)
		return;
	size_t differ = 0;
	uint32_t first_bad = 0;
	for (size_t i = 0; i < n; i++) {
		if (h->ring[(seq + (uint32_t)i) & (TCP_RING - 1)] != p[i]) {
			if (!differ)
				first_bad = seq + (uint32_t)i;
			differ++;
		}
	}
	if (differ)
		note_differ(t, f, dir, h->off - (uint32_t)(h->next - first_bad),
			    n, differ, pm);
}

/* Delivers held segments that the stream has reached. */
static void drain(struct tcp_table *t, struct tcp_flow *f, int dir,
		  const struct pkt_meta *pm)
{
	struct tcp_half *h = &f->half[dir];

	while (h->ooo && !seq_before(h->next, h->ooo->seq)) {
		struct held *s = h->ooo;
		uint32_t skip = h->next - s->seq;
		h->ooo = s->next;
		if (!h->ooo)
			h->ooo_last = NULL;
		h->nheld--;
		h->held -= s->len;
		t->n.held_bytes -= s->len;
		if (skip)
			compare_delivered(t, f, dir, s->seq, s->data,
					  skip < s->len ? skip : s->len, pm);
		if (skip < s->len)
			deliver_now(t, f, dir, s->data + skip, s->len - skip, pm);
		t->n.retransmitted_bytes += skip < s->len ? skip : s->len;
		free(s);
	}
}

/* Gives up on the hole before the first held segment: reports it as a gap
 * and delivers what follows. */
static void skip_hole(struct tcp_table *t, struct tcp_flow *f, int dir,
		      const struct pkt_meta *pm)
{
	struct tcp_half *h = &f->half[dir];

	if (!h->ooo)
		return;
	report_gap(t, f, dir, h->ooo->seq - h->next, pm);
	drain(t, f, dir, pm);
}

static void payload(struct tcp_table *t, struct tcp_flow *f, int dir,
		    uint32_t seq, const uint8_t *p, size_t n,
		    const struct pkt_meta *pm);

/* The new held copy [seq, seq+n) at `data` overlaps held copies that
 * arrived before it: they win; differing bytes are reported.  Returns
 * true when one held segment already covers all of it. */
static bool overlay_held(struct tcp_table *t, struct tcp_flow *f, int dir,
			 uint32_t seq, uint8_t *data, size_t n,
			 const struct pkt_meta *pm)
{
	struct tcp_half *h = &f->half[dir];
	uint32_t end = seq + (uint32_t)n;

	for (struct held *s = h->ooo; s && seq_before(s->seq, end); s = s->next) {
		uint32_t s_end = s->seq + s->len;
		if (!seq_before(seq, s_end))
			continue;
		uint32_t a = seq_before(s->seq, seq) ? seq : s->seq;
		uint32_t b = seq_before(s_end, end) ? s_end : end;
		size_t len = b - a;
		uint8_t *mine = data + (a - seq);
		const uint8_t *first = s->data + (a - s->seq);
		if (memcmp(mine, first, len) != 0) {
			size_t differ = 0;
			uint32_t bad = 0;
			for (size_t i = 0; i < len; i++) {
				if (mine[i] == first[i])
					continue;
				if (!differ)
					bad = a + (uint32_t)i;
				differ++;
			}
			note_differ(t, f, dir, h->off + (bad - h->next), len,
				    differ, pm);
			memcpy(mine, first, len);
		}
		if (a == seq && b == end)
			return true;
	}
	return false;
}

/* Holding n more bytes would pass a per-direction cap. */
static bool over_dir_cap(const struct tcp_table *t, const struct tcp_half *h,
			 size_t n)
{
	return h->held + n > t->lim.ooo_per_dir ||
	       h->nheld >= OOO_SEGS_PER_DIR;
}

static void hold(struct tcp_table *t, struct tcp_flow *f, int dir, uint32_t seq,
		 const uint8_t *p, size_t n, const struct pkt_meta *pm)
{
	struct tcp_half *h = &f->half[dir];

	/* Caps: per direction and over all flows.  Hitting one turns the
	 * oldest hole into a reported gap instead of buffering without end.
	 * That is the hole before the first held segment only while the new
	 * one starts after it; otherwise it is the hole before the new
	 * segment, handled below (else bytes in hand would be lost). */
	while (h->ooo && seq_before(h->ooo->seq, seq) &&
	       (over_dir_cap(t, h, n) ||
		t->n.held_bytes + n > t->lim.memcap)) {
		if (over_dir_cap(t, h, n))
			t->n.ooo_cap_hits++;
		else
			t->n.memcap_hits++;
		skip_hole(t, f, dir, pm);
		if (!seq_before(h->next, seq)) {
			/* The stream reached the new segment. */
			payload(t, f, dir, seq, p, n, pm);
			return;
		}
	}
	if (over_dir_cap(t, h, n) ||
	    t->n.held_bytes + n > t->lim.memcap) {
		/* Still no room (one huge segment, other flows hold the
		 * memory, or the segment precedes what is held): treat the
		 * hole before it as lost. */
		if (over_dir_cap(t, h, n))
			t->n.ooo_cap_hits++;
		else
			t->n.memcap_hits++;
		report_gap(t, f, dir, seq - h->next, pm);
		payload(t, f, dir, seq, p, n, pm);
		return;
	}
	struct held *s = malloc(sizeof *s + n);
	if (!s) {
		t->n.memcap_hits++;
		return;
	}
	s->seq = seq;
	s->len = (uint32_t)n;
	memcpy(s->data, p, n);
	uint32_t end = seq + (uint32_t)n;
	if (h->ooo && !seq_before(seq, h->ooo_end)) {
		/* After everything held (the usual case behind a hole):
		 * nothing to compare, append without walking the list. */
		s->next = NULL;
		h->ooo_last->next = s;
		h->ooo_last = s;
		h->ooo_end = end;
	} else {
		if (overlay_held(t, f, dir, seq, s->data, n, pm)) {
			t->n.retransmitted_bytes += n; /* nothing new in it */
			free(s);
			return;
		}
		struct held **pp = &h->ooo;
		while (*pp && seq_before((*pp)->seq, seq))
			pp = &(*pp)->next;
		s->next = *pp;
		*pp = s;
		if (!s->next)
			h->ooo_last = s;
		if (s == h->ooo && !s->next)
			h->ooo_end = end;
		else if (seq_before(h->ooo_end, end))
			h->ooo_end = end;
	}
	h->nheld++;
	h->held += n;
	t->n.held_bytes += n;
	t->n.ooo_segments++;
	if (t->n.held_bytes > t->n.ooo_peak)
		t->n.ooo_peak = t->n.held_bytes;
}

/* Delivers, holds or drops (after comparing) the bytes [seq, seq+n). */
static void payload(struct tcp_table *t, struct tcp_flow *f, int dir,
		    uint32_t seq, const uint8_t *p, size_t n,
		    const struct pkt_meta *pm)
{
	struct tcp_half *h = &f->half[dir];

	while (n > 0) {
		int32_t rel = (int32_t)(seq - h->next);
		if (rel > 0) {
			hold(t, f, dir, seq, p, n, pm);
			return;
		}
		size_t skip = (size_t)(-(int64_t)rel);
		if (skip) {
			size_t k = skip < n ? skip : n;
			t->n.retransmitted_bytes += k;
			compare_delivered(t, f, dir, seq, p, k, pm);
			if (skip >= n)
				return;
			seq += (uint32_t)skip;
			p += skip;
			n -= skip;
		}
		/* Held segments always start after h->next.  One that starts
		 * inside this segment arrived first, so its bytes win: deliver
		 * up to it, let it through, then go on with the rest. */
		size_t take = n;
		if (h->ooo && seq_before(h->ooo->seq, seq + (uint32_t)n))
			take = h->ooo->seq - seq;
		deliver_now(t, f, dir, p, take, pm);
		drain(t, f, dir, pm);
		seq += (uint32_t)take;
		p += take;
		n -= take;
	}
}

/* RFC 9293 §3.8.4: a keep-alive carries SEG.SEQ = SND.NXT - 1 and zero or
 * one byte of garbage; it is neither data nor a retransmission. */
static bool keepalive(const struct tcp_half *h, const struct tcp_segment *s,
		      uint32_t seq)
{
	return h->seq_known && s->payload_wire <= 1 && seq == h->next - 1 &&
	       !(s->flags & (TCP_SYN | TCP_FIN | TCP_RST));
}

static void check_fin(struct tcp_table *t, struct tcp_flow *f, int dir,
		      const struct pkt_meta *pm)
{
	struct tcp_half *h = &f->half[dir];

	if (!h->fin_seen || h->fin_done || seq_before(h->next, h->fin_seq))
		return;
	h->fin_done = true;
	if (f->user && t->c.fin)
		t->c.fin(f->user, dir, pm);
	if (f->half[0].fin_done && f->half[1].fin_done)
		flow_close(t, f, pm);
}

void tcp_table_segment(struct tcp_table *t, const struct tcp_segment *s,
		       const struct pkt_meta *pm)
{
	int dir = 0;
	uint32_t hash = flow_hash(t, &s->src, &s->dst);
	struct tcp_flow *f = lookup(t, s, hash, &dir);
	bool syn = s->flags & TCP_SYN;

	if (f && f->zombie && syn && !(s->flags & TCP_ACK)) {
		/* RFC 9293 §3.5: a new SYN on a closed 4-tuple is a new
		 * connection; it gets a new leg. */
		flow_remove(t, f, pm);
		f = NULL;
	}
	if (!f) {
		/* Only a SYN or data starts a flow: a lone ACK or RST tells
		 * nothing about a conversation. */
		if (!syn && s->payload_len == 0)
			return;
		f = flow_create(t, s, hash, pm, &dir);
		if (!f)
			return;
	}
	f->last_ts = pm->ts;
	lru_unlink(t, f);
	lru_append(t, f);
	if (f->zombie)
		return;
	if (t->c.packet)
		t->c.packet(f->user, dir, s->flags, pm);

	struct tcp_half *h = &f->half[dir];
	uint32_t seq = s->seq;
	if (syn) {
		/* The SYN takes one sequence number; data in a SYN (TCP Fast
		 * Open, RFC 7413) starts right after it. */
		if (!h->seq_known || seq_before(seq + 1, h->next) == false) {
			if (!h->seq_known) {
				h->seq_known = true;
				h->next = seq + 1;
			}
		}
		seq += 1;
	}
	if (s->flags & TCP_ACK) {
		h->window = s->window;
		h->window_known = true;
	}
	if (keepalive(h, s, seq)) {
		t->n.keepalives++;
		return;
	}
	/* RFC 9293 §3.8.6.1: with the peer's window zero, the sender probes
	 * with one byte at SND.NXT.  The byte is real data (a later copy of
	 * it matches), so it is delivered; only counted. */
	const struct tcp_half *peer = &f->half[!dir];
	if (s->payload_wire == 1 && h->seq_known && seq == h->next &&
	    peer->window_known && peer->window == 0)
		t->n.zero_window_probes++;
	if (s->flags & TCP_RST) {
		if (f->user && t->c.rst)
			t->c.rst(f->user, dir, pm);
		flow_close(t, f, pm);
		return;
	}
	if (s->payload_len > 0 || s->payload_wire > 0) {
		if (!h->seq_known) {
			/* Midstream pickup: the first byte seen starts it. */
			h->seq_known = true;
			h->next = seq;
		}
		payload(t, f, dir, seq, s->payload, s->payload_len, pm);
		if (s->payload_wire > s->payload_len) {
			/* The snaplen cut this segment: the rest is a gap
			 * unless a later copy fills it. */
			uint32_t end = seq + (uint32_t)s->payload_wire;
			if (seq_before(h->next, end) && !h->ooo)
				report_gap(t, f, dir, end - h->next, pm);
		}
	}
	if (s->flags & TCP_FIN) {
		if (!h->seq_known) {
			h->seq_known = true;
			h->next = seq;
		}
		h->fin_seen = true;
		h->fin_seq = seq + (uint32_t)s->payload_wire;
	}
	check_fin(t, f, dir, pm);
}

void tcp_table_expire(struct tcp_table *t, double now, double idle_s)
{
	while (t->lru_head) {
		struct tcp_flow *f = t->lru_head;
		/* The list is in order of last activity, whatever the kind:
		 * a zombie lingering longer than idle_s at its head would hold
		 * back idle live flows behind it, so it lingers at most
		 * idle_s. */
		double limit = f->zombie && ZOMBIE_LINGER_S < idle_s ?
			       ZOMBIE_LINGER_S : idle_s;
		if (now - f->last_ts <= limit)
			break;
		struct pkt_meta pm = { f->last_ts, 0, NULL };
		flow_remove(t, f, &pm);
	}
}

void tcp_table_finish(struct tcp_table *t, const struct pkt_meta *pm)
{
	/* Oldest first, so legs are reported in the order they began to be
	 * active... and everything still held becomes deliverable. */
	while (t->lru_head) {
		struct tcp_flow *f = t->lru_head;
		for (int d = 0; d < 2 && !f->zombie; d++) {
			struct tcp_half *h = &f->half[d];
			while (h->ooo)
				skip_hole(t, f, d, pm);
			if (h->fin_seen && seq_before(h->next, h->fin_seq)) {
				/* The FIN's sequence number shows bytes the
				 * capture never had. */
				report_gap(t, f, d, h->fin_seq - h->next, pm);
			}
			check_fin(t, f, d, pm);
		}
		flow_remove(t, f, pm);
	}
}

const struct tcp_counters *tcp_table_counters(const struct tcp_table *t)
{
	return &t->n;
}

void tcp_table_free(struct tcp_table *t)
{
	if (!t)
		return;
	struct pkt_meta pm = { 0, 0, NULL };
	while (t->lru_head)
		flow_remove(t, t->lru_head, &pm);
	free(t->buckets);
	recycle_drain(&t->rings);
	free(t);
}
