/*
 * cmd-node.c -- `strads node --join URL`: a process of a cluster that
 * hosts the roles the coordinator gives it. For each job it looks up the
 * app the job names, loads the data named in the job's options (the same
 * files the coordinator read: a shared filesystem is assumed) and builds
 * the app the same way.
 */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "registry.h"

static void
node_usage(FILE *f)
{
	fprintf(f,
	    "usage: strads node --join URL [options]\n"
	    "\n"
	    "A node of a cluster: joins the coordinator at URL and hosts the roles\n"
	    "it is given until the coordinator closes the cluster. Input files are\n"
	    "read here under the paths the coordinator names (a shared\n"
	    "filesystem). See doc/cluster.md.\n"
	    "\n"
	    "options:\n"
	    "  --join URL          the coordinator's --listen URL (required)\n"
	    "  --roles LIST        roles offered: worker, store, scheduler, comma\n"
	    "                      separated (default: all three)\n"
	    "  --listen URL        where peers reach this node (default\n"
	    "                      tcp://127.0.0.1:0, a free port)\n"
	    "  --advertise URL     the URL others dial when it differs from\n"
	    "                      --listen (NAT, containers; required when\n"
	    "                      listening on 0.0.0.0)\n"
	    "  --threads N         loops and compute threads, and worker slots\n"
	    "                      offered (default: cores)\n"
	    "  --persist           after the coordinator closes the cluster, wait\n"
	    "                      for the next one\n"
	    "  --wait S            how long to wait for a coordinator to answer or\n"
	    "                      come back (default 30)\n"
	    "  --secret-file FILE  the cluster secret (default: $STRADS_SECRET)\n"
	    "  --heartbeat S       heartbeat interval (default 0.25)\n"
	    "  --member-timeout S  the coordinator silent this long is lost\n"
	    "                      (default 3)\n"
	    "  --tls-cert FILE     certificate (and key) for tls+tcp://\n"
	    "  --tls-key FILE      private key, when not in --tls-cert\n"
	    "  --tls-ca FILE       CA to verify peers with\n"
	    "  --quiet             no log lines but errors\n"
	    "  --config FILE       options from FILE (KEY = VALUE lines or JSON,\n"
	    "                      strads.conf(5); -: the standard input);\n"
	    "                      those given here override the file's\n"
	    "\n"
	    "exit status: 0 when the coordinator closed the cluster, 3 when no\n"
	    "coordinator answered within --wait (or the secret differs: the\n"
	    "coordinator's log says so), 4 when the coordinator was lost and did\n"
	    "not come back within --wait, 1 on other errors, 2 on bad usage.\n");
}

/* One job's app, from the coordinator's spec. A job laid out again
 * after a change of view (or the next step of a path) names the same app
 * and options: its data is kept loaded and only the job's own keys and
 * starting values change. */
typedef struct {
	int quiet;
	char *key;        /* the loaded job's app options, as JSON */
	cJSON *spec;      /* its spec: the parsed options point into it */
	app_state_t *job; /* the app's state, loaded, or NULL */
} node_ctx_t;

static volatile sig_atomic_t leave_asked;

static void
on_term(int sig)
{
	(void)sig;
	leave_asked = 1;
}

static int
should_leave(void *arg)
{
	(void)arg;
	return leave_asked != 0;
}

static void
drop_loaded(node_ctx_t *ctx)
{
	if (ctx->job != NULL) {
		ctx->job->entry->free(ctx->job);
		ctx->job = NULL;
	}
	cJSON_free(ctx->key);
	ctx->key = NULL;
	cJSON_Delete(ctx->spec);
	ctx->spec = NULL;
}

static int
node_setup(void *arg, const char *spec, const double *init, const strads_app_t **app,
    void **shared, char *err, size_t errlen)
{
	node_ctx_t *ctx = arg;
	cJSON *s = cJSON_Parse(spec), *argv_j, *e;
	const char *name = s != NULL ? cJSON_GetStringValue(cJSON_GetObjectItem(s, "app")) : NULL;
	const app_entry_t *entry = name != NULL ? app_find(name, app_trains) : NULL;
	app_state_t *j = NULL;
	char **argv = NULL, *key = NULL;
	int argc = 0, rc = -1;

	if (entry == NULL || !cJSON_IsArray(argv_j = cJSON_GetObjectItem(s, "argv"))) {
		snprintf(err, errlen, "a job for an app this node does not have");
		goto out;
	}
	if ((key = cJSON_PrintUnformatted(argv_j)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (ctx->job == NULL || ctx->job->entry != entry || ctx->key == NULL ||
	    strcmp(ctx->key, key) != 0) {
		drop_loaded(ctx);
		argv = calloc((size_t)cJSON_GetArraySize(argv_j) + 2, sizeof(char *));
		if (argv == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		argv[argc++] = (char *)entry->name;
		cJSON_ArrayForEach(e, argv_j) {
			if (!cJSON_IsString(e)) {
				snprintf(err, errlen, "malformed job");
				goto out;
			}
			argv[argc++] = e->valuestring;
		}
		if (entry->parse("node", argc, argv, NULL, NULL, NULL, NULL, &j) != CLI_OK) {
			snprintf(err, errlen, "the job's %s options were refused (see above)",
			    entry->name);
			goto out;
		}
		if (entry->load("node", j, !ctx->quiet) != CLI_OK) {
			snprintf(err, errlen, "cannot load the %s job's data (see the node's log)",
			    entry->name);
			goto out;
		}
		ctx->job = j;
		ctx->key = key;
		/* The parsed options point into the spec: keep it. */
		ctx->spec = s;
		key = NULL;
		j = NULL;
	}
	if (entry->node_job(ctx->job, s, init, app, shared, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	if (j != NULL)
		entry->free(j);
	free(argv);
	cJSON_free(key);
	if (s != ctx->spec)
		cJSON_Delete(s);
	return rc;
}

static void
node_teardown(void *arg, void *shared)
{
	node_ctx_t *ctx = arg;

	/* Kept for the next job; the starting values go with this one. */
	(void)shared;
	if (ctx->job != NULL && ctx->job->entry->node_job_end != NULL)
		ctx->job->entry->node_job_end(ctx->job);
}

static int
parse_roles(const char *s, unsigned *out)
{
	char buf[256], *tok, *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	*out = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "worker") == 0)
			*out |= STRADS_ROLE_WORKER;
		else if (strcmp(tok, "store") == 0)
			*out |= STRADS_ROLE_STORE;
		else if (strcmp(tok, "scheduler") == 0)
			*out |= STRADS_ROLE_SCHEDULER;
		else
			return -1;
	}
	return *out != 0 ? 0 : -1;
}

/* For cli_conf_apply: a node's options do not depend on the app. */
static void
conf_usage(const char *app, FILE *f)
{
	(void)app;
	node_usage(f);
}

static int
node_main(int argc, char **argv)
{
	enum {
		N_JOIN = 256, N_ROLES, N_LISTEN, N_ADV, N_THREADS, N_PERSIST, N_WAIT,
		N_SECRET, N_HB, N_MT, N_CERT, N_KEY, N_CA, N_QUIET
	};
	static const struct option opts[] = {
	    {"join", required_argument, NULL, N_JOIN},
	    {"roles", required_argument, NULL, N_ROLES},
	    {"listen", required_argument, NULL, N_LISTEN},
	    {"advertise", required_argument, NULL, N_ADV},
	    {"threads", required_argument, NULL, N_THREADS},
	    {"persist", no_argument, NULL, N_PERSIST},
	    {"wait", required_argument, NULL, N_WAIT},
	    {"secret-file", required_argument, NULL, N_SECRET},
	    {"heartbeat", required_argument, NULL, N_HB},
	    {"member-timeout", required_argument, NULL, N_MT},
	    {"tls-cert", required_argument, NULL, N_CERT},
	    {"tls-key", required_argument, NULL, N_KEY},
	    {"tls-ca", required_argument, NULL, N_CA},
	    {"quiet", no_argument, NULL, N_QUIET},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	strads_node_opts_t no;
	strads_config_t cfg;
	strads_runtime_t *rt = NULL;
	const char *listen = "tcp://127.0.0.1:0", *secret_file = NULL;
	char advertise[512];
	uint8_t *secret = NULL;
	size_t slen = 0;
	long threads = 0;
	node_ctx_t ctx;
	unsigned char seen[N_QUIET - N_JOIN + 1];
	int c, idx = 0, bad = 0, port = 0, quiet = 0, rc, err;

	if ((rc = cli_conf_apply("node", conf_usage, 0, &argc, &argv)) != CLI_OK)
		return rc;
	memset(&ctx, 0, sizeof(ctx));
	memset(seen, 0, sizeof(seen));

	strads_node_opts_init(&no);
	strads_config_init(&cfg);
	advertise[0] = '\0';
	optind = 1;
	opterr = 0; /* getopt's messages would name argv[0], "node" */
	while ((c = getopt_long(argc, argv, ":h", opts, &idx)) != -1) {
		/* A second value would silently replace the first. */
		if (c >= N_JOIN && c <= N_QUIET && seen[c - N_JOIN]++) {
			fprintf(stderr, "strads node: --%s given twice\n", opts[idx].name);
			bad = 1;
		}
		switch (c) {
		case N_JOIN: no.join = optarg; break;
		case N_ROLES:
			if (parse_roles(optarg, &no.roles) != 0) {
				fprintf(stderr, "strads node: --roles: expected a comma-separated "
				    "list of worker, store, scheduler; got '%s'\n", optarg);
				bad = 1;
			}
			break;
		case N_LISTEN: listen = optarg; break;
		case N_ADV: snprintf(advertise, sizeof(advertise), "%s", optarg); break;
		case N_THREADS:
			bad |= cli_parse_long_in("node", "--threads", optarg, 1, STRADS_MAX_LOOPS,
			    &threads);
			break;
		case N_PERSIST: no.persist = 1; break;
		case N_WAIT:
			bad |= cli_parse_double_in("node", "--wait", optarg, 0, 1, INFINITY,
			    &no.wait_s);
			break;
		case N_SECRET: secret_file = optarg; break;
		case N_HB:
			bad |= cli_parse_double_in("node", "--heartbeat", optarg, 0, 1, INFINITY,
			    &no.heartbeat_s);
			break;
		case N_MT:
			bad |= cli_parse_double_in("node", "--member-timeout", optarg, 0, 1,
			    INFINITY, &no.timeout_s);
			break;
		case N_CERT: cfg.tls_cert_file = optarg; break;
		case N_KEY: cfg.tls_key_file = optarg; break;
		case N_CA: cfg.tls_ca_file = optarg; break;
		case N_QUIET: quiet = 1; break;
		case 'h': node_usage(stdout); return CLI_OK;
		default:
			fprintf(stderr, "strads node: %s '%s'\nTry 'strads node --help'.\n",
			    c == ':' ? "a value is needed after" : "unknown option",
			    argv[optind - 1]);
			return CLI_USAGE;
		}
	}
	if (bad) {
		cli_conf_refused("node");
		return CLI_USAGE;
	}
	if (optind < argc) {
		fprintf(stderr, "strads node: unexpected argument '%s'\n", argv[optind]);
		return CLI_USAGE;
	}
	if (no.join == NULL) {
		fprintf(stderr, "strads node: --join URL is required\n");
		return CLI_USAGE;
	}
	if (cli_url_ok("node", "--join", no.join) != 0 ||
	    cli_url_ok("node", "--listen", listen) != 0 ||
	    (advertise[0] != '\0' && cli_url_ok("node", "--advertise", advertise) != 0))
		return CLI_USAGE;
	if (no.timeout_s <= no.heartbeat_s) {
		fprintf(stderr, "strads node: --member-timeout must exceed --heartbeat\n");
		return CLI_USAGE;
	}
	if (advertise[0] == '\0' && (strstr(listen, "://0.0.0.0") != NULL ||
	    strstr(listen, "://[::]") != NULL || strstr(listen, "://*") != NULL)) {
		fprintf(stderr, "strads node: listening on all addresses: give --advertise "
		    "URL, the address the other processes should dial\n");
		return CLI_USAGE;
	}
	if (cli_conf_dumping())
		return cli_conf_dump();
	if (cli_secret("node", secret_file, &cfg, &secret, &slen) != 0)
		return CLI_FAIL;
	if (quiet)
		strads_log_set_level(STRADS_LOG_ERROR);
	cfg.node_id = strads_random_node_id();
	cfg.nloops = (int)threads;
	cfg.ncompute = (int)threads;
	err = strads_runtime_new(&rt, &cfg);
	strads_secret_free(secret, slen);
	if (err != 0 || (err = strads_runtime_start(rt)) != 0) {
		fprintf(stderr, "strads node: cannot start the runtime: %s\n",
		    strads_strerror(err));
		strads_runtime_free(rt);
		return CLI_FAIL;
	}
	rc = CLI_FAIL;
	if ((err = strads_listen(rt, listen, &port)) != 0) {
		fprintf(stderr, "strads node: cannot listen on %s: %s\n", listen,
		    strads_strerror(err));
		goto out;
	}
	if (advertise[0] == '\0')
		cli_bound_url(listen, port, advertise, sizeof(advertise));
	no.advertise = advertise;
	ctx.quiet = quiet;
	no.setup = node_setup;
	no.teardown = node_teardown;
	no.should_leave = should_leave;
	no.arg = &ctx;
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_term;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
	}
	if (!quiet)
		fprintf(stderr, "node %u: listening on %s, joining %s\n",
		    strads_runtime_node(rt), advertise, no.join);
	err = strads_node_run(rt, &no);
	if (err == 0) {
		rc = CLI_OK;
	} else if (err == STRADS_ETIMEDOUT) {
		fprintf(stderr, "strads node: no coordinator at %s answered within %gs "
		    "(is it running, and is the cluster secret the same?)\n", no.join, no.wait_s);
		rc = CLI_NOJOIN;
	} else if (err == STRADS_EPEER) {
		fprintf(stderr, "strads node: the coordinator was lost and did not come back "
		    "within %gs\n", no.wait_s);
		rc = CLI_LOST;
	} else if (err == STRADS_EBUSY) {
		/* Roles that hang cannot be stopped: the runtime cannot be
		 * stopped either. The process goes without (issue 18 row 7). */
		fprintf(stderr, "strads node: the job's roles did not stop within %gs; "
		    "exiting without stopping them\n", no.wait_s);
		fflush(NULL);
		_exit(CLI_FAIL);
	} else {
		fprintf(stderr, "strads node: %s\n", strads_strerror(err));
	}
out:
	strads_runtime_stop(rt);
	strads_runtime_wait(rt);
	strads_runtime_free(rt);
	drop_loaded(&ctx);
	return rc;
}

const strads_cmd_t strads_cmd_node = {"node",
    "join a cluster and host the roles it is given (multi-process mode)", node_main};
