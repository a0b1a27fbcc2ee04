/*
 * mf.c -- CCD++ (Yu, Hsieh, Si and Dhillon 2012) as a rotation app
 * (mf.h, doc/mf.md).
 *
 * Data rows are users. Each worker indexes its users' ratings by item
 * and keeps their residuals e_ij = r_ij - mu - prediction. An epoch is a
 * list of steps, each one column of one side: the user biases, the item
 * biases, then for t = 1..k the users' column t and the items' column t
 * (a rank-one update, one inner iteration). A step takes one sweep:
 *
 *  - a users' step: while the parts go round, a worker adds up, for each
 *    of its users, sum (e + u v) v and sum v^2 over every item of the
 *    part; after its last part of the sweep it sets each u to their
 *    quotient (with lambda in the denominator), the exact minimiser;
 *  - an items' step: the part's rows carry the same sums over users, each
 *    holder adding its users' share; the row's last holder of the sweep
 *    sets v.
 *
 * The residuals take a step's changes in the next sweep, as the same
 * pass that gathers the next step's sums visits them (a users' change
 * is kept by the worker, an item's in its row). That pass also adds up
 * the squared residuals, which are the model's after the previous step;
 * the step's own change of the squared error is known exactly when it
 * is made (for one coordinate, -2 d sum(e x) + d^2 sum(x^2)), so a check
 * after a sweep reports the objective, train and test RMSE of the model
 * as that sweep left it. Every coordinate update is an exact minimiser,
 * so the objective never increases.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mf.h"


/* ------------------------------------------------------------------ */
/* The worker.                                                         */

typedef struct {
	const mf_t *m;
	uint32_t index, count;
	uint64_t u0, nu;    /* users [u0, u0 + nu) */
	double *W;          /* the engine's: nu x kc */
	uint64_t *iptr;     /* owned: nitems + 1 offsets into ru, res */
	uint32_t *ru;       /* owned: the local user of each rating, by item */
	double *res;        /* owned: its residual */
	uint64_t *tptr;     /* owned: the same for the test ratings */
	uint32_t *tu;
	double *tres;
	double *lam;        /* owned: nu: each user's lambda */
	double *num, *den, *tnum, *tden; /* owned: nu: a users' step's sums */
	double *du;         /* owned: nu: the last users' step's changes,
	                       not yet in the residuals (0 after an items' step) */
	double *ucur, *uprev; /* owned: nu: W's column of this sweep's step
	                         and of the previous one */
	uint64_t sweep;     /* the sweep under way + 1 (0: none yet) */
	uint32_t parts;     /* parts held in it */
	int cur, prev;      /* steps of this sweep and the one before (-1) */
	double sse, tsse;   /* this sweep's squared residuals, as it found them */
	double dsse, dtsse; /* the step's changes of them */
	double hreg;        /* the penalty of the item rows finished here */
	double last[MF_NSTATS]; /* the last whole sweep's stats */
	uint64_t ntrain, ntest, sweeps, update_ns;
} ws_t;

static void
ws_free(void *arg)
{
	ws_t *w = arg;

	if (w == NULL)
		return;
	free(w->iptr);
	free(w->ru);
	free(w->res);
	free(w->tptr);
	free(w->tu);
	free(w->tres);
	free(w->lam);
	free(w->num);
	free(w->den);
	free(w->tnum);
	free(w->tden);
	free(w->du);
	free(w->ucur);
	free(w->uprev);
	free(w);
}

int
mf_index_ratings(const mf_t *m, const mf_ratings_t *r, uint64_t u0, uint64_t u1,
    uint64_t **ptrp, uint32_t **up, double **resd, float **resf, uint64_t *count)
{
	uint64_t *ptr = calloc((size_t)m->nitems + 1, sizeof(uint64_t));
	uint64_t k, n = 0, j;
	uint32_t *uu;

	*ptrp = ptr;
	*up = NULL;
	if (resd != NULL)
		*resd = NULL;
	if (resf != NULL)
		*resf = NULL;
	if (ptr == NULL)
		return -1;
	if (r != NULL)
		for (k = 0; k < r->n; k++)
			if (r->u[k] >= u0 && r->u[k] < u1) {
				ptr[r->i[k] + 1]++;
				n++;
			}
	*count = n;
	*up = uu = malloc((n ? n : 1) * sizeof(uint32_t));
	if (resd != NULL)
		*resd = malloc((n ? n : 1) * sizeof(double));
	if (resf != NULL)
		*resf = malloc((n ? n : 1) * sizeof(float));
	if (uu == NULL || (resd != NULL && *resd == NULL) || (resf != NULL && *resf == NULL))
		return -1;
	for (j = 0; j < m->nitems; j++)
		ptr[j + 1] += ptr[j];
	if (r != NULL)
		for (k = 0; k < r->n; k++)
			if (r->u[k] >= u0 && r->u[k] < u1) {
				uint64_t at = ptr[r->i[k]]++;

				uu[at] = (uint32_t)(r->u[k] - u0);
				if (resd != NULL)
					(*resd)[at] = (double)r->r[k] - m->mu;
				if (resf != NULL)
					(*resf)[at] = (float)(r->r[k] - m->mu);
			}
	for (j = m->nitems; j > 0; j--)
		ptr[j] = ptr[j - 1];
	ptr[0] = 0;
	return 0;
}

static int
winit(void *shared, const strads_shard_t *sh, void **out)
{
	const mf_t *m = shared;
	ws_t *w;
	uint64_t i;

	*out = NULL;
	if (sh->tables == NULL || sh->tables[MF_T_W] == NULL)
		return -1;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	w->m = m;
	w->index = sh->index;
	w->count = sh->count;
	w->u0 = sh->row_begin;
	w->nu = sh->row_end - sh->row_begin;
	w->W = sh->tables[MF_T_W];
	w->prev = w->cur = -1;
	if (mf_index_ratings(m, m->train, w->u0, sh->row_end, &w->iptr, &w->ru, &w->res, NULL,
	        &w->ntrain) != 0 ||
	    mf_index_ratings(m, m->test, w->u0, sh->row_end, &w->tptr, &w->tu, &w->tres, NULL,
	        &w->ntest) != 0)
		goto fail;
#define NU_ALLOC(f)                                                   \
	if ((w->f = calloc(w->nu ? w->nu : 1, sizeof(double))) == NULL) \
		goto fail;
	NU_ALLOC(lam)
	NU_ALLOC(num)
	NU_ALLOC(den)
	NU_ALLOC(tnum)
	NU_ALLOC(tden)
	NU_ALLOC(du)
	NU_ALLOC(ucur)
	NU_ALLOC(uprev)
#undef NU_ALLOC
	/* A cluster's job laid out again from a snapshot would start with
	 * W's values but not the residuals, the pending changes and the
	 * sums of a step half done, which live in the workers: CCD++ cannot
	 * go on from a snapshot (doc/mf.md, "Across processes"); SGD can. */
	for (i = 0; i < w->nu * m->kc; i++)
		if (w->W[i] != 0 && !(m->biases && i % m->kc == m->rank + 1)) {
			strads_log(STRADS_LOG_ERROR, "mf: CCD++ cannot go on from a snapshot "
			    "(a job laid out again); --solver sgd can");
			goto fail;
		}
	for (i = 0; i < w->nu; i++) {
		w->lam[i] = m->weighted ? m->lambda * (double)m->ucount[w->u0 + i] : m->lambda;
		/* W starts at zero but for its column of ones (biases). */
		if (m->biases)
			w->W[i * m->kc + m->rank + 1] = 1;
	}
	/* Before the first sweep the model predicts mu: these are its
	 * stats. */
	for (i = 0; i < w->ntrain; i++)
		w->last[MF_S_SSE] += w->res[i] * w->res[i];
	for (i = 0; i < w->ntest; i++)
		w->last[MF_S_TSSE] += w->tres[i] * w->tres[i];
	*out = w;
	return 0;
fail:
	ws_free(w);
	return -1;
}

/* The penalty of a row: lambda x its free entries squared (the columns
 * of ones are not parameters). */
static double
row_reg(const mf_t *m, const double *row, double lam, int user)
{
	uint32_t t, n = m->rank;
	double s = 0;

	for (t = 0; t < n; t++)
		s += row[t] * row[t];
	if (m->biases)
		s += user ? row[n] * row[n] : row[n + 1] * row[n + 1];
	return lam * s;
}

/* The start of a sweep on this worker: its steps, and W's columns. */
static void
sweep_begin(ws_t *w, uint64_t sweep)
{
	const mf_t *m = w->m;
	uint64_t i;

	w->sweep = sweep + 1;
	w->parts = 0;
	w->cur = (int)(sweep % m->nsteps);
	w->prev = sweep > 0 ? (int)((sweep - 1) % m->nsteps) : -1;
	for (i = 0; i < w->nu; i++) {
		w->ucur[i] = w->W[i * m->kc + m->steps[w->cur].col];
		w->uprev[i] = w->prev >= 0 ? w->W[i * m->kc + m->steps[w->prev].col] : 0;
	}
	memset(w->num, 0, w->nu * sizeof(double));
	memset(w->den, 0, w->nu * sizeof(double));
	memset(w->tnum, 0, w->nu * sizeof(double));
	memset(w->tden, 0, w->nu * sizeof(double));
	w->sse = w->tsse = w->dsse = w->dtsse = w->hreg = 0;
}

/* The end of this worker's sweep (its last part): a users' step sets its
 * users' column; the sweep's stats are kept for the check. */
static void
sweep_end(ws_t *w)
{
	const mf_t *m = w->m;
	const mf_step_t *st = &m->steps[w->cur];
	double reg = 0;
	uint64_t i;

	for (i = 0; i < w->nu; i++) {
		double *row = w->W + i * m->kc;

		if (st->side == MF_SIDE_U) {
			double a = w->lam[i] + w->den[i], b = w->num[i], old = w->ucur[i];
			double nv = a > 0 ? b / a : 0, d = nv - old;

			/* sum e v = b - old sum v^2. */
			w->dsse += -2 * d * (b - old * w->den[i]) + d * d * w->den[i];
			w->dtsse += -2 * d * w->tnum[i] + d * d * w->tden[i];
			row[st->col] = nv;
			w->du[i] = d;
		} else {
			w->du[i] = 0;
		}
		reg += row_reg(m, row, w->lam[i], 1);
	}
	w->last[MF_S_SSE] = w->sse + w->dsse;
	w->last[MF_S_TSSE] = w->tsse + w->dtsse;
	w->last[MF_S_REG] = reg + w->hreg;
	w->sweeps++;
}

static void
rotate(void *wstate, const strads_part_t *p)
{
	ws_t *w = wstate;
	const mf_t *m = w->m;
	const uint32_t hw = mf_hwidth(m), kc = m->kc;
	const mf_step_t *st, *pv;
	double *rows = p->rows;
	double sse = 0, tsse = 0;
	uint64_t j, t0 = strads_now_ns();
	uint32_t c, cp;
	int side, pside;

	if (w->sweep != p->sweep + 1)
		sweep_begin(w, p->sweep);
	st = &m->steps[w->cur];
	pv = w->prev >= 0 ? &m->steps[w->prev] : NULL;
	side = st->side;
	pside = pv != NULL ? pv->side : -1;
	c = st->col;
	cp = pv != NULL ? pv->col : 0;
	for (j = p->row_begin; j < p->row_end; j++) {
		double *h = rows + (j - p->row_begin) * hw, *x = h + kc;
		const double vc = h[c], vp = h[cp], dv = x[MF_HX_DV];
		double hn = 0, hd = 0, htn = 0, htd = 0;
		uint64_t e, b = w->iptr[j], end = w->iptr[j + 1];

		for (e = b; e < end; e++) {
			uint32_t i = w->ru[e];
			double r = w->res[e];

			if (pside == 0)
				r -= w->du[i] * vp;
			else if (pside == 1)
				r -= w->uprev[i] * dv;
			w->res[e] = r;
			sse += r * r;
			if (side == 0) {
				w->num[i] += (r + w->ucur[i] * vc) * vc;
				w->den[i] += vc * vc;
			} else {
				double u = w->ucur[i];

				hn += (r + u * vc) * u;
				hd += u * u;
			}
		}
		for (e = w->tptr[j], end = w->tptr[j + 1]; e < end; e++) {
			uint32_t i = w->tu[e];
			double r = w->tres[e];

			if (pside == 0)
				r -= w->du[i] * vp;
			else if (pside == 1)
				r -= w->uprev[i] * dv;
			w->tres[e] = r;
			tsse += r * r;
			if (side == 0) {
				w->tnum[i] += r * vc;
				w->tden[i] += vc * vc;
			} else {
				double u = w->ucur[i];

				htn += r * u;
				htd += u * u;
			}
		}
		x[MF_HX_NUM] += hn;
		x[MF_HX_DEN] += hd;
		x[MF_HX_TNUM] += htn;
		x[MF_HX_TDEN] += htd;
		if (++x[MF_HX_VISITS] >= (double)w->count) {
			/* The row's last holder of the sweep: every user's share
			 * is in. */
			double lam = m->weighted ? m->lambda * (double)m->icount[j] : m->lambda;

			if (side == 1) {
				double a = lam + x[MF_HX_DEN], bb = x[MF_HX_NUM];
				double nv = a > 0 ? bb / a : 0, d = nv - vc;

				w->dsse += -2 * d * (bb - vc * x[MF_HX_DEN]) + d * d * x[MF_HX_DEN];
				w->dtsse += -2 * d * x[MF_HX_TNUM] + d * d * x[MF_HX_TDEN];
				h[c] = nv;
				x[MF_HX_DV] = d;
			} else {
				x[MF_HX_DV] = 0;
			}
			w->hreg += row_reg(m, h, lam, 0);
			x[MF_HX_NUM] = x[MF_HX_DEN] = x[MF_HX_TNUM] = x[MF_HX_TDEN] = 0;
			x[MF_HX_VISITS] = 0;
		}
	}
	w->sse += sse;
	w->tsse += tsse;
	if (++w->parts == p->nparts)
		sweep_end(w);
	w->update_ns += strads_now_ns() - t0;
}

/* Check rounds: the store table's one parameter carries nothing. */
static void
push(void *wstate, const strads_block_t *b, double *partials)
{
	(void)wstate;
	if (b->check && b->n > 0)
		partials[0] = 0;
}

static void
stats(void *wstate, double *out)
{
	ws_t *w = wstate;

	out[MF_S_WAIT_NS] = 0;
	out[MF_S_SSE] = w->last[MF_S_SSE];
	out[MF_S_REG] = w->last[MF_S_REG];
	out[MF_S_TSSE] = w->last[MF_S_TSSE];
	out[MF_S_NTRAIN] = (double)w->ntrain;
	out[MF_S_NTEST] = (double)w->ntest;
	out[MF_S_SWEEPS] = (double)w->sweeps;
	out[MF_S_WORKERS] = 1;
	out[MF_S_UPDATE_NS] = (double)w->update_ns;
	out[MF_S_VISITS] = (double)(w->ntrain + w->ntest) * (double)w->sweeps;
}

static void
check(void *shared, strads_range_t r, const double *partials, const double *params,
    double *out)
{
	(void)shared;
	(void)r;
	(void)partials;
	(void)params;
	out[0] = 0;
}

/*
 * The record of a check: the objective (squared error plus penalties),
 * train_rmse and test_rmse (none without test ratings), epochs (whole
 * epochs done: sweeps over the steps an epoch) and visits_per_s
 * (rating visits a second of the workers' update time, summed over workers;
 * SGD: rating updates a second of the update sweeps' time, and
 * updates_per_cpu_s, a thread's updates a second of its CPU time).
 */
static void
objective(void *shared, const double *st, const double *checks, int nstores,
    strads_progress_t *out)
{
	const mf_t *m = shared;
	double W = st[MF_S_WORKERS] > 0 ? st[MF_S_WORKERS] : 1;
	double sweeps = st[MF_S_SWEEPS] / W, ns = st[MF_S_UPDATE_NS] / W;

	(void)checks;
	(void)nstores;
	out->objective = st[MF_S_SSE] + st[MF_S_REG];
	out->criterion = 1; /* runs to --iters */
	strads_progress_add(out, "train_rmse",
	    st[MF_S_NTRAIN] > 0 ? sqrt(st[MF_S_SSE] / st[MF_S_NTRAIN]) : NAN, 0);
	if (st[MF_S_NTEST] > 0)
		strads_progress_add(out, "test_rmse", sqrt(st[MF_S_TSSE] / st[MF_S_NTEST]), 0);
	strads_progress_add(out, "epochs", floor(sweeps / m->nsteps), 1);
	strads_progress_add(out, "visits_per_s", ns > 0 ? st[MF_S_VISITS] / (ns / 1e9) : 0, 0);
	if (m->sgd)
		strads_progress_add(out, "updates_per_cpu_s",
		    st[MF_S_CPU_NS] > 0 ? st[MF_S_VISITS] / (st[MF_S_CPU_NS] / 1e9) : 0, 0);
	/* SGD on strads run's SSP table: a worker's seconds in the table's
	 * reads (waiting for the others, and the copy), the mean over
	 * workers. (A cluster's table is read by the engine before the
	 * round, out of the app's sight.) */
	if (m->ssp && !m->cluster)
		strads_progress_add(out, "read_s", st[MF_S_WAIT_NS] / W / 1e9, 0);
}

static double
row_cost(void *shared, uint32_t t, uint64_t r)
{
	const mf_t *m = shared;

	(void)t;
	return (double)m->icount[r] + 1;
}

/* The first H: small normal entries from the row's own stream, so the
 * start does not depend on how the table is cut; the biases' columns
 * 1 and 0. */
static void
table_init(void *shared, uint32_t t, uint64_t begin, uint64_t end, void *rows)
{
	const mf_t *m = shared;
	const uint32_t hw = mf_hwidth(m);
	double *h = rows;
	uint64_t j;
	uint32_t c;

	if (t != MF_T_H)
		return;
	for (j = begin; j < end; j++) {
		double *row = h + (j - begin) * hw;
		app_rng_t r;

		app_rng_seed(&r, m->seed, j + 1);
		for (c = 0; c < m->rank; c++)
			row[c] = m->init_sd * app_rng_normal(&r);
		if (m->biases) {
			row[m->rank] = 1;
			row[m->rank + 1] = 0;
		}
	}
}

static const strads_app_t mf_app_template = {
    .name = "mf",
    .width = 1,
    .nstats = MF_NSTATS,
    .ncheck = 1,
    .worker_init = winit,
    .push = push,
    .stats = stats,
    .worker_fini = ws_free,
    .check = check,
    .objective = objective,
    .rotate = rotate,
    .row_cost = row_cost,
    .table_init = table_init,
};

uint32_t
mf_hwidth(const mf_t *m)
{
	return m->kc + MF_HX_N;
}

int
mf_setup(mf_t *m, const mf_ratings_t *train, const mf_ratings_t *test, uint32_t nusers,
    uint32_t nitems, uint32_t rank, int biases, int weighted, double lambda, uint64_t seed,
    uint32_t nworkers, uint32_t nparts)
{
	uint64_t k;
	uint32_t t, s = 0;
	double sum = 0;

	memset(m, 0, sizeof(*m));
	if (rank == 0 || rank > MF_MAX_RANK || nworkers == 0 || nusers < nworkers || nitems < nworkers ||
	    nparts < nworkers || !(lambda >= 0) || train->n == 0)
		return -1;
	m->train = train;
	m->test = test != NULL && test->n > 0 ? test : NULL;
	m->nusers = nusers;
	m->nitems = nitems;
	m->rank = rank;
	m->biases = biases;
	m->weighted = weighted;
	m->kc = biases ? rank + 2 : rank;
	m->lambda = lambda;
	m->seed = seed;
	m->init_sd = 0.1;
	m->nworkers = nworkers;
	m->nparts = nparts > nitems ? nitems : nparts;
	m->nsteps = 2 * rank + (biases ? 2 : 0);
	m->steps = calloc(m->nsteps, sizeof(mf_step_t));
	m->icount = calloc(nitems, sizeof(uint64_t));
	m->ucount = calloc(nusers, sizeof(uint64_t));
	if (m->steps == NULL || m->icount == NULL || m->ucount == NULL)
		goto fail;
	for (k = 0; k < train->n; k++) {
		if (train->u[k] >= nusers || train->i[k] >= nitems)
			goto fail;
		m->icount[train->i[k]]++;
		m->ucount[train->u[k]]++;
		sum += train->r[k];
	}
	m->mu = sum / (double)train->n;
	if (biases) {
		m->steps[s++] = (mf_step_t){0, rank};
		m->steps[s++] = (mf_step_t){1, rank + 1};
	}
	for (t = 0; t < rank; t++) {
		m->steps[s++] = (mf_step_t){0, t};
		m->steps[s++] = (mf_step_t){1, t};
	}
	m->decl[MF_T_STORE] = (strads_table_decl_t){.name = "unused",
	    .home = STRADS_HOME_STORE, .value = STRADS_VALUE_F64, .width = 1};
	m->decl[MF_T_W] = (strads_table_decl_t){.name = "user_factors",
	    .home = STRADS_HOME_WORKER, .value = STRADS_VALUE_F64, .width = m->kc};
	m->decl[MF_T_H] = (strads_table_decl_t){.name = "item_factors",
	    .home = STRADS_HOME_ROTATE, .value = STRADS_VALUE_F64, .width = mf_hwidth(m),
	    .rows = nitems}; /* in the declaration: a node's job options carry no table_rows */
	m->table_rows[MF_T_H] = nitems;
	m->app = mf_app_template;
	m->app.tables = m->decl;
	m->app.ntables = MF_NTABLES;
	return 0;
fail:
	mf_free(m);
	return -1;
}

void
mf_free(mf_t *m)
{
	free(m->steps);
	free(m->icount);
	free(m->ucount);
	free(m->lstep);
	mf_ssp_free(m->ssp_own);
	memset(m, 0, sizeof(*m));
}

void
mf_job_opts(const mf_t *m, uint64_t iters, strads_job_opts_t *o)
{
	o->nparams = 1;
	o->nrows = m->nusers;
	o->nworkers = (int)m->nworkers;
	o->nstores = 1;
	o->schedule = STRADS_SCHEDULE_ROTATION;
	o->nparts = m->nparts;
	o->table_rows = m->table_rows;
	o->max_rounds = iters * m->nsteps * m->nparts;
	o->check_every = m->nsteps;
	o->seed = m->seed;
	o->tol = 0;
	/* SGD builds each part's block of ratings once: the cut stays. */
	o->fixed_cut = m->sgd;
	/* A cluster's ssp table (the item factors, with --staleness); inf:
	 * a bound no run reaches. */
	if (m->ssp)
		o->ssp_staleness = m->stale_inf ? UINT32_MAX : m->staleness;
}

double *
mf_factors(const mf_t *m, void *const *tables, int items)
{
	uint64_t n = items ? m->nitems : m->nusers, q;
	double *out = malloc((n ? n : 1) * m->kc * sizeof(double));
	uint32_t t;

	if (out == NULL)
		return NULL;
	if (m->ssp && items) {
		/* H0 plus the ssp table (the cluster's, gathered as
		 * doubles, or strads run's own). */
		const double *tab = m->cluster ? tables[MF_T_SSP] : mf_ssp_values(m->ssp_own);
		float *h0 = malloc(m->kp * sizeof(float));

		if (h0 == NULL || tab == NULL) {
			free(h0);
			free(out);
			return NULL;
		}
		for (q = 0; q < n; q++) {
			mf_sgd_h0(m, q, h0);
			for (t = 0; t < m->kc; t++)
				out[q * m->kc + t] = (double)(float)(h0[t] + (float)tab[q * m->kp + t]);
		}
		free(h0);
		return out;
	}
	for (q = 0; q < n; q++)
		for (t = 0; t < m->kc; t++) {
			if (m->sgd) {
				const float *f = tables[items ? MF_T_H : MF_T_W];

				out[q * m->kc + t] = f[q * m->kp + t];
			} else {
				const double *d = tables[items ? MF_T_H : MF_T_W];

				out[q * m->kc + t] = d[q * (items ? mf_hwidth(m) : m->kc) + t];
			}
		}
	return out;
}
