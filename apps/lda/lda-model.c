/*
 * lda-model.c -- the LDA model file (lda.h) and the top words of topics.
 *
 * The format is text: header lines "# key value" (first "# strads lda
 * model", then app, topics, words, alpha, beta, tokens, docs, sweeps,
 * loglik_per_token, perplexity), then one line a word in id order:
 * "WORD k:count k:count ..." with the word's non-zero topic counts (topics
 * from 0). A word without a vocabulary is written as its id. Written
 * with strads_file_write_atomic: never half-written.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lda.h"

static int
model_put(FILE *f, void *arg)
{
	const lda_model_t *m = arg;
	uint32_t v, k;

	fprintf(f, "# strads lda model\n# app lda\n# topics %u\n# words %u\n"
	           "# alpha %.17g\n# beta %.17g\n# tokens %llu\n# docs %llu\n# sweeps %llu\n"
	           "# loglik_per_token %.17g\n# perplexity %.17g\n",
	    m->K, m->V, m->alpha, m->beta, (unsigned long long)m->ntokens,
	    (unsigned long long)m->ndocs, (unsigned long long)m->sweeps, m->loglik_per_token,
	    m->perplexity);
	for (v = 0; v < m->V; v++) {
		const int32_t *r = m->nwk + (size_t)v * m->K;

		if (m->vocab != NULL && m->vocab[v] != NULL)
			fputs(m->vocab[v], f);
		else
			fprintf(f, "%u", v);
		for (k = 0; k < m->K; k++)
			if (r[k] != 0)
				fprintf(f, " %u:%d", k, r[k]);
		fputc('\n', f);
	}
	return ferror(f) != 0;
}

int
lda_model_write(const char *path, const lda_model_t *m, char *err, size_t errlen)
{
	return strads_file_write_atomic(path, 0644, model_put, (void *)m, err, errlen) != 0
	    ? -1 : 0;
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

int
lda_model_read(const char *path, lda_model_t *m, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	uint32_t v = 0;
	int magic = 0;

	memset(m, 0, sizeof(*m));
	m->loglik_per_token = NAN;
	m->perplexity = NAN;
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		char *p, *end;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#') {
			char key[64], val[256];

			if (strcmp(line, "# strads lda model") == 0)
				magic = 1;
			if (sscanf(line, "# %63s %255s", key, val) != 2)
				continue;
			if (strcmp(key, "topics") == 0)
				m->K = (uint32_t)strtoul(val, NULL, 10);
			else if (strcmp(key, "words") == 0)
				m->V = (uint32_t)strtoul(val, NULL, 10);
			else if (strcmp(key, "alpha") == 0)
				m->alpha = strtod(val, NULL);
			else if (strcmp(key, "beta") == 0)
				m->beta = strtod(val, NULL);
			else if (strcmp(key, "tokens") == 0)
				m->ntokens = strtoull(val, NULL, 10);
			else if (strcmp(key, "docs") == 0)
				m->ndocs = strtoull(val, NULL, 10);
			else if (strcmp(key, "sweeps") == 0)
				m->sweeps = strtoull(val, NULL, 10);
			else if (strcmp(key, "loglik_per_token") == 0)
				m->loglik_per_token = strtod(val, NULL);
			else if (strcmp(key, "perplexity") == 0)
				m->perplexity = strtod(val, NULL);
			continue;
		}
		if (!magic || m->K == 0 || m->V == 0) {
			snprintf(err, errlen, "%s:%lu: expected the '# strads lda model' header "
			    "with '# topics K' and '# words V' before the words", path, lineno);
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
			p = end + strspn(end, " ");
		}
		v++;
	}
	if (!magic || v != m->V || m->V == 0) {
		snprintf(err, errlen, "%s: expected a strads lda model of %u words, got %u", path,
		    m->V, v);
		goto fail;
	}
	fclose(f);
	free(line);
	return 0;
fail:
	fclose(f);
	free(line);
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
