/*
 * store.c -- the store role: owns a range of parameters, sums the
 * workers' push partials for it, runs the app's pull (aggregation at the
 * owner of the parameters) and sends the changes to every worker and
 * scheduler, and a DONE to the coordinator. Check rounds run the app's
 * check over the whole range instead; after a check the store screens its
 * range and, with working sets, sends its best-scored parameters to the
 * schedulers.
 */
#include "schmp.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
	uint64_t round;
	int got; /* partials received for round */
	uint32_t n;
	uint32_t *idx;
	double *sum; /* n x width, or range x width for checks */
} acc_t;

typedef struct {
	strads__job_t *job;
	int index;
	strads_range_t range;
	double *params; /* range.end - range.begin values */
	uint8_t *active; /* 0: screened out for good */
	uint32_t nactive;
	acc_t upd, chk;
	int have_chk; /* chk.sum holds the partials of check round chk_done */
	uint64_t chk_done;
	double *sc;      /* screening scratch (scratch_get) */
	uint8_t *before;
	uint32_t *gone;
	int broken, told; /* see strads__role_broken */
} store_t;

static void
scratch_free(store_t *s)
{
	strads__big_free(s->sc);
	strads__big_free(s->before);
	strads__big_free(s->gone);
	s->sc = NULL;
	s->before = NULL;
	s->gone = NULL;
}

static int
store_init(strads_actor_t *self, void *arg)
{
	store_t *s = strads_actor_state(self);
	strads__role_arg_t *a = arg;
	uint32_t len;

	s->job = a->job;
	s->index = a->index;
	s->range = s->job->store_range[s->index];
	len = s->range.end - s->range.begin;
	/* Range-sized arrays in huge pages (strads__big_alloc): a million
	 * parameters' worth of fresh 4 KiB pages costs tens of ms. */
	s->params = strads__big_alloc((size_t)(len ? len : 1) * sizeof(double));
	s->active = strads__big_alloc(len ? len : 1);
	s->nactive = len;
	if (s->active != NULL)
		memset(s->active, 1, len ? len : 1);
	s->chk.sum = strads__big_alloc((size_t)(len ? len : 1) * s->job->app->width *
	    sizeof(double));
	s->upd.round = s->chk.round = STRADS__ROUND_NONE;
	if (s->params == NULL || s->chk.sum == NULL || s->active == NULL ||
	    strads__role_init_fault("store")) {
		s->broken = 1; /* store_stop frees what was had */
		strads__role_broken("store", s->index);
		return 0;
	}
	if (s->job->o.init != NULL)
		memcpy(s->params, s->job->o.init + s->range.begin, (size_t)len * sizeof(double));
	return 0;
}

static void
fail(strads_actor_t *self, const char *what)
{
	store_t *s = strads_actor_state(self);

	strads_log(STRADS_LOG_ERROR, "store %d: %s", s->index, what);
}

/* Out of memory where a message or a round would be lost: the job ends
 * (strads__role_fail) instead of waiting for it. */
static void
fail_oom(strads_actor_t *self, store_t *s)
{
	strads__role_fail(self, s->job, &s->broken, &s->told, "store", s->index,
	    STRADS_ENOMEM);
}

static void
finish_update(strads_actor_t *self, store_t *s)
{
	strads__job_t *job = s->job;
	const strads_app_t *app = job->app;
	strads_block_t b;
	strads__eng_t e;
	strads_msg_t *m;
	double *vals, *delta, move = 0;
	uint32_t i;

	vals = malloc((size_t)(s->upd.n ? s->upd.n : 1) * sizeof(double));
	delta = calloc(s->upd.n ? s->upd.n : 1, sizeof(double));
	if (vals == NULL || delta == NULL) {
		free(vals);
		free(delta);
		fail_oom(self, s);
		return;
	}
	for (i = 0; i < s->upd.n; i++)
		vals[i] = s->params[s->upd.idx[i] - s->range.begin];
	memset(&b, 0, sizeof(b));
	b.round = s->upd.round;
	b.n = s->upd.n;
	b.idx = s->upd.idx;
	b.pairs = b.n <= app->pairs;
	if (b.n > 0)
		app->pull(job->shared, &b, s->upd.sum, vals, delta);
	/* A parameter screened out while this block was in flight is proven
	 * zero at the optimum: hold it there. */
	for (i = 0; i < s->upd.n; i++) {
		uint32_t at = s->upd.idx[i] - s->range.begin;

		if (!s->active[at]) {
			delta[i] = -s->params[at];
			vals[i] = 0;
		}
	}
	for (i = 0; i < s->upd.n; i++)
		s->params[s->upd.idx[i] - s->range.begin] = vals[i];
	memset(&e, 0, sizeof(e));
	e.round = s->upd.round;
	e.from = (uint32_t)s->index;
	e.n = s->upd.n;
	e.idx = s->upd.idx;
	e.nd = s->upd.n;
	e.val = delta;
	if ((m = strads__eng_encode(ENG_DELTA, &e)) != NULL) {
		strads_msg_t *ms = strads_msg_share(m, ENG_DELTA);

		if (strads__send_all(self, job->workers, job->nworkers, m) != 0) {
			strads_msg_free(ms);
			fail_oom(self, s);
		} else if (ms == NULL ||
		    strads__send_all(self, job->scheds, job->nscheds, ms) != 0) {
			fail_oom(self, s);
		}
	} else {
		fail_oom(self, s);
	}
	memset(&e, 0, sizeof(e));
	e.round = s->upd.round;
	e.kind = KIND_UPDATE;
	e.from = (uint32_t)s->index;
	e.a = s->upd.n; /* coordinates updated, moved or not */
	for (i = 0; i < s->upd.n; i++)
		move = fmax(move, fabs(delta[i]));
	e.nd = 1;
	e.val = &move; /* the largest change (working-set sweeps) */
	if ((m = strads__eng_encode(ENG_DONE, &e)) != NULL)
		strads_send(self, job->coord, m);
	else
		fail_oom(self, s);
	free(vals);
	free(delta);
	free(s->upd.idx);
	free(s->upd.sum);
	memset(&s->upd, 0, sizeof(s->upd));
	s->upd.round = STRADS__ROUND_NONE;
}

static void
finish_check(strads_actor_t *self, store_t *s)
{
	strads__job_t *job = s->job;
	const strads_app_t *app = job->app;
	double *out = calloc(app->ncheck ? app->ncheck : 1, sizeof(double));
	strads__eng_t e;
	strads_msg_t *m;

	if (out == NULL) {
		fail_oom(self, s);
		return;
	}
	if (app->check != NULL)
		app->check(job->shared, s->range, s->chk.sum, s->params, out);
	memset(&e, 0, sizeof(e));
	e.round = s->chk.round;
	e.kind = KIND_CHECK;
	e.from = (uint32_t)s->index;
	e.nd = app->ncheck;
	e.val = out;
	if ((m = strads__eng_encode(ENG_DONE, &e)) != NULL)
		strads_send(self, job->coord, m);
	else
		fail_oom(self, s);
	free(out);
	s->chk_done = s->chk.round;
	s->have_chk = 1;
	s->chk.round = STRADS__ROUND_NONE;
	s->chk.got = 0;
}

/* Screening scratch, kept from one check to the next (a fresh large
 * allocation costs a page fault every 4 KiB each time): len scores,
 * len flags and len ids. */
static int
scratch_get(store_t *s)
{
	uint32_t len = s->range.end - s->range.begin;

	if (s->sc != NULL)
		return 0;
	s->sc = strads__big_alloc((size_t)(len ? len : 1) * sizeof(double));
	s->before = strads__big_alloc(len ? len : 1);
	s->gone = strads__big_alloc((size_t)(len ? len : 1) * 4);
	if (s->sc == NULL || s->before == NULL || s->gone == NULL) {
		scratch_free(s);
		return -1;
	}
	return 0;
}

/* Min-heap on the score: the root is the weakest kept. */
static void
heap_down(double *hs, uint32_t *hi, uint32_t n, uint32_t at)
{
	for (;;) {
		uint32_t l = 2 * at + 1, m = at;
		double t;
		uint32_t u;

		if (l < n && hs[l] < hs[m])
			m = l;
		if (l + 1 < n && hs[l + 1] < hs[m])
			m = l + 1;
		if (m == at)
			return;
		t = hs[at], hs[at] = hs[m], hs[m] = t;
		u = hi[at], hi[at] = hi[m], hi[m] = u;
		at = m;
	}
}

/* Positions of the (at most) keep best-scored active parameters with a
 * score above 0, ascending, into out; their count. One pass with a
 * bounded heap (hs: keep scores, needed when keep < the range): most
 * scores lose to its root at one comparison; among equal scores the
 * choice is deterministic. */
static uint32_t
best_scored(const store_t *s, uint32_t keep, uint32_t *out, double *hs)
{
	uint32_t len = s->range.end - s->range.begin, i, n = 0;

	if (keep == 0 || keep >= len) {
		for (i = 0; i < len; i++)
			if (s->active[i] && s->sc[i] > 0)
				out[n++] = i;
		return n;
	}
	for (i = 0; i < len; i++) {
		double v = s->sc[i];

		if (!s->active[i] || !(v > 0))
			continue;
		if (n < keep) {
			uint32_t at = n++;

			/* Sift up. */
			while (at > 0 && hs[(at - 1) / 2] > v) {
				hs[at] = hs[(at - 1) / 2];
				out[at] = out[(at - 1) / 2];
				at = (at - 1) / 2;
			}
			hs[at] = v;
			out[at] = i;
		} else if (v > hs[0]) {
			hs[0] = v;
			out[0] = i;
			heap_down(hs, out, n, 0);
		}
	}
	qsort(out, n, 4, strads__cmp_u32);
	return n;
}

/* Working sets: the app scores the range after a check; at most what
 * the coordinator asks for of the best go to the schedulers owning them
 * (every scheduler hears from every store, even with nothing, so it
 * knows when a check's scores are complete). */
static void
send_scores(strads_actor_t *self, store_t *s, const strads__eng_t *e)
{
	strads__job_t *job = s->job;
	uint32_t len = s->range.end - s->range.begin, i, keep, lo;
	uint32_t *ids = NULL;
	double *val = NULL, *hs = NULL;
	int k;

	keep = e->a > 0 && e->a < len ? e->a : len; /* the coordinator's ask */
	if (scratch_get(s) != 0 ||
	    (ids = malloc((size_t)(keep ? keep : 1) * 4)) == NULL ||
	    (val = malloc((size_t)(keep ? keep : 1) * sizeof(double))) == NULL ||
	    (keep < len && (hs = malloc((size_t)keep * sizeof(double))) == NULL)) {
		fail(self, "out of memory: no scores this round");
		keep = 0;
	} else {
		/* 0 is "not wanted": what the app leaves unset. */
		memset(s->sc, 0, (size_t)len * sizeof(double));
		job->app->score(job->shared, s->range, s->chk.sum, s->params, e->val,
		    e->val + job->app->nstats, job->nstores, s->sc);
		keep = best_scored(s, keep, ids, hs);
		/* In id order, so each scheduler's share is a run. */
		for (i = 0; i < keep; i++) {
			val[i] = s->sc[ids[i]];
			ids[i] += s->range.begin;
		}
	}
	lo = 0;
	for (k = 0; k < job->nscheds; k++) {
		strads__eng_t r;
		strads_msg_t *m;
		uint32_t hi = lo;

		while (hi < keep && ids[hi] < job->sched_range[k].end)
			hi++;
		memset(&r, 0, sizeof(r));
		r.round = e->round;
		r.from = (uint32_t)s->index;
		r.n = r.nd = hi - lo;
		r.idx = r.n ? ids + lo : NULL;
		r.val = r.n ? val + lo : NULL;
		if ((m = strads__eng_encode(ENG_PRIO, &r)) != NULL)
			strads_send(self, job->scheds[k], m);
		else
			fail_oom(self, s);
		lo = hi;
	}
	free(ids);
	free(val);
	free(hs);
}

/* Screening after a check: the app marks what is provably zero; the
 * schedulers hear the ids that just went inactive, the coordinator how
 * many stay active. */
static void
on_screen(strads_actor_t *self, store_t *s, const strads__eng_t *e)
{
	strads__job_t *job = s->job;
	const strads_app_t *app = job->app;
	uint32_t len = s->range.end - s->range.begin, i, n = 0, lo;
	uint8_t *before;
	int k;
	uint32_t *ids;
	strads__eng_t r;
	strads_msg_t *m;

	if (!s->have_chk || e->round != s->chk_done ||
	    e->nd != app->nstats + (uint32_t)job->nstores * app->ncheck) {
		fail(self, "screen request does not match the last check: dropped");
		return;
	}
	if (scratch_get(s) != 0) {
		fail_oom(self, s); /* its DONE would never come */
		return;
	}
	before = s->before;
	ids = s->gone;
	memcpy(before, s->active, len);
	if (app->screen != NULL)
		app->screen(job->shared, s->range, s->chk.sum, s->params, e->val,
		    e->val + app->nstats, job->nstores, s->active);
	for (i = 0; i < len; i++) {
		if (s->params[i] != 0)
			s->active[i] = 1; /* the app must not; hold it to that */
		if (before[i] && !s->active[i])
			ids[n++] = s->range.begin + i;
		if (!before[i])
			s->active[i] = 0; /* inactive stays inactive */
	}
	s->nactive -= n;
	if (job->o.schedule == STRADS_SCHEDULE_WORKSET)
		send_scores(self, s, e);
	/* Each scheduler hears the run of ids in its range (ids ascend). */
	for (k = 0, lo = 0; k < job->nscheds && lo < n; k++) {
		uint32_t hi = lo;

		while (lo < n && ids[lo] < job->sched_range[k].begin)
			lo++;
		for (hi = lo; hi < n && ids[hi] < job->sched_range[k].end; hi++)
			;
		memset(&r, 0, sizeof(r));
		r.round = e->round;
		r.from = (uint32_t)s->index;
		r.n = hi - lo;
		r.idx = ids + lo;
		if (hi > lo && (m = strads__eng_encode(ENG_INACTIVE, &r)) == NULL)
			fail_oom(self, s);
		else if (hi > lo)
			strads_send(self, job->scheds[k], m);
		lo = hi;
	}
	memset(&r, 0, sizeof(r));
	r.round = e->round;
	r.kind = KIND_SCREEN;
	r.from = (uint32_t)s->index;
	r.a = s->nactive;
	if ((m = strads__eng_encode(ENG_DONE, &r)) != NULL)
		strads_send(self, job->coord, m);
	else
		fail_oom(self, s);
}

/* Doubles in an update partial of n parameters. */
static size_t
upd_len(const strads__job_t *job, uint32_t n)
{
	return (size_t)n * job->app->width + (n <= job->app->pairs ? (size_t)n * n : 0);
}

static void
on_partial(strads_actor_t *self, store_t *s, strads__eng_t *e)
{
	strads__job_t *job = s->job;
	uint32_t w = job->app->width, len = s->range.end - s->range.begin, i;
	acc_t *acc = e->kind == KIND_CHECK ? &s->chk : &s->upd;

	if (acc->round == STRADS__ROUND_NONE) {
		if (e->kind == KIND_CHECK) {
			s->have_chk = 0;
			memset(acc->sum, 0, (size_t)len * w * sizeof(double));
		} else {
			/* The first partial fixes the ids; the others must
			 * carry the same. Out of memory, the accumulator stays
			 * empty (the round cannot complete, nothing crashes).
			 * Ids index the range, and only an app that pulls has
			 * update rounds (not a rotation): a partial otherwise
			 * is malformed or forged, dropped and counted. */
			for (i = 0; i < e->n; i++)
				if (e->idx[i] < s->range.begin || e->idx[i] >= s->range.end)
					break;
			if (i < e->n || job->app->pull == NULL) {
				atomic_fetch_add(&strads_actor_runtime(self)->dropped_proto, 1);
				fail(self, "update partial out of range: dropped");
				return;
			}
			if (e->borrowed && e->n > 0) {
				if ((acc->idx = malloc((size_t)e->n * 4)) != NULL)
					memcpy(acc->idx, e->idx, (size_t)e->n * 4);
			} else {
				acc->idx = e->idx;
				e->idx = NULL;
			}
			acc->sum = calloc(upd_len(job, e->n) ? upd_len(job, e->n) : 1,
			    sizeof(double));
			if (acc->sum == NULL || (e->n > 0 && acc->idx == NULL)) {
				free(acc->idx);
				free(acc->sum);
				acc->idx = NULL;
				acc->sum = NULL;
				fail_oom(self, s);
				return;
			}
			acc->n = e->n;
		}
		acc->round = e->round;
		acc->got = 0;
	}
	if (e->kind == KIND_CHECK && e->a == 2 && acc->round == e->round) {
		/* A check partial of one dense span, at offset dep. */
		if (e->dep > (uint64_t)len * w || e->nd > (uint64_t)len * w - e->dep) {
			fail(self, "check partial span out of range: dropped");
			return;
		}
		for (i = 0; i < e->nd; i++)
			acc->sum[e->dep + i] += e->val[i];
		if (++acc->got < job->nworkers)
			return;
		finish_check(self, s);
		return;
	}
	if (e->kind == KIND_CHECK && e->a == 1 && acc->round == e->round) {
		/* A sparse check partial: offsets into the range's w-wide
		 * slots, and their values. */
		if (e->n != e->nd || (e->n > 0 && e->idx == NULL)) {
			fail(self, "malformed sparse partial dropped");
			return;
		}
		for (i = 0; i < e->n; i++)
			if (e->idx[i] >= len * w) {
				fail(self, "sparse partial out of range: dropped");
				return;
			}
		for (i = 0; i < e->n; i++)
			acc->sum[e->idx[i]] += e->val[i];
		if (++acc->got < job->nworkers)
			return;
		finish_check(self, s);
		return;
	}
	if (acc->round != e->round ||
	    (e->kind == KIND_CHECK ? e->nd != len * w
	                           : e->n != acc->n || e->nd != upd_len(job, e->n) ||
	            (e->n > 0 && e->idx != NULL &&
	                memcmp(e->idx, acc->idx, (size_t)e->n * 4) != 0))) {
		fail(self, "partial does not match the round in progress: dropped");
		return;
	}
	for (i = 0; i < e->nd; i++)
		acc->sum[i] += e->val[i];
	if (++acc->got < job->nworkers)
		return;
	if (e->kind == KIND_CHECK)
		finish_check(self, s);
	else
		finish_update(self, s);
}

static void
on_gather(strads_actor_t *self, store_t *s)
{
	uint32_t len = s->range.end - s->range.begin, nnz = 0, i, k = 0;
	uint32_t *idx = NULL;
	double *val = NULL;
	strads__eng_t e;
	strads_msg_t *m;

	memset(&e, 0, sizeof(e));
	e.from = (uint32_t)s->index;
	e.a = s->range.begin;
	for (i = 0; i < len; i++)
		nnz += s->params[i] != 0;
	/* Sparse models travel as (id, value) pairs: a third of dense at
	 * most (12 bytes a non-zero against 8 a parameter). */
	if ((uint64_t)nnz * 3 < len && (idx = malloc(((size_t)nnz + 1) * 4)) != NULL &&
	    (val = malloc(((size_t)nnz + 1) * 8)) != NULL) {
		for (i = 0; i < len; i++)
			if (s->params[i] != 0) {
				idx[k] = s->range.begin + i;
				val[k++] = s->params[i];
			}
		e.kind = 1; /* sparse: the range's other values are zero */
		e.n = e.nd = k;
		e.idx = idx;
		e.val = val;
	} else {
		e.nd = len;
		e.val = s->params;
	}
	if ((m = strads__eng_encode(ENG_PARAMS, &e)) != NULL)
		strads_send(self, s->job->coord, m);
	else
		fail_oom(self, s);
	free(idx);
	free(val);
}

static void
store_recv(strads_actor_t *self, const strads_msg_t *m)
{
	store_t *s = strads_actor_state(self);
	strads__eng_t e;

	if (s->broken) {
		strads__role_broken_recv(self, s->job, &s->told, m);
		return;
	}
	switch (m->type) {
	case ENG_PARTIAL:
		if (strads__eng_view(m, &e) != 0 || e.kind > KIND_CHECK) {
			strads__eng_free(&e);
			fail(self, "malformed partial dropped");
			return;
		}
		on_partial(self, s, &e);
		strads__eng_free(&e);
		break;
	case ENG_GATHER:
		on_gather(self, s);
		break;
	case ENG_SCREEN:
		if (strads__eng_decode(m, &e) != 0) {
			fail(self, "malformed screen dropped");
			return;
		}
		if (e.kind == KIND_STAGE) {
			/* A new stage of the job (another penalty): what was
			 * proven zero at the last one's optimum is not at
			 * this one's. */
			uint32_t len = s->range.end - s->range.begin;

			memset(s->active, 1, len ? len : 1);
			s->nactive = len;
		} else {
			on_screen(self, s, &e);
		}
		strads__eng_free(&e);
		break;
	case ENG_STOP:
		strads_actor_stop(self);
		break;
	default:
		break;
	}
}

static void
store_stop(strads_actor_t *self)
{
	store_t *s = strads_actor_state(self);

	strads__big_free(s->params);
	strads__big_free(s->active);
	strads__big_free(s->chk.sum);
	free(s->upd.idx);
	free(s->upd.sum);
	scratch_free(s);
	strads__job_role_stopped(s->job);
}

const strads_actor_type_t strads__store_type = {
    "store", sizeof(store_t), store_init, store_recv, store_stop};
