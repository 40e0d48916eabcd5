/* test_tcp_reasm.c - analyzer/tcp_reasm.c through its consumer callbacks.
 * Each flow's callbacks are logged: the bytes delivered per direction
 * (concatenated), and the other events as text with the number of bytes
 * delivered in that direction when they happened ("gap0:10@0 fin0@30
 * close"), so ordering against the data is checked too.  Segments are
 * built as struct tcp_segment directly. */
#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "suites.h"
#include "tcp_reasm.h"

#define MAX_FLOWS_LOG 8
#define STREAM_MAX 4096

struct flow_log {
	struct ip_endpoint client, server;
	bool syn;
	int opens, closes, packets;
	int fins[2], rsts[2];
	uint8_t bytes[2][STREAM_MAX];
	size_t nbytes[2];
	uint64_t gap_bytes[2];
	uint64_t pos[2];      /* stream offset: data plus gaps so far */
	int mismatches;       /* bytes not equal to log.expect at pos */
	int bad_gaps;         /* gaps ending at a byte that was fed */
	char ev[512];         /* non-data events, in order */
	size_t evn;
	bool overflow;        /* more bytes than STREAM_MAX: a test bug */
};

struct log {
	struct flow_log flows[MAX_FLOWS_LOG];
	int nflows;
	int close_order[MAX_FLOWS_LOG]; /* flow index, in order of close */
	int ncloses;
	const uint8_t *expect[2];       /* streams to check against, or NULL */
	size_t expect_len;
	/* Stream offsets handed to the table so far (marked before the
	 * segment is fed): a gap must end at a byte never in hand, or the
	 * table discarded data it had. */
	bool track_fed;
	bool fed[2][STREAM_MAX];
	bool refuse;                    /* open returns NULL */
	int refused;
};

static struct log *g_log; /* the log of the running test */

static void ev_add(struct flow_log *f, const char *fmt, int dir, uint64_t n)
{
	char tmp[64];
	int k;

	if (dir < 0)
		k = snprintf(tmp, sizeof tmp, "%s ", fmt);
	else if (n == UINT64_MAX)
		k = snprintf(tmp, sizeof tmp, "%s%d@%zu ", fmt, dir,
			     f->nbytes[dir]);
	else
		k = snprintf(tmp, sizeof tmp, "%s%d:%llu@%zu ", fmt, dir,
			     (unsigned long long)n, f->nbytes[dir]);
	if (k < 0 || (size_t)k >= sizeof f->ev - f->evn) {
		f->overflow = true;
		return;
	}
	memcpy(f->ev + f->evn, tmp, (size_t)k + 1);
	f->evn += (size_t)k;
}

static void *cb_open(void *ctx, const struct ip_endpoint *client,
		     const struct ip_endpoint *server, bool syn,
		     const struct pkt_meta *pm)
{
	struct log *lg = ctx;

	(void)pm;
	if (lg->refuse) {
		lg->refused++;
		return NULL;
	}
	if (lg->nflows >= MAX_FLOWS_LOG)
		return NULL;
	struct flow_log *f = &lg->flows[lg->nflows++];
	f->client = *client;
	f->server = *server;
	f->syn = syn;
	f->opens++;
	return f;
}

static void cb_data(void *user, int dir, const uint8_t *p, size_t n,
		    const struct pkt_meta *pm)
{
	struct flow_log *f = user;

	(void)pm;
	CU_ASSERT_TRUE(dir == 0 || dir == 1);
	CU_ASSERT_TRUE(n > 0);
	if (g_log && g_log->expect[dir]) {
		if (f->pos[dir] + n > g_log->expect_len ||
		    memcmp(p, g_log->expect[dir] + f->pos[dir], n) != 0)
			f->mismatches++;
	}
	f->pos[dir] += n;
	if (n > STREAM_MAX - f->nbytes[dir]) {
		f->overflow = true;
		return;
	}
	memcpy(f->bytes[dir] + f->nbytes[dir], p, n);
	f->nbytes[dir] += n;
}

static void cb_gap(void *user, int dir, uint64_t n, const struct pkt_meta *pm)
{
	struct flow_log *f = user;

	(void)pm;
	CU_ASSERT_TRUE(n > 0);
	if (g_log && g_log->track_fed && n > 0) {
		uint64_t last = f->pos[dir] + n - 1;
		if (last >= STREAM_MAX || g_log->fed[dir][last])
			f->bad_gaps++;
	}
	f->pos[dir] += n;
	f->gap_bytes[dir] += n;
	ev_add(f, "gap", dir, n);
}

static void cb_fin(void *user, int dir, const struct pkt_meta *pm)
{
	struct flow_log *f = user;

	(void)pm;
	f->fins[dir]++;
	ev_add(f, "fin", dir, UINT64_MAX);
}

static void cb_rst(void *user, int dir, const struct pkt_meta *pm)
{
	struct flow_log *f = user;

	(void)pm;
	f->rsts[dir]++;
	ev_add(f, "rst", dir, UINT64_MAX);
}

static void cb_packet(void *user, int dir, uint8_t flags,
		      const struct pkt_meta *pm)
{
	struct flow_log *f = user;

	(void)dir;
	(void)flags;
	(void)pm;
	f->packets++;
}

static void cb_close(void *user, const struct pkt_meta *pm)
{
	struct flow_log *f = user;

	(void)pm;
	f->closes++;
	ev_add(f, "close", -1, 0);
	if (g_log && g_log->ncloses < MAX_FLOWS_LOG)
		g_log->close_order[g_log->ncloses++] =
			(int)(f - g_log->flows);
}

static struct tcp_table *table_new(struct log *lg, size_t ooo, size_t memcap,
				   size_t max_flows)
{
	struct tcp_consumer c = {
		.ctx = lg, .open = cb_open, .data = cb_data, .gap = cb_gap,
		.fin = cb_fin, .rst = cb_rst, .packet = cb_packet,
		.close = cb_close,
	};
	struct tcp_limits lim = { ooo, memcap, max_flows, 0 };

	memset(lg, 0, sizeof *lg);
	g_log = lg;
	return tcp_table_new(&c, &lim);
}

static struct tcp_table *table_default(struct log *lg)
{
	return table_new(lg, 1 << 20, 1 << 22, 64);
}

/* Endpoints: client 10.0.0.1:40000+k, server 10.0.0.2:80. */
static struct ip_endpoint ep(int server, int k)
{
	struct ip_endpoint e;

	memset(&e, 0, sizeof e);
	e.family = 4;
	e.addr[0] = 10;
	e.addr[3] = server ? 2 : 1;
	e.port = (uint16_t)(server ? 80 : 40000 + k);
	return e;
}

/* A segment of flow k from the client (from = 0) or server (from = 1). */
static struct tcp_segment seg_k(int k, int from, uint32_t seq, uint8_t flags,
				const uint8_t *p, size_t n)
{
	struct tcp_segment s;

	memset(&s, 0, sizeof s);
	s.src = ep(from, k);
	s.dst = ep(!from, k);
	s.seq = seq;
	s.ack = 0x1000;
	s.flags = flags;
	s.window = 65535;
	s.payload = n ? p : (const uint8_t *)"";
	s.payload_len = n;
	s.payload_wire = n;
	return s;
}

static struct tcp_segment seg(int from, uint32_t seq, uint8_t flags,
			      const uint8_t *p, size_t n)
{
	return seg_k(0, from, seq, flags, p, n);
}

static uint64_t pkt_no;

static void feed(struct tcp_table *t, const struct tcp_segment *s)
{
	struct pkt_meta pm = { (double)pkt_no, pkt_no + 1, NULL };

	pkt_no++;
	tcp_table_segment(t, s, &pm);
}

static void feed_at(struct tcp_table *t, const struct tcp_segment *s,
		    double ts)
{
	struct pkt_meta pm = { ts, ++pkt_no, NULL };

	tcp_table_segment(t, s, &pm);
}

static void finish(struct tcp_table *t)
{
	struct pkt_meta pm = { (double)pkt_no, pkt_no + 1, NULL };

	tcp_table_finish(t, &pm);
}

static uint8_t cbyte(size_t i)
{
	return (uint8_t)(i * 13 + 1);
}

static uint8_t sbyte(size_t i)
{
	return (uint8_t)(i * 29 + 7);
}

static uint8_t cstream[STREAM_MAX], sstream[STREAM_MAX];

static int setup(void)
{
	for (size_t i = 0; i < STREAM_MAX; i++) {
		cstream[i] = cbyte(i);
		sstream[i] = sbyte(i);
	}
	return 0;
}

#define CHECK_BYTES(f, dir, want, n) do {                               \
		CU_ASSERT_EQUAL((f)->nbytes[dir], (n));                 \
		if ((f)->nbytes[dir] == (n))                            \
			CU_ASSERT_EQUAL(memcmp((f)->bytes[dir], (want), \
					       (n)), 0);                \
	} while (0)

#define CHECK_EV(f, want) do {                                          \
		CU_ASSERT_STRING_EQUAL((f)->ev, (want));                \
		if (strcmp((f)->ev, (want)) != 0)                       \
			fprintf(stderr, "\n  events: \"%s\"\n  wanted: \"%s\"\n", \
				(f)->ev, (want));                       \
	} while (0)

/* SYN, SYN-ACK, ACK, data both ways, FIN, FIN, ACK. */
static void test_normal(void)
{
	struct log lg;
	struct tcp_table *t = table_default(&lg);
	const uint32_t ci = 1000, si = 5000;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	struct tcp_segment s[] = {
		seg(0, ci, TCP_SYN, NULL, 0),
		seg(1, si, TCP_SYN | TCP_ACK, NULL, 0),
		seg(0, ci + 1, TCP_ACK, NULL, 0),
		seg(0, ci + 1, TCP_ACK | TCP_PSH, cstream, 100),
		seg(1, si + 1, TCP_ACK, NULL, 0),
		seg(1, si + 1, TCP_ACK | TCP_PSH, sstream, 200),
		seg(0, ci + 101, TCP_ACK | TCP_PSH, cstream + 100, 50),
		seg(0, ci + 151, TCP_ACK | TCP_FIN, NULL, 0),
		seg(1, si + 201, TCP_ACK | TCP_FIN, NULL, 0),
		seg(0, ci + 152, TCP_ACK, NULL, 0),
	};
	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
		feed(t, &s[i]);
		if (i == 7) { /* client FIN: reported, flow still open */
			CU_ASSERT_EQUAL(lg.flows[0].fins[0], 1);
			CU_ASSERT_EQUAL(lg.flows[0].closes, 0);
		}
	}
	CU_ASSERT_EQUAL_FATAL(lg.nflows, 1);
	struct flow_log *f = &lg.flows[0];
	struct ip_endpoint c = ep(0, 0), sv = ep(1, 0);
	CU_ASSERT_EQUAL(f->opens, 1);
	CU_ASSERT_TRUE(f->syn);
	CU_ASSERT_EQUAL(memcmp(&f->client, &c, sizeof c), 0);
	CU_ASSERT_EQUAL(memcmp(&f->server, &sv, sizeof sv), 0);
	CHECK_BYTES(f, 0, cstream, 150);
	CHECK_BYTES(f, 1, sstream, 200);
	CHECK_EV(f, "fin0@150 fin1@200 close ");
	/* Every packet up to the second FIN; the last ACK finds a closed
	 * flow. */
	CU_ASSERT_EQUAL(f->packets, 9);
	finish(t);
	CU_ASSERT_EQUAL(f->closes, 1);
	const struct tcp_counters *n = tcp_table_counters(t);
	CU_ASSERT_EQUAL(n->flows, 1);
	CU_ASSERT_EQUAL(n->gaps, 0);
	CU_ASSERT_EQUAL(n->retransmitted_bytes, 0);
	CU_ASSERT_EQUAL(n->ooo_segments, 0);
	CU_ASSERT_EQUAL(n->held_bytes, 0);
	tcp_table_free(t);
}

/* Five client segments (the last carrying FIN) in every one of the 120
 * orders, after the handshake: identical bytes, FIN after all of them. */
static void test_permutations(void)
{
	static const size_t cut[] = { 0, 7, 8, 30, 31, 64 };
	int perm[5] = { 0, 1, 2, 3, 4 };
	int count = 0;
	const uint32_t ci = 0x7ffffffeu; /* crosses the signed boundary */

	for (;;) {
		struct log lg;
		struct tcp_table *t = table_default(&lg);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		struct tcp_segment syn = seg(0, ci, TCP_SYN, NULL, 0);
		struct tcp_segment sa = seg(1, 9, TCP_SYN | TCP_ACK, NULL, 0);
		feed(t, &syn);
		feed(t, &sa);
		for (int i = 0; i < 5; i++) {
			int k = perm[i];
			uint8_t fl = TCP_ACK | (k == 4 ? TCP_FIN : 0);
			struct tcp_segment s = seg(0, ci + 1 + (uint32_t)cut[k],
						   fl, cstream + cut[k],
						   cut[k + 1] - cut[k]);
			feed(t, &s);
		}
		struct flow_log *f = &lg.flows[0];
		CU_ASSERT_EQUAL(lg.nflows, 1);
		CHECK_BYTES(f, 0, cstream, 64);
		CHECK_EV(f, "fin0@64 ");
		CU_ASSERT_EQUAL(tcp_table_counters(t)->held_bytes, 0);
		CU_ASSERT_EQUAL(tcp_table_counters(t)->gaps, 0);
		CU_ASSERT_EQUAL(tcp_table_counters(t)->retransmitted_bytes, 0);
		finish(t);
		CHECK_EV(f, "fin0@64 close ");
		tcp_table_free(t);
		count++;

		/* Next permutation in lexicographic order. */
		int i = 3;
		while (i >= 0 && perm[i] > perm[i + 1])
			i--;
		if (i < 0)
			break;
		int j = 4;
		while (perm[j] < perm[i])
			j--;
		int tmp = perm[i];
		perm[i] = perm[j];
		perm[j] = tmp;
		for (int a = i + 1, b = 4; a < b; a++, b--) {
			tmp = perm[a];
			perm[a] = perm[b];
			perm[b] = tmp;
		}
	}
	CU_ASSERT_EQUAL(count, 120);
}

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/* Random overlapping, repeated segments covering a 300-byte stream, fed
 * shuffled: every byte arrives once, and each byte fed beyond the first
 * copy is counted as retransmitted. */
static void test_random_overlaps(void)
{
	enum { LEN = 300, MAXSEG = 40 };

	for (int trial = 0; trial < 300; trial++) {
		struct { size_t a, b; } segs[MAXSEG];
		size_t nseg = 0, fed = 0, pos = 0;
		/* A cover of [0, LEN) with overlaps, then duplicates. */
		while (pos < LEN && nseg < MAXSEG - 10) {
			size_t a = pos > 0 ? pos - rng() % (pos < 20 ? pos : 20) : 0;
			size_t b = pos + 1 + rng() % 40;
			if (b > LEN)
				b = LEN;
			segs[nseg].a = a;
			segs[nseg].b = b;
			nseg++;
			pos = b;
		}
		if (pos < LEN) {
			segs[nseg].a = pos;
			segs[nseg].b = LEN;
			nseg++;
		}
		size_t dups = rng() % 8;
		for (size_t d = 0; d < dups; d++) {
			size_t a = rng() % LEN;
			size_t b = a + 1 + rng() % (LEN - a);
			segs[nseg].a = a;
			segs[nseg].b = b;
			nseg++;
		}
		for (size_t i = nseg - 1; i > 0; i--) {
			size_t j = rng() % (i + 1);
			size_t a = segs[i].a, b = segs[i].b;
			segs[i] = segs[j];
			segs[j].a = a;
			segs[j].b = b;
		}
		struct log lg;
		struct tcp_table *t = table_default(&lg);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		uint32_t isn = rng() * 256u; /* any ISN, wrap included */
		struct tcp_segment syn = seg(0, isn, TCP_SYN, NULL, 0);
		feed(t, &syn);
		for (size_t i = 0; i < nseg; i++) {
			struct tcp_segment s = seg(0, isn + 1 + (uint32_t)segs[i].a,
						   TCP_ACK, cstream + segs[i].a,
						   segs[i].b - segs[i].a);
			feed(t, &s);
			fed += segs[i].b - segs[i].a;
		}
		struct flow_log *f = &lg.flows[0];
		CHECK_BYTES(f, 0, cstream, LEN);
		const struct tcp_counters *n = tcp_table_counters(t);
		CU_ASSERT_EQUAL(n->retransmitted_bytes, fed - LEN);
		CU_ASSERT_EQUAL(n->held_bytes, 0);
		finish(t);
		CU_ASSERT_EQUAL(n->gaps, 0);
		CHECK_EV(f, "close ");
		tcp_table_free(t);
	}
}

/* As above with small caps (ooo_per_dir, memcap), so holes are given up
 * as gaps: every delivered byte still sits at its own stream offset (gaps
 * advance the offset), data plus gaps cover the stream exactly, and the
 * counters agree with the gap events. */
static void test_random_caps(void)
{
	enum { LEN = 400, NSEG = 60 };

	for (int trial = 0; trial < 400; trial++) {
		size_t a[NSEG], b[NSEG];
		size_t pos = 0, nseg = 0;
		while (pos < LEN && nseg < NSEG - 1) {
			a[nseg] = pos > 10 ? pos - rng() % 10 : pos;
			b[nseg] = pos + 1 + rng() % 30;
			if (b[nseg] > LEN)
				b[nseg] = LEN;
			pos = b[nseg++];
		}
		if (pos < LEN) {
			a[nseg] = pos;
			b[nseg++] = LEN;
		}
		/* Shuffle, then drop some segments (never the last byte's). */
		for (size_t i = nseg - 1; i > 0; i--) {
			size_t j = rng() % (i + 1), ta = a[i], tb = b[i];
			a[i] = a[j];
			b[i] = b[j];
			a[j] = ta;
			b[j] = tb;
		}
		struct log lg;
		size_t ooo = 1 + rng() % 120, memcap = 1 + rng() % 200;
		struct tcp_table *t = table_new(&lg, ooo, memcap, 64);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		lg.expect[0] = cstream;
		lg.expect[1] = sstream;
		lg.expect_len = LEN;
		lg.track_fed = true;
		uint32_t isn = rng() * 256u + 0xffffff00u;
		struct tcp_segment sy = seg(0, isn, TCP_SYN, NULL, 0);
		feed(t, &sy);
		sy = seg(1, ~isn, TCP_SYN | TCP_ACK, NULL, 0);
		feed(t, &sy);
		for (size_t i = 0; i < nseg; i++) {
			if (b[i] != LEN && rng() % 6 == 0)
				continue;
			int dir = (int)(rng() & 1);
			/* Both directions carry the same layout of cuts. */
			for (int d = 0; d < 2; d++) {
				int from = d ? !dir : dir;
				const uint8_t *src = from ? sstream : cstream;
				uint32_t base = from ? ~isn + 1 : isn + 1;
				for (size_t k = a[i]; k < b[i]; k++)
					lg.fed[from][k] = true;
				struct tcp_segment s = seg(from,
					base + (uint32_t)a[i], TCP_ACK,
					src + a[i], b[i] - a[i]);
				feed(t, &s);
			}
		}
		const struct tcp_counters *n = tcp_table_counters(t);
		CU_ASSERT(n->held_bytes <= memcap);
		finish(t);
		struct flow_log *f = &lg.flows[0];
		CU_ASSERT_EQUAL(lg.nflows, 1);
		for (int d = 0; d < 2; d++) {
			CU_ASSERT_EQUAL(f->mismatches, 0);
			CU_ASSERT_EQUAL(f->bad_gaps, 0);
			CU_ASSERT_EQUAL(f->pos[d], LEN);
			CU_ASSERT_EQUAL(f->nbytes[d] + f->gap_bytes[d], LEN);
		}
		CU_ASSERT_EQUAL(n->gap_bytes, f->gap_bytes[0] + f->gap_bytes[1]);
		CU_ASSERT_EQUAL(n->held_bytes, 0);
		CU_ASSERT(n->ooo_peak <= memcap);
		CU_ASSERT_EQUAL(f->closes, 1);
		tcp_table_free(t);
	}
}

/* Specific overlaps: partial overlap of delivered data, a retransmitted
 * held segment, one segment covering two held ones. */
static void test_overlaps(void)
{
	struct log lg;
	struct tcp_table *t = table_default(&lg);
	const uint32_t b0 = 101; /* first data byte after SYN at 100 */
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(0, 100, TCP_SYN, NULL, 0);
	feed(t, &s);
	s = seg(0, b0, TCP_ACK, cstream, 10);            /* [0,10) */
	feed(t, &s);
	s = seg(0, b0 + 5, TCP_ACK, cstream + 5, 10);    /* [5,15) */
	feed(t, &s);
	const struct tcp_counters *n = tcp_table_counters(t);
	CU_ASSERT_EQUAL(n->retransmitted_bytes, 5);
	CU_ASSERT_EQUAL(lg.flows[0].nbytes[0], 15);
	s = seg(0, b0, TCP_ACK, cstream, 15);            /* whole resend */
	feed(t, &s);
	CU_ASSERT_EQUAL(n->retransmitted_bytes, 20);
	/* Hold [20,30) and [30,40); resend [30,40) while held. */
	s = seg(0, b0 + 20, TCP_ACK, cstream + 20, 10);
	feed(t, &s);
	s = seg(0, b0 + 30, TCP_ACK, cstream + 30, 10);
	feed(t, &s);
	s = seg(0, b0 + 30, TCP_ACK, cstream + 30, 10);
	feed(t, &s);
	CU_ASSERT_EQUAL(n->ooo_segments, 2);
	CU_ASSERT_EQUAL(n->held_bytes, 20);
	CU_ASSERT_EQUAL(lg.flows[0].nbytes[0], 15);
	/* [15,45) covers the hole and both held segments. */
	s = seg(0, b0 + 15, TCP_ACK, cstream + 15, 30);
	feed(t, &s);
	CHECK_BYTES(&lg.flows[0], 0, cstream, 45);
	CU_ASSERT_EQUAL(n->held_bytes, 0);
	CU_ASSERT_EQUAL(n->retransmitted_bytes, 20 + 10 + 20);
	/* A held segment overlapping the next one partly on each side. */
	s = seg(0, b0 + 60, TCP_ACK, cstream + 60, 10);  /* [60,70) */
	feed(t, &s);
	s = seg(0, b0 + 50, TCP_ACK, cstream + 50, 15);  /* [50,65) */
	feed(t, &s);
	s = seg(0, b0 + 68, TCP_ACK, cstream + 68, 7);   /* [68,75) */
	feed(t, &s);
	s = seg(0, b0 + 45, TCP_ACK, cstream + 45, 6);   /* [45,51) */
	feed(t, &s);
	CHECK_BYTES(&lg.flows[0], 0, cstream, 75);
	CU_ASSERT_EQUAL(n->retransmitted_bytes, 50 + 5 + 2 + 1);
	CU_ASSERT_EQUAL(n->held_bytes, 0);
	CU_ASSERT_EQUAL(n->gaps, 0);
	tcp_table_free(t);
}

/* RFC 9293 §3.4: sequence numbers are modulo 2^32.  ISN 0xFFFFFFF0; the
 * data crosses 2^32, fed in reverse. */
static void test_wraparound(void)
{
	struct log lg;
	struct tcp_table *t = table_default(&lg);
	const uint32_t isn = 0xFFFFFFF0u;
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(0, isn, TCP_SYN, NULL, 0);
	feed(t, &s);
	s = seg(1, 0xFFFFFFFFu, TCP_SYN | TCP_ACK, NULL, 0);
	feed(t, &s);
	/* Client bytes at 0xFFFFFFF1..: [0,10) [10,20) [20,40), the FIN
	 * after byte 40 at 0x19. */
	s = seg(0, isn + 21, TCP_ACK | TCP_FIN, cstream + 20, 20);
	feed(t, &s);
	s = seg(0, isn + 11, TCP_ACK, cstream + 10, 10);
	feed(t, &s);
	CU_ASSERT_EQUAL(lg.flows[0].nbytes[0], 0);
	s = seg(0, isn + 1, TCP_ACK, cstream, 10);
	feed(t, &s);
	CHECK_BYTES(&lg.flows[0], 0, cstream, 40);
	/* Server: ISN 0xFFFFFFFF, its first data byte is sequence 0. */
	s = seg(1, 5, TCP_ACK, sstream + 5, 5);
	feed(t, &s);
	s = seg(1, 0, TCP_ACK | TCP_FIN, sstream, 5);
	feed(t, &s);
	/* Retransmission from before the wrap: dropped. */
	s = seg(0, isn + 1, TCP_ACK, cstream, 10);
	feed(t, &s);
	CHECK_BYTES(&lg.flows[0], 1, sstream, 10);
	CHECK_EV(&lg.flows[0], "fin0@40 fin1@10 close ");
	CU_ASSERT_EQUAL(tcp_table_counters(t)->gaps, 0);
	tcp_table_free(t);
}

/* No SYN: the first sender is taken as the client, syn = false, and
 * bytes are delivered from the first one seen. */
static void test_midstream(void)
{
	struct log lg;
	struct tcp_table *t = table_default(&lg);
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(0, 7777, TCP_ACK | TCP_PSH, cstream + 100, 50);
	feed(t, &s);
	CU_ASSERT_EQUAL_FATAL(lg.nflows, 1);
	struct flow_log *f = &lg.flows[0];
	struct ip_endpoint c = ep(0, 0);
	CU_ASSERT_FALSE(f->syn);
	CU_ASSERT_EQUAL(memcmp(&f->client, &c, sizeof c), 0);
	CHECK_BYTES(f, 0, cstream + 100, 50);
	/* Bytes before the first seen are treated as old. */
	s = seg(0, 7777 - 10, TCP_ACK, cstream + 90, 10);
	feed(t, &s);
	CU_ASSERT_EQUAL(f->nbytes[0], 50);
	s = seg(1, 123456, TCP_ACK, sstream, 30);
	feed(t, &s);
	s = seg(0, 7827, TCP_ACK, cstream + 150, 5);
	feed(t, &s);
	CHECK_BYTES(f, 0, cstream + 100, 55);
	CHECK_BYTES(f, 1, sstream, 30);
	CU_ASSERT_EQUAL(f->opens, 1);
	tcp_table_free(t);

	/* The server speaking first becomes the guessed client. */
	t = table_default(&lg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(1, 1, TCP_ACK, sstream, 4);
	feed(t, &s);
	CU_ASSERT_EQUAL_FATAL(lg.nflows, 1);
	struct ip_endpoint sv = ep(1, 0);
	CU_ASSERT_EQUAL(memcmp(&lg.flows[0].client, &sv, sizeof sv), 0);
	CHECK_BYTES(&lg.flows[0], 0, sstream, 4);
	tcp_table_free(t);
}

/* The SYN was missed: the SYN-ACK's receiver is the client. */
static void test_synack_first(void)
{
	struct log lg;
	struct tcp_table *t = table_default(&lg);
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(1, 900, TCP_SYN | TCP_ACK, NULL, 0);
	feed(t, &s);
	CU_ASSERT_EQUAL_FATAL(lg.nflows, 1);
	struct flow_log *f = &lg.flows[0];
	struct ip_endpoint c = ep(0, 0), sv = ep(1, 0);
	CU_ASSERT_TRUE(f->syn);
	CU_ASSERT_EQUAL(memcmp(&f->client, &c, sizeof c), 0);
	CU_ASSERT_EQUAL(memcmp(&f->server, &sv, sizeof sv), 0);
	s = seg(0, 300, TCP_ACK, cstream, 12);
	feed(t, &s);
	s = seg(1, 901, TCP_ACK, sstream, 8);
	feed(t, &s);
	CHECK_BYTES(f, 0, cstream, 12);
	CHECK_BYTES(f, 1, sstream, 8);
	tcp_table_free(t);
}

/* RST: rst + close; later packets of the closed flow are ignored; a new
 * SYN on the 4-tuple opens a second flow (RFC 9293 §3.5). */
static void test_rst_and_reuse(void)
{
	struct log lg;
	struct tcp_table *t = table_default(&lg);
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(0, 10, TCP_SYN, NULL, 0);
	feed(t, &s);
	s = seg(0, 11, TCP_ACK, cstream, 5);
	feed(t, &s);
	s = seg(1, 77, TCP_RST | TCP_ACK, NULL, 0);
	feed(t, &s);
	struct flow_log *f = &lg.flows[0];
	CHECK_EV(f, "rst1@0 close ");
	CU_ASSERT_EQUAL(f->closes, 1);
	/* Late data and ACKs: no events, no new flow. */
	s = seg(0, 16, TCP_ACK, cstream + 5, 5);
	feed(t, &s);
	s = seg(1, 78, TCP_ACK, NULL, 0);
	feed(t, &s);
	CU_ASSERT_EQUAL(lg.nflows, 1);
	CU_ASSERT_EQUAL(f->nbytes[0], 5);
	/* A lone RST of no known flow starts nothing. */
	s = seg_k(3, 1, 1, TCP_RST, NULL, 0);
	feed(t, &s);
	CU_ASSERT_EQUAL(lg.nflows, 1);
	/* A new SYN on the same 4-tuple. */
	s = seg(0, 5000, TCP_SYN, NULL, 0);
	feed(t, &s);
	CU_ASSERT_EQUAL_FATAL(lg.nflows, 2);
	struct flow_log *g = &lg.flows[1];
	CU_ASSERT_TRUE(g->syn);
	s = seg(0, 5001, TCP_ACK, cstream + 40, 6);
	feed(t, &s);
	CHECK_BYTES(g, 0, cstream + 40, 6);
	CU_ASSERT_EQUAL(f->closes, 1);
	CU_ASSERT_EQUAL(tcp_table_counters(t)->flows, 2);
	finish(t);
	CU_ASSERT_EQUAL(g->closes, 1);
	tcp_table_free(t);

	/* Same after a FIN/FIN close. */
	t = table_default(&lg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(0, 10, TCP_SYN, NULL, 0);
	feed(t, &s);
	s = seg(1, 20, TCP_SYN | TCP_ACK, NULL, 0);
	feed(t, &s);
	s = seg(0, 11, TCP_ACK | TCP_FIN, NULL, 0);
	feed(t, &s);
	s = seg(1, 21, TCP_ACK | TCP_FIN, NULL, 0);
	feed(t, &s);
	CU_ASSERT_EQUAL(lg.flows[0].closes, 1);
	/* A retransmitted SYN-ACK does not reopen it; a SYN does. */
	s = seg(1, 20, TCP_SYN | TCP_ACK, NULL, 0);
	feed(t, &s);
	CU_ASSERT_EQUAL(lg.nflows, 1);
	s = seg(0, 99, TCP_SYN, NULL, 0);
	feed(t, &s);
	CU_ASSERT_EQUAL(lg.nflows, 2);
	CU_ASSERT_EQUAL(lg.flows[1].opens, 1);
	tcp_table_free(t);
}

/* ooo_per_dir = 15: holding a second 10-byte segment would exceed it,
 * so the oldest hole (10 bytes) becomes a gap and what follows it is
 * delivered. */
static void test_ooo_cap(void)
{
	struct log lg;
	struct tcp_table *t = table_new(&lg, 15, 1 << 20, 64);
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(0, 0, TCP_SYN, NULL, 0);
	feed(t, &s);
	s = seg(0, 1 + 10, TCP_ACK, cstream + 10, 10);   /* [10,20) held */
	feed(t, &s);
	const struct tcp_counters *n = tcp_table_counters(t);
	CU_ASSERT_EQUAL(n->held_bytes, 10);
	CU_ASSERT_EQUAL(lg.flows[0].nbytes[0], 0);
	s = seg(0, 1 + 30, TCP_ACK, cstream + 30, 10);   /* [30,40) */
	feed(t, &s);
	struct flow_log *f = &lg.flows[0];
	CHECK_EV(f, "gap0:10@0 ");
	CHECK_BYTES(f, 0, cstream + 10, 10);
	CU_ASSERT_EQUAL(n->gaps, 1);
	CU_ASSERT_EQUAL(n->gap_bytes, 10);
	CU_ASSERT_EQUAL(n->ooo_cap_hits, 1);
	CU_ASSERT_EQUAL(n->held_bytes, 10);  /* [30,40) now held */
	s = seg(0, 1 + 20, TCP_ACK, cstream + 20, 10);   /* fills */
	feed(t, &s);
	CHECK_BYTES(f, 0, cstream + 10, 30);
	CU_ASSERT_EQUAL(n->held_bytes, 0);
	CU_ASSERT_EQUAL(n->gaps, 1);
	CU_ASSERT_EQUAL(n->ooo_segments, 2);
	CU_ASSERT_EQUAL(n->ooo_peak, 10);
	tcp_table_free(t);

	/* A segment too large to hold at all: the hole before it is a gap
	 * and it is delivered at once. */
	t = table_new(&lg, 15, 1 << 20, 64);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(0, 0, TCP_SYN, NULL, 0);
	feed(t, &s);
	s = seg(0, 1 + 7, TCP_ACK, cstream + 7, 20);
	feed(t, &s);
	f = &lg.flows[0];
	CHECK_EV(f, "gap0:7@0 ");
	CHECK_BYTES(f, 0, cstream + 7, 20);
	n = tcp_table_counters(t);
	CU_ASSERT_EQUAL(n->gap_bytes, 7);
	CU_ASSERT_EQUAL(n->held_bytes, 0);
	tcp_table_free(t);

	/* The new segment lies before the first held one: only the hole
	 * before the new segment is missing (150 bytes), not the 200
	 * before the held one; bytes 150..300 are all delivered. */
	t = table_new(&lg, 100, 1 << 20, 64);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(0, 0, TCP_SYN, NULL, 0);
	feed(t, &s);
	s = seg(0, 1 + 200, TCP_ACK, cstream + 200, 100); /* [200,300) */
	feed(t, &s);
	s = seg(0, 1 + 150, TCP_ACK, cstream + 150, 50);  /* [150,200) */
	feed(t, &s);
	f = &lg.flows[0];
	CHECK_EV(f, "gap0:150@0 ");
	CHECK_BYTES(f, 0, cstream + 150, 150);
	n = tcp_table_counters(t);
	CU_ASSERT_EQUAL(n->gap_bytes, 150);
	CU_ASSERT_EQUAL(n->held_bytes, 0);
	CU_ASSERT_EQUAL(n->ooo_cap_hits, 1);
	tcp_table_free(t);
}

/* 1-byte segments behind a 1-byte hole, in order, far under the byte
 * cap: at 16384 held segments the hole is given up (counted as an
 * out-of-order cap hit) and the rest flows on.  Before the segment cap
 * and the O(1) append, this held every node and each insertion walked
 * the whole list (tests/hostile: tcp_1byte_ascending). */
static void test_ooo_segment_cap(void)
{
	static uint8_t stream[20000];
	struct log lg;
	struct tcp_table *t = table_new(&lg, 1 << 20, 1 << 22, 64);
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (size_t i = 0; i < sizeof stream; i++)
		stream[i] = (uint8_t)(i * 7 + i / 251);
	lg.expect[0] = stream;
	lg.expect_len = sizeof stream;
	s = seg(0, 0, TCP_SYN, NULL, 0);
	feed(t, &s);
	for (uint32_t i = 1; i < sizeof stream; i++) {
		s = seg(0, 1 + i, TCP_ACK, stream + i, 1);
		feed(t, &s);
	}
	const struct tcp_counters *n = tcp_table_counters(t);
	struct flow_log *f = &lg.flows[0];
	CU_ASSERT_EQUAL(n->ooo_cap_hits, 1);
	CU_ASSERT_EQUAL(n->ooo_segments, 16384);
	CU_ASSERT_EQUAL(n->ooo_peak, 16384);
	CU_ASSERT_EQUAL(n->gaps, 1);
	CU_ASSERT_EQUAL(n->gap_bytes, 1);
	CU_ASSERT_EQUAL(n->held_bytes, 0);
	CU_ASSERT_EQUAL(f->pos[0], sizeof stream);
	CU_ASSERT_EQUAL(f->mismatches, 0);
	tcp_table_free(t);
}

/* memcap over all flows: within one flow it acts like the per-direction
 * cap; across flows, a flow with nothing held gives up its own hole. */
static void test_memcap(void)
{
	struct log lg;
	struct tcp_table *t = table_new(&lg, 1 << 20, 15, 64);
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(0, 0, TCP_SYN, NULL, 0);
	feed(t, &s);
	s = seg(0, 1 + 10, TCP_ACK, cstream + 10, 10);
	feed(t, &s);
	s = seg(0, 1 + 30, TCP_ACK, cstream + 30, 10);
	feed(t, &s);
	const struct tcp_counters *n = tcp_table_counters(t);
	CHECK_EV(&lg.flows[0], "gap0:10@0 ");
	CHECK_BYTES(&lg.flows[0], 0, cstream + 10, 10);
	CU_ASSERT_EQUAL(n->memcap_hits, 1);
	CU_ASSERT_EQUAL(n->ooo_cap_hits, 0);
	CU_ASSERT_EQUAL(n->held_bytes, 10);
	/* Flow 1 (another client port): 8 bytes after a 3-byte hole do not
	 * fit beside flow 0's 10 held bytes. */
	s = seg_k(1, 0, 500, TCP_SYN, NULL, 0);
	feed(t, &s);
	s = seg_k(1, 0, 501 + 3, TCP_ACK, cstream + 3, 8);
	feed(t, &s);
	CU_ASSERT_EQUAL_FATAL(lg.nflows, 2);
	CHECK_EV(&lg.flows[1], "gap0:3@0 ");
	CHECK_BYTES(&lg.flows[1], 0, cstream + 3, 8);
	CU_ASSERT_EQUAL(n->memcap_hits, 2);
	CU_ASSERT_EQUAL(n->gaps, 2);
	CU_ASSERT_EQUAL(n->gap_bytes, 13);
	CU_ASSERT_EQUAL(n->held_bytes, 10);
	/* Flow 0 is untouched and completes normally. */
	s = seg(0, 1 + 20, TCP_ACK, cstream + 20, 10);
	feed(t, &s);
	CHECK_BYTES(&lg.flows[0], 0, cstream + 10, 30);
	CU_ASSERT_EQUAL(n->held_bytes, 0);
	tcp_table_free(t);
}

/* End of input: each remaining hole becomes a gap of its exact size, the
 * held bytes are delivered, a FIN behind them is reported, and every
 * flow is closed once. */
static void test_finish(void)
{
	struct log lg;
	struct tcp_table *t = table_default(&lg);
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	/* Flow 0: client holes [0,4) and [10,12); server hole [0,6). */
	s = seg(0, 0, TCP_SYN, NULL, 0);
	feed(t, &s);
	s = seg(1, 100, TCP_SYN | TCP_ACK, NULL, 0);
	feed(t, &s);
	s = seg(0, 1 + 12, TCP_ACK | TCP_FIN, cstream + 12, 8);
	feed(t, &s);
	s = seg(0, 1 + 4, TCP_ACK, cstream + 4, 6);
	feed(t, &s);
	s = seg(1, 101 + 6, TCP_ACK, sstream + 6, 9);
	feed(t, &s);
	/* Flow 1: midstream, one hole of 100 bytes. */
	s = seg_k(1, 0, 1000, TCP_ACK, cstream, 5);
	feed(t, &s);
	s = seg_k(1, 0, 1105, TCP_ACK, cstream + 105, 5);
	feed(t, &s);
	/* Flow 2: nothing held. */
	s = seg_k(2, 1, 1, TCP_ACK, sstream, 3);
	feed(t, &s);
	CU_ASSERT_EQUAL_FATAL(lg.nflows, 3);
	CU_ASSERT_EQUAL(lg.flows[0].fins[0], 0);
	const struct tcp_counters *n = tcp_table_counters(t);
	CU_ASSERT_EQUAL(n->held_bytes, 8 + 6 + 9 + 5);
	finish(t);
	struct flow_log *f = &lg.flows[0];
	CHECK_EV(f, "gap0:4@0 gap0:2@6 fin0@14 gap1:6@0 close ");
	CHECK_BYTES(f, 1, sstream + 6, 9);
	CU_ASSERT_EQUAL(f->nbytes[0], 14);
	CU_ASSERT_EQUAL(memcmp(f->bytes[0], cstream + 4, 6), 0);
	CU_ASSERT_EQUAL(memcmp(f->bytes[0] + 6, cstream + 12, 8), 0);
	CHECK_EV(&lg.flows[1], "gap0:100@5 close ");
	CU_ASSERT_EQUAL(lg.flows[1].nbytes[0], 10);
	CHECK_EV(&lg.flows[2], "close ");
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(lg.flows[i].closes, 1);
	CU_ASSERT_EQUAL(lg.ncloses, 3);
	CU_ASSERT_EQUAL(n->gaps, 4);
	CU_ASSERT_EQUAL(n->gap_bytes, 4 + 2 + 6 + 100);
	CU_ASSERT_EQUAL(n->held_bytes, 0);
	tcp_table_free(t);
	/* Nothing more on free. */
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(lg.flows[i].closes, 1);
}

/* A lone ACK (or FIN) without payload tells nothing: no flow. */
static void test_lone_ack(void)
{
	struct log lg;
	struct tcp_table *t = table_default(&lg);
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(0, 1, TCP_ACK, NULL, 0);
	feed(t, &s);
	s = seg(1, 1, TCP_ACK | TCP_FIN, NULL, 0);
	feed(t, &s);
	CU_ASSERT_EQUAL(lg.nflows, 0);
	CU_ASSERT_EQUAL(tcp_table_counters(t)->flows, 0);
	finish(t);
	CU_ASSERT_EQUAL(lg.ncloses, 0);
	tcp_table_free(t);
}

/* TCP Fast Open (RFC 7413): data in the SYN follows the SYN's sequence
 * number and is delivered. */
static void test_tfo(void)
{
	struct log lg;
	struct tcp_table *t = table_default(&lg);
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(0, 4000, TCP_SYN, cstream, 20);
	feed(t, &s);
	CU_ASSERT_EQUAL_FATAL(lg.nflows, 1);
	CU_ASSERT_TRUE(lg.flows[0].syn);
	CHECK_BYTES(&lg.flows[0], 0, cstream, 20);
	s = seg(1, 8000, TCP_SYN | TCP_ACK, sstream, 4);
	feed(t, &s);
	s = seg(0, 4021, TCP_ACK, cstream + 20, 10);
	feed(t, &s);
	/* The SYN retransmitted with its data: nothing new. */
	s = seg(0, 4000, TCP_SYN, cstream, 20);
	feed(t, &s);
	CHECK_BYTES(&lg.flows[0], 0, cstream, 30);
	CHECK_BYTES(&lg.flows[0], 1, sstream, 4);
	CU_ASSERT_EQUAL(tcp_table_counters(t)->retransmitted_bytes, 20);
	CU_ASSERT_EQUAL(tcp_table_counters(t)->gaps, 0);
	tcp_table_free(t);
}

/* A FIN that arrives before the data preceding it is reported only when
 * that data has arrived. */
static void test_early_fin(void)
{
	struct log lg;
	struct tcp_table *t = table_default(&lg);
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(0, 0, TCP_SYN, NULL, 0);
	feed(t, &s);
	s = seg(0, 1, TCP_ACK, cstream, 10);
	feed(t, &s);
	s = seg(0, 21, TCP_ACK | TCP_FIN, cstream + 20, 10);
	feed(t, &s);
	CU_ASSERT_EQUAL(lg.flows[0].fins[0], 0);
	/* A bare FIN retransmitted, still early. */
	s = seg(0, 31, TCP_ACK | TCP_FIN, NULL, 0);
	feed(t, &s);
	CU_ASSERT_EQUAL(lg.flows[0].fins[0], 0);
	s = seg(0, 11, TCP_ACK, cstream + 10, 10);
	feed(t, &s);
	CHECK_BYTES(&lg.flows[0], 0, cstream, 30);
	CHECK_EV(&lg.flows[0], "fin0@30 ");
	/* Server side: bare FIN ahead of the server's data. */
	s = seg(1, 500, TCP_SYN | TCP_ACK, NULL, 0);
	feed(t, &s);
	s = seg(1, 506, TCP_ACK | TCP_FIN, NULL, 0);
	feed(t, &s);
	CU_ASSERT_EQUAL(lg.flows[0].fins[1], 0);
	s = seg(1, 501, TCP_ACK, sstream, 5);
	feed(t, &s);
	CHECK_EV(&lg.flows[0], "fin0@30 fin1@5 close ");
	CU_ASSERT_EQUAL(lg.flows[0].closes, 1);
	tcp_table_free(t);
}

/* max_flows = 2: a third flow evicts the least recently active one, which
 * is closed; the others keep their state. */
static void test_flow_cap(void)
{
	struct log lg;
	struct tcp_table *t = table_new(&lg, 1 << 20, 1 << 22, 2);
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg_k(0, 0, 100, TCP_ACK, cstream, 5);        /* flow A */
	feed(t, &s);
	s = seg_k(1, 0, 200, TCP_ACK, cstream, 5);        /* flow B */
	feed(t, &s);
	s = seg_k(0, 1, 300, TCP_ACK, sstream, 4);        /* A active */
	feed(t, &s);
	s = seg_k(2, 0, 400, TCP_SYN, NULL, 0);           /* flow C */
	feed(t, &s);
	CU_ASSERT_EQUAL_FATAL(lg.nflows, 3);
	CU_ASSERT_EQUAL(lg.flows[1].closes, 1);           /* B evicted */
	CU_ASSERT_EQUAL(lg.flows[0].closes, 0);
	CU_ASSERT_EQUAL(lg.flows[2].closes, 0);
	CU_ASSERT_EQUAL(lg.ncloses, 1);
	CU_ASSERT_EQUAL(lg.close_order[0], 1);
	const struct tcp_counters *n = tcp_table_counters(t);
	CU_ASSERT_EQUAL(n->flow_cap_hits, 1);
	/* A continues in the same flow (no new open). */
	s = seg_k(0, 0, 105, TCP_ACK, cstream + 5, 5);
	feed(t, &s);
	CU_ASSERT_EQUAL(lg.nflows, 3);
	CHECK_BYTES(&lg.flows[0], 0, cstream, 10);
	CHECK_BYTES(&lg.flows[0], 1, sstream, 4);
	/* B again: a new flow, which evicts C (A was just active). */
	s = seg_k(1, 0, 205, TCP_ACK, cstream + 5, 5);
	feed(t, &s);
	CU_ASSERT_EQUAL_FATAL(lg.nflows, 4);
	CU_ASSERT_FALSE(lg.flows[3].syn);
	CU_ASSERT_EQUAL(lg.flows[2].closes, 1);
	CU_ASSERT_EQUAL(lg.flows[0].closes, 0);
	CU_ASSERT_EQUAL(n->flow_cap_hits, 2);
	CU_ASSERT_EQUAL(n->flows, 4);
	finish(t);
	CU_ASSERT_EQUAL(lg.ncloses, 4);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(lg.flows[i].closes, 1);
	tcp_table_free(t);
}

/* The snaplen cut a segment: the missing tail is a gap, and delivery
 * continues after it. */
static void test_snaplen_gap(void)
{
	struct log lg;
	struct tcp_table *t = table_default(&lg);
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(0, 0, TCP_SYN, NULL, 0);
	feed(t, &s);
	s = seg(0, 1, TCP_ACK, cstream, 60);
	s.payload_wire = 100;
	feed(t, &s);
	s = seg(0, 101, TCP_ACK | TCP_FIN, cstream + 100, 10);
	feed(t, &s);
	CHECK_EV(&lg.flows[0], "gap0:40@60 fin0@70 ");
	CU_ASSERT_EQUAL(lg.flows[0].nbytes[0], 70);
	CU_ASSERT_EQUAL(memcmp(lg.flows[0].bytes[0] + 60, cstream + 100, 10),
			0);
	CU_ASSERT_EQUAL(tcp_table_counters(t)->gap_bytes, 40);
	tcp_table_free(t);
}

/* A closed flow (lingering as a zombie) at the head of the activity list
 * must not hold back the expiry of an idle flow behind it when the idle
 * timeout is shorter than the zombie linger (live mode, --idle 2: the
 * quiet leg was never expired). */
static void test_expire_behind_zombie(void)
{
	struct log lg;
	struct tcp_table *t = table_default(&lg);
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg_k(0, 0, 1, TCP_ACK, cstream, 3);
	feed_at(t, &s, 100.0);
	s = seg_k(0, 0, 4, TCP_ACK | TCP_FIN, NULL, 0);
	feed_at(t, &s, 100.1);
	s = seg_k(0, 1, 500, TCP_ACK | TCP_FIN, NULL, 0);
	feed_at(t, &s, 100.2);
	CU_ASSERT_EQUAL_FATAL(lg.flows[0].closes, 1);
	s = seg_k(1, 0, 1, TCP_ACK, cstream, 3);
	feed_at(t, &s, 100.5);
	tcp_table_expire(t, 101.0, 2.0);
	CU_ASSERT_EQUAL(lg.flows[1].closes, 0);
	tcp_table_expire(t, 103.0, 2.0);
	CU_ASSERT_EQUAL(lg.flows[1].closes, 1);
	tcp_table_free(t);
}

/* Idle flows expire (close called); a consumer may refuse a flow. */
static void test_expire_and_refuse(void)
{
	struct log lg;
	struct tcp_table *t = table_default(&lg);
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg_k(0, 0, 1, TCP_ACK, cstream, 3);
	feed_at(t, &s, 100.0);
	s = seg_k(1, 0, 1, TCP_ACK, cstream, 3);
	feed_at(t, &s, 150.0);
	tcp_table_expire(t, 160.0, 30.0);
	CU_ASSERT_EQUAL(lg.flows[0].closes, 1);
	CU_ASSERT_EQUAL(lg.flows[1].closes, 0);
	tcp_table_expire(t, 200.0, 30.0);
	CU_ASSERT_EQUAL(lg.flows[1].closes, 1);
	tcp_table_free(t);

	t = table_default(&lg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	lg.refuse = true;
	s = seg(0, 0, TCP_SYN, NULL, 0);
	feed(t, &s);
	s = seg(0, 1, TCP_ACK, cstream, 3);
	feed(t, &s);
	s = seg(0, 4, TCP_RST, NULL, 0);
	feed(t, &s);
	CU_ASSERT_EQUAL(lg.refused, 1);
	CU_ASSERT_EQUAL(lg.nflows, 0);
	finish(t);
	CU_ASSERT_EQUAL(lg.ncloses, 0);
	tcp_table_free(t);
}

/* ---- overlap comparison (first copy wins, differences reported) ---- */

static int ov_calls;
static uint64_t ov_off;
static size_t ov_n, ov_differ;

static void cb_overlap(void *user, int dir, uint64_t off, size_t n,
		       size_t differ, const struct pkt_meta *pm)
{
	(void)user;
	(void)dir;
	(void)pm;
	ov_calls++;
	ov_off = off;
	ov_n = n;
	ov_differ = differ;
}

static struct tcp_table *table_ring(struct log *lg, size_t ring_total)
{
	struct tcp_consumer c = {
		.ctx = lg, .open = cb_open, .data = cb_data, .gap = cb_gap,
		.overlap = cb_overlap, .fin = cb_fin, .rst = cb_rst,
		.packet = cb_packet, .close = cb_close,
	};
	struct tcp_limits lim = { 1 << 20, 1 << 22, 64, ring_total };

	memset(lg, 0, sizeof *lg);
	g_log = lg;
	ov_calls = 0;
	ov_off = 0;
	ov_n = ov_differ = 0;
	return tcp_table_new(&c, &lim);
}

static void test_overlap_differs(void)
{
	struct log lg;
	struct tcp_table *t = table_ring(&lg, 1 << 20);
	const uint32_t b0 = 0xfffffff0u; /* wraps 16 bytes in */
	uint8_t bad[64];
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(0, b0 - 1, TCP_SYN, NULL, 0);
	feed(t, &s);
	s = seg(0, b0, TCP_ACK, cstream, 40);
	feed(t, &s);
	/* The same bytes again: compared, equal. */
	s = seg(0, b0 + 10, TCP_ACK, cstream + 10, 20);
	feed(t, &s);
	const struct tcp_counters *n = tcp_table_counters(t);
	CU_ASSERT_EQUAL(n->overlap_mismatches, 0);
	CU_ASSERT_EQUAL(ov_calls, 0);
	/* [20,30) again with 3 bytes changed, plus 5 new bytes. */
	memcpy(bad, cstream + 20, 25);
	bad[2] ^= 1;
	bad[3] ^= 1;
	bad[9] ^= 1;
	s = seg(0, b0 + 20, TCP_ACK, bad, 25);
	feed(t, &s);
	CU_ASSERT_EQUAL(n->overlap_mismatches, 1);
	CU_ASSERT_EQUAL(n->overlap_mismatch_bytes, 3);
	CU_ASSERT_EQUAL(ov_calls, 1);
	CU_ASSERT_EQUAL(ov_off, 22);
	CU_ASSERT_EQUAL(ov_n, 20);
	CU_ASSERT_EQUAL(ov_differ, 3);
	/* The first copy was kept; the new bytes came through. */
	CHECK_BYTES(&lg.flows[0], 0, cstream, 45);
	CU_ASSERT_EQUAL(n->overlap_unverifiable, 0);
	finish(t);
	tcp_table_free(t);
}

static void test_overlap_held(void)
{
	struct log lg;
	struct tcp_table *t = table_ring(&lg, 1 << 20);
	uint8_t bad[32];
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(0, 0, TCP_SYN, NULL, 0);
	feed(t, &s);
	/* Held [20,30), then a differing copy of [25,35) held too. */
	s = seg(0, 21, TCP_ACK, cstream + 20, 10);
	feed(t, &s);
	memcpy(bad, cstream + 25, 10);
	bad[0] ^= 0xff;
	s = seg(0, 26, TCP_ACK, bad, 10);
	feed(t, &s);
	const struct tcp_counters *n = tcp_table_counters(t);
	CU_ASSERT_EQUAL(n->overlap_mismatches, 1);
	CU_ASSERT_EQUAL(ov_off, 25);
	CU_ASSERT_EQUAL(ov_differ, 1);
	/* An in-order segment [0,40) over all of it, with byte 22 changed:
	 * the held copies arrived first, so they win. */
	uint8_t big[40];
	memcpy(big, cstream, 40);
	big[22] ^= 0x55;
	s = seg(0, 1, TCP_ACK, big, 40);
	feed(t, &s);
	CHECK_BYTES(&lg.flows[0], 0, cstream, 40);
	CU_ASSERT_EQUAL(n->overlap_mismatches, 2);
	CU_ASSERT_EQUAL(ov_off, 22);
	CU_ASSERT_EQUAL(n->held_bytes, 0);
	finish(t);
	tcp_table_free(t);
}

static void test_overlap_unverifiable(void)
{
	static uint8_t big[TCP_RING + 1000];
	struct log lg;
	struct tcp_table *t = table_ring(&lg, 1 << 20);
	struct tcp_segment s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i * 7);
	s = seg(0, 0, TCP_SYN, NULL, 0);
	feed(t, &s);
	s = seg(0, 1, TCP_ACK, big, sizeof big);
	feed(t, &s);
	/* Bytes [500,1500) re-sent changed: [500,1000) are older than the
	 * ring (unverifiable), [1000,1500) are compared. */
	uint8_t bad[1000];
	memset(bad, 0xee, sizeof bad);
	s = seg(0, 501, TCP_ACK, bad, sizeof bad);
	feed(t, &s);
	const struct tcp_counters *n = tcp_table_counters(t);
	CU_ASSERT_EQUAL(n->overlap_unverifiable, 500);
	CU_ASSERT_EQUAL(n->overlap_mismatches, 1);
	CU_ASSERT_EQUAL(ov_off, 1000);
	finish(t);
	tcp_table_free(t);

	/* No ring budget: every re-sent byte is unverifiable. */
	t = table_ring(&lg, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(0, 0, TCP_SYN, NULL, 0);
	feed(t, &s);
	s = seg(0, 1, TCP_ACK, cstream, 30);
	feed(t, &s);
	s = seg(0, 1, TCP_ACK, bad, 30);
	feed(t, &s);
	n = tcp_table_counters(t);
	CU_ASSERT_EQUAL(n->overlap_unverifiable, 30);
	CU_ASSERT_EQUAL(n->overlap_mismatches, 0);
	CU_ASSERT_EQUAL(n->ring_bytes, 0);
	finish(t);
	tcp_table_free(t);

	/* A budget for one ring: the second direction goes without. */
	t = table_ring(&lg, TCP_RING);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(0, 0, TCP_SYN, NULL, 0);
	feed(t, &s);
	s = seg(0, 1, TCP_ACK, cstream, 30);
	feed(t, &s);
	s = seg(1, 1, TCP_ACK, sstream, 30);
	feed(t, &s);
	n = tcp_table_counters(t);
	CU_ASSERT_EQUAL(n->ring_bytes, TCP_RING);
	CU_ASSERT_EQUAL(n->ring_cap_hits, 1);
	finish(t);
	CU_ASSERT_EQUAL(n->ring_bytes, 0);
	tcp_table_free(t);
}

static void test_keepalive_zwp(void)
{
	struct log lg;
	struct tcp_table *t = table_ring(&lg, 1 << 20);
	struct tcp_segment s;
	const uint8_t junk = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = seg(0, 0, TCP_SYN, NULL, 0);
	feed(t, &s);
	s = seg(1, 500, TCP_SYN | TCP_ACK, NULL, 0);
	feed(t, &s);
	s = seg(0, 1, TCP_ACK, cstream, 10);
	feed(t, &s);
	/* RFC 9293 §3.8.4 keep-alives: SND.NXT-1 with 0 or 1 junk byte. */
	s = seg(0, 10, TCP_ACK, &junk, 1);
	feed(t, &s);
	s = seg(0, 10, TCP_ACK, NULL, 0);
	feed(t, &s);
	const struct tcp_counters *n = tcp_table_counters(t);
	CU_ASSERT_EQUAL(n->keepalives, 2);
	CU_ASSERT_EQUAL(n->overlap_mismatches, 0);
	CU_ASSERT_EQUAL(n->retransmitted_bytes, 0);
	/* The server closes its window; the client probes with one byte,
	 * then sends it again with the rest. */
	s = seg(1, 501, TCP_ACK, NULL, 0);
	s.window = 0;
	feed(t, &s);
	s = seg(0, 11, TCP_ACK, cstream + 10, 1);
	feed(t, &s);
	CU_ASSERT_EQUAL(n->zero_window_probes, 1);
	s = seg(1, 501, TCP_ACK, NULL, 0);
	feed(t, &s);
	s = seg(0, 11, TCP_ACK, cstream + 10, 10);
	feed(t, &s);
	CHECK_BYTES(&lg.flows[0], 0, cstream, 20);
	CU_ASSERT_EQUAL(n->overlap_mismatches, 0);
	finish(t);
	tcp_table_free(t);
}

int add_tcp_reasm_suite(void)
{
	CU_pSuite s = CU_add_suite("tcp_reasm", setup, NULL);

	if (s == NULL)
		return -1;
	if (CU_add_test(s, "normal connection", test_normal) == NULL ||
	    CU_add_test(s, "every order of 5 segments", test_permutations) == NULL ||
	    CU_add_test(s, "random overlaps and repeats", test_random_overlaps) == NULL ||
	    CU_add_test(s, "random overlaps, small caps", test_random_caps) == NULL ||
	    CU_add_test(s, "overlaps", test_overlaps) == NULL ||
	    CU_add_test(s, "sequence wrap-around", test_wraparound) == NULL ||
	    CU_add_test(s, "midstream start", test_midstream) == NULL ||
	    CU_add_test(s, "SYN-ACK first", test_synack_first) == NULL ||
	    CU_add_test(s, "RST and 4-tuple reuse", test_rst_and_reuse) == NULL ||
	    CU_add_test(s, "out-of-order cap", test_ooo_cap) == NULL ||
	    CU_add_test(s, "out-of-order segment cap", test_ooo_segment_cap) == NULL ||
	    CU_add_test(s, "memcap", test_memcap) == NULL ||
	    CU_add_test(s, "finish", test_finish) == NULL ||
	    CU_add_test(s, "lone ACK", test_lone_ack) == NULL ||
	    CU_add_test(s, "data in SYN", test_tfo) == NULL ||
	    CU_add_test(s, "FIN before missing data", test_early_fin) == NULL ||
	    CU_add_test(s, "max_flows evicts LRU", test_flow_cap) == NULL ||
	    CU_add_test(s, "snaplen gap", test_snaplen_gap) == NULL ||
	    CU_add_test(s, "expire, refused flow", test_expire_and_refuse) == NULL ||
	    CU_add_test(s, "expire behind a zombie", test_expire_behind_zombie) == NULL ||
	    CU_add_test(s, "overlap with different bytes", test_overlap_differs) == NULL ||
	    CU_add_test(s, "overlap of held copies", test_overlap_held) == NULL ||
	    CU_add_test(s, "overlap beyond the ring", test_overlap_unverifiable) == NULL ||
	    CU_add_test(s, "keep-alive, zero-window probe", test_keepalive_zwp) == NULL)
		return -1;
	return 0;
}
