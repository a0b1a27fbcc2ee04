/*
 * cli.h -- the strads program's commands (one file each, one table in
 * main.c) and the helpers they offer the apps. Apps are looked up by name
 * in apps/registry.h; nothing here names one.
 */
#ifndef STRADS_CLI_H
#define STRADS_CLI_H

#include <getopt.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "data.h"
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
extern const strads_cmd_t strads_cmd_plot;
extern const strads_cmd_t strads_cmd_config;

/* Exit codes shared by every command (strads(1), EXIT STATUS). CLI_HELP
 * is internal: --help was asked for. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2, CLI_NOJOIN = 3, CLI_LOST = 4,
	CLI_MODEL = 5, /* predict: the model refused, or data not its kind */
	CLI_LIMIT = 6, /* --strict: a limit stopped a step before it converged */
	CLI_HELP = 100 };

int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out);
int cli_parse_long(const char *cmd, const char *opt, const char *s, long lo, long *out);
/* A finite number above lo (strict) or from lo, up to hi (INFINITY: no
 * bound); an integer in [lo, hi]. Each names the option, the range and
 * what it got on stderr when s is not one; 0 or -1. */
int cli_parse_double_in(const char *cmd, const char *opt, const char *s, double lo,
    int strict, double hi, double *out);
int cli_parse_long_in(const char *cmd, const char *opt, const char *s, long lo, long hi,
    long *out);

/* --config FILE (cli-conf.c, strads.conf(5)). usage writes the
 * command's --help for app (NULL: none known yet); the keys of a file
 * are the long options it lists. cli_conf_apply takes --config FILE out
 * of *argv and puts the file's options (those the command line does not
 * give) before the command line's, in a new argv kept until
 * cli_conf_release; app_arg: the app is the first argument (strads run)
 * rather than --app, and a file's "app" key supplies it when absent.
 * CLI_OK, or CLI_USAGE or CLI_FAIL (reported: a bad line, an unknown
 * key, a flag's value not true or false, naming the file and line). */
typedef void (*cli_conf_usage_cb)(const char *app, FILE *f);
int cli_conf_apply(const char *cmd, cli_conf_usage_cb usage, int app_arg, int *argc,
    char ***argv);
void cli_conf_release(void);
/* After the command's parse refused its options: when some came from a
 * --config file and the refusal did not name the file's line (an app's
 * own check), names the file's options and their lines. */
void cli_conf_refused(const char *cmd);
/* Whether paths a and b name one file (the same name, or the same
 * device and inode). */
int cli_same_file(const char *a, const char *b);
/* Whether url has a scheme strads dials or listens on (tcp://,
 * tls+tcp://, ipc://, inproc://); else says so for opt and returns -1. */
int cli_url_ok(const char *cmd, const char *opt, const char *url);
/* Whether the options came from --config - (the standard input, which
 * then cannot also be the data). */
int cli_conf_from_stdin(void);
/* strads config --dump: the commands parse and check their options,
 * then, when cli_conf_dumping(), print them with cli_conf_dump() (its
 * exit code) instead of running. */
void cli_conf_dump_mode(void);
int cli_conf_dumping(void);
int cli_conf_dump(void);
/* The FILE:LINE a string of an option came from (a --config file's
 * line), or NULL (the command line): the number checks below name it. */
int cli_origin_add(const char *s, size_t len, const char *where);
const char *cli_origin(const char *s);
int cli_origin_named(void); /* whether a message named one so far */
void cli_origin_clear(void);

/* The host command's own options, for an app's parse (apps/registry.h):
 * codes from CLI_HOST_OPT up; host returns 0, or -1 (reported). */
#define CLI_HOST_OPT 1000
typedef int (*cli_host_cb)(void *arg, int code, const char *optarg);

/* --missing M (error, drop or mean) into out; -1 (reported) otherwise. */
int cli_parse_missing(const char *cmd, const char *s, data_missing_t *out);
/* Loads a data file (data_load), or the standard input when path is
 * "-" (format then required); -1 (reported) on failure, with X
 * zeroed. */
int cli_load_data(const char *cmd, const char *path, const char *format,
    const data_opts_t *opts, data_matrix_t *X);
/* Whether a file can be written at path (its directory exists and
 * takes new files; path is no directory), checked before loading and
 * solving so that a typo does not cost the whole run; -1 (reported)
 * when not. */
int cli_writable(const char *cmd, const char *path);
/* Set by SIGINT or SIGTERM once cli_interrupt_arm() has run: jobs
 * given it as their stop flag end at their next round boundary. A
 * second signal acts as if none were caught (SA_RESETHAND). */
extern volatile sig_atomic_t cli_stop;
void cli_interrupt_arm(void);

/* After a step's job: appends its end record to the metrics file at
 * metrics_path (when not NULL): {"end": true, "iter", "time_s",
 * "objective", "converged", "stopped_by": "tolerance" or "limit"}, so
 * the file says whether the run converged. Reported, never fatal. */
void cli_metrics_end(const char *cmd, const char *metrics_path,
    const strads_job_result_t *res);

/* Frees the worker, rotate and ssp tables of a job's result (not its
 * params, which a run keeps as the next step's warm start). */
void cli_result_tables_free(strads_job_result_t *res);

/* 0 when no two of the training data, the model file and the metrics
 * file (any of them NULL) are one file (by name, or by device and inode
 * when they exist); else -1, reported: a run must not write over its
 * own data. */
int cli_files_distinct(const char *cmd, const char *data, const char *out,
    const char *metrics);

/* A file option's value as a node should read it: the path made
 * absolute (nodes may run elsewhere; a shared filesystem is assumed). */
cJSON *cli_spec_path(const char *path);

/* A step of a path, for its summary table: the last record of its job,
 * whether it converged, its rounds and solve time. */
typedef struct cli_path_row_s {
	int have, converged;
	strads_progress_t p; /* without the per-node counts */
	uint64_t rounds;
	double solve_s;
} cli_path_row_t;

/* Fills row from step's result. */
void cli_path_row(cli_path_row_t *row, const strads_job_result_t *res);
/* Writes OUT.path (out NULL or "-": nothing): a header line, then a
 * line a step with a row (tab-separated: step, objective, the app's
 * values, converged, rounds, solve_s). 0, or -1 reported. */
int cli_path_table(const char *cmd, const char *out, const cli_path_row_t *rows, long n);

/* 0 when base can name a run's step files (base.1, ...): not a
 * directory's name ("", ".", "..", "dir/"); else -1, reported with
 * the option opt. */
int cli_step_base_ok(const char *cmd, const char *opt, const char *base);

/* The file of step k of nsteps of a run: base itself, or base.k+1 when
 * numbered (a run of several steps), zero-padded to the digits of nsteps
 * (base.01 ... base.12) so the files sort in order, in buf; NULL when
 * base is. */
const char *cli_step_file(const char *base, int numbered, long k, long nsteps,
    char *buf, size_t len);

/* For the generators of `strads gen APP` (cmd-gen.c), whose messages
 * read "strads gen APP: ...": the error line; a whole number in
 * [0, UINT32_MAX] or [0, UINT64_MAX], a finite real (for option --opt),
 * nothing else; whether path's directory can take a new file, before
 * minutes of generating. */
void cli_gen_error(const char *app, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int cli_gen_u32(const char *app, const char *opt, const char *s, uint32_t *out);
int cli_gen_u64(const char *app, const char *opt, const char *s, uint64_t *out);
int cli_gen_double(const char *app, const char *opt, const char *s, double *out);
int cli_gen_writable(const char *app, const char *path);

/* url as listened on: HOST:0 (a free port) becomes HOST:port. */
void cli_bound_url(const char *url, int port, char *out, size_t len);

/* Loads the cluster secret from --secret-file or STRADS_SECRET into cfg
 * (reported on failure). */
int cli_secret(const char *cmd, const char *file, strads_config_t *cfg,
    uint8_t **secret, size_t *len);

#endif
