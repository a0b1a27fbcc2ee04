/*
 * check_transport.c -- remote delivery over NNG: ping-pong on every
 * transport, order and completeness between two processes, malformed and
 * oversized frames, the transport's back-pressure, and a big message
 * sharing its frame with the small ones sent after it.
 *
 * Check forks each test from a main that never touched NNG; the
 * two-process test execs t/helper_peer instead of forking.
 */
#include "strads-int.h"
#include "transport-int.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nng/nng.h>

#include "testactors.h"
#include "testutil.h"

extern char **environ;

/* url with ":0" replaced by the bound port. */
static void
port_url(char *out, size_t n, const char *url, int port)
{
	const char *colon = strrchr(url, ':');

	if (port == 0 || colon == NULL)
		snprintf(out, n, "%s", url);
	else
		snprintf(out, n, "%.*s:%d", (int)(colon - url), url, port);
}

static strads_runtime_t *
node_new(uint32_t node, int nloops)
{
	strads_runtime_t *rt;
	strads_config_t cfg;

	strads_config_init(&cfg);
	cfg.nloops = nloops;
	cfg.ncompute = 1;
	cfg.node_id = node;
	ck_assert_int_eq(strads_runtime_new(&rt, &cfg), 0);
	return rt;
}

static void
node_finish(strads_runtime_t *rt)
{
	strads_runtime_stop(rt);
	ck_assert_int_eq(strads_runtime_wait(rt), 0);
	strads_runtime_free(rt);
}

/* A fence: spawned on a loop, it runs its init in the turn that
 * dispatches the spawn, after everything queued before it, and counts
 * itself done two timer ticks later. libuv runs timers at the top of an
 * iteration, before the prepare handle that flushes the frames a turn
 * produced; a 1 ms timer started in a timer callback waits for the next
 * iteration, so the second tick comes after that flush. */
typedef struct {
	atomic_int *done; /* borrowed, shared with the test thread */
} fence_t;

static int
fence_init(strads_actor_t *self, void *arg)
{
	fence_t *f = strads_actor_state(self);

	*f = *(fence_t *)arg;
	return strads_timer_start(self, 1, 0, 1) > 0 ? 0 : -1;
}

static void
fence_recv(strads_actor_t *self, const strads_msg_t *m)
{
	fence_t *f = strads_actor_state(self);
	uint64_t tag;

	if (m->type != STRADS_MSG_TIMER)
		return;
	memcpy(&tag, m->data, sizeof(tag));
	if (tag == 1)
		TEST_REQUIRE(strads_timer_start(self, 1, 0, 2) > 0);
	else
		atomic_fetch_add(f->done, 1);
}

static const strads_actor_type_t fence_type = {
    "fence", sizeof(fence_t), fence_init, fence_recv, NULL};

/* Every loop of rt has handled what was queued to it before this call,
 * and the frames that produced are in the transport's frames_out. */
static void
fence(strads_runtime_t *rt)
{
	atomic_int done;
	fence_t arg;
	int i, n = strads_runtime_nloops(rt);

	atomic_init(&done, 0);
	arg.done = &done;
	for (i = 0; i < n; i++)
		ck_assert_int_eq(
		    strads_spawn(rt, &fence_type, i, &arg, NULL), 0);
	WAIT_UNTIL(atomic_load(&done) == n, 10000);
}

/* Waits until nothing is in flight between a and b: every frame one
 * handed to its transport has reached the other, and handling what
 * arrived sent nothing more (the trailing credit returns included).
 * NNG 1.5.2's tcp transport can hang nng_close() for good when a frame
 * is arriving on a pipe as its socket closes: the pipe's receive
 * callback re-arms the stopped stream aio, which then never completes
 * (fixed upstream by nanomsg/nng#1636). Closing a quiet pair is safe. */
static void
nodes_quiesce(strads_runtime_t *a, strads_runtime_t *b)
{
	uint64_t deadline = test_deadline_ms(30000);
	strads_stats_t sa, sb, sa2, sb2;

	for (;;) {
		fence(a);
		fence(b);
		strads_runtime_stats(a, &sa);
		strads_runtime_stats(b, &sb);
		if (sa.frames_in == sb.frames_out &&
		    sb.frames_in == sa.frames_out) {
			/* All arrived; handling it must send nothing new. */
			fence(a);
			fence(b);
			strads_runtime_stats(a, &sa2);
			strads_runtime_stats(b, &sb2);
			if (sa2.frames_out == sa.frames_out &&
			    sb2.frames_out == sb.frames_out)
				return;
		}
		ck_assert_msg(!test_expired(deadline),
		    "nodes not quiet after 30 s: a in %llu out %llu, "
		    "b in %llu out %llu",
		    (unsigned long long)sa.frames_in,
		    (unsigned long long)sa.frames_out,
		    (unsigned long long)sb.frames_in,
		    (unsigned long long)sb.frames_out);
	}
}

/* Stops two peers together, once they are quiet (see nodes_quiesce):
 * each closes its dialer to the other while that one is still up, so
 * neither closes a socket in the middle of a redial (NNG 1.5.2 can leak
 * the pipe of a dial cut short by close). */
static void
nodes_finish(strads_runtime_t *a, strads_runtime_t *b)
{
	nodes_quiesce(a, b);
	strads_runtime_stop(a);
	strads_runtime_stop(b);
	ck_assert_int_eq(strads_runtime_wait(a), 0);
	ck_assert_int_eq(strads_runtime_wait(b), 0);
	strads_runtime_free(a);
	strads_runtime_free(b);
}

/* Two runtimes in this process; a tcp URL with port 0 is resolved to the
 * bound port. tls, when not NULL, gives both the TLS files. */
static void
remote_pingpong_cfg(const char *url_a, const char *url_b, uint64_t n,
    const strads_config_t *tls)
{
	strads_runtime_t *a, *b;
	char ua[128], ub[128];
	int pa = 0, pb = 0;
	atomic_ullong count;
	pp_arg_t arg_a, arg_b;
	strads_addr_t addr_b;
	strads_config_t cfg;

	strads_config_init(&cfg);
	if (tls != NULL)
		cfg = *tls;
	cfg.nloops = 2;
	cfg.ncompute = 1;
	cfg.node_id = 1;
	ck_assert_int_eq(strads_runtime_new(&a, &cfg), 0);
	cfg.node_id = 2;
	ck_assert_int_eq(strads_runtime_new(&b, &cfg), 0);
	ck_assert_int_eq(strads_listen(a, url_a, &pa), 0);
	ck_assert_int_eq(strads_listen(b, url_b, &pb), 0);
	port_url(ua, sizeof(ua), url_a, pa);
	port_url(ub, sizeof(ub), url_b, pb);
	ck_assert_int_eq(strads_peer_add(a, 2, ub), 0);
	ck_assert_int_eq(strads_peer_add(b, 1, ua), 0);
	ck_assert_int_eq(strads_peer_add(b, 1, ua), STRADS_EBUSY);
	ck_assert_int_eq(strads_peer_add(b, 2, ua), STRADS_EINVAL);
	atomic_init(&count, 0);
	memset(&arg_a, 0, sizeof(arg_a));
	memset(&arg_b, 0, sizeof(arg_b));
	arg_a.limit = arg_b.limit = n;
	arg_a.count = arg_b.count = &count;
	ck_assert_int_eq(strads_spawn(b, &pp_type, 1, &arg_b, &addr_b), 0);
	arg_a.peer = addr_b;
	arg_a.starter = 1;
	ck_assert_int_eq(strads_spawn(a, &pp_type, 0, &arg_a, &arg_b.peer), 0);
	ck_assert_int_eq(strads_runtime_start(b), 0);
	ck_assert_int_eq(strads_runtime_start(a), 0);
	WAIT_UNTIL(atomic_load(&count) == n, 30000);
	/* One message in flight each way: the push socket takes every
	 * frame at once, and none waits on the link's aio (whose
	 * completion would cost a wake-up of an NNG task thread a frame;
	 * before, every frame went that way). */
	{
		uint64_t wa = atomic_load(&a->tp->aio_sends), wb = atomic_load(&b->tp->aio_sends);

		ck_assert_uint_eq(wa, 0);
		ck_assert_uint_eq(wb, 0);
	}
	nodes_finish(a, b);
	ck_assert_uint_eq(atomic_load(&count), n);
}

static void
remote_pingpong(const char *url_a, const char *url_b, uint64_t n)
{
	remote_pingpong_cfg(url_a, url_b, n, NULL);
}

START_TEST(pingpong_tcp)
{
	remote_pingpong("tcp://127.0.0.1:0", "tcp://127.0.0.1:0", test_quick() ? 1000 : 10000);
}
END_TEST

START_TEST(pingpong_ipc)
{
	char ua[64], ub[64];

	snprintf(ua, sizeof(ua), "ipc:///tmp/strads-test-%d-a", (int)getpid());
	snprintf(ub, sizeof(ub), "ipc:///tmp/strads-test-%d-b", (int)getpid());
	remote_pingpong(ua, ub, test_quick() ? 1000 : 10000);
	unlink(ua + strlen("ipc://"));
	unlink(ub + strlen("ipc://"));
}
END_TEST

START_TEST(pingpong_inproc)
{
	remote_pingpong("inproc://strads-a", "inproc://strads-b", test_quick() ? 1000 : 10000);
}
END_TEST

/* Mutual TLS with a self-signed certificate made for this test. */
START_TEST(pingpong_tls)
{
	char dir[] = "/tmp/strads-tls-XXXXXX", cmd[1024], cert[128], key[128];
	strads_config_t cfg;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd),
	    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
	    "-nodes -subj /CN=127.0.0.1 -days 2 -keyout %s -out %s 2>/dev/null",
	    key, cert);
	ck_assert_int_eq(system(cmd), 0);
	strads_config_init(&cfg);
	cfg.tls_cert_file = cert;
	cfg.tls_key_file = key;
	cfg.tls_ca_file = cert;
	remote_pingpong_cfg("tls+tcp://127.0.0.1:0", "tls+tcp://127.0.0.1:0", 2000, &cfg);
	unlink(cert);
	unlink(key);
	rmdir(dir);
}
END_TEST

START_TEST(bad_urls)
{
	strads_runtime_t *a = node_new(1, 1);

	ck_assert_int_ne(strads_listen(a, "bogus://nowhere", NULL), 0);
	ck_assert_int_ne(strads_listen(a, NULL, NULL), 0);
	/* TLS without a certificate cannot listen: a clear error, no crash. */
	ck_assert_int_ne(strads_listen(a, "tls+tcp://127.0.0.1:0", NULL), 0);
	ck_assert_int_ne(strads_peer_add(a, 3, "bogus://x"), 0);
	node_finish(a);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Malformed and oversized frames from a raw peer.                      */

/* The raw peer is a plain TCP socket speaking SP over TCP as a push0
 * peer: an 8-byte greeting each way, then frames as a 64-bit big-endian
 * length and the bytes. Not an NNG socket: NNG 1.5.2 can panic
 * ("appending node already on a list") closing a tcp socket whose pipe
 * the far side has just dropped, and dropping it is what an oversized
 * frame makes the runtime do. */
static int
raw_sp_connect(int port)
{
	static const uint8_t push0[8] = {0, 'S', 'P', 0, 0, 0x50, 0, 0};
	uint8_t peer[8];
	struct sockaddr_in sa;
	struct timeval tv = {10, 0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	/* A peer that stops reading fails the test instead of hanging it. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(
	    send(fd, push0, sizeof(push0), MSG_NOSIGNAL), (int)sizeof(push0));
	ck_assert_int_eq(
	    recv(fd, peer, sizeof(peer), MSG_WAITALL), (int)sizeof(peer));
	ck_assert_int_eq(peer[5], 0x51); /* pull0 */
	return fd;
}

/* One frame; 0 when all of it went out. */
static int
raw_sp_send(int fd, const void *buf, size_t len)
{
	uint8_t hdr[8];
	int i;

	for (i = 0; i < 8; i++)
		hdr[i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
	if (send(fd, hdr, sizeof(hdr), MSG_NOSIGNAL) != (ssize_t)sizeof(hdr) ||
	    send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -1;
	return 0;
}

START_TEST(malformed_and_oversized_frames)
{
	strads_runtime_t *rt;
	strads_config_t cfg;
	strads_stats_t st;
	atomic_ullong got, bad;
	sink_t sk;
	strads_addr_t sink;
	uint8_t *big, frame[STRADS_MSG_HDR_SIZE + 100];
	strads_msg_t m;
	int port = 0, fd;

	strads_config_init(&cfg);
	cfg.nloops = 1;
	cfg.ncompute = 1;
	cfg.max_frame = 64 << 10;
	ck_assert_int_eq(strads_runtime_new(&rt, &cfg), 0);
	ck_assert_int_eq(strads_listen(rt, "tcp://127.0.0.1:0", &port), 0);
	atomic_init(&got, 0);
	atomic_init(&bad, 0);
	memset(&sk, 0, sizeof(sk));
	sk.got = &got;
	sk.badseq = &bad;
	ck_assert_int_eq(strads_spawn(rt, &sink_type, 0, &sk, &sink), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);

	fd = raw_sp_connect(port);

	/* Garbage: counted and dropped. */
	memset(frame, 0x5a, sizeof(frame));
	ck_assert_int_eq(raw_sp_send(fd, frame, sizeof(frame)), 0);
	WAIT_UNTIL((strads_runtime_stats(rt, &st), st.dropped_proto == 1), 5000);

	/* A valid message whose length field lies about the payload. */
	memset(&m, 0, sizeof(m));
	m.type = MSG_DATA;
	m.src.node = 9;
	m.dst = sink;
	m.len = 200;
	strads__hdr_encode(&m, frame);
	ck_assert_int_eq(raw_sp_send(fd, frame, sizeof(frame)), 0);
	WAIT_UNTIL((strads_runtime_stats(rt, &st), st.dropped_proto == 2), 5000);

	/* Over max_frame: NNG itself refuses it and drops that pipe, maybe
	 * before all of it went out. */
	big = calloc(1, 100 << 10);
	ck_assert_ptr_nonnull(big);
	(void)raw_sp_send(fd, big, 100 << 10);
	free(big);
	close(fd);

	/* The runtime is unharmed: a valid message on a new connection
	 * arrives. */
	fd = raw_sp_connect(port);
	m.len = 100;
	strads__hdr_encode(&m, frame);
	memset(frame + STRADS_MSG_HDR_SIZE, 0, 100);
	ck_assert_int_eq(raw_sp_send(fd, frame, sizeof(frame)), 0);
	WAIT_UNTIL(atomic_load(&got) == 1, 10000);
	strads_runtime_stats(rt, &st);
	ck_assert_uint_eq(st.dropped_proto, 2);
	ck_assert_uint_eq(st.frames_in, 3); /* the oversized one never came in */
	close(fd);
	node_finish(rt);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Back-pressure: a receiver that holds messages makes the transport    */
/* stop reading; nothing is lost and order holds once it lets go.       */

typedef struct {
	strads_msg_t **held;
	size_t nheld, cap;
	int released;
	uint64_t next;
	atomic_ullong *got, *bad;
} hold_t;

static int
hold_init(strads_actor_t *self, void *arg)
{
	hold_t *h = strads_actor_state(self);

	*h = *(hold_t *)arg;
	h->held = calloc(h->cap, sizeof(*h->held));
	return h->held == NULL ? -1 : 0;
}

static void
hold_release(hold_t *h)
{
	size_t i;

	for (i = 0; i < h->nheld; i++)
		strads_msg_free(h->held[i]);
	h->nheld = 0;
}

static void
hold_recv(strads_actor_t *self, const strads_msg_t *m)
{
	hold_t *h = strads_actor_state(self);
	uint64_t v;

	if (m->type == STRADS_MSG_TIMER) {
		hold_release(h);
		h->released = 1;
		return;
	}
	memcpy(&v, m->data, sizeof(v));
	if (v != h->next)
		atomic_fetch_add(h->bad, 1);
	h->next = v + 1;
	atomic_fetch_add(h->got, 1);
	if (h->nheld < h->cap && !h->released) {
		/* Keep the payload (and with it its frame) alive for 300 ms
		 * from the first message: handled, but its bytes still
		 * count against the transport's inbound limit. */
		if (h->nheld == 0)
			strads_timer_start(self, 300, 0, 1);
		h->held[h->nheld++] = strads_msg_share(m, m->type);
	}
}

static void
hold_stop(strads_actor_t *self)
{
	hold_t *h = strads_actor_state(self);

	hold_release(h);
	free(h->held);
}

static const strads_actor_type_t hold_type = {
    "holder", sizeof(hold_t), hold_init, hold_recv, hold_stop};

START_TEST(inbound_backpressure)
{
	strads_runtime_t *a, *b;
	strads_config_t cfg;
	strads_stats_t st;
	atomic_ullong got, bad;
	hold_t harg;
	src_t sr;
	char url[64];
	int pa = 0, pb = 0;
	const uint64_t n = 60000;

	strads_config_init(&cfg);
	cfg.nloops = 1;
	cfg.ncompute = 1;
	cfg.node_id = 1;
	ck_assert_int_eq(strads_runtime_new(&a, &cfg), 0);
	cfg.node_id = 2;
	cfg.inbound_limit = 256 << 10; /* far under the 4 MiB credit window */
	ck_assert_int_eq(strads_runtime_new(&b, &cfg), 0);
	ck_assert_int_eq(strads_listen(a, "tcp://127.0.0.1:0", &pa), 0);
	ck_assert_int_eq(strads_listen(b, "tcp://127.0.0.1:0", &pb), 0);
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", pb);
	ck_assert_int_eq(strads_peer_add(a, 2, url), 0);
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", pa);
	ck_assert_int_eq(strads_peer_add(b, 1, url), 0);
	atomic_init(&got, 0);
	atomic_init(&bad, 0);
	memset(&harg, 0, sizeof(harg));
	harg.cap = 20000; /* 20000 x 140 B held: well past the limit */
	harg.got = &got;
	harg.bad = &bad;
	memset(&sr, 0, sizeof(sr));
	sr.total = n;
	ck_assert_int_eq(strads_spawn(b, &hold_type, 0, &harg, &sr.peer), 0);
	ck_assert_int_eq(strads_spawn(a, &src_type, 0, &sr, NULL), 0);
	ck_assert_int_eq(strads_runtime_start(b), 0);
	ck_assert_int_eq(strads_runtime_start(a), 0);
	WAIT_UNTIL(atomic_load(&got) == n, 30000);
	strads_runtime_stats(b, &st);
	nodes_finish(a, b);
	ck_assert_uint_eq(atomic_load(&bad), 0);
	ck_assert_uint_ge(st.recv_paused, 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* A big message and the small ones after it: one frame.               */

#define BIG_LEN (256u << 10)
#define BIG_ROUNDS 3
#define BIG_SMALL 3 /* small messages after each big one */

/* Node 1's side: on a START, sends a big message filled with the round's
 * byte and BIG_SMALL small ones numbered after it, all in one turn;
 * checks the big reply and its small follower. */
typedef struct {
	strads_addr_t peer;
	atomic_int *replies, *bad; /* borrowed, the test thread's */
	uint32_t round;
} bsend_t;

static int
bsend_init(strads_actor_t *self, void *arg)
{
	memcpy(strads_actor_state(self), arg, sizeof(bsend_t));
	return 0;
}

static int
all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

static void
bsend_recv(strads_actor_t *self, const strads_msg_t *m)
{
	bsend_t *s = strads_actor_state(self);
	strads_msg_t *o;
	uint32_t k;

	if (m->type == STRADS_MSG_USER) { /* START from the test */
		s->round++;
		TEST_REQUIRE((o = strads_msg_new(STRADS_MSG_USER + 1, BIG_LEN)) != NULL);
		memset(o->data, (int)(s->round * 7 + 1), BIG_LEN);
		TEST_REQUIRE(strads_send(self, s->peer, o) == 0);
		for (k = 0; k < BIG_SMALL; k++) {
			TEST_REQUIRE((o = strads_msg_new(STRADS_MSG_USER + 2, 4)) != NULL);
			strads__put32(o->data, k);
			TEST_REQUIRE(strads_send(self, s->peer, o) == 0);
		}
		return;
	}
	if (m->type == STRADS_MSG_USER + 1) { /* the big reply, whole */
		if (m->len != BIG_LEN ||
		    !all_bytes(m->data, BIG_LEN, (uint8_t)(s->round * 7 + 2)))
			atomic_fetch_add(s->bad, 1);
		return;
	}
	if (m->type == STRADS_MSG_USER + 2) /* its follower */
		atomic_fetch_add(s->replies, 1);
}

static const strads_actor_type_t bsend_type = {
    "bsend", sizeof(bsend_t), bsend_init, bsend_recv, NULL};

/* Node 2's side: checks the big message and the order of the small ones
 * after it; answers each big one with a big one of the next byte (made
 * from the buffer of the last frame it received, from round 2 on) and a
 * small one, in the same turn. */
typedef struct {
	atomic_int *got, *bad; /* borrowed */
	uint32_t round, next;
} bsink_t;

static int
bsink_init(strads_actor_t *self, void *arg)
{
	memcpy(strads_actor_state(self), arg, sizeof(bsink_t));
	return 0;
}

static void
bsink_recv(strads_actor_t *self, const strads_msg_t *m)
{
	bsink_t *s = strads_actor_state(self);
	strads_msg_t *o;

	if (m->type == STRADS_MSG_USER + 1) {
		s->round++;
		if (s->next != 0 || m->len != BIG_LEN ||
		    !all_bytes(m->data, BIG_LEN, (uint8_t)(s->round * 7 + 1)))
			atomic_fetch_add(s->bad, 1);
		TEST_REQUIRE((o = strads_msg_new(STRADS_MSG_USER + 1, BIG_LEN)) != NULL);
		memset(o->data, (int)(s->round * 7 + 2), BIG_LEN);
		TEST_REQUIRE(strads_send(self, m->src, o) == 0);
		TEST_REQUIRE((o = strads_msg_new(STRADS_MSG_USER + 2, 4)) != NULL);
		strads__put32(o->data, 0);
		TEST_REQUIRE(strads_send(self, m->src, o) == 0);
		atomic_fetch_add(s->got, 1);
		return;
	}
	if (m->type == STRADS_MSG_USER + 2) {
		if (m->len != 4 || strads__get32(m->data) != s->next)
			atomic_fetch_add(s->bad, 1);
		s->next = (s->next + 1) % BIG_SMALL;
		atomic_fetch_add(s->got, 1);
	}
}

static const strads_actor_type_t bsink_type = {
    "bsink", sizeof(bsink_t), bsink_init, bsink_recv, NULL};

/* A big message (sent as its own NNG message, uncopied) and the small
 * messages sent after it in the same turn travel as one frame, in order,
 * and so do a reply and the credit its sender returns: in the first
 * round node 2 receives one frame of data and one of credit, node 1 one
 * frame. Before, the small ones followed in a frame of their own (3 and
 * 2). From round 2 on big messages are made from the buffer of a frame
 * received before (bigmsg.c) and must still arrive whole and in order. */
START_TEST(big_then_small_one_frame)
{
	strads_runtime_t *a, *b;
	strads_stats_t sa, sb;
	atomic_int got, replies, bad;
	bsend_t sarg;
	bsink_t karg;
	strads_addr_t sender;
	char url[64];
	int pa = 0, pb = 0;
	uint32_t r;

	a = node_new(1, 1);
	b = node_new(2, 1);
	ck_assert_int_eq(strads_listen(a, "tcp://127.0.0.1:0", &pa), 0);
	ck_assert_int_eq(strads_listen(b, "tcp://127.0.0.1:0", &pb), 0);
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", pb);
	ck_assert_int_eq(strads_peer_add(a, 2, url), 0);
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", pa);
	ck_assert_int_eq(strads_peer_add(b, 1, url), 0);
	atomic_init(&got, 0);
	atomic_init(&replies, 0);
	atomic_init(&bad, 0);
	memset(&karg, 0, sizeof(karg));
	karg.got = &got;
	karg.bad = &bad;
	memset(&sarg, 0, sizeof(sarg));
	sarg.replies = &replies;
	sarg.bad = &bad;
	ck_assert_int_eq(strads_spawn(b, &bsink_type, 0, &karg, &sarg.peer), 0);
	ck_assert_int_eq(strads_spawn(a, &bsend_type, 0, &sarg, &sender), 0);
	ck_assert_int_eq(strads_runtime_start(b), 0);
	ck_assert_int_eq(strads_runtime_start(a), 0);
	for (r = 1; r <= BIG_ROUNDS; r++) {
		/* One round at a time: its frames are all in before the next
		 * round starts, so each round's count is exact. */
		ck_assert_int_eq(strads_post(a, sender,
		    strads_msg_new(STRADS_MSG_USER, 0)), 0);
		WAIT_UNTIL(atomic_load(&got) == (int)(r * (1 + BIG_SMALL)) &&
		    atomic_load(&replies) == (int)r, 30000);
		nodes_quiesce(a, b);
		strads_runtime_stats(a, &sa);
		strads_runtime_stats(b, &sb);
		if (r == 1) {
			/* No spare buffer yet: every big message has its 4 KiB
			 * of tail room. One frame of data, one of credit. */
			ck_assert_uint_eq(sb.frames_in, 2);
			ck_assert_uint_eq(sa.frames_in, 1);
		}
	}
	/* Later big messages are made from received frames, whose room is
	 * only what followed the big message in them (and NNG's slack), so
	 * their frame counts depend on sizes: only the contents are checked. */
	ck_assert_int_eq(atomic_load(&bad), 0);
	nodes_finish(a, b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Two processes, 100000 messages each way over tcp loopback.           */

START_TEST(two_processes)
{
	const uint64_t n = test_quick() ? 10000 : 100000;
	strads_runtime_t *rt = node_new(1, 2);
	const char *top = getenv("top_builddir");
	char helper[1024], url[64], peer[64], count[32], actor[32], line[128];
	char *argv[6];
	int port = 0, hport = 0, status, out[2], in[2];
	unsigned hsink = 0;
	atomic_ullong got, bad;
	sink_t sk;
	src_t sr;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	FILE *f;

	snprintf(helper, sizeof(helper), "%s/t/helper_peer", top ? top : ".");
	ck_assert_int_eq(strads_listen(rt, "tcp://127.0.0.1:0", &port), 0);
	atomic_init(&got, 0);
	atomic_init(&bad, 0);
	memset(&sk, 0, sizeof(sk));
	sk.got = &got;
	sk.badseq = &bad;
	ck_assert_int_eq(strads_spawn(rt, &sink_type, 0, &sk, &sr.peer), 0);

	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", port);
	snprintf(count, sizeof(count), "%llu", (unsigned long long)n);
	snprintf(actor, sizeof(actor), "%u", sr.peer.actor);
	argv[0] = helper;
	argv[1] = url;
	argv[2] = count;
	argv[3] = actor;
	argv[4] = NULL;
	ck_assert_int_eq(pipe(out), 0);
	ck_assert_int_eq(pipe(in), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	ck_assert_int_eq(posix_spawn(&pid, helper, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(in[0]);
	f = fdopen(out[0], "r");
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_int_eq(sscanf(line, "port %d sink %u", &hport, &hsink), 2);
	snprintf(peer, sizeof(peer), "tcp://127.0.0.1:%d", hport);
	ck_assert_int_eq(strads_peer_add(rt, 2, peer), 0);

	memset(&sr, 0, sizeof(sr));
	sr.total = n;
	sr.peer.node = 2;
	sr.peer.actor = hsink;
	ck_assert_int_eq(strads_spawn(rt, &src_type, 1, &sr, NULL), 0);
	ck_assert_int_eq(strads_runtime_start(rt), 0);
	WAIT_UNTIL(atomic_load(&got) == n, 60000);
	close(in[1]); /* lets the helper finish */
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	fclose(f);
	node_finish(rt);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0); /* its n arrived, in order */
	ck_assert_uint_eq(atomic_load(&got), n);
	ck_assert_uint_eq(atomic_load(&bad), 0);
}
END_TEST

/* NNG frees closed dialers and pipes on its reaper thread, later: let it
 * finish before the test's process ends, so leak checkers (LeakSanitizer
 * at the exit of each forked test) see only what strads leaked. */
static int forked = 1;

static void
nng_teardown(void)
{
	if (forked)
		nng_fini();
}

static Suite *
transport_suite(void)
{
	Suite *s = suite_create("transport");
	TCase *tc = tcase_create("nng");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, nng_teardown);
	tcase_add_test(tc, pingpong_tcp);
	tcase_add_test(tc, pingpong_ipc);
	tcase_add_test(tc, pingpong_inproc);
	tcase_add_test(tc, bad_urls);
	/* The TLS test makes its certificate with openssl(1). */
	if (system("openssl version >/dev/null 2>&1") == 0)
		tcase_add_test(tc, pingpong_tls);
	else
		fprintf(stderr, "transport: openssl(1) missing: TLS test not run\n");
	tcase_add_test(tc, malformed_and_oversized_frames);
	tcase_add_test(tc, inbound_backpressure);
	tcase_add_test(tc, big_then_small_one_frame);
	tcase_add_test(tc, two_processes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(transport_suite());
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
