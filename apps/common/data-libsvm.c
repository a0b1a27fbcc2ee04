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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
