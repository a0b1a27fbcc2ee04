/*
 * fuzz-frame.h -- what the transport's libFuzzer targets (fuzz_frames.c,
 * fuzz_handshake.c) share: a started runtime to deliver frames into, a
 * frame's headers made valid so that the fuzzer gets past their check
 * word, and delivering one frame through the receive path
 * (strads__transport_deliver) and waiting until every message cut from
 * it has been handled and released, so that each input runs to its end
 * before the next.
 */
#ifndef STRADS_FUZZ_FRAME_H
#define STRADS_FUZZ_FRAME_H

#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport-int.h"

/* How a frame's headers are rewritten (fuzz_frame_fix). */
typedef struct {
	int readdress;      /* send every message to node, at actor or loop */
	uint32_t node;      /* this runtime's node id */
	strads_addr_t sink; /* a live actor here */
	int mask_flags;     /* keep only the flags the codec knows */
} fuzz_fix_t;

/* Rewrites each 40-byte header of the frame at p (n bytes) so that it
 * passes the decoder's checks but for its type, flags and addresses: the
 * magic, version and check word made right, the length cut to the bytes
 * left. Returns the length of the whole messages made (trailing bytes
 * too short for a header are cut off). */
static inline size_t
fuzz_frame_fix(uint8_t *p, size_t n, const fuzz_fix_t *fx)
{
	size_t off = 0;

	while (off + STRADS_MSG_HDR_SIZE <= n) {
		uint8_t *h = p + off;
		size_t rest = n - off - STRADS_MSG_HDR_SIZE;
		strads_msg_t m;

		memset(&m, 0, sizeof(m));
		m.type = (uint16_t)(h[4] | h[5] << 8);
		m.flags = (uint16_t)(h[6] | h[7] << 8);
		m.src.node = strads__get32(h + 8);
		m.src.actor = strads__get32(h + 12);
		m.dst.node = strads__get32(h + 16);
		m.dst.actor = strads__get32(h + 20);
		m.epoch = strads__get32(h + 24);
		m.seq = strads__get32(h + 28);
		m.len = (uint32_t)(strads__get32(h + 32) % (rest + 1));
		if (fx->readdress) {
			m.dst.node = fx->node;
			/* Half the messages go to the live actor, the rest
			 * to whatever actor on a loop that exists. */
			if (h[20] & 1)
				m.dst.actor = fx->sink.actor;
			else
				m.dst.actor &= 0x00ffffffu;
		}
		if (fx->mask_flags)
			m.flags &= STRADS__MF_KNOWN;
		strads__hdr_encode(&m, h);
		off += STRADS_MSG_HDR_SIZE + m.len;
	}
	return off;
}

/* Delivers the n bytes at body as a frame (with hdr, hlen bytes, as
 * NNG's message header when hlen > 0) and waits until the runtime holds
 * nothing of it: every message cut from it handled and released. A
 * frame still held after 30 s is a leak or a hang: abort. */
static inline void
fuzz_deliver(strads_runtime_t *rt, const uint8_t *hdr, size_t hlen,
    const uint8_t *body, size_t n)
{
	strads__transport_t *tp = rt->tp;
	uint64_t deadline;
	nng_msg *msg;

	if (nng_msg_alloc(&msg, n) != 0)
		return;
	if (n > 0)
		memcpy(nng_msg_body(msg), body, n);
	if (hlen > 0 && nng_msg_header_append(msg, hdr, hlen) != 0) {
		nng_msg_free(msg);
		return;
	}
	strads__transport_deliver(tp, msg);
	deadline = strads_now_ns() + 30000000000ull;
	while (atomic_load(&tp->inbound) != 0) {
		if (strads_now_ns() > deadline)
			abort();
		sched_yield();
	}
}

#endif /* STRADS_FUZZ_FRAME_H */
