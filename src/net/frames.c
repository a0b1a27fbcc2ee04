/*
 * frames.c -- the transport's frames: a loop's messages coalesced into
 * one open frame per peer (handed to transport.c's send queues), and a
 * received frame checked, authenticated and cut into messages pushed to
 * the loops' mailboxes (on NNG's receive callback), with the link
 * authentication that guards it.
 *
 * Back-pressure. Bytes received but not yet handled are counted; past
 * cfg.inbound_limit the receive is not re-posted until handling brings
 * them under half of it, so the peers' TCP connections push back.
 */
#include "transport-int.h"
#include "hmac.h"

#include <stdio.h>
#include <stdlib.h>

/* ------------------------------------------------------------------ */
/* Link authentication. With a cluster secret, every frame starts with
 * a prefix: "SA", version, 0, the sender's node id, the sender's nonce
 * and a token HMAC(secret, label | sender | receiver | receiver nonce |
 * sender nonce). The receiver's nonce is its challenge (fresh in every
 * process), the token the response: the secret never crosses the wire,
 * and a token is good for one (sender, receiver) pair of processes.
 * A sender that does not know the receiver's nonce yet sends a zero
 * token; such a frame is accepted only if it holds nothing but join
 * requests (STRADS__MSG_MEM_HELLO). */


void
strads__link_token(const strads__transport_t *tp, uint32_t from, uint32_t to,
    const uint8_t *to_nonce, const uint8_t *from_nonce, uint8_t out[32])
{
	static const char label[] = "strads link v1";
	strads__hmac_t h;
	uint8_t ids[8];

	strads__put32(ids, from);
	strads__put32(ids + 4, to);
	strads__hmac_init(&h, tp->secret, tp->secret_len);
	strads__hmac_update(&h, label, sizeof(label) - 1);
	strads__hmac_update(&h, ids, sizeof(ids));
	strads__hmac_update(&h, to_nonce, STRADS__NONCE_LEN);
	strads__hmac_update(&h, from_nonce, STRADS__NONCE_LEN);
	strads__hmac_final(&h, out);
}

void
strads__transport_nonce(strads__transport_t *tp, uint8_t out[STRADS__NONCE_LEN])
{
	memcpy(out, tp->nonce, STRADS__NONCE_LEN);
}

void
strads__transport_secret(strads__transport_t *tp, const uint8_t **p, size_t *len)
{
	*p = tp->secret;
	*len = tp->secret_len;
}

void
strads__peer_forget(strads_runtime_t *rt, uint32_t node)
{
	strads__peer_t *p = strads__transport_peer(rt->tp, node);

	if (p == NULL)
		return;
	uv_mutex_lock(&p->lock);
	p->have_token = 0;
	uv_mutex_unlock(&p->lock);
	atomic_fetch_add(&rt->tp->forgot, 1);
}

void
strads__peer_retire(strads_runtime_t *rt, uint32_t node)
{
	strads__peer_t *p = strads__transport_peer(rt->tp, node);

	if (p == NULL)
		return;
	uv_mutex_lock(&p->lock);
	if (p->have_token) {
		memcpy(p->retired_nonce, p->rnonce, STRADS__NONCE_LEN);
		p->retired = 1;
	}
	p->have_token = 0;
	uv_mutex_unlock(&p->lock);
	atomic_fetch_add(&rt->tp->forgot, 1);
}

/* 1 when nonce is that of a process of node that closed for good. */
static int
retired(strads__transport_t *tp, uint32_t node, const uint8_t *nonce)
{
	strads__peer_t *p = strads__transport_peer(tp, node);
	int r;

	if (p == NULL)
		return 0;
	uv_mutex_lock(&p->lock);
	r = p->retired && memcmp(p->retired_nonce, nonce, STRADS__NONCE_LEN) == 0;
	uv_mutex_unlock(&p->lock);
	return r;
}

int
strads__transport_authed(strads__transport_t *tp)
{
	return tp->secret != NULL;
}

void
strads__peer_set_nonce(strads__transport_t *tp, strads__peer_t *p, const uint8_t *nonce)
{
	uint8_t tok[32];

	strads__link_token(tp, tp->rt->cfg.node_id, p->node, nonce, tp->nonce, tok);
	uv_mutex_lock(&p->lock);
	memcpy(p->rnonce, nonce, STRADS__NONCE_LEN);
	memcpy(p->token, tok, sizeof(tok));
	p->have_token = 1;
	uv_mutex_unlock(&p->lock);
}

static void
refuse(strads__transport_t *tp, uint32_t node, const char *why)
{
	atomic_fetch_add(&tp->rt->dropped_auth, 1);
	if (tp->last_refused != node || node == 0) {
		tp->last_refused = node;
		/* The frame's contents are never echoed. */
		strads_log(STRADS_LOG_WARN, "refused a frame from node %u: %s", node, why);
	}
}

/* Checks a frame's prefix: the sender's node id in *from, or -1. */
static int
auth_check(strads__transport_t *tp, const uint8_t *a, const uint8_t *body,
    size_t len, uint32_t *from)
{
	static const uint8_t zero[32];
	const uint8_t *nonce = a + 8, *tok = a + 8 + STRADS__NONCE_LEN;
	uint8_t want[32];
	strads__peer_t *p;
	uint32_t i, node;
	int relearn = 0;

	if (a[0] != 'S' || a[1] != 'A' || a[2] != 1 || a[3] != 0) {
		refuse(tp, 0, "no authentication (is a cluster secret set there?)");
		return -1;
	}
	node = strads__get32(a + 4);
	*from = node;
	if (strads__ct_equal(tok, zero, 32)) {
		/* A join request: nothing else may ride on it. */
		size_t off = 0;

		while (off < len) {
			uint32_t type = (uint32_t)body[off + 4] | (uint32_t)body[off + 5] << 8;

			if (type != STRADS__MSG_MEM_HELLO) {
				strads_log(STRADS_LOG_DEBUG, "unauthenticated %s from node %u",
				    strads__msg_name(type), node);
				refuse(tp, node, "unauthenticated");
				return -1;
			}
			off += STRADS_MSG_HDR_SIZE + strads__get32(body + off + 32);
		}
		return 0;
	}
	for (i = 0; i < tp->nseen; i++)
		if (tp->seen[i].node == node &&
		    memcmp(tp->seen[i].nonce, nonce, STRADS__NONCE_LEN) == 0)
			break;
	if (i < tp->nseen) {
		if (!strads__ct_equal(tp->seen[i].token, tok, 32)) {
			refuse(tp, node, BAD_TOKEN);
			return -1;
		}
		if (tp->seen[i].gen == atomic_load(&tp->forgot))
			return 0;
		/* Forgotten since: a process that closed for good teaches
		 * nothing again (its gen stays old, so each of its frames
		 * comes here and is dropped). */
		if (retired(tp, node, nonce)) {
			atomic_fetch_add(&tp->rt->dropped_auth, 1);
			return -1;
		}
		tp->seen[i].gen = atomic_load(&tp->forgot);
		relearn = 1;
		goto learn;
	}
	strads__link_token(tp, node, tp->rt->cfg.node_id, tp->nonce, nonce, want);
	if (!strads__ct_equal(want, tok, 32)) {
		refuse(tp, node, BAD_TOKEN);
		return -1;
	}
	if (tp->nseen == tp->seen_cap) {
		uint32_t cap = tp->seen_cap ? tp->seen_cap * 2 : 8;
		auth_seen_t *t = realloc(tp->seen, cap * sizeof(*t));

		if (t == NULL)
			return 0; /* verified; just not remembered */
		tp->seen = t;
		tp->seen_cap = cap;
	}
	tp->seen[tp->nseen].node = node;
	tp->seen[tp->nseen].gen = atomic_load(&tp->forgot);
	memcpy(tp->seen[tp->nseen].nonce, nonce, STRADS__NONCE_LEN);
	memcpy(tp->seen[tp->nseen].token, tok, 32);
	tp->nseen++;
learn:
	/* Answer with the nonce it proved: our frames to it verify there. */
	if ((p = strads__transport_peer(tp, node)) != NULL) {
		int known;

		uv_mutex_lock(&p->lock);
		/* A sender seen before teaches its nonce again only where
		 * the token was forgotten: a late frame of an old process
		 * must not undo a new one's nonce given to peer_redial. */
		known = p->have_token && (relearn ||
		    memcmp(p->rnonce, nonce, STRADS__NONCE_LEN) == 0);
		uv_mutex_unlock(&p->lock);
		if (!known)
			strads__peer_set_nonce(tp, p, nonce);
	}
	return 0;
}
/* ------------------------------------------------------------------ */
/* Receiving.                                                           */

void
strads__transport_recv_post(strads__transport_t *tp)
{
	if (!atomic_load(&tp->closed))
		nng_recv_aio(tp->pull, tp->recv_aio);
}

static void
frame_release(strads_buf_t *b)
{
	inframe_t *f = (inframe_t *)b;
	strads__transport_t *tp = f->tp;
	size_t limit = tp->rt->cfg.inbound_limit;
	uint64_t left;

	left = atomic_fetch_sub(&tp->inbound, b->size) - b->size;
	/* On a loop, a big frame's buffer becomes that loop's next big
	 * message (bigmsg.c): rotation sends each part on. */
	strads__msg_recycle_big(f->msg);
	free(f);
	if (left < limit / 2 && atomic_load(&tp->paused)) {
		int one = 1;

		if (atomic_compare_exchange_strong(&tp->paused, &one, 0))
			strads__transport_recv_post(tp);
	}
}

void
strads__transport_deliver(strads__transport_t *tp, nng_msg *msg)
{
	strads_runtime_t *rt = tp->rt;
	uint8_t *body = nng_msg_body(msg);
	size_t len = nng_msg_len(msg), off = 0;
	size_t max_payload = rt->cfg.max_frame - STRADS_MSG_HDR_SIZE;
	inframe_t *f;
	int i;

	uint32_t from = 0;
	int authed = tp->secret != NULL;

	atomic_fetch_add(&rt->frames_in, 1);
	atomic_fetch_add(&rt->bytes_in, len);
	if (authed) {
		/* The prefix travels as NNG's message header; a transport
		 * may hand it over at the front of the body instead. */
		const uint8_t *a = NULL;

		if (nng_msg_header_len(msg) == AUTH_LEN) {
			a = nng_msg_header(msg);
		} else if (nng_msg_header_len(msg) == 0 && len >= AUTH_LEN) {
			a = body;
			body += AUTH_LEN;
			len -= AUTH_LEN;
		}
		if (a == NULL || strads__frame_check(body, len, max_payload) < 0) {
			if (a == NULL)
				refuse(tp, 0, "no authentication (is a cluster secret set there?)");
			else
				atomic_fetch_add(&rt->dropped_proto, 1);
			nng_msg_free(msg);
			return;
		}
		if (auth_check(tp, a, body, len, &from) != 0) {
			nng_msg_free(msg);
			return;
		}
	}
	/* All or nothing: a frame with any malformed part is dropped whole. */
	else if (strads__frame_check(body, len, max_payload) < 0) {
		atomic_fetch_add(&rt->dropped_proto, 1);
		nng_msg_free(msg);
		return;
	}
	f = malloc(sizeof(*f));
	if (f == NULL) {
		atomic_fetch_add(&rt->dropped_proto, 1);
		nng_msg_free(msg);
		return;
	}
	atomic_init(&f->b.refs, 1);
	f->b.block = NULL;
	f->b.release_cb = frame_release;
	f->b.opaque = NULL;
	f->b.size = len;
	f->tp = tp;
	f->msg = msg;
	atomic_fetch_add(&tp->inbound, len);
	for (i = 0; i < rt->nloops; i++)
		tp->chain_first[i] = tp->chain_last[i] = NULL;
	while (off < len) {
		strads_msg_t h, *m;
		int64_t r = strads__msg_decode(body + off, len - off, max_payload, &h);
		unsigned li;

		STRADS__ASSERT(r > 0); /* checked above */
		li = STRADS_ACTOR_LOOP(h.dst.actor);
		if (h.dst.node != rt->cfg.node_id || li >= (unsigned)rt->nloops ||
		    (authed && h.src.node != from)) {
			atomic_fetch_add(&rt->dropped_proto, 1);
			off += (size_t)r;
			continue;
		}
		m = strads__msg_wrap(&f->b, body + off + STRADS_MSG_HDR_SIZE, h.len);
		if (m == NULL) {
			atomic_fetch_add(&rt->dropped_proto, 1);
			off += (size_t)r;
			continue;
		}
		m->type = h.type;
		m->flags = h.flags;
		m->epoch = h.epoch;
		m->seq = h.seq;
		m->src = h.src;
		m->dst = h.dst;
		if (tp->chain_last[li] != NULL)
			tp->chain_last[li]->next_ = m;
		else
			tp->chain_first[li] = m;
		tp->chain_last[li] = m;
		off += (size_t)r;
	}
	for (i = 0; i < rt->nloops; i++)
		if (tp->chain_first[i] != NULL)
			strads__loop_push(&rt->loops[i], tp->chain_first[i],
			    tp->chain_last[i]);
	strads__buf_unref(&f->b);
}

void
strads__transport_recv_cb(void *arg)
{
	strads__transport_t *tp = arg;
	int rv = nng_aio_result(tp->recv_aio);

	if (rv != 0) {
		if (rv == NNG_ECLOSED || rv == NNG_ECANCELED || atomic_load(&tp->closed))
			return;
		strads_log(STRADS_LOG_WARN, "receive: %s", nng_strerror(rv));
		strads__transport_recv_post(tp);
		return;
	}
	strads__transport_deliver(tp, nng_aio_get_msg(tp->recv_aio));
	if (atomic_load(&tp->inbound) > tp->rt->cfg.inbound_limit) {
		atomic_store(&tp->paused, 1);
		atomic_fetch_add(&tp->rt->recv_paused, 1);
		/* Handling may have caught up between the test and the store. */
		if (atomic_load(&tp->inbound) < tp->rt->cfg.inbound_limit / 2) {
			int one = 1;

			if (atomic_compare_exchange_strong(&tp->paused, &one, 0))
				strads__transport_recv_post(tp);
		}
		return;
	}
	strads__transport_recv_post(tp);
}


/* ------------------------------------------------------------------ */
/* Per-loop coalescing.                                                 */

static void
outframe_flush(strads__outframe_t *of)
{
	nng_msg *f = of->frame;

	of->frame = NULL;
	if (f != NULL)
		strads__peer_submit(of->peer, f);
}

static uint64_t
node_hash(const void *key)
{
	uint32_t node;

	memcpy(&node, key, sizeof(node));
	return (uint64_t)node * 0x9E3779B97F4A7C15ull;
}

/* The loop's open frames, keyed by node id (any uint32). */
static const strads__map_type_t outframe_type = {
	.ksize = sizeof(uint32_t),
	.hash = node_hash,
};

/* The loop's open frame for node. Frames move when the map grows, so
 * it grows only after a flush: the dirty list never outlives a move. */
static strads__outframe_t *
outframe_get(strads__loop_t *loop, uint32_t node)
{
	strads__outframe_t *of = strads__map_find(&loop->out, &outframe_type, &node);

	if (of != NULL)
		return of;
	if (strads__map_full(&loop->out))
		strads__loop_flush(loop);
	return strads__map_get(&loop->out, &outframe_type, &node);
}

void
strads__loop_out_fini(strads__loop_t *loop)
{
	strads__outframe_t *of;

	for (of = strads__map_next(&loop->out, &outframe_type, NULL); of != NULL;
	    of = strads__map_next(&loop->out, &outframe_type, of))
		STRADS__ASSERT(of->frame == NULL);
	strads__map_fini(&loop->out, &outframe_type);
	free(loop->dirty);
	loop->dirty = NULL;
	loop->ndirty = loop->dirty_cap = 0;
}

/* Puts of on the loop's dirty list (sent when the turn ends), or sends
 * it now when the list cannot grow. */
static void
outframe_dirty(strads__loop_t *loop, strads__outframe_t *of)
{
	if (of->dirty)
		return;
	if (loop->ndirty == loop->dirty_cap) {
		uint32_t n = loop->dirty_cap ? loop->dirty_cap * 2 : 16;
		strads__outframe_t **d = realloc(loop->dirty, n * sizeof(*d));

		if (d == NULL) { /* out of memory: send it now instead */
			outframe_flush(of);
			return;
		}
		loop->dirty = d;
		loop->dirty_cap = n;
	}
	of->dirty = 1;
	loop->dirty[loop->ndirty++] = of;
}

void
strads__loop_send_remote(strads__loop_t *loop, strads_msg_t *m)
{
	strads_runtime_t *rt = loop->rt;
	uint32_t node = m->dst.node;
	size_t need = STRADS_MSG_HDR_SIZE + (size_t)m->len, before;
	strads__outframe_t *of;
	uint8_t hdr[STRADS_MSG_HDR_SIZE];
	nng_msg *f;

	if (rt->trace_bytes) {
		unsigned t = m->type < 64 ? m->type : 63;

		atomic_fetch_add(&rt->trace_out[t][0], need);
		atomic_fetch_add(&rt->trace_out[t][1], 1);
	}
	if ((of = outframe_get(loop, node)) == NULL)
		goto fail;
	if (of->peer == NULL && (of->peer = strads__transport_peer(rt->tp, node)) == NULL)
		goto fail;
	if (of->frame != NULL && nng_msg_len(of->frame) + need > of->limit)
		outframe_flush(of);
	if (need > rt->cfg.coalesce_bytes && (f = strads__msg_steal_big(m)) != NULL) {
		/* Zero-copy: the payload's own NNG message, header in front.
		 * The open frame (if any) goes first, so order holds. This
		 * one stays open until the turn ends, so the small messages
		 * sent after it (the credit its receiver's last message
		 * earned, above all) ride in its tail room instead of making
		 * a frame of their own: a frame is a wake-up of NNG's reader
		 * and often of the receiving loop, dear on a loaded machine. */
		size_t cap = rt->cfg.max_frame -
		    (rt->tp->secret != NULL ? AUTH_LEN : 0);

		if (of->frame != NULL)
			outframe_flush(of);
		strads__hdr_encode(m, nng_msg_body(f));
		strads_msg_free(m);
		of->frame = f;
		/* Its capacity (a reused buffer's may be large), but no more
		 * than an open frame's worth of small messages behind it. */
		of->limit = nng_msg_capacity(f);
		if (of->limit > nng_msg_len(f) + rt->cfg.coalesce_bytes)
			of->limit = nng_msg_len(f) + rt->cfg.coalesce_bytes;
		if (of->limit > cap)
			of->limit = cap;
		if (nng_msg_len(f) >= of->limit)
			outframe_flush(of);
		else
			outframe_dirty(loop, of);
		return;
	}
	if (of->frame == NULL) {
		size_t cap = need > rt->cfg.coalesce_bytes ? need : rt->cfg.coalesce_bytes;

		if (nng_msg_alloc(&f, 0) != 0)
			goto fail;
		if (nng_msg_reserve(f, cap) != 0) {
			nng_msg_free(f);
			goto fail;
		}
		of->frame = f;
		of->limit = rt->cfg.coalesce_bytes;
	}
	strads__hdr_encode(m, hdr);
	before = nng_msg_len(of->frame);
	if (nng_msg_append(of->frame, hdr, sizeof(hdr)) != 0 ||
	    (m->len > 0 && nng_msg_append(of->frame, m->data, m->len) != 0)) {
		/* The frame may now hold half a message: cut it back to the
		 * whole ones it had (a big message among them), or drop it
		 * when it had none (an empty frame is malformed). */
		if (before > 0) {
			nng_msg_chop(of->frame, nng_msg_len(of->frame) - before);
		} else {
			nng_msg_free(of->frame);
			of->frame = NULL;
		}
		goto fail;
	}
	strads_msg_free(m);
	if (nng_msg_len(of->frame) >= of->limit) {
		outframe_flush(of);
		return;
	}
	outframe_dirty(loop, of);
	return;
fail:
	atomic_fetch_add(&rt->send_failed, 1);
	strads_msg_free(m);
}

void
strads__loop_flush(strads__loop_t *loop)
{
	uint32_t i;

	for (i = 0; i < loop->ndirty; i++) {
		strads__outframe_t *of = loop->dirty[i];

		of->dirty = 0;
		outframe_flush(of);
	}
	loop->ndirty = 0;
}
