/*
 * read.c -- an SSP table client's reads: per-key reads (strads_table_get)
 * and bulk reads (strads_table_get_many, streamed or grouped by shard,
 * with a key cache for a key set read again), and the per-loop cache of
 * rows they go through. Why the rows are exact: client.c.
 */
#include "client.h"

#include <stdlib.h>

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

tcache_t *
strads__tbl_cache_get(strads__loop_t *loop, strads_table_t *t)
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

void
strads__tbl_cache_put(strads__loop_t *loop, tcache_t *tc)
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

void
strads__tbl_req_free(req_t *r)
{
	free(r->keys);
	free(r->rows);
	free(r->seen);
	free(r->pos);
	free(r->off);
	free(r);
}

void
strads__tbl_kc_free(kcache_t *kc)
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
		strads__tbl_kc_free(kc);
		kc->keys = strads__pages_alloc(n * 8, &kc->mapped[0]);
		kc->grouped = strads__pages_alloc(n * 8, &kc->mapped[1]);
		kc->off = malloc(((size_t)nshards + 1) * sizeof(*kc->off));
		kc->cap = n;
		if (kc->keys == NULL || kc->grouped == NULL || kc->off == NULL) {
			strads__tbl_kc_free(kc);
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

void
strads__tbl_breq_free(breq_t *r)
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
		strads__tbl_req_free(r);
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
		strads__tbl_req_free(r);
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
	strads__tbl_overlay(c, r->keys, r->n, r->rows, r->seen, min);
	r->cb(c, 0, r->keys, r->n, r->rows, r->arg);
	strads__tbl_req_free(r);
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
int
strads__tbl_recv_rows(strads_table_client_t *c, const strads_msg_t *m)
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

int
strads__tbl_recv_local(strads_table_client_t *c, const strads_msg_t *m)
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
	if (r->n > 0 && !r->stream && strads__tbl_overlay_needed(c, min)) {
		if ((seen = malloc(r->n * sizeof(*seen))) == NULL) {
			strads_log(STRADS_LOG_ERROR, "table %s: out of memory: a "
			    "read misses the reader's own updates", c->t->name);
		} else {
			for (k = 0; k < c->t->nshards; k++)
				for (i = r->off[k]; i < r->off[k + 1]; i++)
					seen[r->pos != NULL ? r->pos[i] : i] = r->seen[
					    r->cbase[k] + (i - r->off[k]) / c->t->chunk_get];
			strads__tbl_overlay(c, r->keys, r->n, r->rows, seen, min);
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
	strads__tbl_breq_free(r);
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
		strads__tbl_breq_free(r);
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
		strads__tbl_breq_free(r);
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
		strads__tbl_breq_free(r);
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
	if (group && !hit && n > 0 && !strads__tbl_overlay_needed(c, r->need) &&
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
		strads__tbl_breq_free(r);
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
		strads__tbl_breq_free(r);
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
int
strads__tbl_recv_rows_bulk(strads_table_client_t *c, const strads_msg_t *m)
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
		strads__tbl_breq_free(r);
		return 1;
	}
	if (r->waiting > 0 || (r->stream && r->scan < r->n))
		return 1;
	*pp = r->next;
	breq_complete(c, r);
	return 1;
}

