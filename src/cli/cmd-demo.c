/*
 * cmd-demo.c -- `strads demo [APP]`: an app's demo (its registry entry's;
 * by default the first app's that has one), which typically generates a
 * problem with a planted truth, solves it in single-process mode and
 * reports how much of the truth it found.
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
#include "registry.h"

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

/*
 * Waits until nothing is in flight between a and b: every frame one sent
 * has reached the other, and three looks 20 ms apart find no new one (the
 * consumer's last credit returns leave after its last message). NNG
 * 1.5.2 can block nng_close() for good when a frame arrives as its socket
 * closes (src/net/transport.c, transport_close): `strads demo runtime
 * --messages 1000` hung about once in 40 runs at stop without this.
 * Gives up after 5 s (then stops anyway).
 */
static void
quiesce(strads_runtime_t *a, strads_runtime_t *b)
{
	strads_stats_t sa, sb;
	uint64_t last = UINT64_MAX, deadline = strads_now_ns() + 5000000000ull;
	int calm = 0;

	while (calm < 3 && strads_now_ns() < deadline) {
		strads_runtime_stats(a, &sa);
		strads_runtime_stats(b, &sb);
		if (sa.frames_out == sb.frames_in && sb.frames_out == sa.frames_in &&
		    sa.frames_out + sb.frames_out == last)
			calm++;
		else
			calm = 0;
		last = sa.frames_out + sb.frames_out;
		uv_sleep(20);
	}
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
	fflush(stdout);
	quiesce(a, b);
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

/* The apps' demos and the runtime's. */
static void
demo_usage(FILE *f)
{
	char names[256];
	size_t i;
	int first = 1;

	fprintf(f, "usage: strads demo [%s]\n"
	           "       strads demo runtime [--messages N] [--loops N]\n\n",
	    app_names(app_demos, "|", names, sizeof(names)));
	for (i = 0; app_registry[i] != NULL; i++) {
		if (app_registry[i]->demo == NULL)
			continue;
		fprintf(f, "%s%s: %s\n", app_registry[i]->name,
		    first ? " (the default)" : "", app_registry[i]->demo_help);
		first = 0;
	}
	fprintf(f, "runtime: streams N 64-byte messages (default 2000000) "
	           "from a producer on\nevery loop to a consumer on the "
	           "next loop, then N messages between two\nruntimes over "
	           "tcp loopback, and prints the rates.\n");
}

/* The first app with a demo, for a bare `strads demo`. */
static const app_entry_t *
default_demo(void)
{
	size_t i;

	for (i = 0; app_registry[i] != NULL; i++)
		if (app_registry[i]->demo != NULL)
			return app_registry[i];
	return NULL;
}

static int
demo_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"messages", required_argument, NULL, 'n'},
	    {"loops", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const app_entry_t *app;
	uint64_t count = 2000000;
	int nloops = 0, c, err;

	if (argc >= 2 && (app = app_find(argv[1], app_demos)) != NULL)
		return app->demo(argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "runtime") != 0) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			demo_usage(stdout);
			return CLI_OK;
		}
		if (argc >= 2) {
			char names[256];

			app_names(app_demos, ", ", names, sizeof(names));
			fprintf(stderr, "strads demo: unknown demo '%s' (%s%sruntime)\n",
			    argv[1], names, names[0] != '\0' ? ", " : "");
			return CLI_USAGE;
		}
		if ((app = default_demo()) != NULL) {
			char *dargv[] = {(char *)app->name, NULL};

			return app->demo(1, dargv);
		}
		demo_usage(stderr);
		return CLI_USAGE;
	}
	argc--;
	argv++;
	optind = 1;
	opterr = 0; /* getopt's messages would name argv[0], "runtime" */
	while ((c = getopt_long(argc, argv, ":n:l:h", opts, NULL)) != -1) {
		long v;

		switch (c) {
		case 'n':
			/* Whole, not negative (strtoull would wrap -5 to 2^64 - 5). */
			if (cli_parse_long("demo", "--messages", optarg, 1, &v) != 0)
				return CLI_USAGE;
			count = (uint64_t)v;
			break;
		case 'l':
			if (cli_parse_long_in("demo", "--loops", optarg, 1, STRADS_MAX_LOOPS,
			        &v) != 0)
				return CLI_USAGE;
			nloops = (int)v;
			break;
		case 'h':
			printf("usage: strads demo runtime [--messages N] [--loops N]\n\n"
			       "Streams N 64-byte messages (default 2000000) from a "
			       "producer on every loop\nto a consumer on the next loop, "
			       "then N messages between two runtimes over\ntcp "
			       "loopback, and prints the rates.\n");
			return CLI_OK;
		default:
			fprintf(stderr, "strads demo: %s '%s'\nTry 'strads demo --help'.\n",
			    c == ':' ? "a value is needed after" : "unknown option",
			    argv[optind - 1]);
			return CLI_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "strads demo: unexpected argument '%s'\n", argv[optind]);
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
    "demo", "solve a generated problem (or: demo runtime)", demo_main};
