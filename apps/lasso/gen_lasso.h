/*
 * gen_lasso.h -- synthetic training data with a planted ground truth, for
 * `strads gen APP`: problems of any size whose answer is known.
 *
 * Generators are deterministic: the same options (seed included) give
 * the same matrix, response and truth, bit for bit, on the same
 * platform and C library. They use their own PRNG (xoshiro256**, seeded
 * through splitmix64), never rand().
 *
 * Errors follow data.h: 0, or -1 with a one-line message in err (when
 * err is not NULL); on failure the matrix is left zeroed (nothing to
 * free) and the contents of other outputs are unspecified.
 */
#ifndef STRADS_APPS_GEN_LASSO_H
#define STRADS_APPS_GEN_LASSO_H

#include <stddef.h>
#include <stdint.h>

#include "data.h"

/* How the non-zero values of a generated row are drawn. */
typedef enum {
	/* tf-idf-like: positive, idf-weighted log-normal values, each row
	 * scaled to unit L2 norm (see gen_lasso_opts_t). */
	GEN_VALUES_TFIDF = 0,
	/* N(0, 1) values, rows not normalised. */
	GEN_VALUES_GAUSSIAN
} gen_values_t;

/*
 * Sparse linear regression, y = X beta + noise, with a k-sparse beta.
 *
 * Sparsity pattern. Columns are ranked by a random permutation (from
 * the seed); the column of rank r (1-based) has weight 1 / r^skew, so
 * column frequencies follow Zipf's law like words in text (skew 0:
 * uniform). Row i holds m_i distinct columns, m_i uniform on
 * [nnz_per_row - h, nnz_per_row + h] with h = min(nnz_per_row / 2,
 * p - nnz_per_row) (integer division), so E[m_i] = nnz_per_row and
 * 1 <= m_i <= p. The m_i columns are drawn by weight
 * without replacement (each next one with probability proportional to
 * its weight among the columns not yet in the row).
 *
 * Values and rho. Columns form blocks of `block` consecutive columns
 * (0-based column j is in block j / block). Each row draws one factor
 * f ~ N(0, 1) for every block it touches and, for every non-zero, its
 * own e ~ N(0, 1), and sets z = sqrt(rho) f + sqrt(1 - rho) e. So z is
 * N(0, 1), and two columns of one block that occur in the same row have
 * corr(z_j, z_k) = rho exactly (over the rows holding both), while
 * columns of different blocks are independent. Neighbours j, j + 1 are
 * in one block unless block divides j + 1.
 *   gaussian: x = z, so rho is the correlation of the values.
 *   tfidf:    x = idf_j exp(0.5 z), then the row is scaled to unit L2
 *             norm; idf_j = 1 + ln(n / df_j), df_j the number of rows
 *             holding column j. rho is the correlation of the
 *             log-values before normalisation; that of the values is
 *             (exp(rho / 4) - 1) / (exp(1 / 4) - 1) (0.47 for rho 0.5),
 *             and normalisation adds a small positive correlation
 *             between all the columns of a row.
 *
 * Truth. beta has exactly `support` non-zeros, on columns drawn
 * uniformly among the 4 x support most frequent columns (by df_j, ties
 * broken at random; among all the columns that occur when fewer do):
 * frequent columns only, so the support is recoverable. Each value is
 * +-U(0.5, 1.5) * scale, sign and magnitude uniform.
 *
 * Response. y = X beta + sd e, e ~ N(0, 1), sd = noise, or when snr > 0,
 * sd = sqrt(var(X beta) / snr) (var over rows, divisor n).
 *
 * The pattern depends only on n, p, nnz_per_row, skew and seed; the
 * support also on `support`; so changing rho, the values, the noise or
 * the scale keeps the pattern and the support.
 */
typedef struct gen_lasso_opts_s {
	uint32_t n;	      /* rows; default 10000 */
	uint32_t p;	      /* columns; default 100000 */
	uint32_t nnz_per_row; /* mean non-zeros a row, 1..p; default 50 */
	uint32_t support;     /* non-zeros of beta, 0..p; default 100 */
	double noise;	      /* sd of the noise, >= 0; default 0.1 */
	double snr;	      /* > 0: overrides noise (above); default 0 */
	double rho;	      /* in [0, 1]; default 0 */
	uint32_t block;	      /* columns a block, >= 1; default 10 */
	double skew;	      /* Zipf exponent, >= 0; default 1.0 */
	gen_values_t values;  /* default GEN_VALUES_TFIDF */
	double scale;	      /* of beta's values, > 0; default 1.0 */
	uint64_t seed;	      /* default 1 */
} gen_lasso_opts_t;

/* Fills in the defaults above. */
void gen_lasso_opts_init(gen_lasso_opts_t *o);

/* 0 when every option is in range, else -1 with a message naming the
 * option (by its command-line name) in err. */
int gen_lasso_check(const gen_lasso_opts_t *o, char *err, size_t errlen);

/* What gen_lasso() reports besides the data (any field may be read
 * after success). */
typedef struct gen_lasso_info_s {
	double noise_sd;   /* the sd used (from noise or snr) */
	double signal_var; /* var(X beta) over rows */
} gen_lasso_info_t;

/*
 * Generates the problem: X (n x p, CSR, y set to the response) into
 * *X_out, to be freed with data_matrix_free(), and beta into beta_out
 * (p doubles) when it is not NULL. Fails on bad options (as
 * gen_lasso_check()), when fewer than `support` columns occur, and when
 * out of memory.
 */
int gen_lasso(const gen_lasso_opts_t *o, data_matrix_t *X_out, double *beta_out,
    char *err, size_t errlen);

/* The same, also filling *info (when not NULL). */
int gen_lasso_ex(const gen_lasso_opts_t *o, data_matrix_t *X_out,
    double *beta_out, gen_lasso_info_t *info, char *err, size_t errlen);

#endif /* STRADS_APPS_GEN_LASSO_H */
