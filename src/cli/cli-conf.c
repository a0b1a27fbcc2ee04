/*
 * cli-conf.c -- `--config FILE` for strads run, coordinator and node, and
 * `strads config --dump` (strads.conf(5)). A file holds settings (KEY =
 * VALUE lines or JSON, read by cli-conf-read.c), each KEY a long option of
 * the command; they become options inserted
 * before the command line's own, so the command parses both as one, and
 * an option given on the command line drops the file's. Which keys there
 * are, and which take a value, is read from the command's --help text
 * (built from the registry's entries for an app's options), so every app
 * gets the same file without naming one here.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli-conf.h"
#include "cli.h"

/* An option of the command, as its --help lists it. */
typedef struct {
	char name[48];
	int arg;  /* takes a value */
	int path; /* the value names a file or directory (FILE, DIR, PREFIX) */
} conf_opt_t;


/* What one command made of its file: the argv it parses, kept until exit
 * (the parsed options point into it). */
static struct {
	char **argv;  /* owned array, strings in strs */
	char **strs;  /* owned strings */
	size_t nstrs;
	int dumping;  /* strads config --dump: print the settings, do not run */
	char *dump;   /* the settings, once merged (owned) */
	char *from;   /* "FILE: KEY (line N), ...": the file's options in argv,
	                 for a refusal that does not name its line (owned) */
	int from_stdin; /* --config - */
	char title[128];
} conf;

static void
conf_free(void)
{
	size_t i;

	for (i = 0; i < conf.nstrs; i++)
		free(conf.strs[i]);
	free(conf.strs);
	free(conf.argv);
	free(conf.dump);
	free(conf.from);
	memset(&conf, 0, sizeof(conf));
}

/* Keeps s (owned from here) until exit; NULL when out of memory (s
 * freed). */
static char *
keep(char *s)
{
	char **n;

	if (s == NULL)
		return NULL;
	if ((n = realloc(conf.strs, (conf.nstrs + 1) * sizeof(*n))) == NULL) {
		free(s);
		return NULL;
	}
	conf.strs = n;
	conf.strs[conf.nstrs++] = s;
	return s;
}

void
cli_conf_dump_mode(void)
{
	conf.dumping = 1;
}

/*
 * The options of the command's --help text: every line that starts with
 * two spaces and "--NAME", followed by an upper-case placeholder when the
 * option takes a value. This is the list the man page is checked
 * against (t/cli_docs.sh), so a key works in a file exactly when the
 * option is documented.
 */
static conf_opt_t *
usage_options(cli_conf_usage_cb usage, const char *app, size_t *n)
{
	char *text = NULL, *p, *eol;
	size_t len = 0, cap = 0;
	conf_opt_t *o = NULL;
	FILE *f = open_memstream(&text, &len);

	*n = 0;
	if (f == NULL)
		return NULL;
	if ((o = malloc(sizeof(*o))) == NULL) {
		fclose(f);
		free(text);
		return NULL;
	}
	cap = 1;
	usage(app, f);
	if (fclose(f) != 0 || text == NULL) {
		free(text);
		free(o);
		return NULL;
	}
	for (p = text; *p != '\0'; p = *eol != '\0' ? eol + 1 : eol) {
		size_t k = 0, i;
		conf_opt_t opt;
		char ph[16];

		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		if (strncmp(p, "  --", 4) != 0)
			continue;
		memset(&opt, 0, sizeof(opt));
		p += 4;
		while (k + 1 < sizeof(opt.name) && (isalnum((unsigned char)p[k]) || p[k] == '-'))
			k++;
		memcpy(opt.name, p, k);
		p += k;
		if (p[0] == ' ' && isupper((unsigned char)p[1])) {
			for (k = 0; k + 1 < sizeof(ph) && (isupper((unsigned char)p[1 + k]) ||
			    p[1 + k] == '_'); k++)
				ph[k] = p[1 + k];
			ph[k] = '\0';
			if (p[1 + k] == ' ' || p[1 + k] == '\n' || p[1 + k] == '\0') {
				opt.arg = 1;
				opt.path = strcmp(ph, "FILE") == 0 || strcmp(ph, "DIR") == 0 ||
				    strcmp(ph, "PREFIX") == 0;
			}
		}
		for (i = 0; i < *n && strcmp(o[i].name, opt.name) != 0; i++)
			;
		if (i < *n || opt.name[0] == '\0')
			continue;
		if (*n == cap) {
			conf_opt_t *m = realloc(o, (cap = cap ? 2 * cap : 32) * sizeof(*o));

			if (m == NULL) {
				free(o);
				free(text);
				*n = 0;
				return NULL;
			}
			o = m;
		}
		o[(*n)++] = opt;
	}
	free(text);
	return o;
}

/* The option called name, or NULL. prefix: also a unique abbreviation,
 * as getopt_long takes on a command line. */
static const conf_opt_t *
find_opt(const conf_opt_t *o, size_t n, const char *name, size_t len, int prefix)
{
	const conf_opt_t *hit = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (strncmp(o[i].name, name, len) != 0)
			continue;
		if (o[i].name[len] == '\0')
			return &o[i];
		if (prefix)
			hit = hit == NULL ? &o[i] : &o[n]; /* &o[n]: ambiguous */
	}
	return hit == &o[n] ? NULL : hit;
}

/* A relative path of the file, made relative to the file's directory;
 * of the command line (dir NULL), to the working directory. "-" (the
 * standard input or output) is no path. New string, or NULL. */
static char *
abs_path(const char *dir, const char *v)
{
	char cwd[PATH_MAX], *s;

	if (v[0] == '/' || strcmp(v, "-") == 0 || v[0] == '\0')
		return strdup(v);
	while (v[0] == '.' && v[1] == '/')
		for (v += 2; *v == '/'; v++)
			;
	if (*v == '\0' || strcmp(v, ".") == 0)
		v = ".";
	if (dir == NULL) {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return strdup(v);
		dir = cwd;
	}
	if (strcmp(v, ".") == 0)
		return strdup(dir);
	if ((s = malloc(strlen(dir) + strlen(v) + 2)) != NULL)
		sprintf(s, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", v);
	return s;
}

/* The directory of the file at path, absolute; new string or NULL. */
static char *
file_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *d, *a;

	if (slash == NULL)
		return abs_path(NULL, ".");
	if (slash == path)
		return strdup("/");
	if ((d = strndup(path, (size_t)(slash - path))) == NULL)
		return NULL;
	a = abs_path(NULL, d);
	free(d);
	return a;
}

/* Writes a line "KEY = VALUE" of the dump to f,
 * quoting the value when a bare one would not read back the same. */
static void
dump_line(FILE *f, const char *key, const char *val)
{
	const char *c;
	size_t n;

	if (val == NULL) {
		fprintf(f, "%s = true\n", key);
		return;
	}
	n = strlen(val);
	if (n > 0 && val[0] != '"' && !isspace((unsigned char)val[0]) &&
	    !isspace((unsigned char)val[n - 1])) {
		fprintf(f, "%s = %s\n", key, val);
		return;
	}
	fprintf(f, "%s = \"", key);
	for (c = val; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			fputc('\\', f);
		fputc(*c, f);
	}
	fprintf(f, "\"\n");
}

/* An option's name, its aliases as one: --http is --status. */
static const char *
canonical(const char *name)
{
	return strcmp(name, "http") == 0 ? "status" : name;
}

/* Whether the command line gives the option name (or its no- twin, which
 * sets the same thing the other way, or an alias of it). */
static int
overridden(const char *name, char **given, size_t ngiven)
{
	size_t i;

	name = canonical(name);
	for (i = 0; i < ngiven; i++) {
		const char *g = canonical(given[i]);

		if (strcmp(g, name) == 0 ||
		    (strncmp(g, "no-", 3) == 0 && strcmp(g + 3, name) == 0) ||
		    (strncmp(name, "no-", 3) == 0 && strcmp(name + 3, g) == 0))
			return 1;
	}
	return 0;
}

int
cli_conf_apply(const char *cmd, cli_conf_usage_cb usage, int app_arg, int *argcp,
    char ***argvp)
{
	int argc = *argcp, i, first, nargc = 0, rc = CLI_USAGE;
	char **argv = *argvp, **nargv = NULL, *dir = NULL;
	const char *path = NULL, *app = NULL, *file_app = NULL;
	conf_ent_t *e = NULL;
	size_t ne = 0, nopt = 0, ngiven = 0, j;
	conf_opt_t *opt = NULL;
	char **given = NULL;
	int *from = NULL; /* a file entry's index for each new argv slot, or -1 */
	FILE *df = NULL, *fl = NULL;
	size_t dlen = 0, flen = 0;
	int nfl = 0, help = 0;

	/* --config FILE out of argv; --help reads no file. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			help = 1;
	}
	if ((nargv = calloc((size_t)argc + 2, sizeof(*nargv))) == NULL ||
	    (given = calloc((size_t)argc + 1, sizeof(*given))) == NULL)
		goto oom;
	nargv[nargc++] = argv[0];
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 || strncmp(argv[i], "--config=", 9) == 0) {
			if (path != NULL) {
				fprintf(stderr, "strads %s: --config given twice\n", cmd);
				goto out;
			}
			path = argv[i][8] == '=' ? argv[i] + 9 : i + 1 < argc ? argv[++i] : NULL;
			if (path == NULL || path[0] == '\0') {
				fprintf(stderr, "strads %s: a file is needed after '--config'\n", cmd);
				goto out;
			}
			continue;
		}
		nargv[nargc++] = argv[i];
	}
	if ((path == NULL && !conf.dumping) || help) {
		/* Nothing to merge: the command line without --config. */
		free(given);
		free(conf.argv);
		conf.argv = nargv;
		nargv[nargc] = NULL;
		*argcp = nargc;
		*argvp = conf.argv;
		return CLI_OK;
	}
	if (path != NULL && cli_conf_read(cmd, path, &e, &ne) != 0)
		goto out;
	conf.from_stdin = path != NULL && strcmp(path, "-") == 0;
	/* The app: the command line's (strads run APP, --app APP), else the
	 * file's. */
	for (j = 0; j < ne; j++)
		if (strcmp(e[j].key, "app") == 0)
			file_app = e[j].val;
	first = 1;
	if (app_arg && nargc >= 2 && nargv[1][0] != '-') {
		app = nargv[1];
		first = 2;
	} else if (!app_arg) {
		for (i = 1; i < nargc; i++)
			if (strcmp(nargv[i], "--app") == 0 && i + 1 < nargc)
				app = nargv[i + 1];
			else if (strncmp(nargv[i], "--app=", 6) == 0)
				app = nargv[i] + 6;
	}
	if (app == NULL && file_app != NULL && (app = keep(strdup(file_app))) == NULL)
		goto oom;
	if (app_arg && app == NULL) {
		fprintf(stderr, "strads %s: no app: give it first (strads %s APP) or as "
		    "'app = APP' in %s\n", cmd, cmd, path != NULL ? path : "a --config file");
		goto out;
	}
	if ((opt = usage_options(usage, app, &nopt)) == NULL)
		goto oom;
	/* The options the command line gives, by their full names. */
	for (i = first; i < nargc; i++) {
		const char *a = nargv[i], *eq;
		const conf_opt_t *o;

		if (strcmp(a, "--") == 0)
			break;
		if (strncmp(a, "--", 2) != 0)
			continue;
		eq = strchr(a, '=');
		o = find_opt(opt, nopt, a + 2, eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2), 1);
		if (o == NULL)
			continue; /* the parse names it */
		given[ngiven++] = (char *)o->name;
		if (o->arg && eq == NULL)
			i++;
	}
	if (path != NULL && (dir = file_dir(path)) == NULL)
		goto oom;
	/* The new argv: the command, the app (strads run), the file's
	 * options that the command line does not give, then the command
	 * line's. */
	{
		char **m = realloc(nargv, ((size_t)nargc + ne + 2) * sizeof(*m));

		if (m == NULL || (from = calloc((size_t)nargc + ne + 2, sizeof(*from))) == NULL) {
			if (m != NULL)
				nargv = m;
			goto oom;
		}
		nargv = m;
	}
	{
		char **cl = nargv + first; /* the command line's options */
		int ncl = nargc - first, k = first;
		char **tail = malloc(((size_t)ncl + 1) * sizeof(*tail));

		if (tail == NULL)
			goto oom;
		free(conf.from);
		conf.from = NULL;
		if (path != NULL && (fl = open_memstream(&conf.from, &flen)) != NULL)
			fprintf(fl, "%s", path);
		memcpy(tail, cl, (size_t)ncl * sizeof(*tail));
		for (i = 0; i < k; i++)
			from[i] = -1;
		if (app_arg && first == 1 && file_app != NULL) {
			from[k] = -1;
			if ((nargv[k++] = keep(strdup(file_app))) == NULL) {
				free(tail);
				goto oom;
			}
		}
		for (j = 0; j < ne; j++) {
			const conf_opt_t *o;
			char *s, *v;

			if (strcmp(e[j].key, "config") == 0) {
				fprintf(stderr, "strads %s: %s:%d: config: a file cannot name "
				    "another\n", cmd, path, e[j].line);
				free(tail);
				goto out;
			}
			if (app_arg && strcmp(e[j].key, "app") == 0)
				continue;
			o = find_opt(opt, nopt, e[j].key, strlen(e[j].key), 0);
			if (o == NULL || strcmp(o->name, "help") == 0) {
				fprintf(stderr, "strads %s: %s:%d: unknown key '%s' (the keys are "
				    "the long options of 'strads %s%s%s --help')\n", cmd, path,
				    e[j].line, e[j].key, cmd, app != NULL ? " " : "",
				    app != NULL ? app : "");
				free(tail);
				goto out;
			}
			if (!o->arg) {
				if (strcmp(e[j].val, "true") != 0 && strcmp(e[j].val, "false") != 0) {
					fprintf(stderr, "strads %s: %s:%d: %s: expected true or false "
					    "(it takes no value), got '%s'\n", cmd, path, e[j].line,
					    e[j].key, e[j].val);
					free(tail);
					goto out;
				}
				if (strcmp(e[j].val, "false") == 0 || overridden(o->name, given, ngiven))
					continue;
				s = malloc(strlen(o->name) + 3);
				if (s != NULL)
					sprintf(s, "--%s", o->name);
			} else {
				if (e[j].val[0] == '\0') {
					fprintf(stderr, "strads %s: %s:%d: %s: expected a value\n", cmd,
					    path, e[j].line, e[j].key);
					free(tail);
					goto out;
				}
				if (overridden(o->name, given, ngiven))
					continue;
				v = o->path ? abs_path(dir, e[j].val) : strdup(e[j].val);
				s = v != NULL ? malloc(strlen(o->name) + strlen(v) + 4) : NULL;
				if (s != NULL)
					sprintf(s, "--%s=%s", o->name, v);
				free(v);
			}
			if ((s = keep(s)) == NULL) {
				free(tail);
				goto oom;
			}
			{
				char where[1100];

				snprintf(where, sizeof(where), "%s:%d", path, e[j].line);
				if (cli_origin_add(s, strlen(s), where) != 0) {
					free(tail);
					goto oom;
				}
			}
			from[k] = (int)j;
			nargv[k++] = s;
			if (fl != NULL)
				fprintf(fl, "%s %s (line %d)", nfl++ == 0 ? ":" : ",", o->name,
				    e[j].line);
		}
		for (i = 0; i < ncl; i++) {
			from[k] = -1;
			nargv[k++] = tail[i];
		}
		nargv[k] = NULL;
		nargc = k;
		free(tail);
		if (fl != NULL && fclose(fl) == 0 && nfl == 0) {
			free(conf.from);
			conf.from = NULL;
		}
		fl = NULL;
	}
	/* The settings, for strads config --dump: the options in the order
	 * they are parsed, files made absolute. */
	if (conf.dumping) {
		int oi = app_arg ? 2 : 1;

		if ((df = open_memstream(&conf.dump, &dlen)) == NULL)
			goto oom;
		snprintf(conf.title, sizeof(conf.title), "strads %s%s%s", cmd,
		    app_arg && app != NULL ? " " : "", app_arg && app != NULL ? app : "");
		if (app_arg && nargc >= 2 && nargv[1][0] != '-')
			dump_line(df, "app", nargv[1]);
		else
			oi = 1;
		for (i = oi; i < nargc; i++) {
			const char *a = nargv[i], *eq, *v = NULL;
			const conf_opt_t *o;
			char *abs = NULL;

			if (strncmp(a, "--", 2) != 0 || strcmp(a, "--") == 0)
				continue; /* the parse refuses it first */
			eq = strchr(a, '=');
			o = find_opt(opt, nopt, a + 2, eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2), 1);
			if (o == NULL)
				continue;
			if (o->arg) {
				v = eq != NULL ? eq + 1 : i + 1 < nargc ? nargv[++i] : "";
				/* The file's are absolute already. */
				if (o->path && from[i] < 0 && (abs = abs_path(NULL, v)) != NULL)
					v = abs;
			}
			dump_line(df, o->name, v);
			free(abs);
		}
		if (fclose(df) != 0)
			goto oom;
	}
	if (conf.argv != NULL)
		free(conf.argv);
	conf.argv = nargv;
	nargv = NULL;
	*argcp = nargc;
	*argvp = conf.argv;
	rc = CLI_OK;
	goto out;
oom:
	fprintf(stderr, "strads %s: out of memory\n", cmd);
	rc = CLI_FAIL;
out:
	if (fl != NULL)
		fclose(fl);
	free(nargv);
	free(given);
	free(from);
	free(opt);
	free(dir);
	cli_conf_ents_free(e, ne);
	return rc;
}

void
cli_conf_refused(const char *cmd)
{
	if (conf.from != NULL && !cli_origin_named())
		fprintf(stderr, "strads %s: options read from %s\n", cmd, conf.from);
}

int
cli_conf_from_stdin(void)
{
	return conf.from_stdin;
}

int
cli_conf_dumping(void)
{
	return conf.dumping;
}

int
cli_conf_dump(void)
{
	printf("# %s: the settings (strads.conf(5)); an option not here takes\n"
	    "# its default. Read back with: %s --config FILE\n%s", conf.title,
	    conf.title, conf.dump != NULL ? conf.dump : "");
	conf_free();
	return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}

void
cli_conf_release(void)
{
	conf_free();
}
