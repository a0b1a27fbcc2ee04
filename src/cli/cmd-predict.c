/*
 * cmd-predict.c -- `strads predict MODEL DATA`: one prediction a line on
 * stdout; when the data has responses, RMSE and R^2 on stderr.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "data.h"
#include "model.h"

static void
predict_usage(FILE *f)
{
	fprintf(f,
	    "usage: strads predict MODEL DATA [--format F] [--target COL]\n"
	    "                      [--ignore COLS] [--missing M] [--quiet]\n"
	    "\n"
	    "Prints one prediction per row of DATA (b0 + x.b). When DATA has\n"
	    "responses, prints RMSE and R^2 on stderr unless --quiet. Data\n"
	    "options are those of strads run.\n");
}

static int
predict_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"target", required_argument, NULL, 't'},
	    {"ignore", required_argument, NULL, 'i'},
	    {"missing", required_argument, NULL, 'm'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *format = NULL;
	data_opts_t dopts;
	data_matrix_t X;
	model_t model;
	char err[1024];
	double sse = 0, sum = 0, sst = 0, mean;
	uint64_t i, k;
	int c, quiet = 0, extra = 0;

	data_opts_init(&dopts);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 't': dopts.target = optarg; break;
		case 'i': dopts.ignore = optarg; break;
		case 'm':
			if (strcmp(optarg, "drop") == 0)
				dopts.missing = DATA_MISSING_DROP;
			else if (strcmp(optarg, "mean") == 0)
				dopts.missing = DATA_MISSING_MEAN;
			else if (strcmp(optarg, "error") != 0) {
				fprintf(stderr, "strads predict: --missing: expected error, drop or mean\n");
				return CLI_USAGE;
			}
			break;
		case 'q': quiet = 1; break;
		case 'h': predict_usage(stdout); return CLI_OK;
		default: return CLI_USAGE;
		}
	}
	if (argc - optind != 2) {
		predict_usage(stderr);
		return CLI_USAGE;
	}
	if (model_read(argv[optind], &model, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads predict: %s\n", err);
		return CLI_FAIL;
	}
	if (data_load(argv[optind + 1], format, &dopts, &X, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads predict: %s\n", err);
		model_free(&model);
		return CLI_FAIL;
	}
	for (i = 0; i < X.n; i++) {
		double f = model.intercept;

		for (k = X.rowptr[i]; k < X.rowptr[i + 1]; k++) {
			if (X.col[k] < model.p)
				f += X.val[k] * model.coef[X.col[k]];
			else
				extra++;
		}
		printf("%.17g\n", f);
		if (X.y != NULL) {
			sse += (X.y[i] - f) * (X.y[i] - f);
			sum += X.y[i];
		}
	}
	if (extra > 0 && !quiet)
		fprintf(stderr, "strads predict: %d values in columns the model has no "
		                "coefficient for were ignored\n", extra);
	if (X.y != NULL && X.n > 0 && !quiet) {
		mean = sum / X.n;
		for (i = 0; i < X.n; i++)
			sst += (X.y[i] - mean) * (X.y[i] - mean);
		fprintf(stderr, "rows %u  rmse %.10g  r2 %.10g\n", X.n, sqrt(sse / X.n),
		    sst > 0 ? 1 - sse / sst : 0);
	}
	model_free(&model);
	data_matrix_free(&X);
	return CLI_OK;
}

const strads_cmd_t strads_cmd_predict = {
    "predict", "predict with a model file", predict_main};
