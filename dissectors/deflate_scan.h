/* deflate_scan.h - back-reference distances of a raw deflate stream
 * (RFC 1951 §3.2), for checking a negotiated window (RFC 7692 §7.1.2).
 *
 * zlib inflates with whatever window it was given and only refuses a
 * distance longer than the bytes it still holds (its window plus the
 * current call's output), so with a small window what it catches depends
 * on how the input was split.  This scanner decodes the block structure
 * and the Huffman codes without producing output, tracks the output
 * position and records every match whose distance exceeds `limit` but
 * not the output so far (beyond that zlib reports it).  Its cost is per
 * symbol, not per output byte, so a bomb costs what its input costs.
 *
 * Streaming: bytes are fed in any pieces with identical results; state
 * is a zero-initialisable struct (dscan_reset).  An invalid stream stops
 * the scanner quietly (zlib says why).
 */
#ifndef WSTAP_DEFLATE_SCAN_H
#define WSTAP_DEFLATE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DSCAN_FAST_BITS 9

struct dscan_huff {
	uint16_t count[16];      /* codes of each length */
	uint16_t symbol[288];    /* symbols ordered by code */
	/* The next DSCAN_FAST_BITS input bits -> (length << 9 | symbol) of
	 * the code they start with; 0 when that code is longer (or none). */
	uint16_t fast[1u << DSCAN_FAST_BITS];
};

struct dscan {
	uint64_t hold;           /* input bits, LSB first */
	unsigned bits;           /* valid bits in hold */
	int mode;                /* private */
	bool final;              /* this block is the last one */
	bool broken;             /* invalid stream: stopped */
	bool fixed;              /* this block uses the fixed codes */
	uint32_t stored_left;    /* stored block bytes to skip */
	unsigned nlen, ndist, ncode, have;
	uint8_t lens[320];       /* code lengths being read */
	struct dscan_huff lencode, distcode;
	uint64_t pos;            /* output bytes since the stream began */
	uint32_t over;           /* largest distance beyond the limit, 0 none */
	uint64_t over_pos;       /* output position of the first one */
};

void dscan_reset(struct dscan *d);

/* Scans n bytes (borrowed); limit is the window in bytes. */
void dscan_feed(struct dscan *d, const uint8_t *p, size_t n, uint32_t limit);

#endif
