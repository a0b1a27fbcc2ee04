/*
 * data.c -- what the apps' data loaders share (loader.h): the line
 * reader, numbers, the CSR builder, the matrix and its CSC copy,
 * response files, and data_load, which picks the loader by format. The
 * loaders are one file per format: data-libsvm.c (with the writer),
 * data-mm.c, data-csv.c.
 *
 * Files are read in large blocks; each line is NUL-terminated in place
 * in the block and parsed there, so numbers go through a fast exact
 * decimal path (strtod for anything else) without copies. Arrays grow
 * geometrically; nothing is allocated per entry.
 */
#include "config.h"

#include "loader.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strads.h"

#define LR_BLOCK ((size_t)4 << 20) /* bytes read at a time */

/* Writes the message into err and returns -1. */
int
data_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A short printable copy of s for a message: up to the first blank
 * when stop_at_blank, else the whole string; long ones end in "...". */
const char *
data__quote_tok(char *buf, size_t size, const char *s, int stop_at_blank)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 4 < size && i < TOKMAX; i++) {
		if (stop_at_blank && ISBLANK(s[i]))
			break;
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	}
	if (s[i] != '\0' && !(stop_at_blank && ISBLANK(s[i]))) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* 1 when the whole of s is one finite number. */
int
data__whole_num(char *s, double *v)
{
	char *e = parse_num(s, v);

	return e != NULL && *e == '\0' && isfinite(*v);
}

int
data__too_many_features(char *err, size_t errlen, const char *path, uint64_t line,
    const char *cause, uint64_t implied, uint64_t maxf, const data_opts_t *opts)
{
	uint32_t per = opts != NULL && opts->feature_bytes > 0 ? opts->feature_bytes : 8;

	return data_errf(err, errlen,
	    "%s:%llu: %s implies %llu features, past the limit of %llu (at "
	    "about %u bytes a feature, the run would take %.1f GiB of memory); "
	    "pass --max-features %llu if the data really has that many",
	    path, (ull)line, cause, (ull)implied, (ull)maxf, per,
	    (double)implied * per / (1 << 30), (ull)implied);
}

/* ------------------------------------------------------------------ */
/* Lines                                                              */

/* The program's load progress display (data_set_progress), or NULL. */
static data_progress_cb load_progress;

void
data_set_progress(data_progress_cb cb)
{
	load_progress = cb;
}

void
data_progress(const char *path, uint64_t done, uint64_t size, uint64_t *next_ns)
{
	uint64_t now;

	if (load_progress == NULL)
		return;
	now = strads_now_ns();
	if (*next_ns == 0) {
		/* A second in, so small files show nothing; the test hook
		 * STRADS_TEST_LOAD_NOTE_MS sets the wait and the interval. */
		const char *t = getenv("STRADS_TEST_LOAD_NOTE_MS");

		*next_ns = now + (t != NULL ? strtoull(t, NULL, 10) * 1000000u : 1000000000u);
		return;
	}
	if (now < *next_ns)
		return;
	*next_ns = now + (getenv("STRADS_TEST_LOAD_NOTE_MS") != NULL ? 0 : 250000000u);
	load_progress(path, done, size);
}

int
data__lr_open(lreader_t *r, const char *path, char *err, size_t errlen)
{
	struct stat st;

	memset(r, 0, sizeof(*r));
	r->path = path;
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	data_progress(path, 0, 0, &r->note_ns); /* starts its clock */
	if (r->fd < 0)
		return data_errf(
		    err, errlen, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(r->fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			close(r->fd);
			r->fd = -1;
			return data_errf(err, errlen, "%s: is a directory", path);
		}
		if (S_ISREG(st.st_mode))
			r->size = (uint64_t)st.st_size;
	}
#ifdef POSIX_FADV_SEQUENTIAL
	(void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	/* + 2: the spare byte for a last line's NUL, and room for the
	 * read that sees the end of a file read whole */
	r->cap = (r->size > 0 && r->size < LR_BLOCK ? r->size : LR_BLOCK) + 2;
	r->buf = malloc(r->cap);
	if (r->buf == NULL) {
		close(r->fd);
		r->fd = -1;
		return data_errf(err, errlen, "%s: out of memory", path);
	}
	return 0;
}

int
data__lr_open_run(lreader_t *r, const char *path, uint64_t start, uint64_t len,
    int show, char *err, size_t errlen)
{
	uint64_t whole;

	if (data__lr_open(r, path, err, errlen) != 0)
		return -1;
	whole = r->size;
	if (lseek(r->fd, (off_t)start, SEEK_SET) < 0) {
		int e = errno;

		r->note_ns = 0;
		data__lr_close(r);
		return data_errf(err, errlen, "%s: seek: %s", path, strerror(e));
	}
	r->limit = len;
	r->size = len;
	if (show)
		r->whole = whole;
	else
		r->note_ns = 0; /* one run shows progress; the others none */
	return 0;
}

void
data__lr_close(lreader_t *r)
{
	/* The file is read (or refused): the progress display ends before
	 * the loader says so. */
	if (load_progress != NULL && r->note_ns != 0)
		load_progress(NULL, r->done, r->size);
	r->note_ns = 0;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	free(r->buf);
	r->buf = NULL;
}

/*
 * 1: *line is the next line, NUL-terminated in place, without its "\n"
 * or "\r\n", valid until the next call; 0: end of file; -1: error.
 */
int
data__lr_next(lreader_t *r, char **line, size_t *len, char *err, size_t errlen)
{
	for (;;) {
		char *s = r->buf + r->pos;
		size_t avail = r->len - r->pos, l, want;
		char *nl = memchr(s, '\n', avail);
		ssize_t k;

		if (nl == NULL && !r->eof) {
			if (r->pos > 0) {
				memmove(r->buf, s, avail);
				r->len = avail;
				r->pos = 0;
			}
			if (r->len + 1 >= r->cap) {
				size_t nc = r->cap < LR_BLOCK / 2
						? LR_BLOCK + 1
						: (r->cap - 1) * 2 + 1;
				char *nb = realloc(r->buf, nc);

				if (nb == NULL)
					return data_errf(err, errlen,
					    "%s:%llu: out of memory", r->path,
					    (ull)r->lineno + 1);
				r->buf = nb;
				r->cap = nc;
			}
			want = r->cap - 1 - r->len;
			if (r->limit > 0 && want > r->limit - r->done)
				want = (size_t)(r->limit - r->done);
			k = want > 0 ? read(r->fd, r->buf + r->len, want) : 0;
			if (k < 0) {
				if (errno == EINTR)
					continue;
				return data_errf(err, errlen, "%s:%llu: read: %s",
				    r->path, (ull)r->lineno + 1,
				    strerror(errno));
			}
			if (k == 0)
				r->eof = 1;
			r->len += (size_t)k;
			r->done += (uint64_t)k;
			if (r->limit == 0)
				data_progress(r->path, r->done, r->size, &r->note_ns);
			else if (r->whole > 0)
				data_progress(r->path,
				    (uint64_t)((double)r->done / (double)r->limit * (double)r->whole),
				    r->whole, &r->note_ns);
			continue;
		}
		if (nl == NULL) {
			if (avail == 0)
				return 0;
			nl = s + avail; /* the spare byte at buf[len] */
			r->pos = r->len;
			r->cut_line = r->lineno + 1;
		} else {
			r->pos = (size_t)(nl - r->buf) + 1;
		}
		*nl = '\0';
		l = (size_t)(nl - s);
		if (l > 0 && s[l - 1] == '\r')
			s[--l] = '\0';
		r->lineno++;
		if (memchr(s, '\0', l) != NULL)
			return data_errf(err, errlen,
			    "%s:%llu: expected text, found a NUL byte "
			    "(a binary or compressed file?)",
			    r->path, (ull)r->lineno);
		*line = s;
		*len = l;
		return 1;
	}
}

/* ------------------------------------------------------------------ */
/* Building a CSR matrix row by row                                   */

int
data__grow_array(void **p, size_t need, size_t elsize)
{
	void *q;

	if (need > SIZE_MAX / elsize)
		return -1;
	q = realloc(*p, need * elsize);
	if (q == NULL)
		return -1;
	*p = q;
	return 0;
}

int
data__b_init(builder_t *b, int with_y, size_t nz_hint)
{
	memset(b, 0, sizeof(*b));
	b->with_y = with_y;
	b->rowcap = 1024;
	b->nzcap = nz_hint > 1024 ? nz_hint : 1024;
	b->m.rowptr = malloc(b->rowcap * sizeof(uint64_t));
	b->m.col = malloc(b->nzcap * sizeof(uint32_t));
	b->m.val = malloc(b->nzcap * sizeof(double));
	if (with_y)
		b->m.y = malloc(b->rowcap * sizeof(double));
	if (b->m.rowptr == NULL || b->m.col == NULL || b->m.val == NULL ||
	    (with_y && b->m.y == NULL))
		return -1;
	b->m.rowptr[0] = 0;
	return 0;
}

int
data__b_grow_nz(builder_t *b, size_t need)
{
	size_t c = b->nzcap;

	while (c < need)
		c = c < SIZE_MAX / 2 ? c * 2 : SIZE_MAX;
	if (data__grow_array((void **)&b->m.col, c, sizeof(uint32_t)) != 0 ||
	    data__grow_array((void **)&b->m.val, c, sizeof(double)) != 0)
		return -1;
	b->nzcap = c;
	return 0;
}

/* Ends the row whose entries were pushed since the last call. -1 when
 * out of memory or rows (2^32 - 1 at most). */
int
data__b_end_row(builder_t *b, double y)
{
	if (b->m.n == UINT32_MAX - 1)
		return -1;
	if ((size_t)b->m.n + 2 > b->rowcap) {
		size_t c = b->rowcap * 2;

		if (data__grow_array((void **)&b->m.rowptr, c, sizeof(uint64_t)) != 0)
			return -1;
		if (b->with_y &&
		    data__grow_array((void **)&b->m.y, c, sizeof(double)) != 0)
			return -1;
		b->rowcap = c;
	}
	if (b->with_y)
		b->m.y[b->m.n] = y;
	b->m.n++;
	b->m.rowptr[b->m.n] = b->m.nnz;
	return 0;
}

/* Forgets the entries pushed since the last row ended. */
void
data__b_drop_row(builder_t *b)
{
	b->m.nnz = b->m.rowptr[b->m.n];
}

/* Hands the matrix to out, trimming the arrays to size. */
void
data__b_finish(builder_t *b, data_matrix_t *out)
{
	size_t nz = b->m.nnz > 0 ? (size_t)b->m.nnz : 1;

	(void)data__grow_array((void **)&b->m.col, nz, sizeof(uint32_t));
	(void)data__grow_array((void **)&b->m.val, nz, sizeof(double));
	(void)data__grow_array(
	    (void **)&b->m.rowptr, (size_t)b->m.n + 1, sizeof(uint64_t));
	if (b->with_y && b->m.n > 0)
		(void)data__grow_array((void **)&b->m.y, b->m.n, sizeof(double));
	*out = b->m;
	memset(&b->m, 0, sizeof(b->m));
}

void
data_opts_init(data_opts_t *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->index_base = 1;
}

void
data_matrix_free(data_matrix_t *m)
{
	uint32_t j;

	if (m == NULL)
		return;
	if (m->colnames != NULL)
		for (j = 0; j < m->p; j++)
			free(m->colnames[j]);
	free(m->colnames);
	free(m->target_name);
	free(m->rowptr);
	free(m->col);
	free(m->val);
	free(m->y);
	memset(m, 0, sizeof(*m));
}

void
data_csc_free(data_csc_t *c)
{
	if (c == NULL)
		return;
	strads_large_free(c->colptr);
	strads_large_free(c->row);
	strads_large_free(c->val);
	memset(c, 0, sizeof(*c));
}

int
data_csc(const data_matrix_t *m, data_csc_t *out)
{
	size_t nz = m->nnz > 0 ? (size_t)m->nnz : 1;
	uint64_t *next = NULL, k;
	uint32_t i, j;

	memset(out, 0, sizeof(*out));
	out->n = m->n;
	out->p = m->p;
	out->nnz = m->nnz;
	/* In huge pages where the system has them (strads_large_alloc):
	 * a page fault each 4 KiB of a copy written once was a tenth of a
	 * small logistic fit's CPU time (w8a, 580k non-zeros). */
	out->colptr = strads_large_alloc(((size_t)m->p + 1) * sizeof(uint64_t));
	out->row = strads_large_alloc(nz * sizeof(uint32_t));
	out->val = strads_large_alloc(nz * sizeof(double));
	next = malloc(((size_t)m->p + 1) * sizeof(uint64_t));
	if (out->colptr == NULL || out->row == NULL || out->val == NULL ||
	    next == NULL)
		goto nomem;
	for (k = 0; k < m->nnz; k++) {
		if (m->col[k] >= m->p)
			goto nomem;
		out->colptr[m->col[k] + 1]++;
	}
	for (j = 0; j < m->p; j++)
		out->colptr[j + 1] += out->colptr[j];
	memcpy(next, out->colptr, ((size_t)m->p + 1) * sizeof(uint64_t));
	for (i = 0; i < m->n; i++) {
		for (k = m->rowptr[i]; k < m->rowptr[i + 1]; k++) {
			uint64_t d = next[m->col[k]]++;

			out->row[d] = i;
			out->val[d] = m->val[k];
		}
	}
	free(next);
	return 0;
nomem:
	free(next);
	data_csc_free(out);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Response files                                                     */

int
data_load_response(const char *path, data_matrix_t *m, char *err, size_t errlen)
{
	lreader_t r;
	double *y, v;
	uint64_t cnt = 0;
	char *line, *p, *e, t[64];
	size_t len;
	int rc;

	y = malloc((m->n > 0 ? m->n : 1) * sizeof(double));
	if (y == NULL)
		return data_errf(err, errlen, "%s: out of memory", path);
	if (data__lr_open(&r, path, err, errlen) != 0) {
		free(y);
		return -1;
	}
	while ((rc = data__lr_next(&r, &line, &len, err, errlen)) == 1) {
		p = line;
		while (ISBLANK(*p))
			p++;
		if (*p == '\0')
			continue;
		e = parse_num(p, &v);
		if (e != NULL)
			while (ISBLANK(*e))
				e++;
		if (e == NULL || *e != '\0' || !isfinite(v)) {
			rc = data_errf(err, errlen,
			    "%s:%llu: expected one finite number, found '%s'",
			    path, (ull)r.lineno, data__quote_tok(t, sizeof(t), p, 0));
			break;
		}
		if (cnt == m->n) {
			rc = data_errf(err, errlen,
			    "%s:%llu: expected %llu responses (one per row), "
			    "found more",
			    path, (ull)r.lineno, (ull)m->n);
			break;
		}
		y[cnt++] = v;
	}
	if (rc == 0 && cnt < m->n)
		rc = data_errf(err, errlen,
		    "%s:%llu: expected %llu responses (one per row), found "
		    "%llu",
		    path, (ull)r.lineno, (ull)m->n, (ull)cnt);
	data__lr_close(&r);
	if (rc != 0) {
		free(y);
		return -1;
	}
	free(m->y);
	m->y = y;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Dispatch and output                                                */

/* The loader a format name or a file name's extension picks: 'l'
 * LIBSVM, 'm' MatrixMarket, 'c' CSV, 't' TSV; 0 when none. */
static char
format_kind(const char *format, const char *path)
{
	static const struct {
		const char *ext;
		char kind;
	} exts[] = {{"svm", 'l'}, {"libsvm", 'l'}, {"txt", 'l'}, {"t", 'l'},
	    {"mtx", 'm'}, {"mm", 'm'}, {"csv", 'c'}, {"tsv", 't'},
	    {"data", 'c'}};
	const char *slash, *dot;
	char kind = 0;
	size_t i;

	if (format != NULL) {
		if (strcasecmp(format, "libsvm") == 0 ||
		    strcasecmp(format, "svmlight") == 0)
			return 'l';
		if (strcasecmp(format, "mm") == 0 ||
		    strcasecmp(format, "mtx") == 0 ||
		    strcasecmp(format, "matrixmarket") == 0)
			return 'm';
		if (strcasecmp(format, "csv") == 0)
			return 'c';
		if (strcasecmp(format, "tsv") == 0)
			return 't';
		return 0;
	}
	slash = strrchr(path, '/');
	dot = strrchr(slash != NULL ? slash + 1 : path, '.');
	for (i = 0; dot != NULL && i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcasecmp(dot + 1, exts[i].ext) == 0)
			kind = exts[i].kind;
	return kind;
}

static const char *
kind_name(char kind)
{
	return kind == 'l' ? "libsvm" : kind == 'm' ? "mm" : kind == 0 ? NULL : "csv";
}

const char *
data_format_of(const char *path)
{
	return kind_name(format_kind(NULL, path));
}

int
data_load(const char *path, const char *format, const data_opts_t *opts,
    data_matrix_t *out, char *err, size_t errlen)
{
	data_opts_t local;
	char kind;
	int rc;

	memset(out, 0, sizeof(*out));
	kind = format_kind(format, path);
	if (kind == 0 && format != NULL)
		return data_errf(err, errlen,
		    "%s: unknown format '%.*s'; expected libsvm, mm or csv",
		    path, TOKMAX, format);
	if (kind == 0)
		return data_errf(err, errlen,
		    "%s: cannot tell the format from the file name; pass "
		    "--format libsvm|mm|csv",
		    path);
	if (kind == 't') {
		if (opts == NULL)
			data_opts_init(&local);
		else
			local = *opts;
		if (local.delim == 0)
			local.delim = '\t';
		rc = data_load_csv(path, &local, out, err, errlen);
	} else if (kind == 'l') {
		rc = data_load_libsvm(path, opts, out, err, errlen);
	} else if (kind == 'm') {
		rc = data_load_mm(path, opts, out, err, errlen);
	} else {
		rc = data_load_csv(path, opts, out, err, errlen);
	}
	if (rc == 0)
		out->format = kind_name(kind);
	return rc;
}
