/*
 * schmp.c -- strads_job_run(): lays out a job (parameter ranges, data
 * shards, role addresses), spawns the four roles and, while they run,
 * delivers the job's progress to its subscribers (progress.c).
 * Everything else happens in the role actors in actors/.
 */
#include "schmp.h"
#include "table.h"

#include <stdlib.h>
#include <string.h>

void
strads_job_opts_init(strads_job_opts_t *o)
{
	memset(o, 0, sizeof(*o));
	o->block = 64;
	o->rho = 0.1;
	o->eta = 1e-12;
	o->depth = 2;
	o->tol = 1e-6;
	o->seed = 1;
}

/* Splits [0, total) into n nearly equal ranges. */
static void
split(strads_range_t *r, int n, uint32_t total)
{
	int i;

	for (i = 0; i < n; i++) {
		r[i].begin = (uint32_t)((uint64_t)total * (uint64_t)i / (uint64_t)n);
		r[i].end = (uint32_t)((uint64_t)total * (uint64_t)(i + 1) / (uint64_t)n);
	}
}

int
strads__cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int
strads__cmp_score_desc(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return x[0] > y[0] ? -1 : x[0] < y[0] ? 1 : (x[1] > y[1]) - (x[1] < y[1]);
}

int
strads__send_all(strads_actor_t *self, const strads_addr_t *to, int n,
    strads_msg_t *m)
{
	int i;

	if (n <= 0) {
		strads_msg_free(m);
		return 0;
	}
	for (i = 0; i < n; i++) {
		strads_msg_t *c = i == n - 1 ? m :
		    strads__eng_fault() ? NULL : strads_msg_share(m, m->type);

		if (c == NULL) {
			strads_msg_free(m);
			return STRADS_ENOMEM;
		}
		strads_send(self, to[i], c);
	}
	return 0;
}

int
strads__role_init_fault(const char *kind)
{
	const char *v = getenv("STRADS_TEST_FAIL_INIT");

	return v != NULL && strcmp(v, kind) == 0;
}

void
strads__role_broken(const char *kind, int index)
{
	strads_log(STRADS_LOG_ERROR, "%s %d: cannot set up (out of memory): the "
	    "job ends", kind, index);
}

void
strads__role_fail(strads_actor_t *self, strads__job_t *job, int *broken,
    int *told, const char *kind, int index, int err)
{
	strads_msg_t *r;

	if (*broken)
		return;
	strads_log(STRADS_LOG_ERROR, "%s %d: %s: the job ends", kind, index,
	    strads_strerror(err));
	*broken = 1;
	*told = 1; /* by this report, or by the role that took it */
	if ((r = atomic_exchange(&job->report, NULL)) != NULL) {
		strads__put32(r->data, (uint32_t)err);
		strads_send(self, job->coord, r);
	}
}

void
strads__role_broken_recv(strads_actor_t *self, strads__job_t *job, int *told,
    const strads_msg_t *m)
{
	strads_msg_t *r;

	if (m->type == ENG_STOP) {
		strads_actor_stop(self);
	} else if (!*told && m->type >= ENG_START &&
	    (r = strads_msg_new(ENG_STOP, 0)) != NULL) {
		*told = 1; /* else at its next message */
		strads_send(self, job->coord, r);
	}
}

void
strads__job_role_stopped(strads__job_t *job)
{
	if (atomic_fetch_sub(&job->alive, 1) == 1) {
		/* Closed first: once done is posted the job may be freed. */
		strads__progq_close(job->progress);
		uv_sem_post(&job->done);
	}
}

void
strads__job_wait(strads__job_t *job)
{
	/* The metrics file is the coordinator's: opened (truncated, or
	 * appended to by a job that goes on) only where it runs. */
	int coord = job->args[job->nstores + job->nscheds + job->nworkers].up;

	strads__progq_run(job->progress, &job->o, coord, job->metrics_append);
	uv_sem_wait(&job->done);
}

/*
 * strads_job_run's wait for a job of stages (o.next): each time a
 * stage's records are delivered (the coordinator role paused the queue
 * after gathering the stage's result), o.next is called here, on the
 * caller's thread, and the coordinator is told to go on: a local
 * ENG_START, with stage_last set when next ended the job. A job that
 * ends otherwise (a role failing) closes the queue, which a pause never
 * outlasts.
 */
static void
job_wait_stages(strads_runtime_t *rt, strads__job_t *job)
{
	strads_job_result_t *res = job->res;
	strads_job_next_t nx;
	strads_msg_t *m;
	uint32_t t;

	while (!job->stage_last && strads__progq_run(job->progress, &job->o, 1, 0) == 1) {
		nx.tol = job->o.tol;
		nx.metrics_path = job->o.metrics_path;
		job->stage_last = !job->o.next(job->o.next_arg, res, &nx);
		if (!job->stage_last) {
			free(res->params);
			if (res->tables != NULL) {
				for (t = 0; t < res->ntables; t++)
					free(res->tables[t]);
				free(res->tables);
			}
			memset(res, 0, sizeof(*res));
			job->o.tol = nx.tol;
			job->o.metrics_path = nx.metrics_path;
		}
		/* Without memory for the message the coordinator would wait
		 * for ever: end the job instead (its roles stop, and the
		 * queue closes). */
		if ((m = strads_msg_new(ENG_START, 0)) == NULL) {
			strads_log(STRADS_LOG_ERROR, "job: out of memory between stages");
			job->status = STRADS_ENOMEM;
			strads_post(rt, job->coord, strads_msg_new(ENG_STOP, 0));
			continue;
		}
		strads_post(rt, job->coord, m);
	}
	if (job->stage_last) {
		/* No record follows the last stage's: the queue closes once
		 * the roles are gone (its metrics file is left as it is). */
		strads__progq_run(job->progress, &job->o, 0, 0);
	}
	uv_sem_wait(&job->done);
}

void
strads__job_free(strads__job_t *job)
{
	if (job == NULL)
		return;
	free(job->workers);
	free(job->stores);
	free(job->scheds);
	free(job->worker_node);
	free(job->store_node);
	free(job->sched_node);
	free(job->store_range);
	free(job->sched_range);
	free(job->shards);
	free(job->args);
	strads_msg_free(atomic_load(&job->report));
	free(job->tab_rows);
	free(job->tab_width);
	free(job->tab_vsize);
	free(job->rot_rows);
	free(job->tab_init);
	if (job->snap_tabs != NULL) {
		uint32_t t;

		for (t = 0; t < job->ntab; t++)
			free(job->snap_tabs[t]);
		free(job->snap_tabs);
	}
	if (job->sem_ok)
		uv_sem_destroy(&job->done);
	strads__progq_free(job->progress);
	free(job);
}

static size_t
value_size(strads_value_type_t v)
{
	return v == STRADS_VALUE_F64 ? 8 : 4;
}

int
strads__job_set_ssp(strads__job_t *job, strads_table_t *st)
{
	int k = job->tab_ssp;

	/* Worker w is client w; its rows are read as one block. */
	if (k < 0 || st->kind != STRADS_TABLE_DENSE || st->nrows != job->tab_rows[k] ||
	    st->width != job->tab_width[k] || st->nclients < (uint32_t)job->nworkers)
		return STRADS_EINVAL;
	job->ssp = st;
	return 0;
}

/* Checks the app's table declarations against o and lays them out in
 * job: rows, widths, the index of each single-home table, the rotate
 * table's memory (with its starting values) and the part count. */
static int
tables_new(strads__job_t *job, const strads_job_opts_t *o)
{
	const strads_app_t *app = job->app;
	uint32_t t, n = app->ntables;

	job->tab_store = job->tab_rot = job->tab_ssp = -1;
	if (n == 0)
		return app->tables == NULL ? 0 : STRADS_EINVAL;
	if (app->tables == NULL)
		return STRADS_EINVAL;
	job->ntab = n;
	job->tab_rows = calloc(n, sizeof(uint64_t));
	job->tab_width = calloc(n, sizeof(uint32_t));
	job->tab_vsize = calloc(n, sizeof(size_t));
	if (job->tab_rows == NULL || job->tab_width == NULL || job->tab_vsize == NULL)
		return STRADS_ENOMEM;
	for (t = 0; t < n; t++) {
		const strads_table_decl_t *d = &app->tables[t];
		uint64_t rows = d->rows;
		int *one = NULL;

		if ((unsigned)d->value > STRADS_VALUE_I32)
			return STRADS_EINVAL;
		if (rows == 0 && o->table_rows != NULL)
			rows = o->table_rows[t];
		switch (d->home) {
		case STRADS_HOME_STORE:
			one = &job->tab_store;
			if (rows == 0)
				rows = o->nparams;
			if (rows != o->nparams || d->width > 1 || d->value != STRADS_VALUE_F64)
				return STRADS_EINVAL;
			break;
		case STRADS_HOME_WORKER:
			if (d->rows != 0 && d->rows != o->nrows)
				return STRADS_EINVAL;
			rows = o->nrows;
			break;
		case STRADS_HOME_ROTATE:
			one = &job->tab_rot;
			break;
		case STRADS_HOME_SSP:
			/* Its SSP table: the caller's (strads_job_run checks
			 * there is one), or the cluster's, set later
			 * (strads__job_set_ssp). */
			one = &job->tab_ssp;
			break;
		default:
			return STRADS_EINVAL;
		}
		if (one != NULL && *one >= 0)
			return STRADS_EINVAL; /* at most one of this home */
		if (one != NULL)
			*one = (int)t;
		if (rows == 0 || rows > UINT32_MAX)
			return STRADS_EINVAL;
		job->tab_rows[t] = rows;
		job->tab_width[t] = d->width ? d->width : 1;
		job->tab_vsize[t] = value_size(d->value);
		/* rows x width x value size bytes must not wrap (a table
		 * allocated short would be written past its end). */
		if ((uint64_t)job->tab_width[t] * job->tab_vsize[t] > (SIZE_MAX / 2) / rows)
			return STRADS_EINVAL;
	}
	if (job->tab_ssp >= 0 && o->ssp != NULL && o->ssp[job->tab_ssp] != NULL &&
	    strads__job_set_ssp(job, o->ssp[job->tab_ssp]) != 0)
		return STRADS_EINVAL;
	if (job->tab_rot >= 0) {
		uint64_t rows = job->tab_rows[job->tab_rot];
		size_t bytes = (size_t)rows * STRADS__ROW_BYTES(job, job->tab_rot);

		if (o->schedule != STRADS_SCHEDULE_ROTATION || app->rotate == NULL ||
		    rows < (uint64_t)job->nworkers)
			return STRADS_EINVAL;
		job->nparts = o->nparts ? o->nparts : 2 * (uint32_t)job->nworkers;
		if (job->nparts < (uint32_t)job->nworkers)
			job->nparts = (uint32_t)job->nworkers;
		if (job->nparts > rows)
			job->nparts = (uint32_t)rows;
		/* An app that named its parts counts its rounds in them
		 * (max_rounds a whole number of its sweeps): with the parts
		 * changed here (a cluster's layout of more workers than it
		 * asked parts for), the same sweeps, not fewer. */
		if (o->nparts != 0 && job->nparts != o->nparts && o->max_rounds % o->nparts == 0) {
			job->o.max_rounds = o->max_rounds / o->nparts * job->nparts;
			job->o.nparts = job->nparts;
		}
		/* Padded to whole 8-byte words: a part crosses processes as
		 * doubles (worker.c, rot_done), so the last part's message reads
		 * up to 7 bytes past its rows when a row is not a multiple of 8
		 * bytes (3 int32 counts, say); the receiver copies only the
		 * rows. */
		if ((job->rot_rows = calloc(bytes + 8, 1)) == NULL)
			return STRADS_ENOMEM;
		if (app->table_init != NULL)
			app->table_init(job->shared, (uint32_t)job->tab_rot, 0, rows,
			    job->rot_rows);
	} else if (o->schedule == STRADS_SCHEDULE_ROTATION || job->tab_ssp >= 0) {
		return STRADS_EINVAL; /* a rotation moves a rotate table */
	}
	return 0;
}

/* Whether table t is in snapshots (every home but the store's, whose
 * values are the parameters). */
static int
snapped(const strads__job_t *job, uint32_t t)
{
	return job->app->tables[t].home != STRADS_HOME_STORE;
}

size_t
strads__job_snap_row(const strads__job_t *job, uint32_t t)
{
	/* The ssp table is read and written as doubles (strads.h). */
	if (job->app->tables[t].home == STRADS_HOME_SSP)
		return (size_t)job->tab_width[t] * sizeof(double);
	return STRADS__ROW_BYTES(job, t);
}

static size_t
padded(const strads__job_t *job, uint32_t t)
{
	return ((size_t)job->tab_rows[t] * strads__job_snap_row(job, t) + 7) & ~(size_t)7;
}

size_t
strads__job_tables_bytes(const strads__job_t *job)
{
	size_t n = 0;
	uint32_t t;

	for (t = 0; t < job->ntab; t++)
		if (snapped(job, t))
			n += padded(job, t);
	return n;
}

void
strads__job_tables_pack(const strads__job_t *job, void *const *tabs, uint8_t *out)
{
	uint32_t t;

	for (t = 0; t < job->ntab; t++) {
		if (!snapped(job, t))
			continue;
		memset(out, 0, padded(job, t));
		if (tabs[t] != NULL)
			memcpy(out, tabs[t], (size_t)job->tab_rows[t] *
			    strads__job_snap_row(job, t));
		out += padded(job, t);
	}
}

int
strads__job_tables_start(strads__job_t *job, const uint8_t *packed, size_t len)
{
	uint32_t t;

	if (len != strads__job_tables_bytes(job) || len == 0)
		return STRADS_EPROTO;
	if ((job->tab_init = calloc(job->ntab, sizeof(*job->tab_init))) == NULL)
		return STRADS_ENOMEM;
	for (t = 0; t < job->ntab; t++) {
		if (!snapped(job, t))
			continue;
		job->tab_init[t] = packed;
		if ((int)t == job->tab_rot)
			memcpy(job->rot_rows, packed,
			    (size_t)job->tab_rows[t] * STRADS__ROW_BYTES(job, t));
		packed += padded(job, t);
	}
	return 0;
}

int
strads__job_new(const strads_app_t *app, void *shared,
    const strads_job_opts_t *o, strads_job_result_t *res, strads__job_t **jp)
{
	strads__job_t *job;
	int i, n, err;

	if (app == NULL || o == NULL || res == NULL || o->nparams == 0 ||
	    o->nrows == 0 || app->push == NULL ||
	    (app->pull == NULL && o->schedule != STRADS_SCHEDULE_ROTATION) ||
	    app->worker_init == NULL || app->objective == NULL)
		return STRADS_EINVAL;
	if (o->schedule == STRADS_SCHEDULE_ROTATION && app->pairs != 0)
		return STRADS_EINVAL; /* a rotation part has one contributor */
	if (o->schedule == STRADS_SCHEDULE_WORKSET && app->score == NULL)
		return STRADS_EINVAL; /* working sets are chosen by score */
	if (o->nworkers <= 0)
		return STRADS_EINVAL;
	memset(res, 0, sizeof(*res));
	job = calloc(1, sizeof(*job));
	if (job == NULL)
		return STRADS_ENOMEM;
	job->app = app;
	job->shared = shared;
	job->o = *o;
	if (job->o.block == 0)
		job->o.block = o->schedule != STRADS_SCHEDULE_WORKSET ? 64 : o->nparams;
	if (app->pairs > STRADS__PAIRS_MAX && job->o.block > STRADS__PAIRS_MAX)
		job->o.block = STRADS__PAIRS_MAX; /* n x n terms must fit a frame */
	if (job->o.depth == 0)
		job->o.depth = 2;
	if (o->schedule == STRADS_SCHEDULE_CYCLIC)
		job->o.depth = 1; /* a sweep proposes after seeing what moved */
	job->p = o->nparams;
	job->nworkers = o->nworkers;
	if ((uint64_t)job->nworkers > o->nrows)
		job->nworkers = (int)o->nrows;
	job->nstores = o->nstores > 0 ? o->nstores : 1;
	job->nscheds = o->nschedulers > 0 ? o->nschedulers : 1;
	if ((uint32_t)job->nstores > job->p)
		job->nstores = (int)job->p;
	if ((uint32_t)job->nscheds > job->p)
		job->nscheds = (int)job->p;
	job->res = res;
	job->workers = calloc((size_t)job->nworkers, sizeof(strads_addr_t));
	job->stores = calloc((size_t)job->nstores, sizeof(strads_addr_t));
	job->scheds = calloc((size_t)job->nscheds, sizeof(strads_addr_t));
	job->worker_node = calloc((size_t)job->nworkers, sizeof(uint32_t));
	job->store_node = calloc((size_t)job->nstores, sizeof(uint32_t));
	job->sched_node = calloc((size_t)job->nscheds, sizeof(uint32_t));
	job->store_range = calloc((size_t)job->nstores, sizeof(strads_range_t));
	job->sched_range = calloc((size_t)job->nscheds, sizeof(strads_range_t));
	job->shards = calloc((size_t)job->nworkers, sizeof(strads_shard_t));
	n = job->nworkers + job->nstores + job->nscheds + 1;
	job->args = calloc((size_t)n, sizeof(*job->args));
	atomic_init(&job->report, strads_msg_new(ENG_STOP, 4));
	if (atomic_load(&job->report) == NULL || job->workers == NULL ||
	    job->stores == NULL || job->scheds == NULL || job->worker_node == NULL ||
	    job->store_node == NULL || job->sched_node == NULL || job->store_range == NULL ||
	    job->sched_range == NULL || job->shards == NULL || job->args == NULL ||
	    strads__progq_new(&job->progress) != 0 || uv_sem_init(&job->done, 0) != 0) {
		strads__job_free(job);
		return STRADS_ENOMEM;
	}
	job->sem_ok = 1;
	split(job->store_range, job->nstores, job->p);
	split(job->sched_range, job->nscheds, job->p);
	for (i = 0; i < job->nworkers; i++) {
		job->shards[i].index = (uint32_t)i;
		job->shards[i].count = (uint32_t)job->nworkers;
		job->shards[i].row_begin = o->nrows * (uint64_t)i / (uint64_t)job->nworkers;
		job->shards[i].row_end = o->nrows * (uint64_t)(i + 1) / (uint64_t)job->nworkers;
	}
	if ((err = tables_new(job, o)) != 0) {
		strads__job_free(job);
		return err;
	}
	*jp = job;
	return 0;
}

/* Spawns one role; the job's alive count already includes it. */
static int
spawn_role(strads_runtime_t *rt, strads__job_t *job, int role, int k)
{
	strads__role_arg_t *arg;
	const strads_actor_type_t *type;
	strads_addr_t *addr;
	int err;

	switch (role) {
	case ROLE_STORE:
		arg = &job->args[k];
		type = &strads__store_type;
		addr = &job->stores[k];
		break;
	case ROLE_SCHED:
		arg = &job->args[job->nstores + k];
		type = &strads__scheduler_type;
		addr = &job->scheds[k];
		break;
	case ROLE_WORKER:
		arg = &job->args[job->nstores + job->nscheds + k];
		type = &strads__worker_type;
		addr = &job->workers[k];
		break;
	default:
		arg = &job->args[job->nstores + job->nscheds + job->nworkers];
		type = &strads__coordinator_type;
		addr = &job->coord;
		break;
	}
	arg->job = job;
	arg->index = k;
	err = strads_spawn(rt, type, -1, arg, addr);
	arg->up = err == 0;
	return err;
}

/* Spawns the roles of this node (coord: the coordinator alone, which
 * goes last, once every address it hands out is known); see schmp.h
 * for what a failure leaves. */
int
strads__job_spawn(strads_runtime_t *rt, strads__job_t *job, int coord)
{
	uint32_t me = strads_runtime_node(rt);
	int i, n = 0, spawned = 0, err = 0;

	for (i = 0; i < job->nstores; i++)
		n += job->store_node[i] == me;
	for (i = 0; i < job->nscheds; i++)
		n += job->sched_node[i] == me;
	for (i = 0; i < job->nworkers; i++)
		n += job->worker_node[i] == me;
	if (coord)
		n = 1;
	atomic_fetch_add(&job->alive, n);
	if (coord) {
		spawned = (err = spawn_role(rt, job, ROLE_COORD, 0)) == 0;
	} else {
		/* Roles are spread round-robin over the loops. */
		for (i = 0; i < job->nstores && err == 0; i++)
			if (job->store_node[i] == me)
				spawned += (err = spawn_role(rt, job, ROLE_STORE, i)) == 0;
		for (i = 0; i < job->nscheds && err == 0; i++)
			if (job->sched_node[i] == me)
				spawned += (err = spawn_role(rt, job, ROLE_SCHED, i)) == 0;
		for (i = 0; i < job->nworkers && err == 0; i++)
			if (job->worker_node[i] == me)
				spawned += (err = spawn_role(rt, job, ROLE_WORKER, i)) == 0;
	}
	if (err == 0)
		return 0;
	strads__job_stop_local(rt, job);
	for (i = spawned; i < n; i++)
		strads__job_role_stopped(job);
	return err;
}

void
strads__job_stop_local(strads_runtime_t *rt, strads__job_t *job)
{
	const strads__role_arg_t *a = job->args;
	int i;

	for (i = 0; i < job->nworkers; i++)
		if (a[job->nstores + job->nscheds + i].up)
			strads_post(rt, job->workers[i], strads_msg_new(ENG_STOP, 0));
	for (i = 0; i < job->nstores; i++)
		if (a[i].up)
			strads_post(rt, job->stores[i], strads_msg_new(ENG_STOP, 0));
	for (i = 0; i < job->nscheds; i++)
		if (a[job->nstores + i].up)
			strads_post(rt, job->scheds[i], strads_msg_new(ENG_STOP, 0));
}

int
strads_job_run(strads_runtime_t *rt, const strads_app_t *app, void *shared,
    const strads_job_opts_t *o, strads_job_result_t *res)
{
	strads__job_t *job;
	strads_job_opts_t lo;
	int i, err;

	if (o == NULL)
		return STRADS_EINVAL;
	lo = *o;
	if (lo.nworkers <= 0)
		lo.nworkers = strads_runtime_nloops(rt);
	if ((err = strads__job_new(app, shared, &lo, res, &job)) != 0)
		return err;
	job->staged = lo.next != NULL;
	if (job->tab_ssp >= 0 && job->ssp == NULL) {
		strads__job_free(job); /* the ssp table is the caller's here */
		return STRADS_EINVAL;
	}
	strads__eng_fault_arm();
	for (i = 0; i < job->nworkers; i++)
		job->worker_node[i] = strads_runtime_node(rt);
	for (i = 0; i < job->nstores; i++)
		job->store_node[i] = strads_runtime_node(rt);
	for (i = 0; i < job->nscheds; i++)
		job->sched_node[i] = strads_runtime_node(rt);
	/* The coordinator is spawned last, once every address it hands
	 * out is known. */
	if ((err = strads__job_spawn(rt, job, 0)) == 0)
		err = strads__job_spawn(rt, job, 1);
	if (err != 0)
		strads_log(STRADS_LOG_ERROR, "job: spawning roles: %s",
		    strads_strerror(err));
	/* On a failure nothing was started: strads__job_spawn told the
	 * roles it spawned to stop, and done is posted once they are gone.
	 * The runtime and its other jobs go on. Meanwhile this thread
	 * hands the progress to the subscribers (and, for a job of
	 * stages, runs o.next between them). */
	if (job->staged && err == 0)
		job_wait_stages(rt, job);
	else
		strads__job_wait(job);
	if (err == 0)
		err = job->status;
	if (err != 0 && res->tables != NULL) {
		uint32_t t;

		for (t = 0; t < res->ntables; t++)
			free(res->tables[t]);
		free(res->tables);
		res->tables = NULL;
		res->ntables = 0;
	}
	strads__job_free(job);
	return err;
}
