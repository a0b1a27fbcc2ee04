/*
 * rotapp.c -- the test app of the four homes (see rotapp.h).
 *
 * The rotate table has vrows rows of ROTAPP_K int32 counters; the worker
 * table one int32 counter per data row. Holding a part, a worker moves
 * single counts between the part's cells and its own rows by a fixed
 * rule of (row, data row, column, round), so the total of both tables
 * never changes; it adds the net moves by column to the ssp table, whose
 * rows at the end must equal the moves recorded here. The store table
 * (one parameter) is the check's reduction: the sum of the worker
 * tables.
 */
#include "rotapp.h"

#include <stdlib.h>
#include <string.h>

static const strads_table_decl_t tables[ROTAPP_NTABLES] = {
    {.name = "sum", .home = STRADS_HOME_STORE, .value = STRADS_VALUE_F64, .width = 1},
    {.name = "held", .home = STRADS_HOME_WORKER, .value = STRADS_VALUE_I32, .width = 1},
    {.name = "counts", .home = STRADS_HOME_ROTATE, .value = STRADS_VALUE_I32,
        .width = ROTAPP_K},
    {.name = "moved", .home = STRADS_HOME_SSP, .value = STRADS_VALUE_F64, .width = 1},
};

typedef struct {
	rotapp_t *a;
	strads_shard_t sh;
	int32_t *held; /* the shard's rows of the worker table (the engine's) */
	uint64_t sweeps; /* sweeps seen (the last round's sweep + 1) */
} ws_t;

void
rotapp_init(rotapp_t *a, uint64_t nrows, uint64_t vrows)
{
	memset(a, 0, sizeof(*a));
	a->nrows = nrows;
	a->vrows = vrows;
	a->fill = 3;
	a->slow_part = -1;
	a->slow_shard = -1;
	a->slow_factor = 1;
}

static int
winit(void *shared, const strads_shard_t *sh, void **out)
{
	ws_t *w = calloc(1, sizeof(*w));

	if (w == NULL || sh->tables == NULL || sh->tables[ROTAPP_WORKER] == NULL) {
		free(w);
		return -1;
	}
	w->a = shared;
	w->sh = *sh;
	w->held = sh->tables[ROTAPP_WORKER];
	*out = w;
	return 0;
}

static void
table_init(void *shared, uint32_t t, uint64_t begin, uint64_t end, void *rows)
{
	rotapp_t *a = shared;
	int32_t *c = rows;
	uint64_t i;

	if (t != ROTAPP_ROTATE)
		return;
	for (i = 0; i < (end - begin) * ROTAPP_K; i++)
		c[i] = a->fill;
}

static int64_t
sum32(const int32_t *v, uint64_t n)
{
	int64_t s = 0;
	uint64_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	return s;
}

static void
rotate(void *wstate, const strads_part_t *p)
{
	ws_t *w = wstate;
	rotapp_t *a = w->a;
	int32_t *c = p->rows;
	uint64_t nd = w->sh.row_end - w->sh.row_begin, v, d;
	uint64_t nv = p->row_end - p->row_begin;
	int64_t before = sum32(c, nv * ROTAPP_K) + sum32(w->held, nd), net[ROTAPP_K] = {0};
	uintptr_t old;
	uint32_t k;

	if (p->round < ROTAPP_MAX_ROUNDS && p->index < ROTAPP_MAX_PARTS) {
		if (atomic_exchange(&a->holder[p->round][p->index], (int)w->sh.index + 1) != 0)
			atomic_fetch_add(&a->twice, 1);
		if (w->sh.index < ROTAPP_MAX_WORKERS)
			atomic_fetch_add(&a->held[p->round][w->sh.index], 1);
		atomic_store(&a->rows_of[p->round][p->index], nv);
	}
	/* Within a sweep a part's memory goes from holder to holder: its
	 * address never changes (no copy in one process). One holder at a
	 * time touches a part's slot, ordered by the hand-over messages. */
	if (p->index < ROTAPP_MAX_PARTS) {
		old = atomic_exchange(&a->addr[p->index], (uintptr_t)p->rows);
		if (old != 0 && a->addr_sweep[p->index] == p->sweep + 1 &&
		    old != (uintptr_t)p->rows)
			atomic_fetch_add(&a->moved_addr, 1);
		if (old != 0 && a->addr_sweep[p->index] == p->sweep + 1)
			atomic_fetch_add(&a->same_addr, 1);
		a->addr_sweep[p->index] = p->sweep + 1;
	}
	/* The ssp table holds each worker's net moves over a prefix of its
	 * rounds: a sum of worker-table sums, whole and never negative. */
	if (p->ssp == NULL || p->ssp_rows != ROTAPP_K) {
		atomic_fetch_add(&a->ssp_bad, 1);
	} else {
		double t = 0;

		for (k = 0; k < ROTAPP_K; k++)
			t += p->ssp[k];
		if (t < 0 || t != (double)(int64_t)t)
			atomic_fetch_add(&a->ssp_bad, 1);
	}
	if (p->round < ROTAPP_MAX_ROUNDS && w->sh.index < ROTAPP_MAX_WORKERS)
		atomic_store(&a->shard_rows[p->round][w->sh.index], nd);
	w->sweeps = p->sweep + 1;
	for (v = 0; v < nv && a->exact; v++)
		for (d = 0; d < nd; d++)
			for (k = 0; k < ROTAPP_K; k++)
				if ((p->row_begin + v + w->sh.row_begin + d + k + p->sweep) % 3 == 0) {
					c[v * ROTAPP_K + k]--;
					w->held[d]++;
					net[k]++;
				}
	for (v = 0; v < nv && !a->exact; v++)
		for (d = 0; d < nd; d++)
			for (k = 0; k < ROTAPP_K; k++) {
				uint64_t gv = p->row_begin + v, gd = w->sh.row_begin + d;
				int32_t *cell = &c[v * ROTAPP_K + k];

				if (*cell > 0 && (gv + gd + k + p->round) % 3 == 0) {
					(*cell)--;
					w->held[d]++;
					net[k]++;
				} else if (w->held[d] > 0 && (gv * 7 + gd + k + p->round) % 5 == 0) {
					(*cell)++;
					w->held[d]--;
					net[k]--;
				}
			}
	if (a->spin > 0) {
		/* Busy work a data row (not a sleep): slow_factor times more on
		 * the slow shard's worker. */
		volatile double x = 0;
		long i, n = a->spin * (long)nd *
		    ((int)w->sh.index == a->slow_shard ||
		    a->slow_shard == ROTAPP_SLOW_ALL ? a->slow_factor : 1);

		for (i = 0; i < n; i++)
			x += 1e-9 * (double)i;
	}
	if ((int)p->index == a->slow_part) {
		/* Busy work (not a sleep): this part takes longer. */
		volatile double x = 0;
		long i;

		for (i = 0; i < 3000000; i++)
			x += 1e-9 * (double)i;
	}
	if (sum32(c, nv * ROTAPP_K) + sum32(w->held, nd) != before)
		atomic_fetch_add(&a->unbalanced, 1);
	for (k = 0; k < ROTAPP_K; k++) {
		if (p->ssp_delta != NULL)
			p->ssp_delta[k] += (double)net[k];
		atomic_fetch_add(&a->net[k], net[k]);
	}
	atomic_fetch_add(&a->rounds, 1);
}

/* What data row gd holds after sweeps sweeps of exact moves: one count
 * from each (row, column) of the rotate table a sweep whose rule says
 * so. */
static int32_t
exact_held(const rotapp_t *a, uint64_t gd, uint64_t sweeps)
{
	uint64_t s, v, k;
	int32_t n = 0;

	for (s = 0; s < sweeps; s++)
		for (v = 0; v < a->vrows; v++)
			for (k = 0; k < ROTAPP_K; k++)
				n += (v + gd + k + s) % 3 == 0;
	return n;
}

/* The straggler rule moved the shard: the new rows and their worker
 * table rows, which (exact) must hold what the sweeps done give. */
static int
reshard(void *wstate, const strads_shard_t *sh)
{
	ws_t *w = wstate;
	rotapp_t *a = w->a;
	uint64_t d;

	if (sh->tables == NULL || sh->tables[ROTAPP_WORKER] == NULL ||
	    sh->index != w->sh.index || sh->row_end < sh->row_begin)
		return -1;
	w->sh = *sh;
	w->held = sh->tables[ROTAPP_WORKER];
	for (d = 0; a->exact && d < sh->row_end - sh->row_begin; d++)
		if (w->held[d] != exact_held(a, sh->row_begin + d, w->sweeps))
			atomic_fetch_add(&a->bad_rows, 1);
	atomic_fetch_add(&a->reshards, 1);
	return 0;
}

/* The check's partial of the store table: the worker table's sum. */
static void
push(void *wstate, const strads_block_t *b, double *partials)
{
	ws_t *w = wstate;

	if (b->check && b->n == 1)
		partials[0] = (double)sum32(w->held, w->sh.row_end - w->sh.row_begin);
}

static void
check(void *shared, strads_range_t r, const double *partials,
    const double *params, double *out)
{
	(void)shared;
	(void)params;
	out[0] = r.end > r.begin ? partials[0] : 0;
}

static void
objective(void *shared, const double *stats, const double *checks, int nstores,
    strads_progress_t *out)
{
	int i;

	(void)shared;
	(void)stats;
	out->objective = 0;
	for (i = 0; i < nstores; i++)
		out->objective += checks[i];
	out->criterion = 1; /* runs to its limit */
}

static double
row_cost(void *shared, uint32_t t, uint64_t r)
{
	(void)shared;
	(void)t;
	return 1 + (double)(r % 3); /* uneven rows: parts cut by work */
}

const strads_app_t rotapp_app = {
    .name = "rotapp",
    .tables = tables,
    .ntables = ROTAPP_NTABLES,
    .width = 1,
    .ncheck = 1,
    .worker_init = winit,
    .push = push,
    .worker_fini = free,
    .check = check,
    .objective = objective,
    .rotate = rotate,
    .row_cost = row_cost,
    .table_init = table_init,
    .reshard = reshard,
};
