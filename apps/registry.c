/*
 * registry.c -- the table of apps (registry.h). Adding an app is its
 * entry's declaration and its line in the table.
 */
#include "config.h"

#include <string.h>

#include "registry.h"

extern const app_entry_t lasso_entry; /* apps/lasso/lasso-app.c */
extern const app_entry_t logreg_entry; /* apps/logreg/logreg-app.c */
extern const app_entry_t lda_entry;    /* apps/lda/lda-app.c */
extern const app_entry_t mf_entry;     /* apps/mf/mf-app.c */

const app_entry_t *const app_registry[] = {
    &lasso_entry,
    &logreg_entry,
    &lda_entry,
    &mf_entry,
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

const app_entry_t *
app_model_owner(const char *path)
{
	size_t i;

	for (i = 0; app_registry[i] != NULL; i++)
		if (app_registry[i]->owns_model != NULL &&
		    app_registry[i]->predict_file != NULL && app_registry[i]->owns_model(path))
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
