/*
 * helper_rotapp.c -- the test app of t/rotapp.c across processes, for
 * t/cluster.sh (NNG is not fork-safe: the test execs this program).
 *
 *   helper_rotapp coordinator URL SECRET_FILE SLOTS NROWS VROWS SWEEPS NPARTS METRICS
 *     runs the app over SLOTS joined worker slots (workers on the nodes,
 *     stores and schedulers here) for SWEEPS sweeps, then checks what the
 *     job result holds: the counters of the rotate and worker tables add
 *     up to what the rotate table started with. Prints one line,
 *     "rotapp: ok rounds R sweeps S total T held H tables X" (exit 0;
 *     X a hash of the final rotate and worker tables) or "rotapp: FAIL
 *     ..." (exit 1). ROTAPP_SNAPSHOT_S sets the interval of snapshots
 *     (strads_cluster_opts_t.snapshot_s); ROTAPP_CKPT_DIR=DIR writes a
 *     checkpoint there after every snapshot; ROTAPP_RESUME=DIR goes on
 *     from the checkpoint in DIR (strads_cluster_resume). ROTAPP_SSP=S
 *     adds the ssp table (staleness S, shared by the nodes' workers) and
 *     checks it too: for each column k, the rotate table's counts plus
 *     the ssp table's net moves of k make what the column started with,
 *     and the ssp rows add up to the worker table; the line then ends
 *     "ssp M0,M1" (its rows) and X covers them.
 *   helper_rotapp node JOIN_URL LISTEN_URL SECRET_FILE WORKERS
 *     joins and serves jobs of the app until the coordinator closes,
 *     then prints "node bytes_out N" (what its runtime sent) and "node
 *     ssp_bad B" (reads of the ssp table here that were not a sum of
 *     moves, rotapp_t.ssp_bad).
 *
 * The spec a node is given is "NROWS VROWS SSP EXACT" (SSP 1: with the
 * ssp table; without, the app runs on its store, worker and rotate
 * tables; EXACT 1: rotapp_t.exact, moves that give the same tables
 * whatever the shards).
 *
 * The straggler rule across processes: ROTAPP_STRAGGLER=1 (coordinator)
 * runs the app with exact moves and reshard_any_node set, so shards move
 * between the nodes' workers; ROTAPP_SPIN=N (node) is rotapp_t.spin,
 * busy work a data row a round, and ROTAPP_SLOW=F (node) makes every
 * worker of that node F times slower. A node then also prints "node rows
 * FIRST LAST": the data rows its workers held in the first round and in
 * the last round recorded (of its last job).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rotapp.h"

static strads_table_decl_t g_tables[ROTAPP_NTABLES];
static int g_ssp_bad; /* a node's, summed over its jobs */
static unsigned long long g_rows_first, g_rows_last; /* its last job's */

/* The app for vrows rotate rows: rotapp_app, without its ssp table
 * unless ssp. */
static void
app_of(strads_app_t *app, uint64_t vrows, int ssp)
{
	*app = rotapp_app;
	memcpy(g_tables, rotapp_app.tables, sizeof(g_tables));
	g_tables[ROTAPP_ROTATE].rows = vrows;
	g_tables[ROTAPP_SSP].rows = ROTAPP_K;
	app->tables = g_tables;
	app->ntables = ssp ? ROTAPP_NTABLES : ROTAPP_SSP;
}

typedef struct {
	strads_app_t app;
} node_ctx_t;

static int
node_setup(void *arg, const char *spec, const double *init,
    const strads_app_t **app, void **shared, char *err, size_t errlen)
{
	node_ctx_t *ctx = arg;
	unsigned long long nrows, vrows;
	int ssp = 0, exact = 0;
	rotapp_t *a;

	(void)init;
	if (sscanf(spec, "%llu %llu %d %d", &nrows, &vrows, &ssp, &exact) < 2) {
		snprintf(err, errlen, "bad spec %s", spec);
		return -1;
	}
	if ((a = malloc(sizeof(*a))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rotapp_init(a, nrows, vrows);
	a->exact = exact;
	if (getenv("ROTAPP_SPIN") != NULL)
		a->spin = strtol(getenv("ROTAPP_SPIN"), NULL, 10);
	if (getenv("ROTAPP_SLOW") != NULL) {
		a->slow_shard = ROTAPP_SLOW_ALL;
		a->slow_factor = atoi(getenv("ROTAPP_SLOW"));
	}
	app_of(&ctx->app, vrows, ssp);
	*app = &ctx->app;
	*shared = a;
	return 0;
}

static void
node_teardown(void *arg, void *shared)
{
	rotapp_t *a = shared;
	unsigned long long n;
	int r, w;

	(void)arg;
	g_ssp_bad += atomic_load(&a->ssp_bad);
	/* The rows of this node's workers (the others' entries stay 0) in
	 * round 0 and in the last round recorded. */
	g_rows_first = g_rows_last = 0;
	for (r = 0; r < ROTAPP_MAX_ROUNDS; r++) {
		for (n = 0, w = 0; w < ROTAPP_MAX_WORKERS; w++)
			n += atomic_load(&a->shard_rows[r][w]);
		if (r == 0)
			g_rows_first = n;
		if (n > 0)
			g_rows_last = n;
	}
	free(shared);
}

static int
load_secret(const char *file, strads_config_t *cfg, uint8_t **s, size_t *len)
{
	char err[256];

	if (strads_secret_load(file, NULL, s, len, err, sizeof(err)) != 0) {
		fprintf(stderr, "helper_rotapp: %s\n", err);
		return -1;
	}
	cfg->secret = *s;
	cfg->secret_len = *len;
	return 0;
}

static int
run_node(char **argv)
{
	strads_config_t cfg;
	strads_node_opts_t no;
	strads_runtime_t *rt;
	strads_stats_t st;
	node_ctx_t ctx;
	uint8_t *secret;
	size_t slen;
	char adv[256];
	int port = 0, err;

	strads_config_init(&cfg);
	if (load_secret(argv[3], &cfg, &secret, &slen) != 0)
		return 1;
	cfg.node_id = strads_random_node_id();
	cfg.nloops = 2;
	cfg.ncompute = 2;
	err = strads_runtime_new(&rt, &cfg);
	strads_secret_free(secret, slen);
	if (err != 0 || strads_runtime_start(rt) != 0 ||
	    strads_listen(rt, argv[2], &port) != 0) {
		fprintf(stderr, "helper_rotapp node: cannot start\n");
		return 1;
	}
	snprintf(adv, sizeof(adv), "%s", argv[2]);
	if (port > 0 && strstr(adv, ":0") == adv + strlen(adv) - 2)
		snprintf(adv + strlen(adv) - 1, sizeof(adv) - strlen(adv) + 1, "%d", port);
	strads_node_opts_init(&no);
	no.join = argv[1];
	no.advertise = adv;
	no.roles = STRADS_ROLE_WORKER;
	no.workers = atoi(argv[4]);
	no.setup = node_setup;
	no.teardown = node_teardown;
	no.arg = &ctx;
	err = strads_node_run(rt, &no);
	/* What this node sent, for the test's bytes per round. */
	strads_runtime_stats(rt, &st);
	printf("node bytes_out %llu\nnode ssp_bad %d\nnode rows %llu %llu\n",
	    (unsigned long long)st.bytes_out, g_ssp_bad, g_rows_first, g_rows_last);
	fflush(stdout);
	strads_runtime_stop(rt);
	strads_runtime_wait(rt);
	strads_runtime_free(rt);
	return err == 0 ? 0 : 1;
}

/* FNV-1a over a counter's four bytes: the tables' fingerprint. */
static uint64_t
fnv(uint64_t h, int32_t v)
{
	uint32_t u = (uint32_t)v;
	int b;

	for (b = 0; b < 4; b++) {
		h ^= (u >> (8 * b)) & 0xff;
		h *= 1099511628211ull;
	}
	return h;
}

static int
run_coordinator(char **argv)
{
	strads_config_t cfg;
	strads_cluster_opts_t copts;
	strads_cluster_t *cl = NULL;
	strads_runtime_t *rt;
	strads_job_opts_t o;
	strads_job_result_t res;
	strads_app_t app;
	static rotapp_t a;
	uint8_t *secret;
	size_t slen;
	char spec[64], sspline[64] = "";
	int slots = atoi(argv[3]), port, err, rc = 1, ssp = getenv("ROTAPP_SSP") != NULL;
	int strag = getenv("ROTAPP_STRAGGLER") != NULL;
	int sspok = 1;
	uint64_t nrows = strtoull(argv[4], NULL, 10), vrows = strtoull(argv[5], NULL, 10);
	uint64_t sweeps = strtoull(argv[6], NULL, 10), i;
	uint32_t nparts = (uint32_t)strtoul(argv[7], NULL, 10);
	int64_t total = 0, held = 0;
	uint64_t hash = 14695981039346656037ull;
	double *init = NULL; /* a checkpoint's parameters (ROTAPP_RESUME) */

	strads_config_init(&cfg);
	if (load_secret(argv[2], &cfg, &secret, &slen) != 0)
		return 1;
	cfg.node_id = 1;
	cfg.nloops = 2;
	cfg.ncompute = 2;
	err = strads_runtime_new(&rt, &cfg);
	strads_secret_free(secret, slen);
	if (err != 0 || strads_runtime_start(rt) != 0) {
		fprintf(stderr, "helper_rotapp coordinator: cannot start\n");
		return 1;
	}
	strads_cluster_opts_init(&copts);
	copts.heartbeat_s = 0.1;
	copts.timeout_s = 1;
	/* ROTAPP_SNAPSHOT_S: snapshot interval (the kill test takes one at
	 * every check, to roll back to); default the library's. */
	if (getenv("ROTAPP_SNAPSHOT_S") != NULL)
		copts.snapshot_s = strtod(getenv("ROTAPP_SNAPSHOT_S"), NULL);
	if (getenv("ROTAPP_CKPT_DIR") != NULL) {
		copts.checkpoint_dir = getenv("ROTAPP_CKPT_DIR");
		copts.checkpoint_s = 1e-3;
	}
	if (strads_cluster_new(rt, &copts, &cl) != 0 ||
	    strads_listen(rt, argv[1], &port) != 0 ||
	    strads_cluster_wait(cl, slots, 60) != 0) {
		fprintf(stderr, "helper_rotapp coordinator: no cluster\n");
		goto out;
	}
	rotapp_init(&a, nrows, vrows);
	a.exact = strag;
	app_of(&app, vrows, ssp);
	app.reshard_any_node = strag;
	snprintf(spec, sizeof(spec), "%llu %llu %d %d", (unsigned long long)nrows,
	    (unsigned long long)vrows, ssp, strag);
	strads_job_opts_init(&o);
	o.nparams = 1;
	o.nrows = nrows;
	o.schedule = STRADS_SCHEDULE_ROTATION;
	o.nparts = nparts;
	o.max_rounds = sweeps * nparts;
	o.metrics_path = argv[8];
	if (ssp)
		o.ssp_staleness = (uint32_t)strtoul(getenv("ROTAPP_SSP"), NULL, 10);
	if (getenv("ROTAPP_RESUME") != NULL) {
		char msg[1024];

		if ((err = strads_cluster_resume(cl, getenv("ROTAPP_RESUME"), spec, 1, &init,
		         msg, sizeof(msg))) != 0) {
			printf("rotapp: FAIL resume: %s\n", msg);
			goto out;
		}
		o.init = init;
	}
	err = strads_cluster_job_run(cl, &app, &a, &o, spec, &res);
	if (err != 0) {
		printf("rotapp: FAIL job: %s\n", strads_strerror(err));
		goto out;
	}
	if (res.ntables != app.ntables || res.tables[ROTAPP_ROTATE] == NULL ||
	    res.tables[ROTAPP_WORKER] == NULL || (ssp && res.tables[ROTAPP_SSP] == NULL)) {
		printf("rotapp: FAIL no tables in the result\n");
	} else {
		const int32_t *rot = res.tables[ROTAPP_ROTATE], *w = res.tables[ROTAPP_WORKER];

		for (i = 0; i < vrows * ROTAPP_K; i++) {
			total += rot[i];
			hash = fnv(hash, rot[i]);
		}
		for (i = 0; i < nrows; i++) {
			held += w[i];
			hash = fnv(hash, w[i]);
		}
		if (ssp) {
			/* Column k lost to the worker tables what the ssp
			 * table says it moved, and the moves add up to them. */
			const double *m = res.tables[ROTAPP_SSP];
			int64_t col[ROTAPP_K] = {0}, moved = 0;
			uint32_t k;

			for (i = 0; i < vrows * ROTAPP_K; i++)
				col[i % ROTAPP_K] += rot[i];
			for (k = 0; k < ROTAPP_K; k++) {
				if (m[k] != (double)(int64_t)m[k] ||
				    col[k] + (int64_t)m[k] != (int64_t)vrows * a.fill)
					sspok = 0;
				moved += (int64_t)m[k];
				hash = fnv(hash, (int32_t)m[k]);
			}
			sspok = sspok && moved == held;
			snprintf(sspline, sizeof(sspline), " ssp %lld,%lld", (long long)m[0],
			    (long long)m[1]);
		}
		if (total + held == (int64_t)(vrows * ROTAPP_K) * a.fill && held > 0 && sspok &&
		    res.sweeps == sweeps && res.progress.objective == (double)held) {
			printf("rotapp: ok rounds %llu sweeps %llu total %lld held %lld tables "
			    "%016llx%s\n", (unsigned long long)res.rounds,
			    (unsigned long long)res.sweeps, (long long)(total + held),
			    (long long)held, (unsigned long long)hash, sspline);
			rc = 0;
		} else {
			printf("rotapp: FAIL rounds %llu sweeps %llu total %lld (want %lld) "
			    "held %lld objective %g%s%s\n", (unsigned long long)res.rounds,
			    (unsigned long long)res.sweeps, (long long)(total + held),
			    (long long)(vrows * ROTAPP_K) * a.fill, (long long)held,
			    res.progress.objective, sspline, sspok ? "" : " (ssp off)");
		}
	}
	for (i = 0; i < res.ntables; i++)
		free(res.tables[i]);
	free(res.tables);
	free(res.params);
out:
	free(init);
	fflush(stdout);
	if (cl != NULL)
		strads_cluster_free(cl);
	strads_runtime_stop(rt);
	strads_runtime_wait(rt);
	strads_runtime_free(rt);
	return rc;
}

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 10 && strcmp(argv[1], "coordinator") == 0)
		return run_coordinator(argv + 1);
	if (argc == 6 && strcmp(argv[1], "node") == 0)
		return run_node(argv + 1);
	fprintf(stderr, "usage: helper_rotapp coordinator URL SECRET SLOTS NROWS VROWS "
	    "SWEEPS NPARTS METRICS | node JOIN LISTEN SECRET WORKERS\n");
	return 2;
}
