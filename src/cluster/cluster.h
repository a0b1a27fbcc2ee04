/*
 * cluster.h -- internals shared by the two sides of multi-process mode:
 * src/cluster/cluster.c (the coordinator's membership actor and distributed
 * jobs) and src/cluster/node.c (a node's agent). Control messages are small JSON
 * objects (type STRADS__MSG_MEM_CTL, or MEM_HELLO for a join request)
 * with an "op" member; bulk traffic never goes through them.
 *
 * The coordinator is node 1 and its membership actor is the first actor
 * spawned on its loop 0, so a node can address it knowing only its URL.
 */
#ifndef STRADS_CLUSTER_H
#define STRADS_CLUSTER_H

#include <cjson/cJSON.h>

#include "schmp.h"
#include "text.h"

#define STRADS__COORD_NODE 1u
#define STRADS__CTL_ACTOR STRADS_ACTOR_ID(0, 0, 0)

/* Sends obj (taken, freed) as a control message of type to dst. */
int strads__ctl_send(strads_actor_t *self, strads_addr_t dst, uint16_t type,
    cJSON *obj);
/* Parses a control message: an object with a string "op", or NULL. The
 * caller deletes it. */
cJSON *strads__ctl_parse(const strads_msg_t *m);

/* The join proof a hello carries: HMAC(secret, "strads hello v1" |
 * node | nonce | url). It lets the coordinator refuse a wrong secret at
 * once, before it dials anyone; the link tokens (transport.c) are the
 * challenge-response that admits the node. */
void strads__hello_proof(const uint8_t *secret, size_t len, uint32_t node,
    const uint8_t *nonce, const char *url, uint8_t out[32]);

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
