/*
 * loader.h -- what the data loaders (data-libsvm.c, data-mm.c,
 * data-csv.c) share, defined in data.c: quoting bad tokens, numbers, the
 * line reader and the CSR builder. Internal to apps/common.
 */
#ifndef STRADS_APPS_LOADER_H
#define STRADS_APPS_LOADER_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"

#define TOKMAX 40 /* characters of a bad token quoted */
#define ISDIGIT(c) ((unsigned)((c) - '0') < 10u)
#define ISBLANK(c) ((c) == ' ' || (c) == '\t')

typedef unsigned long long ull;

/* A short printable copy of s for a message: up to the first blank
 * when stop_at_blank, else the whole string; long ones end in "...". */
const char *data__quote_tok(char *buf, size_t size, const char *s, int stop_at_blank);

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
int data__whole_num(char *s, double *v);
/* The error for a file that implies implied features, past maxf: names
 * path and line, what implies them (cause: "index 7", "a header of
 * 9 columns"), the memory the app would need and the option that lifts
 * the limit. Returns -1. */
int data__too_many_features(char *err, size_t errlen, const char *path, uint64_t line,
    const char *cause, uint64_t implied, uint64_t maxf, const data_opts_t *opts);

/* ------------------------------------------------------------------ */
/* Lines: a file read in large blocks, each line NUL-terminated in     */
/* place.                                                               */

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
	uint64_t cut_line; /* a last line with no newline, or 0 */
	uint64_t done;     /* bytes read so far */
	uint64_t note_ns;  /* when load progress is next reported */
	uint64_t limit;    /* a run of the file: bytes to read at most, or 0 */
	uint64_t whole;    /* a run's file size, its progress shown as a
	                      share of it; 0: no progress shown */
} lreader_t;

/* Opens path; 0, or -1 with a message in err. */
int data__lr_open(lreader_t *r, const char *path, char *err, size_t errlen);
/* Opens a run of path: len bytes from start (whole lines). The run
 * that shows load progress (show) shows it as the share of the file
 * its own share is. 0, or -1 with a message in err. */
int data__lr_open_run(lreader_t *r, const char *path, uint64_t start, uint64_t len,
    int show, char *err, size_t errlen);
void data__lr_close(lreader_t *r);
/* The next line (NUL-terminated in place, without its newline): 1, 0 at
 * the end of the file, -1 with a message in err. */
int data__lr_next(lreader_t *r, char **line, size_t *len, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* Building a CSR matrix row by row                                   */

typedef struct builder_s {
	data_matrix_t m;
	size_t rowcap; /* of rowptr (and y): rows + 1 */
	size_t nzcap;  /* of col and val */
	int with_y;
} builder_t;

/* Grows *p to hold need elements of elsize bytes; 0, or -1. */
int data__grow_array(void **p, size_t need, size_t elsize);
int data__b_init(builder_t *b, int with_y, size_t nz_hint);
int data__b_grow_nz(builder_t *b, size_t need);
static inline int
b_push(builder_t *b, uint32_t col, double v)
{
	if (b->m.nnz == b->nzcap && data__b_grow_nz(b, b->nzcap + 1) != 0)
		return -1;
	b->m.col[b->m.nnz] = col;
	b->m.val[b->m.nnz] = v;
	b->m.nnz++;
	return 0;
}
/* Ends the row whose entries were pushed since the last call. -1 when
 * out of memory or rows (2^32 - 1 at most). */
int data__b_end_row(builder_t *b, double y);
/* Forgets the entries pushed since the last row ended. */
void data__b_drop_row(builder_t *b);
/* Hands the matrix to out, trimming the arrays to size. */
void data__b_finish(builder_t *b, data_matrix_t *out);

#endif /* STRADS_APPS_LOADER_H */
