/*
 * actor.c -- actor lifecycle, credit-based sending, timers and compute
 * offload. Everything here runs on the actor's loop thread except
 * strads_spawn() and the slot allocator it uses.
 */
#include "strads-int.h"

#include <stdlib.h>

struct strads__timer_s {
	uv_timer_t h;
	strads_actor_t *actor;
	strads__timer_t *next;
	uint64_t tag;
	uint64_t repeat_ms;
	int id;
};

/* ------------------------------------------------------------------ */
/* Pairs: credit and order per receiver, in a map (map.h).              */

/* Frees the sends a pair still defers (when its actor is freed). */
static void
pair_free(void *entry)
{
	strads__pair_t *p = entry;
	strads_msg_t *m = p->dhead;

	while (m != NULL) {
		strads_msg_t *next = m->next_;

		strads_msg_free(m);
		m = next;
	}
	p->dhead = p->dtail = NULL;
}

static uint64_t
addr_hash(const void *key)
{
	strads_addr_t a;

	memcpy(&a, key, sizeof(a));
	return ((uint64_t)a.node << 32 | a.actor) * 0x9E3779B97F4A7C15ull;
}

/* The actor's pairs, keyed by receiver. */
static const strads__map_type_t pair_type = {
	.ksize = sizeof(strads_addr_t),
	.hash = addr_hash,
	.free_cb = pair_free,
};

/* ------------------------------------------------------------------ */
/* Slots.                                                               */

/*
 * An address is never handed out twice in a runtime's life. Addresses
 * are values that any actor, any peer process and any membership view
 * may keep, so the runtime can never learn that the last copy of an old
 * one is gone; reusing a (generation, slot) pair after the 8-bit
 * generation wraps would hand a stale address to a live actor (every job
 * re-spawns its roles, so 256 jobs sufficed). A slot whose generation is
 * spent therefore retires: it never returns to the free list.
 *
 * The price is a budget of 2^24 spawns per loop (65535 slots x 256
 * generations), after which strads_spawn() answers STRADS_ELIMIT; a job
 * spawns a handful of roles per loop, so that is millions of jobs on one
 * runtime. Widening the address instead (a 64-bit actor id) would change
 * the wire header, every payload and membership view that carries an
 * actor id (the views carry them as JSON numbers, exact only below
 * 2^53), and would still need a rule for the wrap. Free slots stay last
 * in, first out: once no address repeats, the order of reuse only
 * decides which slot's memory is warm (FIFO reuse alone would delay the
 * wrap, not prevent it).
 */

static int
slot_alloc(strads__loop_t *loop, uint32_t *slot, uint8_t *gen)
{
	int err = 0;

	uv_mutex_lock(&loop->slot_lock);
	if (loop->nfree > 0) {
		*slot = loop->free_slots[--loop->nfree];
	} else if (loop->slot_next >= STRADS_MAX_ACTORS_PER_LOOP) {
		err = STRADS_ELIMIT;
	} else {
		if (loop->slot_next == loop->slot_cap) {
			uint32_t cap = loop->slot_cap ? loop->slot_cap * 2 : 16;
			uint8_t *g = realloc(loop->gens, cap);
			uint32_t *f;

			if (g == NULL) {
				err = STRADS_ENOMEM;
				goto out;
			}
			loop->gens = g;
			f = realloc(loop->free_slots, cap * sizeof(*f));
			if (f == NULL) {
				err = STRADS_ENOMEM;
				goto out;
			}
			loop->free_slots = f;
			memset(loop->gens + loop->slot_cap, 0, cap - loop->slot_cap);
			loop->slot_cap = cap;
		}
		*slot = loop->slot_next++;
	}
	*gen = loop->gens[*slot];
out:
	uv_mutex_unlock(&loop->slot_lock);
	return err;
}

static void
slot_free(strads__loop_t *loop, uint32_t slot)
{
	uv_mutex_lock(&loop->slot_lock);
	if (loop->gens[slot] != UINT8_MAX) {
		loop->gens[slot]++; /* old addresses of this slot go stale */
		loop->free_slots[loop->nfree++] = slot;
	} /* else the slot retires, its last address stale for good */
	uv_mutex_unlock(&loop->slot_lock);
}

/* ------------------------------------------------------------------ */
/* Spawn and stop.                                                      */

typedef struct {
	strads_actor_t *actor;
	void *arg;
} spawn_payload_t;

int
strads_spawn(strads_runtime_t *rt, const strads_actor_type_t *type, int loop_idx,
    void *arg, strads_addr_t *addr)
{
	strads__loop_t *loop;
	strads_actor_t *a;
	strads_msg_t *m;
	spawn_payload_t sp;
	size_t off;
	uint32_t slot;
	uint8_t gen;
	int err;

	if (type == NULL || type->recv_cb == NULL || loop_idx >= rt->nloops)
		return STRADS_EINVAL;
	if (strads__post_enter(rt) != 0)
		return STRADS_ECLOSED;
	if (loop_idx < 0)
		loop_idx = (int)(atomic_fetch_add(&rt->rr, 1) % (unsigned)rt->nloops);
	loop = &rt->loops[loop_idx];
	off = (sizeof(*a) + 15) & ~(size_t)15;
	a = calloc(1, off + type->state_size);
	m = strads_msg_new(STRADS__MSG_SPAWN, sizeof(sp));
	if (a != NULL)
		strads__map_init(&a->pairs, sizeof(strads__pair_t));
	if (a == NULL || m == NULL) {
		free(a);
		strads_msg_free(m);
		strads__post_leave(rt);
		return STRADS_ENOMEM;
	}
	if ((err = slot_alloc(loop, &slot, &gen)) != 0) {
		free(a);
		strads_msg_free(m);
		strads__post_leave(rt);
		return err;
	}
	a->type = type;
	a->loop = loop;
	a->state = type->state_size ? (char *)a + off : NULL;
	a->addr.node = rt->cfg.node_id;
	a->addr.actor = STRADS_ACTOR_ID(loop_idx, gen, slot);
	sp.actor = a;
	sp.arg = arg;
	memcpy(m->data, &sp, sizeof(sp));
	m->src = a->addr;
	m->dst = a->addr;
	if (addr != NULL)
		*addr = a->addr;
	strads__loop_push(loop, m, m);
	strads__post_leave(rt);
	return 0;
}

static void
actor_free(strads_actor_t *a)
{
	strads__map_fini(&a->pairs, &pair_type); /* frees deferred sends */
	free(a);
}

void
strads__actor_discard(strads_runtime_t *rt, strads_msg_t *spawn)
{
	spawn_payload_t sp;

	memcpy(&sp, spawn->data, sizeof(sp));
	slot_free(sp.actor->loop, STRADS_ACTOR_SLOT(sp.actor->addr.actor));
	actor_free(sp.actor);
	strads_msg_free(spawn);
	STRADS__UNUSED(rt);
}

static void after_cb(strads_actor_t *a);

void
strads__actor_install(strads__loop_t *loop, strads_msg_t *spawn)
{
	spawn_payload_t sp;
	strads_actor_t *a;
	uint32_t slot;

	memcpy(&sp, spawn->data, sizeof(sp));
	strads_msg_free(spawn);
	a = sp.actor;
	slot = STRADS_ACTOR_SLOT(a->addr.actor);
	if (slot >= loop->nslots) {
		uint32_t n = loop->nslots ? loop->nslots : 16;
		strads_actor_t **s;

		while (n <= slot)
			n *= 2;
		s = realloc(loop->slots, n * sizeof(*s));
		if (s == NULL) {
			strads_log(STRADS_LOG_ERROR, "spawn %s: out of memory",
			    a->type->name);
			slot_free(loop, slot);
			actor_free(a);
			return;
		}
		memset(s + loop->nslots, 0, (n - loop->nslots) * sizeof(*s));
		loop->slots = s;
		loop->nslots = n;
	}
	loop->slots[slot] = a;
	if (a->type->init_cb != NULL && a->type->init_cb(a, sp.arg) != 0) {
		loop->slots[slot] = NULL;
		slot_free(loop, slot);
		actor_free(a);
		return;
	}
	a->started = 1;
	after_cb(a); /* it may have stopped itself in init_cb */
}

static void
timer_close_cb(uv_handle_t *h)
{
	free(h->data);
}

static void
timer_close(strads__timer_t *t)
{
	uv_timer_stop(&t->h);
	t->h.data = t;
	uv_close((uv_handle_t *)&t->h, timer_close_cb);
}

/* A stopping actor's sends still waiting for credit leave now, in order:
 * strads_send took them, so they are delivered like the others (their
 * credit comes back to an address that is gone and is dropped). In a
 * runtime shutdown they are freed on arrival like any message then. */
static void
send_deferred(strads_actor_t *a)
{
	strads__pair_t *p;

	for (p = strads__map_next(&a->pairs, &pair_type, NULL); p != NULL;
	    p = strads__map_next(&a->pairs, &pair_type, p)) {
		strads_msg_t *m = p->dhead;

		p->dhead = p->dtail = NULL;
		while (m != NULL) {
			strads_msg_t *next = m->next_;

			m->next_ = NULL;
			strads__route(a->loop->rt, a->loop, m);
			m = next;
		}
	}
}

/* Runs after every callback into the actor: a stop requested from inside
 * the callback completes here, once no compute job holds its state. */
static void
after_cb(strads_actor_t *a)
{
	strads__loop_t *loop = a->loop;

	if (!a->stopping || a->pending_compute > 0)
		return;
	if (a->started && a->type->stop_cb != NULL)
		a->type->stop_cb(a);
	send_deferred(a);
	loop->slots[STRADS_ACTOR_SLOT(a->addr.actor)] = NULL;
	slot_free(loop, STRADS_ACTOR_SLOT(a->addr.actor));
	actor_free(a);
}

void
strads_actor_stop(strads_actor_t *self)
{
	strads__timer_t *t;

	if (self->stopping)
		return;
	self->stopping = 1;
	while ((t = self->timers) != NULL) {
		self->timers = t->next;
		timer_close(t);
	}
}

void
strads__actor_stop_all(strads__loop_t *loop)
{
	uint32_t i;

	for (i = 0; i < loop->nslots; i++) {
		strads_actor_t *a = loop->slots[i];

		if (a == NULL)
			continue;
		strads_actor_stop(a);
		STRADS__ASSERT(a->pending_compute == 0);
		after_cb(a);
	}
}

void *
strads_actor_state(strads_actor_t *self)
{
	return self->state;
}

strads_addr_t
strads_actor_addr(const strads_actor_t *self)
{
	return self->addr;
}

strads_runtime_t *
strads_actor_runtime(strads_actor_t *self)
{
	return self->loop->rt;
}

static strads_actor_t *
lookup(strads__loop_t *loop, strads_addr_t dst)
{
	uint32_t slot = STRADS_ACTOR_SLOT(dst.actor);
	strads_actor_t *a;

	if (slot >= loop->nslots)
		return NULL;
	a = loop->slots[slot];
	if (a == NULL || a->addr.actor != dst.actor || a->stopping)
		return NULL;
	return a;
}

void
strads__actor_deliver(strads__loop_t *loop, strads_msg_t *m)
{
	strads_actor_t *a = lookup(loop, m->dst);

	if (a == NULL) {
		STRADS__BUMP(loop->dropped_stale, 1);
		return;
	}
	a->type->recv_cb(a, m);
	after_cb(a);
}

/* ------------------------------------------------------------------ */
/* Credit.                                                              */

static strads__pair_t *
pair_find(strads_actor_t *a, strads_addr_t dst)
{
	return strads__map_find(&a->pairs, &pair_type, &dst);
}

static strads__pair_t *
pair_get(strads_actor_t *a, strads_addr_t dst)
{
	strads__pair_t *p = strads__map_find(&a->pairs, &pair_type, &dst);

	if (p != NULL)
		return p;
	if ((p = strads__map_get(&a->pairs, &pair_type, &dst)) == NULL)
		return NULL;
	p->credit = (int64_t)a->loop->rt->cfg.credit_bytes;
	return p;
}

/* A pair with nothing in flight may send a message larger than its
 * window, alone. */
static int
credit_ok(const strads_actor_t *a, const strads__pair_t *p, uint64_t cost)
{
	return p->credit >= (int64_t)cost ||
	    p->credit == (int64_t)a->loop->rt->cfg.credit_bytes;
}

int
strads_send(strads_actor_t *self, strads_addr_t dst, strads_msg_t *m)
{
	strads_runtime_t *rt = self->loop->rt;
	strads__pair_t *p;
	uint64_t cost;

	if (m == NULL)
		return STRADS_EINVAL;
	if (m->len > rt->cfg.max_frame - STRADS_MSG_HDR_SIZE) {
		strads_msg_free(m);
		return STRADS_EMSGSIZE;
	}
	p = pair_get(self, dst);
	if (p == NULL) {
		strads_msg_free(m);
		return STRADS_ENOMEM;
	}
	m->src = self->addr;
	m->dst = dst;
	m->flags = STRADS__MF_CREDITED;
	m->epoch = atomic_load_explicit(&rt->epoch, memory_order_relaxed);
	m->seq = p->seq++;
	cost = strads__msg_cost(m);
	if (p->dhead != NULL || !credit_ok(self, p, cost)) {
		m->next_ = NULL;
		if (p->dtail != NULL)
			p->dtail->next_ = m;
		else
			p->dhead = m;
		p->dtail = m;
		STRADS__BUMP(self->loop->deferred, 1);
		return 0;
	}
	p->credit -= (int64_t)cost;
	strads__route(rt, self->loop, m);
	return 0;
}

static int
ready(const strads_actor_t *a, const strads__pair_t *p)
{
	return p->dhead == NULL &&
	    p->credit >= (int64_t)(a->loop->rt->cfg.credit_bytes / 4);
}

int
strads_send_ready(strads_actor_t *self, strads_addr_t dst)
{
	strads__pair_t *p = pair_get(self, dst);

	if (p == NULL)
		return 0;
	if (ready(self, p))
		return 1;
	p->want_writable = 1;
	return 0;
}

void
strads__actor_credit(strads__loop_t *loop, const strads_msg_t *m)
{
	strads_actor_t *a = lookup(loop, m->dst);
	strads__pair_t *p;

	if (a == NULL || m->len != 8)
		return;
	p = pair_find(a, m->src);
	if (p == NULL)
		return;
	p->credit += (int64_t)strads__get64(m->data);
	while (p->dhead != NULL && credit_ok(a, p, strads__msg_cost(p->dhead))) {
		strads_msg_t *d = p->dhead;

		p->dhead = d->next_;
		if (p->dhead == NULL)
			p->dtail = NULL;
		p->credit -= (int64_t)strads__msg_cost(d);
		strads__route(loop->rt, loop, d);
	}
	if (p->want_writable && ready(a, p)) {
		strads_msg_t w;

		p->want_writable = 0;
		memset(&w, 0, sizeof(w));
		w.type = STRADS_MSG_WRITABLE;
		w.src = m->src;
		w.dst = a->addr;
		w.len = sizeof(strads_addr_t);
		w.data = (uint8_t *)&p->dst;
		a->type->recv_cb(a, &w);
		after_cb(a);
	}
}

/* ------------------------------------------------------------------ */
/* Timers.                                                              */

static void
timer_cb(uv_timer_t *h)
{
	strads__timer_t *t = (strads__timer_t *)h;
	strads_actor_t *a = t->actor;
	strads_msg_t m;
	uint64_t tag = t->tag;

	memset(&m, 0, sizeof(m));
	m.type = STRADS_MSG_TIMER;
	m.src = a->addr;
	m.dst = a->addr;
	m.len = sizeof(tag);
	m.data = (uint8_t *)&tag;
	if (t->repeat_ms == 0)
		strads_timer_stop(a, t->id);
	a->type->recv_cb(a, &m);
	after_cb(a);
}

int
strads_timer_start(strads_actor_t *self, uint64_t timeout_ms, uint64_t repeat_ms,
    uint64_t tag)
{
	strads__timer_t *t;
	int err;

	if (self->stopping)
		return STRADS_ECLOSED;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return STRADS_ENOMEM;
	err = STRADS__UV_FAULT(self->loop->rt, STRADS__FAIL_TIMER,
	    uv_timer_init(&self->loop->uv, &t->h));
	if ((err = strads__uv_error(err)) != 0) {
		free(t); /* a failed init makes no handle: nothing to close */
		return err;
	}
	t->actor = self;
	t->tag = tag;
	t->repeat_ms = repeat_ms;
	if (++self->next_timer_id <= 0)
		self->next_timer_id = 1;
	t->id = self->next_timer_id;
	t->next = self->timers;
	self->timers = t;
	/* It fails only without a callback or on a closing handle. */
	err = uv_timer_start(&t->h, timer_cb, timeout_ms, repeat_ms);
	STRADS__ASSERT(err == 0);
	return t->id;
}

int
strads_timer_stop(strads_actor_t *self, int id)
{
	strads__timer_t **tp;

	for (tp = &self->timers; *tp != NULL; tp = &(*tp)->next) {
		strads__timer_t *t = *tp;

		if (t->id == id) {
			*tp = t->next;
			timer_close(t);
			return 0;
		}
	}
	return STRADS_EINVAL;
}

/* ------------------------------------------------------------------ */
/* Compute.                                                             */

int
strads_compute(strads_actor_t *self, strads_work_cb work, void *arg, uint64_t tag)
{
	strads__work_t job;
	strads_msg_t *m;
	int err;

	if (work == NULL)
		return STRADS_EINVAL;
	if (self->stopping)
		return STRADS_ECLOSED;
	m = strads_msg_new(STRADS__MSG_COMPUTE, sizeof(job));
	if (m == NULL)
		return STRADS_ENOMEM;
	job.done.tag = tag;
	job.done.arg = arg;
	job.work = work;
	memcpy(m->data, &job, sizeof(job));
	m->src = self->addr;
	m->dst = self->addr;
	if ((err = strads__pool_submit(self->loop->rt->pool, m)) != 0) {
		strads_msg_free(m);
		return err;
	}
	self->pending_compute++;
	return 0;
}

void
strads__actor_compute_done(strads__loop_t *loop, strads_msg_t *m)
{
	uint32_t slot = STRADS_ACTOR_SLOT(m->dst.actor);
	strads_actor_t *a;
	strads_msg_t done;

	/* A stopping actor still owns its slot until its jobs return. */
	STRADS__ASSERT(slot < loop->nslots);
	a = loop->slots[slot];
	STRADS__ASSERT(a != NULL && a->addr.actor == m->dst.actor);
	STRADS__ASSERT(a->pending_compute > 0);
	a->pending_compute--;
	if (!a->stopping) {
		done = *m;
		done.len = sizeof(strads_compute_done_t);
		a->type->recv_cb(a, &done);
	}
	after_cb(a);
}
