/*
 * cluster.c -- the coordinator side of multi-process mode, on the main
 * thread: the cluster API and jobs laid out over the members
 * (strads_cluster_job_run). The membership actor (joins, heartbeats,
 * views numbered by epoch, lost members) is actors/membership.c.
 *
 * Jobs. The main thread lays the job out (which node hosts each role),
 * sends it to the members, spawns its own roles, collects the members'
 * role addresses, sends the table, and starts the coordinator role once
 * every member has installed it. When the view changes under a job (a
 * member lost, joining or leaving), the coordinator role gathers the
 * parameters and stops, and the main thread lays the job out again over
 * the new view, going on from them. A lost member that hosted a store
 * took its parameters with it: the job goes on from the last snapshot
 * (or its starting values) and redoes the rounds since. The job fails
 * with STRADS_EPEER only when no worker is left to go on with.
 *
 * The membership actor owns the member table; the main thread reads it
 * and the job's progress under the cluster's lock.
 */
#include "cluster.h"
#include "hmac.h"
#include "table.h"

#include <stdio.h>
#include <stdlib.h>

/* ------------------------------------------------------------------ */
/* Shared helpers (cluster.h).                                          */

/* obj (taken, freed; NULL allowed) as a message of type type, or NULL. */
static strads_msg_t *
ctl_msg(uint16_t type, cJSON *obj)
{
	char *s = obj != NULL ? cJSON_PrintUnformatted(obj) : NULL;
	strads_msg_t *m;

	cJSON_Delete(obj);
	if (s == NULL)
		return NULL;
	m = strads_msg_copy(type, s, strlen(s));
	cJSON_free(s);
	return m;
}

int
strads__ctl_send(strads_actor_t *self, strads_addr_t dst, uint16_t type, cJSON *obj)
{
	strads_msg_t *m = ctl_msg(type, obj);

	if (m == NULL)
		return STRADS_ENOMEM;
	return strads_send(self, dst, m);
}

int
strads__ctl_post(strads_runtime_t *rt, strads_addr_t dst, cJSON *obj)
{
	strads_msg_t *m = ctl_msg(STRADS__MSG_MEM_CTL, obj);

	if (m == NULL)
		return STRADS_ENOMEM;
	return strads_post(rt, dst, m);
}

cJSON *
strads__ctl_parse(const strads_msg_t *m)
{
	cJSON *o;

	if (m->len == 0)
		return NULL;
	o = cJSON_ParseWithLength((const char *)m->data, m->len);
	if (o == NULL)
		return NULL;
	if (!cJSON_IsObject(o) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "op"))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

void
strads__hello_proof(const uint8_t *secret, size_t len, uint32_t node,
    const uint8_t *nonce, uint32_t roles, uint32_t workers, const char *url,
    uint8_t out[32])
{
	static const char label[] = "strads hello v2";
	strads__hmac_t h;
	uint8_t id[12];

	strads__put32(id, node);
	strads__put32(id + 4, roles);
	strads__put32(id + 8, workers);
	strads__hmac_init(&h, secret, len);
	strads__hmac_update(&h, label, sizeof(label) - 1);
	strads__hmac_update(&h, id, 4);
	strads__hmac_update(&h, nonce, STRADS__NONCE_LEN);
	strads__hmac_update(&h, id + 4, 8);
	strads__hmac_update(&h, url, strlen(url));
	strads__hmac_final(&h, out);
}

void
strads__member_mac(const uint8_t *secret, size_t len, const char *label, uint32_t node,
    const uint8_t *challenge, uint64_t n, uint8_t out[32])
{
	strads__hmac_t h;
	uint8_t b[12];

	strads__put32(b, node);
	strads__put32(b + 4, (uint32_t)(n >> 32));
	strads__put32(b + 8, (uint32_t)n);
	strads__hmac_init(&h, secret, len);
	strads__hmac_update(&h, label, strlen(label));
	strads__hmac_update(&h, b, 4);
	strads__hmac_update(&h, challenge, STRADS__CHALLENGE_LEN);
	strads__hmac_update(&h, b + 4, 8);
	strads__hmac_final(&h, out);
}

/* uint64 values travel as decimal strings: JSON numbers are doubles. */
static void
add_u64(cJSON *o, const char *key, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	cJSON_AddStringToObject(o, key, buf);
}

uint64_t
strads__ctl_get_u64(const cJSON *o, const char *key)
{
	return strtoull(strads__json_str(o, key), NULL, 10);
}

cJSON *
strads__opts_to_json(const strads_job_opts_t *o)
{
	cJSON *j = cJSON_CreateObject();

	if (j == NULL)
		return NULL;
	cJSON_AddNumberToObject(j, "nparams", o->nparams);
	add_u64(j, "nrows", o->nrows);
	cJSON_AddNumberToObject(j, "nworkers", o->nworkers);
	cJSON_AddNumberToObject(j, "nstores", o->nstores);
	cJSON_AddNumberToObject(j, "nschedulers", o->nschedulers);
	cJSON_AddNumberToObject(j, "schedule", o->schedule);
	cJSON_AddNumberToObject(j, "block", o->block);
	cJSON_AddNumberToObject(j, "block_work", o->block_work);
	cJSON_AddNumberToObject(j, "rho", o->rho);
	cJSON_AddNumberToObject(j, "eta", o->eta);
	cJSON_AddNumberToObject(j, "depth", o->depth);
	cJSON_AddNumberToObject(j, "check_every", o->check_every);
	cJSON_AddNumberToObject(j, "tol", o->tol);
	add_u64(j, "max_rounds", o->max_rounds);
	cJSON_AddNumberToObject(j, "time_limit_s", o->time_limit_s);
	add_u64(j, "seed", o->seed);
	cJSON_AddNumberToObject(j, "nparts", o->nparts);
	return j;
}

int
strads__opts_from_json(const cJSON *j, strads_job_opts_t *o)
{
	if (!cJSON_IsObject(j))
		return STRADS_EPROTO;
	strads_job_opts_init(o);
	o->nparams = (uint32_t)strads__json_num(j, "nparams");
	o->nrows = strads__ctl_get_u64(j, "nrows");
	o->nworkers = (int)strads__json_num(j, "nworkers");
	o->nstores = (int)strads__json_num(j, "nstores");
	o->nschedulers = (int)strads__json_num(j, "nschedulers");
	o->schedule = (strads_schedule_t)(int)strads__json_num(j, "schedule");
	o->block = (uint32_t)strads__json_num(j, "block");
	o->block_work = strads__json_num(j, "block_work");
	o->rho = strads__json_num(j, "rho");
	o->eta = strads__json_num(j, "eta");
	o->depth = (uint32_t)strads__json_num(j, "depth");
	o->check_every = (uint32_t)strads__json_num(j, "check_every");
	o->tol = strads__json_num(j, "tol");
	o->max_rounds = strads__ctl_get_u64(j, "max_rounds");
	o->time_limit_s = strads__json_num(j, "time_limit_s");
	o->seed = strads__ctl_get_u64(j, "seed");
	o->nparts = (uint32_t)strads__json_num(j, "nparts");
	if (o->nparams == 0 || o->nrows == 0 || o->nworkers <= 0 || o->nstores <= 0 ||
	    o->nschedulers <= 0 || (int)o->schedule < 0 ||
	    o->schedule > STRADS_SCHEDULE_ROTATION)
		return STRADS_EPROTO;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The API (main thread).                                               */

typedef strads__member_t member_t;

void
strads_cluster_opts_init(strads_cluster_opts_t *o)
{
	memset(o, 0, sizeof(*o));
	o->heartbeat_s = 0.25;
	o->timeout_s = 3;
	o->snapshot_s = 5;
	o->checkpoint_s = 30;
}

int
strads_cluster_new(strads_runtime_t *rt, const strads_cluster_opts_t *o,
    strads_cluster_t **cp)
{
	strads_cluster_t *c;
	int err;

	if (rt == NULL || cp == NULL || strads_runtime_node(rt) != STRADS__COORD_NODE)
		return STRADS_EINVAL;
	if (!strads__transport_authed(rt->tp))
		return STRADS_EINVAL; /* a cluster needs a secret */
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return STRADS_ENOMEM;
	c->rt = rt;
	if (o != NULL)
		c->o = *o;
	else
		strads_cluster_opts_init(&c->o);
	if (!(c->o.heartbeat_s > 0) || !(c->o.timeout_s > c->o.heartbeat_s)) {
		free(c);
		return STRADS_EINVAL;
	}
	if (uv_mutex_init(&c->lock) != 0) {
		free(c);
		return STRADS_ENOMEM;
	}
	if (uv_cond_init(&c->cond) != 0) {
		uv_mutex_destroy(&c->lock);
		free(c);
		return STRADS_ENOMEM;
	}
	err = strads_spawn(rt, &strads__membership_type, 0, c, &c->ctl);
	if (err == 0 && (c->ctl.node != STRADS__COORD_NODE || c->ctl.actor != STRADS__CTL_ACTOR))
		err = STRADS_EBUSY; /* not the first actor: nodes could not find it */
	if (err != 0) {
		/* The actor (if any) holds c: it is leaked rather than freed
		 * under it; the caller stops the runtime. */
		return err;
	}
	*cp = c;
	return 0;
}

static int
workers_now(strads_cluster_t *c)
{
	int i, n = 0;

	for (i = 0; i < c->nm; i++)
		if (c->m[i].state == MS_MEMBER)
			n += c->m[i].workers;
	return n;
}

/* Waits on the cluster's condition until deadline_ns (0: none): 0, or
 * STRADS_ETIMEDOUT. Called with the lock held. */
static int
wait_until(strads_cluster_t *c, uint64_t deadline_ns)
{
	uint64_t now = strads_now_ns(), step = 100000000ull;

	if (deadline_ns != 0 && now >= deadline_ns)
		return STRADS_ETIMEDOUT;
	if (deadline_ns != 0 && deadline_ns - now < step)
		step = deadline_ns - now;
	(void)uv_cond_timedwait(&c->cond, &c->lock, step);
	return 0;
}

int
strads_cluster_wait(strads_cluster_t *c, int min_workers, double timeout_s)
{
	uint64_t deadline = timeout_s > 0 ? strads_now_ns() + (uint64_t)(timeout_s * 1e9) : 0;
	int err = 0;

	uv_mutex_lock(&c->lock);
	while (workers_now(c) < min_workers && err == 0)
		err = wait_until(c, deadline);
	if (workers_now(c) >= min_workers)
		err = 0;
	uv_mutex_unlock(&c->lock);
	return err;
}

int
strads_cluster_members(strads_cluster_t *c, uint32_t *nodes, int max)
{
	int i, n = 0;

	uv_mutex_lock(&c->lock);
	for (i = 0; i < c->nm; i++)
		if (c->m[i].state == MS_MEMBER) {
			if (n < max && nodes != NULL)
				nodes[n] = c->m[i].node;
			n++;
		}
	uv_mutex_unlock(&c->lock);
	return n;
}

int
strads_cluster_view(strads_cluster_t *c, uint32_t *epoch, strads_member_info_t *m,
    int maxm, strads_partition_t *parts, int maxp, int *nparts)
{
	int i, n = 0, np = 0;

	uv_mutex_lock(&c->lock);
	if (epoch != NULL)
		*epoch = c->epoch;
	for (i = 0; i < c->nm; i++) {
		const strads__member_t *x = &c->m[i];

		if (x->state != MS_MEMBER)
			continue;
		if (m != NULL && n < maxm) {
			m[n].node = x->node;
			m[n].roles = x->roles;
			m[n].workers = x->workers;
			m[n].bytes = x->bytes;
		}
		n++;
	}
	if (c->job_on && c->job != NULL) {
		const strads__job_t *job = c->job;

		for (i = 0; i < job->nworkers + job->nstores; i++, np++) {
			strads_partition_t *t = parts != NULL && np < maxp ? &parts[np] : NULL;
			int st = i >= job->nworkers, k = st ? i - job->nworkers : i;

			if (t == NULL)
				continue;
			t->store = st;
			t->index = k;
			t->begin = st ? job->store_range[k].begin : job->shards[k].row_begin;
			t->end = st ? job->store_range[k].end : job->shards[k].row_end;
			t->node = st ? job->store_node[k] : job->worker_node[k];
		}
	}
	if (nparts != NULL)
		*nparts = np;
	uv_mutex_unlock(&c->lock);
	return n;
}

/* Asks the membership actor to send obj (taken) to nodes. */
static void
post_send(strads_cluster_t *c, const uint32_t *nodes, int n, cJSON *obj)
{
	cJSON *w = cJSON_CreateObject(), *to;
	int i;

	if (w == NULL) {
		cJSON_Delete(obj);
		return;
	}
	cJSON_AddStringToObject(w, "op", "local-send");
	to = cJSON_AddArrayToObject(w, "to");
	for (i = 0; to != NULL && i < n; i++)
		cJSON_AddItemToArray(to, cJSON_CreateNumber(nodes[i]));
	cJSON_AddItemToObject(w, "msg", obj);
	(void)strads__ctl_post(c->rt, c->ctl, w);
}

static cJSON *
job_msg(strads_cluster_t *c, const char *op)
{
	cJSON *o = cJSON_CreateObject();

	if (o != NULL) {
		cJSON_AddStringToObject(o, "op", op);
		add_u64(o, "id", c->job_id);
	}
	return o;
}

static cJSON *
node_list(const uint32_t *nodes, int n)
{
	cJSON *a = cJSON_CreateArray();
	int i;

	for (i = 0; a != NULL && i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(nodes[i]));
	return a;
}

static cJSON *
actor_list(const strads_addr_t *a, int n)
{
	cJSON *arr = cJSON_CreateArray();
	int i;

	for (i = 0; arr != NULL && i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber(a[i].actor));
	return arr;
}

static void
add_node(uint32_t *list, int *n, uint32_t node)
{
	int i;

	if (node == STRADS__COORD_NODE)
		return;
	for (i = 0; i < *n; i++)
		if (list[i] == node)
			return;
	list[(*n)++] = node;
}

static int
cmp_member(const void *a, const void *b)
{
	const member_t *x = a, *y = b;

	return x->node < y->node ? -1 : x->node > y->node;
}

/* Bytes moved between processes: ours, the members' (from their beats)
 * and those of members gone. */
static uint64_t
cluster_bytes(void *arg)
{
	strads_cluster_t *c = arg;
	strads_stats_t st;
	uint64_t n;
	int i;

	strads_runtime_stats(c->rt, &st);
	uv_mutex_lock(&c->lock);
	n = st.bytes_out + c->bytes_gone;
	for (i = 0; i < c->nm; i++)
		n += c->m[i].bytes;
	uv_mutex_unlock(&c->lock);
	return n;
}

/* The run's updates_by_node counters: a node's slot, added if new. */
typedef struct {
	uint32_t *node;
	uint64_t *count;
	int n, cap;
} tally_t;

static int
tally_slot(tally_t *t, uint32_t node)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (t->node[i] == node)
			return i;
	if (t->n == t->cap) {
		int cap = t->cap ? t->cap * 2 : 8;
		uint32_t *nn = realloc(t->node, (size_t)cap * sizeof(*nn));
		uint64_t *nc;

		if (nn == NULL)
			return -1;
		t->node = nn;
		if ((nc = realloc(t->count, (size_t)cap * sizeof(*nc))) == NULL)
			return -1;
		t->count = nc;
		t->cap = cap;
	}
	t->node[t->n] = node;
	t->count[t->n] = 0;
	return t->n++;
}

/* Where one attempt stands between layouts. */
typedef struct {
	const double *init; /* starting values, or NULL */
	const char *from;   /* what the next layout goes on from */
	uint64_t rounds, updates, t0_ns;
	int metrics_append;
	int held; /* a layout held at STRADS_TEST_HOLD_AT (test hook) */
	tally_t tally;
	/* The last layout's row shards and parameter partitions, for the
	 * next to move as little as possible (src/cluster/layout.c). */
	strads__span_t *rows, *params;
	int nrows, nparams;
	uint64_t rows_total, params_total;
	/* The last snapshot of a job with worker, rotate or ssp tables (owned):
	 * its parameters, its tables packed (strads__job_tables_pack), its
	 * rounds and sweeps; and whether the next layout starts from it. */
	double *snap_params;
	uint8_t *snap_tabs;
	size_t snap_tabs_len;
	uint64_t snap_rounds, snap_sweeps;
	int from_snap;
	/* A checkpoint resumed from (borrowed from the cluster): the next
	 * layout checks the app's tables against its own, once. */
	const strads__ckpt_t *resume_ck;
	const char *resume_dir;
	/* A job of stages (o.next): the stage under way's options (its
	 * tolerance and metrics file) and spec (owned), which a layout made
	 * within it starts with; and its number, from 0, for the log. */
	strads_job_opts_t o;
	char *spec;
	uint32_t stage;
} carry_t;

/* Lays out the job's workers (keys: node, slot) over its rows and its
 * stores (node, 0) over its parameters from the last layout in cy, and
 * keeps this one there. */
static int
lay_spans(strads__job_t *job, carry_t *cy, const strads__span_t *wk,
    const strads__span_t *sk)
{
	strads__span_t *w = malloc((size_t)job->nworkers * sizeof(*w));
	strads__span_t *st = malloc((size_t)job->nstores * sizeof(*st));
	uint64_t nrows = job->o.nrows;
	int k;

	if (w == NULL || st == NULL ||
	    strads__reassign(cy->rows, cy->nrows, cy->rows_total, wk, job->nworkers,
	        nrows, w) != 0 ||
	    strads__reassign(cy->params, cy->nparams, cy->params_total, sk, job->nstores,
	        job->p, st) != 0) {
		free(w);
		free(st);
		return STRADS_ENOMEM;
	}
	for (k = 0; k < job->nworkers; k++) {
		job->worker_node[k] = w[k].node;
		job->shards[k].row_begin = w[k].begin;
		job->shards[k].row_end = w[k].end;
	}
	for (k = 0; k < job->nstores; k++) {
		job->store_node[k] = st[k].node;
		job->store_range[k].begin = (uint32_t)st[k].begin;
		job->store_range[k].end = (uint32_t)st[k].end;
	}
	free(cy->rows);
	free(cy->params);
	cy->rows = w;
	cy->nrows = job->nworkers;
	cy->rows_total = nrows;
	cy->params = st;
	cy->nparams = job->nstores;
	cy->params_total = job->p;
	return 0;
}

/* The spans of a layout as [begin, end, begin, end, ...]. */
static cJSON *
span_list(const strads__job_t *job, int stores)
{
	cJSON *a = cJSON_CreateArray();
	int i, n = stores ? job->nstores : job->nworkers;

	for (i = 0; a != NULL && i < n; i++) {
		cJSON_AddItemToArray(a, cJSON_CreateNumber(stores ?
		    job->store_range[i].begin : (double)job->shards[i].row_begin));
		cJSON_AddItemToArray(a, cJSON_CreateNumber(stores ?
		    job->store_range[i].end : (double)job->shards[i].row_end));
	}
	return a;
}

/* Sends the job's starting values to its hosts, ahead of the job, and
 * after them its packed tables when it goes on from a snapshot of them
 * (tlen bytes, a multiple of 8). */
static void
post_init(strads_cluster_t *c, const double *init, uint32_t p, const uint8_t *tabs,
    size_t tlen)
{
	strads_msg_t *m = strads_msg_new(STRADS__MSG_MEM_INIT, 8 + (size_t)p * 8 + tlen);

	if (m == NULL)
		return;
	strads__put64(m->data, c->job_id);
	memcpy(m->data + 8, init, (size_t)p * 8); /* little-endian doubles */
	if (tlen > 0)
		memcpy(m->data + 8 + (size_t)p * 8, tabs, tlen);
	strads_post(c->rt, c->ctl, m);
}

/* Keeps the last snapshot of a job's worker, rotate and ssp tables in cy,
 * with its parameters, for a later layout to go on from. */
static void
keep_table_snapshot(strads__job_t *job, carry_t *cy)
{
	size_t len = strads__job_tables_bytes(job);
	uint8_t *tabs;

	if (len == 0 || !job->have_snapshot || job->snap_tabs == NULL ||
	    job->snapshot == NULL || (tabs = malloc(len)) == NULL)
		return;
	strads__job_tables_pack(job, job->snap_tabs, tabs);
	free(cy->snap_tabs);
	free(cy->snap_params);
	cy->snap_tabs = tabs;
	cy->snap_tabs_len = len;
	cy->snap_params = job->snapshot;
	job->snapshot = NULL;
	job->have_snapshot = 0;
	cy->snap_rounds = job->snapshot_rounds;
	cy->snap_sweeps = job->snapshot_sweeps;
}

/* A job resumed from a checkpoint: its worker, rotate and ssp tables must be
 * those the checkpoint holds (an old checkpoint holds none), or the job
 * is refused with a message naming the manifest and what differs. */
static int
resume_match(strads__job_t *job, carry_t *cy)
{
	strads__ckpt_tab_t *want;
	uint32_t n;
	char err[1024];
	int rc;

	if ((rc = strads__job_ckpt_tabs(job, &want, &n)) != 0)
		return rc;
	rc = strads__ckpt_match(cy->resume_dir, cy->resume_ck, want, n, err, sizeof(err));
	free(want);
	if (rc != 0)
		strads_log(STRADS_LOG_ERROR, "cluster: cannot resume: %s", err);
	cy->resume_ck = NULL; /* checked */
	return rc;
}

/* The ssp table of a layout (cluster jobs whose app has one): made here,
 * its shards on the coordinator's runtime, whatever the layout: this
 * process is the one that outlives every layout, and the table is small
 * (each round reads all of it). It starts from the snapshot the layout
 * goes on from (the packed tables hold its rows), or from zeros, and
 * has one client per worker of this layout: the clocks of the clients of
 * an earlier layout never count here, so a departed worker cannot hold
 * the others' reads back. */
static int
ssp_make(strads_cluster_t *c, strads__job_t *job, uint32_t staleness)
{
	strads_table_opts_t to;
	strads_table_t *st = NULL;
	const uint8_t *seed = job->tab_init != NULL ? job->tab_init[job->tab_ssp] : NULL;
	char err[256];
	int rc;

	strads_table_opts_init(&to);
	/* Its shards refuse clients attached under another name. */
	to.name = job->app->tables[job->tab_ssp].name != NULL ?
	    job->app->tables[job->tab_ssp].name : "ssp";
	to.nrows = job->tab_rows[job->tab_ssp];
	to.width = job->tab_width[job->tab_ssp];
	to.staleness = staleness;
	to.nclients = (uint32_t)job->nworkers;
	/* The packed tables are padded to whole doubles: aligned. */
	rc = strads__table_create_seeded(c->rt, &to, (const double *)(const void *)seed, &st,
	    err, sizeof(err));
	if (rc == 0 && (rc = strads__job_set_ssp(job, st)) != 0)
		snprintf(err, sizeof(err), "the ssp table does not fit the job");
	if (rc != 0) {
		strads_log(STRADS_LOG_ERROR, "cluster: %s", err);
		strads__table_stop(st);
		strads_table_free(st);
		return rc;
	}
	return 0;
}

/* The ssp table's shards for the job message: their staleness and
 * addresses, which every node attaches to. */
static cJSON *
ssp_json(const strads_table_t *st)
{
	cJSON *o = cJSON_CreateObject(), *nodes, *actors;
	int i;

	if (o == NULL)
		return NULL;
	cJSON_AddNumberToObject(o, "staleness", st->staleness);
	nodes = cJSON_AddArrayToObject(o, "nodes");
	actors = cJSON_AddArrayToObject(o, "actors");
	for (i = 0; nodes != NULL && actors != NULL && i < st->nshards; i++) {
		cJSON_AddItemToArray(nodes, cJSON_CreateNumber(st->shards[i].node));
		cJSON_AddItemToArray(actors, cJSON_CreateNumber(st->shards[i].actor));
	}
	return o;
}

/* One layout of the job over the members now. *again is set when the
 * view changed under it: res->params then holds the parameters gathered
 * (or NULL when a store was lost with them). */
/*
 * The wait of run_layout for a job of stages, on its caller's thread
 * (as strads_job_run's job_wait_stages): each time the coordinator role
 * has gathered a stage and paused, its records are delivered and o.next
 * is called; for another stage, every node holding roles sets the next
 * stage's spec up (op "stage", answered "staged") before the
 * coordinator is told to go on, so no role reads the old state in the
 * new stage. A member lost meanwhile does not stall it: the wait ends
 * and the coordinator, told to go on, lays the stage out again (its
 * ENG_RESHAPE waits for the stage's start, coordinator.c). What a later
 * layout starts from (the stage's options and spec, its counts from 0)
 * is kept in cy.
 */
static void
wait_stages(strads_cluster_t *c, strads__job_t *job, carry_t *cy, const uint32_t *hosts,
    int nhosts)
{
	strads_job_result_t *res = job->res;
	strads_job_next_t nx;
	strads_msg_t *m;
	uint32_t t;
	cJSON *msg;
	char *spec;
	uint64_t deadline;
	int append = job->metrics_append;

	while (!job->stage_last && strads__progq_run(job->progress, &job->o, 1, append) == 1) {
		append = 0;
		nx.tol = job->o.tol;
		nx.metrics_path = job->o.metrics_path;
		nx.spec = cy->spec;
		job->stage_last = !job->o.next(job->o.next_arg, res, &nx);
		spec = NULL;
		if (!job->stage_last && (nx.spec == NULL || (spec = strdup(nx.spec)) == NULL)) {
			/* Without the next spec no node can go on: end the
			 * job (its roles stop, and the queue closes). */
			strads_log(STRADS_LOG_ERROR, "cluster: job %llu: no spec for its next "
			    "stage", (unsigned long long)c->job_id);
			job->status = STRADS_ENOMEM;
			strads_post(c->rt, job->coord, strads_msg_new(ENG_STOP, 0));
			break;
		}
		if (!job->stage_last) {
			free(res->params);
			if (res->tables != NULL) {
				for (t = 0; t < res->ntables; t++)
					free(res->tables[t]);
				free(res->tables);
			}
			memset(res, 0, sizeof(*res));
			job->o.tol = cy->o.tol = nx.tol;
			job->o.metrics_path = cy->o.metrics_path = nx.metrics_path;
			/* The coordinator role waits: nothing reads these. */
			job->ckpt_spec = spec;
			free(cy->spec);
			cy->spec = spec;
			cy->stage++;
			job->base_rounds = job->base_updates = job->base_sweeps = 0;
			job->snapshot_rounds = 0;
			cy->rounds = cy->updates = 0;
			cy->metrics_append = 0;
			strads_log(STRADS_LOG_INFO, "cluster: job %llu epoch %u: stage %u",
			    (unsigned long long)c->job_id, c->epoch, cy->stage);
			uv_mutex_lock(&c->lock);
			c->staged_got = 0;
			msg = job_msg(c, "stage");
			uv_mutex_unlock(&c->lock);
			if (msg != NULL) {
				cJSON_AddStringToObject(msg, "spec", spec);
				post_send(c, hosts, nhosts, msg);
			}
			/* A node answers at once (its setup changes a few
			 * values); one that does not within the member timeout
			 * ten times over, yet stays a member, fails the job
			 * rather than leave it waiting. */
			deadline = strads_now_ns() + (uint64_t)(10 * c->o.timeout_s * 1e9);
			uv_mutex_lock(&c->lock);
			while (msg != NULL && !c->failed && !c->reshape && c->staged_got < nhosts &&
			    wait_until(c, deadline) == 0)
				;
			if (!c->failed && !c->reshape && c->staged_got < nhosts) {
				c->failed = msg == NULL ? STRADS_ENOMEM : STRADS_ETIMEDOUT;
				snprintf(c->why, sizeof(c->why), "%s", msg == NULL
				    ? "out of memory between stages"
				    : "a node did not set the next stage up");
			}
			if (c->failed) {
				/* Reported by run_layout; a node's error (its
				 * setup refused the stage) stops no role by
				 * itself, so stop the coordinator role here (a
				 * lost store's member already did: a second stop
				 * finds it done). */
				uv_mutex_unlock(&c->lock);
				strads_post(c->rt, job->coord, strads_msg_new(ENG_STOP, 0));
				break;
			}
			uv_mutex_unlock(&c->lock);
		}
		if ((m = strads_msg_new(ENG_START, 0)) == NULL) {
			strads_log(STRADS_LOG_ERROR, "cluster: out of memory between stages");
			job->status = STRADS_ENOMEM;
			strads_post(c->rt, job->coord, strads_msg_new(ENG_STOP, 0));
			break;
		}
		strads_post(c->rt, job->coord, m);
	}
	/* The queue closes once the roles are gone (a last stage's, or a
	 * stage laid out again, or a failure's). */
	strads__progq_run(job->progress, &job->o, 0, 0);
	uv_sem_wait(&job->done);
}

static int
run_layout(strads_cluster_t *c, const strads_app_t *app, void *shared,
    const strads_job_opts_t *o, const char *spec, strads_job_result_t *res,
    carry_t *cy, int *again)
{
	strads_job_opts_t lo;
	strads__job_t *job = NULL;
	member_t *ms = NULL;
	uint32_t *hosts = NULL;
	strads__span_t *wk = NULL, *sk = NULL;
	int i, k, n, nm, nw = 0, ns = 0, nsch = 0, err, nhosts = 0, local;
	strads_msg_t *start = NULL, *stop = NULL; /* the coordinator's; owned
	                                             here until posted */
	cJSON *msg;

	*again = 0;
	/* Lay out over a snapshot of the members, ordered by node id. */
	uv_mutex_lock(&c->lock);
	ms = malloc(((size_t)c->nm + 1) * sizeof(*ms));
	for (i = nm = 0; ms != NULL && i < c->nm; i++)
		if (c->m[i].state == MS_MEMBER && !c->m[i].leaving)
			ms[nm++] = c->m[i];
	uv_mutex_unlock(&c->lock);
	if (ms == NULL)
		return STRADS_ENOMEM;
	qsort(ms, (size_t)nm, sizeof(*ms), cmp_member);
	for (i = 0; i < nm; i++) {
		nw += ms[i].workers;
		ns += (ms[i].roles & STRADS_ROLE_STORE) != 0;
		nsch += (ms[i].roles & STRADS_ROLE_SCHEDULER) != 0;
	}
	if (nw == 0) {
		free(ms);
		strads_log(STRADS_LOG_ERROR, "cluster: no member offers workers");
		return STRADS_EPEER;
	}
	lo = *o;
	lo.ssp = NULL; /* made here for each layout (ssp_make) */
	lo.init = cy->init;
	lo.nworkers = nw;
	lo.nstores = ns > 0 ? ns : 1;
	lo.nschedulers = nsch > 0 ? nsch : 1;
	/* No more stores or schedulers than parameters (as strads__job_new
	 * clamps them): the options the nodes get must say what the job
	 * has, or they refuse the layout: an app of one parameter
	 * on two store nodes. */
	if ((uint32_t)lo.nstores > o->nparams)
		lo.nstores = (int)o->nparams;
	if ((uint32_t)lo.nschedulers > o->nparams)
		lo.nschedulers = (int)o->nparams;
	if ((err = strads__job_new(app, shared, &lo, res, &job)) != 0) {
		free(ms);
		return err;
	}
	job->staged = lo.next != NULL;
	if (cy->resume_ck != NULL && (err = resume_match(job, cy)) != 0) {
		free(ms);
		strads__job_free(job);
		return err;
	}
	if (cy->from_snap && (err = strads__job_tables_start(job, cy->snap_tabs,
	    cy->snap_tabs_len)) != 0) {
		free(ms);
		strads__job_free(job);
		return err;
	}
	if (cy->from_snap)
		job->base_sweeps = cy->snap_sweeps;
	/* Worker slots in node order, as many per node as it offered (the
	 * job may have clamped the count to the rows); stores and
	 * schedulers one per member offering them, or here. Rows and
	 * parameters then follow the last layout (lay_spans), and each
	 * role's index is its span's place in order. */
	wk = calloc((size_t)job->nworkers, sizeof(*wk));
	sk = calloc((size_t)job->nstores, sizeof(*sk));
	if (wk == NULL || sk == NULL) {
		free(ms);
		free(wk);
		free(sk);
		strads__job_free(job);
		return STRADS_ENOMEM;
	}
	for (i = k = 0; i < nm && k < job->nworkers; i++)
		for (n = 0; n < ms[i].workers && k < job->nworkers; n++, k++) {
			wk[k].node = ms[i].node;
			wk[k].slot = (uint32_t)n;
		}
	for (k = 0; k < job->nstores; k++)
		sk[k].node = STRADS__COORD_NODE;
	for (k = 0; k < job->nscheds; k++)
		job->sched_node[k] = STRADS__COORD_NODE;
	for (i = k = 0; i < nm && k < job->nstores; i++)
		if (ms[i].roles & STRADS_ROLE_STORE)
			sk[k++].node = ms[i].node;
	for (i = k = 0; i < nm && k < job->nscheds; i++)
		if (ms[i].roles & STRADS_ROLE_SCHEDULER)
			job->sched_node[k++] = ms[i].node;
	free(ms);
	err = lay_spans(job, cy, wk, sk);
	free(wk);
	free(sk);
	if (err != 0) {
		strads__job_free(job);
		return err;
	}
	hosts = malloc(((size_t)job->nworkers + job->nstores + job->nscheds) * sizeof(uint32_t));
	job->uidx = calloc((size_t)job->nworkers, sizeof(int));
	if (hosts == NULL || job->uidx == NULL) {
		free(hosts);
		free(job->uidx);
		strads__job_free(job);
		return STRADS_ENOMEM;
	}
	if (job->tab_ssp >= 0 && (err = ssp_make(c, job, o->ssp_staleness)) != 0) {
		free(hosts);
		free(job->uidx);
		strads__job_free(job);
		return err;
	}
	for (i = 0; i < job->nworkers; i++) {
		add_node(hosts, &nhosts, job->worker_node[i]);
		job->uidx[i] = tally_slot(&cy->tally, job->worker_node[i]);
		if (job->uidx[i] < 0) {
			free(job->uidx);
			job->uidx = NULL; /* no per-node counts: out of memory */
			break;
		}
	}
	for (i = 0; i < job->nstores; i++)
		add_node(hosts, &nhosts, job->store_node[i]);
	for (i = 0; i < job->nscheds; i++)
		add_node(hosts, &nhosts, job->sched_node[i]);
	job->unode = cy->tally.node;
	job->ucount = cy->tally.count;
	job->nunode = cy->tally.n;
	job->hold_start = 1;
	job->base_rounds = cy->rounds;
	job->base_updates = cy->updates;
	job->t0_ns = cy->t0_ns;
	job->metrics_append = cy->metrics_append;
	/* Every layout until one has held: a view changed before the hold
	 * (a member dropped on a loaded machine) must not skip it. */
	if (!cy->held && getenv("STRADS_TEST_HOLD_AT") != NULL)
		job->hold_at = (uint32_t)strtoul(getenv("STRADS_TEST_HOLD_AT"), NULL, 10);
	job->bytes = cluster_bytes;
	job->bytes_arg = c;
	/* Snapshots to go on from if a store is lost with its member. */
	job->snapshot = malloc((size_t)job->p * sizeof(double));
	job->snapshot_s = c->o.snapshot_s;
	if (c->o.checkpoint_dir != NULL && c->o.checkpoint_s > 0) {
		job->ckpt_dir = c->o.checkpoint_dir;
		job->ckpt_spec = spec;
		job->ckpt_s = c->o.checkpoint_s;
		/* Snapshots at least as often as checkpoints. */
		if (!(job->snapshot_s <= job->ckpt_s))
			job->snapshot_s = job->ckpt_s;
	}

	uv_mutex_lock(&c->lock);
	c->job_id++;
	c->job = job;
	c->job_nodes = hosts;
	c->njob_nodes = nhosts;
	c->roles_got = c->ready_got = c->ends_got = 0;
	c->failed = 0;
	c->reshape = 0;
	c->store_lost = 0;
	c->why[0] = '\0';
	c->coord_spawned = 0;
	c->job_on = 1;
	/* A host lost between the snapshot and now: lay out again. */
	for (i = 0; i < nhosts; i++)
		if (strads__member_find(c, hosts[i]) == NULL)
			c->reshape = 1;
	/* Every data row in exactly one shard, each on a live member. */
	for (i = 0; i < job->nworkers; i++)
		strads_log(STRADS_LOG_INFO, "cluster: job %llu epoch %u: shard %d rows [%llu, "
		    "%llu) on node %u", (unsigned long long)c->job_id, c->epoch, i,
		    (unsigned long long)job->shards[i].row_begin,
		    (unsigned long long)job->shards[i].row_end, job->worker_node[i]);
	msg = job_msg(c, "job");
	uv_mutex_unlock(&c->lock);
	if (cy->init != NULL)
		post_init(c, cy->init, job->p, cy->from_snap ? cy->snap_tabs : NULL,
		    cy->from_snap ? cy->snap_tabs_len : 0);
	if (msg != NULL) {
		cJSON_AddStringToObject(msg, "spec", spec);
		cJSON_AddBoolToObject(msg, "init", cy->init != NULL);
		cJSON_AddItemToObject(msg, "opts", strads__opts_to_json(&job->o));
		cJSON_AddItemToObject(msg, "workers", node_list(job->worker_node, job->nworkers));
		cJSON_AddItemToObject(msg, "stores", node_list(job->store_node, job->nstores));
		cJSON_AddItemToObject(msg, "rows", span_list(job, 0));
		cJSON_AddItemToObject(msg, "params", span_list(job, 1));
		cJSON_AddItemToObject(msg, "scheds", node_list(job->sched_node, job->nscheds));
		if (job->ssp != NULL)
			cJSON_AddItemToObject(msg, "ssp", ssp_json(job->ssp));
		post_send(c, hosts, nhosts, msg);
	}
	local = 0;
	/* The coordinator's start and stop are made before it is spawned:
	 * either lost (out of memory) would leave the job waiting forever.
	 * The test hook STRADS_TEST_FAIL_INIT=start loses the start. */
	start = strads_msg_new(ENG_START, 0);
	stop = strads_msg_new(ENG_STOP, 0);
	if (strads__role_init_fault("start")) {
		strads_msg_free(start);
		start = NULL;
	}
	err = strads__job_spawn(c->rt, job, 0);
	if (err == 0 && (start == NULL || stop == NULL)) {
		/* The coordinator is not spawned: counted in and out as a
		 * role that failed to spawn (strads__job_spawn), so the job's
		 * done comes once the roles spawned here (stopped below) are
		 * gone, or now when there are none. */
		err = STRADS_ENOMEM;
		atomic_fetch_add(&job->alive, 1);
		strads__job_role_stopped(job);
	}
	if (err == 0) {
		/* Spawned now, started once every member has the table. */
		err = strads__job_spawn(c->rt, job, 1);
		local = err == 0;
	}
	uv_mutex_lock(&c->lock);
	if (err != 0 && !c->failed) {
		c->failed = err;
		snprintf(c->why, sizeof(c->why), "spawning roles here: %s", strads_strerror(err));
	}
	c->coord_spawned = local;
	while (!c->failed && !c->reshape && c->roles_got < nhosts)
		wait_until(c, 0);
	if (!c->failed && !c->reshape) {
		msg = job_msg(c, "table");
		uv_mutex_unlock(&c->lock);
		if (msg != NULL) {
			cJSON_AddNumberToObject(msg, "coord", job->coord.actor);
			cJSON_AddItemToObject(msg, "workers", actor_list(job->workers, job->nworkers));
			cJSON_AddItemToObject(msg, "stores", actor_list(job->stores, job->nstores));
			cJSON_AddItemToObject(msg, "scheds", actor_list(job->scheds, job->nscheds));
			post_send(c, hosts, nhosts, msg);
		}
		uv_mutex_lock(&c->lock);
		while (!c->failed && !c->reshape && c->ready_got < nhosts)
			wait_until(c, 0);
	}
	if (!c->failed && !c->reshape) {
		uv_mutex_unlock(&c->lock);
		strads_post(c->rt, job->coord, start);
		start = NULL;
	} else {
		/* Before the coordinator role ran: stop what was set up. */
		/* A member lost during the set-up is not the job's end: the
		 * caller lays it out again over the new view, and says so. */
		if (c->failed == STRADS_EPEER)
			strads_log(STRADS_LOG_WARN, "cluster: job %llu: a member was "
			    "lost while it was set up (%s)", (unsigned long long)c->job_id,
			    c->why);
		else if (c->failed)
			strads_log(STRADS_LOG_ERROR, "cluster: job %llu failed: %s",
			    (unsigned long long)c->job_id, c->why);
		uv_mutex_unlock(&c->lock);
		post_send(c, hosts, nhosts, job_msg(c, "abort"));
		if (local) {
			strads_post(c->rt, job->coord, stop);
			stop = NULL;
		}
		strads__job_stop_local(c->rt, job);
	}
	strads_msg_free(start);
	strads_msg_free(stop);
	if (job->staged && c->coord_spawned)
		wait_stages(c, job, cy, hosts, nhosts);
	else
		strads__job_wait(job);
	/* The roles here are gone; the nodes' clients of the ssp table stop
	 * with theirs, and what they still send is refused as sent to
	 * stale addresses. */
	if (job->ssp != NULL) {
		strads__table_stop(job->ssp);
		strads_table_free(job->ssp);
		job->ssp = NULL;
	}
	keep_table_snapshot(job, cy);
	uv_mutex_lock(&c->lock);
	cy->from = "the parameters gathered";
	if (job->reshaped) {
		*again = 1;
		err = 0;
	} else if (c->failed == STRADS_EPEER && c->store_lost) {
		/* Go on from the last snapshot (or the layout's start). */
		*again = 1;
		err = 0;
		free(res->params);
		res->params = NULL;
		cy->from = "the layout's starting values";
		if (job->have_snapshot) {
			res->params = job->snapshot;
			job->snapshot = NULL;
			cy->from = "the snapshot";
			cy->rounds = job->snapshot_rounds > cy->rounds ? job->snapshot_rounds
			                                               : cy->rounds;
		}
	} else if (c->reshape && (!c->coord_spawned || job->status != 0)) {
		/* Reshaped before it ran: nothing moved. */
		*again = 1;
		err = 0;
		free(res->params);
		res->params = NULL;
		cy->from = "the layout's starting values";
	} else {
		err = c->failed ? c->failed : job->status;
	}
	if (*again || err != 0) {
		/* Nodes tidy up as the next job (or the closing) arrives. */
	} else {
		/* Members report their roles' end; wait a little for it so
		 * the next job starts on idle members. */
		uint64_t deadline = strads_now_ns() + (uint64_t)(c->o.timeout_s * 1e9);

		while (!c->failed && c->ends_got < nhosts && wait_until(c, deadline) == 0)
			;
	}
	if (err != 0 && res->params != NULL) {
		free(res->params);
		res->params = NULL;
	}
	cy->rounds = res->rounds > cy->rounds ? res->rounds : cy->rounds;
	cy->updates = res->updates > cy->updates ? res->updates : cy->updates;
	if (job->t0_ns != 0)
		cy->t0_ns = job->t0_ns;
	cy->held |= job->held;
	if (c->coord_spawned && job->o.metrics_path != NULL)
		cy->metrics_append = 1;
	c->job_on = 0;
	c->job = NULL;
	c->job_nodes = NULL;
	uv_mutex_unlock(&c->lock);
	if (err != 0 && c->why[0] != '\0')
		strads_log(STRADS_LOG_ERROR, "cluster: %s", c->why);
	free(hosts);
	free(job->uidx);
	free(job->snapshot);
	strads__job_free(job);
	return err;
}

int
strads_cluster_resume(strads_cluster_t *c, const char *dir, const char *spec, uint32_t p,
    double **init, char *err, size_t errlen)
{
	strads__ckpt_t ck;
	char *d;
	int rc;

	if (c == NULL || dir == NULL || spec == NULL || init == NULL)
		return STRADS_EINVAL;
	if ((rc = strads__ckpt_read(dir, &ck, init, err, errlen)) != 0)
		return rc;
	if (ck.p != p || strcmp(ck.spec, spec) != 0) {
		snprintf(err, errlen, "%s/MANIFEST: a checkpoint of another job (%u "
		    "parameters, options %s)", dir, ck.p, ck.spec);
		strads__ckpt_free(&ck);
		free(*init);
		*init = NULL;
		return STRADS_EINVAL;
	}
	if ((d = strdup(dir)) == NULL) {
		strads__ckpt_free(&ck);
		free(*init);
		*init = NULL;
		return STRADS_ENOMEM;
	}
	/* The tables wait for the job, which knows the app to check them
	 * against (resume_match). */
	strads__ckpt_free(&c->resume_ck);
	free(c->resume_dir);
	c->resume_ck = ck;
	c->resume_dir = d;
	c->resumed = 1;
	c->resume_rounds = ck.rounds;
	c->resume_updates = ck.updates;
	c->resume_time = ck.time_s;
	strads_log(STRADS_LOG_INFO, "cluster: resuming from the checkpoint of round %llu "
	    "(sweep %llu, %u worker, rotate and ssp table%s) in %s", (unsigned long long)ck.rounds,
	    (unsigned long long)ck.sweeps, ck.ntab, ck.ntab == 1 ? "" : "s", dir);
	return 0;
}

/* Tells the members that asked to leave to go (their roles are gone). */
static void
dismiss_leaving(strads_cluster_t *c)
{
	uint32_t *nodes;
	int i, n = 0;
	cJSON *bye;

	uv_mutex_lock(&c->lock);
	nodes = malloc(((size_t)c->nm + 1) * sizeof(*nodes));
	for (i = 0; nodes != NULL && i < c->nm; i++)
		if (c->m[i].leaving)
			nodes[n++] = c->m[i].node;
	uv_mutex_unlock(&c->lock);
	if (n > 0 && (bye = cJSON_CreateObject()) != NULL) {
		cJSON_AddStringToObject(bye, "op", "bye");
		post_send(c, nodes, n, bye);
	}
	free(nodes);
}

int
strads_cluster_job_run(strads_cluster_t *c, const strads_app_t *app, void *shared,
    const strads_job_opts_t *o, const char *spec, strads_job_result_t *res)
{
	carry_t cy;
	double *init = NULL;
	int err, again, layouts = 0, restart = 0;
	uint64_t rounds0, updates0;

	if (c == NULL || o == NULL || spec == NULL || res == NULL || o->nparams == 0)
		return STRADS_EINVAL;
	/* A job with worker, rotate or ssp tables laid out again goes on
	 * from its last snapshot, tables and all (restart), or from its
	 * start before the first. */
	if (app != NULL && app->ntables > 0) {
		uint32_t t;

		for (t = 0; t < app->ntables; t++)
			if (app->tables[t].home != STRADS_HOME_STORE)
				restart = 1;
	}
	memset(&cy, 0, sizeof(cy));
	if (o->init != NULL) {
		if ((init = malloc((size_t)o->nparams * sizeof(double))) == NULL)
			return STRADS_ENOMEM;
		memcpy(init, o->init, (size_t)o->nparams * sizeof(double));
	}
	if (c->resumed) {
		/* Count on from the checkpoint, appending to the metrics. */
		cy.rounds = c->resume_rounds;
		cy.updates = c->resume_updates;
		cy.t0_ns = strads_now_ns() - (uint64_t)(c->resume_time * 1e9);
		cy.metrics_append = 1;
		c->resumed = 0;
		cy.resume_ck = &c->resume_ck;
		cy.resume_dir = c->resume_dir;
		if (c->resume_ck.ntab > 0) {
			/* Its tables are the last snapshot: the first layout
			 * starts from them (and its sweep), as after a change
			 * of view, and so does a later one before a snapshot
			 * of its own. They reach the nodes with the starting
			 * values (o->init, the checkpoint's parameters). */
			if (init == NULL ||
			    (cy.snap_params = malloc((size_t)o->nparams * sizeof(double))) == NULL) {
				free(init);
				strads__ckpt_free(&c->resume_ck);
				if (o->init == NULL)
					strads_log(STRADS_LOG_ERROR, "cluster: cannot resume: the "
					    "checkpoint's parameters are not the job's starting values");
				return o->init == NULL ? STRADS_EINVAL : STRADS_ENOMEM;
			}
			memcpy(cy.snap_params, init, (size_t)o->nparams * sizeof(double));
			cy.snap_tabs = c->resume_ck.tab_data;
			cy.snap_tabs_len = c->resume_ck.tab_len;
			c->resume_ck.tab_data = NULL;
			cy.snap_rounds = c->resume_rounds;
			cy.snap_sweeps = c->resume_ck.sweeps;
			cy.from_snap = 1;
		}
	}
	rounds0 = cy.rounds;
	updates0 = cy.updates;
	cy.o = *o;
	if ((cy.spec = strdup(spec)) == NULL) {
		free(init);
		free(cy.snap_params);
		free(cy.snap_tabs);
		return STRADS_ENOMEM;
	}
	for (;;) {
		cy.init = init;
		err = run_layout(c, app, shared, &cy.o, cy.spec, res, &cy, &again);
		layouts++;
		if (err != 0 || !again)
			break;
		if (restart && cy.snap_tabs != NULL) {
			/* Every table back to the last snapshot (the stores'
			 * values with them); the rounds since are redone. */
			free(res->params);
			res->params = NULL;
			free(init);
			if ((init = malloc((size_t)o->nparams * sizeof(double))) == NULL) {
				err = STRADS_ENOMEM;
				break;
			}
			memcpy(init, cy.snap_params, (size_t)o->nparams * sizeof(double));
			cy.rounds = cy.snap_rounds;
			cy.from_snap = 1;
			cy.from = "the last snapshot, tables and all";
		} else if (restart) {
			/* No snapshot yet: every table back to the start. */
			free(res->params);
			res->params = NULL;
			cy.rounds = rounds0;
			cy.updates = updates0;
			cy.from = "the start (no snapshot of the tables yet)";
		} else if (res->params != NULL) {
			free(init);
			init = res->params;
			res->params = NULL;
		}
		dismiss_leaving(c);
		strads_log(STRADS_LOG_WARN, "cluster: the view changed: laying the job out again "
		    "from round %llu (%s)", (unsigned long long)cy.rounds, cy.from);
		/* Some worker must be left (or come back). */
		if ((err = strads_cluster_wait(c, 1, 60)) != 0) {
			strads_log(STRADS_LOG_ERROR, "cluster: no worker left to go on with");
			err = STRADS_EPEER;
			break;
		}
	}
	free(init);
	free(cy.tally.node);
	free(cy.tally.count);
	free(cy.rows);
	free(cy.params);
	free(cy.snap_params);
	free(cy.snap_tabs);
	free(cy.spec);
	strads__ckpt_free(&c->resume_ck);
	return err;
}

void
strads_cluster_free(strads_cluster_t *c)
{
	uint32_t *nodes;
	int n, i;
	cJSON *bye;
	uint64_t deadline;

	if (c == NULL)
		return;
	/* Members answer a bye with a leave: wait for them (bounded), so
	 * the byes are out before the caller stops the transport. */
	uv_mutex_lock(&c->lock);
	c->byeing = 1;
	nodes = malloc(((size_t)c->nm + 1) * sizeof(*nodes));
	for (i = n = 0; nodes != NULL && i < c->nm; i++)
		nodes[n++] = c->m[i].node;
	uv_mutex_unlock(&c->lock);
	bye = cJSON_CreateObject();
	if (bye != NULL && nodes != NULL && n > 0) {
		cJSON_AddStringToObject(bye, "op", "bye");
		post_send(c, nodes, n, bye);
	} else {
		cJSON_Delete(bye);
	}
	free(nodes);
	deadline = strads_now_ns() + (uint64_t)(c->o.timeout_s * 1e9);
	uv_mutex_lock(&c->lock);
	while (c->nm > 0 && wait_until(c, deadline) == 0)
		;
	c->closing = 1;
	uv_mutex_unlock(&c->lock);
	/* The actor stops at its next tick, then c can go. */
	uv_mutex_lock(&c->lock);
	while (!c->closed)
		wait_until(c, 0);
	uv_mutex_unlock(&c->lock);
	free(c->m);
	strads__ckpt_free(&c->resume_ck);
	free(c->resume_dir);
	uv_cond_destroy(&c->cond);
	uv_mutex_destroy(&c->lock);
	free(c);
}
