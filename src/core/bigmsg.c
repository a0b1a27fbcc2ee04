/*
 * bigmsg.c -- messages whose payload is the body of an NNG message, with
 * room for the wire header in front (payloads of STRADS__BIG_PAYLOAD bytes
 * and more). strads_msg_new() makes them; the transport, when it holds
 * the only reference, sends that NNG message as its own frame instead of
 * copying the payload. They live in the core, below both, so the core
 * never calls the transport by name.
 */
#include "strads-int.h"

#include <stdlib.h>

#include <nng/nng.h>

typedef struct {
	strads_buf_t b; /* first */
	nng_msg *msg;	/* header room, then the payload; NULL once sent */
} bigbuf_t;

static void
bigbuf_release(strads_buf_t *b)
{
	bigbuf_t *bb = (bigbuf_t *)b;

	if (bb->msg != NULL)
		nng_msg_free(bb->msg);
	free(bb);
}

strads_msg_t *
strads__msg_new_big(uint16_t type, size_t len)
{
	bigbuf_t *bb = malloc(sizeof(*bb));
	strads_msg_t *m;

	if (bb == NULL)
		return NULL;
	if (nng_msg_alloc(&bb->msg, STRADS_MSG_HDR_SIZE + len) != 0) {
		free(bb);
		return NULL;
	}
	atomic_init(&bb->b.refs, 1);
	bb->b.block = NULL;
	bb->b.release_cb = bigbuf_release;
	bb->b.opaque = NULL;
	bb->b.size = len;
	m = strads__msg_wrap(&bb->b,
	    (uint8_t *)nng_msg_body(bb->msg) + STRADS_MSG_HDR_SIZE,
	    (uint32_t)len);
	strads__buf_unref(&bb->b); /* wrap took its own reference */
	if (m != NULL)
		m->type = type;
	return m;
}

/* The NNG message under m when m is its only user and spans all of it:
 * then it can travel as its own frame. */
void *
strads__msg_steal_big(strads_msg_t *m)
{
	bigbuf_t *bb;
	nng_msg *nm;

	if (m->buf_ == NULL || m->buf_->release_cb != bigbuf_release ||
	    atomic_load(&m->buf_->refs) != 1)
		return NULL;
	bb = (bigbuf_t *)m->buf_;
	nm = bb->msg;
	if (m->data != (uint8_t *)nng_msg_body(nm) + STRADS_MSG_HDR_SIZE ||
	    nng_msg_len(nm) != STRADS_MSG_HDR_SIZE + (size_t)m->len)
		return NULL;
	bb->msg = NULL;
	return nm;
}
