/*
 * bench_runtime.c -- `make bench`: message throughput and round-trip
 * latency of the strads runtime, each beside a bare NNG baseline measured
 * in the same run.
 *
 * Throughput, at 64 B, 4 KiB and 1 MiB payloads:
 *  (a) same loop: producer and consumer actors on the one loop of a
 *      1-loop runtime;
 *  (b) cross loop: producer on loop 0, consumer on loop 1 of a 2-loop
 *      runtime;
 *      baseline of (a) and (b), one run per size shared by both rows:
 *      push0 -> pull0 over inproc:// between two threads of this process;
 *  (c) cross process: producer here (node 1), consumer in a child process
 *      (node 2), over tcp loopback; baseline: push0 -> pull0 over tcp
 *      loopback to a second child process.
 * The bare NNG side sends one payload per NNG message (nng_send of a
 * buffer, nng_recvmsg), with the socket buffers the strads transport uses.
 *
 * Latency: 64 B ping-pong, cross loop (baseline: inproc push/pull both
 * ways between two threads) and cross process (tcp push/pull both ways).
 *
 * Timing. Every stream starts with an untimed BEGIN/BEGUN handshake, so
 * connections are up and the consumer is waiting. The clock starts just
 * before the first data message is sent and stops when the consumer
 * receives the last one, read on the consumer's strads_now_ns()
 * (CLOCK_MONOTONIC, shared by the processes of one machine). The consumer
 * checks every sequence number: loss, duplication or reordering fails
 * the run, as does any case that exceeds its deadline (a watchdog thread
 * reports where it was stuck, then exits).
 *
 * Children. NNG is not fork-safe, so both children are started with
 * posix_spawn() of /proc/self/exe (hidden modes --serve-strads and
 * --serve-nng) before this process touches NNG. They talk on their
 * stdin/stdout, one line at a time:
 *   child:  "<tcp port> <consumer actor id>"   (it listens on port 0)
 *   parent: "<tcp port>"                       (where the parent listens)
 *   child:  "ready"                            (it knows the parent)
 *   parent: "status"  -> child: "got N bad M case G/T" (diagnostics)
 *   parent closes stdin -> child: "got N bad M", exits 0 if M == 0.
 *
 * Options (--help): --scale F multiplies the message counts, --repeat N
 * keeps the best of N runs, --cases and --sizes pick a subset (handy to
 * reproduce one case), --deadline S bounds every step (default 60 s).
 * Exit status: 0 when every message arrived in order, 1 on a failure,
 * 3 on a timeout; the throughput targets are printed, not enforced.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/pipeline0/pull.h>
#include <nng/protocol/pipeline0/push.h>

#include "strads.h"

extern char **environ;

#define KIB 1024u
#define MIB (1024u * 1024u)

/* Socket settings of the strads transport, used by the baseline too. */
#define NNG_BUF_MSGS 16
#define NNG_MAX_RECV (64u * MIB)

/* Strads message types of the benchmark. */
enum {
	MSG_BEGIN = STRADS_MSG_USER + 1, /* -> consumer: uint64_t count */
	MSG_BEGUN,			 /* consumer -> producer */
	MSG_DATA,			 /* uint64_t seq, then filler */
	MSG_DONE,			 /* consumer -> producer: done_t */
	MSG_PING,			 /* uint64_t round, then filler */
	MSG_PONG			 /* the ping's payload, echoed */
};

/* Bare NNG messages start with a uint64_t: a data message's sequence
 * number while a stream runs, else one of these tags. */
#define TAG_BEGIN (UINT64_C(1) << 63 | 1) /* then uint64_t count */
#define TAG_BEGUN (UINT64_C(1) << 63 | 2)
#define TAG_DONE (UINT64_C(1) << 63 | 3) /* then done_t */
#define TAG_PING (UINT64_C(1) << 63 | 4) /* then uint64_t round */

#define PING_SIZE 64

/* Counters with one writer thread, read racily by others. */
#define LOAD(c) __atomic_load_n(&(c), __ATOMIC_RELAXED)
#define STORE(c, v) __atomic_store_n(&(c), (v), __ATOMIC_RELAXED)
#define BUMP(c, n) STORE(c, LOAD(c) + (n))

/* What a consumer reports at the end of a stream. */
typedef struct {
	uint64_t got;	 /* data messages received */
	uint64_t bad;	 /* received out of sequence */
	uint64_t t_last; /* strads_now_ns() at the last one */
} done_t;

/* A consumer's progress, for the final check and for diagnostics. */
typedef struct {
	uint64_t case_total, case_got; /* the stream under way */
	uint64_t all_got, all_bad;     /* every data message so far */
} progress_t;

/* Options. */
static double g_scale = 1.0;
static int g_repeat = 1;
static uint32_t g_rounds = 10000, g_warmup = 1000;
static int g_deadline = 60;	     /* seconds per step */
static int g_case_on[3] = {1, 1, 1}; /* (a), (b), (c) */
static int g_size_on[3] = {1, 1, 1}; /* 64 B, 4 KiB, 1 MiB */

/* ------------------------------------------------------------------ */
/* Children, failure and the watchdog.                                  */

typedef struct {
	const char *mode;
	pid_t pid;
	int in, out; /* the child's stdin and stdout */
} child_t;

static child_t g_child_strads = {"--serve-strads", -1, -1, -1};
static child_t g_child_nng = {"--serve-nng", -1, -1, -1};

static void
kill_children(void)
{
	if (g_child_strads.pid > 0)
		kill(g_child_strads.pid, SIGKILL);
	if (g_child_nng.pid > 0)
		kill(g_child_nng.pid, SIGKILL);
}

static void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "bench_runtime: FAIL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	kill_children();
	_exit(1);
}

/* Reads one line, without its newline, within timeout_ms (-1: no limit).
 * 0 on success, -1 on end of file, error or timeout. */
static int
read_line(int fd, char *buf, size_t cap, int timeout_ms)
{
	uint64_t deadline = strads_now_ns() + (uint64_t)timeout_ms * 1000000u;
	size_t n = 0;
	char c;

	for (;;) {
		ssize_t r;

		if (timeout_ms >= 0) {
			struct pollfd pfd = {fd, POLLIN, 0};
			uint64_t now = strads_now_ns();
			int rv;

			if (now >= deadline)
				return -1;
			rv = poll(
			    &pfd, 1, (int)((deadline - now) / 1000000u) + 1);
			if (rv < 0 && errno == EINTR)
				continue;
			if (rv <= 0)
				return -1;
		}
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
child_status(child_t *c)
{
	char line[256];

	if (c->pid <= 0)
		return;
	if (dprintf(c->in, "status\n") > 0 &&
	    read_line(c->out, line, sizeof(line), 2000) == 0)
		fprintf(stderr, "  child %s: %s\n", c->mode, line);
	else
		fprintf(stderr, "  child %s: no answer\n", c->mode);
}

static struct {
	pthread_mutex_t mu;
	const char *what;
	uint64_t deadline; /* 0: nothing watched */
	strads_runtime_t *rt;
	const uint64_t *sent;
	const progress_t *pr;
} g_watch = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, NULL, NULL, NULL};

/* Arms the watchdog for one step; rt, sent and pr (any may be NULL) are
 * read when it fires, to say how far the step got. */
static void
watch(const char *what, strads_runtime_t *rt, const uint64_t *sent,
    const progress_t *pr)
{
	pthread_mutex_lock(&g_watch.mu);
	g_watch.what = what;
	g_watch.rt = rt;
	g_watch.sent = sent;
	g_watch.pr = pr;
	g_watch.deadline = strads_now_ns() + (uint64_t)g_deadline * 1000000000u;
	pthread_mutex_unlock(&g_watch.mu);
}

static void
unwatch(void)
{
	pthread_mutex_lock(&g_watch.mu);
	g_watch.deadline = 0;
	pthread_mutex_unlock(&g_watch.mu);
}

static void
watch_fire(void)
{
	fflush(stdout);
	fprintf(stderr,
	    "bench_runtime: FAIL: timeout: %s did not finish in %d s\n",
	    g_watch.what, g_deadline);
	if (g_watch.sent != NULL)
		fprintf(stderr, "  sent %llu\n",
		    (unsigned long long)LOAD(*g_watch.sent));
	if (g_watch.pr != NULL)
		fprintf(stderr,
		    "  consumer got %llu of %llu (all: %llu, bad %llu)\n",
		    (unsigned long long)LOAD(g_watch.pr->case_got),
		    (unsigned long long)LOAD(g_watch.pr->case_total),
		    (unsigned long long)LOAD(g_watch.pr->all_got),
		    (unsigned long long)LOAD(g_watch.pr->all_bad));
	if (g_watch.rt != NULL) {
		strads_stats_t st;

		strads_runtime_stats(g_watch.rt, &st);
		fprintf(stderr,
		    "  runtime: delivered %llu stale %llu proto %llu "
		    "send_failed %llu deferred %llu\n"
		    "  frames out/in %llu/%llu bytes out/in %llu/%llu "
		    "recv_paused %llu\n",
		    (unsigned long long)st.delivered,
		    (unsigned long long)st.dropped_stale,
		    (unsigned long long)st.dropped_proto,
		    (unsigned long long)st.send_failed,
		    (unsigned long long)st.deferred,
		    (unsigned long long)st.frames_out,
		    (unsigned long long)st.frames_in,
		    (unsigned long long)st.bytes_out,
		    (unsigned long long)st.bytes_in,
		    (unsigned long long)st.recv_paused);
	}
	child_status(&g_child_strads);
	child_status(&g_child_nng);
	kill_children();
	_exit(3);
}

static void *
watchdog_main(void *arg)
{
	(void)arg;
	for (;;) {
		usleep(20000);
		pthread_mutex_lock(&g_watch.mu);
		if (g_watch.deadline != 0 && strads_now_ns() > g_watch.deadline)
			watch_fire(); /* does not return */
		pthread_mutex_unlock(&g_watch.mu);
	}
	return NULL;
}

static void
child_spawn(child_t *c, const char *argv0)
{
	posix_spawn_file_actions_t fa;
	char lifetime[32];
	char *args[4];
	int to[2], from[2], rv;

	/* Close-on-exec: a later child must not hold this one's pipes. */
	if (pipe(to) != 0 || pipe(from) != 0)
		die("pipe: %s", strerror(errno));
	fcntl(to[1], F_SETFD, FD_CLOEXEC);
	fcntl(from[0], F_SETFD, FD_CLOEXEC);
	fcntl(to[0], F_SETFD, FD_CLOEXEC);
	fcntl(from[1], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, to[0], 0);
	posix_spawn_file_actions_adddup2(&fa, from[1], 1);
	/* The child gives up on its own long after any sane run. */
	snprintf(lifetime, sizeof(lifetime), "%d", 20 * g_deadline);
	args[0] = (char *)argv0;
	args[1] = (char *)c->mode;
	args[2] = lifetime;
	args[3] = NULL;
	rv = posix_spawn(&c->pid, "/proc/self/exe", &fa, NULL, args, environ);
	if (rv == ENOENT)
		rv = posix_spawn(&c->pid, argv0, &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rv != 0)
		die("cannot start child %s: %s", c->mode, strerror(rv));
	close(to[0]);
	close(from[1]);
	c->in = to[1];
	c->out = from[0];
}

/* Ends a child: it prints its totals on end of input, which must be
 * expect_got data messages, none out of sequence. */
static void
child_finish(child_t *c, uint64_t expect_got)
{
	unsigned long long got, bad;
	char line[256];
	int status = 0, i;

	close(c->in);
	c->in = -1;
	if (read_line(c->out, line, sizeof(line), 10000) != 0 ||
	    sscanf(line, "got %llu bad %llu", &got, &bad) != 2)
		die("child %s: no final report", c->mode);
	for (i = 0; i < 1000; i++) {
		pid_t r = waitpid(c->pid, &status, WNOHANG);

		if (r == c->pid)
			break;
		if (r < 0)
			die("waitpid: %s", strerror(errno));
		usleep(10000);
	}
	if (i == 1000)
		die("child %s did not exit", c->mode);
	c->pid = -1;
	close(c->out);
	if (got != expect_got || bad != 0)
		die("child %s: %llu data messages in all (expected %llu), "
		    "%llu out of sequence",
		    c->mode, got, (unsigned long long)expect_got, bad);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("child %s exited with status 0x%x", c->mode, status);
}

/* Handshake with a child: returns its port and consumer id, gives it
 * ours, and waits until it is ready. */
static void
child_connect(child_t *c, int my_port, int *port, uint32_t *actor)
{
	char line[256];
	unsigned id;

	if (read_line(c->out, line, sizeof(line), 10000) != 0 ||
	    sscanf(line, "%d %u", port, &id) != 2)
		die("child %s: no address", c->mode);
	*actor = id;
	if (dprintf(c->in, "%d\n", my_port) <= 0 ||
	    read_line(c->out, line, sizeof(line), 10000) != 0 ||
	    strcmp(line, "ready") != 0)
		die("child %s: not ready", c->mode);
}

/* ------------------------------------------------------------------ */
/* Waiting for an actor.                                                */

typedef struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done;
} waiter_t;

static void
waiter_init(waiter_t *w)
{
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->done = 0;
}

static void
waiter_post(waiter_t *w)
{
	pthread_mutex_lock(&w->mu);
	w->done = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void
waiter_wait(waiter_t *w)
{
	pthread_mutex_lock(&w->mu);
	while (!w->done)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
}

/* ------------------------------------------------------------------ */
/* Actors.                                                              */

static void
reply(strads_actor_t *self, strads_addr_t dst, uint16_t type, const void *data,
    size_t len)
{
	strads_msg_t *m = strads_msg_copy(type, data, len);
	int err = m == NULL ? STRADS_ENOMEM : strads_send(self, dst, m);

	if (err != 0)
		strads_log(STRADS_LOG_ERROR, "bench: reply %u: %s", type,
		    strads_strerror(err));
}

/* Consumer: checks a stream's sequence numbers; answers pings. */
typedef struct {
	progress_t *pr; /* borrowed, outlives the actor */
	uint64_t total, got, expect, bad;
} consumer_t;

static int
consumer_init(strads_actor_t *self, void *arg)
{
	consumer_t *c = strads_actor_state(self);

	c->pr = arg;
	return 0;
}

static void
consumer_recv(strads_actor_t *self, const strads_msg_t *m)
{
	consumer_t *c = strads_actor_state(self);
	uint64_t w = 0;

	if (m->len >= sizeof(w))
		memcpy(&w, m->data, sizeof(w));
	switch (m->type) {
	case MSG_DATA:
		if (m->len < sizeof(w) || w != c->expect) {
			c->bad++;
			BUMP(c->pr->all_bad, 1);
		}
		c->expect = w + 1;
		c->got++;
		STORE(c->pr->case_got, c->got);
		BUMP(c->pr->all_got, 1);
		if (c->got == c->total) {
			done_t d = {c->got, c->bad, strads_now_ns()};

			reply(self, m->src, MSG_DONE, &d, sizeof(d));
		}
		break;
	case MSG_BEGIN:
		c->total = w;
		c->got = c->expect = c->bad = 0;
		STORE(c->pr->case_total, w);
		STORE(c->pr->case_got, 0);
		reply(self, m->src, MSG_BEGUN, NULL, 0);
		break;
	case MSG_PING:
		reply(self, m->src, MSG_PONG, m->data, m->len);
		break;
	}
}

static const strads_actor_type_t consumer_type = {
    "bench-consumer", sizeof(consumer_t), consumer_init, consumer_recv, NULL};

/* Producer: one stream to a consumer, flow controlled by
 * strads_send_ready() and STRADS_MSG_WRITABLE. */
typedef struct {
	strads_addr_t dst;
	uint64_t total;
	uint32_t size;
	const uint8_t *filler; /* size bytes */
	waiter_t w;
	uint64_t sent; /* progress */
	uint64_t t0;   /* first data message sent */
	done_t done;
	int err;
} stream_t;

typedef struct {
	stream_t *st;
	uint64_t sent;
	uint32_t burst; /* messages per strads_send_ready() check */
} producer_t;

static void
producer_finish(strads_actor_t *self, stream_t *st, int err)
{
	st->err = err;
	strads_actor_stop(self);
	waiter_post(&st->w);
}

static void
produce(strads_actor_t *self, producer_t *p)
{
	stream_t *st = p->st;

	while (p->sent < st->total && strads_send_ready(self, st->dst)) {
		uint32_t i;

		for (i = 0; i < p->burst && p->sent < st->total; i++) {
			strads_msg_t *m = strads_msg_new(MSG_DATA, st->size);
			int err;

			if (m == NULL) {
				producer_finish(self, st, STRADS_ENOMEM);
				return;
			}
			memcpy(m->data, st->filler, st->size);
			memcpy(m->data, &p->sent, sizeof(p->sent));
			p->sent++;
			if ((err = strads_send(self, st->dst, m)) != 0) {
				producer_finish(self, st, err);
				return;
			}
		}
	}
	STORE(st->sent, p->sent);
}

static int
producer_init(strads_actor_t *self, void *arg)
{
	producer_t *p = strads_actor_state(self);
	stream_t *st = arg;
	strads_msg_t *m =
	    strads_msg_copy(MSG_BEGIN, &st->total, sizeof(st->total));
	int err = m == NULL ? STRADS_ENOMEM : strads_send(self, st->dst, m);

	p->st = st;
	/* strads_send_ready() says 1 while a quarter of the credit window
	 * (4 MiB by default) is left: a burst of about 256 KiB after each
	 * yes stays inside the window. */
	p->burst = (256u * KIB) / (st->size + 64u);
	if (p->burst == 0)
		p->burst = 1;
	if (err != 0) {
		st->err = err;
		waiter_post(&st->w);
	}
	return err;
}

static void
producer_recv(strads_actor_t *self, const strads_msg_t *m)
{
	producer_t *p = strads_actor_state(self);

	switch (m->type) {
	case MSG_BEGUN:
		p->st->t0 = strads_now_ns();
		produce(self, p);
		break;
	case STRADS_MSG_WRITABLE:
		produce(self, p);
		break;
	case MSG_DONE:
		if (m->len != sizeof(done_t)) {
			producer_finish(self, p->st, STRADS_EPROTO);
			break;
		}
		memcpy(&p->st->done, m->data, sizeof(done_t));
		producer_finish(self, p->st, 0);
		break;
	}
}

static const strads_actor_type_t producer_type = {
    "bench-producer", sizeof(producer_t), producer_init, producer_recv, NULL};

/* Pinger: round trips of PING_SIZE bytes to a consumer, one at a time. */
typedef struct {
	strads_addr_t dst;
	uint64_t *rtt; /* g_rounds samples, ns; warm-up rounds not kept */
	waiter_t w;
	uint64_t round; /* progress */
	int err;
} pingpong_t;

typedef struct {
	pingpong_t *pp;
	uint64_t round, t_send;
} pinger_t;

static int
ping_send(strads_actor_t *self, pinger_t *p)
{
	uint8_t buf[PING_SIZE];
	strads_msg_t *m;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &p->round, sizeof(p->round));
	p->t_send = strads_now_ns();
	if ((m = strads_msg_copy(MSG_PING, buf, sizeof(buf))) == NULL)
		return STRADS_ENOMEM;
	return strads_send(self, p->pp->dst, m);
}

static void
pinger_finish(strads_actor_t *self, pingpong_t *pp, int err)
{
	pp->err = err;
	strads_actor_stop(self);
	waiter_post(&pp->w);
}

static int
pinger_init(strads_actor_t *self, void *arg)
{
	pinger_t *p = strads_actor_state(self);
	int err;

	p->pp = arg;
	if ((err = ping_send(self, p)) != 0) {
		p->pp->err = err;
		waiter_post(&p->pp->w);
	}
	return err;
}

static void
pinger_recv(strads_actor_t *self, const strads_msg_t *m)
{
	pinger_t *p = strads_actor_state(self);
	uint64_t t = strads_now_ns(), w = UINT64_MAX;
	int err;

	if (m->type != MSG_PONG)
		return;
	if (m->len == PING_SIZE)
		memcpy(&w, m->data, sizeof(w));
	if (w != p->round) {
		pinger_finish(self, p->pp, STRADS_EPROTO);
		return;
	}
	if (p->round >= g_warmup)
		p->pp->rtt[p->round - g_warmup] = t - p->t_send;
	p->round++;
	STORE(p->pp->round, p->round);
	if (p->round == (uint64_t)g_warmup + g_rounds) {
		pinger_finish(self, p->pp, 0);
		return;
	}
	if ((err = ping_send(self, p)) != 0)
		pinger_finish(self, p->pp, err);
}

static const strads_actor_type_t pinger_type = {
    "bench-pinger", sizeof(pinger_t), pinger_init, pinger_recv, NULL};

/* ------------------------------------------------------------------ */
/* Strads measurements.                                                 */

/* Streams count messages of size bytes from a new producer on loop to
 * dst; returns the transfer time in ns. */
static uint64_t
strads_stream(const char *what, strads_runtime_t *rt, int loop,
    strads_addr_t dst, const progress_t *pr, uint64_t count, uint32_t size,
    const uint8_t *filler)
{
	stream_t st;
	int err;

	memset(&st, 0, sizeof(st));
	st.dst = dst;
	st.total = count;
	st.size = size;
	st.filler = filler;
	waiter_init(&st.w);
	watch(what, rt, &st.sent, pr);
	if ((err = strads_spawn(rt, &producer_type, loop, &st, NULL)) != 0)
		die("%s: spawn: %s", what, strads_strerror(err));
	waiter_wait(&st.w);
	unwatch();
	if (st.err != 0)
		die("%s: producer: %s", what, strads_strerror(st.err));
	if (st.done.got != count || st.done.bad != 0)
		die("%s: %llu of %llu messages arrived, %llu out of sequence",
		    what, (unsigned long long)st.done.got,
		    (unsigned long long)count, (unsigned long long)st.done.bad);
	if (st.done.t_last <= st.t0)
		die("%s: clock went backwards", what);
	return st.done.t_last - st.t0;
}

static void
strads_pingpong(const char *what, strads_runtime_t *rt, int loop,
    strads_addr_t dst, uint64_t *rtt)
{
	pingpong_t pp;
	int err;

	memset(&pp, 0, sizeof(pp));
	pp.dst = dst;
	pp.rtt = rtt;
	waiter_init(&pp.w);
	watch(what, rt, &pp.round, NULL);
	if ((err = strads_spawn(rt, &pinger_type, loop, &pp, NULL)) != 0)
		die("%s: spawn: %s", what, strads_strerror(err));
	waiter_wait(&pp.w);
	unwatch();
	if (pp.err != 0)
		die("%s: %s", what, strads_strerror(pp.err));
}

static strads_runtime_t *
runtime_up(int nloops, uint32_t node, const char *name)
{
	strads_runtime_t *rt;
	strads_config_t cfg;
	int err;

	strads_config_init(&cfg);
	cfg.nloops = nloops;
	cfg.ncompute = 1;
	cfg.node_id = node;
	cfg.name = name;
	if ((err = strads_runtime_new(&rt, &cfg)) != 0 ||
	    (err = strads_runtime_start(rt)) != 0)
		die("runtime %s: %s", name, strads_strerror(err));
	return rt;
}

static void
runtime_down(strads_runtime_t *rt, const char *what)
{
	int err;

	watch(what, rt, NULL, NULL);
	strads_runtime_stop(rt);
	err = strads_runtime_wait(rt);
	strads_runtime_free(rt);
	unwatch();
	if (err != 0)
		die("%s: strads_runtime_wait: %s", what, strads_strerror(err));
}

/* ------------------------------------------------------------------ */
/* Bare NNG.                                                            */

static void
nng_check(int rv, const char *what)
{
	if (rv != 0)
		die("%s: %s", what, nng_strerror(rv));
}

static nng_socket
nng_open(int push, int timeouts)
{
	nng_socket s;

	nng_check(push ? nng_push0_open(&s) : nng_pull0_open(&s), "nng open");
	if (push)
		(void)nng_socket_set_int(s, NNG_OPT_SENDBUF, NNG_BUF_MSGS);
	else
		(void)nng_socket_set_int(s, NNG_OPT_RECVBUF, NNG_BUF_MSGS);
	(void)nng_socket_set_size(s, NNG_OPT_RECVMAXSZ, NNG_MAX_RECV);
	if (timeouts) {
		nng_socket_set_ms(
		    s, NNG_OPT_SENDTIMEO, (nng_duration)g_deadline * 1000);
		nng_socket_set_ms(
		    s, NNG_OPT_RECVTIMEO, (nng_duration)g_deadline * 1000);
	}
	return s;
}

/* Receives one message whose first word is tag; copies up to len bytes
 * that follow it to out. */
static void
nng_recv_tag(
    nng_socket s, uint64_t tag, void *out, size_t len, const char *what)
{
	nng_msg *msg;
	uint64_t w;

	nng_check(nng_recvmsg(s, &msg, 0), what);
	if (nng_msg_len(msg) != sizeof(w) + len)
		die("%s: reply of %zu bytes", what, nng_msg_len(msg));
	memcpy(&w, nng_msg_body(msg), sizeof(w));
	if (w != tag)
		die("%s: unexpected reply %llx", what, (unsigned long long)w);
	if (len > 0)
		memcpy(out, (uint8_t *)nng_msg_body(msg) + sizeof(w), len);
	nng_msg_free(msg);
}

/* The receiving end of a stream (inproc thread or nng child): returns 1
 * when msg completed the stream. */
typedef struct {
	uint64_t total, expect;
	done_t d;
	progress_t *pr;
} rx_t;

static int
rx_data(rx_t *rx, nng_msg *msg)
{
	uint64_t w = UINT64_MAX;

	if (nng_msg_len(msg) >= sizeof(w))
		memcpy(&w, nng_msg_body(msg), sizeof(w));
	if (w != rx->expect) {
		rx->d.bad++;
		BUMP(rx->pr->all_bad, 1);
	}
	rx->expect = w + 1;
	rx->d.got++;
	STORE(rx->pr->case_got, rx->d.got);
	BUMP(rx->pr->all_got, 1);
	if (rx->d.got < rx->total)
		return 0;
	rx->d.t_last = strads_now_ns();
	return 1;
}

static void
rx_begin(rx_t *rx, uint64_t total)
{
	rx->total = total;
	rx->expect = 0;
	memset(&rx->d, 0, sizeof(rx->d));
	STORE(rx->pr->case_total, total);
	STORE(rx->pr->case_got, 0);
}

typedef struct {
	nng_socket pull;
	rx_t rx;
	waiter_t started;
	int err;
} inproc_rx_t;

static void *
inproc_rx_main(void *arg)
{
	inproc_rx_t *r = arg;
	nng_msg *msg;

	waiter_post(&r->started);
	for (;;) {
		int done;

		if ((r->err = nng_recvmsg(r->pull, &msg, 0)) != 0)
			break;
		done = rx_data(&r->rx, msg);
		nng_msg_free(msg);
		if (done)
			break;
	}
	return NULL;
}

static int g_inproc_seq;

/* count messages of size bytes, push0 -> pull0 over inproc between this
 * thread and another; returns the transfer time in ns. */
static uint64_t
nng_inproc_stream(const char *what, progress_t *pr, uint64_t count,
    uint32_t size, uint8_t *buf)
{
	nng_socket push = nng_open(1, 1), pull = nng_open(0, 1);
	inproc_rx_t r;
	pthread_t th;
	char url[64];
	uint64_t i, t0, sent = 0;

	snprintf(url, sizeof(url), "inproc://bench-stream-%d", g_inproc_seq++);
	nng_check(nng_listen(pull, url, NULL, 0), "inproc listen");
	nng_check(nng_dial(push, url, NULL, 0), "inproc dial");
	memset(&r, 0, sizeof(r));
	r.pull = pull;
	r.rx.pr = pr;
	rx_begin(&r.rx, count);
	waiter_init(&r.started);
	watch(what, NULL, &sent, pr);
	if (pthread_create(&th, NULL, inproc_rx_main, &r) != 0)
		die("pthread_create");
	waiter_wait(&r.started);
	t0 = strads_now_ns();
	for (i = 0; i < count; i++) {
		memcpy(buf, &i, sizeof(i));
		nng_check(nng_send(push, buf, size, 0), what);
		if ((i & 1023) == 0)
			STORE(sent, i);
	}
	pthread_join(th, NULL);
	unwatch();
	nng_close(push);
	nng_close(pull);
	nng_check(r.err, what);
	if (r.rx.d.got != count || r.rx.d.bad != 0)
		die("%s: %llu of %llu messages arrived, %llu out of sequence",
		    what, (unsigned long long)r.rx.d.got,
		    (unsigned long long)count, (unsigned long long)r.rx.d.bad);
	return r.rx.d.t_last - t0;
}

typedef struct {
	nng_socket pull, push;
	uint64_t n;
	int err;
} echo_t;

static void *
echo_main(void *arg)
{
	echo_t *e = arg;
	uint64_t i;

	for (i = 0; i < e->n; i++) {
		nng_msg *msg;

		if ((e->err = nng_recvmsg(e->pull, &msg, 0)) != 0)
			break;
		if ((e->err = nng_sendmsg(e->push, msg, 0)) != 0) {
			nng_msg_free(msg);
			break;
		}
	}
	return NULL;
}

/* One round trip over a push/pull pair each way; returns its time. */
static uint64_t
nng_round_trip(
    nng_socket push, nng_socket pull, uint64_t round, const char *what)
{
	uint64_t buf[PING_SIZE / 8], t0, t;
	nng_msg *msg;

	memset(buf, 0, sizeof(buf));
	buf[0] = TAG_PING;
	buf[1] = round;
	t0 = strads_now_ns();
	nng_check(nng_send(push, buf, sizeof(buf), 0), what);
	nng_check(nng_recvmsg(pull, &msg, 0), what);
	t = strads_now_ns();
	if (nng_msg_len(msg) != sizeof(buf) ||
	    memcmp(nng_msg_body(msg), buf, sizeof(buf)) != 0)
		die("%s: bad echo", what);
	nng_msg_free(msg);
	return t - t0;
}

static void
nng_pingpong(const char *what, nng_socket push, nng_socket pull, uint64_t *rtt)
{
	uint64_t i, round = 0;

	watch(what, NULL, &round, NULL);
	for (i = 0; i < (uint64_t)g_warmup + g_rounds; i++) {
		uint64_t t = nng_round_trip(push, pull, i, what);

		if (i >= g_warmup)
			rtt[i - g_warmup] = t;
		STORE(round, i);
	}
	unwatch();
}

static void
nng_inproc_pingpong(const char *what, uint64_t *rtt)
{
	nng_socket push = nng_open(1, 1), pull = nng_open(0, 1);
	echo_t e;
	pthread_t th;
	char ping[64], pong[64];

	snprintf(ping, sizeof(ping), "inproc://bench-ping-%d", g_inproc_seq);
	snprintf(pong, sizeof(pong), "inproc://bench-pong-%d", g_inproc_seq++);
	e.pull = nng_open(0, 1);
	e.push = nng_open(1, 1);
	e.n = (uint64_t)g_warmup + g_rounds;
	e.err = 0;
	nng_check(nng_listen(e.pull, ping, NULL, 0), "inproc listen");
	nng_check(nng_listen(pull, pong, NULL, 0), "inproc listen");
	nng_check(nng_dial(push, ping, NULL, 0), "inproc dial");
	nng_check(nng_dial(e.push, pong, NULL, 0), "inproc dial");
	if (pthread_create(&th, NULL, echo_main, &e) != 0)
		die("pthread_create");
	nng_pingpong(what, push, pull, rtt);
	pthread_join(th, NULL);
	nng_check(e.err, what);
	nng_close(push);
	nng_close(pull);
	nng_close(e.push);
	nng_close(e.pull);
}

/* The parent's end of the link to the nng child. */
typedef struct {
	nng_socket push, pull;
} link_t;

static uint64_t
nng_tcp_stream(
    const char *what, link_t *l, uint64_t count, uint32_t size, uint8_t *buf)
{
	uint64_t begin[2] = {TAG_BEGIN, count}, i, t0, sent = 0;
	done_t d;

	watch(what, NULL, &sent, NULL);
	nng_check(nng_send(l->push, begin, sizeof(begin), 0), what);
	nng_recv_tag(l->pull, TAG_BEGUN, NULL, 0, what);
	t0 = strads_now_ns();
	for (i = 0; i < count; i++) {
		memcpy(buf, &i, sizeof(i));
		nng_check(nng_send(l->push, buf, size, 0), what);
		if ((i & 1023) == 0)
			STORE(sent, i);
	}
	nng_recv_tag(l->pull, TAG_DONE, &d, sizeof(d), what);
	unwatch();
	if (d.got != count || d.bad != 0)
		die("%s: %llu of %llu messages arrived, %llu out of sequence",
		    what, (unsigned long long)d.got, (unsigned long long)count,
		    (unsigned long long)d.bad);
	if (d.t_last <= t0)
		die("%s: clock went backwards", what);
	return d.t_last - t0;
}

/* ------------------------------------------------------------------ */
/* The children.                                                        */

/* Answers "status" lines until end of input. */
static void
serve_stdin(const progress_t *pr)
{
	char line[64];

	while (read_line(0, line, sizeof(line), -1) == 0) {
		if (strcmp(line, "status") == 0) {
			printf("got %llu bad %llu case %llu/%llu\n",
			    (unsigned long long)LOAD(pr->all_got),
			    (unsigned long long)LOAD(pr->all_bad),
			    (unsigned long long)LOAD(pr->case_got),
			    (unsigned long long)LOAD(pr->case_total));
			fflush(stdout);
		}
	}
}

static int
child_fail(const char *what, const char *why)
{
	fprintf(stderr, "bench_runtime child: %s: %s\n", what, why);
	return 2;
}

/* Node 2: one loop with a consumer. */
static int
serve_strads(void)
{
	strads_runtime_t *rt;
	strads_config_t cfg;
	strads_addr_t addr;
	progress_t pr;
	char line[64], url[64];
	int port = 0, parent_port, err;

	memset(&pr, 0, sizeof(pr));
	strads_config_init(&cfg);
	cfg.nloops = 1;
	cfg.ncompute = 1;
	cfg.node_id = 2;
	cfg.name = "bench-child";
	if ((err = strads_runtime_new(&rt, &cfg)) != 0)
		return child_fail("runtime", strads_strerror(err));
	if ((err = strads_listen(rt, "tcp://127.0.0.1:0", &port)) != 0 ||
	    (err = strads_spawn(rt, &consumer_type, 0, &pr, &addr)) != 0 ||
	    (err = strads_runtime_start(rt)) != 0)
		return child_fail("setup", strads_strerror(err));
	printf("%d %u\n", port, addr.actor);
	fflush(stdout);
	if (read_line(0, line, sizeof(line), -1) != 0 ||
	    sscanf(line, "%d", &parent_port) != 1)
		return child_fail("handshake", "no parent port");
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", parent_port);
	if ((err = strads_peer_add(rt, 1, url)) != 0)
		return child_fail("peer_add", strads_strerror(err));
	printf("ready\n");
	fflush(stdout);
	serve_stdin(&pr);
	strads_runtime_stop(rt);
	err = strads_runtime_wait(rt);
	strads_runtime_free(rt);
	printf("got %llu bad %llu\n", (unsigned long long)pr.all_got,
	    (unsigned long long)pr.all_bad);
	fflush(stdout);
	return err != 0 || pr.all_bad != 0;
}

typedef struct {
	nng_socket pull, push;
	progress_t pr;
	int err;
} nng_server_t;

static void *
nng_server_main(void *arg)
{
	nng_server_t *s = arg;
	rx_t rx;
	int streaming = 0;

	memset(&rx, 0, sizeof(rx));
	rx.pr = &s->pr;
	for (;;) {
		nng_msg *msg;
		uint64_t w[2] = {0, 0};
		int rv;

		if ((rv = nng_recvmsg(s->pull, &msg, 0)) != 0) {
			if (rv != NNG_ECLOSED)
				s->err = rv;
			break;
		}
		if (streaming) {
			if (rx_data(&rx, msg)) {
				uint64_t done[4] = {
				    TAG_DONE, rx.d.got, rx.d.bad, rx.d.t_last};

				streaming = 0;
				nng_send(s->push, done, sizeof(done), 0);
			}
			nng_msg_free(msg);
			continue;
		}
		memcpy(w, nng_msg_body(msg),
		    nng_msg_len(msg) < sizeof(w) ? nng_msg_len(msg)
						 : sizeof(w));
		if (w[0] == TAG_PING) {
			if (nng_sendmsg(s->push, msg, 0) != 0)
				nng_msg_free(msg);
			continue;
		}
		if (w[0] == TAG_BEGIN) {
			uint64_t begun = TAG_BEGUN;

			rx_begin(&rx, w[1]);
			streaming = w[1] > 0;
			nng_send(s->push, &begun, sizeof(begun), 0);
		} else {
			BUMP(s->pr.all_bad, 1);
		}
		nng_msg_free(msg);
	}
	return NULL;
}

/* Bare NNG peer: pull0 listening, push0 dialing back. */
static int
serve_nng(void)
{
	nng_server_t s;
	nng_listener l;
	pthread_t th;
	char line[64], url[64];
	int rv, port = 0, parent_port;

	memset(&s, 0, sizeof(s));
	s.pull = nng_open(0, 0);
	s.push = nng_open(1, 0);
	if ((rv = nng_listen(s.pull, "tcp://127.0.0.1:0", &l, 0)) != 0 ||
	    (rv = nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port)) != 0)
		return child_fail("listen", nng_strerror(rv));
	printf("%d 0\n", port);
	fflush(stdout);
	if (read_line(0, line, sizeof(line), -1) != 0 ||
	    sscanf(line, "%d", &parent_port) != 1)
		return child_fail("handshake", "no parent port");
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", parent_port);
	if ((rv = nng_dial(s.push, url, NULL, 0)) != 0)
		return child_fail("dial", nng_strerror(rv));
	if (pthread_create(&th, NULL, nng_server_main, &s) != 0)
		return child_fail("thread", strerror(errno));
	printf("ready\n");
	fflush(stdout);
	serve_stdin(&s.pr);
	nng_close(s.pull); /* ends nng_server_main, even mid-send */
	nng_close(s.push);
	pthread_join(th, NULL);
	printf("got %llu bad %llu\n", (unsigned long long)s.pr.all_got,
	    (unsigned long long)s.pr.all_bad);
	fflush(stdout);
	if (s.err != 0)
		return child_fail("receive", nng_strerror(s.err));
	return s.pr.all_bad != 0;
}

/* ------------------------------------------------------------------ */
/* Results.                                                             */

enum { CASE_SAME, CASE_CROSS, CASE_PROC, NCASES };
#define NSIZES 3

static const uint32_t g_sizes[NSIZES] = {64, 4 * KIB, MIB};
static const char *const g_size_names[NSIZES] = {"64 B", "4 KiB", "1 MiB"};
static const char *const g_case_names[NCASES] = {
    "(a) same loop", "(b) cross loop", "(c) cross process"};

/* Messages per stream at --scale 1, for about 1-2 s a case on the
 * 2-core machine this was written on: [case][size] for strads, [size]
 * for the baselines (bare NNG sends ~50 k msg/s there at 64 B). */
static const uint64_t g_count_strads[NCASES][NSIZES] = {
    {8000000, 1000000, 2500}, /* (a) */
    {8000000, 1000000, 3000}, /* (b) */
    {4000000, 250000, 2000}}; /* (c) */
static const uint64_t g_count_inproc[NSIZES] = {75000, 75000, 10000};
static const uint64_t g_count_tcp[NSIZES] = {75000, 75000, 2000};

typedef struct {
	uint64_t count, ns;
} rate_t;

static rate_t g_strads[NCASES][NSIZES];
static rate_t g_nng[NCASES][NSIZES];

typedef struct {
	uint64_t median, p99;
} lat_t;

/* [0]: cross loop, [1]: cross process */
static lat_t g_lat_strads[2], g_lat_nng[2];
static int g_lat_on[2];

static uint64_t
scaled(uint64_t n)
{
	double v = (double)n * g_scale;

	return v < 1.0 ? 1 : (uint64_t)v;
}

static double
msg_rate(const rate_t *r)
{
	return (double)r->count / ((double)r->ns / 1e9);
}

static double
mb_rate(const rate_t *r, uint32_t size)
{
	return msg_rate(r) * size / 1e6;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static lat_t
latency(uint64_t *rtt)
{
	lat_t l;

	qsort(rtt, g_rounds, sizeof(*rtt), cmp_u64);
	l.median = rtt[(g_rounds + 1) / 2 - 1];
	l.p99 = rtt[(g_rounds * 99u + 99u) / 100u - 1];
	return l;
}

/* Runs a measurement g_repeat times, keeps the fastest. */
#define BEST_OF(rate, count_, expr)                                            \
	do {                                                                   \
		int rep_;                                                      \
		(rate).count = (count_);                                       \
		(rate).ns = UINT64_MAX;                                        \
		for (rep_ = 0; rep_ < g_repeat; rep_++) {                      \
			uint64_t ns_ = (expr);                                 \
			if (ns_ < (rate).ns)                                   \
				(rate).ns = ns_;                               \
		}                                                              \
	} while (0)

/* A rate in messages per second, 10 characters wide: "5.18 M". */
static const char *
fmt_rate(char *buf, size_t cap, double v)
{
	if (v >= 1e6)
		snprintf(buf, cap, "%8.2f M", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, cap, "%8.1f k", v / 1e3);
	else
		snprintf(buf, cap, "%8.0f  ", v);
	return buf;
}

static void
progress_line(
    const char *what, const char *impl, const rate_t *r, uint32_t size)
{
	char rate[32];

	printf("  %-24s %-6s %s msg/s %9.1f MB/s  (%llu msgs, %.3f s)\n", what,
	    impl, fmt_rate(rate, sizeof(rate), msg_rate(r)), mb_rate(r, size),
	    (unsigned long long)r->count, (double)r->ns / 1e9);
	fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* The runs.                                                            */

static void
run_in_process(uint8_t *filler, uint8_t *buf, uint64_t *rtt)
{
	static const char *const names[2] = {"bench-1loop", "bench-2loops"};
	strads_runtime_t *rt[2] = {NULL, NULL}; /* (a): 1 loop, (b): 2 loops */
	progress_t pr[2], prn;
	strads_addr_t sink[2];
	uint64_t expect[2] = {0, 0};
	char what[96];
	int c, s, err;

	memset(pr, 0, sizeof(pr));
	memset(&prn, 0, sizeof(prn));
	for (c = CASE_SAME; c <= CASE_CROSS; c++) {
		if (!g_case_on[c])
			continue;
		rt[c] = runtime_up(c + 1, 1, names[c]);
		/* The consumer on the last loop: 0 for (a), 1 for (b); the
		 * producers on loop 0. */
		if ((err = strads_spawn(
			 rt[c], &consumer_type, c, &pr[c], &sink[c])) != 0)
			die("spawn consumer: %s", strads_strerror(err));
	}
	for (s = 0; s < NSIZES; s++) {
		uint32_t size = g_sizes[s];
		uint64_t n;

		if (!g_size_on[s])
			continue;
		for (c = CASE_SAME; c <= CASE_CROSS; c++) {
			if (!g_case_on[c])
				continue;
			n = scaled(g_count_strads[c][s]);
			snprintf(what, sizeof(what), "%s %s", g_case_names[c],
			    g_size_names[s]);
			BEST_OF(g_strads[c][s], n,
			    strads_stream(what, rt[c], 0, sink[c], &pr[c], n,
				size, filler));
			expect[c] += n * (uint64_t)g_repeat;
			progress_line(what, "strads", &g_strads[c][s], size);
		}
		n = scaled(g_count_inproc[s]);
		snprintf(
		    what, sizeof(what), "inproc baseline %s", g_size_names[s]);
		BEST_OF(g_nng[CASE_SAME][s], n,
		    nng_inproc_stream(what, &prn, n, size, buf));
		g_nng[CASE_CROSS][s] = g_nng[CASE_SAME][s];
		progress_line(what, "nng", &g_nng[CASE_SAME][s], size);
	}
	if (g_case_on[CASE_CROSS]) {
		strads_pingpong("cross-loop ping-pong", rt[CASE_CROSS], 0,
		    sink[CASE_CROSS], rtt);
		g_lat_strads[0] = latency(rtt);
		nng_inproc_pingpong("inproc ping-pong", rtt);
		g_lat_nng[0] = latency(rtt);
		g_lat_on[0] = 1;
	}
	for (c = CASE_SAME; c <= CASE_CROSS; c++) {
		if (rt[c] == NULL)
			continue;
		snprintf(what, sizeof(what), "stopping runtime %s", names[c]);
		runtime_down(rt[c], what);
		if (pr[c].all_got != expect[c] || pr[c].all_bad != 0)
			die("%s: consumer got %llu data messages in all "
			    "(expected %llu), %llu out of sequence",
			    g_case_names[c], (unsigned long long)pr[c].all_got,
			    (unsigned long long)expect[c],
			    (unsigned long long)pr[c].all_bad);
	}
}

static void
run_cross_process(uint8_t *filler, uint8_t *buf, uint64_t *rtt)
{
	strads_runtime_t *rt = runtime_up(1, 1, "bench-node1");
	strads_addr_t sink;
	nng_listener nl;
	link_t link;
	uint64_t expect_strads = 0, expect_nng = 0;
	uint32_t unused;
	char url[64], what[96];
	int port = 0, child_port, s, err;

	/* strads: node 1 here, node 2 in the child. */
	if ((err = strads_listen(rt, "tcp://127.0.0.1:0", &port)) != 0)
		die("strads_listen: %s", strads_strerror(err));
	child_connect(&g_child_strads, port, &child_port, &sink.actor);
	sink.node = 2;
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", child_port);
	if ((err = strads_peer_add(rt, 2, url)) != 0)
		die("strads_peer_add: %s", strads_strerror(err));

	/* Bare NNG: push to the other child's pull, pull from its push. */
	link.push = nng_open(1, 1);
	link.pull = nng_open(0, 1);
	nng_check(
	    nng_listen(link.pull, "tcp://127.0.0.1:0", &nl, 0), "nng listen");
	nng_check(nng_listener_get_int(nl, NNG_OPT_TCP_BOUND_PORT, &port),
	    "nng port");
	child_connect(&g_child_nng, port, &child_port, &unused);
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", child_port);
	nng_check(nng_dial(link.push, url, NULL, 0), "nng dial");

	for (s = 0; s < NSIZES; s++) {
		uint32_t size = g_sizes[s];
		uint64_t n;

		if (!g_size_on[s])
			continue;
		n = scaled(g_count_strads[CASE_PROC][s]);
		snprintf(what, sizeof(what), "%s %s", g_case_names[CASE_PROC],
		    g_size_names[s]);
		BEST_OF(g_strads[CASE_PROC][s], n,
		    strads_stream(what, rt, 0, sink, NULL, n, size, filler));
		expect_strads += n * (uint64_t)g_repeat;
		progress_line(what, "strads", &g_strads[CASE_PROC][s], size);

		n = scaled(g_count_tcp[s]);
		snprintf(
		    what, sizeof(what), "tcp baseline %s", g_size_names[s]);
		BEST_OF(g_nng[CASE_PROC][s], n,
		    nng_tcp_stream(what, &link, n, size, buf));
		expect_nng += n * (uint64_t)g_repeat;
		progress_line(what, "nng", &g_nng[CASE_PROC][s], size);
	}
	strads_pingpong("cross-process ping-pong", rt, 0, sink, rtt);
	g_lat_strads[1] = latency(rtt);
	nng_pingpong("tcp ping-pong", link.push, link.pull, rtt);
	g_lat_nng[1] = latency(rtt);
	g_lat_on[1] = 1;

	runtime_down(rt, "stopping the node-1 runtime");
	nng_close(link.push);
	nng_close(link.pull);
	watch("ending the children", NULL, NULL, NULL);
	child_finish(&g_child_strads, expect_strads);
	child_finish(&g_child_nng, expect_nng);
	unwatch();
}

static void
print_results(void)
{
	static const char *const lat_names[2] = {
	    "cross loop (inproc baseline)", "cross process (tcp)"};
	int c, s;

	printf("\nThroughput (payload bytes, MB = 10^6 B; %s)\n",
	    g_repeat > 1 ? "best of the repeats" : "one run each");
	printf("%-18s %-6s %12s %11s %12s %11s %8s\n", "case", "size",
	    "strads msg/s", "strads MB/s", "NNG msg/s", "NNG MB/s", "ratio");
	for (c = 0; c < NCASES; c++) {
		for (s = 0; s < NSIZES; s++) {
			const rate_t *a = &g_strads[c][s], *b = &g_nng[c][s];
			char ra[32], rb[32];

			if (a->count == 0)
				continue;
			printf("%-18s %-6s %12s %11.1f %12s %11.1f %8.2f%s\n",
			    g_case_names[c], g_size_names[s],
			    fmt_rate(ra, sizeof(ra), msg_rate(a)),
			    mb_rate(a, g_sizes[s]),
			    fmt_rate(rb, sizeof(rb), msg_rate(b)),
			    mb_rate(b, g_sizes[s]), msg_rate(a) / msg_rate(b),
			    c == CASE_PROC ? "" : " *");
		}
	}
	if (g_case_on[CASE_SAME] || g_case_on[CASE_CROSS])
		printf("* NNG: push0/pull0 over inproc between two threads; "
		       "(a) and (b) share\n  one run per size.\n");
	if (!g_lat_on[0] && !g_lat_on[1])
		return;
	printf("\nRound trip, %d B (%u rounds after %u warm-up rounds), "
	       "microseconds\n",
	    PING_SIZE, g_rounds, g_warmup);
	printf("%-30s %14s %11s %14s %11s\n", "case", "strads median",
	    "strads p99", "NNG median", "NNG p99");
	for (c = 0; c < 2; c++)
		if (g_lat_on[c])
			printf("%-30s %14.1f %11.1f %14.1f %11.1f\n",
			    lat_names[c], g_lat_strads[c].median / 1e3,
			    g_lat_strads[c].p99 / 1e3,
			    g_lat_nng[c].median / 1e3, g_lat_nng[c].p99 / 1e3);
}

static void
print_target(const char *what, const rate_t *r, double value, const char *unit,
    double goal)
{
	if (r->count == 0)
		printf("  %-50s %8s %-8s  not measured\n", what, "", "");
	else
		printf("  %-50s %8.2f %-8s  %s\n", what, value, unit,
		    value >= goal ? "met" : "NOT met");
}

static void
print_targets(void)
{
	const rate_t *cross = &g_strads[CASE_CROSS][0],
		     *proc = &g_strads[CASE_PROC][0];
	const rate_t *big = &g_strads[CASE_PROC][2],
		     *big_nng = &g_nng[CASE_PROC][2];

	printf(
	    "\nTargets (for the record; they do not change the exit status)\n");
	print_target("in-process cross-loop >= 5 M msg/s at 64 B:", cross,
	    cross->count ? msg_rate(cross) / 1e6 : 0, "M msg/s", 5.0);
	print_target("cross-process >= 1 M msg/s at 64 B:", proc,
	    proc->count ? msg_rate(proc) / 1e6 : 0, "M msg/s", 1.0);
	print_target("cross-process 1 MiB >= 0.9 x bare NNG bandwidth:", big,
	    big->count ? msg_rate(big) / msg_rate(big_nng) : 0, "x NNG", 0.9);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: bench_runtime [--scale F] [--repeat N] [--rounds N] "
	    "[--deadline S]\n"
	    "                     [--cases abc] [--sizes 64,4k,1m]\n"
	    "  --scale F     multiply every message count by F (default 1)\n"
	    "  --repeat N    run each throughput case N times, keep the best "
	    "(default 1)\n"
	    "  --rounds N    timed round trips per latency case (default "
	    "10000)\n"
	    "  --deadline S  fail a step that takes longer than S seconds "
	    "(default 60)\n"
	    "  --cases L     run these cases only: a same loop, b cross loop "
	    "(and its\n"
	    "                latency), c cross process (and its latency); "
	    "default abc\n"
	    "  --sizes L     payload sizes to stream, of 64, 4k, 1m; default "
	    "all three\n");
}

/* Parses --cases and --sizes; 0 on success. */
static int
parse_cases(const char *v)
{
	int c;

	for (c = 0; c < NCASES; c++)
		g_case_on[c] = strchr(v, 'a' + c) != NULL;
	return strspn(v, "abc") == strlen(v) && v[0] != '\0' ? 0 : -1;
}

static int
parse_sizes(const char *v)
{
	char *copy = strdup(v), *tok, *save = NULL;
	int s, err = 0;

	if (copy == NULL)
		return -1;
	memset(g_size_on, 0, sizeof(g_size_on));
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strcasecmp(tok, "64") == 0)
			s = 0;
		else if (strcasecmp(tok, "4k") == 0)
			s = 1;
		else if (strcasecmp(tok, "1m") == 0)
			s = 2;
		else {
			err = -1;
			break;
		}
		g_size_on[s] = 1;
	}
	free(copy);
	return err;
}

int
main(int argc, char **argv)
{
	uint8_t *filler, *buf;
	uint64_t *rtt;
	pthread_t wd;
	int i, bad = 0;

	if (argc >= 3 && strcmp(argv[1], g_child_strads.mode) == 0) {
		alarm((unsigned)atoi(argv[2]));
		return serve_strads();
	}
	if (argc >= 3 && strcmp(argv[1], g_child_nng.mode) == 0) {
		alarm((unsigned)atoi(argv[2]));
		return serve_nng();
	}
	for (i = 1; i < argc && !bad; i += 2) {
		const char *v = argv[i + 1];

		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (v == NULL)
			bad = 1;
		else if (strcmp(argv[i], "--scale") == 0)
			bad = (g_scale = atof(v)) <= 0;
		else if (strcmp(argv[i], "--repeat") == 0)
			bad = (g_repeat = atoi(v)) < 1;
		else if (strcmp(argv[i], "--rounds") == 0)
			bad =
			    atoi(v) < 1 || (g_rounds = (uint32_t)atoi(v)) == 0;
		else if (strcmp(argv[i], "--deadline") == 0)
			bad = (g_deadline = atoi(v)) < 1;
		else if (strcmp(argv[i], "--cases") == 0)
			bad = parse_cases(v) != 0;
		else if (strcmp(argv[i], "--sizes") == 0)
			bad = parse_sizes(v) != 0;
		else
			bad = 1;
	}
	if (bad) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	/* The children first: nothing has touched NNG in this process yet. */
	if (g_case_on[CASE_PROC]) {
		child_spawn(&g_child_strads, argv[0]);
		child_spawn(&g_child_nng, argv[0]);
	}
	if (pthread_create(&wd, NULL, watchdog_main, NULL) != 0)
		die("pthread_create");

	filler = malloc(MIB);
	buf = malloc(MIB);
	rtt = calloc(g_rounds, sizeof(*rtt));
	if (filler == NULL || buf == NULL || rtt == NULL)
		die("out of memory");
	for (i = 0; i < (int)MIB; i++)
		filler[i] = (uint8_t)(i * 131u + 7u);
	memcpy(buf, filler, MIB);

	printf(
	    "strads runtime benchmark: %d cores, scale %g, %s, deadline %d s "
	    "per step\n",
	    strads_ncores(), g_scale,
	    g_repeat > 1 ? "best of --repeat runs" : "one run per case",
	    g_deadline);
	if (g_case_on[CASE_SAME] || g_case_on[CASE_CROSS])
		run_in_process(filler, buf, rtt);
	if (g_case_on[CASE_PROC])
		run_cross_process(filler, buf, rtt);
	print_results();
	print_targets();
	printf("\nAll messages arrived, in order.\n");
	free(filler);
	free(buf);
	free(rtt);
	return 0;
}
