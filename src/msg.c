/*
 * msg.c -- message envelopes and their ref-counted payloads.
 *
 * strads_msg_new() makes one malloc block holding the envelope, the
 * buffer header and the payload, so the common message costs one
 * allocation. The block lives until its buffer's last reference goes:
 * envelopes made by strads_msg_share() are separate allocations that hold
 * a reference, so the first envelope may be freed before they are.
 */
#include "strads-int.h"

#include <stdlib.h>

void
strads__buf_ref(strads_buf_t *b)
{
	atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
}

void
strads__buf_unref(strads_buf_t *b)
{
	if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (b->release_cb != NULL)
		b->release_cb(b);
	else
		free(b->block);
}

strads_msg_t *
strads_msg_new(uint16_t type, size_t len)
{
	strads_msg_t *m;
	strads_buf_t *b;

	if (len > UINT32_MAX - STRADS_MSG_HDR_SIZE)
		return NULL;
	if (len >= STRADS__BIG_PAYLOAD)
		return strads__msg_new_big(type, len);
	if (len == 0) {
		m = calloc(1, sizeof(*m));
		if (m == NULL)
			return NULL;
		m->type = type;
		return m;
	}
	m = malloc(sizeof(*m) + sizeof(*b) + len);
	if (m == NULL)
		return NULL;
	memset(m, 0, sizeof(*m));
	b = (strads_buf_t *)(m + 1);
	atomic_init(&b->refs, 1);
	b->block = m;
	b->release_cb = NULL;
	b->opaque = NULL;
	b->size = len;
	m->type = type;
	m->len = (uint32_t)len;
	m->data = (uint8_t *)(b + 1);
	m->buf_ = b;
	return m;
}

strads_msg_t *
strads_msg_copy(uint16_t type, const void *data, size_t len)
{
	strads_msg_t *m = strads_msg_new(type, len);

	if (m != NULL && len > 0)
		memcpy(m->data, data, len);
	return m;
}

strads_msg_t *
strads__msg_wrap(strads_buf_t *b, uint8_t *data, uint32_t len)
{
	strads_msg_t *m = malloc(sizeof(*m));

	if (m == NULL)
		return NULL;
	memset(m, 0, sizeof(*m));
	m->len = len;
	m->data = len > 0 ? data : NULL;
	if (len > 0) {
		strads__buf_ref(b);
		m->buf_ = b;
	}
	return m;
}

strads_msg_t *
strads_msg_share(const strads_msg_t *src, uint16_t type)
{
	strads_msg_t *m;

	if (src->buf_ == NULL) {
		m = calloc(1, sizeof(*m));
		if (m != NULL)
			m->type = type;
		return m;
	}
	m = strads__msg_wrap(src->buf_, src->data, src->len);
	if (m != NULL)
		m->type = type;
	return m;
}

void
strads_msg_free(strads_msg_t *m)
{
	strads_buf_t *b;

	if (m == NULL)
		return;
	b = m->buf_;
	if (b == NULL) {
		free(m);
		return;
	}
	/* An envelope embedded in its buffer's block is freed with it. */
	if (b->block != (void *)m)
		free(m);
	strads__buf_unref(b);
}
