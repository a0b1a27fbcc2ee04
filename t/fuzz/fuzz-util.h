/*
 * fuzz-util.h -- what the libFuzzer targets under t/fuzz/ share: the
 * input as a file (the loaders, the model reader and the config reader
 * read paths), in memory, never on disk.
 */
#ifndef STRADS_FUZZ_UTIL_H
#define STRADS_FUZZ_UTIL_H

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* The input as a memory file: its path (/proc/self/fd/N) into path and
 * its descriptor (close it after); -1 when it cannot be made (then the
 * input is skipped). */
static inline int
fuzz_file(const uint8_t *data, size_t size, char *path, size_t len)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < size) {
		ssize_t k = write(fd, data + off, size - off);

		if (k <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)k;
	}
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

#endif /* STRADS_FUZZ_UTIL_H */
