/*
 * map.h -- the library's one hash map: open addressing with linear
 * probing over entries stored inline (the key, then the value), so a
 * lookup touches one cache line. What a key is (its size, its hash, how
 * two compare) and what an entry owns are said by a const type
 * descriptor, as Redis's dictType does.
 *
 * Every call takes the descriptor as an argument instead of reading it
 * from the map: the lookups are static inline, so with a constant
 * descriptor the compiler folds the key size and inlines the hash and
 * the compare, and each map compiles to what a hand-written one would.
 *
 * Layout. cap is any number of slots (not a power of two): a key's home
 * slot is hash x cap / 2^64, the top bits of its hash. That is monotonic
 * in the hash, so keys taken in hash order visit the array in address
 * order (the table shards' bulk paths rely on it), and an array can be
 * sized to what it will hold (load 3/4) instead of to the next power of
 * two. A slot whose key bytes are all zero is free; the all-zero key
 * itself, when used, lives in one entry beside the array.
 *
 * No deletion: a map is cleared as a whole. Entries move when the map
 * grows, so a pointer to an entry is good until the next insert that
 * may grow it (strads__map_get, strads__map_reserve). Not thread-safe:
 * each map belongs to one thread at a time.
 */
#ifndef STRADS_MAP_H
#define STRADS_MAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "strads.h"

typedef struct strads__map_type_s {
	/* Bytes of key at the start of each entry. Keys of 4, 8 and 16
	 * bytes are compared and tested in registers. */
	size_t ksize;
	/* 64 well-mixed bits of a key (the home slot is taken from the top
	 * bits). Called on the map owner's thread; must not block. */
	uint64_t (*hash)(const void *key);
	/* Whether two keys are equal; NULL: byte for byte over ksize. */
	int (*eq)(const void *a, const void *b);
	/* Frees what one entry owns (not the entry itself), on clear and
	 * fini; NULL: entries own nothing. */
	void (*free_cb)(void *entry);
} strads__map_type_t;

typedef struct strads__map_s {
	uint8_t *ents; /* cap entries of esize bytes, owned (pages) */
	uint64_t cap;  /* slots, or 0 before the first insert */
	uint64_t n;    /* keys in ents (the zero key not counted) */
	size_t esize;  /* bytes per entry: the key, then the value */
	int mapped;    /* how ents was allocated (strads__pages_alloc) */
	int has_zero;  /* the all-zero key is in the map */
	uint8_t *zero; /* the all-zero key's entry (esize bytes), owned */
} strads__map_t;

/* An empty map of esize-byte entries (esize >= the type's ksize). */
void strads__map_init(strads__map_t *m, size_t esize);
/* Frees every entry (free_cb) and the arrays; the map is then empty and
 * may be used again. */
void strads__map_fini(strads__map_t *m, const strads__map_type_t *t);
/* Frees every entry (free_cb) and empties the map, keeping its array. */
void strads__map_clear(strads__map_t *m, const strads__map_type_t *t);
/* The keys in the map, the zero key included. */
static inline uint64_t
strads__map_count(const strads__map_t *m)
{
	return m->n + (uint64_t)m->has_zero;
}

/* Whether one more key would make the map grow (and move its entries). */
static inline int
strads__map_full(const strads__map_t *m)
{
	return (m->n + 1) * 4 > m->cap * 3;
}

static inline int
strads__map_keyzero(const strads__map_type_t *t, const void *k)
{
	uint64_t a, b;
	uint32_t w;
	size_t i;

	switch (t->ksize) {
	case 4:
		memcpy(&w, k, 4);
		return w == 0;
	case 8:
		memcpy(&a, k, 8);
		return a == 0;
	case 16:
		memcpy(&a, k, 8);
		memcpy(&b, (const uint8_t *)k + 8, 8);
		return (a | b) == 0;
	default:
		for (i = 0; i < t->ksize; i++)
			if (((const uint8_t *)k)[i] != 0)
				return 0;
		return 1;
	}
}

static inline int
strads__map_keyeq(const strads__map_type_t *t, const void *x, const void *y)
{
	uint64_t a, b, c, d;
	uint32_t v, w;

	if (t->eq != NULL)
		return t->eq(x, y);
	switch (t->ksize) {
	case 4:
		memcpy(&v, x, 4);
		memcpy(&w, y, 4);
		return v == w;
	case 8:
		memcpy(&a, x, 8);
		memcpy(&b, y, 8);
		return a == b;
	case 16:
		memcpy(&a, x, 8);
		memcpy(&b, y, 8);
		memcpy(&c, (const uint8_t *)x + 8, 8);
		memcpy(&d, (const uint8_t *)y + 8, 8);
		return ((a ^ b) | (c ^ d)) == 0;
	default:
		return memcmp(x, y, t->ksize) == 0;
	}
}

/* The home slot of a hash among cap: monotonic in the hash. */
static inline uint64_t
strads__map_slot(uint64_t hash, uint64_t cap)
{
#ifdef __SIZEOF_INT128__
	return (uint64_t)(((__uint128_t)hash * cap) >> 64);
#else
	return (uint64_t)(((hash >> 32) * cap) >> 32); /* cap < 2^32 */
#endif
}

/* The home entry of a hash; the map must have slots (cap > 0). */
static inline uint8_t *
strads__map_home(const strads__map_t *m, uint64_t hash)
{
	return m->ents + (size_t)strads__map_slot(hash, m->cap) * m->esize;
}

/* The entry of key whose hash is h, or NULL. */
static inline void *
strads__map_findh(const strads__map_t *m, const strads__map_type_t *t,
    const void *key, uint64_t h)
{
	uint8_t *e, *end;

	if (strads__map_keyzero(t, key))
		return m->has_zero ? m->zero : NULL;
	if (m->cap == 0)
		return NULL;
	end = m->ents + (size_t)m->cap * m->esize;
	for (e = strads__map_home(m, h);;) {
		if (strads__map_keyeq(t, e, key))
			return e;
		if (strads__map_keyzero(t, e))
			return NULL;
		if ((e += m->esize) == end)
			e = m->ents;
	}
}

/* The entry of key, or NULL. */
static inline void *
strads__map_find(
    const strads__map_t *m, const strads__map_type_t *t, const void *key)
{
	return strads__map_findh(m, t, key, t->hash(key));
}

/* Big arrays (util.c): declared here too, for the inline growth. */
void *strads__pages_alloc(size_t bytes, int *mapped);
void strads__pages_free(void *p, size_t bytes, int mapped);

/* Room for n keys in all without growing: the array is sized to n (a
 * load of 3/4 at n), since fresh memory is what a big insert pays most
 * for. 0 or STRADS_ENOMEM (the map is unchanged). Inline like the
 * lookups, so a big insert's rehash runs with the key size and the hash
 * known too. */
static inline int
strads__map_reserve(strads__map_t *m, const strads__map_type_t *t, uint64_t n)
{
	size_t esize = m->esize;
	uint64_t cap = n + n / 3 + 1;
	uint8_t *ents, *e, *end;
	int mapped;

	if (n * 4 <= m->cap * 3)
		return 0;
	if (cap < 16)
		cap = 16;
	if (cap > SIZE_MAX / esize ||
	    (ents = strads__pages_alloc((size_t)cap * esize, &mapped)) == NULL)
		return STRADS_ENOMEM;
	/* Old home order is new home order: the writes move forward. */
	end = m->cap != 0 ? m->ents + (size_t)m->cap * esize : NULL;
	for (e = m->ents; e != end; e += esize) {
		uint64_t j;

		if (strads__map_keyzero(t, e))
			continue;
		j = strads__map_slot(t->hash(e), cap);
		while (!strads__map_keyzero(t, ents + j * esize))
			if (++j == cap)
				j = 0;
		memcpy(ents + j * esize, e, esize);
	}
	strads__pages_free(m->ents, (size_t)m->cap * esize, m->mapped);
	m->ents = ents;
	m->cap = cap;
	m->mapped = mapped;
	return 0;
}

/* Out of line: the zero key's entry, made when absent (may allocate). */
void *strads__map_getzero(
    strads__map_t *m, const strads__map_type_t *t, const void *key);

/* The entry of key whose hash is h, made when absent (the key copied in,
 * the value zeroed); NULL when out of memory. May grow the map. */
static inline void *
strads__map_geth(
    strads__map_t *m, const strads__map_type_t *t, const void *key, uint64_t h)
{
	uint8_t *e, *end;

	if (strads__map_keyzero(t, key))
		return strads__map_getzero(m, t, key);
	/* One at a time the array doubles (a bulk insert reserves first):
	 * room for 3/2 cap keys is an array of 2 cap. */
	if (strads__map_full(m) &&
	    strads__map_reserve(m, t, m->cap != 0 ? m->cap * 3 / 2 : 1) != 0)
		return NULL;
	end = m->ents + (size_t)m->cap * m->esize;
	for (e = strads__map_home(m, h);;) {
		if (strads__map_keyeq(t, e, key))
			return e;
		if (strads__map_keyzero(t, e)) {
			memcpy(e, key, t->ksize);
			m->n++;
			return e;
		}
		if ((e += m->esize) == end)
			e = m->ents;
	}
}

static inline void *
strads__map_get(strads__map_t *m, const strads__map_type_t *t, const void *key)
{
	return strads__map_geth(m, t, key, t->hash(key));
}

/* The entry after prev (NULL: the first), in slot order after the zero
 * key's; NULL after the last. For whole-map passes, not hot paths. */
static inline void *
strads__map_next(
    const strads__map_t *m, const strads__map_type_t *t, const void *prev)
{
	const uint8_t *e, *end;

	if (prev == NULL && m->has_zero)
		return m->zero;
	if (m->cap == 0)
		return NULL;
	end = m->ents + (size_t)m->cap * m->esize;
	e = prev == NULL || prev == m->zero ? m->ents
					    : (const uint8_t *)prev + m->esize;
	for (; e < end; e += m->esize)
		if (!strads__map_keyzero(t, e))
			return (void *)e;
	return NULL;
}

#endif
