/*
 * pool.c -- the compute pool strads owns. Jobs are COMPUTE messages; a
 * pool thread runs the job's work, then posts the same message back to
 * its actor's loop, so completion is an ordinary message.
 */
#include "strads-int.h"

#include <stdlib.h>

struct strads__pool_s {
	strads_runtime_t *rt;
	uv_mutex_t lock;
	uv_cond_t cond;
	strads_msg_t *head, *tail; /* FIFO through next_ */
	int stopping;
	int joined;
	int nthreads;
	uv_thread_t *threads;
};

static void
pool_main(void *arg)
{
	strads__pool_t *p = arg;

	for (;;) {
		strads_msg_t *m;
		strads__work_t job;

		uv_mutex_lock(&p->lock);
		while (p->head == NULL && !p->stopping)
			uv_cond_wait(&p->cond, &p->lock);
		m = p->head;
		if (m == NULL) {
			uv_mutex_unlock(&p->lock);
			return;
		}
		p->head = m->next_;
		if (p->head == NULL)
			p->tail = NULL;
		uv_mutex_unlock(&p->lock);

		memcpy(&job, m->data, sizeof(job));
		job.work(job.done.arg);
		strads__loop_push(
		    &p->rt->loops[STRADS_ACTOR_LOOP(m->dst.actor)], m, m);
	}
}

int
strads__pool_new(strads__pool_t **pp, strads_runtime_t *rt, int n)
{
	strads__pool_t *p = calloc(1, sizeof(*p));
	int i;

	if (p == NULL)
		return STRADS_ENOMEM;
	p->rt = rt;
	p->threads = calloc((size_t)n, sizeof(*p->threads));
	if (p->threads == NULL || uv_mutex_init(&p->lock) != 0) {
		free(p->threads);
		free(p);
		return STRADS_ENOMEM;
	}
	if (uv_cond_init(&p->cond) != 0) {
		uv_mutex_destroy(&p->lock);
		free(p->threads);
		free(p);
		return STRADS_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (uv_thread_create(&p->threads[i], pool_main, p) != 0)
			break;
		p->nthreads++;
	}
	if (p->nthreads == 0) {
		strads__pool_shutdown(p);
		strads__pool_free(p);
		return STRADS_ENOMEM;
	}
	*pp = p;
	return 0;
}

int
strads__pool_submit(strads__pool_t *p, strads_msg_t *m)
{
	m->next_ = NULL;
	uv_mutex_lock(&p->lock);
	if (p->stopping) {
		uv_mutex_unlock(&p->lock);
		return STRADS_ECLOSED;
	}
	if (p->tail != NULL)
		p->tail->next_ = m;
	else
		p->head = m;
	p->tail = m;
	uv_cond_signal(&p->cond);
	uv_mutex_unlock(&p->lock);
	return 0;
}

void
strads__pool_shutdown(strads__pool_t *p)
{
	int i;

	uv_mutex_lock(&p->lock);
	p->stopping = 1;
	uv_cond_broadcast(&p->cond);
	uv_mutex_unlock(&p->lock);
	if (p->joined)
		return;
	for (i = 0; i < p->nthreads; i++)
		uv_thread_join(&p->threads[i]);
	p->joined = 1;
}

void
strads__pool_free(strads__pool_t *p)
{
	if (p == NULL)
		return;
	uv_cond_destroy(&p->cond);
	uv_mutex_destroy(&p->lock);
	free(p->threads);
	free(p);
}
