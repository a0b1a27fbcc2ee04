/*
 * logreg-gen.c -- `strads gen logreg`: sparse logistic regression data
 * with a planted sparse truth (logreg-gen.h).
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "logreg-gen.h"
#include "strads.h"

void
logreg_gen_opts_init(logreg_gen_opts_t *o)
{
	memset(o, 0, sizeof(*o));
	o->n = 10000;
	o->p = 50000;
	o->nnz_per_row = 50;
	o->support = 100;
	o->scale = 1;
	o->skew = 1;
	o->seed = 1;
}

/* splitmix64: the generator's own, never rand(). */
static uint64_t
next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double
unif(uint64_t *s)
{
	return ((double)(next(s) >> 11) + 0.5) / 9007199254740992.0;
}

static double
gauss(uint64_t *s)
{
	return sqrt(-2 * log(unif(s))) * cos(6.283185307179586 * unif(s));
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int
logreg_gen(const logreg_gen_opts_t *o, data_matrix_t *X, double *w_out,
    char *err, size_t errlen)
{
	uint64_t s = o->seed, k = 0;
	uint32_t *perm = NULL, *rowcols = NULL, i, j, t;
	double *cum = NULL, *w = NULL;
	uint8_t *taken = NULL;

	memset(X, 0, sizeof(*X));
	if (o->n == 0 || o->p == 0 || o->nnz_per_row == 0 || o->nnz_per_row > o->p)
		return data_errf(err, errlen, "--n and --p must be positive and "
		    "--nnz-per-row in 1..p (got %u, %u, %u)", o->n, o->p, o->nnz_per_row);
	if (o->support > o->p || !(o->scale > 0) || !(o->skew >= 0) || !isfinite(o->bias))
		return data_errf(err, errlen, "--support must be in 0..p, --scale > 0, "
		    "--skew >= 0 and --bias finite");
	perm = malloc((size_t)o->p * sizeof(uint32_t));
	cum = malloc((size_t)o->p * sizeof(double));
	w = calloc(o->p, sizeof(double));
	taken = calloc(o->p, 1);
	rowcols = malloc((size_t)o->nnz_per_row * sizeof(uint32_t));
	X->n = o->n;
	X->p = o->p;
	X->nnz = (uint64_t)o->n * o->nnz_per_row;
	X->rowptr = malloc(((size_t)o->n + 1) * sizeof(uint64_t));
	X->col = malloc(X->nnz * sizeof(uint32_t));
	X->val = malloc(X->nnz * sizeof(double));
	X->y = malloc((size_t)o->n * sizeof(double));
	if (perm == NULL || cum == NULL || w == NULL || taken == NULL || rowcols == NULL ||
	    X->rowptr == NULL || X->col == NULL || X->val == NULL || X->y == NULL) {
		data_matrix_free(X);
		memset(X, 0, sizeof(*X));
		free(perm);
		free(cum);
		free(w);
		free(taken);
		free(rowcols);
		return data_errf(err, errlen, "out of memory");
	}
	/* perm[r]: the column of rank r; cum: the ranks' weights summed. */
	for (j = 0; j < o->p; j++)
		perm[j] = j;
	for (j = o->p - 1; j > 0; j--) {
		uint32_t r = (uint32_t)(next(&s) % ((uint64_t)j + 1)), tmp = perm[j];

		perm[j] = perm[r];
		perm[r] = tmp;
	}
	for (j = 0; j < o->p; j++)
		cum[j] = (j > 0 ? cum[j - 1] : 0) + pow(j + 1.0, -o->skew);
	/* The truth: among the 4 x support most frequent columns. */
	for (t = 0; t < o->support;) {
		uint32_t lim = 4 * o->support < o->p ? 4 * o->support : o->p;

		j = perm[next(&s) % lim];
		if (w[j] != 0)
			continue;
		w[j] = (unif(&s) < 0.5 ? -1 : 1) * (0.5 + unif(&s)) * o->scale;
		t++;
	}
	for (i = 0; i < o->n; i++) {
		double f = o->bias;

		X->rowptr[i] = k;
		for (t = 0; t < o->nnz_per_row;) {
			double u = unif(&s) * cum[o->p - 1];
			uint32_t lo = 0, hi = o->p - 1;

			while (lo < hi) {
				uint32_t mid = lo + (hi - lo) / 2;

				if (cum[mid] < u)
					lo = mid + 1;
				else
					hi = mid;
			}
			j = perm[lo];
			if (taken[j])
				continue;
			taken[j] = 1;
			rowcols[t++] = j;
		}
		qsort(rowcols, o->nnz_per_row, sizeof(uint32_t), cmp_u32);
		for (t = 0; t < o->nnz_per_row; t++) {
			j = rowcols[t];
			taken[j] = 0;
			X->col[k] = j;
			X->val[k] = gauss(&s);
			f += X->val[k] * w[j];
			k++;
		}
		X->y[i] = unif(&s) < 1 / (1 + exp(-f)) ? 1 : -1;
	}
	X->rowptr[o->n] = k;
	if (w_out != NULL)
		memcpy(w_out, w, (size_t)o->p * sizeof(double));
	free(perm);
	free(cum);
	free(w);
	free(taken);
	free(rowcols);
	return 0;
}

/* The truth file: '# app logreg-truth', '# p P', '# index_base 1',
 * '# intercept B', then 'index value' a non-zero weight. */
typedef struct {
	const double *w;
	uint32_t p;
	double bias;
} truth_t;

static int
truth_put(FILE *f, void *arg)
{
	const truth_t *t = arg;
	uint32_t j;

	fprintf(f, "# app logreg-truth\n# p %u\n# index_base 1\n# intercept %.17g\n", t->p,
	    t->bias);
	for (j = 0; j < t->p; j++)
		if (t->w[j] != 0)
			fprintf(f, "%u %.17g\n", j + 1, t->w[j]);
	return ferror(f) != 0;
}

static void
gen_usage(FILE *f)
{
	logreg_gen_opts_t d;

	logreg_gen_opts_init(&d);
	fprintf(f,
	    "usage: strads gen logreg --out FILE [--truth FILE] [options]\n\n"
	    "Writes a synthetic sparse logistic regression problem as LIBSVM\n"
	    "(labels +1/-1): row i holds K distinct columns drawn with Zipf\n"
	    "frequencies, values N(0, 1); y = +1 with probability\n"
	    "1 / (1 + exp(-(w.x + bias))), w with --support non-zeros on frequent\n"
	    "columns. The same options give the same files.\n\n"
	    "  --out FILE          the LIBSVM file to write (required)\n"
	    "  --truth FILE        also write w: '# app logreg-truth', '# p P',\n"
	    "                      '# index_base 1', '# intercept B', then\n"
	    "                      'index value' a non-zero\n"
	    "  --n N               rows (default %u)\n"
	    "  --p P               columns (default %u)\n"
	    "  --nnz-per-row K     distinct columns a row, 1 to P (default %u)\n"
	    "  --support S         non-zero weights, among the 4S most frequent\n"
	    "                      columns (default %u)\n"
	    "  --scale S           weights are +-U(0.5, 1.5) x S (default %g)\n"
	    "  --bias B            the intercept (default %g)\n"
	    "  --skew S            Zipf exponent of column frequencies; 0 is\n"
	    "                      uniform (default %g)\n"
	    "  --seed S            seed of the generator (default %llu)\n"
	    "  --help              this help\n",
	    d.n, d.p, d.nnz_per_row, d.support, d.scale, d.bias, d.skew,
	    (unsigned long long)d.seed);
}

int
logreg_gen_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"n", required_argument, NULL, 'n'},
	    {"p", required_argument, NULL, 'p'},
	    {"nnz-per-row", required_argument, NULL, 'k'},
	    {"support", required_argument, NULL, 's'},
	    {"scale", required_argument, NULL, 'c'},
	    {"bias", required_argument, NULL, 'b'},
	    {"skew", required_argument, NULL, 'z'},
	    {"seed", required_argument, NULL, 'e'},
	    {"out", required_argument, NULL, 'o'},
	    {"truth", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *out = NULL, *truth = NULL;
	logreg_gen_opts_t o;
	data_matrix_t X;
	double *w = NULL;
	char err[512];
	uint32_t i, pos = 0;
	int c, bad = 0;

	logreg_gen_opts_init(&o);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': bad |= cli_gen_u32("logreg", "--n", optarg, &o.n) != 0; break;
		case 'p': bad |= cli_gen_u32("logreg", "--p", optarg, &o.p) != 0; break;
		case 'k':
			bad |= cli_gen_u32("logreg", "--nnz-per-row", optarg, &o.nnz_per_row) != 0;
			break;
		case 's': bad |= cli_gen_u32("logreg", "--support", optarg, &o.support) != 0; break;
		case 'c': bad |= cli_gen_double("logreg", "--scale", optarg, &o.scale) != 0; break;
		case 'b': bad |= cli_gen_double("logreg", "--bias", optarg, &o.bias) != 0; break;
		case 'z': bad |= cli_gen_double("logreg", "--skew", optarg, &o.skew) != 0; break;
		case 'e': bad |= cli_gen_u64("logreg", "--seed", optarg, &o.seed) != 0; break;
		case 'o': out = optarg; break;
		case 't': truth = optarg; break;
		case 'h': gen_usage(stdout); return CLI_OK;
		default:
			cli_gen_error("logreg", "%s '%s'", c == ':' ? "a value is needed after"
			    : "unknown option", argv[optind - 1]);
			return CLI_USAGE;
		}
	}
	if (bad)
		return CLI_USAGE;
	if (optind < argc) {
		cli_gen_error("logreg", "unexpected argument '%s'", argv[optind]);
		return CLI_USAGE;
	}
	if (out == NULL) {
		cli_gen_error("logreg", "--out FILE is required");
		return CLI_USAGE;
	}
	if (cli_gen_writable("logreg", out) != 0 ||
	    (truth != NULL && cli_gen_writable("logreg", truth) != 0))
		return CLI_FAIL;
	if (o.p > 0 && (w = malloc((size_t)o.p * sizeof(double))) == NULL) {
		cli_gen_error("logreg", "out of memory");
		return CLI_FAIL;
	}
	if (logreg_gen(&o, &X, w, err, sizeof(err)) != 0) {
		cli_gen_error("logreg", "%s", err);
		free(w);
		return strstr(err, "memory") != NULL ? CLI_FAIL : CLI_USAGE;
	}
	if (data_write_libsvm(out, &X, err, sizeof(err)) != 0) {
		cli_gen_error("logreg", "%s", err);
		goto fail;
	}
	if (truth != NULL) {
		truth_t tr = {w, o.p, o.bias};

		if (strads_file_write_atomic(truth, 0644, truth_put, &tr, err, sizeof(err)) != 0) {
			cli_gen_error("logreg", "%s", err);
			goto fail;
		}
	}
	for (i = 0; i < X.n; i++)
		pos += X.y[i] > 0;
	fprintf(stderr, "strads gen logreg: %u rows, %u columns, %llu non-zeros, %u "
	                "positive labels, %u non-zero weights -> %s\n",
	    X.n, X.p, (unsigned long long)X.nnz, pos, o.support, out);
	data_matrix_free(&X);
	free(w);
	return CLI_OK;
fail:
	data_matrix_free(&X);
	free(w);
	return CLI_FAIL;
}
