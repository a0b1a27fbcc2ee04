/*
 * worker.c -- the worker role: owns a data shard and the app's local
 * state for it. Blocks arrive from the coordinator; each runs the app's
 * push on a compute thread once the changes of the update round it
 * depends on have been applied, and its partials go to the stores that
 * own the block's parameters. Check rounds push every parameter and add
 * the worker's objective statistics.
 */
#include "schmp.h"

#include <stdlib.h>

typedef struct blk_s {
	struct blk_s *next;
	strads__eng_t e;
} blk_t;

typedef struct {
	strads__job_t *job;
	int index;
	void *wstate; /* lent to the compute thread while busy */
	int ready;
	int busy;
	int stopping;
	int broken, told; /* see strads__role_broken */

	blk_t *head, *tail; /* blocks waiting, in arrival order */
	uint64_t applied;   /* last update round applied, or NONE */

	/* Check buffers, kept from one check to the next: p ids (0 .. p-1)
	 * and p x width partials. Fresh large allocations cost a page fault
	 * every 4 KiB each time (glibc maps and unmaps them); these come in
	 * huge pages (strads__big_alloc). */
	uint32_t *chk_all;
	double *chk_part;
	uint32_t *chk_sidx; /* a sparse partial's offsets and values */
	double *chk_sval;
	uint32_t chk_scap;

	/* Changes of one update round, one part per store. */
	uint64_t dround;
	int dgot;
	strads__eng_t *dpart;

	/* The job on the compute thread. */
	struct {
		int do_apply, do_push;
		strads_block_t ab; /* apply */
		uint32_t *aidx;
		double *aval;
		strads__eng_t *blk; /* push or check */
		uint32_t *all;      /* check: every id */
		double *partials;
		uint32_t *lo;  /* update: store k's part is ids [lo[k], lo[k+1]) */
		size_t *off;   /* and partials [off[k], off[k+1]) */
		double *stats;
		int init_err;
	} w;
} worker_t;

/* See strads__role_fail. */
static void
fail(strads_actor_t *self, worker_t *s, int err)
{
	strads__role_fail(self, s->job, &s->broken, &s->told, "worker", s->index, err);
}

static void
work_init(void *arg)
{
	worker_t *s = arg;
	strads__job_t *job = s->job;

	s->w.init_err = job->app->worker_init(job->shared, &job->shards[s->index],
	    &s->wstate);
}

static void
work_round(void *arg)
{
	worker_t *s = arg;
	const strads_app_t *app = s->job->app;

	if (s->w.do_apply)
		app->apply(s->wstate, &s->w.ab, s->w.aval);
	if (s->w.do_push) {
		strads_block_t b;

		memset(&b, 0, sizeof(b));
		b.round = s->w.blk->round;
		if (s->w.blk->kind == KIND_CHECK) {
			b.check = 1;
			b.n = s->job->p;
			b.idx = s->w.all;
			if (app->stats != NULL)
				app->stats(s->wstate, s->w.stats);
		} else if (app->pairs) {
			/* Pair terms only within what one store pulls. */
			int k;

			for (k = 0; k < s->job->nstores; k++) {
				b.n = s->w.lo[k + 1] - s->w.lo[k];
				b.pairs = b.n <= app->pairs;
				b.idx = s->w.blk->idx + s->w.lo[k];
				if (b.n > 0)
					app->push(s->wstate, &b, s->w.partials + s->w.off[k]);
			}
			return;
		} else {
			b.n = s->w.blk->n;
			b.idx = s->w.blk->idx;
		}
		if (b.n > 0)
			app->push(s->wstate, &b, s->w.partials);
	}
}

/* Splits an update block by owning store: ids ascend and store ranges
 * ascend, so each store's part is a run. */
static int
split_parts(worker_t *s, const strads__eng_t *blk)
{
	strads__job_t *job = s->job;
	uint32_t w = job->app->width, i = 0;
	int k;

	s->w.lo = malloc(((size_t)job->nstores + 1) * sizeof(uint32_t));
	s->w.off = malloc(((size_t)job->nstores + 1) * sizeof(size_t));
	if (s->w.lo == NULL || s->w.off == NULL)
		return -1;
	s->w.off[0] = 0;
	for (k = 0; k < job->nstores; k++) {
		uint32_t n;

		s->w.lo[k] = i;
		while (i < blk->n && blk->idx[i] < job->store_range[k].end)
			i++;
		n = i - s->w.lo[k];
		s->w.off[k + 1] = s->w.off[k] + (size_t)n * w +
		    (n <= job->app->pairs ? (size_t)n * n : 0);
	}
	s->w.lo[job->nstores] = i;
	return 0;
}

static int
worker_init(strads_actor_t *self, void *arg)
{
	worker_t *s = strads_actor_state(self);
	strads__role_arg_t *a = arg;

	s->job = a->job;
	s->index = a->index;
	s->applied = STRADS__ROUND_NONE;
	s->dround = STRADS__ROUND_NONE;
	if (strads__role_init_fault("worker") ||
	    (s->dpart = calloc((size_t)s->job->nstores, sizeof(*s->dpart))) == NULL) {
		s->broken = 1;
		strads__role_broken("worker", s->index);
	}
	return 0;
}

/* Room for n (offset, value) pairs of a sparse check partial, kept from
 * one check to the next like the other check buffers. */
static int
sparse_room(worker_t *s, uint32_t n)
{
	if (s->chk_scap > n)
		return 0;
	strads__big_free(s->chk_sidx);
	strads__big_free(s->chk_sval);
	s->chk_scap = 0;
	s->chk_sidx = strads__big_alloc(((size_t)n + 1) * 4);
	s->chk_sval = strads__big_alloc(((size_t)n + 1) * 8);
	if (s->chk_sidx == NULL || s->chk_sval == NULL)
		return -1;
	s->chk_scap = n + 1;
	return 0;
}

static void
send_partials(strads_actor_t *self, worker_t *s)
{
	strads__job_t *job = s->job;
	uint32_t w = job->app->width;
	strads__eng_t *b = s->w.blk, e;
	uint32_t *sidx = NULL;
	double *sval = NULL;
	int k;

	for (k = 0; k < job->nstores; k++) {
		strads_range_t r = job->store_range[k];
		strads_msg_t *m;

		memset(&e, 0, sizeof(e));
		e.round = b->round;
		e.kind = b->kind;
		e.from = (uint32_t)s->index;
		if (b->kind == KIND_CHECK) {
			const double *v = s->w.partials + (size_t)r.begin * w;
			uint32_t len = (r.end - r.begin) * w, nnz = 0, i, j = 0, lo = len, hi = 0;

			e.nd = len;
			e.val = (double *)v;
			for (i = 0; i < len; i++)
				if (v[i] != 0) {
					nnz++;
					lo = i < lo ? i : lo;
					hi = i + 1;
				}
			if (nnz > 0 && (uint64_t)(hi - lo) * 2 < (uint64_t)nnz * 3 &&
			    hi - lo < len) {
				/* The non-zeros in one span (a worker that checks
				 * a column range): that span alone, dense, at
				 * offset dep. */
				e.a = 2;
				e.dep = lo;
				e.nd = hi - lo;
				e.val = (double *)v + lo;
			} else if ((uint64_t)nnz * 3 < len && sparse_room(s, nnz) == 0) {
				sidx = s->chk_sidx;
				sval = s->chk_sval;
				for (i = 0; i < len; i++)
					if (v[i] != 0) {
						sidx[j] = i;
						sval[j++] = v[i];
					}
				e.a = 1;
				e.n = e.nd = j;
				e.idx = sidx;
				e.val = sval;
			}
		} else {
			e.n = s->w.lo[k + 1] - s->w.lo[k];
			e.idx = e.n > 0 ? b->idx + s->w.lo[k] : NULL;
			e.nd = (uint32_t)(s->w.off[k + 1] - s->w.off[k]);
			e.val = s->w.partials + s->w.off[k];
		}
		if ((m = strads__eng_encode(ENG_PARTIAL, &e)) == NULL) {
			fail(self, s, STRADS_ENOMEM);
			return;
		}
		strads_send(self, job->stores[k], m);
	}
	if (b->kind == KIND_CHECK) {
		strads_msg_t *m;

		memset(&e, 0, sizeof(e));
		e.round = b->round;
		e.kind = KIND_CHECK;
		e.from = (uint32_t)s->index;
		e.nd = job->app->nstats;
		e.val = s->w.stats;
		if ((m = strads__eng_encode(ENG_STATS, &e)) == NULL)
			fail(self, s, STRADS_ENOMEM);
		else
			strads_send(self, job->coord, m);
	}
}

static void
release_deltas(worker_t *s)
{
	int k;

	for (k = 0; k < s->job->nstores; k++)
		strads__eng_free(&s->dpart[k]);
	s->dgot = 0;
	s->dround = STRADS__ROUND_NONE;
}

/* Starts the next compute job if there is one and none is running. */
static void
pump(strads_actor_t *self, worker_t *s)
{
	strads__job_t *job = s->job;
	uint64_t applied = s->applied;
	blk_t *b = s->head;
	uint32_t n = 0;
	int k;

	if (s->busy || !s->ready || s->stopping || s->broken)
		return;
	memset(&s->w, 0, sizeof(s->w));
	if (s->dround != STRADS__ROUND_NONE && s->dgot == job->nstores) {
		/* Concatenate the stores' parts: ranges ascend, so ids do. */
		for (k = 0; k < job->nstores; k++)
			n += s->dpart[k].n;
		s->w.aidx = malloc((size_t)(n ? n : 1) * 4);
		s->w.aval = malloc((size_t)(n ? n : 1) * 8);
		if (s->w.aidx == NULL || s->w.aval == NULL)
			goto oom;
		n = 0;
		for (k = 0; k < job->nstores; k++) {
			if (s->dpart[k].n == 0)
				continue; /* an empty part has no arrays */
			memcpy(s->w.aidx + n, s->dpart[k].idx, (size_t)s->dpart[k].n * 4);
			memcpy(s->w.aval + n, s->dpart[k].val, (size_t)s->dpart[k].n * 8);
			n += s->dpart[k].n;
		}
		s->w.ab.round = s->dround;
		s->w.ab.n = n;
		s->w.ab.idx = s->w.aidx;
		s->w.do_apply = n > 0;
		applied = s->dround;
		s->applied = applied;
		release_deltas(s);
	}
	if (b != NULL && (b->e.dep == STRADS__ROUND_NONE || b->e.dep == applied)) {
		size_t np = b->e.kind == KIND_CHECK ? job->p : b->e.n;

		s->head = b->next;
		if (s->head == NULL)
			s->tail = NULL;
		s->w.blk = &b->e;
		s->w.do_push = 1;
		if (b->e.kind != KIND_CHECK) {
			if (split_parts(s, &b->e) != 0)
				goto oom;
			np = s->w.off[job->nstores];
		} else {
			np *= job->app->width;
		}
		if (b->e.kind == KIND_CHECK) {
			uint32_t j;

			if (s->chk_part == NULL) {
				s->chk_all = strads__big_alloc((size_t)(job->p ? job->p : 1) * 4);
				s->chk_part = strads__big_alloc((np ? np : 1) * sizeof(double));
				if (s->chk_all == NULL || s->chk_part == NULL) {
					strads__big_free(s->chk_all);
					strads__big_free(s->chk_part);
					s->chk_all = NULL;
					s->chk_part = NULL;
					goto oom;
				}
				for (j = 0; j < job->p; j++)
					s->chk_all[j] = j;
			}
			memset(s->chk_part, 0, np * sizeof(double));
			s->w.all = s->chk_all;
			s->w.partials = s->chk_part;
			s->w.stats = calloc(job->app->nstats ? job->app->nstats : 1,
			    sizeof(double));
			if (s->w.stats == NULL)
				goto oom;
		} else if ((s->w.partials = calloc(np ? np : 1, sizeof(double))) == NULL) {
			goto oom;
		}
	}
	if (!s->w.do_apply && !s->w.do_push) {
		free(s->w.aidx);
		free(s->w.aval);
		return;
	}
	if (strads_compute(self, work_round, s, 1) != 0)
		goto oom;
	s->busy = 1;
	return;
oom:
	/* What was taken is freed as the worker stops (round_free). */
	fail(self, s, STRADS_ENOMEM);
}

/* Frees what a round took (its block, unless the check buffers). */
static void
round_free(worker_t *s)
{
	if (s->w.blk != NULL) {
		strads__eng_free(s->w.blk);
		free((blk_t *)((char *)s->w.blk - offsetof(blk_t, e)));
	}
	free(s->w.aidx);
	free(s->w.aval);
	if (s->w.partials != s->chk_part)
		free(s->w.partials);
	free(s->w.lo);
	free(s->w.off);
	free(s->w.stats);
	memset(&s->w, 0, sizeof(s->w));
}

static void
round_done(strads_actor_t *self, worker_t *s)
{
	s->busy = 0;
	if (s->w.do_push)
		send_partials(self, s);
	round_free(s);
	pump(self, s);
}

static void
on_block(strads_actor_t *self, worker_t *s, const strads_msg_t *m)
{
	blk_t *b = calloc(1, sizeof(*b));

	if (b == NULL || strads__eng_decode(m, &b->e) != 0) {
		free(b);
		fail(self, s, STRADS_ENOMEM); /* or malformed: a round is lost */
		return;
	}
	if (s->tail != NULL)
		s->tail->next = b;
	else
		s->head = b;
	s->tail = b;
	pump(self, s);
}

static void
on_delta(strads_actor_t *self, worker_t *s, const strads_msg_t *m)
{
	strads__eng_t e;

	if (strads__eng_decode(m, &e) != 0 || (int)e.from >= s->job->nstores ||
	    e.n != e.nd) {
		strads__eng_free(&e);
		fail(self, s, STRADS_EPROTO); /* the round is lost */
		return;
	}
	if (s->dround == STRADS__ROUND_NONE)
		s->dround = e.round;
	if (e.round != s->dround) {
		strads_log(STRADS_LOG_ERROR, "worker %d: changes of round %llu out of turn",
		    s->index, (unsigned long long)e.round);
		strads__eng_free(&e);
		fail(self, s, STRADS_EPROTO);
		return;
	}
	s->dpart[e.from] = e;
	s->dgot++;
	pump(self, s);
}

static void
worker_recv(strads_actor_t *self, const strads_msg_t *m)
{
	worker_t *s = strads_actor_state(self);

	if (s->broken) {
		strads__role_broken_recv(self, s->job, &s->told, m);
		return;
	}
	switch (m->type) {
	case ENG_START:
		if (strads_compute(self, work_init, s, 0) == 0)
			s->busy = 1;
		else
			fail(self, s, STRADS_ENOMEM);
		break;
	case STRADS_MSG_COMPUTE: {
		strads_compute_done_t d;

		memcpy(&d, m->data, sizeof(d));
		if (d.tag == 0) {
			strads_msg_t *r = strads_msg_new(ENG_READY, 0);

			s->busy = 0;
			if (s->w.init_err != 0) {
				/* Tell the coordinator, which ends the job with an
				 * error instead of waiting for this worker. */
				strads_msg_free(r);
				fail(self, s, STRADS_EIO);
				break;
			}
			if (r == NULL) {
				fail(self, s, STRADS_ENOMEM);
				break;
			}
			s->ready = 1;
			strads_send(self, s->job->coord, r);
			pump(self, s);
		} else {
			round_done(self, s);
		}
		break;
	}
	case ENG_BLOCK:
		on_block(self, s, m);
		break;
	case ENG_DELTA:
		on_delta(self, s, m);
		break;
	case ENG_STOP:
		s->stopping = 1;
		strads_actor_stop(self);
		break;
	default:
		break;
	}
}

static void
worker_stop(strads_actor_t *self)
{
	worker_t *s = strads_actor_state(self);
	blk_t *b;

	while ((b = s->head) != NULL) {
		s->head = b->next;
		strads__eng_free(&b->e);
		free(b);
	}
	if (s->dpart != NULL)
		release_deltas(s);
	free(s->dpart);
	/* A round still taken when the job stopped (its completion is not
	 * delivered once the worker stops; no compute holds it now). */
	round_free(s);
	strads__big_free(s->chk_all);
	strads__big_free(s->chk_part);
	strads__big_free(s->chk_sidx);
	strads__big_free(s->chk_sval);
	if (s->wstate != NULL && s->job->app->worker_fini != NULL)
		s->job->app->worker_fini(s->wstate);
	strads__job_role_stopped(s->job);
}

const strads_actor_type_t strads__worker_type = {
    "worker", sizeof(worker_t), worker_init, worker_recv, worker_stop};
