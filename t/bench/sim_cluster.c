/*
 * sim_cluster.c -- scale by simulation (issue 18, item 8): many cluster
 * members, each a runtime of its own (one loop, one compute thread) with
 * its own node id, address and membership actor, hosted by a few
 * processes. Driven by t/bench/bench_sim.sh, which starts one
 * coordinator process and the node processes (NNG is not fork-safe, so
 * each is exec'd).
 *
 *   sim_cluster coordinator URL SECRET_FILE N JOB_S
 *     waits for N members (the join storm), measures its own CPU and
 *     traffic while they only beat (5 s), then prints "sim: job" and
 *     runs a job of the "ones" app over them for JOB_S seconds, while
 *     the driver makes the node processes churn. Prints "sim: key
 *     value" lines.
 *   sim_cluster nodes JOIN_URL SECRET_FILE K CHURN_FILE CHURN_S
 *     hosts K members; once CHURN_FILE exists ("-": never), for CHURN_S
 *     seconds, one member leaves (gracefully) or a new one joins every
 *     second, alternately; then waits for its members to end.
 *
 * The "ones" app checks the layouts while they change: every parameter
 * is the count of data rows its workers' shards hold, divided by the
 * row count, so it is exactly 1 when every row is in one shard, and any
 * row lost or counted twice by a layout shows at the next check.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <uv.h>

#include "strads.h"

#define P 64 /* parameters of the ones app */
#define MAX_MEMBERS 1024

/* --- the ones app ---------------------------------------------------- */

typedef struct {
	uint64_t nrows;
} ones_t;

static int
ones_init(void *shared, const strads_shard_t *sh, void **ws)
{
	uint64_t *rows = malloc(sizeof(*rows));

	(void)shared;
	if (rows == NULL)
		return -1;
	*rows = sh->row_end - sh->row_begin;
	*ws = rows;
	return 0;
}

static void
ones_push(void *ws, const strads_block_t *b, double *part)
{
	const uint64_t *rows = ws;
	uint32_t t;

	for (t = 0; t < b->n; t++)
		part[t] += (double)*rows;
}

static void
ones_apply(void *ws, const strads_block_t *b, const double *delta)
{
	(void)ws;
	(void)b;
	(void)delta;
}

static void
ones_pull(void *shared, const strads_block_t *b, const double *sum, double *val,
    double *delta)
{
	const ones_t *d = shared;
	uint32_t t;

	for (t = 0; t < b->n; t++) {
		double v = sum[t] / (double)d->nrows;

		delta[t] = v - val[t];
		val[t] = v;
	}
}

/* A range's check: the largest |val - 1| among the parameters pulled
 * (a value of 0 has not been pulled yet). */
static void
ones_check(void *shared, strads_range_t r, const double *sum, const double *val,
    double *out)
{
	uint32_t j;

	(void)shared;
	(void)sum;
	out[0] = 0;
	for (j = 0; j < r.end - r.begin; j++)
		if (val[j] != 0 && (val[j] > 1 ? val[j] - 1 : 1 - val[j]) > out[0])
			out[0] = val[j] > 1 ? val[j] - 1 : 1 - val[j];
}

static _Atomic double g_worst; /* the largest error any check saw */
static atomic_int g_checks;

static void
ones_objective(void *shared, const double *st, const double *ck, int nstores,
    strads_progress_t *out)
{
	double worst = 0, seen;
	int k;

	(void)shared;
	(void)st;
	for (k = 0; k < nstores; k++)
		if (ck[k] > worst)
			worst = ck[k];
	seen = atomic_load(&g_worst);
	while (worst > seen && !atomic_compare_exchange_weak(&g_worst, &seen, worst))
		;
	atomic_fetch_add(&g_checks, 1);
	out->objective = worst;
	out->criterion = 1; /* never converged: the job runs to its time limit */
}

static const strads_app_t ones_app = {
    .name = "ones",
    .width = 1,
    .ncheck = 1,
    .worker_init = ones_init,
    .push = ones_push,
    .apply = ones_apply,
    .worker_fini = free,
    .pull = ones_pull,
    .check = ones_check,
    .objective = ones_objective,
};

static int
load_secret(const char *file, strads_config_t *cfg, uint8_t **s, size_t *len)
{
	char err[256];

	if (strads_secret_load(file, NULL, s, len, err, sizeof(err)) != 0) {
		fprintf(stderr, "sim_cluster: %s\n", err);
		return -1;
	}
	cfg->secret = *s;
	cfg->secret_len = *len;
	return 0;
}

static double
now_s(void)
{
	return (double)uv_hrtime() / 1e9;
}

static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Resident memory in MB, from /proc/self/statm. */
static double
rss_mb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size = 0, res = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return (double)res * (double)sysconf(_SC_PAGESIZE) / 1e6;
}

static uint64_t
traffic(strads_runtime_t *rt)
{
	strads_stats_t st;

	strads_runtime_stats(rt, &st);
	return st.bytes_in + st.bytes_out;
}

/* --- the coordinator ------------------------------------------------- */

static int
run_coordinator(char **argv)
{
	strads_config_t cfg;
	strads_cluster_opts_t copts;
	strads_cluster_t *cl = NULL;
	strads_runtime_t *rt;
	strads_job_opts_t o;
	strads_job_result_t res;
	static ones_t shared;
	uint8_t *secret;
	size_t slen;
	char spec[64];
	int n = atoi(argv[3]), port, err, rc = 1;
	double churn_s = strtod(argv[4], NULL), t0, c0, m0, idle_s = 5;
	uint32_t e0, e1;
	uint64_t b0;

	strads_config_init(&cfg);
	if (load_secret(argv[2], &cfg, &secret, &slen) != 0)
		return 1;
	cfg.node_id = 1;
	cfg.nloops = 1;
	cfg.ncompute = 1;
	err = strads_runtime_new(&rt, &cfg);
	strads_secret_free(secret, slen);
	if (err != 0 || strads_runtime_start(rt) != 0) {
		fprintf(stderr, "sim_cluster coordinator: cannot start\n");
		return 1;
	}
	strads_cluster_opts_init(&copts);
	copts.heartbeat_s = 0.25;
	copts.timeout_s = 5; /* many members on two cores: slow beats */
	m0 = rss_mb();
	if (strads_cluster_new(rt, &copts, &cl) != 0 ||
	    strads_listen(rt, argv[1], &port) != 0) {
		fprintf(stderr, "sim_cluster coordinator: no cluster\n");
		goto out;
	}
	printf("sim: ready\n");
	fflush(stdout);
	t0 = now_s();
	if (strads_cluster_wait(cl, n, 600) != 0) {
		printf("sim: FAIL %d members did not join within 600 s (%d did)\n", n,
		    strads_cluster_members(cl, NULL, 0));
		goto out;
	}
	strads_cluster_view(cl, &e0, NULL, 0, NULL, 0, NULL);
	printf("sim: members %d\nsim: join_s %.3f\nsim: join_epochs %u\n", n, now_s() - t0, e0);
	/* Idle: heartbeats only. */
	c0 = cpu_s();
	b0 = traffic(rt);
	t0 = now_s();
	while (now_s() - t0 < idle_s)
		usleep(100000);
	printf("sim: idle_cpu_us_per_member_s %.1f\nsim: idle_bytes_per_member_s %.0f\n"
	       "sim: rss_mb_per_member %.3f\nsim: job\n",
	    (cpu_s() - c0) / (now_s() - t0) / n * 1e6,
	    (double)(traffic(rt) - b0) / (now_s() - t0) / n, (rss_mb() - m0) / n);
	fflush(stdout);
	/* The job, under churn. */
	shared.nrows = (uint64_t)n * 16;
	snprintf(spec, sizeof(spec), "%llu", (unsigned long long)shared.nrows);
	strads_job_opts_init(&o);
	o.nparams = P;
	o.nrows = shared.nrows;
	o.schedule = STRADS_SCHEDULE_CYCLIC;
	o.block = 8;
	o.rho = -1;
	o.check_every = 1; /* a check every round: each layout is checked */
	o.time_limit_s = churn_s;
	c0 = cpu_s();
	b0 = traffic(rt);
	strads_cluster_view(cl, &e0, NULL, 0, NULL, 0, NULL);
	t0 = now_s();
	err = strads_cluster_job_run(cl, &ones_app, &shared, &o, spec, &res);
	strads_cluster_view(cl, &e1, NULL, 0, NULL, 0, NULL);
	if (err != 0) {
		printf("sim: FAIL job: %s\n", strads_strerror(err));
		goto out;
	}
	printf("sim: job_s %.2f\nsim: job_rounds %llu\nsim: job_checks %d\n"
	       "sim: churn_epochs %u\nsim: job_cpu_s %.2f\nsim: job_bytes %llu\n"
	       "sim: worst_error %g\n",
	    now_s() - t0, (unsigned long long)res.rounds, atomic_load(&g_checks), e1 - e0,
	    cpu_s() - c0, (unsigned long long)(traffic(rt) - b0), atomic_load(&g_worst));
	free(res.params);
	rc = atomic_load(&g_worst) == 0 && atomic_load(&g_checks) > 0 ? 0 : 1;
	printf("sim: %s\n", rc == 0 ? "ok" : "FAIL a check saw a row lost or doubled");
out:
	fflush(stdout);
	if (cl != NULL)
		strads_cluster_free(cl);
	strads_runtime_stop(rt);
	strads_runtime_wait(rt);
	strads_runtime_free(rt);
	return rc;
}

/* --- the nodes ------------------------------------------------------- */

typedef struct {
	uv_thread_t th;
	const char *join, *secret_file;
	atomic_int leave; /* asks the member to leave */
	atomic_int done;  /* its strads_node_run returned */
	int rc;
	strads_app_t app;
} member_t;

static int
node_setup(void *arg, const char *spec, const double *init, const strads_app_t **app,
    void **shared, char *err, size_t errlen)
{
	ones_t *d = malloc(sizeof(*d));

	(void)arg;
	(void)init;
	if (d == NULL || sscanf(spec, "%llu", (unsigned long long *)&d->nrows) != 1) {
		free(d);
		snprintf(err, errlen, "bad spec '%s'", spec);
		return -1;
	}
	*app = &ones_app;
	*shared = d;
	return 0;
}

static void
node_teardown(void *arg, void *shared)
{
	(void)arg;
	free(shared);
}

static int
should_leave(void *arg)
{
	member_t *m = arg;

	return atomic_load(&m->leave);
}

static void
member_main(void *arg)
{
	member_t *m = arg;
	strads_config_t cfg;
	strads_node_opts_t no;
	strads_runtime_t *rt;
	uint8_t *secret;
	size_t slen;
	char adv[128];
	int port = 0, err;

	m->rc = 1;
	strads_config_init(&cfg);
	if (load_secret(m->secret_file, &cfg, &secret, &slen) != 0)
		goto done;
	cfg.node_id = strads_random_node_id();
	cfg.nloops = 1;
	cfg.ncompute = 1;
	err = strads_runtime_new(&rt, &cfg);
	strads_secret_free(secret, slen);
	if (err != 0)
		goto done;
	if (strads_runtime_start(rt) != 0 ||
	    strads_listen(rt, "tcp://127.0.0.1:0", &port) != 0) {
		strads_runtime_free(rt);
		goto done;
	}
	snprintf(adv, sizeof(adv), "tcp://127.0.0.1:%d", port);
	strads_node_opts_init(&no);
	no.join = m->join;
	no.advertise = adv;
	no.workers = 1;
	no.wait_s = 60;
	no.heartbeat_s = 0.25;
	no.timeout_s = 5;
	no.setup = node_setup;
	no.teardown = node_teardown;
	no.should_leave = should_leave;
	no.arg = m;
	m->rc = strads_node_run(rt, &no) == 0 ? 0 : 1;
	strads_runtime_stop(rt);
	strads_runtime_wait(rt);
	strads_runtime_free(rt);
done:
	atomic_store(&m->done, 1);
}

static member_t *
member_start(const char *join, const char *secret_file)
{
	member_t *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->join = join;
	m->secret_file = secret_file;
	if (uv_thread_create(&m->th, member_main, m) != 0) {
		free(m);
		return NULL;
	}
	return m;
}

static int
run_nodes(char **argv)
{
	static member_t *ms[MAX_MEMBERS];
	int k = atoi(argv[2]), nm = 0, i, bad = 0, leaves = 0, joins = 0, next = 0;
	const char *churn_file = argv[3];
	double churn_s = strtod(argv[4], NULL), t0;
	double tick;

	if (k < 1 || k > MAX_MEMBERS / 2) {
		fprintf(stderr, "sim_cluster nodes: 1 to %d members\n", MAX_MEMBERS / 2);
		return 2;
	}
	for (i = 0; i < k; i++)
		if ((ms[nm] = member_start(argv[0], argv[1])) != NULL)
			nm++;
	if (strcmp(churn_file, "-") != 0) {
		while (access(churn_file, F_OK) != 0)
			usleep(50000);
		t0 = now_s();
		/* One leave or one join a second, alternately. */
		for (tick = t0 + 1; tick - t0 <= churn_s; tick += 1) {
			while (now_s() < tick)
				usleep(20000);
			if ((leaves + joins) % 2 == 0) {
				while (next < nm && atomic_load(&ms[next]->leave))
					next++;
				if (next < nm) {
					atomic_store(&ms[next]->leave, 1);
					leaves++;
				}
			} else if (nm < MAX_MEMBERS && (ms[nm] = member_start(argv[0], argv[1])) != NULL) {
				nm++;
				joins++;
			}
		}
	}
	for (i = 0; i < nm; i++) {
		uv_thread_join(&ms[i]->th);
		bad += ms[i]->rc != 0;
		free(ms[i]);
	}
	printf("nodes: members %d leaves %d joins %d failed %d\n", nm, leaves, joins, bad);
	return bad == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 6 && strcmp(argv[1], "coordinator") == 0)
		return run_coordinator(argv + 1);
	if (argc == 7 && strcmp(argv[1], "nodes") == 0)
		return run_nodes(argv + 2);
	fprintf(stderr, "usage: sim_cluster coordinator URL SECRET_FILE N CHURN_S | "
	    "nodes JOIN_URL SECRET_FILE K CHURN_AT CHURN_S\n");
	return 2;
}
