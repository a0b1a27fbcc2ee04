/*
 * data-csv.c -- the CSV loader (data_load_csv): a header or none, a
 * response column, ignored columns, missing values dropped or imputed.
 * What the loaders share is data.c.
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
csv_ignore(const char *path, const char *spec, int optional, char **names, uint32_t ncols,
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
		if (optional)
			continue;
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
		if (data__whole_num(s, &v)) {
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
			    data__quote_tok(t, sizeof(t), s, 0),
			    r == ROLE_TARGET ? ""
					     : " (--ignore the column if it "
					       "is not a feature)");
		if (mode == DATA_MISSING_ERROR)
			return data_errf(err, errlen,
			    "%s:%llu: column %u (%s): expected a number, found "
			    "%s%s%s (use --missing drop|mean)",
			    c->path, ln, j + 1, c->names[j],
			    s[0] == '\0' ? "an empty field" : "'",
			    s[0] == '\0' ? "" : data__quote_tok(t, sizeof(t), s, 0),
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
		data__b_drop_row(&c->b);
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
	if (data__b_end_row(&c->b, y) != 0)
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

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A name the header gives twice: predict matches columns by name, so
 * such a model could never be applied. 0, or -1 with the message. */
static int
names_unique(const csv_t *c, char *err, size_t errlen)
{
	char **v = malloc(c->ncols * sizeof(*v));
	uint32_t j, a, b;

	if (v == NULL)
		return 0; /* the builder's allocation will say */
	memcpy(v, c->names, c->ncols * sizeof(*v));
	qsort(v, c->ncols, sizeof(*v), name_cmp);
	for (j = 1; j < c->ncols; j++)
		if (strcmp(v[j - 1], v[j]) == 0)
			break;
	if (j == c->ncols) {
		free(v);
		return 0;
	}
	for (a = 0; strcmp(c->names[a], v[j]) != 0; a++)
		;
	for (b = a + 1; strcmp(c->names[b], v[j]) != 0; b++)
		;
	data_errf(err, errlen,
	    "%s:1: expected distinct column names, found '%.*s' twice (columns %u "
	    "and %u)", c->path, TOKMAX, v[j], a + 1, b + 1);
	free(v);
	return -1;
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
	if (hdr != NULL && names_unique(c, err, errlen) != 0)
		return -1;
	if (o->ignore != NULL && csv_ignore(c->path, o->ignore, o->ignore_optional, c->names,
				     c->ncols, c->role, err, errlen) != 0)
		return -1;
	if (o->target != NULL) {
		t = csv_lookup(
		    o->target, strlen(o->target), c->names, c->ncols);
		if (t == 0 && o->target_optional)
			goto no_target;
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
no_target:
	for (j = 0; j < c->ncols; j++) /* one pass: 0 is "unmarked" */
		if (c->role[j] == 0)
			c->role[j] = p++;
	if (p == 0)
		return data_errf(err, errlen,
		    "%s: expected at least one feature column, found none "
		    "(all %u are the target or ignored)",
		    c->path, c->ncols);
	if (data__b_init(&c->b, t != 0, 0) != 0)
		goto oom;
	c->b.m.p = p;
	if (t != 0 && (c->b.m.target_name = strdup(c->names[t - 1])) == NULL)
		goto oom;
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
	if (data__lr_open(&r, path, err, errlen) != 0)
		return -1;

	/* The first non-blank line: delimiter, width, maybe names. */
	do {
		rc = data__lr_next(&r, &line, &len, err, errlen);
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
		if (data__grow_array((void **)&f1, cap1, sizeof(char *)) != 0)
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
		rc = data__lr_next(&r, &line, &len, err, errlen);
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
			if (data__whole_num(f1[j], &v) || is_missing(f1[j]))
				continue;
			header = !have2 || nf2 < 0 ||
				 (nf2 > 0 && j < (uint64_t)nf2 && j < c.ncols &&
				     data__whole_num(c.f[j], &v));
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
	while ((rc = data__lr_next(&r, &line, &len, err, errlen)) == 1) {
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
	data__b_finish(&c.b, out);
	out->unterminated = r.cut_line;
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
	data__lr_close(&r);
	return rc;
}
