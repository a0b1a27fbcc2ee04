/*
 * model.h -- the text model file of the linear apps.
 *
 *	# strads model 2
 *	# app lasso
 *	# p 20
 *	# ... more "# key value" header lines (below)
 *	3 0.25
 *	17 -1.5
 *	# nnz 2
 *	# end crc32 1a2b3c4d
 *
 * Header lines are "# key value" (the value is the rest of the line);
 * then one "index value" line per non-zero coefficient, in the data's
 * index base; then the count of those lines and an end line with the
 * CRC-32 (zlib's) of every byte before it. A file cut short, edited or
 * damaged does not read: model_read() says which. Keys: app, p, n,
 * lambda, intercept, index_base, objective, converged (0/1), criterion
 * (the app's stopping measure, Lasso's relative gap), train_s, rounds,
 * options (the training command line), labels (a classifier's label
 * kind: 0/1 or -1/+1, so labels are predicted as trained), data_format
 * (libsvm, mm or csv)
 * and for CSV data target, ignore and one "column K NAME" line per
 * feature (names %-escaped: %XX for bytes outside printable ASCII, for
 * '%' and for blanks). Unknown keys are kept out of the way of older
 * readers: a reader skips keys it does not know.
 *
 * CR LF line ends (a copy converted by a Windows tool) read as LF: the
 * writer never puts a raw CR in a model, so the checksum still holds.
 *
 * Written to a temp file, fsynced and renamed: never half-written.
 */
#ifndef STRADS_APPS_MODEL_H
#define STRADS_APPS_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "data.h"

#define MODEL_FORMAT 2

typedef struct model_s {
	char app[32];
	double lambda;
	double intercept;
	uint64_t n;
	uint32_t p;
	int index_base;
	double objective;
	double *coef; /* p values (owned) */

	/* How training ended. */
	int converged;     /* the stopping rule held (not a limit) */
	double criterion;  /* its measure at the end; NaN: not recorded */
	double train_s;    /* seconds of solving */
	uint64_t rounds;

	/* The data's schema. */
	char data_format[16]; /* "libsvm", "mm", "csv"; "" not recorded */
	char *target;         /* CSV: the response column's name, or NULL */
	char *ignore;         /* CSV: --ignore as given, or NULL */
	char **colnames;      /* CSV: p feature names in order, or NULL */
	char *options;        /* the training options, one line, or NULL */
	char labels[8];       /* classifiers: the training labels' kind,
	                         "0/1" or "-1/+1"; "" not recorded */
} model_t;

/* Fills the schema fields of m (data_format, target, ignore, colnames)
 * from X, loaded as format with --ignore ignore (either may be NULL;
 * copies: model_free frees them). 0, or -1 when out of memory. */
int model_set_schema(model_t *m, const char *format, const char *ignore,
    const data_matrix_t *X);
/* The options of a command line, joined by blanks into m->options. */
int model_set_options(model_t *m, int argc, char *const *argv);

int model_write(const char *path, const model_t *m, char *err, size_t errlen);
/* Reads path into m. -1 with a message naming the file (and line) when
 * it is not a strads model, was written by an older strads, is cut
 * short or damaged (count or checksum), or is malformed. */
int model_read(const char *path, model_t *m, char *err, size_t errlen);
/* Makes X's columns those of m: CSV columns are matched by name (the
 * target column, when present, becomes the response), and every column
 * of X must be one of the model's; LIBSVM and MatrixMarket columns must
 * lie inside the model's p. -1 with a message naming data_path. */
int model_match(const model_t *m, data_matrix_t *X, const char *data_path,
    char *err, size_t errlen);
void model_free(model_t *m);

/* The integrity of a model file, for an app with a format of its own
 * (LDA's): the same end line as above, "# end crc32 XXXXXXXX", the CRC-32
 * of every byte before it. model_write_text writes text (len bytes, whole
 * lines) and that line to path atomically; model_read_text reads path,
 * checks that its last line is such an end line and that the checksum
 * matches, and gives the file in *text (owned: free() it; NUL-terminated
 * at the end line) and the length before the end line in *body. -1 with a
 * message naming path (cut short, damaged, unreadable). */
uint32_t model_crc32(uint32_t crc, const void *buf, size_t len);
int model_write_text(const char *path, const char *text, size_t len, char *err,
    size_t errlen);
int model_read_text(const char *path, char **text, size_t *body, char *err,
    size_t errlen);

/* Names in a model's text: %XX for bytes outside printable ASCII, for
 * '%', for blanks and for a '#' first (it would start a header line), so
 * a name is one field of one line. model_unescape decodes in place; -1
 * on a bad escape. */
void model_put_escaped(FILE *f, const char *s);
int model_unescape(char *s);

#endif
