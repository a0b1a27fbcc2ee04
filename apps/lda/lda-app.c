/*
 * lda-app.c -- the LDA app's entry in the registry (apps/registry.h): its
 * options, loading its corpus, its job for `strads run`, its model file
 * and `strads topics MODEL`. One process only (doc/lda.md says why).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lda.h"
#include "registry.h"

/* Listed in apps/registry.c. */
extern const app_entry_t lda_entry;

typedef struct lda_state_s {
	app_state_t base; /* first: the commands read it */
	const char *data, *vocab, *format; /* borrowed from argv */
	const char *doc_topics;            /* borrowed from argv, or NULL */
	lda_text_opts_t text; /* stopwords borrowed from argv */
	long topics, iters, threads, staleness, top, fold_iters, parts;
	int cluster;        /* strads coordinator or node */
	int stale_inf, quiet;
	double alpha, beta, test_frac;
	unsigned long long seed;
	lda_corpus_t all;   /* owned once loaded */
	lda_corpus_t train; /* owned when split (test_frac > 0) */
	lda_corpus_t test;
	const lda_corpus_t *corpus; /* borrowed: what is trained on */
	lda_t l;            /* owned once loaded */
	double perplexity;  /* the result's, for the model file */
} lda_state_t;

static void
lda_options(FILE *f)
{
	fprintf(f,
	    "data:\n"
	    "  --data FILE         the corpus (required): lda-c ('N id:count ...', ids\n"
	    "                      from 0), UCI bag-of-words (docword.*.txt) or raw\n"
	    "                      text, one document a line; - the standard input\n"
	    "                      (with --format); at most 1048576 tokens a\n"
	    "                      document\n"
	    "  --vocab FILE        its vocabulary, one word a line (line i: id i for\n"
	    "                      lda-c, id i+1 for UCI)\n"
	    "  --format F          ldac, uci or text (default: uci for a file named\n"
	    "                      *docword*, text when the first line starts with a\n"
	    "                      letter, else ldac)\n"
	    "text:                 lowercased, split on anything but letters a-z,\n"
	    "                      words of one letter dropped\n"
	    "  --stopwords FILE    also drop these words (one a line)\n"
	    "  --no-stopwords      keep the built-in English stop words\n"
	    "  --min-count N       drop words seen fewer than N times (default 1)\n"
	    "  --max-df F          drop words in more than this fraction of the\n"
	    "                      documents (default 1: none)\n"
	    "  --test-fraction F   hold out this fraction of the documents and report\n"
	    "                      their perplexity by document completion (default 0)\n"
	    "model:\n"
	    "  --topics K          topics (default 100)\n"
	    "  --alpha A           document-topic prior, per topic (default 0.1)\n"
	    "  --beta B            topic-word prior, per word (default 0.01)\n"
	    "solver:\n"
	    "  --iters N           sweeps: every token sampled once a sweep (default 100)\n"
	    "  --staleness S       sweeps a worker's topic totals may lag, or inf\n"
	    "                      (default 0)\n"
	    "  --seed S            seed of the first assignments and of the sampler\n"
	    "                      (default 1)\n"
	    "  --threads N         loops, compute threads and workers (default: cores)\n"
	    "  --parts N           parts of the vocabulary a sweep is cut into\n"
	    "                      (default: 2 x workers; in a cluster 8, or one a\n"
	    "                      worker when it has more)\n"
	    "output:\n"
	    "  --out FILE          model file (default: lda.model)\n"
	    "  --metrics FILE      one JSON object per check (sweep)\n"
	    "  --doc-topics FILE   the training documents' topic proportions, one\n"
	    "                      line a document: k:theta for its topics in use\n"
	    "  --top N             top words a topic printed at the end (default 10;\n"
	    "                      0: none)\n"
	    "  --quiet             no progress lines\n");
}

static void
lda_usage(const char *cmd, FILE *f)
{
	(void)cmd;
	fprintf(f,
	    "LDA: latent Dirichlet allocation by collapsed Gibbs sampling, model-\n"
	    "parallel by word rotation (doc/lda.md), in one process or a cluster.\n"
	    "\n");
	lda_options(f);
}

enum { O_DATA = 256, O_VOCAB, O_FORMAT, O_STOP, O_NOSTOP, O_MINCOUNT, O_MAXDF, O_TEST, O_TOPICS, O_ALPHA, O_BETA, O_ITERS,
	O_STALE, O_SEED, O_THREADS, O_OUT, O_METRICS, O_TOP, O_QUIET, O_DOCTOP, O_PARTS, O_LAST };

static const struct option lda_opts[] = {
    {"data", required_argument, NULL, O_DATA},
    {"vocab", required_argument, NULL, O_VOCAB},
    {"format", required_argument, NULL, O_FORMAT},
    {"stopwords", required_argument, NULL, O_STOP},
    {"no-stopwords", no_argument, NULL, O_NOSTOP},
    {"min-count", required_argument, NULL, O_MINCOUNT},
    {"max-df", required_argument, NULL, O_MAXDF},
    {"test-fraction", required_argument, NULL, O_TEST},
    {"topics", required_argument, NULL, O_TOPICS},
    {"alpha", required_argument, NULL, O_ALPHA},
    {"beta", required_argument, NULL, O_BETA},
    {"iters", required_argument, NULL, O_ITERS},
    {"staleness", required_argument, NULL, O_STALE},
    {"seed", required_argument, NULL, O_SEED},
    {"threads", required_argument, NULL, O_THREADS},
    {"parts", required_argument, NULL, O_PARTS},
    {"out", required_argument, NULL, O_OUT},
    {"metrics", required_argument, NULL, O_METRICS},
    {"doc-topics", required_argument, NULL, O_DOCTOP},
    {"top", required_argument, NULL, O_TOP},
    {"quiet", no_argument, NULL, O_QUIET},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int
lda_opt(const char *cmd, lda_state_t *s, int c, const char *arg)
{
	long v;
	int bad = 0;

	switch (c) {
	case O_DATA: s->data = s->base.data = arg; break;
	case O_VOCAB: s->vocab = arg; break;
	case O_FORMAT:
		if (strcmp(arg, "ldac") != 0 && strcmp(arg, "uci") != 0 &&
		    strcmp(arg, "text") != 0) {
			fprintf(stderr, "strads %s: --format: expected ldac, uci or text, got "
			    "'%s'\n", cmd, arg);
			bad = 1;
		}
		s->format = arg;
		break;
	case O_STOP: s->text.stopwords = arg; break;
	case O_NOSTOP: s->text.builtin_stop = 0; break;
	case O_MINCOUNT:
		bad = cli_parse_long(cmd, "--min-count", arg, 1, &v);
		s->text.min_count = (uint64_t)v;
		break;
	case O_MAXDF:
		bad = cli_parse_double_in(cmd, "--max-df", arg, 0, 1, 1, &s->text.max_df);
		break;
	case O_TEST:
		bad = cli_parse_double_in(cmd, "--test-fraction", arg, 0, 0, 1, &s->test_frac);
		break;
	case O_TOPICS:
		bad = cli_parse_long_in(cmd, "--topics", arg, 1, 1000000, &s->topics);
		break;
	case O_ALPHA:
		bad = cli_parse_double_in(cmd, "--alpha", arg, 0, 1, 1e100, &s->alpha);
		break;
	case O_BETA:
		bad = cli_parse_double_in(cmd, "--beta", arg, 0, 1, 1e100, &s->beta);
		break;
	case O_ITERS: bad = cli_parse_long_in(cmd, "--iters", arg, 1, 100000000, &s->iters); break;
	case O_STALE:
		if (strcmp(arg, "inf") == 0)
			s->stale_inf = 1;
		else
			bad = cli_parse_long_in(cmd, "--staleness", arg, 0, 1000000, &s->staleness);
		break;
	case O_SEED:
		bad = cli_parse_long(cmd, "--seed", arg, 0, &v);
		s->seed = (unsigned long long)v;
		break;
	case O_THREADS:
		bad = cli_parse_long_in(cmd, "--threads", arg, 1, STRADS_MAX_LOOPS, &s->threads);
		break;
	case O_PARTS:
		bad = cli_parse_long_in(cmd, "--parts", arg, 1, 1000000, &s->parts);
		break;
	case O_OUT: s->base.out = arg; break;
	case O_METRICS: s->base.metrics = arg; break;
	case O_DOCTOP: s->doc_topics = arg; break;
	case O_TOP: bad = cli_parse_long_in(cmd, "--top", arg, 0, 1000000, &s->top); break;
	case O_QUIET: s->quiet = 1; break;
	default: return 1;
	}
	return bad ? -1 : 0;
}

static int
lda_parse(const char *cmd, int argc, char **argv, const struct option *extra,
    cli_host_cb host, void *arg, cJSON *spec, app_state_t **out)
{
	unsigned char seen[O_LAST - 256];
	struct option opts[128];
	lda_state_t *s;
	size_t n = 0, i;
	int c, idx, bad = 0, rc = CLI_USAGE;

	/* The app's options, then the command's own (host: --strict,
	 * --save-on-interrupt of strads run). */
	for (i = 0; lda_opts[i].name != NULL && n < 100; i++)
		opts[n++] = lda_opts[i];
	for (i = 0; extra != NULL && extra[i].name != NULL && n < 126; i++)
		opts[n++] = extra[i];
	memset(&opts[n], 0, sizeof(opts[n]));
	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		fprintf(stderr, "strads %s: out of memory\n", cmd);
		return CLI_FAIL;
	}
	s->topics = 100;
	s->iters = 100;
	s->alpha = 0.1;
	s->beta = 0.01;
	s->seed = 1;
	s->top = 10;
	s->fold_iters = 20;
	s->base.out = "lda.model";
	s->cluster = strcmp(cmd, "run") != 0;
	lda_text_opts_init(&s->text);
	memset(seen, 0, sizeof(seen));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, &idx)) != -1) {
		if (c == 'h') {
			rc = CLI_HELP;
			goto fail;
		}
		if (c == '?' || c == ':') {
			fprintf(stderr, "strads %s: %s '%s'\n", cmd,
			    c == ':' ? "a value is needed after" : "unknown option",
			    argv[optind - 1]);
			fprintf(stderr, "Try 'strads %s lda --help'.\n", cmd);
			goto fail;
		}
		if (c >= CLI_HOST_OPT) {
			if (host == NULL || host(arg, c, optarg) != 0)
				bad = 1;
			continue;
		}
		if (c >= 256 && c < O_LAST) {
			if (seen[c - 256]) {
				fprintf(stderr, "strads %s: --%s given twice\n", cmd, opts[idx].name);
				bad = 1;
			}
			seen[c - 256] = 1;
		}
		if (lda_opt(cmd, s, c, optarg) != 0)
			bad = 1;
		/* What a node needs to load the same corpus and build the same
		 * sampler: the corpus options, the model's and the solver's
		 * (not the outputs, the threads or --quiet). */
		if (spec != NULL && c != O_OUT && c != O_METRICS && c != O_QUIET &&
		    c != O_THREADS && c != O_DOCTOP && c != O_TOP) {
			char name[64];

			snprintf(name, sizeof(name), "--%s", opts[idx].name);
			cJSON_AddItemToArray(spec, cJSON_CreateString(name));
			if (c == O_DATA || c == O_VOCAB || c == O_STOP)
				cJSON_AddItemToArray(spec, cli_spec_path(optarg));
			else if (opts[idx].has_arg)
				cJSON_AddItemToArray(spec, cJSON_CreateString(optarg));
		}
	}
	if (bad)
		goto fail;
	if (optind < argc) {
		fprintf(stderr, "strads %s: unexpected argument '%s'\n", cmd, argv[optind]);
		goto fail;
	}
	if (s->data == NULL) {
		fprintf(stderr, "strads %s lda: --data FILE is required\n", cmd);
		goto fail;
	}
	if (s->test_frac >= 1) {
		fprintf(stderr, "strads %s: --test-fraction: expected a number in [0, 1), "
		    "got %g\n", cmd, s->test_frac);
		goto fail;
	}
	if (s->doc_topics != NULL && cli_writable(cmd, s->doc_topics) != 0) {
		rc = CLI_FAIL;
		goto fail;
	}
	if (s->cluster && s->stale_inf) {
		fprintf(stderr, "strads %s: --staleness inf is for strads run: a cluster's "
		    "topic totals are an SSP table of a finite bound\n", cmd);
		goto fail;
	}
	s->base.entry = &lda_entry;
	/* One worker a loop: the totals' waits need a compute thread for
	 * each worker (lda.c). A cluster's workers are its nodes'. */
	s->base.threads = s->threads;
	s->base.workers = s->cluster ? 0 : s->threads > 0 ? s->threads : strads_ncores();
	s->base.jobs = s->cluster ? 0 : 1;
	s->base.steps = 1;
	s->base.quiet = s->quiet;
	*out = &s->base;
	return CLI_OK;
fail:
	free(s);
	return rc;
}

/* The corpus format: --format, or from the file's name and first line. */
static const char *
format_of(const lda_state_t *s)
{
	return s->format != NULL ? s->format : lda_guess_format(s->data);
}

static int
lda_load(const char *cmd, app_state_t *st, int verbose)
{
	lda_state_t *s = (lda_state_t *)st;
	char err[1024];
	uint64_t t0 = strads_now_ns();
	uint32_t W = s->cluster ? 1 : (uint32_t)st->workers, P;
	int rc;

	const char *fmt;

	/* "-" is the standard input (strads(1), DATA): a pipe has no name
	 * nor a first line to read twice, so no format to guess. */
	if (strcmp(s->data, "-") == 0 && s->format == NULL) {
		fprintf(stderr, "strads %s: -: the standard input has no file name to tell its "
		    "format by; pass --format ldac|uci|text\n", cmd);
		return CLI_FAIL;
	}
	fmt = format_of(s);
	if (strcmp(fmt, "text") == 0 && s->vocab != NULL) {
		fprintf(stderr, "strads %s: --vocab is for lda-c and UCI: raw text makes its "
		    "own\n", cmd);
		return CLI_USAGE;
	}
	if (strcmp(fmt, "uci") == 0)
		rc = lda_load_uci(s->data, s->vocab, &s->all, err, sizeof(err));
	else if (strcmp(fmt, "text") == 0)
		rc = lda_load_text(s->data, &s->text, &s->all, err, sizeof(err));
	else
		rc = lda_load_ldac(s->data, s->vocab, &s->all, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "strads %s: %s\n", cmd, err);
		return CLI_FAIL;
	}
	s->corpus = &s->all;
	if (s->test_frac > 0) {
		if (lda_corpus_split(&s->all, s->test_frac, s->seed, &s->train, &s->test) != 0) {
			fprintf(stderr, "strads %s: out of memory\n", cmd);
			return CLI_FAIL;
		}
		s->corpus = &s->train;
	}
	if (s->corpus->ntokens == 0 || s->corpus->ndocs < W) {
		fprintf(stderr, "strads %s: %s: %u documents and %llu tokens to train on: "
		    "expected at least one document a worker (%u) and a token\n", cmd, s->data,
		    s->corpus->ndocs, (unsigned long long)s->corpus->ntokens, W);
		return CLI_FAIL;
	}
	if (s->corpus->nwords < W) {
		fprintf(stderr, "strads %s: %s: %u words: expected at least one a worker (%u)\n",
		    cmd, s->data, s->corpus->nwords, W);
		return CLI_FAIL;
	}
	P = s->parts > 0 ? (uint32_t)s->parts : s->cluster ? 8 : 2 * W;
	if (P < W) {
		fprintf(stderr, "strads %s: --parts %u: expected at least one a worker (%u)\n",
		    cmd, P, W);
		return CLI_USAGE;
	}
	/* A cluster's topic totals are the ssp table the cluster makes;
	 * strads run's the app's own (doc/lda.md). */
	if (lda_setup(&s->l, s->corpus, (uint32_t)s->topics, s->alpha, s->beta, s->seed,
	        (uint32_t)s->staleness, s->stale_inf, W, P, s->cluster) != 0) {
		fprintf(stderr, "strads %s: out of memory\n", cmd);
		return CLI_FAIL;
	}
	if (s->cluster)
		lda_set_cluster(&s->l);
	st->nparams = 1;
	if (verbose)
		fprintf(stderr, "loaded %s: %u documents (%u held out), %u words, %llu tokens "
		                "(%llu to train on) in %.3fs\n",
		    s->data, s->all.ndocs, s->test.ndocs, s->all.nwords,
		    (unsigned long long)s->all.ntokens, (unsigned long long)s->corpus->ntokens,
		    (double)(strads_now_ns() - t0) / 1e9);
	return CLI_OK;
}

static void
lda_free_state(app_state_t *st)
{
	lda_state_t *s = (lda_state_t *)st;

	if (s == NULL)
		return;
	lda_free(&s->l);
	lda_corpus_free(&s->train);
	lda_corpus_free(&s->test);
	lda_corpus_free(&s->all);
	free(s);
}

/* One chain: the sampler's state is the shared state. */
static void *
lda_chain_new(app_state_t *st)
{
	return &((lda_state_t *)st)->l;
}

static void
lda_chain_free(app_state_t *st, void *chain)
{
	(void)st;
	(void)chain;
}

static void
lda_job(app_state_t *st, void *chain, long k, const double *warm, strads_job_opts_t *o,
    const strads_app_t **app, void **shared)
{
	lda_state_t *s = (lda_state_t *)st;

	(void)chain;
	(void)k;
	(void)warm;
	strads_job_opts_init(o);
	lda_job_opts(&s->l, (uint64_t)s->iters, o);
	*app = &s->l.app;
	*shared = &s->l;
}

static int
lda_node_job(app_state_t *st, const cJSON *spec, const double *init,
    const strads_app_t **app, void **shared, char *err, size_t errlen)
{
	lda_state_t *s = (lda_state_t *)st;

	(void)spec;
	(void)init;
	(void)err;
	(void)errlen;
	*app = &s->l.app;
	*shared = &s->l;
	return 0;
}

/* The topic totals of word-topic counts. */
static double *
topic_totals(const int32_t *nwk, uint32_t V, uint32_t K)
{
	double *nk = calloc(K, sizeof(double));
	uint64_t i;

	if (nk != NULL)
		for (i = 0; i < (uint64_t)V * K; i++)
			nk[i % K] += nwk[i];
	return nk;
}

static int
lda_result(const char *cmd, app_state_t *st, long k, const strads_job_result_t *res,
    char *line, size_t len)
{
	lda_state_t *s = (lda_state_t *)st;
	const int32_t *nwk;
	double *nk;
	char ppl[64] = "";

	(void)k;
	if (res->tables == NULL || res->ntables <= LDA_T_WORD ||
	    (nwk = res->tables[LDA_T_WORD]) == NULL ||
	    (nk = topic_totals(nwk, s->all.nwords, s->l.K)) == NULL) {
		fprintf(stderr, "strads %s: the job returned no word-topic table\n", cmd);
		return -1;
	}
	s->perplexity = NAN;
	if (s->test.ndocs > 0)
		s->perplexity = lda_perplexity(nwk, nk, s->all.nwords, s->l.K, s->alpha, s->beta,
		    &s->test, (int)s->fold_iters, s->seed);
	free(nk);
	if (!isfinite(res->progress.objective)) {
		fprintf(stderr, "strads %s: the sampler diverged (objective %g); no model "
		    "written\n", cmd, res->progress.objective);
		return -1;
	}
	if (s->test.ndocs > 0)
		snprintf(ppl, sizeof(ppl), ", held-out perplexity %.2f", s->perplexity);
	snprintf(line, len,
	    "lda: %u topics, %llu sweeps, loglik_per_token %.6f, tokens_per_s %.4g, "
	    "%.3fs%s\n",
	    s->l.K, (unsigned long long)res->sweeps,
	    strads_progress_value(&res->progress, "loglik_per_token"),
	    strads_progress_value(&res->progress, "tokens_per_s"), res->solve_s, ppl);
	if (s->top > 0)
		lda_print_topics(stdout, nwk, s->all.vocab, s->all.nwords, s->l.K, (int)s->top);
	return 0;
}

/* The training documents' topic proportions (--doc-topics): theta_dk =
 * (n_dk + alpha) / (N_d + K alpha), written for the topics a document
 * uses (n_dk > 0); the others' are alpha / (N_d + K alpha). */
typedef struct {
	const lda_state_t *s;
	const int32_t *ndk;
} doctop_t;

static int
doctop_put(FILE *f, void *arg)
{
	const doctop_t *t = arg;
	const lda_corpus_t *c = t->s->corpus;
	uint32_t K = t->s->l.K, d, k;

	for (d = 0; d < c->ndocs; d++) {
		const int32_t *r = t->ndk + (size_t)d * K;
		double den = (double)(c->doc_ptr[d + 1] - c->doc_ptr[d]) + K * t->s->alpha;
		int first = 1;

		for (k = 0; k < K; k++)
			if (r[k] > 0) {
				fprintf(f, "%s%u:%.6g", first ? "" : " ", k, (r[k] + t->s->alpha) / den);
				first = 0;
			}
		fputc('\n', f);
	}
	return ferror(f) != 0;
}

static int
lda_save(const char *cmd, app_state_t *st, long k, const char *path,
    const strads_job_result_t *res)
{
	lda_state_t *s = (lda_state_t *)st;
	lda_model_t m;
	char err[1024];

	(void)k;
	memset(&m, 0, sizeof(m));
	m.K = s->l.K;
	m.V = s->all.nwords;
	m.alpha = s->alpha;
	m.beta = s->beta;
	m.ntokens = s->corpus->ntokens;
	m.ndocs = s->corpus->ndocs;
	m.sweeps = res->sweeps;
	m.loglik_per_token = strads_progress_value(&res->progress, "loglik_per_token");
	m.perplexity = s->perplexity;
	m.nwk = res->tables[LDA_T_WORD];
	m.vocab = s->all.vocab;
	if (lda_model_write(path, &m, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads %s: %s\n", cmd, err);
		return -1;
	}
	if (s->doc_topics != NULL) {
		doctop_t t = {s, res->tables[LDA_T_DOC]};

		if (t.ndk == NULL || strads_file_write_atomic(s->doc_topics, 0644, doctop_put, &t,
		                         err, sizeof(err)) != 0) {
			fprintf(stderr, "strads %s: %s\n", cmd,
			    t.ndk == NULL ? "the job returned no document-topic table" : err);
			return -1;
		}
	}
	return 0;
}

/* `strads topics MODEL [--top N]`. */
static int
topics_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"top", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	lda_model_t m;
	char err[1024];
	long top = 10;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			printf("usage: strads topics MODEL [--top N]\n"
			       "\n"
			       "Prints the top words of every topic of an LDA model file\n"
			       "(strads run lda --out).\n"
			       "\n"
			       "  --top N             words a topic (default 10)\n");
			return CLI_OK;
		case 't':
			if (cli_parse_long_in("topics", "--top", optarg, 1, 1000000, &top) != 0)
				return CLI_USAGE;
			break;
		default:
			fprintf(stderr, "strads topics: %s '%s'\n",
			    c == ':' ? "a value is needed after" : "unknown option", argv[optind - 1]);
			fprintf(stderr, "Try 'strads topics --help'.\n");
			return CLI_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: strads topics MODEL [--top N]\n");
		return CLI_USAGE;
	}
	if (lda_model_read(argv[optind], &m, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads topics: %s\n", err);
		return CLI_FAIL;
	}
	lda_print_topics(stdout, m.nwk, m.vocab, m.V, m.K, (int)top);
	lda_model_free(&m);
	return CLI_OK;
}

static const strads_cmd_t lda_cmd_topics = {
    "topics", "the top words of every topic of an LDA model", topics_main};
static const strads_cmd_t *const lda_cmds[] = {&lda_cmd_topics, NULL};

const app_entry_t lda_entry = {
    .name = "lda",
    .summary = "topic model: latent Dirichlet allocation by collapsed Gibbs sampling",
    .synopsis = "--data FILE [--vocab FILE] [options]",
    .usage = lda_usage,
    .parse = lda_parse,
    .load = lda_load,
    .free = lda_free_state,
    .chain_new = lda_chain_new,
    .chain_free = lda_chain_free,
    .job = lda_job,
    .node_job = lda_node_job,
    .result = lda_result,
    .save = lda_save,
    .gen = lda_gen_main,
    .gen_summary = "a corpus from planted topics (lda-c, UCI, raw text, truth)",
    .cmds = lda_cmds,
    .planned_iters = 1,
    .predict_file = lda_predict_main,
    .owns_model = lda_owns_model,
};
