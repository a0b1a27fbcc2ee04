/*
 * hmac.h -- SHA-256, HMAC-SHA256 and the cluster secret (internal).
 *
 * Cluster authentication is a challenge-response on a shared secret:
 * each side proves it knows the secret by returning an HMAC of the
 * other's random challenge, so the secret itself never crosses the wire.
 * This header holds the pieces that needs: the hash (FIPS 180-4), the
 * MAC (RFC 2104), a constant-time comparison for checking a MAC, a
 * cryptographically secure random source for the challenges, and the
 * loading of the secret from a file or the environment.
 *
 * Every function that holds key material on the stack or in a context
 * wipes it before returning; a context that was finalized is wiped too
 * and must be initialized again before reuse.
 */
#ifndef STRADS_HMAC_H
#define STRADS_HMAC_H

#include <stddef.h>
#include <stdint.h>

#define STRADS__SHA256_LEN 32	/* digest (and HMAC) length in bytes */
#define STRADS__SHA256_BLOCK 64 /* compression block length in bytes */

/* The largest secret strads__secret_load() accepts, in bytes. */
#define STRADS__SECRET_MAX 4096

/* ------------------------------------------------------------------ */
/* SHA-256 (FIPS 180-4), incremental.                                  */

typedef struct strads__sha256_s {
	uint32_t h[8];			   /* chaining value */
	uint64_t nbytes;		   /* message length so far */
	uint8_t buf[STRADS__SHA256_BLOCK]; /* partial block */
	size_t nbuf;			   /* bytes used in buf */
} strads__sha256_t;

void strads__sha256_init(strads__sha256_t *c);
void strads__sha256_update(strads__sha256_t *c, const void *p, size_t n);
/* Writes the digest and wipes c. */
void strads__sha256_final(strads__sha256_t *c, uint8_t out[32]);

/* ------------------------------------------------------------------ */
/* HMAC-SHA256 (RFC 2104), incremental and one-shot.                   */

typedef struct strads__hmac_s {
	strads__sha256_t inner; /* has absorbed key ^ ipad */
	strads__sha256_t outer; /* has absorbed key ^ opad */
} strads__hmac_t;

/* Any key length is allowed (0 too); keys longer than a block are
 * hashed first, as RFC 2104 says. The context holds key-derived state
 * until strads__hmac_final() wipes it. */
void strads__hmac_init(strads__hmac_t *h, const uint8_t *key, size_t klen);
void strads__hmac_update(strads__hmac_t *h, const void *p, size_t n);
/* Writes the MAC and wipes h. */
void strads__hmac_final(strads__hmac_t *h, uint8_t out[32]);
void strads__hmac_sha256(const uint8_t *key, size_t klen, const void *msg,
    size_t mlen, uint8_t out[32]);

/* ------------------------------------------------------------------ */
/* Helpers.                                                            */

/* 1 if a[0..n) equals b[0..n), else 0, in time that depends on n only
 * (never on where the first difference is). 1 when n is 0. */
int strads__ct_equal(const void *a, const void *b, size_t n);

/* Zeroes p[0..n) in a way the compiler may not remove as a dead store. */
void strads__wipe(void *p, size_t n);

/* Fills buf[0..n) from the operating system's cryptographically secure
 * generator: 0, or STRADS_EIO if it failed (buf is then wiped). */
int strads__random_bytes(void *buf, size_t n);

/* ------------------------------------------------------------------ */
/* The cluster secret (secret.c).                                      */

/* Loads the cluster secret. If file is not NULL the secret is the whole
 * file with one trailing "\n" or "\r\n" stripped; the file must not be
 * larger than STRADS__SECRET_MAX bytes, nor empty once stripped. A file
 * readable or writable by group or others is loaded with a warning
 * logged. Otherwise, if envvar is not NULL and names a set, non-empty
 * environment variable, the secret is its value (used as is, at most
 * STRADS__SECRET_MAX bytes).
 *
 * On success returns 0, *out owns a malloc'd copy of the secret (not
 * NUL-terminated) and *len is its length (> 0); free it with
 * strads__secret_free(). On failure returns a negative code
 * (STRADS_ENOENT: no such file, or neither source given; STRADS_EIO:
 * unreadable; STRADS_EFORMAT: empty; STRADS_ELIMIT: too large;
 * STRADS_ENOMEM; STRADS_EINVAL: out or len NULL), sets *out to NULL
 * and *len to 0, and writes into err (when not NULL) a message naming
 * the file or variable, never the secret. */
int strads__secret_load(const char *file, const char *envvar, uint8_t **out,
    size_t *len, char *err, size_t errlen);
/* Wipes s[0..len) and frees s. NULL is fine. */
void strads__secret_free(uint8_t *s, size_t len);

#endif /* STRADS_HMAC_H */
