/*
 * check_map.c -- the library's hash map (src/core/map.h): every key put
 * is found with its value, absent keys are not, the all-zero key works
 * like any other, a walk visits each entry once, the array is sized to
 * what it holds, a key's home slot grows with its hash, and clear and
 * fini hand every entry to the type's free_cb exactly once.
 */
#include "strads-int.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef struct {
	uint64_t key;
	uint64_t val;
	uint64_t *owned; /* malloc'd, freed by free_cb */
} ent_t;

static int g_freed;

static uint64_t
hash64(const void *key)
{
	uint64_t x;

	memcpy(&x, key, 8);
	x ^= x >> 31;
	x *= 0x9E3779B97F4A7C15ull;
	return x ^ x >> 29;
}

static void
ent_free(void *e)
{
	free(((ent_t *)e)->owned);
	g_freed++;
}

static const strads__map_type_t type = {
    .ksize = 8,
    .hash = hash64,
    .free_cb = ent_free,
};

/* A key type whose hash puts every key in one slot: probing alone must
 * find them. */
static uint64_t
hash_same(const void *key)
{
	(void)key;
	return 1ull << 63;
}

static const strads__map_type_t same_type = {
    .ksize = 8,
    .hash = hash_same,
};

static ent_t *
put(strads__map_t *m, uint64_t k)
{
	ent_t *e = strads__map_get(m, &type, &k);

	ck_assert_ptr_nonnull(e);
	if (e->owned == NULL) {
		ck_assert_uint_eq(e->val, 0); /* made zeroed */
		e->val = k * 3 + 1;
		e->owned = malloc(8);
		ck_assert_ptr_nonnull(e->owned);
	}
	return e;
}

START_TEST(put_find_walk)
{
	enum { N = 20000 };
	strads__map_t m;
	uint64_t k, seen = 0, sum = 0;
	ent_t *e;

	strads__map_init(&m, sizeof(ent_t));
	g_freed = 0;
	for (k = 0; k < N; k++)
		put(&m, k * 7); /* k = 0: the all-zero key */
	for (k = 0; k < N; k++) /* again: found, not added */
		ck_assert_uint_eq(put(&m, k * 7)->val, k * 21 + 1);
	ck_assert_uint_eq(strads__map_count(&m), N);
	ck_assert_int_eq(m.has_zero, 1);
	/* Load at most 3/4, and not much less: the array is sized to n. */
	ck_assert_uint_le(m.n * 4, m.cap * 3);
	ck_assert_uint_ge(m.n * 8, m.cap * 3);
	for (k = 0; k < N * 7; k++) {
		e = strads__map_find(&m, &type, &k);
		if (k % 7 == 0) {
			ck_assert_ptr_nonnull(e);
			ck_assert_uint_eq(e->key, k);
			ck_assert_uint_eq(e->val, k * 3 + 1);
		} else {
			ck_assert_ptr_null(e);
		}
	}
	for (e = strads__map_next(&m, &type, NULL); e != NULL;
	     e = strads__map_next(&m, &type, e)) {
		seen++;
		sum += e->key;
	}
	ck_assert_uint_eq(seen, N);
	ck_assert_uint_eq(sum, 7ull * N * (N - 1) / 2);
	strads__map_clear(&m, &type);
	ck_assert_int_eq(g_freed, N);
	ck_assert_uint_eq(strads__map_count(&m), 0);
	k = 0;
	ck_assert_ptr_null(strads__map_find(&m, &type, &k));
	k = 7;
	ck_assert_ptr_null(strads__map_find(&m, &type, &k));
	put(&m, 7);
	put(&m, 0);
	strads__map_fini(&m, &type);
	ck_assert_int_eq(g_freed, N + 2);
	ck_assert_uint_eq(m.cap, 0);
	ck_assert_ptr_null(m.ents);
}
END_TEST

/* Keys in hash order live at increasing addresses (apart from the
 * run that wraps at the end), whatever the capacity: the property the
 * table shards' bucketed bulk paths rely on. */
START_TEST(home_is_monotonic)
{
	strads__map_t m;
	uint64_t k, cap, prev = 0;

	for (cap = 16; cap < 5000; cap = cap * 3 + 1) {
		prev = 0;
		for (k = 0; k < 1000; k++) {
			uint64_t h = k * (UINT64_MAX / 1000),
				 s = strads__map_slot(h, cap);

			ck_assert_uint_lt(s, cap);
			ck_assert_uint_ge(s, prev);
			prev = s;
		}
		ck_assert_uint_eq(strads__map_slot(UINT64_MAX, cap), cap - 1);
	}
	/* reserve sizes the array to n, not to a power of two. */
	strads__map_init(&m, sizeof(ent_t));
	ck_assert_int_eq(strads__map_reserve(&m, &type, 3000), 0);
	ck_assert_uint_eq(m.cap, 3000 + 1000 + 1);
	ck_assert_int_eq(strads__map_full(&m), 0);
	strads__map_fini(&m, &type);
}
END_TEST

/* Every key in one home slot: lookups probe past the others, across the
 * end of the array, and growing keeps them all. */
START_TEST(collisions_wrap)
{
	strads__map_t m;
	uint64_t k;
	ent_t *e;

	strads__map_init(&m, sizeof(ent_t));
	for (k = 1; k <= 100; k++) {
		e = strads__map_get(&m, &same_type, &k);
		ck_assert_ptr_nonnull(e);
		e->val = k;
	}
	for (k = 1; k <= 100; k++) {
		e = strads__map_find(&m, &same_type, &k);
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(e->val, k);
	}
	k = 101;
	ck_assert_ptr_null(strads__map_find(&m, &same_type, &k));
	strads__map_fini(&m, &same_type);
}
END_TEST

static Suite *
map_suite(void)
{
	Suite *s = suite_create("map");
	TCase *tc = tcase_create("map");

	/* check's default of 4 s: put_find_walk took longer under the
	 * sanitizers on a loaded machine (2 s of CPU, 11 s of wall time). */
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, put_find_walk);
	tcase_add_test(tc, home_is_monotonic);
	tcase_add_test(tc, collisions_wrap);
	suite_add_tcase(s, tc);
	return s;
}

STRADS_TEST_MAIN(map_suite)
