/*
 * rng.h -- the apps' random numbers: xoroshiro128+, seeded through
 * splitmix64, one stream per (seed, stream) pair (a worker, a document,
 * a split). Inline: samplers draw one a token.
 */
#ifndef STRADS_APPS_RNG_H
#define STRADS_APPS_RNG_H

#include <math.h>
#include <stdint.h>

typedef struct app_rng_s {
	uint64_t s[2];
} app_rng_t;

static inline uint64_t
app_rng_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void
app_rng_seed(app_rng_t *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);

	r->s[0] = app_rng_splitmix(&x);
	r->s[1] = app_rng_splitmix(&x);
	if (r->s[0] == 0 && r->s[1] == 0)
		r->s[1] = 1;
}

static inline uint64_t
app_rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
app_rng_next(app_rng_t *r)
{
	uint64_t s0 = r->s[0], s1 = r->s[1], out = s0 + s1;

	s1 ^= s0;
	r->s[0] = app_rng_rotl(s0, 24) ^ s1 ^ (s1 << 16);
	r->s[1] = app_rng_rotl(s1, 37);
	return out;
}

/* Uniform in [0, 1), 53 bits. */
static inline double
app_rng_unif(app_rng_t *r)
{
	return (double)(app_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Standard normal (Box-Muller, one of the pair). */
static inline double
app_rng_normal(app_rng_t *r)
{
	double u = app_rng_unif(r), v = app_rng_unif(r);

	return sqrt(-2 * log(u > 0 ? u : 0x1.0p-53)) * cos(2 * M_PI * v);
}

#endif
