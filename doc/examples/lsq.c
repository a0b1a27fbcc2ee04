/*
 * lsq.c -- a complete SchMP program against the installed libstrads: least
 * squares, min 1/2 ||y - X b||^2, by parallel coordinate descent.
 *
 * The problem is generated so its answer is known: y = X b_true exactly,
 * so the solution is b_true. Workers hold rows of X and their residuals
 * r = y - X b; push gives x_j . r over a worker's rows for the block's
 * coordinates, the store sums them and pull moves b_j by
 * (x_j . r) / ||x_j||^2, and apply updates the residuals. The scheduler
 * never puts two columns correlated by more than rho in one block (the
 * dependency callback), so the coordinates of a block can move at once.
 * The program prints the solution, compares it with b_true and exits 0
 * only when every coefficient is within 1e-6.
 *
 * Only <strads.h> is used. Build it with `make` in this directory (the
 * Makefile beside it), or by hand:
 *
 *	cc -o lsq lsq.c $(pkg-config --cflags --libs strads) -lm
 *
 * adding -Wl,-rpath,$(pkg-config --variable=libdir strads) when the
 * library is not in a directory the dynamic linker searches (README.md,
 * "Install").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strads.h>

/* The problem: n rows of p columns, read-only while the job runs. */
typedef struct {
	uint64_t n;
	uint32_t p;
	double *x;    /* n x p, row-major; owned */
	double *y;    /* n; owned */
	double *norm; /* p: ||x_j||^2; owned */
} problem_t;

/* A worker's state: its rows [a, b) and their residuals. */
typedef struct {
	const problem_t *d; /* borrowed: the job's shared problem */
	uint64_t a, b;
	double *r; /* b - a residuals; owned */
} worker_t;

static int
lsq_init(void *shared, const strads_shard_t *sh, void **ws)
{
	const problem_t *d = shared;
	worker_t *w = malloc(sizeof(*w));
	uint64_t i;

	if (w == NULL)
		return -1;
	w->r = malloc((sh->row_end - sh->row_begin + 1) * sizeof(double));
	if (w->r == NULL) {
		free(w);
		return -1;
	}
	w->d = d;
	w->a = sh->row_begin;
	w->b = sh->row_end;
	/* The job starts from b = 0, so the residuals are y. */
	for (i = w->a; i < w->b; i++)
		w->r[i - w->a] = d->y[i];
	*ws = w;
	return 0;
}

static void
lsq_fini(void *ws)
{
	worker_t *w = ws;

	free(w->r);
	free(w);
}

/* part[t] = x_j . r over this worker's rows, j = b->idx[t]. */
static void
lsq_push(void *ws, const strads_block_t *b, double *part)
{
	worker_t *w = ws;
	uint64_t i;
	uint32_t t;

	for (i = w->a; i < w->b; i++) {
		const double *row = w->d->x + i * w->d->p;

		for (t = 0; t < b->n; t++)
			part[t] += row[b->idx[t]] * w->r[i - w->a];
	}
}

static void
lsq_apply(void *ws, const strads_block_t *b, const double *delta)
{
	worker_t *w = ws;
	uint64_t i;
	uint32_t t;

	for (i = w->a; i < w->b; i++)
		for (t = 0; t < b->n; t++)
			w->r[i - w->a] -=
			    w->d->x[i * w->d->p + b->idx[t]] * delta[t];
}

static void
lsq_stats(void *ws, double *out)
{
	worker_t *w = ws;
	uint64_t i;

	out[0] = 0;
	for (i = w->a; i < w->b; i++)
		out[0] += w->r[i - w->a] * w->r[i - w->a];
}

/* The exact minimiser along each coordinate of the block. */
static void
lsq_pull(void *shared, const strads_block_t *b, const double *part, double *val,
    double *delta)
{
	const problem_t *d = shared;
	uint32_t t;

	for (t = 0; t < b->n; t++) {
		delta[t] = part[t] / d->norm[b->idx[t]];
		val[t] += delta[t];
	}
}

/* The largest step any coordinate of the range would still take. */
static void
lsq_check(void *shared, strads_range_t r, const double *part, const double *val,
    double *out)
{
	const problem_t *d = shared;
	uint32_t j;

	(void)val;
	out[0] = 0;
	for (j = r.begin; j < r.end; j++)
		out[0] = fmax(out[0], fabs(part[j - r.begin] / d->norm[j]));
}

/* |corr(x_j, x_k)|: the scheduler keeps correlated columns apart. */
static double
lsq_dependency(void *shared, uint32_t j, uint32_t k)
{
	const problem_t *d = shared;
	double s = 0;
	uint64_t i;

	for (i = 0; i < d->n; i++)
		s += d->x[i * d->p + j] * d->x[i * d->p + k];
	return fabs(s) / sqrt(d->norm[j] * d->norm[k]);
}

static void
lsq_objective(void *shared, const double *stats, const double *checks,
    int nstores, strads_progress_t *out)
{
	int s;

	(void)shared;
	out->objective = stats[0] / 2;
	out->criterion = 0;
	for (s = 0; s < nstores; s++)
		out->criterion = fmax(out->criterion, checks[s]);
}

static const strads_app_t lsq_app = {
    .name = "lsq",
    .width = 1,
    .nstats = 1,
    .ncheck = 1,
    .worker_init = lsq_init,
    .push = lsq_push,
    .apply = lsq_apply,
    .stats = lsq_stats,
    .worker_fini = lsq_fini,
    .pull = lsq_pull,
    .check = lsq_check,
    .dependency = lsq_dependency,
    .objective = lsq_objective,
};

/* A uniform draw in [-1, 1) from a 64-bit LCG (the same on every
 * platform, so every run solves the same problem). */
static double
uniform(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(*seed >> 11) * 0x1.0p-52 - 1.0;
}

int
main(void)
{
	const uint64_t n = 400;
	const uint32_t p = 12;
	problem_t d;
	double truth[12];
	strads_config_t cfg;
	strads_runtime_t *rt = NULL;
	strads_job_opts_t o;
	strads_job_result_t res;
	uint64_t i, seed = 42;
	uint32_t j;
	double worst = 0;
	int rc, ok;

	d.n = n;
	d.p = p;
	d.x = malloc(n * p * sizeof(double));
	d.y = calloc(n, sizeof(double));
	d.norm = calloc(p, sizeof(double));
	if (d.x == NULL || d.y == NULL || d.norm == NULL) {
		fprintf(stderr, "lsq: out of memory\n");
		rc = 1;
		goto out;
	}
	for (j = 0; j < p; j++)
		truth[j] = (double)((int)j - 6) / 4.0;
	for (i = 0; i < n; i++)
		for (j = 0; j < p; j++) {
			double v = uniform(&seed);

			d.x[i * p + j] = v;
			d.y[i] += v * truth[j];
			d.norm[j] += v * v;
		}

	strads_config_init(&cfg);
	cfg.nloops = 2;
	cfg.ncompute = 2;
	rc = strads_runtime_new(&rt, &cfg);
	if (rc == 0)
		rc = strads_runtime_start(rt);
	if (rc != 0) {
		fprintf(stderr, "lsq: runtime: %s\n", strads_strerror(rc));
		rc = 1;
		goto out;
	}

	strads_job_opts_init(&o);
	o.nparams = p;
	o.nrows = n;
	o.nworkers = 2;
	o.block = 4;   /* coordinates moved together in one round */
	o.rho = 0.2;   /* ... and none of them correlated above this */
	o.tol = 1e-10; /* stop when no coordinate moves more */
	o.max_rounds = 100000;
	rc = strads_job_run(rt, &lsq_app, &d, &o, &res);
	if (rc != 0) {
		fprintf(stderr, "lsq: job: %s\n", strads_strerror(rc));
		rc = 1;
		goto stop;
	}
	printf("lsq: %s after %llu rounds, objective %.3e\n",
	    res.converged ? "converged" : "NOT converged",
	    (unsigned long long)res.rounds, res.progress.objective);
	printf("   j   estimate      truth\n");
	for (j = 0; j < p; j++) {
		printf("%4u %10.6f %10.6f\n", (unsigned)j, res.params[j],
		    truth[j]);
		worst = fmax(worst, fabs(res.params[j] - truth[j]));
	}
	ok = res.converged && worst <= 1e-6;
	printf("lsq: largest error %.3e: %s\n", worst, ok ? "ok" : "WRONG");
	free(res.params);
	rc = ok ? 0 : 1;
stop:
	strads_runtime_stop(rt);
	if (strads_runtime_wait(rt) != 0 && rc == 0)
		rc = 1;
out:
	strads_runtime_free(rt);
	free(d.x);
	free(d.y);
	free(d.norm);
	return rc;
}
