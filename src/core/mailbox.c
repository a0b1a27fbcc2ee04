/*
 * mailbox.c -- intrusive multi-producer single-consumer queue after
 * Dmitry Vyukov's design: a push is one atomic exchange plus a store, a
 * pop touches no shared counter. A chain of messages is pushed with a
 * single exchange.
 */
#include "strads-int.h"

#define LOAD_ACQ(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE_REL(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define XCHG(p, v) __atomic_exchange_n((p), (v), __ATOMIC_ACQ_REL)

void
strads__mailbox_init(strads__mailbox_t *mb)
{
	memset(mb, 0, sizeof(*mb));
	mb->stub.next_ = NULL;
	mb->head = &mb->stub;
	mb->tail = &mb->stub;
}

void
strads__mailbox_push(strads__mailbox_t *mb, strads_msg_t *first, strads_msg_t *last)
{
	strads_msg_t *prev;

	STORE_REL(&last->next_, NULL);
	prev = XCHG(&mb->head, last);
	/* Between the exchange and this store the chain is detached; the
	 * consumer sees an empty queue and the producer's wake-up, which
	 * comes after this store, brings it back. */
	STORE_REL(&prev->next_, first);
}

strads_msg_t *
strads__mailbox_pop(strads__mailbox_t *mb)
{
	strads_msg_t *tail = mb->tail;
	strads_msg_t *next = LOAD_ACQ(&tail->next_);
	strads_msg_t *head;

	if (tail == &mb->stub) {
		if (next == NULL)
			return NULL;
		mb->tail = next;
		tail = next;
		next = LOAD_ACQ(&next->next_);
	}
	if (next != NULL) {
		mb->tail = next;
		return tail;
	}
	head = LOAD_ACQ(&mb->head);
	if (tail != head)
		return NULL; /* a producer is mid-push */
	strads__mailbox_push(mb, &mb->stub, &mb->stub);
	next = LOAD_ACQ(&tail->next_);
	if (next != NULL) {
		mb->tail = next;
		return tail;
	}
	return NULL;
}
