/*
 * bench_rotation.c -- `make bench`: handing a 1 MiB part of a rotate
 * table from one worker to the next, between two loops of one process.
 *
 * A rotation job on two workers (two loops, two compute threads) and two
 * parts of 1 MiB each (131072 rows of one f64). Its rotate callback does
 * no work beyond touching the part; it stamps the time it is entered and
 * left. A hand-over is a part going from its holder in round r to its
 * next holder in round r + 1 (half the rounds: the other half start a
 * sweep, from where the part rests). Its time is from the moment the
 * holder's callback returns to the moment the next holder's is entered:
 * the compute completion back to the holder's loop, ENG_PART to the next
 * holder's loop, and the next holder's compute dispatch: three thread
 * hops. The address the next holder gets must be the one the holder had
 * (no copy).
 *
 * The hand-over message alone: two actors on two loops pass an ENG_PART
 * message (the engine's codec, the part's address in it) back and forth,
 * each writing to the 1 MiB part it receives; the one-way time is half a
 * round trip. For scale, the run also times a memcpy of 1 MiB (what one
 * copy would cost).
 *
 * Each case runs --repeat times (default 5); medians with their range.
 * Target: under 10 us, no copy.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schmp.h"

#define ROWS_PER_PART 131072u /* 1 MiB of doubles */
#define NROUNDS 2000

typedef struct {
	uint64_t enter[NROUNDS][2], leave[NROUNDS][2];
	uintptr_t addr[NROUNDS][2];
} stamps_t;

static stamps_t *g_st;

static int
winit(void *shared, const strads_shard_t *sh, void **out)
{
	(void)shared;
	*out = (void *)(uintptr_t)(sh->index + 1);
	return 0;
}

static void
wfini(void *ws)
{
	(void)ws;
}

static void
rotate(void *ws, const strads_part_t *p)
{
	uint64_t t0 = strads_now_ns();
	double *v = p->rows;

	(void)ws;
	v[0] += 1;
	v[(p->row_end - p->row_begin) - 1] += 1;
	if (p->round < NROUNDS && p->index < 2) {
		g_st->enter[p->round][p->index] = t0;
		g_st->addr[p->round][p->index] = (uintptr_t)p->rows;
		g_st->leave[p->round][p->index] = strads_now_ns();
	}
}

static void
push(void *ws, const strads_block_t *b, double *partials)
{
	(void)ws;
	(void)b;
	(void)partials;
}

static void
check(void *shared, strads_range_t r, const double *partials,
    const double *params, double *out)
{
	(void)shared;
	(void)r;
	(void)partials;
	(void)params;
	out[0] = 0;
}

static void
objective(void *shared, const double *stats, const double *checks, int nstores,
    strads_progress_t *out)
{
	(void)shared;
	(void)stats;
	(void)checks;
	(void)nstores;
	out->objective = 0;
	out->criterion = 1;
}

static const strads_table_decl_t tables[] = {
    {.name = "p", .home = STRADS_HOME_STORE, .value = STRADS_VALUE_F64, .width = 1},
    {.name = "parts", .home = STRADS_HOME_ROTATE, .value = STRADS_VALUE_F64,
        .rows = 2 * ROWS_PER_PART, .width = 1},
};

static const strads_app_t app = {
    .name = "bench-rotation",
    .tables = tables,
    .ntables = 2,
    .width = 1,
    .ncheck = 1,
    .worker_init = winit,
    .worker_fini = wfini,
    .push = push,
    .check = check,
    .objective = objective,
    .rotate = rotate,
};

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One run: the median hand-over in us and the address changes. */
static int
run_once(double *median_us, int *moved)
{
	strads_runtime_t *rt;
	strads_config_t cfg;
	strads_job_opts_t o;
	strads_job_result_t res;
	double *gap;
	int n = 0, r, q, err;

	memset(g_st, 0, sizeof(*g_st));
	strads_config_init(&cfg);
	cfg.nloops = 2;
	cfg.ncompute = 2;
	if (strads_runtime_new(&rt, &cfg) != 0 || strads_runtime_start(rt) != 0)
		return -1;
	strads_job_opts_init(&o);
	o.nparams = 1;
	o.nrows = 2;
	o.nworkers = 2;
	o.nparts = 2;
	o.schedule = STRADS_SCHEDULE_ROTATION;
	o.max_rounds = NROUNDS;
	o.check_every = 1u << 30; /* no checks but the last */
	err = strads_job_run(rt, &app, NULL, &o, &res);
	strads_runtime_stop(rt);
	strads_runtime_wait(rt);
	strads_runtime_free(rt);
	if (err != 0)
		return -1;
	free(res.params);
	for (q = 0; q < (int)res.ntables; q++)
		free(res.tables[q]);
	free(res.tables);
	gap = malloc(NROUNDS * 2 * sizeof(double));
	if (gap == NULL)
		return -1;
	*moved = 0;
	for (r = 0; r + 1 < NROUNDS; r += 2) /* round r -> r + 1: a hand-over */
		for (q = 0; q < 2; q++) {
			if (g_st->addr[r + 1][q] != g_st->addr[r][q])
				(*moved)++;
			gap[n++] = (double)(g_st->enter[r + 1][q] - g_st->leave[r][q]) / 1e3;
		}
	qsort(gap, (size_t)n, sizeof(double), cmp_d);
	*median_us = gap[n / 2];
	free(gap);
	return 0;
}

/* The hand-over ping-pong: two actors on two loops. */
#define PINGS 20000

typedef struct {
	strads_addr_t peer;
	int first;
	int moved;
	uint64_t n, t0, t1;
	uv_sem_t *done;
} pp_t;

static double *g_part;
static double ping_us;
static int ping_moved;

static void
pp_pass(strads_actor_t *self, pp_t *s, strads_addr_t to, double *rows)
{
	strads__eng_t e;
	uint32_t ids[4] = {0, 0, ROWS_PER_PART, 0};
	strads_msg_t *m;

	memset(&e, 0, sizeof(e));
	e.round = s->n;
	e.n = 4;
	e.idx = ids;
	e.dep = (uint64_t)(uintptr_t)rows;
	if ((m = strads__eng_encode(ENG_PART, &e)) != NULL)
		strads_send(self, to, m);
}

static int
pp_init(strads_actor_t *self, void *arg)
{
	memcpy(strads_actor_state(self), arg, sizeof(pp_t));
	return 0;
}

static void
pp_recv(strads_actor_t *self, const strads_msg_t *m)
{
	pp_t *s = strads_actor_state(self);
	strads__eng_t e;
	double *rows;

	if (m->type == ENG_START) {
		if (s->first) {
			s->t0 = strads_now_ns();
			pp_pass(self, s, s->peer, g_part);
		}
		return;
	}
	if (m->type != ENG_PART || strads__eng_decode(m, &e) != 0)
		return;
	rows = (double *)(uintptr_t)e.dep;
	strads__eng_free(&e);
	s->moved += rows != g_part;
	rows[s->n % ROWS_PER_PART] += 1; /* the holder writes its part */
	if (++s->n == PINGS && s->first) {
		/* The first actor got its PINGS-th reply: 2 x PINGS hops. */
		ping_us = (double)(strads_now_ns() - s->t0) / 1e3 / (2.0 * PINGS);
		ping_moved = s->moved;
		uv_sem_post(s->done);
		return;
	}
	if (s->n > PINGS)
		return; /* the other side is done */
	pp_pass(self, s, m->src, rows); /* back to its last holder */
}

static void
pp_stop(strads_actor_t *self)
{
	(void)self;
}

static const strads_actor_type_t pp_type = {"bench-pp", sizeof(pp_t), pp_init,
    pp_recv, pp_stop};

/* One-way hand-over time (us) between two loops, and address changes. */
static int
pingpong(double *oneway_us, int *moved)
{
	strads_runtime_t *rt;
	strads_config_t cfg;
	strads_addr_t a, b;
	pp_t init[2];
	uv_sem_t done;
	strads_msg_t *m;

	strads_config_init(&cfg);
	cfg.nloops = 2;
	memset(init, 0, sizeof(init));
	init[0].first = 1;
	init[0].done = &done;
	init[1].done = &done;
	if (uv_sem_init(&done, 0) != 0 || strads_runtime_new(&rt, &cfg) != 0 ||
	    strads_runtime_start(rt) != 0 ||
	    strads_spawn(rt, &pp_type, 1, &init[1], &b) != 0)
		return -1;
	init[0].peer = b; /* b replies to whoever sent the part */
	if (strads_spawn(rt, &pp_type, 0, &init[0], &a) != 0 ||
	    (m = strads_msg_new(ENG_START, 0)) == NULL)
		return -1;
	strads_post(rt, a, m);
	uv_sem_wait(&done); /* the first of the two to reach PINGS */
	strads_runtime_stop(rt);
	strads_runtime_wait(rt);
	strads_runtime_free(rt);
	uv_sem_destroy(&done);
	*oneway_us = ping_us;
	*moved = ping_moved;
	return 0;
}

/* Between processes a hand-over is one ENG_PART message of the part's
 * rows: what the engine adds to the transport is encoding it (one copy
 * into the message) and, at the next holder, one copy into place. Time
 * of both for a 1 MiB part, in us (the transport's own 1 MiB rate beside
 * bare NNG's is bench_runtime's cross-process row). */
static double
encode_place_us(double *dst)
{
	uint32_t ids[4] = {0, 0, ROWS_PER_PART, 0};
	strads__eng_t e, v;
	strads_msg_t *m;
	uint64_t t0 = strads_now_ns();
	int k, n = 200;

	for (k = 0; k < n; k++) {
		memset(&e, 0, sizeof(e));
		e.round = (uint64_t)k;
		e.n = 4;
		e.idx = ids;
		e.nd = ROWS_PER_PART;
		e.val = g_part;
		if ((m = strads__eng_encode(ENG_PART, &e)) == NULL)
			return -1;
		if (strads__eng_view(m, &v) == 0) {
			memcpy(dst, v.val, (size_t)ROWS_PER_PART * 8);
			strads__eng_free(&v);
		}
		strads_msg_free(m);
		g_part[k] += dst[k + 1];
	}
	return (double)(strads_now_ns() - t0) / 1e3 / n;
}

int
main(int argc, char **argv)
{
	int repeat = 5, i, moved_all = 0;
	double med[32], cp[32], pp[32], ep[32], *dst;
	char *a = NULL, *b = NULL;

	if (argc > 2 && strcmp(argv[1], "--repeat") == 0)
		repeat = atoi(argv[2]);
	if (repeat < 1 || repeat > 32)
		repeat = 5;
	g_st = calloc(1, sizeof(*g_st));
	g_part = calloc(ROWS_PER_PART, sizeof(double));
	dst = calloc(ROWS_PER_PART, sizeof(double));
	a = malloc(1u << 20);
	b = malloc(1u << 20);
	if (g_st == NULL || g_part == NULL || dst == NULL || a == NULL || b == NULL)
		return 1;
	memset(a, 1, 1u << 20);
	memset(b, 2, 1u << 20);
	for (i = 0; i < repeat; i++) {
		uint64_t t0;
		int moved, k;

		if (run_once(&med[i], &moved) != 0) {
			fprintf(stderr, "bench_rotation: the job failed\n");
			return 1;
		}
		moved_all += moved;
		if (pingpong(&pp[i], &moved) != 0) {
			fprintf(stderr, "bench_rotation: the ping-pong failed\n");
			return 1;
		}
		moved_all += moved;
		t0 = strads_now_ns();
		for (k = 0; k < 100; k++) {
			memcpy(b, a, 1u << 20);
			a[k] = b[k + 1];
		}
		cp[i] = (double)(strads_now_ns() - t0) / 1e3 / 100;
		if ((ep[i] = encode_place_us(dst)) < 0)
			return 1;
	}
	qsort(med, (size_t)repeat, sizeof(double), cmp_d);
	qsort(cp, (size_t)repeat, sizeof(double), cmp_d);
	qsort(pp, (size_t)repeat, sizeof(double), cmp_d);
	qsort(ep, (size_t)repeat, sizeof(double), cmp_d);
	printf("rotation hand-over of a 1 MiB part between loops (%d runs, %d "
	    "hand-overs each)\n", repeat, NROUNDS);
	printf("  hand-over message, one way   median %8.2f us  (range %.2f - %.2f)  "
	    "target < 10 us\n", pp[repeat / 2], pp[0], pp[repeat - 1]);
	printf("  round to round in the engine median %8.2f us  (range %.2f - %.2f)  "
	    "(3 thread hops)\n", med[repeat / 2], med[0], med[repeat - 1]);
	printf("  memcpy 1 MiB                 median %8.2f us  (range %.2f - %.2f)  "
	    "(one copy, for scale)\n",
	    cp[repeat / 2], cp[0], cp[repeat - 1]);
	printf("  between processes: encode + copy into place, per part  median %8.2f us  "
	    "(range %.2f - %.2f)\n", ep[repeat / 2], ep[0], ep[repeat - 1]);
	printf("    (the wire: bench_runtime's 1 MiB cross-process row, beside bare NNG)\n");
	printf("  parts that changed address at a hand-over: %d (0: no copy)\n", moved_all);
	free(g_st);
	free(g_part);
	free(dst);
	free(a);
	free(b);
	return moved_all == 0 ? 0 : 1;
}
