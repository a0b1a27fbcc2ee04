/*
 * table.h -- internals of the SSP tables shared by src/table/create.c (the
 * table object), client.c and read.c (the client, its reads and the
 * per-loop cache; client.h is theirs alone), files.c (checkpoint files)
 * and actors/table_shard.c (the shard actor): the table
 * object, a small hash map, the payload layouts and the checkpoint file
 * format.
 */
#ifndef STRADS_TABLE_H
#define STRADS_TABLE_H

#include "strads-int.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "table payloads and files copy doubles as little-endian bytes"
#endif

/* Table message types (runtime table, see strads-int.h). */
enum {
	TBL_UPDATE = STRADS__MSG_TBL_UPDATE,
	TBL_CLOCK = STRADS__MSG_TBL_CLOCK,
	TBL_GET = STRADS__MSG_TBL_GET,
	TBL_ROWS = STRADS__MSG_TBL_ROWS,
	TBL_CKPT = STRADS__MSG_TBL_CKPT,
	TBL_CKPT_DONE = STRADS__MSG_TBL_CKPT_DONE,
	TBL_LOCAL = STRADS__MSG_TBL_LOCAL,
	TBL_UPDATE_BULK = STRADS__MSG_TBL_UPDATE_BULK,
	TBL_GET_BULK = STRADS__MSG_TBL_GET_BULK,
	TBL_ROWS_BULK = STRADS__MSG_TBL_ROWS_BULK
};

/*
 * Payloads, little-endian (offsets in bytes). A value is an f64, or an
 * f32 in a table of STRADS_TABLE_F32 values ("val" below):
 *  UPDATE    0 u32 client  4 u32 n  8 u64 clock, then n entries of
 *            u64 key, u64 flags (TBL_PUT), width val
 *  CLOCK     0 u32 client  4 u32 layout tag  8 u64 clock
 *  GET       0 u64 req  8 u64 need (min clock wanted)  16 u32 client
 *            20 u32 n, then n u64 keys
 *  ROWS      0 u64 req  8 u64 version  16 u32 shard  20 u32 n
 *            24 u32 nclients  28 u32 width, then nclients u64 clocks,
 *            then n x width val (the keys of the GET, in its order)
 *  CKPT      0 u64 req  8 u64 at (min clock wanted)  16 u32 client
 *            20 u32 dirlen, then the directory (no NUL)
 *  CKPT_DONE 0 u64 req  8 i32 status  12 u32 shard  16 u32 msglen
 *            20 u32 0, then the message (no NUL)
 *  LOCAL     0 u64 req  8 u32 shard 0's actor id  12 u32 its node
 *            (a client's completion from its loop's cache; never remote)
 * The bulk path (strads_table_inc_many, strads_table_get_many): arrays,
 * not entries, so both ends run tight loops over them.
 *  UPDATE_BULK  0 u32 client  4 u32 n  8 u64 clock  16 u32 layout tag
 *            20 u32 0, then n u64 keys, then n x width val (deltas)
 *  GET_BULK  0 u64 req  8 u64 need  16 u32 client  20 u32 n  24 u32 chunk
 *            28 u32 layout tag, then n u64 keys
 *  ROWS_BULK 0 u64 req  8 u64 seen (the reader's clocks the rows hold)
 *            16 u32 shard  20 u32 n  24 u32 chunk  28 u32 0, then
 *            n x width val (the keys of the GET_BULK, in its order)
 *
 * The layout tag is a hash of what every process holding the table must
 * agree on (name, kind, nrows, width, staleness, nclients, nshards): a
 * shard refuses the CLOCK of a client whose table was attached with
 * other options, so a misconfigured process cannot get its updates
 * applied under another layout.
 */
#define TBL_PUT 1u
#define TBL_UPDATE_HDR 16u
#define TBL_GET_HDR 24u
#define TBL_ROWS_HDR 32u
#define TBL_CKPT_HDR 24u
#define TBL_DONE_HDR 24u
#define TBL_BULK_HDR 24u
#define TBL_GETB_HDR 32u
#define TBL_ROWSB_HDR 32u
#define TBL_MAX_DIR 4096u
#define TBL_MAX_ERRMSG 1024u

static inline void
tbl_putf(uint8_t *p, const double *v, uint32_t n)
{
	memcpy(p, v, (size_t)n * sizeof(double));
}

static inline void
tbl_getf(double *v, const uint8_t *p, uint32_t n)
{
	memcpy(v, p, (size_t)n * sizeof(double));
}

/* n values from doubles to vsize-byte values (8: f64, 4: f32). */
static inline void
tbl_putv(uint8_t *p, const double *v, size_t n, uint32_t vsize)
{
	size_t i;

	if (vsize == 8) {
		memcpy(p, v, n * sizeof(double));
		return;
	}
	for (i = 0; i < n; i++) {
		float f = (float)v[i];

		memcpy(p + i * 4, &f, 4);
	}
}

/* n vsize-byte values to doubles. */
static inline void
tbl_getv(double *v, const uint8_t *p, size_t n, uint32_t vsize)
{
	size_t i;

	if (vsize == 8) {
		memcpy(v, p, n * sizeof(double));
		return;
	}
	for (i = 0; i < n; i++) {
		float f;

		memcpy(&f, p + i * 4, 4);
		v[i] = f;
	}
}

/* ------------------------------------------------------------------ */
/* The table object: what strads_table_create() set up. Read-only once */
/* the shards run, except for the counters and the shards' restore     */
/* data (each taken once by its shard's init_cb).                      */

typedef struct strads__tshard_init_s {
	struct strads_table_s *table;
	int index;
	/* Restored partition, owned until the shard takes it. */
	uint64_t nent;
	uint64_t *keys; /* sparse only */
	double *rows;   /* nent x width */
} strads__tshard_init_t;

struct strads_table_s {
	strads_runtime_t *rt;
	char name[65];
	int kind;
	uint64_t nrows;
	uint32_t width;
	uint32_t staleness;
	uint32_t nclients;
	int nshards;
	size_t flush_bytes;
	uint64_t cache_rows;
	uint64_t per_shard; /* dense: keys per shard (the last may have fewer) */
#ifdef __SIZEOF_INT128__
	__uint128_t shard_m; /* (2^128 - 1) / nshards + 1 (sparse) */
#endif
	uint32_t tag;       /* layout tag (see the payloads above) */
	uint32_t vsize;     /* bytes of a value: 8 (f64) or 4 (f32) */
	uint32_t chunk_upd; /* most pairs in an UPDATE_BULK */
	uint32_t chunk_get; /* most keys in a GET_BULK (and its reply) */
	int attached;       /* strads_table_attach(): the shards live elsewhere */
	strads_addr_t *shards;
	strads__tshard_init_t *init;
	/* Shards spawned; each posts gone once, as it stops (or fails its
	 * init), so strads__table_stop() can tell they are all gone. */
	int nspawned;
	uv_sem_t gone;
	uv_mutex_t lock; /* guards id_open: clients open on any loop */
	uint8_t *id_open; /* nclients flags: 1 once a client took the id */

	struct {
		atomic_ullong gets, rows_read, cache_hits, shard_gets;
		atomic_ullong held_gets, updates, clocks, rejected;
	} st;
};

#define TBL_COUNT(t, field, n)                                             \
	atomic_fetch_add_explicit(&(t)->st.field, (n), memory_order_relaxed)


/* Hash buckets of the bulk paths: a sparse shard indexes its map by the
 * top bits of the key's hash, so pairs grouped by the top TBL_BUCKET_BITS
 * bits visit the map region by region (each in cache) instead of at
 * random. */
#define TBL_BUCKET_BITS 11
#define TBL_NBUCKETS (1u << TBL_BUCKET_BITS)

/* The key hash of a shard's map (and of its buckets). */
static inline uint64_t
strads__tbl_hash(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/* The shard owning key (key already validated for dense tables): its
 * range, or hash(key ^ 0x5bd1e995) mod nshards, the modulo done by
 * multiplications (Lemire's fastmod, exact for 64 bits) where the
 * compiler has 128-bit integers: it runs for every pair of a bulk call. */
static inline int
strads__table_shard_of(const strads_table_t *t, uint64_t key)
{
	uint64_t h;

	if (t->kind == STRADS_TABLE_DENSE)
		return (int)(key / t->per_shard);
	h = strads__tbl_hash(key ^ 0x5bd1e995u);
#ifdef __SIZEOF_INT128__
	{
		__uint128_t low = t->shard_m * h;

		return (int)(((low >> 64) * (unsigned)t->nshards +
		    (((low & UINT64_MAX) * (unsigned)t->nshards) >> 64)) >> 64);
	}
#else
	return (int)(h % (uint64_t)t->nshards);
#endif
}
/* Dense: the keys [*begin, *end) of shard i. */
void strads__table_range(const strads_table_t *t, int i, uint64_t *begin,
    uint64_t *end);

/* ------------------------------------------------------------------ */
/* Checkpoint files (src/table/files.c).                                */
/*
 * DIR/table-NAME-SHARD.bin, little-endian:
 *    0 8 bytes magic "STRDTBL1"   8 u32 version (1)   12 u32 kind
 *   16 u32 width   20 u32 shard   24 u32 nshards      28 u32 nclients
 *   32 u64 nrows (dense; 0 for sparse)   40 u64 nent
 *   48 u32 namelen   52 u32 value type (0: f64, 1: f32; the entries hold
 *   f64 either way), then the name, padded with zeros to 8,
 *   then nclients u64 clocks (informational: what the partition holds),
 *   then nent entries of u64 key, width f64,
 *   then u64 FNV-1a 64 of every byte before it.
 */
#define TBL_FILE_MAGIC "STRDTBL1"
#define TBL_FILE_VERSION 1u

/* Writes a partition atomically (strads_file_write_atomic; on a compute
 * thread: blocks). 0 or a negative code with a message naming the file
 * in err. */
int strads__table_file_write(const strads_table_t *t, const char *dir,
    int shard, const uint64_t *clk, uint64_t nent, const uint64_t *keys,
    const double *rows, char *err, size_t errlen);
/* Reads and checks shard i's file into init (keys/rows malloc'd). */
int strads__table_file_read(const strads_table_t *t, const char *dir, int i,
    strads__tshard_init_t *init, char *err, size_t errlen);

/* For the engine and the cluster (the ssp home, doc/schmp.md). */
/* strads_table_create() of a dense table whose rows start from rows
 * (nrows x width doubles, borrowed for the call) instead of zeros;
 * o->restore_dir must be NULL. */
int strads__table_create_seeded(strads_runtime_t *rt,
    const strads_table_opts_t *o, const double *rows, strads_table_t **tp,
    char *err, size_t errlen);
/* Stops the shards of a created table while its runtime runs, and
 * returns once every one has stopped: the table may then be freed. Its
 * clients must be closed first (a client's later messages to the shards
 * are refused as messages to stale addresses). The main thread's (it
 * blocks); nothing for an attached table, or a second time. */
void strads__table_stop(strads_table_t *t);
/* strads_table_get_many() that waits for every client's clock to reach
 * the reader's own (not the reader's less s): the rows then hold
 * exactly every update of clocks below it, a consistent cut once no
 * client is past that clock (the engine's snapshots of the ssp table). */
int strads__table_get_many_at(strads_table_client_t *c, const uint64_t *keys,
    size_t n, double *rows, strads_table_many_cb cb, void *arg);

/* The shard actor (actors/table_shard.c). */
extern const strads_actor_type_t strads__table_shard_type;

#endif
