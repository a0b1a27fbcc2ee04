/*
 * registry.c -- the table of apps (registry.h). Adding an app is its
 * entry's declaration and its line in the table.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "registry.h"

extern const app_entry_t lasso_entry; /* apps/lasso/lasso-app.c */
extern const app_entry_t logreg_entry; /* apps/logreg/logreg-app.c */
extern const app_entry_t lda_entry;    /* apps/lda/lda-app.c */

const app_entry_t *const app_registry[] = {
    &lasso_entry,
    &logreg_entry,
    &lda_entry,
    NULL,
};

const app_entry_t *
app_find(const char *name, app_has_cb has)
{
	size_t i;

	for (i = 0; app_registry[i] != NULL; i++)
		if (strcmp(app_registry[i]->name, name) == 0 &&
		    (has == NULL || has(app_registry[i])))
			return app_registry[i];
	return NULL;
}

const char *
app_names(app_has_cb has, const char *sep, char *buf, size_t len)
{
	size_t i, at = 0;

	buf[0] = '\0';
	for (i = 0; app_registry[i] != NULL; i++) {
		if (has != NULL && !has(app_registry[i]))
			continue;
		snprintf(buf + at, len - at, "%s%s", at > 0 ? sep : "",
		    app_registry[i]->name);
		at += strlen(buf + at);
	}
	return buf;
}

int
app_trains(const app_entry_t *e)
{
	return e->parse != NULL;
}

int
app_predicts(const app_entry_t *e)
{
	return e->predict != NULL;
}

int
app_gens(const app_entry_t *e)
{
	return e->gen != NULL;
}

int
app_demos(const app_entry_t *e)
{
	return e->demo != NULL;
}

const app_entry_t *
app_own_model(int argc, char **argv)
{
	const app_entry_t *e;
	char name[32];
	FILE *f;
	int i, got;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-' || (f = fopen(argv[i], "r")) == NULL)
			continue;
		got = fscanf(f, "# strads %31[a-z_] model", name);
		fclose(f);
		if (got == 1 && (e = app_find(name, NULL)) != NULL && e->predict_own != NULL)
			return e;
	}
	return NULL;
}
