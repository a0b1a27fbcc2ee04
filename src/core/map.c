/*
 * map.c -- the out-of-line parts of the hash map (map.h): growing,
 * clearing and freeing.
 */
#include "map.h"

#include <stdlib.h>

#include "strads-int.h"

void
strads__map_init(strads__map_t *m, size_t esize)
{
	memset(m, 0, sizeof(*m));
	m->esize = esize;
}

static void
free_entries(strads__map_t *m, const strads__map_type_t *t)
{
	uint8_t *e;

	if (t->free_cb == NULL)
		return;
	for (e = strads__map_next(m, t, NULL); e != NULL;
	    e = strads__map_next(m, t, e))
		t->free_cb(e);
}

void
strads__map_fini(strads__map_t *m, const strads__map_type_t *t)
{
	free_entries(m, t);
	strads__pages_free(m->ents, (size_t)m->cap * m->esize, m->mapped);
	free(m->zero);
	strads__map_init(m, m->esize);
}

void
strads__map_clear(strads__map_t *m, const strads__map_type_t *t)
{
	free_entries(m, t);
	if (m->ents != NULL)
		memset(m->ents, 0, (size_t)m->cap * m->esize);
	m->n = 0;
	m->has_zero = 0;
}

int
strads__map_reserve(strads__map_t *m, const strads__map_type_t *t,
    uint64_t n)
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

void *
strads__map_getzero(strads__map_t *m, const strads__map_type_t *t,
    const void *key)
{
	if (!m->has_zero) {
		if (m->zero == NULL && (m->zero = malloc(m->esize)) == NULL)
			return NULL;
		memset(m->zero, 0, m->esize);
		memcpy(m->zero, key, t->ksize);
		m->has_zero = 1;
	}
	return m->zero;
}
