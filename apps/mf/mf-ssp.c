/*
 * mf-ssp.c -- the item factors' SSP table for SGD on the SSP table under
 * strads run (mf.h). strads run cannot give an app the engine's ssp
 * table (its job callback is not given the runtime, doc/lda.md), so in
 * one process the table is this: the sum of every increment published,
 * each worker's finished clocks, a lock and a condition variable.
 *
 * The contract is the SSP table's (strads.h, "Tables"): a read at clock
 * c sees every increment of clocks <= c - lag - 1 and all of the
 * reader's own. A worker publishes at the end of each of its rounds, so
 * a read waits only for the others, until each has finished clock
 * c - lag - 1, and then returns everything published by then, which may
 * be newer (as a cluster's SSP table may return). One sum, not a
 * snapshot a clock: the experiment is about how stale reads may be,
 * and holding each clock's snapshot of 10000 x 48 doubles for every
 * worker and lag would take 60 MB at lag 8.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mf.h"

struct mf_ssp_s {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint32_t W;
	uint64_t n, lag;
	int inf;
	uint64_t *done;   /* owned: W: clocks each worker finished */
	double *sum;      /* owned: n: every increment published */
};

void
mf_ssp_free(mf_ssp_t *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
	free(t->done);
	free(t->sum);
	free(t);
}

mf_ssp_t *
mf_ssp_new(uint32_t nworkers, uint64_t n, uint64_t lag, int inf)
{
	mf_ssp_t *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	if (pthread_mutex_init(&t->lock, NULL) != 0) {
		free(t);
		return NULL;
	}
	if (pthread_cond_init(&t->cond, NULL) != 0) {
		pthread_mutex_destroy(&t->lock);
		free(t);
		return NULL;
	}
	t->W = nworkers;
	t->n = n;
	t->lag = lag;
	t->inf = inf;
	t->done = calloc(nworkers ? nworkers : 1, sizeof(uint64_t));
	t->sum = calloc(n ? n : 1, sizeof(double));
	if (t->done == NULL || t->sum == NULL) {
		mf_ssp_free(t);
		return NULL;
	}
	return t;
}

void
mf_ssp_read(mf_ssp_t *t, uint32_t w, uint64_t clock, double *out)
{
	uint32_t o;

	pthread_mutex_lock(&t->lock);
	/* Clocks <= clock - lag - 1 finished: done >= clock - lag. */
	if (!t->inf && clock > t->lag) {
		for (;;) {
			for (o = 0; o < t->W; o++)
				if (o != w && t->done[o] < clock - t->lag)
					break;
			if (o == t->W)
				break;
			pthread_cond_wait(&t->cond, &t->lock);
		}
	}
	memcpy(out, t->sum, t->n * sizeof(double));
	pthread_mutex_unlock(&t->lock);
}

void
mf_ssp_publish(mf_ssp_t *t, uint32_t w, const double *delta)
{
	uint64_t i;

	pthread_mutex_lock(&t->lock);
	if (delta != NULL)
		for (i = 0; i < t->n; i++)
			t->sum[i] += delta[i];
	t->done[w]++;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

const double *
mf_ssp_values(const mf_ssp_t *t)
{
	return t->sum;
}
