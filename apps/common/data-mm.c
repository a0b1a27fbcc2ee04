/*
 * data-mm.c -- the MatrixMarket loader (data_load_mm): coordinate and
 * array files, real, integer or pattern. What the loaders share is
 * data.c.
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
/* MatrixMarket                                                       */

/* Splits s at blanks into at most max tokens; returns how many there
 * were (possibly more than max). */
static int
split_blanks(char *s, char **tok, int max)
{
	int n = 0;

	for (;;) {
		while (ISBLANK(*s))
			s++;
		if (*s == '\0')
			return n;
		if (n < max)
			tok[n] = s;
		n++;
		while (*s != '\0' && !ISBLANK(*s))
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
}

typedef struct mm_entry_s {
	uint32_t col;
	double val;
} mm_entry_t;

static int
mm_entry_cmp(const void *a, const void *b)
{
	const mm_entry_t *x = a, *y = b;

	return x->col < y->col ? -1 : x->col > y->col;
}

/* Parses an entry line "i j [v]" of a coordinate file. */
static int
mm_entry(lreader_t *r, char *s, int pattern, uint64_t M, uint64_t N,
    uint32_t *ri, uint32_t *ci, double *v, char *err, size_t errlen)
{
	char *p = s, *e, *is, *js = s, t[64];
	uint64_t i = 0, j = 0;
	ull ln = (ull)r->lineno;

	while (ISBLANK(*p))
		p++;
	is = p;
	e = parse_index(p, &i);
	if (e != NULL && ISBLANK(*e)) {
		p = e;
		while (ISBLANK(*p))
			p++;
		js = p;
		e = parse_index(p, &j);
	}
	if (e == NULL || !(ISBLANK(*e) || (pattern && *e == '\0')))
		return data_errf(err, errlen,
		    "%s:%llu: expected an entry 'row column%s', found '%s'",
		    r->path, ln, pattern ? "" : " value",
		    data__quote_tok(t, sizeof(t), is, 0));
	if (i < 1 || i > M)
		return data_errf(err, errlen,
		    "%s:%llu: expected a row index in 1..%llu, found '%s'",
		    r->path, ln, (ull)M, data__quote_tok(t, sizeof(t), is, 1));
	if (j < 1 || j > N)
		return data_errf(err, errlen,
		    "%s:%llu: expected a column index in 1..%llu, found '%s'",
		    r->path, ln, (ull)N, data__quote_tok(t, sizeof(t), js, 1));
	p = e;
	while (ISBLANK(*p))
		p++;
	if (pattern) {
		*v = 1.0;
	} else {
		e = parse_num(p, v);
		if (e == NULL || !(ISBLANK(*e) || *e == '\0') || !isfinite(*v))
			return data_errf(err, errlen,
			    "%s:%llu: expected a finite value after the "
			    "indices, found '%s'",
			    r->path, ln, data__quote_tok(t, sizeof(t), p, 1));
		p = e;
		while (ISBLANK(*p))
			p++;
	}
	if (*p != '\0')
		return data_errf(err, errlen,
		    "%s:%llu: expected the end of the entry, found '%s'%s",
		    r->path, ln, data__quote_tok(t, sizeof(t), p, 1),
		    pattern ? " (a pattern file has no values)" : "");
	*ri = (uint32_t)(i - 1);
	*ci = (uint32_t)(j - 1);
	return 0;
}

/* Reads the banner, comments and size line. */
static int
mm_header(lreader_t *r, int *pattern, uint64_t *M, uint64_t *N, uint64_t *NZ,
    uint64_t *sizeline, char *err, size_t errlen)
{
	char *line, *tok[6], t[64];
	size_t len;
	int rc, nt;

	rc = data__lr_next(r, &line, &len, err, errlen);
	if (rc < 0)
		return -1;
	if (rc == 0 || strncasecmp(line, "%%MatrixMarket", 14) != 0 ||
	    !(line[14] == '\0' || ISBLANK(line[14])))
		return data_errf(err, errlen,
		    "%s:1: expected the banner '%%%%MatrixMarket matrix "
		    "coordinate real general', found '%s'",
		    r->path, rc == 0 ? "" : data__quote_tok(t, sizeof(t), line, 0));
	nt = split_blanks(line, tok, 6);
	if (nt != 5)
		return data_errf(err, errlen,
		    "%s:1: expected '%%%%MatrixMarket matrix coordinate "
		    "real|integer|pattern general', found %d words",
		    r->path, nt);
	if (strcasecmp(tok[1], "matrix") != 0)
		return data_errf(err, errlen,
		    "%s:1: expected object 'matrix', found '%s'", r->path,
		    data__quote_tok(t, sizeof(t), tok[1], 1));
	if (strcasecmp(tok[2], "coordinate") != 0)
		return data_errf(err, errlen,
		    "%s:1: expected format 'coordinate', found '%s'%s", r->path,
		    data__quote_tok(t, sizeof(t), tok[2], 1),
		    strcasecmp(tok[2], "array") == 0
			? " (dense MatrixMarket files are not supported)"
			: "");
	if (strcasecmp(tok[3], "real") == 0 ||
	    strcasecmp(tok[3], "integer") == 0)
		*pattern = 0;
	else if (strcasecmp(tok[3], "pattern") == 0)
		*pattern = 1;
	else
		return data_errf(err, errlen,
		    "%s:1: expected field real, integer or pattern, found "
		    "'%s'",
		    r->path, data__quote_tok(t, sizeof(t), tok[3], 1));
	if (strcasecmp(tok[4], "general") != 0)
		return data_errf(err, errlen,
		    "%s:1: expected symmetry 'general', found '%s' (store "
		    "every entry and declare it general)",
		    r->path, data__quote_tok(t, sizeof(t), tok[4], 1));
	for (;;) {
		char *p, *e;
		uint64_t d[3];
		int k;

		rc = data__lr_next(r, &line, &len, err, errlen);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return data_errf(err, errlen,
			    "%s:%llu: expected the size line 'rows columns "
			    "entries', found the end of the file",
			    r->path, (ull)r->lineno + 1);
		p = line;
		while (ISBLANK(*p))
			p++;
		if (*p == '%' || *p == '\0')
			continue;
		for (k = 0; k < 3; k++) {
			while (ISBLANK(*p))
				p++;
			e = parse_index(p, &d[k]);
			if (e == NULL || !(ISBLANK(*e) || *e == '\0'))
				break;
			p = e;
		}
		while (ISBLANK(*p))
			p++;
		if (k < 3 || *p != '\0')
			return data_errf(err, errlen,
			    "%s:%llu: expected the size line 'rows columns "
			    "entries', found '%s'",
			    r->path, (ull)r->lineno,
			    data__quote_tok(t, sizeof(t), line, 0));
		if (d[0] >= UINT32_MAX || d[1] >= UINT32_MAX ||
		    d[2] == UINT64_MAX)
			return data_errf(err, errlen,
			    "%s:%llu: size too large (at most %llu rows and "
			    "columns)",
			    r->path, (ull)r->lineno, (ull)UINT32_MAX - 1);
		*M = d[0];
		*N = d[1];
		*NZ = d[2];
		*sizeline = r->lineno;
		return 0;
	}
}

int
data_load_mm(const char *path, const data_opts_t *opts, data_matrix_t *out,
    char *err, size_t errlen)
{
	lreader_t r;
	data_matrix_t m;
	uint32_t *ri = NULL, *ci = NULL;
	double *vv = NULL;
	mm_entry_t *tmp = NULL;
	uint64_t M = 0, N = 0, NZ = 0, sizeline = 0, cnt = 0, cap, k;
	uint64_t *next = NULL;
	size_t len, tmpcap = 0;
	char *line;
	int pattern = 0, rc;
	uint32_t i;

	memset(out, 0, sizeof(*out));
	memset(&m, 0, sizeof(m));
	if (opts != NULL && (opts->target != NULL || opts->ignore != NULL))
		return data_errf(err, errlen,
		    "%s: --target and --ignore are for CSV input; a "
		    "MatrixMarket response comes from its own file",
		    path);
	if (data__lr_open(&r, path, err, errlen) != 0)
		return -1;
	rc = mm_header(&r, &pattern, &M, &N, &NZ, &sizeline, err, errlen);
	if (rc != 0)
		goto done;
	{
		uint64_t maxf = opts != NULL && opts->max_features
				    ? opts->max_features
				    : DATA_MAX_FEATURES;

		if (N > maxf) {
			char cause[64];

			snprintf(cause, sizeof(cause), "a header of %llu columns", (ull)N);
			rc = data__too_many_features(err, errlen, path, sizeline, cause,
			    N, maxf, opts);
			goto done;
		}
	}
	/* An entry takes at least 4 bytes ("1 1\n"): a lying header does
	 * not make us allocate more than the file could hold. */
	cap = NZ;
	if (r.size > 0 && cap > r.size / 4 + 1)
		cap = r.size / 4 + 1;
	if (cap < 16)
		cap = 16;
	if (data__grow_array((void **)&ri, cap, sizeof(uint32_t)) != 0 ||
	    data__grow_array((void **)&ci, cap, sizeof(uint32_t)) != 0 ||
	    data__grow_array((void **)&vv, cap, sizeof(double)) != 0)
		goto oom;
	while ((rc = data__lr_next(&r, &line, &len, err, errlen)) == 1) {
		char *p = line;

		while (ISBLANK(*p))
			p++;
		if (*p == '%' || *p == '\0')
			continue;
		if (cnt == NZ) {
			rc = data_errf(err, errlen,
			    "%s:%llu: expected %llu entries as declared on "
			    "line %llu, found more",
			    path, (ull)r.lineno, (ull)NZ, (ull)sizeline);
			goto done;
		}
		if (cnt == cap) {
			cap *= 2;
			if (data__grow_array((void **)&ri, cap, sizeof(uint32_t)) !=
				0 ||
			    data__grow_array((void **)&ci, cap, sizeof(uint32_t)) !=
				0 ||
			    data__grow_array((void **)&vv, cap, sizeof(double)) != 0)
				goto oom;
		}
		if (mm_entry(&r, line, pattern, M, N, &ri[cnt], &ci[cnt],
			&vv[cnt], err, errlen) != 0) {
			rc = -1;
			goto done;
		}
		cnt++;
	}
	if (rc < 0)
		goto done;
	if (cnt < NZ) {
		rc = data_errf(err, errlen,
		    "%s:%llu: expected %llu entries as declared on line %llu, "
		    "found %llu",
		    path, (ull)r.lineno, (ull)NZ, (ull)sizeline, (ull)cnt);
		goto done;
	}

	/* Entries to CSR: a stable counting sort by row keeps the file's
	 * order within a row, already increasing for row- or column-major
	 * files; other rows are sorted. */
	m.n = (uint32_t)M;
	m.p = (uint32_t)N;
	m.nnz = cnt;
	m.rowptr = calloc((size_t)M + 1, sizeof(uint64_t));
	next = malloc(((size_t)M + 1) * sizeof(uint64_t));
	m.col = malloc((cnt > 0 ? cnt : 1) * sizeof(uint32_t));
	m.val = malloc((cnt > 0 ? cnt : 1) * sizeof(double));
	if (m.rowptr == NULL || next == NULL || m.col == NULL || m.val == NULL)
		goto oom;
	for (k = 0; k < cnt; k++)
		m.rowptr[ri[k] + 1]++;
	for (i = 0; i < m.n; i++)
		m.rowptr[i + 1] += m.rowptr[i];
	memcpy(next, m.rowptr, ((size_t)M + 1) * sizeof(uint64_t));
	for (k = 0; k < cnt; k++) {
		uint64_t d = next[ri[k]]++;

		m.col[d] = ci[k];
		m.val[d] = vv[k];
	}
	free(ri);
	free(ci);
	free(vv);
	ri = ci = NULL;
	vv = NULL;
	for (i = 0; i < m.n; i++) {
		uint64_t a = m.rowptr[i], z = m.rowptr[i + 1];
		int sorted = 1;

		for (k = a + 1; k < z && sorted; k++)
			sorted = m.col[k - 1] < m.col[k];
		if (sorted)
			continue;
		if (z - a > tmpcap) {
			tmpcap = z - a;
			if (data__grow_array(
				(void **)&tmp, tmpcap, sizeof(mm_entry_t)) != 0)
				goto oom;
		}
		for (k = a; k < z; k++) {
			tmp[k - a].col = m.col[k];
			tmp[k - a].val = m.val[k];
		}
		qsort(tmp, z - a, sizeof(mm_entry_t), mm_entry_cmp);
		for (k = a; k < z; k++) {
			m.col[k] = tmp[k - a].col;
			m.val[k] = tmp[k - a].val;
			if (k > a && m.col[k] == m.col[k - 1]) {
				rc = data_errf(err, errlen,
				    "%s: entry (%llu, %llu) appears more than "
				    "once; expected each entry once",
				    path, (ull)i + 1, (ull)m.col[k] + 1);
				goto done;
			}
		}
	}
	if (opts != NULL && opts->response != NULL &&
	    data_load_response(opts->response, &m, err, errlen) != 0) {
		rc = -1;
		goto done;
	}
	m.unterminated = r.cut_line;
	*out = m;
	memset(&m, 0, sizeof(m));
	rc = 0;
	goto done;
oom:
	rc = data_errf(err, errlen, "%s:%llu: out of memory", path, (ull)r.lineno);
done:
	free(ri);
	free(ci);
	free(vv);
	free(tmp);
	free(next);
	data_matrix_free(&m);
	data__lr_close(&r);
	return rc;
}
