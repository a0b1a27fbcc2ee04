/*
 * gather.c -- the coordinator's gathers of the tables that live with the
 * workers, and the checkpoint job (see gather.h).
 */
#include "gather.h"

#include <stdlib.h>

int
strads__gather_init(strads__gather_t *g, const strads__job_t *job,
    const strads__rot_t *rp)
{
	memset(g, 0, sizeof(*g));
	g->job = job;
	g->rp = rp;
	g->slots = job->nparts > (uint32_t)job->nworkers ? job->nparts :
	    (uint32_t)job->nworkers;
	if (g->slots == 0)
		g->slots = 1;
	g->seen = calloc((size_t)(job->ntab ? job->ntab : 1) * g->slots, 1);
	return g->seen != NULL ? 0 : STRADS_ENOMEM;
}

void
strads__gather_fini(strads__gather_t *g)
{
	free(g->seen);
	g->seen = NULL;
}

void
strads__gather_reset(strads__gather_t *g)
{
	g->want = g->got = 0;
	if (g->seen != NULL)
		memset(g->seen, 0, (size_t)g->job->ntab * g->slots);
}

/* Across processes: each part's rows from the worker it is with. */
static void
ask_parts(strads__gather_t *g, strads_actor_t *self)
{
	const strads__job_t *job = g->job;
	const strads__rot_t *rp = g->rp;
	uint32_t q, ids[4];
	strads__eng_t e;
	strads_msg_t *m;

	for (q = 0; q < job->nparts; q++) {
		memset(&e, 0, sizeof(e));
		e.round = (uint64_t)job->tab_rot;
		e.a = q;
		e.dep = rp->part_pos[q];
		ids[0] = (uint32_t)rp->cut[q];
		ids[1] = (uint32_t)(rp->cut[q] >> 32);
		ids[2] = (uint32_t)rp->cut[q + 1];
		ids[3] = (uint32_t)(rp->cut[q + 1] >> 32);
		e.n = 4;
		e.idx = ids;
		if ((m = strads__eng_encode(ENG_TROWS, &e)) != NULL)
			strads_send(self, job->workers[rp->part_at[q]], m);
		g->want++;
	}
}

int
strads__gather_start(strads__gather_t *g, strads_actor_t *self, void **dst)
{
	const strads__job_t *job = g->job;
	uint32_t t;

	g->dst = dst;
	for (t = 0; t < job->ntab; t++) {
		strads_home_t h = job->app->tables[t].home;

		if (dst[t] == NULL || h == STRADS_HOME_STORE)
			continue;
		if (h == STRADS_HOME_ROTATE && !g->rp->multi)
			memcpy(dst[t], job->rot_rows, (size_t)job->tab_rows[t] *
			    STRADS__ROW_BYTES(job, t));
		else if (h == STRADS_HOME_ROTATE)
			ask_parts(g, self);
		else if (h == STRADS_HOME_WORKER)
			g->want += job->nworkers;
		else
			g->want++;
	}
	return g->want > 0;
}

/* Which of table t's expected messages m is (its slot in seen), or -1
 * when it is none the gather asked for: a worker table's rows from one
 * of the workers, the ssp table's values from worker 0, a rotate part's
 * rows [cut[q], cut[q+1]) (the first of that run not yet come). */
static int
slot_of(const strads__gather_t *g, const strads_msg_t *m, const strads__eng_t *e)
{
	const strads__job_t *job = g->job;
	const strads__rot_t *rp = g->rp;
	uint64_t t = e->round;
	uint32_t i;

	switch (job->app->tables[t].home) {
	case STRADS_HOME_WORKER:
	case STRADS_HOME_SSP:
		for (i = 0; i < (uint32_t)job->nworkers; i++)
			if (job->workers[i].node == m->src.node &&
			    job->workers[i].actor == m->src.actor)
				break;
		if (i == (uint32_t)job->nworkers ||
		    (job->app->tables[t].home == STRADS_HOME_SSP && i != 0))
			return -1;
		return (int)i;
	case STRADS_HOME_ROTATE:
		if (!rp->multi || rp->cut == NULL)
			return -1;
		for (i = 0; i < job->nparts; i++)
			if (rp->cut[i] == e->dep && rp->cut[i + 1] - rp->cut[i] == e->a &&
			    !g->seen[t * g->slots + i])
				return (int)i;
		return -1;
	default:
		return -1;
	}
}

int
strads__gather_put(strads__gather_t *g, const strads_msg_t *m, const strads__eng_t *e)
{
	const strads__job_t *job = g->job;
	void **tabs = g->dst;
	size_t rowb, bytes;
	uint64_t t = e->round;
	int slot;

	if (tabs == NULL || t >= job->ntab || tabs[t] == NULL)
		return 0;
	rowb = job->app->tables[t].home == STRADS_HOME_SSP ?
	    job->tab_width[t] * sizeof(double) : STRADS__ROW_BYTES(job, t);
	bytes = (size_t)e->a * rowb;
	if (e->dep > job->tab_rows[t] || e->a > job->tab_rows[t] - e->dep ||
	    (size_t)e->nd != (bytes + 7) / 8)
		return 0;
	/* A message twice (or one not asked for) would end the gather
	 * before every row is in. */
	if (g->seen == NULL || (slot = slot_of(g, m, e)) < 0 ||
	    g->seen[t * g->slots + (uint32_t)slot])
		return -1;
	memcpy((uint8_t *)tabs[t] + e->dep * rowb, e->val, bytes);
	/* A worker table's rows come in runs that fit a frame, in order:
	 * the worker's are in with the run whose from is 0. */
	if (job->app->tables[t].home == STRADS_HOME_WORKER && e->from != 0)
		return 1;
	g->seen[t * g->slots + (uint32_t)slot] = 1;
	g->got++;
	return 1;
}

int
strads__gather_done(const strads__gather_t *g)
{
	return g->got >= g->want;
}

void
strads__ckjob_work(void *arg)
{
	strads__ckjob_t *k = arg;

	k->rc = strads__ckpt_write(k->dir, &k->meta, k->params, k->err, sizeof(k->err));
}

void
strads__ckjob_free(strads__ckjob_t *k)
{
	free(k->params);
	free(k->meta.tabs);
	free(k->meta.tab_data);
	free(k);
}

strads__ckjob_t *
strads__ckjob_new(const strads__job_t *job, uint64_t updates, double time_s)
{
	strads__ckjob_t *k = calloc(1, sizeof(*k));

	if (k == NULL || (k->params = malloc((size_t)job->p * 8 + 8)) == NULL ||
	    strads__job_ckpt_tabs(job, &k->meta.tabs, &k->meta.ntab) != 0) {
		if (k != NULL)
			strads__ckjob_free(k);
		return NULL;
	}
	if (k->meta.ntab > 0) {
		k->meta.tab_len = strads__job_tables_bytes(job);
		if (job->snap_tabs == NULL ||
		    (k->meta.tab_data = malloc(k->meta.tab_len)) == NULL) {
			strads__ckjob_free(k);
			return NULL;
		}
		strads__job_tables_pack(job, job->snap_tabs, k->meta.tab_data);
	}
	memcpy(k->params, job->snapshot, (size_t)job->p * 8);
	k->dir = job->ckpt_dir;
	k->meta.p = job->p;
	k->meta.rounds = job->snapshot_rounds;
	k->meta.sweeps = job->snapshot_sweeps;
	k->meta.updates = updates;
	k->meta.time_s = time_s;
	k->meta.spec = (char *)job->ckpt_spec;
	return k;
}
