/* test_legmap.c - the outputs' per-leg map: find, add, remove, iterate,
 * drain, with ids that share buckets. */
#include <CUnit/CUnit.h>
#include <stdlib.h>

#include "legmap.h"
#include "suites.h"

struct item {
	struct legmap_node node;
	int tag;
};

#define N 3000 /* ids 0..N-1 and multiples of LEGMAP_BUCKETS collide */

static void test_find_add_remove(void)
{
	static struct legmap m;
	static struct item it[N];

	for (int i = 0; i < N; i++) {
		it[i].tag = i;
		legmap_add(&m, &it[i].node, (uint64_t)i * 7);
	}
	for (int i = 0; i < N; i++) {
		struct item *f = (struct item *)legmap_find(&m, (uint64_t)i * 7);
		CU_ASSERT_PTR_EQUAL(f, &it[i]);
	}
	CU_ASSERT_PTR_NULL(legmap_find(&m, 5)); /* not a multiple of 7 */
	/* remove every other one, from inside chains too */
	for (int i = 0; i < N; i += 2)
		legmap_remove(&m, &it[i].node);
	for (int i = 0; i < N; i++) {
		struct legmap_node *f = legmap_find(&m, (uint64_t)i * 7);
		if (i % 2) {
			CU_ASSERT_PTR_EQUAL(f, &it[i].node);
		} else {
			CU_ASSERT_PTR_NULL(f);
		}
	}
	/* iteration sees each remaining node exactly once */
	int seen = 0;
	long sum = 0;
	for (struct legmap_node *n = legmap_next(&m, NULL); n;
	     n = legmap_next(&m, n)) {
		seen++;
		sum += ((struct item *)n)->tag;
	}
	long want = 0;
	for (int i = 1; i < N; i += 2)
		want += i;
	CU_ASSERT_EQUAL(seen, N / 2);
	CU_ASSERT_EQUAL(sum, want);
	/* draining returns each once, then NULL */
	int popped = 0;
	while (legmap_pop(&m))
		popped++;
	CU_ASSERT_EQUAL(popped, N / 2);
	CU_ASSERT_PTR_NULL(legmap_next(&m, NULL));
	CU_ASSERT_PTR_NULL(legmap_find(&m, 7));
}

/* legmap_get finds, creates zeroed entries only when asked, and keeps
 * one entry per id. */
static void test_get(void)
{
	static struct legmap m;
	struct item *a = (struct item *)legmap_get(&m, 42, false, sizeof *a);

	CU_ASSERT_PTR_NULL(a);
	a = (struct item *)legmap_get(&m, 42, true, sizeof *a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->tag, 0);
	a->tag = 7;
	struct item *b = (struct item *)legmap_get(&m, 42, true, sizeof *b);
	CU_ASSERT_PTR_EQUAL(b, a);
	CU_ASSERT_EQUAL(b->tag, 7);
	CU_ASSERT_PTR_EQUAL(legmap_find(&m, 42), &a->node);
	legmap_remove(&m, &a->node);
	free(a);
	CU_ASSERT_PTR_NULL(legmap_find(&m, 42));
}

int add_legmap_suite(void)
{
	CU_pSuite s = CU_add_suite("legmap", NULL, NULL);
	if (!s || !CU_add_test(s, "find, add, remove, iterate, drain",
			       test_find_add_remove) ||
	    !CU_add_test(s, "get: find or create", test_get))
		return -1;
	return 0;
}
