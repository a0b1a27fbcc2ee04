/*
 * reshard.c -- a worker's side of a move of shards (see reshard.h).
 * Shards are runs of rows in worker order, so a worker's new rows are
 * its own old rows that stay plus the old rows of its neighbours that
 * cross a bound; each row of a worker table so ends at exactly one
 * worker, with its value.
 */
#include "reshard.h"

#include <stdlib.h>

void
strads__move_init(strads__move_t *mv, const strads__job_t *job, int me)
{
	memset(mv, 0, sizeof(*mv));
	mv->job = job;
	mv->me = me;
}

void
strads__move_fini(strads__move_t *mv)
{
	uint32_t t;

	if (mv->tabs != NULL)
		for (t = 0; t < mv->job->ntab; t++)
			free(mv->tabs[t]);
	free(mv->tabs);
	free(mv->ob);
	free(mv->got);
	mv->tabs = NULL;
	mv->ob = mv->nb = NULL;
	mv->got = NULL;
}

/* Bound w of a move's block: old (which 0) or new (which 1). */
static uint64_t
bound(const uint32_t *ids, uint32_t W, int which, uint32_t w)
{
	const uint32_t *b = ids + (which ? 2 * (W + 1) : 0) + 2 * w;

	return (uint64_t)b[0] | (uint64_t)b[1] << 32;
}

/* Whether e's ids are a move's bounds: 2 (W + 1) ascending from 0 to the
 * job's rows, twice. */
static int
bounds_ok(const strads__job_t *job, const strads__eng_t *e)
{
	uint32_t W = (uint32_t)job->nworkers, w;
	int which;

	if (e->n != 4 * (W + 1))
		return 0;
	for (which = 0; which < 2; which++) {
		if (bound(e->idx, W, which, 0) != 0 || bound(e->idx, W, which, W) != job->o.nrows)
			return 0;
		for (w = 0; w < W; w++)
			if (bound(e->idx, W, which, w) > bound(e->idx, W, which, w + 1))
				return 0;
	}
	return 1;
}

/* Doubles that rows of every worker-home table take in a move's TROWS
 * (each table padded to whole doubles). */
static size_t
doubles(const strads__job_t *job, uint64_t rows)
{
	size_t n = 0;
	uint32_t t;

	for (t = 0; t < job->ntab; t++)
		if (job->app->tables[t].home == STRADS_HOME_WORKER)
			n += (rows * STRADS__ROW_BYTES(job, t) + 7) / 8;
	return n;
}

/* The rows worker v held before the move that are worker u's after. */
static void
overlap(const strads__move_t *mv, uint32_t v, uint32_t u, uint64_t *rb, uint64_t *re)
{
	uint64_t ob = mv->ob[v], oe = mv->ob[v + 1], nb = mv->nb[u], ne = mv->nb[u + 1];

	*rb = ob > nb ? ob : nb;
	*re = oe < ne ? oe : ne;
	if (*re < *rb)
		*re = *rb;
}

int
strads__move_begin(strads__move_t *mv, const strads__eng_t *e,
    const strads_shard_t *sh, void *const *tabs)
{
	const strads__job_t *job = mv->job;
	uint32_t W = (uint32_t)job->nworkers, w, t, me = (uint32_t)mv->me;
	uint64_t kb, ke, nb, ne;

	if (mv->on || e->round != mv->moves || !bounds_ok(job, e) ||
	    bound(e->idx, W, 0, me) != sh->row_begin ||
	    bound(e->idx, W, 0, me + 1) != sh->row_end)
		return STRADS_EPROTO;
	if (mv->ob == NULL &&
	    ((mv->ob = malloc(((size_t)W + 1) * 2 * sizeof(uint64_t))) == NULL ||
	    (mv->got = malloc(W)) == NULL ||
	    (mv->tabs = calloc(job->ntab, sizeof(void *))) == NULL))
		return STRADS_ENOMEM;
	mv->nb = mv->ob + W + 1;
	for (w = 0; w <= W; w++) {
		mv->ob[w] = bound(e->idx, W, 0, w);
		mv->nb[w] = bound(e->idx, W, 1, w);
	}
	memset(mv->got, 0, W);
	nb = mv->nb[me];
	ne = mv->nb[me + 1];
	overlap(mv, me, me, &kb, &ke);
	for (t = 0; t < job->ntab; t++) {
		size_t rowb = STRADS__ROW_BYTES(job, t);

		if (job->app->tables[t].home != STRADS_HOME_WORKER)
			continue;
		free(mv->tabs[t]); /* a move that failed half-way */
		/* Padded to whole doubles, as the worker's tables are. */
		if ((mv->tabs[t] = calloc((size_t)(ne - nb) * rowb + 8, 1)) == NULL)
			return STRADS_ENOMEM;
		if (ke > kb)
			memcpy((uint8_t *)mv->tabs[t] + (kb - nb) * rowb,
			    (const uint8_t *)tabs[t] + (kb - sh->row_begin) * rowb,
			    (size_t)(ke - kb) * rowb);
	}
	mv->due = 0;
	for (w = 0; w < W; w++) {
		uint64_t rb, re;

		if (w == me)
			continue;
		overlap(mv, w, me, &rb, &re);
		mv->due += re > rb;
	}
	mv->on = 1;
	return 0;
}

strads_msg_t *
strads__move_rows(const strads__move_t *mv, uint32_t u, void *const *tabs, int *err)
{
	const strads__job_t *job = mv->job;
	uint64_t rb, re, ob = mv->ob[mv->me];
	uint32_t t;
	strads__eng_t e;
	strads_msg_t *m;
	uint8_t *p;
	size_t nd;

	*err = 0;
	overlap(mv, (uint32_t)mv->me, u, &rb, &re);
	if (u == (uint32_t)mv->me || re == rb)
		return NULL;
	nd = doubles(job, re - rb);
	memset(&e, 0, sizeof(e));
	e.round = mv->moves;
	e.kind = KIND_RESHARD;
	e.from = (uint32_t)mv->me;
	e.dep = rb;
	e.a = (uint32_t)(re - rb);
	e.nd = (uint32_t)nd;
	if ((e.val = calloc(nd ? nd : 1, sizeof(double))) == NULL) {
		*err = STRADS_ENOMEM;
		return NULL;
	}
	p = (uint8_t *)e.val;
	for (t = 0; t < job->ntab; t++) {
		size_t bytes;

		if (job->app->tables[t].home != STRADS_HOME_WORKER)
			continue;
		bytes = (size_t)(re - rb) * STRADS__ROW_BYTES(job, t);
		memcpy(p, (const uint8_t *)tabs[t] + (rb - ob) * STRADS__ROW_BYTES(job, t),
		    bytes);
		p += (bytes + 7) / 8 * 8;
	}
	m = strads__eng_encode(ENG_TROWS, &e);
	free(e.val);
	if (m == NULL)
		*err = STRADS_ENOMEM;
	return m;
}

int
strads__move_take(strads__move_t *mv, const strads__eng_t *e)
{
	const strads__job_t *job = mv->job;
	uint64_t rb, re, nb = mv->nb[mv->me];
	uint32_t v = e->from, t;
	const uint8_t *p = (const uint8_t *)e->val;

	if (!mv->on || e->round != mv->moves || v >= (uint32_t)job->nworkers ||
	    v == (uint32_t)mv->me || mv->got[v])
		return STRADS_EPROTO;
	overlap(mv, v, (uint32_t)mv->me, &rb, &re);
	if (re == rb || e->dep != rb || e->a != re - rb ||
	    (size_t)e->nd != doubles(job, re - rb))
		return STRADS_EPROTO;
	for (t = 0; t < job->ntab; t++) {
		size_t bytes;

		if (job->app->tables[t].home != STRADS_HOME_WORKER)
			continue;
		bytes = (size_t)(re - rb) * STRADS__ROW_BYTES(job, t);
		memcpy((uint8_t *)mv->tabs[t] + (rb - nb) * STRADS__ROW_BYTES(job, t), p, bytes);
		p += (bytes + 7) / 8 * 8;
	}
	mv->got[v] = 1;
	mv->due--;
	return 0;
}

void
strads__move_commit(strads__move_t *mv, void **tabs, strads_shard_t *sh)
{
	const strads__job_t *job = mv->job;
	uint32_t t;

	for (t = 0; t < job->ntab; t++) {
		if (job->app->tables[t].home != STRADS_HOME_WORKER)
			continue;
		free(tabs[t]);
		tabs[t] = mv->tabs[t];
		mv->tabs[t] = NULL;
	}
	sh->row_begin = mv->nb[mv->me];
	sh->row_end = mv->nb[mv->me + 1];
}
