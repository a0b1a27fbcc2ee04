/*
 * testapps.c -- the column-means app and the engine set-up shared by the
 * Check programs (check_schmp, check_homes, check_progress). See
 * testapps.h.
 */
#include "testapps.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const strads_table_decl_t means_tables[TESTAPP_NTABLES] = {
    {.name = "means", .home = STRADS_HOME_STORE},
    {.name = "fit", .home = STRADS_HOME_WORKER, .value = STRADS_VALUE_F64},
    {.name = "tag", .home = STRADS_HOME_WORKER, .value = STRADS_VALUE_I32, .width = 2},
};

typedef struct {
	const testapp_means_t *d;
	strads_shard_t sh;
	double *fit; /* the shard's rows of "fit", or NULL without tables */
} means_ws_t;

testapp_means_t
testapp_means_of(const double *x, uint64_t n, uint32_t p)
{
	testapp_means_t d;

	memset(&d, 0, sizeof(d));
	d.x = x;
	d.n = n;
	d.p = p;
	return d;
}

static int
means_init(void *shared, const strads_shard_t *sh, void **out)
{
	const testapp_means_t *d = shared;
	means_ws_t *w;
	uint64_t i;

	if (d->fail_init && sh->index == 1)
		return -1;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -1;
	w->d = d;
	w->sh = *sh;
	if (sh->tables != NULL) {
		int32_t *tag = sh->tables[TESTAPP_TAG];

		w->fit = sh->tables[TESTAPP_FIT];
		for (i = 0; i < sh->row_end - sh->row_begin; i++) {
			tag[2 * i] = (int32_t)(sh->row_begin + i);
			tag[2 * i + 1] = (int32_t)sh->index;
		}
	}
	*out = w;
	return 0;
}

static void
means_push(void *ws, const strads_block_t *b, double *part)
{
	const means_ws_t *w = ws;
	uint64_t i;
	uint32_t t;

	for (t = 0; t < b->n; t++)
		for (i = w->sh.row_begin; i < w->sh.row_end; i++)
			part[t] += w->d->x[i * w->d->p + b->idx[t]];
}

static void
means_apply(void *ws, const strads_block_t *b, const double *delta)
{
	means_ws_t *w = ws;
	uint64_t i;
	uint32_t t;

	if (w->fit == NULL)
		return; /* no local state */
	for (i = w->sh.row_begin; i < w->sh.row_end; i++)
		for (t = 0; t < b->n; t++)
			w->fit[i - w->sh.row_begin] +=
			    delta[t] * w->d->x[i * w->d->p + b->idx[t]];
}

void
testapp_means_pull(void *shared, const strads_block_t *b, const double *sum, double *val,
    double *delta)
{
	const testapp_means_t *d = shared;
	uint32_t t;

	for (t = 0; t < b->n; t++) {
		double v = sum[t] / (double)d->n;

		delta[t] = v - val[t];
		val[t] = v;
	}
}

static void
means_check(void *shared, strads_range_t r, const double *sum, const double *val,
    double *out)
{
	const testapp_means_t *d = shared;
	uint32_t j;

	out[0] = 0; /* the largest error of the range */
	for (j = 0; j < r.end - r.begin; j++)
		out[0] = fmax(out[0], fabs(sum[j] / (double)d->n - val[j]));
}

static void
means_objective(void *shared, const double *st, const double *ck, int nstores,
    strads_progress_t *out)
{
	int k;

	(void)shared;
	(void)st;
	out->criterion = 0;
	for (k = 0; k < nstores; k++)
		out->criterion = fmax(out->criterion, ck[k]);
	out->objective = out->criterion;
}

const strads_app_t testapp_means = {
    .name = "mean",
    .width = 1,
    .nstats = 0,
    .ncheck = 1,
    .worker_init = means_init,
    .push = means_push,
    .apply = means_apply,
    .worker_fini = free,
    .pull = testapp_means_pull,
    .check = means_check,
    .objective = means_objective,
};

const strads_app_t testapp_means_tables = {
    .name = "worker-tables",
    .tables = means_tables,
    .ntables = TESTAPP_NTABLES,
    .width = 1,
    .ncheck = 1,
    .worker_init = means_init,
    .push = means_push,
    .apply = means_apply,
    .worker_fini = free,
    .pull = testapp_means_pull,
    .check = means_check,
    .objective = means_objective,
};

strads_runtime_t *
testapp_engine_up(int nloops)
{
	strads_runtime_t *rt;
	strads_config_t cfg;

	strads_config_init(&cfg);
	cfg.nloops = nloops;
	cfg.ncompute = 2;
	ck_assert_int_eq(strads_runtime_new(&rt, &cfg), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	return rt;
}

void
testapp_engine_down(strads_runtime_t *rt)
{
	strads_runtime_stop(rt);
	ck_assert_int_eq(strads_runtime_wait(rt), 0);
	strads_runtime_free(rt);
}
