/*
 * large.c -- strads_large_alloc(): large zeroed buffers for apps' arrays
 * (one value a parameter or a row), backed by huge pages where the
 * system has them.
 *
 * An app's per-parameter arrays are hundreds of kilobytes to megabytes,
 * and a heap block of that size is a fresh mapping of 4 KiB pages: the
 * first sweep over it takes a page fault a page (about 12 us each in
 * this project's VMs), in a job's first check and again in every job of
 * a path of penalties, which allocates them afresh. So from
 * LARGE_MIN up a buffer is its own mapping, rounded up to whole 2 MiB
 * pages and started on a 2 MiB boundary, with transparent huge pages
 * asked for: one fault and a 2 MiB zeroing (tens of microseconds) per
 * 2 MiB instead of 512 faults. The rounding wastes at most 2 MiB a
 * buffer, which is why small buffers stay on the heap.
 *
 * Each buffer starts with a header of LARGE_HDR bytes saying how it was
 * made, so strads_large_free needs only the pointer.
 */
#include "strads-int.h"

#include <stdlib.h>
#include <sys/mman.h>

#define LARGE_PAGE ((size_t)2 << 20)
#define LARGE_MIN ((size_t)256 << 10)
#define LARGE_HDR ((size_t)64)

/* The header: the mapping's length, or 0 for a heap block. */
typedef struct {
	size_t mapped;
} large_hdr_t;

/* A mapping of len bytes (a multiple of LARGE_PAGE) on a LARGE_PAGE
 * boundary with huge pages asked for, or NULL. */
static void *
map_aligned(size_t len)
{
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
	uint8_t *a, *p = mmap(NULL, len + LARGE_PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* Keep the aligned part: a huge page needs a whole aligned 2 MiB
	 * of the mapping. */
	a = (uint8_t *)(((uintptr_t)p + LARGE_PAGE - 1) &
	    ~(uintptr_t)(LARGE_PAGE - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (a + len < p + len + LARGE_PAGE)
		munmap(a + len, (size_t)(p + len + LARGE_PAGE - (a + len)));
	/* A hint: where it is refused the pages are small. */
	(void)madvise(a, len, MADV_HUGEPAGE);
	return a; /* zero-filled */
#else
	(void)len;
	return NULL;
#endif
}

void *
strads_large_alloc(size_t bytes)
{
	large_hdr_t *h = NULL;

	if (bytes > SIZE_MAX - LARGE_HDR - 2 * LARGE_PAGE)
		return NULL;
	if (bytes + LARGE_HDR >= LARGE_MIN) {
		size_t len =
		    (bytes + LARGE_HDR + LARGE_PAGE - 1) & ~(LARGE_PAGE - 1);

		if ((h = map_aligned(len)) != NULL)
			h->mapped = len;
	}
	if (h == NULL) {
		/* Small, or no mapping to be had: the heap. */
		if ((h = calloc(1, bytes + LARGE_HDR)) == NULL)
			return NULL;
		h->mapped = 0;
	}
	return (uint8_t *)h + LARGE_HDR;
}

void
strads_large_free(void *p)
{
	large_hdr_t *h;

	if (p == NULL)
		return;
	h = (large_hdr_t *)((uint8_t *)p - LARGE_HDR);
	if (h->mapped != 0)
		munmap(h, h->mapped);
	else
		free(h);
}
