/*
 * reshard.h -- a worker's side of a move of shards (the straggler rule,
 * doc/schmp.md): the old and new bounds of every shard, the new shard's
 * worker-home tables being filled from this worker's own rows and its
 * neighbours', and the rows each neighbour is owed. No messages are sent
 * here; the worker role (actors/worker.c) sends what this makes.
 */
#ifndef STRADS_RESHARD_H
#define STRADS_RESHARD_H

#include "schmp.h"

/* One worker's moves. The worker owns it and every array in it; job is
 * borrowed for the job's life. */
typedef struct strads__move_s {
	const strads__job_t *job;
	int me;          /* the worker's index */
	int on;          /* a move is under way */
	uint64_t moves;  /* moves done (the next one's number) */
	uint64_t *ob, *nb; /* old and new bounds (nworkers + 1 each; one
	                      array) */
	void **tabs;     /* the new shard's worker-home tables (padded to
	                    whole doubles), NULL for other homes */
	uint8_t *got;    /* per worker: its rows came */
	int due;         /* workers whose rows are still due */
} strads__move_t;

void strads__move_init(strads__move_t *mv, const strads__job_t *job, int me);
/* Frees what the moves hold (idempotent). */
void strads__move_fini(strads__move_t *mv);
/* Begins the move of block e (ENG_BLOCK of kind KIND_RESHARD) at a
 * worker whose shard is sh with worker-home tables tabs: its own rows
 * that stay are copied into the new tables. 0; STRADS_EPROTO when e is
 * not this job's next move for this shard (the caller drops it);
 * STRADS_ENOMEM. */
int strads__move_begin(strads__move_t *mv, const strads__eng_t *e,
    const strads_shard_t *sh, void *const *tabs);
/* The ENG_TROWS carrying this worker's old rows that are worker u's new
 * ones (from tabs, its tables over its old shard), or NULL: with *err 0
 * when it owes u none, else STRADS_ENOMEM. */
strads_msg_t *strads__move_rows(const strads__move_t *mv, uint32_t u,
    void *const *tabs, int *err);
/* Takes the rows of e (an ENG_TROWS of the move from worker e->from)
 * into the new tables: 0, or STRADS_EPROTO when they are not exactly
 * what that worker owes this one, or came before. */
int strads__move_take(strads__move_t *mv, const strads__eng_t *e);
/* Every row is in: the new tables replace tabs' worker-home entries
 * (the old freed) and sh takes its new bounds. */
void strads__move_commit(strads__move_t *mv, void **tabs, strads_shard_t *sh);

#endif
