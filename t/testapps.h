/*
 * testapps.h -- the small SchMP apps and engine set-up that several Check
 * programs share, so that each test says only what it checks.
 *
 * The column-means app: n rows of p values; parameter j converges to the
 * mean of column j. Workers push their shard's column sums, the store's
 * pull divides by n, and a check is the largest error of a store's range.
 * With tables set (testapp_means_tables), it also keeps two worker tables:
 * "fit" (f64, x_i . params for each row, updated as changes are applied)
 * and "tag" (i32, width 2: each row's index and shard).
 */
#ifndef STRADS_TESTAPPS_H
#define STRADS_TESTAPPS_H

#include <stdint.h>

#include "strads.h"

/* The tables of testapp_means_tables, in declaration order. */
enum { TESTAPP_MEANS, TESTAPP_FIT, TESTAPP_TAG, TESTAPP_NTABLES };

typedef struct {
	const double *x; /* n x p, row-major; borrowed */
	uint64_t n;
	uint32_t p;
	int fail_init; /* worker_init of shard 1 fails */
} testapp_means_t;

/* The column-means app without tables and with the worker tables above. */
extern const strads_app_t testapp_means;
extern const strads_app_t testapp_means_tables;

/* The means app's pull: parameter j becomes sum_j / n, n from the
 * testapp_means_t that shared points to (or starts with). */
void testapp_means_pull(void *shared, const strads_block_t *b, const double *sum,
    double *val, double *delta);

/* The data of a means test: n rows of p values at x. */
testapp_means_t testapp_means_of(const double *x, uint64_t n, uint32_t p);

/* A started runtime of nloops loops and 2 compute threads; it fails the
 * test when the runtime cannot start. */
strads_runtime_t *testapp_engine_up(int nloops);

/* Stops, waits for and frees rt, failing the test on an error. */
void testapp_engine_down(strads_runtime_t *rt);

#endif /* STRADS_TESTAPPS_H */
