/*
 * checkpoint.c -- a cluster job's checkpoints on disk: the parameters and
 * the worker, rotate and ssp tables of a consistent cut (a snapshot taken at a
 * round boundary) and a manifest naming them, written last. A checkpoint
 * without its manifest does not exist; each file is written to a
 * temporary name, fsynced, renamed and the directory fsynced
 * (strads_file_write_atomic). Little-endian throughout.
 *
 *   DIR/params-ROUND.bin   "STRADSCK", version 1 (u32), p (u32), then p
 *                          doubles
 *   DIR/table-ROUND-I.bin  (format 2) the job's Ith worker, rotate or ssp
 *                          table: "STRADSTB", version 1 (u32), home
 *                          (u32), value type (u32), width (u32), rows
 *                          (u64), then rows x width values
 *   DIR/MANIFEST           JSON: format (1 or 2), spec, round, updates,
 *                          time_s, p, params (file name), sha256 (of the
 *                          params file); format 2 adds sweeps and tables,
 *                          a list of {name, home, value, rows, width,
 *                          file, sha256}
 *
 * Format 1 (no tables) is still read: as a checkpoint with no tables.
 */
#include "cluster.h"
#include "hmac.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define CK_MAGIC "STRADSCK"
#define CK_HDR 16
#define TB_MAGIC "STRADSTB"
#define TB_HDR 32
#define CK_FORMAT 2

static const char *const home_names[] = {"store", "worker", "rotate", "ssp"};
static const char *const value_names[] = {"f64", "f32", "i32"};


/* Two buffers, one after the other. */
typedef struct {
	const void *a, *b;
	size_t na, nb;
} two_t;

static int
write_two(FILE *f, void *arg)
{
	const two_t *t = arg;

	return (t->na > 0 && fwrite(t->a, 1, t->na, f) != t->na) ||
	    (t->nb > 0 && fwrite(t->b, 1, t->nb, f) != t->nb);
}

/* Writes a then b to DIR/name atomically. */
static int
write_atomic(const char *dir, const char *name, const void *a, size_t na, const void *b,
    size_t nb, char *err, size_t errlen)
{
	char path[4096];
	two_t t = {a, b, na, nb};

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return strads__errf(err, errlen, STRADS_EINVAL, "%s: path too long", dir);
	return strads_file_write_atomic(path, 0600, write_two, &t, err, errlen);
}

/* *out from j's key, a string of decimal digits (at most 19); -1 when it
 * is anything else. */
static int
u64_field(const cJSON *j, const char *key, uint64_t *out)
{
	const char *s = strads__json_str(j, key);
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n > 19 || s[n] != '\0')
		return -1;
	*out = strtoull(s, NULL, 10);
	return 0;
}

/* 1 when name is a temporary file of the atomic writer (".NAME.XXXXXX")
 * for one of a checkpoint's files: left behind by a writer killed
 * mid-write. */
static int
stale_temp(const char *name)
{
	return name[0] == '.' && (strncmp(name + 1, "params-", 7) == 0 ||
	    strncmp(name + 1, "table-", 6) == 0 || strncmp(name + 1, "MANIFEST.", 9) == 0);
}

/* Removes the params and table files that the manifest just written
 * does not name (older checkpoints'): keep[0..n); and the temporary
 * files of writes that never finished. */
static void
prune(const char *dir, char (*keep)[64], uint32_t n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	uint32_t i;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[4096];

		if (strncmp(e->d_name, "params-", 7) != 0 && strncmp(e->d_name, "table-", 6) != 0 &&
		    !stale_temp(e->d_name))
			continue;
		for (i = 0; i < n && strcmp(e->d_name, keep[i]) != 0; i++)
			;
		if (i < n)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		(void)unlink(path);
	}
	closedir(d);
}

static size_t
vsize(strads_value_type_t v)
{
	return v == STRADS_VALUE_F64 ? 8 : 4;
}

/* Bytes of a table's rows, unpadded. */
static size_t
tab_bytes(const strads__ckpt_tab_t *t)
{
	return (size_t)t->rows * t->width * vsize(t->value);
}

static void
digest_hex(const void *a, size_t na, const void *b, size_t nb, char *hex)
{
	uint8_t digest[32];
	strads__sha256_t h;

	strads__sha256_init(&h);
	strads__sha256_update(&h, a, na);
	strads__sha256_update(&h, b, nb);
	strads__sha256_final(&h, digest);
	strads__hex_encode(digest, sizeof(digest), hex);
}

static void
add_u64(cJSON *j, const char *key, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	cJSON_AddStringToObject(j, key, buf);
}

int
strads__job_ckpt_tabs(const strads__job_t *job, strads__ckpt_tab_t **out, uint32_t *n)
{
	uint32_t t, k = 0;

	*out = NULL;
	*n = 0;
	for (t = 0; t < job->ntab; t++)
		k += job->app->tables[t].home != STRADS_HOME_STORE;
	if (k == 0)
		return 0;
	if ((*out = calloc(k, sizeof(**out))) == NULL)
		return STRADS_ENOMEM;
	for (t = 0; t < job->ntab; t++) {
		const strads_table_decl_t *d = &job->app->tables[t];
		strads__ckpt_tab_t *c = &(*out)[*n];

		if (d->home == STRADS_HOME_STORE)
			continue;
		c->name = (char *)(d->name != NULL ? d->name : "");
		c->home = d->home;
		/* The ssp table's rows are kept as doubles whatever its
		 * declared type (the engine reads it so). */
		c->value = d->home == STRADS_HOME_SSP ? STRADS_VALUE_F64 : d->value;
		c->rows = job->tab_rows[t];
		c->width = job->tab_width[t];
		(*n)++;
	}
	return 0;
}

int
strads__ckpt_write(const char *dir, const strads__ckpt_t *ck, const double *params,
    char *err, size_t errlen)
{
	uint8_t hdr[CK_HDR], thdr[TB_HDR];
	char (*names)[64], hex[65], *man;
	cJSON *j, *tl;
	const uint8_t *data = ck->tab_data;
	size_t need = 0;
	uint32_t i;
	int rc;

	for (i = 0; i < ck->ntab; i++) {
		if ((unsigned)ck->tabs[i].home > STRADS_HOME_SSP ||
		    (unsigned)ck->tabs[i].value > STRADS_VALUE_I32 || ck->tabs[i].name == NULL)
			break;
		need += (tab_bytes(&ck->tabs[i]) + 7) & ~(size_t)7;
	}
	if (i < ck->ntab || need != ck->tab_len || (ck->ntab > 0 && data == NULL))
		return strads__errf(err, errlen, STRADS_EINVAL, "%s: the tables do not match "
		    "their description", dir);
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return strads__errf(err, errlen, STRADS_EIO, "%s: cannot create the checkpoint "
		    "directory: %s", dir, strerror(errno));
	if ((names = calloc((size_t)ck->ntab + 1, sizeof(*names))) == NULL ||
	    (j = cJSON_CreateObject()) == NULL) {
		free(names);
		return STRADS_ENOMEM;
	}
	memcpy(hdr, CK_MAGIC, 8);
	strads__put32(hdr + 8, 1);
	strads__put32(hdr + 12, ck->p);
	snprintf(names[0], sizeof(names[0]), "params-%llu.bin", (unsigned long long)ck->rounds);
	if ((rc = write_atomic(dir, names[0], hdr, sizeof(hdr), params, (size_t)ck->p * 8, err,
	         errlen)) != 0)
		goto out;
	digest_hex(hdr, sizeof(hdr), params, (size_t)ck->p * 8, hex);
	cJSON_AddNumberToObject(j, "format", CK_FORMAT);
	cJSON_AddStringToObject(j, "spec", ck->spec);
	add_u64(j, "round", ck->rounds);
	add_u64(j, "updates", ck->updates);
	add_u64(j, "sweeps", ck->sweeps);
	cJSON_AddNumberToObject(j, "time_s", ck->time_s);
	cJSON_AddNumberToObject(j, "p", ck->p);
	cJSON_AddStringToObject(j, "params", names[0]);
	cJSON_AddStringToObject(j, "sha256", hex);
	if ((tl = cJSON_AddArrayToObject(j, "tables")) == NULL) {
		rc = STRADS_ENOMEM;
		goto out;
	}
	for (i = 0; i < ck->ntab; i++) {
		const strads__ckpt_tab_t *t = &ck->tabs[i];
		size_t n = tab_bytes(t);
		cJSON *o;

		memcpy(thdr, TB_MAGIC, 8);
		strads__put32(thdr + 8, 1);
		strads__put32(thdr + 12, (uint32_t)t->home);
		strads__put32(thdr + 16, (uint32_t)t->value);
		strads__put32(thdr + 20, t->width);
		strads__put64(thdr + 24, t->rows);
		snprintf(names[i + 1], sizeof(names[0]), "table-%llu-%u.bin",
		    (unsigned long long)ck->rounds, i);
		if ((rc = write_atomic(dir, names[i + 1], thdr, sizeof(thdr), data, n, err,
		         errlen)) != 0)
			goto out;
		digest_hex(thdr, sizeof(thdr), data, n, hex);
		data += (n + 7) & ~(size_t)7;
		if ((o = cJSON_CreateObject()) == NULL) {
			rc = STRADS_ENOMEM;
			goto out;
		}
		cJSON_AddItemToArray(tl, o);
		cJSON_AddStringToObject(o, "name", t->name);
		cJSON_AddStringToObject(o, "home", home_names[t->home]);
		cJSON_AddStringToObject(o, "value", value_names[t->value]);
		add_u64(o, "rows", t->rows);
		cJSON_AddNumberToObject(o, "width", t->width);
		cJSON_AddStringToObject(o, "file", names[i + 1]);
		cJSON_AddStringToObject(o, "sha256", hex);
	}
	if ((man = cJSON_Print(j)) == NULL) {
		rc = STRADS_ENOMEM;
		goto out;
	}
	/* The manifest last: before it lands, the old one still names the
	 * old files, which are still there. */
	rc = write_atomic(dir, "MANIFEST", man, strlen(man), "\n", 1, err, errlen);
	cJSON_free(man);
	if (rc == 0)
		prune(dir, names, ck->ntab + 1);
out:
	cJSON_Delete(j);
	free(names);
	return rc;
}

static char *
slurp(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	buf = malloc(max + 1);
	if (buf == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, max + 1, f);
	fclose(f);
	if (n > max) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Index of name in names[0..n), or -1. */
static int
lookup(const char *const *names, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

/* A file name the manifest gives: a plain name in dir. */
static int
plain(const char *name)
{
	return *name != '\0' && strchr(name, '/') == NULL;
}

/* Reads DIR/name (want bytes, whose SHA-256 must be sha, hex) whole. */
static int
read_file(const char *dir, const char *name, size_t want, const char *sha, char **data,
    char *err, size_t errlen)
{
	char path[4096];
	uint8_t digest[32], expect[32];
	strads__sha256_t h;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (strads__hex_decode(sha, expect, 32) != 0)
		return strads__errf(err, errlen, STRADS_EFORMAT, "%s/MANIFEST: no sha256 for %s",
		    dir, name);
	if ((*data = slurp(path, want, &len)) == NULL)
		return strads__errf(err, errlen, errno == EFBIG ? STRADS_EFORMAT : STRADS_EIO,
		    "%s: %s", path, errno == EFBIG ? "larger than the manifest says" :
		    strerror(errno));
	strads__sha256_init(&h);
	strads__sha256_update(&h, *data, len);
	strads__sha256_final(&h, digest);
	if (len != want || !strads__ct_equal(digest, expect, 32)) {
		free(*data);
		*data = NULL;
		return strads__errf(err, errlen, STRADS_EFORMAT, "%s: truncated or corrupt (its "
		    "size or sha256 does not match the manifest)", path);
	}
	return 0;
}

/* Reads the tables the manifest j lists into ck. */
static int
read_tables(const char *dir, const cJSON *j, strads__ckpt_t *ck, char *err, size_t errlen)
{
	const cJSON *tl = cJSON_GetObjectItemCaseSensitive(j, "tables"), *o;
	uint32_t i = 0;
	uint8_t *out;
	int rc;

	if (!cJSON_IsArray(tl))
		return strads__errf(err, errlen, STRADS_EFORMAT, "%s/MANIFEST: no tables list",
		    dir);
	ck->ntab = (uint32_t)cJSON_GetArraySize(tl);
	if (ck->ntab == 0)
		return 0;
	if ((ck->tabs = calloc(ck->ntab, sizeof(*ck->tabs))) == NULL)
		return STRADS_ENOMEM;
	cJSON_ArrayForEach(o, tl) {
		strads__ckpt_tab_t *t = &ck->tabs[i++];
		int home = lookup(home_names, 4, strads__json_str(o, "home"));
		int value = lookup(value_names, 3, strads__json_str(o, "value"));
		double w = strads__json_num(o, "width");

		t->rows = strtoull(strads__json_str(o, "rows"), NULL, 10);
		if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "name")) || home < 0 ||
		    value < 0 || !(w >= 1 && w <= UINT32_MAX) || t->rows == 0 ||
		    t->rows > UINT32_MAX || !plain(strads__json_str(o, "file")))
			return strads__errf(err, errlen, STRADS_EFORMAT, "%s/MANIFEST: table %u "
			    "is not described right", dir, i - 1);
		t->home = (strads_home_t)home;
		t->value = (strads_value_type_t)value;
		t->width = (uint32_t)w;
		if ((t->name = strdup(strads__json_str(o, "name"))) == NULL)
			return STRADS_ENOMEM;
		if (tab_bytes(t) / t->width / vsize(t->value) != t->rows)
			return strads__errf(err, errlen, STRADS_EFORMAT, "%s/MANIFEST: table %s "
			    "is too large", dir, t->name);
		ck->tab_len += (tab_bytes(t) + 7) & ~(size_t)7;
	}
	if ((ck->tab_data = calloc(ck->tab_len ? ck->tab_len : 1, 1)) == NULL)
		return STRADS_ENOMEM;
	out = ck->tab_data;
	i = 0;
	cJSON_ArrayForEach(o, tl) {
		const strads__ckpt_tab_t *t = &ck->tabs[i++];
		const char *file = strads__json_str(o, "file");
		size_t n = tab_bytes(t);
		uint8_t *h;
		char *data;

		if ((rc = read_file(dir, file, TB_HDR + n, strads__json_str(o, "sha256"), &data,
		         err, errlen)) != 0)
			return rc;
		h = (uint8_t *)data;
		if (memcmp(h, TB_MAGIC, 8) != 0 || strads__get32(h + 8) != 1 ||
		    strads__get32(h + 12) != (uint32_t)t->home ||
		    strads__get32(h + 16) != (uint32_t)t->value ||
		    strads__get32(h + 20) != t->width || strads__get64(h + 24) != t->rows) {
			free(data);
			return strads__errf(err, errlen, STRADS_EFORMAT, "%s/%s: its header does "
			    "not match the manifest's table %s", dir, file, t->name);
		}
		memcpy(out, data + TB_HDR, n);
		out += (n + 7) & ~(size_t)7;
		free(data);
	}
	return 0;
}

void
strads__ckpt_free(strads__ckpt_t *ck)
{
	uint32_t i;

	for (i = 0; ck->tabs != NULL && i < ck->ntab; i++)
		free(ck->tabs[i].name);
	free(ck->tabs);
	free(ck->tab_data);
	free(ck->spec);
	ck->tabs = NULL;
	ck->tab_data = NULL;
	ck->spec = NULL;
	ck->ntab = 0;
	ck->tab_len = 0;
}

int
strads__ckpt_read(const char *dir, strads__ckpt_t *ck, double **params, char *err,
    size_t errlen)
{
	char path[4096], *man, *data = NULL;
	const char *name;
	size_t len;
	double format;
	cJSON *j;
	int rc;

	memset(ck, 0, sizeof(*ck));
	*params = NULL;
	snprintf(path, sizeof(path), "%s/MANIFEST", dir);
	if ((man = slurp(path, 1u << 24, &len)) == NULL)
		return strads__errf(err, errlen, errno == ENOENT ? STRADS_ENOENT : STRADS_EIO,
		    "%s: %s (no checkpoint there)", path, strerror(errno));
	j = cJSON_ParseWithLength(man, len);
	free(man);
	name = j != NULL ? strads__json_str(j, "params") : "";
	format = j != NULL ? strads__json_num(j, "format") : 0;
	if (j == NULL || (format != 1 && format != CK_FORMAT) || !plain(name) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "spec"))) {
		cJSON_Delete(j);
		return strads__errf(err, errlen, STRADS_EFORMAT, "%s: not a strads checkpoint manifest "
		    "(or of a format this version does not read)", path);
	}
	ck->p = (uint32_t)strads__json_num(j, "p");
	ck->time_s = strads__json_num(j, "time_s");
	/* Counts are decimal strings of digits ("-5" would wrap to 2^64 - 5). */
	if (u64_field(j, "round", &ck->rounds) != 0 || u64_field(j, "updates", &ck->updates) != 0 ||
	    (format >= 2 && u64_field(j, "sweeps", &ck->sweeps) != 0) ||
	    !(ck->time_s >= 0) || !isfinite(ck->time_s)) {
		rc = strads__errf(err, errlen, STRADS_EFORMAT, "%s: expected round, updates%s as "
		    "decimal counts and time_s as seconds >= 0", path, format >= 2 ? ", sweeps" : "");
		goto fail;
	}
	if ((ck->spec = strdup(strads__json_str(j, "spec"))) == NULL) {
		rc = STRADS_ENOMEM;
		goto fail;
	}
	if ((rc = read_file(dir, name, CK_HDR + (size_t)ck->p * 8, strads__json_str(j, "sha256"),
	         &data, err, errlen)) != 0)
		goto fail;
	if (memcmp(data, CK_MAGIC, 8) != 0 || strads__get32((uint8_t *)data + 8) != 1 ||
	    strads__get32((uint8_t *)data + 12) != ck->p) {
		rc = strads__errf(err, errlen, STRADS_EFORMAT, "%s/%s: not the params file the "
		    "manifest describes", dir, name);
		goto fail;
	}
	if (format >= 2 && (rc = read_tables(dir, j, ck, err, errlen)) != 0)
		goto fail;
	if ((*params = malloc((size_t)ck->p * 8 + 8)) == NULL) {
		rc = STRADS_ENOMEM;
		goto fail;
	}
	memcpy(*params, data + CK_HDR, (size_t)ck->p * 8);
	free(data);
	cJSON_Delete(j);
	return 0;
fail:
	free(data);
	cJSON_Delete(j);
	strads__ckpt_free(ck);
	return rc;
}

int
strads__ckpt_match(const char *dir, const strads__ckpt_t *ck, const strads__ckpt_tab_t *want,
    uint32_t nwant, char *err, size_t errlen)
{
	uint32_t i;

	for (i = 0; i < ck->ntab && i < nwant; i++) {
		const strads__ckpt_tab_t *a = &ck->tabs[i], *b = &want[i];
		const char *what = strcmp(a->name, b->name) != 0 ? "name" :
		    a->home != b->home ? "home" : a->value != b->value ? "value type" :
		    a->rows != b->rows ? "rows" : a->width != b->width ? "width" : NULL;

		if (what != NULL)
			return strads__errf(err, errlen, STRADS_EINVAL, "%s/MANIFEST: its table %u "
			    "differs from the app's in its %s (checkpoint: %s, %s, %s, %llu rows "
			    "of %u; app: %s, %s, %s, %llu rows of %u)", dir, i, what, a->name,
			    home_names[a->home], value_names[a->value], (unsigned long long)a->rows,
			    a->width, b->name, home_names[b->home], value_names[b->value],
			    (unsigned long long)b->rows, b->width);
	}
	if (ck->ntab != nwant)
		return strads__errf(err, errlen, STRADS_EINVAL, "%s/MANIFEST: it holds %u worker, "
		    "rotate and ssp table%s, the app declares %u (%s)", dir, ck->ntab,
		    ck->ntab == 1 ? "" : "s", nwant, ck->ntab < nwant ? want[ck->ntab].name
		                                                   : ck->tabs[nwant].name);
	return 0;
}
