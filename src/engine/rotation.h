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
} strads__rot_t;

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

#endif
