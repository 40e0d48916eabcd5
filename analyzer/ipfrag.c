/* ipfrag.c - IPv4 and IPv6 fragment reassembly (RFC 791 §3.2, RFC 8200
 * §4.5, RFC 5722). */
#include "ipfrag.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* The largest datagram payload: a 16-bit length (RFC 791 Total Length,
 * RFC 8200 Payload Length; jumbograms are never fragmented). */
#define DGRAM_MAX 65535u
/* Fragments a datagram may arrive in: 8-byte units make 8192 possible,
 * real senders use a few dozen at most. */
#define RANGES_MAX 256
/* Hash buckets for finding a fragment's datagram: a flood of fragments
 * that each start a datagram keeps thousands in progress, and a list
 * walk per fragment made that quadratic (tests/hostile: ipfrag_endless). */
#define BUCKETS 4096u

struct range {
	uint32_t from, to;     /* [from, to) */
};

struct dgram {
	struct dgram *prev, *next;   /* oldest first */
	struct dgram *hnext;         /* hash chain */
	uint32_t hash;
	uint8_t family, proto;
	uint8_t src[16], dst[16];
	uint32_t id;
	double first_ts;
	uint8_t *buf;
	size_t cap;                  /* bytes allocated at buf */
	uint32_t total;              /* payload length, once known */
	bool total_known;
	bool dead;                   /* abandoned (RFC 5722); drops the rest */
	struct range r[RANGES_MAX];
	unsigned nr;
};

struct ipfrag_table {
	struct ipfrag_limits lim;
	struct ipfrag_counters n;
	struct dgram *head, *tail;
	size_t count;
	uint32_t seed;               /* random: chains an attacker cannot aim */
	struct dgram *bucket[BUCKETS];
	uint8_t *done;               /* the last reassembled payload */
};

struct ipfrag_table *ipfrag_new(const struct ipfrag_limits *lim)
{
	struct ipfrag_table *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->lim = *lim;
	if (getrandom(&t->seed, sizeof t->seed, GRND_NONBLOCK) !=
	    (ssize_t)sizeof t->seed)
		t->seed = (uint32_t)(uintptr_t)t;
	return t;
}

/* FNV-1a over the key, started from the table's seed. */
static uint32_t key_hash(const struct ipfrag_table *t, const struct ip_frag *f)
{
	uint32_t h = 2166136261u ^ t->seed;
	uint8_t k[4 + 2 + 32];

	memcpy(k, &f->id, 4);
	k[4] = f->family;
	k[5] = f->proto;
	memcpy(k + 6, f->src, 16);
	memcpy(k + 22, f->dst, 16);
	for (size_t i = 0; i < sizeof k; i++)
		h = (h ^ k[i]) * 16777619u;
	return h;
}

static void unlink_dgram(struct ipfrag_table *t, struct dgram *d)
{
	struct dgram **pp = &t->bucket[d->hash % BUCKETS];

	while (*pp && *pp != d)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = d->hnext;
	if (d->prev)
		d->prev->next = d->next;
	else
		t->head = d->next;
	if (d->next)
		d->next->prev = d->prev;
	else
		t->tail = d->prev;
	t->count--;
	t->n.buffered -= d->cap;
}

static void drop(struct ipfrag_table *t, struct dgram *d)
{
	unlink_dgram(t, d);
	free(d->buf);
	free(d);
}

static struct dgram *lookup(struct ipfrag_table *t, const struct ip_frag *f,
			   uint32_t hash)
{
	for (struct dgram *d = t->bucket[hash % BUCKETS]; d; d = d->hnext)
		if (d->hash == hash && d->id == f->id && d->family == f->family &&
		    d->proto == f->proto && memcmp(d->src, f->src, 16) == 0 &&
		    memcmp(d->dst, f->dst, 16) == 0)
			return d;
	return NULL;
}

static void expire(struct ipfrag_table *t, double now)
{
	while (t->head && now - t->head->first_ts > t->lim.timeout_s) {
		if (!t->head->dead)
			t->n.timeouts++;
		drop(t, t->head);
	}
}

/* Makes room for `need` more buffered bytes (and, with a new datagram,
 * one more datagram) by dropping the oldest others. */
static void make_room(struct ipfrag_table *t, const struct dgram *keep,
		      size_t need, bool new_dgram)
{
	while (t->head && t->head != keep &&
	       ((new_dgram && t->count >= t->lim.max_datagrams) ||
		t->n.buffered + need > t->lim.max_bytes)) {
		t->n.cap_hits++;
		drop(t, t->head);
	}
}

/* How [from, to) meets the received ranges: 0 new bytes only, 1 an exact
 * duplicate of bytes held, 2 a partial or differing overlap. */
static int overlap(const struct dgram *d, uint32_t from, uint32_t to,
		   const uint8_t *p, bool *differ)
{
	int kind = 0;

	*differ = false;
	for (unsigned i = 0; i < d->nr; i++) {
		const struct range *r = &d->r[i];
		if (r->to <= from || r->from >= to)
			continue;
		uint32_t a = r->from > from ? r->from : from;
		uint32_t b = r->to < to ? r->to : to;
		if (memcmp(d->buf + a, p + (a - from), b - a) != 0)
			*differ = true;
		kind = r->from <= from && r->to >= to && !*differ ? 1 : 2;
		if (kind == 2)
			break;
	}
	return kind;
}

/* Adds [from, to) to the sorted, merged ranges; false when full. */
static bool add_range(struct dgram *d, uint32_t from, uint32_t to)
{
	unsigned i = 0;

	while (i < d->nr && d->r[i].to < from)
		i++;
	if (i == d->nr || d->r[i].from > to) {
		if (d->nr == RANGES_MAX)
			return false;
		memmove(&d->r[i + 1], &d->r[i], (d->nr - i) * sizeof d->r[0]);
		d->r[i].from = from;
		d->r[i].to = to;
		d->nr++;
		return true;
	}
	/* Merge with every range it touches. */
	if (from < d->r[i].from)
		d->r[i].from = from;
	if (to > d->r[i].to)
		d->r[i].to = to;
	unsigned j = i + 1;
	while (j < d->nr && d->r[j].from <= d->r[i].to) {
		if (d->r[j].to > d->r[i].to)
			d->r[i].to = d->r[j].to;
		j++;
	}
	memmove(&d->r[i + 1], &d->r[j], (d->nr - j) * sizeof d->r[0]);
	d->nr -= j - i - 1;
	return true;
}

bool ipfrag_add(struct ipfrag_table *t, const struct ip_frag *f, double now,
		const uint8_t **data, size_t *len)
{
	free(t->done);
	t->done = NULL;
	expire(t, now);

	uint32_t from = f->offset, to = f->offset + (uint32_t)f->len;
	/* RFC 791 / RFC 8200 §4.5: every fragment but the last carries a
	 * multiple of 8 bytes; nothing may end past the 16-bit length. */
	if ((f->more && (f->len % 8 || f->len == 0)) || to > DGRAM_MAX) {
		t->n.invalid++;
		return false;
	}
	uint32_t hash = key_hash(t, f);
	struct dgram *d = lookup(t, f, hash);
	if (!d) {
		make_room(t, NULL, 0, true);
		if (t->lim.max_datagrams == 0) {
			t->n.cap_hits++;
			return false;
		}
		d = calloc(1, sizeof *d);
		if (!d) {
			t->n.cap_hits++;
			return false;
		}
		d->family = f->family;
		d->proto = f->proto;
		memcpy(d->src, f->src, 16);
		memcpy(d->dst, f->dst, 16);
		d->id = f->id;
		d->first_ts = now;
		d->hash = hash;
		d->hnext = t->bucket[hash % BUCKETS];
		t->bucket[hash % BUCKETS] = d;
		d->prev = t->tail;
		if (t->tail)
			t->tail->next = d;
		else
			t->head = d;
		t->tail = d;
		t->count++;
	}
	if (d->dead)
		return false;
	if (!f->more) {
		/* The last fragment fixes the length; a second, different
		 * end, or bytes beyond it, make the datagram inconsistent. */
		if ((d->total_known && d->total != to) ||
		    (d->nr && d->r[d->nr - 1].to > to)) {
			t->n.invalid++;
			d->dead = true;
			return false;
		}
		d->total = to;
		d->total_known = true;
	} else if (d->total_known && to > d->total) {
		t->n.invalid++;
		d->dead = true;
		return false;
	}
	if (to > d->cap) {
		/* Grown to the highest end seen, rounded up to 2 KiB. */
		size_t cap = (to + 2047u) & ~(size_t)2047;
		if (cap > DGRAM_MAX)
			cap = DGRAM_MAX;
		make_room(t, d, cap - d->cap, false);
		if (t->n.buffered + (cap - d->cap) > t->lim.max_bytes) {
			t->n.cap_hits++;
			drop(t, d);
			return false;
		}
		uint8_t *nb = realloc(d->buf, cap);
		if (!nb) {
			t->n.cap_hits++;
			drop(t, d);
			return false;
		}
		t->n.buffered += cap - d->cap;
		d->buf = nb;
		d->cap = cap;
	}
	bool differ;
	int ov = overlap(d, from, to, f->data, &differ);
	if (ov == 1)
		return false; /* an exact duplicate */
	if (ov == 2 && f->family == 6) {
		/* RFC 8200 §4.5: overlapping fragments abandon the whole
		 * datagram. */
		t->n.overlaps++;
		d->dead = true;
		return false;
	}
	if (ov == 2 && differ)
		t->n.overlaps++;
	/* Only bytes not held yet are copied: the first copy wins (IPv4). */
	uint32_t at = from;
	for (unsigned i = 0; i < d->nr && at < to; i++) {
		const struct range *r = &d->r[i];
		if (r->to <= at)
			continue;
		if (r->from >= to)
			break;
		if (r->from > at)
			memcpy(d->buf + at, f->data + (at - from), r->from - at);
		at = r->to;
	}
	if (at < to)
		memcpy(d->buf + at, f->data + (at - from), to - at);
	if (!add_range(d, from, to)) {
		t->n.invalid++;
		d->dead = true;
		return false;
	}
	if (!d->total_known || d->nr != 1 || d->r[0].from != 0 ||
	    d->r[0].to != d->total)
		return false;
	/* Complete: the buffer goes out, the entry goes away. */
	t->n.reassembled++;
	*data = d->buf;
	*len = d->total;
	t->done = d->buf;
	d->buf = NULL;
	drop(t, d);
	return true;
}

const struct ipfrag_counters *ipfrag_counters(const struct ipfrag_table *t)
{
	return &t->n;
}

void ipfrag_free(struct ipfrag_table *t)
{
	if (!t)
		return;
	while (t->head)
		drop(t, t->head);
	free(t->done);
	free(t);
}
