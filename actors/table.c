/*
 * table.c -- the table-shard actor: owns one partition of an SSP table
 * (a contiguous key range of a dense table, or the keys of a sparse one
 * that hash to it), applies the clients' updates clock by clock, answers
 * reads once they are fresh enough and writes checkpoints.
 *
 * A client's updates of clock k wait here until its CLOCK(k) arrives and
 * are applied then, once: the state always holds exactly the updates of
 * clocks < clk[i] of each client i (the client side relies on that, see
 * src/table.c). Per-pair ordering puts every update of clock k before
 * CLOCK(k), so an update for a clock already applied is a protocol
 * error, never a resend: there is no resend, and an update is applied
 * exactly once because its message is delivered exactly once.
 */
#include "table.h"

#include <stdio.h>
#include <stdlib.h>

/* A message kept past its callback (a shared envelope). */
typedef struct held_s {
	struct held_s *next;
	strads_msg_t *m;
	uint64_t need; /* GET, CKPT: the min clock it waits for */
} held_t;

/* A checkpoint on the compute pool: a copy of the partition. */
typedef struct ckjob_s {
	struct ckjob_s *next;
	const strads_table_t *t;
	strads_addr_t to;
	uint64_t req, seq, nent;
	int shard, status;
	uint64_t *clk, *keys;
	double *rows;
	char dir[TBL_MAX_DIR + 1];
	char err[TBL_MAX_ERRMSG];
} ckjob_t;

typedef struct {
	strads_table_t *t;
	int index;
	uint32_t w, nclients;
	uint64_t begin, end; /* dense: keys [begin, end) */
	double *dense;       /* (end - begin) x w */
	strads__tmap_t sparse; /* key -> w doubles */
	uint64_t *clk;       /* per client: clocks applied */
	uint64_t min, version;
	held_t **qhead, **qtail; /* per client: updates awaiting CLOCK */
	held_t *held;        /* reads and checkpoints awaiting min */
	ckjob_t *jobs;
	uint64_t ckseq;
} shard_t;

static void
held_free(held_t *h)
{
	while (h != NULL) {
		held_t *next = h->next;

		strads_msg_free(h->m);
		free(h);
		h = next;
	}
}

static void
job_free(ckjob_t *j)
{
	free(j->clk);
	free(j->keys);
	free(j->rows);
	free(j);
}

static void
shard_free(shard_t *s)
{
	uint32_t i;

	for (i = 0; s->qhead != NULL && i < s->nclients; i++)
		held_free(s->qhead[i]);
	held_free(s->held);
	while (s->jobs != NULL) {
		ckjob_t *j = s->jobs;

		s->jobs = j->next;
		job_free(j);
	}
	free(s->qhead);
	free(s->qtail);
	free(s->clk);
	free(s->dense);
	strads__tmap_fini(&s->sparse);
}

/* Takes the restored partition, if any. */
static int
shard_restore(shard_t *s, strads__tshard_init_t *in)
{
	uint64_t k;

	if (in->rows == NULL)
		return 0;
	if (s->t->kind == STRADS_TABLE_DENSE) {
		memcpy(s->dense, in->rows, (size_t)in->nent * s->w * sizeof(double));
	} else {
		for (k = 0; k < in->nent; k++) {
			double *row = strads__tmap_get(&s->sparse, in->keys[k]);

			if (row == NULL)
				return -1;
			memcpy(row, in->rows + k * s->w, s->w * sizeof(double));
		}
	}
	free(in->keys);
	free(in->rows);
	in->keys = NULL;
	in->rows = NULL;
	return 0;
}

static int
shard_init(strads_actor_t *self, void *arg)
{
	shard_t *s = strads_actor_state(self);
	strads__tshard_init_t *in = arg;
	strads_table_t *t = in->table;

	s->t = t;
	s->index = in->index;
	s->w = t->width;
	s->nclients = t->nclients;
	strads__tmap_init(&s->sparse, (size_t)s->w * sizeof(double));
	if (t->kind == STRADS_TABLE_DENSE) {
		strads__table_range(t, s->index, &s->begin, &s->end);
		s->dense = calloc((size_t)(s->end - s->begin) * s->w + 1,
		    sizeof(double));
	}
	s->clk = calloc(s->nclients, sizeof(*s->clk));
	s->qhead = calloc(s->nclients, sizeof(*s->qhead));
	s->qtail = calloc(s->nclients, sizeof(*s->qtail));
	if ((t->kind == STRADS_TABLE_DENSE && s->dense == NULL) ||
	    s->clk == NULL || s->qhead == NULL || s->qtail == NULL ||
	    shard_restore(s, in) != 0) {
		strads_log(STRADS_LOG_ERROR, "table %s shard %d: out of memory",
		    t->name, s->index);
		shard_free(s);
		return -1;
	}
	return 0;
}

static void
shard_stop(strads_actor_t *self)
{
	shard_free(strads_actor_state(self));
}

static void
reject(shard_t *s, const strads_msg_t *m, const char *why)
{
	TBL_COUNT(s->t, rejected, 1);
	strads_log(STRADS_LOG_WARN, "table %s shard %d: %s message from "
	    "%u:%08x dropped: %s", s->t->name, s->index,
	    strads__msg_name(m->type), m->src.node, m->src.actor, why);
}

static int
owns(const shard_t *s, uint64_t key)
{
	if (s->t->kind == STRADS_TABLE_DENSE)
		return key >= s->begin && key < s->end;
	return strads__table_shard_of(s->t, key) == s->index;
}

/* ------------------------------------------------------------------ */
/* Updates and clocks.                                                  */

static size_t
entry_bytes(const shard_t *s)
{
	return 16 + (size_t)s->w * sizeof(double);
}

/* Checks an UPDATE whole, so applying it later cannot fail halfway. */
static const char *
update_check(const shard_t *s, const strads_msg_t *m)
{
	uint32_t id = strads__get32(m->data), n, i;

	n = strads__get32(m->data + 4);
	if (id >= s->nclients)
		return "unknown client";
	if ((uint64_t)m->len != TBL_UPDATE_HDR + (uint64_t)n * entry_bytes(s))
		return "bad length";
	if (strads__get64(m->data + 8) != s->clk[id])
		return "update for a clock already applied (or not yet begun)";
	for (i = 0; i < n; i++) {
		const uint8_t *e = m->data + TBL_UPDATE_HDR + i * entry_bytes(s);

		if (!owns(s, strads__get64(e)))
			return "key of another shard";
		if ((strads__get64(e + 8) & ~(uint64_t)TBL_PUT) != 0)
			return "unknown flags";
	}
	return NULL;
}

static void
on_update(shard_t *s, const strads_msg_t *m)
{
	const char *why = update_check(s, m);
	uint32_t id;
	held_t *h;

	if (why != NULL) {
		reject(s, m, why);
		return;
	}
	id = strads__get32(m->data);
	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->m = strads_msg_share(m, m->type)) == NULL) {
		free(h);
		reject(s, m, "out of memory");
		return;
	}
	if (s->qtail[id] != NULL)
		s->qtail[id]->next = h;
	else
		s->qhead[id] = h;
	s->qtail[id] = h;
}

static double *
row_at(shard_t *s, uint64_t key)
{
	if (s->t->kind == STRADS_TABLE_DENSE)
		return s->dense + (key - s->begin) * s->w;
	return strads__tmap_get(&s->sparse, key);
}

static void
apply(shard_t *s, const strads_msg_t *m)
{
	uint32_t n = strads__get32(m->data + 4), i, j;
	double *row, v[64];

	for (i = 0; i < n; i++) {
		const uint8_t *e = m->data + TBL_UPDATE_HDR + i * entry_bytes(s);

		if ((row = row_at(s, strads__get64(e))) == NULL) {
			strads_log(STRADS_LOG_ERROR, "table %s shard %d: out of "
			    "memory: an update is lost", s->t->name, s->index);
			continue;
		}
		if (strads__get64(e + 8) & TBL_PUT) {
			tbl_getf(row, e + 16, s->w);
			continue;
		}
		/* Received bytes need not be aligned: copy in chunks. */
		for (j = 0; j < s->w; j += 64) {
			uint32_t c = s->w - j < 64 ? s->w - j : 64, q;

			tbl_getf(v, e + 16 + (size_t)j * 8, c);
			for (q = 0; q < c; q++)
				row[j + q] += v[q];
		}
	}
	TBL_COUNT(s->t, updates, n);
}

static void serve_held(strads_actor_t *self, shard_t *s);

static void
on_clock(strads_actor_t *self, shard_t *s, const strads_msg_t *m)
{
	uint32_t id = strads__get32(m->data), i;
	uint64_t old = s->min;
	held_t *h;

	if (strads__get32(m->data + 4) != s->t->tag) {
		reject(s, m, "the client's table has another layout (attached "
		    "with other options?)");
		return;
	}
	if (id >= s->nclients || strads__get64(m->data + 8) != s->clk[id]) {
		reject(s, m, "clock out of order");
		return;
	}
	for (h = s->qhead[id]; h != NULL; h = h->next)
		apply(s, h->m);
	held_free(s->qhead[id]);
	s->qhead[id] = s->qtail[id] = NULL;
	s->clk[id]++;
	s->version++;
	TBL_COUNT(s->t, clocks, 1);
	s->min = UINT64_MAX;
	for (i = 0; i < s->nclients; i++)
		if (s->clk[i] < s->min)
			s->min = s->clk[i];
	if (s->min > old)
		serve_held(self, s);
}

/* ------------------------------------------------------------------ */
/* Reads.                                                               */

static void
reply_rows(strads_actor_t *self, shard_t *s, const strads_msg_t *g)
{
	uint32_t n = strads__get32(g->data + 20), i;
	size_t vec = (size_t)s->nclients * 8;
	strads_msg_t *m;
	uint8_t *v;

	m = strads_msg_new(TBL_ROWS, TBL_ROWS_HDR + vec + (size_t)n * s->w * 8);
	if (m == NULL) {
		reject(s, g, "out of memory");
		return;
	}
	strads__put64(m->data, strads__get64(g->data));
	strads__put64(m->data + 8, s->version);
	strads__put32(m->data + 16, (uint32_t)s->index);
	strads__put32(m->data + 20, n);
	strads__put32(m->data + 24, s->nclients);
	strads__put32(m->data + 28, s->w);
	for (i = 0; i < s->nclients; i++)
		strads__put64(m->data + TBL_ROWS_HDR + (size_t)i * 8, s->clk[i]);
	v = m->data + TBL_ROWS_HDR + vec;
	for (i = 0; i < n; i++) {
		uint64_t key = strads__get64(g->data + TBL_GET_HDR + (size_t)i * 8);
		const double *row = s->t->kind == STRADS_TABLE_DENSE ?
		    s->dense + (key - s->begin) * s->w :
		    strads__tmap_find(&s->sparse, key);

		if (row != NULL)
			tbl_putf(v + (size_t)i * s->w * 8, row, s->w);
		else
			memset(v + (size_t)i * s->w * 8, 0, (size_t)s->w * 8);
	}
	strads_send(self, g->src, m);
}

static const char *
get_check(const shard_t *s, const strads_msg_t *m)
{
	uint32_t n = strads__get32(m->data + 20), i;

	if ((uint64_t)m->len != TBL_GET_HDR + (uint64_t)n * 8)
		return "bad length";
	for (i = 0; i < n; i++)
		if (!owns(s, strads__get64(m->data + TBL_GET_HDR + (size_t)i * 8)))
			return "key of another shard";
	return NULL;
}

/* Keeps m until min >= need. */
static void
hold(shard_t *s, const strads_msg_t *m, uint64_t need)
{
	held_t *h = calloc(1, sizeof(*h));

	if (h == NULL || (h->m = strads_msg_share(m, m->type)) == NULL) {
		free(h);
		reject(s, m, "out of memory");
		return;
	}
	h->m->src = m->src; /* a shared envelope has the payload only */
	h->m->dst = m->dst;
	h->need = need;
	h->next = s->held;
	s->held = h;
}

static void start_ckpt(strads_actor_t *self, shard_t *s, const strads_msg_t *m);

static void
on_get(strads_actor_t *self, shard_t *s, const strads_msg_t *m)
{
	const char *why = get_check(s, m);
	uint64_t need = strads__get64(m->data + 8);

	if (why != NULL) {
		reject(s, m, why);
		return;
	}
	TBL_COUNT(s->t, shard_gets, 1);
	if (s->min >= need) {
		reply_rows(self, s, m);
		return;
	}
	TBL_COUNT(s->t, held_gets, 1);
	hold(s, m, need);
}

/* Answers, in arrival order, what the clocks now allow. */
static void
serve_held(strads_actor_t *self, shard_t *s)
{
	held_t *keep = NULL, *ready = NULL, *h, *next;

	for (h = s->held; h != NULL; h = next) {
		next = h->next;
		if (s->min >= h->need) {
			h->next = ready;
			ready = h;
		} else {
			h->next = keep;
			keep = h;
		}
	}
	/* Both lists came out reversed: ready is now oldest first. */
	s->held = NULL;
	for (h = keep; h != NULL; h = next) {
		next = h->next;
		h->next = s->held;
		s->held = h;
	}
	for (h = ready; h != NULL; h = h->next) {
		if (h->m->type == TBL_GET)
			reply_rows(self, s, h->m);
		else
			start_ckpt(self, s, h->m);
	}
	held_free(ready);
}

/* ------------------------------------------------------------------ */
/* Checkpoints.                                                         */

static void
ckpt_done(strads_actor_t *self, shard_t *s, ckjob_t *j)
{
	size_t ml = j->status != 0 ? strlen(j->err) : 0;
	strads_msg_t *m = strads_msg_new(TBL_CKPT_DONE, TBL_DONE_HDR + ml);

	if (j->status != 0)
		strads_log(STRADS_LOG_ERROR, "table %s shard %d: checkpoint: %s",
		    s->t->name, s->index, j->err);
	if (m == NULL)
		return;
	strads__put64(m->data, j->req);
	strads__put32(m->data + 8, (uint32_t)j->status);
	strads__put32(m->data + 12, (uint32_t)s->index);
	strads__put32(m->data + 16, (uint32_t)ml);
	strads__put32(m->data + 20, 0);
	memcpy(m->data + TBL_DONE_HDR, j->err, ml);
	strads_send(self, j->to, m);
}

static void
ckpt_work(void *arg)
{
	ckjob_t *j = arg;

	j->status = strads__table_file_write(j->t, j->dir, j->shard, j->clk,
	    j->nent, j->keys, j->rows, j->seq, j->err, sizeof(j->err));
}

/* Copies the partition so the shard keeps serving while a compute
 * thread writes it. */
static int
ckpt_copy(shard_t *s, ckjob_t *j)
{
	uint64_t n = s->t->kind == STRADS_TABLE_DENSE ? s->end - s->begin :
	    s->sparse.n, i;

	j->nent = n;
	j->clk = malloc(s->nclients * sizeof(uint64_t));
	j->keys = malloc((size_t)(n ? n : 1) * sizeof(uint64_t));
	j->rows = malloc((size_t)(n ? n : 1) * s->w * sizeof(double));
	if (j->clk == NULL || j->keys == NULL || j->rows == NULL)
		return STRADS_ENOMEM;
	memcpy(j->clk, s->clk, s->nclients * sizeof(uint64_t));
	for (i = 0; i < n; i++)
		j->keys[i] = s->t->kind == STRADS_TABLE_DENSE ? s->begin + i :
		    s->sparse.keys[i];
	if (n > 0)
		memcpy(j->rows, s->t->kind == STRADS_TABLE_DENSE ? s->dense :
		    (double *)s->sparse.vals, (size_t)n * s->w * sizeof(double));
	return 0;
}

static void
start_ckpt(strads_actor_t *self, shard_t *s, const strads_msg_t *m)
{
	uint32_t dl = strads__get32(m->data + 20);
	ckjob_t *j = calloc(1, sizeof(*j));
	int rc;

	if (j == NULL) {
		reject(s, m, "out of memory");
		return;
	}
	j->t = s->t;
	j->to = m->src;
	j->req = strads__get64(m->data);
	j->shard = s->index;
	j->seq = s->ckseq++;
	memcpy(j->dir, m->data + TBL_CKPT_HDR, dl);
	j->dir[dl] = '\0';
	/* Once strads_compute() has queued it, the job (j->status too)
	 * belongs to the compute thread, which may already be writing it:
	 * never store the queueing result there. */
	rc = ckpt_copy(s, j);
	if (rc == 0)
		rc = strads_compute(self, ckpt_work, j, 0);
	if (rc != 0) {
		j->status = rc;
		snprintf(j->err, sizeof(j->err), "%.900s/table-%s-%d.bin: %s", j->dir,
		    s->t->name, s->index, strads_strerror(j->status));
		ckpt_done(self, s, j);
		job_free(j);
		return;
	}
	j->next = s->jobs;
	s->jobs = j;
}

static void
on_ckpt(strads_actor_t *self, shard_t *s, const strads_msg_t *m)
{
	uint32_t dl = strads__get32(m->data + 20);
	uint64_t need = strads__get64(m->data + 8);

	if ((uint64_t)m->len != TBL_CKPT_HDR + (uint64_t)dl || dl == 0 ||
	    dl > TBL_MAX_DIR || memchr(m->data + TBL_CKPT_HDR, 0, dl) != NULL) {
		reject(s, m, "bad checkpoint request");
		return;
	}
	if (s->min >= need)
		start_ckpt(self, s, m);
	else
		hold(s, m, need);
}

static void
on_compute(strads_actor_t *self, shard_t *s, const strads_msg_t *m)
{
	strads_compute_done_t d;
	ckjob_t **pp, *j;

	memcpy(&d, m->data, sizeof(d));
	for (pp = &s->jobs; *pp != NULL && *pp != d.arg; pp = &(*pp)->next)
		;
	STRADS__ASSERT(*pp != NULL);
	j = *pp;
	*pp = j->next;
	ckpt_done(self, s, j);
	job_free(j);
}

/* ------------------------------------------------------------------ */

/* The fixed part of each request: local messages skip the codec. */
static int
long_enough(const strads_msg_t *m)
{
	switch (m->type) {
	case TBL_UPDATE:
		return m->len >= TBL_UPDATE_HDR;
	case TBL_CLOCK:
		return m->len == 16;
	case TBL_GET:
		return m->len >= TBL_GET_HDR;
	case TBL_CKPT:
		return m->len >= TBL_CKPT_HDR;
	default:
		return 1;
	}
}

static void
shard_recv(strads_actor_t *self, const strads_msg_t *m)
{
	shard_t *s = strads_actor_state(self);

	if (!long_enough(m)) {
		reject(s, m, "too short");
		return;
	}
	switch (m->type) {
	case TBL_UPDATE:
		on_update(s, m);
		return;
	case TBL_CLOCK:
		on_clock(self, s, m);
		return;
	case TBL_GET:
		on_get(self, s, m);
		return;
	case TBL_CKPT:
		on_ckpt(self, s, m);
		return;
	case STRADS_MSG_COMPUTE:
		on_compute(self, s, m);
		return;
	default:
		reject(s, m, "unexpected type");
		return;
	}
}

const strads_actor_type_t strads__table_shard_type = {
    "table-shard", sizeof(shard_t), shard_init, shard_recv, shard_stop};
