/*
 * rotation.h -- the rotation's plan (STRADS_SCHEDULE_ROTATION), kept by
 * the coordinator role and worked out here without messages: the cut of
 * the rotate table into parts (by the app's row cost, then by the time
 * each part took), which worker holds which part at each position of a
 * sweep, where each part comes from and goes to, and where it is now
 * (for the gathers).
 */
#ifndef STRADS_ROTATION_H
#define STRADS_ROTATION_H

#include "schmp.h"

/* A rotation's plan. The coordinator owns it (and every array in it);
 * job is borrowed for the job's life. */
typedef struct strads__rot_s {
	const strads__job_t *job;
	int multi;         /* workers in other processes: parts never rest
	                      between sweeps, no re-cut */
	uint64_t t;        /* rotation rounds sent (positions over the run) */
	uint32_t r;        /* rounds of the current sweep sent */
	uint64_t done;     /* rotation rounds done */
	uint64_t base;     /* t at the layout's start */
	uint64_t *cut;     /* nparts + 1 row bounds of the parts */
	double *pcost;     /* what each part cost (app row_cost) */
	double *ptime;     /* and took (its holders' compute time) in the
	                      sweep, for the next cut */
	uint32_t *part_at; /* the worker each part is with (or comes to) */
	uint64_t *part_pos; /* and the position it waits for (or MAX: at
	                       rest there) */
	/* The straggler rule (strads__rot_reshard): the data shards' bounds
	 * (nworkers + 1: worker w has rows [bound[w], bound[w + 1])), each
	 * worker's compute time in the sweep and its smoothed speed (rows
	 * a second; 0: not measured yet). NULL when the rule is off. */
	uint64_t *bound;
	double *wtime, *speed;
	uint64_t moves;    /* reshards done */
} strads__rot_t;

/* The straggler rule's parameters (doc/schmp.md, "The straggler
 * rule"): the weight of the last sweep in a worker's smoothed speed; the
 * dead band (no move while the slowest worker's predicted sweep is
 * within this fraction of a balanced one); the most rows a shard bound
 * moves in one reshard, as a fraction of the mean shard (at least one
 * row). */
#define STRADS__ROT_SMOOTH 0.5
#define STRADS__ROT_BAND 0.10
#define STRADS__ROT_CAP 0.25

/* One worker's hold of one round. */
typedef struct strads__rot_hold_s {
	uint32_t part;
	uint32_t from;     /* previous holder, or ROT_REST: where it rests */
	uint32_t next;     /* next holder, or ROT_REST: left at rest */
	uint64_t next_pos; /* the next holder's position */
	uint64_t rb, re;   /* the part's rows */
} strads__rot_hold_t;

/* Sets up the plan of job (which has a rotate table) going on from
 * job->base_sweeps with every part at rest, cut by the app's row cost.
 * 0, or STRADS_ENOMEM (strads__rot_fini still frees what was had). */
int strads__rot_init(strads__rot_t *rp, const strads__job_t *job, int multi);
void strads__rot_fini(strads__rot_t *rp);
/* The part worker w holds at position r of a sweep. */
uint32_t strads__rot_part_of(const strads__job_t *job, int w, uint32_t r);
/* Worker w's hold at position rp->r of the sweep (pos = rp->t over the
 * run): part (w + r) mod nparts, taken from its last holder (or where it
 * rests) and passed on to its next holder (or left at rest). Records
 * where the part is once the round is done. The caller advances r and t
 * once every worker's hold of the round is planned. No part has two
 * holders. */
void strads__rot_hold(strads__rot_t *rp, int w, strads__rot_hold_t *h);
/* A holder's compute time for its part at position r of the sweep. */
void strads__rot_took(strads__rot_t *rp, int w, uint32_t r, double secs);
/* Between sweeps (every part at rest): a new cut by the time each part
 * took in the sweep just done (none across processes). */
void strads__rot_recut(strads__rot_t *rp);
/* Between sweeps: the straggler rule. From each worker's compute time
 * in the sweep just done, new shard bounds (nworkers + 1, into out) that
 * give a worker rows in proportion to its smoothed speed, within the
 * dead band and the cap. 1 when they differ from rp->bound (the caller
 * moves the rows, then calls strads__rot_moved), else 0. Always 0 when
 * the rule is off (one worker, workers in other processes, an app
 * without reshard, fewer rows than workers) or a time is missing. */
int strads__rot_reshard(strads__rot_t *rp, uint64_t *out);
/* The rows moved to the bounds b (as strads__rot_reshard gave them). */
void strads__rot_moved(strads__rot_t *rp, const uint64_t *b);

#endif
