/* testactors.c -- actors shared by the runtime and transport tests. */
#include "strads-int.h"

#include <check.h>

#include "testactors.h"
#include "testutil.h"

/* ------------------------------------------------------------------ */
/* Ping-pong between two actors.                                        */

typedef struct {
	pp_arg_t a;
} pp_t;

static void
pp_send(strads_actor_t *self, pp_t *s, uint64_t v)
{
	strads_msg_t *m = strads_msg_new(MSG_PING, sizeof(v));

	TEST_REQUIRE((m) != NULL);
	memcpy(m->data, &v, sizeof(v));
	TEST_REQUIRE((strads_send(self, s->a.peer, m)) == (0));
}

static int
pp_init(strads_actor_t *self, void *arg)
{
	pp_t *s = strads_actor_state(self);

	s->a = *(pp_arg_t *)arg;
	if (s->a.starter)
		return strads_timer_start(self, 0, 0, 7) > 0 ? 0 : -1;
	return 0;
}

static void
pp_recv(strads_actor_t *self, const strads_msg_t *m)
{
	pp_t *s = strads_actor_state(self);
	uint64_t v;

	if (m->type == STRADS_MSG_TIMER) {
		pp_send(self, s, 0);
		return;
	}
	TEST_REQUIRE((m->type) == (MSG_PING));
	TEST_REQUIRE((m->len) == (sizeof(v)));
	memcpy(&v, m->data, sizeof(v));
	atomic_fetch_add(s->a.count, 1);
	if (v + 1 < s->a.limit)
		pp_send(self, s, v + 1);
}

const strads_actor_type_t pp_type = {
    "pingpong", sizeof(pp_t), pp_init, pp_recv, NULL};

/* ------------------------------------------------------------------ */
/* Streams under a small credit window: nothing lost, order kept.       */

static void
src_pump(strads_actor_t *self, src_t *s)
{
	while (s->sent < s->total) {
		strads_msg_t *m;

		if (s->respect_ready && !strads_send_ready(self, s->peer))
			return;
		m = strads_msg_new(MSG_DATA, 100);
		TEST_REQUIRE((m) != NULL);
		memset(m->data, 0xab, 100);
		memcpy(m->data, &s->sent, sizeof(s->sent));
		s->sent++;
		TEST_REQUIRE((strads_send(self, s->peer, m)) == (0));
	}
	if (s->then_stop)
		strads_actor_stop(self);
}

static int
src_init(strads_actor_t *self, void *arg)
{
	src_t *s = strads_actor_state(self);

	*s = *(src_t *)arg;
	return strads_timer_start(self, 0, 0, 0) > 0 ? 0 : -1;
}

static void
src_recv(strads_actor_t *self, const strads_msg_t *m)
{
	src_t *s = strads_actor_state(self);

	if (m->type == STRADS_MSG_WRITABLE) {
		strads_addr_t d;

		TEST_REQUIRE((m->len) == (sizeof(d)));
		memcpy(&d, m->data, sizeof(d));
		TEST_REQUIRE(strads_addr_eq(d, s->peer));
	}
	src_pump(self, s);
}

const strads_actor_type_t src_type = {
    "source", sizeof(src_t), src_init, src_recv, NULL};

static int
sink_init(strads_actor_t *self, void *arg)
{
	sink_t *s = strads_actor_state(self);

	*s = *(sink_t *)arg;
	return 0;
}

static void
sink_recv(strads_actor_t *self, const strads_msg_t *m)
{
	sink_t *s = strads_actor_state(self);
	uint64_t v;

	if (m->type != MSG_DATA)
		return;
	memcpy(&v, m->data, sizeof(v));
	if (v != s->next || m->seq != s->expect_seq)
		atomic_fetch_add(s->badseq, 1);
	s->next = v + 1;
	s->expect_seq = m->seq + 1;
	atomic_fetch_add(s->got, 1);
}

const strads_actor_type_t sink_type = {
    "sink", sizeof(sink_t), sink_init, sink_recv, NULL};

