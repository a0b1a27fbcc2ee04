/*
 * checkpoint.c -- a cluster job's checkpoints on disk: the parameters of
 * a consistent cut (a snapshot taken at a round boundary) and a manifest
 * naming them, written last. A checkpoint without its manifest does not
 * exist; each file is written to a temporary name, fsynced, renamed and
 * the directory fsynced.
 *
 *   DIR/params-ROUND.bin  "STRADSCK", version 1 (u32), p (u32), then p
 *                         little-endian doubles
 *   DIR/MANIFEST          JSON: format, spec, round, updates, time_s, p,
 *                         params (file name), sha256 (of the params file)
 */
#include "cluster.h"
#include "hmac.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define CK_MAGIC "STRADSCK"
#define CK_HDR 16


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

/* Removes params files other than keep (older checkpoints). */
static void
prune(const char *dir, const char *keep)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[4096];

		if (strncmp(e->d_name, "params-", 7) != 0 || strcmp(e->d_name, keep) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		(void)unlink(path);
	}
	closedir(d);
}

int
strads__ckpt_write(const char *dir, const strads__ckpt_t *ck, const double *params,
    char *err, size_t errlen)
{
	uint8_t hdr[CK_HDR], digest[32];
	char name[64], hex[65], *man;
	strads__sha256_t h;
	cJSON *j;
	int rc;

	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return strads__errf(err, errlen, STRADS_EIO, "%s: cannot create the checkpoint "
		    "directory: %s", dir, strerror(errno));
	memcpy(hdr, CK_MAGIC, 8);
	strads__put32(hdr + 8, 1);
	strads__put32(hdr + 12, ck->p);
	snprintf(name, sizeof(name), "params-%llu.bin", (unsigned long long)ck->rounds);
	if ((rc = write_atomic(dir, name, hdr, sizeof(hdr), params, (size_t)ck->p * 8, err,
	         errlen)) != 0)
		return rc;
	strads__sha256_init(&h);
	strads__sha256_update(&h, hdr, sizeof(hdr));
	strads__sha256_update(&h, params, (size_t)ck->p * 8);
	strads__sha256_final(&h, digest);
	strads__hex_encode(digest, sizeof(digest), hex);
	if ((j = cJSON_CreateObject()) == NULL)
		return STRADS_ENOMEM;
	cJSON_AddNumberToObject(j, "format", 1);
	cJSON_AddStringToObject(j, "spec", ck->spec);
	{
		char buf[32];

		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)ck->rounds);
		cJSON_AddStringToObject(j, "round", buf);
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)ck->updates);
		cJSON_AddStringToObject(j, "updates", buf);
	}
	cJSON_AddNumberToObject(j, "time_s", ck->time_s);
	cJSON_AddNumberToObject(j, "p", ck->p);
	cJSON_AddStringToObject(j, "params", name);
	cJSON_AddStringToObject(j, "sha256", hex);
	man = cJSON_Print(j);
	cJSON_Delete(j);
	if (man == NULL)
		return STRADS_ENOMEM;
	/* The manifest last: before it lands, the old one still names the
	 * old params file, which is still there. */
	rc = write_atomic(dir, "MANIFEST", man, strlen(man), "\n", 1, err, errlen);
	cJSON_free(man);
	if (rc == 0)
		prune(dir, name);
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

int
strads__ckpt_read(const char *dir, strads__ckpt_t *ck, double **params, char *err,
    size_t errlen)
{
	char path[4096], *man, *data;
	const char *name, *sha;
	uint8_t digest[32], want[32];
	strads__sha256_t h;
	size_t len, dlen;
	cJSON *j;

	memset(ck, 0, sizeof(*ck));
	*params = NULL;
	snprintf(path, sizeof(path), "%s/MANIFEST", dir);
	if ((man = slurp(path, 1u << 24, &len)) == NULL)
		return strads__errf(err, errlen, errno == ENOENT ? STRADS_ENOENT : STRADS_EIO,
		    "%s: %s (no checkpoint there)", path, strerror(errno));
	j = cJSON_ParseWithLength(man, len);
	free(man);
	name = j != NULL ? strads__json_str(j, "params") : "";
	sha = j != NULL ? strads__json_str(j, "sha256") : "";
	if (j == NULL || strads__json_num(j, "format") != 1 || *name == '\0' ||
	    strchr(name, '/') != NULL || strads__hex_decode(sha, want, 32) != 0 ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "spec"))) {
		cJSON_Delete(j);
		return strads__errf(err, errlen, STRADS_EFORMAT, "%s: not a strads checkpoint manifest",
		    path);
	}
	ck->p = (uint32_t)strads__json_num(j, "p");
	ck->rounds = strtoull(strads__json_str(j, "round"), NULL, 10);
	ck->updates = strtoull(strads__json_str(j, "updates"), NULL, 10);
	ck->time_s = strads__json_num(j, "time_s");
	ck->spec = strdup(strads__json_str(j, "spec"));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cJSON_Delete(j);
	if (ck->spec == NULL)
		return STRADS_ENOMEM;
	if ((data = slurp(path, CK_HDR + (size_t)ck->p * 8, &dlen)) == NULL) {
		free(ck->spec);
		ck->spec = NULL;
		return strads__errf(err, errlen, STRADS_EIO, "%s: %s", path, strerror(errno));
	}
	strads__sha256_init(&h);
	strads__sha256_update(&h, data, dlen);
	strads__sha256_final(&h, digest);
	if (dlen != CK_HDR + (size_t)ck->p * 8 || memcmp(data, CK_MAGIC, 8) != 0 ||
	    strads__get32((uint8_t *)data + 8) != 1 ||
	    strads__get32((uint8_t *)data + 12) != ck->p || !strads__ct_equal(digest, want, 32)) {
		free(data);
		free(ck->spec);
		ck->spec = NULL;
		return strads__errf(err, errlen, STRADS_EFORMAT, "%s: truncated or corrupt (its "
		    "size or sha256 does not match the manifest)", path);
	}
	if ((*params = malloc((size_t)ck->p * 8 + 8)) == NULL) {
		free(data);
		free(ck->spec);
		ck->spec = NULL;
		return STRADS_ENOMEM;
	}
	memcpy(*params, data + CK_HDR, (size_t)ck->p * 8);
	free(data);
	return 0;
}
