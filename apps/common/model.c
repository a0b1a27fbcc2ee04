/* model.c -- reading and writing the text model file (model.h). */
#include "config.h"

#include "model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strads.h"

/* ------------------------------------------------------------------ */
/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32())                   */

static uint32_t
crc32_update(uint32_t crc, const void *buf, size_t len)
{
	static uint32_t table[256];
	static int ready;
	const unsigned char *p = buf;
	size_t i;

	if (!ready) { /* idempotent: racing threads write the same values */
		uint32_t k, c;

		for (k = 0; k < 256; k++) {
			c = k;
			for (i = 0; i < 8; i++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[k] = c;
		}
		ready = 1;
	}
	crc = ~crc;
	for (i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* ------------------------------------------------------------------ */
/* Names in header lines: %XX for what would break a line or a field  */

void
model_put_escaped(FILE *f, const char *s)
{
	const char *first = s;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		/* A '#' first would read as a header line where a name
		 * starts one (an LDA model's words). */
		if (c <= ' ' || c >= 0x7f || c == '%' || (c == '#' && s == first))
			fprintf(f, "%%%02X", c);
		else
			fputc(c, f);
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int
model_unescape(char *s)
{
	char *w = s;

	for (; *s != '\0'; s++) {
		if (*s == '%') {
			int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);

			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			*w++ = (char)(hi << 4 | lo);
			s += 2;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
	return 0;
}

/* ------------------------------------------------------------------ */
/* Writing                                                            */

int
model_set_schema(model_t *m, const char *format, const char *ignore,
    const data_matrix_t *X)
{
	uint32_t j;

	snprintf(m->data_format, sizeof(m->data_format), "%s",
	    X->colnames != NULL ? "csv"
	    : X->format != NULL ? X->format
	    : format != NULL    ? format
	                        : "");
	if (X->colnames == NULL)
		return 0;
	if (X->target_name != NULL && (m->target = strdup(X->target_name)) == NULL)
		return -1;
	if (ignore != NULL && (m->ignore = strdup(ignore)) == NULL)
		return -1;
	if ((m->colnames = calloc(X->p ? X->p : 1, sizeof(char *))) == NULL)
		return -1;
	for (j = 0; j < X->p; j++)
		if ((m->colnames[j] = strdup(X->colnames[j])) == NULL)
			return -1;
	return 0;
}

int
model_set_options(model_t *m, int argc, char *const *argv)
{
	size_t len = 1;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	free(m->options);
	if ((m->options = malloc(len)) == NULL)
		return -1;
	m->options[0] = '\0';
	for (i = 0; i < argc; i++) {
		char *p;

		if (i > 0)
			strcat(m->options, " ");
		p = m->options + strlen(m->options);
		strcat(m->options, argv[i]);
		for (; *p != '\0'; p++) /* one line, whatever argv holds */
			if (*p == '\n' || *p == '\r')
				*p = ' ';
	}
	return 0;
}

/* The model's text up to its end line, into a memory stream. */
static int
model_text(const model_t *m, char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);
	uint64_t nnz = 0;
	uint32_t j;

	if (f == NULL)
		return -1;
	fprintf(f, "# strads model %d\n# app %s\n# p %u\n# n %llu\n",
	    MODEL_FORMAT, m->app, m->p, (unsigned long long)m->n);
	fprintf(f, "# lambda %.17g\n# intercept %.17g\n# index_base %d\n"
	           "# objective %.17g\n# converged %d\n",
	    m->lambda, m->intercept, m->index_base, m->objective, m->converged);
	if (!isnan(m->criterion))
		fprintf(f, "# criterion %.17g\n", m->criterion);
	fprintf(f, "# train_s %.6f\n# rounds %llu\n", m->train_s,
	    (unsigned long long)m->rounds);
	if (m->options != NULL)
		fprintf(f, "# options %s\n", m->options);
	if (m->labels[0] != '\0')
		fprintf(f, "# labels %s\n", m->labels);
	if (m->data_format[0] != '\0')
		fprintf(f, "# data_format %s\n", m->data_format);
	if (m->target != NULL) {
		fputs("# target ", f);
		model_put_escaped(f, m->target);
		fputc('\n', f);
	}
	if (m->ignore != NULL) {
		fputs("# ignore ", f);
		model_put_escaped(f, m->ignore);
		fputc('\n', f);
	}
	if (m->colnames != NULL)
		for (j = 0; j < m->p; j++) {
			fprintf(f, "# column %u ", j + 1);
			model_put_escaped(f, m->colnames[j]);
			fputc('\n', f);
		}
	for (j = 0; j < m->p; j++)
		if (m->coef[j] != 0) {
			fprintf(f, "%u %.17g\n", j + (uint32_t)m->index_base, m->coef[j]);
			nnz++;
		}
	fprintf(f, "# nnz %llu\n", (unsigned long long)nnz);
	if (ferror(f)) {
		fclose(f);
		free(*buf);
		*buf = NULL;
		return -1;
	}
	return fclose(f) != 0 ? -1 : 0;
}

typedef struct {
	const char *text;
	size_t len;
} text_t;

static int
model_put(FILE *f, void *arg)
{
	const text_t *t = arg;

	fwrite(t->text, 1, t->len, f);
	fprintf(f, "# end crc32 %08x\n", crc32_update(0, t->text, t->len));
	return ferror(f) != 0;
}

int
model_write(const char *path, const model_t *m, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	text_t t;
	int rc;

	if (model_text(m, &buf, &len) != 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	t.text = buf;
	t.len = len;
	rc = strads_file_write_atomic(path, 0644, model_put, &t, err, errlen) != 0
		 ? -1
		 : 0;
	free(buf);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Reading                                                            */

/* The whole file, NUL-terminated; -1 with a message. */
static int
slurp(const char *path, char **out, size_t *outlen, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	do {
		if (cap - len < 65536) {
			char *nb = realloc(buf, cap = cap ? 2 * cap : 65536 + 1);

			if (nb == NULL) {
				free(buf);
				fclose(f);
				snprintf(err, errlen, "%s: out of memory", path);
				return -1;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - 1 - len, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

/* Turns every CR LF of text into LF, in place; the new length. */
static size_t
crlf_to_lf(char *text, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++)
		if (!(text[i] == '\r' && i + 1 < len && text[i + 1] == '\n'))
			text[o++] = text[i];
	text[o] = '\0';
	return o;
}

/* Checks the end line and the checksum; the text before it is then
 * text[0 .. *body). */
static int
check_end(const char *path, const char *text, size_t len, size_t *body,
    char *err, size_t errlen)
{
	size_t k;
	unsigned int want;
	char tail;

	if (len == 0 || text[len - 1] != '\n') {
		snprintf(err, errlen, "%s: cut short: the model's last line is "
		    "incomplete (no '# end' line)", path);
		return -1;
	}
	for (k = len - 1; k > 0 && text[k - 1] != '\n'; k--)
		;
	if (sscanf(text + k, "# end crc32 %8x%c", &want, &tail) != 2 || tail != '\n') {
		snprintf(err, errlen, "%s: cut short or damaged: the last line is "
		    "not '# end crc32 ...'", path);
		return -1;
	}
	if (crc32_update(0, text, k) != want) {
		snprintf(err, errlen, "%s: damaged: its checksum does not match "
		    "(the file was edited or corrupted after it was written)", path);
		return -1;
	}
	*body = k;
	return 0;
}

static int
header_line(model_t *m, char *key, char *val)
{
	if (strcmp(key, "app") == 0)
		snprintf(m->app, sizeof(m->app), "%.31s", val);
	else if (strcmp(key, "lambda") == 0)
		m->lambda = strtod(val, NULL);
	else if (strcmp(key, "intercept") == 0)
		m->intercept = strtod(val, NULL);
	else if (strcmp(key, "n") == 0)
		m->n = strtoull(val, NULL, 10);
	else if (strcmp(key, "objective") == 0)
		m->objective = strtod(val, NULL);
	else if (strcmp(key, "index_base") == 0)
		m->index_base = atoi(val);
	else if (strcmp(key, "converged") == 0)
		m->converged = atoi(val) != 0;
	else if (strcmp(key, "criterion") == 0)
		m->criterion = strtod(val, NULL);
	else if (strcmp(key, "train_s") == 0)
		m->train_s = strtod(val, NULL);
	else if (strcmp(key, "rounds") == 0)
		m->rounds = strtoull(val, NULL, 10);
	else if (strcmp(key, "data_format") == 0)
		snprintf(m->data_format, sizeof(m->data_format), "%.15s", val);
	else if (strcmp(key, "labels") == 0) {
		if (strcmp(val, "0/1") != 0 && strcmp(val, "-1/+1") != 0)
			return -3;
		snprintf(m->labels, sizeof(m->labels), "%s", val);
	}
	else if (strcmp(key, "options") == 0)
		return (m->options = strdup(val)) == NULL ? -1 : 0;
	else if (strcmp(key, "target") == 0 || strcmp(key, "ignore") == 0) {
		char **dst = key[0] == 't' ? &m->target : &m->ignore;

		free(*dst);
		if ((*dst = strdup(val)) == NULL)
			return -1;
		return model_unescape(*dst) != 0 ? -2 : 0;
	}
	return 0;
}

int
model_read(const char *path, model_t *m, char *err, size_t errlen)
{
	char *text = NULL, *line, *next;
	size_t len, body;
	unsigned long lineno = 0;
	uint64_t nnz = 0, nnz_said = UINT64_MAX;
	int have_p = 0, format = 0;

	memset(m, 0, sizeof(*m));
	m->index_base = 1;
	m->criterion = NAN;
	if (slurp(path, &text, &len, err, errlen) != 0)
		return -1;
	{
		char other[32];

		/* Another app's own format ("# strads lda model"). */
		if (sscanf(text, "# strads %31[a-z_] model", other) == 1 &&
		    strcmp(other, "model") != 0) {
			snprintf(err, errlen, "%s: a strads %s model, in that app's own "
			    "format: strads predict does not read it", path, other);
			goto fail;
		}
	}
	if (strncmp(text, "# strads model", 14) != 0 ||
	    (text[14] != '\n' && text[14] != ' ')) {
		snprintf(err, errlen, "%s: not a strads model (its first line is "
		    "not '# strads model')", path);
		goto fail;
	}
	if (text[14] == ' ')
		format = atoi(text + 15);
	if (format < MODEL_FORMAT) {
		snprintf(err, errlen, "%s: a model in format 1, written by an older "
		    "strads without a checksum; train it again", path);
		goto fail;
	}
	if (format > MODEL_FORMAT) {
		snprintf(err, errlen, "%s: a model in format %d, newer than this "
		    "strads reads (%d)", path, format, MODEL_FORMAT);
		goto fail;
	}
	if (strlen(text) != len) {
		snprintf(err, errlen, "%s: damaged: it holds a NUL byte", path);
		goto fail;
	}
	/* The writer never puts a raw CR in a model (names are %-escaped),
	 * so CR LF line ends are a copy's conversion (a Windows editor, git
	 * with autocrlf): undone here, the checksum then holds. */
	len = crlf_to_lf(text, len);
	if (check_end(path, text, len, &body, err, errlen) != 0)
		goto fail;
	text[body] = '\0';
	for (line = text; *line != '\0'; line = next) {
		char *nl = strchr(line, '\n'), *end;
		unsigned long idx;
		double v;

		next = nl != NULL ? nl + 1 : line + strlen(line);
		if (nl != NULL)
			*nl = '\0';
		lineno++;
		if (line[0] == '#') {
			char *key = line + 1, *val;
			int rc;

			while (*key == ' ')
				key++;
			val = key + strcspn(key, " ");
			if (*val == ' ')
				*val++ = '\0';
			if (strcmp(key, "p") == 0) {
				if (have_p) {
					snprintf(err, errlen, "%s:%lu: a second '# p' line",
					    path, lineno);
					goto fail;
				}
				errno = 0;
				idx = strtoul(val, &end, 10);
				if (end == val || *end != '\0' || errno != 0 ||
				    idx > UINT32_MAX - 1) {
					snprintf(err, errlen, "%s:%lu: expected '# p COUNT'",
					    path, lineno);
					goto fail;
				}
				m->p = (uint32_t)idx;
				m->coef = calloc(m->p ? m->p : 1, sizeof(double));
				if (m->coef == NULL) {
					snprintf(err, errlen, "%s: out of memory (p %u)",
					    path, m->p);
					goto fail;
				}
				have_p = 1;
			} else if (strcmp(key, "nnz") == 0) {
				nnz_said = strtoull(val, NULL, 10);
			} else if (strcmp(key, "column") == 0) {
				char *name;

				idx = strtoul(val, &name, 10);
				if (!have_p || idx < 1 || idx > m->p || *name != ' ') {
					snprintf(err, errlen, "%s:%lu: expected '# column K "
					    "NAME' with K in 1..p, after '# p'", path, lineno);
					goto fail;
				}
				if (m->colnames == NULL &&
				    (m->colnames = calloc(m->p, sizeof(char *))) == NULL)
					goto oom;
				free(m->colnames[idx - 1]);
				if ((m->colnames[idx - 1] = strdup(name + 1)) == NULL)
					goto oom;
				if (model_unescape(m->colnames[idx - 1]) != 0) {
					snprintf(err, errlen, "%s:%lu: a bad %%-escape in a "
					    "column name", path, lineno);
					goto fail;
				}
			} else if ((rc = header_line(m, key, val)) != 0) {
				if (rc == -1)
					goto oom;
				if (rc == -3)
					snprintf(err, errlen, "%s:%lu: expected labels 0/1 or "
					    "-1/+1, got '%s'", path, lineno, val);
				else
					snprintf(err, errlen, "%s:%lu: a bad %%-escape", path,
					    lineno);
				goto fail;
			}
			continue;
		}
		if (line[strspn(line, " \t\r")] == '\0')
			continue;
		if (!have_p) {
			snprintf(err, errlen, "%s:%lu: coefficient before the '# p' header",
			    path, lineno);
			goto fail;
		}
		errno = 0;
		idx = strtoul(line, &end, 10);
		if (end == line || errno != 0 || (*end != ' ' && *end != '\t')) {
			snprintf(err, errlen, "%s:%lu: expected 'index value'", path, lineno);
			goto fail;
		}
		v = strtod(end, &end);
		if (*end != '\0' || !isfinite(v)) {
			snprintf(err, errlen, "%s:%lu: expected 'index value' with a "
			    "finite value", path, lineno);
			goto fail;
		}
		if (idx < (unsigned long)m->index_base ||
		    idx - (unsigned long)m->index_base >= m->p) {
			snprintf(err, errlen, "%s:%lu: index %lu outside %d..%lu", path,
			    lineno, idx, m->index_base,
			    (unsigned long)m->p - 1 + (unsigned long)m->index_base);
			goto fail;
		}
		m->coef[idx - (unsigned long)m->index_base] = v;
		nnz++;
	}
	if (!have_p) {
		snprintf(err, errlen, "%s: not a strads model (no '# p' header)", path);
		goto fail;
	}
	if (nnz_said != nnz) {
		snprintf(err, errlen, "%s: damaged: %llu coefficient lines where "
		    "its '# nnz' line says %llu", path, (unsigned long long)nnz,
		    (unsigned long long)nnz_said);
		goto fail;
	}
	if (m->colnames != NULL) {
		uint32_t j;

		for (j = 0; j < m->p; j++)
			if (m->colnames[j] == NULL) {
				snprintf(err, errlen, "%s: damaged: no '# column %u' line "
				    "(a CSV model names all of its %u columns)", path,
				    j + 1, m->p);
				goto fail;
			}
	}
	free(text);
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
fail:
	free(text);
	model_free(m);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Data against the model's schema                                    */

typedef struct {
	const char *name;
	uint32_t j;
} named_t;

static int
named_cmp(const void *a, const void *b)
{
	return strcmp(((const named_t *)a)->name, ((const named_t *)b)->name);
}

static int
col_cmp(const void *a, const void *b)
{
	const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* CSV: X's columns renamed to the model's indices; rows re-sorted. */
static int
match_names(const model_t *m, data_matrix_t *X, const char *path, char *err,
    size_t errlen)
{
	named_t *byname = NULL;
	uint32_t *map = NULL, j;
	uint64_t *pair = NULL, i, k, most = 0;
	double *val = NULL;
	char **names = NULL;
	int rc = -1;

	if (X->colnames == NULL) {
		snprintf(err, errlen, "%s: the model was trained on CSV columns, "
		    "matched by name; this data has no column names (train and "
		    "predict with the same format)", path);
		return -1;
	}
	byname = malloc((size_t)(m->p ? m->p : 1) * sizeof(*byname));
	map = malloc((size_t)(X->p ? X->p : 1) * sizeof(*map));
	names = calloc(m->p ? m->p : 1, sizeof(char *));
	if (byname == NULL || map == NULL || names == NULL)
		goto oom;
	for (j = 0; j < m->p; j++) {
		byname[j].name = m->colnames[j];
		byname[j].j = j;
	}
	qsort(byname, m->p, sizeof(*byname), named_cmp);
	for (j = 0; j < X->p; j++) {
		named_t key = {X->colnames[j], 0}, *hit;

		hit = bsearch(&key, byname, m->p, sizeof(*byname), named_cmp);
		if (hit == NULL) {
			snprintf(err, errlen, "%s: column '%.64s' is not one the model "
			    "was trained on%s%.64s%s (the model's --ignore%s%.64s; "
			    "pass --ignore to leave it out)", path, X->colnames[j],
			    m->target != NULL ? "; its target is '" : "",
			    m->target != NULL ? m->target : "",
			    m->target != NULL ? "'" : "",
			    m->ignore != NULL ? ": " : " was not set",
			    m->ignore != NULL ? m->ignore : "");
			goto out;
		}
		if (names[hit->j] != NULL) {
			snprintf(err, errlen, "%s: column '%.64s' appears twice", path,
			    X->colnames[j]);
			goto out;
		}
		names[hit->j] = X->colnames[j];
		map[j] = hit->j;
	}
	for (j = 0; j < m->p; j++)
		if (names[j] == NULL) {
			snprintf(err, errlen, "%s: the model's column '%.64s' is not in "
			    "the data", path, m->colnames[j]);
			goto out;
		}
	for (i = 0; i < X->n; i++)
		if (X->rowptr[i + 1] - X->rowptr[i] > most)
			most = X->rowptr[i + 1] - X->rowptr[i];
	pair = malloc((size_t)(most ? most : 1) * sizeof(*pair));
	val = malloc((size_t)(most ? most : 1) * sizeof(*val));
	if (pair == NULL || val == NULL)
		goto oom;
	/* Each entry becomes (new column << 32 | its old position in the
	 * row), sorted: the row in the model's column order. */
	for (i = 0; i < X->n; i++) {
		uint64_t b = X->rowptr[i], e = X->rowptr[i + 1];

		for (k = b; k < e; k++)
			pair[k - b] = (uint64_t)map[X->col[k]] << 32 | (k - b);
		qsort(pair, e - b, sizeof(*pair), col_cmp);
		for (k = b; k < e; k++) {
			X->col[k] = (uint32_t)(pair[k - b] >> 32);
			val[k - b] = X->val[b + (pair[k - b] & 0xffffffffu)];
		}
		memcpy(X->val + b, val, (e - b) * sizeof(double));
	}
	for (j = 0; j < m->p; j++) /* names[] points into X->colnames */
		names[j] = strdup(names[j]);
	for (j = 0; j < X->p; j++)
		free(X->colnames[j]);
	free(X->colnames);
	X->colnames = names;
	names = NULL;
	for (j = 0; j < m->p; j++)
		if (X->colnames[j] == NULL)
			goto oom;
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
out:
	free(val);
	free(pair);
	free(names);
	free(map);
	free(byname);
	return rc;
}

int
model_match(const model_t *m, data_matrix_t *X, const char *path, char *err,
    size_t errlen)
{
	uint64_t i, k;

	if (m->colnames != NULL)
		return match_names(m, X, path, err, errlen);
	if (X->colnames != NULL) {
		snprintf(err, errlen, "%s: CSV data for a model trained on %s data "
		    "(train and predict with the same format)", path,
		    m->data_format[0] != '\0' ? m->data_format : "LIBSVM");
		return -1;
	}
	if (X->p <= m->p)
		return 0;
	for (i = 0; i < X->n; i++)
		for (k = X->rowptr[i]; k < X->rowptr[i + 1]; k++)
			if (X->col[k] >= m->p) {
				snprintf(err, errlen, "%s: row %llu has feature %llu, but "
				    "the model has %u features (indices %d..%llu): data "
				    "of another problem?", path, (unsigned long long)i + 1,
				    (unsigned long long)X->col[k] + (unsigned)m->index_base,
				    m->p, m->index_base,
				    (unsigned long long)m->p - 1 + (unsigned)m->index_base);
				return -1;
			}
	return 0;
}

void
model_free(model_t *m)
{
	uint32_t j;

	if (m->colnames != NULL)
		for (j = 0; j < m->p; j++)
			free(m->colnames[j]);
	free(m->colnames);
	free(m->target);
	free(m->ignore);
	free(m->options);
	free(m->coef);
	m->colnames = NULL;
	m->target = m->ignore = m->options = NULL;
	m->coef = NULL;
}

/* ------------------------------------------------------------------ */
/* The end line for apps' own formats (model.h)                        */

uint32_t
model_crc32(uint32_t crc, const void *buf, size_t len)
{
	return crc32_update(crc, buf, len);
}

int
model_write_text(const char *path, const char *text, size_t len, char *err, size_t errlen)
{
	text_t t;

	t.text = text;
	t.len = len;
	return strads_file_write_atomic(path, 0644, model_put, &t, err, errlen) != 0 ? -1 : 0;
}

int
model_read_text(const char *path, char **text, size_t *body, char *err, size_t errlen)
{
	size_t len;

	*text = NULL;
	if (slurp(path, text, &len, err, errlen) != 0)
		return -1;
	if (check_end(path, *text, len, body, err, errlen) != 0) {
		free(*text);
		*text = NULL;
		return -1;
	}
	(*text)[*body] = '\0';
	return 0;
}
