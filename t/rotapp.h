/*
 * rotapp.h -- a test app on all four homes (t/rotapp.c): a rotate table
 * of counters that workers move to and from their worker table, the net
 * moves added to an ssp table, and a store table whose check sums the
 * worker tables. It records what the engine did so tests can assert it.
 */
#ifndef STRADS_ROTAPP_H
#define STRADS_ROTAPP_H

#include <stdatomic.h>
#include <stdint.h>

#include "strads.h"

enum { ROTAPP_STORE, ROTAPP_WORKER, ROTAPP_ROTATE, ROTAPP_SSP, ROTAPP_NTABLES };

#define ROTAPP_K 2           /* columns of the rotate table, ssp rows */
#define ROTAPP_MAX_ROUNDS 64 /* rounds recorded */
#define ROTAPP_MAX_PARTS 32
#define ROTAPP_MAX_WORKERS 8
#define ROTAPP_SLOW_ALL (-2) /* slow_shard: every shard this process runs */

typedef struct rotapp_s {
	uint64_t nrows; /* data rows: one worker-table row each */
	uint64_t vrows; /* rotate table rows */
	int32_t fill;   /* starting count of every rotate cell */
	int slow_part;  /* a part index made slow (busy work), or -1 */
	/* The straggler rule: busy work of spin iterations a data row a
	 * round on every worker, and slow_factor times that on the worker
	 * of shard slow_shard (-1: none; ROTAPP_SLOW_ALL: every worker of
	 * this process, a slower node), as a slower machine would. */
	long spin;
	int slow_shard;
	int slow_factor;
	/* Moves that do not depend on which worker holds a data row, nor
	 * on the order of a round: in sweep s, cell (v, k) of the rotate
	 * table gives data row d exactly (v + d + k + s) % 3 == 0 counts
	 * (a cell may go negative). A run's tables are then a function of
	 * the sweeps alone, whatever the shards were. */
	int exact;

	/* Recorded by the workers (any compute thread). */
	atomic_int holder[ROTAPP_MAX_ROUNDS][ROTAPP_MAX_PARTS]; /* worker + 1 */
	atomic_int held[ROTAPP_MAX_ROUNDS][ROTAPP_MAX_WORKERS]; /* parts held */
	atomic_int twice;       /* a part held by two workers in a round */
	atomic_int unbalanced;  /* a round whose moves changed a sum */
	atomic_int moved_addr;  /* a part reached a holder at a new address */
	atomic_int ssp_bad;     /* an ssp read that is not a sum of moves */
	atomic_uintptr_t addr[ROTAPP_MAX_PARTS]; /* the part's rows, by index */
	uint64_t addr_sweep[ROTAPP_MAX_PARTS];   /* sweep + 1 of addr */
	atomic_int same_addr;   /* hand-overs seen at the same address */
	atomic_ullong rows_of[ROTAPP_MAX_ROUNDS][ROTAPP_MAX_PARTS];
	atomic_llong net[ROTAPP_K]; /* counts moved into worker tables */
	atomic_int rounds;          /* rotate calls */
	/* The shards: each round's rows of each worker, the moves the app
	 * was told of, and rows found with a value they should not have
	 * there (exact: checked at every move against what the sweeps
	 * done give). */
	atomic_ullong shard_rows[ROTAPP_MAX_ROUNDS][ROTAPP_MAX_WORKERS];
	atomic_int reshards;
	atomic_int bad_rows;
} rotapp_t;

extern const strads_app_t rotapp_app;

/* Sets up a with defaults: nrows data rows, vrows rotate rows. */
void rotapp_init(rotapp_t *a, uint64_t nrows, uint64_t vrows);

#endif
