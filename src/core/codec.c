/*
 * codec.c -- the wire header and frame validation.
 *
 * Header, 40 bytes, little-endian:
 *   0 u16 magic   2 u8 version   3 u8 reserved (0)   4 u16 type
 *   6 u16 flags   8 u32 src.node 12 u32 src.actor    16 u32 dst.node
 *  20 u32 dst.actor 24 u32 epoch 28 u32 seq          32 u32 payload len
 *  36 u32 check: FNV-1a of bytes 0..35
 * A frame is a run of such messages. The decoder is total: it reads only
 * inside the bytes it is given and answers a message or an error.
 */
#include "strads-int.h"

static const struct {
	uint16_t type;
	uint32_t lo, hi;
	uint8_t remote;
	const char *name;
} types[] = {
#define STRADS__MSG_ROW(name, val, lo, hi, remote) {val, lo, hi, remote, #name},
    STRADS__MSG_TYPES(STRADS__MSG_ROW)
#undef STRADS__MSG_ROW
};

const char *
strads__msg_name(unsigned type)
{
	size_t i;

	if (type >= STRADS_MSG_USER)
		return "USER";
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == type)
			return types[i].name;
	return "UNKNOWN";
}

static uint32_t
hdr_check(const uint8_t *p)
{
	uint32_t h = 2166136261u;
	int i;

	for (i = 0; i < 36; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

void
strads__hdr_encode(const strads_msg_t *m, uint8_t *p)
{
	p[0] = (uint8_t)STRADS__MAGIC;
	p[1] = (uint8_t)(STRADS__MAGIC >> 8);
	p[2] = STRADS__VERSION;
	p[3] = 0;
	p[4] = (uint8_t)m->type;
	p[5] = (uint8_t)(m->type >> 8);
	p[6] = (uint8_t)m->flags;
	p[7] = (uint8_t)(m->flags >> 8);
	strads__put32(p + 8, m->src.node);
	strads__put32(p + 12, m->src.actor);
	strads__put32(p + 16, m->dst.node);
	strads__put32(p + 20, m->dst.actor);
	strads__put32(p + 24, m->epoch);
	strads__put32(p + 28, m->seq);
	strads__put32(p + 32, m->len);
	strads__put32(p + 36, hdr_check(p));
}

/* Payload rules of runtime types; user types are opaque bytes. */
static int
check_payload(uint16_t type, uint32_t len)
{
	size_t i;

	if (type >= STRADS_MSG_USER)
		return 0;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (types[i].type != type)
			continue;
		if (!types[i].remote)
			return STRADS_EPROTO;
		return len >= types[i].lo && len <= types[i].hi ? 0 : STRADS_EPROTO;
	}
	return STRADS_EPROTO;
}

int64_t
strads__msg_decode(const uint8_t *p, size_t n, size_t max_payload, strads_msg_t *m)
{
	uint16_t type, flags;
	uint32_t len;

	if (n < STRADS_MSG_HDR_SIZE)
		return STRADS_EPROTO;
	if (p[0] != (uint8_t)STRADS__MAGIC || p[1] != (uint8_t)(STRADS__MAGIC >> 8) ||
	    p[2] != STRADS__VERSION || p[3] != 0)
		return STRADS_EPROTO;
	if (strads__get32(p + 36) != hdr_check(p))
		return STRADS_EPROTO;
	type = (uint16_t)(p[4] | p[5] << 8);
	flags = (uint16_t)(p[6] | p[7] << 8);
	len = strads__get32(p + 32);
	if ((flags & ~STRADS__MF_KNOWN) != 0)
		return STRADS_EPROTO;
	if (len > max_payload)
		return STRADS_EMSGSIZE;
	if (len > n - STRADS_MSG_HDR_SIZE)
		return STRADS_EPROTO;
	if (check_payload(type, len) != 0)
		return STRADS_EPROTO;
	m->type = type;
	m->flags = flags;
	m->src.node = strads__get32(p + 8);
	m->src.actor = strads__get32(p + 12);
	m->dst.node = strads__get32(p + 16);
	m->dst.actor = strads__get32(p + 20);
	m->epoch = strads__get32(p + 24);
	m->seq = strads__get32(p + 28);
	m->len = len;
	return (int64_t)STRADS_MSG_HDR_SIZE + len;
}

int64_t
strads__frame_check(const uint8_t *p, size_t n, size_t max_payload)
{
	strads_msg_t m;
	int64_t count = 0;
	size_t off = 0;

	if (n == 0)
		return STRADS_EPROTO;
	while (off < n) {
		int64_t r = strads__msg_decode(p + off, n - off, max_payload, &m);

		if (r < 0)
			return r;
		off += (size_t)r;
		count++;
	}
	return count;
}
