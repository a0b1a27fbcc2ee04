/*
 * data.h -- loading the apps' training data into memory.
 *
 * Every loader reads a whole file into a sparse matrix in CSR form with
 * an optional response. Column indices are 0-based inside the program
 * whatever the file's base; the base of a file is always stated (the
 * options say it), never guessed.
 *
 * Errors: every function returns 0, or -1 with a one-line message in
 * err (when err is not NULL) that names the file, the line (and, for
 * CSV, the column) and what was expected, e.g.
 *
 *	communities.data:17: column 31: expected a number, found '?' (use
 *	--missing drop|mean)
 *
 * On failure *out is left zeroed: there is nothing to free.
 */
#ifndef STRADS_APPS_DATA_H
#define STRADS_APPS_DATA_H

#include <stddef.h>
#include <stdint.h>

typedef struct data_matrix_s {
	uint32_t n, p; /* rows; columns (see each loader for p) */
	uint64_t nnz;
	uint64_t *rowptr; /* n + 1 */
	uint32_t *col;	  /* nnz, 0-based, strictly increasing within a row */
	double *val;	  /* nnz */
	double *y;	  /* n responses, or NULL */
	char **colnames;  /* p names (CSV), or NULL */
	char *target_name; /* CSV: the response column's name, or NULL */
	const char *format; /* data_load(): "libsvm", "mm" or "csv" (static) */
	uint64_t unterminated; /* the file's last line, when it had no
	                          newline (a file cut short ends so), or 0 */
} data_matrix_t;

/* The same matrix, column-major. */
typedef struct data_csc_s {
	uint32_t n, p;
	uint64_t nnz;
	uint64_t *colptr; /* p + 1 */
	uint32_t *row;	  /* nnz, strictly increasing within a column */
	double *val;	  /* nnz */
} data_csc_t;

/* What to do with a missing CSV value (an empty field, '?', 'NA' or
 * 'NaN'). */
typedef enum {
	DATA_MISSING_ERROR = 0, /* an error naming file, line and column */
	DATA_MISSING_DROP,	/* drop the row */
	DATA_MISSING_MEAN	/* use the column's mean over the kept rows */
} data_missing_t;

/* Whether a CSV file's first line names the columns. */
typedef enum {
	DATA_HEADER_AUTO = 0, /* see data_load_csv() */
	DATA_HEADER_YES,
	DATA_HEADER_NO
} data_header_t;

typedef struct data_opts_s {
	/* LIBSVM: the index of the first column in the file, 1 (LIBSVM's
	 * convention, the default) or 0. */
	int index_base;
	/* CSV: the field delimiter, ',' or '\t'; 0 takes '\t' when the
	 * first line has a tab, else ','. */
	char delim;
	data_header_t header;
	/* CSV: the response column, by name or 1-based index; NULL: no
	 * response (y = NULL). */
	const char *target;
	/* CSV: when the target column is not in the file, load without
	 * responses instead of failing (predicting on new data). */
	int target_optional;
	/* CSV: columns that are not features, a comma list of names,
	 * 1-based indices and ranges "a-b"; NULL: none. */
	const char *ignore;
	/* CSV: a name in ignore that the file does not have is passed over
	 * (predict, with the model's list: such a column is no feature). */
	int ignore_optional;
	data_missing_t missing;
	/* MatrixMarket: a file of n numbers, one a line, read into y;
	 * NULL: no response. Other formats carry their own and reject
	 * this. */
	const char *response;
	/* LIBSVM and MatrixMarket: the most columns (features) a file may
	 * imply; an index past it is an error naming the line, before any
	 * p-sized array is allocated. 0: DATA_MAX_FEATURES. */
	uint64_t max_features;
	/* The bytes of memory the app keeps a feature, for that error's
	 * estimate of what the implied p would take. 0: 8 (one array of
	 * doubles, an understatement for every app). */
	uint32_t feature_bytes;
} data_opts_t;

/* The default bound on features: 2^25 (33554432). An app keeps several
 * per-feature arrays (measured 2026-12-07 on a 4-row file of p 2^25:
 * Lasso about 115 bytes a feature, 3.9 GB in all; logreg about 71). */
#define DATA_MAX_FEATURES ((uint64_t)1 << 25)

/* The defaults: index_base 1, everything else 0/NULL (auto delimiter
 * and header, no target, nothing ignored, missing values are errors).
 * A NULL opts argument means these defaults. */
/* Load progress: a program that shows it (on a terminal) sets cb; the
 * loaders call data_progress about four times a second while a file
 * loads, from the first second on (so small files show nothing), with
 * the bytes read and the file's size (0 when unknown), and once with
 * path NULL when the file is read or refused (the display ends before
 * the loader's own message). cb runs on the loading thread. NULL (the
 * default) shows nothing. */
typedef void (*data_progress_cb)(const char *path, uint64_t done, uint64_t size);
void data_set_progress(data_progress_cb cb);
/* For loaders with readers of their own: reports done bytes of size of
 * path to the program's cb, if any, at most four times a second after
 * the first second from *next_ns (0: start the clock now); path NULL
 * ends the display (call it once the file is read). */
void data_progress(const char *path, uint64_t done, uint64_t size, uint64_t *next_ns);

void data_opts_init(data_opts_t *opts);

/* Formats a message into err (when not NULL) and returns -1: the error
 * path of every loader and generator. */
int data_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Frees what a loader or data_csc() allocated and zeroes the struct.
 * NULL and zeroed structs are fine. */
void data_matrix_free(data_matrix_t *m);
void data_csc_free(data_csc_t *c);

/* A column-major copy of m (values and order within columns exact).
 * Returns 0, or -1 when out of memory (then *out is zeroed). */
int data_csc(const data_matrix_t *m, data_csc_t *out);

/*
 * LIBSVM / SVMlight: "label idx:val idx:val ... [# comment]" a line.
 * Labels are any finite real number; indices are in opts->index_base,
 * strictly increasing within a line; "qid:" tokens are rejected. Blank
 * lines, comment-only lines, trailing blanks and CRLF are accepted.
 * Explicit zero values are kept. p = 1 + the highest index seen.
 */
int data_load_libsvm(const char *path, const data_opts_t *opts,
    data_matrix_t *out, char *err, size_t errlen);

/*
 * MatrixMarket "%%MatrixMarket matrix coordinate real|integer|pattern
 * general", 1-based as the format says. n and p are the declared sizes;
 * the entries must match the declared count, lie inside the declared
 * size and not repeat. pattern entries are 1.0. y comes from
 * opts->response, or is NULL.
 */
int data_load_mm(const char *path, const data_opts_t *opts, data_matrix_t *out,
    char *err, size_t errlen);

/*
 * CSV or TSV of numbers. With DATA_HEADER_AUTO the first line is a
 * header when some field in it is not a number (nor a missing marker)
 * while the same field of the second line is a number: a first data
 * row with text in a column of names (UCI's communities.data) is not
 * mistaken for a header. Every line must have as many fields as the
 * first. Fields may be quoted ("..." with "" for a quote); blanks
 * around a field are ignored. Features are the columns that are neither
 * the target nor ignored, in file order; p is their count, zeros are
 * not stored, and colnames are the header's names or "c<k>" (k the
 * 1-based column in the file). A missing target value drops the row
 * under DROP and MEAN; the mean imputed is over the rows kept.
 */
int data_load_csv(const char *path, const data_opts_t *opts, data_matrix_t *out,
    char *err, size_t errlen);

/*
 * Loads path in format "libsvm" (or "svmlight"), "mm" (or "mtx"),
 * "csv" or "tsv" (csv with a tab delimiter unless opts says otherwise);
 * NULL takes the format from the extension: .svm .libsvm .txt .t ->
 * libsvm, .mtx .mm -> mm, .csv .tsv .data -> csv. Anything else is an
 * error asking for --format.
 */
int data_load(const char *path, const char *format, const data_opts_t *opts,
    data_matrix_t *out, char *err, size_t errlen);

/* The format data_load() would read path in by its name: "libsvm",
 * "mm" or "csv" (TSV too), or NULL when the name does not tell. */
const char *data_format_of(const char *path);

/* Reads a response file (one finite number a line; blank lines
 * skipped) into m->y, replacing any; it must hold exactly m->n
 * numbers. */
int data_load_response(
    const char *path, data_matrix_t *m, char *err, size_t errlen);

/* Writes m as LIBSVM, 1-based, values with %.17g (exact round trip),
 * label 0 for every row when y is NULL. The file appears complete or
 * not at all: it is written to path.tmp.XXXXXX, synced and renamed. */
int data_write_libsvm(
    const char *path, const data_matrix_t *m, char *err, size_t errlen);

#endif /* STRADS_APPS_DATA_H */
