/*
 * bench_store.c -- `make bench`: throughput of the SSP store between two
 * processes over tcp loopback, as ps-lite's key-value benchmark measures
 * it: one worker pushes (incs) N (uint64 key, value) pairs into one
 * server, then pulls (gets) the same keys back.
 *
 * The server is a child process (node 2) that creates a sparse table of
 * width 1 (one shard per loop by default) and prints its shards'
 * addresses; this process (node 1) attaches to them
 * (strads_table_attach) and runs one client actor, which pushes with
 * strads_table_inc_many() then strads_table_clock(), and pulls with
 * strads_table_get_many().
 *
 * What is timed.
 *  push: from just before the inc_many call to the completion of a read
 *        of 256 of the keys at the next clock. With staleness 0 a shard
 *        answers that read only once it has applied the clock, i.e.
 *        every pair pushed to it; the 256 keys reach every shard (the
 *        chance that one is missed is below 2^-200), and their values
 *        are checked. So the time covers packing, the transfer, and the
 *        server applying every pair, not a local enqueue.
 *  pull: from just before the get_many call to its callback, when every
 *        row is in the caller's array.
 * Every pulled row is then checked against what was pushed (untimed).
 * Round 1 inserts the keys into the server's table (cold: its map grows
 * and fresh memory is touched on both sides); later rounds push the same
 * keys again (updates) and pull them, and the best of them is shown.
 *
 * Children. NNG is not fork-safe: the server is started with
 * posix_spawn() of /proc/self/exe (hidden mode --serve) before this
 * process touches NNG. They talk on the child's stdin/stdout:
 *   child:  "<port> <nshards> <actor id of shard 0> ..."
 *   parent: "<port>"               (where the parent listens)
 *   child:  "ready"
 *   parent closes stdin -> child: "updates U clocks C rejected R"
 *
 * Exit status: 0 when every row matched, the server applied every pair
 * exactly once and refused nothing; 1 otherwise; 3 on a timeout. The
 * target is printed, not enforced.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strads.h"

extern char **environ;

#define MSG_PUSH (STRADS_MSG_USER + 1) /* payload: uint64_t round */
#define MSG_PULL (STRADS_MSG_USER + 2)
#define NPROBE 256

/* ps-lite, 1 server and 1 worker, on this machine class (the anchor in
 * the project's issue 4; not measured here). */
static const double g_pslite_push[2] = {28, 31}, g_pslite_pull[2] = {22, 23};
static const double g_target = 30; /* M pairs/s, each way */

/* Options. */
static uint64_t g_pairs = 10000000;
static int g_rounds = 3;
static int g_shards = 0; /* 0: one per server loop */
static int g_loops = 2;  /* server loops */
static int g_f32 = 1;
static int g_deadline = 120; /* seconds per step */
static size_t g_credit = 0;  /* 0: the runtime's default */
static int g_malloc_keep = 1; /* glibc keeps freed memory (see below) */

/* Bulk transfers allocate and free large buffers (NNG frames, messages)
 * all the time. glibc returns freed memory at the top of its heaps to
 * the kernel and serves large requests with fresh mmaps, so the next
 * round faults the same memory in again, page by page; in VMs a fault
 * costs microseconds. A server process would keep it: so do both
 * processes here, unless --malloc-default. */
static void
malloc_keep(void)
{
#ifdef M_MMAP_THRESHOLD
	if (g_malloc_keep) {
		mallopt(M_MMAP_THRESHOLD, 64 << 20);
		mallopt(M_TRIM_THRESHOLD, 1 << 30);
	}
#endif
}

/* ------------------------------------------------------------------ */
/* Failure, the watchdog, the child.                                    */

static pid_t g_child = -1;
static int g_child_in = -1, g_child_out = -1;

static void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "bench_store: FAIL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (g_child > 0)
		kill(g_child, SIGKILL);
	_exit(1);
}

static struct {
	pthread_mutex_t mu;
	const char *what;
	uint64_t deadline;
} g_watch = {PTHREAD_MUTEX_INITIALIZER, NULL, 0};

static void
watch(const char *what)
{
	pthread_mutex_lock(&g_watch.mu);
	g_watch.what = what;
	g_watch.deadline = strads_now_ns() + (uint64_t)g_deadline * 1000000000u;
	pthread_mutex_unlock(&g_watch.mu);
}

static void *
watchdog_main(void *arg)
{
	(void)arg;
	for (;;) {
		usleep(20000);
		pthread_mutex_lock(&g_watch.mu);
		if (g_watch.deadline != 0 && strads_now_ns() > g_watch.deadline) {
			fflush(stdout);
			fprintf(stderr, "bench_store: FAIL: timeout: %s did not "
			    "finish in %d s\n", g_watch.what, g_deadline);
			if (g_child > 0)
				kill(g_child, SIGKILL);
			_exit(3);
		}
		pthread_mutex_unlock(&g_watch.mu);
	}
	return NULL;
}

/* One line, without its newline, within timeout_ms; 0 or -1. */
static int
read_line(int fd, char *buf, size_t cap, int timeout_ms)
{
	uint64_t deadline = strads_now_ns() + (uint64_t)timeout_ms * 1000000u;
	size_t n = 0;
	char c;

	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		uint64_t now = strads_now_ns();
		ssize_t r;
		int rv;

		if (now >= deadline)
			return -1;
		rv = poll(&pfd, 1, (int)((deadline - now) / 1000000u) + 1);
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

static void
child_spawn(const char *argv0)
{
	posix_spawn_file_actions_t fa;
	char a[6][32];
	char *args[9];
	int to[2], from[2], rv, i;

	if (pipe(to) != 0 || pipe(from) != 0)
		die("pipe: %s", strerror(errno));
	fcntl(to[1], F_SETFD, FD_CLOEXEC);
	fcntl(from[0], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, to[0], 0);
	posix_spawn_file_actions_adddup2(&fa, from[1], 1);
	posix_spawn_file_actions_addclose(&fa, to[0]);
	posix_spawn_file_actions_addclose(&fa, from[1]);
	snprintf(a[0], sizeof(a[0]), "%d", 40 * g_deadline); /* lifetime */
	snprintf(a[1], sizeof(a[1]), "%d", g_loops);
	snprintf(a[2], sizeof(a[2]), "%d", g_shards);
	snprintf(a[3], sizeof(a[3]), "%d", g_f32);
	snprintf(a[4], sizeof(a[4]), "%zu", g_credit);
	snprintf(a[5], sizeof(a[5]), "%d", g_malloc_keep);
	args[0] = (char *)argv0;
	args[1] = (char *)"--serve";
	for (i = 0; i < 6; i++)
		args[i + 2] = a[i];
	args[8] = NULL;
	rv = posix_spawn(&g_child, "/proc/self/exe", &fa, NULL, args, environ);
	if (rv == ENOENT)
		rv = posix_spawn(&g_child, argv0, &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rv != 0)
		die("cannot start the server: %s", strerror(rv));
	close(to[0]);
	close(from[1]);
	g_child_in = to[1];
	g_child_out = from[0];
}

/* CPU time of this process (every thread, user and system), us. */
static uint64_t
cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
	    (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* The server's CPU time, us. */
static uint64_t
server_cpu_us(void)
{
	char line[64];

	if (dprintf(g_child_in, "cpu\n") <= 0 ||
	    read_line(g_child_out, line, sizeof(line), 10000) != 0)
		die("server: no CPU time");
	return strtoull(line, NULL, 10);
}

/* ------------------------------------------------------------------ */
/* The server (child).                                                  */

static strads_runtime_t *
runtime_up(uint32_t node, int nloops)
{
	strads_runtime_t *rt;
	strads_config_t cfg;
	int err;

	strads_config_init(&cfg);
	cfg.nloops = nloops;
	cfg.ncompute = 1;
	cfg.node_id = node;
	if (g_credit != 0)
		cfg.credit_bytes = g_credit;
	if ((err = strads_runtime_new(&rt, &cfg)) != 0)
		die("strads_runtime_new: %s", strads_strerror(err));
	return rt;
}

static void
table_opts(strads_table_opts_t *o)
{
	strads_table_opts_init(o);
	o->name = "bench";
	o->kind = STRADS_TABLE_SPARSE;
	o->width = 1;
	o->nclients = 1;
	o->nshards = g_shards;
	o->value = g_f32 ? STRADS_TABLE_F32 : STRADS_TABLE_F64;
}

static int
serve(void)
{
	strads_runtime_t *rt = runtime_up(2, g_loops);
	strads_table_opts_t o;
	strads_table_stats_t st;
	strads_table_t *t;
	char err[256], line[64], url[64];
	int port = 0, peer, i, rc;

	table_opts(&o);
	if ((rc = strads_listen(rt, "tcp://127.0.0.1:0", &port)) != 0)
		die("server: listen: %s", strads_strerror(rc));
	if (strads_table_create(rt, &o, &t, err, sizeof(err)) != 0)
		die("server: %s", err);
	if ((rc = strads_runtime_start(rt)) != 0)
		die("server: start: %s", strads_strerror(rc));
	printf("%d %d", port, strads_table_nshards(t));
	for (i = 0; i < strads_table_nshards(t); i++)
		printf(" %u", strads_table_shard(t, i).actor);
	printf("\n");
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL ||
	    sscanf(line, "%d", &peer) != 1)
		return 2;
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", peer);
	if ((rc = strads_peer_add(rt, 1, url)) != 0)
		die("server: peer: %s", strads_strerror(rc));
	printf("ready\n");
	fflush(stdout);
	/* "cpu": this process's CPU time so far, in microseconds. */
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (strcmp(line, "cpu\n") == 0) {
			printf("%llu\n", (unsigned long long)cpu_us());
			fflush(stdout);
		}
	}
	strads_table_stats(t, &st);
	printf("updates %llu clocks %llu rejected %llu\n",
	    (unsigned long long)st.updates, (unsigned long long)st.clocks,
	    (unsigned long long)st.rejected);
	fflush(stdout);
	strads_runtime_stop(rt);
	rc = strads_runtime_wait(rt);
	strads_table_free(t);
	strads_runtime_free(rt);
	return rc == 0 ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* The worker: one client actor, driven by the main thread.             */

typedef struct {
	strads_table_t *t;
	const uint64_t *keys;
	const double *vals;
	double *rows;
	uint64_t n;
	uint64_t probe_keys[NPROBE];
	uint32_t probe_at[NPROBE]; /* their indices in keys */

	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done;
	int status;         /* of the last step */
	uint64_t round;     /* the push being timed: rows hold round + 1 */
	uint64_t t0, t1, t_call; /* start, end, end of the client calls */
	long probe_bad;
} bench_t;

typedef struct {
	bench_t *b;
	strads_table_client_t *c;
} client_t;

static void
step_done(bench_t *b, int status)
{
	pthread_mutex_lock(&b->mu);
	b->t1 = strads_now_ns();
	b->status = status;
	b->done = 1;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

static void
probe_got(strads_table_client_t *c, int status, const uint64_t *keys,
    uint32_t n, const double *rows, void *arg)
{
	bench_t *b = arg;
	uint32_t i;

	(void)c;
	(void)keys;
	if (status == 0)
		for (i = 0; i < n; i++)
			b->probe_bad += rows[i] !=
			    (double)(b->round + 1) * b->vals[b->probe_at[i]];
	step_done(b, status);
}

static void
pull_got(strads_table_client_t *c, int status, void *arg)
{
	(void)c;
	step_done(arg, status);
}

static int
client_init(strads_actor_t *self, void *arg)
{
	client_t *s = strads_actor_state(self);

	s->b = arg;
	return strads_table_client_open(self, s->b->t, 0, &s->c);
}

static void
client_recv(strads_actor_t *self, const strads_msg_t *m)
{
	client_t *s = strads_actor_state(self);
	bench_t *b = s->b;
	int rc;

	if (strads_table_client_recv(s->c, m))
		return;
	if (m->type == MSG_PUSH) {
		b->t0 = strads_now_ns();
		rc = strads_table_inc_many(s->c, b->keys, b->vals, b->n);
		if (rc == 0)
			rc = strads_table_clock(s->c);
		/* The read at the next clock: every shard has applied it. */
		if (rc == 0)
			rc = strads_table_get(s->c, b->probe_keys, NPROBE, probe_got,
			    b);
		b->t_call = strads_now_ns();
		if (rc != 0)
			step_done(b, rc);
	} else if (m->type == MSG_PULL) {
		b->t0 = strads_now_ns();
		rc = strads_table_get_many(s->c, b->keys, b->n, b->rows, pull_got,
		    b);
		b->t_call = strads_now_ns();
		if (rc != 0)
			step_done(b, rc);
	}
}

static void
client_stop(strads_actor_t *self)
{
	client_t *s = strads_actor_state(self);

	strads_table_client_close(s->c);
}

static const strads_actor_type_t client_type = {
    "bench-client", sizeof(client_t), client_init, client_recv,
    client_stop};

typedef struct {
	const char *phase;
	double s, call_s;   /* seconds: all, and inside the client calls */
	double cpu_s;       /* CPU seconds of both processes */
	double srv_s;       /* of which the server's */
	uint64_t wire;      /* frame bytes both ways */
} result_t;

/* Runs one step and waits for it. */
static result_t
step(strads_runtime_t *rt, strads_addr_t client, bench_t *b, int type,
    const char *what)
{
	strads_stats_t st0, st1;
	uint64_t cpu0, cpu1, srv0, srv1;
	result_t r;
	strads_msg_t *m = strads_msg_new((uint16_t)type, 8);
	int err;

	if (m == NULL)
		die("out of memory");
	memcpy(m->data, &b->round, 8);
	srv0 = server_cpu_us();
	cpu0 = cpu_us() + srv0;
	strads_runtime_stats(rt, &st0);
	pthread_mutex_lock(&b->mu);
	b->done = 0;
	pthread_mutex_unlock(&b->mu);
	watch(what);
	if ((err = strads_post(rt, client, m)) != 0)
		die("strads_post: %s", strads_strerror(err));
	pthread_mutex_lock(&b->mu);
	while (!b->done)
		pthread_cond_wait(&b->cv, &b->mu);
	pthread_mutex_unlock(&b->mu);
	watch("the next step");
	strads_runtime_stats(rt, &st1);
	srv1 = server_cpu_us();
	cpu1 = cpu_us() + srv1;
	if (b->status != 0)
		die("%s: %s", what, strads_strerror(b->status));
	r.phase = what;
	r.s = (double)(b->t1 - b->t0) / 1e9;
	r.call_s = (double)(b->t_call - b->t0) / 1e9;
	r.cpu_s = (double)(cpu1 - cpu0) / 1e6;
	r.srv_s = (double)(srv1 - srv0) / 1e6;
	r.wire = (st1.bytes_out - st0.bytes_out) + (st1.bytes_in - st0.bytes_in);
	return r;
}

static void
print_row(const result_t *r, const double anchor[2])
{
	double mps = (double)g_pairs / r->s / 1e6;

	printf("%-14s %10llu %8.3f %8.3f %7.3f %9.1f %8.1f %8.0f %6.2f %8.0f-%.0f\n",
	    r->phase, (unsigned long long)g_pairs, r->s, r->call_s, r->cpu_s,
	    mps, (double)r->wire / r->s / 1e6, g_target, mps / g_target,
	    anchor[0], anchor[1]);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: bench_store [--pairs N] [--rounds R] [--value f32|f64]\n"
	    "                   [--loops L] [--shards K] [--credit BYTES] "
	    "[--deadline S]\n"
	    "  --pairs N     pairs pushed and pulled (default 10000000)\n"
	    "  --rounds R    push+pull rounds: 1 inserts, the rest update "
	    "(default 3)\n"
	    "  --value T     how the server stores and sends values "
	    "(default f32,\n"
	    "                as ps-lite's KVServer<float>)\n"
	    "  --loops L     server loop threads (default 2)\n"
	    "  --shards K    table shards (default: one per server loop)\n"
	    "  --credit B    runtime credit window per pair of actors "
	    "(default: the\n"
	    "                runtime's, 4 MiB)\n"
	    "  --deadline S  fail a step that takes longer (default 120 s)\n"
	    "  --malloc-default  leave glibc malloc's trimming as it is (by "
	    "default both\n"
	    "                processes keep freed memory: M_MMAP_THRESHOLD 64 "
	    "MiB,\n"
	    "                M_TRIM_THRESHOLD 1 GiB)\n");
}

int
main(int argc, char **argv)
{
	strads_runtime_t *rt;
	strads_table_opts_t o;
	strads_table_t *t;
	strads_addr_t shards[256], client;
	result_t ins_push, ins_pull, best_push = {0}, best_pull = {0};
	bench_t b;
	pthread_t wd;
	uint64_t *keys, i, rng = 0x9e3779b97f4a7c15ull;
	double *vals, *rows;
	unsigned long long upd, clk, rej;
	char line[4096], url[64], err[256], *p;
	int port = 0, cport, n, off, rc, r, status, bad = 0;

	if (argc == 8 && strcmp(argv[1], "--serve") == 0) {
		alarm((unsigned)atoi(argv[2]));
		g_loops = atoi(argv[3]);
		g_shards = atoi(argv[4]);
		g_f32 = atoi(argv[5]);
		g_credit = (size_t)strtoull(argv[6], NULL, 10);
		g_malloc_keep = atoi(argv[7]);
		malloc_keep();
		return serve();
	}
	for (i = 1; i < (uint64_t)argc && !bad; i += 2) {
		const char *v = argv[i + 1];

		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--malloc-default") == 0) {
			g_malloc_keep = 0;
			i--;
			continue;
		}
		if (v == NULL)
			bad = 1;
		else if (strcmp(argv[i], "--pairs") == 0)
			bad = (g_pairs = strtoull(v, NULL, 10)) < NPROBE;
		else if (strcmp(argv[i], "--rounds") == 0)
			bad = (g_rounds = atoi(v)) < 1;
		else if (strcmp(argv[i], "--value") == 0)
			bad = !((g_f32 = strcmp(v, "f32") == 0) ||
			    strcmp(v, "f64") == 0);
		else if (strcmp(argv[i], "--loops") == 0)
			bad = (g_loops = atoi(v)) < 1;
		else if (strcmp(argv[i], "--shards") == 0)
			bad = (g_shards = atoi(v)) < 0 || g_shards > 256;
		else if (strcmp(argv[i], "--credit") == 0)
			bad = (g_credit = (size_t)strtoull(v, NULL, 10)) < 1024;
		else if (strcmp(argv[i], "--deadline") == 0)
			bad = (g_deadline = atoi(v)) < 1;
		else
			bad = 1;
	}
	if (bad) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	malloc_keep();
	/* The server first: nothing has touched NNG here yet. */
	child_spawn(argv[0]);
	if (pthread_create(&wd, NULL, watchdog_main, NULL) != 0)
		die("pthread_create");

	/* ps-lite's keys (kMaxKey / num * i), values that sum exactly in
	 * floats over the rounds. Made (and their pages touched) before
	 * any timing. */
	keys = malloc(g_pairs * sizeof(*keys));
	vals = malloc(g_pairs * sizeof(*vals));
	rows = malloc(g_pairs * sizeof(*rows));
	if (keys == NULL || vals == NULL || rows == NULL)
		die("out of memory for %llu pairs", (unsigned long long)g_pairs);
	for (i = 0; i < g_pairs; i++) {
		keys[i] = UINT64_MAX / g_pairs * i;
		vals[i] = (double)(1 + i % 251);
		rows[i] = 0;
	}
	memset(&b, 0, sizeof(b));
	pthread_mutex_init(&b.mu, NULL);
	pthread_cond_init(&b.cv, NULL);
	b.keys = keys;
	b.vals = vals;
	b.rows = rows;
	b.n = g_pairs;
	for (i = 0; i < NPROBE; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		b.probe_at[i] = (uint32_t)(rng % g_pairs);
		b.probe_keys[i] = keys[b.probe_at[i]];
	}

	watch("connecting to the server");
	rt = runtime_up(1, 1);
	if ((rc = strads_listen(rt, "tcp://127.0.0.1:0", &port)) != 0)
		die("listen: %s", strads_strerror(rc));
	if (read_line(g_child_out, line, sizeof(line), 10000) != 0 ||
	    sscanf(line, "%d %d%n", &cport, &n, &off) != 2 || n < 1 || n > 256)
		die("server: no address");
	for (r = 0, p = line + off; r < n; r++) {
		shards[r].node = 2;
		shards[r].actor = (uint32_t)strtoul(p, &p, 10);
	}
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", cport);
	if ((rc = strads_peer_add(rt, 2, url)) != 0)
		die("peer: %s", strads_strerror(rc));
	if (dprintf(g_child_in, "%d\n", port) <= 0 ||
	    read_line(g_child_out, line, sizeof(line), 10000) != 0 ||
	    strcmp(line, "ready") != 0)
		die("server: not ready");
	table_opts(&o);
	o.nshards = n;
	if (strads_table_attach(rt, &o, shards, n, &t, err, sizeof(err)) != 0)
		die("attach: %s", err);
	b.t = t;
	if ((rc = strads_spawn(rt, &client_type, 0, &b, &client)) != 0 ||
	    (rc = strads_runtime_start(rt)) != 0)
		die("start: %s", strads_strerror(rc));

	printf("strads store benchmark: %d cores, 1 server process (%d loops, "
	    "%d shards), 1 worker process,\ntcp loopback; %llu pairs of "
	    "(uint64 key, %s value), width-1 sparse table, %d rounds\n",
	    strads_ncores(), g_loops, n, (unsigned long long)g_pairs,
	    g_f32 ? "f32" : "f64", g_rounds);
	printf("(the worker passes doubles; the server stores and sends %s;\n"
	    "credit window %zu KiB; glibc malloc %s)\n\n",
	    g_f32 ? "floats, as ps-lite's KVServer<float>" : "doubles",
	    (g_credit ? g_credit : (size_t)4 << 20) >> 10, g_malloc_keep ?
	    "keeps freed memory (M_MMAP_THRESHOLD 64 MiB, M_TRIM_THRESHOLD "
	    "1 GiB)" : "as by default");
	fflush(stdout);
	for (r = 0; r < g_rounds; r++) {
		result_t pu, pl;
		uint64_t wrong = 0;

		b.round = (uint64_t)r;
		b.probe_bad = 0;
		pu = step(rt, client, &b, MSG_PUSH, r == 0 ? "push (insert)" :
		    "push (update)");
		if (b.probe_bad != 0)
			die("round %d: %ld of %d probed rows wrong after the push", r,
			    b.probe_bad, NPROBE);
		memset(rows, 0xff, g_pairs * sizeof(*rows)); /* NaN */
		pl = step(rt, client, &b, MSG_PULL, "pull");
		for (i = 0; i < g_pairs; i++)
			wrong += rows[i] != (double)(r + 1) * vals[i];
		if (wrong != 0)
			die("round %d: %llu of %llu pulled rows wrong", r,
			    (unsigned long long)wrong, (unsigned long long)g_pairs);
		fprintf(stderr, "round %d: push %.3f s (cpu %.3f s, server %.3f s), "
		    "pull %.3f s (cpu %.3f s, server %.3f s), rows ok\n", r + 1,
		    pu.s, pu.cpu_s, pu.srv_s, pl.s, pl.cpu_s, pl.srv_s);
		if (r == 0) {
			ins_push = pu;
			ins_pull = pl;
		} else {
			if (best_push.s == 0 || pu.s < best_push.s)
				best_push = pu;
			if (best_pull.s == 0 || pl.s < best_pull.s)
				best_pull = pl;
		}
	}
	watch("stopping");
	strads_runtime_stop(rt);
	if (strads_runtime_wait(rt) != 0)
		die("the worker's runtime did not close cleanly");
	strads_table_free(t);
	strads_runtime_free(rt);
	close(g_child_in);
	if (read_line(g_child_out, line, sizeof(line), 20000) != 0 ||
	    sscanf(line, "updates %llu clocks %llu rejected %llu", &upd, &clk,
	    &rej) != 3)
		die("server: no final report");
	if (waitpid(g_child, &status, 0) != g_child || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		die("server exited with status 0x%x", status);
	g_child = -1;
	/* Exactly once: every pair of every round applied, nothing else. */
	if (upd != g_pairs * (uint64_t)g_rounds || rej != 0 ||
	    clk != (uint64_t)g_rounds * (uint64_t)n)
		die("server applied %llu pairs (expected %llu), %llu clock ticks "
		    "(expected %llu), refused %llu messages", upd,
		    (unsigned long long)(g_pairs * (uint64_t)g_rounds), clk,
		    (unsigned long long)g_rounds * (unsigned long long)n, rej);

	printf("%-14s %10s %8s %8s %7s %9s %8s %8s %6s %11s\n", "phase",
	    "pairs", "seconds", "call s", "cpu s", "Mpairs/s", "MB/s", "target",
	    "ratio", "ps-lite");
	print_row(&ins_push, g_pslite_push);
	print_row(&ins_pull, g_pslite_pull);
	if (g_rounds > 1) {
		best_push.phase = "push (update)";
		best_pull.phase = "pull (warm)";
		print_row(&best_push, g_pslite_push);
		print_row(&best_pull, g_pslite_pull);
	}
	printf("\nseconds: first inc to the server's acknowledgement (push), "
	    "first get to the\nlast row in place (pull); call s: of which in "
	    "the client calls (packing);\ncpu s: CPU time of both processes "
	    "(all threads, user + system) meanwhile.\nMB/s: frame bytes on the wire, both "
	    "ways, per second (MB = 10^6 B).\ntarget: %g M pairs/s each way; "
	    "ratio = Mpairs/s / target. ps-lite: M pairs/s\nof ps-lite (1 "
	    "server, 1 worker) on this machine class, the issue's anchor\n"
	    "(not measured here). %s: best of rounds 2..%d.\n", g_target,
	    g_rounds > 1 ? "update/warm" : "", g_rounds);
	printf("\nEvery pulled row matched what was pushed; the server applied "
	    "%llu pairs,\nexactly once each.\n", upd);
	free(keys);
	free(vals);
	free(rows);
	return 0;
}
