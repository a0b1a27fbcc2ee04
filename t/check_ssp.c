/*
 * check_ssp.c -- what the ssp home needs of the SSP tables (doc/schmp.md,
 * "The ssp home across processes"): a read at the reader's own clock
 * (strads__table_get_many_at) waits for every client's clock to reach it
 * and then holds exactly the updates of the clocks below, where a plain
 * read at the same clock answers within the staleness bound; a table
 * created from starting rows (strads__table_create_seeded) reads them
 * back; a table's shards stopped while the runtime runs
 * (strads__table_stop) are gone when the call returns, so the table can
 * be freed and another made in its place, and a stop sent by an actor
 * (not posted by the process) is refused.
 *
 * Actors only record what they see; the test thread asserts afterwards.
 * No test touches NNG: everything is in one process.
 */
#include "strads-int.h"
#include "table.h"

#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define MSG_GO (STRADS_MSG_USER + 9)
#define NKEYS 8

static strads_runtime_t *
rt_new(int nloops)
{
	strads_runtime_t *rt;
	strads_config_t cfg;

	strads_config_init(&cfg);
	cfg.nloops = nloops;
	cfg.ncompute = 1;
	ck_assert_int_eq(strads_runtime_new(&rt, &cfg), 0);
	return rt;
}

static void
rt_finish(strads_runtime_t *rt, strads_table_t *t)
{
	strads_runtime_stop(rt);
	ck_assert_int_eq(strads_runtime_wait(rt), 0); /* every loop closed */
	strads_table_free(t);
	strads_runtime_free(rt);
}

static const uint64_t keys[NKEYS] = {0, 1, 2, 3, 4, 5, 6, 7};

/* ------------------------------------------------------------------ */
/* A scripted client: fn runs at start and after every event (a read's */
/* rows, a MSG_GO from the test), step counting the events.            */

typedef struct cl_s cl_t;

typedef struct {
	strads_table_t *t;
	uint32_t id;
	void (*fn)(cl_t *s);
	void *ctx;           /* the test's */
	atomic_int *closed;  /* set once the client closed, or NULL */
} cl_arg_t;

struct cl_s {
	cl_arg_t a;
	strads_actor_t *self;
	strads_table_client_t *c;
	int step;
	double rows[NKEYS * 2]; /* reads land here (width <= 2) */
};

static void
cl_next(cl_t *s)
{
	s->step++;
	s->a.fn(s);
}

static void
cl_read(strads_table_client_t *c, int status, void *arg)
{
	(void)c;
	if (status == STRADS_ECANCELED)
		return; /* closing */
	TEST_REQUIRE(status == 0);
	cl_next(arg);
}

static int
cl_init(strads_actor_t *self, void *arg)
{
	cl_t *s = strads_actor_state(self);

	s->a = *(cl_arg_t *)arg;
	s->self = self;
	if (strads_table_client_open(self, s->a.t, s->a.id, &s->c) != 0)
		return -1;
	s->a.fn(s);
	return 0;
}

static void
cl_recv(strads_actor_t *self, const strads_msg_t *m)
{
	cl_t *s = strads_actor_state(self);

	if (strads_table_client_recv(s->c, m))
		return;
	TEST_REQUIRE(m->type == MSG_GO);
	cl_next(s);
}

static void
cl_stop(strads_actor_t *self)
{
	cl_t *s = strads_actor_state(self);

	strads_table_client_close(s->c);
	if (s->a.closed != NULL)
		atomic_store(s->a.closed, 1);
}

static const strads_actor_type_t cl_type = {"ssp-client", sizeof(cl_t), cl_init,
    cl_recv, cl_stop};

static void
go(strads_runtime_t *rt, strads_addr_t to)
{
	ck_assert_int_eq(strads_post(rt, to, strads_msg_new(MSG_GO, 0)), 0);
}

static void
inc1(cl_t *s, uint64_t key, double v)
{
	TEST_REQUIRE(strads_table_inc(s->c, key, &v) == 0);
}

/* ------------------------------------------------------------------ */
/* A read at the reader's own clock.                                   */

typedef struct {
	double plain[NKEYS], at[NKEYS];
	atomic_int plain_done, at_done, b_done;
} at_t;

/* Client 0: two clocks of its own, a plain read (s = 2: answered at
 * once), then a read at its clock 2 (held until client 1 is there). */
static void
at_a(cl_t *s)
{
	at_t *x = s->a.ctx;

	switch (s->step) {
	case 0:
		inc1(s, 1, 1);
		TEST_REQUIRE(strads_table_clock(s->c) == 0);
		inc1(s, 5, 2);
		TEST_REQUIRE(strads_table_clock(s->c) == 0);
		TEST_REQUIRE(strads_table_get_many(s->c, keys, NKEYS, s->rows, cl_read,
		    s) == 0);
		break;
	case 1:
		memcpy(x->plain, s->rows, sizeof(x->plain));
		atomic_store(&x->plain_done, 1);
		TEST_REQUIRE(strads__table_get_many_at(s->c, keys, NKEYS, s->rows, cl_read,
		    s) == 0);
		break;
	case 2:
		memcpy(x->at, s->rows, sizeof(x->at));
		atomic_store(&x->at_done, 1);
		break;
	default:
		break;
	}
}

/* Client 1: on the go, two clocks with increments, then a third
 * increment left unclocked (never in the cut of clock 2). */
static void
at_b(cl_t *s)
{
	at_t *x = s->a.ctx;

	if (s->step != 1)
		return;
	inc1(s, 1, 10);
	TEST_REQUIRE(strads_table_clock(s->c) == 0);
	inc1(s, 2, 100);
	TEST_REQUIRE(strads_table_clock(s->c) == 0);
	inc1(s, 3, 1000);
	atomic_store(&x->b_done, 1);
}

START_TEST(read_at_own_clock)
{
	strads_runtime_t *rt = rt_new(2);
	strads_table_opts_t o;
	strads_table_stats_t st;
	strads_table_t *t = NULL;
	strads_addr_t b;
	cl_arg_t aa, ab;
	char err[256];
	at_t x;
	int i;

	memset(&x, 0, sizeof(x));
	strads_table_opts_init(&o);
	o.name = "at";
	o.nrows = NKEYS;
	o.staleness = 2;
	o.nclients = 2;
	o.nshards = 2;
	ck_assert_int_eq(strads_table_create(rt, &o, &t, err, sizeof(err)), 0);
	aa = (cl_arg_t){t, 0, at_a, &x, NULL};
	ab = (cl_arg_t){t, 1, at_b, &x, NULL};
	ck_assert_int_eq(strads_spawn(rt, &cl_type, 0, &aa, NULL), 0);
	ck_assert_int_eq(strads_spawn(rt, &cl_type, 1, &ab, &b), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	/* The plain read is within the bound; the read at clock 2 is held
	 * at both shards: client 1 has not ended a clock. */
	WAIT_UNTIL(atomic_load(&x.plain_done) == 1, 10000);
	WAIT_UNTIL((strads_table_stats(t, &st), st.held_gets == 2), 10000);
	ck_assert_int_eq(atomic_load(&x.at_done), 0);
	go(rt, b);
	WAIT_UNTIL(atomic_load(&x.at_done) == 1, 10000);
	ck_assert_int_eq(atomic_load(&x.b_done), 1);
	rt_finish(rt, t);
	/* The plain read: the reader's own updates only. */
	for (i = 0; i < NKEYS; i++)
		ck_assert_double_eq(x.plain[i], i == 1 ? 1 : i == 5 ? 2 : 0);
	/* The cut at clock 2: every update of clocks 0 and 1 of both,
	 * nothing of client 1's open clock 2. */
	for (i = 0; i < NKEYS; i++)
		ck_assert_double_eq(x.at[i], i == 1 ? 11 : i == 2 ? 100 : i == 5 ? 2 : 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Starting rows.                                                       */

typedef struct {
	double rows[NKEYS * 2];
	atomic_int done;
} seed_t;

static void
seed_fn(cl_t *s)
{
	seed_t *x = s->a.ctx;

	if (s->step == 0) {
		TEST_REQUIRE(strads_table_get_many(s->c, keys, NKEYS, s->rows, cl_read,
		    s) == 0);
	} else if (s->step == 1) {
		memcpy(x->rows, s->rows, sizeof(x->rows));
		atomic_store(&x->done, 1);
	}
}

START_TEST(seeded_rows)
{
	strads_runtime_t *rt = rt_new(2);
	strads_table_opts_t o;
	strads_table_t *t = NULL, *bad = NULL;
	double rows[NKEYS * 2];
	cl_arg_t a;
	char err[256];
	seed_t x;
	int i;

	memset(&x, 0, sizeof(x));
	for (i = 0; i < NKEYS * 2; i++)
		rows[i] = 0.5 * i - 3;
	strads_table_opts_init(&o);
	o.name = "seeded";
	o.nrows = NKEYS;
	o.width = 2;
	o.nclients = 1;
	o.nshards = 3; /* rows 0-2, 3-5, 6-7 */
	/* Starting rows are for a dense table without restore_dir. */
	o.kind = STRADS_TABLE_SPARSE;
	ck_assert_int_eq(strads__table_create_seeded(rt, &o, rows, &bad, err, sizeof(err)),
	    STRADS_EINVAL);
	ck_assert_ptr_null(bad);
	ck_assert_ptr_nonnull(strstr(err, "starting rows"));
	o.kind = STRADS_TABLE_DENSE;
	ck_assert_int_eq(strads__table_create_seeded(rt, &o, rows, &t, err, sizeof(err)), 0);
	/* The seed was copied: the caller's array is its own again. */
	memset(rows, 0, sizeof(rows));
	a = (cl_arg_t){t, 0, seed_fn, &x, NULL};
	ck_assert_int_eq(strads_spawn(rt, &cl_type, 1, &a, NULL), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	WAIT_UNTIL(atomic_load(&x.done) == 1, 10000);
	rt_finish(rt, t);
	for (i = 0; i < NKEYS * 2; i++)
		ck_assert_double_eq(x.rows[i], 0.5 * i - 3);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Stopping the shards while the runtime runs.                          */

/* An actor that sends a stop to shard 0 of its table, as a peer would
 * (strads_send: its own address as the source), then reads. */
static void
forge_fn(cl_t *s)
{
	seed_t *x = s->a.ctx;

	if (s->step == 0) {
		inc1(s, 4, 7);
		TEST_REQUIRE(strads_table_clock(s->c) == 0);
		TEST_REQUIRE(strads_send(s->self, strads_table_shard(s->a.t, 0),
		    strads_msg_new(STRADS__MSG_ENG_STOP, 0)) == 0);
		TEST_REQUIRE(strads__table_get_many_at(s->c, keys, NKEYS, s->rows, cl_read,
		    s) == 0);
	} else if (s->step == 1) {
		memcpy(x->rows, s->rows, NKEYS * sizeof(double));
		atomic_store(&x->done, 1);
		strads_actor_stop(s->self); /* its client closes first */
	}
}

START_TEST(stop_while_running)
{
	strads_runtime_t *rt = rt_new(2);
	strads_table_opts_t o;
	strads_table_stats_t st;
	strads_table_t *t = NULL, *t2 = NULL;
	atomic_int closed;
	cl_arg_t a;
	char err[256];
	seed_t x;
	int i, round;

	strads_table_opts_init(&o);
	o.name = "stopped";
	o.nrows = NKEYS;
	o.nclients = 1;
	o.nshards = 3;
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	/* A table after another, each stopped and freed while the runtime
	 * runs (the cluster's ssp table, one per layout). */
	for (round = 0; round < 3; round++) {
		memset(&x, 0, sizeof(x));
		atomic_store(&closed, 0);
		ck_assert_int_eq(strads_table_create(rt, &o, &t, err, sizeof(err)), 0);
		a = (cl_arg_t){t, 0, forge_fn, &x, &closed};
		ck_assert_int_eq(strads_spawn(rt, &cl_type, round & 1, &a, NULL), 0);
		WAIT_UNTIL(atomic_load(&x.done) == 1, 10000);
		/* The forged stop was refused: the shard answered the read. */
		strads_table_stats(t, &st);
		ck_assert_uint_eq(st.rejected, 1);
		for (i = 0; i < NKEYS; i++)
			ck_assert_double_eq(x.rows[i], i == 4 ? 7 : 0);
		/* Clients close before the shards stop. */
		WAIT_UNTIL(atomic_load(&closed) == 1, 10000);
		strads__table_stop(t);
		strads__table_stop(t); /* a second time: nothing */
		strads_table_free(t);
		t = NULL;
	}
	/* A table whose runtime stopped first: nothing to wait for. */
	ck_assert_int_eq(strads_table_create(rt, &o, &t2, err, sizeof(err)), 0);
	strads_runtime_stop(rt);
	ck_assert_int_eq(strads_runtime_wait(rt), 0);
	strads__table_stop(t2);
	strads_table_free(t2);
	strads_runtime_free(rt);
}
END_TEST

static Suite *
ssp_suite(void)
{
	Suite *s = suite_create("ssp");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, read_at_own_clock);
	tcase_add_test(tc, seeded_rows);
	tcase_add_test(tc, stop_while_running);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ssp_suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
