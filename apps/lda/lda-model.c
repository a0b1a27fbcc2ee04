/*
 * lda-model.c -- the LDA model file (lda.h) and the top words of topics.
 *
 * The format is text: header lines "# key value" (first "# strads lda
 * model 2", then app, topics, words, alpha, beta, tokens, docs, sweeps,
 * loglik_per_token, perplexity), then one line a word in id order:
 * "WORD k:count k:count ..." with the word's non-zero topic counts (topics
 * from 0; the word %-escaped as model_put_escaped does: a blank, a '%'
 * or a '#' first would break the line); then "# nnz N", the number of those pairs, and the end line
 * "# end crc32 XXXXXXXX" of the linear apps' models (apps/common/model.h),
 * so that a file cut short or edited is refused rather than read as a
 * smaller model. A word without a vocabulary is written as its id. Written
 * with strads_file_write_atomic: never half-written.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lda.h"
#include "model.h"

#define LDA_MODEL_FORMAT 2

/* The model's text up to its end line, into a memory stream. */
static int
model_text(const lda_model_t *m, char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);
	uint64_t nnz = 0;
	uint32_t v, k;

	if (f == NULL)
		return -1;
	fprintf(f, "# strads lda model %d\n# app lda\n# topics %u\n# words %u\n"
	           "# alpha %.17g\n# beta %.17g\n# tokens %llu\n# docs %llu\n# sweeps %llu\n"
	           "# loglik_per_token %.17g\n# perplexity %.17g\n",
	    LDA_MODEL_FORMAT, m->K, m->V, m->alpha, m->beta, (unsigned long long)m->ntokens,
	    (unsigned long long)m->ndocs, (unsigned long long)m->sweeps, m->loglik_per_token,
	    /* Not computed (a model saved on interrupt, before the
	     * held-out pass): nan, as the reader expects, never 0. */
	    m->perplexity >= 1 ? m->perplexity : NAN);
	for (v = 0; v < m->V; v++) {
		const int32_t *r = m->nwk + (size_t)v * m->K;

		if (m->vocab != NULL && m->vocab[v] != NULL)
			model_put_escaped(f, m->vocab[v]);
		else
			fprintf(f, "%u", v);
		for (k = 0; k < m->K; k++)
			if (r[k] != 0) {
				fprintf(f, " %u:%d", k, r[k]);
				nnz++;
			}
		fputc('\n', f);
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

int
lda_model_write(const char *path, const lda_model_t *m, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (model_text(m, &buf, &len) != 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	rc = model_write_text(path, buf, len, err, errlen);
	free(buf);
	return rc;
}

void
lda_model_free(lda_model_t *m)
{
	uint32_t v;

	if (m->vocab != NULL)
		for (v = 0; v < m->V; v++)
			free(m->vocab[v]);
	free(m->vocab);
	free(m->nwk);
	memset(m, 0, sizeof(*m));
}

/* A decimal count (digits only: "-5" is not read as 2^64 - 5) no larger
 * than max. */
static int
header_count(const char *val, uint64_t max, uint64_t *out)
{
	char *end;

	if (val[0] < '0' || val[0] > '9')
		return -1;
	errno = 0;
	*out = strtoull(val, &end, 10);
	return *end != '\0' || errno != 0 || *out > max ? -1 : 0;
}

/* A number in [lo, hi] (nan_ok: or "nan", a figure not measured). */
static int
header_real(const char *val, double lo, double hi, int nan_ok, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(val, &end);
	if (end == val || *end != '\0' || errno == ERANGE)
		return -1;
	if (isnan(*out))
		return nan_ok ? 0 : -1;
	return *out >= lo && *out <= hi ? 0 : -1;
}

/* A header line's key and value into m; nnz_said gets "# nnz". A value
 * out of what a run writes is refused (the checksum only says that the
 * file is as written, not that the writer was strads): -1 with the
 * message in err. Unknown keys are skipped (room for later ones). */
static int
header_line(lda_model_t *m, const char *line, uint64_t *nnz_said, const char *path,
    unsigned long lineno, char *err, size_t errlen)
{
	char key[64], val[256];
	const char *want = NULL;
	uint64_t n;
	double x;

	if (sscanf(line, "# %63s %255s", key, val) != 2)
		return 0;
	if ((strcmp(key, "topics") == 0 || strcmp(key, "words") == 0) && m->nwk != NULL) {
		/* The counts are laid out by the first K and V. */
		want = "the shape before the word lines";
	} else if (strcmp(key, "topics") == 0) {
		/* strads run's --topics range. */
		if (header_count(val, 1000000, &n) != 0 || n == 0)
			want = "a topic count from 1 to 1000000";
		m->K = (uint32_t)n;
	} else if (strcmp(key, "words") == 0) {
		if (header_count(val, UINT32_MAX - 1, &n) != 0 || n == 0)
			want = "a word count from 1 to 4294967294";
		m->V = (uint32_t)n;
	} else if (strcmp(key, "alpha") == 0 || strcmp(key, "beta") == 0) {
		/* strads run's range for both priors. */
		if (header_real(val, 0, 1e100, 0, &x) != 0 || !(x > 0))
			want = "a prior above 0 and at most 1e100";
		*(key[0] == 'a' ? &m->alpha : &m->beta) = x;
	} else if (strcmp(key, "tokens") == 0 || strcmp(key, "docs") == 0 ||
	           strcmp(key, "sweeps") == 0 || strcmp(key, "nnz") == 0) {
		if (header_count(val, UINT64_MAX, &n) != 0)
			want = "a decimal count";
		if (key[0] == 't')
			m->ntokens = n;
		else if (key[0] == 'd')
			m->ndocs = n;
		else if (key[0] == 's')
			m->sweeps = n;
		else
			*nnz_said = n;
	} else if (strcmp(key, "loglik_per_token") == 0) {
		if (header_real(val, -INFINITY, 0, 1, &x) != 0 || isinf(x))
			want = "a log-likelihood a token: a finite number at most 0, or nan";
		m->loglik_per_token = x;
	} else if (strcmp(key, "perplexity") == 0) {
		if (header_real(val, 1, INFINITY, 1, &x) != 0 || isinf(x))
			want = "a perplexity: a finite number at least 1, or nan";
		m->perplexity = x;
	}
	if (want != NULL) {
		snprintf(err, errlen, "%s:%lu: '# %s %s': expected %s", path, lineno, key, val,
		    want);
		return -1;
	}
	return 0;
}

int
lda_model_read(const char *path, lda_model_t *m, char *err, size_t errlen)
{
	char *text = NULL, *line, *next;
	size_t body;
	unsigned long lineno = 0;
	uint64_t nnz = 0, nnz_said = UINT64_MAX;
	uint32_t v = 0;

	memset(m, 0, sizeof(*m));
	m->loglik_per_token = NAN;
	m->perplexity = NAN;
	/* A model of the first format, without the end line, is named as
	 * such rather than as damaged. */
	{
		FILE *f = fopen(path, "r");
		char first[64];

		if (f != NULL) {
			int got = fgets(first, sizeof(first), f) != NULL;

			fclose(f);
			if (got && strcmp(first, "# strads lda model\n") == 0) {
				snprintf(err, errlen, "%s: an LDA model in format 1, written by an "
				    "older strads without a checksum; train it again", path);
				return -1;
			}
			if (!got || strncmp(first, "# strads lda model ", 19) != 0) {
				snprintf(err, errlen, "%s:1: not a strads lda model (expected the "
				    "line '# strads lda model %d')", path, LDA_MODEL_FORMAT);
				return -1;
			}
		}
	}
	if (model_read_text(path, &text, &body, err, errlen) != 0)
		return -1;
	if (strncmp(text, "# strads lda model ", 19) != 0 ||
	    atoi(text + 19) != LDA_MODEL_FORMAT) {
		snprintf(err, errlen, "%s:1: expected '# strads lda model %d'", path,
		    LDA_MODEL_FORMAT);
		goto fail;
	}
	for (line = text; *line != '\0'; line = next) {
		char *p, *end;

		next = strchr(line, '\n');
		*next++ = '\0';
		lineno++;
		if (line[0] == '#') {
			if (header_line(m, line, &nnz_said, path, lineno, err, errlen) != 0)
				goto fail;
			continue;
		}
		if (nnz_said != UINT64_MAX) {
			snprintf(err, errlen, "%s:%lu: a word line after '# nnz'", path, lineno);
			goto fail;
		}
		if (m->K == 0 || m->V == 0) {
			snprintf(err, errlen, "%s:%lu: expected '# topics K' and '# words V' "
			    "before the words", path, lineno);
			goto fail;
		}
		if (m->nwk == NULL) {
			m->nwk = calloc((size_t)m->V * m->K, sizeof(int32_t));
			m->vocab = calloc(m->V, sizeof(char *));
			if (m->nwk == NULL || m->vocab == NULL) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto fail;
			}
		}
		if (v >= m->V) {
			snprintf(err, errlen, "%s:%lu: expected %u word lines, got more", path,
			    lineno, m->V);
			goto fail;
		}
		p = line + strcspn(line, " ");
		if (*p != '\0')
			*p++ = '\0';
		if ((m->vocab[v] = strdup(line)) == NULL) {
			snprintf(err, errlen, "%s: out of memory", path);
			goto fail;
		}
		if (model_unescape(m->vocab[v]) != 0) {
			snprintf(err, errlen, "%s:%lu: a bad %%-escape in the word", path, lineno);
			goto fail;
		}
		while (*p != '\0') {
			unsigned long k;
			long cnt;

			errno = 0;
			k = strtoul(p, &end, 10);
			if (end == p || *end != ':' || k >= m->K) {
				snprintf(err, errlen, "%s:%lu: expected 'topic:count' with a topic "
				    "below %u", path, lineno, m->K);
				goto fail;
			}
			p = end + 1;
			cnt = strtol(p, &end, 10);
			if (end == p || errno != 0 || cnt < 0 || cnt > INT32_MAX) {
				snprintf(err, errlen, "%s:%lu: expected a count after '%lu:'", path,
				    lineno, k);
				goto fail;
			}
			m->nwk[(size_t)v * m->K + k] = (int32_t)cnt;
			nnz++;
			p = end + strspn(end, " ");
		}
		v++;
	}
	if (v != m->V || m->V == 0) {
		snprintf(err, errlen, "%s: expected a strads lda model of %u words, got %u", path,
		    m->V, v);
		goto fail;
	}
	if (nnz_said == UINT64_MAX) {
		snprintf(err, errlen, "%s: no '# nnz' line after the words", path);
		goto fail;
	}
	if (nnz_said != nnz) {
		snprintf(err, errlen, "%s: '# nnz' says %llu topic counts, the words have %llu",
		    path, (unsigned long long)nnz_said, (unsigned long long)nnz);
		goto fail;
	}
	free(text);
	return 0;
fail:
	free(text);
	lda_model_free(m);
	return -1;
}

/* The n words of highest phi_kw in each topic (phi's denominator is the
 * topic's: the order is that of the counts). */
void
lda_print_topics(FILE *f, const int32_t *nwk, char *const *vocab, uint32_t V, uint32_t K,
    int n)
{
	uint32_t k, v, *top;
	int i, j, have;

	if (n <= 0 || (top = malloc((size_t)n * sizeof(uint32_t))) == NULL)
		return;
	for (k = 0; k < K; k++) {
		double tot = 0;

		have = 0;
		for (v = 0; v < V; v++) {
			int32_t c = nwk[(size_t)v * K + k];

			tot += c;
			if (c == 0 || (have == n && c <= nwk[(size_t)top[n - 1] * K + k]))
				continue;
			/* Insertion into the kept words, largest first. */
			for (j = have < n ? have++ : n - 1; j > 0 && nwk[(size_t)top[j - 1] * K + k] < c;
			     j--)
				top[j] = top[j - 1];
			top[j] = v;
		}
		fprintf(f, "topic %u:", k);
		for (i = 0; i < have; i++) {
			if (vocab != NULL && vocab[top[i]] != NULL)
				fprintf(f, " %s", vocab[top[i]]);
			else
				fprintf(f, " %u", top[i]);
		}
		fprintf(f, "  (%.0f tokens)\n", tot);
	}
	free(top);
}
