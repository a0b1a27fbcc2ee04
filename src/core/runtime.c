/*
 * runtime.c -- the runtime object: N loops on N threads, the mailbox
 * dispatch of each loop, and the ordered shutdown.
 *
 * Shutdown runs on the thread in strads_runtime_wait(), in three steps
 * so that no callback ever touches a closed handle:
 *   1. the compute pool runs what is queued and joins (completions land
 *      in mailboxes), and the transport closes (no NNG callback after);
 *   2. every loop stops its actors (stop_cb runs on the actor's loop);
 *   3. once no actor exists anywhere, every loop closes its handles.
 */
#include "strads-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/eventfd.h>
#endif

void
strads_config_init(strads_config_t *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nloops = 0;
	cfg->ncompute = 0;
	cfg->node_id = 1;
	cfg->max_frame = 64u << 20;
	cfg->coalesce_bytes = 64u << 10;
	cfg->credit_bytes = 4u << 20;
	cfg->inbound_limit = 256u << 20;
	cfg->batch = 1024;
	cfg->name = "strads";
}

/*
 * The wake-up. A producer that finds the loop's wake flag at 0 sets it
 * and makes the loop's descriptor readable; the loop, woken in its poll,
 * empties the descriptor, clears the flag and then drains the mailbox,
 * so a push that saw the flag at 1 is drained by that turn and one that
 * sees 0 wakes the loop again. The flag already lets one write stand for
 * any number of pushes, which is all uv_async_send adds, and libuv 1.44's
 * uv_async_send costs more than the write: it marks its handle busy,
 * writes, then marks it done, and the woken loop spins (997 pauses, then
 * sched_yield(), again) while it sees the handle busy. On two cores the
 * woken thread often preempts the waker between its write and its done
 * mark, so the wake-up took a spin and a yield back to the waker first:
 * strace -f -c of t/bench/bench_rotation --cases loops counted 16478
 * sched_yield calls for 47222 wake-up writes. The descriptor has no such
 * handshake: a write, and on the loop's side one read.
 */
static void
signal_loop(strads__loop_t *loop)
{
	static const uint64_t one = 1;
	ssize_t r;

	/* EAGAIN: the descriptor is readable already (an eventfd's counter
	 * or a pipe full), which is all a wake-up needs. */
	do
		r = write(loop->wake_fd[1], &one, sizeof(one));
	while (r < 0 && errno == EINTR);
}

static void
wake(strads__loop_t *loop)
{
	if (atomic_exchange(&loop->wake, 1) == 0)
		signal_loop(loop);
}

/* Empties the wake-up descriptor: one read for an eventfd, a pipe until
 * it would block. */
static void
unsignal_loop(strads__loop_t *loop)
{
	uint64_t buf[8];
	ssize_t r;

	do
		r = read(loop->wake_fd[0], buf, sizeof(buf));
	while ((r < 0 && errno == EINTR) ||
	    (loop->wake_fd[0] != loop->wake_fd[1] && r == (ssize_t)sizeof(buf)));
}

/* Opens the loop's wake-up descriptor, non-blocking and close-on-exec. */
static int
wake_fd_open(strads__loop_t *loop)
{
#ifdef __linux__
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	if (fd < 0)
		return strads__uv_error(uv_translate_sys_error(errno));
	loop->wake_fd[0] = loop->wake_fd[1] = fd;
	return 0;
#else
	int fds[2], i;

	if (pipe(fds) != 0)
		return strads__uv_error(uv_translate_sys_error(errno));
	for (i = 0; i < 2; i++)
		if (fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK) != 0 ||
		    fcntl(fds[i], F_SETFD, FD_CLOEXEC) != 0) {
			close(fds[0]);
			close(fds[1]);
			return STRADS_ELIMIT;
		}
	loop->wake_fd[0] = fds[0];
	loop->wake_fd[1] = fds[1];
	return 0;
#endif
}

static void
wake_fd_close(strads__loop_t *loop)
{
	if (loop->wake_fd[0] >= 0)
		close(loop->wake_fd[0]);
	if (loop->wake_fd[1] >= 0 && loop->wake_fd[1] != loop->wake_fd[0])
		close(loop->wake_fd[1]);
	loop->wake_fd[0] = loop->wake_fd[1] = -1;
}

void
strads__loop_push(strads__loop_t *loop, strads_msg_t *first, strads_msg_t *last)
{
	strads__mailbox_push(&loop->mb, first, last);
	wake(loop);
}

void
strads__route(strads_runtime_t *rt, strads__loop_t *loop, strads_msg_t *m)
{
	if (m->dst.node == rt->cfg.node_id) {
		unsigned idx = STRADS_ACTOR_LOOP(m->dst.actor);

		if (idx >= (unsigned)rt->nloops) {
			if (loop != NULL)
				STRADS__BUMP(loop->dropped_stale, 1);
			strads_msg_free(m);
			return;
		}
		if (loop != NULL && idx != (unsigned)loop->idx &&
		    loop->phase == 0) {
			/* From this loop's thread: batched (see outbox_flush). */
			m->next_ = NULL;
			if (loop->ob_head[idx] == NULL) {
				loop->ob_head[idx] = m;
				loop->ob_dirty[loop->nob_dirty++] = idx;
			} else {
				loop->ob_tail[idx]->next_ = m;
			}
			loop->ob_tail[idx] = m;
			return;
		}
		strads__loop_push(&rt->loops[idx], m, m);
		return;
	}
	if (loop == NULL) {
		atomic_fetch_add(&rt->send_failed, 1);
		strads_msg_free(m);
		return;
	}
	rt->net->send_remote(loop, m);
}

/* ------------------------------------------------------------------ */
/* Credit owed to senders, per loop.                                    */

/* Keyed by the (sender, receiver) pair at the start of the entry. */
static uint64_t
owed_hash(const void *key)
{
	strads_addr_t p[2];
	uint64_t h;

	memcpy(p, key, sizeof(p));
	h = ((uint64_t)p[0].node << 32 | p[0].actor) * 0x9E3779B97F4A7C15ull;
	h ^= ((uint64_t)p[1].node << 32 | p[1].actor) + 0x632BE59BD9B4E019ull +
	    (h << 6) + (h >> 2);
	h *= 0xBF58476D1CE4E5B9ull;
	return h ^ h >> 31;
}

static const strads__map_type_t owed_type = {
	.ksize = 2 * sizeof(strads_addr_t),
	.hash = owed_hash,
};

static void
owe(strads__loop_t *loop, const strads_msg_t *m)
{
	strads_addr_t key[2] = {m->src, m->dst};
	strads__credit_t *e = strads__map_get(&loop->owed, &owed_type, key);

	if (e == NULL)
		return; /* out of memory: the credit is lost, the pair slows */
	e->bytes += strads__msg_cost(m);
}

/* Returns owed credit: all of it when the mailbox ran dry, otherwise only
 * the pairs that have an eighth of a window owed. */
static void
repay(strads__loop_t *loop, int all)
{
	strads_runtime_t *rt = loop->rt;
	uint64_t threshold = all ? 1 : rt->cfg.credit_bytes / 8;
	strads__credit_t *e;
	int kept = 0;

	for (e = strads__map_next(&loop->owed, &owed_type, NULL); e != NULL;
	    e = strads__map_next(&loop->owed, &owed_type, e)) {
		strads_msg_t *m;

		if (e->bytes == 0 || e->bytes < threshold) {
			kept |= e->bytes != 0;
			continue;
		}
		m = strads_msg_new(STRADS__MSG_CREDIT, 8);
		if (m == NULL) {
			kept = 1;
			continue;
		}
		strads__put64(m->data, e->bytes);
		e->bytes = 0;
		m->src = e->dst;
		m->dst = e->src;
		m->epoch = atomic_load_explicit(&rt->epoch, memory_order_relaxed);
		strads__route(rt, loop, m);
	}
	/* Paid up: forget the pairs, so the map holds only the senders of
	 * the last turns. A map grown by a burst of senders is given back
	 * rather than scanned on every turn after it. */
	if (!kept) {
		if (loop->owed.cap > 1024)
			strads__map_fini(&loop->owed, &owed_type);
		else
			strads__map_clear(&loop->owed, &owed_type);
	}
}

/* ------------------------------------------------------------------ */
/* Dispatch.                                                            */

static void
dispatch(strads__loop_t *loop, strads_msg_t *m)
{
	switch (m->type) {
	case STRADS__MSG_SPAWN:
		strads__actor_install(loop, m);
		return; /* install takes m */
	case STRADS__MSG_CREDIT:
		strads__actor_credit(loop, m);
		break;
	case STRADS__MSG_COMPUTE:
		strads__actor_compute_done(loop, m);
		break;
	default:
		if (m->flags & STRADS__MF_CREDITED)
			owe(loop, m);
		strads__actor_deliver(loop, m);
		break;
	}
	strads_msg_free(m);
}

static void
drain_free(strads__loop_t *loop)
{
	strads_msg_t *m;

	while ((m = strads__mailbox_pop(&loop->mb)) != NULL) {
		if (m->type == STRADS__MSG_SPAWN)
			strads__actor_discard(loop->rt, m);
		else
			strads_msg_free(m);
	}
}

/* Hands each loop what this one routed to it in this turn. Runs at the
 * end of every turn (prepare_cb, before the loop polls) and when the
 * loop's actors have stopped, so nothing waits on an idle loop. */
static void
outbox_flush(strads__loop_t *loop)
{
	strads_runtime_t *rt = loop->rt;
	uint32_t i;

	for (i = 0; i < loop->nob_dirty; i++) {
		uint32_t idx = loop->ob_dirty[i];

		strads__loop_push(&rt->loops[idx], loop->ob_head[idx],
		    loop->ob_tail[idx]);
		loop->ob_head[idx] = loop->ob_tail[idx] = NULL;
	}
	loop->nob_dirty = 0;
}

static void
close_handles(strads__loop_t *loop)
{
	loop->phase = 2;
	/* wake stays 1 from here on, so no producer signals the closing
	 * handle; after step 2 nothing produces anyway. The descriptor
	 * itself stays open until loop_fini. */
	atomic_store(&loop->wake, 1);
	drain_free(loop);
	if (loop->rt->net != NULL) /* NULL: a runtime that failed to be made */
		loop->rt->net->flush(loop);
	if (!uv_is_closing((uv_handle_t *)&loop->wakeup))
		uv_close((uv_handle_t *)&loop->wakeup, NULL);
	if (!uv_is_closing((uv_handle_t *)&loop->prepare))
		uv_close((uv_handle_t *)&loop->prepare, NULL);
}

static void
stop_actors(strads__loop_t *loop)
{
	strads_runtime_t *rt = loop->rt;
	strads_msg_t *m;

	/* Completions of the joined pool are all queued: deliver them so no
	 * actor waits on compute, then stop every actor. */
	while ((m = strads__mailbox_pop(&loop->mb)) != NULL)
		dispatch(loop, m);
	strads__actor_stop_all(loop);
	drain_free(loop);
	/* No loop closes before every one got here: the hand-over is safe.
	 * From here on route pushes at once (phase != 0). */
	outbox_flush(loop);
	loop->rt->net->flush(loop); /* the transport is closed: frames are freed */
	loop->phase = 1;
	uv_mutex_lock(&rt->lock);
	rt->phase1_count++;
	uv_cond_broadcast(&rt->cond);
	uv_mutex_unlock(&rt->lock);
}

static void
wakeup_cb(uv_poll_t *h, int status, int events)
{
	strads__loop_t *loop = h->data;
	strads_runtime_t *rt = loop->rt;
	int stop, n = 0, batch = rt->cfg.batch;
	strads_msg_t *m;

	(void)status; /* an error on an eventfd or pipe: drain all the same */
	(void)events;
	unsignal_loop(loop);
	stop = atomic_load(&rt->loops_stop);
	if (stop == 2) {
		/* strads_runtime_wait holds the lock while it wakes every
		 * loop for this step: once it is free no wake-up is on its
		 * way, and the wake-up handle may close. */
		uv_mutex_lock(&rt->lock);
		uv_mutex_unlock(&rt->lock);
		close_handles(loop);
		return;
	}
	atomic_store(&loop->wake, 0);
	if (stop == 1 && loop->phase == 0) {
		stop_actors(loop);
		return;
	}
	if (loop->phase != 0) {
		drain_free(loop);
		return;
	}
	while (n < batch && (m = strads__mailbox_pop(&loop->mb)) != NULL) {
		dispatch(loop, m);
		n++;
	}
	STRADS__BUMP(loop->delivered, (uint64_t)n);
	if (n == batch) {
		/* More may wait: yield to the loop's other handles, then come
		 * back. */
		repay(loop, 0);
		atomic_store(&loop->wake, 1);
		signal_loop(loop);
	} else {
		repay(loop, 1);
	}
	outbox_flush(loop); /* what the batch sent, credit too, leaves now */
}

static void
prepare_cb(uv_prepare_t *h)
{
	outbox_flush(h->data);
	((strads__loop_t *)h->data)->rt->net->flush(h->data);
	strads__mcache_trim();
}

static void
loop_main(void *arg)
{
	strads__loop_t *loop = arg;
#ifdef HAVE_PTHREAD_SETNAME_NP
	char name[16];

	snprintf(name, sizeof(name), "strads-l%d", loop->idx);
	pthread_setname_np(pthread_self(), name);
#endif
	strads__mcache_bind(loop->mcache);
	uv_run(&loop->uv, UV_RUN_DEFAULT);
	loop->close_status = uv_loop_close(&loop->uv);
	strads__mcache_bind(NULL);
}

/* ------------------------------------------------------------------ */
/* Construction and teardown.                                           */

static void
outbox_free(strads__loop_t *loop)
{
	free(loop->ob_head);
	free(loop->ob_tail);
	free(loop->ob_dirty);
}

static int
loop_init(strads_runtime_t *rt, strads__loop_t *loop, int idx)
{
	int err = STRADS_ENOMEM;

	loop->rt = rt;
	loop->idx = idx;
	loop->wake_fd[0] = loop->wake_fd[1] = -1;
	strads__mailbox_init(&loop->mb);
	atomic_init(&loop->wake, 0);
	strads__map_init(&loop->owed, sizeof(strads__credit_t));
	strads__map_init(&loop->out, sizeof(strads__outframe_t));
	loop->ob_head = calloc((size_t)rt->cfg.nloops, sizeof(*loop->ob_head));
	loop->ob_tail = calloc((size_t)rt->cfg.nloops, sizeof(*loop->ob_tail));
	loop->ob_dirty = calloc((size_t)rt->cfg.nloops, sizeof(*loop->ob_dirty));
	loop->mcache = strads__mcache_new();
	if (loop->ob_head == NULL || loop->ob_tail == NULL ||
	    loop->ob_dirty == NULL || loop->mcache == NULL)
		goto fail;
	if (uv_mutex_init(&loop->slot_lock) != 0)
		goto fail;
	if ((err = strads__uv_error(uv_loop_init(&loop->uv))) != 0)
		goto fail_lock;
	/* The wake-up descriptor and its poll handle can fail when the
	 * process has no descriptor left (the hook's "async", the name of
	 * the libuv handle this replaced). The prepare calls cannot fail in
	 * today's libuv; they are checked all the same, since a handle whose
	 * init failed must never reach uv_close. */
	if ((err = wake_fd_open(loop)) != 0)
		goto fail_loop;
	err = STRADS__UV_FAULT(rt, STRADS__FAIL_ASYNC,
	    uv_poll_init(&loop->uv, &loop->wakeup, loop->wake_fd[0]));
	if ((err = strads__uv_error(err)) != 0)
		goto fail_loop;
	loop->wakeup.data = loop;
	err = uv_poll_start(&loop->wakeup, UV_READABLE, wakeup_cb);
	if ((err = strads__uv_error(err)) != 0)
		goto fail_async;
	err = STRADS__UV_FAULT(rt, STRADS__FAIL_PREPARE,
	    uv_prepare_init(&loop->uv, &loop->prepare));
	if ((err = strads__uv_error(err)) != 0)
		goto fail_async;
	loop->prepare.data = loop;
	err = uv_prepare_start(&loop->prepare, prepare_cb);
	if ((err = strads__uv_error(err)) != 0)
		goto fail_prepare;
	return 0;

fail_prepare:
	uv_close((uv_handle_t *)&loop->prepare, NULL);
fail_async:
	uv_close((uv_handle_t *)&loop->wakeup, NULL);
fail_loop:
	/* Runs the close callbacks, so the loop closes with nothing open. */
	uv_run(&loop->uv, UV_RUN_DEFAULT);
	loop->close_status = uv_loop_close(&loop->uv);
	STRADS__ASSERT(loop->close_status == 0);
	wake_fd_close(loop);
fail_lock:
	uv_mutex_destroy(&loop->slot_lock);
fail:
	outbox_free(loop);
	strads__mcache_free(loop->mcache);
	return err;
}

/* Closes the handles of a loop that never ran and frees what it holds. */
static void
loop_fini(strads__loop_t *loop, int ran)
{
	if (!ran) {
		close_handles(loop);
		uv_run(&loop->uv, UV_RUN_DEFAULT);
		loop->close_status = uv_loop_close(&loop->uv);
	}
	drain_free(loop);
	if (loop->rt->net != NULL)
		loop->rt->net->loop_fini(loop);
	STRADS__ASSERT(loop->nob_dirty == 0); /* handed over at phase 1 */
	outbox_free(loop);
	strads__map_fini(&loop->owed, &owed_type);
	free(loop->slots);
	free(loop->gens);
	free(loop->free_slots);
	uv_mutex_destroy(&loop->slot_lock);
	wake_fd_close(loop); /* no producer is left, the handle is closed */
}

static int
test_fail_uv(void)
{
	static const char *const names[] = {"async", "prepare", "timer", "thread"};
	const char *v = getenv("STRADS_TEST_FAIL_UV");
	int i;

	for (i = 0; v != NULL && i < 4; i++)
		if (strcmp(v, names[i]) == 0)
			return i + 1;
	return 0;
}

/* The runtime without its transport: strads_runtime_new (transport.c)
 * adds that and registers its operations. */
int
strads__runtime_new(strads_runtime_t **rtp, const strads_config_t *cfg)
{
	strads_runtime_t *rt;
	int i, err = STRADS_ENOMEM;

	rt = calloc(1, sizeof(*rt));
	if (rt == NULL)
		return STRADS_ENOMEM;
	if (cfg != NULL)
		rt->cfg = *cfg;
	else
		strads_config_init(&rt->cfg);
	if (rt->cfg.nloops <= 0)
		rt->cfg.nloops = strads_ncores();
	if (rt->cfg.ncompute <= 0)
		rt->cfg.ncompute = strads_ncores();
	if (rt->cfg.batch <= 0)
		rt->cfg.batch = 1024;
	if (rt->cfg.nloops > STRADS_MAX_LOOPS || rt->cfg.max_frame < 1024 ||
	    rt->cfg.max_frame > UINT32_MAX || rt->cfg.credit_bytes < 1024 ||
	    rt->cfg.node_id == 0) {
		free(rt);
		return STRADS_EINVAL;
	}
	rt->trace_bytes = getenv("STRADS_TRACE_BYTES") != NULL;
	rt->test_fail_uv = test_fail_uv();
	if (rt->cfg.coalesce_bytes == 0 || rt->cfg.coalesce_bytes > rt->cfg.max_frame)
		rt->cfg.coalesce_bytes = rt->cfg.max_frame;
	if (uv_mutex_init(&rt->lock) != 0) {
		free(rt);
		return STRADS_ENOMEM;
	}
	if (uv_cond_init(&rt->cond) != 0)
		goto fail_lock;
	rt->loops = calloc((size_t)rt->cfg.nloops, sizeof(*rt->loops));
	if (rt->loops == NULL)
		goto fail_cond;
	for (i = 0; i < rt->cfg.nloops; i++) {
		if ((err = loop_init(rt, &rt->loops[i], i)) != 0)
			goto fail_loops;
		rt->nloops++;
	}
	if ((err = strads__pool_new(&rt->pool, rt, rt->cfg.ncompute)) != 0)
		goto fail_loops;
	*rtp = rt;
	return 0;

fail_loops:
	for (i = 0; i < rt->nloops; i++)
		loop_fini(&rt->loops[i], 0);
	for (i = 0; i < rt->nloops; i++)
		strads__mcache_free(rt->loops[i].mcache);
	free(rt->loops);
fail_cond:
	uv_cond_destroy(&rt->cond);
fail_lock:
	uv_mutex_destroy(&rt->lock);
	free(rt);
	return err;
}

int
strads_runtime_start(strads_runtime_t *rt)
{
	int i, err = 0;

	uv_mutex_lock(&rt->lock);
	if (rt->started || rt->stop_requested) {
		uv_mutex_unlock(&rt->lock);
		return rt->started ? STRADS_EBUSY : STRADS_ECLOSED;
	}
	for (i = 0; i < rt->nloops && err == 0; i++) {
		err = STRADS__UV_FAULT(rt, i == rt->nloops - 1 ? STRADS__FAIL_THREAD : -1,
		    uv_thread_create(&rt->loops[i].thread, loop_main, &rt->loops[i]));
		if (err == 0)
			rt->nrunning++;
	}
	rt->started = 1;
	if (err != 0) {
		/* The loops that run are stopped as by strads_runtime_stop
		 * (their actors' stop_cb run); the others never ran and are
		 * freed by strads_runtime_free. The runtime is then stopped:
		 * wait returns at once, and free may follow. */
		strads_log(STRADS_LOG_ERROR, "cannot create loop thread %d of %d: %s",
		    rt->nrunning, rt->nloops, uv_strerror(err));
		rt->stop_requested = 1;
		uv_cond_broadcast(&rt->cond);
		uv_mutex_unlock(&rt->lock);
		(void)strads_runtime_wait(rt);
		return strads__uv_error(err);
	}
	uv_mutex_unlock(&rt->lock);
	return 0;
}

void
strads_runtime_stop(strads_runtime_t *rt)
{
	uv_mutex_lock(&rt->lock);
	rt->stop_requested = 1;
	uv_cond_broadcast(&rt->cond);
	uv_mutex_unlock(&rt->lock);
}

static void
wake_all(strads_runtime_t *rt)
{
	int i;

	for (i = 0; i < rt->nloops; i++) {
		/* Force the wake-up even if one is pending: the callback
		 * re-reads loops_stop. */
		atomic_store(&rt->loops[i].wake, 1);
		signal_loop(&rt->loops[i]);
	}
}

int
strads_runtime_wait(strads_runtime_t *rt)
{
	int i;

	uv_mutex_lock(&rt->lock);
	while (!rt->stop_requested || (rt->waiting && !rt->stopped))
		uv_cond_wait(&rt->cond, &rt->lock);
	if (rt->stopped || !rt->started) {
		int status = rt->close_status;

		uv_mutex_unlock(&rt->lock);
		return status;
	}
	/* One thread shuts down; any other waits above until it is done. */
	rt->waiting = 1;
	uv_mutex_unlock(&rt->lock);

	for (i = 0; rt->trace_bytes && i < 64; i++) {
		unsigned long long b = atomic_load(&rt->trace_out[i][0]);

		if (b > 0)
			fprintf(stderr, "strads: trace: node %u sent %llu bytes in %llu %s "
			    "messages\n", rt->cfg.node_id, b,
			    (unsigned long long)atomic_load(&rt->trace_out[i][1]),
			    i < 63 ? strads__msg_name((unsigned)i) : "other");
	}
	strads__pool_shutdown(rt->pool);
	if (rt->net != NULL)
		rt->net->close(rt->tp);
	atomic_store(&rt->loops_stop, 1);
	while (atomic_load(&rt->posters) != 0)
		uv_sleep(0);
	wake_all(rt);
	uv_mutex_lock(&rt->lock);
	while (rt->phase1_count < rt->nrunning)
		uv_cond_wait(&rt->cond, &rt->lock);
	/* Under the lock: a loop closes its wake-up handle only after
	 * taking the lock (wakeup_cb), so after the last of these wake-ups. */
	atomic_store(&rt->loops_stop, 2);
	wake_all(rt);
	uv_mutex_unlock(&rt->lock);
	for (i = 0; i < rt->nrunning; i++) {
		uv_thread_join(&rt->loops[i].thread);
		if (rt->loops[i].close_status != 0) {
			strads_log(STRADS_LOG_ERROR, "loop %d: uv_loop_close: %s", i,
			    uv_strerror(rt->loops[i].close_status));
			rt->close_status = STRADS_EBUSY;
		}
	}
	uv_mutex_lock(&rt->lock);
	rt->stopped = 1;
	i = rt->close_status;
	uv_cond_broadcast(&rt->cond);
	uv_mutex_unlock(&rt->lock);
	return i;
}

void
strads_runtime_free(strads_runtime_t *rt)
{
	int i;

	if (rt == NULL)
		return;
	if (rt->started && !rt->stopped) {
		strads_runtime_stop(rt);
		strads_runtime_wait(rt);
	}
	strads__pool_shutdown(rt->pool);
	if (rt->net != NULL)
		rt->net->close(rt->tp);
	for (i = 0; i < rt->nloops; i++)
		loop_fini(&rt->loops[i], i < rt->nrunning);
	/* Envelopes of received frames are gone: the transport may go. */
	if (rt->net != NULL)
		rt->net->free(rt->tp);
	strads__pool_free(rt->pool);
	/* Last: every message the loops made is freed by now. */
	for (i = 0; i < rt->nloops; i++)
		strads__mcache_free(rt->loops[i].mcache);
	free(rt->loops);
	uv_cond_destroy(&rt->cond);
	uv_mutex_destroy(&rt->lock);
	free(rt);
}

int
strads_runtime_nloops(const strads_runtime_t *rt)
{
	return rt->nloops;
}

uint32_t
strads_runtime_node(const strads_runtime_t *rt)
{
	return rt->cfg.node_id;
}

void
strads_runtime_stats(strads_runtime_t *rt, strads_stats_t *st)
{
	int i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < rt->nloops; i++) {
		st->delivered += STRADS__READ(rt->loops[i].delivered);
		st->dropped_stale += STRADS__READ(rt->loops[i].dropped_stale);
		st->deferred += STRADS__READ(rt->loops[i].deferred);
	}
	st->dropped_proto = atomic_load(&rt->dropped_proto);
	st->dropped_auth = atomic_load(&rt->dropped_auth);
	st->send_failed = atomic_load(&rt->send_failed);
	st->frames_out = atomic_load(&rt->frames_out);
	st->frames_in = atomic_load(&rt->frames_in);
	st->bytes_out = atomic_load(&rt->bytes_out);
	st->bytes_in = atomic_load(&rt->bytes_in);
	st->recv_paused = atomic_load(&rt->recv_paused);
}

int
strads_post(strads_runtime_t *rt, strads_addr_t dst, strads_msg_t *m)
{
	if (m == NULL)
		return STRADS_EINVAL;
	if (dst.node != rt->cfg.node_id ||
	    STRADS_ACTOR_LOOP(dst.actor) >= (unsigned)rt->nloops) {
		strads_msg_free(m);
		return STRADS_EADDR;
	}
	if (strads__post_enter(rt) != 0) {
		strads_msg_free(m);
		return STRADS_ECLOSED;
	}
	m->src.node = rt->cfg.node_id;
	m->src.actor = UINT32_MAX;
	m->dst = dst;
	m->flags = 0;
	m->epoch = atomic_load_explicit(&rt->epoch, memory_order_relaxed);
	strads__loop_push(&rt->loops[STRADS_ACTOR_LOOP(dst.actor)], m, m);
	strads__post_leave(rt);
	return 0;
}

/* The count is raised before loops_stop is read, and the shutdown reads
 * the count after it raised loops_stop (both sequentially consistent):
 * either the poster sees the stop, or the shutdown sees the poster and
 * waits for it. */
int
strads__post_enter(strads_runtime_t *rt)
{
	atomic_fetch_add(&rt->posters, 1);
	if (atomic_load(&rt->loops_stop) != 0) {
		atomic_fetch_sub(&rt->posters, 1);
		return STRADS_ECLOSED;
	}
	return 0;
}

void
strads__post_leave(strads_runtime_t *rt)
{
	atomic_fetch_sub(&rt->posters, 1);
}
