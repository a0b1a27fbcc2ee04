/*
 * status.h -- the HTTP status endpoint of strads run and strads
 * coordinator (--status ADDR): GET /status, the job's state as JSON, and
 * GET /metrics, the same in the Prometheus text format. Served by NNG's
 * HTTP server on its own threads; fed by a progress subscriber
 * (strads_subscriber_t) on the job's thread, which copies each record
 * under the status lock, so serving never touches a role's loop.
 */
#ifndef STRADS_STATUS_H
#define STRADS_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "strads.h"

typedef struct strads__status_s strads__status_t;

/* The view of a cluster now, as strads_cluster_view reports it (the
 * epoch, the members and the running job's partitions), or NULL in one
 * process. Called on a server thread. */
typedef int (*strads__status_view_cb)(void *arg, uint32_t *epoch,
    strads_member_info_t *m, int maxm, strads_partition_t *parts, int maxp,
    int *nparts);

/* Starts serving on addr: PORT or HOST:PORT (HOST an IPv4 address or a
 * name; loopback when only a port is given; port 0: a free one). cmd
 * and app name the process in every answer (borrowed: literals or the
 * registry's). The bound URL goes into url. 0, or -1 with a message in
 * err. */
int strads__status_start(strads__status_t **sp, const char *addr, const char *cmd,
    const char *app, char *url, size_t urllen, char *err, size_t errlen);
/* The URL that addr (as for strads__status_start) serves at, into url;
 * -1 when addr is not PORT or HOST:PORT. */
int strads__status_url(const char *addr, char *url, size_t len);
/* Stops serving and frees s; NULL is ignored. */
void strads__status_stop(strads__status_t *s);

void strads__status_set_view(strads__status_t *s, strads__status_view_cb cb, void *arg);
/* A job begins: step (1-based) of steps, with o's limits (copied) for
 * the estimate of the time left. chain: which of a run's side-by-side
 * chains (0 ..). */
void strads__status_job(strads__status_t *s, int chain, long step, long steps,
    const strads_job_opts_t *o);
/* A step ended (converged or not). */
void strads__status_step_done(strads__status_t *s, int chain);
/* The subscriber that feeds it (arg: a strads__status_chain(s, chain)). */
void strads__status_progress(void *arg, const strads_progress_t *rec);
void *strads__status_chain(strads__status_t *s, int chain);

/* The bodies, for tests: malloc'd text, or NULL when out of memory. */
char *strads__status_json(strads__status_t *s);
char *strads__status_prometheus(strads__status_t *s);

#endif
