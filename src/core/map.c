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

void *
strads__map_getzero(
    strads__map_t *m, const strads__map_type_t *t, const void *key)
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
