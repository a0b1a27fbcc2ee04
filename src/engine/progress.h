/*
 * progress.h -- a job's progress queue (progress.c). The coordinator role
 * puts one record per check on its loop; the thread that runs the job
 * takes them off and calls the subscribers there, so no file I/O or
 * terminal output happens on a role's loop.
 */
#ifndef STRADS_PROGRESS_H
#define STRADS_PROGRESS_H

#include "strads-int.h"

typedef struct strads__progq_s strads__progq_t;

/* A queue of STRADS_PROGRESS_QUEUE records: 0 or STRADS_ENOMEM. */
int strads__progq_new(strads__progq_t **qp);
void strads__progq_free(strads__progq_t *q);

/* Coordinator (its loop): queues a copy of rec and of its node arrays.
 * It never waits for a subscriber: the queue's lock is held by either
 * side only to copy one record (or swap its arrays). A full queue
 * replaces its newest record with rec and counts one dropped. */
void strads__progq_put(strads__progq_t *q, const strads_progress_t *rec);

/* No record follows: strads__progq_run returns once the queued ones are
 * delivered. Called by the job's last role to stop; idempotent. */
void strads__progq_close(strads__progq_t *q);

/* Coordinator: a stage of the job ended (strads_job_opts_t.next): no
 * record of it follows, and strads__progq_run returns 1 once the queued
 * ones are delivered (unless the queue is closed first). */
void strads__progq_pause(strads__progq_t *q);

/* The job's thread: calls o's subscribers with every record, in order,
 * until the queue is closed and empty (0) or paused and empty (1; the
 * pause is taken, so a next call goes on with the next stage's records).
 * The built-in ones come first: the progress line on stderr
 * (o->progress) and, when metrics is set, the metrics file
 * o->metrics_path (appended to when append is set, else truncated),
 * opened here and closed before it returns; the file's errors are
 * logged once. */
int strads__progq_run(
    strads__progq_t *q, const strads_job_opts_t *o, int metrics, int append);

#endif
