/* testactors.h -- actors shared by the runtime and transport tests. */
#ifndef STRADS_TESTACTORS_H
#define STRADS_TESTACTORS_H

#include "strads-int.h"

#define MSG_PING (STRADS_MSG_USER + 1)
#define MSG_DATA (STRADS_MSG_USER + 2)

/* Ping-pong: the starter sends 0, each side answers v with v + 1 until
 * limit; count is bumped on every receipt. */
typedef struct {
	strads_addr_t peer;
	uint64_t limit;
	atomic_ullong *count; /* borrowed, shared with the test thread */
	int starter;
} pp_arg_t;

/* Source: streams total 100-byte messages numbered from 0 to peer. */
typedef struct {
	strads_addr_t peer;
	uint64_t total;
	int respect_ready; /* 0: send everything at once, let the runtime defer */
	int then_stop;     /* stop once everything is sent (deferred or not) */
	uint64_t sent;
} src_t;

/* Sink: counts messages, checks payload numbers and header sequence. */
typedef struct {
	uint64_t next;
	uint64_t total;
	atomic_ullong *got;    /* borrowed */
	atomic_ullong *badseq; /* borrowed */
	uint32_t expect_seq;
} sink_t;

extern const strads_actor_type_t pp_type, src_type, sink_type;

#endif
