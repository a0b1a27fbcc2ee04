/*
 * data.c -- the apps' data loaders: LIBSVM, MatrixMarket and CSV into a
 * CSR matrix, the CSC copy, and the LIBSVM writer.
 *
 * Files are read in large blocks; each line is NUL-terminated in place
 * in the block and parsed there, so numbers go through a fast exact
 * decimal path (strtod for anything else) without copies. Arrays grow
 * geometrically; nothing is allocated per entry.
 */
#include "config.h"

#include "data.h"

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
#define TOKMAX 40		   /* characters of a bad token quoted */
#define ISDIGIT(c) ((unsigned)((c) - '0') < 10u)
#define ISBLANK(c) ((c) == ' ' || (c) == '\t')

typedef unsigned long long ull;

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
static const char *
quote_tok(char *buf, size_t size, const char *s, int stop_at_blank)
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

/* ------------------------------------------------------------------ */
/* Numbers                                                            */

static const double pow10tab[23] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
    1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21,
    1e22};

/*
 * Reads the number at s; returns its end, or NULL when s does not start
 * with one. The value is strtod's, bit for bit: a decimal whose digits
 * (at most 19) make an integer m <= 2^53 and whose scale 10^k has
 * |k| <= 22 is m * 10^k or m / 10^-k, one correctly rounded operation
 * on exact operands (Clinger's fast path); everything else (long digit
 * strings, large exponents, inf, nan) goes to strtod.
 */
static inline char *
parse_num(char *s, double *out)
{
	char *p = s, *end;
	uint64_t m = 0;
	int neg = 0, nd = 0, nf = 0;
	double d;

	if (*p == '-') {
		neg = 1;
		p++;
	} else if (*p == '+') {
		p++;
	}
	while (ISDIGIT(*p)) {
		m = m * 10 + (uint64_t)(*p++ - '0');
		nd++;
	}
	if (*p == '.') {
		p++;
		while (ISDIGIT(*p)) {
			m = m * 10 + (uint64_t)(*p++ - '0');
			nd++;
			nf++;
		}
	}
	if (nd > 0 && nd <= 19 && m <= ((uint64_t)1 << 53)) {
		int e10 = -nf;

		if ((*p | 0x20) == 'e') {
			char *q = p + 1;
			int eneg = 0, ev = 0, ne = 0;

			if (*q == '-' || *q == '+')
				eneg = *q++ == '-';
			while (ISDIGIT(*q) && ne < 4) {
				ev = ev * 10 + (*q++ - '0');
				ne++;
			}
			if (ne == 0 || ISDIGIT(*q))
				goto slow;
			e10 += eneg ? -ev : ev;
			p = q;
		}
		if (e10 < -22 || e10 > 22)
			goto slow;
		d = e10 < 0 ? (double)m / pow10tab[-e10]
			    : (double)m * pow10tab[e10];
		*out = neg ? -d : d;
		return p;
	}
slow:
	d = strtod(s, &end);
	if (end == s)
		return NULL;
	*out = d;
	return end;
}

/* Reads a run of decimal digits; returns its end, or NULL when there is
 * none. Values past UINT32_MAX come back as UINT64_MAX. */
static inline char *
parse_index(char *s, uint64_t *out)
{
	uint64_t v = 0;
	char *p = s;

	while (ISDIGIT(*p)) {
		if (v <= UINT32_MAX)
			v = v * 10 + (uint64_t)(*p - '0');
		p++;
	}
	if (p == s)
		return NULL;
	*out = v > UINT32_MAX ? UINT64_MAX : v;
	return p;
}

/* 1 when the whole of s is one finite number. */
static int
whole_num(char *s, double *v)
{
	char *e = parse_num(s, v);

	return e != NULL && *e == '\0' && isfinite(*v);
}

/* ------------------------------------------------------------------ */
/* Lines                                                              */

typedef struct lreader_s {
	const char *path;
	int fd;
	char *buf;
	size_t cap; /* allocated; the data fills at most cap - 1 */
	size_t len; /* bytes of data in buf */
	size_t pos; /* where the next line starts */
	int eof;
	uint64_t lineno; /* of the line last returned, 1-based */
	uint64_t size;	 /* of the file, 0 when unknown */
} lreader_t;

static int
lr_open(lreader_t *r, const char *path, char *err, size_t errlen)
{
	struct stat st;

	memset(r, 0, sizeof(*r));
	r->path = path;
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
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

static void
lr_close(lreader_t *r)
{
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
static int
lr_next(lreader_t *r, char **line, size_t *len, char *err, size_t errlen)
{
	for (;;) {
		char *s = r->buf + r->pos;
		size_t avail = r->len - r->pos, l;
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
			k = read(r->fd, r->buf + r->len, r->cap - 1 - r->len);
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
			continue;
		}
		if (nl == NULL) {
			if (avail == 0)
				return 0;
			nl = s + avail; /* the spare byte at buf[len] */
			r->pos = r->len;
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

typedef struct builder_s {
	data_matrix_t m;
	size_t rowcap; /* of rowptr (and y): rows + 1 */
	size_t nzcap;  /* of col and val */
	int with_y;
} builder_t;

static int
grow_array(void **p, size_t need, size_t elsize)
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

static int
b_init(builder_t *b, int with_y, size_t nz_hint)
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

static int
b_grow_nz(builder_t *b, size_t need)
{
	size_t c = b->nzcap;

	while (c < need)
		c = c < SIZE_MAX / 2 ? c * 2 : SIZE_MAX;
	if (grow_array((void **)&b->m.col, c, sizeof(uint32_t)) != 0 ||
	    grow_array((void **)&b->m.val, c, sizeof(double)) != 0)
		return -1;
	b->nzcap = c;
	return 0;
}

static inline int
b_push(builder_t *b, uint32_t col, double v)
{
	if (b->m.nnz == b->nzcap && b_grow_nz(b, b->nzcap + 1) != 0)
		return -1;
	b->m.col[b->m.nnz] = col;
	b->m.val[b->m.nnz] = v;
	b->m.nnz++;
	return 0;
}

/* Ends the row whose entries were pushed since the last call. -1 when
 * out of memory or rows (2^32 - 1 at most). */
static int
b_end_row(builder_t *b, double y)
{
	if (b->m.n == UINT32_MAX - 1)
		return -1;
	if ((size_t)b->m.n + 2 > b->rowcap) {
		size_t c = b->rowcap * 2;

		if (grow_array((void **)&b->m.rowptr, c, sizeof(uint64_t)) != 0)
			return -1;
		if (b->with_y &&
		    grow_array((void **)&b->m.y, c, sizeof(double)) != 0)
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
static void
b_drop_row(builder_t *b)
{
	b->m.nnz = b->m.rowptr[b->m.n];
}

/* Hands the matrix to out, trimming the arrays to size. */
static void
b_finish(builder_t *b, data_matrix_t *out)
{
	size_t nz = b->m.nnz > 0 ? (size_t)b->m.nnz : 1;

	(void)grow_array((void **)&b->m.col, nz, sizeof(uint32_t));
	(void)grow_array((void **)&b->m.val, nz, sizeof(double));
	(void)grow_array(
	    (void **)&b->m.rowptr, (size_t)b->m.n + 1, sizeof(uint64_t));
	if (b->with_y && b->m.n > 0)
		(void)grow_array((void **)&b->m.y, b->m.n, sizeof(double));
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
	free(c->colptr);
	free(c->row);
	free(c->val);
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
	out->colptr = calloc((size_t)m->p + 1, sizeof(uint64_t));
	out->row = malloc(nz * sizeof(uint32_t));
	out->val = malloc(nz * sizeof(double));
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
/* LIBSVM                                                             */

#define ENDTOK(c) ((c) == '\0' || ISBLANK(c) || (c) == '#')

/* Parses one line into b; blank and comment-only lines add no row. */
static int
libsvm_line(lreader_t *r, char *s, uint64_t base, builder_t *b,
    uint64_t *maxcol, char *err, size_t errlen)
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
		    r->path, ln, quote_tok(t, sizeof(t), p, 1),
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
				    r->path, ln, quote_tok(t, sizeof(t), p, 1));
			return data_errf(err, errlen,
			    "%s:%llu: expected index:value, found '%s'",
			    r->path, ln, quote_tok(t, sizeof(t), p, 1));
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
			    r->path, ln, quote_tok(t, sizeof(t), p, 1),
			    (ull)UINT32_MAX - 1 + base);
		idx -= base;
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
			    quote_tok(t, sizeof(t), p, 1));
		if (b_push(b, (uint32_t)idx, v) != 0)
			goto oom;
		prev = idx;
		p = e;
	}
	if (prev != UINT64_MAX && (*maxcol == UINT64_MAX || prev > *maxcol))
		*maxcol = prev;
	if (b_end_row(b, y) != 0)
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
	if (lr_open(&r, path, err, errlen) != 0)
		return -1;
	/* a9a-like files hold about one entry per 4-5 bytes */
	if (b_init(&b, 1, (size_t)(r.size / 6)) != 0) {
		rc = data_errf(err, errlen, "%s: out of memory", path);
		goto done;
	}
	while ((rc = lr_next(&r, &line, &len, err, errlen)) == 1) {
		if (libsvm_line(&r, line, (uint64_t)opts->index_base, &b,
			&maxcol, err, errlen) != 0) {
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
		b_finish(&b, out);
	}
done:
	data_matrix_free(&b.m);
	lr_close(&r);
	return rc;
}

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
		    quote_tok(t, sizeof(t), is, 0));
	if (i < 1 || i > M)
		return data_errf(err, errlen,
		    "%s:%llu: expected a row index in 1..%llu, found '%s'",
		    r->path, ln, (ull)M, quote_tok(t, sizeof(t), is, 1));
	if (j < 1 || j > N)
		return data_errf(err, errlen,
		    "%s:%llu: expected a column index in 1..%llu, found '%s'",
		    r->path, ln, (ull)N, quote_tok(t, sizeof(t), js, 1));
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
			    r->path, ln, quote_tok(t, sizeof(t), p, 1));
		p = e;
		while (ISBLANK(*p))
			p++;
	}
	if (*p != '\0')
		return data_errf(err, errlen,
		    "%s:%llu: expected the end of the entry, found '%s'%s",
		    r->path, ln, quote_tok(t, sizeof(t), p, 1),
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

	rc = lr_next(r, &line, &len, err, errlen);
	if (rc < 0)
		return -1;
	if (rc == 0 || strncasecmp(line, "%%MatrixMarket", 14) != 0 ||
	    !(line[14] == '\0' || ISBLANK(line[14])))
		return data_errf(err, errlen,
		    "%s:1: expected the banner '%%%%MatrixMarket matrix "
		    "coordinate real general', found '%s'",
		    r->path, rc == 0 ? "" : quote_tok(t, sizeof(t), line, 0));
	nt = split_blanks(line, tok, 6);
	if (nt != 5)
		return data_errf(err, errlen,
		    "%s:1: expected '%%%%MatrixMarket matrix coordinate "
		    "real|integer|pattern general', found %d words",
		    r->path, nt);
	if (strcasecmp(tok[1], "matrix") != 0)
		return data_errf(err, errlen,
		    "%s:1: expected object 'matrix', found '%s'", r->path,
		    quote_tok(t, sizeof(t), tok[1], 1));
	if (strcasecmp(tok[2], "coordinate") != 0)
		return data_errf(err, errlen,
		    "%s:1: expected format 'coordinate', found '%s'%s", r->path,
		    quote_tok(t, sizeof(t), tok[2], 1),
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
		    r->path, quote_tok(t, sizeof(t), tok[3], 1));
	if (strcasecmp(tok[4], "general") != 0)
		return data_errf(err, errlen,
		    "%s:1: expected symmetry 'general', found '%s' (store "
		    "every entry and declare it general)",
		    r->path, quote_tok(t, sizeof(t), tok[4], 1));
	for (;;) {
		char *p, *e;
		uint64_t d[3];
		int k;

		rc = lr_next(r, &line, &len, err, errlen);
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
			    quote_tok(t, sizeof(t), line, 0));
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
	if (lr_open(&r, path, err, errlen) != 0)
		return -1;
	rc = mm_header(&r, &pattern, &M, &N, &NZ, &sizeline, err, errlen);
	if (rc != 0)
		goto done;
	/* An entry takes at least 4 bytes ("1 1\n"): a lying header does
	 * not make us allocate more than the file could hold. */
	cap = NZ;
	if (r.size > 0 && cap > r.size / 4 + 1)
		cap = r.size / 4 + 1;
	if (cap < 16)
		cap = 16;
	if (grow_array((void **)&ri, cap, sizeof(uint32_t)) != 0 ||
	    grow_array((void **)&ci, cap, sizeof(uint32_t)) != 0 ||
	    grow_array((void **)&vv, cap, sizeof(double)) != 0)
		goto oom;
	while ((rc = lr_next(&r, &line, &len, err, errlen)) == 1) {
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
			if (grow_array((void **)&ri, cap, sizeof(uint32_t)) !=
				0 ||
			    grow_array((void **)&ci, cap, sizeof(uint32_t)) !=
				0 ||
			    grow_array((void **)&vv, cap, sizeof(double)) != 0)
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
			if (grow_array(
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
	lr_close(&r);
	return rc;
}

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
	if (lr_open(&r, path, err, errlen) != 0) {
		free(y);
		return -1;
	}
	while ((rc = lr_next(&r, &line, &len, err, errlen)) == 1) {
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
			    path, (ull)r.lineno, quote_tok(t, sizeof(t), p, 0));
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
	lr_close(&r);
	if (rc != 0) {
		free(y);
		return -1;
	}
	free(m->y);
	m->y = y;
	return 0;
}

/* ------------------------------------------------------------------ */
/* CSV                                                                */

/*
 * Splits s at delim in place: NUL-terminates each field, strips blanks
 * around it and its quotes. Stores up to max field starts in f and
 * returns the number of fields (possibly more than max); -1 for a quote
 * left open, -2 for text after a closing quote, with *bad the 1-based
 * field.
 */
static long
csv_split(char *s, char delim, char **f, size_t max, long *bad)
{
	long n = 0;
	char *p = s;

	for (;;) {
		char *start, *w;

		while (ISBLANK(*p) && *p != delim)
			p++;
		if (*p == '"') {
			start = w = ++p;
			for (;;) {
				if (*p == '\0') {
					*bad = n + 1;
					return -1;
				}
				if (*p == '"') {
					if (p[1] != '"')
						break;
					p++;
				}
				*w++ = *p++;
			}
			p++;
			while (ISBLANK(*p) && *p != delim)
				p++;
			if (*p != delim && *p != '\0') {
				*bad = n + 1;
				return -2;
			}
		} else {
			start = p;
			while (*p != delim && *p != '\0')
				p++;
			w = p;
			while (w > start && ISBLANK(w[-1]) && w[-1] != delim)
				w--;
		}
		if ((size_t)n < max)
			f[n] = start;
		n++;
		if (*p == '\0') {
			*w = '\0';
			return n;
		}
		*w = '\0';
		p++;
	}
}

static int
is_missing(const char *s)
{
	return s[0] == '\0' || (s[0] == '?' && s[1] == '\0') ||
	       strcasecmp(s, "na") == 0 || strcasecmp(s, "nan") == 0;
}

/* The 1-based column that s[0..len) names: a column name first, then
 * a number; 0 when neither. */
static uint32_t
csv_lookup(const char *s, size_t len, char **names, uint32_t ncols)
{
	uint32_t j;
	uint64_t v = 0;
	size_t i;

	for (j = 0; j < ncols; j++)
		if (strlen(names[j]) == len && memcmp(names[j], s, len) == 0)
			return j + 1;
	if (len == 0 || len > 10)
		return 0;
	for (i = 0; i < len; i++) {
		if (!ISDIGIT(s[i]))
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return v >= 1 && v <= ncols ? (uint32_t)v : 0;
}

enum { ROLE_IGNORE = -1, ROLE_TARGET = -2 };

/* Marks the columns in opts->ignore as ROLE_IGNORE in role[]. */
static int
csv_ignore(const char *path, const char *spec, char **names, uint32_t ncols,
    int64_t *role, char *err, size_t errlen)
{
	const char *s = spec;

	while (*s != '\0') {
		const char *a = s, *z, *dash;
		size_t len;
		uint32_t c, lo, hi;

		while (*s != ',' && *s != '\0')
			s++;
		z = s;
		if (*s == ',')
			s++;
		while (a < z && ISBLANK(*a))
			a++;
		while (z > a && ISBLANK(z[-1]))
			z--;
		len = (size_t)(z - a);
		if (len == 0)
			continue;
		c = csv_lookup(a, len, names, ncols);
		if (c != 0) {
			role[c - 1] = ROLE_IGNORE;
			continue;
		}
		dash = memchr(a, '-', len);
		if (dash != NULL) {
			lo = csv_lookup(a, (size_t)(dash - a), names, ncols);
			hi = csv_lookup(
			    dash + 1, (size_t)(z - dash - 1), names, ncols);
			if (lo != 0 && hi != 0 && lo <= hi) {
				for (c = lo; c <= hi; c++)
					role[c - 1] = ROLE_IGNORE;
				continue;
			}
		}
		return data_errf(err, errlen,
		    "%s: --ignore: expected a column name, a number in "
		    "1..%u or a range a-b, found '%.*s'",
		    path, ncols, (int)(len > TOKMAX ? TOKMAX : len), a);
	}
	return 0;
}

typedef struct csv_s {
	const char *path;
	const data_opts_t *opts;
	char delim;
	uint32_t ncols;
	int64_t *role; /* per column: feature index, or ROLE_* */
	char **names;  /* per column */
	char **f;      /* field starts of the current line */
	builder_t b;
	double *sum;	  /* MEAN: per feature, over kept rows */
	uint64_t *nmiss;  /* MEAN: per feature, rows with it missing */
	uint64_t dropped; /* rows */
} csv_t;

/* Parses one line split into c->f (nf fields) into a row. */
static int
csv_row(csv_t *c, ull ln, long nf, char *err, size_t errlen)
{
	data_missing_t mode = c->opts->missing;
	double y = 0, v;
	uint32_t j;
	int miss = 0;
	char t[64];

	if ((uint64_t)nf != c->ncols)
		return data_errf(err, errlen,
		    "%s:%llu: expected %u fields like the first line, found "
		    "%ld",
		    c->path, ln, c->ncols, nf);
	for (j = 0; j < c->ncols; j++) {
		int64_t r = c->role[j];
		char *s = c->f[j];

		if (r == ROLE_IGNORE)
			continue;
		if (whole_num(s, &v)) {
			if (r == ROLE_TARGET)
				y = v;
			else if (v != 0 && b_push(&c->b, (uint32_t)r, v) != 0)
				goto oom;
			continue;
		}
		if (!is_missing(s))
			return data_errf(err, errlen,
			    "%s:%llu: column %u (%s): expected a %snumber, "
			    "found '%s'%s",
			    c->path, ln, j + 1, c->names[j],
			    parse_num(s, &v) != NULL && !isfinite(v) ? "finite "
								     : "",
			    quote_tok(t, sizeof(t), s, 0),
			    r == ROLE_TARGET ? ""
					     : " (--ignore the column if it "
					       "is not a feature)");
		if (mode == DATA_MISSING_ERROR)
			return data_errf(err, errlen,
			    "%s:%llu: column %u (%s): expected a number, found "
			    "%s%s%s (use --missing drop|mean)",
			    c->path, ln, j + 1, c->names[j],
			    s[0] == '\0' ? "an empty field" : "'",
			    s[0] == '\0' ? "" : quote_tok(t, sizeof(t), s, 0),
			    s[0] == '\0' ? "" : "'");
		if (r == ROLE_TARGET || mode == DATA_MISSING_DROP) {
			miss = 2;
			continue;
		}
		miss = miss > 1 ? miss : 1;
		if (b_push(&c->b, (uint32_t)r, NAN) != 0)
			goto oom;
	}
	if (miss == 2) {
		b_drop_row(&c->b);
		c->dropped++;
		return 0;
	}
	if (mode == DATA_MISSING_MEAN) {
		uint64_t k;

		for (k = c->b.m.rowptr[c->b.m.n]; k < c->b.m.nnz; k++) {
			if (isnan(c->b.m.val[k]))
				c->nmiss[c->b.m.col[k]]++;
			else
				c->sum[c->b.m.col[k]] += c->b.m.val[k];
		}
	}
	if (b_end_row(&c->b, y) != 0)
		goto oom;
	return 0;
oom:
	return data_errf(err, errlen, "%s:%llu: out of memory (or too many rows)",
	    c->path, ln);
}

/* Replaces the NaN placeholders by their column's mean. */
static int
csv_impute(csv_t *c, char *err, size_t errlen)
{
	data_matrix_t *m = &c->b.m;
	double *mean;
	uint64_t k, w;
	uint32_t j, f;
	int zero = 0;

	mean = malloc((m->p > 0 ? m->p : 1) * sizeof(double));
	if (mean == NULL)
		return data_errf(err, errlen, "%s: out of memory", c->path);
	for (j = 0; j < c->ncols; j++) {
		if (c->role[j] < 0)
			continue;
		f = (uint32_t)c->role[j];
		if (c->nmiss[f] == 0)
			continue;
		if (c->nmiss[f] == m->n) {
			free(mean);
			return data_errf(err, errlen,
			    "%s: column %u (%s): expected some values to "
			    "take the mean of, found every one missing "
			    "(--ignore the column)",
			    c->path, j + 1, c->names[j]);
		}
		mean[f] = c->sum[f] / (double)(m->n - c->nmiss[f]);
		zero |= mean[f] == 0;
	}
	for (k = 0; k < m->nnz; k++)
		if (isnan(m->val[k]))
			m->val[k] = mean[m->col[k]];
	free(mean);
	if (!zero)
		return 0;
	/* A mean of 0 is not stored: squeeze those entries out. */
	w = 0;
	for (j = 0; j < m->n; j++) {
		uint64_t a = m->rowptr[j], z = m->rowptr[j + 1];

		m->rowptr[j] = w;
		for (k = a; k < z; k++) {
			if (m->val[k] == 0)
				continue;
			m->col[w] = m->col[k];
			m->val[w++] = m->val[k];
		}
	}
	m->rowptr[m->n] = w;
	m->nnz = w;
	return 0;
}

/* Fills c->names from the header fields (or "c<k>") and c->role from
 * the options; opens the builder. */
static int
csv_setup(csv_t *c, char **hdr, char *err, size_t errlen)
{
	const data_opts_t *o = c->opts;
	uint32_t j, t = 0, p = 0, nf;
	char buf[32];

	c->names = calloc(c->ncols, sizeof(char *));
	c->role = calloc(c->ncols, sizeof(int64_t));
	if (c->names == NULL || c->role == NULL)
		goto oom;
	for (j = 0; j < c->ncols; j++) {
		if (hdr != NULL && hdr[j][0] != '\0') {
			c->names[j] = strdup(hdr[j]);
		} else {
			snprintf(buf, sizeof(buf), "c%u", j + 1);
			c->names[j] = strdup(buf);
		}
		if (c->names[j] == NULL)
			goto oom;
	}
	if (o->ignore != NULL && csv_ignore(c->path, o->ignore, c->names,
				     c->ncols, c->role, err, errlen) != 0)
		return -1;
	if (o->target != NULL) {
		t = csv_lookup(
		    o->target, strlen(o->target), c->names, c->ncols);
		if (t == 0)
			return data_errf(err, errlen,
			    "%s: --target: expected a column name or a number "
			    "in 1..%u, found '%.*s'",
			    c->path, c->ncols, TOKMAX, o->target);
		if (c->role[t - 1] == ROLE_IGNORE)
			return data_errf(err, errlen,
			    "%s: --target: column %u (%s) is also in --ignore",
			    c->path, t, c->names[t - 1]);
		c->role[t - 1] = ROLE_TARGET;
	}
	for (j = 0; j < c->ncols; j++) /* one pass: 0 is "unmarked" */
		if (c->role[j] == 0)
			c->role[j] = p++;
	if (p == 0)
		return data_errf(err, errlen,
		    "%s: expected at least one feature column, found none "
		    "(all %u are the target or ignored)",
		    c->path, c->ncols);
	if (b_init(&c->b, t != 0, 0) != 0)
		goto oom;
	c->b.m.p = p;
	c->b.m.colnames = calloc(p, sizeof(char *));
	if (c->b.m.colnames == NULL)
		goto oom;
	for (j = 0, nf = 0; j < c->ncols; j++) {
		if (c->role[j] < 0)
			continue;
		c->b.m.colnames[nf] = strdup(c->names[j]);
		if (c->b.m.colnames[nf++] == NULL)
			goto oom;
	}
	if (o->missing == DATA_MISSING_MEAN) {
		c->sum = calloc(p, sizeof(double));
		c->nmiss = calloc(p, sizeof(uint64_t));
		if (c->sum == NULL || c->nmiss == NULL)
			goto oom;
	}
	return 0;
oom:
	return data_errf(err, errlen, "%s: out of memory", c->path);
}

int
data_load_csv(const char *path, const data_opts_t *opts, data_matrix_t *out,
    char *err, size_t errlen)
{
	data_opts_t defaults;
	lreader_t r;
	csv_t c;
	char *line, *first = NULL, **f1 = NULL;
	size_t len, cap1 = 64;
	long nf1, nf2 = 0, bad = 0;
	ull ln1 = 0, ln2 = 0;
	int rc, header, have2 = 0;
	uint32_t j;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	if (opts == NULL) {
		data_opts_init(&defaults);
		opts = &defaults;
	}
	c.path = path;
	c.opts = opts;
	if (opts->delim != 0 && opts->delim != ',' && opts->delim != '\t')
		return data_errf(err, errlen,
		    "%s: the delimiter must be ',' or a tab", path);
	if (opts->response != NULL)
		return data_errf(err, errlen,
		    "%s: a CSV file names its --target column; a separate "
		    "response file is only for MatrixMarket input",
		    path);
	if (lr_open(&r, path, err, errlen) != 0)
		return -1;

	/* The first non-blank line: delimiter, width, maybe names. */
	do {
		rc = lr_next(&r, &line, &len, err, errlen);
	} while (rc == 1 && strspn(line, " \t") == len);
	if (rc <= 0) {
		if (rc == 0)
			rc = data_errf(err, errlen, "%s: no data: the file is empty",
			    path);
		goto done;
	}
	ln1 = (ull)r.lineno;
	c.delim = opts->delim != 0		    ? opts->delim
		  : memchr(line, '\t', len) != NULL ? '\t'
						    : ',';
	first = strdup(line);
	f1 = malloc(cap1 * sizeof(char *));
	if (first == NULL || f1 == NULL)
		goto oom;
	for (;;) {
		strcpy(first, line);
		nf1 = csv_split(first, c.delim, f1, cap1, &bad);
		if (nf1 < 0 || (size_t)nf1 <= cap1)
			break;
		cap1 = (size_t)nf1;
		if (grow_array((void **)&f1, cap1, sizeof(char *)) != 0)
			goto oom;
	}
	if (nf1 < 0 || nf1 > (long)UINT32_MAX - 1) {
		rc = nf1 < 0 ? data_errf(err, errlen, "%s:%llu: column %ld: %s",
				   path, ln1, bad,
				   nf1 == -1 ? "expected a closing quote"
					     : "expected a delimiter after "
					       "the closing quote")
			     : data_errf(err, errlen, "%s:%llu: too many columns",
				   path, ln1);
		goto done;
	}
	c.ncols = (uint32_t)nf1;
	c.f = malloc(c.ncols * sizeof(char *));
	if (c.f == NULL)
		goto oom;

	/* The second: evidence for a header. */
	do {
		rc = lr_next(&r, &line, &len, err, errlen);
	} while (rc == 1 && strspn(line, " \t") == len);
	if (rc < 0)
		goto done;
	if (rc == 1) {
		have2 = 1;
		ln2 = (ull)r.lineno;
		nf2 = csv_split(line, c.delim, c.f, c.ncols, &bad);
	}
	if (opts->header == DATA_HEADER_YES) {
		header = 1;
	} else if (opts->header == DATA_HEADER_NO) {
		header = 0;
	} else {
		double v;

		header = 0;
		for (j = 0; j < c.ncols && !header; j++) {
			if (whole_num(f1[j], &v) || is_missing(f1[j]))
				continue;
			header = !have2 || nf2 < 0 ||
				 (nf2 > 0 && j < (uint64_t)nf2 && j < c.ncols &&
				     whole_num(c.f[j], &v));
		}
	}
	if (csv_setup(&c, header ? f1 : NULL, err, errlen) != 0) {
		rc = -1;
		goto done;
	}
	if (!header) {
		char **save = c.f;

		c.f = f1;
		rc = csv_row(&c, ln1, nf1, err, errlen);
		c.f = save;
		if (rc != 0)
			goto done;
	}
	free(first);
	first = NULL;
	if (have2) {
		if (nf2 < 0) {
			rc = data_errf(err, errlen, "%s:%llu: column %ld: %s", path,
			    ln2, bad,
			    nf2 == -1 ? "expected a closing quote"
				      : "expected a delimiter after the "
					"closing quote");
			goto done;
		}
		if ((rc = csv_row(&c, ln2, nf2, err, errlen)) != 0)
			goto done;
	}
	while ((rc = lr_next(&r, &line, &len, err, errlen)) == 1) {
		long nf;

		if (len == 0 || strspn(line, " \t") == len)
			continue;
		nf = csv_split(line, c.delim, c.f, c.ncols, &bad);
		if (nf < 0) {
			rc = data_errf(err, errlen, "%s:%llu: column %ld: %s", path,
			    (ull)r.lineno, bad,
			    nf == -1 ? "expected a closing quote (fields "
				       "cannot span lines)"
				     : "expected a delimiter after the "
				       "closing quote");
			break;
		}
		if ((rc = csv_row(&c, (ull)r.lineno, nf, err, errlen)) != 0)
			break;
	}
	if (rc != 0)
		goto done;
	if (c.b.m.n == 0) {
		rc = data_errf(err, errlen, "%s: no data rows%s", path,
		    c.dropped > 0 ? " left after dropping those with missing "
				    "values"
				  : "");
		goto done;
	}
	if (opts->missing == DATA_MISSING_MEAN &&
	    csv_impute(&c, err, errlen) != 0) {
		rc = -1;
		goto done;
	}
	b_finish(&c.b, out);
	rc = 0;
	goto done;
oom:
	rc = data_errf(err, errlen, "%s: out of memory", path);
done:
	free(first);
	free(f1);
	free(c.f);
	free(c.role);
	if (c.names != NULL)
		for (j = 0; j < c.ncols; j++)
			free(c.names[j]);
	free(c.names);
	free(c.sum);
	free(c.nmiss);
	data_matrix_free(&c.b.m);
	lr_close(&r);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Dispatch and output                                                */

int
data_load(const char *path, const char *format, const data_opts_t *opts,
    data_matrix_t *out, char *err, size_t errlen)
{
	static const struct {
		const char *ext;
		char kind;
	} exts[] = {{"svm", 'l'}, {"libsvm", 'l'}, {"txt", 'l'}, {"t", 'l'},
	    {"mtx", 'm'}, {"mm", 'm'}, {"csv", 'c'}, {"tsv", 't'},
	    {"data", 'c'}};
	data_opts_t local;
	const char *slash, *dot;
	char kind = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (format != NULL) {
		if (strcasecmp(format, "libsvm") == 0 ||
		    strcasecmp(format, "svmlight") == 0)
			kind = 'l';
		else if (strcasecmp(format, "mm") == 0 ||
			 strcasecmp(format, "mtx") == 0 ||
			 strcasecmp(format, "matrixmarket") == 0)
			kind = 'm';
		else if (strcasecmp(format, "csv") == 0)
			kind = 'c';
		else if (strcasecmp(format, "tsv") == 0)
			kind = 't';
		else
			return data_errf(err, errlen,
			    "%s: unknown format '%.*s'; expected libsvm, mm "
			    "or csv",
			    path, TOKMAX, format);
	} else {
		slash = strrchr(path, '/');
		dot = strrchr(slash != NULL ? slash + 1 : path, '.');
		for (i = 0; dot != NULL && i < sizeof(exts) / sizeof(exts[0]);
		     i++)
			if (strcasecmp(dot + 1, exts[i].ext) == 0)
				kind = exts[i].kind;
		if (kind == 0)
			return data_errf(err, errlen,
			    "%s: cannot tell the format from the file name; "
			    "pass --format libsvm|mm|csv",
			    path);
	}
	if (kind == 't') {
		if (opts == NULL)
			data_opts_init(&local);
		else
			local = *opts;
		if (local.delim == 0)
			local.delim = '\t';
		return data_load_csv(path, &local, out, err, errlen);
	}
	if (kind == 'l')
		return data_load_libsvm(path, opts, out, err, errlen);
	if (kind == 'm')
		return data_load_mm(path, opts, out, err, errlen);
	return data_load_csv(path, opts, out, err, errlen);
}

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
