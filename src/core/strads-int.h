/*
 * strads-int.h -- internal declarations shared by the runtime's files.
 * Nothing here is exported: internal non-static names use strads__.
 */
#ifndef STRADS_INT_H
#define STRADS_INT_H

#include "config.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <uv.h>

#include "strads.h"
#include "map.h"

#define STRADS__UNUSED(x) ((void)(x))

/* Asserts that guard invariants stay on in release builds. */
#define STRADS__ASSERT(cond)                                                \
	do {                                                                \
		if (!(cond))                                                \
			strads__panic(__FILE__, __LINE__, #cond);           \
	} while (0)

void strads__panic(const char *file, int line, const char *what)
    __attribute__((noreturn));
/* Wraps a libuv error code (error.c): out of memory, out of descriptors
 * or threads (STRADS_ELIMIT), else STRADS_EIO. */
int strads__uv_error(int uv_err);

/* Big zeroed allocations (util.c): maps, staging, bulk and check
 * buffers. From 2 MiB up they are mmap'd from a 2 MiB boundary (big:
 * the caller's pointer is 64 bytes past it, after the header) and
 * transparent huge pages are asked for: a first touch of a fresh 4 KiB
 * page costs microseconds (12 in this project's VMs: 8 MiB of fresh
 * memory, 25 ms), a 2 MiB one about what zeroing it costs. pages: the
 * caller keeps *mapped to say how to free; big: the buffer keeps it (in
 * a header), strads__big_free(p) alone. NULL when out of memory. */
void *strads__pages_alloc(size_t bytes, int *mapped);
void strads__pages_free(void *p, size_t bytes, int mapped);
void *strads__big_alloc(size_t bytes);
void strads__big_free(void *p);

/* Formats a message into err (errlen bytes; err may be NULL) and returns
 * code: for the functions that report an error and a message. */
int strads__errf(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ------------------------------------------------------------------ */
/* Message types: one table generates the enum values, the names and   */
/* the payload rules the codec enforces.                               */
/*                                                                    */
/* X(name, value, min_len, max_len, remote)                           */
/*  remote = 1 if the type may cross the wire; local-only types that   */
/*  arrive from a peer are malformed.                                  */

#define STRADS__MSG_TYPES(X)                                               \
	X(TIMER, STRADS_MSG_TIMER, 8, 8, 0)                                \
	X(COMPUTE, STRADS_MSG_COMPUTE, 16, 64, 0)                          \
	X(WRITABLE, STRADS_MSG_WRITABLE, 8, 8, 0)                          \
	X(CREDIT, 4, 8, 8, 1)                                              \
	X(SPAWN, 5, 16, 16, 0)                                             \
	X(ENG_START, 16, 0, 0, 1)                                          \
	X(ENG_READY, 17, 0, 0, 1)                                          \
	X(ENG_PLAN, 18, 40, 40, 1)                                         \
	X(ENG_CAND, 19, 40, UINT32_MAX, 1)                                 \
	X(ENG_BLOCK, 20, 40, UINT32_MAX, 1)                                \
	X(ENG_PARTIAL, 21, 40, UINT32_MAX, 1)                              \
	X(ENG_DELTA, 22, 40, UINT32_MAX, 1)                                \
	X(ENG_DONE, 23, 40, UINT32_MAX, 1)                                 \
	X(ENG_STATS, 24, 40, UINT32_MAX, 1)                                \
	X(ENG_GATHER, 25, 0, 0, 1)                                         \
	X(ENG_PARAMS, 26, 40, UINT32_MAX, 1)                               \
	X(ENG_STOP, 27, 0, 4, 1)                                           \
	X(ENG_SCREEN, 28, 40, UINT32_MAX, 1)                               \
	X(ENG_INACTIVE, 29, 40, UINT32_MAX, 1)                             \
	X(ENG_PRIO, 30, 40, UINT32_MAX, 1)                                 \
	X(ENG_RESHAPE, 31, 0, 0, 0)                                        \
	X(TBL_UPDATE, 32, 16, UINT32_MAX, 1)                               \
	X(TBL_CLOCK, 33, 16, 16, 1)                                        \
	X(TBL_GET, 34, 24, UINT32_MAX, 1)                                  \
	X(TBL_ROWS, 35, 32, UINT32_MAX, 1)                                 \
	X(TBL_CKPT, 36, 24, 24 + 4096, 1)                                  \
	X(TBL_CKPT_DONE, 37, 24, 24 + 1024, 1)                             \
	X(TBL_LOCAL, 38, 16, 16, 0)                                        \
	X(TBL_UPDATE_BULK, 39, 24, UINT32_MAX, 1)                          \
	X(TBL_GET_BULK, 40, 32, UINT32_MAX, 1)                             \
	X(TBL_ROWS_BULK, 41, 32, UINT32_MAX, 1)                            \
	X(ENG_PART, 42, 40, UINT32_MAX, 1)                                 \
	X(ENG_TROWS, 43, 40, UINT32_MAX, 1)                                \
	X(MEM_HELLO, 48, 1, 4096, 1)                                       \
	X(MEM_CTL, 49, 1, 16u << 20, 1)                                    \
	X(MEM_INIT, 50, 8, UINT32_MAX, 1)

enum {
#define STRADS__MSG_ENUM(name, val, lo, hi, remote) STRADS__MSG_##name = (val),
	STRADS__MSG_TYPES(STRADS__MSG_ENUM)
#undef STRADS__MSG_ENUM
};

/* Wire flags. */
#define STRADS__MF_CREDITED 0x0001u /* counts against a credit window */
#define STRADS__MF_KNOWN 0x0001u    /* every flag the codec accepts */

#define STRADS__MAGIC 0x5354u /* "TS" little-endian: bytes 'T' 'S' */
#define STRADS__VERSION 1u

const char *strads__msg_name(unsigned type);

/* ------------------------------------------------------------------ */
/* Payload buffers.                                                    */

struct strads_buf_s {
	atomic_uint refs;
	void *block; /* malloc block to free, or NULL when external */
	void (*release_cb)(strads_buf_t *buf); /* external memory */
	void *opaque;                           /* for release_cb */
	size_t size;
};

/* Payloads of at least this many bytes live in an NNG message with room
 * for the wire header in front, so a remote send of one hands that
 * message to NNG as its own frame instead of copying the payload. */
#define STRADS__BIG_PAYLOAD (64u << 10)

/* A message whose payload is an NNG message body (bigmsg.c). */
strads_msg_t *strads__msg_new_big(uint16_t type, size_t len);
/* The nng_msg * under m when m was made by strads__msg_new_big, is its
 * buffer's only user and spans all of it: taken from the buffer (the
 * caller frees m as usual and sends the NNG message). NULL otherwise. */
void *strads__msg_steal_big(strads_msg_t *m);
/* The tail room of a big message's NNG message (see bigmsg.c). */
#define STRADS__BIG_TAIL (4u << 10)

void strads__buf_ref(strads_buf_t *b);
void strads__buf_unref(strads_buf_t *b);

/* A loop thread's cache of small message blocks (msg.c): strads_msg_new
 * on the loop takes blocks from it, and a block freed on any thread goes
 * back to the cache it came from. */
typedef struct strads__mcache_s strads__mcache_t;
strads__mcache_t *strads__mcache_new(void);
/* Makes c the calling thread's cache (NULL: none). */
void strads__mcache_bind(strads__mcache_t *c);
/* Takes the blocks other threads returned to the calling thread's cache
 * onto its lists, within its bound (once a loop turn). */
void strads__mcache_trim(void);
/* Frees c and its blocks, once no thread allocates from it. Blocks still
 * out (a message kept past the runtime) keep c alive: it is then left
 * allocated, so their late return stays safe. */
void strads__mcache_free(strads__mcache_t *c);
/* A loop's spare buffer for big messages (bigmsg.c): the NNG message of
 * a big frame received and done with, kept for the next big message
 * made on the loop, so that one is neither allocated nor zeroed. */
typedef struct {
	void *msg; /* nng_msg *, owned; NULL when empty */
} strads__spare_t;
/* The calling loop thread's spare (its cache's), NULL off loop threads. */
strads__spare_t *strads__mcache_spare(void);
/* Frees the spare's message, if any. */
void strads__spare_drop(strads__spare_t *s);
/* Takes a received frame's NNG message the caller is done with: kept as
 * the calling loop's spare when it is big and the loop has none, freed
 * otherwise. Any thread. */
void strads__msg_recycle_big(void *nng_msg);
/* An envelope referencing external memory in b (takes one ref). */
strads_msg_t *strads__msg_wrap(strads_buf_t *b, uint8_t *data, uint32_t len);

/* The cost of a message against a credit window. */
static inline uint64_t
strads__msg_cost(const strads_msg_t *m)
{
	return 64u + m->len;
}

/* ------------------------------------------------------------------ */
/* Codec (codec.c).                                                    */

/* Encodes m's header into out[STRADS_MSG_HDR_SIZE]. */
void strads__hdr_encode(const strads_msg_t *m, uint8_t *out);
/* Decodes and validates the message at p[0..n): on success fills the
 * header fields of m (data and buf_ untouched) and returns the bytes the
 * whole message spans (header + payload); otherwise a negative code.
 * Never reads outside p[0..n). */
int64_t strads__msg_decode(
    const uint8_t *p, size_t n, size_t max_payload, strads_msg_t *m);
/* Validates a whole frame (a run of encoded messages): returns the
 * number of messages, or a negative code if any part is malformed. */
int64_t strads__frame_check(const uint8_t *p, size_t n, size_t max_payload);

static inline void
strads__put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}
static inline uint32_t
strads__get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}
static inline void
strads__put64(uint8_t *p, uint64_t v)
{
	strads__put32(p, (uint32_t)v);
	strads__put32(p + 4, (uint32_t)(v >> 32));
}
static inline uint64_t
strads__get64(const uint8_t *p)
{
	return (uint64_t)strads__get32(p) | (uint64_t)strads__get32(p + 4) << 32;
}

/* ------------------------------------------------------------------ */
/* Mailbox (mailbox.c): intrusive multi-producer single-consumer       */
/* queue (Vyukov). Producers on any thread; one consumer.              */

typedef struct strads__mailbox_s {
	strads_msg_t *head; /* producers exchange here (atomic) */
	char pad_[64 - sizeof(void *)];
	strads_msg_t *tail; /* consumer only */
	strads_msg_t stub;
} strads__mailbox_t;

void strads__mailbox_init(strads__mailbox_t *mb);
/* Appends the chain first..last (linked through next_, last->next_ is
 * ignored) with one atomic exchange. */
void strads__mailbox_push(
    strads__mailbox_t *mb, strads_msg_t *first, strads_msg_t *last);
/* Next message or NULL when empty (or when a producer is mid-push: it
 * wakes the consumer once it finishes). */
strads_msg_t *strads__mailbox_pop(strads__mailbox_t *mb);

/* ------------------------------------------------------------------ */
/* Compute pool (pool.c).                                              */

typedef struct strads__pool_s strads__pool_t;
int strads__pool_new(strads__pool_t **pp, strads_runtime_t *rt, int n);
/* Queues a COMPUTE message; a pool thread runs it, then posts it to its
 * actor's loop. STRADS_ECLOSED once shutdown began (m is not taken). */
int strads__pool_submit(strads__pool_t *p, strads_msg_t *m);
/* Runs every queued job, then joins the threads. Idempotent. */
void strads__pool_shutdown(strads__pool_t *p);
void strads__pool_free(strads__pool_t *p);

typedef struct strads__work_s {
	strads_compute_done_t done;
	strads_work_cb work;
} strads__work_t;

/* ------------------------------------------------------------------ */
/* What the core knows of the transport (src/net/transport.c).          */

typedef struct strads__transport_s strads__transport_t;
typedef struct strads__peer_s strads__peer_t;
typedef struct strads__loop_s strads__loop_t;

/*
 * What the core asks of the transport. The core never calls the
 * transport by name: strads_runtime_new (transport.c) makes the runtime
 * (strads__runtime_new), then the transport, and registers these
 * operations and the transport in rt->net and rt->tp, as nng's
 * transports register their ops. Every runtime made by
 * strads_runtime_new has both; rt->net is NULL only while a runtime
 * that failed to be made is taken apart.
 */
typedef struct strads__net_ops_s {
	/* Appends m to the loop's frame for its destination (takes m). On
	 * the loop's thread; never blocks. */
	void (*send_remote)(strads__loop_t *loop, strads_msg_t *m);
	/* Sends every open frame of the loop. On the loop's thread; never
	 * blocks. Idempotent. */
	void (*flush)(strads__loop_t *loop);
	/* Frees the loop's frames (all flushed by then), as the loop is
	 * freed, after its thread ended. */
	void (*loop_fini)(strads__loop_t *loop);
	/* Closes every socket; callbacks have all returned when it returns.
	 * Any thread but a loop's; may block. Idempotent. */
	void (*close)(strads__transport_t *tp);
	/* Frees the transport, after close and after the loops ended. */
	void (*free)(strads__transport_t *tp);
} strads__net_ops_t;

/* A runtime without a transport (runtime.c); strads_runtime_new adds it. */
int strads__runtime_new(strads_runtime_t **rtp, const strads_config_t *cfg);
/* Per-loop coalescing of outgoing messages, one open frame per peer. */
typedef struct strads__outframe_s {
	uint32_t node; /* the key (map.h) */
	strads__peer_t *peer;
	void *frame; /* nng_msg *, NULL when nothing is open */
	size_t limit; /* the open frame is sent once it would pass this */
	int dirty;   /* on the loop's dirty list */
} strads__outframe_t;

/* The transport's calls for the modules above it (peers, link
 * authentication, strads__loop_flush) are in src/net/net.h. */

/* ------------------------------------------------------------------ */
/* Runtime internals shared with the transport and the pool.           */

typedef struct strads__credit_s strads__credit_t;

struct strads__loop_s {
	strads_runtime_t *rt;
	int idx;
	uv_loop_t uv;
	uv_thread_t thread;
	/* The wake-up: a descriptor of the loop's own (an eventfd on Linux,
	 * else a pipe: [0] read, [1] written; -1 when not open) watched by
	 * wakeup. Not a uv_async_t: libuv 1.44's async handshake lets the
	 * woken loop spin and then sched_yield() until the waker, which the
	 * wake-up itself often preempts, finishes uv_async_send (runtime.c,
	 * "The wake-up"). */
	uv_poll_t wakeup;
	int wake_fd[2];
	uv_prepare_t prepare;
	strads__mailbox_t mb;
	atomic_int wake; /* 1 while a wake-up is pending */
	strads__mcache_t *mcache; /* small messages made on this loop */
	/* Messages this loop routed to other loops and not yet handed over:
	 * a chain per loop, pushed at the end of each batch and each turn
	 * (outbox_flush in runtime.c), one mailbox push and at most one
	 * wake-up each. */
	strads_msg_t **ob_head, **ob_tail; /* nloops each */
	uint32_t *ob_dirty, nob_dirty;
	int phase;        /* 0 running, 1 actors stopped, 2 handles closing */
	int close_status; /* uv_loop_close() result */

	/* Slot table: installed and read on the loop thread only. */
	strads_actor_t **slots;
	uint32_t nslots;

	/* Slot allocation happens on any thread (strads_spawn). */
	uv_mutex_t slot_lock;
	uint8_t *gens;
	uint32_t *free_slots;
	uint32_t nfree, slot_cap, slot_next;

	/* Credit owed back to senders, returned at the end of a batch. */
	strads__map_t owed; /* of strads__credit_t */

	/* Outgoing frames by destination node (a hash table by node id). */
	strads__map_t out;            /* of strads__outframe_t */
	strads__outframe_t **dirty;   /* frames of out left open, owned */
	uint32_t ndirty, dirty_cap;

	/* The SSP tables' per-loop cache (src/table/client.c): made by the first
	 * table client opened on the loop, freed when the last one closes
	 * (clients close in their actor's stop_cb, before the loop ends). */
	void *table_cache;

	uint64_t delivered; /* loop-thread counters, read racily by stats */
	uint64_t dropped_stale;
	uint64_t deferred;
};

struct strads_runtime_s {
	strads_config_t cfg;
	int nloops;
	strads__loop_t *loops;
	strads__pool_t *pool;
	const strads__net_ops_t *net; /* the transport's operations */
	strads__transport_t *tp;      /* owned, through net */
	atomic_uint rr; /* round-robin spawn */
	atomic_uint epoch;

	uv_mutex_t lock;
	uv_cond_t cond;
	int started;
	int nrunning; /* loops whose thread was made (all but after a failed start) */
	int stop_requested;
	int stopped;
	int waiting;           /* a thread is in strads_runtime_wait */
	int phase1_count;      /* loops whose actors have all stopped */
	atomic_int loops_stop; /* 1: stop actors (pool, transport are down);
	                          2: close handles (every actor is gone) */
	/* Threads other than the loops between their loops_stop check and
	 * the end of their push (strads_post, strads_spawn): the shutdown
	 * waits for them, so no wake-up reaches a closed loop. */
	atomic_int posters;
	int close_status;

	atomic_ullong dropped_proto;
	atomic_ullong dropped_auth;
	atomic_ullong send_failed;
	atomic_ullong frames_out, frames_in, bytes_out, bytes_in;
	atomic_ullong recv_paused;
	/* STRADS_TRACE_BYTES set: bytes and messages sent to other nodes,
	 * by type (64 and up in the last slot), logged when the runtime stops. */
	int trace_bytes;
	atomic_ullong trace_out[64][2];
	/* Test hook: STRADS_TEST_FAIL_UV names one libuv call that fails as
	 * if the process were out of resources ("async": the loop's wake-up
	 * handle, "prepare", "timer" or "thread": the last loop's thread), so the tests reach the error
	 * paths that real exhaustion cannot reach deterministically. */
	int test_fail_uv;
};

#define STRADS__FAIL_ASYNC 1
#define STRADS__FAIL_PREPARE 2
#define STRADS__FAIL_TIMER 3
#define STRADS__FAIL_THREAD 4
/* The result of libuv call rc, or (without making the call) the failure
 * the hook asks for. */
#define STRADS__UV_FAULT(rt, what, rc)                                     \
	((rt)->test_fail_uv == (what) ? UV_EAGAIN : (rc))

/* Routes a message that already carries src/dst (local or remote).
 * loop is the sending loop (needed for remote coalescing), or NULL from
 * a thread that is not a loop (local destinations only). Takes m. */
void strads__route(strads_runtime_t *rt, strads__loop_t *loop, strads_msg_t *m);
/* Pushes a chain to a local loop's mailbox and wakes it if needed. */
void strads__loop_push(strads__loop_t *loop, strads_msg_t *first,
    strads_msg_t *last);

/* ------------------------------------------------------------------ */
/* Actors (actor.c).                                                   */

/* Credit and order state of one (sender, receiver) pair, sender side. */
typedef struct strads__pair_s {
	strads_addr_t dst; /* the key (map.h) */
	uint8_t want_writable;
	int64_t credit;
	uint32_t seq;
	strads_msg_t *dhead, *dtail; /* deferred sends, in order */
} strads__pair_t;

typedef struct strads__timer_s strads__timer_t;

struct strads_actor_s {
	const strads_actor_type_t *type;
	strads__loop_t *loop;
	strads_addr_t addr;
	void *state;
	void *spawn_arg;
	int started;  /* init_cb returned 0 */
	int stopping; /* strads_actor_stop() was called */
	uint32_t pending_compute;
	strads__timer_t *timers;
	int next_timer_id;
	strads__map_t pairs; /* of strads__pair_t */
};

/* Credit owed back to a sender by a receiving loop. */
struct strads__credit_s {
	strads_addr_t src, dst; /* the key (map.h) */
	uint64_t bytes;
};

/* Loop-side entry points of actor.c. */
void strads__actor_install(strads__loop_t *loop, strads_msg_t *spawn);
void strads__actor_deliver(strads__loop_t *loop, strads_msg_t *m);
void strads__actor_credit(strads__loop_t *loop, const strads_msg_t *m);
void strads__actor_compute_done(strads__loop_t *loop, strads_msg_t *m);
/* Stops every actor of the loop now (runtime shutdown). */
void strads__actor_stop_all(strads__loop_t *loop);
/* A push into a loop from any thread: 0, or STRADS_ECLOSED once the
 * loops are stopping; on 0, strads__post_leave after the push. */
int strads__post_enter(strads_runtime_t *rt);
void strads__post_leave(strads_runtime_t *rt);
/* Frees an actor that was spawned but never installed. */
void strads__actor_discard(strads_runtime_t *rt, strads_msg_t *spawn);

/* Relaxed counter bump for a counter one thread writes and any reads. */
#define STRADS__BUMP(c, n)                                                 \
	__atomic_store_n(&(c), __atomic_load_n(&(c), __ATOMIC_RELAXED) + (n), \
	    __ATOMIC_RELAXED)
#define STRADS__READ(c) __atomic_load_n(&(c), __ATOMIC_RELAXED)

#endif /* STRADS_INT_H */
