/*
 * create.c -- the SSP table object: its options, creation (spawning its
 * shards) or attaching to one made elsewhere, freeing it, and what every
 * process holding it must agree on (the layout tag). Clients are
 * client.c; checkpoint files files.c.
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
/* The table.                                                           */

void
strads_table_opts_init(strads_table_opts_t *o)
{
	memset(o, 0, sizeof(*o));
	o->name = "table";
	o->kind = STRADS_TABLE_DENSE;
	o->width = 1;
}

static int
name_ok(const char *s)
{
	size_t i, n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-'))
			return 0;
	}
	return 1;
}

void
strads__table_range(const strads_table_t *t, int i, uint64_t *begin,
    uint64_t *end)
{
	uint64_t b = (uint64_t)i * t->per_shard;

	*begin = b < t->nrows ? b : t->nrows;
	*end = b + t->per_shard < t->nrows ? b + t->per_shard : t->nrows;
}

static void
table_release(strads_table_t *t)
{
	int i;

	if (t->init != NULL) {
		for (i = 0; i < t->nshards; i++) {
			free(t->init[i].keys);
			free(t->init[i].rows);
		}
	}
	free(t->init);
	free(t->shards);
	free(t->id_open);
	uv_mutex_destroy(&t->lock);
	uv_sem_destroy(&t->gone);
	free(t);
}

static int
opts_check(const strads_runtime_t *rt, const strads_table_opts_t *o,
    char *err, size_t errlen)
{
	size_t row = 16 + (size_t)(o->width ? o->width : 1) * sizeof(double);

	if (!name_ok(o->name))
		return strads__errf(err, errlen, STRADS_EINVAL,
		    "table name must be 1-64 of [A-Za-z0-9_.-]");
	if (o->kind != STRADS_TABLE_DENSE && o->kind != STRADS_TABLE_SPARSE)
		return strads__errf(err, errlen, STRADS_EINVAL, "table %s: bad kind %d",
		    o->name, o->kind);
	if (o->kind == STRADS_TABLE_DENSE && o->nrows == 0)
		return strads__errf(err, errlen, STRADS_EINVAL,
		    "table %s: a dense table needs nrows", o->name);
	if (o->nclients == 0 || o->nclients > (1u << 20))
		return strads__errf(err, errlen, STRADS_EINVAL,
		    "table %s: nclients must be in 1..%u", o->name, 1u << 20);
	if (o->nshards < 0 || o->nshards > 65535)
		return strads__errf(err, errlen, STRADS_EINVAL,
		    "table %s: bad nshards %d", o->name, o->nshards);
	if (o->value != STRADS_TABLE_F64 && o->value != STRADS_TABLE_F32)
		return strads__errf(err, errlen, STRADS_EINVAL,
		    "table %s: bad value type %d", o->name, o->value);
	/* One row, one client vector and the headers fit in a frame. */
	if (o->width > (1u << 24) ||
	    row + 8u * o->nclients + 256 > rt->cfg.max_frame - STRADS_MSG_HDR_SIZE)
		return strads__errf(err, errlen, STRADS_EMSGSIZE,
		    "table %s: a row does not fit in a frame", o->name);
	return 0;
}

/* FNV-1a 32 of what every process holding the table must agree on. */
static uint32_t
layout_tag(const strads_table_t *t)
{
	uint64_t f[7] = {(uint64_t)t->kind, t->nrows, t->width, t->staleness,
	    t->nclients, (uint64_t)t->nshards, t->vsize};
	uint32_t h = 0x811c9dc5u;
	size_t i, j;

	for (i = 0; t->name[i] != '\0'; i++)
		h = (h ^ (uint8_t)t->name[i]) * 0x01000193u;
	for (i = 0; i < 7; i++)
		for (j = 0; j < 8; j++)
			h = (h ^ (uint8_t)(f[i] >> (8 * j))) * 0x01000193u;
	return h;
}

static int
table_alloc(strads_runtime_t *rt, const strads_table_opts_t *o,
    strads_table_t **tp)
{
	strads_table_t *t = calloc(1, sizeof(*t));
	size_t bulk;
	int i;

	if (t == NULL)
		return STRADS_ENOMEM;
	if (uv_mutex_init(&t->lock) != 0) {
		free(t);
		return STRADS_ENOMEM;
	}
	if (uv_sem_init(&t->gone, 0) != 0) {
		uv_mutex_destroy(&t->lock);
		free(t);
		return STRADS_ENOMEM;
	}
	t->rt = rt;
	snprintf(t->name, sizeof(t->name), "%s", o->name);
	t->kind = o->kind;
	t->nrows = o->kind == STRADS_TABLE_DENSE ? o->nrows : 0;
	t->width = o->width ? o->width : 1;
	t->staleness = o->staleness;
	t->nclients = o->nclients;
	t->nshards = o->nshards ? o->nshards : rt->nloops;
	if (t->kind == STRADS_TABLE_DENSE && (uint64_t)t->nshards > t->nrows)
		t->nshards = (int)t->nrows; /* no empty shards */
	t->flush_bytes = o->flush_bytes ? o->flush_bytes : 256u << 10;
	if (t->flush_bytes > rt->cfg.max_frame / 2)
		t->flush_bytes = rt->cfg.max_frame / 2;
	t->cache_rows = o->cache_rows;
	t->vsize = o->value == STRADS_TABLE_F32 ? 4 : 8;
	/* Bulk messages of about 1 MiB: a quarter of the default credit
	 * window, so several are in flight; large enough that the transport
	 * sends each as its own frame; small enough to stay in cache while
	 * they are packed and applied (larger read chunks, which would make
	 * a shard's walk over its map denser, cost more than they saved in
	 * measurements). Never more than a quarter or half of a frame; a row
	 * fits a frame (opts_check), so at least one pair each. */
	bulk = rt->cfg.credit_bytes / 4;
	if (bulk > (1u << 20))
		bulk = 1u << 20;
	if (bulk < STRADS__BIG_PAYLOAD)
		bulk = STRADS__BIG_PAYLOAD;
	if (bulk > rt->cfg.max_frame / 2)
		bulk = rt->cfg.max_frame / 2;
	t->chunk_upd = (uint32_t)(bulk / (8 + (size_t)t->width * t->vsize));
	bulk = rt->cfg.max_frame / 4 < (1u << 20) ? rt->cfg.max_frame / 4 :
	    (1u << 20);
	t->chunk_get = (uint32_t)(bulk / ((size_t)t->width * t->vsize > 8 ?
	    (size_t)t->width * t->vsize : 8));
	if (t->chunk_upd == 0)
		t->chunk_upd = 1;
	if (t->chunk_get == 0)
		t->chunk_get = 1;
	t->per_shard = t->kind == STRADS_TABLE_DENSE ?
	    (t->nrows + (uint64_t)t->nshards - 1) / (uint64_t)t->nshards : 0;
	t->shards = calloc((size_t)t->nshards, sizeof(*t->shards));
	t->init = calloc((size_t)t->nshards, sizeof(*t->init));
	t->id_open = calloc(t->nclients, 1);
	if (t->shards == NULL || t->init == NULL || t->id_open == NULL) {
		table_release(t);
		return STRADS_ENOMEM;
	}
	for (i = 0; i < t->nshards; i++) {
		t->init[i].table = t;
		t->init[i].index = i;
	}
	t->tag = layout_tag(t);
#ifdef __SIZEOF_INT128__
	t->shard_m = ~(__uint128_t)0 / (unsigned)t->nshards + 1;
#endif
	*tp = t;
	return 0;
}

/* Each shard's starting rows of a dense table from rows (nrows x width,
 * borrowed): copies that the shards take (table.h). */
static int
seed(strads_table_t *t, const double *rows)
{
	uint64_t b, e;
	int i;

	for (i = 0; i < t->nshards; i++) {
		strads__table_range(t, i, &b, &e);
		t->init[i].nent = e - b;
		if ((t->init[i].rows = malloc((size_t)(e - b ? e - b : 1) * t->width *
		    sizeof(double))) == NULL)
			return STRADS_ENOMEM;
		memcpy(t->init[i].rows, rows + (size_t)b * t->width,
		    (size_t)(e - b) * t->width * sizeof(double));
	}
	return 0;
}

/* strads_table_create(), and strads__table_create_seeded() with rows. */
static int
create(strads_runtime_t *rt, const strads_table_opts_t *o, const double *rows,
    strads_table_t **tp, char *err, size_t errlen)
{
	strads_table_t *t;
	int i, rc;

	if (rt == NULL || o == NULL || tp == NULL)
		return strads__errf(err, errlen, STRADS_EINVAL, "table: NULL argument");
	if ((rc = opts_check(rt, o, err, errlen)) != 0)
		return rc;
	if (rows != NULL && (o->kind != STRADS_TABLE_DENSE || o->restore_dir != NULL))
		return strads__errf(err, errlen, STRADS_EINVAL, "table %s: starting "
		    "rows are for a dense table without restore_dir", o->name);
	if ((rc = table_alloc(rt, o, &t)) != 0)
		return strads__errf(err, errlen, rc, "table %s: out of memory", o->name);
	if (rows != NULL && seed(t, rows) != 0) {
		table_release(t);
		return strads__errf(err, errlen, STRADS_ENOMEM, "table %s: out of "
		    "memory", o->name);
	}
	for (i = 0; o->restore_dir != NULL && i < t->nshards; i++) {
		rc = strads__table_file_read(t, o->restore_dir, i, &t->init[i],
		    err, errlen);
		if (rc != 0) {
			table_release(t);
			return rc;
		}
	}
	/* Shard i lives on loop i mod nloops. Spawned shards read the table
	 * from their init_cb, so once one is spawned the table must live on:
	 * a failure after that hands it back all the same (see strads.h). */
	for (i = 0; i < t->nshards; i++) {
		rc = strads_spawn(rt, &strads__table_shard_type, i % rt->nloops,
		    &t->init[i], &t->shards[i]);
		if (rc != 0 && i == 0) {
			table_release(t);
			return strads__errf(err, errlen, rc, "table %s: spawn: %s",
			    o->name, strads_strerror(rc));
		}
		if (rc != 0) {
			*tp = t;
			return strads__errf(err, errlen, rc, "table %s: spawn shard %d: %s",
			    o->name, i, strads_strerror(rc));
		}
		t->nspawned++;
	}
	*tp = t;
	return 0;
}

int
strads_table_create(strads_runtime_t *rt, const strads_table_opts_t *o,
    strads_table_t **tp, char *err, size_t errlen)
{
	return create(rt, o, NULL, tp, err, errlen);
}

int
strads__table_create_seeded(strads_runtime_t *rt, const strads_table_opts_t *o,
    const double *rows, strads_table_t **tp, char *err, size_t errlen)
{
	return create(rt, o, rows, tp, err, errlen);
}

void
strads__table_stop(strads_table_t *t)
{
	strads_msg_t *m;
	int i;

	if (t == NULL || t->attached)
		return;
	/* A post refused (the runtime is stopping) needs nothing: the
	 * runtime stops the shard, which says so all the same. */
	for (i = 0; i < t->nspawned; i++)
		if ((m = strads_msg_new(STRADS__MSG_ENG_STOP, 0)) != NULL)
			(void)strads_post(t->rt, t->shards[i], m);
	for (i = 0; i < t->nspawned; i++)
		uv_sem_wait(&t->gone);
	t->nspawned = 0;
}

int
strads_table_attach(strads_runtime_t *rt, const strads_table_opts_t *o,
    const strads_addr_t *shards, int nshards, strads_table_t **tp, char *err,
    size_t errlen)
{
	strads_table_opts_t a;
	strads_table_t *t;
	int i, rc;

	if (rt == NULL || o == NULL || shards == NULL || tp == NULL)
		return strads__errf(err, errlen, STRADS_EINVAL, "table: NULL argument");
	if (nshards < 1 || nshards > 65535 ||
	    (o->nshards != 0 && o->nshards != nshards))
		return strads__errf(err, errlen, STRADS_EINVAL, "table %s: %d shard "
		    "addresses for %d shards", o->name != NULL ? o->name : "?",
		    nshards, o->nshards);
	if (o->restore_dir != NULL)
		return strads__errf(err, errlen, STRADS_EINVAL, "table %s: restore_dir "
		    "is for the process that creates the shards", o->name);
	if (o->kind == STRADS_TABLE_DENSE && (uint64_t)nshards > o->nrows)
		return strads__errf(err, errlen, STRADS_EINVAL, "table %s: %d shards for "
		    "%llu rows", o->name, nshards, (unsigned long long)o->nrows);
	for (i = 0; i < nshards; i++)
		if (shards[i].node == 0)
			return strads__errf(err, errlen, STRADS_EADDR, "table %s: shard %d "
			    "has no node", o->name, i);
	a = *o;
	a.nshards = nshards;
	if ((rc = opts_check(rt, &a, err, errlen)) != 0)
		return rc;
	if ((rc = table_alloc(rt, &a, &t)) != 0)
		return strads__errf(err, errlen, rc, "table %s: out of memory", o->name);
	memcpy(t->shards, shards, (size_t)nshards * sizeof(*shards));
	t->attached = 1;
	*tp = t;
	return 0;
}

void
strads_table_free(strads_table_t *t)
{
	if (t != NULL)
		table_release(t);
}

int
strads_table_nshards(const strads_table_t *t)
{
	return t->nshards;
}

strads_addr_t
strads_table_shard(const strads_table_t *t, int i)
{
	STRADS__ASSERT(i >= 0 && i < t->nshards);
	return t->shards[i];
}

void
strads_table_stats(const strads_table_t *t, strads_table_stats_t *st)
{
	strads_table_t *m = (strads_table_t *)t; /* atomics want non-const */

	st->gets = atomic_load(&m->st.gets);
	st->rows_read = atomic_load(&m->st.rows_read);
	st->cache_hits = atomic_load(&m->st.cache_hits);
	st->shard_gets = atomic_load(&m->st.shard_gets);
	st->held_gets = atomic_load(&m->st.held_gets);
	st->updates = atomic_load(&m->st.updates);
	st->clocks = atomic_load(&m->st.clocks);
	st->rejected = atomic_load(&m->st.rejected);
}
