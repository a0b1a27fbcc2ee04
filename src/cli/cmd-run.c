/*
 * cmd-run.c -- `strads run APP [options]`: single-process mode. Every role
 * runs in this process, on all cores by default, through the same actors
 * and messages as a cluster.
 */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "cli-load.h"
#include "cli.h"
#include "registry.h"
#include "status.h"

/* strads run's own options (after the app's). */
typedef struct {
	int strict, save_int;
	const char *status; /* --status ADDR, or NULL */
} run_flags_t;

/* Without an app: the apps there are. */
static void
run_usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "usage: strads run APP [options]\n"
	    "       strads run APP --help\n"
	    "\n"
	    "Trains APP in one process (single-process mode): every role here,\n"
	    "on all cores by default.\n"
	    "\n"
	    "apps:\n");
	for (i = 0; app_registry[i] != NULL; i++)
		if (app_trains(app_registry[i]))
			fprintf(f, "  %-10s %s\n", app_registry[i]->name,
			    app_registry[i]->summary);
}

static void
app_usage(const app_entry_t *app, FILE *f)
{
	fprintf(f, "usage: strads run %s %s\n\n", app->name, app->synopsis);
	app->usage("run", f);
	fprintf(f, "run:\n"
	    "  --config FILE       options from FILE (KEY = VALUE lines or JSON,\n"
	    "                      strads.conf(5); -: the standard input);\n"
	    "                      those given here override the file's\n");
	if (!app->planned_iters)
		fprintf(f,
		    "  --strict            exit 6 when a limit (--max-iter, --time-limit)\n"
		    "                      stopped a step before it converged\n");
	fprintf(f,
	    "  --save-on-interrupt on SIGINT or SIGTERM, save the model of the\n"
	    "                      last round (a consistent one) before exiting\n"
	    "                      130; without it nothing is saved\n"
	    "  --status ADDR       serve GET /status (JSON) and /metrics\n"
	    "                      (Prometheus) over HTTP at ADDR, PORT or\n"
	    "                      HOST:PORT (only PORT: on 127.0.0.1; 0: a free\n"
	    "                      port, named on stderr)\n"
	    "  --http ADDR         the same as --status\n");
}

/* The --help of app by name (cli_conf_apply reads its options). */
static void
conf_usage(const char *name, FILE *f)
{
	const app_entry_t *app = name != NULL ? app_find(name, app_trains) : NULL;

	if (app != NULL)
		app_usage(app, f);
	else
		run_usage(f);
}

/* --strict last: left out for an app of planned iterations. */
static const struct option run_opts[] = {
    {"save-on-interrupt", no_argument, NULL, CLI_HOST_OPT + 1},
    {"status", required_argument, NULL, CLI_HOST_OPT + 2},
    {"http", required_argument, NULL, CLI_HOST_OPT + 2},
    {"strict", no_argument, NULL, CLI_HOST_OPT},
    {NULL, 0, NULL, 0}};

static int
run_opt(void *arg, int c, const char *v)
{
	run_flags_t *fl = arg;

	if (c == CLI_HOST_OPT)
		fl->strict = 1;
	else if (c == CLI_HOST_OPT + 1)
		fl->save_int = 1;
	else if (c == CLI_HOST_OPT + 2) {
		char url[300];

		if (strads__status_url(v, url, sizeof(url)) != 0) {
			const char *w = cli_origin(v);

			fprintf(stderr, "strads run: %s%s--status: expected PORT or HOST:PORT "
			    "(a port from 0 to 65535), got '%s'\n", w != NULL ? w : "",
			    w != NULL ? ": " : "", v);
			return -1;
		}
		fl->status = v;
	} else
		return -1;
	return 0;
}

/*
 * A run of several steps (a path of penalties) is solved by J chains at
 * once: chain c solves steps c, c + J, c + 2J, ..., each warm-started
 * from its own last one, on its own copy of the app's shared state (the
 * app's chain_new: its own penalty, warm start and gradient; the data is
 * shared, read-only). A working-set job solves its blocks on one worker,
 * so chains are what keeps every core busy. Chains are fixed, so results
 * do not depend on timing. The result lines are printed in step order.
 *
 * An app whose entry says stages runs each chain as one job of stages
 * (strads_job_opts_t.next): after step k is gathered, chain_next keeps
 * its result and sets up step k + J on the chain's state, and the roles
 * go on with it where they are (a regression path: the penalty changes, the
 * workers' residuals and the coefficients stay). Else each step is a job
 * of its own.
 */
typedef struct run_path_s run_path_t;

typedef struct {
	run_path_t *rp;
	void *chain; /* owned: the app's copy of its shared state */
	long first;
	long k;      /* the step being solved */
	double jobs_s, solve_s; /* this chain's jobs, from set-up to result */
	uint64_t t_step;        /* when step k was set up */
	int ended;   /* chain_next ended the job on a failed step */
	strads_job_opts_t o;    /* step k's options */
	strads_subscriber_t subs[8];
	char mpath[4096];       /* step k's metrics file */
	uv_thread_t tid;
} run_chain_t;

struct run_path_s {
	app_state_t *st; /* borrowed, read-only while chains run */
	strads_runtime_t *rt;
	long n, jobs;
	int nworkers;
	uv_mutex_t lock;
	char (*line)[256];   /* step k's result line once solved, "" before
	                        (both under lock) */
	long shown;          /* lines printed */
	atomic_int failed;
	atomic_long unconverged; /* steps a limit stopped */
	int save_int;            /* --save-on-interrupt */
	atomic_int interrupted;  /* a step was cut by SIGINT or SIGTERM */
	strads__status_t *status; /* --status, or NULL */
	/* Each step's last record, for the path's summary table (written
	 * by the step's chain, read after the chains are joined). */
	cli_path_row_t *row;
};


/* Step k solved with result line: prints the lines now in order. */
static void
path_done(run_path_t *rp, long k, const char *line)
{
	uv_mutex_lock(&rp->lock);
	snprintf(rp->line[k], sizeof(rp->line[k]), "%s", line);
	while (rp->shown < rp->n && rp->line[rp->shown][0] != '\0') {
		if (!rp->st->quiet)
			fputs(rp->line[rp->shown], stderr);
		rp->shown++;
	}
	uv_mutex_unlock(&rp->lock);
}

/* Sets up step k of chain ch (ch->o and the app's state), warm-started
 * from warm (NULL: none, or the job goes on from where it is). */
static void
step_setup(run_chain_t *ch, long k, const double *warm, const strads_app_t **sapp,
    void **shared)
{
	run_path_t *rp = ch->rp;
	app_state_t *st = rp->st;
	strads_job_opts_t *o = &ch->o;

	st->entry->job(st, ch->chain, k, warm, o, sapp, shared);
	ch->k = k;
	o->progress = !st->quiet;
	o->nworkers = rp->nworkers;
	o->metrics_path = cli_step_file(st->metrics, st->numbered, k, st->steps, ch->mpath,
	    sizeof(ch->mpath));
	if (rp->jobs > 1)
		o->progress = 0; /* the chains' check lines would interleave */
	o->init = warm;
	o->stop = &cli_stop;
	if (rp->status != NULL) {
		/* The app's subscribers, then the status endpoint's. */
		int n = o->nsubscribers > 0 && o->subscribers != NULL ? o->nsubscribers : 0;

		if (n >= (int)(sizeof(ch->subs) / sizeof(ch->subs[0])))
			n = (int)(sizeof(ch->subs) / sizeof(ch->subs[0])) - 1;
		if (n > 0)
			memcpy(ch->subs, o->subscribers, (size_t)n * sizeof(ch->subs[0]));
		ch->subs[n].cb = strads__status_progress;
		ch->subs[n].arg = strads__status_chain(rp->status, (int)ch->first);
		o->subscribers = ch->subs;
		o->nsubscribers = n + 1;
		strads__status_job(rp->status, (int)ch->first, k + 1, rp->n, o);
	}
	ch->t_step = strads_now_ns();
}

/* Step ch->k solved with res (not interrupted): its result line, model
 * file and the metrics' closing line. 0, or -1 (reported). */
static int
step_finish(run_chain_t *ch, const strads_job_result_t *res)
{
	run_path_t *rp = ch->rp;
	app_state_t *st = rp->st;
	const app_entry_t *app = st->entry;
	char obuf[4096], line[sizeof(rp->line[0])];
	const char *out = cli_step_file(st->out, st->numbered, ch->k, st->steps, obuf, sizeof(obuf));

	if (app->result("run", st, ch->k, res, line, sizeof(line)) != 0 ||
	    app->save("run", st, ch->k, out, res) != 0)
		return -1;
	cli_metrics_end("run", ch->o.metrics_path, res);
	if (!res->converged)
		atomic_fetch_add(&rp->unconverged, 1);
	cli_path_row(&rp->row[ch->k], res);
	path_done(rp, ch->k, line);
	return 0;
}


/* Between two stages of a chain's job (strads_job_opts_t.next, on the
 * chain's thread): step ch->k is kept and the next step set up, unless
 * it was the chain's last, or an interrupt or a failure ends the chain;
 * then the job ends and chain_main takes its result as a job's. */
static int
chain_next(void *arg, strads_job_result_t *res, strads_job_next_t *nx)
{
	run_chain_t *ch = arg;
	run_path_t *rp = ch->rp;
	const strads_app_t *sapp;
	void *shared;
	long next = ch->k + rp->jobs;

	if (next >= rp->n || atomic_load(&rp->failed) != 0 || (cli_stop && !res->converged))
		return 0;
	strads__status_step_done(rp->status, (int)ch->first);
	ch->jobs_s += (double)(strads_now_ns() - ch->t_step) / 1e9;
	ch->solve_s += res->solve_s;
	if (step_finish(ch, res) != 0) {
		ch->ended = 1;
		return 0;
	}
	step_setup(ch, next, NULL, &sapp, &shared);
	nx->tol = ch->o.tol;
	nx->metrics_path = ch->o.metrics_path;
	return 1;
}

static void
chain_main(void *arg)
{
	run_chain_t *ch = arg;
	run_path_t *rp = ch->rp;
	app_state_t *st = rp->st;
	const app_entry_t *app = st->entry;
	double *warm = NULL;
	long k;

	for (k = ch->first; k < rp->n && atomic_load(&rp->failed) == 0; k = ch->k + rp->jobs) {
		strads_job_result_t res;
		const strads_app_t *sapp;
		void *shared;
		char obuf[4096];
		const char *out;
		int err;

		step_setup(ch, k, warm, &sapp, &shared);
		if (app->stages) {
			ch->o.next = chain_next;
			ch->o.next_arg = ch;
		}
		if ((err = strads_job_run(rp->rt, sapp, shared, &ch->o, &res)) != 0) {
			fprintf(stderr, "strads run: solve failed: %s\n", strads_strerror(err));
			break;
		}
		if (ch->ended) {
			/* A stage's result or model failed (reported). */
			free(res.params);
			cli_result_tables_free(&res);
			break;
		}
		strads__status_step_done(rp->status, (int)ch->first);
		ch->jobs_s += (double)(strads_now_ns() - ch->t_step) / 1e9;
		ch->solve_s += res.solve_s;
		out = cli_step_file(st->out, st->numbered, ch->k, st->steps, obuf, sizeof(obuf));
		if (cli_stop && !res.converged) {
			/* Interrupted: the result is that of a consistent round
			 * (the roles drained and checked), kept when asked. */
			atomic_store(&rp->interrupted, 1);
			cli_metrics_end("run", ch->o.metrics_path, &res);
			if (rp->save_int && app->save("run", st, ch->k, out, &res) == 0) {
				fprintf(stderr, "strads run: interrupted at iteration %llu "
				    "(objective %.12g); that iteration's model is saved in %s\n",
				    (unsigned long long)res.progress.iter, res.progress.objective,
				    out);
			} else if (!rp->save_int) {
				fprintf(stderr, "strads run: interrupted at iteration %llu; no "
				    "model saved (--save-on-interrupt saves the last "
				    "consistent one)\n", (unsigned long long)res.progress.iter);
			}
			free(res.params);
			cli_result_tables_free(&res);
			break;
		}
		if (step_finish(ch, &res) != 0) {
			free(res.params);
			cli_result_tables_free(&res);
			break;
		}
		free(warm);
		warm = res.params;
		cli_result_tables_free(&res);
	}
	if (k < rp->n)
		atomic_store(&rp->failed, 1);
	free(warm);
}

static int
run_app(app_state_t *st, const run_flags_t *fl)
{
	const app_entry_t *app = st->entry;
	strads_runtime_t *rt = NULL;
	strads_config_t cfg;
	run_path_t rp;
	run_chain_t *ch = NULL;
	long c, started = 0, slow = 0;
	int rc, nloops, err;
	char obuf[4096], mbuf[4096];
	const char *out1, *metrics1;

	memset(&rp, 0, sizeof(rp));
	/* The first step's files stand for all: they share a directory. */
	out1 = cli_step_file(st->out, st->numbered, 0, st->steps, obuf, sizeof(obuf));
	metrics1 = cli_step_file(st->metrics, st->numbered, 0, st->steps, mbuf, sizeof(mbuf));
	if (cli_files_distinct("run", st->data, out1, metrics1) != 0)
		return CLI_USAGE;
	if (st->numbered && (cli_step_base_ok("run", "--out", st->out) != 0 ||
	    cli_step_base_ok("run", "--metrics", st->metrics) != 0))
		return CLI_USAGE;
	if (cli_writable("run", out1) != 0 ||
	    (metrics1 != NULL && cli_writable("run", metrics1) != 0))
		return CLI_FAIL;
	/* The status endpoint is bound before the data is loaded, so a port
	 * in use is reported at once, not after a long load. */
	if (fl->status != NULL) {
		char url[300], msg[512];

		if (strads__status_start(&rp.status, fl->status, "run", app->name, url,
		        sizeof(url), msg, sizeof(msg)) != 0) {
			fprintf(stderr, "strads run: %s\n", msg);
			return CLI_FAIL;
		}
		fprintf(stderr, "strads run: status at %s/status and %s/metrics\n", url, url);
	}
	if ((rc = cli_load(app, "run", st, !st->quiet)) != CLI_OK) {
		strads__status_stop(rp.status);
		return rc;
	}
	rc = CLI_FAIL;
	strads_config_init(&cfg);
	cfg.nloops = (int)st->threads;
	cfg.ncompute = (int)st->threads;
	if ((err = strads_runtime_new(&rt, &cfg)) != 0 ||
	    (err = strads_runtime_start(rt)) != 0) {
		fprintf(stderr, "strads run: cannot start the runtime: %s\n",
		    strads_strerror(err));
		goto out;
	}
	nloops = strads_runtime_nloops(rt);
	rp.st = st;
	rp.rt = rt;
	rp.save_int = fl->save_int;
	cli_interrupt_arm();
	rp.n = st->steps;
	rp.jobs = st->jobs > 0 ? st->jobs : 2;
	if (rp.jobs > nloops) {
		/* A chain keeps a thread busy: more only wait. */
		if (st->jobs > 0)
			fprintf(stderr, "strads run: --path-jobs %ld: at most one chain a "
			    "thread; %d chains\n", st->jobs, nloops);
		rp.jobs = nloops;
	}
	if (rp.jobs > rp.n)
		rp.jobs = rp.n;
	/* The loops shared among the chains, unless --workers says. */
	rp.nworkers = st->workers > 0 ? (int)st->workers
	    : nloops / rp.jobs > 1 ? (int)(nloops / rp.jobs) : 1;
	rp.line = calloc((size_t)rp.n, sizeof(*rp.line));
	rp.row = calloc((size_t)rp.n, sizeof(*rp.row));
	ch = calloc((size_t)rp.jobs, sizeof(*ch));
	if (rp.line == NULL || rp.row == NULL || ch == NULL || uv_mutex_init(&rp.lock) != 0) {
		fprintf(stderr, "strads run: out of memory\n");
		goto out;
	}
	for (c = 0; c < rp.jobs; c++) {
		ch[c].rp = &rp;
		ch[c].first = c;
		if ((ch[c].chain = app->chain_new(st)) == NULL) {
			fprintf(stderr, "strads run: out of memory\n");
			goto out_chains;
		}
	}
	for (started = 0; started < rp.jobs; started++)
		if (uv_thread_create(&ch[started].tid, chain_main, &ch[started]) != 0) {
			fprintf(stderr, "strads run: cannot start a thread\n");
			atomic_store(&rp.failed, 1);
			break;
		}
out_chains:
	for (c = 0; c < started; c++)
		uv_thread_join(&ch[c].tid);
	if (started == rp.jobs && atomic_load(&rp.failed) == 0) {
		/* The chains ran side by side: the path took its slowest. */
		for (c = 1; c < rp.jobs; c++)
			if (ch[c].jobs_s > ch[slow].jobs_s)
				slow = c;
		if (app->done != NULL)
			app->done(st, rp.n, rp.jobs, ch[slow].jobs_s, ch[slow].solve_s);
		rc = CLI_OK;
		if (st->numbered && cli_path_table("run", st->out, rp.row, rp.n) != 0)
			rc = CLI_FAIL;
		if (fl->strict && atomic_load(&rp.unconverged) > 0) {
			fprintf(stderr, "strads run: --strict: a limit stopped %ld of %ld "
			    "step%s before it converged\n", atomic_load(&rp.unconverged),
			    rp.n, rp.n == 1 ? "" : "s");
			rc = CLI_LIMIT;
		}
	}
	if (atomic_load(&rp.interrupted))
		rc = 128 + SIGINT; /* as a shell reports a ^C */
	for (c = 0; c < rp.jobs; c++)
		if (ch[c].chain != NULL)
			app->chain_free(st, ch[c].chain);
	uv_mutex_destroy(&rp.lock);
out:
	strads__status_stop(rp.status);
	free(ch);
	free(rp.line);
	free(rp.row);
	if (rt != NULL) {
		strads_runtime_stop(rt);
		strads_runtime_wait(rt);
		strads_runtime_free(rt);
	}
	return rc;
}

static int
run_main(int argc, char **argv)
{
	const app_entry_t *app;
	app_state_t *st;
	char names[256];
	run_flags_t fl = {0, 0, NULL};
	int rc;

	if ((rc = cli_conf_apply("run", conf_usage, 1, &argc, &argv)) != CLI_OK)
		return rc;
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			run_usage(stdout);
			return CLI_OK;
		}
		run_usage(stderr);
		return CLI_USAGE;
	}
	if ((app = app_find(argv[1], app_trains)) == NULL) {
		fprintf(stderr, "strads run: unknown app '%s' (available: %s)\n", argv[1],
		    app_names(app_trains, ", ", names, sizeof(names)));
		return CLI_USAGE;
	}
	/* Without --strict (the last entry) for an app of planned
	 * iterations. */
	{
		enum { N = sizeof(run_opts) / sizeof(run_opts[0]) };
		struct option opts[N];

		memcpy(opts, run_opts, sizeof(opts));
		if (app->planned_iters)
			opts[N - 2] = opts[N - 1]; /* --strict is the last */
		rc = app->parse("run", argc - 1, argv + 1, opts, run_opt, &fl, NULL, &st);
	}
	if (rc == CLI_HELP) {
		app_usage(app, stdout);
		return CLI_OK;
	}
	if (rc != CLI_OK) {
		cli_conf_refused("run");
		return rc;
	}
	if (cli_conf_dumping()) {
		app->free(st);
		return cli_conf_dump();
	}
	rc = run_app(st, &fl);
	app->free(st);
	return rc;
}

const strads_cmd_t strads_cmd_run = {
    "run", "train an app in one process (single-process mode)", run_main};
