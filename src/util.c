/* util.c -- logging, clock and machine facts. */
#include "strads-int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
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
