/*
 * check_homes.c -- parameter tables and their homes (doc/schmp.md), with
 * the test app of t/rotapp.c: a rotation over a rotate table whose
 * counters move to and from the workers' tables must keep their sum in
 * every round and overall, never give a part to two workers in a round,
 * give every worker every part once a sweep, hand a part over at the
 * same address in one process, and leave the ssp table holding the sum
 * of its increments; parts are cut by work and again by the time they
 * took. Under the straggler rule a worker made slower gets fewer data
 * rows between sweeps, its worker-table rows moving with them, every
 * invariant holding in every round, and the run ends with the tables of
 * a run without the slow worker. Worker tables under a dynamic schedule
 * follow the data shards and come back in the result. Bad table
 * declarations are refused. Messages a role did not get from its job
 * (forged from another node, malformed, naming rows, parts, ids or
 * holders the job lacks, a part for a position already started, a
 * worker's table rows twice at the coordinator, or a move of shards
 * that is not the job's) are dropped and counted, and a rotation job
 * whose engine message cannot be made ends instead of waiting.
 */
#include "schmp.h"
#include "strads-int.h"

#include <check.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "rotapp.h"
#include "testapps.h"
#include "testutil.h"

/* A job of the test app: its options, its ssp table and its rows. */
typedef struct {
	strads_runtime_t *rt;
	strads_table_t *ssp;
	strads_table_t *ssp_of[ROTAPP_NTABLES];
	uint64_t rows[ROTAPP_NTABLES];
	strads_job_opts_t o;
} job_t;

static void
job_setup(job_t *j, rotapp_t *a, int nworkers, uint32_t nparts, uint64_t sweeps,
    uint32_t staleness)
{
	strads_table_opts_t to;
	char err[256];

	memset(j, 0, sizeof(*j));
	j->rt = testapp_engine_up(2);
	strads_table_opts_init(&to);
	to.name = "moved";
	to.nrows = ROTAPP_K;
	to.width = 1;
	to.staleness = staleness;
	to.nclients = (uint32_t)nworkers;
	to.nshards = 1;
	ck_assert_int_eq(strads_table_create(j->rt, &to, &j->ssp, err, sizeof(err)), 0);
	j->ssp_of[ROTAPP_SSP] = j->ssp;
	j->rows[ROTAPP_ROTATE] = a->vrows;
	j->rows[ROTAPP_SSP] = ROTAPP_K;
	strads_job_opts_init(&j->o);
	j->o.nparams = 1;
	j->o.nrows = a->nrows;
	j->o.nworkers = nworkers;
	j->o.schedule = STRADS_SCHEDULE_ROTATION;
	j->o.nparts = nparts;
	j->o.table_rows = j->rows;
	j->o.ssp = j->ssp_of;
	j->o.depth = 2;
	j->o.max_rounds = sweeps * (nparts ? nparts : 2 * (uint64_t)nworkers);
}

static void
job_down(job_t *j)
{
	testapp_engine_down(j->rt);
	strads_table_free(j->ssp);
}

static void
result_free(strads_job_result_t *res)
{
	uint32_t t;

	for (t = 0; t < res->ntables; t++)
		free(res->tables[t]);
	free(res->tables);
	free(res->params);
}

/* Runs the app on nworkers workers and nparts parts for sweeps sweeps
 * and asserts every invariant of the homes. */
static void
run_rot(int nworkers, uint32_t nparts, uint64_t sweeps, uint32_t staleness)
{
	static rotapp_t a;
	strads_job_result_t res;
	job_t j;
	const int32_t *rot, *held;
	const double *moved;
	int64_t total = 0, inw = 0, want_net = 0;
	uint64_t r, i;
	uint32_t q, P = nparts ? nparts : 2 * (uint32_t)nworkers;
	int w;

	rotapp_init(&a, 37, 29);
	job_setup(&j, &a, nworkers, nparts, sweeps, staleness);
	ck_assert_int_eq(strads_job_run(j.rt, &rotapp_app, &a, &j.o, &res), 0);
	ck_assert_uint_eq(res.rounds, sweeps * P);
	ck_assert_uint_eq(res.sweeps, sweeps);
	ck_assert_int_eq(atomic_load(&a.rounds), (int)(sweeps * P) * nworkers);
	/* No part has two holders in a round; each worker holds one part a
	 * round; over a sweep every worker holds every part once. */
	ck_assert_int_eq(atomic_load(&a.twice), 0);
	for (r = 0; r < sweeps * P; r++)
		for (w = 0; w < nworkers; w++)
			ck_assert_int_eq(atomic_load(&a.held[r][w]), 1);
	for (r = 0; r < sweeps; r++)
		for (q = 0; q < P; q++)
			for (w = 0; w < nworkers; w++) {
				int n = 0;
				uint64_t t;

				for (t = r * P; t < (r + 1) * P; t++)
					n += atomic_load(&a.holder[t][q]) == w + 1;
				ck_assert_int_eq(n, 1);
			}
	/* The counters' sum held in every round, and overall. */
	ck_assert_int_eq(atomic_load(&a.unbalanced), 0);
	ck_assert_uint_eq(res.ntables, ROTAPP_NTABLES);
	ck_assert_ptr_null(res.tables[ROTAPP_STORE]);
	rot = res.tables[ROTAPP_ROTATE];
	held = res.tables[ROTAPP_WORKER];
	moved = res.tables[ROTAPP_SSP];
	ck_assert_ptr_nonnull(rot);
	ck_assert_ptr_nonnull(held);
	ck_assert_ptr_nonnull(moved);
	for (i = 0; i < a.vrows * ROTAPP_K; i++)
		total += rot[i];
	for (i = 0; i < a.nrows; i++)
		inw += held[i];
	ck_assert_int_gt(inw, 0); /* counts did move */
	ck_assert_int_eq(total + inw, (int64_t)a.vrows * ROTAPP_K * a.fill);
	/* The store table's check saw the worker tables' sum. */
	ck_assert_double_eq(res.progress.objective, (double)inw);
	/* Hand-overs kept the part's address; the ssp reads were sums of
	 * moves and its final rows are the sum of every increment. */
	ck_assert_int_eq(atomic_load(&a.moved_addr), 0);
	if (nworkers > 1)
		ck_assert_int_gt(atomic_load(&a.same_addr), 0);
	ck_assert_int_eq(atomic_load(&a.ssp_bad), 0);
	for (q = 0; q < ROTAPP_K; q++) {
		ck_assert_double_eq(moved[q], (double)atomic_load(&a.net[q]));
		want_net += atomic_load(&a.net[q]);
	}
	ck_assert_int_eq(want_net, inw);
	result_free(&res);
	job_down(&j);
}

START_TEST(rotation_invariants)
{
	run_rot(3, 0, 2, 1); /* P = 2W */
	run_rot(3, 3, 2, 0); /* P = W, strict reads */
	run_rot(2, 7, 3, 2); /* P > W, odd */
	run_rot(1, 0, 2, 0);
}
END_TEST

/* Sets the stop flag after a few milliseconds, from another thread,
 * as a signal handler would. */
static volatile sig_atomic_t stop_flag;

static void
stop_later(void *arg)
{
	(void)arg;
	uv_sleep(15);
	__atomic_store_n(&stop_flag, 1, __ATOMIC_RELAXED);
}

/* A limit or a stop that comes mid-sweep ends the job at the sweep's
 * end: its last check is at a sweep boundary, where a rotation app's
 * check is meant to run (LDA's word term is summed by each part's last
 * holder of a sweep; before this, a run stopped mid-sweep reported count
 * errors). Each run ends on whole sweeps, its invariants intact. */
START_TEST(limit_mid_sweep)
{
	static rotapp_t a;
	strads_job_result_t res;
	job_t j;
	uv_thread_t th;
	int run;

	for (run = 0; run < 4; run++) {
		const int32_t *rot, *held;
		int64_t total = 0, inw = 0;
		uint64_t i;

		rotapp_init(&a, 37, 29);
		job_setup(&j, &a, 2, 7, 1000000, 1);
		if (run % 2 == 0) {
			j.o.time_limit_s = 0.02 * (run + 1);
		} else {
			stop_flag = 0;
			j.o.stop = &stop_flag;
			ck_assert_int_eq(uv_thread_create(&th, stop_later, NULL), 0);
		}
		ck_assert_int_eq(strads_job_run(j.rt, &rotapp_app, &a, &j.o, &res), 0);
		if (run % 2 == 1)
			uv_thread_join(&th);
		ck_assert_int_eq(res.converged, 0);
		ck_assert_uint_gt(res.sweeps, 0);
		ck_assert_msg(res.rounds == res.sweeps * 7, "%llu rounds for %llu sweeps of 7",
		    (unsigned long long)res.rounds, (unsigned long long)res.sweeps);
		ck_assert_int_eq(atomic_load(&a.twice), 0);
		ck_assert_int_eq(atomic_load(&a.unbalanced), 0);
		rot = res.tables[ROTAPP_ROTATE];
		held = res.tables[ROTAPP_WORKER];
		for (i = 0; i < a.vrows * ROTAPP_K; i++)
			total += rot[i];
		for (i = 0; i < a.nrows; i++)
			inw += held[i];
		ck_assert_int_eq(total + inw, (int64_t)a.vrows * ROTAPP_K * a.fill);
		ck_assert_double_eq(res.progress.objective, (double)inw);
		result_free(&res);
		job_down(&j);
	}
}
END_TEST

/* Parts are cut by the app's row cost, and between sweeps by the time
 * they took: a part made slow is given fewer rows in the next sweep. */
START_TEST(rotation_recut)
{
	static rotapp_t a;
	strads_job_result_t res;
	job_t j;
	uint64_t n0, n1;
	uint32_t P = 4;

	rotapp_init(&a, 20, 120);
	a.slow_part = 0;
	job_setup(&j, &a, 2, P, 2, 0);
	ck_assert_int_eq(strads_job_run(j.rt, &rotapp_app, &a, &j.o, &res), 0);
	/* The first cut evens the app's cost (1 + r mod 3 a row: 240 in
	 * all, 30 rows a part); the slow part 0 then gets fewer. */
	n0 = atomic_load(&a.rows_of[0][0]);
	n1 = atomic_load(&a.rows_of[P][0]);
	ck_assert_uint_eq(n0, 30);
	ck_assert_uint_lt(n1, n0);
	ck_assert_int_eq(atomic_load(&a.twice), 0);
	ck_assert_int_eq(atomic_load(&a.unbalanced), 0);
	result_free(&res);
	job_down(&j);
}
END_TEST

/* The straggler rule: one worker is made slow (its rotate spins four
 * times longer a data row), so its sweep is the longest however the
 * parts are cut; between sweeps its shard shrinks, and the worker-table
 * rows of the rows it gives up move to its neighbours. The test app's
 * exact moves make the tables a function of the sweeps alone, so the
 * run must end with the tables of a run without the slow worker. */
#define STRAG_ROWS 48
#define STRAG_SWEEPS 8

static void
run_strag(rotapp_t *a, int slow, strads_job_result_t *res, job_t *j)
{
	uint64_t r, sum;
	uint32_t P = 6, q;
	int w, n;

	rotapp_init(a, STRAG_ROWS, 24);
	a->exact = 1;
	a->spin = 20000;
	a->slow_shard = slow;
	a->slow_factor = 4;
	job_setup(j, a, 3, 0, STRAG_SWEEPS, 1);
	ck_assert_int_eq(strads_job_run(j->rt, &rotapp_app, a, &j->o, res), 0);
	ck_assert_uint_eq(res->rounds, STRAG_SWEEPS * P);
	ck_assert_uint_eq(res->sweeps, STRAG_SWEEPS);
	/* Every round: one part a worker, no part with two holders, the
	 * counters' sums kept, and the shards hold every data row once
	 * (each at least one). Every sweep: each worker holds each part
	 * once. */
	ck_assert_int_eq(atomic_load(&a->twice), 0);
	ck_assert_int_eq(atomic_load(&a->unbalanced), 0);
	ck_assert_int_eq(atomic_load(&a->ssp_bad), 0);
	for (r = 0; r < STRAG_SWEEPS * P; r++) {
		sum = 0;
		for (w = 0; w < 3; w++) {
			ck_assert_int_eq(atomic_load(&a->held[r][w]), 1);
			ck_assert_uint_ge(atomic_load(&a->shard_rows[r][w]), 1);
			sum += atomic_load(&a->shard_rows[r][w]);
		}
		ck_assert_uint_eq(sum, STRAG_ROWS);
		/* A shard moves only between sweeps. */
		if (r % P != 0)
			for (w = 0; w < 3; w++)
				ck_assert_uint_eq(atomic_load(&a->shard_rows[r][w]),
				    atomic_load(&a->shard_rows[r - 1][w]));
	}
	for (r = 0; r < STRAG_SWEEPS; r++)
		for (q = 0; q < P; q++)
			for (w = 0; w < 3; w++) {
				uint64_t t;

				n = 0;
				for (t = r * P; t < (r + 1) * P; t++)
					n += atomic_load(&a->holder[t][q]) == w + 1;
				ck_assert_int_eq(n, 1);
			}
	/* At every move each row came with the value the sweeps give it. */
	ck_assert_int_eq(atomic_load(&a->bad_rows), 0);
}

START_TEST(straggler_rule)
{
	static rotapp_t a, b;
	strads_job_result_t res, base;
	job_t j, k;
	const int32_t *held;
	uint64_t last = (STRAG_SWEEPS - 1) * 6, d, s, v, c;
	int64_t total = 0, inw = 0;

	run_strag(&a, 1, &res, &j);
	/* The slow worker's shard shrank, below each of the others'. */
	ck_assert_int_gt(atomic_load(&a.reshards), 0);
	ck_assert_uint_eq(atomic_load(&a.shard_rows[0][1]), STRAG_ROWS / 3);
	ck_assert_uint_lt(atomic_load(&a.shard_rows[last][1]), STRAG_ROWS / 3);
	ck_assert_uint_lt(atomic_load(&a.shard_rows[last][1]),
	    atomic_load(&a.shard_rows[last][0]));
	ck_assert_uint_lt(atomic_load(&a.shard_rows[last][1]),
	    atomic_load(&a.shard_rows[last][2]));
	/* Every worker-table row is in the result once, with its value. */
	held = res.tables[ROTAPP_WORKER];
	for (d = 0; d < STRAG_ROWS; d++) {
		int32_t want = 0;

		for (s = 0; s < STRAG_SWEEPS; s++)
			for (v = 0; v < a.vrows; v++)
				for (c = 0; c < ROTAPP_K; c++)
					want += (v + d + c + s) % 3 == 0;
		ck_assert_int_eq(held[d], want);
		inw += held[d];
	}
	total = inw;
	for (d = 0; d < a.vrows * ROTAPP_K; d++)
		total += ((const int32_t *)res.tables[ROTAPP_ROTATE])[d];
	ck_assert_int_eq(total, (int64_t)a.vrows * ROTAPP_K * a.fill);
	/* The last check summed the worker tables on the moved shards. */
	ck_assert_double_eq(res.progress.objective, (double)inw);
	/* The same tables as a run without the slow worker. */
	run_strag(&b, -1, &base, &k);
	ck_assert_int_eq(memcmp(res.tables[ROTAPP_WORKER], base.tables[ROTAPP_WORKER],
	    STRAG_ROWS * sizeof(int32_t)), 0);
	ck_assert_int_eq(memcmp(res.tables[ROTAPP_ROTATE], base.tables[ROTAPP_ROTATE],
	    a.vrows * ROTAPP_K * sizeof(int32_t)), 0);
	ck_assert_int_eq(memcmp(res.tables[ROTAPP_SSP], base.tables[ROTAPP_SSP],
	    ROTAPP_K * sizeof(double)), 0);
	ck_assert_double_eq(res.progress.objective, base.progress.objective);
	result_free(&res);
	result_free(&base);
	job_down(&j);
	job_down(&k);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Worker tables under a dynamic schedule: the column-means app of
 * testapps.c with its two worker tables. "fit" (f64) keeps x_i . params
 * for each data row as the changes are applied; "tag" (i32, width 2)
 * holds each row's index and shard. Both come back in the result, every
 * row from the worker whose shard holds it. */

START_TEST(worker_tables_gathered)
{
	const uint64_t n = 53;
	const uint32_t p = 11;
	double x[53 * 11] = {0};
	testapp_means_t d = testapp_means_of(x, n, p);
	strads_runtime_t *rt = testapp_engine_up(2);
	strads_job_opts_t o;
	strads_job_result_t res;
	const double *fit;
	const int32_t *tag;
	uint64_t i;
	uint32_t j;
	int nw, w;

	for (i = 0; i < n * p; i++)
		x[i] = (double)((i * 7919) % 113) / 9.0;
	for (nw = 1; nw <= 4; nw += 3) {
		strads_job_opts_init(&o);
		o.nparams = p;
		o.nrows = n;
		o.nworkers = nw;
		o.nstores = 2;
		o.block = 4;
		o.tol = 1e-20;
		o.max_rounds = 40;
		ck_assert_int_eq(strads_job_run(rt, &testapp_means_tables, &d, &o, &res), 0);
		ck_assert_uint_eq(res.ntables, TESTAPP_NTABLES);
		ck_assert_ptr_null(res.tables[TESTAPP_MEANS]);
		fit = res.tables[TESTAPP_FIT];
		tag = res.tables[TESTAPP_TAG];
		for (i = 0; i < n; i++) {
			double want = 0;

			for (j = 0; j < p; j++)
				want += x[i * p + j] * res.params[j];
			ck_assert_double_eq_tol(fit[i], want, 1e-9 * (1 + want));
			ck_assert_int_eq(tag[2 * i], (int32_t)i);
			for (w = 0; n * (uint64_t)(w + 1) / (uint64_t)nw <= i; w++)
				;
			ck_assert_int_eq(tag[2 * i + 1], w);
		}
		result_free(&res);
	}
	testapp_engine_down(rt);
}
END_TEST

START_TEST(bad_declarations)
{
	static rotapp_t a;
	strads_job_result_t res;
	strads_app_t app = rotapp_app;
	strads_table_decl_t t2[ROTAPP_NTABLES];
	job_t j;

	rotapp_init(&a, 10, 8);
	job_setup(&j, &a, 2, 0, 1, 0);
	/* A rotate table needs the rotation schedule and its callback. */
	j.o.schedule = STRADS_SCHEDULE_PRIORITY;
	ck_assert_int_eq(strads_job_run(j.rt, &rotapp_app, &a, &j.o, &res), STRADS_EINVAL);
	j.o.schedule = STRADS_SCHEDULE_ROTATION;
	app.rotate = NULL;
	ck_assert_int_eq(strads_job_run(j.rt, &app, &a, &j.o, &res), STRADS_EINVAL);
	/* Two tables of a single home; a store table of other rows. */
	memcpy(t2, rotapp_app.tables, sizeof(t2));
	t2[ROTAPP_WORKER].home = STRADS_HOME_ROTATE;
	app = rotapp_app;
	app.tables = t2;
	ck_assert_int_eq(strads_job_run(j.rt, &app, &a, &j.o, &res), STRADS_EINVAL);
	memcpy(t2, rotapp_app.tables, sizeof(t2));
	t2[ROTAPP_STORE].rows = 5;
	ck_assert_int_eq(strads_job_run(j.rt, &app, &a, &j.o, &res), STRADS_EINVAL);
	/* An ssp table without its SSP table, or one of another shape. */
	j.o.ssp = NULL;
	ck_assert_int_eq(strads_job_run(j.rt, &rotapp_app, &a, &j.o, &res), STRADS_EINVAL);
	j.o.ssp = j.ssp_of;
	j.rows[ROTAPP_SSP] = ROTAPP_K + 1;
	ck_assert_int_eq(strads_job_run(j.rt, &rotapp_app, &a, &j.o, &res), STRADS_EINVAL);
	j.rows[ROTAPP_SSP] = ROTAPP_K;
	/* A rotate table whose rows x width x value size wraps (2^64
	 * bytes: allocated as 1, then filled). */
	memcpy(t2, rotapp_app.tables, sizeof(t2));
	t2[ROTAPP_ROTATE].width = 1u << 31;
	j.rows[ROTAPP_ROTATE] = 1u << 31;
	ck_assert_int_eq(strads_job_run(j.rt, &app, &a, &j.o, &res), STRADS_EINVAL);
	j.rows[ROTAPP_ROTATE] = a.vrows;
	/* Fewer rotate rows than workers. */
	j.rows[ROTAPP_ROTATE] = 1;
	ck_assert_int_eq(strads_job_run(j.rt, &rotapp_app, &a, &j.o, &res), STRADS_EINVAL);
	job_down(&j);
}
END_TEST

/* Rotation messages a worker did not get from its job: forged (a frame
 * without a secret may claim any source node), malformed, or naming
 * rows, parts or holders the job does not have. Each is dropped and
 * counted in dropped_proto; an address in a part is never followed. The
 * worker is spawned alone, its coordinator a sink that records what the
 * worker sends. */
typedef struct {
	atomic_int trows, stops, bad_trows, dones, readys;
	const uint8_t *rot_rows; /* what a TROWS of row 0 must carry */
} sink_t;

static int
sink_init(strads_actor_t *self, void *arg)
{
	*(sink_t **)strads_actor_state(self) = arg;
	return 0;
}

static void
sink_recv(strads_actor_t *self, const strads_msg_t *m)
{
	sink_t *k = *(sink_t **)strads_actor_state(self);
	strads__eng_t e;

	if (m->type == ENG_STOP) {
		atomic_fetch_add(&k->stops, 1);
	} else if (m->type == ENG_DONE) {
		atomic_fetch_add(&k->dones, 1);
	} else if (m->type == ENG_READY) {
		atomic_fetch_add(&k->readys, 1);
	} else if (m->type == ENG_TROWS) {
		if (strads__eng_decode(m, &e) != 0 || e.dep != 0 || e.a != 1 ||
		    e.nd != 1 || memcmp(e.val, k->rot_rows, 8) != 0)
			atomic_fetch_add(&k->bad_trows, 1);
		strads__eng_free(&e);
		atomic_fetch_add(&k->trows, 1);
	}
}

static const strads_actor_type_t sink_type = {
    "sink", sizeof(sink_t *), sink_init, sink_recv, NULL};

/* Posts an engine message to dst as if from node (the transport's
 * delivery, without a frame). */
static void
forge(strads_runtime_t *rt, strads_addr_t dst, uint32_t node, uint16_t type,
    const strads__eng_t *e)
{
	strads_msg_t *m = strads__eng_encode(type, e);

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(strads__post_enter(rt), 0);
	m->src.node = node;
	m->src.actor = 0;
	m->dst = dst;
	m->flags = 0;
	strads__loop_push(&rt->loops[STRADS_ACTOR_LOOP(dst.actor)], m, m);
	strads__post_leave(rt);
}

/* As forge, from the address src. */
static void
forge_from(strads_runtime_t *rt, strads_addr_t dst, strads_addr_t src, uint16_t type,
    const strads__eng_t *e)
{
	strads_msg_t *m = strads__eng_encode(type, e);

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(strads__post_enter(rt), 0);
	m->src = src;
	m->dst = dst;
	m->flags = 0;
	strads__loop_push(&rt->loops[STRADS_ACTOR_LOOP(dst.actor)], m, m);
	strads__post_leave(rt);
}

static uint64_t
dropped_proto(strads_runtime_t *rt)
{
	strads_stats_t st;

	strads_runtime_stats(rt, &st);
	return st.dropped_proto;
}

START_TEST(forged_rotation_messages)
{
	static rotapp_t a;
	static uint8_t bait[4096]; /* an address a forged part names */
	strads_job_result_t res;
	strads__job_t *job;
	strads__role_arg_t arg;
	strads_addr_t wk, sk;
	sink_t k;
	strads__eng_t e;
	uint32_t ids[ROT_NIDX], me, far;
	uint64_t d0;
	job_t j;

	rotapp_init(&a, 10, 8);
	job_setup(&j, &a, 2, 4, 1, 0);
	me = strads_runtime_node(j.rt);
	far = me + 7;
	memset(bait, 0xa5, sizeof(bait));
	ck_assert_int_eq(strads__job_new(&rotapp_app, &a, &j.o, &res, &job), 0);
	memset(&k, 0, sizeof(k));
	k.rot_rows = job->rot_rows;
	ck_assert_int_eq(strads_spawn(j.rt, &sink_type, 0, &k, &sk), 0);
	job->coord = sk;
	job->workers[1] = sk;
	atomic_store(&job->alive, 1);
	memset(&arg, 0, sizeof(arg));
	arg.job = job;
	arg.index = 0;
	ck_assert_int_eq(strads_spawn(j.rt, &strads__worker_type, 1, &arg, &wk), 0);
	job->workers[0] = wk;
	d0 = dropped_proto(j.rt);

	/* A part by reference from another node; one claiming this node
	 * whose address is not its rows' place here; one of rows past the
	 * table; one of a part the job does not have. */
	memset(&e, 0, sizeof(e));
	memset(ids, 0, sizeof(ids));
	ids[2] = 1; /* rows [0, 1) */
	e.n = 4;
	e.idx = ids;
	e.round = 3;
	e.dep = (uint64_t)(uintptr_t)(bait + 2048);
	forge(j.rt, wk, far, ENG_PART, &e);
	forge(j.rt, wk, me, ENG_PART, &e);
	e.dep = 0;
	ids[2] = 9; /* 8 rows */
	e.nd = 9;
	e.val = (double *)(void *)bait;
	forge(j.rt, wk, far, ENG_PART, &e);
	ids[2] = 1;
	e.nd = 1;
	e.a = 4; /* 4 parts */
	forge(j.rt, wk, far, ENG_PART, &e);
	WAIT_UNTIL(dropped_proto(j.rt) == d0 + 4, 10000);

	/* Asked for the forged part, the worker has nothing to send; asked
	 * for part 0 at rest, it sends row 0 of its rotate table (after any
	 * answer to the first request, were there one). */
	memset(&e, 0, sizeof(e));
	e.n = 4;
	e.idx = ids;
	e.dep = 3;
	forge(j.rt, wk, me, ENG_TROWS, &e);
	e.dep = UINT64_MAX;
	forge(j.rt, wk, me, ENG_TROWS, &e);
	WAIT_UNTIL(atomic_load(&k.trows) == 1, 10000);
	ck_assert_int_eq(atomic_load(&k.bad_trows), 0);
	/* A request for rows past the table. */
	ids[2] = 9;
	forge(j.rt, wk, far, ENG_TROWS, &e);
	WAIT_UNTIL(dropped_proto(j.rt) == d0 + 5, 10000);

	/* Rotation blocks naming rows past the table, a next holder or a
	 * last holder the job does not have, a part past nparts. */
	memset(&e, 0, sizeof(e));
	memset(ids, 0, sizeof(ids));
	e.n = ROT_NIDX;
	e.idx = ids;
	e.kind = KIND_UPDATE;
	e.from = ROT_REST;
	ids[2] = 9;
	ids[4] = ROT_REST;
	forge(j.rt, wk, far, ENG_BLOCK, &e);
	ids[2] = 1;
	ids[4] = 2;
	forge(j.rt, wk, far, ENG_BLOCK, &e);
	ids[4] = ROT_REST;
	e.from = 5;
	forge(j.rt, wk, far, ENG_BLOCK, &e);
	e.from = ROT_REST;
	e.a = 4;
	forge(j.rt, wk, far, ENG_BLOCK, &e);
	WAIT_UNTIL(dropped_proto(j.rt) == d0 + 9, 10000);

	/* Changes from a store index that is negative as an int: the round
	 * they belong to is lost, so the worker ends the job. */
	memset(&e, 0, sizeof(e));
	e.from = 0x80000000u;
	forge(j.rt, wk, far, ENG_DELTA, &e);
	WAIT_UNTIL(atomic_load(&k.stops) == 1, 10000);
	ck_assert_int_eq(atomic_load(&k.trows), 1);

	ck_assert_int_eq(strads_post(j.rt, wk, strads_msg_new(ENG_STOP, 0)), 0);
	uv_sem_wait(&job->done);
	strads__job_free(job);
	job_down(&j);
}
END_TEST

/* Moves of shards a worker did not get from its job (the straggler
 * rule's messages, KIND_RESHARD): a move naming old bounds that are not
 * this worker's shard, a move out of turn, bounds that do not cover the
 * rows in order, rows from an address that is not the worker named, and
 * rows twice, are dropped and counted. A genuine move whose rows come
 * before its block takes them: worker 0 of two (rows [0, 5) of 10) gets
 * rows [5, 7) with their values, its app is told (reshard), and it
 * reports the move done. */
START_TEST(forged_moves)
{
	static rotapp_t a;
	strads_job_result_t res;
	strads__job_t *job;
	strads__role_arg_t arg;
	strads_addr_t wk, sk, far;
	sink_t k;
	strads__eng_t e;
	uint32_t ids[12];
	uint64_t d0, b[2][3] = {{0, 5, 10}, {0, 7, 10}};
	double rows[1];
	const int32_t *held;
	int i, which;
	job_t j;

	rotapp_init(&a, 10, 8);
	job_setup(&j, &a, 2, 4, 1, 0);
	ck_assert_int_eq(strads__job_new(&rotapp_app, &a, &j.o, &res, &job), 0);
	memset(&k, 0, sizeof(k));
	k.rot_rows = job->rot_rows;
	ck_assert_int_eq(strads_spawn(j.rt, &sink_type, 0, &k, &sk), 0);
	job->coord = sk;
	job->workers[1] = sk;
	atomic_store(&job->alive, 1);
	memset(&arg, 0, sizeof(arg));
	arg.job = job;
	arg.index = 0;
	ck_assert_int_eq(strads_spawn(j.rt, &strads__worker_type, 1, &arg, &wk), 0);
	job->workers[0] = wk;
	forge_from(j.rt, wk, sk, ENG_START, &(strads__eng_t){0});
	WAIT_UNTIL(atomic_load(&k.readys) == 1, 10000);
	d0 = dropped_proto(j.rt);

	memset(&e, 0, sizeof(e));
	e.kind = KIND_RESHARD;
	e.n = 12;
	e.idx = ids;
#define BOUNDS()                                                              \
	for (which = 0; which < 2; which++)                                   \
		for (i = 0; i < 3; i++) {                                     \
			ids[6 * which + 2 * i] = (uint32_t)b[which][i];       \
			ids[6 * which + 2 * i + 1] = (uint32_t)(b[which][i] >> 32); \
		}
	b[0][1] = 4; /* not worker 0's shard */
	BOUNDS();
	forge_from(j.rt, wk, sk, ENG_BLOCK, &e);
	b[0][1] = 5;
	b[1][1] = 11; /* past the rows */
	BOUNDS();
	forge_from(j.rt, wk, sk, ENG_BLOCK, &e);
	b[1][1] = 7;
	b[1][2] = 9; /* short of the rows */
	BOUNDS();
	forge_from(j.rt, wk, sk, ENG_BLOCK, &e);
	b[1][2] = 10;
	BOUNDS();
	e.round = 1; /* out of turn */
	forge_from(j.rt, wk, sk, ENG_BLOCK, &e);
	WAIT_UNTIL(dropped_proto(j.rt) == d0 + 4, 10000);

	/* Worker 1's rows [5, 7) (one double carries two int32 rows), from
	 * an address that is not worker 1's, then from worker 1 twice. */
	memset(&e, 0, sizeof(e));
	e.kind = KIND_RESHARD;
	e.from = 1;
	e.dep = 5;
	e.a = 2;
	e.nd = 1;
	e.val = rows;
	memcpy(rows, (int32_t[2]){41, 42}, 8);
	far = sk;
	far.node += 7;
	forge_from(j.rt, wk, far, ENG_TROWS, &e);
	forge_from(j.rt, wk, sk, ENG_TROWS, &e);
	forge_from(j.rt, wk, sk, ENG_TROWS, &e);
	WAIT_UNTIL(dropped_proto(j.rt) == d0 + 6, 10000);
	ck_assert_int_eq(atomic_load(&k.dones), 0);

	/* The move: the rows that came are taken. */
	memset(&e, 0, sizeof(e));
	e.kind = KIND_RESHARD;
	e.n = 12;
	e.idx = ids;
	forge_from(j.rt, wk, sk, ENG_BLOCK, &e);
	WAIT_UNTIL(atomic_load(&k.dones) == 1, 10000);
	ck_assert_int_eq(atomic_load(&a.reshards), 1);
	ck_assert_uint_eq(job->shards[0].row_begin, 0);
	ck_assert_uint_eq(job->shards[0].row_end, 7);
	held = job->shards[0].tables[ROTAPP_WORKER];
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(held[i], 0);
	ck_assert_int_eq(held[5], 41);
	ck_assert_int_eq(held[6], 42);
	/* Rows of a move already done. */
	memset(&e, 0, sizeof(e));
	e.kind = KIND_RESHARD;
	e.from = 1;
	e.dep = 5;
	e.a = 2;
	e.nd = 1;
	e.val = rows;
	forge_from(j.rt, wk, sk, ENG_TROWS, &e);
	WAIT_UNTIL(dropped_proto(j.rt) == d0 + 7, 10000);
	ck_assert_uint_eq(dropped_proto(j.rt), d0 + 7);
#undef BOUNDS

	ck_assert_int_eq(strads_post(j.rt, wk, strads_msg_new(ENG_STOP, 0)), 0);
	uv_sem_wait(&job->done);
	strads__job_free(job);
	job_down(&j);
}
END_TEST

/* A rotation job whose Nth engine message cannot be made (test hook
 * STRADS_TEST_FAIL_ENG) ends with STRADS_ENOMEM or, past its last
 * message, succeeds; it never waits forever for a part, a DONE or a
 * gathered table that was never sent. */
typedef struct {
	job_t *j;
	rotapp_t *a;
	strads_job_result_t res;
	int rc;
	atomic_int done;
} oom_run_t;

static void
oom_main(void *arg)
{
	oom_run_t *r = arg;

	r->rc = strads_job_run(r->j->rt, &rotapp_app, r->a, &r->j->o, &r->res);
	atomic_store(&r->done, 1);
}

START_TEST(rotation_message_oom)
{
	static rotapp_t a;
	int i, passed = 0, failed = 0;
	char v[16];

	for (i = 1; passed < 2; i++) {
		oom_run_t r;
		job_t j;
		uv_thread_t t;

		rotapp_init(&a, 10, 8);
		job_setup(&j, &a, 2, 4, 2, 0);
		memset(&r, 0, sizeof(r));
		r.j = &j;
		r.a = &a;
		atomic_init(&r.done, 0);
		snprintf(v, sizeof(v), "%d", i);
		ck_assert_int_eq(setenv("STRADS_TEST_FAIL_ENG", v, 1), 0);
		ck_assert_int_eq(uv_thread_create(&t, oom_main, &r), 0);
		WAIT_UNTIL(atomic_load(&r.done) == 1, 20000);
		ck_assert_int_eq(uv_thread_join(&t), 0);
		if (r.rc == 0) {
			passed++;
		} else {
			ck_assert_msg(r.rc == STRADS_ENOMEM, "N = %d: job returned %s", i,
			    strads_errname(r.rc));
			failed++;
			passed = 0;
		}
		result_free(&r.res);
		job_down(&j);
	}
	/* Disarmed: the last job ended before its Nth encoding, which
	 * would otherwise fail in the next test (CK_FORK=no). */
	unsetenv("STRADS_TEST_FAIL_ENG");
	strads__eng_fault_arm();
	ck_assert_int_gt(failed, 10);
}
END_TEST

/* Update partials a store did not get from its job's workers: under a
 * rotation (the app has no pull) or naming ids outside the store's
 * range. Each is dropped and counted; none reaches the app or indexes
 * the store's parameters. */
static void
stub_pull(void *shared, const strads_block_t *b, const double *partials,
    double *vals, double *delta)
{
	(void)shared;
	(void)b;
	(void)partials;
	(void)vals;
	(void)delta;
}

START_TEST(forged_update_partials)
{
	static rotapp_t a;
	strads_job_result_t res;
	strads__job_t *job;
	strads__role_arg_t arg;
	strads_app_t app = rotapp_app;
	strads_addr_t st, sk;
	sink_t k;
	strads__eng_t e;
	uint32_t id, far;
	double v = 1;
	uint64_t d0;
	int pass;
	job_t j;

	for (pass = 0; pass < 2; pass++) {
		rotapp_init(&a, 10, 8);
		job_setup(&j, &a, 2, 4, 1, 0);
		far = strads_runtime_node(j.rt) + 7;
		app.pull = pass == 0 ? NULL : stub_pull;
		ck_assert_int_eq(strads__job_new(&app, &a, &j.o, &res, &job), 0);
		memset(&k, 0, sizeof(k));
		ck_assert_int_eq(strads_spawn(j.rt, &sink_type, 0, &k, &sk), 0);
		job->coord = sk;
		job->workers[0] = job->workers[1] = sk;
		job->scheds[0] = sk;
		atomic_store(&job->alive, 1);
		memset(&arg, 0, sizeof(arg));
		arg.job = job;
		ck_assert_int_eq(strads_spawn(j.rt, &strads__store_type, 1, &arg, &st), 0);
		job->stores[0] = st;
		d0 = dropped_proto(j.rt);
		/* Pass 0: id 0 is the store's, but a rotation pulls nothing;
		 * pass 1: an id far past its range of one. */
		id = pass == 0 ? 0 : 0x7fffffffu;
		memset(&e, 0, sizeof(e));
		e.kind = KIND_UPDATE;
		e.n = 1;
		e.idx = &id;
		e.nd = 1;
		e.val = &v;
		e.from = 0;
		forge(j.rt, st, far, ENG_PARTIAL, &e);
		e.from = 1;
		forge(j.rt, st, far, ENG_PARTIAL, &e);
		WAIT_UNTIL(dropped_proto(j.rt) == d0 + 2, 10000);
		ck_assert_int_eq(strads_post(j.rt, st, strads_msg_new(ENG_STOP, 0)), 0);
		uv_sem_wait(&job->done);
		strads__job_free(job);
		job_down(&j);
	}
}
END_TEST

/* Update blocks naming parameters the job does not have, or ids out of
 * order, are dropped and counted before the app could index by them;
 * so is a store's second part of a round's changes. */
START_TEST(forged_update_blocks)
{
	static rotapp_t a;
	strads_job_result_t res;
	strads__job_t *job;
	strads__role_arg_t arg;
	strads_app_t app = rotapp_app;
	strads_addr_t wk, sk;
	strads_runtime_t *rt;
	strads_job_opts_t o;
	sink_t k;
	strads__eng_t e;
	uint32_t ids[2];
	uint64_t d0;

	rotapp_init(&a, 10, 8);
	rt = testapp_engine_up(2);
	app.tables = NULL;
	app.ntables = 0;
	app.pull = stub_pull;
	strads_job_opts_init(&o);
	o.nparams = 4;
	o.nrows = 10;
	o.nworkers = 2;
	o.nstores = 2;
	o.schedule = STRADS_SCHEDULE_PRIORITY;
	ck_assert_int_eq(strads__job_new(&app, &a, &o, &res, &job), 0);
	memset(&k, 0, sizeof(k));
	ck_assert_int_eq(strads_spawn(rt, &sink_type, 0, &k, &sk), 0);
	job->coord = sk;
	job->stores[0] = job->stores[1] = sk;
	atomic_store(&job->alive, 1);
	memset(&arg, 0, sizeof(arg));
	arg.job = job;
	ck_assert_int_eq(strads_spawn(rt, &strads__worker_type, 1, &arg, &wk), 0);
	job->workers[0] = wk;
	d0 = dropped_proto(rt);
	memset(&e, 0, sizeof(e));
	e.kind = KIND_UPDATE;
	e.dep = STRADS__ROUND_NONE;
	e.idx = ids;
	e.n = 1;
	ids[0] = 4; /* 4 parameters */
	forge(rt, wk, strads_runtime_node(rt) + 7, ENG_BLOCK, &e);
	e.n = 2;
	ids[0] = 2;
	ids[1] = 1;
	forge(rt, wk, strads_runtime_node(rt) + 7, ENG_BLOCK, &e);
	WAIT_UNTIL(dropped_proto(rt) == d0 + 2, 10000);
	/* Changes of a round from store 0 twice (of 2 stores): the second
	 * is dropped, not counted as store 1's. */
	memset(&e, 0, sizeof(e));
	e.round = 0;
	forge(rt, wk, strads_runtime_node(rt) + 7, ENG_DELTA, &e);
	forge(rt, wk, strads_runtime_node(rt) + 7, ENG_DELTA, &e);
	WAIT_UNTIL(dropped_proto(rt) == d0 + 3, 10000);
	ck_assert_int_eq(strads_post(rt, wk, strads_msg_new(ENG_STOP, 0)), 0);
	uv_sem_wait(&job->done);
	strads__job_free(job);
	testapp_engine_down(rt);
}
END_TEST

/* A worker's rows of a table twice (a duplicate, or a forgery claiming
 * its address) are counted once: the gather waits for every worker's
 * rows. The roles send to a relay that passes each message on to the
 * coordinator as sent, and worker 0's first rows twice. In the second
 * pass (bad_cand) it passes instead, before the first list of candidates,
 * a copy naming id p: the coordinator drops and counts it, and takes the
 * scheduler's own list. */
typedef struct {
	strads__job_t *job;
	strads_addr_t coord;
	int bad_cand; /* instead: a candidate list naming id p first */
	atomic_int doubled;
} relay_t;

static int
relay_init(strads_actor_t *self, void *arg)
{
	*(relay_t **)strads_actor_state(self) = arg;
	return 0;
}

static void
relay_pass(strads_actor_t *self, relay_t *r, const strads_msg_t *m)
{
	strads_runtime_t *rt = strads_actor_runtime(self);
	strads_msg_t *c = strads_msg_new(m->type, m->len);

	ck_assert_ptr_nonnull(c);
	if (m->len > 0)
		memcpy(c->data, m->data, m->len);
	c->src = m->src;
	c->dst = r->coord;
	c->flags = 0;
	ck_assert_int_eq(strads__post_enter(rt), 0);
	strads__loop_push(&rt->loops[STRADS_ACTOR_LOOP(r->coord.actor)], c, c);
	strads__post_leave(rt);
}

static void
relay_recv(strads_actor_t *self, const strads_msg_t *m)
{
	relay_t *r = *(relay_t **)strads_actor_state(self);

	if (m->type < ENG_START)
		return;
	if (r->bad_cand && m->type == ENG_CAND && atomic_load(&r->doubled) == 0) {
		strads__eng_t e;
		strads_msg_t *f;

		ck_assert_int_eq(strads__eng_decode(m, &e), 0);
		if (e.n > 0) {
			e.idx[e.n - 1] = (uint32_t)r->job->p;
			ck_assert_ptr_nonnull(f = strads__eng_encode(ENG_CAND, &e));
			f->src = m->src;
			relay_pass(self, r, f);
			strads_msg_free(f);
			atomic_store(&r->doubled, 1);
		}
		strads__eng_free(&e);
	}
	relay_pass(self, r, m);
	if (!r->bad_cand && m->type == ENG_TROWS && m->src.node == r->job->workers[0].node &&
	    m->src.actor == r->job->workers[0].actor &&
	    atomic_fetch_add(&r->doubled, 1) == 0)
		relay_pass(self, r, m);
}

static const strads_actor_type_t relay_type = {
    "relay", sizeof(relay_t *), relay_init, relay_recv, NULL};

START_TEST(coordinator_drops)
{
	int bad_cand = _i;
	const uint64_t n = 53;
	const uint32_t p = 11;
	static double x[53 * 11];
	testapp_means_t d = testapp_means_of(x, n, p);
	strads_runtime_t *rt = testapp_engine_up(2);
	strads_job_opts_t o;
	strads_job_result_t res;
	strads__job_t *job;
	strads__role_arg_t arg;
	strads_addr_t ra;
	relay_t r;
	const int32_t *tag;
	uint64_t i, d0;
	int w;

	for (i = 0; i < n * p; i++)
		x[i] = (double)((i * 7919) % 113) / 9.0;
	strads_job_opts_init(&o);
	o.nparams = p;
	o.nrows = n;
	o.nworkers = 4;
	o.nstores = 2;
	o.block = 4;
	o.tol = 1e-20;
	o.max_rounds = 8;
	ck_assert_int_eq(strads__job_new(&testapp_means_tables, &d, &o, &res, &job), 0);
	for (w = 0; w < job->nworkers; w++)
		job->worker_node[w] = strads_runtime_node(rt);
	for (w = 0; w < job->nstores; w++)
		job->store_node[w] = strads_runtime_node(rt);
	for (w = 0; w < job->nscheds; w++)
		job->sched_node[w] = strads_runtime_node(rt);
	memset(&r, 0, sizeof(r));
	r.job = job;
	r.bad_cand = bad_cand;
	ck_assert_int_eq(strads_spawn(rt, &relay_type, 0, &r, &ra), 0);
	job->coord = ra;
	d0 = dropped_proto(rt);
	ck_assert_int_eq(strads__job_spawn(rt, job, 0), 0);
	/* The coordinator at its own address, the roles' messages to it
	 * through the relay. */
	memset(&arg, 0, sizeof(arg));
	arg.job = job;
	atomic_fetch_add(&job->alive, 1);
	ck_assert_int_eq(strads_spawn(rt, &strads__coordinator_type, 1, &arg, &r.coord), 0);
	uv_sem_wait(&job->done);
	ck_assert_int_eq(job->status, 0);
	ck_assert_int_ge(atomic_load(&r.doubled), 1);
	ck_assert_uint_eq(dropped_proto(rt), d0 + 1);
	tag = res.tables[TESTAPP_TAG];
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(tag[2 * i], (int32_t)i);
		for (w = 0; n * (uint64_t)(w + 1) / 4 <= i; w++)
			;
		ck_assert_int_eq(tag[2 * i + 1], w);
	}
	strads__job_free(job);
	result_free(&res);
	testapp_engine_down(rt);
}
END_TEST

/* A part handed over for a position this worker has already started is
 * stale (a duplicate, or a forgery): dropped and counted, never taken
 * for a later round. The worker (alone, as above) runs position 5 with
 * part 0 at rest; then a part for position 3 is dropped, one for 6 is
 * kept. */
START_TEST(stale_part)
{
	static rotapp_t a;
	static uint8_t rows[64];
	strads_job_result_t res;
	strads__job_t *job;
	strads__role_arg_t arg;
	strads_addr_t wk, sk;
	sink_t k;
	strads__eng_t e;
	uint32_t ids[ROT_NIDX], far;
	uint64_t d0;
	job_t j;

	rotapp_init(&a, 10, 8);
	job_setup(&j, &a, 2, 4, 1, 0);
	far = strads_runtime_node(j.rt) + 7;
	ck_assert_int_eq(strads__job_new(&rotapp_app, &a, &j.o, &res, &job), 0);
	memset(&k, 0, sizeof(k));
	k.rot_rows = job->rot_rows;
	ck_assert_int_eq(strads_spawn(j.rt, &sink_type, 0, &k, &sk), 0);
	job->coord = sk;
	job->workers[1] = sk;
	atomic_store(&job->alive, 1);
	memset(&arg, 0, sizeof(arg));
	arg.job = job;
	ck_assert_int_eq(strads_spawn(j.rt, &strads__worker_type, 1, &arg, &wk), 0);
	job->workers[0] = wk;
	d0 = dropped_proto(j.rt);

	/* Started; then position 5: part 0 (row 0), taken and left at
	 * rest. */
	ck_assert_int_eq(strads_post(j.rt, wk, strads_msg_new(ENG_START, 0)), 0);
	memset(&e, 0, sizeof(e));
	memset(ids, 0, sizeof(ids));
	e.n = ROT_NIDX;
	e.idx = ids;
	e.kind = KIND_UPDATE;
	e.from = ROT_REST;
	ids[2] = 1;
	ids[4] = ROT_REST;
	ids[7] = 5;
	forge(j.rt, wk, strads_runtime_node(j.rt), ENG_BLOCK, &e);
	WAIT_UNTIL(atomic_load(&k.dones) >= 1, 10000);
	ck_assert_uint_eq(dropped_proto(j.rt), d0);

	/* Part 1 (row 1) for position 3, then for 6. */
	memset(&e, 0, sizeof(e));
	memset(ids, 0, sizeof(ids));
	ids[0] = 1;
	ids[2] = 2;
	e.n = 4;
	e.idx = ids;
	e.a = 1;
	e.nd = 1;
	e.val = (double *)(void *)rows;
	e.round = 3;
	forge(j.rt, wk, far, ENG_PART, &e);
	WAIT_UNTIL(dropped_proto(j.rt) == d0 + 1, 10000);
	e.round = 6;
	forge(j.rt, wk, far, ENG_PART, &e);
	/* A second copy of the kept one is dropped as held. */
	forge(j.rt, wk, far, ENG_PART, &e);
	WAIT_UNTIL(dropped_proto(j.rt) == d0 + 2, 10000);

	ck_assert_int_eq(strads_post(j.rt, wk, strads_msg_new(ENG_STOP, 0)), 0);
	uv_sem_wait(&job->done);
	strads__job_free(job);
	job_down(&j);
}
END_TEST

static Suite *
homes_suite(void)
{
	Suite *s = suite_create("homes");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, rotation_invariants);
	tcase_add_test(tc, rotation_recut);
	tcase_add_test(tc, limit_mid_sweep);
	tcase_add_test(tc, straggler_rule);
	tcase_add_test(tc, worker_tables_gathered);
	tcase_add_test(tc, bad_declarations);
	tcase_add_test(tc, forged_rotation_messages);
	tcase_add_test(tc, forged_moves);
	tcase_add_test(tc, rotation_message_oom);
	tcase_add_test(tc, forged_update_partials);
	tcase_add_test(tc, forged_update_blocks);
	tcase_add_loop_test(tc, coordinator_drops, 0, 2);
	tcase_add_test(tc, stale_part);
	suite_add_tcase(s, tc);
	return s;
}

STRADS_TEST_MAIN(homes_suite)
