/*
 * bench_rotation.c -- `make bench`: handing a 1 MiB part of a rotate
 * table from one worker to the next, between two loops of one process
 * and between two processes.
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
 * copy would cost) and the kernel's floor under the message: two bare
 * threads passing a token through eventfds they sleep on in epoll_wait,
 * as loops do (the wake-up of a sleeping thread under the machine's load
 * of the moment; the message cannot be faster than it).
 *
 * Between processes, over tcp loopback: a child process (node 2, started
 * with posix_spawn() of this program before anything here touches NNG,
 * which is not fork-safe) and this one (node 1) pass a 1 MiB part back
 * and forth as ENG_PART messages of its rows, through the transport
 * (src/net): the holder encodes the part (one copy into the message,
 * which the transport sends as its own frame), the next holder views
 * the frame and copies the rows into place (one copy), as the engine's
 * worker does. Beside it, in the same run and taking turns with it, bare
 * NNG between the same two processes over tcp loopback: a pair1 socket
 * (one connection both ways), and a push and a pull socket (a connection
 * each way, as the transport has); the part sent from its buffer with
 * nng_send() and received into it with nng_recv() (NNG's own copy at
 * each end, so every side copies the same bytes). One part is in flight:
 * each case is 128 round trips, 256 hand-overs. Figures: MiB/s of parts
 * handed over, and the ratios (target >= 0.9 x bare NNG).
 *
 * What each side does for one hand-over of 1 MiB:
 * - strads: the holder's loop encodes the part into a big message (one
 *   copy; its buffer is the last frame the loop received, so it is not
 *   zeroed), and the loop thread writes it to the socket itself at the
 *   end of its turn (the credit for the message it got rides in the same
 *   frame); NNG's threads finish the write (a send callback on a task
 *   thread). At the next holder NNG reads the frame into a message it
 *   allocates zeroed, on its poller and task threads; the task thread
 *   that completes it runs the transport's callback, which wakes the
 *   holder's loop (eventfd); the loop views the rows in the frame and
 *   copies them into place (one copy).
 * - bare NNG: nng_send() copies the part into a message it allocates
 *   zeroed, on the calling thread, NNG's threads finish the write; at the
 *   other end NNG reads it as above, its task thread wakes the thread
 *   blocked in nng_recv(), which copies it out (one copy). pair1 uses one
 *   connection both ways, push/pull one each way (as strads does).
 * So strads does one zeroing fewer and the same copies and wake-ups. A
 * fourth case, two pair1 sockets (one connection each way, as push/pull
 * and strads have), tells the protocol from the number of connections.
 *
 * Each repeat is cut into 8 blocks; in each block the four cases run in
 * turn, the first of them moving on each block, so a change of load
 * within a repeat falls on all four alike. Beside the bandwidth, the
 * CPU time a hand-over costs (both processes, every thread, from
 * CLOCK_PROCESS_CPUTIME_ID; the child reports its own), which a loaded
 * machine distorts less than the wall clock.
 *
 * Each case runs --repeat times (default 5); medians with their range.
 * --xp-rounds N sets the round trips of a cross-process case (128).
 * --cases loops or procs runs one half; --xp-only strads, pair1,
 * pushpull or pair1x2 runs one cross-process case alone (to profile it:
 * perf record -g follows the child too). Targets: between loops under
 * 10 us and no copy; between processes >= 0.9 x bare NNG.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif

#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <nng/protocol/pipeline0/pull.h>
#include <nng/protocol/pipeline0/push.h>

#include "schmp.h"

extern char **environ;

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

/* The kernel's floor under the hand-over message: two threads, each
 * asleep in epoll_wait on an eventfd of its own (what a loop does
 * between turns), passing a token back and forth by writing to the
 * other's eventfd; the one-way time is half a round trip. No strads and
 * no libuv: what is left is the wake-up of a sleeping thread on this
 * machine under its present load. -1 where there is no eventfd. */
#ifdef __linux__
typedef struct {
	int efd[2], ep[2];
} floor_t;

static void
floor_wait(floor_t *f, int i)
{
	struct epoll_event ev;
	uint64_t v;

	while (epoll_wait(f->ep[i], &ev, 1, -1) != 1)
		;
	if (read(f->efd[i], &v, sizeof(v)) < 0)
		return;
}

static void
floor_signal(floor_t *f, int i)
{
	uint64_t one = 1;

	if (write(f->efd[i], &one, sizeof(one)) < 0)
		return;
}

static void
floor_echo(void *arg)
{
	floor_t *f = arg;
	int k;

	for (k = 0; k < PINGS; k++) {
		floor_wait(f, 1);
		floor_signal(f, 0);
	}
}

static double
wake_floor_us(void)
{
	floor_t f;
	uv_thread_t th;
	uint64_t t0, t1;
	int i, k;

	for (i = 0; i < 2; i++) {
		struct epoll_event ev = {.events = EPOLLIN};

		f.efd[i] = eventfd(0, EFD_NONBLOCK);
		f.ep[i] = epoll_create1(0);
		if (f.efd[i] < 0 || f.ep[i] < 0 ||
		    epoll_ctl(f.ep[i], EPOLL_CTL_ADD, f.efd[i], &ev) != 0)
			return -1;
	}
	if (uv_thread_create(&th, floor_echo, &f) != 0)
		return -1;
	t0 = strads_now_ns();
	for (k = 0; k < PINGS; k++) {
		floor_signal(&f, 1);
		floor_wait(&f, 0);
	}
	t1 = strads_now_ns();
	uv_thread_join(&th);
	for (i = 0; i < 2; i++) {
		close(f.efd[i]);
		close(f.ep[i]);
	}
	return (double)(t1 - t0) / 1e3 / (2.0 * PINGS);
}
#else
static double
wake_floor_us(void)
{
	return -1;
}
#endif

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

/* ------------------------------------------------------------------ */
/* Between processes.                                                   */

/* Round trips per timed case (--xp-rounds, default 128: 256 hand-overs). */
static uint64_t xp_rounds = 128;
/* --xp-only: the one cross-process case run (-1: all four), for
 * profiling one side alone (perf record); the others print as nan. */
static int xp_only = -1;

/* A holder of the part on either side: node 1's starts each case. */
typedef struct {
	double *part; /* borrowed: this process's 1 MiB part */
	uint64_t n, rounds, t0;
	uint64_t copied_views; /* views that had to copy (unaligned frames) */
	uv_sem_t *done; /* node 1: posted when a case ends */
} xp_t;

/* Node 1's holder at the end of a case, read after done is posted. */
static double g_xp_secs;
static uint64_t g_xp_copied;

static void
xp_pass(strads_actor_t *self, xp_t *s, strads_addr_t to)
{
	strads__eng_t e;
	uint32_t ids[4] = {0, 0, ROWS_PER_PART, 0};
	strads_msg_t *m;

	memset(&e, 0, sizeof(e));
	e.round = s->n;
	e.n = 4;
	e.idx = ids;
	e.nd = ROWS_PER_PART;
	e.val = s->part;
	if ((m = strads__eng_encode(ENG_PART, &e)) != NULL)
		strads_send(self, to, m);
}

static int
xp_init(strads_actor_t *self, void *arg)
{
	memcpy(strads_actor_state(self), arg, sizeof(xp_t));
	return 0;
}

static void
xp_recv(strads_actor_t *self, const strads_msg_t *m)
{
	xp_t *s = strads_actor_state(self);
	strads__eng_t e;

	if (m->type == ENG_START) {
		/* Node 1: a case of rounds round trips to the actor in m. */
		strads_addr_t to;

		memcpy(&to, m->data, sizeof(to));
		memcpy(&s->rounds, m->data + sizeof(to), sizeof(s->rounds));
		s->n = 0;
		s->t0 = strads_now_ns();
		xp_pass(self, s, to);
		return;
	}
	if (m->type != ENG_PART || strads__eng_view(m, &e) != 0)
		return;
	if (e.nd == ROWS_PER_PART) {
		s->copied_views += !e.borrowed;
		memcpy(s->part, e.val, (size_t)ROWS_PER_PART * 8); /* into place */
		s->part[e.round % ROWS_PER_PART] += 1; /* the holder's work */
	}
	strads__eng_free(&e);
	s->n++;
	if (s->done != NULL && s->n == s->rounds) {
		g_xp_secs = (double)(strads_now_ns() - s->t0) / 1e9;
		g_xp_copied = s->copied_views;
		uv_sem_post(s->done);
		return;
	}
	xp_pass(self, s, m->src); /* back to its last holder */
}

static void
xp_stop(strads_actor_t *self)
{
	(void)self;
}

static const strads_actor_type_t xp_type = {"bench-xp", sizeof(xp_t), xp_init,
    xp_recv, xp_stop};

/* Reads one line (without its newline) from fd, within timeout_ms. */
static int
read_line(int fd, char *buf, size_t cap, int timeout_ms)
{
	size_t n = 0;
	char c;

	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		ssize_t r;
		int rv = poll(&pfd, 1, timeout_ms);

		if (rv < 0 && errno == EINTR)
			continue;
		if (rv <= 0)
			return -1;
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (c == '\n')
			break;
		if (n + 1 < cap)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

/* The calling process's CPU time (every thread), in ns. */
static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

typedef struct {
	nng_socket rx, tx; /* the same pair1 socket, or pull and push */
	double *part;
} nng_echo_t;

/* The child's bare NNG holder: receives the part into its buffer, works
 * on it, sends it back, until the socket closes. */
static void
nng_echo(void *arg)
{
	nng_echo_t *ne = arg;
	uint64_t k;

	for (k = 0;; k++) {
		size_t len = (size_t)ROWS_PER_PART * 8;

		if (nng_recv(ne->rx, ne->part, &len, 0) != 0)
			return;
		ne->part[k % ROWS_PER_PART] += 1;
		if (nng_send(ne->tx, ne->part, len, 0) != 0)
			return;
	}
}

/* Opens s (pair1, push or pull) listening on a free loopback port. */
static int
nng_listen_any(nng_socket *s, int (*open)(nng_socket *), int *port)
{
	nng_listener nl;

	return open(s) != 0 ||
	    nng_socket_set_size(*s, NNG_OPT_RECVMAXSZ, 4u << 20) != 0 ||
	    nng_listener_create(&nl, *s, "tcp://127.0.0.1:0") != 0 ||
	    nng_listener_start(nl, 0) != 0 ||
	    nng_listener_get_int(nl, NNG_OPT_TCP_BOUND_PORT, port) != 0;
}

static int
nng_dial_port(nng_socket *s, int (*open)(nng_socket *), int port)
{
	char url[64];

	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", port);
	return open(s) != 0 ||
	    nng_socket_set_size(*s, NNG_OPT_RECVMAXSZ, 4u << 20) != 0 ||
	    nng_dial(*s, url, NULL, 0) != 0;
}

/* Node 2. Talks on stdin/stdout, one line each way:
 *   child:  "<strads port> <holder actor> <pair1 port> <pull port> <push port>"
 *   parent: "<strads port>"
 *   child:  "ready"
 * and ends when its stdin closes. */
static int
serve_xproc(void)
{
	strads_runtime_t *rt;
	strads_config_t cfg;
	strads_addr_t addr;
	nng_echo_t ne, pe, qe;
	uv_thread_t th, tp, tq;
	xp_t init;
	char line[64], url[64];
	int port = 0, nport = 0, pull_port = 0, push_port = 0, parent_port, err;
	int q_rx_port = 0, q_tx_port = 0;

	memset(&init, 0, sizeof(init));
	init.part = calloc(ROWS_PER_PART, sizeof(double));
	ne.part = calloc(ROWS_PER_PART, sizeof(double));
	pe.part = calloc(ROWS_PER_PART, sizeof(double));
	qe.part = calloc(ROWS_PER_PART, sizeof(double));
	if (init.part == NULL || ne.part == NULL || pe.part == NULL ||
	    qe.part == NULL)
		return 2;
	strads_config_init(&cfg);
	cfg.nloops = 1;
	cfg.ncompute = 1;
	cfg.node_id = 2;
	if (strads_runtime_new(&rt, &cfg) != 0 ||
	    strads_listen(rt, "tcp://127.0.0.1:0", &port) != 0 ||
	    strads_spawn(rt, &xp_type, 0, &init, &addr) != 0 ||
	    strads_runtime_start(rt) != 0)
		return 2;
	if (nng_listen_any(&ne.rx, nng_pair1_open, &nport) != 0 ||
	    nng_listen_any(&pe.rx, nng_pull0_open, &pull_port) != 0 ||
	    nng_listen_any(&pe.tx, nng_push0_open, &push_port) != 0 ||
	    nng_listen_any(&qe.rx, nng_pair1_open, &q_rx_port) != 0 ||
	    nng_listen_any(&qe.tx, nng_pair1_open, &q_tx_port) != 0)
		return 2;
	ne.tx = ne.rx;
	if (uv_thread_create(&th, nng_echo, &ne) != 0 ||
	    uv_thread_create(&tp, nng_echo, &pe) != 0 ||
	    uv_thread_create(&tq, nng_echo, &qe) != 0)
		return 2;
	printf("%d %u %d %d %d %d %d\n", port, addr.actor, nport, pull_port,
	    push_port, q_rx_port, q_tx_port);
	fflush(stdout);
	if (read_line(0, line, sizeof(line), 60000) != 0 ||
	    sscanf(line, "%d", &parent_port) != 1)
		return 2;
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", parent_port);
	if (strads_peer_add(rt, 1, url) != 0)
		return 2;
	printf("ready\n");
	fflush(stdout);
	/* "cpu": this process's CPU time so far, in ns. */
	while (read_line(0, line, sizeof(line), -1) == 0)
		if (strcmp(line, "cpu") == 0) {
			printf("%llu\n", (unsigned long long)cpu_ns());
			fflush(stdout);
		}
	nng_close(ne.rx);
	nng_close(pe.rx);
	nng_close(pe.tx);
	nng_close(qe.rx);
	nng_close(qe.tx);
	uv_thread_join(&th);
	uv_thread_join(&tp);
	uv_thread_join(&tq);
	strads_runtime_stop(rt);
	err = strads_runtime_wait(rt);
	strads_runtime_free(rt);
	free(init.part);
	free(ne.part);
	free(pe.part);
	free(qe.part);
	return err != 0;
}

typedef struct {
	pid_t pid;
	int in, out; /* the child's stdin and stdout */
	strads_runtime_t *rt;
	strads_addr_t holder, peer; /* here, and in the child */
	uv_sem_t done;
	nng_socket pair, push, pull; /* bare NNG: pair1, or push and pull */
	nng_socket q_tx, q_rx; /* bare NNG: two pair1 sockets, one a way */
	double *part;
} xproc_t;

static int
xproc_spawn(xproc_t *x, const char *argv0)
{
	posix_spawn_file_actions_t fa;
	char *args[3] = {(char *)argv0, "--serve-xproc", NULL};
	int to[2], from[2], rv;

	if (pipe(to) != 0 || pipe(from) != 0)
		return -1;
	fcntl(to[1], F_SETFD, FD_CLOEXEC);
	fcntl(from[0], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, to[0], 0);
	posix_spawn_file_actions_adddup2(&fa, from[1], 1);
	rv = posix_spawn(&x->pid, "/proc/self/exe", &fa, NULL, args, environ);
	if (rv == ENOENT)
		rv = posix_spawn(&x->pid, argv0, &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(to[0]);
	close(from[1]);
	x->in = to[1];
	x->out = from[0];
	return rv == 0 ? 0 : -1;
}

/* Node 1, once the child runs: its runtime, holder and NNG socket. */
static int
xproc_connect(xproc_t *x)
{
	strads_config_t cfg;
	xp_t init;
	char line[64], url[64];
	unsigned actor;
	int port = 0, cport, nport, pull_port, push_port, q_rx_port, q_tx_port;

	if (read_line(x->out, line, sizeof(line), 30000) != 0 ||
	    sscanf(line, "%d %u %d %d %d %d %d", &cport, &actor, &nport,
	    &pull_port, &push_port, &q_rx_port, &q_tx_port) != 7)
		return -1;
	strads_config_init(&cfg);
	cfg.nloops = 1;
	cfg.ncompute = 1;
	cfg.node_id = 1;
	memset(&init, 0, sizeof(init));
	init.part = x->part;
	init.done = &x->done;
	if (uv_sem_init(&x->done, 0) != 0 || strads_runtime_new(&x->rt, &cfg) != 0 ||
	    strads_listen(x->rt, "tcp://127.0.0.1:0", &port) != 0 ||
	    strads_spawn(x->rt, &xp_type, 0, &init, &x->holder) != 0 ||
	    strads_runtime_start(x->rt) != 0)
		return -1;
	x->peer.node = 2;
	x->peer.actor = actor;
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", cport);
	if (strads_peer_add(x->rt, 2, url) != 0 || dprintf(x->in, "%d\n", port) <= 0 ||
	    read_line(x->out, line, sizeof(line), 30000) != 0 ||
	    strcmp(line, "ready") != 0)
		return -1;
	if (nng_dial_port(&x->pair, nng_pair1_open, nport) != 0 ||
	    nng_dial_port(&x->push, nng_push0_open, pull_port) != 0 ||
	    nng_dial_port(&x->pull, nng_pull0_open, push_port) != 0 ||
	    nng_dial_port(&x->q_tx, nng_pair1_open, q_rx_port) != 0 ||
	    nng_dial_port(&x->q_rx, nng_pair1_open, q_tx_port) != 0)
		return -1;
	return 0;
}

/* One block through strads: seconds from the first send to the last
 * reply, as the holder timed it (0 on failure). */
static double
xproc_strads(xproc_t *x, uint64_t rounds, uint64_t *copied)
{
	strads_msg_t *m = strads_msg_new(ENG_START, sizeof(strads_addr_t) + 8);

	if (m == NULL)
		return 0;
	memcpy(m->data, &x->peer, sizeof(x->peer));
	memcpy(m->data + sizeof(x->peer), &rounds, 8);
	if (strads_post(x->rt, x->holder, m) != 0)
		return 0;
	uv_sem_wait(&x->done); /* the holder wrote g_xp_* before its post */
	*copied = g_xp_copied;
	return g_xp_secs;
}

/* One block through bare NNG: tx then rx, the pair1 socket both ways or
 * push and pull (two connections, as the transport has); seconds from
 * the first send to the last reply (0 on failure). */
static double
xproc_nng(nng_socket tx, nng_socket rx, double *part, uint64_t rounds)
{
	uint64_t t0 = strads_now_ns(), k;

	for (k = 0; k < rounds; k++) {
		size_t len = (size_t)ROWS_PER_PART * 8;

		if (nng_send(tx, part, len, 0) != 0 ||
		    nng_recv(rx, part, &len, 0) != 0 ||
		    len != (size_t)ROWS_PER_PART * 8)
			return 0;
		part[k % ROWS_PER_PART] += 1;
	}
	return (double)(strads_now_ns() - t0) / 1e9;
}

/* The child's CPU time in ns (0 when it does not answer). */
static uint64_t
child_cpu_ns(xproc_t *x)
{
	char line[64];
	unsigned long long v;

	if (dprintf(x->in, "cpu\n") <= 0 ||
	    read_line(x->out, line, sizeof(line), 30000) != 0 ||
	    sscanf(line, "%llu", &v) != 1)
		return 0;
	return v;
}

static void
xproc_end(xproc_t *x)
{
	int status;

	if (x->rt != NULL) {
		strads_runtime_stop(x->rt);
		strads_runtime_wait(x->rt);
		strads_runtime_free(x->rt);
		uv_sem_destroy(&x->done);
		nng_close(x->pair);
		nng_close(x->push);
		nng_close(x->pull);
		nng_close(x->q_tx);
		nng_close(x->q_rx);
	}
	if (x->pid > 0) {
		close(x->in);
		(void)waitpid(x->pid, &status, 0);
		close(x->out);
	}
}

/* Blocks a repeat is cut into: the four cases take turns block by block
 * (the first case of a block moving on each time), so a change of the
 * machine's load within a repeat falls on all four alike. */
#define XP_BLOCKS 8

/* One repeat of the cross-process cases, xp_rounds round trips each in
 * XP_BLOCKS blocks: MiB/s of parts handed over by strads, bare NNG pair1,
 * push/pull and pair1 over two connections, and CPU us a hand-over of
 * each (this process and the child, every thread of both). */
static int
xproc_repeat(xproc_t *x, int rep, uint64_t *copied, double *mbs_s,
    double *mbs_n, double *mbs_q, double *mbs_2, double *cpu_s, double *cpu_n,
    double *cpu_q, double *cpu_2)
{
	double secs[4] = {0, 0, 0, 0}, cpu[4] = {0, 0, 0, 0};
	uint64_t per = (xp_rounds + XP_BLOCKS - 1) / XP_BLOCKS;
	uint64_t done[4] = {0, 0, 0, 0};
	int b, k;

	*copied = 0;
	for (b = 0; b < XP_BLOCKS; b++)
		for (k = 0; k < 4; k++) {
			int c = (rep + b + k) % 4;
			uint64_t n = per, cp = 0, c0, c1;
			double t;

			if (done[c] + n > xp_rounds)
				n = xp_rounds - done[c];
			if (n == 0 || (xp_only >= 0 && c != xp_only))
				continue;
			c0 = cpu_ns() + child_cpu_ns(x);
			t = c == 0 ? xproc_strads(x, n, &cp)
			    : c == 1 ? xproc_nng(x->pair, x->pair, x->part, n)
			    : c == 2 ? xproc_nng(x->push, x->pull, x->part, n)
				     : xproc_nng(x->q_tx, x->q_rx, x->part, n);
			c1 = cpu_ns() + child_cpu_ns(x);
			if (t <= 0)
				return -1;
			secs[c] += t;
			cpu[c] += (double)(c1 - c0) / 1e3;
			done[c] += n;
			*copied += cp;
		}
	/* 1 MiB a hand-over, two hand-overs a round trip. */
	*mbs_s = (double)(2 * done[0]) / secs[0];
	*mbs_n = (double)(2 * done[1]) / secs[1];
	*mbs_q = (double)(2 * done[2]) / secs[2];
	*mbs_2 = (double)(2 * done[3]) / secs[3];
	*cpu_s = cpu[0] / (double)(2 * done[0]);
	*cpu_n = cpu[1] / (double)(2 * done[1]);
	*cpu_q = cpu[2] / (double)(2 * done[2]);
	*cpu_2 = cpu[3] / (double)(2 * done[3]);
	return 0;
}

static void
row(const char *what, double *v, int n, const char *unit, const char *note)
{
	qsort(v, (size_t)n, sizeof(double), cmp_d);
	printf("  %-34s median %9.2f %s  (range %.2f - %.2f)  %s\n", what, v[n / 2],
	    unit, v[0], v[n - 1], note);
}

int
main(int argc, char **argv)
{
	int repeat = 5, cases = 3, i, moved_all = 0, xp_ok = 1;
	double med[32], cp[32], pp[32], ep[32], fl[32], *dst;
	/* Across processes, per repeat: MiB/s, ratios, CPU us a hand-over. */
	double xs[32], xn[32], xq[32], x2[32], xr[32], xrq[32], cs[32], cn[32],
	    cq[32], c2[32], cr[32];
	uint64_t copied_all = 0, copied;
	char *a = NULL, *b = NULL;
	xproc_t x;

	if (argc > 1 && strcmp(argv[1], "--serve-xproc") == 0)
		return serve_xproc();
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--repeat") == 0)
			repeat = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--xp-rounds") == 0)
			xp_rounds = strtoull(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--xp-only") == 0)
			xp_only = strcmp(argv[i + 1], "strads") == 0 ? 0 :
			    strcmp(argv[i + 1], "pair1") == 0 ? 1 :
			    strcmp(argv[i + 1], "pushpull") == 0 ? 2 :
			    strcmp(argv[i + 1], "pair1x2") == 0 ? 3 : -1;
		else if (strcmp(argv[i], "--cases") == 0)
			cases = strcmp(argv[i + 1], "loops") == 0 ? 1 :
			    strcmp(argv[i + 1], "procs") == 0 ? 2 : 3;
	}
	if (repeat < 1 || repeat > 32)
		repeat = 5;
	if (xp_rounds < 1 || xp_rounds > 100000)
		xp_rounds = 128;
	g_st = calloc(1, sizeof(*g_st));
	g_part = calloc(ROWS_PER_PART, sizeof(double));
	dst = calloc(ROWS_PER_PART, sizeof(double));
	a = malloc(1u << 20);
	b = malloc(1u << 20);
	memset(&x, 0, sizeof(x));
	x.part = calloc(ROWS_PER_PART, sizeof(double));
	if (g_st == NULL || g_part == NULL || dst == NULL || a == NULL ||
	    b == NULL || x.part == NULL)
		return 1;
	memset(a, 1, 1u << 20);
	memset(b, 2, 1u << 20);
	/* The child first, before this process touches NNG. */
	if (xproc_spawn(&x, argv[0]) != 0 || xproc_connect(&x) != 0) {
		fprintf(stderr, "bench_rotation: the child process failed\n");
		xproc_end(&x);
		return 1;
	}
	/* Untimed: connections up, buffers warm. */
	if (xproc_strads(&x, 2, &copied) == 0 ||
	    xproc_nng(x.pair, x.pair, x.part, 2) == 0 ||
	    xproc_nng(x.push, x.pull, x.part, 2) == 0 ||
	    xproc_nng(x.q_tx, x.q_rx, x.part, 2) == 0)
		xp_ok = 0;
	for (i = 0; i < repeat && xp_ok; i++) {
		uint64_t t0;
		int moved, k;

		if (!(cases & 1))
			goto procs;
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
		fl[i] = wake_floor_us();
		t0 = strads_now_ns();
		for (k = 0; k < 100; k++) {
			memcpy(b, a, 1u << 20);
			a[k] = b[k + 1];
		}
		cp[i] = (double)(strads_now_ns() - t0) / 1e3 / 100;
procs:
		if ((ep[i] = encode_place_us(dst)) < 0)
			return 1;
		if (!(cases & 2))
			continue;
		if (xproc_repeat(&x, i, &copied, &xs[i], &xn[i], &xq[i], &x2[i],
		    &cs[i], &cn[i], &cq[i], &c2[i]) != 0) {
			xp_ok = 0;
			break;
		}
		copied_all += copied;
		xr[i] = xs[i] / xn[i];
		xrq[i] = xs[i] / xq[i];
		cr[i] = cs[i] / cn[i];
	}
	xproc_end(&x);
	if (!xp_ok) {
		fprintf(stderr, "bench_rotation: the cross-process case failed\n");
		return 1;
	}
	printf("rotation hand-over of a 1 MiB part (%d runs; in one process %d "
	    "hand-overs a run, across processes %d)\n", repeat, NROUNDS,
	    (int)(2 * xp_rounds));
	if (cases & 1) {
		printf("between two loops of one process:\n");
		row("hand-over message, one way", pp, repeat, "us  ", "target < 10 us");
		row("bare eventfd wake-up, one way", fl, repeat, "us  ",
		    "(the kernel's floor, same run)");
		row("round to round in the engine", med, repeat, "us  ",
		    "(3 thread hops)");
		row("memcpy 1 MiB", cp, repeat, "us  ", "(one copy, for scale)");
		printf("  parts that changed address at a hand-over: %d (0: no copy)\n",
		    moved_all);
	}
	if (cases & 2) {
		printf("between two processes over tcp loopback:\n");
		row("strads, ENG_PART through transport", xs, repeat, "MiB/s", "");
		row("bare NNG pair1, send/recv a buffer", xn, repeat, "MiB/s", "");
		row("bare NNG push/pull, two conns", xq, repeat, "MiB/s",
		    "(the transport's sockets)");
		row("bare NNG pair1, two conns", x2, repeat, "MiB/s",
		    "(one socket a way)");
		row("ratio strads / NNG pair1", xr, repeat, "x    ", "target >= 0.9");
		row("ratio strads / NNG push/pull", xrq, repeat, "x    ", "");
		row("CPU a hand-over, strads", cs, repeat, "us  ",
		    "(both processes, every thread)");
		row("CPU a hand-over, NNG pair1", cn, repeat, "us  ", "");
		row("CPU a hand-over, NNG push/pull", cq, repeat, "us  ", "");
		row("CPU a hand-over, NNG pair1 x2", c2, repeat, "us  ", "");
		row("CPU ratio strads / NNG pair1", cr, repeat, "x    ",
		    "(below 1: strads spends less)");
		row("encode + copy into place, per part", ep, repeat, "us  ",
		    "(the engine's two copies)");
		printf("  received parts the decoder had to copy (unaligned): %llu\n",
		    (unsigned long long)copied_all);
	}
	free(g_st);
	free(g_part);
	free(dst);
	free(x.part);
	free(a);
	free(b);
	return moved_all == 0 ? 0 : 1;
}
