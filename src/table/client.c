/*
 * client.c -- an SSP table's client: opening and closing it, buffered
 * updates (per key and bulk), clocks, read-my-writes, checkpoints, and
 * its messages. Its reads and the per-loop cache of rows they go through
 * are read.c; what the two share, client.h. The table object is
 * create.c, its checkpoint files files.c, the shard actor
 * actors/table_shard.c.
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
#include "client.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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
	c->cache = strads__tbl_cache_get(self->loop, t);
	if (c->count == NULL || c->open == NULL || c->cache == NULL) {
		if (c->cache != NULL)
			strads__tbl_cache_put(self->loop, c->cache);
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
		strads__tbl_cache_put(self->loop, c->cache);
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
		strads__tbl_req_free(r);
	}
	while (c->breqs != NULL) {
		breq_t *r = c->breqs;

		c->breqs = r->next;
		r->cb(c, STRADS_ECANCELED, r->arg);
		strads__tbl_breq_free(r);
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
	strads__tbl_kc_free(&c->kc);
	tmap_fini(&c->buf);
	/* The id stays taken: the shards hold its clock, and a new client
	 * would start over at 0. */
	strads__tbl_cache_put(c->self->loop, c->cache);
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
int
strads__tbl_overlay_needed(const strads_table_client_t *c, uint64_t min_seen)
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
void
strads__tbl_overlay(const strads_table_client_t *c, const uint64_t *keys, size_t n,
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
		return m->len >= TBL_ROWS_HDR ? strads__tbl_recv_rows(c, m) : 0;
	case TBL_ROWS_BULK:
		return m->len >= TBL_ROWSB_HDR ? strads__tbl_recv_rows_bulk(c, m) : 0;
	case TBL_LOCAL:
		return m->len == 16 ? strads__tbl_recv_local(c, m) : 0;
	case TBL_CKPT_DONE:
		return m->len >= TBL_DONE_HDR ? recv_ckpt_done(c, m) : 0;
	default:
		return 0;
	}
}
