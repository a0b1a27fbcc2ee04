/* model.c -- reading and writing the text model format (model.h). */
#include "config.h"

#include "model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strads.h"

static int
model_put(FILE *f, void *arg)
{
	const model_t *m = arg;
	uint32_t j;

	fprintf(f, "# strads model\n# app %s\n# lambda %.17g\n# intercept %.17g\n"
	           "# n %llu\n# p %u\n# index_base %d\n# objective %.17g\n",
	    m->app, m->lambda, m->intercept, (unsigned long long)m->n, m->p,
	    m->index_base, m->objective);
	for (j = 0; j < m->p; j++)
		if (m->coef[j] != 0)
			fprintf(f, "%u %.17g\n", j + (uint32_t)m->index_base, m->coef[j]);
	return ferror(f) != 0;
}

int
model_write(const char *path, const model_t *m, char *err, size_t errlen)
{
	return strads_file_write_atomic(path, 0644, model_put, (void *)m, err,
	    errlen) != 0 ? -1 : 0;
}

int
model_read(const char *path, model_t *m, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[512];
	unsigned long lineno = 0;
	int have_p = 0;

	memset(m, 0, sizeof(*m));
	m->index_base = 1;
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char key[32], *end;
		double v;
		unsigned long idx;

		lineno++;
		if (line[0] == '#') {
			char val[256];

			if (sscanf(line, "# %31s %255s", key, val) != 2)
				continue;
			if (strcmp(key, "app") == 0)
				snprintf(m->app, sizeof(m->app), "%.31s", val);
			else if (strcmp(key, "lambda") == 0)
				m->lambda = strtod(val, NULL);
			else if (strcmp(key, "intercept") == 0)
				m->intercept = strtod(val, NULL);
			else if (strcmp(key, "n") == 0)
				m->n = strtoull(val, NULL, 10);
			else if (strcmp(key, "objective") == 0)
				m->objective = strtod(val, NULL);
			else if (strcmp(key, "index_base") == 0)
				m->index_base = atoi(val);
			else if (strcmp(key, "p") == 0) {
				m->p = (uint32_t)strtoul(val, NULL, 10);
				free(m->coef);
				m->coef = calloc(m->p ? m->p : 1, sizeof(double));
				have_p = m->coef != NULL;
			}
			continue;
		}
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (!have_p) {
			snprintf(err, errlen, "%s:%lu: coefficient before the '# p' header",
			    path, lineno);
			goto fail;
		}
		errno = 0;
		idx = strtoul(line, &end, 10);
		if (end == line || errno != 0) {
			snprintf(err, errlen, "%s:%lu: expected 'index value'", path, lineno);
			goto fail;
		}
		v = strtod(end, &end);
		if (idx < (unsigned long)m->index_base ||
		    idx - (unsigned long)m->index_base >= m->p) {
			snprintf(err, errlen, "%s:%lu: index %lu outside 1..%u", path,
			    lineno, idx, m->p);
			goto fail;
		}
		m->coef[idx - (unsigned long)m->index_base] = v;
	}
	fclose(f);
	if (!have_p) {
		snprintf(err, errlen, "%s: not a strads model (no '# p' header)", path);
		model_free(m);
		return -1;
	}
	return 0;
fail:
	fclose(f);
	model_free(m);
	return -1;
}

void
model_free(model_t *m)
{
	free(m->coef);
	m->coef = NULL;
}
