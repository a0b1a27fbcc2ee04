/*
 * check_data.c -- the apps' data loaders: LIBSVM, MatrixMarket and CSV
 * into CSR, the CSC copy and the LIBSVM writer.
 *
 * Each test writes small files into its own mkdtemp directory, loads
 * them and asserts the exact contents, or the exact place (file, line,
 * column) and reason of the error. The real data sets under
 * ../shared/data are loaded when present and skipped with a note when
 * not.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data.h"
#include "testutil.h"

typedef int (*loader_fn)(
    const char *, const data_opts_t *, data_matrix_t *, char *, size_t);

static char tmpdir[256];

static void
setup(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/strads-data-XXXXXX",
	    t != NULL && t[0] != '\0' ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char p[512];
	struct dirent *e;
	DIR *d = opendir(tmpdir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", tmpdir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(tmpdir);
}

/* The path of name in the test's directory; four live at a time. */
static const char *
tpath(const char *name)
{
	static char buf[4][512];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", tmpdir, name);
	return p;
}

/* Writes len bytes to name in the test's directory; returns its path. */
static const char *
wfile_n(const char *name, const char *content, size_t len)
{
	const char *p = tpath(name);
	FILE *f = fopen(p, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(content, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return p;
}

static const char *
wfile(const char *name, const char *content)
{
	return wfile_n(name, content, strlen(content));
}

/* The number of entries in the test's directory. */
static int
count_files(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int
is_zeroed(const data_matrix_t *m)
{
	return m->n == 0 && m->p == 0 && m->nnz == 0 && m->rowptr == NULL &&
	       m->col == NULL && m->val == NULL && m->y == NULL &&
	       m->colnames == NULL;
}

/*
 * Writes content to name, loads it with fn and asserts that the load
 * fails with a message that starts with "<path>:<line>:" (just
 * "<path>:" when line is 0) and contains frag (and frag2 when not
 * NULL). Returns nothing; the message is printed on failure.
 */
static void
expect_fail(loader_fn fn, const char *name, const char *content,
    const data_opts_t *o, int line, const char *frag, const char *frag2)
{
	const char *path = wfile(name, content);
	char err[512], want[600];
	data_matrix_t m;
	int rc;

	memset(err, 0, sizeof(err));
	memset(&m, 0x5a, sizeof(m));
	rc = fn(path, o, &m, err, sizeof(err));
	ck_assert_msg(rc == -1, "%s loaded (n=%u) but should fail with '%s'",
	    name, m.n, frag);
	ck_assert_msg(is_zeroed(&m), "%s: out not zeroed after failure", name);
	if (line > 0)
		snprintf(want, sizeof(want), "%s:%d: ", path, line);
	else
		snprintf(want, sizeof(want), "%s: ", path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
	    "error '%s' should start with '%s'", err, want);
	ck_assert_msg(strstr(err, frag) != NULL,
	    "error '%s' should contain '%s'", err, frag);
	ck_assert_msg(frag2 == NULL || strstr(err, frag2) != NULL,
	    "error '%s' should contain '%s'", err, frag2);
}

/* Loads content written to name with fn, failing the test on error. */
static void
load_ok(loader_fn fn, const char *name, const char *content,
    const data_opts_t *o, data_matrix_t *m)
{
	const char *path = wfile(name, content);
	char err[512] = "";

	ck_assert_msg(
	    fn(path, o, m, err, sizeof(err)) == 0, "%s: %s", name, err);
}

/* Asserts the CSR structure invariants of m. */
static void
check_csr(const data_matrix_t *m)
{
	uint32_t i;
	uint64_t k;

	ck_assert_ptr_nonnull(m->rowptr);
	ck_assert_uint_eq(m->rowptr[0], 0);
	ck_assert_uint_eq(m->rowptr[m->n], m->nnz);
	for (i = 0; i < m->n; i++) {
		TEST_REQUIRE(m->rowptr[i] <= m->rowptr[i + 1]);
		for (k = m->rowptr[i]; k < m->rowptr[i + 1]; k++) {
			TEST_REQUIRE(m->col[k] < m->p);
			TEST_REQUIRE(
			    k == m->rowptr[i] || m->col[k - 1] < m->col[k]);
			TEST_REQUIRE(isfinite(m->val[k]));
		}
	}
}

/* Bitwise equality, so -0.0 != 0.0 and the values must be exact. */
static int
same(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

#define ASSERT_U64S(arr, ...)                                                  \
	do {                                                                   \
		const uint64_t want_[] = {__VA_ARGS__};                        \
		size_t i_;                                                     \
		for (i_ = 0; i_ < sizeof(want_) / sizeof(want_[0]); i_++)      \
			ck_assert_uint_eq((arr)[i_], want_[i_]);               \
	} while (0)

#define ASSERT_DOUBLES(arr, ...)                                               \
	do {                                                                   \
		const double want_[] = {__VA_ARGS__};                          \
		size_t i_;                                                     \
		for (i_ = 0; i_ < sizeof(want_) / sizeof(want_[0]); i_++)      \
			ck_assert_msg(same((arr)[i_], want_[i_]),              \
			    #arr "[%zu] = %.17g, expected %.17g", i_,          \
			    (arr)[i_], want_[i_]);                             \
	} while (0)

/* ------------------------------------------------------------------ */
/* LIBSVM                                                             */

START_TEST(libsvm_basic)
{
	data_matrix_t m;

	load_ok(data_load_libsvm, "a.svm",
	    "1 1:0.5 3:2   \n"
	    "-1 2:1e-3 # a comment\r\n"
	    "+2.5 \r\n"
	    "# only a comment\n"
	    "0.25\t4:-7\t\n"
	    "\n\n\r\n",
	    NULL, &m);
	check_csr(&m);
	ck_assert_uint_eq(m.n, 4);
	ck_assert_uint_eq(m.p, 4);
	ck_assert_uint_eq(m.nnz, 4);
	ASSERT_U64S(m.rowptr, 0, 2, 3, 3, 4);
	ASSERT_U64S(m.col, 0, 2, 1, 3);
	ASSERT_DOUBLES(m.val, 0.5, 2.0, 1e-3, -7.0);
	ASSERT_DOUBLES(m.y, 1.0, -1.0, 2.5, 0.25);
	ck_assert_ptr_null(m.colnames);
	data_matrix_free(&m);
	ck_assert(is_zeroed(&m));
	data_matrix_free(&m); /* twice is fine */
	data_matrix_free(NULL);
}
END_TEST

START_TEST(libsvm_base0_and_last_line)
{
	data_opts_t o;
	data_matrix_t m;

	data_opts_init(&o);
	ck_assert_int_eq(o.index_base, 1);
	o.index_base = 0;
	/* no newline at the end; an explicit zero value is kept */
	load_ok(data_load_libsvm, "b.svm", "3 0:1 2:0\n-4 5:2", &o, &m);
	check_csr(&m);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_uint_eq(m.p, 6);
	ASSERT_U64S(m.rowptr, 0, 2, 3);
	ASSERT_U64S(m.col, 0, 2, 5);
	ASSERT_DOUBLES(m.val, 1.0, 0.0, 2.0);
	ASSERT_DOUBLES(m.y, 3.0, -4.0);
	/* A file cut short ends so: the loader says which line. */
	ck_assert_uint_eq(m.unterminated, 2);
	data_matrix_free(&m);

	/* the same bytes 1-based: index 0 is an error */
	expect_fail(data_load_libsvm, "b1.svm", "3 0:1 2:0\n-4 5:2", NULL, 1,
	    "index 0 in 1-based data", "--index-base 0");
}
END_TEST

/* A last line without its newline is loaded, and reported in
 * unterminated (the CLI warns: a file cut short ends so, maybe
 * mid-number), in every format; a file that ends in a newline, or in
 * blank lines after one, reports none. */
static void
expect_unterminated(loader_fn fn, const char *name, const char *content, uint64_t line)
{
	data_matrix_t m;

	load_ok(fn, name, content, NULL, &m);
	ck_assert_msg(m.unterminated == line, "%s: unterminated %llu, expected %llu", name,
	    (unsigned long long)m.unterminated, (unsigned long long)line);
	data_matrix_free(&m);
}

START_TEST(unterminated_last_line)
{
	expect_unterminated(data_load_libsvm, "u1.svm", "1 1:2\n-1 2:0.5\n", 0);
	expect_unterminated(data_load_libsvm, "u2.svm", "1 1:2\n\n-1 2:0.5\n\n", 0);
	expect_unterminated(data_load_libsvm, "u3.svm", "1 1:2\n-1 2:0.5\n1 3:1", 3);
	expect_unterminated(data_load_mm, "u.mtx",
	    "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 3\n2 2 4.", 4);
	expect_unterminated(data_load_csv, "u.csv", "y,a\n1,2\n3,4", 3);
	expect_unterminated(data_load_csv, "u2.csv", "y,a\n1,2\n3,4\n", 0);
}
END_TEST

/* An index (LIBSVM) or a header (MatrixMarket) past --max-features is
 * refused before any p-sized array exists, naming the line, the
 * implied p and the memory at the app's bytes a feature; at the limit
 * it loads. */
START_TEST(feature_limit)
{
	data_opts_t o;
	data_matrix_t m;

	data_opts_init(&o);
	o.max_features = 1000;
	o.feature_bytes = 1 << 20;
	expect_fail(data_load_libsvm, "f.svm", "1 1:1\n-1 2:1 1001:2\n", &o, 2,
	    "index 1001 implies 1001 features, past the limit of 1000",
	    "1048576 bytes a feature, the run would take 1.0 GiB");
	expect_fail(data_load_mm, "f.mtx",
	    "%%MatrixMarket matrix coordinate real general\n% c\n2 1001 1\n1 1 1\n", &o, 3,
	    "a header of 1001 columns implies 1001 features", "--max-features 1001");
	load_ok(data_load_libsvm, "f2.svm", "1 1:1\n-1 2:1 1000:2\n", &o, &m);
	ck_assert_uint_eq(m.p, 1000);
	data_matrix_free(&m);
}
END_TEST

START_TEST(libsvm_errors)
{
	data_opts_t o;
	loader_fn L = data_load_libsvm;

	expect_fail(L, "e1.svm", "1 1:1\n-1 0:2\n", NULL, 2, "index 0", NULL);
	expect_fail(L, "e2.svm", "1 1:1\n1 3:1 2:1\n", NULL, 2,
	    "index 2 after 3", "increasing");
	expect_fail(
	    L, "e3.svm", "1 3:1 3:1\n", NULL, 1, "index 3 after 3", NULL);
	expect_fail(L, "e4.svm", "1 1:1\n\n# c\n2 qid:3 1:1\n", NULL, 4,
	    "qid:", "not supported");
	expect_fail(L, "e5.svm", "abc 1:1\n", NULL, 1,
	    "expected a label (a finite number), found 'abc'", NULL);
	expect_fail(L, "e6.svm", "1 2:1\n1:1 2:2\n", NULL, 2, "found '1:1'",
	    "starts with its label");
	expect_fail(L, "e7.svm", "1 1:x\n", NULL, 1,
	    "expected a finite number after '1:', found 'x'", NULL);
	expect_fail(L, "e8.svm", "1 1:1\n1 1:nan\n", NULL, 2,
	    "finite number after '1:'", NULL);
	expect_fail(L, "e9.svm", "1 5\n", NULL, 1,
	    "expected index:value, found '5'", NULL);
	expect_fail(L, "e10.svm", "1 -1:2\n", NULL, 1,
	    "expected index:value, found '-1:2'", NULL);
	expect_fail(L, "e11.svm", "1 1:2x 2:1\n", NULL, 1, "found '2x'", NULL);
	expect_fail(
	    L, "e12.svm", "1 99999999999:1\n", NULL, 1, "too large", NULL);
	expect_fail(
	    L, "e13.svm", "inf 1:1\n", NULL, 1, "expected a label", NULL);
	expect_fail(L, "e14.svm", "\n\n# nothing\n", NULL, 0, "no data", NULL);
	expect_fail(L, "e15.svm", "", NULL, 0, "no data", NULL);
	data_opts_init(&o);
	o.index_base = 2;
	expect_fail(L, "e16.svm", "1 1:1\n", &o, 0, "index base", NULL);
	data_opts_init(&o);
	o.response = "y.txt";
	expect_fail(L, "e17.svm", "1 1:1\n", &o, 0, "response", NULL);
	data_opts_init(&o);
	o.target = "1";
	expect_fail(
	    L, "e18.svm", "1 1:1\n", &o, 0, "--target and --ignore", NULL);
	expect_fail(
	    data_load_mm, "e18.mtx", "", &o, 0, "--target and --ignore", NULL);
}
END_TEST

START_TEST(libsvm_nul_and_missing_file)
{
	char err[512];
	data_matrix_t m;
	const char *p = wfile_n("nul.svm", "1 1:1\n2 2:\0\n", 11);

	ck_assert_int_eq(data_load_libsvm(p, NULL, &m, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, ":2: ") != NULL && strstr(err, "NUL") != NULL,
	    "%s", err);
	p = tpath("absent.svm");
	ck_assert_int_eq(data_load_libsvm(p, NULL, &m, err, sizeof(err)), -1);
	ck_assert_msg(
	    strstr(err, p) == err && strstr(err, "cannot open"), "%s", err);
	ck_assert(is_zeroed(&m));
	/* a NULL or short err buffer is fine */
	ck_assert_int_eq(data_load_libsvm(p, NULL, &m, NULL, 0), -1);
	ck_assert_int_eq(data_load_libsvm(p, NULL, &m, err, 4), -1);
	ck_assert_uint_eq(strlen(err), 3);
	ck_assert_int_eq(
	    data_load_libsvm(tmpdir, NULL, &m, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "directory") != NULL, "%s", err);
}
END_TEST

/*
 * Values in every shape the fast decimal path takes or declines must
 * equal strtod's bit for bit.
 */
START_TEST(libsvm_numbers_exact)
{
	static const char *fixed[] = {"0", "-0", "1", "+1", "0.1", ".5", "5.",
	    "-.25", "1e22", "1e23", "1e-22", "1e-23", "123456789012345678",
	    "1234567890123456789", "12345678901234567890", "9007199254740993",
	    "9007199254740992", "0.30000000000000004",
	    "2.2250738585072014e-308", "4.9e-324", "1.7976931348623157e308",
	    "6.2699720e-02", "1E5", "1e+5", "1e-0005",
	    "3.14159265358979323846264338327950288",
	    "0.000000000000000000000000000001", "100000000000000000000000"};
	size_t nf = sizeof(fixed) / sizeof(fixed[0]), nr, i, len = 0, cap;
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	char **tok, *text, err[512];
	data_matrix_t m;
	const char *p;

	nr = test_quick() ? 2000 : 20000;
	tok = calloc(nf + nr, sizeof(char *));
	ck_assert_ptr_nonnull(tok);
	for (i = 0; i < nf + nr; i++) {
		char b[64];

		if (i < nf) {
			snprintf(b, sizeof(b), "%s", fixed[i]);
		} else {
			uint64_t r = test_rand(&rng);
			int nd = 1 + (int)(r % 21), dot = (int)((r >> 8) % 23);
			int k, o = 0;

			if ((r >> 16) & 1)
				b[o++] = '-';
			for (k = 0; k < nd; k++) {
				if (k == dot)
					b[o++] = '.';
				b[o++] = (char)('0' + test_rand(&rng) % 10);
			}
			if ((r >> 17) % 3 == 0)
				o += snprintf(b + o, sizeof(b) - (size_t)o,
				    "e%d", (int)((r >> 20) % 61) - 30);
			b[o] = '\0';
		}
		tok[i] = strdup(b);
		ck_assert_ptr_nonnull(tok[i]);
	}
	cap = (nf + nr) * 40;
	text = malloc(cap);
	ck_assert_ptr_nonnull(text);
	/* each value both as a label and as the value of index 1 */
	for (i = 0; i < nf + nr; i++)
		len += (size_t)snprintf(
		    text + len, cap - len, "%s 1:%s\n", tok[i], tok[i]);
	p = wfile_n("num.svm", text, len);
	ck_assert_msg(
	    data_load_libsvm(p, NULL, &m, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(m.n, nf + nr);
	ck_assert_uint_eq(m.nnz, nf + nr);
	for (i = 0; i < nf + nr; i++) {
		double want = strtod(tok[i], NULL);

		ck_assert_msg(same(m.y[i], want) && same(m.val[i], want),
		    "'%s' read as %.17g / %.17g, strtod says %.17g", tok[i],
		    m.y[i], m.val[i], want);
		free(tok[i]);
	}
	free(tok);
	free(text);
	data_matrix_free(&m);
}
END_TEST

/*
 * A file larger than the read block, with one line longer than a block
 * and lines straddling every block boundary, reads the same as its
 * generator says.
 */
START_TEST(libsvm_large_blocks)
{
	const uint32_t longlen = 700000, nrows = 300000;
	size_t cap = (size_t)longlen * 14 + (size_t)nrows * 40, len = 0;
	char *text = malloc(cap), err[512];
	data_matrix_t m;
	const char *p;
	uint32_t i, j;
	uint64_t k;

	ck_assert_ptr_nonnull(text);
	len += (size_t)snprintf(text + len, cap - len, "7");
	for (j = 0; j < longlen; j++)
		len += (size_t)snprintf(
		    text + len, cap - len, " %u:%u", j + 1, j % 97);
	len += (size_t)snprintf(text + len, cap - len, "\n");
	for (i = 1; i <= nrows; i++) {
		len += (size_t)snprintf(text + len, cap - len, "%u", i % 5);
		for (j = 0; j < i % 4; j++)
			len += (size_t)snprintf(text + len, cap - len,
			    " %u:%u.5", 3 * j + i % 3 + 1, i % 1000);
		len += (size_t)snprintf(
		    text + len, cap - len, i % 7 == 0 ? "\r\n" : "\n");
	}
	ck_assert_uint_gt(len, (size_t)8 << 20); /* > 2 blocks */
	p = wfile_n("big.svm", text, len);
	free(text);
	ck_assert_msg(
	    data_load_libsvm(p, NULL, &m, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(m.n, nrows + 1);
	ck_assert_uint_eq(m.p, longlen);
	ck_assert_uint_eq(m.rowptr[1], longlen);
	for (j = 0; j < longlen; j++)
		TEST_REQUIRE(m.col[j] == j && m.val[j] == j % 97);
	ck_assert(same(m.y[0], 7.0));
	for (i = 1; i <= nrows; i++) {
		TEST_REQUIRE(m.y[i] == i % 5);
		TEST_REQUIRE(m.rowptr[i + 1] - m.rowptr[i] == i % 4);
		for (j = 0, k = m.rowptr[i]; k < m.rowptr[i + 1]; j++, k++) {
			TEST_REQUIRE(m.col[k] == 3 * j + i % 3);
			TEST_REQUIRE(m.val[k] == i % 1000 + 0.5);
		}
	}
	data_matrix_free(&m);
}
END_TEST

/* ------------------------------------------------------------------ */
/* MatrixMarket                                                       */

START_TEST(mm_basic)
{
	data_opts_t o;
	data_matrix_t m;

	/* unsorted entries, comments and blank lines, an empty last row
	 * and column */
	load_ok(data_load_mm, "a.mtx",
	    "%%MatrixMarket matrix coordinate real general\n"
	    "% a comment\n"
	    "\n"
	    "4 5 5\n"
	    "2 3 -1.5\n"
	    "1 4 2\n"
	    "% between entries\n"
	    "1 1 1e3\n"
	    "2 1 0.25\r\n"
	    "  3 2 7  \n",
	    NULL, &m);
	check_csr(&m);
	ck_assert_uint_eq(m.n, 4);
	ck_assert_uint_eq(m.p, 5);
	ck_assert_uint_eq(m.nnz, 5);
	ASSERT_U64S(m.rowptr, 0, 2, 4, 5, 5);
	ASSERT_U64S(m.col, 0, 3, 0, 2, 1);
	ASSERT_DOUBLES(m.val, 1e3, 2.0, 0.25, -1.5, 7.0);
	ck_assert_ptr_null(m.y);
	data_matrix_free(&m);

	/* pattern, and a response from its own file */
	data_opts_init(&o);
	o.response = wfile("y.txt", "1.5\n\n-2\n0.125\n");
	load_ok(data_load_mm, "p.mtx",
	    "%%matrixmarket MATRIX Coordinate Pattern GENERAL\n"
	    "3 2 3\n"
	    "3 2\n"
	    "1 2\n"
	    "3 1\n",
	    &o, &m);
	check_csr(&m);
	ck_assert_uint_eq(m.n, 3);
	ck_assert_uint_eq(m.p, 2);
	ASSERT_U64S(m.rowptr, 0, 1, 1, 3);
	ASSERT_U64S(m.col, 1, 0, 1);
	ASSERT_DOUBLES(m.val, 1.0, 1.0, 1.0);
	ASSERT_DOUBLES(m.y, 1.5, -2.0, 0.125);
	data_matrix_free(&m);

	/* integer, no entries at all */
	load_ok(data_load_mm, "z.mtx",
	    "%%MatrixMarket matrix coordinate integer general\n2 3 0\n", NULL,
	    &m);
	check_csr(&m);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_uint_eq(m.p, 3);
	ck_assert_uint_eq(m.nnz, 0);
	data_matrix_free(&m);
}
END_TEST

START_TEST(mm_errors)
{
	static const char *hdr =
	    "%%MatrixMarket matrix coordinate real general\n";
	loader_fn L = data_load_mm;
	data_opts_t o;
	char buf[256];

	expect_fail(L, "e1.mtx", "3 3 1\n1 1 1\n", NULL, 1,
	    "expected the banner", NULL);
	expect_fail(L, "e2.mtx", "%%MatrixMarket matrix array real general\n",
	    NULL, 1, "expected format 'coordinate', found 'array'", "dense");
	expect_fail(L, "e3.mtx",
	    "%%MatrixMarket matrix coordinate real symmetric\n", NULL, 1,
	    "expected symmetry 'general', found 'symmetric'", NULL);
	expect_fail(L, "e4.mtx",
	    "%%MatrixMarket matrix coordinate complex general\n", NULL, 1,
	    "found 'complex'", NULL);
	expect_fail(L, "e5.mtx", "%%MatrixMarket matrix coordinate real\n",
	    NULL, 1, "found 4 words", NULL);
	snprintf(buf, sizeof(buf), "%s%% c\n", hdr);
	expect_fail(L, "e6.mtx", buf, NULL, 3, "expected the size line",
	    "end of the file");
	snprintf(buf, sizeof(buf), "%s3 3\n", hdr);
	expect_fail(
	    L, "e7.mtx", buf, NULL, 2, "expected the size line", "found '3 3'");
	snprintf(buf, sizeof(buf), "%s%% c\n3 3 2\n1 1 1\n2 2 2\n3 3 3\n", hdr);
	expect_fail(L, "e8.mtx", buf, NULL, 6,
	    "expected 2 entries as declared on line 3, found more", NULL);
	snprintf(buf, sizeof(buf), "%s3 3 3\n1 1 1\n2 2 2\n\n", hdr);
	expect_fail(L, "e9.mtx", buf, NULL, 5,
	    "expected 3 entries as declared on line 2, found 2", NULL);
	snprintf(buf, sizeof(buf), "%s3 3 2\n1 1 1\n4 2 2\n", hdr);
	expect_fail(L, "e10.mtx", buf, NULL, 4,
	    "expected a row index in 1..3, found '4'", NULL);
	snprintf(buf, sizeof(buf), "%s3 3 2\n1 1 1\n2 0 2\n", hdr);
	expect_fail(L, "e11.mtx", buf, NULL, 4,
	    "expected a column index in 1..3, found '0'", NULL);
	snprintf(buf, sizeof(buf), "%s3 3 2\n1 1 1\n2 2 x\n", hdr);
	expect_fail(L, "e12.mtx", buf, NULL, 4,
	    "expected a finite value after the indices, found 'x'", NULL);
	snprintf(buf, sizeof(buf), "%s3 3 2\n1 1 1\n2 2\n", hdr);
	expect_fail(L, "e13.mtx", buf, NULL, 4,
	    "expected an entry 'row column value', found '2 2'", NULL);
	snprintf(buf, sizeof(buf), "%s3 3 2\n1 1 1\n2 2 2 2\n", hdr);
	expect_fail(L, "e14.mtx", buf, NULL, 4,
	    "expected the end of the entry, found '2'", NULL);
	expect_fail(L, "e15.mtx",
	    "%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1 1\n",
	    NULL, 3, "pattern file has no values", NULL);
	/* a duplicate is found after sorting: no line to name */
	snprintf(buf, sizeof(buf), "%s3 3 3\n2 1 1\n1 1 1\n2 1 2\n", hdr);
	expect_fail(L, "e16.mtx", buf, NULL, 0,
	    "entry (2, 1) appears more than once", NULL);

	/* the response file: its own name and line in the message */
	data_opts_init(&o);
	snprintf(buf, sizeof(buf), "%s2 2 1\n1 1 1\n", hdr);
	o.response = wfile("y3.txt", "1\n2\n3\n");
	{
		char err[512];
		data_matrix_t m;
		const char *mp = wfile("e18.mtx", buf);
		char want[600];

		ck_assert_int_eq(
		    data_load_mm(mp, &o, &m, err, sizeof(err)), -1);
		snprintf(want, sizeof(want),
		    "%s:3: expected 2 responses (one per row), found more",
		    o.response);
		ck_assert_str_eq(err, want);
		o.response = wfile("y1.txt", "1\n\n");
		ck_assert_int_eq(
		    data_load_mm(mp, &o, &m, err, sizeof(err)), -1);
		snprintf(want, sizeof(want),
		    "%s:2: expected 2 responses (one per row), found 1",
		    o.response);
		ck_assert_str_eq(err, want);
		o.response = wfile("yx.txt", "1\n2 3\n");
		ck_assert_int_eq(
		    data_load_mm(mp, &o, &m, err, sizeof(err)), -1);
		snprintf(want, sizeof(want),
		    "%s:2: expected one finite number, found '2 3'",
		    o.response);
		ck_assert_str_eq(err, want);
		ck_assert(is_zeroed(&m));
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* CSV                                                                */

START_TEST(csv_header_and_target)
{
	data_opts_t o;
	data_matrix_t m;

	data_opts_init(&o);
	o.target = "y";
	load_ok(data_load_csv, "a.csv",
	    "a, b ,y,\"c, d\"\n"
	    "1,0,3,-2\r\n"
	    "\n"
	    "0,2.5,4,\"0\"\n",
	    &o, &m);
	check_csr(&m);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_uint_eq(m.p, 3);
	ck_assert_str_eq(m.colnames[0], "a");
	ck_assert_str_eq(m.colnames[1], "b");
	ck_assert_str_eq(m.colnames[2], "c, d");
	ASSERT_U64S(m.rowptr, 0, 2, 3);
	ASSERT_U64S(m.col, 0, 2, 1);
	ASSERT_DOUBLES(m.val, 1.0, -2.0, 2.5);
	ASSERT_DOUBLES(m.y, 3.0, 4.0);
	data_matrix_free(&m);

	/* the same by index, and no target at all */
	o.target = "3";
	load_ok(data_load_csv, "a.csv", "a,b,y\n1,0,3\n", &o, &m);
	ck_assert_uint_eq(m.p, 2);
	ASSERT_DOUBLES(m.y, 3.0);
	data_matrix_free(&m);
	load_ok(data_load_csv, "a.csv", "a,b,y\n1,0,3\n", NULL, &m);
	ck_assert_uint_eq(m.p, 3);
	ck_assert_ptr_null(m.y);
	ck_assert_str_eq(m.colnames[2], "y");
	data_matrix_free(&m);
}
END_TEST

START_TEST(csv_no_header_tsv)
{
	data_opts_t o;
	data_matrix_t m;

	data_opts_init(&o);
	o.target = "1";
	o.ignore = "3";
	/* tabs found on the first line; a field with a blank inside */
	load_ok(data_load_csv, "a.tsv",
	    "5\t0.5\tx y\t1e2\n"
	    "6\t0\tz\t0\n",
	    &o, &m);
	check_csr(&m);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_uint_eq(m.p, 2);
	ck_assert_str_eq(m.colnames[0], "c2");
	ck_assert_str_eq(m.colnames[1], "c4");
	ASSERT_U64S(m.rowptr, 0, 2, 2);
	ASSERT_U64S(m.col, 0, 1);
	ASSERT_DOUBLES(m.val, 0.5, 100.0);
	ASSERT_DOUBLES(m.y, 5.0, 6.0);
	data_matrix_free(&m);

	/* a header is not guessed from text in a column that has text in
	 * every row (UCI communities.data starts so) */
	data_opts_init(&o);
	o.target = "5";
	o.ignore = "1-3";
	load_ok(data_load_csv, "c.data",
	    "8,?,Lakewood,0.5,0.1\n"
	    "53,?,Tukwila,0.2,0.3\n",
	    &o, &m);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_uint_eq(m.p, 1);
	ck_assert_str_eq(m.colnames[0], "c4");
	ASSERT_DOUBLES(m.val, 0.5, 0.2);
	ASSERT_DOUBLES(m.y, 0.1, 0.3);
	data_matrix_free(&m);

	/* forced either way */
	data_opts_init(&o);
	o.header = DATA_HEADER_YES;
	load_ok(data_load_csv, "h.csv", "1,2\n3,4\n", &o, &m);
	ck_assert_uint_eq(m.n, 1);
	ck_assert_str_eq(m.colnames[1], "2");
	ASSERT_DOUBLES(m.val, 3.0, 4.0);
	data_matrix_free(&m);
	o.header = DATA_HEADER_NO;
	o.ignore = "1";
	load_ok(data_load_csv, "h.csv", "a,4\n1,5\n", &o, &m);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_uint_eq(m.p, 1);
	data_matrix_free(&m);
	o.delim = ','; /* the tab is then part of a field */
	load_ok(data_load_csv, "t.csv", "1\t2,3\n", &o, &m);
	ck_assert_uint_eq(m.p, 1);
	ASSERT_DOUBLES(m.val, 3.0);
	data_matrix_free(&m);
}
END_TEST

START_TEST(csv_missing_mean_exact)
{
	data_opts_t o;
	data_matrix_t m;
	/* the mean over the 5 kept rows with a present: 1, 4, 0, 2.5, 0.1
	 * summed in file order */
	double mean_a = ((((1.0 + 4.0) + 0.0) + 2.5) + 0.1) / 5;

	data_opts_init(&o);
	o.target = "y";
	o.ignore = "junk";
	o.missing = DATA_MISSING_MEAN;
	/* line 4 has no y: dropped, its a = 1000 must not count; b's mean
	 * is 0, so its imputed values are not stored */
	load_ok(data_load_csv, "m.csv",
	    "a,b,y,junk\n"
	    "1,0,10,x\n"
	    "?,NA,11,x\n"
	    "1000,0,,x\n"
	    "4,,12,x\n"
	    "0,0,13,x\n"
	    "2.5,nan,14,x\n"
	    "0.1,0,15,x\n",
	    &o, &m);
	check_csr(&m);
	ck_assert_uint_eq(m.n, 6);
	ck_assert_uint_eq(m.p, 2);
	ASSERT_DOUBLES(m.y, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0);
	ASSERT_U64S(m.rowptr, 0, 1, 2, 3, 3, 4, 5);
	ASSERT_U64S(m.col, 0, 0, 0, 0, 0);
	ASSERT_DOUBLES(m.val, 1.0, mean_a, 4.0, 2.5, 0.1);
	data_matrix_free(&m);

	/* drop: only rows with everything present */
	o.missing = DATA_MISSING_DROP;
	load_ok(data_load_csv, "m.csv",
	    "a,b,y,junk\n"
	    "1,0,10,x\n"
	    "?,NA,11,x\n"
	    "1000,0,,x\n"
	    "4,,12,x\n"
	    "0,0,13,x\n",
	    &o, &m);
	check_csr(&m);
	ck_assert_uint_eq(m.n, 2);
	ASSERT_DOUBLES(m.y, 10.0, 13.0);
	ASSERT_U64S(m.rowptr, 0, 1, 1);
	ASSERT_DOUBLES(m.val, 1.0);
	data_matrix_free(&m);
}
END_TEST

START_TEST(csv_errors)
{
	loader_fn L = data_load_csv;
	data_opts_t o;
	const char *p;
	char err[512], want[600];
	data_matrix_t m;

	data_opts_init(&o);
	o.target = "y";
	/* the example message, exactly */
	p = wfile("m.csv", "a,b,y\n1,2,3\n4,?,6\n");
	ck_assert_int_eq(data_load_csv(p, &o, &m, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
	    "%s:3: column 2 (b): expected a number, found '?' (use --missing "
	    "drop|mean)",
	    p);
	ck_assert_str_eq(err, want);
	expect_fail(L, "e1.csv", "a,b,y\n1,2,3\n\n4,,6\n", &o, 4,
	    "column 2 (b): expected a number, found an empty field",
	    "--missing");
	expect_fail(L, "e2.csv", "a,b,y\n1,2,NA\n", &o, 2,
	    "column 3 (y): expected a number, found 'NA'", "--missing");
	expect_fail(L, "e3.csv", "a,b,y\n1,2,3\n1,NEAR BAY,3\n", &o, 3,
	    "column 2 (b): expected a number, found 'NEAR BAY'", "--ignore");
	expect_fail(L, "e4.csv", "a,b,y\n1,2,3\n1,2\n", &o, 3,
	    "expected 3 fields like the first line, found 2", NULL);
	expect_fail(L, "e5.csv", "a,b,y\n1,2,3,4\n", &o, 2,
	    "expected 3 fields like the first line, found 4", NULL);
	expect_fail(L, "e6.csv", "a,b,y\n1,inf,3\n", &o, 2,
	    "column 2 (b): expected a finite number, found 'inf'", NULL);
	expect_fail(L, "e7.csv", "a,b,y\n1,\"2,3\n", &o, 2,
	    "column 2: expected a closing quote", NULL);
	expect_fail(L, "e8.csv", "a,b,y\n1,\"2\"x,3\n", &o, 2,
	    "column 2: expected a delimiter after the closing quote", NULL);
	expect_fail(L, "e9.csv", "\"a,b,y\n1,2,3\n", &o, 1,
	    "column 1: expected a closing quote", NULL);
	expect_fail(L, "e10.csv", "a,b,y\n", &o, 0, "no data rows", NULL);
	expect_fail(L, "e11.csv", "", &o, 0, "empty", NULL);
	o.target = "z";
	expect_fail(L, "e12.csv", "a,b,y\n1,2,3\n", &o, 0,
	    "--target: expected a column name or a number in 1..3, found 'z'",
	    NULL);
	o.target = "4";
	expect_fail(L, "e13.csv", "a,b,y\n1,2,3\n", &o, 0, "found '4'", NULL);
	o.target = "y";
	o.ignore = "a,q";
	expect_fail(L, "e14.csv", "a,b,y\n1,2,3\n", &o, 0,
	    "--ignore: expected a column name, a number in 1..3 or a range "
	    "a-b, found 'q'",
	    NULL);
	o.ignore = "2-1";
	expect_fail(L, "e15.csv", "a,b,y\n1,2,3\n", &o, 0, "found '2-1'", NULL);
	o.ignore = "2-3";
	expect_fail(L, "e16.csv", "a,b,y\n1,2,3\n", &o, 0,
	    "--target: column 3 (y) is also in --ignore", NULL);
	o.ignore = "1-2";
	expect_fail(L, "e17.csv", "a,b,y\n1,2,3\n", &o, 0,
	    "expected at least one feature column", NULL);
	o.ignore = NULL;
	o.missing = DATA_MISSING_MEAN;
	expect_fail(L, "e18.csv", "a,b,y\n1,?,3\n2,,4\n", &o, 0,
	    "column 2 (b): expected some values", "every one missing");
	o.missing = DATA_MISSING_DROP;
	expect_fail(L, "e19.csv", "a,b,y\n1,?,3\n2,,4\n", &o, 0,
	    "no data rows left after dropping", NULL);
	o.missing = DATA_MISSING_ERROR;
	o.delim = ';';
	expect_fail(L, "e20.csv", "a;b\n", &o, 0, "delimiter", NULL);
	data_opts_init(&o);
	o.response = "y.txt";
	expect_fail(L, "e21.csv", "1,2\n", &o, 0, "response", NULL);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Dispatch, output, CSC                                              */

START_TEST(dispatch)
{
	static const char *svm = "1 2:3\n", *csv = "1,2\n",
			  *mm = "%%MatrixMarket matrix coordinate real "
				"general\n1 2 1\n1 2 3\n";
	static const struct {
		const char *name, *content;
		uint32_t p;
	} ok[] = {{"x.svm", "1 2:3\n", 2}, {"x.libsvm", "1 2:3\n", 2},
	    {"x.txt", "1 2:3\n", 2}, {"a9a.t", "1 2:3\n", 2},
	    {"x.SVM", "1 2:3\n", 2}, {"x.csv", "1,2\n", 2},
	    {"x.data", "1,2\n", 2}, {"x.tsv", "1\t2\t3\n", 3},
	    {"x.mtx",
		"%%MatrixMarket matrix coordinate real general\n"
		"1 2 1\n1 2 3\n",
		2},
	    {"x.mm",
		"%%MatrixMarket matrix coordinate real general\n"
		"1 2 1\n1 2 3\n",
		2}};
	char err[512];
	data_matrix_t m;
	const char *p;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		p = wfile(ok[i].name, ok[i].content);
		ck_assert_msg(
		    data_load(p, NULL, NULL, &m, err, sizeof(err)) == 0,
		    "%s: %s", ok[i].name, err);
		ck_assert_uint_eq(m.p, ok[i].p);
		data_matrix_free(&m);
	}
	p = wfile("plain", svm);
	ck_assert_int_eq(data_load(p, NULL, NULL, &m, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, p) == err &&
			  strstr(err, "pass --format libsvm|mm|csv") != NULL,
	    "%s", err);
	ck_assert_int_eq(data_load(p, "libsvm", NULL, &m, err, sizeof(err)), 0);
	data_matrix_free(&m);
	p = wfile("x.y.z.dat", csv);
	ck_assert_int_eq(data_load(p, "CSV", NULL, &m, err, sizeof(err)), 0);
	ck_assert_uint_eq(m.p, 2);
	data_matrix_free(&m);
	/* tsv forces the tab even when the line has none */
	p = wfile("one.col", "1\n2\n");
	ck_assert_int_eq(data_load(p, "tsv", NULL, &m, err, sizeof(err)), 0);
	ck_assert_uint_eq(m.n, 2);
	data_matrix_free(&m);
	p = wfile("x.mtx.bak", mm);
	ck_assert_int_eq(data_load(p, "mm", NULL, &m, err, sizeof(err)), 0);
	data_matrix_free(&m);
	ck_assert_int_eq(data_load(p, "arff", NULL, &m, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "unknown format 'arff'") != NULL, "%s", err);
	/* a dot in a directory name is not an extension */
	ck_assert_int_eq(
	    data_load("some.svm/file", NULL, NULL, &m, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "--format") != NULL, "%s", err);
}
END_TEST

START_TEST(write_round_trip)
{
	static const double vals[] = {1.0 / 3, -0.0, 1e-300, 1e300, 4.9e-324,
	    -123456.789, 0.1, 2.0, 5e-324, 1.7976931348623157e308};
	uint64_t rng = 12345;
	data_matrix_t m, r;
	char err[512];
	const char *p = tpath("out.svm");
	uint32_t i;
	uint64_t k;
	int c;

	/* a random matrix, some rows empty */
	memset(&m, 0, sizeof(m));
	m.n = 200;
	m.p = 1000;
	m.rowptr = calloc(m.n + 1, sizeof(uint64_t));
	m.col = malloc(m.n * 50 * sizeof(uint32_t));
	m.val = malloc(m.n * 50 * sizeof(double));
	m.y = malloc(m.n * sizeof(double));
	for (i = 0; i < m.n; i++) {
		int nk = (int)(test_rand(&rng) % 50);

		m.y[i] = vals[test_rand(&rng) % 10];
		for (c = 0; c < nk; c++) {
			m.col[m.nnz] =
			    (uint32_t)(c * 20 + test_rand(&rng) % 20);
			m.val[m.nnz++] =
			    test_rand(&rng) % 3 == 0
				? vals[test_rand(&rng) % 10]
				: (double)(int64_t)test_rand(&rng) / 3e10;
		}
		m.rowptr[i + 1] = m.nnz;
	}
	m.col[m.nnz - 1] = m.p - 1; /* so p survives the trip */
	check_csr(&m);
	ck_assert_msg(
	    data_write_libsvm(p, &m, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(count_files(), 1); /* no temporary left */
	ck_assert_msg(
	    data_load_libsvm(p, NULL, &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(r.n, m.n);
	ck_assert_uint_eq(r.p, m.p);
	ck_assert_uint_eq(r.nnz, m.nnz);
	for (i = 0; i <= m.n; i++)
		TEST_REQUIRE(r.rowptr[i] == m.rowptr[i]);
	for (i = 0; i < m.n; i++)
		TEST_REQUIRE(same(r.y[i], m.y[i]));
	for (k = 0; k < m.nnz; k++)
		TEST_REQUIRE(r.col[k] == m.col[k] && same(r.val[k], m.val[k]));
	data_matrix_free(&r);

	/* overwriting replaces; without y every label is 0 */
	free(m.y);
	m.y = NULL;
	ck_assert_int_eq(data_write_libsvm(p, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(data_load_libsvm(p, NULL, &r, err, sizeof(err)), 0);
	for (i = 0; i < m.n; i++)
		TEST_REQUIRE(same(r.y[i], 0.0));
	ck_assert_uint_eq(r.nnz, m.nnz);
	data_matrix_free(&r);
	ck_assert_int_eq(count_files(), 1);

	/* nowhere to write: an error naming the file, nothing left */
	p = tpath("no/such/dir.svm");
	ck_assert_int_eq(data_write_libsvm(p, &m, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, p) == err, "%s", err);
	m.val[0] = NAN;
	ck_assert_int_eq(
	    data_write_libsvm(tpath("nan.svm"), &m, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "finite") != NULL, "%s", err);
	ck_assert_int_eq(count_files(), 1);
	data_matrix_free(&m);
}
END_TEST

START_TEST(csc_matches_csr)
{
	uint64_t rng = 777;
	data_matrix_t m;
	data_csc_t c;
	uint32_t i, j;
	uint64_t k, seen = 0;
	char *text = malloc(1 << 20), err[512];
	size_t len = 0;

	ck_assert_ptr_nonnull(text);
	for (i = 0; i < 300; i++) {
		uint32_t col = 0;

		len += (size_t)snprintf(text + len, 64, "%u", i);
		while ((col += 1 + (uint32_t)(test_rand(&rng) % 40)) <= 400)
			len += (size_t)snprintf(text + len, 64, " %u:%d", col,
			    (int)(test_rand(&rng) % 200) - 100);
		text[len++] = '\n';
	}
	ck_assert_int_eq(data_load_libsvm(wfile_n("c.svm", text, len), NULL, &m,
			     err, sizeof(err)),
	    0);
	free(text);
	m.p += 3; /* trailing empty columns */
	ck_assert_int_eq(data_csc(&m, &c), 0);
	ck_assert_uint_eq(c.n, m.n);
	ck_assert_uint_eq(c.p, m.p);
	ck_assert_uint_eq(c.nnz, m.nnz);
	ck_assert_uint_eq(c.colptr[0], 0);
	ck_assert_uint_eq(c.colptr[c.p], c.nnz);
	for (j = 0; j < c.p; j++) {
		for (k = c.colptr[j]; k < c.colptr[j + 1]; k++) {
			uint64_t a;

			TEST_REQUIRE(
			    k == c.colptr[j] || c.row[k - 1] < c.row[k]);
			/* the same value at (row, j) in the CSR */
			i = c.row[k];
			for (a = m.rowptr[i]; a < m.rowptr[i + 1]; a++)
				if (m.col[a] == j)
					break;
			TEST_REQUIRE(a < m.rowptr[i + 1]);
			TEST_REQUIRE(same(m.val[a], c.val[k]));
			seen++;
		}
	}
	ck_assert_uint_eq(seen, m.nnz);
	for (j = m.p - 3; j < m.p; j++)
		ck_assert_uint_eq(c.colptr[j], c.colptr[j + 1]);
	data_csc_free(&c);
	ck_assert_ptr_null(c.colptr);
	data_csc_free(&c);

	/* an empty matrix converts too */
	data_matrix_free(&m);
	m.rowptr = calloc(1, sizeof(uint64_t));
	ck_assert_int_eq(data_csc(&m, &c), 0);
	ck_assert_uint_eq(c.colptr[0], 0);
	data_csc_free(&c);
	data_matrix_free(&m);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The shared real data sets                                          */

/* The path of rel under the shared data sets ($STRADS_SHARED_DATA, else
 * ../shared/data from $top_srcdir, else /work/shared/data), or NULL (with
 * a note) when the file is absent from all. */
static const char *
shared(const char *rel)
{
	static char buf[1024];
	const char *top = getenv("top_srcdir");
	const char *env = getenv("STRADS_SHARED_DATA");

	if (env != NULL && env[0] != '\0') {
		snprintf(buf, sizeof(buf), "%s/%s", env, rel);
		if (access(buf, R_OK) == 0)
			return buf;
	}
	snprintf(buf, sizeof(buf), "%s/../shared/data/%s",
	    top != NULL && top[0] != '\0' ? top : ".", rel);
	if (access(buf, R_OK) == 0)
		return buf;
	snprintf(buf, sizeof(buf), "/work/shared/data/%s", rel);
	if (access(buf, R_OK) != 0) {
		printf("check_data: skipping: %s is absent\n", buf);
		return NULL;
	}
	return buf;
}

/* The mean of the 1-based column col of a comma file over its lines
 * where that column is not '?', summed in file order. */
static double
column_mean(const char *path, int col)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	double sum = 0;
	long cnt = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = line, *e;
		int c;

		for (c = 1; c < col; c++)
			s = strchr(s, ',') + 1;
		e = s + strcspn(s, ",\n");
		*e = '\0';
		if (strcmp(s, "?") != 0) {
			sum += strtod(s, NULL);
			cnt++;
		}
	}
	fclose(f);
	return sum / (double)cnt;
}

START_TEST(real_communities)
{
	const char *p = shared("lasso/communities/communities.data");
	data_opts_t o;
	data_matrix_t m;
	char err[512], want[1200];
	double mean102;
	uint64_t k, n102 = 0;

	if (p == NULL)
		return;
	data_opts_init(&o);
	o.target = "128";
	o.ignore = "1-5";
	ck_assert_int_eq(data_load(p, NULL, &o, &m, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
	    "%s:2: column 102 (c102): expected a number, found '?' (use "
	    "--missing drop|mean)",
	    p);
	ck_assert_str_eq(err, want);

	o.missing = DATA_MISSING_MEAN;
	ck_assert_msg(
	    data_load(p, NULL, &o, &m, err, sizeof(err)) == 0, "%s", err);
	check_csr(&m);
	ck_assert_uint_eq(m.n, 1994);
	ck_assert_uint_eq(m.p, 122);
	ck_assert_str_eq(m.colnames[0], "c6");
	ck_assert_str_eq(m.colnames[121], "c127");
	ck_assert_ptr_nonnull(m.y);
	for (k = 0; k < m.n; k++)
		TEST_REQUIRE(m.y[k] >= 0 && m.y[k] <= 1);
	for (k = 0; k < m.nnz; k++)
		TEST_REQUIRE(m.val[k] > 0 && m.val[k] <= 1);
	/* column 102 is feature 96; line 2 has it missing */
	mean102 = column_mean(p, 102);
	ck_assert_str_eq(m.colnames[96], "c102");
	for (k = m.rowptr[1]; k < m.rowptr[2]; k++)
		if (m.col[k] == 96)
			break;
	ck_assert_uint_lt(k, m.rowptr[2]);
	ck_assert_msg(same(m.val[k], mean102), "imputed %.17g, mean %.17g",
	    m.val[k], mean102);
	for (k = 0; k < m.nnz; k++)
		n102 += m.col[k] == 96 && same(m.val[k], mean102);
	ck_assert_uint_ge(n102, 1994 - 319);
	data_matrix_free(&m);

	o.missing = DATA_MISSING_DROP;
	ck_assert_int_eq(data_load(p, NULL, &o, &m, err, sizeof(err)), 0);
	ck_assert_uint_eq(m.n, 319);
	ck_assert_uint_eq(m.p, 122);
	data_matrix_free(&m);
}
END_TEST

START_TEST(real_housing)
{
	const char *p = shared("lasso/california_housing/housing.csv");
	data_opts_t o;
	data_matrix_t m;
	char err[512], want[1200];

	if (p == NULL)
		return;
	data_opts_init(&o);
	o.target = "median_house_value";
	ck_assert_int_eq(data_load(p, NULL, &o, &m, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
	    "%s:2: column 10 (ocean_proximity): expected a number, found "
	    "'NEAR BAY' (--ignore the column if it is not a feature)",
	    p);
	ck_assert_str_eq(err, want);
	o.ignore = "ocean_proximity";
	ck_assert_int_eq(data_load(p, NULL, &o, &m, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
	    "%s:292: column 5 (total_bedrooms): expected a number, found an "
	    "empty field (use --missing drop|mean)",
	    p);
	ck_assert_str_eq(err, want);
	o.missing = DATA_MISSING_MEAN;
	ck_assert_msg(
	    data_load(p, NULL, &o, &m, err, sizeof(err)) == 0, "%s", err);
	check_csr(&m);
	ck_assert_uint_eq(m.n, 20640);
	ck_assert_uint_eq(m.p, 8);
	ck_assert_str_eq(m.colnames[0], "longitude");
	ck_assert_str_eq(m.colnames[7], "median_income");
	ASSERT_DOUBLES(m.y, 452600.0, 358500.0);
	data_matrix_free(&m);
	o.missing = DATA_MISSING_DROP;
	ck_assert_int_eq(data_load(p, NULL, &o, &m, err, sizeof(err)), 0);
	ck_assert_uint_eq(m.n, 20640 - 207);
	data_matrix_free(&m);
}
END_TEST

START_TEST(real_libsvm)
{
	static const struct {
		const char *rel;
		uint32_t n, p, pos;
	} sets[] = {
	    /* a9a has 123 features but its test split never uses the
	     * last: the highest index in a9a.t is 122 */
	    {"logreg/a9a.t", 16281, 122, 3846},
	    {"logreg/a8a", 22696, 123, 5506},
	    {"logreg/w8a", 49749, 300, 1479},
	    {"logreg/rcv1_small.svm", 1000, 47117, 0},
	};
	data_matrix_t m;
	char err[512];
	size_t s;

	for (s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		const char *p = shared(sets[s].rel);
		uint32_t i, pos = 0;
		uint64_t t0;

		if (p == NULL)
			continue;
		t0 = strads_now_ns();
		ck_assert_msg(
		    data_load(p, "libsvm", NULL, &m, err, sizeof(err)) == 0,
		    "%s", err);
		printf("check_data: %s: %u rows, %llu non-zeros in %.1f ms\n",
		    sets[s].rel, m.n, (unsigned long long)m.nnz,
		    (double)(strads_now_ns() - t0) / 1e6);
		check_csr(&m);
		ck_assert_uint_eq(m.n, sets[s].n);
		ck_assert_uint_eq(m.p, sets[s].p);
		for (i = 0; i < m.n; i++) {
			TEST_REQUIRE(m.y[i] == 1 || m.y[i] == -1);
			pos += m.y[i] > 0;
		}
		if (sets[s].pos != 0)
			ck_assert_uint_eq(pos, sets[s].pos);
		data_matrix_free(&m);
	}
}
END_TEST

static Suite *
data_suite(void)
{
	Suite *s = suite_create("data");
	TCase *tl = tcase_create("libsvm");
	TCase *tm = tcase_create("mm");
	TCase *tc = tcase_create("csv");
	TCase *to = tcase_create("other");
	TCase *tr = tcase_create("real");

	tcase_add_checked_fixture(tl, setup, teardown);
	tcase_set_timeout(tl, 120);
	tcase_add_test(tl, libsvm_basic);
	tcase_add_test(tl, libsvm_base0_and_last_line);
	tcase_add_test(tl, libsvm_errors);
	tcase_add_test(tl, unterminated_last_line);
	tcase_add_test(tl, feature_limit);
	tcase_add_test(tl, libsvm_nul_and_missing_file);
	tcase_add_test(tl, libsvm_numbers_exact);
	tcase_add_test(tl, libsvm_large_blocks);
	suite_add_tcase(s, tl);

	tcase_add_checked_fixture(tm, setup, teardown);
	tcase_add_test(tm, mm_basic);
	tcase_add_test(tm, mm_errors);
	suite_add_tcase(s, tm);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, csv_header_and_target);
	tcase_add_test(tc, csv_no_header_tsv);
	tcase_add_test(tc, csv_missing_mean_exact);
	tcase_add_test(tc, csv_errors);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(to, setup, teardown);
	tcase_add_test(to, dispatch);
	tcase_add_test(to, write_round_trip);
	tcase_add_test(to, csc_matches_csr);
	suite_add_tcase(s, to);

	tcase_set_timeout(tr, 300);
	tcase_add_test(tr, real_communities);
	tcase_add_test(tr, real_housing);
	tcase_add_test(tr, real_libsvm);
	suite_add_tcase(s, tr);
	return s;
}

STRADS_TEST_MAIN(data_suite)
