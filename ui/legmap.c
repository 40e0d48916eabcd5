/* legmap.c - intrusive chained hash of per-leg output state. */
#include "legmap.h"

#include <stdlib.h>

struct legmap_node *legmap_find(const struct legmap *m, uint64_t id)
{
	struct legmap_node *n = m->b[id % LEGMAP_BUCKETS];

	while (n && n->id != id)
		n = n->next;
	return n;
}

void legmap_add(struct legmap *m, struct legmap_node *n, uint64_t id)
{
	struct legmap_node **b = &m->b[id % LEGMAP_BUCKETS];

	n->id = id;
	n->next = *b;
	*b = n;
}

struct legmap_node *legmap_get(struct legmap *m, uint64_t id, bool create,
			       size_t size)
{
	struct legmap_node *n = legmap_find(m, id);

	if (n || !create)
		return n;
	n = calloc(1, size);
	if (n)
		legmap_add(m, n, id);
	return n;
}

void legmap_remove(struct legmap *m, struct legmap_node *n)
{
	struct legmap_node **pp = &m->b[n->id % LEGMAP_BUCKETS];

	while (*pp && *pp != n)
		pp = &(*pp)->next;
	if (*pp)
		*pp = n->next;
	n->next = NULL;
}

struct legmap_node *legmap_next(const struct legmap *m,
				const struct legmap_node *prev)
{
	if (prev && prev->next)
		return prev->next;
	for (size_t i = prev ? prev->id % LEGMAP_BUCKETS + 1 : 0;
	     i < LEGMAP_BUCKETS; i++)
		if (m->b[i])
			return m->b[i];
	return NULL;
}

struct legmap_node *legmap_pop(struct legmap *m)
{
	for (size_t i = 0; i < LEGMAP_BUCKETS; i++) {
		struct legmap_node *n = m->b[i];
		if (n) {
			m->b[i] = n->next;
			n->next = NULL;
			return n;
		}
	}
	return NULL;
}
