/*
 * layout.c -- how a cluster job's row shards and parameter partitions
 * follow the membership: the next layout is computed from the last one
 * so that as little as possible moves (doc/cluster.md, "Laying a job
 * out again").
 *
 * A layout is a list of spans, one per owner (a worker slot, keyed by
 * node and slot number; or a store, keyed by node), that cover
 * [0, total) exactly once, in order. From one layout to the next:
 *  - an owner still there keeps its span (and maybe grows);
 *  - the rows of owners gone go to the kept spans on either side of
 *    them, split so that the two come out as even as they can;
 *  - each new owner takes the upper half of the largest span.
 * Only the rows of owners gone, and the halves new owners take, change
 * hands. Everything is a function of the last layout and the new owner
 * list, so every run of the same history lays out the same way.
 */
#include "cluster.h"

#include <stdlib.h>
#include <string.h>

static int
same(const strads__span_t *a, const strads__span_t *b)
{
	return a->node == b->node && a->slot == b->slot;
}

static void
even(const strads__span_t *keys, int m, uint64_t total, strads__span_t *out)
{
	int i;

	for (i = 0; i < m; i++) {
		out[i] = keys[i];
		out[i].begin = total * (uint64_t)i / (uint64_t)m;
		out[i].end = total * (uint64_t)(i + 1) / (uint64_t)m;
	}
}

int
strads__reassign(const strads__span_t *prev, int nprev, uint64_t prev_total,
    const strads__span_t *keys, int m, uint64_t total, strads__span_t *out)
{
	int i, j, n = 0, kept = 0;
	uint64_t rb = 0, re = 0;
	int pending = 0;

	if (m <= 0 || total < (uint64_t)m)
		return -1;
	for (i = 0; prev != NULL && i < nprev && prev_total == total; i++)
		for (j = 0; j < m; j++)
			if (same(&prev[i], &keys[j]))
				kept++;
	if (kept == 0) {
		even(keys, m, total, out);
		return 0;
	}
	/* The kept spans in order, each given the orphan run before it
	 * (split with the kept span before that), the last run to the
	 * last kept span. prev is in row order. */
	for (i = 0; i < nprev; i++) {
		int own = 0;

		for (j = 0; j < m && !own; j++)
			own = same(&prev[i], &keys[j]);
		if (!own) {
			if (!pending)
				rb = prev[i].begin;
			re = prev[i].end;
			pending = 1;
			continue;
		}
		out[n] = prev[i];
		if (pending) {
			if (n > 0) {
				strads__span_t *l = &out[n - 1];
				uint64_t sl = l->end - l->begin, sr = out[n].end - out[n].begin;
				/* left + (x - rb) = right + (re - x) */
				int64_t x = ((int64_t)(rb + re) + (int64_t)sr - (int64_t)sl) / 2;

				if (x < (int64_t)rb)
					x = (int64_t)rb;
				if (x > (int64_t)re)
					x = (int64_t)re;
				l->end = (uint64_t)x;
				out[n].begin = (uint64_t)x;
			} else {
				out[n].begin = rb;
			}
			pending = 0;
		}
		n++;
	}
	if (pending)
		out[n - 1].end = re;
	/* New owners, in key order: the upper half of the largest span
	 * (the first of the largest). n < m <= total, so it has >= 2. */
	for (j = 0; j < m; j++) {
		int at = 0, old = 0;
		uint64_t mid;

		for (i = 0; i < nprev && !old; i++)
			old = same(&prev[i], &keys[j]);
		if (old)
			continue;
		for (i = 1; i < n; i++)
			if (out[i].end - out[i].begin > out[at].end - out[at].begin)
				at = i;
		if (out[at].end - out[at].begin < 2)
			return -1;
		mid = out[at].begin + (out[at].end - out[at].begin) / 2;
		memmove(&out[at + 2], &out[at + 1], (size_t)(n - at - 1) * sizeof(*out));
		out[at + 1] = keys[j];
		out[at + 1].begin = mid;
		out[at + 1].end = out[at].end;
		out[at].end = mid;
		n++;
	}
	return n == m ? 0 : -1;
}
