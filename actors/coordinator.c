/*
 * coordinator.c -- the coordinator role: starts the workers, drives
 * rounds (plan with the schedulers, filter the candidates by dependency,
 * hand the block to the workers), runs convergence checks and queues
 * each one's progress record for the job's thread (it writes no file and
 * prints nothing itself), then gathers the parameters and stops every
 * role.
 *
 * Rounds are pipelined: up to depth blocks are with the workers at once;
 * a worker pushes a block only after applying the changes of the update
 * round before it, so the pipeline never reads stale parameters.
 *
 * With working sets (STRADS_SCHEDULE_WORKSET) the cycle is: a check, the
 * stores' screening and scores, a plan naming that check, the merged
 * best-scored parameters sent in blocks of at most block ids, then the
 * next check.
 */
#include "gather.h"

#include <math.h>
#include <stdlib.h>

/* PH_PAUSE: a stage of a job of stages is gathered; the job's thread
 * runs strads_job_opts_t.next and posts ENG_START (schmp.c). */
enum { PH_START, PH_RUN, PH_DRAIN, PH_GATHER, PH_PAUSE, PH_DONE };

typedef struct {
	strads__job_t *job;
	int phase;
	int ready;

	uint64_t next_round;  /* number of the next round to plan */
	uint64_t last_update; /* last update round sent, or NONE */
	uint32_t in_flight;   /* update rounds sent, not yet done */
	int planning;         /* a plan is out with the schedulers */
	int cands_got;
	uint32_t *cand;
	uint32_t ncand, cand_cap;
	uint32_t *cand_from; /* per scheduler: where its list starts, length */
	uint32_t *block;

	/* Done counts of update rounds in flight, by round modulo a ring. */
	uint64_t *ring_round;
	int *ring_got;
	uint32_t ring;

	uint64_t rounds_done, updates;
	uint64_t since_check; /* coordinates sent since the last check */
	uint64_t check_every; /* coordinates between checks */

	/* Dependencies already computed: direct-mapped, (j, k) with j < k. */
	uint64_t *dep_key;
	float *dep_val;
	void *filter_scratch; /* the app's, for its filter */
	int checking; /* a check is out */
	int final_check;
	uint64_t check_round;
	int check_stores, check_workers;
	double *stats, *checks;

	uint64_t active; /* parameters not screened out, summed over stores */
	uint64_t active_acc;
	int screen_got;

	/* Rotation (STRADS_SCHEDULE_ROTATION): the plan (cut, holders,
	 * positions; src/engine/rotation.c) and the sweeps done. */
	int rot;
	strads__rot_t rp;
	int rot_bad;         /* its set-up failed (out of memory) */
	uint64_t sweeps;     /* sweeps done */
	uint64_t since_sweeps; /* since the last check */
	int reshard_due;     /* a sweep ended: the straggler rule's turn */
	int resharding;      /* a move of shards is out with the workers */
	int reshard_got;     /* workers that moved their rows */
	uint64_t *reshard_b; /* the bounds being moved to (nworkers + 1) */
	uint8_t *reshard_seen; /* the workers whose DONE came */
	uint32_t *ring_pos;  /* sweep position of each ring slot's round */
	uint64_t sweep_ns;   /* when the current sweep's first round went */
	strads__gather_t g;  /* a gather of the worker tables' rows (at the
	                        end, or a snapshot's) */
	int g_bad;           /* its set-up failed (out of memory) */
	void **snap_next_tabs; /* the snapshot of the tables being taken */
	int snap_tabs_bad;   /* it lacks some (out of memory) */

	/* Working sets (STRADS_SCHEDULE_WORKSET). */
	int ws;              /* the mode is on */
	uint32_t ws_size;    /* parameters wanted in the next block */
	double ws_last_gap;
	int ws_ready;        /* the last check's scores are out */
	int ws_swept;        /* a working set was sent since the check */
	double *cand_score;
	uint32_t *ws_list;   /* the working set, ascending */
	uint32_t ws_n, ws_pos; /* its size, and how much has been sent */
	/* Sweeps over the working set between two checks: when it went out
	 * in several blocks (with pair terms a block never spans two stores,
	 * each solving its part exactly) the set is swept again (block
	 * Gauss-Seidel) until the largest change of a sweep is WS_SETTLE of
	 * the first sweep's. */
	uint32_t ws_sweeps, ws_blocks;
	double ws_move, ws_first;

	int gathered;
	double *params;

	uint64_t t0;
	strads_runtime_t *rt;
	strads_progress_t last;
	int have_last;
	int converged;
	int reshaping; /* ENG_RESHAPE: gathering, then stop */
	int reshape_due; /* ENG_RESHAPE while paused between stages: at the
	                    next stage's start (the job's thread owns the
	                    result until then) */
	int snap_want, snapping; /* a snapshot is due; gathering one */
	int snap_got;
	uint64_t snap_ns;        /* when the last one was taken */
	double *snap_next;       /* the one being gathered (job->p) */
	int broken;              /* see strads__role_broken */
	uint32_t nchecks;        /* checks done in this job */
	int stalled;             /* checks in a row that changed nothing: the
	                            objective by 1e-12 relative, the best
	                            criterion (stall_best) by 1e-6 */
	double stall_best;
	int holding;             /* job->hold_at reached */
	strads__ckjob_t *ck;     /* a checkpoint being written, or NULL */
	uint64_t ck_ns;          /* when the last one was started */
} coord_t;

#define TAG_CKPT 7

/* Checks in a row with the same objective (to 1e-12) and no better
 * criterion (by 1e-6) after which a job that has not converged stops:
 * nothing is changing. */
#define STALL_CHECKS 1000

/* Starts writing the snapshot just taken, if one is due and none is
 * being written: its parameters and, when the job has worker or rotate
 * tables, those (copied: the next snapshot may replace them while the
 * compute thread writes). A snapshot without its tables is not written. */
static void
checkpoint(strads_actor_t *self, coord_t *c)
{
	strads__job_t *job = c->job;
	strads__ckjob_t *k;

	if (job->ckpt_dir == NULL || c->ck != NULL ||
	    (c->ck_ns != 0 && strads_now_ns() - c->ck_ns < (uint64_t)(job->ckpt_s * 1e9)))
		return;
	if ((k = strads__ckjob_new(job, c->updates,
	    (double)(strads_now_ns() - c->t0) / 1e9)) == NULL)
		return;
	if (strads_compute(self, strads__ckjob_work, k, TAG_CKPT) != 0) {
		strads__ckjob_free(k);
		return;
	}
	c->ck = k;
	c->ck_ns = strads_now_ns();
}

static void abort_job(strads_actor_t *self, coord_t *c, int err);

static void
send_to(strads_actor_t *self, const strads_addr_t *to, int n, uint16_t type,
    const strads__eng_t *e)
{
	strads_msg_t *m;
	coord_t *c = strads_actor_state(self);
	int i, lost = 0;

	if (type == ENG_STOP) {
		/* A stop of its own to each (no payload to share): one lost
		 * leaves the others told. */
		for (i = 0; i < n; i++)
			if ((m = strads_msg_new(type, 0)) != NULL)
				strads_send(self, to[i], m);
			else
				lost = 1;
		if (lost)
			strads_log(STRADS_LOG_ERROR, "coordinator: out of memory: a role "
			    "not told to stop");
		return;
	}
	m = e != NULL ? strads__eng_encode(type, e) : strads_msg_new(type, 0);
	if (m == NULL) {
		/* The round would never complete: end the job. */
		strads_log(STRADS_LOG_ERROR, "coordinator: out of memory");
		if (c->phase != PH_DONE)
			abort_job(self, c, STRADS_ENOMEM);
		return;
	}
	if (strads__send_all(self, to, n, m) != 0) {
		strads_log(STRADS_LOG_ERROR, "coordinator: out of memory");
		if (c->phase != PH_DONE)
			abort_job(self, c, STRADS_ENOMEM);
	}
}

static double
elapsed(const coord_t *c)
{
	return (double)(strads_now_ns() - c->t0) / 1e9;
}

/* Whether a limit ends the run at t seconds: the rounds, the time, or
 * the caller's stop flag. */
static int
limit_hit(const coord_t *c, double t)
{
	const strads_job_opts_t *o = &c->job->o;

	return (o->max_rounds > 0 && c->rounds_done >= o->max_rounds) ||
	    (o->time_limit_s > 0 && t >= o->time_limit_s) ||
	    /* Atomic: the flag is set on another thread (a signal
	     * handler's, or any; ThreadSanitizer saw the plain read race). */
	    (o->stop != NULL && __atomic_load_n(o->stop, __ATOMIC_RELAXED) != 0);
}

/* The cycle's steps with their time, at STRADS_LOG=debug. */
#define TRACE(c, fmt, ...) strads_log(STRADS_LOG_DEBUG, "coordinator: %.4fs: " \
    fmt, elapsed(c), __VA_ARGS__)

static void finish(strads_actor_t *self, coord_t *c);
static void plan(strads_actor_t *self, coord_t *c);
static void gather_end(strads_actor_t *self, coord_t *c);
static void gather_tables(strads_actor_t *self, coord_t *c);
static void snap_tables(strads_actor_t *self, coord_t *c);
static void snap_end(strads_actor_t *self, coord_t *c);
static void send_block(strads_actor_t *self, coord_t *c, const uint32_t *ids,
    uint32_t n);
static void send_rotation(strads_actor_t *self, coord_t *c);
static uint32_t fit_work(const coord_t *c, const uint32_t *ids, uint32_t n);

/* At STRADS_LOG=debug, a sweep's wall time and, with the straggler rule
 * on, each worker's compute time in it and its rows: what the rule goes
 * by, and what it achieved. */
static void
trace_sweep(coord_t *c)
{
	char buf[512];
	size_t n = 0;
	int w;

	buf[0] = 0;
	for (w = 0; c->rp.wtime != NULL && w < c->job->nworkers && n < sizeof(buf) - 64; w++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, " w%d %.4fs/%llu", w,
		    c->rp.wtime[w], (unsigned long long)(c->rp.bound[w + 1] - c->rp.bound[w]));
	TRACE(c, "sweep %llu took %.4fs%s", (unsigned long long)c->sweeps,
	    (double)(strads_now_ns() - c->sweep_ns) / 1e9, buf);
}

/* Between sweeps, the straggler rule (strads__rot_reshard): when the
 * shards should move, every worker is told the old and the new bounds
 * and the rotation waits until each has its new rows (its DONE). 1 when
 * a move is out. */
static int
start_reshard(strads_actor_t *self, coord_t *c)
{
	strads__job_t *job = c->job;
	uint32_t *ids, i, W = (uint32_t)job->nworkers;
	strads__eng_t e;

	if (c->reshard_b == NULL || !strads__rot_reshard(&c->rp, c->reshard_b))
		return 0;
	if ((ids = malloc(((size_t)W + 1) * 4 * sizeof(uint32_t))) == NULL)
		return 0; /* the shards stay */
	for (i = 0; i <= W; i++) {
		ids[2 * i] = (uint32_t)c->rp.bound[i];
		ids[2 * i + 1] = (uint32_t)(c->rp.bound[i] >> 32);
		ids[2 * (W + 1) + 2 * i] = (uint32_t)c->reshard_b[i];
		ids[2 * (W + 1) + 2 * i + 1] = (uint32_t)(c->reshard_b[i] >> 32);
	}
	memset(&e, 0, sizeof(e));
	e.round = c->rp.moves;
	e.dep = STRADS__ROUND_NONE;
	e.kind = KIND_RESHARD;
	e.n = 4 * (W + 1);
	e.idx = ids;
	c->resharding = 1;
	c->reshard_got = 0;
	memset(c->reshard_seen, 0, (size_t)W);
	TRACE(c, "reshard %llu sent", (unsigned long long)c->rp.moves);
	send_to(self, job->workers, job->nworkers, ENG_BLOCK, &e);
	free(ids);
	return 1;
}

/* A worker has its new shard's rows; the last one ends the move. */
static void
on_resharded(strads_actor_t *self, coord_t *c, const strads__eng_t *e)
{
	strads__job_t *job = c->job;

	if (!c->resharding || e->round != c->rp.moves ||
	    e->from >= (uint32_t)job->nworkers || c->reshard_seen[e->from]) {
		atomic_fetch_add(&c->rt->dropped_proto, 1);
		return;
	}
	c->reshard_seen[e->from] = 1;
	if (++c->reshard_got < job->nworkers)
		return;
	strads__rot_moved(&c->rp, c->reshard_b);
	c->resharding = 0;
	TRACE(c, "reshard %llu done", (unsigned long long)c->rp.moves - 1);
	if (c->phase == PH_RUN)
		plan(self, c);
	else if (c->phase == PH_DRAIN)
		finish(self, c);
}

/* A check round, against the workers' state after every update sent. */
static void
start_check(strads_actor_t *self, coord_t *c)
{
	strads__job_t *job = c->job;
	strads__eng_t e;

	c->checking = 1;
	c->check_round = c->next_round++;
	c->check_stores = c->check_workers = 0;
	memset(c->stats, 0, (job->app->nstats ? job->app->nstats : 1) * sizeof(double));
	memset(&e, 0, sizeof(e));
	e.round = c->check_round;
	e.dep = c->last_update;
	e.kind = KIND_CHECK;
	TRACE(c, "check %llu sent", (unsigned long long)c->check_round);
	send_to(self, job->workers, job->nworkers, ENG_BLOCK, &e);
}

/* The next working-set block: at most block ids from ws_pos. With pair
 * terms a store solves its part exactly, so a block is one store's;
 * without them a worker solves the block and the stores only add up its
 * changes, so a block may span them. */
static uint32_t
ws_block(const coord_t *c)
{
	const strads__job_t *job = c->job;
	uint32_t n = c->ws_n - c->ws_pos, first = c->ws_list[c->ws_pos], i;
	int k;

	n = n < job->o.block ? n : job->o.block;
	if (job->nstores == 1 || job->app->pairs == 0)
		return n;
	for (k = 0; k < job->nstores && first >= job->store_range[k].end; k++)
		;
	if (k == job->nstores)
		return n;
	for (i = 1; i < n && c->ws_list[c->ws_pos + i] < job->store_range[k].end; i++)
		;
	return i;
}

/* The smallest working set: the first, from a cold start, is this. A
 * block of a few hundred columns costs little beside a check, and a first
 * set that holds the whole support saves a round (a check and a
 * screening): 256 took the 1e6-column problem of the regression
 * benchmark (t/bench/) from two rounds to one, the finance-shaped one
 * from three to two. */
#define WS_MIN 256
#define WS_SETTLE 1e-3
#define WS_SWEEPS_MAX 50

/* At the end of a sweep over the working set: starts another when the
 * set went in several blocks and the sweep still moved something. */
static int
ws_sweep_again(coord_t *c)
{
	int again;

	TRACE(c, "sweep %u of %u ids in %u blocks: largest change %g",
	    c->ws_sweeps + 1, c->ws_n, c->ws_blocks, c->ws_move);
	if (c->ws_sweeps++ == 0)
		c->ws_first = c->ws_move;
	again = c->ws_blocks > 1 && c->ws_sweeps < WS_SWEEPS_MAX &&
	    c->ws_move > WS_SETTLE * c->ws_first;
	c->ws_blocks = 0;
	c->ws_move = 0;
	if (again)
		c->ws_pos = 0;
	else
		c->ws_sweeps = 0;
	return again;
}

static void
plan(strads_actor_t *self, coord_t *c)
{
	strads__job_t *job = c->job;
	strads__eng_t e;

	if (c->phase != PH_RUN || c->planning || c->checking || c->snapping ||
	    c->holding || c->resharding)
		return;
	if (c->snap_want) {
		/* A consistent cut: nothing in flight, then gather. */
		if (c->in_flight == 0) {
			c->snap_want = 0;
			c->snapping = 1;
			c->snap_got = 0;
			snap_tables(self, c);
			send_to(self, job->stores, job->nstores, ENG_GATHER, NULL);
		}
		return;
	}
	if (c->in_flight >= job->o.depth)
		return;
	/* Rounds planned ahead count against --max-iter: the job makes
	 * max_rounds rounds, not one more for each in flight. */
	if (!c->rot && job->o.max_rounds > 0 &&
	    c->rounds_done + (uint64_t)c->in_flight >= job->o.max_rounds)
		return;
	if (c->rot) {
		if (c->rp.r == job->nparts) {
			/* A sweep is out: at its end every part is at rest. */
			if (c->in_flight > 0)
				return;
			c->rp.r = 0;
			trace_sweep(c);
			strads__rot_recut(&c->rp);
			c->reshard_due = 1;
			if (++c->since_sweeps >= (job->o.check_every ? job->o.check_every : 1)) {
				c->since_sweeps = 0;
				start_check(self, c);
				return;
			}
		}
		/* After the sweep's check (on the shards it was swept with). */
		if (c->reshard_due) {
			c->reshard_due = 0;
			if (start_reshard(self, c))
				return;
		}
		while (c->in_flight < job->o.depth && c->rp.r < job->nparts)
			send_rotation(self, c);
		return;
	}
	if (c->ws) {
		/* A check, its scores, the working set in blocks of at most
		 * block ids, each solved exactly after the one before: repeat. */
		while (c->ws_pos < c->ws_n && c->in_flight < job->o.depth) {
			uint32_t n = ws_block(c);

			n = fit_work(c, c->ws_list + c->ws_pos, n);
			send_block(self, c, c->ws_list + c->ws_pos, n);
			c->ws_pos += n;
			c->ws_blocks++;
		}
		if (c->ws_pos < c->ws_n || c->in_flight > 0)
			return;
		if (c->ws_swept && ws_sweep_again(c)) {
			plan(self, c);
			return;
		}
		if (c->ws_swept || c->check_round == STRADS__ROUND_NONE) {
			c->ws_swept = 0;
			start_check(self, c);
			return;
		}
		if (!c->ws_ready)
			return;
		c->ws_ready = 0;
	} else if (c->since_check >= c->check_every) {
		c->since_check = 0;
		start_check(self, c);
		return;
	}
	c->planning = 1;
	c->cands_got = 0;
	c->ncand = 0;
	if (c->cand_from != NULL)
		memset(c->cand_from, 0, (size_t)job->nscheds * 2 * sizeof(uint32_t));
	memset(&e, 0, sizeof(e));
	e.round = c->next_round;
	/* Ask for more than a block: the filter drops some. */
	e.a = job->o.block * 2 / (uint32_t)job->nscheds + 1;
	if (c->ws) {
		e.a = c->ws_size; /* each its best; merged by score */
		e.dep = c->check_round;
	}
	send_to(self, job->scheds, job->nscheds, ENG_PLAN, &e);
}

#define DEP_CACHE (1u << 16)

/* The app's dependency of j and k, through a small direct-mapped cache:
 * candidates recur across rounds, and a dependency costs a merge of two
 * columns. Never a p x p matrix. */
static double
dependency(coord_t *c, uint32_t j, uint32_t k)
{
	strads__job_t *job = c->job;
	uint64_t key = j < k ? (uint64_t)j << 32 | k : (uint64_t)k << 32 | j;
	uint32_t slot = (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 48) & (DEP_CACHE - 1);
	double v;

	if (c->dep_key[slot] == key + 1)
		return c->dep_val[slot];
	v = job->app->dependency(job->shared, j, k);
	c->dep_key[slot] = key + 1;
	c->dep_val[slot] = (float)v;
	return v;
}

/* The first n of ids (at least one) whose work fits block_work. */
static uint32_t
fit_work(const coord_t *c, const uint32_t *ids, uint32_t n)
{
	const strads__job_t *job = c->job;
	double w = 0;
	uint32_t i;

	if (!(job->o.block_work > 0) || job->app->cost == NULL)
		return n;
	for (i = 0; i < n; i++) {
		w += job->app->cost(job->shared, ids[i]);
		if (w > job->o.block_work && i > 0)
			return i;
	}
	return n;
}

/* Keeps candidates, in order, that depend on none already kept, within
 * the block's count and work. */
static uint32_t
filter(coord_t *c)
{
	strads__job_t *job = c->job;
	const strads_app_t *app = job->app;
	uint32_t i, k, n = 0;

	if (job->o.rho < 0) {
		/* Shotgun-style: no filter. */
		n = c->ncand < job->o.block ? c->ncand : job->o.block;
		memcpy(c->block, c->cand, (size_t)n * 4);
		n = fit_work(c, c->block, n);
		qsort(c->block, n, sizeof(uint32_t), strads__cmp_u32);
		return n;
	}
	if (app->filter != NULL) {
		n = app->filter(job->shared, &c->filter_scratch, c->cand, c->ncand,
		    job->o.block, job->o.rho, c->block);
		n = fit_work(c, c->block, n);
		qsort(c->block, n, sizeof(uint32_t), strads__cmp_u32);
		return n;
	}
	for (i = 0; i < c->ncand && n < job->o.block; i++) {
		uint32_t j = c->cand[i];
		int ok = 1;

		for (k = 0; k < n && ok && app->dependency != NULL; k++)
			ok = !(dependency(c, j, c->block[k]) > job->o.rho);
		if (ok)
			c->block[n++] = j;
	}
	n = fit_work(c, c->block, n);
	qsort(c->block, n, sizeof(uint32_t), strads__cmp_u32);
	return n;
}

/* Opens the next update round (n coordinates): its head in b, and its
 * slot in the ring that counts the stores' DONEs. */
static void
begin_round(coord_t *c, strads__eng_t *b, uint64_t n)
{
	uint32_t slot;

	memset(b, 0, sizeof(*b));
	b->round = c->next_round++;
	b->dep = c->last_update;
	b->kind = KIND_UPDATE;
	slot = (uint32_t)(b->round % c->ring);
	c->ring_round[slot] = b->round;
	c->ring_got[slot] = 0;
	c->last_update = b->round;
	c->in_flight++;
	c->since_check += n;
}

/* Coordinates pushed by worker w (-1: every worker), by node. */
static void
count_pushes(strads__job_t *job, int w, uint64_t n)
{
	int i;

	if (job->uidx == NULL)
		return;
	for (i = 0; i < job->nworkers; i++)
		if (w < 0 || i == w)
			job->ucount[job->uidx[i]] += n;
}

/* Sends an update round on ids (ascending) to every worker. */
static void
send_block(strads_actor_t *self, coord_t *c, const uint32_t *ids, uint32_t n)
{
	strads__eng_t b;

	begin_round(c, &b, n);
	b.n = n;
	b.idx = (uint32_t *)ids;
	count_pushes(c->job, -1, n);
	send_to(self, c->job->workers, c->job->nworkers, ENG_BLOCK, &b);
}

/* One rotation round, at position rp.r of the sweep: each worker's hold
 * (strads__rot_hold) in a block of its own. */
static void
send_rotation(strads_actor_t *self, coord_t *c)
{
	strads__job_t *job = c->job;
	uint32_t ids[ROT_NIDX], slot;
	uint64_t round = c->next_round++, pos = c->rp.t;
	strads__rot_hold_t h;
	strads__eng_t b;
	int w;

	if (c->rp.r == 0)
		c->sweep_ns = strads_now_ns();
	slot = (uint32_t)(round % c->ring);
	c->ring_round[slot] = round;
	c->ring_got[slot] = 0;
	c->ring_pos[slot] = c->rp.r;
	c->in_flight++;
	for (w = 0; w < job->nworkers; w++) {
		strads_msg_t *m;

		strads__rot_hold(&c->rp, w, &h);
		memset(&b, 0, sizeof(b));
		b.round = round;
		b.dep = STRADS__ROUND_NONE;
		b.kind = KIND_UPDATE;
		b.from = h.from;
		b.a = h.part;
		ids[0] = (uint32_t)h.rb;
		ids[1] = (uint32_t)(h.rb >> 32);
		ids[2] = (uint32_t)h.re;
		ids[3] = (uint32_t)(h.re >> 32);
		ids[4] = h.next;
		ids[5] = (uint32_t)h.next_pos;
		ids[6] = (uint32_t)(h.next_pos >> 32);
		ids[7] = (uint32_t)pos;
		ids[8] = (uint32_t)(pos >> 32);
		b.n = ROT_NIDX;
		b.idx = ids;
		count_pushes(job, w, h.re - h.rb);
		if ((m = strads__eng_encode(ENG_BLOCK, &b)) == NULL) {
			strads_log(STRADS_LOG_ERROR, "coordinator: out of memory");
			abort_job(self, c, STRADS_ENOMEM);
			return;
		}
		strads_send(self, job->workers[w], m);
	}
	c->rp.r++;
	c->rp.t++;
}

/* Working sets: the schedulers' candidates, best score first. */
static void
order_by_score(coord_t *c)
{
	double *pair = malloc((size_t)(c->ncand ? c->ncand : 1) * 2 * sizeof(double));
	uint32_t i;

	if (pair == NULL)
		return; /* arrival order: still a valid block */
	for (i = 0; i < c->ncand; i++) {
		pair[2 * i] = c->cand_score[i];
		pair[2 * i + 1] = (double)c->cand[i];
	}
	qsort(pair, c->ncand, 2 * sizeof(double), strads__cmp_score_desc);
	for (i = 0; i < c->ncand; i++)
		c->cand[i] = (uint32_t)pair[2 * i + 1];
	free(pair);
}

/* Takes the schedulers' candidates in turn, one from each, whatever
 * order their lists arrived in, starting from a different scheduler each
 * round: the filter keeps a prefix and drops a candidate that depends on
 * an earlier one, so a fixed order starves someone (seen: arrival order
 * under load left a range never updated; always starting from the same
 * scheduler dropped the same dependent candidate every round). */
static void
interleave(coord_t *c)
{
	strads__job_t *job = c->job;
	uint32_t *out, i, k = 0, longest = 0;
	int s, t;

	if (c->cand_from == NULL || job->nscheds < 2 || c->ncand == 0 ||
	    (out = malloc((size_t)c->ncand * 4)) == NULL)
		return; /* arrival order: still a valid block */
	for (s = 0; s < job->nscheds; s++)
		if (c->cand_from[2 * s + 1] > longest)
			longest = c->cand_from[2 * s + 1];
	for (i = 0; i < longest; i++)
		for (t = 0; t < job->nscheds; t++) {
			s = (int)((c->next_round + (uint64_t)t) % (uint64_t)job->nscheds);
			if (i < c->cand_from[2 * s + 1] && k < c->ncand)
				out[k++] = c->cand[c->cand_from[2 * s] + i];
		}
	memcpy(c->cand, out, (size_t)k * 4);
	c->ncand = k;
	free(out);
}

static void
on_cand(strads_actor_t *self, coord_t *c, const strads__eng_t *e)
{
	strads__job_t *job = c->job;
	uint32_t n, i;

	if (!c->planning || e->round != c->next_round)
		return;
	/* Ids the job does not have would index past the parameters (the
	 * block, the dependency checks, the stores' ranges). */
	for (i = 0; i < e->n; i++)
		if (e->idx[i] >= job->p) {
			atomic_fetch_add(&c->rt->dropped_proto, 1);
			return;
		}
	if (c->ncand + e->n > c->cand_cap) {
		uint32_t cap = (c->ncand + e->n) * 2;
		uint32_t *t = realloc(c->cand, (size_t)cap * 4);

		if (t == NULL)
			return;
		c->cand = t;
		c->cand_cap = cap;
	}
	/* Each scheduler's list, in its order, where it arrived. */
	if (e->n > 0)
		memcpy(c->cand + c->ncand, e->idx, (size_t)e->n * 4);
	if (c->cand_from != NULL && e->from < (uint32_t)job->nscheds) {
		c->cand_from[2 * e->from] = c->ncand;
		c->cand_from[2 * e->from + 1] = e->n;
	}
	if (c->ws) {
		double *t = realloc(c->cand_score, (size_t)c->cand_cap * sizeof(double));

		if (t == NULL)
			return;
		c->cand_score = t;
		if (e->n > 0 && e->nd == e->n)
			memcpy(c->cand_score + c->ncand, e->val, (size_t)e->n * 8);
		else if (e->n > 0)
			memset(c->cand_score + c->ncand, 0, (size_t)e->n * 8);
	}
	c->ncand += e->n;
	if (++c->cands_got < job->nscheds)
		return;
	c->planning = 0;
	if (c->ws) {
		TRACE(c, "%u candidates", c->ncand);
		order_by_score(c);
		/* The best ws_size, in id order: blocks of consecutive ids
		 * stay alike from one sweep to the next, and each store's
		 * part is a run. */
		n = c->ncand < c->ws_size ? c->ncand : c->ws_size;
		memcpy(c->ws_list, c->cand, (size_t)n * 4);
		qsort(c->ws_list, n, sizeof(uint32_t), strads__cmp_u32);
		c->ws_n = n;
		c->ws_pos = 0;
		c->ws_swept = 1;
		c->ws_sweeps = c->ws_blocks = 0;
		c->ws_move = 0;
		if (n == 0) {
			/* Nothing left that could move: the last check stands. */
			c->phase = PH_DRAIN;
			finish(self, c);
			return;
		}
		plan(self, c);
		return;
	}
	interleave(c);
	n = filter(c);
	send_block(self, c, c->block, n);
	plan(self, c);
}

/* Bytes moved between processes: the cluster's count, or this
 * runtime's frames (0 in one process). */
static uint64_t
bytes_moved(coord_t *c)
{
	strads_stats_t st;

	if (c->job->bytes != NULL)
		return c->job->bytes(c->job->bytes_arg);
	strads_runtime_stats(c->rt, &st);
	return st.bytes_out;
}

static void
check_done(strads_actor_t *self, coord_t *c)
{
	strads__job_t *job = c->job;
	const strads_job_opts_t *o = &job->o;
	strads_progress_t p;
	double t = elapsed(c);

	TRACE(c, "check %llu done", (unsigned long long)c->check_round);

	memset(&p, 0, sizeof(p));
	job->app->objective(job->shared, c->stats, c->checks, job->nstores, &p);
	p.iter = c->rot ? c->sweeps : c->rounds_done;
	p.time_s = t;
	p.updates = c->updates;
	p.bytes = bytes_moved(c);
	if (job->uidx != NULL) {
		p.nnodes = job->nunode;
		p.node = job->unode;
		p.node_updates = job->ucount;
	}
	/* Subscribers run on the job's thread (src/engine/progress.c):
	 * the queue copies the record and never waits for them. */
	strads__progq_put(job->progress, &p);
	c->checking = 0;
	/* A run whose objective and criterion stop changing at all has
	 * reached what its arithmetic can do (a --tol below the rounding of
	 * a tiny penalty's gap): it would go on forever. */
	if (c->have_last && fabs(p.objective - c->last.objective) <=
	    1e-12 * fabs(c->last.objective) && !(p.criterion < (1 - 1e-6) * c->stall_best))
		c->stalled++;
	else
		c->stalled = 0;
	if (c->stalled == 0 || !(p.criterion >= c->stall_best))
		c->stall_best = p.criterion;
	c->last = p;
	c->last.nnodes = 0; /* the counts go on changing: not in results */
	c->last.node = NULL;
	c->last.node_updates = NULL;
	c->have_last = 1;
	if (job->snapshot != NULL && strads_now_ns() - c->snap_ns >= (uint64_t)(job->snapshot_s * 1e9))
		c->snap_want = 1;
	if (!isfinite(p.objective) || !isfinite(p.criterion)) {
		/* Diverged (e.g. parallel updates of dependent parameters
		 * without the filter): stop, not converged. */
		strads_log(STRADS_LOG_ERROR, "diverged at round %llu: objective %g",
		    (unsigned long long)c->rounds_done, p.objective);
		c->final_check = 1;
		c->phase = PH_DRAIN;
		finish(self, c);
		return;
	}
	if (p.criterion <= o->tol)
		c->converged = 1;
	if (!c->converged && c->stalled >= STALL_CHECKS) {
		strads_log(STRADS_LOG_WARN, "the objective (%.12g) and the criterion (%g) have "
		    "not moved in %d checks: stopping at round %llu, not converged (the "
		    "tolerance %g is below what this problem's arithmetic reaches)", p.objective,
		    p.criterion, STALL_CHECKS, (unsigned long long)c->rounds_done, o->tol);
		c->final_check = 1;
		c->phase = PH_DRAIN;
		finish(self, c);
		return;
	}
	if (++c->nchecks == job->hold_at && !c->converged && c->phase == PH_RUN) {
		strads_log(STRADS_LOG_INFO, "coordinator: holding after check %u (test hook)",
		    c->nchecks);
		c->holding = 1;
		job->held = 1;
		strads_timer_start(self, 60000, 0, 1);
	}
	if (c->ws) {
		/* Twice the support hint, at least WS_MIN; doubled while the
		 * criterion does not halve (the set misses what matters). */
		uint64_t want = 2 * p.support > WS_MIN ? 2 * p.support : WS_MIN;

		if (c->ws_last_gap > 0 && p.criterion > 0.5 * c->ws_last_gap &&
		    2 * (uint64_t)c->ws_size > want)
			want = 2 * (uint64_t)c->ws_size;
		if (want > job->p)
			want = job->p;
		c->ws_size = (uint32_t)want;
		c->ws_last_gap = p.criterion;
		c->ws_ready = 0;
	}
	if ((job->app->screen != NULL || c->ws) && !c->converged && !c->final_check) {
		/* The stores screen with everything the objective saw. */
		strads__eng_t e;
		double *v = malloc((job->app->nstats + (size_t)job->nstores * job->app->ncheck + 1) *
		    sizeof(double));

		if (v != NULL) {
			memcpy(v, c->stats, job->app->nstats * sizeof(double));
			memcpy(v + job->app->nstats, c->checks,
			    (size_t)job->nstores * job->app->ncheck * sizeof(double));
			memset(&e, 0, sizeof(e));
			e.round = c->check_round;
			e.a = c->ws ? c->ws_size : 0; /* scores wanted from each */
			e.nd = job->app->nstats + (uint32_t)job->nstores * job->app->ncheck;
			e.val = v;
			c->screen_got = 0;
			c->active_acc = 0;
			send_to(self, job->stores, job->nstores, ENG_SCREEN, &e);
			free(v);
		}
	}
	if (c->converged || c->final_check || limit_hit(c, t)) {
		c->phase = PH_DRAIN;
		finish(self, c);
		return;
	}
	plan(self, c);
}

/* Ends the run once nothing is in flight: a last check when the run was
 * cut by a limit, then gather the parameters and stop the roles. */
static void
finish(strads_actor_t *self, coord_t *c)
{
	strads__job_t *job = c->job;

	if (c->phase != PH_DRAIN || c->in_flight > 0 || c->planning || c->checking ||
	    c->snapping || c->resharding)
		return;
	if (!c->converged && !c->final_check) {
		c->final_check = 1;
		start_check(self, c);
		return;
	}
	c->phase = PH_GATHER;
	gather_tables(self, c);
	send_to(self, job->stores, job->nstores, ENG_GATHER, NULL);
}

/* At the end of a job (nothing in flight, every part at rest): the
 * result's table arrays, the rotate table copied from where it rests,
 * and a GATHER to the workers for their rows of the worker-home tables
 * and the ssp table's final values (worker 0). */
static void
gather_tables(strads_actor_t *self, coord_t *c)
{
	strads__job_t *job = c->job;
	strads_job_result_t *res = job->res;
	uint32_t t;

	strads__gather_reset(&c->g);
	if (c->reshaping)
		return;
	for (t = 0; t < job->ntab; t++)
		if (job->app->tables[t].home != STRADS_HOME_STORE)
			break;
	if (t == job->ntab)
		return; /* the store table alone: res->params */
	if ((res->tables = calloc(job->ntab, sizeof(void *))) == NULL)
		goto oom;
	res->ntables = job->ntab;
	for (t = 0; t < job->ntab; t++) {
		strads_home_t h = job->app->tables[t].home;
		size_t bytes = (size_t)job->tab_rows[t] * STRADS__ROW_BYTES(job, t);

		if (h == STRADS_HOME_SSP)
			bytes = (size_t)job->tab_rows[t] * job->tab_width[t] * sizeof(double);
		if (h == STRADS_HOME_STORE)
			continue;
		if ((res->tables[t] = calloc(bytes ? bytes : 1, 1)) == NULL)
			goto oom;
	}
	if (strads__gather_start(&c->g, self, res->tables))
		send_to(self, job->workers, job->nworkers, ENG_GATHER, NULL);
	return;
oom:
	strads_log(STRADS_LOG_ERROR, "coordinator: out of memory: tables not gathered");
}

/* A worker's rows of a table (or the ssp table's values) at the end. */
static void
on_trows(strads_actor_t *self, coord_t *c, const strads_msg_t *m,
    const strads__eng_t *e)
{
	int rc;

	if (c->phase != PH_GATHER && !c->snapping)
		return;
	if ((rc = strads__gather_put(&c->g, m, e)) < 0)
		atomic_fetch_add(&c->rt->dropped_proto, 1);
	if (rc <= 0)
		return;
	if (c->snapping && !c->reshaping)
		snap_end(self, c);
	else
		gather_end(self, c);
}

/* A snapshot's worker, rotate and ssp tables (cluster jobs; with the
 * stores' values, a consistent cut after a check): the rotate table
 * copied where it rests (one process) or asked part by part, the worker
 * tables asked of the workers, the ssp table of worker 0 (which reads it
 * once every worker's clock is at its own: nothing is in flight, so that
 * is every increment of the rounds done). */
static void
snap_tables(strads_actor_t *self, coord_t *c)
{
	strads__job_t *job = c->job;
	uint32_t t;

	strads__gather_reset(&c->g);
	c->g.dst = NULL;
	if (job->ntab == 0 || strads__job_tables_bytes(job) == 0)
		return;
	if (c->snap_next_tabs == NULL &&
	    (c->snap_next_tabs = calloc(job->ntab, sizeof(void *))) == NULL)
		goto oom;
	for (t = 0; t < job->ntab; t++) {
		strads_home_t h = job->app->tables[t].home;
		size_t bytes = (size_t)job->tab_rows[t] * strads__job_snap_row(job, t);

		if (h == STRADS_HOME_STORE)
			continue;
		if (c->snap_next_tabs[t] == NULL &&
		    (c->snap_next_tabs[t] = malloc(bytes ? bytes : 1)) == NULL)
			goto oom;
	}
	if (strads__gather_start(&c->g, self, c->snap_next_tabs))
		send_to(self, job->workers, job->nworkers, ENG_GATHER, NULL);
	return;
oom:
	/* The snapshot is taken without them: it cannot be gone on from. */
	strads_log(STRADS_LOG_ERROR, "coordinator: out of memory: tables not in the snapshot");
	c->snap_tabs_bad = 1;
}

/* Ends a snapshot once every store's values and every table's rows are
 * in: it replaces the last one, which stayed whole until now. */
static void
snap_end(strads_actor_t *self, coord_t *c)
{
	strads__job_t *job = c->job;
	double *t;
	void **tt;

	if (c->snap_got < job->nstores || !strads__gather_done(&c->g))
		return;
	if (c->snap_next != NULL) {
		t = job->snapshot;
		job->snapshot = c->snap_next;
		c->snap_next = t;
		job->snapshot_rounds = c->rounds_done;
		job->have_snapshot++;
		if (c->g.dst != NULL && !c->snap_tabs_bad) {
			tt = job->snap_tabs;
			job->snap_tabs = c->snap_next_tabs;
			c->snap_next_tabs = tt;
			job->snapshot_sweeps = c->sweeps;
		} else if (job->snap_tabs != NULL) {
			/* Tables missing: no snapshot of them to go on from. */
			uint32_t k;

			for (k = 0; k < job->ntab; k++)
				free(job->snap_tabs[k]);
			free(job->snap_tabs);
			job->snap_tabs = NULL;
		}
		c->snap_tabs_bad = 0;
		checkpoint(self, c);
	}
	c->g.dst = NULL;
	strads__gather_reset(&c->g);
	c->snapping = 0;
	c->snap_ns = strads_now_ns();
	if (c->phase == PH_RUN)
		plan(self, c);
	else if (c->phase == PH_DRAIN)
		finish(self, c);
}

static void
limits(strads_actor_t *self, coord_t *c)
{
	if (c->phase != PH_RUN)
		return;
	/* A rotation app's check runs at a sweep boundary (its values may
	 * be summed by each part's last holder of the sweep, as a topic
	 * model's word term is): a limit or a stop that comes mid-sweep
	 * lets the sweep's rounds go out, and the job ends at its end. */
	if (c->rot && c->rp.r > 0 && c->rp.r < c->job->nparts)
		return;
	if (limit_hit(c, elapsed(c))) {
		c->phase = PH_DRAIN;
		finish(self, c);
	}
}

static void
on_done(strads_actor_t *self, coord_t *c, const strads__eng_t *e)
{
	strads__job_t *job = c->job;

	if (e->kind == KIND_RESHARD) {
		on_resharded(self, c, e);
		return;
	}
	if (e->kind == KIND_SCREEN) {
		c->active_acc += e->a;
		if (++c->screen_got == job->nstores) {
			/* A check per sweep of what is still active. */
			c->active = c->active_acc;
			c->check_every = c->active > job->o.block ? c->active : job->o.block;
			if (job->o.check_every)
				c->check_every = (uint64_t)job->o.check_every * job->o.block;
			if (c->ws) {
				TRACE(c, "screened: %llu active", (unsigned long long)c->active);
				c->ws_ready = 1;
				plan(self, c);
			}
		}
		return;
	}
	if (e->kind == KIND_CHECK) {
		if (!c->checking || e->round != c->check_round ||
		    e->nd != job->app->ncheck || e->from >= (uint32_t)job->nstores)
			return;
		memcpy(c->checks + (size_t)e->from * job->app->ncheck, e->val,
		    (size_t)e->nd * 8);
		if (++c->check_stores == job->nstores && c->check_workers == job->nworkers)
			check_done(self, c);
		return;
	} else {
		uint32_t slot = (uint32_t)(e->round % c->ring);
		int want = c->rot ? job->nworkers : job->nstores;

		if (c->ring_round[slot] != e->round)
			return;
		c->updates += e->a;
		if (c->rot) {
			/* A holder's DONE: its part's rows and compute time. */
			if (e->from >= (uint32_t)job->nworkers)
				return;
			if (e->nd >= 1 && isfinite(e->val[0]) && e->val[0] > 0)
				strads__rot_took(&c->rp, (int)e->from, c->ring_pos[slot],
				    e->val[0]);
		} else if (e->nd >= 1 && isfinite(e->val[0]) && e->val[0] > c->ws_move) {
			c->ws_move = e->val[0]; /* the store's largest change */
		}
		if (++c->ring_got[slot] < want)
			return;
		if (c->rot && ++c->rp.done % job->nparts == 0)
			c->sweeps++;
		c->ring_round[slot] = STRADS__ROUND_NONE;
		c->in_flight--;
		c->rounds_done++;
		limits(self, c);
		if (c->phase == PH_DRAIN)
			finish(self, c);
		else
			plan(self, c);
	}
}

static void
on_stats(strads_actor_t *self, coord_t *c, const strads__eng_t *e)
{
	uint32_t i;

	if (!c->checking || e->round != c->check_round || e->nd != c->job->app->nstats)
		return;
	for (i = 0; i < e->nd; i++)
		c->stats[i] += e->val[i];
	if (++c->check_workers == c->job->nworkers && c->check_stores == c->job->nstores)
		check_done(self, c);
}

/* A store's values into out (checked by the caller). */
static void
put_params(const strads__job_t *job, double *out, const strads__eng_t *e)
{
	uint32_t i;

	if (e->kind == 1) {
		strads_range_t r = job->store_range[e->from];

		memset(out + r.begin, 0, (size_t)(r.end - r.begin) * 8);
		for (i = 0; i < e->n; i++)
			out[e->idx[i]] = e->val[i];
	} else if (e->nd > 0) {
		memcpy(out + e->a, e->val, (size_t)e->nd * 8);
	}
}

static void
on_params(strads_actor_t *self, coord_t *c, const strads__eng_t *e)
{
	strads__job_t *job = c->job;

	if (e->kind == 1) {
		/* Sparse: the store's range is zero but for these. */
		uint32_t i;

		if (e->from >= (uint32_t)job->nstores || e->n != e->nd || (e->n > 0 && e->idx == NULL))
			return;
		for (i = 0; i < e->n; i++)
			if (e->idx[i] < job->store_range[e->from].begin ||
			    e->idx[i] >= job->store_range[e->from].end)
				return;
	} else if ((uint64_t)e->a + e->nd > job->p) {
		return;
	}
	if (c->snapping && !c->reshaping) {
		/* Gathered beside the last snapshot, which stays whole until
		 * this one is: a store lost mid-gather rolls back to it. */
		if (c->snap_next == NULL &&
		    (c->snap_next = malloc((size_t)job->p * sizeof(double))) == NULL) {
			strads_log(STRADS_LOG_ERROR, "coordinator: out of memory: "
			    "no snapshot taken");
			c->snap_got = job->nstores;
			strads__gather_reset(&c->g);
		} else {
			put_params(job, c->snap_next, e);
			c->snap_got++;
		}
		snap_end(self, c);
		return;
	}
	if (c->phase != PH_GATHER)
		return;
	put_params(job, c->params, e);
	c->gathered++;
	gather_end(self, c);
}

/* Ends the job once every store's values and every table's rows are
 * in. */
static void
gather_end(strads_actor_t *self, coord_t *c)
{
	strads__job_t *job = c->job;

	if (c->phase != PH_GATHER || c->gathered < job->nstores ||
	    !strads__gather_done(&c->g))
		return;
	job->res->params = c->params;
	c->params = NULL;
	job->res->progress = c->last;
	job->res->rounds = c->rounds_done;
	job->res->updates = c->updates;
	job->res->solve_s = elapsed(c);
	job->res->sweeps = c->sweeps;
	job->res->converged = c->converged && !c->reshaping;
	job->reshaped = c->reshaping;
	job->status = 0;
	if (job->staged && !c->reshaping) {
		/* A stage: every role keeps its state while the job's
		 * thread delivers the stage's records and calls next. */
		c->phase = PH_PAUSE;
		strads__progq_pause(job->progress);
		return;
	}
	c->phase = PH_DONE;
	send_to(self, job->workers, job->nworkers, ENG_STOP, NULL);
	send_to(self, job->scheds, job->nscheds, ENG_STOP, NULL);
	send_to(self, job->stores, job->nstores, ENG_STOP, NULL);
	strads_actor_stop(self);
}

/* A change of view (ENG_RESHAPE): gather what the stores hold (every
 * completed pull; rounds in flight are dropped and redone by the next
 * layout), then stop. */
static void
start_reshape(strads_actor_t *self, coord_t *c)
{
	c->reshaping = 1;
	c->phase = PH_GATHER;
	c->gathered = 0;
	strads__gather_reset(&c->g); /* a snapshot's, dropped */
	c->g.dst = NULL;
	send_to(self, c->job->stores, c->job->nstores, ENG_GATHER, NULL);
}

/*
 * The job's thread has run next after a stage (ENG_START in PH_PAUSE):
 * the job ends, or the next stage starts on the roles as they are. Its
 * counts start again (rounds, updates, time: a stage's result and
 * records are as a job's), round numbers go on (messages are matched by
 * them), every parameter is active again at the stores and schedulers,
 * and the stage opens with a check, as a job does: the app's penalty
 * changed, so the last stage's screening and working set are void.
 */
static void
next_stage(strads_actor_t *self, coord_t *c)
{
	strads__job_t *job = c->job;
	strads__eng_t e;

	if (job->stage_last) {
		c->phase = PH_DONE;
		send_to(self, job->workers, job->nworkers, ENG_STOP, NULL);
		send_to(self, job->scheds, job->nscheds, ENG_STOP, NULL);
		send_to(self, job->stores, job->nstores, ENG_STOP, NULL);
		strads_actor_stop(self);
		return;
	}
	if ((c->params = calloc(job->p, sizeof(double))) == NULL) {
		abort_job(self, c, STRADS_ENOMEM);
		return;
	}
	job->status = STRADS_EIO;
	c->phase = PH_RUN;
	c->converged = c->final_check = 0;
	c->have_last = 0;
	c->gathered = 0;
	c->rounds_done = job->base_rounds;
	c->updates = job->base_updates;
	c->sweeps = job->base_sweeps;
	c->since_check = 0;
	c->active = job->p;
	c->check_every = job->o.check_every ? (uint64_t)job->o.check_every * job->o.block
	                                    : job->p;
	c->t0 = strads_now_ns();
	job->t0_ns = c->t0;
	c->snap_ns = c->t0;
	c->ws_size = 0;
	c->ws_last_gap = 0;
	c->ws_ready = 0;
	c->ws_n = c->ws_pos = 0;
	c->ws_sweeps = c->ws_blocks = 0;
	c->ws_move = 0;
	c->ws_swept = c->ws; /* plan's cue for a check first */
	memset(&e, 0, sizeof(e));
	e.round = c->next_round;
	e.kind = KIND_STAGE;
	send_to(self, job->stores, job->nstores, ENG_SCREEN, &e);
	send_to(self, job->scheds, job->nscheds, ENG_INACTIVE, &e);
	if (c->reshape_due) {
		/* The view changed in the pause: the stage is laid out
		 * again before it starts, from the stores' values (the last
		 * stage's end). */
		c->reshape_due = 0;
		start_reshape(self, c);
		return;
	}
	if (c->phase == PH_RUN)
		plan(self, c);
}

static int
coord_init(strads_actor_t *self, void *arg)
{
	coord_t *c = strads_actor_state(self);
	strads__role_arg_t *a = arg;
	strads__job_t *job = a->job;
	uint32_t i;

	c->job = job;
	c->rt = strads_actor_runtime(self);
	job->status = STRADS_EIO;
	c->rounds_done = job->base_rounds;
	c->updates = job->base_updates;
	c->last_update = STRADS__ROUND_NONE;
	c->check_round = STRADS__ROUND_NONE;
	c->ws = job->o.schedule == STRADS_SCHEDULE_WORKSET;
	c->rot = job->o.schedule == STRADS_SCHEDULE_ROTATION && job->tab_rot >= 0;
	c->ring = job->o.depth + 1;
	/* By default a check follows each sweep's worth of coordinates. */
	c->check_every = job->o.check_every ? (uint64_t)job->o.check_every * job->o.block
	                                    : job->p;
	if (c->rot) {
		int multi = 0;

		for (i = 0; i < (uint32_t)job->nworkers; i++)
			if (job->worker_node[i] != strads_runtime_node(c->rt))
				multi = 1;
		c->rot_bad = strads__rot_init(&c->rp, job, multi) != 0;
		if (c->rp.bound != NULL &&
		    ((c->reshard_b = malloc(((size_t)job->nworkers + 1) * sizeof(uint64_t))) == NULL ||
		    (c->reshard_seen = malloc((size_t)job->nworkers)) == NULL))
			c->rot_bad = 1;
		c->sweeps = job->base_sweeps;
	}
	c->ring_pos = calloc(c->ring, sizeof(uint32_t));
	c->dep_key = calloc(DEP_CACHE, sizeof(uint64_t));
	c->dep_val = malloc(DEP_CACHE * sizeof(float));
	c->ring_round = malloc(c->ring * sizeof(uint64_t));
	c->ring_got = calloc(c->ring, sizeof(int));
	c->block = malloc((size_t)job->o.block * 4);
	c->cand_from = calloc((size_t)job->nscheds * 2, sizeof(uint32_t));
	if (c->ws)
		c->ws_list = malloc((size_t)job->p * 4);
	c->stats = calloc(job->app->nstats ? job->app->nstats : 1, sizeof(double));
	c->checks = calloc((size_t)job->nstores * (job->app->ncheck ? job->app->ncheck : 1),
	    sizeof(double));
	c->params = calloc(job->p, sizeof(double));
	c->g_bad = strads__gather_init(&c->g, job, &c->rp) != 0;
	if (c->ring_round == NULL || c->ring_got == NULL || c->block == NULL ||
	    c->stats == NULL || c->checks == NULL || c->params == NULL ||
	    c->dep_key == NULL || c->dep_val == NULL || (c->ws && c->ws_list == NULL) ||
	    c->rot_bad ||
	    c->ring_pos == NULL || c->g_bad ||
	    strads__role_init_fault("coordinator")) {
		/* coord_stop frees what was had. The roles' addresses are
		 * known now, or (cluster mode) at the start message. */
		c->broken = 1;
		strads__role_broken("coordinator", 0);
		if (!job->hold_start)
			abort_job(self, c, STRADS_ENOMEM);
		return 0;
	}
	for (i = 0; i < c->ring; i++)
		c->ring_round[i] = STRADS__ROUND_NONE;
	if (!job->hold_start)
		send_to(self, job->workers, job->nworkers, ENG_START, NULL);
	return 0;
}

/* Ends the job with status err: every role told to stop, then this. */
static void
abort_job(strads_actor_t *self, coord_t *c, int err)
{
	c->phase = PH_DONE;
	c->job->status = err;
	send_to(self, c->job->workers, c->job->nworkers, ENG_STOP, NULL);
	send_to(self, c->job->scheds, c->job->nscheds, ENG_STOP, NULL);
	send_to(self, c->job->stores, c->job->nstores, ENG_STOP, NULL);
	strads_actor_stop(self);
}

static void
coord_recv(strads_actor_t *self, const strads_msg_t *m)
{
	coord_t *c = strads_actor_state(self);
	strads__eng_t e;

	if (c->broken) {
		/* Its start (cluster mode), or a role's message. */
		if (m->type >= ENG_START && c->phase != PH_DONE)
			abort_job(self, c, STRADS_ENOMEM);
		return;
	}
	if (m->type == ENG_STOP && c->phase != PH_DONE) {
		/* A role could not start (no payload) or go on (its error,
		 * strads__role_fail): end the job with an error. */
		int err = m->len == 4 ? (int)strads__get32(m->data) : STRADS_EIO;

		abort_job(self, c, err < 0 && err >= STRADS_EPEER ? err : STRADS_EIO);
		return;
	}
	if (m->type == ENG_RESHAPE && c->phase == PH_PAUSE) {
		c->reshape_due = 1;
		return;
	}
	if (m->type == ENG_RESHAPE && c->phase != PH_DONE && c->phase != PH_GATHER &&
	    !c->reshaping) {
		start_reshape(self, c);
		return;
	}
	if (c->reshaping && m->type != ENG_PARAMS && m->type != ENG_STOP)
		return;
	if (m->type == STRADS_MSG_COMPUTE) {
		strads_compute_done_t d;

		memcpy(&d, m->data, sizeof(d));
		if (d.tag == TAG_CKPT && c->ck != NULL) {
			if (c->ck->rc != 0)
				strads_log(STRADS_LOG_ERROR, "checkpoint: %s", c->ck->err);
			else
				strads_log(STRADS_LOG_INFO, "checkpoint of round %llu in %s",
				    (unsigned long long)c->ck->meta.rounds, c->ck->dir);
			strads__ckjob_free(c->ck);
			c->ck = NULL;
		}
		return;
	}
	if (m->type == STRADS_MSG_TIMER && c->holding) {
		c->holding = 0;
		plan(self, c);
		return;
	}
	if (m->type == ENG_START && c->phase == PH_PAUSE &&
	    m->src.node == strads_runtime_node(strads_actor_runtime(self))) {
		next_stage(self, c);
		return;
	}
	if (m->type == ENG_START && c->phase == PH_START &&
	    m->src.node == strads_runtime_node(strads_actor_runtime(self))) {
		send_to(self, c->job->workers, c->job->nworkers, ENG_START, NULL);
		return;
	}
	if (m->type == ENG_READY) {
		if (++c->ready == c->job->nworkers) {
			c->phase = PH_RUN;
			c->t0 = c->job->t0_ns != 0 ? c->job->t0_ns : strads_now_ns();
			c->job->t0_ns = c->t0;
			/* The first snapshot is due one interval into the
			 * layout: until then the layout's starting values are
			 * what a lost store rolls back to (run_layout), so a
			 * gather at its first check would copy just those. */
			c->snap_ns = strads_now_ns();
			plan(self, c);
		}
		return;
	}
	if (m->type != ENG_CAND && m->type != ENG_DONE && m->type != ENG_STATS &&
	    m->type != ENG_PARAMS && m->type != ENG_TROWS)
		return;
	if (strads__eng_decode(m, &e) != 0) {
		strads_log(STRADS_LOG_ERROR, "coordinator: malformed message dropped");
		return;
	}
	switch (m->type) {
	case ENG_CAND:
		on_cand(self, c, &e);
		break;
	case ENG_DONE:
		on_done(self, c, &e);
		break;
	case ENG_STATS:
		on_stats(self, c, &e);
		break;
	case ENG_PARAMS:
		on_params(self, c, &e);
		break;
	case ENG_TROWS:
		on_trows(self, c, m, &e);
		break;
	}
	strads__eng_free(&e);
}

static void
coord_stop(strads_actor_t *self)
{
	coord_t *c = strads_actor_state(self);

	free(c->ring_round);
	free(c->ring_got);
	free(c->cand);
	free(c->cand_from);
	free(c->cand_score);
	free(c->ws_list);
	strads__rot_fini(&c->rp);
	free(c->reshard_b);
	free(c->reshard_seen);
	free(c->ring_pos);
	strads__gather_fini(&c->g);
	if (c->snap_next_tabs != NULL) {
		uint32_t t;

		for (t = 0; t < c->job->ntab; t++)
			free(c->snap_next_tabs[t]);
		free(c->snap_next_tabs);
	}
	free(c->block);
	free(c->stats);
	free(c->checks);
	free(c->params);
	free(c->dep_key);
	free(c->dep_val);
	free(c->snap_next);
	if (c->filter_scratch != NULL) {
		if (c->job->app->filter_free != NULL)
			c->job->app->filter_free(c->filter_scratch);
		else
			free(c->filter_scratch);
	}
	if (c->ck != NULL) {
		/* Its compute job has returned (the runtime waits for it). */
		if (c->ck->rc != 0)
			strads_log(STRADS_LOG_ERROR, "checkpoint: %s", c->ck->err);
		strads__ckjob_free(c->ck);
	}
	strads__job_role_stopped(c->job);
}

const strads_actor_type_t strads__coordinator_type = {
    "coordinator", sizeof(coord_t), coord_init, coord_recv, coord_stop};
