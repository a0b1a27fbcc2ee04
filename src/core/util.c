/* util.c -- logging, clock, machine facts and big allocations. */
#include "strads-int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

/* The level is process-wide on purpose: it configures stderr, which is. */
static atomic_int log_level = -1;

static int
level_from_env(void)
{
	const char *s = getenv("STRADS_LOG");

	if (s == NULL)
		return STRADS_LOG_WARN;
	if (strcasecmp(s, "error") == 0)
		return STRADS_LOG_ERROR;
	if (strcasecmp(s, "info") == 0)
		return STRADS_LOG_INFO;
	if (strcasecmp(s, "debug") == 0)
		return STRADS_LOG_DEBUG;
	return STRADS_LOG_WARN;
}

void
strads_log_set_level(int level)
{
	atomic_store(&log_level, level);
}

void
strads_log(int level, const char *fmt, ...)
{
	static const char *names[] = {"error", "warn", "info", "debug"};
	int cur = atomic_load(&log_level);
	char line[1024];
	va_list ap;

	if (cur < 0) {
		cur = level_from_env();
		atomic_store(&log_level, cur);
	}
	if (level > cur || level < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write per line so lines from several threads do not mix. */
	fprintf(stderr, "strads: %s: %s\n", names[level], line);
}

int
strads_ncores(void)
{
	unsigned n = uv_available_parallelism();

	return n < 1 ? 1 : (int)n;
}

uint64_t
strads_now_ns(void)
{
	return uv_hrtime();
}

int
strads__errf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* ------------------------------------------------------------------ */
/* Big allocations.                                                     */

#define HUGE_PAGE (2u << 20)

void *
strads__pages_alloc(size_t bytes, int *mapped)
{
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
	if (bytes >= HUGE_PAGE && bytes <= SIZE_MAX - HUGE_PAGE) {
		size_t len = (bytes + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
		uint8_t *p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *a;

		if (p != MAP_FAILED) {
			/* Keep the 2 MiB-aligned part: huge pages need it. */
			a = (uint8_t *)(((uintptr_t)p + HUGE_PAGE - 1) &
			    ~(uintptr_t)(HUGE_PAGE - 1));
			if (a > p)
				munmap(p, (size_t)(a - p));
			if (a + len < p + len + HUGE_PAGE)
				munmap(a + len, (size_t)(p + len + HUGE_PAGE - (a + len)));
			(void)madvise(a, len, MADV_HUGEPAGE); /* a hint */
			*mapped = 1;
			return a; /* zero-filled */
		}
	}
#endif
	*mapped = 0;
	return calloc(1, bytes ? bytes : 1);
}

void
strads__pages_free(void *p, size_t bytes, int mapped)
{
	if (p == NULL)
		return;
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
	if (mapped) {
		munmap(p, (bytes + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1));
		return;
	}
#endif
	(void)bytes;
	(void)mapped;
	free(p);
}

/* A big buffer that knows its own size: a header of BIG_HDR bytes before
 * what the caller gets (so huge-page alignment is kept but for the
 * header's first 64 bytes). */
#define BIG_HDR 64

void *
strads__big_alloc(size_t bytes)
{
	uint8_t *p;
	int mapped;

	if (bytes > SIZE_MAX - BIG_HDR ||
	    (p = strads__pages_alloc(bytes + BIG_HDR, &mapped)) == NULL)
		return NULL;
	((size_t *)p)[0] = bytes + BIG_HDR;
	((size_t *)p)[1] = (size_t)mapped;
	return p + BIG_HDR;
}

void
strads__big_free(void *q)
{
	uint8_t *p;

	if (q == NULL)
		return;
	p = (uint8_t *)q - BIG_HDR;
	strads__pages_free(p, ((size_t *)p)[0], (int)((size_t *)p)[1]);
}
