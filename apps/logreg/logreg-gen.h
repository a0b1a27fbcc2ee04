/*
 * logreg-gen.h -- `strads gen logreg` (logreg-gen.c), for the app's
 * registry entry (logreg-app.c).
 */
#ifndef STRADS_APPS_LOGREG_GEN_H
#define STRADS_APPS_LOGREG_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "data.h"

typedef struct logreg_gen_opts_s {
	uint32_t n, p;        /* rows, columns; default 10000 x 50000 */
	uint32_t nnz_per_row; /* distinct columns a row, 1..p; default 50 */
	uint32_t support;     /* non-zero weights, 0..p; default 100 */
	double scale;         /* weights are +-U(0.5, 1.5) x scale; 1 */
	double bias;          /* the intercept; default 0 */
	double skew;          /* Zipf exponent of column frequencies; 1 */
	uint64_t seed;        /* default 1 */
} logreg_gen_opts_t;

void logreg_gen_opts_init(logreg_gen_opts_t *o);

/*
 * A problem with a planted sparse truth: row i holds nnz_per_row
 * distinct columns drawn by weight 1/r^skew (r a column's rank in a
 * random order, so frequencies follow Zipf's law, as words do), each
 * value N(0, 1); w has `support` non-zeros on columns drawn among the
 * 4 x support most frequent (so they can be recovered); y_i = +1 with
 * probability 1 / (1 + exp(-(w . x_i + bias))), else -1. X (labels in
 * y) into *X (free with data_matrix_free), w into w (p doubles) when
 * not NULL. The same options give the same output. 0, or -1 with a
 * message in err.
 */
int logreg_gen(const logreg_gen_opts_t *o, data_matrix_t *X, double *w,
    char *err, size_t errlen);

/* strads gen logreg: argv[0] is "logreg". */
int logreg_gen_main(int argc, char **argv);

#endif
