/*
 * check_table.c -- the SSP tables: the staleness bound and exactly-once
 * application under concurrent clients (a property test over seeded
 * plans), also with the clients in this process and the shards in
 * another (t/helper_table, over tcp loopback), dense and sparse tables,
 * put, read-my-writes, BSP (s = 0), the per-loop cache, checkpoint and
 * restore, refused checkpoint files.
 *
 * Actors only count what they see; the test thread asserts afterwards
 * (a Check failure on a loop thread is undefined with CK_FORK=no).
 * main never touches NNG, so Check may fork every test; the two-process
 * tests exec their helper instead of forking.
 */
#include "strads-int.h"

#include <check.h>
#include <errno.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nng/nng.h>

#include "testutil.h"

extern char **environ;

#define MSG_GO (STRADS_MSG_USER + 7)

static strads_runtime_t *
rt_new(int nloops)
{
	strads_runtime_t *rt;
	strads_config_t cfg;

	strads_config_init(&cfg);
	cfg.nloops = nloops;
	cfg.ncompute = 2;
	ck_assert_int_eq(strads_runtime_new(&rt, &cfg), 0);
	return rt;
}

static void
rt_finish(strads_runtime_t *rt, strads_table_t *t1, strads_table_t *t2)
{
	strads_runtime_stop(rt);
	ck_assert_int_eq(strads_runtime_wait(rt), 0); /* every loop closed */
	strads_table_free(t1);
	strads_table_free(t2);
	strads_runtime_free(rt);
}

static strads_table_t *
table_new(strads_runtime_t *rt, const strads_table_opts_t *o)
{
	strads_table_t *t = NULL;
	char err[512] = "";

	ck_assert_msg(strads_table_create(rt, o, &t, err, sizeof(err)) == 0,
	    "strads_table_create: %s", err);
	return t;
}

/* ------------------------------------------------------------------ */
/* A table whose shards live in t/helper_table (node 2).               */

typedef struct {
	pid_t pid;
	int in;    /* the helper's stdin */
	FILE *out; /* its stdout */
	strads_table_stats_t st; /* its shards' counters, at the end */
} remote_t;

/* Starts the helper with o's layout, wires the two nodes (rt is node 1)
 * and attaches to its shards. clocks: the ticks its shards must apply
 * before it reports. */
static strads_table_t *
remote_table(strads_runtime_t *rt, const strads_table_opts_t *o,
    uint64_t clocks, remote_t *r)
{
	const char *top = getenv("top_builddir");
	char helper[1024], a[8][32], url[64], line[512], err[512] = "";
	char *argv[10], *p;
	strads_addr_t shards[64];
	strads_table_t *t = NULL;
	posix_spawn_file_actions_t fa;
	int port = 0, hport = 0, n = 0, i, off = 0, out[2], in[2];

	snprintf(helper, sizeof(helper), "%s/t/helper_table", top ? top : ".");
	ck_assert_int_eq(strads_listen(rt, "tcp://127.0.0.1:0", &port), 0);
	snprintf(a[0], sizeof(a[0]), "%d", o->kind);
	snprintf(a[1], sizeof(a[1]), "%u", o->width);
	snprintf(a[2], sizeof(a[2]), "%u", o->staleness);
	snprintf(a[3], sizeof(a[3]), "%u", o->nclients);
	snprintf(a[4], sizeof(a[4]), "%d", o->nshards);
	snprintf(a[5], sizeof(a[5]), "%llu", (unsigned long long)o->nrows);
	snprintf(a[6], sizeof(a[6]), "%llu", (unsigned long long)clocks);
	snprintf(a[7], sizeof(a[7]), "%d", o->value);
	argv[0] = helper;
	for (i = 0; i < 8; i++)
		argv[i + 1] = a[i];
	argv[9] = NULL;
	ck_assert_int_eq(pipe(out), 0);
	ck_assert_int_eq(pipe(in), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	ck_assert_int_eq(posix_spawn(&r->pid, helper, &fa, NULL, argv, environ),
	    0);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(in[0]);
	r->in = in[1];
	r->out = fdopen(out[0], "r");
	ck_assert_ptr_nonnull(r->out);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), r->out));
	ck_assert_int_eq(sscanf(line, "port %d shards %d%n", &hport, &n, &off), 2);
	ck_assert(n >= 1 && n <= 64);
	for (i = 0, p = line + off; i < n; i++) {
		char *end;

		shards[i].node = 2;
		shards[i].actor = (uint32_t)strtoul(p, &end, 10);
		ck_assert(end != p);
		p = end;
	}
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", hport);
	ck_assert_int_eq(strads_peer_add(rt, 2, url), 0);
	ck_assert_int_gt(dprintf(r->in, "%d\n", port), 0);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), r->out));
	ck_assert_str_eq(line, "ready\n");
	ck_assert_msg(strads_table_attach(rt, o, shards, n, &t, err,
	    sizeof(err)) == 0, "strads_table_attach: %s", err);
	return t;
}

/* Lets the helper finish: it reports its shards' counters and exits. */
static void
remote_finish(remote_t *r)
{
	unsigned long long u, c, rej, g;
	char line[256];
	int status;

	close(r->in);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), r->out));
	ck_assert_int_eq(sscanf(line, "updates %llu clocks %llu rejected %llu "
	    "shard_gets %llu", &u, &c, &rej, &g), 4);
	ck_assert_int_eq(waitpid(r->pid, &status, 0), r->pid);
	fclose(r->out);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	memset(&r->st, 0, sizeof(r->st));
	r->st.updates = u;
	r->st.clocks = c;
	r->st.rejected = rej;
	r->st.shard_gets = g;
}

/* ------------------------------------------------------------------ */
/* Property: concurrent clients, seeded plans, bounds on every read.    */

typedef struct {
	strads_table_t *t;
	const uint8_t *plan;  /* [client][clock][key]: what the client adds */
	const uint32_t *cum;  /* [client][clock + 1][key]: plan summed over
	                         clocks < clock */
	const uint64_t *keys; /* nkeys table keys */
	uint32_t nclients, nclocks, nkeys, s;
	int bulk; /* clients use inc_many and get_many too */
	atomic_ullong reads, violations, finals;
	atomic_int done;
	atomic_int have_first;
	char first[256]; /* the first violation, for the failure message */
} prop_t;

typedef struct {
	prop_t *p;
	uint32_t id;
} prop_arg_t;

typedef struct {
	prop_t *p;
	uint32_t id;
	strads_table_client_t *c;
	int second; /* the clock's second read is under way */
	double rows[2 * 48]; /* a bulk read's rows */
} pc_t;

static uint32_t
cum(const prop_t *p, uint32_t i, uint64_t clocks, uint32_t k)
{
	if (clocks > p->nclocks)
		clocks = p->nclocks;
	return p->cum[((size_t)i * (p->nclocks + 1) + clocks) * p->nkeys + k];
}

static void
violation(prop_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
violation(prop_t *p, const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_add(&p->violations, 1);
	if (atomic_exchange(&p->have_first, 1) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(p->first, sizeof(p->first), fmt, ap);
	va_end(ap);
}

/* A read at clock c by client i: at least every update of clocks
 * < c - s of everyone plus i's own so far, at most everything of clocks
 * <= c + s. */
static void
prop_check(pc_t *s, uint64_t c, const double *rows)
{
	prop_t *p = s->p;
	uint32_t k, j;

	for (k = 0; k < p->nkeys; k++) {
		uint64_t lo = 0, hi = 0;
		double v = rows[2 * k];

		for (j = 0; j < p->nclients; j++) {
			hi += cum(p, j, c + p->s + 1, k);
			if (j == s->id)
				lo += cum(p, j, c + 1, k);
			else if (c >= p->s)
				lo += cum(p, j, c - p->s, k);
		}
		if (v < (double)lo || v > (double)hi || rows[2 * k + 1] != 3 * v)
			violation(p, "client %u clock %llu key %u: %g (%g) not in "
			    "[%llu, %llu]", s->id, (unsigned long long)c, k, v,
			    rows[2 * k + 1], (unsigned long long)lo,
			    (unsigned long long)hi);
	}
	atomic_fetch_add(&p->reads, 1);
}

static void prop_step(pc_t *s);
static void prop_got(strads_table_client_t *c, int status,
    const uint64_t *keys, uint32_t n, const double *rows, void *arg);

static void
prop_many_got(strads_table_client_t *c, int status, void *arg)
{
	pc_t *s = arg;

	prop_got(c, status, s->p->keys, s->p->nkeys, s->rows, arg);
}

/* A read of every key: in bulk mode the first of a clock's two reads is
 * a bulk one (to the shards), the second a per-key one (the cache). */
static void
prop_read(pc_t *s)
{
	prop_t *p = s->p;

	if (p->bulk && !s->second)
		TEST_REQUIRE(strads_table_get_many(s->c, p->keys, p->nkeys, s->rows,
		    prop_many_got, s) == 0);
	else
		TEST_REQUIRE(strads_table_get(s->c, p->keys, p->nkeys, prop_got,
		    s) == 0);
}

static void
prop_got(strads_table_client_t *c, int status, const uint64_t *keys,
    uint32_t n, const double *rows, void *arg)
{
	pc_t *s = arg;
	prop_t *p = s->p;
	uint64_t clock = strads_table_client_clock(c);
	uint32_t k;

	if (status != 0)
		return; /* closing */
	TEST_REQUIRE(n == p->nkeys && keys != NULL);
	prop_check(s, clock, rows);
	if (clock == p->nclocks + p->s) {
		/* Everyone's last clock is in: every inc, exactly once. */
		for (k = 0; k < p->nkeys; k++) {
			uint64_t total = 0;
			uint32_t j;

			for (j = 0; j < p->nclients; j++)
				total += cum(p, j, p->nclocks, k);
			if (rows[2 * k] != (double)total)
				violation(p, "client %u final key %u: %g, want %llu",
				    s->id, k, rows[2 * k], (unsigned long long)total);
		}
		atomic_fetch_add(&p->finals, 1);
		atomic_fetch_add(&p->done, 1);
		return;
	}
	if (!s->second) {
		/* A second read in the same clock: mostly the loop's cache. */
		s->second = 1;
		prop_read(s);
		return;
	}
	s->second = 0;
	TEST_REQUIRE(strads_table_clock(c) == 0);
	prop_step(s);
}

/* Starts the client's current clock: its incs, then a read. After the
 * plan's last clock it only ticks, s more times, then reads once more. */
static void
prop_step(pc_t *s)
{
	prop_t *p = s->p;
	uint64_t c = strads_table_client_clock(s->c);
	uint32_t k;

	if (c < p->nclocks) {
		uint64_t bk[48];
		double bd[2 * 48];
		uint32_t n = 0, h, i;

		for (k = 0; k < p->nkeys; k++) {
			uint8_t a = p->plan[((size_t)s->id * p->nclocks + c) *
			    p->nkeys + k];
			double d[2] = {a, 3.0 * a};

			if (a == 0)
				continue;
			if (!p->bulk) {
				TEST_REQUIRE(strads_table_inc(s->c, p->keys[k], d) == 0);
				continue;
			}
			bk[n] = p->keys[k];
			bd[2 * n] = d[0];
			bd[2 * n + 1] = d[1];
			n++;
		}
		/* Bulk, a few per key, bulk again: their order holds. */
		if (p->bulk) {
			h = n / 2;
			TEST_REQUIRE(strads_table_inc_many(s->c, bk, bd, h) == 0);
			for (i = h; i < n && i < h + 3; i++)
				TEST_REQUIRE(strads_table_inc(s->c, bk[i],
				    bd + 2 * i) == 0);
			TEST_REQUIRE(strads_table_inc_many(s->c, bk + i, bd + 2 * i,
			    n - i) == 0);
		}
	} else {
		while (strads_table_client_clock(s->c) < p->nclocks + p->s)
			TEST_REQUIRE(strads_table_clock(s->c) == 0);
	}
	prop_read(s);
}

static int
pc_init(strads_actor_t *self, void *arg)
{
	pc_t *s = strads_actor_state(self);
	prop_arg_t *a = arg;

	s->p = a->p;
	s->id = a->id;
	if (strads_table_client_open(self, s->p->t, s->id, &s->c) != 0)
		return -1;
	prop_step(s);
	return 0;
}

static void
pc_recv(strads_actor_t *self, const strads_msg_t *m)
{
	pc_t *s = strads_actor_state(self);

	TEST_REQUIRE(strads_table_client_recv(s->c, m) == 1);
}

static void
pc_stop(strads_actor_t *self)
{
	pc_t *s = strads_actor_state(self);

	strads_table_client_close(s->c);
}

static const strads_actor_type_t pc_type = {
    "prop-client", sizeof(pc_t), pc_init, pc_recv, pc_stop};

enum {
	PROP_REMOTE = 1, /* the shards live in t/helper_table, the clients here */
	PROP_BULK = 2,   /* the clients use inc_many and get_many too */
	PROP_F32 = 4     /* a table of STRADS_TABLE_F32 values */
};

static void
property(int kind, uint32_t stale, size_t flush_bytes, uint64_t seed,
    int flags)
{
	const int remote = flags & PROP_REMOTE;
	const uint32_t nclients = 4, nkeys = 48;
	const uint32_t nclocks = test_quick() ? 6 : 24;
	const uint64_t ticks = (uint64_t)nclients * 4 * (nclocks + stale);
	strads_runtime_t *rt = rt_new(3);
	strads_table_opts_t o;
	strads_table_stats_t st, shard_st;
	remote_t rem;
	prop_arg_t args[4];
	uint64_t keys[48], rng = seed, entries = 0;
	uint8_t *plan;
	uint32_t *cm, i, c, k;
	prop_t *p = calloc(1, sizeof(*p));

	ck_assert_ptr_nonnull(p);
	plan = calloc((size_t)nclients * nclocks * nkeys, 1);
	cm = calloc((size_t)nclients * (nclocks + 1) * nkeys, sizeof(*cm));
	ck_assert(plan != NULL && cm != NULL);
	for (k = 0; k < nkeys; k++)
		keys[k] = kind == STRADS_TABLE_DENSE ? k * 2 + 1 :
		    test_rand(&rng) | 1;
	/* Each client adds 1 or 2 to about a third of the keys per clock. */
	for (i = 0; i < nclients; i++)
		for (c = 0; c < nclocks; c++)
			for (k = 0; k < nkeys; k++) {
				uint64_t r = test_rand(&rng) % 6;
				uint8_t a = r < 2 ? (uint8_t)(r + 1) : 0;
				size_t at = ((size_t)i * nclocks + c) * nkeys + k;
				size_t cu = ((size_t)i * (nclocks + 1) + c) * nkeys + k;

				plan[at] = a;
				entries += a != 0;
				cm[cu + nkeys] = cm[cu] + a;
			}
	p->plan = plan;
	p->cum = cm;
	p->keys = keys;
	p->nclients = nclients;
	p->nclocks = nclocks;
	p->nkeys = nkeys;
	p->s = stale;
	p->bulk = (flags & PROP_BULK) != 0;
	strads_table_opts_init(&o);
	o.name = "prop";
	o.kind = kind;
	o.nrows = 2 * nkeys + 1;
	o.width = 2;
	o.staleness = stale;
	o.nclients = nclients;
	o.nshards = 4;
	o.flush_bytes = flush_bytes;
	o.value = flags & PROP_F32 ? STRADS_TABLE_F32 : STRADS_TABLE_F64;
	p->t = remote ? remote_table(rt, &o, ticks, &rem) : table_new(rt, &o);
	for (i = 0; i < nclients; i++) {
		args[i].p = p;
		args[i].id = i;
		ck_assert_int_eq(strads_spawn(rt, &pc_type, (int)(i % 3), &args[i],
		    NULL), 0);
	}
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	WAIT_UNTIL(atomic_load(&p->done) == (int)nclients ||
	    atomic_load(&p->violations) > 0, 20000);
	/* A last read served by the cache leaves CLOCKs still on the way
	 * (the helper waits for them itself). */
	if (!remote)
		WAIT_UNTIL((strads_table_stats(p->t, &st), st.clocks == ticks),
		    5000);
	strads_table_stats(p->t, &st);
	if (remote) {
		remote_finish(&rem);
		shard_st = rem.st;
	} else {
		shard_st = st;
	}
	rt_finish(rt, p->t, NULL);
	ck_assert_msg(atomic_load(&p->violations) == 0, "%llu violations; first: %s",
	    (unsigned long long)atomic_load(&p->violations), p->first);
	ck_assert_uint_eq(atomic_load(&p->finals), nclients);
	/* Two reads per clock, one after the last: all checked. */
	ck_assert_uint_eq(atomic_load(&p->reads), nclients * (2 * nclocks + 1));
	/* Exactly once: one row update per (client, clock, key) planned
	 * (a flush before the clock splits no key: one inc per key). */
	ck_assert_uint_eq(shard_st.updates, entries);
	ck_assert_uint_eq(shard_st.clocks, ticks);
	ck_assert_uint_eq(shard_st.rejected, 0);
	ck_assert_uint_eq(st.rejected, 0);
	ck_assert_uint_eq(st.rows_read, st.gets * nkeys);
	if (remote) /* the misses, and only they, crossed */
		ck_assert_uint_gt(shard_st.shard_gets, 0);
	free(plan);
	free(cm);
	free(p);
}

/* The staleness bounds the loop tests run with (_i indexes it). */
static const uint32_t svals[] = {0, 1, 3};

/* Big buffers (strads__big_alloc): zeroed, writable to the last byte,
 * freed alone, below and above the 2 MiB where huge pages start. */
START_TEST(big_buffers)
{
	static const size_t sizes[] = {1, 4096, (2u << 20) - 64, 2u << 20, (3u << 20) + 7};
	size_t i, k;

	strads__big_free(NULL);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *p = strads__big_alloc(sizes[i]);

		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % 16, 0);
		for (k = 0; k < sizes[i]; k += 997)
			ck_assert_uint_eq(p[k], 0);
		ck_assert_uint_eq(p[sizes[i] - 1], 0);
		memset(p, 0xa5, sizes[i]);
		strads__big_free(p);
	}
}
END_TEST

START_TEST(property_dense)
{
	property(STRADS_TABLE_DENSE, svals[_i], 0, 0x1234567u + (uint64_t)_i, 0);
}
END_TEST

START_TEST(property_sparse)
{
	property(STRADS_TABLE_SPARSE, svals[_i], 0, 0x7654321u + (uint64_t)_i, 0);
}
END_TEST

START_TEST(property_early_flush)
{
	/* A 100-byte bound sends after every 3 rows, long before the clock. */
	property(_i ? STRADS_TABLE_SPARSE : STRADS_TABLE_DENSE, 1, 100, 99 + _i,
	    0);
}
END_TEST

/* The same property with the shards in another process: _i picks dense
 * or sparse, BSP or s = 2, and early flushes for the sparse one; from 4
 * on, the bulk calls too, on tables of floats. */
START_TEST(property_remote)
{
	property(_i & 1 ? STRADS_TABLE_SPARSE : STRADS_TABLE_DENSE,
	    _i & 2 ? 2 : 0, _i & 1 ? 100 : 0, 0xabcdefu + (uint64_t)_i,
	    PROP_REMOTE | (_i & 4 ? PROP_BULK | PROP_F32 : 0));
}
END_TEST

/* Bulk updates and reads mixed with per-key ones: _i picks dense or
 * sparse, s = 0, 1 or 3 (pairs of _i), early flushes from 6 on (the
 * per-key buffer then goes out between bulk calls), and floats for odd
 * _i >= 6. */
START_TEST(property_bulk)
{
	property(_i & 1 ? STRADS_TABLE_SPARSE : STRADS_TABLE_DENSE,
	    svals[(_i / 2) % 3], _i >= 6 ? 100 : 0, 0x5eed00u + (uint64_t)_i,
	    PROP_BULK | (_i >= 6 && (_i & 1) ? PROP_F32 : 0));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Scripted clients: fn runs at start and after every event (a read's  */
/* rows, a checkpoint's end, a MSG_GO from the test), step counting     */
/* the events.                                                          */

typedef struct sc_s sc_t;

typedef struct {
	strads_table_t *t;
	uint32_t id;
	uint32_t width; /* of t's rows */
	void (*fn)(sc_t *s);
	void *ctx; /* the test's, shared with it */
} sc_arg_t;

struct sc_s {
	sc_arg_t a;
	strads_table_client_t *c;
	int step;
	int status;      /* of the last get or checkpoint */
	double got[256]; /* the last read's rows */
	char err[512];   /* the last checkpoint's message */
};

static void
sc_next(sc_t *s)
{
	s->step++;
	s->a.fn(s);
}

static void
sc_got(strads_table_client_t *c, int status, const uint64_t *keys, uint32_t n,
    const double *rows, void *arg)
{
	sc_t *s = arg;
	size_t len = (size_t)n * s->a.width * sizeof(double);

	(void)c;
	(void)keys;
	if (status == STRADS_ECANCELED)
		return; /* closing */
	TEST_REQUIRE(len <= sizeof(s->got));
	memcpy(s->got, rows, len);
	s->status = status;
	sc_next(s);
}

static void
sc_ckpt(strads_table_client_t *c, int status, const char *errmsg, void *arg)
{
	sc_t *s = arg;

	(void)c;
	if (status == STRADS_ECANCELED)
		return;
	s->status = status;
	snprintf(s->err, sizeof(s->err), "%s", errmsg != NULL ? errmsg : "");
	sc_next(s);
}

static int
sc_init(strads_actor_t *self, void *arg)
{
	sc_t *s = strads_actor_state(self);

	s->a = *(sc_arg_t *)arg;
	if (strads_table_client_open(self, s->a.t, s->a.id, &s->c) != 0)
		return -1;
	s->a.fn(s);
	return 0;
}

static void
sc_recv(strads_actor_t *self, const strads_msg_t *m)
{
	sc_t *s = strads_actor_state(self);

	if (strads_table_client_recv(s->c, m))
		return;
	TEST_REQUIRE(m->type == MSG_GO);
	sc_next(s);
}

static void
sc_stop(strads_actor_t *self)
{
	sc_t *s = strads_actor_state(self);

	strads_table_client_close(s->c);
}

static const strads_actor_type_t sc_type = {
    "script", sizeof(sc_t), sc_init, sc_recv, sc_stop};

static void
go(strads_runtime_t *rt, strads_addr_t to)
{
	ck_assert_int_eq(strads_post(rt, to, strads_msg_new(MSG_GO, 0)), 0);
}

static void
sc_get1(sc_t *s, uint64_t key)
{
	TEST_REQUIRE(strads_table_get(s->c, &key, 1, sc_got, s) == 0);
}

static void
one(sc_t *s, uint64_t key, double v, int put)
{
	if (put)
		TEST_REQUIRE(strads_table_put(s->c, key, &v) == 0);
	else
		TEST_REQUIRE(strads_table_inc(s->c, key, &v) == 0);
}

/* ------------------------------------------------------------------ */
/* Read-my-writes and put, through the buffer, the log and the cache.  */

typedef struct {
	double v[8];
	int einval, emsgsize;
	atomic_int done;
} rmw_t;

static void
rmw_fn(sc_t *s)
{
	rmw_t *x = s->a.ctx;
	double d = 1;
	int i;

	if (s->step > 0)
		x->v[s->step - 1] = s->got[0];
	switch (s->step) {
	case 0: /* in the buffer only */
		one(s, 3, 2, 0);
		sc_get1(s, 3);
		break;
	case 1: /* clock 0 went out; the cached row predates it */
		TEST_REQUIRE(strads_table_clock(s->c) == 0);
		one(s, 3, 1, 0);
		sc_get1(s, 3);
		break;
	case 2:
		one(s, 3, 10, 1);
		sc_get1(s, 3);
		break;
	case 3: /* an inc after a put adds to it */
		one(s, 3, 1, 0);
		TEST_REQUIRE(strads_table_clock(s->c) == 0);
		TEST_REQUIRE(strads_table_clock(s->c) == 0);
		sc_get1(s, 3);
		break;
	case 4: /* past the bound: the shard's own value */
		for (i = 0; i < 6; i++)
			TEST_REQUIRE(strads_table_clock(s->c) == 0);
		sc_get1(s, 3);
		break;
	case 5: /* a row nobody wrote reads as zeros */
		x->einval = strads_table_inc(s->c, 10, &d) == STRADS_EINVAL &&
		    strads_table_get(s->c, (uint64_t[]){10}, 1, sc_got, s) ==
			STRADS_EINVAL;
		sc_get1(s, 9);
		break;
	default:
		atomic_store(&x->done, 1);
		break;
	}
}

START_TEST(read_my_writes_and_put)
{
	strads_runtime_t *rt = rt_new(2);
	strads_table_opts_t o;
	strads_table_t *t;
	rmw_t x;
	sc_arg_t a;

	memset(&x, 0, sizeof(x));
	strads_table_opts_init(&o);
	o.nrows = 10;
	o.staleness = 5;
	o.nclients = 1;
	o.nshards = 2;
	t = table_new(rt, &o);
	a = (sc_arg_t){t, 0, 1, rmw_fn, &x};
	ck_assert_int_eq(strads_spawn(rt, &sc_type, 1, &a, NULL), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	WAIT_UNTIL(atomic_load(&x.done) == 1, 10000);
	rt_finish(rt, t, NULL);
	ck_assert_double_eq(x.v[0], 2);
	ck_assert_double_eq(x.v[1], 3);
	ck_assert_double_eq(x.v[2], 10);
	ck_assert_double_eq(x.v[3], 11);
	ck_assert_double_eq(x.v[4], 11);
	ck_assert_double_eq(x.v[5], 0);
	ck_assert_int_eq(x.einval, 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* s = 0 is BSP: a read at clock 1 waits for every client's clock 0.   */

typedef struct {
	double a[2];
	atomic_int a_done, b_done;
} bsp_t;

static void
bsp_a(sc_t *s)
{
	bsp_t *x = s->a.ctx;

	if (s->step == 0) {
		one(s, 1, 1, 0);
		TEST_REQUIRE(strads_table_clock(s->c) == 0);
		TEST_REQUIRE(strads_table_get(s->c, (uint64_t[]){1, 5}, 2,
		    sc_got, s) == 0);
		return;
	}
	memcpy(x->a, s->got, sizeof(x->a));
	atomic_store(&x->a_done, 1);
}

static void
bsp_b(sc_t *s)
{
	bsp_t *x = s->a.ctx;

	if (s->step != 1)
		return; /* waits for the test's go */
	one(s, 1, 5, 0);
	one(s, 5, 7, 1);
	TEST_REQUIRE(strads_table_clock(s->c) == 0);
	atomic_store(&x->b_done, 1);
}

START_TEST(bsp_waits_for_all)
{
	strads_runtime_t *rt = rt_new(2);
	strads_table_opts_t o;
	strads_table_stats_t st;
	strads_table_t *t;
	strads_addr_t b;
	sc_arg_t aa, ab;
	bsp_t x;

	memset(&x, 0, sizeof(x));
	strads_table_opts_init(&o);
	o.nrows = 8;
	o.staleness = 0;
	o.nclients = 2;
	o.nshards = 2;
	t = table_new(rt, &o);
	aa = (sc_arg_t){t, 0, 1, bsp_a, &x};
	ab = (sc_arg_t){t, 1, 1, bsp_b, &x};
	ck_assert_int_eq(strads_spawn(rt, &sc_type, 0, &aa, NULL), 0);
	ck_assert_int_eq(strads_spawn(rt, &sc_type, 1, &ab, &b), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	/* Both shards hold the read: client 1 has not finished clock 0. */
	WAIT_UNTIL((strads_table_stats(t, &st), st.held_gets == 2), 10000);
	ck_assert_int_eq(atomic_load(&x.a_done), 0);
	go(rt, b);
	WAIT_UNTIL(atomic_load(&x.a_done) == 1, 10000);
	rt_finish(rt, t, NULL);
	ck_assert_double_eq(x.a[0], 6); /* own 1 + the other's 5 */
	ck_assert_double_eq(x.a[1], 7); /* the other's put */
}
END_TEST

/* ------------------------------------------------------------------ */
/* The cache: reads within the bound cost no shard message, and the    */
/* clients of one loop share it.                                        */

typedef struct {
	uint64_t a[5], b;
	atomic_int a_phase, b_done;
} cache_t;

static const uint64_t ckeys[8] = {0, 1, 2, 3, 4, 5, 6, 7};

static uint64_t
shard_gets(sc_t *s)
{
	strads_table_stats_t st;

	strads_table_stats(s->a.t, &st);
	return st.shard_gets;
}

static void
cache_a(sc_t *s)
{
	cache_t *x = s->a.ctx;

	if (s->step > 0 && s->step != 5)
		x->a[s->step < 5 ? s->step - 1 : 4] = shard_gets(s);
	switch (s->step) {
	case 0: /* clock 0: a miss on both shards */
	case 1: /* clock 0 again: the cache */
		break;
	case 2: /* clocks 1 and 2 want clocks < 0: the cache */
	case 3:
		TEST_REQUIRE(strads_table_clock(s->c) == 0);
		break;
	case 4:
		atomic_store(&x->a_phase, 1);
		return; /* until the go */
	case 5: /* clock 3 wants clock 0 of all: the rows are too old */
		TEST_REQUIRE(strads_table_clock(s->c) == 0);
		break;
	default:
		atomic_store(&x->a_phase, 2);
		return;
	}
	TEST_REQUIRE(strads_table_get(s->c, ckeys, 8, sc_got, s) == 0);
}

static void
cache_b(sc_t *s)
{
	cache_t *x = s->a.ctx;

	if (s->step == 1) { /* the go: read what the other client fetched */
		TEST_REQUIRE(strads_table_get(s->c, ckeys, 8, sc_got, s) == 0);
	} else if (s->step == 2) {
		x->b = shard_gets(s);
		TEST_REQUIRE(strads_table_clock(s->c) == 0);
		TEST_REQUIRE(strads_table_clock(s->c) == 0);
		TEST_REQUIRE(strads_table_clock(s->c) == 0);
		atomic_store(&x->b_done, 1);
	}
}

START_TEST(cache_serves_fresh_reads)
{
	strads_runtime_t *rt = rt_new(2);
	strads_table_opts_t o;
	strads_table_stats_t st;
	strads_table_t *t;
	strads_addr_t a, b;
	sc_arg_t aa, ab;
	cache_t x;

	memset(&x, 0, sizeof(x));
	strads_table_opts_init(&o);
	o.nrows = 8;
	o.staleness = 2;
	o.nclients = 2;
	o.nshards = 2;
	t = table_new(rt, &o);
	aa = (sc_arg_t){t, 0, 1, cache_a, &x};
	ab = (sc_arg_t){t, 1, 1, cache_b, &x};
	/* Both clients on loop 0, so they share its cache. */
	ck_assert_int_eq(strads_spawn(rt, &sc_type, 0, &aa, &a), 0);
	ck_assert_int_eq(strads_spawn(rt, &sc_type, 0, &ab, &b), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	WAIT_UNTIL(atomic_load(&x.a_phase) == 1, 10000);
	go(rt, b);
	WAIT_UNTIL(atomic_load(&x.b_done) == 1, 10000);
	go(rt, a);
	WAIT_UNTIL(atomic_load(&x.a_phase) == 2, 10000);
	strads_table_stats(t, &st);
	rt_finish(rt, t, NULL);
	ck_assert_uint_eq(x.a[0], 2); /* one GET per shard */
	ck_assert_uint_eq(x.a[1], 2);
	ck_assert_uint_eq(x.a[2], 2);
	ck_assert_uint_eq(x.a[3], 2);
	ck_assert_uint_eq(x.b, 2);    /* the other client: the shared cache */
	ck_assert_uint_eq(x.a[4], 4); /* stale rows: to the shards again */
	ck_assert_uint_eq(st.gets, 6);
	ck_assert_uint_eq(st.cache_hits, 4 * 8);
	ck_assert_uint_eq(st.rows_read, 6 * 8);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Checkpoint and restore.                                              */

#define CK_DENSE 50
#define CK_SPARSE 30

typedef struct {
	const char *dir;
	int status[2];
	char err[512];
	double rows[2 * CK_DENSE];
	atomic_int done;
} ck_t;

static uint64_t
sparse_key(uint32_t k)
{
	return (uint64_t)k * 1000003u + 17;
}

static void
ck_dense(sc_t *s)
{
	ck_t *x = s->a.ctx;
	uint64_t k;

	switch (s->step) {
	case 0:
		for (k = 0; k < CK_DENSE; k++) {
			double d[2] = {(double)k, -0.5 * (double)k};

			TEST_REQUIRE(strads_table_inc(s->c, k, d) == 0);
		}
		TEST_REQUIRE(strads_table_put(s->c, 7,
		    (double[]){100, 200}) == 0);
		TEST_REQUIRE(strads_table_clock(s->c) == 0);
		TEST_REQUIRE(strads_table_checkpoint(s->c, x->dir, sc_ckpt, s) == 0);
		break;
	case 1: /* a directory that does not exist: an error naming it */
		x->status[0] = s->status;
		TEST_REQUIRE(strads_table_checkpoint(s->c, "/nonexistent/strads",
		    sc_ckpt, s) == 0);
		break;
	default:
		x->status[1] = s->status;
		snprintf(x->err, sizeof(x->err), "%s", s->err);
		atomic_fetch_add(&x->done, 1);
		break;
	}
}

static void
ck_sparse(sc_t *s)
{
	ck_t *x = s->a.ctx;
	uint32_t k;

	if (s->step == 0) {
		for (k = 0; k < CK_SPARSE; k++)
			one(s, sparse_key(k), k + 0.25, 0);
		TEST_REQUIRE(strads_table_clock(s->c) == 0);
		TEST_REQUIRE(strads_table_checkpoint(s->c, x->dir, sc_ckpt, s) == 0);
		return;
	}
	x->status[0] = s->status;
	atomic_fetch_add(&x->done, 1);
}

/* Reads every key back (restored tables). */
static void
ck_read(sc_t *s)
{
	ck_t *x = s->a.ctx;
	uint64_t keys[CK_DENSE];
	uint32_t k, n = s->a.width == 2 ? CK_DENSE : CK_SPARSE;

	if (s->step == 0) {
		for (k = 0; k < n; k++)
			keys[k] = s->a.width == 2 ? k : sparse_key(k);
		TEST_REQUIRE(strads_table_get(s->c, keys, n, sc_got, s) == 0);
		return;
	}
	memcpy(x->rows, s->got, (size_t)n * s->a.width * sizeof(double));
	atomic_fetch_add(&x->done, 1);
}

static void
ck_opts(strads_table_opts_t *o, int dense, const char *restore)
{
	strads_table_opts_init(o);
	o->name = dense ? "ckd" : "cks";
	o->kind = dense ? STRADS_TABLE_DENSE : STRADS_TABLE_SPARSE;
	o->nrows = CK_DENSE;
	o->width = dense ? 2 : 1;
	o->nclients = 1;
	o->nshards = dense ? 3 : 2;
	o->restore_dir = restore;
}

/* Runs one script per table (dense and sparse) to completion. */
static void
ck_run(const char *restore, void (*fd)(sc_t *), void (*fs)(sc_t *), ck_t *xd,
    ck_t *xs)
{
	strads_runtime_t *rt = rt_new(2);
	strads_table_opts_t o;
	strads_table_t *td, *ts;
	sc_arg_t ad, as;

	ck_opts(&o, 1, restore);
	td = table_new(rt, &o);
	ck_opts(&o, 0, restore);
	ts = table_new(rt, &o);
	ad = (sc_arg_t){td, 0, 2, fd, xd};
	as = (sc_arg_t){ts, 0, 1, fs, xs};
	ck_assert_int_eq(strads_spawn(rt, &sc_type, 0, &ad, NULL), 0);
	ck_assert_int_eq(strads_spawn(rt, &sc_type, 1, &as, NULL), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	WAIT_UNTIL(atomic_load(&xd->done) == 1 && atomic_load(&xs->done) == 1,
	    10000);
	rt_finish(rt, td, ts);
}

/* The error restoring from dir with a table's options changed by edit. */
static int
restore_err_value(const char *dir, int dense, uint32_t width, int value,
    char *err, size_t len)
{
	strads_runtime_t *rt = rt_new(1);
	strads_table_opts_t o;
	strads_table_t *t = NULL;
	int rc;

	ck_opts(&o, dense, dir);
	if (width != 0)
		o.width = width;
	o.value = value;
	rc = strads_table_create(rt, &o, &t, err, len);
	ck_assert_ptr_null(t);
	strads_runtime_free(rt); /* never started */
	return rc;
}

static int
restore_err(const char *dir, int dense, uint32_t width, char *err, size_t len)
{
	return restore_err_value(dir, dense, width, STRADS_TABLE_F64, err, len);
}

static void
file_edit(const char *dir, const char *name, long truncate_by, long flip_at)
{
	char path[512];
	struct stat sb;
	FILE *f;
	int ch;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(stat(path, &sb), 0);
	if (truncate_by > 0)
		ck_assert_int_eq(truncate(path, sb.st_size - truncate_by), 0);
	if (flip_at >= 0) {
		ck_assert_ptr_nonnull(f = fopen(path, "r+b"));
		ck_assert_int_eq(fseek(f, flip_at, SEEK_SET), 0);
		ch = fgetc(f);
		ck_assert_int_eq(fseek(f, flip_at, SEEK_SET), 0);
		fputc(ch ^ 0x40, f);
		ck_assert_int_eq(fclose(f), 0);
	}
}

START_TEST(checkpoint_restore)
{
	char dir[] = "/tmp/strads-ckpt-XXXXXX", err[512], path[512];
	const char *files[] = {"table-ckd-0.bin", "table-ckd-1.bin",
	    "table-ckd-2.bin", "table-cks-0.bin", "table-cks-1.bin"};
	ck_t xd, xs, rd, rs;
	uint32_t k, i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(&xd, 0, sizeof(xd));
	memset(&xs, 0, sizeof(xs));
	xd.dir = xs.dir = dir;
	ck_run(NULL, ck_dense, ck_sparse, &xd, &xs);
	ck_assert_int_eq(xd.status[0], 0);
	ck_assert_int_eq(xs.status[0], 0);
	ck_assert_int_eq(xd.status[1], STRADS_EIO);
	ck_assert_msg(strstr(xd.err, "/nonexistent/strads/table-ckd-") != NULL,
	    "error names no file: %s", xd.err);
	/* Restored into a new runtime: every value, exactly. */
	memset(&rd, 0, sizeof(rd));
	memset(&rs, 0, sizeof(rs));
	ck_run(dir, ck_read, ck_read, &rd, &rs);
	for (k = 0; k < CK_DENSE; k++) {
		ck_assert_double_eq(rd.rows[2 * k], k == 7 ? 100 : (double)k);
		ck_assert_double_eq(rd.rows[2 * k + 1], k == 7 ? 200 : -0.5 * k);
	}
	for (k = 0; k < CK_SPARSE; k++)
		ck_assert_double_eq(rs.rows[k], k + 0.25);
	/* Refused: another layout, a truncated file, a flipped byte, none. */
	ck_assert_int_eq(restore_err(dir, 1, 3, err, sizeof(err)), STRADS_EFORMAT);
	ck_assert_msg(strstr(err, "table-ckd-0.bin") != NULL, "%s", err);
	ck_assert_int_eq(restore_err_value(dir, 0, 0, STRADS_TABLE_F32, err,
	    sizeof(err)), STRADS_EFORMAT); /* written by a table of doubles */
	file_edit(dir, "table-ckd-1.bin", 5, -1);
	ck_assert_int_eq(restore_err(dir, 1, 0, err, sizeof(err)), STRADS_EFORMAT);
	ck_assert_msg(strstr(err, "table-ckd-1.bin: truncated") != NULL, "%s", err);
	file_edit(dir, "table-cks-0.bin", 0, 100);
	ck_assert_int_eq(restore_err(dir, 0, 0, err, sizeof(err)), STRADS_EFORMAT);
	ck_assert_msg(strstr(err, "table-cks-0.bin: checksum") != NULL, "%s", err);
	for (i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		ck_assert_int_eq(unlink(path), 0); /* and no temporary files */
	}
	ck_assert_int_eq(restore_err(dir, 0, 0, err, sizeof(err)), STRADS_ENOENT);
	ck_assert_msg(strstr(err, "table-cks-0.bin") != NULL, "%s", err);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* Malformed table messages are counted and dropped, never applied. */
START_TEST(shard_refuses_garbage)
{
	strads_runtime_t *rt = rt_new(1);
	strads_table_opts_t o;
	strads_table_stats_t st;
	strads_stats_t rs;
	strads_table_t *t;
	uint64_t rng = 42;
	const int n = 400;
	int i;

	strads_log_set_level(STRADS_LOG_ERROR); /* one warning per message */
	strads_table_opts_init(&o);
	o.nrows = 16;
	o.nclients = 2;
	o.nshards = 1;
	t = table_new(rt, &o);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	for (i = 0; i < n; i++) {
		/* UPDATE, CLOCK, GET, ROWS, CKPT and an unknown type. */
		uint16_t type = (uint16_t)(32 + test_rand(&rng) % 6);
		size_t len = (size_t)(test_rand(&rng) % 64), j;
		strads_msg_t *m = strads_msg_new(type, len);

		ck_assert_ptr_nonnull(m);
		for (j = 0; j < len; j++)
			m->data[j] = (uint8_t)test_rand(&rng);
		if (type == 36 && len >= 24)
			strads__put32(m->data + 20, 1u << 30); /* dir too long */
		ck_assert_int_eq(strads_post(rt, strads_table_shard(t, 0), m), 0);
	}
	WAIT_UNTIL((strads_runtime_stats(rt, &rs), rs.delivered >= (uint64_t)n),
	    10000);
	strads_table_stats(t, &st);
	rt_finish(rt, t, NULL);
	ck_assert_uint_gt(st.rejected, (uint64_t)n * 3 / 4);
	ck_assert_uint_eq(st.updates, 0);
}
END_TEST

START_TEST(create_errors)
{
	strads_runtime_t *rt = rt_new(2);
	strads_table_opts_t o;
	strads_table_t *t = NULL;
	char err[256];

	strads_table_opts_init(&o);
	o.nclients = 1;
	ck_assert_int_eq(strads_table_create(rt, &o, &t, err, sizeof(err)),
	    STRADS_EINVAL); /* dense without nrows */
	o.nrows = 4;
	o.name = "bad/name";
	ck_assert_int_eq(strads_table_create(rt, &o, &t, err, sizeof(err)),
	    STRADS_EINVAL);
	o.name = "ok";
	o.nclients = 0;
	ck_assert_int_eq(strads_table_create(rt, &o, &t, NULL, 0), STRADS_EINVAL);
	ck_assert_ptr_null(t);
	o.nclients = 1;
	o.nshards = 9; /* more shards than rows: one per row */
	ck_assert_int_eq(strads_table_create(rt, &o, &t, err, sizeof(err)), 0);
	ck_assert_int_eq(strads_table_nshards(t), 4);
	strads_runtime_free(rt); /* never started: shards never ran */
	strads_table_free(t);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Bulk calls at scale: reads and updates spanning many messages,      */
/* duplicate keys, key 0, the reader's own bulk updates laid over, and */
/* their order with per-key puts and incs.                             */

#define BK_N 300000 /* pairs per inc_many */
#define BK_U 200000 /* distinct keys among them */

typedef struct {
	uint64_t *keys;   /* BK_N, duplicates included */
	uint32_t *ix;     /* BK_N: the key's index */
	double *deltas;   /* BK_N */
	double *want;     /* BK_U: what one inc_many of all adds */
	double *rows;     /* BK_N: a bulk read's */
	uint32_t ix0;     /* the index of the first key, the one put */
	long bad[5];      /* rows off at each check */
	atomic_int done;
} bk_t;

static void
bk_read_done(strads_table_client_t *c, int status, void *arg)
{
	sc_t *s = arg;

	(void)c;
	if (status == STRADS_ECANCELED)
		return;
	s->status = status;
	sc_next(s);
}

/* Rows off: every key should hold times x what one pass adds, except
 * the first key (the one put), which should hold first. */
static long
bk_off(const bk_t *x, double times, double first)
{
	long bad = 0;
	size_t i;

	for (i = 0; i < BK_N; i++)
		bad += x->rows[i] != (x->ix[i] == x->ix0 ? first :
		    times * x->want[x->ix[i]]);
	return bad;
}

static void
bk_fn(sc_t *s)
{
	bk_t *x = s->a.ctx;
	double one = 1, two = 2, put = 1000;

	switch (s->step) {
	case 0: /* two calls; read before the clock: the buffer laid over */
		TEST_REQUIRE(strads_table_inc_many(s->c, x->keys, x->deltas,
		    BK_N / 2) == 0);
		TEST_REQUIRE(strads_table_inc_many(s->c, x->keys + BK_N / 2,
		    x->deltas + BK_N / 2, BK_N - BK_N / 2) == 0);
		break;
	case 1:
		x->bad[0] = s->status != 0 ? -1 : bk_off(x, 1, x->want[x->ix0]);
		TEST_REQUIRE(strads_table_clock(s->c) == 0);
		break;
	case 2: /* put, bulk inc, inc, bulk of all: in this order */
		x->bad[1] = s->status != 0 ? -1 : bk_off(x, 1, x->want[x->ix0]);
		TEST_REQUIRE(strads_table_put(s->c, x->keys[0], &put) == 0);
		TEST_REQUIRE(strads_table_inc_many(s->c, x->keys, &one, 1) == 0);
		TEST_REQUIRE(strads_table_inc(s->c, x->keys[0], &two) == 0);
		TEST_REQUIRE(strads_table_inc_many(s->c, x->keys, x->deltas,
		    BK_N) == 0);
		break;
	case 3: /* the put replaced key 0's first pass; then 1, 2, a pass */
		x->bad[2] = s->status != 0 ? -1 : bk_off(x, 2,
		    put + 3 + x->want[x->ix0]);
		TEST_REQUIRE(strads_table_clock(s->c) == 0);
		break;
	case 4: /* the same from the shards; then the keys reversed: a
		 * big read of the same keys reuses its grouping, so one of
		 * other keys (here, in another order) must not */
		x->bad[3] = s->status != 0 ? -1 : bk_off(x, 2,
		    put + 3 + x->want[x->ix0]);
		{
			size_t i;

			for (i = 0; i < BK_N / 2; i++) {
				uint64_t k = x->keys[i];
				uint32_t u = x->ix[i];

				x->keys[i] = x->keys[BK_N - 1 - i];
				x->ix[i] = x->ix[BK_N - 1 - i];
				x->keys[BK_N - 1 - i] = k;
				x->ix[BK_N - 1 - i] = u;
			}
		}
		break;
	default:
		x->bad[4] = s->status != 0 ? -1 : bk_off(x, 2,
		    put + 3 + x->want[x->ix0]);
		atomic_store(&x->done, 1);
		return;
	}
	memset(x->rows, 0xff, BK_N * sizeof(double)); /* NaNs: all rewritten */
	TEST_REQUIRE(strads_table_get_many(s->c, x->keys, BK_N, x->rows,
	    bk_read_done, s) == 0);
}

/* _i: 0 sparse doubles, 1 sparse floats, 2 dense doubles, 3 sparse
 * floats in 64 KiB frames (reads of 2048-key chunks: a shard's window
 * fills and a streamed read waits for its replies to go on). */
START_TEST(bulk_large)
{
	strads_runtime_t *rt;
	strads_table_opts_t o;
	strads_table_stats_t st;
	strads_table_t *t;
	uint64_t rng = 77 + (uint64_t)_i;
	sc_arg_t a;
	bk_t x;
	size_t i;

	if (_i == 3) {
		strads_config_t cfg;

		strads_config_init(&cfg);
		cfg.nloops = 2;
		cfg.ncompute = 2;
		cfg.max_frame = 64u << 10;
		ck_assert_int_eq(strads_runtime_new(&rt, &cfg), 0);
	} else {
		rt = rt_new(2);
	}
	memset(&x, 0, sizeof(x));
	x.keys = malloc(BK_N * sizeof(*x.keys));
	x.ix = malloc(BK_N * sizeof(*x.ix));
	x.deltas = malloc(BK_N * sizeof(*x.deltas));
	x.want = calloc(BK_U, sizeof(*x.want));
	x.rows = malloc(BK_N * sizeof(*x.rows));
	ck_assert(x.keys && x.ix && x.deltas && x.want && x.rows);
	for (i = 0; i < BK_N; i++) {
		uint32_t u = i < BK_U ? (uint32_t)i : (uint32_t)(test_rand(&rng) %
		    BK_U);

		x.ix[i] = u;
		/* Key 0 is among the sparse keys too (an empty slot's mark
		 * inside the shards' maps). */
		x.keys[i] = _i == 2 || u == 0 ? u : (uint64_t)u * 7919u + 1;
		x.deltas[i] = (double)(i % 7 + 1);
		x.want[u] += x.deltas[i];
	}
	/* Shuffle the first copies among the duplicates. */
	for (i = BK_N - 1; i > 0; i--) {
		size_t j = test_rand(&rng) % (i + 1);
		uint64_t k = x.keys[i];
		uint32_t u = x.ix[i];
		double d = x.deltas[i];

		x.keys[i] = x.keys[j];
		x.ix[i] = x.ix[j];
		x.deltas[i] = x.deltas[j];
		x.keys[j] = k;
		x.ix[j] = u;
		x.deltas[j] = d;
	}
	x.ix0 = x.ix[0];
	strads_table_opts_init(&o);
	o.name = "bulk";
	o.kind = _i == 2 ? STRADS_TABLE_DENSE : STRADS_TABLE_SPARSE;
	o.nrows = BK_U;
	o.nclients = 1;
	o.nshards = 3;
	o.value = _i == 1 || _i == 3 ? STRADS_TABLE_F32 : STRADS_TABLE_F64;
	t = table_new(rt, &o);
	memset(&a, 0, sizeof(a));
	a.t = t;
	a.width = 1;
	a.fn = bk_fn;
	a.ctx = &x;
	ck_assert_int_eq(strads_spawn(rt, &sc_type, 0, &a, NULL), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	WAIT_UNTIL(atomic_load(&x.done) == 1, 30000);
	strads_table_stats(t, &st);
	rt_finish(rt, t, NULL);
	ck_assert_int_eq(x.bad[0], 0);
	ck_assert_int_eq(x.bad[1], 0);
	ck_assert_int_eq(x.bad[2], 0);
	ck_assert_int_eq(x.bad[3], 0);
	ck_assert_int_eq(x.bad[4], 0);
	/* Every pair applied once: bulk pairs count one each. */
	ck_assert_uint_eq(st.updates, 2 * BK_N + 1 + 2);
	ck_assert_uint_eq(st.rejected, 0);
	ck_assert_uint_eq(st.cache_hits, 0);
	free(x.keys);
	free(x.ix);
	free(x.deltas);
	free(x.want);
	free(x.rows);
}
END_TEST

/* Attaching checks what it can without a message: the addresses, the
 * options, and that a restore is the creator's business. A client whose
 * layout differs from the shards' gets its clocks refused. */
typedef struct {
	atomic_int done;
} lay_t;

static void
lay_fn(sc_t *s)
{
	lay_t *x = s->a.ctx;
	double d = 1;

	if (s->step == 0) {
		one(s, 1, d, 0);
		TEST_REQUIRE(strads_table_clock(s->c) == 0);
		atomic_store(&x->done, 1);
	}
}

START_TEST(attach_errors)
{
	strads_runtime_t *rt = rt_new(1);
	strads_table_opts_t o;
	strads_table_stats_t st;
	strads_table_t *t, *a = NULL;
	strads_addr_t addr[2];
	char err[256];
	sc_arg_t arg;
	lay_t x;

	strads_table_opts_init(&o);
	o.name = "lay";
	o.nrows = 8;
	o.nclients = 1;
	o.nshards = 1;
	t = table_new(rt, &o);
	addr[0] = strads_table_shard(t, 0);
	addr[1] = addr[0];
	ck_assert_int_eq(strads_table_attach(rt, &o, addr, 0, &a, err,
	    sizeof(err)), STRADS_EINVAL);
	ck_assert_int_eq(strads_table_attach(rt, &o, addr, 2, &a, err,
	    sizeof(err)), STRADS_EINVAL); /* o says one shard */
	ck_assert_ptr_null(a);
	o.restore_dir = "/tmp";
	ck_assert_int_eq(strads_table_attach(rt, &o, addr, 1, &a, NULL, 0),
	    STRADS_EINVAL);
	o.restore_dir = NULL;
	addr[1].node = 0;
	o.nshards = 0;
	ck_assert_int_eq(strads_table_attach(rt, &o, addr, 2, &a, err,
	    sizeof(err)), STRADS_EADDR);
	/* The same shards under another staleness: a different layout, in
	 * this very process (attaching works to local shards too). */
	o.staleness = 1;
	ck_assert_int_eq(strads_table_attach(rt, &o, addr, 1, &a, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(strads_table_nshards(a), 1);
	ck_assert(strads_addr_eq(strads_table_shard(a, 0), addr[0]));
	atomic_init(&x.done, 0);
	memset(&arg, 0, sizeof(arg));
	arg.t = a;
	arg.width = 1;
	arg.fn = lay_fn;
	arg.ctx = &x;
	ck_assert_int_eq(strads_spawn(rt, &sc_type, 0, &arg, NULL), 0);
	strads_log_set_level(STRADS_LOG_ERROR); /* the refusal warns */
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	WAIT_UNTIL(atomic_load(&x.done) == 1, 5000);
	WAIT_UNTIL((strads_table_stats(t, &st), st.rejected == 1), 5000);
	rt_finish(rt, t, a);
	ck_assert_uint_eq(st.clocks, 0);
	ck_assert_uint_eq(st.updates, 0);
}
END_TEST

/* NNG frees closed dialers and pipes on its reaper thread, later: let it
 * finish before a forked test's process ends, so leak checkers see only
 * what strads leaked. */
static int forked = 1;

static void
nng_teardown(void)
{
	if (forked)
		nng_fini();
}

static Suite *
table_suite(void)
{
	Suite *s = suite_create("table");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, property_dense, 0, 3);
	tcase_add_loop_test(tc, property_sparse, 0, 3);
	tcase_add_loop_test(tc, property_early_flush, 0, 2);
	tcase_add_loop_test(tc, property_bulk, 0, 8);
	tcase_add_loop_test(tc, bulk_large, 0, 4);
	tcase_add_test(tc, read_my_writes_and_put);
	tcase_add_test(tc, big_buffers);
	tcase_add_test(tc, bsp_waits_for_all);
	tcase_add_test(tc, cache_serves_fresh_reads);
	tcase_add_test(tc, checkpoint_restore);
	tcase_add_test(tc, shard_refuses_garbage);
	tcase_add_test(tc, create_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("remote");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, nng_teardown);
	tcase_add_loop_test(tc, property_remote, 0, 8);
	tcase_add_test(tc, attach_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(table_suite());
	int nfailed;

	srunner_set_fork_status(sr, CK_FORK_GETENV);
	forked = srunner_fork_status(sr) != CK_NOFORK;
	srunner_run_all(sr, CK_ENV);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	/* Without fork (valgrind) every test ran in this process: NNG is
	 * finalised once, here. */
	if (!forked)
		nng_fini();
	return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
