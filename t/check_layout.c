/*
 * check_layout.c -- the rule that lays a cluster job out again
 * (src/cluster/layout.c): every layout covers [0, total) once, in order; an
 * owner that stays keeps its span; only the rows of owners gone, and the
 * halves new owners take, change hands; the same history gives the same
 * layout. Checked on hand-made cases and on random histories of joins
 * and losses.
 */
#include "strads-int.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "testutil.h"

static strads__span_t
key(uint32_t node, uint32_t slot)
{
	strads__span_t s;

	memset(&s, 0, sizeof(s));
	s.node = node;
	s.slot = slot;
	return s;
}

/* out covers [0, total) once, in order, each span non-empty, and holds
 * exactly the owners of keys. */
static void
assert_cover(const strads__span_t *out, int m, uint64_t total,
    const strads__span_t *keys)
{
	int i, j;

	ck_assert_uint_eq(out[0].begin, 0);
	ck_assert_uint_eq(out[m - 1].end, total);
	for (i = 0; i < m; i++) {
		int found = 0;

		ck_assert_uint_lt(out[i].begin, out[i].end);
		if (i > 0)
			ck_assert_uint_eq(out[i].begin, out[i - 1].end);
		for (j = 0; j < m; j++)
			found += out[i].node == keys[j].node && out[i].slot == keys[j].slot;
		ck_assert_int_eq(found, 1);
	}
}

/* Rows that changed owner from prev to out. */
static uint64_t
moved(const strads__span_t *prev, int np, const strads__span_t *out, int m)
{
	uint64_t n = 0;
	int i, j;

	for (i = 0; i < np; i++) {
		uint64_t same = 0;

		for (j = 0; j < m; j++) {
			uint64_t b, e;

			if (out[j].node != prev[i].node || out[j].slot != prev[i].slot)
				continue;
			b = out[j].begin > prev[i].begin ? out[j].begin : prev[i].begin;
			e = out[j].end < prev[i].end ? out[j].end : prev[i].end;
			same += e > b ? e - b : 0;
		}
		n += (prev[i].end - prev[i].begin) - same;
	}
	return n;
}

START_TEST(first_layout_is_even)
{
	strads__span_t k[3] = {key(5, 0), key(9, 0), key(9, 1)}, out[3];

	ck_assert_int_eq(strads__reassign(NULL, 0, 0, k, 3, 10, out), 0);
	assert_cover(out, 3, 10, k);
	ck_assert_uint_eq(out[0].end, 3);
	ck_assert_uint_eq(out[1].end, 6);
	ck_assert_uint_eq(out[2].node, 9);
	ck_assert_uint_eq(out[2].slot, 1);
	/* More owners than rows cannot be laid out. */
	ck_assert_int_eq(strads__reassign(NULL, 0, 0, k, 3, 2, out), -1);
}
END_TEST

START_TEST(loss_goes_to_neighbours)
{
	strads__span_t prev[4], k[3] = {key(1, 0), key(3, 0), key(4, 0)}, out[3];
	int i;

	for (i = 0; i < 4; i++) {
		prev[i] = key((uint32_t)i + 1, 0);
		prev[i].begin = (uint64_t)i * 100;
		prev[i].end = (uint64_t)(i + 1) * 100;
	}
	/* Node 2 ([100, 200)) is gone: nodes 1 and 3 share its rows. */
	ck_assert_int_eq(strads__reassign(prev, 4, 400, k, 3, 400, out), 0);
	assert_cover(out, 3, 400, k);
	ck_assert_uint_eq(out[0].end, 150);
	ck_assert_uint_eq(out[1].begin, 150);
	ck_assert_uint_eq(out[1].end, 300);
	ck_assert_uint_eq(out[2].begin, 300);
	ck_assert_uint_eq(moved(prev, 4, out, 3), 100);
	/* The first owner gone: its rows go to the next one. */
	k[0] = key(2, 0);
	ck_assert_int_eq(strads__reassign(prev, 4, 400, k, 3, 400, out), 0);
	assert_cover(out, 3, 400, k);
	ck_assert_uint_eq(out[0].node, 2);
	ck_assert_uint_eq(out[0].begin, 0);
	ck_assert_uint_eq(out[0].end, 200);
	/* A layout over another total starts again, evenly. */
	ck_assert_int_eq(strads__reassign(prev, 4, 400, k, 3, 300, out), 0);
	ck_assert_uint_eq(out[1].begin, 100);
}
END_TEST

START_TEST(join_takes_half_the_largest)
{
	strads__span_t prev[2], k[3] = {key(1, 0), key(2, 0), key(7, 0)}, out[3];

	prev[0] = key(1, 0);
	prev[0].begin = 0;
	prev[0].end = 30;
	prev[1] = key(2, 0);
	prev[1].begin = 30;
	prev[1].end = 100;
	ck_assert_int_eq(strads__reassign(prev, 2, 100, k, 3, 100, out), 0);
	assert_cover(out, 3, 100, k);
	ck_assert_uint_eq(out[0].end, 30);
	ck_assert_uint_eq(out[1].node, 2);
	ck_assert_uint_eq(out[1].end, 65);
	ck_assert_uint_eq(out[2].node, 7);
	ck_assert_uint_eq(out[2].begin, 65);
	ck_assert_uint_eq(moved(prev, 2, out, 3), 35);
}
END_TEST

/* Random histories: owners join and leave; after each step the layout
 * covers everything once, what moved is at most the rows of owners gone
 * plus what new owners took, and a second computation agrees. */
START_TEST(random_histories)
{
	uint64_t seed = 12345;
	int trial;

	for (trial = 0; trial < 300; trial++) {
		strads__span_t prev[16], keys[16], out[16], again[16];
		uint64_t total = 16 + (uint64_t)(trial * 37 % 1000);
		int np = 0, step;

		for (step = 0; step < 20; step++) {
			int m = 0, i, j, fresh = 0;
			uint64_t gone = 0, bound;

			/* Each old owner stays with probability 3/4; 0 to 2 join. */
			for (i = 0; i < np; i++) {
				seed = seed * 6364136223846793005ull + 1442695040888963407ull;
				if ((seed >> 33) % 4 != 0)
					keys[m++] = key(prev[i].node, prev[i].slot);
				else
					gone += prev[i].end - prev[i].begin;
			}
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			for (j = (int)((seed >> 33) % 3); j > 0 && m < 16; j--) {
				keys[m++] = key(1000 + (uint32_t)(step * 16 + j), (uint32_t)j % 2);
				fresh++;
			}
			if (m == 0) {
				keys[m++] = key(1, 0);
				fresh++;
			}
			ck_assert_int_eq(strads__reassign(prev, np, total, keys, m, total, out), 0);
			ck_assert_int_eq(strads__reassign(prev, np, total, keys, m, total, again), 0);
			ck_assert_int_eq(memcmp(out, again, (size_t)m * sizeof(*out)), 0);
			assert_cover(out, m, total, keys);
			/* Each new owner takes at most half of what was there. */
			bound = gone;
			for (j = 0; j < fresh; j++)
				bound += total / 2 + 1;
			if (np > 0 && m - fresh > 0) {
				ck_assert_uint_le(moved(prev, np, out, m), bound);
				if (fresh == 0)
					ck_assert_uint_eq(moved(prev, np, out, m), gone);
			}
			memcpy(prev, out, (size_t)m * sizeof(*out));
			np = m;
		}
	}
}
END_TEST

static Suite *
layout_suite(void)
{
	Suite *s = suite_create("layout");
	TCase *tc = tcase_create("reassign");

	tcase_add_test(tc, first_layout_is_even);
	tcase_add_test(tc, loss_goes_to_neighbours);
	tcase_add_test(tc, join_takes_half_the_largest);
	tcase_add_test(tc, random_histories);
	suite_add_tcase(s, tc);
	return s;
}

STRADS_TEST_MAIN(layout_suite)
