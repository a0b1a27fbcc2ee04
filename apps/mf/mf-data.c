/*
 * mf-data.c -- ratings files (mf.h): the loaders, the id maps, the
 * held-out split.
 *
 * The file is mapped and cut into one run of whole lines a thread; each
 * thread parses its run into numeric triples, and the runs are joined
 * in order, so the result does not depend on the thread count. Ids that
 * are not all decimal numbers send the whole file through a second,
 * single-threaded pass that interns them as strings.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mf.h"

/* ------------------------------------------------------------------ */
/* Id maps.                                                            */

static uint64_t
hash_bytes(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t k;

	for (k = 0; k < len; k++) {
		h ^= (unsigned char)s[k];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

int64_t
mf_ids_find(const mf_ids_t *m, const char *s, size_t len)
{
	uint32_t at, v;

	if (m->cap == 0)
		return -1;
	at = (uint32_t)(hash_bytes(s, len) & (m->cap - 1));
	while ((v = m->slot[at]) != 0) {
		const char *nm = m->names[v - 1];

		if (strncmp(nm, s, len) == 0 && nm[len] == '\0')
			return (int64_t)(v - 1);
		at = (at + 1) & (m->cap - 1);
	}
	return -1;
}

/* Places index i (its name already in names) in the table. */
static void
ids_place(mf_ids_t *m, uint32_t i)
{
	const char *nm = m->names[i];
	uint32_t at = (uint32_t)(hash_bytes(nm, strlen(nm)) & (m->cap - 1));

	while (m->slot[at] != 0)
		at = (at + 1) & (m->cap - 1);
	m->slot[at] = i + 1;
}

/* Makes the table cap entries (a power of two above 2n) and places
 * every name. */
static int
ids_rehash(mf_ids_t *m, uint32_t cap)
{
	uint32_t i;

	free(m->slot);
	if ((m->slot = calloc(cap, sizeof(uint32_t))) == NULL) {
		m->cap = 0;
		return -1;
	}
	m->cap = cap;
	for (i = 0; i < m->n; i++)
		ids_place(m, i);
	return 0;
}

int
mf_ids_index(mf_ids_t *m)
{
	uint32_t cap = 16;

	while (cap < 2 * (uint64_t)m->n + 2)
		cap *= 2;
	return ids_rehash(m, cap);
}

/* The index of id s, added when new (string ids: order of first
 * appearance). -1 when out of memory. */
static int64_t
ids_intern(mf_ids_t *m, uint32_t *namecap, const char *s, size_t len)
{
	int64_t at = mf_ids_find(m, s, len);
	char *nm;

	if (at >= 0)
		return at;
	if (m->n == UINT32_MAX - 1)
		return -1;
	if (m->n == *namecap) {
		uint32_t nc = *namecap ? 2 * *namecap : 1024;
		char **nn = realloc(m->names, nc * sizeof(char *));

		if (nn == NULL)
			return -1;
		m->names = nn;
		*namecap = nc;
	}
	if (2 * ((uint64_t)m->n + 1) + 2 > m->cap &&
	    ids_rehash(m, m->cap ? 2 * m->cap : 1024) != 0)
		return -1;
	if ((nm = malloc(len + 1)) == NULL)
		return -1;
	memcpy(nm, s, len);
	nm[len] = '\0';
	m->names[m->n] = nm;
	ids_place(m, m->n);
	return m->n++;
}

void
mf_ids_free(mf_ids_t *m)
{
	uint32_t i;

	if (m->names != NULL)
		for (i = 0; i < m->n; i++)
			free(m->names[i]);
	free(m->names);
	free(m->slot);
	memset(m, 0, sizeof(*m));
}

void
mf_ratings_free(mf_ratings_t *r)
{
	free(r->u);
	free(r->i);
	free(r->r);
	memset(r, 0, sizeof(*r));
}

static int
ratings_alloc(mf_ratings_t *r, uint64_t n)
{
	size_t k = n ? (size_t)n : 1;

	r->n = n;
	r->u = malloc(k * sizeof(uint32_t));
	r->i = malloc(k * sizeof(uint32_t));
	r->r = malloc(k * sizeof(float));
	if (r->u == NULL || r->i == NULL || r->r == NULL) {
		mf_ratings_free(r);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Lines and fields.                                                   */

static inline int
is_sep(char c)
{
	return c == ' ' || c == '\t' || c == ',';
}

static inline int
is_end(const char *p, const char *e)
{
	return p == e || *p == '\n' || *p == '\r';
}

/* Past the separator after a field: blanks, at most one comma, blanks. */
static const char *
skip_sep(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if (p < e && *p == ',') {
		p++;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
	}
	return p;
}

/* The end of the field at p. */
static const char *
field_end(const char *p, const char *e)
{
	while (p < e && !is_sep(*p) && *p != '\n' && *p != '\r')
		p++;
	return p;
}

static const double pow10_tab[19] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
    1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};

/* A number at p, which must end at a separator or the line's end; the
 * common "4", "3.5" without strtod. NULL when it is not one. */
static const char *
parse_num(const char *p, const char *e, double *out)
{
	const char *s = p;
	uint64_t ip = 0, fp = 0;
	int neg = 0, nd = 0, fd = 0;
	double v;

	if (p < e && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	while (p < e && *p >= '0' && *p <= '9' && nd < 18) {
		ip = ip * 10 + (uint64_t)(*p++ - '0');
		nd++;
	}
	if (p < e && *p == '.') {
		p++;
		while (p < e && *p >= '0' && *p <= '9') {
			if (fd < 18) {
				fp = fp * 10 + (uint64_t)(*p - '0');
				fd++;
			}
			p++;
			nd++;
		}
	}
	if (nd == 0)
		return NULL;
	if (p < e && ((*p >= '0' && *p <= '9') || *p == 'e' || *p == 'E')) {
		/* Long or with an exponent: strtod on a copy. */
		char buf[64];
		const char *fe = field_end(s, e);
		char *q;

		if ((size_t)(fe - s) >= sizeof(buf))
			return NULL;
		memcpy(buf, s, (size_t)(fe - s));
		buf[fe - s] = '\0';
		v = strtod(buf, &q);
		/* Finite, and small enough that squared errors summed over
		 * any data set stay finite. */
		if (*q != '\0' || !isfinite(v) || fabs(v) > 1e100)
			return NULL;
		*out = v;
		return fe;
	}
	if (!(p == e || is_sep(*p) || *p == '\n' || *p == '\r'))
		return NULL;
	v = (double)ip + (fd > 0 ? (double)fp / pow10_tab[fd] : 0);
	*out = neg ? -v : v;
	return p;
}

/* Numeric ids up to this are mapped through a direct table; larger
 * ones are interned as strings. */
#define MAX_DIRECT ((1u << 28) - 1)

/* A decimal id at p (at most 19 digits) ending at a separator; NULL
 * when the field is not one. */
static const char *
parse_id(const char *p, const char *e, uint64_t *out)
{
	uint64_t v = 0;
	int nd = 0;

	while (p < e && *p >= '0' && *p <= '9') {
		if (++nd > 19)
			return NULL;
		v = v * 10 + (uint64_t)(*p++ - '0');
	}
	if (nd == 0 || !(p < e && is_sep(*p)))
		return NULL;
	*out = v;
	return p;
}

static const char *
next_line(const char *p, const char *e)
{
	const char *q = memchr(p, '\n', (size_t)(e - p));

	return q != NULL ? q + 1 : e;
}

/* ------------------------------------------------------------------ */
/* The parallel numeric pass.                                          */

typedef struct {
	const char *b, *e; /* the run of whole lines */
	int mm;            /* MatrixMarket: '%' lines are comments */
	uint64_t n, cap;   /* triples parsed; room for (the run's lines) */
	uint32_t *u, *i;   /* borrowed: the run's place in the output */
	float *r;
	uint32_t umax, imax;
	int fail;          /* 1: bad line at at (why in what); 3: an id
	                      not a number (or too large) at at */
	const char *at;
	const char *what;
} run_t;

static void *
run_parse(void *arg)
{
	run_t *c = arg;
	const char *p = c->b, *e = c->e;

	while (p < e) {
		const char *q = p, *line = p;
		uint64_t u, it;
		double r;

		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if (is_end(q, e) || *q == '#' || (c->mm && *q == '%')) {
			p = next_line(q, e);
			continue;
		}
		if ((q = parse_id(q, e, &u)) == NULL) {
			c->fail = 3;
			c->at = line;
			return NULL;
		}
		q = skip_sep(q, e);
		if ((q = parse_id(q, e, &it)) == NULL) {
			c->fail = 3;
			c->at = line;
			return NULL;
		}
		q = skip_sep(q, e);
		if ((q = parse_num(q, e, &r)) == NULL) {
			c->fail = 1;
			c->at = line;
			c->what = "a rating (a number of magnitude at most 1e100) as the third field";
			return NULL;
		}
		if (c->n == c->cap || u > MAX_DIRECT || it > MAX_DIRECT) {
			/* More triples than lines cannot be; ids this large
			 * are interned as strings. */
			c->fail = 3;
			c->at = line;
			return NULL;
		}
		c->u[c->n] = (uint32_t)u;
		c->i[c->n] = (uint32_t)it;
		c->r[c->n] = (float)r;
		c->n++;
		if (u > c->umax)
			c->umax = (uint32_t)u;
		if (it > c->imax)
			c->imax = (uint32_t)it;
		/* The rest of the line (a timestamp) is short: a loop beats
		 * a call to memchr. */
		while (q < e && *q != '\n')
			q++;
		p = q < e ? q + 1 : e;
	}
	return NULL;
}

/* Lines in [b, e): room enough for the run's triples. */
static uint64_t
count_lines(const char *b, const char *e)
{
	uint64_t n = 1;

	while (b < e && (b = memchr(b, '\n', (size_t)(e - b))) != NULL) {
		n++;
		b++;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* The load.                                                           */

typedef struct {
	const char *path;
	const char *map;  /* the file's bytes */
	size_t len;
	const char *data; /* first byte after the header */
	uint64_t line0;   /* the line number of data */
	int mm;
	uint64_t mm_rows, mm_cols, mm_nnz;
	char *err;
	size_t errlen;
} src_t;

static uint64_t
line_of(const src_t *s, const char *at)
{
	uint64_t n = s->line0;
	const char *p = s->data;

	while (p < at && (p = memchr(p, '\n', (size_t)(at - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

static int
bad_line(const src_t *s, const char *at, const char *what)
{
	const char *e = at;
	int shown;

	while (e < s->map + s->len && *e != '\n' && *e != '\r' && e - at < 60)
		e++;
	shown = (int)(e - at);
	snprintf(s->err, s->errlen, "%s:%llu: expected %s, got '%.*s'", s->path,
	    (unsigned long long)line_of(s, at), what, shown, at);
	return -1;
}

/* Finds where the triples begin: after a MatrixMarket banner, its
 * comments and size line, or after a header line (a first line whose
 * third field is not a number). */
static int
find_data(src_t *s)
{
	const char *p = s->map, *e = s->map + s->len;

	s->line0 = 1;
	if (s->len >= 14 && strncmp(p, "%%MatrixMarket", 14) == 0) {
		const char *nl = next_line(p, e);
		char banner[256];
		size_t bl = (size_t)(nl - p) < sizeof(banner) ? (size_t)(nl - p) : sizeof(banner) - 1;
		unsigned long long m, n, nnz;
		char tail;

		memcpy(banner, p, bl);
		banner[bl] = '\0';
		if (strstr(banner, "coordinate") == NULL) {
			snprintf(s->err, s->errlen, "%s:1: expected a MatrixMarket coordinate "
			    "matrix (a ratings matrix is sparse), got '%.*s'", s->path,
			    (int)strcspn(banner, "\r\n"), banner);
			return -1;
		}
		s->mm = 1;
		p = nl;
		s->line0 = 2;
		while (p < e && (*p == '%' || is_end(p, e))) {
			p = next_line(p, e);
			s->line0++;
		}
		if (p >= e || sscanf(p, "%llu %llu %llu%c", &m, &n, &nnz, &tail) < 3) {
			s->data = p;
			return bad_line(s, p, "the size line 'ROWS COLS ENTRIES'");
		}
		s->mm_rows = m;
		s->mm_cols = n;
		s->mm_nnz = nnz;
		s->data = next_line(p, e);
		s->line0++;
		return 0;
	}
	while (p < e) {
		const char *q = p;
		double r;

		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if (is_end(q, e) || *q == '#') {
			p = next_line(q, e);
			s->line0++;
			continue;
		}
		/* The first line: a header when its third field is no number. */
		q = skip_sep(field_end(q, e), e);
		q = skip_sep(field_end(q, e), e);
		if (!is_end(q, e) && parse_num(q, e, &r) == NULL) {
			p = next_line(q, e);
			s->line0++;
		}
		break;
	}
	s->data = p;
	return 0;
}

/* The string pass: the whole data region on this thread, every id
 * interned in users and items (or looked up when fixed). */
static int
load_strings(src_t *s, mf_ids_t *users, mf_ids_t *items, int fixed, mf_ratings_t *out,
    uint64_t *unknown)
{
	const char *p = s->data, *e = s->map + s->len;
	uint32_t ucap = users->n, icap = items->n;
	uint64_t cap = 0;

	memset(out, 0, sizeof(*out));
	while (p < e) {
		const char *q = p, *line = p, *f1, *f1e, *f2, *f2e;
		int64_t u, it;
		double r;

		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if (is_end(q, e) || *q == '#' || (s->mm && *q == '%')) {
			p = next_line(q, e);
			continue;
		}
		f1 = q;
		f1e = field_end(q, e);
		f2 = skip_sep(f1e, e);
		f2e = field_end(f2, e);
		if (f1e == f1 || f2e == f2 || is_end(f1e, e)) {
			mf_ratings_free(out);
			return bad_line(s, line, "a user id, an item id and a rating");
		}
		q = skip_sep(f2e, e);
		if (is_end(q, e)) {
			mf_ratings_free(out);
			return bad_line(s, line, "a user id, an item id and a rating");
		}
		if ((q = parse_num(q, e, &r)) == NULL) {
			mf_ratings_free(out);
			return bad_line(s, line, "a rating (a number of magnitude at most 1e100) as the third field");
		}
		if (fixed) {
			u = mf_ids_find(users, f1, (size_t)(f1e - f1));
			it = mf_ids_find(items, f2, (size_t)(f2e - f2));
			if (u < 0 || it < 0) {
				if (unknown != NULL)
					(*unknown)++;
				p = next_line(q, e);
				continue;
			}
		} else {
			u = ids_intern(users, &ucap, f1, (size_t)(f1e - f1));
			it = ids_intern(items, &icap, f2, (size_t)(f2e - f2));
		}
		if (u < 0 || it < 0)
			goto oom;
		if (out->n == cap) {
			uint64_t nc = cap ? 2 * cap : 1 << 16;
			void *a = realloc(out->u, nc * sizeof(uint32_t));

			if (a == NULL)
				goto oom;
			out->u = a;
			if ((a = realloc(out->i, nc * sizeof(uint32_t))) == NULL)
				goto oom;
			out->i = a;
			if ((a = realloc(out->r, nc * sizeof(float))) == NULL)
				goto oom;
			out->r = a;
			cap = nc;
		}
		out->u[out->n] = (uint32_t)u;
		out->i[out->n] = (uint32_t)it;
		out->r[out->n] = (float)r;
		out->n++;
		p = next_line(q, e);
	}
	return 0;
oom:
	mf_ratings_free(out);
	snprintf(s->err, s->errlen, "%s: out of memory", s->path);
	return -1;
}

/* Dense indices of numeric ids: increasing order. map[id] is the index
 * + 1 of each id seen (ids up to max), names the ids. */
static int
numeric_ids(const run_t *runs, int nruns, int user, uint64_t max, uint32_t **mapp,
    mf_ids_t *ids)
{
	uint32_t *map = calloc((size_t)max + 1, sizeof(uint32_t));
	uint64_t v, k, n = 0;
	int t;

	*mapp = map;
	if (map == NULL)
		return -1;
	for (t = 0; t < nruns; t++) {
		const uint32_t *a = user ? runs[t].u : runs[t].i;

		for (k = 0; k < runs[t].n; k++)
			map[a[k]] = 1;
	}
	for (v = 0; v <= max; v++)
		if (map[v]) {
			if (n == UINT32_MAX - 1)
				return -1;
			map[v] = (uint32_t)++n;
		}
	ids->n = (uint32_t)n;
	if ((ids->names = calloc(n ? n : 1, sizeof(char *))) == NULL)
		return -1;
	for (v = 0; v <= max; v++)
		if (map[v]) {
			char buf[24];

			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
			if ((ids->names[map[v] - 1] = strdup(buf)) == NULL)
				return -1;
		}
	return mf_ids_index(ids);
}

/* Ids of 1..n (MatrixMarket). */
static int
range_ids(uint64_t n, mf_ids_t *ids)
{
	uint64_t v;

	ids->n = (uint32_t)n;
	if ((ids->names = calloc(n ? n : 1, sizeof(char *))) == NULL)
		return -1;
	for (v = 0; v < n; v++) {
		char buf[24];

		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v + 1);
		if ((ids->names[v] = strdup(buf)) == NULL)
			return -1;
	}
	return mf_ids_index(ids);
}

/* Joins the runs, which lie in out at their own offsets, into one run
 * at its start (each triple moves down, never up), each id through
 * umap/imap (direct tables of index + 1) or, when those are NULL,
 * looked up in the fixed maps. */
static void
join_runs(const src_t *s, run_t *runs, int nruns, const uint32_t *umap,
    const uint32_t *imap, const mf_ids_t *users, const mf_ids_t *items, mf_ratings_t *out,
    uint64_t *unknown)
{
	uint64_t at = 0, k;
	int t;

	for (t = 0; t < nruns; t++) {
		const run_t *c = &runs[t];

		for (k = 0; k < c->n; k++) {
			int64_t u, it;

			if (s->mm) {
				u = (int64_t)c->u[k] - 1;
				it = (int64_t)c->i[k] - 1;
			} else if (umap != NULL) {
				u = (int64_t)umap[c->u[k]] - 1;
				it = (int64_t)imap[c->i[k]] - 1;
			} else {
				char b1[24], b2[24];
				int l1 = snprintf(b1, sizeof(b1), "%u", c->u[k]);
				int l2 = snprintf(b2, sizeof(b2), "%u", c->i[k]);

				u = mf_ids_find(users, b1, (size_t)l1);
				it = mf_ids_find(items, b2, (size_t)l2);
			}
			if (u < 0 || it < 0) {
				if (unknown != NULL)
					(*unknown)++;
				continue;
			}
			out->u[at] = (uint32_t)u;
			out->i[at] = (uint32_t)it;
			out->r[at] = c->r[k];
			at++;
		}
	}
	out->n = at;
}

int
mf_load(const char *path, int nthreads, mf_ids_t *users, mf_ids_t *items,
    mf_ratings_t *out, uint64_t *unknown, char *err, size_t errlen)
{
	src_t s;
	run_t runs[64];
	pthread_t tid[64];
	int started[64];
	struct stat sb;
	int fd, t, nruns, rc = -1, fixed = users->n > 0 || items->n > 0;
	uint32_t *umap = NULL, *imap = NULL;
	void *map = NULL;
	char *buf = NULL; /* a pipe's or stdin's bytes, read whole (owned) */
	const char *e;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	memset(runs, 0, sizeof(runs));
	memset(started, 0, sizeof(started));
	if (unknown != NULL)
		*unknown = 0;
	s.path = path;
	s.err = err;
	s.errlen = errlen;
	if ((fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		/* A pipe (stdin, <(...)) has no size to map: read it whole. */
		size_t cap = 1 << 20, len = 0;
		ssize_t got;

		for (;;) {
			if (len == cap || buf == NULL) {
				char *m = realloc(buf, buf == NULL ? cap : (cap *= 2));

				if (m == NULL) {
					free(buf);
					close(fd);
					snprintf(err, errlen, "%s: out of memory", path);
					return -1;
				}
				buf = m;
			}
			got = read(fd, buf + len, cap - len);
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0) {
				snprintf(err, errlen, "%s: %s", path, strerror(errno));
				free(buf);
				close(fd);
				return -1;
			}
			if (got == 0)
				break;
			len += (size_t)got;
		}
		sb.st_size = (off_t)len;
	}
	if (sb.st_size == 0) {
		free(buf);
		close(fd);
		snprintf(err, errlen, "%s:1: expected ratings (user item rating), got an empty "
		    "file", path);
		return -1;
	}
	/* MAP_POPULATE: the pages of a cached file come in one call
	 * instead of a fault each. */
	map = buf != NULL ? buf
	                  : mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE,
	                        fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	s.map = map;
	s.len = (size_t)sb.st_size;
	e = s.map + s.len;
	if (find_data(&s) != 0)
		goto out;
	/* One run of whole lines a thread; a run of less than 1 MiB is not
	 * worth a thread. */
	nthreads = nthreads < 1 ? 1 : nthreads > 64 ? 64 : nthreads;
	while (nthreads > 1 && (size_t)(e - s.data) / (size_t)nthreads < (1u << 20))
		nthreads--;
	nruns = nthreads;
	{
		const char *p = s.data;

		for (t = 0; t < nruns; t++) {
			const char *q = t == nruns - 1 ? e : s.data + (size_t)(e - s.data) / nruns * (t + 1);

			if (q < p)
				q = p;
			if (q < e && q > s.data && q[-1] != '\n')
				q = next_line(q, e);
			runs[t].b = p;
			runs[t].e = q;
			runs[t].mm = s.mm;
			p = q;
		}
	}
	/* Every run writes its triples straight into the output, at an
	 * offset of the lines before it; join_runs closes the gaps. */
	{
		uint64_t total = 0;

		for (t = 0; t < nruns; t++)
			total += (runs[t].cap = count_lines(runs[t].b, runs[t].e));
		if (ratings_alloc(out, total) != 0)
			goto oom;
		total = 0;
		for (t = 0; t < nruns; t++) {
			runs[t].u = out->u + total;
			runs[t].i = out->i + total;
			runs[t].r = out->r + total;
			total += runs[t].cap;
		}
	}
	for (t = 1; t < nruns; t++)
		started[t] = pthread_create(&tid[t], NULL, run_parse, &runs[t]) == 0;
	run_parse(&runs[0]);
	for (t = 1; t < nruns; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			run_parse(&runs[t]);
	}
	for (t = 0; t < nruns; t++) {
		if (runs[t].fail == 3 || runs[t].fail == 1)
			break;
	}
	if (t < nruns) {
		if (runs[t].fail == 1 || s.mm) {
			bad_line(&s, runs[t].at, runs[t].fail == 1 ? runs[t].what
			    : "'ROW COL VALUE' with indices from 1");
			goto out;
		}
		/* Ids that are not numbers: every line again, as strings. */
		mf_ratings_free(out);
		rc = load_strings(&s, users, items, fixed, out, unknown);
		goto out;
	}
	if (s.mm) {
		uint64_t total = 0;

		for (t = 0; t < nruns; t++) {
			uint64_t k;

			total += runs[t].n;
			for (k = 0; k < runs[t].n; k++)
				if (runs[t].u[k] < 1 || runs[t].u[k] > s.mm_rows || runs[t].i[k] < 1 ||
				    runs[t].i[k] > s.mm_cols) {
					/* Find the line: the k-th entry of the run. */
					const char *p = runs[t].b;
					uint64_t seen = 0;

					for (;;) {
						const char *q = p;

						while (q < runs[t].e && (*q == ' ' || *q == '\t'))
							q++;
						if (!(is_end(q, runs[t].e) || *q == '%' || *q == '#') &&
						    seen++ == k)
							break;
						p = next_line(q, runs[t].e);
					}
					snprintf(err, errlen, "%s:%llu: expected a row in 1..%llu and a "
					    "column in 1..%llu, got %llu %llu", path,
					    (unsigned long long)line_of(&s, p), (unsigned long long)s.mm_rows,
					    (unsigned long long)s.mm_cols, (unsigned long long)runs[t].u[k],
					    (unsigned long long)runs[t].i[k]);
					goto out;
				}
		}
		if (total != s.mm_nnz) {
			snprintf(err, errlen, "%s: expected %llu entries (the size line), got %llu",
			    path, (unsigned long long)s.mm_nnz, (unsigned long long)total);
			goto out;
		}
		if (!fixed && (range_ids(s.mm_rows, users) != 0 || range_ids(s.mm_cols, items) != 0))
			goto oom;
		if (fixed) {
			s.mm = 0; /* look the numbers up by name */
		}
	} else if (!fixed) {
		uint64_t umax = 0, imax = 0;

		for (t = 0; t < nruns; t++) {
			umax = runs[t].umax > umax ? runs[t].umax : umax;
			imax = runs[t].imax > imax ? runs[t].imax : imax;
		}
		if (umax > 64 * out->n + (1u << 20) || imax > 64 * out->n + (1u << 20)) {
			/* Sparse large numbers: intern them as strings. */
			mf_ratings_free(out);
			rc = load_strings(&s, users, items, 0, out, unknown);
			goto out;
		}
		if (numeric_ids(runs, nruns, 1, umax, &umap, users) != 0 ||
		    numeric_ids(runs, nruns, 0, imax, &imap, items) != 0)
			goto oom;
	}
	join_runs(&s, runs, nruns, umap, imap, users, items, out, unknown);
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
	rc = -1;
out:
	if (rc != 0) {
		mf_ratings_free(out);
		if (!fixed) {
			mf_ids_free(users);
			mf_ids_free(items);
		}
	}
	free(umap);
	free(imap);
	if (buf != NULL)
		free(buf);
	else
		munmap(map, s.len);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The held-out split.                                                 */

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

int
mf_split(const mf_ratings_t *all, double frac, uint64_t seed, mf_ratings_t *train,
    mf_ratings_t *test)
{
	/* The largest double below 2^64: frac x 2^64 would not fit. */
	uint64_t k, nt = 0, a = 0, b = 0,
	    cut = frac >= 1 ? UINT64_MAX : (uint64_t)(frac * 18446744073709549568.0);
	uint8_t *held = malloc(all->n ? all->n : 1);

	memset(train, 0, sizeof(*train));
	memset(test, 0, sizeof(*test));
	if (held == NULL)
		return -1;
	for (k = 0; k < all->n; k++) {
		held[k] = frac > 0 && mix(k ^ mix(seed + 0x9e3779b97f4a7c15ULL)) < cut;
		nt += held[k];
	}
	if (ratings_alloc(train, all->n - nt) != 0 || ratings_alloc(test, nt) != 0) {
		free(held);
		mf_ratings_free(train);
		mf_ratings_free(test);
		return -1;
	}
	for (k = 0; k < all->n; k++) {
		mf_ratings_t *o = held[k] ? test : train;
		uint64_t *at = held[k] ? &b : &a;

		o->u[*at] = all->u[k];
		o->i[*at] = all->i[k];
		o->r[*at] = all->r[k];
		(*at)++;
	}
	free(held);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Repeated pairs.                                                     */

uint64_t
mf_duplicates(const mf_ratings_t *r, uint32_t nusers, uint32_t nitems, uint64_t *first)
{
	uint64_t *ptr = calloc((size_t)nusers + 2, sizeof(uint64_t));
	uint64_t *at = malloc((r->n ? r->n : 1) * sizeof(uint64_t));
	uint32_t *seen = malloc((nitems ? nitems : 1) * sizeof(uint32_t));
	uint64_t k, n = 0;
	uint32_t u;

	*first = UINT64_MAX;
	if (ptr == NULL || at == NULL || seen == NULL) {
		free(ptr);
		free(at);
		free(seen);
		return UINT64_MAX;
	}
	/* The ratings by user (a counting sort, in file order within a
	 * user), then each user's items marked: an item already marked for
	 * this user is a repeat. */
	for (k = 0; k < r->n; k++)
		ptr[r->u[k] + 2]++;
	for (u = 0; u < nusers; u++)
		ptr[u + 2] += ptr[u + 1];
	for (k = 0; k < r->n; k++)
		at[ptr[r->u[k] + 1]++] = k;
	memset(seen, 0xff, (nitems ? nitems : 1) * sizeof(uint32_t));
	for (u = 0; u < nusers; u++)
		for (k = ptr[u]; k < ptr[u + 1]; k++) {
			uint32_t i = r->i[at[k]];

			if (seen[i] == u) {
				n++;
				if (at[k] < *first)
					*first = at[k];
			}
			seen[i] = u;
		}
	free(ptr);
	free(at);
	free(seen);
	return n;
}
