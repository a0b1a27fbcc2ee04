/*
 * strads.h -- the one public header of libstrads.
 *
 * strads is a runtime for scheduled model-parallel machine learning. This
 * header exposes the actor runtime (runtimes, loops, actors, messages,
 * timers, compute offload, remote transport). Conventions, as in libuv:
 *
 *  - every function that can fail returns 0 or a negative STRADS_E* code;
 *    strads_strerror() names every code;
 *  - a callback never runs when the call that registered it failed, and
 *    runs exactly once otherwise;
 *  - ownership is written beside every pointer: "owned" (the callee frees),
 *    "borrowed" (valid for the call only), "ref-counted".
 */
#ifndef STRADS_H
#define STRADS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define STRADS_EXTERN __attribute__((visibility("default")))
#else
#define STRADS_EXTERN
#endif

/* ------------------------------------------------------------------ */
/* Errors: one table generates the codes and their strings.            */

#define STRADS_ERRNO_MAP(XX)                                              \
	XX(EINVAL, -1, "invalid argument")                                \
	XX(ENOMEM, -2, "out of memory")                                   \
	XX(ECLOSED, -3, "object closed")                                  \
	XX(ESTALE, -4, "no such actor (stale or unknown address)")       \
	XX(EPROTO, -5, "malformed message")                               \
	XX(EMSGSIZE, -6, "message too large")                             \
	XX(ETRANSPORT, -7, "transport error")                             \
	XX(EAGAIN, -8, "resource temporarily unavailable")                \
	XX(EIO, -9, "input/output error")                                 \
	XX(ENOTSUP, -10, "operation not supported")                       \
	XX(EADDR, -11, "invalid or unsupported address")                  \
	XX(EBUSY, -12, "resource busy")                                   \
	XX(ECANCELED, -13, "operation canceled")                          \
	XX(ELIMIT, -14, "limit exceeded")                                 \
	XX(ENOENT, -15, "no such file or object")                         \
	XX(EFORMAT, -16, "bad input format")                              \
	XX(ETIMEDOUT, -17, "timed out")                                   \
	XX(EPEER, -18, "a cluster member was lost")

typedef enum {
	STRADS_OK = 0,
#define STRADS__ERR_ENUM(name, code, s) STRADS_##name = (code),
	STRADS_ERRNO_MAP(STRADS__ERR_ENUM)
#undef STRADS__ERR_ENUM
} strads_errno_t;

/* Returns a static string for any code, including unknown ones. */
STRADS_EXTERN const char *strads_strerror(int err);
/* Returns the symbolic name ("STRADS_EINVAL") of a code. */
STRADS_EXTERN const char *strads_errname(int err);

/* ------------------------------------------------------------------ */
/* Addresses: values, never pointers. An actor address names a node   */
/* (process) and an actor slot on it; the slot carries a generation so */
/* a message to a stopped actor fails cleanly instead of reaching the  */
/* actor that reused its slot. No address is handed out twice: a slot  */
/* whose generation would wrap retires (strads_spawn: STRADS_ELIMIT    */
/* after 2^24 spawns on one loop).                                     */

typedef struct strads_addr_s {
	uint32_t node;  /* node id of the process */
	uint32_t actor; /* loop (8 bits) | generation (8 bits) | slot (16 bits) */
} strads_addr_t;

#define STRADS_ACTOR_ID(loop, gen, slot)                                  \
	((((uint32_t)(loop)&0xffu) << 24) | (((uint32_t)(gen)&0xffu) << 16) | \
	    ((uint32_t)(slot)&0xffffu))
#define STRADS_ACTOR_LOOP(id) (((id) >> 24) & 0xffu)
#define STRADS_ACTOR_GEN(id) (((id) >> 16) & 0xffu)
#define STRADS_ACTOR_SLOT(id) ((id)&0xffffu)
#define STRADS_MAX_LOOPS 256
#define STRADS_MAX_ACTORS_PER_LOOP 65535

static inline int
strads_addr_eq(strads_addr_t a, strads_addr_t b)
{
	return a.node == b.node && a.actor == b.actor;
}

/* ------------------------------------------------------------------ */
/* Messages. A message is an envelope (header fields) plus a           */
/* ref-counted payload. Local delivery moves the envelope; fan-out     */
/* shares the payload (strads_msg_share). Types below                  */
/* STRADS_MSG_USER are the runtime's; apps number theirs from it.      */

typedef struct strads_buf_s strads_buf_t;
typedef struct strads_msg_s strads_msg_t;

struct strads_msg_s {
	strads_msg_t *next_; /* internal: mailbox link */
	uint16_t type;       /* message type */
	uint16_t flags;      /* STRADS_MF_* */
	uint32_t epoch;      /* membership epoch of the sender */
	uint32_t seq;        /* per (sender, receiver) sequence number */
	uint32_t len;        /* payload bytes */
	strads_addr_t src;   /* sender */
	strads_addr_t dst;   /* receiver */
	uint8_t *data;       /* payload; writable until sent, read-only after */
	strads_buf_t *buf_;  /* internal: ref-counted payload owner */
};

/* Runtime message types (the full table is internal). */
enum {
	STRADS_MSG_TIMER = 1,   /* payload: uint64_t tag (host order) */
	STRADS_MSG_COMPUTE = 2, /* payload: strads_compute_done_t */
	STRADS_MSG_WRITABLE = 3, /* payload: strads_addr_t of the destination */
	STRADS_MSG_USER = 256   /* first app type */
};

#define STRADS_MSG_HDR_SIZE 40 /* bytes of the wire header */

/* Allocates a message with an uninitialised payload of len bytes.
 * Returns NULL when out of memory. The caller owns the message until it
 * passes it to strads_send()/strads_post() (which always take it). */
STRADS_EXTERN strads_msg_t *strads_msg_new(uint16_t type, size_t len);
/* As strads_msg_new, copying len bytes from data (data may be NULL when
 * len is 0). */
STRADS_EXTERN strads_msg_t *strads_msg_copy(
    uint16_t type, const void *data, size_t len);
/* A new envelope of the given type that shares m's payload without copying
 * (zero-copy fan-out, or keeping a received payload past its callback).
 * m is borrowed. The result is owned by the caller. */
STRADS_EXTERN strads_msg_t *strads_msg_share(
    const strads_msg_t *m, uint16_t type);
/* Frees a message the caller owns (one never sent). NULL is allowed. */
STRADS_EXTERN void strads_msg_free(strads_msg_t *m);

/* ------------------------------------------------------------------ */
/* Runtime configuration.                                              */

typedef struct strads_config_s {
	int nloops;            /* loop threads; 0 = number of cores */
	int ncompute;          /* compute threads; 0 = number of cores */
	uint32_t node_id;      /* this process's node id; default 1 */
	size_t max_frame;      /* largest frame accepted or sent, bytes */
	size_t coalesce_bytes; /* flush a peer's frame at this size */
	size_t credit_bytes;   /* send window per (sender, receiver) pair */
	size_t inbound_limit;  /* bytes received but not yet handled before
	                          the transport stops reading */
	int batch;             /* messages handled per loop turn */
	const char *name;      /* for thread names and logs; borrowed */
	/* tls+tcp:// (borrowed paths, PEM). Listening needs cert and key;
	 * with a CA, peers must present a certificate it signed (listening)
	 * or the server's certificate is verified against it (dialling). */
	const char *tls_cert_file; /* certificate chain, key may follow */
	const char *tls_key_file;  /* private key; NULL: in tls_cert_file */
	const char *tls_ca_file;   /* CA chain to verify peers; NULL: none */
	/* Cluster secret (copied by strads_runtime_new; NULL: none). With a
	 * secret every frame this runtime sends carries a token that proves
	 * it, and a frame without a valid token is dropped and counted
	 * (dropped_auth); see doc/cluster.md. Every process of a cluster
	 * needs the same secret. */
	const void *secret;
	size_t secret_len;
} strads_config_t;

/* Fills cfg with the defaults documented in strads(3). */
STRADS_EXTERN void strads_config_init(strads_config_t *cfg);

/* ------------------------------------------------------------------ */
/* Runtime: owns N loops on N threads, the compute pool and the        */
/* transport. No globals: a process may hold several runtimes.         */

typedef struct strads_runtime_s strads_runtime_t;
typedef struct strads_actor_s strads_actor_t;

/* Creates a runtime (not yet running). cfg is copied; NULL = defaults.
 * On failure *rtp is untouched and nothing is left allocated. */
STRADS_EXTERN int strads_runtime_new(
    strads_runtime_t **rtp, const strads_config_t *cfg);
/* Starts the loop threads. When one cannot be made (STRADS_ELIMIT), the
 * loops already running are stopped as by strads_runtime_stop (their
 * actors' stop_cb run; actors of the others never run) and the runtime is
 * stopped: strads_runtime_wait returns at once, strads_runtime_free frees. */
STRADS_EXTERN int strads_runtime_start(strads_runtime_t *rt);
/* Asks the runtime to stop: from any thread, idempotent. Running compute
 * jobs finish; every actor's stop_cb runs on its loop; every handle is
 * closed. */
STRADS_EXTERN void strads_runtime_stop(strads_runtime_t *rt);
/* Blocks until the runtime has stopped; from any thread, several at once
 * if need be (one shuts the runtime down, the others wait for it; free
 * the runtime only once every one of them has returned). Returns 0 when
 * every loop closed cleanly (uv_loop_close returned 0 on each), else a
 * negative code. */
STRADS_EXTERN int strads_runtime_wait(strads_runtime_t *rt);
/* Frees a stopped (or never started) runtime. NULL is allowed. */
STRADS_EXTERN void strads_runtime_free(strads_runtime_t *rt);
STRADS_EXTERN int strads_runtime_nloops(const strads_runtime_t *rt);
STRADS_EXTERN uint32_t strads_runtime_node(const strads_runtime_t *rt);

typedef struct strads_stats_s {
	uint64_t delivered;      /* messages handed to actors */
	uint64_t dropped_stale;  /* messages for stopped/unknown actors */
	uint64_t dropped_proto;  /* malformed messages or frames dropped */
	uint64_t dropped_auth;   /* frames refused: no or a wrong secret */
	uint64_t send_failed;    /* remote sends that failed in the transport */
	uint64_t frames_out;     /* frames handed to the transport */
	uint64_t frames_in;      /* frames received */
	uint64_t bytes_out;      /* frame bytes sent */
	uint64_t bytes_in;       /* frame bytes received */
	uint64_t deferred;       /* sends deferred for lack of credit */
	uint64_t recv_paused;    /* times the transport stopped reading */
} strads_stats_t;

/* A consistent-enough snapshot of the counters (each is exact). */
STRADS_EXTERN void strads_runtime_stats(
    strads_runtime_t *rt, strads_stats_t *st);

/* ------------------------------------------------------------------ */
/* Actors. An actor type is a const descriptor; the runtime allocates  */
/* and zeroes state_size bytes of state for each instance. Every       */
/* callback runs on the actor's loop thread and must not block.        */

typedef struct strads_actor_type_s {
	const char *name;
	size_t state_size;
	/* Runs once on the actor's loop before any message. A non-zero
	 * return stops the actor at once (stop_cb is not called). arg is
	 * what strads_spawn() was given. */
	int (*init_cb)(strads_actor_t *self, void *arg);
	/* One message at a time. m is borrowed for the call. */
	void (*recv_cb)(strads_actor_t *self, const strads_msg_t *m);
	/* Runs once when the actor stops (strads_actor_stop, or the runtime
	 * stopping), after its timers are closed and its compute jobs have
	 * returned. Frees what init_cb allocated. May be NULL. */
	void (*stop_cb)(strads_actor_t *self);
} strads_actor_type_t;

/* Creates an actor of type on loop (-1: round robin). Callable from any
 * thread, before or after strads_runtime_start. The address is valid at
 * once: messages sent to it queue behind its init. init_cb runs later, on
 * the actor's loop: arg is borrowed and must stay valid (and unchanged)
 * until then. STRADS_ELIMIT when the loop holds 65535 actors or has
 * spent its 2^24 addresses. */
STRADS_EXTERN int strads_spawn(strads_runtime_t *rt,
    const strads_actor_type_t *type, int loop, void *arg,
    strads_addr_t *addr);
/* Stops an actor from its own callbacks (init_cb too: it then stops as
 * soon as init_cb returns 0, its stop_cb called). Its sends still
 * deferred for lack of credit leave as it stops (in order, without
 * waiting for credit); later messages to it are dropped and counted as
 * stale. */
STRADS_EXTERN void strads_actor_stop(strads_actor_t *self);
STRADS_EXTERN void *strads_actor_state(strads_actor_t *self);
STRADS_EXTERN strads_addr_t strads_actor_addr(const strads_actor_t *self);
STRADS_EXTERN strads_runtime_t *strads_actor_runtime(strads_actor_t *self);

/* Sends m to dst (local or remote) from an actor callback. Always takes
 * ownership of m. Delivery is ordered per (sender, receiver) pair. A
 * sender out of credit for dst keeps the message and sends it when
 * credit returns; nothing is dropped and the loop never blocks. */
STRADS_EXTERN int strads_send(
    strads_actor_t *self, strads_addr_t dst, strads_msg_t *m);
/* 1 if a send to dst now would go out at once, 0 if it would be
 * deferred. When it returns 0 the actor receives one STRADS_MSG_WRITABLE
 * once credit for dst has returned and its deferred sends have left. */
STRADS_EXTERN int strads_send_ready(strads_actor_t *self, strads_addr_t dst);

/* Delivers m to a local actor from any thread (not flow controlled: for
 * injecting work from outside the runtime). Takes ownership of m. src is
 * set to {node, 0}. */
STRADS_EXTERN int strads_post(
    strads_runtime_t *rt, strads_addr_t dst, strads_msg_t *m);

/* ------------------------------------------------------------------ */
/* Timers: the actor receives STRADS_MSG_TIMER with tag as payload.    */

/* Starts a timer that fires after timeout_ms and then every repeat_ms
 * (0: once). Returns a timer id (> 0) or a negative code. */
STRADS_EXTERN int strads_timer_start(strads_actor_t *self,
    uint64_t timeout_ms, uint64_t repeat_ms, uint64_t tag);
/* Stops a timer; no STRADS_MSG_TIMER for it arrives afterwards. */
STRADS_EXTERN int strads_timer_stop(strads_actor_t *self, int id);

/* ------------------------------------------------------------------ */
/* Compute offload: work runs on the runtime's compute pool (not on a  */
/* loop, not on libuv's shared pool); its completion comes back to the */
/* actor as a STRADS_MSG_COMPUTE message. While it runs, whatever arg  */
/* points to belongs to the compute thread.                            */

typedef void (*strads_work_cb)(void *arg);

typedef struct strads_compute_done_s {
	uint64_t tag;
	void *arg;
} strads_compute_done_t;

STRADS_EXTERN int strads_compute(
    strads_actor_t *self, strads_work_cb work, void *arg, uint64_t tag);

/* ------------------------------------------------------------------ */
/* Transport (NNG). URLs: tcp://, ipc://, tls+tcp://, inproc://.       */

/* Listens on url for frames from peers; call before or after start. When
 * port is not NULL it receives the bound TCP port (useful with port 0),
 * or 0 for transports without one. */
STRADS_EXTERN int strads_listen(
    strads_runtime_t *rt, const char *url, int *port);
/* Declares that node lives at url; the transport dials it lazily and
 * keeps reconnecting. */
STRADS_EXTERN int strads_peer_add(
    strads_runtime_t *rt, uint32_t node, const char *url);

/* ------------------------------------------------------------------ */
/* Tables (SSP; doc/tables.md). A table maps keys to rows of width    */
/* doubles: dense (keys 0..nrows-1) or sparse (any uint64 key). It is */
/* sharded over table-shard actors that strads_table_create() spawns. */
/* Clients are actors: each opens a client handle for a client id and */
/* reads and writes through it, never blocking. A read at clock c     */
/* sees every update made by every client at clocks <= c - s - 1 (s:  */
/* the table's staleness bound) plus all of the reader's own updates. */
/* Rows read on a loop are cached there and serve later reads that    */
/* are fresh enough, without a message to a shard. An app holds no    */
/* socket or thread code.                                             */

enum { STRADS_TABLE_DENSE = 0, STRADS_TABLE_SPARSE = 1 };
/* How a table's shards store and send values: the API reads and writes
 * doubles either way. */
enum { STRADS_TABLE_F64 = 0, STRADS_TABLE_F32 = 1 };

typedef struct strads_table_s strads_table_t;
typedef struct strads_table_client_s strads_table_client_t;

typedef struct strads_table_opts_s {
	const char *name;     /* [A-Za-z0-9_.-]{1,64}: names checkpoint
	                         files; copied */
	int kind;             /* STRADS_TABLE_DENSE or STRADS_TABLE_SPARSE */
	uint64_t nrows;       /* dense: keys 0..nrows-1 (required) */
	uint32_t width;       /* doubles per row; 0: 1 */
	uint32_t staleness;   /* s: how many clocks a read may lag */
	uint32_t nclients;    /* client ids 0..nclients-1 (required); fixed
	                         for the table's life */
	int nshards;          /* shard actors; 0: one per loop */
	size_t flush_bytes;   /* a client sends buffered updates before its
	                         clock once they pass this; 0: 256 KiB */
	uint64_t cache_rows;  /* rows of this table a loop's cache holds
	                         before it starts over; 0: no limit */
	const char *restore_dir; /* start from the checkpoint in this
	                            directory, or NULL for zeros; borrowed
	                            for the call */
	int value;            /* STRADS_TABLE_F64 (default) or
	                         STRADS_TABLE_F32: values are floats at the
	                         shards and on the wire (half the bytes);
	                         sums are rounded to float there */
} strads_table_opts_t;

/* Counters of a table, summed over its clients and shards. */
typedef struct strads_table_stats_s {
	uint64_t gets;        /* strads_table_get() calls that succeeded */
	uint64_t rows_read;   /* rows those gets asked for */
	uint64_t cache_hits;  /* rows served by a loop's cache */
	uint64_t shard_gets;  /* read requests the shards received */
	uint64_t held_gets;   /* of those, held until the clocks caught up */
	uint64_t updates;     /* row updates the shards applied (coalesced) */
	uint64_t clocks;      /* clock ticks the shards applied */
	uint64_t rejected;    /* malformed or out-of-order table messages */
} strads_table_stats_t;

/* Fills o with the defaults above (a dense table, width 1, s = 0). */
STRADS_EXTERN void strads_table_opts_init(strads_table_opts_t *o);
/* Creates a table and spawns its shard actors (shard i on loop i mod
 * nloops), like strads_spawn(): before or after strads_runtime_start.
 * With o->restore_dir every shard starts from its checkpoint file there;
 * a missing, truncated or corrupt file fails the call with
 * STRADS_ENOENT, STRADS_EIO or STRADS_EFORMAT and a message naming the
 * file in err (errlen bytes; err may be NULL). On failure *tp is
 * untouched and nothing is spawned, except when spawning fails after
 * the first shard (out of memory or actor slots): *tp is then set, the
 * table is unusable and is freed like any other. The table is owned by
 * the caller and must outlive the runtime's actors: free it after
 * strads_runtime_wait() (or without starting the runtime). */
STRADS_EXTERN int strads_table_create(strads_runtime_t *rt,
    const strads_table_opts_t *o, strads_table_t **tp, char *err,
    size_t errlen);
/* Makes a handle on a table whose shards live in another process (or
 * anywhere addresses reach): shards[i] is the address of shard i, as
 * strads_table_shard() reports it where the table was created, passed
 * out of band (a command line, later the membership view). Nothing is
 * spawned. o must describe the creator's table: the same name, kind,
 * nrows, width, staleness and nclients, and nshards 0 or equal to
 * nshards; restore_dir must be NULL (restoring is the creator's). A
 * shard refuses the clocks of a client whose layout differs (counted in
 * the creator's rejected), so such a client's updates are never applied.
 * Clients open on it as on a created table; the shards reply to their
 * addresses, so each process must reach the other's node
 * (strads_listen(), strads_peer_add() on both sides). Client ids are the
 * table's: across processes, each id may be opened once in all (this
 * process checks only its own). On failure *tp is untouched. The table
 * is owned by the caller and freed like a created one; its counters are
 * the client-side ones (the shards count where they live). */
STRADS_EXTERN int strads_table_attach(strads_runtime_t *rt,
    const strads_table_opts_t *o, const strads_addr_t *shards, int nshards,
    strads_table_t **tp, char *err, size_t errlen);
/* Frees a table whose runtime has stopped or never started. NULL is
 * allowed. */
STRADS_EXTERN void strads_table_free(strads_table_t *t);
STRADS_EXTERN int strads_table_nshards(const strads_table_t *t);
/* The address of shard i (0 <= i < nshards). */
STRADS_EXTERN strads_addr_t strads_table_shard(const strads_table_t *t, int i);
/* Any thread; each counter is exact, the set is not a snapshot. */
STRADS_EXTERN void strads_table_stats(
    const strads_table_t *t, strads_table_stats_t *st);

/* A get's result: rows holds n x width doubles, row i for keys[i];
 * both are borrowed for the call. status is 0, or STRADS_ECANCELED when
 * the client closed first (keys and rows are then NULL). */
typedef void (*strads_table_get_cb)(strads_table_client_t *c, int status,
    const uint64_t *keys, uint32_t n, const double *rows, void *arg);
/* A checkpoint's result: status 0 once every shard's file is durable,
 * else the first error and a message naming the file (borrowed). */
typedef void (*strads_table_ckpt_cb)(strads_table_client_t *c, int status,
    const char *errmsg, void *arg);

/* Opens the client id of table t for the actor self, from self's
 * callbacks (typically init_cb); the client's clock starts at 0. Each
 * id is opened once for the table's life (the shards keep its clock):
 * STRADS_EBUSY otherwise. The actor's recv_cb must hand every message
 * to strads_table_client_recv() first. */
STRADS_EXTERN int strads_table_client_open(strads_actor_t *self,
    strads_table_t *t, uint32_t id, strads_table_client_t **cp);
/* Closes a client (from self's callbacks, e.g. stop_cb, never from one
 * of the client's own callbacks): pending gets and checkpoints get
 * STRADS_ECANCELED; buffered updates are dropped. NULL is allowed. */
STRADS_EXTERN void strads_table_client_close(strads_table_client_t *c);
/* 1 when m was a table message for c (consumed: the caller ignores it;
 * callbacks of c may have run), 0 otherwise. */
STRADS_EXTERN int strads_table_client_recv(
    strads_table_client_t *c, const strads_msg_t *m);

/* Adds delta (width doubles, borrowed) to the row of key. Buffered at
 * the client and coalesced per key; sent at the next clock, or earlier
 * when the buffer passes flush_bytes. STRADS_EINVAL for a dense key out
 * of range. */
STRADS_EXTERN int strads_table_inc(
    strads_table_client_t *c, uint64_t key, const double *delta);
/* Replaces the row of key with row (borrowed), as seen by later incs of
 * this client. The shard applies it when it applies this client's
 * clock; what other clients added to the row before that is lost. */
STRADS_EXTERN int strads_table_put(
    strads_table_client_t *c, uint64_t key, const double *row);
/* Ends the client's current clock c: sends what is buffered, then
 * CLOCK(c) to every shard; the client's clock becomes c + 1. */
STRADS_EXTERN int strads_table_clock(strads_table_client_t *c);
/* The client's current clock. */
STRADS_EXTERN uint64_t strads_table_client_clock(
    const strads_table_client_t *c);
/* Reads n keys (borrowed; duplicates allowed) at the client's current
 * clock: cb runs later, from strads_table_client_recv(), once every row
 * is fresh enough; a read that the loop's cache answers completes
 * without a message to any shard. STRADS_EMSGSIZE when a request or its
 * reply would not fit in a frame. */
STRADS_EXTERN int strads_table_get(strads_table_client_t *c,
    const uint64_t *keys, uint32_t n, strads_table_get_cb cb, void *arg);
/* Bulk updates and reads: arrays of keys and rows, moved in large
 * messages (about 1 MiB) and applied at the shards in tight loops, for
 * millions of pairs at a time. Same consistency as their per-key forms.
 *
 * Adds deltas (n x width doubles, row i for keys[i]; both borrowed for
 * the call; duplicate keys add up) as n strads_table_inc() calls would,
 * without per-key coalescing: the pairs are packed by shard and each
 * message goes as soon as it is full (the last ones at the next flush
 * or clock). The client keeps what it sent until its clock ends (its
 * reads must see it), about 8 + width x value bytes a pair, and reuses
 * that memory afterwards: it holds on to as much as its largest clock
 * needed. Updates made with strads_table_inc()/put() before and after
 * keep their order. STRADS_EINVAL for a dense key out of range, nothing
 * added. STRADS_ENOMEM when memory ran out: nothing added, unless it ran
 * out for a message envelope mid-call (then a part was). */
STRADS_EXTERN int strads_table_inc_many(strads_table_client_t *c,
    const uint64_t *keys, const double *deltas, size_t n);
/* A bulk read's end: status 0 once every row is in place,
 * STRADS_ECANCELED when the client closed first, or STRADS_ENOMEM when
 * the client ran out of memory for the read's later messages (rows are
 * then partly written). */
typedef void (*strads_table_many_cb)(strads_table_client_t *c, int status,
    void *arg);
/* Reads n keys (duplicates allowed, n < 2^32) at the client's current
 * clock into rows (n x width doubles, row i for keys[i]); keys and rows
 * are the caller's and must stay valid, untouched, until cb runs (from
 * strads_table_client_recv(), never inside this call). The rows see
 * what strads_table_get() would; updates this client makes while the
 * read is out may or may not show in them. Bulk reads go to the shards
 * in chunks that fit a frame whatever n is; they neither use nor fill
 * the loop's cache. */
STRADS_EXTERN int strads_table_get_many(strads_table_client_t *c,
    const uint64_t *keys, size_t n, double *rows, strads_table_many_cb cb,
    void *arg);
/* Asks every shard to write its partition to
 * DIR/table-NAME-SHARD.bin atomically (temporary file, fsync, rename,
 * fsync of DIR) once every client has finished the clocks this client
 * has finished. The files hold every update of clocks below the
 * client's current clock, and perhaps some later ones. dir is copied. */
STRADS_EXTERN int strads_table_checkpoint(strads_table_client_t *c,
    const char *dir, strads_table_ckpt_cb cb, void *arg);

/* ------------------------------------------------------------------ */
/* SchMP programs (doc/strads.3, "SchMP"). An app fills in a const     */
/* strads_app_t; strads_job_run() runs it on the four roles            */
/* (coordinator, scheduler, worker, store), which are actors: the app  */
/* holds no socket or thread code. Callbacks named "worker" run on a   */
/* compute thread with the worker's state lent to it; the others run   */
/* on the role's loop and must be quick.                               */

/* A contiguous range of parameter ids [begin, end). */
typedef struct strads_range_s {
	uint32_t begin, end;
} strads_range_t;

/* The parameters of one round. */
typedef struct strads_block_s {
	uint64_t round;
	uint32_t n;          /* parameters in the block */
	const uint32_t *idx; /* their ids, ascending */
	uint32_t pairs;      /* push: also write the pair terms (app->pairs,
	                        update rounds); pull: they follow */
	uint32_t check;      /* push: a check round (every parameter) */
} strads_block_t;

/* What a worker owns: rows [row_begin, row_end) of the data. */
typedef struct strads_shard_s {
	uint32_t index, count; /* shard index among count */
	uint64_t row_begin, row_end;
	/* One entry per declared table (app->tables; NULL when the app
	 * declares none): for a table of home STRADS_HOME_WORKER, this
	 * worker's rows [row_begin, row_end) of it, (row_end - row_begin) x
	 * width values, zeroed before worker_init; the engine owns them
	 * (gathered into the job result) and lends them to the worker's
	 * callbacks for the whole run. Other homes: NULL. */
	void *const *tables;
} strads_shard_t;

/* ------------------------------------------------------------------ */
/* Progress: one record per convergence check. The app's objective     */
/* callback fills its part; the engine adds its own and hands the      */
/* record to the job's subscribers (strads_job_opts_t.subscribers).    */

/* Most named values in a progress record. */
#define STRADS_PROGRESS_VALUES 8

/* One of the app's named values (e.g. nnz, gap, test_rmse). */
typedef struct strads_value_s {
	const char *name; /* borrowed: a static string of the app's; the
	                     metrics file's key */
	double value;     /* not finite: null in the metrics file */
	int count;        /* 1: a count, printed as a whole number; 0: a
	                     real (6 significant digits in the metrics file,
	                     %.3e on the progress line) */
} strads_value_t;

/* Where the rows of a parameter table live (doc/schmp.md, "Homes"). */
typedef enum {
	/* Partitioned over the stores: workers push partials of a block,
	 * the store that owns the rows pulls (a regression's coefficients). At
	 * most one; its rows are the job's nparams, one f64 each, and it
	 * is what push, pull, check and the result's params work on. */
	STRADS_HOME_STORE = 0,
	/* Rows follow the data: one row per data row, each worker holds
	 * the rows of its shard (strads_shard_t.tables) alone. */
	STRADS_HOME_WORKER,
	/* Cut into parts (STRADS_SCHEDULE_ROTATION): in each round a
	 * worker holds one part alone (app->rotate), then hands it
	 * straight to the next holder. At most one. */
	STRADS_HOME_ROTATE,
	/* A small shared table read and incremented under staleness s
	 * through an SSP table (strads_table_t) the caller made, one
	 * client per worker (strads_job_opts_t.ssp). Read and incremented
	 * in rotation rounds (strads_part_t). At most one. */
	STRADS_HOME_SSP
} strads_home_t;

/* The value type of a table's rows. An SSP table is read and written
 * as doubles whatever its type. */
typedef enum {
	STRADS_VALUE_F64 = 0, /* double */
	STRADS_VALUE_F32,     /* float */
	STRADS_VALUE_I32      /* int32_t counts */
} strads_value_type_t;

/* One named parameter table of an app. */
typedef struct strads_table_decl_s {
	const char *name;
	strads_home_t home;
	strads_value_type_t value;
	uint64_t rows;  /* 0: store: nparams; worker: nrows (the only
	                   choice); rotate, ssp: strads_job_opts_t
	                   .table_rows[t] (required then) */
	uint32_t width; /* values per row; 0: 1 */
} strads_table_decl_t;

/* A part of the rotate table as its holder sees it in one round. */
typedef struct strads_part_s {
	uint64_t round;     /* rotation round (0, 1, ... over the run) */
	uint64_t sweep;     /* sweeps done before this round */
	uint32_t table;     /* the rotate table's index in app->tables */
	uint32_t index;     /* part index among nparts */
	uint32_t nparts;
	uint64_t row_begin, row_end; /* the part's rows of the table */
	/* (row_end - row_begin) x width values, held by this worker alone
	 * for the round; in one process, the same memory travels from
	 * holder to holder (never copied). */
	void *rows;
	/* The ssp table (NULL when none): its rows x width values read at
	 * this worker's clock (every increment of clocks <= clock - s - 1
	 * and all of its own), and a zeroed buffer of the same shape whose
	 * values are added to the table after the round. The clock is the
	 * rotation round. */
	const double *ssp;
	double *ssp_delta;
	uint64_t ssp_rows;
	uint32_t ssp_width;
} strads_part_t;

typedef struct strads_progress_s {
	/* The app's, from its objective callback (everything is zero when
	 * it is called). */
	double objective;  /* minimised */
	double criterion;  /* the convergence measure (e.g. a relative
	                      duality gap): the job stops when criterion <=
	                      tol, and as diverged when it or the objective
	                      is not finite */
	uint64_t support;  /* working-set size hint: how many parameters
	                      matter now (e.g. the non-zero coefficients). The
	                      working-set schedule sizes its sets from it;
	                      0: no hint */
	int nvalues;
	strads_value_t values[STRADS_PROGRESS_VALUES]; /* in the order of
	                      the metrics file's keys; strads_progress_add */

	/* The engine's. */
	uint64_t iter;     /* rounds done (rotation: sweeps) */
	double time_s;     /* seconds since the solve began, loading
	                      excluded (a resumed job counts on) */
	uint64_t updates;  /* parameter updates pulled so far */
	uint64_t bytes;    /* bytes moved between processes (0 in one) */
	uint64_t dropped;  /* records coalesced away so far because the
	                      subscribers fell behind (see strads_job_run) */
	/* Multi-process runs: node[i]'s workers pushed node_updates[i]
	 * updates so far; nnodes is 0 in one process. Borrowed for the
	 * subscriber's call; NULL in strads_job_result_t. */
	int nnodes;
	const uint32_t *node;
	const uint64_t *node_updates;
} strads_progress_t;

/* Appends a named value to p (for objective callbacks). name must be a
 * string that outlives the job (a literal) of letters, digits and '_',
 * as it is written into JSON as it is. 0, or STRADS_EINVAL (nothing
 * added) for another name or when p already holds
 * STRADS_PROGRESS_VALUES values. count: see strads_value_t. */
STRADS_EXTERN int strads_progress_add(strads_progress_t *p, const char *name,
    double value, int count);
/* The value of p named name, or NAN when p has none of that name. */
STRADS_EXTERN double strads_progress_value(const strads_progress_t *p,
    const char *name);

/* A progress subscriber: called once per record, in order, on the
 * thread that called strads_job_run (or strads_cluster_job_run), never
 * on a role's loop. It may block briefly: the job goes on meanwhile, and
 * records that find the queue full are coalesced (rec->dropped counts
 * them). It must not call back into the job (strads_job_run, the
 * cluster's job calls). rec and what it points to are borrowed for the
 * call: copy what is kept. This is also the hook for a status endpoint:
 * a subscriber that copies the record under its own lock for a server
 * thread to read. */
typedef void (*strads_progress_cb)(void *arg, const strads_progress_t *rec);

typedef struct strads_subscriber_s {
	strads_progress_cb cb;
	void *arg; /* borrowed: passed to cb */
} strads_subscriber_t;

/* The callback table of an app. Each slot's comment says which thread
 * runs it and whether it may block: "loop" callbacks run on a role's
 * loop and must return quickly (never block, never sleep, no I/O);
 * "compute" callbacks run on a compute thread with the worker's state
 * lent to it and may take long (they must not wait on other roles). */
typedef struct strads_app_s {
	const char *name;
	/* The app's parameter tables (borrowed for the program's life;
	 * NULL with ntables 0: one store table of nparams f64). */
	const strads_table_decl_t *tables;
	uint32_t ntables;
	uint32_t width;  /* doubles per parameter in a push partial */
	uint32_t nstats; /* doubles a worker reports to the objective */
	uint32_t ncheck; /* doubles a store reports to the objective */
	/* Nonzero: in update rounds whose part for a store has at most
	 * pairs parameters, push also writes, after its n x width partials,
	 * the n x n pair terms of that part (row-major; e.g. x_j . x_k over
	 * the shard) and pull receives their sums (b->pairs is set), so it
	 * can solve the part exactly. push is then called once per store
	 * with the part that store owns. 0: never; UINT32_MAX: always
	 * (blocks are then at most 2048 parameters, so the terms fit a
	 * message). */
	uint32_t pairs;

	/* Worker, compute thread, may block (called once, before any
	 * round): make the worker's state for its shard; shard->tables
	 * holds its worker-home rows. shared is what strads_job_run was
	 * given. Non-zero ends the job with an error. */
	int (*worker_init)(void *shared, const strads_shard_t *shard,
	    void **wstate);
	/* Worker, compute thread, may block: partial results of block b
	 * over the shard, width doubles per parameter, into partials
	 * (zeroed). With a rotation, only check rounds push. */
	void (*push)(void *wstate, const strads_block_t *b, double *partials);
	/* Worker, compute thread, may block: apply new parameter changes
	 * delta[i] of b->idx[i] to the worker's state. */
	void (*apply)(void *wstate, const strads_block_t *b, const double *delta);
	/* Worker, compute thread, may block: nstats doubles for the
	 * objective (check rounds). */
	void (*stats)(void *wstate, double *out);
	/* Worker loop, must not block: free the worker's state as the job
	 * ends (its worker-home rows are the engine's). */
	void (*worker_fini)(void *wstate);

	/* Store loop, must not block for long (it holds the store's loop):
	 * aggregate the workers' summed partials of the block's parameters
	 * this store owns, update params (their values, in and out) and
	 * write each change to delta. Unused by rotations (NULL allowed). */
	void (*pull)(void *shared, const strads_block_t *b,
	    const double *partials, double *params, double *delta);
	/* Store loop, must not block: ncheck doubles for the convergence
	 * check of its range, given the full push partials (a sweep) of
	 * that range. */
	void (*check)(void *shared, strads_range_t range, const double *partials,
	    const double *params, double *out);

	/* Store loop, must not block, after each check (optional): mark
	 * with active[i] = 0 the
	 * parameters of range r (i = j - r.begin) proven to be zero at the
	 * optimum, given the check's partials of the range, the current
	 * values, the summed worker stats and every store's check values.
	 * Never deactivate a parameter whose value is not zero. The
	 * schedulers stop proposing deactivated parameters (screening). */
	void (*screen)(void *shared, strads_range_t r, const double *partials,
	    const double *params, const double *stats, const double *checks,
	    int nstores, uint8_t *active);

	/* Store loop, must not block, after each check, for
	 * STRADS_SCHEDULE_WORKSET (optional):
	 * the priority of each parameter of range r (score[i], i = j -
	 * r.begin; 0: not wanted), from the same inputs as screen. The
	 * next block is the parameters of highest priority. */
	void (*score)(void *shared, strads_range_t r, const double *partials,
	    const double *params, const double *stats, const double *checks,
	    int nstores, double *score);

	/* Coordinator loop, must not block: dependency of parameters j and
	 * k (e.g. |corr|); the
	 * scheduler never lets two with dependency > rho share a block.
	 * NULL: independent. */
	double (*dependency)(void *shared, uint32_t j, uint32_t k);
	/* Coordinator loop, must not block (filter, filter_free), instead
	 * of pairwise dependency() calls when the app
	 * can do better (e.g. only look at pairs that share data): keep, in
	 * order, at most max of the ncand candidates such that no two kept
	 * depend by more than rho; write them to out and return how many.
	 * *scratch is the app's, kept between calls and released at the end
	 * of the run with filter_free (or free(3) when that is NULL). NULL:
	 * the engine calls dependency(). */
	/* Coordinator loop, must not block (optional): the work of updating
	 * parameter j (e.g.
	 * its column's non-zeros), for blocks balanced by work (block_work
	 * in strads_job_opts_t). */
	double (*cost)(void *shared, uint32_t j);
	/* Scheduler loop, must not block (optional), the priority
	 * schedule: the weight of
	 * parameter j after it changed by delta, to which eta is added.
	 * NULL: delta^2. An app whose parameters differ in scale can make
	 * it scale-free (an L1-penalised regression: the step in gradient
	 * units over the penalty, squared). */
	double (*priority)(void *shared, uint32_t j, double delta);
	uint32_t (*filter)(void *shared, void **scratch, const uint32_t *cand,
	    uint32_t ncand, uint32_t max, double rho, uint32_t *out);
	void (*filter_free)(void *scratch);

	/* Coordinator loop, must not block: the objective, the
	 * convergence criterion, the support hint and the app's named
	 * values (strads_progress_add) from the summed worker stats and
	 * every store's check values (nstores x ncheck), into out (zeroed;
	 * the engine fills the rest of the record). */
	void (*objective)(void *shared, const double *stats,
	    const double *checks, int nstores, strads_progress_t *out);

	/* Rotation (STRADS_SCHEDULE_ROTATION with a rotate table). */
	/* Worker, compute thread, may block (it is the round's work): the
	 * round's work on the part it holds (and the ssp table through
	 * part). Required with a rotate table. */
	void (*rotate)(void *wstate, const strads_part_t *part);
	/* Coordinator loop, must not block (optional): the work of row r of
	 * table t (e.g. a word's tokens); parts are cut to equal work.
	 * NULL: 1 a row. */
	double (*row_cost)(void *shared, uint32_t t, uint64_t r);
	/* strads_job_run's thread, before any role runs (optional): the
	 * starting values of rows [begin, end) of rotate table t, into rows
	 * (zeroed). NULL: zeros. */
	void (*table_init)(void *shared, uint32_t t, uint64_t begin,
	    uint64_t end, void *rows);
	/* Worker, compute thread, may block (optional; rotations in one
	 * process, and in a cluster with reshard_any_node): the straggler
	 * rule moved this worker's shard between
	 * two sweeps (doc/schmp.md, "The straggler rule"). shard is the new
	 * one: its rows [row_begin, row_end) and, in shard->tables, its rows
	 * of every worker-home table, each with the value it had at the
	 * worker that held it before. Rebuild wstate for it (the old rows'
	 * memory is gone) and return 0; non-zero ends the job with an
	 * error. NULL: shards never move (the parts are still cut again by
	 * their time). */
	int (*reshard)(void *wstate, const strads_shard_t *shard);
	/* The straggler rule across processes (optional, with reshard): 1
	 * when reshard may be given rows that its node did not load (every
	 * node's shared state covers every data row, or reshard loads what
	 * it lacks); shards then move between the workers of a cluster too,
	 * their rows of every worker-home table travelling worker to worker
	 * between sweeps. 0: in a cluster, shards never move. */
	int reshard_any_node;
} strads_app_t;

/* How the schedulers choose blocks. */
typedef enum {
	/* Sample by priority delta_j^2 + eta (app->priority in place of
	 * delta_j^2 when set; half the block) and a cyclic sweep (the rest),
	 * then drop dependent candidates: SchMP. */
	STRADS_SCHEDULE_PRIORITY = 0,
	/* Working sets: after every check the block is the parameters of
	 * highest app score (score callback), in blocks of at most block
	 * parameters, then a check. */
	STRADS_SCHEDULE_WORKSET,
	STRADS_SCHEDULE_CYCLIC, /* a cyclic sweep, then the filter */
	STRADS_SCHEDULE_RANDOM, /* uniform draws, then the filter */
	/* A rotation (topic models): the app's rotate table is cut into nparts
	 * parts of equal work (row_cost), and in round r of a sweep worker
	 * w holds part (w + r) mod nparts alone (app->rotate), then hands it
	 * straight to the part's next holder. A sweep is nparts rounds, in
	 * which every worker holds every part once; a check (push with
	 * check set, stores' check, objective) follows every check_every
	 * sweeps (0: each), and parts are cut again between sweeps by the
	 * time they took; with app->reshard, in one process (in a cluster
	 * also with app->reshard_any_node), data shards
	 * move too, a slower worker getting fewer rows (the straggler rule,
	 * doc/schmp.md). No schedulers' draws, no filter, no pull; the app
	 * must not set pairs. */
	STRADS_SCHEDULE_ROTATION
} strads_schedule_t;

/*
 * What the next stage of a job of several stages changes
 * (strads_job_opts_t.next): the stopping tolerance and the metrics
 * file. The rest of the next stage is the app's, in its shared state.
 */
typedef struct strads_job_next_s {
	double tol;               /* in: this stage's; out: the next's */
	const char *metrics_path; /* in: this stage's; out: the next's (or
	                             NULL: none), borrowed until the run
	                             ends or the next call */
	const char *spec;         /* strads_cluster_job_run: in: this
	                             stage's job spec; out: the next's,
	                             which each node's setup is called with
	                             again (strads_node_opts_t.setup) while
	                             its roles wait, to change the same
	                             shared state; borrowed until the next
	                             call returns. strads_job_run: unused */
} strads_job_next_t;

struct strads_job_result_s;

typedef struct strads_job_opts_s {
	uint32_t nparams;    /* parameters (required) */
	uint64_t nrows;      /* data rows, split among workers (required) */
	int nworkers;        /* 0: one per loop */
	int nstores;         /* 0: 1 */
	int nschedulers;     /* 0: 1 */
	strads_schedule_t schedule; /* default STRADS_SCHEDULE_PRIORITY */
	uint32_t block;      /* most parameters in a block; 0: 64, or
	                        every parameter for STRADS_SCHEDULE_WORKSET */
	double block_work;   /* with app->cost: most work a block holds (a
	                        block always holds one parameter); 0: no
	                        bound, blocks are bounded by count only */
	double rho;          /* dependency threshold; default 0.1; below 0:
	                        no filter (Shotgun-style parallel updates) */
	double eta;          /* priority floor, in app->priority's units;
	                        default 1e-12 */
	uint32_t depth;      /* blocks planned ahead; 0: 2 */
	uint32_t check_every; /* checks every check_every x block coordinates
	                         (rotation: every check_every sweeps);
	                         0: every nparams coordinates (a sweep;
	                         rotation: every sweep) */
	double tol;          /* stop when progress.criterion <= tol;
	                        default 1e-6 */
	uint64_t max_rounds; /* 0: unlimited (rotation: rounds, nparts a
	                        sweep) */
	double time_limit_s; /* 0: unlimited */
	uint64_t seed;
	const char *metrics_path; /* JSON lines per check, or NULL: a
	                        built-in subscriber writes one object per
	                        record (iter, time_s, objective, updates,
	                        bytes, the app's values, updates_by_node) */
	const double *init;  /* nparams starting values (warm start) or NULL
	                        for zeros; borrowed until the run ends */
	int progress;        /* 1: a built-in subscriber prints a progress
	                        line per record on stderr (one live line on
	                        a terminal) */
	/* More subscribers, called after the built-in ones, in order;
	 * borrowed until the run ends. */
	const strads_subscriber_t *subscribers;
	int nsubscribers;
	/* Tables (app->tables). table_rows: NULL, or app->ntables entries,
	 * the rows of each table whose declaration says 0 (rotate, ssp). */
	const uint64_t *table_rows;
	/* NULL, or app->ntables entries: for the ssp table, an SSP table
	 * made with strads_table_create on the job's runtime (dense, the
	 * declared rows and width, nclients >= nworkers) whose client ids
	 * 0 .. nworkers-1 are unused: worker w opens client w, so a table
	 * serves one job. Borrowed until the run ends. Other entries NULL.
	 * Required by strads_job_run for an app with an ssp table; unused
	 * by strads_cluster_job_run, which makes the table itself. */
	strads_table_t *const *ssp;
	uint32_t nparts;     /* rotation: parts; 0: 2 x nworkers (at least
	                        nworkers, at most the rotate table's rows) */
	/* NULL, or a flag the caller may set at any time (from a signal
	 * handler too): once it is non-zero the job ends as at a limit,
	 * after the rounds in flight and a last check, with its result.
	 * Read by the coordinator role; borrowed until the run ends. */
	const volatile sig_atomic_t *stop;
	/* strads_cluster_job_run: the staleness bound s of the ssp table
	 * that the cluster makes (strads_table_opts_t.staleness). */
	uint32_t ssp_staleness;
	/* Rotation: 1: the parts keep their first cut (equal row_cost) for
	 * the whole run instead of being cut again between sweeps by the
	 * time they took, so which rows a worker holds in a round, and with
	 * it the app's state there, does not depend on timing (an app can
	 * then make a run reproducible for a seed). 0: cut again. */
	int fixed_cut;
	/*
	 * A job of several stages (a path of penalties, one a stage), or
	 * NULL: one. After each stage has converged (or hit a limit), its
	 * result has been gathered and its progress records delivered,
	 * next(next_arg, res, nx) is called on the thread that called
	 * strads_job_run, while every role waits with its state in place
	 * (workers' state, the parameters as warm start, the schedulers'
	 * priorities); it may block. It returns 0 to end the job: res is
	 * then the job's result, as strads_job_run returns it. It returns 1
	 * for another stage, first changing what the app's callbacks read
	 * in the shared state (the roles read nothing of it until the call
	 * returns), and nx; res->params and res->tables are then freed by
	 * the engine unless next set them NULL (took them). The next stage
	 * starts with every parameter active again (screening is undone),
	 * a check, and its own counts: rounds, updates and time_s start
	 * from 0, and its records go to nx->metrics_path. The coordinator
	 * role does not wait for the call otherwise: the call is the gap
	 * between two stages. strads_cluster_job_run runs stages too: next
	 * runs on its caller's thread, and each node that holds roles calls
	 * its setup again with nx->spec and the same shared state before
	 * the next stage starts; a change of view within a stage lays the
	 * stage out again from what the stores held, and the stages go on.
	 * o->stop ends the stage it comes in; a stage that o->stop cut
	 * should end the job.
	 */
	int (*next)(void *arg, struct strads_job_result_s *res,
	    strads_job_next_t *nx);
	void *next_arg;
} strads_job_opts_t;

/* The seconds left of a job run with o, at its record p, when its end
 * is fixed in advance: what is left of o->time_limit_s, or of
 * o->max_rounds at the rate so far (a rotation's sweeps: max_rounds /
 * nparts, known when o->nparts is set), the sooner of the two; -1 when
 * neither is known. *planned is set when that end is the job's plan (a
 * rotation's sweeps) rather than a limit that convergence may come
 * before. The progress line's estimate and the status endpoint's. */
STRADS_EXTERN double strads_progress_left(const strads_job_opts_t *o,
    const strads_progress_t *p, int *planned);

typedef struct strads_job_result_s {
	strads_progress_t progress; /* the last check's record */
	uint64_t rounds;
	uint64_t updates;     /* parameter updates pulled */
	double solve_s;       /* seconds from the first round to the end */
	int converged;        /* criterion <= tol; never when the objective
	                         is not finite (diverged: the run stops
	                         there) */
	double *params;       /* nparams final values; free() it */
	/* One entry per declared table (NULL when the app declares no
	 * table but the store table; free() the array and each entry):
	 * the worker and rotate tables' final
	 * rows (rows x width values), and the ssp table's as doubles; NULL
	 * for the store table (its values are params). */
	void **tables;
	uint32_t ntables;
	uint64_t sweeps;      /* rotation: sweeps done */
} strads_job_result_t;

/* Fills o with the defaults above. */
STRADS_EXTERN void strads_job_opts_init(strads_job_opts_t *o);
/* Runs app to convergence (or a limit) on a started runtime: spawns the
 * roles, drives rounds, stops the roles. shared is borrowed by every
 * callback for the whole run and must be read-only while it runs. A role
 * that cannot be spawned fails the call with that error; one that cannot
 * set itself up (out of memory, or app->worker_init failing) ends the job
 * with STRADS_EIO or STRADS_ENOMEM, the roles stopped; the runtime goes
 * on either way.
 *
 * Meanwhile the calling thread is the job's progress thread: the
 * coordinator role queues a record per check, and this thread calls the
 * subscribers with it (o->progress, o->metrics_path, then
 * o->subscribers). The queue holds STRADS_PROGRESS_QUEUE records; when
 * it is full the coordinator replaces the newest queued record with its
 * own (rec->dropped counts the ones replaced), so a slow subscriber
 * never slows the job, and the last record is never lost. Every queued
 * record has been delivered when the call returns. */
#define STRADS_PROGRESS_QUEUE 64
STRADS_EXTERN int strads_job_run(strads_runtime_t *rt, const strads_app_t *app,
    void *shared, const strads_job_opts_t *o, strads_job_result_t *res);

/* ------------------------------------------------------------------ */
/* Multi-process mode (doc/cluster.md). A coordinator process runs     */
/* the membership and the jobs; node processes join it, are given     */
/* roles and talk to each other directly. Every process needs the     */
/* same cluster secret (strads_config_t.secret): joins and every frame */
/* between processes are authenticated with it. The coordinator's     */
/* runtime is node 1; a node's is a random id (strads_random_node_id) */
/* that the coordinator admits if no member has it.                   */

enum {
	STRADS_ROLE_WORKER = 1,
	STRADS_ROLE_STORE = 2,
	STRADS_ROLE_SCHEDULER = 4
};

typedef struct strads_cluster_s strads_cluster_t;

typedef struct strads_cluster_opts_s {
	double heartbeat_s; /* heartbeat interval; default 0.25 */
	double timeout_s;   /* a member silent this long is dropped; 3 */
	double snapshot_s;  /* parameters gathered at a round boundary at
	                       most this often (after a check), kept in
	                       memory to go on from if a store is lost
	                       (with the worker, rotate and ssp tables: to go on
	                       from at any change of view); default 5 */
	const char *checkpoint_dir; /* also write a snapshot there (params
	                       and table files, then MANIFEST; the
	                       format: doc/cluster.md) at most every
	                       checkpoint_s seconds; NULL: none (borrowed
	                       for the cluster's life) */
	double checkpoint_s;  /* default 30 */
} strads_cluster_opts_t;

STRADS_EXTERN void strads_cluster_opts_init(strads_cluster_opts_t *o);
/* Starts the coordinator side on rt: rt must be node 1, started, with
 * no actor spawned yet (the membership actor is the first, at a
 * well-known address), listening where nodes join. */
STRADS_EXTERN int strads_cluster_new(strads_runtime_t *rt,
    const strads_cluster_opts_t *o, strads_cluster_t **cp);
/* Blocks until at least min_workers worker slots have joined: 0, or
 * STRADS_ETIMEDOUT after timeout_s (0: no limit). */
STRADS_EXTERN int strads_cluster_wait(strads_cluster_t *c, int min_workers,
    double timeout_s);
/* Runs app over the members: workers on the members with the worker
 * role (as many per node as it offered), stores and schedulers on the
 * members with those roles, or here when none has them. spec is handed
 * to every member's setup callback (strads_node_opts_t) so it can load
 * its data and build the same app. o->nworkers, nstores and
 * nschedulers are decided here. When the view changes under the job (a
 * member lost, joining with workers, or leaving) the parameters are
 * gathered from the stores, the round in flight is dropped, and the job
 * is laid out again over the new view, going on from them (a store
 * lost with its member: from the values the layout started from).
 * Progress reaches o's subscribers on the calling thread as in
 * strads_job_run; the metrics file of a job laid out again is appended
 * to, and iter, time_s and updates count on. An
 * app with worker, rotate or ssp tables goes on from the last snapshot
 * instead, those tables included (before the first: from its starting
 * values), redoing the rounds since. The ssp table is made here, in
 * the coordinator's process, for each layout (its shards on this
 * runtime, staleness o->ssp_staleness, a client for each worker of the
 * layout, its rows those of the snapshot gone on from), and every node
 * attaches to it (doc/schmp.md, "The ssp home across processes").
 * Returns as strads_job_run, or STRADS_EPEER when no worker is left. */
STRADS_EXTERN int strads_cluster_job_run(strads_cluster_t *c,
    const strads_app_t *app, void *shared, const strads_job_opts_t *o,
    const char *spec, strads_job_result_t *res);
/* Makes the next strads_cluster_job_run go on from the checkpoint in
 * dir: its parameters become the starting values (*init, p doubles,
 * malloc'd: pass it as o->init, free it after), and rounds, updates and
 * time count on from it; its worker, rotate and ssp tables and its sweep are
 * where that job starts (as after a change of view from a snapshot).
 * spec must be the spec the checkpoint was made with. 0, or
 * STRADS_ENOENT / STRADS_EIO / STRADS_EFORMAT (missing, unreadable,
 * corrupt) or STRADS_EINVAL (another job's checkpoint), with a message
 * naming the file in err. The job's app is known only to
 * strads_cluster_job_run: it returns STRADS_EINVAL, logging the
 * manifest and what differs, when the checkpoint's tables are not the
 * app's (names, homes, value types, rows, widths; a checkpoint of
 * before tables holds none), or when o->init is NULL and there are
 * tables. */
STRADS_EXTERN int strads_cluster_resume(strads_cluster_t *c, const char *dir,
    const char *spec, uint32_t p, double **init, char *err, size_t errlen);
/* Members now (node ids into nodes, at most max; returns the count). */
STRADS_EXTERN int strads_cluster_members(strads_cluster_t *c, uint32_t *nodes,
    int max);

/* A member of the view, as strads_cluster_view reports it. */
typedef struct strads_member_info_s {
	uint32_t node;
	unsigned roles;  /* STRADS_ROLE_* bits it offers */
	int workers;     /* its worker slots */
	uint64_t bytes;  /* bytes its runtime sent and received, as of its
	                    last heartbeat (0 before the first) */
} strads_member_info_t;

/* A partition of the job running now: rows [begin, end) of worker shard
 * index (store 0), or parameters [begin, end) of store index (store 1),
 * and the node that holds it. */
typedef struct strads_partition_s {
	int store;
	int index;
	uint64_t begin, end;
	uint32_t node;
} strads_partition_t;

/* The view now, for a status display: its epoch into *epoch; the
 * members into m (at most maxm; returns their count, which may be
 * larger); the running job's partitions into parts (at most maxp; their
 * count into *nparts, 0 between jobs). Any output may be NULL. Takes the
 * cluster's lock briefly; callable from any thread. */
STRADS_EXTERN int strads_cluster_view(strads_cluster_t *c, uint32_t *epoch,
    strads_member_info_t *m, int maxm, strads_partition_t *parts, int maxp,
    int *nparts);
/* Tells every member the cluster is closing, then frees c. Call before
 * stopping the runtime. */
STRADS_EXTERN void strads_cluster_free(strads_cluster_t *c);

typedef struct strads_node_opts_s {
	const char *join;      /* the coordinator's URL (required) */
	const char *advertise; /* the URL others dial to reach this node,
	                          where rt listens (required) */
	unsigned roles;        /* STRADS_ROLE_* bits; 0: all three */
	int workers;           /* worker slots offered; 0: rt's loops */
	int persist;           /* 1: after a job or a coordinator closing,
	                          wait for the next coordinator */
	double wait_s;         /* how long to wait for a coordinator to
	                          answer (or come back); default 30 */
	double heartbeat_s;    /* default 0.25 */
	double timeout_s;      /* coordinator silent this long: lost; 3 */
	/* Builds the app of a job from the coordinator's spec: load the
	 * data (paths are read here: a shared filesystem is assumed) and
	 * set *app and *shared; or return non-zero with a message in err.
	 * init is NULL, or the job's starting values (the parameters of a
	 * run that goes on after a change of view: the app's worker state
	 * must start from them, as with strads_job_opts_t.init). It stays
	 * valid until teardown. Between two stages of a job of stages
	 * (strads_job_opts_t.next) it is called again with the next
	 * stage's spec and init NULL, while the roles here wait: it must
	 * then change the shared state it gave (the penalty, say) and give
	 * the same app and shared. */
	int (*setup)(void *arg, const char *spec, const double *init,
	    const strads_app_t **app, void **shared, char *err, size_t errlen);
	/* Frees what setup made, once the job's roles here have stopped. */
	void (*teardown)(void *arg, void *shared);
	/* Polled a few times a second (may be NULL): non-zero asks to
	 * leave gracefully (e.g. after SIGTERM): the coordinator lays the
	 * job out without this node, then lets it go. */
	int (*should_leave)(void *arg);
	void *arg;
} strads_node_opts_t;

STRADS_EXTERN void strads_node_opts_init(strads_node_opts_t *o);
/* Joins the cluster and serves jobs until the coordinator closes it (0)
 * or a limit: STRADS_ETIMEDOUT when no coordinator answered within
 * wait_s (a wrong secret looks like this from the node's side, and is
 * logged), STRADS_EPEER when the coordinator was lost and did not come
 * back within wait_s, STRADS_EBUSY when a job's roles did not stop
 * within wait_s of being asked (then the runtime cannot be stopped
 * either: the caller should exit the process without freeing it). rt
 * must be started, listening at o->advertise, with no actor spawned
 * yet. */
STRADS_EXTERN int strads_node_run(strads_runtime_t *rt,
    const strads_node_opts_t *o);
/* A random node id for a node's runtime (never 0 or 1). */
STRADS_EXTERN uint32_t strads_random_node_id(void);

/* Loads a cluster secret: the whole file (one trailing newline
 * stripped) when file is not NULL, else the environment variable
 * envvar. 0, or a negative code with a message in err naming the file
 * or variable, never the secret. Free *out with strads_secret_free. */
STRADS_EXTERN int strads_secret_load(const char *file, const char *envvar,
    uint8_t **out, size_t *len, char *err, size_t errlen);
STRADS_EXTERN void strads_secret_free(uint8_t *s, size_t len);

/* ------------------------------------------------------------------ */
/* Logging to stderr; level from STRADS_LOG (error, warn, info, debug). */

enum { STRADS_LOG_ERROR, STRADS_LOG_WARN, STRADS_LOG_INFO, STRADS_LOG_DEBUG };
STRADS_EXTERN void strads_log_set_level(int level);
STRADS_EXTERN void strads_log(int level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Number of online cores (at least 1). */
STRADS_EXTERN int strads_ncores(void);
/* Monotonic clock in nanoseconds. */
STRADS_EXTERN uint64_t strads_now_ns(void);

/* ------------------------------------------------------------------ */
/* Large buffers for apps.                                             */

/*
 * A zeroed buffer of bytes for an app's large arrays (one value a
 * parameter or a row): from 256 KiB up it is a mapping of whole 2 MiB
 * pages from a 2 MiB boundary (the pointer returned is 64 bytes past it;
 * up to 2 MiB is wasted a buffer) with transparent huge pages asked for,
 * so its first touch costs about what zeroing it does rather than a page
 * fault each 4 KiB; smaller ones come from the heap.
 * NULL when out of memory. Free with strads_large_free (never free());
 * strads_large_free(NULL) does nothing. Any thread; never blocks beyond
 * the system call.
 */
STRADS_EXTERN void *strads_large_alloc(size_t bytes);
STRADS_EXTERN void strads_large_free(void *p);

/* ------------------------------------------------------------------ */
/* Files written whole or not at all.                                  */

/* Writes the contents of a file to f (a temporary file, opened "wb");
 * returns 0, or non-zero to abandon the write. Runs on the caller's
 * thread, inside strads_file_write_atomic(); may block. */
typedef int (*strads_file_write_cb)(FILE *f, void *arg);

/*
 * Writes path atomically: write_cb fills a temporary file in path's
 * directory (".NAME.XXXXXX", created with permissions mode), which is
 * flushed, fsynced and renamed to path; then the directory is fsynced so
 * the new name survives a crash. Readers see the old file or the new
 * one whole, never a part. 0 on success. On any failure before the
 * rename (write_cb returned non-zero: STRADS_ECANCELED; an I/O error:
 * STRADS_EIO; STRADS_ENOMEM) the temporary file is removed and the old
 * file, if any, is untouched. When only the directory's fsync fails, the
 * new file is in place but may not survive a crash: STRADS_EIO. err
 * (errlen bytes, may be NULL) gets a message naming path. Blocks.
 */
STRADS_EXTERN int strads_file_write_atomic(const char *path, unsigned mode,
    strads_file_write_cb write_cb, void *arg, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* STRADS_H */
