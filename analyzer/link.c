/* link.c - a small hash index of link keys. */
#include "link.h"

#include <stdlib.h>
#include <string.h>

#include "leg.h"

#define NBUCKETS 4096 /* power of two; chains stay short for ~10^5 legs */

struct link_entry {
	struct link_entry *next;
	uint32_t hash;
	uint8_t kind;
	uint8_t len;
	uint8_t key[LINK_KEY_MAX];
	struct leg_state *ls;
};

struct link_index {
	struct link_entry *buckets[NBUCKETS];
	uint32_t seed;
};

struct link_index *link_new(void)
{
	struct link_index *ix = calloc(1, sizeof *ix);
	if (ix)
		ix->seed = (uint32_t)(uintptr_t)ix * 2654435761u;
	return ix;
}

void link_free(struct link_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < NBUCKETS; i++) {
		struct link_entry *e = ix->buckets[i], *nx;
		for (; e; e = nx) {
			nx = e->next;
			free(e);
		}
	}
	free(ix);
}

/* FNV-1a over kind and key, keyed by a per-run seed. */
static uint32_t key_hash(const struct link_index *ix, uint8_t kind,
			 const uint8_t *k, size_t n)
{
	uint32_t h = 2166136261u ^ ix->seed;
	h = (h ^ kind) * 16777619u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ k[i]) * 16777619u;
	return h;
}

struct leg_state *link_find(struct link_index *ix, struct leg_state *ls,
			    enum link_kind kind, const void *key, size_t n,
			    int keep)
{
	if (!ix || n == 0)
		return NULL;
	if (n > LINK_KEY_MAX)
		n = LINK_KEY_MAX;
	uint32_t h = key_hash(ix, (uint8_t)kind, key, n);
	struct link_entry **b = &ix->buckets[h & (NBUCKETS - 1)];
	struct leg_state *found = NULL;

	for (struct link_entry *e = *b; e; e = e->next) {
		if (e->hash == h && e->kind == kind && e->len == n &&
		    e->ls != ls && memcmp(e->key, key, n) == 0) {
			found = e->ls;
			break;
		}
	}
	if (keep && ls->n_links < LINK_PER_LEG) {
		struct link_entry *e = malloc(sizeof *e);
		if (e) {
			e->hash = h;
			e->kind = (uint8_t)kind;
			e->len = (uint8_t)n;
			memcpy(e->key, key, n);
			e->ls = ls;
			e->next = *b;
			*b = e;
			ls->links[ls->n_links++] = e;
		}
	}
	return found;
}

void link_forget(struct link_index *ix, struct leg_state *ls)
{
	for (unsigned i = 0; ix && i < ls->n_links; i++) {
		struct link_entry *e = ls->links[i];
		struct link_entry **pp = &ix->buckets[e->hash & (NBUCKETS - 1)];
		while (*pp && *pp != e)
			pp = &(*pp)->next;
		if (*pp)
			*pp = e->next;
		free(e);
	}
	ls->n_links = 0;
}
