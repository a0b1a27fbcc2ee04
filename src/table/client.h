/*
 * client.h -- what the SSP table client's two files share (src/table/):
 * client.c (the client: opening and closing, buffered updates, clocks,
 * read-my-writes, checkpoints, its messages) and read.c (reads, bulk
 * reads and the per-loop cache of rows they go through). The table
 * object is create.c; table.h has what the shard actor shares too.
 */
#ifndef STRADS_TABLE_CLIENT_H
#define STRADS_TABLE_CLIENT_H

#include "table.h"

#include <stdlib.h>

/* ------------------------------------------------------------------ */
/* A map from uint64 keys to fixed-size values, stored densely in      */
/* insertion order (so flushes and files are deterministic). No        */
/* deletion: a map is cleared as a whole. Loop-thread only.            */

typedef struct tmap_s {
	strads__map_t index; /* key -> entry number (tmap_ent_t, map.h) */
	uint32_t n;          /* entries */
	uint32_t ncap;       /* room in keys and vals */
	uint64_t *keys;
	uint8_t *vals;       /* n x esize bytes */
	size_t esize;
} tmap_t;

/* An entry of the index: the key, then the entry's number. */
typedef struct {
	uint8_t key[8];
	uint32_t i;
} tmap_ent_t;

static inline uint64_t
tmap_hash(const void *key)
{
	uint64_t k;

	memcpy(&k, key, 8);
	return strads__tbl_hash(k);
}

static const strads__map_type_t tmap_type = {
	.ksize = 8,
	.hash = tmap_hash,
};

static inline void *
tmap_val(const tmap_t *m, uint32_t i)
{
	return m->vals + (size_t)i * m->esize;
}

/* The value of key, or NULL. */
static inline void *
tmap_find(const tmap_t *m, uint64_t key)
{
	const tmap_ent_t *e = strads__map_find(&m->index, &tmap_type, &key);

	return e != NULL ? tmap_val(m, e->i) : NULL;
}

static inline void
tmap_init(tmap_t *m, size_t esize)
{
	memset(m, 0, sizeof(*m));
	strads__map_init(&m->index, sizeof(tmap_ent_t));
	m->esize = esize;
}

static inline void
tmap_fini(tmap_t *m)
{
	strads__map_fini(&m->index, &tmap_type);
	free(m->keys);
	free(m->vals);
	tmap_init(m, m->esize);
}

static inline void
tmap_clear(tmap_t *m)
{
	strads__map_clear(&m->index, &tmap_type);
	m->n = 0;
}

/* The value of key, made (zeroed) when absent; NULL when out of memory. */
static inline void *
tmap_get(tmap_t *m, uint64_t key)
{
	tmap_ent_t *e = strads__map_find(&m->index, &tmap_type, &key);
	void *v;

	if (e != NULL)
		return tmap_val(m, e->i);
	if (m->n == UINT32_MAX / 2)
		return NULL;
	if (m->n == m->ncap) {
		uint32_t nc = m->ncap ? m->ncap * 2 : 16;
		uint64_t *k = realloc(m->keys, nc * sizeof(*k));
		uint8_t *vals;

		if (k == NULL)
			return NULL;
		m->keys = k;
		vals = realloc(m->vals, nc * m->esize);
		if (vals == NULL)
			return NULL;
		m->vals = vals;
		m->ncap = nc;
	}
	if ((e = strads__map_get(&m->index, &tmap_type, &key)) == NULL)
		return NULL;
	e->i = m->n;
	m->keys[m->n] = key;
	v = tmap_val(m, m->n);
	memset(v, 0, m->esize);
	m->n++;
	return v;
}

#if defined(__GNUC__)
#define PREFETCH(p, w) __builtin_prefetch((p), (w))
#else
#define PREFETCH(p, w) ((void)(p))
#endif

/* ------------------------------------------------------------------ */
/* The per-loop cache. Every table with an open client on a loop has a */
/* row map there, shared by the loop's clients of that table. A row    */
/* carries the clock vector of the shard state it came from (shared by */
/* the rows of one reply, counted by hand: loop-thread only).          */

typedef struct snap_s {
	uint32_t refs;
	uint32_t n;
	uint64_t version; /* the shard's count of clocks applied */
	uint64_t min;     /* min(clk): updates of clocks < min are in */
	uint64_t clk[];
} snap_t;

/* A cached row: the snapshot, then width doubles. */
typedef struct {
	snap_t *snap;
	double row[];
} centry_t;

typedef struct tcache_s {
	struct tcache_s *next;
	strads_table_t *table;
	uint32_t refs; /* open clients of the table on this loop */
	tmap_t rows;
} tcache_t;

/* ------------------------------------------------------------------ */
/* The client.                                                          */

/* A buffered update: flags (TBL_PUT), then width doubles. */
typedef struct {
	uint64_t flags;
	double row[];
} upd_t;

/* Bulk update buffers. The client fills an UPDATE_BULK payload in
 * place (keys from TBL_BULK_HDR with room for cap of them, then the
 * deltas), sends a message that shares it as soon as it is full (the
 * transport copies it into its frame), keeps it while a read of the
 * clock may need it, then reuses it: bulk updates touch no fresh memory
 * once a client has had a clock that large. Buffers are cut from slabs
 * of huge pages (strads__pages_alloc); a slab is freed with its last
 * buffer, on whatever thread drops the last reference. */
typedef struct slab_s {
	atomic_uint live; /* its buffers not yet released */
	uint8_t *base;
	size_t bytes;
	int mapped;
} slab_t;

typedef struct cbuf_s {
	strads_buf_t b;      /* first: the payload's references (one ours) */
	struct cbuf_s *next; /* in the pool or a log entry */
	slab_t *slab;
	uint8_t *data;
	uint32_t n, cap;     /* pairs in it; room */
	uint32_t voff;       /* the deltas follow voff keys: cap, n once sent */
} cbuf_t;

/* Own updates already sent, for the rows that may not show them yet:
 * a flush of the per-key buffer, or bulk buffers. */
typedef struct {
	uint64_t clock;
	int bulk;
	tmap_t map; /* of upd_t, when !bulk */
	cbuf_t *bufs;       /* when bulk */
} logent_t;

typedef struct req_s {
	struct req_s *next;
	uint64_t id;
	uint64_t clock; /* the read's clock */
	uint32_t n;
	uint64_t *keys;
	double *rows;    /* n x width */
	uint64_t *seen;  /* per row: the reader's clocks the base row holds */
	uint32_t *pos;   /* positions of the cache misses, grouped by shard */
	uint32_t *off;   /* nshards + 1 offsets into pos */
	uint32_t waiting; /* shard replies still due */
	strads_table_get_cb cb;
	void *arg;
} req_t;

/* A streamed bulk read's chunk: its message while it is filled, and
 * where its keys are in the caller's arrays until its rows are in. */
typedef struct {
	strads_msg_t *m; /* being filled; NULL once sent */
	uint32_t *pos;   /* chunk_get */
	uint32_t n, cap; /* keys in it, and room */
	uint32_t j;      /* its number, once sent */
	int k;           /* its shard, or -1: free */
} schunk_t;

/* A bulk read: the caller's arrays, borrowed until its callback. Its
 * keys go out in chunks of at most t->chunk_get, numbered across the
 * shards: shard k's are [cbase[k], cbase[k + 1]), chunk j of them
 * covers positions off[k] + j x chunk_get onwards (through pos when
 * there are several shards; directly with one). */
/* The last big bulk read's keys, grouped: a read of the same keys (a
 * worker pulling its key set again, round after round) skips hashing,
 * grouping and gathering them, at the price of a compare. Lent to one
 * read at a time. */
#define KC_MIN 65536 /* keys; smaller reads group fast enough */

typedef struct {
	uint64_t *keys;    /* n, in the caller's order */
	uint64_t *grouped; /* n, in the chunks' order */
	uint32_t *pos;     /* n: grouped[i] = keys[pos[i]]; a read's, kept */
	size_t *off;       /* nshards + 1 */
	size_t n, cap, pos_cap;
	int mapped[3];
	int valid, lent;
} kcache_t;

typedef struct breq_s {
	struct breq_s *next;
	uint64_t id;
	uint64_t clock;
	size_t n;
	const uint64_t *keys;
	double *rows;
	uint32_t *pos;   /* n positions grouped by shard; NULL: one shard */
	size_t pos_cap;  /* of pos, in positions */
	int pos_mapped;
	kcache_t *kc;    /* the client's key cache, lent to this read */
	const uint64_t *grouped; /* the keys in chunk order, or NULL */
	int pos_lent;    /* pos is kc's */
	size_t *off;     /* nshards + 1 */
	uint32_t *cbase; /* nshards + 1 */
	uint64_t *seen;  /* per chunk: the reader's clocks its rows hold */
	uint8_t *got;    /* per chunk: arrived */
	uint32_t nchunks, waiting;
	uint32_t *sent;  /* per shard: its chunks sent (a window of them is
	                    out at a time: sent[k] - got of shard k) */
	uint32_t *out;   /* per shard: chunks out */
	uint64_t need;
	strads_table_many_cb cb;
	void *arg;
	/* Streamed (see stream_pump): keys taken in the caller's order and
	 * split by shard only, a window of chunks at a time. */
	int stream;
	size_t scan;       /* keys taken so far */
	uint64_t fp;       /* their fingerprint (kc_seen) */
	schunk_t *sc;      /* nsc chunks: nshards x (GET_WINDOW + 1) */
	size_t nsc;
	schunk_t **fill;   /* per shard: its chunk being filled, or NULL */
} breq_t;

typedef struct ckreq_s {
	struct ckreq_s *next;
	uint64_t id;
	int waiting;
	int status;
	char errmsg[TBL_MAX_ERRMSG + 1];
	strads_table_ckpt_cb cb;
	void *arg;
} ckreq_t;

struct strads_table_client_s {
	strads_actor_t *self;
	strads_table_t *t;
	tcache_t *cache;
	uint32_t id;
	uint64_t clock;
	tmap_t buf; /* this clock's updates not yet sent (upd_t) */
	size_t buf_bytes;   /* their encoded size */
	logent_t *log;      /* oldest first */
	uint32_t nlog, logcap;
	cbuf_t **open;      /* nshards: bulk buffers being filled, not sent;
	                       always older than what buf holds */
	uint64_t open_pairs;
	cbuf_t *pool;       /* bulk buffers free for reuse */
	uint32_t *pos;      /* a bulk read's positions, kept for the next */
	size_t pos_cap;
	int pos_mapped;
	uint32_t *gid;      /* a bulk read's grouping scratch */
	size_t gid_cap;
	int gid_mapped;
	kcache_t kc;
	/* The last big read that did not fill kc: its length and a
	 * fingerprint of its keys. The cache is filled by the second read
	 * of a key set in a row (the fingerprint only picks when; a hit is
	 * always an exact compare), so a one-off read does not pay for
	 * copying what no read will use. */
	size_t kc_seen_n;
	uint64_t kc_seen;
	cbuf_t *retired;    /* bulk buffers the runtime still holds */
	/* 1 + the last clock whose bulk updates went out, or 0. Those are
	 * not kept past their clock (no read needs them once the shards
	 * applied them), so a cached row serves this client only when it
	 * holds them: when its clk[id] >= bulk_upto. */
	uint64_t bulk_upto;
	req_t *reqs;
	breq_t *breqs;
	ckreq_t *cks;
	uint64_t next_req;
	uint32_t *count; /* nshards scratch */
};

static inline size_t
upd_size(const strads_table_t *t)
{
	return sizeof(upd_t) + (size_t)t->width * sizeof(double);
}

static inline size_t
entry_bytes(const strads_table_t *t)
{
	return 16 + (size_t)t->width * t->vsize;
}

/* Bytes of a row on the wire. */
static inline size_t
row_bytes(const strads_table_t *t)
{
	return (size_t)t->width * t->vsize;
}

/* Whether key is one of t's (dense: below nrows). */
static inline int
key_ok(const strads_table_t *t, uint64_t key)
{
	return t->kind != STRADS_TABLE_DENSE || key < t->nrows;
}

/* ------------------------------------------------------------------ */
/* Across the two files.                                                */

/* read.c: the per-loop cache of a table, taken by each client that
 * opens on the loop (NULL: out of memory) and put back as it closes. */
tcache_t *strads__tbl_cache_get(strads__loop_t *loop, strads_table_t *t);
void strads__tbl_cache_put(strads__loop_t *loop, tcache_t *tc);
/* read.c: what reads still pending and the key cache hold, freed. */
void strads__tbl_req_free(req_t *r);
void strads__tbl_kc_free(kcache_t *kc);
void strads__tbl_breq_free(breq_t *r);
/* read.c: a shard's rows for a read, a bulk read's chunk, and a read
 * that the loop's cache answered (strads_table_client_recv): 1 when m
 * was one of the client's (consumed), 0 otherwise. */
int strads__tbl_recv_rows(strads_table_client_t *c, const strads_msg_t *m);
int strads__tbl_recv_rows_bulk(strads_table_client_t *c, const strads_msg_t *m);
int strads__tbl_recv_local(strads_table_client_t *c, const strads_msg_t *m);
/* client.c: read-my-writes (see there). */
int strads__tbl_overlay_needed(const strads_table_client_t *c, uint64_t min_seen);
void strads__tbl_overlay(const strads_table_client_t *c, const uint64_t *keys, size_t n,
    double *rows, const uint64_t *seen, uint64_t min_seen);

#endif
