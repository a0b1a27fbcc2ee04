/*
 * lda-predict.c -- `strads predict MODEL DOCS` for an LDA model (the
 * registry's owns_model and predict_file): the topic proportions of new
 * documents by fold-in, the model's word-topic counts fixed
 * (lda_fold_in).
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lda.h"
#include "registry.h"

static void
predict_usage(FILE *f)
{
	fprintf(f,
	    "usage: strads predict LDA-MODEL DOCS [--format F] [--iters N] [--seed S]\n"
	    "                      [--out FILE] [--quiet]\n"
	    "\n"
	    "Prints the topic proportions of each document of DOCS, one line a\n"
	    "document in order, as --doc-topics does for the training documents:\n"
	    "k:theta for each topic k the document uses (a topic not listed has\n"
	    "alpha / (N + K alpha), N the document's tokens in the model's\n"
	    "vocabulary). They are found by fold-in: the document's topics are\n"
	    "sampled by Gibbs with the model's word-topic counts fixed, and theta\n"
	    "is averaged over the second half of the sweeps.\n"
	    "\n"
	    "  --format F          ldac (word ids of the model's vocabulary, from 0),\n"
	    "                      uci (ids from 1) or text (words of the model's\n"
	    "                      vocabulary; others are dropped); default as\n"
	    "                      strads run lda guesses it (DOCS -: the standard\n"
	    "                      input, --format required)\n"
	    "  --iters N           fold-in sweeps a document (default 50)\n"
	    "  --seed S            seed of the sampler (default 1)\n"
	    "  --out FILE          write the lines to FILE (atomically), not stdout\n"
	    "  --quiet             no summary on stderr\n");
}

typedef struct {
	const lda_model_t *m;
	const lda_corpus_t *c;
	const uint32_t *map; /* corpus word -> model word, or UINT32_MAX */
	long iters;
	uint64_t seed;
	uint64_t dropped;    /* tokens out of the model's vocabulary */
	int oom;
} predict_t;

/* The documents' lines on f. */
static int
predict_put(FILE *f, void *arg)
{
	predict_t *t = arg;
	const lda_model_t *m = t->m;
	const lda_corpus_t *c = t->c;
	uint32_t K = m->K, k, d;
	double *phi = lda_phi(m->nwk, m->V, K, m->beta);
	double *theta = malloc(K * sizeof(double));
	uint32_t *w = malloc(((size_t)c->maxlen + 1) * sizeof(uint32_t));
	lda_fold_t fs;
	app_rng_t r;
	uint64_t i;

	memset(&fs, 0, sizeof(fs));
	t->dropped = 0;
	if (phi == NULL || theta == NULL || w == NULL ||
	    lda_fold_init(&fs, K, (uint64_t)c->maxlen + 1) != 0) {
		t->oom = 1;
		goto out;
	}
	app_rng_seed(&r, t->seed, 0xf01d);
	for (d = 0; d < c->ndocs; d++) {
		uint64_t n = 0;
		double floor_;
		int first = 1;

		for (i = c->doc_ptr[d]; i < c->doc_ptr[d + 1]; i++) {
			uint32_t v = t->map != NULL ? t->map[c->tok[i]] : c->tok[i];

			if (v == UINT32_MAX)
				t->dropped++;
			else
				w[n++] = v;
		}
		lda_fold_in(phi, K, m->alpha, w, n, 1, (int)t->iters, &r, &fs, theta);
		/* A topic no sample gave a token has exactly this. */
		floor_ = m->alpha / ((double)n + K * m->alpha);
		for (k = 0; k < K; k++)
			if (theta[k] > floor_ * (1 + 1e-9)) {
				fprintf(f, "%s%u:%.6g", first ? "" : " ", k, theta[k]);
				first = 0;
			}
		fputc('\n', f);
	}
out:
	free(phi);
	free(theta);
	free(w);
	lda_fold_free(&fs);
	return t->oom || ferror(f) != 0;
}

static const lda_model_t *sort_model; /* bsearch's key order */

static int
sorted_cmp(const void *a, const void *b)
{
	return strcmp(sort_model->vocab[*(const uint32_t *)a],
	    sort_model->vocab[*(const uint32_t *)b]);
}

static int
key_cmp(const void *key, const void *b)
{
	return strcmp(key, sort_model->vocab[*(const uint32_t *)b]);
}

/* Maps the words of a text corpus to the model's vocabulary: map[v] is
 * the model's id of corpus word v, or UINT32_MAX. NULL when out of
 * memory. */
static uint32_t *
vocab_map(const lda_model_t *m, const lda_corpus_t *c)
{
	uint32_t *order = malloc((size_t)m->V * sizeof(uint32_t));
	uint32_t *map = malloc(((size_t)c->nwords + 1) * sizeof(uint32_t));
	uint32_t v;

	if (order == NULL || map == NULL) {
		free(order);
		free(map);
		return NULL;
	}
	for (v = 0; v < m->V; v++)
		order[v] = v;
	sort_model = m;
	qsort(order, m->V, sizeof(uint32_t), sorted_cmp);
	for (v = 0; v < c->nwords; v++) {
		const uint32_t *hit = c->vocab != NULL && c->vocab[v] != NULL ?
		    bsearch(c->vocab[v], order, m->V, sizeof(uint32_t), key_cmp) : NULL;

		map[v] = hit != NULL ? *hit : UINT32_MAX;
	}
	sort_model = NULL;
	free(order);
	return map;
}

/* The format of DOCS: --format, or as strads run lda guesses it. */
static const char *
docs_format(const char *path, const char *format)
{
	return format != NULL ? format : lda_guess_format(path);
}

int
lda_owns_model(const char *path)
{
	FILE *f = fopen(path, "r");
	char first[32];
	int yes;

	if (f == NULL)
		return 0;
	yes = fgets(first, sizeof(first), f) != NULL &&
	    strncmp(first, "# strads lda model", 18) == 0 &&
	    (first[18] == '\n' || first[18] == ' ');
	fclose(f);
	return yes;
}

int
lda_predict_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"iters", required_argument, NULL, 'i'},
	    {"seed", required_argument, NULL, 's'},
	    {"out", required_argument, NULL, 'o'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *format = NULL, *out = NULL, *docs;
	lda_model_t m;
	lda_corpus_t c;
	predict_t t;
	char err[1024];
	long iters = 50, seed = 1;
	int ch, quiet = 0, rc = CLI_FAIL;
	uint32_t d;
	uint64_t i;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "ldac") != 0 && strcmp(optarg, "uci") != 0 &&
			    strcmp(optarg, "text") != 0) {
				fprintf(stderr, "strads predict: --format: expected ldac, uci or "
				    "text, got '%s'\n", optarg);
				return CLI_USAGE;
			}
			format = optarg;
			break;
		case 'i':
			if (cli_parse_long_in("predict", "--iters", optarg, 1, 1000000, &iters) != 0)
				return CLI_USAGE;
			break;
		case 's':
			if (cli_parse_long("predict", "--seed", optarg, 0, &seed) != 0)
				return CLI_USAGE;
			break;
		case 'o': out = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': predict_usage(stdout); return CLI_OK;
		default:
			fprintf(stderr, "strads predict: %s '%s' (for an LDA model)\n"
			    "Try 'strads predict MODEL --help'.\n",
			    ch == ':' ? "a value is needed after" : "unknown option", argv[optind - 1]);
			return CLI_USAGE;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "strads predict: expected MODEL and DOCS, got %d argument%s\n",
		    argc - optind, argc - optind == 1 ? "" : "s");
		predict_usage(stderr);
		return CLI_USAGE;
	}
	docs = argv[optind + 1];
	if (out != NULL && cli_writable("predict", out) != 0)
		return CLI_FAIL;
	if (lda_model_read(argv[optind], &m, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads predict: %s\n", err);
		return CLI_MODEL;
	}
	memset(&c, 0, sizeof(c));
	memset(&t, 0, sizeof(t));
	if (strcmp(docs, "-") == 0 && format == NULL) {
		/* The standard input: no name nor first line to guess by. */
		fprintf(stderr, "strads predict: -: the standard input has no file name to tell "
		    "its format by; pass --format ldac|uci|text\n");
		goto done;
	}
	format = docs_format(docs, format);
	if (strcmp(format, "text") == 0) {
		lda_text_opts_t o;

		/* Keep every word: the model's vocabulary is the filter. */
		lda_text_opts_init(&o);
		o.builtin_stop = 0;
		if (lda_load_text(docs, &o, &c, err, sizeof(err)) != 0)
			goto load_fail;
		if (c.nwords > 0 && (t.map = vocab_map(&m, &c)) == NULL) {
			fprintf(stderr, "strads predict: out of memory\n");
			goto done;
		}
	} else {
		if ((strcmp(format, "uci") == 0 ? lda_load_uci(docs, NULL, &c, err, sizeof(err))
		                                : lda_load_ldac(docs, NULL, &c, err, sizeof(err))) != 0)
			goto load_fail;
		/* Ids are the model's: one past its vocabulary is an error. */
		for (d = 0; d < c.ndocs; d++)
			for (i = c.doc_ptr[d]; i < c.doc_ptr[d + 1]; i++)
				if (c.tok[i] >= m.V) {
					fprintf(stderr, "strads predict: %s: document %u has word id "
					    "%u%s, past the model's %u words\n", docs, d + 1,
					    c.tok[i] + (strcmp(format, "uci") == 0),
					    strcmp(format, "uci") == 0 ? " (from 1)" : "", m.V);
					rc = CLI_MODEL;
					goto done;
				}
	}
	t.m = &m;
	t.c = &c;
	t.iters = iters;
	t.seed = (uint64_t)seed;
	if (out != NULL) {
		if (strads_file_write_atomic(out, 0644, predict_put, &t, err, sizeof(err)) != 0) {
			fprintf(stderr, "strads predict: %s\n", t.oom ? "out of memory" : err);
			goto done;
		}
	} else if (predict_put(stdout, &t) != 0 || fflush(stdout) != 0) {
		fprintf(stderr, "strads predict: %s\n", t.oom ? "out of memory" :
		    "cannot write the predictions");
		goto done;
	}
	if (!quiet)
		fprintf(stderr, "strads predict: %u documents, %llu tokens, %llu of them not in "
		    "the model's vocabulary (left out); %ld fold-in sweeps a document\n", c.ndocs,
		    (unsigned long long)c.ntokens, (unsigned long long)t.dropped, iters);
	rc = CLI_OK;
	goto done;
load_fail:
	fprintf(stderr, "strads predict: %s\n", err);
done:
	free((void *)t.map);
	lda_corpus_free(&c);
	lda_model_free(&m);
	return rc;
}
