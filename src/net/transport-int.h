/*
 * transport-int.h -- what the two halves of the transport share: the
 * sockets (transport.c: listening, peers and their links, dialing, the
 * ordered send queues, TLS, the transport's lifetime) and the frames
 * (frames.c: a loop's outgoing frames, received frames checked,
 * authenticated and cut into messages, and link authentication).
 */
#ifndef STRADS_TRANSPORT_INT_H
#define STRADS_TRANSPORT_INT_H

#include "net.h"

#include <nng/nng.h>

/* One socket to a peer, with its send aio and the frames queued behind
 * it. A peer replaces its link when reset: the old one is shut with
 * its queue, and nothing touches it after the swap. */
typedef struct {
	strads__peer_t *p;
	nng_socket sock;
	nng_dialer dialer;
	nng_aio *aio;
	nng_msg **q; /* ring of frames waiting for the aio */
	size_t qhead, qlen, qcap;
	int busy;
	int closed;
} link_t;

struct strads__peer_s {
	strads__transport_t *tp;
	uint32_t node;
	char *url;
	uv_mutex_t lock; /* everything below, and sends on the link */
	link_t *link; /* NULL once closed */
	/* With a secret: the link token for frames to this peer, once its
	 * nonce is known (from the view, or learnt from its frames). */
	int have_token;
	uint8_t rnonce[STRADS__NONCE_LEN];
	uint8_t token[32];
	/* A process of this peer that closed for good (strads__peer_retire):
	 * its late frames are dropped and never teach its nonce again. */
	int retired;
	uint8_t retired_nonce[STRADS__NONCE_LEN];
};

/* A sender whose token was verified: later frames compare 32 bytes. */
typedef struct {
	uint32_t node;
	unsigned gen; /* tp->forgot when verified */
	uint8_t nonce[STRADS__NONCE_LEN];
	uint8_t token[32];
} auth_seen_t;

struct strads__transport_s {
	strads_runtime_t *rt;
	uv_mutex_t lock; /* peers table, listening state */
	strads__peer_t **peers; /* every peer ever added, closed ones too */
	uint32_t npeers, peer_cap;
	/* Link authentication (only with a secret). */
	uint8_t *secret;
	size_t secret_len;
	uint8_t nonce[STRADS__NONCE_LEN];
	auth_seen_t *seen; /* receive callback only */
	/* Counts tokens forgotten (peer_forget, peer_redial): a sender seen
	 * before that is verified again teaches its peer the token anew. */
	atomic_uint forgot;
	uint32_t nseen, seen_cap;
	uint32_t last_refused; /* receive callback only: log once a node */
	nng_socket pull;
	int pull_open;
	nng_aio *recv_aio;
	atomic_int closed;
	atomic_int paused;
	atomic_ullong inbound;
	/* Frames the push socket could not take at once, sent through the
	 * link's aio (link_start); the tests read it. */
	atomic_ullong aio_sends;
	strads_msg_t **chain_first, **chain_last; /* receive callback only */
};

typedef struct {
	strads_buf_t b; /* first: the envelope refs this */
	strads__transport_t *tp;
	nng_msg *msg;
} inframe_t;

/* Link authentication (frames.c). */
#define AUTH_LEN (8 + STRADS__NONCE_LEN + 32)
#define BAD_TOKEN                                                          \
	"its token does not verify (a wrong cluster secret, or a token for an " \
	"earlier process at this address)"

void strads__link_token(const strads__transport_t *tp, uint32_t from,
    uint32_t to, const uint8_t *to_nonce, const uint8_t *from_nonce,
    uint8_t out[32]);
void strads__peer_set_nonce(strads__transport_t *tp, strads__peer_t *p,
    const uint8_t *nonce);

/* Receiving (frames.c): the receive aio's callback, and posting it. */
void strads__transport_recv_cb(void *arg);
void strads__transport_recv_post(strads__transport_t *tp);
/* One received frame as NNG hands it over (takes msg): checked,
 * authenticated, cut into messages pushed to the loops. The receive
 * callback's work; the libFuzzer targets t/fuzz/fuzz_frames.c and
 * fuzz_handshake.c call it directly with frames of their making. */
void strads__transport_deliver(strads__transport_t *tp, nng_msg *msg);

/* A loop's outgoing frames (frames.c): the net ops' send_remote and
 * loop_fini. */
void strads__loop_send_remote(strads__loop_t *loop, strads_msg_t *m);
void strads__loop_out_fini(strads__loop_t *loop);

#endif
