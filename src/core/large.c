/*
 * large.c -- strads_large_alloc(): the public face of the runtime's big
 * allocations (util.c), for apps' p-sized and n-sized arrays.
 *
 * An app's per-parameter arrays on a problem of a million columns are
 * megabytes each, and a malloc of that size is a fresh mapping of 4 KiB
 * pages: the first sweep over it takes a page fault a page (about 12 us
 * each in this project's VMs), so a job's first check cost about twice
 * its later ones. From 2 MiB up these buffers are mapped from a 2 MiB
 * boundary with transparent huge pages asked for (madvise), which cuts
 * the faults by 512 where the system grants them; below that, or where
 * it has no such pages, they are plain zeroed heap memory.
 */
#include "strads-int.h"

void *
strads_large_alloc(size_t bytes)
{
	return strads__big_alloc(bytes);
}

void
strads_large_free(void *p)
{
	strads__big_free(p);
}
