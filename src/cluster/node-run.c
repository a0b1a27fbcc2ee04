/*
 * node-run.c -- a node of a cluster (strads_node_run), on the main
 * thread: it spawns the node's agent actor (actors/node.c), which joins
 * the coordinator and hands job messages over as events; the main
 * thread loads the data (the app's setup callback), spawns the roles the
 * job places here and tears them down when the job ends or is aborted.
 */
#include "cluster.h"
#include "hmac.h"
#include "table.h"

#include <stdio.h>
#include <stdlib.h>

typedef strads__node_t node_t;
typedef strads__node_event_t event_t;

/* ------------------------------------------------------------------ */
/* The main thread.                                                     */

void
strads_node_opts_init(strads_node_opts_t *o)
{
	memset(o, 0, sizeof(*o));
	o->wait_s = 30;
	o->heartbeat_s = 0.25;
	o->timeout_s = 3;
}

uint32_t
strads_random_node_id(void)
{
	uint32_t v = 0;

	while (v <= STRADS__COORD_NODE) {
		if (strads__random_bytes(&v, sizeof(v)) != 0)
			v = (uint32_t)strads_now_ns();
		v &= 0x7fffffffu;
	}
	return v;
}

int
strads_secret_load(const char *file, const char *envvar, uint8_t **out, size_t *len,
    char *err, size_t errlen)
{
	return strads__secret_load(file, envvar, out, len, err, errlen);
}

void
strads_secret_free(uint8_t *s, size_t len)
{
	strads__secret_free(s, len);
}

/* Sends obj (taken) to the coordinator through the agent. */
static void
to_coord(node_t *n, cJSON *obj)
{
	cJSON *w = cJSON_CreateObject();

	if (w == NULL || obj == NULL) {
		cJSON_Delete(w);
		cJSON_Delete(obj);
		return;
	}
	cJSON_AddStringToObject(w, "op", "local-send");
	cJSON_AddItemToObject(w, "msg", obj);
	(void)strads__ctl_post(n->rt, n->agent, w);
}

/* Asks the agent to do op ("local-leave", "local-leaving"). */
static void
post_local(node_t *n, const char *op)
{
	cJSON *w = cJSON_CreateObject();

	if (w == NULL)
		return;
	cJSON_AddStringToObject(w, "op", op);
	(void)strads__ctl_post(n->rt, n->agent, w);
}

static cJSON *
reply(const cJSON *job, const char *op)
{
	cJSON *o = cJSON_CreateObject();

	if (o != NULL) {
		cJSON_AddStringToObject(o, "op", op);
		cJSON_AddStringToObject(o, "id", strads__json_str(job, "id"));
	}
	return o;
}

/* The job placed on this node. */
typedef struct {
	strads__job_t *job;
	strads_job_result_t res;
	void *shared;
	char id[32];
	int on;
	int spawned;
	double *init; /* starting values (owned), or NULL */
	strads_table_t *ssp; /* the job's ssp table, attached (owned) */
} local_job_t;

/* Starting values received for a job not yet started. */
typedef struct {
	uint64_t id;
	double *init;
	uint32_t n;
} pending_init_t;

static int
read_nodes(const cJSON *o, const char *key, uint32_t *out, int n)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, key), *e;
	int i = 0;

	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != n)
		return -1;
	cJSON_ArrayForEach(e, arr) {
		if (!cJSON_IsNumber(e))
			return -1;
		out[i++] = (uint32_t)e->valuedouble;
	}
	return 0;
}

/* The layout's spans (src/cluster/layout.c) from key: n of them covering
 * [0, total) once, in order, each non-empty; into begin/end. */
static int
read_spans(const cJSON *o, const char *key, int n, uint64_t total,
    uint64_t *begin, uint64_t *end)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, key), *e;
	uint64_t at = 0;
	int i = 0;

	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != 2 * n)
		return -1;
	cJSON_ArrayForEach(e, arr) {
		double v = cJSON_IsNumber(e) ? e->valuedouble : -1;

		if (!(v >= 0 && v <= (double)total) || v != (double)(uint64_t)v)
			return -1;
		if (i % 2 == 0) {
			if ((uint64_t)v != at)
				return -1;
			begin[i / 2] = (uint64_t)v;
		} else {
			if ((uint64_t)v <= at)
				return -1;
			at = end[i / 2] = (uint64_t)v;
		}
		i++;
	}
	return at == total ? 0 : -1;
}

/* The job's row shards and parameter partitions, as the coordinator
 * laid them out. */
static int
read_layout(const cJSON *o, strads__job_t *job)
{
	int n = job->nworkers > job->nstores ? job->nworkers : job->nstores, k, rc;
	uint64_t *b = malloc((size_t)n * sizeof(*b)), *e = malloc((size_t)n * sizeof(*e));

	rc = b != NULL && e != NULL ? 0 : -1;
	if (rc == 0 && (rc = read_spans(o, "rows", job->nworkers, job->o.nrows, b, e)) == 0)
		for (k = 0; k < job->nworkers; k++) {
			job->shards[k].row_begin = b[k];
			job->shards[k].row_end = e[k];
		}
	if (rc == 0 && (rc = read_spans(o, "params", job->nstores, job->p, b, e)) == 0)
		for (k = 0; k < job->nstores; k++) {
			job->store_range[k].begin = (uint32_t)b[k];
			job->store_range[k].end = (uint32_t)e[k];
		}
	free(b);
	free(e);
	return rc;
}

static int
read_actors(const cJSON *o, const char *key, strads_addr_t *out, const uint32_t *nodes,
    int n)
{
	uint32_t *ids = malloc(((size_t)n + 1) * sizeof(*ids));
	int i, rc = ids != NULL ? read_nodes(o, key, ids, n) : -1;

	for (i = 0; rc == 0 && i < n; i++) {
		out[i].node = nodes[i];
		out[i].actor = ids[i];
	}
	free(ids);
	return rc;
}

static void
role_list(cJSON *o, const char *key, const strads_addr_t *a, const uint32_t *nodes,
    int n, uint32_t me)
{
	cJSON *arr = cJSON_AddArrayToObject(o, key);
	int i;

	for (i = 0; arr != NULL && i < n; i++) {
		cJSON *e;

		if (nodes[i] != me || (e = cJSON_CreateObject()) == NULL)
			continue;
		cJSON_AddNumberToObject(e, "i", i);
		cJSON_AddNumberToObject(e, "a", a[i].actor);
		cJSON_AddItemToArray(arr, e);
	}
}

/* Attaches to the job's ssp table, whose shards the coordinator made
 * for this layout (the job message's "ssp": its staleness and shard
 * addresses); the rest of its options follow from the job. */
static int
ssp_attach(node_t *n, local_job_t *lj, const cJSON *o, char *err, size_t errlen)
{
	strads__job_t *job = lj->job;
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, "ssp");
	const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(j, "nodes");
	const cJSON *actors = cJSON_GetObjectItemCaseSensitive(j, "actors");
	strads_table_opts_t to;
	strads_addr_t *sh;
	double s = strads__json_num(j, "staleness");
	int k, ns = cJSON_GetArraySize(nodes), rc;

	if (!cJSON_IsObject(j) || !cJSON_IsArray(nodes) || !cJSON_IsArray(actors) ||
	    ns < 1 || ns > 65535 || cJSON_GetArraySize(actors) != ns ||
	    !(s >= 0 && s <= UINT32_MAX))
		return strads__errf(err, errlen, STRADS_EPROTO, "no ssp table in the job");
	if ((sh = calloc((size_t)ns, sizeof(*sh))) == NULL)
		return STRADS_ENOMEM;
	rc = 0;
	for (k = 0; k < ns && rc == 0; k++) {
		const cJSON *a = cJSON_GetArrayItem(nodes, k), *b = cJSON_GetArrayItem(actors, k);

		if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b) || !(a->valuedouble >= 1 &&
		    a->valuedouble <= UINT32_MAX) || !(b->valuedouble >= 0 &&
		    b->valuedouble <= UINT32_MAX)) {
			rc = STRADS_EPROTO;
		} else {
			sh[k].node = (uint32_t)a->valuedouble;
			sh[k].actor = (uint32_t)b->valuedouble;
		}
	}
	strads_table_opts_init(&to);
	/* Its shards refuse clients attached under another name. */
	to.name = job->app->tables[job->tab_ssp].name != NULL ?
	    job->app->tables[job->tab_ssp].name : "ssp";
	to.nrows = job->tab_rows[job->tab_ssp];
	to.width = job->tab_width[job->tab_ssp];
	to.staleness = (uint32_t)s;
	to.nclients = (uint32_t)job->nworkers;
	if (rc != 0)
		rc = strads__errf(err, errlen, rc, "malformed ssp shard addresses");
	else if ((rc = strads_table_attach(n->rt, &to, sh, ns, &lj->ssp, err, errlen)) == 0 &&
	    (rc = strads__job_set_ssp(job, lj->ssp)) != 0)
		rc = strads__errf(err, errlen, rc, "the ssp table does not fit the job");
	free(sh);
	return rc;
}

static void
job_error(node_t *n, const cJSON *o, const char *why)
{
	cJSON *r = reply(o, "error");

	strads_log(STRADS_LOG_ERROR, "node %u: job: %s", strads_runtime_node(n->rt), why);
	if (r != NULL)
		cJSON_AddStringToObject(r, "why", why);
	to_coord(n, r);
}

static void abort_job(node_t *n, local_job_t *lj);

static void
start_job(node_t *n, local_job_t *lj, const cJSON *o, pending_init_t *pi)
{
	strads_job_opts_t jo;
	const strads_app_t *app = NULL;
	char err[512];
	const char *spec = strads__json_str(o, "spec");
	cJSON *r;
	int rc;

	/* A job laid out again: the roles of the old one are stopping. */
	if (lj->on)
		abort_job(n, lj);
	if (n->stuck)
		return;
	if (strads__opts_from_json(cJSON_GetObjectItemCaseSensitive(o, "opts"), &jo) != 0) {
		job_error(n, o, "malformed job options");
		return;
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "init"))) {
		/* Sent just before the job, in order. */
		char want[32];

		snprintf(want, sizeof(want), "%llu", (unsigned long long)pi->id);
		if (pi->init == NULL || pi->n < jo.nparams ||
		    strcmp(want, strads__json_str(o, "id")) != 0) {
			job_error(n, o, "the job's starting values did not arrive");
			return;
		}
		lj->init = pi->init;
		pi->init = NULL;
		jo.init = lj->init;
	}
	err[0] = '\0';
	lj->shared = NULL;
	if (n->o.setup == NULL ||
	    n->o.setup(n->o.arg, spec, lj->init, &app, &lj->shared, err, sizeof(err)) != 0 ||
	    app == NULL) {
		job_error(n, o, err[0] ? err : "the app could not be set up");
		free(lj->init);
		lj->init = NULL;
		return;
	}
	rc = strads__job_new(app, lj->shared, &jo, &lj->res, &lj->job);
	/* Starting values followed by tables: a job laid out again from a
	 * snapshot of its worker, rotate and ssp tables (borrowed from lj->init
	 * for the job's life). */
	if (rc == 0 && lj->init != NULL && pi->n > jo.nparams)
		rc = strads__job_tables_start(lj->job, (const uint8_t *)(lj->init + jo.nparams),
		    (size_t)(pi->n - jo.nparams) * 8);
	if (rc == 0 && (lj->job->nworkers != jo.nworkers || lj->job->nstores != jo.nstores ||
	    lj->job->nscheds != jo.nschedulers ||
	    read_nodes(o, "workers", lj->job->worker_node, lj->job->nworkers) != 0 ||
	    read_nodes(o, "stores", lj->job->store_node, lj->job->nstores) != 0 ||
	    read_nodes(o, "scheds", lj->job->sched_node, lj->job->nscheds) != 0 ||
	    read_layout(o, lj->job) != 0))
		rc = STRADS_EPROTO;
	err[0] = '\0';
	if (rc == 0 && lj->job->tab_ssp >= 0)
		rc = ssp_attach(n, lj, o, err, sizeof(err));
	if (rc != 0) {
		char why[256];

		snprintf(why, sizeof(why), "%.255s", err);
		snprintf(err, sizeof(err), "laying out the job: %s%s%s", strads_strerror(rc),
		    why[0] ? ": " : "", why);
		strads__job_free(lj->job);
		lj->job = NULL;
		strads_table_free(lj->ssp);
		lj->ssp = NULL;
		if (n->o.teardown != NULL)
			n->o.teardown(n->o.arg, lj->shared);
		free(lj->init);
		lj->init = NULL;
		job_error(n, o, err);
		return;
	}
	snprintf(lj->id, sizeof(lj->id), "%s", strads__json_str(o, "id"));
	lj->on = 1;
	rc = strads__job_spawn(n->rt, lj->job, 0);
	lj->spawned = 1;
	if (rc != 0) {
		snprintf(err, sizeof(err), "spawning roles: %s", strads_strerror(rc));
		job_error(n, o, err);
		return;
	}
	r = reply(o, "roles");
	if (r != NULL) {
		uint32_t me = strads_runtime_node(n->rt);

		role_list(r, "workers", lj->job->workers, lj->job->worker_node,
		    lj->job->nworkers, me);
		role_list(r, "stores", lj->job->stores, lj->job->store_node, lj->job->nstores, me);
		role_list(r, "scheds", lj->job->scheds, lj->job->sched_node, lj->job->nscheds, me);
	}
	to_coord(n, r);
}

static void
install_table(node_t *n, local_job_t *lj, const cJSON *o)
{
	strads__job_t *job = lj->job;

	if (!lj->on || strcmp(strads__json_str(o, "id"), lj->id) != 0)
		return;
	job->coord.node = STRADS__COORD_NODE;
	job->coord.actor = (uint32_t)strads__json_num(o, "coord");
	if (read_actors(o, "workers", job->workers, job->worker_node, job->nworkers) != 0 ||
	    read_actors(o, "stores", job->stores, job->store_node, job->nstores) != 0 ||
	    read_actors(o, "scheds", job->scheds, job->sched_node, job->nscheds) != 0) {
		job_error(n, o, "malformed address table");
		return;
	}
	/* The roles read the table when the coordinator's messages reach
	 * them, after the ready below: publish it first. */
	atomic_thread_fence(memory_order_seq_cst);
	to_coord(n, reply(o, "ready"));
}

/*
 * The next stage of a job of stages (strads_job_opts_t.next): the roles
 * here wait while the app's setup changes the shared state they read
 * (strads_node_opts_t.setup, called again with the stage's spec), then
 * the coordinator hears that this node is ready for it. A setup that
 * fails, or gives another app or state, fails the job.
 */
static void
next_stage(node_t *n, local_job_t *lj, const cJSON *o)
{
	const strads_app_t *app = NULL;
	void *shared = NULL;
	char err[512];

	if (!lj->on || strcmp(strads__json_str(o, "id"), lj->id) != 0)
		return;
	err[0] = '\0';
	if (n->o.setup == NULL ||
	    n->o.setup(n->o.arg, strads__json_str(o, "spec"), NULL, &app, &shared, err,
	        sizeof(err)) != 0 ||
	    app != lj->job->app || shared != lj->shared) {
		job_error(n, o, err[0] ? err : "the next stage could not be set up");
		return;
	}
	/* The roles read the new state when the coordinator's messages of
	 * the stage reach them, after the staged below: publish it first. */
	atomic_thread_fence(memory_order_seq_cst);
	to_coord(n, reply(o, "staged"));
}

/* Once the roles here have stopped: free the job, tell the coordinator. */
static void
end_job(node_t *n, local_job_t *lj, int tell)
{
	cJSON *r;

	if (!lj->on)
		return;
	if (tell && (r = cJSON_CreateObject()) != NULL) {
		cJSON_AddStringToObject(r, "op", "end");
		cJSON_AddStringToObject(r, "id", lj->id);
		to_coord(n, r);
	}
	free(lj->res.params);
	strads__job_free(lj->job);
	/* Its clients closed with the workers. */
	strads_table_free(lj->ssp);
	if (n->o.teardown != NULL)
		n->o.teardown(n->o.arg, lj->shared);
	free(lj->init);
	memset(lj, 0, sizeof(*lj));
}

/* Stops the roles here and waits for them at most wait_s: a role that
 * never stops (a bug, or a callback that hangs) must not hold the node
 * forever (issue 18 row 7). Past the bound the job is left as it is (its
 * roles may still use it), n->stuck is set and the node gives up. Test
 * hook: STRADS_TEST_STALL_ABORT=1 asks no role to stop, as if one hung. */
static void
abort_job(node_t *n, local_job_t *lj)
{
	uint64_t deadline;

	if (!lj->on || n->stuck)
		return;
	if (lj->spawned) {
		const char *t = getenv("STRADS_TEST_STALL_ABORT");

		if (t == NULL || strcmp(t, "1") != 0)
			strads__job_stop_local(n->rt, lj->job);
		deadline = strads_now_ns() + (uint64_t)(n->o.wait_s * 1e9);
		while (uv_sem_trywait(&lj->job->done) != 0) {
			if (strads_now_ns() > deadline) {
				strads_log(STRADS_LOG_ERROR, "node %u: the job's roles did not "
				    "stop within %gs: giving up", strads_runtime_node(n->rt),
				    n->o.wait_s);
				n->stuck = 1;
				return;
			}
			uv_sleep(10);
		}
	}
	end_job(n, lj, 0);
}

int
strads_node_run(strads_runtime_t *rt, const strads_node_opts_t *o)
{
	node_t *n;
	local_job_t lj;
	pending_init_t pi;
	uint64_t leave_at = 0;
	int rc = 0, done = 0, err;

	if (rt == NULL || o == NULL || o->join == NULL || o->advertise == NULL ||
	    strads_runtime_node(rt) <= STRADS__COORD_NODE || !strads__transport_authed(rt->tp))
		return STRADS_EINVAL;
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return STRADS_ENOMEM;
	n->rt = rt;
	n->o = *o;
	if (n->o.roles == 0)
		n->o.roles = STRADS_ROLE_WORKER | STRADS_ROLE_STORE | STRADS_ROLE_SCHEDULER;
	if (n->o.workers <= 0)
		n->o.workers = strads_runtime_nloops(rt);
	if (!(n->o.roles & STRADS_ROLE_WORKER))
		n->o.workers = 0;
	if (!(n->o.heartbeat_s > 0) || !(n->o.timeout_s > n->o.heartbeat_s) ||
	    !(n->o.wait_s > 0)) {
		free(n);
		return STRADS_EINVAL;
	}
	n->ctl.node = STRADS__COORD_NODE;
	n->ctl.actor = STRADS__CTL_ACTOR;
	if (uv_mutex_init(&n->lock) != 0) {
		free(n);
		return STRADS_ENOMEM;
	}
	if (uv_cond_init(&n->cond) != 0) {
		uv_mutex_destroy(&n->lock);
		free(n);
		return STRADS_ENOMEM;
	}
	err = strads_peer_add(rt, STRADS__COORD_NODE, o->join);
	if (err == 0)
		err = strads_spawn(rt, &strads__node_agent_type, 0, n, &n->agent);
	if (err != 0) {
		/* n stays allocated if the agent may hold it. */
		return err;
	}
	memset(&lj, 0, sizeof(lj));
	memset(&pi, 0, sizeof(pi));
	while (!done) {
		event_t *e;

		if (leave_at == 0 && n->o.should_leave != NULL && n->o.should_leave(n->o.arg)) {
			/* Ask; the coordinator answers with a bye once the
			 * job runs without us. */
			strads_log(STRADS_LOG_INFO, "node %u: leaving", strads_runtime_node(rt));
			leave_at = strads_now_ns() + (uint64_t)(n->o.wait_s * 1e9);
			post_local(n, "local-leaving");
		}
		if (leave_at != 0 && strads_now_ns() > leave_at) {
			strads_log(STRADS_LOG_WARN, "node %u: no answer to leaving: going",
			    strads_runtime_node(rt));
			break;
		}

		uv_mutex_lock(&n->lock);
		if ((e = n->head) != NULL) {
			n->head = e->next;
			if (n->head == NULL)
				n->tail = NULL;
		} else {
			(void)uv_cond_timedwait(&n->cond, &n->lock, 20000000ull);
		}
		uv_mutex_unlock(&n->lock);
		/* The roles here stopped: the job ended. */
		if (lj.on && lj.spawned && uv_sem_trywait(&lj.job->done) == 0)
			end_job(n, &lj, 1);
		if (e == NULL)
			continue;
		switch (e->kind) {
		case EV_INIT:
			free(pi.init);
			pi.id = e->id;
			pi.init = e->init;
			pi.n = e->ninit;
			e->init = NULL;
			break;
		case EV_JOB:
			start_job(n, &lj, e->o, &pi);
			break;
		case EV_TABLE:
			install_table(n, &lj, e->o);
			break;
		case EV_STAGE:
			next_stage(n, &lj, e->o);
			break;
		case EV_ABORT:
			if (lj.on && strcmp(strads__json_str(e->o, "id"), lj.id) == 0)
				abort_job(n, &lj);
			break;
		case EV_LOST:
			abort_job(n, &lj);
			break;
		case EV_BYE:
			abort_job(n, &lj);
			/* Answer with a leave, and wait until it is out. */
			uv_mutex_lock(&n->lock);
			n->leave_sent = 0;
			uv_mutex_unlock(&n->lock);
			post_local(n, "local-leave");
			{
				uint64_t deadline = strads_now_ns() + 1000000000ull;

				uv_mutex_lock(&n->lock);
				while (!n->leave_sent && strads_now_ns() < deadline)
					(void)uv_cond_timedwait(&n->cond, &n->lock, 10000000ull);
				uv_mutex_unlock(&n->lock);
				while (!strads__peer_idle(rt, STRADS__COORD_NODE) &&
				    strads_now_ns() < deadline)
					uv_sleep(5);
			}

			if (!n->o.persist || leave_at != 0) {
				rc = 0;
				done = 1;
			}
			break;
		case EV_TIMEOUT:
		case EV_GONE:
			abort_job(n, &lj);
			rc = e->kind == EV_GONE ? STRADS_EPEER : STRADS_ETIMEDOUT;
			done = 1;
			break;
		}
		cJSON_Delete(e->o);
		free(e->init);
		free(e);
		if (n->stuck)
			break;
	}
	abort_job(n, &lj);
	free(pi.init);
	/* Roles that would not stop still use the job and the agent may
	 * still use n: both are left (the caller exits the process). */
	if (n->stuck)
		return STRADS_EBUSY;
	/* Stop the agent, then free what it shares with us; an agent that
	 * does not stop within wait_s is left like stuck roles. */
	uv_mutex_lock(&n->lock);
	n->quit = 1;
	{
		uint64_t deadline = strads_now_ns() + (uint64_t)(n->o.wait_s * 1e9);

		while (!n->stopped && strads_now_ns() < deadline)
			(void)uv_cond_timedwait(&n->cond, &n->lock, 10000000ull);
	}
	if (!n->stopped) {
		uv_mutex_unlock(&n->lock);
		strads_log(STRADS_LOG_ERROR, "node %u: the agent did not stop within %gs",
		    strads_runtime_node(rt), n->o.wait_s);
		return STRADS_EBUSY;
	}
	while (n->head != NULL) {
		event_t *e = n->head;

		n->head = e->next;
		cJSON_Delete(e->o);
		free(e->init);
		free(e);
	}
	uv_mutex_unlock(&n->lock);
	uv_cond_destroy(&n->cond);
	uv_mutex_destroy(&n->lock);
	free(n);
	return rc;
}
