/* browse_store.c - the browser's copy of the session model (see
 * browse_store.h for what is kept and why). */
#include "browse_store.h"

#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 2

struct cache_slot {
	uint64_t id, version;
	bool valid;
	uint64_t used;           /* LRU clock */
	struct leg *leg;
};

struct bstore {
	struct bs_limits lim;
	struct bs_stats st;
	struct sess_stats sess;
	bool finished;
	uint64_t version;
	struct bs_leg **legs;    /* in order of arrival */
	size_t n, cap;
	size_t *index;           /* open addressing on id: position + 1 */
	size_t index_cap;        /* a power of two, at least 2n */
	struct cache_slot cache[CACHE_SLOTS];
	uint64_t clock;
	uint8_t *pack_buf;       /* scratch for packing */
	/* Packed legs are allocated from slabs (never freed one by one: a
	 * leg is packed once, when it ends), so 10,000 small mallocs do not
	 * have to search a heap the analyzer just fragmented. */
	struct bs_chunk *slabs;
};

void bs_default_limits(struct bs_limits *lim)
{
	lim->msg_payload = 64 * 1024;
	lim->leg_payload = 2u * 1024 * 1024;
	lim->leg_messages = 100000;
	lim->leg_heads = 64;
	lim->total = (size_t)512 * 1024 * 1024;
	lim->legs = 1000000;
}

bool bs_verdict_failed(enum verdict v)
{
	switch (v) {
	case V_OK:
	case V_INCOMPLETE:
	case V_TLS_ENCRYPTED:
	case V_NOT_WEBSOCKET:
		return false;
	default:
		return true;
	}
}

struct bstore *bs_new(const struct bs_limits *lim)
{
	struct bstore *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	if (lim)
		s->lim = *lim;
	else
		bs_default_limits(&s->lim);
	return s;
}

static void leg_free(struct bs_leg *bl)
{
	free(bl->heads);
	free(bl->msg);
	for (struct bs_chunk *c = bl->chunks, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	free(bl->open_copy);
	free(bl);
}

void bs_free(struct bstore *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		leg_free(s->legs[i]);
	for (int i = 0; i < CACHE_SLOTS; i++)
		free(s->cache[i].leg);
	free(s->legs);
	free(s->index);
	free(s->pack_buf);
	for (struct bs_chunk *c = s->slabs, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	free(s);
}

size_t bs_count(const struct bstore *s)
{
	return s->n;
}

struct bs_leg *bs_at(struct bstore *s, size_t i)
{
	return i < s->n ? s->legs[i] : NULL;
}

const struct bs_stats *bs_stats(const struct bstore *s)
{
	return &s->st;
}

const struct sess_stats *bs_sess_stats(const struct bstore *s)
{
	return s->finished ? &s->sess : NULL;
}

uint64_t bs_version(const struct bstore *s)
{
	return s->version;
}

/* Fibonacci hashing spreads the sequential ids over the table. */
static size_t slot_of(uint64_t id, size_t cap)
{
	return (size_t)((id * 0x9e3779b97f4a7c15ull) >> 17) & (cap - 1);
}

struct bs_leg *bs_find(struct bstore *s, uint64_t id)
{
	if (!s->index_cap)
		return NULL;
	for (size_t i = slot_of(id, s->index_cap);; i = (i + 1) & (s->index_cap - 1)) {
		size_t v = s->index[i];
		if (!v)
			return NULL;
		if (s->legs[v - 1]->id == id)
			return s->legs[v - 1];
	}
}

static bool index_grow(struct bstore *s)
{
	size_t nc = s->index_cap ? s->index_cap * 2 : 1024;
	size_t *ni = calloc(nc, sizeof *ni);

	if (!ni)
		return false;
	for (size_t k = 0; k < s->n; k++) {
		size_t i = slot_of(s->legs[k]->id, nc);
		while (ni[i])
			i = (i + 1) & (nc - 1);
		ni[i] = k + 1;
	}
	s->st.bytes += (nc - s->index_cap) * sizeof *ni;
	free(s->index);
	s->index = ni;
	s->index_cap = nc;
	return true;
}

/* Room for `more` bytes under the store's total cap. */
static bool budget(struct bstore *s, size_t more)
{
	if (more > s->lim.total || s->st.bytes > s->lim.total - more) {
		s->st.total_cap_hits++;
		return false;
	}
	return true;
}

/* Doubles an array to hold one more element; false when it may not. */
static bool grow(struct bstore *s, void **arr, size_t *cap, size_t n,
		 size_t elem)
{
	if (n < *cap)
		return true;
	size_t nc = *cap ? *cap * 2 : 16;
	if (!budget(s, (nc - *cap) * elem))
		return false;
	void *na = realloc(*arr, nc * elem);
	if (!na)
		return false;
	s->st.bytes += (nc - *cap) * elem;
	*arr = na;
	*cap = nc;
	return true;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* The row's fields follow the leg at every event. */
static void update_row(struct bstore *s, struct bs_leg *bl, const struct leg *l)
{
	copy_str(bl->client, sizeof bl->client, l->client.text);
	copy_str(bl->server, sizeof bl->server, l->server.text);
	copy_str(bl->target, sizeof bl->target, l->target);
	bl->via = l->via;
	bl->verdict = l->verdict;
	bl->proxy_status = l->proxy_status;
	if (l->linked)
		bl->linked = l->linked;
	bl->first_ts = l->first_ts;
	bl->last_ts = l->last_ts;
	bl->first_pkt = l->first_pkt;
	for (int d = 0; d < 2; d++) {
		const struct msg_counts *c = &l->msgs[d];
		bl->msgs[d] = c->text + c->binary + c->ping + c->pong + c->close;
		bl->bytes[d] = l->tcp_bytes[d];
	}
	bl->version++;
	s->version++;
}

static struct bs_leg *leg_for(struct bstore *s, const struct leg *l)
{
	struct bs_leg *bl = bs_find(s, l->id);

	if (bl) {
		update_row(s, bl, l);
		return bl;
	}
	if (s->n >= s->lim.legs || !budget(s, sizeof *bl)) {
		s->st.legs_dropped++;
		return NULL;
	}
	if ((s->n + 1) * 2 > s->index_cap && !index_grow(s))
		return NULL;
	if (!grow(s, (void **)&s->legs, &s->cap, s->n, sizeof *s->legs))
		return NULL;
	bl = calloc(1, sizeof *bl);
	if (!bl)
		return NULL;
	s->st.bytes += sizeof *bl;
	bl->id = l->id;
	bl->order = s->n;
	s->legs[s->n] = bl;
	size_t i = slot_of(l->id, s->index_cap);
	while (s->index[i])
		i = (i + 1) & (s->index_cap - 1);
	s->index[i] = ++s->n;
	s->st.legs++;
	update_row(s, bl, l);
	return bl;
}

/* Chunks start small (most legs carry a few heads and short messages)
 * and double up to CHUNK_MAX; a payload bigger than that gets a chunk of
 * its own size. */
#define CHUNK_MIN 1024
#define CHUNK_MAX (256 * 1024)

/* Keeps up to `n` bytes, within the leg's budget and the store's;
 * returns how many were kept, at *out. */
static size_t keep(struct bstore *s, struct bs_leg *bl, const uint8_t *p,
		   size_t n, const uint8_t **out)
{
	*out = NULL;
	if (!p || !n)
		return 0;
	size_t room = bl->kept < s->lim.leg_payload ?
		      s->lim.leg_payload - bl->kept : 0;
	if (n > room) {
		n = room;
		bl->budget_hits++;
		s->st.leg_budget_hits++;
	}
	if (!n)
		return 0;
	struct bs_chunk *c = bl->chunks;
	if (!c || c->cap - c->len < n) {
		size_t cap = c ? c->cap * 2 : CHUNK_MIN;
		if (cap > CHUNK_MAX)
			cap = CHUNK_MAX;
		if (cap < n)
			cap = n;
		if (!budget(s, sizeof *c + cap))
			return 0;
		struct bs_chunk *nc = malloc(sizeof *nc + cap);
		if (!nc)
			return 0;
		s->st.bytes += sizeof *nc + cap;
		nc->next = c;
		nc->len = 0;
		nc->cap = cap;
		bl->chunks = c = nc;
	}
	memcpy(c->data + c->len, p, n);
	*out = c->data + c->len;
	c->len += n;
	bl->kept += n;
	return n;
}

/* A whole copy of the open leg, refreshed at its milestones (heads,
 * close frames) rather than at every message: a copy is ~14 KB. */
static void snapshot(struct bstore *s, struct bs_leg *bl, const struct leg *l)
{
	if (!bl->open_copy) {
		if (!budget(s, sizeof *l))
			return;
		bl->open_copy = malloc(sizeof *l);
		if (!bl->open_copy)
			return;
		s->st.bytes += sizeof *l;
	}
	memcpy(bl->open_copy, l, sizeof *l);
}

static void on_head(void *ctx, const struct leg *l, const struct http_head *h)
{
	struct bstore *s = ctx;
	struct bs_leg *bl = leg_for(s, l);

	if (!bl)
		return;
	snapshot(s, bl, l);
	if (bl->n_heads >= s->lim.leg_heads) {
		bl->heads_dropped++;
		s->st.heads_dropped++;
		return;
	}
	if (!grow(s, (void **)&bl->heads, &bl->cap_heads, bl->n_heads,
		  sizeof *bl->heads))
		return;
	struct bs_head *k = &bl->heads[bl->n_heads++];
	memset(k, 0, sizeof *k);
	k->seq = bl->next_seq++;
	k->dir = h->dir;
	k->is_request = h->is_request;
	k->raw_truncated = h->raw_truncated;
	k->status = h->status;
	k->ts = h->ts;
	k->pkt = h->pkt;
	k->len = keep(s, bl, h->raw, h->raw_len, &k->raw);
	k->cut = k->len < h->raw_len;
	s->st.heads++;
}

static void on_message(void *ctx, const struct leg *l,
		       const struct leg_message *m)
{
	struct bstore *s = ctx;
	struct bs_leg *bl = leg_for(s, l);

	if (!bl)
		return;
	if (m->opcode == 0x8)
		snapshot(s, bl, l);
	if (bl->n_msg >= s->lim.leg_messages) {
		bl->messages_dropped++;
		s->st.messages_dropped++;
		return;
	}
	if (!grow(s, (void **)&bl->msg, &bl->cap_msg, bl->n_msg, sizeof *bl->msg))
		return;
	struct bs_msg *k = &bl->msg[bl->n_msg++];
	memset(k, 0, sizeof *k);
	k->seq = bl->next_seq++;
	k->opcode = m->opcode;
	k->dir = m->dir;
	k->compressed = m->compressed;
	k->truncated = m->truncated;
	k->utf8_valid = m->utf8_valid;
	k->has_close_code = m->has_close_code;
	k->close_code = m->close_code;
	k->frames = m->frames;
	k->ts = m->ts;
	k->pkt = m->pkt;
	k->length = m->length;
	k->wire_length = m->wire_length;
	k->given = m->data ? m->data_len : 0;
	size_t want = k->given;
	if (want > s->lim.msg_payload) {
		want = s->lim.msg_payload;
		bl->payload_cut++;
		s->st.payload_cut++;
	}
	k->len = keep(s, bl, m->data, want, &k->data);
	k->cut = k->len < k->given;
	if (m->reason && m->reason_len)
		k->reason_len = keep(s, bl, m->reason, m->reason_len,
				     &k->reason);
	s->st.messages++;
}

/* Packing: a struct leg is ~14 KB of which most is empty text arrays,
 * zero-filled.  It is stored as (literal length, literal bytes, zero-run
 * length) records, lengths as LEB128 varints; only zero runs of at least
 * ZR_MIN bytes are worth a record.  Ten times faster than deflate at its
 * fastest, and nearly as small for this data. */
#define ZR_MIN 8
#define SLAB 65536

static size_t put_varint(uint8_t *o, size_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		o[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	o[n++] = (uint8_t)v;
	return n;
}

static bool get_varint(const uint8_t **p, const uint8_t *end, size_t *v)
{
	size_t r = 0;
	for (int shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;
		r |= (size_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return true;
		}
	}
	return false;
}

/* Packs n bytes into out (room for n + n / 64 + 32 bytes); returns the
 * packed length. */
static size_t zr_pack(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		/* the literal runs to the next zero run of ZR_MIN bytes */
		size_t lit = i;
		while (lit < n) {
			if (in[lit]) {
				lit++;
				continue;
			}
			size_t z = lit;
			while (z < n && !in[z] && z - lit < ZR_MIN)
				z++;
			if (z - lit >= ZR_MIN || z == n)
				break;
			lit = z;
		}
		o += put_varint(out + o, lit - i);
		memcpy(out + o, in + i, lit - i);
		o += lit - i;
		size_t z = lit;
		while (z < n && !in[z])
			z++;
		o += put_varint(out + o, z - lit);
		i = z;
	}
	return o;
}

/* Unpacks exactly n bytes; false when the packed data does not fit. */
static bool zr_unpack(const uint8_t *p, size_t len, uint8_t *out, size_t n)
{
	const uint8_t *end = p + len;
	size_t o = 0, lit, zeros;

	while (p < end) {
		if (!get_varint(&p, end, &lit) || lit > (size_t)(end - p) ||
		    lit > n - o)
			return false;
		memcpy(out + o, p, lit);
		p += lit;
		o += lit;
		if (!get_varint(&p, end, &zeros) || zeros > n - o)
			return false;
		memset(out + o, 0, zeros);
		o += zeros;
	}
	return o == n;
}

static void *slab_alloc(struct bstore *s, size_t n)
{
	struct bs_chunk *c = s->slabs;

	if (!c || c->cap - c->len < n) {
		size_t cap = n > SLAB ? n : SLAB;
		if (!budget(s, sizeof *c + cap))
			return NULL;
		c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		s->st.bytes += sizeof *c + cap;
		c->next = s->slabs;
		c->len = 0;
		c->cap = cap;
		s->slabs = c;
	}
	void *p = c->data + c->len;
	c->len += n;
	return p;
}

/* Packs the ended leg (the open copy, if any, is let go). */
static void pack(struct bstore *s, struct bs_leg *bl, const struct leg *l)
{
	if (!s->pack_buf) {
		s->pack_buf = malloc(sizeof *l + sizeof *l / 64 + 32);
		if (!s->pack_buf) {
			s->st.pack_failures++;
			snapshot(s, bl, l);
			return;
		}
	}
	size_t len = zr_pack((const uint8_t *)l, sizeof *l, s->pack_buf);
	void *p = slab_alloc(s, len);
	if (!p) {
		s->st.pack_failures++;
		snapshot(s, bl, l);
		return;
	}
	memcpy(p, s->pack_buf, len);
	bl->packed = p;
	bl->packed_len = len;
	if (bl->open_copy) {
		free(bl->open_copy);
		bl->open_copy = NULL;
		s->st.bytes -= sizeof *l;
	}
}

static void on_leg_end(void *ctx, const struct leg *l)
{
	struct bstore *s = ctx;
	struct bs_leg *bl = leg_for(s, l);

	if (!bl)
		return;
	bl->ended = true;
	pack(s, bl, l);
	/* Links are found when the second leg ends: tell the first. */
	if (l->linked) {
		struct bs_leg *o = bs_find(s, l->linked);
		if (o && !o->linked) {
			o->linked = l->id;
			o->version++;
		}
	}
	s->version++;
}

static void on_finish(void *ctx, const struct sess_stats *st)
{
	struct bstore *s = ctx;

	s->sess = *st;
	s->finished = true;
	s->version++;
}

struct sess_sink bs_sink(struct bstore *s)
{
	struct sess_sink k = {
		.ctx = s,
		.http_head = on_head,
		.message = on_message,
		.leg_end = on_leg_end,
		.finish = on_finish,
		.want_payload = true,
	};
	return k;
}

const struct leg *bs_full(struct bstore *s, const struct bs_leg *bl)
{
	if (!bl->packed)
		return bl->open_copy;
	struct cache_slot *slot = &s->cache[0];
	for (int i = 0; i < CACHE_SLOTS; i++) {
		struct cache_slot *c = &s->cache[i];
		if (c->valid && c->id == bl->id && c->version == bl->version) {
			c->used = ++s->clock;
			return c->leg;
		}
		if (c->used < slot->used)
			slot = c;
	}
	if (!slot->leg) {
		slot->leg = malloc(sizeof *slot->leg);
		if (!slot->leg)
			return NULL;
	}
	slot->valid = false;
	if (!zr_unpack(bl->packed, bl->packed_len, (uint8_t *)slot->leg,
		       sizeof *slot->leg))
		return NULL;
	slot->valid = true;
	slot->id = bl->id;
	slot->version = bl->version;
	slot->used = ++s->clock;
	return slot->leg;
}

bool bs_replay(struct bstore *s, const struct bs_leg *bl,
	       const struct sess_sink *to)
{
	const struct leg *l = bs_full(s, bl);
	size_t h = 0, m = 0;

	if (!l)
		return false;
	while (h < bl->n_heads || m < bl->n_msg) {
		bool head = m >= bl->n_msg ||
			    (h < bl->n_heads && bl->heads[h].seq < bl->msg[m].seq);
		if (head) {
			const struct bs_head *k = &bl->heads[h++];
			struct http_head hh = {
				.dir = k->dir, .is_request = k->is_request,
				.ts = k->ts, .pkt = k->pkt,
				.raw = k->raw, .raw_len = k->len,
				.raw_truncated = k->raw_truncated || k->cut,
				.status = k->status,
			};
			if (to->http_head)
				to->http_head(to->ctx, l, &hh);
			continue;
		}
		const struct bs_msg *k = &bl->msg[m++];
		struct leg_message lm = {
			.dir = k->dir, .ts = k->ts, .pkt = k->pkt,
			.opcode = k->opcode, .compressed = k->compressed,
			.truncated = k->truncated || k->cut,
			.utf8_valid = k->utf8_valid, .length = k->length,
			.wire_length = k->wire_length, .frames = k->frames,
			.data = k->given ? k->data : NULL,
			.data_len = k->len,
			.has_close_code = k->has_close_code,
			.close_code = k->close_code,
			.reason = k->reason_len ? k->reason : NULL,
			.reason_len = k->reason_len,
		};
		if (to->message)
			to->message(to->ctx, l, &lm);
	}
	if (to->leg_end)
		to->leg_end(to->ctx, l);
	if (to->finish) {
		struct sess_stats st = {
			.packets = l->packets, .legs = 1, .legs_reported = 1,
			.messages = bl->n_msg, .http_heads = bl->n_heads,
			.first_ts = l->first_ts, .last_ts = l->last_ts,
		};
		to->finish(to->ctx, &st);
	}
	return true;
}
