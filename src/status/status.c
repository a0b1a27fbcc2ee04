/*
 * status.c -- the HTTP status endpoint (status.h): NNG's HTTP server
 * answers GET /status (JSON) and GET /metrics (the Prometheus text
 * format, version 0.0.4) from the last progress record of each running
 * chain, which a progress subscriber copies in under one mutex. The
 * server's threads only read under it, so a slow client never holds up
 * the job, and a role's loop never sees the server.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <uv.h>

#include "status.h"

#define STATUS_CHAINS 64 /* side-by-side chains shown; more are folded */
#define STATUS_NODES 256 /* nodes a record's per-node counts keep */
#define STATUS_PARTS 1024 /* partitions /status lists; more are counted */

/* One chain's job: its step and its last record (a copy: the value
 * names are the app's literals, the node arrays are ours). */
typedef struct {
	strads__status_t *s; /* borrowed: its status */
	int used;            /* a job ran or runs on it */
	int running;
	long step;
	strads_job_opts_t o; /* the limits (copied; pointers unused) */
	int have;            /* rec holds a record */
	strads_progress_t rec;
	uint32_t node[STATUS_NODES];
	uint64_t upd[STATUS_NODES];
	uint64_t seq; /* when rec came, for "the latest" */
} chain_t;

struct strads__status_s {
	uv_mutex_t lock;
	const char *cmd, *app; /* borrowed */
	long steps, steps_done;
	uint64_t seq;
	strads__status_view_cb view;
	void *view_arg;
	chain_t chain[STATUS_CHAINS];
	nng_http_server *srv;
	nng_http_handler *h_status, *h_metrics;
	nng_url *url;
};

void *
strads__status_chain(strads__status_t *s, int chain)
{
	if (s == NULL)
		return NULL;
	return &s->chain[chain >= 0 && chain < STATUS_CHAINS ? chain : STATUS_CHAINS - 1];
}

void
strads__status_set_view(strads__status_t *s, strads__status_view_cb cb, void *arg)
{
	if (s == NULL)
		return;
	uv_mutex_lock(&s->lock);
	s->view = cb;
	s->view_arg = arg;
	uv_mutex_unlock(&s->lock);
}

void
strads__status_job(strads__status_t *s, int chain, long step, long steps,
    const strads_job_opts_t *o)
{
	chain_t *c = strads__status_chain(s, chain);

	if (c == NULL)
		return;
	uv_mutex_lock(&s->lock);
	c->used = 1;
	c->running = 1;
	c->step = step;
	c->o = *o;
	c->have = 0;
	s->steps = steps;
	uv_mutex_unlock(&s->lock);
}

void
strads__status_step_done(strads__status_t *s, int chain)
{
	chain_t *c = strads__status_chain(s, chain);

	if (c == NULL)
		return;
	uv_mutex_lock(&s->lock);
	c->running = 0;
	s->steps_done++;
	uv_mutex_unlock(&s->lock);
}

void
strads__status_progress(void *arg, const strads_progress_t *rec)
{
	chain_t *c = arg;
	strads__status_t *s = c->s;
	int n = rec->nnodes < STATUS_NODES ? rec->nnodes : STATUS_NODES;

	uv_mutex_lock(&s->lock);
	c->rec = *rec;
	if (n > 0 && rec->node != NULL && rec->node_updates != NULL) {
		memcpy(c->node, rec->node, (size_t)n * sizeof(*c->node));
		memcpy(c->upd, rec->node_updates, (size_t)n * sizeof(*c->upd));
	} else {
		n = 0;
	}
	c->rec.nnodes = n;
	c->rec.node = c->node;
	c->rec.node_updates = c->upd;
	c->have = 1;
	c->seq = ++s->seq;
	uv_mutex_unlock(&s->lock);
}

/* The chain with the latest record (under the lock), or NULL. */
static chain_t *
latest(strads__status_t *s)
{
	chain_t *best = NULL;
	int i;

	for (i = 0; i < STATUS_CHAINS; i++)
		if (s->chain[i].have && (best == NULL || s->chain[i].seq > best->seq))
			best = &s->chain[i];
	return best;
}

/* cJSON writes a number that is not finite as null, as JSON needs. */
static void
add_record(cJSON *o, const chain_t *c)
{
	const strads_progress_t *p = &c->rec;
	cJSON *v;
	double left;
	int i, planned;

	cJSON_AddNumberToObject(o, "job", (double)c->step);
	cJSON_AddNumberToObject(o, "iteration", (double)p->iter);
	cJSON_AddNumberToObject(o, "time_s", p->time_s);
	cJSON_AddNumberToObject(o, "objective", p->objective);
	cJSON_AddNumberToObject(o, "criterion", p->criterion);
	if ((v = cJSON_AddObjectToObject(o, "values")) != NULL)
		for (i = 0; i < p->nvalues && i < STRADS_PROGRESS_VALUES; i++)
			cJSON_AddNumberToObject(v, p->values[i].name, p->values[i].value);
	cJSON_AddNumberToObject(o, "updates", (double)p->updates);
	cJSON_AddNumberToObject(o, "bytes", (double)p->bytes);
	left = strads_progress_left(&c->o, p, &planned);
	if (left >= 0) {
		cJSON_AddNumberToObject(o, "eta_s", left);
		cJSON_AddBoolToObject(o, "eta_planned", planned);
	} else {
		cJSON_AddNullToObject(o, "eta_s");
	}
}

/* The roles of a member, as an array of their names. */
static void
add_roles(cJSON *e, unsigned roles)
{
	cJSON *a = cJSON_AddArrayToObject(e, "roles");

	if (a == NULL)
		return;
	if (roles & STRADS_ROLE_WORKER)
		cJSON_AddItemToArray(a, cJSON_CreateString("worker"));
	if (roles & STRADS_ROLE_STORE)
		cJSON_AddItemToArray(a, cJSON_CreateString("store"));
	if (roles & STRADS_ROLE_SCHEDULER)
		cJSON_AddItemToArray(a, cJSON_CreateString("scheduler"));
}

/* The updates node pushed in the latest record, or 0. */
static uint64_t
node_updates(const chain_t *c, uint32_t node)
{
	int i;

	for (i = 0; c != NULL && i < c->rec.nnodes; i++)
		if (c->node[i] == node)
			return c->upd[i];
	return 0;
}

/* What /status and /metrics show of the cluster: its view (the epoch,
 * the members and the partitions of the running job), or in one process
 * the nodes of the latest record. */
typedef struct {
	int cluster; /* a view callback answered */
	uint32_t epoch;
	int nm;      /* members kept in m */
	strads_member_info_t m[STATUS_NODES];
	int np;      /* partitions kept in parts */
	strads_partition_t parts[STATUS_PARTS];
	int np_all;  /* partitions of the job (np is at most STATUS_PARTS) */
} view_t;

/* Fills v (under the lock). */
static void
view_now(strads__status_t *s, const chain_t *c, view_t *v)
{
	int i;

	memset(v, 0, offsetof(view_t, m));
	if (s->view != NULL) {
		v->cluster = 1;
		v->nm = s->view(s->view_arg, &v->epoch, v->m, STATUS_NODES, v->parts,
		    STATUS_PARTS, &v->np_all);
		v->nm = v->nm < STATUS_NODES ? v->nm : STATUS_NODES;
		v->np = v->np_all < STATUS_PARTS ? v->np_all : STATUS_PARTS;
		return;
	}
	for (i = 0; c != NULL && i < c->rec.nnodes && v->nm < STATUS_NODES; i++) {
		memset(&v->m[v->nm], 0, sizeof(v->m[0]));
		v->m[v->nm++].node = c->node[i];
	}
}

char *
strads__status_json(strads__status_t *s)
{
	cJSON *o = cJSON_CreateObject(), *m, *jobs;
	view_t *v = malloc(sizeof(*v));
	chain_t *c;
	char *text = NULL;
	int i, running = 0;

	if (o == NULL || v == NULL) {
		cJSON_Delete(o);
		free(v);
		return NULL;
	}
	uv_mutex_lock(&s->lock);
	c = latest(s);
	for (i = 0; i < STATUS_CHAINS; i++)
		running += s->chain[i].running;
	cJSON_AddStringToObject(o, "command", s->cmd);
	cJSON_AddStringToObject(o, "app", s->app);
	cJSON_AddStringToObject(o, "state", running > 0 ? "running"
	    : s->steps > 0 && s->steps_done >= s->steps ? "done" : "starting");
	cJSON_AddNumberToObject(o, "jobs", (double)s->steps);
	cJSON_AddNumberToObject(o, "jobs_done", (double)s->steps_done);
	if (c != NULL)
		add_record(o, c);
	view_now(s, c, v);
	if (v->cluster)
		cJSON_AddNumberToObject(o, "epoch", v->epoch);
	else
		cJSON_AddNullToObject(o, "epoch");
	if ((m = cJSON_AddArrayToObject(o, "members")) != NULL)
		for (i = 0; i < v->nm; i++) {
			cJSON *e = cJSON_CreateObject();

			if (e == NULL)
				break;
			/* Node ids in decimal, as in the logs and the metrics file. */
			cJSON_AddNumberToObject(e, "node", v->m[i].node);
			cJSON_AddNumberToObject(e, "updates", (double)node_updates(c, v->m[i].node));
			if (v->cluster) {
				cJSON_AddNumberToObject(e, "bytes", (double)v->m[i].bytes);
				cJSON_AddNumberToObject(e, "workers", v->m[i].workers);
				add_roles(e, v->m[i].roles);
			}
			cJSON_AddItemToArray(m, e);
		}
	if (v->cluster && (m = cJSON_AddArrayToObject(o, "partitions")) != NULL)
		for (i = 0; i < v->np; i++) {
			const strads_partition_t *t = &v->parts[i];
			cJSON *e = cJSON_CreateObject();

			if (e == NULL)
				break;
			cJSON_AddStringToObject(e, "kind", t->store ? "params" : "rows");
			cJSON_AddNumberToObject(e, "index", t->index);
			cJSON_AddNumberToObject(e, "begin", (double)t->begin);
			cJSON_AddNumberToObject(e, "end", (double)t->end);
			cJSON_AddNumberToObject(e, "node", t->node);
			cJSON_AddItemToArray(m, e);
		}
	if (v->cluster && v->np_all > v->np)
		cJSON_AddNumberToObject(o, "partitions_left_out", v->np_all - v->np);
	/* Every running chain (a path solved by several side by side). */
	if ((jobs = cJSON_AddArrayToObject(o, "running")) != NULL)
		for (i = 0; i < STATUS_CHAINS; i++)
			if (s->chain[i].running && s->chain[i].have) {
				cJSON *e = cJSON_CreateObject();

				if (e == NULL)
					break;
				cJSON_AddNumberToObject(e, "chain", i);
				add_record(e, &s->chain[i]);
				cJSON_AddItemToArray(jobs, e);
			}
	uv_mutex_unlock(&s->lock);
	free(v);
	text = cJSON_Print(o);
	cJSON_Delete(o);
	return text;
}

/* A text buffer that grows (open_memstream), with the exposition's
 * number format: Prometheus writes NaN, +Inf and -Inf. */
static void
put_value(FILE *f, double v)
{
	if (isnan(v))
		fputs("NaN", f);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", f);
	else
		fprintf(f, "%.17g", v);
}

static void
metric(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
sample(FILE *f, const char *name, const char *labels, double v)
{
	fprintf(f, "%s%s ", name, labels);
	put_value(f, v);
	fputc('\n', f);
}

char *
strads__status_prometheus(strads__status_t *s)
{
	char *text = NULL, lab[256];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	view_t *v = malloc(sizeof(*v));
	chain_t *c;
	int i;

	if (f == NULL || v == NULL) {
		if (f != NULL)
			fclose(f);
		free(text);
		free(v);
		return NULL;
	}
	uv_mutex_lock(&s->lock);
	c = latest(s);
	metric(f, "strads_info", "gauge", "The process: its command and app (always 1).");
	snprintf(lab, sizeof(lab), "{command=\"%s\",app=\"%s\"}", s->cmd, s->app);
	sample(f, "strads_info", lab, 1);
	metric(f, "strads_jobs", "gauge", "Jobs the run makes (a path's penalties).");
	sample(f, "strads_jobs", "", (double)s->steps);
	metric(f, "strads_jobs_done_total", "counter", "Jobs ended so far.");
	sample(f, "strads_jobs_done_total", "", (double)s->steps_done);
	if (c != NULL) {
		const strads_progress_t *p = &c->rec;
		double left;
		int planned;

		metric(f, "strads_job", "gauge", "The job of the latest check (1-based).");
		sample(f, "strads_job", "", (double)c->step);
		metric(f, "strads_iteration", "gauge",
		    "Rounds done by the job (a rotation: sweeps).");
		sample(f, "strads_iteration", "", (double)p->iter);
		metric(f, "strads_elapsed_seconds", "gauge",
		    "Seconds since the job's solve began.");
		sample(f, "strads_elapsed_seconds", "", p->time_s);
		metric(f, "strads_objective", "gauge", "The objective at the latest check.");
		sample(f, "strads_objective", "", p->objective);
		metric(f, "strads_criterion", "gauge",
		    "The convergence measure at the latest check.");
		sample(f, "strads_criterion", "", p->criterion);
		metric(f, "strads_updates_total", "counter",
		    "Parameter updates pulled by the job.");
		sample(f, "strads_updates_total", "", (double)p->updates);
		metric(f, "strads_transferred_bytes_total", "counter",
		    "Bytes the job moved between processes.");
		sample(f, "strads_transferred_bytes_total", "", (double)p->bytes);
		if (p->nvalues > 0) {
			metric(f, "strads_app_value", "gauge",
			    "The app's named values at the latest check.");
			for (i = 0; i < p->nvalues && i < STRADS_PROGRESS_VALUES; i++) {
				snprintf(lab, sizeof(lab), "{name=\"%s\"}", p->values[i].name);
				sample(f, "strads_app_value", lab, p->values[i].value);
			}
		}
		if ((left = strads_progress_left(&c->o, p, &planned)) >= 0) {
			metric(f, "strads_eta_seconds", "gauge",
			    "Seconds left to the job's planned end or its limit.");
			sample(f, "strads_eta_seconds", "", left);
		}
	}
	view_now(s, c, v);
	metric(f, "strads_members", "gauge", "Nodes in the cluster (0 in one process).");
	sample(f, "strads_members", "", v->cluster ? v->nm : 0);
	if (v->cluster) {
		metric(f, "strads_epoch", "gauge", "The cluster's view number.");
		sample(f, "strads_epoch", "", v->epoch);
		metric(f, "strads_partitions", "gauge",
		    "Partitions of the running job (row shards and parameter ranges).");
		sample(f, "strads_partitions", "", v->np_all);
	}
	if (v->nm > 0) {
		metric(f, "strads_node_updates_total", "counter",
		    "Updates a node's workers pushed in the job.");
		for (i = 0; i < v->nm; i++) {
			snprintf(lab, sizeof(lab), "{node=\"%u\"}", v->m[i].node);
			sample(f, "strads_node_updates_total", lab,
			    (double)node_updates(c, v->m[i].node));
		}
	}
	if (v->cluster && v->nm > 0) {
		metric(f, "strads_node_transferred_bytes_total", "counter",
		    "Bytes a node's runtime sent and received, as of its last heartbeat.");
		for (i = 0; i < v->nm; i++) {
			snprintf(lab, sizeof(lab), "{node=\"%u\"}", v->m[i].node);
			sample(f, "strads_node_transferred_bytes_total", lab, (double)v->m[i].bytes);
		}
	}
	uv_mutex_unlock(&s->lock);
	free(v);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* Serves one GET: the body of the handler's kind. */
static void
serve(nng_aio *aio, int prom)
{
	nng_http_handler *h = nng_aio_get_input(aio, 1);
	strads__status_t *s = nng_http_handler_get_data(h);
	nng_http_res *res = NULL;
	char *body = prom ? strads__status_prometheus(s) : strads__status_json(s);
	int rv;

	if (body == NULL) {
		nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	if ((rv = nng_http_res_alloc(&res)) != 0 ||
	    (rv = nng_http_res_set_header(res, "Content-Type", prom
	        ? "text/plain; version=0.0.4; charset=utf-8"
	        : "application/json")) != 0 ||
	    (rv = nng_http_res_copy_data(res, body, strlen(body))) != 0) {
		free(body);
		if (res != NULL)
			nng_http_res_free(res);
		nng_aio_finish(aio, rv);
		return;
	}
	free(body);
	nng_aio_set_output(aio, 0, res);
	nng_aio_finish(aio, 0);
}

static void
serve_status(nng_aio *aio)
{
	serve(aio, 0);
}

static void
serve_metrics(nng_aio *aio)
{
	serve(aio, 1);
}

int
strads__status_url(const char *addr, char *url, size_t len)
{
	const char *colon = strrchr(addr, ':');
	const char *port = colon != NULL ? colon + 1 : addr;
	char *end;
	long pn;

	errno = 0;
	pn = strtol(port, &end, 10);
	if (*port < '0' || *port > '9' || *end != '\0' || errno != 0 || pn > 65535 ||
	    (colon != NULL && colon == addr) || strlen(addr) > 200)
		return -1;
	if (colon == NULL)
		snprintf(url, len, "http://127.0.0.1:%ld", pn);
	else
		snprintf(url, len, "http://%s", addr);
	return 0;
}

int
strads__status_start(strads__status_t **sp, const char *addr, const char *cmd,
    const char *app, char *url, size_t urllen, char *err, size_t errlen)
{
	strads__status_t *s;
	char u[300];
	nng_sockaddr sa;
	int rv, i;

	*sp = NULL;
	if (strads__status_url(addr, u, sizeof(u)) != 0) {
		snprintf(err, errlen, "--status: expected PORT or HOST:PORT (a port from 0 "
		    "to 65535), got '%s'", addr);
		return -1;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL || uv_mutex_init(&s->lock) != 0) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->cmd = cmd;
	s->app = app;
	for (i = 0; i < STATUS_CHAINS; i++)
		s->chain[i].s = s;
	if ((rv = nng_url_parse(&s->url, u)) != 0 ||
	    (rv = nng_http_server_hold(&s->srv, s->url)) != 0 ||
	    (rv = nng_http_handler_alloc(&s->h_status, "/status", serve_status)) != 0 ||
	    (rv = nng_http_handler_set_data(s->h_status, s, NULL)) != 0 ||
	    (rv = nng_http_server_add_handler(s->srv, s->h_status)) != 0 ||
	    (s->h_status = NULL,
	     rv = nng_http_handler_alloc(&s->h_metrics, "/metrics", serve_metrics)) != 0 ||
	    (rv = nng_http_handler_set_data(s->h_metrics, s, NULL)) != 0 ||
	    (rv = nng_http_server_add_handler(s->srv, s->h_metrics)) != 0 ||
	    (s->h_metrics = NULL, rv = nng_http_server_start(s->srv)) != 0) {
		snprintf(err, errlen, "--status %s: cannot serve HTTP there: %s", addr,
		    nng_strerror(rv));
		/* A handler the server took is freed with it. */
		if (s->h_status != NULL)
			nng_http_handler_free(s->h_status);
		if (s->h_metrics != NULL)
			nng_http_handler_free(s->h_metrics);
		if (s->srv != NULL)
			nng_http_server_release(s->srv);
		if (s->url != NULL)
			nng_url_free(s->url);
		uv_mutex_destroy(&s->lock);
		free(s);
		return -1;
	}
	if (nng_http_server_get_addr(s->srv, &sa) == 0 && sa.s_family == NNG_AF_INET) {
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &sa.s_in.sa_addr, ip, sizeof(ip));
		snprintf(url, urllen, "http://%s:%u", ip, ntohs(sa.s_in.sa_port));
	} else if (nng_http_server_get_addr(s->srv, &sa) == 0 &&
	    sa.s_family == NNG_AF_INET6) {
		char ip[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, sa.s_in6.sa_addr, ip, sizeof(ip));
		snprintf(url, urllen, "http://[%s]:%u", ip, ntohs(sa.s_in6.sa_port));
	} else {
		snprintf(url, urllen, "%s", u);
	}
	*sp = s;
	return 0;
}

void
strads__status_stop(strads__status_t *s)
{
	if (s == NULL)
		return;
	nng_http_server_stop(s->srv);
	nng_http_server_release(s->srv);
	nng_url_free(s->url);
	uv_mutex_destroy(&s->lock);
	free(s);
}
