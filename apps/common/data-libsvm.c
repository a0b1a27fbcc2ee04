/*
 * data-libsvm.c -- the LIBSVM format: its loader (data_load_libsvm) and
 * its writer (data_write_libsvm). What the loaders share is data.c.
 */
#include "config.h"

#include "loader.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strads.h"

/* ------------------------------------------------------------------ */
/* LIBSVM                                                             */

#define ENDTOK(c) ((c) == '\0' || ISBLANK(c) || (c) == '#')

/* Parses one line into b; blank and comment-only lines add no row. */
static int
libsvm_line(lreader_t *r, char *s, uint64_t base, uint64_t maxf,
    const data_opts_t *opts, builder_t *b, uint64_t *maxcol, char *err, size_t errlen)
{
	char *p = s, *e, t[64];
	double y, v;
	uint64_t idx, prev = UINT64_MAX;
	ull ln = (ull)r->lineno;

	while (ISBLANK(*p))
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	e = parse_num(p, &y);
	if (e == NULL || !ENDTOK(*e) || !isfinite(y))
		return data_errf(err, errlen,
		    "%s:%llu: expected a label (a finite number), found "
		    "'%s'%s",
		    r->path, ln, data__quote_tok(t, sizeof(t), p, 1),
		    e != NULL && *e == ':'
			? " (every line starts with its label)"
			: "");
	p = e;
	for (;;) {
		while (ISBLANK(*p))
			p++;
		if (*p == '\0' || *p == '#')
			break;
		e = parse_index(p, &idx);
		if (e == NULL || *e != ':') {
			if (strncmp(p, "qid:", 4) == 0)
				return data_errf(err, errlen,
				    "%s:%llu: found '%s': qid: (ranking "
				    "query ids) are not supported; expected "
				    "index:value",
				    r->path, ln, data__quote_tok(t, sizeof(t), p, 1));
			return data_errf(err, errlen,
			    "%s:%llu: expected index:value, found '%s'",
			    r->path, ln, data__quote_tok(t, sizeof(t), p, 1));
		}
		if (idx < base)
			return data_errf(err, errlen,
			    "%s:%llu: index 0 in 1-based data (LIBSVM "
			    "indices start at 1; pass --index-base 0 if "
			    "this file's start at 0)",
			    r->path, ln);
		if (idx == UINT64_MAX || idx - base >= UINT32_MAX)
			return data_errf(err, errlen,
			    "%s:%llu: index '%s' is too large (at most %llu)",
			    r->path, ln, data__quote_tok(t, sizeof(t), p, 1),
			    (ull)UINT32_MAX - 1 + base);
		idx -= base;
		if (idx >= maxf) {
			snprintf(t, sizeof(t), "index %llu", (ull)(idx + base));
			return data__too_many_features(err, errlen, r->path, ln, t,
			    idx + 1, maxf, opts);
		}
		if (prev != UINT64_MAX && idx <= prev)
			return data_errf(err, errlen,
			    "%s:%llu: index %llu after %llu: expected "
			    "increasing indices within a line",
			    r->path, ln, (ull)(idx + base), (ull)(prev + base));
		p = e + 1;
		e = parse_num(p, &v);
		if (e == NULL || !ENDTOK(*e) || !isfinite(v))
			return data_errf(err, errlen,
			    "%s:%llu: expected a finite number after '%llu:', "
			    "found '%s'",
			    r->path, ln, (ull)(idx + base),
			    data__quote_tok(t, sizeof(t), p, 1));
		if (b_push(b, (uint32_t)idx, v) != 0)
			goto oom;
		prev = idx;
		p = e;
	}
	if (prev != UINT64_MAX && (*maxcol == UINT64_MAX || prev > *maxcol))
		*maxcol = prev;
	if (data__b_end_row(b, y) != 0)
		goto oom;
	return 0;
oom:
	return data_errf(err, errlen, "%s:%llu: out of memory (or too many rows)",
	    r->path, ln);
}

/*
 * A file of LIBSVM_RUN_MIN bytes a core or more is parsed by one thread
 * a core (at most LIBSVM_RUNS), each a run of whole lines into its own
 * builder, joined in order: the same matrix as one thread's, bit for
 * bit. A run that fails (bad input, out of memory) sends the whole file
 * to the one-thread parse, which finds the first fault in the file's
 * order and names its line. The test hooks STRADS_TEST_LIBSVM_RUN_BYTES
 * and STRADS_TEST_LIBSVM_RUNS set the smallest run and the runs.
 */
#define LIBSVM_RUN_MIN ((uint64_t)8 << 20)
#define LIBSVM_RUNS 16

/* The runs of the last parse by runs (a test's evidence that it ran). */
int data__libsvm_last_runs;

typedef struct {
	const char *path;
	const data_opts_t *opts;
	uint64_t start, len; /* whole lines of the file */
	int show;            /* the run that shows load progress */
	builder_t b;         /* owned; its matrix moves to the result */
	uint64_t maxcol;     /* UINT64_MAX: none */
	uint64_t lines;      /* lines read */
	uint64_t cut_line;   /* its last line had no newline (the file's) */
	int rc;              /* 0, or -1: the run failed */
} libsvm_run_t;

static void *
libsvm_run(void *arg)
{
	libsvm_run_t *u = arg;
	char err[256], *line;
	lreader_t r;
	size_t len;
	int rc;

	u->rc = -1;
	u->maxcol = UINT64_MAX;
	if (data__lr_open_run(&r, u->path, u->start, u->len, u->show, err, sizeof(err)) != 0)
		return NULL;
	/* a9a-like files hold about one entry per 4-5 bytes */
	if (data__b_init(&u->b, 1, (size_t)(u->len / 6)) != 0) {
		data__lr_close(&r);
		return NULL;
	}
	while ((rc = data__lr_next(&r, &line, &len, err, sizeof(err))) == 1)
		if (libsvm_line(&r, line, (uint64_t)u->opts->index_base,
			u->opts->max_features ? u->opts->max_features : DATA_MAX_FEATURES,
			u->opts, &u->b, &u->maxcol, err, sizeof(err)) != 0)
			break;
	u->lines = r.lineno;
	u->cut_line = r.cut_line;
	data__lr_close(&r);
	if (rc == 0)
		u->rc = 0;
	return NULL;
}

/* Where the line holding byte at starts: the byte after the first
 * newline at or after at - 1; size when there is none. */
static uint64_t
line_start(int fd, uint64_t at, uint64_t size)
{
	char buf[4096];
	uint64_t pos = at - 1;

	while (pos < size) {
		ssize_t k = pread(fd, buf, sizeof(buf), (off_t)pos);
		char *nl;

		if (k <= 0)
			return size;
		if ((nl = memchr(buf, '\n', (size_t)k)) != NULL)
			return pos + (uint64_t)(nl - buf) + 1;
		pos += (uint64_t)k;
	}
	return size;
}

/* Joins the runs' matrices into out, in order; -1 (out untouched, the
 * runs' builders freed) when the rows or memory run out. */
static int
libsvm_join(libsvm_run_t *u, int nruns, data_matrix_t *out)
{
	builder_t *b = &u[0].b;
	uint64_t nnz = 0, rows = 0, lines = 0, maxcol = UINT64_MAX;
	int k;

	for (k = 0; k < nruns; k++) {
		nnz += u[k].b.m.nnz;
		rows += u[k].b.m.n;
		if (u[k].maxcol != UINT64_MAX && (maxcol == UINT64_MAX || u[k].maxcol > maxcol))
			maxcol = u[k].maxcol;
	}
	if (rows == 0 || rows >= UINT32_MAX - 1 ||
	    data__grow_array((void **)&b->m.col, (size_t)nnz, sizeof(uint32_t)) != 0 ||
	    data__grow_array((void **)&b->m.val, (size_t)nnz, sizeof(double)) != 0 ||
	    data__grow_array((void **)&b->m.rowptr, (size_t)rows + 1, sizeof(uint64_t)) != 0 ||
	    data__grow_array((void **)&b->m.y, (size_t)rows, sizeof(double)) != 0)
		return -1;
	b->nzcap = (size_t)nnz;
	b->rowcap = (size_t)rows + 1;
	for (k = 1; k < nruns; k++) {
		const data_matrix_t *m = &u[k].b.m;
		uint32_t i;

		memcpy(b->m.col + b->m.nnz, m->col, m->nnz * sizeof(uint32_t));
		memcpy(b->m.val + b->m.nnz, m->val, m->nnz * sizeof(double));
		memcpy(b->m.y + b->m.n, m->y, m->n * sizeof(double));
		for (i = 1; i <= m->n; i++)
			b->m.rowptr[b->m.n + i] = b->m.nnz + m->rowptr[i];
		b->m.n += m->n;
		b->m.nnz += m->nnz;
		data_matrix_free(&u[k].b.m);
	}
	for (k = 0; k + 1 < nruns; k++)
		lines += u[k].lines;
	b->m.p = maxcol == UINT64_MAX ? 0 : (uint32_t)(maxcol + 1);
	data__b_finish(b, out);
	out->unterminated = u[nruns - 1].cut_line ? lines + u[nruns - 1].cut_line : 0;
	return 0;
}

/* The parse by runs: 0 with out filled, or -1 (nothing to free) when
 * the file is too small for it or a run failed. */
static int
libsvm_parallel(const char *path, const data_opts_t *opts, data_matrix_t *out)
{
	libsvm_run_t u[LIBSVM_RUNS];
	pthread_t tid[LIBSVM_RUNS];
	int started[LIBSVM_RUNS];
	const char *h = getenv("STRADS_TEST_LIBSVM_RUN_BYTES");
	uint64_t run_min = h != NULL ? strtoull(h, NULL, 10) : LIBSVM_RUN_MIN, size, at;
	struct stat st;
	int nruns, n, k, fd, rc = 0;

	h = getenv("STRADS_TEST_LIBSVM_RUNS");
	nruns = h != NULL ? atoi(h) : strads_ncores();
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	size = (uint64_t)st.st_size;
	if (run_min < 1)
		run_min = 1;
	if (nruns > LIBSVM_RUNS)
		nruns = LIBSVM_RUNS;
	while (nruns > 1 && size / (uint64_t)nruns < run_min)
		nruns--;
	if (nruns < 2) {
		close(fd);
		return -1;
	}
	/* Runs of whole lines: each cut moves on to the next line's start;
	 * one inside the run before it (a long line) is dropped. */
	memset(u, 0, sizeof(u));
	at = 0;
	n = 0;
	for (k = 1; k <= nruns && at < size; k++) {
		uint64_t end = k == nruns ? size
		    : line_start(fd, size / (uint64_t)nruns * (uint64_t)k, size);

		if (end <= at)
			continue;
		u[n].path = path;
		u[n].opts = opts;
		u[n].start = at;
		u[n].len = end - at;
		u[n].show = n == 0;
		n++;
		at = end;
	}
	close(fd);
	nruns = n;
	if (nruns < 2)
		return -1;
	for (k = 0; k < nruns; k++)
		started[k] = k == 0 || pthread_create(&tid[k], NULL, libsvm_run, &u[k]) == 0;
	libsvm_run(&u[0]); /* the first run on this thread */
	for (k = 1; k < nruns; k++) {
		if (started[k])
			pthread_join(tid[k], NULL);
		else
			libsvm_run(&u[k]); /* no thread: here, after the others */
	}
	for (k = 0; k < nruns; k++)
		if (u[k].rc != 0)
			rc = -1;
	if (rc == 0)
		rc = libsvm_join(u, nruns, out);
	if (rc == 0)
		data__libsvm_last_runs = nruns;
	data_matrix_free(&u[0].b.m);
	if (rc != 0)
		for (k = 1; k < nruns; k++)
			data_matrix_free(&u[k].b.m);
	return rc;
}

int
data_load_libsvm(const char *path, const data_opts_t *opts, data_matrix_t *out,
    char *err, size_t errlen)
{
	data_opts_t defaults;
	lreader_t r;
	builder_t b;
	uint64_t maxcol = UINT64_MAX;
	char *line;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	if (opts == NULL) {
		data_opts_init(&defaults);
		opts = &defaults;
	}
	if (opts->index_base != 0 && opts->index_base != 1)
		return data_errf(err, errlen,
		    "%s: index base must be 0 or 1, not %d", path,
		    opts->index_base);
	if (opts->response != NULL)
		return data_errf(err, errlen,
		    "%s: LIBSVM lines carry their own labels; a separate "
		    "response file is only for MatrixMarket input",
		    path);
	if (opts->target != NULL || opts->ignore != NULL)
		return data_errf(err, errlen,
		    "%s: --target and --ignore are for CSV input; LIBSVM "
		    "lines carry their own labels",
		    path);
	if (libsvm_parallel(path, opts, out) == 0)
		return 0;
	if (data__lr_open(&r, path, err, errlen) != 0)
		return -1;
	/* a9a-like files hold about one entry per 4-5 bytes */
	if (data__b_init(&b, 1, (size_t)(r.size / 6)) != 0) {
		rc = data_errf(err, errlen, "%s: out of memory", path);
		goto done;
	}
	while ((rc = data__lr_next(&r, &line, &len, err, errlen)) == 1) {
		if (libsvm_line(&r, line, (uint64_t)opts->index_base,
			opts->max_features ? opts->max_features : DATA_MAX_FEATURES,
			opts, &b, &maxcol, err, errlen) != 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && b.m.n == 0)
		rc = data_errf(err, errlen,
		    "%s: no data: expected lines 'label index:value ...'",
		    path);
	if (rc == 0) {
		b.m.p = maxcol == UINT64_MAX ? 0 : (uint32_t)(maxcol + 1);
		data__b_finish(&b, out);
		out->unterminated = r.cut_line;
	}
done:
	data_matrix_free(&b.m);
	data__lr_close(&r);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Output                                                             */

typedef struct {
	const data_matrix_t *m;
	char *vbuf; /* 1 MiB stdio buffer or NULL, owned by the caller */
} libsvm_out_t;

static int
libsvm_put(FILE *f, void *arg)
{
	const libsvm_out_t *o = arg;
	const data_matrix_t *m = o->m;
	uint32_t i;
	uint64_t k;

	/* Big files: fewer, larger writes. The buffer outlives the FILE
	 * (closed by the writer before data_write_libsvm frees it). */
	if (o->vbuf != NULL)
		setvbuf(f, o->vbuf, _IOFBF, 1 << 20);
	for (i = 0; i < m->n; i++) {
		if (m->y != NULL)
			fprintf(f, "%.17g", m->y[i]);
		else
			fputc('0', f);
		for (k = m->rowptr[i]; k < m->rowptr[i + 1]; k++)
			fprintf(
			    f, " %llu:%.17g", (ull)m->col[k] + 1, m->val[k]);
		if (putc('\n', f) == EOF)
			return -1;
	}
	return ferror(f) != 0;
}

int
data_write_libsvm(
    const char *path, const data_matrix_t *m, char *err, size_t errlen)
{
	uint32_t i;
	uint64_t k;
	libsvm_out_t o;
	int rc;

	for (k = 0; k < m->nnz; k++)
		if (!isfinite(m->val[k]))
			return data_errf(err, errlen,
			    "%s: expected finite values, found %g", path,
			    m->val[k]);
	for (i = 0; m->y != NULL && i < m->n; i++)
		if (!isfinite(m->y[i]))
			return data_errf(err, errlen,
			    "%s: expected finite labels, found %g in row %u",
			    path, m->y[i], i + 1);
	o.m = m;
	o.vbuf = malloc(1 << 20);
	rc = strads_file_write_atomic(path, 0644, libsvm_put, &o, err, errlen);
	free(o.vbuf);
	return rc != 0 ? -1 : 0;
}
