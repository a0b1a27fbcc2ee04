/*
 * check_mf.c -- the MF app (apps/mf): its loaders and id maps, and CCD++
 * on the rotation engine against a planted low-rank truth.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mf.h"
#include "testutil.h"

/* ------------------------------------------------------------------ */
/* Files.                                                              */

static char tmpdir[64];

static const char *
put_file(const char *name, const char *text)
{
	static char path[64][128]; /* a test's files, each its own */
	static int at;
	char *p = path[at++ % 64];
	FILE *f;

	snprintf(p, 128, "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	return p;
}

static void
files_setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_mf.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
files_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* err names the file (its base name) and the line, and holds want. */
#define ASSERT_ERR(rc, err, name, want)                                         \
	do {                                                                    \
		ck_assert_int_eq((rc), -1);                                     \
		ck_assert_msg(strstr((err), (name)) != NULL && strstr((err), (want)) != NULL, \
		    "error '%s' lacks '%s' or '%s'", (err), (name), (want));      \
	} while (0)

typedef struct {
	mf_ids_t u, i;
	mf_ratings_t r;
} loaded_t;

static int
load(const char *path, int threads, loaded_t *l, char *err, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	return mf_load(path, threads, &l->u, &l->i, &l->r, NULL, err, errlen);
}

static void
loaded_free(loaded_t *l)
{
	mf_ids_free(&l->u);
	mf_ids_free(&l->i);
	mf_ratings_free(&l->r);
}

/* The rating k of l as "user item rating" through the id maps. */
static void
triple(const loaded_t *l, uint64_t k, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s %g", l->u.names[l->r.u[k]], l->i.names[l->r.i[k]],
	    (double)l->r.r[k]);
}

/* Every input form loads as documented: numeric ids in increasing order,
 * string ids in order of first appearance, headers, comments and fields
 * after the third skipped. */
START_TEST(loaders_good)
{
	loaded_t l;
	char err[512], t[128];

	/* MovieLens u.data: tab-separated, a timestamp after the rating. */
	ck_assert_int_eq(load(put_file("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n"
	                                        "22\t377\t1\t878887116\n"),
	                     1, &l, err, sizeof(err)),
	    0);
	ck_assert_uint_eq(l.r.n, 3);
	ck_assert_uint_eq(l.u.n, 3);
	ck_assert_str_eq(l.u.names[0], "22"); /* dense by increasing id */
	ck_assert_str_eq(l.u.names[2], "196");
	ck_assert_uint_eq(l.r.u[0], 2);
	ck_assert_uint_eq(l.r.i[0], 0);
	triple(&l, 2, t, sizeof(t));
	ck_assert_str_eq(t, "22 377 1");
	loaded_free(&l);

	/* ratings.csv: a header, commas, half stars. */
	ck_assert_int_eq(load(put_file("ratings.csv", "userId,movieId,rating,timestamp\n"
	                                             "1,31,2.5,1260759144\n1,1029,3.0,1260759179\n"
	                                             "7,31,4.5,1260759185\n"),
	                     1, &l, err, sizeof(err)),
	    0);
	ck_assert_uint_eq(l.r.n, 3);
	ck_assert_uint_eq(l.u.n, 2);
	ck_assert_uint_eq(l.i.n, 2);
	triple(&l, 0, t, sizeof(t));
	ck_assert_str_eq(t, "1 31 2.5");
	triple(&l, 2, t, sizeof(t));
	ck_assert_str_eq(t, "7 31 4.5");
	loaded_free(&l);

	/* MatrixMarket: every index 1..M, 1..N, comments skipped. */
	ck_assert_int_eq(load(put_file("r.mtx", "%%MatrixMarket matrix coordinate real general\n"
	                                       "% a comment\n3 4 2\n1 2 5\n3 4 1.5\n"),
	                     1, &l, err, sizeof(err)),
	    0);
	ck_assert_uint_eq(l.u.n, 3);
	ck_assert_uint_eq(l.i.n, 4);
	ck_assert_uint_eq(l.r.n, 2);
	ck_assert_uint_eq(l.r.u[1], 2);
	ck_assert_uint_eq(l.r.i[1], 3);
	ck_assert(l.r.r[1] == 1.5f);
	loaded_free(&l);

	/* Plain triples with string ids (one numeric-looking): order of
	 * first appearance; blank lines and '#' comments skipped; an
	 * exponent. */
	ck_assert_int_eq(load(put_file("s.txt", "# ratings\nalice item1 4\n\n  bob 17 3.5\n"
	                                       "alice 17 1e0\ncarol item1 -2\n"),
	                     1, &l, err, sizeof(err)),
	    0);
	ck_assert_uint_eq(l.r.n, 4);
	ck_assert_uint_eq(l.u.n, 3);
	ck_assert_uint_eq(l.i.n, 2);
	ck_assert_str_eq(l.u.names[0], "alice");
	ck_assert_str_eq(l.i.names[1], "17");
	triple(&l, 2, t, sizeof(t));
	ck_assert_str_eq(t, "alice 17 1");
	ck_assert_int_eq(mf_ids_find(&l.u, "carol", 5), 2);
	ck_assert_int_eq(mf_ids_find(&l.u, "dave", 4), -1);
	/* Held-out ratings through these maps: unknown ids left out. */
	{
		mf_ratings_t te;
		uint64_t unknown;

		ck_assert_int_eq(mf_load(put_file("s.test", "bob item1 2\ndave item1 3\nalice 99 1\n"),
		                     2, &l.u, &l.i, &te, &unknown, err, sizeof(err)),
		    0);
		ck_assert_uint_eq(te.n, 1);
		ck_assert_uint_eq(unknown, 2);
		ck_assert_uint_eq(te.u[0], 1);
		ck_assert_uint_eq(te.i[0], 0);
		ck_assert_uint_eq(l.u.n, 3); /* the maps are unchanged */
		mf_ratings_free(&te);
	}
	loaded_free(&l);
}
END_TEST

/* Every malformed input: an error naming the file, the line and what was
 * expected. */
START_TEST(loaders_bad)
{
	loaded_t l;
	char err[512];

	ASSERT_ERR(load(put_file("a.txt", "1 2 3\n1 2 x\n"), 1, &l, err, sizeof(err)), err,
	    "a.txt:2:",
	    "expected a rating (a number of magnitude at most 1e100) as the third field, got '1 2 x'");
	ASSERT_ERR(load(put_file("a2.txt", "1 2 3\n1 2 -2e100\n"), 1, &l, err, sizeof(err)), err,
	    "a2.txt:2:", "expected a rating (a number of magnitude at most 1e100)");
	ASSERT_ERR(load(put_file("b.txt", "1 2 3\n4 5\n"), 1, &l, err, sizeof(err)), err,
	    "b.txt:2:", "expected a user id, an item id and a rating");
	ASSERT_ERR(load(put_file("c.csv", "user,item,rating\n# c\n\n1,2,3\n1,2,zz\n"), 1, &l, err,
	               sizeof(err)),
	    err, "c.csv:5:", "expected a rating");
	ASSERT_ERR(load(put_file("d.mtx", "%%MatrixMarket matrix coordinate real general\n"
	                                 "2 2 2\n1 1 1\n3 1 1\n"),
	               1, &l, err, sizeof(err)),
	    err, "d.mtx:4:", "expected a row in 1..2 and a column in 1..2, got 3 1");
	ASSERT_ERR(load(put_file("e.mtx", "%%MatrixMarket matrix coordinate real general\n"
	                                 "2 2 3\n1 1 1\n"),
	               1, &l, err, sizeof(err)),
	    err, "e.mtx", "expected 3 entries (the size line), got 1");
	ASSERT_ERR(load(put_file("f.mtx", "%%MatrixMarket matrix array real general\n2 2\n1\n"), 1,
	               &l, err, sizeof(err)),
	    err, "f.mtx:1:", "expected a MatrixMarket coordinate matrix");
	ASSERT_ERR(load(put_file("g.mtx", "%%MatrixMarket matrix coordinate real general\nx\n"), 1,
	               &l, err, sizeof(err)),
	    err, "g.mtx:2:", "expected the size line");
	ASSERT_ERR(load(put_file("h.txt", ""), 1, &l, err, sizeof(err)), err, "h.txt:1:",
	    "got an empty file");
	ASSERT_ERR(load(put_file("i.txt", "a b 1\nc\n"), 1, &l, err, sizeof(err)), err, "i.txt:2:",
	    "expected a user id, an item id and a rating");
	ASSERT_ERR(load("/nonexistent/x.txt", 1, &l, err, sizeof(err)), err, "/nonexistent/x.txt",
	    "No such file");
}
END_TEST

/* A file of several MiB: two threads load what one does, in the same
 * order, and a bad line deep in the second thread's run is reported at
 * its own line number. */
START_TEST(loaders_threads)
{
	char path[128];
	loaded_t a, b;
	char err[512], want[64];
	uint64_t k, n = 300000, seed = 7;
	FILE *f;

	snprintf(path, sizeof(path), "%s/big.txt", tmpdir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	for (k = 0; k < n; k++)
		fprintf(f, "%llu %llu %.1f\n", (unsigned long long)(test_rand(&seed) % 5000) * 3,
		    (unsigned long long)(test_rand(&seed) % 2000) + 100,
		    1 + (double)(test_rand(&seed) % 9) / 2);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(load(path, 1, &a, err, sizeof(err)), 0);
	ck_assert_int_eq(load(path, 2, &b, err, sizeof(err)), 0);
	ck_assert_uint_eq(a.r.n, n);
	ck_assert_uint_eq(b.r.n, n);
	ck_assert_uint_eq(a.u.n, b.u.n);
	ck_assert_uint_eq(a.i.n, b.i.n);
	ck_assert(memcmp(a.r.u, b.r.u, n * sizeof(uint32_t)) == 0);
	ck_assert(memcmp(a.r.i, b.r.i, n * sizeof(uint32_t)) == 0);
	ck_assert(memcmp(a.r.r, b.r.r, n * sizeof(float)) == 0);
	for (k = 1; k < a.u.n; k++)
		ck_assert_int_lt(atol(a.u.names[k - 1]), atol(a.u.names[k]));
	loaded_free(&a);
	loaded_free(&b);
	/* A bad line in the last tenth. */
	ck_assert_ptr_nonnull(f = fopen(path, "a"));
	fprintf(f, "1 2 3\n1 2 three\n");
	ck_assert_int_eq(fclose(f), 0);
	snprintf(want, sizeof(want), "big.txt:%llu:", (unsigned long long)n + 2);
	ASSERT_ERR(load(path, 2, &a, err, sizeof(err)), err, want, "expected a rating");
}
END_TEST

/* The held-out split is the seed's, whatever else. */
START_TEST(split)
{
	mf_ratings_t all, tr1, te1, tr2, te2;
	uint64_t k, n = 20000;

	memset(&all, 0, sizeof(all));
	all.n = n;
	all.u = calloc(n, sizeof(uint32_t));
	all.i = calloc(n, sizeof(uint32_t));
	all.r = calloc(n, sizeof(float));
	for (k = 0; k < n; k++)
		all.r[k] = (float)k;
	ck_assert_int_eq(mf_split(&all, 0.2, 1, &tr1, &te1), 0);
	ck_assert_int_eq(mf_split(&all, 0.2, 1, &tr2, &te2), 0);
	ck_assert_uint_eq(tr1.n + te1.n, n);
	ck_assert_uint_eq(te1.n, te2.n);
	ck_assert(memcmp(te1.r, te2.r, te1.n * sizeof(float)) == 0);
	/* About a fifth: 4000 +- 5 sd (56). */
	ck_assert_uint_gt(te1.n, 3700);
	ck_assert_uint_lt(te1.n, 4300);
	mf_ratings_free(&tr2);
	mf_ratings_free(&te2);
	ck_assert_int_eq(mf_split(&all, 0.2, 2, &tr2, &te2), 0);
	ck_assert(te1.n != te2.n || memcmp(te1.r, te2.r, te1.n * sizeof(float)) != 0);
	mf_ratings_free(&tr1);
	mf_ratings_free(&te1);
	mf_ratings_free(&tr2);
	mf_ratings_free(&te2);
	mf_ratings_free(&all);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The solver.                                                         */

typedef struct {
	int n;
	double obj[4096];
	double train[4096], test[4096];
} rec_t;

static void
record(void *arg, const strads_progress_t *p)
{
	rec_t *r = arg;

	if (r->n < 4096) {
		r->obj[r->n] = p->objective;
		r->train[r->n] = strads_progress_value(p, "train_rmse");
		r->test[r->n] = strads_progress_value(p, "test_rmse");
		r->n++;
	}
}

/* A planted problem: ratings mu + b_u + c_i + w_u . h_i + N(0, sd^2) of
 * a random fraction of the cells, exact (no rounding); floor is the
 * test RMSE of the truth itself. */
typedef struct {
	mf_ratings_t train, test;
	uint32_t nu, ni;
	double floor;
} planted_t;

static void
planted_make(planted_t *p, uint32_t nu, uint32_t ni, uint32_t k, double density, double sd,
    uint64_t seed)
{
	app_rng_t r;
	double *W = malloc((size_t)nu * k * sizeof(double));
	double *H = malloc((size_t)ni * k * sizeof(double));
	double *bu = malloc(nu * sizeof(double)), *bi = malloc(ni * sizeof(double));
	mf_ratings_t all;
	uint64_t cap = (uint64_t)nu * ni, n = 0, q;
	uint32_t u, i, t;
	double tsse = 0;

	memset(p, 0, sizeof(*p));
	app_rng_seed(&r, seed, 99);
	for (q = 0; q < (uint64_t)nu * k; q++)
		W[q] = app_rng_normal(&r) / sqrt(k);
	for (q = 0; q < (uint64_t)ni * k; q++)
		H[q] = app_rng_normal(&r);
	for (u = 0; u < nu; u++)
		bu[u] = 0.4 * app_rng_normal(&r);
	for (i = 0; i < ni; i++)
		bi[i] = 0.5 * app_rng_normal(&r);
	memset(&all, 0, sizeof(all));
	all.u = malloc(cap * sizeof(uint32_t));
	all.i = malloc(cap * sizeof(uint32_t));
	all.r = malloc(cap * sizeof(float));
	for (u = 0; u < nu; u++)
		for (i = 0; i < ni; i++) {
			double dot = 0;

			if (app_rng_unif(&r) >= density)
				continue;
			for (t = 0; t < k; t++)
				dot += W[(size_t)u * k + t] * H[(size_t)i * k + t];
			all.u[n] = u;
			all.i[n] = i;
			all.r[n] = (float)(3.5 + bu[u] + bi[i] + dot + sd * app_rng_normal(&r));
			n++;
		}
	all.n = n;
	ck_assert_int_eq(mf_split(&all, 0.1, seed, &p->train, &p->test), 0);
	/* The floor: the truth's test RMSE (the float ratings' rounding
	 * included). */
	for (q = 0; q < p->test.n; q++) {
		double dot = 0, e;

		u = p->test.u[q];
		i = p->test.i[q];
		for (t = 0; t < k; t++)
			dot += W[(size_t)u * k + t] * H[(size_t)i * k + t];
		e = p->test.r[q] - (3.5 + bu[u] + bi[i] + dot);
		tsse += e * e;
	}
	p->floor = sqrt(tsse / (double)p->test.n);
	p->nu = nu;
	p->ni = ni;
	mf_ratings_free(&all);
	free(W);
	free(H);
	free(bu);
	free(bi);
}

static void
planted_free(planted_t *p)
{
	mf_ratings_free(&p->train);
	mf_ratings_free(&p->test);
}

typedef struct {
	strads_job_result_t res;
	rec_t rec;
} run_t;

/* Runs m for iters epochs on a runtime of two loops, a check every
 * check_every sweeps (0: each epoch). */
static void
run_mf(mf_t *m, uint64_t iters, uint32_t check_every, run_t *r)
{
	strads_runtime_t *rt;
	strads_config_t cfg;
	strads_job_opts_t o;
	strads_subscriber_t sub = {record, &r->rec};

	memset(r, 0, sizeof(*r));
	strads_config_init(&cfg);
	cfg.nloops = 2;
	cfg.ncompute = 2;
	ck_assert_int_eq(strads_runtime_new(&rt, &cfg), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	strads_job_opts_init(&o);
	mf_job_opts(m, iters, &o);
	if (check_every > 0)
		o.check_every = check_every;
	o.subscribers = &sub;
	o.nsubscribers = 1;
	ck_assert_int_eq(strads_job_run(rt, &m->app, m, &o, &r->res), 0);
	strads_runtime_stop(rt);
	ck_assert_int_eq(strads_runtime_wait(rt), 0);
	strads_runtime_free(rt);
	ck_assert_uint_eq(r->res.sweeps, iters * m->nsteps);
	ck_assert_ptr_nonnull(r->res.tables);
	ck_assert_ptr_nonnull(r->res.tables[MF_T_W]);
	ck_assert_ptr_nonnull(r->res.tables[MF_T_H]);
}

static void
run_free(run_t *r)
{
	uint32_t t;

	for (t = 0; t < r->res.ntables; t++)
		free(r->res.tables[t]);
	free(r->res.tables);
	free(r->res.params);
}

/* The objective and squared errors of the result's factors, computed
 * here from scratch. */
static void
recompute(const mf_t *m, const run_t *r, double *obj, double *sse, double *tsse)
{
	double *W = mf_factors(m, r->res.tables, 0), *H = mf_factors(m, r->res.tables, 1);
	uint32_t kc = m->kc, t;
	uint64_t q;

	ck_assert_ptr_nonnull(W);
	ck_assert_ptr_nonnull(H);
	*sse = *tsse = *obj = 0;
	for (q = 0; q < m->train->n + (m->test ? m->test->n : 0); q++) {
		int tr = q < m->train->n;
		const mf_ratings_t *s = tr ? m->train : m->test;
		uint64_t at = tr ? q : q - m->train->n;
		const double *w = W + (size_t)s->u[at] * kc, *h = H + (size_t)s->i[at] * kc;
		double e = s->r[at] - m->mu;

		for (t = 0; t < kc; t++)
			e -= w[t] * h[t];
		*(tr ? sse : tsse) += e * e;
	}
	*obj = *sse;
	for (q = 0; q < m->nusers; q++)
		for (t = 0; t < kc; t++)
			if (!m->biases || t != m->rank + 1)
				*obj += m->lambda * (m->weighted ? (double)m->ucount[q] : 1) *
				    W[q * kc + t] * W[q * kc + t];
	for (q = 0; q < m->nitems; q++)
		for (t = 0; t < kc; t++)
			if (!m->biases || t != m->rank)
				*obj += m->lambda * (m->weighted ? (double)m->icount[q] : 1) *
				    H[q * kc + t] * H[q * kc + t];
	free(W);
	free(H);
}

/* CCD++ on a planted rank-3 problem with biases: the test RMSE reaches
 * the noise floor within 2 %; the objective never increases, checked
 * after every sweep (every coordinate step is an exact minimiser); and
 * what the checks report is what the factors give, recomputed here. */
START_TEST(planted)
{
	planted_t p;
	mf_t m;
	run_t r;
	double obj, sse, tsse, last;
	int c;

	planted_make(&p, 600, 600, 3, 0.7, 0.5, 11);
	ck_assert_int_eq(mf_setup(&m, &p.train, &p.test, p.nu, p.ni, 3, 1, 0, 0.3, 1, 2, 4), 0);
	run_mf(&m, 20, 1, &r);
	ck_assert_int_eq(r.rec.n, (int)(20 * m.nsteps));
	for (c = 1; c < r.rec.n; c++)
		ck_assert_msg(r.rec.obj[c] <= r.rec.obj[c - 1] * (1 + 1e-12),
		    "the objective rose at check %d: %.17g -> %.17g", c, r.rec.obj[c - 1],
		    r.rec.obj[c]);
	last = r.rec.test[r.rec.n - 1];
	fprintf(stderr, "planted: test RMSE %.6f floor %.6f\n", last, p.floor);
	ck_assert_msg(last <= 1.02 * p.floor, "test RMSE %.6f, floor %.6f", last, p.floor);
	ck_assert_msg(last >= 0.95 * p.floor, "test RMSE %.6f below the floor %.6f", last,
	    p.floor);
	recompute(&m, &r, &obj, &sse, &tsse);
	ck_assert_msg(fabs(obj - r.rec.obj[r.rec.n - 1]) <= 1e-8 * obj, "objective %.17g, "
	    "reported %.17g", obj, r.rec.obj[r.rec.n - 1]);
	ck_assert_msg(fabs(sqrt(sse / p.train.n) - r.rec.train[r.rec.n - 1]) < 1e-9,
	    "train RMSE %.12f, reported %.12f", sqrt(sse / p.train.n), r.rec.train[r.rec.n - 1]);
	ck_assert_msg(fabs(sqrt(tsse / p.test.n) - last) < 1e-9, "test RMSE %.12f, reported %.12f",
	    sqrt(tsse / p.test.n), last);
	run_free(&r);
	mf_free(&m);
	planted_free(&p);
}
END_TEST

/* One worker and two, and more parts, give the same model (each step is
 * the same exact minimiser; only the order of sums differs). */
START_TEST(layouts_agree)
{
	planted_t p;
	mf_t m1, m2;
	run_t r1, r2;
	uint64_t q;
	const double *a, *b;
	double worst = 0;

	planted_make(&p, 120, 80, 2, 0.5, 0.3, 5);
	ck_assert_int_eq(mf_setup(&m1, &p.train, &p.test, p.nu, p.ni, 2, 0, 1, 0.1, 3, 1, 1), 0);
	ck_assert_int_eq(mf_setup(&m2, &p.train, &p.test, p.nu, p.ni, 2, 0, 1, 0.1, 3, 2, 6), 0);
	run_mf(&m1, 8, 0, &r1);
	run_mf(&m2, 8, 0, &r2);
	ck_assert_int_eq(r1.rec.n, 8);
	ck_assert_int_eq(r2.rec.n, 8);
	a = r1.res.tables[MF_T_W];
	b = r2.res.tables[MF_T_W];
	for (q = 0; q < (uint64_t)p.nu * m1.kc; q++)
		worst = fmax(worst, fabs(a[q] - b[q]));
	ck_assert_msg(worst < 1e-9, "W differs by %g", worst);
	ck_assert(fabs(r1.rec.obj[7] - r2.rec.obj[7]) <= 1e-9 * r1.rec.obj[7]);
	ck_assert(r1.rec.obj[7] < r1.rec.obj[0]);
	run_free(&r1);
	run_free(&r2);
	mf_free(&m1);
	mf_free(&m2);
	planted_free(&p);
}
END_TEST

/* SGD on the blocks of the rotation (float rows, the vector steps), on
 * the planted problem: the test RMSE within 2 % of the floor after 30
 * epochs, with 1 worker and with 2; the checks' test RMSE and penalties
 * those of the factors (recomputed here in doubles from the floats), and
 * the train RMSE the pass found (errors before each step) near the
 * final model's. */
static double
sgd_planted_run(uint32_t nworkers, uint32_t nparts, int plain)
{
	planted_t p;
	mf_t m;
	run_t r;
	double obj, sse, tsse, last, rsse, rtrain;

	planted_make(&p, 600, 600, 3, 0.7, 0.5, 11);
	ck_assert_int_eq(mf_setup(&m, &p.train, &p.test, p.nu, p.ni, 3, 1, 1, 0.02, 1, nworkers,
	                     nparts),
	    0);
	ck_assert_int_eq(mf_setup_sgd(&m, 0.02, 0.1), 0);
	m.sgd_plain = plain;
	ck_assert_uint_eq(m.kp, 8);
	run_mf(&m, 30, 0, &r);
	ck_assert_int_eq(r.rec.n, 30);
	last = r.rec.test[r.rec.n - 1];
	rtrain = r.rec.train[r.rec.n - 1];
	fprintf(stderr, "sgd_planted (%u workers, %s): test RMSE %.9f floor %.6f\n", nworkers,
	    mf_sgd_kernel(&m), last, p.floor);
	ck_assert_msg(last <= 1.02 * p.floor, "test RMSE %.6f, floor %.6f", last, p.floor);
	ck_assert_msg(last >= 0.95 * p.floor, "test RMSE %.6f below the floor %.6f", last,
	    p.floor);
	ck_assert(r.rec.obj[r.rec.n - 1] < r.rec.obj[0]);
	recompute(&m, &r, &obj, &sse, &tsse);
	ck_assert_msg(fabs(sqrt(tsse / p.test.n) - last) < 1e-6 * last,
	    "test RMSE %.12f, reported %.12f", sqrt(tsse / p.test.n), last);
	/* The penalties: the objective less the squared errors, on both
	 * sides. */
	rsse = rtrain * rtrain * (double)p.train.n;
	ck_assert_msg(fabs((obj - sse) - (r.rec.obj[r.rec.n - 1] - rsse)) <= 1e-6 * (obj - sse),
	    "penalties %.12g, reported %.12g", obj - sse, r.rec.obj[r.rec.n - 1] - rsse);
	ck_assert_msg(fabs(sqrt(sse / p.train.n) - rtrain) < 0.03 * rtrain,
	    "train RMSE %.6f, the pass found %.6f", sqrt(sse / p.train.n), rtrain);
	run_free(&r);
	mf_free(&m);
	planted_free(&p);
	return last;
}

/* Both layouts; then the plain compiled steps, which must give the
 * model the vector ones give, up to rounding (FMA rounds once where
 * the plain form rounds twice). */
START_TEST(sgd_planted)
{
	double a, b;

	sgd_planted_run(1, 2, 0);
	a = sgd_planted_run(2, 4, 0);
	b = sgd_planted_run(2, 4, 1);
	ck_assert_msg(fabs(a - b) <= 1e-4 * a, "avx2+fma: test RMSE %.9f, plain %.9f", a, b);
}
END_TEST

/* SGD on the SSP table (strads run's own table, mf-ssp.c) with 2
 * workers: at staleness 0, 2 and inf the test RMSE is within 2 % of the
 * floor after 30 epochs; at 0 a read at an evaluating sweep's first
 * round waits for every update of the sweep before, so the reported
 * test RMSE is that of the factors (H0 plus every increment published),
 * recomputed here. */
static double
ssp_planted_run(uint32_t staleness, int inf)
{
	planted_t p;
	mf_t m;
	run_t r;
	double obj, sse, tsse, last;

	planted_make(&p, 600, 600, 3, 0.7, 0.5, 11);
	ck_assert_int_eq(mf_setup(&m, &p.train, &p.test, p.nu, p.ni, 3, 1, 1, 0.02, 1, 2, 4), 0);
	ck_assert_int_eq(mf_setup_sgd(&m, 0.02, 0.1), 0);
	ck_assert_int_eq(mf_setup_ssp(&m, staleness, inf), 0);
	ck_assert_uint_eq(m.app.ntables, MF_NTABLES);
	run_mf(&m, 30, 0, &r);
	ck_assert_int_eq(r.rec.n, 30);
	last = r.rec.test[r.rec.n - 1];
	fprintf(stderr, "ssp_planted (staleness %s%u): test RMSE %.9f floor %.6f\n",
	    inf ? "inf, " : "", staleness, last, p.floor);
	ck_assert_msg(last <= 1.02 * p.floor, "test RMSE %.6f, floor %.6f", last, p.floor);
	ck_assert_msg(last >= 0.95 * p.floor, "test RMSE %.6f below the floor %.6f", last,
	    p.floor);
	recompute(&m, &r, &obj, &sse, &tsse);
	if (staleness == 0 && !inf)
		ck_assert_msg(fabs(sqrt(tsse / p.test.n) - last) < 1e-6 * last,
		    "test RMSE %.12f, reported %.12f", sqrt(tsse / p.test.n), last);
	else
		ck_assert_msg(fabs(sqrt(tsse / p.test.n) - last) < 0.01 * last,
		    "test RMSE %.12f, reported %.12f", sqrt(tsse / p.test.n), last);
	run_free(&r);
	mf_free(&m);
	planted_free(&p);
	return last;
}

START_TEST(ssp_planted)
{
	ssp_planted_run(0, 0);
	ssp_planted_run(2, 0);
	ssp_planted_run(0, 1);
}
END_TEST

typedef struct {
	mf_ssp_t *t;
	uint64_t clock;
	double out[2];
	volatile int done;
} reader_t;

static void *
reader(void *arg)
{
	reader_t *r = arg;

	mf_ssp_read(r->t, 0, r->clock, r->out);
	__atomic_store_n(&r->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* The table's contract: a read at clock c by worker 0 returns once
 * worker 1 has finished clock c - s - 1, with every increment published
 * by then; at inf it never waits. A read that returned early would see
 * 3 where 4 is due. */
START_TEST(ssp_table)
{
	mf_ssp_t *t = mf_ssp_new(2, 2, 2, 0);
	const double one[2] = {1, 10};
	reader_t r = {t, 5, {0, 0}, 0};
	pthread_t th;
	int i;

	ck_assert_ptr_nonnull(t);
	mf_ssp_publish(t, 0, one); /* worker 0's own clock 0 */
	mf_ssp_publish(t, 1, one); /* worker 1's clocks 0 and 1 */
	mf_ssp_publish(t, 1, one);
	/* Clock 4 needs worker 1's clocks <= 1: no wait. */
	mf_ssp_read(t, 0, 4, r.out);
	ck_assert(r.out[0] == 3 && r.out[1] == 30);
	/* Clock 5 needs its clock 2. */
	ck_assert_int_eq(pthread_create(&th, NULL, reader, &r), 0);
	for (i = 0; i < 20 && !__atomic_load_n(&r.done, __ATOMIC_SEQ_CST); i++)
		usleep(5000);
	ck_assert_msg(!__atomic_load_n(&r.done, __ATOMIC_SEQ_CST),
	    "the read at clock 5 did not wait for clock 2");
	mf_ssp_publish(t, 1, one);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert(r.out[0] == 4 && r.out[1] == 40);
	mf_ssp_free(t);
	t = mf_ssp_new(2, 2, 0, 1);
	ck_assert_ptr_nonnull(t);
	mf_ssp_read(t, 0, 1000, r.out);
	ck_assert(r.out[0] == 0);
	mf_ssp_free(t);
}
END_TEST

static Suite *
mf_suite(void)
{
	Suite *s = suite_create("mf");
	TCase *tc = tcase_create("loaders");

	tcase_add_checked_fixture(tc, files_setup, files_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, loaders_good);
	tcase_add_test(tc, loaders_bad);
	tcase_add_test(tc, loaders_threads);
	tcase_add_test(tc, split);
	suite_add_tcase(s, tc);
	tc = tcase_create("ccd");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, planted);
	tcase_add_test(tc, layouts_agree);
	tcase_add_test(tc, sgd_planted);
	tcase_add_test(tc, ssp_table);
	tcase_add_test(tc, ssp_planted);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(mf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
