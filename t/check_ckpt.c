/*
 * check_ckpt.c -- a cluster job's checkpoint files (src/cluster/checkpoint.c):
 * the parameters and the worker and rotate tables come back as written,
 * with the sweep; older checkpoints' files go once the manifest names the
 * new ones; a format-1 checkpoint (no tables) still loads and matches an
 * app without such tables only; tables that differ from the app's in any
 * field are refused with a message naming the manifest and the field; a
 * corrupt or truncated table file, or a manifest naming a path, is
 * refused as such.
 */
#include "strads-int.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster.h"
#include "testutil.h"

#define NP 7

/* A worker table of 5 int32 counts and a rotate table of 3 rows of 3
 * floats (36 bytes, padded to 40 in the packed rows). */
static strads__ckpt_tab_t tabs[2] = {
    {"held", STRADS_HOME_WORKER, STRADS_VALUE_I32, 5, 1},
    {"counts", STRADS_HOME_ROTATE, STRADS_VALUE_F32, 3, 3},
};

#define TAB_LEN (24 + 40)

typedef struct {
	char dir[64];
	double params[NP];
	uint8_t data[TAB_LEN];
	strads__ckpt_t ck;
} fix_t;

/* A checkpoint of round `round` in a fresh directory (or f->dir). */
static void
fix_write(fix_t *f, uint64_t round)
{
	char err[512];
	int32_t *held = (int32_t *)f->data;
	float *counts = (float *)(f->data + 24);
	int i;

	if (f->dir[0] == '\0') {
		snprintf(f->dir, sizeof(f->dir), "/tmp/strads-ckpt-XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(f->dir));
	}
	memset(f->data, 0, sizeof(f->data));
	for (i = 0; i < NP; i++)
		f->params[i] = 0.5 * i + (double)round;
	for (i = 0; i < 5; i++)
		held[i] = 100 * (int)round + i;
	for (i = 0; i < 9; i++)
		counts[i] = 0.25f * (float)i - (float)round;
	memset(&f->ck, 0, sizeof(f->ck));
	f->ck.p = NP;
	f->ck.rounds = round;
	f->ck.updates = 10 * round;
	f->ck.sweeps = round / 4;
	f->ck.time_s = 1.5;
	f->ck.spec = "spec of the job";
	f->ck.ntab = 2;
	f->ck.tabs = tabs;
	f->ck.tab_data = f->data;
	f->ck.tab_len = TAB_LEN;
	ck_assert_int_eq(strads__ckpt_write(f->dir, &f->ck, f->params, err, sizeof(err)), 0);
}

static void
fix_rm(fix_t *f)
{
	DIR *d = opendir(f->dir);
	struct dirent *e;
	char path[512];

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", f->dir, e->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(f->dir);
}

/* Files in dir whose names start with prefix. */
static int
count_files(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	if (d != NULL)
		closedir(d);
	return n;
}

/* Replaces DIR/name's byte at off with its complement, or cuts the file
 * to off bytes (cut). */
static void
damage(const char *dir, const char *name, long off, int cut)
{
	char path[512];
	FILE *fp;
	int c;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (cut) {
		ck_assert_int_eq(truncate(path, off), 0);
		return;
	}
	fp = fopen(path, "r+b");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fseek(fp, off, SEEK_SET), 0);
	c = fgetc(fp);
	ck_assert_int_eq(fseek(fp, off, SEEK_SET), 0);
	fputc(~c & 0xff, fp);
	fclose(fp);
}

/* Rewrites dir's MANIFEST with edit applied to its JSON. */
static void
edit_manifest(const char *dir, void (*edit)(cJSON *j))
{
	char path[512], buf[8192], *out;
	size_t n;
	FILE *fp;
	cJSON *j;

	snprintf(path, sizeof(path), "%s/MANIFEST", dir);
	fp = fopen(path, "rb");
	ck_assert_ptr_nonnull(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	j = cJSON_Parse(buf);
	ck_assert_ptr_nonnull(j);
	edit(j);
	out = cJSON_Print(j);
	cJSON_Delete(j);
	fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	fputs(out, fp);
	fclose(fp);
	cJSON_free(out);
}

START_TEST(round_trip)
{
	fix_t f;
	strads__ckpt_t r;
	double *params;
	char err[512];
	uint32_t i;

	memset(&f, 0, sizeof(f));
	fix_write(&f, 4);
	{
		/* Temporary files a writer killed mid-write left behind. */
		static const char *left[] = {".params-6.bin.Ab12Cd", ".table-6-0.bin.xyzXYZ",
		    ".MANIFEST.q1w2e3", ".unrelated"};
		char path[600];
		size_t k;

		for (k = 0; k < sizeof(left) / sizeof(left[0]); k++) {
			FILE *fp;

			snprintf(path, sizeof(path), "%s/%s", f.dir, left[k]);
			ck_assert_ptr_nonnull(fp = fopen(path, "w"));
			fclose(fp);
		}
	}
	fix_write(&f, 8);
	/* The round-4 files went once the manifest named round 8's, and so
	 * did the temporary files of writes that never finished (not a
	 * file that is no checkpoint's). */
	ck_assert_int_eq(count_files(f.dir, ".params-"), 0);
	ck_assert_int_eq(count_files(f.dir, ".table-"), 0);
	ck_assert_int_eq(count_files(f.dir, ".MANIFEST."), 0);
	ck_assert_int_eq(count_files(f.dir, ".unrelated"), 1);
	ck_assert_int_eq(count_files(f.dir, "params-"), 1);
	ck_assert_int_eq(count_files(f.dir, "table-"), 2);
	ck_assert_int_eq(count_files(f.dir, "params-8.bin"), 1);
	ck_assert_int_eq(count_files(f.dir, "table-8-"), 2);
	ck_assert_int_eq(strads__ckpt_read(f.dir, &r, &params, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.p, NP);
	ck_assert_uint_eq(r.rounds, 8);
	ck_assert_uint_eq(r.updates, 80);
	ck_assert_uint_eq(r.sweeps, 2);
	ck_assert_str_eq(r.spec, "spec of the job");
	ck_assert_mem_eq(params, f.params, sizeof(f.params));
	ck_assert_uint_eq(r.ntab, 2);
	for (i = 0; i < 2; i++) {
		ck_assert_str_eq(r.tabs[i].name, tabs[i].name);
		ck_assert_int_eq(r.tabs[i].home, tabs[i].home);
		ck_assert_int_eq(r.tabs[i].value, tabs[i].value);
		ck_assert_uint_eq(r.tabs[i].rows, tabs[i].rows);
		ck_assert_uint_eq(r.tabs[i].width, tabs[i].width);
	}
	ck_assert_uint_eq(r.tab_len, TAB_LEN);
	ck_assert_mem_eq(r.tab_data, f.data, TAB_LEN);
	/* The app's own tables match; the match is field by field. */
	ck_assert_int_eq(strads__ckpt_match(f.dir, &r, tabs, 2, err, sizeof(err)), 0);
	strads__ckpt_free(&r);
	strads__ckpt_free(&r); /* idempotent */
	free(params);
	fix_rm(&f);
}
END_TEST

/* Each field of a table that differs from the app's is named. */
START_TEST(mismatch_refused)
{
	static const char *const field[] = {"name", "home", "value type", "rows", "width"};
	fix_t f;
	strads__ckpt_t r;
	double *params;
	char err[512], want[64];
	int k;

	memset(&f, 0, sizeof(f));
	fix_write(&f, 4);
	ck_assert_int_eq(strads__ckpt_read(f.dir, &r, &params, err, sizeof(err)), 0);
	for (k = 0; k < 5; k++) {
		strads__ckpt_tab_t app[2];

		memcpy(app, tabs, sizeof(app));
		if (k == 0)
			app[1].name = "words";
		else if (k == 1)
			app[1].home = STRADS_HOME_WORKER;
		else if (k == 2)
			app[1].value = STRADS_VALUE_I32;
		else if (k == 3)
			app[1].rows = 4;
		else
			app[1].width = 2;
		err[0] = '\0';
		ck_assert_int_eq(strads__ckpt_match(f.dir, &r, app, 2, err, sizeof(err)),
		    STRADS_EINVAL);
		ck_assert_ptr_nonnull(strstr(err, f.dir));
		ck_assert_ptr_nonnull(strstr(err, "MANIFEST"));
		snprintf(want, sizeof(want), "in its %s (", field[k]);
		ck_assert_msg(strstr(err, want) != NULL, "%s: not about the %s", err, field[k]);
	}
	/* An app with fewer tables, or none. */
	ck_assert_int_eq(strads__ckpt_match(f.dir, &r, tabs, 1, err, sizeof(err)), STRADS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "counts"));
	ck_assert_int_eq(strads__ckpt_match(f.dir, &r, NULL, 0, err, sizeof(err)), STRADS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "holds 2 worker, rotate and ssp tables, the app declares 0"));
	strads__ckpt_free(&r);
	free(params);
	fix_rm(&f);
}
END_TEST

static void
to_format1(cJSON *j)
{
	cJSON_ReplaceItemInObject(j, "format", cJSON_CreateNumber(1));
	cJSON_DeleteItemFromObject(j, "sweeps");
	cJSON_DeleteItemFromObject(j, "tables");
}

/* A checkpoint of before the tables (format 1) loads, with no tables,
 * and matches only an app without worker or rotate tables. */
START_TEST(format1_loads)
{
	fix_t f;
	strads__ckpt_t r;
	double *params;
	char err[512];

	memset(&f, 0, sizeof(f));
	fix_write(&f, 4);
	edit_manifest(f.dir, to_format1);
	ck_assert_int_eq(strads__ckpt_read(f.dir, &r, &params, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.rounds, 4);
	ck_assert_uint_eq(r.sweeps, 0);
	ck_assert_uint_eq(r.ntab, 0);
	ck_assert_ptr_null(r.tab_data);
	ck_assert_mem_eq(params, f.params, sizeof(f.params));
	ck_assert_int_eq(strads__ckpt_match(f.dir, &r, NULL, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(strads__ckpt_match(f.dir, &r, tabs, 2, err, sizeof(err)), STRADS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "holds 0 worker, rotate and ssp tables, the app declares 2 (held)"));
	strads__ckpt_free(&r);
	free(params);
	fix_rm(&f);
}
END_TEST

static void
to_format3(cJSON *j)
{
	cJSON_ReplaceItemInObject(j, "format", cJSON_CreateNumber(3));
}

static void
to_negative_round(cJSON *j)
{
	cJSON_ReplaceItemInObject(j, "round", cJSON_CreateString("-5"));
}

static void
to_bad_time(cJSON *j)
{
	cJSON_ReplaceItemInObject(j, "time_s", cJSON_CreateNumber(-1));
}

static void
to_path(cJSON *j)
{
	cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "tables"), 0);

	cJSON_ReplaceItemInObject(t, "file", cJSON_CreateString("../table-4-0.bin"));
}

static void
to_rows(cJSON *j)
{
	cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "tables"), 1);

	cJSON_ReplaceItemInObject(t, "rows", cJSON_CreateString("2"));
}

/* Damage of every kind is refused, naming the file. */
START_TEST(corrupt_refused)
{
	static const struct {
		const char *file; /* damaged, or NULL: the manifest edited */
		long off;
		int cut;
		void (*edit)(cJSON *j);
		const char *says;
	} cases[] = {
	    {"table-4-1.bin", 40, 0, NULL, "table-4-1.bin: truncated or corrupt"},
	    {"table-4-1.bin", 20, 0, NULL, "table-4-1.bin: truncated or corrupt"},
	    {"table-4-0.bin", 30, 1, NULL, "table-4-0.bin: truncated or corrupt"},
	    {"params-4.bin", 20, 0, NULL, "params-4.bin: truncated or corrupt"},
	    {NULL, 0, 0, to_format3, "MANIFEST: not a strads checkpoint manifest"},
	    {NULL, 0, 0, to_path, "MANIFEST: table 0 is not described right"},
	    {NULL, 0, 0, to_rows, "larger than the manifest says"},
	    {NULL, 0, 0, to_negative_round, "MANIFEST: expected round, updates, sweeps as decimal counts"},
	    {NULL, 0, 0, to_bad_time, "time_s as seconds >= 0"},
	};
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		fix_t f;
		strads__ckpt_t r;
		double *params = (double *)&f;
		char err[512];

		memset(&f, 0, sizeof(f));
		fix_write(&f, 4);
		if (cases[k].file != NULL)
			damage(f.dir, cases[k].file, cases[k].off, cases[k].cut);
		else
			edit_manifest(f.dir, cases[k].edit);
		err[0] = '\0';
		ck_assert_int_eq(strads__ckpt_read(f.dir, &r, &params, err, sizeof(err)),
		    STRADS_EFORMAT);
		ck_assert_msg(strstr(err, cases[k].says) != NULL && strstr(err, f.dir) != NULL,
		    "case %zu: %s", k, err);
		ck_assert_ptr_null(params);
		ck_assert_ptr_null(r.tabs);
		ck_assert_ptr_null(r.tab_data);
		ck_assert_ptr_null(r.spec);
		fix_rm(&f);
	}
}
END_TEST

static Suite *
ckpt_suite(void)
{
	Suite *s = suite_create("ckpt");
	TCase *tc = tcase_create("files");

	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, mismatch_refused);
	tcase_add_test(tc, format1_loads);
	tcase_add_test(tc, corrupt_refused);
	suite_add_tcase(s, tc);
	return s;
}

STRADS_TEST_MAIN(ckpt_suite)
