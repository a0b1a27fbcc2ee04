/*
 * lasso-cmds.h -- the Lasso app's commands besides training
 * (lasso-cmds.c), for its registry entry (lasso-app.c).
 */
#ifndef STRADS_APPS_LASSO_CMDS_H
#define STRADS_APPS_LASSO_CMDS_H

/* strads gen lasso: argv[0] is "lasso". */
int lasso_gen_main(int argc, char **argv);
/* strads demo lasso: argv[0] is "lasso". */
int lasso_demo_main(int argc, char **argv);
/* demo_help of the entry (registry.h). */
extern const char lasso_demo_help[];

#endif
