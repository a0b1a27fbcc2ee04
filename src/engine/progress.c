/*
 * progress.c -- progress records and their subscribers: the queue from
 * the coordinator role to the job's thread, the built-in subscribers
 * (the metrics file, JSON lines; the progress line on stderr), and the
 * record helpers of the public API.
 *
 * The coordinator must never wait for a subscriber, so the queue is a
 * bounded ring under a mutex that either side holds only to copy one
 * record: a full ring coalesces (the newest queued record is replaced)
 * instead of blocking. Replacing the newest keeps the order of what is
 * delivered and makes sure the last check always reaches the
 * subscribers, which is the record a progress line or a status page
 * needs; the metrics file then misses the replaced ones, and every
 * record says how many were dropped so far.
 */
#include "progress.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* One queued record. node and upd are the slot's own arrays (cap
 * entries, owned), which rec points to. */
typedef struct {
	strads_progress_t rec;
	uint32_t *node;
	uint64_t *upd;
	int cap;
} slot_t;

struct strads__progq_s {
	uv_mutex_t lock;
	uv_cond_t cond;
	slot_t slot[STRADS_PROGRESS_QUEUE];
	int head, n; /* the oldest record, and how many are queued */
	int closed;
	int paused; /* a stage ended (strads__progq_pause), not yet taken */
	uint64_t dropped;
};

int
strads_progress_add(
    strads_progress_t *p, const char *name, double value, int count)
{
	const char *s;

	if (p == NULL || name == NULL || *name == '\0' || p->nvalues < 0 ||
	    p->nvalues >= STRADS_PROGRESS_VALUES)
		return STRADS_EINVAL;
	/* Names are JSON keys written verbatim: no quoting needed. */
	for (s = name; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return STRADS_EINVAL;
	p->values[p->nvalues].name = name;
	p->values[p->nvalues].value = value;
	p->values[p->nvalues].count = count != 0;
	p->nvalues++;
	return 0;
}

double
strads_progress_value(const strads_progress_t *p, const char *name)
{
	int i, n;

	if (p == NULL || name == NULL)
		return NAN;
	n = p->nvalues < STRADS_PROGRESS_VALUES ? p->nvalues : STRADS_PROGRESS_VALUES;
	for (i = 0; i < n; i++)
		if (strcmp(p->values[i].name, name) == 0)
			return p->values[i].value;
	return NAN;
}

int
strads__progq_new(strads__progq_t **qp)
{
	strads__progq_t *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return STRADS_ENOMEM;
	if (uv_mutex_init(&q->lock) != 0) {
		free(q);
		return STRADS_ENOMEM;
	}
	if (uv_cond_init(&q->cond) != 0) {
		uv_mutex_destroy(&q->lock);
		free(q);
		return STRADS_ENOMEM;
	}
	*qp = q;
	return 0;
}

void
strads__progq_free(strads__progq_t *q)
{
	int i;

	if (q == NULL)
		return;
	for (i = 0; i < STRADS_PROGRESS_QUEUE; i++) {
		free(q->slot[i].node);
		free(q->slot[i].upd);
	}
	uv_cond_destroy(&q->cond);
	uv_mutex_destroy(&q->lock);
	free(q);
}

/* Makes room for n nodes in s (under the lock; the coordinator's only
 * allocation, once per growth of the cluster). 0 or -1. */
static int
slot_reserve(slot_t *s, int n)
{
	uint32_t *node;
	uint64_t *upd;

	if (n <= s->cap)
		return 0;
	if ((node = realloc(s->node, (size_t)n * sizeof(*node))) == NULL)
		return -1;
	s->node = node;
	if ((upd = realloc(s->upd, (size_t)n * sizeof(*upd))) == NULL)
		return -1;
	s->upd = upd;
	s->cap = n;
	return 0;
}

void
strads__progq_put(strads__progq_t *q, const strads_progress_t *rec)
{
	slot_t *s;

	uv_mutex_lock(&q->lock);
	if (q->closed) {
		uv_mutex_unlock(&q->lock);
		return;
	}
	if (q->n == STRADS_PROGRESS_QUEUE) {
		s = &q->slot[(q->head + q->n - 1) % STRADS_PROGRESS_QUEUE];
		q->dropped++;
	} else {
		s = &q->slot[(q->head + q->n) % STRADS_PROGRESS_QUEUE];
		q->n++;
	}
	s->rec = *rec;
	s->rec.dropped = q->dropped;
	s->rec.node = NULL;
	s->rec.node_updates = NULL;
	if (rec->nnodes > 0 && rec->node != NULL && rec->node_updates != NULL &&
	    slot_reserve(s, rec->nnodes) == 0) {
		memcpy(
		    s->node, rec->node, (size_t)rec->nnodes * sizeof(*s->node));
		memcpy(s->upd, rec->node_updates,
		    (size_t)rec->nnodes * sizeof(*s->upd));
		s->rec.node = s->node;
		s->rec.node_updates = s->upd;
	} else {
		/* One process, or no memory for the copy: no node counts. */
		s->rec.nnodes = 0;
	}
	uv_cond_signal(&q->cond);
	uv_mutex_unlock(&q->lock);
}

void
strads__progq_close(strads__progq_t *q)
{
	uv_mutex_lock(&q->lock);
	q->closed = 1;
	uv_cond_signal(&q->cond);
	uv_mutex_unlock(&q->lock);
}

void
strads__progq_pause(strads__progq_t *q)
{
	uv_mutex_lock(&q->lock);
	q->paused = 1;
	uv_cond_signal(&q->cond);
	uv_mutex_unlock(&q->lock);
}

/* Takes the oldest record into *out, whose arrays are swapped with the
 * slot's, so neither side allocates. 0; -1 when the queue is closed
 * and empty; 1 when it is paused and empty (the pause taken). */
static int
take(strads__progq_t *q, slot_t *out)
{
	slot_t *s, t;

	uv_mutex_lock(&q->lock);
	while (q->n == 0 && !q->closed && !q->paused)
		uv_cond_wait(&q->cond, &q->lock);
	if (q->n == 0) {
		/* A close (the job's end) wins over a pause. */
		int paused = q->paused && !q->closed;

		q->paused = 0;
		uv_mutex_unlock(&q->lock);
		return paused ? 1 : -1;
	}
	s = &q->slot[q->head];
	t = *s;
	s->node = out->node;
	s->upd = out->upd;
	s->cap = out->cap;
	*out = t;
	q->head = (q->head + 1) % STRADS_PROGRESS_QUEUE;
	q->n--;
	uv_mutex_unlock(&q->lock);
	return 0;
}

/* The metrics file: one JSON object per record. */
typedef struct {
	const char *path;
	FILE *f;
} metrics_t;

/* A double as JSON: JSON has no inf or nan, so those are null. */
static void
put_num(FILE *f, int digits, double v)
{
	if (isfinite(v))
		fprintf(f, "%.*g", digits, v);
	else
		fputs("null", f);
}

static void
metrics_cb(void *arg, const strads_progress_t *p)
{
	metrics_t *m = arg;
	int i;

	if (m->f == NULL)
		return;
	fprintf(m->f, "{\"iter\": %llu, \"time_s\": %.6f, \"objective\": ",
	    (unsigned long long)p->iter, p->time_s);
	put_num(m->f, 17, p->objective);
	fprintf(m->f, ", \"updates\": %llu, \"bytes\": %llu",
	    (unsigned long long)p->updates, (unsigned long long)p->bytes);
	for (i = 0; i < p->nvalues && i < STRADS_PROGRESS_VALUES; i++) {
		fprintf(m->f, ", \"%s\": ", p->values[i].name);
		put_num(m->f, p->values[i].count ? 17 : 6, p->values[i].value);
	}
	if (p->nnodes > 0) {
		fprintf(m->f, ", \"updates_by_node\": {");
		for (i = 0; i < p->nnodes; i++)
			fprintf(m->f, "%s\"%u\": %llu", i ? ", " : "",
			    p->node[i], (unsigned long long)p->node_updates[i]);
		fprintf(m->f, "}");
	}
	fprintf(m->f, "}\n");
	/* Flushed per record: tests and tools follow the file live. One
	 * error is reported, then the file is given up. */
	if (fflush(m->f) != 0 || ferror(m->f)) {
		strads_log(STRADS_LOG_ERROR, "writing metrics to %s: %s",
		    m->path, strerror(errno));
		fclose(m->f);
		m->f = NULL;
	}
}

/* The progress line on stderr: on a terminal one live line, redrawn in
 * place (\r, then erase to the end of the line), else a line each: a log
 * or a pipe keeps every check, as the metrics file does. */
typedef struct {
	int tty;
	int cols;  /* the terminal's width, or 0 when unknown */
	int drawn; /* a live line is on the screen */
	const strads_job_opts_t *o; /* borrowed: the limits */
	int have;  /* a record came before: the change is from it */
	double last_obj;
} line_t;

/* Appends to buf (len bytes, *k used), truncating at its end. */
static void add(char *buf, size_t len, size_t *k, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
add(char *buf, size_t len, size_t *k, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*k >= len - 1)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *k, len - *k, fmt, ap);
	va_end(ap);
	if (w > 0)
		*k = *k + (size_t)w < len - 1 ? *k + (size_t)w : len - 1;
}

/* Seconds as 4.2s, 3m05s or 2h07m. */
static void
add_time(char *buf, size_t len, size_t *k, double s)
{
	long t = s > 0 && s < 1e9 ? (long)(s + 0.5) : 0;

	if (s < 59.95)
		add(buf, len, k, "%.1fs", s > 0 ? s : 0.0);
	else if (t < 3600)
		add(buf, len, k, "%ldm%02lds", t / 60, t % 60);
	else
		add(buf, len, k, "%ldh%02ldm", t / 3600, t % 3600 / 60);
}

/* strads.h. */
double
strads_progress_left(const strads_job_opts_t *o, const strads_progress_t *p,
    int *planned)
{
	double left = -1, total = 0;

	*planned = 0;
	if (o->time_limit_s > 0)
		left = o->time_limit_s > p->time_s ? o->time_limit_s - p->time_s : 0;
	if (o->max_rounds > 0) {
		if (o->schedule == STRADS_SCHEDULE_ROTATION) {
			if (o->nparts > 0) {
				total = (double)(o->max_rounds / o->nparts);
				*planned = 1;
			}
		} else {
			total = (double)o->max_rounds;
		}
	}
	if (total > 0 && p->iter > 0 && p->time_s > 0) {
		double r = (total > (double)p->iter ? total - (double)p->iter : 0) *
		    p->time_s / (double)p->iter;

		if (left < 0 || r < left)
			left = r;
		else
			*planned = 0; /* the time limit comes first */
	} else {
		*planned = 0;
	}
	return left;
}

static void
line_cb(void *arg, const strads_progress_t *p)
{
	line_t *l = arg;
	char buf[512];
	size_t k = 0;
	double left;
	int i, planned;

	add(buf, sizeof(buf), &k, "round %llu  ", (unsigned long long)p->iter);
	add_time(buf, sizeof(buf), &k, p->time_s);
	if ((left = strads_progress_left(l->o, p, &planned)) >= 0) {
		add(buf, sizeof(buf), &k, planned ? "  eta " : "  limit in ");
		add_time(buf, sizeof(buf), &k, left);
	}
	add(buf, sizeof(buf), &k, "  objective %.12g", p->objective);
	if (l->have && isfinite(p->objective) && isfinite(l->last_obj))
		add(buf, sizeof(buf), &k, "  change %.2e", p->objective - l->last_obj);
	for (i = 0; i < p->nvalues && i < STRADS_PROGRESS_VALUES; i++)
		if (p->values[i].count)
			add(buf, sizeof(buf), &k, "  %s %.0f",
			    p->values[i].name, p->values[i].value);
		else
			add(buf, sizeof(buf), &k, "  %s %.3e",
			    p->values[i].name, p->values[i].value);
	add(buf, sizeof(buf), &k, "  updates %llu",
	    (unsigned long long)p->updates);
	if (p->time_s > 0 && p->iter > 0)
		add(buf, sizeof(buf), &k, "  %.*f %s/s", (double)p->iter / p->time_s >= 10 ? 0 : 2,
		    (double)p->iter / p->time_s,
		    l->o->schedule == STRADS_SCHEDULE_ROTATION ? "sweeps" : "rounds");
	l->have = 1;
	l->last_obj = p->objective;
	if (l->tty) {
		/* A line wider than the terminal wraps, and \r goes back to the
		 * start of its last row only: each redraw would leave a row
		 * behind. */
		if (l->cols > 1 && k >= (size_t)l->cols)
			buf[l->cols - 1] = '\0';
		fprintf(stderr, "\r%s\033[K", buf);
		fflush(stderr);
		l->drawn = 1;
	} else {
		fprintf(stderr, "%s\n", buf);
	}
}

int
strads__progq_run(
    strads__progq_t *q, const strads_job_opts_t *o, int metrics, int append)
{
	metrics_t m;
	line_t l;
	slot_t r;
	uint64_t dropped;
	int i, rc;

	memset(&m, 0, sizeof(m));
	memset(&l, 0, sizeof(l));
	memset(&r, 0, sizeof(r));
	if (metrics && o->metrics_path != NULL) {
		m.path = o->metrics_path;
		if ((m.f = fopen(m.path, append ? "a" : "w")) == NULL)
			strads_log(STRADS_LOG_ERROR,
			    "cannot write metrics to %s: %s", m.path,
			    strerror(errno));
	}
	l.o = o;
	l.tty = isatty(STDERR_FILENO);
	if (l.tty) {
		struct winsize ws;

		if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0)
			l.cols = ws.ws_col;
	}
	while ((rc = take(q, &r)) == 0) {
		if (o->progress)
			line_cb(&l, &r.rec);
		metrics_cb(&m, &r.rec);
		for (i = 0; i < o->nsubscribers && o->subscribers != NULL; i++)
			if (o->subscribers[i].cb != NULL)
				o->subscribers[i].cb(
				    o->subscribers[i].arg, &r.rec);
	}
	if (l.drawn)
		fputc('\n', stderr);
	if (m.f != NULL && fclose(m.f) != 0)
		strads_log(STRADS_LOG_ERROR, "writing metrics to %s: %s",
		    m.path, strerror(errno));
	uv_mutex_lock(&q->lock);
	dropped = q->dropped;
	if (rc == 1)
		q->dropped = 0; /* counted again for the next stage */
	uv_mutex_unlock(&q->lock);
	if (dropped > 0)
		strads_log(STRADS_LOG_WARN,
		    "progress: %llu records dropped: the "
		    "subscribers fell behind",
		    (unsigned long long)dropped);
	free(r.node);
	free(r.upd);
	return rc == 1;
}
