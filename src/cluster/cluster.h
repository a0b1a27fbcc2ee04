/*
 * cluster.h -- internals shared by the two sides of multi-process mode
 * and by each side's actor and main thread: the coordinator's membership
 * actor (actors/membership.c) and its cluster API and distributed jobs
 * (src/cluster/cluster.c); a node's agent actor (actors/node.c) and
 * strads_node_run (src/cluster/node-run.c). Control messages are small
 * JSON objects (type STRADS__MSG_MEM_CTL, or MEM_HELLO for a join
 * request) with an "op" member; bulk traffic never goes through them.
 *
 * The coordinator is node 1 and its membership actor is the first actor
 * spawned on its loop 0, so a node can address it knowing only its URL.
 */
#ifndef STRADS_CLUSTER_H
#define STRADS_CLUSTER_H

#include <cjson/cJSON.h>

#include "net.h"
#include "schmp.h"
#include "text.h"

#define STRADS__COORD_NODE 1u
#define STRADS__CTL_ACTOR STRADS_ACTOR_ID(0, 0, 0)
#define STRADS__CHALLENGE_LEN 16

/* Sends obj (taken, freed) as a control message of type to dst. */
int strads__ctl_send(strads_actor_t *self, strads_addr_t dst, uint16_t type,
    cJSON *obj);
/* Posts obj (taken, freed) as a control message to the local actor dst,
 * from any thread (strads_post): 0 or a STRADS_E* code. */
int strads__ctl_post(strads_runtime_t *rt, strads_addr_t dst, cJSON *obj);
/* Parses a control message: an object with a string "op", or NULL. The
 * caller deletes it. */
cJSON *strads__ctl_parse(const strads_msg_t *m);

/* Reads the uint64 at key, which travels as a decimal string (JSON
 * numbers are doubles); 0 when it is missing. */
uint64_t strads__ctl_get_u64(const cJSON *o, const char *key);

/* ------------------------------------------------------------------ */
/* The coordinator: the membership actor (actors/membership.c) and the
 * main thread (cluster.c) share the cluster object. */

/* A member's state: joined but not yet proved (pending), or a member. */
enum { MS_PENDING, MS_MEMBER };

typedef struct strads__member_s {
	uint32_t node;
	uint32_t agent; /* actor id of its agent */
	int state;
	unsigned roles;
	int workers;
	uint8_t nonce[STRADS__NONCE_LEN];
	char url[512];
	uint64_t heard_ns;
	uint64_t bytes; /* bytes its runtime sent, from its beats */
	int leaving;    /* asked to leave: no roles in the next layout */
	/* Fresh for each entry, sent in the welcome: the join answers it
	 * and each beat's MAC covers it and a counter that only grows, so
	 * a captured join or beat replayed proves nothing (issue 18 rows
	 * 1 and 2). */
	uint8_t challenge[STRADS__CHALLENGE_LEN];
	uint64_t beat_n; /* the last beat's counter */
} strads__member_t;

/* The cluster object (strads_cluster_t). The membership actor writes the
 * member table; the main thread reads it, and both the job's progress,
 * under lock. */
struct strads_cluster_s {
	strads_runtime_t *rt;
	strads_cluster_opts_t o;
	strads_addr_t ctl;
	uv_mutex_t lock;
	uv_cond_t cond;

	/* Under lock. Written by the membership actor. */
	strads__member_t *m; /* owned */
	int nm, cap;
	uint32_t epoch;

	/* The job in progress, under lock. */
	int job_on;
	uint64_t job_id;
	strads__job_t *job;
	uint32_t *job_nodes; /* distinct members hosting roles */
	int njob_nodes;
	int roles_got, ready_got, ends_got;
	int staged_got; /* nodes set up for a job's next stage */
	int failed; /* a STRADS_E* code */
	char why[256];
	int coord_spawned;
	int reshape;        /* the view changed: lay the job out again */
	int store_lost;     /* ... and a store went with a lost node */
	uint64_t bytes_gone; /* bytes sent by members that are gone */
	uint64_t refused_log_ns; /* when a refused hello was last logged */
	uint64_t refused_quiet;  /* refusals since, not logged */
	int byeing;          /* strads_cluster_free: no more joins */
	/* strads_cluster_resume: what the next job counts on from. */
	int resumed;
	uint64_t resume_rounds, resume_updates;
	double resume_time;
	/* The checkpoint's worker, rotate and ssp tables (owned; ntab 0: none)
	 * and its directory (owned), until that job takes them. */
	strads__ckpt_t resume_ck;
	char *resume_dir;
	int closing, closed; /* strads_cluster_free asked; the actor stopped */
};

/* The membership actor: the first actor on the coordinator's loop 0
 * (STRADS__CTL_ACTOR); its spawn argument is the cluster, which it
 * borrows until it stops (then it sets closed). */
extern const strads_actor_type_t strads__membership_type;

/* The member with that node id, or NULL (under c->lock). */
strads__member_t *strads__member_find(strads_cluster_t *c, uint32_t node);

/* ------------------------------------------------------------------ */
/* A node: the agent actor (actors/node.c) and strads_node_run
 * (node-run.c) share the node object and its queue of events. */

/* Events from the agent to the main thread. */
enum { EV_JOB = 1, EV_TABLE, EV_ABORT, EV_BYE, EV_LOST, EV_TIMEOUT, EV_GONE, EV_INIT,
	EV_STAGE };

typedef struct strads__node_event_s {
	struct strads__node_event_s *next;
	int kind;
	cJSON *o; /* owned */
	uint64_t id;     /* EV_INIT: the job */
	double *init;    /* EV_INIT: its starting values (owned) */
	uint32_t ninit;
} strads__node_event_t;

typedef struct strads__node_s {
	strads_runtime_t *rt;
	strads_node_opts_t o;
	strads_addr_t agent;
	strads_addr_t ctl; /* the coordinator's membership actor */
	uv_mutex_t lock;
	uv_cond_t cond;
	strads__node_event_t *head, *tail; /* under lock */
	int stopped;          /* the agent stopped (under lock) */
	int quit;             /* main asks the agent to stop (under lock) */
	int leave_sent;       /* the agent sent a leave (under lock) */
	int stuck;            /* main only: a job's roles did not stop in time */
} strads__node_t;

/* A node's agent actor; its spawn argument is the node, which it borrows
 * until it stops (then it sets stopped). */
extern const strads_actor_type_t strads__node_agent_type;

/* A member's proof of the secret for one message: HMAC(secret, label |
 * node | challenge | n), the label "strads join v1" (n 0) for the join
 * that answers a welcome, "strads beat v1" for a beat with counter n. */
void strads__member_mac(const uint8_t *secret, size_t len, const char *label,
    uint32_t node, const uint8_t *challenge, uint64_t n, uint8_t out[32]);

/* The join proof a hello carries: HMAC(secret, "strads hello v2" |
 * node | nonce | roles | workers | url). It lets the coordinator refuse a
 * wrong secret at once, before it dials anyone, and covers every field
 * the coordinator acts on (an edited worker count is refused); the link
 * tokens (frames.c) are the challenge-response that admits the node. */
void strads__hello_proof(const uint8_t *secret, size_t len, uint32_t node,
    const uint8_t *nonce, uint32_t roles, uint32_t workers, const char *url,
    uint8_t out[32]);

/* Job options as JSON (what every node needs to lay the job out the same
 * way), and back. */
cJSON *strads__opts_to_json(const strads_job_opts_t *o);
int strads__opts_from_json(const cJSON *j, strads_job_opts_t *o);

/* One owner's span of a layout (src/cluster/layout.c): a worker slot (node,
 * slot: its number among the node's workers) or a store (node, 0), and
 * the rows or parameters [begin, end) it holds. */
typedef struct {
	uint32_t node, slot;
	uint64_t begin, end;
} strads__span_t;

/* The next layout of [0, total) over the m owners keys[] (node and slot
 * set), from the last one, prev[0 .. nprev) in order over [0,
 * prev_total), moving as little as possible: kept owners keep their
 * spans, the spans of owners gone go to their kept neighbours (split to
 * even them), each new owner takes the upper half of the largest span.
 * Without a last layout (nprev 0, or another total) the split is even,
 * in key order. out (m entries) comes in order of begin; 0, or -1 when
 * total < m. */
int strads__reassign(const strads__span_t *prev, int nprev, uint64_t prev_total,
    const strads__span_t *keys, int m, uint64_t total, strads__span_t *out);

#endif
