/*
 * msg.c -- message envelopes and their ref-counted payloads.
 *
 * strads_msg_new() makes one malloc block holding the envelope, the
 * buffer header and the payload, so the common message costs one
 * allocation. The block lives until its buffer's last reference goes:
 * envelopes made by strads_msg_share() are separate allocations that hold
 * a reference, so the first envelope may be freed before they are.
 *
 * Messages below STRADS__BIG_PAYLOAD made on a loop thread come from
 * that loop's cache of blocks (power-of-two sizes) and return to it
 * wherever they are freed. A message usually dies on another loop than
 * the one that made it: through malloc that cost the freeing thread the
 * maker's arena lock, and the arena's trims and regrowth cost page
 * faults (which are dear in VMs). The owner pops and pushes its own
 * lists without atomics; other threads push onto a lock-free stack per
 * size that the owner takes whole (one exchange: no ABA) when its list
 * runs dry and at every loop turn.
 */
#include "strads-int.h"

#include <stdlib.h>

/* Blocks come in power-of-two sizes from 256 bytes up, enough classes
 * for every payload below STRADS__BIG_PAYLOAD. An owner's own lists hold
 * at most MC_KEEP_BYTES in all (a few credit windows' worth); blocks
 * returned to it are taken onto them at every loop turn
 * (strads__mcache_trim), and what does not fit is freed. */
#define MC_MIN_SHIFT 8
#define MC_NCLASS 10
#define MC_KEEP_BYTES ((uint64_t)32 << 20)
#define MC_HDR (sizeof(strads_msg_t) + sizeof(strads_buf_t))

typedef struct mblock_s {
	struct mblock_s *next;
} mblock_t;

typedef struct {
	mblock_t *local;     /* the owner's */
	_Atomic(mblock_t *) returned; /* pushed by other threads */
} mclass_t;

struct strads__mcache_s {
	mclass_t cls[MC_NCLASS];
	/* Both the owner's alone (and strads__mcache_free's, after the
	 * loop has ended). */
	uint64_t kept;        /* bytes on the owner's lists */
	uint64_t made;        /* blocks malloc'd and not freed */
	strads__spare_t spare; /* bigmsg.c's, the owner's alone */
};

static _Thread_local strads__mcache_t *tl_cache;

/* The class of a block of total bytes, or MC_NCLASS when none holds it. */
static inline int
mc_class(size_t total)
{
	int k;

	if (total <= ((size_t)1 << MC_MIN_SHIFT))
		return 0;
	k = 64 - __builtin_clzll((unsigned long long)(total - 1)) - MC_MIN_SHIFT;
	return k < MC_NCLASS ? k : MC_NCLASS;
}

strads__mcache_t *
strads__mcache_new(void)
{
	strads__mcache_t *c = calloc(1, sizeof(*c));
	int k;

	if (c == NULL)
		return NULL;
	for (k = 0; k < MC_NCLASS; k++)
		atomic_init(&c->cls[k].returned, NULL);
	return c;
}

void
strads__mcache_bind(strads__mcache_t *c)
{
	tl_cache = c;
}

/* Frees blocks of a list, from the owner's count of them. */
static void
mc_free_list(strads__mcache_t *c, mblock_t *b)
{
	while (b != NULL) {
		mblock_t *next = b->next;

		free(b);
		c->made--;
		b = next;
	}
}

void
strads__mcache_free(strads__mcache_t *c)
{
	int k;

	if (c == NULL)
		return;
	for (k = 0; k < MC_NCLASS; k++) {
		mc_free_list(c, c->cls[k].local);
		c->cls[k].local = NULL;
		mc_free_list(c, atomic_exchange(&c->cls[k].returned, NULL));
	}
	c->kept = 0;
	strads__spare_drop(&c->spare);
	if (c->made == 0)
		free(c);
}

strads__spare_t *
strads__mcache_spare(void)
{
	return tl_cache != NULL ? &tl_cache->spare : NULL;
}

static void
mc_release(strads_buf_t *b)
{
	strads__mcache_t *c = b->opaque;
	int k = mc_class(MC_HDR + b->size);
	uint64_t size = (uint64_t)1 << (MC_MIN_SHIFT + k);
	mclass_t *cl = &c->cls[k];
	mblock_t *blk = b->block, *head;

	if (c == tl_cache) {
		if (c->kept + size > MC_KEEP_BYTES) {
			free(blk);
			c->made--;
			return;
		}
		blk->next = cl->local;
		cl->local = blk;
		c->kept += size;
		return;
	}
	head = atomic_load_explicit(&cl->returned, memory_order_relaxed);
	do
		blk->next = head;
	while (!atomic_compare_exchange_weak_explicit(&cl->returned, &head, blk,
	    memory_order_release, memory_order_relaxed));
}

/* Moves what other threads returned of class k onto the owner's list,
 * within MC_KEEP_BYTES; frees the rest. */
static void
mc_take(strads__mcache_t *c, int k)
{
	mclass_t *cl = &c->cls[k];
	uint64_t size = (uint64_t)1 << (MC_MIN_SHIFT + k);
	mblock_t *blk = atomic_exchange_explicit(&cl->returned, NULL,
	    memory_order_acquire);

	while (blk != NULL) {
		mblock_t *next = blk->next;

		if (c->kept + size > MC_KEEP_BYTES) {
			mc_free_list(c, blk);
			return;
		}
		blk->next = cl->local;
		cl->local = blk;
		c->kept += size;
		blk = next;
	}
}

void
strads__mcache_trim(void)
{
	strads__mcache_t *c = tl_cache;
	int k;

	for (k = 0; c != NULL && k < MC_NCLASS; k++)
		if (atomic_load_explicit(&c->cls[k].returned,
		    memory_order_relaxed) != NULL)
			mc_take(c, k);
}

/* A block of class k from the calling loop's cache, or NULL (out of
 * memory). */
static void *
mc_get(strads__mcache_t *c, int k)
{
	mclass_t *cl = &c->cls[k];
	uint64_t size = (uint64_t)1 << (MC_MIN_SHIFT + k);
	mblock_t *blk = cl->local;

	if (blk == NULL &&
	    atomic_load_explicit(&cl->returned, memory_order_relaxed) != NULL) {
		mc_take(c, k);
		blk = cl->local;
	}
	if (blk != NULL) {
		cl->local = blk->next;
		c->kept -= size;
		return blk;
	}
	if ((blk = malloc(size)) != NULL)
		c->made++;
	return blk;
}

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
	int k;

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
	if (tl_cache != NULL && (k = mc_class(MC_HDR + len)) < MC_NCLASS) {
		if ((m = mc_get(tl_cache, k)) == NULL)
			return NULL;
		b = (strads_buf_t *)(m + 1);
		b->release_cb = mc_release;
		b->opaque = tl_cache;
	} else {
		if ((m = malloc(sizeof(*m) + sizeof(*b) + len)) == NULL)
			return NULL;
		b = (strads_buf_t *)(m + 1);
		b->release_cb = NULL;
		b->opaque = NULL;
	}
	memset(m, 0, sizeof(*m));
	atomic_init(&b->refs, 1);
	b->block = m;
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
