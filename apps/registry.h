/*
 * registry.h -- the apps the strads program knows. Each app exports one
 * const entry (its name, usage and functions); apps/registry.c lists
 * them all in one table, and the commands look apps up there by name, as
 * tmux's commands are looked up in its command table. Nothing outside
 * apps/ names an app.
 *
 * Adding an app: its folder under apps/, its entry in the table of
 * apps/registry.c, and its lines in Makefile.am (doc/schmp.md, "Adding
 * an app").
 */
#ifndef STRADS_APPS_REGISTRY_H
#define STRADS_APPS_REGISTRY_H

#include <getopt.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "data.h"
#include "model.h"
#include "strads.h"

typedef struct app_entry_s app_entry_t;

/*
 * An app's state for one training command (strads run, coordinator or
 * node): its options, then its data and shared state once loaded. An
 * app's own state begins with this base, which the commands read; the
 * rest is the app's. Made by the entry's parse, freed by its free.
 */
typedef struct app_state_s {
	const app_entry_t *entry; /* borrowed: the registry's */

	/* Set by parse: what the commands need of the app's options. */
	long threads;        /* loops and compute threads; 0: cores */
	long workers;        /* workers (strads run only); 0: one per loop */
	long jobs;           /* strads run: jobs of a run side by side, each
	                        chain of them warm-started from its own last
	                        one; 0: the command's default (2) */
	long steps;          /* jobs a run makes, each from the last one's
	                        result (a Lasso path's penalties); >= 1 */
	int numbered;        /* the model and metrics files of step k are
	                        OUT.k+1 and METRICS.k+1 */
	int quiet;           /* no progress or result lines */
	const char *out;     /* borrowed from argv: the model file */
	const char *metrics; /* borrowed from argv: one JSON object per
	                        check, or NULL */
	const char *data;    /* borrowed from argv: the training data, which
	                        no output may name (or NULL) */

	/* Set by load. */
	uint32_t nparams; /* parameters of a job */
} app_state_t;

/*
 * One app. Every function slot but the training ones is optional (NULL:
 * the app has no such command). cmd, where given, is the command
 * ("run", "coordinator", "node") that messages name. The training
 * functions run on the command's thread, or for strads run on the
 * thread of one chain of jobs: chain_new, job, result and save may run
 * on several chains at once and must only read the state.
 */
struct app_entry_s {
	const char *name;     /* `strads run NAME`; a model file's "app" */
	const char *summary;  /* one line, in lists of apps */
	const char *synopsis; /* what follows the name in a usage line */
	/* The app's part of `strads CMD --help` for CMD run or
	 * coordinator: what it trains and its option sections. */
	void (*usage)(const char *cmd, FILE *f);

	/* Parses argv (argv[0], the app's name or the command's, is
	 * skipped) into a new state *st (NULL after a failure). Options
	 * in extra are the command's own and go to host. When spec is not
	 * NULL, the options a node needs to load the same data and build
	 * the same app are appended to it as strings, file names made
	 * absolute. CLI_OK, CLI_USAGE (reported) or CLI_HELP. */
	int (*parse)(const char *cmd, int argc, char **argv,
	    const struct option *extra, cli_host_cb host, void *arg,
	    cJSON *spec, app_state_t **st);
	/* Loads the data and builds the shared state (and st->nparams);
	 * when verbose, says what it loaded on stderr. CLI_OK, or
	 * CLI_FAIL or CLI_USAGE, reported. */
	int (*load)(const char *cmd, app_state_t *st, int verbose);
	/* Frees st, loaded or not; NULL is ignored. */
	void (*free)(app_state_t *st);
	/* strads run: a chain's own copy of the shared state (the data
	 * shared, read-only), or NULL when out of memory. */
	void *(*chain_new)(app_state_t *st);
	void (*chain_free)(app_state_t *st, void *chain);
	/* The job of step k: its options into o (initialised here), the
	 * strads_app_t and the shared state to run it with, on chain's
	 * copy (strads run) or on st's own state (chain NULL: the
	 * coordinator). warm is step k - 1's result on this chain or
	 * NULL, borrowed until the job ends. */
	void (*job)(app_state_t *st, void *chain, long k, const double *warm,
	    strads_job_opts_t *o, const strads_app_t **app, void **shared);
	/* Coordinator: step k's own keys into the job spec that nodes
	 * build the job from (besides "app" and "argv"). -1: out of
	 * memory. */
	int (*spec)(app_state_t *st, long k, cJSON *spec);
	/* Node: the job of spec, on the state its argv made and loaded;
	 * init is the job's starting values, borrowed until node_job_end.
	 * -1 with a message in err. */
	int (*node_job)(app_state_t *st, const cJSON *spec,
	    const double *init, const strads_app_t **app, void **shared,
	    char *err, size_t errlen);
	void (*node_job_end)(app_state_t *st);
	/* The result line of step k into line; -1 (reported) when the
	 * result is not one to keep (a diverged solve). */
	int (*result)(const char *cmd, app_state_t *st, long k,
	    const strads_job_result_t *res, char *line, size_t len);
	/* Writes step k's model file at path (never half-written). 0 or
	 * -1, reported. */
	int (*save)(const char *cmd, app_state_t *st, long k, const char *path,
	    const strads_job_result_t *res);
	/* The closing lines after all steps (jobs chains side by side; the
	 * seconds of the slowest chain's jobs, set-up to result, and of
	 * their solves), or NULL. */
	void (*done)(app_state_t *st, long steps, long jobs, double jobs_s,
	    double solve_s);

	/* strads predict: one prediction a row of X on stdout, with model
	 * m of this app; with responses and not quiet, the fit on stderr.
	 * labels (--labels): a classifier's labels instead of its
	 * probabilities; an app without labels refuses it. CLI_OK,
	 * CLI_FAIL or CLI_USAGE (reported). */
	int (*predict)(const model_t *m, const data_matrix_t *X, int quiet,
	    int labels);
	/* strads gen NAME (argv[0] is the name): synthetic data with a
	 * planted truth; gen_summary is its line in `strads gen --help`. */
	int (*gen)(int argc, char **argv);
	const char *gen_summary;
	/* strads demo NAME (argv[0] is the name); demo_help is its
	 * paragraph in `strads demo --help`, after "NAME: ". */
	int (*demo)(int argc, char **argv);
	const char *demo_help;
	/* Commands of the app's own (`strads CMD`, looked up after the
	 * built-in ones), NULL-terminated; or NULL. */
	const strads_cmd_t *const *cmds;
	/* 1: a run does a planned number of iterations (LDA's sweeps), not
	 * until a tolerance, so no limit can cut it short: strads run
	 * offers no --strict. */
	int planned_iters;
	/* strads predict on a model file of the app's own format (not
	 * model.c's, which carries one coefficient vector): owns_model
	 * says whether path is such a file, and predict_file then runs the
	 * command (argv as strads predict's: argv[0] "predict"), returning
	 * a CLI_* code. Both NULL for an app whose models are model.c's. */
	int (*predict_file)(int argc, char **argv);
	int (*owns_model)(const char *path);
	/* 1: strads run runs a chain of steps as one job of stages
	 * (strads_job_opts_t.next), the roles kept: job for step k + J on a
	 * chain's state may change only what the roles read between rounds
	 * (a Lasso path's penalty) and the tolerance, every other option
	 * and the strads_app_t staying those of the chain's first step;
	 * its warm start is then NULL (the job goes on from where it is). */
	int stages;
};

/* Every app, in the order lists show them; NULL-terminated. */
extern const app_entry_t *const app_registry[];

/* The app called name that has slot (when slot is not NULL: it says
 * whether an entry has the function wanted), or NULL. */
typedef int (*app_has_cb)(const app_entry_t *e);
const app_entry_t *app_find(const char *name, app_has_cb has);
/* The names of the apps that have slot, joined by sep, into buf. */
const char *app_names(app_has_cb has, const char *sep, char *buf, size_t len);

/* The app whose own model format path is in (owns_model), or NULL. */
const app_entry_t *app_model_owner(const char *path);

/* Slots for app_find and app_names. */
int app_trains(const app_entry_t *e);
int app_predicts(const app_entry_t *e);
int app_gens(const app_entry_t *e);
int app_demos(const app_entry_t *e);

#endif
