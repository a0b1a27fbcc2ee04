/*
 * mf-model.c -- the MF model file (mf.h), `strads predict` on it and
 * `strads recommend`.
 *
 * The format is text:
 *
 *	# strads mf model
 *	# app mf
 *	# users 943
 *	# ... more "# key value" lines: items, rank, biases, mu, lambda,
 *	#     ratings, epochs, objective, train_rmse, test_rmse
 *	u ID [b] w_1 ... w_k      one line a user, in dense index order
 *	i ID [c] h_1 ... h_k      one line an item
 *	r U j j j ...             the items user U (dense) rated in training
 *	# end crc32 1a2b3c4d
 *
 * Ids are the data's, %-escaped (%XX for '%', blanks and bytes outside
 * printable ASCII), so the dense indices of the training run and the
 * mapping between them are saved with the factors. The last line holds
 * the CRC-32 of every byte before it: a file cut short or damaged does
 * not read. Written with strads_file_write_atomic: never half-written.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mf.h"
#include "registry.h"

#define MF_MAGIC "# strads mf model\n"

static uint32_t
crc32_of(const char *p, size_t len)
{
	uint32_t crc = 0xffffffffu;
	size_t k;
	int b;

	for (k = 0; k < len; k++) {
		crc ^= (unsigned char)p[k];
		for (b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return crc ^ 0xffffffffu;
}

double
mf_predict1(const mf_model_t *m, uint32_t u, uint32_t j)
{
	const double *w = m->W + (size_t)u * m->kc, *h = m->H + (size_t)j * m->kc;
	double s = m->mu;
	uint32_t t;

	for (t = 0; t < m->kc; t++)
		s += w[t] * h[t];
	return s;
}

static void
put_id(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c >= 127 || c == '%')
			fprintf(f, "%%%02X", c);
		else
			fputc(c, f);
	}
}

static int
model_text(FILE *f, const mf_model_t *m)
{
	uint32_t u, j, t;
	uint64_t k;

	fputs(MF_MAGIC, f);
	fprintf(f, "# app mf\n# users %u\n# items %u\n# rank %u\n# biases %d\n# mu %.17g\n"
	           "# lambda %.17g\n# ratings %llu\n# epochs %llu\n# objective %.17g\n"
	           "# train_rmse %.17g\n# test_rmse %.17g\n",
	    m->nusers, m->nitems, m->rank, m->biases, m->mu, m->lambda,
	    (unsigned long long)m->ntrain, (unsigned long long)m->epochs, m->objective,
	    m->train_rmse, m->test_rmse);
	/* Rows are written in the file's order: the bias, then the factors
	 * (kc layout: factors, then b and 1 for a user, 1 and c for an
	 * item). */
	for (u = 0; u < m->nusers; u++) {
		const double *w = m->W + (size_t)u * m->kc;

		fputs("u ", f);
		put_id(f, m->users.names[u]);
		if (m->biases)
			fprintf(f, " %.17g", w[m->rank]);
		for (t = 0; t < m->rank; t++)
			fprintf(f, " %.17g", w[t]);
		fputc('\n', f);
	}
	for (j = 0; j < m->nitems; j++) {
		const double *h = m->H + (size_t)j * m->kc;

		fputs("i ", f);
		put_id(f, m->items.names[j]);
		if (m->biases)
			fprintf(f, " %.17g", h[m->rank + 1]);
		for (t = 0; t < m->rank; t++)
			fprintf(f, " %.17g", h[t]);
		fputc('\n', f);
	}
	if (m->rptr != NULL)
		for (u = 0; u < m->nusers; u++) {
			if (m->rptr[u + 1] == m->rptr[u])
				continue;
			fprintf(f, "r %u", u);
			for (k = m->rptr[u]; k < m->rptr[u + 1]; k++)
				fprintf(f, " %u", m->ritem[k]);
			fputc('\n', f);
		}
	return ferror(f) != 0;
}

typedef struct {
	const char *text;
	size_t len;
} blob_t;

static int
blob_put(FILE *f, void *arg)
{
	const blob_t *b = arg;

	if (fwrite(b->text, 1, b->len, f) != b->len)
		return 1;
	fprintf(f, "# end crc32 %08x\n", crc32_of(b->text, b->len));
	return ferror(f) != 0;
}

int
mf_model_write(const char *path, const mf_model_t *m, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	blob_t b;
	int rc;

	if (f == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	rc = model_text(f, m);
	if (fclose(f) != 0 || rc != 0) {
		free(text);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	b.text = text;
	b.len = len;
	rc = strads_file_write_atomic(path, 0644, blob_put, &b, err, errlen) != 0 ? -1 : 0;
	free(text);
	return rc;
}

void
mf_model_free(mf_model_t *m)
{
	free(m->W);
	free(m->H);
	free(m->rptr);
	free(m->ritem);
	mf_ids_free(&m->users);
	mf_ids_free(&m->items);
	memset(m, 0, sizeof(*m));
}

int
mf_model_sniff(const char *path)
{
	char buf[sizeof(MF_MAGIC)];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(MF_MAGIC) - 1, f);
	fclose(f);
	return n == sizeof(MF_MAGIC) - 1 && memcmp(buf, MF_MAGIC, n) == 0;
}

static char *
unescape(const char *s, size_t len)
{
	char *o = malloc(len + 1);
	size_t a = 0, k;

	if (o == NULL)
		return NULL;
	for (k = 0; k < len; k++) {
		unsigned v;

		if (s[k] == '%' && k + 2 < len + 0 + 1 && sscanf(s + k + 1, "%2x", &v) == 1) {
			o[a++] = (char)v;
			k += 2;
		} else {
			o[a++] = s[k];
		}
	}
	o[a] = '\0';
	return o;
}

/* Reads the whole file; checks the magic and the checksum. */
static char *
slurp(const char *path, size_t *lenp, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (len + 65536 + 1 > cap) {
			char *nb = realloc(buf, cap = 2 * cap + 65536 + 1);

			if (nb == NULL) {
				free(buf);
				fclose(f);
				snprintf(err, errlen, "%s: out of memory", path);
				return NULL;
			}
			buf = nb;
		}
		if ((n = fread(buf + len, 1, 65536, f)) == 0)
			break;
		len += n;
	}
	fclose(f);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

int
mf_model_read(const char *path, mf_model_t *m, char *err, size_t errlen)
{
	size_t len, body, k;
	char *text = slurp(path, &len, err, errlen), *p, *e;
	unsigned long long lineno = 1;
	uint32_t want, nu = 0, ni = 0, t;
	char tail;
	int have_header = 0;
	int64_t last_u = -1;
	uint64_t rat = 0;

	memset(m, 0, sizeof(*m));
	m->objective = m->train_rmse = m->test_rmse = NAN;
	if (text == NULL)
		return -1;
	if (len < sizeof(MF_MAGIC) - 1 || memcmp(text, MF_MAGIC, sizeof(MF_MAGIC) - 1) != 0) {
		snprintf(err, errlen, "%s:1: expected '# strads mf model': not an mf model file",
		    path);
		goto fail;
	}
	/* The end line: the last line of the file. */
	if (len < 2 || text[len - 1] != '\n') {
		snprintf(err, errlen, "%s: cut short (no end line)", path);
		goto fail;
	}
	for (body = len - 1; body > 0 && text[body - 1] != '\n'; body--)
		;
	if (sscanf(text + body, "# end crc32 %8x%c", &want, &tail) != 2 || tail != '\n') {
		snprintf(err, errlen, "%s: cut short: the last line is not '# end crc32 ...'",
		    path);
		goto fail;
	}
	if (crc32_of(text, body) != want) {
		snprintf(err, errlen, "%s: damaged: the checksum does not match", path);
		goto fail;
	}
	p = text;
	e = text + body;
	while (p < e) {
		char *nl = memchr(p, '\n', (size_t)(e - p));

		*nl = '\0';
		if (p[0] == '#') {
			char key[32];
			double v;

			if (sscanf(p, "# %31s %lf", key, &v) == 2) {
				if (strcmp(key, "users") == 0)
					m->nusers = (uint32_t)v;
				else if (strcmp(key, "items") == 0)
					m->nitems = (uint32_t)v;
				else if (strcmp(key, "rank") == 0)
					m->rank = (uint32_t)v;
				else if (strcmp(key, "biases") == 0)
					m->biases = v != 0;
				else if (strcmp(key, "mu") == 0)
					m->mu = v;
				else if (strcmp(key, "lambda") == 0)
					m->lambda = v;
				else if (strcmp(key, "ratings") == 0)
					m->ntrain = (uint64_t)v;
				else if (strcmp(key, "epochs") == 0)
					m->epochs = (uint64_t)v;
				else if (strcmp(key, "objective") == 0)
					m->objective = v;
				else if (strcmp(key, "train_rmse") == 0)
					m->train_rmse = v;
				else if (strcmp(key, "test_rmse") == 0)
					m->test_rmse = v;
			}
		} else {
			if (!have_header) {
				have_header = 1;
				if (m->rank == 0 || m->rank > 100000 || m->nusers == 0 || m->nitems == 0) {
					snprintf(err, errlen, "%s:%llu: expected the users, items and rank "
					    "lines before the rows", path, lineno);
					goto fail;
				}
				m->kc = m->biases ? m->rank + 2 : m->rank;
				m->W = calloc((size_t)m->nusers * m->kc, sizeof(double));
				m->H = calloc((size_t)m->nitems * m->kc, sizeof(double));
				m->users.names = calloc(m->nusers, sizeof(char *));
				m->items.names = calloc(m->nitems, sizeof(char *));
				m->rptr = calloc((size_t)m->nusers + 1, sizeof(uint64_t));
				m->ritem = malloc((m->ntrain ? m->ntrain : 1) * sizeof(uint32_t));
				if (m->W == NULL || m->H == NULL || m->users.names == NULL ||
				    m->items.names == NULL || m->rptr == NULL || m->ritem == NULL) {
					snprintf(err, errlen, "%s: out of memory", path);
					goto fail;
				}
			}
			if ((p[0] == 'u' || p[0] == 'i') && p[1] == ' ') {
				int user = p[0] == 'u';
				uint32_t *n = user ? &nu : &ni, cap = user ? m->nusers : m->nitems;
				double *row;
				char *q = p + 2, *idend = strchr(q, ' '), *x;

				if (*n >= cap || idend == NULL) {
					snprintf(err, errlen, "%s:%llu: expected %s", path, lineno,
					    *n >= cap ? "no more rows than the header says"
					              : "'u|i ID VALUES...'");
					goto fail;
				}
				row = (user ? m->W : m->H) + (size_t)*n * m->kc;
				if (((user ? m->users.names : m->items.names)[*n] =
				            unescape(q, (size_t)(idend - q))) == NULL) {
					snprintf(err, errlen, "%s: out of memory", path);
					goto fail;
				}
				if (user)
					m->users.n = *n + 1;
				else
					m->items.n = *n + 1;
				q = idend;
				for (t = 0; t < m->rank + (m->biases ? 1 : 0); t++) {
					double v = strtod(q, &x);

					if (x == q || !isfinite(v)) {
						snprintf(err, errlen, "%s:%llu: expected %u numbers after the "
						    "id", path, lineno, m->rank + (m->biases ? 1 : 0));
						goto fail;
					}
					q = x;
					if (m->biases && t == 0)
						row[user ? m->rank : m->rank + 1] = v;
					else
						row[t - (m->biases ? 1 : 0)] = v;
				}
				if (m->biases)
					row[user ? m->rank + 1 : m->rank] = 1;
				(*n)++;
			} else if (p[0] == 'r' && p[1] == ' ') {
				/* Users come in increasing order; those without a
				 * line rated nothing. */
				char *q = p + 2, *x;
				unsigned long u = strtoul(q, &x, 10);
				int64_t v;

				if (x == q || u >= m->nusers || (int64_t)u <= last_u) {
					snprintf(err, errlen, "%s:%llu: expected 'r USER ITEMS...', users "
					    "increasing and below %u", path, lineno, m->nusers);
					goto fail;
				}
				for (v = last_u + 1; v <= (int64_t)u; v++)
					m->rptr[v] = rat;
				last_u = (int64_t)u;
				for (q = x;; q = x) {
					unsigned long j = strtoul(q, &x, 10);

					if (x == q)
						break;
					if (j >= m->nitems || rat >= m->ntrain) {
						snprintf(err, errlen, "%s:%llu: expected at most %llu items "
						    "below %u", path, lineno, (unsigned long long)m->ntrain,
						    m->nitems);
						goto fail;
					}
					m->ritem[rat++] = (uint32_t)j;
				}
			} else {
				snprintf(err, errlen, "%s:%llu: expected a 'u', 'i' or 'r' row or a "
				    "'#' line", path, lineno);
				goto fail;
			}
		}
		p = nl + 1;
		lineno++;
	}
	if (!have_header || nu != m->nusers || ni != m->nitems) {
		snprintf(err, errlen, "%s: expected %u user and %u item rows, got %u and %u", path,
		    m->nusers, m->nitems, nu, ni);
		goto fail;
	}
	if (m->rptr != NULL)
		for (k = (size_t)(last_u + 1); k <= m->nusers; k++)
			m->rptr[k] = rat;
	if (mf_ids_index(&m->users) != 0 || mf_ids_index(&m->items) != 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	free(text);
	return 0;
fail:
	free(text);
	mf_model_free(m);
	return -1;
}

/* ------------------------------------------------------------------ */
/* strads predict MODEL PAIRS                                          */

static void
predict_usage(FILE *f)
{
	fprintf(f,
	    "usage: strads predict MF_MODEL PAIRS [--index] [--quiet]\n"
	    "\n"
	    "With a model of strads run mf: one predicted rating a line of PAIRS\n"
	    "('user item', blanks or commas between; a third field, a finite\n"
	    "rating, is compared: RMSE on stderr unless --quiet; a first line whose\n"
	    "ids the model does not know, as a header's, is skipped). Any other\n"
	    "line is an error naming it. Ids are the training data's; a user or\n"
	    "item the model does not know gets what is known (mu and the other's\n"
	    "bias), counted on stderr; a file of which no pair is known is refused.\n"
	    "\n"
	    "  --index    the ids are the model's dense indices (from 0); one out\n"
	    "             of range is an error\n"
	    "  --quiet    no RMSE or counts on stderr\n");
}

/* The dense index of field s (len bytes): by id, or by index. */
static int64_t
lookup(const mf_ids_t *ids, const char *s, size_t len, int index)
{
	char *x;
	unsigned long long v;
	char buf[32];

	if (!index)
		return mf_ids_find(ids, s, len);
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	v = strtoull(buf, &x, 10);
	return *x == '\0' && v < ids->n ? (int64_t)v : -1;
}

int
mf_predict_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"index", no_argument, NULL, 'x'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	mf_model_t m;
	char err[1024], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int c, index = 0, quiet = 0;
	unsigned long long lineno = 0, unknown = 0, scored = 0, pairs = 0;
	double sse = 0;
	/* Predictions are held until a pair the model knows comes: when
	 * none does (another model's pairs) nothing reaches stdout. */
	FILE *pend = NULL;
	char *held = NULL;
	size_t nheld = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'x': index = 1; break;
		case 'q': quiet = 1; break;
		case 'h': predict_usage(stdout); return CLI_OK;
		default:
			fprintf(stderr, "strads predict: %s '%s'\nTry 'strads predict --help'.\n",
			    c == ':' ? "a value is needed after" : "unknown option for an mf model",
			    argv[optind - 1]);
			return CLI_USAGE;
		}
	}
	if (argc - optind != 2) {
		predict_usage(stderr);
		return CLI_USAGE;
	}
	if (mf_model_read(argv[optind], &m, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads predict: %s\n", err);
		return CLI_MODEL;
	}
	if ((f = strcmp(argv[optind + 1], "-") == 0 ? fdopen(dup(STDIN_FILENO), "r")
	                                           : fopen(argv[optind + 1], "r")) == NULL) {
		fprintf(stderr, "strads predict: %s: %s\n", argv[optind + 1], strerror(errno));
		mf_model_free(&m);
		return CLI_FAIL;
	}
	pend = open_memstream(&held, &nheld); /* NULL: straight to stdout */
	while ((n = getline(&line, &cap, f)) > 0) {
		const char *s = line, *f1, *f2;
		size_t l1, l2;
		int64_t u, j;
		double p, r;
		char *x;

		lineno++;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\n' || *s == '\r' || *s == '\0' || *s == '#')
			continue;
		f1 = s;
		l1 = strcspn(f1, " \t,\r\n");
		s = f1 + l1;
		s += strspn(s, " \t");
		if (*s == ',')
			s++;
		s += strspn(s, " \t");
		f2 = s;
		l2 = strcspn(f2, " \t,\r\n");
		if (l2 == 0) {
			fprintf(stderr, "strads predict: %s:%llu: expected 'user item', got '%.*s'\n",
			    argv[optind + 1], lineno, (int)strcspn(line, "\r\n"), line);
			free(line);
			fclose(f);
			if (pend != NULL) {
				fclose(pend);
				free(held);
			}
			mf_model_free(&m);
			return CLI_FAIL;
		}
		s = f2 + l2;
		s += strspn(s, " \t");
		if (*s == ',')
			s++;
		u = lookup(&m.users, f1, l1, index);
		j = lookup(&m.items, f2, l2, index);
		r = NAN;
		if (*s != '\n' && *s != '\r' && *s != '\0') {
			r = strtod(s, &x);
			if (x != s)
				x += strspn(x, " \t\r\n");
			if (x == s || *x != '\0' || !isfinite(r)) {
				size_t n80 = strcspn(line, "\r\n");

				/* The first data line may be a header ("user item
				 * rating"): its ids are none the model knows. */
				if (x == s && u < 0 && j < 0 && scored == 0 && unknown == 0 &&
				    lineno == 1)
					continue;
				fprintf(stderr, "strads predict: %s:%llu: expected 'user item' or "
				    "'user item rating' (a finite number), got '%.*s%s'\n",
				    argv[optind + 1], lineno, (int)(n80 < 80 ? n80 : 80), line,
				    n80 > 80 ? "..." : "");
				free(line);
				fclose(f);
				if (pend != NULL) {
					fclose(pend);
					free(held);
				}
				mf_model_free(&m);
				return CLI_FAIL;
			}
		} else if (u < 0 && j < 0 && scored == 0 && unknown == 0 && lineno == 1 &&
		    !index) {
			continue; /* a header "user item": ids the model does not know */
		}
		if (index && (u < 0 || j < 0)) {
			fprintf(stderr, "strads predict: %s:%llu: expected a user index below %u "
			    "and an item index below %u (--index), got '%.*s'\n", argv[optind + 1],
			    lineno, m.nusers, m.nitems, (int)strcspn(line, "\r\n"), line);
			free(line);
			fclose(f);
			if (pend != NULL) {
				fclose(pend);
				free(held);
			}
			mf_model_free(&m);
			return CLI_FAIL;
		}
		pairs++;
		if (u >= 0 && j >= 0) {
			p = mf_predict1(&m, (uint32_t)u, (uint32_t)j);
		} else {
			p = m.mu;
			if (m.biases && u >= 0)
				p += m.W[(size_t)u * m.kc + m.rank];
			if (m.biases && j >= 0)
				p += m.H[(size_t)j * m.kc + m.rank + 1];
			unknown++;
		}
		if (u >= 0 && j >= 0 && pend != NULL) {
			/* The first known pair: what was held goes out. */
			fclose(pend);
			pend = NULL;
			fwrite(held, 1, nheld, stdout);
			free(held);
			held = NULL;
		}
		fprintf(pend != NULL ? pend : stdout, "%.17g\n", p);
		if (!isnan(r)) {
			sse += (p - r) * (p - r);
			scored++;
		}
	}
	free(line);
	fclose(f);
	if (pend != NULL) {
		fclose(pend);
		pend = NULL;
		if (!(unknown > 0 && unknown == pairs))
			fwrite(held, 1, nheld, stdout);
		free(held);
		held = NULL;
	}
	if (unknown > 0 && unknown == pairs) {
		/* Not one pair of this model's ids: another model's pairs,
		 * or not pairs at all (a LIBSVM file, say). */
		fprintf(stderr, "strads predict: %s: none of its %llu pairs names a user "
		    "and an item the model knows: expected pairs of the training data's "
		    "ids%s\n", argv[optind + 1], pairs, index ? " (dense indices with --index)" : "");
		mf_model_free(&m);
		return CLI_FAIL;
	}
	if (!quiet && unknown > 0)
		fprintf(stderr, "strads predict: %llu pair(s) name a user or item the model does "
		    "not know: predicted from what is known\n", unknown);
	if (!quiet && scored > 0)
		fprintf(stderr, "rmse %.6f over %llu ratings\n", sqrt(sse / (double)scored),
		    scored);
	mf_model_free(&m);
	return CLI_OK;
}

/* ------------------------------------------------------------------ */
/* strads recommend MODEL --user U --top N                             */

typedef struct {
	double s;
	uint32_t j;
} scored_t;

static int
by_score(const void *a, const void *b)
{
	const scored_t *x = a, *y = b;

	if (x->s != y->s)
		return x->s > y->s ? -1 : 1;
	return x->j < y->j ? -1 : x->j > y->j;
}

int
mf_recommend_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"user", required_argument, NULL, 'u'},
	    {"top", required_argument, NULL, 't'},
	    {"index", no_argument, NULL, 'x'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *user = NULL;
	mf_model_t m;
	scored_t *sc;
	char err[1024];
	long top = 10;
	int c, index = 0;
	int64_t u;
	uint32_t j, n = 0, unlearned = 0;
	uint8_t *rated;
	uint64_t k;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'u': user = optarg; break;
		case 't':
			if (cli_parse_long_in("recommend", "--top", optarg, 1, 100000000, &top) != 0)
				return CLI_USAGE;
			break;
		case 'x': index = 1; break;
		case 'h':
			printf("usage: strads recommend MODEL --user U [--top N] [--index]\n"
			       "\n"
			       "Lists the N items (default 10) of highest predicted rating for\n"
			       "user U of an mf model (strads run mf --out), leaving out the\n"
			       "items U rated in training and those no one did (items of the\n"
			       "test split alone: nothing was learned of them; counted on\n"
			       "stderr): one 'ITEM RATING' a line, best first.\n"
			       "\n"
			       "  --index    U is the model's dense index (from 0), not an id\n");
			return CLI_OK;
		default:
			fprintf(stderr, "strads recommend: %s '%s'\nTry 'strads recommend --help'.\n",
			    c == ':' ? "a value is needed after" : "unknown option", argv[optind - 1]);
			return CLI_USAGE;
		}
	}
	if (argc - optind != 1 || user == NULL) {
		fprintf(stderr, "usage: strads recommend MODEL --user U [--top N] [--index]\n");
		return CLI_USAGE;
	}
	if (mf_model_read(argv[optind], &m, err, sizeof(err)) != 0) {
		fprintf(stderr, "strads recommend: %s\n", err);
		return CLI_MODEL;
	}
	if ((u = lookup(&m.users, user, strlen(user), index)) < 0) {
		fprintf(stderr, "strads recommend: %s: no user '%s' in the model (%u users)\n",
		    argv[optind], user, m.nusers);
		mf_model_free(&m);
		return CLI_FAIL;
	}
	sc = malloc(m.nitems * sizeof(*sc));
	rated = calloc(m.nitems, 1);
	if (sc == NULL || rated == NULL) {
		fprintf(stderr, "strads recommend: out of memory\n");
		free(sc);
		free(rated);
		mf_model_free(&m);
		return CLI_FAIL;
	}
	/* Items no one rated in training (they came with the test split)
	 * have no factors learned: 2 marks them, and they are left out. */
	memset(rated, 2, m.nitems);
	for (k = 0; k < m.rptr[m.nusers]; k++)
		rated[m.ritem[k]] = 0;
	for (j = 0; j < m.nitems; j++)
		unlearned += rated[j] == 2;
	for (k = m.rptr[u]; k < m.rptr[u + 1]; k++)
		rated[m.ritem[k]] = 1;
	for (j = 0; j < m.nitems; j++)
		if (!rated[j])
			sc[n++] = (scored_t){mf_predict1(&m, (uint32_t)u, j), j};
	if (unlearned > 0)
		fprintf(stderr, "strads recommend: %u item(s) with no training ratings left "
		    "out\n", unlearned);
	if (n == 0)
		fprintf(stderr, "strads recommend: user '%s' rated every item the model "
		    "learned: nothing to recommend\n", user);
	qsort(sc, n, sizeof(*sc), by_score);
	for (j = 0; j < n && j < (uint32_t)top; j++) {
		const char *s;

		for (s = m.items.names[sc[j].j]; *s != '\0'; s++) {
			unsigned char ch = (unsigned char)*s;

			if (ch <= ' ' || ch >= 127 || ch == '%')
				printf("%%%02X", ch);
			else
				putchar(ch);
		}
		printf(" %.6f\n", sc[j].s);
	}
	free(sc);
	free(rated);
	mf_model_free(&m);
	return CLI_OK;
}
