/*
 * lda.c -- the LDA sampler as a rotation app (lda.h, doc/lda.md).
 *
 * Data rows are documents. Each worker indexes its documents' tokens by
 * word; holding a part of the vocabulary (rows of the word-topic table)
 * in a round, it samples every token of its documents whose word is in
 * the part, word by word. The per-token sampler is Metropolis-Hastings
 * with WarpLDA's O(1) proposals, alternating a word proposal (the topic
 * of another token of the same word in this worker's documents, or a
 * uniform topic) and a document proposal (the topic of another token of
 * the same document, or a uniform topic); the acceptance ratios use the
 * exact counts of the part, the document and the worker's view of the
 * topic totals, so no step costs O(K).
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "lda.h"

/* The calling thread's CPU time: the sampling rate it gives
 * (tokens_per_cpu_s) is what a core does, whatever else shares it. */
static uint64_t
thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Asks for transparent huge pages on the whole 2 MiB pages inside
 * [p, p + len), before they are first touched. The sampler reads the
 * document rows in word order, at random: with 4 KiB pages nearly every
 * read also missed the TLB. A hint: where it is refused, nothing
 * changes. */
static void
want_huge_pages(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t page = (uintptr_t)2 << 20;
	uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t e = ((uintptr_t)p + len) & ~(page - 1);

	if (e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}

/* Uniform in [0, n), n < 2^32 (Lemire's multiply, without the
 * rejection: the bias is below 2^-32). */
static inline uint32_t
below(app_rng_t *r, uint64_t n)
{
	return (uint32_t)(((app_rng_next(r) >> 32) * n) >> 32);
}

/* ------------------------------------------------------------------ */
/* Topic totals without the engine's ssp table (strads run: an app
 * cannot make one there, doc/lda.md). The same contract as an SSP table
 * of staleness lag, clocks being a worker's rounds: a read at clock c
 * sees every increment of clocks <= c - lag - 1 and all of the reader's
 * own, and waits until the others have finished those clocks. Worker w
 * keeps its cumulative increments after each clock in a ring of R
 * entries; no other worker can be more than lag clocks ahead of a
 * reader (it would wait for the reader), so R = 2 lag + 2 suffices. */

struct lda_totals_s {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint32_t W, K, R;
	uint64_t lag;
	int inf;
	uint64_t *done;  /* owned: W: clocks each worker finished */
	double *latest;  /* owned: W x K: cumulative increments */
	double *ring;    /* owned: W x R x K: cumulative after clock c, at c % R */
};

static void
totals_free(lda_totals_t *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
	free(t->done);
	free(t->latest);
	free(t->ring);
	free(t);
}

static lda_totals_t *
totals_new(uint32_t W, uint32_t K, uint64_t lag, int inf)
{
	lda_totals_t *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->W = W;
	t->K = K;
	t->lag = lag;
	t->inf = inf;
	t->R = inf ? 1 : (uint32_t)(2 * lag + 2);
	if (pthread_mutex_init(&t->lock, NULL) != 0) {
		free(t);
		return NULL;
	}
	if (pthread_cond_init(&t->cond, NULL) != 0) {
		pthread_mutex_destroy(&t->lock);
		free(t);
		return NULL;
	}
	t->done = calloc(W, sizeof(uint64_t));
	t->latest = calloc((size_t)W * K, sizeof(double));
	t->ring = calloc((size_t)W * t->R * K, sizeof(double));
	if (t->done == NULL || t->latest == NULL || t->ring == NULL) {
		totals_free(t);
		return NULL;
	}
	return t;
}

/* Reads the totals at clock into out; returns the drift of the read:
 * sum over k of |out[k] - the true total now| (every worker's latest). */
static double
totals_read(lda_totals_t *t, uint32_t w, uint64_t clock, double *out)
{
	uint32_t K = t->K, o, k;
	double drift = 0;

	pthread_mutex_lock(&t->lock);
	if (!t->inf && clock > t->lag) {
		for (;;) {
			for (o = 0; o < t->W; o++)
				if (o != w && t->done[o] < clock - t->lag)
					break;
			if (o == t->W)
				break;
			pthread_cond_wait(&t->cond, &t->lock);
		}
	}
	memcpy(out, t->latest + (size_t)w * K, K * sizeof(double));
	for (o = 0; o < t->W; o++) {
		const double *src;

		if (o == w)
			continue;
		if (t->inf)
			src = t->latest + (size_t)o * K;
		else if (clock > t->lag)
			src = t->ring + ((size_t)o * t->R + (clock - t->lag - 1) % t->R) * K;
		else
			continue;
		for (k = 0; k < K; k++)
			out[k] += src[k];
	}
	for (k = 0; k < K; k++) {
		double truth = 0;

		for (o = 0; o < t->W; o++)
			truth += t->latest[(size_t)o * K + k];
		drift += fabs(out[k] - truth);
	}
	pthread_mutex_unlock(&t->lock);
	return drift;
}

static void
totals_publish(lda_totals_t *t, uint32_t w, const double *delta)
{
	uint32_t K = t->K, k;
	double *lat = t->latest + (size_t)w * K;

	pthread_mutex_lock(&t->lock);
	for (k = 0; k < K; k++)
		lat[k] += delta[k];
	memcpy(t->ring + ((size_t)w * t->R + t->done[w] % t->R) * K, lat, K * sizeof(double));
	t->done[w]++;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

/* ------------------------------------------------------------------ */
/* Log-likelihood terms (the formula, lda.h).                  */

double
lda_loglik_docs(const int32_t *ndk, const uint64_t *doc_ptr, uint32_t ndocs, uint32_t K,
    double alpha)
{
	double s = 0, la = lgamma(alpha), lka = lgamma(K * alpha);
	uint32_t d, k;

	for (d = 0; d < ndocs; d++) {
		const int32_t *r = ndk + (size_t)d * K;

		s += lka - lgamma(K * alpha + (double)(doc_ptr[d + 1] - doc_ptr[d]));
		for (k = 0; k < K; k++)
			if (r[k] != 0)
				s += lgamma(alpha + r[k]) - la;
	}
	return s;
}

static double
words_term(const int32_t *nwk, uint64_t n, double beta, double lb, int64_t *sum)
{
	double s = 0;
	uint64_t i;

	for (i = 0; i < n; i++)
		if (nwk[i] != 0) {
			s += lgamma(beta + nwk[i]) - lb;
			*sum += nwk[i];
		}
	return s;
}

double
lda_loglik_words(const int32_t *nwk, uint32_t V, uint32_t K, double beta)
{
	int64_t sum = 0;

	return words_term(nwk, (uint64_t)V * K, beta, lgamma(beta), &sum);
}

double
lda_loglik_topics(const double *nk, uint32_t V, uint32_t K, double beta)
{
	double s = 0, vb = V * beta;
	uint32_t k;

	for (k = 0; k < K; k++)
		s += lgamma(vb) - lgamma(vb + nk[k]);
	return s;
}

/* ------------------------------------------------------------------ */
/* The worker.                                                         */

typedef struct {
	const lda_t *l;
	uint32_t index, count;
	uint64_t d0, nd;
	int32_t *ndk;    /* the engine's: nd x K document-topic counts */
	int32_t *z;      /* the engine's: nd x zwidth assignments */
	uint64_t *wptr;  /* owned: V + 1 offsets into tdoc, tpos */
	uint32_t *tdoc;  /* owned: local document of each token, by word */
	uint32_t *tpos;  /* owned: its position in the document */
	uint32_t *tz;    /* owned: its topic (a copy of the assign table's,
	                    in word order: a word proposal reads the topics
	                    of the word's tokens from memory in cache) */
	int32_t *myc;    /* owned: K; this word's local tokens by topic
	                    while it is sampled, else zero */
	double *nk;      /* owned: K; this round's view of the totals */
	double *inv;     /* owned: K; 1 / (nk + V beta), kept with nk (a
	                    token's steps then multiply, not divide) */
	double *tot;     /* owned: K; the totals read (lda_totals_t) */
	double *delta;   /* owned: K; the round's increments (lda_totals_t) */
	double *delta_p; /* borrowed: this round's increments (delta, or the
	                    engine's part->ssp_delta) */
	int64_t *mine;   /* owned: K; this worker's tokens by topic */
	uint64_t tokens; /* this worker's tokens */
	app_rng_t rng;
	uint64_t rounds;
	uint32_t nparts; /* the rotation's, from the last part held */
	int started;     /* its first counts added to the totals */
	double wterm;    /* word part of the log-likelihood over the parts
	                    this worker held last in sweep wsweep - 1 */
	int64_t wsum;
	uint64_t wsweep;
	uint64_t sample_ns;
	uint64_t cpu_ns;  /* the sampling's thread CPU time */
	double drift;    /* sum over rounds of the totals read's drift */
} ws_t;

static void
ws_free(void *arg)
{
	ws_t *w = arg;

	if (w == NULL)
		return;
	free(w->wptr);
	free(w->tdoc);
	free(w->tpos);
	free(w->tz);
	free(w->myc);
	free(w->nk);
	free(w->inv);
	free(w->tot);
	free(w->delta);
	free(w->mine);
	free(w);
}

static int
winit(void *shared, const strads_shard_t *sh, void **out)
{
	const lda_t *l = shared;
	const lda_corpus_t *c = l->c;
	uint32_t K = l->K, V = c->nwords, zw = l->zwidth;
	ws_t *w;
	uint64_t d, i, v;

	*out = NULL;
	if (sh->tables == NULL || sh->tables[LDA_T_DOC] == NULL || sh->tables[LDA_T_Z] == NULL)
		return -1;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	w->l = l;
	w->index = sh->index;
	w->count = sh->count;
	w->d0 = sh->row_begin;
	w->nd = sh->row_end - sh->row_begin;
	w->ndk = sh->tables[LDA_T_DOC];
	w->z = sh->tables[LDA_T_Z];
	want_huge_pages(w->ndk, w->nd * K * sizeof(int32_t));
	want_huge_pages(w->z, w->nd * zw * sizeof(int32_t));
	w->wptr = calloc((size_t)V + 1, sizeof(uint64_t));
	w->myc = calloc(K, sizeof(int32_t));
	w->nk = calloc(K, sizeof(double));
	w->inv = calloc(K, sizeof(double));
	w->tot = calloc(K, sizeof(double));
	w->delta = calloc(K, sizeof(double));
	w->mine = calloc(K, sizeof(int64_t));
	w->tokens = c->doc_ptr[sh->row_end] - c->doc_ptr[sh->row_begin];
	w->tdoc = malloc((w->tokens ? w->tokens : 1) * sizeof(uint32_t));
	w->tpos = malloc((w->tokens ? w->tokens : 1) * sizeof(uint32_t));
	w->tz = malloc((w->tokens ? w->tokens : 1) * sizeof(uint32_t));
	if (w->wptr == NULL || w->myc == NULL || w->nk == NULL || w->inv == NULL ||
	    w->tot == NULL ||
	    w->delta == NULL || w->mine == NULL || w->tdoc == NULL || w->tpos == NULL ||
	    w->tz == NULL) {
		ws_free(w);
		return -1;
	}
	/* A job laid out again (a cluster's member joined, left or was
	 * lost) or resumed gets its tables from the last snapshot: the
	 * assignments are those, and the topic totals already count them.
	 * Otherwise the tables are zero: the first assignments, and the
	 * counts they make, which the first round adds to the totals. */
	for (i = 0; i < w->nd * K && !w->started; i++)
		w->started = w->ndk[i] != 0;
	for (d = 0; d < w->nd; d++) {
		uint64_t b = c->doc_ptr[w->d0 + d], e = c->doc_ptr[w->d0 + d + 1];

		for (i = b; i < e; i++) {
			uint32_t k = w->started ? (uint32_t)w->z[d * zw + (i - b)] : l->z0[i];

			if (k >= K) {
				ws_free(w);
				return -1;
			}
			if (!w->started) {
				w->z[d * zw + (i - b)] = (int32_t)k;
				w->ndk[d * K + k]++;
			}
			w->mine[k]++;
			w->wptr[c->tok[i] + 1]++;
		}
	}
	/* The tokens by word (a counting sort). */
	for (v = 0; v < V; v++)
		w->wptr[v + 1] += w->wptr[v];
	for (d = 0; d < w->nd; d++) {
		uint64_t b = c->doc_ptr[w->d0 + d], e = c->doc_ptr[w->d0 + d + 1];

		for (i = b; i < e; i++) {
			uint64_t at = w->wptr[c->tok[i]]++;

			w->tdoc[at] = (uint32_t)d;
			w->tpos[at] = (uint32_t)(i - b);
			w->tz[at] = (uint32_t)w->z[d * zw + (i - b)];
		}
	}
	for (v = V; v > 0; v--)
		w->wptr[v] = w->wptr[v - 1];
	w->wptr[0] = 0;
	app_rng_seed(&w->rng, l->seed, (uint64_t)sh->index + 1);
	*out = w;
	return 0;
}

/* Whether this worker is the last in the sweep to hold part q: worker o
 * holds it at position (q - o) mod P, so the last is the one for which
 * that is largest. */
static int
last_holder(uint32_t q, uint32_t P, uint32_t me, uint32_t W)
{
	uint32_t o, best = 0, pos = 0;

	for (o = 0; o < W && o < P; o++) {
		uint32_t at = (q + P - o % P) % P;

		if (o == 0 || at > pos) {
			pos = at;
			best = o;
		}
	}
	return best == me;
}

/* Tokens ahead of the one sampled whose proposals are drawn and whose
 * document rows are prefetched (a power of 2): in word order the
 * documents are scattered, and without this a token's cost is its cache
 * misses on them (measured on a 2 M-token corpus: 38% of the sampler's
 * time on reading the document proposal's topic, 30% on document-topic
 * entries). */
#define AHEAD 8
#define MAX_STEPS 4

/* A token's proposals, drawn AHEAD tokens early: for each step, the
 * word proposal (an index into the word's tokens, or -1 - k for the
 * uniform topic k) and the document proposal (a position in the
 * document, or -1 - k). Where they come from does not depend on the
 * state, so drawing them early changes nothing in the chain's law. */
typedef struct {
	int64_t wp[MAX_STEPS];
	int64_t dp[MAX_STEPS];
} draws_t;

/* Samples the tokens of word row (the part's row of the word) in this
 * worker's documents: MH with WarpLDA's proposals (file comment). */
static void
sample_word(ws_t *w, uint64_t v, int32_t *row)
{
	const lda_t *l = w->l;
	const uint32_t K = l->K, zw = l->zwidth;
	const double alpha = l->alpha, beta = l->beta, vb = l->c->nwords * beta;
	const double kb = K * beta, ka = K * alpha;
	const uint64_t b = w->wptr[v], e = w->wptr[v + 1], n = e - b;
	const uint64_t *dp = l->c->doc_ptr + w->d0;
	const uint32_t *tdoc = w->tdoc, *tpos = w->tpos;
	uint32_t *tz = w->tz;
	int32_t *myc = w->myc, *z = w->z, *ndk = w->ndk;
	double *nk = w->nk, *inv = w->inv;
	const int steps = l->mh_steps;
	const double wn = (double)(n - 1), wtot = wn + kb;
	draws_t ring[AHEAD];
	uint64_t t, u;
	int step;

	for (t = b; t < e; t++)
		myc[tz[t]]++;
	/* Draws token u's proposals and prefetches what they will read. */
#define DRAW(u)                                                                          \
	do {                                                                             \
		draws_t *dr_ = &ring[(u) & (AHEAD - 1)];                                 \
		const uint64_t d_ = tdoc[u], nd_ = dp[d_ + 1] - dp[d_];                  \
		const int32_t *ndr_ = ndk + d_ * K;                                      \
		const int32_t *zd_ = z + d_ * zw;                                        \
		int st_;                                                                 \
                                                                                         \
		__builtin_prefetch(ndr_ + tz[u], 1);                                     \
		__builtin_prefetch(zd_ + tpos[u], 1);                                    \
		for (st_ = 0; st_ < steps; st_++) {                                      \
			if (app_rng_unif(&w->rng) * wtot < wn) {                         \
				uint64_t o_ = b + below(&w->rng, n - 1);                 \
                                                                                         \
				o_ += o_ >= (u);                                         \
				dr_->wp[st_] = (int64_t)o_;                              \
				__builtin_prefetch(ndr_ + tz[o_], 0);                    \
			} else {                                                         \
				dr_->wp[st_] = -1 - (int64_t)below(&w->rng, K);          \
			}                                                                \
			if (app_rng_unif(&w->rng) * ((double)(nd_ - 1) + ka) <           \
			    (double)(nd_ - 1)) {                                         \
				uint32_t j_ = below(&w->rng, nd_ - 1);                   \
                                                                                         \
				j_ += j_ >= tpos[u];                                     \
				dr_->dp[st_] = j_;                                       \
				__builtin_prefetch(zd_ + j_, 0);                         \
			} else {                                                         \
				dr_->dp[st_] = -1 - (int64_t)below(&w->rng, K);          \
			}                                                                \
		}                                                                        \
	} while (0)

	for (u = b; u < e && u < b + AHEAD; u++)
		DRAW(u);
	for (t = b; t < e; t++) {
		const uint64_t d = tdoc[t];
		int32_t *zd = z + d * zw, *ndr = ndk + d * K;
		const uint32_t s = tz[t];
		const draws_t *dr = &ring[t & (AHEAD - 1)];
		uint32_t cur = s, tk;
		double pc;

		/* The document proposals' topics of a token half-way ahead
		 * are in cache by now: prefetch their document-topic
		 * entries. */
		if (t + AHEAD / 2 < e) {
			const draws_t *dh = &ring[(t + AHEAD / 2) & (AHEAD - 1)];
			const uint64_t dhd = tdoc[t + AHEAD / 2];

			for (step = 0; step < steps; step++)
				if (dh->dp[step] >= 0)
					__builtin_prefetch(ndk + dhd * K +
					    (uint32_t)z[dhd * zw + (uint64_t)dh->dp[step]], 0);
		}
		/* The counts without this token: the target's. */
		ndr[s]--;
		row[s]--;
		nk[s] -= 1;
		inv[s] = 1 / (nk[s] + vb);
		pc = (ndr[cur] + alpha) * (row[cur] + beta) * inv[cur];
		/* Each step accepts with probability min(1, num / den),
		 * compared without dividing: num >= den, or u den < num. */
		for (step = 0; step < steps; step++) {
			double pt, num, den;

			/* Word proposal: q(k) ~ (myc[k] - [k == s]) + beta, the
			 * topic of another local token of the word, or uniform.
			 * Leaving this token out makes q independent of its
			 * state, so each step leaves the target invariant (with
			 * it in, a tiny corpus's posterior was off by 0.03 in
			 * total variation: t/check_lda.c, stationary). */
			tk = dr->wp[step] >= 0 ? tz[dr->wp[step]] : (uint32_t)(-1 - dr->wp[step]);
			if (tk != cur) {
				pt = (ndr[tk] + alpha) * (row[tk] + beta) * inv[tk];
				num = pt * (myc[cur] - (cur == s) + beta);
				den = pc * (myc[tk] - (tk == s) + beta);
				if (num >= den || app_rng_unif(&w->rng) * den < num) {
					cur = tk;
					pc = pt;
				}
			}
			/* Document proposal: q(k) ~ ndr[k] + alpha, the topic of
			 * another token of the document, or uniform. */
			tk = dr->dp[step] >= 0 ? (uint32_t)zd[dr->dp[step]]
			                       : (uint32_t)(-1 - dr->dp[step]);
			if (tk != cur) {
				pt = (ndr[tk] + alpha) * (row[tk] + beta) * inv[tk];
				num = pt * (ndr[cur] + alpha);
				den = pc * (ndr[tk] + alpha);
				if (num >= den || app_rng_unif(&w->rng) * den < num) {
					cur = tk;
					pc = pt;
				}
			}
		}
		ndr[cur]++;
		row[cur]++;
		nk[cur] += 1;
		inv[cur] = 1 / (nk[cur] + vb);
		if (cur != s) {
			zd[tpos[t]] = (int32_t)cur;
			tz[t] = cur;
			myc[s]--;
			myc[cur]++;
			w->delta_p[s] -= 1;
			w->delta_p[cur] += 1;
			w->mine[s]--;
			w->mine[cur]++;
		}
		/* The slot just used now takes the token AHEAD on. */
		if (t + AHEAD < e)
			DRAW(t + AHEAD);
	}
#undef DRAW
	for (t = b; t < e; t++)
		myc[tz[t]] = 0;
}

static void
rotate(void *wstate, const strads_part_t *p)
{
	ws_t *w = wstate;
	const lda_t *l = w->l;
	uint32_t K = l->K, k;
	const double *tot;
	int32_t *rows = p->rows;
	uint64_t v, t0 = strads_now_ns(), t1, c0 = thread_cpu_ns();

	if (l->engine_ssp) {
		/* The engine's ssp table; a shape not ours is a bug. */
		if (p->ssp == NULL || p->ssp_delta == NULL ||
		    p->ssp_rows * p->ssp_width != K)
			abort();
		tot = p->ssp;
		w->delta_p = p->ssp_delta;
	} else {
		w->drift += totals_read(l->totals, w->index, w->rounds, w->tot);
		tot = w->tot;
		memset(w->delta, 0, K * sizeof(double));
		w->delta_p = w->delta;
	}
	/* The totals start from zeros: each worker adds its first counts in
	 * its first round. */
	if (!w->started) {
		for (k = 0; k < K; k++)
			w->delta_p[k] += (double)w->mine[k];
		w->started = 1;
	}
	for (k = 0; k < K; k++) {
		w->nk[k] = tot[k] + w->delta_p[k];
		w->inv[k] = 1 / (w->nk[k] + l->c->nwords * l->beta);
	}
	for (v = p->row_begin; v < p->row_end; v++)
		if (w->wptr[v + 1] > w->wptr[v])
			sample_word(w, v, rows + (v - p->row_begin) * K);
	t1 = strads_now_ns();
	w->cpu_ns += thread_cpu_ns() - c0;
	w->nparts = p->nparts;
	/* The word part of the log-likelihood, from the part's final
	 * counts in this sweep. */
	if (w->wsweep != p->sweep + 1) {
		w->wsweep = p->sweep + 1;
		w->wterm = 0;
		w->wsum = 0;
	}
	if (last_holder(p->index, p->nparts, w->index, w->count))
		w->wterm += words_term(rows, (p->row_end - p->row_begin) * K, l->beta,
		    lgamma(l->beta), &w->wsum);
	if (!l->engine_ssp)
		totals_publish(l->totals, w->index, w->delta);
	w->rounds++;
	w->sample_ns += t1 - t0;
}

/* Check rounds: the store table's one parameter carries nothing. */
static void
push(void *wstate, const strads_block_t *b, double *partials)
{
	(void)wstate;
	if (b->check && b->n > 0)
		partials[0] = 0;
}

static void
stats(void *wstate, double *out)
{
	ws_t *w = wstate;
	const lda_t *l = w->l;
	uint32_t K = l->K, k;
	uint64_t i, neg = 0;
	int64_t dsum = 0;

	for (i = 0; i < w->nd * K; i++) {
		dsum += w->ndk[i];
		neg += w->ndk[i] < 0;
	}
	for (k = 0; k < K; k++)
		neg += w->mine[k] < 0;
	out[LDA_S_DOC] = lda_loglik_docs(w->ndk, l->c->doc_ptr + w->d0, (uint32_t)w->nd, K,
	    l->alpha);
	out[LDA_S_WORD] = w->wterm;
	out[LDA_S_WSUM] = (double)w->wsum;
	out[LDA_S_DSUM] = (double)dsum;
	out[LDA_S_TOKENS] = (double)w->tokens;
	out[LDA_S_NEG] = (double)neg;
	out[LDA_S_SAMPLE_NS] = (double)w->sample_ns;
	out[LDA_S_ROUNDS] = (double)w->rounds;
	out[LDA_S_DRIFT] = l->engine_ssp ? NAN : w->drift;
	out[LDA_S_WORKERS] = 1;
	out[LDA_S_PARTS] = w->nparts;
	out[LDA_S_CPU_NS] = (double)w->cpu_ns;
	for (k = 0; k < K; k++)
		out[LDA_NSTATS + k] = (double)w->mine[k];
}

static void
check(void *shared, strads_range_t r, const double *partials, const double *params,
    double *out)
{
	(void)shared;
	(void)r;
	(void)partials;
	(void)params;
	out[0] = 0;
}

/*
 * The record of a check: loglik_per_token (the collapsed joint over the
 * token count), tokens_per_s (tokens sampled a second of a worker's
 * sampling time: rounds' compute, checks excluded), totals_drift (the
 * mean L1 distance, over the tokens, of the topic totals a worker read
 * in a round from the true totals at that moment; null on the engine's
 * ssp table, of which no one has a global view), and count_errors:
 * how far the word-topic, document-topic and topic counts are from the
 * token count, plus negative counts (0 in a correct run).
 */
static void
objective(void *shared, const double *st, const double *checks, int nstores,
    strads_progress_t *out)
{
	const lda_t *l = shared;
	double N = (double)l->c->ntokens, sum = 0, ll, ns;
	uint32_t k;

	(void)checks;
	(void)nstores;
	for (k = 0; k < l->K; k++)
		sum += st[LDA_NSTATS + k];
	ll = st[LDA_S_DOC] + st[LDA_S_WORD] +
	    lda_loglik_topics(st + LDA_NSTATS, l->c->nwords, l->K, l->beta);
	out->objective = N > 0 ? -ll / N : 0;
	out->criterion = 1; /* runs to --iters */
	strads_progress_add(out, "loglik_per_token", N > 0 ? ll / N : 0, 0);
	/* Each worker holds a part every round, nparts rounds a sweep, and
	 * says how many workers (1 each) and parts there are: a cluster's
	 * layout sets them, not l. */
	ns = st[LDA_S_WORKERS] > 0 ? st[LDA_S_SAMPLE_NS] / st[LDA_S_WORKERS] : 0;
	strads_progress_add(out, "tokens_per_s",
	    ns > 0 && st[LDA_S_PARTS] > 0 ? N * (st[LDA_S_ROUNDS] / st[LDA_S_PARTS]) / (ns / 1e9)
	                                 : 0,
	    0);
	/* The same over the workers' sampling CPU time: a core's rate,
	 * which a loaded machine distorts far less than the wall's. */
	strads_progress_add(out, "tokens_per_cpu_s",
	    st[LDA_S_CPU_NS] > 0 && st[LDA_S_PARTS] > 0
	        ? N * (st[LDA_S_ROUNDS] / st[LDA_S_PARTS]) / (st[LDA_S_CPU_NS] / 1e9)
	        : 0,
	    0);
	/* The mean over rounds and workers of how far a worker's totals
	 * were, when read, from the true totals, over the tokens. On the
	 * engine's ssp table no one knows the true totals: the field is
	 * left out (it had printed nan). */
	if (!isnan(st[LDA_S_DRIFT]))
		strads_progress_add(out, "totals_drift",
		    st[LDA_S_ROUNDS] > 0 && N > 0 ? st[LDA_S_DRIFT] / st[LDA_S_ROUNDS] / N : 0, 0);
	strads_progress_add(out, "count_errors",
	    fabs(st[LDA_S_WSUM] - N) + fabs(st[LDA_S_DSUM] - N) + fabs(sum - N) +
	        fabs(st[LDA_S_TOKENS] - N) + st[LDA_S_NEG],
	    1);
}

static double
row_cost(void *shared, uint32_t t, uint64_t r)
{
	const lda_t *l = shared;

	(void)t;
	/* A word's tokens, and a little for visiting it. */
	return (double)l->wfreq[r] + 1;
}

static void
table_init(void *shared, uint32_t t, uint64_t begin, uint64_t end, void *rows)
{
	const lda_t *l = shared;
	const lda_corpus_t *c = l->c;
	int32_t *nwk = rows;
	uint64_t i;

	if (t != LDA_T_WORD)
		return;
	for (i = 0; i < c->ntokens; i++)
		if (c->tok[i] >= begin && c->tok[i] < end)
			nwk[(c->tok[i] - begin) * l->K + l->z0[i]]++;
}

static const strads_app_t lda_app_template = {
    .name = "lda",
    .width = 1,
    .nstats = LDA_NSTATS, /* plus K: lda_setup */
    .ncheck = 1,
    .worker_init = winit,
    .push = push,
    .stats = stats,
    .worker_fini = ws_free,
    .check = check,
    .objective = objective,
    .rotate = rotate,
    .row_cost = row_cost,
    .table_init = table_init,
};

int
lda_setup(lda_t *l, const lda_corpus_t *c, uint32_t K, double alpha, double beta,
    uint64_t seed, uint32_t staleness, int stale_inf, uint32_t nworkers, uint32_t nparts,
    int engine_ssp)
{
	app_rng_t r;
	uint64_t i;

	memset(l, 0, sizeof(*l));
	if (K == 0 || !(alpha > 0) || !(beta > 0) || nworkers == 0 || nparts < nworkers ||
	    c->nwords == 0 || c->ndocs == 0)
		return -1;
	l->c = c;
	l->K = K;
	l->alpha = alpha;
	l->beta = beta;
	l->seed = seed;
	l->staleness = staleness;
	l->stale_inf = stale_inf;
	l->nworkers = nworkers;
	l->nparts = nparts > c->nwords ? c->nwords : nparts;
	if (l->nparts < nworkers)
		return -1;
	l->mh_steps = 2; /* at most MAX_STEPS */
	l->zwidth = c->maxlen > 0 ? c->maxlen : 1;
	l->engine_ssp = engine_ssp;
	l->z0 = malloc((c->ntokens ? c->ntokens : 1) * sizeof(uint32_t));
	l->wfreq = calloc(c->nwords, sizeof(uint64_t));
	if (l->z0 == NULL || l->wfreq == NULL)
		goto fail;
	app_rng_seed(&r, seed, 0);
	for (i = 0; i < c->ntokens; i++) {
		l->z0[i] = below(&r, K);
		l->wfreq[c->tok[i]]++;
	}
	if (!engine_ssp &&
	    (l->totals = totals_new(nworkers, K, stale_inf ? 0 : (uint64_t)staleness * l->nparts,
	         stale_inf)) == NULL)
		goto fail;
	l->decl[LDA_T_STORE] = (strads_table_decl_t){.name = "loglik",
	    .home = STRADS_HOME_STORE, .value = STRADS_VALUE_F64, .width = 1};
	l->decl[LDA_T_DOC] = (strads_table_decl_t){.name = "doc_topic",
	    .home = STRADS_HOME_WORKER, .value = STRADS_VALUE_I32, .width = K};
	l->decl[LDA_T_Z] = (strads_table_decl_t){.name = "assign",
	    .home = STRADS_HOME_WORKER, .value = STRADS_VALUE_I32, .width = l->zwidth};
	/* Rows declared, not only in table_rows: a cluster's nodes get the
	 * job's options without them. */
	l->decl[LDA_T_WORD] = (strads_table_decl_t){.name = "word_topic",
	    .home = STRADS_HOME_ROTATE, .value = STRADS_VALUE_I32, .width = K,
	    .rows = c->nwords};
	l->decl[LDA_T_TOTALS] = (strads_table_decl_t){.name = "topic_totals",
	    .home = STRADS_HOME_SSP, .value = STRADS_VALUE_F64, .width = K, .rows = 1};
	l->table_rows[LDA_T_WORD] = c->nwords;
	l->table_rows[LDA_T_TOTALS] = 1;
	l->app = lda_app_template;
	l->app.tables = l->decl;
	l->app.ntables = engine_ssp ? LDA_NTABLES : LDA_NTABLES - 1;
	l->app.nstats = LDA_NSTATS + K;
	return 0;
fail:
	lda_free(l);
	return -1;
}

void
lda_set_cluster(lda_t *l)
{
	l->cluster = 1;
	l->nworkers = 0;
}

void
lda_free(lda_t *l)
{
	free(l->z0);
	free(l->wfreq);
	totals_free(l->totals);
	memset(l, 0, sizeof(*l));
}

void
lda_job_opts(const lda_t *l, uint64_t iters, strads_job_opts_t *o)
{
	o->nparams = 1;
	o->nrows = l->c->ndocs;
	o->nworkers = (int)l->nworkers; /* cluster: 0, the layout's */
	o->nstores = 1;
	o->schedule = STRADS_SCHEDULE_ROTATION;
	o->nparts = l->nparts;
	o->table_rows = l->table_rows;
	o->max_rounds = iters * l->nparts;
	/* The cluster makes the ssp table; its clocks are rounds. */
	o->ssp_staleness = l->staleness * l->nparts;
	o->check_every = 1;
	o->seed = l->seed;
	o->tol = 0;
	/* Parts cut again by time would change, from run to run, which
	 * worker samples a word in which round, and so what it sees there:
	 * with the cut fixed (equal tokens), a run on the app's totals is
	 * reproducible at any finite staleness (doc/lda.md). */
	o->fixed_cut = 1;
}

/* ------------------------------------------------------------------ */
/* Fold-in and held-out perplexity by document completion.             */

double *
lda_phi(const int32_t *nwk, uint32_t V, uint32_t K, double beta)
{
	double *phi = malloc((size_t)V * K * sizeof(double));
	double *nk = calloc(K, sizeof(double));
	uint64_t v;
	uint32_t k;

	if (phi == NULL || nk == NULL) {
		free(phi);
		free(nk);
		return NULL;
	}
	for (v = 0; v < (uint64_t)V * K; v++)
		nk[v % K] += nwk[v];
	for (v = 0; v < V; v++)
		for (k = 0; k < K; k++)
			phi[v * K + k] = (nwk[v * K + k] + beta) / (nk[k] + V * beta);
	free(nk);
	return phi;
}

void
lda_fold_in(const double *phi, uint32_t K, double alpha, const uint32_t *w, uint64_t n,
    size_t stride, int iters, app_rng_t *r, lda_fold_t *s, double *theta)
{
	uint64_t i;
	uint32_t k;
	int it, kept = 0;

	memset(s->ndk, 0, K * sizeof(int32_t));
	memset(theta, 0, K * sizeof(double));
	for (i = 0; i < n; i++) {
		s->z[i] = below(r, K);
		s->ndk[s->z[i]]++;
	}
	/* Exact Gibbs over the document's tokens, phi fixed; theta
	 * averaged over the second half of the sweeps. */
	for (it = 0; it < iters; it++) {
		for (i = 0; i < n; i++) {
			const double *f = phi + (size_t)w[i * stride] * K;
			double tot = 0, u;

			s->ndk[s->z[i]]--;
			for (k = 0; k < K; k++)
				tot += (s->p[k] = (s->ndk[k] + alpha) * f[k]);
			u = app_rng_unif(r) * tot;
			for (k = 0; k + 1 < K && u >= s->p[k]; k++)
				u -= s->p[k];
			s->z[i] = k;
			s->ndk[k]++;
		}
		if (it >= iters / 2) {
			for (k = 0; k < K; k++)
				theta[k] += (s->ndk[k] + alpha) / ((double)n + K * alpha);
			kept++;
		}
	}
	for (k = 0; k < K; k++)
		theta[k] = kept > 0 ? theta[k] / kept : (s->ndk[k] + alpha) / ((double)n + K * alpha);
}

int
lda_fold_init(lda_fold_t *s, uint32_t K, uint64_t maxlen)
{
	s->z = malloc((maxlen ? maxlen : 1) * sizeof(uint32_t));
	s->ndk = calloc(K, sizeof(int32_t));
	s->p = malloc(K * sizeof(double));
	if (s->z == NULL || s->ndk == NULL || s->p == NULL) {
		lda_fold_free(s);
		return -1;
	}
	return 0;
}

void
lda_fold_free(lda_fold_t *s)
{
	free(s->z);
	free(s->ndk);
	free(s->p);
	memset(s, 0, sizeof(*s));
}

double
lda_perplexity(const int32_t *nwk, const double *nk, uint32_t V, uint32_t K, double alpha,
    double beta, const lda_corpus_t *test, int iters, uint64_t seed)
{
	double *phi = malloc((size_t)V * K * sizeof(double));
	double *theta = calloc(K, sizeof(double));
	double lsum = 0, count = 0, res = NAN;
	lda_fold_t fs;
	uint64_t d, i, v;
	uint32_t k;
	app_rng_t r;

	memset(&fs, 0, sizeof(fs));
	if (phi == NULL || theta == NULL || lda_fold_init(&fs, K, (uint64_t)test->maxlen / 2 + 1) != 0)
		goto out;
	for (v = 0; v < V; v++)
		for (k = 0; k < K; k++)
			phi[v * K + k] = (nwk[v * K + k] + beta) / (nk[k] + V * beta);
	app_rng_seed(&r, seed, 0x5eed);
	for (d = 0; d < test->ndocs; d++) {
		const uint32_t *w = test->tok + test->doc_ptr[d];
		uint64_t n = test->doc_ptr[d + 1] - test->doc_ptr[d];

		/* The observed half: the even positions. */
		lda_fold_in(phi, K, alpha, w, (n + 1) / 2, 2, iters, &r, &fs, theta);
		for (i = 1; i < n; i += 2) {
			const double *f = phi + (size_t)w[i] * K;
			double pw = 0;

			for (k = 0; k < K; k++)
				pw += theta[k] * f[k];
			lsum += log(pw);
			count++;
		}
	}
	res = count > 0 ? exp(-lsum / count) : NAN;
out:
	free(phi);
	free(theta);
	lda_fold_free(&fs);
	return res;
}
