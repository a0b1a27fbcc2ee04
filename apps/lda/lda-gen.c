/*
 * lda-gen.c -- `strads gen lda`: a corpus drawn from a planted LDA model,
 * written as lda-c (PREFIX.dat), UCI bag-of-words (PREFIX.docword.txt),
 * raw text (PREFIX.txt), with the vocabulary (PREFIX.vocab) and the
 * planted topics (PREFIX.truth). Every file is written atomically.
 *
 * The model: topic k's word distribution phi_k ~ Dirichlet(V beta b),
 * b a Zipf(0.8) base measure over the words (b_w ~ (w + 1)^-0.8,
 * normalised); a document's length is 10 plus an exponential of mean
 * --doc-len minus 10 (rounded down); its proportions theta ~
 * Dirichlet(alpha) over the K topics; each token a topic from theta, then a
 * word from that topic.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lda.h"

typedef struct {
	uint32_t D, V, K, len;
	double alpha, beta;
	uint64_t seed;
	const char *out;
} gen_opts_t;

static double
unif01(app_rng_t *r)
{
	return ((double)(app_rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

static double
normal(app_rng_t *r)
{
	return sqrt(-2 * log(unif01(r))) * cos(2 * M_PI * unif01(r));
}

/* Gamma(a, 1) by Marsaglia and Tsang; a < 1 through Gamma(a + 1) U^(1/a). */
static double
gamma_draw(app_rng_t *r, double a)
{
	double d, c, x, v, u;

	if (a < 1)
		return gamma_draw(r, a + 1) * pow(unif01(r), 1 / a);
	d = a - 1.0 / 3;
	c = 1 / sqrt(9 * d);
	for (;;) {
		do {
			x = normal(r);
			v = 1 + c * x;
		} while (v <= 0);
		v = v * v * v;
		u = unif01(r);
		if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
			return d * v;
	}
}

/* A Dirichlet draw with parameters a[i] (or all a0 when a is NULL) into
 * p, as a cumulative distribution when cum. */
static void
dirichlet(app_rng_t *r, const double *a, double a0, uint32_t n, double *p, int cum)
{
	double s = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		s += (p[i] = gamma_draw(r, a != NULL ? a[i] : a0) + 1e-300);
	for (i = 0; i < n; i++)
		p[i] = p[i] / s + (cum && i > 0 ? p[i - 1] : 0);
	if (cum)
		p[n - 1] = 1;
}

static uint32_t
draw(app_rng_t *r, const double *cum, uint32_t n)
{
	double u = unif01(r);
	uint32_t lo = 0, hi = n - 1;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (cum[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Word w's spelling: "zq" then w in base 26 (letters only, so raw text
 * reads it back as one word; no stop word begins with "zq"). */
static void
spell(uint32_t w, char *buf)
{
	char tmp[16];
	int n = 0, i;

	do {
		tmp[n++] = (char)('a' + w % 26);
		w /= 26;
	} while (w > 0);
	buf[0] = 'z';
	buf[1] = 'q';
	for (i = 0; i < n; i++)
		buf[2 + i] = tmp[n - 1 - i];
	buf[2 + n] = '\0';
}

typedef struct {
	const gen_opts_t *o;
	const lda_corpus_t *c;
	const double *phi; /* K x V */
	int form;          /* 0 lda-c, 1 UCI, 2 text, 3 vocabulary, 4 truth */
	uint32_t *cnt;     /* scratch: V */
} put_t;

static int
put(FILE *f, void *arg)
{
	put_t *p = arg;
	const lda_corpus_t *c = p->c;
	uint32_t d, v, k;
	uint64_t i, nnz = 0;
	char w[16];

	if (p->form == 3) {
		for (v = 0; v < c->nwords; v++) {
			spell(v, w);
			fprintf(f, "%s\n", w);
		}
		return ferror(f) != 0;
	}
	if (p->form == 4) {
		fprintf(f, "# strads lda truth: topic k's line holds w:phi_kw for its words "
		           "above 1e-6\n# topics %u\n# words %u\n# alpha %.17g\n# beta %.17g\n",
		    p->o->K, c->nwords, p->o->alpha, p->o->beta);
		for (k = 0; k < p->o->K; k++) {
			fprintf(f, "%u", k);
			for (v = 0; v < c->nwords; v++)
				if (p->phi[(size_t)k * c->nwords + v] > 1e-6)
					fprintf(f, " %u:%.6g", v, p->phi[(size_t)k * c->nwords + v]);
			fputc('\n', f);
		}
		return ferror(f) != 0;
	}
	if (p->form == 1) {
		for (d = 0; d < c->ndocs; d++) {
			for (i = c->doc_ptr[d]; i < c->doc_ptr[d + 1]; i++)
				if (p->cnt[c->tok[i]]++ == 0)
					nnz++;
			for (i = c->doc_ptr[d]; i < c->doc_ptr[d + 1]; i++)
				p->cnt[c->tok[i]] = 0;
		}
		fprintf(f, "%u\n%u\n%llu\n", c->ndocs, c->nwords, (unsigned long long)nnz);
	}
	for (d = 0; d < c->ndocs; d++) {
		uint32_t distinct = 0;

		for (i = c->doc_ptr[d]; i < c->doc_ptr[d + 1]; i++)
			if (p->cnt[c->tok[i]]++ == 0)
				distinct++;
		if (p->form == 0)
			fprintf(f, "%u", distinct);
		/* Words in the order of their first token, each once. */
		for (i = c->doc_ptr[d]; i < c->doc_ptr[d + 1]; i++) {
			v = c->tok[i];
			if (p->form == 2) {
				spell(v, w);
				fprintf(f, "%s%s", i > c->doc_ptr[d] ? " " : "", w);
				continue;
			}
			if (p->cnt[v] == 0)
				continue;
			if (p->form == 0)
				fprintf(f, " %u:%u", v, p->cnt[v]);
			else
				fprintf(f, "%u %u %u\n", d + 1, v + 1, p->cnt[v]);
			p->cnt[v] = 0;
		}
		for (i = c->doc_ptr[d]; i < c->doc_ptr[d + 1]; i++)
			p->cnt[c->tok[i]] = 0;
		if (p->form != 1)
			fputc('\n', f);
	}
	return ferror(f) != 0;
}

static void
gen_usage(FILE *f)
{
	fprintf(f,
	    "usage: strads gen lda --out PREFIX [options]\n"
	    "\n"
	    "A corpus drawn from a planted LDA model (doc/lda.md), written as\n"
	    "PREFIX.dat (lda-c), PREFIX.docword.txt (UCI), PREFIX.txt (raw text),\n"
	    "PREFIX.vocab and PREFIX.truth (the planted topics).\n"
	    "\n"
	    "  --out PREFIX        where to write (required)\n"
	    "  --docs D            documents (default 1000)\n"
	    "  --words V           vocabulary (default 1000)\n"
	    "  --topics K          planted topics (default 10)\n"
	    "  --doc-len L         mean document length, at least 10 (default 100)\n"
	    "  --alpha A           document-topic prior (default 0.1)\n"
	    "  --beta B            topic-word prior over a Zipf(0.8) base (default 0.01)\n"
	    "  --seed S            (default 1)\n");
}

int
lda_gen_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"docs", required_argument, NULL, 'd'},
	    {"words", required_argument, NULL, 'w'},
	    {"topics", required_argument, NULL, 'k'},
	    {"doc-len", required_argument, NULL, 'l'},
	    {"alpha", required_argument, NULL, 'a'},
	    {"beta", required_argument, NULL, 'b'},
	    {"seed", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char *const ext[5] = {".dat", ".docword.txt", ".txt", ".vocab", ".truth"};
	gen_opts_t o = {1000, 1000, 10, 100, 0.1, 0.01, 1, NULL};
	lda_corpus_t c;
	app_rng_t r;
	double *phi = NULL, *base = NULL, *theta = NULL, bs = 0;
	uint32_t *cnt = NULL, d, v, k;
	char path[4096], err[1024];
	int ch, rc = CLI_FAIL, f;

	memset(&c, 0, sizeof(c));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		int bad = 0;

		switch (ch) {
		case 'h': gen_usage(stdout); return CLI_OK;
		case 'o': o.out = optarg; break;
		case 'd': bad = cli_gen_u32("lda", "--docs", optarg, &o.D); break;
		case 'w': bad = cli_gen_u32("lda", "--words", optarg, &o.V); break;
		case 'k': bad = cli_gen_u32("lda", "--topics", optarg, &o.K); break;
		case 'l': bad = cli_gen_u32("lda", "--doc-len", optarg, &o.len); break;
		case 'a': bad = cli_gen_double("lda", "--alpha", optarg, &o.alpha); break;
		case 'b': bad = cli_gen_double("lda", "--beta", optarg, &o.beta); break;
		case 's': bad = cli_gen_u64("lda", "--seed", optarg, &o.seed); break;
		default:
			cli_gen_error("lda", "%s '%s'", ch == ':' ? "a value is needed after"
			                                          : "unknown option", argv[optind - 1]);
			return CLI_USAGE;
		}
		if (bad)
			return CLI_USAGE;
	}
	if (o.out == NULL || optind < argc || o.D == 0 || o.V == 0 || o.K == 0 || o.len < 10 ||
	    !(o.alpha > 0) || !(o.beta > 0)) {
		cli_gen_error("lda", "expected --out PREFIX, D, V and K above 0, --doc-len at "
		                     "least 10, alpha and beta above 0");
		gen_usage(stderr);
		return CLI_USAGE;
	}
	snprintf(path, sizeof(path), "%s.dat", o.out);
	if (cli_gen_writable("lda", path) != 0)
		return CLI_FAIL;
	phi = malloc((size_t)o.K * o.V * sizeof(double));
	base = malloc(o.V * sizeof(double));
	theta = malloc(o.K * sizeof(double));
	cnt = calloc(o.V, sizeof(uint32_t));
	c.doc_ptr = calloc((size_t)o.D + 1, sizeof(uint64_t));
	if (phi == NULL || base == NULL || theta == NULL || cnt == NULL || c.doc_ptr == NULL)
		goto oom;
	app_rng_seed(&r, o.seed, 0x9e4);
	for (v = 0; v < o.V; v++)
		bs += (base[v] = pow(v + 1.0, -0.8));
	for (v = 0; v < o.V; v++)
		base[v] = base[v] / bs * o.V * o.beta;
	for (k = 0; k < o.K; k++)
		dirichlet(&r, base, 0, o.V, phi + (size_t)k * o.V, 0);
	/* The documents: lengths first, then tokens. */
	c.ndocs = o.D;
	c.nwords = o.V;
	for (d = 0; d < o.D; d++) {
		uint64_t n = 10 + (uint64_t)(-log(unif01(&r)) * (o.len - 10));

		c.doc_ptr[d + 1] = c.doc_ptr[d] + n;
		if (n > c.maxlen)
			c.maxlen = (uint32_t)n;
	}
	c.ntokens = c.doc_ptr[o.D];
	if ((c.tok = malloc((c.ntokens ? c.ntokens : 1) * sizeof(uint32_t))) == NULL)
		goto oom;
	{
		/* Cumulative phi rows for the draws. */
		double *cum = malloc((size_t)o.K * o.V * sizeof(double));
		uint64_t i;

		if (cum == NULL)
			goto oom;
		for (k = 0; k < o.K; k++)
			for (v = 0; v < o.V; v++)
				cum[(size_t)k * o.V + v] = phi[(size_t)k * o.V + v] +
				    (v > 0 ? cum[(size_t)k * o.V + v - 1] : 0);
		for (k = 0; k < o.K; k++)
			cum[(size_t)k * o.V + o.V - 1] = 1;
		for (d = 0; d < o.D; d++) {
			dirichlet(&r, NULL, o.alpha, o.K, theta, 1);
			for (i = c.doc_ptr[d]; i < c.doc_ptr[d + 1]; i++)
				c.tok[i] = draw(&r, cum + (size_t)draw(&r, theta, o.K) * o.V, o.V);
		}
		free(cum);
	}
	for (f = 0; f < 5; f++) {
		put_t p = {&o, &c, phi, f, cnt};

		snprintf(path, sizeof(path), "%s%s", o.out, ext[f]);
		if (strads_file_write_atomic(path, 0644, put, &p, err, sizeof(err)) != 0) {
			cli_gen_error("lda", "%s", err);
			goto out;
		}
	}
	fprintf(stderr, "strads gen lda: %u documents, %u words, %llu tokens, %u topics: "
	                "%s.{dat,docword.txt,txt,vocab,truth}\n",
	    o.D, o.V, (unsigned long long)c.ntokens, o.K, o.out);
	rc = CLI_OK;
	goto out;
oom:
	cli_gen_error("lda", "out of memory");
out:
	free(phi);
	free(base);
	free(theta);
	free(cnt);
	lda_corpus_free(&c);
	return rc;
}
