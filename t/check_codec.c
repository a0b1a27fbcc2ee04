/*
 * check_codec.c -- the wire header, message decoding and frame
 * validation, and the error strings.
 *
 * The decoder must be total: whatever bytes arrive, it answers a message
 * or an error and reads nothing outside the buffer. Every buffer handed
 * to it here is a malloc'd copy of exactly the length passed, so ASan and
 * valgrind report any read past the end.
 */
#include "strads-int.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

#define HDR STRADS_MSG_HDR_SIZE
#define MAXMSG 16
#define BIG_PAYLOAD ((size_t)1 << 20)

/* FNV-1a, written from its definition: the header's check field. */
static uint32_t
ref_fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 0x811c9dc5u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x01000193u;
	}
	return h;
}

/* Rewrites the check field after a test edited a header on purpose, so
 * the decoder's other rules are reached. */
static void
reseal(uint8_t *h)
{
	strads__put32(h + 36, ref_fnv1a(h, 36));
}

/* A copy of p[0..n) in a block of exactly n bytes (NULL allowed when n
 * is 0). */
static uint8_t *
exact_copy(const uint8_t *p, size_t n)
{
	uint8_t *b = malloc(n);

	TEST_REQUIRE(b != NULL || n == 0);
	if (n > 0)
		memcpy(b, p, n);
	return b;
}

/* Mostly uniform, sometimes an edge value. */
static uint32_t
rand_u32(uint64_t *rng)
{
	static const uint32_t edge[] = {
	    0, 1, 0x7fffffffu, 0x80000000u, 0xffffffffu, 0xfffffffeu};
	uint64_t r = test_rand(rng);

	if ((r & 7) == 0)
		return edge[(r >> 3) % (sizeof(edge) / sizeof(edge[0]))];
	return (uint32_t)(r >> 32);
}

/* A random header of a user type with a payload of 0..maxlen bytes. */
static void
rand_user_hdr(uint64_t *rng, strads_msg_t *m, uint32_t maxlen)
{
	memset(m, 0, sizeof(*m));
	m->type = (uint16_t)(STRADS_MSG_USER +
			     test_rand(rng) % (65536 - STRADS_MSG_USER));
	if (test_rand(rng) % 8 == 0)
		m->type = test_rand(rng) % 2 ? 0xffff : STRADS_MSG_USER;
	m->flags = test_rand(rng) % 2 ? STRADS__MF_CREDITED : 0;
	m->src.node = rand_u32(rng);
	m->src.actor = rand_u32(rng);
	m->dst.node = rand_u32(rng);
	m->dst.actor = rand_u32(rng);
	m->epoch = rand_u32(rng);
	m->seq = rand_u32(rng);
	m->len = (uint32_t)(test_rand(rng) % (maxlen + 1));
}

static int
hdr_eq(const strads_msg_t *a, const strads_msg_t *b)
{
	return a->type == b->type && a->flags == b->flags &&
	       a->epoch == b->epoch && a->seq == b->seq && a->len == b->len &&
	       strads_addr_eq(a->src, b->src) && strads_addr_eq(a->dst, b->dst);
}

/* A frame of n encoded messages with payloads of minlen..maxlen random
 * bytes; message 1
 * (when n > 1) is a CREDIT, the one runtime type allowed on the wire. */
typedef struct {
	uint8_t *buf; /* owned */
	size_t len;
	int n;
	strads_msg_t hdr[MAXMSG];
	size_t off[MAXMSG + 1]; /* start of message i; off[n] == len */
} frame_t;

static void
frame_build(frame_t *f, uint64_t *rng, int n, uint32_t minlen, uint32_t maxlen)
{
	size_t i, o;
	int k;

	ck_assert_int_le(n, MAXMSG);
	memset(f, 0, sizeof(*f));
	f->n = n;
	for (k = 0; k < n; k++) {
		rand_user_hdr(rng, &f->hdr[k], maxlen - minlen);
		f->hdr[k].len += minlen;
		if (k == 1) {
			f->hdr[k].type = STRADS__MSG_CREDIT;
			f->hdr[k].len = 8;
		}
		f->off[k] = f->len;
		f->len += HDR + f->hdr[k].len;
	}
	f->off[n] = f->len;
	f->buf = malloc(f->len);
	ck_assert_ptr_nonnull(f->buf);
	for (k = 0; k < n; k++) {
		o = f->off[k];
		strads__hdr_encode(&f->hdr[k], f->buf + o);
		for (i = 0; i < f->hdr[k].len; i++)
			f->buf[o + HDR + i] = (uint8_t)test_rand(rng);
	}
}

static void
frame_free(frame_t *f)
{
	free(f->buf);
	f->buf = NULL;
}

/* 1 if byte offset pos of f lies in a header. */
static int
in_header(const frame_t *f, size_t pos)
{
	int k;

	for (k = 0; k < f->n; k++)
		if (pos >= f->off[k] && pos < f->off[k] + HDR)
			return 1;
	return 0;
}

/* Decodes p[0..n) message by message; the headers must be f's. */
static void
decode_all_expect(const frame_t *f, const uint8_t *p, size_t n)
{
	strads_msg_t m;
	size_t off = 0;
	int64_t r;
	int k;

	for (k = 0; k < f->n; k++) {
		r = strads__msg_decode(p + off, n - off, BIG_PAYLOAD, &m);
		TEST_REQUIRE(r == (int64_t)(HDR + f->hdr[k].len));
		TEST_REQUIRE(hdr_eq(&m, &f->hdr[k]));
		off += (size_t)r;
	}
	TEST_REQUIRE(off == n);
}

/* ------------------------------------------------------------------ */

START_TEST(fnv_reference)
{
	/* Published FNV-1a 32-bit test vectors. */
	ck_assert_uint_eq(ref_fnv1a((const uint8_t *)"", 0), 0x811c9dc5u);
	ck_assert_uint_eq(ref_fnv1a((const uint8_t *)"a", 1), 0xe40c292cu);
	ck_assert_uint_eq(ref_fnv1a((const uint8_t *)"foobar", 6), 0xbf9cf968u);
}
END_TEST

/* The byte layout is the wire format: pinned field by field. */
START_TEST(header_layout)
{
	static const uint8_t want[36] = {
	    'T', 'S', 1, 0,	    /* magic, version, reserved */
	    0x34, 0x12, 0x01, 0x00, /* type 0x1234, flags CREDITED */
	    0x01, 0x02, 0x03, 0x04, /* src.node */
	    0x05, 0x06, 0x07, 0x08, /* src.actor */
	    0x11, 0x12, 0x13, 0x14, /* dst.node */
	    0x15, 0x16, 0x17, 0x18, /* dst.actor */
	    0x21, 0x22, 0x23, 0x24, /* epoch */
	    0x31, 0x32, 0x33, 0x34, /* seq */
	    0x03, 0x00, 0x00, 0x00, /* len */
	};
	strads_msg_t m;
	uint8_t h[HDR];

	memset(&m, 0, sizeof(m));
	m.type = 0x1234;
	m.flags = STRADS__MF_CREDITED;
	m.src.node = 0x04030201u;
	m.src.actor = 0x08070605u;
	m.dst.node = 0x14131211u;
	m.dst.actor = 0x18171615u;
	m.epoch = 0x24232221u;
	m.seq = 0x34333231u;
	m.len = 3;
	strads__hdr_encode(&m, h);
	ck_assert_mem_eq(h, want, sizeof(want));
	ck_assert_uint_eq(strads__get32(h + 36), ref_fnv1a(want, 36));
}
END_TEST

START_TEST(header_round_trip)
{
	uint64_t rng = 0x0ddba11cafef00dull;
	strads_msg_t in, out;
	uint8_t *buf;
	int64_t r;
	size_t n;
	int i, iters = test_quick() ? 5000 : 50000;
	int with_payload = 0;

	for (i = 0; i < iters; i++) {
		rand_user_hdr(&rng, &in, 300);
		n = HDR + in.len;
		buf = malloc(n);
		TEST_REQUIRE(buf != NULL);
		strads__hdr_encode(&in, buf);
		memset(buf + HDR, 0x5a, in.len);

		/* Decoding fills the header fields only: data, buf_ and
		 * next_ keep whatever the caller had there. */
		memset(&out, 0, sizeof(out));
		out.data = (uint8_t *)&rng;
		out.buf_ = (strads_buf_t *)&in;
		out.next_ = &in;
		r = strads__msg_decode(buf, n, in.len, &out);
		TEST_REQUIRE(r == (int64_t)n);
		TEST_REQUIRE(hdr_eq(&out, &in));
		TEST_REQUIRE(out.data == (uint8_t *)&rng);
		TEST_REQUIRE(out.buf_ == (strads_buf_t *)&in);
		TEST_REQUIRE(out.next_ == &in);
		TEST_REQUIRE(strads__frame_check(buf, n, in.len) == 1);
		/* One byte under the limit. */
		if (in.len > 0) {
			r = strads__msg_decode(buf, n, in.len - 1, &out);
			TEST_REQUIRE(r == STRADS_EMSGSIZE);
			with_payload++;
		}
		free(buf);
	}
	/* Lengths are uniform in 0..300: nearly all carried a payload. */
	ck_assert_int_gt(with_payload, iters * 9 / 10);
}
END_TEST

START_TEST(frame_counts)
{
	uint64_t rng = 0xfeedfacef00dull;
	frame_t f;
	uint8_t *b;
	int n;

	for (n = 1; n <= MAXMSG; n++) {
		frame_build(&f, &rng, n, 0, 200);
		b = exact_copy(f.buf, f.len);
		ck_assert_int_eq(strads__frame_check(b, f.len, BIG_PAYLOAD), n);
		decode_all_expect(&f, b, f.len);
		free(b);
		frame_free(&f);
	}

	/* Messages with empty payloads only: 3 headers back to back. */
	{
		strads_msg_t m;
		uint8_t buf[3 * HDR];

		memset(&m, 0, sizeof(m));
		m.type = STRADS_MSG_USER;
		strads__hdr_encode(&m, buf);
		strads__hdr_encode(&m, buf + HDR);
		strads__hdr_encode(&m, buf + 2 * HDR);
		b = exact_copy(buf, sizeof(buf));
		ck_assert_int_eq(strads__frame_check(b, sizeof(buf), 0), 3);
		free(b);
	}

	/* An empty frame carries nothing and is malformed. */
	b = malloc(0);
	ck_assert_int_lt(strads__frame_check(b, 0, BIG_PAYLOAD), 0);
	free(b);
}
END_TEST

/* Every cut of a valid frame: cuts at a message boundary leave a valid
 * shorter frame, every other cut is rejected. */
START_TEST(frame_truncations)
{
	uint64_t rng = 0xc0ffee123ull;
	frame_t f;
	strads_msg_t m;
	uint8_t *b;
	size_t cut, off;
	int64_t r;
	int k, nframe, boundary, rejected;
	int total_boundary = 0, total_rejected = 0, total_cuts = 0;

	for (nframe = 0; nframe < 12; nframe++) {
		frame_build(&f, &rng, 1 + nframe % 6, 0, nframe % 3 ? 64 : 0);
		boundary = rejected = 0;
		for (cut = 0; cut < f.len; cut++) {
			b = exact_copy(f.buf, cut);
			r = strads__frame_check(b, cut, BIG_PAYLOAD);
			for (k = 0; k < f.n && f.off[k + 1] <= cut; k++)
				;
			/* k messages lie wholly inside the cut. */
			if (cut > 0 && f.off[k] == cut) {
				TEST_REQUIRE(r == k);
				boundary++;
			} else {
				TEST_REQUIRE(r < 0);
				rejected++;
				/* Message by message: the whole ones decode,
				 * the cut one is malformed. */
				off = 0;
				for (k = 0; k < f.n; k++) {
					r = strads__msg_decode(b + off,
					    cut - off, BIG_PAYLOAD, &m);
					if (f.off[k + 1] > cut) {
						TEST_REQUIRE(
						    r == STRADS_EPROTO);
						break;
					}
					TEST_REQUIRE(
					    r == (int64_t)(HDR + f.hdr[k].len));
					TEST_REQUIRE(hdr_eq(&m, &f.hdr[k]));
					off += (size_t)r;
				}
			}
			free(b);
		}
		ck_assert_int_eq(boundary, f.n - 1);
		ck_assert_uint_eq((size_t)(boundary + rejected), f.len);
		total_boundary += boundary;
		total_rejected += rejected;
		total_cuts += (int)f.len;
		frame_free(&f);
	}
	ck_assert_int_eq(total_boundary + total_rejected, total_cuts);
}
END_TEST

/* 1..3 distinct bytes flipped to a different value. A header with any
 * changed byte is rejected (its check no longer matches); payload bytes
 * are not checked, so a frame changed only there decodes to the very
 * same headers. */
START_TEST(frame_corruptions)
{
	uint64_t rng = 0x5eed5eed5eedull;
	frame_t f;
	uint8_t *b;
	size_t pos[3];
	int64_t r;
	int i, j, c, k, hit_header, where;
	int samples = test_quick() ? 20000 : 200000;
	int nheader = 0, npayload = 0, header_rejected = 0;
	int payload_accepted = 0;

	/* Six messages with 40..80-byte payloads: about as many header as
	 * payload bytes. */
	frame_build(&f, &rng, 6, 40, 80);
	ck_assert_int_eq(strads__frame_check(f.buf, f.len, BIG_PAYLOAD), 6);

	for (i = 0; i < samples; i++) {
		c = 1 + (int)(test_rand(&rng) % 3);
		/* A third of the samples hit only headers, a third only
		 * payloads, a third anywhere. */
		where = i % 3;
		for (j = 0; j < c; j++) {
			int dup;

			do {
				pos[j] = test_rand(&rng) % f.len;
				dup = 0;
				for (k = 0; k < j; k++)
					dup |= pos[k] == pos[j];
			} while (dup ||
				 (where == 0 && !in_header(&f, pos[j])) ||
				 (where == 1 && in_header(&f, pos[j])));
		}
		b = exact_copy(f.buf, f.len);
		hit_header = 0;
		for (j = 0; j < c; j++) {
			b[pos[j]] ^= (uint8_t)(1 + test_rand(&rng) % 255);
			hit_header |= in_header(&f, pos[j]);
		}
		r = strads__frame_check(b, f.len, BIG_PAYLOAD);
		if (hit_header) {
			nheader++;
			if (r < 0)
				header_rejected++;
		} else {
			npayload++;
			TEST_REQUIRE(r < 0 || r == f.n);
			if (r == f.n) {
				payload_accepted++;
				decode_all_expect(&f, b, f.len);
			}
		}
		free(b);
	}
	ck_assert_int_eq(nheader + npayload, samples);
	ck_assert_int_gt(nheader, samples / 3);
	ck_assert_int_gt(npayload, samples / 3);
	ck_assert_int_eq(header_rejected, nheader);
	/* Nothing in the codec looks at payload bytes. */
	ck_assert_int_eq(payload_accepted, npayload);
	frame_free(&f);
}
END_TEST

/* Random bytes of random lengths: an answer, never a crash. */
START_TEST(random_bytes)
{
	uint64_t rng = 0xabad1deaull;
	uint8_t *b;
	size_t n, j;
	int64_t r;
	int i, rejected = 0, iters = test_quick() ? 2000 : 20000;

	for (i = 0; i < iters; i++) {
		n = test_rand(&rng) % 300;
		b = malloc(n);
		TEST_REQUIRE(b != NULL || n == 0);
		for (j = 0; j < n; j++)
			b[j] = (uint8_t)test_rand(&rng);
		/* Sometimes a valid magic and version, to get past them. */
		if (n >= 4 && i % 2 == 0) {
			b[0] = 'T';
			b[1] = 'S';
			b[2] = STRADS__VERSION;
			b[3] = 0;
		}
		r = strads__frame_check(b, n, test_rand(&rng) % 512);
		TEST_REQUIRE(r < 0 || (r >= 1 && (size_t)r <= n / HDR));
		rejected += r < 0;
		free(b);
	}
	/* A random check field matches one time in 2^32. */
	ck_assert_int_eq(rejected, iters);
}
END_TEST

/* Violations of the decoding rules, as a bit set, from the rules
 * themselves rather than from codec.c. */
enum {
	V_FRAMING = 1, /* short, magic, version, reserved or check */
	V_FLAGS = 2,
	V_SIZE = 4,  /* len over max_payload */
	V_TRUNC = 8, /* payload runs past the buffer */
	V_TYPE = 16  /* type or its payload length not allowed */
};

static int
ref_violations(const uint8_t *p, size_t n, size_t max_payload)
{
	uint16_t type, flags;
	uint32_t len;
	int v = 0;

	if (n < HDR)
		return V_FRAMING;
	if (p[0] != 'T' || p[1] != 'S' || p[2] != 1 || p[3] != 0 ||
	    strads__get32(p + 36) != ref_fnv1a(p, 36))
		v |= V_FRAMING;
	type = (uint16_t)(p[4] | p[5] << 8);
	flags = (uint16_t)(p[6] | p[7] << 8);
	len = strads__get32(p + 32);
	if (flags & ~STRADS__MF_CREDITED)
		v |= V_FLAGS;
	if (len > max_payload)
		v |= V_SIZE;
	if (len > n - HDR)
		v |= V_TRUNC;
	if (type < STRADS_MSG_USER && !(type == STRADS__MSG_CREDIT && len == 8))
		v |= V_TYPE;
	return v;
}

/* Well-sealed headers with random types, flags and lengths against the
 * rules: exactly the lawful ones decode. */
START_TEST(decode_rules_fuzz)
{
	static const uint16_t types[] = {
	    0, 1, 2, 3, 4, 5, 6, 7, 100, 255, 256, 257, 0x8000, 0xffff};
	static const uint16_t flags[] = {0, 1, 2, 3, 0x8000, 0x8001, 0xffff};
	uint64_t rng = 0x7777aaaa5555ull;
	uint8_t h[HDR], *b;
	strads_msg_t m;
	size_t n, maxp;
	uint32_t len;
	int64_t r;
	int i, j, v, iters = test_quick() ? 10000 : 100000;
	int accepted = 0, size_only = 0;

	for (i = 0; i < iters; i++) {
		for (j = 0; j < HDR; j++)
			h[j] = (uint8_t)test_rand(&rng);
		h[0] = 'T';
		h[1] = 'S';
		h[2] = STRADS__VERSION;
		h[3] = 0;
		if (i % 2 == 0) {
			uint16_t t = types[test_rand(&rng) % 14];
			uint16_t fl = test_rand(&rng) % 2
					  ? (uint16_t)(test_rand(&rng) % 2)
					  : flags[test_rand(&rng) % 7];

			h[4] = (uint8_t)t;
			h[5] = (uint8_t)(t >> 8);
			h[6] = (uint8_t)fl;
			h[7] = (uint8_t)(fl >> 8);
		}
		switch (test_rand(&rng) % 4) {
		case 0:
			len = (uint32_t)(test_rand(&rng) % 24);
			break;
		case 1:
			len = 8;
			break;
		case 2:
			len = (uint32_t)(test_rand(&rng) % 200);
			break;
		default:
			len = rand_u32(&rng);
			break;
		}
		strads__put32(h + 32, len);
		if (i % 64 != 0) /* a few keep a random check */
			reseal(h);
		maxp = test_rand(&rng) % 4 != 0
			   ? BIG_PAYLOAD
			   : (size_t)(test_rand(&rng) % 200);
		/* Buffers around the claimed length: exact, longer (trailing
		 * bytes are the next message's), or short. */
		n = HDR + (len < 256 ? len : 0);
		switch (test_rand(&rng) % 4) {
		case 0:
		case 1:
			break;
		case 2:
			n += (size_t)(test_rand(&rng) % 9);
			break;
		default:
			n -= 1 + (size_t)(test_rand(&rng) % 8);
			break;
		}
		b = malloc(n);
		TEST_REQUIRE(b != NULL);
		for (j = 0; j < (int)n; j++)
			b[j] = j < HDR ? h[j] : (uint8_t)test_rand(&rng);

		v = ref_violations(b, n, maxp);
		memset(&m, 0, sizeof(m));
		r = strads__msg_decode(b, n, maxp, &m);
		if (v == 0) {
			TEST_REQUIRE(r == (int64_t)HDR + len);
			TEST_REQUIRE(m.len == len);
			TEST_REQUIRE(m.type == (uint16_t)(b[4] | b[5] << 8));
			TEST_REQUIRE(m.flags == (uint16_t)(b[6] | b[7] << 8));
			TEST_REQUIRE(m.src.node == strads__get32(b + 8));
			TEST_REQUIRE(m.dst.actor == strads__get32(b + 20));
			TEST_REQUIRE(m.seq == strads__get32(b + 28));
			accepted++;
		} else if (v == V_SIZE || v == (V_SIZE | V_TRUNC)) {
			/* Too large is told apart from malformed. */
			TEST_REQUIRE(r == STRADS_EMSGSIZE);
			size_only++;
		} else {
			TEST_REQUIRE(
			    r == STRADS_EPROTO || r == STRADS_EMSGSIZE);
		}
		free(b);
	}
	/* The mix reaches both outcomes often. */
	ck_assert_int_gt(accepted, iters / 40);
	ck_assert_int_gt(size_only, iters / 200);
}
END_TEST

/* Encodes m with a payload of m->len zero bytes into an exact block. */
static uint8_t *
encode_one(const strads_msg_t *m, size_t *np)
{
	uint8_t *b;

	*np = HDR + m->len;
	b = malloc(*np);
	ck_assert_ptr_nonnull(b);
	strads__hdr_encode(m, b);
	memset(b + HDR, 0, m->len);
	return b;
}

static strads_msg_t
hdr_of(uint16_t type, uint16_t flags, uint32_t len)
{
	strads_msg_t m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.flags = flags;
	m.len = len;
	m.src.node = 1;
	m.dst.node = 2;
	return m;
}

/* decode and frame_check on m alone; both must answer want (the count
 * 1 standing for the decoded length when want is 0). */
static void
expect_one(strads_msg_t m, size_t max_payload, int64_t want)
{
	strads_msg_t out;
	uint8_t *b;
	size_t n;

	b = encode_one(&m, &n);
	if (want == 0) {
		ck_assert_int_eq(
		    strads__msg_decode(b, n, max_payload, &out), (int64_t)n);
		ck_assert_int_eq(strads__frame_check(b, n, max_payload), 1);
	} else {
		ck_assert_int_eq(
		    strads__msg_decode(b, n, max_payload, &out), want);
		ck_assert_int_eq(strads__frame_check(b, n, max_payload), want);
	}
	free(b);
}

START_TEST(size_limits)
{
	strads_msg_t m, out;
	uint8_t *b;
	size_t n;

	expect_one(hdr_of(STRADS_MSG_USER, 0, 16), 16, 0);
	expect_one(hdr_of(STRADS_MSG_USER, 0, 17), 16, STRADS_EMSGSIZE);
	expect_one(hdr_of(STRADS_MSG_USER, 0, 0), 0, 0);
	expect_one(hdr_of(STRADS_MSG_USER, 0, 1), 0, STRADS_EMSGSIZE);

	/* An oversized header is refused on sight, before its payload. */
	m = hdr_of(STRADS_MSG_USER, 0, 1000);
	b = malloc(HDR);
	ck_assert_ptr_nonnull(b);
	strads__hdr_encode(&m, b);
	ck_assert_int_eq(
	    strads__msg_decode(b, HDR, 999, &out), STRADS_EMSGSIZE);
	ck_assert_int_eq(strads__frame_check(b, HDR, 999), STRADS_EMSGSIZE);
	/* Within the limit but not all there: malformed. */
	ck_assert_int_eq(strads__msg_decode(b, HDR, 1000, &out), STRADS_EPROTO);
	free(b);

	/* The largest length field: no overflow in the bounds checks. */
	m = hdr_of(STRADS_MSG_USER, 0, UINT32_MAX);
	b = malloc(HDR);
	ck_assert_ptr_nonnull(b);
	strads__hdr_encode(&m, b);
	ck_assert_int_eq(
	    strads__msg_decode(b, HDR, BIG_PAYLOAD, &out), STRADS_EMSGSIZE);
	ck_assert_int_eq(
	    strads__msg_decode(b, HDR, SIZE_MAX, &out), STRADS_EPROTO);
	ck_assert_int_eq(strads__frame_check(b, HDR, SIZE_MAX), STRADS_EPROTO);
	free(b);

	/* An oversized message after a valid one fails the whole frame. */
	{
		strads_msg_t a = hdr_of(STRADS_MSG_USER, 0, 10);
		strads_msg_t z = hdr_of(STRADS_MSG_USER, 0, 30);

		n = 2 * HDR + 40;
		b = malloc(n);
		ck_assert_ptr_nonnull(b);
		memset(b, 0, n);
		strads__hdr_encode(&a, b);
		strads__hdr_encode(&z, b + HDR + 10);
		ck_assert_int_eq(strads__frame_check(b, n, 30), 2);
		ck_assert_int_eq(
		    strads__frame_check(b, n, 29), STRADS_EMSGSIZE);
		free(b);
	}
}
END_TEST

START_TEST(runtime_types)
{
	static const struct {
		uint16_t type;
		uint32_t len; /* a length valid for the type locally */
	} local[] = {
	    {STRADS_MSG_TIMER, 8},
	    {STRADS_MSG_COMPUTE, 16},
	    {STRADS_MSG_COMPUTE, 64},
	    {STRADS_MSG_WRITABLE, 8},
	    {STRADS__MSG_SPAWN, 16},
	};
	static const uint16_t unknown[] = {0, 6, 7, 100, 255};
	static const uint32_t bad_credit[] = {0, 1, 4, 7, 9, 16, 64};
	size_t i;

	/* Local-only types never come from a peer. */
	for (i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
		expect_one(hdr_of(local[i].type, 0, local[i].len), BIG_PAYLOAD,
		    STRADS_EPROTO);
		expect_one(
		    hdr_of(local[i].type, STRADS__MF_CREDITED, local[i].len),
		    BIG_PAYLOAD, STRADS_EPROTO);
	}
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		expect_one(
		    hdr_of(unknown[i], 0, 0), BIG_PAYLOAD, STRADS_EPROTO);
		expect_one(
		    hdr_of(unknown[i], 0, 8), BIG_PAYLOAD, STRADS_EPROTO);
	}
	/* CREDIT carries exactly 8 bytes. */
	expect_one(hdr_of(STRADS__MSG_CREDIT, 0, 8), BIG_PAYLOAD, 0);
	for (i = 0; i < sizeof(bad_credit) / sizeof(bad_credit[0]); i++)
		expect_one(hdr_of(STRADS__MSG_CREDIT, 0, bad_credit[i]),
		    BIG_PAYLOAD, STRADS_EPROTO);
	/* The first user type and the last one. */
	expect_one(hdr_of(STRADS_MSG_USER, 0, 0), BIG_PAYLOAD, 0);
	expect_one(hdr_of(0xffff, 0, 3), BIG_PAYLOAD, 0);

	/* A local type behind a valid message fails the frame. */
	{
		strads_msg_t a = hdr_of(STRADS_MSG_USER, 0, 4);
		strads_msg_t t = hdr_of(STRADS_MSG_TIMER, 0, 8);
		size_t n = 2 * HDR + 12;
		uint8_t *b = malloc(n);

		ck_assert_ptr_nonnull(b);
		memset(b, 0, n);
		strads__hdr_encode(&a, b);
		strads__hdr_encode(&t, b + HDR + 4);
		ck_assert_int_eq(
		    strads__frame_check(b, n, BIG_PAYLOAD), STRADS_EPROTO);
		free(b);
	}
}
END_TEST

START_TEST(flags)
{
	int bit;

	expect_one(hdr_of(STRADS_MSG_USER, 0, 4), BIG_PAYLOAD, 0);
	expect_one(
	    hdr_of(STRADS_MSG_USER, STRADS__MF_CREDITED, 4), BIG_PAYLOAD, 0);
	for (bit = 0; bit < 16; bit++) {
		uint16_t fl = (uint16_t)(1u << bit);

		if (fl & STRADS__MF_KNOWN)
			continue;
		expect_one(
		    hdr_of(STRADS_MSG_USER, fl, 4), BIG_PAYLOAD, STRADS_EPROTO);
		expect_one(hdr_of(STRADS_MSG_USER, fl | STRADS__MF_CREDITED, 4),
		    BIG_PAYLOAD, STRADS_EPROTO);
	}
	expect_one(
	    hdr_of(STRADS_MSG_USER, 0xffff, 4), BIG_PAYLOAD, STRADS_EPROTO);
}
END_TEST

/* One byte of the fixed prefix changed, check resealed: still refused. */
START_TEST(magic_version_check)
{
	static const struct {
		int off;
		uint8_t val;
	} edits[] = {
	    {0, 'S'}, {0, 0}, {1, 'T'}, {1, 0xff}, /* magic */
	    {2, 0}, {2, 2}, {2, 0xff},		   /* version */
	    {3, 1}, {3, 0x80},			   /* reserved */
	};
	strads_msg_t m = hdr_of(STRADS_MSG_USER, 0, 4), out;
	uint8_t *b;
	size_t n, i;
	int j;

	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		b = encode_one(&m, &n);
		b[edits[i].off] = edits[i].val;
		reseal(b);
		ck_assert_int_eq(
		    strads__msg_decode(b, n, BIG_PAYLOAD, &out), STRADS_EPROTO);
		ck_assert_int_eq(
		    strads__frame_check(b, n, BIG_PAYLOAD), STRADS_EPROTO);
		free(b);
	}
	/* Any single bit of the check field. */
	for (j = 0; j < 32; j++) {
		b = encode_one(&m, &n);
		b[36 + j / 8] ^= (uint8_t)(1u << (j % 8));
		ck_assert_int_eq(
		    strads__msg_decode(b, n, BIG_PAYLOAD, &out), STRADS_EPROTO);
		free(b);
	}
	/* The unedited header still passes after a reseal. */
	b = encode_one(&m, &n);
	reseal(b);
	ck_assert_int_eq(strads__frame_check(b, n, BIG_PAYLOAD), 1);
	free(b);
}
END_TEST

/* ------------------------------------------------------------------ */

START_TEST(error_strings)
{
	static const struct {
		int code;
		const char *name;
	} codes[] = {
#define ROW(name, code, s) {code, "STRADS_" #name},
	    STRADS_ERRNO_MAP(ROW)
#undef ROW
	};
	size_t i, j, n = sizeof(codes) / sizeof(codes[0]);
	const char *unknown = strads_strerror(-1000);

	ck_assert_uint_gt(n, 0);
	ck_assert_ptr_nonnull(unknown);
	ck_assert_int_gt(strlen(unknown), 0);
	ck_assert_ptr_nonnull(strads_errname(-1000));
	ck_assert_ptr_nonnull(strads_strerror(12345));
	ck_assert_str_eq(strads_errname(0), "STRADS_OK");
	for (i = 0; i < n; i++) {
		const char *s = strads_strerror(codes[i].code);
		const char *nm = strads_errname(codes[i].code);

		ck_assert_int_lt(codes[i].code, 0);
		ck_assert_ptr_nonnull(s);
		ck_assert_int_gt(strlen(s), 0);
		ck_assert_str_ne(s, unknown);
		ck_assert_str_ne(s, strads_strerror(0));
		ck_assert_ptr_nonnull(nm);
		ck_assert_str_eq(nm, codes[i].name);
		ck_assert_str_ne(nm, strads_errname(-1000));
		for (j = 0; j < i; j++) {
			ck_assert_int_ne(codes[i].code, codes[j].code);
			ck_assert_str_ne(s, strads_strerror(codes[j].code));
			ck_assert_str_ne(nm, strads_errname(codes[j].code));
		}
	}
}
END_TEST

static Suite *
codec_suite(void)
{
	Suite *s = suite_create("codec");
	TCase *tc = tcase_create("codec");
	TCase *te = tcase_create("errors");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, fnv_reference);
	tcase_add_test(tc, header_layout);
	tcase_add_test(tc, header_round_trip);
	tcase_add_test(tc, frame_counts);
	tcase_add_test(tc, frame_truncations);
	tcase_add_test(tc, frame_corruptions);
	tcase_add_test(tc, random_bytes);
	tcase_add_test(tc, decode_rules_fuzz);
	tcase_add_test(tc, size_limits);
	tcase_add_test(tc, runtime_types);
	tcase_add_test(tc, flags);
	tcase_add_test(tc, magic_version_check);
	suite_add_tcase(s, tc);

	tcase_add_test(te, error_strings);
	suite_add_tcase(s, te);
	return s;
}

STRADS_TEST_MAIN(codec_suite)
