/*
 * scheduler.c -- the scheduler role: owns a range of parameters and their
 * priorities, and proposes candidates for each round.
 *
 * Half of a quota is sampled without replacement with probability
 * proportional to the priority delta_j^2 + eta, or app->priority's
 * weight of the change + eta (a Fenwick tree gives
 * O(log m) draws and updates); the other half continues a cyclic sweep,
 * so every parameter is visited at least once every 2m/quota rounds and
 * none starves however small its priority (STRADS_SCHEDULE_PRIORITY).
 * The other schedules: CYCLIC proposes in order from the first id not
 * yet updated, RANDOM draws uniformly, and WORKSET answers with the
 * parameters the stores scored highest after the check the plan names.
 * The coordinator applies the dependency filter across all schedulers'
 * candidates. Priorities are soft state: a rebuilt scheduler starts
 * from neutral ones.
 */
#include "schmp.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

typedef struct {
	strads__job_t *job;
	int index;
	strads_range_t range;
	uint32_t m;
	double *tree; /* Fenwick tree over priorities, 1-based */
	double *prio;
	uint32_t sweep; /* next id of the cyclic sweep, relative */
	uint64_t rng;
	uint32_t *cand;
	uint8_t *taken;
	uint8_t *inactive; /* screened out: never proposed again */
	uint32_t changes;  /* priority changes since the tree was rebuilt */
	uint8_t *done;     /* cyclic: updated since the sweep passed */

	/* Working sets: the stores' best scores of check ws_round. */
	uint64_t ws_round;
	int ws_got;          /* stores heard from for ws_round */
	double *ws;          /* (score, id) pairs */
	uint32_t nws, ws_cap;
	strads__eng_t pending; /* a plan waiting for those scores */
	int have_pending;
	int broken, told; /* see strads__role_broken */
} sched_t;

static uint64_t
next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void
tree_add(sched_t *s, uint32_t i, double v)
{
	for (i++; i <= s->m; i += i & (~i + 1))
		s->tree[i] += v;
}

static double
tree_total(const sched_t *s)
{
	double t = 0;
	uint32_t i;

	for (i = s->m; i > 0; i -= i & (~i + 1))
		t += s->tree[i];
	return t;
}

/* The index whose prefix sum first exceeds x. */
static uint32_t
tree_find(const sched_t *s, double x)
{
	uint32_t pos = 0, step = 1;

	while (step * 2 <= s->m)
		step *= 2;
	for (; step > 0; step /= 2) {
		if (pos + step <= s->m && s->tree[pos + step] <= x) {
			pos += step;
			x -= s->tree[pos];
		}
	}
	return pos < s->m ? pos : s->m - 1;
}

/* Rebuilds the tree from the priorities in O(m): adding and subtracting
 * priorities of very different sizes leaves rounding in the sums, which
 * would skew draws once every priority is down near eta. */
static void
tree_rebuild(sched_t *s)
{
	uint32_t i;

	for (i = 1; i <= s->m; i++)
		s->tree[i] = s->prio[i - 1];
	for (i = 1; i <= s->m; i++) {
		uint32_t up = i + (i & (~i + 1));

		if (up <= s->m)
			s->tree[up] += s->tree[i];
	}
	s->changes = 0;
}

static void
set_prio(sched_t *s, uint32_t i, double v)
{
	tree_add(s, i, v - s->prio[i]);
	s->prio[i] = v;
	if (++s->changes >= s->m)
		tree_rebuild(s);
}

static int
sched_init(strads_actor_t *self, void *arg)
{
	sched_t *s = strads_actor_state(self);
	strads__role_arg_t *a = arg;
	uint32_t i;

	s->job = a->job;
	s->index = a->index;
	s->range = s->job->sched_range[s->index];
	s->m = s->range.end - s->range.begin;
	s->rng = s->job->o.seed * 0x9E3779B97F4A7C15ull + (uint64_t)s->index + 1;
	s->ws_round = STRADS__ROUND_NONE;
	s->tree = calloc((size_t)s->m + 1, sizeof(double));
	s->prio = calloc(s->m ? s->m : 1, sizeof(double));
	s->cand = malloc((size_t)(s->m ? s->m : 1) * 4);
	s->taken = calloc(s->m ? s->m : 1, 1);
	s->inactive = calloc(s->m ? s->m : 1, 1);
	s->done = calloc(s->m ? s->m : 1, 1);
	if (s->tree == NULL || s->prio == NULL || s->cand == NULL || s->taken == NULL ||
	    s->inactive == NULL || s->done == NULL ||
	    strads__role_init_fault("scheduler")) {
		s->broken = 1; /* sched_stop frees what was had */
		strads__role_broken("scheduler", s->index);
		return 0;
	}
	for (i = 0; i < s->m; i++)
		s->prio[i] = 1.0; /* neutral until a change is seen */
	tree_rebuild(s);
	return 0;
}

/* Out of memory where a message would be lost (see strads__role_fail). */
static void
fail_oom(strads_actor_t *self, sched_t *s)
{
	strads__role_fail(self, s->job, &s->broken, &s->told, "scheduler", s->index,
	    STRADS_ENOMEM);
}

static void
send_cand(strads_actor_t *self, sched_t *s, uint64_t round, uint32_t n,
    const double *score)
{
	strads__eng_t e;
	strads_msg_t *m;

	memset(&e, 0, sizeof(e));
	e.round = round;
	e.from = (uint32_t)s->index;
	e.n = n;
	e.idx = s->cand;
	if (score != NULL) {
		e.nd = n;
		e.val = (double *)score;
	}
	if ((m = strads__eng_encode(ENG_CAND, &e)) != NULL)
		strads_send(self, s->job->coord, m);
	else
		fail_oom(self, s);
}

/* Working sets: the quota of highest score from the last check, with
 * their scores so the coordinator can merge schedulers' lists. */
static void
plan_workset(strads_actor_t *self, sched_t *s, const strads__eng_t *plan)
{
	uint32_t quota = plan->a, n, i;
	double *score;

	if (plan->dep != s->ws_round || s->ws_got < s->job->nstores) {
		/* The scores of that check are still on their way. */
		s->pending = *plan;
		s->pending.idx = NULL;
		s->pending.val = NULL;
		s->have_pending = 1;
		return;
	}
	qsort(s->ws, s->nws, 2 * sizeof(double), strads__cmp_score_desc);
	n = s->nws < quota ? s->nws : quota;
	score = malloc((size_t)(n ? n : 1) * sizeof(double));
	if (score == NULL)
		n = 0;
	for (i = 0; i < n; i++) {
		score[i] = s->ws[2 * i];
		s->cand[i] = (uint32_t)s->ws[2 * i + 1];
	}
	send_cand(self, s, plan->round, n, score);
	free(score);
}

static void
on_prio(strads_actor_t *self, sched_t *s, const strads__eng_t *e)
{
	uint32_t i;

	if (e->round != s->ws_round) {
		s->ws_round = e->round;
		s->ws_got = 0;
		s->nws = 0;
	}
	if (s->nws + e->n > s->ws_cap) {
		uint32_t cap = (s->nws + e->n) * 2;
		double *t = realloc(s->ws, (size_t)cap * 2 * sizeof(double));

		if (t == NULL) {
			fail_oom(self, s); /* the round's candidates would be short */
			return;
		}
		s->ws = t;
		s->ws_cap = cap;
	}
	for (i = 0; i < e->n && i < e->nd; i++) {
		if (e->idx[i] < s->range.begin || e->idx[i] >= s->range.end)
			continue;
		s->ws[2 * s->nws] = e->val[i];
		s->ws[2 * s->nws + 1] = (double)e->idx[i];
		s->nws++;
	}
	s->ws_got++;
	if (s->have_pending && s->pending.dep == s->ws_round &&
	    s->ws_got == s->job->nstores) {
		s->have_pending = 0;
		plan_workset(self, s, &s->pending);
	}
}

/* Uniform draws without replacement (random coordinate descent). */
static uint32_t
draw_uniform(sched_t *s, uint32_t quota)
{
	uint32_t n = 0, tries = 0;

	while (n < quota && tries++ < 4 * quota + 64) {
		uint32_t j = (uint32_t)(next_rand(&s->rng) % s->m);

		if (s->taken[j] || s->inactive[j])
			continue;
		s->taken[j] = 1;
		s->cand[n++] = j;
	}
	return n;
}

/* Priority draws without replacement, at most want of them: a drawn
 * id's weight is out of the tree until the draws are done. */
static uint32_t
draw_priority(sched_t *s, uint32_t want)
{
	double *saved = malloc((size_t)(want ? want : 1) * sizeof(double));
	uint32_t n = 0, i;

	if (saved == NULL)
		return 0; /* the sweep fills the block */
	while (n < want) {
		double total = tree_total(s);
		uint32_t j;

		if (!(total > 0))
			break;
		j = tree_find(s, (double)(next_rand(&s->rng) >> 11) * 0x1.0p-53 * total);
		if (s->taken[j] || s->inactive[j] || !(s->prio[j] > 0))
			break; /* rounding at the tree's edge: stop drawing */
		saved[n] = s->prio[j];
		set_prio(s, j, 0);
		s->taken[j] = 1;
		s->cand[n++] = j;
	}
	for (i = 0; i < n; i++)
		set_prio(s, s->cand[i], saved[i]);
	free(saved);
	return n;
}

/* Cyclic: in order from the first id not yet updated, so what the filter
 * turned down comes again next round and every id is updated once a
 * sweep (the sweep moves on in on_delta). */
static void
plan_cyclic(strads_actor_t *self, sched_t *s, const strads__eng_t *plan,
    uint32_t quota)
{
	uint32_t i, n = 0, j = s->sweep;

	for (i = 0; i < s->m && n < quota; i++) {
		if (!s->inactive[j] && !s->done[j])
			s->cand[n++] = j + s->range.begin;
		j = j + 1 == s->m ? 0 : j + 1;
	}
	send_cand(self, s, plan->round, n, NULL);
}

static void
on_plan(strads_actor_t *self, sched_t *s, const strads__eng_t *plan)
{
	strads_schedule_t mode = s->job->o.schedule;
	uint32_t quota = plan->a < s->m ? plan->a : s->m, n, i;

	if (mode == STRADS_SCHEDULE_WORKSET) {
		plan_workset(self, s, plan);
		return;
	}
	if (mode == STRADS_SCHEDULE_CYCLIC) {
		plan_cyclic(self, s, plan, quota);
		return;
	}
	n = mode == STRADS_SCHEDULE_RANDOM ? draw_uniform(s, quota)
	                                   : draw_priority(s, (quota + 1) / 2);
	/* The sweep fills the rest. */
	for (i = 0; i < s->m && n < quota; i++) {
		uint32_t j = s->sweep;

		s->sweep = s->sweep + 1 == s->m ? 0 : s->sweep + 1;
		if (!s->taken[j] && !s->inactive[j]) {
			s->taken[j] = 1;
			s->cand[n++] = j;
		}
	}
	for (i = 0; i < n; i++) {
		s->taken[s->cand[i]] = 0;
		s->cand[i] += s->range.begin;
	}
	send_cand(self, s, plan->round, n, NULL);
}

static void
on_delta(sched_t *s, const strads__eng_t *e)
{
	uint32_t i;

	if (s->job->o.schedule == STRADS_SCHEDULE_CYCLIC) {
		for (i = 0; i < e->n; i++)
			if (e->idx[i] >= s->range.begin && e->idx[i] < s->range.end)
				s->done[e->idx[i] - s->range.begin] = 1;
		/* Past every id updated or screened out, at most one lap. */
		for (i = 0; i < s->m && (s->done[s->sweep] || s->inactive[s->sweep]); i++) {
			s->done[s->sweep] = 0;
			s->sweep = s->sweep + 1 == s->m ? 0 : s->sweep + 1;
		}
		return;
	}
	if (s->job->o.schedule != STRADS_SCHEDULE_PRIORITY)
		return; /* only priority draws read the priorities */
	for (i = 0; i < e->n && i < e->nd; i++) {
		uint32_t j = e->idx[i];
		double d = e->val[i], w;

		if (j < s->range.begin || j >= s->range.end || s->inactive[j - s->range.begin])
			continue;
		w = s->job->app->priority != NULL ? s->job->app->priority(s->job->shared, j, d)
		                                  : d * d;
		if (!(w >= 0 && w <= DBL_MAX))
			w = w > 0 ? DBL_MAX / ((double)s->m + 1) : 0; /* the tree's sums stay finite */
		set_prio(s, j - s->range.begin, w + s->job->o.eta);
	}
}

static void
on_inactive(sched_t *s, const strads__eng_t *e)
{
	uint32_t i;

	if (e->kind == KIND_STAGE) {
		/* A new stage of the job: every parameter may be proposed
		 * again; those screened out come back at the neutral
		 * priority they started the job with. */
		for (i = 0; i < s->m; i++)
			if (s->inactive[i]) {
				s->inactive[i] = 0;
				s->prio[i] = 1.0;
			}
		tree_rebuild(s); /* O(m), where a set_prio each is O(m log m) */
		return;
	}

	for (i = 0; i < e->n; i++) {
		uint32_t j = e->idx[i];

		if (j >= s->range.begin && j < s->range.end) {
			s->inactive[j - s->range.begin] = 1;
			set_prio(s, j - s->range.begin, 0);
		}
	}
}

static void
sched_recv(strads_actor_t *self, const strads_msg_t *m)
{
	sched_t *s = strads_actor_state(self);
	strads__eng_t e;

	if (s->broken) {
		strads__role_broken_recv(self, s->job, &s->told, m);
		return;
	}
	switch (m->type) {
	case ENG_PLAN:
	case ENG_DELTA:
	case ENG_INACTIVE:
	case ENG_PRIO:
		if (strads__eng_decode(m, &e) != 0) {
			/* Out of memory, or malformed: a plan or a round's
			 * changes would be lost. */
			fail_oom(self, s);
			return;
		}
		if (m->type == ENG_PLAN)
			on_plan(self, s, &e);
		else if (m->type == ENG_DELTA)
			on_delta(s, &e);
		else if (m->type == ENG_PRIO)
			on_prio(self, s, &e);
		else
			on_inactive(s, &e);
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
sched_stop(strads_actor_t *self)
{
	sched_t *s = strads_actor_state(self);

	free(s->tree);
	free(s->prio);
	free(s->cand);
	free(s->taken);
	free(s->inactive);
	free(s->done);
	free(s->ws);
	strads__job_role_stopped(s->job);
}

const strads_actor_type_t strads__scheduler_type = {
    "scheduler", sizeof(sched_t), sched_init, sched_recv, sched_stop};
