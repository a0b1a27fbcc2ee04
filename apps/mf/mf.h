/*
 * mf.h -- matrix factorization for recommendation (doc/mf.md): ratings
 * and their loaders (mf-data.c), CCD++ as a rotation app (mf.c), the
 * model file, predictions and recommendations (mf-model.c) and the
 * generator (mf-gen.c).
 *
 * The model: r_ij ~ mu + b_i + c_j + w_i . h_j, minimising the squared
 * error over the training ratings plus lambda_i ||w_i||^2 + lambda_j
 * ||h_j||^2 (and the squared biases). Homes of the app's tables: the
 * user factors W are a worker table (one row per user, the data rows),
 * the item factors H the rotate table (cut into parts of equal ratings),
 * so in a round no two workers touch the same parameter.
 */
#ifndef STRADS_APPS_MF_H
#define STRADS_APPS_MF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rng.h"
#include "strads.h"

/* Ids as the data names them, and the dense indices they map to. */
typedef struct mf_ids_s {
	uint32_t n;
	char **names;   /* owned: n strings, the id of dense index i */
	uint32_t *slot; /* owned: open-addressing table of index + 1 (0:
	                   empty), cap entries; built by mf_ids_index */
	uint32_t cap;
} mf_ids_t;

/* The dense index of id s (len bytes), or -1. */
int64_t mf_ids_find(const mf_ids_t *m, const char *s, size_t len);
/* Builds the lookup table of m's names. -1 when out of memory. */
int mf_ids_index(mf_ids_t *m);
void mf_ids_free(mf_ids_t *m);

/* Ratings as triples of dense indices. */
typedef struct mf_ratings_s {
	uint64_t n;
	uint32_t *u; /* owned: n users */
	uint32_t *i; /* owned: n items */
	float *r;    /* owned: n ratings */
} mf_ratings_t;

void mf_ratings_free(mf_ratings_t *r);

/*
 * Loads a ratings file with nthreads threads: MovieLens u.data (tab-
 * separated), a CSV with a header (ratings.csv: userId,movieId,rating,
 * ...), MatrixMarket coordinate (ids 1..M, 1..N), or plain "user item
 * rating" triples separated by blanks or commas; fields after the third
 * (a timestamp) are ignored, and so are blank lines and lines starting
 * with '#' (or '%' in MatrixMarket). Ids may be numbers or strings.
 *
 * When users and items hold no ids (n 0), they are made from the file:
 * numeric ids in increasing order, string ids in order of first
 * appearance (MatrixMarket: every index 1..M and 1..N). Otherwise the
 * file's ids are looked up in them and ratings naming an id they lack
 * are left out (counted in *unknown, which may be NULL). -1 with a
 * message in err naming the file, the line and what was expected.
 */
int mf_load(const char *path, int nthreads, mf_ids_t *users, mf_ids_t *items,
    mf_ratings_t *out, uint64_t *unknown, char *err, size_t errlen);

/* How many ratings of r repeat a (user, item) pair rated before them,
 * and in *first the index of the first such rating (UINT64_MAX: none).
 * UINT64_MAX when out of memory. */
uint64_t mf_duplicates(const mf_ratings_t *r, uint32_t nusers, uint32_t nitems,
    uint64_t *first);

/* Splits all into train and test, each rating held out with probability
 * frac (drawn from seed, the same for any thread count). -1: out of
 * memory. */
int mf_split(const mf_ratings_t *all, double frac, uint64_t seed, mf_ratings_t *train,
    mf_ratings_t *test);

/* The largest --rank: a row of 1024 factors is 4 KiB (SGD) or 8 KiB
 * (CCD++), and an epoch's work grows with it; beyond, a run would take
 * days on a MovieLens-sized set, so it is refused. */
#define MF_MAX_RANK 1024

/* The app's tables, by index in mf_t.decl. With --staleness (SGD on
 * the SSP table, mf-sgd.c) MF_T_H is a rotate table of one row a part
 * (the rounds' clock: part p of a sweep is the worker's p-th slice of
 * its ratings) and the item factors are MF_T_SSP, the ssp table; under
 * strads run that table is the app's own (mf_ssp_t, mf-ssp.c) and the
 * app declares MF_NTABLES tables. */
enum { MF_T_STORE = 0, MF_T_W, MF_T_H, MF_NTABLES, MF_T_SSP = MF_NTABLES };

/* The item factors' SSP table in one process (mf-ssp.c): the contract
 * of an SSP table of staleness lag whose clocks are a worker's rounds.
 * A read at clock c waits until every other worker has published its
 * increments of clocks <= c - lag - 1 and then returns the sum of every
 * increment published so far (at least those, perhaps newer ones, as an
 * SSP table may; a worker publishes its own at the end of each round,
 * so it always reads its own). inf: never waits. */
typedef struct mf_ssp_s mf_ssp_t;
mf_ssp_t *mf_ssp_new(uint32_t nworkers, uint64_t n, uint64_t lag, int inf);
void mf_ssp_read(mf_ssp_t *t, uint32_t w, uint64_t clock, double *out);
/* Adds worker w's increments of its current clock (n values) and
 * finishes that clock. */
void mf_ssp_publish(mf_ssp_t *t, uint32_t w, const double *delta);
/* Every increment published (n values); read after the job ends. */
const double *mf_ssp_values(const mf_ssp_t *t);
void mf_ssp_free(mf_ssp_t *t);

/* Columns of an H row after the kc factors: the sums a V step gathers
 * as the part goes round (sum of residual x u, sum of u^2, the same
 * over the test ratings), the last change of the row's current column
 * (applied to the residuals in the next sweep) and how many workers
 * held the row in this sweep. */
enum { MF_HX_NUM = 0, MF_HX_DEN, MF_HX_TNUM, MF_HX_TDEN, MF_HX_DV, MF_HX_VISITS,
	MF_HX_N };

/* Values in a worker's stats. */
enum { MF_S_SSE = 0, MF_S_REG, MF_S_TSSE, MF_S_NTRAIN, MF_S_NTEST, MF_S_SWEEPS,
	MF_S_WORKERS, MF_S_UPDATE_NS, MF_S_VISITS, MF_S_CPU_NS, MF_S_WAIT_NS, MF_NSTATS };

/* One step of an epoch, a sweep. CCD++: the users' (side 0) or the
 * items' (side 1) column col, the other side's same column held. SGD:
 * a pass of updates over every rating (side 2), then a pass that only
 * measures the model (side 3) for the check. */
enum { MF_SIDE_U = 0, MF_SIDE_V, MF_SIDE_SGD, MF_SIDE_EVAL };
typedef struct mf_step_s {
	uint8_t side;
	uint32_t col;
} mf_step_t;

/* The solver's shared state: read-only while a job runs. */
typedef struct mf_s {
	const mf_ratings_t *train; /* borrowed */
	const mf_ratings_t *test;  /* borrowed, or NULL */
	uint32_t nusers, nitems;
	uint32_t rank;       /* k */
	uint32_t kc;         /* factor columns: k, or k + 2 with biases
	                        (W's column k is b, H's is 1; W's k + 1 is 1,
	                        H's is c) */
	int biases;
	int weighted;        /* lambda_i = lambda x ratings of i */
	int sgd;             /* 1: SGD by blocks on the rotation, not CCD++ */
	double eta;          /* SGD's step size in the first epoch */
	double eta_decay;    /* SGD: epoch e's step is eta / (1 + eta_decay e) */
	uint32_t kp;         /* SGD: floats a row of W and H (kc padded to
	                        whole 8-float vectors) */
	float *lstep;        /* owned, SGD: nitems: each item's penalty a
	                        step (mf_step_lambda) */
	int sgd_plain;       /* SGD: 1 runs the plain compiled steps even
	                        where AVX2 is there (tests compare the two) */
	double lambda;
	double mu;           /* the training ratings' mean */
	double init_sd;      /* the first H entries' spread */
	uint64_t seed;
	uint32_t nworkers, nparts; /* nworkers 0: a cluster's (its layout) */
	int cluster;         /* 1: a coordinator's or node's job (mf_setup_cluster) */
	int ssp;             /* SGD on the SSP table (mf_setup_ssp) */
	uint32_t staleness;  /* its bound s in rounds (clocks) */
	int stale_inf;       /* s is infinite: reads never wait */
	mf_ssp_t *ssp_own;   /* owned: strads run's SSP table, or NULL */
	uint32_t nsteps;     /* steps an epoch: 2k (+ 2 with biases) */
	mf_step_t *steps;    /* owned: nsteps */
	uint64_t *icount;    /* owned: nitems: training ratings of each */
	uint64_t *ucount;    /* owned: nusers */
	strads_table_decl_t decl[MF_NTABLES + 1];
	uint64_t table_rows[MF_NTABLES + 1];
	strads_app_t app;    /* the job's app (decl is its tables) */
} mf_t;

/* Sets m up for train (and test, may be NULL), both borrowed, for
 * CCD++; mf_setup_sgd (mf-sgd.c) then makes it SGD with step size eta
 * in the first epoch, eta / (1 + decay e) in epoch e (the same
 * objective: each step shrinks a row by eta mf_step_lambda; the tables
 * become float rows of kp; -1 when out of memory). mf_setup: -1 when
 * out of memory or an argument is out of range (rank 0 or above
 * MF_MAX_RANK, fewer users or items than workers, nparts < nworkers). */
int mf_setup(mf_t *m, const mf_ratings_t *train, const mf_ratings_t *test,
    uint32_t nusers, uint32_t nitems, uint32_t rank, int biases, int weighted,
    double lambda, uint64_t seed, uint32_t nworkers, uint32_t nparts);
int mf_setup_sgd(mf_t *m, double eta, double decay);
/* After mf_setup_sgd: data-parallel SGD on an SSP table of the item
 * factors (doc/mf.md, "SGD on the SSP table"), each worker's ratings cut
 * into m->nparts slices, one a round, reads lagging at most staleness
 * rounds (inf: unbounded). In one process (m->cluster 0) the table is
 * the app's own, made here for one job. -1 when out of memory. */
int mf_setup_ssp(mf_t *m, uint32_t staleness, int inf);
/* Makes m a cluster's job (after the setups): its workers are the
 * layout's, and with --staleness the engine makes the ssp table. */
void mf_setup_cluster(mf_t *m);
/* The first item factors of row j (kp floats; SGD). */
void mf_sgd_h0(const mf_t *m, uint64_t j, float *row);
/* A worker's ratings of r (users [u0, u1)) by item: offsets *ptrp
 * (nitems + 1), local users *up and the residuals r - mu (the first
 * model predicts mu) as doubles (resd) or floats (resf), either NULL;
 * *count of them. -1 when out of memory (the caller frees what is set). */
int mf_index_ratings(const mf_t *m, const mf_ratings_t *r, uint64_t u0, uint64_t u1,
    uint64_t **ptrp, uint32_t **up, double **resd, float **resf, uint64_t *count);
/* The penalty's weight of a row of n training ratings: lambda, or
 * lambda n with weighted lambda. */
double mf_row_lambda(const mf_t *m, uint64_t n);
/* SGD's penalty a step for such a row: mf_row_lambda / n (each of its
 * n steps an epoch shrinks it by eta times this). */
float mf_step_lambda(const mf_t *m, uint64_t n);
/* The SGD steps' compiled form m runs on this CPU ("avx2+fma" or
 * "plain"; m NULL: the CPU's best). */
const char *mf_sgd_kernel(const mf_t *m);
/* The factors of a job's result tables (res->tables) as doubles: W
 * nusers x kc and H nitems x kc, both owned by the caller (NULL when out
 * of memory). */
double *mf_factors(const mf_t *m, void *const *tables, int items);
void mf_free(mf_t *m);
/* The job options of m (after strads_job_opts_init) for iters epochs. */
void mf_job_opts(const mf_t *m, uint64_t iters, strads_job_opts_t *o);
/* The H table's width (kc factors and the MF_HX_N sums). */
uint32_t mf_hwidth(const mf_t *m);

/* A trained model: factors and the id maps. */
typedef struct mf_model_s {
	uint32_t nusers, nitems, rank, kc;
	int biases;
	double mu, lambda;
	uint64_t ntrain, epochs;
	double objective, train_rmse, test_rmse; /* NAN: not measured */
	double *W;   /* owned: nusers x kc */
	double *H;   /* owned: nitems x kc */
	mf_ids_t users, items; /* owned */
	/* The items each user rated in training (recommend leaves them
	 * out): CSR by user. */
	uint64_t *rptr; /* owned: nusers + 1 */
	uint32_t *ritem; /* owned */
} mf_model_t;

/* The predicted rating of dense user u and item j. */
double mf_predict1(const mf_model_t *m, uint32_t u, uint32_t j);
int mf_model_write(const char *path, const mf_model_t *m, char *err, size_t errlen);
/* -1 with a message naming the file and line when it is not an mf model
 * file, is cut short or damaged. */
int mf_model_read(const char *path, mf_model_t *m, char *err, size_t errlen);
void mf_model_free(mf_model_t *m);
/* 1 when path's first line says it is an mf model file. */
int mf_model_sniff(const char *path);

/* `strads predict MODEL PAIRS` for an mf model (argv as the command's). */
int mf_predict_main(int argc, char **argv);
/* `strads recommend MODEL --user U --top N`. */
int mf_recommend_main(int argc, char **argv);
/* `strads gen mf` (mf-gen.c; argv[0] is "mf"). */
int mf_gen_main(int argc, char **argv);

#endif
