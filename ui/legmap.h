/* legmap.h - outputs' per-leg state by leg id.
 *
 * Outputs that keep something for each leg until it ends (transcript text,
 * HAR entries, per-leg capture files) find it by id here.  The map is
 * intrusive: a struct kept in it has a `struct legmap_node` as its FIRST
 * member, so a node pointer is also a pointer to that struct.  The map
 * owns nothing; its user allocates and frees the structs. */
#ifndef WSTAP_LEGMAP_H
#define WSTAP_LEGMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LEGMAP_BUCKETS 1024 /* legs alive at once are few; chains stay short */

struct legmap_node {
	struct legmap_node *next; /* hash chain */
	uint64_t id;              /* leg id */
};

struct legmap {
	struct legmap_node *b[LEGMAP_BUCKETS];
};

struct legmap_node *legmap_find(const struct legmap *m, uint64_t id);
/* Adds n under id (n is not in the map). */
void legmap_add(struct legmap *m, struct legmap_node *n, uint64_t id);
/* The entry for id; when there is none and `create` is set, a zeroed one
 * of `size` bytes (a struct that starts with its legmap_node) is added.
 * NULL when absent and not created, or out of memory. */
struct legmap_node *legmap_get(struct legmap *m, uint64_t id, bool create,
			       size_t size);
/* Removes n (which is in the map). */
void legmap_remove(struct legmap *m, struct legmap_node *n);
/* Iteration without removal: the node after prev (the first for NULL),
 * or NULL at the end. */
struct legmap_node *legmap_next(const struct legmap *m,
				const struct legmap_node *prev);
/* Removes and returns some node, or NULL when empty (for draining). */
struct legmap_node *legmap_pop(struct legmap *m);

#endif
