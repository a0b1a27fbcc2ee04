/*
 * bench_mf_parse.c -- how fast the MF loader reads a ratings file
 * (apps/mf/mf-data.c): `bench_mf_parse FILE [REPEATS]` loads FILE with
 * one thread and with two, alternating, REPEATS times each (default 5),
 * after one untimed load that puts the file in the page cache, and
 * prints the median seconds and triples a second of each and their
 * ratio, and the CPU seconds of each (on a shared machine the wall
 * time says more about the load than about the parser). The time
 * covers the whole load: the parse and the id maps.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mf.h"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
load_s(const char *path, int threads, uint64_t *n, double *cpu)
{
	mf_ids_t u = {0}, i = {0};
	mf_ratings_t r;
	char err[512];
	uint64_t t0 = strads_now_ns();
	double s, c0 = cpu_s();

	if (mf_load(path, threads, &u, &i, &r, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_mf_parse: %s\n", err);
		exit(1);
	}
	s = (double)(strads_now_ns() - t0) / 1e9;
	*cpu = cpu_s() - c0;
	*n = r.n;
	mf_ratings_free(&r);
	mf_ids_free(&u);
	mf_ids_free(&i);
	return s;
}

int
main(int argc, char **argv)
{
	int reps = argc > 2 ? atoi(argv[2]) : 5, k;
	double t1[64], t2[64], c1[64], c2[64], m1, m2, x;
	uint64_t n;

	if (argc < 2 || reps < 1 || reps > 64) {
		fprintf(stderr, "usage: bench_mf_parse FILE [REPEATS (1..64)]\n");
		return 2;
	}
	load_s(argv[1], 2, &n, &x); /* into the page cache */
	for (k = 0; k < reps; k++) {
		t1[k] = load_s(argv[1], 1, &n, &c1[k]);
		t2[k] = load_s(argv[1], 2, &n, &c2[k]);
	}
	qsort(t1, (size_t)reps, sizeof(double), cmp_double);
	qsort(t2, (size_t)reps, sizeof(double), cmp_double);
	qsort(c1, (size_t)reps, sizeof(double), cmp_double);
	qsort(c2, (size_t)reps, sizeof(double), cmp_double);
	m1 = t1[reps / 2];
	m2 = t2[reps / 2];
	printf("parse %s: %llu triples, medians of %d alternating loads\n", argv[1],
	    (unsigned long long)n, reps);
	printf("  1 thread:  %.3f s  (%.2f M triples/s; range %.3f-%.3f); %.3f CPU s "
	       "(%.2f M triples a CPU second)\n",
	    m1, n / m1 / 1e6, t1[0], t1[reps - 1], c1[reps / 2], n / c1[reps / 2] / 1e6);
	printf("  2 threads: %.3f s  (%.2f M triples/s; range %.3f-%.3f); %.3f CPU s; "
	       "%.2fx the 1 thread's wall time\n",
	    m2, n / m2 / 1e6, t2[0], t2[reps - 1], c2[reps / 2], m1 / m2);
	return 0;
}
