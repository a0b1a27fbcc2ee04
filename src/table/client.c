/*
 * client.c -- an SSP table's client (buffered updates, clocks, reads,
 * bulk reads, checkpoints) and the per-loop cache of rows its reads go
 * through. The table object is create.c, its checkpoint files files.c,
 * the shard actor actors/table_shard.c.
 *
 * Why reads are exact. A shard applies a client's updates of clock k only
 * when that client's CLOCK(k) arrives, so its state always holds exactly
 * the updates of clocks < clk[i] of every client i, and every row it
 * sends carries that vector. A reader at clock c wants every update of
 * clocks <= c - s - 1, i.e. min(clk) >= c - s: the shard holds the read
 * until then, and the loop's cache answers only with rows whose vector
 * passes the same test. The reader's own updates of clocks >= clk[self]
 * are what the row lacks; the client keeps them (its log of the last s
 * + 1 clocks and its buffer) and lays them over the row. Nothing is
 * counted twice and nothing is missed, whichever way the messages race.
 */
#include "table.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

static uint64_t
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

static void
tmap_init(tmap_t *m, size_t esize)
{
	memset(m, 0, sizeof(*m));
	strads__map_init(&m->index, sizeof(tmap_ent_t));
	m->esize = esize;
}

static void
tmap_fini(tmap_t *m)
{
	strads__map_fini(&m->index, &tmap_type);
	free(m->keys);
	free(m->vals);
	tmap_init(m, m->esize);
}

static void
tmap_clear(tmap_t *m)
{
	strads__map_clear(&m->index, &tmap_type);
	m->n = 0;
}

/* The value of key, made (zeroed) when absent; NULL when out of memory. */
static void *
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

static void
snap_unref(snap_t *s)
{
	if (s != NULL && --s->refs == 0)
		free(s);
}

static void
tcache_clear(tcache_t *tc)
{
	uint32_t i;

	for (i = 0; i < tc->rows.n; i++)
		snap_unref(((centry_t *)tmap_val(&tc->rows, i))->snap);
	tmap_clear(&tc->rows);
}

static tcache_t *
tcache_get(strads__loop_t *loop, strads_table_t *t)
{
	tcache_t *tc;

	for (tc = loop->table_cache; tc != NULL; tc = tc->next) {
		if (tc->table == t) {
			tc->refs++;
			return tc;
		}
	}
	if ((tc = calloc(1, sizeof(*tc))) == NULL)
		return NULL;
	tc->table = t;
	tc->refs = 1;
	tmap_init(&tc->rows,
	    sizeof(centry_t) + (size_t)t->width * sizeof(double));
	tc->next = loop->table_cache;
	loop->table_cache = tc;
	return tc;
}

static void
tcache_put(strads__loop_t *loop, tcache_t *tc)
{
	tcache_t **pp;

	if (--tc->refs > 0)
		return;
	for (pp = (tcache_t **)&loop->table_cache; *pp != tc; pp = &(*pp)->next)
		;
	*pp = tc->next;
	tcache_clear(tc);
	tmap_fini(&tc->rows);
	free(tc);
}

/* Keeps row under key unless a newer state of the same shard is there
 * already (replies to different clients race). */
static void
tcache_store(tcache_t *tc, uint64_t key, const double *row, snap_t *snap)
{
	strads_table_t *t = tc->table;
	centry_t *e = tmap_find(&tc->rows, key);

	if (e != NULL && e->snap->version > snap->version)
		return;
	if (e == NULL && t->cache_rows != 0 && tc->rows.n >= t->cache_rows)
		tcache_clear(tc); /* full: start over, simple and bounded */
	if (e == NULL && (e = tmap_get(&tc->rows, key)) == NULL)
		return; /* out of memory: the cache only loses a row */
	snap_unref(e->snap);
	snap->refs++;
	e->snap = snap;
	memcpy(e->row, row, (size_t)t->width * sizeof(double));
}

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

static size_t
upd_size(const strads_table_t *t)
{
	return sizeof(upd_t) + (size_t)t->width * sizeof(double);
}

static size_t
entry_bytes(const strads_table_t *t)
{
	return 16 + (size_t)t->width * t->vsize;
}

/* Bytes of a row on the wire. */
static size_t
row_bytes(const strads_table_t *t)
{
	return (size_t)t->width * t->vsize;
}

static void
cbuf_release(strads_buf_t *b)
{
	cbuf_t *cb = (cbuf_t *)b;
	slab_t *sl = cb->slab;

	free(cb);
	if (atomic_fetch_sub(&sl->live, 1) == 1) {
		strads__pages_free(sl->base, sl->bytes, sl->mapped);
		free(sl);
	}
}

/* Drops the client's reference to each buffer of a list. */
static void
cbufs_drop(cbuf_t *cb)
{
	while (cb != NULL) {
		cbuf_t *next = cb->next;

		strads__buf_unref(&cb->b);
		cb = next;
	}
}

static int
cbuf_idle(const cbuf_t *cb)
{
	return atomic_load_explicit(&cb->b.refs, memory_order_acquire) == 1;
}

/* A list of buffers no read needs any more: to the pool, or, those the
 * runtime still holds (a send deferred, a local shard not done), to the
 * retired list until it lets go. */
static void
cbufs_retire(strads_table_client_t *c, cbuf_t *cb)
{
	while (cb != NULL) {
		cbuf_t *next = cb->next;

		if (cbuf_idle(cb)) {
			cb->next = c->pool;
			c->pool = cb;
		} else {
			cb->next = c->retired;
			c->retired = cb;
		}
		cb = next;
	}
}

/* Bytes of a bulk buffer. */
static size_t
cbuf_bytes(const strads_table_t *t)
{
	return TBL_BULK_HDR + (size_t)t->chunk_upd * (8 + row_bytes(t));
}

/* Makes the pool hold at least want buffers: from the retired ones
 * the runtime let go, then new slabs. */
static int
pool_fill(strads_table_client_t *c, uint64_t want)
{
	const strads_table_t *t = c->t;
	size_t bytes = (cbuf_bytes(t) + 63) & ~(size_t)63, per, i;
	uint64_t have = 0;
	cbuf_t *cb, **pp;

	for (cb = c->pool; cb != NULL && have < want; cb = cb->next)
		have++;
	for (pp = &c->retired; *pp != NULL && have < want;) {
		cb = *pp;
		if (!cbuf_idle(cb)) {
			pp = &cb->next;
			continue;
		}
		*pp = cb->next;
		cb->next = c->pool;
		c->pool = cb;
		have++;
	}
	/* Slabs of 4 MiB or more, whole huge pages. */
	per = bytes >= (4u << 20) ? 1 : (4u << 20) / bytes;
	while (have < want) {
		slab_t *sl = calloc(1, sizeof(*sl));

		if (sl == NULL)
			return STRADS_ENOMEM;
		sl->bytes = per * bytes;
		if ((sl->base = strads__pages_alloc(sl->bytes, &sl->mapped)) == NULL) {
			free(sl);
			return STRADS_ENOMEM;
		}
		atomic_init(&sl->live, (unsigned)per);
		for (i = 0; i < per; i++) {
			if ((cb = calloc(1, sizeof(*cb))) == NULL) {
				/* The slab goes with its last buffer. */
				while (i++ < per)
					if (atomic_fetch_sub(&sl->live, 1) == 1) {
						strads__pages_free(sl->base, sl->bytes,
						    sl->mapped);
						free(sl);
					}
				return STRADS_ENOMEM;
			}
			atomic_init(&cb->b.refs, 1);
			cb->b.release_cb = cbuf_release;
			cb->b.size = bytes;
			cb->slab = sl;
			cb->data = sl->base + i * bytes;
			cb->next = c->pool;
			c->pool = cb;
			have++;
		}
	}
	return 0;
}

static void
logent_fini(strads_table_client_t *c, logent_t *l)
{
	if (l->bulk)
		cbufs_retire(c, l->bufs);
	else
		tmap_fini(&l->map);
}


int
strads_table_client_open(strads_actor_t *self, strads_table_t *t, uint32_t id,
    strads_table_client_t **cp)
{
	strads_table_client_t *c;
	int taken;

	if (self == NULL || t == NULL || cp == NULL || id >= t->nclients ||
	    self->loop->rt != t->rt)
		return STRADS_EINVAL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return STRADS_ENOMEM;
	c->count = calloc((size_t)t->nshards, sizeof(*c->count));
	c->open = calloc((size_t)t->nshards, sizeof(*c->open));
	c->cache = tcache_get(self->loop, t);
	if (c->count == NULL || c->open == NULL || c->cache == NULL) {
		if (c->cache != NULL)
			tcache_put(self->loop, c->cache);
		free(c->count);
		free(c->open);
		free(c);
		return STRADS_ENOMEM;
	}
	uv_mutex_lock(&t->lock);
	taken = t->id_open[id];
	t->id_open[id] = 1;
	uv_mutex_unlock(&t->lock);
	if (taken) {
		tcache_put(self->loop, c->cache);
		free(c->count);
		free(c->open);
		free(c);
		return STRADS_EBUSY;
	}

	c->self = self;
	c->t = t;
	c->id = id;
	tmap_init(&c->buf, upd_size(t));
	*cp = c;
	return 0;
}

static void
req_free(req_t *r)
{
	free(r->keys);
	free(r->rows);
	free(r->seen);
	free(r->pos);
	free(r->off);
	free(r);
}

static void
kc_free(kcache_t *kc)
{
	strads__pages_free(kc->keys, kc->cap * 8, kc->mapped[0]);
	strads__pages_free(kc->grouped, kc->cap * 8, kc->mapped[1]);
	strads__pages_free(kc->pos, kc->pos_cap * 4, kc->mapped[2]);
	free(kc->off);
	memset(kc, 0, sizeof(*kc));
}

/* Whether r's keys are the cache's: then r borrows its grouping. */
static int
kc_hit(kcache_t *kc, breq_t *r, int nshards)
{
	if (!kc->valid || kc->lent || kc->n != r->n ||
	    memcmp(kc->keys, r->keys, r->n * 8) != 0)
		return 0;
	r->pos = kc->pos;
	r->pos_cap = kc->pos_cap;
	r->pos_lent = 1;
	r->grouped = kc->grouped;
	memcpy(r->off, kc->off, ((size_t)nshards + 1) * sizeof(*r->off));
	r->kc = kc;
	kc->lent = 1;
	return 1;
}

/* Keeps r's grouping (r->pos, taken, and r->off) for the next read,
 * and lends r the keys in chunk order; nothing when out of memory. */
static void
kc_fill(strads_table_client_t *c, breq_t *r, int nshards)
{
	kcache_t *kc = &c->kc;
	size_t n = r->n, i;

	if (kc->lent)
		return;
	kc->valid = 0;
	if (kc->cap < n || kc->off == NULL) {
		kc_free(kc);
		kc->keys = strads__pages_alloc(n * 8, &kc->mapped[0]);
		kc->grouped = strads__pages_alloc(n * 8, &kc->mapped[1]);
		kc->off = malloc(((size_t)nshards + 1) * sizeof(*kc->off));
		kc->cap = n;
		if (kc->keys == NULL || kc->grouped == NULL || kc->off == NULL) {
			kc_free(kc);
			return;
		}
	}
	memcpy(kc->keys, r->keys, n * 8);
	/* Its old positions array goes to the client's spare, which r
	 * took. */
	if (c->pos == NULL && kc->pos != NULL) {
		c->pos = kc->pos;
		c->pos_cap = kc->pos_cap;
		c->pos_mapped = kc->mapped[2];
	} else {
		strads__pages_free(kc->pos, kc->pos_cap * 4, kc->mapped[2]);
	}
	kc->pos = r->pos;
	kc->pos_cap = r->pos_cap;
	kc->mapped[2] = r->pos_mapped;
	r->pos_lent = 1;
	for (i = 0; i < n; i++) {
		if (i + 16 < n)
			PREFETCH(&r->keys[r->pos[i + 16]], 0);
		kc->grouped[i] = r->keys[r->pos[i]];
	}
	memcpy(kc->off, r->off, ((size_t)nshards + 1) * sizeof(*kc->off));
	kc->n = n;
	kc->valid = 1;
	kc->lent = 1;
	r->kc = kc;
	r->grouped = kc->grouped;
}

static void
breq_free(breq_t *r)
{
	size_t i;

	for (i = 0; r->sc != NULL && i < r->nsc; i++) {
		strads_msg_free(r->sc[i].m);
		free(r->sc[i].pos);
	}
	free(r->sc);
	free(r->fill);
	if (r->kc != NULL)
		r->kc->lent = 0;
	if (!r->pos_lent)
		strads__pages_free(r->pos, r->pos_cap * sizeof(*r->pos), r->pos_mapped);
	free(r->off);
	free(r->cbase);
	free(r->sent);
	free(r->out);
	free(r->seen);
	free(r->got);
	free(r);
}

void
strads_table_client_close(strads_table_client_t *c)
{
	uint32_t i;

	if (c == NULL)
		return;
	while (c->reqs != NULL) {
		req_t *r = c->reqs;

		c->reqs = r->next;
		r->cb(c, STRADS_ECANCELED, NULL, 0, NULL, r->arg);
		req_free(r);
	}
	while (c->breqs != NULL) {
		breq_t *r = c->breqs;

		c->breqs = r->next;
		r->cb(c, STRADS_ECANCELED, r->arg);
		breq_free(r);
	}
	while (c->cks != NULL) {
		ckreq_t *k = c->cks;

		c->cks = k->next;
		k->cb(c, STRADS_ECANCELED, "client closed", k->arg);
		free(k);
	}
	for (i = 0; i < c->nlog; i++) {
		if (c->log[i].bulk)
			cbufs_drop(c->log[i].bufs);
		else
			tmap_fini(&c->log[i].map);
	}
	free(c->log);
	for (i = 0; i < (uint32_t)c->t->nshards; i++)
		if (c->open[i] != NULL)
			strads__buf_unref(&c->open[i]->b);
	free(c->open);
	cbufs_drop(c->pool);
	cbufs_drop(c->retired);
	strads__pages_free(c->pos, c->pos_cap * sizeof(*c->pos), c->pos_mapped);
	strads__pages_free(c->gid, c->gid_cap * sizeof(*c->gid), c->gid_mapped);
	kc_free(&c->kc);
	tmap_fini(&c->buf);
	/* The id stays taken: the shards hold its clock, and a new client
	 * would start over at 0. */
	tcache_put(c->self->loop, c->cache);
	free(c->count);
	free(c);
}

uint64_t
strads_table_client_clock(const strads_table_client_t *c)
{
	return c->clock;
}

/* ------------------------------------------------------------------ */
/* Updates and clocks.                                                  */

static int
key_ok(const strads_table_t *t, uint64_t key)
{
	return t->kind != STRADS_TABLE_DENSE || key < t->nrows;
}

/* Makes room for one more log entry. */
static int
log_grow(strads_table_client_t *c)
{
	uint32_t cap;
	logent_t *l;

	if (c->nlog < c->logcap)
		return 0;
	cap = c->logcap ? c->logcap * 2 : 4;
	if ((l = realloc(c->log, cap * sizeof(*l))) == NULL)
		return STRADS_ENOMEM;
	c->log = l;
	c->logcap = cap;
	return 0;
}

/* The log entry for bulk buffers sent in this clock: the last entry
 * when it is one (a flush of the per-key buffer in between starts a new
 * one, which keeps their order). NULL when out of memory. */
static logent_t *
bulk_logent(strads_table_client_t *c)
{
	logent_t *l;

	if (c->nlog > 0 && c->log[c->nlog - 1].bulk &&
	    c->log[c->nlog - 1].clock == c->clock)
		return &c->log[c->nlog - 1];
	if (log_grow(c) != 0)
		return NULL;
	l = &c->log[c->nlog++];
	memset(l, 0, sizeof(*l));
	l->clock = c->clock;
	l->bulk = 1;
	return l;
}

/* Sends shard k's open buffer (made exact: the deltas moved up behind
 * its keys) and logs it. */
static int
send_open(strads_table_client_t *c, int k)
{
	strads_table_t *t = c->t;
	cbuf_t *cb = c->open[k];
	logent_t *l;
	strads_msg_t *m;
	uint8_t *p = cb->data;
	size_t len;

	if ((l = bulk_logent(c)) == NULL)
		return STRADS_ENOMEM;
	if (cb->voff != cb->n)
		memmove(p + TBL_BULK_HDR + (size_t)cb->n * 8,
		    p + TBL_BULK_HDR + (size_t)cb->voff * 8,
		    (size_t)cb->n * row_bytes(t));
	cb->voff = cb->n;
	strads__put32(p, c->id);
	strads__put32(p + 4, cb->n);
	strads__put64(p + 8, c->clock);
	strads__put32(p + 16, t->tag);
	strads__put32(p + 20, 0);
	len = TBL_BULK_HDR + (size_t)cb->n * (8 + row_bytes(t));
	if ((m = strads__msg_wrap(&cb->b, p, (uint32_t)len)) == NULL)
		return STRADS_ENOMEM;
	m->type = TBL_UPDATE_BULK;
	c->open[k] = NULL;
	c->open_pairs -= cb->n;
	cb->next = l->bufs;
	l->bufs = cb;
	c->bulk_upto = c->clock + 1;
	return strads_send(c->self, t->shards[k], m);
}

/* Sends every open bulk buffer. */
static int
bulk_send(strads_table_client_t *c)
{
	int k, rc;

	for (k = 0; k < c->t->nshards && c->open_pairs > 0; k++)
		if (c->open[k] != NULL && (rc = send_open(c, k)) != 0)
			return rc;
	return 0;
}

/* Sends this clock's buffered updates, one message per shard, and keeps
 * them in the log for the reader's own rows. The bulk buffer is older
 * and goes first, so every shard applies a client's updates in the
 * order they were made. */
static int
flush(strads_table_client_t *c)
{
	strads_table_t *t = c->t;
	strads_msg_t **msgs;
	uint8_t **at;
	uint32_t i;
	int k, rc = 0;

	if (c->buf.n == 0)
		return 0;
	if ((rc = bulk_send(c)) != 0)
		return rc;
	msgs = calloc((size_t)t->nshards, sizeof(*msgs));
	at = calloc((size_t)t->nshards, sizeof(*at));
	if (msgs == NULL || at == NULL) {
		free(msgs);
		free(at);
		return STRADS_ENOMEM;
	}
	memset(c->count, 0, (size_t)t->nshards * sizeof(*c->count));
	for (i = 0; i < c->buf.n; i++)
		c->count[strads__table_shard_of(t, c->buf.keys[i])]++;
	for (k = 0; k < t->nshards && rc == 0; k++) {
		if (c->count[k] == 0)
			continue;
		msgs[k] = strads_msg_new(TBL_UPDATE,
		    TBL_UPDATE_HDR + c->count[k] * entry_bytes(t));
		if (msgs[k] == NULL) {
			rc = STRADS_ENOMEM;
			break;
		}
		strads__put32(msgs[k]->data, c->id);
		strads__put32(msgs[k]->data + 4, c->count[k]);
		strads__put64(msgs[k]->data + 8, c->clock);
		at[k] = msgs[k]->data + TBL_UPDATE_HDR;
	}
	for (i = 0; i < c->buf.n && rc == 0; i++) {
		const upd_t *u = tmap_val(&c->buf, i);
		uint8_t *p = at[strads__table_shard_of(t, c->buf.keys[i])];

		strads__put64(p, c->buf.keys[i]);
		strads__put64(p + 8, u->flags);
		tbl_putv(p + 16, u->row, t->width, t->vsize);
		at[strads__table_shard_of(t, c->buf.keys[i])] += entry_bytes(t);
	}
	if (rc == 0)
		rc = log_grow(c);
	for (k = 0; k < t->nshards; k++) {
		if (msgs[k] == NULL)
			continue;
		if (rc != 0)
			strads_msg_free(msgs[k]);
		else if (strads_send(c->self, t->shards[k], msgs[k]) != 0)
			rc = STRADS_ENOMEM; /* strads_send took it */
	}
	free(msgs);
	free(at);
	if (rc != 0)
		return rc;
	c->log[c->nlog].clock = c->clock;
	c->log[c->nlog].bulk = 0;
	c->log[c->nlog].map = c->buf;
	c->log[c->nlog].bufs = NULL;
	c->nlog++;
	tmap_init(&c->buf, upd_size(t));
	c->buf_bytes = 0;
	return 0;
}

static int
update(strads_table_client_t *c, uint64_t key, const double *v, int put)
{
	strads_table_t *t;
	uint32_t n0, j;
	upd_t *u;

	if (c == NULL || v == NULL || !key_ok(c->t, key))
		return STRADS_EINVAL;
	t = c->t;
	n0 = c->buf.n;
	if ((u = tmap_get(&c->buf, key)) == NULL)
		return STRADS_ENOMEM;
	if (put) {
		u->flags = TBL_PUT;
		memcpy(u->row, v, (size_t)t->width * sizeof(double));
	} else {
		for (j = 0; j < t->width; j++)
			u->row[j] += v[j];
	}
	if (c->buf.n != n0)
		c->buf_bytes += entry_bytes(t);
	/* Early sends keep a client's buffer bounded; the shard still
	 * applies them only with this clock's CLOCK. */
	if (c->buf_bytes >= t->flush_bytes)
		return flush(c);
	return 0;
}

int
strads_table_inc(strads_table_client_t *c, uint64_t key, const double *delta)
{
	return update(c, key, delta, 0);
}

int
strads_table_put(strads_table_client_t *c, uint64_t key, const double *row)
{
	return update(c, key, row, 1);
}

/* Shard k's open buffer (taken from the pool, which was filled). */
static cbuf_t *
open_buf(strads_table_client_t *c, int k)
{
	cbuf_t *cb = c->open[k];

	if (cb == NULL) {
		cb = c->pool;
		STRADS__ASSERT(cb != NULL);
		c->pool = cb->next;
		cb->next = NULL;
		cb->n = 0;
		cb->cap = cb->voff = c->t->chunk_upd;
		c->open[k] = cb;
	}
	return cb;
}

int
strads_table_inc_many(strads_table_client_t *c, const uint64_t *keys,
    const double *deltas, size_t n)
{
	strads_table_t *t;
	size_t i, rb;
	int rc;

	if (c == NULL || (n > 0 && (keys == NULL || deltas == NULL)))
		return STRADS_EINVAL;
	t = c->t;
	rb = row_bytes(t);
	if (t->kind == STRADS_TABLE_DENSE)
		for (i = 0; i < n; i++)
			if (keys[i] >= t->nrows)
				return STRADS_EINVAL;
	if (n == 0)
		return 0;
	/* The per-key buffer is older: it goes first. Then every buffer
	 * this call can fill is in the pool before it starts, so nothing
	 * past this point fails but a send. */
	if ((rc = flush(c)) != 0 || (rc = log_grow(c)) != 0 ||
	    (rc = pool_fill(c, n / t->chunk_upd + (uint64_t)t->nshards + 1)) != 0)
		return rc;
	for (i = 0; i < n;) {
		int k = t->nshards == 1 ? 0 : strads__table_shard_of(t, keys[i]);
		cbuf_t *cb = open_buf(c, k);
		uint8_t *kp = cb->data + TBL_BULK_HDR;
		uint8_t *vp = kp + (size_t)cb->voff * 8;
		size_t take = 1;

		if (t->nshards == 1) {
			/* One shard: whole runs at a time. */
			take = cb->cap - cb->n < n - i ? cb->cap - cb->n : n - i;
			memcpy(kp + (size_t)cb->n * 8, keys + i, take * 8);
		} else {
			memcpy(kp + (size_t)cb->n * 8, keys + i, 8);
		}
		tbl_putv(vp + (size_t)cb->n * rb, deltas + i * t->width,
		    take * t->width, t->vsize);
		cb->n += (uint32_t)take;
		c->open_pairs += take;
		i += take;
		if (cb->n == cb->cap && (rc = send_open(c, k)) != 0)
			return rc;
	}
	return 0;
}

/* Drops the log entries no read can need. A row from a shard holds
 * every update of the reader's clocks below the clock it was read at
 * (per-pair order), and a cached row at least those below r - s; a
 * cached row never lacks bulk updates (see bulk_upto). */
static void
log_trim(strads_table_client_t *c)
{
	uint64_t low = c->clock;
	const req_t *r;
	const breq_t *b;
	uint32_t i, kept = 0;

	for (r = c->reqs; r != NULL; r = r->next)
		if (r->clock < low)
			low = r->clock;
	for (b = c->breqs; b != NULL; b = b->next)
		if (b->clock < low)
			low = b->clock;
	for (i = 0; i < c->nlog; i++) {
		logent_t *l = &c->log[i];

		if (l->bulk ? l->clock < low :
		    low >= c->t->staleness && l->clock < low - c->t->staleness)
			logent_fini(c, l);
		else
			c->log[kept++] = *l;
	}
	c->nlog = kept;
}

int
strads_table_clock(strads_table_client_t *c)
{
	strads_table_t *t = c->t;
	int k, rc;

	if ((rc = bulk_send(c)) != 0 || (rc = flush(c)) != 0)
		return rc;
	for (k = 0; k < t->nshards; k++) {
		strads_msg_t *m = strads_msg_new(TBL_CLOCK, 16);

		if (m == NULL)
			return STRADS_ENOMEM;
		strads__put32(m->data, c->id);
		strads__put32(m->data + 4, t->tag);
		strads__put64(m->data + 8, c->clock);
		if ((rc = strads_send(c->self, t->shards[k], m)) != 0)
			return rc;
	}
	c->clock++;
	log_trim(c);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Read-my-writes: the reader's own updates a row may lack, laid over  */
/* it. Row i holds the reader's clocks below seen[i]; it lacks its     */
/* updates of clocks >= seen[i]: those in the log, the bulk buffer and */
/* the per-key buffer, applied in the order they were made (a put      */
/* replaces what came before it).                                      */

static void
apply_upd(const strads_table_t *t, const upd_t *u, double *row)
{
	uint32_t j;

	if (u->flags & TBL_PUT)
		memcpy(row, u->row, (size_t)t->width * sizeof(double));
	else
		for (j = 0; j < t->width; j++)
			row[j] += u->row[j];
}

/* Bulk updates are arrays: they are laid over through an index of the
 * rows read, key -> its positions (the first, then a chain). */
typedef struct {
	tmap_t map; /* key -> uint32 (first position + 1) */
	uint32_t *next;     /* per position: the next with its key + 1 */
} pindex_t;

static int
pindex_build(pindex_t *x, const uint64_t *keys, size_t n)
{
	size_t i;

	tmap_init(&x->map, sizeof(uint32_t));
	if ((x->next = calloc(n ? n : 1, sizeof(*x->next))) == NULL)
		return STRADS_ENOMEM;
	for (i = 0; i < n; i++) {
		uint32_t *head = tmap_get(&x->map, keys[i]);

		if (head == NULL) {
			tmap_fini(&x->map);
			free(x->next);
			return STRADS_ENOMEM;
		}
		x->next[i] = *head;
		*head = (uint32_t)i + 1;
	}
	return 0;
}

static void
pindex_fini(pindex_t *x)
{
	tmap_fini(&x->map);
	free(x->next);
}

/* Adds a bulk buffer's deltas (clock sc) to the rows that lack them. */
static void
overlay_buf(const strads_table_t *t, const cbuf_t *cb, uint64_t sc,
    const pindex_t *x, const uint64_t *seen, double *rows, double *d)
{
	const uint8_t *kp = cb->data + TBL_BULK_HDR;
	const uint8_t *vp = kp + (size_t)cb->voff * 8;
	size_t rb = row_bytes(t);
	uint32_t i, p, q;

	for (i = 0; i < cb->n; i++) {
		const uint32_t *h;
		uint64_t key;

		memcpy(&key, kp + (size_t)i * 8, 8);
		if ((h = tmap_find(&x->map, key)) == NULL)
			continue;
		for (p = *h; p != 0; p = x->next[p - 1]) {
			if (seen[p - 1] > sc)
				continue;
			tbl_getv(d, vp + (size_t)i * rb, t->width, t->vsize);
			for (q = 0; q < t->width; q++)
				rows[(size_t)(p - 1) * t->width + q] += d[q];
		}
	}
}

/* Adds a per-key segment (clock sc) to the rows that lack it. */
static void
overlay_map(const strads_table_t *t, const tmap_t *m, uint64_t sc,
    const pindex_t *x, const uint64_t *seen, double *rows)
{
	uint32_t i, p;

	for (i = 0; i < m->n; i++) {
		const uint32_t *h = tmap_find(&x->map, m->keys[i]);

		for (p = h != NULL ? *h : 0; p != 0; p = x->next[p - 1])
			if (seen[p - 1] <= sc)
				apply_upd(t, tmap_val(m, i),
				    rows + (size_t)(p - 1) * t->width);
	}
}

/* 1 when a row holding the reader's clocks below min_seen may lack some
 * of its own updates. */
static int
overlay_needed(const strads_table_client_t *c, uint64_t min_seen)
{
	uint32_t l;

	if (c->open_pairs > 0 || c->buf.n > 0)
		return 1;
	for (l = 0; l < c->nlog; l++)
		if (c->log[l].clock >= min_seen)
			return 1;
	return 0;
}

/* Lays the reader's own updates over rows (n of them, for keys) that
 * lack them; min_seen is the least of seen. */
static void
overlay(const strads_table_client_t *c, const uint64_t *keys, size_t n,
    double *rows, const uint64_t *seen, uint64_t min_seen)
{
	const strads_table_t *t = c->t;
	int any = c->open_pairs > 0 || c->buf.n > 0, bulk = c->open_pairs > 0;
	const cbuf_t *cb;
	double *d;
	pindex_t x;
	uint32_t l;
	size_t i;
	int k;

	for (l = 0; l < c->nlog; l++) {
		if (c->log[l].clock >= min_seen) {
			any = 1;
			bulk |= c->log[l].bulk;
		}
	}
	if (!any || n == 0)
		return;
	if (!bulk) {
		/* Few maps, looked up per row. */
		for (i = 0; i < n; i++) {
			for (l = 0; l <= c->nlog; l++) {
				const tmap_t *m = l < c->nlog ?
				    &c->log[l].map : &c->buf;
				const upd_t *u;

				if (l < c->nlog && c->log[l].clock < seen[i])
					continue;
				if ((u = tmap_find(m, keys[i])) != NULL)
					apply_upd(t, u, rows + i * t->width);
			}
		}
		return;
	}
	if ((d = malloc((size_t)t->width * sizeof(*d))) == NULL ||
	    pindex_build(&x, keys, n) != 0) {
		free(d);
		strads_log(STRADS_LOG_ERROR, "table %s: out of memory: a read "
		    "misses the reader's own updates", t->name);
		return;
	}
	for (l = 0; l < c->nlog; l++) {
		if (c->log[l].clock < min_seen)
			continue;
		if (!c->log[l].bulk)
			overlay_map(t, &c->log[l].map, c->log[l].clock, &x, seen,
			    rows);
		for (cb = c->log[l].bufs; c->log[l].bulk && cb != NULL;
		     cb = cb->next)
			overlay_buf(t, cb, c->log[l].clock, &x, seen, rows, d);
	}
	/* The open bulk buffers, then the per-key ones (newer: see open). */
	for (k = 0; k < t->nshards; k++)
		if (c->open[k] != NULL)
			overlay_buf(t, c->open[k], c->clock, &x, seen, rows, d);
	overlay_map(t, &c->buf, c->clock, &x, seen, rows);
	pindex_fini(&x);
	free(d);
}

/* ------------------------------------------------------------------ */
/* Reads.                                                               */

static req_t *
req_new(const strads_table_t *t, uint32_t n)
{
	req_t *r = calloc(1, sizeof(*r));
	size_t m = n ? n : 1;

	if (r == NULL)
		return NULL;
	r->keys = malloc(m * sizeof(*r->keys));
	r->rows = malloc(m * t->width * sizeof(double));
	r->seen = malloc(m * sizeof(*r->seen));
	r->pos = malloc(m * sizeof(*r->pos));
	r->off = calloc((size_t)t->nshards + 1, sizeof(*r->off));
	if (r->keys == NULL || r->rows == NULL || r->seen == NULL ||
	    r->pos == NULL || r->off == NULL) {
		req_free(r);
		return NULL;
	}
	r->n = n;
	return r;
}

/* Fills the rows the loop's cache holds fresh enough for a read at
 * r->clock; groups the others by shard. Returns the misses. */
static uint32_t
req_from_cache(strads_table_client_t *c, req_t *r, uint64_t need)
{
	strads_table_t *t = c->t;
	uint32_t i, misses = 0, w = t->width;
	int k;

	memset(c->count, 0, (size_t)t->nshards * sizeof(*c->count));
	for (i = 0; i < r->n; i++) {
		const centry_t *e = tmap_find(&c->cache->rows, r->keys[i]);

		if (e != NULL && e->snap->min >= need &&
		    e->snap->clk[c->id] >= c->bulk_upto) {
			memcpy(r->rows + (size_t)i * w, e->row, w * sizeof(double));
			r->seen[i] = e->snap->clk[c->id];
			continue;
		}
		r->seen[i] = UINT64_MAX; /* a miss, for now */
		c->count[strads__table_shard_of(t, r->keys[i])]++;
		misses++;
	}
	for (k = 0; k < t->nshards; k++)
		r->off[k + 1] = r->off[k] + c->count[k];
	memset(c->count, 0, (size_t)t->nshards * sizeof(*c->count));
	for (i = 0; i < r->n; i++) {
		if (r->seen[i] != UINT64_MAX)
			continue;
		k = strads__table_shard_of(t, r->keys[i]);
		r->pos[r->off[k] + c->count[k]++] = i;
	}
	TBL_COUNT(t, cache_hits, r->n - misses);
	return misses;
}

static int
send_gets(strads_table_client_t *c, req_t *r, uint64_t need)
{
	strads_table_t *t = c->t;
	int k, rc;

	for (k = 0; k < t->nshards; k++) {
		uint32_t n = r->off[k + 1] - r->off[k], j;
		strads_msg_t *m;

		if (n == 0)
			continue;
		if ((m = strads_msg_new(TBL_GET, TBL_GET_HDR + (size_t)n * 8)) == NULL)
			return STRADS_ENOMEM;
		strads__put64(m->data, r->id);
		strads__put64(m->data + 8, need);
		strads__put32(m->data + 16, c->id);
		strads__put32(m->data + 20, n);
		for (j = 0; j < n; j++)
			strads__put64(m->data + TBL_GET_HDR + j * 8,
			    r->keys[r->pos[r->off[k] + j]]);
		if ((rc = strads_send(c->self, t->shards[k], m)) != 0)
			return rc;
		r->waiting++;
	}
	return 0;
}

/* A read whose rows all came from the cache completes from a message to
 * itself, so the callback never runs inside strads_table_get(). */
static int
send_local(strads_table_client_t *c, uint64_t id)
{
	strads_msg_t *m = strads_msg_new(TBL_LOCAL, 16);

	if (m == NULL)
		return STRADS_ENOMEM;
	/* Shard 0's address names a live table: actor ids carry a
	 * generation. */
	strads__put64(m->data, id);
	strads__put32(m->data + 8, c->t->shards[0].actor);
	strads__put32(m->data + 12, c->t->shards[0].node);
	return strads_send(c->self, strads_actor_addr(c->self), m);
}

static int
get_fits(const strads_table_client_t *c, uint32_t n)
{
	const strads_table_t *t = c->t;
	uint64_t lim = t->rt->cfg.max_frame - STRADS_MSG_HDR_SIZE;

	return TBL_GET_HDR + (uint64_t)n * 8 <= lim &&
	    TBL_ROWS_HDR + 8ull * t->nclients + (uint64_t)n * row_bytes(t) <= lim;
}

int
strads_table_get(strads_table_client_t *c, const uint64_t *keys, uint32_t n,
    strads_table_get_cb cb, void *arg)
{
	uint64_t need;
	uint32_t i;
	req_t *r;
	int rc;

	if (c == NULL || cb == NULL || (n > 0 && keys == NULL))
		return STRADS_EINVAL;
	for (i = 0; i < n; i++)
		if (!key_ok(c->t, keys[i]))
			return STRADS_EINVAL;
	if (!get_fits(c, n))
		return STRADS_EMSGSIZE;
	if ((r = req_new(c->t, n)) == NULL)
		return STRADS_ENOMEM;
	if (n > 0)
		memcpy(r->keys, keys, (size_t)n * sizeof(*keys));
	r->id = (uint64_t)c->id << 40 | (c->next_req++ & ((1ull << 40) - 1));
	r->clock = c->clock;
	r->cb = cb;
	r->arg = arg;
	/* The read wants every update of clocks <= clock - s - 1. */
	need = c->clock > c->t->staleness ? c->clock - c->t->staleness : 0;
	if (req_from_cache(c, r, need) > 0)
		rc = send_gets(c, r, need);
	else
		rc = send_local(c, r->id);
	if (rc != 0) {
		/* Replies to GETs already sent find no request: ignored. */
		req_free(r);
		return rc;
	}
	r->next = c->reqs;
	c->reqs = r;
	TBL_COUNT(c->t, gets, 1);
	TBL_COUNT(c->t, rows_read, n);
	return 0;
}

static req_t *
req_take(strads_table_client_t *c, uint64_t id)
{
	req_t **pp;

	for (pp = &c->reqs; *pp != NULL; pp = &(*pp)->next) {
		req_t *r = *pp;

		if (r->id == id) {
			*pp = r->next;
			return r;
		}
	}
	return NULL;
}

static void
req_complete(strads_table_client_t *c, req_t *r)
{
	uint64_t min = UINT64_MAX;
	uint32_t i;

	for (i = 0; i < r->n; i++)
		if (r->seen[i] < min)
			min = r->seen[i];
	overlay(c, r->keys, r->n, r->rows, r->seen, min);
	r->cb(c, 0, r->keys, r->n, r->rows, r->arg);
	req_free(r);
}

static snap_t *
snap_decode(const uint8_t *p, uint32_t n)
{
	snap_t *s = malloc(sizeof(*s) + (size_t)n * sizeof(uint64_t));
	uint32_t i;

	if (s == NULL)
		return NULL;
	s->refs = 1;
	s->n = n;
	s->version = strads__get64(p + 8);
	s->min = UINT64_MAX;
	for (i = 0; i < n; i++) {
		s->clk[i] = strads__get64(p + TBL_ROWS_HDR + (size_t)i * 8);
		if (s->clk[i] < s->min)
			s->min = s->clk[i];
	}
	return s;
}

/* A shard's rows for one of our reads. */
static int
recv_rows(strads_table_client_t *c, const strads_msg_t *m)
{
	strads_table_t *t = c->t;
	const uint8_t *p = m->data, *v;
	uint32_t k, n, j, w = t->width;
	snap_t *snap;
	req_t *r;

	k = strads__get32(p + 16);
	n = strads__get32(p + 20);
	if (k >= (uint32_t)t->nshards || !strads_addr_eq(m->src, t->shards[k]))
		return 0; /* another table's */
	if ((r = req_take(c, strads__get64(p))) == NULL)
		return 0; /* another client's, or a failed get's */
	if (strads__get32(p + 24) != t->nclients || strads__get32(p + 28) != w ||
	    n != r->off[k + 1] - r->off[k] ||
	    (uint64_t)m->len != TBL_ROWS_HDR + 8ull * t->nclients +
		(uint64_t)n * row_bytes(t) ||
	    (snap = snap_decode(p, t->nclients)) == NULL) {
		/* Not what we asked: the read cannot complete. */
		TBL_COUNT(t, rejected, 1);
		r->next = c->reqs;
		c->reqs = r;
		return 1;
	}
	v = p + TBL_ROWS_HDR + 8ull * t->nclients;
	for (j = 0; j < n; j++) {
		uint32_t at = r->pos[r->off[k] + j];

		tbl_getv(r->rows + (size_t)at * w, v + (size_t)j * row_bytes(t), w,
		    t->vsize);
		r->seen[at] = snap->clk[c->id];
		tcache_store(c->cache, r->keys[at], r->rows + (size_t)at * w, snap);
	}
	snap_unref(snap);
	if (--r->waiting > 0) {
		r->next = c->reqs;
		c->reqs = r;
		return 1;
	}
	req_complete(c, r);
	return 1;
}

static breq_t *breq_take(strads_table_client_t *c, uint64_t id);
static void breq_complete(strads_table_client_t *c, breq_t *r);

static int
recv_local(strads_table_client_t *c, const strads_msg_t *m)
{
	req_t *r;
	breq_t *b;

	if (!strads_addr_eq(m->src, strads_actor_addr(c->self)) ||
	    strads__get32(m->data + 8) != c->t->shards[0].actor ||
	    strads__get32(m->data + 12) != c->t->shards[0].node)
		return 0;
	if ((r = req_take(c, strads__get64(m->data))) != NULL) {
		req_complete(c, r);
		return 1;
	}
	if ((b = breq_take(c, strads__get64(m->data))) != NULL) {
		breq_complete(c, b);
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Bulk reads.                                                          */

static breq_t *
breq_take(strads_table_client_t *c, uint64_t id)
{
	breq_t **pp;

	for (pp = &c->breqs; *pp != NULL; pp = &(*pp)->next) {
		breq_t *r = *pp;

		if (r->id == id) {
			*pp = r->next;
			return r;
		}
	}
	return NULL;
}

static void
breq_complete(strads_table_client_t *c, breq_t *r)
{
	uint64_t min = UINT64_MAX, *seen;
	uint32_t j;
	size_t i;
	int k;

	for (j = 0; !r->stream && j < r->nchunks; j++)
		if (r->seen[j] < min)
			min = r->seen[j];
	/* Row by row only when the reader has updates the rows may lack
	 * (rare: a bulk read in the clock of its own writes). */
	if (r->n > 0 && !r->stream && overlay_needed(c, min)) {
		if ((seen = malloc(r->n * sizeof(*seen))) == NULL) {
			strads_log(STRADS_LOG_ERROR, "table %s: out of memory: a "
			    "read misses the reader's own updates", c->t->name);
		} else {
			for (k = 0; k < c->t->nshards; k++)
				for (i = r->off[k]; i < r->off[k + 1]; i++)
					seen[r->pos != NULL ? r->pos[i] : i] = r->seen[
					    r->cbase[k] + (i - r->off[k]) / c->t->chunk_get];
			overlay(c, r->keys, r->n, r->rows, seen, min);
			free(seen);
		}
	}
	/* Keep the larger positions array for the next read. */
	if (r->pos != NULL && !r->pos_lent && r->pos_cap > c->pos_cap) {
		uint32_t *p = c->pos;
		size_t cap = c->pos_cap;
		int mapped = c->pos_mapped;

		c->pos = r->pos;
		c->pos_cap = r->pos_cap;
		c->pos_mapped = r->pos_mapped;
		r->pos = p;
		r->pos_cap = cap;
		r->pos_mapped = mapped;
	}
	/* The key cache is free again before the callback: a read it
	 * makes of the same keys may borrow it (r no longer reads pos). */
	if (r->kc != NULL) {
		r->kc->lent = 0;
		r->kc = NULL;
	}
	r->cb(c, 0, r->arg);
	breq_free(r);
}

/* Bulk read chunks out at a time per shard: enough to keep every shard
 * and the link busy, few enough that their messages are reused memory,
 * not fresh. */
#define GET_WINDOW 3

/* Sends chunk j (shard k's). */
static int
breq_send1(strads_table_client_t *c, breq_t *r, int k, uint32_t j)
{
	strads_table_t *t = c->t;
	size_t at = r->off[k] + (size_t)(j - r->cbase[k]) * t->chunk_get, cnt, q;
	strads_msg_t *m;
	uint8_t *kp;

	cnt = r->off[k + 1] - at < t->chunk_get ? r->off[k + 1] - at :
	    t->chunk_get;
	if ((m = strads_msg_new(TBL_GET_BULK, TBL_GETB_HDR + cnt * 8)) == NULL)
		return STRADS_ENOMEM;
	strads__put64(m->data, r->id);
	strads__put64(m->data + 8, r->need);
	strads__put32(m->data + 16, c->id);
	strads__put32(m->data + 20, (uint32_t)cnt);
	strads__put32(m->data + 24, j);
	strads__put32(m->data + 28, t->tag);
	kp = m->data + TBL_GETB_HDR;
	if (r->pos == NULL) {
		memcpy(kp, r->keys + at, cnt * 8);
	} else if (r->grouped != NULL) {
		memcpy(kp, r->grouped + at, cnt * 8);
	} else {
		/* Grouped positions are all over the caller's array. */
		for (q = 0; q < cnt; q++) {
			if (q + 16 < cnt)
				PREFETCH(&r->keys[r->pos[at + q + 16]], 0);
			memcpy(kp + q * 8, &r->keys[r->pos[at + q]], 8);
		}
	}
	return strads_send(c->self, t->shards[k], m);
}

/* Sends each shard's next chunks, up to the window: the shards work on
 * the read side by side. */
static int
breq_send(strads_table_client_t *c, breq_t *r)
{
	int k, rc;

	for (k = 0; k < c->t->nshards; k++) {
		while (r->out[k] < GET_WINDOW &&
		    r->cbase[k] + r->sent[k] < r->cbase[k + 1]) {
			if ((rc = breq_send1(c, r, k, r->cbase[k] + r->sent[k])) != 0)
				return rc;
			r->sent[k]++;
			r->out[k]++;
			r->waiting++;
		}
	}
	return 0;
}

/* A key set's fingerprint (kc_seen): a term per key. */
#define FP_TERM(key, i) ((key) * (2 * (uint64_t)(i) + 1))

static uint64_t
keys_fp(const uint64_t *keys, size_t n)
{
	uint64_t fp = 0;
	size_t i;

	for (i = 0; i < n; i++)
		fp += FP_TERM(keys[i], i);
	return fp;
}

/* A first read of a key set is streamed: its keys are taken in the
 * caller's order, split by shard into chunks that keep their keys'
 * places, and each chunk goes once full, a window of them per shard out
 * at a time; the rest are taken as replies come. It reads the keys once
 * and writes a few chunks, where a grouped read (below) first writes a
 * shard and a position per key into arrays that are fresh memory on a
 * first read; the shards group each chunk themselves (reply_bulk). Only
 * for reads that need no overlay of the reader's own updates. */

/* A free chunk for shard k, open to fill with at most the left keys. */
static schunk_t *
stream_open(strads_table_client_t *c, breq_t *r, int k, size_t left)
{
	strads_table_t *t = c->t;
	size_t i;
	uint32_t cap = left < t->chunk_get ? (uint32_t)left : t->chunk_get;
	schunk_t *f = NULL;

	for (i = 0; i < r->nsc && f == NULL; i++)
		if (r->sc[i].k < 0)
			f = &r->sc[i];
	/* A shard holds at most its window out and one being filled. */
	STRADS__ASSERT(f != NULL);
	if (f->pos == NULL && (f->pos = malloc((r->n < t->chunk_get ? r->n :
	    t->chunk_get) * sizeof(*f->pos))) == NULL)
		return NULL;
	if ((f->m = strads_msg_new(TBL_GET_BULK, TBL_GETB_HDR +
	    (size_t)cap * 8)) == NULL)
		return NULL;
	f->k = k;
	f->n = 0;
	f->cap = cap;
	r->fill[k] = f;
	return f;
}

static int
stream_send(strads_table_client_t *c, breq_t *r, schunk_t *f)
{
	strads_msg_t *m = f->m;

	f->j = r->nchunks++;
	m->len = TBL_GETB_HDR + f->n * 8;
	strads__put64(m->data, r->id);
	strads__put64(m->data + 8, r->need);
	strads__put32(m->data + 16, c->id);
	strads__put32(m->data + 20, f->n);
	strads__put32(m->data + 24, f->j);
	strads__put32(m->data + 28, c->t->tag);
	f->m = NULL;
	r->fill[f->k] = NULL;
	r->out[f->k]++;
	r->waiting++;
	return strads_send(c->self, c->t->shards[f->k], m);
}

/* Takes keys until a shard's chunk is full and its window too (then
 * its next reply calls again), then sends the last chunks as their
 * windows allow. */
static int
stream_pump(strads_table_client_t *c, breq_t *r)
{
	strads_table_t *t = c->t;
	size_t i = r->scan, was = r->scan;
	uint64_t fp = r->fp;
	int k, rc = 0;

	for (; i < r->n; i++) {
		uint64_t key = r->keys[i];
		schunk_t *f;

		k = t->nshards == 1 ? 0 : strads__table_shard_of(t, key);
		f = r->fill[k];
		if (f != NULL && f->n == f->cap) {
			if (r->out[k] >= GET_WINDOW)
				break;
			if ((rc = stream_send(c, r, f)) != 0)
				break;
			f = NULL;
		}
		if (f == NULL && (f = stream_open(c, r, k, r->n - i)) == NULL) {
			rc = STRADS_ENOMEM;
			break;
		}
		f->pos[f->n] = (uint32_t)i;
		memcpy(f->m->data + TBL_GETB_HDR + (size_t)f->n * 8, &key, 8);
		f->n++;
		fp += FP_TERM(key, i);
	}
	r->scan = i;
	r->fp = fp;
	if (rc != 0)
		return rc;
	if (i < r->n)
		return 0;
	if (was < r->n && r->n >= KC_MIN) {
		c->kc_seen_n = r->n; /* the first time: fill on the next */
		c->kc_seen = fp;
	}
	for (k = 0; k < t->nshards; k++)
		if (r->fill[k] != NULL && r->out[k] < GET_WINDOW &&
		    (rc = stream_send(c, r, r->fill[k])) != 0)
			return rc;
	return 0;
}

/* Makes r a streamed read; r is freed on failure. */
static int
stream_setup(breq_t *r, int nshards)
{
	size_t i;

	r->stream = 1;
	r->nsc = (size_t)nshards * (GET_WINDOW + 1);
	r->sc = calloc(r->nsc, sizeof(*r->sc));
	r->fill = calloc((size_t)nshards, sizeof(*r->fill));
	r->out = calloc((size_t)nshards, sizeof(*r->out));
	if (r->sc == NULL || r->fill == NULL || r->out == NULL) {
		breq_free(r);
		return STRADS_ENOMEM;
	}
	for (i = 0; i < r->nsc; i++)
		r->sc[i].k = -1;
	return 0;
}

/* Sends r's first messages and makes it the client's; r is freed on
 * failure. */
static int
breq_start(strads_table_client_t *c, breq_t *r)
{
	int rc = r->stream ? stream_pump(c, r) : r->nchunks == 0 ?
	    send_local(c, r->id) : breq_send(c, r);

	if (rc != 0) {
		/* Replies to chunks already sent find no request: ignored. */
		breq_free(r);
		return rc;
	}
	r->next = c->breqs;
	c->breqs = r;
	TBL_COUNT(c->t, gets, 1);
	TBL_COUNT(c->t, rows_read, r->n);
	return 0;
}

/* A bulk read of n keys that waits until every client's clock is at
 * least need (strads_table_get_many: the reader's clock less s). */
static int
get_many_at(strads_table_client_t *c, const uint64_t *keys, size_t n,
    double *rows, uint64_t need, strads_table_many_cb cb, void *arg);

int
strads_table_get_many(strads_table_client_t *c, const uint64_t *keys,
    size_t n, double *rows, strads_table_many_cb cb, void *arg)
{
	if (c == NULL)
		return STRADS_EINVAL;
	return get_many_at(c, keys, n, rows,
	    c->clock > c->t->staleness ? c->clock - c->t->staleness : 0, cb, arg);
}

int
strads__table_get_many_at(strads_table_client_t *c, const uint64_t *keys,
    size_t n, double *rows, strads_table_many_cb cb, void *arg)
{
	if (c == NULL)
		return STRADS_EINVAL;
	return get_many_at(c, keys, n, rows, c->clock, cb, arg);
}

static int
get_many_at(strads_table_client_t *c, const uint64_t *keys, size_t n,
    double *rows, uint64_t need, strads_table_many_cb cb, void *arg)
{
	strads_table_t *t;
	uint32_t *cnt = NULL;
	size_t i;
	breq_t *r;
	int k, rc, group, bits = 0, hit = 0;

	if (c == NULL || cb == NULL || (n > 0 && (keys == NULL || rows == NULL)) ||
	    n >= UINT32_MAX)
		return STRADS_EINVAL;
	t = c->t;
	if (t->kind == STRADS_TABLE_DENSE)
		for (i = 0; i < n; i++)
			if (keys[i] >= t->nrows)
				return STRADS_EINVAL;
	/* Grouped (below) unless there is one dense shard. Buckets per
	 * shard: the map's, fewer with many shards (at most 64Ki groups). */
	group = t->nshards > 1 || t->kind == STRADS_TABLE_SPARSE;
	if (t->kind == STRADS_TABLE_SPARSE)
		for (bits = TBL_BUCKET_BITS;
		     bits > 0 && ((size_t)t->nshards << bits) > (1u << 16); bits--)
			;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return STRADS_ENOMEM;
	r->n = n;
	r->keys = keys;
	r->off = calloc((size_t)t->nshards + 1, sizeof(*r->off));
	r->cbase = calloc((size_t)t->nshards + 1, sizeof(*r->cbase));
	if (r->off == NULL || r->cbase == NULL) {
		breq_free(r);
		return STRADS_ENOMEM;
	}
	r->id = (uint64_t)c->id << 40 | (c->next_req++ & ((1ull << 40) - 1));
	r->clock = c->clock;
	r->rows = rows;
	r->cb = cb;
	r->arg = arg;
	r->need = need;
	hit = group && n >= KC_MIN && kc_hit(&c->kc, r, t->nshards);
	/* Streamed unless the reader's own updates are to be laid over the
	 * rows, or this is the second read of a key set in a row (grouped,
	 * to fill the key cache). */
	if (group && !hit && n > 0 && !overlay_needed(c, r->need) &&
	    !(n >= KC_MIN && c->kc_seen_n == n && keys_fp(keys, n) == c->kc_seen))
		return (rc = stream_setup(r, t->nshards)) != 0 ? rc : breq_start(c, r);
	/* The positions: the client's kept array when it is big enough
	 * (fresh pages are what a big read would pay most for). */
	if (hit) {
		/* The cache's. */
	} else if (group && c->pos != NULL && c->pos_cap >= n) {
		r->pos = c->pos;
		r->pos_cap = c->pos_cap;
		r->pos_mapped = c->pos_mapped;
		c->pos = NULL;
		c->pos_cap = 0;
	} else if (group) {
		r->pos_cap = n ? n : 1;
		r->pos = strads__pages_alloc(r->pos_cap * sizeof(*r->pos),
		    &r->pos_mapped);
	}
	if (group && !hit && c->gid_cap < n) {
		strads__pages_free(c->gid, c->gid_cap * sizeof(*c->gid),
		    c->gid_mapped);
		c->gid_cap = 0;
		if ((c->gid = strads__pages_alloc(n * sizeof(*c->gid),
		    &c->gid_mapped)) != NULL)
			c->gid_cap = n;
	}
	if (group && !hit && (r->pos == NULL || c->gid == NULL ||
	    (cnt = calloc(((size_t)t->nshards << bits) + 1, sizeof(*cnt))) == NULL)) {
		breq_free(r);
		return STRADS_ENOMEM;
	}
	/* Positions grouped by shard and, within a shard's, by the bucket
	 * of the shard's map (the top bits of the key's hash): each chunk
	 * then covers a contiguous part of its shard's map, which the shard
	 * walks in address order, densely. A counting sort. */
	if (!group) {
		r->off[1] = n;
	} else if (!hit) {
		size_t ng = (size_t)t->nshards << bits, g;
		uint64_t fp = 0;

		for (i = 0; i < n; i++) {
			c->gid[i] = (uint32_t)((size_t)strads__table_shard_of(t,
			    keys[i]) << bits | (bits ? strads__tbl_hash(keys[i]) >>
			    (64 - bits) : 0));
			cnt[c->gid[i] + 1]++;
			fp += FP_TERM(keys[i], i);
		}
		for (g = 0; g < ng; g++)
			cnt[g + 1] += cnt[g];
		for (k = 0; k <= t->nshards; k++)
			r->off[k] = cnt[(size_t)k << bits];
		for (i = 0; i < n; i++)
			r->pos[cnt[c->gid[i]]++] = (uint32_t)i;
		free(cnt);
		if (n >= KC_MIN && c->kc_seen_n == n && c->kc_seen == fp) {
			kc_fill(c, r, t->nshards);
			c->kc_seen_n = 0;
		} else if (n >= KC_MIN) {
			c->kc_seen_n = n; /* the first time: fill on the next */
			c->kc_seen = fp;
		}
	}
	for (k = 0; k < t->nshards; k++)
		r->cbase[k + 1] = r->cbase[k] + (uint32_t)((r->off[k + 1] -
		    r->off[k] + t->chunk_get - 1) / t->chunk_get);
	r->nchunks = r->cbase[t->nshards];
	r->seen = malloc((r->nchunks ? r->nchunks : 1) * sizeof(*r->seen));
	r->got = calloc(r->nchunks ? r->nchunks : 1, 1);
	r->sent = calloc((size_t)t->nshards, sizeof(*r->sent));
	r->out = calloc((size_t)t->nshards, sizeof(*r->out));
	if (r->seen == NULL || r->got == NULL || r->sent == NULL ||
	    r->out == NULL) {
		breq_free(r);
		return STRADS_ENOMEM;
	}
	return breq_start(c, r);
}

/* A chunk's n rows (v, as the shard sent them) into rows: row q at
 * pos[q], or at at + q without pos. */
static void
rows_put(const strads_table_t *t, double *rows, const uint32_t *pos,
    size_t at, const uint8_t *v, uint32_t n)
{
	size_t rb = row_bytes(t);
	uint32_t q;

	if (pos == NULL) {
		tbl_getv(rows + at * t->width, v, (size_t)n * t->width, t->vsize);
	} else if (t->width == 1 && t->vsize == 4) {
		for (q = 0; q < n; q++) {
			float f;

			if (q + 16 < n)
				PREFETCH(&rows[pos[q + 16]], 1);
			memcpy(&f, v + (size_t)q * 4, 4);
			rows[pos[q]] = f;
		}
	} else {
		for (q = 0; q < n; q++) {
			if (q + 16 < n)
				PREFETCH(&rows[(size_t)pos[q + 16] * t->width], 1);
			tbl_getv(rows + (size_t)pos[q] * t->width,
			    v + (size_t)q * rb, t->width, t->vsize);
		}
	}
}

/* A shard's rows for one chunk of a bulk read. */
static int
recv_rows_bulk(strads_table_client_t *c, const strads_msg_t *m)
{
	strads_table_t *t = c->t;
	const uint8_t *p = m->data, *v = m->data + TBL_ROWSB_HDR;
	uint32_t k = strads__get32(p + 16), n = strads__get32(p + 20);
	uint32_t j = strads__get32(p + 24);
	size_t rb = row_bytes(t), at, q;
	schunk_t *f = NULL;
	breq_t **pp, *r;
	int rc;

	if (k >= (uint32_t)t->nshards || !strads_addr_eq(m->src, t->shards[k]))
		return 0; /* another table's */
	for (pp = &c->breqs; *pp != NULL && (*pp)->id != strads__get64(p);
	     pp = &(*pp)->next)
		;
	if ((r = *pp) == NULL)
		return 0; /* another client's, or a failed read's */
	if (r->stream) {
		for (q = 0; q < r->nsc; q++)
			if (r->sc[q].k == (int)k && r->sc[q].m == NULL &&
			    r->sc[q].j == j)
				break;
		f = q < r->nsc ? &r->sc[q] : NULL;
	}
	at = r->stream ? 0 : r->off[k] + (size_t)(j - r->cbase[k]) * t->chunk_get;
	if ((r->stream ? f == NULL || n != f->n : j < r->cbase[k] ||
	    j >= r->cbase[k + 1] || r->got[j] || n != (r->off[k + 1] - at <
	    t->chunk_get ? r->off[k + 1] - at : t->chunk_get)) ||
	    (uint64_t)m->len != TBL_ROWSB_HDR + (uint64_t)n * rb) {
		/* Not what we asked: the read cannot complete. */
		TBL_COUNT(t, rejected, 1);
		return 1;
	}
	rows_put(t, r->rows, r->stream ? f->pos : r->pos != NULL ?
	    r->pos + at : NULL, at, v, n);
	r->waiting--;
	r->out[k]--;
	if (r->stream) {
		f->k = -1; /* free for the next chunk */
		rc = stream_pump(c, r);
	} else {
		r->seen[j] = strads__get64(p + 8);
		r->got[j] = 1;
		rc = breq_send(c, r);
	}
	if (rc != 0) {
		/* The rest cannot be asked: the read ends here (replies to
		 * chunks still out find no request). */
		*pp = r->next;
		r->cb(c, rc, r->arg);
		breq_free(r);
		return 1;
	}
	if (r->waiting > 0 || (r->stream && r->scan < r->n))
		return 1;
	*pp = r->next;
	breq_complete(c, r);
	return 1;
}

/* ------------------------------------------------------------------ */
/* Checkpoints.                                                         */

int
strads_table_checkpoint(strads_table_client_t *c, const char *dir,
    strads_table_ckpt_cb cb, void *arg)
{
	strads_table_t *t;
	size_t dl;
	ckreq_t *k;
	int i, rc;

	if (c == NULL || dir == NULL || cb == NULL)
		return STRADS_EINVAL;
	t = c->t;
	if ((dl = strlen(dir)) == 0 || dl > TBL_MAX_DIR)
		return STRADS_EINVAL;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return STRADS_ENOMEM;
	k->id = (uint64_t)c->id << 40 | (c->next_req++ & ((1ull << 40) - 1));
	k->cb = cb;
	k->arg = arg;
	for (i = 0; i < t->nshards; i++) {
		strads_msg_t *m = strads_msg_new(TBL_CKPT, TBL_CKPT_HDR + dl);

		if (m == NULL) {
			free(k); /* DONEs of shards already asked are ignored */
			return STRADS_ENOMEM;
		}
		strads__put64(m->data, k->id);
		strads__put64(m->data + 8, c->clock);
		strads__put32(m->data + 16, c->id);
		strads__put32(m->data + 20, (uint32_t)dl);
		memcpy(m->data + TBL_CKPT_HDR, dir, dl);
		if ((rc = strads_send(c->self, t->shards[i], m)) != 0) {
			free(k);
			return rc;
		}
		k->waiting++;
	}
	k->next = c->cks;
	c->cks = k;
	return 0;
}

static int
recv_ckpt_done(strads_table_client_t *c, const strads_msg_t *m)
{
	strads_table_t *t = c->t;
	const uint8_t *p = m->data;
	uint32_t k = strads__get32(p + 12), ml = strads__get32(p + 16);
	int status = (int)strads__get32(p + 8);
	ckreq_t **pp, *ck;

	if (k >= (uint32_t)t->nshards || !strads_addr_eq(m->src, t->shards[k]))
		return 0;
	for (pp = &c->cks; *pp != NULL && (*pp)->id != strads__get64(p);
	     pp = &(*pp)->next)
		;
	if ((ck = *pp) == NULL)
		return 0;
	if (status > 0 || status < STRADS_EFORMAT ||
	    (uint64_t)TBL_DONE_HDR + ml != m->len) {
		TBL_COUNT(t, rejected, 1);
		status = STRADS_EPROTO;
		ml = 0;
	}
	if (status != 0 && ck->status == 0) {
		ck->status = status;
		snprintf(ck->errmsg, sizeof(ck->errmsg), "%.*s", (int)ml,
		    (const char *)p + TBL_DONE_HDR);
	}
	if (--ck->waiting > 0)
		return 1;
	*pp = ck->next;
	ck->cb(c, ck->status, ck->status != 0 ? ck->errmsg : NULL, ck->arg);
	free(ck);
	return 1;
}

int
strads_table_client_recv(strads_table_client_t *c, const strads_msg_t *m)
{
	if (c == NULL || m == NULL)
		return 0;
	/* The runtime checked the payload lengths against the type table
	 * (remote messages) or built them itself (local ones). */
	switch (m->type) {
	case TBL_ROWS:
		return m->len >= TBL_ROWS_HDR ? recv_rows(c, m) : 0;
	case TBL_ROWS_BULK:
		return m->len >= TBL_ROWSB_HDR ? recv_rows_bulk(c, m) : 0;
	case TBL_LOCAL:
		return m->len == 16 ? recv_local(c, m) : 0;
	case TBL_CKPT_DONE:
		return m->len >= TBL_DONE_HDR ? recv_ckpt_done(c, m) : 0;
	default:
		return 0;
	}
}
