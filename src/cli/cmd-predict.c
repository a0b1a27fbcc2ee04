/*
 * cmd-predict.c -- `strads predict MODEL DATA`: one prediction a line on
 * stdout, by the app the model file's "app" line names (its registry
 * entry's predict); when the data has responses, how well they fit on
 * stderr.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "data.h"
#include "model.h"
#include "registry.h"

static void
predict_usage(FILE *f)
{
	fprintf(f,
	    "usage: strads predict MODEL DATA [--format F] [--target COL]\n"
	    "                      [--ignore COLS] [--missing M] [--labels] [--quiet]\n"
	    "\n"
	    "Prints one prediction per row of DATA, made by the app that MODEL's\n"
	    "'# app' line names (a linear model: b0 + x.b). When DATA has\n"
	    "responses, prints RMSE and R^2 on stderr unless --quiet. A\n"
	    "classifier's model (logistic regression) prints probabilities, or\n"
	    "labels with --labels, and accuracy, log-loss and AUC.\n"
	    "\n"
	    "DATA is read as the model's training data was: its format, index\n"
	    "base, target and ignored columns come from the model (the options\n"
	    "above override them). CSV columns are matched by name; a column the\n"
	    "model does not know, or a feature index past the model's, is an\n"
	    "error. A model file that is cut short, damaged or of another\n"
	    "format is refused.\n"
	    "\n"
	    "A model in its app's own format (a topic or factor model's) is handed\n"
	    "to that app, which reads its own options: strads predict MODEL --help\n"
	    "lists them.\n");
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
	    {"labels", no_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *format = NULL;
	const app_entry_t *app;
	data_opts_t dopts;
	data_matrix_t X;
	model_t model;
	char err[1024];
	int c, quiet = 0, labels = 0, rc;

	/* A model in an app's own format (a factor model's) is that app's to
	 * predict with: its first argument that is not an option. */
	for (c = 1; c < argc; c++)
		if (argv[c][0] != '-') {
			if ((app = app_model_owner(argv[c])) != NULL)
				return app->predict_file(argc, argv);
			break;
		}
	data_opts_init(&dopts);
	optind = 1;
	opterr = 0; /* getopt's messages would name argv[0], "predict" */
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 't': dopts.target = optarg; break;
		case 'i': dopts.ignore = optarg; break;
		case 'm':
			if (cli_parse_missing("predict", optarg, &dopts.missing) != 0)
				return CLI_USAGE;
			/* The mean would be this file's, not the training
			 * data's (the model does not keep those): each row's
			 * prediction would depend on the others. */
			if (dopts.missing == DATA_MISSING_MEAN) {
				fprintf(stderr, "strads predict: --missing mean would fill "
				    "gaps with this file's column means, not the training "
				    "data's; fill them, or use --missing drop\n");
				return CLI_USAGE;
			}
			break;
		case 'q': quiet = 1; break;
		case 'l': labels = 1; break;
		case 'h': predict_usage(stdout); return CLI_OK;
		default:
			fprintf(stderr, "strads predict: %s '%s'\nTry 'strads predict --help'.\n",
			    c == ':' ? "a value is needed after" : "unknown option",
			    argv[optind - 1]);
			return CLI_USAGE;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "strads predict: expected MODEL and DATA, got %d argument%s\n",
		    argc - optind, argc - optind == 1 ? "" : "s");
		predict_usage(stderr);
		return CLI_USAGE;
	}
	if (model_read(argv[optind], &model, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads predict: %s\n", err);
		return CLI_MODEL;
	}
	if ((app = app_find(model.app, NULL)) == NULL || app->predict == NULL) {
		char names[256];

		if (app == NULL)
			fprintf(stderr, "strads predict: %s: a model of app '%s', which this "
			    "program does not have (apps: %s)\n", argv[optind], model.app,
			    app_names(NULL, ", ", names, sizeof(names)));
		else
			fprintf(stderr, "strads predict: %s: a model of app '%s', which has "
			    "no predict\n", argv[optind], model.app);
		model_free(&model);
		return CLI_MODEL;
	}
	if (!model.converged && !quiet)
		fprintf(stderr, "strads predict: warning: %s did not converge (a limit or "
		    "an interrupt stopped it; its criterion %g)\n", argv[optind],
		    model.criterion);
	/* The data as the model's was read, unless told otherwise. */
	if (format == NULL && model.data_format[0] != '\0') {
		const char *named = data_format_of(argv[optind + 1]);

		if (named != NULL && strcmp(named, model.data_format) != 0) {
			fprintf(stderr, "strads predict: %s: named like %s data, but "
			    "the model was trained on %s data (pass --format %s if "
			    "it is)\n", argv[optind + 1], named, model.data_format,
			    model.data_format);
			model_free(&model);
			return CLI_MODEL;
		}
		format = model.data_format;
	}
	dopts.index_base = model.index_base;
	{
		const char *kind = format != NULL ? format : data_format_of(argv[optind + 1]);
		int csv = kind != NULL && (strcasecmp(kind, "csv") == 0 ||
		    strcasecmp(kind, "tsv") == 0);

		if (csv && dopts.target == NULL && model.target != NULL) {
			dopts.target = model.target;
			dopts.target_optional = 1; /* new data need not have it */
		}
		if (csv && dopts.ignore == NULL) {
			dopts.ignore = model.ignore;
			dopts.ignore_optional = 1; /* new data need not have them */
		}
	}
	if (cli_load_data("predict", argv[optind + 1], format, &dopts, &X) != 0) {
		model_free(&model);
		return CLI_FAIL;
	}
	if (model_match(&model, &X, argv[optind + 1], err, sizeof(err)) != 0) {
		fprintf(stderr, "strads predict: %s\n", err);
		model_free(&model);
		data_matrix_free(&X);
		return CLI_MODEL;
	}
	if (dopts.missing == DATA_MISSING_DROP && !quiet)
		fprintf(stderr, "strads predict: --missing drop: rows with a missing "
		    "value are left out; the %u prediction(s) are for the rows kept, in "
		    "their order\n", X.n);
	rc = app->predict(&model, &X, quiet, labels);
	model_free(&model);
	data_matrix_free(&X);
	return rc;
}

const strads_cmd_t strads_cmd_predict = {
    "predict", "predict with a model file", predict_main};
