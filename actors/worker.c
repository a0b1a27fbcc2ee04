/*
 * worker.c -- the worker role: owns a data shard and the app's local
 * state for it. Blocks arrive from the coordinator; each runs the app's
 * push on a compute thread once the changes of the update round it
 * depends on have been applied, and its partials go to the stores that
 * own the block's parameters. Check rounds push every parameter and add
 * the worker's objective statistics.
 *
 * Tables (doc/schmp.md, "Homes"): the worker holds its rows of every
 * worker-home table; in rotation rounds it holds one part of the rotate
 * table, runs the app's rotate on it and hands it straight to the part's
 * next holder (by reference in one process), reading and incrementing
 * the ssp table through the client it owns.
 */
#include "schmp.h"
#include "reshard.h"
#include "table.h"

#include <stdlib.h>

typedef struct blk_s {
	struct blk_s *next;
	strads__eng_t e;
} blk_t;

/* A part handed to this worker, waiting for the round it is for. */
typedef struct part_s {
	struct part_s *next;
	uint64_t round;
	uint32_t index;
	void *rows; /* in the job's rotate table memory */
} part_t;

/* A rotation block's fields (ROT_NIDX ids, see schmp.h). */
typedef struct {
	uint64_t rb, re, next_pos, pos; /* pos: rotation round over the run */
	uint32_t next;
} rot_t;

typedef struct {
	strads__job_t *job;
	strads_actor_t *self;
	int index;
	void *wstate; /* lent to the compute thread while busy */
	void **tabs;  /* per table: a worker-home table's rows of this shard
	                 (owned, padded to whole doubles), else NULL */

	/* Rotation: parts handed here before their round (owned nodes), and
	 * the coordinator's requests for parts still on their way (the
	 * gather across processes; round: the position awaited). */
	part_t *parts;
	part_t *wanted;
	/* The ssp table: the client (owned), its keys 0 .. rows-1, the rows
	 * read for a round and the round's increments. */
	strads_table_client_t *ssp;
	uint64_t *ssp_keys;
	double *ssp_buf, *ssp_delta;
	int ssp_state;      /* SSP_* */
	uint64_t ssp_round; /* the round read for (SSP_READ) */
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
	uint8_t *dhave; /* store k's part of dround is in dpart[k] */

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
		int do_rot;         /* a rotation round */
		rot_t rot;
		strads_part_t part; /* what the app's rotate gets */
		double secs;        /* its compute time */
	} w;
	uint64_t rot_next; /* positions before this were started here: a
	                      part handed over for one is stale */

	/* Moves of shards (the straggler rule; see on_move) and the rows of
	 * a move that came before its block (owned). */
	strads__move_t mv;
	blk_t *early;
} worker_t;

/* See strads__role_fail. */
static void
fail(strads_actor_t *self, worker_t *s, int err)
{
	strads__role_fail(self, s->job, &s->broken, &s->told, "worker", s->index, err);
}

enum { SSP_IDLE, SSP_READING, SSP_READ };

static void pump(strads_actor_t *self, worker_t *s);
static void on_move_rows(strads_actor_t *self, worker_t *s, const strads_msg_t *m,
    strads__eng_t *e);

/* A malformed message (or one forged by a peer) is dropped and counted
 * with the runtime's malformed frames (dropped_proto), never acted on. */
static void
dropped(strads_actor_t *self, worker_t *s, const char *what)
{
	atomic_fetch_add(&strads_actor_runtime(self)->dropped_proto, 1);
	strads_log(STRADS_LOG_ERROR, "worker %d: malformed %s dropped", s->index, what);
}

/* The fields of a rotation block, or -1 when it is not one or names
 * rows, a part or a next holder this job does not have (its rows are
 * the app's to write, and its holder an index into the job's arrays). */
static int
rot_of(const strads__job_t *job, const strads__eng_t *e, rot_t *r)
{
	if (e->kind != KIND_UPDATE || e->n != ROT_NIDX)
		return -1;
	r->rb = (uint64_t)e->idx[0] | (uint64_t)e->idx[1] << 32;
	r->re = (uint64_t)e->idx[2] | (uint64_t)e->idx[3] << 32;
	r->next = e->idx[4];
	r->next_pos = (uint64_t)e->idx[5] | (uint64_t)e->idx[6] << 32;
	r->pos = (uint64_t)e->idx[7] | (uint64_t)e->idx[8] << 32;
	if (r->rb >= r->re || r->re > job->tab_rows[job->tab_rot] ||
	    e->a >= job->nparts ||
	    (r->next != ROT_REST && r->next >= (uint32_t)job->nworkers) ||
	    (e->from != ROT_REST && e->from >= (uint32_t)job->nworkers))
		return -1;
	return 0;
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

	if (s->w.do_rot) {
		uint64_t t0 = strads_now_ns();

		if (s->ssp_delta != NULL)
			memset(s->ssp_delta, 0, (size_t)s->job->tab_rows[s->job->tab_ssp] *
			    s->job->tab_width[s->job->tab_ssp] * sizeof(double));
		app->rotate(s->wstate, &s->w.part);
		s->w.secs = (double)(strads_now_ns() - t0) / 1e9;
		return;
	}
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

/* The worker's rows of each worker-home table (zeroed, lent to the app
 * through its shard) and its client of the ssp table. */
static int
tables_init(strads_actor_t *self, worker_t *s)
{
	strads__job_t *job = s->job;
	strads_shard_t *sh = &job->shards[s->index];
	uint64_t rows = sh->row_end - sh->row_begin, i;
	uint32_t t;

	if (job->ntab == 0)
		return 0;
	if ((s->tabs = calloc(job->ntab, sizeof(void *))) == NULL)
		return -1;
	sh->tables = s->tabs;
	for (t = 0; t < job->ntab; t++) {
		if (job->app->tables[t].home != STRADS_HOME_WORKER)
			continue;
		/* Padded to whole doubles: TROWS carries doubles. */
		if ((s->tabs[t] = calloc(rows * STRADS__ROW_BYTES(job, t) + 8, 1)) == NULL)
			return -1;
		/* Laid out again from a snapshot: this shard's rows of it. */
		if (job->tab_init != NULL && job->tab_init[t] != NULL)
			memcpy(s->tabs[t], job->tab_init[t] + sh->row_begin *
			    STRADS__ROW_BYTES(job, t), rows * STRADS__ROW_BYTES(job, t));
	}
	if (job->ssp != NULL) {
		size_t n = (size_t)job->tab_rows[job->tab_ssp] * job->tab_width[job->tab_ssp];

		s->ssp_keys = malloc((size_t)job->tab_rows[job->tab_ssp] * 8);
		s->ssp_buf = malloc(n * sizeof(double));
		s->ssp_delta = malloc(n * sizeof(double));
		if (s->ssp_keys == NULL || s->ssp_buf == NULL || s->ssp_delta == NULL ||
		    strads_table_client_open(self, job->ssp, (uint32_t)s->index,
		    &s->ssp) != 0)
			return -1;
		for (i = 0; i < job->tab_rows[job->tab_ssp]; i++)
			s->ssp_keys[i] = i;
	}
	return 0;
}

static void
ssp_read_done(strads_table_client_t *c, int status, void *arg)
{
	worker_t *s = arg;

	(void)c;
	if (status == STRADS_ECANCELED)
		return; /* the worker is stopping (its client closes) */
	if (status != 0) {
		/* Idle, the worker would wait for a read that never comes,
		 * and the round with it: the job ends, as at other failures. */
		strads_log(STRADS_LOG_ERROR, "worker %d: reading the ssp table: %s",
		    s->index, strads_strerror(status));
		s->ssp_state = SSP_IDLE;
		fail(s->self, s, status);
		return;
	}
	s->ssp_state = SSP_READ;
	pump(s->self, s);
}

/* Whether the rotation block at the head can start: its part is here
 * (or at rest) and the ssp table has been read at this round's clock
 * (a read is started otherwise). Sets up s->w.part when it can. */
static int
rot_ready(worker_t *s, const strads__eng_t *e, const rot_t *r)
{
	strads__job_t *job = s->job;
	int t = job->tab_rot;
	part_t **pp, *p = NULL;
	void *rows;

	if (s->ssp != NULL && (s->ssp_state != SSP_READ || s->ssp_round != e->round)) {
		if (s->ssp_state == SSP_READING)
			return 0;
		if (strads_table_get_many(s->ssp, s->ssp_keys, job->tab_rows[job->tab_ssp],
		    s->ssp_buf, ssp_read_done, s) != 0) {
			/* Out of memory: the round cannot start. */
			strads_log(STRADS_LOG_ERROR, "worker %d: cannot read the ssp table",
			    s->index);
			return 0;
		}
		s->ssp_state = SSP_READING;
		s->ssp_round = e->round;
		return 0;
	}
	if (e->from == ROT_REST) {
		rows = job->rot_rows + r->rb * STRADS__ROW_BYTES(job, t);
	} else {
		for (pp = &s->parts; *pp != NULL; pp = &(*pp)->next)
			if ((*pp)->round == r->pos && (*pp)->index == e->a)
				break;
		if ((p = *pp) == NULL)
			return 0; /* not handed over yet */
		*pp = p->next;
		rows = p->rows;
		free(p);
	}
	memset(&s->w.part, 0, sizeof(s->w.part));
	s->rot_next = r->pos + 1;
	s->w.part.round = r->pos;
	s->w.part.sweep = r->pos / job->nparts;
	s->w.part.table = (uint32_t)t;
	s->w.part.index = e->a;
	s->w.part.nparts = job->nparts;
	s->w.part.row_begin = r->rb;
	s->w.part.row_end = r->re;
	s->w.part.rows = rows;
	if (s->ssp != NULL) {
		s->w.part.ssp = s->ssp_buf;
		s->w.part.ssp_delta = s->ssp_delta;
		s->w.part.ssp_rows = job->tab_rows[job->tab_ssp];
		s->w.part.ssp_width = job->tab_width[job->tab_ssp];
		s->ssp_state = SSP_IDLE;
	}
	s->w.rot = *r;
	return 1;
}

/* After a rotation round: the ssp increments and clock, the part to its
 * next holder (its address in one process, its bytes to another), and
 * the round's DONE to the coordinator. */
static void
rot_done(strads_actor_t *self, worker_t *s)
{
	strads__job_t *job = s->job;
	const rot_t *r = &s->w.rot;
	strads__eng_t e;
	strads_msg_t *m;
	uint32_t ids[4];
	double secs = s->w.secs;
	int err;

	if (s->ssp != NULL) {
		if (strads_table_inc_many(s->ssp, s->ssp_keys, s->ssp_delta,
		    job->tab_rows[job->tab_ssp]) != 0 || strads_table_clock(s->ssp) != 0)
			strads_log(STRADS_LOG_ERROR, "worker %d: ssp increments lost", s->index);
	}
	if (r->next != ROT_REST) {
		memset(&e, 0, sizeof(e));
		e.round = r->next_pos;
		e.a = s->w.part.index;
		e.from = (uint32_t)s->index;
		ids[0] = (uint32_t)r->rb;
		ids[1] = (uint32_t)(r->rb >> 32);
		ids[2] = (uint32_t)r->re;
		ids[3] = (uint32_t)(r->re >> 32);
		e.n = 4;
		e.idx = ids;
		if (job->worker_node[r->next] == job->worker_node[s->index]) {
			e.dep = (uint64_t)(uintptr_t)s->w.part.rows;
		} else {
			size_t bytes = (size_t)(r->re - r->rb) * STRADS__ROW_BYTES(job, job->tab_rot);

			e.nd = (uint32_t)((bytes + 7) / 8);
			e.val = s->w.part.rows;
		}
		if ((m = strads__eng_encode(ENG_PART, &e)) == NULL) {
			/* Its next holder would wait for it forever. */
			fail(self, s, STRADS_ENOMEM);
			return;
		}
		if ((err = strads_send(self, job->workers[r->next], m)) != 0) {
			fail(self, s, err); /* a part larger than a frame, say */
			return;
		}
	}
	memset(&e, 0, sizeof(e));
	e.round = s->w.blk->round;
	e.kind = KIND_UPDATE;
	e.from = (uint32_t)s->index;
	e.a = (uint32_t)(r->re - r->rb);
	e.nd = 1;
	e.val = &secs;
	if ((m = strads__eng_encode(ENG_DONE, &e)) == NULL)
		fail(self, s, STRADS_ENOMEM);
	else
		strads_send(self, job->coord, m);
}

/* The rows [rb, re) of the rotate table, from this process's memory,
 * to the coordinator (the gather across processes). */
static void
send_rot_rows(strads_actor_t *self, worker_t *s, uint64_t rb, uint64_t re)
{
	strads__job_t *job = s->job;
	size_t rowb = STRADS__ROW_BYTES(job, job->tab_rot);
	strads__eng_t e;
	strads_msg_t *m;
	int err;

	memset(&e, 0, sizeof(e));
	e.round = (uint64_t)job->tab_rot;
	e.dep = rb;
	e.a = (uint32_t)(re - rb);
	e.nd = (uint32_t)(((re - rb) * rowb + 7) / 8);
	e.val = (double *)(void *)(job->rot_rows + rb * rowb);
	if ((m = strads__eng_encode(ENG_TROWS, &e)) == NULL)
		fail(self, s, STRADS_ENOMEM); /* the gather would wait for it */
	else if ((err = strads_send(self, job->coord, m)) != 0)
		fail(self, s, err); /* a part larger than a frame: not gathered */
}

/* Answers the coordinator's requests for parts that have arrived. A
 * wanted entry keeps the part's row range in round (begin) and rows
 * (end, as an integer). */
static void
answer_wanted(strads_actor_t *self, worker_t *s)
{
	part_t **wp = &s->wanted, *w, *p;

	while ((w = *wp) != NULL) {
		for (p = s->parts; p != NULL; p = p->next)
			if (p->index == w->index && p->round == w->round)
				break;
		if (p == NULL) {
			wp = &w->next;
			continue;
		}
		*wp = w->next;
		send_rot_rows(self, s, (uint64_t)((uint8_t *)p->rows - s->job->rot_rows) /
		    STRADS__ROW_BYTES(s->job, s->job->tab_rot), (uint64_t)(uintptr_t)w->rows);
		free(w);
	}
}

/* The coordinator asks for a part's rows at the end of a job across
 * processes: a: part, dep: the position it waits here for (MAX: at rest
 * in this process), ids: its row range. */
static void
on_part_request(strads_actor_t *self, worker_t *s, const strads_msg_t *m)
{
	strads__job_t *job = s->job;
	strads__eng_t e;
	uint64_t rb, re;
	part_t *w;

	if (job->tab_rot < 0 || strads__eng_decode(m, &e) != 0) {
		dropped(self, s, "part request");
		return;
	}
	if (e.kind == KIND_RESHARD) {
		on_move_rows(self, s, m, &e);
		return;
	}
	if (e.n != 4) {
		strads__eng_free(&e);
		dropped(self, s, "part request");
		return;
	}
	rb = (uint64_t)e.idx[0] | (uint64_t)e.idx[1] << 32;
	re = (uint64_t)e.idx[2] | (uint64_t)e.idx[3] << 32;
	if (rb >= re || re > job->tab_rows[job->tab_rot]) {
		strads__eng_free(&e);
		dropped(self, s, "part request");
		return;
	}
	if (e.dep == UINT64_MAX) {
		send_rot_rows(self, s, rb, re);
	} else if ((w = calloc(1, sizeof(*w))) != NULL) {
		/* The part's rows land in this process's memory on arrival
		 * (or already did): answer then. */
		w->index = e.a;
		w->round = e.dep;
		w->rows = (void *)(uintptr_t)re;
		w->next = s->wanted;
		s->wanted = w;
		answer_wanted(self, s);
	}
	strads__eng_free(&e);
}

/* A part handed over by its last holder. Its rows are in this
 * process's rotate table at [rb, re) either way: in one process they are
 * already there (the holder worked on them in place, and dep, their
 * address, must say so), from another they are copied there. An address
 * from a message is compared, never followed: a frame from the network
 * may claim any source node when the cluster has no secret. */
static void
on_part(strads_actor_t *self, worker_t *s, const strads_msg_t *m)
{
	strads__job_t *job = s->job;
	strads__eng_t e;
	part_t *p, *q;
	uint64_t rb, re;
	size_t rowb, bytes;

	/* A view (no copy when aligned): the rows are copied once, into
	 * place. */
	if (job->tab_rot < 0 || strads__eng_view(m, &e) != 0)
		goto bad;
	rowb = STRADS__ROW_BYTES(job, job->tab_rot);
	if (e.n != 4 || e.a >= job->nparts || e.round < s->rot_next)
		goto bad_e; /* a part the job does not have, or for a past position */
	rb = (uint64_t)e.idx[0] | (uint64_t)e.idx[1] << 32;
	re = (uint64_t)e.idx[2] | (uint64_t)e.idx[3] << 32;
	if (rb >= re || re > job->tab_rows[job->tab_rot])
		goto bad_e;
	/* One holder a part: not one already here, nor rows lent to the
	 * compute thread now (a copy would race with the app's rotate). */
	for (q = s->parts; q != NULL; q = q->next)
		if (q->index == e.a)
			goto bad_e;
	if (s->busy && s->w.do_rot && (s->w.part.index == e.a ||
	    (rb < s->w.rot.re && s->w.rot.rb < re)))
		goto bad_e;
	bytes = (size_t)(re - rb) * rowb;
	if (e.nd == 0) {
		if (m->src.node != strads_runtime_node(strads_actor_runtime(self)) ||
		    e.dep != (uint64_t)(uintptr_t)(job->rot_rows + rb * rowb))
			goto bad_e;
	} else if ((size_t)e.nd != (bytes + 7) / 8) {
		goto bad_e;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		strads__eng_free(&e);
		fail(self, s, STRADS_ENOMEM); /* the part is lost */
		return;
	}
	p->round = e.round;
	p->index = e.a;
	p->rows = job->rot_rows + rb * rowb;
	if (e.nd != 0)
		memcpy(p->rows, e.val, bytes);
	strads__eng_free(&e);
	p->next = s->parts;
	s->parts = p;
	answer_wanted(self, s);
	pump(self, s);
	return;
bad_e:
	strads__eng_free(&e);
bad:
	dropped(self, s, "part");
}

/* ------------------------------------------------------------------ */
/* The straggler rule's moves of shards (KIND_RESHARD, schmp.h). Between
 * two sweeps, with this worker idle, the coordinator sends the old and
 * the new shard bounds. The worker sends each neighbour its old rows
 * that are the neighbour's new ones (every worker-home table), keeps its
 * own, fills its new tables with what the others send (the rows'
 * bookkeeping is src/engine/reshard.c), then rebuilds the app's state
 * for the new shard (app->reshard, compute thread) and tells the
 * coordinator. */

#define TAG_RESHARD 2

static void
work_reshard(void *arg)
{
	worker_t *s = arg;

	s->w.init_err = s->job->app->reshard(s->wstate, &s->job->shards[s->index]);
}

/* Every row of the new shard is in: the new tables replace the old,
 * the shard takes its bounds, and the app rebuilds its state. */
static void
mv_rows_in(strads_actor_t *self, worker_t *s)
{
	strads__move_commit(&s->mv, s->tabs, &s->job->shards[s->index]);
	s->w.init_err = 0;
	if (strads_compute(self, work_reshard, s, TAG_RESHARD) != 0) {
		fail(self, s, STRADS_ENOMEM); /* the move would never end */
		return;
	}
	s->busy = 1;
}

/* The coordinator's block of a move. */
static void
on_move(strads_actor_t *self, worker_t *s, const strads__eng_t *e)
{
	strads__job_t *job = s->job;
	strads_msg_t *m;
	uint32_t w;
	blk_t *b;
	int rc;

	/* Idle: no round running nor queued. Parts may wait here for the
	 * next sweep (across processes a holder hands a part on as soon as
	 * it is done with it); they are rows of the rotate table, which a
	 * move does not touch. */
	if (job->app->reshard == NULL || s->busy || s->head != NULL) {
		dropped(self, s, "move of shards");
		return;
	}
	if ((rc = strads__move_begin(&s->mv, e, &job->shards[s->index], s->tabs)) != 0) {
		if (rc == STRADS_EPROTO)
			dropped(self, s, "move of shards");
		else
			fail(self, s, rc); /* the move would never end */
		return;
	}
	for (w = 0; w < (uint32_t)job->nworkers; w++) {
		if ((m = strads__move_rows(&s->mv, w, s->tabs, &rc)) != NULL)
			strads_send(self, job->workers[w], m);
		else if (rc != 0) {
			fail(self, s, rc);
			return;
		}
	}
	/* Rows that came before this block. */
	while ((b = s->early) != NULL) {
		s->early = b->next;
		if (strads__move_take(&s->mv, &b->e) != 0)
			dropped(self, s, "rows of a move");
		strads__eng_free(&b->e);
		free(b);
	}
	if (s->mv.due == 0)
		mv_rows_in(self, s);
}

/* A worker's rows of a move (the TROWS of kind KIND_RESHARD); takes e. */
static void
on_move_rows(strads_actor_t *self, worker_t *s, const strads_msg_t *m,
    strads__eng_t *e)
{
	strads__job_t *job = s->job;
	blk_t *b, *q;
	int n = 0;

	if (job->app->reshard == NULL || e->from >= (uint32_t)job->nworkers ||
	    job->workers[e->from].node != m->src.node ||
	    job->workers[e->from].actor != m->src.actor || e->round != s->mv.moves)
		goto bad;
	if (s->mv.on) {
		if (strads__move_take(&s->mv, e) != 0)
			goto bad;
		strads__eng_free(e);
		if (s->mv.due == 0)
			mv_rows_in(self, s);
		return;
	}
	/* Before the move's block (another worker had it first): kept, at
	 * most one a worker. */
	for (q = s->early; q != NULL; q = q->next)
		if (q->e.from == e->from || ++n >= job->nworkers)
			goto bad;
	if ((b = calloc(1, sizeof(*b))) == NULL) {
		strads__eng_free(e);
		fail(self, s, STRADS_ENOMEM);
		return;
	}
	b->e = *e;
	b->next = s->early;
	s->early = b;
	return;
bad:
	strads__eng_free(e);
	dropped(self, s, "rows of a move");
}

/* The app rebuilt its state: the move is done here. */
static void
mv_done(strads_actor_t *self, worker_t *s)
{
	strads__eng_t e;
	strads_msg_t *m;

	s->busy = 0;
	s->mv.on = 0;
	if (s->w.init_err != 0) {
		strads_log(STRADS_LOG_ERROR, "worker %d: the app could not take its "
		    "new shard", s->index);
		fail(self, s, STRADS_EIO);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.round = s->mv.moves++;
	e.kind = KIND_RESHARD;
	e.from = (uint32_t)s->index;
	if ((m = strads__eng_encode(ENG_DONE, &e)) == NULL) {
		fail(self, s, STRADS_ENOMEM);
		return;
	}
	strads_send(self, s->job->coord, m);
	pump(self, s);
}

/* A gather (the end of the job, or a snapshot with nothing in flight):
 * this worker's rows of every worker-home table to the coordinator;
 * worker 0 also reads the ssp table once every worker's clock is at its
 * own, so that the values hold every increment of the rounds done and
 * none later (the clocks are left alone: a snapshot's job goes on). */
static void
ssp_gathered(strads_table_client_t *c, int status, void *arg)
{
	worker_t *s = arg;
	strads__job_t *job = s->job;
	strads__eng_t e;
	strads_msg_t *m;

	(void)c;
	if (status == STRADS_ECANCELED)
		return; /* the worker is stopping (its client closes) */
	if (status != 0) {
		fail(s->self, s, status); /* the gather would wait for it */
		return;
	}
	memset(&e, 0, sizeof(e));
	e.round = (uint64_t)job->tab_ssp;
	e.a = (uint32_t)job->tab_rows[job->tab_ssp];
	e.nd = (uint32_t)(job->tab_rows[job->tab_ssp] * job->tab_width[job->tab_ssp]);
	e.val = s->ssp_buf;
	if ((m = strads__eng_encode(ENG_TROWS, &e)) == NULL)
		fail(s->self, s, STRADS_ENOMEM);
	else
		strads_send(s->self, job->coord, m);
}

static void
on_gather(strads_actor_t *self, worker_t *s)
{
	strads__job_t *job = s->job;
	const strads_shard_t *sh = &job->shards[s->index];
	uint32_t t;
	strads__eng_t e;
	strads_msg_t *m;

	for (t = 0; t < job->ntab; t++) {
		size_t rowb = STRADS__ROW_BYTES(job, t);
		uint64_t rows = sh->row_end - sh->row_begin, r0 = 0, per;
		/* A message holds at most a frame: the rows go in runs that
		 * fit, in order, the last with from = 0 (more follow: 1). */
		size_t room = strads_actor_runtime(self)->cfg.max_frame - STRADS_MSG_HDR_SIZE - 256;
		int err;

		if (s->tabs[t] == NULL)
			continue;
		per = rowb > 0 ? room / rowb : rows;
		if (per == 0) {
			fail(self, s, STRADS_EMSGSIZE); /* a row larger than a frame */
			return;
		}
		do {
			uint64_t n = rows - r0 < per ? rows - r0 : per;

			memset(&e, 0, sizeof(e));
			e.round = t;
			e.dep = sh->row_begin + r0;
			e.a = (uint32_t)n;
			e.nd = (uint32_t)((n * rowb + 7) / 8);
			e.val = (double *)(void *)((uint8_t *)s->tabs[t] + r0 * rowb);
			e.from = r0 + n < rows;
			if ((m = strads__eng_encode(ENG_TROWS, &e)) == NULL) {
				fail(self, s, STRADS_ENOMEM); /* the gather would wait */
				return;
			}
			if ((err = strads_send(self, job->coord, m)) != 0) {
				fail(self, s, err);
				return;
			}
			r0 += n;
		} while (r0 < rows);
	}
	if (s->ssp != NULL && s->index == 0) {
		if (strads__table_get_many_at(s->ssp, s->ssp_keys,
		    job->tab_rows[job->tab_ssp], s->ssp_buf, ssp_gathered, s) != 0)
			fail(self, s, STRADS_ENOMEM);
	}
}

static int
worker_init(strads_actor_t *self, void *arg)
{
	worker_t *s = strads_actor_state(self);
	strads__role_arg_t *a = arg;

	s->job = a->job;
	s->self = self;
	s->index = a->index;
	s->applied = STRADS__ROUND_NONE;
	s->dround = STRADS__ROUND_NONE;
	strads__move_init(&s->mv, s->job, s->index);
	if (strads__role_init_fault("worker") ||
	    (s->dpart = calloc((size_t)s->job->nstores, sizeof(*s->dpart))) == NULL ||
	    (s->dhave = calloc((size_t)s->job->nstores, 1)) == NULL ||
	    tables_init(self, s) != 0) {
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

	for (k = 0; k < s->job->nstores; k++) {
		strads__eng_free(&s->dpart[k]);
		s->dhave[k] = 0;
	}
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
	if (b != NULL && job->tab_rot >= 0 && b->e.kind != KIND_CHECK) {
		rot_t r;

		if (rot_of(job, &b->e, &r) != 0)
			return; /* not queued (on_block) */
		if (!rot_ready(s, &b->e, &r))
			return;
		s->head = b->next;
		if (s->head == NULL)
			s->tail = NULL;
		s->w.blk = &b->e;
		s->w.do_rot = 1;
	} else if (b != NULL && (b->e.dep == STRADS__ROUND_NONE || b->e.dep == applied)) {
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
	if (!s->w.do_apply && !s->w.do_push && !s->w.do_rot) {
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
	if (s->w.do_rot)
		rot_done(self, s);
	if (s->w.do_push)
		send_partials(self, s);
	round_free(s);
	pump(self, s);
}

/* Whether an update block's ids are parameters of the job, ascending:
 * the app indexes its arrays by them, and split_parts cuts them into
 * the stores' runs. */
static int
ids_ok(const strads__job_t *job, const strads__eng_t *e)
{
	uint32_t i;

	for (i = 0; i < e->n; i++)
		if (e->idx[i] >= job->p || (i > 0 && e->idx[i] < e->idx[i - 1]))
			return 0;
	return 1;
}

static void
on_block(strads_actor_t *self, worker_t *s, const strads_msg_t *m)
{
	blk_t *b = calloc(1, sizeof(*b));
	rot_t r;

	if (b == NULL || strads__eng_decode(m, &b->e) != 0) {
		free(b);
		fail(self, s, STRADS_ENOMEM); /* or malformed: a round is lost */
		return;
	}
	if (s->job->tab_rot >= 0 && b->e.kind == KIND_RESHARD) {
		on_move(self, s, &b->e);
		strads__eng_free(&b->e);
		free(b);
		return;
	}
	if (s->job->tab_rot >= 0 && b->e.kind != KIND_CHECK &&
	    rot_of(s->job, &b->e, &r) != 0) {
		/* Queued, it would stop every block behind it. */
		strads__eng_free(&b->e);
		free(b);
		dropped(self, s, "rotation block");
		return;
	}
	if (s->job->tab_rot < 0 && b->e.kind == KIND_UPDATE && !ids_ok(s->job, &b->e)) {
		strads__eng_free(&b->e);
		free(b);
		dropped(self, s, "block");
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

	if (strads__eng_decode(m, &e) != 0 || e.from >= (uint32_t)s->job->nstores ||
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
	if (s->dhave[e.from]) {
		/* A second part from one store would count as another's
		 * (and leak the first). */
		strads__eng_free(&e);
		dropped(self, s, "change (twice from one store)");
		return;
	}
	s->dpart[e.from] = e;
	s->dhave[e.from] = 1;
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
	if (s->ssp != NULL && strads_table_client_recv(s->ssp, m))
		return;
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
		} else if (d.tag == TAG_RESHARD) {
			mv_done(self, s);
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
	case ENG_PART:
		on_part(self, s, m);
		break;
	case ENG_GATHER:
		on_gather(self, s);
		break;
	case ENG_TROWS:
		on_part_request(self, s, m);
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
	if (s->dpart != NULL && s->dhave != NULL)
		release_deltas(s); /* else init failed: none were taken */
	free(s->dpart);
	free(s->dhave);
	/* A round still taken when the job stopped (its completion is not
	 * delivered once the worker stops; no compute holds it now). */
	round_free(s);
	strads__big_free(s->chk_all);
	strads__big_free(s->chk_part);
	strads__big_free(s->chk_sidx);
	strads__big_free(s->chk_sval);
	if (s->wstate != NULL && s->job->app->worker_fini != NULL)
		s->job->app->worker_fini(s->wstate);
	while (s->parts != NULL) {
		part_t *p = s->parts;

		s->parts = p->next;
		free(p);
	}
	while (s->wanted != NULL) {
		part_t *p = s->wanted;

		s->wanted = p->next;
		free(p);
	}
	while (s->early != NULL) {
		blk_t *e = s->early;

		s->early = e->next;
		strads__eng_free(&e->e);
		free(e);
	}
	strads__move_fini(&s->mv);
	strads_table_client_close(s->ssp);
	free(s->ssp_keys);
	free(s->ssp_buf);
	free(s->ssp_delta);
	if (s->tabs != NULL) {
		uint32_t t;

		s->job->shards[s->index].tables = NULL;
		for (t = 0; t < s->job->ntab; t++)
			free(s->tabs[t]);
		free(s->tabs);
	}
	strads__job_role_stopped(s->job);
}

const strads_actor_type_t strads__worker_type = {
    "worker", sizeof(worker_t), worker_init, worker_recv, worker_stop};
