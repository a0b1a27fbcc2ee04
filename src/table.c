/*
 * table.c -- the SSP tables: creation, the client (buffered updates,
 * clocks, reads, checkpoints), the per-loop cache and the checkpoint
 * files. The shard actor is actors/table.c.
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
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* The map.                                                             */

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

void
strads__tmap_init(strads__tmap_t *m, size_t esize)
{
	memset(m, 0, sizeof(*m));
	m->esize = esize;
}

void
strads__tmap_fini(strads__tmap_t *m)
{
	free(m->slots);
	free(m->keys);
	free(m->vals);
	strads__tmap_init(m, m->esize);
}

void
strads__tmap_clear(strads__tmap_t *m)
{
	if (m->slots != NULL)
		memset(m->slots, 0, m->cap * sizeof(*m->slots));
	m->n = 0;
}

void *
strads__tmap_find(const strads__tmap_t *m, uint64_t key)
{
	uint32_t j, e;

	if (m->cap == 0)
		return NULL;
	j = (uint32_t)mix64(key) & (m->cap - 1);
	while ((e = m->slots[j]) != 0) {
		if (m->keys[e - 1] == key)
			return strads__tmap_val(m, e - 1);
		j = (j + 1) & (m->cap - 1);
	}
	return NULL;
}

static int
tmap_rehash(strads__tmap_t *m, uint32_t cap)
{
	uint32_t *s = calloc(cap, sizeof(*s)), i;

	if (s == NULL)
		return STRADS_ENOMEM;
	for (i = 0; i < m->n; i++) {
		uint32_t j = (uint32_t)mix64(m->keys[i]) & (cap - 1);

		while (s[j] != 0)
			j = (j + 1) & (cap - 1);
		s[j] = i + 1;
	}
	free(m->slots);
	m->slots = s;
	m->cap = cap;
	return 0;
}

void *
strads__tmap_get(strads__tmap_t *m, uint64_t key)
{
	void *v = strads__tmap_find(m, key);
	uint32_t j;

	if (v != NULL)
		return v;
	if (m->n == UINT32_MAX / 2)
		return NULL;
	if ((m->n + 1) * 4 > m->cap * 3 &&
	    tmap_rehash(m, m->cap ? m->cap * 2 : 16) != 0)
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
	j = (uint32_t)mix64(key) & (m->cap - 1);
	while (m->slots[j] != 0)
		j = (j + 1) & (m->cap - 1);
	m->slots[j] = m->n + 1;
	m->keys[m->n] = key;
	v = strads__tmap_val(m, m->n);
	memset(v, 0, m->esize);
	m->n++;
	return v;
}

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
errf(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
errf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
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

int
strads__table_shard_of(const strads_table_t *t, uint64_t key)
{
	if (t->kind == STRADS_TABLE_DENSE)
		return (int)(key / t->per_shard);
	return (int)(mix64(key ^ 0x5bd1e995u) % (uint64_t)t->nshards);
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
	free(t);
}

static int
opts_check(const strads_runtime_t *rt, const strads_table_opts_t *o,
    char *err, size_t errlen)
{
	size_t row = 16 + (size_t)(o->width ? o->width : 1) * sizeof(double);

	if (!name_ok(o->name))
		return errf(err, errlen, STRADS_EINVAL,
		    "table name must be 1-64 of [A-Za-z0-9_.-]");
	if (o->kind != STRADS_TABLE_DENSE && o->kind != STRADS_TABLE_SPARSE)
		return errf(err, errlen, STRADS_EINVAL, "table %s: bad kind %d",
		    o->name, o->kind);
	if (o->kind == STRADS_TABLE_DENSE && o->nrows == 0)
		return errf(err, errlen, STRADS_EINVAL,
		    "table %s: a dense table needs nrows", o->name);
	if (o->nclients == 0 || o->nclients > (1u << 20))
		return errf(err, errlen, STRADS_EINVAL,
		    "table %s: nclients must be in 1..%u", o->name, 1u << 20);
	if (o->nshards < 0 || o->nshards > 65535)
		return errf(err, errlen, STRADS_EINVAL,
		    "table %s: bad nshards %d", o->name, o->nshards);
	/* One row, one client vector and the headers fit in a frame. */
	if (o->width > (1u << 24) ||
	    row + 8u * o->nclients + 256 > rt->cfg.max_frame - STRADS_MSG_HDR_SIZE)
		return errf(err, errlen, STRADS_EMSGSIZE,
		    "table %s: a row does not fit in a frame", o->name);
	return 0;
}

/* FNV-1a 32 of what every process holding the table must agree on. */
static uint32_t
layout_tag(const strads_table_t *t)
{
	uint64_t f[6] = {(uint64_t)t->kind, t->nrows, t->width, t->staleness,
	    t->nclients, (uint64_t)t->nshards};
	uint32_t h = 0x811c9dc5u;
	size_t i, j;

	for (i = 0; t->name[i] != '\0'; i++)
		h = (h ^ (uint8_t)t->name[i]) * 0x01000193u;
	for (i = 0; i < 6; i++)
		for (j = 0; j < 8; j++)
			h = (h ^ (uint8_t)(f[i] >> (8 * j))) * 0x01000193u;
	return h;
}

static int
table_alloc(strads_runtime_t *rt, const strads_table_opts_t *o,
    strads_table_t **tp)
{
	strads_table_t *t = calloc(1, sizeof(*t));
	int i;

	if (t == NULL)
		return STRADS_ENOMEM;
	if (uv_mutex_init(&t->lock) != 0) {
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
	*tp = t;
	return 0;
}

int
strads_table_create(strads_runtime_t *rt, const strads_table_opts_t *o,
    strads_table_t **tp, char *err, size_t errlen)
{
	strads_table_t *t;
	int i, rc;

	if (rt == NULL || o == NULL || tp == NULL)
		return errf(err, errlen, STRADS_EINVAL, "table: NULL argument");
	if ((rc = opts_check(rt, o, err, errlen)) != 0)
		return rc;
	if ((rc = table_alloc(rt, o, &t)) != 0)
		return errf(err, errlen, rc, "table %s: out of memory", o->name);
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
			return errf(err, errlen, rc, "table %s: spawn: %s",
			    o->name, strads_strerror(rc));
		}
		if (rc != 0) {
			*tp = t;
			return errf(err, errlen, rc, "table %s: spawn shard %d: %s",
			    o->name, i, strads_strerror(rc));
		}
	}
	*tp = t;
	return 0;
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
		return errf(err, errlen, STRADS_EINVAL, "table: NULL argument");
	if (nshards < 1 || nshards > 65535 ||
	    (o->nshards != 0 && o->nshards != nshards))
		return errf(err, errlen, STRADS_EINVAL, "table %s: %d shard "
		    "addresses for %d shards", o->name != NULL ? o->name : "?",
		    nshards, o->nshards);
	if (o->restore_dir != NULL)
		return errf(err, errlen, STRADS_EINVAL, "table %s: restore_dir "
		    "is for the process that creates the shards", o->name);
	if (o->kind == STRADS_TABLE_DENSE && (uint64_t)nshards > o->nrows)
		return errf(err, errlen, STRADS_EINVAL, "table %s: %d shards for "
		    "%llu rows", o->name, nshards, (unsigned long long)o->nrows);
	for (i = 0; i < nshards; i++)
		if (shards[i].node == 0)
			return errf(err, errlen, STRADS_EADDR, "table %s: shard %d "
			    "has no node", o->name, i);
	a = *o;
	a.nshards = nshards;
	if ((rc = opts_check(rt, &a, err, errlen)) != 0)
		return rc;
	if ((rc = table_alloc(rt, &a, &t)) != 0)
		return errf(err, errlen, rc, "table %s: out of memory", o->name);
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

/* ------------------------------------------------------------------ */
/* Checkpoint files (format in table.h).                                */

#define FNV64_INIT 0xcbf29ce484222325ull

static uint64_t
fnv64(uint64_t h, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static size_t
pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static void
file_path(char *out, size_t len, const char *dir, const char *name, int shard)
{
	snprintf(out, len, "%s/table-%s-%d.bin", dir, name, shard);
}

/* A writer that checksums what it writes. */
typedef struct {
	FILE *f;
	uint64_t h;
} fw_t;

static void
fw(fw_t *w, const void *p, size_t n)
{
	w->h = fnv64(w->h, p, n);
	(void)fwrite(p, 1, n, w->f);
}

static void
fw_header(fw_t *w, const strads_table_t *t, int shard, const uint64_t *clk,
    uint64_t nent)
{
	uint8_t h[56], pad[8] = {0};
	size_t nl = strlen(t->name);
	uint32_t i;

	memset(h, 0, sizeof(h));
	memcpy(h, TBL_FILE_MAGIC, 8);
	strads__put32(h + 8, TBL_FILE_VERSION);
	strads__put32(h + 12, (uint32_t)t->kind);
	strads__put32(h + 16, t->width);
	strads__put32(h + 20, (uint32_t)shard);
	strads__put32(h + 24, (uint32_t)t->nshards);
	strads__put32(h + 28, t->nclients);
	strads__put64(h + 32, t->nrows);
	strads__put64(h + 40, nent);
	strads__put32(h + 48, (uint32_t)nl);
	fw(w, h, sizeof(h));
	fw(w, t->name, nl);
	fw(w, pad, pad8(nl) - nl);
	for (i = 0; i < t->nclients; i++) {
		uint8_t b[8];

		strads__put64(b, clk[i]);
		fw(w, b, 8);
	}
}

static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
strads__table_file_write(const strads_table_t *t, const char *dir, int shard,
    const uint64_t *clk, uint64_t nent, const uint64_t *keys,
    const double *rows, uint64_t seq, char *err, size_t errlen)
{
	char path[TBL_MAX_DIR + 128], tmp[TBL_MAX_DIR + 160];
	uint8_t b[8];
	uint64_t i;
	fw_t w;
	int fd;

	file_path(path, sizeof(path), dir, t->name, shard);
	snprintf(tmp, sizeof(tmp), "%s/.table-%s-%d.bin.%llu.XXXXXX", dir,
	    t->name, shard, (unsigned long long)seq);
	if ((fd = mkstemp(tmp)) < 0)
		return errf(err, errlen, STRADS_EIO, "%s: cannot create a temporary "
		    "file: %s", path, strerror(errno));
	if ((w.f = fdopen(fd, "wb")) == NULL) {
		close(fd);
		unlink(tmp);
		return errf(err, errlen, STRADS_EIO, "%s: %s", path, strerror(errno));
	}
	w.h = FNV64_INIT;
	fw_header(&w, t, shard, clk, nent);
	for (i = 0; i < nent; i++) {
		strads__put64(b, keys[i]);
		fw(&w, b, 8);
		fw(&w, rows + i * t->width, (size_t)t->width * sizeof(double));
	}
	strads__put64(b, w.h);
	(void)fwrite(b, 1, 8, w.f);
	/* The file is complete and durable before it takes the real name,
	 * and the rename is durable before we say so. */
	if (ferror(w.f) || fflush(w.f) != 0 || fsync(fileno(w.f)) != 0) {
		errf(err, errlen, STRADS_EIO, "%s: write: %s", path, strerror(errno));
		fclose(w.f);
		unlink(tmp);
		return STRADS_EIO;
	}
	if (fclose(w.f) != 0 || rename(tmp, path) != 0) {
		errf(err, errlen, STRADS_EIO, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return STRADS_EIO;
	}
	if (fsync_dir(dir) != 0)
		return errf(err, errlen, STRADS_EIO, "%s: fsync of the directory: %s",
		    path, strerror(errno));
	return 0;
}

static int
slurp(const char *path, uint8_t **out, size_t *len, char *err, size_t errlen)
{
	struct stat sb;
	uint8_t *p;
	size_t got = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return errf(err, errlen, errno == ENOENT ? STRADS_ENOENT : STRADS_EIO,
		    "%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return errf(err, errlen, STRADS_EIO, "%s: not a regular file", path);
	}
	p = malloc(sb.st_size > 0 ? (size_t)sb.st_size : 1);
	if (p == NULL) {
		close(fd);
		return errf(err, errlen, STRADS_ENOMEM, "%s: out of memory", path);
	}
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, p + got, (size_t)sb.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(p);
			close(fd);
			return errf(err, errlen, STRADS_EIO, "%s: read: %s", path,
			    r < 0 ? strerror(errno) : "file shrank");
		}
		got += (size_t)r;
	}
	close(fd);
	*out = p;
	*len = got;
	return 0;
}

/* Checks the header against the table; fills the layout it implies. */
static int
file_header(const strads_table_t *t, const char *path, int i, const uint8_t *p,
    size_t len, uint64_t *nent, size_t *ent_off, char *err, size_t errlen)
{
	uint32_t nclients, namelen;
	uint64_t rowb = 8 + (uint64_t)t->width * 8, n;
	size_t off;

	if (len < 56 || memcmp(p, TBL_FILE_MAGIC, 8) != 0)
		return errf(err, errlen, STRADS_EFORMAT, "%s: %s", path,
		    len < 56 ? "truncated (no header)" :
			       "not a strads table checkpoint (bad magic)");
	if (strads__get32(p + 8) != TBL_FILE_VERSION)
		return errf(err, errlen, STRADS_EFORMAT, "%s: unsupported version %u",
		    path, strads__get32(p + 8));
	nclients = strads__get32(p + 28);
	namelen = strads__get32(p + 48);
	n = strads__get64(p + 40);
	if (namelen > 64 || nclients > (1u << 20) || n > (len / rowb) + 1)
		return errf(err, errlen, STRADS_EFORMAT, "%s: corrupt header", path);
	off = 56 + pad8(namelen) + (size_t)nclients * 8;
	if ((uint64_t)len != off + n * rowb + 8)
		return errf(err, errlen, STRADS_EFORMAT,
		    "%s: truncated or corrupt: %zu bytes, header says %llu", path,
		    len, (unsigned long long)(off + n * rowb + 8));
	if (strads__get64(p + len - 8) != fnv64(FNV64_INIT, p, len - 8))
		return errf(err, errlen, STRADS_EFORMAT, "%s: checksum mismatch "
		    "(corrupt file)", path);
	if (strads__get32(p + 12) != (uint32_t)t->kind ||
	    strads__get32(p + 16) != t->width ||
	    strads__get32(p + 20) != (uint32_t)i ||
	    strads__get32(p + 24) != (uint32_t)t->nshards ||
	    strads__get64(p + 32) != t->nrows || namelen != strlen(t->name) ||
	    memcmp(p + 56, t->name, namelen) != 0)
		return errf(err, errlen, STRADS_EFORMAT, "%s: written for another "
		    "table layout (name, kind, width, nrows, shard or nshards "
		    "differ)", path);
	*nent = n;
	*ent_off = off;
	return 0;
}

/* Checks that the keys belong to shard i (every row, in order, when
 * dense). */
static int
file_keys(const strads_table_t *t, const char *path, int i,
    strads__tshard_init_t *in, char *err, size_t errlen)
{
	uint64_t b, e, k;

	if (t->kind == STRADS_TABLE_DENSE) {
		strads__table_range(t, i, &b, &e);
		if (in->nent != e - b)
			return errf(err, errlen, STRADS_EFORMAT,
			    "%s: %llu rows, the shard has %llu", path,
			    (unsigned long long)in->nent,
			    (unsigned long long)(e - b));
		for (k = 0; k < in->nent; k++)
			if (in->keys[k] != b + k)
				return errf(err, errlen, STRADS_EFORMAT,
				    "%s: row %llu has key %llu", path,
				    (unsigned long long)k,
				    (unsigned long long)in->keys[k]);
		return 0;
	}
	for (k = 0; k < in->nent; k++)
		if (strads__table_shard_of(t, in->keys[k]) != i)
			return errf(err, errlen, STRADS_EFORMAT,
			    "%s: key %llu belongs to another shard", path,
			    (unsigned long long)in->keys[k]);
	return 0;
}

int
strads__table_file_read(const strads_table_t *t, const char *dir, int i,
    strads__tshard_init_t *in, char *err, size_t errlen)
{
	char path[TBL_MAX_DIR + 128];
	uint8_t *p = NULL;
	size_t len = 0, off = 0;
	uint64_t n = 0, k;
	int rc;

	if (strlen(dir) > TBL_MAX_DIR)
		return errf(err, errlen, STRADS_EINVAL, "%s: path too long", dir);
	file_path(path, sizeof(path), dir, t->name, i);
	if ((rc = slurp(path, &p, &len, err, errlen)) != 0)
		return rc;
	if ((rc = file_header(t, path, i, p, len, &n, &off, err, errlen)) != 0) {
		free(p);
		return rc;
	}
	in->nent = n;
	in->keys = malloc((size_t)(n ? n : 1) * sizeof(uint64_t));
	in->rows = malloc((size_t)(n ? n : 1) * t->width * sizeof(double));
	if (in->keys == NULL || in->rows == NULL) {
		free(p);
		return errf(err, errlen, STRADS_ENOMEM, "%s: out of memory", path);
	}
	for (k = 0; k < n; k++) {
		const uint8_t *e = p + off + k * (8 + (size_t)t->width * 8);

		in->keys[k] = strads__get64(e);
		tbl_getf(in->rows + k * t->width, e + 8, t->width);
	}
	free(p);
	return file_keys(t, path, i, in, err, errlen);
}

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
	strads__tmap_t rows;
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
		snap_unref(((centry_t *)strads__tmap_val(&tc->rows, i))->snap);
	strads__tmap_clear(&tc->rows);
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
	strads__tmap_init(&tc->rows,
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
	strads__tmap_fini(&tc->rows);
	free(tc);
}

/* Keeps row under key unless a newer state of the same shard is there
 * already (replies to different clients race). */
static void
tcache_store(tcache_t *tc, uint64_t key, const double *row, snap_t *snap)
{
	strads_table_t *t = tc->table;
	centry_t *e = strads__tmap_find(&tc->rows, key);

	if (e != NULL && e->snap->version > snap->version)
		return;
	if (e == NULL && t->cache_rows != 0 && tc->rows.n >= t->cache_rows)
		tcache_clear(tc); /* full: start over, simple and bounded */
	if (e == NULL && (e = strads__tmap_get(&tc->rows, key)) == NULL)
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

/* Own updates already sent, for the rows that may not show them yet. */
typedef struct {
	uint64_t clock;
	strads__tmap_t map; /* of upd_t */
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
	strads__tmap_t buf; /* this clock's updates not yet sent (upd_t) */
	size_t buf_bytes;   /* their encoded size */
	logent_t *log;      /* oldest first */
	uint32_t nlog, logcap;
	req_t *reqs;
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
	return 16 + (size_t)t->width * sizeof(double);
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
	c->cache = tcache_get(self->loop, t);
	if (c->count == NULL || c->cache == NULL) {
		if (c->cache != NULL)
			tcache_put(self->loop, c->cache);
		free(c->count);
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
		free(c);
		return STRADS_EBUSY;
	}
	c->self = self;
	c->t = t;
	c->id = id;
	strads__tmap_init(&c->buf, upd_size(t));
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
	while (c->cks != NULL) {
		ckreq_t *k = c->cks;

		c->cks = k->next;
		k->cb(c, STRADS_ECANCELED, "client closed", k->arg);
		free(k);
	}
	for (i = 0; i < c->nlog; i++)
		strads__tmap_fini(&c->log[i].map);
	free(c->log);
	strads__tmap_fini(&c->buf);
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

/* Sends this clock's buffered updates, one message per shard, and keeps
 * them in the log for the reader's own rows. */
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
		const upd_t *u = strads__tmap_val(&c->buf, i);
		uint8_t *p = at[strads__table_shard_of(t, c->buf.keys[i])];

		strads__put64(p, c->buf.keys[i]);
		strads__put64(p + 8, u->flags);
		tbl_putf(p + 16, u->row, t->width);
		at[strads__table_shard_of(t, c->buf.keys[i])] += entry_bytes(t);
	}
	if (rc == 0 && c->nlog == c->logcap) {
		uint32_t cap = c->logcap ? c->logcap * 2 : 4;
		logent_t *l = realloc(c->log, cap * sizeof(*l));

		if (l == NULL)
			rc = STRADS_ENOMEM;
		else {
			c->log = l;
			c->logcap = cap;
		}
	}
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
	c->log[c->nlog].map = c->buf;
	c->nlog++;
	strads__tmap_init(&c->buf, upd_size(t));
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
	if ((u = strads__tmap_get(&c->buf, key)) == NULL)
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

/* Drops the log entries no read can need: a row a read at clock r uses
 * holds the reader's clocks < r - s at least. */
static void
log_trim(strads_table_client_t *c)
{
	uint64_t low = c->clock, drop = 0;
	const req_t *r;
	uint32_t i;

	for (r = c->reqs; r != NULL; r = r->next)
		if (r->clock < low)
			low = r->clock;
	if (low < c->t->staleness)
		return;
	low -= c->t->staleness;
	while (drop < c->nlog && c->log[drop].clock < low)
		strads__tmap_fini(&c->log[drop++].map);
	for (i = 0; drop > 0 && i + drop < c->nlog; i++)
		c->log[i] = c->log[i + drop];
	c->nlog -= (uint32_t)drop;
}

int
strads_table_clock(strads_table_client_t *c)
{
	strads_table_t *t = c->t;
	int k, rc;

	if ((rc = flush(c)) != 0)
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

/* Lays the reader's own updates the base row lacks over it: those of
 * clocks >= seen (the reader's clocks the shard had applied), oldest
 * first, then the buffer. */
static void
overlay(const strads_table_client_t *c, uint64_t key, double *row,
    uint64_t seen)
{
	uint32_t i, j, w = c->t->width;

	for (i = 0; i <= c->nlog; i++) {
		const strads__tmap_t *m = i < c->nlog ? &c->log[i].map : &c->buf;
		const upd_t *u;

		if (i < c->nlog && c->log[i].clock < seen)
			continue;
		if ((u = strads__tmap_find(m, key)) == NULL)
			continue;
		if (u->flags & TBL_PUT)
			memcpy(row, u->row, (size_t)w * sizeof(double));
		else
			for (j = 0; j < w; j++)
				row[j] += u->row[j];
	}
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
		const centry_t *e = strads__tmap_find(&c->cache->rows, r->keys[i]);

		if (e != NULL && e->snap->min >= need) {
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
send_local(strads_table_client_t *c, req_t *r)
{
	strads_msg_t *m = strads_msg_new(TBL_LOCAL, 16);

	if (m == NULL)
		return STRADS_ENOMEM;
	/* Shard 0's address names a live table: actor ids carry a
	 * generation. */
	strads__put64(m->data, r->id);
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
	    TBL_ROWS_HDR + 8ull * t->nclients + (uint64_t)n * t->width * 8 <= lim;
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
		rc = send_local(c, r);
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
	uint32_t i;

	for (i = 0; i < r->n; i++)
		overlay(c, r->keys[i], r->rows + (size_t)i * c->t->width,
		    r->seen[i]);
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
		(uint64_t)n * w * 8 ||
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

		tbl_getf(r->rows + (size_t)at * w, v + (size_t)j * w * 8, w);
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

static int
recv_local(strads_table_client_t *c, const strads_msg_t *m)
{
	req_t *r;

	if (!strads_addr_eq(m->src, strads_actor_addr(c->self)) ||
	    strads__get32(m->data + 8) != c->t->shards[0].actor ||
	    strads__get32(m->data + 12) != c->t->shards[0].node ||
	    (r = req_take(c, strads__get64(m->data))) == NULL)
		return 0;
	req_complete(c, r);
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
	case TBL_LOCAL:
		return m->len == 16 ? recv_local(c, m) : 0;
	case TBL_CKPT_DONE:
		return m->len >= TBL_DONE_HDR ? recv_ckpt_done(c, m) : 0;
	default:
		return 0;
	}
}
