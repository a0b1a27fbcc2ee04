/*
 * check_progress.c -- progress records and subscribers: one record per
 * check, in order, with the app's named values, delivered on the thread
 * that called strads_job_run and never on a loop; a subscriber that
 * blocks does not hold the coordinator up or change the result; a full
 * queue coalesces into its newest record and counts what it dropped; the
 * metrics file holds one JSON object per record with every key, is
 * appended to by a job that goes on and truncated by a new one.
 */
#include "strads-int.h"
#include "progress.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testapps.h"
#include "testutil.h"

/* The "ones" app: every parameter becomes the mean of a column of ones;
 * its criterion never falls below tol, so a job runs to max_rounds, with
 * a check after every block (check_every 1). */
typedef struct {
	testapp_means_t means; /* first: the means app's pull reads its n */
	atomic_int checks; /* objective calls */
	uv_thread_t coord; /* the thread of the last one */
	atomic_int coord_set;
	int diverge_at; /* > 0: the objective is NAN from that check */
} ones_t;

typedef struct {
	strads_shard_t sh;
} shard_t;

static int
ones_init(void *shared, const strads_shard_t *sh, void **ws)
{
	shard_t *s = malloc(sizeof(*s));

	(void)shared;
	if (s == NULL)
		return -1;
	s->sh = *sh;
	*ws = s;
	return 0;
}

static void
ones_push(void *ws, const strads_block_t *b, double *part)
{
	shard_t *s = ws;
	uint32_t t;

	for (t = 0; t < b->n; t++)
		part[t] += (double)(s->sh.row_end - s->sh.row_begin);
}

static void
ones_apply(void *ws, const strads_block_t *b, const double *delta)
{
	(void)ws;
	(void)b;
	(void)delta;
}

static void
ones_check(void *shared, strads_range_t r, const double *sum, const double *val,
    double *out)
{
	uint32_t j;

	(void)shared;
	(void)sum;
	out[0] = 0; /* the range's sum of values */
	for (j = 0; j < r.end - r.begin; j++)
		out[0] += val[j];
}

static void
ones_objective(void *shared, const double *st, const double *ck, int nstores,
    strads_progress_t *out)
{
	ones_t *d = shared;
	double sum = 0;
	int k, n;

	(void)st;
	for (k = 0; k < nstores; k++)
		sum += ck[k];
	n = atomic_fetch_add(&d->checks, 1) + 1;
	d->coord = uv_thread_self();
	atomic_store(&d->coord_set, 1);
	out->objective = d->diverge_at > 0 && n >= d->diverge_at ? NAN : sum;
	out->criterion = 1; /* never converged: the job runs to max_rounds */
	out->support = (uint64_t)sum;
	/* On a loop: no Check assertion here; the records show it. */
	(void)strads_progress_add(out, "ones", sum, 1);
	(void)strads_progress_add(out, "half", 0.5, 0);
}

static const strads_app_t ones_app = {
    .name = "ones",
    .width = 1,
    .nstats = 0,
    .ncheck = 1,
    .worker_init = ones_init,
    .push = ones_push,
    .apply = ones_apply,
    .worker_fini = free,
    .pull = testapp_means_pull, /* the mean of a column of ones: 1 */
    .check = ones_check,
    .objective = ones_objective,
};

#define P 64
#define MAX_RECS 256

/* What a subscriber saw. */
typedef struct {
	int n;
	strads_progress_t rec[MAX_RECS];
	int on_caller[MAX_RECS]; /* called on the job's calling thread */
	uv_thread_t caller;
	/* The blocking subscriber: at its first record it waits until the
	 * coordinator has run this many more checks. */
	ones_t *app;
	int hold_for;
	int held;     /* 1: the coordinator went on meanwhile; -1: timed out */
	int sleep_us; /* then sleeps this long at every record */
} seen_t;

static void
collect(void *arg, const strads_progress_t *p)
{
	seen_t *s = arg;
	uv_thread_t me = uv_thread_self();

	if (s->n < MAX_RECS) {
		s->rec[s->n] = *p;
		s->rec[s->n].node = NULL; /* borrowed: not kept */
		s->rec[s->n].node_updates = NULL;
		s->on_caller[s->n] = uv_thread_equal(&me, &s->caller);
		s->n++;
	}
	if (s->hold_for > 0 && s->held == 0) {
		/* Not a Check assertion: this may not be the test's thread if
		 * the engine is wrong, so the outcome is asserted after. */
		int want = atomic_load(&s->app->checks) + s->hold_for;
		uint64_t deadline = test_deadline_ms(30000);

		while (atomic_load(&s->app->checks) < want &&
		       !test_expired(deadline))
			uv_sleep(1);
		s->held = atomic_load(&s->app->checks) >= want ? 1 : -1;
	}
	if (s->sleep_us > 0)
		usleep((useconds_t)s->sleep_us);
}

static void
ones_opts(strads_job_opts_t *o, ones_t *d, uint64_t rounds)
{
	memset(d, 0, sizeof(*d));
	d->means.n = 200;
	strads_job_opts_init(o);
	o->nparams = P;
	o->nrows = d->means.n;
	o->nworkers = 2;
	o->nstores = 2;
	o->block = 8;
	o->check_every = 1;
	o->max_rounds = rounds;
	o->schedule = STRADS_SCHEDULE_CYCLIC;
}

/* Every record of s: in order, on the calling thread, with the values. */
static void
assert_records(const seen_t *s, const ones_t *d, const strads_job_result_t *res)
{
	int i;

	ck_assert_int_ge(s->n, 3);
	ck_assert_int_lt(s->n, MAX_RECS);
	for (i = 0; i < s->n; i++) {
		const strads_progress_t *p = &s->rec[i];

		ck_assert_msg(
		    s->on_caller[i], "record %d not on the calling thread", i);
		if (i > 0) {
			ck_assert_uint_gt(p->iter, s->rec[i - 1].iter);
			ck_assert_double_gt(p->time_s, s->rec[i - 1].time_s);
			ck_assert_uint_ge(p->updates, s->rec[i - 1].updates);
		}
		ck_assert_int_eq(p->nvalues, 2);
		ck_assert_str_eq(p->values[0].name, "ones");
		ck_assert_int_eq(p->values[0].count, 1);
		ck_assert_double_eq(strads_progress_value(p, "half"), 0.5);
		ck_assert_double_eq(
		    strads_progress_value(p, "ones"), p->objective);
		ck_assert_uint_eq(p->support, (uint64_t)p->objective);
		ck_assert_double_eq(p->criterion, 1);
		ck_assert_int_eq(p->nnodes, 0); /* one process */
		ck_assert_uint_eq(p->bytes, 0);
	}
	/* The last record is the result's. */
	ck_assert_uint_eq(s->rec[s->n - 1].iter, res->rounds);
	ck_assert_uint_eq(s->rec[s->n - 1].updates, res->updates);
	ck_assert_double_eq(
	    s->rec[s->n - 1].objective, res->progress.objective);
	ck_assert_ptr_null(res->progress.node);
	ck_assert_ptr_null(res->progress.node_updates);
	/* The coordinator ran the objective on one of its loops. */
	ck_assert(atomic_load(&d->coord_set));
	ck_assert(!uv_thread_equal(&d->coord, &s->caller));
}

START_TEST(record_per_check)
{
	strads_runtime_t *rt = testapp_engine_up(3);
	strads_job_opts_t o;
	strads_job_result_t res;
	strads_subscriber_t sub;
	ones_t d;
	seen_t *s = calloc(1, sizeof(*s));
	uint32_t j;

	ck_assert_ptr_nonnull(s);
	ones_opts(&o, &d, 40);
	s->caller = uv_thread_self();
	sub.cb = collect;
	sub.arg = s;
	o.subscribers = &sub;
	o.nsubscribers = 1;
	ck_assert_int_eq(strads_job_run(rt, &ones_app, &d, &o, &res), 0);
	ck_assert(!res.converged);
	/* One record per check, none dropped. */
	ck_assert_int_eq(s->n, atomic_load(&d.checks));
	ck_assert_uint_eq(s->rec[s->n - 1].dropped, 0);
	assert_records(s, &d, &res);
	ck_assert_double_eq(res.progress.objective, P);
	for (j = 0; j < P; j++)
		ck_assert_double_eq(res.params[j], 1);
	free(res.params);
	testapp_engine_down(rt);
	free(s);
}
END_TEST

/* A subscriber that blocks at its first record until the coordinator has
 * run five more checks (it would wait forever if the coordinator waited
 * for it), then sleeps at every record: the job ends with the result of
 * a job without subscribers, and the last record still arrives. */
START_TEST(slow_subscriber)
{
	strads_runtime_t *rt = testapp_engine_up(3);
	strads_job_opts_t o;
	strads_job_result_t res, ref;
	strads_subscriber_t sub[2];
	ones_t d;
	seen_t *s = calloc(1, sizeof(*s)), *fast = calloc(1, sizeof(*fast));
	uint32_t j;

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(fast);
	ones_opts(&o, &d, 60);
	ck_assert_int_eq(strads_job_run(rt, &ones_app, &d, &o, &ref), 0);

	ones_opts(&o, &d, 60);
	s->caller = fast->caller = uv_thread_self();
	s->app = &d;
	s->hold_for = 5;
	s->sleep_us = 2000;
	sub[0].cb = collect;
	sub[0].arg = s;
	sub[1].cb = collect;
	sub[1].arg = fast;
	o.subscribers = sub;
	o.nsubscribers = 2;
	ck_assert_int_eq(strads_job_run(rt, &ones_app, &d, &o, &res), 0);
	ck_assert_int_eq(s->held, 1);
	ck_assert_uint_eq(res.rounds, ref.rounds);
	ck_assert_uint_eq(res.updates, ref.updates);
	ck_assert_double_eq(res.progress.objective, ref.progress.objective);
	ck_assert_int_eq(res.converged, ref.converged);
	for (j = 0; j < P; j++)
		ck_assert_double_eq(res.params[j], ref.params[j]);
	/* Both subscribers saw the same records, and every one of them. */
	ck_assert_int_eq(s->n, fast->n);
	ck_assert_int_eq(
	    s->n + (int)s->rec[s->n - 1].dropped, atomic_load(&d.checks));
	assert_records(s, &d, &res);
	free(res.params);
	free(ref.params);
	testapp_engine_down(rt);
	free(s);
	free(fast);
}
END_TEST

/* The queue alone: 100 records into a full queue coalesce into its
 * newest slot, in order, the node arrays copied at the put. */
START_TEST(queue_coalesces)
{
	strads__progq_t *q;
	strads_job_opts_t o;
	strads_subscriber_t sub;
	seen_t *s = calloc(1, sizeof(*s));
	uint32_t node[2] = {7, 9};
	uint64_t upd[2];
	int i;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(strads__progq_new(&q), 0);
	for (i = 0; i < 100; i++) {
		strads_progress_t p;

		memset(&p, 0, sizeof(p));
		p.iter = (uint64_t)i;
		p.time_s = i;
		upd[0] = (uint64_t)i;
		upd[1] = (uint64_t)i * 2;
		p.nnodes = 2;
		p.node = node;
		p.node_updates = upd;
		strads__progq_put(q, &p);
		upd[0] = upd[1] = 0; /* the queue holds its own copy */
	}
	strads__progq_close(q);
	strads__progq_put(q, &s->rec[0]); /* after close: ignored */
	strads_job_opts_init(&o);
	s->caller = uv_thread_self();
	sub.cb = collect;
	sub.arg = s;
	o.subscribers = &sub;
	o.nsubscribers = 1;
	strads__progq_run(q, &o, 0, 0);
	ck_assert_int_eq(s->n, STRADS_PROGRESS_QUEUE);
	for (i = 0; i < STRADS_PROGRESS_QUEUE - 1; i++) {
		ck_assert_uint_eq(s->rec[i].iter, (uint64_t)i);
		ck_assert_uint_eq(s->rec[i].dropped, 0);
		ck_assert_int_eq(s->rec[i].nnodes, 2);
	}
	ck_assert_uint_eq(s->rec[i].iter, 99);
	ck_assert_uint_eq(s->rec[i].dropped, 100 - STRADS_PROGRESS_QUEUE);
	strads__progq_free(q);
	free(s);
}
END_TEST

/* The node arrays reach a subscriber as they were at the put. */
static void
nodes_cb(void *arg, const strads_progress_t *p)
{
	int *bad = arg;

	if (p->nnodes != 2 || p->node == NULL || p->node_updates == NULL ||
	    p->node[0] != 7 || p->node[1] != 9 ||
	    p->node_updates[0] != p->iter || p->node_updates[1] != 2 * p->iter)
		(*bad)++;
}

START_TEST(queue_copies_nodes)
{
	strads__progq_t *q;
	strads_job_opts_t o;
	strads_subscriber_t sub;
	uint32_t node[2] = {7, 9};
	uint64_t upd[2];
	int i, bad = 0;

	ck_assert_int_eq(strads__progq_new(&q), 0);
	for (i = 0; i < 10; i++) {
		strads_progress_t p;

		memset(&p, 0, sizeof(p));
		p.iter = (uint64_t)i;
		upd[0] = (uint64_t)i;
		upd[1] = (uint64_t)i * 2;
		p.nnodes = 2;
		p.node = node;
		p.node_updates = upd;
		strads__progq_put(q, &p);
		upd[0] = upd[1] = 12345;
	}
	strads__progq_close(q);
	strads_job_opts_init(&o);
	sub.cb = nodes_cb;
	sub.arg = &bad;
	o.subscribers = &sub;
	o.nsubscribers = 1;
	strads__progq_run(q, &o, 0, 0);
	ck_assert_int_eq(bad, 0);
	strads__progq_free(q);
}
END_TEST

/* A temporary file name (the file is made, then the test writes it). */
static void
tmp_path(char *buf, size_t len)
{
	const char *t = getenv("TMPDIR");
	int fd;

	snprintf(buf, len, "%s/check_progress.XXXXXX",
	    t != NULL && t[0] != '\0' ? t : "/tmp");
	fd = mkstemp(buf);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

/* The lines of the metrics file at path, parsed; *n of them. */
static cJSON **
read_metrics(const char *path, int *n)
{
	static char line[4096];
	cJSON **v = calloc(MAX_RECS, sizeof(*v));
	FILE *f = fopen(path, "r");

	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_nonnull(f);
	*n = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		ck_assert_int_lt(*n, MAX_RECS);
		ck_assert_msg(
		    strchr(line, '\n') != NULL, "a line without its end");
		v[*n] = cJSON_Parse(line);
		ck_assert_msg(
		    cJSON_IsObject(v[*n]), "not a JSON object: %s", line);
		(*n)++;
	}
	fclose(f);
	return v;
}

static double
num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	ck_assert_msg(cJSON_IsNumber(v), "key %s missing or not a number", key);
	return v->valuedouble;
}

START_TEST(metrics_file)
{
	static const char *keys[] = {
	    "iter", "time_s", "objective", "updates", "bytes", "ones", "half"};
	strads_runtime_t *rt = testapp_engine_up(3);
	strads_job_opts_t o;
	strads_job_result_t res;
	strads_subscriber_t sub;
	ones_t d;
	seen_t *s = calloc(1, sizeof(*s));
	char path[512];
	cJSON **v, *k;
	int i, n;
	size_t j;

	ck_assert_ptr_nonnull(s);
	tmp_path(path, sizeof(path));
	ones_opts(&o, &d, 30);
	o.metrics_path = path;
	s->caller = uv_thread_self();
	sub.cb = collect;
	sub.arg = s;
	o.subscribers = &sub;
	o.nsubscribers = 1;
	ck_assert_int_eq(strads_job_run(rt, &ones_app, &d, &o, &res), 0);
	v = read_metrics(path, &n);
	ck_assert_int_ge(n, 3);
	ck_assert_int_eq(n, s->n);
	for (i = 0; i < n; i++) {
		/* Every documented key, in order, and nothing else. */
		for (j = 0, k = v[i]->child; j < sizeof(keys) / sizeof(keys[0]);
		     j++, k = k->next) {
			ck_assert_ptr_nonnull(k);
			ck_assert_str_eq(k->string, keys[j]);
		}
		ck_assert_ptr_null(k);
		ck_assert_uint_eq((uint64_t)num(v[i], "iter"), s->rec[i].iter);
		ck_assert_double_eq_tol(
		    num(v[i], "time_s"), s->rec[i].time_s, 1e-6);
		ck_assert_double_eq(
		    num(v[i], "objective"), s->rec[i].objective);
		ck_assert_uint_eq(
		    (uint64_t)num(v[i], "updates"), s->rec[i].updates);
		ck_assert_double_eq(num(v[i], "bytes"), 0);
		ck_assert_double_eq(num(v[i], "ones"), s->rec[i].objective);
		ck_assert_double_eq(num(v[i], "half"), 0.5);
		cJSON_Delete(v[i]);
	}
	free(v);
	free(res.params);

	/* A second job on the same path starts the file afresh, and a
	 * diverged objective is null (JSON has no nan). */
	ones_opts(&o, &d, 30);
	o.metrics_path = path;
	d.diverge_at = 3;
	ck_assert_int_eq(strads_job_run(rt, &ones_app, &d, &o, &res), 0);
	ck_assert(!res.converged);
	v = read_metrics(path, &n);
	ck_assert_int_eq(n, 3);
	ck_assert(cJSON_IsNumber(
	    cJSON_GetObjectItemCaseSensitive(v[1], "objective")));
	ck_assert(
	    cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(v[2], "objective")));
	for (i = 0; i < n; i++)
		cJSON_Delete(v[i]);
	free(v);
	free(res.params);
	unlink(path);
	testapp_engine_down(rt);
	free(s);
}
END_TEST

/* Queues n records numbered from first, closes the queue and runs it
 * with the metrics file at path (append as given). */
static void
run_queue(const char *path, int first, int n, int metrics, int append)
{
	strads__progq_t *q;
	strads_job_opts_t o;
	int i;

	ck_assert_int_eq(strads__progq_new(&q), 0);
	for (i = 0; i < n; i++) {
		strads_progress_t p;

		memset(&p, 0, sizeof(p));
		p.iter = (uint64_t)(first + i);
		strads__progq_put(q, &p);
	}
	strads__progq_close(q);
	strads_job_opts_init(&o);
	o.metrics_path = path;
	strads__progq_run(q, &o, metrics, append);
	strads__progq_free(q);
}

/* A job that goes on (a cluster job laid out again) appends; a new one
 * truncates; a thread without the coordinator (metrics 0) does not
 * touch the file; an unwritable path is an error logged, not a failure
 * of the job. */
START_TEST(metrics_append)
{
	char path[512];
	cJSON **v;
	int i, n;

	tmp_path(path, sizeof(path));
	run_queue(path, 0, 2, 1, 0);
	run_queue(path, 2, 3, 1, 1);
	run_queue(path, 100, 4, 0, 0);
	v = read_metrics(path, &n);
	ck_assert_int_eq(n, 5);
	for (i = 0; i < n; i++) {
		ck_assert_double_eq(num(v[i], "iter"), i);
		cJSON_Delete(v[i]);
	}
	free(v);
	run_queue(path, 7, 1, 1, 0);
	v = read_metrics(path, &n);
	ck_assert_int_eq(n, 1);
	ck_assert_double_eq(num(v[0], "iter"), 7);
	cJSON_Delete(v[0]);
	free(v);
	unlink(path);
	run_queue("/nonexistent-dir/metrics.json", 0, 2, 1, 0);
}
END_TEST

START_TEST(values)
{
	strads_progress_t p;
	int i;

	memset(&p, 0, sizeof(p));
	ck_assert(isnan(strads_progress_value(&p, "gap")));
	ck_assert_int_eq(strads_progress_add(&p, "gap", 1e-3, 0), 0);
	ck_assert_int_eq(strads_progress_add(&p, "nnz", 12, 1), 0);
	ck_assert_double_eq(strads_progress_value(&p, "gap"), 1e-3);
	ck_assert_double_eq(strads_progress_value(&p, "nnz"), 12);
	ck_assert(isnan(strads_progress_value(&p, "test_rmse")));
	/* Names go into JSON verbatim: only letters, digits and _. */
	ck_assert_int_eq(strads_progress_add(&p, "a\"b", 1, 0), STRADS_EINVAL);
	ck_assert_int_eq(strads_progress_add(&p, "", 1, 0), STRADS_EINVAL);
	ck_assert_int_eq(strads_progress_add(&p, NULL, 1, 0), STRADS_EINVAL);
	for (i = 2; i < STRADS_PROGRESS_VALUES; i++)
		ck_assert_int_eq(
		    strads_progress_add(&p, "loglik_per_token", i, 0), 0);
	ck_assert_int_eq(
	    strads_progress_add(&p, "tokens_per_s", 1, 0), STRADS_EINVAL);
	ck_assert_int_eq(p.nvalues, STRADS_PROGRESS_VALUES);
}
END_TEST

static Suite *
progress_suite(void)
{
	Suite *s = suite_create("progress");
	TCase *tc = tcase_create("progress");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, values);
	tcase_add_test(tc, queue_coalesces);
	tcase_add_test(tc, queue_copies_nodes);
	tcase_add_test(tc, record_per_check);
	tcase_add_test(tc, slow_subscriber);
	tcase_add_test(tc, metrics_file);
	tcase_add_test(tc, metrics_append);
	suite_add_tcase(s, tc);
	return s;
}

STRADS_TEST_MAIN(progress_suite)
