/*
 * model.h -- the text model format: header lines "# key value" (app,
 * lambda, intercept, n, p, index_base and more), then "index value" lines
 * for the non-zero coefficients, 1-based as in LIBSVM. Written to a temp
 * file, fsynced and renamed: never half-written.
 */
#ifndef STRADS_APPS_MODEL_H
#define STRADS_APPS_MODEL_H

#include <stddef.h>
#include <stdint.h>

typedef struct model_s {
	char app[32];
	double lambda;
	double intercept;
	uint64_t n;
	uint32_t p;
	int index_base;
	double objective;
	double *coef; /* p values */
} model_t;

int model_write(const char *path, const model_t *m, char *err, size_t errlen);
int model_read(const char *path, model_t *m, char *err, size_t errlen);
void model_free(model_t *m);

#endif
