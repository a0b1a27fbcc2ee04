/*
 * files.c -- a table's checkpoint files, one a shard (format in
 * table.h): writing a partition atomically, and reading one back with
 * its header, checksum and keys checked against the table.
 */
#include "table.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Checkpoint files (format in table.h).                                */

#define FNV64_INIT 0xcbf29ce484222325ull

static uint64_t
fnv64(uint64_t h, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static size_t
pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static void
file_path(char *out, size_t len, const char *dir, const char *name, int shard)
{
	snprintf(out, len, "%s/table-%s-%d.bin", dir, name, shard);
}

/* A writer that checksums what it writes. */
typedef struct {
	FILE *f;
	uint64_t h;
} fw_t;

static void
fw(fw_t *w, const void *p, size_t n)
{
	w->h = fnv64(w->h, p, n);
	(void)fwrite(p, 1, n, w->f);
}

static void
fw_header(fw_t *w, const strads_table_t *t, int shard, const uint64_t *clk,
    uint64_t nent)
{
	uint8_t h[56], pad[8] = {0};
	size_t nl = strlen(t->name);
	uint32_t i;

	memset(h, 0, sizeof(h));
	memcpy(h, TBL_FILE_MAGIC, 8);
	strads__put32(h + 8, TBL_FILE_VERSION);
	strads__put32(h + 12, (uint32_t)t->kind);
	strads__put32(h + 16, t->width);
	strads__put32(h + 20, (uint32_t)shard);
	strads__put32(h + 24, (uint32_t)t->nshards);
	strads__put32(h + 28, t->nclients);
	strads__put64(h + 32, t->nrows);
	strads__put64(h + 40, nent);
	strads__put32(h + 48, (uint32_t)nl);
	strads__put32(h + 52, t->vsize == 4 ? 1u : 0u);
	fw(w, h, sizeof(h));
	fw(w, t->name, nl);
	fw(w, pad, pad8(nl) - nl);
	for (i = 0; i < t->nclients; i++) {
		uint8_t b[8];

		strads__put64(b, clk[i]);
		fw(w, b, 8);
	}
}

/* What strads__table_file_write() puts in the file. */
typedef struct {
	const strads_table_t *t;
	int shard;
	const uint64_t *clk;
	uint64_t nent;
	const uint64_t *keys;
	const double *rows;
} tfile_t;

static int
tfile_write(FILE *f, void *arg)
{
	const tfile_t *x = arg;
	const strads_table_t *t = x->t;
	uint8_t b[8];
	uint64_t i;
	fw_t w;

	w.f = f;
	w.h = FNV64_INIT;
	fw_header(&w, t, x->shard, x->clk, x->nent);
	for (i = 0; i < x->nent; i++) {
		strads__put64(b, x->keys[i]);
		fw(&w, b, 8);
		fw(&w, x->rows + i * t->width, (size_t)t->width * sizeof(double));
	}
	strads__put64(b, w.h);
	return fwrite(b, 1, 8, w.f) != 8;
}

int
strads__table_file_write(const strads_table_t *t, const char *dir, int shard,
    const uint64_t *clk, uint64_t nent, const uint64_t *keys,
    const double *rows, char *err, size_t errlen)
{
	char path[TBL_MAX_DIR + 128];
	tfile_t x = {t, shard, clk, nent, keys, rows};

	file_path(path, sizeof(path), dir, t->name, shard);
	return strads_file_write_atomic(path, 0600, tfile_write, &x, err, errlen);
}

static int
slurp(const char *path, uint8_t **out, size_t *len, char *err, size_t errlen)
{
	struct stat sb;
	uint8_t *p;
	size_t got = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return strads__errf(err, errlen, errno == ENOENT ? STRADS_ENOENT : STRADS_EIO,
		    "%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return strads__errf(err, errlen, STRADS_EIO, "%s: not a regular file", path);
	}
	p = malloc(sb.st_size > 0 ? (size_t)sb.st_size : 1);
	if (p == NULL) {
		close(fd);
		return strads__errf(err, errlen, STRADS_ENOMEM, "%s: out of memory", path);
	}
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, p + got, (size_t)sb.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(p);
			close(fd);
			return strads__errf(err, errlen, STRADS_EIO, "%s: read: %s", path,
			    r < 0 ? strerror(errno) : "file shrank");
		}
		got += (size_t)r;
	}
	close(fd);
	*out = p;
	*len = got;
	return 0;
}

/* Checks the header against the table; fills the layout it implies. */
static int
file_header(const strads_table_t *t, const char *path, int i, const uint8_t *p,
    size_t len, uint64_t *nent, size_t *ent_off, char *err, size_t errlen)
{
	uint32_t nclients, namelen;
	uint64_t rowb = 8 + (uint64_t)t->width * 8, n;
	size_t off;

	if (len < 56 || memcmp(p, TBL_FILE_MAGIC, 8) != 0)
		return strads__errf(err, errlen, STRADS_EFORMAT, "%s: %s", path,
		    len < 56 ? "truncated (no header)" :
			       "not a strads table checkpoint (bad magic)");
	if (strads__get32(p + 8) != TBL_FILE_VERSION)
		return strads__errf(err, errlen, STRADS_EFORMAT, "%s: unsupported version %u",
		    path, strads__get32(p + 8));
	nclients = strads__get32(p + 28);
	namelen = strads__get32(p + 48);
	n = strads__get64(p + 40);
	if (namelen > 64 || nclients > (1u << 20) || n > (len / rowb) + 1)
		return strads__errf(err, errlen, STRADS_EFORMAT, "%s: corrupt header", path);
	off = 56 + pad8(namelen) + (size_t)nclients * 8;
	if ((uint64_t)len != off + n * rowb + 8)
		return strads__errf(err, errlen, STRADS_EFORMAT,
		    "%s: truncated or corrupt: %zu bytes, header says %llu", path,
		    len, (unsigned long long)(off + n * rowb + 8));
	if (strads__get64(p + len - 8) != fnv64(FNV64_INIT, p, len - 8))
		return strads__errf(err, errlen, STRADS_EFORMAT, "%s: checksum mismatch "
		    "(corrupt file)", path);
	if (strads__get32(p + 12) != (uint32_t)t->kind ||
	    strads__get32(p + 16) != t->width ||
	    strads__get32(p + 20) != (uint32_t)i ||
	    strads__get32(p + 24) != (uint32_t)t->nshards ||
	    strads__get64(p + 32) != t->nrows || namelen != strlen(t->name) ||
	    memcmp(p + 56, t->name, namelen) != 0 ||
	    strads__get32(p + 52) != (t->vsize == 4 ? 1u : 0u))
		return strads__errf(err, errlen, STRADS_EFORMAT, "%s: written for another "
		    "table layout (name, kind, width, nrows, shard, nshards or "
		    "value type differ)", path);
	*nent = n;
	*ent_off = off;
	return 0;
}

/* Checks that the keys belong to shard i (every row, in order, when
 * dense). */
static int
file_keys(const strads_table_t *t, const char *path, int i,
    strads__tshard_init_t *in, char *err, size_t errlen)
{
	uint64_t b, e, k;

	if (t->kind == STRADS_TABLE_DENSE) {
		strads__table_range(t, i, &b, &e);
		if (in->nent != e - b)
			return strads__errf(err, errlen, STRADS_EFORMAT,
			    "%s: %llu rows, the shard has %llu", path,
			    (unsigned long long)in->nent,
			    (unsigned long long)(e - b));
		for (k = 0; k < in->nent; k++)
			if (in->keys[k] != b + k)
				return strads__errf(err, errlen, STRADS_EFORMAT,
				    "%s: row %llu has key %llu", path,
				    (unsigned long long)k,
				    (unsigned long long)in->keys[k]);
		return 0;
	}
	for (k = 0; k < in->nent; k++)
		if (strads__table_shard_of(t, in->keys[k]) != i)
			return strads__errf(err, errlen, STRADS_EFORMAT,
			    "%s: key %llu belongs to another shard", path,
			    (unsigned long long)in->keys[k]);
	return 0;
}

int
strads__table_file_read(const strads_table_t *t, const char *dir, int i,
    strads__tshard_init_t *in, char *err, size_t errlen)
{
	char path[TBL_MAX_DIR + 128];
	uint8_t *p = NULL;
	size_t len = 0, off = 0;
	uint64_t n = 0, k;
	int rc;

	if (strlen(dir) > TBL_MAX_DIR)
		return strads__errf(err, errlen, STRADS_EINVAL, "%s: path too long", dir);
	file_path(path, sizeof(path), dir, t->name, i);
	if ((rc = slurp(path, &p, &len, err, errlen)) != 0)
		return rc;
	if ((rc = file_header(t, path, i, p, len, &n, &off, err, errlen)) != 0) {
		free(p);
		return rc;
	}
	in->nent = n;
	in->keys = malloc((size_t)(n ? n : 1) * sizeof(uint64_t));
	in->rows = malloc((size_t)(n ? n : 1) * t->width * sizeof(double));
	if (in->keys == NULL || in->rows == NULL) {
		free(p);
		return strads__errf(err, errlen, STRADS_ENOMEM, "%s: out of memory", path);
	}
	for (k = 0; k < n; k++) {
		const uint8_t *e = p + off + k * (8 + (size_t)t->width * 8);

		in->keys[k] = strads__get64(e);
		tbl_getf(in->rows + k * t->width, e + 8, t->width);
	}
	free(p);
	return file_keys(t, path, i, in, err, errlen);
}
