/*
 * check_mailbox.c -- the multi-producer single-consumer mailbox and the
 * message envelope API (strads_msg_new/copy/share/free).
 */
#include "strads-int.h"

#include <check.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

/* A message whose 4-byte payload carries v. */
static strads_msg_t *
msg_val(uint32_t v)
{
	strads_msg_t *m = strads_msg_new(STRADS_MSG_USER, 4);

	ck_assert_ptr_nonnull(m);
	strads__put32(m->data, v);
	return m;
}

static uint32_t
val(const strads_msg_t *m)
{
	return strads__get32(m->data);
}

/* Pops one message, asserts it carries want and frees it. */
static void
pop_expect(strads__mailbox_t *mb, uint32_t want)
{
	strads_msg_t *m = strads__mailbox_pop(mb);

	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(val(m), want);
	strads_msg_free(m);
}

START_TEST(empty_pop)
{
	strads__mailbox_t mb;
	strads_msg_t *m;

	strads__mailbox_init(&mb);
	ck_assert_ptr_null(strads__mailbox_pop(&mb));
	ck_assert_ptr_null(strads__mailbox_pop(&mb));

	/* Empty again after one message went through (the stub is back in
	 * the queue). */
	m = msg_val(7);
	strads__mailbox_push(&mb, m, m);
	pop_expect(&mb, 7);
	ck_assert_ptr_null(strads__mailbox_pop(&mb));
	ck_assert_ptr_null(strads__mailbox_pop(&mb));
}
END_TEST

START_TEST(fifo_single_producer)
{
	strads__mailbox_t mb;
	strads_msg_t *m;
	uint32_t i, pushed = 0, popped = 0, round;

	strads__mailbox_init(&mb);
	for (i = 0; i < 1000; i++) {
		m = msg_val(i);
		strads__mailbox_push(&mb, m, m);
	}
	for (i = 0; i < 1000; i++)
		pop_expect(&mb, i);
	ck_assert_ptr_null(strads__mailbox_pop(&mb));

	/* Interleaved pushes and pops drain the queue at every possible
	 * point, so the stub is re-inserted behind queues of every length. */
	for (round = 0; round < 200; round++) {
		for (i = 0; i < round % 5 + 1; i++) {
			m = msg_val(pushed++);
			strads__mailbox_push(&mb, m, m);
		}
		for (i = 0; i < round % 3 + 1 && popped < pushed; i++)
			pop_expect(&mb, popped++);
		if (popped == pushed)
			ck_assert_ptr_null(strads__mailbox_pop(&mb));
	}
	while (popped < pushed)
		pop_expect(&mb, popped++);
	ck_assert_uint_eq(popped, 600);
	ck_assert_ptr_null(strads__mailbox_pop(&mb));
}
END_TEST

START_TEST(push_chain)
{
	strads__mailbox_t mb;
	strads_msg_t *chain[10], *m, *other;
	uint32_t i;

	strads__mailbox_init(&mb);
	m = msg_val(100);
	strads__mailbox_push(&mb, m, m);
	for (i = 0; i < 10; i++) {
		chain[i] = msg_val(101 + i);
		if (i > 0)
			chain[i - 1]->next_ = chain[i];
	}
	/* last->next_ is ignored: a stale link must not leak into the queue. */
	other = msg_val(999);
	chain[9]->next_ = other;
	strads__mailbox_push(&mb, chain[0], chain[9]);
	m = msg_val(111);
	strads__mailbox_push(&mb, m, m);
	/* A chain of one. */
	m = msg_val(112);
	m->next_ = other;
	strads__mailbox_push(&mb, m, m);

	for (i = 100; i <= 112; i++)
		pop_expect(&mb, i);
	ck_assert_ptr_null(strads__mailbox_pop(&mb));

	/* A chain pushed into an empty queue, popped, then a second chain. */
	for (i = 0; i < 10; i++) {
		chain[i] = msg_val(200 + i);
		if (i > 0)
			chain[i - 1]->next_ = chain[i];
	}
	strads__mailbox_push(&mb, chain[0], chain[4]);
	pop_expect(&mb, 200);
	pop_expect(&mb, 201);
	strads__mailbox_push(&mb, chain[5], chain[9]);
	for (i = 202; i < 210; i++)
		pop_expect(&mb, i);
	ck_assert_ptr_null(strads__mailbox_pop(&mb));
	strads_msg_free(other);
}
END_TEST

/* A producer stopped between its exchange and its link: the consumer
 * sees nothing past the gap (pop returns NULL, it does not skip ahead or
 * lose the chain), and everything arrives in order once the link lands. */
START_TEST(producer_mid_push)
{
	strads__mailbox_t mb;
	strads_msg_t *a = msg_val(1), *b = msg_val(2), *c = msg_val(3);
	strads_msg_t *prev;

	strads__mailbox_init(&mb);
	strads__mailbox_push(&mb, a, a);
	/* The first half of strads__mailbox_push() for b. */
	b->next_ = NULL;
	prev = __atomic_exchange_n(&mb.head, b, __ATOMIC_ACQ_REL);
	ck_assert_ptr_eq(prev, a);
	ck_assert_ptr_null(strads__mailbox_pop(&mb));
	ck_assert_ptr_null(strads__mailbox_pop(&mb));
	/* Another producer completes a push behind the gap. */
	strads__mailbox_push(&mb, c, c);
	ck_assert_ptr_null(strads__mailbox_pop(&mb));
	/* The second half. */
	__atomic_store_n(&prev->next_, b, __ATOMIC_RELEASE);
	pop_expect(&mb, 1);
	pop_expect(&mb, 2);
	pop_expect(&mb, 3);
	ck_assert_ptr_null(strads__mailbox_pop(&mb));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Concurrent producers, one consumer.                                 */

#define NPROD 4
#define MAXCHAIN 8

typedef struct {
	strads__mailbox_t *mb;
	uv_barrier_t *start;
	uint32_t id;
	uint32_t count;	   /* messages to push */
	uint32_t maxchain; /* 1: single pushes; else chains of 1..maxchain */
	int alloc_failed;
} producer_t;

typedef struct {
	strads__mailbox_t *mb;
	uv_barrier_t *start;
	uint64_t total;	   /* messages expected */
	uint64_t deadline; /* give up (and fail) after this */
	uint64_t received;
	uint64_t bad;	/* unknown producer, bad tag or out of sequence */
	uint64_t empty; /* pops that returned NULL */
	uint32_t next[NPROD];
	int timed_out;
	char first_bad[160];
} consumer_t;

static uint64_t
payload_tag(uint32_t id, uint32_t seq)
{
	return ((uint64_t)id << 32 | seq) ^ 0x9e3779b97f4a7c15ull;
}

static void
producer_main(void *arg)
{
	producer_t *p = arg;
	uint64_t rng = 0x1234567ull + p->id;
	strads_msg_t *first, *last, *m;
	uint32_t seq = 0, k, i;

	uv_barrier_wait(p->start);
	while (seq < p->count) {
		k = p->maxchain == 1
			? 1
			: 1 + (uint32_t)(test_rand(&rng) % p->maxchain);
		if (k > p->count - seq)
			k = p->count - seq;
		first = last = NULL;
		for (i = 0; i < k; i++, seq++) {
			m = strads_msg_new(STRADS_MSG_USER, 16);
			if (m == NULL) {
				/* The consumer's deadline fails the test. */
				p->alloc_failed = 1;
				return;
			}
			strads__put32(m->data, p->id);
			strads__put32(m->data + 4, seq);
			strads__put64(m->data + 8, payload_tag(p->id, seq));
			if (last != NULL)
				last->next_ = m;
			else
				first = m;
			last = m;
		}
		strads__mailbox_push(p->mb, first, last);
	}
}

static void
consumer_main(void *arg)
{
	consumer_t *c = arg;
	strads_msg_t *m;
	uint32_t id, seq;

	uv_barrier_wait(c->start);
	while (c->received < c->total) {
		m = strads__mailbox_pop(c->mb);
		if (m == NULL) {
			/* Empty, or a producer is between its exchange and
			 * its link: let it run. */
			c->empty++;
			if ((c->empty & 255) == 0 &&
			    test_expired(c->deadline)) {
				c->timed_out = 1;
				return;
			}
			sched_yield();
			continue;
		}
		c->received++;
		id = strads__get32(m->data);
		seq = strads__get32(m->data + 4);
		if (m->type != STRADS_MSG_USER || m->len != 16 || id >= NPROD ||
		    seq != c->next[id] ||
		    strads__get64(m->data + 8) != payload_tag(id, seq)) {
			if (c->bad++ == 0)
				snprintf(c->first_bad, sizeof(c->first_bad),
				    "message %llu: producer %u seq %u, want %u",
				    (unsigned long long)c->received, id, seq,
				    id < NPROD ? c->next[id] : 0);
		}
		if (id < NPROD && seq >= c->next[id])
			c->next[id] = seq + 1;
		strads_msg_free(m);
	}
}

static void
run_concurrent(uint32_t per_producer, int chains)
{
	strads__mailbox_t mb;
	uv_barrier_t start;
	producer_t prod[NPROD];
	consumer_t cons;
	uv_thread_t pt[NPROD], ct;
	uint32_t i;

	strads__mailbox_init(&mb);
	ck_assert_int_eq(uv_barrier_init(&start, NPROD + 1), 0);
	memset(&cons, 0, sizeof(cons));
	cons.mb = &mb;
	cons.start = &start;
	cons.total = (uint64_t)NPROD * per_producer;
	cons.deadline = test_deadline_ms(30000);
	for (i = 0; i < NPROD; i++) {
		memset(&prod[i], 0, sizeof(prod[i]));
		prod[i].mb = &mb;
		prod[i].start = &start;
		prod[i].id = i;
		prod[i].count = per_producer;
		/* With chains, half the producers push chains, half single
		 * messages, so both kinds of push race each other. */
		prod[i].maxchain = chains && i % 2 == 1 ? MAXCHAIN : 1;
	}
	ck_assert_int_eq(uv_thread_create(&ct, consumer_main, &cons), 0);
	for (i = 0; i < NPROD; i++)
		ck_assert_int_eq(
		    uv_thread_create(&pt[i], producer_main, &prod[i]), 0);
	for (i = 0; i < NPROD; i++)
		ck_assert_int_eq(uv_thread_join(&pt[i]), 0);
	ck_assert_int_eq(uv_thread_join(&ct), 0);
	uv_barrier_destroy(&start);

	for (i = 0; i < NPROD; i++)
		ck_assert_msg(
		    !prod[i].alloc_failed, "producer %u out of memory", i);
	ck_assert_msg(!cons.timed_out,
	    "consumer timed out with %llu of %llu messages",
	    (unsigned long long)cons.received, (unsigned long long)cons.total);
	ck_assert_msg(cons.bad == 0, "%llu bad messages; first: %s",
	    (unsigned long long)cons.bad, cons.first_bad);
	ck_assert_uint_eq(cons.received, cons.total);
	for (i = 0; i < NPROD; i++)
		ck_assert_uint_eq(cons.next[i], per_producer);
	/* Every producer has returned: nothing is left, nothing extra. */
	ck_assert_ptr_null(strads__mailbox_pop(&mb));
}

START_TEST(concurrent_producers)
{
	run_concurrent(test_quick() ? 20000 : 200000, 0);
}
END_TEST

START_TEST(concurrent_producers_chains)
{
	run_concurrent(test_quick() ? 20000 : 200000, 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Message envelopes.                                                  */

START_TEST(msg_new_and_copy)
{
	static const char text[] = "hello, strads";
	strads_msg_t *m, *c;
	char src[sizeof(text)];

	m = strads_msg_new(STRADS_MSG_USER + 5, 100);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->type, STRADS_MSG_USER + 5);
	ck_assert_uint_eq(m->len, 100);
	ck_assert_uint_eq(m->flags, 0);
	ck_assert_ptr_nonnull(m->data);
	ck_assert_ptr_null(m->next_);
	memset(m->data, 0xab, 100); /* the whole payload is writable */
	strads_msg_free(m);

	memcpy(src, text, sizeof(text));
	c = strads_msg_copy(STRADS_MSG_USER, src, sizeof(src));
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->len, sizeof(text));
	ck_assert_ptr_ne(c->data, src);
	memset(src, 0, sizeof(src)); /* the copy does not alias its source */
	ck_assert_mem_eq(c->data, text, sizeof(text));
	strads_msg_free(c);

	strads_msg_free(NULL);
}
END_TEST

START_TEST(msg_share_outlives_original)
{
	strads_msg_t *m, *s1, *s2;
	uint32_t i;

	m = strads_msg_new(STRADS_MSG_USER, 64);
	ck_assert_ptr_nonnull(m);
	for (i = 0; i < 64; i++)
		m->data[i] = (uint8_t)i;
	s1 = strads_msg_share(m, STRADS_MSG_USER + 1);
	ck_assert_ptr_nonnull(s1);
	ck_assert_ptr_ne(s1, m);
	ck_assert_uint_eq(s1->type, STRADS_MSG_USER + 1);
	ck_assert_uint_eq(s1->len, 64);
	ck_assert_ptr_eq(s1->data, m->data);	     /* zero copy */
	ck_assert_uint_eq(m->type, STRADS_MSG_USER); /* m is untouched */

	/* The original goes first; its payload stays valid for the shares
	 * (valgrind and ASan catch a premature free). */
	strads_msg_free(m);
	for (i = 0; i < 64; i++)
		ck_assert_uint_eq(s1->data[i], i);
	/* A share of a share holds the same payload. */
	s2 = strads_msg_share(s1, STRADS_MSG_USER + 2);
	ck_assert_ptr_nonnull(s2);
	ck_assert_ptr_eq(s2->data, s1->data);
	strads_msg_free(s1);
	for (i = 0; i < 64; i++)
		ck_assert_uint_eq(s2->data[i], i);
	strads_msg_free(s2);

	/* The other order: shares freed before the original. */
	m = strads_msg_copy(STRADS_MSG_USER, "abcd", 4);
	ck_assert_ptr_nonnull(m);
	s1 = strads_msg_share(m, STRADS_MSG_USER);
	s2 = strads_msg_share(m, STRADS_MSG_USER);
	ck_assert_ptr_nonnull(s1);
	ck_assert_ptr_nonnull(s2);
	strads_msg_free(s2);
	strads_msg_free(s1);
	ck_assert_mem_eq(m->data, "abcd", 4);
	strads_msg_free(m);
}
END_TEST

START_TEST(msg_zero_length)
{
	strads_msg_t *m, *c, *s;

	m = strads_msg_new(STRADS_MSG_USER, 0);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->len, 0);
	ck_assert_uint_eq(m->type, STRADS_MSG_USER);
	c = strads_msg_copy(STRADS_MSG_USER + 1, NULL, 0);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->len, 0);
	ck_assert_uint_eq(c->type, STRADS_MSG_USER + 1);
	s = strads_msg_share(m, STRADS_MSG_USER + 2);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->len, 0);
	ck_assert_uint_eq(s->type, STRADS_MSG_USER + 2);
	strads_msg_free(m);
	strads_msg_free(s);
	strads_msg_free(c);
}
END_TEST

START_TEST(msg_too_large)
{
	size_t limit = (size_t)UINT32_MAX - STRADS_MSG_HDR_SIZE;

	/* Lengths that cannot be framed are refused before allocating. */
	ck_assert_ptr_null(strads_msg_new(STRADS_MSG_USER, limit + 1));
	ck_assert_ptr_null(strads_msg_new(STRADS_MSG_USER, UINT32_MAX));
	ck_assert_ptr_null(strads_msg_new(STRADS_MSG_USER, SIZE_MAX));
	ck_assert_ptr_null(strads_msg_copy(STRADS_MSG_USER, NULL, SIZE_MAX));
}
END_TEST

static Suite *
mailbox_suite(void)
{
	Suite *s = suite_create("mailbox");
	TCase *tc = tcase_create("mailbox");
	TCase *tm = tcase_create("msg");

	/* The concurrent tests push 800000 messages each. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, empty_pop);
	tcase_add_test(tc, fifo_single_producer);
	tcase_add_test(tc, push_chain);
	tcase_add_test(tc, producer_mid_push);
	tcase_add_test(tc, concurrent_producers);
	tcase_add_test(tc, concurrent_producers_chains);
	suite_add_tcase(s, tc);

	tcase_add_test(tm, msg_new_and_copy);
	tcase_add_test(tm, msg_share_outlives_original);
	tcase_add_test(tm, msg_zero_length);
	tcase_add_test(tm, msg_too_large);
	suite_add_tcase(s, tm);
	return s;
}

STRADS_TEST_MAIN(mailbox_suite)
