/*
 * schmp.h -- internals of the SchMP engine shared by src/engine/schmp.c and the
 * four role actors in actors/: the job every role reads, and the codecs
 * of the engine's messages (all in src/engine/schmp-codec.c).
 */
#ifndef STRADS_SCHMP_H
#define STRADS_SCHMP_H

#include "strads-int.h"
#include "progress.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the engine's payloads copy doubles as little-endian bytes"
#endif

enum { ROLE_COORD, ROLE_SCHED, ROLE_WORKER, ROLE_STORE };

/* A job: what strads_job_run() sets up before any role runs, read-only
 * afterwards except where noted. Single-process mode hands every role a
 * pointer to it; the addresses are values, as they would be on the wire. */
typedef struct strads__job_s {
	const strads_app_t *app;
	void *shared;
	strads_job_opts_t o;
	uint32_t p; /* parameters */

	int nworkers, nstores, nscheds;
	strads_addr_t coord;
	strads_addr_t *workers, *stores, *scheds;
	/* The node each role lives on (single-process mode: all this one).
	 * A process spawns the roles of its node; the addresses of the
	 * others come from the cluster's job table (src/cluster/cluster.c). */
	uint32_t *worker_node, *store_node, *sched_node;
	strads_range_t *store_range, *sched_range;
	strads_shard_t *shards;

	/* Written by the coordinator, read by strads_job_run after done. */
	strads_job_result_t *res;
	int status;

	/* The report of a local role that cannot go on (strads__role_fail),
	 * made with the job so that sending it needs no memory: the first
	 * such role takes it (owned by the job until then). */
	_Atomic(strads_msg_t *) report;
	/* Local roles still alive; the last to stop closes the progress
	 * queue and posts done. */
	atomic_int alive;
	uv_sem_t done;
	int sem_ok;
	/* Owned: the coordinator role puts a record per check, and the
	 * thread running the job delivers them (strads__job_wait). */
	strads__progq_t *progress;
	/* Cluster jobs (src/cluster/cluster.c). The coordinator role waits for a
	 * local ENG_START (every member has the address table) before it
	 * starts the workers. A local ENG_RESHAPE makes it gather the
	 * parameters and stop the job (reshaped = 1, res->params set), so
	 * the job can be laid out again over a new view and go on from
	 * them. A job that goes on from an earlier one counts on from its
	 * rounds, updates and start time, and appends to its metrics. */
	int hold_start;
	int reshaped;
	/* A job of stages (strads_job_run with o.next; never a cluster's):
	 * at a stage's end the coordinator role pauses the progress queue
	 * and waits for a local ENG_START, which the job's thread posts
	 * after o.next, with stage_last set when that was the last stage
	 * (written before the post, read after it). */
	int staged;
	int stage_last;
	uint64_t base_rounds, base_updates;
	uint64_t t0_ns; /* in: the run's start (0: now); out: as used */
	int metrics_append;
	/* Bytes moved between processes so far (NULL: this runtime's). */
	uint64_t (*bytes)(void *arg);
	void *bytes_arg;
	/* updates_by_node: worker w's pushes count into ucount[uidx[w]], the
	 * run's total of node unode[uidx[w]] (nunode nodes; NULL: none). */
	int *uidx;
	uint32_t *unode;
	uint64_t *ucount;
	int nunode;
	/* Snapshots: with snapshot != NULL (p doubles) and every snapshot_s
	 * seconds, the coordinator role lets the pipeline drain after a
	 * check and gathers the parameters there (a consistent cut at a
	 * round boundary): snapshot holds them and snapshot_rounds the
	 * rounds done, have_snapshot counts them. */
	/* Test hook (STRADS_TEST_HOLD_AT=K in t/cluster.sh): after its Kth
	 * check the coordinator role plans nothing until the view changes
	 * (ENG_RESHAPE) or 60 s pass, so a fault lands at a known point;
	 * held is then set (by the coordinator role, read after the job). */
	uint32_t hold_at;
	int held;
	/* Checkpoints: every ckpt_s seconds a snapshot is also written to
	 * ckpt_dir (on a compute thread) with ckpt_spec in its manifest. */
	const char *ckpt_dir;
	const char *ckpt_spec;
	double ckpt_s;
	double *snapshot;
	double snapshot_s;
	uint64_t snapshot_rounds;
	int have_snapshot;
	struct strads__role_arg_s *args; /* one per role, spawn arguments */

	/* Tables (app->tables; ntab 0 when the app declares none). */
	uint32_t ntab;
	uint64_t *tab_rows;   /* rows of each table */
	uint32_t *tab_width;  /* values a row (>= 1) */
	size_t *tab_vsize;    /* bytes a value */
	int tab_store, tab_rot, tab_ssp; /* their index, or -1 */
	/* The rotate table in this process, rows x width values: each part
	 * is a run of it that travels by reference (in one process the
	 * holder of a part is the only one touching it). Owned by the job. */
	uint8_t *rot_rows;
	uint32_t nparts;
	strads_table_t *ssp; /* borrowed (o.ssp[tab_ssp], or the cluster's
	                        table of this layout: strads__job_set_ssp) */
	/* Cluster jobs laid out again from a snapshot: the worker, rotate
	 * and ssp tables' rows to start from (whole tables, borrowed, NULL
	 * entries: from zeros / table_init; the array is owned; the ssp
	 * table's seed the coordinator's table, ssp_make), and the
	 * sweeps done (rotation positions go on from there). */
	const uint8_t **tab_init;
	uint64_t base_sweeps;
	/* Snapshots of the worker, rotate and ssp tables, taken with snapshot
	 * (owned entries, NULL but for those homes) at snapshot_sweeps. */
	void **snap_tabs;
	uint64_t snapshot_sweeps;
} strads__job_t;

/* Makes st the job's ssp table (before its roles are spawned): 0, or
 * STRADS_EINVAL when the job has no ssp table or st does not fit it (a
 * dense table of its rows and width, a client id for every worker). */
int strads__job_set_ssp(strads__job_t *job, strads_table_t *st);
/* Bytes a row of table t in snapshots and results: its declared row,
 * or width doubles for the ssp table. */
size_t strads__job_snap_row(const strads__job_t *job, uint32_t t);
/* Bytes of the worker, rotate and ssp tables of job packed one after
 * the other, each padded to whole doubles (what a snapshot of them
 * holds; the ssp table's rows are doubles). */
size_t strads__job_tables_bytes(const strads__job_t *job);
/* Packs snapshot tables (job->snap_tabs) into out (tables_bytes). */
void strads__job_tables_pack(const strads__job_t *job, void *const *tabs,
    uint8_t *out);
/* Makes the job start from packed tables (len bytes, borrowed for the
 * job's life): 0, or STRADS_EPROTO when len does not fit. */
int strads__job_tables_start(strads__job_t *job, const uint8_t *packed, size_t len);

/* Bytes a row of table t. */
#define STRADS__ROW_BYTES(job, t) ((size_t)(job)->tab_width[t] * (job)->tab_vsize[t])

/* Validates o and lays out a job for o->nworkers workers (> 0): store
 * and scheduler ranges, data shards. Role nodes are left 0. */
int strads__job_new(const strads_app_t *app, void *shared,
    const strads_job_opts_t *o, strads_job_result_t *res, strads__job_t **jp);
void strads__job_free(strads__job_t *job);
/* A role that cannot go on (out of memory where a message or a round's
 * buffers would be dropped, so its round could never complete) ends the
 * job instead of leaving it waiting: it logs why, becomes broken (see
 * strads__role_broken_recv) and reports err to the coordinator with the
 * job's reserved ENG_STOP, unless another role of this process did. */
void strads__role_fail(strads_actor_t *self, strads__job_t *job, int *broken,
    int *told, const char *kind, int index, int err);
/* Spawns the roles whose node is this runtime's (coord == 0), or the
 * coordinator (coord != 0; spawn it last: its init starts the job). On
 * a failure every role spawned here is told to stop and the ones not
 * spawned are counted out of job->alive: job->done is posted once the
 * spawned ones are gone, as after a run. */
int strads__job_spawn(strads_runtime_t *rt, strads__job_t *job, int coord);
/* The thread that runs the job: delivers its progress to the
 * subscribers of job->o until every role spawned here is gone. */
void strads__job_wait(strads__job_t *job);
/* Posts ENG_STOP to the roles of job this runtime spawned (a job
 * stopped before or without its coordinator role). */
void strads__job_stop_local(strads_runtime_t *rt, strads__job_t *job);

/* Engine message types (runtime table, see strads-int.h). */
enum {
	ENG_START = STRADS__MSG_ENG_START,
	ENG_READY = STRADS__MSG_ENG_READY,
	ENG_PLAN = STRADS__MSG_ENG_PLAN,
	ENG_CAND = STRADS__MSG_ENG_CAND,
	ENG_BLOCK = STRADS__MSG_ENG_BLOCK,
	ENG_PARTIAL = STRADS__MSG_ENG_PARTIAL,
	ENG_DELTA = STRADS__MSG_ENG_DELTA,
	ENG_DONE = STRADS__MSG_ENG_DONE,
	ENG_STATS = STRADS__MSG_ENG_STATS,
	ENG_GATHER = STRADS__MSG_ENG_GATHER,
	ENG_PARAMS = STRADS__MSG_ENG_PARAMS,
	ENG_STOP = STRADS__MSG_ENG_STOP,
	ENG_SCREEN = STRADS__MSG_ENG_SCREEN,
	ENG_INACTIVE = STRADS__MSG_ENG_INACTIVE,
	ENG_PRIO = STRADS__MSG_ENG_PRIO,
	ENG_RESHAPE = STRADS__MSG_ENG_RESHAPE,
	ENG_PART = STRADS__MSG_ENG_PART,
	ENG_TROWS = STRADS__MSG_ENG_TROWS
};

/* Rotation messages, in the engine's layout (strads__eng_t):
 *  BLOCK (rotation round, to its holder): round, kind UPDATE, from: the
 *   part's previous holder (ROT_REST: take it where it rests), a: part,
 *   n = ROT_NIDX ids: row_begin (2 words), row_end (2), next holder
 *   (ROT_REST: leave it at rest), its position (2), this position (2);
 *   a position counts rotation rounds over the run (nparts a sweep).
 *  PART (holder to next holder): round: the position it is for, a: part,
 *   from: sender, n = 4 ids: row range; dep: the rows' address in this
 *   process (one process; nd 0: compared with the range's place in
 *   rot_rows, never followed), or nd doubles carrying the rows' bytes.
 *  DONE (holder to coordinator): round, from: worker, a: rows held,
 *   nd = 1: seconds its compute took.
 *  TROWS (worker to coordinator at the end): round: table, dep: first
 *   row, a: rows, nd doubles carrying the rows' bytes. Across processes
 *   the coordinator asks for each part with a TROWS to the worker it is
 *   with: a: part, dep: the position it waits there for (UINT64_MAX: at
 *   rest there), n = 4 ids: its row range.
 *
 * The straggler rule (rotation.c) moves data shards between sweeps
 * (every part at rest, nothing in flight), with kind KIND_RESHARD:
 *  BLOCK (coordinator to every worker): round: the move's number, n =
 *   4 (nworkers + 1) ids: the old shard bounds, then the new (2 words
 *   each).
 *  TROWS (worker to worker): round: the move's number, from: sender,
 *   dep: first row, a: rows (the sender's old rows that are the
 *   receiver's new ones), nd doubles carrying them: every worker-home
 *   table's rows in table order, each table padded to whole doubles.
 *  DONE (worker to coordinator): round: the move's number, from: the
 *   worker, once its tables hold its new rows and app->reshard returned. */
#define ROT_REST UINT32_MAX
#define ROT_NIDX 9

/* A job of stages (strads_job_opts_t.next), with kind KIND_STAGE:
 *  SCREEN (coordinator to every store) and INACTIVE (coordinator to
 *   every scheduler): a new stage begins: every parameter is active
 *   again. Sent before the stage's first check, so a store has them
 *   before that check's screening and a scheduler before the scores
 *   and screening that follow it. */
enum { KIND_UPDATE = 0, KIND_CHECK = 1, KIND_SCREEN = 2, KIND_RESHARD = 3,
	KIND_STAGE = 4 };

/* Decoded payloads. Arrays are copies owned by the decoder's caller
 * (freed with strads__eng_free), so received bytes need no alignment;
 * or, from strads__eng_view, the message's own bytes when aligned. */
typedef struct strads__eng_s {
	uint64_t round;
	uint64_t dep;  /* BLOCK: last update round to apply first, or NONE;
	                  PLAN (working sets): the check whose scores to use;
	                  PARTIAL (check, a = 2): the span's offset */
	uint32_t kind; /* KIND_* */
	uint32_t from; /* index of the sending role */
	uint32_t a;    /* PLAN: quota; PARAMS: first id; DONE: updates;
	                  PARTIAL (check): 0 dense over the store's range,
	                  1 sparse (idx offsets, val), 2 one dense span of
	                  nd values at offset dep */
	uint32_t n;    /* ids */
	uint32_t nd;   /* doubles */
	uint32_t *idx;
	double *val;
	int borrowed;  /* idx and val are the message's: read-only, valid
	                  while it is (strads__eng_view) */
} strads__eng_t;

#define STRADS__ROUND_NONE UINT64_MAX

/* The largest block with pair terms: 2048^2 doubles are 32 MiB, half
 * the default frame limit. */
#define STRADS__PAIRS_MAX 2048

/* Encodes into a new message of type type (NULL when out of memory).
 * idx may be NULL with n ids implied (check partials). */
strads_msg_t *strads__eng_encode(uint16_t type, const strads__eng_t *e);
/* Test hook: with STRADS_TEST_FAIL_ENG=N, the Nth encoding from now
 * fails as if out of memory (strads_job_run arms it for its job). */
void strads__eng_fault_arm(void);
/* 1 when the armed hook says this message fails (an encoding, or an
 * envelope of strads__send_all), else 0. */
int strads__eng_fault(void);
/* Decodes m; 0 or STRADS_EPROTO / STRADS_ENOMEM. */
int strads__eng_decode(const strads_msg_t *m, strads__eng_t *e);
/* As strads__eng_decode, but when the arrays are aligned in m's payload
 * (as a message made on a loop is; one cut from a received frame may not
 * be) e points into it (e->borrowed) instead of copying: for a receiver
 * that reads them within its callback. Big partials were copied to fresh
 * memory, which page faults made cost more than the sums. */
int strads__eng_view(const strads_msg_t *m, strads__eng_t *e);
void strads__eng_free(strads__eng_t *e);

/* Role actor types (actors/). */
extern const strads_actor_type_t strads__coordinator_type;
extern const strads_actor_type_t strads__scheduler_type;
extern const strads_actor_type_t strads__worker_type;
extern const strads_actor_type_t strads__store_type;

/* The argument every role is spawned with. */
typedef struct strads__role_arg_s {
	strads__job_t *job;
	int index;
	int up; /* spawned here (strads__job_stop_local stops only these) */
} strads__role_arg_t;

/* qsort comparators: uint32_t ascending; (score, id) pairs of doubles by
 * score descending, then id ascending. */
int strads__cmp_u32(const void *a, const void *b);
int strads__cmp_score_desc(const void *a, const void *b);

/* Sends m to n addresses: one payload, one envelope each. Takes m.
 * STRADS_ENOMEM when an envelope cannot be made (some addresses then got
 * nothing: the caller ends the job, as a round would wait forever). */
int strads__send_all(strads_actor_t *self, const strads_addr_t *to, int n,
    strads_msg_t *m);

/* A role that could not set itself up (out of memory, or the test hook
 * STRADS_TEST_FAIL_INIT naming its kind) does not fail its init_cb, which
 * would leave the job waiting for it: it stays as a shell that ends the
 * job, and its stop_cb (which must bear what init left unset) counts it
 * out as usual. strads__role_broken() logs it. A worker, store or
 * scheduler then passes every message to strads__role_broken_recv(),
 * which tells the coordinator at the first engine message (it comes once
 * the coordinator runs); the coordinator, told so or broken itself (at
 * once, or in cluster mode at its start message, when the roles'
 * addresses are known), stops every role with an error. */
int strads__role_init_fault(const char *kind);
void strads__role_broken(const char *kind, int index);
void strads__role_broken_recv(strads_actor_t *self, strads__job_t *job,
    int *told, const strads_msg_t *m);

/* Checkpoints on disk (checkpoint.c; the format: doc/cluster.md). */

/* One worker, rotate or ssp table of a checkpoint. */
typedef struct strads__ckpt_tab_s {
	char *name; /* write: borrowed; read: malloc'd */
	strads_home_t home;
	strads_value_type_t value;
	uint64_t rows;
	uint32_t width;
} strads__ckpt_tab_t;

typedef struct strads__ckpt_s {
	uint32_t p;
	uint64_t rounds, updates;
	uint64_t sweeps; /* rotation sweeps done (0 in format 1) */
	double time_s;
	char *spec; /* read: malloc'd */
	/* The worker, rotate and ssp tables (ntab 0: none), in the job's order,
	 * and their rows packed as strads__job_tables_pack does (each
	 * table padded to whole doubles, tab_len bytes). Write: borrowed;
	 * read: malloc'd. */
	uint32_t ntab;
	strads__ckpt_tab_t *tabs;
	uint8_t *tab_data;
	size_t tab_len;
} strads__ckpt_t;

/* Writes params (p doubles), then each table's file, then the manifest
 * into dir (made if missing), each atomically; older files go once the
 * manifest names the new ones. */
int strads__ckpt_write(const char *dir, const strads__ckpt_t *ck,
    const double *params, char *err, size_t errlen);
/* Reads and verifies the checkpoint in dir (format 1 or 2); *params is
 * malloc'd, ck's fields are released by strads__ckpt_free. */
int strads__ckpt_read(const char *dir, strads__ckpt_t *ck, double **params,
    char *err, size_t errlen);
/* Frees what strads__ckpt_read put into ck (idempotent). */
void strads__ckpt_free(strads__ckpt_t *ck);
/* 0 when the checkpoint's tables (read from dir) are want[0..nwant),
 * field by field; otherwise STRADS_EINVAL with a message naming the
 * manifest and what differs. */
int strads__ckpt_match(const char *dir, const strads__ckpt_t *ck,
    const strads__ckpt_tab_t *want, uint32_t nwant, char *err, size_t errlen);
/* The job's worker, rotate and ssp tables as a checkpoint describes them
 * (names borrowed from its app): *out malloc'd (NULL when there are
 * none), *n entries. 0 or STRADS_ENOMEM. */
int strads__job_ckpt_tabs(const strads__job_t *job, strads__ckpt_tab_t **out,
    uint32_t *n);

/* Each role calls this from its stop_cb. */
void strads__job_role_stopped(strads__job_t *job);

#endif
