/*
 * cmd-coordinator.c -- `strads coordinator --listen URL --app APP
 * [options]`: the coordinator of a cluster. It loads the data too (the
 * dependency filter and the objective read it), waits for nodes to join,
 * runs the app's jobs over them and writes the model.
 */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-load.h"
#include "cli.h"
#include "registry.h"
#include "status.h"

/* The usage of app, or of every app when it is NULL. */
static void
coord_usage(const app_entry_t *app, FILE *f)
{
	char names[256];
	size_t i;
	int n = 0;

	for (i = 0; app_registry[i] != NULL; i++) {
		if (!app_trains(app_registry[i]) || (app != NULL && app != app_registry[i]))
			continue;
		fprintf(f, "%s strads coordinator --listen URL --app %s %s\n",
		    n++ == 0 ? "usage:" : "      ", app_registry[i]->name,
		    app_registry[i]->synopsis);
	}
	fprintf(f,
	    "\n"
	    "The coordinator of a cluster (multi-process mode): nodes started with\n"
	    "`strads node --join URL` join it; it runs the job over them and writes\n"
	    "the model. Every process needs the same cluster secret. See\n"
	    "doc/cluster.md.\n"
	    "\n"
	    "cluster:\n"
	    "  --listen URL        where nodes join and send (tcp://HOST:PORT,\n"
	    "                      tls+tcp://HOST:PORT, ipc://PATH; required)\n"
	    "  --app APP           the app to run: %s (required)\n"
	    "  --secret-file FILE  the cluster secret (default: $STRADS_SECRET)\n"
	    "  --min-workers N     wait for N worker slots to join (default 1)\n"
	    "  --join-timeout S    give up when they have not after S seconds\n"
	    "                      (default 60)\n"
	    "  --heartbeat S       heartbeat interval (default 0.25)\n"
	    "  --member-timeout S  a node silent this long is lost (default 3)\n"
	    "  --snapshot-every S  gather the parameters at a round boundary at most\n"
	    "                      every S seconds, to go on from if a store is lost\n"
	    "                      with its node (default 5)\n"
	    "  --checkpoint-dir DIR  write checkpoints there (default: the --out\n"
	    "                      file's name with .ckpt)\n"
	    "  --checkpoint-every S  at most every S seconds (default 30; 0: none)\n"
	    "  --status ADDR       serve GET /status (JSON: the job, members and\n"
	    "                      their updates) and /metrics (Prometheus) over\n"
	    "                      HTTP at PORT or HOST:PORT (only PORT: on\n"
	    "                      127.0.0.1; 0: a free port, named on stderr)\n"
	    "  --http ADDR         the same as --status\n"
	    "  --strict            exit 6 when a limit (--max-iter, --time-limit)\n"
	    "                      stopped a step before it converged\n"
	    "  --save-on-interrupt on SIGINT or SIGTERM once the job runs, save the\n"
	    "                      model of the last consistent round (exit 130\n"
	    "                      either way; the nodes are let go)\n"
	    "  --config FILE       options from FILE (KEY = VALUE lines or JSON,\n"
	    "                      strads.conf(5); -: the standard input);\n"
	    "                      those given here override the file's\n"
	    "  --resume DIR        go on from the checkpoint in DIR (a coordinator\n"
	    "                      that was lost: same options); the nodes that\n"
	    "                      wait for it join again (--min-workers is waited\n"
	    "                      for at most 3 member timeouts, 5 s at least)\n"
	    "  --tls-cert FILE     certificate (and key) for tls+tcp://\n"
	    "  --tls-key FILE      private key, when not in --tls-cert\n"
	    "  --tls-ca FILE       CA that signed the nodes' certificates\n"
	    "\n"
	    "When the view changes under the job (a node lost, joining with\n"
	    "workers, or leaving), the parameters are gathered and the job is laid\n"
	    "out again over the new view, going on from them.\n",
	    app_names(app_trains, ", ", names, sizeof(names)));
	for (i = 0; app_registry[i] != NULL; i++) {
		if (!app_trains(app_registry[i]) || (app != NULL && app != app_registry[i]))
			continue;
		fprintf(f, "\n");
		app_registry[i]->usage("coordinator", f);
	}
}

enum {
	C_LISTEN = CLI_HOST_OPT, C_APP, C_SECRET, C_MINW, C_JOINT, C_HB, C_MT,
	C_CERT, C_KEY, C_CA, C_SNAP, C_CKDIR, C_CKEVERY, C_RESUME, C_STRICT, C_STATUS, C_SAVEINT
};

static const struct option coord_opts[] = {
    {"listen", required_argument, NULL, C_LISTEN},
    {"app", required_argument, NULL, C_APP},
    {"secret-file", required_argument, NULL, C_SECRET},
    {"min-workers", required_argument, NULL, C_MINW},
    {"join-timeout", required_argument, NULL, C_JOINT},
    {"heartbeat", required_argument, NULL, C_HB},
    {"member-timeout", required_argument, NULL, C_MT},
    {"tls-cert", required_argument, NULL, C_CERT},
    {"tls-key", required_argument, NULL, C_KEY},
    {"tls-ca", required_argument, NULL, C_CA},
    {"snapshot-every", required_argument, NULL, C_SNAP},
    {"checkpoint-dir", required_argument, NULL, C_CKDIR},
    {"checkpoint-every", required_argument, NULL, C_CKEVERY},
    {"resume", required_argument, NULL, C_RESUME},
    {"strict", no_argument, NULL, C_STRICT},
    {"status", required_argument, NULL, C_STATUS},
    {"http", required_argument, NULL, C_STATUS},
    {"save-on-interrupt", no_argument, NULL, C_SAVEINT},
    {NULL, 0, NULL, 0}};

typedef struct {
	const char *listen, *app, *secret_file, *cert, *key, *ca, *ckdir, *resume;
	const char *status; /* --status ADDR, or NULL */
	long min_workers;
	double join_timeout, heartbeat, member_timeout, snapshot, ckevery;
	int strict;
	int save_int; /* --save-on-interrupt */
} coord_opts_t;

static int
coord_opt(void *arg, int c, const char *v)
{
	coord_opts_t *co = arg;

	switch (c) {
	case C_LISTEN: co->listen = v; return 0;
	case C_APP: co->app = v; return 0;
	case C_STRICT: co->strict = 1; return 0;
	case C_SAVEINT: co->save_int = 1; return 0;
	case C_SECRET: co->secret_file = v; return 0;
	case C_CERT: co->cert = v; return 0;
	case C_KEY: co->key = v; return 0;
	case C_CA: co->ca = v; return 0;
	case C_MINW: return cli_parse_long("coordinator", "--min-workers", v, 1, &co->min_workers);
	case C_JOINT:
		return cli_parse_double_in("coordinator", "--join-timeout", v, 0, 1, INFINITY,
		    &co->join_timeout);
	case C_HB:
		return cli_parse_double_in("coordinator", "--heartbeat", v, 0, 1, INFINITY,
		    &co->heartbeat);
	case C_CKDIR: co->ckdir = v; return 0;
	case C_RESUME: co->resume = v; return 0;
	case C_STATUS: {
		char url[300];
		const char *w = cli_origin(v);

		if (strads__status_url(v, url, sizeof(url)) != 0) {
			fprintf(stderr, "strads coordinator: %s%s--status: expected PORT or "
			    "HOST:PORT (a port from 0 to 65535), got '%s'\n", w != NULL ? w : "",
			    w != NULL ? ": " : "", v);
			return -1;
		}
		co->status = v;
		return 0;
	}
	case C_CKEVERY:
		return cli_parse_double_in("coordinator", "--checkpoint-every", v, 0, 0,
		    INFINITY, &co->ckevery);
	case C_SNAP:
		return cli_parse_double_in("coordinator", "--snapshot-every", v, 0, 1,
		    INFINITY, &co->snapshot);
	case C_MT:
		return cli_parse_double_in("coordinator", "--member-timeout", v, 0, 1,
		    INFINITY, &co->member_timeout);
	}
	return -1;
}

/* The app named by --app APP or --app=APP in argv, or NULL: its
 * options are known only once the app is. */
static const char *
app_arg(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--app") == 0 && i + 1 < argc)
			return argv[i + 1];
		if (strncmp(argv[i], "--app=", 6) == 0)
			return argv[i] + 6;
	}
	return NULL;
}

/* What a node needs to set up the job of step k: the app, its options
 * (the files in them absolute, for nodes may run elsewhere) and the
 * step's own keys (a penalty, say), as JSON text (cJSON_free
 * it), or NULL. A checkpoint's manifest holds it, so --resume finds its
 * step by it. */
static char *
job_spec(app_state_t *st, const cJSON *appv, long k)
{
	cJSON *spec = cJSON_CreateObject(), *argv = cJSON_Duplicate(appv, 1);
	char *s = NULL;

	if (spec != NULL && argv != NULL) {
		cJSON_AddStringToObject(spec, "app", st->entry->name);
		cJSON_AddItemToObject(spec, "argv", argv);
		argv = NULL;
		if (st->entry->spec == NULL || st->entry->spec(st, k, spec) == 0)
			s = cJSON_PrintUnformatted(spec);
	}
	cJSON_Delete(argv);
	cJSON_Delete(spec);
	return s;
}

/*
 * The steps of a coordinator's run: one job per step, or, for an app
 * whose entry says stages (a regression path), one job of stages whose
 * penalties follow one another on the roles in place, across changes of
 * view too (strads_cluster_job_run, strads_job_opts_t.next).
 */
typedef struct {
	const app_entry_t *app;
	app_state_t *st;
	const cJSON *appv;
	strads__status_t *status;
	strads_job_opts_t o; /* the step under way's options */
	long step, nsteps;
	cli_path_row_t *rows; /* borrowed: a path's steps, or NULL */
	long unconverged;
	double solve_s;
	int failed;          /* a step's result or model failed (reported) */
	int save_int;        /* --save-on-interrupt */
	int interrupted;     /* a step was cut by SIGINT or SIGTERM */
	char *spec;          /* the next stage's spec (owned), or NULL */
	char mpath[4096];    /* the step under way's metrics file */
} coord_run_t;

/* Step r->step has ended with res: its line, model file, metrics end
 * and summary row. 0, or -1 (reported). */
static int
step_done(coord_run_t *r, const strads_job_result_t *res)
{
	char obuf[4096], line[256];
	const char *out;
	app_state_t *st = r->st;

	strads__status_step_done(r->status, 0);
	r->solve_s += res->solve_s;
	out = cli_step_file(st->out, st->numbered, r->step, r->nsteps, obuf, sizeof(obuf));
	if (cli_stop && !res->converged) {
		/* Interrupted: the result is that of a consistent round (the
		 * roles drained and gathered), kept when asked. */
		r->interrupted = 1;
		cli_metrics_end("coordinator", r->o.metrics_path, res);
		if (r->save_int && r->app->save("coordinator", st, r->step, out, res) == 0)
			fprintf(stderr, "strads coordinator: interrupted at iteration %llu "
			    "(objective %.12g); that iteration's model is saved in %s\n",
			    (unsigned long long)res->progress.iter, res->progress.objective, out);
		else if (!r->save_int)
			fprintf(stderr, "strads coordinator: interrupted at iteration %llu; no "
			    "model saved (--save-on-interrupt saves the last consistent one)\n",
			    (unsigned long long)res->progress.iter);
		return 0;
	}
	if (r->app->result("coordinator", st, r->step, res, line, sizeof(line)) != 0)
		return -1;
	if (!st->quiet)
		fputs(line, stderr);
	if (r->app->save("coordinator", st, r->step, out, res) != 0)
		return -1;
	cli_metrics_end("coordinator", r->o.metrics_path, res);
	if (r->rows != NULL)
		cli_path_row(&r->rows[r->step], res);
	r->unconverged += !res->converged;
	return 0;
}

/* Between two stages of a path's job (strads_job_opts_t.next, on this
 * thread): the step is kept, and the next set up on the coordinator's
 * state (app->job: its penalty) and, through nx->spec, on the nodes'. */
static int
coord_next(void *arg, strads_job_result_t *res, strads_job_next_t *nx)
{
	coord_run_t *r = arg;
	const strads_app_t *sapp;
	strads_job_opts_t o;
	void *shared;

	if (step_done(r, res) != 0) {
		r->failed = 1;
		return 0;
	}
	if (r->step + 1 >= r->nsteps || (cli_stop && !res->converged))
		return 0;
	r->step++;
	cJSON_free(r->spec);
	if ((r->spec = job_spec(r->st, r->appv, r->step)) == NULL) {
		fprintf(stderr, "strads coordinator: out of memory\n");
		r->failed = 1;
		return 0;
	}
	r->app->job(r->st, NULL, r->step, NULL, &o, &sapp, &shared);
	r->o.tol = o.tol;
	r->o.metrics_path = cli_step_file(r->st->metrics, r->st->numbered, r->step, r->nsteps,
	    r->mpath, sizeof(r->mpath));
	nx->tol = r->o.tol;
	nx->metrics_path = r->o.metrics_path;
	nx->spec = r->spec;
	strads__status_job(r->status, 0, r->step + 1, r->nsteps, &r->o);
	return 1;
}

/* The status endpoint's view: the cluster's now. */
static int
status_view(void *arg, uint32_t *epoch, strads_member_info_t *m, int maxm,
    strads_partition_t *parts, int maxp, int *nparts)
{
	return strads_cluster_view(arg, epoch, m, maxm, parts, maxp, nparts);
}

static int
coord_job(int argc, char **argv)
{
	coord_opts_t co;
	const app_entry_t *app = NULL;
	app_state_t *st = NULL;
	const char *name = app_arg(argc, argv);
	char names[256];
	strads_config_t cfg;
	strads_runtime_t *rt = NULL;
	strads_cluster_t *cl = NULL;
	strads__status_t *status = NULL;
	strads_cluster_opts_t copts;
	strads_job_result_t res;
	uint8_t *secret = NULL;
	size_t slen = 0;
	cJSON *appv = cJSON_CreateArray();
	char *specs = NULL, ckdir[4096], bound[512];
	int port = 0;
	double *init = NULL;
	long step = 0, nsteps, first, unconverged = 0;
	cli_path_row_t *rows = NULL; /* owned: a path's steps, for OUT.path */
	double jobs_s = 0, solve_s = 0;
	coord_run_t cr;
	uint64_t t0;
	int rc, err = 0;

	memset(&co, 0, sizeof(co));
	memset(&cr, 0, sizeof(cr));
	co.min_workers = 1;
	co.join_timeout = 60;
	co.heartbeat = 0.25;
	co.member_timeout = 3;
	co.snapshot = 5;
	co.ckevery = 30;
	if (appv == NULL)
		return CLI_FAIL;
	if (name == NULL) {
		int i;

		cJSON_Delete(appv);
		for (i = 1; i < argc; i++)
			if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
				coord_usage(NULL, stdout);
				return CLI_OK;
			}
		fprintf(stderr, "strads coordinator: --listen URL and --app APP are required\n");
		return CLI_USAGE;
	}
	if ((app = app_find(name, app_trains)) == NULL) {
		fprintf(stderr, "strads coordinator: unknown app '%s' (available: %s)\n",
		    name, app_names(app_trains, ", ", names, sizeof(names)));
		cJSON_Delete(appv);
		return CLI_USAGE;
	}
	rc = app->parse("coordinator", argc, argv, coord_opts, coord_opt, &co, appv, &st);
	if (rc == CLI_HELP) {
		coord_usage(app, stdout);
		cJSON_Delete(appv);
		return CLI_OK;
	}
	if (rc == CLI_OK && co.listen == NULL) {
		fprintf(stderr, "strads coordinator: --listen URL and --app APP are required\n");
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK && cli_url_ok("coordinator", "--listen", co.listen) != 0)
		rc = CLI_USAGE;
	if (rc == CLI_OK && st->workers > 0) {
		fprintf(stderr, "strads coordinator: --workers is not for a cluster "
		    "(nodes offer workers with --threads)\n");
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK && st->jobs > 0) {
		fprintf(stderr, "strads coordinator: --path-jobs is for strads run (a "
		    "cluster solves a path's penalties in turn)\n");
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK && co.member_timeout <= co.heartbeat) {
		fprintf(stderr, "strads coordinator: --member-timeout must exceed --heartbeat\n");
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK && st->data != NULL && strcmp(st->data, "-") == 0) {
		fprintf(stderr, "strads coordinator: --data -: the nodes cannot read this "
		    "process's standard input; give a file they can read\n");
		rc = CLI_USAGE;
	}
	if (rc == CLI_USAGE)
		cli_conf_refused("coordinator");
	if (rc == CLI_OK && cli_conf_dumping()) {
		app->free(st);
		cJSON_Delete(appv);
		return cli_conf_dump();
	}
	strads_config_init(&cfg);
	/* The status endpoint is bound before the data is loaded, so a port
	 * in use is reported at once, not after a long load. */
	if (rc == CLI_OK && co.status != NULL) {
		char url[300], msg[512];

		if (strads__status_start(&status, co.status, "coordinator", app->name, url,
		        sizeof(url), msg, sizeof(msg)) != 0) {
			fprintf(stderr, "strads coordinator: %s\n", msg);
			rc = CLI_FAIL;
		} else {
			fprintf(stderr, "strads coordinator: status at %s/status and "
			    "%s/metrics\n", url, url);
		}
	}
	if (rc == CLI_OK &&
	    cli_secret("coordinator", co.secret_file, &cfg, &secret, &slen) != 0)
		rc = CLI_FAIL;
	if (rc == CLI_OK && (rc = cli_load(app, "coordinator", st, !st->quiet)) != CLI_OK)
		strads_secret_free(secret, slen);
	if (rc != CLI_OK) {
		strads__status_stop(status);
		app->free(st);
		cJSON_Delete(appv);
		return rc;
	}
	rc = CLI_FAIL;
	nsteps = st->steps;
	if (st->numbered && (rows = calloc((size_t)nsteps, sizeof(*rows))) == NULL) {
		fprintf(stderr, "strads coordinator: out of memory\n");
		goto out;
	}
	if (cli_files_distinct("coordinator", st->data, st->out, st->metrics) != 0 ||
	    (st->numbered && (cli_step_base_ok("coordinator", "--out", st->out) != 0 ||
	    cli_step_base_ok("coordinator", "--metrics", st->metrics) != 0))) {
		rc = CLI_USAGE;
		goto out;
	}
	specs = job_spec(st, appv, 0);
	cfg.node_id = 1;
	cfg.nloops = (int)st->threads;
	cfg.ncompute = (int)st->threads;
	cfg.tls_cert_file = co.cert;
	cfg.tls_key_file = co.key;
	cfg.tls_ca_file = co.ca;
	err = strads_runtime_new(&rt, &cfg);
	strads_secret_free(secret, slen);
	if (specs == NULL || err != 0 || strads_runtime_start(rt) != 0) {
		fprintf(stderr, "strads coordinator: cannot start the runtime\n");
		goto out;
	}
	strads_cluster_opts_init(&copts);
	copts.heartbeat_s = co.heartbeat;
	copts.timeout_s = co.member_timeout;
	copts.snapshot_s = co.snapshot;
	if (co.ckevery > 0) {
		if (co.ckdir == NULL) {
			snprintf(ckdir, sizeof(ckdir), "%s.ckpt", st->out);
			co.ckdir = ckdir;
		}
		copts.checkpoint_dir = co.ckdir;
		copts.checkpoint_s = co.ckevery;
	}
	if ((err = strads_cluster_new(rt, &copts, &cl)) != 0) {
		fprintf(stderr, "strads coordinator: %s\n", strads_strerror(err));
		goto out;
	}
	if (co.resume != NULL) {
		char msg[1024];

		/* The step of the path (or the one solve) it was taken in. */
		for (step = 0; step < nsteps; step++) {
			cJSON_free(specs);
			specs = job_spec(st, appv, step);
			if (specs == NULL)
				goto out;
			if ((err = strads_cluster_resume(cl, co.resume, specs, st->nparams, &init, msg,
			         sizeof(msg))) == 0)
				break;
		}
		if (err != 0) {
			fprintf(stderr, "strads coordinator: --resume: %s\n", msg);
			goto out;
		}
	}
	if ((err = strads_listen(rt, co.listen, &port)) != 0) {
		fprintf(stderr, "strads coordinator: cannot listen on %s: %s\n", co.listen,
		    strads_strerror(err));
		goto out;
	}
	cli_bound_url(co.listen, port, bound, sizeof(bound));
	if (status != NULL)
		strads__status_set_view(status, status_view, cl);
	if (!st->quiet)
		fprintf(stderr, "coordinator: listening on %s; waiting for %ld worker slot%s\n",
		    bound, co.min_workers, co.min_workers == 1 ? "" : "s");
	else
		strads_log(STRADS_LOG_INFO, "coordinator: listening on %s", bound);
	if (co.resume != NULL) {
		/* Resumed with the options of the coordinator that was lost:
		 * the nodes that waited for it join within a second or two,
		 * those lost with it never do. After the first worker slot,
		 * --min-workers is waited for at most a few member timeouts,
		 * then the job goes on over what came (issue 18 row 6). */
		double settle = 3 * co.member_timeout > 5 ? 3 * co.member_timeout : 5;

		if ((err = strads_cluster_wait(cl, 1, co.join_timeout)) != 0) {
			fprintf(stderr, "strads coordinator: no worker slot joined within %gs\n",
			    co.join_timeout);
			goto out;
		}
		if (strads_cluster_wait(cl, (int)co.min_workers, settle) != 0)
			fprintf(stderr, "strads coordinator: resuming with fewer than %ld worker "
			    "slots: the others did not come back within %gs\n", co.min_workers,
			    settle);
	} else if ((err = strads_cluster_wait(cl, (int)co.min_workers, co.join_timeout)) != 0) {
		fprintf(stderr, "strads coordinator: %ld worker slot%s did not join within "
		    "%gs\n", co.min_workers, co.min_workers == 1 ? "" : "s", co.join_timeout);
		goto out;
	}
	/* From here SIGINT and SIGTERM end the job at a round boundary, as
	 * in strads run (before, they end the process at once: nothing is
	 * lost while it waits). */
	cli_interrupt_arm();
	/* One job per step, each starting from the last one's result; or
	 * one job of stages for the steps left (coord_next). */
	first = step;
	cr.app = app;
	cr.st = st;
	cr.appv = appv;
	cr.status = status;
	cr.nsteps = nsteps;
	cr.rows = rows;
	cr.save_int = co.save_int;
	for (; step < nsteps; step++) {
		strads_subscriber_t subs[8];
		const strads_app_t *sapp;
		void *shared;

		cJSON_free(specs);
		if ((specs = job_spec(st, appv, step)) == NULL)
			goto out;
		app->job(st, NULL, step, init, &cr.o, &sapp, &shared);
		cr.step = step;
		cr.o.progress = !st->quiet;
		cr.o.nworkers = 0;
		cr.o.metrics_path = cli_step_file(st->metrics, st->numbered, step, nsteps,
		    cr.mpath, sizeof(cr.mpath));
		cr.o.init = init;
		cr.o.stop = &cli_stop;
		if (app->stages && step + 1 < nsteps) {
			cr.o.next = coord_next;
			cr.o.next_arg = &cr;
		}
		if (status != NULL) {
			/* The app's subscribers, then the status endpoint's. */
			int n = cr.o.nsubscribers > 0 && cr.o.subscribers != NULL
			            ? cr.o.nsubscribers : 0;

			if (n >= (int)(sizeof(subs) / sizeof(subs[0])))
				n = (int)(sizeof(subs) / sizeof(subs[0])) - 1;
			if (n > 0)
				memcpy(subs, cr.o.subscribers, (size_t)n * sizeof(subs[0]));
			subs[n].cb = strads__status_progress;
			subs[n].arg = strads__status_chain(status, 0);
			cr.o.subscribers = subs;
			cr.o.nsubscribers = n + 1;
			strads__status_job(status, 0, step + 1, nsteps, &cr.o);
		}
		t0 = strads_now_ns();
		err = strads_cluster_job_run(cl, sapp, shared, &cr.o, specs, &res);
		jobs_s += (double)(strads_now_ns() - t0) / 1e9;
		if (err != 0) {
			fprintf(stderr, "strads coordinator: the job failed: %s\n",
			    strads_strerror(err));
			goto out;
		}
		if (cr.o.next != NULL) {
			/* Every stage's result was kept by coord_next. */
			free(res.params);
			cli_result_tables_free(&res);
			if (cr.failed)
				goto out;
			step = cr.step;
			break;
		}
		if (step_done(&cr, &res) != 0) {
			free(res.params);
			cli_result_tables_free(&res);
			goto out;
		}
		free(init);
		init = res.params;
		cli_result_tables_free(&res);
		if (cr.interrupted)
			break;
	}
	if (cr.interrupted) {
		rc = 128 + SIGINT; /* as a shell reports a ^C */
		goto out;
	}
	solve_s = cr.solve_s;
	unconverged = cr.unconverged;
	if (app->done != NULL)
		app->done(st, nsteps - first, 1, jobs_s, solve_s);
	rc = CLI_OK;
	if (st->numbered && cli_path_table("coordinator", st->out, rows, nsteps) != 0)
		rc = CLI_FAIL;
	if (co.strict && unconverged > 0) {
		fprintf(stderr, "strads coordinator: --strict: a limit stopped %ld of %ld "
		    "step%s before it converged\n", unconverged, nsteps - first,
		    nsteps - first == 1 ? "" : "s");
		rc = CLI_LIMIT;
	}
out:
	strads__status_stop(status); /* before the cluster it asks */
	strads_cluster_free(cl);
	if (rt != NULL) {
		strads_runtime_stop(rt);
		strads_runtime_wait(rt);
		strads_runtime_free(rt);
	}
	cJSON_free(specs);
	cJSON_free(cr.spec);
	cJSON_Delete(appv);
	free(init);
	free(rows);
	app->free(st);
	return rc;
}

/* The --help of app by name (cli_conf_apply reads its options): all
 * apps' while none is known. */
static void
conf_usage(const char *name, FILE *f)
{
	coord_usage(name != NULL ? app_find(name, app_trains) : NULL, f);
}

static int
coord_main(int argc, char **argv)
{
	int rc = cli_conf_apply("coordinator", conf_usage, 0, &argc, &argv);

	return rc != CLI_OK ? rc : coord_job(argc, argv);
}

const strads_cmd_t strads_cmd_coordinator = {"coordinator",
    "run a job over a cluster of nodes (multi-process mode)", coord_main};
