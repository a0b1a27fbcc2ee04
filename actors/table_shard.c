/*
 * table_shard.c -- the table-shard actor: owns one partition of an SSP table
 * (a contiguous key range of a dense table, or the keys of a sparse one
 * that hash to it, in an open-addressing map), applies the clients'
 * updates clock by clock, answers reads once they are fresh enough and
 * writes checkpoints. Bulk updates and reads (arrays of keys and values)
 * run in tight loops that prefetch the map slots of the keys ahead.
 *
 * A client's updates of clock k wait here until its CLOCK(k) arrives and
 * are applied then, once: the state always holds exactly the updates of
 * clocks < clk[i] of each client i (the client side relies on that, see
 * src/table/client.c). Per-pair ordering puts every update of clock k before
 * CLOCK(k), so an update for a clock already applied is a protocol
 * error, never a resend: there is no resend, and an update is applied
 * exactly once because its message is delivered exactly once.
 */
#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#if defined(__GNUC__)
#define PREFETCH_W(p) __builtin_prefetch((p), 1)
#define PREFETCH_R(p) __builtin_prefetch((p), 0)
#else
#define PREFETCH_W(p) ((void)(p))
#define PREFETCH_R(p) ((void)(p))
#endif

/* Keys looked up ahead in the bulk loops (their map slots prefetched). */
#define LOOKAHEAD 16

/* ------------------------------------------------------------------ */
/* A sparse partition: the library's map (map.h) on uint64 keys, each  */
/* entry the key then the row (rounded up to 4 bytes), so a lookup     */
/* touches one cache line. A key's home slot is the top bits of its    */
/* hash: keys in hash order visit the array in address order, which is */
/* what the bulk paths arrange (see TBL_BUCKET_BITS), and growing the  */
/* array is one sequential pass. The wrappers below take the hash the  */
/* bulk paths computed once.                                           */

typedef strads__map_t smap_t;

static uint64_t
smap_hash(const void *key)
{
	uint64_t k;

	memcpy(&k, key, 8);
	return strads__tbl_hash(k);
}

static const strads__map_type_t smap_type = {
	.ksize = 8,
	.hash = smap_hash,
};

static void
smap_init(smap_t *m, size_t rowb)
{
	strads__map_init(m, 8 + ((rowb + 3) & ~(size_t)3));
}

static void
smap_fini(smap_t *m)
{
	strads__map_fini(m, &smap_type);
}

static int
smap_reserve(smap_t *m, uint64_t n)
{
	return strads__map_reserve(m, &smap_type, n);
}

/* The row of key (hash h), or NULL. */
static inline uint8_t *
smap_find(const smap_t *m, uint64_t key, uint64_t h)
{
	uint8_t *e = strads__map_findh(m, &smap_type, &key, h);

	return e != NULL ? e + 8 : NULL;
}

/* The row of key (hash h), made (zeroed) when absent; NULL when out of
 * memory. */
static inline uint8_t *
smap_get(smap_t *m, uint64_t key, uint64_t h)
{
	uint8_t *e = strads__map_geth(m, &smap_type, &key, h);

	return e != NULL ? e + 8 : NULL;
}

static inline void
smap_prefetch(const smap_t *m, uint64_t h, int write)
{
	if (m->cap == 0)
		return;
	if (write)
		PREFETCH_W(strads__map_home(m, h));
	else
		PREFETCH_R(strads__map_home(m, h));
}

/* ------------------------------------------------------------------ */
/* Values: vsize bytes each (8: f64, 4: f32), in rows of w.            */

static inline void
vadd(uint8_t *row, const uint8_t *d, uint32_t w, uint32_t vsize)
{
	uint32_t j;

	if (vsize == 8) {
		for (j = 0; j < w; j++) {
			double a, b;

			memcpy(&a, row + 8 * j, 8);
			memcpy(&b, d + 8 * j, 8);
			a += b;
			memcpy(row + 8 * j, &a, 8);
		}
	} else {
		for (j = 0; j < w; j++) {
			float a, b;

			memcpy(&a, row + 4 * j, 4);
			memcpy(&b, d + 4 * j, 4);
			a += b;
			memcpy(row + 4 * j, &a, 4);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Staging. An UPDATE_BULK waits for its clock as a block: its pairs    */
/* grouped by hash bucket (a counting sort on arrival, while the rest   */
/* of the transfer is still on the way), so the apply at the clock      */
/* walks the map region by region. Blocks are bump-allocated in big     */
/* regions the shard keeps for reuse: a clock's staging touches no      */
/* fresh memory once the shard has seen a clock that large.             */

#define REGION_MIN (8u << 20)
#define STAGE_MIN_PAIRS 4096 /* smaller blocks are not grouped */

typedef struct region_s {
	struct region_s *next;
	uint8_t *base;
	size_t size, used;
	uint32_t live; /* blocks in it */
	int mapped;
} region_t;

typedef struct {
	region_t *region;
	uint32_t n;   /* pairs */
	uint32_t nb;  /* buckets: TBL_NBUCKETS, or 1 (not grouped) */
	uint32_t *off; /* nb + 1: bucket b's pairs are [off[b], off[b + 1]) */
	uint64_t *keys;
	uint8_t *vals; /* n rows */
} sblock_t;

/* A message kept past its callback (a shared envelope), or a staged
 * block. */
typedef struct held_s {
	struct held_s *next;
	strads_msg_t *m;  /* NULL for a block */
	sblock_t *blk;
	uint64_t need; /* GET, CKPT: the min clock it waits for */
} held_t;

/* A checkpoint on the compute pool: a copy of the partition. */
typedef struct ckjob_s {
	struct ckjob_s *next;
	const strads_table_t *t;
	strads_addr_t to;
	uint64_t req, nent;
	int shard, status;
	uint64_t *clk, *keys;
	double *rows;
	char dir[TBL_MAX_DIR + 1];
	char err[TBL_MAX_ERRMSG];
} ckjob_t;

typedef struct {
	strads_table_t *t;
	int index;
	uint32_t w, nclients;
	uint32_t vsize;      /* bytes of a value: 8 or 4 */
	size_t rowb;         /* bytes of a row: w x vsize */
	uint64_t begin, end; /* dense: keys [begin, end) */
	uint8_t *dense;      /* (end - begin) rows */
	size_t dense_bytes;
	int dense_mapped;
	smap_t sparse;       /* key -> row */
	uint64_t *clk;       /* per client: clocks applied */
	uint64_t min, version;
	held_t **qhead, **qtail; /* per client: updates awaiting CLOCK */
	held_t *held;        /* reads and checkpoints awaiting min */
	ckjob_t *jobs;
	region_t *cur;       /* staging: the region being filled */
	region_t *regions;   /* the others (full, or empty for reuse) */
	uint32_t *scratch;   /* grouping: per pair its bucket, then positions */
	size_t scratch_cap;
	int scratch_mapped;
} shard_t;

/* ------------------------------------------------------------------ */
/* Staging memory.                                                      */

static sblock_t *
block_alloc(shard_t *s, uint32_t n, uint32_t nb)
{
	size_t bytes;
	region_t *r = s->cur, **pp;
	sblock_t *b;
	uint8_t *p;

	bytes = (sizeof(sblock_t) + ((size_t)nb + 1) * 4 + 7) / 8 * 8 +
	    (size_t)n * 8 + ((size_t)n * s->rowb + 7) / 8 * 8;
	if (r == NULL || r->size - r->used < bytes) {
		/* An empty region that fits, else a new one. */
		for (pp = &s->regions; *pp != NULL; pp = &(*pp)->next)
			if ((*pp)->live == 0 && (*pp)->size >= bytes)
				break;
		if (*pp != NULL) {
			r = *pp;
			*pp = r->next;
			r->used = 0;
		} else {
			if ((r = calloc(1, sizeof(*r))) == NULL)
				return NULL;
			r->size = bytes > REGION_MIN ? bytes : REGION_MIN;
			if ((r->base = strads__pages_alloc(r->size, &r->mapped)) == NULL) {
				free(r);
				return NULL;
			}
		}
		if (s->cur != NULL) {
			s->cur->next = s->regions;
			s->regions = s->cur;
		}
		s->cur = r;
	}
	p = r->base + r->used;
	r->used += bytes;
	r->live++;
	b = (sblock_t *)p;
	b->region = r;
	b->n = n;
	b->nb = nb;
	p += (sizeof(sblock_t) + 7) / 8 * 8;
	b->off = (uint32_t *)p;
	p += (((size_t)nb + 1) * 4 + 7) / 8 * 8;
	b->keys = (uint64_t *)p;
	b->vals = p + (size_t)n * 8;
	return b;
}

static void
block_free(shard_t *s, sblock_t *b)
{
	region_t *r = b->region;

	if (--r->live == 0 && r == s->cur)
		r->used = 0;
}

static void
regions_free(region_t *r)
{
	while (r != NULL) {
		region_t *next = r->next;

		strads__pages_free(r->base, r->size, r->mapped);
		free(r);
		r = next;
	}
}

static void
held_free(shard_t *s, held_t *h)
{
	while (h != NULL) {
		held_t *next = h->next;

		strads_msg_free(h->m);
		if (h->blk != NULL)
			block_free(s, h->blk);
		free(h);
		h = next;
	}
}

/* Scratch of n uint32 (grown, kept). */
static uint32_t *
scratch(shard_t *s, size_t n)
{
	if (n > s->scratch_cap) {
		size_t cap = n > 2 * s->scratch_cap ? n : 2 * s->scratch_cap;

		strads__pages_free(s->scratch, s->scratch_cap * 4, s->scratch_mapped);
		s->scratch_cap = 0;
		if ((s->scratch = strads__pages_alloc(cap * 4, &s->scratch_mapped)) ==
		    NULL)
			return NULL;
		s->scratch_cap = cap;
	}
	return s->scratch;
}

static void
job_free(ckjob_t *j)
{
	free(j->clk);
	free(j->keys);
	free(j->rows);
	free(j);
}

static void
shard_free(shard_t *s)
{
	uint32_t i;

	for (i = 0; s->qhead != NULL && i < s->nclients; i++)
		held_free(s, s->qhead[i]);
	held_free(s, s->held);
	while (s->jobs != NULL) {
		ckjob_t *j = s->jobs;

		s->jobs = j->next;
		job_free(j);
	}
	free(s->qhead);
	free(s->qtail);
	free(s->clk);
	strads__pages_free(s->dense, s->dense_bytes, s->dense_mapped);
	s->dense = NULL;
	smap_fini(&s->sparse);
	regions_free(s->cur);
	regions_free(s->regions);
	s->cur = s->regions = NULL;
	strads__pages_free(s->scratch, s->scratch_cap * 4, s->scratch_mapped);
	s->scratch = NULL;
}

/* Takes the restored partition, if any. */
static int
shard_restore(shard_t *s, strads__tshard_init_t *in)
{
	uint64_t k;

	if (in->rows == NULL)
		return 0;
	for (k = 0; k < in->nent; k++) {
		uint8_t *row = s->t->kind == STRADS_TABLE_DENSE ?
		    s->dense + (size_t)k * s->rowb :
		    smap_get(&s->sparse, in->keys[k],
			strads__tbl_hash(in->keys[k]));

		if (row == NULL)
			return -1;
		tbl_putv(row, in->rows + k * s->w, s->w, s->vsize);
	}
	free(in->keys);
	free(in->rows);
	in->keys = NULL;
	in->rows = NULL;
	return 0;
}

static int
shard_init(strads_actor_t *self, void *arg)
{
	shard_t *s = strads_actor_state(self);
	strads__tshard_init_t *in = arg;
	strads_table_t *t = in->table;

	s->t = t;
	s->index = in->index;
	s->w = t->width;
	s->nclients = t->nclients;
	s->vsize = t->vsize;
	s->rowb = (size_t)s->w * s->vsize;
	smap_init(&s->sparse, s->rowb);
	if (t->kind == STRADS_TABLE_DENSE) {
		strads__table_range(t, s->index, &s->begin, &s->end);
		s->dense_bytes = (size_t)(s->end - s->begin) * s->rowb + 8;
		s->dense = strads__pages_alloc(s->dense_bytes, &s->dense_mapped);
	}
	s->clk = calloc(s->nclients, sizeof(*s->clk));
	s->qhead = calloc(s->nclients, sizeof(*s->qhead));
	s->qtail = calloc(s->nclients, sizeof(*s->qtail));
	if ((t->kind == STRADS_TABLE_DENSE && s->dense == NULL) ||
	    s->clk == NULL || s->qhead == NULL || s->qtail == NULL ||
	    shard_restore(s, in) != 0) {
		strads_log(STRADS_LOG_ERROR, "table %s shard %d: out of memory",
		    t->name, s->index);
		shard_free(s);
		uv_sem_post(&t->gone); /* no stop_cb will run */
		return -1;
	}
	return 0;
}

static void
shard_stop(strads_actor_t *self)
{
	shard_t *s = strads_actor_state(self);
	strads_table_t *t = s->t;

	shard_free(s);
	/* The last touch of the table: strads__table_stop() may free it. */
	uv_sem_post(&t->gone);
}

static void
reject(shard_t *s, const strads_msg_t *m, const char *why)
{
	TBL_COUNT(s->t, rejected, 1);
	strads_log(STRADS_LOG_WARN, "table %s shard %d: %s message from "
	    "%u:%08x dropped: %s", s->t->name, s->index,
	    strads__msg_name(m->type), m->src.node, m->src.actor, why);
}

static int
owns(const shard_t *s, uint64_t key)
{
	if (s->t->kind == STRADS_TABLE_DENSE)
		return key >= s->begin && key < s->end;
	return strads__table_shard_of(s->t, key) == s->index;
}

/* ------------------------------------------------------------------ */
/* Updates and clocks.                                                  */

static size_t
entry_bytes(const shard_t *s)
{
	return 16 + s->rowb;
}

/* Checks an UPDATE whole, so applying it later cannot fail halfway. */
static const char *
update_check(const shard_t *s, const strads_msg_t *m)
{
	uint32_t id = strads__get32(m->data), n, i;

	n = strads__get32(m->data + 4);
	if (id >= s->nclients)
		return "unknown client";
	if ((uint64_t)m->len != TBL_UPDATE_HDR + (uint64_t)n * entry_bytes(s))
		return "bad length";
	if (strads__get64(m->data + 8) != s->clk[id])
		return "update for a clock already applied (or not yet begun)";
	for (i = 0; i < n; i++) {
		const uint8_t *e = m->data + TBL_UPDATE_HDR + i * entry_bytes(s);

		if (!owns(s, strads__get64(e)))
			return "key of another shard";
		if ((strads__get64(e + 8) & ~(uint64_t)TBL_PUT) != 0)
			return "unknown flags";
	}
	return NULL;
}

static int stage(shard_t *s, const strads_msg_t *m, held_t *h);

/* Checks an UPDATE_BULK whole. */
static const char *
bulk_check(const shard_t *s, const strads_msg_t *m)
{
	uint32_t id = strads__get32(m->data), n, i;

	n = strads__get32(m->data + 4);
	if (id >= s->nclients)
		return "unknown client";
	if (strads__get32(m->data + 16) != s->t->tag)
		return "the client's table has another layout (attached with "
		    "other options?)";
	if ((uint64_t)m->len != TBL_BULK_HDR + (uint64_t)n * (8 + s->rowb))
		return "bad length";
	if (strads__get64(m->data + 8) != s->clk[id])
		return "update for a clock already applied (or not yet begun)";
	/* A sparse table's only shard owns every key. */
	if (s->t->nshards == 1 && s->t->kind == STRADS_TABLE_SPARSE)
		return NULL;
	for (i = 0; i < n; i++)
		if (!owns(s, strads__get64(m->data + TBL_BULK_HDR + 8 * (size_t)i)))
			return "key of another shard";
	return NULL;
}

static void
on_update(shard_t *s, const strads_msg_t *m)
{
	const char *why = m->type == TBL_UPDATE_BULK ? bulk_check(s, m) :
	    update_check(s, m);
	uint32_t id;
	held_t *h;

	if (why != NULL) {
		reject(s, m, why);
		return;
	}
	id = strads__get32(m->data);
	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (m->type == TBL_UPDATE_BULK ? stage(s, m, h) != 0 :
	    (h->m = strads_msg_share(m, m->type)) == NULL)) {
		free(h);
		reject(s, m, "out of memory");
		return;
	}
	if (s->qtail[id] != NULL)
		s->qtail[id]->next = h;
	else
		s->qhead[id] = h;
	s->qtail[id] = h;
}

static uint8_t *
row_at(shard_t *s, uint64_t key)
{
	if (s->t->kind == STRADS_TABLE_DENSE)
		return s->dense + (size_t)(key - s->begin) * s->rowb;
	return smap_get(&s->sparse, key, strads__tbl_hash(key));
}

/* The row of key, or NULL for a sparse key nobody wrote. */
static const uint8_t *
row_find(const shard_t *s, uint64_t key)
{
	if (s->t->kind == STRADS_TABLE_DENSE)
		return s->dense + (size_t)(key - s->begin) * s->rowb;
	return smap_find(&s->sparse, key, strads__tbl_hash(key));
}

static void
lost(shard_t *s)
{
	strads_log(STRADS_LOG_ERROR, "table %s shard %d: out of memory: an "
	    "update is lost", s->t->name, s->index);
}

static void
apply(shard_t *s, const strads_msg_t *m)
{
	uint32_t n = strads__get32(m->data + 4), i;
	uint8_t *row;

	for (i = 0; i < n; i++) {
		const uint8_t *e = m->data + TBL_UPDATE_HDR + i * entry_bytes(s);

		if ((row = row_at(s, strads__get64(e))) == NULL) {
			lost(s);
			continue;
		}
		if (strads__get64(e + 8) & TBL_PUT)
			memcpy(row, e + 16, s->rowb);
		else
			vadd(row, e + 16, s->w, s->vsize);
	}
	TBL_COUNT(s->t, updates, n);
}

/* Stages an UPDATE_BULK (checked) as a block in h, its pairs grouped by
 * bucket when there are enough of them to pay for it. */
static int
stage(shard_t *s, const strads_msg_t *m, held_t *h)
{
	uint32_t n = strads__get32(m->data + 4), i, b;
	const uint8_t *k = m->data + TBL_BULK_HDR;
	const uint8_t *d = k + (size_t)n * 8;
	int group = s->t->kind == STRADS_TABLE_SPARSE && n >= STAGE_MIN_PAIRS;
	uint32_t *bk = group ? scratch(s, n) : NULL;
	sblock_t *blk;

	if (group && bk == NULL)
		group = 0; /* out of memory for the grouping: apply as it is */
	if ((blk = block_alloc(s, n, group ? TBL_NBUCKETS : 1)) == NULL)
		return STRADS_ENOMEM;
	if (!group) {
		blk->off[0] = 0;
		blk->off[1] = n;
		memcpy(blk->keys, k, (size_t)n * 8);
		memcpy(blk->vals, d, (size_t)n * s->rowb);
		h->blk = blk;
		return 0;
	}
	memset(blk->off, 0, (TBL_NBUCKETS + 1) * sizeof(*blk->off));
	for (i = 0; i < n; i++) {
		bk[i] = (uint32_t)(strads__tbl_hash(strads__get64(k + 8 *
		    (size_t)i)) >> (64 - TBL_BUCKET_BITS));
		blk->off[bk[i] + 1]++;
	}
	for (b = 0; b < TBL_NBUCKETS; b++)
		blk->off[b + 1] += blk->off[b];
	/* off[b] serves as bucket b's cursor, then is put back. */
	for (i = 0; i < n; i++) {
		uint32_t at = blk->off[bk[i]]++;

		memcpy(&blk->keys[at], k + 8 * (size_t)i, 8);
		memcpy(blk->vals + (size_t)at * s->rowb, d + (size_t)i * s->rowb,
		    s->rowb);
	}
	for (b = TBL_NBUCKETS; b > 0; b--)
		blk->off[b] = blk->off[b - 1];
	blk->off[0] = 0;
	h->blk = blk;
	return 0;
}

/* Adds one row of deltas (the common widths inlined). */
static inline void
add_row(const shard_t *s, uint8_t *row, const uint8_t *d)
{
	if (s->w == 1 && s->vsize == 4) {
		float a, b;

		memcpy(&a, row, 4);
		memcpy(&b, d, 4);
		a += b;
		memcpy(row, &a, 4);
	} else if (s->w == 1) {
		double a, b;

		memcpy(&a, row, 8);
		memcpy(&b, d, 8);
		a += b;
		memcpy(row, &a, 8);
	} else {
		vadd(row, d, s->w, s->vsize);
	}
}

/* Adds the pairs [from, to) of a block, prefetching each key's slot
 * ahead (pairs in no particular order). */
static void
apply_pairs(shard_t *s, const sblock_t *b, uint32_t from, uint32_t to)
{
	uint32_t i;
	uint8_t *row;

	if (s->t->kind == STRADS_TABLE_DENSE) {
		for (i = from; i < to; i++)
			add_row(s, s->dense + (size_t)(b->keys[i] - s->begin) * s->rowb,
			    b->vals + (size_t)i * s->rowb);
		return;
	}
	for (i = from; i < to; i++) {
		if (i + LOOKAHEAD < to)
			smap_prefetch(&s->sparse,
			    strads__tbl_hash(b->keys[i + LOOKAHEAD]), 1);
		if ((row = smap_get(&s->sparse, b->keys[i],
		    strads__tbl_hash(b->keys[i]))) == NULL) {
			lost(s);
			continue;
		}
		add_row(s, row, b->vals + (size_t)i * s->rowb);
	}
}

/* Adds the grouped blocks of a run, bucket by bucket. Bucket b's keys
 * have their home slots in the b-th 1/TBL_NBUCKETS of the map, so while
 * a bucket is applied the next one's part of the map is prefetched, two
 * cache lines a pair, in address order. */
static void
apply_grouped(shard_t *s, held_t *first, held_t *end)
{
	smap_t *m = &s->sparse;
	size_t part = m->cap >= TBL_NBUCKETS ?
	    (size_t)(m->cap / TBL_NBUCKETS) * m->esize : 0;
	uint64_t cap = m->cap;
	uint32_t bk, i;
	held_t *h;

	for (bk = 0; bk < TBL_NBUCKETS; bk++) {
		/* No offset from a map without entries (NULL + 0 is undefined). */
		const uint8_t *next = part > 0 ? m->ents + (size_t)(bk + 1) * part : m->ents;
		size_t ahead = bk + 1 < TBL_NBUCKETS ? 0 : part;

		for (h = first; h != end; h = h->next) {
			const sblock_t *b = h->blk;

			if (b->nb == 1)
				continue;
			for (i = b->off[bk]; i < b->off[bk + 1]; i++) {
				uint8_t *row;

				if (ahead < part) {
					PREFETCH_W(next + ahead);
					PREFETCH_W(next + ahead + 64);
					ahead += 128;
				}
				if ((row = smap_get(m, b->keys[i],
				    strads__tbl_hash(b->keys[i]))) == NULL) {
					lost(s);
					continue;
				}
				add_row(s, row, b->vals + (size_t)i * s->rowb);
				if (m->cap != cap) { /* grown: parts moved */
					cap = m->cap;
					part = cap / TBL_NBUCKETS * m->esize;
					next = m->ents + (size_t)(bk + 1) * part;
					ahead = part;
				}
			}
		}
	}
}

/* Applies a run of consecutive staged blocks (bulk increments commute,
 * so their order within the run does not matter): first the map is
 * grown once to what the run will need (estimated from a sample of its
 * keys), then the grouped blocks bucket by bucket, so the map is walked
 * region by region. */
static void
apply_run(shard_t *s, held_t *first, held_t *end)
{
	uint64_t pairs = 0, seen = 0, missing = 0, step;
	held_t *h;

	for (h = first; h != end; h = h->next)
		pairs += h->blk->n;
	if (s->t->kind == STRADS_TABLE_SPARSE && pairs > 0) {
		step = pairs / 1024 + 1;
		for (h = first; h != end; h = h->next) {
			uint64_t i;

			for (i = 0; i < h->blk->n; i += step, seen++)
				missing += smap_find(&s->sparse, h->blk->keys[i],
				    strads__tbl_hash(h->blk->keys[i])) == NULL;
		}
		if (seen > 0)
			(void)smap_reserve(&s->sparse, s->sparse.n +
			    pairs / seen * missing + pairs / seen * missing / 8 + 64);
	}
	for (h = first; h != end; h = h->next)
		if (h->blk->nb == 1)
			apply_pairs(s, h->blk, 0, h->blk->n);
	apply_grouped(s, first, end);
	for (h = first; h != end; h = h->next)
		TBL_COUNT(s->t, updates, h->blk->n);
}

static void serve_held(strads_actor_t *self, shard_t *s);

static void
on_clock(strads_actor_t *self, shard_t *s, const strads_msg_t *m)
{
	uint32_t id = strads__get32(m->data), i;
	uint64_t old = s->min;
	held_t *h;

	if (strads__get32(m->data + 4) != s->t->tag) {
		reject(s, m, "the client's table has another layout (attached "
		    "with other options?)");
		return;
	}
	if (id >= s->nclients || strads__get64(m->data + 8) != s->clk[id]) {
		reject(s, m, "clock out of order");
		return;
	}
	for (h = s->qhead[id]; h != NULL;) {
		held_t *end = h;

		if (h->blk == NULL) {
			apply(s, h->m);
			h = h->next;
			continue;
		}
		while (end != NULL && end->blk != NULL)
			end = end->next;
		apply_run(s, h, end);
		h = end;
	}
	held_free(s, s->qhead[id]);
	s->qhead[id] = s->qtail[id] = NULL;
	s->clk[id]++;
	s->version++;
	TBL_COUNT(s->t, clocks, 1);
	s->min = UINT64_MAX;
	for (i = 0; i < s->nclients; i++)
		if (s->clk[i] < s->min)
			s->min = s->clk[i];
	if (s->min > old)
		serve_held(self, s);
}

/* ------------------------------------------------------------------ */
/* Reads.                                                               */

static void
reply_rows(strads_actor_t *self, shard_t *s, const strads_msg_t *g)
{
	uint32_t n = strads__get32(g->data + 20), i;
	size_t vec = (size_t)s->nclients * 8;
	strads_msg_t *m;
	uint8_t *v;

	m = strads_msg_new(TBL_ROWS, TBL_ROWS_HDR + vec + (size_t)n * s->rowb);
	if (m == NULL) {
		reject(s, g, "out of memory");
		return;
	}
	strads__put64(m->data, strads__get64(g->data));
	strads__put64(m->data + 8, s->version);
	strads__put32(m->data + 16, (uint32_t)s->index);
	strads__put32(m->data + 20, n);
	strads__put32(m->data + 24, s->nclients);
	strads__put32(m->data + 28, s->w);
	for (i = 0; i < s->nclients; i++)
		strads__put64(m->data + TBL_ROWS_HDR + (size_t)i * 8, s->clk[i]);
	v = m->data + TBL_ROWS_HDR + vec;
	for (i = 0; i < n; i++) {
		const uint8_t *row = row_find(s,
		    strads__get64(g->data + TBL_GET_HDR + (size_t)i * 8));

		if (row != NULL)
			memcpy(v + (size_t)i * s->rowb, row, s->rowb);
		else
			memset(v + (size_t)i * s->rowb, 0, s->rowb);
	}
	strads_send(self, g->src, m);
}

/* A GET_BULK's rows, each written at its key's place. */
static void
reply_bulk(strads_actor_t *self, shard_t *s, const strads_msg_t *g)
{
	uint32_t n = strads__get32(g->data + 20), i, b, *bk = NULL, *pos = NULL;
	const uint8_t *k = g->data + TBL_GETB_HDR;
	uint32_t off[TBL_NBUCKETS + 1];
	const smap_t *sm = &s->sparse;
	const uint8_t *next = NULL;
	uint64_t *hs = NULL;
	size_t part, ahead = 0;
	uint32_t first = 0;
	strads_msg_t *m;
	uint8_t *v;
	int region = 0;

	m = strads_msg_new(TBL_ROWS_BULK, TBL_ROWSB_HDR + (size_t)n * s->rowb);
	if (m == NULL) {
		reject(s, g, "out of memory");
		return;
	}
	strads__put64(m->data, strads__get64(g->data));
	strads__put64(m->data + 8, s->clk[strads__get32(g->data + 16)]);
	strads__put32(m->data + 16, (uint32_t)s->index);
	strads__put32(m->data + 20, n);
	strads__put32(m->data + 24, strads__get32(g->data + 24));
	strads__put32(m->data + 28, 0);
	v = m->data + TBL_ROWSB_HDR;
	if (s->t->kind == STRADS_TABLE_DENSE) {
		for (i = 0; i < n; i++)
			memcpy(v + (size_t)i * s->rowb, s->dense +
			    (size_t)(strads__get64(k + 8 * (size_t)i) - s->begin) *
			    s->rowb, s->rowb);
		strads_send(self, g->src, m);
		return;
	}
	/* Dense enough (a key every 16 slots of the part of the map the keys
	 * fall in), the lookups walk the map bucket by bucket: while a bucket
	 * is looked up the next one's part is prefetched in address order.
	 * Sparser, each key's slot is prefetched, in the order they came.
	 * Scratch holds per key its bucket and its hash; keys that came out
	 * of order and are to be walked get positions and the hashes in
	 * bucket order. A client sends a read of the same keys again grouped
	 * (see get_many), so that pass is mostly skipped. off[b] is where
	 * bucket b starts. */
	part = sm->cap >= TBL_NBUCKETS ?
	    (size_t)(sm->cap / TBL_NBUCKETS) * sm->esize : 0;
	if (n >= STAGE_MIN_PAIRS && (bk = scratch(s, 6 * (size_t)n)) != NULL) {
		uint32_t prev = 0, lo = TBL_NBUCKETS, hi = 0;
		int sorted = 1;

		hs = (uint64_t *)(void *)(bk + 2 * (size_t)n);
		memset(off, 0, sizeof(off));
		for (i = 0; i < n; i++) {
			hs[i] = strads__tbl_hash(strads__get64(k + 8 * (size_t)i));
			bk[i] = (uint32_t)(hs[i] >> (64 - TBL_BUCKET_BITS));
			off[bk[i] + 1]++;
			sorted &= bk[i] >= prev;
			prev = bk[i];
			lo = bk[i] < lo ? bk[i] : lo;
			hi = bk[i] > hi ? bk[i] : hi;
		}
		for (b = 0; b < TBL_NBUCKETS; b++)
			off[b + 1] += off[b];
		region = part != 0 && (uint64_t)n * 16 * sm->esize >=
		    (uint64_t)(hi - lo + 1) * part;
		if (!sorted && region) {
			uint64_t *hs2 = hs + n;

			pos = bk + n;
			for (i = 0; i < n; i++) {
				uint32_t at = off[bk[i]]++;

				pos[at] = i;
				hs2[at] = hs[i];
			}
			hs = hs2;
			for (b = TBL_NBUCKETS; b > 0; b--)
				off[b] = off[b - 1];
			off[0] = 0;
		}
		first = lo;
	}
	for (b = first, i = 0; i < n; i++) {
		uint32_t at = pos != NULL ? pos[i] : i;
		uint64_t key = strads__get64(k + 8 * (size_t)at), h;
		const uint8_t *row;

		if (region) {
			if (i == 0 || i >= off[b + 1]) {
				while (i >= off[b + 1])
					b++;
				next = b + 1 < TBL_NBUCKETS ?
				    sm->ents + (size_t)(b + 1) * part : NULL;
				ahead = 0;
			}
			if (next != NULL && ahead < part) {
				PREFETCH_R(next + ahead);
				PREFETCH_R(next + ahead + 64);
				ahead += 128;
			}
		} else if (i + LOOKAHEAD < n) {
			smap_prefetch(sm, hs != NULL ? hs[i + LOOKAHEAD] :
			    strads__tbl_hash(strads__get64(k + 8 *
			    ((size_t)i + LOOKAHEAD))), 0);
		}
		h = hs != NULL ? hs[i] : strads__tbl_hash(key);
		row = smap_find(sm, key, h);
		if (row != NULL)
			memcpy(v + (size_t)at * s->rowb, row, s->rowb);
		else
			memset(v + (size_t)at * s->rowb, 0, s->rowb);
	}
	strads_send(self, g->src, m);
}

static const char *
get_check(const shard_t *s, const strads_msg_t *m)
{
	uint32_t n = strads__get32(m->data + 20), i, hdr = TBL_GET_HDR;

	if (m->type == TBL_GET_BULK) {
		hdr = TBL_GETB_HDR;
		if (strads__get32(m->data + 16) >= s->nclients)
			return "unknown client";
		if (strads__get32(m->data + 28) != s->t->tag)
			return "the client's table has another layout (attached "
			    "with other options?)";
	}
	if ((uint64_t)m->len != hdr + (uint64_t)n * 8)
		return "bad length";
	/* A sparse table's only shard owns every key. */
	if (s->t->nshards == 1 && s->t->kind == STRADS_TABLE_SPARSE)
		return NULL;
	for (i = 0; i < n; i++)
		if (!owns(s, strads__get64(m->data + hdr + (size_t)i * 8)))
			return "key of another shard";
	return NULL;
}

static void
reply(strads_actor_t *self, shard_t *s, const strads_msg_t *g)
{
	if (g->type == TBL_GET_BULK)
		reply_bulk(self, s, g);
	else
		reply_rows(self, s, g);
}

/* Keeps m until min >= need. */
static void
hold(shard_t *s, const strads_msg_t *m, uint64_t need)
{
	held_t *h = calloc(1, sizeof(*h));

	if (h == NULL || (h->m = strads_msg_share(m, m->type)) == NULL) {
		free(h);
		reject(s, m, "out of memory");
		return;
	}
	h->m->src = m->src; /* a shared envelope has the payload only */
	h->m->dst = m->dst;
	h->need = need;
	h->next = s->held;
	s->held = h;
}

static void start_ckpt(strads_actor_t *self, shard_t *s, const strads_msg_t *m);

static void
on_get(strads_actor_t *self, shard_t *s, const strads_msg_t *m)
{
	const char *why = get_check(s, m);
	uint64_t need = strads__get64(m->data + 8);

	if (why != NULL) {
		reject(s, m, why);
		return;
	}
	TBL_COUNT(s->t, shard_gets, 1);
	if (s->min >= need) {
		reply(self, s, m);
		return;
	}
	TBL_COUNT(s->t, held_gets, 1);
	hold(s, m, need);
}

/* Answers, in arrival order, what the clocks now allow. */
static void
serve_held(strads_actor_t *self, shard_t *s)
{
	held_t *keep = NULL, *ready = NULL, *h, *next;

	for (h = s->held; h != NULL; h = next) {
		next = h->next;
		if (s->min >= h->need) {
			h->next = ready;
			ready = h;
		} else {
			h->next = keep;
			keep = h;
		}
	}
	/* Both lists came out reversed: ready is now oldest first. */
	s->held = NULL;
	for (h = keep; h != NULL; h = next) {
		next = h->next;
		h->next = s->held;
		s->held = h;
	}
	for (h = ready; h != NULL; h = h->next) {
		if (h->m->type == TBL_CKPT)
			start_ckpt(self, s, h->m);
		else
			reply(self, s, h->m);
	}
	held_free(s, ready);
}

/* ------------------------------------------------------------------ */
/* Checkpoints.                                                         */

static void
ckpt_done(strads_actor_t *self, shard_t *s, ckjob_t *j)
{
	size_t ml = j->status != 0 ? strlen(j->err) : 0;
	strads_msg_t *m = strads_msg_new(TBL_CKPT_DONE, TBL_DONE_HDR + ml);

	if (j->status != 0)
		strads_log(STRADS_LOG_ERROR, "table %s shard %d: checkpoint: %s",
		    s->t->name, s->index, j->err);
	if (m == NULL)
		return;
	strads__put64(m->data, j->req);
	strads__put32(m->data + 8, (uint32_t)j->status);
	strads__put32(m->data + 12, (uint32_t)s->index);
	strads__put32(m->data + 16, (uint32_t)ml);
	strads__put32(m->data + 20, 0);
	memcpy(m->data + TBL_DONE_HDR, j->err, ml);
	strads_send(self, j->to, m);
}

static void
ckpt_work(void *arg)
{
	ckjob_t *j = arg;

	j->status = strads__table_file_write(j->t, j->dir, j->shard, j->clk,
	    j->nent, j->keys, j->rows, j->err, sizeof(j->err));
}

/* Copies the partition so the shard keeps serving while a compute
 * thread writes it. */
static int
ckpt_copy(shard_t *s, ckjob_t *j)
{
	const smap_t *sm = &s->sparse;
	uint64_t n = s->t->kind == STRADS_TABLE_DENSE ? s->end - s->begin :
	    strads__map_count(sm), i, at = 0;
	const uint8_t *e;

	j->nent = n;
	j->clk = malloc(s->nclients * sizeof(uint64_t));
	j->keys = malloc((size_t)(n ? n : 1) * sizeof(uint64_t));
	j->rows = malloc((size_t)(n ? n : 1) * s->w * sizeof(double));
	if (j->clk == NULL || j->keys == NULL || j->rows == NULL)
		return STRADS_ENOMEM;
	memcpy(j->clk, s->clk, s->nclients * sizeof(uint64_t));
	if (s->t->kind == STRADS_TABLE_DENSE) {
		for (i = 0; i < n; i++) {
			j->keys[i] = s->begin + i;
			tbl_getv(j->rows + i * s->w, s->dense + (size_t)i * s->rowb,
			    s->w, s->vsize);
		}
		return 0;
	}
	for (e = strads__map_next(sm, &smap_type, NULL); e != NULL;
	    e = strads__map_next(sm, &smap_type, e)) {
		memcpy(&j->keys[at], e, 8);
		tbl_getv(j->rows + at * s->w, e + 8, s->w, s->vsize);
		at++;
	}
	STRADS__ASSERT(at == n);
	return 0;
}

static void
start_ckpt(strads_actor_t *self, shard_t *s, const strads_msg_t *m)
{
	uint32_t dl = strads__get32(m->data + 20);
	ckjob_t *j = calloc(1, sizeof(*j));
	int rc;

	if (j == NULL) {
		reject(s, m, "out of memory");
		return;
	}
	j->t = s->t;
	j->to = m->src;
	j->req = strads__get64(m->data);
	j->shard = s->index;
	memcpy(j->dir, m->data + TBL_CKPT_HDR, dl);
	j->dir[dl] = '\0';
	/* Once strads_compute() has queued it, the job (j->status too)
	 * belongs to the compute thread, which may already be writing it:
	 * never store the queueing result there. */
	rc = ckpt_copy(s, j);
	if (rc == 0)
		rc = strads_compute(self, ckpt_work, j, 0);
	if (rc != 0) {
		j->status = rc;
		snprintf(j->err, sizeof(j->err), "%.900s/table-%s-%d.bin: %s", j->dir,
		    s->t->name, s->index, strads_strerror(j->status));
		ckpt_done(self, s, j);
		job_free(j);
		return;
	}
	j->next = s->jobs;
	s->jobs = j;
}

static void
on_ckpt(strads_actor_t *self, shard_t *s, const strads_msg_t *m)
{
	uint32_t dl = strads__get32(m->data + 20);
	uint64_t need = strads__get64(m->data + 8);

	if ((uint64_t)m->len != TBL_CKPT_HDR + (uint64_t)dl || dl == 0 ||
	    dl > TBL_MAX_DIR || memchr(m->data + TBL_CKPT_HDR, 0, dl) != NULL) {
		reject(s, m, "bad checkpoint request");
		return;
	}
	if (s->min >= need)
		start_ckpt(self, s, m);
	else
		hold(s, m, need);
}

static void
on_compute(strads_actor_t *self, shard_t *s, const strads_msg_t *m)
{
	strads_compute_done_t d;
	ckjob_t **pp, *j;

	memcpy(&d, m->data, sizeof(d));
	for (pp = &s->jobs; *pp != NULL && *pp != d.arg; pp = &(*pp)->next)
		;
	STRADS__ASSERT(*pp != NULL);
	j = *pp;
	*pp = j->next;
	ckpt_done(self, s, j);
	job_free(j);
}

/* ------------------------------------------------------------------ */

/* The fixed part of each request: local messages skip the codec. */
static int
long_enough(const strads_msg_t *m)
{
	switch (m->type) {
	case TBL_UPDATE:
		return m->len >= TBL_UPDATE_HDR;
	case TBL_UPDATE_BULK:
		return m->len >= TBL_BULK_HDR;
	case TBL_CLOCK:
		return m->len == 16;
	case TBL_GET:
		return m->len >= TBL_GET_HDR;
	case TBL_GET_BULK:
		return m->len >= TBL_GETB_HDR;
	case TBL_CKPT:
		return m->len >= TBL_CKPT_HDR;
	default:
		return 1;
	}
}

static void
shard_recv(strads_actor_t *self, const strads_msg_t *m)
{
	shard_t *s = strads_actor_state(self);

	if (!long_enough(m)) {
		reject(s, m, "too short");
		return;
	}
	switch (m->type) {
	case TBL_UPDATE:
	case TBL_UPDATE_BULK:
		on_update(s, m);
		return;
	case TBL_CLOCK:
		on_clock(self, s, m);
		return;
	case TBL_GET:
	case TBL_GET_BULK:
		on_get(self, s, m);
		return;
	case TBL_CKPT:
		on_ckpt(self, s, m);
		return;
	case STRADS_MSG_COMPUTE:
		on_compute(self, s, m);
		return;
	case STRADS__MSG_ENG_STOP:
		/* strads__table_stop(): posted in this process (strads_post
		 * marks the source actor UINT32_MAX), never from a peer. A
		 * checkpoint being written is finished first (after_cb waits
		 * for compute jobs). */
		if (m->src.node == strads_runtime_node(s->t->rt) &&
		    m->src.actor == UINT32_MAX) {
			strads_actor_stop(self);
			return;
		}
		reject(s, m, "stop from elsewhere");
		return;
	default:
		reject(s, m, "unexpected type");
		return;
	}
}

const strads_actor_type_t strads__table_shard_type = {
    "table-shard", sizeof(shard_t), shard_init, shard_recv, shard_stop};
