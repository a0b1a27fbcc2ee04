/*
 * helper_peer.c -- the far end of check_transport's two-process test,
 * exec'd by the test (NNG is not fork-safe, so the test never forks a
 * process that used it).
 *
 *   helper_peer PEER_URL COUNT SINK_ACTOR
 *
 * Runs node 2: listens on tcp://127.0.0.1:0 and prints "port N" on
 * stdout; hosts a sink (actor id 0 on loop 0) that expects COUNT
 * messages from node 1 in order; streams COUNT messages of its own to
 * node 1's actor SINK_ACTOR at PEER_URL. Exits 0 when its sink got all in
 * order, 1 on loss or reorder, 3 on timeout.
 */
#include "strads-int.h"

#include <stdio.h>
#include <stdlib.h>

#define MSG_DATA (STRADS_MSG_USER + 2)

typedef struct {
	atomic_ullong got, bad;
} shared_t;

typedef struct {
	shared_t *sh;
	uint64_t next;
} sink_t;

typedef struct {
	strads_addr_t peer;
	uint64_t total, sent;
} src_t;

static int
sink_init(strads_actor_t *self, void *arg)
{
	((sink_t *)strads_actor_state(self))->sh = arg;
	return 0;
}

static void
sink_recv(strads_actor_t *self, const strads_msg_t *m)
{
	sink_t *s = strads_actor_state(self);
	uint64_t v;

	if (m->type != MSG_DATA || m->len < sizeof(v))
		return;
	memcpy(&v, m->data, sizeof(v));
	if (v != s->next)
		atomic_fetch_add(&s->sh->bad, 1);
	s->next = v + 1;
	atomic_fetch_add(&s->sh->got, 1);
}

static const strads_actor_type_t sink_type = {
    "peer-sink", sizeof(sink_t), sink_init, sink_recv, NULL};

static void
pump(strads_actor_t *self, src_t *s)
{
	while (s->sent < s->total && strads_send_ready(self, s->peer)) {
		strads_msg_t *m = strads_msg_new(MSG_DATA, 64);

		if (m == NULL)
			return;
		memset(m->data, 0, 64);
		memcpy(m->data, &s->sent, sizeof(s->sent));
		s->sent++;
		strads_send(self, s->peer, m);
	}
}

static int
src_init(strads_actor_t *self, void *arg)
{
	*(src_t *)strads_actor_state(self) = *(src_t *)arg;
	return strads_timer_start(self, 0, 0, 0) > 0 ? 0 : -1;
}

static void
src_recv(strads_actor_t *self, const strads_msg_t *m)
{
	(void)m;
	pump(self, strads_actor_state(self));
}

static const strads_actor_type_t src_type = {
    "peer-source", sizeof(src_t), src_init, src_recv, NULL};

int
main(int argc, char **argv)
{
	strads_runtime_t *rt;
	strads_config_t cfg;
	strads_addr_t sink;
	shared_t sh;
	src_t src;
	uint64_t count, t0;
	int port = 0, rc;

	if (argc != 4) {
		fprintf(stderr, "usage: helper_peer PEER_URL COUNT SINK_ACTOR\n");
		return 2;
	}
	count = strtoull(argv[2], NULL, 10);
	atomic_init(&sh.got, 0);
	atomic_init(&sh.bad, 0);
	strads_config_init(&cfg);
	cfg.nloops = 2;
	cfg.ncompute = 1;
	cfg.node_id = 2;
	if (strads_runtime_new(&rt, &cfg) != 0 ||
	    strads_listen(rt, "tcp://127.0.0.1:0", &port) != 0 ||
	    strads_peer_add(rt, 1, argv[1]) != 0)
		return 2;
	if (strads_spawn(rt, &sink_type, 0, &sh, &sink) != 0)
		return 2;
	memset(&src, 0, sizeof(src));
	src.peer.node = 1;
	src.peer.actor = (uint32_t)strtoul(argv[3], NULL, 10);
	src.total = count;
	if (strads_spawn(rt, &src_type, 1, &src, NULL) != 0)
		return 2;
	printf("port %d sink %u\n", port, sink.actor);
	fflush(stdout);
	strads_runtime_start(rt);
	t0 = strads_now_ns();
	rc = 3;
	while (strads_now_ns() - t0 < 60000000000ull) {
		if (atomic_load(&sh.got) >= count) {
			rc = atomic_load(&sh.bad) == 0 && atomic_load(&sh.got) == count ? 0 : 1;
			break;
		}
		uv_sleep(5);
	}
	/* Stay until the test has our stream too: it closes our stdin. */
	{
		char buf[16];

		while (fread(buf, 1, sizeof(buf), stdin) > 0)
			;
	}
	fprintf(stderr, "helper_peer: got %llu bad %llu\n",
	    (unsigned long long)atomic_load(&sh.got), (unsigned long long)atomic_load(&sh.bad));
	strads_runtime_stop(rt);
	if (strads_runtime_wait(rt) != 0)
		rc = 4;
	strads_runtime_free(rt);
	return rc;
}
