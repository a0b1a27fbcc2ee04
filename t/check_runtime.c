/*
 * check_runtime.c -- the runtime object, actors, local delivery, credit,
 * timers, compute offload and shutdown.
 */
#include "strads-int.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "testactors.h"
#include "testutil.h"


static strads_runtime_t *
rt_new(int nloops, size_t credit)
{
	strads_runtime_t *rt;
	strads_config_t cfg;

	strads_config_init(&cfg);
	cfg.nloops = nloops;
	cfg.ncompute = 2;
	if (credit != 0)
		cfg.credit_bytes = credit;
	ck_assert_int_eq(strads_runtime_new(&rt, &cfg), 0);
	return rt;
}

static void
rt_finish(strads_runtime_t *rt)
{
	strads_runtime_stop(rt);
	ck_assert_int_eq(strads_runtime_wait(rt), 0); /* every uv_loop_close == 0 */
	strads_runtime_free(rt);
}

static void
pingpong(int nloops, int loop_a, int loop_b, uint64_t n)
{
	strads_runtime_t *rt = rt_new(nloops, 0);
	atomic_ullong count;
	pp_arg_t a, b;
	strads_addr_t addr_b;

	atomic_init(&count, 0);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	b.limit = a.limit = n;
	b.count = a.count = &count;
	ck_assert_int_eq(strads_spawn(rt, &pp_type, loop_b, &b, &addr_b), 0);
	/* b's peer is set below, before anything can reach b: b only replies
	 * and a starts from a timer once the runtime runs. */
	a.peer = addr_b;
	a.starter = 1;
	ck_assert_int_eq(strads_spawn(rt, &pp_type, loop_a, &a, &b.peer), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	WAIT_UNTIL(atomic_load(&count) == n, 20000);
	rt_finish(rt);
	ck_assert_uint_eq(atomic_load(&count), n);
}

START_TEST(pingpong_same_loop)
{
	pingpong(1, 0, 0, test_quick() ? 2000 : 100000);
}
END_TEST

START_TEST(pingpong_cross_loop)
{
	pingpong(2, 0, 1, test_quick() ? 2000 : 100000);
}
END_TEST

static void
stream(int respect_ready, int then_stop)
{
	/* A 4 KiB window holds 24 messages of 100 B: the sender runs out of
	 * credit thousands of times. */
	strads_runtime_t *rt = rt_new(2, 4096);
	atomic_ullong got, bad;
	sink_t sk;
	src_t sr;
	strads_stats_t st;
	const uint64_t n = test_quick() ? 20000 : 200000;

	atomic_init(&got, 0);
	atomic_init(&bad, 0);
	memset(&sk, 0, sizeof(sk));
	sk.got = &got;
	sk.badseq = &bad;
	sk.total = n;
	memset(&sr, 0, sizeof(sr));
	sr.total = n;
	sr.respect_ready = respect_ready;
	sr.then_stop = then_stop;
	ck_assert_int_eq(strads_spawn(rt, &sink_type, 1, &sk, &sr.peer), 0);
	ck_assert_int_eq(strads_spawn(rt, &src_type, 0, &sr, NULL), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	WAIT_UNTIL(atomic_load(&got) == n, 20000);
	strads_runtime_stats(rt, &st);
	rt_finish(rt);
	ck_assert_uint_eq(atomic_load(&got), n);
	ck_assert_uint_eq(atomic_load(&bad), 0);
	if (!respect_ready)
		ck_assert_uint_gt(st.deferred, 0);
	else
		ck_assert_uint_eq(st.deferred, 0);
}

START_TEST(stream_deferred_by_runtime)
{
	stream(0, 0);
}
END_TEST

/* A sender that stops with sends still deferred for lack of credit: they
 * leave as it stops, in order; nothing it sent is dropped. */
START_TEST(stream_sender_stops)
{
	stream(0, 1);
}
END_TEST

START_TEST(stream_writable_notifications)
{
	stream(1, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Messages of every size class, made on one loop and freed on another  */
/* and on the test's thread (some of them after the loops have ended):  */
/* every payload arrives intact and nothing leaks (sanitizer, valgrind). */

#define SZ_COUNT 14
static const size_t sz_len[SZ_COUNT] = {0, 1, 100, 150, 160, 200, 1000,
    4000, 4096, 10000, 40000, 65000, 65536, 70000};
#define SZ_ROUNDS 300
#define SZ_KEEP 64

typedef struct {
	strads_addr_t peer;
	atomic_int *got, *bad;
	strads_msg_t **kept; /* SZ_KEEP shares the test thread frees */
	int nkept;
	int producer;        /* sends to peer; else receives */
} sz_t;

static uint8_t
sz_byte(uint64_t i, size_t j)
{
	return (uint8_t)(i * 131 + j * 7 + 1);
}

static int
sz_init(strads_actor_t *self, void *arg)
{
	sz_t *z = strads_actor_state(self);

	*z = *(sz_t *)arg;
	return !z->producer || strads_timer_start(self, 0, 0, 0) > 0 ? 0 : -1;
}

static void
sz_recv(strads_actor_t *self, const strads_msg_t *m)
{
	sz_t *z = strads_actor_state(self);
	uint64_t i;
	size_t j;

	if (m->type == STRADS_MSG_TIMER) {
		for (i = 0; i < SZ_ROUNDS * SZ_COUNT; i++) {
			size_t len = sz_len[i % SZ_COUNT];
			strads_msg_t *o = strads_msg_new(MSG_DATA, len + 8);

			TEST_REQUIRE(o != NULL);
			memcpy(o->data, &i, 8);
			for (j = 0; j < len; j++)
				o->data[8 + j] = sz_byte(i, j);
			TEST_REQUIRE(strads_send(self, z->peer, o) == 0);
		}
		return;
	}
	if (m->type != MSG_DATA || m->len < 8) {
		atomic_fetch_add(z->bad, 1);
		return;
	}
	memcpy(&i, m->data, 8);
	if (m->len != sz_len[i % SZ_COUNT] + 8)
		atomic_fetch_add(z->bad, 1);
	for (j = 0; j + 8 < m->len; j++)
		if (m->data[8 + j] != sz_byte(i, j)) {
			atomic_fetch_add(z->bad, 1);
			break;
		}
	if (i % 50 == 7 && z->nkept < SZ_KEEP)
		z->kept[z->nkept++] = strads_msg_share(m, MSG_DATA);
	atomic_fetch_add(z->got, 1);
}

static const strads_actor_type_t sz_type = {
    "sizes", sizeof(sz_t), sz_init, sz_recv, NULL};

START_TEST(message_sizes)
{
	strads_runtime_t *rt = rt_new(2, 0);
	strads_msg_t *kept[SZ_KEEP];
	atomic_int got, bad;
	sz_t src, dst;
	uint64_t i;
	int k;

	atomic_init(&got, 0);
	atomic_init(&bad, 0);
	memset(&dst, 0, sizeof(dst));
	memset(kept, 0, sizeof(kept));
	dst.got = &got;
	dst.bad = &bad;
	dst.kept = kept;
	src = dst;
	src.producer = 1;
	ck_assert_int_eq(strads_spawn(rt, &sz_type, 1, &dst, &src.peer), 0);
	ck_assert_int_eq(strads_spawn(rt, &sz_type, 0, &src, NULL), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	WAIT_UNTIL(atomic_load(&got) == SZ_ROUNDS * SZ_COUNT, 20000);
	ck_assert_int_eq(atomic_load(&bad), 0);
	/* Half the kept payloads are freed while the loops run, half once
	 * they have ended (each is checked first: no block was reused while
	 * a share held it). */
	for (k = 0; k < SZ_KEEP; k++) {
		size_t j;

		ck_assert_ptr_nonnull(kept[k]);
		memcpy(&i, kept[k]->data, 8);
		for (j = 0; j + 8 < kept[k]->len; j++)
			ck_assert_uint_eq(kept[k]->data[8 + j], sz_byte(i, j));
		if (k % 2 == 0) {
			strads_msg_free(kept[k]);
			kept[k] = NULL;
		}
	}
	strads_runtime_stop(rt);
	ck_assert_int_eq(strads_runtime_wait(rt), 0);
	for (k = 0; k < SZ_KEEP; k++)
		strads_msg_free(kept[k]);
	strads_runtime_free(rt);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Timers.                                                               */

typedef struct {
	atomic_int *fired_repeat; /* borrowed */
	atomic_int *fired_once;
	atomic_int *fired_cancelled;
	int repeat_id, cancel_id;
	int nrepeat;
} tm_t;

static int
tm_init(strads_actor_t *self, void *arg)
{
	tm_t *s = strads_actor_state(self);

	*s = *(tm_t *)arg;
	s->repeat_id = strads_timer_start(self, 1, 1, 1);
	TEST_REQUIRE((strads_timer_start(self, 5, 0, 2)) > (0));
	s->cancel_id = strads_timer_start(self, 50, 0, 3);
	TEST_REQUIRE((s->repeat_id) > (0));
	TEST_REQUIRE((s->cancel_id) > (0));
	TEST_REQUIRE((strads_timer_stop(self, s->cancel_id)) == (0));
	TEST_REQUIRE((strads_timer_stop(self, 12345)) == (STRADS_EINVAL));
	return 0;
}

static void
tm_recv(strads_actor_t *self, const strads_msg_t *m)
{
	tm_t *s = strads_actor_state(self);
	uint64_t tag;

	TEST_REQUIRE((m->type) == (STRADS_MSG_TIMER));
	memcpy(&tag, m->data, sizeof(tag));
	if (tag == 1 && atomic_fetch_add(s->fired_repeat, 1) + 1 == 5)
		TEST_REQUIRE((strads_timer_stop(self, s->repeat_id)) == (0));
	if (tag == 2)
		atomic_fetch_add(s->fired_once, 1);
	if (tag == 3)
		atomic_fetch_add(s->fired_cancelled, 1);
}

static const strads_actor_type_t tm_type = {
    "timers", sizeof(tm_t), tm_init, tm_recv, NULL};

START_TEST(timers)
{
	strads_runtime_t *rt = rt_new(1, 0);
	atomic_int rep, once, canc;
	tm_t arg;
	uint64_t t0;

	atomic_init(&rep, 0);
	atomic_init(&once, 0);
	atomic_init(&canc, 0);
	memset(&arg, 0, sizeof(arg));
	arg.fired_repeat = &rep;
	arg.fired_once = &once;
	arg.fired_cancelled = &canc;
	ck_assert_int_eq(strads_spawn(rt, &tm_type, 0, &arg, NULL), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	WAIT_UNTIL(atomic_load(&rep) == 5 && atomic_load(&once) == 1, 5000);
	/* The cancelled timer was due at 50 ms: wait well past it. */
	t0 = strads_now_ns();
	while (strads_now_ns() - t0 < 150000000ull)
		uv_sleep(10);
	rt_finish(rt);
	ck_assert_int_eq(atomic_load(&rep), 5);
	ck_assert_int_eq(atomic_load(&once), 1);
	ck_assert_int_eq(atomic_load(&canc), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Compute offload: completion is a message; the loop stays responsive. */

typedef struct {
	uint64_t *data;
	size_t n;
	uint64_t sum;
	atomic_int *release; /* the job spins until the test sets this */
} job_t;

typedef struct {
	job_t job;
	atomic_int *ticks_during; /* timer ticks seen while the job ran */
	atomic_int *done;
	uint64_t *result;
	int running;
} cp_t;

static void
work(void *arg)
{
	job_t *j = arg;
	size_t i;

	while (!atomic_load(j->release))
		uv_sleep(1);
	j->sum = 0;
	for (i = 0; i < j->n; i++)
		j->sum += j->data[i];
}

static int
cp_init(strads_actor_t *self, void *arg)
{
	cp_t *s = strads_actor_state(self);

	*s = *(cp_t *)arg;
	s->running = 1;
	TEST_REQUIRE((strads_compute(self, work, &s->job, 42)) == (0));
	TEST_REQUIRE((strads_compute(self, NULL, NULL, 0)) == (STRADS_EINVAL));
	return strads_timer_start(self, 1, 1, 9) > 0 ? 0 : -1;
}

static void
cp_recv(strads_actor_t *self, const strads_msg_t *m)
{
	cp_t *s = strads_actor_state(self);
	strads_compute_done_t d;

	if (m->type == STRADS_MSG_TIMER) {
		if (s->running)
			atomic_fetch_add(s->ticks_during, 1);
		return;
	}
	TEST_REQUIRE((m->type) == (STRADS_MSG_COMPUTE));
	TEST_REQUIRE((m->len) == (sizeof(d)));
	memcpy(&d, m->data, sizeof(d));
	TEST_REQUIRE((d.tag) == (42));
	TEST_REQUIRE((d.arg) == (&s->job));
	s->running = 0;
	*s->result = s->job.sum;
	atomic_store(s->done, 1);
}

static const strads_actor_type_t cp_type = {
    "compute", sizeof(cp_t), cp_init, cp_recv, NULL};

START_TEST(compute_offload)
{
	strads_runtime_t *rt = rt_new(1, 0);
	atomic_int ticks, done, release;
	uint64_t result = 0, expect = 0;
	cp_t arg;
	size_t i;

	atomic_init(&ticks, 0);
	atomic_init(&done, 0);
	atomic_init(&release, 0);
	memset(&arg, 0, sizeof(arg));
	arg.job.n = 1000000;
	arg.job.data = malloc(arg.job.n * sizeof(uint64_t));
	ck_assert_ptr_nonnull(arg.job.data);
	for (i = 0; i < arg.job.n; i++) {
		arg.job.data[i] = i * 3 + 1;
		expect += i * 3 + 1;
	}
	arg.job.release = &release;
	arg.ticks_during = &ticks;
	arg.done = &done;
	arg.result = &result;
	ck_assert_int_eq(strads_spawn(rt, &cp_type, 0, &arg, NULL), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	/* The job holds its compute thread: the actor's loop must keep
	 * firing its timer meanwhile. */
	WAIT_UNTIL(atomic_load(&ticks) >= 5, 5000);
	atomic_store(&release, 1);
	WAIT_UNTIL(atomic_load(&done) == 1, 5000);
	rt_finish(rt);
	ck_assert_uint_eq(result, expect);
	free(arg.job.data);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Lifecycle: stale addresses, failed init, stop_cb exactly once.       */

typedef struct {
	atomic_int *stops; /* borrowed */
	atomic_int *recvs;
	int fail_init;
	int stop_on_msg;
	int stop_in_init; /* strads_actor_stop from init_cb */
} lc_t;

static int
lc_init(strads_actor_t *self, void *arg)
{
	lc_t *s = strads_actor_state(self);

	*s = *(lc_t *)arg;
	if (s->stop_in_init)
		strads_actor_stop(self);
	return s->fail_init ? -1 : 0;
}

static void
lc_recv(strads_actor_t *self, const strads_msg_t *m)
{
	lc_t *s = strads_actor_state(self);

	atomic_fetch_add(s->recvs, 1);
	if (s->stop_on_msg)
		strads_actor_stop(self);
	(void)m;
}

static void
lc_stop(strads_actor_t *self)
{
	lc_t *s = strads_actor_state(self);

	atomic_fetch_add(s->stops, 1);
}

static const strads_actor_type_t lc_type = {
    "lifecycle", sizeof(lc_t), lc_init, lc_recv, lc_stop};

START_TEST(stale_address)
{
	strads_runtime_t *rt = rt_new(1, 0);
	atomic_int stops, recvs, stops2, recvs2;
	strads_addr_t first, second;
	strads_stats_t st;
	lc_t a, b;

	atomic_init(&stops, 0);
	atomic_init(&recvs, 0);
	atomic_init(&stops2, 0);
	atomic_init(&recvs2, 0);
	memset(&a, 0, sizeof(a));
	a.stops = &stops;
	a.recvs = &recvs;
	a.stop_on_msg = 1;
	ck_assert_int_eq(strads_spawn(rt, &lc_type, 0, &a, &first), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	ck_assert_int_eq(strads_post(rt, first, strads_msg_new(MSG_PING, 0)), 0);
	WAIT_UNTIL(atomic_load(&stops) == 1, 5000);
	/* The slot is reused with a new generation. */
	b = a;
	b.stops = &stops2;
	b.recvs = &recvs2;
	b.stop_on_msg = 0;
	ck_assert_int_eq(strads_spawn(rt, &lc_type, 0, &b, &second), 0);
	ck_assert_uint_eq(STRADS_ACTOR_SLOT(first.actor), STRADS_ACTOR_SLOT(second.actor));
	ck_assert_uint_ne(first.actor, second.actor);
	ck_assert_int_eq(strads_post(rt, first, strads_msg_new(MSG_PING, 0)), 0);
	ck_assert_int_eq(strads_post(rt, second, strads_msg_new(MSG_PING, 0)), 0);
	WAIT_UNTIL(atomic_load(&recvs2) == 1, 5000);
	strads_runtime_stats(rt, &st);
	ck_assert_uint_eq(st.dropped_stale, 1);
	ck_assert_int_eq(atomic_load(&recvs), 1);
	/* Addresses outside the runtime fail at once. */
	second.actor = STRADS_ACTOR_ID(9, 0, 0);
	ck_assert_int_eq(strads_post(rt, second, strads_msg_new(MSG_PING, 0)), STRADS_EADDR);
	rt_finish(rt);
	ck_assert_int_eq(atomic_load(&stops), 1);
	ck_assert_int_eq(atomic_load(&stops2), 1); /* stopped by the runtime */
}
END_TEST

/* Many jobs on one runtime: each "job" spawns RS_ROLES roles on one loop
 * and stops them, as strads_job_run does, RS_JOBS times (1000 with
 * STRADS_TEST_QUICK, still past the 256 generations of a slot). While a
 * job's roles live, the driver sends to the roles of the last RS_WINDOW
 * jobs, and once all are done to every old address: each of those messages
 * must be refused (dropped_stale), never delivered to a live role. The
 * payload names the job the sender meant, so a role tells a message for
 * an older job that reached it. Everything runs on the loop (the driver
 * is an actor), so the cycles cost no waits. */
#define RS_JOBS 10000
#define RS_ROLES 3
#define RS_WINDOW 300

typedef struct {
	strads_addr_t addr[(RS_JOBS + 1) * RS_ROLES]; /* every role ever */
	uint32_t njobs;
	uint64_t sent_stale;                          /* by the driver */
	atomic_int wrong;     /* messages for an old job that a role received */
	atomic_int finished;  /* 1 once the last job's roles stopped */
	int failed; /* a spawn or a send failed, on the loop */
} rs_t;

typedef struct {
	rs_t *rs;
	strads_addr_t driver;
	uint32_t job;
} rs_role_t;

typedef struct {
	rs_t *rs;
	rs_role_t args[RS_ROLES]; /* read by the roles' init_cb, on this loop */
	uint32_t job;             /* the job whose roles live */
	int stopped;              /* roles of that job that reported */
} rs_driver_t;

static int
rs_role_init(strads_actor_t *self, void *arg)
{
	*(rs_role_t *)strads_actor_state(self) = *(rs_role_t *)arg;
	return 0;
}

static void
rs_role_recv(strads_actor_t *self, const strads_msg_t *m)
{
	rs_role_t *r = strads_actor_state(self);

	if (m->type != MSG_PING || m->len != 4)
		return;
	if (strads__get32(m->data) != r->job) {
		atomic_fetch_add(&r->rs->wrong, 1);
		return;
	}
	strads_actor_stop(self);
	strads_send(self, r->driver, strads_msg_new(MSG_DATA, 0));
}

static const strads_actor_type_t rs_role_type = {
    "rs-role", sizeof(rs_role_t), rs_role_init, rs_role_recv, NULL};

static void
rs_ping(strads_actor_t *self, strads_addr_t to, uint32_t job)
{
	rs_driver_t *d = strads_actor_state(self);
	strads_msg_t *m = strads_msg_new(MSG_PING, 4);

	/* No ck_assert on the loop thread (and none in a hot loop). */
	if (m == NULL) {
		d->rs->failed = 1;
		return;
	}
	strads__put32(m->data, job);
	if (strads_send(self, to, m) != 0)
		d->rs->failed = 1;
}

/* Spawns the roles of job d->job, sends to the old roles (those of the
 * last RS_WINDOW jobs, or of every job at the end), then tells the live
 * roles to stop. */
static void
rs_job_start(strads_actor_t *self, rs_driver_t *d)
{
	rs_t *rs = d->rs;
	uint32_t first = d->job > RS_WINDOW && d->job < rs->njobs ? d->job - RS_WINDOW : 0;
	uint32_t i, k;

	for (k = 0; k < RS_ROLES; k++) {
		d->args[k].rs = rs;
		d->args[k].driver = strads_actor_addr(self);
		d->args[k].job = d->job;
		if (strads_spawn(strads_actor_runtime(self), &rs_role_type, 0, &d->args[k],
		    &rs->addr[d->job * RS_ROLES + k]) != 0) {
			rs->failed = 1;
			atomic_store(&rs->finished, 1);
			return;
		}
	}
	for (i = first * RS_ROLES; i < d->job * RS_ROLES; i++) {
		rs_ping(self, rs->addr[i], i / RS_ROLES);
		rs->sent_stale++;
	}
	for (k = 0; k < RS_ROLES; k++)
		rs_ping(self, rs->addr[d->job * RS_ROLES + k], d->job);
	d->stopped = 0;
}

static int
rs_driver_init(strads_actor_t *self, void *arg)
{
	rs_driver_t *d = strads_actor_state(self);

	d->rs = arg;
	rs_job_start(self, d);
	return 0;
}

static void
rs_driver_recv(strads_actor_t *self, const strads_msg_t *m)
{
	rs_driver_t *d = strads_actor_state(self);

	if (m->type != MSG_DATA || ++d->stopped < RS_ROLES)
		return;
	if (d->job == d->rs->njobs) {
		atomic_store(&d->rs->finished, 1);
		return;
	}
	d->job++;
	rs_job_start(self, d);
}

static const strads_actor_type_t rs_driver_type = {
    "rs-driver", sizeof(rs_driver_t), rs_driver_init, rs_driver_recv, NULL};

START_TEST(stale_after_many_jobs)
{
	strads_runtime_t *rt = rt_new(1, 0);
	rs_t *rs = calloc(1, sizeof(*rs));
	strads_stats_t st;
	int wrong;

	ck_assert_ptr_nonnull(rs);
	rs->njobs = test_quick() ? 1000 : RS_JOBS;
	atomic_init(&rs->wrong, 0);
	atomic_init(&rs->finished, 0);
	ck_assert_int_eq(strads_spawn(rt, &rs_driver_type, 0, rs, NULL), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	WAIT_UNTIL(atomic_load(&rs->finished) == 1, 50000);
	ck_assert_int_eq(rs->failed, 0);
	/* The stale sends were handled before the last job's roles got the
	 * message that stopped them. */
	strads_runtime_stats(rt, &st);
	wrong = atomic_load(&rs->wrong);
	ck_assert_int_eq(wrong, 0);
	ck_assert_uint_gt(rs->sent_stale, (uint64_t)rs->njobs * RS_ROLES);
	ck_assert_uint_eq(st.dropped_stale, rs->sent_stale);
	rt_finish(rt);
	free(rs);
}
END_TEST

START_TEST(failed_init_and_stop_once)
{
	strads_runtime_t *rt = rt_new(2, 0);
	atomic_int stops, recvs;
	strads_stats_t st;
	strads_addr_t bad;
	lc_t a, f, g;
	int i;

	atomic_init(&stops, 0);
	atomic_init(&recvs, 0);
	memset(&a, 0, sizeof(a));
	a.stops = &stops;
	a.recvs = &recvs;
	for (i = 0; i < 50; i++)
		ck_assert_int_eq(strads_spawn(rt, &lc_type, -1, &a, NULL), 0);
	/* init_cb reads its arg later, on the loop: a separate one. */
	f = a;
	f.fail_init = 1;
	ck_assert_int_eq(strads_spawn(rt, &lc_type, 0, &f, &bad), 0);
	ck_assert_int_eq(strads_spawn(rt, &lc_type, 5, &f, NULL), STRADS_EINVAL);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	ck_assert_int_eq(strads_post(rt, bad, strads_msg_new(MSG_PING, 0)), 0);
	WAIT_UNTIL((strads_runtime_stats(rt, &st), st.dropped_stale == 1), 5000);
	/* One that stops itself in init_cb stops as init_cb returns: its
	 * stop_cb runs, and it receives nothing. Its argument is another
	 * variable: nothing orders the loop's read of f in the failed
	 * init_cb before a write here (ThreadSanitizer reported it). */
	g = a;
	g.stop_in_init = 1;
	ck_assert_int_eq(strads_spawn(rt, &lc_type, 1, &g, &bad), 0);
	WAIT_UNTIL(atomic_load(&stops) == 1, 5000);
	ck_assert_int_eq(strads_post(rt, bad, strads_msg_new(MSG_PING, 0)), 0);
	WAIT_UNTIL((strads_runtime_stats(rt, &st), st.dropped_stale == 2), 5000);
	rt_finish(rt);
	ck_assert_int_eq(atomic_load(&recvs), 0);
	ck_assert_int_eq(atomic_load(&stops), 51);
}
END_TEST

/* Opens /dev/null until the descriptor limit, into fds; returns how many. */
static int
fill_fds(int *fds, int max)
{
	int n = 0, fd;

	while (n < max && (fd = open("/dev/null", O_RDONLY)) >= 0)
		fds[n++] = fd;
	ck_assert_int_lt(n, max);
	ck_assert_int_eq(errno, EMFILE);
	return n;
}

/* Free descriptors under the limit, counted by filling them. */
static int
count_free_fds(void)
{
	int fds[128], n = fill_fds(fds, 128), i;

	for (i = n; i > 0; i--)
		close(fds[i - 1]);
	return n;
}

/* A runtime of two loops made with k descriptors left: none (the first
 * loop's uv_loop_init fails), as many as one loop takes (the second
 * loop's fails, after the first was made), and enough. Each failure
 * answers STRADS_ELIMIT and gives every descriptor back; with enough the
 * runtime runs and stops cleanly. (No k falls inside uv_loop_init:
 * libuv 1.44 loses its epoll descriptor when its signal pipe cannot be
 * made.) */
START_TEST(out_of_descriptors)
{
	struct rlimit old, lim;
	strads_runtime_t *rt;
	strads_config_t cfg;
	uv_loop_t probe;
	int fds[128], n, i, j, k, err, per_loop;

	/* libuv's process-wide descriptors (its signal lock) open once, on
	 * the first loop: not under the limit below. */
	rt = rt_new(1, 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	rt_finish(rt);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	n = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(n, 0);
	close(n);
	lim = old;
	lim.rlim_cur = (rlim_t)n + 64;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &lim), 0);
	k = count_free_fds();
	ck_assert_int_eq(uv_loop_init(&probe), 0);
	per_loop = k - count_free_fds(); /* what uv_loop_init takes */
	ck_assert_int_eq(uv_loop_close(&probe), 0);
	ck_assert_int_eq(count_free_fds(), k);
	ck_assert_int_gt(per_loop, 0);
	strads_config_init(&cfg);
	cfg.nloops = 2;
	cfg.ncompute = 1;
	for (j = 0; j < 3; j++) {
		/* + 2: an eventfd a loop, where libuv makes them lazily */
		const int left[3] = {0, per_loop, 2 * per_loop + 2};

		k = left[j];
		n = fill_fds(fds, 128);
		ck_assert_int_ge(n, k);
		for (i = 0; i < k; i++)
			close(fds[--n]);
		rt = NULL;
		err = strads_runtime_new(&rt, &cfg);
		if (j < 2) {
			ck_assert_int_eq(err, STRADS_ELIMIT);
			ck_assert_ptr_null(rt);
		} else {
			ck_assert_int_eq(err, 0);
			ck_assert_int_eq(strads_runtime_start(rt), 0);
			rt_finish(rt);
		}
		ck_assert_int_eq(count_free_fds(), k); /* every one came back */
		while (n > 0)
			close(fds[--n]);
	}
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
}
END_TEST

static int
timer_fail_init(strads_actor_t *self, void *arg)
{
	atomic_store((atomic_int *)arg, strads_timer_start(self, 1, 0, 1));
	return 0;
}

static void
timer_fail_recv(strads_actor_t *self, const strads_msg_t *m)
{
	(void)self;
	(void)m;
}

static const strads_actor_type_t timer_fail_type = {
    "timer-fail", 0, timer_fail_init, timer_fail_recv, NULL};

/* Handle inits that fail (the STRADS_TEST_FAIL_UV hook: no resource
 * runs out deterministically for them): strads_runtime_new answers the
 * error with nothing left open or allocated (every uv_loop_close of its
 * error path asserts 0), and a timer that cannot start is an error for
 * the actor, after which the runtime still stops cleanly. */
START_TEST(handle_init_failures)
{
	static const char *const calls[] = {"async", "prepare"};
	strads_runtime_t *rt;
	strads_config_t cfg;
	atomic_int got;
	int i;

	strads_config_init(&cfg);
	cfg.nloops = 3;
	cfg.ncompute = 1;
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(setenv("STRADS_TEST_FAIL_UV", calls[i], 1), 0);
		rt = NULL;
		ck_assert_int_eq(strads_runtime_new(&rt, &cfg), STRADS_ELIMIT);
		ck_assert_ptr_null(rt);
	}
	ck_assert_int_eq(setenv("STRADS_TEST_FAIL_UV", "timer", 1), 0);
	atomic_init(&got, 1);
	rt = rt_new(1, 0);
	ck_assert_int_eq(strads_spawn(rt, &timer_fail_type, 0, &got, NULL), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	WAIT_UNTIL(atomic_load(&got) != 1, 5000);
	ck_assert_int_eq(atomic_load(&got), STRADS_ELIMIT);
	rt_finish(rt);
	ck_assert_int_eq(unsetenv("STRADS_TEST_FAIL_UV"), 0);
}
END_TEST

/* A loop thread that cannot be made (the hook fails the last loop's):
 * strads_runtime_start answers the error instead of aborting, the loops
 * already running are stopped (their actors' stop_cb run), the actor of
 * the loop that never ran is freed without running, and the runtime is
 * stopped: stop, wait and free work, and nothing can be spawned. */
START_TEST(thread_create_failure)
{
	strads_runtime_t *rt = rt_new(3, 0);
	atomic_int stops, recvs, stops2, recvs2;
	lc_t a, b;
	int i;

	atomic_init(&stops, 0);
	atomic_init(&recvs, 0);
	atomic_init(&stops2, 0);
	atomic_init(&recvs2, 0);
	memset(&a, 0, sizeof(a));
	a.stops = &stops;
	a.recvs = &recvs;
	b = a;
	b.stops = &stops2;
	b.recvs = &recvs2;
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(strads_spawn(rt, &lc_type, i, &a, NULL), 0);
	ck_assert_int_eq(strads_spawn(rt, &lc_type, 2, &b, NULL), 0);
	ck_assert_int_eq(setenv("STRADS_TEST_FAIL_UV", "thread", 1), 0);
	/* The hook is read when the runtime is made: this one has none. */
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	rt_finish(rt);
	ck_assert_int_eq(atomic_load(&stops), 2);
	ck_assert_int_eq(atomic_load(&stops2), 1);
	atomic_store(&stops, 0);
	atomic_store(&stops2, 0);
	rt = rt_new(3, 0);
	unsetenv("STRADS_TEST_FAIL_UV");
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(strads_spawn(rt, &lc_type, i, &a, NULL), 0);
	ck_assert_int_eq(strads_spawn(rt, &lc_type, 2, &b, NULL), 0);
	ck_assert_int_eq(strads_runtime_start(rt), STRADS_ELIMIT);
	ck_assert_int_eq(atomic_load(&stops), 2); /* ran, then stopped */
	ck_assert_int_eq(atomic_load(&stops2), 0); /* never ran */
	ck_assert_int_eq(strads_runtime_start(rt), STRADS_EBUSY);
	ck_assert_int_eq(strads_spawn(rt, &lc_type, 0, &a, NULL), STRADS_ECLOSED);
	ck_assert_int_eq(strads_post(rt, (strads_addr_t){1, 0},
	    strads_msg_new(MSG_PING, 0)), STRADS_ECLOSED);
	rt_finish(rt); /* stop, wait == 0, free */
	ck_assert_int_eq(atomic_load(&stops2), 0);
	ck_assert_int_eq(atomic_load(&recvs) + atomic_load(&recvs2), 0);
}
END_TEST

START_TEST(never_started)
{
	strads_runtime_t *rt = rt_new(3, 0);
	atomic_int stops, recvs;
	lc_t a;

	atomic_init(&stops, 0);
	atomic_init(&recvs, 0);
	memset(&a, 0, sizeof(a));
	a.stops = &stops;
	a.recvs = &recvs;
	/* Spawned but never run: freeing must release them, not run them. */
	ck_assert_int_eq(strads_spawn(rt, &lc_type, 1, &a, NULL), 0);
	strads_runtime_free(rt);
	ck_assert_int_eq(atomic_load(&stops), 0);
}
END_TEST

START_TEST(config_and_errors)
{
	strads_runtime_t *rt = NULL;
	strads_config_t cfg;

	strads_config_init(&cfg);
	cfg.nloops = STRADS_MAX_LOOPS + 1;
	ck_assert_int_eq(strads_runtime_new(&rt, &cfg), STRADS_EINVAL);
	ck_assert_ptr_null(rt);
	strads_config_init(&cfg);
	cfg.node_id = 0;
	ck_assert_int_eq(strads_runtime_new(&rt, &cfg), STRADS_EINVAL);
	ck_assert_int_eq(strads_runtime_new(&rt, NULL), 0);
	ck_assert_int_eq(strads_runtime_nloops(rt), strads_ncores());
	ck_assert_uint_eq(strads_runtime_node(rt), 1);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	ck_assert_int_eq(strads_runtime_start(rt), STRADS_EBUSY);
	strads_runtime_stop(rt);
	strads_runtime_stop(rt); /* idempotent */
	ck_assert_int_eq(strads_runtime_wait(rt), 0);
	ck_assert_int_eq(strads_runtime_wait(rt), 0);
	ck_assert_int_eq(strads_post(rt, (strads_addr_t){1, 0}, strads_msg_new(MSG_PING, 0)),
	    STRADS_ECLOSED);
	strads_runtime_free(rt);
	strads_runtime_free(NULL);
}
END_TEST

START_TEST(many_runtimes)
{
	strads_runtime_t *rts[4];
	int i;

	for (i = 0; i < 4; i++) {
		rts[i] = rt_new(2, 0);
		ck_assert_int_eq(strads_runtime_start(rts[i]), 0);
	}
	for (i = 0; i < 4; i++)
		rt_finish(rts[i]);
}
END_TEST

static Suite *
runtime_suite(void)
{
	Suite *s = suite_create("runtime");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, pingpong_same_loop);
	tcase_add_test(tc, pingpong_cross_loop);
	tcase_add_test(tc, stream_deferred_by_runtime);
	tcase_add_test(tc, stream_sender_stops);
	tcase_add_test(tc, message_sizes);
	tcase_add_test(tc, stream_writable_notifications);
	tcase_add_test(tc, timers);
	tcase_add_test(tc, compute_offload);
	tcase_add_test(tc, stale_address);
	tcase_add_test(tc, stale_after_many_jobs);
	tcase_add_test(tc, failed_init_and_stop_once);
	tcase_add_test(tc, out_of_descriptors);
	tcase_add_test(tc, handle_init_failures);
	tcase_add_test(tc, thread_create_failure);
	tcase_add_test(tc, never_started);
	tcase_add_test(tc, config_and_errors);
	tcase_add_test(tc, many_runtimes);
	suite_add_tcase(s, tc);
	return s;
}

STRADS_TEST_MAIN(runtime_suite)
