/*
 * lasso-cmds.c -- the Lasso app's commands besides training: `strads gen
 * lasso` (a problem with a planted truth) and `strads demo lasso`.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "gen_lasso.h"
#include "lasso-cmds.h"
#include "lasso.h"

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

	if (strads_file_write_atomic(path, 0644, truth_write, &t, err, sizeof(err)) != 0) {
		cli_gen_error("lasso", "%s", err);
		return -1;
	}
	return 0;
}

static void
gen_usage(FILE *f)
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
	    "  --test FILE         also write held-out rows, drawn with the "
	    "others\n"
	    "                      from the same beta (a test set for "
	    "strads predict)\n"
	    "  --test-n M          rows of --test (default: n/4)\n"
	    "  --n N               rows (default %u)\n"
	    "  --p P               columns (default %u)\n"
	    "  --nnz-per-row K     mean non-zeros a row, 1 to P; a row holds "
	    "K-h to K+h\n"
	    "                      columns, uniformly, h = min(K/2, P-K) "
	    "(default %u,\n"
	    "                      or P when P is smaller)\n"
	    "  --support K         non-zeros of beta, 0 to P, on columns drawn "
	    "uniformly among\n"
	    "                      the 4K most frequent ones (default %u,\n"
	    "                      or P when P is smaller)\n"
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
	OPT_TRUTH,
	OPT_TEST,
	OPT_TESTN
};

int
lasso_gen_main(int argc, char **argv)
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
	    {"test", required_argument, NULL, OPT_TEST},
	    {"test-n", required_argument, NULL, OPT_TESTN},
	    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	const char *out = NULL, *truth = NULL, *test = NULL, *name;
	uint32_t test_n = 0;
	int have_test_n = 0;
	gen_lasso_opts_t o;
	gen_lasso_info_t info;
	data_matrix_t X;
	double *beta, t_gen, t_write;
	uint64_t t0;
	char err[512];
	int c, rc = 0, have_noise = 0, have_snr = 0, have_nnz = 0, have_support = 0;

	gen_lasso_opts_init(&o);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		name = c >= OPT_N && c <= OPT_TESTN ? longopts[c - OPT_N].name
						    : "";
		switch (c) {
		case OPT_N:
			rc = cli_gen_u32("lasso", name, optarg, &o.n);
			break;
		case OPT_P:
			rc = cli_gen_u32("lasso", name, optarg, &o.p);
			break;
		case OPT_NNZ:
			rc = cli_gen_u32("lasso", name, optarg, &o.nnz_per_row);
			have_nnz = 1;
			break;
		case OPT_SUPPORT:
			rc = cli_gen_u32("lasso", name, optarg, &o.support);
			have_support = 1;
			break;
		case OPT_NOISE:
			rc = cli_gen_double("lasso", name, optarg, &o.noise);
			have_noise = 1;
			break;
		case OPT_SNR:
			rc = cli_gen_double("lasso", name, optarg, &o.snr);
			if (rc == 0 && o.snr <= 0) {
				cli_gen_error("lasso",
				    "--snr: expected a number > 0, "
				    "found '%s'",
				    optarg);
				rc = -1;
			}
			have_snr = 1;
			break;
		case OPT_RHO:
			rc = cli_gen_double("lasso", name, optarg, &o.rho);
			break;
		case OPT_BLOCK:
			rc = cli_gen_u32("lasso", name, optarg, &o.block);
			break;
		case OPT_SKEW:
			rc = cli_gen_double("lasso", name, optarg, &o.skew);
			break;
		case OPT_VALUES:
			if (strcmp(optarg, "tfidf") == 0)
				o.values = GEN_VALUES_TFIDF;
			else if (strcmp(optarg, "gaussian") == 0)
				o.values = GEN_VALUES_GAUSSIAN;
			else {
				cli_gen_error("lasso",
				    "--values: expected tfidf or "
				    "gaussian, found '%s'",
				    optarg);
				rc = -1;
			}
			break;
		case OPT_SCALE:
			rc = cli_gen_double("lasso", name, optarg, &o.scale);
			break;
		case OPT_SEED:
			rc = cli_gen_u64("lasso", name, optarg, &o.seed);
			break;
		case OPT_OUT:
			out = optarg;
			break;
		case OPT_TRUTH:
			truth = optarg;
			break;
		case OPT_TEST:
			test = optarg;
			break;
		case OPT_TESTN:
			rc = cli_gen_u32("lasso", name, optarg, &test_n);
			if (rc == 0 && test_n == 0) {
				cli_gen_error("lasso", "--test-n: expected a whole "
				    "number >= 1, found '%s'", optarg);
				rc = -1;
			}
			have_test_n = 1;
			break;
		case 'h':
			gen_usage(stdout);
			return CLI_OK;
		case ':':
			cli_gen_error("lasso", "%s needs a value", argv[optind - 1]);
			rc = -1;
			break;
		default:
			cli_gen_error(
			    "lasso", "unknown option '%s'", argv[optind - 1]);
			rc = -1;
			break;
		}
		if (rc != 0)
			goto usage;
	}
	if (optind < argc) {
		cli_gen_error("lasso", "unexpected argument '%s'", argv[optind]);
		goto usage;
	}
	if (out == NULL) {
		cli_gen_error("lasso", "--out FILE is required");
		goto usage;
	}
	if (truth != NULL && strcmp(truth, out) == 0) {
		cli_gen_error("lasso", "--out and --truth name the same file");
		goto usage;
	}
	if (test != NULL && (strcmp(test, out) == 0 ||
				 (truth != NULL && strcmp(test, truth) == 0))) {
		cli_gen_error("lasso", "--test names the same file as --out or --truth");
		goto usage;
	}
	if (have_test_n && test == NULL) {
		cli_gen_error("lasso", "--test-n is the size of --test FILE, which is missing");
		goto usage;
	}
	if (test != NULL && !have_test_n)
		test_n = o.n / 4 > 0 ? o.n / 4 : 1;
	if (test != NULL && (uint64_t)o.n + test_n > UINT32_MAX - 1) {
		cli_gen_error("lasso", "--n plus --test-n: at most %u rows", UINT32_MAX - 1);
		goto usage;
	}
	if (have_noise && have_snr) {
		cli_gen_error("lasso", "--noise and --snr exclude each other");
		goto usage;
	}
	/* The defaults shrink to fit a small --p; given values are checked. */
	if (!have_nnz && o.nnz_per_row > o.p && o.p > 0)
		o.nnz_per_row = o.p;
	if (!have_support && o.support > o.p)
		o.support = o.p;
	if (gen_lasso_check(&o, err, sizeof(err)) != 0) {
		cli_gen_error("lasso", "%s", err);
		goto usage;
	}

	if (cli_gen_writable("lasso", out) != 0 ||
	    (truth != NULL && cli_gen_writable("lasso", truth) != 0) ||
	    (test != NULL && cli_gen_writable("lasso", test) != 0))
		return CLI_FAIL;
	/* The held-out rows are drawn with the training rows, from the same
	 * beta and column frequencies, and split off at the end. */
	o.n += test_n;
	beta = malloc((size_t)o.p * sizeof(*beta));
	if (beta == NULL) {
		cli_gen_error("lasso", "out of memory for %u columns", o.p);
		return CLI_FAIL;
	}
	t0 = strads_now_ns();
	if (gen_lasso_ex(&o, &X, beta, &info, err, sizeof(err)) != 0) {
		cli_gen_error("lasso", "%s", err);
		free(beta);
		return CLI_FAIL;
	}
	t_gen = (double)(strads_now_ns() - t0) / 1e9;
	t0 = strads_now_ns();
	rc = CLI_OK;
	{
		data_matrix_t train = X, held = X;

		/* Views of X's rows: the writer reads rowptr's absolute
		 * offsets into col and val. */
		train.n = X.n - test_n;
		held.n = test_n;
		held.rowptr = X.rowptr + train.n;
		held.y = X.y + train.n;
		if (data_write_libsvm(out, &train, err, sizeof(err)) != 0 ||
		    (test != NULL &&
			data_write_libsvm(test, &held, err, sizeof(err)) != 0)) {
			cli_gen_error("lasso", "%s", err);
			rc = CLI_FAIL;
		}
	}
	if (rc == CLI_OK && truth != NULL && write_truth(truth, beta, o.p) != 0)
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
		    "%.2f s to write %s%s%s\n",
		    X.n - test_n, X.p, (unsigned long long)X.rowptr[X.n - test_n],
		    (double)X.rowptr[X.n - test_n] / (X.n - test_n), o.support,
		    info.noise_sd, snr, t_gen, t_write, out,
		    test != NULL ? " and the held-out rows to " : "",
		    test != NULL ? test : "");
	}
	data_matrix_free(&X);
	free(beta);
	return rc;
usage:
	fprintf(stderr, "Try 'strads gen lasso --help'.\n");
	return CLI_USAGE;
}

const char lasso_demo_help[] =
    "generates a 5000 x 20000 sparse regression with 50\n"
    "planted coefficients, solves the Lasso in this process printing the\n"
    "objective, and reports the planted support recovered.\n";

static int
demo(void)
{
	gen_lasso_opts_t g;
	data_matrix_t X;
	strads_runtime_t *rt = NULL;
	strads_job_opts_t o;
	strads_job_result_t res;
	lasso_t l;
	double *truth = NULL, *b = NULL, lmax;
	char err[512];
	uint32_t j, planted = 0, found = 0, extra = 0;
	int rc = CLI_FAIL, e;

	gen_lasso_opts_init(&g);
	g.n = 5000;
	g.p = 20000;
	g.nnz_per_row = 30;
	g.support = 50;
	g.values = GEN_VALUES_GAUSSIAN;
	g.noise = 0.5;
	g.seed = 7;
	truth = calloc(g.p, sizeof(double));
	b = calloc(g.p, sizeof(double));
	if (truth == NULL || b == NULL || gen_lasso(&g, &X, truth, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads demo: %s\n", truth == NULL || b == NULL ? "out of memory" : err);
		free(truth);
		free(b);
		return CLI_FAIL;
	}
	printf("generated %u x %u sparse regression, %llu non-zeros, "
	       "%u planted non-zero coefficients, noise sd %g\n",
	    X.n, X.p, (unsigned long long)X.nnz, g.support, g.noise);
	if (lasso_setup(&l, &X, 1, 0, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads demo: %s\n", err);
		goto out_data;
	}
	lmax = lasso_lambda_max(&l);
	l.lambda = 0.05 * lmax;
	printf("Lasso at lambda = 0.05 x lambda_max = %g, all roles in this "
	       "process; objective by round:\n", l.lambda);
	fflush(stdout);
	if ((e = strads_runtime_new(&rt, NULL)) != 0 || (e = strads_runtime_start(rt)) != 0) {
		fprintf(stderr, "strads demo: %s\n", strads_strerror(e));
		goto out;
	}
	strads_job_opts_init(&o);
	o.nparams = l.p;
	o.nrows = l.n;
	o.progress = 1;
	o.tol = 1e-6;
	o.schedule = STRADS_SCHEDULE_WORKSET; /* strads run's default */
	if ((e = strads_job_run(rt, &lasso_ws_app, &l, &o, &res)) != 0) {
		fprintf(stderr, "strads demo: %s\n", strads_strerror(e));
		goto out;
	}
	lasso_unscale(&l, res.params, b);
	for (j = 0; j < g.p; j++) {
		planted += truth[j] != 0;
		found += truth[j] != 0 && b[j] != 0;
		extra += truth[j] == 0 && b[j] != 0;
	}
	printf("objective %.10g (relative duality gap %.1e) after %llu rounds, "
	       "%llu coordinate updates, %.2f s\n",
	    res.progress.objective, res.progress.criterion, (unsigned long long)res.rounds,
	    (unsigned long long)res.updates, res.solve_s);
	printf("planted support recovered: %u of %u; %u other non-zeros\n", found,
	    planted, extra);
	free(res.params);
	rc = CLI_OK;
out:
	if (rt != NULL) {
		strads_runtime_stop(rt);
		strads_runtime_wait(rt);
		strads_runtime_free(rt);
	}
	lasso_free(&l);
out_data:
	data_matrix_free(&X);
	free(truth);
	free(b);
	return rc;
}

int
lasso_demo_main(int argc, char **argv)
{
	/* No options but --help: anything else is a mistake to report, not
	 * a reason to run a demo the user did not ask for. */
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: strads demo lasso\n\nlasso: %s", lasso_demo_help);
		return CLI_OK;
	}
	if (argc >= 2) {
		fprintf(stderr, "strads demo lasso: unexpected argument '%s' (the demo "
		    "takes no options)\n", argv[1]);
		return CLI_USAGE;
	}
	return demo();
}
