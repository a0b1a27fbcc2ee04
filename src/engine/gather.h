/*
 * gather.h -- what the coordinator collects of the tables that live with
 * the workers: the worker, rotate and ssp tables' rows at a job's end
 * (into the result) or at a snapshot (beside the stores' values), each
 * expected message taken once; and the checkpoint written from a
 * snapshot on a compute thread.
 */
#ifndef STRADS_GATHER_H
#define STRADS_GATHER_H

#include "rotation.h"

/* A gather of tables' rows (ENG_TROWS). The coordinator owns it; job
 * and rp are borrowed for the job's life. */
typedef struct strads__gather_s {
	const strads__job_t *job;
	const strads__rot_t *rp; /* where the parts are (rotations) */
	int want, got;  /* messages asked for, and come */
	uint8_t *seen;  /* which came: ntab x slots (a worker's rows, or a
	                   rotate part), so a duplicate is dropped, never
	                   counted twice (owned) */
	uint32_t slots;
	void **dst;     /* where they go: the result's tables or a
	                   snapshot's (borrowed; NULL: no gather) */
} strads__gather_t;

/* 0, or STRADS_ENOMEM (strads__gather_fini still frees what was had). */
int strads__gather_init(strads__gather_t *g, const strads__job_t *job,
    const strads__rot_t *rp);
void strads__gather_fini(strads__gather_t *g);
/* A new gather: none of its messages came yet (dst stays). */
void strads__gather_reset(strads__gather_t *g);
/* Starts a gather into dst (one entry a table, NULL for those not
 * gathered): the rotate table copied from where it rests (one process)
 * or asked part by part of the workers the parts are with, and the rows
 * of each worker and ssp table counted as expected. 1 when the workers
 * must be sent an ENG_GATHER (the caller sends it), else 0. */
int strads__gather_start(strads__gather_t *g, strads_actor_t *self, void **dst);
/* A worker's ENG_TROWS m (decoded: e) for the gather: 1 when its rows
 * were taken, 0 when it is not for this gather or its rows do not fit
 * the table (ignored), -1 when it is none the gather asked for or came
 * before (the caller drops and counts it). */
int strads__gather_put(strads__gather_t *g, const strads_msg_t *m,
    const strads__eng_t *e);
/* Every message asked for came. */
int strads__gather_done(const strads__gather_t *g);

/* A checkpoint written on a compute thread (it owns this meanwhile). */
typedef struct strads__ckjob_s {
	const char *dir;
	strads__ckpt_t meta; /* tabs and tab_data owned here */
	double *params;
	int rc;
	char err[512];
} strads__ckjob_t;

/* A checkpoint of job's last snapshot: its parameters and, when the job
 * has worker or rotate tables, those (copied: the next snapshot may
 * replace them while the compute thread writes). NULL when out of memory
 * or when the snapshot lacks its tables (it is not written). */
strads__ckjob_t *strads__ckjob_new(const strads__job_t *job, uint64_t updates,
    double time_s);
/* Compute thread: writes it (k->rc, k->err). */
void strads__ckjob_work(void *arg);
void strads__ckjob_free(strads__ckjob_t *k);

#endif
