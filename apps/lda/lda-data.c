/*
 * lda-data.c -- corpora for LDA (lda.h): lda-c and UCI bag-of-words with
 * their vocabulary files, raw text one document a line, and the split of a corpus into training and
 * held-out documents.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lda.h"

void
lda_text_opts_init(lda_text_opts_t *o)
{
	memset(o, 0, sizeof(*o));
	o->builtin_stop = 1;
	o->min_count = 1;
	o->max_df = 1;
}

void
lda_corpus_free(lda_corpus_t *c)
{
	uint32_t v;

	if (c->vocab != NULL)
		for (v = 0; v < c->nwords; v++)
			free(c->vocab[v]);
	free(c->vocab);
	free(c->doc_ptr);
	free(c->tok);
	memset(c, 0, sizeof(*c));
}

/* Opens a corpus file; "-" is the standard input (read once, front to
 * back, as every loader reads; messages name it "-"). */
static FILE *
open_in(const char *path)
{
	return fopen(strcmp(path, "-") == 0 ? "/dev/stdin" : path, "r");
}

/* The message of a document past LDA_MAX_DOC_TOKENS: file, line, limit. */
#define TOO_LONG                                                                         \
	"%s:%lu: expected a document of at most %u tokens (a document's tokens are "      \
	"sampled one by one, and its assignments take a row as long as the longest)"

/* A growing corpus: tokens appended, documents closed. */
typedef struct {
	lda_corpus_t *c;
	uint64_t cap_tok, cap_doc;
} build_t;

/* -1 when out of memory, -2 when the document would pass
 * LDA_MAX_DOC_TOKENS. */
static int
add_tokens(build_t *b, uint32_t word, uint64_t count)
{
	lda_corpus_t *c = b->c;

	if (c->ntokens - c->doc_ptr[c->ndocs] + count > LDA_MAX_DOC_TOKENS)
		return -2;

	if (c->ntokens + count > b->cap_tok) {
		uint64_t cap = b->cap_tok ? b->cap_tok : 1024;
		uint32_t *t;

		while (cap < c->ntokens + count)
			cap *= 2;
		if ((t = realloc(c->tok, cap * sizeof(uint32_t))) == NULL)
			return -1;
		c->tok = t;
		b->cap_tok = cap;
	}
	while (count-- > 0)
		c->tok[c->ntokens++] = word;
	return 0;
}

/* Closes the document whose tokens were added since the last one. */
static int
end_doc(build_t *b)
{
	lda_corpus_t *c = b->c;
	uint64_t len;

	if ((uint64_t)c->ndocs + 2 > b->cap_doc) {
		uint64_t cap = b->cap_doc ? b->cap_doc * 2 : 1024, *p;

		if ((p = realloc(c->doc_ptr, cap * sizeof(uint64_t))) == NULL)
			return -1;
		if (b->cap_doc == 0)
			p[0] = 0;
		c->doc_ptr = p;
		b->cap_doc = cap;
	}
	c->ndocs++;
	c->doc_ptr[c->ndocs] = c->ntokens;
	len = c->ntokens - c->doc_ptr[c->ndocs - 1];
	if (len > c->maxlen)
		c->maxlen = (uint32_t)len;
	return 0;
}

const char *
lda_guess_format(const char *path)
{
	const char *base = strrchr(path, '/');
	FILE *f;
	int ch;

	base = base != NULL ? base + 1 : path;
	if (strstr(base, "docword") != NULL)
		return "uci";
	if ((f = fopen(path, "r")) == NULL)
		return "ldac"; /* the loader says why */
	while ((ch = fgetc(f)) == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
		;
	fclose(f);
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ? "text" : "ldac";
}

/* Reads a vocabulary file: one word a line (its first field). */
static int
load_vocab(const char *path, char ***out, uint32_t *n, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[4096], **v = NULL;
	uint32_t cap = 0, i = 0;
	unsigned long lineno = 0;

	*out = NULL;
	*n = 0;
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strcspn(line, " \t\r\n");

		lineno++;
		if (len == 0) {
			snprintf(err, errlen, "%s:%lu: expected a word, got an empty line", path,
			    lineno);
			goto fail;
		}
		line[len] = '\0';
		if (i == cap) {
			char **nv = realloc(v, (cap ? cap * 2 : 1024) * sizeof(char *));

			if (nv == NULL)
				goto oom;
			v = nv;
			cap = cap ? cap * 2 : 1024;
		}
		if ((v[i] = strdup(line)) == NULL)
			goto oom;
		i++;
	}
	fclose(f);
	if (i == 0) {
		snprintf(err, errlen, "%s: expected one word a line, got an empty file", path);
		free(v);
		return -1;
	}
	*out = v;
	*n = i;
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
fail:
	fclose(f);
	while (i > 0)
		free(v[--i]);
	free(v);
	return -1;
}

/* Parses an unsigned decimal at *p (after blanks); 0 or -1. */
static int
parse_u64(const char **p, uint64_t *out)
{
	const char *s = *p;
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	*p = end;
	return 0;
}

static int
at_eol(const char *p)
{
	return p[strspn(p, " \t\r\n")] == '\0';
}

int
lda_load_ldac(const char *path, const char *vocab, lda_corpus_t *c, char *err,
    size_t errlen)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long lineno = 0;
	build_t b = {c, 0, 0};
	uint64_t maxid = 0;
	int added;
	int any = 0;

	memset(c, 0, sizeof(*c));
	if (vocab != NULL && load_vocab(vocab, &c->vocab, &c->nwords, err, errlen) != 0)
		return -1;
	if ((f = open_in(path)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		lda_corpus_free(c);
		return -1;
	}
	if (end_doc(&b) != 0) /* allocates doc_ptr; undone below */
		goto oom;
	c->ndocs = 0;
	c->maxlen = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		const char *p = line;
		uint64_t n, i, id, cnt;

		lineno++;
		if (at_eol(line))
			continue; /* a blank line is no document */
		if (parse_u64(&p, &n) != 0) {
			snprintf(err, errlen, "%s:%lu: expected the number of distinct words "
			    "'N id:count ...'", path, lineno);
			goto fail;
		}
		for (i = 0; i < n; i++) {
			if (parse_u64(&p, &id) != 0 || *p != ':') {
				snprintf(err, errlen, "%s:%lu: expected 'id:count' (pair %llu of %llu)",
				    path, lineno, (unsigned long long)i + 1, (unsigned long long)n);
				goto fail;
			}
			p++;
			if (parse_u64(&p, &cnt) != 0 || (*p != '\0' && !isspace((unsigned char)*p))) {
				snprintf(err, errlen, "%s:%lu: expected a count after '%llu:'", path,
				    lineno, (unsigned long long)id);
				goto fail;
			}
			if (c->vocab != NULL && id >= c->nwords) {
				snprintf(err, errlen, "%s:%lu: word id %llu past the vocabulary "
				    "(%u words in %s; ids are 0-based)", path, lineno,
				    (unsigned long long)id, c->nwords, vocab);
				goto fail;
			}
			if (id >= UINT32_MAX || cnt > UINT32_MAX) {
				snprintf(err, errlen, "%s:%lu: expected an id and a count below 2^32",
				    path, lineno);
				goto fail;
			}
			if (id > maxid)
				maxid = id;
			any = 1;
			if ((added = add_tokens(&b, (uint32_t)id, cnt)) == -2) {
				snprintf(err, errlen, TOO_LONG, path, lineno, LDA_MAX_DOC_TOKENS);
				goto fail;
			}
			if (added != 0)
				goto oom;
		}
		if (!at_eol(p)) {
			snprintf(err, errlen, "%s:%lu: expected %llu 'id:count' pairs, got more",
			    path, lineno, (unsigned long long)n);
			goto fail;
		}
		if (end_doc(&b) != 0)
			goto oom;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto fail;
	}
	if (c->ndocs == 0) {
		snprintf(err, errlen, "%s: expected lda-c documents, got none", path);
		goto fail;
	}
	if (c->vocab == NULL)
		c->nwords = any ? (uint32_t)maxid + 1 : 0;
	fclose(f);
	free(line);
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
fail:
	fclose(f);
	free(line);
	lda_corpus_free(c);
	return -1;
}

int
lda_load_uci(const char *docword, const char *vocab, lda_corpus_t *c, char *err,
    size_t errlen)
{
	FILE *f;
	char line[512];
	unsigned long lineno = 0;
	uint64_t hdr[3], last_doc = 0, nnz = 0;
	build_t b = {c, 0, 0};
	int h = 0, added;

	memset(c, 0, sizeof(*c));
	if (vocab != NULL && load_vocab(vocab, &c->vocab, &c->nwords, err, errlen) != 0)
		return -1;
	if ((f = open_in(docword)) == NULL) {
		snprintf(err, errlen, "%s: %s", docword, strerror(errno));
		lda_corpus_free(c);
		return -1;
	}
	if (end_doc(&b) != 0)
		goto oom;
	c->ndocs = 0;
	c->maxlen = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *p = line;
		uint64_t d, w, n;

		lineno++;
		if (at_eol(line))
			continue;
		if (h < 3) {
			static const char *const what[3] = {"the number of documents D",
			    "the number of words W", "the number of non-zeros NNZ"};

			if (parse_u64(&p, &hdr[h]) != 0 || !at_eol(p)) {
				snprintf(err, errlen, "%s:%lu: expected %s (UCI bag-of-words header)",
				    docword, lineno, what[h]);
				goto fail;
			}
			if (++h == 3) {
				if (c->vocab != NULL && hdr[1] != c->nwords) {
					snprintf(err, errlen, "%s:%lu: W is %llu but %s has %u words",
					    docword, lineno - 1, (unsigned long long)hdr[1], vocab,
					    c->nwords);
					goto fail;
				}
				if (hdr[0] >= UINT32_MAX || hdr[1] >= UINT32_MAX || hdr[1] == 0) {
					snprintf(err, errlen, "%s: expected D and W in 1 .. 2^32 - 2",
					    docword);
					goto fail;
				}
				c->nwords = (uint32_t)hdr[1];
			}
			continue;
		}
		if (parse_u64(&p, &d) != 0 || parse_u64(&p, &w) != 0 || parse_u64(&p, &n) != 0 ||
		    !at_eol(p)) {
			snprintf(err, errlen, "%s:%lu: expected 'docID wordID count'", docword, lineno);
			goto fail;
		}
		if (d < 1 || d > hdr[0] || w < 1 || w > hdr[1] || n > UINT32_MAX) {
			snprintf(err, errlen, "%s:%lu: docID %llu or wordID %llu out of range "
			    "(1 .. %llu, 1 .. %llu)", docword, lineno, (unsigned long long)d,
			    (unsigned long long)w, (unsigned long long)hdr[0],
			    (unsigned long long)hdr[1]);
			goto fail;
		}
		if (d < last_doc) {
			snprintf(err, errlen, "%s:%lu: expected docIDs in increasing order "
			    "(%llu after %llu)", docword, lineno, (unsigned long long)d,
			    (unsigned long long)last_doc);
			goto fail;
		}
		/* Documents with no line are empty documents. */
		while (last_doc < d) {
			if (last_doc > 0 && end_doc(&b) != 0)
				goto oom;
			last_doc++;
		}
		if ((added = add_tokens(&b, (uint32_t)(w - 1), n)) == -2) {
			snprintf(err, errlen, TOO_LONG, docword, lineno, LDA_MAX_DOC_TOKENS);
			goto fail;
		}
		if (added != 0)
			goto oom;
		nnz++;
	}
	if (h < 3) {
		snprintf(err, errlen, "%s: expected the three header lines D, W, NNZ", docword);
		goto fail;
	}
	if (nnz != hdr[2]) {
		snprintf(err, errlen, "%s: the header says %llu non-zeros, the file has %llu",
		    docword, (unsigned long long)hdr[2], (unsigned long long)nnz);
		goto fail;
	}
	while (last_doc < hdr[0] + 1) {
		if (last_doc > 0 && end_doc(&b) != 0)
			goto oom;
		last_doc++;
	}
	fclose(f);
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory", docword);
fail:
	fclose(f);
	lda_corpus_free(c);
	return -1;
}

int
lda_corpus_split(const lda_corpus_t *c, double frac, uint64_t seed, lda_corpus_t *train,
    lda_corpus_t *test)
{
	lda_corpus_t *out[2] = {train, test};
	build_t b[2] = {{train, 0, 0}, {test, 0, 0}};
	app_rng_t r;
	uint32_t d;
	int i;

	memset(train, 0, sizeof(*train));
	memset(test, 0, sizeof(*test));
	for (i = 0; i < 2; i++) {
		if (end_doc(&b[i]) != 0)
			goto oom;
		out[i]->ndocs = 0;
		out[i]->maxlen = 0;
		out[i]->nwords = c->nwords;
	}
	app_rng_seed(&r, seed, 0x7e57);
	for (d = 0; d < c->ndocs; d++) {
		uint64_t n = c->doc_ptr[d + 1] - c->doc_ptr[d], k;
		int t = (double)(app_rng_next(&r) >> 11) * 0x1.0p-53 < frac && n >= 2;

		for (k = 0; k < n; k++)
			if (add_tokens(&b[t], c->tok[c->doc_ptr[d] + k], 1) != 0)
				goto oom;
		if (end_doc(&b[t]) != 0)
			goto oom;
	}
	return 0;
oom:
	lda_corpus_free(train);
	lda_corpus_free(test);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Raw text: one document a line, lowercased, split on anything but the
 * letters a-z; words of one letter are dropped. */

/* A built-in English stop list: function words, pronouns, auxiliaries
 * and the like, none a topic word. */
static const char *const builtin_stop[] = {"a", "about", "above", "after", "again",
    "against", "all", "also", "am", "an", "and", "any", "are", "aren", "as", "at", "be",
    "because", "been", "before", "being", "below", "between", "both", "but", "by", "can",
    "cannot", "could", "couldn", "did", "didn", "do", "does", "doesn", "doing", "don", "down",
    "during", "each", "few", "for", "from", "further", "had", "hadn", "has", "hasn", "have",
    "haven", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how",
    "i", "if", "in", "into", "is", "isn", "it", "its", "itself", "just", "ll", "me", "more",
    "most", "mr", "mrs", "ms", "must", "my", "myself", "no", "nor", "not", "now", "of", "off",
    "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "re",
    "said", "same", "says", "she", "should", "shouldn", "so", "some", "such", "than", "that",
    "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
    "those", "through", "to", "too", "under", "until", "up", "us", "ve", "very", "was", "wasn",
    "we", "were", "weren", "what", "when", "where", "which", "while", "who", "whom", "why",
    "will", "with", "won", "would", "wouldn", "you", "your", "yours", "yourself",
    "yourselves"};

/* Words to ids: open addressing on an FNV-1a hash, grown at half full. */
typedef struct {
	char **word;     /* owned: id -> word */
	uint32_t n, cap; /* words; capacity of word */
	uint32_t *slot;  /* owned: hash slots holding id + 1, 0 empty */
	uint32_t nslot;  /* a power of two */
} dict_t;

static uint64_t
fnv(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static void
dict_free(dict_t *d)
{
	uint32_t i;

	for (i = 0; i < d->n; i++)
		free(d->word[i]);
	free(d->word);
	free(d->slot);
	memset(d, 0, sizeof(*d));
}

/* The id of s (len bytes); with add, a new id when it has none. -1: not
 * there (add 0), -2: out of memory. */
static int64_t
dict_id(dict_t *d, const char *s, size_t len, int add)
{
	uint32_t i, mask;

	if (d->nslot == 0 || (add && 2 * (d->n + 1) > d->nslot)) {
		uint32_t ns = d->nslot ? d->nslot * 2 : 1024, *sl = calloc(ns, sizeof(uint32_t)), j;

		if (sl == NULL)
			return -2;
		for (j = 0; j < d->n; j++) {
			i = (uint32_t)fnv(d->word[j], strlen(d->word[j])) & (ns - 1);
			while (sl[i] != 0)
				i = (i + 1) & (ns - 1);
			sl[i] = j + 1;
		}
		free(d->slot);
		d->slot = sl;
		d->nslot = ns;
	}
	mask = d->nslot - 1;
	for (i = (uint32_t)fnv(s, len) & mask; d->slot[i] != 0; i = (i + 1) & mask) {
		const char *w = d->word[d->slot[i] - 1];

		if (strncmp(w, s, len) == 0 && w[len] == '\0')
			return d->slot[i] - 1;
	}
	if (!add)
		return -1;
	if (d->n == d->cap) {
		uint32_t cap = d->cap ? d->cap * 2 : 1024;
		char **nw = realloc(d->word, cap * sizeof(char *));

		if (nw == NULL)
			return -2;
		d->word = nw;
		d->cap = cap;
	}
	if ((d->word[d->n] = strndup(s, len)) == NULL)
		return -2;
	d->slot[i] = ++d->n;
	return d->n - 1;
}

int
lda_load_text(const char *path, const lda_text_opts_t *o, lda_corpus_t *c, char *err,
    size_t errlen)
{
	FILE *f = NULL;
	dict_t words, stop;
	lda_corpus_t raw;
	build_t b = {&raw, 0, 0};
	uint64_t *cf = NULL, *df = NULL, *seen = NULL, i, d, maxdf;
	uint32_t *remap = NULL, v;
	char *line = NULL, word[256];
	size_t cap = 0, k;
	ssize_t len;
	unsigned long lineno = 0;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	memset(&raw, 0, sizeof(raw));
	memset(&words, 0, sizeof(words));
	memset(&stop, 0, sizeof(stop));
	if (o->builtin_stop)
		for (k = 0; k < sizeof(builtin_stop) / sizeof(builtin_stop[0]); k++)
			if (dict_id(&stop, builtin_stop[k], strlen(builtin_stop[k]), 1) < 0)
				goto oom;
	if (o->stopwords != NULL) {
		char **sw;
		uint32_t n;

		if (load_vocab(o->stopwords, &sw, &n, err, errlen) != 0)
			goto out;
		for (v = 0; v < n; v++) {
			for (k = 0; sw[v][k] != '\0'; k++)
				sw[v][k] = (char)tolower((unsigned char)sw[v][k]);
			if (dict_id(&stop, sw[v], strlen(sw[v]), 1) < 0)
				rc = -2;
			free(sw[v]);
		}
		free(sw);
		if (rc == -2)
			goto oom;
	}
	if ((f = open_in(path)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (end_doc(&b) != 0)
		goto oom;
	raw.ndocs = 0;
	raw.maxlen = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		ssize_t p = 0;

		lineno++;
		if ((size_t)len != strlen(line)) {
			snprintf(err, errlen, "%s:%lu: expected text, got a NUL byte", path, lineno);
			goto out;
		}
		while (p < len) {
			size_t n = 0;

			while (p < len && !isalpha((unsigned char)line[p]))
				p++;
			while (p < len && isalpha((unsigned char)line[p])) {
				if (n < sizeof(word))
					word[n] = (char)tolower((unsigned char)line[p]);
				n++;
				p++;
			}
			/* Past 256 letters a "word" is no word (a URL, a
			 * base64 blob): dropped with the one-letter ones. */
			if (n < 2 || n > sizeof(word) || dict_id(&stop, word, n, 0) >= 0)
				continue;
			{
				int64_t id = dict_id(&words, word, n, 1);
				int added = id < 0 ? -1 : add_tokens(&b, (uint32_t)id, 1);

				if (added == -2) {
					snprintf(err, errlen, TOO_LONG, path, lineno,
					    LDA_MAX_DOC_TOKENS);
					goto out;
				}
				if (added != 0)
					goto oom;
			}
		}
		if (end_doc(&b) != 0)
			goto oom;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto out;
	}
	if (raw.ndocs == 0) {
		snprintf(err, errlen, "%s: expected text, one document a line, got an empty file",
		    path);
		goto out;
	}
	/* Counts and document frequencies, then the words kept. */
	cf = calloc(words.n + 1, sizeof(uint64_t));
	df = calloc(words.n + 1, sizeof(uint64_t));
	seen = calloc(words.n + 1, sizeof(uint64_t));
	remap = malloc((words.n + 1) * sizeof(uint32_t));
	if (cf == NULL || df == NULL || seen == NULL || remap == NULL)
		goto oom;
	for (d = 0; d < raw.ndocs; d++)
		for (i = raw.doc_ptr[d]; i < raw.doc_ptr[d + 1]; i++) {
			cf[raw.tok[i]]++;
			if (seen[raw.tok[i]] != d + 1) {
				seen[raw.tok[i]] = d + 1;
				df[raw.tok[i]]++;
			}
		}
	maxdf = (uint64_t)(o->max_df * (double)raw.ndocs);
	c->nwords = 0;
	for (v = 0; v < words.n; v++)
		remap[v] = cf[v] >= o->min_count && (o->max_df >= 1 || df[v] <= maxdf)
		    ? c->nwords++ : UINT32_MAX;
	if (c->nwords == 0) {
		snprintf(err, errlen, "%s: no word left after the stop words, --min-count and "
		    "--max-df (%u distinct words before)", path, words.n);
		goto out;
	}
	if ((c->vocab = calloc(c->nwords, sizeof(char *))) == NULL)
		goto oom;
	for (v = 0; v < words.n; v++)
		if (remap[v] != UINT32_MAX) {
			c->vocab[remap[v]] = words.word[v];
			words.word[v] = NULL;
		}
	/* The documents again, with the kept words' new ids, in place. */
	{
		build_t out = {c, 0, 0};
		uint32_t nw = c->nwords;
		char **voc = c->vocab;

		c->nwords = 0;
		c->vocab = NULL;
		if (end_doc(&out) != 0) {
			c->nwords = nw;
			c->vocab = voc;
			goto oom;
		}
		c->ndocs = 0;
		c->maxlen = 0;
		c->nwords = nw;
		c->vocab = voc;
		for (d = 0; d < raw.ndocs; d++) {
			for (i = raw.doc_ptr[d]; i < raw.doc_ptr[d + 1]; i++)
				if (remap[raw.tok[i]] != UINT32_MAX &&
				    add_tokens(&out, remap[raw.tok[i]], 1) != 0)
					goto oom;
			if (end_doc(&out) != 0)
				goto oom;
		}
	}
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
out:
	if (f != NULL)
		fclose(f);
	free(line);
	free(cf);
	free(df);
	free(seen);
	free(remap);
	for (v = 0; v < words.n; v++)
		free(words.word[v]);
	words.n = 0;
	dict_free(&words);
	dict_free(&stop);
	lda_corpus_free(&raw);
	if (rc != 0)
		lda_corpus_free(c);
	return rc == 0 ? 0 : -1;
}
