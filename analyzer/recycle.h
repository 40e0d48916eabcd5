/* recycle.h - a few freed blocks of one size kept for the next user.
 *
 * Every connection takes blocks of 16 to 64 KB (its leg state, head
 * copies, overlap rings) and gives them back when it ends.  glibc serves
 * blocks that size from its unsorted and large bins, and their bookkeeping
 * (splitting, merging, unlinking) on each of them was 8% of the time on a
 * capture of short connections (perf, make bench).  A short LIFO list of
 * freed blocks hands the most recently used one, still in cache, to the
 * next connection.  At most RECYCLE_KEEP blocks wait: bounded memory.
 */
#ifndef WSTAP_RECYCLE_H
#define WSTAP_RECYCLE_H

#include <stdlib.h>

#define RECYCLE_KEEP 16

struct recycle {
	size_t size;             /* every block is this size */
	unsigned n;
	void *blk[RECYCLE_KEEP];
};

/* An uninitialised block of r->size bytes, or NULL (out of memory). */
static inline void *recycle_get(struct recycle *r)
{
	return r->n ? r->blk[--r->n] : malloc(r->size);
}

static inline void recycle_put(struct recycle *r, void *p)
{
	if (!p)
		return;
	if (r->n < RECYCLE_KEEP)
		r->blk[r->n++] = p;
	else
		free(p);
}

static inline void recycle_drain(struct recycle *r)
{
	while (r->n)
		free(r->blk[--r->n]);
}

#endif
