/* utf8.c - incremental UTF-8 validation (RFC 3629 §4 syntax) as a table
 * driven state machine, in the manner Bjoern Hoehrmann described; the
 * classes, states and tables here are our own.
 *
 * Each byte maps to a class; (state, class) gives the next state.  The
 * states encode exactly the RFC 3629 §4 grammar, so overlong forms,
 * surrogates and code points above U+10FFFF never reach UTF8_ACCEPT:
 *
 *   UTF8-1 = %x00-7F
 *   UTF8-2 = %xC2-DF tail
 *   UTF8-3 = %xE0 %xA0-BF tail / %xE1-EC 2tail /
 *            %xED %x80-9F tail / %xEE-EF 2tail
 *   UTF8-4 = %xF0 %x90-BF 2tail / %xF1-F3 3tail / %xF4 %x80-8F 2tail
 *   tail   = %x80-BF
 */
#include <string.h>

#include "utf8.h"

/* Byte classes.  The continuation range is split three ways because the
 * second byte after E0, ED, F0 and F4 is restricted to part of it. */
enum {
	C_ASCII,  /* 00..7F */
	C_T1,     /* 80..8F  tail */
	C_T2,     /* 90..9F  tail */
	C_T3,     /* A0..BF  tail */
	C_L2,     /* C2..DF  lead of 2 */
	C_E0,     /* E0      lead of 3, next A0..BF (no overlongs) */
	C_L3,     /* E1..EC, EE..EF lead of 3 */
	C_ED,     /* ED      lead of 3, next 80..9F (no surrogates) */
	C_F0,     /* F0      lead of 4, next 90..BF (no overlongs) */
	C_L4,     /* F1..F3  lead of 4 */
	C_F4,     /* F4      lead of 4, next 80..8F (max U+10FFFF) */
	C_BAD,    /* C0, C1 (always overlong), F5..FF (beyond U+10FFFF) */
	C_COUNT
};

/* States.  ACCEPT and REJECT are fixed by utf8.h; the rest say how many
 * tail bytes are still owed and whether the next one is restricted. */
enum {
	S_ACC = UTF8_ACCEPT,
	S_REJ = UTF8_REJECT,
	S_1,      /* one tail byte owed */
	S_2,      /* two tail bytes owed */
	S_2E0,    /* after E0: A0..BF, then one tail */
	S_2ED,    /* after ED: 80..9F, then one tail */
	S_3,      /* three tail bytes owed */
	S_3F0,    /* after F0: 90..BF, then two tails */
	S_3F4,    /* after F4: 80..8F, then two tails */
	S_COUNT
};

static const uint8_t utf8_class[256] = {
	/* 00..7F */
	[0x00] = C_ASCII, /* the rest of 00..7F are 0 == C_ASCII */
	/* 80..BF */
	[0x80] = C_T1, C_T1, C_T1, C_T1, C_T1, C_T1, C_T1, C_T1,
	C_T1, C_T1, C_T1, C_T1, C_T1, C_T1, C_T1, C_T1,
	[0x90] = C_T2, C_T2, C_T2, C_T2, C_T2, C_T2, C_T2, C_T2,
	C_T2, C_T2, C_T2, C_T2, C_T2, C_T2, C_T2, C_T2,
	[0xA0] = C_T3, C_T3, C_T3, C_T3, C_T3, C_T3, C_T3, C_T3,
	C_T3, C_T3, C_T3, C_T3, C_T3, C_T3, C_T3, C_T3,
	C_T3, C_T3, C_T3, C_T3, C_T3, C_T3, C_T3, C_T3,
	C_T3, C_T3, C_T3, C_T3, C_T3, C_T3, C_T3, C_T3,
	/* C0..DF */
	[0xC0] = C_BAD, C_BAD, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2,
	C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2,
	C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2,
	C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2, C_L2,
	/* E0..EF */
	[0xE0] = C_E0, C_L3, C_L3, C_L3, C_L3, C_L3, C_L3, C_L3,
	C_L3, C_L3, C_L3, C_L3, C_L3, C_ED, C_L3, C_L3,
	/* F0..FF */
	[0xF0] = C_F0, C_L4, C_L4, C_L4, C_F4, C_BAD, C_BAD, C_BAD,
	C_BAD, C_BAD, C_BAD, C_BAD, C_BAD, C_BAD, C_BAD, C_BAD,
};

/* Next state for (state, class).  Every cell not listed is 0 in C, which
 * would be ACCEPT, so each row lists all of its cells. */
#define R S_REJ
static const uint8_t utf8_next[S_COUNT][C_COUNT] = {
	/*          ASCII  T1     T2     T3     L2   E0     L3   ED     F0     L4   F4     BAD */
	[S_ACC] = { S_ACC, R,     R,     R,     S_1, S_2E0, S_2, S_2ED, S_3F0, S_3, S_3F4, R },
	[S_REJ] = { R,     R,     R,     R,     R,   R,     R,   R,     R,     R,   R,     R },
	[S_1]   = { R,     S_ACC, S_ACC, S_ACC, R,   R,     R,   R,     R,     R,   R,     R },
	[S_2]   = { R,     S_1,   S_1,   S_1,   R,   R,     R,   R,     R,     R,   R,     R },
	[S_2E0] = { R,     R,     R,     S_1,   R,   R,     R,   R,     R,     R,   R,     R },
	[S_2ED] = { R,     S_1,   S_1,   R,     R,   R,     R,   R,     R,     R,   R,     R },
	[S_3]   = { R,     S_2,   S_2,   S_2,   R,   R,     R,   R,     R,     R,   R,     R },
	[S_3F0] = { R,     R,     S_2,   S_2,   R,   R,     R,   R,     R,     R,   R,     R },
	[S_3F4] = { R,     S_2,   R,     R,     R,   R,     R,   R,     R,     R,   R,     R },
};
#undef R

/* High bit of every byte of a 64-bit word: zero after masking means the
 * eight bytes are all ASCII, whatever the host's byte order. */
#define UTF8_HIGH_BITS 0x8080808080808080ull

uint32_t utf8_validate(uint32_t state, const uint8_t *s, size_t n)
{
	size_t i = 0, stop;
	uint64_t w;

	/* A state we never hand out can only come from a caller's bug or a
	 * corrupted struct; treat it as invalid rather than index past the
	 * table. */
	if (state >= S_COUNT)
		return UTF8_REJECT;

	while (i < n) {
		if (state == S_REJ)
			return UTF8_REJECT;
		/* Fast path: text payloads are mostly ASCII, and between
		 * code points eight ASCII bytes cannot change the state.
		 * memcpy, not a cast, because s has no alignment. */
		if (state == S_ACC && n - i >= 8) {
			/* Long ASCII runs: 32 bytes per test. */
			while (n - i >= 32) {
				uint64_t w4[4];
				memcpy(w4, s + i, 32);
				if (((w4[0] | w4[1] | w4[2] | w4[3]) &
				     UTF8_HIGH_BITS) != 0)
					break;
				i += 32;
			}
			if (n - i < 8)
				continue;
			memcpy(&w, s + i, 8);
			if ((w & UTF8_HIGH_BITS) == 0) {
				i += 8;
				continue;
			}
			/* Some byte here is not ASCII: step through these
			 * eight, then try the fast path again. */
			stop = i + 8;
		} else {
			stop = n - i >= 8 ? i + 8 : n;
		}
		for (; i < stop; i++)
			state = utf8_next[state][utf8_class[s[i]]];
	}
	return state;
}

size_t utf8_decode_one(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint32_t state = S_ACC, v = 0;
	size_t i;
	uint8_t b, cls;

	/* A sequence is at most four bytes (RFC 3629 §3). */
	for (i = 0; i < n && i < 4; i++) {
		b = s[i];
		cls = utf8_class[b];
		if (i == 0) {
			/* The lead byte's payload bits: 7, 5, 4 or 3. */
			if (cls == C_ASCII)
				v = b;
			else if (cls == C_L2)
				v = b & 0x1Fu;
			else if (cls == C_E0 || cls == C_L3 || cls == C_ED)
				v = b & 0x0Fu;
			else
				v = b & 0x07u;
		} else {
			v = v << 6 | (b & 0x3Fu);
		}
		state = utf8_next[state][cls];
		if (state == S_REJ)
			return 0;
		if (state == S_ACC) {
			if (cp != NULL)
				*cp = v;
			return i + 1;
		}
	}
	/* Ran out of bytes inside a sequence: incomplete. */
	return 0;
}
