/*
 * lda.h -- latent Dirichlet allocation by collapsed Gibbs sampling on the
 * rotation engine (doc/lda.md): the corpus and its loaders (lda-data.c),
 * the sampler as a strads app (lda.c) and the model file (lda-model.c).
 *
 * Homes of the app's tables: the word-topic counts are the rotate table
 * (V rows of K int32, cut into parts of equal tokens), the
 * document-topic counts and the topic assignments are worker tables (one
 * row per document), the topic totals an ssp table (K doubles), read and
 * incremented under staleness s.
 */
#ifndef STRADS_APPS_LDA_H
#define STRADS_APPS_LDA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rng.h"
#include "strads.h"

/* A corpus in memory: documents as runs of word ids. */
typedef struct lda_corpus_s {
	uint32_t ndocs;
	uint32_t nwords;   /* V: word ids are 0 .. V-1 */
	uint64_t ntokens;
	uint64_t *doc_ptr; /* owned: ndocs + 1 offsets into tok */
	uint32_t *tok;     /* owned: the word of each token, document-major */
	char **vocab;      /* owned: nwords strings, or NULL (no vocabulary) */
	uint32_t maxlen;   /* tokens of the longest document */
} lda_corpus_t;

/* The most tokens a document may have (every loader refuses a longer
 * one, naming its line): fold-in costs sweeps x tokens x K a document,
 * and the assignment table is as wide as the longest document (a count
 * of 2e9 in one line had made strads predict run for minutes). */
#define LDA_MAX_DOC_TOKENS (1u << 20)

/* Options of the raw-text tokenizer. */
typedef struct lda_text_opts_s {
	const char *stopwords; /* a file of more words to drop (one a line),
	                          or NULL */
	int builtin_stop;      /* 1: drop the built-in English list */
	uint64_t min_count;    /* drop words seen fewer times in all */
	double max_df;         /* drop words in more than this fraction of
	                          the documents (1: keep all) */
} lda_text_opts_t;

/* builtin_stop 1, min_count 1, max_df 1. */
void lda_text_opts_init(lda_text_opts_t *o);

/* Loaders. Each fills c (zeroed first) or returns -1 with a message in
 * err naming the file, the line and what was expected.
 *
 * lda-c: one document a line, "N id:count id:count ..." (ids from 0);
 * vocab (one word a line, line i is id i) may be NULL: V is then the
 * largest id + 1. */
int lda_load_ldac(const char *path, const char *vocab, lda_corpus_t *c,
    char *err, size_t errlen);
/* UCI bag-of-words: docword (three header lines D, W, NNZ, then
 * "docID wordID count", both from 1) and vocab (W lines) or NULL. */
int lda_load_uci(const char *docword, const char *vocab, lda_corpus_t *c,
    char *err, size_t errlen);
/* Raw text, one document a line: lowercased, split on anything but the
 * letters a-z, words of one letter dropped, then filtered by o; the
 * vocabulary is the words kept, in order of first appearance. */
int lda_load_text(const char *path, const lda_text_opts_t *o, lda_corpus_t *c,
    char *err, size_t errlen);
void lda_corpus_free(lda_corpus_t *c);
/* The format of a corpus file from its name and first non-blank
 * character: "uci" for a name with "docword" in it (docword.kos.txt,
 * PREFIX.docword.txt), "text" when it starts with a letter, else "ldac". */
const char *lda_guess_format(const char *path);

/* Splits c into train (every document not held out) and test (each
 * document held out with probability frac, drawn from seed; documents
 * of fewer than 2 tokens stay in train). Both share c's vocabulary
 * (borrowed: vocab NULL in both). -1 when out of memory. */
int lda_corpus_split(const lda_corpus_t *c, double frac, uint64_t seed,
    lda_corpus_t *train, lda_corpus_t *test);

/* The app's tables, by index in lda_t.decl. */
enum { LDA_T_STORE = 0, LDA_T_DOC, LDA_T_Z, LDA_T_WORD, LDA_T_TOTALS, LDA_NTABLES };

/* Values in a worker's stats, then K topic counts. */
enum { LDA_S_DOC = 0, LDA_S_WORD, LDA_S_WSUM, LDA_S_DSUM, LDA_S_TOKENS, LDA_S_NEG,
	LDA_S_SAMPLE_NS, LDA_S_ROUNDS, LDA_S_DRIFT, LDA_S_WORKERS, LDA_S_PARTS, LDA_S_CPU_NS,
	LDA_NSTATS };

typedef struct lda_totals_s lda_totals_t;

/* The sampler's shared state: read-only while a job runs, except what
 * totals points to (its own lock guards it). */
typedef struct lda_s {
	const lda_corpus_t *c; /* borrowed: the training corpus */
	uint32_t K;
	double alpha, beta;    /* per topic, per word */
	uint64_t seed;
	uint32_t staleness;    /* sweeps a topic total may lag */
	int stale_inf;         /* 1: no bound */
	uint32_t nworkers, nparts; /* nworkers 0 in a cluster: the layout's */
	int mh_steps;          /* proposal pairs (word, document) a token */
	uint32_t zwidth;       /* the assignment table's width: maxlen */
	uint32_t *z0;          /* owned: every token's first topic */
	int cluster;           /* 1: a cluster's job (strads coordinator and
	                          node): workers and parts are the layout's,
	                          the totals the cluster's ssp table */
	int engine_ssp;        /* 1: the topic totals are the job's ssp table
	                          (strads_job_opts_t.ssp); 0: lda_totals_t
	                          (strads run: doc/lda.md) */
	lda_totals_t *totals;  /* owned when !engine_ssp */
	uint64_t *wfreq;       /* owned: V: tokens of each word */
	strads_table_decl_t decl[LDA_NTABLES];
	uint64_t table_rows[LDA_NTABLES];
	strads_app_t app;      /* the job's app (decl is its tables) */
} lda_t;

/* Sets l up for corpus c (borrowed) with nworkers workers and nparts
 * parts a sweep; engine_ssp as above. The first assignments are drawn
 * from seed. -1 when out of memory or an argument is out of range. */
int lda_setup(lda_t *l, const lda_corpus_t *c, uint32_t K, double alpha,
    double beta, uint64_t seed, uint32_t staleness, int stale_inf,
    uint32_t nworkers, uint32_t nparts, int engine_ssp);
/* Makes l (set up with engine_ssp) a cluster's job: the workers are
 * the cluster layout's (lda_job_opts leaves them 0); with more of them
 * than nparts, the engine cuts one part a worker and keeps the sweeps. */
void lda_set_cluster(lda_t *l);
void lda_free(lda_t *l);
/* The job options of l (after strads_job_opts_init): params, rows,
 * workers, schedule, parts, table rows, max_rounds for iters sweeps. */
void lda_job_opts(const lda_t *l, uint64_t iters, strads_job_opts_t *o);

/* The collapsed joint log p(w, z) of the counts, split as the issue's
 * formula: the document part from doc-topic rows (ndocs x K) and
 * lengths, the word part from word-topic rows (V x K) and totals. */
double lda_loglik_docs(const int32_t *ndk, const uint64_t *doc_ptr, uint32_t ndocs,
    uint32_t K, double alpha);
double lda_loglik_words(const int32_t *nwk, uint32_t V, uint32_t K, double beta);
double lda_loglik_topics(const double *nk, uint32_t V, uint32_t K, double beta);

/* phi_wk = (n_wk + beta) / (n_k + V beta) of counts nwk (V x K), in a
 * new V x K array (free() it), or NULL when out of memory. */
double *lda_phi(const int32_t *nwk, uint32_t V, uint32_t K, double beta);

/* Scratch of lda_fold_in: z for the longest document, ndk and p K. */
typedef struct lda_fold_s {
	uint32_t *z;   /* owned */
	int32_t *ndk;  /* owned */
	double *p;     /* owned */
} lda_fold_t;
int lda_fold_init(lda_fold_t *s, uint32_t K, uint64_t maxlen);
void lda_fold_free(lda_fold_t *s);
/* Fold-in: the topic proportions of one document with the model (phi,
 * V x K) fixed. Its n tokens are the words w[0], w[stride], ...; their
 * topics start uniform (drawn from r) and are sampled by exact Gibbs for
 * iters sweeps; theta (K) is the mean over the second half of the sweeps
 * of (n_dk + alpha) / (n + K alpha) (1/K each when n is 0). */
void lda_fold_in(const double *phi, uint32_t K, double alpha, const uint32_t *w,
    uint64_t n, size_t stride, int iters, app_rng_t *r, lda_fold_t *s, double *theta);

/* Held-out perplexity by document completion: for each test document,
 * the topic proportions are sampled (fold-in, iters sweeps, model
 * fixed) from its even-position tokens, and the odd ones are scored:
 * exp(-sum log p(w) / count). nwk: V x K counts; nk: K totals. */
double lda_perplexity(const int32_t *nwk, const double *nk, uint32_t V, uint32_t K,
    double alpha, double beta, const lda_corpus_t *test, int iters, uint64_t seed);

/* A model: word-topic counts, vocabulary and hyperparameters. */
typedef struct lda_model_s {
	uint32_t K, V;
	double alpha, beta;
	uint64_t ntokens, ndocs, sweeps;
	double loglik_per_token, perplexity; /* NAN: not measured */
	int32_t *nwk;  /* owned: V x K */
	char **vocab;  /* owned: V words (NULL entries when the corpus had
	                  none: written as their ids) */
} lda_model_t;

int lda_model_write(const char *path, const lda_model_t *m, char *err, size_t errlen);
int lda_model_read(const char *path, lda_model_t *m, char *err, size_t errlen);
void lda_model_free(lda_model_t *m);
/* The top n words of every topic, one line a topic, on f. */
void lda_print_topics(FILE *f, const int32_t *nwk, char *const *vocab, uint32_t V,
    uint32_t K, int n);

/* `strads predict MODEL DOCS` for an LDA model (lda-predict.c; argv as
 * strads predict got it). */
int lda_predict_main(int argc, char **argv);
/* Whether path is an LDA model file (its first line, whatever its
 * format version): strads predict then hands it to lda_predict_main. */
int lda_owns_model(const char *path);

/* `strads gen lda` (lda-gen.c; argv[0] is "lda"). */
int lda_gen_main(int argc, char **argv);


#endif
