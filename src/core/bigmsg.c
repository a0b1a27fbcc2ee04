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

/* The largest frame a loop keeps as its spare: a bound on the memory a
 * loop holds for nothing between hand-overs. */
#define SPARE_MAX ((size_t)16 << 20)

void
strads__spare_drop(strads__spare_t *s)
{
	if (s->msg != NULL)
		nng_msg_free(s->msg);
	s->msg = NULL;
}

void
strads__msg_recycle_big(void *nm)
{
	strads__spare_t *s = strads__mcache_spare();
	size_t cap = nng_msg_capacity(nm);

	if (s == NULL || s->msg != NULL || cap < STRADS__BIG_PAYLOAD || cap > SPARE_MAX) {
		nng_msg_free(nm);
		return;
	}
	nng_msg_header_clear(nm);
	s->msg = nm;
}

/* The calling loop's spare as a message of len bytes (its old contents
 * are left: the caller writes all of them), when it holds that many.
 * NNG allocates every message zeroed, which costs as much as a copy of
 * it; a loop that receives parts and sends parts on (rotation) reuses
 * each one's buffer for the next. */
static int
spare_take(nng_msg **out, size_t len)
{
	strads__spare_t *s = strads__mcache_spare();

	if (s == NULL || s->msg == NULL || nng_msg_capacity(s->msg) < len)
		return -1;
	*out = s->msg;
	s->msg = NULL;
	/* Within the capacity: no allocation, so it cannot fail. */
	if (nng_msg_realloc(*out, len) != 0) {
		nng_msg_free(*out);
		return -1;
	}
	return 0;
}

strads_msg_t *
strads__msg_new_big(uint16_t type, size_t len)
{
	bigbuf_t *bb = malloc(sizeof(*bb));
	strads_msg_t *m;

	if (bb == NULL)
		return NULL;
	if (spare_take(&bb->msg, STRADS_MSG_HDR_SIZE + len) != 0) {
		/* The tail room lets the transport append the small messages
		 * sent after this one in the same turn (a credit, an
		 * acknowledgement) to its frame: one frame, not two, and no
		 * copy (nng_msg_chop keeps the capacity, nng_msg_append
		 * uses it). */
		if (nng_msg_alloc(&bb->msg,
		    STRADS_MSG_HDR_SIZE + len + STRADS__BIG_TAIL) != 0) {
			free(bb);
			return NULL;
		}
		nng_msg_chop(bb->msg, STRADS__BIG_TAIL);
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
