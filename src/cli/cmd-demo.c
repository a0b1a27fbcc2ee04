/*
 * cmd-demo.c -- `strads demo`: generates a sparse regression problem with
 * a planted truth, solves the Lasso in single-process mode while printing
 * the objective, and reports how much of the planted support it found.
 *
 * `strads demo runtime`: the runtime at work. Producers on every loop
 * stream 64-byte messages to consumers on the next loop, then a second
 * runtime in this process receives a stream over tcp loopback. Rates are
 * printed; both streams are checked for loss and order.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "cli.h"
#include "gen_lasso.h"
#include "lasso.h"

#define MSG_DATA (STRADS_MSG_USER + 1)
#define MSG_DONE (STRADS_MSG_USER + 2)

typedef struct {
	strads_addr_t peer; /* consumer */
	uint64_t total, sent;
	uint32_t size;
} producer_t;

typedef struct {
	uint64_t total, got, bad_order;
	uv_sem_t *done; /* borrowed: posted when all arrived */
} consumer_t;

typedef struct {
	strads_addr_t peer;
	uint64_t total;
	uint32_t size;
} producer_arg_t;

static void
produce(strads_actor_t *self, producer_t *p)
{
	while (p->sent < p->total && strads_send_ready(self, p->peer)) {
		int batch;

		for (batch = 0; batch < 256 && p->sent < p->total; batch++) {
			strads_msg_t *m = strads_msg_new(MSG_DATA, p->size);

			if (m == NULL)
				return;
			memset(m->data, 0, p->size);
			memcpy(m->data, &p->sent, sizeof(p->sent));
			p->sent++;
			strads_send(self, p->peer, m);
		}
	}
}

static int
producer_init(strads_actor_t *self, void *arg)
{
	producer_t *p = strads_actor_state(self);
	producer_arg_t *a = arg;

	p->peer = a->peer;
	p->total = a->total;
	p->size = a->size;
	/* Start from a timer so init returns at once. */
	return strads_timer_start(self, 0, 0, 0) > 0 ? 0 : -1;
}

static void
producer_recv(strads_actor_t *self, const strads_msg_t *m)
{
	if (m->type == STRADS_MSG_TIMER || m->type == STRADS_MSG_WRITABLE)
		produce(self, strads_actor_state(self));
}

static const strads_actor_type_t producer_type = {
    "demo-producer", sizeof(producer_t), producer_init, producer_recv, NULL};

static int
consumer_init(strads_actor_t *self, void *arg)
{
	consumer_t *c = strads_actor_state(self);

	*c = *(consumer_t *)arg;
	return 0;
}

static void
consumer_recv(strads_actor_t *self, const strads_msg_t *m)
{
	consumer_t *c = strads_actor_state(self);
	uint64_t seq;

	if (m->type != MSG_DATA || m->len < sizeof(seq))
		return;
	memcpy(&seq, m->data, sizeof(seq));
	c->bad_order += seq != c->got;
	if (++c->got == c->total)
		uv_sem_post(c->done);
}

static const strads_actor_type_t consumer_type = {
    "demo-consumer", sizeof(consumer_t), consumer_init, consumer_recv, NULL};

static double
seconds_since(uint64_t t0)
{
	return (double)(strads_now_ns() - t0) / 1e9;
}

static int
run_local(int nloops, uint64_t count, uint32_t size)
{
	strads_runtime_t *rt;
	strads_config_t cfg;
	consumer_t carg;
	producer_arg_t parg, *pargs;
	strads_addr_t *cons;
	uv_sem_t done;
	uint64_t t0;
	double s;
	int i, err;

	strads_config_init(&cfg);
	cfg.nloops = nloops;
	if ((err = strads_runtime_new(&rt, &cfg)) != 0)
		return err;
	nloops = strads_runtime_nloops(rt);
	cons = calloc((size_t)nloops, sizeof(*cons));
	pargs = calloc((size_t)nloops, sizeof(*pargs));
	if (cons == NULL || pargs == NULL) {
		free(cons);
		free(pargs);
		strads_runtime_free(rt);
		return STRADS_ENOMEM;
	}
	uv_sem_init(&done, 0);
	memset(&carg, 0, sizeof(carg));
	carg.total = count;
	carg.done = &done;
	parg.total = count;
	parg.size = size;
	for (i = 0; i < nloops && err == 0; i++)
		err = strads_spawn(rt, &consumer_type, (i + 1) % nloops, &carg,
		    &cons[i]);
	(void)strads_runtime_start(rt);
	t0 = strads_now_ns();
	/* init runs later on the producer's loop: each needs its own arg,
	 * alive until it ran (the producers are done before we return). */
	for (i = 0; i < nloops && err == 0; i++) {
		pargs[i] = parg;
		pargs[i].peer = cons[i];
		err = strads_spawn(rt, &producer_type, i, &pargs[i], NULL);
	}
	for (i = 0; i < nloops && err == 0; i++)
		uv_sem_wait(&done);
	s = seconds_since(t0);
	strads_runtime_stop(rt);
	strads_runtime_wait(rt);
	strads_runtime_free(rt);
	uv_sem_destroy(&done);
	free(cons);
	free(pargs);
	if (err != 0)
		return err;
	printf("local:  %d loops, %d producer->consumer pairs across loops, "
	       "%llu x %u B messages each: %.2f M msg/s total\n",
	    nloops, nloops, (unsigned long long)count, size,
	    (double)count * nloops / s / 1e6);
	return 0;
}

static int
run_remote(uint64_t count, uint32_t size)
{
	strads_runtime_t *a = NULL, *b = NULL;
	strads_config_t cfg;
	consumer_t carg;
	producer_arg_t parg;
	uv_sem_t done;
	char url[64];
	int port = 0, port_a = 0, err;
	uint64_t t0;
	double s;

	uv_sem_init(&done, 0);
	strads_config_init(&cfg);
	cfg.nloops = 1;
	cfg.ncompute = 1;
	cfg.node_id = 1;
	if ((err = strads_runtime_new(&a, &cfg)) != 0)
		goto out;
	cfg.node_id = 2;
	if ((err = strads_runtime_new(&b, &cfg)) != 0)
		goto out;
	if ((err = strads_listen(b, "tcp://127.0.0.1:0", &port)) != 0 ||
	    (err = strads_listen(a, "tcp://127.0.0.1:0", &port_a)) != 0)
		goto out;
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", port);
	if ((err = strads_peer_add(a, 2, url)) != 0)
		goto out;
	/* b returns credit to a: it must know where a listens. */
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", port_a);
	if ((err = strads_peer_add(b, 1, url)) != 0)
		goto out;
	memset(&carg, 0, sizeof(carg));
	carg.total = count;
	carg.done = &done;
	if ((err = strads_spawn(b, &consumer_type, 0, &carg, &parg.peer)) != 0)
		goto out;
	strads_runtime_start(a);
	strads_runtime_start(b);
	parg.total = count;
	parg.size = size;
	t0 = strads_now_ns();
	if ((err = strads_spawn(a, &producer_type, 0, &parg, NULL)) != 0)
		goto out;
	uv_sem_wait(&done);
	s = seconds_since(t0);
	printf("remote: 2 runtimes over tcp loopback, %llu x %u B messages: "
	       "%.2f M msg/s\n",
	    (unsigned long long)count, size, (double)count / s / 1e6);
out:
	if (a != NULL) {
		strads_runtime_stop(a);
		strads_runtime_wait(a);
	}
	if (b != NULL) {
		strads_runtime_stop(b);
		strads_runtime_wait(b);
	}
	strads_runtime_free(a);
	strads_runtime_free(b);
	uv_sem_destroy(&done);
	return err;
}

static int
demo_lasso(void)
{
	gen_lasso_opts_t g;
	data_matrix_t X;
	strads_runtime_t *rt = NULL;
	strads_job_opts_t o;
	strads_job_result_t res;
	lasso_t l;
	double *truth = NULL, *b = NULL, lmax;
	char err[512];
	uint32_t j, planted = 0, found = 0, extra = 0;
	int rc = CLI_FAIL, e;

	gen_lasso_opts_init(&g);
	g.n = 5000;
	g.p = 20000;
	g.nnz_per_row = 30;
	g.support = 50;
	g.values = GEN_VALUES_GAUSSIAN;
	g.noise = 0.5;
	g.seed = 7;
	truth = calloc(g.p, sizeof(double));
	b = calloc(g.p, sizeof(double));
	if (truth == NULL || b == NULL || gen_lasso(&g, &X, truth, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads demo: %s\n", truth == NULL || b == NULL ? "out of memory" : err);
		free(truth);
		free(b);
		return CLI_FAIL;
	}
	printf("generated %u x %u sparse regression, %llu non-zeros, "
	       "%u planted non-zero coefficients, noise sd %g\n",
	    X.n, X.p, (unsigned long long)X.nnz, g.support, g.noise);
	if (lasso_setup(&l, &X, 1, 0, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads demo: %s\n", err);
		goto out_data;
	}
	lmax = lasso_lambda_max(&l);
	l.lambda = 0.05 * lmax;
	printf("Lasso at lambda = 0.05 x lambda_max = %g, all roles in this "
	       "process; objective by round:\n", l.lambda);
	fflush(stdout);
	if ((e = strads_runtime_new(&rt, NULL)) != 0 || (e = strads_runtime_start(rt)) != 0) {
		fprintf(stderr, "strads demo: %s\n", strads_strerror(e));
		goto out;
	}
	strads_job_opts_init(&o);
	o.nparams = l.p;
	o.nrows = l.n;
	o.progress = 1;
	o.tol = 1e-6;
	o.schedule = STRADS_SCHEDULE_WORKSET; /* strads run's default */
	if ((e = strads_job_run(rt, &lasso_ws_app, &l, &o, &res)) != 0) {
		fprintf(stderr, "strads demo: %s\n", strads_strerror(e));
		goto out;
	}
	lasso_unscale(&l, res.params, b);
	for (j = 0; j < g.p; j++) {
		planted += truth[j] != 0;
		found += truth[j] != 0 && b[j] != 0;
		extra += truth[j] == 0 && b[j] != 0;
	}
	printf("objective %.10g (relative duality gap %.1e) after %llu rounds, "
	       "%llu coordinate updates, %.2f s\n",
	    res.progress.objective, res.progress.criterion, (unsigned long long)res.rounds,
	    (unsigned long long)res.updates, res.solve_s);
	printf("planted support recovered: %u of %u; %u other non-zeros\n", found,
	    planted, extra);
	free(res.params);
	rc = CLI_OK;
out:
	if (rt != NULL) {
		strads_runtime_stop(rt);
		strads_runtime_wait(rt);
		strads_runtime_free(rt);
	}
	lasso_free(&l);
out_data:
	data_matrix_free(&X);
	free(truth);
	free(b);
	return rc;
}

static int
demo_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"messages", required_argument, NULL, 'n'},
	    {"loops", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	uint64_t count = 2000000;
	int nloops = 0, c, err;

	if (argc >= 2 && strcmp(argv[1], "lasso") == 0)
		return demo_lasso();
	if (argc < 2 || strcmp(argv[1], "runtime") != 0) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			printf("usage: strads demo [lasso]\n"
			       "       strads demo runtime [--messages N] [--loops N]\n\n"
			       "lasso (the default): generates a 5000 x 20000 sparse "
			       "regression with 50\nplanted coefficients, solves the "
			       "Lasso in this process printing the\nobjective, and "
			       "reports the planted support recovered.\n\n"
			       "runtime: streams N 64-byte messages (default 2000000) "
			       "from a producer on\nevery loop to a consumer on the "
			       "next loop, then N messages between two\nruntimes over "
			       "tcp loopback, and prints the rates.\n");
			return CLI_OK;
		}
		if (argc >= 2) {
			fprintf(stderr, "strads demo: unknown demo '%s' (lasso, runtime)\n", argv[1]);
			return CLI_USAGE;
		}
		return demo_lasso();
	}
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			count = strtoull(optarg, NULL, 10);
			break;
		case 'l':
			nloops = atoi(optarg);
			break;
		case 'h':
			printf("usage: strads demo runtime [--messages N] [--loops N]\n\n"
			       "Streams N 64-byte messages (default 2000000) from a "
			       "producer on every loop\nto a consumer on the next loop, "
			       "then N messages between two runtimes over\ntcp "
			       "loopback, and prints the rates.\n");
			return CLI_OK;
		default:
			return CLI_USAGE;
		}
	}
	if (count == 0) {
		fprintf(stderr, "strads demo: --messages must be positive\n");
		return CLI_USAGE;
	}
	if ((err = run_local(nloops, count, 64)) != 0 ||
	    (err = run_remote(count, 64)) != 0) {
		fprintf(stderr, "strads demo: %s\n", strads_strerror(err));
		return CLI_FAIL;
	}
	return CLI_OK;
}

const strads_cmd_t strads_cmd_demo = {
    "demo", "solve a generated Lasso problem (or: demo runtime)", demo_main};
