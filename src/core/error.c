/* error.c -- the library's one error space. */
#include "strads-int.h"

#include <stdio.h>
#include <stdlib.h>

const char *
strads_strerror(int err)
{
	switch (err) {
	case STRADS_OK:
		return "success";
#define STRADS__ERR_STR(name, code, s)                                      \
	case STRADS_##name:                                                 \
		return s;
		STRADS_ERRNO_MAP(STRADS__ERR_STR)
#undef STRADS__ERR_STR
	default:
		return "unknown error";
	}
}

const char *
strads_errname(int err)
{
	switch (err) {
	case STRADS_OK:
		return "STRADS_OK";
#define STRADS__ERR_NAME(name, code, s)                                     \
	case STRADS_##name:                                                 \
		return "STRADS_" #name;
		STRADS_ERRNO_MAP(STRADS__ERR_NAME)
#undef STRADS__ERR_NAME
	default:
		return "STRADS_EUNKNOWN";
	}
}

int
strads__uv_error(int uv_err)
{
	switch (uv_err) {
	case 0:
		return 0;
	case UV_ENOMEM:
		return STRADS_ENOMEM;
	case UV_EMFILE:
	case UV_ENFILE:
	case UV_EAGAIN:
		return STRADS_ELIMIT;
	default:
		return STRADS_EIO;
	}
}

void
strads__panic(const char *file, int line, const char *what)
{
	fprintf(stderr, "strads: %s:%d: assertion failed: %s\n", file, line, what);
	abort();
}
