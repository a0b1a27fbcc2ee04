/*
 * check_large.c -- strads_large_alloc() (src/core/large.c): every size
 * gives a zeroed buffer the caller may write whole; from 256 KiB (with
 * its 64-byte header) up the buffer sits 64 bytes past a 2 MiB boundary
 * (where huge pages can back it); freeing NULL does nothing. Whether
 * the system grants huge pages is its own choice (transparent_hugepage
 * may be "never"), so t/bench/bench_lasso.sh prints the setting rather
 * than this test asserting it.
 */
#include "strads.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "testutil.h"

#define MIB ((size_t)1 << 20)

/* Whether all of p[0, n) is byte v. */
static int
all_are(const unsigned char *p, size_t n, unsigned char v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

START_TEST(zeroed_and_writable)
{
	static const size_t sizes[] = {0, 1, 4096, MIB / 4 - 65, MIB / 4 - 64,
	    2 * MIB - 64, 2 * MIB, 5 * MIB + 3};
	unsigned char *p[sizeof(sizes) / sizeof(sizes[0])];
	size_t i, n = sizeof(sizes) / sizeof(sizes[0]);

	for (i = 0; i < n; i++) {
		p[i] = strads_large_alloc(sizes[i]);
		ck_assert_ptr_nonnull(p[i]);
		ck_assert_msg(all_are(p[i], sizes[i], 0),
		    "size %zu: not zeroed", sizes[i]);
		memset(p[i], 0xa5, sizes[i]);
	}
	/* Writing one buffer whole must not reach another. */
	for (i = 0; i < n; i++)
		ck_assert_msg(all_are(p[i], sizes[i], 0xa5),
		    "size %zu: overwritten", sizes[i]);
	for (i = 0; i < n; i++)
		strads_large_free(p[i]);
	strads_large_free(NULL);
}
END_TEST

START_TEST(large_ones_on_huge_page_boundaries)
{
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
	/* With its 64-byte header a buffer of 256 KiB - 64 bytes is the
	 * smallest mapped one; each is 64 bytes past a 2 MiB boundary. */
	static const size_t sizes[] = {
	    MIB / 4 - 64, MIB, 2 * MIB - 64, 8 * MIB, 8 * MIB + 1};
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = strads_large_alloc(sizes[i]);

		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq(((uintptr_t)p - 64) % (2 * MIB), 0);
		strads_large_free(p);
	}
#endif
}
END_TEST

static Suite *
large_suite(void)
{
	Suite *s = suite_create("large");
	TCase *tc = tcase_create("large");

	tcase_add_test(tc, zeroed_and_writable);
	tcase_add_test(tc, large_ones_on_huge_page_boundaries);
	suite_add_tcase(s, tc);
	return s;
}

STRADS_TEST_MAIN(large_suite)
