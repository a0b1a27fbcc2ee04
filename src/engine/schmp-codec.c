/*
 * schmp-codec.c -- payloads of the engine's messages, one layout for all:
 *
 *   0 u64 round   8 u64 dep   16 u32 kind   20 u32 from   24 u32 a
 *  28 u32 n      32 u32 nd   36 u32 zero   40 u32 idx[n], zero padding
 *  to a multiple of 8, then f64 val[nd]          (all little-endian)
 *
 * Two sparse forms: a check PARTIAL with a = 1 carries n offsets into
 * the store's range (times width) and their nd = n values; PARAMS with
 * kind = 1 carries n ids and their values, the rest of the store's range
 * being zero.
 *
 * START, READY and GATHER carry no payload, nor does STOP, except from a
 * role that cannot go on to its coordinator: a u32 error code. The decoder checks the
 * length against n and nd exactly and copies the arrays out, so it never
 * reads past the payload and never needs it aligned.
 */
#include "schmp.h"

#include <stdlib.h>

#define HEAD 40u

static size_t
idx_bytes(uint32_t n)
{
	return ((size_t)n * 4 + 7) & ~(size_t)7;
}

/* Test hook: encodings left before one fails as if out of memory (0:
 * none), armed from STRADS_TEST_FAIL_ENG by strads__eng_fault_arm. */
static atomic_long fault_left;

void
strads__eng_fault_arm(void)
{
	const char *v = getenv("STRADS_TEST_FAIL_ENG");

	atomic_store(&fault_left, v != NULL ? strtol(v, NULL, 10) : 0);
}

int
strads__eng_fault(void)
{
	return atomic_load_explicit(&fault_left, memory_order_relaxed) > 0 &&
	    atomic_fetch_sub(&fault_left, 1) == 1;
}

strads_msg_t *
strads__eng_encode(uint16_t type, const strads__eng_t *e)
{
	size_t len = HEAD + idx_bytes(e->n) + (size_t)e->nd * 8;
	strads_msg_t *m;
	uint8_t *p;

	if (len > UINT32_MAX - STRADS_MSG_HDR_SIZE)
		return NULL;
	if (strads__eng_fault())
		return NULL;
	if ((m = strads_msg_new(type, len)) == NULL)
		return NULL;
	p = m->data;
	strads__put64(p, e->round);
	strads__put64(p + 8, e->dep);
	strads__put32(p + 16, e->kind);
	strads__put32(p + 20, e->from);
	strads__put32(p + 24, e->a);
	strads__put32(p + 28, e->n);
	strads__put32(p + 32, e->nd);
	strads__put32(p + 36, 0);
	p += HEAD;
	if (e->n > 0)
		memcpy(p, e->idx, (size_t)e->n * 4);
	memset(p + (size_t)e->n * 4, 0, idx_bytes(e->n) - (size_t)e->n * 4);
	p += idx_bytes(e->n);
	if (e->nd > 0)
		memcpy(p, e->val, (size_t)e->nd * 8);
	return m;
}

static int
decode(const strads_msg_t *m, strads__eng_t *e, int view)
{
	const uint8_t *p = m->data;
	uint64_t need;

	memset(e, 0, sizeof(*e));
	if (m->len == 0)
		return 0;
	if (m->len < HEAD)
		return STRADS_EPROTO;
	e->round = strads__get64(p);
	e->dep = strads__get64(p + 8);
	e->kind = strads__get32(p + 16);
	e->from = strads__get32(p + 20);
	e->a = strads__get32(p + 24);
	e->n = strads__get32(p + 28);
	e->nd = strads__get32(p + 32);
	need = HEAD + idx_bytes(e->n) + (uint64_t)e->nd * 8;
	if (need != m->len || strads__get32(p + 36) != 0 || e->kind > KIND_STAGE)
		return STRADS_EPROTO;
	if (view && ((uintptr_t)(p + HEAD) & 7) == 0) {
		/* HEAD and idx_bytes are multiples of 8: both aligned. */
		e->borrowed = 1;
		e->idx = e->n > 0 ? (uint32_t *)(void *)(p + HEAD) : NULL;
		e->val = e->nd > 0 ? (double *)(void *)(p + HEAD + idx_bytes(e->n)) :
		    NULL;
		return 0;
	}
	if (e->n > 0 && (e->idx = malloc((size_t)e->n * 4)) == NULL)
		return STRADS_ENOMEM;
	if (e->nd > 0 && (e->val = malloc((size_t)e->nd * 8)) == NULL) {
		free(e->idx);
		e->idx = NULL;
		return STRADS_ENOMEM;
	}
	if (e->n > 0)
		memcpy(e->idx, p + HEAD, (size_t)e->n * 4);
	if (e->nd > 0)
		memcpy(e->val, p + HEAD + idx_bytes(e->n), (size_t)e->nd * 8);
	return 0;
}

int
strads__eng_decode(const strads_msg_t *m, strads__eng_t *e)
{
	return decode(m, e, 0);
}

int
strads__eng_view(const strads_msg_t *m, strads__eng_t *e)
{
	return decode(m, e, 1);
}

void
strads__eng_free(strads__eng_t *e)
{
	if (!e->borrowed) {
		free(e->idx);
		free(e->val);
	}
	e->borrowed = 0;
	e->idx = NULL;
	e->val = NULL;
}
