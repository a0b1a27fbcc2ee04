/*
 * cmd-gen.c -- `strads gen APP`: synthetic training data with a planted
 * ground truth, so a solver's answer can be checked at any size.
 *
 * One generator an app; each parses its own options and writes its data
 * (and, on request, its truth) atomically: temp file, fsync, rename.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "gen_lasso.h"

typedef struct {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv); /* argv[0] is the app */
} gen_app_t;

static int lasso_main(int argc, char **argv);

static const gen_app_t gen_apps[] = {
    {"lasso", "sparse regression y = X beta + noise, beta k-sparse",
	lasso_main},
};

#define NAPPS (sizeof(gen_apps) / sizeof(gen_apps[0]))

static void errorf(const char *app, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "strads gen APP: message\n" on stderr. */
static void
errorf(const char *app, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "strads gen %s: ", app);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A whole decimal number in [0, UINT32_MAX], nothing else. */
static int
parse_u32(const char *app, const char *opt, const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 ||
	    v > UINT32_MAX) {
		errorf(app,
		    "--%s: expected a whole number from 0 to %u, "
		    "found '%s'",
		    opt, UINT32_MAX, s);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int
parse_u64(const char *app, const char *opt, const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0) {
		errorf(app,
		    "--%s: expected a whole number from 0 to %llu, "
		    "found '%s'",
		    opt, (unsigned long long)UINT64_MAX, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* A finite real number, nothing else. */
static int
parse_double(const char *app, const char *opt, const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v)) {
		errorf(app, "--%s: expected a number, found '%s'", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* The directory holding path (malloc'd), or NULL when out of memory. */
static char *
parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* Fails early, before minutes of generating, when the directory of path
 * cannot take a new file. */
static int
check_writable(const char *app, const char *path)
{
	char *dir = parent_dir(path);
	int ok;

	if (dir == NULL)
		return 0;
	ok = access(dir, W_OK | X_OK) == 0;
	if (!ok)
		errorf(app, "%s: cannot write into %s: %s", path, dir,
		    strerror(errno));
	free(dir);
	return ok ? 0 : -1;
}

/*
 * The planted truth as a model-like text file:
 *	# app lasso-truth
 *	# p P
 *	# index_base 1
 * then "index value" for every non-zero, in increasing index, values
 * with %.17g (exact round trip). Written with strads_file_write_atomic():
 * the file appears complete or not at all.
 */
typedef struct {
	const double *beta;
	uint32_t p;
} truth_t;

static int
truth_write(FILE *f, void *arg)
{
	const truth_t *t = arg;
	uint32_t j;

	fprintf(f, "# app lasso-truth\n# p %u\n# index_base 1\n", t->p);
	for (j = 0; j < t->p; j++)
		if (t->beta[j] != 0)
			fprintf(f, "%u %.17g\n", j + 1, t->beta[j]);
	return ferror(f) != 0;
}

static int
write_truth(const char *path, const double *beta, uint32_t p)
{
	truth_t t = {beta, p};
	char err[512];

	if (strads_file_write_atomic(path, 0644, truth_write, &t, err,
	    sizeof(err)) != 0) {
		errorf("lasso", "%s", err);
		return -1;
	}
	return 0;
}

static void
lasso_usage(FILE *f)
{
	gen_lasso_opts_t d;

	gen_lasso_opts_init(&d);
	fprintf(f,
	    "usage: strads gen lasso --out FILE [--truth FILE] [options]\n\n"
	    "Writes a synthetic sparse regression problem y = X beta + noise "
	    "with a planted\nsparse beta: X and y as LIBSVM (1-based), beta's "
	    "non-zeros to --truth. The\nsame options and seed give the same "
	    "files.\n\n"
	    "  --out FILE          the LIBSVM file to write (required)\n"
	    "  --truth FILE        also write beta: '# app lasso-truth', "
	    "'# p P',\n"
	    "                      '# index_base 1', then 'index value' a "
	    "non-zero\n"
	    "  --n N               rows (default %u)\n"
	    "  --p P               columns (default %u)\n"
	    "  --nnz-per-row K     mean non-zeros a row, 1 to P; a row holds "
	    "K-h to K+h\n"
	    "                      columns, uniformly, h = min(K/2, P-K) "
	    "(default %u)\n"
	    "  --support K         non-zeros of beta, 0 to P, on columns drawn "
	    "uniformly among\n"
	    "                      the 4K most frequent ones (default %u)\n"
	    "  --noise SD          sd of the Gaussian noise added to y "
	    "(default %g)\n"
	    "  --snr R             instead of --noise: sd = sqrt(var(X beta) "
	    "/ R), R > 0\n"
	    "  --rho R             in [0, 1]: two columns of one block in one "
	    "row share a\n"
	    "                      factor, so their values (gaussian) or "
	    "log-values (tfidf)\n"
	    "                      have correlation R (default %g)\n"
	    "  --block B           columns a block, consecutive (default %u)\n"
	    "  --skew S            the column of rank r in a random order is "
	    "drawn with\n"
	    "                      weight 1/r^S (Zipf); 0 is uniform "
	    "(default %g)\n"
	    "  --values V          tfidf: positive idf-weighted log-normal "
	    "values, each row\n"
	    "                      of unit L2 norm; gaussian: N(0, 1) values "
	    "(default %s)\n"
	    "  --scale S           beta's non-zeros are +-U(0.5, 1.5) * S, "
	    "S > 0 (default %g)\n"
	    "  --seed S            seed of the generator, 0 to 2^64-1 "
	    "(default %llu)\n"
	    "  --help              this help\n\n"
	    "A one-line summary goes to stderr. Exit 0 on success, 1 when "
	    "generating or\nwriting failed, 2 on a usage error.\n",
	    d.n, d.p, d.nnz_per_row, d.support, d.noise, d.rho, d.block, d.skew,
	    d.values == GEN_VALUES_TFIDF ? "tfidf" : "gaussian", d.scale,
	    (unsigned long long)d.seed);
}

enum {
	OPT_N = 256,
	OPT_P,
	OPT_NNZ,
	OPT_SUPPORT,
	OPT_NOISE,
	OPT_SNR,
	OPT_RHO,
	OPT_BLOCK,
	OPT_SKEW,
	OPT_VALUES,
	OPT_SCALE,
	OPT_SEED,
	OPT_OUT,
	OPT_TRUTH
};

static int
lasso_main(int argc, char **argv)
{
	/* In the order of the OPT_ codes: longopts[c - OPT_N] is c's. */
	static const struct option longopts[] = {
	    {"n", required_argument, NULL, OPT_N},
	    {"p", required_argument, NULL, OPT_P},
	    {"nnz-per-row", required_argument, NULL, OPT_NNZ},
	    {"support", required_argument, NULL, OPT_SUPPORT},
	    {"noise", required_argument, NULL, OPT_NOISE},
	    {"snr", required_argument, NULL, OPT_SNR},
	    {"rho", required_argument, NULL, OPT_RHO},
	    {"block", required_argument, NULL, OPT_BLOCK},
	    {"skew", required_argument, NULL, OPT_SKEW},
	    {"values", required_argument, NULL, OPT_VALUES},
	    {"scale", required_argument, NULL, OPT_SCALE},
	    {"seed", required_argument, NULL, OPT_SEED},
	    {"out", required_argument, NULL, OPT_OUT},
	    {"truth", required_argument, NULL, OPT_TRUTH},
	    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	const char *out = NULL, *truth = NULL, *name;
	gen_lasso_opts_t o;
	gen_lasso_info_t info;
	data_matrix_t X;
	double *beta, t_gen, t_write;
	uint64_t t0;
	char err[512];
	int c, rc = 0, have_noise = 0, have_snr = 0;

	gen_lasso_opts_init(&o);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		name = c >= OPT_N && c <= OPT_TRUTH ? longopts[c - OPT_N].name
						    : "";
		switch (c) {
		case OPT_N:
			rc = parse_u32("lasso", name, optarg, &o.n);
			break;
		case OPT_P:
			rc = parse_u32("lasso", name, optarg, &o.p);
			break;
		case OPT_NNZ:
			rc = parse_u32("lasso", name, optarg, &o.nnz_per_row);
			break;
		case OPT_SUPPORT:
			rc = parse_u32("lasso", name, optarg, &o.support);
			break;
		case OPT_NOISE:
			rc = parse_double("lasso", name, optarg, &o.noise);
			have_noise = 1;
			break;
		case OPT_SNR:
			rc = parse_double("lasso", name, optarg, &o.snr);
			if (rc == 0 && o.snr <= 0) {
				errorf("lasso",
				    "--snr: expected a number > 0, "
				    "found '%s'",
				    optarg);
				rc = -1;
			}
			have_snr = 1;
			break;
		case OPT_RHO:
			rc = parse_double("lasso", name, optarg, &o.rho);
			break;
		case OPT_BLOCK:
			rc = parse_u32("lasso", name, optarg, &o.block);
			break;
		case OPT_SKEW:
			rc = parse_double("lasso", name, optarg, &o.skew);
			break;
		case OPT_VALUES:
			if (strcmp(optarg, "tfidf") == 0)
				o.values = GEN_VALUES_TFIDF;
			else if (strcmp(optarg, "gaussian") == 0)
				o.values = GEN_VALUES_GAUSSIAN;
			else {
				errorf("lasso",
				    "--values: expected tfidf or "
				    "gaussian, found '%s'",
				    optarg);
				rc = -1;
			}
			break;
		case OPT_SCALE:
			rc = parse_double("lasso", name, optarg, &o.scale);
			break;
		case OPT_SEED:
			rc = parse_u64("lasso", name, optarg, &o.seed);
			break;
		case OPT_OUT:
			out = optarg;
			break;
		case OPT_TRUTH:
			truth = optarg;
			break;
		case 'h':
			lasso_usage(stdout);
			return CLI_OK;
		case ':':
			errorf("lasso", "%s needs a value", argv[optind - 1]);
			rc = -1;
			break;
		default:
			errorf(
			    "lasso", "unknown option '%s'", argv[optind - 1]);
			rc = -1;
			break;
		}
		if (rc != 0)
			goto usage;
	}
	if (optind < argc) {
		errorf("lasso", "unexpected argument '%s'", argv[optind]);
		goto usage;
	}
	if (out == NULL) {
		errorf("lasso", "--out FILE is required");
		goto usage;
	}
	if (truth != NULL && strcmp(truth, out) == 0) {
		errorf("lasso", "--out and --truth name the same file");
		goto usage;
	}
	if (have_noise && have_snr) {
		errorf("lasso", "--noise and --snr exclude each other");
		goto usage;
	}
	if (gen_lasso_check(&o, err, sizeof(err)) != 0) {
		errorf("lasso", "%s", err);
		goto usage;
	}

	if (check_writable("lasso", out) != 0 ||
	    (truth != NULL && check_writable("lasso", truth) != 0))
		return CLI_FAIL;
	beta = malloc((size_t)o.p * sizeof(*beta));
	if (beta == NULL) {
		errorf("lasso", "out of memory for %u columns", o.p);
		return CLI_FAIL;
	}
	t0 = strads_now_ns();
	if (gen_lasso_ex(&o, &X, beta, &info, err, sizeof(err)) != 0) {
		errorf("lasso", "%s", err);
		free(beta);
		return CLI_FAIL;
	}
	t_gen = (double)(strads_now_ns() - t0) / 1e9;
	t0 = strads_now_ns();
	rc = CLI_OK;
	if (data_write_libsvm(out, &X, err, sizeof(err)) != 0) {
		errorf("lasso", "%s", err);
		rc = CLI_FAIL;
	} else if (truth != NULL && write_truth(truth, beta, o.p) != 0)
		rc = CLI_FAIL;
	t_write = (double)(strads_now_ns() - t0) / 1e9;
	if (rc == CLI_OK) {
		char snr[32];

		if (info.noise_sd > 0)
			snprintf(snr, sizeof(snr), "%.3g",
			    info.signal_var / (info.noise_sd * info.noise_sd));
		else
			snprintf(snr, sizeof(snr), "inf");
		fprintf(stderr,
		    "strads gen lasso: %u rows, %u cols, %llu nnz (%.1f a "
		    "row), "
		    "support %u, noise sd %.3g (snr %s), %.2f s to generate, "
		    "%.2f s to write %s\n",
		    X.n, X.p, (unsigned long long)X.nnz, (double)X.nnz / X.n,
		    o.support, info.noise_sd, snr, t_gen, t_write, out);
	}
	data_matrix_free(&X);
	free(beta);
	return rc;
usage:
	fprintf(stderr, "Try 'strads gen lasso --help'.\n");
	return CLI_USAGE;
}

static void
gen_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: strads gen APP --out FILE [options]\n"
		   "       strads gen APP --help\n\n"
		   "Writes synthetic data with a planted ground truth.\n\n"
		   "apps:\n");
	for (i = 0; i < NAPPS; i++)
		fprintf(
		    f, "  %-10s %s\n", gen_apps[i].name, gen_apps[i].summary);
}

static int
gen_main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		gen_usage(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		gen_usage(stdout);
		return CLI_OK;
	}
	for (i = 0; i < NAPPS; i++)
		if (strcmp(argv[1], gen_apps[i].name) == 0)
			return gen_apps[i].main(argc - 1, argv + 1);
	fprintf(stderr, "strads gen: unknown app '%s'\n\n", argv[1]);
	gen_usage(stderr);
	return CLI_USAGE;
}

const strads_cmd_t strads_cmd_gen = {
    "gen", "write synthetic data with a planted ground truth", gen_main};
