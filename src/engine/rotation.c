/*
 * rotation.c -- the rotation's plan (see rotation.h): parts cut by work
 * and again by measured time, and who holds which part when.
 */
#include "rotation.h"

#include <stdlib.h>

/* The cost of row r of the rotate table (app row_cost, or 1). */
static double
row_cost(const strads__job_t *job, uint64_t r)
{
	if (job->app->row_cost == NULL)
		return 1;
	return job->app->row_cost(job->shared, (uint32_t)job->tab_rot, r);
}

/* Cuts the rotate table into nparts runs of equal work, each at least
 * one row. weight (NULL: 1) scales the work of each old part's rows:
 * the time that part took over what its rows cost, so the next cut
 * evens out measured time, not the app's estimate. */
static void
cut_parts(strads__rot_t *rp, const double *weight)
{
	const strads__job_t *job = rp->job;
	uint64_t rows = job->tab_rows[job->tab_rot], r, *old = NULL;
	uint32_t P = job->nparts, q = 0, oq = 0;
	double total = 0, acc = 0;

	if (weight != NULL) {
		if ((old = malloc(((size_t)P + 1) * sizeof(uint64_t))) == NULL)
			return; /* the old cut stands */
		memcpy(old, rp->cut, ((size_t)P + 1) * sizeof(uint64_t));
	}
	for (r = 0; r < rows; r++) {
		while (old != NULL && r >= old[oq + 1])
			oq++;
		total += row_cost(job, r) * (weight != NULL ? weight[oq] : 1);
	}
	oq = 0;
	rp->cut[0] = 0;
	for (r = 0; r < rows && q + 1 < P; r++) {
		while (old != NULL && r >= old[oq + 1])
			oq++;
		acc += row_cost(job, r) * (weight != NULL ? weight[oq] : 1);
		/* Close part q at its share, leaving a row for each after. */
		if (acc >= total * (q + 1) / P || rows - (r + 1) == P - (q + 1))
			rp->cut[++q] = r + 1;
	}
	rp->cut[P] = rows;
	free(old);
	for (q = 0; q < P; q++) {
		rp->pcost[q] = 0;
		for (r = rp->cut[q]; r < rp->cut[q + 1]; r++)
			rp->pcost[q] += row_cost(job, r);
		rp->ptime[q] = 0;
	}
}

int
strads__rot_init(strads__rot_t *rp, const strads__job_t *job, int multi)
{
	uint32_t i;

	memset(rp, 0, sizeof(*rp));
	rp->job = job;
	rp->multi = multi;
	rp->cut = malloc(((size_t)job->nparts + 1) * sizeof(uint64_t));
	rp->pcost = calloc(job->nparts, sizeof(double));
	rp->ptime = calloc(job->nparts, sizeof(double));
	rp->part_at = calloc(job->nparts, sizeof(uint32_t));
	rp->part_pos = malloc((size_t)job->nparts * sizeof(uint64_t));
	if (rp->cut == NULL || rp->pcost == NULL || rp->ptime == NULL ||
	    rp->part_at == NULL || rp->part_pos == NULL)
		return STRADS_ENOMEM;
	cut_parts(rp, NULL);
	/* The straggler rule moves shards in one process, where every
	 * worker reads the same data, and in a cluster (multi, or a job laid
	 * out by one: hold_start) only for an app whose reshard can take
	 * rows its node did not load (app->reshard_any_node). */
	if ((!(multi || job->hold_start) || job->app->reshard_any_node) &&
	    job->app->reshard != NULL && job->nworkers > 1 &&
	    job->o.nrows >= (uint64_t)job->nworkers) {
		rp->bound = malloc(((size_t)job->nworkers + 1) * sizeof(uint64_t));
		rp->wtime = calloc((size_t)job->nworkers, sizeof(double));
		rp->speed = calloc((size_t)job->nworkers, sizeof(double));
		if (rp->bound == NULL || rp->wtime == NULL || rp->speed == NULL)
			return STRADS_ENOMEM;
		for (i = 0; i < (uint32_t)job->nworkers; i++)
			rp->bound[i] = job->shards[i].row_begin;
		rp->bound[job->nworkers] = job->o.nrows;
	}
	for (i = 0; i < job->nparts; i++)
		rp->part_pos[i] = UINT64_MAX; /* at rest where they start */
	/* Laid out again from a snapshot: on from its sweep, every part at
	 * rest where the snapshot put it. */
	rp->t = rp->base = rp->done = job->base_sweeps * job->nparts;
	return 0;
}

void
strads__rot_fini(strads__rot_t *rp)
{
	free(rp->cut);
	free(rp->pcost);
	free(rp->ptime);
	free(rp->part_at);
	free(rp->part_pos);
	free(rp->bound);
	free(rp->wtime);
	free(rp->speed);
	memset(rp, 0, sizeof(*rp));
}

void
strads__rot_recut(strads__rot_t *rp)
{
	const strads__job_t *job = rp->job;
	double *w;
	uint32_t q;

	if (rp->multi || job->o.fixed_cut || (w = malloc((size_t)job->nparts * sizeof(double))) == NULL)
		return;
	for (q = 0; q < job->nparts; q++)
		w[q] = rp->ptime[q] > 0 && rp->pcost[q] > 0 ? rp->ptime[q] / rp->pcost[q] : 0;
	for (q = 0; q < job->nparts; q++)
		if (!(w[q] > 0))
			break;
	if (q == job->nparts)
		cut_parts(rp, w);
	free(w);
}

uint32_t
strads__rot_part_of(const strads__job_t *job, int w, uint32_t r)
{
	return (uint32_t)(((uint64_t)w + r) % job->nparts);
}

/* The worker holding part q at position r of a sweep, or ROT_REST. */
static uint32_t
holder_of(const strads__job_t *job, uint32_t q, uint32_t r)
{
	uint32_t w = (q + job->nparts - r % job->nparts) % job->nparts;

	return w < (uint32_t)job->nworkers ? w : ROT_REST;
}

/* In one process a part rests between sweeps, in the job's memory, so
 * the parts can be cut again; across processes it goes on to its first
 * holder of the next sweep (the cut stays). */
void
strads__rot_hold(strads__rot_t *rp, int w, strads__rot_hold_t *h)
{
	const strads__job_t *job = rp->job;
	uint32_t r = rp->r, q, from, next, P = job->nparts;
	uint64_t pos = rp->t, g, next_pos = 0;
	uint64_t first = rp->multi ? 0 : pos - r;        /* earliest a part came from */
	uint64_t last = rp->multi ? pos + P : pos - r + P; /* past the latest it goes */

	q = strads__rot_part_of(job, w, r);
	from = ROT_REST;
	for (g = pos; g-- > first && g >= rp->base;)
		if ((from = holder_of(job, q, (uint32_t)(g % P))) != ROT_REST)
			break;
	next = ROT_REST;
	for (g = pos + 1; g < last; g++)
		if ((next = holder_of(job, q, (uint32_t)(g % P))) != ROT_REST) {
			next_pos = g;
			break;
		}
	/* Where the part is once this round is done, for the gather. */
	rp->part_at[q] = next != ROT_REST ? next : (uint32_t)w;
	rp->part_pos[q] = next != ROT_REST ? next_pos : UINT64_MAX;
	h->part = q;
	h->from = from;
	h->next = next;
	h->next_pos = next_pos;
	h->rb = rp->cut[q];
	h->re = rp->cut[q + 1];
}

void
strads__rot_took(strads__rot_t *rp, int w, uint32_t r, double secs)
{
	rp->ptime[strads__rot_part_of(rp->job, w, r)] += secs;
	if (rp->wtime != NULL)
		rp->wtime[w] += secs;
}

/* A worker's sweep is its data rows against every part, so the only
 * way to lighten it is to give it fewer rows: each worker's speed (rows
 * a second, smoothed over sweeps) sets its share of the rows, so that
 * all would end their sweep together. Rows are taken to cost alike
 * (their cost is measured through the speeds of the workers that hold
 * them). */
int
strads__rot_reshard(strads__rot_t *rp, uint64_t *out)
{
	const strads__job_t *job = rp->job;
	int W = job->nworkers, w, moved = 0;
	uint64_t N, cap, lo, hi, b;
	double sum = 0, slowest = 0, acc = 0;

	if (rp->bound == NULL)
		return 0;
	N = rp->bound[W];
	for (w = 0; w < W; w++)
		if (!(rp->wtime[w] > 0) || rp->bound[w + 1] == rp->bound[w])
			break;
	if (w < W) {
		/* A worker's time is missing (or it had no rows): no speed to
		 * go by. This sweep's times are dropped. */
		memset(rp->wtime, 0, (size_t)W * sizeof(double));
		return 0;
	}
	for (w = 0; w < W; w++) {
		double v = (double)(rp->bound[w + 1] - rp->bound[w]) / rp->wtime[w];

		rp->speed[w] = rp->speed[w] > 0 ?
		    STRADS__ROT_SMOOTH * v + (1 - STRADS__ROT_SMOOTH) * rp->speed[w] : v;
		rp->wtime[w] = 0;
		sum += rp->speed[w];
	}
	/* The dead band: the slowest worker's predicted sweep against a
	 * balanced one's (N rows over every worker's speed). */
	for (w = 0; w < W; w++) {
		double t = (double)(rp->bound[w + 1] - rp->bound[w]) / rp->speed[w];

		slowest = t > slowest ? t : slowest;
	}
	if (!(slowest > (1 + STRADS__ROT_BAND) * ((double)N / sum)))
		return 0;
	/* Each bound at its share of the speeds, moved at most cap rows
	 * (the targets ascend, and so do the old bounds, so the capped ones
	 * do too), every shard keeping at least one row. */
	cap = (uint64_t)(STRADS__ROT_CAP * (double)N / W);
	cap = cap > 0 ? cap : 1;
	out[0] = 0;
	out[W] = N;
	for (w = 1; w < W; w++) {
		acc += rp->speed[w - 1];
		b = (uint64_t)((double)N * acc / sum + 0.5);
		lo = rp->bound[w] > cap ? rp->bound[w] - cap : 0;
		hi = rp->bound[w] + cap;
		b = b < lo ? lo : b > hi ? hi : b;
		out[w] = b;
	}
	for (w = 1; w < W; w++)
		if (out[w] < out[w - 1] + 1)
			out[w] = out[w - 1] + 1;
	for (w = W - 1; w > 0; w--)
		if (out[w] > out[w + 1] - 1)
			out[w] = out[w + 1] - 1;
	for (w = 1; w < W; w++)
		moved |= out[w] != rp->bound[w];
	return moved;
}

void
strads__rot_moved(strads__rot_t *rp, const uint64_t *b)
{
	memcpy(rp->bound, b, ((size_t)rp->job->nworkers + 1) * sizeof(uint64_t));
	rp->moves++;
}
