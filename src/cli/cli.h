/* cli.h -- the strads program's commands: one file each, one table. */
#ifndef STRADS_CLI_H
#define STRADS_CLI_H

#include <getopt.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "data.h"
#include "lasso.h"
#include "strads.h"

typedef struct strads_cmd_s {
	const char *name;
	const char *summary; /* one line for `strads --help` */
	int (*main)(int argc, char **argv); /* argv[0] is the command name */
} strads_cmd_t;

extern const strads_cmd_t strads_cmd_demo;
extern const strads_cmd_t strads_cmd_run;
extern const strads_cmd_t strads_cmd_predict;
extern const strads_cmd_t strads_cmd_gen;
extern const strads_cmd_t strads_cmd_coordinator;
extern const strads_cmd_t strads_cmd_node;

/* Exit codes shared by every command (strads(1), EXIT STATUS). CLI_HELP
 * is internal: --help was asked for. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2, CLI_NOJOIN = 3, CLI_LOST = 4,
	CLI_HELP = 100 };

int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out);
int cli_parse_long(const char *cmd, const char *opt, const char *s, long lo, long *out);

/* The Lasso app's options (lasso-cli.c), shared by run, coordinator and
 * node. */
typedef struct lasso_cli_s {
	const char *data, *format, *target, *ignore, *missing, *response;
	const char *out, *metrics;
	double lambda, ratio, min_ratio, tol, time_limit, rho, block_work;
	long path, path_jobs, max_iter, threads, workers, block;
	strads_schedule_t schedule;
	int intercept, standardize, quiet, have_lambda;
	unsigned long long seed;
} lasso_cli_t;

/* The host command's own options: codes from CLI_HOST_OPT up. */
#define CLI_HOST_OPT 1000
typedef int (*cli_host_cb)(void *arg, int code, const char *optarg);

void lasso_cli_init(lasso_cli_t *ro);
/* The option sections of --help. */
void lasso_cli_usage(FILE *f);
/* Parses argv (argv[0] is skipped) into ro; options in extra go to
 * host. When appv is not NULL, the options a node needs to load the
 * same data and build the same app are appended to it as strings.
 * CLI_OK, CLI_USAGE (reported) or CLI_HELP. */
int lasso_cli_parse(const char *cmd, int argc, char **argv, lasso_cli_t *ro,
    const struct option *extra, cli_host_cb host, void *arg, cJSON *appv);
/* Loads the data and prepares the app's shared state. */
int lasso_cli_load(const char *cmd, const lasso_cli_t *ro, data_matrix_t *X,
    lasso_t *l, int verbose, double *lmax);
const strads_app_t *lasso_cli_app(const lasso_cli_t *ro);
void lasso_cli_job_opts(const lasso_cli_t *ro, const lasso_t *l,
    strads_job_opts_t *o);
/* Writes the model file (temporary file and rename). */
int lasso_cli_save(const char *cmd, const lasso_t *l, const char *path,
    const strads_job_result_t *res, double lambda);
/* Solves a run makes (--path N: N; else 1), the penalty of step k
 * (a path: lambda_max down to --min-ratio of it, log-spaced) and the
 * model file of step k (a path: OUT.k+1). */
long lasso_cli_steps(const lasso_cli_t *ro);
double lasso_cli_lambda(const lasso_cli_t *ro, double lmax, long k);
void lasso_cli_out(const lasso_cli_t *ro, long k, char *buf, size_t len);
/* --metrics of step k (a path: FILE.k+1), in buf if need be; NULL
 * without --metrics. */
const char *lasso_cli_metrics(const lasso_cli_t *ro, long k, char *buf, size_t len);
/* The result line of a solve into line; -1 (reported) when it
 * diverged. */
int lasso_cli_result(const char *cmd, double lambda, const strads_job_result_t *res,
    char *line, size_t len);
/* The result line, to stderr unless --quiet; -1 (reported) when the
 * solve diverged. */
int lasso_cli_report(const char *cmd, const lasso_cli_t *ro, double lambda,
    const strads_job_result_t *res);
/* With --path, the closing line: the steps done, the chains that ran
 * side by side (--path-jobs), the seconds of the slowest chain's jobs
 * (set-up to gathered result; loading and model files excluded) and of
 * their solves. */
void lasso_cli_path_report(const lasso_cli_t *ro, long steps, long jobs,
    double jobs_s, double solve_s);

/* url as listened on: HOST:0 (a free port) becomes HOST:port. */
void cli_bound_url(const char *url, int port, char *out, size_t len);

/* Loads the cluster secret from --secret-file or STRADS_SECRET into cfg
 * (reported on failure). */
int cli_secret(const char *cmd, const char *file, strads_config_t *cfg,
    uint8_t **secret, size_t *len);

#endif
