/*
 * net.h -- the transport's internal calls (src/net/transport.c and
 * frames.c) for the modules above the core: peers declared, dialed
 * again, closed or forgotten as the cluster's membership changes, link
 * authentication (the nonce and the secret a join proves), and
 * flushing a loop's frames. The core reaches the transport only
 * through the ops table in strads-int.h (strads__net_ops_t), never by
 * these names.
 */
#ifndef STRADS_NET_H
#define STRADS_NET_H

#include "strads-int.h"

/* The peer for node, or NULL if none was declared. */
strads__peer_t *strads__transport_peer(strads__transport_t *tp, uint32_t node);
/* Hands a finished frame to a peer's ordered send queue (takes it). */
void strads__peer_submit(strads__peer_t *peer, void *nng_frame);
/* strads_peer_add, with the peer's nonce when known (authentication:
 * NULL until it is learnt from the peer's first verified frame). */
int strads__peer_add(strads_runtime_t *rt, uint32_t node, const char *url,
    const uint8_t *nonce);
/* Stops sending to node (gone from the cluster): queued frames are
 * dropped, later sends fail and are counted. */
void strads__peer_close(strads_runtime_t *rt, uint32_t node);

/* Link authentication (frames.c), with cfg.secret set. */
#define STRADS__NONCE_LEN 16
int strads__transport_authed(strads__transport_t *tp);
/* The secret (borrowed; NULL without one). */
void strads__transport_secret(strads__transport_t *tp, const uint8_t **p,
    size_t *len);
/* 1 when nothing is queued or in flight to node (or no such peer). */
int strads__peer_idle(strads_runtime_t *rt, uint32_t node);
/* Forgets node's nonce: frames to it carry a zero token (join requests
 * only) until it proves itself again (a restarted coordinator). */
void strads__peer_forget(strads_runtime_t *rt, uint32_t node);
/* strads__peer_forget, for a process of node that closed for good (a
 * coordinator's bye): frames still on the way from it are dropped, so
 * none teaches its nonce again and the next process at that node id is
 * joined with a zero token (a --persist node's next coordinator). */
void strads__peer_retire(strads_runtime_t *rt, uint32_t node);
/* A new socket for node, open or closed before, dialing url (NULL: its
 * address again); queued frames and its token are dropped, the token
 * made again from nonce when given (see transport.c). */
int strads__peer_redial(strads_runtime_t *rt, uint32_t node, const char *url,
    const uint8_t *nonce);
/* strads__peer_redial(rt, node, NULL, NULL). */
int strads__peer_reset(strads_runtime_t *rt, uint32_t node);
/* This process's nonce: the challenge its peers answer. */
void strads__transport_nonce(strads__transport_t *tp, uint8_t out[STRADS__NONCE_LEN]);

/* Flushes every open frame of the loop (the net ops' flush). */
void strads__loop_flush(strads__loop_t *loop);

#endif
