/*
 * hmac.c -- SHA-256 (FIPS 180-4), HMAC-SHA256 (RFC 2104), constant-time
 * comparison, wiping and the system's secure random generator.
 *
 * Speed is not the point here: these hash handshake messages of a few
 * dozen bytes. The code favours being easy to check against the specs,
 * and wipes what it leaves on the stack.
 */
#include "strads-int.h"

#include "hmac.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* The random source, in order of preference: getrandom(2) (Linux,
 * FreeBSD 12+), arc4random_buf(3) (the BSDs, macOS), /dev/urandom. */
#if defined(HAVE_GETRANDOM) && defined(HAVE_SYS_RANDOM_H)
#define RANDOM_GETRANDOM 1
#include <sys/random.h>
#elif defined(HAVE_ARC4RANDOM_BUF)
#define RANDOM_ARC4 1
#endif

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

/* ------------------------------------------------------------------ */
/* SHA-256.                                                            */

/* The constant tables are laid out four to a line, the easier to check
 * against the spec. */
/* clang-format off */

/* FIPS 180-4 4.2.2: the first 32 bits of the fractional parts of the
 * cube roots of the first 64 primes. */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* FIPS 180-4 5.3.3: the first 32 bits of the fractional parts of the
 * square roots of the first 8 primes. */
static const uint32_t H0[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};
/* clang-format on */

/* FIPS 180-4 4.1.2 and 3.2. */
#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define CH(x, y, z) (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define BSIG0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Runs the compression function (FIPS 180-4 6.2.2) over nblocks whole
 * blocks at p. The message schedule holds message (for HMAC: key)
 * material, so it is wiped once at the end rather than left on the
 * stack. */
static void
compress(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	uint32_t w[64], s[8], t1, t2;
	int i;

	for (; nblocks > 0; nblocks--, p += STRADS__SHA256_BLOCK) {
		for (i = 0; i < 16; i++)
			w[i] = get_be32(p + 4 * i);
		for (i = 16; i < 64; i++)
			w[i] = SSIG1(w[i - 2]) + w[i - 7] + SSIG0(w[i - 15]) +
			       w[i - 16];
		memcpy(s, h, sizeof(s));
		for (i = 0; i < 64; i++) {
			/* s[0..7] are the working variables a..h. */
			t1 = s[7] + BSIG1(s[4]) + CH(s[4], s[5], s[6]) + K[i] +
			     w[i];
			t2 = BSIG0(s[0]) + MAJ(s[0], s[1], s[2]);
			s[7] = s[6];
			s[6] = s[5];
			s[5] = s[4];
			s[4] = s[3] + t1;
			s[3] = s[2];
			s[2] = s[1];
			s[1] = s[0];
			s[0] = t1 + t2;
		}
		for (i = 0; i < 8; i++)
			h[i] += s[i];
	}
	strads__wipe(w, sizeof(w));
	strads__wipe(s, sizeof(s));
}

void
strads__sha256_init(strads__sha256_t *c)
{
	memcpy(c->h, H0, sizeof(c->h));
	c->nbytes = 0;
	c->nbuf = 0;
	memset(c->buf, 0, sizeof(c->buf));
}

void
strads__sha256_update(strads__sha256_t *c, const void *p, size_t n)
{
	const uint8_t *in = p;
	size_t take, whole;

	STRADS__ASSERT(c->nbuf < STRADS__SHA256_BLOCK);
	if (n == 0)
		return; /* p may be NULL then */
	c->nbytes += n;
	/* Top up a partial block first. */
	if (c->nbuf > 0) {
		take = STRADS__SHA256_BLOCK - c->nbuf;
		if (take > n)
			take = n;
		memcpy(c->buf + c->nbuf, in, take);
		c->nbuf += take;
		in += take;
		n -= take;
		if (c->nbuf < STRADS__SHA256_BLOCK)
			return;
		compress(c->h, c->buf, 1);
		c->nbuf = 0;
	}
	/* Whole blocks straight from the input, then keep the tail. */
	whole = n / STRADS__SHA256_BLOCK;
	if (whole > 0) {
		compress(c->h, in, whole);
		in += whole * STRADS__SHA256_BLOCK;
		n -= whole * STRADS__SHA256_BLOCK;
	}
	if (n > 0) {
		memcpy(c->buf, in, n);
		c->nbuf = n;
	}
}

void
strads__sha256_final(strads__sha256_t *c, uint8_t out[32])
{
	uint64_t bits = c->nbytes * 8; /* the length is mod 2^64 bits */
	int i;

	/* FIPS 180-4 5.1.1: a 1 bit, zeros up to 56 mod 64 bytes, then the
	 * message length in bits as a big-endian 64-bit integer. */
	c->buf[c->nbuf++] = 0x80;
	if (c->nbuf > STRADS__SHA256_BLOCK - 8) {
		memset(c->buf + c->nbuf, 0, STRADS__SHA256_BLOCK - c->nbuf);
		compress(c->h, c->buf, 1);
		c->nbuf = 0;
	}
	memset(c->buf + c->nbuf, 0, STRADS__SHA256_BLOCK - 8 - c->nbuf);
	put_be32(c->buf + 56, (uint32_t)(bits >> 32));
	put_be32(c->buf + 60, (uint32_t)bits);
	compress(c->h, c->buf, 1);
	for (i = 0; i < 8; i++)
		put_be32(out + 4 * i, c->h[i]);
	strads__wipe(c, sizeof(*c));
}

/* ------------------------------------------------------------------ */
/* HMAC-SHA256 (RFC 2104): H(K ^ opad, H(K ^ ipad, text)).             */

void
strads__hmac_init(strads__hmac_t *h, const uint8_t *key, size_t klen)
{
	uint8_t k[STRADS__SHA256_BLOCK], pad[STRADS__SHA256_BLOCK];
	int i;

	/* K: the key zero-padded to a block, or its hash when longer. */
	memset(k, 0, sizeof(k));
	if (klen > STRADS__SHA256_BLOCK) {
		strads__sha256_init(&h->inner);
		strads__sha256_update(&h->inner, key, klen);
		strads__sha256_final(&h->inner, k);
	} else if (klen > 0) {
		memcpy(k, key, klen);
	}
	for (i = 0; i < STRADS__SHA256_BLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	strads__sha256_init(&h->inner);
	strads__sha256_update(&h->inner, pad, sizeof(pad));
	for (i = 0; i < STRADS__SHA256_BLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	strads__sha256_init(&h->outer);
	strads__sha256_update(&h->outer, pad, sizeof(pad));
	strads__wipe(k, sizeof(k));
	strads__wipe(pad, sizeof(pad));
}

void
strads__hmac_update(strads__hmac_t *h, const void *p, size_t n)
{
	strads__sha256_update(&h->inner, p, n);
}

void
strads__hmac_final(strads__hmac_t *h, uint8_t out[32])
{
	uint8_t ih[STRADS__SHA256_LEN];

	strads__sha256_final(&h->inner, ih);
	strads__sha256_update(&h->outer, ih, sizeof(ih));
	strads__sha256_final(&h->outer, out);
	strads__wipe(ih, sizeof(ih));
	strads__wipe(h, sizeof(*h));
}

void
strads__hmac_sha256(const uint8_t *key, size_t klen, const void *msg,
    size_t mlen, uint8_t out[32])
{
	strads__hmac_t h;

	strads__hmac_init(&h, key, klen);
	strads__hmac_update(&h, msg, mlen);
	strads__hmac_final(&h, out); /* wipes h */
}

/* ------------------------------------------------------------------ */
/* Helpers.                                                            */

int
strads__ct_equal(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;
	size_t i;

	/* Every byte is read whatever the earlier ones were (the volatile
	 * reads keep the compiler from stopping at the first difference),
	 * and the result is made without a data-dependent branch. */
	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return (int)(1 & (((unsigned)d - 1) >> 8));
}

#ifndef HAVE_EXPLICIT_BZERO
/* Calling memset through a volatile pointer: the compiler cannot know
 * it is memset, so cannot drop the store as dead. */
static void *(*const volatile wipe_memset)(void *, int, size_t) = memset;
#endif

void
strads__wipe(void *p, size_t n)
{
	if (n == 0)
		return;
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(p, n);
#else
	wipe_memset(p, 0, n);
#endif
}

#ifndef RANDOM_ARC4
/* Fills buf from /dev/urandom: the portable fallback. */
static int
urandom_bytes(uint8_t *buf, size_t n)
{
	struct stat st;
	ssize_t got;
	int fd;

	do
		fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return STRADS_EIO;
	/* Refuse anything but a character device (a file planted in a
	 * chroot would hand out predictable bytes). */
	if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode)) {
		close(fd);
		return STRADS_EIO;
	}
	while (n > 0) {
		got = read(fd, buf, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			close(fd);
			return STRADS_EIO;
		}
		buf += got;
		n -= (size_t)got;
	}
	close(fd);
	return 0;
}
#endif

int
strads__random_bytes(void *buf, size_t n)
{
	uint8_t *p = buf;
	int rc = 0;

#if defined(RANDOM_GETRANDOM)
	size_t left = n;
	ssize_t got;

	/* Blocks only until the kernel's pool is first seeded; requests
	 * over 256 bytes may come back short, hence the loop. */
	while (left > 0) {
		got = getrandom(p, left, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == ENOSYS) {
			/* A libc newer than the kernel. */
			rc = urandom_bytes(p, left);
			break;
		}
		if (got <= 0) {
			rc = STRADS_EIO;
			break;
		}
		p += got;
		left -= (size_t)got;
	}
#elif defined(RANDOM_ARC4)
	/* Cannot fail, on every system that has it. */
	arc4random_buf(p, n);
#else
	rc = urandom_bytes(p, n);
#endif
	if (rc != 0)
		strads__wipe(buf, n);
	return rc;
}
