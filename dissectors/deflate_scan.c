/* deflate_scan.c - back-reference distances of a raw deflate stream
 * (RFC 1951 §3.2.3-§3.2.7), decoded without output. */
#include "deflate_scan.h"

#include <string.h>

enum {
	M_HEADER,      /* BFINAL, BTYPE (§3.2.3) */
	M_STORED,      /* align, LEN, NLEN (§3.2.4) */
	M_STORED_COPY, /* skipping LEN bytes */
	M_TABLE,       /* HLIT, HDIST, HCLEN (§3.2.7) */
	M_LENLENS,     /* code length code lengths */
	M_CODELENS,    /* literal/length and distance code lengths */
	M_CODES,       /* compressed data */
	M_DONE,        /* after the final block */
};

/* §3.2.5 */
static const uint16_t lbase[29] = {
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51,
	59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const uint8_t lext[29] = {
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4,
	4, 5, 5, 5, 5, 0 };
static const uint16_t dbase[30] = {
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
	513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385,
	24577 };
static const uint8_t dext[30] = {
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10,
	10, 11, 11, 12, 12, 13, 13 };
/* §3.2.7: the order of the code length code lengths. */
static const uint8_t clorder[19] = {
	16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };

void dscan_reset(struct dscan *d)
{
	memset(d, 0, sizeof *d);
	d->mode = M_HEADER;
}

/* The lookup table for codes of up to DSCAN_FAST_BITS bits.  Codes are
 * assigned as in §3.2.2 (consecutive values within a length, shorter
 * codes first) and packed starting with their most significant bit, so
 * the table is indexed by the code's bits reversed; every index whose low
 * `len` bits are that pattern leads to the symbol. */
/* The 9 low bits of v in reverse order. */
static unsigned reverse9(unsigned v)
{
	static uint16_t table[1u << DSCAN_FAST_BITS];
	static bool built;

	if (!built) {
		for (unsigned k = 0; k < (1u << DSCAN_FAST_BITS); k++) {
			unsigned r = 0;
			for (unsigned i = 0; i < DSCAN_FAST_BITS; i++)
				r |= ((k >> i) & 1u) << (DSCAN_FAST_BITS - 1 - i);
			table[k] = (uint16_t)r;
		}
		built = true;
	}
	return table[v & ((1u << DSCAN_FAST_BITS) - 1)];
}

static void build_fast(struct dscan_huff *h, const uint8_t *lens, unsigned n)
{
	uint16_t next[16];
	unsigned code = 0;

	memset(h->fast, 0, sizeof h->fast);
	next[0] = 0;
	for (int len = 1; len < 16; len++) {
		/* count[0] holds the unused symbols: no codes of length 0 */
		code = (code + (len > 1 ? h->count[len - 1] : 0u)) << 1;
		next[len] = (uint16_t)code;
	}
	for (unsigned s = 0; s < n; s++) {
		unsigned len = lens[s];
		if (len == 0 || len > DSCAN_FAST_BITS)
			continue;
		unsigned c = next[len]++;
		unsigned rev = reverse9(c << (DSCAN_FAST_BITS - len));
		for (unsigned i = rev; i < (1u << DSCAN_FAST_BITS); i += 1u << len)
			h->fast[i] = (uint16_t)(len << 9 | s);
	}
}

/* Canonical Huffman code from lengths (§3.2.2).  Returns false when the
 * lengths over-subscribe the code; incomplete codes are allowed (zlib
 * allows one for a single distance code). */
static bool construct(struct dscan_huff *h, const uint8_t *lens, unsigned n)
{
	uint16_t offs[16];
	int left = 1;

	memset(h->count, 0, sizeof h->count);
	for (unsigned s = 0; s < n; s++)
		h->count[lens[s]]++;
	for (int len = 1; len < 16; len++) {
		left <<= 1;
		left -= h->count[len];
		if (left < 0)
			return false;
	}
	offs[1] = 0;
	for (int len = 1; len < 15; len++)
		offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
	for (unsigned s = 0; s < n; s++)
		if (lens[s])
			h->symbol[offs[lens[s]]++] = (uint16_t)s;
	build_fast(h, lens, n);
	return true;
}

/* Bit by bit, for codes longer than the lookup table (and none). */
static int decode_slow(const struct dscan_huff *h, uint64_t *hold,
		       unsigned *bits)
{
	uint64_t hd = *hold;
	unsigned b = *bits;
	int code = 0, first = 0, index = 0;

	for (int len = 1; len < 16; len++) {
		if (!b)
			return -1;
		code |= (int)(hd & 1);
		hd >>= 1;
		b--;
		int count = h->count[len];
		if (code - count < first) {
			*hold = hd;
			*bits = b;
			return h->symbol[index + (code - first)];
		}
		index += count;
		first += count;
		first <<= 1;
		code <<= 1;
	}
	return -2;
}

/* Decodes one symbol from (*hold, *bits), MSB-first code bits read one at
 * a time (§3.1.1).  -1: not enough bits; -2: no such code.  Short codes
 * come from the lookup table; a code whose bits are all on hand is found
 * there whatever follows it, and when the entry is longer than the bits on
 * hand no shorter code matches them either (codes are prefix-free). */
static inline int decode(const struct dscan_huff *h, uint64_t *hold,
			 unsigned *bits)
{
	unsigned e = h->fast[*hold & ((1u << DSCAN_FAST_BITS) - 1)];

	if (e) {
		unsigned len = e >> 9;
		if (len > *bits)
			return -1;
		*hold >>= len;
		*bits -= len;
		return (int)(e & 0x1ff);
	}
	return decode_slow(h, hold, bits);
}

static uint32_t take(uint64_t *hold, unsigned *bits, unsigned n)
{
	uint32_t v = (uint32_t)(*hold & ((1ull << n) - 1));

	*hold >>= n;
	*bits -= n;
	return v;
}

/* The fixed codes (§3.2.6) are the same for every block: built once and
 * shared (building them per block was a tenth of a busy capture's time,
 * and copying them, with their lookup tables, still showed). */
static const struct dscan_huff *fixed_code(bool dist)
{
	static struct dscan_huff fixed_len, fixed_dist;
	static bool built;

	if (!built) {
		uint8_t l[288];

		memset(l, 8, 144);
		memset(l + 144, 9, 112);
		memset(l + 256, 7, 24);
		memset(l + 280, 8, 8);
		construct(&fixed_len, l, 288);
		memset(l, 5, 30);
		construct(&fixed_dist, l, 30);
		built = true;
	}
	return dist ? &fixed_dist : &fixed_len;
}

/* One literal, end of block or length/distance pair, all or nothing
 * (at most 15 + 5 + 15 + 13 bits).  Returns false when bits ran out. */
static bool one_code(struct dscan *d, const struct dscan_huff *lc,
		     const struct dscan_huff *dc, uint32_t limit)
{
	uint64_t hd = d->hold;
	unsigned b = d->bits;
	int sym = decode(lc, &hd, &b);

	if (sym == -1)
		return false;
	if (sym < 0 || sym > 285) {
		d->broken = true;
		return true;
	}
	if (sym < 256) {
		d->pos++;
	} else if (sym == 256) {
		d->mode = d->final ? M_DONE : M_HEADER;
	} else {
		sym -= 257;
		if (b < lext[sym])
			return false;
		uint32_t len = lbase[sym] + take(&hd, &b, lext[sym]);
		int ds = decode(dc, &hd, &b);
		if (ds == -1)
			return false;
		if (ds < 0 || ds > 29) {
			d->broken = true;
			return true;
		}
		if (b < dext[ds])
			return false;
		uint32_t dist = dbase[ds] + take(&hd, &b, dext[ds]);
		/* Beyond the output so far zlib refuses it itself. */
		if (dist > limit && dist <= d->pos) {
			if (!d->over)
				d->over_pos = d->pos;
			if (dist > d->over)
				d->over = dist;
		}
		d->pos += len;
	}
	d->hold = hd;
	d->bits = b;
	return true;
}

/* One code length (with its repeat), all or nothing. */
static bool one_length(struct dscan *d)
{
	uint64_t hd = d->hold;
	unsigned b = d->bits;
	int sym = decode(&d->lencode, &hd, &b);
	unsigned rep = 0;
	uint8_t val = 0;

	if (sym == -1)
		return false;
	if (sym < 0) {
		d->broken = true;
		return true;
	}
	if (sym < 16) {
		d->lens[d->have++] = (uint8_t)sym;
	} else {
		static const uint8_t xb[3] = { 2, 3, 7 }, xbase[3] = { 3, 3, 11 };
		if (b < xb[sym - 16])
			return false;
		if (sym == 16) {
			if (d->have == 0) {
				d->broken = true;
				return true;
			}
			val = d->lens[d->have - 1];
		}
		rep = xbase[sym - 16] + take(&hd, &b, xb[sym - 16]);
		if (d->have + rep > d->nlen + d->ndist) {
			d->broken = true;
			return true;
		}
		while (rep--)
			d->lens[d->have++] = val;
	}
	d->hold = hd;
	d->bits = b;
	return true;
}

void dscan_feed(struct dscan *d, const uint8_t *p, size_t n, uint32_t limit)
{
	while (!d->broken) {
		/* Keep 57..64 bits on hand while input lasts: every step
		 * below needs at most 48.  Whole bytes from one 8-byte load
		 * where the input has them (bits above `bits` stay zero:
		 * the lookup in decode() relies on that). */
		if (d->bits <= 56 && n >= 8 && d->mode != M_STORED_COPY) {
			uint64_t w;
			memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			w = __builtin_bswap64(w);
#endif
			unsigned k = (63 - d->bits) / 8;
			d->hold |= w << d->bits;
			d->bits += 8 * k;
			d->hold &= (1ull << d->bits) - 1;
			p += k;
			n -= k;
		}
		while (d->bits <= 56 && n && d->mode != M_STORED_COPY) {
			d->hold |= (uint64_t)*p++ << d->bits;
			d->bits += 8;
			n--;
		}
		switch (d->mode) {
		case M_HEADER:
			if (d->bits < 3)
				return;
			d->final = take(&d->hold, &d->bits, 1);
			switch (take(&d->hold, &d->bits, 2)) {
			case 0:
				d->mode = M_STORED;
				break;
			case 1:
				d->fixed = true;
				d->mode = M_CODES;
				break;
			case 2:
				d->fixed = false;
				d->mode = M_TABLE;
				break;
			default:
				d->broken = true;
			}
			break;
		case M_STORED:
			/* §3.2.4: skip to a byte boundary, then LEN, NLEN. */
			take(&d->hold, &d->bits, d->bits % 8);
			if (d->bits < 32)
				return;
			d->stored_left = take(&d->hold, &d->bits, 16);
			if ((take(&d->hold, &d->bits, 16) ^ 0xffff) !=
			    d->stored_left) {
				d->broken = true;
				break;
			}
			d->pos += d->stored_left;
			d->mode = M_STORED_COPY;
			break;
		case M_STORED_COPY:
			while (d->stored_left && d->bits >= 8) {
				take(&d->hold, &d->bits, 8);
				d->stored_left--;
			}
			if (d->stored_left) {
				size_t k = n < d->stored_left ? n : d->stored_left;
				p += k;
				n -= k;
				d->stored_left -= (uint32_t)k;
			}
			if (d->stored_left)
				return;
			d->mode = d->final ? M_DONE : M_HEADER;
			break;
		case M_TABLE:
			if (d->bits < 14)
				return;
			d->nlen = take(&d->hold, &d->bits, 5) + 257;
			d->ndist = take(&d->hold, &d->bits, 5) + 1;
			d->ncode = take(&d->hold, &d->bits, 4) + 4;
			if (d->nlen > 286 || d->ndist > 30) {
				d->broken = true;
				break;
			}
			d->have = 0;
			d->mode = M_LENLENS;
			break;
		case M_LENLENS:
			while (d->have < d->ncode && d->bits >= 3)
				d->lens[clorder[d->have++]] =
					(uint8_t)take(&d->hold, &d->bits, 3);
			if (d->have < d->ncode)
				goto more;
			while (d->have < 19)
				d->lens[clorder[d->have++]] = 0;
			if (!construct(&d->lencode, d->lens, 19)) {
				d->broken = true;
				break;
			}
			d->have = 0;
			d->mode = M_CODELENS;
			break;
		case M_CODELENS:
			while (!d->broken && d->have < d->nlen + d->ndist)
				if (!one_length(d))
					goto more;
			if (d->broken)
				break;
			if (d->lens[256] == 0 ||
			    !construct(&d->lencode, d->lens, d->nlen) ||
			    !construct(&d->distcode, d->lens + d->nlen,
				       d->ndist)) {
				d->broken = true;
				break;
			}
			d->mode = M_CODES;
			break;
		case M_CODES: {
			const struct dscan_huff *lc =
				d->fixed ? fixed_code(false) : &d->lencode;
			const struct dscan_huff *dc =
				d->fixed ? fixed_code(true) : &d->distcode;
			while (!d->broken && d->mode == M_CODES)
				if (!one_code(d, lc, dc, limit))
					goto more;
			break;
		}
		case M_DONE:
		default:
			return;
		}
		continue;
more:
		/* Out of bits: refill, or wait for the next piece. */
		if (!n)
			return;
	}
}
